//! Dates and times as French exports write them. Every wall-clock time is Europe/Paris.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};

/// `yyyy-mm-dd` or `dd/mm/yyyy`, with an optional time part that is ignored.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let date_part = text.split([' ', 'T']).next().unwrap_or(text);
    NaiveDate::parse_from_str(date_part, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(date_part, "%d/%m/%Y"))
        .ok()
}

/// The OPSSIES `AAAAMMJJ-HHMMSS` form (Paris wall-clock time). A bare `AAAAMMJJ` is midnight.
pub fn parse_opssies_datetime(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    if let Ok(datetime) = NaiveDateTime::parse_from_str(text, "%Y%m%d-%H%M%S") {
        return Some(datetime);
    }
    if text.len() == 8 {
        return NaiveDate::parse_from_str(text, "%Y%m%d")
            .ok()
            .map(|date| date.and_time(NaiveTime::MIN));
    }
    None
}

/// A date and time as French exports write them: `dd/mm/yyyy`, `dd/mm/yyyy hh:mm[:ss]`,
/// `yyyy-mm-dd`, `yyyy-mm-dd hh:mm[:ss]`, or ISO 8601 with an offset (converted to Paris time).
pub fn parse_datetime_fr(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    // The usual cell, `dd/mm/yyyy`, read without trying every format (millions per export).
    if let Some(date) = plain_french_date(text) {
        return Some(date.and_time(NaiveTime::MIN));
    }
    if let Ok(with_offset) = DateTime::parse_from_rfc3339(text) {
        return Some(utc_to_paris(with_offset.naive_utc()));
    }
    const FORMATS: [&str; 6] = [
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ];
    FORMATS
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .or_else(|| parse_date(text).map(|date| date.and_time(NaiveTime::MIN)))
}

/// `dd/mm/yyyy` exactly (two-digit day and month), else `None` (the caller tries the rest).
fn plain_french_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[2] != b'/' || bytes[5] != b'/' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        bytes[range].iter().try_fold(0u32, |value, byte| {
            byte.is_ascii_digit().then(|| value * 10 + u32::from(byte - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(i32::try_from(number(6..10)?).ok()?, number(3..5)?, number(0..2)?)
}

/// Europe/Paris wall-clock time of a UTC instant (the time-zone database, not a rule of our
/// own: it knows the EU rule and any change to it).
pub fn utc_to_paris(utc: NaiveDateTime) -> NaiveDateTime {
    chrono_tz::Europe::Paris.from_utc_datetime(&utc).naive_local()
}

/// Today as the users live it: the date in Paris, whatever the server's time zone (the
/// server, the CLI and the cache keys all read this one).
pub fn paris_today() -> NaiveDate {
    paris_date_of(chrono::Utc::now())
}

/// The Paris date of a UTC instant.
pub fn paris_date_of(instant: DateTime<chrono::Utc>) -> NaiveDate {
    instant.with_timezone(&chrono_tz::Europe::Paris).date_naive()
}

/// Days since 1970-01-01, Arrow's `Date32`.
pub fn to_date32(date: NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("the epoch is a valid date");
    i32::try_from((date - epoch).num_days()).unwrap_or(i32::MAX)
}

/// Microseconds since 1970-01-01 00:00, Arrow's `Timestamp(Microsecond, None)`.
pub fn to_timestamp_micros(datetime: NaiveDateTime) -> i64 {
    datetime.and_utc().timestamp_micros()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_date_orders() {
        let expected = NaiveDate::from_ymd_opt(1979, 2, 13);
        assert_eq!(parse_date("1979-02-13"), expected);
        assert_eq!(parse_date("13/02/1979"), expected);
        assert_eq!(parse_date("13/02/1979 08:15"), expected);
        assert_eq!(parse_date("31/02/1979"), None);
        assert_eq!(parse_date(""), None);
    }

    #[test]
    fn the_plain_french_shortcut_reads_what_chrono_reads() {
        for text in [
            "13/02/1979",
            "31/02/1979",
            "01/13/2024",
            "29/02/2024",
            "1/02/1979",
            "13-02-1979",
            "aa/bb/cccc",
        ] {
            let by_chrono = NaiveDate::parse_from_str(text, "%d/%m/%Y").ok();
            let shortcut = plain_french_date(text);
            // The shortcut may decline (None) and leave the text to chrono, never disagree.
            assert!(shortcut.is_none() || shortcut == by_chrono, "{text}");
            assert_eq!(
                parse_datetime_fr(text).map(|datetime| datetime.date()),
                by_chrono,
                "{text}"
            );
        }
        assert_eq!(plain_french_date("13/02/1979"), NaiveDate::from_ymd_opt(1979, 2, 13));
    }

    #[test]
    fn opssies_timestamps() {
        let parsed = parse_opssies_datetime(" 20240115-141742 ").unwrap();
        assert_eq!(parsed.to_string(), "2024-01-15 14:17:42");
        assert_eq!(
            parse_opssies_datetime("20240229").unwrap().to_string(),
            "2024-02-29 00:00:00"
        );
        assert_eq!(
            parse_opssies_datetime("20230229-000000"),
            None,
            "2023 is not a leap year"
        );
        assert_eq!(parse_opssies_datetime("2024-01-15"), None);
    }

    #[test]
    fn french_date_times_and_paris_time() {
        assert_eq!(
            parse_datetime_fr("15/03/2023 08:05").unwrap().to_string(),
            "2023-03-15 08:05:00"
        );
        assert_eq!(
            parse_datetime_fr("15/03/2023").unwrap().to_string(),
            "2023-03-15 00:00:00"
        );
        assert_eq!(
            parse_datetime_fr("2023-03-15T08:05:09").unwrap().to_string(),
            "2023-03-15 08:05:09"
        );
        // 22:30 UTC on 15 January is 23:30 in Paris (winter, UTC+1): still the 15th.
        assert_eq!(
            parse_datetime_fr("2024-01-15T22:30:00Z").unwrap().to_string(),
            "2024-01-15 23:30:00"
        );
        // 22:30 UTC on 15 July is 00:30 on the 16th in Paris (summer, UTC+2).
        assert_eq!(
            parse_datetime_fr("2024-07-15T22:30:00Z").unwrap().to_string(),
            "2024-07-16 00:30:00"
        );
        // 2024 switched on Sunday 31 March at 01:00 UTC and back on Sunday 27 October at 01:00 UTC.
        let at = |text: &str| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(utc_to_paris(at("2024-03-31 00:59")).to_string(), "2024-03-31 01:59:00");
        assert_eq!(utc_to_paris(at("2024-03-31 01:00")).to_string(), "2024-03-31 03:00:00");
        assert_eq!(utc_to_paris(at("2024-10-27 00:59")).to_string(), "2024-10-27 02:59:00");
        assert_eq!(utc_to_paris(at("2024-10-27 01:00")).to_string(), "2024-10-27 02:00:00");
        assert_eq!(parse_datetime_fr("le 15 mars"), None);
    }

    #[test]
    fn today_is_the_paris_date() {
        let at = |text: &str| DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&chrono::Utc);
        // 23:30 UTC on 31 December is 00:30 on 1 January in Paris; 22:59 UTC is still the 31st.
        assert_eq!(paris_date_of(at("2026-12-31T23:30:00Z")).to_string(), "2027-01-01");
        assert_eq!(paris_date_of(at("2026-12-31T22:59:00Z")).to_string(), "2026-12-31");
        // Summer: 22:00 UTC on 30 June is midnight in Paris.
        assert_eq!(paris_date_of(at("2026-06-30T22:00:00Z")).to_string(), "2026-07-01");
        assert_eq!(paris_date_of(at("2026-06-30T21:59:59Z")).to_string(), "2026-06-30");
    }

    #[test]
    fn arrow_epochs() {
        assert_eq!(to_date32(NaiveDate::from_ymd_opt(1970, 1, 2).unwrap()), 1);
        let datetime = NaiveDate::from_ymd_opt(1970, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 1)
            .unwrap();
        assert_eq!(to_timestamp_micros(datetime), 1_000_000);
    }
}
