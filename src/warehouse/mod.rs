//! The Parquet warehouse (spec/outputs.md): accepted returns, the ledger of
//! every submission, every message, every input byte for byte.
//!
//! Logical names (what `layout` spells), each held by a file of its own per
//! commit (`returns.v000008-4711.parquet`) that the current snapshot lists:
//!
//! ```text
//! warehouse/
//!   _snapshots/NNNNNNNNNNNNNNNNNNNN.json  the commits; the highest is the warehouse
//!   returns/year=YYYY/returns.parquet   current versions only, sorted by org_code
//!   submissions.parquet                 the ledger
//!   messages.parquet                    every error and warning, with location
//!   rejects.csv                         the errors of every rejected submission, for people
//!   raw/<sha256>.<ext>                  every input file
//!   results/...                         written by the engine
//! ```
//! The manifest (tool, query hashes, runs) is part of each snapshot.

pub mod load;
pub mod snapshot;
pub mod tables;
pub mod txn;

use std::path::{Path, PathBuf};

pub use load::{IngestOptions, IngestSummary, ingest, restore};
pub use snapshot::Snapshot;
pub use txn::{Lock, ReadGuard, Txn};

/// Errors of the warehouse layer. `Locked`, `NoSuchSubmission` and
/// `CannotRestore` are the user's to act on; `Io`, `Corrupt` and `Parquet`
/// name the file (a damaged warehouse is restored from backup); `Arrow` is
/// our bug (a batch that does not fit its own schema).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or folder of the warehouse could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Another run holds the write lock.
    #[error(
        "the warehouse {0} is in use by another wresbench run; wait for it to finish (or, if none is running, try again: the lock is released when a run ends)"
    )]
    Locked(PathBuf),
    /// A listed file is missing, cut short or not what it should be.
    #[error("{path}: {message}")]
    Corrupt { path: PathBuf, message: String },
    /// A Parquet file could not be read or written.
    #[error("Parquet error in {path}: {source}")]
    Parquet {
        path: PathBuf,
        source: datafusion::parquet::errors::ParquetError,
    },
    /// Internal: a record batch that does not fit its own schema (our bug).
    #[error("internal error (please report it): {0}")]
    Arrow(#[from] datafusion::arrow::error::ArrowError),
    /// Reading the returns to load failed (an input that is not there).
    #[error(transparent)]
    Ingest(#[from] crate::ingest::Error),
    /// `restore` of an id the ledger does not hold; says how to list them.
    #[error(
        "no submission {id} in the ledger; list them with: wresbench sql --warehouse {} \"SELECT submission_id, file, outcome FROM submissions\"", warehouse.display()
    )]
    NoSuchSubmission { id: String, warehouse: PathBuf },
    /// `restore` of a submission that cannot be made current; says why.
    #[error("cannot restore {id}: {reason}")]
    CannotRestore { id: String, reason: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Paths inside a warehouse, relative to its root (one place for the layout).
pub mod layout {
    pub const SUBMISSIONS: &str = "submissions.parquet";
    pub const MESSAGES: &str = "messages.parquet";
    pub const REJECTS: &str = "rejects.csv";
    pub const MANIFEST: &str = "manifest.json";
    pub const RETURNS_DIR: &str = "returns";
    pub const RESULTS_DIR: &str = "results";
    /// wresbench 0.1's marker of synthetic data (now `Snapshot::synthetic`).
    pub const SYNTHETIC: &str = "SYNTHETIC";

    pub fn returns_file(year: i32) -> String {
        format!("{RETURNS_DIR}/year={year}/returns.parquet")
    }
    /// The raw store: every input file as received, under its SHA-256.
    pub const RAW_DIR: &str = "raw";
    /// How the extension of a raw copy being written starts
    /// (`raw/<sha256>.tmp-<pid>`); ingest renames it to its content name
    /// when it publishes, and recovery deletes any a killed run left.
    pub const RAW_IN_PROGRESS: &str = "tmp-";

    pub fn raw_file(sha256: &str, ext: &str) -> String {
        format!("{RAW_DIR}/{sha256}.{ext}")
    }
    pub fn result_file(table: &str, year: i32) -> String {
        format!("{RESULTS_DIR}/{table}/year={year}/{table}.parquet")
    }
}

/// True when the warehouse holds synthetic returns (from `wresbench generate`).
pub fn is_synthetic(root: &Path) -> Result<bool> {
    Ok(Snapshot::load(root)?.synthetic)
}

/// Years for which a table has a `year=YYYY` folder under `dir`.
pub fn partition_years(dir: &Path) -> Vec<i32> {
    let mut years: Vec<i32> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_prefix("year="))
                .and_then(|y| y.parse().ok())
        })
        .collect();
    years.sort_unstable();
    years
}
