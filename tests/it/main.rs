//! Integration tests: one binary, grouped by theme (ripgrep style). Tests that
//! run the real `wresbench` binary do so in a temporary folder.

mod common;

mod atomicity;
mod cli;
mod disclosure;
mod explorer;
mod export;
mod generate;
mod hostile;
mod humber;
mod incremental;
mod peers;
mod properties;
mod queries;
mod regression;
mod roundtrip;
mod slt;
mod validation;
