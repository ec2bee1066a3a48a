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
use crate::tabular::{Workbook, grid, read_workbook};
use crate::text::SourceEncoding;

/// Whether a row of header cells is a given kind's.
type HeaderCheck = fn(&[String]) -> bool;

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
        } else {
            None
        }
    }

    /// Recognises a spreadsheet (XLSX or CSV) from its sheet names or from a header row
    /// among the first rows of a sheet (title rows allowed above it).
    pub fn detect_workbook(workbook: &Workbook) -> Option<InputKind> {
        if self_assessment::is_grid_workbook(workbook) {
            return Some(InputKind::SelfAssessment);
        }
        if exercises::is_exercise_workbook(workbook) {
            return Some(InputKind::Exercises);
        }
        // Most specific first: an AAP export or an incident list also has a FINESS column.
        let by_headers: [(HeaderCheck, InputKind); 6] = [
            (ose::looks_like, InputKind::OseList),
            (aap::looks_like, InputKind::Applications),
            (exercises::looks_like, InputKind::Exercises),
            (incidents::looks_like, InputKind::Incidents),
            (self_assessment::looks_like, InputKind::SelfAssessment),
            (osis::looks_like, InputKind::OsisExport),
        ];
        workbook.sheets.iter().find_map(|sheet| {
            sheet.rows.iter().take(30).find_map(|(_, cells)| {
                let headers: Vec<String> = cells.iter().map(crate::tabular::Cell::display).collect();
                by_headers
                    .iter()
                    .find(|(looks_like, _)| looks_like(&headers))
                    .map(|(_, kind)| *kind)
            })
        })
    }

    /// Whether the kind is read through the spreadsheet layer (CSV or XLSX).
    pub fn is_spreadsheet(self) -> bool {
        matches!(
            self,
            InputKind::OseList
                | InputKind::OsisExport
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
    pub grid_settings: &'a self_assessment::GridSettings,
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
            "ni événements OPSSIES (JSON avec « events »), ni extrait FINESS etalab (« finess;etalab; »), ni liste OSE/GHT (colonnes finess_et, ght, ose), ni export oSIS, grille d'auto-évaluation, suivi des exercices, export AAP ou liste d'incidents reconnaissable à ses en-têtes".to_owned(),
        )
    };
    // Text formats are recognised by their first bytes; anything else is read once as a
    // spreadsheet and recognised by its sheets and header rows. A binary file that is not
    // XLSX (a renamed PDF…) gets the spreadsheet layer's message.
    let recognised = kind.or_else(|| {
        if grid::is_xlsx(bytes) {
            None
        } else {
            InputKind::detect(bytes)
        }
    });
    let Some(kind) = recognised else {
        let workbook = read_workbook(bytes, context.file_name).map_err(|refusal| (None, refusal))?;
        let kind = InputKind::detect_workbook(&workbook).ok_or_else(|| (None, unknown()))?;
        return parse_workbook(kind, &workbook, context, diagnostics).map_err(|refusal| (Some(kind), refusal));
    };
    let result = match kind {
        InputKind::FinessEtalab => etalab::parse(bytes, diagnostics).map(Parsed::Finess),
        InputKind::OpssiesEvents => opssies::parse(bytes, context.file_name, diagnostics).map(Parsed::Events),
        InputKind::OseList
        | InputKind::OsisExport
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
        InputKind::OseList => ose::parse(workbook, diagnostics).map(Parsed::OseList),
        InputKind::Exercises => exercises::parse(workbook, diagnostics).map(Parsed::Exercises),
        InputKind::Applications => aap::parse(workbook, diagnostics).map(Parsed::Applications),
        InputKind::SelfAssessment => {
            self_assessment::parse(workbook, context.grid_settings, diagnostics).map(Parsed::Grids)
        }
        other => Err(Refusal::Structure(format!(
            "un fichier « {} » n'est pas un classeur",
            other.label()
        ))),
    }
}
