//! Feasible unit-school pairs and their travel: straight line (haversine)
//! or along the road network. Both give, per unit, the schools within reach
//! with an integer cost for the solver and the metres of the route.

use crate::model::{Level, Policy, School, Unit};
use crate::spatial::network::{
    Metric, Mode, NodeMap, RoadGraph, Route, Snap, routes_to_in, unit_route,
};
use crate::spatial::{SphereIndex, haversine_m, to_mm};
use petgraph::graph::NodeIndex;
use std::collections::HashMap;

/// How distances are measured.
#[derive(Clone, Copy)]
pub enum Travel<'a> {
    /// Great-circle distance.
    Straight,
    /// Along roads: walking for primary day pupils, driving for junior and
    /// boarding pupils; points snapped to the nearest road.
    Roads(&'a RoadGraph),
}

/// One feasible pair, in 16 bytes (a province holds tens of millions): the
/// school, the solver's cost (travel in whole millimetres, or in whole
/// milliseconds when limits are in minutes), and the route's other measure
/// in whole units (its milliseconds when the cost is millimetres, its
/// millimetres when the cost is milliseconds; none for straight-line
/// travel). Read through [`Arc::metres`] and [`Arc::minutes`]: both to the
/// millimetre and millisecond, as the outputs report them.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Arc {
    pub school: u32,
    other: u32,
    pub cost: i64,
}

/// `Arc::other` for straight-line travel (no minutes).
const NO_OTHER: u32 = u32::MAX;
/// Set in `Arc::other` when it holds millimetres (the cost is milliseconds).
const OTHER_IS_MM: u32 = 1 << 31;

/// Whole units of `x` (millimetres of metres, milliseconds of seconds),
/// at most 2^31 - 2: 2,147 km or 24 days, beyond any school route.
fn other_units(x: f64) -> u32 {
    (x * 1000.0).round().clamp(0.0, (OTHER_IS_MM - 2) as f64) as u32
}

impl Arc {
    /// A straight-line pair `metres` apart.
    pub fn straight(school: u32, metres: f64) -> Arc {
        Arc {
            school,
            other: NO_OTHER,
            cost: to_mm(metres),
        }
    }

    /// A road route, its cost in the search's `metric`.
    pub fn road(school: u32, metric: Metric, r: &Route) -> Arc {
        let cost = (r.cost * 1000.0).round() as i64;
        let other = match metric {
            Metric::Metres => other_units(r.seconds),
            Metric::Seconds => OTHER_IS_MM | other_units(r.metres),
        };
        Arc {
            school,
            other,
            cost,
        }
    }

    /// The arc's route measure besides the cost, as stored.
    pub fn other_part(&self) -> u32 {
        self.other
    }

    /// The arc of `school` with `cost` and the route measure `other`
    /// (from [`Arc::other_part`]).
    pub fn from_parts(school: u32, other: u32, cost: i64) -> Arc {
        Arc {
            school,
            other,
            cost,
        }
    }

    /// The route's metres (to the millimetre).
    pub fn metres(&self) -> f64 {
        if self.other != NO_OTHER && self.other & OTHER_IS_MM != 0 {
            (self.other & !OTHER_IS_MM) as f64 / 1000.0
        } else {
            self.cost as f64 / 1000.0
        }
    }

    /// Travel minutes along roads (to the millisecond); none for
    /// straight-line travel.
    pub fn minutes(&self) -> Option<f64> {
        match self.other {
            NO_OTHER => None,
            o if o & OTHER_IS_MM != 0 => Some(self.cost as f64 / 60_000.0),
            o => Some(o as f64 / 60_000.0),
        }
    }
}

const _: () = assert!(std::mem::size_of::<Arc>() == 16);

/// The feasible arcs of every unit in compressed rows (unit `i`'s are
/// `of(i)`, in school order): one block, so a province's tens of millions
/// are one allocation, given back to the system at once when dropped; and
/// which units have no road link to any school of the level (reason
/// `no_road_connection`).
#[derive(Clone, Debug, Default)]
pub struct Arcs {
    start: Vec<usize>,
    all: Vec<Arc>,
    pub no_road: Vec<bool>,
}

impl Arcs {
    /// Rows from one list of arcs per unit.
    pub fn from_lists(lists: Vec<Vec<Arc>>, no_road: Vec<bool>) -> Arcs {
        let mut start = Vec::with_capacity(lists.len() + 1);
        start.push(0);
        let mut all = Vec::with_capacity(lists.iter().map(Vec::len).sum());
        for l in lists {
            all.extend_from_slice(&l);
            start.push(all.len());
        }
        Arcs {
            start,
            all,
            no_road,
        }
    }

    /// Unit `i`'s arcs (none for a unit beyond the rows).
    pub fn of(&self, i: usize) -> &[Arc] {
        match (self.start.get(i), self.start.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.all[a..b],
            _ => &[],
        }
    }

    /// Arcs in all.
    pub fn len(&self) -> usize {
        self.all.len()
    }

    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }

    /// The rows with `added` (unit, arc) pairs appended to their units'.
    pub fn with_added(self, added: &[(usize, Arc)]) -> Arcs {
        if added.is_empty() {
            return self;
        }
        let n = self.start.len().saturating_sub(1);
        let mut lists: Vec<Vec<Arc>> = (0..n).map(|i| self.of(i).to_vec()).collect();
        for &(i, a) in added {
            lists[i].push(a);
        }
        Arcs::from_lists(lists, self.no_road)
    }

    /// The rows without the arcs of `removed` (unit, school) pairs: a
    /// pin's arc beyond the travel limits dropped when the pin is.
    pub fn without(self, removed: &[(usize, usize)]) -> Arcs {
        if removed.is_empty() {
            return self;
        }
        let n = self.start.len().saturating_sub(1);
        let mut lists: Vec<Vec<Arc>> = (0..n).map(|i| self.of(i).to_vec()).collect();
        for &(i, j) in removed {
            if let Some(l) = lists.get_mut(i) {
                l.retain(|a| a.school as usize != j);
            }
        }
        Arcs::from_lists(lists, self.no_road)
    }

    /// The rows taken out (the flags stay): for a solve that lets them go
    /// as soon as it has read them.
    pub fn take_rows(&mut self) -> Arcs {
        Arcs {
            start: std::mem::take(&mut self.start),
            all: std::mem::take(&mut self.all),
            no_road: Vec::new(),
        }
    }
}

/// A boarding school with a `serves` list takes other towns only within
/// the day limit.
fn served(s: &School, u: &Unit, within_day_limit: bool) -> bool {
    s.serves.is_empty() || within_day_limit || u.town.as_ref().is_some_and(|t| s.serves.contains(t))
}

pub fn feasible_arcs(
    units: &[Unit],
    supply: &[u32],
    schools: &[School],
    level: Level,
    policy: &Policy,
    travel: Travel,
) -> Arcs {
    match travel {
        Travel::Straight => straight(units, supply, schools, level, policy),
        Travel::Roads(g) => roads(units, supply, schools, level, policy, g),
    }
}

fn straight(
    units: &[Unit],
    supply: &[u32],
    schools: &[School],
    level: Level,
    policy: &Policy,
) -> Arcs {
    let limits: Vec<Option<f64>> = schools
        .iter()
        .map(|s| s.travel_limit_m(level, policy))
        .collect();
    let takes: Vec<usize> = (0..schools.len())
        .filter(|&j| schools[j].takes_catchment(level))
        .collect();
    let limited: Vec<usize> = takes
        .iter()
        .copied()
        .filter(|&j| limits[j].is_some())
        .collect();
    let unlimited: Vec<usize> = takes
        .iter()
        .copied()
        .filter(|&j| limits[j].is_none())
        .collect();
    let radius = limited
        .iter()
        .filter_map(|&j| limits[j])
        .fold(0.0f64, f64::max);
    let index = SphereIndex::new(limited.iter().map(|&j| (schools[j].lon, schools[j].lat)));
    let day = policy.max_travel_m(level);
    let per_unit = units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let mut arcs = Vec::new();
            if supply[i] == 0 {
                return arcs;
            }
            for c in index.within(u.lon, u.lat, radius) {
                let j = limited[c];
                let s = &schools[j];
                let m = haversine_m(u.lon, u.lat, s.lon, s.lat);
                if m <= limits[j].unwrap_or(f64::INFINITY) {
                    arcs.push(Arc::straight(j as u32, m));
                }
            }
            for &j in &unlimited {
                let s = &schools[j];
                let m = haversine_m(u.lon, u.lat, s.lon, s.lat);
                if served(s, u, m <= day) {
                    arcs.push(Arc::straight(j as u32, m));
                }
            }
            arcs
        })
        .collect();
    Arcs::from_lists(per_unit, vec![false; units.len()])
}

/// Units snapped to the network, and each road node's units (those on a
/// piece that ends there) with their snaps, in compressed rows by node
/// index: a search reads the units of the nodes it reached from one place
/// instead of jumping about the units' table (a cache miss per candidate,
/// tens of millions at a province).
struct Snapped {
    node_start: Vec<u32>,
    node_units: Vec<(u32, Snap)>,
}

impl Snapped {
    fn at_node(&self, v: NodeIndex) -> &[(u32, Snap)] {
        let v = v.index();
        &self.node_units[self.node_start[v] as usize..self.node_start[v + 1] as usize]
    }
}

fn snap_units(g: &RoadGraph, units: &[Unit], supply: &[u32]) -> Snapped {
    let snaps: Vec<Option<Snap>> = units
        .iter()
        .zip(supply)
        .enumerate()
        .map(|(i, (u, &s))| {
            if s > 0 {
                g.snap_of(i, u.lon, u.lat)
            } else {
                None
            }
        })
        .collect();
    let ends = |s: &Snap| {
        let b = (s.b != s.a).then_some(s.b);
        std::iter::once(s.a).chain(b)
    };
    let mut node_start = vec![0u32; g.node_count() + 1];
    for s in snaps.iter().flatten() {
        for v in ends(s) {
            node_start[v.index() + 1] += 1;
        }
    }
    for v in 0..g.node_count() {
        node_start[v + 1] += node_start[v];
    }
    let mut fill = node_start.clone();
    // Every slot is written once below.
    let mut node_units = vec![(0u32, Snap::default()); node_start[g.node_count()] as usize];
    for (i, s) in snaps.iter().enumerate() {
        if let Some(s) = s {
            for v in ends(s) {
                node_units[fill[v.index()] as usize] = (i as u32, *s);
                fill[v.index()] += 1;
            }
        }
    }
    Snapped {
        node_start,
        node_units,
    }
}

fn roads(
    units: &[Unit],
    supply: &[u32],
    schools: &[School],
    level: Level,
    policy: &Policy,
    g: &RoadGraph,
) -> Arcs {
    let takes: Vec<usize> = (0..schools.len())
        .filter(|&j| schools[j].takes_catchment(level))
        .collect();
    let snapped = snap_units(g, units, supply);
    let minutes = policy.max_travel_min(level);
    let metric = if minutes.is_some() {
        Metric::Seconds
    } else {
        Metric::Metres
    };
    let day_limit = match minutes {
        Some(m) => m * 60.0,
        None => policy.max_travel_m(level),
    };
    // One bounded search per school, in parallel; results in school order.
    let incoming = g.incoming();
    let per_school: Vec<Vec<Found>> = {
        let work = |j: usize, at: &mut NodeMap<Route>| -> Vec<Found> {
            let s = &schools[j];
            let Some(ss) = g.snap(s.lon, s.lat) else {
                return vec![];
            };
            let mode = if level == Level::Primary && !s.boarding {
                Mode::Walk
            } else {
                Mode::Drive
            };
            let bound = match (s.max_travel_m.get(level), metric) {
                (Some(m), Metric::Metres) => m,
                _ if s.boarding && s.max_travel_m.get(level).is_none() => f64::INFINITY,
                _ => day_limit,
            };
            let reached = routes_to_in(g, &incoming, &ss, mode, metric, bound);
            at.clear();
            for &(v, r) in &reached {
                at.set(v.index(), r);
            }
            // Sized for every candidate (each at most twice): a province's
            // finds are a gigabyte, and growing by doubling would leave
            // holes in the allocator's memory.
            let room: usize = reached.iter().map(|(v, _)| snapped.at_node(*v).len()).sum();
            let mut out = Vec::with_capacity(room);
            // Each unit once: at its piece's end `a`, or at `b` when `a` was
            // not reached (`unit_route` takes the better of both ends).
            for &(v, _) in &reached {
                for (i, us) in snapped.at_node(v) {
                    if us.a != v && at.get(us.a.index()).is_some() {
                        continue;
                    }
                    let Some(r) = unit_route(us, |v| at.get(v.index()), &ss, mode, metric) else {
                        continue;
                    };
                    if r.cost <= bound && served(s, &units[*i as usize], r.cost <= day_limit) {
                        out.push(Found::new(*i, Arc::road(j as u32, metric, &r)));
                    }
                }
            }
            // In unit order, as the transpose reads them.
            out.sort_unstable_by_key(|f| f.unit);
            out.shrink_to_fit();
            out
        };
        let threads = g.threads().min(takes.len().max(1));
        let chunks: Vec<Vec<usize>> = (0..threads)
            .map(|t| takes.iter().copied().skip(t).step_by(threads).collect())
            .collect();
        let mut results: Vec<Vec<Found>> = vec![Vec::new(); schools.len()];
        std::thread::scope(|sc| {
            let handles: Vec<_> = chunks
                .iter()
                .map(|chunk| {
                    sc.spawn(|| {
                        let mut at = NodeMap::new(g.node_count());
                        chunk
                            .iter()
                            .map(|&j| (j, work(j, &mut at)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            for h in handles {
                for (j, r) in h.join().expect("route search thread") {
                    results[j] = r;
                }
            }
        });
        results
    };
    drop(incoming);
    let mut arcs = per_unit_arcs(units.len(), &per_school, g.threads());
    drop(per_school);
    // Road pieces that hold a school of this level.
    let mut school_comps: Vec<u32> = takes
        .iter()
        .filter_map(|&j| g.snap(schools[j].lon, schools[j].lat))
        .map(|s| g.component[s.a.index()])
        .collect();
    school_comps.sort_unstable();
    school_comps.dedup();
    let no_road = (0..units.len())
        .map(|i| {
            supply[i] > 0
                && arcs.of(i).is_empty()
                && g.snap_of(i, units[i].lon, units[i].lat).is_some_and(|s| {
                    school_comps
                        .binary_search(&g.component[s.a.index()])
                        .is_err()
                })
        })
        .collect();
    arcs.no_road = no_road;
    arcs
}

/// A school's route from one unit (16 bytes: the unit, then the arc's
/// measures).
#[derive(Copy, Clone)]
struct Found {
    unit: u32,
    other: u32,
    cost: i64,
}

impl Found {
    fn new(unit: u32, a: Arc) -> Found {
        Found {
            unit,
            other: a.other,
            cost: a.cost,
        }
    }

    fn arc(&self, school: u32) -> Arc {
        Arc {
            school,
            other: self.other,
            cost: self.cost,
        }
    }
}

/// Units per block of the transpose: a block's arcs (about 30 a unit at a
/// province's junior level) stay in the core's cache while every school's
/// list is read in order.
const BLOCK: usize = 1024;

/// Each unit's arcs in school order, from each school's finds (in unit
/// order): a transpose of tens of millions of arcs into rows, done by
/// blocks of units (the writes stay in cache, the reads are sequential) on
/// `threads` threads, each with its own range of units and of the rows.
fn per_unit_arcs(n: usize, per_school: &[Vec<Found>], threads: usize) -> Arcs {
    let mut start = vec![0usize; n + 1];
    for found in per_school {
        for f in found {
            start[f.unit as usize + 1] += 1;
        }
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let blank = Arc {
        school: u32::MAX,
        other: NO_OTHER,
        cost: 0,
    };
    let mut all = vec![blank; start[n]];
    let size = n.div_ceil(threads.max(1)).max(1);
    std::thread::scope(|sc| {
        let mut rest: &mut [Arc] = &mut all;
        for lo in (0..n).step_by(size) {
            let hi = (lo + size).min(n);
            let (part, tail) = rest.split_at_mut(start[hi] - start[lo]);
            rest = tail;
            let start = &start;
            sc.spawn(move || {
                // Next free place of each unit of the range, in `part`.
                let mut next: Vec<usize> = start[lo..hi].iter().map(|&s| s - start[lo]).collect();
                let mut at: Vec<usize> = per_school
                    .iter()
                    .map(|f| f.partition_point(|x| (x.unit as usize) < lo))
                    .collect();
                for b in (lo..hi).step_by(BLOCK) {
                    let end = (b + BLOCK).min(hi);
                    for (j, found) in per_school.iter().enumerate() {
                        let k = &mut at[j];
                        while let Some(f) = found.get(*k).filter(|f| (f.unit as usize) < end) {
                            let p = &mut next[f.unit as usize - lo];
                            part[*p] = f.arc(j as u32);
                            *p += 1;
                            *k += 1;
                        }
                    }
                }
            });
        }
    });
    Arcs {
        start,
        all,
        no_road: Vec::new(),
    }
}

/// The travel of chosen unit-school pairs whatever the limits (a planner's
/// pins): straight line, or the road route (`None` when no road joins them).
pub fn pair_arcs(
    units: &[Unit],
    schools: &[School],
    level: Level,
    policy: &Policy,
    travel: Travel,
    pairs: &[(usize, usize)],
) -> Vec<Option<Arc>> {
    match travel {
        Travel::Straight => pairs
            .iter()
            .map(|&(i, j)| {
                let m = haversine_m(units[i].lon, units[i].lat, schools[j].lon, schools[j].lat);
                Some(Arc::straight(j as u32, m))
            })
            .collect(),
        Travel::Roads(g) => {
            let metric = if policy.max_travel_min(level).is_some() {
                Metric::Seconds
            } else {
                Metric::Metres
            };
            let mut by_school: Vec<usize> = pairs.iter().map(|p| p.1).collect();
            by_school.sort_unstable();
            by_school.dedup();
            let mut found: HashMap<(usize, usize), Arc> = HashMap::new();
            let incoming = g.incoming();
            for j in by_school {
                let s = &schools[j];
                let Some(ss) = g.snap(s.lon, s.lat) else {
                    continue;
                };
                let mode = if level == Level::Primary && !s.boarding {
                    Mode::Walk
                } else {
                    Mode::Drive
                };
                let at: HashMap<NodeIndex, Route> =
                    routes_to_in(g, &incoming, &ss, mode, metric, f64::INFINITY)
                        .into_iter()
                        .collect();
                for &(i, _) in pairs.iter().filter(|p| p.1 == j) {
                    let Some(us) = g.snap(units[i].lon, units[i].lat) else {
                        continue;
                    };
                    if let Some(r) = unit_route(&us, |v| at.get(&v).copied(), &ss, mode, metric) {
                        found.insert((i, j), Arc::road(j as u32, metric, &r));
                    }
                }
            }
            pairs.iter().map(|p| found.get(p).copied()).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arcs_keep_metres_and_minutes_to_the_millimetre_and_millisecond() {
        let r = Route {
            cost: 1234.5678,
            metres: 1234.5678,
            seconds: 98.7654321,
        };
        let a = Arc::road(3, Metric::Metres, &r);
        assert_eq!((a.school, a.cost), (3, 1_234_568));
        assert_eq!(a.metres(), 1234.568);
        assert_eq!(a.minutes(), Some(98_765.0 / 60_000.0));
        let r = Route {
            cost: 98.7654321,
            metres: 1234.5678,
            seconds: 98.7654321,
        };
        let a = Arc::road(7, Metric::Seconds, &r);
        assert_eq!((a.school, a.cost), (7, 98_765));
        assert_eq!(a.metres(), 1234.568);
        assert_eq!(a.minutes(), Some(98_765.0 / 60_000.0));
        let a = Arc::straight(1, 2500.0004);
        assert_eq!((a.cost, a.metres(), a.minutes()), (2_500_000, 2500.0, None));
        // Beyond 2,147 km the other measure stops there (no road to a
        // school is that long); it never spills into the flag.
        let far = Route {
            cost: 60.0,
            metres: 3.0e6,
            seconds: 60.0,
        };
        assert_eq!(Arc::road(0, Metric::Seconds, &far).metres(), 2_147_483.646);
    }

    #[test]
    fn transpose_by_blocks_is_the_plain_transpose_on_any_threads() {
        // Three blocks of units and a few schools, finds in unit order.
        let n = 3 * BLOCK + 17;
        let per_school: Vec<Vec<Found>> = (0..5u32)
            .map(|j| {
                (0..n as u32)
                    .filter(|i| (i * 7 + j * 3) % (j + 2) == 0)
                    .map(|i| Found {
                        unit: i,
                        other: j,
                        cost: (i * 10 + j) as i64,
                    })
                    .collect()
            })
            .collect();
        let mut plain: Vec<Vec<Arc>> = vec![Vec::new(); n];
        for (j, found) in per_school.iter().enumerate() {
            for f in found {
                plain[f.unit as usize].push(f.arc(j as u32));
            }
        }
        for threads in [1, 2, 3, 8] {
            let arcs = per_unit_arcs(n, &per_school, threads);
            let rows: Vec<Vec<Arc>> = (0..n).map(|i| arcs.of(i).to_vec()).collect();
            assert_eq!(rows, plain, "{threads} threads");
            assert_eq!(arcs.len(), plain.iter().map(Vec::len).sum::<usize>());
        }
    }
}
