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

use super::xlsx::*;
use super::{Error, Result, Row};
use crate::model::{
    BANDS, BOARD, Category, Ethnicity, Indicator, MEDICAL_GRADES, Measure, StaffGroup,
};
use crate::register::Organisation;

/// Fixed creation time, so the same inputs give byte-identical workbooks.
pub fn fixed_properties() -> std::result::Result<DocProperties, XlsxError> {
    let when = ExcelDateTime::from_ymd(2015, 4, 1)?;
    Ok(DocProperties::new()
        .set_title("WRES return")
        .set_author("wresbench")
        .set_creation_datetime(&when))
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
    let has_survey = rows
        .iter()
        .any(|r| r.indicator.number() >= 5 && r.indicator.number() <= 8);

    let mut wb = Workbook::new();
    wb.set_properties(&fixed_properties()?);
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

    // About
    let ws = wb.add_worksheet();
    ws.set_name(SHEET_ABOUT)?;
    ws.set_column_width(0, 22)?;
    ws.set_column_width(1, 60)?;
    ws.write_string_with_format(0, 0, ABOUT_ORG_CODE, &bold)?;
    ws.write_string(0, 1, &org.org_code)?;
    ws.write_string_with_format(1, 0, ABOUT_ORG_NAME, &bold)?;
    ws.write_string(1, 1, &org.org_name)?;
    ws.write_string_with_format(2, 0, ABOUT_YEAR, &bold)?;
    ws.write_number(2, 1, year)?;
    ws.write_string(
        4,
        0,
        "Data as at 31 March of the reporting year; activity in the twelve months to that date.",
    )?;
    ws.protect();

    // Instructions
    let ws = wb.add_worksheet();
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

    let eth = [Ethnicity::White, Ethnicity::Bme, Ethnicity::Unknown];
    let put = |ws: &mut Worksheet,
               r: u32,
               c: u16,
               v: Option<f64>,
               fmt: &Format|
     -> std::result::Result<(), XlsxError> {
        match v {
            Some(v) => ws.write_number_with_format(r, c, v, fmt).map(|_| ()),
            None => ws.write_blank(r, c, fmt).map(|_| ()),
        }
    };

    // Indicator 1
    let ws = wb.add_worksheet();
    ws.set_name(SHEET_IND1)?;
    ws.set_column_width(0, 24)?;
    ws.set_column_width(1, 34)?;
    for (c, h) in HEADER_IND1.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    let mut r = 1u32;
    for sg in StaffGroup::ALL {
        let cats = match sg {
            StaffGroup::Medical => MEDICAL_GRADES,
            _ => BANDS,
        };
        for cat in cats {
            ws.write_string(r, 0, sg.label())?;
            ws.write_string(r, 1, cat.label())?;
            for (i, e) in eth.iter().enumerate() {
                let v = values
                    .get(&(1, Measure::Headcount, Some(*sg), Some(*cat), *e))
                    .copied();
                put(ws, r, 2 + i as u16, v, &input)?;
            }
            r += 1;
        }
    }
    ws.add_data_validation(1, 2, r - 1, 4, &whole)?;
    ws.set_freeze_panes(1, 0)?;
    ws.protect();

    // Indicators 2-4
    let ws = wb.add_worksheet();
    ws.set_name(SHEET_IND2_4)?;
    ws.set_column_width(0, 10)?;
    ws.set_column_width(1, 42)?;
    for (c, h) in HEADER_IND2_4.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    let mut r = 1u32;
    for n in [2u8, 3, 4] {
        let Some(ind) = Indicator::new(n) else {
            continue;
        };
        for m in ind.measures() {
            ws.write_number(r, 0, n)?;
            ws.write_string(r, 1, m.label())?;
            for (i, e) in eth.iter().enumerate() {
                let v = values.get(&(n, *m, None, None, *e)).copied();
                put(ws, r, 2 + i as u16, v, &input)?;
            }
            r += 1;
        }
    }
    ws.add_data_validation(1, 2, r - 1, 4, &whole)?;
    ws.set_freeze_panes(1, 0)?;
    ws.protect();

    // Indicators 5-8 (optional; written filled when survey rows are given, blank otherwise)
    let ws = wb.add_worksheet();
    ws.set_name(SHEET_IND5_8)?;
    ws.set_column_width(0, 10)?;
    for c in 1..=4 {
        ws.set_column_width(c, 16)?;
    }
    for (c, h) in HEADER_IND5_8.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, n) in (5u8..=8).enumerate() {
        let r = 1 + i as u32;
        ws.write_number(r, 0, n)?;
        let get = |m: Measure, e: Ethnicity| {
            if has_survey {
                values.get(&(n, m, None, None, e)).copied()
            } else {
                None
            }
        };
        put(
            ws,
            r,
            1,
            get(Measure::Percent, Ethnicity::White),
            &input_pct,
        )?;
        put(ws, r, 2, get(Measure::Percent, Ethnicity::Bme), &input_pct)?;
        put(ws, r, 3, get(Measure::Responses, Ethnicity::White), &input)?;
        put(ws, r, 4, get(Measure::Responses, Ethnicity::Bme), &input)?;
    }
    ws.add_data_validation(1, 1, 4, 2, &pct)?;
    ws.add_data_validation(1, 3, 4, 4, &whole)?;
    ws.protect();

    // Indicator 9
    let ws = wb.add_worksheet();
    ws.set_name(SHEET_IND9)?;
    ws.set_column_width(0, 28)?;
    for (c, h) in HEADER_IND9.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, cat) in BOARD.iter().enumerate() {
        let r = 1 + i as u32;
        ws.write_string(r, 0, cat.label())?;
        for (j, e) in eth.iter().enumerate() {
            let v = values
                .get(&(9, Measure::Members, None, Some(*cat), *e))
                .copied();
            put(ws, r, 1 + j as u16, v, &input)?;
        }
    }
    ws.add_data_validation(1, 1, BOARD.len() as u32, 3, &whole)?;
    ws.protect();

    wb.save_to_buffer()
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
