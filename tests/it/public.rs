//! `plan --public`: outputs for publication carry no original household id
//! (keyed pseudonyms instead), household points on a ~100 m grid, and the
//! same totals as the plan without it.

use crate::common::{BIN, example_file, files_under};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::process::{Command, Output};

const KEY: &str = "Wuzhai bureau key 2023, kept offline";

fn plan(out: &Path, extra: &[&str]) -> Output {
    Command::new(BIN)
        .args(["plan", "--config", &example_file("scenario.toml"), "--out"])
        .arg(out)
        .args(extra)
        .output()
        .expect("run catchment")
}

fn unit_ids() -> HashSet<String> {
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(example_file("households.geojson")).unwrap())
            .unwrap();
    v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let id = &f["properties"]["id"];
            id.as_str().map_or_else(|| id.to_string(), str::to_string)
        })
        .collect()
}

/// Sum of `students` per (level, school, reason) in assignment.csv.
fn totals(csv: &[u8]) -> BTreeMap<(String, String, String), u64> {
    let mut out = BTreeMap::new();
    let mut r = csv::Reader::from_reader(csv);
    for rec in r.records() {
        let rec = rec.unwrap();
        *out.entry((rec[1].to_string(), rec[2].to_string(), rec[5].to_string()))
            .or_default() += rec[3].parse::<u64>().unwrap();
    }
    out
}

#[test]
fn public_outputs_carry_no_household_id_and_keep_the_totals() {
    let ids = unit_ids();
    assert!(ids.len() > 1000 && ids.contains("H000001"));
    let tmp = tempfile::tempdir().unwrap();
    let (plain_dir, pub_dir) = (tmp.path().join("plain"), tmp.path().join("public"));
    let o = plan(&plain_dir, &[]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = plan(&pub_dir, &["--public", "--public-key", KEY]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let (plain, public) = (files_under(&plain_dir), files_under(&pub_dir));
    assert_eq!(
        plain.keys().collect::<Vec<_>>(),
        public.keys().collect::<Vec<_>>()
    );

    // The plain run does name households (the check below can fail).
    let tokens = |b: &[u8]| -> HashSet<String> {
        String::from_utf8_lossy(b)
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .map(str::to_string)
            .collect()
    };
    let plain_tokens = tokens(&plain["assignment.csv"]);
    assert!(ids.iter().any(|id| plain_tokens.contains(id)));
    for rel in ["assignment.csv", "assignment.geojson", "moves.csv"] {
        assert!(public.contains_key(rel), "no {rel}");
    }
    for (rel, bytes) in &public {
        let t = tokens(bytes);
        let leaked: Vec<&String> = ids.iter().filter(|id| t.contains(*id)).take(3).collect();
        assert!(leaked.is_empty(), "{rel}: names {leaked:?}");
    }

    // Same students per level, school and reason; same summary apart from
    // nothing (it holds only counts and totals).
    assert_eq!(
        totals(&plain["assignment.csv"]),
        totals(&public["assignment.csv"])
    );
    assert_eq!(plain["summary.json"], public["summary.json"]);
    assert_eq!(plain["schools.csv"], public["schools.csv"]);
    let moves = |b: &[u8]| -> u64 {
        csv::Reader::from_reader(b)
            .records()
            .map(|r| r.unwrap()[4].parse::<u64>().unwrap())
            .sum()
    };
    assert_eq!(moves(&plain["moves.csv"]), moves(&public["moves.csv"]));

    // Pseudonyms: one per household, stable across runs with the key.
    let pids: HashSet<String> = csv::Reader::from_reader(&public["assignment.csv"][..])
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    let plain_ids: HashSet<String> = csv::Reader::from_reader(&plain["assignment.csv"][..])
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    assert_eq!(pids.len(), plain_ids.len());
    assert!(pids.iter().all(|p| p.len() == 17 && p.starts_with('u')));
    let again = tmp.path().join("again");
    let o = plan(&again, &["--public", "--public-key", KEY]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        public["assignment.csv"],
        std::fs::read(again.join("assignment.csv")).unwrap()
    );

    // Points on the 0.001 degree grid, within ~80 m of the true point.
    let g: Value = serde_json::from_slice(&public["assignment.geojson"]).unwrap();
    let gp: Value = serde_json::from_slice(&plain["assignment.geojson"]).unwrap();
    let (fs, fp) = (
        g["features"].as_array().unwrap(),
        gp["features"].as_array().unwrap(),
    );
    assert_eq!(fs.len(), fp.len());
    for (a, b) in fs.iter().zip(fp) {
        for k in 0..2 {
            let x = a["geometry"]["coordinates"][k].as_f64().unwrap();
            let y = b["geometry"]["coordinates"][k].as_f64().unwrap();
            assert!(((x * 1000.0).round() - x * 1000.0).abs() < 1e-6, "{x}");
            assert!((x - y).abs() <= 0.0005 + 1e-9, "{x} vs {y}");
        }
        if let Some(m) = a["properties"]["travel_m"].as_f64() {
            assert_eq!(m % 100.0, 0.0, "{m}");
        }
    }
}

#[test]
fn public_needs_a_long_enough_key() {
    let tmp = tempfile::tempdir().unwrap();
    for (args, expect) in [
        (vec!["--public"], "--public-key"),
        (vec!["--public-key", KEY], "--public"),
        (
            vec!["--public", "--public-key", "short"],
            "at least 12 characters",
        ),
    ] {
        let out = tmp.path().join("out");
        let o = plan(&out, &args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expect), "{args:?}: {stderr}");
        assert!(!out.exists());
    }
}
