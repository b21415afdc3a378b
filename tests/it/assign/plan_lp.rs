//! End to end through the CLI: random counties written as GeoJSON, planned
//! by `catchment plan`, and the objective in summary.json checked against an
//! independent LP of the same model (own haversine, good_lp + microlp).
#![allow(clippy::needless_range_loop, clippy::type_complexity)]

use crate::common::BIN;
use good_lp::{Expression, Solution, SolverModel, constraint, default_solver, variable, variables};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};
use std::process::Command;

const R: f64 = 6_371_008.8;

fn haversine(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (l1, p1, l2, p2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((p2 - p1) / 2.0).sin().powi(2) + p1.cos() * p2.cos() * ((l2 - l1) / 2.0).sin().powi(2);
    2.0 * R * h.sqrt().asin()
}

struct County {
    units: Vec<((f64, f64), u32, u32)>,
    schools: Vec<((f64, f64), &'static str, u32, u32, bool)>,
}

fn county(seed: u64) -> County {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let units = (0..rng.gen_range(20..45))
        .map(|_| {
            (
                (
                    111.8 + rng.gen_range(0.0..0.12),
                    38.85 + rng.gen_range(0.0..0.1),
                ),
                rng.gen_range(0..7),
                rng.gen_range(0..5),
            )
        })
        .collect();
    let kinds = ["primary", "primary", "junior", "nine_year"];
    let schools = (0..rng.gen_range(3..7))
        .map(|i| {
            (
                (
                    111.8 + rng.gen_range(0.0..0.12),
                    38.85 + rng.gen_range(0.0..0.1),
                ),
                kinds[i % 4],
                rng.gen_range(1..30),
                rng.gen_range(1..30),
                rng.gen_bool(0.2),
            )
        })
        .collect();
    County { units, schools }
}

fn write(dir: &std::path::Path, c: &County) {
    let hh: Vec<Value> = c
        .units
        .iter()
        .enumerate()
        .map(|(i, (p, a, b))| {
            json!({"type": "Feature", "properties": {"id": format!("U{i}"), "demand": {"primary": a, "junior": b}},
                   "geometry": {"type": "Point", "coordinates": [p.0, p.1]}})
        })
        .collect();
    let sc: Vec<Value> = c
        .schools
        .iter()
        .enumerate()
        .map(|(j, (p, kind, cp, cj, boarding))| {
            let cap = if *kind == "nine_year" { json!({"primary": cp, "junior": cj}) } else { json!(cp) };
            json!({"type": "Feature", "properties": {"id": format!("S{j}"), "name": format!("学校{j}"),
                   "level": kind, "sector": "public", "boarding": boarding, "capacity": cap},
                   "geometry": {"type": "Point", "coordinates": [p.0, p.1]}})
        })
        .collect();
    let fc = |f: Vec<Value>| json!({"type": "FeatureCollection", "features": f}).to_string();
    std::fs::write(dir.join("hh.geojson"), fc(hh)).unwrap();
    std::fs::write(dir.join("sc.geojson"), fc(sc)).unwrap();
    std::fs::write(
        dir.join("s.toml"),
        "[inputs]\nhouseholds = \"hh.geojson\"\nschools = \"sc.geojson\"\n[policy]\nentry_year = 2023\n\
         max_travel_m = { primary = 3000, junior = 6000 }\n",
    )
    .unwrap();
}

/// Lexicographic optimum (placed first, then student-metres) of one level.
fn lp(c: &County, level: usize) -> (f64, f64) {
    let limit = [3000.0, 6000.0][level];
    let serves = |k: &str| k == "nine_year" || k == ["primary", "junior"][level];
    let mut arcs = Vec::new();
    for (i, u) in c.units.iter().enumerate() {
        for (j, s) in c.schools.iter().enumerate() {
            let d = haversine(u.0, s.0);
            if serves(s.1) && (s.4 || d <= limit) {
                arcs.push((i, j, d));
            }
        }
    }
    let supply = |u: &((f64, f64), u32, u32)| [u.1, u.2][level] as f64;
    let cap = |s: &((f64, f64), &str, u32, u32, bool)| if s.1 == "nine_year" { [s.2, s.3][level] } else { s.2 } as f64;
    let mut vars = variables!();
    let x: Vec<_> = arcs.iter().map(|_| vars.add(variable().min(0))).collect();
    let max_d = arcs.iter().map(|a| a.2).fold(0.0, f64::max);
    let big = (c.schools.len() as f64 + 1.0) * (max_d + 1.0);
    let y: Vec<_> = c
        .units
        .iter()
        .map(|_| vars.add(variable().min(0)))
        .collect();
    let mut travel = Expression::from(0.0);
    for (k, a) in arcs.iter().enumerate() {
        travel += a.2 * x[k];
    }
    let mut unplaced = Expression::from(0.0);
    for &v in &y {
        unplaced += v;
    }
    let mut m = vars
        .minimise(travel.clone() + big * unplaced.clone())
        .using(default_solver);
    for i in 0..c.units.len() {
        let mut e = Expression::from(y[i]);
        for (k, a) in arcs.iter().enumerate() {
            if a.0 == i {
                e += x[k];
            }
        }
        m = m.with(constraint!(e == supply(&c.units[i])));
    }
    for j in 0..c.schools.len() {
        if !serves(c.schools[j].1) {
            continue;
        }
        let mut e = Expression::from(0.0);
        for (k, a) in arcs.iter().enumerate() {
            if a.1 == j {
                e += x[k];
            }
        }
        m = m.with(constraint!(e <= cap(&c.schools[j])));
    }
    let s = m.solve().unwrap();
    (s.eval(&unplaced), s.eval(&travel))
}

#[test]
fn plan_objective_equals_an_independent_lp() {
    for seed in 0..12 {
        let c = county(seed);
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &c);
        let out = dir.path().join("out");
        let st = Command::new(BIN)
            .args(["plan", "--config"])
            .arg(dir.path().join("s.toml"))
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        let code = st.status.code().unwrap();
        assert!(
            code == 0 || code == 1,
            "seed {seed}: {}",
            String::from_utf8_lossy(&st.stderr)
        );
        let summary: Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap())
                .unwrap();
        let mut total = 0.0;
        for (level, name) in ["primary", "junior"].iter().enumerate() {
            let (unplaced, travel) = lp(&c, level);
            let l = &summary["levels"][name];
            assert_eq!(
                l["unplaced"]["total"].as_f64().unwrap(),
                unplaced.round(),
                "seed {seed} {name}"
            );
            let ours = l["objective_student_m"].as_f64().unwrap();
            let students = l["students"].as_f64().unwrap();
            // Costs are whole millimetres in our model: at most 0.5 mm per
            // student from the float LP.
            assert!(
                (ours - travel).abs() <= 0.0005 * students + 1e-6 * travel,
                "seed {seed} {name}: ours {ours} lp {travel}"
            );
            total += ours;
        }
        let top = summary["objective_student_m"].as_f64().unwrap();
        assert!((top - total).abs() < 0.01);
    }
}
