//! Dates and times as French exports write them. Every wall-clock time is Europe/Paris.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

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
    fn arrow_epochs() {
        assert_eq!(to_date32(NaiveDate::from_ymd_opt(1970, 1, 2).unwrap()), 1);
        let datetime = NaiveDate::from_ymd_opt(1970, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 1)
            .unwrap();
        assert_eq!(to_timestamp_micros(datetime), 1_000_000);
    }
}
