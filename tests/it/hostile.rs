//! Hostile and malformed files: none may panic; each is rejected with a
//! message naming the file and what to do.

use std::path::PathBuf;

use wresbench::ingest;
use wresbench::register::Register;

use crate::common::*;

fn hostile_files(dir: &std::path::Path) -> Vec<(PathBuf, &'static str)> {
    let mut files = Vec::new();
    let mut put = |name: &str, bytes: Vec<u8>, code: &'static str| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        files.push((p, code));
    };
    put("empty.csv", Vec::new(), "E_EMPTY_FILE");
    put(
        "binary.csv",
        (0..=255u8).cycle().take(4096).collect(),
        "E_NOT_CSV",
    );
    let mut long =
        b"org_code,year,indicator,measure,staff_group,category,ethnicity,value\n".to_vec();
    long.extend(std::iter::repeat_n(b'x', 10 * 1024 * 1024));
    put("ten-mb-single-line.csv", long, "E_MALFORMED_CSV");
    put("latin1.csv", b"org_code,year,indicator,measure,staff_group,category,ethnicity,value\nRV9,2021,2,shortlisted,,,white,85\xe9\n".to_vec(), "E_NOT_UTF8");
    let header: Vec<String> = (0..10_000).map(|i| format!("c{i}")).collect();
    put(
        "ten-thousand-columns.csv",
        format!("{}\n{}\n", header.join(","), vec!["1"; 10_000].join(",")).into_bytes(),
        "E_UNKNOWN_COLUMN",
    );
    put(
        "not-csv-at-all.csv",
        b"<html><body>Portal session expired</body></html>\n".to_vec(),
        "E_UNKNOWN_COLUMN",
    );
    put(
        "no-extension",
        b"PK\x03\x04garbage".to_vec(),
        "E_NOT_WORKBOOK",
    );
    for (name, code) in [
        ("truncated.xlsx", "E_NOT_WORKBOOK"),
        ("zip-not-workbook.xlsx", "E_NOT_WORKBOOK"),
        ("error-cell-div0.xlsx", "E_EXCEL_ERROR_CELL"),
        ("zip-bomb-unpacks-to-60mb.xlsx", "E_TOO_LARGE"),
    ] {
        put(
            name,
            std::fs::read(fixture(&format!("xlsx/{name}"))).unwrap(),
            code,
        );
    }
    put("too-many-cells.xlsx", too_many_cells(), "E_TOO_LARGE");
    files
}

/// A workbook whose "Indicator 1" sheet holds more cells than any return:
/// 30,000 numbers (the cap is 20,000).
fn too_many_cells() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for name in ["About", "Indicators 2-4", "Indicator 9"] {
        wb.add_worksheet().set_name(name).unwrap();
    }
    let ws = wb.add_worksheet().set_name("Indicator 1").unwrap();
    for r in 0..3_000u32 {
        for c in 0..10u16 {
            ws.write_number(r, c, 1.0).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

#[test]
fn hostile_files_are_rejected_with_a_named_reason_never_a_panic() {
    let dir = tempdir();
    for (path, code) in hostile_files(dir.path()) {
        let f = ingest::parse_file(&path, &Register::builtin(), &vopts());
        let msgs: Vec<_> = f.all_messages().collect();
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(
            msgs.iter()
                .any(|m| m.is_error() && m.code == code && m.location.contains(name)),
            "{name}: want {code} naming the file, got {msgs:#?}"
        );
        // Messages stay short even for a 10 MB field.
        assert!(
            msgs.iter().all(|m| m.message.len() < 600),
            "{name}: message too long"
        );
    }
}

#[test]
fn hostile_files_through_the_binary_exit_1_and_leave_a_rejects_report() {
    let dir = tempdir();
    let files = hostile_files(dir.path());
    let wh = dir.path().join("wh");
    let mut cmd = bin();
    cmd.arg("ingest")
        .args(files.iter().map(|(p, _)| p))
        .arg("--warehouse")
        .arg(&wh);
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    let report = std::fs::read_to_string(wh.join("rejects.csv")).unwrap();
    for (p, code) in &files {
        let name = p.file_name().unwrap().to_str().unwrap();
        assert!(
            report.lines().any(|l| l.contains(name) && l.contains(code)),
            "{name} {code} missing from rejects.csv"
        );
    }
    // Nothing lost: every input is kept byte for byte.
    let raw: Vec<_> = std::fs::read_dir(wh.join("raw")).unwrap().collect();
    assert_eq!(raw.len(), files.len());
}
