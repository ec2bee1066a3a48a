//! The rule that keeps peer figures from being differenced (spec: "peer figures shown to an
//! establishment cannot be combined, two dates or two filters, to recover a peer's value").
//!
//! An establishment that could ask its peers' median and 20 % thresholds at any date would
//! see the group change by one member from one day to the next and solve for that member's
//! value; when (n − 1) × 0.2 is whole, a threshold *is* one peer's value. So, for the
//! establishment role:
//! - peer figures are those of a **frozen snapshot**: the last quarter end (31/03, 30/06,
//!   30/09, 31/12) on or before the reference date. Every date of a quarter gives the same
//!   figures, so consecutive dates tell nothing; the groups only change four times a year,
//!   when most members' values change too;
//! - a group smaller than `minimum_group_size` (k) shows no figure;
//! - median and thresholds are **rounded to the whole point** (and the rank to the whole
//!   percentile): a published figure is never a peer's exact value, so even two snapshots
//!   whose groups differ by one member leave that member's value unknown within a point.
//!
//! ARS and SESAN see every establishment's own value anyway; they get the figures of the
//! reference date itself, unrounded.

use chrono::{Datelike, NaiveDate};

/// Which date a fiche's peer figures are read at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PeerBasis {
    /// The reference date, exact figures (region viewers).
    #[default]
    AsOf,
    /// The last quarter end on or before the reference date, rounded figures (an
    /// establishment).
    Frozen,
}

impl PeerBasis {
    pub fn date(self, as_of: NaiveDate) -> NaiveDate {
        match self {
            PeerBasis::AsOf => as_of,
            PeerBasis::Frozen => quarter_end_on_or_before(as_of),
        }
    }

    /// A published figure under this basis.
    pub fn publish(self, value: f64) -> f64 {
        match self {
            PeerBasis::AsOf => value,
            PeerBasis::Frozen => value.round(),
        }
    }
}

/// The last of 31/03, 30/06, 30/09, 31/12 that is not after `day`.
pub fn quarter_end_on_or_before(day: NaiveDate) -> NaiveDate {
    let end_of = |year: i32, month: u32| {
        let next = if month == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, month + 1, 1)
        };
        next.and_then(|first| first.pred_opt()).unwrap_or(day)
    };
    let quarter_month = ((day.month() - 1) / 3) * 3 + 3;
    let this_quarter = end_of(day.year(), quarter_month);
    if this_quarter == day {
        return day;
    }
    // The previous quarter's end: the day before this quarter began.
    let first_month = quarter_month - 2;
    NaiveDate::from_ymd_opt(day.year(), first_month, 1)
        .and_then(|first| first.pred_opt())
        .unwrap_or(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn snapshots_are_quarter_ends_on_or_before_the_date() {
        // Both sides of each boundary.
        for (asked, snapshot) in [
            ("2026-11-29", "2026-09-30"),
            ("2026-09-30", "2026-09-30"),
            ("2026-10-01", "2026-09-30"),
            ("2026-09-29", "2026-06-30"),
            ("2026-01-01", "2025-12-31"),
            ("2025-12-31", "2025-12-31"),
            ("2024-03-31", "2024-03-31"),
            ("2024-03-30", "2023-12-31"),
            ("2024-04-01", "2024-03-31"),
        ] {
            assert_eq!(quarter_end_on_or_before(day(asked)), day(snapshot), "{asked}");
        }
    }

    #[test]
    fn frozen_figures_are_whole_points() {
        assert_eq!(PeerBasis::Frozen.publish(47.34), 47.0);
        assert_eq!(PeerBasis::Frozen.publish(47.5), 48.0);
        assert_eq!(PeerBasis::AsOf.publish(47.34), 47.34);
    }
}
