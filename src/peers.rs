//! Peer comparisons: a set of trusts side by side (`wresbench peers`), the
//! region packs and the national summary, all with disclosure control.
//!
//! Anything here shows other trusts' figures, so every value derived from a
//! count of 1 to `min_count - 1` people is replaced by `*` (zero stays zero):
//! spec/indicators.md, "Disclosure control".

use std::io::Write;
use std::path::{Path, PathBuf};

use askama::Template;
use rust_xlsxwriter::{Format, Workbook};
use serde::Serialize;

use crate::export::data::Results;
use crate::fmt;
use crate::ingest::template::fixed_properties;
use crate::metric::{Breakdown, Kind, Metric};
use crate::register::{Organisation, Register, slug};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Export(#[from] crate::export::Error),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {message}")]
    Render { path: PathBuf, message: String },
    /// A set the register holds no trust of.
    #[error(
        "no trusts match {0}; names are as in the register's region, icb_code, icb_name and benchmark_group columns"
    )]
    EmptySet(String),
    /// `--metric` of a metric that does not exist; lists those that do.
    #[error("unknown metric {0}; use one of: {1}")]
    UnknownMetric(String, String),
    /// A region, ICB, benchmark group or trust code that the register does
    /// not hold (or a group prefix that fits more than one group).
    #[error("{what} `{given}` {why}; the register has: {known}")]
    NoMatch {
        what: &'static str,
        given: String,
        why: &'static str,
        known: String,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A captioned table of text: (caption, rows, headers).
pub type TextTable = (String, Vec<Vec<String>>, Vec<String>);

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
        let eq = |a: &str, b: &str| a.trim().eq_ignore_ascii_case(b.trim());
        let distinct = |f: fn(&Organisation) -> &str| -> Vec<&'r str> {
            let set: std::collections::BTreeSet<&str> = register.iter().map(f).collect();
            set.into_iter().collect()
        };
        let no_match = |what, given: &str, why, known: Vec<&str>| Error::NoMatch {
            what,
            given: given.to_string(),
            why,
            known: known.join("; "),
        };
        let pick = |keep: &dyn Fn(&Organisation) -> bool| -> Vec<&'r Organisation> {
            register.iter().filter(|o| keep(o)).collect()
        };
        match self {
            PeerSet::Region(r) => {
                let orgs = pick(&|o| eq(&o.region, r) || slug(&o.region) == slug(r));
                if orgs.is_empty() {
                    return Err(no_match(
                        "region",
                        r,
                        "is not a region",
                        distinct(|o| &o.region),
                    ));
                }
                Ok(orgs)
            }
            PeerSet::Icb(i) => {
                let orgs = pick(&|o| eq(&o.icb_code, i) || eq(&o.icb_name, i));
                if orgs.is_empty() {
                    return Err(no_match(
                        "ICB",
                        i,
                        "is not an ICB code or name",
                        distinct(|o| &o.icb_code),
                    ));
                }
                Ok(orgs)
            }
            PeerSet::Group(g) => {
                let groups = distinct(|o| &o.benchmark_group);
                let exact: Vec<&str> = groups.iter().copied().filter(|x| eq(x, g)).collect();
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
                    [one] => Ok(pick(&|o| o.benchmark_group == *one)),
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
            PeerSet::Orgs(list) => {
                let unknown: Vec<&str> = list
                    .iter()
                    .map(String::as_str)
                    .filter(|c| register.get(c.trim()).is_none())
                    .collect();
                if !unknown.is_empty() {
                    return Err(Error::NoMatch {
                        what: "trust code",
                        given: unknown.join(", "),
                        why: "is not in the register",
                        known: format!(
                            "{} trusts ({}); codes are ODS codes such as RV9",
                            register.iter().count(),
                            register.origin
                        ),
                    });
                }
                Ok(pick(&|o| list.iter().any(|c| eq(c, &o.org_code))))
            }
        }
    }
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
    fn key(&self) -> (&'static str, &'static str, &'static str, &'static str) {
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

use crate::export::SYNTHETIC_NOTE;

fn synthetic_prefix(synthetic: bool) -> String {
    if synthetic {
        format!("{SYNTHETIC_NOTE} ")
    } else {
        String::new()
    }
}

/// The median of a peer set as everywhere else: a region's, ICB's or group's
/// from the result tables; for a list of trusts, over every listed trust with
/// a value (infinite ratios as +infinity, as the queries do), whatever the
/// cells show. Withheld under `min_trusts` trusts.
fn set_median(
    r: &Results,
    set: &PeerSet,
    orgs: &[&Organisation],
    year: i32,
    c: &Column,
) -> Option<f64> {
    let min = r.params.min_trusts;
    let from = |s: Option<&crate::export::data::Stats>| {
        s.filter(|s| s.n_orgs >= min).and_then(|s| s.median)
    };
    let first = orgs.first()?;
    match set {
        PeerSet::Region(_) => from(r.region(&first.region, year, c.key())),
        PeerSet::Icb(_) => from(r.icb(&first.icb_code, year, c.key())),
        PeerSet::Group(_) => from(r.group(&first.benchmark_group, year, c.key())),
        PeerSet::Orgs(_) => {
            let mut v: Vec<f64> = orgs
                .iter()
                .filter_map(|o| r.org_row(&o.org_code, year, c.key()))
                .filter(|x| !x.suppressed)
                .filter_map(|x| {
                    if x.is_infinite() {
                        Some(f64::INFINITY)
                    } else {
                        x.value
                    }
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
    }
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
    // One median everywhere: the result tables' (over every trust with a
    // value, starred or not), never recomputed from the cells shown.
    let set_median = columns
        .iter()
        .map(|c| set_median(r, set, &orgs, year, c))
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
                    Error::UnknownMetric(
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

fn headers(t: &PeerTable) -> Vec<String> {
    let mut h = vec!["Trust".to_string(), "Code".to_string()];
    h.extend(t.columns.iter().map(|c| c.metric.label().to_string()));
    h
}

/// Rows of text: trusts, then the set median, then each trust's benchmark medians are in the JSON and Excel.
fn text_rows(t: &PeerTable) -> Vec<Vec<String>> {
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

pub fn write_text_table(t: &PeerTable, out: &mut dyn Write) -> std::io::Result<()> {
    let h = headers(t);
    let rows = text_rows(t);
    let mut width: Vec<usize> = h.iter().map(|s| s.chars().count().min(28)).collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            width[i] = width[i].max(c.chars().count().min(48));
        }
    }
    writeln!(
        out,
        "WRES {}: {} (values from counts of 1-{} shown as *)",
        t.year,
        t.set,
        t.min_count as i64 - 1
    )?;
    let line = |cells: &[String]| -> String {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let c: String = c.chars().take(width[i]).collect();
                if i < 2 {
                    format!("{c:<w$}", w = width[i])
                } else {
                    format!("{c:>w$}", w = width[i])
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
    };
    writeln!(out, "{}", line(&h))?;
    for r in &rows {
        writeln!(out, "{}", line(r))?;
    }
    Ok(())
}

pub fn write_csv(t: &PeerTable, out: &mut dyn Write) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut h = vec!["org_code".to_string(), "org_name".to_string()];
    for c in &t.columns {
        h.push(c.metric.to_string());
        h.push(format!("{} benchmark median", c.metric));
    }
    w.write_record(&h)?;
    let num = |v: Option<f64>| v.map(crate::fmt::plain_number).unwrap_or_default();
    for r in &t.rows {
        // Names come from a register a user may pass: never a live formula.
        let mut rec = vec![
            crate::fmt::csv_safe(&r.org_code).into_owned(),
            crate::fmt::csv_safe(&r.org_name).into_owned(),
        ];
        for (v, m) in r.values.iter().zip(&r.group_median) {
            rec.push(match v {
                Cell::Value(x) => crate::fmt::plain_number(*x),
                Cell::Text(s) => s.to_string(),
                Cell::Missing(_) => String::new(),
            });
            rec.push(num(*m));
        }
        w.write_record(&rec)?;
    }
    for (label, vals) in [
        ("set median", &t.set_median),
        ("national pooled", &t.national),
    ] {
        let mut rec = vec![String::new(), label.to_string()];
        for v in vals.iter() {
            rec.push(num(*v));
            rec.push(String::new());
        }
        w.write_record(&rec)?;
    }
    w.flush()
}

pub fn xlsx_bytes(t: &PeerTable) -> std::result::Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut wb = Workbook::new();
    wb.set_properties(&fixed_properties()?.set_title(format!("WRES {} {}", t.year, t.set)));
    let bold = Format::new()
        .set_bold()
        .set_background_color(0xEEF3F8)
        .set_text_wrap();
    let dp2 = Format::new().set_num_format("0.00");
    let dp1 = Format::new().set_num_format("0.0");
    let ws = wb.add_worksheet();
    ws.set_name("Peers")?;
    ws.write_string(
        0,
        0,
        format!(
            "{}WRES {}: {}. Values derived from counts of 1-{} are shown as *.",
            synthetic_prefix(t.synthetic),
            t.year,
            t.set,
            t.min_count as i64 - 1
        ),
    )?;
    let mut col = 2u16;
    ws.write_string_with_format(1, 0, "Trust", &bold)?;
    ws.write_string_with_format(1, 1, "Code", &bold)?;
    for c in &t.columns {
        ws.write_string_with_format(1, col, c.metric.label(), &bold)?;
        ws.write_string_with_format(1, col + 1, "Benchmark median", &bold)?;
        col += 2;
    }
    let f = |m: Metric| if m.decimals() == 2 { &dp2 } else { &dp1 };
    let n = t.rows.len() as u32;
    for (i, r) in t.rows.iter().enumerate() {
        let row = 2 + i as u32;
        ws.write_string(row, 0, &r.org_name)?;
        ws.write_string(row, 1, &r.org_code)?;
        for (j, (c, (v, m))) in t
            .columns
            .iter()
            .zip(r.values.iter().zip(&r.group_median))
            .enumerate()
        {
            let cc = 2 + 2 * j as u16;
            match v {
                Cell::Value(x) => {
                    ws.write_number_with_format(row, cc, *x, f(c.metric))?;
                }
                Cell::Text(s) => {
                    ws.write_string(row, cc, *s)?;
                }
                Cell::Missing(_) => {}
            }
            if let Some(m) = m {
                ws.write_number_with_format(row, cc + 1, *m, f(c.metric))?;
            }
        }
    }
    for (k, (label, vals)) in [
        ("Median of these trusts", &t.set_median),
        ("National (pooled)", &t.national),
    ]
    .iter()
    .enumerate()
    {
        let row = 2 + n + k as u32;
        ws.write_string_with_format(row, 0, *label, &bold)?;
        for (j, (c, v)) in t.columns.iter().zip(vals.iter()).enumerate() {
            if let Some(v) = v {
                ws.write_number_with_format(row, 2 + 2 * j as u16, *v, f(c.metric))?;
            }
        }
    }
    ws.set_freeze_panes(2, 2)?;
    ws.set_column_width(0, 44)?;
    wb.save_to_buffer()
}

#[derive(Template)]
#[template(path = "peers.html")]
struct PeersPage<'a> {
    title: String,
    synthetic: Option<&'static str>,
    intro: String,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    extra: &'a [TextTable],
}

pub fn html_page(t: &PeerTable, extra: &[TextTable]) -> std::result::Result<String, askama::Error> {
    PeersPage {
        title: format!("WRES {}: {}", t.year, t.set),
        synthetic: t.synthetic.then_some(SYNTHETIC_NOTE),
        intro: format!(
            "Each trust's figures side by side, with the median of these trusts and the national pooled figure. Values derived from counts of 1 to {} people are shown as * (disclosure control).",
            t.min_count as i64 - 1
        ),
        headers: headers(t),
        rows: text_rows(t),
        extra,
    }
    .render()
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn render(path: &Path) -> impl FnOnce(String) -> Error + '_ {
    move |message| Error::Render {
        path: path.to_path_buf(),
        message,
    }
}

/// `OUT/YYYY/regions/<slug>.{xlsx,html}` for every region, and the national
/// summary `OUT/YYYY/national/wres-national-YYYY.{xlsx,html}`.
pub fn write_region_and_national(
    r: &Results,
    register: &Register,
    year: i32,
    out: &Path,
    min_count: f64,
    counts: &ReturnCounts,
) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    let dir = out.join(year.to_string()).join("regions");
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    let regions: std::collections::BTreeSet<String> =
        register.iter().map(|o| o.region.clone()).collect();
    let cols = columns();
    let min_trusts = r.params.min_trusts;
    for region in &regions {
        let t = peer_table(
            r,
            register,
            year,
            &PeerSet::Region(region.clone()),
            &cols,
            min_count,
        )?;
        let x = dir.join(format!("{}.xlsx", slug(region)));
        std::fs::write(&x, xlsx_bytes(&t).map_err(|e| render(&x)(e.to_string()))?)
            .map_err(io(&x))?;
        let h = dir.join(format!("{}.html", slug(region)));
        std::fs::write(
            &h,
            html_page(&t, &[]).map_err(|e| render(&h)(e.to_string()))?,
        )
        .map_err(io(&h))?;
        written.push(h);
    }

    // National summary: pooled and median by year; by group and region this year.
    let ndir = out.join(year.to_string()).join("national");
    std::fs::create_dir_all(&ndir).map_err(io(&ndir))?;
    let mut extra = Vec::new();
    let mut by_year = Vec::new();
    for y in &r.years {
        let mut row = vec![y.to_string()];
        for c in &cols {
            let n = r.national(*y, c.key());
            row.push(fmt::opt(n.and_then(|n| n.pooled), |x| c.metric.format(x)));
            row.push(fmt::opt(
                n.filter(|n| n.n_orgs >= min_trusts).and_then(|n| n.median),
                |x| c.metric.format(x),
            ));
        }
        by_year.push(row);
    }
    let mut h = vec!["WRES year".to_string()];
    for c in &cols {
        h.push(format!("{} (pooled)", c.metric.label()));
        h.push("median".into());
    }
    extra.push(("National figures by year".to_string(), by_year, h));
    for (label, groups) in [
        (
            "benchmark group",
            register
                .iter()
                .map(|o| o.benchmark_group.clone())
                .collect::<std::collections::BTreeSet<_>>(),
        ),
        ("region", regions.clone()),
    ] {
        let mut rows = Vec::new();
        for g in &groups {
            let mut row = vec![g.clone()];
            for c in &cols {
                let k = c.key();
                let s = if label == "region" {
                    r.region(g, year, k)
                } else {
                    r.group(g, year, k)
                };
                // Medians from fewer trusts than the minimum are withheld.
                row.push(fmt::opt(
                    s.filter(|s| s.n_orgs >= min_trusts).and_then(|s| s.median),
                    |x| c.metric.format(x),
                ));
            }
            rows.push(row);
        }
        let mut h = vec![label.to_string()];
        h.extend(
            cols.iter()
                .map(|c| format!("{} (median)", c.metric.label())),
        );
        extra.push((format!("Medians by {label}, {year}"), rows, h));
    }
    // Every trust without an accepted return for a section: which, and why
    // (rejected or missing), so nobody reads "no figures" as "all is well".
    let sections = crate::model::Section::ALL;
    let mut not_in: Vec<Vec<String>> = Vec::new();
    for o in register.iter() {
        let st = crate::export::return_statuses(r, &o.org_code, year);
        if st.iter().all(|x| x.status == "accepted") {
            continue;
        }
        let mut row = vec![o.org_name.clone(), o.org_code.clone(), o.region.clone()];
        row.extend(st.iter().map(|x| x.status.to_string()));
        not_in.push(row);
    }
    let per_section: Vec<String> = sections
        .iter()
        .enumerate()
        .map(|(i, sec)| {
            let n = |want: &str| not_in.iter().filter(|row| row[3 + i] == want).count();
            format!(
                "{}: {} rejected, {} missing",
                sec.code(),
                n("rejected"),
                n("missing")
            )
        })
        .collect();
    let mut h = vec!["Trust".into(), "Code".into(), "Region".into()];
    h.extend(sections.iter().map(|s| format!("{} return", s.code())));
    extra.push((
        format!(
            "Returns for {year}: {} section{} received, {} accepted, {} rejected; {} file{} could not be read as a return at all (year unknown, counted over every year). Trusts without an accepted return: {}",
            counts.received,
            if counts.received == 1 { "" } else { "s" },
            counts.accepted,
            counts.rejected,
            counts.unreadable,
            if counts.unreadable == 1 { "" } else { "s" },
            per_section.join("; ")
        ),
        not_in,
        h,
    ));
    let t = PeerTable {
        year,
        set: "England".into(),
        min_count,
        columns: cols.clone(),
        rows: Vec::new(),
        set_median: vec![None; cols.len()],
        national: cols
            .iter()
            .map(|c| r.national(year, c.key()).and_then(|n| n.pooled))
            .collect(),
        synthetic: r.synthetic,
    };
    let hpath = ndir.join(format!("wres-national-{year}.html"));
    std::fs::write(
        &hpath,
        html_page(&t, &extra).map_err(|e| render(&hpath)(e.to_string()))?,
    )
    .map_err(io(&hpath))?;
    let xpath = ndir.join(format!("wres-national-{year}.xlsx"));
    std::fs::write(
        &xpath,
        national_xlsx(year, &extra, r.synthetic).map_err(|e| render(&xpath)(e.to_string()))?,
    )
    .map_err(io(&xpath))?;
    written.push(hpath);
    Ok(written)
}

fn national_xlsx(
    year: i32,
    tables: &[TextTable],
    synthetic: bool,
) -> std::result::Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut wb = Workbook::new();
    wb.set_properties(&fixed_properties()?.set_title(format!("WRES national summary {year}")));
    let bold = Format::new().set_bold().set_background_color(0xEEF3F8);
    for (i, (title, rows, headers)) in tables.iter().enumerate() {
        let ws = wb.add_worksheet();
        ws.set_name(
            ["By year", "By benchmark group", "By region", "Returns"]
                .get(i)
                .copied()
                .unwrap_or("More"),
        )?;
        ws.write_string(0, 0, format!("{}{title}", synthetic_prefix(synthetic)))?;
        for (j, h) in headers.iter().enumerate() {
            ws.write_string_with_format(1, j as u16, h, &bold)?;
        }
        for (k, row) in rows.iter().enumerate() {
            for (j, c) in row.iter().enumerate() {
                // Figures as numbers where they are numbers (units are in the header).
                let plain = c
                    .trim_end_matches('%')
                    .trim_end_matches(" pp")
                    .replace(',', "");
                match plain.parse::<f64>() {
                    Ok(v) if j > 0 => ws.write_number(2 + k as u32, j as u16, v)?,
                    _ => ws.write_string(2 + k as u32, j as u16, c)?,
                };
            }
        }
        ws.set_freeze_panes(2, 1)?;
        ws.set_column_width(0, 40)?;
    }
    wb.save_to_buffer()
}

/// Sections received, accepted and rejected in a year (from the ledger).
#[derive(Debug, Clone, Default)]
pub struct ReturnCounts {
    pub received: usize,
    pub accepted: usize,
    pub rejected: usize,
    /// Files rejected whole, before any organisation or year could be read
    /// from them: they belong to no year, so they are counted over all.
    pub unreadable: usize,
}

/// Counts the ledger's sections for a year, in the snapshot `engine` reads
/// (the same state as its results).
pub fn return_counts(
    engine: &crate::engine::Engine,
    year: i32,
) -> Result<ReturnCounts, crate::warehouse::Error> {
    let ledger = engine.snapshot.ledger(&engine.root)?;
    let mut c = ReturnCounts {
        unreadable: ledger
            .iter()
            .filter(|s| s.section.is_none() && s.outcome == "rejected")
            .count(),
        ..Default::default()
    };
    for s in ledger.iter().filter(|s| s.year == Some(year)) {
        c.received += 1;
        match s.outcome.as_str() {
            "rejected" => c.rejected += 1,
            _ => c.accepted += 1,
        }
    }
    Ok(c)
}
