//! The etalab FINESS extract: headerless `;` lines of two kinds, as data.gouv.fr publishes it.

use chrono::NaiveDate;

use super::{Output, unused_finess};
use crate::GenerateError;
use crate::manifest::Expected;
use crate::world::{Establishment, Kind, World, funding, sector_label};

fn ape(world: &World, establishment: &Establishment) -> &'static str {
    match (world.kind(establishment), world.category(establishment).code.as_str()) {
        (Kind::Es, _) => "8610Z",
        (_, "500") => "8710A",
        (_, "354") => "8810A",
        _ => "8790B",
    }
}

fn structure_line(world: &World, e: &Establishment, updated: NaiveDate) -> String {
    let departement = world.departement(e);
    let commune = &departement.communes[e.commune];
    let category = world.category(e);
    let (mft, mft_label) = funding(e.sector, category.kind);
    let street_number = (e.siret.as_bytes()[5] - b'0') as u32 * 7 + 1;
    let fields: [String; 32] = [
        "structureet".into(),
        e.finess_et.clone(),
        e.finess_ej.clone(),
        e.short_name.clone(),
        e.long_name.clone(),
        String::new(),
        String::new(),
        street_number.to_string(),
        "R".into(),
        "DE LA REPUBLIQUE".into(),
        String::new(),
        String::new(),
        commune.code.into(),
        departement.code.into(),
        departement.name.into(),
        format!("{} {}", departement.postal_code(commune), commune.name),
        e.phone.clone(),
        String::new(),
        category.code.clone(),
        category.label.clone(),
        category.group_code.clone(),
        category.group_label.clone(),
        e.siret.clone(),
        ape(world, e).into(),
        mft.into(),
        mft_label.into(),
        e.sector.into(),
        sector_label(e.sector).into(),
        e.opened_on.to_string(),
        e.opened_on.to_string(),
        updated.to_string(),
        String::new(),
    ];
    fields.join(";")
}

const SOURCE: &str = "1,ATLASANTE,96,BAN,EPSG:2154 RGF93 / Lambert-93 (Métropole)";

pub fn write(world: &World, extract_on: NaiveDate, output: &mut Output) -> Result<(), GenerateError> {
    let mut expected = Expected::stored();
    let mut lines: Vec<String> = Vec::with_capacity(world.establishments.len() * 2 + 16);
    let updated = extract_on.pred_opt().unwrap_or(extract_on);
    for (index, e) in world.establishments.iter().enumerate() {
        lines.push(structure_line(world, e, updated));
        // Export tools repeat a line now and then: the last one wins, with a warning.
        if index == 17 {
            lines.push(structure_line(world, e, updated));
            expected.warn("finess_line_repeated");
        }
    }
    // A site whose Luhn key is wrong (kept, warned), outside the region.
    let neighbour = world.departements.iter().position(|d| !d.in_region()).unwrap_or(0);
    if let Some(model) = world
        .establishments
        .iter()
        .find(|e| e.departement == neighbour && world.kind(e) == Kind::Esms)
    {
        let mut bad_key = model.clone();
        let good = unused_finess(world.departements[neighbour].finess_prefix, "0999");
        let wrong_key = if good.ends_with('0') { '1' } else { '0' };
        bad_key.finess_et = format!("{}{wrong_key}", &good[..8]);
        bad_key.short_name = "EHPAD LES GLYCINES".into();
        bad_key.long_name = "EHPAD LES GLYCINES".into();
        lines.push(structure_line(world, &bad_key, updated));
        expected.warn("luhn_key");
    }
    let truncated: Vec<&str> = lines[3].split(';').take(10).collect();
    lines.push(truncated.join(";"));
    expected.reject("structureet_incomplete");
    let mut fields: Vec<String> = lines[4].split(';').map(str::to_owned).collect();
    fields[1] = "7500X0123".into();
    lines.push(fields.join(";"));
    expected.reject("finess_malformed");
    lines.push(format!(
        "structureej;{};ENTITE JURIDIQUE",
        world.establishments[0].finess_ej
    ));
    expected.reject("unknown_line_type");

    let unreadable = world
        .establishments
        .iter()
        .position(|e| e.coordinates.is_some())
        .unwrap_or(0)
        + 5;
    for (index, e) in world.establishments.iter().enumerate() {
        let Some((x, y)) = e.coordinates else { continue };
        if index == unreadable {
            lines.push(format!("geolocalisation;{};{x:.1}E;;{SOURCE};{updated}", e.finess_et));
            expected.warn("coordinates_unreadable");
            continue;
        }
        lines.push(format!(
            "geolocalisation;{};{x:.1};{y:.1};{SOURCE};{updated}",
            e.finess_et
        ));
    }
    lines.push(format!(
        "geolocalisation;{};652000.0",
        world.establishments[2].finess_et
    ));
    expected.reject("geolocation_incomplete");
    lines.push(format!(
        "geolocalisation;{};652100.0;6862100.0;{SOURCE};{updated}",
        unused_finess("75", "0888")
    ));
    expected.warn("geolocation_orphan");

    let mut text = format!("finess;etalab;{};{extract_on}\n", lines.len());
    for line in &lines {
        text.push_str(line);
        text.push('\n');
    }
    let name = format!("etalab-cs1100507-stock-{}-0336.csv", extract_on.format("%Y%m%d"));
    output.write(&name, "finess", lines.len() as u64, text.as_bytes(), expected)
}
