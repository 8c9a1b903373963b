//! HTML packs: one self-contained file per trust (inline CSS and SVG, no
//! network), rendered with askama from `templates/`.

use askama::Template;

use super::doc::Section;
use super::render_html::{BlockView, SectionView, section_views};
use super::{Funnel, Pack};
use crate::fmt;
use crate::metric::{Metric, words};

pub struct HeadlineView {
    pub label: String,
    pub value: String,
    pub median: String,
    /// CSS class of the judgement (`better`, `worse`, `similar`, `neutral`).
    pub class: &'static str,
    /// The judgement as people read it.
    pub band: &'static str,
}

pub struct ReturnView {
    pub section: &'static str,
    pub status: &'static str,
    pub file: String,
    pub received: String,
    pub why: String,
}

pub struct ProvView {
    pub section: String,
    pub year: i32,
    pub file: String,
    pub sha: String,
    pub received_at: String,
}

#[derive(Template)]
#[template(path = "pack.html")]
struct PackPage<'a> {
    synthetic: bool,
    year: i32,
    survey_year: i32,
    org_code: &'a str,
    org_name: &'a str,
    benchmark_group: &'a str,
    region: &'a str,
    headlines: Vec<HeadlineView>,
    findings: Vec<&'a str>,
    sections: Vec<SectionView<'a>>,
    quality: &'a [crate::results::Quality],
    returns: Vec<ReturnView>,
    method_notes: &'a [String],
    provenance: Vec<ProvView>,
    tool: &'static str,
    queries: String,
    register: &'a str,
}

#[derive(Template)]
#[template(path = "funnel.svg", escape = "html")]
struct FunnelSvg<'a> {
    id: String,
    title: String,
    desc: String,
    org_code: &'a str,
    xlabel: &'static str,
    w: i64,
    h: i64,
    left: i64,
    right: i64,
    top: i64,
    bottom: i64,
    pw: i64,
    ph: i64,
    yticks: Vec<(String, i64)>,
    xticks: Vec<(String, i64)>,
    lim95_lo: String,
    lim95_hi: String,
    lim998_lo: String,
    lim998_hi: String,
    centre_y: i64,
    points: Vec<(String, String)>,
    this: Option<(i64, i64)>,
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage {
    year: i32,
    synthetic: Option<&'static str>,
    /// Trusts with a pack.
    packs: usize,
    /// Per section: label, trusts accepted, rejected, missing.
    sections: Vec<(String, usize, usize, usize)>,
    regions: Vec<RegionLinks>,
    /// Benchmark groups, for the filter.
    groups: Vec<String>,
}

/// A region's name, its trusts and its file slug.
type RegionLinks = (String, Vec<IndexRow>, String);

/// The funnel plot of a relative likelihood, when the year has one: its
/// SVG and caption.
pub(super) fn funnel_figure(p: &Pack, rl_metric: Metric) -> Option<(String, String)> {
    let ind = rl_metric.indicator();
    let f = p.funnels.iter().find(|f| f.metric == rl_metric)?;
    let svg = funnel_svg(f, ind, &p.org.code).ok()?;
    let np = &f.not_plotted;
    Some((
        svg,
        format!(
            "Indicator {ind}: each trust's relative likelihood against its precision (1 / Katz variance of the log ratio), with 95% (dashed) and 99.8% (dotted) limits around the national figure {}. {} is the large marker. Not plotted: {} with a ratio of 0, {} infinite, {} with counts under {}.",
            r2f(f.target),
            p.org.code,
            fmt::counted(np.zero, "trust", "trusts"),
            np.infinite,
            fmt::counted(np.small_counts, "other trust", "other trusts"),
            fmt::plain_number(p.params.min_count)
        ),
    ))
}

fn r2f(x: f64) -> String {
    Metric::Ind2RelativeLikelihood.format(x)
}

/// The funnel plot's description for screen readers: what is plotted, how
/// many trusts lie outside the 99.8% limits, and where this trust is.
fn funnel_desc(f: &Funnel, org: &str) -> String {
    let centre = f.target;
    let own = f.points.iter().find(|p| p.this_trust);
    let others: Vec<_> = f.points.iter().filter(|p| !p.this_trust).collect();
    // Outside the 99.8% limits at the point's own precision.
    let z = crate::stats::Z998;
    let n_out = others
        .iter()
        .filter(|p| (p.y / centre).ln().abs() > z * (1.0 / p.x).sqrt())
        .count();
    format!(
        "{} other trusts plotted; national pooled relative likelihood {}; {} of them lie outside the 99.8% limits. {}",
        others.len(),
        r2f(centre),
        n_out,
        match own {
            Some(p) => format!(
                "{org} has a precision of {} and a relative likelihood of {}.",
                fmt::fixed(p.x, 1),
                r2f(p.y)
            ),
            None => format!("{org} is not plotted this year."),
        }
    )
}

fn funnel_svg(f: &Funnel, ind: u8, org: &str) -> Result<String, askama::Error> {
    let (w, h, left, right, top, bottom) = (620i64, 340i64, 64i64, 600i64, 14i64, 300i64);
    let xmin = 1f64.ln();
    let xmax = f.points.iter().map(|p| p.x).fold(10.0f64, f64::max).ln();
    let centre = f.target;
    let vals: Vec<f64> = f.points.iter().map(|p| p.y).filter(|v| *v > 0.0).collect();
    let ymin = vals
        .iter()
        .copied()
        .fold(centre, f64::min)
        .min(centre / 2.0)
        .max(0.05)
        .ln();
    let ymax = vals
        .iter()
        .copied()
        .fold(centre, f64::max)
        .max(centre * 2.0)
        .min(20.0)
        .ln();
    let sx = |x: f64| {
        left as f64 + (x.max(1.0).ln() - xmin) / (xmax - xmin).max(1e-9) * (right - left) as f64
    };
    let sy = |y: f64| {
        bottom as f64
            - (y.max(0.05).ln().clamp(ymin, ymax) - ymin) / (ymax - ymin).max(1e-9)
                * (bottom - top) as f64
    };
    let line = |i: usize| -> String {
        f.limits
            .iter()
            .map(|l| format!("{:.1},{:.1}", sx(l[0]), sy(l[i])))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let yticks = [0.25, 0.5, 0.8, 1.0, 1.25, 2.0, 4.0, 8.0]
        .iter()
        .filter(|t: &&f64| t.ln() >= ymin && t.ln() <= ymax)
        .map(|t| (format!("{t}"), sy(*t).round() as i64))
        .collect();
    let xticks = [
        1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0,
    ]
    .iter()
    .filter(|t: &&f64| t.ln() >= xmin && t.ln() <= xmax)
    .map(|t| (fmt::count(*t), sx(*t).round() as i64))
    .collect();
    let own = f.points.iter().find(|p| p.this_trust);
    let others: Vec<_> = f.points.iter().filter(|p| !p.this_trust).collect();
    let svg = FunnelSvg {
        id: format!("funnel{ind}"),
        title: format!("Funnel plot, indicator {ind}"),
        desc: funnel_desc(f, org),
        org_code: org,
        xlabel: "Precision, 1 / variance of the log ratio",
        w,
        h,
        left,
        right,
        top,
        bottom,
        pw: right - left,
        ph: bottom - top,
        yticks,
        xticks,
        lim95_lo: line(1),
        lim95_hi: line(2),
        lim998_lo: line(3),
        lim998_hi: line(4),
        centre_y: sy(centre).round() as i64,
        points: others
            .iter()
            .map(|p| (format!("{:.1}", sx(p.x)), format!("{:.1}", sy(p.y))))
            .collect(),
        this: own.map(|p| (sx(p.x).round() as i64, sy(p.y).round() as i64)),
    };
    svg.render()
}

/// The self-contained HTML page of a pack, its indicator `sections` from
/// [`super::trust_sections::sections`].
pub fn pack_page(p: &Pack, sections: &[Section]) -> Result<String, askama::Error> {
    let headlines = headline_views(p);
    let page = PackPage {
        synthetic: p.synthetic,
        year: p.year,
        survey_year: p.survey_year,
        org_code: &p.org.code,
        org_name: &p.org.name,
        benchmark_group: &p.org.benchmark_group,
        region: &p.org.region,
        headlines,
        findings: p.findings.iter().map(|f| f.text.as_str()).collect(),
        sections: section_views(sections),
        quality: &p.data_quality,
        returns: return_views(p),
        method_notes: &p.method_notes,
        provenance: provenance_views(p),
        tool: p.tool,
        queries: query_list(p),
        register: &p.provenance.register,
    };
    page.render()
}

/// The summary table's rows.
fn headline_views(p: &Pack) -> Vec<HeadlineView> {
    p.summary
        .iter()
        .map(|h| HeadlineView {
            label: h.label.clone(),
            value: fmt::opt(h.value, |x| {
                fmt::metric_value_at(h.metric, x, h.value_decimals)
            }),
            median: fmt::opt(h.benchmark_median, |x| {
                fmt::metric_value_at(h.metric, x, h.median_decimals)
            }),
            class: match h.judgement {
                Some(w @ (words::BETTER | words::WORSE | words::SIMILAR)) => w,
                _ => "neutral",
            },
            band: h.judgement.map_or("not comparable", words::text),
        })
        .collect()
}

/// This year's returns, with why a section is rejected or missing.
fn return_views(p: &Pack) -> Vec<ReturnView> {
    p.returns
        .iter()
        .map(|r| ReturnView {
            section: crate::model::Section::parse(&r.section).map_or("", |s| s.label()),
            status: r.status,
            file: r.file.clone().unwrap_or_else(|| "–".into()),
            received: r.received.clone().unwrap_or_else(|| "–".into()),
            why: match r.status {
                "rejected" => r
                    .errors
                    .iter()
                    .map(|e| format!("{} ({}): {}", e.code, e.location, e.message))
                    .collect::<Vec<_>>()
                    .join(" "),
                "missing" => "No return was received for this section.".into(),
                _ => String::new(),
            },
        })
        .collect()
}

/// The returns the figures come from (file names only, hashes shortened).
fn provenance_views(p: &Pack) -> Vec<ProvView> {
    p.provenance
        .submissions
        .iter()
        .map(|s| ProvView {
            section: s.section.clone(),
            year: s.year,
            file: std::path::Path::new(&s.file)
                .file_name()
                .map(|f| f.to_string_lossy().to_string())
                .unwrap_or_default(),
            sha: s.sha256.chars().take(16).collect(),
            received_at: s.received_at.clone(),
        })
        .collect()
}

/// The queries' names and their hashes, shortened.
fn query_list(p: &Pack) -> String {
    p.provenance
        .queries
        .iter()
        .map(|(k, v)| {
            format!(
                "{k} {}",
                v.as_str()
                    .unwrap_or("")
                    .chars()
                    .take(12)
                    .collect::<String>()
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `OUT/YYYY/index.html`: every trust's pack, grouped by region.
pub fn index_page(
    year: i32,
    rows: &[IndexRow],
    synthetic: Option<&'static str>,
) -> Result<String, askama::Error> {
    let mut regions: std::collections::BTreeMap<String, Vec<IndexRow>> = Default::default();
    for r in rows {
        regions.entry(r.region.clone()).or_default().push(r.clone());
    }
    for v in regions.values_mut() {
        v.sort_by(|a, b| a.name.cmp(&b.name));
    }
    let count = |f: &dyn Fn(&IndexRow) -> bool| rows.iter().filter(|r| f(r)).count();
    let groups: std::collections::BTreeSet<String> = rows.iter().map(|r| r.group.clone()).collect();
    IndexPage {
        year,
        synthetic,
        groups: groups.into_iter().collect(),
        packs: count(&|r| r.pack),
        sections: crate::model::Section::ALL
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let n = |want: &str| count(&|r| r.statuses.get(i).is_some_and(|x| *x == want));
                (
                    s.label().to_string(),
                    n("accepted"),
                    n("rejected"),
                    n("missing"),
                )
            })
            .collect(),
        regions: regions
            .into_iter()
            .map(|(r, v)| {
                let s = crate::register::slug(&r);
                (r, v, s)
            })
            .collect(),
    }
    .render()
}

/// One register trust in the index: its pack (if any) and the status of
/// each section of its return (`accepted`, `rejected`, `missing`), in
/// [`crate::model::Section::ALL`] order.
#[derive(Debug, Clone)]
pub struct IndexRow {
    pub code: String,
    pub name: String,
    pub region: String,
    pub group: String,
    pub pack: bool,
    pub statuses: Vec<&'static str>,
}
