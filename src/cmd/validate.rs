//! `catchment validate`: check the inputs exactly as `plan` would read
//! them, and write nothing.

use super::CliError;
use super::inputs::{InputArgs, load};
use crate::model::Level;

pub const ABOUT: &str = "Check the inputs (files, fields, policy) and write nothing";

pub const AFTER_HELP: &str = "\
Examples:
  catchment validate                               # the bundled example
  catchment validate --config county/scenario.toml
  catchment validate --households hh.geojson --schools schools.geojson

Exit codes: 0 the inputs are valid, 2 they are not (every problem is listed with
file, feature index and id, field, what was expected and what was found).";

pub fn run(args: &InputArgs) -> Result<i32, CliError> {
    let l = load(args)?;
    crate::outln!("valid: {}", l.describe());
    crate::outln!("  units: {}, schools: {}", l.units.len(), l.schools.len());
    for level in Level::ALL {
        let d = &l.demand[level.index()];
        let students: u64 = d.students.iter().map(|&s| s as u64).sum();
        let seats: u64 = l
            .schools
            .iter()
            .filter(|s| s.takes_catchment(level))
            .filter_map(|s| s.seats(level, &l.scenario.policy))
            .map(|s| s as u64)
            .sum();
        crate::outln!(
            "  {}: {} entry-cohort students, {} public seats",
            level.as_str(),
            students,
            seats
        );
    }
    if let Some(g) = &l.roads {
        crate::outln!(
            "  roads: {} nodes, {} pieces in {} connected parts, {} loose ends joined; {} units over {} m from a road",
            g.node_count(),
            g.pieces.len(),
            g.component_count(),
            g.joined_ends,
            l.far_from_road.len(),
            crate::spatial::network::SNAP_WARN_M
        );
    }
    let with_students = |level: Level| -> Vec<usize> {
        let d = &l.demand[level.index()].students;
        (0..l.units.len())
            .filter(|&i| d.get(i).is_some_and(|&n| n > 0))
            .collect()
    };
    if let (Some(current), Some(path)) = (&l.current, &l.source.current) {
        let per_level: Vec<String> = Level::ALL
            .into_iter()
            .map(|level| {
                let units = with_students(level);
                let inside = units
                    .iter()
                    .filter(|&&i| current[level.index()][i].is_some())
                    .count();
                format!("{} {inside} of {}", level.as_str(), units.len())
            })
            .collect();
        crate::outln!(
            "  current zones ({}): units with students in a zone: {}",
            path.display(),
            per_level.join(", ")
        );
    }
    if let Some(path) = &l.source.pins {
        let per_level: Vec<String> = Level::ALL
            .into_iter()
            .map(|level| {
                let n = l.pins[level.index()].iter().flatten().count();
                format!("{n} at {}", level.as_str())
            })
            .collect();
        crate::outln!(
            "  pins ({}): units pinned {}",
            path.display(),
            per_level.join(", ")
        );
    }
    if !l.outside_boundary.is_empty() {
        crate::outln!(
            "  warning: {} units outside the boundary (they are still placed)",
            l.outside_boundary.len()
        );
    }
    Ok(0)
}
