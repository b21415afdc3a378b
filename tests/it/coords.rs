//! Chinese web-map coordinates (GCJ-02, BD-09) to WGS84: published test
//! vectors, round trips over China, `catchment convert`, and `--coords`
//! on plan and validate (the same plan as from WGS84 files).

use crate::common::{files_under, fixture, read_json, run_in, stderr};
use catchment::spatial::coords::{
    CoordSystem, bd09_to_gcj02, bd09_to_wgs84, gcj02_to_bd09, gcj02_to_wgs84, out_of_china,
    wgs84_to_bd09, wgs84_to_gcj02,
};
use catchment::spatial::haversine_m;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

fn dist(a: (f64, f64), b: (f64, f64)) -> f64 {
    haversine_m(a.0, a.1, b.0, b.1)
}

// ------------------------------------------------------- published vectors

/// wandergis/coordtransform (JavaScript), test/app.js: the point
/// (116.404, 39.915) through each of its functions. Its forward functions
/// are the published formulas, so ours give the same numbers; its inverses
/// are the one-step approximations (a few centimetres off), which ours,
/// solved to 1e-9 degrees, must match within 1 m.
#[test]
fn coordtransform_vectors() {
    let p = (116.404, 39.915);
    let g = wgs84_to_gcj02(p.0, p.1);
    assert!((g.0 - 116.41024449916938).abs() < 1e-9, "{g:?}");
    assert!((g.1 - 39.91640428150164).abs() < 1e-9, "{g:?}");
    let b = gcj02_to_bd09(p.0, p.1);
    assert!((b.0 - 116.41036949371029).abs() < 1e-9, "{b:?}");
    assert!((b.1 - 39.92133699351021).abs() < 1e-9, "{b:?}");
    // Approximate inverses in coordtransform: ours within 1 m of them.
    let w = gcj02_to_wgs84(p.0, p.1);
    let d = dist(w, (116.39775550083061, 39.91359571849836));
    assert!(d < 1.0, "gcj02 -> wgs84 {d} m from coordtransform");
    let c = bd09_to_gcj02(p.0, p.1);
    let d = dist(c, (116.39762729119315, 39.90865673957631));
    assert!(d < 1.0, "bd09 -> gcj02 {d} m from coordtransform");
}

/// googollee/eviltransform, python/test.py `TESTS`: WGS84 points in
/// Shanghai, Shenzhen and Beijing and their GCJ-02 images. Known offset
/// pairs: the GCJ-02 point converts back to the WGS84 one within 1 m (in
/// fact within a millimetre), and the WGS84 one forward to the GCJ-02 one.
#[test]
fn eviltransform_offset_pairs() {
    // (wgs lat, wgs lng, gcj lat, gcj lng), as published.
    const TESTS: [(f64, f64, f64, f64); 3] = [
        (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
        (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
        (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
    ];
    for (wlat, wlng, glat, glng) in TESTS {
        let back = gcj02_to_wgs84(glng, glat);
        let d = dist(back, (wlng, wlat));
        assert!(d < 1.0, "({glng}, {glat}) -> {back:?}: {d} m off");
        assert!(d < 0.001, "the inverse is solved to 1e-9 degrees: {d} m");
        let fwd = wgs84_to_gcj02(wlng, wlat);
        assert!(dist(fwd, (glng, glat)) < 0.001, "{fwd:?}");
        // The offset itself is hundreds of metres: the test can fail.
        let offset = dist((wlng, wlat), (glng, glat));
        assert!((100.0..1000.0).contains(&offset), "offset {offset} m");
    }
}

// ------------------------------------------------------------- round trips

/// Points over China's box: a grid with irrational offsets so no two share
/// a fractional part, plus county seats of several provinces.
fn china_points() -> Vec<(f64, f64)> {
    let mut v = Vec::new();
    for i in 0..60 {
        for j in 0..40 {
            let lon = 73.7 + i as f64 * 1.03 + (j as f64 * 0.618_034).fract() * 0.5;
            let lat = 18.2 + j as f64 * 0.88 + (i as f64 * 0.414_214).fract() * 0.4;
            if !out_of_china(lon, lat) {
                v.push((lon, lat));
            }
        }
    }
    // Wuzhai, Lhasa, Urumqi, Mohe, Sanya, Fuyuan (the far north-east).
    v.extend([
        (111.84, 38.91),
        (91.13, 29.65),
        (87.62, 43.82),
        (122.53, 53.48),
        (109.51, 18.25),
        (134.29, 48.36),
    ]);
    v
}

#[test]
fn round_trips_within_half_a_metre() {
    let pts = china_points();
    assert!(pts.len() > 2000, "{} points", pts.len());
    let mut worst = [0.0f64; 4];
    for &p in &pts {
        let g = wgs84_to_gcj02(p.0, p.1);
        let b = wgs84_to_bd09(p.0, p.1);
        assert!(dist(p, g) > 1.0, "no GCJ-02 offset at {p:?}");
        assert!(dist(p, b) > 1.0, "no BD-09 offset at {p:?}");
        let trips = [
            dist(p, gcj02_to_wgs84(g.0, g.1)),
            dist(p, bd09_to_wgs84(b.0, b.1)),
            // From the other side: a GCJ-02 or BD-09 point, to WGS84 and back.
            dist(p, {
                let w = gcj02_to_wgs84(p.0, p.1);
                wgs84_to_gcj02(w.0, w.1)
            }),
            dist(p, {
                let c = bd09_to_gcj02(p.0, p.1);
                gcj02_to_bd09(c.0, c.1)
            }),
        ];
        for (k, d) in trips.into_iter().enumerate() {
            worst[k] = worst[k].max(d);
            assert!(d < 0.5, "round trip {k} at {p:?}: {d} m");
        }
    }
    eprintln!("{} points; worst round trips (m): {worst:?}", pts.len());
    // Measured: each well under a millimetre.
    assert!(
        worst.iter().all(|&w| w < 0.001),
        "worst round trips {worst:?} m"
    );
}

#[test]
fn bd09_is_gcj02_then_baidu() {
    for &(lon, lat) in china_points().iter().step_by(97) {
        let g = wgs84_to_gcj02(lon, lat);
        assert_eq!(wgs84_to_bd09(lon, lat), gcj02_to_bd09(g.0, g.1));
        let w = CoordSystem::Bd09.to_wgs84(lon, lat);
        let via = {
            let c = bd09_to_gcj02(lon, lat);
            gcj02_to_wgs84(c.0, c.1)
        };
        assert!(dist(w, via) < 0.001);
    }
}

// ------------------------------------------------------ GeoJSON and the CLI

/// Apply `f` to every position under the geometry members of a GeoJSON
/// value (`features`, `geometry`, `geometries`, `coordinates`).
fn map_positions(v: &mut Value, f: &dyn Fn(f64, f64) -> (f64, f64)) {
    match v {
        Value::Array(a) if a.len() >= 2 && a[0].is_number() && a[1].is_number() => {
            let (x, y) = f(a[0].as_f64().unwrap(), a[1].as_f64().unwrap());
            a[0] = json!(x);
            a[1] = json!(y);
        }
        Value::Array(a) => a.iter_mut().for_each(|x| map_positions(x, f)),
        Value::Object(o) => {
            for k in ["features", "geometry", "geometries", "coordinates"] {
                if let Some(x) = o.get_mut(k) {
                    map_positions(x, f);
                }
            }
        }
        _ => {}
    }
}

/// Every position of a GeoJSON value, in document order.
fn positions(v: &Value) -> Vec<(f64, f64)> {
    let out = std::cell::RefCell::new(Vec::new());
    let mut v = v.clone();
    map_positions(&mut v, &|x, y| {
        out.borrow_mut().push((x, y));
        (x, y)
    });
    out.into_inner()
}

/// A fixture file with every position moved into `system`.
fn fixture_in(system: CoordSystem, name: &str, dir: &Path) {
    let mut v = read_json(&fixture(name));
    map_positions(&mut v, &|x, y| system.from_wgs84(x, y));
    fs::write(dir.join(name), serde_json::to_string(&v).expect("json")).expect("write");
}

#[test]
fn convert_command_restores_wgs84_and_keeps_properties() {
    for (system, name) in [(CoordSystem::Gcj02, "gcj02"), (CoordSystem::Bd09, "bd09")] {
        let dir = tempfile::tempdir().expect("dir");
        fixture_in(system, "current.geojson", dir.path());
        fixture_in(system, "households.geojson", dir.path());
        for f in ["current.geojson", "households.geojson"] {
            let out = format!("wgs_{f}");
            let o = run_in(dir.path(), &["convert", "--from", name, f, &out]);
            assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
            assert!(stderr(&o).contains("to WGS84"), "{}", stderr(&o));
            let got = read_json(&dir.path().join(&out));
            let want = read_json(&fixture(f));
            let (g, w) = (positions(&got), positions(&want));
            assert_eq!(g.len(), w.len());
            assert!(!g.is_empty());
            for (a, b) in g.iter().zip(&w) {
                assert!(dist(*a, *b) < 0.5, "{f}: {a:?} vs {b:?}");
            }
            // Everything but the positions is as it was.
            let strip = |v: &Value| {
                let mut v = v.clone();
                map_positions(&mut v, &|_, _| (0.0, 0.0));
                v
            };
            assert_eq!(strip(&got), strip(&want), "{f}");
        }
    }
}

#[test]
fn convert_refuses_bad_input_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    fs::write(
        dir.path().join("bad.geojson"),
        r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"A"},"geometry":{"type":"Point","coordinates":[111.8,38.9]}},
{"type":"Feature","properties":{"id":"B"},"geometry":{"type":"Point","coordinates":["111.8",38.9]}}]}"#,
    )
    .expect("write");
    let o = run_in(
        dir.path(),
        &["convert", "--from", "gcj02", "bad.geojson", "out.geojson"],
    );
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains(
            "bad.geojson: feature 1 (id \"B\"): field `geometry.coordinates`: expected a position [lon, lat]"
        ),
        "{e}"
    );
    assert!(!dir.path().join("out.geojson").exists());
    // Missing input, OUT a folder, an unknown system: usage or input errors.
    let o = run_in(
        dir.path(),
        &["convert", "--from", "gcj02", "none.geojson", "o.geojson"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("none.geojson: expected a readable file"));
    let o = run_in(
        dir.path(),
        &["convert", "--from", "bd09", "bad.geojson", "."],
    );
    assert_eq!(o.status.code(), Some(2));
    let o = run_in(
        dir.path(),
        &["convert", "--from", "wgs84", "bad.geojson", "o.geojson"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        fs::read_dir(dir.path()).expect("dir").count(),
        1,
        "only bad.geojson"
    );
}

/// The fixture moved into GCJ-02 or BD-09 and planned with `--coords` (or
/// `[inputs] coords`) gives the plan of the WGS84 fixture: the same
/// assignment, schools, moves, zones by area and summary.
#[test]
fn plan_with_coords_gives_the_wgs84_plan() {
    let geo = [
        "households.geojson",
        "schools.geojson",
        "boundary.geojson",
        "current.geojson",
    ];
    let base = tempfile::tempdir().expect("dir");
    for f in geo.iter().chain(&["scenario.toml", "pins.csv"]) {
        fs::copy(fixture(f), base.path().join(f)).expect("copy");
    }
    let args = [
        "plan",
        "--config",
        "scenario.toml",
        "--current",
        "current.geojson",
        "--pins",
        "pins.csv",
        "--out",
        "out",
    ];
    let o = run_in(base.path(), &args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let want = files_under(&base.path().join("out"));
    let compared = [
        "assignment.csv",
        "schools.csv",
        "moves.csv",
        "zones_by_area.csv",
    ];
    for (system, name, by_config) in [
        (CoordSystem::Gcj02, "gcj02", false),
        (CoordSystem::Bd09, "bd09", false),
        (CoordSystem::Gcj02, "gcj02", true),
    ] {
        let dir = tempfile::tempdir().expect("dir");
        for f in geo {
            fixture_in(system, f, dir.path());
        }
        fs::copy(fixture("pins.csv"), dir.path().join("pins.csv")).expect("copy");
        let mut scenario = fs::read_to_string(fixture("scenario.toml")).expect("scenario");
        let mut a: Vec<&str> = args.to_vec();
        if by_config {
            scenario = scenario.replace("[inputs]\n", &format!("[inputs]\ncoords = \"{name}\"\n"));
        } else {
            a.extend(["--coords", name]);
        }
        fs::write(dir.path().join("scenario.toml"), scenario).expect("write");
        // Without --coords the shifted files give another plan (the test
        // can fail): the fixture's units move by hundreds of metres.
        if !by_config {
            let o = run_in(dir.path(), &[&args[..7], &["--out", "raw"]].concat());
            assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
            let raw = files_under(&dir.path().join("raw"));
            assert_ne!(raw["assignment.csv"], want["assignment.csv"]);
        }
        let o = run_in(dir.path(), &a);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        assert!(stderr(&o).contains("converted to WGS84"), "{}", stderr(&o));
        let got = files_under(&dir.path().join("out"));
        for f in compared {
            assert_eq!(
                String::from_utf8_lossy(&got[f]),
                String::from_utf8_lossy(&want[f]),
                "{name} (by config: {by_config}): {f} differs"
            );
        }
        // The summary alike; zone areas come from polygons whose vertices
        // moved by micrometres: equal to the rounding, up to a sign of zero.
        let summary = |t: &BTreeMap<String, Vec<u8>>| -> Value {
            let mut v: Value = serde_json::from_slice(&t["summary.json"]).expect("json");
            for level in ["primary", "junior"] {
                let z = &mut v["zones"][level]["area_difference_fraction"];
                let f = z.as_f64().expect("fraction");
                assert!(f.abs() < 1e-5, "{f}");
                *z = json!(0.0);
            }
            v
        };
        assert_eq!(
            summary(&got),
            summary(&want),
            "{name}: summary.json differs"
        );
        // Unit points in assignment.geojson: back in WGS84, within 0.5 m.
        let (g, w) = (
            positions(&read_json(&dir.path().join("out/assignment.geojson"))),
            positions(&read_json(&base.path().join("out/assignment.geojson"))),
        );
        assert_eq!(g.len(), w.len());
        for (a, b) in g.iter().zip(&w) {
            assert!(dist(*a, *b) < 0.5, "{a:?} vs {b:?}");
        }
    }
}

#[test]
fn validate_takes_coords_and_refuses_an_unknown_system() {
    let dir = tempfile::tempdir().expect("dir");
    for f in ["households.geojson", "schools.geojson", "boundary.geojson"] {
        fixture_in(CoordSystem::Bd09, f, dir.path());
    }
    fs::copy(fixture("scenario.toml"), dir.path().join("scenario.toml")).expect("copy");
    let o = run_in(
        dir.path(),
        &["validate", "--config", "scenario.toml", "--coords", "bd09"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("primary: 31 entry-cohort students"), "{out}");
    let o = run_in(
        dir.path(),
        &["validate", "--config", "scenario.toml", "--coords", "baidu"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("possible values: wgs84, gcj02, bd09"),
        "{}",
        stderr(&o)
    );
}
