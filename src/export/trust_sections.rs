//! A trust pack's indicator sections as one [`doc`](super::doc) model, which
//! the pack's page (`html.rs`) and workbook (`xlsx.rs`) both render: a
//! section per indicator, each opening with the figure, its change since
//! last year and its place among the trust's peers, then that indicator's
//! findings, its tables, its trend chart over the years held and (for
//! indicators 2-4) the funnel plot.

use super::doc::{Cell, Chart, ChartKind, Section, Table, sheet_name};
use super::{Figure, Pack, TREND_YEARS, TrendPoint, html};
use crate::fmt;
use crate::metric::{Kind, Metric, words};
use crate::model::{self, BANDS, BOARD, Category, MEDICAL_GRADES, StaffGroup};

/// The indicator sections in reading order: 1, 2, 3, 4, 5, 6, 7, 8, 9.
pub fn sections(p: &Pack) -> Vec<Section> {
    let mut out = vec![indicator1(p)];
    out.extend(RATIOS.iter().map(|r| ratio_section(p, r)));
    out.extend(Metric::survey_pcts().map(|m| survey_section(p, m)));
    out.push(indicator9(p));
    out
}

fn v(p: &Pack, metric: Metric, sg: &str, cat: &str, eth: &str) -> Option<f64> {
    p.figure(metric, sg, cat, eth).and_then(|f| f.value)
}

/// A figure's value as shown: `suppressed`, `infinite`, or the number at
/// the decimals that keep it on its side of the parity band.
fn value_cell(p: &Pack, f: Option<&Figure>) -> Cell {
    match f {
        Some(f) if f.suppressed => Cell::text("suppressed"),
        Some(f) if f.has_flag("infinite") => Cell::text("infinite"),
        Some(f) => match f.value {
            Some(x) => {
                let band = p.params.parity_band;
                Cell::num(x, f.value_text(x, band), f.value_decimals(x, band))
            }
            None => Cell::text("–"),
        },
        None => Cell::text("–"),
    }
}

/// The benchmark median a pack may show (from enough trusts), or "–".
fn median_cell(f: Option<&Figure>) -> Cell {
    match f.and_then(|f| f.benchmark.as_ref().and_then(|b| b.median).map(|m| (f, m))) {
        Some((f, m)) => Cell::num(m, f.median_text(m), f.median_decimals(m)),
        None => Cell::text("–"),
    }
}

/// This indicator's key findings.
fn findings(p: &Pack, ind: u8) -> Vec<String> {
    p.findings
        .iter()
        .filter(|f| f.indicator == ind)
        .map(|f| f.text.clone())
        .collect()
}

/// The value of `f`'s trend in WRES year `y`, when one is shown.
fn at(f: &Figure, y: i32) -> Option<f64> {
    point(Some(f), y)
        .filter(|t| !t.suppressed)
        .and_then(|t| t.value)
}

/// "Change since 2024: from 30.1% to 32.5% (+2.4 percentage points)." A
/// description, not a judgement: whether a change is a real one is the
/// trend judgement's question (over the years shown, tested at 95%).
/// `label` names the years as the reader knows them (survey years).
/// A relative likelihood prints on its side of the parity band's edges.
fn change(p: &Pack, f: &Figure, label: impl Fn(i32) -> i32) -> Option<String> {
    let year = p.year;
    let (a, b) = (at(f, year - 1)?, at(f, year)?);
    let m = f.metric;
    let show = |x: f64| match m.kind() {
        Kind::RelativeLikelihood => fmt::metric_value_beside(m, x, &p.params.parity_band),
        _ => m.format(x),
    };
    let d = b - a;
    let unit = match m.kind() {
        Kind::Proportion | Kind::SurveyPct | Kind::Gap | Kind::BoardDiff => " percentage points",
        _ => "",
    };
    Some(format!(
        "Change since {}: from {} to {} ({}{unit}).",
        label(year - 1),
        show(a),
        show(b),
        fmt::signed(d, m.decimals())
    ))
}

/// Where the figure sits among the trust's peers: rank (1 = highest
/// value), of how many, and quartile, in the benchmark group and region.
fn position(f: &Figure) -> Option<String> {
    let g = f.benchmark.as_ref()?;
    let rank = g.rank?;
    let mut s = format!(
        "Rank {rank} of {} in the benchmark group (1 = the highest value{})",
        g.n_orgs,
        match f.metric.direction() {
            crate::metric::Direction::Lower => ", the least favourable",
            crate::metric::Direction::Higher => ", the most favourable",
            _ => "",
        }
    );
    if let Some(q) = g.quartile {
        s.push_str(&format!(
            ", in its {} quarter",
            ["lowest", "second", "third", "highest"][(q.clamp(1, 4) - 1) as usize]
        ));
    }
    if let Some(r) = f.region.as_ref()
        && let Some(rr) = r.rank
    {
        s.push_str(&format!("; {rr} of {} in {}", r.n_orgs, r.name));
    }
    s.push('.');
    Some(s)
}

/// The point of a figure's trend in WRES year `y`.
fn point(f: Option<&Figure>, y: i32) -> Option<&TrendPoint> {
    f.and_then(|f| f.trend.iter().find(|t| t.year == y))
}

/// A line chart of a figure over the years held: the trust, its benchmark
/// median and the national figure (and the interval, where it has one).
fn trend_chart(p: &Pack, f: &Figure, title: String, caption: String) -> Chart {
    let m = f.metric;
    let has_ci = f.trend.iter().any(|t| t.ci_low.is_some());
    let mut heads = vec![
        "WRES year",
        p.org.code.as_str(),
        "Benchmark median",
        "National",
    ];
    if has_ci {
        heads.extend(["95% low", "95% high"]);
    }
    let mut t = Table::new(format!("{} by WRES year", m.label()), &heads);
    let c = |x: Option<f64>| Cell::metric(x, m);
    for tp in &f.trend {
        let own = if tp.suppressed { None } else { tp.value };
        let mut cells = vec![c(own), c(tp.benchmark_median), c(tp.national_pooled)];
        if has_ci {
            cells.extend([c(tp.ci_low), c(tp.ci_high)]);
        }
        t.row(tp.year.to_string(), cells);
    }
    let mut chart = Chart::new(ChartKind::Line, title, t)
        .series(&[0, 1, 2])
        .axis(super::doc::axis_label(m))
        .caption(caption);
    if has_ci {
        chart.interval = Some((3, 4));
    }
    chart
}

// ---------------------------------------------------------------- ind 1

fn indicator1(p: &Pack) -> Section {
    let mut s = Section::new("ind1", "Indicator 1: workforce by band", "Ind 1 workforce");
    let overall = p.figure(Metric::Ind1BmePct, "all", "all", "");
    s.para(ind1_intro(p, overall));
    if let Some(o) = overall {
        s.para(
            [change(p, o, |y| y), position(o)]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    s.para(declaration(p));
    s.list("Findings", findings(p, 1));
    if let Some(o) = overall {
        s.chart(trend_chart(
            p,
            o,
            "BME % of the workforce over time".into(),
            format!(
                "BME staff as a share of {}'s workforce by WRES year, against the benchmark group median and the national figure.",
                p.org.code
            ),
        ));
    }
    if let Some(c) = bands_chart(p, overall) {
        s.chart(c);
    }
    if let Some(t) = model_employer_table(p) {
        s.table(t);
    }
    for t in band_tables(p) {
        s.table(t);
    }
    s
}

fn ind1_intro(p: &Pack, overall: Option<&Figure>) -> String {
    match overall {
        Some(o) => format!(
            "BME staff are {} of the workforce{}; the benchmark median is {}.{}",
            value_cell(p, Some(o)).text,
            match (o.numerator, o.denominator) {
                (Some(n), Some(d)) => format!(" ({} of {})", fmt::count(n), fmt::count(d)),
                _ => String::new(),
            },
            median_cell(Some(o)).text,
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
    }
}

/// The declaration rate: staff whose ethnicity is unknown or not stated.
fn declaration(p: &Pack) -> String {
    let Some(u) = p.figure(Metric::Ind1UnknownPct, "all", "all", "") else {
        return String::new();
    };
    let Some(x) = u.value else {
        return String::new();
    };
    format!(
        "Ethnicity unknown or not stated: {} of staff (benchmark median {}). Unknown ethnicity counts in the workforce but in neither group of a ratio.",
        Metric::Ind1UnknownPct.format(x),
        median_cell(Some(u)).text
    )
}

/// BME % of each Agenda for Change band, non-clinical and clinical,
/// against the whole workforce's share.
fn bands_chart(p: &Pack, overall: Option<&Figure>) -> Option<Chart> {
    let mut t = Table::new(
        "BME % of staff by band",
        &["Band", "Non-clinical", "Clinical"],
    );
    for c in BANDS {
        let pct = |sg: StaffGroup| v(p, Metric::Ind1BmePct, sg.code(), c.code(), "");
        let (a, b) = (pct(StaffGroup::NonClinical), pct(StaffGroup::Clinical));
        if a.is_none() && b.is_none() {
            continue;
        }
        t.row(c.label(), vec![Cell::pct1(a), Cell::pct1(b)]);
    }
    let whole = overall.and_then(|o| o.value);
    let mut chart = Chart::new(ChartKind::Bar, "BME % of staff by band", t)
        .series(&[0, 1])
        .axis("Per cent")
        .caption(format!(
            "BME staff as a share of each Agenda for Change band at {}, non-clinical and clinical{}.",
            p.org.code,
            whole.map_or(String::new(), |w| format!(
                ", against the whole workforce's {} (dashed line)",
                fmt::pct1(w)
            ))
        ));
    if let Some(w) = whole {
        chart.refs = vec![(w, format!("whole workforce {}", fmt::pct1(w)))];
    }
    chart.has_data().then_some(chart)
}

/// Model Employer: each band of 8a and above, its BME headcount, the BME
/// staff short of parity with the trust's overall share and the annual goal.
fn model_employer_table(p: &Pack) -> Option<Table> {
    let mut t = Table::new(
        "Model Employer: bands 8a and above",
        &[
            "Band",
            "White",
            "BME",
            "Unknown",
            "BME %",
            "BME staff short of parity",
            &format!("Annual goal to {}", p.params.model_employer_year),
        ],
    );
    let senior = &BANDS[BANDS
        .iter()
        .position(|c| *c == Category::Band8a)
        .unwrap_or(0)..];
    for sg in [StaffGroup::NonClinical, StaffGroup::Clinical] {
        let s = sg.code();
        let hc = |cc: &str, e: &str| v(p, Metric::Ind1Headcount, s, cc, e);
        let rows = senior
            .iter()
            .map(|c| (c.code(), c.label().to_string()))
            .chain([("8a_plus", "8a and above".to_string())]);
        for (cc, label) in rows {
            let gap = v(p, Metric::Ind1ParityGap, s, cc, "");
            let goal = v(p, Metric::Ind1ParityAnnualGoal, s, cc, "");
            // 8a and above has no rows of its own: the six bands' headcounts
            // summed (a band the return leaves out counts 0, as in
            // org_metrics.sql). Its BME % is not a warehouse figure, so it
            // is not printed: every percentage in a pack comes from the SQL.
            let count = |e: &str| match cc {
                "8a_plus" => {
                    let xs: Vec<f64> = senior.iter().filter_map(|c| hc(c.code(), e)).collect();
                    (!xs.is_empty()).then(|| xs.iter().sum())
                }
                _ => hc(cc, e),
            };
            let (white, bme, unknown) = (count("white"), count("bme"), count("unknown"));
            let pct = v(p, Metric::Ind1BmePct, s, cc, "");
            if gap.is_none() && pct.is_none() && bme.is_none() {
                continue;
            }
            t.row(
                format!("{}: {label}", sg.label()),
                vec![
                    Cell::count(white),
                    Cell::count(bme),
                    Cell::count(unknown),
                    Cell::pct1(pct),
                    Cell::count(gap),
                    Cell::opt(goal, 1, fmt::num1),
                ],
            );
        }
    }
    if t.rows.is_empty() {
        return None;
    }
    let overall = v(p, Metric::Ind1BmePct, "all", "all", "");
    Some(t.note(format!(
        "Parity: the BME headcount each band would need to mirror the trust's overall {} BME workforce, rounded half up. The annual goal spreads the gap over the years to {}.",
        fmt::opt(overall, fmt::pct1),
        p.params.model_employer_year
    )))
}

/// Every band or grade of each staff group, by ethnicity.
fn band_tables(p: &Pack) -> Vec<Table> {
    let mut out = Vec::new();
    for sg in StaffGroup::ALL {
        let cats: &[Category] = match sg {
            StaffGroup::Medical => MEDICAL_GRADES,
            _ => BANDS,
        };
        let mut t = Table::new(
            format!("{}: BME staff by band or grade", sg.label()),
            &[
                "Band or grade",
                "White",
                "BME",
                "Unknown",
                "BME %",
                "Benchmark median BME %",
                "BME staff short of parity",
            ],
        );
        for c in cats {
            let (sgc, cc) = (sg.code(), c.code());
            let Some(pct) = p.figure(Metric::Ind1BmePct, sgc, cc, "") else {
                continue;
            };
            let hc = |e: &str| Cell::count(v(p, Metric::Ind1Headcount, sgc, cc, e));
            t.row(
                c.label(),
                vec![
                    hc("white"),
                    hc("bme"),
                    hc("unknown"),
                    value_cell(p, Some(pct)),
                    median_cell(Some(pct)),
                    Cell::count(v(p, Metric::Ind1ParityGap, sgc, cc, "")),
                ],
            );
        }
        if !t.rows.is_empty() {
            out.push(t);
        }
    }
    out
}

// ------------------------------------------------------------ ind 2-4

/// One of indicators 2-4: the ratio, its source percentage, the labels of
/// the counts table's rows (denominator, numerator, likelihood) and the
/// section's anchor.
struct RatioSpec {
    /// The section's title after "Indicator N: ".
    short: &'static str,
    rl: Metric,
    pct: Metric,
    den: &'static str,
    num: &'static str,
    lik: &'static str,
}

const RATIOS: [RatioSpec; 3] = [
    RatioSpec {
        short: "appointment from shortlisting",
        rl: Metric::Ind2RelativeLikelihood,
        pct: Metric::Ind2AppointedPct,
        den: "Shortlisted applicants",
        num: "Appointed from shortlisting",
        lik: "Likelihood of appointment",
    },
    RatioSpec {
        short: "formal disciplinary process",
        rl: Metric::Ind3RelativeLikelihood,
        pct: Metric::Ind3DisciplinaryPct,
        den: "Workforce",
        num: "Entered the formal disciplinary process",
        lik: "Likelihood of entering the process",
    },
    RatioSpec {
        short: "non-mandatory training and CPD",
        rl: Metric::Ind4RelativeLikelihood,
        pct: Metric::Ind4TrainingPct,
        den: "Workforce",
        num: "Accessed non-mandatory training and CPD",
        lik: "Likelihood of accessing training",
    },
];

fn ratio_section(p: &Pack, spec: &RatioSpec) -> Section {
    let ind = spec.rl.indicator();
    let mut s = Section::new(
        &format!("ind{ind}"),
        format!("Indicator {ind}: {}", spec.short),
        sheet_name(spec.rl),
    );
    let rl = p.figure(spec.rl, "", "", "");
    s.para(match rl {
        Some(f) => {
            let mut t = format!(
                "{}: {} (1 means parity).",
                model::Indicator::new(ind).map_or("", |i| i.title()),
                value_cell(p, Some(f)).text
            );
            for x in [change(p, f, |y| y), position(f)].into_iter().flatten() {
                t.push(' ');
                t.push_str(&x);
            }
            t
        }
        None => format!("No indicator {ind} figures for {} this year.", p.year),
    });
    s.list("Findings", findings(p, ind));
    if let Some(t) = counts_table(p, spec) {
        s.table(t);
    }
    if let Some(t) = ratio_table(p, spec.rl) {
        s.table(t);
    }
    if spec.rl == Metric::Ind3RelativeLikelihood
        && let Some(t) = two_year_table(p)
    {
        s.table(t);
    }
    if let Some(f) = rl
        && let Some(c) = ratio_trend_chart(p, f)
    {
        s.chart(c);
    }
    if let Some((svg, caption)) = html::funnel_figure(p, spec.rl) {
        s.figure(svg, caption);
    }
    s
}

/// The counts behind a relative likelihood, by ethnicity (none when the
/// return has none).
fn counts_table(p: &Pack, spec: &RatioSpec) -> Option<Table> {
    let ind = spec.rl.indicator();
    let eths = ["all", "white", "bme", "unknown"];
    let figs: Vec<Option<&Figure>> = eths.iter().map(|e| p.figure(spec.pct, "", "", e)).collect();
    if figs.iter().all(Option::is_none) {
        return None;
    }
    let col = |f: fn(&Figure) -> Option<f64>, dp: usize, show: fn(f64) -> String| -> Vec<Cell> {
        figs.iter()
            .map(|x| Cell::opt(x.and_then(f), dp, show))
            .collect()
    };
    let mut t = Table::new(
        format!(
            "Indicator {ind}: {}",
            model::Indicator::new(ind).map_or("", |i| i.title())
        ),
        &["", "Total", "White", "BME", "Unknown"],
    );
    t.row(spec.den, col(|f| f.denominator, 0, fmt::count));
    t.row(spec.num, col(|f| f.numerator, 0, fmt::count));
    t.row(
        spec.lik,
        col(
            |f| f.value,
            2,
            |x| format!("{:.2}%", fmt::round_half_away(x, 2)),
        ),
    );
    Some(t)
}

fn interval_text(lo: Option<f64>, hi: Option<f64>, text: &dyn Fn(f64) -> String) -> String {
    match (lo, hi) {
        (Some(a), Some(b)) => format!("{} to {}", text(a), text(b)),
        (Some(a), None) => format!("{} to infinity", text(a)),
        _ => "–".into(),
    }
}

/// The relative likelihood this year and in earlier years, with its
/// interval, the benchmark median, the national figure and the judgements.
fn ratio_table(p: &Pack, rl_metric: Metric) -> Option<Table> {
    let ind = rl_metric.indicator();
    let rl = p.figure(rl_metric, "", "", "")?;
    let band = p.params.parity_band;
    // Earlier years carry no judgement, but print on the same side of
    // the parity band edges as they lie, like this year's value.
    let beside = |x: Option<f64>| {
        Cell::opt(x, rl_metric.decimals(), |x| {
            fmt::metric_value_beside(rl_metric, x, &band)
        })
    };
    let plain = |x: Option<f64>| Cell::metric(x, rl_metric);
    let mut t = Table::new(
        format!(
            "Indicator {ind}: relative likelihood, {} and earlier years",
            p.year
        ),
        &[
            "WRES year",
            "Relative likelihood",
            "95% interval",
            "Benchmark median",
            "National (pooled)",
            "Flags",
        ],
    );
    t.row(
        p.year.to_string(),
        vec![
            value_cell(p, Some(rl)),
            Cell::text(interval_text(rl.ci_low, rl.ci_high, &|x| rl.bound_text(x))),
            median_cell(Some(rl)),
            plain(rl.national.as_ref().and_then(|n| n.pooled)),
            Cell::text(if rl.flags.is_empty() {
                "–".into()
            } else {
                rl.flags.join(", ").replace('_', " ")
            }),
        ],
    );
    for tp in rl.trend.iter().rev().skip(1) {
        let r2 = |x: f64| fmt::metric_value_beside(rl_metric, x, &band);
        t.row(
            tp.year.to_string(),
            vec![
                beside(tp.value),
                Cell::text(interval_text(tp.ci_low, tp.ci_high, &r2)),
                plain(tp.benchmark_median),
                plain(tp.national_pooled),
                Cell::text(""),
            ],
        );
    }
    let j = &rl.judgement;
    Some(t.note(format!(
        "{}. Against parity: {}. Against the benchmark median: {}. Over the years shown: {}.",
        rl_metric.label(),
        j.parity.map_or("not comparable", words::text),
        j.benchmark.map_or("not comparable", words::text),
        j.trend.map_or("not enough years", words::text),
    )))
}

/// Indicator 3 over two years beside the single year: disciplinary cases
/// are few, and the two-year figure is the steadier one.
fn two_year_table(p: &Pack) -> Option<Table> {
    let one = p.figure(Metric::Ind3RelativeLikelihood, "", "", "");
    let two = p.figure(Metric::Ind3RelativeLikelihood2yr, "", "", "")?;
    let mut t = Table::new(
        "Indicator 3: one year and two years",
        &[
            "Period",
            "Relative likelihood",
            "95% interval",
            "Benchmark median",
            "National (pooled)",
            "Against parity",
        ],
    );
    for (label, f) in [
        (p.year.to_string(), one),
        (format!("{} and {}", p.year - 1, p.year), Some(two)),
    ] {
        let Some(f) = f else { continue };
        t.row(
            label,
            vec![
                value_cell(p, Some(f)),
                Cell::text(interval_text(f.ci_low, f.ci_high, &|x| f.bound_text(x))),
                median_cell(Some(f)),
                Cell::metric(f.national.as_ref().and_then(|n| n.pooled), f.metric),
                Cell::text(f.judgement.parity.map_or("not comparable", words::text)),
            ],
        );
    }
    Some(t.note(
        "The two-year figure pools both years' counts: with few disciplinary cases a single year's ratio moves a lot by chance.",
    ))
}

/// A relative likelihood over the years shown: the trust with its 95%
/// interval, the benchmark median and the national figure, with the parity
/// band, on a log scale.
fn ratio_trend_chart(p: &Pack, rl: &Figure) -> Option<Chart> {
    let ind = rl.metric.indicator();
    let band = p.params.parity_band;
    let mut c = trend_chart(
        p,
        rl,
        format!("Indicator {ind}: relative likelihood over time"),
        format!(
            "Indicator {ind}: {} by WRES year, with its 95% interval (whiskers), the benchmark group median and the national figure. Dashed lines: the parity band ({} to {}) and parity.",
            p.org.code,
            fmt::fixed(band[0], 2),
            fmt::fixed(band[1], 2)
        ),
    );
    c.log = true;
    c.refs = vec![
        (band[0], fmt::fixed(band[0], 2)),
        (1.0, "parity".into()),
        (band[1], fmt::fixed(band[1], 2)),
    ];
    c.has_data().then_some(c)
}

// ------------------------------------------------------------ ind 5-8

fn survey_section(p: &Pack, metric: Metric) -> Section {
    let ind = metric.indicator();
    let short = match metric {
        Metric::Ind5Pct => "harassment from patients and the public",
        Metric::Ind6Pct => "harassment from staff",
        Metric::Ind7Pct => "equal opportunities for progression",
        _ => "discrimination from colleagues",
    };
    let mut s = Section::new(
        &format!("ind{ind}"),
        format!("Indicator {ind}: {short}"),
        sheet_name(metric),
    );
    let (w, b) = (
        p.figure(metric, "", "", "white"),
        p.figure(metric, "", "", "bme"),
    );
    let mut intro = format!(
        "From the NHS Staff Survey {} (WRES year {}).",
        p.survey_year, p.year
    );
    if let Some(b) = b {
        for x in [
            change(p, b, |y| y - 1).map(|c| format!("BME staff: {}", lower_first(&c))),
            position(b).map(|x| format!("BME staff: {}", lower_first(&x))),
        ]
        .into_iter()
        .flatten()
        {
            intro.push(' ');
            intro.push_str(&x);
        }
    }
    s.para(intro);
    s.list("Findings", findings(p, ind));
    if w.is_none() && b.is_none() {
        s.para("No staff survey results for this indicator.");
        return s;
    }
    s.table(survey_peers_table(p, w, b));
    s.table(survey_trend_table(p, metric, w, b));
    if let Some(c) = survey_trend_chart(p, metric, w, b) {
        s.chart(c);
    }
    s
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// This survey year against the benchmark group, as the Staff Survey's
/// benchmark reports show it: the trust, the best, the average (median)
/// and the worst of the group, the responses, the rank and quartile.
fn survey_peers_table(p: &Pack, w: Option<&Figure>, b: Option<&Figure>) -> Table {
    let mut t = Table::new(
        format!(
            "Staff survey {}: against the benchmark group",
            p.survey_year
        ),
        &[
            "",
            &p.org.code,
            "Responses",
            "Best",
            "Average",
            "Worst",
            "Rank in group",
            "Rank in region",
        ],
    );
    for (label, f) in [("BME staff", b), ("White staff", w)] {
        let Some(f) = f else { continue };
        let g = f.benchmark.as_ref();
        let of = |r: Option<i64>, n: i64| match r {
            Some(r) => Cell::text(format!("{r} of {n}")),
            None => Cell::text("–"),
        };
        t.row(
            label,
            vec![
                value_cell(p, Some(f)),
                Cell::count(f.denominator),
                Cell::pct1(g.and_then(|g| g.best)),
                median_cell(Some(f)),
                Cell::pct1(g.and_then(|g| g.worst)),
                of(g.and_then(|g| g.rank), g.map_or(0, |g| g.n_orgs)),
                of(
                    f.region.as_ref().and_then(|r| r.rank),
                    f.region.as_ref().map_or(0, |r| r.n_orgs),
                ),
            ],
        );
    }
    t.note(format!(
        "Average calculated as the median for the benchmark group; best and worst are the group's most and least favourable trust values. Rank 1 is the highest percentage. Groups under {} responses are suppressed.",
        fmt::plain_number(p.params.min_responses)
    ))
}

/// The trend table quoted in trust reports: rows White/BME at the trust,
/// their averages and responses; columns the last five survey years.
fn survey_trend_table(p: &Pack, metric: Metric, w: Option<&Figure>, b: Option<&Figure>) -> Table {
    let ind = metric.indicator();
    let years: Vec<i32> = ((p.year - TREND_YEARS + 1)..=p.year).collect();
    let pct_row = |f: Option<&Figure>| -> Vec<Cell> {
        years
            .iter()
            .map(|y| match point(f, *y) {
                Some(t) if t.suppressed => Cell::text("*"),
                Some(t) => Cell::pct1(t.value),
                None => Cell::text("–"),
            })
            .collect()
    };
    let avg_row = |f: Option<&Figure>| -> Vec<Cell> {
        years
            .iter()
            .map(|y| Cell::pct1(point(f, *y).and_then(|t| t.benchmark_median)))
            .collect()
    };
    let resp_row = |f: Option<&Figure>| -> Vec<Cell> {
        years
            .iter()
            .map(|y| Cell::count(point(f, *y).and_then(|t| t.denominator)))
            .collect()
    };
    let mut headers = vec![String::new()];
    headers.extend(years.iter().map(|y| (y - 1).to_string()));
    let mut t = Table::with_headers(
        format!(
            "Indicator {ind}: {}",
            model::Indicator::new(ind).map_or("", |i| i.title())
        ),
        headers,
    );
    t.row(format!("White: {}", p.org.code), pct_row(w));
    t.row(format!("BME: {}", p.org.code), pct_row(b));
    t.row("White: Average", avg_row(w));
    t.row("BME: Average", avg_row(b));
    t.row("White: Responses", resp_row(w));
    t.row("BME: Responses", resp_row(b));
    t.note(format!(
        "Average calculated as the median for the benchmark group. Columns are staff survey years. * fewer than {} responses: suppressed.{}{}",
        fmt::plain_number(p.params.min_responses),
        b.and_then(|b| b.judgement.trend)
            .map_or(String::new(), |t| format!(" BME trend: {}.", words::text(t))),
        b.and_then(|b| b.judgement.trend_note.as_deref())
            .map_or(String::new(), |n| format!(" The trend is uncertain: {n}.")),
    ))
}

/// A staff survey indicator over the survey years shown: BME and White
/// staff at the trust and their benchmark medians.
fn survey_trend_chart(
    p: &Pack,
    metric: Metric,
    w: Option<&Figure>,
    b: Option<&Figure>,
) -> Option<Chart> {
    let ind = metric.indicator();
    let mut t = Table::new(
        format!("Indicator {ind} by staff survey year (%)"),
        &[
            "Staff survey",
            "BME: trust",
            "White: trust",
            "BME: average",
            "White: average",
        ],
    );
    for y in (p.year - TREND_YEARS + 1)..=p.year {
        let own = |f| point(f, y).filter(|t| !t.suppressed).and_then(|t| t.value);
        let avg = |f| point(f, y).and_then(|t| t.benchmark_median);
        t.row(
            (y - 1).to_string(),
            vec![
                Cell::pct1(own(b)),
                Cell::pct1(own(w)),
                Cell::pct1(avg(b)),
                Cell::pct1(avg(w)),
            ],
        );
    }
    let c = Chart::new(ChartKind::Line, format!("Indicator {ind} over time"), t)
        .series(&[0, 1, 2, 3])
        .axis("Per cent")
        .caption(format!(
            "Indicator {ind}: BME and White staff at {} by staff survey year, against the benchmark group medians (average calculated as the median for the benchmark group). Suppressed years (fewer than {} responses) are gaps.",
            p.org.code,
            fmt::plain_number(p.params.min_responses)
        ));
    c.has_data().then_some(c)
}

// ---------------------------------------------------------------- ind 9

fn indicator9(p: &Pack) -> Section {
    let mut s = Section::new("ind9", "Indicator 9: board membership", "Ind 9 board");
    let voting = p.figure(Metric::Ind9DiffPp, "", "voting", "");
    let mut intro =
        "The board's BME share against the workforce's: a negative difference means the board is less diverse than the workforce.".to_string();
    if let Some(f) = voting {
        for x in [
            change(p, f, |y| y).map(|c| format!("Voting members: {}", lower_first(&c))),
            position(f),
        ]
        .into_iter()
        .flatten()
        {
            intro.push(' ');
            intro.push_str(&x);
        }
    }
    s.para(intro);
    s.list("Findings", findings(p, 9));
    let mut t = Table::new(
        "Board members against the workforce",
        &[
            "Board",
            "Members",
            "BME members",
            "BME % of board",
            "BME % of workforce",
            "Difference",
            "Benchmark median difference",
        ],
    );
    for c in BOARD {
        let Some(b) = p.figure(Metric::Ind9BoardBmePct, "", c.code(), "") else {
            continue;
        };
        let d = v(p, Metric::Ind9DiffPp, "", c.code(), "");
        t.row(
            c.label(),
            vec![
                Cell::count(b.denominator),
                Cell::count(b.numerator),
                value_cell(p, Some(b)),
                Cell::pct1(d.zip(b.value).map(|(d, bv)| bv - d)),
                Cell::metric(d, Metric::Ind9DiffPp),
                median_cell(p.figure(Metric::Ind9DiffPp, "", c.code(), "")),
            ],
        );
    }
    if !t.rows.is_empty() {
        s.table(t);
    }
    if let Some(f) = voting {
        let mut c = trend_chart(
            p,
            f,
            "Indicator 9: voting board members against the workforce over time".into(),
            format!(
                "The difference between the BME share of {}'s voting board members and of its workforce, in percentage points, by WRES year, against the benchmark group median and the national figure. The dashed line is no difference.",
                p.org.code
            ),
        );
        c.refs = vec![(0.0, "no difference".into())];
        if c.has_data() {
            s.chart(c);
        }
    }
    s
}
