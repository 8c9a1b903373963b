//! Validation, per section of a return, exactly as spec/returns.md lists it.
//!
//! Codes are stable (tests and users' scripts depend on them); each message is
//! one sentence a trust's WRES lead can act on. All problems are collected:
//! validation never stops at the first.

use std::collections::BTreeMap;

// aHash: every row of every return is hashed twice here (SipHash was 7% of
// ingest's CPU); the keys are enums, nothing an input can choose.
use ahash::AHashMap as HashMap;

use super::csv::quote;
use super::{Message, RawRecord, RawValue, Row, SectionReturn, ValidateOptions};
use crate::model::{
    BOARD, Category, Ethnicity, FIRST_YEAR, Indicator, Measure, Section, StaffGroup,
};
use crate::register::Register;

/// Fewer BME people than this in a relative likelihood's denominator earns a warning.
pub const SMALL_DENOMINATOR: f64 = 10.0;
/// Survey groups with fewer responses than this are suppressed (default of `--min-responses`).
pub use crate::params::MIN_RESPONSES;
/// Workforce totals of indicators 1, 3 and 4 may differ by this fraction before a warning.
pub const WORKFORCE_TOLERANCE: f64 = 0.01;
/// Unknown ethnicity above this share of the workforce earns a warning.
pub const DECLARATION_LIMIT: f64 = 0.10;

/// Where a record belongs, as far as it could be read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Place {
    org: String,
    year: Option<i32>,
    section: Option<Section>,
}

type SectionKey = (String, i32, Section);

/// Turns raw records into validated sections. Returns the sections (sorted by
/// org, year, section) and any messages that belong to no section.
pub fn validate_records(
    display: &str,
    records: Vec<RawRecord>,
    register: &Register,
    opts: &ValidateOptions,
) -> (Vec<SectionReturn>, Vec<Message>) {
    let mut sections: BTreeMap<SectionKey, SectionReturn> = BTreeMap::new();
    let mut stray: Vec<(Place, Message)> = Vec::new();

    for rec in records {
        let Interpreted {
            place,
            row,
            messages: msgs,
        } = interpret(&rec);
        match (place.year, place.section) {
            (Some(year), Some(section)) if !place.org.is_empty() => {
                let s = sections
                    .entry((place.org.clone(), year, section))
                    .or_insert_with(|| SectionReturn {
                        org_code: place.org.clone(),
                        year,
                        section,
                        rows: Vec::new(),
                        messages: Vec::new(),
                    });
                s.messages.extend(msgs);
                if let Some(row) = row {
                    s.rows.push(row);
                }
            }
            _ => stray.extend(msgs.into_iter().map(|m| (place.clone(), m))),
        }
    }

    // A record that cannot be placed in a section could belong to any section of
    // its organisation (and year, when readable): accepting those sections without
    // it could lose data, so its problem rejects them too.
    let mut file_level = Vec::new();
    for (place, msg) in stray {
        let mut attached = false;
        for ((org, year, _), s) in sections.iter_mut() {
            if !place.org.is_empty() && *org == place.org && place.year.is_none_or(|y| y == *year) {
                s.messages.push(msg.clone());
                attached = true;
            }
        }
        if !attached {
            file_level.push(msg);
        }
    }

    // A section with nothing in it (an Excel sheet left blank) is not a
    // submission of that section: it must not supersede a real one.
    sections.retain(|_, s| !s.rows.is_empty() || !s.messages.is_empty());
    for s in sections.values_mut() {
        // The same problem at the same place twice (an Excel row label is read
        // once per ethnicity column) is folded by `ingest::consolidate`.
        check_section(display, s, register, opts);
    }
    (sections.into_values().collect(), file_level)
}

/// One record read as far as it goes: where it belongs, the row when every
/// field is valid, and a message for each field that is not.
struct Interpreted {
    place: Place,
    row: Option<Row>,
    messages: Vec<Message>,
}

/// A record's fields being read; each `read_*` reads one field and says
/// what is wrong with it at that field's own cell.
struct Reader<'a> {
    rec: &'a RawRecord,
    msgs: Vec<Message>,
}

/// A value cell: an empty cell is a value not supplied, not an error.
enum Value {
    NotSupplied,
    Invalid,
    Given(f64),
}

fn interpret(rec: &RawRecord) -> Interpreted {
    let mut r = Reader {
        rec,
        msgs: Vec::new(),
    };
    let org = r.read_org();
    let year = r.read_year();
    let indicator = r.read_indicator();
    let place = Place {
        org: org.clone(),
        year,
        section: indicator.map(Indicator::section),
    };
    let Some(ind) = indicator else {
        return Interpreted {
            place,
            row: None,
            messages: r.msgs,
        };
    };
    let measure = r.read_measure(ind);
    let staff_group = r.read_staff_group(ind);
    let category = r.read_category(ind, staff_group);
    let ethnicity = r.read_ethnicity(ind);
    let value = match measure {
        Some(m) => interpret_value(&rec.value, m, &rec.location, &mut r.msgs),
        None => Value::Invalid,
    };
    let row = match (year, measure, ethnicity, value) {
        (Some(year), Some(measure), Some(ethnicity), Value::Given(value))
            if !org.is_empty()
                && (ind.number() != 1 || (staff_group.is_some() && category.is_some()))
                && (ind.number() != 9 || category.is_some()) =>
        {
            Some(Row {
                org_code: org,
                year,
                indicator: ind,
                measure,
                staff_group,
                category,
                ethnicity,
                value,
                location: rec.location.clone(),
            })
        }
        _ => None,
    };
    Interpreted {
        place,
        row,
        messages: r.msgs,
    }
}

impl Reader<'_> {
    /// An error at `specific` (the field's own cell) or the record's place.
    fn error(&mut self, code: &'static str, specific: &Option<String>, text: String) {
        let at = specific
            .clone()
            .unwrap_or_else(|| self.rec.location.clone());
        self.msgs.push(Message::error(code, at, text));
    }

    fn read_org(&mut self) -> String {
        let org = self.rec.org_code.as_text().trim().to_ascii_uppercase();
        if org.is_empty() {
            self.error(
                "E_UNKNOWN_ORG",
                &self.rec.code_locations.org_code,
                "The organisation code is empty. Give the trust's ODS code, for example RV9."
                    .into(),
            );
        }
        org
    }

    fn read_year(&mut self) -> Option<i32> {
        let year = parse_whole(&self.rec.year).and_then(|y| i32::try_from(y).ok());
        if year.is_none() {
            self.error(
                "E_BAD_YEAR",
                &self.rec.code_locations.year,
                format!(
                    "The year {} is not a reporting year. Give the four-digit year, for example 2021 for data at 31 March 2021.",
                    quote(&self.rec.year.as_text())
                ),
            );
        }
        year
    }

    fn read_indicator(&mut self) -> Option<Indicator> {
        let text = self.rec.indicator.as_text();
        let indicator = Indicator::parse(&text);
        if indicator.is_none() {
            self.error(
                "E_UNKNOWN_INDICATOR",
                &self.rec.code_locations.indicator,
                format!(
                    "Unknown indicator {}. Indicators are numbered 1 to 9.",
                    quote(&text)
                ),
            );
        }
        indicator
    }

    fn read_measure(&mut self, ind: Indicator) -> Option<Measure> {
        let text = self.rec.measure.as_text();
        match Measure::parse(&text) {
            Some(m) if ind.measures().contains(&m) => Some(m),
            _ => {
                let allowed: Vec<&str> = ind.measures().iter().map(|m| m.code()).collect();
                self.error(
                    "E_UNKNOWN_MEASURE",
                    &self.rec.code_locations.measure,
                    format!(
                        "Unknown measure {} for indicator {ind}. Use {}.",
                        quote(&text),
                        allowed.join(" or ")
                    ),
                );
                None
            }
        }
    }

    /// Staff group: required for indicator 1, empty otherwise.
    fn read_staff_group(&mut self, ind: Indicator) -> Option<StaffGroup> {
        let text = self.rec.staff_group.as_text();
        let at = &self.rec.code_locations.staff_group;
        if ind.number() != 1 {
            if !self.rec.staff_group.is_empty() {
                self.error(
                    "E_UNKNOWN_STAFF_GROUP",
                    at,
                    format!(
                        "Indicator {ind} rows have no staff group, but this one says {}. Leave staff_group empty.",
                        quote(&text)
                    ),
                );
            }
            return None;
        }
        let sg = StaffGroup::parse(&text);
        if sg.is_none() {
            self.error(
                "E_UNKNOWN_STAFF_GROUP",
                at,
                format!(
                    "Unknown staff group {}. Indicator 1 rows need non_clinical, clinical or medical.",
                    quote(&text)
                ),
            );
        }
        sg
    }

    /// Category: a band or grade of the staff group for indicator 1, a board
    /// category for indicator 9, empty otherwise.
    fn read_category(
        &mut self,
        ind: Indicator,
        staff_group: Option<StaffGroup>,
    ) -> Option<Category> {
        let text = self.rec.category.as_text();
        let at = &self.rec.code_locations.category;
        let c = Category::parse(&text);
        let problem = match ind.number() {
            1 => match (c, staff_group) {
                (Some(c), Some(sg)) if sg.categories().contains(&c) => return Some(c),
                (_, None) => return None, // already reported
                (_, Some(sg)) => {
                    let allowed: Vec<&str> = sg.categories().iter().map(|c| c.code()).collect();
                    format!(
                        "Unknown grade {} for staff group {}. Use one of {}.",
                        quote(&text),
                        sg.code(),
                        allowed.join(", ")
                    )
                }
            },
            9 => match c {
                Some(c) if BOARD.contains(&c) => return Some(c),
                _ => format!(
                    "Unknown board category {}. Use total, voting or executive.",
                    quote(&text)
                ),
            },
            _ if self.rec.category.is_empty() => return None,
            _ => format!(
                "Indicator {ind} rows have no category, but this one says {}. Leave category empty.",
                quote(&text)
            ),
        };
        self.error("E_UNKNOWN_CATEGORY", at, problem);
        None
    }

    fn read_ethnicity(&mut self, ind: Indicator) -> Option<Ethnicity> {
        let text = self.rec.ethnicity.as_text();
        match Ethnicity::parse_lenient(&text) {
            Some(e) if ind.ethnicities().contains(&e) => Some(e),
            _ => {
                let allowed: Vec<&str> = ind.ethnicities().iter().map(|e| e.code()).collect();
                self.error(
                    "E_UNKNOWN_ETHNICITY",
                    &self.rec.code_locations.ethnicity,
                    format!(
                        "Unknown ethnicity {} for indicator {ind}. Use {}.",
                        quote(&text),
                        allowed.join(", ")
                    ),
                );
                None
            }
        }
    }
}

/// Words people type for "no figure" in a value cell.
const NONE_WORDS: [&str; 12] = [
    "n/a",
    "na",
    "-",
    "--",
    "none",
    "nil",
    "not applicable",
    "unknown",
    "*",
    "x",
    "tbc",
    "nk",
];

/// The value cell of a record of `measure`; a message for an invalid one.
fn interpret_value(
    raw: &RawValue,
    measure: Measure,
    location: &str,
    msgs: &mut Vec<Message>,
) -> Value {
    let n = match raw {
        RawValue::Empty => return Value::NotSupplied,
        RawValue::CellError(e) => {
            msgs.push(Message::error(
                "E_EXCEL_ERROR_CELL",
                location,
                format!("The cell holds the Excel error {e}. Type the number itself instead of a formula that fails."),
            ));
            return Value::Invalid;
        }
        RawValue::Number(n) => *n,
        RawValue::Text(t) => match parse_number_text(t, measure) {
            Ok(n) => n,
            Err(m) => {
                msgs.push(Message::error("E_NOT_A_NUMBER", location, m));
                return Value::Invalid;
            }
        },
    };
    match check_range(n, measure) {
        Ok(()) => Value::Given(n),
        Err((code, m)) => {
            msgs.push(Message::error(code, location, m));
            Value::Invalid
        }
    }
}

/// A number typed as text (`24%` for a percentage), or why it is not one.
fn parse_number_text(t: &str, measure: Measure) -> Result<f64, String> {
    let t2 = if measure == Measure::Percent {
        t.trim().trim_end_matches('%').trim()
    } else {
        t.trim()
    };
    if let Ok(n) = t2.parse::<f64>()
        && n.is_finite()
    {
        return Ok(n);
    }
    let hint = if t.contains(',') && t.replace(',', "").trim().parse::<f64>().is_ok() {
        " Write it without thousands separators (1062, not 1,062)."
    } else if NONE_WORDS.iter().any(|w| t.trim().eq_ignore_ascii_case(w)) {
        " If there is no figure to give, leave the cell empty; if there were none, type 0."
    } else {
        ""
    };
    Err(format!("The value {} is not a number.{hint}", quote(t)))
}

/// Counts are whole, not negative and not absurd; percentages are 0-100.
fn check_range(n: f64, measure: Measure) -> Result<(), (&'static str, String)> {
    // Formatted only for a message: this runs for every value of every return.
    let p = || crate::fmt::plain_number(n);
    if !measure.is_count() {
        return if (0.0..=100.0).contains(&n) {
            Ok(())
        } else {
            Err((
                "E_PERCENT_OUT_OF_RANGE",
                format!(
                    "The percentage {} is outside 0-100. Give it as a percentage (24.0 for 24%), not a fraction.",
                    p()
                ),
            ))
        };
    }
    if n < 0.0 {
        Err((
            "E_COUNT_NEGATIVE",
            format!(
                "The count {} is negative. Counts of people are 0 or more.",
                p()
            ),
        ))
    } else if n.fract() != 0.0 {
        Err((
            "E_COUNT_FRACTIONAL",
            format!(
                "The count {} is not a whole number. Give a headcount, not FTE.",
                p()
            ),
        ))
    } else if n > 10_000_000.0 {
        Err((
            "E_COUNT_TOO_LARGE",
            format!(
                "The count {} is larger than any trust's workforce. Check the value.",
                p()
            ),
        ))
    } else {
        Ok(())
    }
}

fn parse_whole(v: &RawValue) -> Option<i64> {
    match v {
        RawValue::Number(n) if n.fract() == 0.0 && n.is_finite() => Some(*n as i64),
        RawValue::Text(t) => {
            let t = t.trim();
            t.parse::<i64>()
                .ok()
                .or_else(|| t.strip_suffix(".0").and_then(|s| s.parse().ok()))
        }
        _ => None,
    }
}

/// A section's rows by key, for the rules that compare cells.
struct Cells<'a> {
    idx: HashMap<super::RowKey, &'a Row>,
}

impl<'a> Cells<'a> {
    fn new(rows: &'a [Row]) -> Self {
        Cells {
            idx: rows.iter().map(|r| (r.key(), r)).collect(),
        }
    }

    fn get(
        &self,
        ind: u8,
        m: Measure,
        sg: Option<StaffGroup>,
        c: Option<Category>,
        e: Ethnicity,
    ) -> Option<&'a Row> {
        Indicator::new(ind).and_then(|i| self.idx.get(&(i, m, sg, c, e)).copied())
    }
}

/// One cell of a return, as the subset rules name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    pub measure: Measure,
    pub category: Option<Category>,
}

/// How a subset rule's message reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Explain {
    /// Indicators 2-4: an activity counted among a group of people.
    Activity,
    /// Indicator 9: voting or executive members are part of the total.
    Board,
    /// Indicator 1: senior medical managers are an "of which" part of consultants.
    OfWhich,
}

/// "This figure counts some of the people of that one, so it cannot be
/// larger", for every ethnicity. Validation checks these; `generate
/// --faults` breaks them, so a new rule is planted and caught with no
/// further code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubsetRule {
    pub code: &'static str,
    pub indicator: u8,
    pub staff_group: Option<StaffGroup>,
    pub whole: Cell,
    pub part: Cell,
    pub explain: Explain,
}

const fn cell(measure: Measure, category: Option<Category>) -> Cell {
    Cell { measure, category }
}

/// Every subset rule of spec/returns.md, in the order their errors are reported.
pub const SUBSET_RULES: &[SubsetRule] = &[
    SubsetRule {
        code: "E_APPOINTED_GT_SHORTLISTED",
        indicator: 2,
        staff_group: None,
        whole: cell(Measure::Shortlisted, None),
        part: cell(Measure::Appointed, None),
        explain: Explain::Activity,
    },
    SubsetRule {
        code: "E_DISCIPLINARY_GT_WORKFORCE",
        indicator: 3,
        staff_group: None,
        whole: cell(Measure::Workforce, None),
        part: cell(Measure::EnteredDisciplinary, None),
        explain: Explain::Activity,
    },
    SubsetRule {
        code: "E_TRAINING_GT_WORKFORCE",
        indicator: 4,
        staff_group: None,
        whole: cell(Measure::Workforce, None),
        part: cell(Measure::AccessedTraining, None),
        explain: Explain::Activity,
    },
    SubsetRule {
        code: "E_BOARD_GT_TOTAL",
        indicator: 9,
        staff_group: None,
        whole: cell(Measure::Members, Some(Category::Total)),
        part: cell(Measure::Members, Some(Category::Voting)),
        explain: Explain::Board,
    },
    SubsetRule {
        code: "E_BOARD_GT_TOTAL",
        indicator: 9,
        staff_group: None,
        whole: cell(Measure::Members, Some(Category::Total)),
        part: cell(Measure::Members, Some(Category::Executive)),
        explain: Explain::Board,
    },
    SubsetRule {
        code: "E_SMM_GT_CONSULTANT",
        indicator: 1,
        staff_group: Some(StaffGroup::Medical),
        whole: cell(Measure::Headcount, Some(Category::Consultant)),
        part: cell(Measure::Headcount, Some(Category::SeniorMedicalManager)),
        explain: Explain::OfWhich,
    },
];

impl SubsetRule {
    /// The error when `part` (of ethnicity `e`) is more than `whole`.
    fn message(&self, e: Ethnicity, part: f64, whole: f64) -> String {
        let n = crate::fmt::plain_number;
        let ind = self.indicator;
        match self.explain {
            Explain::Activity => format!(
                "Indicator {ind}: {} {} ({}) is more than {} ({}); it counts some of the same people, so it cannot be larger. Check both figures.",
                e.short_label(),
                self.part.measure.label().to_lowercase(),
                n(part),
                self.whole.measure.label().to_lowercase(),
                n(whole)
            ),
            Explain::Board => format!(
                "Indicator 9: {} {} {} board members but only {} board members in total. Voting and executive members are part of the total.",
                n(part),
                e.short_label(),
                self.part.category.map_or("", Category::code),
                n(whole)
            ),
            Explain::OfWhich => format!(
                "Indicator 1: {} {} senior medical managers but {} consultants. Senior medical managers are an \"of which\" part of consultants.",
                n(part),
                e.short_label(),
                n(whole)
            ),
        }
    }

    /// The two rows of ethnicity `e` this rule compares, when both are there.
    fn rows<'a>(&self, cells: &Cells<'a>, e: Ethnicity) -> Option<(&'a Row, &'a Row)> {
        let get = |c: Cell| cells.get(self.indicator, c.measure, self.staff_group, c.category, e);
        Some((get(self.whole)?, get(self.part)?))
    }
}

/// The section-level rules: register, year, duplicates, consistency, warnings.
fn check_section(
    display: &str,
    s: &mut SectionReturn,
    register: &Register,
    opts: &ValidateOptions,
) {
    let first_loc = s
        .rows
        .first()
        .map(|r| r.location.clone())
        .unwrap_or_else(|| display.to_string());
    // A section that already has an error in one of its values is rejected;
    // warnings computed across its rows (totals, rates, missing rows) would
    // only repeat that error in other words, so they wait until it is fixed.
    let value_errors = s.has_errors();
    let mut msgs: Vec<Message> = [
        check_register(s, register, &first_loc),
        check_year(s, opts, &first_loc),
    ]
    .into_iter()
    .flatten()
    .collect();
    msgs.extend(drop_duplicate_rows(s));

    let cells = Cells::new(&s.rows);
    match s.section {
        Section::Workforce => {
            msgs.extend(check_subsets(&cells));
            if !value_errors {
                workforce_warnings(s, &cells, &first_loc, &mut msgs);
            }
        }
        Section::Survey if value_errors => {}
        Section::Survey => {
            survey_responses(s, &cells, &first_loc, &mut msgs);
            percent_fraction_checks(&cells, &mut msgs);
        }
    }
    s.messages.append(&mut msgs);
}

/// E_UNKNOWN_ORG: the section's organisation is not in the register.
fn check_register(s: &SectionReturn, register: &Register, first_loc: &str) -> Option<Message> {
    (!register.contains(&s.org_code)).then(|| {
        Message::error(
            "E_UNKNOWN_ORG",
            first_loc,
            format!(
                "The organisation code {} is not in the register ({}). Check the code, or pass --register FILE with a register that holds it.",
                quote(&s.org_code),
                register.origin
            ),
        )
    })
}

/// E_YEAR_OUT_OF_RANGE: before the WRES began, or after next year.
fn check_year(s: &SectionReturn, opts: &ValidateOptions, first_loc: &str) -> Option<Message> {
    (s.year < FIRST_YEAR || s.year > opts.max_year).then(|| {
        Message::error(
            "E_YEAR_OUT_OF_RANGE",
            first_loc,
            format!(
                "The year {} is outside {FIRST_YEAR}-{}. WRES reporting years run from {FIRST_YEAR} to next year.",
                s.year, opts.max_year
            ),
        )
    })
}

/// Duplicate keys: the same value twice is harmless (kept once, a warning),
/// different values are an error. Only the first row of each key is kept.
fn drop_duplicate_rows(s: &mut SectionReturn) -> Vec<Message> {
    let mut msgs = Vec::new();
    let mut seen: HashMap<super::RowKey, usize> = HashMap::new();
    let mut keep = Vec::with_capacity(s.rows.len());
    for (i, r) in s.rows.iter().enumerate() {
        let Some(&j) = seen.get(&r.key()) else {
            seen.insert(r.key(), i);
            keep.push(true);
            continue;
        };
        let first = &s.rows[j];
        msgs.push(if first.value == r.value {
            Message::warning(
                "W_DUPLICATE_ROW",
                r.location.clone(),
                format!(
                    "This row repeats {} with the same value; it is counted once.",
                    first.location
                ),
            )
        } else {
            Message::error(
                "E_DUPLICATE_KEY",
                r.location.clone(),
                format!(
                    "This row gives {} where {} gives {} for the same indicator, measure, group and ethnicity. Keep one value.",
                    crate::fmt::plain_number(r.value),
                    first.location,
                    crate::fmt::plain_number(first.value)
                ),
            )
        });
        keep.push(false);
    }
    let mut k = keep.into_iter();
    s.rows.retain(|_| k.next().unwrap_or(false));
    msgs
}

/// Every [`SUBSET_RULES`] rule, for every ethnicity.
fn check_subsets(cells: &Cells) -> Vec<Message> {
    let mut msgs = Vec::new();
    for rule in SUBSET_RULES {
        for e in Ethnicity::ALL {
            if let Some((w, p)) = rule.rows(cells, *e)
                && p.value > w.value
            {
                msgs.push(Message::error(
                    rule.code,
                    p.location.clone(),
                    rule.message(*e, p.value, w.value),
                ));
            }
        }
    }
    msgs
}

/// Survey percentages without their response counts, groups under the
/// suppression threshold, and indicators with no rows.
fn survey_responses(s: &SectionReturn, cells: &Cells, first_loc: &str, msgs: &mut Vec<Message>) {
    let mut missing = Vec::new();
    for n in 5..=8u8 {
        let mut any = false;
        for e in [Ethnicity::White, Ethnicity::Bme] {
            let pct = cells.get(n, Measure::Percent, None, None, e);
            let resp = cells.get(n, Measure::Responses, None, None, e);
            any |= pct.is_some() || resp.is_some();
            let Some(p) = pct else { continue };
            match resp {
                None => msgs.push(Message::warning(
                    "W_RESPONSES_MISSING",
                    p.location.clone(),
                    format!("Indicator {n}: the {} percentage has no response count, so it has no interval and cannot be checked against the suppression threshold.", e.short_label()),
                )),
                Some(r) if r.value < MIN_RESPONSES => msgs.push(Message::warning(
                    "W_SMALL_SURVEY_GROUP",
                    r.location.clone(),
                    format!("Indicator {n}: only {} {} responses (fewer than {}); the figure will be suppressed.", crate::fmt::plain_number(r.value), e.short_label(), MIN_RESPONSES),
                )),
                _ => {}
            }
        }
        if !any {
            missing.push(n);
        }
    }
    if let Some(m) = indicators_missing(&missing, s, "") {
        msgs.push(Message::warning("W_INDICATOR_MISSING", first_loc, m));
    }
}

/// Survey percentages typed as fractions (0.24 for 24%): when every
/// percentage of the section (three or more) is 1 or less, an error; one
/// percentage of 1 or less beside others whose median is 10 or more, a
/// warning on its cell.
fn percent_fraction_checks(cells: &Cells, msgs: &mut Vec<Message>) {
    let mut pcts: Vec<(u8, Ethnicity, &Row)> = Vec::new();
    for n in 5..=8u8 {
        for e in [Ethnicity::White, Ethnicity::Bme] {
            if let Some(p) = cells.get(n, Measure::Percent, None, None, e) {
                pcts.push((n, e, p));
            }
        }
    }
    let small = |v: f64| v > 0.0 && v <= 1.0;
    let Some((n, e, first)) = pcts.iter().find(|(_, _, p)| small(p.value)) else {
        return;
    };
    // With one or two percentages, all of them small is no evidence (0.3% of
    // a group may be real); from three on it is (indicator 7 alone runs
    // around 70-90%).
    if pcts.len() >= 3 && pcts.iter().all(|(_, _, p)| p.value <= 1.0) {
        msgs.push(Message::error(
            "E_PERCENT_AS_FRACTION",
            first.location.clone(),
            format!(
                "Every staff survey percentage of this return is 1 or less (indicator {n}, {}: {}); percentages are written 0 to 100, so 24% is 24, not 0.24. Multiply them by 100.",
                e.short_label(),
                crate::fmt::plain_number(first.value)
            ),
        ));
        return;
    }
    for (n, e, p) in pcts.iter().filter(|(_, _, p)| small(p.value)) {
        let mut others: Vec<f64> = pcts
            .iter()
            .filter(|(_, _, o)| !std::ptr::eq(*o, *p))
            .map(|(_, _, o)| o.value)
            .collect();
        others.sort_by(f64::total_cmp);
        // No neighbours, no comparison.
        let Some(&median) = others.get(others.len() / 2) else {
            continue;
        };
        if median >= 10.0 {
            msgs.push(Message::warning(
                "W_PERCENT_LOOKS_LIKE_FRACTION",
                p.location.clone(),
                format!(
                    "Indicator {n}: the {} percentage is {}, about a hundred times smaller than this return's other survey percentages (median {}). If it means {}%, type {}.",
                    e.short_label(),
                    crate::fmt::plain_number(p.value),
                    crate::fmt::plain_number(median),
                    crate::fmt::plain_number(p.value * 100.0),
                    crate::fmt::plain_number(p.value * 100.0)
                ),
            ));
        }
    }
}

/// One message for every indicator of a section with no rows:
/// "Indicators 5, 6 and 7 have no rows for RV9 2020." (`tail` before the stop).
fn indicators_missing(missing: &[u8], s: &SectionReturn, tail: &str) -> Option<String> {
    let (last, rest) = missing.split_last()?;
    let tail = if missing.len() == 1 {
        tail.replace("their figures", "its figures")
    } else {
        tail.to_string()
    };
    Some(if rest.is_empty() {
        format!(
            "Indicator {last} has no rows for {} {}{tail}.",
            s.org_code, s.year
        )
    } else {
        let list: Vec<String> = rest.iter().map(u8::to_string).collect();
        format!(
            "Indicators {} and {last} have no rows for {} {}{tail}.",
            list.join(", "),
            s.org_code,
            s.year
        )
    })
}

/// The warnings of a workforce section without value errors, rule by rule.
fn workforce_warnings(s: &SectionReturn, cells: &Cells, first_loc: &str, msgs: &mut Vec<Message>) {
    missing_indicators(s, cells, first_loc, msgs);
    let t1 = workforce_total(s, 1, Measure::Headcount);
    let t3 = workforce_total(s, 3, Measure::Workforce);
    let t4 = workforce_total(s, 4, Measure::Workforce);
    msgs.extend(workforce_mismatch(t1, t3, t4, first_loc));
    msgs.extend(declaration_rate(s, t1, t3, first_loc));
    ratio_denominators(cells, msgs);
}

/// W_INDICATOR_MISSING (one message for all of them) and W_INDICATOR_INCOMPLETE.
fn missing_indicators(s: &SectionReturn, cells: &Cells, first_loc: &str, msgs: &mut Vec<Message>) {
    let has = |n: u8| s.rows.iter().any(|r| r.indicator.number() == n);
    let missing: Vec<u8> = [1u8, 2, 3, 4, 9].into_iter().filter(|n| !has(*n)).collect();
    if let Some(m) = indicators_missing(&missing, s, "; their figures will be blank in the pack") {
        msgs.push(Message::warning("W_INDICATOR_MISSING", first_loc, m));
    }
    for n in [2u8, 3, 4] {
        if !has(n) {
            continue;
        }
        let Some(ind) = Indicator::new(n) else {
            continue;
        };
        let mut missing = Vec::new();
        for m in ind.measures() {
            for e in [Ethnicity::White, Ethnicity::Bme] {
                if cells.get(n, *m, None, None, e).is_none() {
                    missing.push(format!(
                        "{} for {} staff",
                        m.label().to_lowercase(),
                        e.short_label()
                    ));
                }
            }
        }
        if !missing.is_empty() {
            msgs.push(Message::warning(
                "W_INDICATOR_INCOMPLETE",
                first_loc,
                format!(
                    "Indicator {n} lacks {}; its relative likelihood cannot be computed. Fill in those cells (0 if there were none).",
                    missing.join(", ")
                ),
            ));
        }
    }
}

/// Indicator `n`'s total of measure `m` ("of which" rows left out), if it has rows.
fn workforce_total(s: &SectionReturn, n: u8, m: Measure) -> Option<f64> {
    let rows: Vec<&Row> = s
        .rows
        .iter()
        .filter(|r| r.indicator.number() == n && r.measure == m)
        .filter(|r| !r.category.is_some_and(Category::is_of_which))
        .collect();
    (!rows.is_empty()).then(|| rows.iter().map(|r| r.value).sum())
}

/// W_WORKFORCE_MISMATCH: the workforce totals of indicators 1, 3 and 4 differ by more than 1%.
fn workforce_mismatch(
    t1: Option<f64>,
    t3: Option<f64>,
    t4: Option<f64>,
    first_loc: &str,
) -> Option<Message> {
    let named = [
        ("indicator 1", t1),
        ("indicator 3", t3),
        ("indicator 4", t4),
    ];
    let present: Vec<(&str, f64)> = named
        .iter()
        .filter_map(|(n, t)| t.map(|t| (*n, t)))
        .collect();
    if present.len() < 2 {
        return None;
    }
    let max = present.iter().map(|p| p.1).fold(f64::MIN, f64::max);
    let min = present.iter().map(|p| p.1).fold(f64::MAX, f64::min);
    if max <= 0.0 || (max - min) / max <= WORKFORCE_TOLERANCE {
        return None;
    }
    let listed: Vec<String> = present
        .iter()
        .map(|(n, t)| format!("{n} {}", crate::fmt::plain_number(*t)))
        .collect();
    Some(Message::warning(
        "W_WORKFORCE_MISMATCH",
        first_loc,
        format!(
            "Workforce totals differ by more than 1%: {}. They should describe the same staff at 31 March.",
            listed.join(", ")
        ),
    ))
}

/// W_DECLARATION_RATE: unknown ethnicity above 10% of the indicator 1 total
/// (or, without indicator 1, of indicator 3's workforce).
fn declaration_rate(
    s: &SectionReturn,
    t1: Option<f64>,
    t3: Option<f64>,
    first_loc: &str,
) -> Option<Message> {
    let unknown = |n: u8, m: Measure| -> f64 {
        s.rows
            .iter()
            .filter(|r| {
                r.indicator.number() == n && r.measure == m && r.ethnicity == Ethnicity::Unknown
            })
            .filter(|r| !r.category.is_some_and(Category::is_of_which))
            .map(|r| r.value)
            .sum()
    };
    let decl = match (t1, t3) {
        (Some(t), _) => Some((unknown(1, Measure::Headcount), t)),
        (None, Some(t)) => Some((unknown(3, Measure::Workforce), t)),
        _ => None,
    };
    let (u, t) = decl?;
    (t > 0.0 && u / t > DECLARATION_LIMIT).then(|| {
        Message::warning(
            "W_DECLARATION_RATE",
            first_loc,
            format!(
                "Ethnicity is unknown for {} of {} staff ({}), above 10%; improving declaration makes every figure more reliable.",
                crate::fmt::plain_number(u),
                crate::fmt::plain_number(t),
                crate::fmt::pct1(100.0 * u / t)
            ),
        )
    })
}

/// W_SMALL_NUMBERS and W_UNDEFINED_RATIO on the relative likelihoods' denominators.
fn ratio_denominators(cells: &Cells, msgs: &mut Vec<Message>) {
    let rl: [(u8, Measure, Measure); 3] = [
        (2, Measure::Shortlisted, Measure::Appointed),
        (3, Measure::Workforce, Measure::EnteredDisciplinary),
        (4, Measure::Workforce, Measure::AccessedTraining),
    ];
    for (n, den, num) in rl {
        let (Some(bd), Some(wd)) = (
            cells.get(n, den, None, None, Ethnicity::Bme),
            cells.get(n, den, None, None, Ethnicity::White),
        ) else {
            continue;
        };
        if bd.value < SMALL_DENOMINATOR {
            msgs.push(Message::warning(
                "W_SMALL_NUMBERS",
                bd.location.clone(),
                format!("Indicator {n}: only {} BME people in the denominator; the relative likelihood will be very uncertain.", crate::fmt::plain_number(bd.value)),
            ));
        }
        // Only a zero denominator, or no one counted in either group, leaves
        // the ratio undefined; one zero numerator is a real 0 or an infinite
        // ratio (spec/indicators.md, zero counts), not a data problem.
        let both_zero = [Ethnicity::White, Ethnicity::Bme].iter().all(|e| {
            cells
                .get(n, num, None, None, *e)
                .is_some_and(|r| r.value == 0.0)
        });
        if bd.value == 0.0 || wd.value == 0.0 || both_zero {
            msgs.push(Message::warning(
                "W_UNDEFINED_RATIO",
                bd.location.clone(),
                format!("Indicator {n}: a zero denominator, or no one counted in either group, leaves the relative likelihood undefined; it will be shown as not computable."),
            ));
        }
    }
}
