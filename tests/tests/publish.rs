//! `opssies publish` on the generated region, run as a user would: one one-page PDF per
//! establishment whose text says who it is and the five expectations, an XLSX that reads
//! back with typed cells, a manifest whose checksums hold, the same bytes twice, nothing red.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use calamine::{Data, Reader, Xlsx};
use serde_json::Value;

fn publish(store: &Path, out: &Path) -> (String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_opssies-e2e"))
        .env_remove("OPSSIES_STORE")
        .args([
            "publish",
            "--store",
            store.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .args(["--as-of", "2026-11-29"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn poppler(tool: &str, file: &Path) -> String {
    let output = Command::new(tool)
        .arg(file)
        .args(if tool == "pdftotext" { &["-"][..] } else { &[] })
        .output();
    let output = output.unwrap_or_else(|error| panic!("{tool} ({error}): apt install poppler-utils"));
    assert!(output.status.success(), "{tool} {}", file.display());
    String::from_utf8(output.stdout).unwrap()
}

#[test]
#[cfg_attr(
    not(pdf_test),
    ignore = "pdfinfo and pdftotext are missing (apt install poppler-utils)"
)]
fn the_monthly_pack_has_a_one_page_fiche_per_establishment_and_typed_tables() {
    let directory = tempfile::tempdir().unwrap();
    let (store, manifest) = common::region_store(directory.path());
    let out = directory.path().join("dossier-2026-11");
    let (said, _) = publish(&store, &out);

    // The XLSX: one sheet per table, cells typed.
    let mut workbook: Xlsx<_> = calamine::open_workbook(out.join("rapport-regional.xlsx")).unwrap();
    assert_eq!(
        workbook.sheet_names(),
        [
            "Vue régionale",
            "Établissements",
            "Ciblage",
            "Exercices",
            "Audits",
            "AAP"
        ]
    );
    let sites = workbook.worksheet_range("Établissements").unwrap();
    let header: Vec<String> = sites
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|cell| cell.to_string())
        .collect();
    let column = |name: &str| header.iter().position(|title| title == name).unwrap();
    let rows: Vec<&[Data]> = sites.rows().skip(1).collect();
    assert!(rows.len() > 1000, "{}", rows.len());
    let mut names = BTreeMap::new();
    for row in &rows {
        names.insert(
            row[column("finess_et")].to_string(),
            row[column("etablissement")].to_string(),
        );
        assert!(
            matches!(row[column("priorite")], Data::Float(_)),
            "{:?}",
            row[column("priorite")]
        );
        assert!(matches!(
            row[column("derniere_declaration")],
            Data::DateTime(_) | Data::Empty
        ));
        assert!(
            matches!(row[column("completude")], Data::Float(share) if (0.0..=1.0).contains(&share))
                || row[column("completude")] == Data::Empty
        );
    }
    assert!(
        rows.iter()
            .any(|row| matches!(row[column("derniere_declaration")], Data::DateTime(_))),
        "dates are dates"
    );
    let departements = workbook.worksheet_range("Vue régionale").unwrap();
    let share = departements.rows().nth(1).unwrap()[4].clone();
    assert!(
        matches!(share, Data::Float(value) if (0.0..=1.0).contains(&value)),
        "{share:?}"
    );

    // One PDF per establishment of the sheet, one A4 page each, its text searchable. The
    // fiches are joined in one file (pdfunite): as many pages as files means one page each
    // (a PDF has at least one), and the joined text has one page per fiche, in order.
    let mut fiches: Vec<_> = std::fs::read_dir(out.join("fiches"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    fiches.sort();
    assert_eq!(fiches.len(), names.len(), "{said}");
    let joined = directory.path().join("toutes-les-fiches.pdf");
    let united = Command::new("pdfunite").args(&fiches).arg(&joined).status().unwrap();
    assert!(united.success());
    let info = poppler("pdfinfo", &joined);
    let pages = format!("{}", fiches.len());
    assert!(
        info.lines()
            .any(|line| line.split_whitespace().eq(["Pages:", pages.as_str()])),
        "{info}"
    );
    assert!(info.contains("595 x 842 pts (A4)"), "{info}");
    let text = poppler("pdftotext", &joined);
    let pages: Vec<&str> = text.split('\u{c}').collect();
    for (fiche, page) in fiches.iter().zip(&pages) {
        let finess = fiche.file_stem().unwrap().to_str().unwrap();
        let flat = page.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(&format!("FINESS ET {finess}")), "{flat:.400}");
        let name = names[finess].split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(&name), "{name} in {flat:.400}");
        for expectation in [
            "E1 Exercice de crise annuel",
            "E2 Audits",
            "E3 Observatoire à jour",
            "E4 Sensibilisation",
            "E5 Cartographie",
        ] {
            assert!(flat.contains(expectation), "{finess}: {expectation}");
        }
        assert!(flat.contains("TLP:AMBER"));
    }

    // No red data: a red event of a site is not on its fiche (the pack is amber).
    for red in &manifest.truths.red_events {
        let text = poppler("pdftotext", &out.join(format!("fiches/{}.pdf", red.finess)));
        assert!(
            !text.contains(&red.date.format("%d/%m/%Y").to_string()),
            "{red:?} on its fiche"
        );
    }

    // The manifest's checksums hold, and the same date and data give the same files.
    let listed: Value = serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let files = listed["fichiers"].as_array().unwrap();
    assert_eq!(files.len(), fiches.len() + 2);
    for file in files.iter().step_by(97) {
        let bytes = std::fs::read(out.join(file["fichier"].as_str().unwrap())).unwrap();
        let digest = Command::new("sha256sum")
            .arg(out.join(file["fichier"].as_str().unwrap()))
            .output()
            .unwrap();
        assert!(String::from_utf8_lossy(&digest.stdout).starts_with(file["sha256"].as_str().unwrap()));
        assert_eq!(file["octets"], bytes.len());
    }
    let again = directory.path().join("encore");
    publish(&store, &again);
    assert_eq!(
        std::fs::read(out.join("manifest.json")).unwrap(),
        std::fs::read(again.join("manifest.json")).unwrap()
    );
    // With the server holding the store (the monthly timer runs beside it), the pack comes
    // from its read copy: the same bytes.
    let (mut server, _) = common::serve(&store, "127.0.0.1:0", None);
    let beside = directory.path().join("pendant-le-serveur");
    let (_, told) = publish(&store, &beside);
    assert!(told.contains("copie de lecture"), "{told}");
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(
        std::fs::read(out.join("manifest.json")).unwrap(),
        std::fs::read(beside.join("manifest.json")).unwrap()
    );
    let summary = poppler("pdftotext", &out.join("synthese-regionale.pdf"));
    assert!(
        summary.contains("Synthèse régionale — Île-de-France") && summary.contains("Par département"),
        "{summary:.500}"
    );
}
