//! `wresbench restore`: makes an earlier, superseded submission current again.

use std::io::Write;
use std::path::PathBuf;

use super::{Common, Outcome, Result, write_next_step};
use crate::ingest::ValidateOptions;
use crate::warehouse;

/// Make an earlier, superseded submission current again
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[arg(long, value_name = "DIR")]
    pub warehouse: PathBuf,
    /// submission_id from the ledger (submissions table)
    pub submission: String,
}

/// `wresbench restore`.
pub fn run(common: &Common, args: &Args, out: &mut dyn Write) -> Result<Outcome> {
    let register = common.register()?;
    let msg = warehouse::restore(
        &args.warehouse,
        &args.submission,
        &register,
        &ValidateOptions::default(),
    )?;
    if !common.quiet {
        writeln!(out, "{msg}")?;
        write_next_step(&args.warehouse, out)?;
    }
    Ok(Outcome::Ok)
}
