//! Excel packs: numbers stored as numbers with number formats, frozen
//! headers, one sheet per section: the indicator sections rendered from the
//! same model as the page (`trust_sections`), each with its native charts.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::Pack;
use super::doc::Section;
// Figures printed with more decimals than their metric's, to show which
// side of a threshold they lie (`Figure::value_decimals`), keep them in Excel.
use super::render_xlsx::{self, number_format as decimals};
use crate::ingest::template::new_workbook;
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
/// Its indicator sheets are `sections` (`trust_sections::sections`), as on the page.
pub fn pack_workbook(p: &Pack, sections: &[Section]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = new_workbook(format!("WRES {} {}", p.year, p.org.code))?;
    let f = Formats::new();
    summary_sheet(wb.add_worksheet(), p, &f)?;
    findings_sheet(wb.add_worksheet(), p, &f)?;
    let subtitle = format!("{} ({}) · WRES {}", p.org.name, p.org.code, p.year);
    let note = p.synthetic.then_some(super::SYNTHETIC_NOTE);
    render_xlsx::add_sections(&mut wb, &subtitle, note, sections)?;
    notes_sheets(&mut wb, p, &f)?;
    figures_sheet(wb.add_worksheet(), p, &f)?;
    action_plan_sheet(wb.add_worksheet(), p, &f)?;
    if p.synthetic {
        let marked: Vec<&str> = sections.iter().map(|s| s.sheet.as_str()).collect();
        mark_synthetic(&mut wb, &marked)?;
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

/// "Findings": the key findings, as under the summary of the page.
fn findings_sheet(ws: &mut Worksheet, p: &Pack, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Findings")?;
    header(ws, &["Key findings"], &f.bold)?;
    for (i, f) in p.findings.iter().enumerate() {
        ws.write_string(1 + i as u32, 0, &f.text)?;
    }
    ws.set_column_width(0, 140)?;
    Ok(())
}

/// "Data quality" and "Provenance".
fn notes_sheets(wb: &mut Workbook, p: &Pack, f: &Formats) -> Result<(), XlsxError> {
    let bold = &f.bold;
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
/// sheet's widest table, so no layout moves. The indicator sheets
/// (`marked`) carry the note under their title already.
fn mark_synthetic(wb: &mut Workbook, marked: &[&str]) -> Result<(), XlsxError> {
    let red = Format::new().set_bold().set_font_color(0xD5281B);
    for ws in wb.worksheets_mut() {
        if marked.contains(&ws.name().as_str()) {
            continue;
        }
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
