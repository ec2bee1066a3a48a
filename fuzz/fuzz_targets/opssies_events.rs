//! OPSSIES JSON events (any hub, with or without a CaRE D1 file name).
#![no_main]

use ingest::Diagnostics;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut diagnostics = Diagnostics::default();
    let _ = ingest::parsers::opssies::parse(data, Some("AUDITCYB-D1-20241015-093000.json"), &mut diagnostics);
    let mut diagnostics = Diagnostics::default();
    let _ = ingest::parsers::opssies::parse(data, None, &mut diagnostics);
});
