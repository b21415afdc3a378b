//! One timed solve of a synthetic instance, for scale studies and profiling.
//!
//! ```text
//! cargo run --release --example solve_synth -- [units] [schools] [candidates] [seed]
//! ```
//!
//! Defaults: 200000 units, 300 schools, 8 candidates, seed 1. Prints the
//! generation, solve and certificate times, the rounds and the result.

use std::time::Instant;

use catchment::assign::{certify, ssp};
use catchment::synth::clustered;

fn arg(n: usize, default: u64) -> u64 {
    std::env::args()
        .nth(n)
        .map(|a| a.parse().expect("a number"))
        .unwrap_or(default)
}

fn main() {
    let units = arg(1, 200_000) as usize;
    let schools = arg(2, 300) as usize;
    let candidates = arg(3, 8) as usize;
    let seed = arg(4, 1);

    let clock = Instant::now();
    let t = clustered(units, schools, candidates, seed);
    let generate = clock.elapsed().as_secs_f64();
    let students: u64 = t.supply.iter().map(|&s| s as u64).sum();
    let seats: u64 = t.capacity.iter().map(|&c| c as u64).sum();
    // Excess of the start (everyone at the nearest school): the work SSP has to do.
    let mut nearest = vec![0u64; t.schools()];
    for i in 0..t.units() {
        if let Some(a) = t.arcs(i).next() {
            nearest[t.arc_school[a] as usize] += t.supply[i] as u64;
        }
    }
    let excess: u64 = (0..t.schools())
        .map(|j| nearest[j].saturating_sub(t.capacity[j] as u64))
        .sum();
    let over = (0..t.schools())
        .filter(|&j| nearest[j] > t.capacity[j] as u64)
        .count();
    println!(
        "instance {units} x {schools}, {candidates} candidates, seed {seed}: \
         {students} students, {seats} seats, {} arcs; start excess {excess} students \
         at {over} schools; generated in {generate:.3} s",
        t.arc_school.len()
    );

    let clock = Instant::now();
    let solved = ssp::solve(&t);
    let solve = clock.elapsed().as_secs_f64();
    let clock = Instant::now();
    let cert = certify(&t, &solved.flow, &solved.price).expect("certificate");
    let check = clock.elapsed().as_secs_f64();
    let loads = solved.flow.loads(&t);
    let full = (0..t.schools())
        .filter(|&j| loads[j] == t.capacity[j] as u64)
        .count();
    println!(
        "solved in {solve:.3} s, {} rounds ({:.1} us/round); certified in {check:.3} s; \
         {full} full schools; unplaced {}, total {} student-mm",
        solved.rounds,
        1e6 * solve / solved.rounds.max(1) as f64,
        cert.primal.unplaced,
        cert.primal.mm
    );
}
