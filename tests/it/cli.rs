//! The real binary, in a temporary folder: exit code, stdout and stderr held
//! together in one snapshot (uv style), with paths filtered.

use std::path::Path;

use crate::common::*;

/// Runs the binary in `cwd` and renders exit code, stdout and stderr.
fn run(cwd: &Path, args: &[&str]) -> String {
    let out = bin()
        .current_dir(cwd)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = format!(
        "exit: {}\n----- stdout -----\n{}----- stderr -----\n{}",
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    text.replace(&cwd.display().to_string(), "[TMP]")
}

fn copy_fixture(dir: &Path, rel: &str) {
    let name = Path::new(rel).file_name().unwrap();
    std::fs::copy(fixture(rel), dir.join(name)).unwrap();
}

#[test]
fn validate_prints_every_problem_grouped_by_file() {
    let dir = tempdir();
    for f in [
        "validation/appointed-gt-shortlisted.csv",
        "validation/valid-workforce.csv",
        "xlsx/error-cell-div0.xlsx",
        "validation/latin1-not-utf8.csv",
    ] {
        copy_fixture(dir.path(), f);
    }
    insta::assert_snapshot!(run(
        dir.path(),
        &[
            "validate",
            "appointed-gt-shortlisted.csv",
            "valid-workforce.csv",
            "error-cell-div0.xlsx",
            "latin1-not-utf8.csv"
        ]
    ));
}

#[test]
fn validate_json_is_for_machines() {
    let dir = tempdir();
    copy_fixture(dir.path(), "validation/warn-small-numbers.csv");
    let out = bin()
        .current_dir(dir.path())
        .args(["validate", "--format", "json", "warn-small-numbers.csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["sections_ok"], 1);
    assert_eq!(
        v["files"][0]["sections"][0]["messages"][0]["code"],
        "W_SMALL_NUMBERS"
    );
    assert_eq!(
        v["files"][0]["sections"][0]["messages"][0]["location"],
        "warn-small-numbers.csv:15"
    );
}

#[test]
fn ingest_benchmark_and_sql_end_to_end() {
    let dir = tempdir();
    copy_fixture(dir.path(), "humber-2021/RV9-2021-workforce.csv");
    copy_fixture(dir.path(), "humber-2021/RV9-survey.csv");
    copy_fixture(dir.path(), "validation/unknown-org.csv");
    let ingest = run(
        dir.path(),
        &[
            "ingest",
            "RV9-2021-workforce.csv",
            "RV9-survey.csv",
            "unknown-org.csv",
            "--warehouse",
            "wh",
        ],
    );
    insta::assert_snapshot!("ingest_with_one_rejected", ingest);
    let bench = run(dir.path(), &["benchmark", "--warehouse", "wh"]);
    insta::assert_snapshot!("benchmark_summary", bench);
    let sql = run(
        dir.path(),
        &[
            "sql",
            "--warehouse",
            "wh",
            "SELECT metric, ethnicity, round(value, 4) AS value, round(ci_low, 4) AS ci_low, round(ci_high, 4) AS ci_high FROM org_metrics WHERE year = 2021 AND metric LIKE 'ind2%' ORDER BY metric, ethnicity",
        ],
    );
    insta::assert_snapshot!("sql_table", sql);
    let csv = run(
        dir.path(),
        &[
            "sql",
            "--warehouse",
            "wh",
            "--format",
            "csv",
            "SELECT org_code, outcome FROM submissions ORDER BY org_code, year",
        ],
    );
    insta::assert_snapshot!("sql_csv", csv);
}

#[test]
fn a_bad_query_gets_datafusions_message_and_exit_2() {
    let dir = tempdir();
    let out = run(
        dir.path(),
        &[
            "sql",
            "--warehouse",
            "wh",
            "SELECT nonsense FROM org_metrics",
        ],
    );
    assert!(out.starts_with("exit: 2"), "{out}");
    assert!(out.contains("error: your query:"), "{out}");
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempdir();
    assert!(run(dir.path(), &["ingest"]).starts_with("exit: 2"));
    let out = run(dir.path(), &["benchmark", "--warehouse", "empty"]);
    assert!(
        out.starts_with("exit: 2") && out.contains("holds no accepted returns yet"),
        "{out}"
    );
    let out = run(dir.path(), &["template", "--org", "NOPE", "--year", "2021"]);
    assert!(
        out.starts_with("exit: 2") && out.contains("not in the register"),
        "{out}"
    );
    let out = run(dir.path(), &["validate", "missing.csv"]);
    assert!(
        out.starts_with("exit: 2") && out.contains("missing.csv: no such file"),
        "{out}"
    );
}
