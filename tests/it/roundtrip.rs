//! `template` -> fill the workbook -> `ingest` gives the same warehouse rows as
//! the equivalent CSV.

use wresbench::ingest::{self, Row};
use wresbench::register::Register;
use wresbench::warehouse::{layout, tables};

use crate::common::*;

#[test]
fn filled_template_ingests_to_the_same_rows_as_the_csv() {
    let reg = Register::builtin();
    let csv_path = fixture("validation/valid-workforce.csv");
    let parsed = ingest::parse_file(&csv_path, &reg, &vopts());
    let rows: Vec<Row> = parsed
        .sections
        .iter()
        .flat_map(|s| s.rows.clone())
        .collect();
    assert!(!rows.is_empty());
    let org = reg.get("RV9").unwrap();

    let dir = tempdir();
    // The blank template through the real binary...
    let blank = dir.path().join("blank.xlsx");
    bin()
        .args(["template", "--org", "RV9", "--year", "2021", "-o"])
        .arg(&blank)
        .assert()
        .success();
    let b = ingest::parse_file(&blank, &reg, &vopts());
    assert!(
        b.all_messages().any(|m| m.code == "E_EMPTY_FILE"),
        "a blank template is not a return"
    );
    // ...and filled in programmatically, as a trust would.
    let xlsx = dir.path().join("RV9-2021.xlsx");
    std::fs::write(
        &xlsx,
        ingest::template::return_workbook(org, 2021, &rows).unwrap(),
    )
    .unwrap();

    let wa = dir.path().join("wa");
    let wb = dir.path().join("wb");
    assert_eq!(ingest(&[csv_path], &wa).sections_accepted, 1);
    assert_eq!(ingest(&[xlsx], &wb).sections_accepted, 1);
    let strip = |wh: &std::path::Path| {
        let mut v: Vec<_> = tables::read_returns(&current(wh, &layout::returns_file(2021)))
            .unwrap()
            .into_iter()
            .map(|r| {
                (
                    r.org_code,
                    r.year,
                    r.indicator,
                    r.measure,
                    r.staff_group,
                    r.category,
                    r.ethnicity,
                    r.value.to_bits(),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(strip(&wa), strip(&wb));
}

#[test]
fn the_template_is_reproducible_byte_for_byte() {
    let org = Register::builtin().get("RV9").unwrap().clone();
    let a = ingest::template::return_workbook(&org, 2021, &[]).unwrap();
    let b = ingest::template::return_workbook(&org, 2021, &[]).unwrap();
    assert_eq!(a, b);
    // Equal bytes from two builds a moment apart prove nothing about the
    // clock; the stored dates must be the fixed ones.
    assert_fixed_workbook_dates(&a);
}
