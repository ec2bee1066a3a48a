//! Who may see what: every route of the router for anonymous visitors and each role, an
//! establishment's own data versus another's, TLP:RED, CSRF, sessions, throttling, headers,
//! hostile uploads and filters.

#![allow(clippy::unwrap_used)]

mod common;

use common::{DATE, PASSWORD, Server, encode, literal_agent};
use dashboard::web::ROUTES;
use dashboard::web::routes::Method;

fn concrete(path: &str, finess: &str) -> String {
    path.replace("{finess}", finess)
}

#[test]
fn every_route_is_guarded_and_each_role_sees_its_share() {
    let server = Server::start();
    let own = server.establishment_site.clone();
    let other = server.other_site();

    // Anonymous: every route but the login page, the health check and the stylesheet is
    // refused without data.
    for route in ROUTES.iter().filter(|r| r.method == Method::Get) {
        let path = concrete(route.path, &own);
        let (status, _, body) = server.get_with(None, &path);
        let public = matches!(
            route.path,
            "/connexion" | "/sante" | "/static/style.css" | "/static/import.js"
        );
        if public {
            assert_eq!(status, 200, "{path}");
        } else {
            let body = String::from_utf8_lossy(&body);
            assert!(status == 401 || body.contains("Connexion"), "{path}: {status}");
            assert!(!body.contains(&own), "{path} leaks data");
        }
    }

    let etablissement = server.login("etablissement", PASSWORD).unwrap();
    let sesan = server.login("sesan", PASSWORD).unwrap();
    let admin = server.login("admin", PASSWORD).unwrap();
    let as_role = |cookie: &str, path: &str| server.get_with(Some(cookie), path).0;

    // An establishment: its own fiche and data, nobody else's, no regional page.
    assert_eq!(
        as_role(&etablissement, &format!("/etablissements/{own}?date={DATE}")),
        200
    );
    assert_eq!(
        as_role(&etablissement, &format!("/api/etablissements/{own}?date={DATE}")),
        200
    );
    assert_eq!(
        as_role(&etablissement, &format!("/etablissements/{other}?date={DATE}")),
        404
    );
    assert_eq!(
        as_role(&etablissement, &format!("/api/etablissements/{other}?date={DATE}")),
        404
    );
    for path in [
        "/ciblage",
        "/aap",
        "/exercices",
        "/audits",
        "/qualite",
        "/import",
        "/etablissements",
        "/api/regional",
        "/api/ciblage",
        "/export/ciblage?format=csv",
    ] {
        assert_eq!(as_role(&etablissement, path), 403, "{path}");
    }
    let (_, _, export) = server.get_with(
        Some(&etablissement),
        &format!("/export/etablissements?date={DATE}&format=csv-rfc4180"),
    );
    let export = String::from_utf8(export).unwrap();
    assert!(export.contains(&own) && !export.contains(&other), "own rows only");
    // SESAN: no import, no data-quality page, no Parquet, no amounts.
    assert_eq!(as_role(&sesan, "/import"), 403);
    assert_eq!(
        as_role(&sesan, &format!("/export/etablissements?date={DATE}&format=parquet")),
        403
    );
    let (status, _, aap) = server.get_with(Some(&sesan), &format!("/aap?date={DATE}"));
    assert_eq!(status, 200);
    assert!(!String::from_utf8(aap).unwrap().contains("Engagé"));
    assert_eq!(as_role(&sesan, &format!("/ciblage?date={DATE}")), 200);
    // Admin: imports and data quality, not establishments' data.
    assert_eq!(as_role(&admin, "/qualite"), 200);
    assert_eq!(as_role(&admin, &format!("/etablissements/{own}")), 403);
    assert_eq!(as_role(&admin, "/api/etablissements"), 403);

    // TLP:RED: the establishment's own incident is in its fiche, in nobody else's view.
    let red = server.manifest.truths.red_events.first().unwrap();
    let date = red.date;
    let (_, _, mine) = server.get_with(Some(&etablissement), &format!("/api/etablissements/{own}?date={date}"));
    assert!(String::from_utf8(mine).unwrap().contains("\"tlp\":\"red\""));
    let (_, _, theirs) = server.get_with(Some(&server.cookie), &format!("/api/etablissements/{own}?date={date}"));
    assert!(!String::from_utf8(theirs).unwrap().contains("\"tlp\":\"red\""));
    let (_, _, page) = server.get_with(Some(&server.cookie), &format!("/etablissements/{own}?date={date}"));
    assert!(!String::from_utf8(page).unwrap().contains("<td>red</td>"));
}

#[test]
fn sessions_csrf_throttling_headers_and_hostile_input() {
    let server = Server::start();

    // Security headers on every route, pages and errors alike.
    for path in ["/", "/connexion", "/static/style.css", "/n-existe-pas", "/api/regional"] {
        let agent = literal_agent();
        let response = agent
            .get(&format!("{}{path}", server.base))
            .header("cookie", &server.cookie)
            .call()
            .unwrap();
        let csp = response
            .headers()
            .get("content-security-policy")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        assert!(
            csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(
            response.headers().get("x-content-type-options").unwrap(),
            "nosniff",
            "{path}"
        );
        assert!(response.headers().get("referrer-policy").is_some(), "{path}");
    }

    // The same answer for an unknown account and a wrong password (the rate limit is in
    // rights.rs).
    let wrong = |name: &str| {
        let (form_cookie, token) = server.login_form();
        let (status, body) = server.post_with(
            Some(&form_cookie),
            "/connexion",
            "application/x-www-form-urlencoded",
            format!("identifiant={name}&mot_de_passe=nimportequoi-123&jeton={token}").into_bytes(),
        );
        // The form's token differs at every answer; the rest is the same.
        (status, body.replace(&token, ""))
    };
    let (unknown_status, unknown_body) = wrong("personne");
    let (wrong_status, wrong_body) = wrong("sesan");
    assert_eq!(unknown_status, 401);
    assert_eq!(unknown_status, wrong_status);
    assert!(
        unknown_body.contains("Identifiant ou mot de passe incorrect")
            && wrong_body.contains("Identifiant ou mot de passe incorrect")
    );

    // Session fixation: a cookie chosen before login is replaced by a new id.
    let agent = literal_agent();
    let (form_cookie, token) = server.login_form();
    let response = agent
        .post(&format!("{}/connexion", server.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .header(
            "cookie",
            &format!("opssies_session=fixe-par-un-attaquant; {form_cookie}"),
        )
        .send(format!(
            "identifiant=analyste&mot_de_passe={}&jeton={token}",
            encode(PASSWORD)
        ))
        .unwrap();
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("opssies_session="))
        .unwrap()
        .to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    let fresh = cookie.split(';').next().unwrap().to_owned();
    assert_ne!(fresh, "opssies_session=fixe-par-un-attaquant");
    assert_eq!(
        server
            .get_with(Some("opssies_session=fixe-par-un-attaquant"), "/api/regional")
            .0,
        401
    );

    // CSRF: a state-changing request without the session's token is refused.
    let (status, _) = server.post_with(
        Some(&fresh),
        "/deconnexion",
        "application/x-www-form-urlencoded",
        Vec::new(),
    );
    assert_eq!(status, 403);
    let (status, _) = server.post_with(
        Some(&fresh),
        "/import",
        "multipart/form-data; boundary=x",
        b"--x--\r\n".to_vec(),
    );
    assert_eq!(status, 403);

    // An upload named ../../etc/passwd is only a name: imported under "passwd", nothing written.
    let token = server.csrf_token(&fresh, "/import", "/import");
    let body = "--frontiere\r\nContent-Disposition: form-data; name=\"fichiers\"; filename=\"../../etc/passwd\"\r\nContent-Type: text/csv\r\n\r\nfiness_et;finess_ej;ght;ose\r\n750000000;;;Non\r\n\r\n--frontiere--\r\n";
    let (status, report) = server.post_with(
        Some(&fresh),
        &format!("/import?csrf={token}"),
        "multipart/form-data; boundary=frontiere",
        body.as_bytes().to_vec(),
    );
    assert_eq!(status, 200, "{report}");
    assert!(
        report.contains("<h2>passwd</h2>") && !report.contains("../"),
        "{report}"
    );
    // Too large: refused with a French message.
    let large = format!(
        "--frontiere\r\nContent-Disposition: form-data; name=\"fichiers\"; filename=\"gros.csv\"\r\n\r\n{}\r\n--frontiere--\r\n",
        "x".repeat(201 * 1024 * 1024)
    );
    let (status, _) = server.post_with(
        Some(&fresh),
        &format!("/import?csrf={token}"),
        "multipart/form-data; boundary=frontiere",
        large.into_bytes(),
    );
    assert!(status == 413 || status == 400, "{status}");

    // SQL in filters is a value, never SQL: no error, no extra rows.
    let all = server
        .json(&format!("/api/etablissements?date={DATE}"))
        .as_array()
        .unwrap()
        .len();
    for hostile in ["' OR 1=1 --", "75'; DROP TABLE events; --", "%", "_", "\\"] {
        let path = format!(
            "/api/etablissements?date={DATE}&q={}&departement={}",
            encode(hostile),
            encode(hostile)
        );
        let rows = server.json(&path);
        assert!(rows.as_array().unwrap().len() < all, "{hostile}");
        for parameter in ["famille", "secteur", "raison"] {
            let rows = server.json(&format!(
                "/api/etablissements?date={DATE}&{parameter}={}",
                encode(hostile)
            ));
            assert!(rows.as_array().unwrap().len() < all, "{parameter}={hostile}");
        }
        assert_eq!(
            server
                .get(&format!("/etablissements?date={DATE}&q={}", encode(hostile)))
                .0,
            200
        );
    }
    assert_eq!(
        server
            .json(&format!("/api/etablissements?date={DATE}"))
            .as_array()
            .unwrap()
            .len(),
        all
    );

    // Logout destroys the session: the old cookie is worthless afterwards.
    let token = server.csrf_token(&fresh, "/ressources", "/deconnexion");
    let (status, _) = server.post_with(
        Some(&fresh),
        &format!("/deconnexion?csrf={token}"),
        "application/x-www-form-urlencoded",
        Vec::new(),
    );
    assert_eq!(status, 303);
    assert_eq!(server.get_with(Some(&fresh), "/api/regional").0, 401);
}

/// The expected status of every route for each viewer, written by hand from the spec's
/// role table (not derived from the code under test).
#[test]
fn the_route_table_answers_as_the_roles_say() {
    let server = Server::start();
    let own = server.establishment_site.clone();
    let other = server.other_site();
    // (path, anonymous, ars, sesan, etablissement, admin)
    let table: Vec<(String, [u16; 5])> = vec![
        ("/".to_owned(), [303, 200, 200, 303, 303]),
        ("/etablissements".to_owned(), [303, 200, 200, 403, 403]),
        (format!("/etablissements/{own}"), [303, 200, 200, 200, 403]),
        (format!("/etablissements/{other}"), [303, 200, 200, 404, 403]),
        ("/mes-etablissements".to_owned(), [303, 403, 403, 200, 403]),
        ("/ciblage".to_owned(), [303, 200, 200, 403, 403]),
        ("/exercices".to_owned(), [303, 200, 200, 403, 403]),
        ("/audits".to_owned(), [303, 200, 200, 403, 403]),
        ("/aap".to_owned(), [303, 200, 200, 403, 403]),
        ("/qualite".to_owned(), [303, 200, 403, 403, 200]),
        ("/import".to_owned(), [303, 200, 403, 403, 200]),
        ("/journal".to_owned(), [303, 403, 403, 403, 200]),
        ("/export/journal?format=csv".to_owned(), [401, 403, 403, 403, 200]),
        ("/methodologie".to_owned(), [303, 200, 200, 200, 200]),
        ("/ressources".to_owned(), [303, 200, 200, 200, 200]),
        (
            "/export/etablissements?format=csv".to_owned(),
            [401, 200, 200, 200, 403],
        ),
        ("/export/rejets?format=csv".to_owned(), [401, 200, 403, 403, 200]),
        ("/export/ciblage?format=csv".to_owned(), [401, 200, 200, 403, 403]),
        ("/export/aap?format=csv".to_owned(), [401, 200, 200, 403, 403]),
        ("/export/departements?format=csv".to_owned(), [401, 200, 200, 403, 403]),
        ("/api/regional".to_owned(), [401, 200, 200, 403, 403]),
        ("/api/etablissements".to_owned(), [401, 200, 200, 403, 403]),
        ("/api/ciblage".to_owned(), [401, 200, 200, 403, 403]),
        ("/api/exercices".to_owned(), [401, 200, 200, 403, 403]),
        ("/api/aap".to_owned(), [401, 200, 200, 403, 403]),
        ("/api/qualite".to_owned(), [401, 200, 403, 403, 200]),
        ("/api/methodologie".to_owned(), [401, 200, 200, 200, 200]),
        (format!("/api/etablissements/{own}"), [401, 200, 200, 200, 403]),
        (format!("/api/etablissements/{other}"), [401, 200, 200, 404, 403]),
        ("/api/openapi.json".to_owned(), [401, 200, 200, 200, 200]),
        ("/static/style.css".to_owned(), [200, 200, 200, 200, 200]),
        ("/static/import.js".to_owned(), [200, 200, 200, 200, 200]),
        ("/sante".to_owned(), [200, 200, 200, 200, 200]),
        ("/connexion".to_owned(), [200, 200, 200, 200, 200]),
        // No provider on this server: every name is unknown.
        ("/connexion/sso/inconnu".to_owned(), [404, 404, 404, 404, 404]),
    ];
    // Every GET route of the router is in the table: a new route fails here until its
    // rights are written down.
    for route in ROUTES.iter().filter(|r| r.method == Method::Get) {
        let pattern = route.path.split('{').next().unwrap();
        assert!(
            table.iter().any(|(path, _)| if route.path.contains('{') {
                path.starts_with(pattern) && path.len() > pattern.len()
            } else {
                path.split('?').next() == Some(route.path)
            }),
            "route {} missing from the table",
            route.path
        );
    }
    let cookies = [
        None,
        Some(server.cookie.clone()),
        server.login("sesan", PASSWORD),
        server.login("etablissement", PASSWORD),
        server.login("admin", PASSWORD),
    ];
    let agent = literal_agent();
    for (path, expected) in &table {
        for (viewer, cookie) in cookies.iter().enumerate() {
            let mut request = agent.get(&format!("{}{path}", server.base));
            if let Some(cookie) = cookie {
                request = request.header("cookie", cookie);
            }
            let response = request.call().unwrap();
            let status = response.status().as_u16();
            assert_eq!(status, expected[viewer], "{path} for viewer {viewer}");
            // The security headers on every answer, refusals and redirects included.
            let csp = response
                .headers()
                .get("content-security-policy")
                .map(|v| v.to_str().unwrap().to_owned());
            assert!(
                csp.is_some_and(|csp| csp.contains("frame-ancestors 'none'")),
                "{path} for viewer {viewer}"
            );
            assert!(response.headers().get("x-content-type-options").is_some(), "{path}");
        }
    }
    // TLP: the region's viewers count amber, green and clear events, never red; the owner all.
    let seen = |cookie: &str| -> std::collections::BTreeSet<String> {
        let fiche = server
            .get_with(Some(cookie), &format!("/api/etablissements/{own}?date={DATE}"))
            .2;
        let fiche: serde_json::Value = serde_json::from_slice(&fiche).unwrap();
        fiche["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["tlp"].as_str().map(str::to_owned))
            .collect()
    };
    let regional = seen(&server.cookie);
    assert!(!regional.contains("red") && !regional.is_empty(), "{regional:?}");
    assert!(
        regional
            .iter()
            .all(|tlp| ["amber", "green", "clear"].contains(&tlp.as_str()))
    );
    let mine = seen(cookies[3].as_deref().unwrap());
    assert!(mine.contains("red") && mine.is_superset(&regional), "{mine:?}");
    // The logins above are in the audit log the admin reads.
    let journal = server
        .get_with(cookies[4].as_deref(), "/export/journal?format=csv-rfc4180")
        .2;
    let journal = String::from_utf8(journal).unwrap();
    assert!(
        journal.contains("connexion") && journal.contains("etablissement"),
        "{journal}"
    );
}
