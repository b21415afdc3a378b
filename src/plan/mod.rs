//! The planning engine: a loaded scenario ([`Loaded`]) solved into the
//! assignment of every level, and the questions every command asks of a
//! plan (per-school rows, placements with reasons, totals, zones, maps).
//!
//! Two ways in:
//! - one-shot, as `plan`, `compare`, `report`, `admit` and `locate` run:
//!   [`problems`] + [`solve_levels`] (or [`solve_loaded`]), the zones
//!   ([`zone_clip`], [`zone_shapes`]) and maps ([`map_input`]); `plan`'s
//!   pipelined version, each level solved then drawn on its own thread, is
//!   [`pipeline::plan_levels`];
//! - interactive, as a planner works: a [`Planner`] holds the scenario and
//!   its solution, takes edits as values ([`PlanEdit`]: a manual move kept
//!   as a pin, unpin, a school opened, closed or resized, a travel limit, a
//!   stability weight) and re-optimises warm from the last seat prices,
//!   reporting what changed ([`Changes`]).
//!
//! No I/O here: loading is `io::load`, writing is the commands'. Errors are
//! [`PlanError`].

mod engine;
mod error;
pub mod files;
mod loaded;
pub mod locate;
pub mod notice;
pub mod pipeline;
mod solve;
mod stats;
mod sweep;
mod zones;

pub use engine::{Changes, LevelChanges, PlanEdit, Planner, Snapshot, UnitChange};
pub use error::PlanError;
pub use loaded::{CohortFailure, Loaded, SchoolOfUnit, Source, entry_cohorts};
pub use solve::{feeder_groups, level_options, problems, solve_level, solve_levels, solve_loaded};
pub use stats::{
    LevelTotals, PupilTravel, SchoolRow, boards, day_and_boarding, level_totals, pupil_travel,
    school_rows,
};
pub use sweep::{SweepRow, run_sweep, sweep_csv};
pub use zones::{
    map_boarding_areas, map_input, map_labels, map_shapes, map_zones, unit_catchments, zone_clip,
    zone_facts, zone_shapes,
};

use crate::io::scenario::ZoneOptions;

/// How a plan is solved: the zone options and the stability weight.
#[derive(Clone, Copy, Debug)]
pub struct PlanSettings {
    pub zones: ZoneOptions,
    /// Travel metres worth one student kept at their current school (used
    /// only with today's zones).
    pub stability: f64,
}

impl PlanSettings {
    /// The scenario's own settings (`[zones]`, `[weights]`).
    pub fn of(loaded: &Loaded) -> PlanSettings {
        PlanSettings {
            zones: loaded.scenario.zones,
            stability: loaded.scenario.stability_m_per_student,
        }
    }
}

/// `f` of each item, on up to `threads` threads at once (the levels of a
/// plan: two), results in item order; on one thread, one after another.
/// Each item's result depends on the item alone, so the output is the same
/// on any number of threads.
pub fn par_map<T: Sync, R: Send>(
    threads: usize,
    items: &[T],
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    if threads <= 1 || items.len() <= 1 {
        return items.iter().map(f).collect();
    }
    let mut out: Vec<R> = Vec::with_capacity(items.len());
    for chunk in items.chunks(threads) {
        std::thread::scope(|sc| {
            let handles: Vec<_> = chunk.iter().map(|x| sc.spawn(|| f(x))).collect();
            for h in handles {
                out.push(h.join().expect("worker thread"));
            }
        });
    }
    out
}
