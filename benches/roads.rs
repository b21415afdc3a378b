//! Benchmarks of road-network travel on synthetic road grids
//! ([`catchment::synth::road_grid`]), with units and schools placed within
//! 50 m of the roads ([`catchment::synth::points_near_roads`]), all schools
//! public nine-year schools:
//!
//! * `road_build/100k_nodes`: `RoadGraph::build` of a 100,000-node network;
//! * `routes_to/walk3km_x3000_1M_nodes`: one sequential sweep of bounded
//!   searches (walking, 3 km) from each of 3,000 schools over a
//!   1,000,000-node network (a square of about 150 km a side);
//! * `feasible_arcs/junior_200000x3000_1M_nodes`: `feasible_arcs` with
//!   `Travel::Roads` at the junior level (driving, 10 km) for 200,000 units x
//!   3,000 schools on that network: snapping every unit, one search per
//!   school on all cores, the arcs (about 27 a unit);
//! * `feasible_arcs/junior_20000x300_100k_nodes` and
//!   `assign_level/junior_20000x300_100k_nodes`: the same densities at a
//!   tenth of the size (a county of about 2,300 km2), arcs alone and the
//!   whole `assign_level` (arcs, exact solve, certificate). The whole level
//!   is not benchmarked at 200,000 x 3,000: one run takes about three
//!   minutes there, almost all in the solver (`examples/roads_scale.rs`
//!   times it once).
//!
//! ```text
//! cargo bench --bench roads
//! ```
//!
//! Instances are built before timing and results dropped after it; only
//! the step named is timed. Ten samples of one run each. The whole run takes
//! about 4.5 minutes on two idle cores (6 when other work shares them), two
//! thirds of it in the 1M-node `feasible_arcs`.

use std::hint::black_box;
use std::time::Duration;

use catchment::assign::{Travel, assign_level, feasible_arcs};
use catchment::model::{Level, Policy};
use catchment::spatial::network::{Metric, Mode, RoadGraph, routes_to};
use catchment::synth::{road_county, road_grid};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode, criterion_group, criterion_main};

const SEED: u64 = 1;
/// (road nodes, schools, units): the full size and a tenth of it.
const FULL: (usize, usize, usize) = (1_000_000, 3_000, 200_000);
const TENTH: (usize, usize, usize) = (100_000, 300, 20_000);

fn slow_group<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_millis(1));
    group.measurement_time(Duration::from_secs(1));
    group
}

fn roads(c: &mut Criterion) {
    let policy = Policy::standard(2024);

    // (a) Building a 100k-node graph.
    let (nodes, n_schools, n_units) = TENTH;
    let lines = road_grid(nodes, SEED);
    let mut group = slow_group(c, "road_build");
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("100k_nodes", |b| {
        b.iter_with_large_drop(|| RoadGraph::build(black_box(&lines)))
    });
    group.finish();

    // A tenth of the full size: arcs alone, and the whole level.
    let g = RoadGraph::build(&lines);
    let (units, demand, schools) = road_county(&lines, n_units, n_schools, SEED);
    let name = format!("junior_{n_units}x{n_schools}_100k_nodes");
    let mut group = slow_group(c, "feasible_arcs");
    group.bench_function(&name, |b| {
        b.iter_with_large_drop(|| {
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
    let mut group = slow_group(c, "assign_level");
    group.bench_function(&name, |b| {
        b.iter_with_large_drop(|| {
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
    drop((g, lines, units, demand, schools));

    // The full size: 1M road nodes, 3,000 schools, 200,000 units.
    let (nodes, n_schools, n_units) = FULL;
    let lines = road_grid(nodes, SEED);
    let g = RoadGraph::build(&lines);
    let (units, demand, schools) = road_county(&lines, n_units, n_schools, SEED);
    drop(lines);
    let snaps: Vec<_> = schools
        .iter()
        .map(|s| g.snap(s.lon, s.lat).expect("school snaps"))
        .collect();
    eprintln!(
        "{} road nodes, {} pieces; {} units, {} schools",
        g.node_count(),
        g.pieces.len(),
        units.len(),
        schools.len()
    );

    // (b) One sweep of walking searches from every school, sequentially.
    let mut group = slow_group(c, "routes_to");
    group.bench_function(format!("walk3km_x{n_schools}_1M_nodes"), |b| {
        b.iter(|| {
            snaps
                .iter()
                .map(|s| routes_to(black_box(&g), s, Mode::Walk, Metric::Metres, 3_000.0).len())
                .sum::<usize>()
        })
    });
    group.finish();

    // (c) Feasible arcs at the junior level, full size.
    let mut group = slow_group(c, "feasible_arcs");
    group.bench_function(format!("junior_{n_units}x{n_schools}_1M_nodes"), |b| {
        b.iter_with_large_drop(|| {
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
}

criterion_group!(benches, roads);
criterion_main!(benches);
