//! The studio on a generated prefecture (the `benches/planner.rs` county:
//! 200,000 units x 300 nine-year schools, straight-line travel), each call
//! of its HTTP contract timed once, without the socket:
//! `cargo run --release --example studio_scale -- [units] [schools] [warm] [whole]`.
//! The README's studio figures come from this run.

use catchment::io::Scenario;
use catchment::plan::Loaded;
use catchment::studio::Studio;
use catchment::studio::api::{Reply, Request, Session};
use catchment::synth::{road_county, road_grid};
use std::time::Instant;

/// Answer one call; print its time and the size of its answer.
fn timed(s: &mut Session, what: &str, method: &str, path: &str, body: &str) -> String {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let t = Instant::now();
    let reply = s.handle(&Request {
        method,
        path,
        query,
        body: body.as_bytes(),
    });
    let secs = t.elapsed().as_secs_f64();
    let (status, text) = match reply {
        Reply::Json(status, text) => (status, text),
        Reply::Save(files) => (200, format!("{} files", files.len())),
        Reply::Asset(..) => (200, String::new()),
    };
    println!(
        "{what:<34} {:>9.1} ms  ({status}, {} kB)",
        secs * 1e3,
        text.len() / 1000
    );
    text
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let units: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(200_000);
    let schools: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(300);
    let warm = args.iter().any(|a| a == "warm");
    let whole = args.iter().any(|a| a == "whole");
    let lines = road_grid(units / 2, 1);
    let (units, _, schools) = road_county(&lines, units, schools, 1);
    let mut scenario = Scenario::standard(2023);
    scenario.zones.whole_units = whole;
    let loaded = Loaded::new(scenario, units, schools).expect("direct demand");
    let (n, k) = (loaded.units.len(), loaded.schools.len());
    let t = Instant::now();
    let studio = Studio::new(loaded, warm).expect("solves");
    println!(
        "{n} units x {k} schools, optimise {}{}: first solve {:.2} s",
        if warm { "warm" } else { "as plan" },
        if whole { ", whole units" } else { "" },
        t.elapsed().as_secs_f64()
    );
    let mut s = Session::new(studio, false);
    let rows = timed(&mut s, "GET /api/assignment", "GET", "/api/assignment", "");
    let first: serde_json::Value = serde_json::from_str(&rows).expect("json");
    let row = first
        .as_array()
        .and_then(|a| a.iter().find(|r| r["level"] == "primary"))
        .expect("a primary row");
    let (unit, from) = (row["unit_id"].clone(), row["school_id"].clone());
    let to = if from == "s0" { "s1" } else { "s0" };
    timed(&mut s, "GET /api/units", "GET", "/api/units", "");
    timed(
        &mut s,
        "GET /api/table",
        "GET",
        "/api/table?level=primary",
        "",
    );
    let body =
        serde_json::json!({"unit_id": unit, "level": "primary", "school_id": to}).to_string();
    timed(&mut s, "POST /api/assign", "POST", "/api/assign", &body);
    timed(
        &mut s,
        "GET /api/table (after the move)",
        "GET",
        "/api/table?level=primary",
        "",
    );
    timed(&mut s, "POST /api/optimize", "POST", "/api/optimize", "");
    let body =
        serde_json::json!({"unit_id": unit, "level": "primary", "school_id": from}).to_string();
    timed(
        &mut s,
        "POST /api/assign (back)",
        "POST",
        "/api/assign",
        &body,
    );
    timed(&mut s, "POST /api/undo (a move)", "POST", "/api/undo", "");
    timed(
        &mut s,
        "POST /api/undo (the optimise)",
        "POST",
        "/api/undo",
        "",
    );
    timed(
        &mut s,
        "POST /api/redo (the optimise)",
        "POST",
        "/api/redo",
        "",
    );
    timed(&mut s, "GET /api/zones", "GET", "/api/zones", "");
    timed(&mut s, "GET /api/summary", "GET", "/api/summary", "");
}
