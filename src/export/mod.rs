//! Comparison packs: per trust (JSON `wres-pack/1`, Excel, HTML) and an
//! index page, from the result tables of the warehouse.
//!
//! The data is read once ([`data::Results`]), each pack is assembled as one
//! [`Pack`] value, and the three formats are renderings of that value, so
//! they cannot disagree. Output is deterministic: no wall-clock time outside
//! provenance (which quotes the ledger's own timestamps).

pub mod data;
pub mod findings;
pub mod html;
pub mod xlsx;

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::engine::{self, Engine, Params};
use crate::model::{self, Better};
use crate::register::{Organisation, Register};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Engine(#[from] crate::engine::Error),
    #[error(transparent)]
    Warehouse(#[from] crate::warehouse::Error),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write the Excel pack {path}: {source}")]
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
    #[error(
        "{0} is not in the results for {1}; trusts with figures that year: see `wresbench sql --warehouse DIR \"SELECT DISTINCT org_code FROM org_metrics WHERE year = {1}\"`"
    )]
    NoSuchOrg(String, i32),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Schema name of the JSON pack.
pub const PACK_SCHEMA: &str = "wres-pack/1";
/// Years of trend shown in packs.
pub const TREND_YEARS: i32 = 5;

#[derive(Debug, Clone, Serialize)]
pub struct Pack {
    pub schema: &'static str,
    pub tool: &'static str,
    pub year: i32,
    /// The staff survey year that WRES year `year` carries (`year - 1`).
    pub survey_year: i32,
    pub org: PackOrg,
    pub figures: Vec<Figure>,
    pub summary: Vec<Headline>,
    pub funnels: Vec<Funnel>,
    pub findings: Vec<String>,
    pub data_quality: Vec<Quality>,
    pub method_notes: Vec<&'static str>,
    pub provenance: Provenance,
}

impl Pack {
    /// The figure of `metric` for one breakdown (empty strings where none).
    pub fn figure(
        &self,
        metric: &str,
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
    pub metric: String,
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
    pub benchmark: Option<GroupStats>,
    pub region: Option<AreaStats>,
    pub national: Option<NationalStats>,
    pub trend: Vec<TrendPoint>,
    /// `improving`, `worsening` or `no clear change` over the trend span,
    /// judged by the metric's "better" direction; absent where there is none.
    pub direction: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupStats {
    pub group: String,
    pub median: f64,
    pub q1: f64,
    pub q3: f64,
    pub min: f64,
    pub max: f64,
    pub n_orgs: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct AreaStats {
    pub name: String,
    pub median: f64,
    pub n_orgs: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct NationalStats {
    pub pooled: Option<f64>,
    pub median: f64,
    pub n_orgs: i64,
    pub share_significant_above_1: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrendPoint {
    pub year: i32,
    pub value: Option<f64>,
    pub denominator: Option<f64>,
    pub suppressed: bool,
    pub benchmark_median: Option<f64>,
    pub national_pooled: Option<f64>,
}

/// A headline figure against the benchmark median.
#[derive(Debug, Clone, Serialize)]
pub struct Headline {
    pub metric: String,
    pub label: &'static str,
    pub ethnicity: Option<String>,
    pub category: Option<String>,
    pub value: Option<f64>,
    pub benchmark_median: Option<f64>,
    /// `better`, `similar`, `worse`, or `not comparable`.
    pub band: &'static str,
    pub method: &'static str,
}

/// Funnel plot data: every trust's relative likelihood against the BME
/// denominator, with limits around the national pooled value.
#[derive(Debug, Clone, Serialize)]
pub struct Funnel {
    pub metric: String,
    pub centre: f64,
    /// (denominator, value) of every trust with a value; no organisation codes.
    pub points: Vec<(f64, f64)>,
    pub this_trust: Option<(f64, f64)>,
    /// (denominator, low95, high95, low998, high998) along the x axis.
    pub limits: Vec<(f64, f64, f64, f64, f64)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Quality {
    pub severity: String,
    pub code: String,
    pub message: String,
    pub location: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Provenance {
    pub submissions: Vec<SubmissionRef>,
    pub queries: serde_json::Map<String, serde_json::Value>,
    pub register: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubmissionRef {
    pub id: String,
    pub file: String,
    pub sha256: String,
    pub section: String,
    pub year: i32,
    pub received_at: String,
}

const HEADLINES: &[(&str, &str, &str)] = &[
    // metric, category, ethnicity
    ("ind1.bme_pct", "all", ""),
    ("ind2.relative_likelihood", "", ""),
    ("ind3.relative_likelihood", "", ""),
    ("ind4.relative_likelihood", "", ""),
    ("ind5.pct", "", "bme"),
    ("ind6.pct", "", "bme"),
    ("ind7.pct", "", "bme"),
    ("ind8.pct", "", "bme"),
    ("ind9.diff_pp", "voting", ""),
];

pub const METHOD_NOTES: &[&str] = &[
    "Every figure is computed from the counts in the trust's return, never from ratios printed elsewhere.",
    "Average calculated as the median for the benchmark group: the median of trust values in the NHS Staff Survey benchmarking group, not a pooled figure and not a mean. Quartiles interpolate linearly (Excel QUARTILE.INC).",
    "National figures are pooled: numerators and denominators summed over every trust, then the formula applied (survey percentages weighted by responses).",
    "Intervals are 95%: Wilson score for percentages, Katz (log scale) for relative likelihoods, Newcombe's hybrid score for survey gaps. A relative likelihood is significant when its interval excludes 1.",
    "Relative likelihoods below 0.80 or above 1.25 are outside the four-fifths band used in equality monitoring.",
    "Staff survey groups with fewer than 11 responses are suppressed and left out of medians. WRES year Y carries the staff survey run in autumn Y-1; survey columns are labelled by survey year.",
    "Unknown ethnicity counts in overall denominators and never in a White-versus-BME ratio. Where indicator 1 is missing, indicator 3's workforce stands in for the overall workforce.",
    "Funnel plot limits use a normal approximation on the log scale around the national pooled value, with the White denominator taken in the national White-to-BME proportion.",
];

/// Options of `wresbench export`.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    pub warehouse: PathBuf,
    pub out: PathBuf,
    pub year: Option<i32>,
    pub orgs: Vec<String>,
    pub progress: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ExportSummary {
    pub year: i32,
    pub packs: usize,
    pub files: usize,
    pub index: PathBuf,
}

/// Writes every trust's pack for the year, three formats each, and the index.
pub fn export(register: &Register, opts: &ExportOptions) -> Result<ExportSummary> {
    let engine = Engine::open(&opts.warehouse, register, &Params::default())?;
    let results = data::Results::load(&engine, register)?;
    let year = match opts.year {
        Some(y) => y,
        None => *results
            .years
            .last()
            .ok_or_else(|| engine::Error::NoResults(opts.warehouse.clone()))?,
    };
    if !results.years.contains(&year) {
        return Err(engine::Error::NoSuchYear {
            year,
            held: results
                .years
                .iter()
                .map(|y| y.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        }
        .into());
    }
    let mut orgs: Vec<&Organisation> = register
        .iter()
        .filter(|o| results.has_org_year(&o.org_code, year))
        .collect();
    if !opts.orgs.is_empty() {
        for want in &opts.orgs {
            if !orgs.iter().any(|o| o.org_code.eq_ignore_ascii_case(want)) {
                return Err(Error::NoSuchOrg(want.clone(), year));
            }
        }
        orgs.retain(|o| {
            opts.orgs
                .iter()
                .any(|w| w.eq_ignore_ascii_case(&o.org_code))
        });
    }
    let year_dir = opts.out.join(year.to_string());
    let trusts_dir = year_dir.join("trusts");
    std::fs::create_dir_all(&trusts_dir).map_err(io(&trusts_dir))?;

    let bar = crate::progress::bar(orgs.len() as u64, "writing packs", opts.progress);
    let written: Vec<Result<(String, String)>> = orgs
        .par_iter()
        .map(|o| {
            let pack = build_pack(&results, o, year);
            let dir = trusts_dir.join(&o.org_code);
            std::fs::create_dir_all(&dir).map_err(io(&dir))?;
            let stem = format!("{}-{year}", o.org_code);
            let json = dir.join(format!("{stem}.json"));
            let mut text = serde_json::to_string_pretty(&pack)?;
            text.push('\n');
            std::fs::write(&json, text).map_err(io(&json))?;
            let x = dir.join(format!("{stem}.xlsx"));
            let bytes = xlsx::pack_workbook(&pack).map_err(|source| Error::Xlsx {
                path: x.clone(),
                source,
            })?;
            std::fs::write(&x, bytes).map_err(io(&x))?;
            let h = dir.join(format!("{stem}.html"));
            let page = html::pack_page(&pack).map_err(|source| Error::Html {
                path: h.clone(),
                source,
            })?;
            std::fs::write(&h, page).map_err(io(&h))?;
            bar.inc(1);
            Ok((o.org_code.clone(), o.org_name.clone()))
        })
        .collect();
    bar.finish_and_clear();
    let mut listed = Vec::new();
    for w in written {
        listed.push(w?);
    }
    let index = year_dir.join("index.html");
    let page = html::index_page(year, &listed, register).map_err(|source| Error::Html {
        path: index.clone(),
        source,
    })?;
    std::fs::write(&index, page).map_err(io(&index))?;
    Ok(ExportSummary {
        year,
        packs: listed.len(),
        files: listed.len() * 3 + 1,
        index,
    })
}

fn empty_to_none(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// Assembles one trust's pack.
pub fn build_pack(r: &data::Results, org: &Organisation, year: i32) -> Pack {
    let mut figures = Vec::new();
    for m in r.org_rows(&org.org_code, year) {
        let key = (
            m.metric.as_str(),
            m.staff_group.as_str(),
            m.category.as_str(),
            m.ethnicity.as_str(),
        );
        let benchmark = r
            .group(&org.benchmark_group, year, key)
            .map(|g| GroupStats {
                group: org.benchmark_group.clone(),
                median: g.median,
                q1: g.q1,
                q3: g.q3,
                min: g.min,
                max: g.max,
                n_orgs: g.n_orgs,
            });
        let region = r.region(&org.region, year, key).map(|g| AreaStats {
            name: org.region.clone(),
            median: g.median,
            n_orgs: g.n_orgs,
        });
        let national = r.national(year, key).map(|n| NationalStats {
            pooled: n.pooled,
            median: n.median,
            n_orgs: n.n_orgs,
            share_significant_above_1: n.share_significant_above_1,
        });
        let trend: Vec<TrendPoint> = ((year - TREND_YEARS + 1)..=year)
            .filter_map(|y| {
                let own = r.org_row(&org.org_code, y, key);
                let bm = r.group(&org.benchmark_group, y, key).map(|g| g.median);
                let nat = r.national(y, key).and_then(|n| n.pooled);
                (own.is_some() || bm.is_some()).then(|| TrendPoint {
                    year: y,
                    value: own.and_then(|o| o.value),
                    denominator: own.and_then(|o| o.denominator),
                    suppressed: own.is_some_and(|o| o.suppressed),
                    benchmark_median: bm,
                    national_pooled: nat,
                })
            })
            .collect();
        let direction = direction(&m.metric, &trend);
        figures.push(Figure {
            indicator: m.metric.get(3..4).and_then(|d| d.parse().ok()).unwrap_or(0),
            metric: m.metric.clone(),
            staff_group: empty_to_none(&m.staff_group),
            category: empty_to_none(&m.category),
            ethnicity: empty_to_none(&m.ethnicity),
            value: m.value,
            numerator: m.numerator,
            denominator: m.denominator,
            ci_low: m.ci_low,
            ci_high: m.ci_high,
            suppressed: m.suppressed,
            flags: m.flags.clone(),
            benchmark,
            region,
            national,
            trend,
            direction,
        });
    }
    let summary = HEADLINES
        .iter()
        .filter_map(|(metric, cat, eth)| {
            let f = figures.iter().find(|f| {
                f.metric == *metric
                    && f.category.as_deref().unwrap_or("") == *cat
                    && f.ethnicity.as_deref().unwrap_or("") == *eth
            })?;
            Some(headline(f))
        })
        .collect();
    let funnels = [
        "ind2.relative_likelihood",
        "ind3.relative_likelihood",
        "ind4.relative_likelihood",
    ]
    .iter()
    .filter_map(|m| r.funnel(m, year, &org.org_code))
    .collect();
    let mut pack = Pack {
        schema: PACK_SCHEMA,
        tool: crate::TOOL,
        year,
        survey_year: year - 1,
        org: org.into(),
        figures,
        summary,
        funnels,
        findings: Vec::new(),
        data_quality: r.quality(&org.org_code, year),
        method_notes: METHOD_NOTES.to_vec(),
        provenance: Provenance {
            submissions: r.submissions(&org.org_code, year),
            queries: engine::query_hashes(),
            register: r.register_origin.clone(),
        },
    };
    pack.findings = findings::draft(&pack);
    pack
}

/// Judges the change over the trend span by the metric's "better" direction.
fn direction(metric: &str, trend: &[TrendPoint]) -> Option<&'static str> {
    let vals: Vec<f64> = trend.iter().filter_map(|t| t.value).collect();
    if vals.len() < 2 {
        return None;
    }
    let (first, last) = (vals[0], vals[vals.len() - 1]);
    let ratio = metric.contains("relative_likelihood");
    let threshold = if ratio { 0.05 } else { 1.0 };
    let better = model::better(metric);
    let gain = match better {
        Better::Lower => first - last,
        Better::Higher => last - first,
        Better::NearOne => (first - 1.0).abs() - (last - 1.0).abs(),
        Better::NearZero => first.abs() - last.abs(),
        Better::None => return None,
    };
    Some(if gain > threshold {
        "improving"
    } else if gain < -threshold {
        "worsening"
    } else {
        "no clear change"
    })
}

fn headline(f: &Figure) -> Headline {
    let median = f.benchmark.as_ref().map(|b| b.median);
    let label = model::metric_label(&f.metric);
    let (band, method) = match (f.value, median) {
        (Some(v), Some(m)) => {
            let inside = match (f.ci_low, f.ci_high) {
                (Some(lo), Some(hi)) => lo <= m && m <= hi,
                _ => {
                    (v - m).abs()
                        < if f.metric.contains("relative") {
                            0.05
                        } else {
                            1.0
                        }
                }
            };
            let method = if f.ci_low.is_some() {
                "similar when the 95% interval contains the benchmark median"
            } else {
                "similar when within 1 percentage point (0.05 for ratios) of the benchmark median"
            };
            let closer = match model::better(&f.metric) {
                Better::Lower => v < m,
                Better::Higher => v > m,
                Better::NearOne => (v - 1.0).abs() < (m - 1.0).abs(),
                Better::NearZero => v.abs() < m.abs(),
                Better::None => {
                    // BME share of the workforce: no better direction.
                    return Headline {
                        metric: f.metric.clone(),
                        label,
                        ethnicity: f.ethnicity.clone(),
                        category: f.category.clone(),
                        value: f.value,
                        benchmark_median: median,
                        band: if v > m { "above" } else { "below" },
                        method: "compared with the benchmark median (no better direction)",
                    };
                }
            };
            (
                if inside {
                    "similar"
                } else if closer {
                    "better"
                } else {
                    "worse"
                },
                method,
            )
        }
        _ => ("not comparable", "no value, or no benchmark median"),
    };
    Headline {
        metric: f.metric.clone(),
        label,
        ethnicity: f.ethnicity.clone(),
        category: f.category.clone(),
        value: f.value,
        benchmark_median: median,
        band,
        method,
    }
}
