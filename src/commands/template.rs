//! `wresbench template`: a blank Excel return workbook for one trust and year.

use std::io::Write;
use std::path::PathBuf;

use super::{Common, Error, Outcome, Result, parse_year};
use crate::ingest;

/// Write a blank Excel return workbook for one trust and year
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The trust's ODS code, as in the register
    #[arg(long, value_name = "CODE")]
    pub org: String,
    /// The reporting year
    #[arg(long, value_parser = parse_year)]
    pub year: i32,
    /// Output file (default: CODE-YEAR-wres-return.xlsx)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace the output file if it exists (it may be a filled-in return)
    #[arg(long)]
    pub force: bool,
}

pub fn run(common: &Common, args: &Args, out: &mut dyn Write) -> Result<Outcome> {
    let register = common.register()?;
    let year = args.year;
    let o = register
        .get(&args.org)
        .ok_or_else(|| ingest::Error::UnknownOrg(args.org.clone()))?;
    let path = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}-{year}-wres-return.xlsx", o.org_code)));
    if path.exists() && !args.force {
        return Err(Error::WouldOverwrite(path));
    }
    ingest::template::write_template(o, year, &path)?;
    if !common.quiet {
        writeln!(
            out,
            "Wrote the {year} WRES return workbook for {} ({}) to {}.\nFill in the white cells, then check it with: wresbench validate {}",
            o.org_code,
            o.org_name,
            path.display(),
            path.display()
        )?;
    }
    Ok(Outcome::Ok)
}
