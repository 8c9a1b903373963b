//! The national report, `OUT/YYYY/national/wres-national-YYYY.{html,xlsx}`:
//! for each headline indicator the national pooled figure and the median of
//! trusts over every year held, the spread of trust values this year by
//! benchmark group and by region, and (for relative likelihoods) the share
//! of trusts outside the parity band and significantly adverse by year; the
//! Model Employer picture; national key findings; completeness of the
//! returns by region and section with the trusts named; method and
//! provenance. One [`Doc`], rendered as HTML and Excel.
//!
//! Trust values appear only as dots under disclosure control (the same
//! cells as the region packs: nothing derived from a count of 1-7);
//! medians and quartiles only from at least `min_trusts` trusts.

use std::collections::BTreeSet;

use super::doc::{Cell, Chart, ChartKind, Doc, Section, Table, axis_label, sheet_name};
use super::{SYNTHETIC_NOTE, method_notes};
use crate::fmt;
use crate::metric::{Kind, Metric};
use crate::model::{self, BANDS, StaffGroup};
use crate::register::Register;
use crate::results::peers::{columns, peer_table};
use crate::results::{Cell as PeerCell, Column, PeerSet, Results, ReturnCounts, return_statuses};

/// What the national report is made from.
pub struct Inputs<'a> {
    pub results: &'a Results,
    pub register: &'a Register,
    pub year: i32,
    pub min_count: f64,
    pub counts: &'a ReturnCounts,
}

/// The national report of a year.
pub fn report(i: &Inputs) -> Result<Doc, crate::results::Error> {
    let r = i.results;
    let cols = columns();
    let mut sections = vec![summary(i, &cols)];
    for c in &cols {
        sections.push(indicator(i, c)?);
    }
    sections.push(model_employer(i));
    sections.push(completeness(i));
    sections.push(method(i));
    Ok(Doc {
        title: format!("WRES {}: national report", i.year),
        subtitle: format!(
            "England · {} trusts with figures · WRES year {} (staff survey {}) · {} years held ({}–{})",
            r.orgs_in(i.year).len(),
            i.year,
            i.year - 1,
            r.years.len(),
            r.years.first().copied().unwrap_or(i.year),
            r.years.last().copied().unwrap_or(i.year)
        ),
        synthetic: r.synthetic.then_some(SYNTHETIC_NOTE),
        sections,
        landscape: false,
    })
}

/// A median or quartile as the report may show it: from enough trusts.
fn enough(r: &Results, n: i64, v: Option<f64>) -> Option<f64> {
    super::enough(n, v, &r.params)
}

/// A figure of `c` at its decimals, "–" when absent.
fn val(c: &Column, v: Option<f64>) -> Cell {
    Cell::metric(v, c.metric)
}

fn pooled(r: &Results, year: i32, c: &Column) -> Option<f64> {
    r.national(year, c.key()).and_then(|n| n.pooled)
}

fn median(r: &Results, year: i32, c: &Column) -> Option<f64> {
    r.national(year, c.key())
        .and_then(|n| enough(r, n.n_orgs, n.median))
}

/// Relative likelihoods: trusts with a ratio, those outside the parity band
/// (infinite ratios are above it) and their share, in a year.
fn outside_band(r: &Results, year: i32, c: &Column) -> (usize, usize) {
    let band = [r.params.parity_low, r.params.parity_high];
    let mut with = 0;
    let mut outside = 0;
    for org in r.orgs_in(year) {
        let Some(row) = r.org_row(org, year, c.key()) else {
            continue;
        };
        let v = if row.is_infinite() {
            Some(f64::INFINITY)
        } else {
            row.value
        };
        if let Some(v) = v {
            with += 1;
            if v < band[0] || v > band[1] {
                outside += 1;
            }
        }
    }
    (with, outside)
}

fn share(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| 100.0 * part as f64 / whole as f64)
}

fn summary(i: &Inputs, cols: &[Column]) -> Section {
    let (r, y) = (i.results, i.year);
    let mut s = Section::new("summary", "Summary", "Summary");
    s.para(format!(
        "National figures are pooled: numerators and denominators summed over every trust, then the formula applied. The median of trusts is the middle trust's own figure (shown from at least {} trusts). Staff survey figures are BME staff's, from the NHS Staff Survey {}.",
        r.params.min_trusts,
        y - 1
    ));
    s.list("Key findings", findings(i, cols));
    let mut t = Table::new(
        format!("Headline figures, {y}"),
        &[
            "Figure",
            "National (pooled)",
            "Previous year",
            "Median of trusts",
            "Trusts",
        ],
    );
    for c in cols {
        let n = r.national(y, c.key());
        t.row(
            c.metric.label(),
            vec![
                val(c, pooled(r, y, c)),
                val(c, pooled(r, y - 1, c)),
                val(c, median(r, y, c)),
                Cell::count(n.map(|n| n.n_orgs as f64)),
            ],
        );
    }
    s.table(t);
    s
}

/// National key findings: each indicator's pooled figure against last
/// year's and the median trust's, in the words of the trust findings.
fn findings(i: &Inputs, cols: &[Column]) -> Vec<String> {
    let (r, y) = (i.results, i.year);
    let mut out = Vec::new();
    let since = |c: &Column, now: f64| -> String {
        // Survey figures are labelled by survey year, a year before the WRES year.
        let when = if (5..=8).contains(&c.metric.indicator()) {
            format!("the {} survey", y - 2)
        } else {
            (y - 1).to_string()
        };
        match pooled(r, y - 1, c) {
            Some(p) if c.metric.format(p) == c.metric.format(now) => {
                format!(", the same as in {when}")
            }
            Some(p) if p < now => format!(", up from {} in {when}", c.metric.format(p)),
            Some(p) => format!(", down from {} in {when}", c.metric.format(p)),
            None => String::new(),
        }
    };
    let med = |c: &Column| -> String {
        median(r, y, c)
            .map(|m| format!("; the median trust's figure is {}", c.metric.format(m)))
            .unwrap_or_default()
    };
    for c in cols {
        let Some(v) = pooled(r, y, c) else { continue };
        let text = match c.metric.kind() {
            Kind::RelativeLikelihood => ratio_finding(r, y, c, v, &since(c, v), &med(c)),
            Kind::SurveyPct => {
                let white = r
                    .national(y, (c.metric.code(), "", "", "white"))
                    .and_then(|n| n.pooled);
                format!(
                    "{}: {} of BME staff in the {} survey{}, against {} of White staff{}.",
                    c.metric.label(),
                    fmt::pct1(v),
                    y - 1,
                    since(c, v),
                    fmt::opt(white, fmt::pct1),
                    med(c)
                )
            }
            _ => format!(
                "{}: {}{}{}.",
                c.metric.label(),
                c.metric.format(v),
                since(c, v),
                med(c)
            ),
        };
        out.push(text);
    }
    if let Some(gap) = summed_gap(r, y) {
        out.push(format!(
            "Model Employer: {} more BME staff at bands 8a and above would mirror each trust's overall BME share (summed over trusts).",
            fmt::count(gap)
        ));
    }
    out
}

/// A relative likelihood's national finding: the pooled ratio, the change,
/// the median trust, and the share of trusts outside parity.
fn ratio_finding(r: &Results, y: i32, c: &Column, v: f64, since: &str, med: &str) -> String {
    let sentence = c.metric.likelihood_sentence().unwrap_or_default();
    let (with, outside) = outside_band(r, y, c);
    // Stored as a share of 1; printed as a percentage.
    let sig = r
        .national(y, c.key())
        .and_then(|n| n.share_significant_above_1)
        .map(|s| 100.0 * s);
    format!(
        "Nationally, {}{}{}. {} of {} trusts ({}) are outside the four-fifths band ({} to {}){}.",
        sentence.replace("{x}", &c.metric.format(v)),
        since,
        med,
        outside,
        with,
        fmt::opt(share(outside, with), fmt::pct1),
        fmt::fixed(r.params.parity_low, 2),
        fmt::fixed(r.params.parity_high, 2),
        sig.map(|s| format!("; {} have a ratio significantly above 1", fmt::pct1(s)))
            .unwrap_or_default()
    )
}

/// The parity gap at 8a and above, summed over trusts and staff groups.
fn summed_gap(r: &Results, year: i32) -> Option<f64> {
    let parts: Vec<f64> = [StaffGroup::Clinical, StaffGroup::NonClinical]
        .iter()
        .filter_map(|sg| {
            r.national(
                year,
                (Metric::Ind1ParityGap.code(), sg.code(), "8a_plus", ""),
            )
            .and_then(|n| n.pooled)
        })
        .collect();
    (!parts.is_empty()).then(|| parts.iter().sum())
}

fn indicator(i: &Inputs, c: &Column) -> Result<Section, crate::results::Error> {
    let r = i.results;
    let m = c.metric;
    let id = m.code().replace('.', "-");
    let mut s = Section::new(&id, m.label(), sheet_name(m));
    let rl = m.kind() == Kind::RelativeLikelihood;
    let refs = if rl {
        vec![
            (r.params.parity_low, fmt::fixed(r.params.parity_low, 2)),
            (1.0, "parity".to_string()),
            (r.params.parity_high, fmt::fixed(r.params.parity_high, 2)),
        ]
    } else {
        Vec::new()
    };

    s.chart(trend_chart(r, c, &refs));

    // The spread of trust values this year, by benchmark group and by region.
    let groups: BTreeSet<String> = i
        .register
        .iter()
        .map(|o| o.benchmark_group.clone())
        .collect();
    let regions: BTreeSet<String> = i.register.iter().map(|o| o.region.clone()).collect();
    for (what, names) in [("benchmark group", &groups), ("region", &regions)] {
        s.chart(spread_chart(i, c, what, names, &refs)?);
    }
    if rl {
        s.chart(parity_shares(r, c));
    }
    Ok(s)
}

/// The national pooled figure and the median of trusts over every year held.
fn trend_chart(r: &Results, c: &Column, refs: &[(f64, String)]) -> Chart {
    let m = c.metric;
    let mut t = Table::new(
        format!(
            "{}: national pooled figure and median of trusts, by WRES year",
            m.label()
        ),
        &[
            "WRES year",
            "National (pooled)",
            "Median of trusts",
            "Lower quartile",
            "Upper quartile",
            "Trusts",
        ],
    );
    for yy in &r.years {
        let n = r.national(*yy, c.key());
        t.row(
            yy.to_string(),
            vec![
                val(c, n.and_then(|n| n.pooled)),
                val(c, n.and_then(|n| enough(r, n.n_orgs, n.median))),
                val(c, n.and_then(|n| enough(r, n.n_orgs, n.q1))),
                val(c, n.and_then(|n| enough(r, n.n_orgs, n.q3))),
                Cell::count(n.map(|n| n.n_orgs as f64)),
            ],
        );
    }
    let mut trend = Chart::new(ChartKind::Line, format!("{} by year", m.label()), t)
        .series(&[0, 1])
        .axis(axis_label(m))
        .caption("The national pooled figure and the median of trusts for every year held; the table gives the quartiles too.");
    trend.refs = refs.to_vec();
    trend.log = m.kind() == Kind::RelativeLikelihood;
    trend
}

/// The spread of trust values this year by benchmark group or by region:
/// quartiles and median from the result tables, trusts as dots under
/// disclosure control (the peer table's cells).
fn spread_chart(
    i: &Inputs,
    c: &Column,
    what: &str,
    names: &BTreeSet<String>,
    refs: &[(f64, String)],
) -> Result<Chart, crate::results::Error> {
    let (r, y, m) = (i.results, i.year, c.metric);
    let rl = m.kind() == Kind::RelativeLikelihood;
    let mut t = Table::new(
        format!("{}: trust values in {y} by {what}", m.label()),
        &[
            what,
            "Trusts with a value",
            "Shown as dots",
            "Lower quartile",
            "Median",
            "Upper quartile",
        ],
    );
    t.headers[0] = capitalise(what);
    let mut points = Vec::new();
    for name in names {
        let set = if what == "region" {
            PeerSet::Region(name.clone())
        } else {
            PeerSet::Group(name.clone())
        };
        let stats = if what == "region" {
            r.region(name, y, c.key())
        } else {
            r.group(name, y, c.key())
        };
        let pt = peer_table(r, i.register, y, &set, std::slice::from_ref(c), i.min_count)?;
        let dots: Vec<f64> = pt
            .rows
            .iter()
            .filter_map(|row| match row.values.first() {
                Some(PeerCell::Value(v)) => Some(*v),
                _ => None,
            })
            .collect();
        let n = stats.map_or(0, |s| s.n_orgs);
        let st = |f: fn(&crate::results::Stats) -> Option<f64>| {
            stats.and_then(|s| enough(r, s.n_orgs, f(s)))
        };
        t.row(
            name.clone(),
            vec![
                Cell::count(Some(n as f64)),
                Cell::count(Some(dots.len() as f64)),
                val(c, st(|s| s.q1)),
                val(c, st(|s| s.median)),
                val(c, st(|s| s.q3)),
            ],
        );
        points.push(dots);
    }
    let mut ch = Chart::new(ChartKind::Box, format!("{} by {what}, {y}", m.label()), t)
        .series(&[2, 3, 4])
        .axis(axis_label(m))
        .caption(format!(
            "Each dot is a trust; the box runs from the lower to the upper quartile and the thick mark is the median (from at least {} trusts). Values derived from counts of 1 to {} people, and infinite ratios, are not drawn. The dashed line is the national pooled figure{}.",
            r.params.min_trusts,
            i.min_count as i64 - 1,
            if rl { " and the parity band" } else { "" }
        ));
    ch.points = points;
    ch.log = rl;
    ch.refs = refs.to_vec();
    if let Some(p) = pooled(r, y, c) {
        ch.refs.push((p, "England".into()));
    }
    Ok(ch)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Relative likelihoods by year: the share of trusts outside the parity
/// band and the share significantly above 1 (adverse).
fn parity_shares(r: &Results, c: &Column) -> Chart {
    let mut t = Table::new(
        format!(
            "{}: trusts outside the parity band and significantly adverse, by WRES year",
            c.metric.label()
        ),
        &[
            "WRES year",
            "Outside the band %",
            "Significantly above 1 %",
            "Trusts with a ratio",
            "Outside the band",
        ],
    );
    for y in &r.years {
        let (with, outside) = outside_band(r, *y, c);
        let sig = r
            .national(*y, c.key())
            .and_then(|n| n.share_significant_above_1)
            .map(|s| 100.0 * s);
        t.row(
            y.to_string(),
            vec![
                Cell::pct1(share(outside, with)),
                Cell::pct1(sig),
                Cell::count(Some(with as f64)),
                Cell::count(Some(outside as f64)),
            ],
        );
    }
    Chart::new(
        ChartKind::Line,
        format!("{}: share of trusts outside parity", c.metric.label()),
        t,
    )
    .series(&[0, 1])
    .axis("Per cent of trusts")
    .caption(format!(
        "Outside the band: a ratio below {} or above {} (infinite ratios count as above). Significantly above 1: the 95% interval lies wholly above 1, adverse to BME staff.",
        fmt::fixed(r.params.parity_low, 2),
        fmt::fixed(r.params.parity_high, 2)
    ))
}

fn model_employer(i: &Inputs) -> Section {
    let (r, y) = (i.results, i.year);
    let mut s = Section::new("model-employer", "Model Employer", "Model Employer");
    let overall = r
        .national(y, (Metric::Ind1BmePct.code(), "all", "all", ""))
        .and_then(|n| n.pooled);
    s.para(format!(
        "The Model Employer goal: BME representation at every Agenda for Change band, 8a and above in particular, that mirrors the workforce as a whole ({} BME nationally in {y}, pooled).",
        fmt::opt(overall, fmt::pct1)
    ));
    let mut t = Table::new(
        format!("BME % by band, England {y} (pooled)"),
        &["Band", "Clinical", "Non-clinical", "Whole workforce"],
    );
    for cat in BANDS {
        let get = |sg: StaffGroup| {
            r.national(y, (Metric::Ind1BmePct.code(), sg.code(), cat.code(), ""))
                .and_then(|n| n.pooled)
        };
        let (cl, nc) = (get(StaffGroup::Clinical), get(StaffGroup::NonClinical));
        if cl.is_none() && nc.is_none() {
            continue;
        }
        t.row(
            cat.label(),
            vec![Cell::pct1(cl), Cell::pct1(nc), Cell::pct1(overall)],
        );
    }
    let mut bands = Chart::new(ChartKind::Bar, format!("BME % by band, {y}"), t)
        .series(&[0, 1])
        .axis("BME % of staff in the band")
        .caption("Clinical and non-clinical staff by Agenda for Change band; the dashed line is the BME share of the whole workforce.");
    if let Some(o) = overall {
        bands.refs.push((o, "whole workforce".into()));
    }
    s.chart(bands);

    let mut t = Table::new(
        "BME staff short of parity at bands 8a and above, summed over trusts, by WRES year",
        &["WRES year", "Clinical", "Non-clinical", "Total"],
    );
    for yy in &r.years {
        let get = |sg: StaffGroup| {
            r.national(
                *yy,
                (Metric::Ind1ParityGap.code(), sg.code(), "8a_plus", ""),
            )
            .and_then(|n| n.pooled)
        };
        t.row(
            yy.to_string(),
            vec![
                Cell::count(get(StaffGroup::Clinical)),
                Cell::count(get(StaffGroup::NonClinical)),
                Cell::count(summed_gap(r, *yy)),
            ],
        );
    }
    s.chart(
        Chart::new(ChartKind::Line, "Parity gap at 8a and above by year", t)
            .series(&[2, 0, 1])
            .axis("BME staff short of parity")
            .caption(format!(
                "Each trust's gap is the BME headcount its bands 8a and above would need to mirror its own overall BME share, rounded half up; the national figure sums them. The goal year is {}.",
                r.params.model_employer_year
            )),
    );
    s
}

fn completeness(i: &Inputs) -> Section {
    let (r, y, c) = (i.results, i.year, i.counts);
    let mut s = Section::new("returns", "Returns received", "Returns");
    s.para(format!(
        "For {y}: {} received, {} accepted, {} rejected. {} could not be read as a return at all (their year is unknown; counted over every year).",
        fmt::counted(c.received, "section", "sections"),
        c.accepted,
        c.rejected,
        fmt::counted(c.unreadable, "file", "files"),
    ));
    let sections = model::Section::ALL;
    let mut headers = vec!["Region".to_string(), "Trusts".to_string()];
    for sec in sections {
        for what in ["accepted", "rejected", "missing"] {
            headers.push(format!("{}: {what}", short_section(*sec)));
        }
    }
    let mut t = Table::with_headers(
        format!("Returns for {y} by region and section (trusts)"),
        headers,
    );
    let regions: BTreeSet<&str> = i.register.iter().map(|o| o.region.as_str()).collect();
    let mut missing_rows = Vec::new();
    let mut total = vec![0usize; 1 + 3 * sections.len()];
    for region in &regions {
        let mut n = vec![0usize; 1 + 3 * sections.len()];
        for o in i.register.iter().filter(|o| o.region == *region) {
            n[0] += 1;
            let st = return_statuses(r, &o.org_code, y);
            for (k, x) in st.iter().enumerate() {
                let at = match x.status {
                    "accepted" => 0,
                    "rejected" => 1,
                    _ => 2,
                };
                n[1 + 3 * k + at] += 1;
            }
            if st.iter().any(|x| x.status != "accepted") {
                let mut cells = vec![Cell::text(o.org_code.clone()), Cell::text(o.region.clone())];
                cells.extend(
                    st.iter()
                        .map(|x| Cell::text(x.status).class(status_class(x.status))),
                );
                missing_rows.push((o.org_name.clone(), cells));
            }
        }
        for (a, b) in total.iter_mut().zip(&n) {
            *a += b;
        }
        t.row(
            *region,
            n.iter().map(|v| Cell::count(Some(*v as f64))).collect(),
        );
    }
    t.row(
        "England",
        total.iter().map(|v| Cell::count(Some(*v as f64))).collect(),
    );
    s.table(t);
    if missing_rows.is_empty() {
        s.para("Every trust in the register has an accepted return for every section.");
    } else {
        let mut h = vec!["Trust", "Code", "Region"];
        let labels: Vec<String> = sections
            .iter()
            .map(|x| short_section(*x).to_string())
            .collect();
        h.extend(labels.iter().map(String::as_str));
        let mut t = Table::new(
            format!("Trusts without an accepted return for {y}: {}", missing_rows.len()),
            &h,
        )
        .note("Rejected: a return arrived and failed validation (the trust's pack lists why). Missing: nothing was received.");
        for (name, cells) in missing_rows {
            t.row(name, cells);
        }
        s.table(t);
    }
    s
}

fn short_section(s: model::Section) -> &'static str {
    match s {
        model::Section::Workforce => "Workforce",
        model::Section::Survey => "Staff survey",
    }
}

fn status_class(status: &str) -> &'static str {
    match status {
        "rejected" => "rejected",
        "missing" => "missing",
        _ => "",
    }
}

fn method(i: &Inputs) -> Section {
    let r = i.results;
    let mut s = Section::new("method", "Method and provenance", "Method");
    s.list("Method", method_notes(&r.params));
    let mut t = Table::new("Provenance", &["Item", "Value"]);
    t.row("Tool", vec![Cell::text(crate::TOOL)]);
    t.row("Register", vec![Cell::text(r.register_origin.clone())]);
    t.row(
        "Results built from the ledger as of",
        vec![Cell::text(
            r.built_from_ledger_at.clone().unwrap_or_else(|| "–".into()),
        )],
    );
    for (k, v) in crate::engine::query_hashes() {
        t.row(k, vec![Cell::text(v.as_str().unwrap_or("").to_string())]);
    }
    s.table(t);
    s
}
