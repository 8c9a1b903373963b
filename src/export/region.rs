//! Region packs, `OUT/YYYY/regions/<slug>.{html,xlsx}`: every trust of the
//! region with its benchmark group beside it, sorted by group, each headline
//! figure with the region median and the national figure; then a dot plot
//! per headline figure with each trust's group median and the region median
//! marked. The cells are `wresbench peers --region`'s: disclosure control
//! as everywhere (values from counts of 1-7 are `*`).

use super::SYNTHETIC_NOTE;
use super::doc::{Cell, Chart, ChartKind, Doc, Section, Table, axis_label, sheet_name};
use crate::fmt;
use crate::metric::{Kind, Metric};
use crate::results::{Cell as PeerCell, PeerRow, PeerTable};

fn shown(c: &PeerCell, m: Metric) -> Cell {
    match c {
        PeerCell::Value(v) => Cell::num(*v, m.format(*v), m.decimals()),
        PeerCell::Text(t) => Cell::text(*t),
        PeerCell::Missing(_) => Cell::text("–"),
    }
}

/// The region pack of a peer table made for one region.
pub fn pack(t: &PeerTable, region: &str, min_trusts: i64) -> Doc {
    let mut rows: Vec<&PeerRow> = t.rows.iter().collect();
    rows.sort_by(|a, b| (&a.benchmark_group, &a.org_name).cmp(&(&b.benchmark_group, &b.org_name)));
    let mut first = Section::new("trusts", format!("Trusts in {region}"), "Trusts");
    first.para(format!(
        "Each trust's headline figures for WRES year {} (staff survey {}), trusts sorted by benchmark group. Values derived from counts of 1 to {} people are shown as * (disclosure control). Medians come from at least {} trusts.",
        t.year,
        t.year - 1,
        t.min_count as i64 - 1,
        min_trusts
    ));
    let mut headers = vec!["Trust".to_string(), "Code".into(), "Benchmark group".into()];
    headers.extend(t.columns.iter().map(|c| c.metric.label().to_string()));
    let mut table = Table::with_headers(format!("{region}: headline figures, {}", t.year), headers);
    for r in &rows {
        let mut cells = vec![
            Cell::text(r.org_code.clone()),
            Cell::text(r.benchmark_group.clone()),
        ];
        cells.extend(
            r.values
                .iter()
                .zip(&t.columns)
                .map(|(v, c)| shown(v, c.metric)),
        );
        table.row(r.org_name.clone(), cells);
    }
    for (label, vals) in [
        ("Median of the region", &t.set_median),
        ("England (pooled)", &t.national),
    ] {
        let mut cells = vec![Cell::text(""), Cell::text("")];
        cells.extend(
            vals.iter()
                .zip(&t.columns)
                .map(|(v, c)| Cell::metric(*v, c.metric)),
        );
        table.row(label, cells);
    }
    first.table(table);

    let mut sections = vec![first];
    for (j, c) in t.columns.iter().enumerate() {
        sections.push(dot_section(t, &rows, region, j, c.metric));
    }
    Doc {
        title: format!("WRES {}: {region}", t.year),
        subtitle: format!(
            "{} trusts · WRES year {} · staff survey {} · {}",
            t.rows.len(),
            t.year,
            t.year - 1,
            fmt::counted(t.columns.len(), "headline figure", "headline figures")
        ),
        synthetic: t.synthetic.then_some(SYNTHETIC_NOTE),
        sections,
        landscape: true,
    }
}

/// A headline figure's section: a dot plot of the region's trusts, with each
/// trust's group median, the region median and the national figure.
fn dot_section(t: &PeerTable, rows: &[&PeerRow], region: &str, j: usize, m: Metric) -> Section {
    let mut s = Section::new(&m.code().replace('.', "-"), m.label(), sheet_name(m));
    let mut dt = Table::new(
        format!("{}: {region}, {}", m.label(), t.year),
        &[
            "Trust",
            "Value",
            "Benchmark group median",
            "Benchmark group",
        ],
    );
    for r in rows {
        dt.row(
            r.org_name.clone(),
            vec![
                shown(&r.values[j], m),
                Cell::metric(r.group_median[j], m),
                Cell::text(r.benchmark_group.clone()),
            ],
        );
    }
    let mut ch = Chart::new(ChartKind::Dot, format!("{} by trust", m.label()), dt)
        .series(&[0, 1])
        .axis(axis_label(m))
        .caption(format!(
            "Each trust's value (dot) and its benchmark group's median (square); the dashed lines are the region median and the national figure. Cells shown as * or infinite are not drawn.{}",
            if m.kind() == Kind::RelativeLikelihood { " Relative likelihoods on a log scale; 1 is parity." } else { "" }
        ));
    ch.log = m.kind() == Kind::RelativeLikelihood;
    if let Some(v) = t.set_median[j] {
        ch.refs
            .push((v, format!("{region} median {}", m.format(v))));
    }
    if let Some(v) = t.national[j] {
        ch.refs.push((v, format!("England {}", m.format(v))));
    }
    s.chart(ch);
    s
}
