//! The web application, served for real on a random port over a generated region: each
//! page shows what the data says, names are text not markup, and every export reads back
//! to what the page shows.

#![allow(clippy::unwrap_used)]

mod common;

use calamine::Reader;
use common::{DATE, Server, encode};
use serde_json::Value;

#[test]
fn pages_show_the_data_and_exports_read_back() {
    let server = Server::start();
    let truths = &server.manifest.truths;

    // Every page of the navigation answers with its title.
    for (path, title) in [
        ("/", "Vue régionale"),
        ("/etablissements", "Établissements"),
        ("/ciblage", "Ciblage SESAN"),
        ("/exercices", "Exercices"),
        ("/audits", "Audits"),
        ("/aap", "AAP"),
        ("/qualite", "Qualité des données"),
        ("/import", "Import"),
        ("/methodologie", "Méthodologie"),
        ("/ressources", "Ressources et contacts"),
    ] {
        let page = server.page(&format!("{path}?date={DATE}").replace("/import?date=2026-11-29", "/import"));
        assert!(page.contains(&format!("<h1>{title}</h1>")), "{path}");
        assert!(page.contains("lang=\"fr\""), "{path}");
    }

    // The regional figures are the generator's: establishments, and ES with an exercise.
    let regional = server.json(&format!("/api/regional?date={DATE}"));
    assert_eq!(
        regional["headline"]["establishments"].as_u64().unwrap(),
        truths.region_es + truths.region_esms
    );
    let es = server.json(&format!("/api/regional?date={DATE}&type=ES"));
    let done = truths.exercise_status.counts["realise"];
    assert_eq!(es["headline"]["exercise_done"].as_u64().unwrap(), done);
    let page = server.page(&format!("/?date={DATE}&type=ES"));
    assert!(page.contains("<svg"), "charts are inline SVG");
    assert!(page.contains("Données du graphique"));

    // The map: the eight départements of the settings' region shaded, and one point per ES
    // with coordinates, green exactly for those with an exercise in 12 months.
    let start = page.find("aria-label=\"Carte : exercice réalisé en 12 mois\"").unwrap();
    let map = &page[start..start + page[start..].find("CC BY 4.0</text></svg>").unwrap()];
    assert_eq!(map.matches("<title>").count(), 8, "the region's eight départements");
    let copy = ingest::store::snapshot::default_path(&server.store_path);
    let located: std::collections::HashSet<String> = duckdb::Connection::open_with_flags(
        &copy,
        duckdb::Config::default()
            .access_mode(duckdb::AccessMode::ReadOnly)
            .unwrap(),
    )
    .unwrap()
    .prepare("SELECT finess_et FROM establishments WHERE lambert93_x IS NOT NULL AND lambert93_y IS NOT NULL")
    .unwrap()
    .query_map([], |row| row.get(0))
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap();
    let sites = server.json(&format!("/api/etablissements?date={DATE}&type=ES"));
    let sites = sites.as_array().unwrap();
    let on_map = |done: bool| {
        sites
            .iter()
            .filter(|site| (site["exercise_status"] == "réalisé") == done)
            .filter(|site| located.contains(site["finess_et"].as_str().unwrap()))
            .count()
    };
    // Each kind of point once more in the legend.
    assert_eq!(map.matches("fill=\"#18753c\"").count(), on_map(true) + 1);
    assert_eq!(map.matches("stroke=\"#b3261e\"").count(), on_map(false) + 1);
    assert!(on_map(true) > 50 && on_map(true) as u64 <= done);

    // The heat map groups the ES by département: every ES once, months within each size,
    // and every ES with an exercise in 12 months has one in one of the last 12 months.
    let heat = server.json(&format!("/api/exercices?date={DATE}"));
    assert_eq!(heat["grouped_by"], "departements");
    let groups = heat["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 8);
    let size: u64 = groups.iter().map(|g| g["establishments"].as_u64().unwrap()).sum();
    assert_eq!(size, truths.region_es);
    let mut last_twelve = 0;
    for group in groups {
        let done: Vec<u64> = group["done"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_u64().unwrap())
            .collect();
        assert_eq!(done.len(), 24);
        assert!(done.iter().all(|n| *n <= group["establishments"].as_u64().unwrap()));
        last_twelve += done[12..].iter().sum::<u64>();
    }
    assert!(last_twelve >= done, "{last_twelve} site-months for {done} sites");
    // Within one département, by family, down to the list of each.
    let paris = server.json(&format!("/api/exercices?date={DATE}&departement=75"));
    assert_eq!(paris["grouped_by"], "families");
    let exercices = server.page(&format!("/exercices?date={DATE}"));
    assert!(
        exercices.contains("href=\"/etablissements?date=2026-11-29&amp;departement=75\""),
        "a link down to Paris's list"
    );

    // Names with markup are text everywhere: list, fiche, exports.
    for named in &truths.tricky_names {
        let page = server.page(&format!("/etablissements?date={DATE}&q={}", encode(&named.finess)));
        assert!(!page.contains("<script>alert"), "{}", named.name);
        let fiche = server.page(&format!("/etablissements/{}?date={DATE}", named.finess));
        assert!(!fiche.contains("<script>alert"));
        assert!(!fiche.contains("& <SAINT"), "an ampersand is escaped");
    }
    let script = truths
        .tricky_names
        .iter()
        .find(|n| n.name.contains("<script>"))
        .unwrap();
    let fiche = server.page(&format!("/etablissements/{}?date={DATE}", script.finess));
    assert!(
        fiche.contains("&lt;script&gt;alert('opssies')&lt;/script&gt;")
            || fiche.contains("&lt;script&gt;alert(&#39;opssies&#39;)&lt;/script&gt;"),
        "{fiche}"
    );

    // A planted OSE without an ADS audit in 12 months is listed on the audits page.
    if let Some(finess) = truths.ose_missing_ads.finess.first() {
        let page = server.page(&format!("/audits?date={DATE}"));
        assert!(page.contains(&format!("/etablissements/{finess}")), "{finess}");
    }

    // The AAP page shows the envelope committed by the generator's queue.
    let aap = server.page(&format!("/aap?date={DATE}"));
    assert!(
        aap.contains(&format!("{}\u{202f}000\u{a0}€", truths.aap.committed_euros / 1000)),
        "committed"
    );

    // Exports of the ES list: the same establishments as the page's data, in each format.
    let api: Vec<Value> =
        serde_json::from_value(server.json(&format!("/api/etablissements?date={DATE}&type=ES"))).unwrap();
    let mut expected: Vec<String> = api
        .iter()
        .map(|row| row["finess_et"].as_str().unwrap().to_owned())
        .collect();
    expected.sort();
    assert_eq!(expected.len() as u64, truths.region_es);

    let (status, content_type, csv) = server.get(&format!("/export/etablissements?date={DATE}&type=ES&format=csv"));
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/csv"));
    assert!(csv.starts_with(&[0xEF, 0xBB, 0xBF]), "BOM for Excel");
    let mut reader = csv::ReaderBuilder::new().delimiter(b';').from_reader(&csv[3..]);
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "finess_et");
    let maturity_column = headers.iter().position(|h| h == "maturite").unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let mut got: Vec<String> = records.iter().map(|r| r[0].to_owned()).collect();
    got.sort();
    assert_eq!(got, expected);
    // Decimal commas, the page's value to one decimal.
    let first = &api[0];
    let record = records
        .iter()
        .find(|r| &r[0] == first["finess_et"].as_str().unwrap())
        .unwrap();
    if let Some(maturity) = first["maturity"].as_f64() {
        assert_eq!(
            record[maturity_column].replace(',', ".").parse::<f64>().unwrap(),
            (maturity * 10.0).round() / 10.0
        );
    }

    let (_, _, rfc) = server.get(&format!(
        "/export/etablissements?date={DATE}&type=ES&format=csv-rfc4180"
    ));
    let mut reader = csv::ReaderBuilder::new().from_reader(rfc.as_slice());
    assert_eq!(reader.records().count() as u64, truths.region_es);

    let (_, content_type, xlsx) = server.get(&format!("/export/etablissements?date={DATE}&type=ES&format=xlsx"));
    assert!(content_type.contains("spreadsheetml"));
    let mut workbook = calamine::Xlsx::new(std::io::Cursor::new(xlsx)).unwrap();
    let range = workbook.worksheet_range("etablissements").unwrap();
    assert_eq!(range.height() as u64, truths.region_es + 1);
    let mut from_xlsx: Vec<String> = range.rows().skip(1).map(|row| row[0].to_string()).collect();
    from_xlsx.sort();
    assert_eq!(from_xlsx, expected);
    // Dates are date cells, not text.
    let date_column = range
        .rows()
        .next()
        .unwrap()
        .iter()
        .position(|cell| *cell == "derniere_declaration")
        .unwrap();
    assert!(
        range
            .rows()
            .skip(1)
            .any(|row| matches!(row[date_column], calamine::Data::DateTime(_)))
    );

    let (_, _, parquet) = server.get(&format!("/export/etablissements?date={DATE}&type=ES&format=parquet"));
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), &parquet).unwrap();
    let connection = duckdb::Connection::open_in_memory().unwrap();
    let (count, distinct): (i64, i64) = connection
        .query_row(
            &format!(
                "SELECT count(*), count(DISTINCT finess_et) FROM read_parquet('{}')",
                file.path().display()
            ),
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert_eq!((count as u64, distinct as u64), (truths.region_es, truths.region_es));

    // Unknown page, bad filter, bad export format: French answers, not crashes.
    assert_eq!(server.get("/nimporte-quoi").0, 404);
    assert_eq!(server.get("/?type=XX").0, 400);
    assert_eq!(server.get("/export/etablissements?format=pdf").0, 400);
    assert_eq!(server.get("/etablissements/750000000").0, 404);
    // The OpenAPI document names every API path.
    let openapi = server.json("/api/openapi.json");
    for path in ["/api/regional", "/api/etablissements", "/api/aap"] {
        assert!(openapi["paths"].get(path).is_some(), "{path}");
    }

    // The call's queue, 50 applications a page, sortable: the caption counts them all and the
    // last page is the ceiling of that count over 50.
    let aap: Value = server.json(&format!("/api/aap?date={DATE}"));
    let applications = aap["applications"].as_array().map_or(0, Vec::len);
    let pages = applications.div_ceil(50).max(1);
    let (status, _, body) = server.get_with(Some(&server.cookie), &format!("/aap?date={DATE}&tri=rang&page={pages}"));
    let page = String::from_utf8(body).unwrap();
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!(
            "{applications} dossiers et leurs contrôles 1 à 7 ; page {pages} sur {pages}"
        )),
        "{applications} {pages}"
    );

    // A legal entity with several sites: sent to the list of its sites, each with its
    // statuses, the entity's expectations counted over all of them, each site's fiche open.
    let (entity, sites) = server.legal_entity.clone();
    let cookie = server.login("entite", common::PASSWORD).unwrap();
    let response = common::literal_agent()
        .get(&format!("{}/?date={DATE}", server.base))
        .header("cookie", &cookie)
        .call()
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(response.headers().get("location").unwrap(), "/mes-etablissements");
    let (status, _, body) = server.get_with(Some(&cookie), &format!("/mes-etablissements?date={DATE}"));
    assert_eq!(status, 200);
    let page = String::from_utf8(body).unwrap();
    assert!(
        page.contains(&format!("entité juridique <strong>{entity}</strong>")),
        "{page:.400}"
    );
    for site in &sites {
        assert!(page.contains(&format!("href=\"/etablissements/{site}\"")), "{site}");
        assert_eq!(
            server
                .get_with(Some(&cookie), &format!("/etablissements/{site}?date={DATE}"))
                .0,
            200
        );
    }
    // Each expectation's row counts every site once: the five numbers of a row add up.
    let counts = page
        .split("<caption>Attentes nationales")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    for row in counts.split("<tr>").skip(2) {
        let total: usize = row
            .split("<td class=\"num\">")
            .skip(1)
            .map(|cell| cell.split('<').next().unwrap().trim().parse::<usize>().unwrap())
            .sum();
        assert_eq!(total, sites.len(), "{row}");
    }
    // The analysts' read copy opens while the server holds the store: the region's sites,
    // no account nor journal nor cache; an import through the server refreshes it.
    let copy = ingest::store::snapshot::default_path(&server.store_path);
    let read_copy = || {
        duckdb::Connection::open_with_flags(
            &copy,
            duckdb::Config::default()
                .access_mode(duckdb::AccessMode::ReadOnly)
                .unwrap(),
        )
        .unwrap()
    };
    let count = |sql: &str| -> i64 { read_copy().query_row(sql, [], |row| row.get(0)).unwrap() };
    assert_eq!(
        count(
            "SELECT count(*) FROM establishments
             WHERE departement IN ('75', '77', '78', '91', '92', '93', '94', '95')"
        ) as u64,
        truths.region_es + truths.region_esms
    );
    assert_eq!(
        count(
            "SELECT count(*) FROM duckdb_tables()
             WHERE table_name IN ('users', 'audit_log', 'user_identities') OR starts_with(table_name, 'analytics_')"
        ),
        0
    );
    let incidents_before = count("SELECT count(*) FROM incidents");
    let quality = server.get_with(Some(&server.cookie), "/qualite").2;
    assert!(String::from_utf8_lossy(&quality).contains("base-lecture.duckdb"));
    let token = server.csrf_token(&server.cookie, "/import", "/import");
    let file = format!(
        "date_declaration;finess_et;type;impact_patient;declare_anssi;notifie_cnil;date_notification_cnil;chiffrement;fuite_donnees\n\
         01/11/2026 10:00;{};Rançongiciel;Non;Non;Non;;Oui;Non\n",
        sites[0]
    );
    let mut body = b"--frontiere\r\nContent-Disposition: form-data; name=\"fichiers\"; filename=\"incident-nouveau.csv\"\r\nContent-Type: text/csv\r\n\r\n".to_vec();
    body.extend_from_slice(file.as_bytes());
    body.extend_from_slice(b"\r\n--frontiere--\r\n");
    let (status, answer) = server.post_with(
        Some(&server.cookie),
        &format!("/import?csrf={token}"),
        "multipart/form-data; boundary=frontiere",
        body,
    );
    assert_eq!(status, 200, "{answer}");
    assert!(answer.contains("enregistré"), "{answer}");
    assert_eq!(count("SELECT count(*) FROM incidents"), incidents_before + 1);

    // Another entity's site is not its own.
    let foreign = truths
        .tricky_names
        .iter()
        .map(|named| named.finess.clone())
        .find(|finess| !sites.contains(finess))
        .unwrap();
    assert_eq!(
        server
            .get_with(Some(&cookie), &format!("/etablissements/{foreign}?date={DATE}"))
            .0,
        404
    );
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let mut server = Server::start();
    assert_eq!(server.get("/sante").0, 200);
    assert_eq!(server.terminate(), Some(0), "the server exits with 0 on SIGTERM");
}
