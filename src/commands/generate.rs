//! `wresbench generate`: realistic synthetic returns for every trust in the register.

use std::io::Write;
use std::path::PathBuf;

use super::{Common, Outcome, Result};
use crate::fmt;
use crate::generate::{GenFormat, GenerateOptions};

/// Write realistic synthetic returns for every trust in the register
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Reporting years, e.g. 2016-2025
    #[arg(long, default_value = "2016-2025", value_parser = parse_years)]
    pub years: Years,
    #[arg(long, default_value_t = 2015)]
    pub seed: u64,
    /// Make K times as many trusts (synthetic codes Z0001...)
    #[arg(long, value_name = "K", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub scale: u32,
    /// Fraction of returns to break, each in a way validation must catch
    #[arg(long, default_value_t = 0.0, value_parser = parse_fraction)]
    pub faults: f64,
    #[arg(long, value_enum, default_value_t = GenFormat::Csv)]
    pub format: GenFormat,
}

/// `--years`: the first and last reporting year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Years {
    pub first: i32,
    pub last: i32,
}

fn parse_years(s: &str) -> Result<Years, String> {
    let (first, last) = crate::generate::parse_years(s).map_err(|_| {
        format!(
            "give a year or a range such as 2016-2025, first year first, from {} on",
            crate::model::FIRST_YEAR
        )
    })?;
    Ok(Years { first, last })
}

/// `--faults`: a share of returns, 0 to 1.
fn parse_fraction(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(f) if (0.0..=1.0).contains(&f) => Ok(f),
        _ => Err(format!(
            "{s} is not a fraction: give a number from 0 to 1, such as 0.05 for one return in twenty"
        )),
    }
}

impl Args {
    fn options(&self) -> GenerateOptions {
        GenerateOptions {
            out: self.out.clone(),
            first_year: self.years.first,
            last_year: self.years.last,
            seed: self.seed,
            scale: self.scale as usize,
            faults: self.faults,
            format: self.format,
        }
    }
}

/// `wresbench generate`.
pub fn run(common: &Common, args: &Args, out: &mut dyn Write) -> Result<Outcome> {
    generate(common, &args.options(), out)
}

/// Writes the returns `opts` asks for and says what it wrote.
pub(super) fn generate(
    common: &Common,
    opts: &GenerateOptions,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let register = common.register()?;
    let s = crate::generate::generate(&register, opts)?;
    if !common.quiet {
        writeln!(
            out,
            "Generated {} x {} ({}-{}) in {}: {} ({} as Excel workbooks), {}{}.",
            fmt::counted(s.trusts, "trust", "trusts"),
            fmt::counted((s.years.1 - s.years.0 + 1) as usize, "year", "years"),
            s.years.0,
            s.years.1,
            s.out.display(),
            fmt::counted(s.workforce_files, "workforce return", "workforce returns"),
            s.xlsx_files,
            fmt::counted(s.survey_files, "staff survey file", "staff survey files"),
            if s.faults > 0 {
                format!(
                    ", {} planted faults listed in {}",
                    s.faults,
                    s.out.join("faults.csv").display()
                )
            } else {
                String::new()
            }
        )?;
        if opts.scale > 1 {
            writeln!(
                out,
                "The synthetic trusts are in {}: pass --register {} to ingest them.",
                s.out.join("register.csv").display(),
                s.out.join("register.csv").display()
            )?;
        }
    }
    Ok(Outcome::Ok)
}
