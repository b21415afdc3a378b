//! `catchment locate`: a point is explained correctly.
//!
//! - A small straight-line county built here, whose answer is worked out by
//!   hand: one point with a nearer private school, a nearer junior school, a
//!   nearer full school and a nearer school beyond its travel limit.
//! - The bundled Wuzhai example: three points in three different primary
//!   zones, each checked against the plan's own outputs (catchments.geojson
//!   for the zone, assignment.csv for the school and travel, schools.csv
//!   for "full", schools.geojson and the policy for "level", "private" and
//!   "beyond_limit"), not against hard-coded answers.
//! - Bad points: a located error, exit code 2.

use crate::common::{read_csv, repo, run_in, zones};
use geo::{Contains, Point};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fs;
use std::process::Output;

fn json_lines(o: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

fn school(id: &str, level: &str, lon: f64, extra: &str) -> String {
    format!(
        r#"{{"type":"Feature","properties":{{"id":"{id}","name":"{id} school","level":"{level}","sector":"public"{extra}}},"geometry":{{"type":"Point","coordinates":[{lon},39.0]}}}}"#
    )
}

fn unit(id: &str, lon: f64) -> String {
    format!(
        r#"{{"type":"Feature","properties":{{"id":"{id}","demand":{{"primary":1,"junior":0}}}},"geometry":{{"type":"Point","coordinates":[{lon},39.0]}}}}"#
    )
}

fn collection(features: &[String]) -> String {
    format!(
        r#"{{"type":"FeatureCollection","features":[{}]}}"#,
        features.join(",")
    )
}

/// Schools on a line at latitude 39 (0.001 degree of longitude is ~86 m):
/// A (x=0, 1 class), B (x=0.010, 1 seat), C (x=0.0075, limit 50 m), a junior
/// school J (x=0.0085) and a private primary PR (x=0.0088). Units U1
/// (x=0.0095) and U2 (x=0.0090), one primary student each. B's one seat
/// goes to U1 (43 m away, against U2's 86 m: total travel is least), so U2
/// goes to A, ~777 m away, past four nearer schools, each for its reason.
#[test]
fn hand_worked_reasons() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let schools = collection(&[
        school("A", "primary", 111.0, r#","entry_classes":1"#),
        school("B", "primary", 111.010, r#","capacity":1"#),
        school(
            "C",
            "primary",
            111.0075,
            r#","entry_classes":1,"max_travel_m":50"#,
        ),
        school("J", "junior", 111.0085, r#","entry_classes":1"#),
        school("PR", "primary", 111.0088, r#","entry_classes":1"#)
            .replace(r#""sector":"public""#, r#""sector":"private""#),
    ]);
    let households = collection(&[unit("U1", 111.0095), unit("U2", 111.0090)]);
    fs::write(d.join("schools.geojson"), schools).expect("write");
    fs::write(d.join("households.geojson"), households).expect("write");
    fs::write(
        d.join("points.csv"),
        "id,lon,lat\nat_u2,111.0090,39.0\nat_u1,111.0095,39.0\n",
    )
    .expect("write");
    let o = run_in(
        d,
        &[
            "locate",
            "--points",
            "points.csv",
            "--households",
            "households.geojson",
            "--schools",
            "schools.geojson",
            "--json",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v = json_lines(&o);
    assert_eq!(v.len(), 2);
    let p = &v[0]["levels"][0];
    assert_eq!(v[0]["id"], "at_u2");
    assert_eq!(p["level"], "primary");
    assert_eq!(p["school_id"], "A");
    assert_eq!(p["unit_id"], "U2");
    assert_eq!(p["inside_zone"], true);
    let travel = p["travel_m"].as_f64().expect("travel");
    assert!((travel - 777.0).abs() < 5.0, "{travel}");
    let nearer: Vec<(String, String)> = p["nearer"]
        .as_array()
        .expect("nearer")
        .iter()
        .map(|n| {
            (
                n["school_id"].as_str().expect("id").to_string(),
                n["reason"].as_str().expect("reason").to_string(),
            )
        })
        .collect();
    let want = [
        ("PR", "private"),
        ("J", "level"),
        ("B", "full"),
        ("C", "beyond_limit"),
    ];
    assert_eq!(
        nearer,
        want.map(|(a, b)| (a.to_string(), b.to_string())).to_vec()
    );
    assert_eq!(p["binding"], serde_json::json!(["B"]));
    // No junior students: no junior zones.
    assert_eq!(v[0]["levels"][1]["school_id"], Value::Null);
    // U1 got B, its nearest school: nothing nearer; B is full and binds.
    let p = &v[1]["levels"][0];
    assert_eq!(p["school_id"], "B");
    assert_eq!(p["nearer"], serde_json::json!([]));
    assert_eq!(p["full"], true);
    assert_eq!(p["binding"], serde_json::json!(["B"]));

    // The same point as text, in Chinese and English.
    let o = run_in(
        d,
        &[
            "locate",
            "111.0090",
            "39.0",
            "--households",
            "households.geojson",
            "--schools",
            "schools.geojson",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    for s in [
        "划入 zoned for A A school",
        "学位已满 full: 1/1 seats taken",
        "beyond_limit",
        "seats that bind: B",
    ] {
        assert!(text.contains(s), "missing {s:?} in\n{text}");
    }
}

#[test]
fn three_zones_of_the_example() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let o = run_in(d, &["plan", "--out", "plan"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let example = repo("data/wuzhai");
    let assignment = read_csv(&d.join("plan/assignment.csv"));
    let schools_csv = read_csv(&d.join("plan/schools.csv"));
    let zones = zones(&d.join("plan/catchments.geojson"));
    let hh: Value = serde_json::from_str(
        &fs::read_to_string(example.join("households.geojson")).expect("read"),
    )
    .expect("json");
    let id_of = |f: &Value| match &f["properties"]["id"] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let town: BTreeMap<String, String> = hh["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| {
            (
                id_of(f),
                f["properties"]["town"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    let at: BTreeMap<String, (f64, f64)> = hh["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| {
            let id = match &f["properties"]["id"] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let c = &f["geometry"]["coordinates"];
            (
                id,
                (c[0].as_f64().expect("lon"), c[1].as_f64().expect("lat")),
            )
        })
        .collect();
    let sc: Value =
        serde_json::from_str(&fs::read_to_string(example.join("schools.geojson")).expect("read"))
            .expect("json");
    let school_props: BTreeMap<String, Value> = sc["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| {
            (
                f["properties"]["id"].as_str().expect("id").to_string(),
                f["properties"].clone(),
            )
        })
        .collect();
    let zone_at = |level: &str, lon: f64, lat: f64| -> Vec<String> {
        zones
            .iter()
            .filter(|(l, _, z)| l == level && z.contains(&Point::new(lon, lat)))
            .map(|(_, id, _)| id.clone())
            .collect()
    };

    // The three primary schools with the most students; in each, the unit
    // travelling farthest whose point its zone polygon holds (the most
    // likely to have nearer schools it was not given).
    let mut by_school: BTreeMap<String, u64> = BTreeMap::new();
    for r in assignment.iter().filter(|r| r["level"] == "primary") {
        *by_school.entry(r["school_id"].clone()).or_default() +=
            r["students"].parse::<u64>().expect("students");
    }
    let mut ranked: Vec<(u64, String)> = by_school.into_iter().map(|(s, n)| (n, s)).collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut picks: Vec<(String, String, f64)> = Vec::new(); // school, unit, travel
    for (_, s) in ranked.iter().take(3) {
        let best = assignment
            .iter()
            .filter(|r| r["level"] == "primary" && &r["school_id"] == s)
            .filter(|r| {
                let (lon, lat) = at[&r["unit_id"]];
                zone_at("primary", lon, lat) == vec![s.clone()]
            })
            .max_by(|a, b| {
                let ta: f64 = a["travel_m"].parse().expect("travel");
                let tb: f64 = b["travel_m"].parse().expect("travel");
                ta.total_cmp(&tb).then(b["unit_id"].cmp(&a["unit_id"]))
            })
            .expect("a unit inside its school's zone");
        picks.push((
            s.clone(),
            best["unit_id"].clone(),
            best["travel_m"].parse().expect("travel"),
        ));
    }
    let mut csv = String::from("id,lon,lat\n");
    for (_, u, _) in &picks {
        let (lon, lat) = at[u];
        csv.push_str(&format!("{u},{lon},{lat}\n"));
    }
    fs::write(d.join("points.csv"), csv).expect("write");
    let o = run_in(d, &["locate", "--points", "points.csv", "--json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 3);

    let seats_of = |id: &str, level: &str| -> Option<(u64, u64)> {
        schools_csv
            .iter()
            .find(|r| r["school_id"] == id && r["level"] == level)
            .map(|r| {
                (
                    r["seats"].parse().expect("seats"),
                    r["assigned"].parse().expect("assigned"),
                )
            })
    };
    let limit = |id: &str, level: &str| -> Option<f64> {
        let p = &school_props[id];
        match &p["max_travel_m"] {
            Value::Number(n) => n.as_f64(),
            Value::Object(m) => m.get(level).and_then(Value::as_f64),
            _ if p["boarding"] == true => None,
            // The example's policy: max_travel_m = { primary = 3000, junior = 10000 }.
            _ => Some(if level == "primary" { 3000.0 } else { 10000.0 }),
        }
    };
    let teaches = |id: &str, level: &str| -> bool {
        let l = school_props[id]["level"].as_str().expect("level");
        l == level || l == "nine_year"
    };
    let mut reasons_seen: Vec<String> = Vec::new();
    let mut zone_schools: Vec<String> = Vec::new();
    for ((s, u, travel), line) in picks.iter().zip(&lines) {
        assert_eq!(&line["id"], u);
        let (lon, lat) = at[u];
        for lv in line["levels"].as_array().expect("levels") {
            let level = lv["level"].as_str().expect("level");
            let sid = lv["school_id"].as_str().expect("school");
            // The zone is the polygon of catchments.geojson holding the point.
            assert_eq!(
                zone_at(level, lon, lat),
                vec![sid.to_string()],
                "{u} {level}"
            );
            assert_eq!(lv["inside_zone"], true);
            // The unit's row of assignment.csv at this level: the same
            // school and travel.
            let unit = lv["unit_id"].as_str().expect("unit");
            let row = assignment
                .iter()
                .find(|r| r["unit_id"] == unit && r["level"] == level)
                .expect("the unit has an assignment row");
            assert_eq!(row["school_id"], sid);
            let t: f64 = row["travel_m"].parse().expect("travel");
            assert!((lv["travel_m"].as_f64().expect("travel") - t).abs() < 0.06);
            let (seats, assigned) = seats_of(sid, level).expect("schools.csv row");
            assert_eq!(lv["seats"].as_u64(), Some(seats));
            assert_eq!(lv["assigned"].as_u64(), Some(assigned));
            assert_eq!(lv["full"], assigned >= seats);
            if level == "primary" {
                assert_eq!(sid, s);
                assert_eq!(unit, u, "the point is the unit's own");
                assert!((t - travel).abs() < 1e-9);
                zone_schools.push(sid.to_string());
            }
            // Every nearer school: nearer, and its reason true of the plan.
            for n in lv["nearer"].as_array().expect("nearer") {
                let id = n["school_id"].as_str().expect("id");
                let reason = n["reason"].as_str().expect("reason");
                if let Some(m) = n["travel_m"].as_f64() {
                    assert!(m <= t + 0.05, "{id} at {m} m is not nearer than {t} m");
                }
                match reason {
                    "full" => {
                        let (seats, assigned) = seats_of(id, level).expect("row");
                        assert!(assigned >= seats, "{id} is not full");
                    }
                    "level" => assert!(!teaches(id, level), "{id} teaches {level}"),
                    "private" => assert_eq!(school_props[id]["sector"], "private"),
                    "beyond_limit" => {
                        let lim = limit(id, level).expect("a school with a limit");
                        let m = n["travel_m"].as_f64().expect("a route");
                        assert!(m > lim, "{id}: {m} m is within {lim} m");
                    }
                    "not_served" => {
                        // A boarding school with a `serves` list without the
                        // unit's town, beyond the day limit.
                        let p = &school_props[id];
                        assert_eq!(p["boarding"], true);
                        let serves: Vec<&str> = p["serves"]
                            .as_array()
                            .expect("a serves list")
                            .iter()
                            .filter_map(Value::as_str)
                            .collect();
                        assert!(!serves.contains(&town[unit].as_str()), "{id} serves {unit}");
                        let m = n["travel_m"].as_f64().expect("a route");
                        let day = if level == "primary" { 3000.0 } else { 10000.0 };
                        assert!(m > day, "{id}: {m} m is within the day limit");
                    }
                    "stability" | "whole_units" => {
                        let (seats, assigned) = seats_of(id, level).expect("row");
                        assert!(assigned < seats, "{id} is full: the reason is full");
                    }
                    other => panic!("unexpected reason {other} for {id}"),
                }
                reasons_seen.push(reason.to_string());
            }
            // Binding seats: exactly the full nearer schools and the zone's
            // school when full.
            let mut want: Vec<&str> = lv["nearer"]
                .as_array()
                .expect("nearer")
                .iter()
                .filter(|n| n["reason"] == "full")
                .map(|n| n["school_id"].as_str().expect("id"))
                .collect();
            if assigned >= seats {
                want.push(sid);
            }
            assert_eq!(lv["binding"], serde_json::json!(want));
        }
    }
    zone_schools.sort();
    zone_schools.dedup();
    assert_eq!(zone_schools.len(), 3, "three different zones");
    assert!(
        !reasons_seen.is_empty(),
        "the three points have no nearer school: the reasons went untested"
    );
}

#[test]
fn bad_points_are_located_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    fs::write(d.join("p.csv"), "id,lon,lat\na,111.8,38.9\nb,111.8,95\n").expect("write");
    let o = run_in(d, &["locate", "--points", "p.csv"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("p.csv: line 3: field `lat`: expected a latitude"),
        "{err}"
    );
    assert!(err.contains("\"95\""), "{err}");
    assert!(o.stdout.is_empty());

    let o = run_in(d, &["locate"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("give a point as LON LAT"));

    let o = run_in(d, &["locate", "200", "38.9"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("LON 200"));
}
