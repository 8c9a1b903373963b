//! `wresbench run`: ingest, benchmark and export in one go.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{Common, Outcome, Result, benchmark, export, ingest, parse_year};
use crate::export::ExportOptions;

/// Ingest, benchmark and export in one go
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The returns and the warehouse, as `ingest` takes them
    #[command(flatten)]
    pub ingest: ingest::Args,
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Year of the packs (default: the latest year with results)
    #[arg(long, value_parser = parse_year)]
    pub year: Option<i32>,
}

/// `wresbench run`.
pub fn run(common: &Common, args: &Args, out: &mut dyn Write) -> Result<Outcome> {
    pipeline(common, args, false, out)
}

/// Ingest, benchmark every year, export; `synthetic` marks the packs as made
/// from generated data. The outcome is ingest's: rejected input gives exit 1
/// after the packs are written.
pub(super) fn pipeline(
    common: &Common,
    args: &Args,
    synthetic: bool,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let started = std::time::Instant::now();
    let wh = &args.ingest.warehouse;
    let ingested = ingest::ingest_then(common, &args.ingest.inputs, wh, false, out)?;
    give_back_freed_memory();
    benchmark::run(common, &benchmark::Args::every_year(wh), out)?;
    give_back_freed_memory();
    let opts = ExportOptions {
        warehouse: wh.clone(),
        out: args.out.clone(),
        year: args.year,
        orgs: Vec::new(),
        progress: common.progress,
        synthetic,
    };
    export::export(common, &opts, out)?;
    if !common.quiet {
        writeln!(out, "Done in {:.1} s.", started.elapsed().as_secs_f64())?;
    }
    Ok(ingested)
}

/// Hands the memory a stage freed back to the system before the next stage
/// starts. glibc's allocator keeps freed memory in its arenas, fragmented
/// by the stage's many threads, and the next stage's allocations did not
/// fit in it: at `--scale 20` `run` peaked at 1,087 MiB where the largest
/// stage alone peaks at 760 MiB. Each stage reads its input from the
/// warehouse, so nothing of the one before is needed.
fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim takes no pointers and only releases free memory;
    // it is safe to call at any time from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// The folders `demo` runs the pipeline on.
pub(super) fn args_for(data: &Path, warehouse: &Path, packs: &Path) -> Args {
    Args {
        ingest: ingest::Args {
            inputs: vec![data.join("returns"), data.join("survey")],
            warehouse: warehouse.to_path_buf(),
        },
        out: packs.to_path_buf(),
        year: None,
    }
}
