//! The studio at interactive speed (`cargo bench --bench studio`), through
//! its HTTP contract without the socket (`Session::handle`), on the
//! bundled example:
//! - a manual move and the new school table (`POST /api/assign`, then
//!   `GET /api/table`), the planner's every click;
//! - a move then an optimise (`POST /api/optimize`, re-solved as `plan`
//!   solves, byte for byte);
//! - the same optimise warm (`serve --warm`), from the last seat prices;
//! - an undo of a move (back to the last snapshot, the moves replayed).
//!
//! The prefecture (200,000 units) is timed once by
//! `cargo run --release --example studio_scale` (a criterion run of its
//! optimise would take minutes).

use catchment::io::load::{LoadRequest, load};
use catchment::studio::Studio;
use catchment::studio::api::{Reply, Request, Session};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn session(warm: bool) -> Session {
    let loaded = load(&LoadRequest::default(), chrono::Local::now().date_naive())
        .expect("the bundled example");
    Session::new(Studio::new(loaded, warm).expect("solves"), false)
}

fn call(s: &mut Session, method: &str, path: &str, query: &str, body: &str) -> usize {
    match s.handle(&Request {
        method,
        path,
        query,
        body: body.as_bytes(),
    }) {
        Reply::Json(200, text) => text.len(),
        Reply::Json(status, text) => panic!("{path}: {status} {text}"),
        _ => 0,
    }
}

/// A move of the example's first unit to P02 or P03, alternately.
fn move_body(flip: bool) -> String {
    format!(
        "{{\"unit_id\":\"H000001\",\"level\":\"primary\",\"school_id\":\"{}\"}}",
        if flip { "P02" } else { "P03" }
    )
}

fn example(c: &mut Criterion) {
    let mut g = c.benchmark_group("studio_example");
    let mut s = session(false);
    let mut flip = false;
    g.bench_function("assign_and_table", |b| {
        b.iter(|| {
            flip = !flip;
            call(&mut s, "POST", "/api/assign", "", &move_body(flip));
            black_box(call(&mut s, "GET", "/api/table", "level=primary", ""))
        })
    });
    for warm in [false, true] {
        let mut s = session(warm);
        let name = if warm {
            "assign_then_optimize_warm"
        } else {
            "assign_then_optimize_as_plan"
        };
        g.bench_function(name, |b| {
            b.iter(|| {
                flip = !flip;
                call(&mut s, "POST", "/api/assign", "", &move_body(flip));
                black_box(call(&mut s, "POST", "/api/optimize", "", ""))
            })
        });
    }
    let mut s = session(false);
    g.bench_function("assign_then_undo", |b| {
        b.iter(|| {
            call(&mut s, "POST", "/api/assign", "", &move_body(true));
            black_box(call(&mut s, "POST", "/api/undo", "", ""))
        })
    });
    g.finish();
}

criterion_group!(benches, example);
criterion_main!(benches);
