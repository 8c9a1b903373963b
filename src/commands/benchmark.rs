//! `wresbench benchmark`: runs the SQL in queries/ and writes the result tables.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{Common, Outcome, Result, parse_year, plural};
use crate::{engine, fmt, warehouse};

/// Run the SQL in queries/ and write the result tables
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[arg(long, value_name = "DIR")]
    pub warehouse: PathBuf,
    /// Write results for this year only (default: every year)
    #[arg(long, value_parser = parse_year)]
    pub year: Option<i32>,
    /// Survey groups with fewer responses are suppressed
    #[arg(long, value_name = "N", default_value_t = crate::params::MIN_RESPONSES as u32)]
    pub min_responses: u32,
}

impl Args {
    /// Every year, with the given warehouse and the default parameters.
    pub fn every_year(warehouse: &Path) -> Args {
        Args {
            warehouse: warehouse.to_path_buf(),
            year: None,
            min_responses: crate::params::MIN_RESPONSES as u32,
        }
    }
}

/// `wresbench benchmark`.
pub fn run(common: &Common, args: &Args, out: &mut dyn Write) -> Result<Outcome> {
    let register = common.register()?;
    let params = engine::Params {
        min_responses: f64::from(args.min_responses),
        ..Default::default()
    };
    let s = engine::benchmark_with_progress(
        &args.warehouse,
        &register,
        &params,
        args.year,
        common.progress,
    )?;
    if !common.quiet {
        write_summary(&s, &args.warehouse, out)?;
    }
    Ok(Outcome::Ok)
}

/// What was computed and written, in two lines.
fn write_summary(s: &engine::BenchmarkSummary, root: &Path, out: &mut dyn Write) -> Result<()> {
    let span = match (s.years.first(), s.years.last()) {
        (Some(a), Some(b)) if a != b => format!("{a}-{b}"),
        (Some(a), _) => a.to_string(),
        _ => "-".into(),
    };
    writeln!(
        out,
        "Benchmarked {} trust{} over {} year{} ({span}): {}, {} suppressed (survey groups under the response threshold), {} undefined (a zero denominator, or no one counted in either group); {} relative likelihood{} of 0 and {} infinite.",
        s.trusts,
        plural(s.trusts),
        s.years.len(),
        plural(s.years.len()),
        fmt::counted(s.org_figures, "trust figure", "trust figures"),
        s.suppressed,
        s.undefined,
        s.zero_count,
        plural(s.zero_count),
        s.infinite,
    )?;
    let written: Vec<String> = s.rows.iter().map(|(t, n)| format!("{t} {n}")).collect();
    writeln!(
        out,
        "Wrote {} for {} to {}.",
        written.join(", "),
        if s.years_written.len() == s.years.len() {
            "every year".to_string()
        } else {
            s.years_written
                .iter()
                .map(|y| y.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        },
        root.join(warehouse::layout::RESULTS_DIR).display()
    )?;
    Ok(())
}
