//! Experiment: appender vs INSERT … FROM arrow(?) for the answers of one national export.
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
                .unwrap()
                .query_arrow([])
                .unwrap()
                .collect::<Vec<RecordBatch>>()
        })
        .map(|file| vec![duckdb::arrow::compute::concat_batches(&file[0].schema(), &file).unwrap()])
        .collect();
    let ddl = "CREATE TABLE answers (import_id BIGINT NOT NULL, finess_et VARCHAR NOT NULL, campaign BIGINT NOT NULL, question_code VARCHAR NOT NULL, domain VARCHAR NOT NULL, raw_answer VARCHAR NOT NULL, normalised_value VARCHAR NOT NULL, points DOUBLE, max_points DOUBLE, weight DOUBLE NOT NULL)";
    for mode in ["appender", "vtab", "appender", "vtab"] {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Connection::open(dir.path().join("x.duckdb")).unwrap();
        db.execute_batch(ddl).unwrap();
        db.register_table_function::<ArrowVTab>("arrow").unwrap();
        let clock = Instant::now();
        for file in &batches {
            let tx = db.transaction().unwrap();
            for batch in file {
                if mode == "appender" {
                    let mut appender = tx.appender("answers").unwrap();
                    appender.append_record_batch(batch.clone()).unwrap();
                    appender.flush().unwrap();
                } else {
                    let registration = ArrowBatchRegistration::new(batch.clone());
                    tx.execute("INSERT INTO answers SELECT * FROM arrow(?)", [&registration])
                        .unwrap();
                }
            }
            tx.commit().unwrap();
        }
        println!("{mode}: {:.2} s", clock.elapsed().as_secs_f64());
    }
}
