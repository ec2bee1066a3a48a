//! The ARS's exercise follow-up workbook: sheets `Exercices` and `Actions`.

use super::{Output, date_format, new_workbook, oui_non, workbook_bytes, write_date, write_text, xlsx};
use crate::GenerateError;
use crate::activity::{ExerciseKit, History};
use crate::manifest::Expected;
use crate::world::World;

const EXERCISE_COLUMNS: [&str; 11] = [
    "FINESS ET",
    "Date prévue",
    "Date de réalisation",
    "Kit",
    "Scénario",
    "Prestataire",
    "Financé AAP",
    "Direction présente",
    "Observateurs",
    "Date du RETEX",
    "Annulé",
];
const ACTION_COLUMNS: [&str; 7] = [
    "FINESS ET",
    "Date de l'exercice",
    "Action",
    "Responsable",
    "Échéance",
    "Statut",
    "Date de clôture",
];

fn kit_text(kit: ExerciseKit) -> &'static str {
    match kit {
        ExerciseKit::Beginner => "Débutant",
        ExerciseKit::Intermediate => "Intermédiaire",
        ExerciseKit::Confirmed => "Confirmé",
        ExerciseKit::AnssiGuide => "Guide ANSSI",
    }
}

pub fn write(
    world: &World,
    history: &History,
    today: chrono::NaiveDate,
    output: &mut Output,
) -> Result<(), GenerateError> {
    let mut expected = Expected::stored();
    let mut workbook = new_workbook();
    let dates = date_format();
    let sheet = workbook.add_worksheet().set_name("Exercices").map_err(xlsx)?;
    write_text(sheet, 0, 0, "Suivi des exercices de crise cyber — ARS Île-de-France")?;
    write_text(sheet, 1, 0, &format!("Mis à jour le {}", super::french_date(today)))?;
    for (column, header) in EXERCISE_COLUMNS.iter().enumerate() {
        write_text(sheet, 3, column as u16, header)?;
    }
    let mut row = 4u32;
    let mut unknown_kit_written = false;
    let mut exercises: Vec<_> = history.exercises.iter().filter(|e| e.in_workbook).collect();
    exercises.sort_by_key(|e| (e.completed_on.or(e.planned_on), e.establishment));
    for exercise in &exercises {
        let establishment = &world.establishments[exercise.establishment];
        write_text(sheet, row, 0, &establishment.finess_et)?;
        if let Some(planned) = exercise.planned_on {
            write_date(sheet, row, 1, planned, &dates)?;
        }
        if let Some(done) = exercise.completed_on {
            write_date(sheet, row, 2, done, &dates)?;
        }
        let kit = if !unknown_kit_written && exercise.completed_on.is_some() && exercise.kit == ExerciseKit::Beginner {
            unknown_kit_written = true;
            expected.warn("unknown_kit");
            "kit maison"
        } else {
            kit_text(exercise.kit)
        };
        write_text(sheet, row, 3, kit)?;
        write_text(sheet, row, 4, exercise.scenario)?;
        write_text(sheet, row, 5, exercise.provider.unwrap_or(""))?;
        write_text(sheet, row, 6, oui_non(exercise.aap_funded))?;
        if exercise.completed_on.is_some() {
            write_text(sheet, row, 7, oui_non(exercise.direction_present))?;
            sheet
                .write_number(row, 8, f64::from(exercise.observers))
                .map_err(xlsx)?;
        }
        if let Some(retex) = exercise.retex_on {
            write_date(sheet, row, 9, retex, &dates)?;
        }
        write_text(sheet, row, 10, if exercise.cancelled { "Oui" } else { "" })?;
        row += 1;
    }
    // Rows a person typed by hand: a FINESS with a letter, an impossible date.
    write_text(sheet, row, 0, "75O100125")?;
    write_date(sheet, row, 2, crate::activity::date(2024, 3, 12), &dates)?;
    expected.reject("finess_malformed");
    row += 1;
    write_text(sheet, row, 0, &world.establishments[0].finess_et)?;
    write_text(sheet, row, 2, "31/02/2024")?;
    expected.reject("date_expected");
    row += 1;
    let exercise_rows = u64::from(row - 4);

    let actions_sheet = workbook.add_worksheet().set_name("Actions").map_err(xlsx)?;
    for (column, header) in ACTION_COLUMNS.iter().enumerate() {
        write_text(actions_sheet, 0, column as u16, header)?;
    }
    for (index, action) in history.actions.iter().enumerate() {
        let row = 1 + index as u32;
        write_text(
            actions_sheet,
            row,
            0,
            &world.establishments[action.establishment].finess_et,
        )?;
        write_date(actions_sheet, row, 1, action.exercise_on, &dates)?;
        write_text(actions_sheet, row, 2, action.text)?;
        write_text(actions_sheet, row, 3, action.owner.unwrap_or(""))?;
        if let Some(deadline) = action.deadline {
            write_date(actions_sheet, row, 4, deadline, &dates)?;
        }
        write_text(actions_sheet, row, 5, action.status)?;
        if let Some(closed) = action.closed_on {
            write_date(actions_sheet, row, 6, closed, &dates)?;
        }
        if action.owner.is_none() || action.deadline.is_none() {
            expected.warn("action_untracked");
        }
    }
    let rows = exercise_rows + history.actions.len() as u64;
    let bytes = workbook_bytes(workbook)?;
    output.write("suivi-exercices-idf.xlsx", "exercices", rows, &bytes, expected)
}
