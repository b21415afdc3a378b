//! The assignment: entry-cohort students of each unit, per level, to the
//! public schools of that level, within seats and travel limits. First place
//! as many students as can be placed, then minimise total student x metres.
//! Solved exactly (`ssp`) and proven optimal (`certificate`).

pub mod certificate;
pub mod cost;
pub mod ssp;
pub mod transport;
pub mod travel;

pub use certificate::{Certificate, CertificateError, certify};
pub use cost::{Cost, Total};
pub use transport::{Flow, Transport};
pub use travel::{Arcs, Travel, feasible_arcs};

use crate::model::{Level, Policy, School, Unit};

/// Why students of a unit could not be placed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// No school of the level within its travel limit.
    NoSchoolInReach,
    /// Schools within reach, but their seats went to nearer or other students.
    CapacityShort,
    /// On a road network piece with no school (road travel only).
    NoRoadConnection,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::NoSchoolInReach => "no_school_in_reach",
            Reason::CapacityShort => "capacity_short",
            Reason::NoRoadConnection => "no_road_connection",
        }
    }
}

/// One line of the assignment: some students of a unit at a school, or
/// unplaced with a reason.
#[derive(Clone, Debug, PartialEq)]
pub struct Placement {
    pub unit: usize,
    /// Index into the schools given to [`assign_level`]; `None` = unplaced.
    pub school: Option<usize>,
    pub students: u32,
    /// Metres, to the millimetre the model uses.
    pub travel_m: Option<f64>,
    /// Minutes along roads (road travel only).
    pub travel_min: Option<f64>,
    pub reason: Option<Reason>,
}

/// The assignment of one level.
#[derive(Clone, Debug)]
pub struct LevelAssignment {
    pub level: Level,
    /// Students of the entry cohort, all units.
    pub students: u64,
    /// Rows ordered by unit, then school (unplaced last).
    pub placements: Vec<Placement>,
    /// Seats per school (index as the schools given); 0 for schools that
    /// take no catchment at this level.
    pub seats: Vec<u32>,
    pub assigned: Vec<u64>,
    /// Special-needs students placed at their nearest school beyond its seats.
    pub special_needs_over_seats: u64,
    pub certificate: Certificate,
    pub rounds: usize,
    pub solve_seconds: f64,
}

impl LevelAssignment {
    pub fn placed(&self) -> u64 {
        self.placements
            .iter()
            .filter(|p| p.school.is_some())
            .map(|p| p.students as u64)
            .sum()
    }

    pub fn unplaced_by(&self, reason: Reason) -> u64 {
        self.placements
            .iter()
            .filter(|p| p.reason == Some(reason))
            .map(|p| p.students as u64)
            .sum()
    }

    /// Sum of students x whole millimetres of the route used: the
    /// certified optimum plus the special-needs students placed first.
    pub fn objective_mm(&self) -> i128 {
        self.placements
            .iter()
            .filter_map(|p| {
                p.travel_m
                    .map(|m| (m * 1000.0).round() as i128 * p.students as i128)
            })
            .sum()
    }
}

/// Students of each unit at `level` (the entry cohort), with those having
/// special needs among them.
#[derive(Clone, Debug, Default)]
pub struct LevelDemand {
    pub students: Vec<u32>,
    pub special_needs: Vec<u32>,
}

/// The transportation instance of `level` from the feasible arcs.
fn build_transport(arcs: &Arcs, supply: &[u32], capacity: Vec<u32>) -> Transport {
    let mut t = Transport::new(capacity);
    let mut buf: Vec<(u32, i64)> = Vec::new();
    for (i, a) in arcs.per_unit.iter().enumerate() {
        buf.clear();
        buf.extend(a.iter().map(|x| (x.school, x.cost)));
        t.push_unit(supply[i], &mut buf);
    }
    t
}

/// Assign the entry cohort of `level`.
///
/// Special-needs students are placed first at the nearest public school of
/// the level, whatever its seats (就近就便: never turned away for capacity);
/// the rest are solved exactly. Errors only if the optimality certificate
/// fails, which would be a solver bug.
pub fn assign_level(
    units: &[Unit],
    demand: &LevelDemand,
    schools: &[School],
    level: Level,
    policy: &Policy,
    travel: Travel,
) -> Result<LevelAssignment, CertificateError> {
    let seats: Vec<u32> = schools
        .iter()
        .map(|s| {
            if s.takes_catchment(level) {
                s.seats(level, policy).unwrap_or(0)
            } else {
                0
            }
        })
        .collect();

    // All feasible arcs, for every student of the cohort.
    let arcs = feasible_arcs(units, &demand.students, schools, level, policy, travel);
    let mut t = build_transport(&arcs, &demand.students, seats.clone());
    let arc_of = |i: usize, j: usize| arcs.per_unit[i].iter().find(|a| a.school as usize == j);

    // Near-home placement of special-needs students: the nearest school
    // within reach (its travel limit, or a boarding school that takes the
    // unit), whatever its seats. With no school in reach they stay in the
    // model and are listed as unplaced like anyone else.
    let mut pre: Vec<Option<(usize, u32)>> = vec![None; units.len()];
    let mut pre_load = vec![0u64; schools.len()];
    if policy.special_needs_near_home {
        for (i, p) in pre.iter_mut().enumerate() {
            let sn = demand.special_needs[i].min(demand.students[i]);
            let nearest = t.arcs(i).next();
            if let (true, Some(a)) = (sn > 0, nearest) {
                let j = t.arc_school[a] as usize;
                *p = Some((j, sn));
                pre_load[j] += sn as u64;
                t.supply[i] -= sn;
            }
        }
    }
    for j in 0..schools.len() {
        t.capacity[j] = (seats[j] as u64).saturating_sub(pre_load[j]) as u32;
    }
    let special_needs_over_seats: u64 = (0..schools.len())
        .map(|j| pre_load[j].saturating_sub(seats[j] as u64))
        .sum();

    let clock = std::time::Instant::now();
    let solved = ssp::solve(&t);
    let solve_seconds = clock.elapsed().as_secs_f64();
    let certificate = certify(&t, &solved.flow, &solved.price)?;

    let mut placements = Vec::new();
    let mut assigned = pre_load.clone();
    for (i, pre_i) in pre.iter().enumerate() {
        let mut here: Vec<(usize, u32)> = Vec::new();
        if let Some(p) = *pre_i {
            here.push(p);
        }
        for a in t.arcs(i) {
            let x = solved.flow.arc[a];
            if x > 0 {
                let j = t.arc_school[a] as usize;
                assigned[j] += x as u64;
                match here.iter_mut().find(|h| h.0 == j) {
                    Some(h) => h.1 += x,
                    None => here.push((j, x)),
                }
            }
        }
        here.sort_unstable();
        for (j, x) in here {
            placements.push(Placement {
                unit: i,
                school: Some(j),
                students: x,
                travel_m: Some((arc_of(i, j).map_or(0.0, |a| a.metres) * 1000.0).round() / 1000.0),
                travel_min: arc_of(i, j)
                    .and_then(|a| a.minutes)
                    .map(|m| (m * 100.0).round() / 100.0),
                reason: None,
            });
        }
        let y = solved.flow.unplaced[i];
        if y > 0 {
            let reason = if arcs.no_road[i] {
                Reason::NoRoadConnection
            } else if t.arcs(i).is_empty() {
                Reason::NoSchoolInReach
            } else {
                Reason::CapacityShort
            };
            placements.push(Placement {
                unit: i,
                school: None,
                students: y,
                travel_m: None,
                travel_min: None,
                reason: Some(reason),
            });
        }
    }
    Ok(LevelAssignment {
        level,
        students: demand.students.iter().map(|&s| s as u64).sum(),
        placements,
        seats,
        assigned,
        special_needs_over_seats,
        certificate,
        rounds: solved.rounds,
        solve_seconds,
    })
}
