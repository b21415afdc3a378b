//! Benchmarks of road-network travel on synthetic road grids
//! ([`catchment::synth::road_grid`]), units and schools placed near the roads
//! ([`catchment::synth::points_near_roads`]):
//!
//! * `road_build/100k`: `RoadGraph::build` of a 100,000-node network;
//! * `routes_to/walk3km_3000schools_1M`: one sequential sweep of bounded
//!   searches (walking, 3 km) from 3,000 schools over a 1,000,000-node
//!   network;
//! * `feasible_arcs/junior_...`: `feasible_arcs` with `Travel::Roads` at the
//!   junior level (driving, 10 km) for 200,000 units x 3,000 schools on the
//!   1M-node network (snapping every unit, the per-school searches on all
//!   cores, the arcs);
//! * `assign_level/junior_...`: the whole `assign_level` on that instance
//!   (the arcs again, the exact solve and its certificate).
//!
//! ```text
//! cargo bench --bench roads
//! ```
//!
//! Instances are built before timing; only the step named is timed. Ten
//! samples each; the whole run takes about five minutes on two cores.

use std::hint::black_box;
use std::time::Duration;

use catchment::assign::{LevelDemand, Travel, assign_level, feasible_arcs};
use catchment::model::RoadLine;
use catchment::model::{Demand, Level, PerLevel, Policy, School, SchoolKind, Sector, Unit};
use catchment::spatial::network::{Metric, Mode, RoadGraph, routes_to};
use catchment::synth::{points_near_roads, road_grid};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const SEED: u64 = 1;
const BUILD_NODES: usize = 100_000;
const NODES: usize = 1_000_000;
const SCHOOLS: usize = 3_000;
const UNITS: usize = 200_000;

/// Units with 1..=6 students at each level; public nine-year schools with
/// seats for 1.02 x the students, skewed 0.6..1.4 around the mean.
fn instance(
    lines: &[RoadLine],
    schools: usize,
    units: usize,
) -> (Vec<Unit>, LevelDemand, Vec<School>) {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let units: Vec<Unit> = points_near_roads(lines, units, SEED ^ 0x75)
        .into_iter()
        .enumerate()
        .map(|(i, (lon, lat))| Unit {
            id: format!("u{i}"),
            lon,
            lat,
            town: None,
            village: None,
            demand: Demand::Direct {
                primary: rng.gen_range(1..=6),
                junior: rng.gen_range(1..=6),
            },
        })
        .collect();
    let students: Vec<u32> = units
        .iter()
        .map(|u| match u.demand {
            Demand::Direct { junior, .. } => junior,
            _ => 0,
        })
        .collect();
    let total: u64 = students.iter().map(|&s| s as u64).sum();
    let mean = 1.02 * total as f64 / schools as f64;
    let schools: Vec<School> = points_near_roads(lines, schools, SEED ^ 0x73)
        .into_iter()
        .enumerate()
        .map(|(j, (lon, lat))| School {
            id: format!("s{j}"),
            name: format!("School {j}"),
            lon,
            lat,
            kind: SchoolKind::NineYear,
            sector: Sector::Public,
            boarding: false,
            serves: Vec::new(),
            entry_classes: PerLevel::default(),
            capacity: PerLevel::both((mean * rng.gen_range(0.6..1.4)).round() as u32),
            class_size: PerLevel::default(),
            max_travel_m: PerLevel::default(),
        })
        .collect();
    let special_needs = vec![0; students.len()];
    (
        units,
        LevelDemand {
            students,
            special_needs,
        },
        schools,
    )
}

fn roads(c: &mut Criterion) {
    // (a) Building the graph.
    let lines = road_grid(BUILD_NODES, SEED);
    let g = RoadGraph::build(&lines);
    eprintln!(
        "build: {} lines -> {} nodes, {} pieces",
        lines.len(),
        g.node_count(),
        g.pieces.len()
    );
    drop(g);
    let mut group = c.benchmark_group("road_build");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Elements(BUILD_NODES as u64));
    group.bench_function("100k", |b| b.iter(|| RoadGraph::build(black_box(&lines))));
    group.finish();

    // The 1M-node instance, shared by the rest.
    let lines = road_grid(NODES, SEED);
    let g = RoadGraph::build(&lines);
    let (units, demand, schools) = instance(&lines, SCHOOLS, UNITS);
    drop(lines);
    let policy = Policy::standard(2024);
    let snaps: Vec<_> = schools
        .iter()
        .map(|s| g.snap(s.lon, s.lat).expect("school snaps"))
        .collect();

    // (b) One sweep of walking searches from every school.
    let reached: usize = snaps
        .iter()
        .map(|s| routes_to(&g, s, Mode::Walk, Metric::Metres, 3_000.0).len())
        .sum();
    eprintln!(
        "{} nodes; walk 3 km reaches {:.0} nodes a school",
        g.node_count(),
        reached as f64 / SCHOOLS as f64
    );
    let mut group = c.benchmark_group("routes_to");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(SCHOOLS as u64));
    group.bench_function("walk3km_3000schools_1M", |b| {
        b.iter(|| {
            snaps
                .iter()
                .map(|s| routes_to(black_box(&g), s, Mode::Walk, Metric::Metres, 3_000.0).len())
                .sum::<usize>()
        })
    });
    group.finish();

    // (c) Feasible arcs at the junior level.
    let arcs = feasible_arcs(
        &units,
        &demand.students,
        &schools,
        Level::Junior,
        &policy,
        Travel::Roads(&g),
    );
    eprintln!(
        "junior: {} arcs ({:.1} a unit)",
        arcs.per_unit.iter().map(Vec::len).sum::<usize>(),
        arcs.per_unit.iter().map(Vec::len).sum::<usize>() as f64 / UNITS as f64
    );
    drop(arcs);
    let name = "junior_200000x3000_1M";
    let mut group = c.benchmark_group("feasible_arcs");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(60));
    group.bench_function(name, |b| {
        b.iter(|| {
            feasible_arcs(
                black_box(&units),
                &demand.students,
                &schools,
                Level::Junior,
                &policy,
                Travel::Roads(&g),
            )
        })
    });
    group.finish();

    // (d) The whole level.
    let mut group = c.benchmark_group("assign_level");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(120));
    group.bench_function(name, |b| {
        b.iter(|| {
            assign_level(
                black_box(&units),
                &demand,
                &schools,
                Level::Junior,
                &policy,
                Travel::Roads(&g),
            )
            .expect("certified")
        })
    });
    group.finish();
}

criterion_group!(benches, roads);
criterion_main!(benches);
