//! A failed or killed run leaves the warehouse byte-identical; re-running the
//! same inputs changes nothing; supersede, then restore from the ledger.

use wresbench::ingest::ValidateOptions;
use wresbench::register::Register;
use wresbench::warehouse::{self, FailPoint, Lock, layout, tables};

use crate::common::*;

fn value_of(wh: &std::path::Path, measure: &str, eth: &str) -> f64 {
    tables::read_returns(&wh.join(layout::returns_file(2021)))
        .unwrap()
        .into_iter()
        .find(|r| r.indicator == 2 && r.measure == measure && r.ethnicity == eth)
        .map(|r| r.value)
        .expect("row present")
}

#[test]
fn a_run_failing_half_way_leaves_the_warehouse_byte_identical() {
    let dir = tempdir();
    let wh = dir.path().join("wh");
    ingest(&[fixture("validation/valid-workforce.csv")], &wh);
    let before = snapshot(&wh);
    for fail in [
        FailPoint::AfterStaged(0),
        FailPoint::AfterStaged(2),
        FailPoint::AfterStaged(4),
    ] {
        let err = try_ingest(
            &[
                fixture("humber-2021"),
                fixture("validation/duplicate-section-b.csv"),
            ],
            &wh,
            Some(fail),
        )
        .unwrap_err();
        assert!(matches!(err, warehouse::Error::Injected(_)), "{err}");
        assert_eq!(snapshot(&wh), before, "after {fail:?}");
    }
}

#[test]
fn a_run_killed_mid_commit_is_rolled_back_by_the_next_run() {
    let dir = tempdir();
    let wh = dir.path().join("wh");
    ingest(&[fixture("validation/valid-workforce.csv")], &wh);
    let before = snapshot(&wh);
    for n in [1, 3, 5] {
        let err = try_ingest(
            &[
                fixture("humber-2021"),
                fixture("validation/duplicate-section-b.csv"),
            ],
            &wh,
            Some(FailPoint::MidCommit(n)),
        )
        .unwrap_err();
        assert!(matches!(err, warehouse::Error::Injected(_)));
        assert_ne!(
            snapshot(&wh),
            before,
            "the kill left a half-moved warehouse to recover"
        );
        drop(Lock::acquire(&wh).unwrap()); // what the next run does first
        let after = snapshot(&wh);
        // Name the files that differ: this test failed twice, unreproduced, under heavy load.
        let differ: Vec<&String> = before
            .keys()
            .chain(after.keys())
            .filter(|k| before.get(*k) != after.get(*k))
            .collect();
        assert!(
            differ.is_empty(),
            "killed after {n} moves; files differing after recovery: {differ:?}"
        );
    }
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

    let ledger = tables::read_submissions(&wh.join(layout::SUBMISSIONS)).unwrap();
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
    let ledger = tables::read_submissions(&wh.join(layout::SUBMISSIONS)).unwrap();
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
    let err = try_ingest(&[fixture("validation/valid-workforce.csv")], &wh, None).unwrap_err();
    assert!(matches!(err, warehouse::Error::Locked(_)), "{err}");
    assert!(err.to_string().contains("in use by another wresbench run"));
}

#[test]
fn parquet_files_are_readable_by_a_plain_parquet_reader() {
    use datafusion::parquet::file::reader::{FileReader, SerializedFileReader};
    let dir = tempdir();
    let wh = dir.path().join("wh");
    ingest(&[fixture("humber-2021")], &wh);
    let f = std::fs::File::open(wh.join(layout::returns_file(2021))).unwrap();
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
