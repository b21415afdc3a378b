//! Road travel through the CLI on John Snow's Soho map: houses as units,
//! pumps as schools with ample seats, the streets as `--roads`. Every house
//! must go to the pump the independent reference finds nearest by street,
//! at the reference's street distance (within 1 m).

use super::soho;
use crate::common::{BIN, read_json};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::process::Command;

fn coords(v: &Value) -> Vec<Value> {
    v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["geometry"]["coordinates"].clone())
        .collect()
}

#[test]
fn soho_houses_go_to_the_nearest_pump_by_street() {
    let dir = tempfile::tempdir().unwrap();
    let people = read_json(&soho("SohoPeople.geojson"));
    let water = read_json(&soho("SohoWater.geojson"));
    let hh: Vec<Value> = coords(&people)
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            json!({"type": "Feature", "properties": {"id": format!("h{i}"), "demand": {"primary": 1}},
                   "geometry": {"type": "Point", "coordinates": c}})
        })
        .collect();
    let sc: Vec<Value> = coords(&water)
        .into_iter()
        .enumerate()
        .map(|(j, c)| {
            json!({"type": "Feature", "properties": {"id": format!("p{j}"), "name": format!("pump {j}"),
                   "level": "primary", "sector": "public", "capacity": 1000},
                   "geometry": {"type": "Point", "coordinates": c}})
        })
        .collect();
    let fc = |f: Vec<Value>| json!({"type": "FeatureCollection", "features": f}).to_string();
    std::fs::write(dir.path().join("hh.geojson"), fc(hh)).unwrap();
    std::fs::write(dir.path().join("sc.geojson"), fc(sc)).unwrap();
    let out = dir.path().join("out");
    let o = Command::new(BIN)
        .args(["plan", "--households"])
        .arg(dir.path().join("hh.geojson"))
        .arg("--schools")
        .arg(dir.path().join("sc.geojson"))
        .arg("--roads")
        .arg(soho("Soho_Network.geojson"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let want = std::fs::read_to_string(soho("expected_nearest_pump.csv")).unwrap();
    let mut expect: HashMap<String, (String, f64)> = HashMap::new();
    for l in want.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        expect.insert(
            format!("h{}", f[0]),
            (format!("p{}", f[1]), f[2].parse().unwrap()),
        );
    }
    let got = std::fs::read_to_string(out.join("assignment.csv")).unwrap();
    let mut n = 0;
    for l in got.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        let (pump, street) = &expect[f[0]];
        assert_eq!(f[2], pump, "{l}");
        let m: f64 = f[4].parse().unwrap();
        assert!((m - street).abs() <= 1.0, "{l}: reference {street}");
        n += 1;
    }
    assert_eq!(n, 324);
    let s = read_json(&out.join("summary.json"));
    assert_eq!(s["travel"], "road_network");
    assert_eq!(s["roads"]["components"], 1);
}
