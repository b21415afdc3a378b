//! One cold solve and a few warm re-optimises after a manual move, on the
//! generated prefecture of `benches/planner.rs`, timed once (for
//! profiling; the bench gives the numbers in the README):
//! `cargo run --release --example planner_scale -- [units] [schools] [whole]`.

use catchment::io::Scenario;
use catchment::model::Level;
use catchment::plan::{Loaded, PlanEdit, PlanSettings, Planner};
use catchment::synth::{road_county, road_grid};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let units: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(200_000);
    let schools: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(300);
    let whole = args.get(3).is_some_and(|a| a == "whole");
    let lines = road_grid(units / 2, 1);
    let (units, _, schools) = road_county(&lines, units, schools, 1);
    let loaded = Loaded::new(Scenario::standard(2023), units, schools).expect("direct demand");
    let mut settings = PlanSettings::of(&loaded);
    settings.zones.whole_units = whole;
    let mut p = Planner::new(loaded, settings);
    let t = Instant::now();
    p.solve_cold().expect("solves");
    println!(
        "first solve (with travel): {:.3} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    p.solve_cold().expect("solves");
    println!("cold solve: {:.3} s", t.elapsed().as_secs_f64());
    for level in Level::ALL {
        let la = p.assignment(level).expect("solved");
        println!(
            "  {level:?}: solve {:.3} s, {} rounds",
            la.solve_seconds, la.rounds
        );
    }
    let la = p.assignment(Level::Primary).expect("solved");
    let row = la
        .placements
        .iter()
        .find(|r| r.school.is_some())
        .expect("placed");
    let (unit, at) = (row.unit, row.school.expect("placed"));
    let other = (0..p.loaded().schools.len())
        .find(|&j| j != at && p.loaded().schools[j].takes_catchment(Level::Primary))
        .expect("another school");
    for (k, school) in [other, at, other].into_iter().enumerate() {
        let t = Instant::now();
        p.apply(PlanEdit::Move {
            level: Level::Primary,
            unit,
            school,
        })
        .expect("moves");
        let moved = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let changes = p.reoptimise().expect("solves");
        println!(
            "move {k}: {:.6} s, warm re-optimise {:.3} s ({} units changed)",
            moved,
            t.elapsed().as_secs_f64(),
            changes.units()
        );
        for level in Level::ALL {
            let la = p.assignment(level).expect("solved");
            println!(
                "  {level:?}: solve {:.3} s, {} rounds",
                la.solve_seconds, la.rounds
            );
        }
    }
}
