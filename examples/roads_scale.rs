//! One timed run of road-network travel at scale, for scale studies and
//! profiling: a synthetic road grid ([`catchment::synth::road_grid`]),
//! units and schools near its roads, then each step of the junior level
//! (driving, 10 km by road) timed on its own.
//!
//! ```text
//! cargo run --release --example roads_scale -- [nodes] [schools] [units] [seed]
//! ```
//!
//! Defaults: 1000000 nodes, 3000 schools, 200000 units, seed 1. Prints the
//! seconds of: generating the lines, `RoadGraph::build`, snapping every unit
//! and school, one sequential sweep of bounded searches from every school
//! (walking 3 km, then driving 10 km), `feasible_arcs` (parallel, as the
//! planner runs it) and the whole `assign_level`; and the peak resident
//! memory after each step (VmHWM, Linux only).

use std::time::Instant;

use catchment::assign::{Travel, assign_level, feasible_arcs};
use catchment::model::{Level, Policy};
use catchment::spatial::network::{Metric, Mode, RoadGraph, routes_to};
use catchment::synth::{road_county, road_grid};

fn arg(n: usize, default: u64) -> u64 {
    std::env::args()
        .nth(n)
        .map(|a| a.parse().expect("a number"))
        .unwrap_or(default)
}

/// Peak resident memory so far, from /proc/self/status.
fn peak_mib() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or_else(|| "?".to_string(), |kb| format!("{:.0} MiB", kb / 1024.0))
}

fn main() {
    let nodes = arg(1, 1_000_000) as usize;
    let n_schools = arg(2, 3_000) as usize;
    let n_units = arg(3, 200_000) as usize;
    let seed = arg(4, 1);
    let policy = Policy::standard(2024);

    let clock = Instant::now();
    let lines = road_grid(nodes, seed);
    let (units, demand, schools) = road_county(&lines, n_units, n_schools, seed);
    println!(
        "generate: {:.3} s ({} lines, {} vertices, {} units, {} students, {} schools); peak {}",
        clock.elapsed().as_secs_f64(),
        lines.len(),
        lines.iter().map(|l| l.coords.len()).sum::<usize>(),
        units.len(),
        demand.students.iter().map(|&s| s as u64).sum::<u64>(),
        schools.len(),
        peak_mib()
    );

    let clock = Instant::now();
    let g = RoadGraph::build(&lines);
    println!(
        "build: {:.3} s ({} nodes, {} pieces, {} components, {} ends joined); peak {}",
        clock.elapsed().as_secs_f64(),
        g.node_count(),
        g.pieces.len(),
        g.component_count(),
        g.joined_ends,
        peak_mib()
    );

    let clock = Instant::now();
    let unit_snaps: Vec<_> = units.iter().map(|u| g.snap(u.lon, u.lat)).collect();
    let school_snaps: Vec<_> = schools
        .iter()
        .map(|s| g.snap(s.lon, s.lat).expect("school snaps"))
        .collect();
    let snap = clock.elapsed().as_secs_f64();
    let far = unit_snaps
        .iter()
        .flatten()
        .map(|s| s.access_m)
        .fold(0.0f64, f64::max);
    println!(
        "snap: {snap:.3} s ({} points, {:.1} us each; farthest unit {far:.1} m); peak {}",
        units.len() + schools.len(),
        1e6 * snap / (units.len() + schools.len()).max(1) as f64,
        peak_mib()
    );

    for (what, mode, bound) in [
        ("walk 3 km", Mode::Walk, 3_000.0),
        ("drive 10 km", Mode::Drive, 10_000.0),
    ] {
        let clock = Instant::now();
        let reached: usize = school_snaps
            .iter()
            .map(|s| routes_to(&g, s, mode, Metric::Metres, bound).len())
            .sum();
        let t = clock.elapsed().as_secs_f64();
        println!(
            "search ({what}, sequential): {t:.3} s ({:.2} ms a school, {:.0} nodes reached a school, {:.0} ns a node); peak {}",
            1e3 * t / school_snaps.len().max(1) as f64,
            reached as f64 / school_snaps.len().max(1) as f64,
            1e9 * t / reached.max(1) as f64,
            peak_mib()
        );
    }

    let clock = Instant::now();
    let arcs = feasible_arcs(
        &units,
        &demand.students,
        &schools,
        Level::Junior,
        &policy,
        Travel::Roads(&g),
    );
    let n_arcs: usize = arcs.len();
    println!(
        "feasible_arcs (junior, drive 10 km, {} threads): {:.3} s ({n_arcs} arcs, {:.1} a unit, {} units with none); peak {}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        clock.elapsed().as_secs_f64(),
        n_arcs as f64 / units.len().max(1) as f64,
        (0..units.len()).filter(|&i| arcs.of(i).is_empty()).count(),
        peak_mib()
    );
    drop(arcs);

    let clock = Instant::now();
    let a = assign_level(
        &units,
        &demand,
        &schools,
        Level::Junior,
        &policy,
        Travel::Roads(&g),
    )
    .expect("certified");
    println!(
        "assign_level (junior): {:.3} s (solve {:.3} s, {} rounds; {} of {} placed); peak {}",
        clock.elapsed().as_secs_f64(),
        a.solve_seconds,
        a.rounds,
        a.placed(),
        a.students,
        peak_mib()
    );
}
