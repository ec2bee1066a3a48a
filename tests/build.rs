//! Decides at build time whether the browser test can run here, so that `cargo test` reports
//! it as ignored (with its reason) rather than as a pass when Chromium, ChromeDriver or
//! axe-core is missing. With `OPSSIES_REQUIRE_BROWSER` set (CI) it is always built to run,
//! and fails when something is missing.

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo::rustc-check-cfg=cfg(browser_test)");
    println!("cargo::rustc-check-cfg=cfg(oidc_test)");
    println!("cargo::rerun-if-env-changed=OIDC_PROVIDER_MODULE");
    println!("cargo::rerun-if-env-changed=OPSSIES_REQUIRE_OIDC");
    // The single sign-on test needs Node and panva's oidc-provider (.ci/run installs it).
    let provider = std::env::var_os("OIDC_PROVIDER_MODULE").map(PathBuf::from);
    let node = ["/usr/bin/node", "/usr/local/bin/node"]
        .into_iter()
        .find(|path| Path::new(path).exists());
    if let Some(provider) = &provider {
        println!("cargo::rerun-if-changed={}", provider.display());
    }
    if (node.is_some() && provider.is_some_and(|path| path.exists()))
        || std::env::var_os("OPSSIES_REQUIRE_OIDC").is_some()
    {
        println!("cargo::rustc-cfg=oidc_test");
    }
    // The OPSSIES export's schema check needs Python's jsonschema (.ci/run installs it).
    println!("cargo::rustc-check-cfg=cfg(jsonschema_test)");
    println!("cargo::rerun-if-env-changed=OPSSIES_REQUIRE_JSONSCHEMA");
    let jsonschema = std::process::Command::new("python3")
        .args(["-c", "import jsonschema"])
        .output()
        .is_ok_and(|output| output.status.success());
    if jsonschema || std::env::var_os("OPSSIES_REQUIRE_JSONSCHEMA").is_some() {
        println!("cargo::rustc-cfg=jsonschema_test");
    }
    // The monthly pack's PDF checks read the files with poppler (.ci/run installs it).
    println!("cargo::rustc-check-cfg=cfg(pdf_test)");
    println!("cargo::rerun-if-env-changed=OPSSIES_REQUIRE_POPPLER");
    println!("cargo::rerun-if-changed=/usr/bin");
    if ["/usr/bin/pdfinfo", "/usr/bin/pdftotext", "/usr/bin/pdfunite"]
        .iter()
        .all(|tool| Path::new(tool).exists())
        || std::env::var_os("OPSSIES_REQUIRE_POPPLER").is_some()
    {
        println!("cargo::rustc-cfg=pdf_test");
    }
    println!("cargo::rerun-if-env-changed=AXE_CORE_JS");
    println!("cargo::rerun-if-env-changed=OPSSIES_REQUIRE_BROWSER");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let axe = std::env::var_os("AXE_CORE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("browser/node_modules/axe-core/axe.min.js"));
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|path| Path::new(path).exists());
    let needed = [
        chromium.map(PathBuf::from),
        Some(PathBuf::from("/usr/bin/chromedriver")),
        Some(axe),
    ];
    let mut available = true;
    for path in needed {
        match path {
            Some(path) if path.exists() => println!("cargo::rerun-if-changed={}", path.display()),
            // Watch the folder it would appear in (installing a package changes /usr/bin).
            Some(path) => {
                available = false;
                let folder = path
                    .ancestors()
                    .find(|folder| folder.is_dir())
                    .unwrap_or(Path::new("/usr/bin"));
                println!("cargo::rerun-if-changed={}", folder.display());
            }
            None => {
                available = false;
                println!("cargo::rerun-if-changed=/usr/bin");
            }
        }
    }
    if available || std::env::var_os("OPSSIES_REQUIRE_BROWSER").is_some() {
        println!("cargo::rustc-cfg=browser_test");
    }
}
