//! `wresbench validate`: checks returns and prints every problem; changes nothing.

use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;

use super::{Common, Error, Outcome, Result, plural, write_registers_skipped};
use crate::ingest::{self, ParsedFile, ValidateOptions};

/// Check returns and print every problem; changes nothing
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Return files (.csv, .xlsx) or folders of them
    #[arg(required = true, value_name = "FILE")]
    pub inputs: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

/// `validate --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ReportFormat {
    /// One block per file, for people
    #[default]
    Text,
    /// Every file, section and message, for programs
    Json,
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
pub fn run(common: &Common, args: &Args, out: &mut dyn Write) -> Result<Outcome> {
    let register = common.register()?;
    let inputs = ingest::expand_inputs(&args.inputs)?;
    if !common.quiet {
        write_registers_skipped(&inputs.registers, out)?;
    }
    if inputs.files.is_empty() {
        return Err(Error::Usage(
            "no .csv or .xlsx files found in the inputs given".into(),
        ));
    }
    let parsed = ingest::parse_all(
        &inputs.files,
        &register,
        &ValidateOptions::default(),
        common.progress,
    );
    let (files, summary) = report(&parsed);
    let outcome = if summary.files_rejected + summary.sections_rejected > 0 {
        Outcome::Rejected
    } else {
        Outcome::Ok
    };
    match args.format {
        ReportFormat::Json => {
            let doc = ValidateJson { files, summary };
            let text = serde_json::to_string_pretty(&doc).map_err(std::io::Error::other)?;
            writeln!(out, "{text}")?;
        }
        ReportFormat::Text => {
            for f in &parsed {
                write_file_report(f, common.quiet, out)?;
            }
            // -q: only the problems (errors), nothing about what is fine.
            if !common.quiet {
                write_summary(&summary, out)?;
            }
        }
    }
    Ok(outcome)
}

/// Each file's outcome, section by section, and the counts over all of them.
fn report(parsed: &[ParsedFile]) -> (Vec<FileJson<'_>>, ValidateSummary) {
    let mut summary = ValidateSummary {
        files: parsed.len(),
        ..Default::default()
    };
    let mut files = Vec::new();
    for f in parsed {
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
        files.push(FileJson {
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
    (files, summary)
}

/// The last line of the text report.
fn write_summary(summary: &ValidateSummary, out: &mut dyn Write) -> Result<()> {
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
    Ok(())
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
