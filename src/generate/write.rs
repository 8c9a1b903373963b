//! Writing the generated dataset: one workforce return per trust and year
//! (CSV or workbook, some broken on purpose), one staff survey file per year,
//! the register and `faults.csv`.

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;

use super::faults::{Fault, Planted};
use super::sampling::seed_for;
use super::trust::TrustYear;
use super::{GenFormat, GenerateOptions, GenerateSummary, Result, io};
use crate::ingest::{self, Row};
use crate::model::Measure;
use crate::register::{Organisation, Register};

/// Marks the folder: `ingest` of anything under it records that the
/// warehouse holds synthetic figures, and every pack made from it says so.
pub(super) fn marker(out: &Path) -> Result<()> {
    std::fs::create_dir_all(out).map_err(io(out))?;
    let marker = out.join(ingest::SYNTHETIC_MARKER);
    std::fs::write(
        &marker,
        "Returns under this folder were made by `wresbench generate`: real trust names, made-up figures.\n",
    )
    .map_err(io(&marker))
}

/// Every workforce return, in parallel; counts the files in `summary` and
/// returns the faults planted.
pub(super) fn workforce_returns(
    all: &[TrustYear],
    plan: &BTreeMap<usize, Fault>,
    opts: &GenerateOptions,
    summary: &mut GenerateSummary,
) -> Result<Vec<Planted>> {
    let results: Vec<Result<(bool, Vec<Planted>)>> = all
        .par_iter()
        .enumerate()
        .map(|(i, t)| workforce_return(t, plan.get(&i).copied(), opts))
        .collect();
    let mut faults = Vec::new();
    for r in results {
        let (x, f) = r?;
        summary.workforce_files += 1;
        summary.xlsx_files += usize::from(x);
        faults.extend(f);
    }
    // The second file of each duplicated section (both files are listed).
    summary.workforce_files += faults
        .iter()
        .filter(|f| f.expected_code == Fault::DuplicateSection.code())
        .count()
        / 2;
    Ok(faults)
}

/// One trust-year's workforce return, with its fault if it has one; true
/// when written as a workbook.
fn workforce_return(
    t: &TrustYear,
    fault: Option<Fault>,
    opts: &GenerateOptions,
) -> Result<(bool, Vec<Planted>)> {
    let out = &opts.out;
    let dir = out.join("returns").join(t.year.to_string());
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    let xlsx = match opts.format {
        GenFormat::Csv => false,
        GenFormat::Xlsx => true,
        GenFormat::Mixed => seed_for(opts.seed, &t.org.org_code, t.year, 5).is_multiple_of(5),
    };
    let xlsx = xlsx && !fault.is_some_and(Fault::csv_only);
    let ext = if xlsx { "xlsx" } else { "csv" };
    let path = dir.join(format!("{}-{}-workforce.{ext}", t.org.org_code, t.year));
    let mut rows = t.rows.clone();
    let (mut year, mut org_code) = (t.year, t.org.org_code.clone());
    if let Some(f) = fault {
        f.plant_in_rows(&mut rows, &mut year, &mut org_code);
    }
    let bytes = if xlsx {
        let org = Organisation {
            org_code: org_code.clone(),
            ..t.org.clone()
        };
        ingest::template::return_workbook(&org, year, &rows)?
    } else {
        let b = ingest::csv::write_rows(&rows);
        match fault {
            Some(f) => f.plant_in_text(b),
            None => b,
        }
    };
    std::fs::write(&path, &bytes).map_err(io(&path))?;
    let Some(fault) = fault else {
        return Ok((xlsx, Vec::new()));
    };
    let planted = |p: &Path| Planted {
        file: p.strip_prefix(out).unwrap_or(p).display().to_string(),
        org_code: org_code.clone(),
        year,
        section: "workforce".into(),
        expected_code: fault.code().to_string(),
    };
    let mut faults = Vec::new();
    if fault == Fault::DuplicateSection {
        // A second file for the same return, one figure changed.
        let mut rows2 = rows.clone();
        if let Some(r) = rows2
            .iter_mut()
            .find(|r| r.indicator.number() == 3 && r.measure == Measure::Workforce)
        {
            r.value += 1.0;
        }
        let p2 = dir.join(format!(
            "{}-{}-workforce-resubmitted.csv",
            t.org.org_code, t.year
        ));
        std::fs::write(&p2, ingest::csv::write_rows(&rows2)).map_err(io(&p2))?;
        faults.push(planted(&p2));
    }
    faults.push(planted(&path));
    Ok((xlsx, faults))
}

/// One national staff survey file per year, every trust, named for the
/// survey's year (the one before the WRES year).
pub(super) fn survey_files(all: &[TrustYear], years: &[i32], out: &Path) -> Result<usize> {
    let sdir = out.join("survey");
    std::fs::create_dir_all(&sdir).map_err(io(&sdir))?;
    for &year in years {
        let rows: Vec<Row> = all
            .iter()
            .filter(|t| t.year == year)
            .flat_map(|t| t.survey.iter().cloned())
            .collect();
        let p = sdir.join(format!("staff-survey-{}.csv", year - 1));
        std::fs::write(&p, ingest::csv::write_rows(&rows)).map_err(io(&p))?;
    }
    Ok(years.len())
}

/// `register.csv`, and `faults.csv` when there are faults (an old one is removed).
pub(super) fn register_and_faults(
    register: &Register,
    faults: &mut [Planted],
    summary: &mut GenerateSummary,
) -> Result<()> {
    let out = summary.out.clone();
    let rp = out.join("register.csv");
    std::fs::write(&rp, register.to_csv()).map_err(io(&rp))?;
    summary.register = Some(rp);
    faults.sort_by(|a, b| a.file.cmp(&b.file));
    summary.faults = faults.len();
    let fp = out.join("faults.csv");
    if faults.is_empty() {
        if fp.exists() {
            std::fs::remove_file(&fp).map_err(io(&fp))?;
        }
        return Ok(());
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    for f in faults.iter() {
        w.serialize(f).map_err(|e| io(&fp)(e.into()))?;
    }
    let bytes = w.into_inner().map_err(|e| io(&fp)(e.into_error()))?;
    std::fs::write(&fp, bytes).map_err(io(&fp))
}
