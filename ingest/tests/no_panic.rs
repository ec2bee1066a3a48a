//! Whatever the bytes, a parser answers with rows, rejects or a refusal — never a panic.
//! Every sample file is cut at many points and has bytes flipped; each result is parsed.

use ingest::catalogue::Catalogues;
use ingest::parsers::self_assessment::GridSettings;
use ingest::parsers::{ParseContext, detect_and_parse};
use ingest::{Diagnostics, InputKind};

fn samples() -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/samples");
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| {
                    (
                        entry.file_name().to_string_lossy().into_owned(),
                        std::fs::read(entry.path()).unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    assert!(
        files.len() >= 7,
        "the samples of data/samples are the seeds of this test"
    );
    files
}

#[test]
fn mangled_samples_are_answered_not_panicked_on() {
    let catalogues = Catalogues::embedded();
    let grid_settings = GridSettings::default();
    let mut attempts = 0;
    for (name, bytes) in samples() {
        let step = (bytes.len() / 60).max(1);
        let mut variants: Vec<Vec<u8>> = (0..bytes.len())
            .step_by(step)
            .map(|cut| bytes[..cut].to_vec())
            .collect();
        for position in (0..bytes.len()).step_by(step * 3) {
            let mut flipped = bytes.clone();
            flipped[position] ^= 0xA5;
            variants.push(flipped);
        }
        for variant in variants {
            for kind in std::iter::once(None).chain(InputKind::ALL.into_iter().map(Some)) {
                let context = ParseContext {
                    file_name: Some(&name),
                    catalogues: &catalogues,
                    grid_settings: &grid_settings,
                };
                let mut diagnostics = Diagnostics::default();
                // Any answer is fine; a panic fails the test.
                let _ = detect_and_parse(kind, &variant, context, &mut diagnostics);
                attempts += 1;
            }
        }
    }
    assert!(attempts > 3_000, "{attempts} attempts");
}
