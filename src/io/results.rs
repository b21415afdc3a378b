//! The plan's output files, as bytes: assignment.csv / .geojson,
//! schools.csv, summary.json (contract in DESIGN.md).

use super::output::csv_field;
use crate::assign::{LevelAssignment, Reason};
use crate::model::{Level, Policy, School, Unit};
use crate::plan::notice::{Notice, RowKind};
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
    // One feature per row, serialized straight from these structs (keys in
    // the sorted order `serde_json::Value` would give them) rather than
    // through a `json!` map per row: a province has millions of rows.
    #[derive(serde::Serialize)]
    struct Feature<'a> {
        geometry: Geometry,
        properties: Properties<'a>,
        #[serde(rename = "type")]
        kind: &'static str,
    }
    #[derive(serde::Serialize)]
    struct Geometry {
        coordinates: [f64; 2],
        #[serde(rename = "type")]
        kind: &'static str,
    }
    #[derive(serde::Serialize)]
    struct Properties<'a> {
        level: &'static str,
        reason: Option<&'static str>,
        school_id: Option<&'a str>,
        students: u32,
        travel_m: Option<f64>,
        travel_min: Option<f64>,
        unit_id: &'a str,
    }
    // Written into one buffer (no string per row).
    let mut s: Vec<u8> = b"{\"type\":\"FeatureCollection\",\"features\":[\n".to_vec();
    let mut first = true;
    for la in levels {
        for p in &la.placements {
            let u = &units[p.unit];
            let f = Feature {
                geometry: Geometry {
                    coordinates: [u.lon, u.lat],
                    kind: "Point",
                },
                properties: Properties {
                    level: la.level.as_str(),
                    reason: p.reason.map(Reason::as_str),
                    school_id: p.school.map(|j| schools[j].id.as_str()),
                    students: p.students,
                    travel_m: p.travel_m.map(|m| (m * 1000.0).round() / 1000.0),
                    travel_min: p.travel_min,
                    unit_id: &u.id,
                },
                kind: "Feature",
            };
            if !first {
                s.extend_from_slice(b",\n");
            }
            first = false;
            serde_json::to_writer(&mut s, &f).expect("plain data serializes");
        }
    }
    s.extend_from_slice(b"\n]}\n");
    String::from_utf8(s).expect("serde_json writes UTF-8")
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
    /// The schools the levels' rows refer to (day or boarding).
    pub schools: &'a [School],
    pub levels: &'a [LevelAssignment],
    pub without_residence: [u64; 2],
    pub outside_boundary: &'a [String],
    /// Per level, per unit: the current zone's school (`--current`).
    pub current: Option<&'a [Vec<Option<usize>>; 2]>,
    /// Travel metres worth one student kept in place.
    pub stability_m_per_student: f64,
    /// Per level: catchment polygons' facts (tiling, enclaves), by level name.
    pub zones: Option<Value>,
}

pub fn summary_json(si: &SummaryInput) -> String {
    let mut by_level = serde_json::Map::new();
    let (mut students, mut placed) = (0u64, 0u64);
    let mut unplaced = [0u64; 3];
    let mut objective_mm: i128 = 0;
    let mut sn_over = 0u64;
    let mut moved_total = 0u64;
    let mut whole = false;
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
        let moved_here = si.current.map(|c| moved(la, &c[la.level.index()]));
        let current = si.current.map(|c| c[la.level.index()].as_slice());
        let [day, boarding] = crate::plan::day_and_boarding(si.schools, si.policy, la, current);
        moved_total += moved_here.unwrap_or(0);
        whole |= la.whole.is_some();
        let bound = json!({
            "lp_bound": {"unplaced": la.lp_bound.unplaced as i64, "cost": la.lp_bound.mm as i64},
            "value": {"unplaced": la.objective.unplaced as i64, "cost": la.objective.mm as i64},
            "gap_to_lp_bound": la.gap().map(|g| (g * 1e6).round() / 1e6),
            "whole_units": la.whole.as_ref().map(|w| json!({"split_by_lp": w.split, "method": w.method})),
            "contiguity_moves": la.contiguity_moves,
            "enclaves": la.enclaves.len(),
            "feeder_groups": la.feeder_groups,
            "feeder_groups_broken": la.feeder_broken.len(),
        });
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
                "moved": moved_here,
                "day": pupils_json(&day),
                "boarding": pupils_json(&boarding),
                "model": bound,
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
        "moved": moved_total,
        "moved_by_level": si.current.map(|c| json!({
            "primary": si.levels.iter().filter(|l| l.level == Level::Primary).map(|l| moved(l, &c[0])).sum::<u64>(),
            "junior": si.levels.iter().filter(|l| l.level == Level::Junior).map(|l| moved(l, &c[1])).sum::<u64>(),
        })),
        "stability_m_per_student": si.stability_m_per_student,
        "special_needs_over_seats": sn_over,
        "without_residence": si.without_residence.iter().sum::<u64>(),
        "outside_boundary": si.outside_boundary.len(),
        "objective_student_m": round3(mm_to_m(objective_mm)),
        "objective_student_mm": objective_mm as i64,
        "solver": if whole {
            "school-graph successive shortest paths (exact LP bound, dual certificate checked), whole units by rounding and repair (gap to the bound in levels.*.model)"
        } else {
            "school-graph successive shortest paths (exact), dual certificate checked"
        },
        "status": if whole { "whole_units_within_reported_gap" } else { "optimal" },
        "zones": si.zones,
        "levels": by_level,
    });
    let mut out = serde_json::to_string_pretty(&v).expect("json");
    out.push('\n');
    out
}

/// Day or boarding pupils' travel in summary.json (their travel is never
/// averaged together: a boarding pupil goes home weekly).
fn pupils_json(t: &crate::plan::PupilTravel) -> Value {
    json!({
        "students": t.students,
        "mean_travel_m": round3(t.mean_travel_m),
        "p95_travel_m": round3(t.p95_travel_m),
        "max_travel_m": round3(t.max_travel_m),
        "moved": t.moved,
    })
}

fn level_value(levels: &[LevelAssignment], l: Level, f: impl Fn(&LevelAssignment) -> u64) -> u64 {
    levels.iter().filter(|x| x.level == l).map(f).sum()
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// The features of one level's zones in `catchments.geojson`, each as its
/// JSON text (made per level, as each level's zones are drawn).
pub fn catchment_features(
    schools: &[School],
    level: Level,
    assigned: &[u64],
    zs: &[geo::MultiPolygon<f64>],
) -> Vec<String> {
    let mut out = Vec::new();
    for (j, mp) in zs.iter().enumerate() {
        if mp.0.is_empty() {
            continue;
        }
        let rings = |r: &geo::LineString<f64>| -> Vec<[f64; 2]> {
            r.0.iter().map(|c| [round7(c.x), round7(c.y)]).collect()
        };
        let polys: Vec<Vec<Vec<[f64; 2]>>> =
            mp.0.iter()
                .map(|p| {
                    std::iter::once(rings(p.exterior()))
                        .chain(p.interiors().iter().map(rings))
                        .collect()
                })
                .collect();
        let geometry = if polys.len() == 1 {
            json!({"type": "Polygon", "coordinates": polys[0]})
        } else {
            json!({"type": "MultiPolygon", "coordinates": polys})
        };
        let f = json!({
            "type": "Feature",
            "properties": {
                "school_id": schools[j].id,
                "name": schools[j].name,
                "level": level.as_str(),
                "students": assigned[j],
                "pieces": polys.len(),
            },
            "geometry": geometry,
        });
        out.push(f.to_string());
    }
    out
}

/// `catchments.geojson`: one (Multi)Polygon per school and level with
/// students, from the features of each level ([`catchment_features`]), in
/// level order.
pub fn catchments_from_features(levels: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut s = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
    let mut first = true;
    for f in levels.into_iter().flatten() {
        if !first {
            s.push_str(",\n");
        }
        first = false;
        s.push_str(&f);
    }
    s.push_str("\n]}\n");
    s
}

fn round7(x: f64) -> f64 {
    (x * 1e7).round() / 1e7
}

/// `zones_by_area.csv`: each school's towns and villages (划片范围), with
/// the units and students placed there from each.
pub fn zones_by_area_csv(units: &[Unit], schools: &[School], levels: &[LevelAssignment]) -> String {
    let mut s = String::from("school_id,level,town,village,units,students\n");
    for la in levels {
        let mut rows: std::collections::BTreeMap<(usize, &str, &str), (u64, u64)> =
            Default::default();
        for p in &la.placements {
            let Some(j) = p.school else { continue };
            let u = &units[p.unit];
            let e = rows
                .entry((
                    j,
                    u.town.as_deref().unwrap_or(""),
                    u.village.as_deref().unwrap_or(""),
                ))
                .or_default();
            e.0 += 1;
            e.1 += p.students as u64;
        }
        for ((j, town, village), (n, st)) in rows {
            let _ = writeln!(
                s,
                "{},{},{},{},{},{}",
                csv_field(&schools[j].id),
                la.level.as_str(),
                csv_field(town),
                csv_field(village),
                n,
                st
            );
        }
    }
    s
}

/// `notice.csv`: the public notice's rows (`docs/notice.md`), level by
/// level, school by school in the schools file's order (then the units no
/// school takes, with an empty school), each school's rows as the notice
/// lists them.
pub fn notice_csv(notice: &Notice) -> String {
    let mut s =
        String::from("level,school_id,school_name,kind,town,village,units,students,unit_ids\n");
    for l in &notice.levels {
        for b in &l.schools {
            for r in &b.rows {
                let counts = if r.kind == RowKind::ServesTown {
                    (String::new(), String::new())
                } else {
                    (r.units.to_string(), r.students.to_string())
                };
                let ids: Vec<String> = r.unit_ids.iter().map(ToString::to_string).collect();
                let _ = writeln!(
                    s,
                    "{},{},{},{},{},{},{},{},{}",
                    l.level.as_str(),
                    csv_field(&b.id),
                    csv_field(&b.name),
                    r.kind.as_str(),
                    csv_field(&r.town),
                    csv_field(&r.village),
                    counts.0,
                    counts.1,
                    csv_field(&ids.join(";"))
                );
            }
        }
    }
    s
}

/// Students placed at a school other than their current zone's, per level
/// (`current[level][unit]`).
pub fn moved(la: &LevelAssignment, current: &[Option<usize>]) -> u64 {
    la.placements
        .iter()
        .filter(|p| p.school.is_some() && current[p.unit].is_some() && p.school != current[p.unit])
        .map(|p| p.students as u64)
        .sum()
}

/// `moves.csv`: `unit_id,level,from,to,students` for students placed at a
/// school other than their current zone's.
pub fn moves_csv(
    units: &[Unit],
    schools: &[School],
    levels: &[LevelAssignment],
    current: &[Vec<Option<usize>>; 2],
    closed: &[String],
) -> String {
    let id = |j: usize| -> &str {
        match schools.get(j) {
            Some(s) => &s.id,
            None => closed.get(j - schools.len()).map_or("", String::as_str),
        }
    };
    let mut s = String::from("unit_id,level,from,to,students\n");
    for la in levels {
        let cur = &current[la.level.index()];
        for p in &la.placements {
            let (Some(to), Some(from)) = (p.school, cur[p.unit]) else {
                continue;
            };
            if to != from {
                let _ = writeln!(
                    s,
                    "{},{},{},{},{}",
                    csv_field(&units[p.unit].id),
                    la.level.as_str(),
                    csv_field(id(from)),
                    csv_field(&schools[to].id),
                    p.students
                );
            }
        }
    }
    s
}
