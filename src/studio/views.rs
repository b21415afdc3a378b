//! What the page and the HTTP contract read of a session, as JSON. Pure.
//! The tables are the plan's own files read back (`schools.csv`,
//! `assignment.csv`), so the studio and `plan` can never disagree on them.

use super::state::{Outcome, Studio};
use crate::assign::LevelAssignment;
use crate::io::results::{
    assignment_csv, catchment_features, catchments_from_features, schools_csv,
};
use crate::model::{Level, Sector};
use crate::plan::locate::{Query, Solved, explain, to_json};
use crate::plan::{Loaded, level_totals, problems, school_rows};
use geo::MultiPolygon;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// A CSV the plan writes, as an array of objects: the columns named in
/// `numbers` as JSON numbers (`null` when empty), the others as strings.
pub fn csv_objects(text: &str, numbers: &[&str]) -> Value {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r
        .headers()
        .map(|h| h.iter().map(str::to_string).collect())
        .unwrap_or_default();
    let rows = r
        .records()
        .filter_map(Result::ok)
        .map(|rec| {
            let mut m = Map::new();
            for (name, cell) in header.iter().zip(rec.iter()) {
                let v = if numbers.contains(&name.as_str()) {
                    number(cell)
                } else {
                    Value::String(cell.to_string())
                };
                m.insert(name.clone(), v);
            }
            Value::Object(m)
        })
        .collect();
    Value::Array(rows)
}

/// A CSV cell as a JSON number: an integer when it reads as one, `null`
/// when empty.
fn number(cell: &str) -> Value {
    if let Ok(i) = cell.parse::<i64>() {
        return json!(i);
    }
    match cell.parse::<f64>() {
        Ok(x) if x.is_finite() => json!(x),
        _ => Value::Null,
    }
}

/// `schools.csv` of the current state, as objects.
pub fn schools(loaded: &Loaded, levels: &[LevelAssignment]) -> Value {
    let text = schools_csv(&loaded.schools, levels, &loaded.scenario.policy);
    csv_objects(
        &text,
        &["seats", "assigned", "utilization", "classes_needed"],
    )
}

/// `assignment.csv` of the current state, as objects.
pub fn assignment(loaded: &Loaded, levels: &[LevelAssignment]) -> Value {
    let text = assignment_csv(&loaded.units, &loaded.schools, levels);
    csv_objects(&text, &["students", "travel_m"])
}

/// The catchments of the current state, as `catchments.geojson` holds them.
pub fn zones(
    loaded: &Loaded,
    levels: &[LevelAssignment],
    shapes: &[Vec<MultiPolygon<f64>>],
) -> String {
    catchments_from_features(
        levels
            .iter()
            .zip(shapes)
            .map(|(la, s)| catchment_features(&loaded.schools, la.level, &la.assigned, s)),
    )
}

/// The session in a few facts: what the page needs first.
pub fn info(studio: &Studio, public: bool, tiles: Option<&str>) -> Value {
    let loaded = studio.loaded();
    let (step, undo, redo) = studio.history();
    let mut optimal = Map::new();
    for level in Level::ALL {
        optimal.insert(
            level.as_str().into(),
            json!(studio.planner().is_optimal(level)),
        );
    }
    json!({
        "name": loaded.scenario.name,
        "synthetic": loaded.scenario.synthetic,
        "example": loaded.source.example,
        "entry_year": loaded.scenario.policy.entry_year,
        "travel": if loaded.roads.is_some() { "road_network" } else { "straight_line_haversine" },
        "levels": Level::ALL.iter().map(|l| l.as_str()).collect::<Vec<_>>(),
        "public": public,
        "bounds": bounds(loaded),
        "tiles": tiles,
        "history": { "step": step, "undo": undo, "redo": redo },
        "optimal": optimal,
    })
}

/// [west, south, east, north] of the boundary, units and schools.
fn bounds(loaded: &Loaded) -> [f64; 4] {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    let mut add = |x: f64, y: f64| {
        b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
    };
    for u in &loaded.units {
        add(u.lon, u.lat);
    }
    for s in &loaded.schools {
        add(s.lon, s.lat);
    }
    if let Some(mp) = &loaded.boundary {
        for p in &mp.0 {
            for c in p.exterior().coords() {
                add(c.x, c.y);
            }
        }
    }
    if b[0].is_finite() { b } else { [0.0; 4] }
}

/// The boundary and the roads, as GeoJSON (`null` when not given).
pub fn layers(loaded: &Loaded) -> Value {
    let boundary = loaded.boundary.as_ref().map(|mp| {
        json!({ "type": "FeatureCollection", "features": [{
            "type": "Feature", "properties": {},
            "geometry": geojson::Geometry::new(geojson::GeometryValue::from(mp)),
        }]})
    });
    let roads = loaded.roads.as_ref().map(|g| {
        let lines: Vec<[[f64; 2]; 2]> = g
            .pieces
            .iter()
            .map(|&(a, b)| {
                let (p, q) = (g.graph[a], g.graph[b]);
                [[p.0, p.1], [q.0, q.1]]
            })
            .collect();
        json!({ "type": "FeatureCollection", "features": [{
            "type": "Feature", "properties": {},
            "geometry": { "type": "MultiLineString", "coordinates": lines },
        }]})
    });
    json!({ "boundary": boundary, "roads": roads })
}

/// Every unit with its place and its entry-cohort students per level.
pub fn units(loaded: &Loaded) -> Value {
    let d = &loaded.demand;
    Value::Array(
        loaded
            .units
            .iter()
            .enumerate()
            .map(|(i, u)| {
                json!({
                    "unit_id": u.id, "lon": u.lon, "lat": u.lat,
                    "town": u.town, "village": u.village,
                    "primary": d[0].students[i], "junior": d[1].students[i],
                })
            })
            .collect(),
    )
}

/// Every school with its place and the levels whose catchment it takes.
pub fn school_points(loaded: &Loaded) -> Value {
    Value::Array(
        loaded
            .schools
            .iter()
            .map(|s| {
                let takes: Vec<&str> = Level::ALL
                    .iter()
                    .filter(|&&l| s.takes_catchment(l))
                    .map(|l| l.as_str())
                    .collect();
                json!({
                    "school_id": s.id, "name": s.name, "level": s.kind.as_str(),
                    "sector": if s.sector == Sector::Private { "private" } else { "public" },
                    "boarding": s.boarding, "lon": s.lon, "lat": s.lat, "takes": takes,
                })
            })
            .collect(),
    )
}

/// A unit's rows at a level as (school id, students), sorted.
fn unit_rows_by_id(la: &LevelAssignment, ids: impl Fn(usize) -> String) -> Vec<Vec<(String, u32)>> {
    let mut v =
        super::state::unit_rows(la, |p| (p.school.map(&ids).unwrap_or_default(), p.students));
    for r in &mut v {
        r.sort();
    }
    v
}

/// The side panel of a level: per school, the totals, the unplaced, the
/// pins, and the units whose schools differ from the session's start.
pub fn table(studio: &Studio, level: Level) -> Value {
    let loaded = studio.loaded();
    let Some(la) = studio.planner().assignment(level) else {
        return json!({ "level": level.as_str(), "optimal": false, "schools": [] });
    };
    let current = studio.planner().current(level);
    let start = studio.start(level);
    let start_assigned: HashMap<&str, u64> = start.map_or_else(HashMap::new, |s| {
        s.assigned
            .iter()
            .enumerate()
            .map(|(j, &a)| (studio.start_school_id(j), a))
            .collect()
    });
    let id = |j: usize| loaded.schools[j].id.clone();
    let now = unit_rows_by_id(la, id);
    let then = start.map_or_else(Vec::new, |s| {
        unit_rows_by_id(s, |j| studio.start_school_id(j).to_string())
    });
    let changed: Vec<usize> = (0..now.len().max(then.len()))
        .filter(|&u| now.get(u) != then.get(u))
        .collect();
    let changed_students: u64 = changed
        .iter()
        .filter_map(|&u| now.get(u))
        .map(|r| r.iter().map(|x| x.1 as u64).sum::<u64>())
        .sum();
    let t = level_totals(la, current);
    let schools: Vec<Value> = school_rows(&loaded.schools, la, current)
        .iter()
        .map(|r| {
            let s = &loaded.schools[r.school];
            json!({
                "school_id": s.id, "name": s.name, "seats": r.seats, "assigned": r.assigned,
                "utilization": round(r.utilisation, 4),
                "mean_travel_m": round(r.mean_travel_m, 1),
                "max_travel_m": round(r.max_travel_m, 1),
                "moved_in": r.moved_in,
                "start_assigned": start_assigned.get(s.id.as_str()).copied().unwrap_or(0),
            })
        })
        .collect();
    let unplaced: Vec<Value> = la
        .placements
        .iter()
        .filter(|p| p.school.is_none())
        .map(|p| {
            json!({
                "unit_id": loaded.units[p.unit].id, "students": p.students,
                "reason": p.reason.map(|r| r.as_str()).unwrap_or(""),
            })
        })
        .collect();
    let pins: Vec<Value> = loaded.pins[level.index()]
        .iter()
        .enumerate()
        .filter_map(|(i, j)| {
            j.map(|j| json!({ "unit_id": loaded.units[i].id, "school_id": loaded.schools[j].id }))
        })
        .collect();
    json!({
        "level": level.as_str(),
        "optimal": studio.planner().is_optimal(level),
        "totals": {
            "students": t.students, "placed": t.placed, "unplaced": t.unplaced, "seats": t.seats,
            "mean_travel_m": round(t.mean_travel_m, 1), "max_travel_m": round(t.max_travel_m, 1),
            "moved": t.moved, "changed_students": changed_students,
        },
        "schools": schools,
        "unplaced": unplaced,
        "pins": pins,
        "changed": changed.iter().map(|&u| loaded.units[u].id.clone()).collect::<Vec<_>>(),
    })
}

fn round(x: f64, digits: i32) -> f64 {
    let k = 10f64.powi(digits);
    (x * k).round() / k
}

/// A step's answer: what it did, the history, the optimality of each
/// level, and the new rows of every unit it changed.
pub fn step_reply(studio: &Studio, outcome: &Outcome) -> Value {
    let loaded = studio.loaded();
    let (step, undo, redo) = studio.history();
    let changed: Vec<Value> = outcome
        .changed
        .iter()
        .map(|&(level, u)| {
            let rows: Vec<Value> = studio
                .planner()
                .assignment(level)
                .map(|la| {
                    let start = la.placements.partition_point(|p| p.unit < u);
                    la.placements[start..]
                        .iter()
                        .take_while(|p| p.unit == u)
                        .map(|p| json!({
                            "school_id": p.school.map(|j| loaded.schools[j].id.as_str()).unwrap_or(""),
                            "students": p.students,
                            "travel_m": p.travel_m.map(|m| round(m, 1)),
                            "reason": p.reason.map(|r| r.as_str()).unwrap_or(""),
                        }))
                        .collect()
                })
                .unwrap_or_default();
            json!({ "unit_id": loaded.units[u].id, "level": level.as_str(), "rows": rows })
        })
        .collect();
    let mut optimal = Map::new();
    for level in Level::ALL {
        optimal.insert(
            level.as_str().into(),
            json!(studio.planner().is_optimal(level)),
        );
    }
    json!({
        "did": outcome.did,
        "history": { "step": step, "undo": undo, "redo": redo },
        "optimal": optimal,
        "changed": changed,
    })
}

/// Which school a point is zoned for at each level, and why, as
/// `catchment locate --json` answers; for the public page without the
/// household whose cell holds the point (no unit id, no household's
/// students, no distance to it).
pub fn locate(
    loaded: &Loaded,
    levels: &[LevelAssignment],
    shapes: &[Vec<MultiPolygon<f64>>],
    (lon, lat): (f64, f64),
    public: bool,
) -> Value {
    let travel = loaded.travel();
    let probs = problems(loaded, travel);
    let solved = Solved {
        loaded,
        problems: &probs,
        levels,
        shapes,
        travel,
        stability_m_per_student: if loaded.current.is_some() {
            loaded.scenario.stability_m_per_student
        } else {
            0.0
        },
    };
    let q = Query {
        id: "1".into(),
        lon,
        lat,
    };
    let ex = explain(&solved, std::slice::from_ref(&q));
    let mut v = to_json(loaded, levels, &q, &ex[0]);
    if public && let Some(ls) = v.get_mut("levels").and_then(Value::as_array_mut) {
        for l in ls.iter_mut().filter_map(Value::as_object_mut) {
            for key in ["unit_id", "unit_distance_m", "given"] {
                l.remove(key);
            }
        }
    }
    v
}
