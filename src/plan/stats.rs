//! What a planner watches while redrawing zones: per school, seats,
//! students, utilisation, travel and students moved against today's zones;
//! per level, the totals. Computed from an assignment's rows in one pass.

use crate::assign::LevelAssignment;
use crate::model::School;

/// One school's figures at one level.
#[derive(Clone, Debug, PartialEq)]
pub struct SchoolRow {
    /// Index in the scenario's schools.
    pub school: usize,
    pub seats: u32,
    pub assigned: u64,
    /// assigned / seats (0 without seats).
    pub utilisation: f64,
    /// Mean and longest travel of its students (metres; 0 without any).
    pub mean_travel_m: f64,
    pub max_travel_m: f64,
    /// Its students whose unit lies in another school's current zone:
    /// moved against today's zones (as `moves.csv` counts them). 0 without
    /// current zones.
    pub moved_in: u64,
}

/// A level's totals.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LevelTotals {
    pub students: u64,
    pub placed: u64,
    pub unplaced: u64,
    pub seats: u64,
    pub mean_travel_m: f64,
    pub max_travel_m: f64,
    /// Students placed at another school than their current zone's (units
    /// in no current zone are not counted).
    pub moved: u64,
}

/// The rows of the schools that take catchment at the level, in input order.
pub fn school_rows(
    schools: &[School],
    la: &LevelAssignment,
    current: Option<&[Option<usize>]>,
) -> Vec<SchoolRow> {
    let k = schools.len();
    let mut travel = vec![(0.0f64, 0.0f64); k];
    let mut moved = vec![0u64; k];
    for p in &la.placements {
        let Some(j) = p.school else { continue };
        let m = p.travel_m.unwrap_or(0.0);
        travel[j].0 += m * p.students as f64;
        travel[j].1 = travel[j].1.max(m);
        if current.is_some_and(|c| c[p.unit].is_some_and(|c| c != j)) {
            moved[j] += p.students as u64;
        }
    }
    (0..k)
        .filter(|&j| schools[j].takes_catchment(la.level))
        .map(|j| {
            let (seats, assigned) = (la.seats[j], la.assigned[j]);
            SchoolRow {
                school: j,
                seats,
                assigned,
                utilisation: if seats > 0 {
                    assigned as f64 / seats as f64
                } else {
                    0.0
                },
                mean_travel_m: if assigned > 0 {
                    travel[j].0 / assigned as f64
                } else {
                    0.0
                },
                max_travel_m: travel[j].1,
                moved_in: moved[j],
            }
        })
        .collect()
}

/// The level's totals (students moved: against `current`, when given).
pub fn level_totals(la: &LevelAssignment, current: Option<&[Option<usize>]>) -> LevelTotals {
    let mut t = LevelTotals {
        students: la.students,
        seats: la.seats.iter().map(|&s| s as u64).sum(),
        ..LevelTotals::default()
    };
    let mut travel = 0.0;
    for p in &la.placements {
        let n = p.students as u64;
        match p.school {
            Some(j) => {
                t.placed += n;
                let m = p.travel_m.unwrap_or(0.0);
                travel += m * n as f64;
                t.max_travel_m = t.max_travel_m.max(m);
                if current.is_some_and(|c| c[p.unit].is_some_and(|c| c != j)) {
                    t.moved += n;
                }
            }
            None => t.unplaced += n,
        }
    }
    if t.placed > 0 {
        t.mean_travel_m = travel / t.placed as f64;
    }
    t
}
