//! oSIS wide exports, one XLSX per campaign: title rows, one row per establishment, one
//! column per question of the campaign's catalogue.

use ingest::catalogue::{AnswerType, Catalogue};

use super::{Output, date_format, new_workbook, workbook_bytes, write_date, write_text, xlsx};
use crate::GenerateError;
use crate::activity::{AnswerCell, History, Status};
use crate::manifest::Expected;
use crate::rng::Rng;
use crate::world::World;

const FIXED_COLUMNS: [&str; 6] = [
    "FINESS ET",
    "FINESS EJ",
    "Raison sociale",
    "Campagne",
    "Statut",
    "Date de dernière mise à jour",
];

/// Writes the campaign's export. Two answers are spoiled (a word in a yes/no question, a
/// percentage over 100): they become rejects, and the history forgets them.
pub fn write(
    world: &World,
    history: &mut History,
    campaign: i32,
    catalogue: &Catalogue,
    rng: &Rng,
    output: &mut Output,
) -> Result<(), GenerateError> {
    let mut rng = rng.fork(&format!("osis-{campaign}"));
    let mut expected = Expected::stored();
    let mut workbook = new_workbook();
    let dates = date_format();
    let sheet = workbook.add_worksheet().set_name("Réponses").map_err(xlsx)?;
    write_text(
        sheet,
        0,
        0,
        &format!("Observatoire OPSSIES — export des réponses, campagne {campaign}"),
    )?;
    write_text(sheet, 1, 0, "Source : plateforme oSIS (ATIH). Données confidentielles.")?;
    let header_row = 3u32;
    let question_count = catalogue.questions.len() as u16;
    for (column, header) in FIXED_COLUMNS.iter().enumerate() {
        write_text(sheet, header_row, column as u16, header)?;
    }
    for (index, question) in catalogue.questions.iter().enumerate() {
        write_text(
            sheet,
            header_row,
            6 + index as u16,
            &format!("{} - {}", question.code, question.label),
        )?;
    }
    // A question withdrawn from the catalogue is still in the platform's export.
    let withdrawn = 6 + question_count;
    write_text(
        sheet,
        header_row,
        withdrawn,
        "GOUV-99 - Question retirée du questionnaire",
    )?;
    expected.warn("unknown_question");

    let mut indexes: Vec<usize> = history
        .declarations
        .iter()
        .enumerate()
        .filter(|(_, d)| d.campaign == campaign)
        .map(|(index, _)| index)
        .collect();
    indexes.sort_by(|a, b| {
        let (a, b) = (&history.declarations[*a], &history.declarations[*b]);
        world.establishments[a.establishment]
            .finess_et
            .cmp(&world.establishments[b.establishment].finess_et)
    });
    let yes_no = catalogue
        .questions
        .iter()
        .position(|q| q.answer_type == AnswerType::YesNo);
    let percent = catalogue
        .questions
        .iter()
        .position(|q| q.answer_type == AnswerType::Percent);
    let mut spoiled_yes_no = false;
    let mut spoiled_percent = false;
    let mut unknown_status_written = false;
    let mut row = header_row + 1;
    for (position, &index) in indexes.iter().enumerate() {
        // An older row for the same establishment and campaign, further up: the later wins.
        if position == 5 {
            let declaration = &history.declarations[index];
            let older = declaration.updated_on.pred_opt().unwrap_or(declaration.updated_on);
            write_row(
                world,
                history,
                index,
                older,
                None,
                sheet,
                row,
                &dates,
                &mut rng,
                &mut expected,
            )?;
            expected.warn("declaration_repeated");
            row += 1;
        }
        let mut status_text = None;
        if !unknown_status_written && history.declarations[index].status == Status::InProgress {
            status_text = Some("A valider");
            unknown_status_written = true;
            expected.warn("unknown_status");
        }
        let declaration = &mut history.declarations[index];
        if !spoiled_yes_no && let Some(q) = yes_no.filter(|q| declaration.answers[*q].is_some()) {
            declaration.answers[q] = Some(AnswerCell::Text("Peut-être".into()));
            spoiled_yes_no = true;
        } else if !spoiled_percent
            && position > 10
            && let Some(q) = percent.filter(|q| declaration.answers[*q].is_some())
        {
            declaration.answers[q] = Some(AnswerCell::Text("150 %".into()));
            spoiled_percent = true;
        }
        let updated_on = history.declarations[index].updated_on;
        write_row(
            world,
            history,
            index,
            updated_on,
            status_text,
            sheet,
            row,
            &dates,
            &mut rng,
            &mut expected,
        )?;
        write_text(sheet, row, withdrawn, "Oui")?;
        row += 1;
        // The spoiled answers are rejected: the stored declaration does not have them.
        for answer in history.declarations[index].answers.iter_mut() {
            if matches!(answer, Some(AnswerCell::Text(text)) if text == "Peut-être" || text == "150 %") {
                *answer = None;
            }
        }
    }
    if spoiled_yes_no {
        expected.reject("yes_no_expected");
    }
    if spoiled_percent {
        expected.reject("percent_expected");
    }
    // Rows an export should not have: a garbled FINESS, a missing update date.
    write_text(sheet, row, 0, "75-ABC")?;
    sheet.write_number(row, 3, f64::from(campaign)).map_err(xlsx)?;
    write_text(sheet, row, 4, "Validé")?;
    write_date(sheet, row, 5, crate::activity::date(campaign, 6, 1), &dates)?;
    expected.reject("finess_malformed");
    row += 1;
    write_text(sheet, row, 0, &world.establishments[0].finess_et)?;
    sheet.write_number(row, 3, f64::from(campaign)).map_err(xlsx)?;
    write_text(sheet, row, 4, "En cours")?;
    expected.reject("required_missing");
    row += 1;
    // Data rows, the Total row excluded (a reader leaves it out, with a warning).
    let data_rows = u64::from(row - header_row - 1);
    write_text(sheet, row, 0, "Total")?;
    sheet.write_number(row, 1, indexes.len() as f64).map_err(xlsx)?;
    expected.warn("total_row");

    let settings = workbook.add_worksheet().set_name("Paramètres").map_err(xlsx)?;
    write_text(settings, 0, 0, "Version du questionnaire")?;
    write_text(settings, 0, 1, &catalogue.version)?;
    settings.set_hidden(true);
    expected.warn("hidden_sheet");

    let bytes = workbook_bytes(workbook)?;
    output.write(
        &format!("osis/osis-export-{campaign}.xlsx"),
        "osis",
        data_rows,
        &bytes,
        expected,
    )
}

#[allow(clippy::too_many_arguments)]
fn write_row(
    world: &World,
    history: &History,
    index: usize,
    updated_on: chrono::NaiveDate,
    status_text: Option<&str>,
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    dates: &rust_xlsxwriter::Format,
    rng: &mut Rng,
    expected: &mut Expected,
) -> Result<(), GenerateError> {
    let declaration = &history.declarations[index];
    let establishment = &world.establishments[declaration.establishment];
    let finess = &establishment.finess_et;
    // Excel users turn FINESS into numbers now and then; a leading zero is then lost.
    if rng.chance(0.02) && finess.bytes().all(|b| b.is_ascii_digit()) {
        sheet
            .write_number(row, 0, finess.parse::<f64>().unwrap_or_default())
            .map_err(xlsx)?;
        if finess.starts_with('0') {
            expected.warn("finess_padded");
        }
    } else {
        write_text(sheet, row, 0, finess)?;
    }
    write_text(sheet, row, 1, &establishment.finess_ej)?;
    write_text(sheet, row, 2, &establishment.short_name)?;
    sheet
        .write_number(row, 3, f64::from(declaration.campaign))
        .map_err(xlsx)?;
    write_text(sheet, row, 4, status_text.unwrap_or(declaration.status.label()))?;
    if rng.chance(0.1) {
        write_text(sheet, row, 5, &super::french_date(updated_on))?;
    } else {
        write_date(sheet, row, 5, updated_on, dates)?;
    }
    for (offset, answer) in declaration.answers.iter().enumerate() {
        let column = 6 + offset as u16;
        match answer {
            None => {}
            Some(AnswerCell::Text(text)) => write_text(sheet, row, column, text)?,
            Some(AnswerCell::Number(number)) => {
                sheet.write_number(row, column, *number).map_err(xlsx)?;
            }
            Some(AnswerCell::Date(day)) => {
                if rng.chance(0.3) {
                    write_text(sheet, row, column, &super::french_date(*day))?;
                } else {
                    write_date(sheet, row, column, *day, dates)?;
                }
            }
        }
    }
    Ok(())
}
