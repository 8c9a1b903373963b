//! The peer explorer (`OUT/YYYY/explorer.html`, issue 13): the same cells as
//! `wresbench peers` for the same choice, drawn in a real browser; nothing
//! in the page that disclosure control hides; labelled controls.

use std::path::Path;

use wresbench::metric::Metric;
use wresbench::register::Register;

use crate::common::*;

/// One table row of the page: its trust code (empty for the median and
/// national rows), and each metric cell's text and `data-value`.
type PageRow = (String, Vec<(String, Option<f64>)>);

/// The rows of `<table id="peers">` in a dumped DOM.
fn page_rows(dom: &str) -> Vec<PageRow> {
    let a = dom.find(r#"<table id="peers">"#).expect("the peers table");
    let table = &dom[a..a + dom[a..].find("</table>").unwrap()];
    let body = &table[table.find("<tbody>").unwrap()..];
    body.split("<tr")
        .skip(1)
        .map(|tr| {
            let code = tr
                .strip_prefix(r#" data-org=""#)
                .map(|s| s[..s.find('"').unwrap()].to_string())
                .unwrap_or_default();
            // Cells after the trust's code (or the blank cell of a summary row).
            let cells = tr
                .split("<td")
                .skip(2)
                .map(|td| {
                    let open = &td[..td.find('>').unwrap()];
                    let value = open
                        .split("data-value=\"")
                        .nth(1)
                        .map(|v| v[..v.find('"').unwrap()].parse::<f64>().unwrap());
                    let text = &td[td.find('>').unwrap() + 1..td.find("</td>").unwrap()];
                    (text.to_string(), value)
                })
                .collect();
            (code, cells)
        })
        .collect()
}

/// What `wresbench peers --format json` says for a set (`--region London`, ...).
fn cli_peers(wh: &Path, set: &[&str]) -> serde_json::Value {
    let out = bin()
        .args(["peers", "--format", "json", "--warehouse"])
        .arg(wh)
        .args(set)
        .assert()
        .success();
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

/// A cell of the CLI's JSON as the page must show it: numbers printed by
/// the metric's own format (src/fmt.rs), words as they are, blanks as "–".
fn expected(metric: Metric, v: &serde_json::Value) -> (String, Option<f64>) {
    match v {
        serde_json::Value::Number(n) => {
            let x = n.as_f64().unwrap();
            (metric.format(x), Some(x))
        }
        serde_json::Value::String(s) => (s.clone(), None),
        _ => ("–".into(), None),
    }
}

fn assert_same(dom: &str, t: &serde_json::Value, what: &str) {
    let rows = page_rows(dom);
    let cli = t["rows"].as_array().unwrap();
    let metrics: Vec<Metric> = t["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Metric::parse(c["metric"].as_str().unwrap()).unwrap())
        .collect();
    assert_eq!(
        rows.len(),
        cli.len() + 2,
        "{what}: trusts, median, national"
    );
    for (page, want) in rows.iter().zip(cli) {
        assert_eq!(
            page.0,
            want["org_code"].as_str().unwrap(),
            "{what}: row order"
        );
        for (j, m) in metrics.iter().enumerate() {
            assert_eq!(
                page.1[j],
                expected(*m, &want["values"][j]),
                "{what}: {} {}",
                page.0,
                m.code()
            );
        }
    }
    for (k, key) in ["set_median", "national"].iter().enumerate() {
        let page = &rows[cli.len() + k];
        for (j, m) in metrics.iter().enumerate() {
            assert_eq!(
                page.1[j],
                expected(*m, &t[key][j]),
                "{what}: {key} {}",
                m.code()
            );
        }
    }
}

#[test]
fn the_explorer_shows_the_same_cells_as_peers_for_a_region_a_group_and_a_list() {
    let f = full_export();
    let page = f.out.join("2025/explorer.html");
    let html = std::fs::read_to_string(&page).unwrap();
    // The index links it.
    let index = std::fs::read_to_string(f.out.join("2025/index.html")).unwrap();
    assert!(index.contains(r#"<a href="explorer.html">"#));
    // No network, and the controls stay hidden without script.
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));
    assert!(html.contains(r#"<form id="controls" hidden"#));

    let Some(browser) = chromium() else { return };
    let url = |fragment: &str| format!("file://{}#{fragment}", page.display());

    let region = cli_peers(&f.wh, &["--region", "London"]);
    let starred = region["rows"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["values"].as_array().unwrap())
        .filter(|v| *v == "*")
        .count();
    assert!(
        starred > 0,
        "London has starred cells, so the test can fail"
    );
    assert_same(
        &dump_dom(&browser, &url("region=London")),
        &region,
        "region",
    );

    let group = "Ambulance Trusts";
    let t = cli_peers(&f.wh, &["--group", group]);
    assert_same(
        &dump_dom(&browser, &url("group=Ambulance%20Trusts&year=2025")),
        &t,
        "group",
    );

    // A list: eight London trusts (starred cells among them), two metrics.
    let register = Register::builtin();
    let codes: Vec<&str> = register
        .iter()
        .filter(|o| o.region == "London")
        .map(|o| o.org_code.as_str())
        .take(8)
        .collect();
    let list = codes.join(",");
    let t = cli_peers(
        &f.wh,
        &[
            "--orgs",
            &list,
            "--metric",
            "ind2.relative_likelihood",
            "--metric",
            "ind5.pct",
        ],
    );
    assert!(t["set_median"][0].is_number(), "the list's median is shown");
    assert_same(
        &dump_dom(
            &browser,
            &url(&format!(
                "orgs={list}&metrics=ind2.relative_likelihood,ind5.pct&year=2025"
            )),
        ),
        &t,
        "list",
    );
}

/// Every cell embedded in the page is the cell `peers` shows for that trust:
/// a value derived from a count of 1 to 7 is `*` in the file itself, not
/// only on screen.
#[test]
fn the_explorer_embeds_only_what_a_peer_table_shows() {
    let f = full_export();
    let html = std::fs::read_to_string(f.out.join("2025/explorer.html")).unwrap();
    let a = html
        .find(r#"<script type="application/json" id="data">"#)
        .unwrap();
    let json = &html[a..];
    let json = &json[json.find('>').unwrap() + 1..json.find("</script>").unwrap()];
    let data: serde_json::Value = serde_json::from_str(&json.replace("<\\/", "</")).unwrap();
    let codes: Vec<&str> = data["orgs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o[0].as_str().unwrap())
        .collect();
    let all = cli_peers(&f.wh, &["--orgs", &codes.join(",")]);
    let values = &data["values"]["2025"];
    let mut stars = 0;
    for (i, row) in all["rows"].as_array().unwrap().iter().enumerate() {
        assert_eq!(row["org_code"], codes[i]);
        for (j, v) in row["values"].as_array().unwrap().iter().enumerate() {
            assert_eq!(&values[i][j], v, "{} column {j}", codes[i]);
            stars += usize::from(v == "*");
        }
    }
    assert!(stars > 50, "the national year has starred cells ({stars})");
    // The starred trusts' own ratios are nowhere in the page, as any number
    // (only ratios with four or more decimals: 1.5 may be anyone's).
    let col = all["columns"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c["metric"] == "ind2.relative_likelihood")
        .unwrap();
    let starred: std::collections::BTreeSet<&str> = all["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["values"][col] == "*")
        .map(|r| r["org_code"].as_str().unwrap())
        .collect();
    let hidden: Vec<f64> = sql_csv(
        &f.wh,
        "SELECT org_code, value FROM org_metrics WHERE year = 2025 \
         AND metric = 'ind2.relative_likelihood' AND value IS NOT NULL ORDER BY org_code",
    )
    .iter()
    .filter(|r| starred.contains(&r[0]))
    .map(|r| r[1].parse().unwrap())
    .filter(|x: &f64| (x * 1e4).fract().abs() > 1e-6)
    .collect();
    assert!(
        hidden.len() > 3,
        "starred ratios to look for ({})",
        hidden.len()
    );
    let mut numbers = Vec::new();
    numbers_in(&data, &mut numbers);
    for h in &hidden {
        assert!(
            !numbers.iter().any(|n| (n - h).abs() <= 1e-9 * h.abs()),
            "a starred trust's ratio {h} is in the page"
        );
    }
}

fn numbers_in(v: &serde_json::Value, out: &mut Vec<f64>) {
    match v {
        serde_json::Value::Number(n) => out.extend(n.as_f64()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| numbers_in(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| numbers_in(x, out)),
        _ => {}
    }
}

/// Every control has a label a screen reader reads, and the choice is kept
/// in the address after it is made with the keyboard-reachable controls.
#[test]
fn the_explorer_controls_are_labelled() {
    let f = full_export();
    let page = f.out.join("2025/explorer.html");
    let Some(browser) = chromium() else { return };
    let dom = dump_dom(
        &browser,
        &format!("file://{}#region=London", page.display()),
    );
    let mut ids = Vec::new();
    for tag in ["<select ", "<input "] {
        for (i, _) in dom.match_indices(tag) {
            let t = &dom[i..i + dom[i..].find('>').unwrap()];
            let id = t.split("id=\"").nth(1).map(|s| &s[..s.find('"').unwrap()]);
            ids.push(id.expect("every control has an id").to_string());
        }
    }
    assert!(ids.len() >= 5, "{ids:?}");
    for id in &ids {
        assert!(
            dom.contains(&format!(r#"for="{id}""#)),
            "control {id} has a label"
        );
    }
    // Checkboxes for every headline figure, checked by default; a live status.
    assert!(dom.matches(r#"type="checkbox""#).count() >= 10);
    assert!(dom.contains(r#"role="status" aria-live="polite""#));
    assert!(dom.contains("Showing "));
    // Charts are images with a title and description.
    assert_eq!(
        dom.matches(r#"role="img""#).count(),
        dom.matches("<desc").count()
    );
}
