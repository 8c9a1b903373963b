//! One function per command of the `wresbench` binary. Each writes its report
//! to `out` (stdout in the binary, a buffer in tests) and returns an
//! [`Outcome`]; `main.rs` maps it to the exit code.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::engine;
use crate::fmt;
use crate::ingest::{self, ParsedFile, ValidateOptions};
use crate::register::Register;
use crate::warehouse;

/// Errors of the command layer: each wraps the layer it came from.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Register(#[from] crate::register::Error),
    #[error(transparent)]
    Ingest(#[from] ingest::Error),
    #[error(transparent)]
    Warehouse(#[from] warehouse::Error),
    #[error(transparent)]
    Engine(#[from] engine::Error),
    #[error(transparent)]
    Export(#[from] crate::export::Error),
    #[error(transparent)]
    Generate(#[from] crate::generate::Error),
    #[error(transparent)]
    Peers(#[from] crate::peers::Error),
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ReportFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum TableFormat {
    #[default]
    Table,
    Csv,
    Json,
}

/// Options every command shares.
#[derive(Debug, Clone, Default)]
pub struct Common {
    pub register: Option<PathBuf>,
    pub quiet: bool,
    pub progress: bool,
}

impl Common {
    pub fn register(&self) -> Result<Register> {
        Ok(Register::load(self.register.as_deref())?)
    }
}

/// `wresbench template`.
pub fn template(
    common: &Common,
    org: &str,
    year: i32,
    out_path: Option<&Path>,
    force: bool,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let register = common.register()?;
    let o = register
        .get(org)
        .ok_or_else(|| ingest::Error::UnknownOrg(org.to_string()))?;
    let default = PathBuf::from(format!("{}-{year}-wres-return.xlsx", o.org_code));
    let path = out_path.map(Path::to_path_buf).unwrap_or(default);
    if path.exists() && !force {
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

#[derive(Serialize)]
struct ValidateJson<'a> {
    files: Vec<FileJson<'a>>,
    summary: ValidateSummary,
}

#[derive(Serialize)]
struct FileJson<'a> {
    file: &'a str,
    sha256: &'a str,
    format: ingest::Format,
    outcome: &'static str,
    sections: Vec<SectionJson<'a>>,
    messages: Vec<&'a ingest::Message>,
}

#[derive(Serialize)]
struct SectionJson<'a> {
    org_code: &'a str,
    year: i32,
    section: &'static str,
    outcome: &'static str,
    rows: usize,
    messages: Vec<&'a ingest::Message>,
}

#[derive(Serialize, Default)]
struct ValidateSummary {
    files: usize,
    files_rejected: usize,
    sections_ok: usize,
    sections_rejected: usize,
    errors: usize,
    warnings: usize,
}

/// `wresbench validate`: checks files, changes nothing.
pub fn validate(
    common: &Common,
    inputs: &[PathBuf],
    format: ReportFormat,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let register = common.register()?;
    let inputs = ingest::expand_inputs(inputs)?;
    if !common.quiet {
        write_registers_skipped(&inputs.registers, out)?;
    }
    let files = inputs.files;
    if files.is_empty() {
        return Err(Error::Usage(
            "no .csv or .xlsx files found in the inputs given".into(),
        ));
    }
    let parsed = warehouse::load::parse_all(
        &files,
        &register,
        &ValidateOptions::default(),
        common.progress,
    );
    let mut summary = ValidateSummary {
        files: parsed.len(),
        ..Default::default()
    };
    let mut json_files = Vec::new();
    for f in &parsed {
        let whole = f.rejected_whole() || f.sections.is_empty();
        if whole {
            summary.files_rejected += 1;
        }
        let mut sections = Vec::new();
        for s in &f.sections {
            let rejected = whole || s.has_errors();
            if rejected {
                summary.sections_rejected += 1;
            } else {
                summary.sections_ok += 1;
            }
            sections.push(SectionJson {
                org_code: &s.org_code,
                year: s.year,
                section: s.section.code(),
                outcome: if rejected { "rejected" } else { "ok" },
                rows: s.rows.len(),
                messages: s.messages.iter().collect(),
            });
        }
        for m in f.all_messages() {
            if m.is_error() {
                summary.errors += 1;
            } else {
                summary.warnings += 1;
            }
        }
        json_files.push(FileJson {
            file: &f.display,
            sha256: &f.sha256,
            format: f.format,
            outcome: if whole || f.sections.iter().any(|s| s.has_errors()) {
                "rejected"
            } else {
                "ok"
            },
            sections,
            messages: f.file_messages.iter().collect(),
        });
    }
    let outcome = if summary.files_rejected + summary.sections_rejected > 0 {
        Outcome::Rejected
    } else {
        Outcome::Ok
    };
    match format {
        ReportFormat::Json => {
            let doc = ValidateJson {
                files: json_files,
                summary,
            };
            let text = serde_json::to_string_pretty(&doc).map_err(std::io::Error::other)?;
            writeln!(out, "{text}")?;
        }
        ReportFormat::Text => {
            for f in &parsed {
                write_file_report(f, common.quiet, out)?;
            }
            if common.quiet {
                // -q: only the problems (errors), nothing about what is fine.
                return Ok(outcome);
            }
            writeln!(
                out,
                "\nChecked {} file{}: {} section{} would be accepted, {} rejected{}; {} error{}, {} warning{}.",
                summary.files,
                plural(summary.files),
                summary.sections_ok,
                plural(summary.sections_ok),
                summary.sections_rejected,
                if summary.files_rejected > 0 {
                    format!(
                        ", {} file{} unreadable as a return",
                        summary.files_rejected,
                        plural(summary.files_rejected)
                    )
                } else {
                    String::new()
                },
                summary.errors,
                plural(summary.errors),
                summary.warnings,
                plural(summary.warnings),
            )?;
        }
    }
    Ok(outcome)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `severity CODE location: message`, aligned.
fn write_message(out: &mut dyn Write, indent: &str, m: &ingest::Message) -> std::io::Result<()> {
    writeln!(
        out,
        "{indent}{:<7} {:<28} {}: {}",
        m.severity.as_str(),
        m.code,
        m.location,
        m.message
    )
}

/// One file's problems, grouped: file-level first, then each section.
fn write_file_report(f: &ParsedFile, quiet: bool, out: &mut dyn Write) -> Result<()> {
    let whole = f.rejected_whole() || f.sections.is_empty();
    if quiet && !whole && !f.sections.iter().any(|s| s.has_errors()) {
        return Ok(());
    }
    if whole {
        writeln!(
            out,
            "{}: REJECTED, cannot be read as a WRES return",
            f.display
        )?;
    } else {
        let bad = f.sections.iter().filter(|s| s.has_errors()).count();
        let status = if bad > 0 {
            format!(
                "REJECTED ({} of {} section{})",
                bad,
                f.sections.len(),
                plural(f.sections.len())
            )
        } else {
            format!(
                "ok ({} section{})",
                f.sections.len(),
                plural(f.sections.len())
            )
        };
        writeln!(out, "{}: {status}", f.display)?;
    }
    for m in &f.file_messages {
        if quiet && !m.is_error() {
            continue;
        }
        write_message(out, "  ", m)?;
    }
    for s in &f.sections {
        let (e, w) = (s.errors(), s.warnings());
        if quiet && e == 0 {
            continue;
        }
        writeln!(
            out,
            "  {} {} {}: {} ({} row{}, {} error{}, {} warning{})",
            s.org_code,
            s.year,
            s.section.code(),
            if e > 0 || whole { "rejected" } else { "ok" },
            s.rows.len(),
            plural(s.rows.len()),
            e,
            plural(e),
            w,
            plural(w)
        )?;
        for m in &s.messages {
            if quiet && !m.is_error() {
                continue;
            }
            write_message(out, "    ", m)?;
        }
    }
    Ok(())
}

/// `wresbench ingest`.
pub fn ingest(
    common: &Common,
    inputs: &[PathBuf],
    warehouse_dir: &Path,
    out: &mut dyn Write,
) -> Result<Outcome> {
    ingest_then(common, inputs, warehouse_dir, true, out)
}

/// Ingests; `say_next` ends with what to run next (not within `run`, which
/// runs it).
fn ingest_then(
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

/// After the returns change, the results are stale until `benchmark` runs.
fn write_next_step(warehouse_dir: &Path, out: &mut dyn Write) -> Result<()> {
    writeln!(
        out,
        "Next: wresbench benchmark --warehouse {} (the results predate these returns until it runs), then wresbench export.",
        warehouse_dir.display()
    )?;
    Ok(())
}

/// `wresbench restore`.
pub fn restore(
    common: &Common,
    warehouse_dir: &Path,
    id: &str,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let register = common.register()?;
    let msg = warehouse::restore(warehouse_dir, id, &register, &ValidateOptions::default())?;
    if !common.quiet {
        writeln!(out, "{msg}")?;
        write_next_step(warehouse_dir, out)?;
    }
    Ok(Outcome::Ok)
}

/// `wresbench benchmark`.
pub fn benchmark(
    common: &Common,
    warehouse_dir: &Path,
    year: Option<i32>,
    params: &engine::Params,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let register = common.register()?;
    let s =
        engine::benchmark_with_progress(warehouse_dir, &register, params, year, common.progress)?;
    if !common.quiet {
        write_benchmark_summary(&s, warehouse_dir, out)?;
    }
    Ok(Outcome::Ok)
}

pub fn write_benchmark_summary(
    s: &engine::BenchmarkSummary,
    root: &Path,
    out: &mut dyn Write,
) -> Result<()> {
    let span = match (s.years.first(), s.years.last()) {
        (Some(a), Some(b)) if a != b => format!("{a}-{b}"),
        (Some(a), _) => a.to_string(),
        _ => "-".into(),
    };
    writeln!(
        out,
        "Benchmarked {} trust{} over {} year{} ({span}): {}, {} suppressed (survey groups under the response threshold), {} undefined (a zero denominator, or no one counted in either group); {} relative likelihood{} of 0 and {} infinite.",
        s.trusts,
        plural(s.trusts),
        s.years.len(),
        plural(s.years.len()),
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
            s.years_written
                .iter()
                .map(|y| y.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        },
        root.join(warehouse::layout::RESULTS_DIR).display()
    )?;
    Ok(())
}

/// `wresbench sql`: ad-hoc SQL over every registered table.
pub fn sql(
    common: &Common,
    warehouse_dir: &Path,
    query: &str,
    format: TableFormat,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let register = common.register()?;
    let engine = engine::Engine::open(warehouse_dir, &register, &engine::Params::default())?;
    let batch = engine.read_only_query("your query", query)?;
    write_batch(&batch, format, out)?;
    Ok(Outcome::Ok)
}

/// Writes a record batch as a terminal table, CSV or JSON (array of objects).
pub fn write_batch(
    batch: &datafusion::arrow::array::RecordBatch,
    format: TableFormat,
    out: &mut dyn Write,
) -> Result<()> {
    use datafusion::arrow::{csv, json, util::pretty};
    match format {
        TableFormat::Table => {
            let t = pretty::pretty_format_batches(std::slice::from_ref(batch))
                .map_err(engine::Error::from)?;
            writeln!(out, "{t}")?;
            writeln!(out, "{} row{}", batch.num_rows(), plural(batch.num_rows()))?;
        }
        TableFormat::Csv => {
            let mut w = csv::WriterBuilder::new().with_header(true).build(&mut *out);
            w.write(&csv_safe_batch(batch)?)
                .map_err(engine::Error::from)?;
        }
        TableFormat::Json => {
            let mut w = json::ArrayWriter::new(&mut *out);
            w.write(batch).map_err(engine::Error::from)?;
            w.finish().map_err(engine::Error::from)?;
            writeln!(out)?;
        }
    }
    Ok(())
}

/// The batch with every text cell made safe for a spreadsheet
/// (`fmt::csv_safe`: a cell beginning `=`, `+`, `-` or `@` gets a leading `'`).
/// Text from returns (file names, messages quoting cells) reaches `sql` output.
fn csv_safe_batch(
    batch: &datafusion::arrow::array::RecordBatch,
) -> Result<datafusion::arrow::array::RecordBatch> {
    use datafusion::arrow::array::{Array, ArrayRef, RecordBatch, StringArray};
    use datafusion::arrow::compute::cast;
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use std::sync::Arc;
    let mut fields = Vec::new();
    let mut columns: Vec<ArrayRef> = Vec::new();
    for (f, c) in batch.schema().fields().iter().zip(batch.columns()) {
        if matches!(
            f.data_type(),
            DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8
        ) {
            let text = cast(c, &DataType::Utf8).map_err(engine::Error::from)?;
            let Some(text) = text.as_any().downcast_ref::<StringArray>() else {
                columns.push(c.clone());
                fields.push(f.as_ref().clone());
                continue;
            };
            let safe: StringArray = text.iter().map(|v| v.map(fmt::csv_safe)).collect();
            columns.push(Arc::new(safe));
            fields.push(Field::new(f.name(), DataType::Utf8, f.is_nullable()));
        } else {
            columns.push(c.clone());
            fields.push(f.as_ref().clone());
        }
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
        .map_err(|e| engine::Error::from(e).into())
}

/// `wresbench generate`.
pub fn generate(
    common: &Common,
    opts: &crate::generate::GenerateOptions,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let register = common.register()?;
    let s = crate::generate::generate(&register, opts)?;
    if !common.quiet {
        writeln!(
            out,
            "Generated {} x {} ({}-{}) in {}: {} ({} as Excel workbooks), {}{}.",
            fmt::counted(s.trusts, "trust", "trusts"),
            fmt::counted((s.years.1 - s.years.0 + 1) as usize, "year", "years"),
            s.years.0,
            s.years.1,
            s.out.display(),
            fmt::counted(s.workforce_files, "workforce return", "workforce returns"),
            s.xlsx_files,
            fmt::counted(s.survey_files, "staff survey file", "staff survey files"),
            if s.faults > 0 {
                format!(
                    ", {} planted faults listed in {}",
                    s.faults,
                    s.out.join("faults.csv").display()
                )
            } else {
                String::new()
            }
        )?;
        if opts.scale > 1 {
            writeln!(
                out,
                "The synthetic trusts are in {}: pass --register {} to ingest them.",
                s.out.join("register.csv").display(),
                s.out.join("register.csv").display()
            )?;
        }
    }
    Ok(Outcome::Ok)
}

/// `wresbench export`.
pub fn export(
    common: &Common,
    opts: &crate::export::ExportOptions,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let register = common.register()?;
    let engine = engine::Engine::open(&opts.warehouse, &register, &engine::Params::default())?;
    let results = crate::export::data::Results::load(&engine, &register)?;
    let s = crate::export::export_results(&results, &register, opts)?;
    let counts = crate::peers::return_counts(&engine, s.year)?;
    crate::peers::write_region_and_national(
        &results,
        &register,
        s.year,
        &opts.out,
        DEFAULT_MIN_COUNT,
        &counts,
    )?;
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

/// `wresbench run`: ingest, benchmark and export in one go.
pub fn run(
    common: &Common,
    inputs: &[PathBuf],
    warehouse_dir: &Path,
    out_dir: &Path,
    year: Option<i32>,
    synthetic: bool,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let started = std::time::Instant::now();
    let ingested = ingest_then(common, inputs, warehouse_dir, false, out)?;
    benchmark(common, warehouse_dir, None, &engine::Params::default(), out)?;
    let opts = crate::export::ExportOptions {
        warehouse: warehouse_dir.to_path_buf(),
        out: out_dir.to_path_buf(),
        year,
        orgs: Vec::new(),
        progress: common.progress,
        synthetic,
    };
    export(common, &opts, out)?;
    if !common.quiet {
        writeln!(out, "Done in {:.1} s.", started.elapsed().as_secs_f64())?;
    }
    Ok(ingested)
}

/// The file that marks a folder as made by `wresbench demo`.
pub const DEMO_MARKER: &str = ".wresbench-demo";

/// A folder the demo may write into: new or empty, marked by an earlier demo,
/// or (made by version 0.1, before the marker) holding nothing but what the
/// demo makes, with the demo's warehouse manifest.
fn is_demo_folder(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return true; // not there yet
    };
    let names: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    if names.is_empty() || dir.join(DEMO_MARKER).is_file() {
        return true;
    }
    names
        .iter()
        .all(|n| matches!(n.as_str(), "data" | "warehouse" | "packs" | "pack.png"))
        && dir.join("warehouse").join("manifest.json").is_file()
}

/// `wresbench demo`: the national synthetic dataset, through the whole pipeline.
pub fn demo(common: &Common, dir: &Path, out: &mut dyn Write) -> Result<Outcome> {
    let data = dir.join("data");
    let warehouse_dir = dir.join("warehouse");
    let packs = dir.join("packs");
    // The demo replaces its own folders only: a folder it made carries a
    // marker; any other non-empty folder is refused, never emptied.
    let marker = dir.join(DEMO_MARKER);
    if !is_demo_folder(dir) {
        return Err(Error::NotADemoFolder(dir.to_path_buf()));
    }
    std::fs::create_dir_all(dir)?;
    std::fs::write(
        &marker,
        "Made by `wresbench demo`, which may replace data/, warehouse/ and packs/ here.\n",
    )?;
    for d in [&data, &warehouse_dir, &packs] {
        if d.exists() {
            std::fs::remove_dir_all(d)?;
        }
    }
    let opts = crate::generate::GenerateOptions {
        out: data.clone(),
        format: crate::generate::GenFormat::Mixed,
        ..Default::default()
    };
    generate(common, &opts, out)?;
    let outcome = run(
        common,
        &[data.join("returns"), data.join("survey")],
        &warehouse_dir,
        &packs,
        None,
        true,
        out,
    )?;
    if common.quiet {
        return Ok(outcome);
    }
    writeln!(
        out,
        "\nThe demo's outputs:\n  returns    {}\n  warehouse  {}\n  packs      {}\nTry: wresbench sql --warehouse {} \"SELECT * FROM national_metrics WHERE metric = 'ind2.relative_likelihood'\"",
        data.display(),
        warehouse_dir.display(),
        packs.display(),
        warehouse_dir.display()
    )?;
    Ok(outcome)
}

/// Counts of 1 to this minus one are shown as `*` wherever other trusts' figures appear.
pub const DEFAULT_MIN_COUNT: f64 = crate::params::MIN_COUNT;

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
#[allow(clippy::too_many_arguments)]
pub fn peers(
    common: &Common,
    warehouse_dir: &Path,
    year: Option<i32>,
    set: &crate::peers::PeerSet,
    metrics: &[String],
    min_count: f64,
    format: PeerFormat,
    output: Option<&Path>,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let register = common.register()?;
    let engine = engine::Engine::open(warehouse_dir, &register, &engine::Params::default())?;
    let results = crate::export::data::Results::load(&engine, &register)?;
    let year = match year {
        Some(y) => y,
        None => *results
            .years
            .last()
            .ok_or_else(|| engine::Error::NoResults(warehouse_dir.to_path_buf()))?,
    };
    if !results.years.contains(&year) {
        return Err(engine::Error::no_such_year(year, &results.years).into());
    }
    let columns = crate::peers::columns_for(metrics)?;
    let t = crate::peers::peer_table(&results, &register, year, set, &columns, min_count)?;
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
        PeerFormat::Xlsx => crate::peers::xlsx_bytes(&t)
            .map_err(|e| Error::Usage(format!("cannot write the workbook: {e}")))?,
        PeerFormat::Html => crate::peers::html_page(&t, &[])
            .map_err(|e| Error::Usage(format!("cannot render: {e}")))?
            .into_bytes(),
    };
    match output {
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
