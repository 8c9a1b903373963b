//! The Excel return workbook (spec/returns.md, "Encoding 2"), read with calamine.
//!
//! Rows are found by their labels, never by position, so a row a trust inserts
//! by hand does not shift data. An empty cell is "not supplied", never 0;
//! whole-number floats become integers; error cells are reported with their cell.
//!
//! Sheets are read cell by cell into a sparse grid, never as the rectangle a
//! sheet declares: one stray cell at `XFD1048576` would otherwise ask for half
//! a terabyte. What one workbook may cost is capped ([`MAX_CELLS_PER_SHEET`],
//! [`MAX_UNPACKED_BYTES`]); a workbook over a cap is rejected with its name.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::{Cursor, Read, Seek};

use calamine::{Data, DataRef, Dimensions, Reader, Sheets, Xlsx};

use super::sheets::{ABOUT_ORG_CODE, ABOUT_YEAR, DATA_SHEETS, DataSheet, Label, SHEET_ABOUT};
use super::{CodeLocations, Message, RawRecord, RawValue};
use crate::model::Measure;

/// Cell records one sheet may hold. The return workbook has a few hundred;
/// a sheet over this is not a return, and reading on would only cost memory.
pub const MAX_CELLS_PER_SHEET: usize = 20_000;
/// Bytes the parts of one workbook may unpack to (as its zip directory
/// declares them). The template unpacks to well under 1 MB; a zip bomb
/// declares gigabytes.
pub const MAX_UNPACKED_BYTES: u64 = 50 * 1024 * 1024;
/// Parts one workbook may hold.
const MAX_ZIP_ENTRIES: usize = 1_000;

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

/// True for an Excel number format that shows a value as a percentage
/// (`0%`, `0.0%`, `#,##0.00%`): a `%` outside quoted text and escapes.
pub fn is_percent_format(code: &str) -> bool {
    let mut quoted = false;
    let mut escaped = false;
    for ch in code.chars() {
        match ch {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            '%' if !quoted => return true,
            _ => {}
        }
    }
    false
}

/// One sheet as read: the cells that hold something, and what Excel says
/// about them besides their value.
#[derive(Debug, Default)]
struct Grid {
    cells: BTreeMap<(u32, u32), Data>,
    /// Cells with a percentage number format.
    percent: HashSet<(u32, u32)>,
    /// Cells holding a formula but no saved result (a program that writes
    /// formulas without calculating them); read as blank they would be lost.
    formula_no_value: BTreeMap<(u32, u32), String>,
    merges: Vec<Dimensions>,
}

/// Why a sheet could not be read.
enum GridError {
    TooLarge,
    Read(String),
}

impl From<calamine::XlsxError> for GridError {
    fn from(e: calamine::XlsxError) -> Self {
        GridError::Read(e.to_string())
    }
}

fn read_grid<RS: Read + Seek>(wb: &mut Xlsx<RS>, sheet: &str) -> Result<Grid, GridError> {
    let mut grid = Grid::default();
    {
        let mut cells = wb.worksheet_cells_reader(sheet)?;
        let percent_styles: Vec<bool> = cells
            .styles()
            .iter()
            .map(|s| {
                s.number_format
                    .as_ref()
                    .is_some_and(|f| is_percent_format(&f.format_code))
            })
            .collect();
        let mut n = 0usize;
        while let Some((cell, style)) = cells.next_cell_with_style_id()? {
            n += 1;
            if n > MAX_CELLS_PER_SHEET {
                return Err(GridError::TooLarge);
            }
            let pos = cell.get_position();
            if percent_styles.get(style).copied().unwrap_or(false) {
                grid.percent.insert(pos);
            }
            let value = Data::from(cell.get_value().clone());
            if value != Data::Empty {
                grid.cells.insert(pos, value);
            }
        }
    }
    {
        let mut cells = wb.worksheet_cells_reader(sheet)?;
        let mut n = 0usize;
        while let Some(rec) = cells.next_cell_with_formula()? {
            n += 1;
            if n > MAX_CELLS_PER_SHEET {
                return Err(GridError::TooLarge);
            }
            if let Some(f) = rec.formula.filter(|f| !f.trim().is_empty())
                && matches!(rec.value, DataRef::Empty)
            {
                grid.formula_no_value.insert(rec.pos, f);
            }
        }
    }
    grid.merges = wb.merge_cells_by_sheet_name(sheet)?;
    if grid.merges.len() > MAX_CELLS_PER_SHEET {
        return Err(GridError::TooLarge);
    }
    Ok(grid)
}

/// Checks the zip directory before anything is unpacked: the sizes it
/// declares are what the reader would allocate.
fn check_zip(display: &str, bytes: &[u8]) -> Option<Message> {
    let zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?; // not a zip: calamine says so
    let too_big = |what: String| {
        Some(Message::error(
            "E_TOO_LARGE",
            display,
            format!(
                "The workbook is far larger than a WRES return ({what}), so it was not read. Send the return workbook made by `wresbench template`."
            ),
        ))
    };
    if zip.len() > MAX_ZIP_ENTRIES {
        return too_big(format!("{} parts", crate::fmt::count(zip.len() as f64)));
    }
    let mut zip = zip;
    let mut unpacked: u64 = 0;
    for i in 0..zip.len() {
        // The central directory's sizes, also for parts written with a data
        // descriptor (the directory is written last, with the final sizes).
        let size = zip.by_index_raw(i).map(|f| f.size()).unwrap_or(u64::MAX);
        unpacked = unpacked.saturating_add(size);
    }
    if unpacked > MAX_UNPACKED_BYTES {
        return too_big(format!(
            "it unpacks to {} MB",
            crate::fmt::count((unpacked / (1024 * 1024)) as f64)
        ));
    }
    None
}

/// A sheet with absolute cell addressing.
struct Sheet<'a> {
    file: &'a str,
    name: &'a str,
    grid: Grid,
}

impl Sheet<'_> {
    fn get(&self, row: u32, col: u32) -> Option<&Data> {
        self.grid.cells.get(&(row, col))
    }
    fn text(&self, row: u32, col: u32) -> String {
        raw(self.get(row, col)).as_text()
    }
    fn loc(&self, row: u32, col: u32) -> String {
        format!("{}!{}!{}", self.file, self.name, cell_ref(row, col))
    }
    /// The rows that hold something, in order.
    fn rows(&self) -> Vec<u32> {
        let set: BTreeSet<u32> = self.grid.cells.keys().map(|&(r, _)| r).collect();
        set.into_iter().collect()
    }
    fn rows_after(&self, header: u32) -> Vec<u32> {
        self.rows().into_iter().filter(|&r| r > header).collect()
    }
    fn cols_of(&self, row: u32) -> Vec<u32> {
        self.grid
            .cells
            .range((row, 0)..=(row, u32::MAX))
            .map(|(&(_, c), _)| c)
            .collect()
    }
    /// True when every value cell of the row is empty: nothing is supplied,
    /// whatever the label cells say (a note typed above the data, say).
    fn blank(&self, row: u32, value_cols: &[u32]) -> bool {
        value_cols.iter().all(|&c| {
            raw(self.get(row, c)).is_empty() && !self.grid.formula_no_value.contains_key(&(row, c))
        })
    }

    /// Finds the header row: the first row whose cells include every name of
    /// `header`; returns the row and the column of each name.
    fn find_header(&self, header: &[&str]) -> Option<(u32, Vec<u32>)> {
        for r in self.rows() {
            let row_cols = self.cols_of(r);
            let mut cols = Vec::with_capacity(header.len());
            for h in header {
                match row_cols
                    .iter()
                    .copied()
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

    /// A value cell as read: a percentage-formatted number in a percentage
    /// column is Excel's fraction (24% is stored 0.24), so it is scaled to
    /// the 0-100 the return uses, with a warning naming the cell.
    fn value(&self, row: u32, col: u32, percent_column: bool, msgs: &mut Vec<Message>) -> RawValue {
        if let Some(f) = self.grid.formula_no_value.get(&(row, col)) {
            msgs.push(Message::error(
                "E_FORMULA_NO_VALUE",
                self.loc(row, col),
                format!("The cell holds the formula ={f} but no saved result (the program that wrote the file did not calculate it). Open the workbook in Excel, let it calculate, save, and send it again; or type the number itself."),
            ));
            return RawValue::Empty;
        }
        let v = raw(self.get(row, col));
        match v {
            RawValue::Number(x) if percent_column && self.grid.percent.contains(&(row, col)) => {
                // Excel keeps 15 significant digits: 0.07 x 100 is 7, not 7.000000000000001.
                let pct = (x * 100.0 * 1e9).round() / 1e9;
                msgs.push(Message::warning(
                    "W_PERCENT_FORMATTED",
                    self.loc(row, col),
                    format!(
                        "The cell is formatted as a percentage in Excel, which stores {}% as {}; it is read as {}.",
                        crate::fmt::plain_number(pct),
                        crate::fmt::plain_number(x),
                        crate::fmt::plain_number(pct)
                    ),
                ));
                RawValue::Number(pct)
            }
            v => v,
        }
    }

    /// A row label: a label cell left empty because it lies inside merged
    /// cells is read from the merge's first cell (what Excel shows), with a
    /// warning naming the merge.
    fn label(&self, row: u32, col: u32, msgs: &mut Vec<Message>) -> RawValue {
        let v = raw(self.get(row, col));
        if !v.is_empty() {
            return v;
        }
        let merge = self
            .grid
            .merges
            .iter()
            .find(|d| d.start.0 <= row && row <= d.end.0 && d.start.1 <= col && col <= d.end.1);
        match merge {
            Some(d) if (row, col) != d.start => {
                let first = raw(self.get(d.start.0, d.start.1));
                msgs.push(Message::warning(
                    "W_MERGED_LABEL",
                    self.loc(row, col),
                    format!(
                        "The label cell is part of merged cells {}:{}, so Excel keeps its text only in {}; it is read as \"{}\". Unmerge the cells and type the label on every row to be sure.",
                        cell_ref(d.start.0, d.start.1),
                        cell_ref(d.end.0, d.end.1),
                        cell_ref(d.start.0, d.start.1),
                        first.as_text()
                    ),
                ));
                first
            }
            _ => v,
        }
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
    if let Some(m) = check_zip(display, bytes) {
        return (Vec::new(), vec![m]);
    }
    let mut wb = match calamine::open_workbook_auto_from_rs(Cursor::new(bytes)) {
        Ok(Sheets::Xlsx(wb)) => wb,
        Ok(_) => {
            msgs.push(Message::error(
                "E_NOT_WORKBOOK",
                display,
                "This is an older Excel (.xls, .xlsb) or OpenDocument workbook. Open it and save it as an Excel Workbook (.xlsx), then send it again.",
            ));
            return (Vec::new(), msgs);
        }
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
    let mut sheet = |want: &'static str, required: bool, msgs: &mut Vec<Message>| {
        read_sheet(&mut wb, &names, display, want, required, msgs)
    };

    let about = sheet(SHEET_ABOUT, true, &mut msgs);
    let data: Vec<(&DataSheet, Option<Grid>)> = DATA_SHEETS
        .iter()
        .map(|d| (d, sheet(d.name, d.required, &mut msgs)))
        .collect();
    if msgs.iter().any(|m| m.code == "E_TOO_LARGE") {
        return (Vec::new(), msgs);
    }
    let about = about.map(|grid| Sheet {
        file: display,
        name: SHEET_ABOUT,
        grid,
    });
    let (org, year) = read_about(about.as_ref(), display, &mut msgs);
    let mut records = Vec::new();
    for (layout, grid) in data {
        let Some(grid) = grid else { continue };
        let s = Sheet {
            file: display,
            name: layout.name,
            grid,
        };
        read_data_sheet(&s, layout, &org, &year, &mut records, &mut msgs);
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

/// The sheet named `want` (trimmed, any case) as a grid, or None with a
/// message: missing (an error when `required`), over the cell cap, unreadable.
fn read_sheet<RS: Read + Seek>(
    wb: &mut Xlsx<RS>,
    names: &[String],
    display: &str,
    want: &'static str,
    required: bool,
    msgs: &mut Vec<Message>,
) -> Option<Grid> {
    let Some(actual) = names.iter().find(|n| n.trim().eq_ignore_ascii_case(want)) else {
        if required {
            msgs.push(Message::error(
                "E_MISSING_SHEET",
                display,
                format!("The workbook has no sheet named \"{want}\". Use the workbook from `wresbench template` and keep its sheet names."),
            ));
        }
        return None;
    };
    match read_grid(wb, actual) {
        Ok(g) => Some(g),
        Err(GridError::TooLarge) => {
            msgs.push(Message::error(
                "E_TOO_LARGE",
                format!("{display}!{want}"),
                format!(
                    "The sheet has more than {} cells; a WRES return has a few hundred. Delete what lies outside the return's tables (or copy the figures into a new template) and send it again.",
                    crate::fmt::count(MAX_CELLS_PER_SHEET as f64)
                ),
            ));
            None
        }
        Err(GridError::Read(e)) => {
            msgs.push(Message::error(
                "E_NOT_WORKBOOK",
                format!("{display}!{want}"),
                format!("The sheet cannot be read ({e}). Save the workbook again as .xlsx."),
            ));
            None
        }
    }
}

/// A cell as read, and where it is.
type Located = (RawValue, String);

/// About: organisation code and year, found by their labels in column A.
fn read_about(about: Option<&Sheet>, display: &str, msgs: &mut Vec<Message>) -> (Located, Located) {
    let mut org = (RawValue::Empty, String::new());
    let mut year = (RawValue::Empty, String::new());
    let Some(s) = about else {
        return (org, year);
    };
    let mut found_org = false;
    let mut found_year = false;
    for r in s.rows() {
        let label = s.text(r, 0);
        if label.trim().eq_ignore_ascii_case(ABOUT_ORG_CODE) {
            org = (s.value(r, 1, false, msgs), s.loc(r, 1));
            found_org = true;
        } else if label.trim().eq_ignore_ascii_case(ABOUT_YEAR) {
            year = (s.value(r, 1, false, msgs), s.loc(r, 1));
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
    (org, year)
}

/// Every record of one data sheet, walking its layout: the header row found
/// by its names, then one record per value cell of each row that has any.
fn read_data_sheet(
    s: &Sheet,
    layout: &DataSheet,
    org: &Located,
    year: &Located,
    records: &mut Vec<RawRecord>,
    msgs: &mut Vec<Message>,
) {
    let header = layout.header();
    let Some((h, cols)) = s.find_header(&header) else {
        msgs.push(Message::error(
            "E_MISSING_HEADER",
            format!("{}!{}", s.file, layout.name),
            format!(
                "The sheet has no header row \"{}\". Restore it from the template.",
                header.join(" | ")
            ),
        ));
        return;
    };
    let (label_cols, value_cols) = cols.split_at(layout.labels.len());
    let fixed = |v: Option<String>| v.map_or(RawValue::Empty, RawValue::Text);
    for r in s.rows_after(h) {
        if s.blank(r, value_cols) {
            continue;
        }
        let mut base = RawRecord {
            org_code: org.0.clone(),
            year: year.0.clone(),
            indicator: fixed(layout.indicator.map(|n| n.to_string())),
            measure: RawValue::Empty,
            staff_group: RawValue::Empty,
            category: RawValue::Empty,
            ethnicity: RawValue::Empty,
            value: RawValue::Empty,
            location: String::new(),
            code_locations: CodeLocations {
                org_code: Some(org.1.clone()),
                year: Some(year.1.clone()),
                ..Default::default()
            },
        };
        let mut row_measure = None;
        for ((_, kind), &c) in layout.labels.iter().zip(label_cols) {
            let (value, at) = (s.label(r, c, msgs), Some(s.loc(r, c)));
            let cl = &mut base.code_locations;
            match kind {
                Label::StaffGroup => (base.staff_group, cl.staff_group) = (value, at),
                Label::Grade | Label::Board => (base.category, cl.category) = (value, at),
                Label::Indicator => (base.indicator, cl.indicator) = (value, at),
                Label::Measure => (row_measure, cl.measure) = (Some(value), at),
            }
        }
        for (col, &c) in layout.values.iter().zip(value_cols) {
            let measure = match (&row_measure, layout.measure_of(col, None)) {
                (Some(label), None) => label.clone(),
                (_, m) => fixed(m.map(|m| m.code().to_string())),
            };
            let percent = col.measure == Some(Measure::Percent);
            records.push(RawRecord {
                measure,
                ethnicity: RawValue::Text(col.ethnicity.code().to_string()),
                value: s.value(r, c, percent, msgs),
                location: s.loc(r, c),
                ..base.clone()
            });
        }
    }
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
