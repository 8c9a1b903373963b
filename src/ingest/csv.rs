//! The CSV long form: `org_code,year,indicator,measure,staff_group,category,ethnicity,value`.
//!
//! Tolerant of what spreadsheets do to CSV (a BOM, CRLF, header case and
//! spaces, any column order, quoting); strict about what would lose data
//! (unknown columns, ragged rows, bytes that are not UTF-8).

use super::{CodeLocations, Message, RawRecord, RawValue};

pub const COLUMNS: [&str; 8] = [
    "org_code",
    "year",
    "indicator",
    "measure",
    "staff_group",
    "category",
    "ethnicity",
    "value",
];

/// Longest text quoted back in a message, so a 10 MB field does not become a 10 MB message.
const QUOTE_MAX: usize = 40;

pub(crate) fn quote(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() <= QUOTE_MAX {
        format!("`{s}`")
    } else {
        let head: String = s.chars().take(QUOTE_MAX).collect();
        format!("`{head}…` ({} characters)", s.chars().count())
    }
}

/// Reads every record of a CSV file. File-level problems come back as messages;
/// when there are any errors among them, no records are returned.
pub fn read_records(display: &str, bytes: &[u8]) -> (Vec<RawRecord>, Vec<Message>) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Some(m) = check_text(display, bytes) {
        return (Vec::new(), vec![m]);
    }
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(bytes);
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            let m = Message::error(
                "E_MALFORMED_CSV",
                format!("{display}:1"),
                format!("The header row cannot be read as CSV ({e})."),
            );
            return (Vec::new(), vec![m]);
        }
    };
    let (columns, mut messages) = map_header(display, &headers);
    let Some(columns) = columns else {
        return (Vec::new(), messages);
    };
    let mut records = read_rows(display, &mut rdr, &columns, headers.len(), &mut messages);
    if records.is_empty() && !messages.iter().any(Message::is_error) {
        messages.push(Message::error(
            "E_EMPTY_FILE",
            display,
            "The file has a header but no data rows. Export the return again with its values.",
        ));
    }
    if messages.iter().any(Message::is_error) {
        records.clear();
    }
    (records, messages)
}

/// Whether the bytes are CSV text at all: not empty, not binary, UTF-8.
fn check_text(display: &str, bytes: &[u8]) -> Option<Message> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Some(Message::error(
            "E_EMPTY_FILE",
            display,
            "The file is empty. Export the return again; it needs a header row and one row per value.",
        ));
    }
    if bytes.contains(&0) {
        return Some(Message::error(
            "E_NOT_CSV",
            display,
            "The file is binary, not CSV text. Save the return as CSV (comma separated, UTF-8) or send the Excel return workbook as .xlsx.",
        ));
    }
    let e = std::str::from_utf8(bytes).err()?;
    let at = e.valid_up_to();
    let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
    Some(Message::error(
        "E_NOT_UTF8",
        format!("{display}:{line}"),
        format!(
            "The file is not UTF-8 (byte 0x{:02X} at line {line}); it looks like Latin-1 or Windows-1252. In Excel use Save As > \"CSV UTF-8 (Comma delimited)\".",
            bytes[at]
        ),
    ))
}

/// The position of each of [`COLUMNS`] in the header (by name: trimmed,
/// case-insensitive, any order), or None with the errors that say why not.
fn map_header(display: &str, headers: &csv::StringRecord) -> (Option<[usize; 8]>, Vec<Message>) {
    let mut messages = Vec::new();
    let mut idx: [Option<usize>; 8] = [None; 8];
    let mut unknown = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let name = h.trim().to_ascii_lowercase();
        match COLUMNS.iter().position(|c| *c == name) {
            Some(c) if idx[c].is_none() => idx[c] = Some(i),
            Some(_) => messages.push(Message::error(
                "E_DUPLICATE_COLUMN",
                format!("{display}:1"),
                format!(
                    "The column {} appears twice in the header. Delete one of them.",
                    quote(h)
                ),
            )),
            None if name.is_empty() && i + 1 == headers.len() => {} // trailing comma
            None => unknown.push(h.to_string()),
        }
    }
    if !unknown.is_empty() {
        let shown: Vec<String> = unknown.iter().take(5).map(|u| quote(u)).collect();
        let more = if unknown.len() > 5 {
            format!(" and {} more", unknown.len() - 5)
        } else {
            String::new()
        };
        messages.push(Message::error(
            "E_UNKNOWN_COLUMN",
            format!("{display}:1"),
            format!(
                "Unknown column{} {}{more}. A WRES return has exactly the columns {}; an extra column usually means the wrong file.",
                if unknown.len() == 1 { "" } else { "s" },
                shown.join(", "),
                COLUMNS.join(",")
            ),
        ));
    }
    let missing: Vec<&str> = COLUMNS
        .iter()
        .zip(idx.iter())
        .filter(|(_, i)| i.is_none())
        .map(|(c, _)| *c)
        .collect();
    if !missing.is_empty() {
        messages.push(Message::error(
            "E_MISSING_HEADER",
            format!("{display}:1"),
            format!(
                "The header row lacks {}. The first row must name the columns {}.",
                missing.join(", "),
                COLUMNS.join(",")
            ),
        ));
    }
    if messages.iter().any(Message::is_error) {
        return (None, messages);
    }
    let mut columns = [0usize; 8];
    for (c, i) in columns.iter_mut().zip(idx) {
        match i {
            Some(i) => *c = i,
            None => return (None, messages),
        }
    }
    (Some(columns), messages)
}

/// The data rows: one record per line; a malformed line is an error at its
/// line, and reading stops at a line the CSV parser cannot get past.
fn read_rows(
    display: &str,
    rdr: &mut csv::Reader<&[u8]>,
    columns: &[usize; 8],
    width: usize,
    messages: &mut Vec<Message>,
) -> Vec<RawRecord> {
    let mut records = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                messages.push(Message::error(
                    "E_MALFORMED_CSV",
                    format!("{display}:{line}"),
                    format!("This line cannot be read as CSV ({e}). Check the quoting."),
                ));
                break;
            }
        }
        let line = record.position().map_or(0, |p| p.line());
        let location = format!("{display}:{line}");
        if record.iter().all(|f| f.trim().is_empty()) {
            continue; // blank line
        }
        if record.len() != width {
            messages.push(Message::error(
                "E_MALFORMED_CSV",
                location,
                format!(
                    "This line has {} fields but the header has {width}. Check for a stray comma or a missing quote.",
                    record.len(),
                ),
            ));
            continue;
        }
        let get = |c: usize| RawValue::text(record.get(columns[c]).unwrap_or(""));
        records.push(RawRecord {
            org_code: get(0),
            year: get(1),
            indicator: get(2),
            measure: get(3),
            staff_group: get(4),
            category: get(5),
            ethnicity: get(6),
            value: get(7),
            location,
            code_locations: CodeLocations::default(),
        });
    }
    records
}

/// Writes rows as the CSV long form (used by `generate` and tests).
pub fn write_rows(rows: &[super::Row]) -> Vec<u8> {
    let mut out = String::with_capacity(rows.len() * 40);
    out.push_str(&COLUMNS.join(","));
    out.push('\n');
    for r in rows {
        out.push_str(&r.org_code);
        out.push(',');
        out.push_str(&r.year.to_string());
        out.push(',');
        out.push_str(&r.indicator.to_string());
        out.push(',');
        out.push_str(r.measure.code());
        out.push(',');
        out.push_str(r.staff_group.map_or("", |s| s.code()));
        out.push(',');
        out.push_str(r.category.map_or("", |c| c.code()));
        out.push(',');
        out.push_str(r.ethnicity.code());
        out.push(',');
        out.push_str(&crate::fmt::plain_number(r.value));
        out.push('\n');
    }
    out.into_bytes()
}
