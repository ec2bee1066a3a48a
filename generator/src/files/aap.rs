//! The Démarches Simplifiées export of the call for projects: sheet `Dossiers`.

use super::{
    Output, date_format, datetime_format, new_workbook, workbook_bytes, write_date, write_datetime, write_text, xlsx,
};
use crate::GenerateError;
use crate::aap::Application;
use crate::activity::add_days;
use crate::manifest::Expected;

const COLUMNS: [&str; 23] = [
    "ID",
    "Email",
    "Civilité",
    "Nom",
    "Prénom",
    "Archivé",
    "État du dossier",
    "Dernière mise à jour le",
    "Déposé le",
    "Passé en instruction le",
    "Traité le",
    "Motivation de la décision",
    "Instructeurs",
    "FINESS ET",
    "Score de l'auto-évaluation",
    "Montant de la commande (€)",
    "Date prévisionnelle de l'exercice",
    "Date de dernière mise à jour OPSSIES",
    "Grille d'auto-évaluation",
    "Bon de commande",
    "Facture",
    "Date de paiement",
    "Commentaire",
];

const LAST_NAMES: &[&str] = &[
    "MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND",
];
const FIRST_NAMES: &[&str] = &[
    "Claire", "Julien", "Sophie", "Nicolas", "Isabelle", "Karim", "Nathalie", "Thomas",
];

/// DS exports either the state codes or their French labels, depending on the export.
fn state_text(state: &str, french: bool) -> &str {
    if !french {
        return state;
    }
    match state {
        "en_construction" => "En construction",
        "en_instruction" => "En instruction",
        "accepte" => "Accepté",
        "refuse" => "Refusé",
        _ => "Classé sans suite",
    }
}

pub fn write(applications: &[Application], year: i32, output: &mut Output) -> Result<(), GenerateError> {
    let mut expected = Expected::stored();
    let mut workbook = new_workbook();
    let (dates, datetimes) = (date_format(), datetime_format());
    let sheet = workbook.add_worksheet().set_name("Dossiers").map_err(xlsx)?;
    for (column, header) in COLUMNS.iter().enumerate() {
        write_text(sheet, 0, column as u16, header)?;
    }
    let mut row = 1u32;
    for (index, application) in applications.iter().enumerate() {
        let person = index % LAST_NAMES.len();
        sheet.write_number(row, 0, f64::from(application.id)).map_err(xlsx)?;
        write_text(
            sheet,
            row,
            1,
            &format!("ssi.{}@etablissement.example.fr", application.finess),
        )?;
        write_text(sheet, row, 2, if index % 2 == 0 { "Mme" } else { "M." })?;
        write_text(sheet, row, 3, LAST_NAMES[person])?;
        write_text(sheet, row, 4, FIRST_NAMES[(index * 3) % FIRST_NAMES.len()])?;
        write_text(sheet, row, 5, "Non")?;
        write_text(sheet, row, 6, state_text(application.state, index % 3 == 0))?;
        let instructed = application.deposited_at + chrono::Duration::days(2);
        write_datetime(sheet, row, 7, instructed + chrono::Duration::days(5), &datetimes)?;
        write_datetime(sheet, row, 8, application.deposited_at, &datetimes)?;
        write_datetime(sheet, row, 9, instructed, &datetimes)?;
        if matches!(application.state, "accepte" | "refuse" | "sans_suite") {
            write_datetime(sheet, row, 10, instructed + chrono::Duration::days(5), &datetimes)?;
        }
        if application.state == "refuse" {
            write_text(
                sheet,
                row,
                11,
                "Dossier ne remplissant pas les conditions de l'appel à projets",
            )?;
        }
        write_text(sheet, row, 12, "instructeur.cyber@ars.example.fr")?;
        write_text(sheet, row, 13, &application.finess)?;
        if let Some(score) = application.score {
            sheet.write_number(row, 14, f64::from(score)).map_err(xlsx)?;
        }
        sheet.write_number(row, 15, application.amount).map_err(xlsx)?;
        write_date(sheet, row, 16, application.planned_exercise, &dates)?;
        write_date(sheet, row, 17, application.declared_update, &dates)?;
        write_text(sheet, row, 18, application.grid_attachment.as_deref().unwrap_or(""))?;
        write_text(sheet, row, 19, application.order_attachment.as_deref().unwrap_or(""))?;
        write_text(sheet, row, 20, application.invoice_attachment.as_deref().unwrap_or(""))?;
        if let Some(paid) = application.paid_on {
            write_date(sheet, row, 21, paid, &dates)?;
        }
        row += 1;
    }
    // A dossier whose state the platform no longer uses.
    if let Some(last) = applications.last() {
        sheet.write_number(row, 0, f64::from(last.id + 100)).map_err(xlsx)?;
        write_text(sheet, row, 6, "brouillon")?;
        write_datetime(sheet, row, 8, last.deposited_at, &datetimes)?;
        write_text(sheet, row, 13, &last.finess)?;
        write_date(sheet, row, 17, add_days(last.deposited_at.date(), -10), &dates)?;
        expected.reject("unknown_application_state");
        row += 1;
    }
    let bytes = workbook_bytes(workbook)?;
    output.write(
        &format!("aap/dossiers-aap-{year}.xlsx"),
        "aap",
        u64::from(row - 1),
        &bytes,
        expected,
    )
}
