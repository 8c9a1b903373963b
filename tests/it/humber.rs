//! The Humber fixture, built from a real trust report, must reproduce every
//! figure of `expected.csv` within its tolerance, including 0.64 where the
//! report printed 1.64.

use datafusion::arrow::array::{Array, Float64Array, Int32Array, StringArray};
use wresbench::engine::{Engine, Params};
use wresbench::register::Register;

use crate::common::*;

#[test]
fn humber_reproduces_every_expected_figure() {
    let dir = tempdir();
    let wh = dir.path().join("wh");
    let s = ingest(
        &[
            fixture("humber-2021/RV9-2021-workforce.csv"),
            fixture("humber-2021/RV9-survey.csv"),
        ],
        &wh,
    );
    assert_eq!(s.sections_rejected, 0);
    assert_eq!(s.sections_accepted, 5);
    benchmark(&wh);

    let engine = Engine::open(&wh, &Register::builtin(), &Params::default()).unwrap();
    let b = engine
        .query("expected", "SELECT metric, staff_group, category, ethnicity, year, value, ci_low, ci_high FROM org_metrics WHERE org_code = 'RV9'")
        .unwrap();
    let mut rdr = csv::Reader::from_path(fixture("humber-2021/expected.csv")).unwrap();
    let mut checked = 0;
    let mut limits = 0;
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let (metric, sg, cat, eth, year) = (
            &rec[0],
            &rec[1],
            &rec[2],
            &rec[3],
            rec[4].parse::<i32>().unwrap(),
        );
        let want: f64 = rec[5].parse().unwrap();
        let tol: f64 = rec[6].parse().unwrap();
        let m = b.column(0).as_any().downcast_ref::<StringArray>().unwrap();
        let s = b.column(1).as_any().downcast_ref::<StringArray>().unwrap();
        let c = b.column(2).as_any().downcast_ref::<StringArray>().unwrap();
        let e = b.column(3).as_any().downcast_ref::<StringArray>().unwrap();
        let y = b.column(4).as_any().downcast_ref::<Int32Array>().unwrap();
        let v = b.column(5).as_any().downcast_ref::<Float64Array>().unwrap();
        let lo = b.column(6).as_any().downcast_ref::<Float64Array>().unwrap();
        let hi = b.column(7).as_any().downcast_ref::<Float64Array>().unwrap();
        let hits: Vec<usize> = (0..b.num_rows())
            .filter(|&i| {
                m.value(i) == metric
                    && s.value(i) == sg
                    && c.value(i) == cat
                    && e.value(i) == eth
                    && y.value(i) == year
            })
            .collect();
        assert_eq!(
            hits.len(),
            1,
            "{metric}/{sg}/{cat}/{eth}/{year}: {} rows",
            hits.len()
        );
        let i = hits[0];
        assert!(!v.is_null(i), "{metric} {year} is null");
        assert!(
            (v.value(i) - want).abs() <= tol,
            "{metric}/{sg}/{cat}/{eth}/{year}: got {}, want {want} ± {tol} ({})",
            v.value(i),
            &rec[7]
        );
        // Interval limits, where the fixture gives them (4 decimals).
        for (col, got) in [(8, lo), (9, hi)] {
            if let Some(want) = rec.get(col).filter(|s| !s.is_empty()) {
                let want: f64 = want.parse().unwrap();
                assert!(
                    (got.value(i) - want).abs() <= 0.00005,
                    "{metric}/{eth} limit: got {}, want {want}",
                    got.value(i)
                );
                limits += 1;
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 24);
    assert_eq!(limits, 4);
}

#[test]
fn humber_flags_say_why() {
    let dir = tempdir();
    let wh = dir.path().join("wh");
    ingest(&[fixture("humber-2021")], &wh);
    benchmark(&wh);
    let engine = Engine::open(&wh, &Register::builtin(), &Params::default()).unwrap();
    let b = engine
        .query(
            "flags",
            "SELECT metric, array_to_string(flags, ',') FROM org_metrics \
             WHERE year = 2021 AND metric IN ('ind1.bme_pct', 'ind2.relative_likelihood', 'ind5.gap_pp') ORDER BY metric",
        )
        .unwrap();
    let m = b.column(0).as_any().downcast_ref::<StringArray>().unwrap();
    let f = b.column(1).as_any().downcast_ref::<StringArray>().unwrap();
    let got: Vec<(String, String)> = (0..b.num_rows())
        .map(|i| (m.value(i).to_string(), f.value(i).to_string()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("ind1.bme_pct".into(), "workforce_from_ind3".into()),
            // 0.64, interval 0.43-0.95: significant, and outside the four-fifths band.
            (
                "ind2.relative_likelihood".into(),
                "significant,outside_parity_band".into()
            ),
            // No White response count was published for indicator 5.
            ("ind5.gap_pp".into(), "responses_missing".into()),
        ]
    );
}
