use anyhow::Result;
use generator::{Options, Scale};

use crate::cli::{DemoDataArgs, ScaleArg};
use crate::exit;

pub fn options(args: &DemoDataArgs) -> Options {
    Options {
        scale: match args.scale {
            ScaleArg::Region => Scale::Region,
            ScaleArg::National => Scale::National,
        },
        campaigns: args.campaigns,
        seed: args.seed,
        today: args.today.unwrap_or_else(ingest::dates::paris_today),
    }
}

pub fn run(args: &DemoDataArgs) -> Result<u8> {
    let started = std::time::Instant::now();
    let manifest = generator::generate(&options(args), &args.out)?;
    let bytes: u64 = manifest
        .files
        .iter()
        .filter_map(|file| std::fs::metadata(args.out.join(&file.name)).ok())
        .map(|metadata| metadata.len())
        .sum();
    println!(
        "{} fichiers écrits dans {} ({} Mo) en {} s ; campagnes {} ; date du jeu {}",
        manifest.files.len(),
        args.out.display(),
        crate::format::number(bytes as f64 / 1e6, 1),
        crate::format::number(started.elapsed().as_secs_f64(), 1),
        manifest
            .campaigns
            .iter()
            .map(i32::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        manifest.today.format("%d/%m/%Y"),
    );
    println!(
        "Attendus et vérités du jeu : {}",
        args.out.join("manifest.json").display()
    );
    Ok(exit::OK)
}
