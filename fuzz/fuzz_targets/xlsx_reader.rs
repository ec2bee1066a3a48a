//! The XLSX side of the tabular layer (zip checks, calamine, hidden sheets, typed cells),
//! then every spreadsheet parser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use opssies_fuzz_common::parse_all_tabular;

#[path = "../common.rs"]
mod opssies_fuzz_common;

fuzz_target!(|data: &[u8]| {
    parse_all_tabular(data, "classeur.xlsx");
});
