//! The read model of the result tables: read once per run, indexed by
//! trust, area, year and breakdown, and shared by every pack, region page,
//! national report and peer table. What a reader needs computed from the
//! results (return statuses, funnels, peer tables) is computed here, once.

pub mod funnel;
pub mod peers;

pub use funnel::{Funnel, FunnelData, FunnelPoint, NotPlotted, year_funnels};
pub use peers::{Cell, Column, PeerRow, PeerSet, PeerTable};

use std::collections::{BTreeMap, BTreeSet};

// aHash, not SipHash: the read model hashes a name for every figure a pack
// looks up (SipHash was 8% of export's CPU), and nothing here needs
// protection from chosen keys. Already built for DataFusion.
use ahash::{AHashMap as HashMap, AHashSet as HashSet};
use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, Float64Array, Int32Array, ListArray, RecordBatch, StringArray,
};

use serde::Serialize;

use crate::engine::{self, Engine};
use crate::metric::{Kind, Metric, Sample};
use crate::params::Params;
use crate::register::Register;
use crate::stats::RrCounts;
use crate::warehouse::tables::{self, Cols};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Engine(#[from] crate::engine::Error),
    #[error(transparent)]
    Warehouse(#[from] crate::warehouse::Error),
    /// Our bug: a result table holds a metric the catalogue does not know.
    #[error(
        "the results hold the metric `{0}`, which is not in the metric catalogue (a bug in wresbench: please report it)"
    )]
    UnknownMetric(String),
    /// A peer set the register holds no trust of.
    #[error(
        "no trusts match {0}; names are as in the register's region, icb_code, icb_name and benchmark_group columns"
    )]
    EmptySet(String),
    /// `--metric` of a metric that is not a peer column; lists those that are.
    #[error("unknown metric {0}; use one of: {1}")]
    UnknownColumn(String, String),
    /// A region, ICB, benchmark group or trust code that the register does
    /// not hold (or a group prefix that fits more than one group).
    #[error("{what} `{given}` {why}; the register has: {known}")]
    NoMatch {
        what: &'static str,
        given: String,
        why: &'static str,
        known: String,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Clone, Serialize)]
pub struct ReturnStatus {
    pub section: String,
    /// `accepted`, `rejected` or `missing`.
    pub status: &'static str,
    pub file: Option<String>,
    pub received: Option<String>,
    pub errors: Vec<ReturnError>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReturnError {
    pub code: String,
    pub message: String,
    pub location: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Quality {
    pub severity: String,
    pub code: String,
    pub message: String,
    pub location: String,
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

#[derive(Debug, Clone)]
pub struct OrgRow {
    pub metric: Arc<str>,
    pub staff_group: Arc<str>,
    pub category: Arc<str>,
    pub ethnicity: Arc<str>,
    pub value: Option<f64>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub suppressed: bool,
    pub flags: Arc<[Arc<str>]>,
}

impl OrgRow {
    pub fn is_infinite(&self) -> bool {
        self.flags.iter().any(|f| &**f == "infinite")
    }

    pub fn key(&self) -> Key<'_> {
        (
            &self.metric,
            &self.staff_group,
            &self.category,
            &self.ethnicity,
        )
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
    pub q1: Option<f64>,
    pub q3: Option<f64>,
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

/// A breakdown key held by the read model: four shared strings.
type KeyBuf = [Arc<str>; 4];

fn key_of(k: &KeyBuf) -> Key<'_> {
    (&k[0], &k[1], &k[2], &k[3])
}

/// A row of org_metrics, with its org_positions row, as the read model
/// keeps it: 56 bytes where an [`OrgRow`] and a keyed [`Position`] took
/// 176 and 112 (`--scale 20` has 7.4 million rows: 0.4 GB rather than 1.6).
/// The breakdown and the flags are indexes into tables of the distinct
/// ones; [`Results::org_row`] makes the `OrgRow` when asked, with no
/// allocation (the strings are shared).
struct Packed {
    /// value, numerator, denominator, ci_low, ci_high; bit i of `present`
    /// says whether `values[i]` is there (NULL otherwise).
    values: [f64; 5],
    key: u16,
    flags: u16,
    /// From org_positions, when bit [`HAS_POSITION`] of `present` is set.
    group_rank: u32,
    region_rank: u32,
    group_quartile: u8,
    present: u8,
    suppressed: bool,
}

/// The bit of `Packed::present` that says the row has a position.
const HAS_POSITION: u8 = 1 << 5;

/// The distinct breakdowns and flag lists of org_metrics (a few hundred of
/// each), by the index a [`Packed`] row holds.
#[derive(Default)]
struct OrgTables {
    keys: Vec<KeyBuf>,
    flag_sets: Vec<Arc<[Arc<str>]>>,
}

impl OrgTables {
    fn key(&self, p: &Packed) -> Key<'_> {
        key_of(&self.keys[p.key as usize])
    }
    fn row(&self, p: &Packed) -> OrgRow {
        let [metric, staff_group, category, ethnicity] = self.keys[p.key as usize].clone();
        let v = |i: usize| (p.present & (1 << i) != 0).then_some(p.values[i]);
        OrgRow {
            metric,
            staff_group,
            category,
            ethnicity,
            value: v(0),
            numerator: v(1),
            denominator: v(2),
            ci_low: v(3),
            ci_high: v(4),
            suppressed: p.suppressed,
            flags: self.flag_sets[p.flags as usize].clone(),
        }
    }
}

/// The index of `k` in `table`, added at the end if new. The tables hold
/// hundreds (the distinct breakdowns and flag lists); more than `u16` can
/// count means the result table is not what the queries write.
fn index_in<K: std::hash::Hash + Eq + Clone, T>(
    ids: &mut HashMap<K, u16>,
    table: &mut Vec<T>,
    k: K,
    make: impl FnOnce(K) -> T,
) -> Result<u16> {
    if let Some(&i) = ids.get(&k) {
        return Ok(i);
    }
    let i = u16::try_from(table.len()).map_err(|_| {
        corrupt("org_metrics has more than 65,535 distinct breakdowns or flag lists")
    })?;
    ids.insert(k.clone(), i);
    table.push(make(k));
    Ok(i)
}

/// One copy of each string the result tables repeat (metric codes, staff
/// groups, categories, flags, trust and area names: a few thousand distinct
/// values over millions of rows), so a row's key costs four pointers rather
/// than four allocations.
#[derive(Default)]
struct Interner(HashSet<Arc<str>>);

impl Interner {
    fn get(&mut self, s: &str) -> Arc<str> {
        if let Some(a) = self.0.get(s) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(s);
        self.0.insert(a.clone());
        a
    }
}

/// Values by trust or area, year and breakdown. Each (name, year) holds its
/// rows sorted by breakdown, so a lookup hashes the name and binary-searches
/// borrowed strings: nothing is allocated to ask.
struct Keyed<V>(HashMap<Arc<str>, ByYear<V>>);

/// A name's rows by year, each year's sorted by breakdown.
type ByYear<V> = BTreeMap<i32, Vec<(KeyBuf, V)>>;

impl<V> Default for Keyed<V> {
    fn default() -> Self {
        Keyed(HashMap::new())
    }
}

/// Built from (name, year, breakdown, value) rows in any order; sorted once built.
impl<V> FromIterator<(Arc<str>, i32, KeyBuf, V)> for Keyed<V> {
    fn from_iter<I: IntoIterator<Item = (Arc<str>, i32, KeyBuf, V)>>(rows: I) -> Self {
        let mut map: HashMap<Arc<str>, ByYear<V>> = HashMap::new();
        for (name, year, k, v) in rows {
            map.entry(name)
                .or_default()
                .entry(year)
                .or_default()
                .push((k, v));
        }
        for years in map.values_mut() {
            for rows in years.values_mut() {
                rows.sort_by(|a, b| key_of(&a.0).cmp(&key_of(&b.0)));
            }
        }
        Keyed(map)
    }
}

impl<V> Keyed<V> {
    fn get(&self, name: &str, year: i32, k: Key) -> Option<&V> {
        let rows = self.0.get(name)?.get(&year)?;
        let i = rows.binary_search_by(|(r, _)| key_of(r).cmp(&k)).ok()?;
        Some(&rows[i].1)
    }
}

#[derive(Default)]
pub struct Results {
    pub years: Vec<i32>,
    /// Sections received, accepted and rejected, per year in the ledger.
    return_counts: HashMap<i32, ReturnCounts>,
    /// Files rejected before a year could be read from them.
    unreadable: usize,
    /// Each trust's figures by year, sorted by breakdown.
    org: HashMap<Arc<str>, BTreeMap<i32, Vec<Packed>>>,
    org_tables: OrgTables,
    group: Keyed<Stats>,
    region: Keyed<Stats>,
    icb: Keyed<Stats>,
    /// Under the name "" (the nation).
    national: Keyed<National>,
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

/// One row of group_metrics or region_metrics: area, year, breakdown, statistics.
type AreaStats = (Arc<str>, i32, KeyBuf, Stats);

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
    fn key(&self, i: usize, strs: &mut Interner) -> KeyBuf {
        [
            strs.get(self.metric.value(i)),
            strs.get(self.staff_group.value(i)),
            strs.get(self.category.value(i)),
            strs.get(self.ethnicity.value(i)),
        ]
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
        let mut strs = Interner::default();
        r.read_org_metrics(e, &mut strs)?;
        r.read_area_stats(e, &mut strs)?;
        r.read_national(e, &mut strs)?;
        if has("org_positions") {
            r.read_positions(e)?;
        }
        // Provenance and data quality: the current submissions and their
        // messages, straight from the ledger.
        let ledger = e.snapshot.ledger(&e.root)?;
        // Results built from another ledger state (or by a version that did
        // not record one) would show old figures under new provenance.
        if record.ledger_state.as_deref() != Some(tables::ledger_state(&ledger).as_str()) {
            return Err(engine::Error::Stale(e.root.clone()).into());
        }
        let messages = e.snapshot.messages(&e.root)?;
        r.read_submissions(&ledger);
        (r.return_counts, r.unreadable) = count_returns(&ledger);
        r.read_rejections(&ledger, &messages);
        r.read_quality(&ledger, messages);
        Ok(r)
    }

    /// `org_metrics`: every trust's figures, read a batch at a time (the
    /// whole table as one batch, sorted by DataFusion, was most of export's
    /// peak at `--scale 20`); each trust's rows of a year are sorted here.
    fn read_org_metrics(&mut self, e: &Engine, strs: &mut Interner) -> Result<()> {
        let r = self;
        let p = Path::new("results");
        let mut years = BTreeSet::new();
        let (mut key_ids, mut flag_ids) = (HashMap::new(), HashMap::new());
        let mut keys = Vec::new();
        let mut flag_sets: Vec<Arc<[Arc<str>]>> = Vec::new();
        e.for_each_batch(
            "reading org_metrics",
            "SELECT org_code, year, metric, staff_group, category, ethnicity, value, numerator, denominator, \
             ci_low, ci_high, suppressed, flags FROM org_metrics",
            |b| -> Result<()> {
                let c = Cols::new(b, p);
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
                // Each row's flags read through the list's offsets: `value(i)`
                // made (and freed) an array per row, 371k at the decade.
                let offsets = flags.value_offsets();
                let flag_strs = flags
                    .values()
                    .as_any()
                    .downcast_ref::<StringArray>()
                    .ok_or_else(|| corrupt("org_metrics.flags is not a list of strings"))?;
                for i in 0..b.num_rows() {
                    let fl: Vec<Arc<str>> = (offsets[i] as usize..offsets[i + 1] as usize)
                        .filter(|&j| flag_strs.is_valid(j))
                        .map(|j| strs.get(flag_strs.value(j)))
                        .collect();
                    let flags = index_in(&mut flag_ids, &mut flag_sets, fl, Arc::from)?;
                    let key = index_in(&mut key_ids, &mut keys, bd.key(i, strs), |k| k)?;
                    let (mut values, mut present) = ([0.0; 5], 0u8);
                    for (j, a) in [v, num, den, lo, hi].into_iter().enumerate() {
                        if let Some(x) = opt(a, i) {
                            values[j] = x;
                            present |= 1 << j;
                        }
                    }
                    let row = Packed {
                        values,
                        key,
                        flags,
                        group_rank: 0,
                        region_rank: 0,
                        group_quartile: 0,
                        present,
                        suppressed: sup.value(i),
                    };
                    years.insert(bd.year(i));
                    r.org
                        .entry(strs.get(org.value(i)))
                        .or_default()
                        .entry(bd.year(i))
                        .or_default()
                        .push(row);
                }
                Ok(())
            },
        )?;
        // `org_row` finds a row by binary search on its key: sort by each
        // key's place among the keys (the same order as comparing them).
        let mut order: Vec<usize> = (0..keys.len()).collect();
        order.sort_by(|&a, &b| key_of(&keys[a]).cmp(&key_of(&keys[b])));
        let mut rank = vec![0; keys.len()];
        for (place, &k) in order.iter().enumerate() {
            rank[k] = place;
        }
        for years in r.org.values_mut() {
            for rows in years.values_mut() {
                rows.sort_by_key(|p| rank[p.key as usize]);
                rows.shrink_to_fit();
            }
        }
        r.org_tables = OrgTables { keys, flag_sets };
        r.years = years.into_iter().collect();

        Ok(())
    }

    /// `group_metrics` and `region_metrics` (regions and ICBs).
    fn read_area_stats(&mut self, e: &Engine, strs: &mut Interner) -> Result<()> {
        let r = self;
        let p = Path::new("results");
        let mut stats = |b: &RecordBatch,
                         area_col: &str,
                         filter: Option<(&str, &str)>|
         -> Result<Vec<AreaStats>> {
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
                    strs.get(area.value(i)),
                    bd.year(i),
                    bd.key(i, strs),
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
        r.group = stats(&g, "benchmark_group", None)?.into_iter().collect();
        let g = e.query(
            "reading region_metrics",
            "SELECT * FROM region_metrics ORDER BY year",
        )?;
        r.region = stats(&g, "area", Some(("level", "region")))?
            .into_iter()
            .collect();
        r.icb = stats(&g, "area", Some(("level", "icb")))?
            .into_iter()
            .collect();
        Ok(())
    }

    /// `national_metrics`.
    fn read_national(&mut self, e: &Engine, strs: &mut Interner) -> Result<()> {
        let r = self;
        let p = Path::new("results");
        let b = e.query(
            "reading national_metrics",
            "SELECT * FROM national_metrics ORDER BY year",
        )?;
        let c = Cols::new(&b, p);
        let bd = Breakdown::read(&c)?;
        let (pooled, med, q1, q3, n, share) = (
            c.f64("pooled")?,
            c.f64("median")?,
            c.f64("q1")?,
            c.f64("q3")?,
            c.i64("n_orgs")?,
            c.f64("share_significant_above_1")?,
        );
        let nation = strs.get("");
        r.national = (0..b.num_rows())
            .map(|i| {
                (
                    nation.clone(),
                    bd.year(i),
                    bd.key(i, strs),
                    National {
                        pooled: opt(pooled, i),
                        median: opt(med, i),
                        q1: opt(q1, i),
                        q3: opt(q3, i),
                        n_orgs: n.value(i),
                        share_significant_above_1: opt(share, i),
                    },
                )
            })
            .collect();
        Ok(())
    }

    /// `org_positions`: ranks and quartiles, read a batch at a time into
    /// the org_metrics rows they rank (every position ranks one).
    fn read_positions(&mut self, e: &Engine) -> Result<()> {
        let p = Path::new("results");
        let (org, tables) = (&mut self.org, &self.org_tables);
        e.for_each_batch(
            "reading org_positions",
            "SELECT org_code, year, metric, staff_group, category, ethnicity, \
             CAST(group_rank AS BIGINT) AS group_rank, CAST(group_quartile AS BIGINT) AS group_quartile, \
             CAST(region_rank AS BIGINT) AS region_rank FROM org_positions",
            |b| -> Result<()> {
                let c = Cols::new(b, p);
                let code = c.str("org_code")?;
                let bd = Breakdown::read(&c)?;
                let (gr, gq, rr) = (
                    c.i64("group_rank")?,
                    c.i64("group_quartile")?,
                    c.i64("region_rank")?,
                );
                for i in 0..b.num_rows() {
                    let k = (
                        bd.metric.value(i),
                        bd.staff_group.value(i),
                        bd.category.value(i),
                        bd.ethnicity.value(i),
                    );
                    let unranked = || {
                        corrupt(&format!(
                            "org_positions ranks {} {} {k:?}, which org_metrics does not hold",
                            code.value(i),
                            bd.year(i)
                        ))
                    };
                    let rows = org
                        .get_mut(code.value(i))
                        .and_then(|y| y.get_mut(&bd.year(i)))
                        .ok_or_else(unranked)?;
                    let at = rows
                        .binary_search_by(|p| tables.key(p).cmp(&k))
                        .map_err(|_| unranked())?;
                    let row = &mut rows[at];
                    let small = |v: i64| u32::try_from(v).map_err(|_| corrupt("a rank out of range"));
                    row.group_rank = small(gr.value(i))?;
                    row.region_rank = small(rr.value(i))?;
                    row.group_quartile = u8::try_from(gq.value(i))
                        .map_err(|_| corrupt("a quartile out of range"))?;
                    row.present |= HAS_POSITION;
                }
                Ok(())
            },
        )
    }

    /// The current submissions of each trust and year (provenance).
    fn read_submissions(&mut self, ledger: &[tables::Submission]) {
        let r = self;
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
        for v in r.subs.values_mut() {
            v.sort_by(|a, b| (&a.section, &a.id).cmp(&(&b.section, &b.id)));
        }
    }

    /// Each section's latest rejection, with its errors.
    fn read_rejections(&mut self, ledger: &[tables::Submission], messages: &[tables::MessageRow]) {
        let r = self;
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
    }

    /// The warnings of the current submissions (data quality).
    fn read_quality(&mut self, ledger: &[tables::Submission], messages: Vec<tables::MessageRow>) {
        let r = self;
        let current: HashSet<&str> = ledger
            .iter()
            .filter(|s| s.current)
            .map(|s| s.submission_id.as_str())
            .collect();
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
        for v in r.quality.values_mut() {
            v.sort_by(|a, b| (&a.location, &a.code).cmp(&(&b.location, &b.code)));
        }
    }

    /// Sections received, accepted and rejected in a year (all zero when
    /// the ledger holds nothing for it), and the unreadable files of any year.
    pub fn return_counts(&self, year: i32) -> ReturnCounts {
        self.return_counts
            .get(&year)
            .cloned()
            .unwrap_or(ReturnCounts {
                unreadable: self.unreadable,
                ..Default::default()
            })
    }

    pub fn has_org_year(&self, org: &str, year: i32) -> bool {
        self.org.get(org).is_some_and(|y| y.contains_key(&year))
    }

    fn packed(&self, org: &str, year: i32) -> &[Packed] {
        self.org
            .get(org)
            .and_then(|y| y.get(&year))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// A trust's figures for a year, sorted by breakdown.
    pub fn org_rows(&self, org: &str, year: i32) -> impl Iterator<Item = OrgRow> + '_ {
        self.packed(org, year)
            .iter()
            .map(|p| self.org_tables.row(p))
    }

    /// A trust's row of a year with the breakdown `k`, by binary search.
    fn find(&self, org: &str, year: i32, k: Key) -> Option<&Packed> {
        let rows = self.packed(org, year);
        let t = &self.org_tables;
        let i = rows.binary_search_by(|p| t.key(p).cmp(&k)).ok()?;
        Some(&rows[i])
    }

    pub fn org_row(&self, org: &str, year: i32, k: Key) -> Option<OrgRow> {
        self.find(org, year, k).map(|p| self.org_tables.row(p))
    }

    pub fn group(&self, group: &str, year: i32, k: Key) -> Option<&Stats> {
        self.group.get(group, year, k)
    }

    pub fn region(&self, region: &str, year: i32, k: Key) -> Option<&Stats> {
        self.region.get(region, year, k)
    }

    pub fn icb(&self, icb_code: &str, year: i32, k: Key) -> Option<&Stats> {
        self.icb.get(icb_code, year, k)
    }

    pub fn national(&self, year: i32, k: Key) -> Option<&National> {
        self.national.get("", year, k)
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
        let p = self.find(org, year, k)?;
        (p.present & HAS_POSITION != 0).then_some(Position {
            group_rank: i64::from(p.group_rank),
            group_quartile: i64::from(p.group_quartile),
            region_rank: i64::from(p.region_rank),
        })
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
            .iter()
            .filter(|(_, years)| years.contains_key(&year))
            .map(|(o, _)| &**o)
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
}

/// Each section of the year's return: accepted (current), rejected (the
/// latest rejection no accepted return replaced) or missing.
pub fn return_statuses(r: &Results, org: &str, year: i32) -> Vec<ReturnStatus> {
    let subs = r.submissions(org, year);
    let rejected = r.rejections(org, year);
    crate::model::Section::ALL
        .iter()
        .map(|section| {
            let code = section.code();
            if let Some(s) = subs.iter().find(|s| s.section == code) {
                ReturnStatus {
                    section: code.into(),
                    status: "accepted",
                    // The file name only: a pack does not reveal the sender's folders.
                    file: Path::new(&s.file)
                        .file_name()
                        .map(|f| f.to_string_lossy().to_string()),
                    received: Some(s.received_at.clone()),
                    errors: Vec::new(),
                }
            } else if let Some(x) = rejected.iter().find(|x| x.section == code) {
                ReturnStatus {
                    section: code.into(),
                    status: "rejected",
                    file: Some(x.file.clone()),
                    received: Some(x.received_at.clone()),
                    errors: x.errors.clone(),
                }
            } else {
                ReturnStatus {
                    section: code.into(),
                    status: "missing",
                    file: None,
                    received: None,
                    errors: Vec::new(),
                }
            }
        })
        .collect()
}

/// Sections received, accepted and rejected in a year (from the ledger).
#[derive(Debug, Clone, Default)]
pub struct ReturnCounts {
    pub received: usize,
    pub accepted: usize,
    pub rejected: usize,
    /// Files rejected whole, before any organisation or year could be read
    /// from them: they belong to no year, so they are counted over all.
    pub unreadable: usize,
}

/// The ledger's sections counted per year, in one pass (the ledger the
/// results were built from, read once by [`Results::load`]).
fn count_returns(ledger: &[tables::Submission]) -> (HashMap<i32, ReturnCounts>, usize) {
    let unreadable = ledger
        .iter()
        .filter(|s| s.section.is_none() && s.outcome == "rejected")
        .count();
    let mut by_year: HashMap<i32, ReturnCounts> = HashMap::new();
    for s in ledger {
        let Some(year) = s.year else { continue };
        let c = by_year.entry(year).or_default();
        c.received += 1;
        match s.outcome.as_str() {
            "rejected" => c.rejected += 1,
            _ => c.accepted += 1,
        }
    }
    for c in by_year.values_mut() {
        c.unreadable = unreadable;
    }
    (by_year, unreadable)
}
