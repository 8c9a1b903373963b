//! Peer tables and region packs: disclosure control never lets a figure
//! derived from a count of 1 to 7 through; zero stays zero.

use wresbench::engine::{self, Engine, Params};
use wresbench::register::Register;
use wresbench::results::Results;
use wresbench::results::peers;
use wresbench::results::{Cell, PeerSet};

use crate::common::*;

const HEADER: &str = "org_code,year,indicator,measure,staff_group,category,ethnicity,value\n";

fn ind2(org: &str, w_sl: u32, w_ap: u32, b_sl: u32, b_ap: u32) -> String {
    format!(
        "{org},2021,2,shortlisted,,,white,{w_sl}\n{org},2021,2,appointed,,,white,{w_ap}\n{org},2021,2,shortlisted,,,bme,{b_sl}\n{org},2021,2,appointed,,,bme,{b_ap}\n"
    )
}

#[test]
fn small_counts_are_starred_in_peer_tables_and_region_packs() {
    let dir = tempdir();
    // RAT (London): 5 BME appointed -> starred. R1H (London): 40 -> shown.
    // RF4 (London): 0 BME appointed -> an infinite ratio (no star: a zero stays).
    let body = ind2("RAT", 400, 100, 60, 5)
        + &ind2("R1H", 400, 100, 160, 40)
        + &ind2("RF4", 400, 100, 50, 0);
    let p = dir.path().join("r.csv");
    std::fs::write(&p, format!("{HEADER}{body}")).unwrap();
    let wh = dir.path().join("wh");
    ingest(&[p], &wh);
    let reg = Register::builtin();
    engine::benchmark(&wh, &reg, &Params::default(), engine::Years::OutOfDate).unwrap();
    let e = Engine::open(&wh, &reg, &Params::default()).unwrap();
    let r = Results::load(&e, &reg).unwrap();
    let cols = peers::columns_for(&["ind2.relative_likelihood".into()]).unwrap();
    let t = peers::peer_table(
        &r,
        &reg,
        2021,
        &PeerSet::Region("London".into()),
        &cols,
        8.0,
    )
    .unwrap();
    let cell = |code: &str| t.rows.iter().find(|x| x.org_code == code).unwrap().values[0];
    assert_eq!(cell("RAT"), Cell::Text("*"));
    assert!(matches!(cell("R1H"), Cell::Value(v) if (v - 1.0).abs() < 1e-9));
    assert_eq!(cell("RF4"), Cell::Text("infinite"));
    // The set median is the region's from the result tables (over every
    // trust with a value, starred or not): with three trusts, under the
    // minimum of five, it is withheld rather than recomputed from the cells.
    assert_eq!(t.set_median[0], None);

    // The region pack through the binary: the starred trust shows no figure.
    let out = dir.path().join("packs");
    export_ok(&wh, &out, &[]);
    let html = std::fs::read_to_string(out.join("2021/regions/london.html")).unwrap();
    let rat_row = html
        .lines()
        .find(|l| l.contains("<td>RAT</td>"))
        .expect("RAT row");
    assert!(rat_row.contains("<td>*</td>"), "{rat_row}");
    assert!(
        !rat_row.contains("3.00"),
        "the ratio (100/400) / (5/60) = 3.00 must not leak: {rat_row}"
    );
    // Everything links from the index.
    let index = std::fs::read_to_string(out.join("2021/index.html")).unwrap();
    assert!(
        index.contains("regions/london.html") && index.contains("national/wres-national-2021.html")
    );
    assert!(out.join("2021/national/wres-national-2021.xlsx").exists());
}

#[test]
fn peers_command_prints_a_table_and_refuses_an_empty_set() {
    let dir = tempdir();
    let wh = humber_warehouse(dir.path());
    benchmark(&wh);
    let out = bin()
        .args(["peers", "--warehouse"])
        .arg(&wh)
        .args(["--orgs", "RV9", "--metric", "ind8.pct"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("RV9") && text.contains("18.4%"), "{text}");
    let out = bin()
        .args(["peers", "--warehouse"])
        .arg(&wh)
        .args(["--region", "Atlantis"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("region `Atlantis` is not a region; the register has:")
    );
}
