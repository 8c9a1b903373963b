//! The SQL of `queries/`, on tiny hand-made inputs with hand-checked answers,
//! and a check that every query file plans against the warehouse schema.

use std::path::Path;

use datafusion::arrow::array::{Array, BooleanArray, Float64Array, Int64Array, StringArray};
use wresbench::engine::{self, Engine, Params, QUERIES};
use wresbench::register::Register;

use crate::common::*;

const HEADER: &str = "org_code,year,indicator,measure,staff_group,category,ethnicity,value\n";

/// Ingests CSV text (one file per element) and runs the benchmark.
fn warehouse_from(files: &[(&str, String)]) -> (tempfile::TempDir, Engine) {
    let dir = tempdir();
    let mut paths = Vec::new();
    for (name, body) in files {
        let p = dir.path().join(name);
        std::fs::write(&p, format!("{HEADER}{body}")).unwrap();
        paths.push(p);
    }
    let wh = dir.path().join("wh");
    let s = ingest(&paths, &wh);
    assert_eq!(
        s.sections_rejected + s.files_rejected,
        0,
        "{:#?}",
        s.rejections
    );
    benchmark(&wh);
    let e = Engine::open(&wh, &Register::builtin(), &Params::default()).unwrap();
    (dir, e)
}

fn ind2(org: &str, year: i32, w_sl: u32, w_ap: u32, b_sl: u32, b_ap: u32) -> String {
    format!(
        "{org},{year},2,shortlisted,,,white,{w_sl}\n{org},{year},2,appointed,,,white,{w_ap}\n{org},{year},2,shortlisted,,,bme,{b_sl}\n{org},{year},2,appointed,,,bme,{b_ap}\n"
    )
}

fn ind3(org: &str, year: i32, w_wf: u32, w_d: u32, b_wf: u32, b_d: u32) -> String {
    format!(
        "{org},{year},3,workforce,,,white,{w_wf}\n{org},{year},3,entered_disciplinary,,,white,{w_d}\n{org},{year},3,workforce,,,bme,{b_wf}\n{org},{year},3,entered_disciplinary,,,bme,{b_d}\n"
    )
}

fn survey(org: &str, year: i32, ind: u8, w_pct: f64, w_n: u32, b_pct: f64, b_n: u32) -> String {
    format!(
        "{org},{year},{ind},percent,,,white,{w_pct}\n{org},{year},{ind},responses,,,white,{w_n}\n{org},{year},{ind},percent,,,bme,{b_pct}\n{org},{year},{ind},responses,,,bme,{b_n}\n"
    )
}

/// One f64 (or None for NULL) from a query returning one row and column.
fn one(e: &Engine, sql: &str) -> Option<f64> {
    let b = e.query("test", sql).unwrap();
    assert_eq!(b.num_rows(), 1, "{sql}");
    let c = b.column(0);
    if c.is_null(0) {
        return None;
    }
    if let Some(f) = c.as_any().downcast_ref::<Float64Array>() {
        return Some(f.value(0));
    }
    if let Some(i) = c.as_any().downcast_ref::<Int64Array>() {
        return Some(i.value(0) as f64);
    }
    panic!("unexpected type {:?}", c.data_type())
}

fn close(got: Option<f64>, want: f64) {
    let g = got.expect("a value");
    assert!((g - want).abs() < 0.00005, "got {g}, want {want}");
}

#[test]
fn every_query_file_is_run_and_plans_against_the_schema() {
    // Every file in queries/ is in the run list (and the other way round).
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("queries");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            e.ok()?
                .file_name()
                .to_str()?
                .strip_suffix(".sql")
                .map(str::to_string)
        })
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = QUERIES.iter().map(|(n, _)| n.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed);
    // Each opens with a comment naming what it computes.
    for (name, sql) in QUERIES {
        assert!(
            sql.starts_with(&format!("-- {name}:")),
            "{name}.sql must open with `-- {name}: ...`"
        );
        assert!(sql.contains("ORDER BY"), "{name}.sql must order its output");
    }
    // The tables a file creates before its query live in the session while
    // it runs, beside the other files running at the same time: no two
    // files may create the same name, nor one a registered table's.
    let mut created: Vec<(String, &str)> = Vec::new();
    for (name, sql) in QUERIES {
        for line in sql.lines() {
            if let Some(rest) = line.strip_prefix("CREATE TABLE ") {
                let table = rest.split_whitespace().next().unwrap().to_string();
                assert!(
                    !created.iter().any(|(t, _)| *t == table),
                    "{name}.sql creates {table}, as another query file does"
                );
                assert!(
                    !QUERIES.iter().any(|(q, _)| *q == table)
                        && ![
                            "returns",
                            "submissions",
                            "messages",
                            "organisations",
                            "params",
                            "metrics"
                        ]
                        .contains(&table.as_str()),
                    "{name}.sql creates {table}, a table the warehouse registers"
                );
                created.push((table, name));
            }
        }
    }
    assert!(created.iter().any(|(t, _)| t == "om_i1"), "{created:?}");
    // Plan each against an empty warehouse, registering results as they come.
    let tmp = tempdir();
    let e = Engine::open(tmp.path(), &Register::builtin(), &Params::default()).unwrap();
    for (name, sql) in QUERIES {
        let batch = e
            .query_file(name, sql)
            .unwrap_or_else(|err| panic!("{name}.sql: {err}"));
        assert_eq!(batch.num_rows(), 0);
        e.register_batch(name, batch).unwrap();
    }
}

#[test]
fn group_medians_and_quartiles_odd_and_even() {
    // RL = 0.5 / (b_ap / 100): 1.0, 2.0, 1.25 -> odd; + 2.5 -> even. All four
    // trusts are in the mental health benchmark group.
    let three = ind2("RV9", 2021, 100, 50, 100, 50)
        + &ind2("R1A", 2021, 100, 50, 100, 25)
        + &ind2("R1L", 2021, 100, 50, 100, 40);
    let (_d, e) = warehouse_from(&[("a.csv", three.clone())]);
    let q = |col: &str| {
        one(
            &e,
            &format!(
                "SELECT {col} FROM group_metrics WHERE metric = 'ind2.relative_likelihood' AND benchmark_group LIKE 'Mental%'"
            ),
        )
    };
    close(q("median"), 1.25);
    close(q("q1"), 1.125); // type 7: 1.0 + 0.5 * (1.25 - 1.0)
    close(q("q3"), 1.625);
    close(q("min"), 1.0);
    close(q("max"), 2.0);
    close(q("CAST(n_orgs AS DOUBLE)"), 3.0);

    let four = three + &ind2("RAT", 2021, 100, 50, 100, 20);
    let (_d, e) = warehouse_from(&[("a.csv", four)]);
    let q = |col: &str| {
        one(
            &e,
            &format!(
                "SELECT {col} FROM group_metrics WHERE metric = 'ind2.relative_likelihood' AND benchmark_group LIKE 'Mental%'"
            ),
        )
    };
    close(q("median"), 1.625); // mean of the middle two
    close(q("q1"), 1.1875);
    close(q("q3"), 2.125);
    // National: pooled from summed counts, not a mean of ratios.
    close(
        one(
            &e,
            "SELECT pooled FROM national_metrics WHERE metric = 'ind2.relative_likelihood' AND year = 2021",
        ),
        (200.0 / 400.0) / (135.0 / 400.0),
    );
    // Region: London holds RAT alone.
    close(
        one(
            &e,
            "SELECT median FROM region_metrics WHERE level = 'region' AND area = 'London' AND metric = 'ind2.relative_likelihood'",
        ),
        2.5,
    );
    // Rank 1 = highest value in the group; RAT (2.5) is first and in the top quarter.
    close(
        one(
            &e,
            "SELECT CAST(group_rank AS DOUBLE) FROM org_positions WHERE org_code = 'RAT' AND metric = 'ind2.relative_likelihood'",
        ),
        1.0,
    );
    close(
        one(
            &e,
            "SELECT CAST(group_quartile AS DOUBLE) FROM org_positions WHERE org_code = 'RAT' AND metric = 'ind2.relative_likelihood'",
        ),
        4.0,
    );
    // Ranked among the four trusts of its group, and alone in London.
    for (col, want) in [("group_n", 4.0), ("region_rank", 1.0), ("region_n", 1.0)] {
        close(
            one(
                &e,
                &format!(
                    "SELECT CAST({col} AS DOUBLE) FROM org_positions WHERE org_code = 'RAT' AND metric = 'ind2.relative_likelihood'"
                ),
            ),
            want,
        );
    }
}

#[test]
fn katz_interval_by_hand() {
    // RR = (20/100) / (10/100) = 2; se = sqrt(1/20 - 1/100 + 1/10 - 1/100) = sqrt(0.13);
    // 2 exp(-/+ 1.96 se) = 0.98656 .. 4.05448 (z = 1.959964).
    let (_d, e) = warehouse_from(&[("a.csv", ind2("RV9", 2021, 100, 20, 100, 10))]);
    let q = |c: &str| {
        one(
            &e,
            &format!("SELECT {c} FROM org_metrics WHERE metric = 'ind2.relative_likelihood'"),
        )
    };
    close(q("value"), 2.0);
    close(q("ci_low"), 0.986563);
    close(q("ci_high"), 4.054479);
    // The interval includes 1: not significant; 2 is outside the four-fifths band.
    let b = e.query("f", "SELECT array_to_string(flags, ',') FROM org_metrics WHERE metric = 'ind2.relative_likelihood'").unwrap();
    assert_eq!(
        b.column(0)
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap()
            .value(0),
        "outside_parity_band"
    );
}

#[test]
fn newcombe_gap_matches_the_published_worked_example() {
    // Newcombe (1998) Stat Med 17:873-890, example (a): 56/70 - 48/80,
    // method 10 gives 0.0524 to 0.3339; here as percentage points.
    let (_d, e) = warehouse_from(&[("s.csv", survey("RV9", 2021, 8, 60.0, 80, 80.0, 70))]);
    let q = |c: &str| {
        one(
            &e,
            &format!("SELECT {c} FROM org_metrics WHERE metric = 'ind8.gap_pp'"),
        )
    };
    close(q("value"), 20.0);
    assert!((q("ci_low").unwrap() - 5.24).abs() < 0.005);
    assert!((q("ci_high").unwrap() - 33.39).abs() < 0.005);
}

#[test]
fn zero_numerator_is_zero_and_counts_in_medians() {
    // First version: RV9's 0 of 100 BME staff entering the process was NULL
    // and vanished from the median (2.0 from R1A alone). Now it is 0
    // (zero_count) and the median of 0 and 2 is 1.
    let body = ind3("RV9", 2021, 1000, 10, 100, 0) + &ind3("R1A", 2021, 1000, 10, 100, 2);
    let (_d, e) = warehouse_from(&[("a.csv", body)]);
    assert_eq!(
        one(
            &e,
            "SELECT value FROM org_metrics WHERE org_code = 'RV9' AND metric = 'ind3.relative_likelihood'"
        ),
        Some(0.0)
    );
    let b = e
        .query("f", "SELECT array_has(flags, 'zero_count') AND NOT array_has(flags, 'undefined') FROM org_metrics WHERE org_code = 'RV9' AND metric = 'ind3.relative_likelihood'")
        .unwrap();
    assert!(
        b.column(0)
            .as_any()
            .downcast_ref::<BooleanArray>()
            .unwrap()
            .value(0)
    );
    close(
        one(
            &e,
            "SELECT median FROM group_metrics WHERE metric = 'ind3.relative_likelihood'",
        ),
        1.0,
    );
    close(
        one(
            &e,
            "SELECT CAST(n_orgs AS DOUBLE) FROM group_metrics WHERE metric = 'ind3.relative_likelihood'",
        ),
        2.0,
    );
}

#[test]
fn suppressed_survey_groups_have_no_value_and_no_median_vote() {
    let body =
        survey("RV9", 2021, 8, 5.0, 900, 20.0, 8) + &survey("R1A", 2021, 8, 6.0, 900, 14.0, 40);
    let (_d, e) = warehouse_from(&[("s.csv", body)]);
    assert_eq!(
        one(
            &e,
            "SELECT value FROM org_metrics WHERE org_code = 'RV9' AND metric = 'ind8.pct' AND ethnicity = 'bme'"
        ),
        None
    );
    assert_eq!(
        one(
            &e,
            "SELECT value FROM org_metrics WHERE org_code = 'RV9' AND metric = 'ind8.gap_pp'"
        ),
        None
    );
    close(
        one(
            &e,
            "SELECT median FROM group_metrics WHERE metric = 'ind8.pct' AND ethnicity = 'bme'",
        ),
        14.0,
    );
    close(
        one(
            &e,
            "SELECT CAST(SUM(CASE WHEN suppressed THEN 1 ELSE 0 END) AS DOUBLE) FROM org_metrics",
        ),
        2.0,
    );
}

#[test]
fn rolling_indicator_3_sums_two_years_and_needs_both() {
    let body = ind3("RV9", 2020, 1000, 10, 100, 2)
        + &ind3("RV9", 2021, 1100, 12, 120, 3)
        + &ind3("R1A", 2021, 500, 5, 50, 1);
    let (_d, e) = warehouse_from(&[("a.csv", body)]);
    close(
        one(
            &e,
            "SELECT value FROM org_metrics WHERE org_code = 'RV9' AND year = 2021 AND metric = 'ind3.relative_likelihood_2yr'",
        ),
        (5.0 / 220.0) / (22.0 / 2100.0),
    );
    let n = e.query("n", "SELECT * FROM org_metrics WHERE metric = 'ind3.relative_likelihood_2yr' AND (year = 2020 OR org_code = 'R1A')").unwrap();
    assert_eq!(n.num_rows(), 0, "no previous year, no two-year figure");
}

#[test]
fn band_shares_board_difference_and_no_parity_below_8a() {
    let body = std::fs::read_to_string(fixture("validation/valid-workforce.csv")).unwrap();
    let body = body.split_once('\n').unwrap().1.to_string();
    let (_d, e) = warehouse_from(&[("a.csv", body)]);
    let q = |m: &str, cat: &str| {
        one(
            &e,
            &format!("SELECT value FROM org_metrics WHERE metric = '{m}' AND category = '{cat}'"),
        )
    };
    // Overall: 140 BME of 1030 (senior medical managers are not added in).
    close(q("ind1.bme_pct", "all"), 100.0 * 140.0 / 1030.0);
    // The Model Employer gap covers bands 8a and above only (tests/slt/parity_gap.slt
    // has the arithmetic); this return has none, so no parity rows at all, and
    // none for band 2, band 5 or medical grades as the first version gave.
    close(
        one(
            &e,
            "SELECT CAST(COUNT(*) AS DOUBLE) FROM org_metrics WHERE metric LIKE 'ind1.parity%'",
        ),
        0.0,
    );
    // A trust with its indicator 1 table uses it, not indicator 3.
    let b = e.query("f", "SELECT array_has(flags, 'workforce_from_ind3') FROM org_metrics WHERE metric = 'ind1.bme_pct' AND category = 'all'").unwrap();
    assert!(
        !b.column(0)
            .as_any()
            .downcast_ref::<BooleanArray>()
            .unwrap()
            .value(0)
    );
    // Board: 2 of 14 against 140 of 1030.
    close(
        q("ind9.diff_pp", "total"),
        100.0 * 2.0 / 14.0 - 100.0 * 140.0 / 1030.0,
    );
}

#[test]
fn a_trust_missing_a_section_has_no_figures_for_it() {
    let body = ind2("RV9", 2021, 100, 50, 100, 50) + &survey("R1A", 2021, 8, 5.0, 900, 20.0, 80);
    let (_d, e) = warehouse_from(&[("a.csv", body)]);
    close(
        one(
            &e,
            "SELECT CAST(COUNT(*) AS DOUBLE) FROM org_metrics WHERE org_code = 'RV9' AND metric LIKE 'ind8%'",
        ),
        0.0,
    );
    close(
        one(
            &e,
            "SELECT CAST(COUNT(*) AS DOUBLE) FROM org_metrics WHERE org_code = 'R1A' AND metric LIKE 'ind2%'",
        ),
        0.0,
    );
}

/// Issue 14: the queries run over runs of years (each with the year before
/// as context, for indicator 3's two-year figure) so that memory stays
/// bounded at any number of trusts. Run a year at a time, every result table
/// must be what one pass over every year gives, row for row.
#[test]
fn results_computed_a_year_at_a_time_equal_one_pass_over_every_year() {
    use wresbench::generate::{self, GenFormat, GenerateOptions};
    let dir = tempdir();
    let reg = Register::builtin();
    let data = dir.path().join("gen");
    generate::generate(
        &reg,
        &GenerateOptions {
            out: data.clone(),
            first_year: 2021,
            last_year: 2024,
            seed: 7,
            scale: 1,
            faults: 0.0,
            format: GenFormat::Csv,
        },
    )
    .unwrap();
    let years = [2021, 2022, 2023, 2024];
    assert_eq!(engine::passes(&years, reg.len(), usize::MAX).len(), 1);
    assert_eq!(engine::passes(&years, reg.len(), 1).len(), 4);
    // Not consecutive: a gap starts a new run.
    assert_eq!(
        engine::passes(&[2019, 2021, 2022], 1, 10),
        vec![vec![2019], vec![2021, 2022]]
    );
    let mut dumps = Vec::new();
    for (name, per_pass) in [("one-pass", usize::MAX), ("year-by-year", 1)] {
        let wh = dir.path().join(name);
        ingest(&[data.join("returns"), data.join("survey")], &wh);
        let s = engine::benchmark_in_passes(
            &wh,
            &reg,
            &Params::default(),
            engine::Years::OutOfDate,
            false,
            per_pass,
        )
        .unwrap();
        let text = result_tables(&wh);
        dumps.push((name, s, text));
    }
    let (_, a, one) = &dumps[0];
    let (_, b, by_year) = &dumps[1];
    assert_eq!(a.rows, b.rows);
    assert_eq!(
        (a.trusts, a.org_figures, a.suppressed, a.infinite),
        (b.trusts, b.org_figures, b.suppressed, b.infinite)
    );
    assert_same_tables(one, by_year, ("one pass    ", "year by year"));
    // The context year did its work: two-year figures from the first year
    // after the earliest held, in the year-by-year run too.
    let two_year = sql_text(
        &dir.path().join("year-by-year"),
        "SELECT DISTINCT year FROM org_metrics WHERE metric = 'ind3.relative_likelihood_2yr' AND value IS NOT NULL ORDER BY year",
    );
    assert_eq!(two_year, "year\n2022\n2023\n2024\n");

    // org_positions.sql computes each peer set's quartiles in its own windows
    // rather than joining the group and region tables back: a trust's count
    // and quarter must follow from those tables' n_orgs and q1 / median / q3
    // (NULL = infinite), for every ranked figure of four national years.
    let wh = dir.path().join("one-pass");
    let quarter = |t: &str| {
        format!(
            "CASE WHEN COALESCE(p.value, CAST('inf' AS DOUBLE)) <= COALESCE({t}.q1, CAST('inf' AS DOUBLE)) THEN 1 \
             WHEN COALESCE(p.value, CAST('inf' AS DOUBLE)) <= COALESCE({t}.median, CAST('inf' AS DOUBLE)) THEN 2 \
             WHEN COALESCE(p.value, CAST('inf' AS DOUBLE)) <= COALESCE({t}.q3, CAST('inf' AS DOUBLE)) THEN 3 ELSE 4 END"
        )
    };
    let checked = sql_text(
        &wh,
        &format!(
            "SELECT COUNT(*) AS ranked, \
             SUM(CASE WHEN p.group_n = g.n_orgs AND p.group_quartile = {} THEN 1 ELSE 0 END) AS group_agree, \
             SUM(CASE WHEN p.region_n = r.n_orgs AND p.region_quartile = {} THEN 1 ELSE 0 END) AS region_agree, \
             COUNT(DISTINCT p.group_quartile) AS quarters \
             FROM org_positions p JOIN organisations o ON o.org_code = p.org_code \
             JOIN group_metrics g ON g.benchmark_group = o.benchmark_group AND g.year = p.year AND g.metric = p.metric \
              AND g.staff_group = p.staff_group AND g.category = p.category AND g.ethnicity = p.ethnicity \
             JOIN region_metrics r ON r.level = 'region' AND r.area = o.region AND r.year = p.year AND r.metric = p.metric \
              AND r.staff_group = p.staff_group AND r.category = p.category AND r.ethnicity = p.ethnicity",
            quarter("g"),
            quarter("r")
        ),
    );
    let row: Vec<u64> = checked
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .map(|x| x.parse().unwrap())
        .collect();
    let positions: usize = sql_text(&wh, "SELECT COUNT(*) AS n FROM org_positions")
        .lines()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    assert!(row[0] > 10_000, "too few ranked figures: {row:?}");
    assert_eq!(
        row[0] as usize, positions,
        "a position without its peer set"
    );
    assert_eq!(
        (row[1], row[2]),
        (row[0], row[0]),
        "ranked, group and region agreeing: {row:?}"
    );
    assert_eq!(row[3], 4, "every quarter used");
}

/// The export's read model keeps org_metrics and org_positions packed
/// (breakdowns and flags as indexes, positions inside the rows): every row
/// and every position must read back exactly as the tables hold them, and
/// nothing more.
#[test]
fn the_read_model_gives_back_every_org_metrics_row_and_position_exactly() {
    use wresbench::results::Results;
    let fx = full_export();
    let reg = Register::builtin();
    let e = Engine::open(&fx.wh, &reg, &Params::default()).unwrap();
    let r = Results::load(&e, &reg).unwrap();
    let b = e
        .query(
            "test",
            "SELECT m.org_code, m.year, m.metric, m.staff_group, m.category, m.ethnicity, m.value, \
             m.numerator, m.denominator, m.ci_low, m.ci_high, m.suppressed, \
             array_to_string(m.flags, ',') AS flags, \
             CAST(p.group_rank AS BIGINT) AS group_rank, CAST(p.group_quartile AS BIGINT) AS group_quartile, \
             CAST(p.region_rank AS BIGINT) AS region_rank \
             FROM org_metrics m LEFT JOIN org_positions p USING (org_code, year, metric, staff_group, category, ethnicity)",
        )
        .unwrap();
    let s = |n: &str| {
        b.column_by_name(n)
            .unwrap()
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap()
    };
    let f = |n: &str| {
        b.column_by_name(n)
            .unwrap()
            .as_any()
            .downcast_ref::<Float64Array>()
            .unwrap()
    };
    let i64s = |n: &str| {
        b.column_by_name(n)
            .unwrap()
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap()
    };
    let opt = |a: &Float64Array, i: usize| (!a.is_null(i)).then(|| a.value(i));
    let year = b
        .column_by_name("year")
        .unwrap()
        .as_any()
        .downcast_ref::<datafusion::arrow::array::Int32Array>()
        .unwrap();
    let sup = b
        .column_by_name("suppressed")
        .unwrap()
        .as_any()
        .downcast_ref::<BooleanArray>()
        .unwrap();
    let (org, metric, sg, cat, eth, flags) = (
        s("org_code"),
        s("metric"),
        s("staff_group"),
        s("category"),
        s("ethnicity"),
        s("flags"),
    );
    let (gr, gq, rr) = (
        i64s("group_rank"),
        i64s("group_quartile"),
        i64s("region_rank"),
    );
    let (mut positions, mut with_flags, mut with_nulls) = (0, 0, 0);
    for i in 0..b.num_rows() {
        let k = (metric.value(i), sg.value(i), cat.value(i), eth.value(i));
        let (o, y) = (org.value(i), year.value(i));
        let row = r
            .org_row(o, y, k)
            .unwrap_or_else(|| panic!("{o} {y} {k:?} missing"));
        let want = [
            opt(f("value"), i),
            opt(f("numerator"), i),
            opt(f("denominator"), i),
            opt(f("ci_low"), i),
            opt(f("ci_high"), i),
        ];
        let got = [
            row.value,
            row.numerator,
            row.denominator,
            row.ci_low,
            row.ci_high,
        ];
        // Bit for bit (NaN and infinities included).
        let bits = |v: [Option<f64>; 5]| v.map(|x| x.map(f64::to_bits));
        assert_eq!(bits(got), bits(want), "{o} {y} {k:?}");
        assert_eq!(row.suppressed, sup.value(i), "{o} {y} {k:?}");
        assert_eq!(row.key(), k);
        assert_eq!(row.flags.join(","), flags.value(i), "{o} {y} {k:?}");
        with_flags += usize::from(!row.flags.is_empty());
        with_nulls += usize::from(got.iter().any(Option::is_none));
        let pos = r.position(o, y, k);
        if gr.is_null(i) {
            assert!(pos.is_none(), "{o} {y} {k:?} has no position");
        } else {
            let p = pos.unwrap_or_else(|| panic!("{o} {y} {k:?} position missing"));
            assert_eq!(
                (p.group_rank, p.group_quartile, p.region_rank),
                (gr.value(i), gq.value(i), rr.value(i)),
                "{o} {y} {k:?}"
            );
            positions += 1;
        }
    }
    // Every row the model holds came from the table: no more, no fewer.
    let held: usize = r
        .orgs_in(2025)
        .iter()
        .map(|o| r.org_rows(o, 2025).count())
        .sum();
    assert_eq!(held, b.num_rows());
    // The check covers the cases packing could get wrong.
    assert!(positions > 1000 && positions < b.num_rows(), "{positions}");
    assert!(with_flags > 100, "{with_flags}");
    assert!(with_nulls > 100, "{with_nulls}");
}

#[test]
fn a_query_file_runs_its_create_tables_first_and_drops_them_after() {
    // org_metrics.sql computes the counts it reads several times into om_*
    // tables first; they must not outlive the query (a later query or
    // `wresbench sql` would see them), even when the query fails.
    let tmp = tempdir();
    let e = Engine::open(tmp.path(), &Register::builtin(), &Params::default()).unwrap();
    let b = e
        .query_file(
            "t",
            "CREATE TABLE om_x AS SELECT 1 AS a UNION ALL SELECT 2; SELECT SUM(a) AS s FROM om_x",
        )
        .unwrap();
    let s = b.column(0).as_any().downcast_ref::<Int64Array>().unwrap();
    assert_eq!(s.value(0), 3);
    assert!(
        e.query("t", "SELECT * FROM om_x").is_err(),
        "om_x outlived its query"
    );
    assert!(
        e.query_file(
            "t",
            "CREATE TABLE om_y AS SELECT 1 AS a; SELECT nope FROM om_y"
        )
        .is_err()
    );
    assert!(
        e.query("t", "SELECT * FROM om_y").is_err(),
        "om_y outlived a failed query"
    );
    // Only CREATE TABLE ... AS may come before the query.
    let err = e
        .query_file("t", "DROP TABLE params; SELECT 1")
        .unwrap_err()
        .to_string();
    assert!(err.contains("only CREATE TABLE"), "{err}");
    assert_eq!(
        e.query("t", "SELECT COUNT(*) FROM params")
            .unwrap()
            .num_rows(),
        1
    );
}
