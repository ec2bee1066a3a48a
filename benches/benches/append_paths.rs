//! The answers of the national set's ten exports (7.2 M rows) appended into a new store
//! with DuckDB's appender, then with `INSERT … SELECT FROM arrow(?)` (duckdb-rs' Arrow table
//! function), twice each, one transaction per export. Needs the indicators bench's store.
use std::time::Instant;

use duckdb::Connection;
use duckdb::arrow::record_batch::RecordBatch;
use duckdb::vtab::arrow::{ArrowBatchRegistration, ArrowVTab};

fn main() {
    let source = Connection::open("../target/bench-national/national.duckdb").expect("bench store");
    let batches: Vec<Vec<RecordBatch>> = (0..10)
        .map(|n| {
            source
                .prepare(&format!(
                    "SELECT * FROM answers WHERE import_id = (SELECT DISTINCT import_id FROM answers ORDER BY 1 LIMIT 1 OFFSET {n})"
                ))
                .expect("append bench")
                .query_arrow([])
                .expect("append bench")
                .collect::<Vec<RecordBatch>>()
        })
        .map(|file| vec![duckdb::arrow::compute::concat_batches(&file[0].schema(), &file).expect("append bench")])
        .collect();
    let ddl = "CREATE TABLE answers (import_id BIGINT NOT NULL, finess_et VARCHAR NOT NULL, campaign BIGINT NOT NULL, question_code VARCHAR NOT NULL, domain VARCHAR NOT NULL, raw_answer VARCHAR NOT NULL, normalised_value VARCHAR NOT NULL, points DOUBLE, max_points DOUBLE, weight DOUBLE NOT NULL)";
    for mode in ["appender", "vtab", "appender", "vtab"] {
        let dir = tempfile::tempdir().expect("append bench");
        let mut db = Connection::open(dir.path().join("x.duckdb")).expect("append bench");
        db.execute_batch(ddl).expect("append bench");
        db.register_table_function::<ArrowVTab>("arrow").expect("append bench");
        let clock = Instant::now();
        for file in &batches {
            let tx = db.transaction().expect("append bench");
            for batch in file {
                if mode == "appender" {
                    let mut appender = tx.appender("answers").expect("append bench");
                    appender.append_record_batch(batch.clone()).expect("append bench");
                    appender.flush().expect("append bench");
                } else {
                    let registration = ArrowBatchRegistration::new(batch.clone());
                    tx.execute("INSERT INTO answers SELECT * FROM arrow(?)", [&registration])
                        .expect("append bench");
                }
            }
            tx.commit().expect("append bench");
        }
        println!("{mode}: {:.2} s", clock.elapsed().as_secs_f64());
    }
}
