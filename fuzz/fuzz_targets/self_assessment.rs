//! Self-assessment grids (XLSX workbook or consolidated CSV).
#![no_main]

use ingest::parsers::InputKind;
use libfuzzer_sys::fuzz_target;
use opssies_fuzz_common::parse_as;

#[path = "../common.rs"]
mod opssies_fuzz_common;

fuzz_target!(|data: &[u8]| {
    parse_as(InputKind::SelfAssessment, data, "grille.xlsx");
    parse_as(InputKind::SelfAssessment, data, "grilles.csv");
});
