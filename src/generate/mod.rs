//! Synthetic national WRES returns (`wresbench generate`).
//!
//! No real trust-level WRES data is published, so tests, benchmarks and the
//! demo run on a dataset built to behave like the real one: trust size by
//! benchmark group, BME share by region (London highest) rising over the
//! years, fewer BME staff at senior bands, a few percent unknown ethnicity,
//! small numbers where they really occur, workforce totals that sometimes
//! disagree a little between indicators. National pooled figures are
//! calibrated, year by year, to the published ones in spec/indicators.md.
//!
//! Everything is drawn from one ChaCha stream per trust and year, seeded from
//! `--seed`, so the same seed gives the same bytes.
//!
//! The steps, one file each: `sampling` (the random draws), `targets` (the
//! national figures, one table), `trust` (the trust-year model and its
//! calibration), `faults` (`--faults`: returns broken on purpose) and `write`.

mod faults;
mod sampling;
mod targets;
mod trust;
mod write;

pub use faults::{Fault, Planted};
pub use targets::{national_targets, published};

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::register::{Organisation, Register};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or folder of the output could not be written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A workbook return could not be built.
    #[error("cannot write a workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// The options ask for something impossible; says what to give instead.
    #[error("{0}")]
    Usage(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GenFormat {
    #[default]
    Csv,
    Xlsx,
    /// One workforce return in five as an Excel workbook, the rest CSV.
    Mixed,
}

#[derive(Debug, Clone)]
pub struct GenerateOptions {
    pub out: PathBuf,
    pub first_year: i32,
    pub last_year: i32,
    pub seed: u64,
    pub scale: usize,
    pub faults: f64,
    pub format: GenFormat,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            out: PathBuf::from("wres-synthetic"),
            first_year: 2016,
            last_year: 2025,
            seed: 2015,
            scale: 1,
            faults: 0.0,
            format: GenFormat::Csv,
        }
    }
}

/// Parses `2016-2025` or `2021`.
pub fn parse_years(s: &str) -> Result<(i32, i32)> {
    let bad = || {
        Error::Usage(format!(
            "--years {s:?}: give a year or a range such as 2016-2025"
        ))
    };
    let (a, b) = match s.split_once('-') {
        Some((a, b)) => (
            a.trim().parse().map_err(|_| bad())?,
            b.trim().parse().map_err(|_| bad())?,
        ),
        None => {
            let y = s.trim().parse().map_err(|_| bad())?;
            (y, y)
        }
    };
    if a > b || a < crate::model::FIRST_YEAR || b > crate::model::LAST_YEAR_ACCEPTED {
        return Err(bad());
    }
    Ok((a, b))
}

/// The register the dataset is generated for: the given one, and with
/// `scale` > 1 synthetic copies of every trust under codes `Z0001`...
pub fn scaled_register(base: &Register, scale: usize) -> Register {
    let mut r = base.clone();
    let mut n = 0usize;
    for k in 1..scale.max(1) {
        for o in base.iter() {
            n += 1;
            let code = format!("Z{n:04}");
            if base.contains(&code) {
                continue;
            }
            r.insert(Organisation {
                org_code: code,
                org_name: format!("{} (synthetic copy {k})", o.org_name),
                ..o.clone()
            });
        }
    }
    r.origin = "generated register.csv".into();
    r
}

/// What `generate` wrote.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GenerateSummary {
    pub out: PathBuf,
    pub trusts: usize,
    pub years: (i32, i32),
    pub workforce_files: usize,
    pub xlsx_files: usize,
    pub survey_files: usize,
    pub faults: usize,
    pub register: Option<PathBuf>,
}

/// An io error with the path it happened at.
fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes the dataset under `opts.out`:
/// `returns/YYYY/CODE-YYYY-workforce.{csv,xlsx}`, `survey/staff-survey-YYYY.csv`,
/// `register.csv` (the register the returns were made for) and, with faults,
/// `faults.csv`.
pub fn generate(base: &Register, opts: &GenerateOptions) -> Result<GenerateSummary> {
    if !(0.0..=1.0).contains(&opts.faults) {
        return Err(Error::Usage(
            "--faults is a fraction between 0 and 1".into(),
        ));
    }
    let register = scaled_register(base, opts.scale);
    let orgs: Vec<Organisation> = register.iter().cloned().collect();
    let years: Vec<i32> = (opts.first_year..=opts.last_year).collect();
    let consts = trust::constants(&orgs, opts.seed);
    let all: Vec<trust::TrustYear> = years
        .iter()
        .flat_map(|&year| trust::calibrated_year(&orgs, &consts, year, opts.seed))
        .collect();

    write::marker(&opts.out)?;
    let mut summary = GenerateSummary {
        out: opts.out.clone(),
        trusts: orgs.len(),
        years: (opts.first_year, opts.last_year),
        ..Default::default()
    };
    let plan = faults::plan(opts.faults, all.len(), opts.seed);
    let mut planted = write::workforce_returns(&all, &plan, opts, &mut summary)?;
    summary.survey_files = write::survey_files(&all, &years, &opts.out)?;
    write::register_and_faults(&register, &mut planted, &mut summary)?;
    Ok(summary)
}
