//! The OSE / GHT list: `finess_et;finess_ej;ght;ose`.

use super::{Output, oui_non, unused_finess};
use crate::GenerateError;
use crate::manifest::Expected;
use crate::world::World;

pub fn write(world: &World, year: i32, output: &mut Output) -> Result<(), GenerateError> {
    let mut expected = Expected::stored();
    let mut lines = vec!["finess_et;finess_ej;ght;ose".to_owned()];
    let listed: Vec<_> = world
        .establishments
        .iter()
        .filter(|e| e.ose || e.ght.is_some())
        .collect();
    for e in &listed {
        lines.push(format!(
            "{};{};{};{}",
            e.finess_et,
            e.finess_ej,
            e.ght.as_deref().unwrap_or(""),
            oui_non(e.ose)
        ));
    }
    // The same line pasted twice, a typo, a value that is not a boolean, and a site the
    // referential does not know (kept, warned).
    if let Some(line) = lines.get(3).cloned() {
        lines.push(line);
        expected.warn("ose_listed_twice");
    }
    lines.push(format!(
        "75O000123;{};GHT PARIS;Non",
        listed.first().map_or("", |e| e.finess_ej.as_str())
    ));
    expected.reject("finess_malformed");
    if let Some(e) = listed.get(1) {
        lines.push(format!("{};{};;Peut-être", e.finess_et, e.finess_ej));
        expected.reject("yes_no_expected");
    }
    lines.push(format!("{};;;Non", unused_finess("93", "0777")));
    expected.warn("not_in_referential");
    let rows = lines.len() as u64 - 1;
    let text = lines.join("\r\n") + "\r\n";
    output.write(
        &format!("ose-ght-{year}.csv"),
        "ose-ght",
        rows,
        text.as_bytes(),
        expected,
    )
}
