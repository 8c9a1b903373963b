//! Issue 14: `benchmark` computes only the years whose returns changed (a
//! resubmission for Y changes Y and Y + 1, whose two-year indicator 3 pools
//! Y), keeps the others, and the results equal a benchmark from scratch.
//! Results of which only some years are current are never shown.

use std::path::{Path, PathBuf};

use wresbench::generate::{self, GenFormat, GenerateOptions};
use wresbench::register::Register;

use crate::common::*;

fn benchmark(wh: &Path, extra: &[&str]) -> String {
    let out = bin()
        .args(["benchmark", "--no-progress", "--warehouse"])
        .arg(wh)
        .args(extra)
        .assert()
        .success();
    // The summary is status: on stderr.
    String::from_utf8_lossy(&out.get_output().stdout).to_string()
        + &String::from_utf8_lossy(&out.get_output().stderr)
}

/// Returns of every trust for 2021-2023, generated under `dir/gen`.
fn three_national_years(dir: &Path, seed: u64) -> PathBuf {
    let data = dir.join("gen");
    generate::generate(
        &Register::builtin(),
        &GenerateOptions {
            out: data.clone(),
            first_year: 2021,
            last_year: 2023,
            seed,
            scale: 1,
            faults: 0.0,
            format: GenFormat::Csv,
        },
    )
    .unwrap();
    data
}

fn snapshots(wh: &Path) -> usize {
    std::fs::read_dir(wh.join("_snapshots")).unwrap().count()
}

/// RV9's 2022 workforce return with one more BME member of staff entering
/// the disciplinary process: a resubmission that changes indicator 3.
fn resubmission(data: &Path, dir: &Path) -> PathBuf {
    let original = data.join("returns/2022/RV9-2022-workforce.csv");
    let text = std::fs::read_to_string(&original).unwrap();
    let mut changed = 0;
    let lines: Vec<String> = text
        .lines()
        .map(
            |l| match l.strip_prefix("RV9,2022,3,entered_disciplinary,,,bme,") {
                Some(v) => {
                    changed += 1;
                    format!(
                        "RV9,2022,3,entered_disciplinary,,,bme,{}",
                        v.parse::<u64>().unwrap() + 1
                    )
                }
                None => l.to_string(),
            },
        )
        .collect();
    assert_eq!(changed, 1, "the generated return has one such row");
    let path = dir.join("RV9-2022-workforce.csv");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

#[test]
fn a_resubmission_recomputes_its_year_and_the_next_and_equals_a_full_benchmark() {
    let dir = tempdir();
    let data = three_national_years(dir.path(), 11);
    let inputs = [data.join("returns"), data.join("survey")];
    let wh = dir.path().join("wh");
    ingest(&inputs, &wh);
    let first = benchmark(&wh, &[]);
    assert!(first.contains("over 3 years (2021-2023)"), "{first}");

    // Nothing changed: nothing computed, no new snapshot.
    let before = snapshots(&wh);
    let again = benchmark(&wh, &[]);
    // Said so, with the command that computes them anyway (also from `run`,
    // which has no --rebuild of its own).
    assert!(
        again.contains("are up to date")
            && again.contains("wresbench benchmark --rebuild --warehouse"),
        "{again}"
    );
    assert_eq!(
        snapshots(&wh),
        before,
        "an up-to-date benchmark commits nothing"
    );

    let rv9 = |wh: &Path| {
        sql_text(
            wh,
            "SELECT year, metric, numerator, value FROM org_metrics WHERE org_code = 'RV9' \
             AND metric IN ('ind3.disciplinary_pct', 'ind3.relative_likelihood_2yr') \
             AND ethnicity IN ('bme', '') ORDER BY year, metric",
        )
    };
    let rv9_before = rv9(&wh);

    // RV9 resubmits 2022: 2022 and 2023 are computed, 2021 kept.
    let changed = resubmission(&data, dir.path());
    ingest(std::slice::from_ref(&changed), &wh);
    let partial = benchmark(&wh, &[]);
    assert!(partial.contains("in 2 of 3 years (2022-2023)"), "{partial}");
    assert!(partial.contains("Kept the results of 2021"), "{partial}");

    // The same ledger benchmarked from scratch gives the same tables.
    let fresh = dir.path().join("fresh");
    ingest(&inputs, &fresh);
    ingest(&[changed], &fresh);
    benchmark(&fresh, &[]);
    let (a, b) = (result_tables(&wh), result_tables(&fresh));
    assert_same_tables(&a, &b, ("incremental", "full       "));
    // And they moved where they should: RV9's 2022 indicator 3 and the
    // two-year figure of 2023, which pools 2022.
    let rv9_after = rv9(&wh);
    assert_eq!(rv9_after, rv9(&fresh));
    let moved: Vec<&str> = rv9_before
        .lines()
        .zip(rv9_after.lines())
        .filter(|(a, b)| a != b)
        .map(|(a, _)| a)
        .collect();
    assert!(
        moved
            .iter()
            .any(|l| l.starts_with("2022,ind3.disciplinary_pct"))
            && moved
                .iter()
                .any(|l| l.starts_with("2023,ind3.relative_likelihood_2yr"))
            && !moved.iter().any(|l| l.starts_with("2021")),
        "before:\n{rv9_before}\nafter:\n{rv9_after}"
    );
    assert!(
        export_and_read(&wh, dir.path()),
        "export reads up-to-date results"
    );

    // `--rebuild` computes every year again.
    let rebuilt = benchmark(&wh, &["--rebuild"]);
    assert!(rebuilt.contains("over 3 years"), "{rebuilt}");
}

fn export_and_read(wh: &Path, dir: &Path) -> bool {
    let out = dir.join("packs");
    export_ok(wh, &out, &[]);
    out.join("2023").exists()
}

/// Before, `benchmark --year Y` recorded the results as built from the
/// current ledger whatever the other years held: after a resubmission for
/// 2022, `benchmark --year 2023` let export show 2022's old figures (the
/// previous year of every trend) as current. Now results are current only
/// when every year is.
#[test]
fn benchmark_of_one_year_leaves_the_others_stale_until_they_are_computed() {
    let dir = tempdir();
    let data = three_national_years(dir.path(), 12);
    let wh = dir.path().join("wh");
    ingest(&[data.join("returns"), data.join("survey")], &wh);
    benchmark(&wh, &[]);
    let changed = resubmission(&data, dir.path());
    ingest(&[changed], &wh);
    // 2023 is computed; 2022 still holds the old figures.
    let one = benchmark(&wh, &["--year", "2023"]);
    assert!(one.contains("in 1 of 3 years (2023)"), "{one}");
    let out = dir.path().join("packs");
    let stderr = export_refused(&wh, &out);
    assert!(stderr.contains("only some of their years"), "{stderr}");
    assert!(!out.join("2023").exists(), "no pack from stale results");
    // The out-of-date year alone is computed next (2023 is current).
    let rest = benchmark(&wh, &[]);
    assert!(rest.contains("in 1 of 3 years (2022)"), "{rest}");
    export_ok(&wh, &out, &[]);
}
