//! Indicators on the national set with 10 campaigns (issue 5's bar: every indicator under
//! 5 s, one fiche under 50 ms). Generates the set and loads it once into
//! `$OPSSIES_BENCH_DIR` (default: target/bench-national), then times, in this process:
//! the full recomputation after an import (maturity tables, every establishment's status,
//! regional view, targeting, AAP), fiches of 50 establishments on the warm cache, and every
//! fiche of the region at once (what the dashboard keeps per day and import).
//!
//! Run: `cargo bench --workspace --bench indicators`

use std::path::PathBuf;
use std::time::Instant;

use analytics::{Analytics, Filter, Scope, Settings};
use generator::{Options, Scale};
use ingest::{ImportOptions, Store};

fn main() {
    let dir = std::env::var_os("OPSSIES_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench-national"));
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).expect("date");
    let set = dir.join("set");
    let store_path = dir.join("national.duckdb");
    if !store_path.exists() {
        let started = Instant::now();
        let manifest = generator::generate(
            &Options {
                scale: Scale::National,
                campaigns: Some(10),
                seed: 2023,
                today,
            },
            &set,
        )
        .expect("generate the national set");
        println!(
            "generated {} files in {:.1} s",
            manifest.files.len(),
            started.elapsed().as_secs_f64()
        );
        let started = Instant::now();
        let mut store = Store::open(&store_path).expect("store");
        for file in &manifest.files {
            store
                .import_file(&set.join(&file.name), &ImportOptions::default())
                .expect("import");
        }
        println!("ingested in {:.1} s", started.elapsed().as_secs_f64());
    }
    let store = Store::open(&store_path).expect("store");
    let connection = store.connection();
    let settings = Settings::default();
    let counts: (i64, i64, i64) = connection
        .query_row(
            "SELECT (SELECT count(*) FROM establishments), (SELECT count(*) FROM answers), (SELECT count(*) FROM events)",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .expect("counts");
    println!(
        "store: {} establishments, {} answers, {} events",
        counts.0, counts.1, counts.2
    );

    let mut full = Vec::new();
    for _ in 0..3 {
        // Forget every materialised result, as an import does.
        connection
            .execute_batch(
                "DROP TABLE IF EXISTS analytics_refresh; DROP TABLE IF EXISTS analytics_status_state;
                 DROP TABLE IF EXISTS analytics_status; DROP TABLE IF EXISTS analytics_domain_measures;
                 DROP TABLE IF EXISTS analytics_peer_stats; DROP TABLE IF EXISTS temp.ctx_key;",
            )
            .expect("reset");
        let analytics = Analytics::new(connection, &settings);
        let started = Instant::now();
        let report = analytics
            .regional(today, &Scope::region(), &Filter::default())
            .expect("regional");
        let targets = analytics
            .targeting(today, &Scope::region(), &Filter::default())
            .expect("targeting");
        let aap = analytics.aap(today, &Scope::region()).expect("aap");
        let rows = analytics
            .establishments(today, &Scope::region(), &Filter::default())
            .expect("rows");
        full.push(started.elapsed().as_secs_f64());
        assert!(
            report.headline.establishments > 0
                && !targets.is_empty()
                && !aap.applications.is_empty()
                && !rows.is_empty()
        );
    }
    full.sort_by(f64::total_cmp);
    println!(
        "every indicator after an import (maturity + status + regional + targeting + AAP + table): median {:.2} s (runs {:?})",
        full[1],
        full.iter().map(|s| format!("{s:.2}")).collect::<Vec<_>>()
    );

    let analytics = Analytics::new(connection, &settings);
    let mut sample: Vec<String> = connection
        .prepare("SELECT finess_et FROM establishments USING SAMPLE 50 ROWS (reservoir, 7) ORDER BY 1")
        .expect("sample")
        .query_map([], |row| row.get(0))
        .expect("sample")
        .collect::<Result<_, _>>()
        .expect("sample");
    sample.retain(|finess| !finess.is_empty());
    let national = Scope {
        sites: Some(sample.clone()),
        red_sites: Vec::new(),
        ..Scope::default()
    };
    let mut prepare = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        analytics.prepare(today, &national).expect("prepare");
        prepare.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    prepare.sort_by(f64::total_cmp);
    println!("context for a request (cached status): median {:.1} ms", prepare[10]);
    let mut times = Vec::new();
    for finess in &sample {
        let started = Instant::now();
        let fiche = analytics.fiche(finess, today, &national).expect("fiche");
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(&fiche.status.finess_et, finess);
    }
    times.sort_by(f64::total_cmp);
    let percentile = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "fiche (warm cache, {} establishments): median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        times.len(),
        percentile(0.5),
        percentile(0.95),
        percentile(1.0)
    );
    // What the dashboard builds once per day and import for region viewers.
    let mut books = Vec::new();
    let mut size = 0;
    for _ in 0..3 {
        let started = Instant::now();
        let book = analytics.fiche_book(today).expect("fiche book");
        books.push(started.elapsed().as_secs_f64());
        size = book.len();
    }
    books.sort_by(f64::total_cmp);
    println!(
        "every fiche of the region at once ({size} establishments): median {:.2} s (runs {:?})",
        books[1],
        books.iter().map(|s| format!("{s:.2}")).collect::<Vec<_>>()
    );
    if let Some(peak) = benches::peak_rss_mib() {
        println!("peak resident memory: {peak:.0} MiB");
    }
}
