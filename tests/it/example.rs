//! The bundled Wuzhai example, end to end through the README's command:
//! every entry-cohort child in assignment.csv exactly once, no school over
//! its seats, no day-school travel over its limit, a certified optimum.

use crate::common::{BIN, read_json, repo};
use std::collections::{HashMap, HashSet};
use std::fs;
use std::process::Command;

#[test]
fn bundled_example_places_every_child_within_seats_and_limits() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = Command::new(BIN)
        .args(["plan", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    // The entry cohort counted independently from the households file:
    // primary born 2016-09-01..=2017-08-31, junior 2010-09-01..=2011-08-31.
    let hh = read_json(&repo("data/wuzhai/households.geojson"));
    let mut cohort: HashMap<(String, &str), u64> = HashMap::new();
    for f in hh["features"].as_array().unwrap() {
        let id = f["properties"]["id"].as_str().unwrap().to_string();
        for c in f["properties"]["children"].as_array().unwrap() {
            let b = c["birth_date"].as_str().unwrap();
            let level = if ("2016-09-01"..="2017-08-31").contains(&b) {
                "primary"
            } else if ("2010-09-01"..="2011-08-31").contains(&b) {
                "junior"
            } else {
                continue;
            };
            *cohort.entry((id.clone(), level)).or_default() += 1;
        }
    }

    let schools = read_json(&repo("data/wuzhai/schools.geojson"));
    let mut boarding = HashSet::new();
    for f in schools["features"].as_array().unwrap() {
        if f["properties"]["boarding"].as_bool() == Some(true) {
            boarding.insert(f["properties"]["id"].as_str().unwrap().to_string());
        }
    }

    let csv = fs::read_to_string(out.join("assignment.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("unit_id,level,school_id,students,travel_m,reason")
    );
    let mut got: HashMap<(String, &str), u64> = HashMap::new();
    let mut rows = HashSet::new();
    let mut load: HashMap<(String, String), u64> = HashMap::new();
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        assert_eq!(f.len(), 6, "{l}");
        assert!(
            rows.insert((f[0].to_string(), f[1].to_string(), f[2].to_string())),
            "row twice: {l}"
        );
        let level = if f[1] == "primary" {
            "primary"
        } else {
            "junior"
        };
        let n: u64 = f[3].parse().unwrap();
        *got.entry((f[0].to_string(), level)).or_default() += n;
        if f[2].is_empty() {
            assert!(!f[5].is_empty(), "unplaced without a reason: {l}");
        } else {
            *load
                .entry((f[2].to_string(), f[1].to_string()))
                .or_default() += n;
            let m: f64 = f[4].parse().unwrap();
            let limit = if level == "primary" { 3000.0 } else { 10000.0 };
            assert!(
                boarding.contains(f[2]) || m <= limit,
                "day school beyond the limit: {l}"
            );
        }
    }
    assert_eq!(got, cohort, "every entry-cohort child exactly once");

    let sc = fs::read_to_string(out.join("schools.csv")).unwrap();
    for l in sc.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        let seats: u64 = f[3].parse().unwrap();
        let assigned: u64 = f[4].parse().unwrap();
        assert_eq!(
            assigned,
            load.get(&(f[0].to_string(), f[2].to_string()))
                .copied()
                .unwrap_or(0)
        );
        assert!(assigned <= seats, "over seats: {l}");
    }

    let s = read_json(&out.join("summary.json"));
    // The example publishes zones of whole households: the LP bound is
    // certified and the gap to it stated (never called optimal).
    assert_eq!(s["status"], "whole_units_within_reported_gap");
    assert_eq!(s["synthetic"], true);
    assert_eq!(s["unplaced"]["total"], 0);
    for level in ["primary", "junior"] {
        let c = &s["levels"][level]["certificate"];
        assert_eq!(c["primal_student_mm"], c["dual_student_mm"]);
        let gap = s["levels"][level]["model"]["gap_to_lp_bound"]
            .as_f64()
            .unwrap();
        assert!((0.0..0.005).contains(&gap), "{level}: gap {gap}");
        let n: u64 = cohort
            .iter()
            .filter(|(k, _)| k.1 == level)
            .map(|(_, v)| v)
            .sum();
        assert_eq!(s["students"][level].as_u64().unwrap(), n);
    }
}
