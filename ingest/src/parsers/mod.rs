//! One module per input kind. Each parser is pure: bytes in, Arrow batches and diagnostics
//! out, nothing written anywhere; the store decides what to keep.

pub mod etalab;
pub mod opssies;
pub mod opssies_codes;
pub mod ose;

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;

use crate::report::{Diagnostics, Refusal};
use crate::text::SourceEncoding;

/// The kinds of file the observatory reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputKind {
    OpssiesEvents,
    FinessEtalab,
    OseList,
}

impl InputKind {
    pub const ALL: [InputKind; 3] = [InputKind::OpssiesEvents, InputKind::FinessEtalab, InputKind::OseList];

    /// The name used on the command line and in the `imports` table.
    pub fn name(self) -> &'static str {
        match self {
            InputKind::OpssiesEvents => "opssies-events",
            InputKind::FinessEtalab => "finess",
            InputKind::OseList => "ose-ght",
        }
    }

    /// What a French user calls it.
    pub fn label(self) -> &'static str {
        match self {
            InputKind::OpssiesEvents => "événements OPSSIES",
            InputKind::FinessEtalab => "référentiel FINESS (etalab)",
            InputKind::OseList => "liste OSE / GHT",
        }
    }

    /// Recognises a file from its first bytes (and its name, for JSON).
    pub fn detect(bytes: &[u8]) -> Option<InputKind> {
        if etalab::looks_like(bytes) {
            Some(InputKind::FinessEtalab)
        } else if opssies::looks_like(bytes) {
            Some(InputKind::OpssiesEvents)
        } else if ose::looks_like(bytes) {
            Some(InputKind::OseList)
        } else {
            None
        }
    }
}

impl fmt::Display for InputKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for InputKind {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        InputKind::ALL
            .into_iter()
            .find(|kind| kind.name() == text)
            .ok_or_else(|| {
                let names: Vec<&str> = InputKind::ALL.iter().map(|kind| kind.name()).collect();
                format!("type « {text} » inconnu ; types possibles : {}", names.join(", "))
            })
    }
}

/// A parsed file, ready for the store.
#[derive(Debug)]
pub enum Parsed {
    Finess(etalab::EtalabExtract),
    Events(opssies::EventsFile),
    OseList(ose::OseList),
}

impl Parsed {
    pub fn kind(&self) -> InputKind {
        match self {
            Parsed::Finess(_) => InputKind::FinessEtalab,
            Parsed::Events(_) => InputKind::OpssiesEvents,
            Parsed::OseList(_) => InputKind::OseList,
        }
    }

    /// Rows (lines, events) the file offered, header excluded.
    pub fn rows_read(&self) -> u64 {
        match self {
            Parsed::Finess(extract) => extract.lines_read.saturating_sub(1),
            Parsed::Events(file) => file.events_read,
            Parsed::OseList(list) => list.rows_read,
        }
    }

    pub fn encoding(&self) -> Option<SourceEncoding> {
        match self {
            Parsed::Finess(extract) => Some(extract.encoding),
            Parsed::OseList(list) => Some(list.encoding),
            Parsed::Events(_) => Some(SourceEncoding::Utf8),
        }
    }

    pub fn extract_date(&self) -> Option<NaiveDate> {
        match self {
            Parsed::Finess(extract) => extract.extract_date,
            Parsed::Events(file) => file.extraction_date.map(|datetime| datetime.date()),
            Parsed::OseList(_) => None,
        }
    }
}

/// Parses bytes of a known kind.
pub fn parse(
    kind: InputKind,
    bytes: &[u8],
    file_name: Option<&str>,
    diagnostics: &mut Diagnostics,
) -> Result<Parsed, Refusal> {
    match kind {
        InputKind::FinessEtalab => etalab::parse(bytes, diagnostics).map(Parsed::Finess),
        InputKind::OpssiesEvents => opssies::parse(bytes, file_name, diagnostics).map(Parsed::Events),
        InputKind::OseList => ose::parse(bytes, diagnostics).map(Parsed::OseList),
    }
}
