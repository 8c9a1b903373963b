//! Every rule of the spec's validation list has a fixture named for what it
//! shows; `expected.csv` beside the fixtures gives the code and location.

use wresbench::ingest::{self, Message, Severity};
use wresbench::register::Register;

use crate::common::*;

fn messages_of(dir: &str, file: &str) -> Vec<Message> {
    // Locations use the name as given: run from inside the fixture folder's view.
    let path = fixture(&format!("{dir}/{file}"));
    let bytes = std::fs::read(&path).unwrap();
    let parsed = ingest::parse_bytes(&path, file, bytes, &Register::builtin(), &vopts());
    parsed.all_messages().cloned().collect()
}

fn check_expected(dir: &str) -> usize {
    let mut rdr = csv::Reader::from_path(fixture(&format!("{dir}/expected.csv"))).unwrap();
    let mut n = 0;
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let (file, severity, code, location) = (&rec[0], &rec[1], &rec[2], &rec[3]);
        if code == "E_DUPLICATE_SECTION" {
            continue; // an ingest-run rule: see duplicate_section_in_one_run_rejects_both
        }
        let msgs = messages_of(dir, file);
        let want_sev = if severity == "error" {
            Severity::Error
        } else {
            Severity::Warning
        };
        assert!(
            msgs.iter()
                .any(|m| m.code == code && m.location == location && m.severity == want_sev),
            "{file}: expected {severity} {code} at {location}, got {msgs:#?}"
        );
        if want_sev == Severity::Error {
            // One broken rule, one error: nothing else is reported as an error.
            let errors: Vec<&Message> = msgs.iter().filter(|m| m.is_error()).collect();
            assert!(
                errors.iter().all(|m| m.code == code),
                "{file}: other errors too: {errors:#?}"
            );
        } else {
            assert!(
                !msgs.iter().any(Message::is_error),
                "{file}: a warning fixture has errors: {msgs:#?}"
            );
        }
        assert!(
            msgs.iter()
                .all(|m| !m.message.is_empty() && m.message.ends_with('.')),
            "{file}: every message is a sentence"
        );
        n += 1;
    }
    n
}

#[test]
fn every_csv_rule_gives_its_code_and_location() {
    assert!(check_expected("validation") >= 28);
}

#[test]
fn every_excel_rule_gives_its_code_and_cell() {
    assert!(check_expected("xlsx") >= 7);
}

#[test]
fn valid_returns_have_no_problems() {
    assert!(messages_of("validation", "valid-workforce.csv").is_empty());
    let survey = messages_of("validation", "valid-survey.csv");
    assert!(
        survey.iter().all(|m| m.code == "W_INDICATOR_MISSING"),
        "{survey:#?}"
    );
}

#[test]
fn csv_quirks_bom_crlf_case_spaces_order_and_quotes_read_the_same() {
    let reg = Register::builtin();
    let a = ingest::parse_file(&fixture("validation/valid-workforce.csv"), &reg, &vopts());
    let b = ingest::parse_file(
        &fixture("validation/quirks-bom-crlf-reordered.csv"),
        &reg,
        &vopts(),
    );
    assert!(
        b.all_messages().next().is_none(),
        "{:#?}",
        b.all_messages().collect::<Vec<_>>()
    );
    let strip = |f: &ingest::ParsedFile| -> Vec<(ingest::RowKey, f64)> {
        let mut v: Vec<_> = f
            .sections
            .iter()
            .flat_map(|s| s.rows.iter().map(|r| (r.key(), r.value)))
            .collect();
        v.sort_by_key(|x| x.0);
        v
    };
    assert_eq!(strip(&a), strip(&b));
}

#[test]
fn excel_rows_are_found_by_label_and_blank_is_not_zero() {
    let reg = Register::builtin();
    let f = ingest::parse_file(&fixture("xlsx/inserted-row-and-blank.xlsx"), &reg, &vopts());
    assert!(!f.rejected_whole());
    let s = &f.sections[0];
    assert!(!s.has_errors(), "{:#?}", s.messages);
    let band5 = s
        .rows
        .iter()
        .find(|r| {
            r.category == Some(wresbench::model::Category::Band5)
                && r.ethnicity == wresbench::model::Ethnicity::White
        })
        .expect("band 5 found below the inserted row");
    assert_eq!(band5.value, 500.0);
    assert!(
        band5.location.ends_with("!Indicator 1!C4"),
        "{}",
        band5.location
    );
    // E7 (indicator 4 workforce, unknown) was emptied: not supplied, so no row at all.
    assert!(
        !s.rows
            .iter()
            .any(|r| r.location.ends_with("!Indicators 2-4!E7"))
    );
}

#[test]
fn duplicate_section_in_one_run_rejects_both() {
    let dir = tempdir();
    let s = ingest(
        &[
            fixture("validation/duplicate-section-a.csv"),
            fixture("validation/duplicate-section-b.csv"),
        ],
        &dir.path().join("wh"),
    );
    assert_eq!(s.sections_accepted, 0);
    assert_eq!(s.sections_rejected, 2);
    assert!(
        s.rejections
            .iter()
            .all(|r| r.contains("E_DUPLICATE_SECTION")),
        "{:#?}",
        s.rejections
    );
}

#[test]
fn the_same_file_twice_in_one_run_is_one_submission() {
    let dir = tempdir();
    let a = dir.path().join("a.csv");
    let b = dir.path().join("copy-of-a.csv");
    std::fs::copy(fixture("validation/valid-workforce.csv"), &a).unwrap();
    std::fs::copy(fixture("validation/valid-workforce.csv"), &b).unwrap();
    let s = ingest(&[a, b], &dir.path().join("wh"));
    assert_eq!(
        (
            s.sections_accepted,
            s.sections_rejected,
            s.sections_unchanged
        ),
        (1, 0, 1)
    );
}
