//! The Excel return workbook (spec/returns.md, "Encoding 2"), read with calamine.
//!
//! Rows are found by their labels, never by position, so a row a trust inserts
//! by hand does not shift data. An empty cell is "not supplied", never 0;
//! whole-number floats become integers; error cells are reported with their cell.

use std::io::Cursor;

use calamine::{Data, Range, Reader};

use super::{CodeLocations, Message, RawRecord, RawValue};

pub const SHEET_ABOUT: &str = "About";
pub const SHEET_IND1: &str = "Indicator 1";
pub const SHEET_IND2_4: &str = "Indicators 2-4";
pub const SHEET_IND5_8: &str = "Indicators 5-8";
pub const SHEET_IND9: &str = "Indicator 9";

pub const ABOUT_ORG_CODE: &str = "Organisation code";
pub const ABOUT_ORG_NAME: &str = "Organisation name";
pub const ABOUT_YEAR: &str = "Reporting year";

pub const HEADER_IND1: [&str; 5] = ["Staff group", "Grade", "White", "BME", "Unknown"];
pub const HEADER_IND2_4: [&str; 5] = ["Indicator", "Measure", "White", "BME", "Unknown"];
pub const HEADER_IND5_8: [&str; 5] = [
    "Indicator",
    "White %",
    "BME %",
    "White responses",
    "BME responses",
];
pub const HEADER_IND9: [&str; 4] = ["Board", "White", "BME", "Unknown"];

/// `A1`-style reference of a zero-based (row, column).
pub fn cell_ref(row: u32, col: u32) -> String {
    let mut c = col + 1;
    let mut letters = Vec::new();
    while c > 0 {
        let rem = ((c - 1) % 26) as u8;
        letters.push((b'A' + rem) as char);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", letters.into_iter().collect::<String>(), row + 1)
}

fn raw(cell: Option<&Data>) -> RawValue {
    match cell {
        None | Some(Data::Empty) => RawValue::Empty,
        Some(Data::Int(i)) => RawValue::Number(*i as f64),
        Some(Data::Float(f)) => RawValue::Number(*f),
        Some(Data::String(s)) => RawValue::text(s),
        Some(Data::Bool(b)) => RawValue::Text(b.to_string()),
        Some(Data::Error(e)) => RawValue::CellError(e.to_string()),
        Some(Data::DateTime(d)) => RawValue::Text(format!("date {}", d.as_f64())),
        Some(Data::DateTimeIso(s) | Data::DurationIso(s)) => RawValue::Text(s.clone()),
    }
}

/// A sheet with absolute cell addressing.
struct Sheet<'a> {
    file: &'a str,
    name: &'a str,
    range: Range<Data>,
}

impl Sheet<'_> {
    fn get(&self, row: u32, col: u32) -> Option<&Data> {
        self.range.get_value((row, col))
    }
    fn text(&self, row: u32, col: u32) -> String {
        raw(self.get(row, col)).as_text()
    }
    fn loc(&self, row: u32, col: u32) -> String {
        format!("{}!{}!{}", self.file, self.name, cell_ref(row, col))
    }
    fn rows(&self) -> std::ops::RangeInclusive<u32> {
        match (self.range.start(), self.range.end()) {
            (Some(s), Some(e)) => s.0..=e.0,
            _ => std::ops::RangeInclusive::new(1, 0), // an empty sheet
        }
    }
    fn cols(&self) -> std::ops::RangeInclusive<u32> {
        match (self.range.start(), self.range.end()) {
            (Some(s), Some(e)) => s.1..=e.1,
            _ => std::ops::RangeInclusive::new(1, 0), // an empty sheet
        }
    }
    /// True when every value cell of the row is empty: nothing is supplied,
    /// whatever the label cells say (a note typed above the data, say).
    fn blank(&self, row: u32, value_cols: &[u32]) -> bool {
        value_cols.iter().all(|&c| raw(self.get(row, c)).is_empty())
    }

    /// Finds the header row: the first row whose cells include every name of
    /// `header`; returns the row and the column of each name.
    fn find_header(&self, header: &[&str]) -> Option<(u32, Vec<u32>)> {
        for r in self.rows() {
            let mut cols = Vec::with_capacity(header.len());
            for h in header {
                match self
                    .cols()
                    .find(|&c| self.text(r, c).trim().eq_ignore_ascii_case(h))
                {
                    Some(c) => cols.push(c),
                    None => break,
                }
            }
            if cols.len() == header.len() {
                return Some((r, cols));
            }
        }
        None
    }
}

/// Reads every record of a return workbook.
pub fn read_records(display: &str, bytes: &[u8]) -> (Vec<RawRecord>, Vec<Message>) {
    // calamine is defensive, but this is hostile input from many sources: a
    // panic inside a reader must reject one file, not stop the run.
    let result = std::panic::catch_unwind(|| read_inner(display, bytes));
    match result {
        Ok(r) => r,
        Err(_) => (
            Vec::new(),
            vec![Message::error(
                "E_NOT_WORKBOOK",
                display,
                "The workbook is damaged and cannot be read. Open it in Excel, save it again as .xlsx, and resend.",
            )],
        ),
    }
}

fn read_inner(display: &str, bytes: &[u8]) -> (Vec<RawRecord>, Vec<Message>) {
    let mut msgs = Vec::new();
    let mut wb = match calamine::open_workbook_auto_from_rs(Cursor::new(bytes)) {
        Ok(wb) => wb,
        Err(e) => {
            msgs.push(Message::error(
                "E_NOT_WORKBOOK",
                display,
                format!("This is not a readable Excel workbook ({e}). Send the return workbook made by `wresbench template`, saved as .xlsx."),
            ));
            return (Vec::new(), msgs);
        }
    };
    let names = wb.sheet_names();
    let find = |want: &str| {
        names
            .iter()
            .find(|n| n.trim().eq_ignore_ascii_case(want))
            .cloned()
    };

    let mut sheet = |want: &'static str,
                     required: bool,
                     msgs: &mut Vec<Message>|
     -> Option<Range<Data>> {
        match find(want) {
            Some(actual) => match wb.worksheet_range(&actual) {
                Ok(r) => Some(r),
                Err(e) => {
                    msgs.push(Message::error(
                        "E_NOT_WORKBOOK",
                        format!("{display}!{want}"),
                        format!(
                            "The sheet cannot be read ({e}). Save the workbook again as .xlsx."
                        ),
                    ));
                    None
                }
            },
            None => {
                if required {
                    msgs.push(Message::error(
                        "E_MISSING_SHEET",
                        display,
                        format!("The workbook has no sheet named \"{want}\". Use the workbook from `wresbench template` and keep its sheet names."),
                    ));
                }
                None
            }
        }
    };

    let about = sheet(SHEET_ABOUT, true, &mut msgs);
    let ind1 = sheet(SHEET_IND1, true, &mut msgs);
    let ind24 = sheet(SHEET_IND2_4, true, &mut msgs);
    let ind58 = sheet(SHEET_IND5_8, false, &mut msgs);
    let ind9 = sheet(SHEET_IND9, true, &mut msgs);

    // About: organisation code and year, found by their labels in column A.
    let mut org = (RawValue::Empty, String::new());
    let mut year = (RawValue::Empty, String::new());
    if let Some(range) = about {
        let s = Sheet {
            file: display,
            name: SHEET_ABOUT,
            range,
        };
        let mut found_org = false;
        let mut found_year = false;
        for r in s.rows() {
            let label = s.text(r, 0);
            if label.trim().eq_ignore_ascii_case(ABOUT_ORG_CODE) {
                org = (raw(s.get(r, 1)), s.loc(r, 1));
                found_org = true;
            } else if label.trim().eq_ignore_ascii_case(ABOUT_YEAR) {
                year = (raw(s.get(r, 1)), s.loc(r, 1));
                found_year = true;
            }
        }
        for (found, label) in [(found_org, ABOUT_ORG_CODE), (found_year, ABOUT_YEAR)] {
            if !found {
                msgs.push(Message::error(
                    "E_MISSING_HEADER",
                    format!("{display}!{SHEET_ABOUT}"),
                    format!("The About sheet has no row labelled \"{label}\" in column A. Restore it from the template."),
                ));
            }
        }
    }

    let mut records = Vec::new();
    let mut push = |indicator: RawValue,
                    measure: RawValue,
                    staff_group: RawValue,
                    category: RawValue,
                    ethnicity: &str,
                    value: RawValue,
                    location: String,
                    labels: CodeLocations| {
        records.push(RawRecord {
            org_code: org.0.clone(),
            year: year.0.clone(),
            indicator,
            measure,
            staff_group,
            category,
            ethnicity: RawValue::Text(ethnicity.to_string()),
            value,
            location,
            code_locations: CodeLocations {
                org_code: Some(org.1.clone()),
                year: Some(year.1.clone()),
                ..labels
            },
        });
    };
    let missing_header = |name: &str, header: &[&str], msgs: &mut Vec<Message>| {
        msgs.push(Message::error(
            "E_MISSING_HEADER",
            format!("{display}!{name}"),
            format!(
                "The sheet has no header row \"{}\". Restore it from the template.",
                header.join(" | ")
            ),
        ));
    };
    let eth = ["white", "bme", "unknown"];

    if let Some(range) = ind1 {
        let s = Sheet {
            file: display,
            name: SHEET_IND1,
            range,
        };
        match s.find_header(&HEADER_IND1) {
            None => missing_header(SHEET_IND1, &HEADER_IND1, &mut msgs),
            Some((h, cols)) => {
                for r in (h + 1)..=*s.rows().end() {
                    let (sg, cat) = (raw(s.get(r, cols[0])), raw(s.get(r, cols[1])));
                    if s.blank(r, &cols[2..]) {
                        continue;
                    }
                    for (i, e) in eth.iter().enumerate() {
                        push(
                            RawValue::Text("1".into()),
                            RawValue::Text("headcount".into()),
                            sg.clone(),
                            cat.clone(),
                            e,
                            raw(s.get(r, cols[2 + i])),
                            s.loc(r, cols[2 + i]),
                            CodeLocations {
                                staff_group: Some(s.loc(r, cols[0])),
                                category: Some(s.loc(r, cols[1])),
                                ..Default::default()
                            },
                        );
                    }
                }
            }
        }
    }

    if let Some(range) = ind24 {
        let s = Sheet {
            file: display,
            name: SHEET_IND2_4,
            range,
        };
        match s.find_header(&HEADER_IND2_4) {
            None => missing_header(SHEET_IND2_4, &HEADER_IND2_4, &mut msgs),
            Some((h, cols)) => {
                for r in (h + 1)..=*s.rows().end() {
                    let (ind, m) = (raw(s.get(r, cols[0])), raw(s.get(r, cols[1])));
                    if s.blank(r, &cols[2..]) {
                        continue;
                    }
                    for (i, e) in eth.iter().enumerate() {
                        push(
                            ind.clone(),
                            m.clone(),
                            RawValue::Empty,
                            RawValue::Empty,
                            e,
                            raw(s.get(r, cols[2 + i])),
                            s.loc(r, cols[2 + i]),
                            CodeLocations {
                                indicator: Some(s.loc(r, cols[0])),
                                measure: Some(s.loc(r, cols[1])),
                                ..Default::default()
                            },
                        );
                    }
                }
            }
        }
    }

    if let Some(range) = ind58 {
        let s = Sheet {
            file: display,
            name: SHEET_IND5_8,
            range,
        };
        match s.find_header(&HEADER_IND5_8) {
            None => missing_header(SHEET_IND5_8, &HEADER_IND5_8, &mut msgs),
            Some((h, cols)) => {
                for r in (h + 1)..=*s.rows().end() {
                    let ind = raw(s.get(r, cols[0]));
                    if s.blank(r, &cols[1..]) {
                        continue;
                    }
                    let spec = [
                        ("percent", "white", 1),
                        ("percent", "bme", 2),
                        ("responses", "white", 3),
                        ("responses", "bme", 4),
                    ];
                    for (measure, e, c) in spec {
                        push(
                            ind.clone(),
                            RawValue::Text(measure.into()),
                            RawValue::Empty,
                            RawValue::Empty,
                            e,
                            raw(s.get(r, cols[c])),
                            s.loc(r, cols[c]),
                            CodeLocations {
                                indicator: Some(s.loc(r, cols[0])),
                                ..Default::default()
                            },
                        );
                    }
                }
            }
        }
    }

    if let Some(range) = ind9 {
        let s = Sheet {
            file: display,
            name: SHEET_IND9,
            range,
        };
        match s.find_header(&HEADER_IND9) {
            None => missing_header(SHEET_IND9, &HEADER_IND9, &mut msgs),
            Some((h, cols)) => {
                for r in (h + 1)..=*s.rows().end() {
                    let board = raw(s.get(r, cols[0]));
                    if s.blank(r, &cols[1..]) {
                        continue;
                    }
                    for (i, e) in eth.iter().enumerate() {
                        push(
                            RawValue::Text("9".into()),
                            RawValue::Text("members".into()),
                            RawValue::Empty,
                            board.clone(),
                            e,
                            raw(s.get(r, cols[1 + i])),
                            s.loc(r, cols[1 + i]),
                            CodeLocations {
                                category: Some(s.loc(r, cols[0])),
                                ..Default::default()
                            },
                        );
                    }
                }
            }
        }
    }

    if msgs.iter().any(Message::is_error) {
        records.clear();
    } else if records.iter().all(|r| r.value.is_empty()) {
        msgs.push(Message::error(
            "E_EMPTY_FILE",
            display,
            "The workbook has no figures filled in. Fill in the white cells and send it again.",
        ));
        records.clear();
    }
    (records, msgs)
}

#[cfg(test)]
mod tests {
    use super::cell_ref;

    #[test]
    fn cell_refs() {
        assert_eq!(cell_ref(0, 0), "A1");
        assert_eq!(cell_ref(6, 1), "B7");
        assert_eq!(cell_ref(0, 25), "Z1");
        assert_eq!(cell_ref(0, 26), "AA1");
        assert_eq!(cell_ref(9, 701), "ZZ10");
    }
}
