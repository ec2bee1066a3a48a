//! Decides at build time whether the ministry's reference files (`../shared/reference`) are
//! beside the project, so that `cargo test` reports their test as ignored (with its reason)
//! rather than as a pass when they are not. With `OPSSIES_REQUIRE_SHARED` set (CI) the test is
//! always built to run, and fails when the folder is missing.

use std::path::PathBuf;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(reference_files)");
    println!("cargo::rerun-if-env-changed=OPSSIES_REQUIRE_SHARED");
    println!("cargo::rerun-if-changed=build.rs");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let reference = manifest.join("../../shared/reference/opssies-v013");
    // A missing path makes Cargo run this again at each build, which is what tells it that
    // the folder appeared.
    println!("cargo::rerun-if-changed={}", reference.display());
    if reference.is_dir() || std::env::var_os("OPSSIES_REQUIRE_SHARED").is_some() {
        println!("cargo::rustc-cfg=reference_files");
    }
}
