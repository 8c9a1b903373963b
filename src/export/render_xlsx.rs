//! A [`Doc`] as an Excel workbook: one sheet per section in the page's
//! order, numbers stored as numbers at their decimals, labels not codes,
//! column widths that fit the labels, the first table's header frozen, and
//! a native Excel chart beside each chart's table (drawn from its cells).

use rust_xlsxwriter::{
    Chart as XChart, ChartFormat, ChartLine, ChartLineDashType, ChartMarker, ChartMarkerType,
    ChartSolidFill, ChartType, Format, Workbook, Worksheet, XlsxError,
};

use super::charts::PALETTE;
use super::doc::{Block, Chart, ChartKind, Doc, Section, Table};
use crate::ingest::template::new_workbook;

/// Widest a column gets, in characters (longer text wraps in Excel's view).
const MAX_WIDTH: usize = 60;

struct Styles {
    title: Format,
    bold: Format,
    head: Format,
    note: Format,
    red: Format,
    /// `number_format(dp)` for the usual decimals, made once: a cell's
    /// format is cloned and hashed by rust_xlsxwriter, and making a new one
    /// per cell (with its format string) was a measurable part of a pack.
    numbers: [Format; 5],
}

impl Styles {
    fn new() -> Styles {
        Styles {
            title: Format::new().set_bold().set_font_size(14),
            bold: Format::new().set_bold(),
            head: Format::new()
                .set_bold()
                .set_background_color(0xEEF3F8)
                .set_text_wrap(),
            note: Format::new().set_italic().set_font_color(0x5F5F5F),
            red: Format::new().set_bold().set_font_color(0xD55E00),
            numbers: std::array::from_fn(number_format),
        }
    }

    /// The number format with `dp` decimals.
    fn number(&self, dp: usize) -> std::borrow::Cow<'_, Format> {
        match self.numbers.get(dp) {
            Some(f) => std::borrow::Cow::Borrowed(f),
            None => std::borrow::Cow::Owned(number_format(dp)),
        }
    }
}

/// A number format with `dp` decimals (`#,##0`, `0.0`, `0.0000`).
pub(super) fn number_format(dp: usize) -> Format {
    if dp == 0 {
        Format::new().set_num_format("#,##0")
    } else {
        Format::new().set_num_format(format!("0.{}", "0".repeat(dp)))
    }
}

/// The workbook of a document.
pub fn workbook(d: &Doc) -> Result<Vec<u8>, XlsxError> {
    let mut wb = new_workbook(d.title.clone())?;
    add_sections(&mut wb, &d.subtitle, d.synthetic, &d.sections)?;
    wb.save_to_buffer()
}

/// A sheet per section, in order, each headed by its title, `subtitle` and
/// the synthetic-data note when there is one (the trust pack's workbook
/// adds its indicator sheets this way).
pub(super) fn add_sections(
    wb: &mut Workbook,
    subtitle: &str,
    synthetic: Option<&str>,
    sections: &[Section],
) -> Result<(), XlsxError> {
    let st = Styles::new();
    for s in sections {
        let ws = wb.add_worksheet();
        ws.set_name(&s.sheet)?;
        sheet(ws, subtitle, synthetic, s, &st)?;
    }
    Ok(())
}

/// Column widths seen so far on a sheet, in characters.
struct Widths(Vec<usize>);

impl Widths {
    fn see(&mut self, col: usize, text: &str) {
        if self.0.len() <= col {
            self.0.resize(col + 1, 8);
        }
        let n = text.chars().count().min(MAX_WIDTH);
        self.0[col] = self.0[col].max(n);
    }
}

fn sheet(
    ws: &mut Worksheet,
    subtitle: &str,
    synthetic: Option<&str>,
    s: &Section,
    st: &Styles,
) -> Result<(), XlsxError> {
    ws.write_string_with_format(0, 0, &s.title, &st.title)?;
    ws.write_string(1, 0, subtitle)?;
    if let Some(note) = synthetic {
        ws.write_string_with_format(2, 0, note, &st.red)?;
        ws.set_tab_color(0xD55E00);
        ws.set_header("&C&\"-,Bold\"SYNTHETIC DATA: made-up figures");
    }
    let mut r = 4u32;
    let mut widths = Widths(Vec::new());
    let mut frozen = false;
    for (i, b) in s.blocks.iter().enumerate() {
        match b {
            Block::Para(t) => {
                ws.write_string(r, 0, t)?;
                r += 2;
            }
            Block::List(title, items) => {
                ws.write_string_with_format(r, 0, title, &st.bold)?;
                for (k, item) in items.iter().enumerate() {
                    ws.write_string(r + 1 + k as u32, 0, item)?;
                }
                r += items.len() as u32 + 2;
            }
            Block::Figure { caption, .. } => {
                ws.write_string_with_format(r, 0, caption, &st.note)?;
                r += 2;
            }
            Block::Table(t) => {
                if i == 0 {
                    // A table that opens the sheet: its header stays in view.
                    ws.set_freeze_panes(r + 2, 1)?;
                    frozen = true;
                }
                r = table(ws, t, r, st, &mut widths)?;
            }
            Block::Chart(c) => {
                let top = r;
                r = table(ws, &c.table, r, st, &mut widths)?;
                if c.has_data() {
                    let chart = native(c, &s.sheet, top)?;
                    let col = (c.table.headers.len() + 1) as u16;
                    ws.insert_chart(top, col, &chart)?;
                    // The chart is about 20 rows tall: leave room under it.
                    r = r.max(top + 22);
                }
            }
        }
    }
    if !frozen {
        // Otherwise the title, the subtitle and the synthetic note stay in view.
        ws.set_freeze_panes(3, 0)?;
    }
    for (c, w) in widths.0.iter().enumerate() {
        ws.set_column_width(c as u16, *w as f64 + 2.0)?;
    }
    ws.set_landscape();
    ws.set_paper_size(9); // A4
    Ok(())
}

/// Writes a table at row `r` (caption, header, rows, note); returns the next free row.
fn table(
    ws: &mut Worksheet,
    t: &Table,
    r: u32,
    st: &Styles,
    widths: &mut Widths,
) -> Result<u32, XlsxError> {
    ws.write_string_with_format(r, 0, &t.caption, &st.bold)?;
    for (j, h) in t.headers.iter().enumerate() {
        ws.write_string_with_format(r + 1, j as u16, h, &st.head)?;
        // Headers wrap: they need not set the width beyond a short word.
        widths.see(j, &h.chars().take(14).collect::<String>());
    }
    for (k, row) in t.rows.iter().enumerate() {
        let rr = r + 2 + k as u32;
        ws.write_string(rr, 0, &row.head)?;
        widths.see(0, &row.head);
        for (j, c) in row.cells.iter().enumerate() {
            let col = 1 + j as u16;
            match c.num {
                Some(v) if v.is_finite() => {
                    ws.write_number_with_format(rr, col, v, &st.number(c.dp))?;
                }
                _ if c.text == "–" => {}
                _ => {
                    ws.write_string(rr, col, &c.text)?;
                }
            }
            widths.see(col as usize, &c.text);
        }
    }
    let mut next = r + 2 + t.rows.len() as u32;
    if !t.note.is_empty() {
        ws.write_string_with_format(next, 0, &t.note, &st.note)?;
        next += 1;
    }
    Ok(next + 1)
}

/// The native chart of a [`Chart`] whose table starts at row `top`.
fn native(c: &Chart, sheet: &str, top: u32) -> Result<XChart, XlsxError> {
    let kind = match c.kind {
        ChartKind::Line => ChartType::Line,
        ChartKind::Bar => ChartType::Bar,
        // Excel has no box or dot plot: markers per row, no lines.
        ChartKind::Box | ChartKind::Dot => ChartType::Line,
    };
    let mut chart = XChart::new(kind);
    let (first, last) = (top + 2, top + 1 + c.table.rows.len() as u32);
    let add = |chart: &mut XChart, col: usize, k: usize, dash: Option<ChartLineDashType>| {
        let colour = u32::from_str_radix(PALETTE[k % PALETTE.len()].trim_start_matches('#'), 16)
            .unwrap_or(0);
        let x = (col + 1) as u16;
        let s = chart
            .add_series()
            .set_name((sheet, top + 1, x))
            .set_categories((sheet, first, 0, last, 0))
            .set_values((sheet, first, x, last, x));
        match (c.kind, dash) {
            (ChartKind::Bar, _) => {
                s.set_format(
                    ChartFormat::new().set_solid_fill(ChartSolidFill::new().set_color(colour)),
                );
            }
            (ChartKind::Box | ChartKind::Dot, _) => {
                s.set_format(ChartFormat::new().set_no_line());
                s.set_marker(
                    ChartMarker::new()
                        .set_type(if k == 1 {
                            ChartMarkerType::Diamond
                        } else {
                            ChartMarkerType::ShortDash
                        })
                        .set_size(if k == 1 { 9 } else { 12 })
                        .set_format(
                            ChartFormat::new()
                                .set_solid_fill(ChartSolidFill::new().set_color(colour)),
                        ),
                );
            }
            (ChartKind::Line, d) => {
                let mut line = ChartLine::new();
                line.set_color(colour)
                    .set_width(if d.is_some() { 1.0 } else { 2.25 });
                if let Some(d) = d {
                    line.set_dash_type(d);
                }
                s.set_format(ChartFormat::new().set_line(&line));
                s.set_marker(
                    ChartMarker::new()
                        .set_type(ChartMarkerType::Circle)
                        .set_size(5),
                );
            }
        }
    };
    for (k, &col) in c.series.iter().enumerate() {
        add(&mut chart, col, k, None);
    }
    if let Some((lo, hi)) = c.interval {
        add(&mut chart, lo, 0, Some(ChartLineDashType::Dash));
        add(&mut chart, hi, 0, Some(ChartLineDashType::Dash));
    }
    chart.title().set_name(&c.title);
    chart.y_axis().set_name(&c.axis);
    if c.kind == ChartKind::Bar {
        chart.x_axis().set_reverse();
    }
    if c.log && c.kind == ChartKind::Line {
        chart.y_axis().set_log_base(10);
    }
    // Excel keeps at most 255 characters of alternative text.
    let alt: String = format!("{}. {}", c.title, c.caption)
        .chars()
        .take(255)
        .collect();
    chart.set_alt_text(alt);
    chart.set_width(560);
    Ok(chart)
}
