//! The commands of the `wresbench` binary, one file each (the qsv shape).
//!
//! Each command module has an `Args` struct that clap fills and validates
//! (the binary flattens it into its subcommand) and a `run` function that
//! writes its report to `out` (stdout or stderr in the binary, a buffer in
//! tests) and returns an [`Outcome`]; `main.rs` maps it to the exit code.
//! What the commands share lives here.

pub mod benchmark;
pub mod demo;
pub mod export;
pub mod generate;
pub mod ingest;
pub mod peers;
pub mod restore;
pub mod run;
pub mod sql;
pub mod template;
pub mod validate;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::fmt;
use crate::register::Register;

/// Errors of the command layer: each wraps the layer it came from, or says
/// what in the command line to change.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The organisation register could not be read.
    #[error(transparent)]
    Register(#[from] crate::register::Error),
    /// Reading or validating returns failed (not a rejected return: those are data).
    #[error(transparent)]
    Ingest(#[from] crate::ingest::Error),
    /// The warehouse could not be read or written.
    #[error(transparent)]
    Warehouse(#[from] crate::warehouse::Error),
    /// A query or the result tables failed.
    #[error(transparent)]
    Engine(#[from] crate::engine::Error),
    /// Writing packs failed.
    #[error(transparent)]
    Export(#[from] crate::export::Error),
    /// Writing synthetic returns failed.
    #[error(transparent)]
    Generate(#[from] crate::generate::Error),
    /// The peer set or its output failed.
    #[error(transparent)]
    Results(#[from] crate::results::Error),
    /// Writing the command's own output (stdout, or `-o FILE`) failed.
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
    /// The command line asks for something that cannot be done; says what to give instead.
    #[error("{0}")]
    Usage(String),
    /// `demo --out DIR` on a folder holding something else.
    #[error(
        "{0} is not empty and is not a folder an earlier `wresbench demo` made; the demo replaces its data, warehouse and packs folders, so give it a new or empty folder (the default is demo-out)"
    )]
    NotADemoFolder(PathBuf),
    /// The user's file would be replaced (a filled-in workbook, say).
    #[error(
        "{0} already exists; it may be a filled-in return. Choose another name with -o FILE, or pass --force to replace it."
    )]
    WouldOverwrite(PathBuf),
    /// Some packs failed; every other file of the export was written.
    #[error(
        "{} could not be written (every other pack, the index and the region packs were): {}", fmt::counted(*.0, "pack", "packs"), .1
    )]
    PacksFailed(usize, String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How a command finished (errors are the `Err` side).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything accepted: exit 0.
    Ok,
    /// Finished, but some input was rejected: exit 1.
    Rejected,
}

/// Options every command shares.
#[derive(Debug, Clone, Default)]
pub struct Common {
    pub register: Option<PathBuf>,
    pub quiet: bool,
    pub progress: bool,
}

impl Common {
    /// The register given with `--register`, or the built-in one.
    pub fn register(&self) -> Result<Register> {
        Ok(Register::load(self.register.as_deref())?)
    }
}

/// `"s"` for every count but one.
fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A register among the inputs is skipped, and said so.
fn write_registers_skipped(registers: &[PathBuf], out: &mut dyn Write) -> Result<()> {
    for r in registers {
        writeln!(
            out,
            "note: skipped {}: it is an organisation register, not a return (to use it, pass --register {}).",
            r.display(),
            r.display()
        )?;
    }
    Ok(())
}

/// After the returns change, the results are stale until `benchmark` runs.
fn write_next_step(warehouse_dir: &Path, out: &mut dyn Write) -> Result<()> {
    writeln!(
        out,
        "Next: wresbench benchmark --warehouse {} (the results predate these returns until it runs), then wresbench export.",
        warehouse_dir.display()
    )?;
    Ok(())
}

/// `--year`: a reporting year the WRES can have (FIRST_YEAR to LAST_YEAR_ACCEPTED).
fn parse_year(s: &str) -> Result<i32, String> {
    match s.trim().parse::<i32>() {
        Ok(y) if (crate::model::FIRST_YEAR..=crate::model::LAST_YEAR_ACCEPTED).contains(&y) => {
            Ok(y)
        }
        _ => Err(format!(
            "{s} is not a reporting year: give a year from {} on, such as 2025",
            crate::model::FIRST_YEAR
        )),
    }
}
