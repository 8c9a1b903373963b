//! Peer tables: a set of trusts (a region, an ICB, a benchmark group or a
//! list) side by side on chosen metrics, with the set's median and the
//! national figure, under disclosure control. `wresbench peers`, the region
//! packs and the explorer all show these tables.

use serde::Serialize;

use super::{Error, Result, Results};
use crate::fmt;
use crate::metric::{Breakdown, Kind, Metric};
use crate::register::{Organisation, Register, slug};

/// Which trusts to compare.
#[derive(Debug, Clone)]
pub enum PeerSet {
    Region(String),
    Icb(String),
    Group(String),
    Orgs(Vec<String>),
}

impl PeerSet {
    fn label(&self) -> String {
        match self {
            PeerSet::Region(r) => format!("region {r}"),
            PeerSet::Icb(i) => format!("ICB {i}"),
            PeerSet::Group(g) => format!("benchmark group {g}"),
            PeerSet::Orgs(o) => format!("trusts {}", o.join(", ")),
        }
    }

    /// The register's trusts in this set. Every name must exist: an unknown
    /// region, ICB, group or code is an error listing what the register has
    /// (a group may be given by a prefix that fits exactly one group).
    pub fn resolve<'r>(&self, register: &'r Register) -> Result<Vec<&'r Organisation>> {
        let pick = |keep: &dyn Fn(&Organisation) -> bool| -> Vec<&'r Organisation> {
            register.iter().filter(|o| keep(o)).collect()
        };
        let orgs = match self {
            PeerSet::Region(r) => pick(&|o| same(&o.region, r) || slug(&o.region) == slug(r)),
            PeerSet::Icb(i) => pick(&|o| same(&o.icb_code, i) || same(&o.icb_name, i)),
            PeerSet::Group(g) => {
                let one = one_group(register, g)?;
                pick(&|o| o.benchmark_group == one)
            }
            PeerSet::Orgs(list) => {
                known_codes(register, list)?;
                pick(&|o| list.iter().any(|c| same(c, &o.org_code)))
            }
        };
        match self {
            PeerSet::Region(r) if orgs.is_empty() => Err(no_match(
                "region",
                r,
                "is not a region",
                distinct(register, |o| &o.region),
            )),
            PeerSet::Icb(i) if orgs.is_empty() => Err(no_match(
                "ICB",
                i,
                "is not an ICB code or name",
                distinct(register, |o| &o.icb_code),
            )),
            _ => Ok(orgs),
        }
    }
}

/// Names as people type them: case and surrounding spaces do not matter.
fn same(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// The register's distinct values of a column, sorted.
fn distinct(register: &Register, f: fn(&Organisation) -> &str) -> Vec<&str> {
    let set: std::collections::BTreeSet<&str> = register.iter().map(f).collect();
    set.into_iter().collect()
}

fn no_match(what: &'static str, given: &str, why: &'static str, known: Vec<&str>) -> Error {
    Error::NoMatch {
        what,
        given: given.to_string(),
        why,
        known: known.join("; "),
    }
}

/// The one benchmark group `g` names: exactly, or else as the prefix of
/// exactly one group.
fn one_group(register: &Register, g: &str) -> Result<String> {
    let groups = distinct(register, |o| &o.benchmark_group);
    let exact: Vec<&str> = groups.iter().copied().filter(|x| same(x, g)).collect();
    let chosen: Vec<&str> = if exact.is_empty() {
        let lower = g.trim().to_lowercase();
        groups
            .iter()
            .copied()
            .filter(|x| x.to_lowercase().starts_with(&lower))
            .collect()
    } else {
        exact
    };
    match chosen.as_slice() {
        [one] => Ok(one.to_string()),
        [] => Err(no_match(
            "benchmark group",
            g,
            "is not a benchmark group",
            groups,
        )),
        _ => Err(no_match(
            "benchmark group",
            g,
            "fits more than one group",
            chosen,
        )),
    }
}

/// Every code of a list is in the register, or an error naming those that are not.
fn known_codes(register: &Register, list: &[String]) -> Result<()> {
    let unknown: Vec<&str> = list
        .iter()
        .map(String::as_str)
        .filter(|c| register.get(c.trim()).is_none())
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    Err(Error::NoMatch {
        what: "trust code",
        given: unknown.join(", "),
        why: "is not in the register",
        known: format!(
            "{} trusts ({}); codes are ODS codes such as RV9",
            register.iter().count(),
            register.origin
        ),
    })
}

/// A metric column: metric and the breakdown shown.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Column {
    pub metric: Metric,
    pub staff_group: &'static str,
    pub category: &'static str,
    pub ethnicity: &'static str,
}

impl Column {
    /// The breakdown key of this column's figures.
    pub fn key(&self) -> (&'static str, &'static str, &'static str, &'static str) {
        (
            self.metric.code(),
            self.staff_group,
            self.category,
            self.ethnicity,
        )
    }
}

/// The headline columns (the catalogue's headline figures, and the indicator
/// 8 gap), and the only metrics `--metric` accepts.
pub fn columns() -> Vec<Column> {
    let col = |(metric, (staff_group, category, ethnicity)): (Metric, Breakdown)| Column {
        metric,
        staff_group,
        category,
        ethnicity,
    };
    let mut v: Vec<Column> = Metric::headlines().map(col).collect();
    // The indicator 8 gap follows indicator 8's percentage.
    let at = v
        .iter()
        .position(|c| c.metric.indicator() > 8)
        .unwrap_or(v.len());
    v.insert(at, col((Metric::Ind8GapPp, ("", "", ""))));
    v
}

/// One shown value: a number, a word (`*` under disclosure control,
/// `infinite` for a ratio whose comparison group counted no one) or nothing.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Cell {
    Value(f64),
    Text(&'static str),
    Missing(Option<()>),
}

impl Cell {
    fn text(&self, metric: Metric) -> String {
        match self {
            Cell::Value(v) => metric.format(*v),
            Cell::Text(s) => s.to_string(),
            Cell::Missing(_) => "–".into(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PeerRow {
    pub org_code: String,
    pub org_name: String,
    pub benchmark_group: String,
    pub values: Vec<Cell>,
    pub group_median: Vec<Option<f64>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PeerTable {
    pub year: i32,
    pub set: String,
    pub min_count: f64,
    pub columns: Vec<Column>,
    pub rows: Vec<PeerRow>,
    pub set_median: Vec<Option<f64>>,
    pub national: Vec<Option<f64>>,
    /// Made from synthetic returns: every page and sheet says so.
    pub synthetic: bool,
}

/// The median of a peer set: a region's, ICB's or group's from the result
/// tables (over every trust with a value, as everywhere else); for a list of
/// trusts, over the cells shown (`rows`' column `col`: values, infinite
/// ratios as +infinity as the queries count them, starred cells left out).
/// A list is chosen by whoever asks, so a median over hidden values could be
/// one of them: {1, 2, x, 3, 4} has median x. Withheld under `min_trusts`.
fn set_median(
    r: &Results,
    set: &PeerSet,
    orgs: &[&Organisation],
    rows: &[PeerRow],
    year: i32,
    (col, c): (usize, &Column),
) -> Option<f64> {
    let min = r.params.min_trusts;
    let from = |s: Option<&super::Stats>| s.filter(|s| s.n_orgs >= min).and_then(|s| s.median);
    let first = orgs.first()?;
    match set {
        PeerSet::Region(_) => from(r.region(&first.region, year, c.key())),
        PeerSet::Icb(_) => from(r.icb(&first.icb_code, year, c.key())),
        PeerSet::Group(_) => from(r.group(&first.benchmark_group, year, c.key())),
        PeerSet::Orgs(_) => {
            let shown: Vec<Cell> = rows.iter().map(|row| row.values[col]).collect();
            median_of_shown(&shown, min)
        }
    }
}

/// The median of the cells shown: numbers, and `infinite` as +infinity
/// (an infinite median is withheld); `*` and blanks left out; none from
/// fewer than `min` trusts. The explorer's page computes the same.
pub fn median_of_shown(cells: &[Cell], min: i64) -> Option<f64> {
    let mut v: Vec<f64> = cells
        .iter()
        .filter_map(|c| match c {
            Cell::Value(x) => Some(*x),
            Cell::Text("infinite") => Some(f64::INFINITY),
            _ => None,
        })
        .collect();
    if (v.len() as i64) < min {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let m = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    m.is_finite().then_some(m)
}

/// The counts a figure is derived from, for disclosure control (none for
/// indicator 9, which is exempt): its own
/// numerator, or the numerators of the percentages a ratio, gap or board
/// difference is computed from (the catalogue's source metric).
fn underlying_counts(r: &Results, org: &str, year: i32, c: &Column) -> Vec<f64> {
    let num = |m: Metric, sg: &str, cat: &str, e: &str| {
        r.org_row(org, year, (m.code(), sg, cat, e))
            .and_then(|x| x.numerator)
    };
    let mut out = Vec::new();
    // Indicator 9 is exempt (spec/indicators.md, disclosure control): board
    // members are public office holders and boards are published.
    if c.metric.indicator() == 9 {
        return out;
    }
    match (c.metric.kind(), c.metric.source()) {
        (Kind::RelativeLikelihood | Kind::Gap, Some(src)) => {
            out.extend(num(src, "", "", "white"));
            out.extend(num(src, "", "", "bme"));
        }
        (Kind::BoardDiff, Some(src)) => out.extend(num(src, "", c.category, "")),
        _ => out.extend(num(c.metric, c.staff_group, c.category, c.ethnicity)),
    }
    out
}

impl PeerTable {
    /// Column headers of the text forms: trust, code, then one per metric.
    pub fn headers(&self) -> Vec<String> {
        let t = self;
        let mut h = vec!["Trust".to_string(), "Code".to_string()];
        h.extend(t.columns.iter().map(|c| c.metric.label().to_string()));
        h
    }

    /// Rows of text: trusts, then the set median, then each trust's benchmark medians are in the JSON and Excel.
    pub fn text_rows(&self) -> Vec<Vec<String>> {
        let t = self;
        let mut out = Vec::new();
        for r in &t.rows {
            let mut row = vec![r.org_name.clone(), r.org_code.clone()];
            row.extend(
                r.values
                    .iter()
                    .zip(&t.columns)
                    .map(|(v, c)| v.text(c.metric)),
            );
            out.push(row);
        }
        let agg = |label: &str, vals: &[Option<f64>]| {
            let mut row = vec![label.to_string(), String::new()];
            row.extend(
                vals.iter()
                    .zip(&t.columns)
                    .map(|(v, c)| fmt::opt(*v, |x| c.metric.format(x))),
            );
            row
        };
        out.push(agg("Median of these trusts", &t.set_median));
        out.push(agg("National (pooled)", &t.national));
        out
    }
}

/// Builds the peer table for a set of trusts.
pub fn peer_table(
    r: &Results,
    register: &Register,
    year: i32,
    set: &PeerSet,
    columns: &[Column],
    min_count: f64,
) -> Result<PeerTable> {
    let orgs = set.resolve(register)?;
    if orgs.is_empty() {
        return Err(Error::EmptySet(set.label()));
    }
    let mut rows = Vec::new();
    for o in &orgs {
        let values = columns
            .iter()
            .map(|c| {
                let row = r.org_row(&o.org_code, year, c.key());
                match row {
                    None => Cell::Missing(None),
                    Some(x) if x.suppressed => Cell::Text("*"),
                    Some(x) => {
                        let small = || {
                            underlying_counts(r, &o.org_code, year, c)
                                .iter()
                                .any(|n| *n >= 1.0 && *n < min_count)
                        };
                        match (x.value, x.is_infinite()) {
                            (None, false) => Cell::Missing(None),
                            _ if small() => Cell::Text("*"),
                            (_, true) => Cell::Text("infinite"),
                            (Some(v), false) => Cell::Value(v),
                        }
                    }
                }
            })
            .collect();
        let group_median = columns
            .iter()
            .map(|c| {
                r.group(&o.benchmark_group, year, c.key())
                    .filter(|g| g.n_orgs >= r.params.min_trusts)
                    .and_then(|g| g.median)
            })
            .collect();
        rows.push(PeerRow {
            org_code: o.org_code.clone(),
            org_name: o.org_name.clone(),
            benchmark_group: o.benchmark_group.clone(),
            values,
            group_median,
        });
    }
    // An area's median is the result tables' (the same figure everywhere);
    // a list's is over the cells shown.
    let set_median = columns
        .iter()
        .enumerate()
        .map(|c| set_median(r, set, &orgs, &rows, year, c))
        .collect();
    let national = columns
        .iter()
        .map(|c| r.national(year, c.key()).and_then(|n| n.pooled))
        .collect();
    Ok(PeerTable {
        year,
        set: set.label(),
        min_count,
        columns: columns.to_vec(),
        rows,
        set_median,
        national,
        synthetic: r.synthetic,
    })
}

/// The medians of a region, ICB or group (the result tables'), without
/// building its table: the explorer embeds them for every area and year.
pub fn area_medians(
    r: &Results,
    register: &Register,
    year: i32,
    set: &PeerSet,
    columns: &[Column],
) -> Result<Vec<Option<f64>>> {
    let orgs = set.resolve(register)?;
    Ok(columns
        .iter()
        .enumerate()
        .map(|c| match set {
            // A list's median is over its cells: it needs the table.
            PeerSet::Orgs(_) => None,
            _ => set_median(r, set, &orgs, &[], year, c),
        })
        .collect())
}

/// Resolves `--metric` names to columns (default: every headline column).
pub fn columns_for(names: &[String]) -> Result<Vec<Column>> {
    let all = columns();
    if names.is_empty() {
        return Ok(all);
    }
    names
        .iter()
        .map(|n| {
            all.iter()
                .copied()
                .find(|c| Metric::parse(n) == Some(c.metric))
                .ok_or_else(|| {
                    Error::UnknownColumn(
                        n.clone(),
                        all.iter()
                            .map(|c| c.metric.code())
                            .collect::<Vec<_>>()
                            .join(", "),
                    )
                })
        })
        .collect()
}
