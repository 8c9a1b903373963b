//! Pipeline benchmarks: ingest of ~2,000 returns (CSV, and a 20% Excel mix),
//! the benchmark stage on 205 trusts x 10 years, and export of 205 packs.
//! Run with `make bench`; figures go in BENCHMARKS.md.

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use wresbench::engine::{self, Params};
use wresbench::export::{self, ExportOptions};
use wresbench::generate::{self, GenFormat, GenerateOptions};
use wresbench::ingest::ValidateOptions;
use wresbench::register::Register;
use wresbench::warehouse::{self, IngestOptions};

fn dataset(dir: &std::path::Path, format: GenFormat) -> Vec<std::path::PathBuf> {
    let out = dir.join(format!("{format:?}"));
    generate::generate(
        &Register::builtin(),
        &GenerateOptions {
            out: out.clone(),
            format,
            ..Default::default()
        },
    )
    .expect("generate");
    vec![out.join("returns"), out.join("survey")]
}

fn ingest_into(inputs: &[std::path::PathBuf], wh: &std::path::Path) {
    let _ = std::fs::remove_dir_all(wh);
    warehouse::ingest(&IngestOptions {
        inputs: inputs.to_vec(),
        warehouse: wh.to_path_buf(),
        register: Register::builtin(),
        validate: ValidateOptions::default(),
        progress: false,
    })
    .expect("ingest");
}

fn pipeline(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let csv = dataset(tmp.path(), GenFormat::Csv);
    let mixed = dataset(tmp.path(), GenFormat::Mixed);
    let wh = tmp.path().join("wh");

    let mut g = c.benchmark_group("ingest");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("2050 returns + 10 survey files, CSV", |b| {
        b.iter(|| ingest_into(&csv, &wh))
    });
    g.bench_function("2050 returns + 10 survey files, 20% Excel", |b| {
        b.iter(|| ingest_into(&mixed, &wh))
    });
    g.finish();

    ingest_into(&csv, &wh);
    let mut g = c.benchmark_group("benchmark");
    g.sample_size(10).measurement_time(Duration::from_secs(30));
    g.bench_function("205 trusts x 10 years", |b| {
        b.iter(|| {
            engine::benchmark(
                &wh,
                &Register::builtin(),
                &Params::default(),
                engine::Years::All,
            )
            .expect("benchmark")
        })
    });
    g.finish();

    let out = tmp.path().join("packs");
    let mut g = c.benchmark_group("export");
    g.sample_size(10).measurement_time(Duration::from_secs(30));
    g.bench_function("205 packs x 3 formats", |b| {
        b.iter(|| {
            export::export(
                &Register::builtin(),
                &ExportOptions {
                    warehouse: wh.clone(),
                    out: out.clone(),
                    year: None,
                    orgs: vec![],
                    progress: false,
                    synthetic: false,
                },
            )
            .expect("export")
        })
    });
    g.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
