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
#[cfg(test)]
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
            self.y[unit as usize]
        } else {
            self.x[arc as usize] -= delta;
            self.x[arc as usize]
        };
        if left == 0 && delta > 0 {
            self.retire_moves(unit, arc, scratch);
        }
    }

    /// The start: every unit at its cheapest arc (unplaced without one),
    /// and the heaps of all moves out of it, built in bulk (counted,
    /// filled, heapified) rather than pushed one by one; the same pairs,
    /// `out` order and heap contents as pushing.
    fn start(&mut self) {
        let t = self.t;
        let mut first: Vec<u32> = vec![NONE; t.units()];
        for (i, f) in first.iter_mut().enumerate() {
            let sup = t.supply[i];
            let r = t.arcs(i);
            if sup == 0 {
                continue;
            }
            if r.is_empty() {
                // No arc: unplaced, with no move out (nowhere to go).
                self.y[i] += sup;
            } else {
                let a = r.start;
                self.load[t.arc_school[a] as usize] += sup as u64;
                self.x[a] += sup;
                *f = a as u32;
            }
        }
        let mut count: Vec<usize> = Vec::new();
        let mut met: Vec<(usize, usize)> = Vec::new();
        for (i, &f) in first.iter().enumerate() {
            if f == NONE {
                continue;
            }
            met.clear();
            self.moves_of(i as u32, f, |j, l, _| met.push((j, l)));
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
        for (i, &f) in first.iter().enumerate() {
            if f == NONE {
                continue;
            }
            let pair_of = &self.pair_of;
            self.moves_of(i as u32, f, |j, l, e| {
                lists[pair_of[j * kk + l] as usize].push(Reverse(e));
            });
        }
        for (p, list) in lists.into_iter().enumerate() {
            self.pairs[p].heap = BinaryHeap::from(list);
            self.top[p] = self.pairs[p].heap.peek().map_or(EMPTY, |r| r.0.mm);
        }
    }
}

/// Solve exactly: place as many students as the arcs and seats allow, then
/// minimise total travel. Deterministic: ties go to the lowest index.
pub fn solve(t: &Transport) -> Solved {
    let k = t.schools();
    let kk = k + 1;
    let mut arc_unit = vec![0u32; t.arc_school.len()];
    for i in 0..t.units() {
        for a in t.arcs(i) {
            arc_unit[a] = i as u32;
        }
    }
    let mut s = State {
        t,
        k,
        x: vec![0; t.arc_school.len()],
        y: vec![0; t.units()],
        load: vec![0; k],
        arc_unit,
        pair_of: vec![NO_PAIR; kk * kk],
        pairs: Vec::new(),
        top: Vec::new(),
        out: vec![Vec::new(); kk],
    };
    s.start();
    let mut scratch: Vec<(usize, usize, Entry)> = Vec::new();

    // Nodes: schools 0..k, unplaced k, sink k + 1. Distances and
    // potentials are costs packed into one i128 (`pack`), so the hot loop
    // compares and adds single numbers; `UNSEEN` marks no distance yet.
    let unplaced = k;
    let sink = k + 1;
    let n = k + 2;
    let mut pot = vec![0i128; n];
    let mut dist: Vec<i128> = vec![UNSEEN; n];
    let mut done = vec![false; n];
    // How each node was reached: (previous node, pair of the move); the
    // sink via `NO_PAIR`.
    let mut pred: Vec<(usize, u32)> = vec![(usize::MAX, NO_PAIR); n];
    let mut rounds = 0;
    let mut pq: BinaryHeap<Reverse<(i128, usize)>> = BinaryHeap::new();
    let mut hops: Vec<Entry> = Vec::new();

    // Nodes given a distance this round, to reset them (not all n).
    let mut touched: Vec<usize> = Vec::new();
    // A school once brought down to its seats never goes over again (a path
    // adds students only at a school with room, and no more than the room),
    // so the lowest overloaded school is found by a cursor, not a scan.
    let mut cursor = 0;
    loop {
        while cursor < k && s.load[cursor] <= t.capacity[cursor] as u64 {
            cursor += 1;
        }
        if cursor == k {
            break;
        }
        let src = cursor;
        rounds += 1;
        for &v in &touched {
            dist[v] = UNSEEN;
            done[v] = false;
        }
        touched.clear();
        dist[src] = 0;
        touched.push(src);
        pq.clear();
        pq.push(Reverse((0, src)));
        let dt = loop {
            let Reverse((dv, v)) = pq
                .pop()
                .expect("the sink is always reachable through `unplaced`");
            if done[v] || dist[v] != dv {
                continue;
            }
            done[v] = true;
            if v == sink {
                break dv;
            }
            let base = dv + pot[v];
            // To the sink: a school with a free seat, or unplaced.
            if v == unplaced || s.load[v] < t.capacity[v] as u64 {
                let nd = base - pot[sink];
                debug_assert!(nd >= dv, "negative reduced cost to sink");
                if nd < dist[sink] {
                    if dist[sink] == UNSEEN {
                        touched.push(sink);
                    }
                    dist[sink] = nd;
                    pred[sink] = (v, NO_PAIR);
                    pq.push(Reverse((nd, sink)));
                }
            }
            // Moves out of `unplaced` take a student out of it (-1).
            let base = base - ((v == unplaced) as i128) * UNIT;
            let mut i = 0;
            while i < s.out[v].len() {
                let (l, p) = s.out[v][i];
                let l = l as usize;
                if done[l] {
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
                if nd < dist[l] {
                    if dist[l] == UNSEEN {
                        touched.push(l);
                    }
                    dist[l] = nd;
                    pred[l] = (v, p);
                    pq.push(Reverse((nd, l)));
                }
                i += 1;
            }
        };
        // The textbook update adds min(dist, dt) to every node; adding
        // min(dist, dt) - dt instead shifts all potentials by the same -dt,
        // which changes no reduced cost and no price (both are differences),
        // and touches only the nodes settled this round.
        for &v in &touched {
            if done[v] && dist[v] < dt {
                pot[v] += dist[v] - dt;
            }
        }

        // Walk back from the sink; find the batch size.
        hops.clear();
        let (last, _) = pred[sink];
        let mut delta: u64 = s.load[src] - t.capacity[src] as u64;
        if last != unplaced {
            delta = delta.min(t.capacity[last] as u64 - s.load[last]);
        }
        let mut v = last;
        while v != src {
            let (u, p) = pred[v];
            let Reverse(e) = *s.pairs[p as usize].heap.peek().expect("a valid move");
            delta = delta.min(s.amount(s.unit_of(&e), e.from) as u64);
            hops.push(e);
            v = u;
        }
        debug_assert!(delta > 0);
        let delta = delta as u32;
        for e in hops.iter().rev() {
            let unit = s.unit_of(e);
            let (from, to) = (s.node_of(e.from), s.node_of(e.to));
            s.sub_amount(unit, e.from, delta, &mut scratch);
            s.add_amount(unit, e.to, delta, &mut scratch);
            if from != unplaced {
                s.load[from] -= delta as u64;
            }
            if to != unplaced {
                s.load[to] += delta as u64;
            }
        }
    }

    // Prices from potentials: phi_j = pot[sink] - pot[j] is the dual of the
    // flow-conservation row of school j; a seat's price is max(phi_j, 0).
    let price = (0..k)
        .map(|j| unpack(pot[sink] - pot[j]).max(Cost::ZERO))
        .collect();
    Solved {
        flow: Flow {
            arc: s.x,
            unplaced: s.y,
        },
        price,
        rounds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
