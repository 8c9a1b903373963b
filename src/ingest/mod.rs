//! Reading and validating WRES returns (spec/returns.md).
//!
//! Both encodings (CSV long form and the Excel return workbook) are read into
//! the same [`RawRecord`]s, which [`validate`] turns into typed [`Row`]s grouped
//! into [`SectionReturn`]s, each carrying every problem found in it; [`parse_all`]
//! does that for many files at once. Nothing here touches the warehouse:
//! `wresbench validate` is this module alone, and the warehouse loads what it parses.

pub mod csv;
pub mod sheets;
pub mod template;
pub mod validate;
pub mod xlsx;

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::model::{Category, Ethnicity, Indicator, Measure, Section, StaffGroup};
use crate::register::Register;

/// Errors of the ingest layer: an input that cannot be reached or an output
/// that cannot be written. A return with problems is not an error: its
/// problems are [`Message`]s, and it is rejected as data.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input file or folder could not be read.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// An input named on the command line is not there.
    #[error("{0}: no such file or folder")]
    NotFound(PathBuf),
    /// The template workbook could not be written.
    #[error("cannot write the workbook {path}: {source}")]
    Xlsx {
        path: PathBuf,
        source: rust_xlsxwriter::XlsxError,
    },
    /// `template --org` of a code the register does not hold.
    #[error(
        "unknown organisation code {0}: it is not in the register (pass --register FILE to use another)"
    )]
    UnknownOrg(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One validation problem: a stable code, where it is, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub severity: Severity,
    pub code: &'static str,
    /// `file:line` for CSV, `file!Sheet!B7` for Excel, `file` for whole-file problems.
    pub location: String,
    pub message: String,
}

impl Message {
    pub fn error(
        code: &'static str,
        location: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Message {
            severity: Severity::Error,
            code,
            location: location.into(),
            message: message.into(),
        }
    }
    pub fn warning(
        code: &'static str,
        location: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Message {
            severity: Severity::Warning,
            code,
            location: location.into(),
            message: message.into(),
        }
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A cell or field as read, before interpretation.
#[derive(Debug, Clone, PartialEq)]
pub enum RawValue {
    Empty,
    Text(String),
    Number(f64),
    /// An Excel error cell such as `#DIV/0!`.
    CellError(String),
}

impl RawValue {
    pub fn text(s: &str) -> Self {
        if s.trim().is_empty() {
            RawValue::Empty
        } else {
            RawValue::Text(s.trim().to_string())
        }
    }
    pub fn is_empty(&self) -> bool {
        matches!(self, RawValue::Empty)
    }
    /// The value as text (for codes such as org_code or year).
    pub fn as_text(&self) -> String {
        match self {
            RawValue::Empty => String::new(),
            RawValue::Text(s) => s.clone(),
            RawValue::Number(n) => crate::fmt::plain_number(*n),
            RawValue::CellError(e) => e.clone(),
        }
    }
}

/// One value-bearing record of a return, in the shape of the CSV long form.
#[derive(Debug, Clone)]
pub struct RawRecord {
    pub org_code: RawValue,
    pub year: RawValue,
    pub indicator: RawValue,
    pub measure: RawValue,
    pub staff_group: RawValue,
    pub category: RawValue,
    pub ethnicity: RawValue,
    pub value: RawValue,
    /// Where the value is (`file:line` or `file!Sheet!C7`).
    pub location: String,
    /// Where the codes of the record are, when elsewhere (Excel: the About sheet,
    /// the row labels); used to point at the right cell for code errors.
    pub code_locations: CodeLocations,
}

#[derive(Debug, Clone, Default)]
pub struct CodeLocations {
    pub org_code: Option<String>,
    pub year: Option<String>,
    pub indicator: Option<String>,
    pub measure: Option<String>,
    pub staff_group: Option<String>,
    pub category: Option<String>,
    pub ethnicity: Option<String>,
}

/// A validated, typed row of a return.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub org_code: String,
    pub year: i32,
    pub indicator: Indicator,
    pub measure: Measure,
    pub staff_group: Option<StaffGroup>,
    pub category: Option<Category>,
    pub ethnicity: Ethnicity,
    pub value: f64,
    pub location: String,
}

impl Row {
    pub fn section(&self) -> Section {
        self.indicator.section()
    }
    /// The identity of a row inside its return.
    pub fn key(&self) -> RowKey {
        (
            self.indicator,
            self.measure,
            self.staff_group,
            self.category,
            self.ethnicity,
        )
    }
}

pub type RowKey = (
    Indicator,
    Measure,
    Option<StaffGroup>,
    Option<Category>,
    Ethnicity,
);

/// One section of one organisation's return for one year, as found in one file.
#[derive(Debug, Clone)]
pub struct SectionReturn {
    pub org_code: String,
    pub year: i32,
    pub section: Section,
    pub rows: Vec<Row>,
    pub messages: Vec<Message>,
}

impl SectionReturn {
    pub fn has_errors(&self) -> bool {
        self.messages.iter().any(Message::is_error)
    }
    pub fn errors(&self) -> usize {
        self.messages.iter().filter(|m| m.is_error()).count()
    }
    pub fn warnings(&self) -> usize {
        self.messages.len() - self.errors()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

/// One input file, read and validated.
#[derive(Debug, Clone)]
pub struct ParsedFile {
    pub path: PathBuf,
    /// The name used in locations (the path as the user gave it).
    pub display: String,
    pub sha256: String,
    pub format: Format,
    pub bytes: Vec<u8>,
    pub sections: Vec<SectionReturn>,
    /// Problems that concern the whole file (unreadable, bad header): they
    /// reject every section of it.
    pub file_messages: Vec<Message>,
}

impl ParsedFile {
    pub fn rejected_whole(&self) -> bool {
        self.file_messages.iter().any(Message::is_error)
    }
    /// Every message of the file, file-level first, in location order.
    pub fn all_messages(&self) -> impl Iterator<Item = &Message> {
        self.file_messages
            .iter()
            .chain(self.sections.iter().flat_map(|s| s.messages.iter()))
    }
}

/// What validation needs to know besides the file.
#[derive(Debug, Clone)]
pub struct ValidateOptions {
    /// Latest reporting year accepted (next year by default).
    pub max_year: i32,
}

impl Default for ValidateOptions {
    fn default() -> Self {
        use chrono::Datelike;
        ValidateOptions {
            max_year: crate::model::last_year(chrono::Utc::now().year()),
        }
    }
}

/// Distinct messages of one code kept for one file or section; the rest are
/// counted in one closing message ("and 41,200 more like this").
pub const MAX_MESSAGES_PER_CODE: usize = 20;
/// Other places listed when one mistake repeats at many places.
const PLACES_LISTED: usize = 3;

/// One message for one mistake, and a bounded number for a file.
///
/// The same sentence at several places (a year typed `2021/22` on 37 lines)
/// becomes one message at the first place that names how many more there are
/// and where; past [`MAX_MESSAGES_PER_CODE`] messages of a code, the rest are
/// counted, not listed. Order is kept: first occurrence first.
pub fn consolidate(msgs: Vec<Message>) -> Vec<Message> {
    use std::collections::HashMap;
    // (severity, code, text) -> index in `groups`
    let mut index: HashMap<(Severity, &'static str, String), usize> = HashMap::new();
    let mut groups: Vec<(Message, Vec<String>)> = Vec::new();
    for m in msgs {
        let key = (m.severity, m.code, m.message.clone());
        match index.get(&key) {
            Some(&i) => {
                let g = &mut groups[i];
                if g.0.location != m.location && !g.1.contains(&m.location) {
                    g.1.push(m.location);
                }
            }
            None => {
                index.insert(key, groups.len());
                groups.push((m, Vec::new()));
            }
        }
    }
    let mut per_code: HashMap<(Severity, &'static str), usize> = HashMap::new();
    let mut out = Vec::with_capacity(groups.len());
    let mut dropped: Vec<(Message, usize)> = Vec::new();
    for (mut m, more) in groups {
        if !more.is_empty() {
            let shown: Vec<String> = more
                .iter()
                .take(PLACES_LISTED)
                .map(|l| short_place(&m.location, l))
                .collect();
            let rest = more.len() - shown.len();
            let tail = if rest > 0 {
                format!(" and {} more", crate::fmt::count(rest as f64))
            } else {
                String::new()
            };
            m.message = format!(
                "{} The same at {} more {}: {}{tail}.",
                m.message,
                crate::fmt::count(more.len() as f64),
                if more.len() == 1 { "place" } else { "places" },
                shown.join(", ")
            );
        }
        let n = per_code.entry((m.severity, m.code)).or_default();
        *n += 1;
        if *n <= MAX_MESSAGES_PER_CODE {
            out.push(m);
        } else if let Some(d) = dropped
            .iter_mut()
            .find(|(d, _)| d.code == m.code && d.severity == m.severity)
        {
            d.1 += 1 + more.len();
        } else {
            dropped.push((m.clone(), 1 + more.len()));
        }
    }
    for (first, n) in dropped {
        out.push(Message {
            severity: first.severity,
            code: first.code,
            location: first.location,
            message: format!(
                "And {} more {} like the ones above, from here on; they are not listed. Fix those first and check again.",
                crate::fmt::count(n as f64),
                if n == 1 { "problem" } else { "problems" }
            ),
        });
    }
    out
}

/// A place as short as it can be beside the first: `file.csv:12` after
/// `file.csv:3` is `line 12`, `file.xlsx!Sheet!B7` after the same sheet is `B7`.
fn short_place(first: &str, place: &str) -> String {
    if let Some((file, line)) = place.rsplit_once(':')
        && first.rsplit_once(':').is_some_and(|(f, _)| f == file)
        && line.chars().all(|c| c.is_ascii_digit())
    {
        return format!("line {line}");
    }
    if let Some((sheet, cell)) = place.rsplit_once('!')
        && first.rsplit_once('!').is_some_and(|(s, _)| s == sheet)
    {
        return cell.to_string();
    }
    place.to_string()
}

/// Lowercase hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest.iter() {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// Decides the encoding from the name, then from the content (a zip is a workbook).
pub fn detect_format(path: &Path, bytes: &[u8]) -> Format {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("xlsx" | "xlsm" | "xls" | "xlsb" | "ods") => Format::Xlsx,
        Some("csv" | "txt") => Format::Csv,
        _ if bytes.starts_with(b"PK\x03\x04") => Format::Xlsx,
        _ => Format::Csv,
    }
}

/// Reads, parses and validates one file already in memory. Never panics on
/// content: every problem becomes a [`Message`].
pub fn parse_bytes(
    path: &Path,
    display: &str,
    bytes: Vec<u8>,
    register: &Register,
    opts: &ValidateOptions,
) -> ParsedFile {
    let sha256 = sha256_hex(&bytes);
    let format = detect_format(path, &bytes);
    let (records, file_messages) = match format {
        Format::Csv => csv::read_records(display, &bytes),
        Format::Xlsx => xlsx::read_records(display, &bytes),
    };
    let (mut sections, mut extra) = validate::validate_records(display, records, register, opts);
    let mut file_messages = file_messages;
    file_messages.append(&mut extra);
    let file_messages = consolidate(file_messages);
    for s in &mut sections {
        s.messages = consolidate(std::mem::take(&mut s.messages));
    }
    ParsedFile {
        path: path.to_path_buf(),
        display: display.to_string(),
        sha256,
        format,
        bytes,
        sections,
        file_messages,
    }
}

/// Reads and validates files in parallel (rayon), with a progress bar when asked.
pub fn parse_all(
    files: &[PathBuf],
    register: &Register,
    opts: &ValidateOptions,
    progress: bool,
) -> Vec<ParsedFile> {
    let bar = crate::progress::bar(files.len() as u64, "reading returns", progress);
    let parsed = parse_with(files, register, opts, &bar);
    bar.finish_and_clear();
    parsed
}

/// [`parse_all`] with the caller's progress bar, for callers that read their
/// files a part at a time and keep one bar for the whole.
pub fn parse_with(
    files: &[PathBuf],
    register: &Register,
    opts: &ValidateOptions,
    bar: &indicatif::ProgressBar,
) -> Vec<ParsedFile> {
    files
        .par_iter()
        .map(|f| {
            let p = parse_file(f, register, opts);
            bar.inc(1);
            p
        })
        .collect()
}

/// Reads a file from disk and parses it. An unreadable file is a [`ParsedFile`]
/// with an `E_UNREADABLE` message, not an error: one bad input never stops a run.
pub fn parse_file(path: &Path, register: &Register, opts: &ValidateOptions) -> ParsedFile {
    let display = path.display().to_string();
    match read_bounded(path) {
        Ok(bytes) => parse_bytes(path, &display, bytes, register, opts),
        Err((code, why)) => ParsedFile {
            path: path.to_path_buf(),
            display: display.clone(),
            sha256: sha256_hex(b""),
            format: detect_format(path, b""),
            bytes: Vec::new(),
            sections: Vec::new(),
            file_messages: vec![Message::error(code, display, why)],
        },
    }
}

/// Reads a regular file of at most [`MAX_FILE_BYTES`]. The type is checked
/// before opening, because opening a pipe blocks until someone writes to it.
fn read_bounded(path: &Path) -> std::result::Result<Vec<u8>, (&'static str, String)> {
    use std::io::Read;
    let unreadable = |e: std::io::Error| {
        (
            "E_UNREADABLE",
            format!(
                "The file cannot be read ({e}). Check that it exists and that you may read it."
            ),
        )
    };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if !meta.is_file() {
        return Err((
            "E_NOT_A_FILE",
            "This is not a regular file (a folder, pipe or device), so it was not read. Give the return's .csv or .xlsx file.".into(),
        ));
    }
    let too_large = || {
        (
            "E_TOO_LARGE",
            format!(
                "The file is larger than {} MB; a WRES return is tens of kilobytes. Check that this is the return (one trust, one year), and send it on its own.",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        )
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large()); // it grew while being read
    }
    Ok(bytes)
}

/// The input files of a run, and the organisation registers found among them.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub files: Vec<PathBuf>,
    /// CSV files whose header is a register's (`generate --scale` writes one
    /// beside the returns): skipped, and said so.
    pub registers: Vec<PathBuf>,
    /// An input lies in a folder `wresbench generate` wrote (it holds
    /// [`SYNTHETIC_MARKER`]): the figures are made up, and packs must say so.
    pub synthetic: bool,
}

/// The file `wresbench generate` leaves in its output folder: returns under
/// it are synthetic, whatever their trust names.
pub const SYNTHETIC_MARKER: &str = ".wresbench-synthetic";

/// Bytes one input file may hold. A trust's return is tens of kilobytes; a
/// file this size is not one, and reading it whole would only cost memory.
pub const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;

/// True when `path` or a folder above it holds [`SYNTHETIC_MARKER`].
fn under_synthetic(path: &Path) -> bool {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    abs.ancestors().any(|d| d.join(SYNTHETIC_MARKER).is_file())
}

/// Expands files and folders into the list of input files, sorted, so that a
/// run's outcome never depends on directory order. Folders are searched
/// recursively for `.csv`, `.xlsx` and `.xlsm` files; hidden entries are
/// skipped, and so are organisation registers (recognised by their header).
pub fn expand_inputs(inputs: &[PathBuf]) -> Result<Inputs> {
    let mut out = Vec::new();
    let mut seen_dirs = std::collections::HashSet::new();
    for input in inputs {
        if input.is_dir() {
            walk(input, &mut out, &mut seen_dirs)?;
        } else if input.exists() {
            // Given by name: read (or refused, if not a regular file) by parse_file.
            out.push(input.clone());
        } else {
            return Err(Error::NotFound(input.clone()));
        }
    }
    out.sort();
    out.dedup();
    let synthetic = out.iter().any(|p| under_synthetic(p));
    // Each CSV's first line is read to tell a register from a return: in
    // parallel, as the files are read later (2,060 opens at the decade).
    let is_register: Vec<bool> = out.par_iter().map(|p| is_register_csv(p)).collect();
    let (mut registers, mut files) = (Vec::new(), Vec::new());
    for (p, register) in out.into_iter().zip(is_register) {
        if register {
            registers.push(p)
        } else {
            files.push(p)
        }
    }
    Ok(Inputs {
        files,
        registers,
        synthetic,
    })
}

/// True for a CSV whose first line is the register's header
/// (`org_code,org_name,benchmark_group,region,icb_code,icb_name`). Reads at
/// most the first 4 KiB.
pub fn is_register_csv(path: &Path) -> bool {
    use std::io::Read;
    let is_csv = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    // Never open a pipe or device (opening a pipe blocks).
    if !is_csv || !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return false;
    }
    let mut head = Vec::new();
    let Ok(f) = std::fs::File::open(path) else {
        return false;
    };
    if f.take(4096).read_to_end(&mut head).is_err() {
        return false;
    }
    let text = String::from_utf8_lossy(&head);
    let first = text
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap_or("");
    let cols: Vec<String> = first
        .split(',')
        .map(|c| c.trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    cols == crate::register::COLUMNS
}

/// Collects return files under `dir`. Symbolic links are followed, but a
/// folder already walked (two links to `.`, a link to a parent) is not
/// walked again; only regular files are collected (a pipe or a device in an
/// input folder would block or never end).
fn walk(
    dir: &Path,
    out: &mut Vec<PathBuf>,
    seen: &mut std::collections::HashSet<PathBuf>,
) -> Result<()> {
    let real = std::fs::canonicalize(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    if !seen.insert(real) {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let p = entry.path();
        let hidden = p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.') || n.starts_with("~$"));
        if hidden {
            continue;
        }
        // Follows links: what matters is what the entry leads to.
        let Ok(meta) = std::fs::metadata(&p) else {
            continue; // a dangling link
        };
        if meta.is_dir() {
            walk(&p, out, seen)?;
        } else if meta.is_file() {
            let ext = p
                .extension()
                .and_then(|e| e.to_str())
                .map(|e| e.to_ascii_lowercase());
            if matches!(ext.as_deref(), Some("csv" | "xlsx" | "xlsm")) {
                out.push(p);
            }
        }
    }
    Ok(())
}
