//! `wresbench export`: per-trust packs (HTML, Excel, JSON), region packs, the
//! national summary and the index.

use std::io::Write;
use std::path::PathBuf;

use super::{Common, Error, Outcome, Result, parse_year};
use crate::export::ExportOptions;
use crate::{engine, fmt};

/// Write the per-trust comparison packs (HTML, Excel, JSON) and an index
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[arg(long, value_name = "DIR")]
    pub warehouse: PathBuf,
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Default: the latest year with results
    #[arg(long, value_parser = parse_year)]
    pub year: Option<i32>,
    /// Only these trusts (repeatable)
    #[arg(long = "org", value_name = "CODE")]
    pub orgs: Vec<String>,
}

/// `wresbench export`.
pub fn run(common: &Common, args: &Args, out: &mut dyn Write) -> Result<Outcome> {
    let opts = ExportOptions {
        warehouse: args.warehouse.clone(),
        out: args.out.clone(),
        year: args.year,
        orgs: args.orgs.clone(),
        progress: common.progress,
        synthetic: false,
    };
    export(common, &opts, out)
}

/// Writes the packs `opts` asks for, the region packs and the national summary.
pub(super) fn export(
    common: &Common,
    opts: &ExportOptions,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let register = common.register()?;
    let engine = engine::Engine::open(&opts.warehouse, &register, &engine::Params::default())?;
    let started = std::time::Instant::now();
    let results = crate::results::Results::load(&engine, &register)?;
    tracing::info!("results loaded in {} ms", started.elapsed().as_millis());
    let started = std::time::Instant::now();
    let s = crate::export::export_results(&results, &register, opts)?;
    tracing::info!(
        "trust packs written in {} ms",
        started.elapsed().as_millis()
    );
    let started = std::time::Instant::now();
    let counts = results.return_counts(s.year);
    crate::export::areas::write_region_and_national(
        &results,
        &register,
        s.year,
        &opts.out,
        crate::params::MIN_COUNT,
        &counts,
    )?;
    tracing::info!(
        "region packs and national summary written in {} ms",
        started.elapsed().as_millis()
    );
    if !common.quiet {
        writeln!(
            out,
            "Wrote {} for {} (HTML, Excel and JSON each), region packs and the national summary under {}.\nOpen {}",
            fmt::counted(s.packs, "comparison pack", "comparison packs"),
            s.year,
            opts.out.join(s.year.to_string()).display(),
            s.index.display()
        )?;
    }
    if !s.failed.is_empty() {
        return Err(Error::PacksFailed(
            s.failed.len(),
            s.failed
                .iter()
                .map(|(org, why)| format!("{org}: {why}"))
                .collect::<Vec<_>>()
                .join("; "),
        ));
    }
    Ok(Outcome::Ok)
}
