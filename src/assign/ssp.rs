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

/// Result of the solver: the flow and the school prices (dual values).
#[derive(Clone, Debug)]
pub struct Solved {
    pub flow: Flow,
    /// Price of a seat at each school (>= 0; > 0 only at full schools).
    pub price: Vec<Cost>,
    /// Shortest-path rounds run.
    pub rounds: usize,
}

/// A candidate move of unit `unit`'s students from the school of arc `from`
/// to the school of arc `to` (`NONE` = the unplaced slot).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Move {
    cost: Cost,
    unit: u32,
    from: u32,
    to: u32,
}

struct State<'a> {
    t: &'a Transport,
    k: usize,
    x: Vec<u32>,
    y: Vec<u32>,
    load: Vec<u64>,
    /// heaps[j * (k + 1) + l]: moves from node j to node l (node k = unplaced).
    heaps: Vec<BinaryHeap<Reverse<Move>>>,
    /// out[j]: the nodes l whose heap (j, l) may hold a move; few of the
    /// K^2 pairs ever do, so Dijkstra scans only these.
    out: Vec<Vec<u32>>,
    listed: Vec<bool>,
}

impl State<'_> {
    fn node_of(&self, arc: u32) -> usize {
        if arc == NONE {
            self.k
        } else {
            self.t.arc_school[arc as usize] as usize
        }
    }

    fn cost_of(&self, arc: u32) -> Cost {
        if arc == NONE {
            Cost::UNPLACED
        } else {
            self.t.arc_cost(arc as usize)
        }
    }

    fn amount(&self, unit: u32, arc: u32) -> u32 {
        if arc == NONE {
            self.y[unit as usize]
        } else {
            self.x[arc as usize]
        }
    }

    /// Register every move out of `from` for `unit` (called when the unit
    /// gets students at `from`).
    fn add_moves(&mut self, unit: u32, from: u32) {
        let j = self.node_of(from);
        let base = self.cost_of(from);
        for a in self.t.arcs(unit as usize) {
            let a = a as u32;
            if a == from {
                continue;
            }
            let l = self.node_of(a);
            let m = Move {
                cost: self.cost_of(a) - base,
                unit,
                from,
                to: a,
            };
            self.push(j, l, m);
        }
        if from != NONE {
            let m = Move {
                cost: Cost::UNPLACED - base,
                unit,
                from,
                to: NONE,
            };
            self.push(j, self.k, m);
        }
    }

    fn push(&mut self, j: usize, l: usize, m: Move) {
        let idx = j * (self.k + 1) + l;
        self.heaps[idx].push(Reverse(m));
        if !self.listed[idx] {
            self.listed[idx] = true;
            self.out[j].push(l as u32);
        }
    }

    /// The cheapest still-valid move from node j to node l.
    fn best_move(&mut self, j: usize, l: usize) -> Option<Move> {
        let idx = j * (self.k + 1) + l;
        while let Some(&Reverse(m)) = self.heaps[idx].peek() {
            if self.amount(m.unit, m.from) > 0 {
                return Some(m);
            }
            self.heaps[idx].pop();
        }
        None
    }

    fn add_amount(&mut self, unit: u32, arc: u32, delta: u32) {
        let was = self.amount(unit, arc);
        if arc == NONE {
            self.y[unit as usize] += delta;
        } else {
            self.x[arc as usize] += delta;
        }
        if was == 0 && delta > 0 {
            self.add_moves(unit, arc);
        }
    }
}

/// Solve exactly: place as many students as the arcs and seats allow, then
/// minimise total travel. Deterministic: ties go to the lowest index.
pub fn solve(t: &Transport) -> Solved {
    let k = t.schools();
    let kk = k + 1;
    let mut s = State {
        t,
        k,
        x: vec![0; t.arc_school.len()],
        y: vec![0; t.units()],
        load: vec![0; k],
        heaps: (0..kk * kk).map(|_| BinaryHeap::new()).collect(),
        out: vec![Vec::new(); kk],
        listed: vec![false; kk * kk],
    };
    for i in 0..t.units() {
        let sup = t.supply[i];
        if sup == 0 {
            continue;
        }
        let r = t.arcs(i);
        if r.is_empty() {
            s.add_amount(i as u32, NONE, sup);
        } else {
            let a = r.start;
            s.load[t.arc_school[a] as usize] += sup as u64;
            s.add_amount(i as u32, a as u32, sup);
        }
    }

    // Nodes: schools 0..k, unplaced k, sink k + 1.
    let unplaced = k;
    let sink = k + 1;
    let n = k + 2;
    let mut pot = vec![Cost::ZERO; n];
    let mut dist: Vec<Option<Cost>> = vec![None; n];
    let mut done = vec![false; n];
    // How each node was reached: (previous node, move); sink via `None`.
    let mut pred: Vec<Option<(usize, Option<Move>)>> = vec![None; n];
    let mut rounds = 0;
    let mut pq: BinaryHeap<Reverse<(Cost, usize)>> = BinaryHeap::new();

    while let Some(src) = (0..k).find(|&j| s.load[j] > t.capacity[j] as u64) {
        rounds += 1;
        dist.iter_mut().for_each(|d| *d = None);
        done.iter_mut().for_each(|d| *d = false);
        pred.iter_mut().for_each(|p| *p = None);
        dist[src] = Some(Cost::ZERO);
        pq.clear();
        pq.push(Reverse((Cost::ZERO, src)));
        let dt = loop {
            let Reverse((dv, v)) = pq
                .pop()
                .expect("the sink is always reachable through `unplaced`");
            if done[v] || dist[v] != Some(dv) {
                continue;
            }
            done[v] = true;
            if v == sink {
                break dv;
            }
            // To the sink: a school with a free seat, or unplaced.
            if v == unplaced || s.load[v] < t.capacity[v] as u64 {
                let nd = dv + pot[v] - pot[sink];
                debug_assert!(nd >= dv, "negative reduced cost to sink");
                if dist[sink].is_none_or(|d| nd < d) {
                    dist[sink] = Some(nd);
                    pred[sink] = Some((v, None));
                    pq.push(Reverse((nd, sink)));
                }
            }
            let mut i = 0;
            while i < s.out[v].len() {
                let l = s.out[v][i] as usize;
                if done[l] {
                    i += 1;
                    continue;
                }
                match s.best_move(v, l) {
                    Some(m) => {
                        let nd = dv + m.cost + pot[v] - pot[l];
                        debug_assert!(nd >= dv, "negative reduced cost");
                        if dist[l].is_none_or(|d| nd < d) {
                            dist[l] = Some(nd);
                            pred[l] = Some((v, Some(m)));
                            pq.push(Reverse((nd, l)));
                        }
                        i += 1;
                    }
                    None => {
                        // Heap drained: drop the pair until a move returns.
                        s.listed[v * kk + l] = false;
                        s.out[v].swap_remove(i);
                    }
                }
            }
        };
        for v in 0..n {
            let d = match dist[v] {
                Some(d) if done[v] => d.min(dt),
                _ => dt,
            };
            pot[v] += d;
        }

        // Walk back from the sink; find the batch size.
        let mut hops: Vec<Move> = Vec::new();
        let (last, _) = pred[sink].expect("sink reached");
        let mut delta: u64 = s.load[src] - t.capacity[src] as u64;
        if last != unplaced {
            delta = delta.min(t.capacity[last] as u64 - s.load[last]);
        }
        let mut v = last;
        while v != src {
            let (u, m) = pred[v].expect("path");
            let m = m.expect("move");
            delta = delta.min(s.amount(m.unit, m.from) as u64);
            hops.push(m);
            v = u;
        }
        debug_assert!(delta > 0);
        let delta = delta as u32;
        for m in hops.iter().rev() {
            let (from, to) = (s.node_of(m.from), s.node_of(m.to));
            if m.from == NONE {
                s.y[m.unit as usize] -= delta;
            } else {
                s.x[m.from as usize] -= delta;
            }
            s.add_amount(m.unit, m.to, delta);
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
        .map(|j| (pot[sink] - pot[j]).max(Cost::ZERO))
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
