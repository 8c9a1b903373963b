//! A peer table as an Excel workbook and a self-contained HTML page (region
//! packs, and `wresbench peers --format xlsx|html`).

use askama::Template;
use rust_xlsxwriter::Format;

use super::SYNTHETIC_NOTE;
use crate::ingest::template::new_workbook;
use crate::metric::Metric;
use crate::results::{Cell, PeerTable};

fn synthetic_prefix(synthetic: bool) -> String {
    if synthetic {
        format!("{SYNTHETIC_NOTE} ")
    } else {
        String::new()
    }
}

pub fn xlsx_bytes(t: &PeerTable) -> std::result::Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut wb = new_workbook(format!("WRES {} {}", t.year, t.set))?;
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
struct PeersPage {
    title: String,
    synthetic: Option<&'static str>,
    intro: String,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

pub fn html_page(t: &PeerTable) -> std::result::Result<String, askama::Error> {
    PeersPage {
        title: format!("WRES {}: {}", t.year, t.set),
        synthetic: t.synthetic.then_some(SYNTHETIC_NOTE),
        intro: format!(
            "Each trust's figures side by side, with the median of these trusts and the national pooled figure. Values derived from counts of 1 to {} people are shown as * (disclosure control).",
            t.min_count as i64 - 1
        ),
        headers: t.headers(),
        rows: t.text_rows(),
    }
    .render()
}
