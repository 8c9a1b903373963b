//! `wresbench sql`: ad-hoc, read-only SQL over the warehouse tables.

use std::io::Write;
use std::path::PathBuf;

use super::{Common, Error, Outcome, Result, plural};
use crate::{engine, fmt};

/// Run ad-hoc SQL over the warehouse tables
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[arg(long, value_name = "DIR")]
    pub warehouse: PathBuf,
    /// One read-only statement (SELECT, DESCRIBE, SHOW TABLES...)
    pub query: String,
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    pub format: TableFormat,
}

/// `sql --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum TableFormat {
    #[default]
    Table,
    Csv,
    Json,
}

/// `wresbench sql`: ad-hoc SQL over every registered table.
pub fn run(common: &Common, args: &Args, out: &mut dyn Write) -> Result<Outcome> {
    let register = common.register()?;
    let engine = engine::Engine::open(&args.warehouse, &register, &engine::Params::default())?;
    let batch = engine.read_only_query("your query", &args.query)?;
    write_batch(&batch, args.format, out)?;
    Ok(Outcome::Ok)
}

/// Writes a record batch as a terminal table, CSV or JSON (array of objects).
pub fn write_batch(
    batch: &datafusion::arrow::array::RecordBatch,
    format: TableFormat,
    out: &mut dyn Write,
) -> Result<()> {
    use datafusion::arrow::{csv, json, util::pretty};
    match format {
        TableFormat::Table => {
            let t =
                pretty::pretty_format_batches(std::slice::from_ref(batch)).map_err(cannot_write)?;
            writeln!(out, "{t}")?;
            writeln!(out, "{} row{}", batch.num_rows(), plural(batch.num_rows()))?;
        }
        // Arrow's writers turn an io error into text (a closed pipe becomes
        // "Csv error: Broken pipe", exit 2), so they write into memory (the
        // batch is there already) and the bytes go out as one io write,
        // whose error main.rs can recognise.
        TableFormat::Csv => {
            let mut buf = Vec::new();
            let mut w = csv::WriterBuilder::new().with_header(true).build(&mut buf);
            w.write(&csv_safe_batch(batch)?).map_err(cannot_write)?;
            drop(w);
            out.write_all(&buf)?;
        }
        TableFormat::Json => {
            let mut buf = Vec::new();
            let mut w = json::ArrayWriter::new(&mut buf);
            w.write(batch).map_err(cannot_write)?;
            w.finish().map_err(cannot_write)?;
            drop(w);
            out.write_all(&buf)?;
            writeln!(out)?;
        }
    }
    Ok(())
}

/// The batch with every text cell made safe for a spreadsheet
/// (`fmt::csv_safe`: a cell beginning `=`, `+`, `-` or `@` gets a leading `'`).
/// Text from returns (file names, messages quoting cells) reaches `sql` output.
fn csv_safe_batch(
    batch: &datafusion::arrow::array::RecordBatch,
) -> Result<datafusion::arrow::array::RecordBatch> {
    use datafusion::arrow::array::{Array, ArrayRef, RecordBatch, StringArray};
    use datafusion::arrow::compute::cast;
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use std::sync::Arc;
    let mut fields = Vec::new();
    let mut columns: Vec<ArrayRef> = Vec::new();
    for (f, c) in batch.schema().fields().iter().zip(batch.columns()) {
        if matches!(
            f.data_type(),
            DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8
        ) {
            let text = cast(c, &DataType::Utf8).map_err(engine::Error::from)?;
            let Some(text) = text.as_any().downcast_ref::<StringArray>() else {
                columns.push(c.clone());
                fields.push(f.as_ref().clone());
                continue;
            };
            let safe: StringArray = text.iter().map(|v| v.map(fmt::csv_safe)).collect();
            columns.push(Arc::new(safe));
            fields.push(Field::new(f.name(), DataType::Utf8, f.is_nullable()));
        } else {
            columns.push(c.clone());
            fields.push(f.as_ref().clone());
        }
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
        .map_err(|e| engine::Error::from(e).into())
}

/// A result the chosen format cannot hold (a list column in CSV, say): the
/// query's shape, so the user's to change, not an internal error.
fn cannot_write(e: datafusion::arrow::error::ArrowError) -> Error {
    Error::Usage(format!(
        "the result cannot be written in this format ({e}); choose another --format, or turn the column into text in the query (array_to_string(col, ';'))"
    ))
}
