//! CERT Santé incident declarations: a CSV saved by French Excel, in Windows-1252.

use super::{Output, french_datetime, oui_non};
use crate::GenerateError;
use crate::activity::History;
use crate::manifest::Expected;
use crate::world::World;

pub fn write(world: &World, history: &History, output: &mut Output) -> Result<(), GenerateError> {
    let mut expected = Expected::stored();
    let mut lines = vec![
        "date_declaration;finess_et;type;impact_patient;declare_anssi;notifie_cnil;date_notification_cnil;chiffrement;fuite_donnees"
            .to_owned(),
    ];
    for incident in history.incidents.iter().filter(|i| i.in_csv) {
        lines.push(format!(
            "{};{};{};{};{};{};{};{};{}",
            french_datetime(incident.declared_at),
            world.establishments[incident.establishment].finess_et,
            incident.kind,
            oui_non(incident.patient_impact),
            oui_non(incident.anssi),
            oui_non(incident.cnil_notified_at.is_some()),
            incident.cnil_notified_at.map(french_datetime).unwrap_or_default(),
            oui_non(incident.encryption),
            oui_non(incident.leak),
        ));
    }
    let someone = &world.establishments[1].finess_et;
    lines.push(format!("hier;{someone};Hameçonnage;Non;Non;Non;;Non;Non"));
    expected.reject("date_expected");
    lines.push(format!(
        "12/03/2024 10:00;{someone};Hameçonnage;peut-être;Non;Non;;Non;Non"
    ));
    expected.reject("yes_no_expected");
    let rows = lines.len() as u64 - 1;
    let text = lines.join("\r\n") + "\r\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
    expected.warn("windows_1252");
    output.write("incidents-cert-sante.csv", "incidents", rows, &bytes, expected)
}
