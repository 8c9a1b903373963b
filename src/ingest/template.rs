//! Writes the Excel return workbook (`wresbench template`), blank or filled.
//!
//! The reader in [`super::xlsx`] finds rows by the labels written here, so the
//! two stay in step through the shared constants.

use std::collections::HashMap;
use std::path::Path;

use rust_xlsxwriter::{
    DataValidation, DataValidationRule, DocProperties, ExcelDateTime, Format, FormatBorder,
    Workbook, Worksheet, XlsxError,
};

use super::sheets::{
    ABOUT_ORG_CODE, ABOUT_ORG_NAME, ABOUT_YEAR, DATA_SHEETS, DataSheet, LabelCell, SHEET_ABOUT,
    ValueCol,
};
use super::{Error, Result, Row};
use crate::model::{Category, Ethnicity, Measure, StaffGroup};
use crate::register::Organisation;

/// Fixed creation time, so the same inputs give byte-identical workbooks.
pub fn fixed_properties() -> std::result::Result<DocProperties, XlsxError> {
    let when = ExcelDateTime::from_ymd(2015, 4, 1)?;
    Ok(DocProperties::new()
        .set_title("WRES return")
        .set_author("wresbench")
        .set_creation_datetime(&when))
}

/// A workbook with `title` in its fixed properties, compressed at zip level 1:
/// at the default level 6 deflate took an eighth of the export's CPU time
/// (perf, the demo decade); level 1 makes the files a third larger (the 205
/// trust workbooks of the decade: 14.4 MB at level 6, 19.2 MB at level 1;
/// about 94 KB each), which mail and SharePoint take in their stride.
pub fn new_workbook(title: impl Into<String>) -> std::result::Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    wb.set_zip_compression_level(1);
    wb.set_properties(&fixed_properties()?.set_title(title));
    Ok(wb)
}

type Values = HashMap<(u8, Measure, Option<StaffGroup>, Option<Category>, Ethnicity), f64>;

/// The return workbook for one organisation and year; `rows` fills it in
/// (pass none for the blank template).
pub fn return_workbook(
    org: &Organisation,
    year: i32,
    rows: &[Row],
) -> std::result::Result<Vec<u8>, XlsxError> {
    let values: Values = rows
        .iter()
        .map(|r| {
            (
                (
                    r.indicator.number(),
                    r.measure,
                    r.staff_group,
                    r.category,
                    r.ethnicity,
                ),
                r.value,
            )
        })
        .collect();

    let mut wb = new_workbook("WRES return")?;
    let bold = Format::new()
        .set_bold()
        .set_border_bottom(FormatBorder::Thin);
    let input = Format::new()
        .set_unlocked()
        .set_background_color(0xFFFFFF)
        .set_border(FormatBorder::Thin);
    let input_pct = input.clone().set_num_format("0.0");
    let whole = DataValidation::new()
        .allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(0))
        .set_error_message(
            "Enter a whole number of people, 0 or more. Leave the cell empty if not supplied.",
        )?;
    let pct = DataValidation::new()
        .allow_decimal_number(DataValidationRule::Between(0.0, 100.0))
        .set_error_message("Enter a percentage between 0 and 100 (24.0 for 24%).")?;

    about_sheet(wb.add_worksheet(), org, year, &bold)?;
    instructions_sheet(wb.add_worksheet())?;

    let formats = Formats {
        bold,
        input,
        input_pct,
        whole,
        pct,
    };
    for layout in &DATA_SHEETS {
        data_sheet(wb.add_worksheet(), layout, &values, &formats)?;
    }
    wb.save_to_buffer()
}

/// About: the organisation and year, each beside its label in column A
/// (the reader finds them by these labels).
fn about_sheet(
    ws: &mut Worksheet,
    org: &Organisation,
    year: i32,
    bold: &Format,
) -> std::result::Result<(), XlsxError> {
    ws.set_name(SHEET_ABOUT)?;
    ws.set_column_width(0, 22)?;
    ws.set_column_width(1, 60)?;
    ws.write_string_with_format(0, 0, ABOUT_ORG_CODE, bold)?;
    ws.write_string(0, 1, &org.org_code)?;
    ws.write_string_with_format(1, 0, ABOUT_ORG_NAME, bold)?;
    ws.write_string(1, 1, &org.org_name)?;
    ws.write_string_with_format(2, 0, ABOUT_YEAR, bold)?;
    ws.write_number(2, 1, year)?;
    ws.write_string(
        4,
        0,
        "Data as at 31 March of the reporting year; activity in the twelve months to that date.",
    )?;
    ws.protect();
    Ok(())
}

/// Instructions: how to fill the workbook in, one line per row.
fn instructions_sheet(ws: &mut Worksheet) -> std::result::Result<(), XlsxError> {
    ws.set_name("Instructions")?;
    ws.set_column_width(0, 110)?;
    let lines = [
        "How to fill in this WRES return",
        "",
        "1. Fill in the white cells only; everything else is locked.",
        "2. Counts are headcounts of people: whole numbers, 0 or more. Percentages are 0 to 100.",
        "3. Leave a cell EMPTY if you do not have the figure. An empty cell means \"not supplied\"; 0 means none.",
        "4. Indicator 1: one row per staff group and band or grade. \"Of which senior medical manager\" is part of Consultant.",
        "5. Indicators 2-4: shortlisted and appointed, workforce and disciplinary entries, workforce and non-mandatory training.",
        "6. Indicators 5-8 (staff survey) are usually supplied nationally; fill them only if asked.",
        "7. Indicator 9: board members at 31 March. Voting and executive members are also counted in the total.",
        "8. Do not rename sheets or change the labels in the first columns: rows are found by their labels.",
        "9. Check the file before sending it: wresbench validate FILE.xlsx",
    ];
    for (i, l) in lines.iter().enumerate() {
        if i == 0 {
            ws.write_string_with_format(
                i as u32,
                0,
                *l,
                &Format::new().set_bold().set_font_size(14),
            )?;
        } else {
            ws.write_string(i as u32, 0, *l)?;
        }
    }
    ws.protect();
    Ok(())
}

/// The formats and validations the data sheets share.
struct Formats {
    bold: Format,
    input: Format,
    input_pct: Format,
    whole: DataValidation,
    pct: DataValidation,
}

/// One data sheet, walking its layout (sheets.rs): header, the template's
/// rows with their labels and values, a validation per run of count or
/// percentage columns, then locked but for the white cells.
fn data_sheet(
    ws: &mut Worksheet,
    layout: &DataSheet,
    values: &Values,
    f: &Formats,
) -> std::result::Result<(), XlsxError> {
    ws.set_name(layout.name)?;
    for (c, w) in layout.widths {
        ws.set_column_width(*c, *w)?;
    }
    for (c, h) in layout.header().iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &f.bold)?;
    }
    let first_value = layout.labels.len() as u16;
    let rows = layout.template_rows();
    for (i, row) in rows.iter().enumerate() {
        let r = 1 + i as u32;
        for (c, label) in row.labels.iter().enumerate() {
            match label {
                LabelCell::Text(t) => ws.write_string(r, c as u16, *t)?,
                LabelCell::Number(n) => ws.write_number(r, c as u16, *n)?,
            };
        }
        for (j, col) in layout.values.iter().enumerate() {
            let measure = layout.measure_of(col, row.measure);
            let key = measure.map(|m| {
                (
                    row.indicator,
                    m,
                    row.staff_group,
                    row.category,
                    col.ethnicity,
                )
            });
            let fmt = if measure == Some(Measure::Percent) {
                &f.input_pct
            } else {
                &f.input
            };
            let c = first_value + j as u16;
            match key.and_then(|k| values.get(&k)) {
                Some(v) => ws.write_number_with_format(r, c, *v, fmt)?,
                None => ws.write_blank(r, c, fmt)?,
            };
        }
    }
    // One validation per run of value columns of the same kind.
    let last_row = rows.len() as u32;
    let percent = |c: &ValueCol| c.measure == Some(Measure::Percent);
    let mut first = first_value;
    for run in layout.values.chunk_by(|a, b| percent(a) == percent(b)) {
        let rule = if percent(&run[0]) { &f.pct } else { &f.whole };
        let last = first + run.len() as u16 - 1;
        ws.add_data_validation(1, first, last_row, last, rule)?;
        first = last + 1;
    }
    if layout.freeze_header {
        ws.set_freeze_panes(1, 0)?;
    }
    ws.protect();
    Ok(())
}

/// `wresbench template`: writes the blank workbook for `org` and `year` to `out`.
pub fn write_template(org: &Organisation, year: i32, out: &Path) -> Result<()> {
    let bytes = return_workbook(org, year, &[]).map_err(|source| Error::Xlsx {
        path: out.to_path_buf(),
        source,
    })?;
    std::fs::write(out, bytes).map_err(|source| Error::Io {
        path: out.to_path_buf(),
        source,
    })
}
