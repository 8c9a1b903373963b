//! `wresbench ingest`: validate returns and load them into the warehouse.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use super::tables::{self, MessageRow, StoredRow, Submission};
use super::txn::{Lock, Txn};
use super::{Error, Result, layout};
use crate::ingest::{self, Format, Message, ParsedFile, RowKey, ValidateOptions};
use crate::model::Section;
use crate::register::Register;

/// Files are read, validated and their raw copies written this many at a
/// time, then only what the load needs of them is kept (see [`HeldFile`]).
const READ_CHUNK: usize = 512;

pub struct IngestOptions {
    pub inputs: Vec<PathBuf>,
    pub warehouse: PathBuf,
    pub register: Register,
    pub validate: ValidateOptions,
    pub progress: bool,
}

/// What a run did, printed at its end and returned to callers.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IngestSummary {
    pub run_id: String,
    pub files_read: usize,
    /// Files rejected before any section could be read (unreadable, wrong format...).
    pub files_rejected: usize,
    pub sections_accepted: usize,
    pub sections_rejected: usize,
    /// Earlier sections replaced by a section accepted in this run.
    pub sections_superseded: usize,
    /// Sections already in the ledger from an earlier run: left as they were.
    pub sections_unchanged: usize,
    pub warnings: usize,
    pub errors: usize,
    /// The rejects report, when anything was rejected in this run.
    pub rejects_report: Option<PathBuf>,
    /// One line per rejection of this run: `file org year section: CODE message`.
    pub rejections: Vec<String>,
    /// Organisation registers found among the inputs and skipped.
    pub registers_skipped: Vec<PathBuf>,
    /// One line per warning of this run's accepted sections:
    /// `file org year section: CODE location: message`.
    pub warning_lines: Vec<String>,
}

impl IngestSummary {
    pub fn any_rejected(&self) -> bool {
        self.sections_rejected > 0 || self.files_rejected > 0
    }
}

/// A file as the load holds it once read: its bytes are already written
/// beside their raw name and dropped, and each row is reduced to its
/// identity and value (the sender's location of it is only for messages,
/// which are made by then). At `--scale 20` (41,000 files, 5.4 million rows)
/// holding every [`ParsedFile`] until the commit took most of ingest's 3.5 GB.
struct HeldFile {
    display: String,
    sha256: String,
    format: Format,
    /// Where its raw copy is, in the warehouse.
    raw_path: String,
    file_messages: Vec<Message>,
    sections: Vec<HeldSection>,
}

struct HeldSection {
    org_code: String,
    year: i32,
    section: Section,
    rows: Vec<(RowKey, f64)>,
    messages: Vec<Message>,
}

impl HeldFile {
    fn new(f: ParsedFile, raw_path: String) -> Self {
        HeldFile {
            display: f.display,
            sha256: f.sha256,
            format: f.format,
            raw_path,
            file_messages: f.file_messages,
            sections: f
                .sections
                .into_iter()
                .map(|s| HeldSection {
                    org_code: s.org_code,
                    year: s.year,
                    section: s.section,
                    rows: s.rows.iter().map(|r| (r.key(), r.value)).collect(),
                    messages: s.messages,
                })
                .collect(),
        }
    }
}

/// Raw copies written beside their content names during a run; `publish`
/// makes them durable together (one sync) and renames them into place.
/// Dropped before that (an error part way), it deletes what it wrote.
struct RawBatch<'a> {
    root: &'a Path,
    /// Raw paths already handled in this run (the same file given twice).
    seen: HashSet<String>,
    /// (written beside, its content name), not yet renamed.
    pending: Vec<(PathBuf, PathBuf)>,
}

impl<'a> RawBatch<'a> {
    fn new(root: &'a Path) -> Self {
        RawBatch {
            root,
            seen: HashSet::new(),
            pending: Vec::new(),
        }
    }

    /// Writes the files' raw copies that the store lacks (in parallel:
    /// creating files is most of an ingest's time), and keeps the rest.
    fn hold(&mut self, files: Vec<ParsedFile>) -> Result<Vec<HeldFile>> {
        let named: Vec<(ParsedFile, String, bool)> = files
            .into_iter()
            .map(|f| {
                let raw_path = layout::raw_file(&f.sha256, &raw_ext(&f));
                let new = self.seen.insert(raw_path.clone()) && !self.root.join(&raw_path).exists();
                (f, raw_path, new)
            })
            .collect();
        // The raw store is one folder: made once here, not once per file.
        if named.iter().any(|(_, _, new)| *new) {
            let dir = self.root.join(layout::RAW_DIR);
            std::fs::create_dir_all(&dir).map_err(|source| Error::Io { path: dir, source })?;
        }
        let written: Vec<Result<Option<(PathBuf, PathBuf)>>> = named
            .par_iter()
            .map(|(f, raw_path, new)| {
                new.then(|| write_beside(self.root, raw_path, &f.bytes))
                    .transpose()
            })
            .collect();
        // Every copy written goes on the list before an error is returned,
        // so that dropping the batch deletes it.
        let mut failed = None;
        for w in written {
            match w {
                Ok(Some(p)) => self.pending.push(p),
                Ok(None) => {}
                Err(e) => failed = failed.or(Some(e)),
            }
        }
        if let Some(e) = failed {
            return Err(e);
        }
        Ok(named
            .into_iter()
            .map(|(f, raw_path, _)| HeldFile::new(f, raw_path))
            .collect())
    }

    /// A file under a content name is always whole: all are synced before
    /// any is renamed, and the renames are made durable by the commit's own
    /// sync, before its commit point.
    fn publish(mut self) -> Result<()> {
        crate::warehouse::txn::fail_point("ingest:raw-written");
        let tmps: Vec<PathBuf> = self.pending.iter().map(|(tmp, _)| tmp.clone()).collect();
        crate::warehouse::txn::sync_files(self.root, &tmps)?;
        while let Some((tmp, path)) = self.pending.pop() {
            if let Err(source) = std::fs::rename(&tmp, &path) {
                self.pending.push((tmp, path.clone()));
                return Err(Error::Io { path, source });
            }
        }
        Ok(())
    }
}

impl Drop for RawBatch<'_> {
    fn drop(&mut self) {
        for (tmp, _) in &self.pending {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// A section (or a whole file) that the ledger will record.
struct Candidate<'a> {
    id: String,
    file: &'a HeldFile,
    section: Option<&'a HeldSection>,
    messages: Vec<Message>,
}

impl Candidate<'_> {
    fn key(&self) -> Option<(String, i32, String)> {
        self.section
            .map(|s| (s.org_code.clone(), s.year, s.section.code().to_string()))
    }
    fn rejected(&self) -> bool {
        self.section.is_none() || self.messages.iter().any(Message::is_error)
    }
}

fn submission_id(sha: &str, s: Option<&HeldSection>) -> String {
    let short = &sha[..16.min(sha.len())];
    match s {
        Some(s) => format!("{short}-{}-{}-{}", s.org_code, s.year, s.section.code()),
        None => format!("{short}-file"),
    }
}

fn raw_ext(f: &ParsedFile) -> String {
    f.path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .filter(|e| e.len() <= 5 && e.chars().all(|c| c.is_ascii_alphanumeric()))
        .unwrap_or_else(|| f.format.as_str().to_string())
}

/// Validates and loads returns; the warehouse changes atomically or not at all.
///
/// Files are read a part at a time ([`READ_CHUNK`]), under the lock: each
/// part's raw copies are written and its bytes dropped before the next is
/// read, so memory holds one part's files and every file's rows, compacted.
pub fn ingest(opts: &IngestOptions) -> Result<IngestSummary> {
    let inputs = ingest::expand_inputs(&opts.inputs)?;
    let root = opts.warehouse.as_path();
    let lock = Lock::acquire(root)?;
    let bar = crate::progress::bar(inputs.files.len() as u64, "reading returns", opts.progress);
    let mut raw = RawBatch::new(root);
    let mut held = Vec::with_capacity(inputs.files.len());
    for part in inputs.files.chunks(READ_CHUNK) {
        let parsed = ingest::parse_with(part, &opts.register, &opts.validate, &bar);
        held.extend(raw.hold(parsed)?);
    }
    bar.finish_and_clear();
    raw.publish()?;
    let mut s = load_held(root, &lock, &held, inputs.synthetic)?;
    s.registers_skipped = inputs.registers;
    Ok(s)
}

/// Loads files already read (the second half of [`ingest`]). `synthetic`:
/// the files come from `wresbench generate`, and the warehouse is marked so
/// in the same commit (for good: once made-up figures are in, every output
/// says so).
fn load_held(
    root: &Path,
    lock: &Lock,
    parsed: &[HeldFile],
    synthetic: bool,
) -> Result<IngestSummary> {
    let mut txn = Txn::begin(root, lock)?;
    let mut ledger = txn.base().ledger(root)?;
    let mut messages = txn.base().messages(root)?;

    let now = chrono::Utc::now();
    let mut summary = IngestSummary {
        run_id: format!("run-{}", now.format("%Y%m%dT%H%M%S%.3fZ")),
        files_read: parsed.len(),
        ..Default::default()
    };
    let mut candidates = candidates(parsed, &ledger, &mut summary);
    reject_duplicate_sections(&mut candidates);
    if candidates.is_empty() {
        if synthetic && !txn.base().synthetic && summary.sections_unchanged > 0 {
            txn.set_synthetic();
            txn.commit()?;
        }
        return Ok(summary);
    }

    let received_at = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    // Raw files are named by their content, so each is written once and
    // never changes; the ledger rows of this commit refer to them, and were
    // written (RawBatch) before this.
    let change = record_outcomes(
        &candidates,
        &received_at,
        &mut ledger,
        &mut messages,
        &mut summary,
    );

    // Write everything new, then commit in one step. Each year's table is
    // its own file: the transaction names them all first, then the years are
    // built and written in parallel (sorting and encoding a year's rows was a
    // quarter of a decade ingest, on one core), as many at once as there are
    // workers, so memory holds that many years' rows.
    let years: Vec<(i32, Option<PathBuf>, PathBuf)> = change
        .years
        .iter()
        .map(|&year| {
            let (held, path) = returns_year_paths(&mut txn, root, year)?;
            Ok((year, held, path))
        })
        .collect::<Result<_>>()?;
    years
        .par_iter()
        .map(|(year, held, path)| {
            let added = change
                .added
                .iter()
                .filter(|(s, _)| s.year == *year)
                .flat_map(|(s, id)| {
                    s.rows.iter().map(move |(key, value)| {
                        StoredRow::new(&s.org_code, s.year, key, *value, id)
                    })
                });
            stage_returns_year(held.as_deref(), path, &change.removed_ids, added)
        })
        .collect::<Result<()>>()?;
    if synthetic && summary.sections_accepted + summary.sections_unchanged > 0 {
        txn.set_synthetic();
    }
    stage_ledger(&mut txn, &ledger, &messages)?;
    let run = serde_json::json!({
        "run_id": summary.run_id,
        "command": "ingest",
        "at": received_at,
        "files_read": summary.files_read,
        "sections_accepted": summary.sections_accepted,
        "sections_rejected": summary.sections_rejected,
        "files_rejected": summary.files_rejected,
        "sections_superseded": summary.sections_superseded,
    });
    stage_manifest(&mut txn, |m| push_run(m, run));
    txn.commit()?;
    if summary.any_rejected() {
        summary.rejects_report = Some(root.join(layout::REJECTS));
    }
    Ok(summary)
}

/// Every section of every file that the ledger will record, or the file
/// itself when nothing could be read from it. Sections already accepted
/// (same content, same section) are counted as unchanged and left out.
fn candidates<'a>(
    parsed: &'a [HeldFile],
    ledger: &[Submission],
    summary: &mut IngestSummary,
) -> Vec<Candidate<'a>> {
    // Ids already in the ledger, and whether that submission was rejected.
    let known: HashMap<&str, bool> = ledger
        .iter()
        .map(|s| (s.submission_id.as_str(), s.outcome == "rejected"))
        .collect();
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut seen_ids = HashSet::new();
    let run_tag = summary.run_id.trim_start_matches("run-").to_string();
    for (i, f) in parsed.iter().enumerate() {
        if f.sections.is_empty() {
            // Every unreadable or empty file gets its own ledger row, in every
            // run: keyed by content alone, all empty files would share one id
            // and every one after the first would vanish as "unchanged".
            let id = format!("{}-{run_tag}-{i}", submission_id(&f.sha256, None));
            let mut msgs = f.file_messages.clone();
            if msgs.is_empty() {
                msgs.push(Message::error(
                    "E_EMPTY_FILE",
                    f.display.clone(),
                    "The file holds no WRES figures.",
                ));
            }
            candidates.push(Candidate {
                id,
                file: f,
                section: None,
                messages: msgs,
            });
            continue;
        }
        for s in &f.sections {
            let mut id = submission_id(&f.sha256, Some(s));
            if !seen_ids.insert(id.clone()) {
                summary.sections_unchanged += 1; // the same file twice in this run
                continue;
            }
            match known.get(id.as_str()) {
                // Accepted before: nothing changes.
                Some(false) => {
                    summary.sections_unchanged += 1;
                    continue;
                }
                // Rejected before and sent again: rejected again, and said so.
                Some(true) => id = format!("{id}-{run_tag}"),
                None => {}
            }
            let mut msgs = f.file_messages.clone();
            msgs.extend(s.messages.iter().cloned());
            candidates.push(Candidate {
                id,
                file: f,
                section: Some(s),
                messages: msgs,
            });
        }
    }
    candidates
}

/// The same org, year and section from two different files in one run:
/// nobody can tell which is meant, so both are rejected.
fn reject_duplicate_sections(candidates: &mut [Candidate]) {
    let mut by_key: BTreeMap<(String, i32, String), Vec<usize>> = BTreeMap::new();
    for (i, c) in candidates.iter().enumerate() {
        if let Some(k) = c.key() {
            by_key.entry(k).or_default().push(i);
        }
    }
    for ((org, year, section), idx) in by_key.iter().filter(|(_, v)| v.len() > 1) {
        let files: Vec<String> = idx
            .iter()
            .map(|&i| candidates[i].file.display.clone())
            .collect();
        for &i in idx {
            let others: Vec<&str> = files
                .iter()
                .filter(|f| **f != candidates[i].file.display)
                .map(String::as_str)
                .collect();
            let loc = candidates[i].file.display.clone();
            candidates[i].messages.push(Message::error(
                "E_DUPLICATE_SECTION",
                loc,
                format!(
                    "The {section} section of {org} {year} also arrives in {} in this run; {} rejected because nobody can tell which is meant. Send one file.",
                    others.join(", "),
                    if others.len() == 1 { "both are" } else { "all are" }
                ),
            ));
        }
    }
}

/// What a run changes in the returns files.
struct Change<'a> {
    /// Sections accepted in this run, with their submission ids.
    added: Vec<(&'a HeldSection, String)>,
    /// Submissions superseded in this run: their rows leave the returns files.
    removed_ids: HashSet<String>,
    /// Years whose returns file is rewritten.
    years: BTreeSet<i32>,
}

/// Decides each candidate's outcome (accepted, superseding the current
/// section, or rejected), appends its ledger row and messages, and counts
/// it in the summary.
fn record_outcomes<'a>(
    candidates: &[Candidate<'a>],
    received_at: &str,
    ledger: &mut Vec<Submission>,
    messages: &mut Vec<MessageRow>,
    summary: &mut IngestSummary,
) -> Change<'a> {
    let mut current: HashMap<(String, i32, String), usize> = HashMap::new();
    for (i, s) in ledger.iter().enumerate() {
        if s.current
            && let (Some(o), Some(y), Some(sec)) = (&s.org_code, s.year, &s.section)
        {
            current.insert((o.clone(), y, sec.clone()), i);
        }
    }
    let mut change = Change {
        added: Vec::new(),
        removed_ids: HashSet::new(),
        years: BTreeSet::new(),
    };
    for c in candidates {
        let mut entry = ledger_row(c, &summary.run_id, received_at, c.file.raw_path.clone());
        count_messages(c, summary);
        if c.rejected() {
            count_rejection(c, summary);
        } else if let (Some(s), Some(key)) = (c.section, c.key()) {
            summary.sections_accepted += 1;
            if let Some(&old) = current.get(&key) {
                let prev = &mut ledger[old];
                prev.current = false;
                prev.outcome = "superseded".into();
                prev.superseded_by = Some(c.id.clone());
                entry.supersedes = Some(prev.submission_id.clone());
                change.removed_ids.insert(prev.submission_id.clone());
                summary.sections_superseded += 1;
            }
            change.years.insert(s.year);
            change.added.push((s, c.id.clone()));
        }
        for m in &c.messages {
            messages.push(MessageRow {
                submission_id: c.id.clone(),
                file: c.file.display.clone(),
                org_code: entry.org_code.clone(),
                year: entry.year,
                section: entry.section.clone(),
                severity: m.severity.as_str().to_string(),
                code: m.code.to_string(),
                location: m.location.clone(),
                message: m.message.clone(),
            });
        }
        ledger.push(entry);
    }
    change
}

/// A candidate's ledger row, before supersession is decided.
fn ledger_row(c: &Candidate, run_id: &str, received_at: &str, raw_path: String) -> Submission {
    let errors = c.messages.iter().filter(|m| m.is_error()).count();
    let rejected = c.rejected();
    Submission {
        submission_id: c.id.clone(),
        run_id: run_id.to_string(),
        received_at: received_at.to_string(),
        file: c.file.display.clone(),
        sha256: c.file.sha256.clone(),
        raw_path,
        format: c.file.format.as_str().to_string(),
        org_code: c.section.map(|s| s.org_code.clone()),
        year: c.section.map(|s| s.year),
        section: c.section.map(|s| s.section.code().to_string()),
        outcome: if rejected { "rejected" } else { "accepted" }.to_string(),
        rows: c.section.map_or(0, |s| s.rows.len() as i64),
        errors: errors as i64,
        warnings: (c.messages.len() - errors) as i64,
        supersedes: None,
        superseded_by: None,
        current: !rejected,
    }
}

/// Counts a candidate's errors and warnings; an accepted section's warnings
/// are also listed, one line each.
fn count_messages(c: &Candidate, summary: &mut IngestSummary) {
    let errors = c.messages.iter().filter(|m| m.is_error()).count();
    summary.errors += errors;
    summary.warnings += c.messages.len() - errors;
    if c.rejected() {
        return;
    }
    let what = c.section.map_or_else(String::new, |s| {
        format!(" {} {} {}", s.org_code, s.year, s.section.code())
    });
    for m in c.messages.iter().filter(|m| !m.is_error()) {
        summary.warning_lines.push(format!(
            "{}{what}: {} {}: {}",
            c.file.display, m.code, m.location, m.message
        ));
    }
}

/// Counts a rejection and lists it with its first error.
fn count_rejection(c: &Candidate, summary: &mut IngestSummary) {
    if c.section.is_some() {
        summary.sections_rejected += 1;
    } else {
        summary.files_rejected += 1;
    }
    let first = c.messages.iter().find(|m| m.is_error());
    summary.rejections.push(format!(
        "{} {}: {}",
        c.file.display,
        c.section
            .map(|s| format!("{} {} {}", s.org_code, s.year, s.section.code()))
            .unwrap_or_else(|| "(whole file)".into()),
        first
            .map(|m| format!("{} {}", m.code, m.message))
            .unwrap_or_default()
    ));
}

/// A year's `returns` file as the base snapshot holds it (if it does), and
/// the new path the transaction gives it.
fn returns_year_paths(txn: &mut Txn, root: &Path, year: i32) -> Result<(Option<PathBuf>, PathBuf)> {
    let rel = layout::returns_file(year);
    Ok((txn.base().path(root, &rel), txn.path_for(&rel)?))
}

/// A year's `returns` table written to `path`: the rows of `held` (the
/// base snapshot's file of that year, if any) less the `removed`
/// submissions, plus `added`, in storage order.
fn stage_returns_year(
    held: Option<&Path>,
    path: &Path,
    removed: &HashSet<String>,
    added: impl Iterator<Item = StoredRow>,
) -> Result<()> {
    let held = match held {
        Some(p) => tables::read_returns(p)?,
        None => Vec::new(),
    };
    let mut rows: Vec<StoredRow> = held
        .into_iter()
        .filter(|r| !removed.contains(&r.submission_id))
        .collect();
    rows.extend(added);
    // Keys are unique in a year (one current section per org), so an
    // unstable sort gives the one order.
    rows.sort_unstable_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    tables::write_parquet(path, &tables::returns_batch(&rows)?)
}

fn stage_ledger(txn: &mut Txn, ledger: &[Submission], messages: &[MessageRow]) -> Result<()> {
    let p = txn.path_for(layout::SUBMISSIONS)?;
    tables::write_parquet(&p, &tables::submissions_batch(ledger)?)?;
    let p = txn.path_for(layout::MESSAGES)?;
    tables::write_parquet(&p, &tables::messages_batch(messages)?)?;
    let rejected: HashSet<&str> = ledger
        .iter()
        .filter(|s| s.outcome == "rejected")
        .map(|s| s.submission_id.as_str())
        .collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "file", "org_code", "year", "section", "code", "location", "message",
    ];
    let mut rows: Vec<[String; 7]> = messages
        .iter()
        .filter(|m| m.severity == "error" && rejected.contains(m.submission_id.as_str()))
        .map(|m| {
            [
                m.file.clone(),
                m.org_code.clone().unwrap_or_default(),
                m.year.map(|y| y.to_string()).unwrap_or_default(),
                m.section.clone().unwrap_or_default(),
                m.code.clone(),
                m.location.clone(),
                m.message.clone(),
            ]
        })
        .collect();
    rows.sort();
    rows.dedup();
    let csv_err = |e: csv::Error| Error::Corrupt {
        path: PathBuf::from(layout::REJECTS),
        message: e.to_string(),
    };
    w.write_record(header).map_err(csv_err)?;
    for r in &rows {
        // Messages quote the sender's cells: never let one run as a formula.
        w.write_record(r.iter().map(|c| crate::fmt::csv_safe(c).into_owned()))
            .map_err(csv_err)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::Corrupt {
        path: PathBuf::from(layout::REJECTS),
        message: e.to_string(),
    })?;
    txn.write(layout::REJECTS, &bytes)
}

/// Changes the manifest of the snapshot `txn` will commit.
pub fn stage_manifest(txn: &mut Txn, f: impl FnOnce(&mut serde_json::Value)) {
    f(txn.manifest_mut());
}

/// Writes a raw input file beside its content name, in a folder that
/// exists; returns (that file, the name it is to be renamed to once synced).
fn write_beside(root: &Path, rel: &str, bytes: &[u8]) -> Result<(PathBuf, PathBuf)> {
    let path = root.join(rel);
    let tmp = path.with_extension(format!("{}{}", layout::RAW_IN_PROGRESS, std::process::id()));
    std::fs::write(&tmp, bytes).map_err(|source| Error::Io {
        path: tmp.clone(),
        source,
    })?;
    Ok((tmp, path))
}

/// Appends a run to the manifest's run list.
pub fn push_run(m: &mut serde_json::Value, run: serde_json::Value) {
    match m.get_mut("runs").and_then(|r| r.as_array_mut()) {
        Some(runs) => runs.push(run),
        None => m["runs"] = serde_json::json!([run]),
    }
}

/// The ledger row of a submission that can be made current again (accepted
/// once, superseded since), with its org, year and section.
fn restorable(
    root: &Path,
    ledger: &[Submission],
    id: &str,
) -> Result<(usize, (String, i32, String))> {
    let idx = ledger
        .iter()
        .position(|s| s.submission_id == id)
        .ok_or_else(|| Error::NoSuchSubmission {
            id: id.to_string(),
            warehouse: root.to_path_buf(),
        })?;
    let entry = &ledger[idx];
    let cannot = |reason: &str| Error::CannotRestore {
        id: id.to_string(),
        reason: reason.to_string(),
    };
    if entry.current {
        return Err(cannot("it is already the current version"));
    }
    if entry.outcome == "rejected" {
        return Err(cannot("it was rejected; fix the file and ingest it again"));
    }
    match (entry.org_code.clone(), entry.year, entry.section.clone()) {
        (Some(org), Some(year), Some(section)) => Ok((idx, (org, year, section))),
        _ => Err(cannot("it is not a section of a return")),
    }
}

/// `wresbench restore`: makes an earlier (superseded) submission current again,
/// from its raw file, superseding whatever is current for its org, year and section.
pub fn restore(
    root: &Path,
    id: &str,
    register: &Register,
    opts: &ValidateOptions,
) -> Result<String> {
    let lock = Lock::acquire(root)?;
    let mut txn = Txn::begin(root, &lock)?;
    let mut ledger = txn.base().ledger(root)?;
    let messages = txn.base().messages(root)?;
    let (idx, (org, year, section)) = restorable(root, &ledger, id)?;
    let entry = &ledger[idx];
    let raw = root.join(&entry.raw_path);
    let bytes = std::fs::read(&raw).map_err(|source| Error::Io {
        path: raw.clone(),
        source,
    })?;
    let parsed = ingest::parse_bytes(&raw, &entry.file, bytes, register, opts);
    let cannot = |reason: &str| Error::CannotRestore {
        id: id.to_string(),
        reason: reason.to_string(),
    };
    let s = parsed
        .sections
        .iter()
        .find(|s| s.org_code == org && s.year == year && s.section.code() == section)
        .ok_or_else(|| cannot("its raw file no longer yields that section"))?;
    if s.has_errors() || parsed.rejected_whole() {
        return Err(cannot(
            "its raw file no longer validates (was the register changed?)",
        ));
    }
    let mut removed = None;
    for e in ledger.iter_mut() {
        if e.current
            && e.org_code.as_deref() == Some(&org)
            && e.year == Some(year)
            && e.section.as_deref() == Some(&section)
        {
            e.current = false;
            e.outcome = "superseded".into();
            e.superseded_by = Some(id.to_string());
            removed = Some(e.submission_id.clone());
        }
    }
    let restored = &mut ledger[idx];
    restored.current = true;
    restored.outcome = "accepted".into();
    restored.superseded_by = None;
    restored.supersedes = removed.clone();

    let removed_ids: HashSet<String> = removed.iter().cloned().collect();
    let added = s
        .rows
        .iter()
        .map(|r| StoredRow::new(&r.org_code, r.year, &r.key(), r.value, id));
    let (held, path) = returns_year_paths(&mut txn, root, year)?;
    stage_returns_year(held.as_deref(), &path, &removed_ids, added)?;
    stage_ledger(&mut txn, &ledger, &messages)?;
    let run = serde_json::json!({
        "command": "restore",
        "at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "restored": id,
        "superseded": removed,
    });
    stage_manifest(&mut txn, |m| push_run(m, run));
    txn.commit()?;
    Ok(format!(
        "restored {id} ({org} {year} {section}){}",
        removed
            .map(|r| format!("; {r} is now superseded"))
            .unwrap_or_default()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(dir: &Path, name: &str, text: &str) -> ParsedFile {
        let path = dir.join(name);
        ingest::parse_bytes(
            &path,
            name,
            text.as_bytes().to_vec(),
            &Register::builtin(),
            &ValidateOptions::default(),
        )
    }

    fn files_under(root: &Path) -> Vec<String> {
        let mut v: Vec<String> = walk(root)
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().display().to_string())
            .collect();
        v.sort();
        v
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
        out
    }

    const CSV: &str = "org_code,year,indicator,measure,staff_group,category,ethnicity,value\n\
                       RV9,2024,2,shortlisted,,,white,100\n";

    #[test]
    fn raw_copies_not_published_are_deleted_and_published_ones_are_whole() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("wh");
        std::fs::create_dir_all(&root).unwrap();

        // An ingest that fails after reading (the batch dropped unpublished)
        // leaves nothing in the raw store.
        let mut raw = RawBatch::new(&root);
        let held = raw.hold(vec![parsed(dir.path(), "a.csv", CSV)]).unwrap();
        let held = &held[0];
        assert_eq!(files_under(&root).len(), 1, "written beside its name");
        drop(raw);
        assert!(files_under(&root).is_empty(), "{:?}", files_under(&root));

        // Published: under its content name, with the file's bytes; the same
        // file again in the run is written once.
        let mut raw = RawBatch::new(&root);
        raw.hold(vec![
            parsed(dir.path(), "a.csv", CSV),
            parsed(dir.path(), "copy-of-a.csv", CSV),
        ])
        .unwrap();
        assert_eq!(raw.pending.len(), 1);
        raw.publish().unwrap();
        assert_eq!(files_under(&root), vec![held.raw_path.clone()]);
        assert_eq!(
            std::fs::read(root.join(&held.raw_path)).unwrap(),
            CSV.as_bytes()
        );

        // Already stored: not written again.
        let mut raw = RawBatch::new(&root);
        raw.hold(vec![parsed(dir.path(), "b.csv", CSV)]).unwrap();
        assert!(raw.pending.is_empty());
    }

    #[test]
    fn a_held_file_keeps_every_rows_identity_and_value() {
        let dir = tempfile::tempdir().unwrap();
        let text = format!("{CSV}RV9,2024,2,shortlisted,,,bme,40.0\n");
        let f = parsed(dir.path(), "a.csv", &text);
        let want: Vec<(RowKey, f64)> = f.sections[0]
            .rows
            .iter()
            .map(|r| (r.key(), r.value))
            .collect();
        let held = HeldFile::new(f, "raw/x.csv".into());
        assert_eq!(held.sections.len(), 1);
        assert_eq!(held.sections[0].rows, want);
        assert_eq!(want.len(), 2);
        assert_eq!(want[1].1, 40.0);
    }
}
