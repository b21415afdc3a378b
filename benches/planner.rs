//! The planner at interactive speed (`cargo bench --bench planner`):
//! - the bundled example: a manual move with its updated per-school
//!   figures; a warm re-optimise after one move;
//! - a generated prefecture (200,000 units x 300 nine-year schools,
//!   [`catchment::synth::road_county`], straight-line travel): a cold solve
//!   against a warm re-optimise after one move (same optimum: the tests in
//!   tests/planner.rs check it on random edit sequences).
//!
//! Travel (the arcs) is found once before timing: the planner keeps it
//! between edits, so both the cold and the warm solve start from it.

use catchment::io::Scenario;
use catchment::io::load::{LoadRequest, load};
use catchment::model::Level;
use catchment::plan::{Changes, Loaded, PlanEdit, PlanSettings, Planner, school_rows};
use catchment::synth::{road_county, road_grid};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

/// A unit with primary students and two primary schools it can be moved
/// between: where it is, and the nearest other.
fn mover(p: &Planner) -> (usize, usize, usize) {
    let la = p.assignment(Level::Primary).expect("solved");
    let l = p.loaded();
    let row = la
        .placements
        .iter()
        .find(|r| r.school.is_some())
        .expect("a placed unit");
    let at = row.school.expect("placed");
    let u = &l.units[row.unit];
    let other = (0..l.schools.len())
        .filter(|&j| j != at && l.schools[j].takes_catchment(Level::Primary))
        .min_by(|&a, &b| {
            let d = |j: usize| (l.schools[j].lon - u.lon).hypot(l.schools[j].lat - u.lat);
            d(a).total_cmp(&d(b))
        })
        .expect("another school");
    (row.unit, at, other)
}

/// A manual move at primary level, then everything re-optimised warm.
fn move_and_reoptimise(p: &mut Planner, unit: usize, school: usize) -> Changes {
    p.apply(PlanEdit::Move {
        level: Level::Primary,
        unit,
        school,
    })
    .expect("moves");
    black_box(p.reoptimise().expect("solves"))
}

fn solved(loaded: Loaded, settings: PlanSettings) -> Planner {
    let mut p = Planner::new(loaded, settings);
    p.solve_cold().expect("solves");
    p
}

fn example(c: &mut Criterion) {
    let loaded = load(&LoadRequest::default(), chrono::Local::now().date_naive())
        .expect("the bundled example");
    let settings = PlanSettings::of(&loaded);
    let mut p = solved(loaded, settings);
    let (unit, a, b) = mover(&p);
    let mut flip = false;
    let mut g = c.benchmark_group("example");
    g.bench_function("manual_move_and_school_rows", |bench| {
        bench.iter(|| {
            flip = !flip;
            let school = if flip { b } else { a };
            let level = Level::Primary;
            p.apply(PlanEdit::Move {
                level,
                unit,
                school,
            })
            .expect("moves");
            let l = p.loaded();
            black_box(school_rows(
                &l.schools,
                p.assignment(level).expect("solved"),
                p.current(level),
            ))
        })
    });
    g.bench_function("move_then_warm_reoptimise", |bench| {
        bench.iter(|| {
            flip = !flip;
            move_and_reoptimise(&mut p, unit, if flip { b } else { a })
        })
    });
    g.finish();
}

/// The generated prefecture, solved once.
fn prefecture(whole_units: bool) -> Planner {
    let lines = road_grid(100_000, 1);
    let (units, _, schools) = road_county(&lines, 200_000, 300, 1);
    let loaded = Loaded::new(Scenario::standard(2023), units, schools).expect("direct demand");
    let mut settings = PlanSettings::of(&loaded);
    settings.zones.whole_units = whole_units;
    solved(loaded, settings)
}

fn prefecture_bench(c: &mut Criterion, whole_units: bool) {
    let mut p = prefecture(whole_units);
    let (unit, a, b) = mover(&p);
    let name = if whole_units {
        "prefecture_whole_units"
    } else {
        "prefecture"
    };
    let mut g = c.benchmark_group(name);
    g.sample_size(10);
    g.bench_function("cold_solve", |bench| {
        bench.iter(|| black_box(p.solve_cold().expect("solves")))
    });
    let mut flip = false;
    g.bench_function("move_then_warm_reoptimise", |bench| {
        bench.iter(|| {
            flip = !flip;
            move_and_reoptimise(&mut p, unit, if flip { b } else { a })
        })
    });
    g.finish();
}

/// LP rows (units may be split). Whole units add the rounding and the zone
/// repair, the same work warm or cold and over a minute at this size
/// (`cargo run --release --example planner_scale -- 200000 300 whole`).
fn prefectures(c: &mut Criterion) {
    prefecture_bench(c, false);
}

criterion_group!(benches, example, prefectures);
criterion_main!(benches);
