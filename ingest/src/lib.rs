//! Ingest for the OPSSIES observatory: parsers for every input kind (pure functions from
//! bytes to Arrow record batches plus rejects and warnings) and the DuckDB store that loads
//! them, one transaction per file, with provenance.

pub mod catalogue;
pub mod dates;
pub mod finess;
pub mod parsers;
pub mod report;
#[cfg(feature = "store")]
pub mod store;
pub mod tabular;
pub mod text;

pub use finess::Finess;
pub use parsers::{InputKind, Parsed};
pub use report::{Diagnostics, Location, Refusal, Reject, Warning};
#[cfg(feature = "store")]
pub use store::{ImportOptions, ImportOutcome, ImportStatus, Store, StoreError};
