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
    /// Compute this year only (default: every year whose returns, or the
    /// year before's, changed since its results were computed)
    #[arg(long, value_parser = parse_year, conflicts_with = "rebuild")]
    pub year: Option<i32>,
    /// Compute every year, also those whose results are up to date
    #[arg(long)]
    pub rebuild: bool,
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
            rebuild: false,
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
    let years = match (args.year, args.rebuild) {
        (Some(y), _) => engine::Years::One(y),
        (None, true) => engine::Years::All,
        (None, false) => engine::Years::OutOfDate,
    };
    let s = engine::benchmark_with_progress(
        &args.warehouse,
        &register,
        &params,
        years,
        common.progress,
    )?;
    if !common.quiet {
        write_summary(&s, &args.warehouse, out)?;
    }
    Ok(Outcome::Ok)
}

/// What was computed and written, in two lines.
fn write_summary(s: &engine::BenchmarkSummary, root: &Path, out: &mut dyn Write) -> Result<()> {
    let span = years_text(&s.years);
    if s.years_written.is_empty() {
        writeln!(
            out,
            "Results in {} are up to date: no year's returns have changed since they were computed ({span}). `wresbench benchmark --rebuild --warehouse {}` computes them again.",
            root.join(warehouse::layout::RESULTS_DIR).display(),
            root.display()
        )?;
        return Ok(());
    }
    let over = if s.years_written.len() == s.years.len() {
        format!(
            "over {} year{} ({span})",
            s.years.len(),
            plural(s.years.len())
        )
    } else {
        format!(
            "in {} of {} years ({})",
            s.years_written.len(),
            s.years.len(),
            years_text(&s.years_written)
        )
    };
    writeln!(
        out,
        "Benchmarked {} trust{} {over}: {}, {} suppressed (survey groups under the response threshold), {} undefined (a zero denominator, or no one counted in either group); {} relative likelihood{} of 0 and {} infinite.",
        s.trusts,
        plural(s.trusts),
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
            years_text(&s.years_written)
        },
        root.join(warehouse::layout::RESULTS_DIR).display()
    )?;
    if !s.kept.is_empty() {
        writeln!(
            out,
            "Kept the results of {}: their returns have not changed since they were computed.",
            years_text(&s.kept)
        )?;
    }
    Ok(())
}

/// Years as a reader scans them: runs of consecutive years as `2016-2019`.
fn years_text(years: &[i32]) -> String {
    let mut runs: Vec<(i32, i32)> = Vec::new();
    for &y in years {
        match runs.last_mut() {
            Some((_, b)) if *b + 1 == y => *b = y,
            _ => runs.push((y, y)),
        }
    }
    if runs.is_empty() {
        return "-".into();
    }
    runs.iter()
        .map(|(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}
