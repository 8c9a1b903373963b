//! `wresbench demo`: the national synthetic dataset, through the whole pipeline.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{Common, Error, Outcome, Result, generate, run};
use crate::generate::{GenFormat, GenerateOptions};

/// Generate the national synthetic dataset and run everything on it
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The demo's folder: data/, warehouse/ and packs/ go here
    #[arg(long, value_name = "DIR", default_value = "demo-out")]
    pub out: PathBuf,
}

/// The file that marks a folder as made by `wresbench demo`.
pub const DEMO_MARKER: &str = ".wresbench-demo";

/// A folder the demo may write into: new or empty, marked by an earlier demo,
/// or (made by version 0.1, before the marker) holding nothing but what the
/// demo makes, with the demo's warehouse manifest.
fn is_demo_folder(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return true; // not there yet
    };
    let names: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    if names.is_empty() || dir.join(DEMO_MARKER).is_file() {
        return true;
    }
    names
        .iter()
        .all(|n| matches!(n.as_str(), "data" | "warehouse" | "packs" | "pack.png"))
        && dir.join("warehouse").join("manifest.json").is_file()
}

/// `wresbench demo`: the national synthetic dataset, through the whole pipeline.
pub fn run(common: &Common, args: &Args, out: &mut dyn Write) -> Result<Outcome> {
    let dir = args.out.as_path();
    let data = dir.join("data");
    let warehouse_dir = dir.join("warehouse");
    let packs = dir.join("packs");
    // The demo replaces its own folders only: a folder it made carries a
    // marker; any other non-empty folder is refused, never emptied.
    let marker = dir.join(DEMO_MARKER);
    if !is_demo_folder(dir) {
        return Err(Error::NotADemoFolder(dir.to_path_buf()));
    }
    std::fs::create_dir_all(dir)?;
    std::fs::write(
        &marker,
        "Made by `wresbench demo`, which may replace data/, warehouse/ and packs/ here.\n",
    )?;
    for d in [&data, &warehouse_dir, &packs] {
        if d.exists() {
            std::fs::remove_dir_all(d)?;
        }
    }
    let opts = GenerateOptions {
        out: data.clone(),
        format: GenFormat::Mixed,
        ..Default::default()
    };
    generate::generate(common, &opts, out)?;
    let outcome = run::pipeline(
        common,
        &run::args_for(&data, &warehouse_dir, &packs),
        true,
        out,
    )?;
    if common.quiet {
        return Ok(outcome);
    }
    writeln!(
        out,
        "\nThe demo's outputs:\n  returns    {}\n  warehouse  {}\n  packs      {}\nTry: wresbench sql --warehouse {} \"SELECT * FROM national_metrics WHERE metric = 'ind2.relative_likelihood'\"",
        data.display(),
        warehouse_dir.display(),
        packs.display(),
        warehouse_dir.display()
    )?;
    Ok(outcome)
}
