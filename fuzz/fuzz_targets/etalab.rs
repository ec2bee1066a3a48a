//! FINESS etalab extract (structureet + geolocalisation lines).
#![no_main]

use ingest::Diagnostics;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut diagnostics = Diagnostics::default();
    let _ = ingest::parsers::etalab::parse(data, &mut diagnostics);
});
