//! Households: the demand units of a run, from `households.geojson`
//! ([`geojson`]) or from a household table, one child per row, as CSV or
//! XLSX ([`table`], on the cells of [`cells`]). Both readers hand each
//! child to the same checks as a [`record::ChildRecord`], so a child is
//! accepted or refused alike, with the same message, in every format.

pub mod cells;
pub mod geojson;
pub mod record;
pub mod table;

pub use geojson::{
    households_geojson_from_bytes, households_geojson_from_str, read_households_geojson,
};
pub use record::parse_date;
pub use table::{TableKind, household_table_from_bytes, read_household_table};

use crate::io::Noted;
use crate::model::Unit;
use chrono::NaiveDate;
use std::path::Path;

/// Read and validate a households file, by its extension: a household
/// table for `.csv` and `.xlsx` ([`TableKind`]), GeoJSON otherwise.
/// `latest_birth` is the census date: a birth after it is refused.
/// Noted: what a household table notes ([`read_household_table`]).
pub fn read_households(path: &Path, latest_birth: NaiveDate) -> Noted<Vec<Unit>> {
    match TableKind::of(path) {
        Some(kind) => read_household_table(path, kind, latest_birth),
        None => read_households_geojson(path, latest_birth).into(),
    }
}
