//! Benchmarks of the exact solver on synthetic clustered instances
//! ([`catchment::synth::clustered`]), 8 candidate schools per unit:
//! 2,000 units x 20 schools, 20,000 x 60 and 200,000 x 300.
//!
//! ```text
//! cargo bench --bench solver
//! ```
//!
//! Instances are generated, solved once and certified optimal before timing;
//! only `ssp::solve` is timed. The whole run takes about two minutes.

use std::hint::black_box;
use std::time::Duration;

use catchment::assign::{certify, ssp};
use catchment::synth::clustered;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

const CANDIDATES: usize = 8;
const SEED: u64 = 1;
/// (units, schools, measurement seconds).
const SIZES: [(usize, usize, u64); 3] = [(2_000, 20, 5), (20_000, 60, 10), (200_000, 300, 40)];

fn solve(c: &mut Criterion) {
    let mut group = c.benchmark_group("ssp_solve");
    group.sample_size(10);
    for (units, schools, seconds) in SIZES {
        let t = clustered(units, schools, CANDIDATES, SEED);
        let solved = ssp::solve(&t);
        let cert = certify(&t, &solved.flow, &solved.price)
            .unwrap_or_else(|e| panic!("{units} x {schools}: {e}"));
        eprintln!(
            "{units} x {schools}: {} students, {} rounds, {} unplaced",
            t.supply.iter().map(|&s| s as u64).sum::<u64>(),
            solved.rounds,
            cert.primal.unplaced
        );
        group.measurement_time(Duration::from_secs(seconds));
        group.throughput(Throughput::Elements(units as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(format!("{units}x{schools}")),
            &t,
            |b, t| b.iter(|| ssp::solve(black_box(t))),
        );
    }
    group.finish();
}

criterion_group!(benches, solve);
criterion_main!(benches);
