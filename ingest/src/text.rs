//! Turning bytes into text the way French exports need it.

use std::borrow::Cow;

/// The encoding a text file turned out to be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceEncoding {
    Utf8,
    Utf8WithBom,
    /// Bytes that are not valid UTF-8, decoded as Windows-1252 (a superset of Latin-1's
    /// printable range, which is what French Excel and older etalab files use).
    Windows1252,
}

impl SourceEncoding {
    pub fn label(self) -> &'static str {
        match self {
            SourceEncoding::Utf8 => "UTF-8",
            SourceEncoding::Utf8WithBom => "UTF-8 avec BOM",
            SourceEncoding::Windows1252 => "Windows-1252 (Latin-1)",
        }
    }
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decodes UTF-8 (BOM stripped) or, failing that, Windows-1252. Never fails.
pub fn decode_lenient(bytes: &[u8]) -> (Cow<'_, str>, SourceEncoding) {
    if let Some(rest) = bytes.strip_prefix(UTF8_BOM) {
        if let Ok(text) = std::str::from_utf8(rest) {
            return (Cow::Borrowed(text), SourceEncoding::Utf8WithBom);
        }
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        return (Cow::Borrowed(text), SourceEncoding::Utf8);
    }
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
    (text, SourceEncoding::Windows1252)
}

/// Strict UTF-8 with an optional BOM; on failure, the byte offset of the first invalid byte.
pub fn decode_utf8(bytes: &[u8]) -> Result<(&str, bool), (usize, u8)> {
    let (rest, had_bom) = match bytes.strip_prefix(UTF8_BOM) {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    let offset_base = if had_bom { UTF8_BOM.len() } else { 0 };
    std::str::from_utf8(rest).map(|text| (text, had_bom)).map_err(|error| {
        let offset = offset_base + error.valid_up_to();
        (offset, bytes[offset])
    })
}

/// Lower-cases, strips accents and collapses whitespace, for matching headers and labels.
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            pending_space = !folded.is_empty();
            continue;
        }
        if pending_space {
            folded.push(' ');
            pending_space = false;
        }
        for lower in c.to_lowercase() {
            folded.push(strip_accent(lower));
        }
    }
    folded
}

fn strip_accent(c: char) -> char {
    match c {
        'à' | 'â' | 'ä' | 'á' | 'ã' => 'a',
        'ç' => 'c',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'î' | 'ï' | 'í' => 'i',
        'ô' | 'ö' | 'ó' | 'õ' => 'o',
        'ù' | 'û' | 'ü' | 'ú' => 'u',
        'ÿ' => 'y',
        'œ' => 'o',
        other => other,
    }
}

/// Calls `f` with the folded text (as `fold` makes it), without allocating when the text is
/// short ASCII — the usual answer cell (« Oui », « Partiel »), millions per national export.
pub fn with_folded<R>(text: &str, f: impl FnOnce(&str) -> R) -> R {
    const SHORT: usize = 32;
    let trimmed = text.trim();
    if trimmed.len() > SHORT || !trimmed.is_ascii() {
        return f(&fold(text));
    }
    let mut buffer = [0u8; SHORT];
    let mut length = 0;
    let mut pending_space = false;
    for byte in trimmed.bytes() {
        if char::from(byte).is_whitespace() {
            pending_space = length > 0;
            continue;
        }
        if pending_space {
            buffer[length] = b' ';
            length += 1;
            pending_space = false;
        }
        buffer[length] = byte.to_ascii_lowercase();
        length += 1;
    }
    // Only ASCII bytes were written.
    f(std::str::from_utf8(&buffer[..length]).unwrap_or_default())
}

/// French booleans as people type them: Oui/Non, O/N, Vrai/Faux, 1/0, X/empty, Yes/No.
/// `None` when the text is none of those (an empty text is `false`: an unticked box).
pub fn parse_bool_fr(text: &str) -> Option<bool> {
    with_folded(text, bool_fr)
}

/// `parse_bool_fr` on text already folded.
pub fn bool_fr(folded: &str) -> Option<bool> {
    match folded {
        "oui" | "o" | "vrai" | "1" | "x" | "yes" | "y" | "true" => Some(true),
        "non" | "n" | "faux" | "0" | "" | "no" | "false" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ascii_folds_like_fold() {
        for text in [
            "Oui",
            "  NON ",
            "Partiel  en\tcours",
            "\u{a0}Oui\u{a0}",
            "Élevé",
            "",
            "   ",
            "a much longer answer than thirty-two bytes, folded",
            "X",
        ] {
            assert_eq!(with_folded(text, str::to_owned), fold(text), "{text:?}");
        }
    }

    #[test]
    fn latin1_bytes_fall_back_to_windows_1252() {
        let (text, encoding) = decode_lenient(b"H\xd4PITAL G\xc9N\xc9RAL");
        assert_eq!(text, "HÔPITAL GÉNÉRAL");
        assert_eq!(encoding, SourceEncoding::Windows1252);
    }

    #[test]
    fn bom_is_stripped() {
        let (text, encoding) = decode_lenient(b"\xEF\xBB\xBFabc");
        assert_eq!(text, "abc");
        assert_eq!(encoding, SourceEncoding::Utf8WithBom);
    }

    #[test]
    fn strict_utf8_reports_the_offset() {
        assert_eq!(decode_utf8(b"ab\xe9cd"), Err((2, 0xE9)));
        assert_eq!(decode_utf8(b"\xEF\xBB\xBFab\xe9"), Err((5, 0xE9)));
        assert_eq!(decode_utf8(b"ok"), Ok(("ok", false)));
    }

    #[test]
    fn fold_ignores_case_accents_and_spacing() {
        assert_eq!(fold("  N° FINESS\n  Géographique "), "n° finess geographique");
        assert_eq!(fold("Date de\r\ndernière  mise à jour"), "date de derniere mise a jour");
    }

    #[test]
    fn french_booleans() {
        for yes in ["Oui", " OUI ", "o", "Vrai", "1", "x", "Yes"] {
            assert_eq!(parse_bool_fr(yes), Some(true), "{yes}");
        }
        for no in ["Non", "N", "faux", "0", "", "No"] {
            assert_eq!(parse_bool_fr(no), Some(false), "{no}");
        }
        assert_eq!(parse_bool_fr("peut-être"), None);
    }
}
