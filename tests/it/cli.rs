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

/// `run`, with what changes from run to run filtered out: the seconds a run
/// took.
fn run_filtered(cwd: &Path, args: &[&str]) -> String {
    let text = run(cwd, args);
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        match line.strip_prefix("Done in ") {
            Some(_) => out.push_str("Done in [SECONDS] s.\n"),
            None => out.push_str(line),
        }
    }
    out
}

/// Every command's main path and its main error, as a person sees them
/// (exit code, stdout, stderr), in one folder so the steps build on each
/// other: template, validate, ingest, restore, benchmark, sql, generate,
/// export, run, peers, demo.
#[test]
fn every_command_says_what_it_did_or_what_to_change() {
    let dir = tempdir();
    let d = dir.path();
    copy_fixture(d, "humber-2021/RV9-2021-workforce.csv");
    copy_fixture(d, "humber-2021/RV9-survey.csv");
    let mut shots: Vec<(&str, String)> = Vec::new();
    let t = ["template", "--org", "RV9", "--year", "2021"];
    shots.push(("template", run_filtered(d, &t)));
    shots.push(("template, file already there", run_filtered(d, &t)));
    shots.push((
        "validate, no such file",
        run_filtered(d, &["validate", "RV9-2012.csv"]),
    ));
    shots.push((
        "ingest, nothing to read",
        run_filtered(d, &["ingest", "no-such-folder", "--warehouse", "wh"]),
    ));
    shots.push((
        "ingest",
        run_filtered(
            d,
            &["ingest", "RV9-2021-workforce.csv", "--warehouse", "wh"],
        ),
    ));
    // A corrected return supersedes the first; restore brings the first back.
    let first = std::fs::read_to_string(d.join("RV9-2021-workforce.csv")).unwrap();
    let (head, last) = first.trim_end().rsplit_once(',').unwrap();
    let changed = format!("{head},{}\n", last.parse::<u32>().unwrap() + 1);
    std::fs::write(d.join("RV9-2021-workforce-corrected.csv"), changed).unwrap();
    shots.push((
        "ingest, a correction",
        run_filtered(
            d,
            &[
                "ingest",
                "RV9-2021-workforce-corrected.csv",
                "--warehouse",
                "wh",
            ],
        ),
    ));
    let ids = sql_csv(
        &d.join("wh"),
        "SELECT submission_id FROM submissions WHERE outcome = 'superseded'",
    );
    shots.push((
        "restore",
        run_filtered(d, &["restore", "--warehouse", "wh", &ids[0][0]]),
    ));
    shots.push((
        "restore, unknown submission",
        run_filtered(d, &["restore", "--warehouse", "wh", "no-such-id"]),
    ));
    shots.push((
        "benchmark, nothing ingested",
        run_filtered(d, &["benchmark", "--warehouse", "empty-wh"]),
    ));
    run_filtered(d, &["ingest", "RV9-survey.csv", "--warehouse", "wh"]);
    shots.push((
        "benchmark",
        run_filtered(d, &["benchmark", "--warehouse", "wh"]),
    ));
    shots.push((
        "sql, not read-only",
        run_filtered(d, &["sql", "--warehouse", "wh", "DROP TABLE returns"]),
    ));
    shots.push((
        "export",
        run_filtered(d, &["export", "--warehouse", "wh", "--out", "packs"]),
    ));
    shots.push((
        "export, a year with no results",
        run_filtered(
            d,
            &[
                "export",
                "--warehouse",
                "wh",
                "--out",
                "packs",
                "--year",
                "2016",
            ],
        ),
    ));
    shots.push((
        "peers",
        run_filtered(
            d,
            &[
                "peers",
                "--warehouse",
                "wh",
                "--orgs",
                "RV9",
                "--metric",
                "ind2.relative_likelihood",
            ],
        ),
    ));
    shots.push((
        "peers, no set named",
        run_filtered(d, &["peers", "--warehouse", "wh"]),
    ));
    shots.push((
        "generate",
        run_filtered(d, &["generate", "--out", "gen", "--years", "2021"]),
    ));
    shots.push((
        "generate, years backwards",
        run_filtered(d, &["generate", "--out", "gen", "--years", "2025-2016"]),
    ));
    shots.push((
        "run",
        run_filtered(
            d,
            &[
                "run",
                "RV9-2021-workforce.csv",
                "RV9-survey.csv",
                "--warehouse",
                "wh2",
                "--out",
                "packs2",
            ],
        ),
    ));
    shots.push((
        "demo, a folder it did not make",
        run_filtered(d, &["demo", "--out", "packs"]),
    ));
    let all: String = shots
        .iter()
        .map(|(name, text)| format!("===== {name} =====\n{text}\n"))
        .collect();
    insta::assert_snapshot!("every_command", all);
}

/// `-v` says where the time went, on stderr with the summaries (stdout is
/// for data, and these commands print none): each query's rows and
/// milliseconds, and export's three phases.
#[test]
fn verbose_says_where_the_time_went() {
    let dir = tempdir();
    let wh = humber_warehouse(dir.path());
    let timed = |args: &[&str]| {
        let out = bin()
            .args(["-v", "--no-progress"])
            .args(args)
            .arg("--warehouse")
            .arg(&wh)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let has_ms = |stderr: &str, what: &str| {
        let line = stderr
            .lines()
            .find(|l| l.contains(what))
            .unwrap_or_else(|| panic!("no line with {what:?} in:\n{stderr}"));
        let tail = line.rsplit(" in ").next().unwrap();
        assert!(
            tail.ends_with(" ms") && tail.trim_end_matches(" ms").parse::<u64>().is_ok(),
            "{line}"
        );
    };
    let (stdout, stderr) = timed(&["benchmark"]);
    assert_eq!(stdout, "");
    assert!(stderr.contains("Benchmarked 1 trust"), "{stderr}");
    for q in [
        "org_metrics",
        "group_metrics",
        "region_metrics",
        "national_metrics",
        "org_positions",
    ] {
        has_ms(&stderr, &format!("{q}.sql: "));
    }
    let out = dir.path().join("packs");
    let (stdout, stderr) = timed(&["export", "--out", out.to_str().unwrap()]);
    assert_eq!(stdout, "");
    assert!(stderr.contains("Wrote 1 comparison pack"), "{stderr}");
    for phase in [
        "results loaded in",
        "trust packs written in",
        "region packs and national summary written in",
    ] {
        has_ms(&stderr, phase);
    }
}
