//! The analytical core: DataFusion over the warehouse, running `queries/*.sql`.
//!
//! One [`SessionContext`] per run. The warehouse tables and the register are
//! registered under the names of spec/outputs.md; the query files run in order,
//! each result registered under its own name for the queries after it, then
//! written as year-partitioned Parquet in one atomic commit, with each query's
//! SHA-256 in the snapshot's manifest.

pub mod rebuild;
pub mod udf;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{Array, BooleanArray, Int32Array, RecordBatch, StringArray};
use datafusion::arrow::compute::{concat_batches, filter_record_batch};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::datasource::MemTable;
use datafusion::error::DataFusionError;
use datafusion::execution::options::{ParquetReadOptions, ReadOptions};
use datafusion::prelude::{SessionConfig, SessionContext};
use rayon::prelude::*;
use serde::Serialize;

use crate::register::Register;
use crate::warehouse::{self, Lock, Txn, layout, tables};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A query failed: for `wresbench sql`, the user's query; for the shipped
    /// queries, our bug.
    // Not a `source`: the message already carries DataFusion's, and a
    // source would print it twice in the error chain.
    #[error("{context}: {error}")]
    DataFusion {
        context: String,
        error: DataFusionError,
    },
    /// A result batch that Arrow cannot handle: our bug.
    #[error("internal error (please report it): {0}")]
    Arrow(#[from] datafusion::arrow::error::ArrowError),
    /// The warehouse could not be read or written.
    #[error(transparent)]
    Warehouse(#[from] warehouse::Error),
    /// The query runtime could not start (out of threads or memory).
    #[error("cannot start the query runtime: {0}")]
    Runtime(std::io::Error),
    /// `benchmark` on a warehouse without returns.
    #[error("the warehouse {0} holds no accepted returns yet; run `wresbench ingest` first")]
    Empty(PathBuf),
    /// `export`, `peers` before any `benchmark`.
    #[error("the warehouse has no results yet; run `wresbench benchmark --warehouse {0}` first")]
    NoResults(PathBuf),
    /// Results older than the ledger: an ingest or restore since the last
    /// benchmark changed the returns they were computed from (or a
    /// `benchmark --year` brought only some years up to date).
    #[error(
        "the results in {0} were built before the latest ingest or restore (or only some of their years since), so they would show old figures; run `wresbench benchmark --warehouse {0}` first (or `wresbench run`, which does both)"
    )]
    Stale(PathBuf),
    /// A year asked for that the results do not hold; lists those they do.
    #[error("year {year} is not in the warehouse (years held: {held})")]
    NoSuchYear { year: i32, held: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// `year` is not among the years held, which the message lists.
    pub fn no_such_year(year: i32, held: &[i32]) -> Error {
        Error::NoSuchYear {
            year,
            held: held
                .iter()
                .map(i32::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

fn df(context: impl Into<String>) -> impl FnOnce(DataFusionError) -> Error {
    let context = context.into();
    move |error| Error::DataFusion { context, error }
}

/// The result tables. Each is a file in `queries/`, compiled in so the
/// binary works from any folder. `org_metrics` runs first; the others read
/// it and are listed shortest first (`run_queries` starts the longest).
pub const QUERIES: &[(&str, &str)] = &[
    ("org_metrics", include_str!("../../queries/org_metrics.sql")),
    (
        "group_metrics",
        include_str!("../../queries/group_metrics.sql"),
    ),
    (
        "region_metrics",
        include_str!("../../queries/region_metrics.sql"),
    ),
    (
        "national_metrics",
        include_str!("../../queries/national_metrics.sql"),
    ),
    (
        "org_positions",
        include_str!("../../queries/org_positions.sql"),
    ),
];

pub use crate::params::Params;

/// A DataFusion session over one warehouse, with its own runtime.
pub struct Engine {
    pub ctx: SessionContext,
    rt: tokio::runtime::Runtime,
    pub root: PathBuf,
    /// The committed state this engine reads, resolved once when it opens.
    pub snapshot: warehouse::Snapshot,
    /// Keeps the snapshot's files in place while this engine reads them
    /// (none for a writer, which holds the warehouse lock instead).
    _read_guard: Option<warehouse::ReadGuard>,
}

impl Engine {
    /// Opens a warehouse: registers `returns`, `submissions`, `messages`,
    /// `organisations`, `params` and whatever results exist.
    pub fn open(root: &Path, register: &Register, params: &Params) -> Result<Engine> {
        // Shared lock first, then the snapshot: its files cannot be removed
        // between resolving it and reading them.
        let guard = warehouse::ReadGuard::acquire(root);
        Engine::open_with(root, register, params, Some(guard))
    }

    /// [`Engine::open`] for a writer holding the warehouse [`Lock`].
    pub fn open_locked(
        root: &Path,
        register: &Register,
        params: &Params,
        _lock: &Lock,
    ) -> Result<Engine> {
        Engine::open_with(root, register, params, None)
    }

    fn open_with(
        root: &Path,
        register: &Register,
        params: &Params,
        read_guard: Option<warehouse::ReadGuard>,
    ) -> Result<Engine> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(rayon::current_num_threads().max(1))
            .enable_all()
            .build()
            .map_err(Error::Runtime)?;
        let mut config = SessionConfig::new()
            .with_target_partitions(rayon::current_num_threads().clamp(1, 8))
            .with_information_schema(true);
        // Read strings as plain Utf8, as they were written, so a table has the
        // same types whether it comes from Parquet or from memory.
        config
            .options_mut()
            .execution
            .parquet
            .schema_force_view_types = false;
        config.options_mut().sql_parser.map_string_types_to_utf8view = false;
        let ctx = SessionContext::new_with_config(config);
        for f in udf::all() {
            ctx.register_udf(f);
        }
        let engine = Engine {
            ctx,
            rt,
            root: root.to_path_buf(),
            snapshot: warehouse::Snapshot::load(root)?,
            _read_guard: read_guard,
        };
        // Exactly the files of one snapshot: a stray file is never read, a
        // commit in progress is not seen, and every table is of one state.
        engine.register_returns()?;
        let snap = &engine.snapshot;
        engine.register_files(
            "submissions",
            &snap
                .path(root, layout::SUBMISSIONS)
                .into_iter()
                .collect::<Vec<_>>(),
            Some(tables::submissions_schema()),
        )?;
        engine.register_files(
            "messages",
            &snap
                .path(root, layout::MESSAGES)
                .into_iter()
                .collect::<Vec<_>>(),
            Some(tables::messages_schema()),
        )?;
        engine.register_batch("organisations", organisations_batch(register)?)?;
        engine.register_batch("params", params_batch(params)?)?;
        engine.register_batch("metrics", metrics_batch()?)?;
        for (name, _) in QUERIES {
            let files = snap.paths_under(root, &format!("{}/{name}/", layout::RESULTS_DIR));
            if !files.is_empty() {
                engine.register_files(name, &files, None)?;
            }
        }
        Ok(engine)
    }

    /// The snapshot's returns files, one folder per year.
    fn returns_files(&self) -> Vec<PathBuf> {
        let prefix = format!("{}/", layout::RETURNS_DIR);
        self.snapshot.paths_under(&self.root, &prefix)
    }

    /// Registers `returns` over the snapshot's files of every year.
    pub fn register_returns(&self) -> Result<()> {
        let files = self.returns_files();
        self.register_files("returns", &files, Some(tables::returns_schema()))
    }

    /// Registers `returns` for one pass of the benchmark: the years
    /// `first..=last` whole, and of the year before only indicator 3, the
    /// one indicator whose previous year a query reads (the two-year
    /// relative likelihood in `org_metrics.sql`, pooled again in
    /// `national_metrics.sql`). The year before was computed whole and
    /// thrown away: half of every pass at `--scale 20`, one year a pass.
    /// Its other figures come out partial (indicator 1 missing) and are
    /// never kept: only the pass's own years are written. A query that comes
    /// to read another indicator's year before must widen this filter; the
    /// test `results_computed_a_year_at_a_time_equal_one_pass_over_every_year`
    /// fails until it does.
    pub fn register_pass_returns(&self, first: i32, last: i32) -> Result<()> {
        use datafusion::prelude::{col, lit};
        let files: Vec<PathBuf> = self
            .returns_files()
            .into_iter()
            .filter(|p| year_of_path(p).is_some_and(|y| first - 1 <= y && y <= last))
            .collect();
        let Some(table) = self.listing_table("returns", &files)? else {
            return self
                .register_batch("returns", RecordBatch::new_empty(tables::returns_schema()));
        };
        let what = || format!("registering returns for {first}-{last}");
        // Read once into memory, in the scan's partitions: org_metrics.sql
        // names `returns` in many branches and DataFusion plans each as a
        // scan of its own (27 Parquet decodes of the same files on the
        // decade). A pass's returns are small beside its results (one year
        // at `--scale 20` is 540,000 rows, about 30 MB).
        let frame = self
            .ctx
            .read_table(table)
            .and_then(|f| {
                f.filter(
                    col("year")
                        .gt_eq(lit(first))
                        .or(col("indicator").eq(lit(3))),
                )
            })
            .map_err(df(what()))?;
        let schema = Arc::new(frame.schema().as_arrow().clone());
        let partitions = self
            .rt
            .block_on(frame.collect_partitioned())
            .map_err(df(what()))?;
        self.register_memory("returns", schema, partitions)
    }

    /// Registers a table over exactly these Parquet files (an empty table of
    /// `schema` when there are none).
    fn register_files(
        &self,
        name: &str,
        files: &[PathBuf],
        schema: Option<SchemaRef>,
    ) -> Result<()> {
        let Some(table) = self.listing_table(name, files)? else {
            let schema = schema.unwrap_or_else(|| Arc::new(Schema::empty()));
            return self.register_batch(name, RecordBatch::new_empty(schema));
        };
        let _ = self.ctx.deregister_table(name);
        self.ctx
            .register_table(name, table)
            .map_err(df(format!("registering {name}")))?;
        Ok(())
    }

    /// A table over exactly these Parquet files; None when there are none.
    fn listing_table(
        &self,
        name: &str,
        files: &[PathBuf],
    ) -> Result<Option<Arc<dyn datafusion::catalog::TableProvider>>> {
        use datafusion::datasource::listing::{ListingTable, ListingTableConfig, ListingTableUrl};
        if files.is_empty() {
            return Ok(None);
        }
        let what = || format!("registering {name} from {}", files[0].display());
        let urls = files
            .iter()
            .map(|f| ListingTableUrl::parse(f.to_string_lossy()))
            .collect::<datafusion::error::Result<Vec<_>>>()
            .map_err(df(what()))?;
        let options = ParquetReadOptions::default()
            .to_listing_options(&self.ctx.copied_config(), self.ctx.copied_table_options());
        let config = ListingTableConfig::new_with_multi_paths(urls).with_listing_options(options);
        let config = self
            .rt
            .block_on(config.infer_schema(&self.ctx.state()))
            .map_err(df(what()))?;
        let table = ListingTable::try_new(config).map_err(df(what()))?;
        Ok(Some(Arc::new(table)))
    }

    /// Registers (or replaces) a table held in memory.
    pub fn register_batch(&self, name: &str, batch: RecordBatch) -> Result<()> {
        self.register_memory(name, batch.schema(), vec![vec![batch]])
    }

    /// Registers (or replaces) a table of batches in memory, one list per
    /// partition.
    fn register_memory(
        &self,
        name: &str,
        schema: SchemaRef,
        partitions: Vec<Vec<RecordBatch>>,
    ) -> Result<()> {
        let _ = self.ctx.deregister_table(name);
        let table =
            MemTable::try_new(schema, partitions).map_err(df(format!("registering {name}")))?;
        self.ctx
            .register_table(name, Arc::new(table))
            .map_err(df(format!("registering {name}")))?;
        Ok(())
    }

    /// Runs one SQL statement and collects the result into one batch.
    pub fn query(&self, context: &str, sql: &str) -> Result<RecordBatch> {
        self.query_with(
            context,
            sql,
            datafusion::execution::context::SQLOptions::new(),
        )
    }

    /// Runs a query and hands its batches to `f` one at a time, as they are
    /// computed, so a large result is never in memory whole (export reads
    /// org_metrics this way: 7.4 million rows at `--scale 20`). No order:
    /// the caller sorts what it keeps.
    pub fn for_each_batch<E: From<Error>>(
        &self,
        context: &str,
        sql: &str,
        mut f: impl FnMut(&RecordBatch) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        use futures::StreamExt;
        self.rt.block_on(async {
            let frame = self.ctx.sql(sql).await.map_err(df(context))?;
            let mut stream = frame.execute_stream().await.map_err(df(context))?;
            while let Some(b) = stream.next().await {
                f(&b.map_err(df(context))?)?;
            }
            Ok(())
        })
    }

    /// A query from a person (`wresbench sql`): read-only. `INSERT INTO
    /// returns` would add rows no ledger entry accounts for, `COPY ... TO`
    /// writes anywhere, `CREATE`/`SET` change the session: all refused.
    pub fn read_only_query(&self, context: &str, sql: &str) -> Result<RecordBatch> {
        let opts = datafusion::execution::context::SQLOptions::new()
            .with_allow_ddl(false)
            .with_allow_dml(false)
            .with_allow_statements(false);
        self.query_with(context, sql, opts)
    }

    fn query_with(
        &self,
        context: &str,
        sql: &str,
        opts: datafusion::execution::context::SQLOptions,
    ) -> Result<RecordBatch> {
        let p = self.parts_with(context, sql, opts)?;
        Ok(concat_batches(&p.schema, &p.batches)?)
    }

    /// Runs one file of `queries/` (its `CREATE TABLE` statements, then its
    /// query) and returns the result as one batch: [`QUERIES`] one at a time,
    /// as the tests run them.
    pub fn query_file(&self, name: &'static str, sql: &'static str) -> Result<RecordBatch> {
        let mut parts = self.query_parts_together(&[(name, sql)], |_, _, _| {})?;
        let p = parts.pop().ok_or_else(|| Error::DataFusion {
            context: format!("queries/{name}.sql"),
            error: DataFusionError::Internal("the query gave no result".into()),
        })?;
        Ok(concat_batches(&p.schema, &p.batches)?)
    }

    /// Runs independent queries on tasks of the runtime, as many at a time
    /// as there are cores, starting them in the order given (put the longest
    /// first), and returns their results in that order. Planning a query and
    /// its final single-threaded steps (the last merge of a sort, a window's
    /// partitions) keep one core busy; with another query in flight the
    /// other core has work meanwhile. No more than that: each query in
    /// flight holds its own intermediate tables (four at once took `--scale
    /// 20`'s benchmark near 1 GiB). `done` is called as each one finishes,
    /// with its name, rows and the time since the first started.
    pub fn query_parts_together(
        &self,
        queries: &[(&'static str, &'static str)],
        done: impl Fn(&str, usize, std::time::Duration),
    ) -> Result<Vec<Parts>> {
        use futures::StreamExt;
        let started = std::time::Instant::now();
        let in_flight = rayon::current_num_threads().max(1);
        let handle = self.rt.handle().clone();
        let ctx = &self.ctx;
        let mut pending = futures::stream::iter(queries.iter().enumerate())
            .map(|(i, &(name, sql))| {
                let ctx = ctx.clone();
                // Spawned when the stream reaches it, not before.
                let task = handle.spawn(async move { run_query_file(&ctx, sql).await });
                async move { (i, name, task.await) }
            })
            .buffer_unordered(in_flight);
        let mut out: Vec<Option<Parts>> = queries.iter().map(|_| None).collect();
        self.rt.block_on(async {
            while let Some((i, name, joined)) = pending.next().await {
                let context = format!("queries/{name}.sql (a bug in wresbench: please report it)");
                // A task that panicked is our bug, reported like a failed query.
                let (schema, batches) = joined
                    .map_err(|e| DataFusionError::External(Box::new(e)))
                    .and_then(|r| r)
                    .map_err(df(context))?;
                done(
                    name,
                    batches.iter().map(RecordBatch::num_rows).sum(),
                    started.elapsed(),
                );
                out[i] = Some(Parts { schema, batches });
            }
            Ok::<_, Error>(())
        })?;
        Ok(out.into_iter().flatten().collect())
    }

    /// Registers a result kept in batches as a table.
    pub fn register_parts(&self, name: &str, parts: &Parts) -> Result<()> {
        self.register_memory(name, parts.schema.clone(), vec![parts.batches.clone()])
    }

    /// Drops a registered table (and the memory of one registered from batches).
    pub fn forget(&self, name: &str) {
        let _ = self.ctx.deregister_table(name);
    }

    fn parts_with(
        &self,
        context: &str,
        sql: &str,
        opts: datafusion::execution::context::SQLOptions,
    ) -> Result<Parts> {
        let batches = self.rt.block_on(async {
            let frame = self.ctx.sql_with_options(sql, opts).await?;
            frame.collect().await
        });
        let batches = batches.map_err(df(context.to_string()))?;
        let schema = match batches.first() {
            Some(b) => b.schema(),
            None => {
                // An empty result still has a schema: plan it to find out.
                let frame = self
                    .rt
                    .block_on(self.ctx.sql_with_options(sql, opts))
                    .map_err(df(context.to_string()))?;
                Arc::new(frame.schema().as_arrow().clone())
            }
        };
        Ok(Parts { schema, batches })
    }

    /// Plans a statement without running it (the `make test` schema check).
    pub fn plan(&self, context: &str, sql: &str) -> Result<SchemaRef> {
        let frame = self
            .rt
            .block_on(self.ctx.sql(sql))
            .map_err(df(context.to_string()))?;
        Ok(Arc::new(frame.schema().as_arrow().clone()))
    }

    /// Years with accepted returns.
    pub fn years(&self) -> Result<Vec<i32>> {
        let b = self.query(
            "listing years",
            "SELECT DISTINCT year FROM returns ORDER BY year",
        )?;
        let col = b
            .column(0)
            .as_any()
            .downcast_ref::<Int32Array>()
            .map(|a| a.iter().flatten().collect())
            .unwrap_or_default();
        Ok(col)
    }
}

fn organisations_batch(register: &Register) -> Result<RecordBatch> {
    let orgs: Vec<_> = register.iter().collect();
    let col = |f: fn(&crate::register::Organisation) -> &str| {
        Arc::new(StringArray::from_iter_values(orgs.iter().map(|o| f(o)))) as _
    };
    let schema = Arc::new(Schema::new(
        crate::register::COLUMNS
            .iter()
            .map(|n| Field::new(*n, DataType::Utf8, false))
            .collect::<Vec<_>>(),
    ));
    Ok(RecordBatch::try_new(
        schema,
        vec![
            col(|o| &o.org_code),
            col(|o| &o.org_name),
            col(|o| &o.benchmark_group),
            col(|o| &o.region),
            col(|o| &o.icb_code),
            col(|o| &o.icb_name),
        ],
    )?)
}

fn params_batch(p: &Params) -> Result<RecordBatch> {
    use datafusion::arrow::array::{Float64Array, Int64Array};
    let f = |v: f64| Arc::new(Float64Array::from(vec![v])) as _;
    let schema = Arc::new(Schema::new(vec![
        Field::new("min_responses", DataType::Float64, false),
        Field::new("small_numbers", DataType::Float64, false),
        Field::new("z", DataType::Float64, false),
        Field::new("parity_low", DataType::Float64, false),
        Field::new("parity_high", DataType::Float64, false),
        Field::new("model_employer_year", DataType::Int32, false),
        Field::new("min_count", DataType::Float64, false),
        Field::new("min_trusts", DataType::Int64, false),
    ]));
    Ok(RecordBatch::try_new(
        schema,
        vec![
            f(p.min_responses),
            f(p.small_numbers),
            f(p.z),
            f(p.parity_low),
            f(p.parity_high),
            Arc::new(Int32Array::from(vec![p.model_employer_year])),
            f(p.min_count),
            Arc::new(Int64Array::from(vec![p.min_trusts])),
        ],
    )?)
}

/// The metric catalogue ([`crate::metric::Metric`]) as the table `metrics`:
/// `code, indicator, kind, direction, label, decimals, source_metric,
/// first_group, window_years, group_stats`.
pub fn metrics_batch() -> Result<RecordBatch> {
    use crate::metric::Metric;
    use datafusion::arrow::array::BooleanArray;
    let all = Metric::ALL;
    let strs = |f: &dyn Fn(Metric) -> &'static str| {
        Arc::new(StringArray::from_iter_values(all.iter().map(|m| f(*m)))) as _
    };
    let opt_strs = |f: &dyn Fn(Metric) -> Option<&'static str>| {
        Arc::new(all.iter().map(|m| f(*m)).collect::<StringArray>()) as _
    };
    let ints = |f: &dyn Fn(Metric) -> i32| {
        Arc::new(Int32Array::from_iter_values(all.iter().map(|m| f(*m)))) as _
    };
    let schema = Arc::new(Schema::new(vec![
        Field::new("code", DataType::Utf8, false),
        Field::new("indicator", DataType::Int32, false),
        Field::new("kind", DataType::Utf8, false),
        Field::new("direction", DataType::Utf8, false),
        Field::new("label", DataType::Utf8, false),
        Field::new("decimals", DataType::Int32, false),
        Field::new("source_metric", DataType::Utf8, true),
        Field::new("first_group", DataType::Utf8, true),
        Field::new("window_years", DataType::Int32, false),
        Field::new("group_stats", DataType::Boolean, false),
    ]));
    Ok(RecordBatch::try_new(
        schema,
        vec![
            strs(&|m| m.code()),
            ints(&|m| i32::from(m.indicator())),
            strs(&|m| m.kind().code()),
            strs(&|m| m.direction().code()),
            strs(&|m| m.label()),
            ints(&|m| m.decimals() as i32),
            opt_strs(&|m| m.source().map(Metric::code)),
            opt_strs(&|m| m.first_group().map(|e| e.code())),
            ints(&|m| m.window_years()),
            Arc::new(BooleanArray::from_iter(
                all.iter().map(|m| Some(m.has_group_stats())),
            )),
        ],
    )?)
}

/// What `wresbench benchmark` did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BenchmarkSummary {
    pub trusts: usize,
    pub years: Vec<i32>,
    pub years_written: Vec<i32>,
    /// Years not computed because their results are current.
    pub kept: Vec<i32>,
    /// Rows written per result table.
    pub rows: Vec<(String, usize)>,
    pub org_figures: usize,
    pub suppressed: usize,
    pub undefined: usize,
    /// Relative likelihoods of 0 (no one in the first group) and infinite ones.
    pub zero_count: usize,
    pub infinite: usize,
}

/// SHA-256 of each query file, as recorded in the manifest and packs.
pub fn query_hashes() -> serde_json::Map<String, serde_json::Value> {
    QUERIES
        .iter()
        .map(|(name, sql)| {
            (
                format!("{name}.sql"),
                serde_json::Value::String(crate::ingest::sha256_hex(sql.as_bytes())),
            )
        })
        .collect()
}

/// The year of a file stored under a `year=YYYY` folder.
fn year_of_path(p: &Path) -> Option<i32> {
    p.components()
        .find_map(|c| c.as_os_str().to_str()?.strip_prefix("year=")?.parse().ok())
}

/// How many trust-years of returns one pass of the queries takes at most.
/// The queries run over runs of consecutive years (each with the year before
/// for indicator 3's two-year figure) holding at most this many, so memory
/// stays bounded whatever the number of trusts: the national decade (205
/// trusts x 10 years) is one pass; `generate --scale 20` (4,100 trusts) is
/// one year a pass, and a result table is never held whole in memory.
pub const TRUST_YEARS_PER_PASS: usize = 2_500;

/// Splits `years` (sorted) into runs of consecutive years of at most
/// `per_pass / trusts` years each (at least one).
pub fn passes(years: &[i32], trusts: usize, per_pass: usize) -> Vec<Vec<i32>> {
    let n = (per_pass / trusts.max(1)).max(1);
    let mut out: Vec<Vec<i32>> = Vec::new();
    for &y in years {
        match out.last_mut() {
            Some(run) if run.len() < n && run.last() == Some(&(y - 1)) => run.push(y),
            _ => out.push(vec![y]),
        }
    }
    out
}

/// Which years `benchmark` computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Years {
    /// Those whose returns (or the year before's) changed since their
    /// results were written, or that have none yet; every year when the
    /// queries, parameters or register changed ([`rebuild`]).
    OutOfDate,
    /// Every year, changed or not.
    All,
    /// This year only.
    One(i32),
}

/// Runs every query and writes the result tables of the years asked for.
pub fn benchmark(
    root: &Path,
    register: &Register,
    params: &Params,
    years: Years,
) -> Result<BenchmarkSummary> {
    benchmark_with_progress(root, register, params, years, false)
}

/// [`benchmark`], drawing a bar of the queries on a terminal when `progress`.
pub fn benchmark_with_progress(
    root: &Path,
    register: &Register,
    params: &Params,
    years: Years,
    progress: bool,
) -> Result<BenchmarkSummary> {
    benchmark_in_passes(
        root,
        register,
        params,
        years,
        progress,
        TRUST_YEARS_PER_PASS,
    )
}

/// [`benchmark_with_progress`] with the pass size given (tests use small
/// ones to check that passes change nothing).
pub fn benchmark_in_passes(
    root: &Path,
    register: &Register,
    params: &Params,
    which: Years,
    progress: bool,
    trust_years_per_pass: usize,
) -> Result<BenchmarkSummary> {
    let lock = Lock::acquire(root).map_err(Error::Warehouse)?;
    let engine = Engine::open_locked(root, register, params, &lock)?;
    let years = engine.years()?;
    if years.is_empty() {
        return Err(Error::Empty(root.to_path_buf()));
    }
    let ledger = engine.snapshot.ledger(root).map_err(Error::Warehouse)?;
    let recipe = rebuild::recipe(register, params)?;
    let inputs = rebuild::year_inputs(&ledger);
    // The record and the result files are committed together, so a year
    // the record names has its files.
    let built = rebuild::Built::read(&engine.snapshot.manifest);
    let write_years: Vec<i32> = match which {
        Years::One(y) if years.contains(&y) => vec![y],
        Years::One(y) => return Err(Error::no_such_year(y, &years)),
        Years::All => years.clone(),
        Years::OutOfDate => built.out_of_date(&recipe, &years, &inputs),
    };

    let mut summary = BenchmarkSummary {
        years: years.clone(),
        years_written: write_years.clone(),
        kept: match which {
            Years::OutOfDate => years
                .iter()
                .copied()
                .filter(|y| !write_years.contains(y))
                .collect(),
            _ => Vec::new(),
        },
        ..Default::default()
    };
    if write_years.is_empty() {
        // Every year's results are those its returns give: nothing to write,
        // and no new snapshot.
        return Ok(summary);
    }
    let mut txn = Txn::begin_at(root, &lock, engine.snapshot.clone()).map_err(Error::Warehouse)?;
    let mut rows: Vec<(String, usize)> = QUERIES.iter().map(|(n, _)| (n.to_string(), 0)).collect();
    let mut trusts = BTreeSet::new();
    let runs = passes(&write_years, register.len(), trust_years_per_pass);
    let bar = crate::progress::bar(
        (runs.len() * QUERIES.len()) as u64,
        "running queries",
        progress,
    );
    for run in &runs {
        let (first, last) = (run[0], run[run.len() - 1]);
        // The year before too, its indicator 3: the two-year figure pools it.
        engine.register_pass_returns(first, last)?;
        let results = run_queries(&engine, &bar)?;
        // Only the run's own years are kept; the year before was context.
        let org_metrics = results[0].1.years(first, last)?;
        engine.register_batch("org_metrics", org_metrics)?;
        count_figures(&engine, &mut summary, &mut trusts)?;
        // One file per table and year, written in parallel (Parquet
        // encoding is single-threaded per file and was a quarter of the
        // stage at `--scale 20`).
        let mut files = Vec::new();
        for (t, (name, _)) in results.iter().enumerate() {
            for y in run {
                let p = txn
                    .path_for(&layout::result_file(name, *y))
                    .map_err(Error::Warehouse)?;
                files.push((t, *y, p));
            }
        }
        let written: Vec<(usize, usize)> = files
            .par_iter()
            .map(|(t, y, p)| {
                let part = results[*t].1.years(*y, *y)?;
                tables::write_parquet(p, &part).map_err(Error::Warehouse)?;
                Ok((*t, part.num_rows()))
            })
            .collect::<Result<_>>()?;
        for (t, n) in written {
            rows[t].1 += n;
        }
        // Nothing of this pass is held while the next computes.
        drop(results);
        for (name, _) in QUERIES {
            engine.forget(name);
        }
    }
    bar.finish_and_clear();
    summary.trusts = trusts.len();
    summary.rows = rows;
    let built_years = built.after(&recipe, &summary.years_written, &inputs);
    // Readers show results only when every year is current.
    let every_year_current = years.iter().all(|y| built_years.get(y) == inputs.get(y));
    let record = ResultsRecord {
        recipe: &recipe,
        years: &built_years,
        ledger: &ledger,
        every_year_current,
    };
    stage_results_record(&mut txn, params, &summary, &record)?;
    txn.commit().map_err(Error::Warehouse)?;
    Ok(summary)
}

/// Runs the statements of a query file in order: `CREATE TABLE name AS ...`
/// statements first (tables the last one reads several times, computed once;
/// DataFusion computes a WITH clause again wherever it is read), then the
/// query whose rows are the result. The tables it created are dropped
/// afterwards, whether it succeeded or not. While it runs they are in the
/// session's catalogue, so files that run at the same time name theirs
/// apart (`om_*` in org_metrics.sql, `nm_*` in national_metrics.sql; a test
/// checks no two files share a name).
async fn run_query_file(
    ctx: &SessionContext,
    sql: &str,
) -> std::result::Result<(SchemaRef, Vec<RecordBatch>), DataFusionError> {
    use datafusion::logical_expr::{DdlStatement, LogicalPlan};
    let mut statements = datafusion::sql::parser::DFParser::parse_sql(sql)?;
    let last = statements
        .pop_back()
        .ok_or_else(|| DataFusionError::Plan("the query file holds no statement".into()))?;
    let mut created = Vec::new();
    let result =
        async {
            for statement in statements {
                let plan = ctx.state().statement_to_plan(statement).await?;
                match &plan {
                    LogicalPlan::Ddl(DdlStatement::CreateMemoryTable(t)) => {
                        created.push(t.name.clone())
                    }
                    _ => return Err(DataFusionError::Plan(
                        "only CREATE TABLE ... AS may come before a query file's last statement"
                            .into(),
                    )),
                }
                ctx.execute_logical_plan(plan).await?.collect().await?;
            }
            let plan = ctx.state().statement_to_plan(last).await?;
            let frame = ctx.execute_logical_plan(plan).await?;
            // The batches' own schema (its nullability can differ from the
            // plan's); the plan's when there are none.
            let planned = Arc::new(frame.schema().as_arrow().clone());
            let batches = frame.collect().await?;
            let schema = batches.first().map_or(planned, RecordBatch::schema);
            Ok((schema, batches))
        }
        .await;
    for name in created {
        let _ = ctx.deregister_table(name);
    }
    result
}

/// Runs `org_metrics`, registers it, then the queries that read it, two at
/// a time on two cores (none reads another's result).
fn run_queries(
    engine: &Engine,
    bar: &indicatif::ProgressBar,
) -> Result<Vec<(&'static str, Parts)>> {
    let (first, rest) = QUERIES.split_first().expect("QUERIES is not empty");
    let log = |name: &str, rows: usize, took: std::time::Duration| {
        tracing::info!(
            "{name}.sql: {rows} rows in {:.0} ms",
            took.as_secs_f64() * 1e3
        );
        bar.inc(1);
    };
    bar.set_message(format!("{}.sql", first.0));
    let mut parts = engine.query_parts_together(std::slice::from_ref(first), log)?;
    engine.register_parts(first.0, &parts[0])?;
    bar.set_message("the tables that read org_metrics");
    // Longest first, so the short ones fill in at the end: QUERIES lists
    // them shortest first (decade, one at a time: group 57 ms, region 157,
    // national 212, org_positions 310).
    let mut longest_first = rest.to_vec();
    longest_first.reverse();
    let mut rest_parts = engine.query_parts_together(&longest_first, log)?;
    rest_parts.reverse();
    parts.extend(rest_parts);
    Ok(QUERIES.iter().map(|(n, _)| *n).zip(parts).collect())
}

/// Adds the figures of the `org_metrics` registered now (one pass's years)
/// to the summary's counts, and its trusts to `trusts`.
fn count_figures(
    engine: &Engine,
    summary: &mut BenchmarkSummary,
    trusts: &mut BTreeSet<String>,
) -> Result<()> {
    use datafusion::arrow::array::Int64Array;
    let counts = engine.query(
        "summary",
        "SELECT COUNT(*) AS figures, \
         SUM(CASE WHEN suppressed THEN 1 ELSE 0 END) AS suppressed, \
         SUM(CASE WHEN array_has(flags, 'undefined') THEN 1 ELSE 0 END) AS undefined, \
         SUM(CASE WHEN array_has(flags, 'zero_count') THEN 1 ELSE 0 END) AS zero_count, \
         SUM(CASE WHEN array_has(flags, 'infinite') THEN 1 ELSE 0 END) AS infinite \
         FROM org_metrics",
    )?;
    let get = |i: usize| -> usize {
        counts
            .column(i)
            .as_any()
            .downcast_ref::<Int64Array>()
            .and_then(|a| (!a.is_empty() && !a.is_null(0)).then(|| a.value(0)))
            .unwrap_or(0) as usize
    };
    summary.org_figures += get(0);
    summary.suppressed += get(1);
    summary.undefined += get(2);
    summary.zero_count += get(3);
    summary.infinite += get(4);
    let orgs = engine.query("summary", "SELECT DISTINCT org_code FROM org_metrics")?;
    if let Some(a) = orgs.column(0).as_any().downcast_ref::<StringArray>() {
        trusts.extend(a.iter().flatten().map(str::to_string));
    }
    Ok(())
}

/// Records in the manifest what the results were built from: the query
/// hashes, their parameters (export prints its thresholds from these), and
/// the ledger they describe (its latest receipt time and a fingerprint of
/// its current submissions), with this run.
struct ResultsRecord<'a> {
    recipe: &'a str,
    /// Each year's input fingerprint, for the years whose results are current.
    years: &'a std::collections::BTreeMap<i32, String>,
    ledger: &'a [tables::Submission],
    every_year_current: bool,
}

fn stage_results_record(
    txn: &mut Txn,
    params: &Params,
    summary: &BenchmarkSummary,
    record: &ResultsRecord,
) -> Result<()> {
    let run = serde_json::json!({
        "command": "benchmark",
        "at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "years_written": summary.years_written,
        "params": params,
        "rows": summary.rows,
    });
    let ledger_at = record.ledger.iter().map(|s| s.received_at.as_str()).max();
    // Not the ledger's state while some year is out of date: readers refuse
    // the results as stale until `benchmark` brings every year up to date.
    let ledger_state = record
        .every_year_current
        .then(|| tables::ledger_state(record.ledger));
    let years: serde_json::Map<String, serde_json::Value> = record
        .years
        .iter()
        .map(|(y, fp)| (y.to_string(), serde_json::Value::String(fp.clone())))
        .collect();
    warehouse::load::stage_manifest(txn, |m| {
        m["queries"] = serde_json::Value::Object(query_hashes());
        m["results"] = serde_json::json!({
            "params": params,
            "built_from_ledger_at": ledger_at,
            "ledger_state": ledger_state,
            "recipe": record.recipe,
            "years": years,
        });
        warehouse::load::push_run(m, run);
    });
    Ok(())
}

/// The rows of the years `from..=to`, in order (results are sorted by
/// their queries; filtering keeps the order).
pub fn years_slice(batch: &RecordBatch, from: i32, to: i32) -> Result<RecordBatch> {
    let Some(col) = batch
        .column_by_name("year")
        .and_then(|c| c.as_any().downcast_ref::<Int32Array>())
    else {
        return Ok(batch.clone());
    };
    let mask: BooleanArray = col
        .iter()
        .map(|v| Some(v.is_some_and(|y| from <= y && y <= to)))
        .collect();
    Ok(filter_record_batch(batch, &mask)?)
}

/// A query's result in the batches DataFusion computed it in.
pub struct Parts {
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
}

impl Parts {
    /// The rows of the years `from..=to`, in order, as one batch.
    pub fn years(&self, from: i32, to: i32) -> Result<RecordBatch> {
        let parts = self
            .batches
            .iter()
            .map(|b| years_slice(b, from, to))
            .collect::<Result<Vec<_>>>()?;
        Ok(concat_batches(&self.schema, &parts)?)
    }
}
