//! What a planner watches while redrawing zones: per school, seats,
//! students, utilisation, travel and students moved against today's zones;
//! per level, the totals. Computed from an assignment's rows in one pass.

use crate::assign::LevelAssignment;
use crate::model::{Policy, School};

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

/// Travel of a group of placed students: how many, mean, 95th percentile
/// (student-weighted) and longest, in metres; and how many were placed at
/// another school than their current zone's (with today's zones).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PupilTravel {
    pub students: u64,
    pub mean_travel_m: f64,
    pub p95_travel_m: f64,
    pub max_travel_m: f64,
    pub moved: Option<u64>,
}

/// [`PupilTravel`] of the placed rows `rows` (metres, students).
pub fn pupil_travel(rows: impl Iterator<Item = (f64, u64)>, moved: Option<u64>) -> PupilTravel {
    let mut v: Vec<(f64, u64)> = rows.filter(|r| r.1 > 0).collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n: u64 = v.iter().map(|x| x.1).sum();
    if n == 0 {
        return PupilTravel {
            moved,
            ..PupilTravel::default()
        };
    }
    let mean = v.iter().map(|x| x.0 * x.1 as f64).sum::<f64>() / n as f64;
    let rank = ((0.95 * n as f64).ceil() as u64).clamp(1, n);
    let mut seen = 0;
    let mut p95 = 0.0;
    for &(m, c) in &v {
        seen += c;
        if seen >= rank {
            p95 = m;
            break;
        }
    }
    PupilTravel {
        students: n,
        mean_travel_m: mean,
        p95_travel_m: p95,
        max_travel_m: v.last().map_or(0.0, |x| x.0),
        moved,
    }
}

/// Whether the students of a placed row board (寄宿生): placed at a
/// boarding school with travel beyond the level's day limit. A boarding
/// school's pupils within the limit are day pupils.
pub fn boards(school: &School, travel_m: Option<f64>, day_limit_m: f64) -> bool {
    school.boarding && travel_m.is_some_and(|m| m > day_limit_m)
}

/// The level's placed students split into day pupils and boarding pupils
/// (寄宿生: at a boarding school, beyond the policy's day travel limit):
/// their travel is never averaged together (a boarding pupil travels home
/// weekly, not daily). A boarding school's pupils within the day limit are
/// day pupils. Moved: against `current`, when given.
pub fn day_and_boarding(
    schools: &[School],
    policy: &Policy,
    la: &LevelAssignment,
    current: Option<&[Option<usize>]>,
) -> [PupilTravel; 2] {
    let day_limit = policy.max_travel_m(la.level);
    let group = |boarding: bool| {
        let placed = || {
            la.placements.iter().filter_map(move |p| {
                let j = p.school?;
                (boards(&schools[j], p.travel_m, day_limit) == boarding).then_some((p, j))
            })
        };
        let moved = current.map(|c| {
            placed()
                .filter(|(p, j)| c[p.unit].is_some_and(|c| c != *j))
                .map(|(p, _)| p.students as u64)
                .sum()
        });
        pupil_travel(
            placed().map(|(p, _)| (p.travel_m.unwrap_or(0.0), p.students as u64)),
            moved,
        )
    };
    [group(false), group(true)]
}
