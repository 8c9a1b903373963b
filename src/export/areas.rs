//! Writes the region packs, the national report and the peer explorer of a year.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::doc::Doc;
use super::{Error, Result, io, render_html, render_xlsx};
use crate::register::{Register, slug};
use crate::results::{PeerSet, Results, ReturnCounts, peers::columns, peers::peer_table};

/// A document as `dir/stem.html` and `dir/stem.xlsx`; returns the page's path.
fn write_doc(doc: &Doc, dir: &Path, stem: &str) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let x = dir.join(format!("{stem}.xlsx"));
    let book = render_xlsx::workbook(doc).map_err(|source| Error::Xlsx {
        path: x.clone(),
        source,
    })?;
    std::fs::write(&x, book).map_err(io(&x))?;
    let h = dir.join(format!("{stem}.html"));
    let page = render_html::page(doc).map_err(|source| Error::Html {
        path: h.clone(),
        source,
    })?;
    std::fs::write(&h, page).map_err(io(&h))?;
    Ok(h)
}

/// `OUT/YYYY/regions/<slug>.{xlsx,html}` for every region, the national
/// summary `OUT/YYYY/national/wres-national-YYYY.{xlsx,html}` and the peer
/// explorer `OUT/YYYY/explorer.html`, written in parallel (each reads only
/// the results); the paths come back in that order.
pub fn write_region_and_national(
    r: &Results,
    register: &Register,
    year: i32,
    out: &Path,
    min_count: f64,
    counts: &ReturnCounts,
) -> Result<Vec<PathBuf>> {
    let year_dir = out.join(year.to_string());
    let regions: std::collections::BTreeSet<String> =
        register.iter().map(|o| o.region.clone()).collect();
    let cols = columns();
    let region_pack = |region: &String| -> Result<PathBuf> {
        let t = peer_table(
            r,
            register,
            year,
            &PeerSet::Region(region.clone()),
            &cols,
            min_count,
        )?;
        let doc = super::region::pack(&t, region, r.params.min_trusts);
        write_doc(&doc, &year_dir.join("regions"), &slug(region))
    };
    let national = || -> Result<PathBuf> {
        let doc = super::national::report(&super::national::Inputs {
            results: r,
            register,
            year,
            min_count,
            counts,
        })?;
        write_doc(
            &doc,
            &year_dir.join("national"),
            &format!("wres-national-{year}"),
        )
    };
    let explorer = || -> Result<PathBuf> {
        let e = year_dir.join("explorer.html");
        let page = super::explorer::page(r, register, year, min_count)?;
        std::fs::write(&e, page).map_err(io(&e))?;
        Ok(e)
    };
    let (regions, (national, explorer)) = rayon::join(
        || {
            regions
                .par_iter()
                .map(region_pack)
                .collect::<Result<Vec<_>>>()
        },
        || rayon::join(national, explorer),
    );
    let mut written = regions?;
    written.push(national?);
    written.push(explorer?);
    Ok(written)
}
