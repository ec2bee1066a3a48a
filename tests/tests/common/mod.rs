//! A real server over a generated region, shared by the web and browser tests.

#![allow(dead_code, clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use chrono::NaiveDate;
use generator::{Manifest, Options, Scale};
use ingest::{ImportOptions, Store};
use serde_json::Value;

/// The generated region's "today": pages are asked for this date.
pub const DATE: &str = "2026-11-29";

pub struct Server {
    child: Child,
    pub base: String,
    agent: ureq::Agent,
    _directory: tempfile::TempDir,
    pub manifest: Manifest,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    pub fn start() -> Server {
        let directory = tempfile::tempdir().unwrap();
        let set = directory.path().join("region");
        let options = Options {
            scale: Scale::Region,
            campaigns: None,
            seed: 21,
            today: NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
        };
        let manifest = generator::generate(&options, &set).unwrap();
        let store_path = directory.path().join("base.duckdb");
        {
            let mut store = Store::open(&store_path).unwrap();
            for file in &manifest.files {
                store
                    .import_file(&set.join(&file.name), &ImportOptions::default())
                    .unwrap();
            }
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_opssies-e2e"))
            .args([
                "serve",
                "--store",
                store_path.to_str().unwrap(),
                "--listen",
                "127.0.0.1:0",
            ])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line
            .split_whitespace()
            .find(|word| word.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .trim_end_matches('/')
            .to_owned();
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .new_agent();
        Server {
            child,
            base,
            agent,
            _directory: directory,
            manifest,
        }
    }

    pub fn get(&self, path: &str) -> (u16, String, Vec<u8>) {
        let mut response = self.agent.get(&format!("{}{path}", self.base)).call().unwrap();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|value| value.to_str().unwrap_or("").to_owned())
            .unwrap_or_default();
        let body = response
            .body_mut()
            .with_config()
            .limit(200 * 1024 * 1024)
            .read_to_vec()
            .unwrap();
        (status, content_type, body)
    }

    pub fn page(&self, path: &str) -> String {
        let (status, _, body) = self.get(path);
        let text = String::from_utf8(body).unwrap();
        assert_eq!(status, 200, "{path}: {text}");
        text
    }

    pub fn json(&self, path: &str) -> Value {
        serde_json::from_str(&self.page(path)).unwrap()
    }
}
