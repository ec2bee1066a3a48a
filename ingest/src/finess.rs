//! FINESS numbers: the 9-character identifiers of establishments (ET) and legal entities (EJ).

use std::fmt;

/// A FINESS number that matches `[0-9][0-9AB][0-9]{7}`.
///
/// The Luhn key is *not* part of validity: its official rule was never published, so a bad
/// key is reported as a warning by the callers and the number is kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Finess(String);

/// Why a text is not a FINESS number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FinessError {
    #[error("FINESS vide")]
    Empty,
    #[error("« {0} » n'est pas un numéro FINESS (9 caractères attendus : chiffres, ou 2A/2B pour la Corse)")]
    Malformed(String),
}

/// What was done to a FINESS text to make it valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinessRepair {
    /// Leading zeros lost by a spreadsheet that typed the number as a number.
    PaddedLeadingZeros,
    /// Spaces or dots inside the number (`75 010 012 5`) removed.
    SeparatorsRemoved,
}

impl Finess {
    /// Parses a FINESS strictly: exactly 9 characters, after trimming surrounding blanks.
    pub fn parse(text: &str) -> Result<Self, FinessError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(FinessError::Empty);
        }
        if is_well_formed(text) {
            Ok(Finess(text.to_ascii_uppercase()))
        } else {
            Err(FinessError::Malformed(text.to_owned()))
        }
    }

    /// Parses a FINESS as people type it in spreadsheets: spaces removed, and a number of 7 or
    /// 8 digits padded with leading zeros (Excel drops them). Each repair is returned so the
    /// caller can warn about it.
    pub fn parse_lenient(text: &str) -> Result<(Self, Vec<FinessRepair>), FinessError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(FinessError::Empty);
        }
        let mut repairs = Vec::new();
        let mut compact: String = trimmed
            .chars()
            .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '.'))
            .collect();
        if compact.len() != trimmed.len() {
            repairs.push(FinessRepair::SeparatorsRemoved);
        }
        // A number read from an XLSX cell may come back as "10000024.0"-like text: callers
        // pass integers, but accept a trailing ".0" defensively.
        if let Some(stripped) = compact.strip_suffix(",0") {
            compact = stripped.to_owned();
        }
        if (7..9).contains(&compact.len()) && compact.bytes().all(|b| b.is_ascii_digit()) {
            compact = format!("{compact:0>9}");
            repairs.push(FinessRepair::PaddedLeadingZeros);
        }
        if is_well_formed(&compact) {
            Ok((Finess(compact.to_ascii_uppercase()), repairs))
        } else {
            Err(FinessError::Malformed(trimmed.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The département the number was issued in: its first two characters (`75`, `2A`, `97`).
    pub fn departement_prefix(&self) -> &str {
        &self.0[..2]
    }

    /// Whether the 9th digit is the Luhn key of the first eight. `None` for Corsican numbers
    /// (2A/2B), whose key rule is unknown.
    pub fn luhn_ok(&self) -> Option<bool> {
        if !self.0.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(luhn_valid(self.0.as_bytes()))
    }

    /// The placeholder `000000001` that example files and test platforms use.
    pub fn is_placeholder(&self) -> bool {
        self.0.bytes().take(8).all(|b| b == b'0')
    }
}

impl fmt::Display for Finess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn is_well_formed(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 9
        && bytes[0].is_ascii_digit()
        && (bytes[1].is_ascii_digit() || matches!(bytes[1], b'A' | b'B' | b'a' | b'b'))
        && bytes[2..].iter().all(u8::is_ascii_digit)
}

/// Luhn check over ASCII digits, the last one being the key.
fn luhn_valid(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(position, &byte)| {
            let digit = u32::from(byte - b'0');
            if position % 2 == 1 {
                let doubled = digit * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                digit
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The Luhn key that completes eight digits (used by generators and tests).
pub fn luhn_key(first_eight: &str) -> Option<char> {
    if first_eight.len() != 8 || !first_eight.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    (0..10u8).find_map(|key| {
        let mut candidate = first_eight.as_bytes().to_vec();
        candidate.push(b'0' + key);
        luhn_valid(&candidate).then_some(char::from(b'0' + key))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_numbers_have_valid_keys() {
        // Numbers from domain.md, checked against the public FINESS register.
        for number in ["750100125", "930100037", "750712184", "010000024", "010780054"] {
            assert_eq!(Finess::parse(number).unwrap().luhn_ok(), Some(true), "{number}");
        }
    }

    #[test]
    fn a_changed_digit_breaks_the_key() {
        // 750100125 is valid; its last digit changed to 6 cannot be.
        assert_eq!(Finess::parse("750100126").unwrap().luhn_ok(), Some(false));
        // Hand computation for 75010012_: weights from the right 2,1,2,1,...
        // 2*2=4, 1, 0*2=0, 0, 1*2=2, 0, 5*2=10->1, 7 => 15, key = 5.
        assert_eq!(luhn_key("75010012"), Some('5'));
    }

    #[test]
    fn corsica_is_well_formed_but_key_unknown() {
        let corsica = Finess::parse("2A0000013").unwrap();
        assert_eq!(corsica.departement_prefix(), "2A");
        assert_eq!(corsica.luhn_ok(), None);
    }

    #[test]
    fn lenient_parse_pads_numbers_that_lost_their_leading_zero() {
        let (finess, repairs) = Finess::parse_lenient("10000024").unwrap();
        assert_eq!(finess.as_str(), "010000024");
        assert_eq!(repairs, vec![FinessRepair::PaddedLeadingZeros]);
        let (finess, repairs) = Finess::parse_lenient(" 75 010 012 5 ").unwrap();
        assert_eq!(finess.as_str(), "750100125");
        assert_eq!(repairs, vec![FinessRepair::SeparatorsRemoved]);
    }

    #[test]
    fn malformed_numbers_are_refused() {
        for text in ["TST-00", "12345", "7501001250", "7C0100125", "identifiant"] {
            assert!(Finess::parse(text).is_err(), "{text}");
        }
        assert_eq!(Finess::parse("  "), Err(FinessError::Empty));
    }

    #[test]
    fn placeholder_is_recognised() {
        assert!(Finess::parse("000000001").unwrap().is_placeholder());
        assert!(!Finess::parse("010000024").unwrap().is_placeholder());
    }
}
