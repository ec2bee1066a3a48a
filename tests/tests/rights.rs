//! Rights by construction: the authorisation test generated from the route table, and one
//! test per finding of the review of the running demo (issue "Rights by construction").

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;

use common::{PASSWORD, Server, encode, literal_agent};
use dashboard::accounts::Role;
use dashboard::web::routes::{Access, Journal, Method, ROUTES, Route};

/// The five kinds of viewer: nobody, then each role.
const VIEWERS: [Option<Role>; 5] = [
    None,
    Some(Role::Ars),
    Some(Role::Sesan),
    Some(Role::Etablissement),
    Some(Role::Admin),
];

struct Sessions {
    cookies: BTreeMap<&'static str, String>,
    tokens: BTreeMap<&'static str, String>,
}

fn role_key(role: Option<Role>) -> &'static str {
    role.map_or("anonyme", Role::name)
}

/// A session per role and its CSRF token, read from a page of the role.
fn sessions(server: &Server) -> Sessions {
    let mut cookies = BTreeMap::new();
    let mut tokens = BTreeMap::new();
    for (role, name) in [
        (Role::Ars, "analyste"),
        (Role::Sesan, "sesan"),
        (Role::Etablissement, "etablissement"),
        (Role::Admin, "admin"),
    ] {
        let cookie = server.login(name, PASSWORD).unwrap();
        let token = server.csrf_token(&cookie, "/ressources", "/deconnexion");
        cookies.insert(role.name(), cookie);
        tokens.insert(role.name(), token);
    }
    Sessions { cookies, tokens }
}

/// The concrete addresses of a route: its FINESS (own site, another), its export formats.
fn addresses(route: &Route, own: &str, other: &str, date: &str) -> Vec<(String, bool)> {
    let finesses: Vec<(&str, bool)> = if route.path.contains("{finess}") {
        vec![(own, true), (other, false)]
    } else {
        vec![("", true)]
    };
    let formats: &[&str] = if route.journal == Journal::Export {
        &["csv", "csv-rfc4180", "xlsx", "parquet"]
    } else {
        &[""]
    };
    let mut out = Vec::new();
    for (finess, is_own) in &finesses {
        for format in formats {
            let path = route.path.replace("{finess}", finess);
            let query = if format.is_empty() {
                format!("date={date}")
            } else {
                format!("date={date}&format={format}")
            };
            out.push((format!("{path}?{query}"), *is_own));
        }
    }
    out
}

/// Percent-encoded forms of a path that a router which decides on raw strings would let by:
/// the first, a middle and the last letter of each literal segment, and a whole segment.
fn encoded_variants(path_and_query: &str) -> Vec<String> {
    let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
    let mut variants = Vec::new();
    let letters: Vec<usize> = path
        .char_indices()
        .filter(|(_, c)| c.is_ascii_alphabetic())
        .map(|(i, _)| i)
        .collect();
    let mut picks = vec![letters.first(), letters.get(letters.len() / 2), letters.last()];
    picks.dedup();
    for index in picks.into_iter().flatten() {
        let byte = path.as_bytes()[*index];
        variants.push(format!("{}%{byte:02X}{}?{query}", &path[..*index], &path[index + 1..]));
        variants.push(format!("{}%{byte:02x}{}?{query}", &path[..*index], &path[index + 1..]));
    }
    if let Some((head, last)) = path.rsplit_once('/')
        && !last.is_empty()
    {
        let whole: String = last.bytes().map(|b| format!("%{b:02X}")).collect();
        variants.push(format!("{head}/{whole}?{query}"));
    }
    variants.push(format!("{}?{query}", path.replacen('/', "//", 1)));
    variants
}

/// What a body may not hold for a viewer: amounts (SESAN, establishments), a red event
/// (anyone but its owner), another session's token (everyone).
fn forbidden_in_body(viewer: Option<Role>, owner: bool, sessions: &Sessions) -> Vec<String> {
    let mut forbidden: Vec<String> = Vec::new();
    if matches!(viewer, Some(Role::Sesan | Role::Etablissement)) {
        forbidden.extend(["€", "_euros", "order_amount", "envelope", "Enveloppe AAP"].map(str::to_owned));
    }
    if !(viewer == Some(Role::Etablissement) && owner) {
        forbidden.extend(["\"tlp\":\"red\"", "<td>red</td>"].map(str::to_owned));
    }
    for (role, token) in &sessions.tokens {
        if viewer.map(Role::name) != Some(role) {
            forbidden.push(token.clone());
        }
    }
    forbidden
}

#[test]
fn every_route_role_site_format_and_encoding_answers_as_the_table_says() {
    let server = Server::start();
    let sessions = sessions(&server);
    let own = server.establishment_site.clone();
    let other = server.other_site();
    // The day of a red event of the establishment: pages of that day could show it.
    let red_day = server
        .manifest
        .truths
        .red_events
        .iter()
        .find(|r| r.finess == own)
        .unwrap()
        .date
        .to_string();
    let agent = literal_agent();
    let mut checked = 0;
    for route in ROUTES.iter().filter(|r| r.method == Method::Get) {
        for (address, is_own) in addresses(route, &own, &other, &red_day) {
            for viewer in VIEWERS {
                let cookie = viewer.map(|role| sessions.cookies[role.name()].clone());
                let fetch = |path: &str| {
                    let mut request = agent.get(&format!("{}{path}", server.base));
                    if let Some(cookie) = &cookie {
                        request = request.header("cookie", cookie);
                    }
                    let mut response = request.call().unwrap();
                    let status = response.status().as_u16();
                    let body = response.body_mut().with_config().limit(64 << 20).read_to_vec().unwrap();
                    (status, String::from_utf8_lossy(&body).into_owned())
                };
                let opens = route.opens_to(viewer);
                let (status, body) = fetch(&address);
                // What the table says, worked out from the entry alone.
                let parquet_refused = address.contains("format=parquet") && viewer != Some(Role::Ars);
                let expected: &[u16] = match (route.access, viewer) {
                    // A provider's login: none is configured on this server.
                    (Access::Public, _) if route.path.contains("{provider}") => &[404],
                    (Access::Public, _) => &[200],
                    (_, None) if route.path.starts_with("/api/") || route.path.starts_with("/export/") => &[401],
                    (_, None) => &[303],
                    _ if !opens => &[403],
                    _ if parquet_refused => &[403],
                    // An establishment: its own site, not another's (unknown to it: 404).
                    (_, Some(Role::Etablissement)) if !is_own => &[404],
                    // Establishments and admins are sent on from the regional view.
                    (_, Some(Role::Etablissement | Role::Admin)) if route.path == "/" => &[303],
                    _ => &[200],
                };
                assert!(
                    expected.contains(&status),
                    "{address} for {}: {status}, expected {expected:?}",
                    role_key(viewer)
                );
                if status == 200 && !address.contains("format=xlsx") && !address.contains("format=parquet") {
                    for needle in forbidden_in_body(viewer, is_own, &sessions) {
                        assert!(
                            !body.contains(&needle),
                            "{address} for {} holds « {needle} »",
                            role_key(viewer)
                        );
                    }
                }
                // The same address, percent-encoded: the rule applies to the decoded, matched
                // route, so a refused viewer is still refused (or finds no route).
                if !route.is_public() {
                    for variant in encoded_variants(&address) {
                        let (status, body) = fetch(&variant);
                        if opens && !parquet_refused {
                            assert!(
                                [200, 303, 404].contains(&status),
                                "{variant} for {}: {status}",
                                role_key(viewer)
                            );
                        } else {
                            assert_ne!(status, 200, "{variant} for {}: {body:.200}", role_key(viewer));
                        }
                        checked += 1;
                    }
                }
                checked += 1;
            }
        }
    }
    eprintln!("{checked} requests checked");
    assert!(checked > 1000, "{checked}");
}

/// Finding 1: percent-encoded paths got past the role rules.
#[test]
fn findings_rights_amounts_journal_sessions_and_small_points() {
    let server = Server::start();
    let sessions = sessions(&server);
    let (ars, sesan, etablissement, admin) = (
        &sessions.cookies["ars"],
        &sessions.cookies["sesan"],
        &sessions.cookies["etablissement"],
        &sessions.cookies["admin"],
    );
    let status = |cookie: &str, path: &str| server.get_with(Some(cookie), path).0;
    for cookie in [ars, sesan] {
        assert_ne!(status(cookie, "/export/journa%6C?format=csv"), 200);
        assert_ne!(status(cookie, "/export/journal?format=csv"), 200);
    }
    assert_ne!(status(sesan, "/export/rejet%73?format=csv"), 200);
    assert_ne!(status(sesan, "/api/qualit%65"), 200);

    // Finding 2: SESAN gets the AAP status only, no amount anywhere.
    for path in [
        "/api/aap",
        "/aap",
        "/",
        "/methodologie",
        "/api/methodologie",
        "/export/aap?format=csv",
    ] {
        let (code, _, body) = server.get_with(Some(sesan), path);
        let body = String::from_utf8_lossy(&body);
        assert_eq!(code, 200, "{path}");
        for needle in [
            "€",
            "_euros",
            "order_amount",
            "Enveloppe AAP",
            "envelope",
            "flat_amount",
        ] {
            assert!(!body.contains(needle), "{path} shows « {needle} » to SESAN");
        }
    }
    let aap = server.json("/api/aap");
    assert!(aap["envelope_euros"].as_i64().unwrap() > 0, "ARS keeps the amounts");
    let aap: serde_json::Value = serde_json::from_slice(&server.get_with(Some(sesan), "/api/aap").2).unwrap();
    assert!(
        aap["applications"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a.get("queue_rank").is_some()
                && a.get("checks").is_some()
                && a.get("payment").is_some()
                && a.get("order_amount").is_none())
    );

    // Finding 3: viewing another establishment's fiche and exporting are journaled.
    let other = server.other_site();
    assert_eq!(status(sesan, &format!("/etablissements/{other}")), 200);
    assert_eq!(status(ars, &format!("/api/etablissements/{other}")), 200);
    let (_, _, export) = server.get_with(Some(ars), "/export/etablissements?format=csv-rfc4180&departement=75");
    let exported_rows = String::from_utf8(export).unwrap().lines().count() - 1;
    // The establishment's own fiche is not a consultation by someone outside it.
    let own = server.establishment_site.clone();
    assert_eq!(status(etablissement, &format!("/etablissements/{own}")), 200);
    let entries = journal(&server, admin);
    let row = |action: &str, target: &str| {
        entries
            .iter()
            .find(|r| r[5] == action && r[6] == target)
            .unwrap_or_else(|| panic!("no « {action} » of {target} in {entries:?}"))
            .clone()
    };
    let seen = row("consultation de fiche", &format!("/etablissements/{{finess}} {other}"));
    assert_eq!(
        (seen[2].as_str(), seen[3].as_str(), seen[4].as_str()),
        ("sesan", "sesan", "127.0.0.1")
    );
    assert_eq!(
        row(
            "consultation de fiche",
            &format!("/api/etablissements/{{finess}} {other}")
        )[2],
        "analyste"
    );
    let exported = row("export", "/export/etablissements");
    assert_eq!(exported[2], "analyste");
    assert!(exported[7].contains("departement=75"), "{exported:?}");
    assert_eq!(exported[8], exported_rows.to_string());
    assert!(
        !entries
            .iter()
            .any(|r| r[5] == "consultation de fiche" && r[6].contains(&own)),
        "own fiche journaled"
    );
    // Served from the page cache, a second view is journaled too.
    let before = entries
        .iter()
        .filter(|r| r[6].contains(&other) && r[2] == "sesan")
        .count();
    assert_eq!(status(sesan, &format!("/etablissements/{other}")), 200);
    let after = journal_rows_of(&server, admin, |r| r[6].contains(&other) && r[2] == "sesan");
    assert_eq!(after, before + 1);

    // Finding 4: pages shared by viewers hold nothing of a session; everyone can log out.
    for (role, cookie) in &sessions.cookies {
        let second = server.login(login_name(role), PASSWORD).unwrap();
        let page = if *role == "etablissement" {
            format!("/etablissements/{own}")
        } else {
            "/methodologie".to_owned()
        };
        let first_token = server.csrf_token(cookie, &page, "/deconnexion");
        let second_token = server.csrf_token(&second, &page, "/deconnexion");
        assert_ne!(first_token, second_token, "{role}: one token for two sessions");
        let (code, _) = server.post_with(
            Some(&second),
            &format!("/deconnexion?csrf={second_token}"),
            "application/x-www-form-urlencoded",
            Vec::new(),
        );
        assert_eq!(code, 303, "{role} cannot log out");
        assert_eq!(server.get_with(Some(&second), "/api/openapi.json").0, 401);
    }

    // Finding 5: the journal is never cached: a new login shows at once.
    let count = journal(&server, admin).len();
    let page_before = server.get_with(Some(admin), "/journal").2;
    server.login("sesan", PASSWORD).unwrap();
    let page_after = server.get_with(Some(admin), "/journal").2;
    assert_ne!(page_before, page_after);
    assert!(journal(&server, admin).len() > count);
    assert!(String::from_utf8_lossy(&page_after).contains("chaîne intacte"));

    // Finding 6 (the web side; the property test is in analytics): two consecutive dates
    // give the establishment the same peer figures.
    let peers = |date: &str| {
        let (_, _, body) = server.get_with(Some(etablissement), &format!("/api/etablissements/{own}?date={date}"));
        let fiche: serde_json::Value = serde_json::from_slice(&body).unwrap();
        (fiche["benchmarks"].clone(), fiche["peers_as_of"].clone())
    };
    let (day_one, snapshot) = peers("2023-02-19");
    assert_eq!(snapshot, "2022-12-31");
    assert_eq!(peers("2023-02-20").0, day_one);

    // Finding 10, smaller points.
    // A page number past any page, and one that is not a number: French answers, no panic.
    assert_eq!(status(ars, "/etablissements?page=18446744073709551615"), 200);
    let (code, _, body) = server.get_with(Some(ars), "/etablissements?page=abc");
    let body = String::from_utf8(body).unwrap();
    assert_eq!(code, 400);
    assert!(
        body.contains("paramètres de l'adresse illisibles") && !body.contains("Failed to deserialize"),
        "{body}"
    );
    // API errors in JSON.
    let (code, content_type, body) = server.get_with(Some(ars), "/api/etablissements/000000000");
    assert_eq!(code, 404);
    assert!(content_type.starts_with("application/json"), "{content_type}");
    let error: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert!(error["erreur"].as_str().unwrap().contains("inconnu"), "{error}");
    let (code, content_type, _) = server.get_with(Some(sesan), "/api/qualite");
    assert_eq!((code, content_type.starts_with("application/json")), (403, true));
    let (code, content_type, _) = server.get_with(None, "/api/regional");
    assert_eq!((code, content_type.starts_with("application/json")), (401, true));
    // The login form is protected against CSRF: a post without the form's token is refused.
    let (code, _) = server.post_with(
        None,
        "/connexion",
        "application/x-www-form-urlencoded",
        format!("identifiant=analyste&mot_de_passe={}", encode(PASSWORD)).into_bytes(),
    );
    assert_eq!(code, 403);
    // The Parquet export's temporary file was predictable (temp folder, process id, a
    // counter): a local user could plant a link there and have the server overwrite any file
    // it may write. Links planted at every such name are left alone.
    let victim = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(victim.path(), "ne pas écraser").unwrap();
    let planted: Vec<std::path::PathBuf> = (0..8)
        .map(|n| std::env::temp_dir().join(format!("opssies-export-{}-{n}.parquet", server.pid())))
        .collect();
    for link in &planted {
        let _ = std::fs::remove_file(link);
        std::os::unix::fs::symlink(victim.path(), link).unwrap();
    }
    let (code, _, parquet) = server.get_with(Some(ars), "/export/etablissements?format=parquet");
    assert_eq!(code, 200);
    assert_eq!(&parquet[..4], b"PAR1");
    assert_eq!(std::fs::read_to_string(victim.path()).unwrap(), "ne pas écraser");
    for link in &planted {
        let _ = std::fs::remove_file(link);
    }

    // An import through the page: its audit row has the address.
    let token = server.csrf_token(ars, "/import", "/import");
    let body = "--f\r\nContent-Disposition: form-data; name=\"fichiers\"; filename=\"ose.csv\"\r\nContent-Type: text/csv\r\n\r\nfiness_et;finess_ej;ght;ose\r\n750000000;;;Non\r\n\r\n--f--\r\n";
    let (code, _) = server.post_with(
        Some(ars),
        &format!("/import?csrf={token}"),
        "multipart/form-data; boundary=f",
        body.as_bytes().to_vec(),
    );
    assert_eq!(code, 200);
    let import = journal(&server, admin).into_iter().find(|r| r[5] == "import").unwrap();
    assert_eq!((import[2].as_str(), import[4].as_str()), ("analyste", "127.0.0.1"));
}

fn login_name(role: &str) -> &'static str {
    match role {
        "ars" => "analyste",
        "sesan" => "sesan",
        "etablissement" => "etablissement",
        _ => "admin",
    }
}

/// The whole journal as the admin exports it: one row per line, columns as exported.
fn journal(server: &Server, admin: &str) -> Vec<Vec<String>> {
    let (code, _, body) = server.get_with(Some(admin), "/export/journal?format=csv-rfc4180");
    assert_eq!(code, 200);
    let mut reader = csv::Reader::from_reader(body.as_slice());
    reader
        .records()
        .map(|record| record.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn journal_rows_of(server: &Server, admin: &str, keep: impl Fn(&Vec<String>) -> bool) -> usize {
    journal(server, admin).iter().filter(|row| keep(row)).count()
}

/// Finding 8: throttling was a per-request sleep (ten parallel guesses waited together) that a
/// successful login reset for the whole address.
#[test]
fn login_attempts_are_rate_limited_per_account_and_per_address() {
    let server = Server::start();
    // Ten parallel guesses at one account: the account's limit (5 in the window) holds for
    // parallel guesses as for sequential ones, and nobody waits.
    let started = std::time::Instant::now();
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..10)
            .map(|_| scope.spawn(|| server.login_attempt("sesan", "pas le bon mot de passe").0))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 5, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 5, "{statuses:?}");
    // Locked for the window, even with the right password; the answer says so in French.
    assert_eq!(server.login_attempt("sesan", PASSWORD).0, 429);
    // Another account's success does not reopen anything: the address keeps its count. The
    // address allows 30 attempts in the window.
    assert!(server.login("analyste", PASSWORD).is_some());
    let mut refused_at = None;
    for attempt in 0..40 {
        let (status, _) = server.login_attempt(&format!("compte-{attempt}"), "mauvais mot de passe");
        if status == 429 {
            refused_at = Some(attempt);
            break;
        }
        assert_eq!(status, 401);
    }
    // 5 attempts of the address counted above (refused ones and successes are not): 25
    // more, then refused.
    assert_eq!(refused_at, Some(25));
}
