//! The OPSSIES event types the indicators read, named once: the SQL reads them from the
//! context table `event_codes` (filled from this list), the methodology text from here.

/// What an OPSSIES event type evidences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventRole {
    /// Active Directory audit (ADS).
    Ads,
    /// SILENE Internet exposure audit (ANSSI).
    Silene,
    Cybersurveillance,
    MailAudit,
    /// CaRE technical audit (Next-Gen), with a level.
    CareAudit,
    /// Awareness and training.
    Training,
    /// Cyber crisis exercise.
    Exercise,
    /// Supported incident.
    Incident,
}

/// Each event type code (OPSSIES BI v0.13 `eventType`) and what it evidences.
pub const EVENT_CODES: [(i32, EventRole); 9] = [
    (27, EventRole::Ads),
    (60, EventRole::Silene),
    (28, EventRole::Cybersurveillance),
    (61, EventRole::MailAudit),
    (29, EventRole::CareAudit),
    (21, EventRole::Training),
    (22, EventRole::Training),
    (43, EventRole::Exercise),
    (44, EventRole::Incident),
];

impl EventRole {
    /// The name the SQL matches (`event_codes.role`).
    pub fn name(self) -> &'static str {
        match self {
            EventRole::Ads => "ads",
            EventRole::Silene => "silene",
            EventRole::Cybersurveillance => "cybersurveillance",
            EventRole::MailAudit => "mail_audit",
            EventRole::CareAudit => "care_audit",
            EventRole::Training => "training",
            EventRole::Exercise => "exercise",
            EventRole::Incident => "incident",
        }
    }

    /// An audit: its latest outcome level is shown by kind on the regional page.
    pub fn is_audit(self) -> bool {
        match self {
            EventRole::Ads
            | EventRole::Silene
            | EventRole::Cybersurveillance
            | EventRole::MailAudit
            | EventRole::CareAudit => true,
            EventRole::Training | EventRole::Exercise | EventRole::Incident => false,
        }
    }

    /// The codes of this role, as the methodology writes them (« 21, 22 »).
    pub fn codes(self) -> String {
        EVENT_CODES
            .iter()
            .filter(|(_, role)| *role == self)
            .map(|(code, _)| code.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}
