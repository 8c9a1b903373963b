//! `OUT/YYYY/explorer.html`: the peer tables of `wresbench peers` in the
//! browser, offline. One self-contained page: the figures as inline JSON,
//! plain JavaScript to choose a peer set, figures and a year (or the trend),
//! and the table, dot plots and small line charts drawn from them.
//!
//! The JSON holds exactly what a peer table may show: every cell comes from
//! [`peer_table`] over all trusts, so a value derived from a count of 1 to
//! `min_count - 1` is already `*` before it reaches the page (it is not in
//! the file, even hidden). Area medians are the result tables' (regions,
//! ICBs, groups, from at least `min_trusts` trusts), as in region packs; the
//! page computes a named list's median over the cells shown, as
//! `wresbench peers --orgs` does.

use std::collections::BTreeMap;

use askama::Template;
use serde::Serialize;

use super::Result;
use crate::metric::Kind;
use crate::register::Register;
use crate::results::peers::{area_medians, columns, peer_table};
use crate::results::{Cell, PeerSet, Results};

#[derive(Serialize)]
struct Column {
    code: &'static str,
    label: &'static str,
    /// How the page prints it: `ratio`, `pct`, `pp` or `count` (src/fmt.rs).
    kind: &'static str,
    dp: usize,
}

/// Per year, per area name, a median per column.
type Medians = BTreeMap<i32, BTreeMap<String, Vec<Option<f64>>>>;

#[derive(Serialize)]
struct Data {
    year: i32,
    years: Vec<i32>,
    synthetic: bool,
    min_trusts: i64,
    min_count: f64,
    columns: Vec<Column>,
    /// Code, name, region, ICB code, ICB name, benchmark group; register order.
    orgs: Vec<[String; 6]>,
    /// Per year: per trust (in `orgs` order), a cell per column.
    values: BTreeMap<i32, Vec<Vec<Cell>>>,
    region_median: Medians,
    icb_median: Medians,
    group_median: Medians,
    national: BTreeMap<i32, Vec<Option<f64>>>,
}

#[derive(Template)]
#[template(path = "explorer.html")]
struct Page<'a> {
    year: i32,
    synthetic: Option<&'static str>,
    min_count_less: i64,
    /// The JSON, safe inside `<script>` (`</` written `<\/`).
    data: &'a str,
}

/// The explorer page of `year`, with every year held up to it.
pub fn page(r: &Results, register: &Register, year: i32, min_count: f64) -> Result<String> {
    let data = data(r, register, year, min_count)?;
    let json = serde_json::to_string(&data)?.replace("</", "<\\/");
    Page {
        year,
        synthetic: r.synthetic.then_some(super::SYNTHETIC_NOTE),
        min_count_less: min_count as i64 - 1,
        data: &json,
    }
    .render()
    .map_err(|source| super::Error::Html {
        path: "explorer.html".into(),
        source,
    })
}

fn data(r: &Results, register: &Register, year: i32, min_count: f64) -> Result<Data> {
    let cols = columns();
    let orgs: Vec<[String; 6]> = register
        .iter()
        .map(|o| {
            [
                o.org_code.clone(),
                o.org_name.clone(),
                o.region.clone(),
                o.icb_code.clone(),
                o.icb_name.clone(),
                o.benchmark_group.clone(),
            ]
        })
        .collect();
    let everyone = PeerSet::Orgs(orgs.iter().map(|o| o[0].clone()).collect());
    let distinct = |i: usize| -> std::collections::BTreeSet<String> {
        orgs.iter().map(|o| o[i].clone()).collect()
    };
    let (regions, icbs, groups) = (distinct(2), distinct(3), distinct(5));
    let years: Vec<i32> = r.years.iter().copied().filter(|y| *y <= year).collect();
    let mut d = Data {
        year,
        years: years.clone(),
        synthetic: r.synthetic,
        min_trusts: r.params.min_trusts,
        min_count,
        columns: cols
            .iter()
            .map(|c| Column {
                code: c.metric.code(),
                label: c.metric.label(),
                kind: match c.metric.kind() {
                    Kind::RelativeLikelihood => "ratio",
                    Kind::Count => "count",
                    Kind::Gap | Kind::BoardDiff => "pp",
                    Kind::Proportion | Kind::SurveyPct => "pct",
                },
                dp: c.metric.decimals(),
            })
            .collect(),
        orgs,
        values: BTreeMap::new(),
        region_median: BTreeMap::new(),
        icb_median: BTreeMap::new(),
        group_median: BTreeMap::new(),
        national: BTreeMap::new(),
    };
    for y in years {
        let all = peer_table(r, register, y, &everyone, &cols, min_count)?;
        d.values
            .insert(y, all.rows.into_iter().map(|row| row.values).collect());
        d.national.insert(y, all.national);
        let medians = |sets: &std::collections::BTreeSet<String>,
                       make: fn(String) -> PeerSet|
         -> Result<BTreeMap<String, Vec<Option<f64>>>> {
            let mut m = BTreeMap::new();
            for name in sets {
                let medians = area_medians(r, register, y, &make(name.clone()), &cols)?;
                m.insert(name.clone(), medians);
            }
            Ok(m)
        };
        d.region_median
            .insert(y, medians(&regions, PeerSet::Region)?);
        d.icb_median.insert(y, medians(&icbs, PeerSet::Icb)?);
        d.group_median.insert(y, medians(&groups, PeerSet::Group)?);
    }
    Ok(d)
}
