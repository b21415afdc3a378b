//! Whole units: every student of a unit (or of a block of units) at one
//! school, so a village or residential block has one school and siblings
//! stay together.
//!
//! The transportation optimum (the LP bound) already places all but at most
//! `schools - 1` units whole (a basic solution splits at most as many units
//! as it has spanning-tree arcs beyond the units' own). We keep every unit
//! the optimum placed whole and decide the split ones again as a small
//! integer model over the seats they leave: exactly (branch and bound,
//! good_lp + microlp, pure Rust) when it is small, by a greedy otherwise,
//! and keep the better. The caller reports the gap to the LP bound, so the
//! price of whole units is always stated, never hidden.

// Units are indices into parallel arrays (supply, arcs, choice): loops
// over `0..n` read clearer than zipped iterators here.
#![allow(clippy::needless_range_loop)]

use super::cost::Total;
use super::ssp;
use super::transport::{Flow, Transport};
use good_lp::{
    Expression, ResolutionError, Solution, SolverModel, Variable, constraint, microlp, variable,
    variables,
};

/// Largest integer model of the split units solved exactly (binaries).
const MIP_MAX_VARS: usize = 80;
/// Largest whole model solved exactly instead of rounding (binaries).
const FULL_MIP_MAX_VARS: usize = 200;

/// A whole-unit placement: per unit, the arc it takes (`None`: unplaced).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rounded {
    pub choice: Vec<Option<usize>>,
    /// Units the LP optimum split (between schools, or placed in part).
    pub split: usize,
    /// How: "none" (the LP optimum was whole), "exact_whole_model" (small:
    /// the integer model solved exactly), or the split units decided
    /// "exact"-ly over the seats left, "greedy", or by a "dive".
    pub method: &'static str,
}

impl Rounded {
    /// The placement as a flow, for totals and checks.
    pub fn flow(&self, t: &Transport) -> Flow {
        let mut f = Flow {
            arc: vec![0; t.arc_school.len()],
            unplaced: vec![0; t.units()],
        };
        for (i, c) in self.choice.iter().enumerate() {
            match c {
                Some(a) => f.arc[*a] = t.supply[i],
                None => f.unplaced[i] = t.supply[i],
            }
        }
        f
    }
}

/// The cost of a flow: unplaced students, then student x cost units.
pub fn total(t: &Transport, f: &Flow) -> Total {
    let mut tot = Total::default();
    for (a, &x) in f.arc.iter().enumerate() {
        tot.mm += x as i128 * t.arc_mm[a] as i128;
    }
    tot.unplaced = f.unplaced.iter().map(|&y| y as i128).sum();
    tot
}

/// Round the LP optimum `lp` of `t` to whole units.
///
/// Two ways, the better kept: (1) keep the units the optimum placed whole
/// and decide the split ones over the seats left; (2) when the instance is
/// small enough, dive: fix one split unit at a time to each school it was
/// split over (or to unplaced), solve the LP again so that any other unit
/// may make room, keep the cheaper, and repeat until no unit is split.
pub fn round(t: &Transport, lp: &Flow) -> Rounded {
    let (choice, split, method) = cheap(t, lp, true);
    if split == 0 {
        return Rounded {
            choice,
            split,
            method,
        };
    }
    // Small enough: the whole integer model, exactly.
    let exact_all = exact_whole(t);
    if let Some(choice) = exact_all {
        return Rounded {
            choice,
            split,
            method: "exact_whole_model",
        };
    }
    round_large(t, lp, choice, split, method)
}

/// The whole integer model solved exactly, when it is small.
fn exact_whole(t: &Transport) -> Option<Vec<Option<usize>>> {
    let all: Vec<usize> = (0..t.units()).filter(|&i| t.supply[i] > 0).collect();
    let vars: usize = all.iter().map(|&i| t.arcs(i).len() + 1).sum();
    if vars > FULL_MIP_MAX_VARS {
        return None;
    }
    let cap: Vec<i64> = t.capacity.iter().map(|&c| c as i64).collect();
    let c = exact(t, &all, &cap).ok()?;
    let mut choice = vec![None; t.units()];
    for (k, &i) in all.iter().enumerate() {
        choice[i] = c[k];
    }
    Some(choice)
}

/// Rounding, dive and local search, for models too large to solve exactly.
fn round_large(
    t: &Transport,
    lp: &Flow,
    choice: Vec<Option<usize>>,
    split: usize,
    method: &'static str,
) -> Rounded {
    let mut best = Rounded {
        choice,
        split,
        method,
    };
    // Each dive step solves the LP about twice; keep the work near a
    // second on a county.
    if t.arc_school.len() <= DIVE_WORK {
        let d = dive(t, lp);
        let key = |c: &Rounded| total(t, &c.flow(t));
        if key(&d) < key(&best) {
            best = Rounded {
                choice: d.choice,
                split,
                method: "dive",
            };
        }
    }
    improve(t, &mut best.choice);
    best
}

/// Local search on a whole placement, each step strictly better
/// (lexicographically): move a unit to a cheaper school with room; place
/// an unplaced unit by moving one unit out of a full school; swap two units
/// between two schools when that shortens travel.
fn improve(t: &Transport, choice: &mut [Option<usize>]) {
    let n = t.units();
    let k = t.schools();
    let school = |a: usize| t.arc_school[a] as usize;
    let arc_to = |u: usize, j: usize| t.arcs(u).find(|&a| school(a) == j);
    let mut residual: Vec<i64> = t.capacity.iter().map(|&c| c as i64).collect();
    for (i, c) in choice.iter().enumerate() {
        if let Some(a) = c {
            residual[school(*a)] -= t.supply[i] as i64;
        }
    }
    let swaps_ok = t.arc_school.len().saturating_mul(n / k.max(1) + 1) <= SWAP_WORK;
    for _pass in 0..50 {
        let mut improved = false;
        // 1. Single moves to a cheaper school with room (arcs are sorted by cost).
        for i in 0..n {
            let d = t.supply[i] as i64;
            if d == 0 {
                continue;
            }
            for a in t.arcs(i) {
                if Some(a) == choice[i] {
                    break;
                }
                if residual[school(a)] >= d {
                    if let Some(b) = choice[i] {
                        residual[school(b)] += d;
                    }
                    residual[school(a)] -= d;
                    choice[i] = Some(a);
                    improved = true;
                    break;
                }
            }
        }
        let mut at: Vec<Vec<usize>> = vec![Vec::new(); k];
        for (i, c) in choice.iter().enumerate() {
            if let Some(a) = c {
                at[school(*a)].push(i);
            }
        }
        // 2. An unplaced unit takes the place of a unit moved elsewhere.
        'unplaced: for i in 0..n {
            let d = t.supply[i] as i64;
            if d == 0 || choice[i].is_some() {
                continue;
            }
            for a in t.arcs(i) {
                let j = school(a);
                let need = d - residual[j];
                let mut best: Option<(i64, usize, usize)> = None;
                for &u in &at[j] {
                    let du = t.supply[u] as i64;
                    if du < need || Some(u) == Some(i) {
                        continue;
                    }
                    let cur = choice[u].expect("placed");
                    for b in t.arcs(u) {
                        let kk = school(b);
                        if kk != j && residual[kk] >= du {
                            let delta = du * (t.arc_mm[b] - t.arc_mm[cur]);
                            if best.is_none_or(|x| (delta, u, b) < x) {
                                best = Some((delta, u, b));
                            }
                        }
                    }
                }
                if let Some((_, u, b)) = best {
                    let du = t.supply[u] as i64;
                    residual[j] += du - d;
                    residual[school(b)] -= du;
                    choice[u] = Some(b);
                    choice[i] = Some(a);
                    improved = true;
                    break 'unplaced;
                }
            }
        }
        if improved {
            continue;
        }
        // 3. Swaps that shorten travel.
        if swaps_ok {
            'swap: for i in 0..n {
                let Some(ai) = choice[i] else { continue };
                let j = school(ai);
                let di = t.supply[i] as i64;
                for b in t.arcs(i) {
                    let kk = school(b);
                    if kk == j {
                        continue;
                    }
                    for &u in &at[kk] {
                        let du = t.supply[u] as i64;
                        let Some(c) = arc_to(u, j) else { continue };
                        let au = choice[u].expect("placed");
                        if residual[j] + di - du < 0 || residual[kk] + du - di < 0 {
                            continue;
                        }
                        let delta =
                            di * (t.arc_mm[b] - t.arc_mm[ai]) + du * (t.arc_mm[c] - t.arc_mm[au]);
                        if delta < 0 {
                            residual[j] += di - du;
                            residual[kk] += du - di;
                            choice[i] = Some(b);
                            choice[u] = Some(c);
                            improved = true;
                            break 'swap;
                        }
                    }
                }
            }
        }
        if !improved {
            break;
        }
    }
}

/// Arcs x units per school up to which swaps are searched.
const SWAP_WORK: usize = 50_000_000;

/// Arcs x dive steps at most (each step solves the LP about twice): the
/// dive stops early on large instances, keeping the best placement seen.
const DIVE_WORK: usize = 4_000_000;

fn split_units(t: &Transport, f: &Flow, skip: &[bool]) -> Vec<usize> {
    (0..t.units())
        .filter(|&i| !skip[i] && t.supply[i] > 0)
        .filter(|&i| {
            let used = t.arcs(i).filter(|&a| f.arc[a] > 0).count();
            used > 1 || (used == 1 && f.unplaced[i] > 0)
        })
        .collect()
}

/// `t` with unit `i` limited to school `to` (`None`: no school).
fn restrict(t: &Transport, i: usize, to: Option<u32>) -> Transport {
    let mut r = Transport::new(t.capacity.clone());
    let mut buf = Vec::new();
    for u in 0..t.units() {
        buf.clear();
        buf.extend(
            t.arcs(u)
                .filter(|&a| u != i || Some(t.arc_school[a]) == to)
                .map(|a| (t.arc_school[a], t.arc_mm[a])),
        );
        r.push_unit(t.supply[u], &mut buf);
    }
    r
}

/// A choice on `t2` (a restriction of `t`) as a choice on `t`.
fn lift(t: &Transport, t2: &Transport, c2: &[Option<usize>]) -> Vec<Option<usize>> {
    c2.iter()
        .enumerate()
        .map(|(i, c)| {
            c.map(|a| {
                t.arcs(i)
                    .find(|&b| t.arc_school[b] == t2.arc_school[a])
                    .expect("restricted arcs are arcs of the instance")
            })
        })
        .collect()
}

/// Each step looks ahead: for every option, the LP again and its quick
/// rounding; the option whose rounding is best (then whose LP is best) is
/// taken, and the best whole placement seen on the way is returned.
fn dive(t: &Transport, lp: &Flow) -> Rounded {
    let n = t.units();
    let mut fixed = vec![false; n];
    let mut cur_t = t.clone();
    let mut cur = lp.clone();
    let mut best_seen: Option<(Total, Vec<Option<usize>>)> = None;
    // Fixing a unit may split another; the steps are bounded.
    let steps =
        (2 * split_units(t, lp, &fixed).len() + 2).min(DIVE_WORK / t.arc_school.len().max(1));
    let mut keep = |c: Vec<Option<usize>>| {
        let r = Rounded {
            choice: c,
            split: 0,
            method: "dive",
        };
        let v = total(t, &r.flow(t));
        if best_seen.as_ref().is_none_or(|b| v < b.0) {
            best_seen = Some((v, r.choice));
        }
    };
    for _ in 0..steps {
        let splits = split_units(&cur_t, &cur, &fixed);
        let Some(&i) = splits
            .iter()
            .max_by_key(|&&i| (cur_t.supply[i], std::cmp::Reverse(i)))
        else {
            break;
        };
        let mut options: Vec<Option<u32>> = cur_t
            .arcs(i)
            .filter(|&a| cur.arc[a] > 0)
            .map(|a| Some(cur_t.arc_school[a]))
            .collect();
        if cur.unplaced[i] > 0 {
            options.push(None);
        }
        let mut step: Option<((Total, Total), Transport, Flow)> = None;
        for o in options {
            let t2 = restrict(&cur_t, i, o);
            let f2 = ssp::solve(&t2).flow;
            let (c2, _, _) = cheap(&t2, &f2, false);
            let c = lift(t, &t2, &c2);
            let r = Rounded {
                choice: c.clone(),
                split: 0,
                method: "dive",
            };
            let key = (total(t, &r.flow(t)), total(&t2, &f2));
            keep(c);
            if step.as_ref().is_none_or(|b| key < b.0) {
                step = Some((key, t2, f2));
            }
        }
        let (_, t2, f2) = step.expect("a split unit has an option");
        cur_t = t2;
        cur = f2;
        fixed[i] = true;
    }
    let (c, _, _) = cheap(&cur_t, &cur, true);
    keep(lift(t, &cur_t, &c));
    Rounded {
        choice: best_seen.expect("the dive keeps a placement").1,
        split: 0,
        method: "dive",
    }
}

/// Keep the units `lp` placed whole; decide the split ones over the seats
/// they leave.
fn cheap(t: &Transport, lp: &Flow, exact_ok: bool) -> (Vec<Option<usize>>, usize, &'static str) {
    let n = t.units();
    let mut choice: Vec<Option<usize>> = vec![None; n];
    let mut residual: Vec<i64> = t.capacity.iter().map(|&c| c as i64).collect();
    let mut split = Vec::new();
    for i in 0..n {
        if t.supply[i] == 0 {
            continue;
        }
        let used: Vec<usize> = t.arcs(i).filter(|&a| lp.arc[a] > 0).collect();
        match (used.as_slice(), lp.unplaced[i]) {
            ([a], 0) => {
                choice[i] = Some(*a);
                residual[t.arc_school[*a] as usize] -= t.supply[i] as i64;
            }
            ([], _) => {}
            _ => split.push(i),
        }
    }
    if split.is_empty() {
        return (choice, 0, "none");
    }
    let greedy = greedy(t, &split, &residual);
    let vars: usize = split.iter().map(|&i| t.arcs(i).len() + 1).sum();
    let exact = if exact_ok && vars <= MIP_MAX_VARS {
        exact(t, &split, &residual).ok()
    } else {
        None
    };
    let cost = |c: &[Option<usize>]| -> (i128, i128) {
        let mut u = 0i128;
        let mut m = 0i128;
        for (k, &i) in split.iter().enumerate() {
            match c[k] {
                Some(a) => m += t.supply[i] as i128 * t.arc_mm[a] as i128,
                None => u += t.supply[i] as i128,
            }
        }
        (u, m)
    };
    let (best, method) = match exact {
        Some(e) if cost(&e) <= cost(&greedy) => (e, "exact"),
        _ => (greedy, "greedy"),
    };
    for (k, &i) in split.iter().enumerate() {
        choice[i] = best[k];
    }
    (choice, split.len(), method)
}

/// Largest units first, each to its cheapest school with room.
fn greedy(t: &Transport, split: &[usize], residual: &[i64]) -> Vec<Option<usize>> {
    let mut r = residual.to_vec();
    let mut order: Vec<usize> = (0..split.len()).collect();
    order.sort_by_key(|&k| (std::cmp::Reverse(t.supply[split[k]]), split[k]));
    let mut out = vec![None; split.len()];
    for k in order {
        let i = split[k];
        let d = t.supply[i] as i64;
        // Arcs are sorted by cost, then school.
        if let Some(a) = t.arcs(i).find(|&a| r[t.arc_school[a] as usize] >= d) {
            r[t.arc_school[a] as usize] -= d;
            out[k] = Some(a);
        }
    }
    out
}

/// The split units' integer model, lexicographically: fewest unplaced
/// students, then least travel; two solves of a binary program.
fn exact(
    t: &Transport,
    split: &[usize],
    residual: &[i64],
) -> Result<Vec<Option<usize>>, ResolutionError> {
    let build = |cap_unplaced: Option<f64>| {
        let mut vars = variables!();
        let mut x: Vec<Vec<(usize, Variable)>> = Vec::new();
        let mut z: Vec<Variable> = Vec::new();
        for &i in split {
            x.push(
                t.arcs(i)
                    .map(|a| (a, vars.add(variable().binary())))
                    .collect(),
            );
            z.push(vars.add(variable().binary()));
        }
        let unplaced: Expression = split
            .iter()
            .zip(&z)
            .map(|(&i, &v)| t.supply[i] as f64 * v)
            .sum();
        // Travel in metres keeps the coefficients moderate.
        let travel: Expression = split
            .iter()
            .zip(&x)
            .flat_map(|(&i, xs)| {
                xs.iter()
                    .map(move |&(a, v)| t.supply[i] as f64 * t.arc_mm[a] as f64 / 1000.0 * v)
            })
            .sum();
        let objective = if cap_unplaced.is_some() {
            travel
        } else {
            unplaced.clone()
        };
        let mut m = vars.minimise(objective).using(microlp);
        for (k, xs) in x.iter().enumerate() {
            let one: Expression = xs.iter().map(|&(_, v)| v).sum::<Expression>() + z[k];
            m = m.with(constraint!(one == 1));
        }
        let mut load: Vec<Expression> = vec![Expression::from(0.0); t.schools()];
        let mut touched = vec![false; t.schools()];
        for (k, &i) in split.iter().enumerate() {
            for &(a, v) in &x[k] {
                let j = t.arc_school[a] as usize;
                load[j] += t.supply[i] as f64 * v;
                touched[j] = true;
            }
        }
        for j in 0..t.schools() {
            if touched[j] {
                let l = std::mem::take(&mut load[j]);
                m = m.with(constraint!(l <= residual[j].max(0) as f64));
            }
        }
        if let Some(u) = cap_unplaced {
            m = m.with(constraint!(unplaced <= u + 0.5));
        }
        (m, x, z)
    };
    let (m1, _, z1) = build(None);
    let s1 = m1.solve()?;
    let u_min: f64 = split
        .iter()
        .zip(&z1)
        .map(|(&i, &v)| t.supply[i] as f64 * s1.value(v).round())
        .sum();
    let (m2, x2, _) = build(Some(u_min));
    let s2 = m2.solve()?;
    Ok(x2
        .iter()
        .map(|xs| {
            xs.iter()
                .find(|&&(_, v)| s2.value(v) > 0.5)
                .map(|&(a, _)| a)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance(capacity: Vec<u32>, units: &[(u32, &[(u32, i64)])]) -> Transport {
        let mut t = Transport::new(capacity);
        for (s, arcs) in units {
            let mut a = arcs.to_vec();
            t.push_unit(*s, &mut a);
        }
        t
    }

    /// Two schools of 10 seats, units of 6, 6 and 8 students: no two
    /// units fit one school, so whole, a unit of 6 is left out (the nearer
    /// 6 and the 8 are placed).
    #[test]
    fn a_unit_that_fits_nowhere_whole_is_left_out_whole() {
        let t = instance(
            vec![10, 10],
            &[
                (6, &[(0, 1000), (1, 5000)]),
                (6, &[(0, 2000), (1, 3000)]),
                (8, &[(0, 4000), (1, 1000)]),
            ],
        );
        let lp = ssp::solve(&t).flow;
        let r = round(&t, &lp);
        let f = r.flow(&t);
        let tot = total(&t, &f);
        assert_eq!(tot.unplaced, 6);
        // Best: unit 0 (or 1) to school 0, unit 2 to school 1: 6x1000 + 8x1000.
        assert_eq!(tot.mm, 6 * 1000 + 8 * 1000);
        assert!(r.choice.iter().flatten().count() == 2);
    }

    /// Seats 6 and 5; units of 3, 4 and 3 students. The LP places unit 0
    /// at school 0, unit 2 at school 1 and splits unit 1 (3 + 1). Keeping
    /// units 0 and 2 leaves no room for unit 1 whole; the only full whole
    /// placement moves unit 2: 0 -> A, 1 -> B, 2 -> A, travel
    /// 3x100 + 4x300 + 3x300 = 2400. The dive finds it.
    #[test]
    fn the_dive_moves_other_units_to_make_room() {
        let t = instance(
            vec![6, 5],
            &[
                (3, &[(0, 100), (1, 900)]),
                (4, &[(0, 200), (1, 300)]),
                (3, &[(0, 300), (1, 100)]),
            ],
        );
        let lp = ssp::solve(&t).flow;
        let (c0, split, m0) = cheap(&t, &lp, true);
        let r = round_large(&t, &lp, c0, split, m0);
        assert_eq!(r.split, 1);
        let tot = total(&t, &r.flow(&t));
        assert_eq!(tot.unplaced, 0);
        assert_eq!(tot.mm, 2400);
        assert_eq!(r.method, "dive");
        // The exact whole model agrees.
        assert_eq!(total(&t, &round(&t, &lp).flow(&t)), tot);
        // Keeping the LP's whole units alone cannot place unit 1.
        let (c, _, _) = cheap(&t, &lp, true);
        assert_eq!(c[1], None);
    }

    #[test]
    fn an_integral_optimum_is_kept() {
        let t = instance(
            vec![10, 10],
            &[(4, &[(0, 10), (1, 20)]), (5, &[(1, 10), (0, 30)])],
        );
        let lp = ssp::solve(&t).flow;
        let r = round(&t, &lp);
        assert_eq!(r.method, "none");
        assert_eq!(r.flow(&t), lp);
    }

    /// The heuristic path against the exact whole model on random small
    /// instances (seats tight, so units compete): always feasible, never
    /// below the exact optimum, and at it in most cases.
    #[test]
    fn rounding_against_the_exact_whole_model() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let (mut at_opt, cases) = (0, 60);
        for _ in 0..cases {
            let k = rng.gen_range(2..5usize);
            let n = rng.gen_range(4..12usize);
            let sizes: Vec<u32> = (0..n).map(|_| rng.gen_range(1..6)).collect();
            let total_d: u32 = sizes.iter().sum();
            let cap: Vec<u32> = (0..k)
                .map(|_| rng.gen_range(total_d / k as u32..=total_d / k as u32 + 3))
                .collect();
            let mut t = Transport::new(cap.clone());
            for &d in &sizes {
                let mut arcs: Vec<(u32, i64)> = Vec::new();
                for j in 0..k as u32 {
                    if rng.gen_bool(0.8) {
                        arcs.push((j, rng.gen_range(100..5000)));
                    }
                }
                t.push_unit(d, &mut arcs);
            }
            let lp = ssp::solve(&t).flow;
            let (c0, split, m0) = cheap(&t, &lp, true);
            let h = round_large(&t, &lp, c0, split, m0);
            let hf = h.flow(&t);
            // Feasible: seats kept, every student once.
            for (j, &l) in hf.loads(&t).iter().enumerate() {
                assert!(l <= cap[j] as u64);
            }
            for i in 0..n {
                let placed: u32 = t.arcs(i).map(|a| hf.arc[a]).sum();
                assert_eq!(placed + hf.unplaced[i], sizes[i]);
                assert!(placed == 0 || placed == sizes[i], "split unit");
            }
            let ex = exact_whole(&t).expect("small");
            let ev = total(
                &t,
                &Rounded {
                    choice: ex,
                    split: 0,
                    method: "",
                }
                .flow(&t),
            );
            let hv = total(&t, &hf);
            assert!(hv >= ev && ev >= total(&t, &lp));
            at_opt += (hv == ev) as usize;
        }
        eprintln!("rounding at the exact whole optimum in {at_opt} of {cases} cases");
        assert!(at_opt * 2 >= cases, "{at_opt} of {cases}");
    }
}
