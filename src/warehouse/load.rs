//! `wresbench ingest`: validate returns and load them into the warehouse.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::tables::{self, MessageRow, StoredRow, Submission};
use super::txn::{Lock, Txn};
use super::{Error, Result, layout};
use crate::ingest::{self, Message, ParsedFile, SectionReturn, ValidateOptions};
use crate::register::Register;

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

/// A section (or a whole file) that the ledger will record.
struct Candidate<'a> {
    id: String,
    file: &'a ParsedFile,
    section: Option<&'a SectionReturn>,
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

fn submission_id(sha: &str, s: Option<&SectionReturn>) -> String {
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
pub fn ingest(opts: &IngestOptions) -> Result<IngestSummary> {
    let inputs = ingest::expand_inputs(&opts.inputs)?;
    let parsed = ingest::parse_all(&inputs.files, &opts.register, &opts.validate, opts.progress);
    let mut s = load_parsed(&opts.warehouse, &parsed, inputs.synthetic)?;
    s.registers_skipped = inputs.registers;
    Ok(s)
}

/// Loads already-parsed files (the second half of [`ingest`]). `synthetic`:
/// the files come from `wresbench generate`, and the warehouse is marked so
/// in the same commit (for good: once made-up figures are in, every output
/// says so).
pub fn load_parsed(root: &Path, parsed: &[ParsedFile], synthetic: bool) -> Result<IngestSummary> {
    let lock = Lock::acquire(root)?;
    let mut txn = Txn::begin(root, &lock)?;
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
    let change = record_outcomes(
        root,
        &candidates,
        &received_at,
        &mut ledger,
        &mut messages,
        &mut summary,
    );

    // Raw files are named by their content, so each is written once and never
    // changes; the ledger rows of this commit refer to them. All are written
    // beside their names, made durable together (one sync), then renamed: a
    // file under a content name is always whole, and the renames are made
    // durable by the commit's own sync, before its commit point.
    let mut beside = Vec::with_capacity(change.raw_needed.len());
    for (rel, f) in &change.raw_needed {
        beside.push(write_beside(root, rel, &f.bytes)?);
    }
    let tmps: Vec<PathBuf> = beside.iter().map(|(tmp, _)| tmp.clone()).collect();
    crate::warehouse::txn::sync_files(root, &tmps)?;
    for (tmp, path) in &beside {
        std::fs::rename(tmp, path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
    }
    // Write everything new, then commit in one step.
    for year in &change.years {
        let added = change.new_rows.iter().filter(|r| r.year == *year).cloned();
        stage_returns_year(&mut txn, root, *year, &change.removed_ids, added)?;
    }
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
    parsed: &'a [ParsedFile],
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

/// What a run changes in the returns files and the raw store.
struct Change<'a> {
    new_rows: Vec<StoredRow>,
    /// Submissions superseded in this run: their rows leave the returns files.
    removed_ids: HashSet<String>,
    /// Years whose returns file is rewritten.
    years: BTreeSet<i32>,
    /// Raw files not yet stored, by their path in the warehouse.
    raw_needed: BTreeMap<String, &'a ParsedFile>,
}

/// Decides each candidate's outcome (accepted, superseding the current
/// section, or rejected), appends its ledger row and messages, and counts
/// it in the summary.
fn record_outcomes<'a>(
    root: &Path,
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
        new_rows: Vec::new(),
        removed_ids: HashSet::new(),
        years: BTreeSet::new(),
        raw_needed: BTreeMap::new(),
    };
    for c in candidates {
        let raw_path = layout::raw_file(&c.file.sha256, &raw_ext(c.file));
        if !root.join(&raw_path).exists() {
            change.raw_needed.insert(raw_path.clone(), c.file);
        }
        let mut entry = ledger_row(c, &summary.run_id, received_at, raw_path);
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
            change
                .new_rows
                .extend(s.rows.iter().map(|r| StoredRow::from_row(r, &c.id)));
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

/// Stages a year's returns file: the rows held now, less those of `removed`
/// submissions, plus `added`, in storage order.
fn stage_returns_year(
    txn: &mut Txn,
    root: &Path,
    year: i32,
    removed: &HashSet<String>,
    added: impl Iterator<Item = StoredRow>,
) -> Result<()> {
    let rel = layout::returns_file(year);
    let held = match txn.base().path(root, &rel) {
        Some(p) => tables::read_returns(&p)?,
        None => Vec::new(),
    };
    let mut rows: Vec<StoredRow> = held
        .into_iter()
        .filter(|r| !removed.contains(&r.submission_id))
        .collect();
    rows.extend(added);
    rows.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let p = txn.path_for(&rel)?;
    tables::write_parquet(&p, &tables::returns_batch(&rows)?)
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

/// Writes a raw input file beside its content name; returns (that file,
/// the name it is to be renamed to once synced).
fn write_beside(root: &Path, rel: &str, bytes: &[u8]) -> Result<(PathBuf, PathBuf)> {
    let path = root.join(rel);
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |source| Error::Io { path: p, source }
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(io(&tmp))?;
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
    let added = s.rows.iter().map(|r| StoredRow::from_row(r, id));
    stage_returns_year(&mut txn, root, year, &removed_ids, added)?;
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
