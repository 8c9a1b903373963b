//! The synthetic dataset: deterministic, valid, faults caught exactly, and
//! calibrated to the published national figures.

use std::collections::BTreeSet;

use wresbench::engine::{self, Engine, Params};
use wresbench::generate::{self, GenFormat, GenerateOptions};
use wresbench::register::Register;
use wresbench::warehouse::{layout, tables};

use crate::common::*;

fn opts(out: &std::path::Path, seed: u64) -> GenerateOptions {
    GenerateOptions {
        out: out.to_path_buf(),
        first_year: 2020,
        last_year: 2021,
        seed,
        scale: 1,
        faults: 0.0,
        format: GenFormat::Mixed,
    }
}

#[test]
fn same_seed_same_bytes_different_seed_different_data() {
    let dir = tempdir();
    let reg = Register::builtin();
    generate::generate(&reg, &opts(&dir.path().join("a"), 7)).unwrap();
    generate::generate(&reg, &opts(&dir.path().join("b"), 7)).unwrap();
    generate::generate(&reg, &opts(&dir.path().join("c"), 8)).unwrap();
    let a = snapshot(&dir.path().join("a"));
    assert!(a.len() > 400);
    assert_eq!(a, snapshot(&dir.path().join("b")));
    assert_ne!(a, snapshot(&dir.path().join("c")));
}

#[test]
fn clean_returns_all_pass_and_the_national_figures_are_calibrated() {
    let dir = tempdir();
    let reg = Register::builtin();
    let out = dir.path().join("gen");
    let mut o = opts(&out, 2015);
    o.first_year = 2019;
    o.last_year = 2023;
    generate::generate(&reg, &o).unwrap();
    let wh = dir.path().join("wh");
    let s = ingest(&[out.join("returns"), out.join("survey")], &wh);
    assert_eq!(
        s.sections_rejected + s.files_rejected,
        0,
        "{:#?}",
        s.rejections
    );
    assert_eq!(s.sections_accepted, 205 * 5 * 2);
    engine::benchmark(&wh, &reg, &Params::default(), engine::Years::OutOfDate).unwrap();
    let e = Engine::open(&wh, &reg, &Params::default()).unwrap();
    // Tolerances: BME share of the workforce within 1 pp; board within 2 pp
    // (about 2,900 board members nationally); relative likelihoods within 0.12.
    for year in 2019..=2023 {
        let (bme, board, rl2, rl3) = generate::published(year);
        let pooled = |metric: &str, extra: &str| -> f64 {
            let b = e
                .query(
                    "calibration",
                    "SELECT year, metric, staff_group, category, pooled FROM national_metrics ORDER BY year",
                )
                .unwrap();
            use datafusion::arrow::array::{Array, Float64Array, Int32Array, StringArray};
            let y = b.column(0).as_any().downcast_ref::<Int32Array>().unwrap();
            let m = b.column(1).as_any().downcast_ref::<StringArray>().unwrap();
            let c = b.column(3).as_any().downcast_ref::<StringArray>().unwrap();
            let sg = b.column(2).as_any().downcast_ref::<StringArray>().unwrap();
            let p = b.column(4).as_any().downcast_ref::<Float64Array>().unwrap();
            (0..b.num_rows())
                .find(|&i| {
                    y.value(i) == year
                        && m.value(i) == metric
                        && (extra.is_empty() || c.value(i) == extra)
                        && (metric != "ind1.bme_pct" || sg.value(i) == "all")
                })
                .map(|i| p.value(i))
                .unwrap()
        };
        if let Some(t) = bme {
            let g = pooled("ind1.bme_pct", "all");
            assert!(
                (g - t).abs() <= 1.0,
                "{year} BME % workforce {g} vs published {t}"
            );
        }
        if let Some(t) = board {
            let g = pooled("ind9.board_bme_pct", "total");
            assert!(
                (g - t).abs() <= 2.0,
                "{year} BME % board {g} vs published {t}"
            );
        }
        if let Some(t) = rl2 {
            let g = pooled("ind2.relative_likelihood", "");
            assert!((g - t).abs() <= 0.12, "{year} ind 2 {g} vs published {t}");
        }
        if let Some(t) = rl3 {
            let g = pooled("ind3.relative_likelihood", "");
            assert!((g - t).abs() <= 0.12, "{year} ind 3 {g} vs published {t}");
        }
    }
}

#[test]
fn faulted_returns_fail_with_their_named_fault_and_nothing_else_is_rejected() {
    let dir = tempdir();
    let reg = Register::builtin();
    let out = dir.path().join("gen");
    let mut o = opts(&out, 99);
    o.faults = 0.1;
    generate::generate(&reg, &o).unwrap();
    let mut rdr = csv::Reader::from_path(out.join("faults.csv")).unwrap();
    let faults: Vec<(String, String)> = rdr
        .records()
        .map(|r| r.unwrap())
        .map(|r| (r[0].to_string(), r[4].to_string()))
        .collect();
    let every: BTreeSet<&str> = generate::Fault::all()
        .into_iter()
        .map(|f| f.code())
        .collect();
    assert!(faults.len() >= every.len(), "every kind of fault planted");
    let kinds: BTreeSet<&str> = faults.iter().map(|f| f.1.as_str()).collect();
    assert_eq!(kinds, every);
    // Every subset rule of validation is planted (the faults come from its table).
    for rule in wresbench::ingest::validate::SUBSET_RULES {
        assert!(kinds.contains(rule.code), "{} never planted", rule.code);
    }

    let wh = dir.path().join("wh");
    ingest(&[out.join("returns"), out.join("survey")], &wh);
    let ledger = tables::read_submissions(&current(&wh, layout::SUBMISSIONS)).unwrap();
    let messages = tables::read_messages(&current(&wh, layout::MESSAGES)).unwrap();
    let root = format!("{}/", out.display());
    let rejected: BTreeSet<String> = ledger
        .iter()
        .filter(|s| s.outcome == "rejected")
        .map(|s| s.file.strip_prefix(&root).unwrap_or(&s.file).to_string())
        .collect();
    let planted: BTreeSet<String> = faults.iter().map(|f| f.0.clone()).collect();
    assert_eq!(rejected, planted, "exactly the faulted files are rejected");
    for (file, code) in &faults {
        let full = format!("{root}{file}");
        assert!(
            messages.iter().any(|m| m.file == full && m.code == *code),
            "{file}: expected {code}, got {:?}",
            messages
                .iter()
                .filter(|m| m.file == full)
                .map(|m| &m.code)
                .collect::<Vec<_>>()
        );
    }
}

#[test]
fn scale_adds_synthetic_trusts_with_codes_that_cannot_clash_and_a_register_to_ingest_them() {
    let dir = tempdir();
    let out = dir.path().join("gen");
    let mut o = opts(&out, 3);
    o.first_year = 2021;
    o.last_year = 2021;
    o.scale = 2;
    o.format = GenFormat::Csv;
    let s = generate::generate(&Register::builtin(), &o).unwrap();
    assert_eq!(s.trusts, 410);
    let reg = Register::load(Some(&out.join("register.csv"))).unwrap();
    assert_eq!(reg.len(), 410);
    let synthetic: Vec<_> = reg
        .iter()
        .filter(|o| !Register::builtin().contains(&o.org_code))
        .collect();
    assert_eq!(synthetic.len(), 205);
    assert!(
        synthetic
            .iter()
            .all(|o| o.org_code.starts_with('Z') && o.org_code.len() == 5)
    );
    // With the written register, every return is accepted.
    let out_run = bin()
        .args(["--register"])
        .arg(out.join("register.csv"))
        .args(["ingest"])
        .arg(out.join("returns"))
        .arg(out.join("survey"))
        .arg("--warehouse")
        .arg(dir.path().join("wh"))
        .output()
        .unwrap();
    assert_eq!(
        out_run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out_run.stdout)
    );
}
