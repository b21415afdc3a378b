//! Road travel: reading road files (GeoJSON, OSM pbf), the road graph and its
//! routes, and the assignment by road time or distance.

mod assign;
mod cli;
mod io;
mod osm;
mod props;
mod soho;

use crate::common::fixture;
use std::path::PathBuf;

/// A file of John Snow's Soho map (tests/fixtures/snow_soho/).
fn soho(name: &str) -> PathBuf {
    fixture("snow_soho").join(name)
}

/// A file of the small Finnish town's OSM extract
/// (tests/fixtures/osm_finland_town/).
fn finland_town(name: &str) -> PathBuf {
    fixture("osm_finland_town").join(name)
}
