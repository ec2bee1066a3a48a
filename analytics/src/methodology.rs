//! The *Méthodologie* text, written from the live settings so that it can never disagree
//! with the figures.

use serde::Serialize;

use crate::Settings;
use crate::events::EventRole;

/// A question of the catalogue that evidences an expectation (its `attente` column).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceQuestion {
    /// `E1`, `E4` or `E5`.
    pub expectation: String,
    pub code: String,
    pub label: String,
}

/// The questions of one expectation as the text names them.
fn questions_of(evidence: &[EvidenceQuestion], expectation: &str) -> String {
    let named: Vec<String> = evidence
        .iter()
        .filter(|question| question.expectation == expectation)
        .map(|question| format!("{} « {} »", question.code, question.label))
        .collect();
    if named.is_empty() {
        format!("aucune question du catalogue chargé n'est marquée {expectation}")
    } else {
        named.join(" et ")
    }
}

/// Whether the reader may see the call's amounts (the flat amount and the envelope give the
/// totals away): ARS yes, SESAN and establishments no.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amounts {
    Shown,
    Hidden,
}

pub fn text(settings: &Settings, amounts: Amounts, evidence: &[EvidenceQuestion]) -> String {
    let s = settings;
    let money = match amounts {
        Amounts::Shown => format!(
            "forfait de {} € par exercice, enveloppe de {} €",
            s.aap.flat_amount_euros, s.aap.envelope_euros
        ),
        Amounts::Hidden => "forfait par exercice et enveloppe : montants réservés à l'ARS".to_owned(),
    };
    let [l2, l3, l4, l5] = s.maturity.level_bounds;
    let t = &s.targeting;
    format!(
        "Méthodologie des indicateurs — {region}

Tous les indicateurs sont calculés à une date de référence (par défaut aujourd'hui) ; une date passée rejoue l'historique. Seuls les établissements et les niveaux TLP que vous êtes autorisé à voir entrent dans les calculs, avant toute agrégation. Départements de la région : {departements}.

1. Fraîcheur de la déclaration OPSSIES (oSIS)
   Dernière déclaration : la plus récente « Date de dernière mise à jour », toutes campagnes confondues.
   À jour : {up} jours ou moins ; à rafraîchir : de {up_next} à {refresh} jours ; obsolète : plus de {refresh} jours ; jamais : aucune déclaration.

2. Exercice de crise
   Réalisé : un exercice terminé dans les {done} jours précédant la date de référence (classeur ARS ou événement OPSSIES {exercise_codes} ; les deux sources à {same} jours d'écart ou moins comptent pour un seul exercice).
   Planifié : sinon, un exercice prévu dans les {planned} jours suivants. En retard : un exercice a déjà eu lieu mais pas dans les {done} jours et aucun n'est prévu. Jamais : aucun exercice connu.
   Actions en retard : échéance dépassée et statut ni « fait » ni « abandonné ».

3. Audits
   OSE : ADS (événement {ads}) et SILENE (événement {silene}) réalisés dans les {audit} jours. Tous les ES : cybersurveillance ({cyber}) et messagerie ({mail}) dans les {audit} jours ; audit CaRE D1 ({care}) avec son niveau.

4. Maturité (questionnaire oSIS)
   Score d'un domaine = 100 × points obtenus ÷ points maximum, sur les questions notées auxquelles l'établissement a répondu (points et poids du catalogue). Score global = moyenne des domaines pondérée par leurs poids.
   Complétude = questions notées répondues ÷ questions notées. Maturité « partielle » sous {partial} % de complétude, non calculée sous {not_computed} % (on retient alors la dernière campagne suffisamment complète).
   Niveaux : 1 Initial [0 ; {l2}[, 2 Fragile [{l2} ; {l3}[, 3 En progrès [{l3} ; {l4}[, 4 Maîtrisé [{l4} ; {l5}[, 5 Avancé [{l5} ; 100].

5. Attentes nationales (E1 à E5) — atteint, partiel, non atteint, ou inconnu (aucune donnée : jamais compté comme atteint)
   E1 exercice : exercice réalisé dans les {done} jours (ou date déclarée dans oSIS : {e1}) ; partiel s'il est prévu dans les {planned} jours.
   E2 audits : OSE, ADS et SILENE dans les {audit} jours (partiel : l'un des deux) ; autres, cybersurveillance dans les {audit} jours.
   E3 observatoire : déclaration de {age} jours ou moins et statut « Validé » ; partiel si elle n'est pas validée.
   E4 sensibilisation : au moins {aware} % du personnel sensibilisé ({e4}), ou une formation (événements {training}) dans les {audit} jours ; partiel de 1 à {aware_below} %.
   E5 cartographie : {e5}, toutes « oui » ; partiel si l'une est « oui » ou « partiel ».
   Les questions qui servent de preuve sont celles que le catalogue marque dans sa colonne « attente ».

6. Auto-évaluation et kit
   Score de la grille (23 questions). Kit recommandé : score inférieur à {kit_from} → débutant ; de {kit_from} à {kit_above} → intermédiaire ; supérieur à {kit_above} → confirmé. Une grille incomplète ne recommande aucun kit ; la plus récente compte.

7. Appel à projets « {call} »
   Fenêtre de dépôt du {opens} au {closes} ; {money}.
   Contrôles : (1) dépôt dans la fenêtre ; (2) ES de la région au référentiel FINESS ; (3) score d'auto-évaluation et grille jointe ; (4) mise à jour OPSSIES dans les {months} mois calendaires avant le dépôt ; (5) date déclarée confirmée par la dernière déclaration de l'observatoire à la date de dépôt, à {cross} jours près ; (6) bon de commande joint et montant positif ; (7) pas déjà financé dans cet appel.
   File : premier arrivé, premier servi, à la date de dépôt ; chaque dossier retenu engage le forfait ; au-delà de l'enveloppe, liste d'attente. À payer : exercice réalisé et facture jointe ; payé : date de paiement.

8. Ciblage SESAN (score de 0 à 100)
   Pas d'exercice dans les {done} jours +{w1} ; OSE sans ADS ou SILENE +{w2} ; déclaration obsolète ou jamais faite +{w3} ; maturité de niveau 1 ou 2 +{w4} ; actions post-exercice en retard +{w5} ; incident dans les {audit} jours +{w6} ; pas de cybersurveillance +{w7}.

9. Comparaison aux pairs
   Pour chaque mesure : valeur de l'établissement, rang (percentile), médiane, seuils des 20 % les moins bons et des 20 % les meilleurs, pour le département, la région, le groupe de pairs (secteur × famille de catégorie) et la France quand des données nationales sont chargées.
   Un groupe de moins de {k} établissements n'est pas affiché (« effectif insuffisant »).
   Pour un établissement, les chiffres des pairs sont ceux du dernier arrêté trimestriel (31/03, 30/06, 30/09 ou 31/12 précédant la date de référence) et sont arrondis au point : deux dates ou deux groupes ne permettent pas de retrouver la valeur d'un pair.

10. Incidents
   Une notification à la CNIL plus de {cnil} heures après la déclaration d'une fuite de données est signalée en retard.
",
        region = s.region.name,
        departements = s.region.departements.join(", "),
        up = s.freshness.up_to_date_days,
        up_next = s.freshness.up_to_date_days + 1,
        refresh = s.freshness.refresh_days,
        done = s.exercises.done_within_days,
        planned = s.exercises.planned_within_days,
        same = s.exercises.same_exercise_within_days,
        audit = s.audits.within_days,
        partial = s.maturity.partial_below * 100.0,
        not_computed = s.maturity.not_computed_below * 100.0,
        age = s.scorecard.declaration_max_age_days,
        aware = s.scorecard.awareness_met_percent,
        aware_below = s.scorecard.awareness_met_percent - 1.0,
        kit_from = s.self_assessment.intermediate_from,
        kit_above = s.self_assessment.confirmed_above,
        call = s.aap.name,
        opens = s.aap.opens_on.format("%d/%m/%Y"),
        closes = s.aap.closes_on.format("%d/%m/%Y"),
        months = s.aap.update_within_months,
        cross = s.aap.cross_check_days,
        w1 = t.no_exercise,
        w2 = t.ose_missing_audit,
        w3 = t.declaration_outdated,
        w4 = t.low_maturity,
        w5 = t.overdue_actions,
        w6 = t.recent_incident,
        w7 = t.no_cybersurveillance,
        k = s.benchmarks.minimum_group_size,
        cnil = s.incidents.cnil_within_hours,
        exercise_codes = EventRole::Exercise.codes(),
        ads = EventRole::Ads.codes(),
        silene = EventRole::Silene.codes(),
        cyber = EventRole::Cybersurveillance.codes(),
        mail = EventRole::MailAudit.codes(),
        care = EventRole::CareAudit.codes(),
        training = EventRole::Training.codes(),
        e1 = questions_of(evidence, "E1"),
        e4 = questions_of(evidence, "E4"),
        e5 = questions_of(evidence, "E5"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_follows_the_settings() {
        let defaults = text(&Settings::default(), Amounts::Shown, &[]);
        assert!(defaults.contains("À jour : 90 jours ou moins ; à rafraîchir : de 91 à 365 jours"));
        assert!(defaults.contains("moins de 5 établissements"));
        let changed = Settings::from_layers(&[("x.toml", "[benchmarks]\nminimum_group_size = 7\n")]).unwrap();
        assert!(text(&changed, Amounts::Shown, &[]).contains("moins de 7 établissements"));
        assert!(defaults.contains("événements 21, 22"));
        assert!(defaults.contains("aucune question du catalogue chargé n'est marquée E4"));
    }
}
