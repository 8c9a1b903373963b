//! The warehouse tables as Rust values, and their Arrow/Parquet form.
//!
//! Each table is declared once, with [`table!`]: the struct, its Arrow
//! schema (a column per field, named as the field, nullable when the field is
//! an `Option`), the batch writer and the reader all come from that one list,
//! so the three cannot disagree.

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

/// A Rust type stored as one Arrow column.
pub trait Column: Sized {
    /// The Arrow array the column is read as.
    type Array: Array + 'static;
    /// Nullable exactly when the type is an `Option`.
    const NULLABLE: bool;
    fn data_type() -> DataType;
    fn to_array<'a>(values: impl Iterator<Item = &'a Self>) -> ArrayRef
    where
        Self: 'a;
    fn get(a: &Self::Array, i: usize) -> Self;
}

impl Column for String {
    type Array = StringArray;
    const NULLABLE: bool = false;
    fn data_type() -> DataType {
        DataType::Utf8
    }
    fn to_array<'a>(values: impl Iterator<Item = &'a Self>) -> ArrayRef {
        Arc::new(StringArray::from_iter_values(values))
    }
    fn get(a: &StringArray, i: usize) -> Self {
        a.value(i).to_string()
    }
}

impl Column for Option<String> {
    type Array = StringArray;
    const NULLABLE: bool = true;
    fn data_type() -> DataType {
        DataType::Utf8
    }
    fn to_array<'a>(values: impl Iterator<Item = &'a Self>) -> ArrayRef {
        Arc::new(values.map(Option::as_deref).collect::<StringArray>())
    }
    fn get(a: &StringArray, i: usize) -> Self {
        (!a.is_null(i)).then(|| a.value(i).to_string())
    }
}

/// A non-null number column: the value as stored.
macro_rules! number_column {
    ($($ty:ty => $array:ident, $data_type:ident;)*) => {$(
        impl Column for $ty {
            type Array = $array;
            const NULLABLE: bool = false;
            fn data_type() -> DataType {
                DataType::$data_type
            }
            fn to_array<'a>(values: impl Iterator<Item = &'a Self>) -> ArrayRef {
                Arc::new($array::from_iter_values(values.copied()))
            }
            fn get(a: &$array, i: usize) -> Self {
                a.value(i)
            }
        }
    )*};
}

number_column! {
    i32 => Int32Array, Int32;
    i64 => Int64Array, Int64;
    f64 => Float64Array, Float64;
}
impl Column for Option<i32> {
    type Array = Int32Array;
    const NULLABLE: bool = true;
    fn data_type() -> DataType {
        DataType::Int32
    }
    fn to_array<'a>(values: impl Iterator<Item = &'a Self>) -> ArrayRef {
        Arc::new(values.copied().collect::<Int32Array>())
    }
    fn get(a: &Int32Array, i: usize) -> Self {
        (!a.is_null(i)).then(|| a.value(i))
    }
}

impl Column for bool {
    type Array = BooleanArray;
    const NULLABLE: bool = false;
    fn data_type() -> DataType {
        DataType::Boolean
    }
    fn to_array<'a>(values: impl Iterator<Item = &'a Self>) -> ArrayRef {
        Arc::new(values.map(|b| Some(*b)).collect::<BooleanArray>())
    }
    fn get(a: &BooleanArray, i: usize) -> Self {
        a.value(i)
    }
}

/// Declares a table once: the struct (fields in column order), its schema
/// function, its batch writer and its Parquet reader.
macro_rules! table {
    (
        $(#[$meta:meta])*
        pub struct $name:ident { $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty, )* }
        schema: $schema:ident, batch: $batch:ident, read: $read:ident;
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct $name { $( $(#[$fmeta])* pub $field: $ty, )* }

        #[doc = concat!("The Arrow schema of [`", stringify!($name), "`] rows.")]
        pub fn $schema() -> SchemaRef {
            Arc::new(Schema::new(vec![$(
                Field::new(stringify!($field), <$ty as Column>::data_type(), <$ty as Column>::NULLABLE),
            )*]))
        }

        #[doc = concat!("[`", stringify!($name), "`] rows as one record batch.")]
        pub fn $batch(rows: &[$name]) -> Result<RecordBatch> {
            Ok(RecordBatch::try_new(
                $schema(),
                vec![$( <$ty as Column>::to_array(rows.iter().map(|r| &r.$field)), )*],
            )?)
        }

        #[doc = concat!("Every [`", stringify!($name), "`] row of a Parquet file; a column missing or of the wrong type is an error naming the file.")]
        pub fn $read(path: &Path) -> Result<Vec<$name>> {
            let mut out = Vec::new();
            for b in read_parquet(path)? {
                let c = Cols::new(&b, path);
                $( let $field = c.col::<<$ty as Column>::Array>(stringify!($field))?; )*
                for i in 0..b.num_rows() {
                    out.push($name { $( $field: <$ty as Column>::get($field, i), )* });
                }
            }
            Ok(out)
        }
    };
}

table! {
    /// A row of the `returns` table: the CSV long form plus the submission it came from.
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
    schema: returns_schema, batch: returns_batch, read: read_returns;
}

table! {
    /// One ledger entry: a section of a return seen in a file (or a whole file
    /// rejected before any section could be read).
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
    schema: submissions_schema, batch: submissions_batch, read: read_submissions;
}

table! {
    /// A row of the `messages` table: one problem found in a return.
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
    schema: messages_schema, batch: messages_batch, read: read_messages;
}

impl StoredRow {
    pub fn new(
        org_code: &str,
        year: i32,
        key: &crate::ingest::RowKey,
        value: f64,
        submission_id: &str,
    ) -> Self {
        let (indicator, measure, staff_group, category, ethnicity) = key;
        StoredRow {
            org_code: org_code.to_string(),
            year,
            indicator: i32::from(indicator.number()),
            measure: measure.code().to_string(),
            staff_group: staff_group.map_or("", |s| s.code()).to_string(),
            category: category.map_or("", |c| c.code()).to_string(),
            ethnicity: ethnicity.code().to_string(),
            value,
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

/// A fingerprint of what the results depend on: the current submissions of
/// the ledger. `benchmark` stores it with the results; readers of results
/// compare it with the ledger's, so results older than an `ingest` or
/// `restore` are never shown as current.
pub fn ledger_state(subs: &[Submission]) -> String {
    ledger_state_of(subs.iter())
}

/// [`ledger_state`] of some of the ledger's rows (those of some years).
pub fn ledger_state_of<'a>(subs: impl Iterator<Item = &'a Submission>) -> String {
    let mut ids: Vec<&str> = subs
        .filter(|s| s.current)
        .map(|s| s.submission_id.as_str())
        .collect();
    ids.sort_unstable();
    crate::ingest::sha256_hex(ids.join("\n").as_bytes())
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
    /// The column `name` as an array of type `T`.
    pub fn col<T: 'static>(&self, name: &str) -> Result<&'a T> {
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
