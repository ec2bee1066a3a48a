//! Shared by the targets that go through the tabular layer.

use std::sync::OnceLock;

use ingest::Diagnostics;
use ingest::catalogue::Catalogues;
use ingest::parsers::self_assessment::GridSettings;
use ingest::parsers::{InputKind, ParseContext, detect_and_parse};

fn catalogues() -> &'static Catalogues {
    static CATALOGUES: OnceLock<Catalogues> = OnceLock::new();
    CATALOGUES.get_or_init(Catalogues::embedded)
}

/// Parses the bytes as the given kind; any result but a panic is fine.
#[allow(dead_code)]
pub fn parse_as(kind: InputKind, data: &[u8], file_name: &str) {
    parse(Some(kind), data, file_name);
}

/// Parses the bytes as `kind`, or as what they are recognised as when `None`.
fn parse(kind: Option<InputKind>, data: &[u8], file_name: &str) {
    let grid_settings = GridSettings::default();
    let context = ParseContext {
        file_name: Some(file_name),
        catalogues: catalogues(),
        grid_settings: &grid_settings,
    };
    let mut diagnostics = Diagnostics::default();
    let _ = detect_and_parse(kind, data, context, &mut diagnostics);
}

/// Reads the bytes once as a workbook, then hands them to recognition and to every
/// spreadsheet parser.
#[allow(dead_code)]
pub fn parse_all_tabular(data: &[u8], file_name: &str) {
    if ingest::tabular::read_workbook(data, Some(file_name)).is_err() {
        return;
    }
    parse(None, data, file_name);
    for kind in InputKind::ALL {
        if kind.is_spreadsheet() {
            parse_as(kind, data, file_name);
        }
    }
}
