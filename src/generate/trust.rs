//! The trust-year model: a trust's size and BME share, its workforce by band
//! and grade, its shortlisting, disciplinary, training and board figures, and
//! its staff survey results, calibrated nationally year by year.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::sampling::{binomial, normal, seed_for};
use super::targets::national_targets;
use crate::ingest::Row;
use crate::model::{BANDS, Category, Ethnicity, Indicator, MEDICAL_GRADES, Measure, StaffGroup};
use crate::register::Organisation;

/// How a region's BME share compares with the national one (London highest).
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

/// A benchmark group's (median headcount, log-sd of headcount).
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
pub(super) struct TrustYear {
    pub(super) org: Organisation,
    pub(super) year: i32,
    pub(super) rows: Vec<Row>,
    /// White and BME shortlisted, white appointment rate, BME relative factor.
    ind2: (f64, f64, f64, f64),
    /// White and BME workforce, white disciplinary rate, BME relative factor.
    ind3: (f64, f64, f64, f64),
    pub(super) survey: Vec<Row>,
}

// One argument per column of the long form: a struct literal would say the same at more length.
#[allow(clippy::too_many_arguments)]
pub(super) fn row(
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

/// One trust-year's workforce (indicators 1 and 4), its survey, and what the
/// activity indicators are drawn from; `trust_factor` scales the national BME
/// share (the caller calibrates it).
// The draws follow one stream in a fixed order; splitting the function would
// hide that order, which the bytes of every generated file depend on.
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

/// The staff survey rows (indicators 5-8) of one trust-year.
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

/// Per-trust constants: (size, BME factor), the factor being region x trust x
/// group. Drawn once per trust, the same every year.
pub(super) fn constants(orgs: &[Organisation], seed: u64) -> Vec<(f64, f64)> {
    orgs.iter()
        .map(|o| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed_for(seed, &o.org_code, 0, 0));
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
        .collect()
}

/// Every trust's figures for one year, calibrated so the national pooled
/// figures are that year's targets (targets.rs).
pub(super) fn calibrated_year(
    orgs: &[Organisation],
    consts: &[(f64, f64)],
    year: i32,
    seed: u64,
) -> Vec<TrustYear> {
    let (target_bme, target_board, target_rl2, target_rl3) = national_targets(year);
    let mut ty = calibrated_workforce(orgs, consts, year, seed, target_bme);
    // Indicators 2 and 3: BME rates with one national multiplier, chosen so
    // the pooled relative likelihood is the published one.
    let (w2, b2) = pooled_rates(&ty, |t| t.ind2);
    let m2 = target_rl2 * b2 / w2.max(1e-9); // BME rate = white rate * rel / m2
    let (w3, b3) = pooled_rates(&ty, |t| t.ind3);
    let m3 = target_rl3 / (b3 / w3.max(1e-9));
    // Board: BME share of members scaled by the trust's own workforce share.
    let board_scale = target_board / target_bme;
    for t in ty.iter_mut() {
        t.add_activity(seed, m2, m3, board_scale);
    }
    ty
}

/// The workforce of every trust in `year`, with the BME share scaled so the
/// pooled share is `target_bme`. Two passes: the first measures what
/// clamping at high shares loses.
fn calibrated_workforce(
    orgs: &[Organisation],
    consts: &[(f64, f64)],
    year: i32,
    seed: u64,
    target_bme: f64,
) -> Vec<TrustYear> {
    let pooled_factor: f64 =
        consts.iter().map(|(s, f)| s * f).sum::<f64>() / consts.iter().map(|(s, _)| s).sum::<f64>();
    let mut k = 1.0 / pooled_factor;
    let make = |k: f64| -> Vec<TrustYear> {
        orgs.par_iter()
            .zip(consts.par_iter())
            .map(|(o, (size, f))| workforce_year(o, year, seed, f * k, *size))
            .collect()
    };
    let mut ty = make(k);
    let (b, n) = ty
        .iter()
        .flat_map(|t| t.rows.iter())
        .filter(|r| r.indicator.number() == 1 && r.category != Some(Category::SeniorMedicalManager))
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
    ty
}

/// (White rate, BME rate) pooled over the trusts, from each trust's
/// (white n, BME n, white rate, BME relative factor).
fn pooled_rates(t: &[TrustYear], sel: fn(&TrustYear) -> (f64, f64, f64, f64)) -> (f64, f64) {
    let (mut wn, mut wd, mut bn, mut bd) = (0.0, 0.0, 0.0, 0.0);
    for x in t {
        let (w, b, rate, rel) = sel(x);
        wn += w * rate;
        wd += w;
        bn += b * rate * rel;
        bd += b;
    }
    (wn / wd.max(1.0), bn / bd.max(1.0))
}

impl TrustYear {
    /// The four rows of a two-group comparison: the whole (white, BME), then the part.
    #[allow(clippy::too_many_arguments)]
    fn push_pair(
        &mut self,
        ind: u8,
        whole: Measure,
        ww: f64,
        bw: f64,
        part: Measure,
        wp: f64,
        bp: f64,
    ) {
        let (code, y) = (self.org.org_code.clone(), self.year);
        for (m, e, v) in [
            (whole, Ethnicity::White, ww),
            (whole, Ethnicity::Bme, bw),
            (part, Ethnicity::White, wp),
            (part, Ethnicity::Bme, bp),
        ] {
            self.rows.push(row(&code, y, ind, m, None, None, e, v));
        }
    }

    /// Indicators 2, 3 and 9, drawn with the national multipliers `m2`, `m3`
    /// and the board scale.
    fn add_activity(&mut self, seed: u64, m2: f64, m3: f64, board_scale: f64) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed_for(seed, &self.org.org_code, self.year, 3));
        let (ws, bs, wr, rel) = self.ind2;
        let wa = binomial(&mut rng, ws, wr);
        let ba = binomial(&mut rng, bs, (wr * rel / m2).min(1.0));
        self.push_pair(2, Measure::Shortlisted, ws, bs, Measure::Appointed, wa, ba);
        let (ww, bw, wd, rel3) = self.ind3;
        let we = binomial(&mut rng, ww, wd);
        let be = binomial(&mut rng, bw, (wd * rel3 * m3).min(1.0));
        self.push_pair(
            3,
            Measure::Workforce,
            ww,
            bw,
            Measure::EnteredDisciplinary,
            we,
            be,
        );
        let share = if ww + bw > 0.0 { bw / (ww + bw) } else { 0.0 };
        self.add_board(&mut rng, share, board_scale);
    }

    /// Board: total, voting (a subset), executive (a subset).
    fn add_board(&mut self, rng: &mut ChaCha8Rng, share: f64, board_scale: f64) {
        let (code, y) = (self.org.org_code.clone(), self.year);
        let total = (11.0 + 6.0 * rng.random::<f64>()).round();
        let b_total = binomial(rng, total, (share * board_scale).min(0.9));
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
                self.rows
                    .push(row(&code, y, 9, Measure::Members, None, Some(cat), e, v));
            }
        }
    }
}
