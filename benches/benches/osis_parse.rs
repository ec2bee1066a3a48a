//! Parse only (no store) of one national oSIS export, best of five, to compare parser
//! changes on a noisy machine. Needs the national set (see indicators bench).
use std::time::Instant;

fn main() {
    let path = std::env::args()
        .nth(1)
        .filter(|arg| !arg.starts_with('-'))
        .unwrap_or_else(|| "../target/bench-national/set/osis/osis-export-2021.xlsx".to_owned());
    let bytes = std::fs::read(&path).expect("national oSIS export: run the indicators bench first");
    let options = ingest::ImportOptions::default();
    let mut best = f64::MAX;
    for _ in 0..7 {
        let clock = Instant::now();
        let parsed = ingest::store::ParsedFile::parse("osis.xlsx", &bytes, &options);
        best = best.min(clock.elapsed().as_secs_f64());
        std::hint::black_box(parsed);
    }
    println!("{path}: parse best of 7 {best:.3} s");
}
