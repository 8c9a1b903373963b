//! Synthetic national WRES returns (`wresbench generate`).
//!
//! No real trust-level WRES data is published, so tests, benchmarks and the
//! demo run on a dataset built to behave like the real one: trust size by
//! benchmark group, BME share by region (London highest) rising over the
//! years, fewer BME staff at senior bands, a few percent unknown ethnicity,
//! small numbers where they really occur, workforce totals that sometimes
//! disagree a little between indicators. National pooled figures are
//! calibrated, year by year, to the published ones in spec/indicators.md.
//!
//! Everything is drawn from one ChaCha stream per trust and year, seeded from
//! `--seed`, so the same seed gives the same bytes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;

use crate::ingest::{self, Row};
use crate::model::{BANDS, Category, Ethnicity, Indicator, MEDICAL_GRADES, Measure, StaffGroup};
use crate::register::{Organisation, Register};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write a workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("{0}")]
    Usage(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GenFormat {
    #[default]
    Csv,
    Xlsx,
    /// One workforce return in five as an Excel workbook, the rest CSV.
    Mixed,
}

#[derive(Debug, Clone)]
pub struct GenerateOptions {
    pub out: PathBuf,
    pub first_year: i32,
    pub last_year: i32,
    pub seed: u64,
    pub scale: usize,
    pub faults: f64,
    pub format: GenFormat,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            out: PathBuf::from("wres-synthetic"),
            first_year: 2016,
            last_year: 2025,
            seed: 2015,
            scale: 1,
            faults: 0.0,
            format: GenFormat::Csv,
        }
    }
}

/// Parses `2016-2025` or `2021`.
pub fn parse_years(s: &str) -> Result<(i32, i32)> {
    let bad = || {
        Error::Usage(format!(
            "--years {s:?}: give a year or a range such as 2016-2025"
        ))
    };
    let (a, b) = match s.split_once('-') {
        Some((a, b)) => (
            a.trim().parse().map_err(|_| bad())?,
            b.trim().parse().map_err(|_| bad())?,
        ),
        None => {
            let y = s.trim().parse().map_err(|_| bad())?;
            (y, y)
        }
    };
    if a > b || a < crate::model::FIRST_YEAR || b > 2100 {
        return Err(bad());
    }
    Ok((a, b))
}

/// Published national figures (spec/indicators.md), with the gaps between
/// published years filled by linear interpolation and 2025 extrapolated.
/// Columns: BME % of workforce, BME % of board members, ind 2 RL, ind 3 RL.
pub fn national_targets(year: i32) -> (f64, f64, f64, f64) {
    const T: &[(i32, f64, f64, f64, f64)] = &[
        (2015, 17.2, 7.0, 1.60, 1.58),
        (2016, 17.7, 7.1, 1.57, 1.56),
        (2017, 18.3, 7.5, 1.53, 1.43),
        (2018, 19.0, 7.9, 1.50, 1.30),
        (2019, 19.7, 8.4, 1.46, 1.22),
        (2020, 21.0, 10.0, 1.61, 1.16),
        (2021, 22.4, 11.9, 1.61, 1.14),
        (2022, 24.2, 13.7, 1.54, 1.14),
        (2023, 26.4, 15.6, 1.59, 1.03),
        (2024, 28.6, 16.5, 1.56, 1.03),
        (2025, 30.4, 17.3, 1.53, 1.02),
    ];
    let y = year.clamp(2015, 2025);
    T.iter()
        .find(|t| t.0 == y)
        .map(|t| (t.1, t.2, t.3, t.4))
        .unwrap_or((22.0, 12.0, 1.55, 1.15))
}

/// Which published figures a year's calibration aims at (for the closing table).
pub fn published(year: i32) -> (Option<f64>, Option<f64>, Option<f64>, Option<f64>) {
    match year {
        2016 => (Some(17.7), Some(7.1), Some(1.57), Some(1.56)),
        2019 => (Some(19.7), Some(8.4), Some(1.46), None),
        2020 => (Some(21.0), Some(10.0), Some(1.61), Some(1.16)),
        2021 => (Some(22.4), None, Some(1.61), Some(1.14)),
        2022 => (Some(24.2), None, Some(1.54), Some(1.14)),
        2023 => (Some(26.4), Some(15.6), Some(1.59), Some(1.03)),
        2024 => (Some(28.6), Some(16.5), None, None),
        _ => (None, None, None, None),
    }
}

fn region_factor(region: &str) -> f64 {
    match region {
        "London" => 2.3,
        "Midlands" => 1.05,
        "East of England" => 0.95,
        "North West" => 0.8,
        "South East" => 0.8,
        "North East and Yorkshire" => 0.6,
        "South West" => 0.5,
        _ => 1.0,
    }
}

fn group_size(group: &str) -> (f64, f64) {
    // (median headcount, log-sd)
    if group.starts_with("Acute Specialist") {
        (3200.0, 0.5)
    } else if group.starts_with("Acute") {
        (6500.0, 0.45)
    } else if group.starts_with("Mental") {
        (3300.0, 0.45)
    } else if group.starts_with("Community") {
        (2200.0, 0.5)
    } else {
        (4200.0, 0.35)
    }
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    // Box-Muller; 1 - u keeps the log finite.
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

fn binomial(rng: &mut ChaCha8Rng, n: f64, p: f64) -> f64 {
    let p = p.clamp(0.0, 1.0);
    let n = n.max(0.0).round();
    if n < 60.0 {
        (0..n as u32).filter(|_| rng.random::<f64>() < p).count() as f64
    } else {
        let mean = n * p;
        let sd = (n * p * (1.0 - p)).sqrt();
        (mean + sd * normal(rng)).round().clamp(0.0, n)
    }
}

/// Share of a trust's staff in each band or grade, by staff group.
fn band_weights(sg: StaffGroup) -> &'static [f64] {
    match sg {
        // under_band_1, 1..7, 8a, 8b, 8c, 8d, 9, vsm
        StaffGroup::NonClinical => &[
            0.002, 0.01, 0.22, 0.25, 0.2, 0.09, 0.07, 0.06, 0.045, 0.025, 0.013, 0.008, 0.004,
            0.005,
        ],
        StaffGroup::Clinical => &[
            0.0, 0.0, 0.1, 0.16, 0.08, 0.26, 0.21, 0.13, 0.04, 0.012, 0.005, 0.002, 0.001, 0.0,
        ],
        // consultant, senior_medical_manager (of which), ncg, trainee, other
        StaffGroup::Medical => &[0.42, 0.0, 0.12, 0.43, 0.03],
    }
}

/// How BME representation in a band compares with the trust's overall share.
fn band_bme_multiplier(sg: StaffGroup, i: usize) -> f64 {
    match sg {
        StaffGroup::NonClinical => [
            1.0, 1.0, 1.15, 1.0, 0.85, 0.8, 0.7, 0.65, 0.55, 0.5, 0.42, 0.38, 0.3, 0.25,
        ][i],
        StaffGroup::Clinical => [
            1.0, 1.0, 1.1, 1.0, 0.9, 1.6, 1.0, 0.75, 0.6, 0.5, 0.42, 0.35, 0.3, 0.25,
        ][i],
        StaffGroup::Medical => [1.7, 1.0, 2.2, 2.0, 1.8][i],
    }
}

/// One trust-year, before calibration of the activity indicators.
struct TrustYear {
    org: Organisation,
    year: i32,
    rows: Vec<Row>,
    /// White and BME shortlisted, white appointment rate, BME relative factor.
    ind2: (f64, f64, f64, f64),
    /// White and BME workforce, white disciplinary rate, BME relative factor.
    ind3: (f64, f64, f64, f64),
    survey: Vec<Row>,
}

// One argument per column of the long form: a struct literal would say the same at more length.
#[allow(clippy::too_many_arguments)]
fn row(
    org: &str,
    year: i32,
    ind: u8,
    m: Measure,
    sg: Option<StaffGroup>,
    c: Option<Category>,
    e: Ethnicity,
    v: f64,
) -> Row {
    Row {
        org_code: org.to_string(),
        year,
        indicator: Indicator::new(ind).unwrap_or(Indicator::ALL[0]),
        measure: m,
        staff_group: sg,
        category: c,
        ethnicity: e,
        value: v,
        location: String::new(),
    }
}

fn seed_for(seed: u64, org: &str, year: i32, salt: u64) -> u64 {
    let h = ingest::sha256_hex(format!("{seed}/{org}/{year}/{salt}").as_bytes());
    u64::from_str_radix(&h[..16], 16).unwrap_or(seed)
}

/// The register the dataset is generated for: the given one, and with
/// `scale` > 1 synthetic copies of every trust under codes `Z0001`...
pub fn scaled_register(base: &Register, scale: usize) -> Register {
    let mut r = base.clone();
    let mut n = 0usize;
    for k in 1..scale.max(1) {
        for o in base.iter() {
            n += 1;
            let code = format!("Z{n:04}");
            if base.contains(&code) {
                continue;
            }
            r.insert(Organisation {
                org_code: code,
                org_name: format!("{} (synthetic copy {k})", o.org_name),
                ..o.clone()
            });
        }
    }
    r.origin = "generated register.csv".into();
    r
}

fn workforce_year(
    org: &Organisation,
    year: i32,
    seed: u64,
    trust_factor: f64,
    size: f64,
) -> TrustYear {
    let mut rng = ChaCha8Rng::seed_from_u64(seed_for(seed, &org.org_code, year, 1));
    let code = &org.org_code;
    let (nat_bme, _, _, _) = national_targets(year);
    // BME share before national calibration (the caller rescales).
    let share = (nat_bme / 100.0 * trust_factor).clamp(0.005, 0.85);
    let unknown_share =
        (0.02 + 0.04 * rng.random::<f64>()) * if rng.random::<f64>() < 0.08 { 3.5 } else { 1.0 };
    let total = (size * (1.0 + 0.015 * (year - 2016) as f64) * (1.0 + 0.02 * normal(&mut rng)))
        .round()
        .max(150.0);

    let ambulance = org.benchmark_group.starts_with("Ambulance");
    let split = if ambulance {
        [0.35, 0.65, 0.0]
    } else if org.benchmark_group.starts_with("Mental")
        || org.benchmark_group.starts_with("Community")
    {
        [0.33, 0.6, 0.07]
    } else {
        [0.36, 0.5, 0.14]
    };
    let mut rows = Vec::new();
    let (mut w_all, mut b_all, mut u_all) = (0.0, 0.0, 0.0);
    // Normalise band multipliers so the trust's overall share comes out at `share`.
    let mut weighted = 0.0;
    for (gi, sg) in StaffGroup::ALL.iter().enumerate() {
        for (i, wgt) in band_weights(*sg).iter().enumerate() {
            weighted += split[gi] * wgt * band_bme_multiplier(*sg, i);
        }
    }
    let norm = if weighted > 0.0 { 1.0 / weighted } else { 1.0 };
    for (gi, sg) in StaffGroup::ALL.iter().enumerate() {
        let cats = match sg {
            StaffGroup::Medical => MEDICAL_GRADES,
            _ => BANDS,
        };
        let mut consultant = (0.0, 0.0, 0.0);
        for (i, cat) in cats.iter().enumerate() {
            let n = if *cat == Category::SeniorMedicalManager {
                (consultant.0 + consultant.1 + consultant.2) * 0.06
            } else {
                (total * split[gi] * band_weights(*sg)[i] * (1.0 + 0.1 * normal(&mut rng)))
                    .max(0.0)
                    .round()
            };
            if n <= 0.0 && *cat != Category::SeniorMedicalManager {
                continue;
            }
            let p_b = (share * band_bme_multiplier(*sg, i) * norm).clamp(0.0, 0.95);
            let (w, b, u) = if *cat == Category::SeniorMedicalManager {
                // An "of which" subset of consultants, never larger.
                let b = binomial(&mut rng, consultant.1, 0.05);
                let w = binomial(&mut rng, consultant.0, 0.07);
                let u = binomial(&mut rng, consultant.2, 0.05);
                (w, b, u)
            } else {
                let u = binomial(&mut rng, n, unknown_share);
                let b = binomial(&mut rng, n - u, p_b / (1.0 - unknown_share));
                (n - u - b, b, u)
            };
            if *cat == Category::Consultant {
                consultant = (w, b, u);
            }
            if *cat != Category::SeniorMedicalManager {
                w_all += w;
                b_all += b;
                u_all += u;
            }
            for (e, v) in [
                (Ethnicity::White, w),
                (Ethnicity::Bme, b),
                (Ethnicity::Unknown, u),
            ] {
                rows.push(row(
                    code,
                    year,
                    1,
                    Measure::Headcount,
                    Some(*sg),
                    Some(*cat),
                    e,
                    v,
                ));
            }
        }
    }

    // Indicators 3 and 4 use the workforce; now and then it disagrees a little
    // with the indicator 1 total, as in real returns.
    let drift = if rng.random::<f64>() < 0.06 {
        1.0 + 0.03 * (rng.random::<f64>() - 0.3)
    } else {
        1.0
    };
    let wf = |v: f64| (v * drift).round();
    let (w3, b3, u3) = (wf(w_all), wf(b_all), wf(u_all));

    // Indicator 2: BME applicants are over-represented among those shortlisted.
    let shortlisted = (total * (0.10 + 0.04 * rng.random::<f64>())).round();
    let b_share_sl = (share * 1.6).min(0.9);
    let bs = binomial(&mut rng, shortlisted, b_share_sl);
    let us = binomial(&mut rng, shortlisted - bs, 0.03);
    let ws = shortlisted - bs - us;
    let w_rate = 0.18 + 0.1 * rng.random::<f64>();
    let rl2_noise = (0.2 * normal(&mut rng)).exp();

    let w_disc = 0.004 + 0.006 * rng.random::<f64>();
    let rl3_noise = (0.3 * normal(&mut rng)).exp();

    let mut rows_out = rows;
    // Indicator 4: training, White slightly more likely early on.
    let w_train = 0.35 + 0.3 * rng.random::<f64>();
    let rl4 = (1.15 - 0.02 * (year - 2016) as f64).max(0.98) * (0.1 * normal(&mut rng)).exp();
    for (e, n) in [
        (Ethnicity::White, w3),
        (Ethnicity::Bme, b3),
        (Ethnicity::Unknown, u3),
    ] {
        rows_out.push(row(code, year, 4, Measure::Workforce, None, None, e, n));
        let p = match e {
            Ethnicity::Bme => w_train / rl4,
            _ => w_train,
        };
        rows_out.push(row(
            code,
            year,
            4,
            Measure::AccessedTraining,
            None,
            None,
            e,
            binomial(&mut rng, n, p.min(1.0)),
        ));
    }

    let survey = survey_year(org, year, seed, share, w_all + b_all + u_all);
    TrustYear {
        org: org.clone(),
        year,
        rows: rows_out,
        ind2: (ws, bs, w_rate, rl2_noise),
        ind3: (w3, b3, w_disc, rl3_noise),
        survey,
    }
    .with_unknown_activity(us, u3)
}

impl TrustYear {
    fn with_unknown_activity(mut self, us: f64, u3: f64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed_for(0, &self.org.org_code, self.year, 7));
        let code = self.org.org_code.clone();
        let y = self.year;
        self.rows.push(row(
            &code,
            y,
            2,
            Measure::Shortlisted,
            None,
            None,
            Ethnicity::Unknown,
            us,
        ));
        self.rows.push(row(
            &code,
            y,
            2,
            Measure::Appointed,
            None,
            None,
            Ethnicity::Unknown,
            binomial(&mut rng, us, self.ind2.2),
        ));
        self.rows.push(row(
            &code,
            y,
            3,
            Measure::Workforce,
            None,
            None,
            Ethnicity::Unknown,
            u3,
        ));
        self.rows.push(row(
            &code,
            y,
            3,
            Measure::EnteredDisciplinary,
            None,
            None,
            Ethnicity::Unknown,
            binomial(&mut rng, u3, self.ind3.2),
        ));
        self
    }
}

fn survey_year(org: &Organisation, year: i32, seed: u64, share: f64, workforce: f64) -> Vec<Row> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed_for(seed, &org.org_code, year, 2));
    let code = &org.org_code;
    // Response rates vary a lot between trusts, and BME staff respond less:
    // small trusts with few BME staff get groups under the threshold.
    let response_rate = 0.12 + 0.43 * rng.random::<f64>();
    let bme_rate = 0.35 + 0.55 * rng.random::<f64>();
    let w_resp = (workforce * (1.0 - share) * response_rate).round();
    let b_resp = (workforce * share * response_rate * bme_rate).round();
    let ambulance = org.benchmark_group.starts_with("Ambulance");
    let t = (year - 2016) as f64;
    // (white %, BME %) national levels for indicators 5-8.
    let levels = [
        (
            if ambulance { 45.0 } else { 26.0 },
            if ambulance { 44.0 } else { 28.5 },
        ),
        (24.0 - 0.2 * t, 28.5 - 0.2 * t),
        (87.5 - 0.3 * t, 71.0 + 0.4 * t),
        (6.3, 14.5 - 0.1 * t),
    ];
    let mut rows = Vec::new();
    for (i, (w, b)) in levels.iter().enumerate() {
        let trust = normal(&mut rng) * 2.0;
        for (e, level, n) in [(Ethnicity::White, *w, w_resp), (Ethnicity::Bme, *b, b_resp)] {
            let p = ((level + trust) / 100.0).clamp(0.005, 0.995);
            let pct = if n > 0.0 {
                binomial(&mut rng, n, p) / n * 100.0
            } else {
                0.0
            };
            let pct = (pct * 10.0).round() / 10.0;
            let ind = 5 + i as u8;
            if n > 0.0 {
                rows.push(row(code, year, ind, Measure::Percent, None, None, e, pct));
            }
            rows.push(row(code, year, ind, Measure::Responses, None, None, e, n));
        }
    }
    rows
}

/// A fault planted in a return, and the code validation must give for it.
#[derive(Debug, Clone, Serialize)]
pub struct Fault {
    pub file: String,
    pub org_code: String,
    pub year: i32,
    pub section: String,
    pub expected_code: String,
}

/// The faults `--faults` plants, one per faulted file, in turn.
pub const FAULT_CODES: &[&str] = &[
    "E_APPOINTED_GT_SHORTLISTED",
    "E_DISCIPLINARY_GT_WORKFORCE",
    "E_TRAINING_GT_WORKFORCE",
    "E_BOARD_GT_TOTAL",
    "E_SMM_GT_CONSULTANT",
    "E_COUNT_NEGATIVE",
    "E_COUNT_FRACTIONAL",
    "E_DUPLICATE_KEY",
    "E_UNKNOWN_ORG",
    "E_YEAR_OUT_OF_RANGE",
    "E_NOT_A_NUMBER",
    "E_UNKNOWN_CATEGORY",
    "E_UNKNOWN_ETHNICITY",
    "E_UNKNOWN_MEASURE",
    "E_UNKNOWN_COLUMN",
    "E_NOT_UTF8",
    "E_DUPLICATE_SECTION",
];

/// What `generate` wrote.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GenerateSummary {
    pub out: PathBuf,
    pub trusts: usize,
    pub years: (i32, i32),
    pub workforce_files: usize,
    pub xlsx_files: usize,
    pub survey_files: usize,
    pub faults: usize,
    pub register: Option<PathBuf>,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes the dataset under `opts.out`:
/// `returns/YYYY/CODE-YYYY-workforce.{csv,xlsx}`, `survey/staff-survey-YYYY.csv`,
/// `register.csv` (the register the returns were made for) and, with faults,
/// `faults.csv`.
pub fn generate(base: &Register, opts: &GenerateOptions) -> Result<GenerateSummary> {
    if !(0.0..=1.0).contains(&opts.faults) {
        return Err(Error::Usage(
            "--faults is a fraction between 0 and 1".into(),
        ));
    }
    let register = scaled_register(base, opts.scale);
    let orgs: Vec<Organisation> = register.iter().cloned().collect();
    let years: Vec<i32> = (opts.first_year..=opts.last_year).collect();

    // Per-trust constants: size and BME factor (region x trust x group).
    let consts: Vec<(f64, f64)> = orgs
        .iter()
        .map(|o| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed_for(opts.seed, &o.org_code, 0, 0));
            let (median, sd) = group_size(&o.benchmark_group);
            let size = (median * (sd * normal(&mut rng)).exp()).round().max(400.0);
            let amb = if o.benchmark_group.starts_with("Ambulance") {
                0.45
            } else {
                1.0
            };
            let factor = region_factor(&o.region) * amb * (0.5 * normal(&mut rng)).exp();
            (size, factor)
        })
        .collect();

    let mut all: Vec<TrustYear> = Vec::new();
    for &year in &years {
        // Calibrate the workforce BME share: pooled share = published figure.
        let (target_bme, target_board, target_rl2, target_rl3) = national_targets(year);
        // Two passes: the first measures what clamping at high shares loses.
        let pooled_factor: f64 = consts.iter().map(|(s, f)| s * f).sum::<f64>()
            / consts.iter().map(|(s, _)| s).sum::<f64>();
        let mut k = 1.0 / pooled_factor;
        let make = |k: f64| -> Vec<TrustYear> {
            orgs.par_iter()
                .zip(consts.par_iter())
                .map(|(o, (size, f))| workforce_year(o, year, opts.seed, f * k, *size))
                .collect()
        };
        let mut ty = make(k);
        let (b, n) = ty
            .iter()
            .flat_map(|t| t.rows.iter())
            .filter(|r| {
                r.indicator.number() == 1 && r.category != Some(Category::SeniorMedicalManager)
            })
            .fold((0.0, 0.0), |(b, n), r| {
                (
                    b + if r.ethnicity == Ethnicity::Bme {
                        r.value
                    } else {
                        0.0
                    },
                    n + r.value,
                )
            });
        if b > 0.0 {
            k *= target_bme / (100.0 * b / n);
            ty = make(k);
        }

        // Indicators 2 and 3: BME rates with one national multiplier, chosen so
        // the pooled relative likelihood is the published one.
        let pooled = |t: &[TrustYear], sel: fn(&TrustYear) -> (f64, f64, f64, f64)| -> (f64, f64) {
            let (mut wn, mut wd, mut bn, mut bd) = (0.0, 0.0, 0.0, 0.0);
            for x in t {
                let (w, b, rate, rel) = sel(x);
                wn += w * rate;
                wd += w;
                bn += b * rate * rel;
                bd += b;
            }
            (wn / wd.max(1.0), bn / bd.max(1.0))
        };
        let (w2, b2) = pooled(&ty, |t| t.ind2);
        let m2 = target_rl2 * b2 / w2.max(1e-9); // BME rate = white rate * rel / m2
        let (w3, b3) = pooled(&ty, |t| t.ind3);
        let m3 = target_rl3 / (b3 / w3.max(1e-9));
        // Board: BME share of members scaled by the trust's own workforce share.
        let board_scale = target_board / target_bme;
        for t in ty.iter_mut() {
            let mut rng =
                ChaCha8Rng::seed_from_u64(seed_for(opts.seed, &t.org.org_code, t.year, 3));
            let code = t.org.org_code.clone();
            let y = t.year;
            let (ws, bs, wr, rel) = t.ind2;
            let wa = binomial(&mut rng, ws, wr);
            let ba = binomial(&mut rng, bs, (wr * rel / m2).min(1.0));
            t.rows.push(row(
                &code,
                y,
                2,
                Measure::Shortlisted,
                None,
                None,
                Ethnicity::White,
                ws,
            ));
            t.rows.push(row(
                &code,
                y,
                2,
                Measure::Shortlisted,
                None,
                None,
                Ethnicity::Bme,
                bs,
            ));
            t.rows.push(row(
                &code,
                y,
                2,
                Measure::Appointed,
                None,
                None,
                Ethnicity::White,
                wa,
            ));
            t.rows.push(row(
                &code,
                y,
                2,
                Measure::Appointed,
                None,
                None,
                Ethnicity::Bme,
                ba,
            ));
            let (ww, bw, wd, rel3) = t.ind3;
            let we = binomial(&mut rng, ww, wd);
            let be = binomial(&mut rng, bw, (wd * rel3 * m3).min(1.0));
            t.rows.push(row(
                &code,
                y,
                3,
                Measure::Workforce,
                None,
                None,
                Ethnicity::White,
                ww,
            ));
            t.rows.push(row(
                &code,
                y,
                3,
                Measure::Workforce,
                None,
                None,
                Ethnicity::Bme,
                bw,
            ));
            t.rows.push(row(
                &code,
                y,
                3,
                Measure::EnteredDisciplinary,
                None,
                None,
                Ethnicity::White,
                we,
            ));
            t.rows.push(row(
                &code,
                y,
                3,
                Measure::EnteredDisciplinary,
                None,
                None,
                Ethnicity::Bme,
                be,
            ));
            // Board: total, voting (a subset), executive (a subset).
            let share = if ww + bw > 0.0 { bw / (ww + bw) } else { 0.0 };
            let total = (11.0 + 6.0 * rng.random::<f64>()).round();
            let b_total = binomial(&mut rng, total, (share * board_scale).min(0.9));
            let u_total = if rng.random::<f64>() < 0.1 { 1.0 } else { 0.0 };
            let w_total = (total - b_total - u_total).max(0.0);
            let voting_frac = 0.75 + 0.1 * rng.random::<f64>();
            let exec_frac = 0.45 + 0.1 * rng.random::<f64>();
            for (cat, frac) in [
                (Category::Total, 1.0),
                (Category::Voting, voting_frac),
                (Category::Executive, exec_frac),
            ] {
                let sub = |v: f64| if frac >= 1.0 { v } else { (v * frac).floor() };
                for (e, v) in [
                    (Ethnicity::White, sub(w_total)),
                    (Ethnicity::Bme, sub(b_total)),
                    (Ethnicity::Unknown, sub(u_total)),
                ] {
                    t.rows
                        .push(row(&code, y, 9, Measure::Members, None, Some(cat), e, v));
                }
            }
        }
        all.extend(ty);
    }

    // Write files.
    let out = &opts.out;
    std::fs::create_dir_all(out).map_err(io(out))?;
    // Marks the folder: `ingest` of anything under it records that the
    // warehouse holds synthetic figures, and every pack made from it says so.
    let marker = out.join(crate::ingest::SYNTHETIC_MARKER);
    std::fs::write(
        &marker,
        "Returns under this folder were made by `wresbench generate`: real trust names, made-up figures.\n",
    )
    .map_err(io(&marker))?;
    let mut summary = GenerateSummary {
        out: out.clone(),
        trusts: orgs.len(),
        years: (opts.first_year, opts.last_year),
        ..Default::default()
    };
    let n_faults = (opts.faults * all.len() as f64).round() as usize;
    // Faulted returns: spread over the set with a seeded choice.
    let mut fault_at: BTreeMap<usize, &str> = BTreeMap::new();
    if n_faults > 0 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed_for(opts.seed, "faults", 0, 9));
        let mut i = 0;
        while fault_at.len() < n_faults.min(all.len()) {
            let idx = rng.random_range(0..all.len());
            if let std::collections::btree_map::Entry::Vacant(e) = fault_at.entry(idx) {
                e.insert(FAULT_CODES[i % FAULT_CODES.len()]);
                i += 1;
            }
        }
    }

    let results: Vec<Result<(bool, Vec<Fault>)>> = all
        .par_iter()
        .enumerate()
        .map(|(i, t)| {
            let dir = out.join("returns").join(t.year.to_string());
            std::fs::create_dir_all(&dir).map_err(io(&dir))?;
            let xlsx = match opts.format {
                GenFormat::Csv => false,
                GenFormat::Xlsx => true,
                GenFormat::Mixed => {
                    seed_for(opts.seed, &t.org.org_code, t.year, 5).is_multiple_of(5)
                }
            };
            let fault = fault_at.get(&i).copied();
            // Text-level faults only exist in CSV.
            let csv_only = matches!(
                fault,
                Some(
                    "E_NOT_A_NUMBER"
                        | "E_DUPLICATE_KEY"
                        | "E_UNKNOWN_CATEGORY"
                        | "E_UNKNOWN_ETHNICITY"
                        | "E_UNKNOWN_MEASURE"
                        | "E_UNKNOWN_COLUMN"
                        | "E_NOT_UTF8"
                )
            );
            let xlsx = xlsx && !csv_only;
            let mut rows = t.rows.clone();
            let mut faults = Vec::new();
            let name = format!(
                "{}-{}-workforce.{}",
                t.org.org_code,
                t.year,
                if xlsx { "xlsx" } else { "csv" }
            );
            let path = dir.join(&name);
            let rel = path
                .strip_prefix(out)
                .unwrap_or(&path)
                .display()
                .to_string();
            let mut fault_year = t.year;
            let mut fault_org = t.org.org_code.clone();
            if let Some(code) = fault {
                plant_row_fault(code, &mut rows, &mut fault_year, &mut fault_org);
            }
            let bytes = if xlsx {
                let org = Organisation {
                    org_code: fault_org.clone(),
                    ..t.org.clone()
                };
                ingest::template::return_workbook(&org, fault_year, &rows)?
            } else {
                let mut b = ingest::csv::write_rows(&rows);
                if let Some(code) = fault {
                    b = plant_text_fault(code, b);
                }
                b
            };
            std::fs::write(&path, &bytes).map_err(io(&path))?;
            if let Some(code) = fault {
                if code == "E_DUPLICATE_SECTION" {
                    // A second file for the same return, one figure changed.
                    let mut rows2 = rows.clone();
                    if let Some(r) = rows2
                        .iter_mut()
                        .find(|r| r.indicator.number() == 3 && r.measure == Measure::Workforce)
                    {
                        r.value += 1.0;
                    }
                    let p2 = dir.join(format!(
                        "{}-{}-workforce-resubmitted.csv",
                        t.org.org_code, t.year
                    ));
                    std::fs::write(&p2, ingest::csv::write_rows(&rows2)).map_err(io(&p2))?;
                    faults.push(Fault {
                        file: p2.strip_prefix(out).unwrap_or(&p2).display().to_string(),
                        org_code: fault_org.clone(),
                        year: fault_year,
                        section: "workforce".into(),
                        expected_code: code.to_string(),
                    });
                }
                faults.push(Fault {
                    file: rel,
                    org_code: fault_org,
                    year: fault_year,
                    section: "workforce".into(),
                    expected_code: code.to_string(),
                });
            }
            Ok((xlsx, faults))
        })
        .collect();
    let mut faults = Vec::new();
    for r in results {
        let (x, f) = r?;
        summary.workforce_files += 1;
        summary.xlsx_files += usize::from(x);
        faults.extend(f);
    }
    summary.workforce_files += faults
        .iter()
        .filter(|f| f.expected_code == "E_DUPLICATE_SECTION")
        .count()
        / 2;

    // One national staff survey file per year, every trust.
    let sdir = out.join("survey");
    std::fs::create_dir_all(&sdir).map_err(io(&sdir))?;
    for &year in &years {
        let rows: Vec<Row> = all
            .iter()
            .filter(|t| t.year == year)
            .flat_map(|t| t.survey.iter().cloned())
            .collect();
        let p = sdir.join(format!("staff-survey-{}.csv", year - 1));
        std::fs::write(&p, ingest::csv::write_rows(&rows)).map_err(io(&p))?;
        summary.survey_files += 1;
    }

    let rp = out.join("register.csv");
    std::fs::write(&rp, register.to_csv()).map_err(io(&rp))?;
    summary.register = Some(rp);
    faults.sort_by(|a, b| a.file.cmp(&b.file));
    summary.faults = faults.len();
    let fp = out.join("faults.csv");
    if !faults.is_empty() {
        let mut w = csv::Writer::from_writer(Vec::new());
        for f in &faults {
            let _ = w.serialize(f);
        }
        std::fs::write(&fp, w.into_inner().unwrap_or_default()).map_err(io(&fp))?;
    } else if fp.exists() {
        std::fs::remove_file(&fp).map_err(io(&fp))?;
    }
    Ok(summary)
}

fn plant_row_fault(code: &str, rows: &mut [Row], year: &mut i32, org: &mut String) {
    let find = |rows: &mut [Row], ind: u8, m: Measure, cat: Option<Category>| -> Option<usize> {
        rows.iter().position(|r| {
            r.indicator.number() == ind
                && r.measure == m
                && r.ethnicity == Ethnicity::Bme
                && (cat.is_none() || r.category == cat)
        })
    };
    let bump_over = |rows: &mut [Row],
                     ind: u8,
                     whole: Measure,
                     part: Measure,
                     cat_w: Option<Category>,
                     cat_p: Option<Category>| {
        if let (Some(w), Some(p)) = (find(rows, ind, whole, cat_w), find(rows, ind, part, cat_p)) {
            rows[p].value = rows[w].value + 3.0;
        }
    };
    match code {
        "E_APPOINTED_GT_SHORTLISTED" => bump_over(
            rows,
            2,
            Measure::Shortlisted,
            Measure::Appointed,
            None,
            None,
        ),
        "E_DISCIPLINARY_GT_WORKFORCE" => bump_over(
            rows,
            3,
            Measure::Workforce,
            Measure::EnteredDisciplinary,
            None,
            None,
        ),
        "E_TRAINING_GT_WORKFORCE" => bump_over(
            rows,
            4,
            Measure::Workforce,
            Measure::AccessedTraining,
            None,
            None,
        ),
        "E_BOARD_GT_TOTAL" => bump_over(
            rows,
            9,
            Measure::Members,
            Measure::Members,
            Some(Category::Total),
            Some(Category::Voting),
        ),
        "E_SMM_GT_CONSULTANT" => {
            let c = rows.iter().position(|r| {
                r.category == Some(Category::Consultant) && r.ethnicity == Ethnicity::White
            });
            let s = rows.iter().position(|r| {
                r.category == Some(Category::SeniorMedicalManager)
                    && r.ethnicity == Ethnicity::White
            });
            if let (Some(c), Some(s)) = (c, s) {
                rows[s].value = rows[c].value + 2.0;
            }
        }
        "E_COUNT_NEGATIVE" => rows[0].value = -4.0,
        "E_COUNT_FRACTIONAL" => rows[0].value = 12.5,
        "E_UNKNOWN_ORG" => {
            *org = "ZZZ99".into();
            for r in rows.iter_mut() {
                r.org_code = org.clone();
            }
        }
        "E_YEAR_OUT_OF_RANGE" => {
            *year = 2009;
            for r in rows.iter_mut() {
                r.year = 2009;
            }
        }
        _ => {}
    }
}

/// Faults that only exist as text in a CSV file.
fn plant_text_fault(code: &str, bytes: Vec<u8>) -> Vec<u8> {
    let text = String::from_utf8(bytes).unwrap_or_default();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    // The second data line: `org,year,indicator,measure,sg,cat,eth,value`.
    let edit = |lines: &mut Vec<String>, col: usize, v: &str| {
        if let Some(l) = lines.get_mut(2) {
            let mut f: Vec<String> = l.split(',').map(str::to_string).collect();
            if col < f.len() {
                f[col] = v.to_string();
            }
            *l = f.join(",");
        }
    };
    match code {
        "E_NOT_A_NUMBER" => edit(&mut lines, 7, "twelve"),
        "E_UNKNOWN_CATEGORY" => edit(&mut lines, 5, "band_10"),
        "E_UNKNOWN_ETHNICITY" => edit(&mut lines, 6, "asian"),
        "E_UNKNOWN_MEASURE" => edit(&mut lines, 3, "fte"),
        "E_DUPLICATE_KEY" => {
            if let Some(l) = lines.get(2).cloned() {
                let mut f: Vec<String> = l.split(',').map(str::to_string).collect();
                if let Some(v) = f.last_mut() {
                    let n: f64 = v.parse().unwrap_or(0.0);
                    *v = crate::fmt::plain_number(n + 1.0);
                }
                lines.push(f.join(","));
            }
        }
        "E_UNKNOWN_COLUMN" => {
            for (i, l) in lines.iter_mut().enumerate() {
                l.push_str(if i == 0 { ",comment" } else { "," });
            }
        }
        _ => {}
    }
    let mut out = lines.join("\n").into_bytes();
    out.push(b'\n');
    if code == "E_NOT_UTF8" {
        // A Latin-1 byte, as a spreadsheet saved in the wrong encoding leaves.
        out.extend_from_slice(b"note,\xE9\n");
    }
    out
}
