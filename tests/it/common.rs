//! Helpers shared by the integration tests.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use wresbench::ingest::ValidateOptions;
use wresbench::register::Register;
use wresbench::warehouse::{self, IngestOptions, IngestSummary};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn fixture(rel: &str) -> PathBuf {
    fixtures().join(rel)
}

pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// Validation options pinned to a fixed "today", so tests do not age.
pub fn vopts() -> ValidateOptions {
    ValidateOptions { max_year: 2027 }
}

pub fn ingest(inputs: &[PathBuf], wh: &Path) -> IngestSummary {
    try_ingest(inputs, wh).expect("ingest")
}

pub fn try_ingest(inputs: &[PathBuf], wh: &Path) -> warehouse::Result<IngestSummary> {
    warehouse::ingest(&IngestOptions {
        inputs: inputs.to_vec(),
        warehouse: wh.to_path_buf(),
        register: Register::builtin(),
        validate: vopts(),
        progress: false,
    })
}

/// Ingests `inputs` into `wh` and runs the benchmark (built-in register,
/// default parameters).
pub fn ingest_and_benchmark(inputs: &[PathBuf], wh: &Path) -> IngestSummary {
    let s = ingest(inputs, wh);
    benchmark(wh);
    s
}

/// Runs the benchmark of every out-of-date year (built-in register,
/// default parameters).
pub fn benchmark(wh: &Path) {
    wresbench::engine::benchmark(
        wh,
        &Register::builtin(),
        &wresbench::engine::Params::default(),
        wresbench::engine::Years::OutOfDate,
    )
    .expect("benchmark");
}

/// Every result table as CSV rows, in a fixed order.
pub fn result_tables(wh: &Path) -> Vec<Vec<csv::StringRecord>> {
    [
        "SELECT org_code, year, metric, staff_group, category, ethnicity, value, numerator, denominator, \
         ci_low, ci_high, suppressed, array_to_string(flags, ';') AS flags FROM org_metrics \
         ORDER BY org_code, year, metric, staff_group, category, ethnicity",
        "SELECT * FROM group_metrics ORDER BY benchmark_group, year, metric, staff_group, category, ethnicity",
        "SELECT * FROM region_metrics ORDER BY level, area, year, metric, staff_group, category, ethnicity",
        "SELECT * FROM national_metrics ORDER BY year, metric, staff_group, category, ethnicity",
        "SELECT * FROM org_positions ORDER BY org_code, year, metric, staff_group, category, ethnicity",
    ]
    .iter()
    .map(|q| sql_csv(wh, q))
    .collect()
}

/// Asserts that two dumps of the same tables (CSV rows per table) are equal
/// cell for cell, numbers to 1e-12 relative: a sum of non-integer figures
/// (a response-weighted national survey percentage, the sum of pct x
/// responses) may add in another order when the batches differ.
pub fn assert_same_tables(
    a: &[Vec<csv::StringRecord>],
    b: &[Vec<csv::StringRecord>],
    names: (&str, &str),
) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert!(x.len() > 100, "too few rows to compare: {}", x.len());
        assert_eq!(x.len(), y.len());
        for (l, r) in x.iter().zip(y) {
            let same = l.len() == r.len()
                && l.iter().zip(r).all(|(a, b)| {
                    a == b
                        || matches!((a.parse::<f64>(), b.parse::<f64>()),
                            (Ok(a), Ok(b)) if (a - b).abs() <= 1e-12 * a.abs().max(1.0))
                });
            assert!(same, "{} {l:?}\n{} {r:?}", names.0, names.1);
        }
    }
}

/// Every file under `dir` with its bytes (for byte-identical comparisons).
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    fn walk(root: &Path, d: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(rd) = std::fs::read_dir(d) else { return };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().display().to_string();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    walk(dir, dir, &mut out);
    out
}

pub fn bin() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("wresbench").expect("binary built")
}

/// A query through `wresbench sql --format csv`, as the CSV text it prints.
pub fn sql_text(wh: &Path, query: &str) -> String {
    let out = bin()
        .args(["sql", "--format", "csv", "--warehouse"])
        .arg(wh)
        .arg(query)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "sql on {}: {}",
        wh.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `wresbench export` of `wh` into `out` (with `extra` arguments), which must succeed.
pub fn export_ok(wh: &Path, out: &Path, extra: &[&str]) {
    bin()
        .arg("export")
        .args(extra)
        .args(["--no-progress", "--warehouse"])
        .arg(wh)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
}

/// `wresbench export` of `wh` into `out`, which must be refused with exit
/// code 2; its stderr.
pub fn export_refused(wh: &Path, out: &Path) -> String {
    let refused = bin()
        .args(["export", "--no-progress", "--warehouse"])
        .arg(wh)
        .arg("--out")
        .arg(out)
        .assert()
        .code(2);
    String::from_utf8_lossy(&refused.get_output().stderr).to_string()
}

/// A query through `wresbench sql --format csv`, as records.
pub fn sql_csv(wh: &Path, query: &str) -> Vec<csv::StringRecord> {
    let text = sql_text(wh, query);
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect()
}

/// A full export of one generated national year (made once, shared by the
/// tests that read it): the warehouse, the packs folder.
///
/// It lives in a static, and statics are never dropped, so its folder
/// outlives the test process: it is made under cargo's own scratch folder
/// (`target/tmp`, which `cargo clean` empties) rather than the system's, and
/// any left there by a run more than a day old is removed first (85 MB each;
/// one `make test` left one in `/tmp` every time before this).
pub struct FullExport {
    _dir: tempfile::TempDir,
    pub wh: PathBuf,
    pub out: PathBuf,
}

/// Removes the full exports earlier test runs left behind; a day old at
/// least, so that one another test process is still reading is kept.
fn remove_stale_full_exports(scratch: &Path) {
    let day = std::time::Duration::from_secs(24 * 3600);
    let Ok(entries) = std::fs::read_dir(scratch) else {
        return;
    };
    for e in entries.flatten() {
        let stale = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > day);
        if stale
            && e.file_name()
                .to_string_lossy()
                .starts_with(FULL_EXPORT_PREFIX)
        {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

pub fn full_export() -> &'static FullExport {
    static ONCE: std::sync::OnceLock<FullExport> = std::sync::OnceLock::new();
    ONCE.get_or_init(make_full_export)
}

const FULL_EXPORT_PREFIX: &str = "full-export-";

fn make_full_export() -> FullExport {
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR"));
    remove_stale_full_exports(scratch);
    let dir = tempfile::Builder::new()
        .prefix(FULL_EXPORT_PREFIX)
        .tempdir_in(scratch)
        .expect("temp dir under target/tmp");
    let d = dir.path().join("synth");
    let wh = dir.path().join("wh");
    let out = dir.path().join("packs");
    bin()
        .args(["generate", "--no-progress", "--years", "2025-2025", "--out"])
        .arg(&d)
        .assert()
        .success();
    bin()
        .args(["run", "--no-progress", "--warehouse"])
        .arg(&wh)
        .arg("--out")
        .arg(&out)
        .arg(d.join("returns"))
        .arg(d.join("survey"))
        .assert()
        .success();
    let regions: Vec<String> = sql_csv(
        &wh,
        "SELECT DISTINCT area FROM region_metrics WHERE level = 'region' ORDER BY area",
    )
    .iter()
    .map(|r| r[0].to_string())
    .collect();
    assert!(regions.len() >= 7, "{regions:?}");
    let peers_dir = out.join("peers");
    std::fs::create_dir_all(&peers_dir).unwrap();
    for (i, region) in regions.iter().enumerate() {
        bin()
            .args(["peers", "--format", "csv", "--warehouse"])
            .arg(&wh)
            .args(["--region", region, "--output"])
            .arg(peers_dir.join(format!("region-{i}.csv")))
            .assert()
            .success();
    }
    FullExport { _dir: dir, wh, out }
}

/// The file behind a logical name in the warehouse's current snapshot.
pub fn current(wh: &Path, logical: &str) -> PathBuf {
    warehouse::Snapshot::load(wh)
        .expect("snapshot")
        .path(wh, logical)
        .unwrap_or_else(|| panic!("{logical} is in the snapshot"))
}

/// A JSON file (a pack, say), parsed.
pub fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One part of an .xlsx (a zip), as text.
pub fn xlsx_part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut xml).unwrap();
    xml
}

/// Asserts a workbook stores the fixed creation and modification time
/// (`fixed_properties`), never the clock's: two builds compared within one
/// second would agree either way, so the date itself is what is checked.
pub fn assert_fixed_workbook_dates(bytes: &[u8]) {
    let core = xlsx_part(bytes, "docProps/core.xml");
    let fixed = "2015-04-01T00:00:00Z";
    for tag in ["dcterms:created", "dcterms:modified"] {
        let open = format!("<{tag} xsi:type=\"dcterms:W3CDTF\">");
        let at = core
            .find(&open)
            .unwrap_or_else(|| panic!("no {tag} in {core}"))
            + open.len();
        assert_eq!(&core[at..at + fixed.len()], fixed, "{tag}");
    }
}

/// The names of an .xlsx's parts that start with `prefix` (`xl/charts/chart`).
pub fn xlsx_parts(bytes: &[u8], prefix: &str) -> Vec<String> {
    let zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut names: Vec<String> = (0..zip.len())
        .filter_map(|i| {
            zip.name_for_index(i)
                .and_then(|n| n.ok())
                .map(|n| n.to_string())
        })
        .filter(|n| n.starts_with(prefix))
        .collect();
    names.sort();
    names
}

/// Headless Chromium, when installed. Browser tests skip without it on a
/// developer's machine, but fail in CI (`.ci/run` installs it and sets
/// `WRESBENCH_REQUIRE_BROWSER`), so they never silently stop running there.
pub fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|b| which(b));
    if found.is_none() {
        assert!(
            std::env::var_os("WRESBENCH_REQUIRE_BROWSER").is_none(),
            "no chromium on PATH (apt-get install chromium)"
        );
        eprintln!("skipped: no chromium on PATH (apt-get install chromium)");
    }
    found
}

fn which(bin: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(bin))
            .find(|p| p.is_file())
    })
}

/// The DOM of a page after its scripts ran, from headless Chromium.
pub fn dump_dom(browser: &Path, url: &str) -> String {
    let profile = tempdir();
    let out = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--virtual-time-budget=2000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(url)
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 DOM")
}

/// A warehouse at `dir/wh` holding the Humber 2021 fixture (RV9's workforce
/// return and survey results), ingested, not benchmarked.
pub fn humber_warehouse(dir: &Path) -> PathBuf {
    let wh = dir.join("wh");
    ingest(
        &[
            fixture("humber-2021/RV9-2021-workforce.csv"),
            fixture("humber-2021/RV9-survey.csv"),
        ],
        &wh,
    );
    wh
}
