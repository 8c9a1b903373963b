//! wresbench: the NHS-wide benchmarking pipeline for the Workforce Race
//! Equality Standard.
//!
//! The modules follow the data, and nothing reaches backwards:
//! [`model`] (codes, labels), [`metric`] (the metric catalogue) and
//! [`stats`] (intervals and tests) -> [`register`] -> [`ingest`] (CSV, Excel,
//! validation) -> [`warehouse`] (Parquet, ledger, atomic writes) -> [`engine`]
//! (DataFusion over `queries/`) -> [`export`] (JSON, Excel, HTML packs) ->
//! [`peers`]. Between the engine and export sits [`results`], the read model
//! of the result tables that packs, region pages and peer tables share.
//! [`generate`] makes synthetic returns; [`commands`] holds one
//! function per CLI command, which is all `main.rs` calls.

pub mod commands;
pub mod engine;
pub mod export;
pub mod fmt;
pub mod generate;
pub mod ingest;
pub mod metric;
pub mod model;
pub mod params;
pub mod peers;
pub mod progress;
pub mod register;
pub mod results;
pub mod stats;
pub mod warehouse;

/// Name and version, as written into manifests and packs.
pub const TOOL: &str = concat!("wresbench ", env!("CARGO_PKG_VERSION"));
