//! A run aborted at any step of its commit or of the recovery after it ends
//! in the state before or after it; re-running the same inputs changes
//! nothing; supersede, then restore from the ledger.

use std::path::Path;
use wresbench::ingest::ValidateOptions;
use wresbench::register::Register;

use wresbench::warehouse::{self, Lock, layout, tables};

use crate::common::*;

fn value_of(wh: &std::path::Path, measure: &str, eth: &str) -> f64 {
    tables::read_returns(&current(wh, &layout::returns_file(2021)))
        .unwrap()
        .into_iter()
        .find(|r| r.indicator == 2 && r.measure == measure && r.ethnicity == eth)
        .map(|r| r.value)
        .expect("row present")
}

/// Copies a warehouse folder (a fresh golden copy per crash).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// What `sql` sees of a warehouse: a line that differs between two states.
fn state(wh: &Path, with_results: bool) -> String {
    let q = if with_results {
        "SELECT (SELECT count(*) FROM submissions) s, (SELECT count(*) FROM returns) r, \
         (SELECT sum(value) FROM returns) v, (SELECT count(*) FROM messages) m, \
         (SELECT count(*) FROM org_metrics) o, (SELECT count(DISTINCT year) FROM org_metrics) y"
    } else {
        "SELECT (SELECT count(*) FROM submissions) s, (SELECT count(*) FROM returns) r, \
         (SELECT sum(value) FROM returns) v, (SELECT count(*) FROM messages) m"
    };
    sql_text(wh, q)
}

/// Runs the real binary; with `fail`, it must abort there (no clean-up, as a
/// kill would) unless `may_finish` (a recovery point with nothing to do).
fn run(args: &[&str], wh: &Path, fail: Option<&str>) -> bool {
    let mut cmd = bin();
    cmd.args(args)
        .arg("--warehouse")
        .arg(wh)
        .arg("--no-progress");
    if let Some(f) = fail {
        cmd.env("WRESBENCH_FAIL_AT", f);
    }
    let out = cmd.output().unwrap();
    let aborted = out.status.code().is_none();
    if !aborted {
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{args:?} {fail:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    aborted
}

const COMMIT_POINTS: [&str; 6] = [
    "commit:files-written",
    "commit:synced",
    "commit:snapshot-written",
    "commit:renamed",
    "commit:deleted-one",
    "commit:done",
];
const RECOVERY_POINTS: [&str; 3] = ["recover:start", "recover:deleted-one", "recover:done"];

/// Issue 10, items 6 and 7: at every step of a commit, and again at every
/// step of the recovery after it, the process is aborted for real; `sql`
/// then sees snapshot N or N+1, never a mix, and the next run ends in N+1.
fn crash_everywhere(golden: &Path, args: &[&str], with_results: bool) {
    let n = state(golden, with_results);
    let scratch = tempdir();
    let clean = scratch.path().join("clean");
    copy_dir(golden, &clean);
    assert!(!run(args, &clean, None));
    let n1 = state(&clean, with_results);
    assert_ne!(n, n1, "the run changes what sql sees, so the test can fail");

    let mut recovery_aborts = std::collections::BTreeMap::new();
    std::thread::scope(|s| {
        let handles: Vec<_> = COMMIT_POINTS
            .iter()
            .map(|point| {
                let (n, n1, scratch) = (&n, &n1, scratch.path());
                s.spawn(move || {
                    let mut aborted_in_recovery = Vec::new();
                    let tag = point.replace(':', "-");
                    let wh = scratch.join(format!("{tag}-once"));
                    copy_dir(golden, &wh);
                    assert!(run(args, &wh, Some(point)), "{point} is reached");
                    let seen = state(&wh, with_results);
                    assert!(seen == *n || seen == *n1, "after {point}: {seen}");
                    assert!(!run(args, &wh, None));
                    assert_eq!(state(&wh, with_results), *n1, "the run after {point}");

                    for r in RECOVERY_POINTS {
                        let wh = scratch.join(format!("{tag}-{}", r.replace(':', "-")));
                        copy_dir(golden, &wh);
                        assert!(run(args, &wh, Some(point)));
                        if run(args, &wh, Some(r)) {
                            aborted_in_recovery.push(r);
                        }
                        let seen = state(&wh, with_results);
                        assert!(seen == *n || seen == *n1, "after {point} then {r}: {seen}");
                        assert!(!run(args, &wh, None));
                        assert_eq!(
                            state(&wh, with_results),
                            *n1,
                            "the run after {point} then {r}"
                        );
                    }
                    aborted_in_recovery
                })
            })
            .collect();
        for h in handles {
            for r in h.join().unwrap() {
                *recovery_aborts.entry(r).or_insert(0) += 1;
            }
        }
    });
    // Recovery always starts and ends; it deletes something after a crash
    // that left files behind, so every recovery point was crashed at least once.
    for r in RECOVERY_POINTS {
        assert!(
            recovery_aborts.get(r).copied().unwrap_or(0) > 0,
            "{r} never reached"
        );
    }
}

#[test]
fn an_ingest_aborted_at_any_commit_or_recovery_step_ends_in_n_or_n_plus_1() {
    let dir = tempdir();
    let golden = dir.path().join("golden");
    // Two commits, so the third has an older snapshot's files to remove.
    ingest(&[fixture("validation/valid-workforce.csv")], &golden);
    ingest(&[fixture("validation/valid-survey.csv")], &golden);
    // Files that are accepted whole: a rejection would be recorded again by
    // the run after a crash, so "ends in N+1" could not be exact.
    let (w, s) = (
        fixture("humber-2021/RV9-2021-workforce.csv"),
        fixture("humber-2021/RV9-survey.csv"),
    );
    crash_everywhere(
        &golden,
        &["ingest", w.to_str().unwrap(), s.to_str().unwrap()],
        false,
    );
}

#[test]
fn a_benchmark_aborted_at_any_commit_or_recovery_step_ends_in_n_or_n_plus_1() {
    let dir = tempdir();
    let golden = dir.path().join("golden");
    ingest_and_benchmark(&[fixture("validation/valid-workforce.csv")], &golden);
    ingest(&[fixture("humber-2021")], &golden);
    crash_everywhere(&golden, &["benchmark"], true);
}

#[test]
fn rerunning_the_same_inputs_changes_nothing() {
    let dir = tempdir();
    let wh = dir.path().join("wh");
    let inputs = [
        fixture("humber-2021"),
        fixture("validation/valid-workforce.csv"),
    ];
    // humber-2021 holds RV9 2021 workforce too: that is two files for one section.
    // Accepted sections are unchanged; rejected ones are rejected again and
    // recorded again (issue 10 item 4: a re-sent bad return must not pass
    // silently), so only the ledger and its messages grow.
    let first = ingest(&inputs, &wh);
    let data = |wh: &std::path::Path| {
        let mut s = snapshot(wh);
        s.retain(|k, _| k.starts_with("returns") || k.starts_with("raw"));
        s
    };
    let before = data(&wh);
    assert!(
        before.keys().any(|k| k.starts_with("returns")),
        "{:?}",
        before.keys()
    );
    let again = ingest(&inputs, &wh);
    assert_eq!(again.sections_accepted, 0);
    assert_eq!(again.sections_unchanged, first.sections_accepted);
    assert_eq!(again.sections_rejected, first.sections_rejected);
    assert_eq!(again.files_rejected, first.files_rejected);
    assert_eq!(data(&wh), before);
}

#[test]
fn a_later_section_supersedes_and_the_earlier_can_be_restored() {
    let dir = tempdir();
    let wh = dir.path().join("wh");
    ingest(
        &[
            fixture("validation/valid-workforce.csv"),
            fixture("validation/valid-survey.csv"),
        ],
        &wh,
    );
    assert_eq!(value_of(&wh, "shortlisted", "white"), 400.0);

    let s = ingest(&[fixture("validation/duplicate-section-b.csv")], &wh);
    assert_eq!((s.sections_accepted, s.sections_superseded), (1, 1));
    assert_eq!(value_of(&wh, "shortlisted", "white"), 410.0);

    let ledger = tables::read_submissions(&current(&wh, layout::SUBMISSIONS)).unwrap();
    let old = ledger
        .iter()
        .find(|s| s.outcome == "superseded")
        .expect("the first version is kept");
    let new = ledger
        .iter()
        .find(|s| s.current && s.section.as_deref() == Some("workforce"))
        .unwrap();
    assert_eq!(new.supersedes.as_deref(), Some(old.submission_id.as_str()));
    // The survey section of the same org and year is untouched.
    assert!(
        ledger
            .iter()
            .any(|s| s.current && s.section.as_deref() == Some("survey"))
    );

    warehouse::restore(
        &wh,
        &old.submission_id,
        &Register::builtin(),
        &ValidateOptions { max_year: 2027 },
    )
    .unwrap();
    assert_eq!(value_of(&wh, "shortlisted", "white"), 400.0);
    let ledger = tables::read_submissions(&current(&wh, layout::SUBMISSIONS)).unwrap();
    assert_eq!(ledger.iter().filter(|s| s.current).count(), 2);
    // Restoring what is current is refused with a reason.
    let err = warehouse::restore(
        &wh,
        &old.submission_id,
        &Register::builtin(),
        &ValidateOptions { max_year: 2027 },
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("already the current version"),
        "{err}"
    );
}

#[test]
fn a_second_run_cannot_take_the_lock() {
    let dir = tempdir();
    let wh = dir.path().join("wh");
    let _held = Lock::acquire(&wh).unwrap();
    let err = try_ingest(&[fixture("validation/valid-workforce.csv")], &wh).unwrap_err();
    assert!(matches!(err, warehouse::Error::Locked(_)), "{err}");
    assert!(err.to_string().contains("in use by another wresbench run"));
}

#[test]
fn parquet_files_are_readable_by_a_plain_parquet_reader() {
    use datafusion::parquet::file::reader::{FileReader, SerializedFileReader};
    let dir = tempdir();
    let wh = dir.path().join("wh");
    ingest(&[fixture("humber-2021")], &wh);
    let f = std::fs::File::open(current(&wh, &layout::returns_file(2021))).unwrap();
    let reader = SerializedFileReader::new(f).unwrap();
    let meta = reader.metadata();
    let cols: Vec<&str> = meta
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .map(|c| c.name())
        .collect();
    assert_eq!(
        cols,
        [
            "org_code",
            "year",
            "indicator",
            "measure",
            "staff_group",
            "category",
            "ethnicity",
            "value",
            "submission_id"
        ]
    );
    let rows: Vec<_> = reader
        .get_row_iter(None)
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(rows.len() as i64, meta.file_metadata().num_rows());
    // 21 workforce rows + 13 survey rows for RV9 2021.
    assert_eq!(rows.len(), 34);
    let text = rows[0].to_string();
    assert!(text.contains("org_code: \"RV9\""), "{text}");
}

/// Issue 10, item 6: readers took no lock and ignored the journal, so during
/// a commit `sql` saw a ledger of 0 rows beside returns without ledger rows.
/// Here `sql` runs over and over while other runs commit (supersessions,
/// rejections, a restore): every answer is of one state, where each current
/// submission has its rows and every row has its current submission.
#[test]
fn readers_during_commits_see_one_state() {
    let dir = tempdir();
    let wh = dir.path().join("wh");
    ingest(&[fixture("validation/valid-workforce.csv")], &wh);
    let q = "SELECT \
        (SELECT count(*) FROM returns WHERE submission_id NOT IN \
           (SELECT submission_id FROM submissions WHERE current)) AS orphan_rows, \
        (SELECT count(*) FROM submissions WHERE current AND submission_id NOT IN \
           (SELECT DISTINCT submission_id FROM returns)) AS current_without_rows, \
        (SELECT count(*) FROM submissions) AS ledger";
    let done = std::sync::atomic::AtomicBool::new(false);
    let answers = std::thread::scope(|s| {
        let reader = s.spawn(|| {
            let mut answers = Vec::new();
            while !done.load(std::sync::atomic::Ordering::SeqCst) || answers.is_empty() {
                let rows = sql_csv(&wh, q);
                answers.push(rows[0].iter().map(String::from).collect::<Vec<_>>());
            }
            answers
        });
        let inputs = [
            "validation/valid-survey.csv",
            "validation/duplicate-section-b.csv",
            "validation/appointed-gt-shortlisted.csv",
            "humber-2021/RV9-2021-workforce.csv",
            "humber-2021/RV9-survey.csv",
            "validation/duplicate-section-a.csv",
        ];
        // Stop the reader however the writes end (a failed write must fail
        // the test, not leave the reader looping).
        struct Done<'a>(&'a std::sync::atomic::AtomicBool);
        impl Drop for Done<'_> {
            fn drop(&mut self) {
                self.0.store(true, std::sync::atomic::Ordering::SeqCst);
            }
        }
        let stop = Done(&done);
        // Writers are processes of their own, as in use (an in-process writer
        // would share its lock's file description with the reader's children
        // for the instant between their fork and exec).
        let writes: Vec<String> = (0..3)
            .flat_map(|_| inputs)
            .filter_map(|f| {
                let o = bin()
                    .args(["ingest", "--no-progress", "--warehouse"])
                    .arg(&wh)
                    .arg(fixture(f))
                    .output()
                    .unwrap();
                (!matches!(o.status.code(), Some(0 | 1)))
                    .then(|| format!("{f}: {}", String::from_utf8_lossy(&o.stderr)))
            })
            .collect();
        drop(stop);
        let answers = reader.join().unwrap();
        assert!(writes.is_empty(), "{writes:?}");
        answers
    });
    assert!(answers.len() > 1, "the reader ran during the commits");
    let ledgers: std::collections::BTreeSet<&str> = answers.iter().map(|a| a[2].as_str()).collect();
    assert!(ledgers.len() > 1, "it saw more than one state: {ledgers:?}");
    for a in &answers {
        assert_eq!((a[0].as_str(), a[1].as_str()), ("0", "0"), "{a:?}");
        assert_ne!(a[2], "0", "never an empty ledger");
    }
}
