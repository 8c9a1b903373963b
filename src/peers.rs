//! `wresbench peers` as text and CSV (the Excel and HTML forms are the
//! region packs' own, in [`crate::export::peer_pages`]).
//!
//! Anything here shows other trusts' figures, so every value derived from a
//! count of 1 to `min_count - 1` people is replaced by `*` (zero stays zero):
//! spec/indicators.md, "Disclosure control". The table itself is built by
//! [`crate::results::peers`].

use std::io::Write;

use crate::results::{Cell, PeerTable};

pub fn write_text_table(t: &PeerTable, out: &mut dyn Write) -> std::io::Result<()> {
    let h = t.headers();
    let rows = t.text_rows();
    let mut width: Vec<usize> = h.iter().map(|s| s.chars().count().min(28)).collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            width[i] = width[i].max(c.chars().count().min(48));
        }
    }
    writeln!(
        out,
        "WRES {}: {} (values from counts of 1-{} shown as *)",
        t.year,
        t.set,
        t.min_count as i64 - 1
    )?;
    let line = |cells: &[String]| -> String {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let c: String = c.chars().take(width[i]).collect();
                if i < 2 {
                    format!("{c:<w$}", w = width[i])
                } else {
                    format!("{c:>w$}", w = width[i])
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
    };
    writeln!(out, "{}", line(&h))?;
    for r in &rows {
        writeln!(out, "{}", line(r))?;
    }
    Ok(())
}

pub fn write_csv(t: &PeerTable, out: &mut dyn Write) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut h = vec!["org_code".to_string(), "org_name".to_string()];
    for c in &t.columns {
        h.push(c.metric.to_string());
        h.push(format!("{} benchmark median", c.metric));
    }
    w.write_record(&h)?;
    let num = |v: Option<f64>| v.map(crate::fmt::plain_number).unwrap_or_default();
    for r in &t.rows {
        // Names come from a register a user may pass: never a live formula.
        let mut rec = vec![
            crate::fmt::csv_safe(&r.org_code).into_owned(),
            crate::fmt::csv_safe(&r.org_name).into_owned(),
        ];
        for (v, m) in r.values.iter().zip(&r.group_median) {
            rec.push(match v {
                Cell::Value(x) => crate::fmt::plain_number(*x),
                Cell::Text(s) => s.to_string(),
                Cell::Missing(_) => String::new(),
            });
            rec.push(num(*m));
        }
        w.write_record(&rec)?;
    }
    for (label, vals) in [
        ("set median", &t.set_median),
        ("national pooled", &t.national),
    ] {
        let mut rec = vec![String::new(), label.to_string()];
        for v in vals.iter() {
            rec.push(num(*v));
            rec.push(String::new());
        }
        w.write_record(&rec)?;
    }
    w.flush()
}
