//! `generate --faults`: returns broken on purpose, each in one way validation
//! must catch, listed in `faults.csv` with the code it must give.

use std::collections::BTreeMap;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::sampling::seed_for;
use crate::ingest::Row;
use crate::ingest::validate::{SUBSET_RULES, SubsetRule};
use crate::model::{Ethnicity, Measure};

/// One way to break a return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// A subset rule broken: the part made larger than the whole (BME rows).
    Subset(&'static str),
    CountNegative,
    CountFractional,
    UnknownOrg,
    YearOutOfRange,
    /// The faults below exist only as text, so only in CSV files.
    NotANumber,
    DuplicateKey,
    UnknownCategory,
    UnknownEthnicity,
    UnknownMeasure,
    UnknownColumn,
    NotUtf8,
    /// A second file for the same return with one figure changed.
    DuplicateSection,
}

impl Fault {
    /// Every fault, in the order `--faults` plants them in turn: one per
    /// subset rule code, then the rest.
    pub fn all() -> Vec<Fault> {
        let mut codes: Vec<&'static str> = SUBSET_RULES.iter().map(|r| r.code).collect();
        codes.dedup();
        let mut all: Vec<Fault> = codes.into_iter().map(Fault::Subset).collect();
        all.extend([
            Fault::CountNegative,
            Fault::CountFractional,
            Fault::DuplicateKey,
            Fault::UnknownOrg,
            Fault::YearOutOfRange,
            Fault::NotANumber,
            Fault::UnknownCategory,
            Fault::UnknownEthnicity,
            Fault::UnknownMeasure,
            Fault::UnknownColumn,
            Fault::NotUtf8,
            Fault::DuplicateSection,
        ]);
        all
    }

    /// The code validation must give.
    pub fn code(self) -> &'static str {
        match self {
            Fault::Subset(code) => code,
            Fault::CountNegative => "E_COUNT_NEGATIVE",
            Fault::CountFractional => "E_COUNT_FRACTIONAL",
            Fault::UnknownOrg => "E_UNKNOWN_ORG",
            Fault::YearOutOfRange => "E_YEAR_OUT_OF_RANGE",
            Fault::NotANumber => "E_NOT_A_NUMBER",
            Fault::DuplicateKey => "E_DUPLICATE_KEY",
            Fault::UnknownCategory => "E_UNKNOWN_CATEGORY",
            Fault::UnknownEthnicity => "E_UNKNOWN_ETHNICITY",
            Fault::UnknownMeasure => "E_UNKNOWN_MEASURE",
            Fault::UnknownColumn => "E_UNKNOWN_COLUMN",
            Fault::NotUtf8 => "E_NOT_UTF8",
            Fault::DuplicateSection => "E_DUPLICATE_SECTION",
        }
    }

    /// Planted in the text of a CSV file, so never in a workbook.
    pub fn csv_only(self) -> bool {
        matches!(
            self,
            Fault::NotANumber
                | Fault::DuplicateKey
                | Fault::UnknownCategory
                | Fault::UnknownEthnicity
                | Fault::UnknownMeasure
                | Fault::UnknownColumn
                | Fault::NotUtf8
        )
    }

    /// Breaks the rows (and the return's year or organisation) before they are written.
    pub fn plant_in_rows(self, rows: &mut [Row], year: &mut i32, org: &mut String) {
        match self {
            Fault::Subset(code) => {
                if let Some(rule) = SUBSET_RULES.iter().find(|r| r.code == code) {
                    break_subset(rule, rows);
                }
            }
            Fault::CountNegative => rows[0].value = -4.0,
            Fault::CountFractional => rows[0].value = 12.5,
            Fault::UnknownOrg => {
                *org = "ZZZ99".into();
                for r in rows.iter_mut() {
                    r.org_code = org.clone();
                }
            }
            Fault::YearOutOfRange => {
                *year = 2009;
                for r in rows.iter_mut() {
                    r.year = 2009;
                }
            }
            _ => {}
        }
    }

    /// Breaks the text of a CSV file.
    pub fn plant_in_text(self, bytes: Vec<u8>) -> Vec<u8> {
        let text = String::from_utf8_lossy(&bytes);
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        match self {
            Fault::NotANumber => edit_field(&mut lines, 7, "twelve"),
            Fault::UnknownCategory => edit_field(&mut lines, 5, "band_10"),
            Fault::UnknownEthnicity => edit_field(&mut lines, 6, "asian"),
            Fault::UnknownMeasure => edit_field(&mut lines, 3, "fte"),
            Fault::DuplicateKey => {
                if let Some(l) = lines.get(2).cloned() {
                    let mut f: Vec<String> = l.split(',').map(str::to_string).collect();
                    if let Some(v) = f.last_mut()
                        && let Ok(n) = v.parse::<f64>()
                    {
                        *v = crate::fmt::plain_number(n + 1.0);
                    }
                    lines.push(f.join(","));
                }
            }
            Fault::UnknownColumn => {
                for (i, l) in lines.iter_mut().enumerate() {
                    l.push_str(if i == 0 { ",comment" } else { "," });
                }
            }
            _ => {}
        }
        let mut out = lines.join("\n").into_bytes();
        out.push(b'\n');
        if self == Fault::NotUtf8 {
            // A Latin-1 byte, as a spreadsheet saved in the wrong encoding leaves.
            out.extend_from_slice(b"note,\xE9\n");
        }
        out
    }
}

/// The part of `rule` made 3 more than its whole, in the BME rows.
fn break_subset(rule: &SubsetRule, rows: &mut [Row]) {
    let find = |rows: &[Row], m: Measure, c| {
        rows.iter().position(|r| {
            r.indicator.number() == rule.indicator
                && r.staff_group == rule.staff_group
                && r.measure == m
                && r.category == c
                && r.ethnicity == Ethnicity::Bme
        })
    };
    let whole = find(rows, rule.whole.measure, rule.whole.category);
    let part = find(rows, rule.part.measure, rule.part.category);
    if let (Some(w), Some(p)) = (whole, part) {
        rows[p].value = rows[w].value + 3.0;
    }
}

/// Field `col` of the second data line (`org,year,indicator,measure,sg,cat,eth,value`).
fn edit_field(lines: &mut [String], col: usize, v: &str) {
    if let Some(l) = lines.get_mut(2) {
        let mut f: Vec<String> = l.split(',').map(str::to_string).collect();
        if col < f.len() {
            f[col] = v.to_string();
        }
        *l = f.join(",");
    }
}

/// Which of `n_returns` returns get which fault: `share` of them, spread with
/// a seeded choice, the faults taken in turn.
pub(super) fn plan(share: f64, n_returns: usize, seed: u64) -> BTreeMap<usize, Fault> {
    let n_faults = ((share * n_returns as f64).round() as usize).min(n_returns);
    let all = Fault::all();
    let mut at = BTreeMap::new();
    let mut rng = ChaCha8Rng::seed_from_u64(seed_for(seed, "faults", 0, 9));
    let mut i = 0;
    while at.len() < n_faults {
        let idx = rng.random_range(0..n_returns);
        if let std::collections::btree_map::Entry::Vacant(e) = at.entry(idx) {
            e.insert(all[i % all.len()]);
            i += 1;
        }
    }
    at
}

/// A fault planted in a return, and the code validation must give for it
/// (a row of `faults.csv`).
#[derive(Debug, Clone, Serialize)]
pub struct Planted {
    pub file: String,
    pub org_code: String,
    pub year: i32,
    pub section: String,
    pub expected_code: String,
}
