//! The exact solver: a case solved by hand, random instances against an
//! independent LP (good_lp + microlp), and the laws every solution keeps.
#![allow(clippy::needless_range_loop)]

use catchment::assign::{Cost, Total, Transport, certify, ssp};
use good_lp::{Expression, Solution, SolverModel, constraint, default_solver, variable, variables};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn instance(cap: &[u32], units: &[(u32, &[(u32, i64)])]) -> Transport {
    let mut t = Transport::new(cap.to_vec());
    for (s, arcs) in units {
        let mut a = arcs.to_vec();
        t.push_unit(*s, &mut a);
    }
    t
}

/// Three schools A(2 seats) B(3) C(1); seven students, so one stays out.
/// Worked by hand: the unit that can reach only C loses its seat to the
/// cheaper use of C by u2, and u1 (not u0) gives up school A.
#[test]
fn three_schools_solved_by_hand() {
    let t = instance(
        &[2, 3, 1],
        &[
            (2, &[(0, 1), (1, 4)]),
            (2, &[(0, 2), (1, 3), (2, 6)]),
            (2, &[(1, 1), (2, 2)]),
            (1, &[(2, 5)]),
        ],
    );
    let s = ssp::solve(&t);
    let c = certify(&t, &s.flow, &s.price).expect("certified");
    assert_eq!(
        c.primal,
        Total {
            unplaced: 1,
            mm: 11
        }
    );
    // u0 -> A x2, u1 -> B x2, u2 -> B x1 + C x1, u3 unplaced.
    assert_eq!(s.flow.arc, vec![2, 0, 0, 2, 0, 1, 1, 0]);
    assert_eq!(s.flow.unplaced, vec![0, 0, 0, 1]);
}

#[test]
fn no_arcs_means_unplaced_and_empty_instance_is_fine() {
    let t = instance(&[5], &[(3, &[]), (0, &[(0, 7)])]);
    let s = ssp::solve(&t);
    assert_eq!(s.flow.unplaced, vec![3, 0]);
    certify(&t, &s.flow, &s.price).unwrap();
    let empty = instance(&[], &[]);
    let s = ssp::solve(&empty);
    assert_eq!(
        certify(&empty, &s.flow, &s.price).unwrap().primal,
        Total::default()
    );
}

#[test]
fn a_wrong_flow_fails_the_certificate() {
    let t = instance(&[1, 1], &[(1, &[(0, 1), (1, 5)]), (1, &[(0, 2), (1, 3)])]);
    let s = ssp::solve(&t);
    certify(&t, &s.flow, &s.price).unwrap();
    // Swap: feasible but worse (5 + 2 instead of 1 + 3): must not certify.
    let mut bad = s.flow.clone();
    bad.arc.swap(0, 1);
    bad.arc.swap(2, 3);
    assert!(certify(&t, &bad, &s.price).is_err());
}

fn random_instance(seed: u64, units: usize, schools: usize, max_deg: usize) -> Transport {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let cap: Vec<u32> = (0..schools).map(|_| rng.gen_range(0..12)).collect();
    let mut t = Transport::new(cap);
    for _ in 0..units {
        let deg = rng.gen_range(0..=max_deg.min(schools));
        let mut arcs: Vec<(u32, i64)> = (0..deg)
            .map(|_| (rng.gen_range(0..schools) as u32, rng.gen_range(0..5000)))
            .collect();
        t.push_unit(rng.gen_range(0..6), &mut arcs);
    }
    t
}

/// The same model through good_lp (microlp, pure Rust), lexicographic order
/// by a penalty larger than any alternating path can save.
fn lp_objective(t: &Transport) -> f64 {
    let mut vars = variables!();
    let x: Vec<_> = (0..t.arc_school.len())
        .map(|_| vars.add(variable().min(0)))
        .collect();
    let y: Vec<_> = (0..t.units())
        .map(|_| vars.add(variable().min(0)))
        .collect();
    let max_c = t.arc_mm.iter().copied().max().unwrap_or(0) as f64;
    let big = (t.schools() as f64 + 1.0) * (max_c + 1.0);
    let mut obj = Expression::from(0.0);
    for a in 0..x.len() {
        obj += t.arc_mm[a] as f64 * x[a];
    }
    for &yi in &y {
        obj += big * yi;
    }
    let mut m = vars.minimise(obj.clone()).using(default_solver);
    for i in 0..t.units() {
        let mut e = Expression::from(y[i]);
        for a in t.arcs(i) {
            e += x[a];
        }
        m = m.with(constraint!(e == t.supply[i] as f64));
    }
    for j in 0..t.schools() {
        let mut e = Expression::from(0.0);
        for a in 0..x.len() {
            if t.arc_school[a] as usize == j {
                e += x[a];
            }
        }
        m = m.with(constraint!(e <= t.capacity[j] as f64));
    }
    let sol = m.solve().expect("lp solves");
    sol.eval(&obj)
}

#[test]
fn random_instances_match_an_independent_lp() {
    for seed in 0..40 {
        let t = random_instance(seed, 30, 6, 4);
        let s = ssp::solve(&t);
        let c = certify(&t, &s.flow, &s.price).expect("certified");
        let max_c = t.arc_mm.iter().copied().max().unwrap_or(0) as f64;
        let big = (t.schools() as f64 + 1.0) * (max_c + 1.0);
        let ours = c.primal.unplaced as f64 * big + c.primal.mm as f64;
        let lp = lp_objective(&t);
        assert!(
            (ours - lp).abs() <= 1e-6 * lp.abs().max(1.0),
            "seed {seed}: ours {ours} lp {lp}"
        );
    }
}

#[test]
fn prices_are_zero_without_scarcity() {
    let t = random_instance(7, 50, 5, 3);
    let mut roomy = t.clone();
    roomy.capacity.iter_mut().for_each(|c| *c = 10_000);
    let s = ssp::solve(&roomy);
    assert!(s.price.iter().all(|&p| p == Cost::ZERO));
    assert_eq!(s.rounds, 0);
}

/// Any starting prices (zero, too high, too low, worth unplaced students)
/// reach the same optimum value as a cold start, and certify: the start
/// leaves schools over and under their seats, repaired by forward and
/// backward searches.
#[test]
fn any_starting_prices_reach_the_same_optimum() {
    for seed in 0..300u64 {
        let t = random_instance(seed, 40, 6, 4);
        let cold = ssp::solve_from(&t, None);
        let best = certify(&t, &cold.flow, &cold.price)
            .expect("cold certified")
            .primal;
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xABCD);
        let prices: Vec<Cost> = (0..t.schools())
            .map(|_| match rng.gen_range(0..4) {
                0 => Cost::ZERO,
                1 => Cost::travel(rng.gen_range(0..3000)),
                2 => Cost::travel(rng.gen_range(0..20_000)),
                _ => Cost {
                    unplaced: 1,
                    mm: -rng.gen_range(0..5000),
                },
            })
            .collect();
        let warm = ssp::solve_from(&t, Some(&prices));
        let c = certify(&t, &warm.flow, &warm.price)
            .unwrap_or_else(|e| panic!("seed {seed}: warm start not certified: {e}"));
        assert_eq!(c.primal, best, "seed {seed}");
        // Starting from the optimum's own prices leaves little to do.
        let again = ssp::solve_from(&t, Some(&cold.price));
        assert_eq!(certify(&t, &again.flow, &again.price).unwrap().primal, best);
    }
}

/// Above `SAMPLED_FROM` units the solve starts from samples' prices: the
/// same optimum value as a cold start, certified, and deterministic.
#[test]
fn sampled_start_reaches_the_cold_optimum() {
    // 6 arcs a unit, and 16 (most left out of each sample's solve and
    // priced in afterwards).
    for (units, schools, arcs, seed) in [
        (60_000, 40, 6, 1),
        (ssp::SAMPLED_FROM + 1, 120, 6, 2),
        (60_000, 80, 16, 3),
    ] {
        let t = catchment::synth::clustered(units, schools, arcs, seed);
        let sampled = ssp::solve(&t);
        let cold = ssp::solve_from(&t, None);
        let a = certify(&t, &sampled.flow, &sampled.price).expect("sampled certified");
        let b = certify(&t, &cold.flow, &cold.price).expect("cold certified");
        assert_eq!(a.primal, b.primal, "{units} x {schools}");
        assert!(b.primal.mm > 0);
        assert_eq!(ssp::solve(&t).flow, sampled.flow);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn conservation_capacity_and_certificate(seed in any::<u64>(), units in 0usize..60,
                                             schools in 1usize..9, deg in 0usize..6) {
        let t = random_instance(seed, units, schools, deg);
        let s = ssp::solve(&t);
        // Students in = placed + unplaced, per unit.
        for i in 0..t.units() {
            let placed: u32 = t.arcs(i).map(|a| s.flow.arc[a]).sum();
            prop_assert_eq!(placed + s.flow.unplaced[i], t.supply[i]);
        }
        // Seats never exceeded.
        for (j, &l) in s.flow.loads(&t).iter().enumerate() {
            prop_assert!(l <= t.capacity[j] as u64);
        }
        // Proven optimal.
        prop_assert!(certify(&t, &s.flow, &s.price).is_ok());
        // Deterministic.
        let again = ssp::solve(&t);
        prop_assert_eq!(&again.flow, &s.flow);
    }
}
