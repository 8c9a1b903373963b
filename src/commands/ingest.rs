//! `wresbench ingest`: validates returns and loads them into the warehouse.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{Common, Outcome, Result, plural, write_next_step, write_registers_skipped};
use crate::ingest::ValidateOptions;
use crate::warehouse;

/// Validate returns (files or folders) and load them into the warehouse
#[derive(Debug, Clone, clap::Args)]
// No implicit argument group: `run` flattens these beside its own `Args`.
#[group(skip)]
pub struct Args {
    /// Return files (.csv, .xlsx) or folders of them
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// The warehouse folder (made if it does not exist)
    #[arg(long, value_name = "DIR")]
    pub warehouse: PathBuf,
}

/// `wresbench ingest`.
pub fn run(common: &Common, args: &Args, out: &mut dyn Write) -> Result<Outcome> {
    ingest_then(common, &args.inputs, &args.warehouse, true, out)
}

/// Ingests; `say_next` ends with what to run next (not within `run`, which
/// runs it).
pub(super) fn ingest_then(
    common: &Common,
    inputs: &[PathBuf],
    warehouse_dir: &Path,
    say_next: bool,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let opts = warehouse::IngestOptions {
        inputs: inputs.to_vec(),
        warehouse: warehouse_dir.to_path_buf(),
        register: common.register()?,
        validate: ValidateOptions::default(),
        progress: common.progress,
    };
    let s = warehouse::ingest(&opts)?;
    if !common.quiet {
        write_ingest_summary(&s, warehouse_dir, out)?;
        if say_next && s.sections_accepted + s.sections_superseded > 0 {
            write_next_step(warehouse_dir, out)?;
        }
    }
    Ok(if s.any_rejected() {
        Outcome::Rejected
    } else {
        Outcome::Ok
    })
}

/// Warnings of accepted sections printed by `ingest`; the rest are counted
/// and left in the warehouse's `messages` table.
const WARNINGS_SHOWN: usize = 10;

pub fn write_ingest_summary(
    s: &warehouse::IngestSummary,
    root: &Path,
    out: &mut dyn Write,
) -> Result<()> {
    write_registers_skipped(&s.registers_skipped, out)?;
    for r in &s.rejections {
        writeln!(out, "rejected: {r}")?;
    }
    for w in s.warning_lines.iter().take(WARNINGS_SHOWN) {
        writeln!(out, "warning: {w}")?;
    }
    if s.warning_lines.len() > WARNINGS_SHOWN {
        writeln!(
            out,
            "... and {} more warning{}; every one is in the warehouse: wresbench sql --warehouse {} \"SELECT * FROM messages WHERE severity = 'warning'\"",
            s.warning_lines.len() - WARNINGS_SHOWN,
            plural(s.warning_lines.len() - WARNINGS_SHOWN),
            root.display()
        )?;
    }
    writeln!(
        out,
        "Ingested into {}: {} file{} read; {} section{} accepted, {} rejected, {} superseded, {} unchanged; {} file{} unreadable; {} warning{}.",
        root.display(),
        s.files_read,
        plural(s.files_read),
        s.sections_accepted,
        plural(s.sections_accepted),
        s.sections_rejected,
        s.sections_superseded,
        s.sections_unchanged,
        s.files_rejected,
        plural(s.files_rejected),
        s.warnings,
        plural(s.warnings)
    )?;
    if let Some(r) = &s.rejects_report {
        writeln!(
            out,
            "Every problem of the rejected returns is listed in {}.",
            r.display()
        )?;
    }
    Ok(())
}
