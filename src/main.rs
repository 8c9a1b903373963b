//! The `wresbench` binary: parses arguments, calls one library function, and
//! maps the outcome to an exit code (0 ok, 1 finished with rejected input,
//! 2 error).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use wresbench::commands::{self, Common, Outcome};

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
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
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

/// One variant per command; each command's options and help live beside its
/// code in `src/commands/`.
#[derive(Subcommand)]
enum Command {
    Template(commands::template::Args),
    Validate(commands::validate::Args),
    Ingest(commands::ingest::Args),
    Restore(commands::restore::Args),
    Benchmark(commands::benchmark::Args),
    Sql(commands::sql::Args),
    Generate(commands::generate::Args),
    Export(commands::export::Args),
    Run(commands::run::Args),
    Peers(commands::peers::Args),
    Demo(commands::demo::Args),
}

impl Command {
    /// True for commands whose output is data rather than status.
    fn prints_data(&self) -> bool {
        matches!(
            self,
            Command::Validate(_) | Command::Sql(_) | Command::Peers(_)
        )
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.global.verbose, cli.global.quiet);
    if let Some(n) = cli.global.threads {
        // Only fails if a pool already exists, which it cannot here.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(usize::from(n))
            .build_global();
    }
    let common = Common {
        register: cli.global.register.clone(),
        quiet: cli.global.quiet,
        progress: !cli.global.no_progress && !cli.global.quiet && std::io::stderr().is_terminal(),
    };
    match run(&common, &cli.command) {
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

fn run(common: &Common, command: &Command) -> anyhow::Result<Outcome> {
    // Data (sql, peers, validate's report) goes to stdout; what a command says
    // about its work (ingest, benchmark, export...) is status, for stderr, so a
    // pipe carries only data.
    // Status is written through the unlocked handle: each write takes the
    // lock for itself. Holding stderr's lock for the whole command, as the
    // data's stdout lock is held, hung every command that draws a progress
    // bar or logs from its worker threads (they wait for the lock, the main
    // thread waits for them): ingest, export and run in a terminal.
    let stdout = std::io::stdout();
    let mut data = stdout.lock();
    let mut status = std::io::stderr();
    let out: &mut dyn std::io::Write = if command.prints_data() {
        &mut data
    } else {
        &mut status
    };
    use commands as c;
    let outcome = match command {
        Command::Template(a) => c::template::run(common, a, out)?,
        Command::Validate(a) => c::validate::run(common, a, out)?,
        Command::Ingest(a) => c::ingest::run(common, a, out)?,
        Command::Restore(a) => c::restore::run(common, a, out)?,
        Command::Benchmark(a) => c::benchmark::run(common, a, out)?,
        Command::Sql(a) => c::sql::run(common, a, out)?,
        Command::Generate(a) => c::generate::run(common, a, out)?,
        Command::Export(a) => c::export::run(common, a, out)?,
        Command::Run(a) => c::run::run(common, a, out)?,
        Command::Peers(a) => c::peers::run(common, a, out)?,
        Command::Demo(a) => c::demo::run(common, a, out)?,
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
    // Colour only on a terminal: a log piped to a file or a CI page showed
    // `ESC[32m INFO ESC[0m` (and never when NO_COLOR is set).
    use std::io::IsTerminal;
    let colour = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    // Log lines hide the progress bars while they print (progress::LogWriter).
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(|| wresbench::progress::LogWriter)
                .with_ansi(colour)
                .without_time(),
        )
        .try_init();
}
