//! What a parser says about a file besides its rows: rejects, warnings, and refusals.

use serde::Serialize;

/// Where in a file something was found. Spreadsheet locations use what the user sees in
/// Excel (1-based row with the header counted, column letter and header); JSON locations use
/// a JSON path such as `$.events.event[2].dates[0]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Location {
    pub sheet: Option<String>,
    /// 1-based line or row number as a person would find it in the file.
    pub row: Option<u64>,
    /// Column letter and header, e.g. `C (Raison sociale)`, or a field number for headerless files.
    pub column: Option<String>,
    pub json_path: Option<String>,
}

impl Location {
    pub fn line(row: u64) -> Self {
        Self {
            row: Some(row),
            ..Self::default()
        }
    }

    pub fn line_column(row: u64, column: impl Into<String>) -> Self {
        Self {
            row: Some(row),
            column: Some(column.into()),
            ..Self::default()
        }
    }

    pub fn json(path: impl Into<String>) -> Self {
        Self {
            json_path: Some(path.into()),
            ..Self::default()
        }
    }

    /// A short French description, e.g. `ligne 12, colonne C (Raison sociale)`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(sheet) = &self.sheet {
            parts.push(format!("feuille « {sheet} »"));
        }
        if let Some(row) = self.row {
            parts.push(format!("ligne {row}"));
        }
        if let Some(column) = &self.column {
            parts.push(format!("colonne {column}"));
        }
        if let Some(path) = &self.json_path {
            parts.push(format!("chemin {path}"));
        }
        parts.join(", ")
    }
}

/// A row (or event) left out of the store, with the reason in French.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reject {
    pub location: Location,
    pub value: Option<String>,
    pub reason: String,
}

/// Something accepted but worth telling: a repaired value, an unknown code, an assumption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub location: Location,
    pub value: Option<String>,
    pub message: String,
}

/// Collects the rejects and warnings of one file.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    pub rejects: Vec<Reject>,
    pub warnings: Vec<Warning>,
}

impl Diagnostics {
    pub fn reject(&mut self, location: Location, value: Option<&str>, reason: impl Into<String>) {
        self.rejects.push(Reject {
            location,
            value: value.map(str::to_owned),
            reason: reason.into(),
        });
    }

    pub fn warn(&mut self, location: Location, value: Option<&str>, message: impl Into<String>) {
        self.warnings.push(Warning {
            location,
            value: value.map(str::to_owned),
            message: message.into(),
        });
    }
}

/// Why a whole file is refused: nothing of it is stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(
        "le fichier n'est pas en UTF-8 : octet invalide à la position {offset} (0x{byte:02X}). Enregistrez-le en UTF-8 puis réimportez-le."
    )]
    NotUtf8 { offset: usize, byte: u8 },
    #[error(
        "JSON invalide ligne {line}, colonne {column} : {detail}. Corrigez le fichier (souvent une virgule en trop ou un guillemet manquant) puis réimportez-le."
    )]
    InvalidJson { line: usize, column: usize, detail: String },
    #[error("structure inattendue : {0}")]
    Structure(String),
    #[error("fichier vide")]
    Empty,
    #[error("fichier trop volumineux : {:.1} Mio pour une limite de {limit_mib} Mio (réglage --max-size-mib)", *size_bytes as f64 / 1_048_576.0)]
    TooLarge { size_bytes: u64, limit_mib: u64 },
    #[error("type de fichier non reconnu : {0}. Précisez le type avec --kind.")]
    UnknownKind(String),
}
