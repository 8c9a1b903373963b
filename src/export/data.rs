//! The result tables, read once and indexed for pack assembly.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

use datafusion::arrow::array::{
    Array, Float64Array, Int32Array, ListArray, RecordBatch, StringArray,
};

use super::{Funnel, Quality, Result, SubmissionRef};
use crate::engine::{self, Engine};
use crate::register::Register;
use crate::warehouse::layout;
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

#[derive(Debug, Clone)]
pub struct Stats {
    pub median: f64,
    pub q1: f64,
    pub q3: f64,
    pub min: f64,
    pub max: f64,
    pub n_orgs: i64,
}

#[derive(Debug, Clone)]
pub struct National {
    pub pooled: Option<f64>,
    pub median: f64,
    pub n_orgs: i64,
    pub share_significant_above_1: Option<f64>,
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
    national: HashMap<(i32, OwnedKey), National>,
    subs: HashMap<(String, i32), Vec<SubmissionRef>>,
    quality: HashMap<(String, i32), Vec<Quality>>,
    pub register_origin: String,
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

fn corrupt(msg: &str) -> engine::Error {
    engine::Error::Warehouse(crate::warehouse::Error::Corrupt {
        path: Path::new("results").to_path_buf(),
        message: msg.to_string(),
    })
}

impl Results {
    pub fn load(e: &Engine, register: &Register) -> Result<Results> {
        let mut r = Results {
            register_origin: register.origin.clone(),
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
                        median: med.value(i),
                        q1: q1.value(i),
                        q3: q3.value(i),
                        min: min.value(i),
                        max: max.value(i),
                        n_orgs: n.value(i),
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
                        median: med.value(i),
                        n_orgs: n.value(i),
                        share_significant_above_1: opt(share, i),
                    },
                );
            }
        }

        // Provenance and data quality: the current submissions and their
        // messages, straight from the ledger.
        let ledger = tables::read_submissions(&e.root.join(layout::SUBMISSIONS))?;
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
        for m in tables::read_messages(&e.root.join(layout::MESSAGES))? {
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
                    // The file name only: a pack does not reveal the sender's folders.
                    location: Path::new(&m.location)
                        .file_name()
                        .map(|f| f.to_string_lossy().to_string())
                        .unwrap_or_default(),
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

    /// Funnel plot data for a relative likelihood: x is the BME denominator.
    pub fn funnel(&self, metric: &str, year: i32, this_org: &str) -> Option<Funnel> {
        let pct = match metric {
            "ind2.relative_likelihood" => "ind2.appointed_pct",
            "ind3.relative_likelihood" => "ind3.disciplinary_pct",
            _ => "ind4.training_pct",
        };
        let centre = self.national(year, (metric, "", "", ""))?.pooled?;
        let pw = self.national(year, (pct, "", "", "white"))?.pooled? / 100.0;
        let pb = self.national(year, (pct, "", "", "bme"))?.pooled? / 100.0;
        let mut points = Vec::new();
        let mut this = None;
        let (mut wsum, mut bsum) = (0.0, 0.0);
        let mut orgs: Vec<&(String, i32)> = self.org.keys().filter(|(_, y)| *y == year).collect();
        orgs.sort();
        for (org, _) in orgs {
            let rl = self
                .org_row(org, year, (metric, "", "", ""))
                .and_then(|r| r.value);
            let bd = self
                .org_row(org, year, (pct, "", "", "bme"))
                .and_then(|r| r.denominator);
            let wd = self
                .org_row(org, year, (pct, "", "", "white"))
                .and_then(|r| r.denominator);
            if let (Some(v), Some(b), Some(w)) = (rl, bd, wd) {
                points.push((b, v));
                wsum += w;
                bsum += b;
                if org == this_org {
                    this = Some((b, v));
                }
            }
        }
        if points.is_empty() || !(pw > 0.0 && pb > 0.0 && pw < 1.0 && pb < 1.0) {
            return None;
        }
        points.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let ratio = if bsum > 0.0 { wsum / bsum } else { 1.0 };
        let xmax = points.iter().map(|p| p.0).fold(10.0, f64::max);
        let limits = (1..=40)
            .map(|i| {
                let n = 5.0 * (xmax / 5.0).powf(f64::from(i) / 40.0);
                let se = ((1.0 - pb) / (n * pb) + (1.0 - pw) / (n * ratio * pw)).sqrt();
                (
                    n,
                    centre * (-1.959964 * se).exp(),
                    centre * (1.959964 * se).exp(),
                    centre * (-3.090232 * se).exp(),
                    centre * (3.090232 * se).exp(),
                )
            })
            .collect();
        Some(Funnel {
            metric: metric.to_string(),
            centre,
            points,
            this_trust: this,
            limits,
        })
    }
}
