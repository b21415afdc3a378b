//! Solving a loaded scenario's levels under the plan's settings: the
//! levels' instances built once (arcs, pins), each level solved under the
//! zone options and stability weight, feeder zones grouping the junior units.

use super::{Loaded, PlanError, PlanSettings};
use crate::assign::{Cost, LevelAssignment, LevelOptions, LevelProblem, Travel};
use crate::model::Level;
use crate::zones::geometry::ZoneLookup;

/// The levels' instances, built once (arcs, pins), solved under any weight.
pub fn problems<'a>(loaded: &'a Loaded, travel: Travel<'a>) -> Vec<LevelProblem<'a>> {
    Level::ALL
        .iter()
        .map(|&level| {
            LevelProblem::new(
                &loaded.units,
                &loaded.demand[level.index()],
                &loaded.schools,
                level,
                &loaded.scenario.policy,
                travel,
                Some(&loaded.pins[level.index()]),
            )
        })
        .collect()
}

/// The solve options of a level under the plan's settings (a stability
/// weight only counts against today's zones), its feeder groups, and seat
/// prices to start from.
pub fn level_options<'a>(
    loaded: &'a Loaded,
    level: Level,
    settings: PlanSettings,
    groups: Option<&'a [Option<u32>]>,
    warm: Option<&'a [Cost]>,
) -> LevelOptions<'a> {
    let z = settings.zones;
    LevelOptions {
        current: loaded.current.as_ref().map(|c| c[level.index()].as_slice()),
        stability_m_per_student: if loaded.current.is_some() {
            settings.stability
        } else {
            0.0
        },
        whole_units: z.whole_units || z.feeder,
        contiguous: z.contiguous,
        groups,
        warm,
        neighbours: None,
    }
}

/// One level solved under the plan's settings.
pub fn solve_level(
    loaded: &Loaded,
    p: &LevelProblem,
    settings: PlanSettings,
    groups: Option<&[Option<u32>]>,
) -> Result<LevelAssignment, PlanError> {
    Ok(p.solve(&level_options(loaded, p.level, settings, groups, None))?)
}

/// Solve both levels: at once on two threads, or, with feeder groups (the
/// junior level grouped by the primary zones), primary first.
pub fn solve_levels(
    loaded: &Loaded,
    problems: &[LevelProblem],
    settings: PlanSettings,
) -> Result<Vec<LevelAssignment>, PlanError> {
    if !settings.zones.feeder {
        return super::par_map(loaded.threads, problems, |p| {
            solve_level(loaded, p, settings, None)
        })
        .into_iter()
        .collect();
    }
    let mut levels: Vec<LevelAssignment> = Vec::new();
    for p in problems {
        let groups: Option<Vec<Option<u32>>> = match (p.level, levels.first()) {
            (Level::Junior, Some(primary)) => Some(feeder_groups(loaded, primary)),
            _ => None,
        };
        levels.push(solve_level(loaded, p, settings, groups.as_deref())?);
    }
    Ok(levels)
}

/// Solves every level of a loaded scenario as `plan` does (road travel
/// when the scenario has roads), under the scenario's own settings.
pub fn solve_loaded(loaded: &Loaded) -> Result<Vec<LevelAssignment>, PlanError> {
    let probs = problems(loaded, loaded.travel());
    solve_levels(loaded, &probs, PlanSettings::of(loaded))
}

/// Each unit's primary zone (the school of the nearest unit placed at
/// primary level, as the catchment polygons draw it).
pub fn feeder_groups(loaded: &Loaded, primary: &LevelAssignment) -> Vec<Option<u32>> {
    let pts = loaded.points();
    let lookup = ZoneLookup::new(&pts, &primary.zone_labels(pts.len()));
    pts.iter()
        .map(|&(lon, lat)| lookup.label_at(lon, lat).map(|j| j as u32))
        .collect()
}
