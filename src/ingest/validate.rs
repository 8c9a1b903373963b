//! Validation, per section of a return, exactly as spec/returns.md lists it.
//!
//! Codes are stable (tests and users' scripts depend on them); each message is
//! one sentence a trust's WRES lead can act on. All problems are collected:
//! validation never stops at the first.

use std::collections::{BTreeMap, HashMap};

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
        let (place, row, msgs) = interpret(&rec);
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

fn interpret(rec: &RawRecord) -> (Place, Option<Row>, Vec<Message>) {
    let mut msgs = Vec::new();
    let loc = |specific: &Option<String>| specific.clone().unwrap_or_else(|| rec.location.clone());
    let cl = &rec.code_locations;

    let org = rec.org_code.as_text().trim().to_ascii_uppercase();
    if org.is_empty() {
        msgs.push(Message::error(
            "E_UNKNOWN_ORG",
            loc(&cl.org_code),
            "The organisation code is empty. Give the trust's ODS code, for example RV9.",
        ));
    }

    let year_text = rec.year.as_text();
    let year = parse_whole(&rec.year).and_then(|y| i32::try_from(y).ok());
    if year.is_none() {
        msgs.push(Message::error(
            "E_BAD_YEAR",
            loc(&cl.year),
            format!(
                "The year {} is not a reporting year. Give the four-digit year, for example 2021 for data at 31 March 2021.",
                quote(&year_text)
            ),
        ));
    }

    let indicator = Indicator::parse(&rec.indicator.as_text());
    if indicator.is_none() {
        msgs.push(Message::error(
            "E_UNKNOWN_INDICATOR",
            loc(&cl.indicator),
            format!(
                "Unknown indicator {}. Indicators are numbered 1 to 9.",
                quote(&rec.indicator.as_text())
            ),
        ));
    }
    let place = Place {
        org: org.clone(),
        year,
        section: indicator.map(Indicator::section),
    };
    let Some(ind) = indicator else {
        return (place, None, msgs);
    };

    let measure_text = rec.measure.as_text();
    let measure = Measure::parse(&measure_text);
    let measure = match measure {
        Some(m) if ind.measures().contains(&m) => Some(m),
        _ => {
            let allowed: Vec<&str> = ind.measures().iter().map(|m| m.code()).collect();
            msgs.push(Message::error(
                "E_UNKNOWN_MEASURE",
                loc(&cl.measure),
                format!(
                    "Unknown measure {} for indicator {ind}. Use {}.",
                    quote(&measure_text),
                    allowed.join(" or ")
                ),
            ));
            None
        }
    };

    // Staff group: required for indicator 1, empty otherwise.
    let sg_text = rec.staff_group.as_text();
    let staff_group = if ind.number() == 1 {
        let sg = StaffGroup::parse(&sg_text);
        if sg.is_none() {
            msgs.push(Message::error(
                "E_UNKNOWN_STAFF_GROUP",
                loc(&cl.staff_group),
                format!(
                    "Unknown staff group {}. Indicator 1 rows need non_clinical, clinical or medical.",
                    quote(&sg_text)
                ),
            ));
        }
        sg
    } else {
        if !rec.staff_group.is_empty() {
            msgs.push(Message::error(
                "E_UNKNOWN_STAFF_GROUP",
                loc(&cl.staff_group),
                format!(
                    "Indicator {ind} rows have no staff group, but this one says {}. Leave staff_group empty.",
                    quote(&sg_text)
                ),
            ));
        }
        None
    };

    let cat_text = rec.category.as_text();
    let category = match ind.number() {
        1 => {
            let c = Category::parse(&cat_text);
            match (c, staff_group) {
                (Some(c), Some(sg)) if sg.categories().contains(&c) => Some(c),
                (_, None) => None, // already reported
                (_, Some(sg)) => {
                    let allowed: Vec<&str> = sg.categories().iter().map(|c| c.code()).collect();
                    msgs.push(Message::error(
                        "E_UNKNOWN_CATEGORY",
                        loc(&cl.category),
                        format!(
                            "Unknown grade {} for staff group {}. Use one of {}.",
                            quote(&cat_text),
                            sg.code(),
                            allowed.join(", ")
                        ),
                    ));
                    None
                }
            }
        }
        9 => {
            let c = Category::parse(&cat_text);
            match c {
                Some(c) if BOARD.contains(&c) => Some(c),
                _ => {
                    msgs.push(Message::error(
                        "E_UNKNOWN_CATEGORY",
                        loc(&cl.category),
                        format!(
                            "Unknown board category {}. Use total, voting or executive.",
                            quote(&cat_text)
                        ),
                    ));
                    None
                }
            }
        }
        _ => {
            if !rec.category.is_empty() {
                msgs.push(Message::error(
                    "E_UNKNOWN_CATEGORY",
                    loc(&cl.category),
                    format!(
                        "Indicator {ind} rows have no category, but this one says {}. Leave category empty.",
                        quote(&cat_text)
                    ),
                ));
            }
            None
        }
    };

    let eth_text = rec.ethnicity.as_text();
    let ethnicity = match Ethnicity::parse_lenient(&eth_text) {
        Some(e) if ind.ethnicities().contains(&e) => Some(e),
        _ => {
            let allowed: Vec<&str> = ind.ethnicities().iter().map(|e| e.code()).collect();
            msgs.push(Message::error(
                "E_UNKNOWN_ETHNICITY",
                loc(&cl.ethnicity),
                format!(
                    "Unknown ethnicity {} for indicator {ind}. Use {}.",
                    quote(&eth_text),
                    allowed.join(", ")
                ),
            ));
            None
        }
    };

    let value = match measure {
        Some(m) => interpret_value(&rec.value, m, &rec.location, &mut msgs),
        None => None,
    };

    let row = match (year, measure, ethnicity, value) {
        (Some(year), Some(measure), Some(ethnicity), Some(Some(value)))
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
    (place, row, msgs)
}

/// `Some(None)`: not supplied (an empty cell). `None`: invalid (message pushed).
fn interpret_value(
    raw: &RawValue,
    measure: Measure,
    location: &str,
    msgs: &mut Vec<Message>,
) -> Option<Option<f64>> {
    let n = match raw {
        RawValue::Empty => return Some(None),
        RawValue::CellError(e) => {
            msgs.push(Message::error(
                "E_EXCEL_ERROR_CELL",
                location,
                format!("The cell holds the Excel error {e}. Type the number itself instead of a formula that fails."),
            ));
            return None;
        }
        RawValue::Number(n) => *n,
        RawValue::Text(t) => {
            let t2 = if measure == Measure::Percent {
                t.trim().trim_end_matches('%').trim()
            } else {
                t.trim()
            };
            match t2.parse::<f64>() {
                Ok(n) if n.is_finite() => n,
                _ => {
                    let none_words = [
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
                    let hint = if t.contains(',')
                        && t.replace(',', "").trim().parse::<f64>().is_ok()
                    {
                        " Write it without thousands separators (1062, not 1,062)."
                    } else if none_words.iter().any(|w| t.trim().eq_ignore_ascii_case(w)) {
                        " If there is no figure to give, leave the cell empty; if there were none, type 0."
                    } else {
                        ""
                    };
                    msgs.push(Message::error(
                        "E_NOT_A_NUMBER",
                        location,
                        format!("The value {} is not a number.{hint}", quote(t)),
                    ));
                    return None;
                }
            }
        }
    };
    if measure.is_count() {
        if n < 0.0 {
            msgs.push(Message::error(
                "E_COUNT_NEGATIVE",
                location,
                format!(
                    "The count {} is negative. Counts of people are 0 or more.",
                    crate::fmt::plain_number(n)
                ),
            ));
            return None;
        }
        if n.fract() != 0.0 {
            msgs.push(Message::error(
                "E_COUNT_FRACTIONAL",
                location,
                format!(
                    "The count {} is not a whole number. Give a headcount, not FTE.",
                    crate::fmt::plain_number(n)
                ),
            ));
            return None;
        }
        if n > 10_000_000.0 {
            msgs.push(Message::error(
                "E_COUNT_NEGATIVE",
                location,
                format!(
                    "The count {} is larger than any trust's workforce. Check the value.",
                    crate::fmt::plain_number(n)
                ),
            ));
            return None;
        }
    } else if !(0.0..=100.0).contains(&n) {
        msgs.push(Message::error(
            "E_PERCENT_OUT_OF_RANGE",
            location,
            format!(
                "The percentage {} is outside 0-100. Give it as a percentage (24.0 for 24%), not a fraction.",
                crate::fmt::plain_number(n)
            ),
        ));
        return None;
    }
    Some(Some(n))
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
    let mut msgs = Vec::new();
    // A section that already has an error in one of its values is rejected;
    // warnings computed across its rows (totals, rates, missing rows) would
    // only repeat that error in other words, so they wait until it is fixed.
    let value_errors = s.has_errors();

    if !register.contains(&s.org_code) {
        msgs.push(Message::error(
            "E_UNKNOWN_ORG",
            first_loc.clone(),
            format!(
                "The organisation code {} is not in the register ({}). Check the code, or pass --register FILE with a register that holds it.",
                quote(&s.org_code),
                register.origin
            ),
        ));
    }
    if s.year < FIRST_YEAR || s.year > opts.max_year {
        msgs.push(Message::error(
            "E_YEAR_OUT_OF_RANGE",
            first_loc.clone(),
            format!(
                "The year {} is outside {FIRST_YEAR}-{}. WRES reporting years run from {FIRST_YEAR} to next year.",
                s.year, opts.max_year
            ),
        ));
    }

    // Duplicate keys: the same value twice is harmless (kept once), different values are an error.
    let mut seen: HashMap<super::RowKey, usize> = HashMap::new();
    let mut keep = Vec::with_capacity(s.rows.len());
    for (i, r) in s.rows.iter().enumerate() {
        match seen.get(&r.key()) {
            None => {
                seen.insert(r.key(), i);
                keep.push(true);
            }
            Some(&j) => {
                let first = &s.rows[j];
                if first.value == r.value {
                    msgs.push(Message::warning(
                        "W_DUPLICATE_ROW",
                        r.location.clone(),
                        format!(
                            "This row repeats {} with the same value; it is counted once.",
                            first.location
                        ),
                    ));
                } else {
                    msgs.push(Message::error(
                        "E_DUPLICATE_KEY",
                        r.location.clone(),
                        format!(
                            "This row gives {} where {} gives {} for the same indicator, measure, group and ethnicity. Keep one value.",
                            crate::fmt::plain_number(r.value),
                            first.location,
                            crate::fmt::plain_number(first.value)
                        ),
                    ));
                }
                keep.push(false);
            }
        }
    }
    let mut k = keep.into_iter();
    s.rows.retain(|_| k.next().unwrap_or(false));

    let idx: HashMap<super::RowKey, &Row> = s.rows.iter().map(|r| (r.key(), r)).collect();
    let get = |ind: u8, m: Measure, sg: Option<StaffGroup>, c: Option<Category>, e: Ethnicity| {
        Indicator::new(ind).and_then(|i| idx.get(&(i, m, sg, c, e)).copied())
    };

    match s.section {
        Section::Workforce => {
            // Subset rules, for any ethnicity.
            let pairs: [(u8, Measure, Measure, &str); 3] = [
                (
                    2,
                    Measure::Shortlisted,
                    Measure::Appointed,
                    "E_APPOINTED_GT_SHORTLISTED",
                ),
                (
                    3,
                    Measure::Workforce,
                    Measure::EnteredDisciplinary,
                    "E_DISCIPLINARY_GT_WORKFORCE",
                ),
                (
                    4,
                    Measure::Workforce,
                    Measure::AccessedTraining,
                    "E_TRAINING_GT_WORKFORCE",
                ),
            ];
            for (ind, whole, part, code) in pairs {
                for e in Ethnicity::ALL {
                    if let (Some(w), Some(p)) = (
                        get(ind, whole, None, None, *e),
                        get(ind, part, None, None, *e),
                    ) && p.value > w.value
                    {
                        msgs.push(Message::error(
                            code,
                            p.location.clone(),
                            format!(
                                "Indicator {ind}: {} {} ({}) is more than {} ({}); it counts some of the same people, so it cannot be larger. Check both figures.",
                                e.short_label(),
                                part.label().to_lowercase(),
                                crate::fmt::plain_number(p.value),
                                whole.label().to_lowercase(),
                                crate::fmt::plain_number(w.value)
                            ),
                        ));
                    }
                }
            }
            for e in Ethnicity::ALL {
                let total = get(9, Measure::Members, None, Some(Category::Total), *e);
                for sub in [Category::Voting, Category::Executive] {
                    if let (Some(t), Some(v)) =
                        (total, get(9, Measure::Members, None, Some(sub), *e))
                        && v.value > t.value
                    {
                        msgs.push(Message::error(
                            "E_BOARD_GT_TOTAL",
                            v.location.clone(),
                            format!(
                                "Indicator 9: {} {} {} board members but only {} board members in total. Voting and executive members are part of the total.",
                                crate::fmt::plain_number(v.value),
                                e.short_label(),
                                sub.code(),
                                crate::fmt::plain_number(t.value)
                            ),
                        ));
                    }
                }
                let cons = get(
                    1,
                    Measure::Headcount,
                    Some(StaffGroup::Medical),
                    Some(Category::Consultant),
                    *e,
                );
                let smm = get(
                    1,
                    Measure::Headcount,
                    Some(StaffGroup::Medical),
                    Some(Category::SeniorMedicalManager),
                    *e,
                );
                if let (Some(c), Some(m)) = (cons, smm)
                    && m.value > c.value
                {
                    msgs.push(Message::error(
                        "E_SMM_GT_CONSULTANT",
                        m.location.clone(),
                        format!(
                            "Indicator 1: {} {} senior medical managers but {} consultants. Senior medical managers are an \"of which\" part of consultants.",
                            crate::fmt::plain_number(m.value),
                            e.short_label(),
                            crate::fmt::plain_number(c.value)
                        ),
                    ));
                }
            }
            if !value_errors {
                workforce_warnings(s, &get, &first_loc, &mut msgs);
            }
        }
        Section::Survey if value_errors => {}
        Section::Survey => {
            let mut missing = Vec::new();
            for n in 5..=8u8 {
                let mut any = false;
                for e in [Ethnicity::White, Ethnicity::Bme] {
                    let pct = get(n, Measure::Percent, None, None, e);
                    let resp = get(n, Measure::Responses, None, None, e);
                    any |= pct.is_some() || resp.is_some();
                    if let Some(p) = pct {
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
                }
                if !any {
                    missing.push(n);
                }
            }
            if let Some(m) = indicators_missing(&missing, s, "") {
                msgs.push(Message::warning(
                    "W_INDICATOR_MISSING",
                    first_loc.clone(),
                    m,
                ));
            }
            percent_fraction_checks(&get, &mut msgs);
        }
    }
    s.messages.append(&mut msgs);
}

/// Survey percentages typed as fractions (0.24 for 24%): when every
/// percentage of the section (three or more) is 1 or less, an error; one
/// percentage of 1 or less beside others whose median is 10 or more, a
/// warning on its cell.
fn percent_fraction_checks<'a>(
    get: &dyn Fn(u8, Measure, Option<StaffGroup>, Option<Category>, Ethnicity) -> Option<&'a Row>,
    msgs: &mut Vec<Message>,
) {
    let mut pcts: Vec<(u8, Ethnicity, &Row)> = Vec::new();
    for n in 5..=8u8 {
        for e in [Ethnicity::White, Ethnicity::Bme] {
            if let Some(p) = get(n, Measure::Percent, None, None, e) {
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

fn workforce_warnings<'a>(
    s: &SectionReturn,
    get: &dyn Fn(u8, Measure, Option<StaffGroup>, Option<Category>, Ethnicity) -> Option<&'a Row>,
    first_loc: &str,
    msgs: &mut Vec<Message>,
) {
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
                if get(n, *m, None, None, e).is_none() {
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

    // Workforce totals of indicators 1, 3 and 4.
    let total = |n: u8, m: Measure| -> Option<f64> {
        let rows: Vec<&Row> = s
            .rows
            .iter()
            .filter(|r| r.indicator.number() == n && r.measure == m)
            .filter(|r| !r.category.is_some_and(Category::is_of_which))
            .collect();
        (!rows.is_empty()).then(|| rows.iter().map(|r| r.value).sum())
    };
    let t1 = total(1, Measure::Headcount);
    let t3 = total(3, Measure::Workforce);
    let t4 = total(4, Measure::Workforce);
    let named = [
        ("indicator 1", t1),
        ("indicator 3", t3),
        ("indicator 4", t4),
    ];
    let present: Vec<(&str, f64)> = named
        .iter()
        .filter_map(|(n, t)| t.map(|t| (*n, t)))
        .collect();
    if present.len() > 1 {
        let max = present.iter().map(|p| p.1).fold(f64::MIN, f64::max);
        let min = present.iter().map(|p| p.1).fold(f64::MAX, f64::min);
        if max > 0.0 && (max - min) / max > WORKFORCE_TOLERANCE {
            let listed: Vec<String> = present
                .iter()
                .map(|(n, t)| format!("{n} {}", crate::fmt::plain_number(*t)))
                .collect();
            msgs.push(Message::warning(
                "W_WORKFORCE_MISMATCH",
                first_loc,
                format!("Workforce totals differ by more than 1%: {}. They should describe the same staff at 31 March.", listed.join(", ")),
            ));
        }
    }

    // Declaration rate, on the indicator 1 total or indicator 3's workforce.
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
    if let Some((u, t)) = decl
        && t > 0.0
        && u / t > DECLARATION_LIMIT
    {
        msgs.push(Message::warning(
            "W_DECLARATION_RATE",
            first_loc,
            format!(
                "Ethnicity is unknown for {} of {} staff ({}), above 10%; improving declaration makes every figure more reliable.",
                crate::fmt::plain_number(u),
                crate::fmt::plain_number(t),
                crate::fmt::pct1(100.0 * u / t)
            ),
        ));
    }

    // Relative likelihood denominators.
    let rl: [(u8, Measure, Measure); 3] = [
        (2, Measure::Shortlisted, Measure::Appointed),
        (3, Measure::Workforce, Measure::EnteredDisciplinary),
        (4, Measure::Workforce, Measure::AccessedTraining),
    ];
    for (n, den, num) in rl {
        let (Some(bd), Some(wd)) = (
            get(n, den, None, None, Ethnicity::Bme),
            get(n, den, None, None, Ethnicity::White),
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
        let both_zero = [Ethnicity::White, Ethnicity::Bme]
            .iter()
            .all(|e| get(n, num, None, None, *e).is_some_and(|r| r.value == 0.0));
        if bd.value == 0.0 || wd.value == 0.0 || both_zero {
            msgs.push(Message::warning(
                "W_UNDEFINED_RATIO",
                bd.location.clone(),
                format!("Indicator {n}: a zero denominator, or no one counted in either group, leaves the relative likelihood undefined; it will be shown as not computable."),
            ));
        }
    }
}
