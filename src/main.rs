//! The `wresbench` binary: parses arguments, calls one library function, and
//! maps the outcome to an exit code (0 ok, 1 finished with rejected input,
//! 2 error).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use wresbench::commands::{self, Common, Outcome, PeerFormat, ReportFormat, TableFormat};
use wresbench::generate::{GenFormat, GenerateOptions};
use wresbench::peers::PeerSet;

#[derive(Parser)]
#[command(name = "wresbench", version, about = "Benchmark NHS trusts' Workforce Race Equality Standard returns", long_about = None)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct Global {
    /// Organisation register to use instead of the built-in one (CSV:
    /// org_code,org_name,benchmark_group,region,icb_code,icb_name)
    #[arg(long, global = true, value_name = "FILE")]
    register: Option<PathBuf>,
    /// Worker threads for file-level parallelism (default: all cores)
    #[arg(long, global = true, value_name = "N")]
    threads: Option<usize>,
    /// Print only errors
    #[arg(short, long, global = true)]
    quiet: bool,
    /// More logging (-v, -vv)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// Never draw progress bars
    #[arg(long, global = true)]
    no_progress: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Write a blank Excel return workbook for one trust and year
    Template {
        #[arg(long)]
        org: String,
        #[arg(long)]
        year: i32,
        /// Output file (default: CODE-YEAR-wres-return.xlsx)
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Replace the output file if it exists (it may be a filled-in return)
        #[arg(long)]
        force: bool,
    },
    /// Check returns and print every problem; changes nothing
    Validate {
        #[arg(required = true, value_name = "FILE")]
        inputs: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
    },
    /// Validate returns (files or folders) and load them into the warehouse
    Ingest {
        #[arg(required = true, value_name = "INPUT")]
        inputs: Vec<PathBuf>,
        #[arg(long, value_name = "DIR")]
        warehouse: PathBuf,
    },
    /// Make an earlier, superseded submission current again
    Restore {
        #[arg(long, value_name = "DIR")]
        warehouse: PathBuf,
        /// submission_id from the ledger (submissions table)
        submission: String,
    },
    /// Run the SQL in queries/ and write the result tables
    Benchmark {
        #[arg(long, value_name = "DIR")]
        warehouse: PathBuf,
        /// Write results for this year only (default: every year)
        #[arg(long)]
        year: Option<i32>,
        /// Survey groups with fewer responses are suppressed
        #[arg(long, default_value_t = 11.0)]
        min_responses: f64,
    },
    /// Run ad-hoc SQL over the warehouse tables
    Sql {
        #[arg(long, value_name = "DIR")]
        warehouse: PathBuf,
        query: String,
        #[arg(long, value_enum, default_value_t = TableFormat::Table)]
        format: TableFormat,
    },
    /// Write realistic synthetic returns for every trust in the register
    Generate {
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Reporting years, e.g. 2016-2025
        #[arg(long, default_value = "2016-2025")]
        years: String,
        #[arg(long, default_value_t = 2015)]
        seed: u64,
        /// Make K times as many trusts (synthetic codes Z0001...)
        #[arg(long, default_value_t = 1)]
        scale: usize,
        /// Fraction of returns to break, each in a way validation must catch
        #[arg(long, default_value_t = 0.0)]
        faults: f64,
        #[arg(long, value_enum, default_value_t = GenFormat::Csv)]
        format: GenFormat,
    },
    /// Write the per-trust comparison packs (HTML, Excel, JSON) and an index
    Export {
        #[arg(long, value_name = "DIR")]
        warehouse: PathBuf,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Default: the latest year with results
        #[arg(long)]
        year: Option<i32>,
        /// Only these trusts (repeatable)
        #[arg(long = "org", value_name = "CODE")]
        orgs: Vec<String>,
    },
    /// Ingest, benchmark and export in one go
    Run {
        #[arg(required = true, value_name = "INPUT")]
        inputs: Vec<PathBuf>,
        #[arg(long, value_name = "DIR")]
        warehouse: PathBuf,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        #[arg(long)]
        year: Option<i32>,
    },
    /// Compare a set of trusts side by side (with disclosure control)
    Peers {
        #[arg(long, value_name = "DIR")]
        warehouse: PathBuf,
        /// Default: the latest year with results
        #[arg(long)]
        year: Option<i32>,
        #[arg(long, group = "set")]
        region: Option<String>,
        #[arg(long, group = "set")]
        icb: Option<String>,
        #[arg(long, group = "set")]
        group: Option<String>,
        /// Comma-separated trust codes
        #[arg(long, group = "set", value_delimiter = ',')]
        orgs: Option<Vec<String>>,
        /// Metrics to show (repeatable; default: the headline figures)
        #[arg(long = "metric")]
        metrics: Vec<String>,
        /// Values derived from counts of 1 to this minus one are shown as *
        /// (at least 2: a smaller value would switch disclosure control off)
        #[arg(long, default_value_t = 8.0, value_parser = parse_min_count)]
        min_count: f64,
        #[arg(long, value_enum, default_value_t = PeerFormat::Table)]
        format: PeerFormat,
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Generate the national synthetic dataset and run everything on it
    Demo {
        #[arg(long, value_name = "DIR", default_value = "demo-out")]
        out: PathBuf,
    },
}

/// `--min-count`: a whole number of at least 2. 0, negatives and NaN would
/// silently switch disclosure control off.
fn parse_min_count(s: &str) -> Result<f64, String> {
    match s.trim().parse::<u32>() {
        Ok(n) if n >= 2 => Ok(f64::from(n)),
        _ => Err(format!(
            "{s} is not a minimum count: give a whole number of 2 or more (the default, 8, hides figures from counts of 1 to 7)"
        )),
    }
}

impl Command {
    /// True for commands whose output is data rather than status.
    fn prints_data(&self) -> bool {
        matches!(
            self,
            Command::Validate { .. } | Command::Sql { .. } | Command::Peers { .. }
        )
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.global.verbose, cli.global.quiet);
    if let Some(n) = cli.global.threads {
        // Only fails if a pool already exists, which it cannot here.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global();
    }
    let common = Common {
        register: cli.global.register.clone(),
        quiet: cli.global.quiet,
        progress: !cli.global.no_progress && !cli.global.quiet && std::io::stderr().is_terminal(),
    };
    match run(&common, cli.command) {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Rejected) => ExitCode::from(1),
        // Output piped into `head` and closed early: not an error.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(common: &Common, command: Command) -> anyhow::Result<Outcome> {
    // Data (sql, peers, validate's report) goes to stdout; what a command says
    // about its work (ingest, benchmark, export...) is status, for stderr, so a
    // pipe carries only data.
    let stdout = std::io::stdout();
    let mut data = stdout.lock();
    let stderr = std::io::stderr();
    let mut status = stderr.lock();
    let out: &mut dyn std::io::Write = if command.prints_data() {
        &mut data
    } else {
        &mut status
    };
    let outcome = match command {
        Command::Template {
            org,
            year,
            output,
            force,
        } => commands::template(common, &org, year, output.as_deref(), force, out)?,
        Command::Validate { inputs, format } => commands::validate(common, &inputs, format, out)?,
        Command::Ingest { inputs, warehouse } => {
            commands::ingest(common, &inputs, &warehouse, out)?
        }
        Command::Restore {
            warehouse,
            submission,
        } => commands::restore(common, &warehouse, &submission, out)?,
        Command::Benchmark {
            warehouse,
            year,
            min_responses,
        } => {
            let params = wresbench::engine::Params {
                min_responses,
                ..Default::default()
            };
            commands::benchmark(common, &warehouse, year, &params, out)?
        }
        Command::Sql {
            warehouse,
            query,
            format,
        } => commands::sql(common, &warehouse, &query, format, out)?,
        Command::Export {
            warehouse,
            out: dir,
            year,
            orgs,
        } => {
            let opts = wresbench::export::ExportOptions {
                warehouse,
                out: dir,
                year,
                orgs,
                progress: common.progress,
                synthetic: false,
            };
            commands::export(common, &opts, out)?
        }
        Command::Run {
            inputs,
            warehouse,
            out: dir,
            year,
        } => commands::run(common, &inputs, &warehouse, &dir, year, false, out)?,
        Command::Peers {
            warehouse,
            year,
            region,
            icb,
            group,
            orgs,
            metrics,
            min_count,
            format,
            output,
        } => {
            let set = match (region, icb, group, orgs) {
                (Some(r), ..) => PeerSet::Region(r),
                (_, Some(i), ..) => PeerSet::Icb(i),
                (_, _, Some(g), _) => PeerSet::Group(g),
                (_, _, _, Some(o)) => PeerSet::Orgs(o),
                _ => anyhow::bail!(
                    "say which trusts to compare: --region R, --icb C, --group G or --orgs A,B"
                ),
            };
            commands::peers(
                common,
                &warehouse,
                year,
                &set,
                &metrics,
                min_count,
                format,
                output.as_deref(),
                out,
            )?
        }
        Command::Demo { out: dir } => commands::demo(common, &dir, out)?,
        Command::Generate {
            out: dir,
            years,
            seed,
            scale,
            faults,
            format,
        } => {
            let (first_year, last_year) = wresbench::generate::parse_years(&years)?;
            let opts = GenerateOptions {
                out: dir,
                first_year,
                last_year,
                seed,
                scale,
                faults,
                format,
            };
            commands::generate(common, &opts, out)?
        }
    };
    Ok(outcome)
}

fn init_logging(verbose: u8, quiet: bool) {
    use tracing_subscriber::prelude::*;
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("WRESBENCH_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("wresbench={level}")));
    // Log lines go through the indicatif layer so they never tear a progress bar.
    let indicatif = tracing_indicatif::IndicatifLayer::new();
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(indicatif.get_stderr_writer())
                .without_time(),
        )
        .with(indicatif)
        .try_init();
}
