//! Packs: the Humber pack carries the fixture's figures and the report's
//! indicator 8 trend table; Excel matches JSON; HTML is self-contained and
//! structurally sound; output is deterministic.

use std::path::Path;

use calamine::{Data, Reader};
use wresbench::export::{self, ExportOptions};
use wresbench::register::Register;

use crate::common::*;

fn humber_packs(dir: &Path) -> std::path::PathBuf {
    let wh = humber_warehouse(dir);
    benchmark(&wh);
    let out = dir.join("packs");
    let s = export::export(
        &Register::builtin(),
        &ExportOptions {
            warehouse: wh,
            out: out.clone(),
            year: Some(2021),
            orgs: vec![],
            progress: false,
            synthetic: false,
        },
    )
    .unwrap();
    assert_eq!(s.packs, 1);
    out.join("2021/trusts/RV9")
}

#[test]
fn humber_pack_json_carries_the_expected_figures_and_the_ind8_trend() {
    let dir = tempdir();
    let p = humber_packs(dir.path());
    let pack = read_json(&p.join("RV9-2021.json"));
    assert_eq!(pack["schema"], "wres-pack/2");
    assert_eq!(pack["org"]["code"], "RV9");
    assert_eq!(pack["org"]["name"], "Humber Teaching NHS Foundation Trust");
    let figures = pack["figures"].as_array().unwrap();
    let fig = |metric: &str, eth: Option<&str>| {
        figures
            .iter()
            .find(|f| f["metric"] == metric && f["ethnicity"].as_str() == eth)
            .unwrap_or_else(|| panic!("{metric} {eth:?}"))
    };
    // Expected figures of the fixture, from the pack (not from the warehouse).
    let mut rdr = csv::Reader::from_path(fixture("humber-2021/expected.csv")).unwrap();
    for rec in rdr
        .records()
        .map(Result::unwrap)
        .filter(|r| &r[4] == "2021" && r[1].is_empty() && r[2].is_empty())
    {
        let eth = (!rec[3].is_empty()).then(|| &rec[3]);
        let want: f64 = rec[5].parse().unwrap();
        let got = fig(&rec[0], eth)["value"].as_f64().unwrap();
        assert!((got - want).abs() <= 0.0005, "{}: {got} vs {want}", &rec[0]);
    }
    // Indicator 8 trend: the report's eight published values and response
    // counts, by WRES year (survey year + 1).
    let trend = |eth: &str| {
        fig("ind8.pct", Some(eth))["trend"]
            .as_array()
            .unwrap()
            .clone()
    };
    let w = trend("white");
    let b = trend("bme");
    let years: Vec<i64> = w.iter().map(|t| t["year"].as_i64().unwrap()).collect();
    assert_eq!(years, [2018, 2019, 2020, 2021]);
    let vals = |t: &[serde_json::Value], k: &str| {
        t.iter().map(|x| x[k].as_f64().unwrap()).collect::<Vec<_>>()
    };
    assert_eq!(vals(&w, "value"), [7.7, 5.6, 5.9, 3.8]);
    assert_eq!(vals(&b, "value"), [4.8, 10.5, 11.4, 18.4]);
    assert_eq!(vals(&w, "denominator"), [431.0, 1062.0, 997.0, 1128.0]);
    assert_eq!(vals(&b, "denominator"), [21.0, 38.0, 35.0, 49.0]);
    // The finding quotes the pack's own numbers, and says the rise from 4.8%
    // of 21 to 18.4% of 49 is not a significant change (Newcombe's interval
    // of the difference is -0.062 to 0.272).
    let findings = pack["findings"].as_array().unwrap();
    let text = |f: &serde_json::Value| f["text"].as_str().unwrap().to_string();
    let ind8 = findings
        .iter()
        .find(|f| f["indicator"] == 8)
        .map(text)
        .unwrap();
    assert!(
        ind8.starts_with("18.4% of BME staff experienced discrimination")
            && ind8.contains("compared with 3.8% of White staff")
            && ind8.contains("up from 4.8% in 2017")
            && ind8.contains("no clear change")
            && ind8.contains("fewer than 50 responses"),
        "{ind8}"
    );
    assert_eq!(
        fig("ind8.pct", Some("bme"))["judgement"]["trend"],
        "no_clear_change"
    );
    assert!(
        findings.iter().map(text).any(|f| f.contains("0.64 times")),
        "{findings:#?}"
    );
    // Indicator 2 (0.64, 0.43-0.95) is significant against parity and below
    // the band; with one trust there is no median to judge against.
    let ind2 = fig("ind2.relative_likelihood", None);
    assert_eq!(ind2["judgement"]["parity"], "significant");
    assert!(ind2["judgement"]["benchmark"].is_null());
    assert!(
        ind2["benchmark"]["median"].is_null(),
        "one trust: no median shown"
    );
    // Indicator 4: 0.8446, interval 0.7619 to 0.9362 (Katz on 1639/2643 White
    // and 105/143 BME): significant against parity, yet inside the 0.80-1.25
    // band, and never "worse" for favouring BME staff.
    let ind4 = fig("ind4.relative_likelihood", None);
    assert_eq!(ind4["judgement"]["parity"], "significant");
    assert!(
        !ind4["flags"]
            .as_array()
            .unwrap()
            .contains(&"outside_parity_band".into())
    );
    assert_ne!(ind4["judgement"]["benchmark"], "worse");
    // Funnel: Humber's own point at its own precision,
    // 1 / (1/198 - 1/855 + 1/17 - 1/47) = 24.1384.
    let funnel = pack["funnels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["metric"] == "ind2.relative_likelihood")
        .unwrap();
    let own: Vec<_> = funnel["points"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["this_trust"] == true)
        .collect();
    assert_eq!(own.len(), 1);
    assert!(
        (own[0]["x"].as_f64().unwrap() - 24.1384).abs() < 0.0001,
        "{own:?}"
    );
    assert!((own[0]["y"].as_f64().unwrap() - 0.6402).abs() < 0.0001);
    // Both sections were accepted; thresholds are stated.
    let statuses: Vec<_> = pack["returns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["section"].as_str().unwrap(),
                r["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [("workforce", "accepted"), ("survey", "accepted")]
    );
    assert_eq!(pack["params"]["min_count"], 8.0);
    assert_eq!(
        pack["params"]["parity_band"],
        serde_json::json!([0.8, 1.25])
    );
}

#[test]
fn json_packs_validate_against_the_shipped_wres_pack_2_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(export::PACK_JSON_SCHEMA).expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let dir = tempdir();
    let p = humber_packs(dir.path());
    let pack = read_json(&p.join("RV9-2021.json"));
    let errors: Vec<String> = validator
        .iter_errors(&pack)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The schema can fail: a pack carrying another trust's minimum, or an
    // unknown judgement word, is refused.
    let mut bad = pack.clone();
    bad["figures"][0]["judgement"]["benchmark"] = "worse-ish".into();
    assert!(!validator.is_valid(&bad));
    let mut bad = pack.clone();
    let i = pack["figures"]
        .as_array()
        .unwrap()
        .iter()
        .position(|f| f["benchmark"].is_object())
        .unwrap();
    bad["figures"][i]["benchmark"]["min"] = 1.0.into();
    assert!(!validator.is_valid(&bad));
}

#[test]
fn excel_pack_reads_back_equal_to_the_json() {
    let dir = tempdir();
    let p = humber_packs(dir.path());
    let pack = read_json(&p.join("RV9-2021.json"));
    let mut wb = calamine::open_workbook_auto(p.join("RV9-2021.xlsx")).unwrap();
    let names = wb.sheet_names();
    for s in [
        "Summary",
        "Figures",
        "Ind 5 harassment (public)",
        "Findings",
        "Data quality",
        "Provenance",
    ] {
        assert!(names.iter().any(|n| n == s), "sheet {s}");
    }
    // Indicator 2's sheet: Humber's counts as numbers (BME column).
    let s2 = wb.worksheet_range("Ind 2 appointment").unwrap();
    let row = |label: &str| {
        (0..s2.height() as u32)
            .find(|&r| s2.get_value((r, 0)) == Some(&Data::String(label.into())))
            .unwrap()
    };
    assert_eq!(
        s2.get_value((row("Shortlisted applicants") - 1, 3)),
        Some(&Data::String("BME".into()))
    );
    assert_eq!(
        s2.get_value((row("Appointed from shortlisting"), 3)),
        Some(&Data::Float(17.0))
    );
    assert_eq!(
        s2.get_value((row("Shortlisted applicants"), 3)),
        Some(&Data::Float(47.0))
    );
    let figures = wb.worksheet_range("Figures").unwrap();
    let json_figs = pack["figures"].as_array().unwrap();
    assert_eq!(figures.height() - 1, json_figs.len());
    for (i, f) in json_figs.iter().enumerate() {
        let row = i as u32 + 1;
        assert_eq!(
            figures.get_value((row, 0)),
            Some(&Data::String(f["metric"].as_str().unwrap().to_string()))
        );
        match (f["value"].as_f64(), figures.get_value((row, 4))) {
            // Excel keeps 15-17 significant digits.
            (Some(v), Some(Data::Float(x))) => assert!(
                (x - v).abs() <= 1e-12 * v.abs().max(1.0),
                "row {row}: {x} vs {v}"
            ),
            (None, None | Some(Data::Empty)) => {}
            other => panic!("row {row}: {other:?}"),
        }
    }
}

#[test]
fn html_pack_is_self_contained_with_every_section_and_headed_tables() {
    let dir = tempdir();
    let p = humber_packs(dir.path());
    let html = std::fs::read_to_string(p.join("RV9-2021.html")).unwrap();
    for id in [
        "summary", "ind1", "ind2", "ind3", "ind4", "ind5", "ind6", "ind7", "ind8", "ind9",
        "quality", "method",
    ] {
        assert!(
            html.contains(&format!("<section id=\"{id}\"")),
            "section {id}"
        );
    }
    // No network: the only URL is the SVG namespace.
    let urls: Vec<&str> = html
        .match_indices("http")
        .map(|(i, _)| &html[i..(i + 30).min(html.len())])
        .collect();
    assert!(
        urls.iter()
            .all(|u| u.starts_with("http://www.w3.org/2000/svg")),
        "{urls:?}"
    );
    assert!(!html.contains("<script"), "no scripts");
    // Every table has a header row and a caption.
    assert_eq!(
        html.matches("<table").count(),
        html.matches("<thead>").count()
    );
    assert_eq!(
        html.matches("<table").count(),
        html.matches("<caption>").count()
    );
    // The report's row labels and the median note.
    for s in [
        "White: RV9",
        "BME: RV9",
        "White: Average",
        "BME: Average",
        "White: Responses",
        "BME: Responses",
        "Average calculated as the median for the benchmark group",
    ] {
        assert!(html.contains(s), "{s}");
    }
    // Charts carry alt text.
    assert_eq!(html.matches("<svg").count(), html.matches("<desc").count());
}

#[test]
fn the_same_warehouse_gives_byte_identical_packs() {
    let dir = tempdir();
    let p = humber_packs(dir.path());
    let wh = dir.path().join("wh");
    let again = dir.path().join("again");
    export::export(
        &Register::builtin(),
        &ExportOptions {
            warehouse: wh,
            out: again.clone(),
            year: Some(2021),
            orgs: vec![],
            progress: false,
            synthetic: false,
        },
    )
    .unwrap();
    for ext in ["json", "xlsx", "html"] {
        let a = std::fs::read(p.join(format!("RV9-2021.{ext}"))).unwrap();
        let b = std::fs::read(again.join(format!("2021/trusts/RV9/RV9-2021.{ext}"))).unwrap();
        assert_eq!(a, b, "{ext}");
        if ext == "xlsx" {
            // Two exports in the same second would match even with the
            // clock in the file: check the stored dates are the fixed ones.
            assert_fixed_workbook_dates(&a);
        }
    }
    // The packs carry no clock time but the provenance of the returns
    // (when they were received and ingested): every date-time in the JSON is
    // under a provenance key, and the HTML prints no other.
    let json = read_json(&p.join("RV9-2021.json"));
    let mut stamps = Vec::new();
    date_times(&json, "", &mut stamps);
    assert!(!stamps.is_empty(), "the provenance has its receipt times");
    for (key, _) in &stamps {
        assert!(
            ["received", "received_at", "results_built_from_ledger_at"].contains(&key.as_str()),
            "a date-time under {key}"
        );
    }
    let html = std::fs::read_to_string(p.join("RV9-2021.html")).unwrap();
    for (i, _) in html.match_indices("T") {
        let Some(start) = i.checked_sub(10) else {
            continue;
        };
        let candidate = html.get(start..i + 10).unwrap_or("");
        if is_date_time(candidate) {
            assert!(
                stamps.iter().any(|(_, v)| v.starts_with(candidate)),
                "the HTML prints {candidate}, which is no provenance time"
            );
        }
    }
}

#[test]
fn packs_made_from_synthetic_data_say_so_in_every_format() {
    let dir = tempdir();
    humber_packs(dir.path());
    let out = dir.path().join("synthetic");
    export::export(
        &Register::builtin(),
        &ExportOptions {
            warehouse: dir.path().join("wh"),
            out: out.clone(),
            year: Some(2021),
            orgs: vec![],
            progress: false,
            synthetic: true,
        },
    )
    .unwrap();
    let p = out.join("2021/trusts/RV9");
    let json = read_json(&p.join("RV9-2021.json"));
    assert_eq!(json["synthetic"], true);
    let html = std::fs::read_to_string(p.join("RV9-2021.html")).unwrap();
    assert!(html.contains("<strong>Synthetic data.</strong>"));
    let mut wb = calamine::open_workbook_auto(p.join("RV9-2021.xlsx")).unwrap();
    let summary = wb.worksheet_range("Summary").unwrap();
    assert!(
        matches!(summary.get_value((1, 0)), Some(Data::String(s)) if s.contains("SYNTHETIC DATA"))
    );
    // And the real-data pack carries none of it.
    let real =
        std::fs::read_to_string(dir.path().join("packs/2021/trusts/RV9/RV9-2021.html")).unwrap();
    assert!(!real.contains("Synthetic data"));
}

/// `2026-11-23T18:36:11`: a date-time as the packs write them.
fn is_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 20
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

/// Every string of `v` that begins with a date-time, with its key.
fn date_times(v: &serde_json::Value, key: &str, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::Object(m) => m.iter().for_each(|(k, v)| date_times(v, k, out)),
        serde_json::Value::Array(a) => a.iter().for_each(|v| date_times(v, key, out)),
        serde_json::Value::String(s) if s.get(..20).is_some_and(is_date_time) => {
            out.push((key.to_string(), s.clone()))
        }
        _ => {}
    }
}

/// Issue 12: the national report draws every indicator (trend, spread by
/// group and by region, and for ratios the share outside parity), and every
/// chart has its figures as a table (its text alternative) and a native
/// chart in the Excel report, drawn from the same table.
#[test]
fn every_national_chart_has_its_table_and_a_native_excel_chart() {
    let f = full_export();
    let dir = f.out.join("2025/national");
    let html = std::fs::read_to_string(dir.join("wres-national-2025.html")).unwrap();
    let figures: Vec<&str> = html.split("<figure>").skip(1).collect();
    // Ten headline columns x (trend + by group + by region), three ratios'
    // parity shares, two Model Employer charts.
    assert_eq!(
        figures.len(),
        10 * 3 + 3 + 2,
        "charts in the national report"
    );
    for fig in &figures {
        let svg = &fig[..fig.find("</figure>").expect("a closed figure")];
        assert!(svg.contains(r#"role="img""#) && svg.contains("<title") && svg.contains("<desc"));
        let after = &fig[fig.find("</figure>").unwrap()..];
        let table = after.find("<table>").expect("a table after the chart");
        assert!(
            after.find("<details>").is_some_and(|d| d < table),
            "the chart's table follows it"
        );
    }
    // No empty first row (the old summary opened with an empty median row).
    assert!(!html.contains("Median of these trusts"));
    let book = std::fs::read(dir.join("wres-national-2025.xlsx")).unwrap();
    let charts = xlsx_parts(&book, "xl/charts/chart");
    assert_eq!(charts.len(), figures.len(), "one native chart per chart");
    // Each native chart reads its values from the sheet, not from constants.
    for c in &charts {
        assert!(xlsx_part(&book, c).contains("<c:f>"), "{c}");
    }
    assert_fixed_workbook_dates(&book);
}

/// Issue 12: a region pack lists its trusts by benchmark group with the
/// group beside each, and draws a dot plot per headline figure (ten), each
/// with its table and a native Excel chart.
#[test]
fn region_packs_sort_trusts_by_group_and_plot_every_headline_figure() {
    let f = full_export();
    let dir = f.out.join("2025/regions");
    let html = std::fs::read_to_string(dir.join("london.html")).unwrap();
    let first = html
        .split("<tbody>")
        .nth(1)
        .expect("the trusts table")
        .split("</tbody>")
        .next()
        .unwrap();
    // (benchmark group, trust) in page order: rows carry code then group.
    let rows: Vec<(String, String)> = first
        .lines()
        .filter(|l| l.contains(r#"<th scope="row">"#) && l.matches("<td").count() > 3)
        .filter_map(|l| {
            let name = l.split(r#"<th scope="row">"#).nth(1)?.split('<').next()?;
            let group = l
                .split("<td")
                .nth(2)?
                .split('>')
                .nth(1)?
                .split('<')
                .next()?;
            Some((group.to_string(), name.to_string()))
        })
        .filter(|(g, _)| !g.is_empty())
        .collect();
    assert!(rows.len() >= 10, "{rows:?}");
    let mut sorted = rows.clone();
    sorted.sort();
    assert_eq!(rows, sorted, "trusts sorted by group, then name");
    assert_eq!(html.matches("<figure>").count(), 10);
    let book = std::fs::read(dir.join("london.xlsx")).unwrap();
    assert_eq!(xlsx_parts(&book, "xl/charts/chart").len(), 10);
}

/// Issue 12: the index lists every trust without script, and in a browser
/// filters by region, group and name from the URL fragment.
#[test]
fn the_index_filters_by_region_group_and_name_in_a_browser() {
    let f = full_export();
    let index = f.out.join("2025/index.html");
    let html = std::fs::read_to_string(&index).unwrap();
    let all = html.matches("<tr data-name=").count();
    let register = Register::builtin();
    assert_eq!(all, register.iter().count(), "every register trust listed");
    // Without script the filter form is hidden and nothing else is.
    assert!(html.contains(r#"<form id="filter" hidden"#));
    let Some(browser) = chromium() else { return };
    let shown = |fragment: &str| -> usize {
        let dom = dump_dom(&browser, &format!("file://{}#{fragment}", index.display()));
        dom.lines()
            .flat_map(|l| l.split("<tr ").skip(1))
            .filter(|tr| tr.starts_with("data-name=") && !tr.contains(" hidden"))
            .count()
    };
    let london = register.iter().filter(|o| o.region == "London").count();
    assert_eq!(shown("region=London"), london);
    let ambulance = register
        .iter()
        .filter(|o| o.benchmark_group == "Ambulance Trusts")
        .count();
    assert_eq!(shown("group=Ambulance%20Trusts"), ambulance);
    assert_eq!(shown("q=rv9"), 1);
    assert_eq!(shown(""), all);
}

/// Issue 12: a trust pack has a section per indicator, each with that
/// indicator's trend chart (whose figures are its table) and findings, in
/// the HTML and as a sheet with a native Excel chart; the workbook ends
/// with an "Action plan" sheet with one row per key finding.
#[test]
fn trust_packs_chart_trends_and_end_with_an_action_plan() {
    let dir = tempdir();
    let p = humber_packs(dir.path());
    let pack = read_json(&p.join("RV9-2021.json"));
    let html = std::fs::read_to_string(p.join("RV9-2021.html")).unwrap();
    let section = |ind: u32| {
        let a = html.find(&format!(r#"<section id="ind{ind}""#)).unwrap();
        let b = a + html[a..].find("</section>").unwrap();
        &html[a..b]
    };
    let findings = pack["findings"].as_array().unwrap();
    for ind in 1..=9 {
        let s = section(ind);
        // A chart drawn by charts.rs: its title and description, and its table.
        assert!(
            s.contains(&format!(r#"aria-labelledby="ind{ind}-c"#)),
            "indicator {ind}'s trend chart"
        );
        assert!(s.contains("The chart's figures as a table"), "ind {ind}");
        for f in findings.iter().filter(|f| f["indicator"] == ind) {
            let text = f["text"].as_str().unwrap().replace('\'', "&#39;");
            assert!(s.contains(&text), "ind {ind}'s finding beside it: {text}");
        }
    }
    // Ratios: the interval as whiskers; indicator 3: the two-year figure.
    assert!(section(2).contains("95% high"));
    let has = |metric: &str| {
        pack["figures"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["metric"] == metric && f["value"].is_number())
    };
    assert_eq!(
        section(3).contains("Indicator 3: one year and two years"),
        has("ind3.relative_likelihood_2yr")
    );
    assert_eq!(
        section(1).contains("Model Employer: bands 8a and above"),
        has("ind1.parity_gap")
    );
    assert!(section(5).contains("against the benchmark group"));

    // Excel: a sheet per indicator in the page's order, each with a native chart.
    let bytes = std::fs::read(p.join("RV9-2021.xlsx")).unwrap();
    let part = |name: &str| xlsx_part(&bytes, name);
    let book = part("xl/workbook.xml");
    let sheets: Vec<&str> = book
        .split("<sheet name=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    let first = sheets.iter().position(|s| s.starts_with("Ind 1")).unwrap();
    assert_eq!(sheets[first - 2..first], ["Summary", "Findings"]);
    for ind in 1..=9 {
        let i = first + ind - 1;
        assert!(sheets[i].starts_with(&format!("Ind {ind} ")), "{sheets:?}");
        let rels = part(&format!("xl/worksheets/_rels/sheet{}.xml.rels", i + 1));
        assert!(rels.contains("drawing"), "sheet {} has a chart", sheets[i]);
    }
    assert!(xlsx_parts(&bytes, "xl/charts/chart").len() >= 9);
    let mut wb = calamine::open_workbook_auto(p.join("RV9-2021.xlsx")).unwrap();
    assert_eq!(
        wb.sheet_names().last().map(String::as_str),
        Some("Action plan")
    );
    let plan = wb.worksheet_range("Action plan").unwrap();
    assert_eq!(
        plan.get_value((0, 4)),
        Some(&Data::String("Timescale".into()))
    );
    let findings = pack["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for (i, f) in findings.iter().enumerate() {
        let r = 1 + i as u32;
        assert_eq!(
            plan.get_value((r, 0)),
            Some(&Data::Float(f["indicator"].as_f64().unwrap()))
        );
        assert_eq!(
            plan.get_value((r, 1)),
            Some(&Data::String(f["text"].as_str().unwrap().to_string()))
        );
    }
}

/// Issue 12: indicator 1's Model Employer table gives each band of 8a and
/// above and the six together, with the gap and the annual goal from the
/// warehouse, and the declaration rate; a national year's pack shows them.
#[test]
fn trust_packs_show_the_model_employer_table_and_the_declaration_rate() {
    let FullExport { out, .. } = full_export();
    let dir = out.join("2025/trusts/RV9");
    let pack = read_json(&dir.join("RV9-2025.json"));
    let html = std::fs::read_to_string(dir.join("RV9-2025.html")).unwrap();
    let fig = |metric: &str, sg: &str, cat: &str| {
        pack["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["metric"] == metric && f["staff_group"] == sg && f["category"] == cat)
            .and_then(|f| f["value"].as_f64())
    };
    let a = html.find("Model Employer: bands 8a and above").unwrap();
    let table = &html[a..a + html[a..].find("</table>").unwrap()];
    let gap = fig("ind1.parity_gap", "non_clinical", "8a_plus").unwrap();
    let goal = fig("ind1.parity_annual_goal", "non_clinical", "8a_plus").unwrap();
    let row = table
        .split("<tr>")
        .find(|r| r.contains("Non-clinical: 8a and above"))
        .unwrap();
    let cells: Vec<&str> = row
        .split("<td")
        .skip(1)
        .map(|c| &c[c.find('>').unwrap() + 1..c.find("</td>").unwrap()])
        .collect();
    // White, BME, Unknown, BME %, gap, annual goal.
    assert_eq!(cells[4], format!("{}", gap as i64), "{row}");
    assert_eq!(cells[5], format!("{goal:.1}"), "{row}");
    // The six bands' BME headcounts summed.
    let bme: f64 = ["band_8a", "band_8b", "band_8c", "band_8d", "band_9", "vsm"]
        .iter()
        .filter_map(|c| {
            pack["figures"].as_array().unwrap().iter().find(|f| {
                f["metric"] == "ind1.headcount"
                    && f["staff_group"] == "non_clinical"
                    && f["category"] == *c
                    && f["ethnicity"] == "bme"
            })
        })
        .filter_map(|f| f["value"].as_f64())
        .sum();
    assert_eq!(cells[1], format!("{}", bme as i64), "{row}");
    let unknown = fig("ind1.unknown_pct", "all", "all").unwrap();
    assert!(html.contains(&format!(
        "Ethnicity unknown or not stated: {unknown:.1}% of staff"
    )));
}
