//! The return workbook's layout (spec/returns.md, "Encoding 2"): one table
//! that the reader ([`super::xlsx`]) and the writer ([`super::template`])
//! both walk, so a sheet, header or row the template writes is exactly what
//! the reader looks for.

use crate::model::{
    BANDS, BOARD, Category, Ethnicity, Indicator, MEDICAL_GRADES, Measure, StaffGroup,
};

pub const SHEET_ABOUT: &str = "About";
pub const ABOUT_ORG_CODE: &str = "Organisation code";
pub const ABOUT_ORG_NAME: &str = "Organisation name";
pub const ABOUT_YEAR: &str = "Reporting year";

/// What a row-label column of a data sheet holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    StaffGroup,
    Grade,
    Indicator,
    Measure,
    Board,
}

/// A value column: its header, and the measure and ethnicity of its cells
/// (`measure` None: the row's or the sheet's).
#[derive(Debug, Clone, Copy)]
pub struct ValueCol {
    pub header: &'static str,
    pub measure: Option<Measure>,
    pub ethnicity: Ethnicity,
}

/// One data sheet: row labels on the left, a value per ethnicity (and
/// measure) on the right, under one header row.
#[derive(Debug, Clone, Copy)]
pub struct DataSheet {
    pub name: &'static str,
    /// A workbook without it is rejected (indicators 5-8 are optional).
    pub required: bool,
    pub labels: &'static [(&'static str, Label)],
    pub values: &'static [ValueCol],
    /// The indicator of every row, when no column says it.
    pub indicator: Option<u8>,
    /// The measure of every cell, when no column says it.
    pub measure: Option<Measure>,
    /// The indicators of the sheet's rows, for an Indicator label column.
    pub indicators: &'static [u8],
    /// Column widths the template sets (display only).
    pub widths: &'static [(u16, f64)],
    /// The template freezes the header row.
    pub freeze_header: bool,
}

const fn v(header: &'static str, measure: Option<Measure>, ethnicity: Ethnicity) -> ValueCol {
    ValueCol {
        header,
        measure,
        ethnicity,
    }
}

const BY_ETHNICITY: &[ValueCol] = &[
    v("White", None, Ethnicity::White),
    v("BME", None, Ethnicity::Bme),
    v("Unknown", None, Ethnicity::Unknown),
];

/// The data sheets, in workbook order (after About and Instructions).
pub const DATA_SHEETS: [DataSheet; 4] = [
    DataSheet {
        name: "Indicator 1",
        required: true,
        labels: &[("Staff group", Label::StaffGroup), ("Grade", Label::Grade)],
        values: BY_ETHNICITY,
        indicator: Some(1),
        measure: Some(Measure::Headcount),
        indicators: &[1],
        widths: &[(0, 24.0), (1, 34.0)],
        freeze_header: true,
    },
    DataSheet {
        name: "Indicators 2-4",
        required: true,
        labels: &[("Indicator", Label::Indicator), ("Measure", Label::Measure)],
        values: BY_ETHNICITY,
        indicator: None,
        measure: None,
        indicators: &[2, 3, 4],
        widths: &[(0, 10.0), (1, 42.0)],
        freeze_header: true,
    },
    DataSheet {
        name: "Indicators 5-8",
        required: false,
        labels: &[("Indicator", Label::Indicator)],
        values: &[
            v("White %", Some(Measure::Percent), Ethnicity::White),
            v("BME %", Some(Measure::Percent), Ethnicity::Bme),
            v(
                "White responses",
                Some(Measure::Responses),
                Ethnicity::White,
            ),
            v("BME responses", Some(Measure::Responses), Ethnicity::Bme),
        ],
        indicator: None,
        measure: None,
        indicators: &[5, 6, 7, 8],
        widths: &[(0, 10.0), (1, 16.0), (2, 16.0), (3, 16.0), (4, 16.0)],
        freeze_header: false,
    },
    DataSheet {
        name: "Indicator 9",
        required: true,
        labels: &[("Board", Label::Board)],
        values: BY_ETHNICITY,
        indicator: Some(9),
        measure: Some(Measure::Members),
        indicators: &[9],
        widths: &[(0, 28.0)],
        freeze_header: false,
    },
];

/// A row-label cell as the template writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelCell {
    Text(&'static str),
    Number(u8),
}

/// A row of a data sheet as the template writes it: its label cells and the
/// key of its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRow {
    pub labels: Vec<LabelCell>,
    pub indicator: u8,
    pub measure: Option<Measure>,
    pub staff_group: Option<StaffGroup>,
    pub category: Option<Category>,
}

impl DataSheet {
    /// The header row: label headers, then value headers.
    pub fn header(&self) -> Vec<&'static str> {
        self.labels
            .iter()
            .map(|l| l.0)
            .chain(self.values.iter().map(|c| c.header))
            .collect()
    }

    /// The measure of a value cell in `col` of a row whose measure is `row`.
    pub fn measure_of(&self, col: &ValueCol, row: Option<Measure>) -> Option<Measure> {
        col.measure.or(row).or(self.measure)
    }

    /// Every row the template writes, in order.
    pub fn template_rows(&self) -> Vec<TemplateRow> {
        let kinds: Vec<Label> = self.labels.iter().map(|l| l.1).collect();
        let row = |labels, indicator, measure, staff_group, category| TemplateRow {
            labels,
            indicator,
            measure,
            staff_group,
            category,
        };
        let ind = self.indicator.unwrap_or(0);
        match kinds.as_slice() {
            [Label::StaffGroup, Label::Grade] => StaffGroup::ALL
                .iter()
                .flat_map(|sg| {
                    let cats = match sg {
                        StaffGroup::Medical => MEDICAL_GRADES,
                        _ => BANDS,
                    };
                    cats.iter().map(move |c| {
                        row(
                            vec![LabelCell::Text(sg.label()), LabelCell::Text(c.label())],
                            ind,
                            None,
                            Some(*sg),
                            Some(*c),
                        )
                    })
                })
                .collect(),
            [Label::Indicator, Label::Measure] => self
                .indicators
                .iter()
                .filter_map(|n| Indicator::new(*n))
                .flat_map(|i| {
                    i.measures().iter().map(move |m| {
                        row(
                            vec![LabelCell::Number(i.number()), LabelCell::Text(m.label())],
                            i.number(),
                            Some(*m),
                            None,
                            None,
                        )
                    })
                })
                .collect(),
            [Label::Indicator] => self
                .indicators
                .iter()
                .map(|n| row(vec![LabelCell::Number(*n)], *n, None, None, None))
                .collect(),
            [Label::Board] => BOARD
                .iter()
                .map(|c| row(vec![LabelCell::Text(c.label())], ind, None, None, Some(*c)))
                .collect(),
            // A new layout needs its rows spelled out here; the unit test
            // below walks every sheet, so this cannot ship unnoticed.
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sheet_has_template_rows_and_every_cell_a_measure() {
        for s in DATA_SHEETS {
            let rows = s.template_rows();
            assert!(!rows.is_empty(), "{} has no rows", s.name);
            for r in &rows {
                assert_eq!(r.labels.len(), s.labels.len(), "{}", s.name);
                for c in s.values {
                    assert!(s.measure_of(c, r.measure).is_some(), "{}", s.name);
                }
            }
        }
    }
}
