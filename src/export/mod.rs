//! Comparison packs: per trust (JSON `wres-pack/2`, Excel, HTML) and an
//! index page, from the result tables of the warehouse.
//!
//! The data is read once ([`data::Results`]), each pack is assembled as one
//! [`Pack`] value, and the three formats are renderings of that value, so
//! they cannot disagree. Output is deterministic: no wall-clock time outside
//! provenance (which quotes the ledger's own timestamps).

pub mod areas;
pub mod charts;
pub mod doc;
pub mod explorer;
pub mod findings;
pub mod html;
pub mod national;
pub mod peer_pages;
pub mod region;
pub mod render_html;
pub mod render_xlsx;
pub mod trust_sections;
pub mod xlsx;

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::engine::{self, Engine};
use crate::fmt;
use crate::metric::{Direction, Kind, Metric, Sample};
use crate::params::Params;
use crate::register::{Organisation, Register};
use crate::results::{self as data, return_statuses, year_funnels};
pub use crate::results::{
    Funnel, FunnelPoint, NotPlotted, Quality, ReturnError, ReturnStatus, SubmissionRef,
};
use crate::stats::RrKind;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Engine(#[from] crate::engine::Error),
    #[error(transparent)]
    Warehouse(#[from] crate::warehouse::Error),
    #[error(transparent)]
    Results(#[from] crate::results::Error),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A workbook (a trust pack, a region pack, the national report) could not be made.
    #[error("cannot write the workbook {path}: {source}")]
    Xlsx {
        path: PathBuf,
        source: rust_xlsxwriter::XlsxError,
    },
    #[error("cannot render {path}: {source}")]
    Html {
        path: PathBuf,
        source: askama::Error,
    },
    #[error("cannot encode JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// `export --org` of a trust with no figures that year; says how to list those that have.
    #[error(
        "{org} is not in the results for {year}; trusts with figures that year: wresbench sql --warehouse {} \"SELECT DISTINCT org_code FROM org_metrics WHERE year = {year}\"", warehouse.display()
    )]
    NoSuchOrg {
        org: String,
        year: i32,
        warehouse: PathBuf,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Schema name of the JSON pack.
pub const PACK_SCHEMA: &str = "wres-pack/2";
/// The JSON Schema every JSON pack validates against (shipped with the tool).
pub const PACK_JSON_SCHEMA: &str = include_str!("../../schemas/wres-pack-2.schema.json");
/// Years of trend shown in packs.
pub const TREND_YEARS: i32 = 5;

#[derive(Debug, Clone, Serialize)]
pub struct Pack {
    pub schema: &'static str,
    pub tool: &'static str,
    pub year: i32,
    /// The staff survey year that WRES year `year` carries (`year - 1`).
    pub survey_year: i32,
    /// Made from generated (synthetic) returns, not real ones.
    pub synthetic: bool,
    pub org: PackOrg,
    /// Each section of this year's return: accepted, rejected (with its
    /// errors) or missing.
    pub returns: Vec<ReturnStatus>,
    pub figures: Vec<Figure>,
    pub summary: Vec<Headline>,
    pub funnels: Vec<Funnel>,
    pub findings: Vec<Finding>,
    pub data_quality: Vec<Quality>,
    pub method_notes: Vec<String>,
    pub params: PackParams,
    pub provenance: Provenance,
}

impl Pack {
    /// The figure of `metric` for one breakdown (empty strings where none).
    pub fn figure(
        &self,
        metric: Metric,
        staff_group: &str,
        category: &str,
        ethnicity: &str,
    ) -> Option<&Figure> {
        self.figures.iter().find(|f| {
            f.metric == metric
                && f.staff_group.as_deref().unwrap_or("") == staff_group
                && f.category.as_deref().unwrap_or("") == category
                && f.ethnicity.as_deref().unwrap_or("") == ethnicity
        })
    }
}

/// The organisation as the pack schema names it.
#[derive(Debug, Clone, Serialize)]
pub struct PackOrg {
    pub code: String,
    pub name: String,
    pub benchmark_group: String,
    pub region: String,
    pub icb_code: String,
    pub icb_name: String,
}

impl From<&Organisation> for PackOrg {
    fn from(o: &Organisation) -> Self {
        PackOrg {
            code: o.org_code.clone(),
            name: o.org_name.clone(),
            benchmark_group: o.benchmark_group.clone(),
            region: o.region.clone(),
            icb_code: o.icb_code.clone(),
            icb_name: o.icb_name.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub metric: Metric,
    pub indicator: u8,
    pub staff_group: Option<String>,
    pub category: Option<String>,
    pub ethnicity: Option<String>,
    pub value: Option<f64>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub suppressed: bool,
    pub flags: Vec<String>,
    pub judgement: Judgement,
    pub benchmark: Option<GroupStats>,
    pub region: Option<AreaStats>,
    pub national: Option<NationalStats>,
    pub trend: Vec<TrendPoint>,
}

impl Figure {
    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }

    fn median(&self) -> Option<f64> {
        self.benchmark.as_ref().and_then(|b| b.median)
    }

    /// Decimals for this figure's value: a relative likelihood is judged on
    /// its value against the parity band, so it prints on the right side of
    /// both edges (0.7996, not 0.80, when flagged below 0.80).
    pub fn value_decimals(&self, v: f64, band: [f64; 2]) -> usize {
        match self.metric.kind() {
            Kind::RelativeLikelihood => fmt::decimals_beside(v, self.metric.decimals(), &band),
            _ => self.metric.decimals(),
        }
    }

    /// Decimals for an interval bound: parity is judged by whether the
    /// interval contains 1 and the benchmark by whether it contains the median.
    pub fn bound_decimals(&self, v: f64) -> usize {
        let mut refs = vec![self.median().unwrap_or(f64::NAN)];
        if self.metric.kind() == Kind::RelativeLikelihood {
            refs.push(1.0);
        }
        fmt::decimals_beside(v, self.metric.decimals(), &refs)
    }

    /// Decimals for the benchmark median, beside this trust's interval.
    pub fn median_decimals(&self, m: f64) -> usize {
        let refs = [
            self.ci_low.unwrap_or(f64::NAN),
            self.ci_high.unwrap_or(f64::NAN),
        ];
        fmt::decimals_beside(m, self.metric.decimals(), &refs)
    }

    /// The value as printed (see `value_decimals`).
    pub fn value_text(&self, v: f64, band: [f64; 2]) -> String {
        fmt::metric_value_at(self.metric, v, self.value_decimals(v, band))
    }

    /// An interval bound as printed (see `bound_decimals`).
    pub fn bound_text(&self, v: f64) -> String {
        fmt::metric_value_at(self.metric, v, self.bound_decimals(v))
    }

    /// The benchmark median as printed (see `median_decimals`).
    pub fn median_text(&self, m: f64) -> String {
        fmt::metric_value_at(self.metric, m, self.median_decimals(m))
    }
}

/// The three questions of "Judging a figure", each with its own words
/// ([`crate::metric::words`]).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Judgement {
    pub parity: Option<&'static str>,
    pub benchmark: Option<&'static str>,
    pub trend: Option<&'static str>,
    /// Said of a survey trend with a group under the trend threshold.
    pub trend_note: Option<String>,
}

/// The benchmark group's statistics as a pack may show them: q1, median and
/// q3 only from at least `min_trusts` trusts; best and worst only for staff
/// survey percentages; never min or max of other trusts otherwise.
#[derive(Debug, Clone, Serialize)]
pub struct GroupStats {
    pub group: String,
    pub median: Option<f64>,
    pub q1: Option<f64>,
    pub q3: Option<f64>,
    pub n_orgs: i64,
    pub best: Option<f64>,
    pub worst: Option<f64>,
    pub rank: Option<i64>,
    pub quartile: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AreaStats {
    pub name: String,
    pub median: Option<f64>,
    pub n_orgs: i64,
    pub rank: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NationalStats {
    pub pooled: Option<f64>,
    pub median: Option<f64>,
    pub n_orgs: i64,
    pub share_significant_above_1: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrendPoint {
    pub year: i32,
    pub value: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub denominator: Option<f64>,
    pub suppressed: bool,
    pub benchmark_median: Option<f64>,
    pub national_pooled: Option<f64>,
}

/// A headline figure against the benchmark median.
#[derive(Debug, Clone, Serialize)]
pub struct Headline {
    pub metric: Metric,
    /// What the figure is, for people: survey figures say they are BME
    /// staff's and which survey year ("Ind 5: BME staff, harassment from
    /// public % (staff survey 2024)").
    pub label: String,
    pub ethnicity: Option<String>,
    pub category: Option<String>,
    pub value: Option<f64>,
    pub benchmark_median: Option<f64>,
    /// The benchmark judgement (`better`, `similar`, `worse`, `favours_bme`,
    /// `above`, `below`), or None when there is no value or no median.
    pub judgement: Option<&'static str>,
    pub method: &'static str,
    /// Decimals to print the value and the median at (display only; see
    /// `Figure::value_decimals` and `Figure::median_decimals`).
    #[serde(skip)]
    pub value_decimals: usize,
    #[serde(skip)]
    pub median_decimals: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub indicator: u8,
    pub text: String,
}

/// The thresholds the pack's figures and sentences used.
#[derive(Debug, Clone, Serialize)]
pub struct PackParams {
    pub min_responses: f64,
    pub min_count: f64,
    pub small_numbers: f64,
    pub parity_band: [f64; 2],
    pub model_employer_year: i32,
    pub min_trusts: i64,
    pub trend_min_responses: f64,
}

impl From<&Params> for PackParams {
    fn from(p: &Params) -> Self {
        PackParams {
            min_responses: p.min_responses,
            min_count: p.min_count,
            small_numbers: p.small_numbers,
            parity_band: [p.parity_low, p.parity_high],
            model_employer_year: p.model_employer_year,
            min_trusts: p.min_trusts,
            trend_min_responses: p.trend_min_responses,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Provenance {
    pub submissions: Vec<SubmissionRef>,
    pub queries: serde_json::Map<String, serde_json::Value>,
    pub register: String,
    pub results_built_from_ledger_at: Option<String>,
}

/// The method notes, every threshold printed from the run's parameters.
pub fn method_notes(p: &Params) -> Vec<String> {
    let r2 = |v: f64| fmt::fixed(v, 2);
    let n = |v: f64| fmt::plain_number(v);
    vec![
        "Every figure is computed from the counts in the trust's return, never from ratios printed elsewhere.".into(),
        format!("Average calculated as the median for the benchmark group: the median of trust values in the NHS Staff Survey benchmarking group, not a pooled figure and not a mean. Quartiles interpolate linearly (Excel QUARTILE.INC). Medians and quartiles are shown only when at least {} trusts have a value; best and worst only for the staff survey indicators.", p.min_trusts),
        "National figures are pooled: numerators and denominators summed over every trust, then the formula applied (survey percentages weighted by responses; survey gaps over trusts with both groups shown; relative likelihoods over trusts with both denominators above zero).".into(),
        "Intervals are 95%: Wilson score for percentages, Katz (log scale) for relative likelihoods, Newcombe's hybrid score for survey gaps. A relative likelihood is significant when its interval excludes 1.".into(),
        "Relative likelihoods are oriented so that above 1 is adverse to BME staff. A zero in the first group is a real result of 0 (its interval adds 0.5 to each count); a zero in the comparison group is an infinite ratio, counted in medians as the most extreme value; only a zero denominator, or zeros in both groups, leave a ratio undefined.".into(),
        format!("Against parity: relative likelihoods below {} or above {} are outside the four-fifths band used in equality monitoring. Against the benchmark median: similar when the 95% interval contains the median, otherwise better or worse by the indicator's direction; a relative likelihood below {} favours BME staff and is never called better or worse. Over time: improving or worsening only when the change from the first to the last year shown is significant at 95%, otherwise no clear change.", r2(p.parity_low), r2(p.parity_high), r2(p.parity_low)),
        format!("Staff survey groups with fewer than {} responses are suppressed and left out of medians; a survey trend with a group under {} responses in any year says so. WRES year Y carries the staff survey run in autumn Y-1; survey columns are labelled by survey year.", n(p.min_responses), n(p.trend_min_responses)),
        "Unknown ethnicity counts in overall denominators and never in a White-versus-BME ratio. Where indicator 1 is missing, indicator 3's workforce stands in for the overall workforce.".into(),
        format!("Model Employer: the BME headcount each band of 8a and above (and 8a and above together) would need to mirror the trust's overall BME share, rounded half up; the annual goal spreads it over the years to {} and is not given from {} on.", p.model_employer_year, p.model_employer_year),
        format!("Funnel plots place each trust at its own precision (1 / Katz variance of the log ratio), with 95% and 99.8% limits around the national pooled ratio. Zero and infinite ratios are counted under the plot; other trusts whose counts include 1 to {} people are left out of the plot, and other trusts' precision is rounded to two significant figures.", n(p.min_count - 1.0)),
    ]
}

/// Options of `wresbench export`.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    pub warehouse: PathBuf,
    pub out: PathBuf,
    pub year: Option<i32>,
    pub orgs: Vec<String>,
    pub progress: bool,
    /// The returns are generated (synthetic) data: packs say so.
    pub synthetic: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ExportSummary {
    pub year: i32,
    pub packs: usize,
    pub files: usize,
    pub index: PathBuf,
    /// Packs that could not be written, with why: one trust's failure never
    /// stops the others' packs, the index or the region packs.
    pub failed: Vec<(String, String)>,
}

/// What every page and sheet made from synthetic returns says (the trust
/// pack's HTML banner says it in its own layout).
pub const SYNTHETIC_NOTE: &str = "SYNTHETIC DATA: real trust names with made-up figures, generated for demonstration; not any trust's WRES results.";

/// Writes every trust's pack for the year, three formats each, and the index.
pub fn export(register: &Register, opts: &ExportOptions) -> Result<ExportSummary> {
    let engine = Engine::open(&opts.warehouse, register, &Params::default())?;
    let results = data::Results::load(&engine, register)?;
    export_results(&results, register, opts)
}

/// [`export`] from result tables already loaded (the `export` command loads
/// them once for the packs and the region and national pages).
pub fn export_results(
    results: &data::Results,
    register: &Register,
    opts: &ExportOptions,
) -> Result<ExportSummary> {
    let year = match opts.year {
        Some(y) => y,
        None => *results
            .years
            .last()
            .ok_or_else(|| engine::Error::NoResults(opts.warehouse.clone()))?,
    };
    if !results.years.contains(&year) {
        return Err(engine::Error::no_such_year(year, &results.years).into());
    }
    let orgs = chosen_orgs(results, register, opts, year)?;
    let year_dir = opts.out.join(year.to_string());
    let trusts_dir = year_dir.join("trusts");
    std::fs::create_dir_all(&trusts_dir).map_err(io(&trusts_dir))?;

    // Funnels depend on the year and metric only: built once, shared by every pack.
    let funnels_of_year = year_funnels(results, year);
    let synthetic = opts.synthetic || results.synthetic;
    let bar = crate::progress::bar(orgs.len() as u64, "writing packs", opts.progress);
    let written: Vec<Result<()>> = orgs
        .par_iter()
        .map(|o| {
            let pack = build_pack(results, o, year, &funnels_of_year, synthetic)?;
            write_pack(&pack, &trusts_dir.join(&o.org_code))?;
            bar.inc(1);
            Ok(())
        })
        .collect();
    bar.finish_and_clear();
    let mut written_now = 0;
    let mut failed = Vec::new();
    for (w, o) in written.into_iter().zip(&orgs) {
        match w {
            Ok(()) => written_now += 1,
            Err(e) => {
                tracing::error!("pack for {} not written: {e}", o.org_code);
                failed.push((o.org_code.clone(), e.to_string()));
            }
        }
    }
    let index = write_index(results, register, year, &year_dir, synthetic)?;
    Ok(ExportSummary {
        year,
        packs: written_now,
        files: written_now * 3 + 1,
        index,
        failed,
    })
}

/// The trusts to write packs for: every register trust with figures in the
/// year, or those `--org` names (each must have figures).
fn chosen_orgs<'r>(
    results: &data::Results,
    register: &'r Register,
    opts: &ExportOptions,
    year: i32,
) -> Result<Vec<&'r Organisation>> {
    let mut orgs: Vec<&Organisation> = register
        .iter()
        .filter(|o| results.has_org_year(&o.org_code, year))
        .collect();
    if opts.orgs.is_empty() {
        return Ok(orgs);
    }
    for want in &opts.orgs {
        if !orgs.iter().any(|o| o.org_code.eq_ignore_ascii_case(want)) {
            return Err(Error::NoSuchOrg {
                org: want.clone(),
                year,
                warehouse: opts.warehouse.clone(),
            });
        }
    }
    orgs.retain(|o| {
        opts.orgs
            .iter()
            .any(|w| w.eq_ignore_ascii_case(&o.org_code))
    });
    Ok(orgs)
}

/// A pack's three files, `CODE-YYYY.{json,xlsx,html}`, in `dir`.
fn write_pack(pack: &Pack, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let stem = format!("{}-{}", pack.org.code, pack.year);
    let json = dir.join(format!("{stem}.json"));
    // Compact: a pack is for programs (half the bytes and the time of an
    // indented one; `jq . CODE-YYYY.json` indents it for a person).
    let mut text = serde_json::to_vec(pack)?;
    text.push(b'\n');
    std::fs::write(&json, text).map_err(io(&json))?;
    // The indicator sections, built once for the workbook and the page.
    let sections = trust_sections::sections(pack);
    let x = dir.join(format!("{stem}.xlsx"));
    let bytes = xlsx::pack_workbook(pack, &sections).map_err(|source| Error::Xlsx {
        path: x.clone(),
        source,
    })?;
    std::fs::write(&x, bytes).map_err(io(&x))?;
    let h = dir.join(format!("{stem}.html"));
    let page = html::pack_page(pack, &sections).map_err(|source| Error::Html {
        path: h.clone(),
        source,
    })?;
    std::fs::write(&h, page).map_err(io(&h))
}

/// `OUT/YYYY/index.html`. It describes every pack present for the year, not
/// only the ones this run wrote (`export --org RV9` into a full packs
/// folder), and every register trust's return status per section, pack or not.
fn write_index(
    results: &data::Results,
    register: &Register,
    year: i32,
    year_dir: &Path,
    synthetic: bool,
) -> Result<PathBuf> {
    let trusts_dir = year_dir.join("trusts");
    let rows: Vec<html::IndexRow> = register
        .iter()
        .map(|o| html::IndexRow {
            code: o.org_code.clone(),
            name: o.org_name.clone(),
            region: o.region.clone(),
            group: o.benchmark_group.clone(),
            pack: trusts_dir
                .join(&o.org_code)
                .join(format!("{}-{year}.html", o.org_code))
                .is_file(),
            statuses: return_statuses(results, &o.org_code, year)
                .into_iter()
                .map(|s| s.status)
                .collect(),
        })
        .collect();
    let index = year_dir.join("index.html");
    let page =
        html::index_page(year, &rows, synthetic.then_some(SYNTHETIC_NOTE)).map_err(|source| {
            Error::Html {
                path: index.clone(),
                source,
            }
        })?;
    std::fs::write(&index, page).map_err(io(&index))?;
    Ok(index)
}

fn empty_to_none(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// A group statistic as a pack may show it: from at least `min_trusts`.
pub(super) fn enough(n: i64, v: Option<f64>, p: &Params) -> Option<f64> {
    if n >= p.min_trusts { v } else { None }
}

/// Assembles one trust's pack.
pub fn build_pack(
    r: &data::Results,
    org: &Organisation,
    year: i32,
    funnels: &[data::FunnelData],
    synthetic: bool,
) -> Result<Pack> {
    let p = &r.params;
    let code = org.org_code.as_str();
    let mut figures = Vec::new();
    for m in r.org_rows(code, year) {
        figures.push(figure(r, org, year, &m)?);
    }
    let summary = Metric::headlines()
        .filter_map(|(metric, (sg, cat, eth))| {
            let f = figures.iter().find(|f| {
                f.metric == metric
                    && f.staff_group.as_deref().unwrap_or("") == sg
                    && f.category.as_deref().unwrap_or("") == cat
                    && f.ethnicity.as_deref().unwrap_or("") == eth
            })?;
            Some(headline(f, [p.parity_low, p.parity_high], year - 1))
        })
        .collect();
    let mut pack = Pack {
        schema: PACK_SCHEMA,
        tool: crate::TOOL,
        year,
        survey_year: year - 1,
        synthetic,
        org: org.into(),
        returns: return_statuses(r, code, year),
        figures,
        summary,
        funnels: funnels.iter().map(|f| f.for_trust(code)).collect(),
        findings: Vec::new(),
        data_quality: r.quality(code, year),
        method_notes: method_notes(p),
        params: p.into(),
        provenance: Provenance {
            submissions: r.submissions(code, year),
            queries: engine::query_hashes(),
            register: r.register_origin.clone(),
            results_built_from_ledger_at: r.built_from_ledger_at.clone(),
        },
    };
    pack.findings = findings::draft(&pack);
    Ok(pack)
}

/// One figure of a trust's pack: its value and interval, its judgements,
/// and the benchmark, region and national statistics a pack may show.
fn figure(r: &data::Results, org: &Organisation, year: i32, m: &data::OrgRow) -> Result<Figure> {
    let p = &r.params;
    let code = org.org_code.as_str();
    let Some(metric) = Metric::from_code(&m.metric) else {
        return Err(data::Error::UnknownMetric(m.metric.to_string()).into());
    };
    let key = m.key();
    let pos = r.position(code, year, key);
    let benchmark = r.group(&org.benchmark_group, year, key).map(|g| {
        let (lo, hi) = (enough(g.n_orgs, g.min, p), enough(g.n_orgs, g.max, p));
        let (best, worst) = match (metric.shows_best_worst(), metric.direction()) {
            (true, Direction::Higher) => (hi, lo),
            (true, _) => (lo, hi),
            (false, _) => (None, None),
        };
        GroupStats {
            group: org.benchmark_group.clone(),
            median: enough(g.n_orgs, g.median, p),
            q1: enough(g.n_orgs, g.q1, p),
            q3: enough(g.n_orgs, g.q3, p),
            n_orgs: g.n_orgs,
            best,
            worst,
            rank: pos.map(|x| x.group_rank),
            quartile: pos.map(|x| x.group_quartile),
        }
    });
    let region = r.region(&org.region, year, key).map(|g| AreaStats {
        name: org.region.clone(),
        median: enough(g.n_orgs, g.median, p),
        n_orgs: g.n_orgs,
        rank: pos.map(|x| x.region_rank),
    });
    let national = r.national(year, key).map(|n| NationalStats {
        pooled: n.pooled,
        median: enough(n.n_orgs, n.median, p),
        n_orgs: n.n_orgs,
        share_significant_above_1: n.share_significant_above_1,
    });
    let trend = trend_points(r, org, year, key);
    let judgement = Judgement {
        // An undefined ratio has no interval, so no parity judgement.
        parity: metric.judge_parity(m.ci_low, m.ci_high),
        benchmark: metric.judge_benchmark(
            m.value,
            m.is_infinite(),
            (m.ci_low, m.ci_high),
            benchmark.as_ref().and_then(|b| b.median),
            p,
        ),
        trend: trend_word(r, code, metric, key, &trend, p),
        trend_note: trend_note(metric, &trend, p),
    };
    Ok(Figure {
        indicator: metric.indicator(),
        metric,
        staff_group: empty_to_none(&m.staff_group),
        category: empty_to_none(&m.category),
        ethnicity: empty_to_none(&m.ethnicity),
        value: m.value,
        numerator: m.numerator,
        denominator: m.denominator,
        ci_low: m.ci_low,
        ci_high: m.ci_high,
        suppressed: m.suppressed,
        flags: m.flags.iter().map(|f| f.to_string()).collect(),
        judgement,
        benchmark,
        region,
        national,
        trend,
    })
}

/// The last [`TREND_YEARS`] years of a figure: the trust's value, its
/// benchmark median and the national figure, for the years that have one.
fn trend_points(
    r: &data::Results,
    org: &Organisation,
    year: i32,
    key: data::Key,
) -> Vec<TrendPoint> {
    let p = &r.params;
    let code = org.org_code.as_str();
    ((year - TREND_YEARS + 1)..=year)
        .filter_map(|y| {
            let own = r.org_row(code, y, key);
            let own = own.as_ref();
            let bm = r
                .group(&org.benchmark_group, y, key)
                .and_then(|g| enough(g.n_orgs, g.median, p));
            let nat = r.national(y, key).and_then(|n| n.pooled);
            (own.is_some() || bm.is_some()).then(|| TrendPoint {
                year: y,
                value: own.and_then(|o| o.value),
                ci_low: own.and_then(|o| o.ci_low),
                ci_high: own.and_then(|o| o.ci_high),
                denominator: own.and_then(|o| o.denominator),
                suppressed: own.is_some_and(|o| o.suppressed),
                benchmark_median: bm,
                national_pooled: nat,
            })
        })
        .collect()
}

/// The trend judgement from the first to the last year shown that has a
/// comparable figure (for ratios: zero and infinite included, undefined not).
fn trend_word(
    r: &data::Results,
    org: &str,
    metric: Metric,
    key: data::Key,
    trend: &[TrendPoint],
    p: &Params,
) -> Option<&'static str> {
    let samples: Vec<Sample> = trend
        .iter()
        .filter(|t| !t.suppressed)
        .filter(|t| t.value.is_some() || metric.kind() == Kind::RelativeLikelihood)
        .filter_map(|t| r.sample(org, t.year, metric, key))
        .filter(|s| !matches!(s, Sample::Ratio(c) if c.kind() == RrKind::Undefined))
        .collect();
    match samples.as_slice() {
        [first, .., last] => metric.judge_trend(first, last, p.z),
        _ => None,
    }
}

/// A survey trend whose groups are under the threshold in any year says so.
fn trend_note(metric: Metric, trend: &[TrendPoint], p: &Params) -> Option<String> {
    if metric.kind() != Kind::SurveyPct {
        return None;
    }
    let years: Vec<String> = trend
        .iter()
        .filter(|t| t.denominator.is_some_and(|n| n < p.trend_min_responses))
        .map(|t| (t.year - 1).to_string())
        .collect();
    (!years.is_empty()).then(|| {
        format!(
            "fewer than {} responses in the {} survey{}",
            fmt::plain_number(p.trend_min_responses),
            years.join(", "),
            if years.len() > 1 { "s" } else { "" }
        )
    })
}

fn headline(f: &Figure, band: [f64; 2], survey_year: i32) -> Headline {
    let median = f.median();
    let method = match (f.metric.direction(), f.ci_low.is_some()) {
        (Direction::None, _) => "above or below the benchmark median (no better direction)",
        (_, true) => "similar when the 95% interval contains the benchmark median",
        (_, false) => "similar when equal to the benchmark median as printed",
    };
    Headline {
        metric: f.metric,
        label: headline_label(f, survey_year),
        ethnicity: f.ethnicity.clone(),
        category: f.category.clone(),
        value: f.value,
        benchmark_median: median,
        judgement: f.judgement.benchmark,
        method,
        value_decimals: f
            .value
            .map_or(f.metric.decimals(), |v| f.value_decimals(v, band)),
        median_decimals: median.map_or(f.metric.decimals(), |m| f.median_decimals(m)),
    }
}

/// A headline's label: the catalogue's, and for a staff survey figure whose
/// ethnicity and survey year (the catalogue label alone reads as everyone's).
fn headline_label(f: &Figure, survey_year: i32) -> String {
    let label = f.metric.label();
    if f.metric.kind() != Kind::SurveyPct {
        return label.to_string();
    }
    let who = match f.ethnicity.as_deref() {
        Some("bme") => "BME staff, ",
        Some("white") => "White staff, ",
        _ => "",
    };
    let (head, rest) = label.split_once(": ").unwrap_or(("", label));
    format!("{head}: {who}{rest} (staff survey {survey_year})")
}
