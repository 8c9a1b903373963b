//! The warehouse tables as Rust values, and their Arrow/Parquet form.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, BooleanArray, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::parquet::basic::Compression;
use datafusion::parquet::file::properties::WriterProperties;

use super::{Error, Result};

/// A row of the `returns` table: the CSV long form plus the submission it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRow {
    pub org_code: String,
    pub year: i32,
    pub indicator: i32,
    pub measure: String,
    pub staff_group: String,
    pub category: String,
    pub ethnicity: String,
    pub value: f64,
    pub submission_id: String,
}

impl StoredRow {
    pub fn from_row(r: &crate::ingest::Row, submission_id: &str) -> Self {
        StoredRow {
            org_code: r.org_code.clone(),
            year: r.year,
            indicator: i32::from(r.indicator.number()),
            measure: r.measure.code().to_string(),
            staff_group: r.staff_group.map_or("", |s| s.code()).to_string(),
            category: r.category.map_or("", |c| c.code()).to_string(),
            ethnicity: r.ethnicity.code().to_string(),
            value: r.value,
            submission_id: submission_id.to_string(),
        }
    }
    /// The order rows are stored in: by organisation, then the row's identity.
    pub fn sort_key(&self) -> (&str, i32, &str, &str, &str, &str) {
        (
            &self.org_code,
            self.indicator,
            &self.measure,
            &self.staff_group,
            &self.category,
            &self.ethnicity,
        )
    }
}

/// One ledger entry: a section of a return seen in a file (or a whole file
/// rejected before any section could be read).
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    pub submission_id: String,
    pub run_id: String,
    pub received_at: String,
    pub file: String,
    pub sha256: String,
    pub raw_path: String,
    pub format: String,
    pub org_code: Option<String>,
    pub year: Option<i32>,
    pub section: Option<String>,
    /// `accepted`, `rejected` or `superseded`.
    pub outcome: String,
    pub rows: i64,
    pub errors: i64,
    pub warnings: i64,
    pub supersedes: Option<String>,
    pub superseded_by: Option<String>,
    pub current: bool,
}

/// A fingerprint of what the results depend on: the current submissions of
/// the ledger. `benchmark` stores it with the results; readers of results
/// compare it with the ledger's, so results older than an `ingest` or
/// `restore` are never shown as current.
pub fn ledger_state(subs: &[Submission]) -> String {
    let mut ids: Vec<&str> = subs
        .iter()
        .filter(|s| s.current)
        .map(|s| s.submission_id.as_str())
        .collect();
    ids.sort_unstable();
    crate::ingest::sha256_hex(ids.join("\n").as_bytes())
}

#[derive(Debug, Clone, PartialEq)]
pub struct MessageRow {
    pub submission_id: String,
    pub file: String,
    pub org_code: Option<String>,
    pub year: Option<i32>,
    pub section: Option<String>,
    pub severity: String,
    pub code: String,
    pub location: String,
    pub message: String,
}

pub fn returns_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("org_code", DataType::Utf8, false),
        Field::new("year", DataType::Int32, false),
        Field::new("indicator", DataType::Int32, false),
        Field::new("measure", DataType::Utf8, false),
        Field::new("staff_group", DataType::Utf8, false),
        Field::new("category", DataType::Utf8, false),
        Field::new("ethnicity", DataType::Utf8, false),
        Field::new("value", DataType::Float64, false),
        Field::new("submission_id", DataType::Utf8, false),
    ]))
}

pub fn submissions_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("submission_id", DataType::Utf8, false),
        Field::new("run_id", DataType::Utf8, false),
        Field::new("received_at", DataType::Utf8, false),
        Field::new("file", DataType::Utf8, false),
        Field::new("sha256", DataType::Utf8, false),
        Field::new("raw_path", DataType::Utf8, false),
        Field::new("format", DataType::Utf8, false),
        Field::new("org_code", DataType::Utf8, true),
        Field::new("year", DataType::Int32, true),
        Field::new("section", DataType::Utf8, true),
        Field::new("outcome", DataType::Utf8, false),
        Field::new("rows", DataType::Int64, false),
        Field::new("errors", DataType::Int64, false),
        Field::new("warnings", DataType::Int64, false),
        Field::new("supersedes", DataType::Utf8, true),
        Field::new("superseded_by", DataType::Utf8, true),
        Field::new("current", DataType::Boolean, false),
    ]))
}

pub fn messages_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("submission_id", DataType::Utf8, false),
        Field::new("file", DataType::Utf8, false),
        Field::new("org_code", DataType::Utf8, true),
        Field::new("year", DataType::Int32, true),
        Field::new("section", DataType::Utf8, true),
        Field::new("severity", DataType::Utf8, false),
        Field::new("code", DataType::Utf8, false),
        Field::new("location", DataType::Utf8, false),
        Field::new("message", DataType::Utf8, false),
    ]))
}

fn strs<'a, T: 'a>(rows: &'a [T], f: impl Fn(&'a T) -> &'a str) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(rows.iter().map(f)))
}
fn opt_strs<'a, T: 'a>(rows: &'a [T], f: impl Fn(&'a T) -> Option<&'a str>) -> ArrayRef {
    Arc::new(rows.iter().map(f).collect::<StringArray>())
}

pub fn returns_batch(rows: &[StoredRow]) -> Result<RecordBatch> {
    Ok(RecordBatch::try_new(
        returns_schema(),
        vec![
            strs(rows, |r| &r.org_code),
            Arc::new(Int32Array::from_iter_values(rows.iter().map(|r| r.year))),
            Arc::new(Int32Array::from_iter_values(
                rows.iter().map(|r| r.indicator),
            )),
            strs(rows, |r| &r.measure),
            strs(rows, |r| &r.staff_group),
            strs(rows, |r| &r.category),
            strs(rows, |r| &r.ethnicity),
            Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.value))),
            strs(rows, |r| &r.submission_id),
        ],
    )?)
}

pub fn submissions_batch(rows: &[Submission]) -> Result<RecordBatch> {
    Ok(RecordBatch::try_new(
        submissions_schema(),
        vec![
            strs(rows, |r| &r.submission_id),
            strs(rows, |r| &r.run_id),
            strs(rows, |r| &r.received_at),
            strs(rows, |r| &r.file),
            strs(rows, |r| &r.sha256),
            strs(rows, |r| &r.raw_path),
            strs(rows, |r| &r.format),
            opt_strs(rows, |r| r.org_code.as_deref()),
            Arc::new(rows.iter().map(|r| r.year).collect::<Int32Array>()),
            opt_strs(rows, |r| r.section.as_deref()),
            strs(rows, |r| &r.outcome),
            Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.rows))),
            Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.errors))),
            Arc::new(Int64Array::from_iter_values(
                rows.iter().map(|r| r.warnings),
            )),
            opt_strs(rows, |r| r.supersedes.as_deref()),
            opt_strs(rows, |r| r.superseded_by.as_deref()),
            Arc::new(
                rows.iter()
                    .map(|r| Some(r.current))
                    .collect::<BooleanArray>(),
            ),
        ],
    )?)
}

pub fn messages_batch(rows: &[MessageRow]) -> Result<RecordBatch> {
    Ok(RecordBatch::try_new(
        messages_schema(),
        vec![
            strs(rows, |r| &r.submission_id),
            strs(rows, |r| &r.file),
            opt_strs(rows, |r| r.org_code.as_deref()),
            Arc::new(rows.iter().map(|r| r.year).collect::<Int32Array>()),
            opt_strs(rows, |r| r.section.as_deref()),
            strs(rows, |r| &r.severity),
            strs(rows, |r| &r.code),
            strs(rows, |r| &r.location),
            strs(rows, |r| &r.message),
        ],
    )?)
}

/// Writes one batch as a Parquet file (Snappy, statistics on). The writer
/// embeds no time, so the same batch always gives the same bytes.
pub fn write_parquet(path: &Path, batch: &RecordBatch) -> Result<()> {
    let file = File::create(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let pq = |source| Error::Parquet {
        path: path.to_path_buf(),
        source,
    };
    let mut w = ArrowWriter::try_new(file, batch.schema(), Some(props)).map_err(pq)?;
    w.write(batch).map_err(pq)?;
    w.close().map_err(pq)?;
    Ok(())
}

/// Reads a whole Parquet file (one a snapshot lists: a missing file is an
/// error naming it, never an empty table).
pub fn read_parquet(path: &Path) -> Result<Vec<RecordBatch>> {
    let file = File::open(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let pq = |source| Error::Parquet {
        path: path.to_path_buf(),
        source,
    };
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(pq)?
        .build()
        .map_err(pq)?;
    Ok(reader.collect::<std::result::Result<Vec<_>, _>>()?)
}

/// Typed access to a batch's columns, with an error naming the file when the
/// schema is not the one expected.
pub struct Cols<'a> {
    batch: &'a RecordBatch,
    path: &'a Path,
}

impl<'a> Cols<'a> {
    pub fn new(batch: &'a RecordBatch, path: &'a Path) -> Self {
        Cols { batch, path }
    }
    fn col<T: 'static>(&self, name: &str) -> Result<&'a T> {
        self.batch
            .column_by_name(name)
            .and_then(|c| c.as_any().downcast_ref::<T>())
            .ok_or_else(|| Error::Corrupt {
                path: self.path.to_path_buf(),
                message: format!("column `{name}` is missing or of the wrong type"),
            })
    }
    pub fn str(&self, name: &str) -> Result<&'a StringArray> {
        self.col(name)
    }
    pub fn i32(&self, name: &str) -> Result<&'a Int32Array> {
        self.col(name)
    }
    pub fn i64(&self, name: &str) -> Result<&'a Int64Array> {
        self.col(name)
    }
    pub fn f64(&self, name: &str) -> Result<&'a Float64Array> {
        self.col(name)
    }
    pub fn bool(&self, name: &str) -> Result<&'a BooleanArray> {
        self.col(name)
    }
}

fn opt_s(a: &StringArray, i: usize) -> Option<String> {
    (!a.is_null(i)).then(|| a.value(i).to_string())
}
fn opt_i(a: &Int32Array, i: usize) -> Option<i32> {
    (!a.is_null(i)).then(|| a.value(i))
}

pub fn read_returns(path: &Path) -> Result<Vec<StoredRow>> {
    let mut out = Vec::new();
    for b in read_parquet(path)? {
        let c = Cols::new(&b, path);
        let (org, year, ind, m, sg, cat, eth, val, sid) = (
            c.str("org_code")?,
            c.i32("year")?,
            c.i32("indicator")?,
            c.str("measure")?,
            c.str("staff_group")?,
            c.str("category")?,
            c.str("ethnicity")?,
            c.f64("value")?,
            c.str("submission_id")?,
        );
        for i in 0..b.num_rows() {
            out.push(StoredRow {
                org_code: org.value(i).to_string(),
                year: year.value(i),
                indicator: ind.value(i),
                measure: m.value(i).to_string(),
                staff_group: sg.value(i).to_string(),
                category: cat.value(i).to_string(),
                ethnicity: eth.value(i).to_string(),
                value: val.value(i),
                submission_id: sid.value(i).to_string(),
            });
        }
    }
    Ok(out)
}

pub fn read_submissions(path: &Path) -> Result<Vec<Submission>> {
    let mut out = Vec::new();
    for b in read_parquet(path)? {
        let c = Cols::new(&b, path);
        let s = |n: &str| c.str(n);
        let (id, run, at, file, sha, raw, fmt) = (
            s("submission_id")?,
            s("run_id")?,
            s("received_at")?,
            s("file")?,
            s("sha256")?,
            s("raw_path")?,
            s("format")?,
        );
        let (org, year, section, outcome) =
            (s("org_code")?, c.i32("year")?, s("section")?, s("outcome")?);
        let (rows, errors, warnings) = (c.i64("rows")?, c.i64("errors")?, c.i64("warnings")?);
        let (sup, supby, cur) = (s("supersedes")?, s("superseded_by")?, c.bool("current")?);
        for i in 0..b.num_rows() {
            out.push(Submission {
                submission_id: id.value(i).to_string(),
                run_id: run.value(i).to_string(),
                received_at: at.value(i).to_string(),
                file: file.value(i).to_string(),
                sha256: sha.value(i).to_string(),
                raw_path: raw.value(i).to_string(),
                format: fmt.value(i).to_string(),
                org_code: opt_s(org, i),
                year: opt_i(year, i),
                section: opt_s(section, i),
                outcome: outcome.value(i).to_string(),
                rows: rows.value(i),
                errors: errors.value(i),
                warnings: warnings.value(i),
                supersedes: opt_s(sup, i),
                superseded_by: opt_s(supby, i),
                current: cur.value(i),
            });
        }
    }
    Ok(out)
}

pub fn read_messages(path: &Path) -> Result<Vec<MessageRow>> {
    let mut out = Vec::new();
    for b in read_parquet(path)? {
        let c = Cols::new(&b, path);
        let s = |n: &str| c.str(n);
        let (id, file, org, year, section) = (
            s("submission_id")?,
            s("file")?,
            s("org_code")?,
            c.i32("year")?,
            s("section")?,
        );
        let (sev, code, loc, msg) = (s("severity")?, s("code")?, s("location")?, s("message")?);
        for i in 0..b.num_rows() {
            out.push(MessageRow {
                submission_id: id.value(i).to_string(),
                file: file.value(i).to_string(),
                org_code: opt_s(org, i),
                year: opt_i(year, i),
                section: opt_s(section, i),
                severity: sev.value(i).to_string(),
                code: code.value(i).to_string(),
                location: loc.value(i).to_string(),
                message: msg.value(i).to_string(),
            });
        }
    }
    Ok(out)
}
