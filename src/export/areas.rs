//! Region packs and the national summary.

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{Format, Workbook};

use super::peer_pages::{TextTable, html_page, synthetic_prefix, xlsx_bytes};
use super::{Error, Result, io};
use crate::fmt;
use crate::ingest::template::fixed_properties;
use crate::register::{Register, slug};
use crate::results::{
    PeerSet, PeerTable, Results, ReturnCounts, peers::columns, peers::peer_table,
};

fn render(path: &Path) -> impl FnOnce(String) -> Error + '_ {
    move |message| Error::Render {
        path: path.to_path_buf(),
        message,
    }
}

/// `OUT/YYYY/regions/<slug>.{xlsx,html}` for every region, and the national
/// summary `OUT/YYYY/national/wres-national-YYYY.{xlsx,html}`.
pub fn write_region_and_national(
    r: &Results,
    register: &Register,
    year: i32,
    out: &Path,
    min_count: f64,
    counts: &ReturnCounts,
) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    let dir = out.join(year.to_string()).join("regions");
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    let regions: std::collections::BTreeSet<String> =
        register.iter().map(|o| o.region.clone()).collect();
    let cols = columns();
    let min_trusts = r.params.min_trusts;
    for region in &regions {
        let t = peer_table(
            r,
            register,
            year,
            &PeerSet::Region(region.clone()),
            &cols,
            min_count,
        )?;
        let x = dir.join(format!("{}.xlsx", slug(region)));
        std::fs::write(&x, xlsx_bytes(&t).map_err(|e| render(&x)(e.to_string()))?)
            .map_err(io(&x))?;
        let h = dir.join(format!("{}.html", slug(region)));
        std::fs::write(
            &h,
            html_page(&t, &[]).map_err(|e| render(&h)(e.to_string()))?,
        )
        .map_err(io(&h))?;
        written.push(h);
    }

    // National summary: pooled and median by year; by group and region this year.
    let ndir = out.join(year.to_string()).join("national");
    std::fs::create_dir_all(&ndir).map_err(io(&ndir))?;
    let mut extra = Vec::new();
    let mut by_year = Vec::new();
    for y in &r.years {
        let mut row = vec![y.to_string()];
        for c in &cols {
            let n = r.national(*y, c.key());
            row.push(fmt::opt(n.and_then(|n| n.pooled), |x| c.metric.format(x)));
            row.push(fmt::opt(
                n.filter(|n| n.n_orgs >= min_trusts).and_then(|n| n.median),
                |x| c.metric.format(x),
            ));
        }
        by_year.push(row);
    }
    let mut h = vec!["WRES year".to_string()];
    for c in &cols {
        h.push(format!("{} (pooled)", c.metric.label()));
        h.push("median".into());
    }
    extra.push(("National figures by year".to_string(), by_year, h));
    for (label, groups) in [
        (
            "benchmark group",
            register
                .iter()
                .map(|o| o.benchmark_group.clone())
                .collect::<std::collections::BTreeSet<_>>(),
        ),
        ("region", regions.clone()),
    ] {
        let mut rows = Vec::new();
        for g in &groups {
            let mut row = vec![g.clone()];
            for c in &cols {
                let k = c.key();
                let s = if label == "region" {
                    r.region(g, year, k)
                } else {
                    r.group(g, year, k)
                };
                // Medians from fewer trusts than the minimum are withheld.
                row.push(fmt::opt(
                    s.filter(|s| s.n_orgs >= min_trusts).and_then(|s| s.median),
                    |x| c.metric.format(x),
                ));
            }
            rows.push(row);
        }
        let mut h = vec![label.to_string()];
        h.extend(
            cols.iter()
                .map(|c| format!("{} (median)", c.metric.label())),
        );
        extra.push((format!("Medians by {label}, {year}"), rows, h));
    }
    // Every trust without an accepted return for a section: which, and why
    // (rejected or missing), so nobody reads "no figures" as "all is well".
    let sections = crate::model::Section::ALL;
    let mut not_in: Vec<Vec<String>> = Vec::new();
    for o in register.iter() {
        let st = crate::results::return_statuses(r, &o.org_code, year);
        if st.iter().all(|x| x.status == "accepted") {
            continue;
        }
        let mut row = vec![o.org_name.clone(), o.org_code.clone(), o.region.clone()];
        row.extend(st.iter().map(|x| x.status.to_string()));
        not_in.push(row);
    }
    let per_section: Vec<String> = sections
        .iter()
        .enumerate()
        .map(|(i, sec)| {
            let n = |want: &str| not_in.iter().filter(|row| row[3 + i] == want).count();
            format!(
                "{}: {} rejected, {} missing",
                sec.code(),
                n("rejected"),
                n("missing")
            )
        })
        .collect();
    let mut h = vec!["Trust".into(), "Code".into(), "Region".into()];
    h.extend(sections.iter().map(|s| format!("{} return", s.code())));
    extra.push((
        format!(
            "Returns for {year}: {} section{} received, {} accepted, {} rejected; {} file{} could not be read as a return at all (year unknown, counted over every year). Trusts without an accepted return: {}",
            counts.received,
            if counts.received == 1 { "" } else { "s" },
            counts.accepted,
            counts.rejected,
            counts.unreadable,
            if counts.unreadable == 1 { "" } else { "s" },
            per_section.join("; ")
        ),
        not_in,
        h,
    ));
    let t = PeerTable {
        year,
        set: "England".into(),
        min_count,
        columns: cols.clone(),
        rows: Vec::new(),
        set_median: vec![None; cols.len()],
        national: cols
            .iter()
            .map(|c| r.national(year, c.key()).and_then(|n| n.pooled))
            .collect(),
        synthetic: r.synthetic,
    };
    let hpath = ndir.join(format!("wres-national-{year}.html"));
    std::fs::write(
        &hpath,
        html_page(&t, &extra).map_err(|e| render(&hpath)(e.to_string()))?,
    )
    .map_err(io(&hpath))?;
    let xpath = ndir.join(format!("wres-national-{year}.xlsx"));
    std::fs::write(
        &xpath,
        national_xlsx(year, &extra, r.synthetic).map_err(|e| render(&xpath)(e.to_string()))?,
    )
    .map_err(io(&xpath))?;
    written.push(hpath);
    Ok(written)
}

fn national_xlsx(
    year: i32,
    tables: &[TextTable],
    synthetic: bool,
) -> std::result::Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut wb = Workbook::new();
    wb.set_properties(&fixed_properties()?.set_title(format!("WRES national summary {year}")));
    let bold = Format::new().set_bold().set_background_color(0xEEF3F8);
    for (i, (title, rows, headers)) in tables.iter().enumerate() {
        let ws = wb.add_worksheet();
        ws.set_name(
            ["By year", "By benchmark group", "By region", "Returns"]
                .get(i)
                .copied()
                .unwrap_or("More"),
        )?;
        ws.write_string(0, 0, format!("{}{title}", synthetic_prefix(synthetic)))?;
        for (j, h) in headers.iter().enumerate() {
            ws.write_string_with_format(1, j as u16, h, &bold)?;
        }
        for (k, row) in rows.iter().enumerate() {
            for (j, c) in row.iter().enumerate() {
                // Figures as numbers where they are numbers (units are in the header).
                let plain = c
                    .trim_end_matches('%')
                    .trim_end_matches(" pp")
                    .replace(',', "");
                match plain.parse::<f64>() {
                    Ok(v) if j > 0 => ws.write_number(2 + k as u32, j as u16, v)?,
                    _ => ws.write_string(2 + k as u32, j as u16, c)?,
                };
            }
        }
        ws.set_freeze_panes(2, 1)?;
        ws.set_column_width(0, 40)?;
    }
    wb.save_to_buffer()
}
