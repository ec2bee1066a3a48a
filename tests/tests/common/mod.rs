//! A real server over a generated region, shared by the web and browser tests.

#![allow(dead_code, clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use chrono::NaiveDate;
use dashboard::accounts::Role;
use generator::{Manifest, Options, Scale};
use ingest::{ImportOptions, Store};
use serde_json::Value;

/// An HTTP client that reports every status and follows no redirect (tests look at both).
pub fn literal_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .new_agent()
}

/// Starts `opssies serve` on a store (at `listen`, with a settings file when given) and
/// waits for the line that says where it listens: the process and its base address.
pub fn serve(store: &std::path::Path, listen: &str, settings: Option<&std::path::Path>) -> (Child, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_opssies-e2e"));
    command.args(["serve", "--store", store.to_str().unwrap(), "--listen", listen]);
    if let Some(settings) = settings {
        command.args(["--settings", settings.to_str().unwrap()]);
    }
    let mut child = command.stdout(Stdio::piped()).spawn().unwrap();
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
    (child, base)
}

/// The generated region (seed 21, its « today » [`DATE`]) written into `directory/region` and
/// imported into `directory/base.duckdb`: the store's path and the generator's manifest.
pub fn region_store(directory: &std::path::Path) -> (std::path::PathBuf, Manifest) {
    let set = directory.join("region");
    let options = Options {
        scale: Scale::Region,
        campaigns: None,
        seed: 21,
        today: NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
    };
    let manifest = generator::generate(&options, &set).unwrap();
    let store_path = directory.join("base.duckdb");
    let mut store = Store::open(&store_path).unwrap();
    for file in &manifest.files {
        store
            .import_file(&set.join(&file.name), &ImportOptions::default())
            .unwrap();
    }
    (store_path, manifest)
}

/// The password of every test account.
pub const PASSWORD: &str = "un mot de passe de test assez long";

pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (byte as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// The generated region's "today": pages are asked for this date.
pub const DATE: &str = "2026-11-29";

pub struct Server {
    child: Child,
    pub base: String,
    agent: ureq::Agent,
    /// The session cookie of the ARS account the helpers use.
    pub cookie: String,
    /// An establishment account bound to the legal entity of `establishment_site`.
    pub establishment_site: String,
    /// The account « entite », bound to the legal entity of the region with the most sites:
    /// its FINESS EJ and its sites' FINESS ET.
    pub legal_entity: (String, Vec<String>),
    /// The store the server holds.
    pub store_path: std::path::PathBuf,
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
        let (store_path, manifest) = region_store(directory.path());
        Server::start_on(directory, store_path, manifest)
    }

    /// Serves a store already filled from the generated set of `manifest`, after adding the
    /// test accounts to it.
    pub fn start_on(directory: tempfile::TempDir, store_path: std::path::PathBuf, manifest: Manifest) -> Server {
        let red_site = manifest
            .truths
            .red_events
            .first()
            .map(|red| red.finess.clone())
            .unwrap();
        let legal_entity;
        {
            let store = Store::open(&store_path).unwrap();
            let connection = store.connection();
            dashboard::accounts::add(connection, "analyste", Role::Ars, None, PASSWORD).unwrap();
            dashboard::accounts::add(connection, "sesan", Role::Sesan, None, PASSWORD).unwrap();
            dashboard::accounts::add(connection, "admin", Role::Admin, None, PASSWORD).unwrap();
            dashboard::accounts::add(
                connection,
                "etablissement",
                Role::Etablissement,
                Some(&red_site),
                PASSWORD,
            )
            .unwrap();
            let (entity, sites): (String, String) = connection
                .query_row(
                    "SELECT finess_ej, string_agg(finess_et, ',' ORDER BY finess_et) FROM establishments
                     WHERE departement IN ('75', '77', '78', '91', '92', '93', '94', '95') AND finess_ej IS NOT NULL
                     GROUP BY finess_ej HAVING count(*) >= 2 ORDER BY count(*) DESC, finess_ej LIMIT 1",
                    [],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .unwrap();
            dashboard::accounts::add(connection, "entite", Role::Etablissement, Some(&entity), PASSWORD).unwrap();
            legal_entity = (entity, sites.split(',').map(str::to_owned).collect());
        }
        let (child, base) = serve(&store_path, "127.0.0.1:0", None);
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .new_agent();
        let mut server = Server {
            child,
            base,
            agent,
            cookie: String::new(),
            establishment_site: red_site,
            legal_entity,
            store_path: store_path.clone(),
            _directory: directory,
            manifest,
        };
        server.cookie = server.login("analyste", PASSWORD).expect("the ARS account logs in");
        server
    }

    /// A site of the region that is not the establishment account's (one of the tricky names).
    pub fn other_site(&self) -> String {
        self.manifest
            .truths
            .tricky_names
            .iter()
            .map(|named| named.finess.clone())
            .find(|finess| *finess != self.establishment_site)
            .unwrap()
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM and waits for the process: its exit code, if it ended within 15 s.
    pub fn terminate(&mut self) -> Option<i32> {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        let started = std::time::Instant::now();
        while started.elapsed() < std::time::Duration::from_secs(15) {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        None
    }

    /// The login form's token and the cookie that carries it, as a browser gets them.
    pub fn login_form(&self) -> (String, String) {
        let agent = literal_agent();
        let mut response = agent.get(&format!("{}/connexion", self.base)).call().unwrap();
        let cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(';').next())
            .unwrap()
            .to_owned();
        let page = response.body_mut().read_to_string().unwrap();
        let token = page
            .split("name=\"jeton\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_owned();
        (cookie, token)
    }

    /// Posts the login form as a browser would: status and session cookie (if any).
    pub fn login_attempt(&self, name: &str, password: &str) -> (u16, Option<String>) {
        let (form_cookie, token) = self.login_form();
        let agent = literal_agent();
        let body = format!(
            "identifiant={}&mot_de_passe={}&jeton={token}",
            encode(name),
            encode(password)
        );
        let response = agent
            .post(&format!("{}/connexion", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", &form_cookie)
            .send(body)
            .unwrap();
        let status = response.status().as_u16();
        let cookie = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .filter(|value| value.starts_with("opssies_session="))
            .filter_map(|value| value.split(';').next())
            .map(str::to_owned)
            .next();
        (status, cookie)
    }

    /// Logs in through the form; the session cookie, or `None` when refused.
    pub fn login(&self, name: &str, password: &str) -> Option<String> {
        self.login_attempt(name, password).1
    }

    /// A request with a given cookie (or none): status, content type, body.
    pub fn get_with(&self, cookie: Option<&str>, path: &str) -> (u16, String, Vec<u8>) {
        let mut request = self.agent.get(&format!("{}{path}", self.base));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        let mut response = request.call().unwrap();
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

    /// A POST with a given cookie (or none): status and body.
    pub fn post_with(&self, cookie: Option<&str>, path: &str, content_type: &str, body: Vec<u8>) -> (u16, String) {
        let agent = literal_agent();
        let mut request = agent
            .post(&format!("{}{path}", self.base))
            .header("content-type", content_type);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        let mut response = request.send(body).unwrap();
        let status = response.status().as_u16();
        (status, response.body_mut().read_to_string().unwrap_or_default())
    }

    /// The CSRF token the form posting to `action` carries on `page`, for this session.
    pub fn csrf_token(&self, cookie: &str, page: &str, action: &str) -> String {
        let (_, _, body) = self.get_with(Some(cookie), page);
        String::from_utf8(body)
            .unwrap()
            .split(&format!("{action}?csrf="))
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("no form to {action} on {page}"))
            .to_owned()
    }

    pub fn get(&self, path: &str) -> (u16, String, Vec<u8>) {
        self.get_with(Some(&self.cookie.clone()), path)
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
