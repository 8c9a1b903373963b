//! HTML packs: one self-contained file per trust (inline CSS and SVG, no
//! network), rendered with askama from `templates/`.

use askama::Template;

use super::doc::{Cell as DocCell, Chart as DocChart, ChartKind, Table as DocTable};
use super::{Figure, Funnel, Pack, charts};
use crate::fmt;
use crate::metric::{Metric, words};
use crate::model::{self, BANDS, Category, MEDICAL_GRADES, StaffGroup};

/// A table: every row has a header cell.
pub struct Table {
    pub caption: String,
    pub headers: Vec<String>,
    pub rows: Vec<(String, Vec<String>)>,
    pub note: String,
}

pub struct Chart {
    pub svg: String,
    pub caption: String,
}

pub struct Section {
    pub id: &'static str,
    pub title: &'static str,
    pub intro: String,
    pub tables: Vec<Table>,
    pub charts: Vec<Chart>,
}

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
    sections: Vec<Section>,
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

fn v(p: &Pack, metric: Metric, sg: &str, cat: &str, eth: &str) -> Option<f64> {
    p.figure(metric, sg, cat, eth).and_then(|f| f.value)
}

/// A figure's value as shown: `suppressed`, `infinite`, or the number.
fn shown(p: &Pack, f: Option<&Figure>) -> String {
    match f {
        Some(f) if f.suppressed => "suppressed".into(),
        Some(f) if f.has_flag("infinite") => "infinite".into(),
        Some(f) => fmt::opt(f.value, |x| f.value_text(x, p.params.parity_band)),
        None => "–".into(),
    }
}

/// The benchmark median a pack may show (from enough trusts), or "–".
fn median_of(f: Option<&Figure>) -> String {
    match f.and_then(|f| f.benchmark.as_ref().and_then(|b| b.median).map(|m| (f, m))) {
        Some((f, m)) => f.median_text(m),
        None => "–".into(),
    }
}

fn indicator1(p: &Pack) -> Section {
    let mut tables = Vec::new();
    let overall = p.figure(Metric::Ind1BmePct, "all", "all", "");
    for sg in StaffGroup::ALL {
        let cats: &[Category] = match sg {
            StaffGroup::Medical => MEDICAL_GRADES,
            _ => BANDS,
        };
        let mut rows = Vec::new();
        for c in cats {
            let (sgc, cc) = (sg.code(), c.code());
            let Some(pct) = p.figure(Metric::Ind1BmePct, sgc, cc, "") else {
                continue;
            };
            let hc = |e: &str| fmt::opt(v(p, Metric::Ind1Headcount, sgc, cc, e), fmt::count);
            rows.push((
                c.label().to_string(),
                vec![
                    hc("white"),
                    hc("bme"),
                    hc("unknown"),
                    shown(p, Some(pct)),
                    median_of(Some(pct)),
                    fmt::opt(v(p, Metric::Ind1ParityGap, sgc, cc, ""), fmt::count),
                ],
            ));
        }
        if rows.is_empty() {
            continue;
        }
        tables.push(Table {
            caption: format!("{}: BME staff by band or grade", sg.label()),
            headers: ["Band or grade", "White", "BME", "Unknown", "BME %", "Benchmark median BME %", "BME staff short of parity"]
                .map(String::from)
                .to_vec(),
            rows,
            // The Model Employer goals cover Agenda for Change bands 8a and above.
            note: if *sg == StaffGroup::Medical {
                String::new()
            } else {
                format!(
                    "Parity (Model Employer, bands 8a and above): the BME headcount each band would need to mirror the trust's overall {} BME workforce, rounded half up. 8a and above together: {}.",
                    fmt::opt(overall.and_then(|o| o.value), fmt::pct1),
                    fmt::opt(v(p, Metric::Ind1ParityGap, sg.code(), "8a_plus", ""), fmt::count)
                )
            },
        });
    }
    let intro = match overall {
        Some(o) => format!(
            "BME staff are {} of the workforce{}; the benchmark median is {}.{}",
            shown(p, Some(o)),
            match (o.numerator, o.denominator) {
                (Some(n), Some(d)) => format!(" ({} of {})", fmt::count(n), fmt::count(d)),
                _ => String::new(),
            },
            median_of(Some(o)),
            if o.has_flag("workforce_from_ind3") {
                " No indicator 1 table was returned: indicator 3's workforce stands in."
            } else {
                ""
            }
        ),
        None => match p.returns.iter().find(|r| r.section == "workforce") {
            Some(r) if r.status == "rejected" => format!(
                "The workforce return ({}) was rejected, so there are no workforce figures; its errors are listed under Data quality.",
                r.file.as_deref().unwrap_or("")
            ),
            _ => "No workforce return was received.".into(),
        },
    };
    Section {
        id: "ind1",
        title: "Indicator 1: workforce by band",
        intro,
        tables,
        charts: Vec::new(),
    }
}

/// One of indicators 2-4: the ratio, its source percentage, and the labels
/// of the counts table's rows (denominator, numerator, likelihood).
type RatioSpec = (Metric, Metric, &'static str, &'static str, &'static str);

fn indicators_2_4(p: &Pack) -> Section {
    let mut tables = Vec::new();
    let mut charts = Vec::new();
    let spec: [RatioSpec; 3] = [
        (
            Metric::Ind2RelativeLikelihood,
            Metric::Ind2AppointedPct,
            "Shortlisted applicants",
            "Appointed from shortlisting",
            "Likelihood of appointment",
        ),
        (
            Metric::Ind3RelativeLikelihood,
            Metric::Ind3DisciplinaryPct,
            "Workforce",
            "Entered the formal disciplinary process",
            "Likelihood of entering the process",
        ),
        (
            Metric::Ind4RelativeLikelihood,
            Metric::Ind4TrainingPct,
            "Workforce",
            "Accessed non-mandatory training and CPD",
            "Likelihood of accessing training",
        ),
    ];
    for s in spec {
        let Some(counts) = counts_table(p, s) else {
            continue;
        };
        tables.push(counts);
        tables.extend(ratio_table(p, s.0));
        charts.extend(ratio_trend_chart(p, s.0));
        charts.extend(funnel_chart(p, s.0));
    }
    Section {
        id: "ind2-4",
        title: "Indicators 2-4: appointment, disciplinary, training",
        intro: "Relative likelihoods are computed from the counts below; 1 means parity.".into(),
        tables,
        charts,
    }
}

/// The counts behind a relative likelihood, by ethnicity (none when the
/// return has none).
fn counts_table(
    p: &Pack,
    (rl_metric, pct, den_label, num_label, lik_label): RatioSpec,
) -> Option<Table> {
    let ind = rl_metric.indicator();
    let eths = ["all", "white", "bme", "unknown"];
    let figs: Vec<Option<&Figure>> = eths.iter().map(|e| p.figure(pct, "", "", e)).collect();
    if figs.iter().all(Option::is_none) {
        return None;
    }
    let col = |f: fn(&Figure) -> Option<f64>, show: fn(f64) -> String| -> Vec<String> {
        figs.iter().map(|x| fmt::opt(x.and_then(f), show)).collect()
    };
    let rows = vec![
        (den_label.to_string(), col(|f| f.denominator, fmt::count)),
        (num_label.to_string(), col(|f| f.numerator, fmt::count)),
        (
            lik_label.to_string(),
            col(
                |f| f.value,
                |x| format!("{:.2}%", fmt::round_half_away(x, 2)),
            ),
        ),
    ];
    Some(Table {
        caption: format!(
            "Indicator {ind}: {}",
            model::Indicator::new(ind).map_or("", |i| i.title())
        ),
        headers: ["", "Total", "White", "BME", "Unknown"]
            .map(String::from)
            .to_vec(),
        rows,
        note: String::new(),
    })
}

/// The relative likelihood this year and in earlier years, with its
/// interval, the benchmark median, the national figure and the judgements.
fn ratio_table(p: &Pack, rl_metric: Metric) -> Option<Table> {
    let ind = rl_metric.indicator();
    let rl = p.figure(rl_metric, "", "", "")?;
    let band = p.params.parity_band;
    // Earlier years carry no judgement, but print on the same side of
    // the parity band edges as they lie, like this year's value.
    let r2 = |x: f64| fmt::metric_value_beside(rl_metric, x, &band);
    let interval = |lo: Option<f64>, hi: Option<f64>, text: &dyn Fn(f64) -> String| match (lo, hi) {
        (Some(a), Some(b)) => format!("{} to {}", text(a), text(b)),
        (Some(a), None) => format!("{} to infinity", text(a)),
        _ => "–".into(),
    };
    let mut rows = vec![(
        p.year.to_string(),
        vec![
            shown(p, Some(rl)),
            interval(rl.ci_low, rl.ci_high, &|x| rl.bound_text(x)),
            median_of(Some(rl)),
            fmt::opt(rl.national.as_ref().and_then(|n| n.pooled), |x| {
                rl_metric.format(x)
            }),
            if rl.flags.is_empty() {
                "–".into()
            } else {
                rl.flags.join(", ").replace('_', " ")
            },
        ],
    )];
    for t in rl.trend.iter().rev().skip(1) {
        rows.push((
            t.year.to_string(),
            vec![
                fmt::opt(t.value, r2),
                interval(t.ci_low, t.ci_high, &r2),
                fmt::opt(t.benchmark_median, |x| rl_metric.format(x)),
                fmt::opt(t.national_pooled, |x| rl_metric.format(x)),
                String::new(),
            ],
        ));
    }
    let j = &rl.judgement;
    Some(Table {
        caption: format!(
            "Indicator {ind}: relative likelihood, {} and earlier years",
            p.year
        ),
        headers: [
            "WRES year",
            "Relative likelihood",
            "95% interval",
            "Benchmark median",
            "National (pooled)",
            "Flags",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        note: format!(
            "{}. Against parity: {}. Against the benchmark median: {}. Over the years shown: {}.",
            rl_metric.label(),
            j.parity.map_or("not comparable", words::text),
            j.benchmark.map_or("not comparable", words::text),
            j.trend.map_or("not enough years", words::text),
        ),
    })
}

/// The funnel plot of a relative likelihood, when the year has one.
fn funnel_chart(p: &Pack, rl_metric: Metric) -> Option<Chart> {
    let ind = rl_metric.indicator();
    let f = p.funnels.iter().find(|f| f.metric == rl_metric)?;
    let svg = funnel_svg(f, ind, &p.org.code).ok()?;
    let np = &f.not_plotted;
    Some(Chart {
        svg,
        caption: format!(
            "Indicator {ind}: each trust's relative likelihood against its precision (1 / Katz variance of the log ratio), with 95% (dashed) and 99.8% (dotted) limits around the national figure {}. {} is the large marker. Not plotted: {} with a ratio of 0, {} infinite, {} with counts under {}.",
            r2f(f.target),
            p.org.code,
            fmt::counted(np.zero, "trust", "trusts"),
            np.infinite,
            fmt::counted(np.small_counts, "other trust", "other trusts"),
            fmt::plain_number(p.params.min_count)
        ),
    })
}

/// A trend chart from a [`DocChart`] and its table: the SVG, with the
/// table's figures as its text alternative beside the caption.
fn trend_chart(c: &DocChart, id: &str) -> Option<Chart> {
    if !c.has_data() {
        return None;
    }
    Some(Chart {
        svg: charts::svg(c, id),
        caption: c.caption.clone(),
    })
}

/// A relative likelihood over the years shown: the trust with its 95%
/// interval, the benchmark median and the national figure, with the parity
/// band.
fn ratio_trend_chart(p: &Pack, rl_metric: Metric) -> Option<Chart> {
    let rl = p.figure(rl_metric, "", "", "")?;
    let ind = rl_metric.indicator();
    let m = rl_metric;
    let mut t = DocTable::new(
        format!("Indicator {ind}: relative likelihood by WRES year"),
        &[
            "WRES year",
            &p.org.code,
            "Benchmark median",
            "National (pooled)",
            "95% low",
            "95% high",
        ],
    );
    let v = |x: Option<f64>| DocCell::opt(x, m.decimals(), |x| m.format(x));
    for tp in &rl.trend {
        t.row(
            tp.year.to_string(),
            vec![
                v(tp.value),
                v(tp.benchmark_median),
                v(tp.national_pooled),
                v(tp.ci_low),
                v(tp.ci_high),
            ],
        );
    }
    let band = p.params.parity_band;
    let mut c = DocChart::new(ChartKind::Line, format!("Indicator {ind}: relative likelihood over time"), t)
        .series(&[0, 1, 2])
        .axis("Relative likelihood (log scale)")
        .caption(format!(
            "Indicator {ind}: {} by WRES year, with its 95% interval (whiskers), the benchmark group median and the national figure. Dashed lines: the parity band ({} to {}) and parity.",
            p.org.code,
            fmt::fixed(band[0], 2),
            fmt::fixed(band[1], 2)
        ));
    c.interval = Some((3, 4));
    c.log = true;
    c.refs = vec![
        (band[0], fmt::fixed(band[0], 2)),
        (1.0, "parity".into()),
        (band[1], fmt::fixed(band[1], 2)),
    ];
    trend_chart(&c, &format!("trend{ind}"))
}

/// A staff survey indicator over the survey years shown: BME and White
/// staff at the trust and their benchmark medians.
fn survey_trend_chart(p: &Pack, metric: Metric) -> Option<Chart> {
    let ind = metric.indicator();
    let (w, b) = (
        p.figure(metric, "", "", "white"),
        p.figure(metric, "", "", "bme"),
    );
    let mut t = DocTable::new(
        format!("Indicator {ind} by staff survey year (%)"),
        &[
            "Staff survey",
            "BME: trust",
            "White: trust",
            "BME: average",
            "White: average",
        ],
    );
    fn at(f: Option<&Figure>, y: i32) -> Option<&super::TrendPoint> {
        f.and_then(|f| f.trend.iter().find(|t| t.year == y))
    }
    for y in (p.year - super::TREND_YEARS + 1)..=p.year {
        let own = |f| at(f, y).filter(|t| !t.suppressed).and_then(|t| t.value);
        let avg = |f| at(f, y).and_then(|t| t.benchmark_median);
        t.row(
            (y - 1).to_string(),
            vec![
                DocCell::pct1(own(b)),
                DocCell::pct1(own(w)),
                DocCell::pct1(avg(b)),
                DocCell::pct1(avg(w)),
            ],
        );
    }
    let c = DocChart::new(ChartKind::Line, format!("Indicator {ind} over time"), t)
        .series(&[0, 1, 2, 3])
        .axis("Per cent")
        .caption(format!(
            "Indicator {ind}: BME and White staff at {} by staff survey year, against the benchmark group medians (average calculated as the median for the benchmark group). Suppressed years (fewer than {} responses) are gaps.",
            p.org.code,
            fmt::plain_number(p.params.min_responses)
        ));
    trend_chart(&c, &format!("survey{ind}"))
}

fn r2f(x: f64) -> String {
    Metric::Ind2RelativeLikelihood.format(x)
}

fn indicators_5_8(p: &Pack) -> Section {
    let mut tables = Vec::new();
    let mut charts = Vec::new();
    for metric in Metric::survey_pcts() {
        charts.extend(survey_trend_chart(p, metric));
        let ind = metric.indicator();
        let (w, b) = (
            p.figure(metric, "", "", "white"),
            p.figure(metric, "", "", "bme"),
        );
        if w.is_none() && b.is_none() {
            continue;
        }
        let years: Vec<i32> = ((p.year - super::TREND_YEARS + 1)..=p.year).collect();
        fn point(f: Option<&Figure>, y: i32) -> Option<&super::TrendPoint> {
            f.and_then(|f| f.trend.iter().find(|t| t.year == y))
        }
        let pct_row = |f: Option<&Figure>| -> Vec<String> {
            years
                .iter()
                .map(|y| match point(f, *y) {
                    Some(t) if t.suppressed => "*".into(),
                    Some(t) => fmt::opt(t.value, fmt::pct1),
                    None => "–".into(),
                })
                .collect()
        };
        let avg_row = |f: Option<&Figure>| -> Vec<String> {
            years
                .iter()
                .map(|y| fmt::opt(point(f, *y).and_then(|t| t.benchmark_median), fmt::pct1))
                .collect()
        };
        let resp_row = |f: Option<&Figure>| -> Vec<String> {
            years
                .iter()
                .map(|y| fmt::opt(point(f, *y).and_then(|t| t.denominator), fmt::count))
                .collect()
        };
        let mut headers = vec![String::new()];
        headers.extend(years.iter().map(|y| (y - 1).to_string()));
        tables.push(Table {
            caption: format!("Indicator {ind}: {}", model::Indicator::new(ind).map_or("", |i| i.title())),
            headers,
            rows: vec![
                (format!("White: {}", p.org.code), pct_row(w)),
                (format!("BME: {}", p.org.code), pct_row(b)),
                ("White: Average".into(), avg_row(w)),
                ("BME: Average".into(), avg_row(b)),
                ("White: Responses".into(), resp_row(w)),
                ("BME: Responses".into(), resp_row(b)),
            ],
            note: format!(
                "Average calculated as the median for the benchmark group. Columns are staff survey years. * fewer than {} responses: suppressed.{}{}",
                fmt::plain_number(p.params.min_responses),
                b.and_then(|b| b.judgement.trend).map_or(String::new(), |t| format!(" BME trend: {}.", words::text(t))),
                b.and_then(|b| b.judgement.trend_note.as_deref()).map_or(String::new(), |n| format!(" The trend is uncertain: {n}.")),
            ),
        });
    }
    Section {
        id: "ind5-8",
        title: "Indicators 5-8: staff survey",
        intro: format!(
            "From the NHS Staff Survey {} (WRES year {}).",
            p.survey_year, p.year
        ),
        tables,
        charts,
    }
}

fn indicator9(p: &Pack) -> Section {
    let mut rows = Vec::new();
    for c in crate::model::BOARD {
        let Some(b) = p.figure(Metric::Ind9BoardBmePct, "", c.code(), "") else {
            continue;
        };
        let d = v(p, Metric::Ind9DiffPp, "", c.code(), "");
        rows.push((
            c.label().to_string(),
            vec![
                fmt::opt(b.denominator, fmt::count),
                fmt::opt(b.numerator, fmt::count),
                shown(p, Some(b)),
                fmt::opt(d.zip(b.value).map(|(d, bv)| bv - d), fmt::pct1),
                fmt::opt(d, |x| Metric::Ind9DiffPp.format(x)),
                median_of(p.figure(Metric::Ind9DiffPp, "", c.code(), "")),
            ],
        ));
    }
    Section {
        id: "ind9",
        title: "Indicator 9: board membership",
        intro: "A negative difference means the board is less diverse than the workforce.".into(),
        tables: vec![Table {
            caption: "Board members against the workforce".into(),
            headers: [
                "Board",
                "Members",
                "BME members",
                "BME % of board",
                "BME % of workforce",
                "Difference",
                "Benchmark median difference",
            ]
            .map(String::from)
            .to_vec(),
            rows,
            note: String::new(),
        }],
        charts: Vec::new(),
    }
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

/// The self-contained HTML page of a pack.
pub fn pack_page(p: &Pack) -> Result<String, askama::Error> {
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
        sections: vec![
            indicator1(p),
            indicators_2_4(p),
            indicators_5_8(p),
            indicator9(p),
        ],
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
