//! `wresbench peers`: a set of trusts side by side, with disclosure control.

use std::io::Write;
use std::path::PathBuf;

use super::{Common, Error, Outcome, Result, parse_year};
use crate::engine;
use crate::results::PeerSet;

/// Compare a set of trusts side by side (with disclosure control)
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[arg(long, value_name = "DIR")]
    pub warehouse: PathBuf,
    /// Default: the latest year with results
    #[arg(long, value_parser = parse_year)]
    pub year: Option<i32>,
    #[command(flatten)]
    pub set: SetArgs,
    /// Metrics to show (repeatable; default: the headline figures)
    #[arg(long = "metric", value_name = "METRIC")]
    pub metrics: Vec<String>,
    /// Values derived from counts of 1 to this minus one are shown as *
    /// (at least 2: a smaller value would switch disclosure control off)
    #[arg(long, value_name = "N", default_value_t = crate::params::MIN_COUNT as u32, value_parser = parse_min_count)]
    pub min_count: u32,
    #[arg(long, value_enum, default_value_t = PeerFormat::Table)]
    pub format: PeerFormat,
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Which trusts to compare: exactly one of these (clap refuses none or two).
#[derive(Debug, Clone, clap::Args)]
#[group(id = "set", required = true, multiple = false)]
pub struct SetArgs {
    /// Every trust of a region (its name as in the register)
    #[arg(long)]
    pub region: Option<String>,
    /// Every trust of an ICB (its code or name)
    #[arg(long)]
    pub icb: Option<String>,
    /// Every trust of a benchmark group
    #[arg(long)]
    pub group: Option<String>,
    /// Comma-separated trust codes
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub orgs: Option<Vec<String>>,
}

impl SetArgs {
    /// The set asked for (clap's group makes the error unreachable from the binary).
    pub fn peer_set(&self) -> Result<PeerSet> {
        Ok(match (&self.region, &self.icb, &self.group, &self.orgs) {
            (Some(r), ..) => PeerSet::Region(r.clone()),
            (_, Some(i), ..) => PeerSet::Icb(i.clone()),
            (_, _, Some(g), _) => PeerSet::Group(g.clone()),
            (_, _, _, Some(o)) => PeerSet::Orgs(o.clone()),
            (None, None, None, None) => {
                return Err(Error::Usage(
                    "say which trusts to compare: --region R, --icb C, --group G or --orgs A,B"
                        .into(),
                ));
            }
        })
    }
}

/// `--min-count`: a whole number of at least 2. 0, negatives and NaN would
/// silently switch disclosure control off.
fn parse_min_count(s: &str) -> Result<u32, String> {
    match s.trim().parse::<u32>() {
        Ok(n) if n >= 2 => Ok(n),
        _ => Err(format!(
            "{s} is not a minimum count: give a whole number of 2 or more (the default, 8, hides figures from counts of 1 to 7)"
        )),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum PeerFormat {
    #[default]
    Table,
    Csv,
    Xlsx,
    Html,
    Json,
}

/// `wresbench peers`.
pub fn run(common: &Common, args: &Args, out: &mut dyn Write) -> Result<Outcome> {
    let warehouse_dir = args.warehouse.as_path();
    let set = args.set.peer_set()?;
    let min_count = f64::from(args.min_count);
    let format = args.format;
    let register = common.register()?;
    let engine = engine::Engine::open(warehouse_dir, &register, &engine::Params::default())?;
    let results = crate::results::Results::load(&engine, &register)?;
    let year = match args.year {
        Some(y) => y,
        None => *results
            .years
            .last()
            .ok_or_else(|| engine::Error::NoResults(warehouse_dir.to_path_buf()))?,
    };
    if !results.years.contains(&year) {
        return Err(engine::Error::no_such_year(year, &results.years).into());
    }
    let columns = crate::results::peers::columns_for(&args.metrics)?;
    let t =
        crate::results::peers::peer_table(&results, &register, year, &set, &columns, min_count)?;
    let bytes: Vec<u8> = match format {
        PeerFormat::Table => {
            let mut b = Vec::new();
            if t.synthetic {
                writeln!(b, "{}", crate::export::SYNTHETIC_NOTE)?;
            }
            crate::peers::write_text_table(&t, &mut b)?;
            b
        }
        PeerFormat::Csv => {
            let mut b = Vec::new();
            crate::peers::write_csv(&t, &mut b)?;
            b
        }
        PeerFormat::Json => {
            let mut b = serde_json::to_vec_pretty(&t).map_err(std::io::Error::other)?;
            b.push(b'\n');
            b
        }
        PeerFormat::Xlsx => crate::export::peer_pages::xlsx_bytes(&t)
            .map_err(|e| Error::Usage(format!("cannot write the workbook: {e}")))?,
        PeerFormat::Html => crate::export::peer_pages::html_page(&t)
            .map_err(|e| Error::Usage(format!("cannot render: {e}")))?
            .into_bytes(),
    };
    match &args.output {
        Some(p) => {
            std::fs::write(p, &bytes)?;
            if !common.quiet {
                writeln!(
                    out,
                    "Wrote the peer table for {} ({}) to {}.",
                    t.set,
                    year,
                    p.display()
                )?;
            }
        }
        None if format == PeerFormat::Xlsx => {
            return Err(Error::Usage(
                "an Excel peer table needs -o FILE.xlsx".into(),
            ));
        }
        None => out.write_all(&bytes)?,
    }
    Ok(Outcome::Ok)
}
