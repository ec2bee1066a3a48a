//! One module per input kind. Each parser is pure: bytes in, Arrow batches and diagnostics
//! out, nothing written anywhere; the store decides what to keep.

pub mod aap;
pub mod etalab;
pub mod exercises;
pub mod incidents;
pub mod opssies;
pub mod opssies_codes;
pub mod ose;
pub mod osis;
pub mod self_assessment;

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;

use crate::catalogue::Catalogues;
use crate::report::{Diagnostics, Location, Refusal};
use crate::tabular::{Workbook, first_line_headers, grid, read_workbook};
use crate::text::SourceEncoding;

/// The kinds of file the observatory reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputKind {
    OpssiesEvents,
    FinessEtalab,
    OseList,
    OsisExport,
    SelfAssessment,
    Incidents,
    Exercises,
    Applications,
}

impl InputKind {
    pub const ALL: [InputKind; 8] = [
        InputKind::OpssiesEvents,
        InputKind::FinessEtalab,
        InputKind::OseList,
        InputKind::OsisExport,
        InputKind::SelfAssessment,
        InputKind::Incidents,
        InputKind::Exercises,
        InputKind::Applications,
    ];

    /// The name used on the command line and in the `imports` table.
    pub fn name(self) -> &'static str {
        match self {
            InputKind::OpssiesEvents => "opssies-events",
            InputKind::FinessEtalab => "finess",
            InputKind::OseList => "ose-ght",
            InputKind::OsisExport => "osis",
            InputKind::SelfAssessment => "grille",
            InputKind::Incidents => "incidents",
            InputKind::Exercises => "exercices",
            InputKind::Applications => "aap",
        }
    }

    /// What a French user calls it.
    pub fn label(self) -> &'static str {
        match self {
            InputKind::OpssiesEvents => "événements OPSSIES",
            InputKind::FinessEtalab => "référentiel FINESS (etalab)",
            InputKind::OseList => "liste OSE / GHT",
            InputKind::OsisExport => "questionnaire oSIS",
            InputKind::SelfAssessment => "grille d'auto-évaluation",
            InputKind::Incidents => "déclarations d'incidents",
            InputKind::Exercises => "suivi des exercices",
            InputKind::Applications => "dossiers AAP (Démarches Simplifiées)",
        }
    }

    /// Recognises a text file from its first bytes (XLSX files: `detect_workbook`).
    pub fn detect(bytes: &[u8]) -> Option<InputKind> {
        if etalab::looks_like(bytes) {
            Some(InputKind::FinessEtalab)
        } else if opssies::looks_like(bytes) {
            Some(InputKind::OpssiesEvents)
        } else if ose::looks_like(bytes) {
            Some(InputKind::OseList)
        } else if aap::looks_like(&first_line_headers(bytes)) {
            Some(InputKind::Applications)
        } else if exercises::looks_like(&first_line_headers(bytes)) {
            Some(InputKind::Exercises)
        } else if incidents::looks_like(&first_line_headers(bytes)) {
            Some(InputKind::Incidents)
        } else if self_assessment::looks_like(&first_line_headers(bytes)) {
            Some(InputKind::SelfAssessment)
        } else if osis::looks_like(&first_line_headers(bytes)) {
            Some(InputKind::OsisExport)
        } else {
            None
        }
    }

    /// Recognises a spreadsheet from the header rows of its sheets (title rows allowed).
    pub fn detect_workbook(workbook: &Workbook) -> Option<InputKind> {
        if self_assessment::is_grid_workbook(workbook) {
            return Some(InputKind::SelfAssessment);
        }
        if exercises::is_exercise_workbook(workbook) {
            return Some(InputKind::Exercises);
        }
        let headers_match =
            |looks_like: fn(&[String]) -> bool| {
                workbook.sheets.iter().any(|sheet| {
                    sheet.rows.iter().take(30).any(|(_, cells)| {
                        looks_like(&cells.iter().map(crate::tabular::Cell::display).collect::<Vec<_>>())
                    })
                })
            };
        if headers_match(aap::looks_like) {
            return Some(InputKind::Applications);
        }
        workbook.sheets.iter().find_map(|sheet| {
            sheet.rows.iter().take(30).find_map(|(_, cells)| {
                let headers: Vec<String> = cells.iter().map(crate::tabular::Cell::display).collect();
                osis::looks_like(&headers).then_some(InputKind::OsisExport)
            })
        })
    }

    /// Whether the kind is read through the spreadsheet layer (CSV or XLSX).
    pub fn is_spreadsheet(self) -> bool {
        matches!(
            self,
            InputKind::OsisExport
                | InputKind::SelfAssessment
                | InputKind::Incidents
                | InputKind::Exercises
                | InputKind::Applications
        )
    }
}

impl fmt::Display for InputKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for InputKind {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        InputKind::ALL
            .into_iter()
            .find(|kind| kind.name() == text)
            .ok_or_else(|| {
                let names: Vec<&str> = InputKind::ALL.iter().map(|kind| kind.name()).collect();
                format!("type « {text} » inconnu ; types possibles : {}", names.join(", "))
            })
    }
}

/// A parsed file, ready for the store.
#[derive(Debug)]
pub enum Parsed {
    Finess(etalab::EtalabExtract),
    Events(opssies::EventsFile),
    OseList(ose::OseList),
    Osis(osis::OsisExport),
    Grids(self_assessment::Grids),
    Incidents(incidents::Incidents),
    Exercises(exercises::ExerciseWorkbook),
    Applications(aap::Applications),
}

impl Parsed {
    pub fn kind(&self) -> InputKind {
        match self {
            Parsed::Finess(_) => InputKind::FinessEtalab,
            Parsed::Events(_) => InputKind::OpssiesEvents,
            Parsed::OseList(_) => InputKind::OseList,
            Parsed::Osis(_) => InputKind::OsisExport,
            Parsed::Grids(_) => InputKind::SelfAssessment,
            Parsed::Incidents(_) => InputKind::Incidents,
            Parsed::Exercises(_) => InputKind::Exercises,
            Parsed::Applications(_) => InputKind::Applications,
        }
    }

    /// Rows (lines, events) the file offered, header excluded.
    pub fn rows_read(&self) -> u64 {
        match self {
            Parsed::Finess(extract) => extract.lines_read.saturating_sub(1),
            Parsed::Events(file) => file.events_read,
            Parsed::OseList(list) => list.rows_read,
            Parsed::Osis(export) => export.rows_read,
            Parsed::Grids(grids) => grids.rows_read,
            Parsed::Incidents(incidents) => incidents.rows_read,
            Parsed::Exercises(workbook) => workbook.rows_read,
            Parsed::Applications(applications) => applications.rows_read,
        }
    }

    pub fn encoding(&self) -> Option<SourceEncoding> {
        match self {
            Parsed::Finess(extract) => Some(extract.encoding),
            Parsed::OseList(list) => Some(list.encoding),
            Parsed::Events(_) => Some(SourceEncoding::Utf8),
            // Spreadsheets report their encoding as a warning.
            _ => None,
        }
    }

    pub fn extract_date(&self) -> Option<NaiveDate> {
        match self {
            Parsed::Finess(extract) => extract.extract_date,
            Parsed::Events(file) => file.extraction_date.map(|datetime| datetime.date()),
            _ => None,
        }
    }
}

/// What a parser may need besides the bytes.
#[derive(Debug, Clone, Copy)]
pub struct ParseContext<'a> {
    pub file_name: Option<&'a str>,
    pub catalogues: &'a Catalogues,
}

/// Recognises (unless `kind` is given) and parses a file; a spreadsheet is read only once.
pub fn detect_and_parse(
    kind: Option<InputKind>,
    bytes: &[u8],
    context: ParseContext<'_>,
    diagnostics: &mut Diagnostics,
) -> Result<Parsed, (Option<InputKind>, Refusal)> {
    let unknown = || {
        Refusal::UnknownKind(
            "ni événements OPSSIES (JSON avec « events »), ni extrait FINESS etalab (« finess;etalab; »), ni liste OSE/GHT (colonnes finess_et, ght, ose), ni export oSIS (colonnes FINESS ET, Campagne, Date de dernière mise à jour)".to_owned(),
        )
    };
    let kind = match kind {
        Some(kind) => kind,
        None if grid::is_xlsx(bytes) => {
            let workbook = read_workbook(bytes, context.file_name).map_err(|refusal| (None, refusal))?;
            let kind = InputKind::detect_workbook(&workbook).ok_or_else(|| (None, unknown()))?;
            return parse_workbook(kind, &workbook, context, diagnostics).map_err(|refusal| (Some(kind), refusal));
        }
        // A binary file that is not XLSX (a renamed PDF…) gets the spreadsheet layer's message.
        None => InputKind::detect(bytes).ok_or_else(|| {
            (
                None,
                read_workbook(bytes, context.file_name).err().unwrap_or_else(unknown),
            )
        })?,
    };
    let result = match kind {
        InputKind::FinessEtalab => etalab::parse(bytes, diagnostics).map(Parsed::Finess),
        InputKind::OpssiesEvents => opssies::parse(bytes, context.file_name, diagnostics).map(Parsed::Events),
        InputKind::OseList => ose::parse(bytes, diagnostics).map(Parsed::OseList),
        InputKind::OsisExport
        | InputKind::SelfAssessment
        | InputKind::Incidents
        | InputKind::Exercises
        | InputKind::Applications => read_workbook(bytes, context.file_name)
            .and_then(|workbook| parse_workbook(kind, &workbook, context, diagnostics)),
    };
    result.map_err(|refusal| (Some(kind), refusal))
}

fn parse_workbook(
    kind: InputKind,
    workbook: &Workbook,
    context: ParseContext<'_>,
    diagnostics: &mut Diagnostics,
) -> Result<Parsed, Refusal> {
    if workbook.encoding == Some(SourceEncoding::Windows1252) {
        diagnostics.warn(
            Location::default(),
            None,
            "fichier décodé en Windows-1252 (Latin-1) : il n'est pas en UTF-8",
        );
    }
    for hidden in &workbook.hidden_sheets {
        diagnostics.warn(
            Location {
                sheet: Some(hidden.clone()),
                ..Location::default()
            },
            None,
            "feuille masquée ignorée",
        );
    }
    match kind {
        InputKind::OsisExport => osis::parse(workbook, context.catalogues, diagnostics).map(Parsed::Osis),
        InputKind::Incidents => incidents::parse(workbook, diagnostics).map(Parsed::Incidents),
        InputKind::Exercises => exercises::parse(workbook, diagnostics).map(Parsed::Exercises),
        InputKind::Applications => aap::parse(workbook, diagnostics).map(Parsed::Applications),
        InputKind::SelfAssessment => {
            self_assessment::parse(workbook, &self_assessment::GridSettings::default(), diagnostics).map(Parsed::Grids)
        }
        other => Err(Refusal::Structure(format!(
            "un fichier « {} » n'est pas un classeur",
            other.label()
        ))),
    }
}
