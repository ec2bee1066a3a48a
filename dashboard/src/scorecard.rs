//! The five national expectations of an establishment with their evidence, as the fiche
//! page and the monthly pack's PDF fiche both say them.

use analytics::{EstablishmentStatus, Expectation};

use crate::format::{date, number};

/// Code, label, state and evidence of each expectation (E1 to E5).
pub fn items(s: &EstablishmentStatus) -> [(&'static str, &'static str, &Expectation, String); 5] {
    [
        (
            "E1",
            "Exercice de crise annuel",
            &s.e1_exercise,
            format!(
                "dernier exercice : {} ({}) ; prochain prévu : {}",
                date(s.last_exercise_on),
                s.last_exercise_source.as_deref().unwrap_or("aucune source"),
                date(s.next_planned_on)
            ),
        ),
        (
            "E2",
            "Audits",
            &s.e2_audits,
            format!(
                "ADS {} · SILENE {} · cybersurveillance {} · messagerie {}",
                date(s.ads_on),
                date(s.silene_on),
                date(s.cybersurveillance_on),
                date(s.mail_audit_on)
            ),
        ),
        (
            "E3",
            "Observatoire à jour",
            &s.e3_observatory,
            format!(
                "dernière mise à jour {} (campagne {}, {})",
                date(s.last_declaration_on),
                s.last_declaration_campaign
                    .map_or_else(|| "–".to_owned(), |c| c.to_string()),
                s.last_declaration_status.as_deref().unwrap_or("–")
            ),
        ),
        (
            "E4",
            "Sensibilisation",
            &s.e4_awareness,
            format!(
                "personnel sensibilisé {} ; dernière formation {}",
                s.staff_trained_percent
                    .map_or_else(|| "–".to_owned(), |p| format!("{} %", number(p, 0))),
                date(s.training_on)
            ),
        ),
        (
            "E5",
            "Cartographie",
            &s.e5_cartography,
            if s.cartography_answers.is_empty() {
                "–".to_owned()
            } else {
                s.cartography_answers.join(" ; ")
            },
        ),
    ]
}
