//! Feasible unit-school pairs and their travel: straight line (haversine)
//! or along the road network. Both give, per unit, the schools within reach
//! with an integer cost for the solver and the metres of the route.

use crate::model::{Level, Policy, School, Unit};
use crate::spatial::network::{
    Metric, Mode, NodeMap, RoadGraph, Route, Snap, routes_to, unit_route,
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

/// One feasible pair: school index, solver cost (mm, or ms when limits are
/// in minutes), and the route's metres. 32 bytes (a province holds tens of
/// millions): the minutes are a plain number, NaN for none.
#[derive(Copy, Clone, Debug)]
pub struct Arc {
    pub school: u32,
    pub cost: i64,
    pub metres: f64,
    /// Travel minutes along roads; NaN for straight-line travel (read
    /// through [`Arc::minutes`]).
    minutes_or_nan: f64,
}

impl Arc {
    pub fn new(school: u32, cost: i64, metres: f64, minutes: Option<f64>) -> Arc {
        Arc {
            school,
            cost,
            metres,
            minutes_or_nan: minutes.unwrap_or(f64::NAN),
        }
    }

    /// Travel minutes along roads (none for straight-line travel).
    pub fn minutes(&self) -> Option<f64> {
        (!self.minutes_or_nan.is_nan()).then_some(self.minutes_or_nan)
    }
}

impl PartialEq for Arc {
    fn eq(&self, o: &Arc) -> bool {
        (self.school, self.cost, self.metres, self.minutes())
            == (o.school, o.cost, o.metres, o.minutes())
    }
}

const _: () = assert!(std::mem::size_of::<Arc>() == 32);

/// The feasible arcs of every unit, and which units have no road link to
/// any school of the level (reason `no_road_connection`).
#[derive(Clone, Debug, Default)]
pub struct Arcs {
    pub per_unit: Vec<Vec<Arc>>,
    pub no_road: Vec<bool>,
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
                    arcs.push(Arc::new(j as u32, to_mm(m), m, None));
                }
            }
            for &j in &unlimited {
                let s = &schools[j];
                let m = haversine_m(u.lon, u.lat, s.lon, s.lat);
                if served(s, u, m <= day) {
                    arcs.push(Arc::new(j as u32, to_mm(m), m, None));
                }
            }
            arcs
        })
        .collect();
    Arcs {
        per_unit,
        no_road: vec![false; units.len()],
    }
}

/// Units snapped to the network, and an index from each road node to the
/// units on a piece that ends there (compressed rows by node index).
struct Snapped {
    snaps: Vec<Option<Snap>>,
    node_start: Vec<u32>,
    node_units: Vec<u32>,
}

impl Snapped {
    fn at_node(&self, v: NodeIndex) -> &[u32] {
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
    let mut node_units = vec![0u32; node_start[g.node_count()] as usize];
    for (i, s) in snaps.iter().enumerate() {
        if let Some(s) = s {
            for v in ends(s) {
                node_units[fill[v.index()] as usize] = i as u32;
                fill[v.index()] += 1;
            }
        }
    }
    Snapped {
        snaps,
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
    let to_cost = |c: f64| (c * 1000.0).round() as i64;
    let day_limit = match minutes {
        Some(m) => m * 60.0,
        None => policy.max_travel_m(level),
    };
    // One bounded search per school, in parallel; results in school order.
    let per_school: Vec<Vec<(u32, Route)>> = {
        let work = |j: usize, at: &mut NodeMap<Route>| -> Vec<(u32, Route)> {
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
            let reached = routes_to(g, &ss, mode, metric, bound);
            at.clear();
            for &(v, r) in &reached {
                at.set(v.index(), r);
            }
            let mut cand: Vec<u32> = reached
                .iter()
                .flat_map(|(v, _)| snapped.at_node(*v))
                .copied()
                .collect();
            cand.sort_unstable();
            cand.dedup();
            let mut out = Vec::new();
            for i in cand {
                let Some(us) = &snapped.snaps[i as usize] else {
                    continue;
                };
                let Some(r) = unit_route(us, |v| at.get(v.index()), &ss, mode, metric) else {
                    continue;
                };
                if r.cost <= bound && served(s, &units[i as usize], r.cost <= day_limit) {
                    out.push((i, r));
                }
            }
            out
        };
        let threads = g.threads().min(takes.len().max(1));
        let chunks: Vec<Vec<usize>> = (0..threads)
            .map(|t| takes.iter().copied().skip(t).step_by(threads).collect())
            .collect();
        let mut results: Vec<Vec<(u32, Route)>> = vec![Vec::new(); schools.len()];
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
    // Per unit, in school order; each list sized exactly, and each school's
    // results dropped once copied (a province holds tens of millions).
    let mut per_unit: Vec<Vec<Arc>> = {
        let mut count = vec![0u32; units.len()];
        for found in &per_school {
            for &(i, _) in found {
                count[i as usize] += 1;
            }
        }
        count
            .iter()
            .map(|&c| Vec::with_capacity(c as usize))
            .collect()
    };
    for (j, found) in per_school.into_iter().enumerate() {
        for (i, r) in found {
            per_unit[i as usize].push(Arc::new(
                j as u32,
                to_cost(r.cost),
                r.metres,
                Some(r.seconds / 60.0),
            ));
        }
    }
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
            per_unit[i].is_empty()
                && snapped.snaps[i].as_ref().is_some_and(|s| {
                    school_comps
                        .binary_search(&g.component[s.a.index()])
                        .is_err()
                })
        })
        .collect();
    Arcs { per_unit, no_road }
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
                Some(Arc::new(j as u32, to_mm(m), m, None))
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
                let at: HashMap<NodeIndex, Route> = routes_to(g, &ss, mode, metric, f64::INFINITY)
                    .into_iter()
                    .collect();
                for &(i, _) in pairs.iter().filter(|p| p.1 == j) {
                    let Some(us) = g.snap(units[i].lon, units[i].lat) else {
                        continue;
                    };
                    if let Some(r) = unit_route(&us, |v| at.get(&v).copied(), &ss, mode, metric) {
                        found.insert(
                            (i, j),
                            Arc::new(
                                j as u32,
                                (r.cost * 1000.0).round() as i64,
                                r.metres,
                                Some(r.seconds / 60.0),
                            ),
                        );
                    }
                }
            }
            pairs.iter().map(|p| found.get(p).copied()).collect()
        }
    }
}
