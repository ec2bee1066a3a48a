//! Shared helpers of the benchmarks: generated inputs and resource measurements.

use ingest::finess::luhn_key;

/// An etalab extract of `sites` establishments, each with its geolocation line (so
/// `2 × sites + 1` lines), spread over the 8 Île-de-France départements.
pub fn etalab_extract(sites: u32) -> String {
    const DEPARTEMENTS: [&str; 8] = ["75", "77", "78", "91", "92", "93", "94", "95"];
    let mut structures = String::with_capacity(sites as usize * 330);
    let mut geolocations = String::with_capacity(sites as usize * 110);
    for serial in 0..sites {
        let departement = DEPARTEMENTS[serial as usize % DEPARTEMENTS.len()];
        let first_eight = format!("{departement}{:06}", serial / 8);
        let finess = format!("{first_eight}{}", luhn_key(&first_eight).unwrap_or('0'));
        structures.push_str(&format!(
            "structureet;{finess};{finess};CH NUMERO {serial};CENTRE HOSPITALIER NUMERO {serial};;;12;RUE;DE LA REPUBLIQUE;;;{departement}056;{departement};DEPARTEMENT {departement};{departement}000 VILLE;0100000000;;355;Centre Hospitalier (C.H.);1102;Centres Hospitaliers;26010004500012;8610Z;03;ARS établissements Publics de santé dotation globale;1;Etablissement public de santé;1979-02-13;1979-02-13;2020-02-04;\n"
        ));
        geolocations.push_str(&format!(
            "geolocalisation;{finess};{}.5;{}.5;1,ATLASANTE,96,BAN,EPSG:2154 RGF93 / Lambert-93 (Métropole);2024-06-30\n",
            600_000 + serial % 100_000,
            6_800_000 + serial % 100_000
        ));
    }
    format!("finess;etalab;{};2024-11-05\n{structures}{geolocations}", 2 * sites)
}

/// Peak resident memory of this process so far, in MiB (Linux `VmHWM`).
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}
