//! A real headless Chromium, driven over WebDriver (chromedriver, plain HTTP + JSON), visits
//! every page, uses a filter, downloads an export, saves a screenshot of each page and runs
//! axe-core in it: no violation of impact serious or critical.
//!
//! Needs Debian's `chromium` and `chromium-driver` and the npm package `axe-core`
//! (`.ci/run` installs them; `AXE_CORE_JS` points to `axe.min.js`). Without them when the
//! tests are built, `cargo test` reports the test as ignored with its reason
//! (`tests/build.rs`), unless `OPSSIES_REQUIRE_BROWSER=1` (CI), where it runs and fails.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{DATE, PASSWORD, Server};
use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Driver {
    process: Child,
    base: String,
    session: String,
    agent: ureq::Agent,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self
            .agent
            .delete(&format!("{}/session/{}", self.base, self.session))
            .call();
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl Driver {
    fn start(chromedriver: &Path, chromium: &Path) -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let process = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .new_agent();
        let started = Instant::now();
        while agent.get(&format!("{base}/status")).call().is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut driver = Driver {
            process,
            base,
            session: String::new(),
            agent,
        };
        let answer = driver.send(
            "POST",
            "/session",
            json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1400"]
            }}}}),
        );
        driver.session = answer["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {answer}"))
            .to_owned();
        driver
    }

    fn send(&self, method: &str, path: &str, body: Value) -> Value {
        let path = if self.session.is_empty() {
            path.to_owned()
        } else {
            path.replace("{session}", &self.session)
        };
        let url = format!("{}{}", self.base, path);
        let response = match method {
            "GET" => self.agent.get(&url).call(),
            _ => self
                .agent
                .post(&url)
                .header("content-type", "application/json")
                .send(body.to_string()),
        };
        let mut response = response.unwrap();
        let text = response
            .body_mut()
            .with_config()
            .limit(50 * 1024 * 1024)
            .read_to_string()
            .unwrap();
        let value: Value = serde_json::from_str(&text).unwrap();
        if method != "POST" || path != "/session" {
            assert!(value["value"].get("error").is_none(), "{method} {path}: {value}");
        }
        value
    }

    fn visit(&self, url: &str) {
        self.send("POST", "/session/{session}/url", json!({ "url": url }));
    }

    /// Types `text` into the element a CSS selector names.
    fn type_into(&self, css: &str, text: &str) {
        let element = self.element(css);
        self.send(
            "POST",
            &format!("/session/{{session}}/element/{element}/value"),
            json!({ "text": text }),
        );
    }

    /// Clicks the element a CSS selector names.
    fn click(&self, css: &str) {
        let element = self.element(css);
        self.send(
            "POST",
            &format!("/session/{{session}}/element/{element}/click"),
            json!({}),
        );
    }

    /// Waits (30 s at most) for the page whose heading is `heading`: a click does not wait
    /// for the navigation it starts.
    fn wait_for_heading(&self, heading: &str, what: &str) {
        let started = Instant::now();
        while self.script("return document.querySelector('h1') && document.querySelector('h1').textContent;")
            != json!(heading)
        {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "{what}: {}",
                self.script("return location.href + ' ' + document.body.innerText;")
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn script(&self, script: &str) -> Value {
        self.send(
            "POST",
            "/session/{session}/execute/sync",
            json!({"script": script, "args": []}),
        )["value"]
            .clone()
    }

    fn async_script(&self, script: &str) -> Value {
        self.send(
            "POST",
            "/session/{session}/execute/async",
            json!({"script": script, "args": []}),
        )["value"]
            .clone()
    }

    fn element(&self, css: &str) -> String {
        let value = self.send(
            "POST",
            "/session/{session}/element",
            json!({"using": "css selector", "value": css}),
        );
        value["value"][ELEMENT].as_str().unwrap().to_owned()
    }

    fn screenshot(&self, path: &Path) {
        let value = self.send("GET", "/session/{session}/screenshot", Value::Null);
        std::fs::write(path, base64_decode(value["value"].as_str().unwrap())).unwrap();
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let bytes: Vec<u8> = text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut buffer = 0u32;
        for (index, c) in chunk.iter().enumerate() {
            buffer |= u32::from(value(*c)) << (18 - 6 * index);
        }
        let produced = chunk.len().saturating_sub(1);
        for index in 0..produced {
            out.push((buffer >> (16 - 8 * index)) as u8);
        }
    }
    out
}

fn find(candidates: &[&str]) -> Option<PathBuf> {
    candidates.iter().map(PathBuf::from).find(|path| path.exists())
}

#[test]
#[cfg_attr(
    not(browser_test),
    ignore = "Chromium, ChromeDriver or axe-core absent when built (.ci/run installs them)"
)]
fn every_page_in_a_real_browser_is_accessible() {
    let required = std::env::var_os("OPSSIES_REQUIRE_BROWSER").is_some();
    let chromium = find(&["/usr/bin/chromium", "/usr/bin/chromium-browser"]);
    let chromedriver = find(&["/usr/bin/chromedriver"]);
    let axe = std::env::var_os("AXE_CORE_JS")
        .map(PathBuf::from)
        .filter(|path| path.exists())
        .or_else(|| {
            find(&[concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/browser/node_modules/axe-core/axe.min.js"
            )])
        });
    let (Some(chromium), Some(chromedriver), Some(axe)) = (chromium, chromedriver, axe) else {
        assert!(
            !required,
            "OPSSIES_REQUIRE_BROWSER is set but chromium, chromedriver or axe-core is missing"
        );
        panic!(
            "chromium, chromium-driver or axe-core (AXE_CORE_JS) missing: they were there when the tests were built"
        );
    };
    let axe_source = std::fs::read_to_string(axe).unwrap();
    let screenshots = std::env::var_os("OPSSIES_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../screenshots")));
    std::fs::create_dir_all(&screenshots).unwrap();

    let server = Server::start();
    let driver = Driver::start(&chromedriver, &chromium);
    // Logs in through the form, as a person would.
    driver.visit(&format!("{}/etablissements", server.base));
    driver.type_into("input[name=identifiant]", "analyste");
    driver.type_into("input[name=mot_de_passe]", PASSWORD);
    driver.click("form button");
    driver.wait_for_heading("Vue régionale", "not logged in");
    let tricky = server
        .manifest
        .truths
        .tricky_names
        .iter()
        .find(|n| n.name.contains("<script>"))
        .unwrap();
    let pages = [
        ("connexion", "/connexion".to_owned()),
        ("vue-regionale", format!("/?date={DATE}")),
        ("etablissements", format!("/etablissements?date={DATE}")),
        ("fiche", format!("/etablissements/{}?date={DATE}", tricky.finess)),
        ("ciblage", format!("/ciblage?date={DATE}")),
        ("exercices", format!("/exercices?date={DATE}")),
        ("audits", format!("/audits?date={DATE}")),
        ("aap", format!("/aap?date={DATE}")),
        ("qualite", format!("/qualite?date={DATE}")),
        ("import", "/import".to_owned()),
        ("methodologie", "/methodologie".to_owned()),
        ("ressources", "/ressources".to_owned()),
    ];
    let mut problems = Vec::new();
    for (name, path) in &pages {
        driver.visit(&format!("{}{path}", server.base));
        let heading = driver.script("return document.querySelector('h1') && document.querySelector('h1').textContent;");
        assert!(heading.as_str().is_some_and(|h| !h.is_empty()), "{name}: no heading");
        // A name with markup is text: no script element came from the data (the only
        // scripts are the application's own files).
        let foreign = driver.script(
            "return Array.from(document.querySelectorAll('script')).filter(s => !(s.getAttribute('src') || '').startsWith('/static/')).length;",
        );
        assert_eq!(foreign, json!(0), "{name}");
        driver.screenshot(&screenshots.join(format!("{name}.png")));
        driver.script(&axe_source);
        let violations = driver.async_script(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {resultTypes: ['violations']})
                .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help}))))
                .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e)}]));",
        );
        for violation in violations.as_array().unwrap() {
            if matches!(violation["impact"].as_str(), Some("serious" | "critical")) {
                problems.push(format!("{name}: {violation}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "accessibility violations:\n{}",
        problems.join("\n")
    );

    // A filter used as a person would: type in the search box, press the button.
    driver.visit(&format!("{}/etablissements?date={DATE}", server.base));
    driver.type_into("input[name=q]", "CLINIQUE");
    driver.click("form.filters button");
    // A click does not wait for the navigation it starts.
    let started = Instant::now();
    let url = loop {
        let url = driver.send("GET", "/session/{session}/url", Value::Null)["value"]
            .as_str()
            .unwrap()
            .to_owned();
        if url.contains("q=") || started.elapsed() > Duration::from_secs(10) {
            break url;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(url.contains("q=CLINIQUE"), "{url}");
    let names =
        driver.script("return Array.from(document.querySelectorAll('table.data tbody th')).map(t => t.textContent);");
    let names = names.as_array().unwrap();
    assert!(
        !names.is_empty()
            && names
                .iter()
                .all(|n| n.as_str().unwrap().to_uppercase().contains("CLINIQUE")),
        "{names:?}"
    );

    // The export link of the filtered page downloads the filtered list.
    let download = driver.async_script(
        "const done = arguments[arguments.length - 1];
         const link = Array.from(document.querySelectorAll('.exports a')).find(a => a.textContent.startsWith('CSV (Excel)'));
         fetch(link.href).then(r => r.text().then(t => done({status: r.status, type: r.headers.get('content-type'), lines: t.trim().split('\\r\\n').length})));",
    );
    assert_eq!(download["status"], json!(200), "{download}");
    assert!(download["type"].as_str().unwrap().starts_with("text/csv"));
    let total = driver.script(
        "const m = document.body.innerText.match(/([0-9\\u202f ]+) établissement\\(s\\)/); return m ? parseInt(m[1].replace(/\\D/g, '')) : -1;",
    );
    assert_eq!(
        download["lines"].as_u64().unwrap(),
        total.as_u64().unwrap() + 1,
        "{download} {total}"
    );
    // An upload from the import page: the progress script sends it, the report replaces the page.
    let file = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
    std::fs::write(file.path(), "finess_et;finess_ej;ght;ose\n750000000;;;Non\n").unwrap();
    driver.visit(&format!("{}/import", server.base));
    driver.type_into("input[type=file]", file.path().to_str().unwrap());
    driver.click("#import-form button");
    driver.wait_for_heading("Rapport d'import", "no import report");
    driver.screenshot(&screenshots.join("rapport-import.png"));
    // Logging out from a page that may come from the shared cache: the button carries this
    // session's token (a cached page used to carry the first visitor's: 403).
    driver.visit(&format!("{}/methodologie", server.base));
    driver.click("form.account button");
    driver.wait_for_heading("Connexion", "not logged out");
    driver.visit(&format!("{}/methodologie", server.base));
    assert_eq!(
        driver.script("return location.pathname;"),
        json!("/connexion"),
        "the session survived its logout"
    );
    eprintln!("screenshots in {}", screenshots.display());
}
