//! Single sign-on against a real OpenID Provider (panva's oidc-provider, run by Node on
//! 127.0.0.1; `tests/oidc/provider.mjs`): the whole flow walked over HTTP like a browser —
//! authorization, the provider's login and consent pages, the callback, a protected page, the
//! logout at the provider — then every way it must fail. Built to run only where Node and
//! oidc-provider are (`.ci/run` installs them); reported as ignored otherwise.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use common::{PASSWORD, literal_agent};
use dashboard::accounts::Role;

const SECRET: &str = "un secret de client de test assez long pour HS256 aussi";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A process killed with the test.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the provider and waits for its « ready » line.
/// The site of the establishment account matched by its FINESS (a valid Paris FINESS).
fn hospital_site() -> String {
    let body = "75010012";
    format!("{body}{}", ingest::finess::luhn_key(body).unwrap())
}

fn provider(port: u16, key_id: &str, clients: &serde_json::Value, clock_offset: i64, mode: &str) -> Running {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/oidc/provider.mjs");
    let accounts = serde_json::json!({
        "agent-ars": {"email": "agent@ars.sante.fr", "email_verified": true},
        "agent-sesan": {"email": "Agent@Sesan.fr", "email_verified": true},
        "agent-non-verifie": {"email": "agent@sesan.fr", "email_verified": false},
        "agent-parti": {"email": "parti@ars.sante.fr", "email_verified": true},
        "inconnu": {"email": "inconnu@example.org", "email_verified": true},
        // A health professional as Pro Santé Connect describes one: their structures.
        "pro-sante": {"SubjectRefPro": {"codeCivilite": "M", "exercices": [{"codeProfession": "10",
            "activities": [{"numeroFinessSite": hospital_site(), "numeroSiretSite": "12345678900011"}]}]}},
    });
    let mut child = Command::new("node")
        .arg(script)
        .env(
            "OIDC_PROVIDER_MODULE",
            std::env::var("OIDC_PROVIDER_MODULE").unwrap_or_default(),
        )
        .env("PORT", port.to_string())
        .env("KEY_ID", key_id)
        .env("CLIENTS", clients.to_string())
        .env("ACCOUNTS", accounts.to_string())
        .env("CLOCK_OFFSET_SECONDS", clock_offset.to_string())
        .env("MODE", mode)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("node runs");
    let mut output = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    output.read_line(&mut line).unwrap();
    assert!(line.starts_with("ready"), "provider: {line:?}");
    // Its notices go on being written: read and dropped (a closed pipe would stop it).
    std::thread::spawn(move || std::io::copy(&mut output, &mut std::io::sink()));
    Running(child)
}

/// A browser: cookies per host (attributes ignored), no redirect followed by itself.
#[derive(Default, Clone)]
struct Browser {
    cookies: BTreeMap<String, BTreeMap<String, String>>,
}

struct Answer {
    status: u16,
    location: Option<String>,
    body: String,
}

impl Browser {
    fn host(url: &str) -> String {
        url.split('/').take(3).collect::<Vec<_>>().join("/")
    }

    fn send(&mut self, method: &str, url: &str, form: Option<&str>, origin: Option<&str>) -> Answer {
        let host = Browser::host(url);
        let cookie: String = self
            .cookies
            .get(&host)
            .map(|jar| {
                jar.iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default();
        let agent = literal_agent();
        let mut response = if method == "POST" {
            let mut request = agent
                .post(url)
                .header("content-type", "application/x-www-form-urlencoded");
            if !cookie.is_empty() {
                request = request.header("cookie", &cookie);
            }
            if let Some(origin) = origin {
                request = request.header("origin", origin);
            }
            request.send(form.unwrap_or("")).unwrap()
        } else {
            let mut request = agent.get(url);
            if !cookie.is_empty() {
                request = request.header("cookie", &cookie);
            }
            request.call().unwrap()
        };
        for value in response.headers().get_all("set-cookie") {
            let text = value.to_str().unwrap_or("");
            let pair = text.split(';').next().unwrap_or("");
            if let Some((name, value)) = pair.split_once('=') {
                let jar = self.cookies.entry(host.clone()).or_default();
                let removed = text.to_lowercase().contains("max-age=0") || text.contains("1970");
                if value.is_empty() || removed {
                    jar.remove(name.trim());
                } else {
                    jar.insert(name.trim().to_owned(), value.to_owned());
                }
            }
        }
        let status = response.status().as_u16();
        let location = response.headers().get("location").map(|value| {
            let value = value.to_str().unwrap().to_owned();
            if value.starts_with('/') {
                format!("{host}{value}")
            } else {
                value
            }
        });
        let body = response.body_mut().read_to_string().unwrap_or_default();
        Answer { status, location, body }
    }

    fn get(&mut self, url: &str) -> Answer {
        self.send("GET", url, None, None)
    }
}

/// The value of an attribute in the first tag that has it (`action`, a hidden input's value…).
fn attribute(page: &str, name: &str) -> Option<String> {
    let start = page.find(&format!("{name}=\""))? + name.len() + 2;
    Some(page[start..].split('"').next()?.replace("&amp;", "&"))
}

/// Walks the provider's pages as `subject` (login, then consent) from the authorization
/// address until the provider sends the browser back to the relying party: that address.
fn through_provider(browser: &mut Browser, authorization: &str, subject: &str, relying_party: &str) -> String {
    let mut next = authorization.to_owned();
    for _ in 0..12 {
        if next.starts_with(relying_party) {
            return next;
        }
        let answer = browser.get(&next);
        if let Some(location) = answer.location {
            next = location;
            continue;
        }
        assert_eq!(answer.status, 200, "{next}: {}", answer.body);
        let action = attribute(&answer.body, "action").unwrap();
        let action = if action.starts_with('/') {
            format!("{}{action}", Browser::host(&next))
        } else {
            action
        };
        // The form's hidden fields (`prompt`…), and who logs in on the login step.
        let mut fields: Vec<String> = answer
            .body
            .split("<input")
            .skip(1)
            .filter(|input| input.contains("type=\"hidden\""))
            .filter_map(|input| Some(format!("{}={}", attribute(input, "name")?, attribute(input, "value")?)))
            .collect();
        if answer.body.contains("name=\"login\"") {
            fields.push(format!("login={subject}&password=peu-importe"));
        }
        let form = fields.join("&");
        let posted = browser.send("POST", &action, Some(&form), None);
        next = posted
            .location
            .unwrap_or_else(|| panic!("{action}: {} {}", posted.status, posted.body));
    }
    panic!("the provider never sent the browser back");
}

struct World {
    server: Option<Running>,
    base: String,
    provider_port: u16,
    provider: Option<Running>,
    _late: Running,
    _unsigned: Running,
    store: std::path::PathBuf,
    settings: std::path::PathBuf,
    _directory: tempfile::TempDir,
    clients: serde_json::Value,
}

fn clients(server_port: u16) -> serde_json::Value {
    let back = format!("http://127.0.0.1:{server_port}/connexion/retour");
    let after = format!("http://127.0.0.1:{server_port}/connexion");
    serde_json::json!([
        {"client_id": "opssies", "client_secret": SECRET, "redirect_uris": [back],
         "post_logout_redirect_uris": [after], "token_endpoint_auth_method": "client_secret_post"},
        {"client_id": "opssies-hs256", "client_secret": SECRET, "redirect_uris": [back],
         "token_endpoint_auth_method": "client_secret_post", "id_token_signed_response_alg": "HS256"},
    ])
}

fn settings_text(
    server_port: u16,
    provider: u16,
    late: u16,
    unsigned: u16,
    secret: &std::path::Path,
    local: bool,
) -> String {
    let entry = |name: &str, label: &str, port: u16, client: &str| {
        format!(
            "[[sso]]\nname = \"{name}\"\nlabel = \"{label}\"\ndiscovery_url = \"http://127.0.0.1:{port}/.well-known/openid-configuration\"\nclient_id = \"{client}\"\nclient_secret_file = \"{}\"\nredirect_url = \"http://127.0.0.1:{server_port}/connexion/retour\"\nscopes = [\"openid\", \"email\", \"scope_all\"]\nid_token_algs = [\"RS256\"]\n\n",
            secret.display()
        )
    };
    format!(
        "[sessions]\nlocal_login = {local}\n\n{}{}{}{}",
        entry("test", "Se connecter avec le fournisseur de test", provider, "opssies"),
        entry("hs256", "Fournisseur HS256", provider, "opssies-hs256"),
        entry("retard", "Fournisseur en retard", late, "opssies"),
        entry("aucun", "Fournisseur sans signature", unsigned, "opssies"),
    )
}

fn start_server(store: &std::path::Path, settings: &std::path::Path, port: u16) -> Running {
    Running(common::serve(store, &format!("127.0.0.1:{port}"), Some(settings)).0)
}

fn world() -> World {
    let directory = tempfile::tempdir().unwrap();
    let (server_port, provider_port, late_port, unsigned_port) = (free_port(), free_port(), free_port(), free_port());
    let clients = clients(server_port);
    let provider_process = provider(provider_port, "cle-1", &clients, 0, "");
    // The same provider two hours behind: its ID tokens expired an hour ago when they arrive.
    let late = provider(late_port, "cle-retard", &clients, -7200, "");
    let unsigned = provider(unsigned_port, "", &clients, 0, "unsigned");
    let secret = directory.path().join("secret-client");
    std::fs::write(&secret, format!("{SECRET}\n")).unwrap();
    let settings = directory.path().join("reglages.toml");
    std::fs::write(
        &settings,
        settings_text(server_port, provider_port, late_port, unsigned_port, &secret, true),
    )
    .unwrap();
    let store = directory.path().join("base.duckdb");
    // A referential of one site, for the establishment account.
    {
        let mut opened = ingest::Store::open(&store).unwrap();
        let mut fields = vec![String::new(); 32];
        fields[0] = "structureet".into();
        fields[1] = hospital_site();
        fields[3] = "CH DE TEST".into();
        fields[13] = "75".into();
        fields[14] = "PARIS".into();
        fields[18] = "355".into();
        fields[26] = "1".into();
        let text = format!("finess;etalab;1;2026-01-01\n{}\n", fields.join(";"));
        let outcome = opened
            .import_bytes("etalab.csv", text.as_bytes(), &ingest::ImportOptions::default())
            .unwrap();
        assert_eq!(outcome.status, ingest::ImportStatus::Stored, "{}", outcome.message);
    }
    // The ars account as an administrator makes it: bound to the provider's subject, no
    // password (nothing read from standard input).
    let made = Command::new(env!("CARGO_BIN_EXE_opssies-e2e"))
        .args([
            "user",
            "--store",
            store.to_str().unwrap(),
            "add",
            "analyste-sso",
            "--role",
            "ars",
        ])
        .args(["--sso", "test", "--subject", "agent-ars"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    assert!(String::from_utf8_lossy(&made.stdout).contains("lié à l'identité test : sujet agent-ars"));
    {
        let store = ingest::Store::open(&store).unwrap();
        let connection = store.connection();
        let add = |name: &str, role: Role| {
            dashboard::accounts::add(connection, name, role, None, PASSWORD).unwrap();
        };
        add("sesan-sso", Role::Sesan);
        add("parti", Role::Ars);
        add("admin", Role::Admin);
        use ingest::store::records::{IdentityKey, bind_identity as bind};
        bind(connection, "analyste-sso", "retard", IdentityKey::Subject("agent-ars")).unwrap();
        bind(connection, "analyste-sso", "hs256", IdentityKey::Subject("agent-ars")).unwrap();
        bind(connection, "analyste-sso", "aucun", IdentityKey::Subject("agent-ars")).unwrap();
        bind(connection, "sesan-sso", "test", IdentityKey::Email("agent@sesan.fr")).unwrap();
        bind(connection, "parti", "test", IdentityKey::Subject("agent-parti")).unwrap();
        dashboard::accounts::add(
            connection,
            "hopital",
            Role::Etablissement,
            Some(&hospital_site()),
            PASSWORD,
        )
        .unwrap();
        dashboard::accounts::disable(connection, "parti").unwrap();
    }
    // The establishment account: any professional of one of its structures, as the admin allows.
    let allowed = Command::new(env!("CARGO_BIN_EXE_opssies-e2e"))
        .args([
            "user",
            "--store",
            store.to_str().unwrap(),
            "bind",
            "hopital",
            "--sso",
            "test",
            "--sso-finess-claim",
        ])
        .output()
        .unwrap();
    assert!(allowed.status.success(), "{}", String::from_utf8_lossy(&allowed.stderr));
    let server = start_server(&store, &settings, server_port);
    World {
        server: Some(server),
        base: format!("http://127.0.0.1:{server_port}"),
        provider_port,
        provider: Some(provider_process),
        _late: late,
        _unsigned: unsigned,
        store,
        settings,
        _directory: directory,
        clients,
    }
}

impl World {
    /// A browser that started a login at `provider`: its authorization address.
    fn start(&self, browser: &mut Browser, provider: &str) -> String {
        let answer = browser.get(&format!("{}/connexion/sso/{provider}", self.base));
        assert_eq!(answer.status, 303, "{}", answer.body);
        answer.location.unwrap()
    }

    /// A whole login as `subject` at `provider`: the relying party's last answer.
    fn login(&self, browser: &mut Browser, provider: &str, subject: &str) -> Answer {
        let authorization = self.start(browser, provider);
        let callback = through_provider(browser, &authorization, subject, &self.base);
        browser.get(&callback)
    }

    fn journal(&self) -> String {
        let mut admin = Browser::default();
        let form = admin.get(&format!("{}/connexion", self.base));
        let token = attribute(form.body.split("name=\"jeton\"").nth(1).unwrap_or(""), "value").unwrap();
        let posted = admin.send(
            "POST",
            &format!("{}/connexion", self.base),
            Some(&format!(
                "identifiant=admin&mot_de_passe={}&jeton={token}",
                common::encode(PASSWORD)
            )),
            Some(&self.base),
        );
        assert_eq!(posted.status, 303, "{}", posted.body);
        admin
            .get(&format!("{}/export/journal?format=csv-rfc4180", self.base))
            .body
    }
}

#[test]
#[cfg_attr(
    not(oidc_test),
    ignore = "Node or oidc-provider absent when built (.ci/run installs them; OIDC_PROVIDER_MODULE)"
)]
fn single_sign_on_through_a_real_provider() {
    let mut world = world();
    let provider_base = format!("http://127.0.0.1:{}", world.provider_port);

    // The login page offers each provider, and the password form (local_login defaults on).
    let page = Browser::default().get(&format!("{}/connexion", world.base)).body;
    assert!(page.contains("href=\"/connexion/sso/test\"") && page.contains("Se connecter avec le fournisseur de test"));
    assert!(page.contains("name=\"mot_de_passe\""));

    // The whole flow: the request carries PKCE (S256), a state and a nonce of 43 characters.
    let mut browser = Browser::default();
    let authorization = world.start(&mut browser, "test");
    assert!(
        authorization.starts_with(&format!("{provider_base}/auth?")),
        "{authorization}"
    );
    let parameter = |name: &str| {
        authorization
            .split(['?', '&'])
            .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(parameter("code_challenge_method"), "S256");
    assert!(parameter("state").len() >= 32 && parameter("nonce").len() >= 32);
    let callback = through_provider(&mut browser, &authorization, "agent-ars", &world.base);
    assert!(
        callback.starts_with(&format!("{}/connexion/retour?", world.base)),
        "{callback}"
    );
    let landed = browser.get(&callback);
    assert_eq!(
        (landed.status, landed.location.as_deref()),
        (303, Some(format!("{}/", world.base).as_str()))
    );
    // The Vue régionale, as the bound ars account.
    let regional = browser.get(&format!("{}/", world.base));
    assert_eq!(regional.status, 200);
    assert!(regional.body.contains("Vue régionale") && regional.body.contains("analyste-sso (ars)"));

    // The code and state served once: the same callback again is refused.
    let replayed = browser.get(&callback);
    assert_eq!(replayed.status, 403, "{}", replayed.body);
    assert!(replayed.body.contains("a déjà servi"));

    // Logout: the local session ends and the browser goes to the provider's end-session
    // endpoint with the ID token, a state and the way back; after the provider's page, the
    // browser is back on the login page and the old session opens nothing.
    let csrf = regional
        .body
        .split("action=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().replace("&amp;", "&"))
        .find(|action| action.starts_with("/deconnexion"))
        .unwrap();
    let out = browser.send("POST", &format!("{}{csrf}", world.base), Some(""), Some(&world.base));
    let end_session = out.location.unwrap();
    assert!(
        end_session.starts_with(&format!("{provider_base}/session/end?")),
        "{end_session}"
    );
    for needed in ["id_token_hint=", "state=", "post_logout_redirect_uri="] {
        assert!(end_session.contains(needed), "{end_session}");
    }
    let confirm = browser.get(&end_session);
    assert_eq!(confirm.status, 200, "{}", confirm.body);
    let action = attribute(&confirm.body, "action").unwrap();
    let xsrf = confirm
        .body
        .split("name=\"xsrf\"")
        .nth(1)
        .and_then(|rest| attribute(rest, "value"))
        .unwrap_or_default();
    let action = if action.starts_with('/') {
        format!("{provider_base}{action}")
    } else {
        action
    };
    let left = browser.send("POST", &action, Some(&format!("xsrf={xsrf}&logout=yes")), None);
    let back = left.location.unwrap_or_default();
    assert!(
        back.starts_with(&format!("{}/connexion", world.base)),
        "{back} {}",
        left.body
    );
    assert_eq!(
        browser.get(&format!("{}/", world.base)).location,
        Some(format!("{}/connexion", world.base))
    );

    // A verified e-mail bound to an account is enough (case folded); an unverified one is not.
    let mut sesan = Browser::default();
    assert_eq!(world.login(&mut sesan, "test", "agent-sesan").status, 303);
    assert!(
        sesan
            .get(&format!("{}/", world.base))
            .body
            .contains("sesan-sso (sesan)")
    );
    let unverified = world.login(&mut Browser::default(), "test", "agent-non-verifie");
    assert_eq!(unverified.status, 403);

    // A professional matched by the FINESS of their structure (Pro Santé Connect's record):
    // the establishment account, sent to its site's fiche.
    let mut professional = Browser::default();
    assert_eq!(world.login(&mut professional, "test", "pro-sante").status, 303);
    assert_eq!(
        professional.get(&format!("{}/", world.base)).location,
        Some(format!("{}/etablissements/{}", world.base, hospital_site()))
    );

    // An identity bound to no account: a French page saying whom to ask, and a journal row.
    let unbound = world.login(&mut Browser::default(), "test", "inconnu");
    assert_eq!(unbound.status, 403);
    assert!(unbound.body.contains("n'est liée à aucun compte") && unbound.body.contains("administrateur"));
    // A disabled account.
    let gone = world.login(&mut Browser::default(), "test", "agent-parti");
    assert_eq!(gone.status, 403);
    assert!(gone.body.contains("désactivé"));

    // A wrong state.
    let mut forged = Browser::default();
    world.start(&mut forged, "test");
    let wrong = forged.get(&format!(
        "{}/connexion/retour?code=abc&state={}",
        world.base,
        "x".repeat(43)
    ));
    assert_eq!(wrong.status, 403);
    // The right state from another browser (no binding cookie).
    let mut victim = Browser::default();
    let authorization = world.start(&mut victim, "test");
    let callback = through_provider(&mut victim, &authorization, "agent-ars", &world.base);
    let mut attacker = Browser::default();
    let stolen = attacker.get(&callback);
    assert_eq!(stolen.status, 403);
    assert!(stolen.body.contains("autre navigateur"), "{}", stolen.body);

    // A wrong nonce: the provider signs the nonce it was given, not the one the login keeps.
    let mut browser = Browser::default();
    let authorization = world.start(&mut browser, "test");
    let nonce = authorization
        .split(['?', '&'])
        .find(|pair| pair.starts_with("nonce="))
        .unwrap()
        .to_owned();
    let tampered = authorization.replace(&nonce, &format!("nonce={}", "n".repeat(43)));
    let callback = through_provider(&mut browser, &tampered, "agent-ars", &world.base);
    let refused = browser.get(&callback);
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("nonce"), "{}", refused.body);

    // An expired ID token (the provider's clock two hours behind).
    let late = world.login(&mut Browser::default(), "retard", "agent-ars");
    assert_eq!(late.status, 403);
    assert!(late.body.to_lowercase().contains("expired"), "{}", late.body);
    // An ID token signed with HS256 while RS256 is pinned.
    let hs = world.login(&mut Browser::default(), "hs256", "agent-ars");
    assert_eq!(hs.status, 403);
    assert!(hs.body.contains("HS256"), "{}", hs.body);
    // An unsigned ID token (alg « none »).
    let mut browser = Browser::default();
    let authorization = world.start(&mut browser, "aucun");
    let unsigned = browser.get(&authorization);
    let refused = browser.get(&unsigned.location.unwrap());
    assert!(
        [403, 502].contains(&refused.status),
        "{} {}",
        refused.status,
        refused.body
    );
    assert!(refused.body.contains("Connexion refusée"));

    // Every refusal and the logins are in the journal.
    let journal = world.journal();
    assert!(
        journal.contains("connexion SSO,") || journal.contains("connexion SSO\""),
        "{journal}"
    );
    assert!(journal.contains("déconnexion SSO"));
    assert!(
        journal.contains("test : sujet inconnu") && journal.contains("aucun compte lié"),
        "{journal}"
    );
    assert!(journal.contains("compte désactivé"));

    // The provider rotates its signing key (a restart with another key): the relying party
    // does not know the new kid, fetches the keys once more, and the login succeeds.
    world.provider = None;
    world.provider = Some(provider(world.provider_port, "cle-2", &world.clients, 0, ""));
    let mut browser = Browser::default();
    let rotated = world.login(&mut browser, "test", "agent-ars");
    assert_eq!(rotated.status, 303, "{}", rotated.body);
    assert!(
        browser
            .get(&format!("{}/", world.base))
            .body
            .contains("analyste-sso (ars)")
    );
}

#[test]
#[cfg_attr(
    not(oidc_test),
    ignore = "Node or oidc-provider absent when built (.ci/run installs them; OIDC_PROVIDER_MODULE)"
)]
fn the_password_form_is_gone_when_local_login_is_off() {
    let mut world = world();
    world.server = None;
    let port: u16 = world.base.rsplit(':').next().unwrap().parse().unwrap();
    let text = std::fs::read_to_string(&world.settings)
        .unwrap()
        .replace("local_login = true", "local_login = false");
    std::fs::write(&world.settings, text).unwrap();
    let _server = start_server(&world.store, &world.settings, port);
    let mut browser = Browser::default();
    let page = browser.get(&format!("{}/connexion", world.base));
    assert!(
        page.body.contains("/connexion/sso/test") && !page.body.contains("mot_de_passe"),
        "{}",
        page.body
    );
    let token = "0".repeat(32);
    browser
        .cookies
        .entry(world.base.clone())
        .or_default()
        .insert("opssies_connexion".into(), token.clone());
    let posted = browser.send(
        "POST",
        &format!("{}/connexion", world.base),
        Some(&format!(
            "identifiant=admin&mot_de_passe={}&jeton={token}",
            common::encode(PASSWORD)
        )),
        Some(&world.base),
    );
    assert_eq!(posted.status, 403);
    // Single sign-on still works.
    assert_eq!(world.login(&mut Browser::default(), "test", "agent-ars").status, 303);
    // Starts are limited per address like password attempts (30 in 15 minutes by default):
    // one address cannot fill the table of logins in progress and push others out.
    let statuses: Vec<u16> = (0..30)
        .map(|_| {
            Browser::default()
                .get(&format!("{}/connexion/sso/test", world.base))
                .status
        })
        .collect();
    assert_eq!(
        statuses.iter().filter(|status| **status == 303).count(),
        29,
        "{statuses:?}"
    );
    assert_eq!(statuses.last(), Some(&429));
}
