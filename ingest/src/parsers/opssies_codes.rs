//! Code lists of the OPSSIES BI v2 schema v0.13 (`definitions.*.referenceList`).

/// `eventType`: code and label; the label's first segment is the NIST CSF function.
pub const EVENT_TYPES: &[(u16, &str)] = &[
    (
        1,
        "IDENTIFIER/Gestion des actifs/Connaissance des actifs physiques et logiciels",
    ),
    (2, "IDENTIFIER/Gestion des actifs/Messagerie et protocoles"),
    (3, "IDENTIFIER/Gestion des actifs/Gestion des identités et des accès"),
    (4, "IDENTIFIER/Gestion des actifs/Mots de passe"),
    (5, "IDENTIFIER/Gestion des actifs/Sauvegarde"),
    (6, "IDENTIFIER/Gestion des actifs/Téléphonie"),
    (
        7,
        "IDENTIFIER/Gestion des actifs/Chiffrement et protection des secrets, hachage",
    ),
    (8, "IDENTIFIER/Environnement métier/Connaissance écosystème"),
    (9, "IDENTIFIER/Gouvernance/Connaissance des normes et standards"),
    (10, "IDENTIFIER/Gouvernance/Connaissance juridique et réglementaire"),
    (11, "IDENTIFIER/Gouvernance/Obligations du prestataire-risques client"),
    (12, "IDENTIFIER/Gouvernance/Recommandations de base"),
    (13, "IDENTIFIER/Appréciation des risques/Identification"),
    (14, "IDENTIFIER/Appréciation des risques/Typologie des attaquants"),
    (15, "IDENTIFIER/Appréciation des risques/Gestion des vulnérabilités"),
    (16, "IDENTIFIER/Stratégie de gestion des risques/Gestion de crise"),
    (
        17,
        "IDENTIFIER/Gestion des risques de la chaîne approvisionnement/Relation client",
    ),
    (
        18,
        "IDENTIFIER/Gestion des risques de la chaîne approvisionnement/Anticipation",
    ),
    (
        19,
        "PROTÉGER/Gestion des identités et contrôle accès/Chiffrement et protection des secrets, hachage",
    ),
    (20, "PROTÉGER/Gestion des identités et contrôle accès/Sécurisation"),
    (21, "PROTÉGER/Sensibilisation et formation/Recommandations de base"),
    (22, "PROTÉGER/Sensibilisation et formation/Relation client"),
    (23, "PROTÉGER/Sécurité des données/Sécurité physique"),
    (24, "PROTÉGER/Sécurité des données/Téléphonie"),
    (25, "PROTÉGER/Sécurité des données/Architecture"),
    (26, "PROTÉGER/Sécurité des données/Sécurisation"),
    (27, "PROTÉGER/Sécurité des données/Sécurisation/Audit technique/AD/ADS"),
    (
        28,
        "PROTÉGER/Sécurité des données/Sécurisation/Audit technique/Exposition Internet/Cybersurveillance",
    ),
    (
        29,
        "PROTÉGER/Sécurité des données/Sécurisation/Audit technique/Next-Gen",
    ),
    (30, "PROTÉGER/Sécurité des données/Antivirus"),
    (31, "PROTÉGER/Sécurité des données/Administration systèmes"),
    (32, "PROTÉGER/Sécurité des données/Disponibilité"),
    (
        33,
        "PROTÉGER/Processus et procédures de protection des informations/Procédure interne",
    ),
    (34, "PROTÉGER/Maintenance/MCO-MCS"),
    (
        35,
        "PROTÉGER/Technologie de protection/Connaissance des solutions et technologies de sécurisation existantes",
    ),
    (36, "DETECTER/Anomalies et événements/Identification"),
    (37, "DETECTER/Anomalies et événements/Gestion des vulnérabilités"),
    (38, "DETECTER/Surveillance continue de la sécurité/Analyse"),
    (39, "DETECTER/Surveillance continue de la sécurité/Supervision SSI"),
    (40, "DETECTER/Surveillance continue de la sécurité/Attaques"),
    (41, "DETECTER/Processus de détection/Détection"),
    (42, "RÉPONDRE/Plan intervention/Gestion de crise"),
    (43, "RÉPONDRE/Plan intervention/Gestion de crise/Simulation-Exercice"),
    (44, "RÉPONDRE/Plan intervention/Réponse à incidents"),
    (45, "RÉPONDRE/Communication/Connaissance juridique et réglementaire"),
    (46, "RÉPONDRE/Analyse/Identification"),
    (47, "RÉPONDRE/Analyse/Conservation de la preuve"),
    (48, "RÉPONDRE/Analyse/Analyse"),
    (49, "RÉPONDRE/Analyse/Analyse matérielle"),
    (50, "RÉPONDRE/Atténuation/Accompagnement"),
    (51, "RÉPONDRE/Atténuation/Remédiation"),
    (52, "RÉPONDRE/Amélioration/Procédure interne"),
    (53, "RÉTABLIR/Planification de la récupération/Gestion de crise"),
    (54, "RÉTABLIR/Planification de la récupération/Sauvegarde"),
    (55, "RÉTABLIR/Planification de la récupération/PCA-PRA"),
    (56, "RÉTABLIR/Amélioration/Procédure interne"),
    (57, "RÉTABLIR/Amélioration/Veille technologique-Exploitation"),
    (58, "RÉTABLIR/Communication/Relation client"),
    (59, "RÉTABLIR/Communication/Gestion de crise"),
    (
        60,
        "PROTÉGER/Sécurité des données/Sécurisation/Audit technique/Exposition Internet/SILENE",
    ),
    (
        61,
        "PROTÉGER/Sécurité des données/Sécurisation/Audit technique/Messagerie",
    ),
];

pub fn event_type_label(code: i64) -> Option<&'static str> {
    EVENT_TYPES
        .iter()
        .find(|(candidate, _)| i64::from(*candidate) == code)
        .map(|(_, label)| *label)
}

/// `eventAnalysisType`: the national programme the event belongs to.
pub fn programme(code: i64) -> Option<&'static str> {
    match code {
        1 => Some("HOPEN1"),
        2 => Some("HOPEN2"),
        3 => Some("SUNES"),
        4 => Some("SONS"),
        5 => Some("CARE"),
        _ => None,
    }
}

/// `functionalContextCategory` values the schema's enum allows (the labels list 73 and 74 too).
pub const FUNCTIONAL_CONTEXT_MAX: i64 = 72;
/// `technicalContextCategory` values run 1..=14 in the labels (the enum says ≤ 72).
pub const TECHNICAL_CONTEXT_MAX: i64 = 14;

/// The nine `dateType` kinds, in code order, as column names of the `events` table.
pub const DATE_COLUMNS: [&str; 9] = [
    "request_effective_at",
    "request_planned_at",
    "request_cancelled_at",
    "registration_effective_at",
    "registration_planned_at",
    "registration_cancelled_at",
    "completed_at",
    "completion_planned_at",
    "completion_cancelled_at",
];

/// `stakeholderIdType` names.
pub fn id_type_name(code: i64) -> Option<&'static str> {
    match code {
        1 => Some("finess_plage"),
        2 => Some("finess_geo"),
        3 => Some("finess_jur"),
        4 => Some("siren"),
        5 => Some("siret"),
        6 => Some("ght"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_list_is_complete_and_ordered() {
        let codes: Vec<u16> = EVENT_TYPES.iter().map(|(code, _)| *code).collect();
        assert_eq!(codes, (1..=61).collect::<Vec<u16>>());
        assert_eq!(
            event_type_label(43),
            Some("RÉPONDRE/Plan intervention/Gestion de crise/Simulation-Exercice")
        );
        assert_eq!(event_type_label(62), None);
    }
}
