//! The stability sweep: travel against students moved from their current
//! school, one solve per weight.

use super::{Loaded, PlanError, PlanSettings, solve_levels};
use crate::assign::LevelProblem;
use crate::io::results::moved;
use crate::io::scenario::ZoneOptions;
use crate::model::Level;

/// One solve of the stability sweep, per level.
pub struct SweepRow {
    pub weight: f64,
    pub level: Level,
    pub moved: u64,
    pub placed: u64,
    pub unplaced: u64,
    pub objective_mm: i128,
    pub gap: Option<f64>,
}

/// Each level solved again under each stability weight (today's zones
/// needed: without them there is nothing to weigh).
pub fn run_sweep(
    loaded: &Loaded,
    problems: &[LevelProblem],
    zones: ZoneOptions,
    weights: &[f64],
) -> Result<Vec<SweepRow>, PlanError> {
    let current = loaded.current.as_ref().expect("sweep needs current zones");
    let mut rows = Vec::new();
    for &w in weights {
        let settings = PlanSettings {
            zones,
            stability: w,
        };
        for la in solve_levels(loaded, problems, settings)? {
            rows.push(SweepRow {
                weight: w,
                level: la.level,
                moved: moved(&la, &current[la.level.index()]),
                placed: la.placed(),
                unplaced: la.students - la.placed(),
                objective_mm: la.objective_mm(),
                gap: la.gap(),
            });
        }
    }
    Ok(rows)
}

/// stability_sweep.csv: one row per weight and level.
pub fn sweep_csv(rows: &[SweepRow]) -> String {
    let mut s = String::from(
        "stability_m_per_student,level,moved,placed,unplaced,objective_student_m,mean_travel_m,gap_to_lp_bound\n",
    );
    for r in rows {
        s.push_str(&format!(
            "{},{},{},{},{},{:.3},{:.3},{}\n",
            r.weight,
            r.level.as_str(),
            r.moved,
            r.placed,
            r.unplaced,
            r.objective_mm as f64 / 1000.0,
            if r.placed > 0 {
                r.objective_mm as f64 / 1000.0 / r.placed as f64
            } else {
                0.0
            },
            r.gap.map_or(String::new(), |g| format!("{g:.6}")),
        ));
    }
    s
}
