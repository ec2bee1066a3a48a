//! The funding call's export (applications, checks, payments).
#![no_main]

use ingest::parsers::InputKind;
use libfuzzer_sys::fuzz_target;
use opssies_fuzz_common::parse_as;

#[path = "../common.rs"]
mod opssies_fuzz_common;

fuzz_target!(|data: &[u8]| {
    parse_as(InputKind::Applications, data, "dossiers-aap.xlsx");
});
