//! What a viewer may see, in one type: which establishments and TLP levels (the analytics
//! scope, applied in the queries before any aggregate), which fields (AAP amounts), which
//! export formats. Every page, API answer, export and chart reads it; the page cache keys
//! shared answers by it, so two viewers share an answer only when they may see the same.
//!
//! Fields are allow-listed: the AAP views below are built field by field, so a field added
//! to the analytics result is shown to nobody until it is added here.

use analytics::{AapReport, ApplicationCheck, Scope, Settings};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;

use crate::accounts::Role;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sight {
    pub role: Role,
    /// Establishments and TLP:RED owners (ARS and SESAN: the region, amber and below), and
    /// the peer figures' basis (an establishment: frozen snapshots, `analytics::peers`).
    pub scope: Scope,
    /// AAP amounts: order amounts, envelope, committed, payable, paid, remaining, the flat
    /// amount of the methodology.
    pub amounts: bool,
    /// Parquet exports (for analysts with DuckDB or Python).
    pub parquet: bool,
}

impl Sight {
    /// The rule: the spec's role table (dashboard.md, "Roles and scopes").
    pub fn of(role: Role, sites: &[String]) -> Sight {
        match role {
            Role::Ars => Sight {
                role,
                scope: Scope::region(),
                amounts: true,
                parquet: true,
            },
            Role::Sesan => Sight {
                role,
                scope: Scope::region(),
                amounts: false,
                parquet: false,
            },
            Role::Etablissement => Sight {
                role,
                scope: Scope::establishment(sites.to_vec()),
                amounts: false,
                parquet: false,
            },
            // Admins see no establishment's data: the route table opens none of those pages
            // to them; their data-quality page reads the region's sources.
            Role::Admin => Sight {
                role,
                scope: Scope::region(),
                amounts: false,
                parquet: false,
            },
        }
    }

    /// Part of the shared caches' key: everything this viewer's answers depend on, nothing
    /// of the session.
    pub fn cache_key(&self) -> String {
        format!(
            "{}|{:?}|{:?}|{:?}|{}{}",
            self.role.name(),
            self.scope.sites,
            self.scope.red_sites,
            self.scope.peers,
            u8::from(self.amounts),
            u8::from(self.parquet)
        )
    }

    /// Whether `finess` is one of the viewer's own sites (its views are not journaled).
    pub fn owns(&self, finess: &str) -> bool {
        self.scope
            .sites
            .as_ref()
            .is_some_and(|sites| sites.iter().any(|site| site == finess))
    }

    /// The call's queue as this viewer may see it.
    pub fn aap(&self, report: &AapReport) -> AapView {
        AapView {
            call: report.call.clone(),
            amounts: self.amounts.then_some(AapAmounts {
                envelope_euros: report.envelope_euros,
                committed_euros: report.committed_euros,
                payable_euros: report.payable_euros,
                paid_euros: report.paid_euros,
                remaining_euros: report.remaining_euros,
            }),
            applications: report.applications.iter().map(|a| self.application(a)).collect(),
        }
    }

    fn application(&self, a: &ApplicationCheck) -> ApplicationView {
        ApplicationView {
            application_id: a.application_id,
            finess_et: a.finess_et.clone(),
            name: a.name.clone(),
            state: a.state.clone(),
            deposited_at: a.deposited_at.clone(),
            declared_update_on: a.declared_update_on,
            observed_update_on: a.observed_update_on,
            checks: a.checks,
            eligible: a.eligible,
            queue_rank: a.queue_rank,
            decision: a.decision,
            payment: a.payment,
            order_amount: if self.amounts { a.order_amount } else { None },
            self_assessment_score: a.self_assessment_score,
            exercise_done_on: a.exercise_done_on,
        }
    }

    /// The live settings as this viewer may read them (the methodology's API).
    pub fn settings(&self, settings: &Settings) -> Value {
        let mut value = serde_json::to_value(settings).unwrap_or_default();
        if let Some(object) = value.as_object_mut() {
            // Sessions are the server's business, not a reader's.
            object.remove("sessions");
            if !self.amounts {
                let call = &settings.aap;
                object.insert(
                    "aap".to_owned(),
                    serde_json::json!({
                        "name": call.name,
                        "opens_on": call.opens_on,
                        "closes_on": call.closes_on,
                        "update_within_months": call.update_within_months,
                        "cross_check_days": call.cross_check_days,
                    }),
                );
            }
        }
        value
    }

    pub fn methodology(&self, settings: &Settings, evidence: &[analytics::methodology::EvidenceQuestion]) -> String {
        let amounts = if self.amounts {
            analytics::methodology::Amounts::Shown
        } else {
            analytics::methodology::Amounts::Hidden
        };
        analytics::methodology::text(settings, amounts, evidence)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AapAmounts {
    pub envelope_euros: i64,
    pub committed_euros: i64,
    pub payable_euros: i64,
    pub paid_euros: i64,
    pub remaining_euros: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct AapView {
    pub call: String,
    /// Absent (not zero) for a viewer without the amounts.
    #[serde(flatten)]
    pub amounts: Option<AapAmounts>,
    pub applications: Vec<ApplicationView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApplicationView {
    pub application_id: i64,
    pub finess_et: Option<String>,
    pub name: Option<String>,
    pub state: String,
    pub deposited_at: Option<String>,
    pub declared_update_on: Option<NaiveDate>,
    pub observed_update_on: Option<NaiveDate>,
    pub checks: [analytics::Check; 7],
    pub eligible: bool,
    pub queue_rank: Option<i64>,
    pub decision: analytics::Decision,
    pub payment: Option<analytics::Payment>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_amount: Option<f64>,
    pub self_assessment_score: Option<i64>,
    pub exercise_done_on: Option<NaiveDate>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sesan_sees_no_amount_anywhere() {
        let settings = Settings::default();
        let sesan = Sight::of(Role::Sesan, &[]);
        let json = sesan.settings(&settings).to_string();
        assert!(!json.contains("envelope") && !json.contains("flat_amount"), "{json}");
        let text = sesan.methodology(&settings, &[]);
        assert!(!text.contains(&settings.aap.envelope_euros.to_string()), "{text}");
        assert!(!text.contains(&settings.aap.flat_amount_euros.to_string()), "{text}");
        let ars = Sight::of(Role::Ars, &[]);
        assert!(
            ars.methodology(&settings, &[])
                .contains(&settings.aap.flat_amount_euros.to_string())
        );
    }

    #[test]
    fn viewers_share_answers_only_with_the_same_sight() {
        let one = Sight::of(Role::Etablissement, &["750000001".to_owned()]);
        let other = Sight::of(Role::Etablissement, &["750000002".to_owned()]);
        assert_ne!(one.cache_key(), other.cache_key());
        assert_ne!(
            Sight::of(Role::Ars, &[]).cache_key(),
            Sight::of(Role::Sesan, &[]).cache_key()
        );
        assert!(one.owns("750000001") && !one.owns("750000002"));
        assert!(!Sight::of(Role::Ars, &[]).owns("750000001"));
    }
}
