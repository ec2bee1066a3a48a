//! The statuses the indicators give, as types: the SQL writes their French label, reading a
//! row turns it into one of these (an unknown label is an error, not a silent « failure »),
//! and pages and exports match them exhaustively.

use duckdb::types::{FromSql, FromSqlError, FromSqlResult, ValueRef};
use serde::{Serialize, Serializer};

/// A label the SQL wrote that no status has.
#[derive(Debug, thiserror::Error)]
#[error("statut « {0} » inconnu")]
pub struct UnknownStatus(pub String);

macro_rules! statuses {
    ($(#[$doc:meta])* $name:ident { $($(#[$variant_doc:meta])* $variant:ident => $label:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$variant_doc])* $variant),+
        }

        impl $name {
            /// Every value, in the order pages list them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The French label, the one the SQL writes and the pages show.
            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label),+
                }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($label => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.pad(self.label())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.label())
            }
        }

        /// Compares the label (tests read `status == "à jour"`).
        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.label() == *other
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                let text = String::column_result(value)?;
                $name::parse(&text).ok_or_else(|| FromSqlError::Other(Box::new(UnknownStatus(text))))
            }
        }
    };
}

statuses!(
    /// Freshness of an establishment's declaration (indicators.md §1).
    Freshness {
        UpToDate => "à jour",
        ToRefresh => "à rafraîchir",
        Obsolete => "obsolète",
        Never => "jamais",
    }
);

statuses!(
    /// An establishment's crisis exercise (indicators.md §2).
    ExerciseStatus {
        Done => "réalisé",
        Planned => "planifié",
        Late => "en retard",
        Never => "jamais",
    }
);

statuses!(
    /// One national expectation E1–E5: never « met » without data.
    Expectation {
        Met => "atteint",
        Partial => "partiel",
        NotMet => "non atteint",
        Unknown => "inconnu",
    }
);

statuses!(
    /// One check of an application of the call.
    Check {
        Pass => "ok",
        Fail => "échec",
        Unknown => "inconnu",
    }
);

statuses!(
    /// Where an application stands in the call's queue.
    Decision {
        Selected => "retenu",
        WaitingList => "liste d'attente",
        Ineligible => "inéligible",
    }
);

statuses!(
    /// The payment of a selected application.
    Payment {
        Committed => "engagé",
        Payable => "à payer",
        Paid => "payé",
    }
);

statuses!(
    /// A source's imports against its cadence plus grace.
    SourceStatus {
        UpToDate => "à jour",
        Late => "en retard",
        NeverImported => "jamais importé",
    }
);

statuses!(
    /// Why SESAN should help an establishment first (indicators.md §8).
    Reason {
        Exercise => "exercice",
        OseAudits => "audits OSE",
        Declaration => "déclaration",
        Maturity => "maturité",
        OverdueActions => "actions en retard",
        Incident => "incident",
        Cybersurveillance => "cybersurveillance",
    }
);

impl Reason {
    /// The SESAN offer that answers it.
    pub fn offer(self) -> &'static str {
        match self {
            Reason::Exercise => "accompagnement à l'exercice de crise cyber",
            Reason::OseAudits | Reason::Cybersurveillance => {
                "cybersurveillance, scanner de vulnérabilités, tests d'intrusion"
            }
            Reason::Declaration => "aide à la mise à jour OPSSIES",
            Reason::Maturity => "analyse de risques, cartographie, équipe SSI",
            Reason::OverdueActions => "suivi du plan d'actions post-exercice",
            Reason::Incident => "réponse à incident",
        }
    }
}
