//! Excel packs: numbers stored as numbers with number formats, frozen
//! headers, a native chart, one sheet per section.

use rust_xlsxwriter::{Chart, ChartType, Format, Workbook, Worksheet, XlsxError};

use super::Pack;
// Figures printed with more decimals than their metric's, to show which
// side of a threshold they lie (`Figure::value_decimals`), keep them in Excel.
use super::render_xlsx::number_format as decimals;
use crate::ingest::template::fixed_properties;
use crate::metric::{Kind, Metric, words};

fn header(ws: &mut Worksheet, cols: &[&str], bold: &Format) -> Result<(), XlsxError> {
    for (i, c) in cols.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, *c, bold)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

fn num(ws: &mut Worksheet, r: u32, c: u16, v: Option<f64>, f: &Format) -> Result<(), XlsxError> {
    if let Some(v) = v {
        ws.write_number_with_format(r, c, v, f)?;
    }
    Ok(())
}

/// The number formats of a pack's sheets.
struct Formats {
    bold: Format,
    dp1: Format,
    dp2: Format,
    whole: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            bold: Format::new().set_bold().set_background_color(0xEEF3F8),
            dp1: Format::new().set_num_format("0.0"),
            dp2: Format::new().set_num_format("0.00"),
            whole: Format::new().set_num_format("#,##0"),
        }
    }

    /// A metric's format at its catalogue decimals.
    fn of(&self, metric: Metric) -> &Format {
        match (metric.kind(), metric.decimals()) {
            (Kind::Count, 0) => &self.whole,
            (_, 2) => &self.dp2,
            _ => &self.dp1,
        }
    }
}

/// The Excel workbook of a pack (same content as the JSON).
pub fn pack_workbook(p: &Pack) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    wb.set_properties(&fixed_properties()?.set_title(format!("WRES {} {}", p.year, p.org.code)));
    let f = Formats::new();
    summary_sheet(wb.add_worksheet(), p, &f)?;
    section_sheets(&mut wb, p, &f)?;
    figures_sheet(wb.add_worksheet(), p, &f)?;
    survey_sheet(wb.add_worksheet(), p, &f)?;
    notes_sheets(&mut wb, p, &f)?;
    action_plan_sheet(wb.add_worksheet(), p, &f)?;
    if p.synthetic {
        mark_synthetic(&mut wb)?;
    }
    wb.save_to_buffer()
}

/// "Summary": each headline figure against the benchmark median.
fn summary_sheet(ws: &mut Worksheet, p: &Pack, f: &Formats) -> Result<(), XlsxError> {
    let bold = &f.bold;
    ws.set_name("Summary")?;
    ws.write_string_with_format(
        0,
        0,
        format!("WRES {}: {} ({})", p.year, p.org.name, p.org.code),
        &Format::new().set_bold().set_font_size(14),
    )?;
    ws.write_string(
        1,
        0,
        format!(
            "{} · {} · staff survey {}{}",
            p.org.benchmark_group,
            p.org.region,
            p.survey_year,
            if p.synthetic {
                " · SYNTHETIC DATA: real trust names with made-up figures"
            } else {
                ""
            }
        ),
    )?;
    let this = format!("{} {}", p.org.code, p.year);
    let cols = [
        "Figure",
        this.as_str(),
        "Benchmark median",
        "Compared with the median",
        "Method",
    ];
    for (i, c) in cols.iter().enumerate() {
        ws.write_string_with_format(3, i as u16, *c, bold)?;
    }
    for (i, h) in p.summary.iter().enumerate() {
        let r = 4 + i as u32;
        ws.write_string(r, 0, &h.label)?;
        num(ws, r, 1, h.value, &decimals(h.value_decimals))?;
        num(ws, r, 2, h.benchmark_median, &decimals(h.median_decimals))?;
        ws.write_string(r, 3, h.judgement.map_or("not comparable", words::text))?;
        ws.write_string(r, 4, h.method)?;
    }
    ws.set_freeze_panes(4, 0)?;
    ws.set_column_width(0, 52)?;
    ws.set_column_width(3, 24)?;

    Ok(())
}

/// "Figures": every figure, one row each.
fn figures_sheet(ws: &mut Worksheet, p: &Pack, fm: &Formats) -> Result<(), XlsxError> {
    let (bold, whole) = (&fm.bold, &fm.whole);
    ws.set_name("Figures")?;
    header(
        ws,
        &[
            "Metric",
            "Staff group",
            "Category",
            "Ethnicity",
            "Value",
            "Numerator",
            "Denominator",
            "95% low",
            "95% high",
            "Suppressed",
            "Flags",
            "Benchmark median",
            "Benchmark q1",
            "Benchmark q3",
            "Benchmark trusts",
            "Region median",
            "National pooled",
            "National median",
            "Against parity",
            "Against the benchmark median",
            "Trend",
        ],
        bold,
    )?;
    for (i, f) in p.figures.iter().enumerate() {
        let r = 1 + i as u32;
        let vf = fm.of(f.metric);
        ws.write_string(r, 0, f.metric.code())?;
        ws.write_string(r, 1, f.staff_group.as_deref().unwrap_or(""))?;
        ws.write_string(r, 2, f.category.as_deref().unwrap_or(""))?;
        ws.write_string(r, 3, f.ethnicity.as_deref().unwrap_or(""))?;
        let band = p.params.parity_band;
        let at = |v: Option<f64>, dp: &dyn Fn(f64) -> usize| v.map(|v| (v, decimals(dp(v))));
        if let Some((v, f_)) = at(f.value, &|v| f.value_decimals(v, band)) {
            ws.write_number_with_format(r, 4, v, &f_)?;
        }
        num(ws, r, 5, f.numerator, whole)?;
        num(ws, r, 6, f.denominator, whole)?;
        for (c, v) in [(7, f.ci_low), (8, f.ci_high)] {
            if let Some((v, f_)) = at(v, &|v| f.bound_decimals(v)) {
                ws.write_number_with_format(r, c, v, &f_)?;
            }
        }
        ws.write_boolean(r, 9, f.suppressed)?;
        ws.write_string(r, 10, f.flags.join(", "))?;
        if let Some(b) = &f.benchmark {
            if let Some(m) = b.median {
                ws.write_number_with_format(r, 11, m, &decimals(f.median_decimals(m)))?;
            }
            num(ws, r, 12, b.q1, vf)?;
            num(ws, r, 13, b.q3, vf)?;
            ws.write_number(r, 14, b.n_orgs as f64)?;
        }
        num(ws, r, 15, f.region.as_ref().and_then(|x| x.median), vf)?;
        num(ws, r, 16, f.national.as_ref().and_then(|x| x.pooled), vf)?;
        num(ws, r, 17, f.national.as_ref().and_then(|x| x.median), vf)?;
        let j = &f.judgement;
        ws.write_string(r, 18, j.parity.map_or("", words::text))?;
        ws.write_string(r, 19, j.benchmark.map_or("", words::text))?;
        ws.write_string(r, 20, j.trend.map_or("", words::text))?;
    }
    ws.set_column_width(0, 30)?;
    ws.autofilter(0, 0, p.figures.len() as u32, 20)?;

    Ok(())
}

/// "Indicators 5-8": the trend table of trust reports, and a native chart.
fn survey_sheet(ws: &mut Worksheet, p: &Pack, f: &Formats) -> Result<(), XlsxError> {
    let (bold, dp1, whole) = (&f.bold, &f.dp1, &f.whole);
    ws.set_name("Indicators 5-8")?;
    let years: Vec<i32> = ((p.year - super::TREND_YEARS + 1)..=p.year).collect();
    let mut r = 0u32;
    let mut chart_rows = None;
    for metric in Metric::survey_pcts() {
        let ind = metric.indicator();
        let get = |eth: &str| {
            p.figures
                .iter()
                .find(|f| f.metric == metric && f.ethnicity.as_deref() == Some(eth))
        };
        let (w, b) = (get("white"), get("bme"));
        if w.is_none() && b.is_none() {
            continue;
        }
        ws.write_string_with_format(r, 0, format!("Indicator {ind}"), bold)?;
        for (j, y) in years.iter().enumerate() {
            ws.write_number_with_format(r, 1 + j as u16, f64::from(y - 1), bold)?;
        }
        let (white_org, bme_org) = (
            format!("White: {}", p.org.code),
            format!("BME: {}", p.org.code),
        );
        let rows: [(&str, Option<&super::Figure>, u8); 6] = [
            (&white_org, w, 0),
            (&bme_org, b, 0),
            ("White: Average", w, 1),
            ("BME: Average", b, 1),
            ("White: Responses", w, 2),
            ("BME: Responses", b, 2),
        ];
        for (k, (label, f, what)) in rows.iter().enumerate() {
            let rr = r + 1 + k as u32;
            ws.write_string(rr, 0, *label)?;
            for (j, y) in years.iter().enumerate() {
                let t = f.and_then(|f| f.trend.iter().find(|t| t.year == *y));
                let (val, fm) = match what {
                    0 => (t.and_then(|t| t.value), dp1),
                    1 => (t.and_then(|t| t.benchmark_median), dp1),
                    _ => (t.and_then(|t| t.denominator), whole),
                };
                num(ws, rr, 1 + j as u16, val, fm)?;
            }
        }
        ws.write_string(
            r + 7,
            0,
            "Average calculated as the median for the benchmark group",
        )?;
        if ind == 8 || chart_rows.is_none() {
            chart_rows = Some((ind, r));
        }
        r += 9;
    }
    ws.set_column_width(0, 22)?;
    if let Some((ind, top)) = chart_rows {
        ws.insert_chart(r + 1, 0, &survey_chart(p, ind, top, years.len() as u16))?;
    }

    Ok(())
}

/// The native line chart of one survey indicator's table (its four rows of
/// percentages from row `top`), by survey year.
fn survey_chart(p: &Pack, ind: u8, top: u32, last: u16) -> Chart {
    let mut chart = Chart::new(ChartType::Line);
    for (k, name) in [
        format!("White: {}", p.org.code),
        format!("BME: {}", p.org.code),
        "White: Average".into(),
        "BME: Average".into(),
    ]
    .iter()
    .enumerate()
    {
        chart
            .add_series()
            .set_name(name)
            .set_categories(("Indicators 5-8", top, 1, top, last))
            .set_values((
                "Indicators 5-8",
                top + 1 + k as u32,
                1,
                top + 1 + k as u32,
                last,
            ));
    }
    chart
        .title()
        .set_name(&format!("Indicator {ind} by staff survey year (%)"));
    chart
}

/// "Action plan", the last sheet: the columns trusts' WRES reports use,
/// one row per key finding with the finding filled in and the rest left for
/// the trust (wrapped text, so a plan reads on screen and on paper).
fn action_plan_sheet(ws: &mut Worksheet, p: &Pack, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Action plan")?;
    let bold = f.bold.clone().set_text_wrap();
    header(
        ws,
        &["Indicator", "Finding", "Action", "Lead", "Timescale"],
        &bold,
    )?;
    let wrap = Format::new()
        .set_text_wrap()
        .set_align(rust_xlsxwriter::FormatAlign::Top);
    for (i, finding) in p.findings.iter().enumerate() {
        let r = 1 + i as u32;
        ws.write_number_with_format(r, 0, f64::from(finding.indicator), &wrap)?;
        ws.write_string_with_format(r, 1, &finding.text, &wrap)?;
        for c in 2..5 {
            ws.write_blank(r, c, &wrap)?;
        }
    }
    for (c, w) in [(0, 10.0), (1, 70.0), (2, 50.0), (3, 18.0), (4, 14.0)] {
        ws.set_column_width(c, w)?;
    }
    ws.set_landscape();
    Ok(())
}

/// "Findings", "Data quality" and "Provenance".
fn notes_sheets(wb: &mut Workbook, p: &Pack, f: &Formats) -> Result<(), XlsxError> {
    let bold = &f.bold;
    let ws = wb.add_worksheet();
    ws.set_name("Findings")?;
    header(ws, &["Key findings"], bold)?;
    for (i, f) in p.findings.iter().enumerate() {
        ws.write_string(1 + i as u32, 0, &f.text)?;
    }
    ws.set_column_width(0, 140)?;

    let ws = wb.add_worksheet();
    ws.set_name("Data quality")?;
    header(ws, &["Severity", "Code", "Where", "What"], bold)?;
    for (i, q) in p.data_quality.iter().enumerate() {
        let r = 1 + i as u32;
        ws.write_string(r, 0, &q.severity)?;
        ws.write_string(r, 1, &q.code)?;
        ws.write_string(r, 2, &q.location)?;
        ws.write_string(r, 3, &q.message)?;
    }

    let ws = wb.add_worksheet();
    ws.set_name("Provenance")?;
    header(
        ws,
        &[
            "Submission",
            "Section",
            "WRES year",
            "File",
            "SHA-256",
            "Received",
        ],
        bold,
    )?;
    for (i, s) in p.provenance.submissions.iter().enumerate() {
        let r = 1 + i as u32;
        ws.write_string(r, 0, &s.id)?;
        ws.write_string(r, 1, &s.section)?;
        ws.write_number(r, 2, f64::from(s.year))?;
        ws.write_string(r, 3, &s.file)?;
        ws.write_string(r, 4, &s.sha256)?;
        ws.write_string(r, 5, &s.received_at)?;
    }
    let base = p.provenance.submissions.len() as u32 + 2;
    ws.write_string_with_format(base, 0, "Query", bold)?;
    ws.write_string_with_format(base, 1, "SHA-256", bold)?;
    for (i, (k, v)) in p.provenance.queries.iter().enumerate() {
        ws.write_string(base + 1 + i as u32, 0, k)?;
        ws.write_string(base + 1 + i as u32, 1, v.as_str().unwrap_or(""))?;
    }
    ws.write_string(base + 2 + p.provenance.queries.len() as u32, 0, p.tool)?;
    Ok(())
}

/// Every sheet of a workbook made from synthetic returns says so: a red tab,
/// a printed header, and a note in the first row one column right of the
/// sheet's widest table, so no layout moves.
fn mark_synthetic(wb: &mut Workbook) -> Result<(), XlsxError> {
    let red = Format::new().set_bold().set_font_color(0xD5281B);
    for ws in wb.worksheets_mut() {
        // The "Figures" sheet is 21 columns wide; every other is 12 or fewer.
        let col = if ws.name() == "Figures" { 22 } else { 13 };
        ws.set_tab_color(0xD5281B);
        ws.set_header("&C&\"-,Bold\"SYNTHETIC DATA: made-up figures");
        // The Summary says it in its subtitle, where it is seen first; once is enough.
        if ws.name() != "Summary" {
            ws.write_string_with_format(0, col, super::SYNTHETIC_NOTE, &red)?;
        }
    }
    Ok(())
}

/// Indicator 1, indicators 2-4 and indicator 9 as trust reports lay them out.
fn section_sheets(wb: &mut Workbook, p: &Pack, f: &Formats) -> Result<(), XlsxError> {
    indicator1_sheet(wb.add_worksheet(), p, f)?;
    indicators_2_4_sheet(wb.add_worksheet(), p, f)?;
    indicator9_sheet(wb.add_worksheet(), p, f)
}

/// "Indicator 1": BME staff by band and grade, with the Model Employer gaps.
fn indicator1_sheet(ws: &mut Worksheet, p: &Pack, f: &Formats) -> Result<(), XlsxError> {
    let (bold, dp1, whole) = (&f.bold, &f.dp1, &f.whole);
    use crate::model::{BANDS, MEDICAL_GRADES, StaffGroup};
    ws.set_name("Indicator 1")?;
    header(
        ws,
        &[
            "Staff group",
            "Band or grade",
            "White",
            "BME",
            "Unknown",
            "BME %",
            "Benchmark median BME %",
            "BME staff short of parity",
            "Annual goal to 2028",
        ],
        bold,
    )?;
    let mut r = 1u32;
    for sg in StaffGroup::ALL {
        let cats = if *sg == StaffGroup::Medical {
            MEDICAL_GRADES
        } else {
            BANDS
        };
        for c in cats {
            let (s, cc) = (sg.code(), c.code());
            let Some(pct) = p.figure(Metric::Ind1BmePct, s, cc, "") else {
                continue;
            };
            ws.write_string(r, 0, sg.label())?;
            ws.write_string(r, 1, c.label())?;
            for (j, e) in ["white", "bme", "unknown"].iter().enumerate() {
                num(
                    ws,
                    r,
                    2 + j as u16,
                    p.figure(Metric::Ind1Headcount, s, cc, e)
                        .and_then(|f| f.value),
                    whole,
                )?;
            }
            num(ws, r, 5, pct.value, dp1)?;
            num(ws, r, 6, pct.benchmark.as_ref().and_then(|b| b.median), dp1)?;
            num(
                ws,
                r,
                7,
                p.figure(Metric::Ind1ParityGap, s, cc, "")
                    .and_then(|f| f.value),
                whole,
            )?;
            num(
                ws,
                r,
                8,
                p.figure(Metric::Ind1ParityAnnualGoal, s, cc, "")
                    .and_then(|f| f.value),
                dp1,
            )?;
            r += 1;
        }
    }
    if let Some(o) = p.figure(Metric::Ind1BmePct, "all", "all", "") {
        ws.write_string_with_format(r, 0, "Whole workforce", bold)?;
        num(ws, r, 5, o.value, dp1)?;
        num(ws, r, 6, o.benchmark.as_ref().and_then(|b| b.median), dp1)?;
    }
    ws.set_column_width(0, 24)?;
    ws.set_column_width(1, 32)?;

    Ok(())
}

/// "Indicators 2-4": the counts, percentages and relative likelihoods.
fn indicators_2_4_sheet(ws: &mut Worksheet, p: &Pack, f: &Formats) -> Result<(), XlsxError> {
    let (bold, dp2, whole) = (&f.bold, &f.dp2, &f.whole);
    ws.set_name("Indicators 2-4")?;
    header(
        ws,
        &[
            "Indicator",
            "Group",
            "Numerator",
            "Denominator",
            "Likelihood %",
            "95% low",
            "95% high",
            "Relative likelihood",
            "95% low",
            "95% high",
            "Benchmark median",
            "National pooled",
        ],
        bold,
    )?;
    let mut r = 1u32;
    for (rl, pct) in [
        (Metric::Ind2RelativeLikelihood, Metric::Ind2AppointedPct),
        (Metric::Ind3RelativeLikelihood, Metric::Ind3DisciplinaryPct),
        (Metric::Ind4RelativeLikelihood, Metric::Ind4TrainingPct),
    ] {
        let ind = rl.indicator();
        for e in ["white", "bme", "unknown", "all"] {
            let Some(f) = p.figure(pct, "", "", e) else {
                continue;
            };
            ws.write_number(r, 0, f64::from(ind))?;
            ws.write_string(r, 1, e)?;
            num(ws, r, 2, f.numerator, whole)?;
            num(ws, r, 3, f.denominator, whole)?;
            num(ws, r, 4, f.value, dp2)?;
            num(ws, r, 5, f.ci_low, dp2)?;
            num(ws, r, 6, f.ci_high, dp2)?;
            r += 1;
        }
        if let Some(f) = p.figure(rl, "", "", "") {
            ws.write_number(r, 0, f64::from(ind))?;
            ws.write_string(r, 1, "relative likelihood")?;
            num(ws, r, 7, f.value, dp2)?;
            num(ws, r, 8, f.ci_low, dp2)?;
            num(ws, r, 9, f.ci_high, dp2)?;
            num(ws, r, 10, f.benchmark.as_ref().and_then(|b| b.median), dp2)?;
            num(ws, r, 11, f.national.as_ref().and_then(|n| n.pooled), dp2)?;
            r += 1;
        }
    }

    Ok(())
}

/// "Indicator 9": the board against the workforce.
fn indicator9_sheet(ws: &mut Worksheet, p: &Pack, f: &Formats) -> Result<(), XlsxError> {
    let (bold, dp1, whole) = (&f.bold, &f.dp1, &f.whole);
    use crate::model::BOARD;
    ws.set_name("Indicator 9")?;
    header(
        ws,
        &[
            "Board",
            "Members",
            "BME members",
            "BME % of board",
            "Difference from workforce (pp)",
            "Benchmark median difference",
        ],
        bold,
    )?;
    let mut r = 1u32;
    for c in BOARD {
        let Some(b) = p.figure(Metric::Ind9BoardBmePct, "", c.code(), "") else {
            continue;
        };
        let d = p.figure(Metric::Ind9DiffPp, "", c.code(), "");
        ws.write_string(r, 0, c.label())?;
        num(ws, r, 1, b.denominator, whole)?;
        num(ws, r, 2, b.numerator, whole)?;
        num(ws, r, 3, b.value, dp1)?;
        num(ws, r, 4, d.and_then(|d| d.value), dp1)?;
        num(
            ws,
            r,
            5,
            d.and_then(|d| d.benchmark.as_ref()).and_then(|b| b.median),
            dp1,
        )?;
        r += 1;
    }
    ws.set_column_width(0, 26)?;
    Ok(())
}
