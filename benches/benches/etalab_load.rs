//! Loads a generated 100,000-line etalab extract (50,000 sites + 50,000 geolocations) into a
//! fresh on-disk store, end to end (read, parse, stage, merge, commit), several times.
//!
//! Run: `cargo bench -p benches --bench etalab_load`

use std::time::Instant;

use ingest::{Diagnostics, ImportOptions, ImportStatus, Store};

const SITES: u32 = 50_000;
const RUNS: usize = 5;

fn main() {
    let extract = benches::etalab_extract(SITES);
    let lines = extract.lines().count();
    let megabytes = extract.len() as f64 / 1_048_576.0;
    let directory = tempfile::tempdir().expect("temporary directory");
    let input = directory.path().join("etalab-cs1100507-stock-20241105-0336.csv");
    std::fs::write(&input, &extract).expect("write the extract");

    let mut parse_seconds = Vec::new();
    let mut load_seconds = Vec::new();
    for run in 0..RUNS {
        let started = Instant::now();
        let mut diagnostics = Diagnostics::default();
        let parsed = ingest::parsers::etalab::parse(extract.as_bytes(), &mut diagnostics).expect("parse");
        assert_eq!(parsed.sites.num_rows(), SITES as usize);
        parse_seconds.push(started.elapsed().as_secs_f64());

        let store_path = directory.path().join(format!("store-{run}.duckdb"));
        let started = Instant::now();
        let mut store = Store::open(&store_path).expect("open store");
        let outcome = store.import_file(&input, &ImportOptions::default()).expect("import");
        drop(store);
        load_seconds.push(started.elapsed().as_secs_f64());
        assert_eq!(outcome.status, ImportStatus::Stored);
        assert_eq!(outcome.rows_stored, u64::from(SITES));
    }
    parse_seconds.sort_by(f64::total_cmp);
    load_seconds.sort_by(f64::total_cmp);
    let median = |values: &[f64]| values[values.len() / 2];
    println!("etalab_load: {lines} lines, {megabytes:.1} MB, {SITES} sites, {RUNS} runs");
    println!(
        "  parse only          median {:.3} s  (min {:.3}, max {:.3})",
        median(&parse_seconds),
        parse_seconds[0],
        parse_seconds[RUNS - 1]
    );
    println!(
        "  import into a store median {:.3} s  (min {:.3}, max {:.3})  = {:.0} lines/s, {:.1} MB/s",
        median(&load_seconds),
        load_seconds[0],
        load_seconds[RUNS - 1],
        lines as f64 / median(&load_seconds),
        megabytes / median(&load_seconds)
    );
    if let Some(peak) = benches::peak_rss_mib() {
        println!("  peak resident memory {peak:.0} MiB");
    }
}
