//! The SQL of `queries/` on tiny hand-made returns with hand-checked answers,
//! written as sqllogictest files (`tests/slt/*.slt`) a statistician can read.
//!
//! Two pseudo-statements drive the real pipeline:
//! - `LOAD RETURNS` followed by CSV long-form rows (no header) adds returns;
//! - `RUN BENCHMARK [name=value ...]` ingests them (every section must be
//!   accepted) and runs `queries/*.sql` with those parameters changed.
//!
//! Every other statement is SQL over the warehouse tables, as `wresbench sql`
//! sees them. Values print as Arrow displays them, NULL as `NULL` and an empty
//! string as `(empty)`; round in
//! the query where a figure has more decimals than the check needs.

use std::path::PathBuf;

use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use sqllogictest::{DBOutput, DefaultColumnType};
use wresbench::engine::{self, Engine, Params};
use wresbench::ingest::ValidateOptions;
use wresbench::register::Register;
use wresbench::warehouse::{self, IngestOptions};

use crate::common::*;

const HEADER: &str = "org_code,year,indicator,measure,staff_group,category,ethnicity,value\n";

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct SltError(String);

struct Db {
    dir: tempfile::TempDir,
    rows: String,
    engine: Option<Engine>,
}

impl Db {
    fn benchmark(&mut self, settings: &str) -> Result<(), SltError> {
        let mut params = Params::default();
        for kv in settings.split_whitespace() {
            let (k, v) = kv
                .split_once('=')
                .ok_or_else(|| SltError(format!("`{kv}`: write name=value")))?;
            let v: f64 = v
                .parse()
                .map_err(|_| SltError(format!("`{kv}`: not a number")))?;
            match k {
                "model_employer_year" => params.model_employer_year = v as i32,
                "min_responses" => params.min_responses = v,
                "small_numbers" => params.small_numbers = v,
                _ => return Err(SltError(format!("unknown parameter `{k}`"))),
            }
        }
        let file = self.dir.path().join("returns.csv");
        std::fs::write(&file, format!("{HEADER}{}", self.rows))
            .map_err(|e| SltError(e.to_string()))?;
        let wh = self.dir.path().join("wh");
        let _ = std::fs::remove_dir_all(&wh);
        let s = warehouse::ingest(&IngestOptions {
            inputs: vec![file],
            warehouse: wh.clone(),
            register: Register::builtin(),
            // Far enough ahead for the Model Employer years 2028 and 2029.
            validate: ValidateOptions { max_year: 2030 },
            progress: false,
        })
        .map_err(|e| SltError(e.to_string()))?;
        if s.sections_rejected + s.files_rejected > 0 {
            return Err(SltError(format!("returns rejected: {:#?}", s.rejections)));
        }
        engine::benchmark(&wh, &Register::builtin(), &params, engine::Years::OutOfDate)
            .map_err(|e| SltError(e.to_string()))?;
        self.engine = Some(
            Engine::open(&wh, &Register::builtin(), &params)
                .map_err(|e| SltError(e.to_string()))?,
        );
        Ok(())
    }
}

impl sqllogictest::DB for Db {
    type Error = SltError;
    type ColumnType = DefaultColumnType;

    fn run(&mut self, sql: &str) -> Result<DBOutput<DefaultColumnType>, SltError> {
        let text = sql.trim();
        if let Some(rest) = text.strip_prefix("LOAD RETURNS") {
            for line in rest.lines().map(str::trim).filter(|l| !l.is_empty()) {
                self.rows.push_str(line);
                self.rows.push('\n');
            }
            return Ok(DBOutput::StatementComplete(0));
        }
        if let Some(rest) = text.strip_prefix("RUN BENCHMARK") {
            self.benchmark(rest)?;
            return Ok(DBOutput::StatementComplete(0));
        }
        let engine = self
            .engine
            .as_ref()
            .ok_or_else(|| SltError("RUN BENCHMARK before querying".into()))?;
        let batch = engine
            .query("slt", text)
            .map_err(|e| SltError(e.to_string()))?;
        let opts = FormatOptions::default().with_null("NULL");
        let cols: Vec<ArrayFormatter> = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &opts))
            .collect::<Result<_, _>>()
            .map_err(|e| SltError(e.to_string()))?;
        let rows = (0..batch.num_rows())
            .map(|i| {
                cols.iter()
                    .map(|c| match c.value(i).to_string() {
                        // sqllogictest's spelling of an empty string.
                        s if s.is_empty() => "(empty)".to_string(),
                        s => s,
                    })
                    .collect()
            })
            .collect();
        Ok(DBOutput::Rows {
            types: vec![DefaultColumnType::Any; batch.num_columns()],
            rows,
        })
    }

    fn engine_name(&self) -> &str {
        "wresbench"
    }
}

fn slt_files() -> Vec<PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/slt");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/slt")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "slt"))
        .collect();
    v.sort();
    v
}

#[test]
fn every_slt_file_passes() {
    let files = slt_files();
    assert!(files.len() >= 3, "the .slt files are missing: {files:?}");
    let mut failures = Vec::new();
    for f in &files {
        let mut runner = sqllogictest::Runner::new(|| async {
            Ok(Db {
                dir: tempdir(),
                rows: String::new(),
                engine: None,
            })
        });
        if let Err(e) = runner.run_file(f) {
            failures.push(format!("{}: {e}", f.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
