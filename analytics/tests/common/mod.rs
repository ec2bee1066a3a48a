//! Tiny hand-made stores: each helper writes one small file in a real input format and
//! imports it, so a test states its case in a few lines and its expected value by hand.

#![allow(dead_code, clippy::unwrap_used)]

use chrono::NaiveDate;
use ingest::finess::luhn_key;
use ingest::{ImportOptions, ImportStatus, Store};

pub fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// A site's indicators as of a date, as a region viewer sees them, with these settings.
pub fn status_with(
    fixture: &Fixture,
    settings: &analytics::Settings,
    as_of: &str,
    site: &str,
) -> analytics::EstablishmentStatus {
    analytics::Analytics::new(fixture.store.connection(), settings)
        .establishments(day(as_of), &analytics::Scope::region(), &analytics::Filter::default())
        .unwrap()
        .into_iter()
        .find(|row| row.finess_et == site)
        .unwrap()
}

/// A valid FINESS in a département (serial on 6 digits, then the Luhn key).
pub fn finess(departement: &str, serial: u32) -> String {
    let body = format!("{departement}{serial:06}");
    format!("{body}{}", luhn_key(&body).unwrap())
}

pub struct Fixture {
    pub store: Store,
    files: usize,
}

impl Fixture {
    pub fn new() -> Self {
        Fixture {
            store: Store::open_in_memory().unwrap(),
            files: 0,
        }
    }

    /// Imports a file written by the test itself (its name tells the kind when needed).
    pub fn import_text(&mut self, name: &str, text: &str) -> &mut Self {
        self.import(name, text);
        self
    }

    fn import(&mut self, name: &str, text: &str) {
        self.import_with(name, text, &ImportOptions::default());
    }

    fn import_with(&mut self, name: &str, text: &str, options: &ImportOptions) {
        self.files += 1;
        let name = format!("{}-{name}", self.files);
        let outcome = self.store.import_bytes(&name, text.as_bytes(), options).unwrap();
        assert_eq!(outcome.status, ImportStatus::Stored, "{name}: {}", outcome.message);
        assert!(
            outcome.diagnostics.rejects.is_empty(),
            "{name}: {:?}",
            outcome.diagnostics.rejects
        );
    }

    /// Sites of the referential: (FINESS ET, département, category code, sector code).
    pub fn sites(&mut self, sites: &[(&str, &str, &str, &str)]) -> &mut Self {
        self.sites_on("2026-01-01", sites)
    }

    /// A FINESS extract of a given date (`aaaa-mm-jj`) holding these sites.
    pub fn sites_on(&mut self, extract_date: &str, sites: &[(&str, &str, &str, &str)]) -> &mut Self {
        let mut text = format!("finess;etalab;1;{extract_date}\n");
        for (et, departement, category, sector) in sites {
            let mut fields = vec![String::new(); 32];
            fields[0] = "structureet".into();
            fields[1] = (*et).to_owned();
            fields[2] = finess(departement, 900_000 + et[3..8].parse::<u32>().unwrap() % 1000);
            fields[3] = format!("SITE {et}");
            fields[13] = (*departement).to_owned();
            fields[14] = format!("DEPARTEMENT {departement}");
            fields[18] = (*category).to_owned();
            fields[26] = (*sector).to_owned();
            text.push_str(&fields.join(";"));
            text.push('\n');
        }
        self.import("etalab.csv", &text);
        self
    }

    pub fn ose(&mut self, sites: &[&str]) -> &mut Self {
        let mut text = String::from("finess_et;finess_ej;ght;ose\n");
        for site in sites {
            text.push_str(&format!("{site};;GHT TEST;Oui\n"));
        }
        self.import("ose.csv", &text);
        self
    }

    /// A declaration in the long layout: (question code, answer) pairs.
    pub fn declaration(
        &mut self,
        site: &str,
        campaign: i32,
        updated_on: &str,
        status: &str,
        answers: &[(&str, &str)],
    ) -> &mut Self {
        self.declaration_with(&ImportOptions::default(), site, campaign, updated_on, status, answers)
    }

    /// A declaration imported with other options (another question catalogue).
    pub fn declaration_with(
        &mut self,
        options: &ImportOptions,
        site: &str,
        campaign: i32,
        updated_on: &str,
        status: &str,
        answers: &[(&str, &str)],
    ) -> &mut Self {
        let mut text = String::from("finess_et;campagne;code_question;reponse;date_maj;statut\n");
        let answers = if answers.is_empty() {
            &[("GOUV-01", "Oui")][..]
        } else {
            answers
        };
        for (code, answer) in answers {
            text.push_str(&format!("{site};{campaign};{code};{answer};{updated_on};{status}\n"));
        }
        self.import_with("osis.csv", &text, options);
        self
    }

    /// An OPSSIES event about a site: type, date kind (7 done, 8 planned), `AAAAMMJJ-HHMMSS`.
    pub fn event(&mut self, site: &str, event_type: u32, date_type: u32, when: &str, tlp: &str) -> &mut Self {
        let text = format!(
            r#"{{"events": {{"event": [{{
                "stakeholders": [{{"stakeholderId": [{{"stakeholderIdType": 2, "__text": "{site}"}}],
                                  "stakeholderNameTypes": [{{"stakeholderNameType": 1, "__text": "SITE {site}"}}],
                                  "stakeholderType": 1, "stakeholderRoleType": 4}}],
                "dates": [{{"dateType": {date_type}, "__text": "{when}"}}],
                "tlp": "{tlp}", "eventType": {event_type}}}]}}}}"#
        );
        self.import("events.json", &text);
        self
    }

    /// Exercise workbook rows (CSV): (site, planned on, completed on), dates `jj/mm/aaaa` or empty.
    pub fn exercises(&mut self, rows: &[(&str, &str, &str)]) -> &mut Self {
        let mut text = String::from("FINESS ET;Date prévue;Date de réalisation;Kit;Annulé\n");
        for (site, planned, done) in rows {
            text.push_str(&format!("{site};{planned};{done};débutant;Non\n"));
        }
        self.import("exercices.csv", &text);
        self
    }

    /// Consolidated self-assessment grids: (site, date, 23 levels 1–3).
    pub fn grids(&mut self, rows: &[(&str, &str, Vec<u8>)]) -> &mut Self {
        let mut text = String::from("finess_et;date");
        for question in 1..=23 {
            text.push_str(&format!(";q{question:02}"));
        }
        text.push('\n');
        for (site, date, levels) in rows {
            text.push_str(&format!("{site};{date}"));
            for level in levels {
                text.push_str(&format!(";{level}"));
            }
            text.push('\n');
        }
        self.import("grilles.csv", &text);
        self
    }

    /// AAP applications (CSV export): (id, site, deposited at, declared OPSSIES update).
    pub fn applications(&mut self, rows: &[(u32, &str, &str, &str)]) -> &mut Self {
        let mut text = String::from(
            "ID;État du dossier;Déposé le;FINESS ET;Score de l'auto-évaluation;Montant de la commande (€);Date de dernière mise à jour OPSSIES;Grille d'auto-évaluation;Bon de commande\n",
        );
        for (id, site, deposited, declared) in rows {
            text.push_str(&format!(
                "{id};en_instruction;{deposited};{site};120;6000;{declared};grille.pdf;commande.pdf\n"
            ));
        }
        self.import("dossiers.csv", &text);
        self
    }

    /// Incident declarations: (declared at, site, leak, CNIL notified at or empty).
    pub fn incidents(&mut self, rows: &[(&str, &str, bool, &str)]) -> &mut Self {
        let mut text = String::from(
            "date_declaration;finess_et;type;impact_patient;declare_anssi;notifie_cnil;date_notification_cnil;chiffrement;fuite_donnees\n",
        );
        for (declared, site, leak, notified) in rows {
            let leak = if *leak { "Oui" } else { "Non" };
            let cnil = if notified.is_empty() { "Non" } else { "Oui" };
            text.push_str(&format!(
                "{declared};{site};Rançongiciel;Non;Non;{cnil};{notified};Oui;{leak}\n"
            ));
        }
        self.import("incidents.csv", &text);
        self
    }
}

impl Fixture {
    /// Incident declarations with the optional TLP column: (declared at, site, TLP cell).
    pub fn incidents_with_tlp(&mut self, rows: &[(&str, &str, &str)]) -> &mut Self {
        let mut text = String::from(
            "date_declaration;finess_et;type;impact_patient;declare_anssi;notifie_cnil;date_notification_cnil;chiffrement;fuite_donnees;tlp\n",
        );
        for (declared, site, tlp) in rows {
            text.push_str(&format!("{declared};{site};Rançongiciel;Non;Non;Non;;Oui;Non;{tlp}\n"));
        }
        self.import("incidents-tlp.csv", &text);
        self
    }
}

/// Every scored question of the demonstration catalogue answered the same way, so that
/// each domain scores `level` (oui = 10, partiel = 5, non = 0 points out of 10).
pub fn uniform_answers(answer: &'static str) -> Vec<(&'static str, &'static str)> {
    let catalogue = include_str!("../../../data/catalogue/v1.csv");
    catalogue
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(';').collect();
            let (code, kind) = (fields[0], fields[3]);
            let value = match (kind, answer) {
                ("oui_non", "Partiel") => "Non",
                ("oui_non" | "oui_partiel_non", value) => value,
                ("niveau3", "Oui") => "Complet",
                ("niveau3", "Partiel") => "Partiel",
                ("niveau3", _) => "Informel",
                _ => return None,
            };
            Some((code, value))
        })
        .collect()
}

/// A generated region (Île-de-France, as of 29/11/2026) imported into an on-disk store.
pub fn generated_region(seed: u64) -> (tempfile::TempDir, Store, generator::Manifest) {
    let directory = tempfile::tempdir().unwrap();
    let set = directory.path().join("region");
    let options = generator::Options {
        scale: generator::Scale::Region,
        campaigns: None,
        seed,
        today: day("2026-11-29"),
    };
    let manifest = generator::generate(&options, &set).unwrap();
    let mut store = Store::open(directory.path().join("base.duckdb")).unwrap();
    for file in &manifest.files {
        store
            .import_file(&set.join(&file.name), &ImportOptions::default())
            .unwrap();
    }
    (directory, store, manifest)
}
