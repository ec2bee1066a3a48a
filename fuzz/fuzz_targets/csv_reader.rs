//! The CSV side of the tabular layer (encoding, separator and header detection), then every
//! spreadsheet parser that reads CSV.
#![no_main]

use libfuzzer_sys::fuzz_target;
use opssies_fuzz_common::parse_all_tabular;

#[path = "../common.rs"]
mod opssies_fuzz_common;

fuzz_target!(|data: &[u8]| {
    if ingest::tabular::grid::is_xlsx(data) {
        return;
    }
    parse_all_tabular(data, "fichier.csv");
});
