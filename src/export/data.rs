//! The result tables, read once and indexed for pack assembly.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

use datafusion::arrow::array::{
    Array, Float64Array, Int32Array, ListArray, RecordBatch, StringArray,
};

use super::{Funnel, FunnelPoint, NotPlotted, Quality, Result, ReturnError, SubmissionRef};
use crate::engine::{self, Engine};
use crate::metric::{Kind, Metric, Sample};
use crate::params::Params;
use crate::register::Register;
use crate::stats::{self, RrCounts, RrKind};
use crate::warehouse::tables::{self, Cols};

#[derive(Debug, Clone)]
pub struct OrgRow {
    pub metric: String,
    pub staff_group: String,
    pub category: String,
    pub ethnicity: String,
    pub value: Option<f64>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub suppressed: bool,
    pub flags: Vec<String>,
}

impl OrgRow {
    pub fn is_infinite(&self) -> bool {
        self.flags.iter().any(|f| f == "infinite")
    }
}

/// Order statistics of a group or area. NULL (None) where the statistic is
/// itself infinite; `n_infinite` trusts entered as +infinity.
#[derive(Debug, Clone)]
pub struct Stats {
    pub median: Option<f64>,
    pub q1: Option<f64>,
    pub q3: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub n_orgs: i64,
    pub n_infinite: i64,
}

#[derive(Debug, Clone)]
pub struct National {
    pub pooled: Option<f64>,
    pub median: Option<f64>,
    pub n_orgs: i64,
    pub share_significant_above_1: Option<f64>,
}

/// A trust's rank (1 = highest value) and quartile (1 = lowest quarter) in
/// its benchmark group and region, from `org_positions`.
#[derive(Debug, Clone, Copy)]
pub struct Position {
    pub group_rank: i64,
    pub group_quartile: i64,
    pub region_rank: i64,
}

/// A return section's latest rejection: the submission and its errors.
#[derive(Debug, Clone)]
pub struct Rejection {
    pub section: String,
    pub file: String,
    pub received_at: String,
    pub errors: Vec<ReturnError>,
}

/// (metric, staff_group, category, ethnicity)
pub type Key<'a> = (&'a str, &'a str, &'a str, &'a str);
type OwnedKey = (String, String, String, String);

fn owned(k: Key) -> OwnedKey {
    (
        k.0.to_string(),
        k.1.to_string(),
        k.2.to_string(),
        k.3.to_string(),
    )
}

#[derive(Default)]
pub struct Results {
    pub years: Vec<i32>,
    org: HashMap<(String, i32), Vec<OrgRow>>,
    org_idx: HashMap<(String, i32, OwnedKey), (usize,)>,
    group: HashMap<(String, i32, OwnedKey), Stats>,
    region: HashMap<(String, i32, OwnedKey), Stats>,
    icb: HashMap<(String, i32, OwnedKey), Stats>,
    national: HashMap<(i32, OwnedKey), National>,
    positions: HashMap<(String, i32, OwnedKey), Position>,
    subs: HashMap<(String, i32), Vec<SubmissionRef>>,
    rejections: HashMap<(String, i32), Vec<Rejection>>,
    quality: HashMap<(String, i32), Vec<Quality>>,
    pub register_origin: String,
    /// The warehouse holds synthetic returns: every output says so.
    pub synthetic: bool,
    /// The parameters the results were built with (from the manifest).
    pub params: Params,
    /// The latest ledger time the results were built from.
    pub built_from_ledger_at: Option<String>,
}

/// The year and breakdown columns every result table shares.
struct Breakdown<'a> {
    year: &'a Int32Array,
    metric: &'a StringArray,
    staff_group: &'a StringArray,
    category: &'a StringArray,
    ethnicity: &'a StringArray,
}

impl<'a> Breakdown<'a> {
    fn read(c: &Cols<'a>) -> Result<Self> {
        Ok(Breakdown {
            year: c.i32("year")?,
            metric: c.str("metric")?,
            staff_group: c.str("staff_group")?,
            category: c.str("category")?,
            ethnicity: c.str("ethnicity")?,
        })
    }
    fn year(&self, i: usize) -> i32 {
        self.year.value(i)
    }
    fn key(&self, i: usize) -> OwnedKey {
        (
            self.metric.value(i).to_string(),
            self.staff_group.value(i).to_string(),
            self.category.value(i).to_string(),
            self.ethnicity.value(i).to_string(),
        )
    }
}

fn opt(a: &Float64Array, i: usize) -> Option<f64> {
    (!a.is_null(i)).then(|| a.value(i))
}

/// What `benchmark` recorded about the results in the snapshot's manifest:
/// the parameters and the ledger time they were built from.
struct ResultsRecord {
    params: Option<Params>,
    built_from_ledger_at: Option<String>,
    ledger_state: Option<String>,
}

fn results_record(snapshot: &crate::warehouse::Snapshot) -> ResultsRecord {
    let r = &snapshot.manifest["results"];
    ResultsRecord {
        params: serde_json::from_value(r["params"].clone()).ok(),
        built_from_ledger_at: r["built_from_ledger_at"].as_str().map(str::to_string),
        ledger_state: r["ledger_state"].as_str().map(str::to_string),
    }
}

fn corrupt(msg: &str) -> engine::Error {
    engine::Error::Warehouse(crate::warehouse::Error::Corrupt {
        path: Path::new("results").to_path_buf(),
        message: msg.to_string(),
    })
}

/// The file name only: a pack does not reveal the sender's folders.
fn file_name(location: &str) -> String {
    Path::new(location)
        .file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_default()
}

impl Results {
    pub fn load(e: &Engine, register: &Register) -> Result<Results> {
        let record = results_record(&e.snapshot);
        let mut r = Results {
            register_origin: register.origin.clone(),
            synthetic: e.snapshot.synthetic,
            // Results from before the manifest recorded their parameters were
            // built with the defaults (the only parameters of that version).
            params: record.params.unwrap_or_default(),
            built_from_ledger_at: record.built_from_ledger_at,
            ..Default::default()
        };
        let has = |t: &str| e.ctx.table_exist(t).unwrap_or(false);
        if !has("org_metrics") || !has("group_metrics") {
            return Err(engine::Error::NoResults(e.root.clone()).into());
        }
        let p = Path::new("results");
        let b = e.query(
            "reading org_metrics",
            "SELECT org_code, year, metric, staff_group, category, ethnicity, value, numerator, denominator, \
             ci_low, ci_high, suppressed, flags FROM org_metrics ORDER BY org_code, year, metric, staff_group, category, ethnicity",
        )?;
        let mut years = BTreeSet::new();
        {
            let c = Cols::new(&b, p);
            let org = c.str("org_code")?;
            let bd = Breakdown::read(&c)?;
            let (v, num, den, lo, hi) = (
                c.f64("value")?,
                c.f64("numerator")?,
                c.f64("denominator")?,
                c.f64("ci_low")?,
                c.f64("ci_high")?,
            );
            let sup = c.bool("suppressed")?;
            let flags = b
                .column_by_name("flags")
                .and_then(|c| c.as_any().downcast_ref::<ListArray>())
                .ok_or_else(|| corrupt("org_metrics.flags is not a list"))?;
            for i in 0..b.num_rows() {
                let fl = flags.value(i);
                let fl = fl
                    .as_any()
                    .downcast_ref::<StringArray>()
                    .map(|s| s.iter().flatten().map(str::to_string).collect())
                    .unwrap_or_default();
                let key = bd.key(i);
                let row = OrgRow {
                    metric: key.0.clone(),
                    staff_group: key.1.clone(),
                    category: key.2.clone(),
                    ethnicity: key.3.clone(),
                    value: opt(v, i),
                    numerator: opt(num, i),
                    denominator: opt(den, i),
                    ci_low: opt(lo, i),
                    ci_high: opt(hi, i),
                    suppressed: sup.value(i),
                    flags: fl,
                };
                years.insert(bd.year(i));
                let k = (org.value(i).to_string(), bd.year(i));
                let list = r.org.entry(k.clone()).or_default();
                r.org_idx.insert((k.0, k.1, key), (list.len(),));
                list.push(row);
            }
        }
        r.years = years.into_iter().collect();

        let stats = |b: &RecordBatch,
                     area_col: &str,
                     filter: Option<(&str, &str)>|
         -> Result<Vec<(String, i32, OwnedKey, Stats)>> {
            let c = Cols::new(b, p);
            let area = c.str(area_col)?;
            let level = filter.map(|(col, _)| c.str(col)).transpose()?;
            let bd = Breakdown::read(&c)?;
            let (med, q1, q3, min, max) = (
                c.f64("median")?,
                c.f64("q1")?,
                c.f64("q3")?,
                c.f64("min")?,
                c.f64("max")?,
            );
            let n = c.i64("n_orgs")?;
            let n_inf = c.i64("n_infinite")?;
            let mut out = Vec::new();
            for i in 0..b.num_rows() {
                if let (Some(l), Some((_, want))) = (level, filter)
                    && l.value(i) != want
                {
                    continue;
                }
                out.push((
                    area.value(i).to_string(),
                    bd.year(i),
                    bd.key(i),
                    Stats {
                        median: opt(med, i),
                        q1: opt(q1, i),
                        q3: opt(q3, i),
                        min: opt(min, i),
                        max: opt(max, i),
                        n_orgs: n.value(i),
                        n_infinite: n_inf.value(i),
                    },
                ));
            }
            Ok(out)
        };
        let g = e.query(
            "reading group_metrics",
            "SELECT * FROM group_metrics ORDER BY year",
        )?;
        for (a, y, k, s) in stats(&g, "benchmark_group", None)? {
            r.group.insert((a, y, k), s);
        }
        let g = e.query(
            "reading region_metrics",
            "SELECT * FROM region_metrics ORDER BY year",
        )?;
        for (a, y, k, s) in stats(&g, "area", Some(("level", "region")))? {
            r.region.insert((a, y, k), s);
        }
        for (a, y, k, s) in stats(&g, "area", Some(("level", "icb")))? {
            r.icb.insert((a, y, k), s);
        }
        let b = e.query(
            "reading national_metrics",
            "SELECT * FROM national_metrics ORDER BY year",
        )?;
        {
            let c = Cols::new(&b, p);
            let bd = Breakdown::read(&c)?;
            let (pooled, med, n, share) = (
                c.f64("pooled")?,
                c.f64("median")?,
                c.i64("n_orgs")?,
                c.f64("share_significant_above_1")?,
            );
            for i in 0..b.num_rows() {
                r.national.insert(
                    (bd.year(i), bd.key(i)),
                    National {
                        pooled: opt(pooled, i),
                        median: opt(med, i),
                        n_orgs: n.value(i),
                        share_significant_above_1: opt(share, i),
                    },
                );
            }
        }

        if has("org_positions") {
            let b = e.query(
                "reading org_positions",
                "SELECT org_code, year, metric, staff_group, category, ethnicity, \
                 CAST(group_rank AS BIGINT) AS group_rank, CAST(group_quartile AS BIGINT) AS group_quartile, \
                 CAST(region_rank AS BIGINT) AS region_rank FROM org_positions",
            )?;
            let c = Cols::new(&b, p);
            let org = c.str("org_code")?;
            let bd = Breakdown::read(&c)?;
            let (gr, gq, rr) = (
                c.i64("group_rank")?,
                c.i64("group_quartile")?,
                c.i64("region_rank")?,
            );
            for i in 0..b.num_rows() {
                r.positions.insert(
                    (org.value(i).to_string(), bd.year(i), bd.key(i)),
                    Position {
                        group_rank: gr.value(i),
                        group_quartile: gq.value(i),
                        region_rank: rr.value(i),
                    },
                );
            }
        }

        // Provenance and data quality: the current submissions and their
        // messages, straight from the ledger.
        let ledger = e.snapshot.ledger(&e.root)?;
        // Results built from another ledger state (or by a version that did
        // not record one) would show old figures under new provenance.
        if record.ledger_state.as_deref() != Some(tables::ledger_state(&ledger).as_str()) {
            return Err(engine::Error::Stale(e.root.clone()).into());
        }
        let current: HashSet<&str> = ledger
            .iter()
            .filter(|s| s.current)
            .map(|s| s.submission_id.as_str())
            .collect();
        for s in ledger.iter().filter(|s| s.current) {
            let (Some(org), Some(year), Some(section)) = (&s.org_code, s.year, &s.section) else {
                continue;
            };
            r.subs
                .entry((org.clone(), year))
                .or_default()
                .push(SubmissionRef {
                    id: s.submission_id.clone(),
                    file: s.file.clone(),
                    sha256: s.sha256.clone(),
                    section: section.clone(),
                    year,
                    received_at: s.received_at.clone(),
                });
        }
        // A section's latest rejection stays visible until a later accepted
        // return replaces it (a rejection older than the current return is
        // history, not news).
        let current_at: HashMap<(&str, i32, &str), &str> = ledger
            .iter()
            .filter(|s| s.current)
            .filter_map(|s| {
                Some((
                    (s.org_code.as_deref()?, s.year?, s.section.as_deref()?),
                    s.received_at.as_str(),
                ))
            })
            .collect();
        let mut latest_rejected: HashMap<(String, i32, String), &tables::Submission> =
            HashMap::new();
        for s in ledger.iter().filter(|s| s.outcome == "rejected") {
            let (Some(org), Some(year), Some(section)) = (&s.org_code, s.year, &s.section) else {
                continue;
            };
            let newer_accepted = current_at
                .get(&(org.as_str(), year, section.as_str()))
                .is_some_and(|at| *at >= s.received_at.as_str());
            if newer_accepted {
                continue;
            }
            let k = (org.clone(), year, section.clone());
            if latest_rejected.get(&k).is_none_or(|prev| {
                (&prev.received_at, &prev.submission_id) < (&s.received_at, &s.submission_id)
            }) {
                latest_rejected.insert(k, s);
            }
        }
        let messages = e.snapshot.messages(&e.root)?;
        let rejected_ids: HashSet<&str> = latest_rejected
            .values()
            .map(|s| s.submission_id.as_str())
            .collect();
        let mut errors_of: HashMap<&str, Vec<ReturnError>> = HashMap::new();
        for m in messages.iter().filter(|m| m.severity == "error") {
            if rejected_ids.contains(m.submission_id.as_str()) {
                errors_of
                    .entry(m.submission_id.as_str())
                    .or_default()
                    .push(ReturnError {
                        code: m.code.clone(),
                        message: m.message.clone(),
                        location: file_name(&m.location),
                    });
            }
        }
        for ((org, year, section), s) in &latest_rejected {
            r.rejections
                .entry((org.clone(), *year))
                .or_default()
                .push(Rejection {
                    section: section.clone(),
                    file: file_name(&s.file),
                    received_at: s.received_at.clone(),
                    errors: errors_of
                        .remove(s.submission_id.as_str())
                        .unwrap_or_default(),
                });
        }
        for v in r.rejections.values_mut() {
            v.sort_by(|a, b| a.section.cmp(&b.section));
        }
        for m in messages {
            let (Some(org), Some(year)) = (&m.org_code, m.year) else {
                continue;
            };
            if !current.contains(m.submission_id.as_str()) {
                continue;
            }
            r.quality
                .entry((org.clone(), year))
                .or_default()
                .push(Quality {
                    severity: m.severity,
                    code: m.code,
                    message: m.message,
                    location: file_name(&m.location),
                });
        }
        for v in r.subs.values_mut() {
            v.sort_by(|a, b| (&a.section, &a.id).cmp(&(&b.section, &b.id)));
        }
        for v in r.quality.values_mut() {
            v.sort_by(|a, b| (&a.location, &a.code).cmp(&(&b.location, &b.code)));
        }
        Ok(r)
    }

    pub fn has_org_year(&self, org: &str, year: i32) -> bool {
        self.org.contains_key(&(org.to_string(), year))
    }

    pub fn org_rows(&self, org: &str, year: i32) -> &[OrgRow] {
        self.org
            .get(&(org.to_string(), year))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    pub fn org_row(&self, org: &str, year: i32, k: Key) -> Option<&OrgRow> {
        let (i,) = self.org_idx.get(&(org.to_string(), year, owned(k)))?;
        self.org.get(&(org.to_string(), year))?.get(*i)
    }

    pub fn group(&self, group: &str, year: i32, k: Key) -> Option<&Stats> {
        self.group.get(&(group.to_string(), year, owned(k)))
    }

    pub fn region(&self, region: &str, year: i32, k: Key) -> Option<&Stats> {
        self.region.get(&(region.to_string(), year, owned(k)))
    }

    pub fn icb(&self, icb_code: &str, year: i32, k: Key) -> Option<&Stats> {
        self.icb.get(&(icb_code.to_string(), year, owned(k)))
    }

    pub fn national(&self, year: i32, k: Key) -> Option<&National> {
        self.national.get(&(year, owned(k)))
    }

    pub fn submissions(&self, org: &str, year: i32) -> Vec<SubmissionRef> {
        self.subs
            .get(&(org.to_string(), year))
            .cloned()
            .unwrap_or_default()
    }

    pub fn quality(&self, org: &str, year: i32) -> Vec<Quality> {
        self.quality
            .get(&(org.to_string(), year))
            .cloned()
            .unwrap_or_default()
    }

    pub fn position(&self, org: &str, year: i32, k: Key) -> Option<Position> {
        self.positions
            .get(&(org.to_string(), year, owned(k)))
            .copied()
    }

    /// The latest rejection of each section of a trust's return for a year
    /// that no later accepted return replaced.
    pub fn rejections(&self, org: &str, year: i32) -> &[Rejection] {
        self.rejections
            .get(&(org.to_string(), year))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Trusts with figures in a year, sorted.
    pub fn orgs_in(&self, year: i32) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .org
            .keys()
            .filter(|(_, y)| *y == year)
            .map(|(o, _)| o.as_str())
            .collect();
        v.sort_unstable();
        v
    }

    /// The counts behind a trust's relative likelihood in a year: the first
    /// group's numerator and denominator of the source percentage, then the
    /// other group's (two years summed for the two-year indicator 3).
    pub fn rr_counts(&self, org: &str, year: i32, metric: Metric) -> Option<RrCounts> {
        let (src, first) = (metric.source()?, metric.first_group()?);
        let other = if first == crate::model::Ethnicity::White {
            crate::model::Ethnicity::Bme
        } else {
            crate::model::Ethnicity::White
        };
        let one = |y: i32| -> Option<RrCounts> {
            let f = self.org_row(org, y, (src.code(), "", "", first.code()))?;
            let o = self.org_row(org, y, (src.code(), "", "", other.code()))?;
            Some(RrCounts {
                a: f.numerator?,
                n1: f.denominator?,
                c: o.numerator?,
                n2: o.denominator?,
            })
        };
        let mut sum = one(year)?;
        for back in 1..metric.window_years() {
            let e = one(year - back)?;
            sum = RrCounts {
                a: sum.a + e.a,
                n1: sum.n1 + e.n1,
                c: sum.c + e.c,
                n2: sum.n2 + e.n2,
            };
        }
        Some(sum)
    }

    /// One year's counts behind a figure, for the trend test.
    pub fn sample(&self, org: &str, year: i32, metric: Metric, k: Key) -> Option<Sample> {
        match metric.kind() {
            Kind::RelativeLikelihood => self.rr_counts(org, year, metric).map(Sample::Ratio),
            Kind::Proportion => {
                let r = self.org_row(org, year, k)?;
                Some(Sample::Proportion {
                    x: r.numerator?,
                    n: r.denominator?,
                })
            }
            Kind::SurveyPct => {
                let r = self.org_row(org, year, k)?;
                let n = r.denominator?;
                Some(Sample::Proportion {
                    x: r.value? * n / 100.0,
                    n,
                })
            }
            _ => None,
        }
    }

    /// Funnel plot of a relative likelihood for one year (spec/indicators.md,
    /// "Funnel plots"): every trust at x = its own precision 1 / var(ln RR)
    /// (Katz), y = RR, limits exp(ln theta -/+ z sqrt(1 / x)) around the
    /// national pooled ratio theta for z = 1.96 and 3.09. Zero and infinite
    /// ratios are counted under the plot, not plotted. Disclosure control:
    /// another trust whose counts include 1 to min_count - 1 is left out (it
    /// still counts in theta), and other trusts' x are rounded to two
    /// significant figures. Built once per year and metric; [`Funnel::for_trust`]
    /// marks one trust.
    pub fn funnel(&self, metric: Metric, year: i32) -> Option<FunnelData> {
        let theta = self.national(year, (metric.code(), "", "", ""))?.pooled?;
        if !(theta > 0.0 && theta.is_finite()) {
            return None;
        }
        let small = |v: f64| v >= 1.0 && v < self.params.min_count;
        let mut d = FunnelData {
            metric,
            target: theta,
            points: Vec::new(),
        };
        for org in self.orgs_in(year) {
            let Some(counts) = self.rr_counts(org, year, metric) else {
                continue;
            };
            let kind = counts.kind();
            if kind == RrKind::Undefined {
                continue;
            }
            d.points.push(RawPoint {
                org: org.to_string(),
                kind,
                x: 1.0 / counts.katz_variance(),
                y: counts.ratio(),
                small: [counts.a, counts.n1, counts.c, counts.n2]
                    .into_iter()
                    .any(small),
            });
        }
        (!d.points.is_empty()).then_some(d)
    }
}

/// A relative likelihood's funnel for one year, with every trust's point.
#[derive(Debug, Clone)]
pub struct FunnelData {
    pub metric: Metric,
    pub target: f64,
    points: Vec<RawPoint>,
}

#[derive(Debug, Clone)]
struct RawPoint {
    org: String,
    kind: RrKind,
    x: f64,
    y: f64,
    /// Counts of 1 to min_count - 1 among a, n1, c, n2.
    small: bool,
}

impl FunnelData {
    /// The funnel as one trust's pack shows it: its own point exact, other
    /// trusts' points under disclosure control.
    pub fn for_trust(&self, this_org: &str) -> Funnel {
        let mut points = Vec::new();
        let mut not_plotted = NotPlotted::default();
        for p in &self.points {
            let this = p.org == this_org;
            match p.kind {
                RrKind::Zero => not_plotted.zero += 1,
                RrKind::Infinite => not_plotted.infinite += 1,
                _ if p.small && !this => not_plotted.small_counts += 1,
                _ => points.push(FunnelPoint {
                    x: if this { p.x } else { stats::round_sig(p.x, 2) },
                    y: p.y,
                    this_trust: this,
                }),
            }
        }
        points.sort_by(|a, b| {
            a.x.total_cmp(&b.x)
                .then(a.y.total_cmp(&b.y))
                .then(a.this_trust.cmp(&b.this_trust))
        });
        let xmax = points.iter().map(|p| p.x).fold(10.0, f64::max);
        let t = self.target;
        let limits = (0..=40)
            .map(|i| {
                let x = 1.0 * (xmax / 1.0).powf(f64::from(i) / 40.0);
                let se = (1.0 / x).sqrt();
                [
                    x,
                    t * (-stats::Z95 * se).exp(),
                    t * (stats::Z95 * se).exp(),
                    t * (-stats::Z998 * se).exp(),
                    t * (stats::Z998 * se).exp(),
                ]
            })
            .collect();
        Funnel {
            metric: self.metric,
            target: t,
            points,
            not_plotted,
            limits,
        }
    }
}
