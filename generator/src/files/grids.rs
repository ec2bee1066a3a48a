//! Self-assessment grids: a few as filled-in workbooks, the rest in one consolidated CSV.

use super::{Output, date_format, new_workbook, workbook_bytes, write_date, write_text, xlsx};
use crate::GenerateError;
use crate::activity::History;
use crate::manifest::Expected;
use crate::world::World;

const LEVEL_NAMES: [&str; 3] = ["Débutant", "Intermédiaire", "Confirmé"];
const THEMES: [&str; 23] = [
    "Gouvernance",
    "Gouvernance",
    "Gouvernance",
    "Cartographie",
    "Cartographie",
    "Sauvegardes",
    "Sauvegardes",
    "Sauvegardes",
    "Continuité",
    "Continuité",
    "Continuité",
    "Cellule de crise",
    "Cellule de crise",
    "Cellule de crise",
    "Communication",
    "Communication",
    "Mode dégradé",
    "Mode dégradé",
    "Mode dégradé",
    "Prestataires",
    "Prestataires",
    "Sensibilisation",
    "Retour d'expérience",
];

pub fn write(world: &World, history: &History, output: &mut Output) -> Result<(), GenerateError> {
    let mut csv = String::from("finess_et;date");
    for number in 1..=23 {
        csv.push_str(&format!(";q{number:02}"));
    }
    csv.push('\n');
    let mut csv_expected = Expected::stored();
    let mut csv_rows = 0u64;
    for (index, grid) in history.grids.iter().enumerate() {
        let establishment = &world.establishments[grid.establishment];
        if grid.as_workbook {
            write_workbook(world, grid, output)?;
            continue;
        }
        csv_rows += 1;
        csv.push_str(&format!(
            "{};{}",
            establishment.finess_et,
            super::french_date(grid.assessed_on)
        ));
        for (question, level) in grid.levels.iter().enumerate() {
            csv.push(';');
            match level {
                None => csv_expected.reject("grid_unanswered"),
                // Consolidations mix codes and names.
                Some(level) if (index + question) % 5 == 0 => csv.push_str(LEVEL_NAMES[usize::from(*level) - 1]),
                Some(level) => csv.push_str(&level.to_string()),
            }
        }
        csv.push('\n');
    }
    output.write(
        "grilles/grilles-auto-evaluation.csv",
        "grille",
        csv_rows,
        csv.as_bytes(),
        csv_expected,
    )
}

fn write_workbook(world: &World, grid: &crate::activity::Grid, output: &mut Output) -> Result<(), GenerateError> {
    let establishment = &world.establishments[grid.establishment];
    let mut expected = Expected::stored();
    let mut workbook = new_workbook();
    let dates = date_format();
    let identity = workbook.add_worksheet().set_name("Fiche d'identité").map_err(xlsx)?;
    write_text(identity, 0, 0, "Grille d'auto-évaluation — exercice de crise cyber")?;
    write_text(identity, 2, 0, "N° FINESS")?;
    write_text(identity, 2, 1, &establishment.finess_et)?;
    write_text(identity, 3, 0, "Établissement")?;
    write_text(identity, 3, 1, &establishment.long_name)?;
    write_text(identity, 4, 0, "Date de l'auto-évaluation")?;
    write_date(identity, 4, 1, grid.assessed_on, &dates)?;
    write_text(identity, 5, 0, "Contact (référent SSI)")?;
    write_text(identity, 5, 1, &format!("rssi@{}.example.fr", establishment.finess_et))?;

    let questionnaire = workbook.add_worksheet().set_name("Questionnaire").map_err(xlsx)?;
    write_text(
        questionnaire,
        0,
        0,
        "Cochez d'une croix le niveau qui décrit le mieux votre établissement",
    )?;
    for (column, header) in ["N°", "Thème", "Débutant", "Intermédiaire", "Confirmé"]
        .iter()
        .enumerate()
    {
        write_text(questionnaire, 2, column as u16, header)?;
    }
    for (question, level) in grid.levels.iter().enumerate() {
        let row = 3 + question as u32;
        questionnaire
            .write_number(row, 0, (question + 1) as f64)
            .map_err(xlsx)?;
        write_text(questionnaire, row, 1, THEMES[question])?;
        match level {
            None => expected.reject("grid_unanswered"),
            Some(level) => write_text(questionnaire, row, 1 + u16::from(*level), "X")?,
        }
        if grid.double_marked == Some(question) {
            let other = if *level == Some(1) { 2 } else { 1 };
            write_text(questionnaire, row, 1 + other, "x")?;
            expected.reject("grid_double_mark");
        }
    }
    let bytes = workbook_bytes(workbook)?;
    output.write(
        &format!(
            "grilles/grille-{}-{}.xlsx",
            establishment.finess_et,
            grid.assessed_on.format("%Y%m%d")
        ),
        "grille",
        1,
        &bytes,
        expected,
    )
}
