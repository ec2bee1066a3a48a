//! `manifest.json`: what a correct ingest of each generated file must report, and the
//! truths planted in the data that the analytics must find.

use std::collections::BTreeMap;

use serde::Serialize;

/// Each reason a planted reject or warning is counted under, and a fragment of the French
/// message the ingest gives for it.
pub const REASONS: &[(&str, &str)] = &[
    // Before `finess_malformed`, whose fragment it contains.
    ("identifier_not_finess", "qui n'est pas un numéro FINESS (9 chiffres)"),
    ("finess_malformed", "n'est pas un numéro FINESS"),
    ("required_missing", "valeur obligatoire manquante"),
    ("structureet_incomplete", "ligne structureet incomplète"),
    ("geolocation_incomplete", "ligne geolocalisation incomplète"),
    ("unknown_line_type", "type de ligne inconnu"),
    ("luhn_key", "clé de contrôle (Luhn)"),
    ("finess_line_repeated", "FINESS ET déjà présent ligne"),
    ("geolocation_orphan", "géolocalisation d'un FINESS ET absent"),
    ("coordinates_unreadable", "coordonnées illisibles"),
    ("windows_1252", "décodé en Windows-1252"),
    ("date_expected", "date attendue"),
    ("yes_no_expected", "Oui ou Non attendu"),
    ("percent_expected", "pourcentage de 0 à 100 attendu"),
    ("unknown_question", "absente du catalogue"),
    ("declaration_repeated", "déjà présente ligne"),
    ("unknown_status", "statut inconnu"),
    ("finess_padded", "complété à 9 chiffres"),
    ("total_row", "ligne de total ignorée"),
    ("hidden_sheet", "feuille masquée ignorée"),
    ("grid_unanswered", "sans réponse : grille enregistrée incomplète"),
    ("grid_double_mark", "plusieurs niveaux cochés"),
    ("action_untracked", "action sans suivi possible"),
    ("unknown_kit", "kit inconnu"),
    ("unknown_application_state", "état du dossier inconnu"),
    ("ose_listed_twice", "FINESS ET déjà listé ligne"),
    ("not_in_referential", "absent du référentiel FINESS"),
    ("event_no_recipient", "aucun établissement destinataire"),
    (
        "event_recipient_without_finess",
        "aucun FINESS (géographique, juridique ou plage) valide",
    ),
    ("event_no_date", "aucune date lisible"),
    ("event_unknown_type", "type d'événement inconnu"),
    ("byte_order_mark", "marque d'ordre des octets"),
    ("spaces_around_value", "espaces autour de la valeur"),
    ("tlp_spelling", "niveau TLP écrit"),
    ("event_repeated_in_file", "enregistré une seule fois"),
];

/// The reason key of a reject or warning message, if it is one the manifest counts.
pub fn reason_of(message: &str) -> Option<&'static str> {
    REASONS
        .iter()
        .find(|(_, fragment)| message.contains(fragment))
        .map(|(key, _)| *key)
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Expected {
    /// `stored`, or `duplicate` for a copy of a file already imported.
    pub status: &'static str,
    pub rejects: BTreeMap<&'static str, u64>,
    pub warnings: BTreeMap<&'static str, u64>,
}

impl Expected {
    pub fn stored() -> Self {
        Expected {
            status: "stored",
            ..Expected::default()
        }
    }

    pub fn reject(&mut self, reason: &'static str) {
        debug_assert!(REASONS.iter().any(|(key, _)| *key == reason), "{reason}");
        *self.rejects.entry(reason).or_default() += 1;
    }

    pub fn warn(&mut self, reason: &'static str) {
        debug_assert!(REASONS.iter().any(|(key, _)| *key == reason), "{reason}");
        *self.warnings.entry(reason).or_default() += 1;
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FileEntry {
    /// Path relative to the set's folder.
    pub name: String,
    /// The `--kind` name of the input.
    pub kind: &'static str,
    /// Data rows (lines, spreadsheet rows or events) in the file, good and bad.
    pub rows: u64,
    pub sha256: String,
    pub expected: Expected,
}

#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    pub generator: &'static str,
    pub seed: u64,
    pub scale: crate::world::Scale,
    /// The generated world's "today": every "as of today" truth is as of this date.
    pub today: chrono::NaiveDate,
    pub campaigns: Vec<i32>,
    pub region: Vec<&'static str>,
    /// Files in the order they must be imported (referential first).
    pub files: Vec<FileEntry>,
    pub reasons: BTreeMap<&'static str, &'static str>,
    pub truths: crate::truths::Truths,
}
