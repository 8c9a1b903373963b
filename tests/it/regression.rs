//! One test per bug fixed, named for what broke (ripgrep's
//! `tests/regression.rs`). Issue numbers refer to the project's tracker.

use wresbench::ingest;
use wresbench::register::Register;

use crate::common::*;

/// Issue 9, item 2: after `ingest` (or `restore`) with no `benchmark`,
/// `export` and `peers` wrote the old figures while provenance named the new
/// file. Results now record the ledger state they were built from, and
/// readers refuse results older than the ledger.
#[test]
fn stale_results_after_an_ingest_are_refused_until_benchmark_runs() {
    let dir = tempdir();
    let wh = dir.path().join("wh");
    let out = dir.path().join("packs");
    let first = bin()
        .args(["ingest", "--no-progress", "--warehouse"])
        .arg(&wh)
        .arg(fixture("humber-2021/RV9-2021-workforce.csv"))
        .assert()
        .success();
    let said = String::from_utf8_lossy(&first.get_output().stdout).to_string()
        + &String::from_utf8_lossy(&first.get_output().stderr);
    assert!(
        said.contains("Next: wresbench benchmark --warehouse"),
        "{said}"
    );
    bin()
        .args(["benchmark", "--no-progress", "--warehouse"])
        .arg(&wh)
        .assert()
        .success();
    // A new section arrives; the results no longer describe the ledger.
    bin()
        .args(["ingest", "--no-progress", "--warehouse"])
        .arg(&wh)
        .arg(fixture("humber-2021/RV9-survey.csv"))
        .assert()
        .success();
    let stderr = export_refused(&wh, &out);
    assert!(
        stderr.contains("were built before the latest ingest or restore")
            && stderr.contains("wresbench benchmark --warehouse"),
        "{stderr}"
    );
    assert!(
        !out.join("2021").exists(),
        "no pack written from stale results"
    );
    bin()
        .args(["peers", "--warehouse"])
        .arg(&wh)
        .args(["--orgs", "RV9"])
        .assert()
        .code(2);
    // Benchmark again: export works and the pack has the survey figures.
    bin()
        .args(["benchmark", "--no-progress", "--warehouse"])
        .arg(&wh)
        .assert()
        .success();
    export_ok(&wh, &out, &[]);
    let pack = read_json(&out.join("2021/trusts/RV9/RV9-2021.json"));
    assert!(
        pack["figures"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["metric"] == "ind8.pct"),
        "the survey section is in the rebuilt results"
    );
}

/// Issue 9, item 6: `template` overwrote an existing, filled-in workbook.
#[test]
fn template_refuses_to_overwrite_a_workbook_without_force() {
    let dir = tempdir();
    let wb = dir.path().join("RV9-2021-wres-return.xlsx");
    std::fs::write(&wb, b"a trust's filled-in return").unwrap();
    let refused = bin()
        .current_dir(dir.path())
        .args(["template", "--org", "RV9", "--year", "2021"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).to_string();
    assert!(
        stderr.contains("already exists") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&wb).unwrap(), b"a trust's filled-in return");
    bin()
        .current_dir(dir.path())
        .args(["template", "--org", "RV9", "--year", "2021", "--force"])
        .assert()
        .success();
    assert!(
        std::fs::read(&wb).unwrap().starts_with(b"PK"),
        "replaced by a workbook"
    );
}

/// Issue 9, item 10: `peers --year 2030` printed a table of dashes and exited
/// 0; `--orgs RV9,XXX` dropped XXX silently; `--group Acute` matched two
/// groups by prefix. Each is now an error that lists what exists.
#[test]
fn peers_refuses_unknown_years_codes_and_ambiguous_groups() {
    let dir = tempdir();
    let wh = dir.path().join("wh");
    ingest_and_benchmark(&[fixture("humber-2021")], &wh);
    let fails = |args: &[&str], want: &[&str]| {
        let a = bin()
            .arg("peers")
            .arg("--warehouse")
            .arg(&wh)
            .args(args)
            .assert()
            .code(2);
        let stderr = String::from_utf8_lossy(&a.get_output().stderr).to_string();
        for w in want {
            assert!(stderr.contains(w), "{args:?}: want {w:?} in {stderr}");
        }
    };
    fails(
        &["--year", "2030", "--orgs", "RV9"],
        &[
            "year 2030 is not in the warehouse",
            "2018, 2019, 2020, 2021",
        ],
    );
    fails(&["--orgs", "RV9,XXX"], &["`XXX` is not in the register"]);
    fails(
        &["--group", "Acute"],
        &[
            "fits more than one group",
            "Acute Specialist Trusts",
            "Acute and Acute & Community Trusts",
        ],
    );
    fails(&["--region", "Atlantis"], &["is not a region", "London"]);
    // A prefix that fits one group is fine.
    bin()
        .arg("peers")
        .arg("--warehouse")
        .arg(&wh)
        .args(["--group", "Mental"])
        .assert()
        .success();
}

/// Issue 9, item 9: `wresbench ingest D` on a folder that `generate` wrote
/// rejected `D/register.csv` as a return (exit 1 on clean data). A register
/// is recognised by its header and skipped with a note.
#[test]
fn a_register_among_the_inputs_is_skipped_with_a_note() {
    let dir = tempdir();
    let d = dir.path().join("synth");
    bin()
        .args([
            "generate",
            "--no-progress",
            "--years",
            "2025-2025",
            "--scale",
            "1",
            "--out",
        ])
        .arg(&d)
        .assert()
        .success();
    assert!(d.join("register.csv").is_file());
    let a = bin()
        .args(["ingest", "--no-progress", "--warehouse"])
        .arg(dir.path().join("wh"))
        .arg("--register")
        .arg(d.join("register.csv"))
        .arg(&d)
        .assert()
        .code(0);
    let said = String::from_utf8_lossy(&a.get_output().stdout).to_string()
        + &String::from_utf8_lossy(&a.get_output().stderr);
    assert!(
        said.contains("note: skipped")
            && said.contains("register.csv: it is an organisation register"),
        "{said}"
    );
    assert!(said.contains("0 rejected"), "{said}");
    // validate says the same, and still checks the returns.
    let v = bin()
        .arg("validate")
        .arg("-q")
        .arg(d.join("register.csv"))
        .assert();
    let out = String::from_utf8_lossy(&v.get_output().stdout).to_string()
        + &String::from_utf8_lossy(&v.get_output().stderr);
    assert!(!out.contains("E_UNKNOWN_COLUMN"), "{out}");
}

/// Issue 9, item 8: `demo --out .` deleted `./data` (the shipped register).
/// The demo only replaces folders it made; another non-empty folder is refused.
#[test]
fn demo_never_deletes_a_folder_it_did_not_make() {
    let dir = tempdir();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("organisations.csv"), b"someone's register").unwrap();
    let a = bin()
        .args(["demo", "--no-progress", "--out"])
        .arg(dir.path())
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(
        stderr.contains("is not empty and is not a folder"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(data.join("organisations.csv")).unwrap(),
        b"someone's register"
    );
}

/// Issue 9, item 7: `export --org RV9` into an existing packs folder rewrote
/// `index.html` to list one trust; the other packs were no longer linked.
#[test]
fn export_of_one_trust_keeps_every_pack_in_the_index() {
    let dir = tempdir();
    let wh = dir.path().join("wh");
    let body = "org_code,year,indicator,measure,staff_group,category,ethnicity,value\n\
        RV9,2021,2,shortlisted,,,white,100\nRV9,2021,2,appointed,,,white,20\n\
        RV9,2021,2,shortlisted,,,bme,100\nRV9,2021,2,appointed,,,bme,10\n\
        R1A,2021,2,shortlisted,,,white,100\nR1A,2021,2,appointed,,,white,20\n\
        R1A,2021,2,shortlisted,,,bme,100\nR1A,2021,2,appointed,,,bme,15\n";
    let f = dir.path().join("two.csv");
    std::fs::write(&f, body).unwrap();
    ingest_and_benchmark(&[f], &wh);
    let out = dir.path().join("packs");
    let export = |orgs: &[&str]| {
        let mut c = bin();
        c.args(["export", "--no-progress", "--warehouse"])
            .arg(&wh)
            .arg("--out")
            .arg(&out);
        for o in orgs {
            c.args(["--org", o]);
        }
        c.assert().success();
        std::fs::read_to_string(out.join("2021/index.html")).unwrap()
    };
    let all = export(&[]);
    assert!(all.contains("RV9-2021.html") && all.contains("R1A-2021.html"));
    // Only RV9's pack is rewritten: mark R1A's to see it is left alone.
    let r1a = out.join("2021/trusts/R1A/R1A-2021.json");
    std::fs::write(&r1a, b"left alone").unwrap();
    let one = export(&["RV9"]);
    assert_eq!(std::fs::read(&r1a).unwrap(), b"left alone");
    assert!(
        one.contains("RV9-2021.html") && one.contains("R1A-2021.html"),
        "the index still lists R1A's pack: {one}"
    );
}

/// Issue 9, item 3 (packs): a trust whose workforce return was rejected got a
/// pack saying "No workforce figures were returned" and "No warnings were
/// raised". The pack now says which return was rejected, when and why.
#[test]
fn a_rejected_return_is_named_in_the_pack_with_its_errors() {
    let dir = tempdir();
    let wh = dir.path().join("wh");
    let s = ingest_and_benchmark(
        &[
            fixture("validation/valid-survey.csv"),
            fixture("validation/appointed-gt-shortlisted.csv"),
            // An unreadable file: counted in the national summary.
            fixture("validation/latin1-not-utf8.csv"),
        ],
        &wh,
    );
    assert_eq!(s.sections_rejected, 1);
    assert_eq!(s.files_rejected, 1);
    let out = dir.path().join("packs");
    export_ok(&wh, &out, &[]);
    let p = out.join("2021/trusts/RV9");
    let pack = read_json(&p.join("RV9-2021.json"));
    let wf = pack["returns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["section"] == "workforce")
        .unwrap();
    assert_eq!(wf["status"], "rejected");
    assert_eq!(wf["file"], "appointed-gt-shortlisted.csv");
    assert!(wf["received"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(wf["errors"][0]["code"], "E_APPOINTED_GT_SHORTLISTED");
    // File names only, never the sender's folders.
    let survey = pack["returns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["section"] == "survey")
        .unwrap();
    assert_eq!(survey["status"], "accepted");
    assert_eq!(survey["file"], "valid-survey.csv");
    let html = std::fs::read_to_string(p.join("RV9-2021.html")).unwrap();
    assert!(html.contains("The workforce return (appointed-gt-shortlisted.csv) was rejected"));
    assert!(html.contains("E_APPOINTED_GT_SHORTLISTED"));
    assert!(!html.contains("No workforce figures were returned"));

    // The index marks every register trust's status per section: RV9's
    // workforce rejected, its survey accepted; a trust that sent nothing, missing.
    let index = std::fs::read_to_string(out.join("2021/index.html")).unwrap();
    let rv9 = index
        .lines()
        .find(|l| l.contains("<td>RV9</td>"))
        .expect("RV9 in the index");
    assert!(
        rv9.contains(r#"<td class="rejected">rejected</td><td class="accepted">accepted</td>"#),
        "{rv9}"
    );
    let other = index
        .lines()
        .find(|l| l.contains("<td>RAT</td>"))
        .expect("every register trust is listed");
    assert!(
        other.contains("no pack") && other.contains(r#"<td class="missing">missing</td>"#),
        "{other}"
    );

    // The national summary lists trusts with a rejected or missing return per
    // section and counts the unreadable file.
    let national =
        std::fs::read_to_string(out.join("2021/national/wres-national-2021.html")).unwrap();
    assert!(
        national.contains("1 file could not be read as a return"),
        "unreadable file not counted"
    );
    // England's row of the returns table: trusts, then accepted, rejected
    // and missing per section (workforce first).
    let england: Vec<&str> = national
        .lines()
        .find(|l| l.contains(r#"<th scope="row">England</th>"#))
        .expect("an England row in the returns table")
        .split("<td>")
        .skip(1)
        .map(|c| c.split('<').next().unwrap_or(""))
        .collect();
    assert_eq!(
        england[2], "1",
        "rejected workforce not counted: {england:?}"
    );
    let listed = national
        .lines()
        .find(|l| l.contains(">RV9<"))
        .expect("RV9 listed in the national summary");
    assert!(listed.contains("rejected"), "{listed}");
}

/// Issue 9, item 5: medians disagreed between outputs (London's indicator 3
/// median was 1.05 in its region pack and 0.95 in the national summary) and
/// "median of these trusts" left out starred trusts. A peer set's median is
/// now the result tables' median over every trust with a value.
#[test]
fn a_peer_set_median_is_the_result_tables_median_whatever_is_starred() {
    // One generated national year, ingested and benchmarked (shared).
    let wh = &full_export().wh;
    let peers = bin()
        .args([
            "peers",
            "--format",
            "json",
            "--region",
            "London",
            "--warehouse",
        ])
        .arg(wh)
        .assert()
        .success();
    let t: serde_json::Value = serde_json::from_slice(&peers.get_output().stdout).unwrap();
    let starred = t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["values"].as_array().unwrap().iter())
        .filter(|v| v == &&serde_json::json!("*"))
        .count();
    assert!(
        starred > 0,
        "the region has starred cells, so the test can fail"
    );
    for (i, c) in t["columns"].as_array().unwrap().iter().enumerate() {
        let sql = format!(
            "SELECT median FROM region_metrics WHERE level = 'region' AND area = 'London' AND year = 2025 \
             AND metric = '{}' AND staff_group = '{}' AND category = '{}' AND ethnicity = '{}'",
            c["metric"].as_str().unwrap(),
            c["staff_group"].as_str().unwrap(),
            c["category"].as_str().unwrap(),
            c["ethnicity"].as_str().unwrap()
        );
        let q = bin()
            .args(["sql", "--format", "csv", "--warehouse"])
            .arg(wh)
            .arg(&sql)
            .assert()
            .success();
        let text = String::from_utf8_lossy(&q.get_output().stdout).to_string();
        let want: Option<f64> = text.lines().nth(1).and_then(|l| l.trim().parse().ok());
        let got = t["set_median"][i].as_f64();
        match (got, want) {
            (Some(g), Some(w)) => assert!((g - w).abs() < 1e-9, "{c}: {g} vs {w}"),
            (None, None) => {}
            other => panic!("{c}: {other:?}"),
        }
    }
}

/// Issue 9, item 1 (CSV part): survey percentages typed as fractions (0.24
/// for 24%) passed `validate`, and the pack then said "0.2% of BME staff".
#[test]
fn percentages_typed_as_fractions_are_caught() {
    let all = bin()
        .arg("validate")
        .arg(fixture("validation/percent-as-fraction.csv"))
        .assert()
        .code(1);
    let out = String::from_utf8_lossy(&all.get_output().stdout).to_string();
    assert!(
        out.contains("E_PERCENT_AS_FRACTION") && out.contains("24% is 24, not 0.24"),
        "{out}"
    );
    let one = bin()
        .arg("validate")
        .arg(fixture("validation/warn-percent-fraction.csv"))
        .assert()
        .code(0);
    let out = String::from_utf8_lossy(&one.get_output().stdout).to_string();
    assert!(
        out.contains("W_PERCENT_LOOKS_LIKE_FRACTION")
            && out.contains("warn-percent-fraction.csv:3"),
        "{out}"
    );
}

/// Issue 9, item 4 (indicator 9): board figures were almost all `*` in region
/// packs; board members are public office holders, so indicator 9 is exempt
/// from disclosure control, while other small counts stay starred.
#[test]
fn board_figures_are_exempt_from_disclosure_control() {
    let dir = tempdir();
    let wh = dir.path().join("wh");
    // RAT: 3 BME of 12 voting members (a count under 8), and 5 BME appointed.
    let body = "org_code,year,indicator,measure,staff_group,category,ethnicity,value\n\
        RAT,2021,9,members,,voting,white,9\nRAT,2021,9,members,,voting,bme,3\nRAT,2021,9,members,,voting,unknown,0\n\
        RAT,2021,3,workforce,,,white,900\nRAT,2021,3,workforce,,,bme,100\nRAT,2021,3,workforce,,,unknown,0\n\
        RAT,2021,3,entered_disciplinary,,,white,9\nRAT,2021,3,entered_disciplinary,,,bme,5\nRAT,2021,3,entered_disciplinary,,,unknown,0\n";
    let f = dir.path().join("rat.csv");
    std::fs::write(&f, body).unwrap();
    ingest_and_benchmark(&[f], &wh);
    let a = bin()
        .args(["peers", "--format", "json", "--orgs", "RAT", "--warehouse"])
        .arg(&wh)
        .assert()
        .success();
    let t: serde_json::Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    let col = |m: &str| {
        t["columns"]
            .as_array()
            .unwrap()
            .iter()
            .position(|c| c["metric"] == m)
            .unwrap()
    };
    let row = &t["rows"][0]["values"];
    // Board: 25% of the board against 10% of the workforce, +15 points, shown.
    assert!(
        (row[col("ind9.diff_pp")].as_f64().unwrap() - 15.0).abs() < 1e-9,
        "{row}"
    );
    // Indicator 3 rests on 5 BME staff: still starred.
    assert_eq!(row[col("ind3.relative_likelihood")], "*");
}

/// Found by the property test while adding the fraction rule: a survey
/// section with a single percentage of 1 or less was rejected as "every
/// percentage is a fraction", and with no other percentage to compare, the
/// warning's median indexed an empty list and panicked.
#[test]
fn a_lone_small_survey_percentage_is_accepted_without_a_panic() {
    let dir = tempdir();
    let f = dir.path().join("lone.csv");
    std::fs::write(
        &f,
        "org_code,year,indicator,measure,staff_group,category,ethnicity,value\n\
         RV9,2021,8,percent,,,bme,0.3\nRV9,2021,8,responses,,,bme,400\n",
    )
    .unwrap();
    let a = bin().arg("validate").arg(&f).assert().code(0);
    let out = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    assert!(!out.contains("FRACTION"), "{out}");
}

/// Issue 9, item 1 (Excel part): `24%` typed in Excel is stored as 0.24 with a
/// percent format; it is read as 24 with a warning naming the cell, so the
/// pack never says "0.2% of BME staff".
#[test]
fn excel_percent_formatted_cells_are_read_as_percentages() {
    let path = fixture("xlsx/percent-formatted-cells.xlsx");
    let f = ingest::parse_file(&path, &Register::builtin(), &vopts());
    assert!(
        !f.all_messages().any(|m| m.is_error()),
        "{:#?}",
        f.file_messages
    );
    let survey: Vec<_> = f
        .sections
        .iter()
        .flat_map(|s| s.rows.iter())
        .filter(|r| r.measure == wresbench::model::Measure::Percent)
        .map(|r| (r.indicator.number(), r.ethnicity, r.value))
        .collect();
    assert_eq!(survey.len(), 8, "{survey:?}");
    let bme5 = survey
        .iter()
        .find(|(n, e, _)| *n == 5 && *e == wresbench::model::Ethnicity::Bme)
        .unwrap();
    assert_eq!(bme5.2, 30.0, "0.30 formatted as 30% is 30, exactly");
    let warned: Vec<_> = f
        .all_messages()
        .filter(|m| m.code == "W_PERCENT_FORMATTED")
        .map(|m| m.location.clone())
        .collect();
    assert_eq!(warned.len(), 8, "{warned:?}");
    assert!(warned[0].ends_with("Indicators 5-8!B2"), "{warned:?}");
}

/// Issue 10, item 1: one cell at XFD1048576 made every command ask for 512 GB
/// and abort, taking the good files of the run with it. Sheets are read cell
/// by cell now: the stray cell costs nothing and the return is accepted.
#[test]
fn a_stray_cell_at_xfd1048576_costs_nothing() {
    let path = fixture("xlsx/stray-cell-at-xfd1048576.xlsx");
    let f = ingest::parse_file(&path, &Register::builtin(), &vopts());
    assert!(
        !f.all_messages().any(|m| m.is_error()),
        "{:#?}",
        f.file_messages
    );
    assert!(f.sections.iter().any(|s| !s.rows.is_empty()));
}

/// Issue 9, item 11: one mistake, one message, in the workbook's words. A year
/// typed `2021/22` on every line gave 37 copies; `n/a` in a count did not say
/// what to do; one bad cell gave follow-on warnings (totals that differ, an
/// indicator "lacking" the very cell that was wrong).
#[test]
fn one_mistake_gives_one_message_that_says_what_to_do() {
    let dir = tempdir();
    let valid = std::fs::read_to_string(fixture("validation/valid-workforce.csv")).unwrap();
    let year = dir.path().join("year-typed-2021-22.csv");
    std::fs::write(&year, valid.replace("RV9,2021,", "RV9,2021/22,")).unwrap();
    let f = ingest::parse_file(&year, &Register::builtin(), &vopts());
    let msgs: Vec<_> = f.all_messages().collect();
    assert_eq!(msgs.len(), 1, "{msgs:#?}");
    assert_eq!(msgs[0].code, "E_BAD_YEAR");
    assert!(msgs[0].location.ends_with(":2"), "{msgs:#?}");
    assert!(
        msgs[0]
            .message
            .contains("The same at 38 more places: line 3, line 4, line 5 and 35 more."),
        "{}",
        msgs[0].message
    );

    // `n/a` in a count: what to type instead, and no follow-on warnings.
    let na = dir.path().join("na-in-a-count.csv");
    let mut lines: Vec<String> = valid.lines().map(String::from).collect();
    let i = lines
        .iter()
        .position(|l| l.starts_with("RV9,2021,2,appointed,,,bme,"))
        .unwrap();
    lines[i] = "RV9,2021,2,appointed,,,bme,n/a".into();
    std::fs::write(&na, lines.join("\n") + "\n").unwrap();
    let f = ingest::parse_file(&na, &Register::builtin(), &vopts());
    let msgs: Vec<_> = f.all_messages().collect();
    assert_eq!(msgs.len(), 1, "one error, no follow-on warnings: {msgs:#?}");
    assert_eq!(msgs[0].code, "E_NOT_A_NUMBER");
    assert!(
        msgs[0].message.contains("leave the cell empty"),
        "{}",
        msgs[0].message
    );

    // Excel: a formula nobody calculated is named, not read as blank; a label
    // in merged cells is named as merged (fixtures beside the others).
    for (file, code, cell) in [
        (
            "formula-without-saved-value.xlsx",
            "E_FORMULA_NO_VALUE",
            "Indicators 2-4!C3",
        ),
        (
            "merged-label-cells.xlsx",
            "W_MERGED_LABEL",
            "Indicator 1!A4",
        ),
    ] {
        let f = ingest::parse_file(
            &fixture(&format!("xlsx/{file}")),
            &Register::builtin(),
            &vopts(),
        );
        let m = f
            .all_messages()
            .find(|m| m.code == code)
            .unwrap_or_else(|| panic!("{file}: no {code}"));
        assert!(m.location.ends_with(cell), "{file}: {}", m.location);
    }
    // The merged label was read as what Excel shows ("clinical"), so the row counts.
    let f = ingest::parse_file(
        &fixture("xlsx/merged-label-cells.xlsx"),
        &Register::builtin(),
        &vopts(),
    );
    assert!(!f.all_messages().any(|m| m.is_error()), "{:#?}", f.sections);
}

/// Issue 9, item 11: a file with thousands of the same problem stays readable
/// and bounded: twenty messages of a code, then one that counts the rest.
#[test]
fn messages_per_file_are_capped_with_a_count_of_the_rest() {
    let dir = tempdir();
    let mut body =
        String::from("org_code,year,indicator,measure,staff_group,category,ethnicity,value\n");
    for i in 0..5_000 {
        body.push_str(&format!("RV9,2021,2,shortlisted,,,white,x{i}\n"));
    }
    let p = dir.path().join("five-thousand-bad-values.csv");
    std::fs::write(&p, body).unwrap();
    let f = ingest::parse_file(&p, &Register::builtin(), &vopts());
    let msgs: Vec<_> = f
        .all_messages()
        .filter(|m| m.code == "E_NOT_A_NUMBER")
        .collect();
    assert_eq!(
        msgs.len(),
        ingest::MAX_MESSAGES_PER_CODE + 1,
        "{:#?}",
        &msgs[..3]
    );
    assert!(
        msgs.last()
            .unwrap()
            .message
            .starts_with("And 4,980 more problems"),
        "{}",
        msgs.last().unwrap().message
    );
}

/// Issue 9, item 12: `ingest` printed nothing about warnings and put its
/// status on stdout; `validate -q` printed files that were fine.
#[test]
fn ingest_says_its_warnings_on_stderr_and_validate_q_only_problems() {
    let dir = tempdir();
    let wh = dir.path().join("wh");
    let out = bin()
        .arg("ingest")
        .arg(fixture("validation/warn-declaration-rate.csv"))
        .arg("--warehouse")
        .arg(&wh)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stdout.is_empty(),
        "status is not data: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning: ") && err.contains("W_DECLARATION_RATE"),
        "{err}"
    );

    let out = bin()
        .arg("-q")
        .arg("validate")
        .arg(fixture("validation/valid-workforce.csv"))
        .arg(fixture("validation/negative-count.csv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("valid-workforce"), "{text}");
    assert!(!text.contains("Checked"), "{text}");
    assert!(text.contains("E_COUNT_NEGATIVE"), "{text}");
}

/// Issue 9, item 14: packs made from generated data looked real (real trust
/// names, made-up figures) unless made by `demo`. `generate` marks its folder,
/// `ingest` marks the warehouse, and every page and sheet made from it says so.
#[test]
fn packs_from_generated_data_say_synthetic_on_every_page_and_sheet() {
    use calamine::Reader;
    let full = full_export();
    assert!(
        wresbench::warehouse::is_synthetic(&full.wh).unwrap(),
        "warehouse not marked"
    );
    let year = full.out.join("2025");
    let pack = read_json(&year.join("trusts/RV9/RV9-2025.json"));
    assert_eq!(pack["synthetic"], true);
    let mut pages = vec![
        year.join("index.html"),
        year.join("trusts/RV9/RV9-2025.html"),
        year.join("national/wres-national-2025.html"),
    ];
    let regions: Vec<_> = std::fs::read_dir(year.join("regions"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    pages.extend(
        regions
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "html"))
            .cloned(),
    );
    for p in &pages {
        let html = std::fs::read_to_string(p).unwrap();
        assert!(
            html.to_lowercase().contains("synthetic data"),
            "{} does not say synthetic data",
            p.display()
        );
    }
    let mut books = vec![
        year.join("trusts/RV9/RV9-2025.xlsx"),
        year.join("national/wres-national-2025.xlsx"),
    ];
    books.extend(
        regions
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
            .cloned(),
    );
    for b in &books {
        let mut wb = calamine::open_workbook_auto(b).unwrap();
        for name in wb.sheet_names() {
            let range = wb.worksheet_range(&name).unwrap();
            let says = range
                .used_cells()
                .any(|(_, _, c)| c.to_string().to_lowercase().contains("synthetic data"));
            assert!(
                says,
                "{} sheet {name} does not say synthetic data",
                b.display()
            );
            // The note sits right of the table and overwrites nothing.
            let first_row: Vec<String> = (0..30)
                .map(|c| {
                    range
                        .get_value((0, c))
                        .map(|v| v.to_string())
                        .unwrap_or_default()
                })
                .collect();
            let note = first_row
                .iter()
                .position(|c| c.starts_with("SYNTHETIC DATA"));
            if let Some(n) = note.filter(|n| *n > 0) {
                assert!(
                    first_row[n - 1].is_empty(),
                    "{name}: note beside {first_row:?}"
                );
            }
        }
    }
    let mut wb = calamine::open_workbook_auto(&books[0]).unwrap();
    let figures = wb.worksheet_range("Figures").unwrap();
    let header: Vec<String> = (0..21)
        .map(|c| {
            figures
                .get_value((0, c))
                .map(|v| v.to_string())
                .unwrap_or_default()
        })
        .collect();
    assert!(header.iter().all(|h| !h.is_empty()), "{header:?}");
}

/// Issue 10, item 3: a FIFO given as input blocked forever, two symlinks to
/// `.` walked forever, `/dev/zero` was read to 4.2 GB. Only regular files are
/// read, a folder is walked once however many links lead to it, and reads
/// are bounded.
#[cfg(unix)]
#[test]
fn pipes_devices_symlink_loops_and_huge_files_cannot_hang_a_run() {
    let dir = tempdir();
    let inbox = dir.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    std::fs::copy(
        fixture("validation/valid-workforce.csv"),
        inbox.join("RV9.csv"),
    )
    .unwrap();
    std::os::unix::fs::symlink(".", inbox.join("loop-a")).unwrap();
    std::os::unix::fs::symlink(".", inbox.join("loop-b")).unwrap();
    let fifo = inbox.join("pipe.csv");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let huge = dir.path().join("huge.csv");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(ingest::MAX_FILE_BYTES + 1)
        .unwrap(); // sparse: costs no disk
    let wh = dir.path().join("wh");
    let started = std::time::Instant::now();
    let out = bin()
        .args(["ingest", "--no-progress", "--warehouse"])
        .arg(&wh)
        .arg(&inbox)
        .arg(&huge)
        .arg("/dev/zero")
        .arg(&fifo)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(started.elapsed().as_secs() < 60);
    // The good return is in, once, and each bad input is named with its reason.
    assert!(err.contains("1 section accepted"), "{err}");
    let report = std::fs::read_to_string(wh.join("rejects.csv")).unwrap();
    for (name, code) in [
        ("huge.csv", "E_TOO_LARGE"),
        ("/dev/zero", "E_NOT_A_FILE"),
        ("pipe.csv", "E_NOT_A_FILE"),
    ] {
        assert!(
            report.lines().any(|l| l.contains(name) && l.contains(code)),
            "{name}: no {code} in {report}"
        );
    }
}

/// Issue 10, item 4: whole-file rejections were keyed by content, so every
/// empty file shared one id: only the first was recorded, and a bad file
/// sent again exited 0 with no message. Every file seen gets its own ledger
/// row, and a rejected return sent again is rejected again.
#[test]
fn every_bad_file_is_recorded_and_a_resent_rejection_is_rejected_again() {
    let dir = tempdir();
    let wh = dir.path().join("wh");
    let a = dir.path().join("empty-a.csv");
    let b = dir.path().join("empty-b.csv");
    std::fs::write(&a, "").unwrap();
    std::fs::write(&b, "").unwrap();
    let bad = fixture("validation/negative-count.csv");
    let run = |files: &[&std::path::Path]| {
        bin()
            .args(["ingest", "--no-progress", "--warehouse"])
            .arg(&wh)
            .args(files)
            .output()
            .unwrap()
    };
    let first = run(&[&a, &b, &bad]);
    assert_eq!(first.status.code(), Some(1));
    let ledger = |wh: &std::path::Path| {
        let out = bin()
            .args(["sql", "--format", "csv", "--warehouse"])
            .arg(wh)
            .arg("SELECT file, outcome FROM submissions ORDER BY received_at, file")
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let l1 = ledger(&wh);
    assert!(
        l1.contains("empty-a.csv,rejected") && l1.contains("empty-b.csv,rejected"),
        "{l1}"
    );
    // The same files again: each is rejected again, recorded again, exit 1.
    let second = run(&[&a, &b, &bad]);
    let err = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(1), "{err}");
    assert!(
        err.contains("rejected: ") && err.contains("E_COUNT_NEGATIVE"),
        "{err}"
    );
    let l2 = ledger(&wh);
    assert_eq!(l2.lines().count() - 1, 2 * (l1.lines().count() - 1), "{l2}");
}

/// Issue 10, item 10: `wresbench sql` wrote: `INSERT INTO returns` added a
/// phantom row with no ledger entry and `COPY ... TO` wrote anywhere. It is
/// read-only now: the statement is refused (exit 2) and nothing changes.
#[test]
fn sql_is_read_only() {
    let dir = tempdir();
    let wh = dir.path().join("wh");
    ingest(&[fixture("validation/valid-workforce.csv")], &wh);
    let before = snapshot(&wh);
    let target = dir.path().join("copied.csv");
    for q in [
        "INSERT INTO returns SELECT * FROM returns LIMIT 1".to_string(),
        format!("COPY (SELECT * FROM returns) TO '{}'", target.display()),
        "CREATE TABLE x AS SELECT 1".to_string(),
        "SET datafusion.execution.batch_size = 1".to_string(),
    ] {
        let out = bin()
            .args(["sql", "--warehouse"])
            .arg(&wh)
            .arg(&q)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{q}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("not supported"),
            "{q}"
        );
    }
    assert!(!target.exists());
    assert_eq!(snapshot(&wh), before);
}

/// Issue 10, item 11: `--min-count 0`, `-5` or `NaN` silently switched
/// disclosure control off. Values below 2, fractions and NaN are refused.
#[test]
fn min_count_below_two_is_refused() {
    for v in ["0", "-5", "NaN", "1", "2.5"] {
        let out = bin()
            .args(["peers", "--warehouse", "nowhere", "--region", "London"])
            .arg(format!("--min-count={v}"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{v}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("give a whole number of 2 or more"),
            "{v}"
        );
    }
}

/// Issue 9, item 13: a relative likelihood of 0.7996 printed "0.80" beside
/// the flag "outside parity band" (below 0.80); survey headlines read as
/// everyone's figure and named no survey year; the summary's column said
/// "This trust" where the figures are one year's.
#[test]
fn labels_say_whose_figure_and_which_year_and_decimals_show_why_it_is_flagged() {
    let dir = tempdir();
    let wh = dir.path().join("wh");
    // White 1,999 of 10,000 appointed, BME 2,500 of 10,000: 0.1999 / 0.25 = 0.7996.
    let mut body =
        String::from("org_code,year,indicator,measure,staff_group,category,ethnicity,value\n");
    for (m, w, b) in [("shortlisted", 10000, 10000), ("appointed", 1999, 2500)] {
        body.push_str(&format!(
            "RAT,2021,2,{m},,,white,{w}\nRAT,2021,2,{m},,,bme,{b}\nRAT,2021,2,{m},,,unknown,0\n"
        ));
    }
    let f = dir.path().join("rat.csv");
    std::fs::write(&f, body).unwrap();
    let s = dir.path().join("rat-survey.csv");
    std::fs::write(
        &s,
        "org_code,year,indicator,measure,staff_group,category,ethnicity,value\n\
         RAT,2021,5,percent,,,white,20.1\nRAT,2021,5,percent,,,bme,24.3\n\
         RAT,2021,5,responses,,,white,400\nRAT,2021,5,responses,,,bme,120\n",
    )
    .unwrap();
    ingest_and_benchmark(&[f, s], &wh);
    let out = dir.path().join("out");
    export_ok(&wh, &out, &["--org", "RAT", "--year", "2021"]);
    let pack = out.join("2021/trusts/RAT");
    let json = read_json(&pack.join("RAT-2021.json"));
    let rl = json["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["metric"] == "ind2.relative_likelihood")
        .unwrap();
    assert!((rl["value"].as_f64().unwrap() - 0.7996).abs() < 1e-12);
    assert!(rl["flags"].to_string().contains("outside_parity_band"));

    let html = std::fs::read_to_string(pack.join("RAT-2021.html")).unwrap();
    let summary = &html[html.find("id=\"summary\"").unwrap()..html.find("Key findings").unwrap()];
    assert!(summary.contains("<td>0.7996</td>"), "{summary}");
    assert!(!summary.contains("<td>0.80</td>"), "{summary}");
    assert!(
        summary.contains("<th scope=\"col\">RAT 2021</th>"),
        "{summary}"
    );
    assert!(
        !html.contains("This trust<"),
        "no column or row says This trust"
    );
    assert!(!html.contains("Your org"));
    assert!(
        summary.contains("Ind 5: BME staff, harassment from public % (staff survey 2020)"),
        "{summary}"
    );
    // The findings say the same figure, and the indicator table too.
    assert!(html.contains("White applicants were 0.7996 times as likely"));
    assert!(html.contains("<th scope=\"row\">2021</th><td>0.7996</td>"));

    // Excel: the cell holds the value with four decimals shown.
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(pack.join("RAT-2021.xlsx")).unwrap();
    use calamine::Reader;
    let sheet = wb.worksheet_range("Summary").unwrap();
    let rows: Vec<_> = sheet.rows().collect();
    assert_eq!(rows[3][1].to_string(), "RAT 2021");
    assert!(
        rows.iter()
            .any(|r| r[0].to_string().starts_with("Ind 5: BME staff"))
    );
    let styles = std::fs::read(pack.join("RAT-2021.xlsx")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(styles)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/styles.xml").unwrap(), &mut xml).unwrap();
    assert!(
        xml.contains("formatCode=\"0.0000\""),
        "a four-decimal format is used"
    );
}

/// Issue 9, item 13: counts of one took plurals ("1 pack(s)", "1 other trusts").
#[test]
fn one_of_something_is_singular_in_messages() {
    let dir = tempdir();
    let out = bin()
        .args(["generate", "--years", "2021", "--out"])
        .arg(dir.path().join("g"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("x 1 year (2021-2021)"), "{text}");
    assert!(!text.contains("1 years"), "{text}");
}

/// Issue 10, item 5: a damaged warehouse gave wrong answers with exit 0
/// (without the ledger the same ingest doubled every count; a zero-byte
/// results file exported the previous year; a "conflicted copy" beside a
/// year's returns doubled it; a garbage manifest was replaced, history lost;
/// a deleted messages file emptied every data-quality section). Readers now
/// open exactly the files of the current snapshot.
#[test]
fn a_damaged_warehouse_is_an_error_naming_the_file_never_a_wrong_answer() {
    use wresbench::warehouse::{Snapshot, layout, snapshot};
    let dir = tempdir();
    let golden = dir.path().join("golden");
    let humber = fixture("humber-2021/RV9-2021-workforce.csv");
    ingest_and_benchmark(std::slice::from_ref(&humber), &golden);
    let count = |wh: &std::path::Path| {
        bin()
            .args(["sql", "--format", "csv", "--warehouse"])
            .arg(wh)
            .arg("SELECT count(*) AS n FROM returns")
            .output()
            .unwrap()
    };
    let before = String::from_utf8(count(&golden).stdout).unwrap();
    assert!(before.contains("\n21\n"), "{before}");
    let copy = |name: &str| {
        let wh = dir.path().join(name);
        let status = std::process::Command::new("cp")
            .arg("-r")
            .arg(&golden)
            .arg(&wh)
            .status()
            .unwrap();
        assert!(status.success());
        wh
    };
    let stderr = |o: &std::process::Output| String::from_utf8_lossy(&o.stderr).to_string();

    // A stray copy beside the live file is never read.
    let wh = copy("stray");
    let live = current(&wh, &layout::returns_file(2021));
    std::fs::copy(
        &live,
        live.with_file_name("returns (conflicted copy).parquet"),
    )
    .unwrap();
    assert_eq!(String::from_utf8(count(&wh).stdout).unwrap(), before);

    // A listed file that is missing: every command stops and names it.
    for logical in [layout::SUBMISSIONS, layout::MESSAGES] {
        let wh = copy(&format!("missing-{logical}"));
        std::fs::remove_file(current(&wh, logical)).unwrap();
        let o = count(&wh);
        assert_eq!(o.status.code(), Some(2), "{logical}");
        assert!(
            stderr(&o).contains("lists this file but it is missing"),
            "{}",
            stderr(&o)
        );
        let o = bin()
            .args(["ingest", "--warehouse"])
            .arg(&wh)
            .arg(&humber)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "ingest with {logical} missing");
        assert!(stderr(&o).contains(logical), "{}", stderr(&o));
    }

    // A zero-byte results file: export fails naming it, never an older year.
    let wh = copy("empty-results");
    let results = current(&wh, &layout::result_file("org_metrics", 2021));
    std::fs::write(&results, b"").unwrap();
    let o = bin()
        .args(["export", "--warehouse"])
        .arg(&wh)
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("org_metrics") && stderr(&o).contains("not a complete Parquet file"),
        "{}",
        stderr(&o)
    );

    // A garbage snapshot (the manifest lives in it) is an error, and is
    // never replaced: the history it holds is not lost.
    let wh = copy("garbage-snapshot");
    let v = *snapshot::versions(&wh).unwrap().last().unwrap();
    let path = wh.join(snapshot::DIR).join(snapshot::file_name(v));
    std::fs::write(&path, b"{ not json").unwrap();
    assert!(Snapshot::load(&wh).is_err());
    let o = bin()
        .args(["ingest", "--warehouse"])
        .arg(&wh)
        .arg(&humber)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unreadable snapshot"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&path).unwrap(), b"{ not json");
    assert_eq!(snapshot::versions(&wh).unwrap().last(), Some(&v));
}

/// Issue 10, item 8: an organisation code from a register (`../../EVIL`)
/// made export write outside `--out`, and `A/B` failed the whole export.
/// Codes are checked where the register is read.
#[test]
fn register_codes_that_are_not_ods_codes_are_refused_where_the_register_is_read() {
    let dir = tempdir();
    for (i, code) in ["../../EVIL", "A/B", "R", "RV9XYZ", "R V9"]
        .iter()
        .enumerate()
    {
        let reg = dir.path().join(format!("reg{i}.csv"));
        std::fs::write(
            &reg,
            format!(
                "org_code,org_name,benchmark_group,region,icb_code,icb_name\n\
                 RV9,Humber,Mental Health,North East and Yorkshire,QOQ,ICB\n\
                 \"{code}\",Evil,Acute,London,QMF,ICB\n"
            ),
        )
        .unwrap();
        let out = dir.path().join(format!("out{i}"));
        let o = bin()
            .args(["export", "--warehouse"])
            .arg(dir.path().join("nowhere"))
            .arg("--out")
            .arg(&out)
            .arg("--register")
            .arg(&reg)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{code}: {err}");
        assert!(
            err.contains("line 3") && err.contains("is not an ODS code"),
            "{code}: {err}"
        );
        assert!(!out.exists(), "{code}: nothing written");
    }
    assert!(
        !dir.path().join("EVIL").exists() && !dir.path().parent().unwrap().join("EVIL").exists()
    );
    assert!(wresbench::register::is_valid_code("Z0001"));
}

/// Issue 10, item 9: `sql --format csv` wrote text cells as they were, so a
/// file name or message beginning with `=` reached a spreadsheet as a live
/// formula. Text cells get a leading `'`; numbers, negative ones too, do not.
#[test]
fn sql_csv_output_cannot_carry_a_live_formula() {
    let dir = tempdir();
    let wh = dir.path().join("wh");
    ingest(&[fixture("validation/valid-workforce.csv")], &wh);
    let out = bin()
        .args(["sql", "--format", "csv", "--warehouse"])
        .arg(&wh)
        .arg("SELECT '=HYPERLINK(\"http://x\")' AS a, '@SUM(A1)' AS b, -3 AS c, '-3.5' AS d, 'RV9' AS e")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.lines().nth(1).unwrap(),
        "\"'=HYPERLINK(\"\"http://x\"\")\",'@SUM(A1),-3,-3.5,RV9"
    );
}

/// A warehouse written by wresbench 0.1 (fixed file names, `manifest.json`,
/// no snapshots) is read as it is, and its next commit upgrades it.
#[test]
fn a_warehouse_written_by_version_0_1_is_read_and_upgraded_by_its_next_commit() {
    use wresbench::warehouse::{Snapshot, layout, snapshot};
    let dir = tempdir();
    let wh = dir.path().join("wh");
    ingest(&[fixture("humber-2021/RV9-2021-workforce.csv")], &wh);
    // Rewrite it in 0.1's layout.
    let snap = Snapshot::load(&wh).unwrap();
    for (logical, physical) in &snap.files {
        std::fs::rename(wh.join(physical), wh.join(logical)).unwrap();
    }
    std::fs::write(
        wh.join(layout::MANIFEST),
        serde_json::to_string(&snap.manifest).unwrap(),
    )
    .unwrap();
    std::fs::remove_dir_all(wh.join(snapshot::DIR)).unwrap();
    let stray = wh.join("returns/year=2021/returns (conflicted copy).parquet");
    std::fs::copy(wh.join(layout::returns_file(2021)), &stray).unwrap();

    let count = || sql_csv(&wh, "SELECT count(*) AS n FROM returns")[0][0].to_string();
    assert_eq!(count(), "21", "0.1's files are read, the stray copy is not");
    ingest(&[fixture("validation/valid-survey.csv")], &wh);
    assert_eq!(snapshot::versions(&wh).unwrap(), [1]);
    let after: i64 = count().parse().unwrap();
    assert!(after > 21, "{after}");
    let manifest = &Snapshot::load(&wh).unwrap().manifest;
    assert_eq!(
        manifest["runs"].as_array().unwrap().len(),
        2,
        "history kept"
    );
}

/// Commit b0545a8: `params CROSS JOIN big` is fast and `big CROSS JOIN
/// params` was 15 times slower (20 s against 1.3 s on the national decade):
/// DataFusion builds the left side in memory and streams the right. Timings
/// are not asserted; the shape that caused it is: no query puts the one-row
/// `params` table on the right of a CROSS JOIN.
#[test]
fn cross_joins_keep_the_small_table_on_the_left() {
    let mut checked = 0;
    for entry in std::fs::read_dir(env!("CARGO_MANIFEST_DIR").to_string() + "/queries").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "sql") {
            continue;
        }
        let sql = std::fs::read_to_string(&path).unwrap().to_lowercase();
        for (i, _) in sql.match_indices("cross join") {
            let right = sql[i + "cross join".len()..]
                .split_whitespace()
                .next()
                .unwrap_or("");
            assert_ne!(
                right,
                "params",
                "{}: params on the right of a CROSS JOIN",
                path.display()
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 5,
        "the queries' CROSS JOINs were found ({checked})"
    );
}

/// DataFusion 55 parses `VARCHAR` as Utf8View by default, while the
/// warehouse's Parquet columns are Utf8: a UNION or comparison across the two
/// failed, and result tables written from a CAST came back as Utf8View, which
/// the pack readers (StringArray) refused. The engine maps SQL strings to Utf8.
#[test]
fn text_in_queries_is_utf8_like_the_stored_columns() {
    let dir = tempdir();
    let wh = dir.path().join("wh");
    ingest_and_benchmark(&[fixture("humber-2021")], &wh);
    let both = sql_text(
        &wh,
        "SELECT CAST('RV9' AS VARCHAR) AS code UNION ALL SELECT org_code FROM org_metrics LIMIT 2",
    );
    assert!(both.contains("RV9"), "{both}");
    let described = sql_text(&wh, "SELECT arrow_typeof(CAST('x' AS VARCHAR)) AS t");
    assert!(described.lines().any(|l| l.trim() == "Utf8"), "{described}");
    let stored = sql_text(&wh, "DESCRIBE org_metrics");
    assert!(!stored.contains("Utf8View"), "{stored}");
}

/// An Excel return whose workforce sheets were left blank (only the survey
/// filled in) made an empty workforce section that superseded the trust's
/// real one, leaving its indicators 1-4 and 9 blank. A section with nothing
/// in it is no submission of that section.
#[test]
fn a_blank_excel_sheet_does_not_supersede_a_real_return() {
    use wresbench::ingest::Row;
    use wresbench::model::{Ethnicity, Indicator, Measure};
    let dir = tempdir();
    let wh = dir.path().join("wh");
    ingest(&[fixture("humber-2021/RV9-2021-workforce.csv")], &wh);
    let org = Register::builtin().get("RV9").unwrap().clone();
    let survey = |m: Measure, e: Ethnicity, v: f64| Row {
        org_code: "RV9".into(),
        year: 2021,
        indicator: Indicator::new(5).unwrap(),
        measure: m,
        staff_group: None,
        category: None,
        ethnicity: e,
        value: v,
        location: String::new(),
    };
    let rows = [
        survey(Measure::Percent, Ethnicity::White, 20.0),
        survey(Measure::Percent, Ethnicity::Bme, 25.0),
        survey(Measure::Responses, Ethnicity::White, 400.0),
        survey(Measure::Responses, Ethnicity::Bme, 120.0),
    ];
    let book = dir.path().join("RV9-2021-survey-only.xlsx");
    std::fs::write(
        &book,
        ingest::template::return_workbook(&org, 2021, &rows).unwrap(),
    )
    .unwrap();
    let s = ingest(&[book], &wh);
    assert_eq!(s.sections_superseded, 0, "{s:?}");
    let current = sql_csv(
        &wh,
        "SELECT section, file FROM submissions WHERE current ORDER BY section",
    );
    let sections: Vec<(String, String)> = current
        .iter()
        .map(|r| (r[0].to_string(), r[1].to_string()))
        .collect();
    assert_eq!(sections.len(), 2, "{sections:?}");
    assert_eq!(sections[0].0, "survey");
    assert!(sections[0].1.ends_with("survey-only.xlsx"), "{sections:?}");
    assert_eq!(sections[1].0, "workforce");
    assert!(
        sections[1].1.ends_with("RV9-2021-workforce.csv"),
        "{sections:?}"
    );
}

/// `wresbench sql ... --format csv | head` printed "error: Csv error: Broken
/// pipe" and exited 2 (found writing this test: Arrow's CSV and JSON writers
/// turn the io error into text, so main.rs could not see it was a closed
/// pipe). Output closed early is the reader's choice, not an error, in every
/// format.
#[test]
fn a_closed_output_pipe_ends_quietly_with_exit_0() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let dir = tempdir();
    let wh = dir.path().join("wh");
    ingest_and_benchmark(&[fixture("humber-2021")], &wh);
    for format in ["table", "csv", "json"] {
        // Far more than a pipe holds, so the writer meets the closed end.
        let mut child = Command::new(env!("CARGO_BIN_EXE_wresbench"))
            .args(["sql", "--warehouse"])
            .arg(&wh)
            .args(["--format", format, "SELECT * FROM range(400000)"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 16];
        child.stdout.take().unwrap().read_exact(&mut first).unwrap();
        // stdout is dropped here: the pipe is closed with output still to come.
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{format}: {stderr}");
        assert!(!stderr.contains("error"), "{format}: {stderr}");
    }
}

/// Issue 13: the median of a list of trusts counted starred trusts' values,
/// so a list chosen around a starred trust (three shown values below it,
/// three above) printed its hidden value as "Median of these trusts". A
/// list's median is now over the cells shown.
#[test]
fn a_list_median_never_prints_a_starred_trusts_value() {
    let wh = &full_export().wh;
    let peers = |args: &[&str]| -> serde_json::Value {
        let out = bin()
            .args([
                "peers",
                "--format",
                "json",
                "--metric",
                "ind2.relative_likelihood",
                "--warehouse",
            ])
            .arg(wh)
            .args(args)
            .assert()
            .success();
        serde_json::from_slice(&out.get_output().stdout).unwrap()
    };
    let all: Vec<String> = sql_csv(
        wh,
        "SELECT DISTINCT org_code FROM org_metrics ORDER BY org_code",
    )
    .iter()
    .map(|r| r[0].to_string())
    .collect();
    let t = peers(&["--orgs", &all.join(",")]);
    let rows = t["rows"].as_array().unwrap();
    let shown: Vec<(String, f64)> = rows
        .iter()
        .filter_map(|r| {
            Some((
                r["org_code"].as_str()?.to_string(),
                r["values"][0].as_f64()?,
            ))
        })
        .collect();
    // A starred trust whose hidden ratio has three shown values either side.
    let (hidden_org, hidden) = rows
        .iter()
        .filter(|r| r["values"][0] == "*")
        .filter_map(|r| {
            let code = r["org_code"].as_str()?.to_string();
            let v: f64 = sql_csv(
                wh,
                &format!(
                    "SELECT value FROM org_metrics WHERE org_code = '{code}' AND year = 2025 \
                     AND metric = 'ind2.relative_likelihood' AND value IS NOT NULL"
                ),
            )
            .first()?[0]
                .parse()
                .ok()?;
            let below = shown.iter().filter(|s| s.1 < v).count();
            (below >= 3 && shown.len() - below >= 3).then_some((code, v))
        })
        .next()
        .expect("a starred ratio with shown values either side, so the test can fail");
    let mut sorted = shown.clone();
    sorted.sort_by(|a, b| a.1.total_cmp(&b.1));
    let at = sorted.partition_point(|s| s.1 < hidden);
    let list: Vec<&str> = sorted[at - 3..at + 3]
        .iter()
        .map(|s| s.0.as_str())
        .chain([hidden_org.as_str()])
        .collect();
    let t = peers(&["--orgs", &list.join(",")]);
    let median = t["set_median"][0]
        .as_f64()
        .expect("six shown values: a median");
    assert!(
        (median - hidden).abs() > 1e-12,
        "the median of the list is the starred trust's value {hidden}"
    );
    // The median of the six shown: the mean of the middle two.
    let want = (sorted[at - 1].1 + sorted[at].1) / 2.0;
    assert!((median - want).abs() < 1e-12, "{median} vs {want}");
}

/// A count above any trust's workforce was reported as E_COUNT_NEGATIVE
/// ("The count ... is larger than any trust's workforce") under the code of
/// another rule, so a trust looking the code up read the wrong fix. It has
/// its own code now, and a negative count keeps its own.
#[test]
fn a_count_too_large_has_its_own_code_not_the_negative_counts() {
    let text = |v: &str| {
        format!(
            "org_code,year,indicator,measure,staff_group,category,ethnicity,value\n\
             RV9,2021,2,shortlisted,,,white,{v}\n"
        )
    };
    let codes = |v: &str| -> Vec<String> {
        let f = ingest::parse_bytes(
            std::path::Path::new("r.csv"),
            "r.csv",
            text(v).into_bytes(),
            &Register::builtin(),
            &vopts(),
        );
        f.all_messages()
            .filter(|m| m.is_error())
            .map(|m| m.code.to_string())
            .collect()
    };
    assert!(codes("20000000").contains(&"E_COUNT_TOO_LARGE".to_string()));
    assert!(!codes("20000000").contains(&"E_COUNT_NEGATIVE".to_string()));
    assert!(codes("-3").contains(&"E_COUNT_NEGATIVE".to_string()));
    assert!(codes("100").iter().all(|c| !c.starts_with("E_COUNT")));
}

/// An ingest killed after writing its raw copies beside their content names
/// and before publishing them left the `.tmp-<pid>` files in `raw/` for ever:
/// RawBatch's Drop deletes them when a run fails, but a killed process runs
/// no Drop, and recovery did not know the name. Recovery (the next writer,
/// under the lock) now deletes them.
#[test]
fn a_killed_ingests_raw_copies_in_progress_are_deleted_by_the_next_run() {
    let dir = tempdir();
    let wh = dir.path().join("wh");
    let input = fixture("humber-2021/RV9-2021-workforce.csv");
    let tmps = || -> Vec<String> {
        snapshot(&wh.join("raw"))
            .into_keys()
            .filter(|n| n.contains(".tmp-"))
            .collect()
    };
    let out = bin()
        .args(["ingest", "--no-progress", "--warehouse"])
        .arg(&wh)
        .arg(&input)
        .env("WRESBENCH_FAIL_AT", "ingest:raw-written")
        .output()
        .unwrap();
    assert!(out.status.code().is_none(), "the ingest is aborted");
    assert_eq!(tmps().len(), 1, "the kill leaves the copy in progress");

    let out = bin()
        .args(["ingest", "--no-progress", "--warehouse"])
        .arg(&wh)
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(tmps().is_empty(), "{:?}", tmps());
    // The file is stored once, under its content name.
    let stored: Vec<Vec<u8>> = snapshot(&wh.join("raw")).into_values().collect();
    assert_eq!(stored, vec![std::fs::read(&input).unwrap()]);
}

/// Found while working on issue 14: `ingest`, `export` and `run` hung for
/// good in a terminal, at "reading returns 0/2050" or "writing packs 0/205".
/// The main thread held stderr's lock for the whole command (for its status
/// lines) while waiting for its worker threads, and they waited for the same
/// lock to draw the progress bar. Tests never saw it: without a terminal no
/// bar is drawn. `script` (util-linux) gives the command a terminal here.
#[test]
fn run_in_a_terminal_draws_its_progress_and_finishes() {
    use std::time::{Duration, Instant};
    let dir = tempdir();
    let (wh, out) = (dir.path().join("wh"), dir.path().join("out"));
    let quoted = |p: &std::path::Path| format!("'{}'", p.display());
    let line = [
        quoted(std::path::Path::new(env!("CARGO_BIN_EXE_wresbench"))),
        "run --warehouse".into(),
        quoted(&wh),
        "--out".into(),
        quoted(&out),
        quoted(&fixture("humber-2021/RV9-2021-workforce.csv")),
        quoted(&fixture("humber-2021/RV9-survey.csv")),
    ]
    .join(" ");
    let log = dir.path().join("terminal.log");
    let mut child = std::process::Command::new("script")
        .args(["-q", "-e", "-c", &line])
        .arg(&log)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("`script` (util-linux) runs the command in a terminal: install util-linux");
    // The run takes seconds; a hang is for good.
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait for script") {
            break s;
        }
        if Instant::now() > deadline {
            // The command goes with its terminal (SIGHUP when script dies).
            let _ = child.kill();
            let _ = child.wait();
            let seen = std::fs::read_to_string(&log).unwrap_or_default();
            panic!("`wresbench run` in a terminal did not finish in 2 minutes; it showed:\n{seen}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let seen = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        status.success(),
        "exit {status}; the terminal showed:\n{seen}"
    );
    assert!(seen.contains("Done in"), "the terminal showed:\n{seen}");
    assert!(out.join("2021/trusts/RV9/RV9-2021.json").is_file());
}

/// `-v` logged with colour codes wherever stderr went: a log saved to a file
/// or shown on a CI page read `ESC[32m INFO ESC[0m ESC[2mwresbench::engine`.
/// Colour is now for terminals only.
#[test]
fn a_verbose_log_not_on_a_terminal_has_no_colour_codes() {
    let dir = tempdir();
    let wh = humber_warehouse(dir.path());
    let out = bin()
        .args(["-v", "--no-progress", "benchmark", "--warehouse"])
        .arg(&wh)
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(" INFO wresbench::engine: org_metrics.sql: "),
        "{stderr}"
    );
    assert!(
        !stderr.contains('\u{1b}'),
        "colour codes in a piped log:\n{stderr:?}"
    );
}
