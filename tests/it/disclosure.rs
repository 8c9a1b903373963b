//! Disclosure control (spec/indicators.md, "Disclosure control"): every file
//! of a full export is scanned for other trusts' figures derived from counts
//! of 1 to 7. The forbidden figures are worked out here from the returns
//! themselves, not from the code under test's own suppression logic.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use calamine::Reader;

use crate::common::*;

const YEAR: i32 = 2025;

fn num(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

fn same(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

/// A figure worth looking for: not a whole number (counts of 1-7 are
/// checked where trusts are named, in the peer tables), not 0.
fn findable(v: f64) -> bool {
    v.fract() != 0.0
}

/// Per trust: the fractional figures of indicators 1-4 that come from a count
/// of 1 to 7 (indicator 9 is exempt; 5-8 are survey percentages, suppressed
/// by response counts instead).
type Figures = HashMap<String, Vec<f64>>;

/// (forbidden figures per trust, every figure per trust, published statistics).
fn forbidden_figures(wh: &Path) -> (Figures, Figures, Vec<f64>) {
    // Small counts, from the returns: (org, indicator, staff_group, category).
    let mut small_ind1: Vec<(String, String, String)> = Vec::new();
    let mut small_ind: Vec<(String, String)> = Vec::new();
    for r in sql_csv(
        wh,
        &format!(
            "SELECT org_code, indicator, staff_group, category, value FROM returns \
             WHERE year = {YEAR} AND indicator BETWEEN 1 AND 4 AND ethnicity IN ('white', 'bme') \
             AND value >= 1 AND value <= 7 ORDER BY 1, 2, 3, 4"
        ),
    ) {
        if &r[1] == "1" {
            small_ind1.push((r[0].into(), r[2].into(), r[3].into()));
        } else {
            small_ind.push((r[0].into(), r[1].into()));
        }
    }
    let mut forbidden: Figures = HashMap::new();
    let mut all: Figures = HashMap::new();
    let mut allowed: Vec<f64> = Vec::new();
    for r in sql_csv(
        wh,
        &format!(
            "SELECT org_code, metric, staff_group, category, value, ci_low, ci_high FROM org_metrics \
             WHERE year = {YEAR} AND value IS NOT NULL ORDER BY 1, 2, 3, 4"
        ),
    ) {
        let (org, metric, sg, cat) = (&r[0], &r[1], &r[2], &r[3]);
        let ind = metric
            .strip_prefix("ind")
            .and_then(|m| m.split('.').next())
            .unwrap_or("")
            .to_string();
        let small = match ind.as_str() {
            "1" => small_ind1
                .iter()
                .any(|(o, s, c)| o == org && s == sg && c == cat),
            "2" | "3" | "4" => small_ind.iter().any(|(o, i)| o == org && *i == ind),
            _ => false,
        };
        let vals: Vec<f64> = (4..7)
            .filter_map(|i| num(&r[i]))
            .filter(|v| findable(*v))
            .collect();
        all.entry(org.to_string())
            .or_default()
            .extend(vals.iter().copied());
        if small {
            forbidden.entry(org.to_string()).or_default().extend(vals);
        } else {
            allowed.extend(vals);
        }
    }
    // Group, region and national statistics are published (a median may
    // equal one trust's value); min and max are not, so they stay out.
    for table in ["group_metrics", "region_metrics"] {
        for r in sql_csv(
            wh,
            &format!("SELECT median, q1, q3 FROM {table} WHERE year = {YEAR}"),
        ) {
            allowed.extend((0..3).filter_map(|i| num(&r[i])));
        }
    }
    for r in sql_csv(wh, "SELECT * FROM national_metrics") {
        allowed.extend(r.iter().filter_map(num));
    }
    allowed.sort_by(f64::total_cmp);
    (forbidden, all, allowed)
}

fn numbers_in_json(v: &serde_json::Value, out: &mut Vec<f64>) {
    match v {
        serde_json::Value::Number(n) => out.extend(n.as_f64()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| numbers_in_json(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| numbers_in_json(x, out)),
        serde_json::Value::String(s) => out.extend(numbers_in_text(s)),
        _ => {}
    }
}

/// Decimal numbers written with four or more decimals (a figure at full or
/// near-full precision; two-decimal figures collide by chance and are
/// checked where trusts are named).
fn numbers_in_text(text: &str) -> Vec<f64> {
    let mut out = Vec::new();
    for tok in text.split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == 'e')) {
        if let Some((_, dec)) = tok.split_once('.')
            && dec.chars().take_while(char::is_ascii_digit).count() >= 4
            && let Some(v) = num(tok)
        {
            out.push(v);
        }
    }
    out
}

fn numbers_in_xlsx(path: &Path) -> Vec<f64> {
    let mut wb = calamine::open_workbook_auto(path).unwrap();
    let mut out = Vec::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).unwrap();
        for c in range.used_cells() {
            match c.2 {
                calamine::Data::Float(f) => out.push(*f),
                calamine::Data::String(s) => out.extend(numbers_in_text(s)),
                _ => {}
            }
        }
    }
    out
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Issue 9, item 4: funnels carried every other trust's exact ratio, and
/// benchmark blocks their min and max, so a ratio starred in a region pack
/// could be recovered. Every HTML, Excel, JSON and CSV file of a full export
/// (trust packs, region packs, national summary, peer tables) is scanned.
#[test]
fn no_file_of_a_full_export_carries_another_trusts_small_count_figure() {
    let FullExport { wh, out, .. } = full_export();
    let (wh, out) = (wh.as_path(), out.as_path());
    let (forbidden, all, allowed) = forbidden_figures(wh);
    let n_forbidden: usize = forbidden.values().map(Vec::len).sum();
    assert!(
        n_forbidden > 100,
        "the synthetic data must have small counts for the scan to mean anything ({n_forbidden})"
    );
    let is_allowed = |v: f64| {
        let i = allowed.partition_point(|a| *a < v - 1e-9 * v.abs());
        allowed.get(i).is_some_and(|a| same(*a, v))
    };

    let mut files = Vec::new();
    files_under(out, &mut files);
    files.sort();
    let mut scanned: BTreeMap<&str, usize> = BTreeMap::new();
    let mut leaks = Vec::new();
    for f in &files {
        let ext = f.extension().and_then(|e| e.to_str()).unwrap_or("");
        let numbers = match ext {
            "json" => {
                let v = read_json(f);
                let mut n = Vec::new();
                numbers_in_json(&v, &mut n);
                n
            }
            "xlsx" => numbers_in_xlsx(f),
            "html" | "csv" | "svg" => numbers_in_text(&std::fs::read_to_string(f).unwrap()),
            _ => continue,
        };
        *scanned
            .entry(if ext == "svg" { "html" } else { ext })
            .or_default() += 1;
        // A trust's own pack shows its own figures.
        let own = f
            .parent()
            .filter(|p| p.parent().is_some_and(|t| t.ends_with("trusts")))
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().to_string());
        // Intervals depend on counts alone, so two trusts with the same counts
        // share them: a figure of the pack's own trust is its own.
        let own_values = own.as_ref().and_then(|o| all.get(o));
        let is_own = |v: f64| own_values.is_some_and(|vals| vals.iter().any(|x| same(*x, v)));
        for v in numbers
            .into_iter()
            .filter(|v| findable(*v) && !is_allowed(*v) && !is_own(*v))
        {
            for (org, vals) in &forbidden {
                if Some(org) != own.as_ref() && vals.iter().any(|x| same(*x, v)) {
                    leaks.push(format!(
                        "{}: {v} ({org})",
                        f.strip_prefix(out).unwrap().display()
                    ));
                }
            }
        }
    }
    for ext in ["html", "xlsx", "json", "csv"] {
        assert!(
            scanned.get(ext).copied().unwrap_or(0) > 0,
            "no {ext} files scanned: {scanned:?}"
        );
    }
    assert!(scanned["json"] > 150, "{scanned:?}");
    assert!(
        leaks.is_empty(),
        "{} leaks, e.g. {:#?}",
        leaks.len(),
        &leaks[..leaks.len().min(10)]
    );
}
