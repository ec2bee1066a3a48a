//! French number and date formats: `1 234,5`, `45 %`, `29/11/2026`.

use chrono::NaiveDate;

/// A number with a narrow no-break space between thousands and a decimal comma.
pub fn number(value: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, value.abs());
    let (integer, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::new();
    for (index, digit) in integer.chars().enumerate() {
        if index > 0 && (integer.len() - index) % 3 == 0 {
            grouped.push('\u{202f}');
        }
        grouped.push(digit);
    }
    let sign = if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    if fraction.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{fraction}")
    }
}

pub fn integer(value: i64) -> String {
    number(value as f64, 0)
}

/// A share (0–1) as a whole percentage, `45 %`; an empty share is a dash.
pub fn percent(share: Option<f64>) -> String {
    share.map_or_else(
        || "–".to_owned(),
        |share| format!("{}\u{a0}%", number(share * 100.0, 0)),
    )
}

pub fn date(day: Option<NaiveDate>) -> String {
    day.map_or_else(|| "–".to_owned(), |day| day.format("%d/%m/%Y").to_string())
}

pub fn optional(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(|| "–".to_owned(), |value| number(value, decimals))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_formats() {
        assert_eq!(number(1234.5, 1), "1\u{202f}234,5");
        assert_eq!(number(1234567.0, 0), "1\u{202f}234\u{202f}567");
        assert_eq!(number(999.0, 0), "999");
        assert_eq!(number(-0.04, 1), "0,0");
        assert_eq!(number(-12.5, 1), "-12,5");
        assert_eq!(percent(Some(0.4512)), "45\u{a0}%");
        assert_eq!(percent(None), "–");
        assert_eq!(date(NaiveDate::from_ymd_opt(2026, 11, 29)), "29/11/2026");
    }
}
