//! Writes the region packs and the national report of a year.

use std::path::{Path, PathBuf};

use super::{Error, Result, io};
use crate::register::{Register, slug};
use crate::results::{PeerSet, Results, ReturnCounts, peers::columns, peers::peer_table};

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
    for region in &regions {
        let t = peer_table(
            r,
            register,
            year,
            &PeerSet::Region(region.clone()),
            &cols,
            min_count,
        )?;
        let doc = super::region::pack(&t, region, r.params.min_trusts);
        let x = dir.join(format!("{}.xlsx", slug(region)));
        let book = super::render_xlsx::workbook(&doc).map_err(|e| render(&x)(e.to_string()))?;
        std::fs::write(&x, book).map_err(io(&x))?;
        let h = dir.join(format!("{}.html", slug(region)));
        let page = super::render_html::page(&doc).map_err(|e| render(&h)(e.to_string()))?;
        std::fs::write(&h, page).map_err(io(&h))?;
        written.push(h);
    }

    let doc = super::national::report(&super::national::Inputs {
        results: r,
        register,
        year,
        min_count,
        counts,
    })?;
    let ndir = out.join(year.to_string()).join("national");
    std::fs::create_dir_all(&ndir).map_err(io(&ndir))?;
    let hpath = ndir.join(format!("wres-national-{year}.html"));
    let page = super::render_html::page(&doc).map_err(|e| render(&hpath)(e.to_string()))?;
    std::fs::write(&hpath, page).map_err(io(&hpath))?;
    let xpath = ndir.join(format!("wres-national-{year}.xlsx"));
    let book = super::render_xlsx::workbook(&doc).map_err(|e| render(&xpath)(e.to_string()))?;
    std::fs::write(&xpath, book).map_err(io(&xpath))?;
    written.push(hpath);
    Ok(written)
}
