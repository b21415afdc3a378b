//! Exact solver for the transportation problem with few schools: successive
//! shortest paths on the graph of schools.
//!
//! Written here rather than taken from a crate because it is the product's
//! core and no crate fits: petgraph has no min-cost flow, `mcmf` has 32-bit
//! costs, and general network simplex codes do not exploit that schools are
//! few (tens to hundreds) while units are many.
//!
//! Start: every unit sends all its students to its cheapest option (nearest
//! feasible school, or "unplaced" when it has none). That is optimal with
//! all capacities ignored. Then, while a school is over its seats, route one
//! batch of its excess along a shortest path of *moves*: a move j -> k via unit
//! i shifts students of unit i from school j to school k (cost c_ik - c_ij);
//! the path ends at a school with a free seat or at "unplaced". Dijkstra runs
//! (binary heap) on the K + 2 nodes (schools, unplaced, sink), reduced costs kept
//! non-negative by node potentials, as in any successive-shortest-path
//! method; the cheapest move for each ordered pair of schools comes from a
//! lazily cleaned heap. The final potentials give school prices that prove
//! optimality (see `certificate`).
//!
//! Warm start (`solve_from`): the start may instead be every unit at its
//! cheapest school at given seat prices. Schools then may also be *short*:
//! a priced school must keep every seat taken, so fewer students is a
//! deficit, filled afterwards by searches backward from it (a unit moving
//! in from a neighbour, ..., down to a seat given back at a school of price
//! zero, or the school's own price lowered). Large instances (`solve`) take
//! their start prices from a cascade of samples of the units, which cuts
//! the rounds of the whole solve about fivefold on a province. From such
//! prices a unit with many arcs keeps only its few cheapest (`KEEP`) in
//! the solve; every other arc is then priced, those that would lower a
//! unit's cost join (with those within a small margin of it, so that the
//! next solve's price moves seldom call for one more), and the solve
//! resumes from its own flow and prices until none would
//! (`solve_priced`): the optimum over every arc.

use super::cost::Cost;
use super::transport::{Flow, Transport};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// No arc: the unit's unplaced slot.
const NONE: u32 = u32::MAX;
/// No pair yet for an ordered pair of nodes.
const NO_PAIR: u32 = u32::MAX;
/// `top` of a pair whose heap holds no valid move.
const EMPTY: i64 = i64::MAX;
/// One unplaced student in a packed cost: above any sum of travel.
const UNIT: i128 = 1 << 64;
/// A packed distance not reached yet.
const UNSEEN: i128 = i128::MAX;

/// A cost packed as `unplaced * 2^64 + mm`: the order of the packed
/// numbers is the lexicographic order of the costs while |mm| < 2^63,
/// which holds for any sum of travels and potentials of this solver
/// (each at most the longest path, far below 2^63 mm).
fn pack(c: Cost) -> i128 {
    c.unplaced as i128 * UNIT + c.mm as i128
}

/// The inverse of `pack`.
fn unpack(v: i128) -> Cost {
    let unplaced = (v + (1 << 63)) >> 64;
    Cost {
        unplaced: unplaced as i64,
        mm: (v - unplaced * UNIT) as i64,
    }
}

/// Result of the solver: the flow and the school prices (dual values).
#[derive(Clone, Debug)]
pub struct Solved {
    pub flow: Flow,
    /// Price of a seat at each school (>= 0; > 0 only at full schools).
    pub price: Vec<Cost>,
    /// Shortest-path rounds run.
    pub rounds: usize,
}

/// A move of one unit's students from the school of arc `from` to the
/// school of arc `to` (`NONE` = the unplaced slot), kept in the heap of its
/// ordered pair of nodes. The pair fixes the unplaced part of the move's
/// cost (+1 into unplaced, -1 out of it, 0 between schools), so the key is
/// the travel part alone; ties go by arc index, which is by unit and then
/// school since a unit's arcs are contiguous. 16 bytes.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    mm: i64,
    from: u32,
    to: u32,
}

/// The moves from node j to node l (node k = unplaced).
struct Pair {
    heap: BinaryHeap<Reverse<Entry>>,
    /// Whether the pair is in `out[j]`.
    listed: bool,
}

struct State<'a> {
    t: &'a Transport,
    k: usize,
    x: Vec<u32>,
    y: Vec<u32>,
    load: Vec<u64>,
    /// Students each school sends on to the sink (its seats taken): at
    /// most its capacity. `load - flow_out` is the school's excess (> 0)
    /// or deficit (< 0).
    flow_out: Vec<u64>,
    /// Students unplaced in all.
    unplaced_total: u64,
    /// The unit of each arc.
    arc_unit: Vec<u32>,
    /// pair_of[j * (k + 1) + l]: index into `pairs`, or `NO_PAIR`.
    pair_of: Vec<u32>,
    pairs: Vec<Pair>,
    /// top[p]: travel part of the cheapest move of pair p, or `EMPTY`.
    /// Invariant: the top of every pair's heap is a valid move (its unit
    /// still has students at `from`), so Dijkstra reads this dense array
    /// instead of chasing heaps and flows (the solver's hot loop).
    top: Vec<i64>,
    /// out[j]: (l, pair) for the pairs (j, l) that may hold a move; few of
    /// the K^2 pairs ever do, so Dijkstra scans only these.
    out: Vec<Vec<(u32, u32)>>,
    /// into[l]: (j, pair) for every pair (j, l) ever made, for searches
    /// backward from a school short of students.
    into: Vec<Vec<(u32, u32)>>,
}

impl State<'_> {
    fn node_of(&self, arc: u32) -> usize {
        if arc == NONE {
            self.k
        } else {
            self.t.arc_school[arc as usize] as usize
        }
    }

    fn mm_of(&self, arc: u32) -> i64 {
        if arc == NONE {
            0
        } else {
            self.t.arc_mm[arc as usize]
        }
    }

    fn unit_of(&self, e: &Entry) -> u32 {
        if e.from == NONE {
            self.arc_unit[e.to as usize]
        } else {
            self.arc_unit[e.from as usize]
        }
    }

    fn amount(&self, unit: u32, arc: u32) -> u32 {
        if arc == NONE {
            self.y[unit as usize]
        } else {
            self.x[arc as usize]
        }
    }

    fn valid(&self, e: &Entry) -> bool {
        self.amount(self.unit_of(e), e.from) > 0
    }

    /// The pair (j, l), created (empty, listed in `out[j]`) if new.
    fn pair(&mut self, j: usize, l: usize) -> usize {
        let idx = j * (self.k + 1) + l;
        let p = self.pair_of[idx];
        if p != NO_PAIR {
            return p as usize;
        }
        let p = self.pairs.len();
        self.pair_of[idx] = p as u32;
        self.pairs.push(Pair {
            heap: BinaryHeap::new(),
            listed: true,
        });
        self.top.push(EMPTY);
        self.out[j].push((l as u32, p as u32));
        self.into[l].push((j as u32, p as u32));
        p
    }

    /// The moves out of arc `from` of `unit`, as (j, l, entry), in arc
    /// order (which fixes the order pairs are first met, hence `out`).
    fn moves_of(&self, unit: u32, from: u32, mut f: impl FnMut(usize, usize, Entry)) {
        let j = self.node_of(from);
        let base = self.mm_of(from);
        for a in self.t.arcs(unit as usize) {
            let a = a as u32;
            if a == from {
                continue;
            }
            let e = Entry {
                mm: self.t.arc_mm[a as usize] - base,
                from,
                to: a,
            };
            f(j, self.node_of(a), e);
        }
        if from != NONE {
            let e = Entry {
                mm: -base,
                from,
                to: NONE,
            };
            f(j, self.k, e);
        }
    }

    /// Register every move out of `from` for `unit` (called when the unit
    /// gets students at `from`).
    fn add_moves(&mut self, unit: u32, from: u32, scratch: &mut Vec<(usize, usize, Entry)>) {
        scratch.clear();
        self.moves_of(unit, from, |j, l, e| scratch.push((j, l, e)));
        for &(j, l, e) in scratch.iter() {
            let p = self.pair(j, l);
            if !self.pairs[p].listed {
                self.pairs[p].listed = true;
                self.out[j].push((l as u32, p as u32));
            }
            self.pairs[p].heap.push(Reverse(e));
            self.top[p] = self.top[p].min(e.mm);
        }
    }

    /// Called when `unit` has no students left at `from`: drop its moves
    /// from the tops of their heaps, keeping the invariant.
    fn retire_moves(&mut self, unit: u32, from: u32, scratch: &mut Vec<(usize, usize, Entry)>) {
        scratch.clear();
        self.moves_of(unit, from, |j, l, e| scratch.push((j, l, e)));
        let kk = self.k + 1;
        for &(j, l, _) in scratch.iter() {
            let p = self.pair_of[j * kk + l] as usize;
            self.clean(p);
        }
    }

    /// Pop invalid moves off the top of pair p's heap; refresh `top[p]`.
    fn clean(&mut self, p: usize) {
        while let Some(&Reverse(e)) = self.pairs[p].heap.peek() {
            if self.valid(&e) {
                self.top[p] = e.mm;
                return;
            }
            self.pairs[p].heap.pop();
        }
        self.top[p] = EMPTY;
    }

    fn add_amount(
        &mut self,
        unit: u32,
        arc: u32,
        delta: u32,
        scratch: &mut Vec<(usize, usize, Entry)>,
    ) {
        let was = self.amount(unit, arc);
        if arc == NONE {
            self.y[unit as usize] += delta;
            self.unplaced_total += delta as u64;
        } else {
            self.x[arc as usize] += delta;
        }
        if was == 0 && delta > 0 {
            self.add_moves(unit, arc, scratch);
        }
    }

    fn sub_amount(
        &mut self,
        unit: u32,
        arc: u32,
        delta: u32,
        scratch: &mut Vec<(usize, usize, Entry)>,
    ) {
        let left = if arc == NONE {
            self.y[unit as usize] -= delta;
            self.unplaced_total -= delta as u64;
            self.y[unit as usize]
        } else {
            self.x[arc as usize] -= delta;
            self.x[arc as usize]
        };
        if left == 0 && delta > 0 {
            self.retire_moves(unit, arc, scratch);
        }
    }

    /// The start: every unit at its cheapest option at the given prices
    /// (travel plus price; unplaced costs one unplaced student; ties to the
    /// nearer arc, placing before not placing), or unplaced without an arc;
    /// and the heaps of all moves out of it, built in bulk (counted, filled,
    /// heapified) rather than pushed one by one: the same pairs, `out` order
    /// and heap contents as pushing. With all prices zero every unit starts
    /// at its nearest school.
    fn start(&mut self, price: &[i128], init: Option<&Flow>) {
        let t = self.t;
        // Every (unit, slot) that starts with students (`NONE` = the
        // unplaced slot), except units with no arc (no move out ever).
        let mut froms: Vec<(u32, u32)> = Vec::new();
        for i in 0..t.units() {
            let sup = t.supply[i];
            let r = t.arcs(i);
            if sup == 0 {
                continue;
            }
            if r.is_empty() {
                // No arc: unplaced, with no move out (nowhere to go).
                self.y[i] += sup;
                self.unplaced_total += sup as u64;
                continue;
            }
            let mut best = NONE;
            let mut best_cost = UNIT;
            for a in r.clone() {
                let c = self.t.arc_mm[a] as i128 + price[t.arc_school[a] as usize];
                if c < best_cost || (c == best_cost && best == NONE) {
                    best = a as u32;
                    best_cost = c;
                }
            }
            // A given start is kept for a unit whose every slot in use is
            // among its cheapest at these prices (so no move out of it has
            // a negative reduced cost); otherwise the unit starts whole at
            // its cheapest.
            let kept = init.is_some_and(|f| {
                let total: u32 = r.clone().map(|a| f.arc[a]).sum::<u32>() + f.unplaced[i];
                total == sup
                    && (f.unplaced[i] == 0 || best_cost == UNIT)
                    && r.clone().all(|a| {
                        f.arc[a] == 0
                            || self.t.arc_mm[a] as i128 + price[t.arc_school[a] as usize]
                                == best_cost
                    })
            });
            if let (true, Some(f)) = (kept, init) {
                for a in r {
                    if f.arc[a] > 0 {
                        self.load[t.arc_school[a] as usize] += f.arc[a] as u64;
                        self.x[a] += f.arc[a];
                        froms.push((i as u32, a as u32));
                    }
                }
                if f.unplaced[i] > 0 {
                    self.y[i] += f.unplaced[i];
                    self.unplaced_total += f.unplaced[i] as u64;
                    froms.push((i as u32, NONE));
                }
                continue;
            }
            if best == NONE {
                self.y[i] += sup;
                self.unplaced_total += sup as u64;
            } else {
                self.load[t.arc_school[best as usize] as usize] += sup as u64;
                self.x[best as usize] += sup;
            }
            froms.push((i as u32, best));
        }
        let mut count: Vec<usize> = Vec::new();
        let mut met: Vec<(usize, usize)> = Vec::new();
        for &(i, f) in &froms {
            met.clear();
            self.moves_of(i, f, |j, l, _| met.push((j, l)));
            for &(j, l) in &met {
                let p = self.pair(j, l);
                if p == count.len() {
                    count.push(0);
                }
                count[p] += 1;
            }
        }
        let mut lists: Vec<Vec<Reverse<Entry>>> =
            count.iter().map(|&c| Vec::with_capacity(c)).collect();
        let kk = self.k + 1;
        for &(i, f) in &froms {
            let pair_of = &self.pair_of;
            self.moves_of(i, f, |j, l, e| {
                lists[pair_of[j * kk + l] as usize].push(Reverse(e));
            });
        }
        for (p, list) in lists.into_iter().enumerate() {
            self.pairs[p].heap = BinaryHeap::from(list);
            self.top[p] = self.pairs[p].heap.peek().map_or(EMPTY, |r| r.0.mm);
        }
        // A school with a positive price keeps all its seats taken (its
        // arc to the sink is saturated, or its reduced cost would be
        // negative): fewer students there is a deficit to fill. At price
        // zero it passes on what it holds up to its seats.
        for (j, &p) in price.iter().enumerate() {
            let cap = t.capacity[j] as u64;
            self.flow_out[j] = if p > 0 { cap } else { self.load[j].min(cap) };
        }
    }
}

/// One round's shortest-path search: distances (packed costs, `UNSEEN`
/// for none yet), settled nodes, how each node was reached (previous node
/// and pair of the move, or `NO_PAIR` for an arc into or out of the sink),
/// the heap, and the nodes given a distance this round (to reset them, not
/// all n).
struct Search {
    dist: Vec<i128>,
    done: Vec<bool>,
    pred: Vec<(usize, u32)>,
    pq: BinaryHeap<Reverse<(i128, usize)>>,
    touched: Vec<usize>,
}

impl Search {
    /// A new round from `v` (distance 0): the last round's nodes reset.
    fn start(&mut self, v: usize) {
        for &u in &self.touched {
            self.dist[u] = UNSEEN;
            self.done[u] = false;
        }
        self.touched.clear();
        self.pq.clear();
        self.dist[v] = 0;
        self.touched.push(v);
        self.pq.push(Reverse((0, v)));
    }

    /// The next node settled, with its distance (stale heap entries
    /// skipped); `None` when nothing is left to reach.
    fn settle(&mut self) -> Option<(i128, usize)> {
        while let Some(Reverse((dv, v))) = self.pq.pop() {
            if !self.done[v] && self.dist[v] == dv {
                self.done[v] = true;
                return Some((dv, v));
            }
        }
        None
    }
}

/// Give node `l` distance `nd`, reached `via`, if that is shorter.
#[inline]
fn relax(search: &mut Search, l: usize, nd: i128, via: (usize, u32)) {
    if nd < search.dist[l] {
        if search.dist[l] == UNSEEN {
            search.touched.push(l);
        }
        search.dist[l] = nd;
        search.pred[l] = via;
        search.pq.push(Reverse((nd, l)));
    }
}

/// Solve exactly: place as many students as the arcs and seats allow, then
/// minimise total travel. Deterministic: ties go to the lowest index.
///
/// Instances of more than `SAMPLED_FROM` units start from the prices of a
/// cascade of nested samples of the units (1/4^d of them with seats scaled
/// alike, then 1/4^(d-1), ... then all), each solved exactly from the
/// prices of the one before: a sample's prices are close to the whole
/// instance's, so the last solve has only their difference to repair (a
/// province: 1.1 M rounds cold, about 0.1 M from a 1/4 sample's prices).
/// The optimum value is the same either way; see `solve_from`.
pub fn solve(t: &Transport) -> Solved {
    let n = t.units();
    if n <= SAMPLED_FROM {
        return solve_from(t, None);
    }
    let mut m = 4;
    while n / (m * 4) >= SAMPLE_SMALLEST {
        m *= 4;
    }
    let mut prices: Option<Vec<Cost>> = None;
    let mut rounds = 0;
    while m > 1 {
        let sample = sample(t, m);
        let solved = match prices {
            Some(p) => solve_priced(&sample, p),
            None => solve_from(&sample, None),
        };
        rounds += solved.rounds;
        prices = Some(solved.price);
        m /= 4;
    }
    let mut solved = match prices {
        Some(p) => solve_priced(t, p),
        None => solve_from(t, None),
    };
    solved.rounds += rounds;
    solved
}

/// Solve exactly from the seat prices of a previous optimum (a planner's
/// re-optimise after an edit): every unit starts at its cheapest school at
/// those prices, so only what the edit disturbed is repaired. The optimum
/// value is the one `solve` finds. Prices of another set of schools (a
/// school opened or closed since) are not a start: solved cold.
pub fn solve_warm(t: &Transport, prices: &[Cost]) -> Solved {
    if prices.len() != t.schools() {
        return solve(t);
    }
    solve_priced(t, prices.to_vec())
}

/// Arcs a unit keeps in a priced solve: its cheapest at the start prices
/// (travel plus price), and any as cheap as its cheapest.
const KEEP: usize = 6;

/// Solve from near-optimal `prices` on the arcs that can matter at them,
/// then price every other arc; the ones that would lower a unit's cost join
/// and the solve resumes from its own flow and prices (only the units the
/// new arcs tempt move), until none would. The result is the optimum of the
/// whole instance (every arc priced). Left to `solve_from` when units have
/// few arcs (little to leave out).
fn solve_priced(t: &Transport, prices: Vec<Cost>) -> Solved {
    let n = t.units();
    let m = t.arc_school.len();
    if m <= 2 * KEEP * n {
        // Few arcs a unit: leaving some out saves little.
        return solve_from(t, Some(&prices));
    }
    let mut prices = prices;
    let mut keep = vec![false; m];
    let mut rc: Vec<(i128, usize)> = Vec::new();
    for i in 0..n {
        rc.clear();
        rc.extend(t.arcs(i).map(|a| {
            (
                t.arc_mm[a] as i128 + pack(prices[t.arc_school[a] as usize].max(Cost::ZERO)),
                a,
            )
        }));
        let best = rc.iter().map(|x| x.0).min().unwrap_or(UNIT).min(UNIT);
        rc.sort_unstable();
        for (r, &(c, a)) in rc.iter().enumerate() {
            if r < KEEP || c == best {
                keep[a] = true;
            }
        }
    }
    // Worth it only when most arcs can be left out.
    if 2 * keep.iter().filter(|&&k| k).count() > m {
        return solve_from(t, Some(&prices));
    }
    let mut rounds = 0;
    // The last optimum's flow, on the arcs of the whole instance.
    let mut last: Option<Flow> = None;
    loop {
        let kept = keep.iter().filter(|&&k| k).count();
        let mut r = Transport::with_capacity(t.capacity.clone(), n, kept);
        let mut full: Vec<u32> = Vec::with_capacity(kept);
        for i in 0..n {
            for a in t.arcs(i) {
                if keep[a] {
                    r.arc_school.push(t.arc_school[a]);
                    r.arc_mm.push(t.arc_mm[a]);
                    full.push(a as u32);
                }
            }
            r.supply.push(t.supply[i]);
            r.arc_start.push(r.arc_school.len());
        }
        // The last flow on the kept arcs (the whole one is let go: a
        // province's is hundreds of megabytes).
        let init = last.take().map(|f| Flow {
            arc: full.iter().map(|&a| f.arc[a as usize]).collect(),
            unplaced: f.unplaced,
        });
        let solved = solve_start(&r, Some(&prices), init.as_ref());
        rounds += solved.rounds;
        prices = solved.price;
        let p: Vec<i128> = prices.iter().map(|&c| pack(c)).collect();
        // Each unit's dearest use at these prices (all its uses cost the
        // same at an optimum of the kept arcs).
        let cur: Vec<i128> = (0..n)
            .map(|i| {
                let mut c = if solved.flow.unplaced[i] > 0 {
                    UNIT
                } else {
                    i128::MIN
                };
                for ra in r.arcs(i) {
                    if solved.flow.arc[ra] > 0 {
                        c = c.max(r.arc_mm[ra] as i128 + p[r.arc_school[ra] as usize]);
                    }
                }
                c
            })
            .collect();
        // An arc cheaper than its unit's use is needed: the optimum over
        // the kept arcs is not yet the whole instance's. Arcs within
        // `margin` of that join too: the next solve moves prices a little,
        // and an arc it would make needed would cost one more pass over
        // every arc and one more solve to find. The margin is 1/16 of the
        // mean cost of a placed unit's use (in the instance's own unit,
        // millimetres or milliseconds); any margin gives the same optimum.
        let (sum, placed) = cur
            .iter()
            .filter(|&&c| c > i128::MIN && c < UNIT)
            .fold((0i128, 0i128), |(s, k), &c| (s + c, k + 1));
        let margin = if placed > 0 {
            (sum / placed / 16).max(0)
        } else {
            0
        };
        let mut needed = 0;
        for i in 0..n {
            let cur = cur[i];
            for a in t.arcs(i) {
                let rc = t.arc_mm[a] as i128 + p[t.arc_school[a] as usize];
                if !keep[a] && rc < cur.saturating_add(margin) {
                    keep[a] = true;
                    needed += (rc < cur) as usize;
                }
            }
        }
        drop(cur);
        let mut arc = vec![0u32; m];
        for (ra, &a) in full.iter().enumerate() {
            arc[a as usize] = solved.flow.arc[ra];
        }
        let flow = Flow {
            arc,
            unplaced: solved.flow.unplaced,
        };
        if needed == 0 {
            return Solved {
                flow,
                price: prices,
                rounds,
            };
        }
        last = Some(flow);
    }
}

/// Instances with more units than this are solved through samples.
pub const SAMPLED_FROM: usize = 50_000;
/// The smallest sample, in units (about).
const SAMPLE_SMALLEST: usize = 8_000;

/// Whether unit `i` is in the sample of one unit in `m` (`m` a power of
/// 4, so each sample holds the smaller ones): a fixed scramble of the
/// index, so that units of one area are not taken or left together.
fn sampled(i: usize, m: usize) -> bool {
    ((i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40).is_multiple_of(m as u64)
}

/// The units of the sample `m` with all their arcs, and every school's
/// seats scaled by the sample's share of the students (rounded).
fn sample(t: &Transport, m: usize) -> Transport {
    let total: u64 = t.supply.iter().map(|&x| x as u64).sum();
    let taken: u64 = (0..t.units())
        .filter(|&i| sampled(i, m))
        .map(|i| t.supply[i] as u64)
        .sum();
    let share = if total == 0 {
        0.0
    } else {
        taken as f64 / total as f64
    };
    let picked: Vec<usize> = (0..t.units()).filter(|&i| sampled(i, m)).collect();
    let mut out = Transport::with_capacity(
        t.capacity
            .iter()
            .map(|&c| (c as f64 * share).round() as u32)
            .collect(),
        picked.len(),
        picked.iter().map(|&i| t.arcs(i).len()).sum(),
    );
    for i in picked {
        let r = t.arcs(i);
        out.supply.push(t.supply[i]);
        out.arc_school.extend_from_slice(&t.arc_school[r.clone()]);
        out.arc_mm.extend_from_slice(&t.arc_mm[r]);
        out.arc_start.push(out.arc_school.len());
    }
    out
}

/// Solve exactly, starting from seat prices (one per school, e.g. those of
/// a sample of the units): every unit starts at its cheapest school at
/// those prices, which leaves little to repair when the prices are close to
/// the optimum's. Any prices give the same optimum value (the flow may
/// differ among equal-cost optima); `None` starts at zero prices, every
/// unit at its nearest school.
pub fn solve_from(t: &Transport, prices: Option<&[Cost]>) -> Solved {
    solve_start(t, prices, None)
}

/// `solve_from`, starting each unit where `init` has it when that is among
/// its cheapest options at the prices (a previous optimum's flow and prices
/// after arcs were added: only the units the new arcs tempt move).
fn solve_start(t: &Transport, prices: Option<&[Cost]>, init: Option<&Flow>) -> Solved {
    let price = start_prices(prices, t.schools());
    let mut s = State::new(t);
    s.start(&price, init);
    let mut paths = ShortestPaths::new(s, &price);
    let rounds = paths.run();
    paths.solved(rounds)
}

/// Start prices >= 0 (a negative price is a free seat's zero), packed;
/// zero without any.
fn start_prices(prices: Option<&[Cost]>, k: usize) -> Vec<i128> {
    match prices {
        Some(p) => {
            assert_eq!(p.len(), k, "one price per school");
            p.iter().map(|&c| pack(c.max(Cost::ZERO))).collect()
        }
        None => vec![0; k],
    }
}

impl<'a> State<'a> {
    /// Nothing placed yet, no pairs.
    fn new(t: &'a Transport) -> State<'a> {
        let k = t.schools();
        let kk = k + 1;
        let mut arc_unit = vec![0u32; t.arc_school.len()];
        for i in 0..t.units() {
            for a in t.arcs(i) {
                arc_unit[a] = i as u32;
            }
        }
        State {
            t,
            k,
            x: vec![0; t.arc_school.len()],
            y: vec![0; t.units()],
            load: vec![0; k],
            flow_out: vec![0; k],
            unplaced_total: 0,
            arc_unit,
            pair_of: vec![NO_PAIR; kk * kk],
            pairs: Vec::new(),
            top: Vec::new(),
            out: vec![Vec::new(); kk],
            into: vec![Vec::new(); kk],
        }
    }
}

/// The successive shortest paths from a start: the flow, the node
/// potentials, the sink's excess, and the buffers one round reuses.
///
/// Nodes: schools 0..k, unplaced k, sink k + 1. Distances and potentials
/// are costs packed into one i128 (`pack`), so the hot loop compares and
/// adds single numbers; `UNSEEN` marks no distance yet. Reduced costs
/// c + pot[u] - pot[v] of every arc with room stay >= 0. The arcs: moves
/// between schools (and unplaced) through units; school -> sink while it
/// passes on fewer students than its seats, sink -> school while it passes
/// on any (a seat given back), unplaced -> sink, and sink -> unplaced
/// while anyone is unplaced.
struct ShortestPaths<'a> {
    s: State<'a>,
    pot: Vec<i128>,
    /// Excess of the sink: students passed on to it beyond all students.
    sink_excess: i128,
    search: Search,
    /// The path of a round, from its source: (from, to, pair or `NO_PAIR`).
    path: Vec<(usize, usize, u32)>,
    /// The moves of the path's hops, read before any is made.
    hops: Vec<Entry>,
    scratch: Vec<(usize, usize, Entry)>,
}

impl<'a> ShortestPaths<'a> {
    fn new(s: State<'a>, price: &[i128]) -> ShortestPaths<'a> {
        let k = s.k;
        let n = k + 2;
        let mut pot = vec![0i128; n];
        for j in 0..k {
            pot[j] = -price[j];
        }
        let total: u64 = s.t.supply.iter().map(|&x| x as u64).sum();
        let sink_excess =
            s.flow_out.iter().sum::<u64>() as i128 + s.unplaced_total as i128 - total as i128;
        ShortestPaths {
            s,
            pot,
            sink_excess,
            search: Search {
                dist: vec![UNSEEN; n],
                done: vec![false; n],
                pred: vec![(usize::MAX, NO_PAIR); n],
                pq: BinaryHeap::new(),
                touched: Vec::new(),
            },
            path: Vec::new(),
            hops: Vec::new(),
            scratch: Vec::new(),
        }
    }

    fn unplaced(&self) -> usize {
        self.s.k
    }

    fn sink(&self) -> usize {
        self.s.k + 1
    }

    /// Rounds until no school has excess or deficit; the rounds run.
    ///
    /// First every school with excess sends it forward to the nearest
    /// school short of students or to the sink (which may then hold more
    /// than its due); then every school short of students draws, searching
    /// backward, from the sink (a seat given back at a school of price
    /// zero, or its own price lowered). Either way the sink ends a search
    /// and is never passed through: passing through it would reach every
    /// school at once. Any shortest path keeps every reduced cost >= 0, so
    /// the result is optimal whatever the order. A node's excess or deficit
    /// never grows, so the schools left to do are found by cursors.
    fn run(&mut self) -> usize {
        let k = self.s.k;
        let mut rounds = 0;
        let mut cursor = 0;
        let mut short = 0;
        loop {
            while cursor < k && self.s.load[cursor] <= self.s.flow_out[cursor] {
                cursor += 1;
            }
            let forward = cursor < k;
            if !forward {
                while short < k && self.s.load[short] >= self.s.flow_out[short] {
                    short += 1;
                }
                if short == k {
                    break;
                }
            }
            rounds += 1;
            self.path.clear();
            if forward {
                self.forward_path(cursor);
            } else {
                self.backward_path(short);
            }
            let delta = self.batch();
            self.send(delta);
        }
        rounds
    }

    /// The shortest path from school `src` (with excess) to a school short
    /// of students or to the sink, into `path`; potentials updated.
    fn forward_path(&mut self, src: usize) {
        let (unplaced, sink) = (self.unplaced(), self.sink());
        self.search.start(src);
        let (dt, target) = loop {
            let (dv, v) = self
                .search
                .settle()
                .expect("the sink is always reachable through unplaced");
            if v == sink || (v != unplaced && self.s.load[v] < self.s.flow_out[v]) {
                break (dv, v);
            }
            self.relax_out_of(v, dv);
        };
        // The textbook update adds min(dist, dt) to every node; adding
        // min(dist, dt) - dt instead shifts all potentials by the same
        // -dt, which changes no reduced cost and no price (both are
        // differences), and touches only the nodes settled this round.
        for &v in &self.search.touched {
            if self.search.done[v] && self.search.dist[v] < dt {
                self.pot[v] += self.search.dist[v] - dt;
            }
        }
        let mut v = target;
        while v != src {
            let (u, p) = self.search.pred[v];
            self.path.push((u, v, p));
            v = u;
        }
        self.path.reverse();
    }

    /// Relax the arcs out of node `v`, settled at `dv`, in a forward search.
    #[inline]
    fn relax_out_of(&mut self, v: usize, dv: i128) {
        let (unplaced, sink) = (self.unplaced(), self.sink());
        let (s, search, pot) = (&mut self.s, &mut self.search, &self.pot);
        let base = dv + pot[v];
        // To the sink: a school with a free seat, or unplaced.
        if v == unplaced || s.flow_out[v] < s.t.capacity[v] as u64 {
            let nd = base - pot[sink];
            debug_assert!(nd >= dv, "negative reduced cost to sink");
            relax(search, sink, nd, (v, NO_PAIR));
        }
        // Moves out of `unplaced` take a student out of it (-1).
        let base = base - ((v == unplaced) as i128) * UNIT;
        let mut i = 0;
        while i < s.out[v].len() {
            let (l, p) = s.out[v][i];
            let l = l as usize;
            if search.done[l] {
                i += 1;
                continue;
            }
            let mm = s.top[p as usize];
            if mm == EMPTY {
                // Heap drained: drop the pair until a move returns.
                s.pairs[p as usize].listed = false;
                s.out[v].swap_remove(i);
                continue;
            }
            // Moves into `unplaced` leave a student unplaced (+1).
            let nd = base + mm as i128 + ((l == unplaced) as i128) * UNIT - pot[l];
            debug_assert!(nd >= dv, "negative reduced cost");
            relax(search, l, nd, (v, p));
            i += 1;
        }
    }

    /// The shortest path from the sink to school `dst` (short of
    /// students), searched backward from `dst`, into `path`; potentials
    /// updated. search.dist[v] is the reduced cost of the cheapest path
    /// from v to `dst`; the search ends at the sink.
    fn backward_path(&mut self, dst: usize) {
        let sink = self.sink();
        self.search.start(dst);
        let ds = loop {
            let (dv, v) = self
                .search
                .settle()
                .expect("the sink always reaches a school short of students");
            if v == sink {
                break dv;
            }
            self.relax_into(v, dv);
        };
        // Mirror of the forward update: potentials rise by what each
        // node settled before the sink saves on the way to `dst`.
        for &v in &self.search.touched {
            if self.search.done[v] && self.search.dist[v] < ds {
                self.pot[v] += ds - self.search.dist[v];
            }
        }
        let mut v = sink;
        while v != dst {
            let (w, p) = self.search.pred[v];
            self.path.push((v, w, p));
            v = w;
        }
    }

    /// Relax the arcs into node `v`, settled at `dv`, in a backward search.
    #[inline]
    fn relax_into(&mut self, v: usize, dv: i128) {
        let (unplaced, sink) = (self.unplaced(), self.sink());
        let (s, search, pot) = (&self.s, &mut self.search, &self.pot);
        // From the sink: a seat given back here (a school passing
        // students on), or a student out of unplaced.
        if (v == unplaced && s.unplaced_total > 0) || (v != unplaced && s.flow_out[v] > 0) {
            let nd = dv + pot[sink] - pot[v];
            debug_assert!(nd >= dv, "negative reduced cost from sink");
            relax(search, sink, nd, (v, NO_PAIR));
        }
        // Moves into `unplaced` leave a student unplaced (+1).
        let base = dv - pot[v] + ((v == unplaced) as i128) * UNIT;
        for &(j, p) in &s.into[v] {
            let j = j as usize;
            if search.done[j] {
                continue;
            }
            let mm = s.top[p as usize];
            if mm == EMPTY {
                continue;
            }
            // Moves out of `unplaced` take a student out of it (-1).
            let nd = base + mm as i128 - ((j == unplaced) as i128) * UNIT + pot[j];
            debug_assert!(nd >= dv, "negative reduced cost");
            relax(search, j, nd, (v, p));
        }
    }

    /// The batch: the source's excess, the end's deficit, and the room
    /// on every arc of the path.
    fn batch(&self) -> u32 {
        let (unplaced, sink) = (self.unplaced(), self.sink());
        let s = &self.s;
        let path = &self.path;
        let (src, end) = (path[0].0, path[path.len() - 1].1);
        let mut delta: u128 = if src == sink {
            self.sink_excess.max(0) as u128
        } else {
            (s.load[src] - s.flow_out[src]) as u128
        };
        if end != sink {
            delta = delta.min((s.flow_out[end] - s.load[end]) as u128);
        }
        for &(u, v, p) in path {
            let room = if p != NO_PAIR {
                let Reverse(e) = *s.pairs[p as usize].heap.peek().expect("a valid move");
                s.amount(s.unit_of(&e), e.from) as u128
            } else if v == sink {
                if u == unplaced {
                    u128::MAX
                } else {
                    (s.t.capacity[u] as u64 - s.flow_out[u]) as u128
                }
            } else if v == unplaced {
                s.unplaced_total as u128
            } else {
                s.flow_out[v] as u128
            };
            delta = delta.min(room);
        }
        debug_assert!(delta > 0 && delta <= u32::MAX as u128);
        delta as u32
    }

    /// Send `delta` students along the path.
    fn send(&mut self, delta: u32) {
        let (unplaced, sink) = (self.unplaced(), self.sink());
        let (src, end) = (self.path[0].0, self.path[self.path.len() - 1].1);
        if src == sink {
            self.sink_excess -= delta as i128;
        }
        if end == sink {
            self.sink_excess += delta as i128;
        }
        let s = &mut self.s;
        // The moves are read off their heaps before any is made (making
        // one adds moves to heaps, maybe to a later hop's).
        self.hops.clear();
        for &(_, _, p) in &self.path {
            if p != NO_PAIR {
                self.hops
                    .push(s.pairs[p as usize].heap.peek().expect("a valid move").0);
            }
        }
        let mut next = self.hops.iter();
        for &(u, v, p) in &self.path {
            if p == NO_PAIR {
                if v == sink && u != unplaced {
                    s.flow_out[u] += delta as u64;
                } else if u == sink && v != unplaced {
                    s.flow_out[v] -= delta as u64;
                }
                continue;
            }
            let e = *next.next().expect("one move per hop");
            let unit = s.unit_of(&e);
            s.sub_amount(unit, e.from, delta, &mut self.scratch);
            s.add_amount(unit, e.to, delta, &mut self.scratch);
            if u != unplaced {
                s.load[u] -= delta as u64;
            }
            if v != unplaced {
                s.load[v] += delta as u64;
            }
        }
    }

    /// The flow, and prices from potentials: phi_j = pot[sink] - pot[j] is
    /// the dual of the flow-conservation row of school j; a seat's price is
    /// max(phi_j, 0).
    fn solved(self, rounds: usize) -> Solved {
        let sink = self.sink();
        let price = (0..self.s.k)
            .map(|j| unpack(self.pot[sink] - self.pot[j]).max(Cost::ZERO))
            .collect();
        Solved {
            flow: Flow {
                arc: self.s.x,
                unplaced: self.s.y,
            },
            price,
            rounds,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A priced solve (few arcs a unit, the rest priced in) from poor
    /// prices reaches the cold optimum, certified on every arc.
    #[test]
    fn priced_solve_from_any_prices_is_the_optimum() {
        use crate::assign::certify;
        let mut x: u64 = 0x1234_5678;
        let mut next = |m: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % m
        };
        for round in 0..60 {
            let k = 40;
            let cap: Vec<u32> = (0..k).map(|_| next(30) as u32).collect();
            let mut t = Transport::new(cap);
            for _ in 0..60 {
                let mut arcs: Vec<(u32, i64)> = (0..30)
                    .map(|_| (next(k as u64) as u32, next(20_000) as i64))
                    .collect();
                t.push_unit(next(8) as u32, &mut arcs);
            }
            assert!(
                t.arc_school.len() > 2 * KEEP * t.units(),
                "arcs are left out"
            );
            let cold = solve_from(&t, None);
            let best = certify(&t, &cold.flow, &cold.price).unwrap().primal;
            let prices: Vec<Cost> = (0..k)
                .map(|_| match next(3) {
                    0 => Cost::ZERO,
                    1 => Cost::travel(next(30_000) as i64),
                    _ => Cost {
                        unplaced: 1,
                        mm: -(next(5_000) as i64),
                    },
                })
                .collect();
            let warm = solve_priced(&t, prices);
            let c = certify(&t, &warm.flow, &warm.price)
                .unwrap_or_else(|e| panic!("round {round}: {e}"));
            assert_eq!(c.primal, best, "round {round}");
        }
    }

    #[test]
    fn packing_keeps_order_and_round_trips() {
        let costs = [
            Cost { unplaced: 0, mm: 0 },
            Cost {
                unplaced: 0,
                mm: -5,
            },
            Cost { unplaced: 0, mm: 5 },
            Cost {
                unplaced: 1,
                mm: -1_000_000_000_000,
            },
            Cost {
                unplaced: -1,
                mm: 1_000_000_000_000,
            },
            Cost {
                unplaced: 3,
                mm: i64::MAX / 4,
            },
            Cost {
                unplaced: -2,
                mm: i64::MIN / 4,
            },
        ];
        for &a in &costs {
            assert_eq!(unpack(pack(a)), a);
            for &b in &costs {
                assert_eq!(pack(a).cmp(&pack(b)), a.cmp(&b), "{a:?} {b:?}");
                assert_eq!(unpack(pack(a) + pack(b)), a + b);
                assert_eq!(unpack(pack(a) - pack(b)), a - b);
            }
        }
    }
}
