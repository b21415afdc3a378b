//! The plan's output files, as bytes: assignment.csv / .geojson,
//! schools.csv, summary.json (contract in DESIGN.md).

use super::output::csv_field;
use crate::assign::{LevelAssignment, Reason};
use crate::model::{Level, Policy, School, Unit};
use serde_json::{Value, json};
use std::fmt::Write;

fn mm_to_m(mm: i128) -> f64 {
    mm as f64 / 1000.0
}

pub fn assignment_csv(units: &[Unit], schools: &[School], levels: &[LevelAssignment]) -> String {
    let mut s = String::from("unit_id,level,school_id,students,travel_m,reason\n");
    for la in levels {
        for p in &la.placements {
            let _ = writeln!(
                s,
                "{},{},{},{},{},{}",
                csv_field(&units[p.unit].id),
                la.level.as_str(),
                p.school
                    .map_or(String::new(), |j| csv_field(&schools[j].id)),
                p.students,
                p.travel_m.map_or(String::new(), |m| format!("{m:.3}")),
                p.reason.map_or("", Reason::as_str),
            );
        }
    }
    s
}

pub fn assignment_geojson(
    units: &[Unit],
    schools: &[School],
    levels: &[LevelAssignment],
) -> String {
    let mut s = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
    let mut first = true;
    for la in levels {
        for p in &la.placements {
            let u = &units[p.unit];
            let f = json!({
                "type": "Feature",
                "properties": {
                    "unit_id": u.id,
                    "level": la.level.as_str(),
                    "school_id": p.school.map(|j| schools[j].id.clone()),
                    "students": p.students,
                    "travel_m": p.travel_m.map(|m| (m * 1000.0).round() / 1000.0),
                    "travel_min": p.travel_min,
                    "reason": p.reason.map(Reason::as_str),
                },
                "geometry": {"type": "Point", "coordinates": [u.lon, u.lat]},
            });
            if !first {
                s.push_str(",\n");
            }
            first = false;
            s.push_str(&f.to_string());
        }
    }
    s.push_str("\n]}\n");
    s
}

/// One row per school and level it teaches (private schools too: they take
/// no catchment, so nothing is assigned to them here).
pub fn schools_csv(schools: &[School], levels: &[LevelAssignment], policy: &Policy) -> String {
    let mut s = String::from("school_id,name,level,seats,assigned,utilization,classes_needed\n");
    for (j, sc) in schools.iter().enumerate() {
        for la in levels {
            let Some(seats) = sc.seats(la.level, policy) else {
                continue;
            };
            let assigned = la.assigned[j];
            let size = sc.class_size(la.level, policy) as u64;
            let util = if seats > 0 {
                assigned as f64 / seats as f64
            } else {
                0.0
            };
            let _ = writeln!(
                s,
                "{},{},{},{},{},{:.4},{}",
                csv_field(&sc.id),
                csv_field(&sc.name),
                la.level.as_str(),
                seats,
                assigned,
                util,
                assigned.div_ceil(size)
            );
        }
    }
    s
}

pub struct SummaryInput<'a> {
    /// "straight_line_haversine" or "road_network".
    pub travel: &'a str,
    /// Road network facts (nodes, pieces, joined ends, units far from a road).
    pub roads: Option<Value>,
    pub name: Option<&'a str>,
    pub synthetic: bool,
    pub policy: &'a Policy,
    pub units: usize,
    pub levels: &'a [LevelAssignment],
    pub without_residence: [u64; 2],
    pub outside_boundary: &'a [String],
}

pub fn summary_json(si: &SummaryInput) -> String {
    let mut by_level = serde_json::Map::new();
    let (mut students, mut placed) = (0u64, 0u64);
    let mut unplaced = [0u64; 3];
    let mut objective_mm: i128 = 0;
    let mut sn_over = 0u64;
    let reasons = [
        Reason::NoSchoolInReach,
        Reason::CapacityShort,
        Reason::NoRoadConnection,
    ];
    for la in si.levels {
        let u: Vec<u64> = reasons.iter().map(|&r| la.unplaced_by(r)).collect();
        let mm = la.objective_mm();
        let lp = la.placed();
        let max_travel = la
            .placements
            .iter()
            .filter_map(|p| p.travel_m)
            .fold(0.0f64, f64::max);
        let seats: u64 = la.seats.iter().map(|&s| s as u64).sum();
        let (min_sum, min_n) = la
            .placements
            .iter()
            .filter_map(|p| {
                p.travel_min
                    .map(|m| (m * p.students as f64, p.students as u64))
            })
            .fold((0.0, 0u64), |a, b| (a.0 + b.0, a.1 + b.1));
        let mean_travel_min = (min_n > 0).then(|| (min_sum / min_n as f64 * 100.0).round() / 100.0);
        by_level.insert(
            la.level.as_str().to_string(),
            json!({
                "students": la.students,
                "placed": lp,
                "unplaced": {
                    "total": u.iter().sum::<u64>(),
                    "no_school_in_reach": u[0],
                    "capacity_short": u[1],
                    "no_road_connection": u[2],
                },
                "seats": seats,
                "objective_student_m": round3(mm_to_m(mm)),
                "mean_travel_m": if lp > 0 { round3(mm_to_m(mm) / lp as f64) } else { 0.0 },
                "max_travel_m": round3(max_travel),
                "mean_travel_min": mean_travel_min,
                "special_needs_over_seats": la.special_needs_over_seats,
                "without_residence": si.without_residence[la.level.index()],
                "certificate": {
                    "primal_unplaced": la.certificate.primal.unplaced as i64,
                    "primal_student_mm": la.certificate.primal.mm as i64,
                    "dual_unplaced": la.certificate.dual.unplaced as i64,
                    "dual_student_mm": la.certificate.dual.mm as i64,
                },
                "solver_rounds": la.rounds,
            }),
        );
        students += la.students;
        placed += lp;
        for k in 0..3 {
            unplaced[k] += u[k];
        }
        objective_mm += mm;
        sn_over += la.special_needs_over_seats;
    }
    let p = si.policy;
    let v: Value = json!({
        "scenario": si.name,
        "synthetic": si.synthetic,
        "entry_year": p.entry_year,
        "cutoff": p.cutoff.to_string(),
        "census_date": p.census_date().to_string(),
        "travel": si.travel,
        "roads": si.roads,
        "units": si.units,
        "students": {
            "total": students,
            "primary": level_value(si.levels, Level::Primary, |l| l.students),
            "junior": level_value(si.levels, Level::Junior, |l| l.students),
        },
        "placed": placed,
        "unplaced": {
            "total": unplaced.iter().sum::<u64>(),
            "no_school_in_reach": unplaced[0],
            "capacity_short": unplaced[1],
            "no_road_connection": unplaced[2],
        },
        "moved": 0,
        "special_needs_over_seats": sn_over,
        "without_residence": si.without_residence.iter().sum::<u64>(),
        "outside_boundary": si.outside_boundary.len(),
        "objective_student_m": round3(mm_to_m(objective_mm)),
        "objective_student_mm": objective_mm as i64,
        "solver": "school-graph successive shortest paths (exact), dual certificate checked",
        "status": "optimal",
        "levels": by_level,
    });
    let mut out = serde_json::to_string_pretty(&v).expect("json");
    out.push('\n');
    out
}

fn level_value(levels: &[LevelAssignment], l: Level, f: impl Fn(&LevelAssignment) -> u64) -> u64 {
    levels.iter().filter(|x| x.level == l).map(f).sum()
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
