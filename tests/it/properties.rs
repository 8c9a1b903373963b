//! Property tests: random valid returns survive the warehouse unchanged;
//! random byte mutations never panic; the SQL median is the plain median.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, BooleanArray, Float64Array, Int32Array, ListBuilder, RecordBatch, StringArray,
    StringBuilder,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use proptest::prelude::*;
use wresbench::engine::{Engine, Params, QUERIES};
use wresbench::ingest::{self, Row};
use wresbench::model::{BANDS, Ethnicity, Indicator, Measure, StaffGroup};
use wresbench::register::Register;
use wresbench::warehouse::{layout, tables};

use crate::common::*;

fn arb_return() -> impl Strategy<Value = Vec<Row>> {
    (
        proptest::collection::vec((0..BANDS.len(), 0u32..5000, 0u32..3000, 0u32..300), 1..10),
        (1u32..2000, 1u32..2000),
        (0.0f64..=100.0, 1u32..3000),
    )
        .prop_map(|(bands, (sl, bsl), (pct, resp))| {
            let mut rows = Vec::new();
            let mut seen = std::collections::HashSet::new();
            let r = |ind: u8, m: Measure, sg: Option<StaffGroup>, c, e, v: f64| Row {
                org_code: "RV9".into(),
                year: 2021,
                indicator: Indicator::new(ind).unwrap(),
                measure: m,
                staff_group: sg,
                category: c,
                ethnicity: e,
                value: v,
                location: String::new(),
            };
            for (b, w, bm, u) in bands {
                if !seen.insert(b) {
                    continue;
                }
                for (e, v) in [
                    (Ethnicity::White, w),
                    (Ethnicity::Bme, bm),
                    (Ethnicity::Unknown, u),
                ] {
                    rows.push(r(
                        1,
                        Measure::Headcount,
                        Some(StaffGroup::Clinical),
                        Some(BANDS[b]),
                        e,
                        f64::from(v),
                    ));
                }
            }
            rows.push(r(
                2,
                Measure::Shortlisted,
                None,
                None,
                Ethnicity::White,
                f64::from(sl),
            ));
            rows.push(r(
                2,
                Measure::Appointed,
                None,
                None,
                Ethnicity::White,
                f64::from(sl / 3),
            ));
            rows.push(r(
                2,
                Measure::Shortlisted,
                None,
                None,
                Ethnicity::Bme,
                f64::from(bsl),
            ));
            rows.push(r(
                2,
                Measure::Appointed,
                None,
                None,
                Ethnicity::Bme,
                f64::from(bsl / 4),
            ));
            // Survey percentages with one decimal, as supplied.
            let pct = (pct * 10.0).round() / 10.0;
            rows.push(r(8, Measure::Percent, None, None, Ethnicity::Bme, pct));
            rows.push(r(
                8,
                Measure::Responses,
                None,
                None,
                Ethnicity::Bme,
                f64::from(resp),
            ));
            rows
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn random_valid_returns_survive_csv_to_warehouse_unchanged(rows in arb_return()) {
        let dir = tempdir();
        let p = dir.path().join("r.csv");
        std::fs::write(&p, ingest::csv::write_rows(&rows)).unwrap();
        let wh = dir.path().join("wh");
        let s = ingest(&[p], &wh);
        prop_assert_eq!(s.sections_rejected, 0, "{:?}", s.rejections);
        let key = |o: &str, i: i32, m: &str, sg: &str, c: &str, e: &str, v: f64| (o.to_string(), i, m.to_string(), sg.to_string(), c.to_string(), e.to_string(), v.to_bits());
        let mut want: Vec<_> = rows.iter().map(|r| key(&r.org_code, i32::from(r.indicator.number()), r.measure.code(), r.staff_group.map_or("", |s| s.code()), r.category.map_or("", |c| c.code()), r.ethnicity.code(), r.value)).collect();
        let mut got: Vec<_> = tables::read_returns(&current(&wh, &layout::returns_file(2021))).unwrap().iter().map(|r| key(&r.org_code, r.indicator, &r.measure, &r.staff_group, &r.category, &r.ethnicity, r.value)).collect();
        want.sort();
        got.sort();
        prop_assert_eq!(got, want);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_byte_mutations_of_a_csv_never_panic(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..20)) {
        let mut bytes = std::fs::read(fixture("validation/valid-workforce.csv")).unwrap();
        for (i, b) in edits {
            let at = i.index(bytes.len());
            bytes[at] = b;
        }
        let f = ingest::parse_bytes(std::path::Path::new("m.csv"), "m.csv", bytes, &Register::builtin(), &vopts());
        // Whatever happened, every problem names the file.
        prop_assert!(f.all_messages().all(|m| m.location.starts_with("m.csv")));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_byte_mutations_of_a_workbook_never_panic(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let org = Register::builtin().get("RV9").unwrap().clone();
        let csv_rows = ingest::parse_file(&fixture("validation/valid-workforce.csv"), &Register::builtin(), &vopts());
        let rows: Vec<Row> = csv_rows.sections.iter().flat_map(|s| s.rows.clone()).collect();
        let mut bytes = ingest::template::return_workbook(&org, 2021, &rows).unwrap();
        for (i, b) in edits {
            let at = i.index(bytes.len());
            bytes[at] = b;
        }
        let f = ingest::parse_bytes(std::path::Path::new("m.xlsx"), "m.xlsx", bytes, &Register::builtin(), &vopts());
        prop_assert!(f.all_messages().all(|m| m.location.starts_with("m.xlsx")));
    }
}

/// Median and type-7 quartile in plain Rust; +infinity sorts last, and an
/// interpolation that reaches it is infinite.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    if lo == hi {
        sorted[lo]
    } else {
        sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn group_median_equals_the_plain_rust_median(
        drawn in proptest::collection::vec((0.0f64..5.0, proptest::bool::weighted(0.15)), 1..60)
    ) {
        // Some ratios are infinite (flag `infinite`, value NULL): they enter
        // the order statistics as +infinity, and an infinite statistic is NULL.
        let reg = Register::builtin();
        let mh: Vec<&str> = reg.iter().filter(|o| o.benchmark_group.starts_with("Mental")).map(|o| o.org_code.as_str()).collect();
        let drawn: Vec<(f64, bool)> = drawn.into_iter().take(mh.len()).collect();
        let values: Vec<f64> = drawn.iter().map(|(v, inf)| if *inf { f64::INFINITY } else { *v }).collect();
        let n = values.len();
        let mut flags = ListBuilder::new(StringBuilder::new());
        for (_, inf) in &drawn {
            if *inf {
                flags.values().append_value("infinite");
            }
            flags.append(true);
        }
        let s = |v: Vec<&str>| Arc::new(StringArray::from(v)) as _;
        let batch = RecordBatch::try_new(
            Arc::new(Schema::new(vec![
                Field::new("org_code", DataType::Utf8, false),
                Field::new("year", DataType::Int32, false),
                Field::new("metric", DataType::Utf8, false),
                Field::new("staff_group", DataType::Utf8, false),
                Field::new("category", DataType::Utf8, false),
                Field::new("ethnicity", DataType::Utf8, false),
                Field::new("value", DataType::Float64, true),
                Field::new("suppressed", DataType::Boolean, false),
                Field::new("flags", DataType::new_list(DataType::Utf8, true), true),
            ])),
            vec![
                s(mh[..n].to_vec()),
                Arc::new(Int32Array::from(vec![2021; n])),
                s(vec!["ind2.relative_likelihood"; n]),
                s(vec![""; n]),
                s(vec![""; n]),
                s(vec![""; n]),
                Arc::new(drawn.iter().map(|(v, inf)| (!inf).then_some(*v)).collect::<Float64Array>()),
                Arc::new(BooleanArray::from(vec![false; n])),
                Arc::new(flags.finish()),
            ],
        ).unwrap();
        let tmp = tempdir();
        let e = Engine::open(tmp.path(), &reg, &Params::default()).unwrap();
        e.register_batch("org_metrics", batch).unwrap();
        let sql = QUERIES.iter().find(|(q, _)| *q == "group_metrics").unwrap().1;
        let out = e.query_file("group_metrics", sql).unwrap();
        let col = |name: &str| {
            let a = out.column_by_name(name).unwrap().as_any().downcast_ref::<Float64Array>().unwrap();
            (!a.is_null(0)).then(|| a.value(0))
        };
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        let median = if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 };
        let finite = |v: f64| v.is_finite().then_some(v);
        // percentile_cont interpolates with a weight quantised to 1e-6.
        let close = |got: Option<f64>, want: Option<f64>, tol: f64| match (got, want) {
            (Some(g), Some(w)) => (g - w).abs() < tol,
            (None, None) => true,
            _ => false,
        };
        prop_assert!(close(col("median"), finite(median), 1e-9), "median {:?} vs {median}", col("median"));
        prop_assert!(close(col("q1"), finite(quantile(&sorted, 0.25)), 1e-5), "q1 {:?}", col("q1"));
        prop_assert!(close(col("q3"), finite(quantile(&sorted, 0.75)), 1e-5), "q3 {:?}", col("q3"));
        let n_inf = drawn.iter().filter(|(_, inf)| *inf).count() as i64;
        let got_inf = out.column_by_name("n_infinite").unwrap().as_any()
            .downcast_ref::<datafusion::arrow::array::Int64Array>().unwrap().value(0);
        prop_assert_eq!(got_inf, n_inf);
    }
}
