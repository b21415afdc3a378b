//! Road-network travel: a graph from road lines (noded where GIS layers
//! leave ends loose), points snapped to the nearest segment, and bounded
//! shortest paths from every school.
//!
//! Lengths are haversine metres of each piece of road, so a route is never
//! shorter than the straight line. Geometry (noding, snapping) works in a
//! local equirectangular projection about the network's mean latitude.

use super::{EARTH_RADIUS_M, haversine_m};
use crate::model::{Oneway, RoadLine, WALK_KMH};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use rstar::primitives::{GeomWithData, Line};
use rstar::{PointDistance, RTree};
use rustc_hash::FxHashMap;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A line end within this distance of another line's interior is joined
/// there (GIS road layers are often not noded).
pub const NODE_TOLERANCE_M: f64 = 1.0;

/// Points farther than this from every road are reported (they are still
/// snapped: the straight access leg is counted in their travel).
pub const SNAP_WARN_M: f64 = 500.0;

/// How people travel at a level.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// On foot, both ways along every road (primary day pupils).
    Walk,
    /// By car or bus, respecting one-way streets (junior, boarding).
    Drive,
}

#[derive(Copy, Clone, Debug, PartialEq)]
pub struct RoadEdge {
    pub metres: f64,
    /// Driving seconds (walking time is metres at [`WALK_KMH`]).
    pub drive_s: f64,
    /// Drivable in this direction (walking is allowed on every edge).
    pub drive: bool,
}

/// Equirectangular projection about `lat0` (radians): metres.
#[derive(Copy, Clone, Debug)]
pub struct Projection {
    k: f64,
}

impl Projection {
    pub fn new(lat0_deg: f64) -> Projection {
        Projection {
            k: lat0_deg.to_radians().cos(),
        }
    }
    pub fn xy(&self, lon: f64, lat: f64) -> [f64; 2] {
        [
            EARTH_RADIUS_M * self.k * lon.to_radians(),
            EARTH_RADIUS_M * lat.to_radians(),
        ]
    }
    pub fn lonlat(&self, p: [f64; 2]) -> (f64, f64) {
        (
            (p[0] / (EARTH_RADIUS_M * self.k)).to_degrees(),
            (p[1] / EARTH_RADIUS_M).to_degrees(),
        )
    }
}

/// A point on the network: on the piece `a -> b` at fraction `f`, reached
/// from the original point by an access leg of `access_m`.
#[derive(Copy, Clone, Debug, Default, PartialEq)]
pub struct Snap {
    pub a: NodeIndex,
    pub b: NodeIndex,
    pub f: f64,
    pub metres: f64,
    pub drive_s: f64,
    /// Drivable a -> b and b -> a.
    pub forward: bool,
    pub backward: bool,
    pub access_m: f64,
}

/// A remembered snap, with the point it was made for.
type Remembered = ((f64, f64), Option<Snap>);

/// The road graph, ready for snapping and shortest paths.
pub struct RoadGraph {
    pub graph: DiGraph<(f64, f64), RoadEdge>,
    pub projection: Projection,
    /// Pieces of road (a, b), each once, for snapping and drawing.
    pub pieces: Vec<(NodeIndex, NodeIndex)>,
    piece_index: RTree<GeomWithData<Line<[f64; 2]>, usize>>,
    /// Undirected component of each node.
    pub component: Vec<u32>,
    /// Line ends joined to another line's interior by noding.
    pub joined_ends: usize,
    /// Threads for the travel searches on this graph; `None`: the
    /// machine's available parallelism. Results do not depend on it.
    threads: Option<std::num::NonZeroUsize>,
    /// Snaps of a run's points (its units), by index, with the point each
    /// was made for: snapped once, looked up by every level's travel, then
    /// forgotten ([`RoadGraph::forget_snaps`]: 128 MB at a province).
    remembered: std::sync::RwLock<Vec<Remembered>>,
}

#[derive(Clone, Copy)]
struct Piece {
    a: NodeIndex,
    b: NodeIndex,
    speed_kmh: f64,
    oneway: Oneway,
}

/// Every node's incoming edges in compressed rows (in edge order), with
/// what a search needs of each: the searches read a node's edges from one
/// place (petgraph keeps them in a linked list that jumps about memory:
/// most of a province's search time).
///
/// Made for a run of searches ([`RoadGraph::incoming`]) and let go after
/// (90 MB at a province).
pub struct Incoming {
    start: Vec<u32>,
    edges: Vec<InEdge>,
}

#[derive(Clone, Copy)]
struct InEdge {
    source: u32,
    drive: bool,
    metres: f64,
    drive_s: f64,
}

impl Incoming {
    fn of(g: &DiGraph<(f64, f64), RoadEdge>) -> Incoming {
        let n = g.node_count();
        let mut start = vec![0u32; n + 1];
        for e in g.edge_references() {
            start[e.target().index() + 1] += 1;
        }
        for v in 0..n {
            start[v + 1] += start[v];
        }
        let mut fill = start.clone();
        let blank = InEdge {
            source: 0,
            drive: false,
            metres: 0.0,
            drive_s: 0.0,
        };
        let mut edges = vec![blank; g.edge_count()];
        for e in g.edge_references() {
            let at = &mut fill[e.target().index()];
            let w = e.weight();
            edges[*at as usize] = InEdge {
                source: e.source().index() as u32,
                drive: w.drive,
                metres: w.metres,
                drive_s: w.drive_s,
            };
            *at += 1;
        }
        Incoming { start, edges }
    }

    fn of_node(&self, v: NodeIndex) -> &[InEdge] {
        let v = v.index();
        &self.edges[self.start[v] as usize..self.start[v + 1] as usize]
    }
}

fn key(c: (f64, f64)) -> (u64, u64) {
    (c.0.to_bits(), c.1.to_bits())
}

impl RoadGraph {
    /// Build the graph: nodes at shared vertices, and every line end within
    /// [`NODE_TOLERANCE_M`] of another line's interior joined there.
    pub fn build(lines: &[RoadLine]) -> RoadGraph {
        let n_vertices: usize = lines.iter().map(|l| l.coords.len()).sum();
        let lat0 = if n_vertices == 0 {
            0.0
        } else {
            lines
                .iter()
                .flat_map(|l| l.coords.iter().map(|c| c.1))
                .sum::<f64>()
                / n_vertices as f64
        };
        let projection = Projection::new(lat0);
        let mut graph: DiGraph<(f64, f64), RoadEdge> =
            DiGraph::with_capacity(n_vertices, 2 * n_vertices);
        let mut node_of: FxHashMap<(u64, u64), NodeIndex> =
            FxHashMap::with_capacity_and_hasher(n_vertices, Default::default());
        let mut node = |g: &mut DiGraph<(f64, f64), RoadEdge>, c: (f64, f64)| {
            *node_of.entry(key(c)).or_insert_with(|| g.add_node(c))
        };
        // Original segments: (line, a, b, speed, oneway).
        let mut segs: Vec<(usize, Piece)> = Vec::with_capacity(n_vertices);
        let mut ends: Vec<(usize, NodeIndex)> = Vec::new();
        for (li, l) in lines.iter().enumerate() {
            let ids: Vec<NodeIndex> = l.coords.iter().map(|&c| node(&mut graph, c)).collect();
            for w in ids.windows(2) {
                if w[0] != w[1] {
                    segs.push((
                        li,
                        Piece {
                            a: w[0],
                            b: w[1],
                            speed_kmh: l.drive_kmh(),
                            oneway: l.oneway,
                        },
                    ));
                }
            }
            if let (Some(&first), Some(&last)) = (ids.first(), ids.last()) {
                ends.push((li, first));
                if last != first {
                    ends.push((li, last));
                }
            }
        }
        let xy = |g: &DiGraph<(f64, f64), RoadEdge>, n: NodeIndex| {
            let c = g[n];
            projection.xy(c.0, c.1)
        };
        let seg_tree = RTree::bulk_load(
            segs.iter()
                .enumerate()
                .map(|(i, (_, p))| {
                    GeomWithData::new(Line::new(xy(&graph, p.a), xy(&graph, p.b)), i)
                })
                .collect(),
        );
        // Splits per original segment: (t along it, node at that point),
        // and connector edges from ends to split points.
        let mut splits: FxHashMap<usize, Vec<(f64, NodeIndex)>> = FxHashMap::default();
        let mut connectors: Vec<(NodeIndex, NodeIndex, usize)> = Vec::new();
        let mut joined_ends = 0;
        for &(li, e) in &ends {
            let p = xy(&graph, e);
            let mut best: Option<(f64, usize)> = None;
            for g in seg_tree.locate_within_distance(p, NODE_TOLERANCE_M * NODE_TOLERANCE_M) {
                let (sl, s) = segs[g.data];
                if sl == li || s.a == e || s.b == e {
                    continue;
                }
                let d = g.geom().distance_2(&p);
                if best.is_none_or(|(bd, bi)| (d, g.data) < (bd, bi)) {
                    best = Some((d, g.data));
                }
            }
            let Some((_, si)) = best else { continue };
            let s = segs[si].1;
            let (pa, pb) = (xy(&graph, s.a), xy(&graph, s.b));
            let (dx, dy) = (pb[0] - pa[0], pb[1] - pa[1]);
            let len2 = dx * dx + dy * dy;
            let t = (((p[0] - pa[0]) * dx + (p[1] - pa[1]) * dy) / len2).clamp(0.0, 1.0);
            let q = [pa[0] + t * dx, pa[1] + t * dy];
            let len = len2.sqrt();
            let target = if t * len <= 1e-6 {
                s.a
            } else if (1.0 - t) * len <= 1e-6 {
                s.b
            } else {
                let n = node(&mut graph, projection.lonlat(q));
                splits.entry(si).or_default().push((t, n));
                n
            };
            joined_ends += 1;
            if target != e {
                connectors.push((e, target, si));
            }
        }
        // Pieces: original segments cut at their split points.
        let mut pieces: Vec<Piece> = Vec::with_capacity(segs.len() + connectors.len());
        for (si, (_, s)) in segs.iter().enumerate() {
            match splits.get_mut(&si) {
                None => pieces.push(*s),
                Some(v) => {
                    v.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
                    let mut prev = s.a;
                    for &(_, n) in v.iter() {
                        if n != prev {
                            pieces.push(Piece {
                                a: prev,
                                b: n,
                                ..*s
                            });
                            prev = n;
                        }
                    }
                    if prev != s.b {
                        pieces.push(Piece {
                            a: prev,
                            b: s.b,
                            ..*s
                        });
                    }
                }
            }
        }
        for &(e, t, si) in &connectors {
            let s = segs[si].1;
            pieces.push(Piece {
                a: e,
                b: t,
                speed_kmh: s.speed_kmh,
                oneway: Oneway::No,
            });
        }
        // Nodes renumbered along a space-filling curve: a search's
        // neighbouring nodes then sit near each other in memory (in file
        // order, a province's searches wait on memory most of the time).
        let coords: Vec<(f64, f64)> = graph.node_indices().map(|v| graph[v]).collect();
        let order = curve_order(&coords);
        let mut new_of = vec![NodeIndex::new(0); coords.len()];
        let mut graph: DiGraph<(f64, f64), RoadEdge> =
            DiGraph::with_capacity(coords.len(), 2 * pieces.len());
        for &old in &order {
            new_of[old as usize] = graph.add_node(coords[old as usize]);
        }
        drop(coords);
        for p in &mut pieces {
            (p.a, p.b) = (new_of[p.a.index()], new_of[p.b.index()]);
        }
        let mut out_pieces = Vec::with_capacity(pieces.len());
        for p in &pieces {
            let (ca, cb) = (graph[p.a], graph[p.b]);
            let metres = haversine_m(ca.0, ca.1, cb.0, cb.1);
            let drive_s = metres / (p.speed_kmh / 3.6);
            let (fw, bw) = match p.oneway {
                Oneway::No => (true, true),
                Oneway::Forward => (true, false),
                Oneway::Backward => (false, true),
            };
            graph.add_edge(
                p.a,
                p.b,
                RoadEdge {
                    metres,
                    drive_s,
                    drive: fw,
                },
            );
            graph.add_edge(
                p.b,
                p.a,
                RoadEdge {
                    metres,
                    drive_s,
                    drive: bw,
                },
            );
            out_pieces.push((p.a, p.b));
        }
        let piece_index = RTree::bulk_load(
            out_pieces
                .iter()
                .enumerate()
                .map(|(i, &(a, b))| GeomWithData::new(Line::new(xy(&graph, a), xy(&graph, b)), i))
                .collect(),
        );
        let component = components(&graph);
        RoadGraph {
            graph,
            projection,
            pieces: out_pieces,
            piece_index,
            component,
            joined_ends,
            threads: None,
            remembered: Default::default(),
        }
    }

    /// Every node's incoming edges, for a run of searches
    /// ([`routes_to_in`]).
    pub fn incoming(&self) -> Incoming {
        Incoming::of(&self.graph)
    }

    /// Set the number of threads the travel searches on this graph use
    /// (`None`: the machine's available parallelism), as the command line
    /// asks (`--threads`, `CATCHMENT_THREADS`).
    pub fn set_threads(&mut self, threads: Option<std::num::NonZeroUsize>) {
        self.threads = threads;
    }

    /// The number of threads the travel searches on this graph use.
    pub fn threads(&self) -> usize {
        match self.threads {
            Some(n) => n.get(),
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        }
    }

    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    /// Number of undirected pieces the network falls into.
    pub fn component_count(&self) -> usize {
        self.component
            .iter()
            .map(|&c| c as usize + 1)
            .max()
            .unwrap_or(0)
    }

    /// Snap `points` (a run's units) once, on the graph's threads, and keep
    /// the snaps for [`RoadGraph::snap_of`].
    pub fn remember_snaps(&mut self, points: &[(f64, f64)]) {
        let threads = self.threads().max(1);
        let size = points.len().div_ceil(threads).max(1);
        let g = &*self;
        // Snapped in the order of a space-filling curve: neighbouring
        // queries walk the same branches of the index (in cache), whatever
        // the order of the file.
        let order = curve_order(points);
        let found: Vec<Option<Snap>> = std::thread::scope(|sc| {
            let handles: Vec<_> = order
                .chunks(size)
                .map(|chunk| {
                    sc.spawn(move || {
                        chunk
                            .iter()
                            .map(|&i| {
                                let (lon, lat) = points[i as usize];
                                g.snap(lon, lat)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("snap thread"))
                .collect()
        });
        let mut snaps: Vec<((f64, f64), Option<Snap>)> =
            points.iter().map(|&p| (p, None)).collect();
        for (&i, s) in order.iter().zip(found) {
            snaps[i as usize].1 = s;
        }
        *self.remembered.get_mut().unwrap_or_else(|e| e.into_inner()) = snaps;
    }

    /// Let go of the remembered snaps (once every level's travel is
    /// known); [`RoadGraph::snap_of`] snaps afresh after, alike.
    pub fn forget_snaps(&self) {
        let mut r = self.remembered.write().unwrap_or_else(|e| e.into_inner());
        *r = Vec::new();
    }

    /// The snap of point `i` of those remembered, when it is the same point;
    /// otherwise snapped now. Either way the same as [`RoadGraph::snap`].
    pub fn snap_of(&self, i: usize, lon: f64, lat: f64) -> Option<Snap> {
        let remembered = self.remembered.read().unwrap_or_else(|e| e.into_inner());
        match remembered.get(i) {
            Some(&((x, y), s)) if x.to_bits() == lon.to_bits() && y.to_bits() == lat.to_bits() => s,
            _ => self.snap(lon, lat),
        }
    }

    /// Snap a point to the nearest piece of road (ties: the first piece).
    pub fn snap(&self, lon: f64, lat: f64) -> Option<Snap> {
        let p = self.projection.xy(lon, lat);
        let mut it = self.piece_index.nearest_neighbor_iter_with_distance_2(&p);
        let (first, d0) = it.next()?;
        let mut best = first.data;
        for (g, d) in it {
            if d > d0 {
                break;
            }
            best = best.min(g.data);
        }
        let (a, b) = self.pieces[best];
        let (pa, pb) = (
            self.projection.xy(self.graph[a].0, self.graph[a].1),
            self.projection.xy(self.graph[b].0, self.graph[b].1),
        );
        let (dx, dy) = (pb[0] - pa[0], pb[1] - pa[1]);
        let len2 = dx * dx + dy * dy;
        let f = if len2 > 0.0 {
            (((p[0] - pa[0]) * dx + (p[1] - pa[1]) * dy) / len2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let (slon, slat) = self.projection.lonlat([pa[0] + f * dx, pa[1] + f * dy]);
        let e_ab = self
            .graph
            .find_edge(a, b)
            .map(|e| self.graph[e])
            .expect("piece edge");
        let e_ba = self
            .graph
            .find_edge(b, a)
            .map(|e| self.graph[e])
            .expect("piece edge");
        Some(Snap {
            a,
            b,
            f,
            metres: e_ab.metres,
            drive_s: e_ab.drive_s,
            forward: e_ab.drive,
            backward: e_ba.drive,
            access_m: haversine_m(lon, lat, slon, slat),
        })
    }
}

/// Point indices in the order of a Z-order (Morton) curve over their
/// bounding box, 2^16 cells a side; ties by index.
fn curve_order(points: &[(f64, f64)]) -> Vec<u32> {
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for &(x, y) in points {
        if x.is_finite() && y.is_finite() {
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
        }
    }
    let cell = |v: f64, lo: f64, hi: f64| -> u64 {
        if hi > lo && v.is_finite() {
            (((v - lo) / (hi - lo)) * 65535.0).clamp(0.0, 65535.0) as u64
        } else {
            0
        }
    };
    // Bits of x and y interleaved.
    let spread = |mut v: u64| {
        v = (v | (v << 8)) & 0x00FF_00FF;
        v = (v | (v << 4)) & 0x0F0F_0F0F;
        v = (v | (v << 2)) & 0x3333_3333;
        (v | (v << 1)) & 0x5555_5555
    };
    let mut keyed: Vec<(u64, u32)> = points
        .iter()
        .enumerate()
        .map(|(i, &(x, y))| {
            let k = spread(cell(x, x0, x1)) | (spread(cell(y, y0, y1)) << 1);
            (k, i as u32)
        })
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// Undirected connected components, numbered in node order.
fn components(g: &DiGraph<(f64, f64), RoadEdge>) -> Vec<u32> {
    let n = g.node_count();
    let mut comp = vec![u32::MAX; n];
    let mut next = 0u32;
    let mut stack = Vec::new();
    for s in 0..n {
        if comp[s] != u32::MAX {
            continue;
        }
        comp[s] = next;
        stack.push(NodeIndex::new(s));
        while let Some(v) = stack.pop() {
            for e in g.edges(v) {
                let w = e.target().index();
                if comp[w] == u32::MAX {
                    comp[w] = next;
                    stack.push(e.target());
                }
            }
        }
        next += 1;
    }
    comp
}

/// Travel cost of an edge or leg in the unit the search minimises.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Metric {
    Metres,
    Seconds,
}

/// Cost and metres of a route (both kept: the search minimises one, the
/// outputs report metres).
#[derive(Copy, Clone, Debug, Default, PartialEq)]
pub struct Route {
    pub cost: f64,
    pub metres: f64,
    /// Travel time: walking at [`WALK_KMH`], or driving by road speeds.
    pub seconds: f64,
}

fn walk_s(m: f64) -> f64 {
    m / (WALK_KMH / 3.6)
}

/// Seconds of a leg of `m` metres in `mode`.
fn secs(mode: Mode, m: f64, drive_s: f64) -> f64 {
    match mode {
        Mode::Walk => walk_s(m),
        Mode::Drive => drive_s,
    }
}

/// Cost of a leg of `m` metres taking `drive_s` seconds by car.
fn leg(metric: Metric, mode: Mode, m: f64, drive_s: f64) -> f64 {
    match (metric, mode) {
        (Metric::Metres, _) => m,
        (Metric::Seconds, Mode::Walk) => walk_s(m),
        (Metric::Seconds, Mode::Drive) => drive_s,
    }
}

/// Shortest routes *to* a school from every node within `bound` (cost
/// units), over edges usable in `mode` (searching the reverse direction so
/// one-way streets are followed the way a family travels to school).
/// Returns (node, route) for every node reached, in settling order.
pub fn routes_to(
    g: &RoadGraph,
    school: &Snap,
    mode: Mode,
    metric: Metric,
    bound: f64,
) -> Vec<(NodeIndex, Route)> {
    routes_to_in(g, &g.incoming(), school, mode, metric, bound)
}

/// [`routes_to`] with the graph's incoming edges made once for many
/// searches.
pub fn routes_to_in(
    g: &RoadGraph,
    incoming: &Incoming,
    school: &Snap,
    mode: Mode,
    metric: Metric,
    bound: f64,
) -> Vec<(NodeIndex, Route)> {
    type Key = (OrdF64, OrdF64, OrdF64);
    // Per node: the best key pushed so far, and whether it is settled, in
    // a per-thread map reset in O(1) (a hash map per search cost more than
    // the search). A push no better than one already made for its node
    // never pops first, so skipping it changes nothing.
    thread_local! {
        static BEST: std::cell::RefCell<NodeMap<(Key, bool)>> =
            std::cell::RefCell::new(NodeMap::new(0));
    }
    BEST.with(|best| {
        let mut best = best.borrow_mut();
        if best.len() != g.node_count() {
            *best = NodeMap::new(g.node_count());
        }
        best.clear();
        let mut heap: BinaryHeap<Reverse<(Key, NodeIndex)>> = BinaryHeap::new();
        let push = |best: &mut NodeMap<(Key, bool)>,
                    heap: &mut BinaryHeap<Reverse<(Key, NodeIndex)>>,
                    key: Key,
                    v: NodeIndex| {
            match best.get(v.index()) {
                Some((k, done)) if done || k <= key => {}
                _ => {
                    best.set(v.index(), (key, false));
                    heap.push(Reverse((key, v)));
                }
            }
        };
        let access = leg(metric, Mode::Walk, school.access_m, 0.0);
        // From the piece's ends to the school's snap point.
        let seeds = [
            (school.a, school.f, mode == Mode::Walk || school.forward),
            (
                school.b,
                1.0 - school.f,
                mode == Mode::Walk || school.backward,
            ),
        ];
        for (v, frac, ok) in seeds {
            if !ok {
                continue;
            }
            let m = frac * school.metres;
            let c = access + leg(metric, mode, m, frac * school.drive_s);
            let t = walk_s(school.access_m) + secs(mode, m, frac * school.drive_s);
            if c <= bound {
                push(
                    &mut best,
                    &mut heap,
                    (OrdF64(c), OrdF64(school.access_m + m), OrdF64(t)),
                    v,
                );
            }
        }
        let mut out = Vec::new();
        while let Some(Reverse(((OrdF64(c), OrdF64(m), OrdF64(t)), v))) = heap.pop() {
            match best.get(v.index()) {
                Some((_, true)) => continue,
                Some((k, false)) => best.set(v.index(), (k, true)),
                None => unreachable!("every pushed node has a key"),
            }
            let r = Route {
                cost: c,
                metres: m,
                seconds: t,
            };
            out.push((v, r));
            // Reverse search: an edge w -> v usable in `mode` leads from w here.
            for ed in incoming.of_node(v) {
                let w = NodeIndex::new(ed.source as usize);
                if mode == Mode::Drive && !ed.drive {
                    continue;
                }
                let nc = c + leg(metric, mode, ed.metres, ed.drive_s);
                if nc <= bound {
                    let nt = t + secs(mode, ed.metres, ed.drive_s);
                    push(
                        &mut best,
                        &mut heap,
                        (OrdF64(nc), OrdF64(m + ed.metres), OrdF64(nt)),
                        w,
                    );
                }
            }
        }
        out
    })
}

/// Values per road node for one search at a time, cleared in O(1) by a
/// generation stamp: a search on a large graph touches a small part of it,
/// and a hash map per search costs more than the search.
pub struct NodeMap<T> {
    stamp: Vec<u32>,
    val: Vec<T>,
    generation: u32,
}

impl<T: Copy + Default> NodeMap<T> {
    pub fn new(nodes: usize) -> NodeMap<T> {
        NodeMap {
            stamp: vec![0; nodes],
            val: vec![T::default(); nodes],
            generation: 1,
        }
    }

    pub fn len(&self) -> usize {
        self.stamp.len()
    }

    pub fn is_empty(&self) -> bool {
        self.stamp.is_empty()
    }

    /// Forget every value.
    pub fn clear(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamp.fill(0);
            self.generation = 1;
        }
    }

    pub fn get(&self, v: usize) -> Option<T> {
        (self.stamp[v] == self.generation).then(|| self.val[v])
    }

    pub fn set(&mut self, v: usize, x: T) {
        self.stamp[v] = self.generation;
        self.val[v] = x;
    }
}

/// The route from a unit snapped at `u` to a school, given the school's
/// routes at the nodes (`at`), and the direct way along a shared piece.
pub fn unit_route(
    u: &Snap,
    at: impl Fn(NodeIndex) -> Option<Route>,
    school: &Snap,
    mode: Mode,
    metric: Metric,
) -> Option<Route> {
    let access = leg(metric, Mode::Walk, u.access_m, 0.0);
    let mut best: Option<Route> = None;
    let mut consider = |r: Route| {
        if best.is_none_or(|b| (r.cost, r.metres) < (b.cost, b.metres)) {
            best = Some(r);
        }
    };
    // Leave the piece through b (moving a -> b) or through a (b -> a).
    let exits = [
        (u.b, 1.0 - u.f, mode == Mode::Walk || u.forward),
        (u.a, u.f, mode == Mode::Walk || u.backward),
    ];
    for (v, frac, ok) in exits {
        if let (true, Some(r)) = (ok, at(v)) {
            let m = frac * u.metres;
            consider(Route {
                cost: access + leg(metric, mode, m, frac * u.drive_s) + r.cost,
                metres: u.access_m + m + r.metres,
                seconds: walk_s(u.access_m) + secs(mode, m, frac * u.drive_s) + r.seconds,
            });
        }
    }
    // Both on the same piece: straight along it, if allowed that way.
    let same = (u.a == school.a && u.b == school.b) || (u.a == school.b && u.b == school.a);
    if same {
        let (fu, fs) = if u.a == school.a {
            (u.f, school.f)
        } else {
            (u.f, 1.0 - school.f)
        };
        let along = (fs - fu).abs();
        let dir_ok = mode == Mode::Walk || if fs >= fu { u.forward } else { u.backward };
        if dir_ok {
            let m = along * u.metres;
            let s_access = leg(metric, Mode::Walk, school.access_m, 0.0);
            consider(Route {
                cost: access + leg(metric, mode, m, along * u.drive_s) + s_access,
                metres: u.access_m + m + school.access_m,
                seconds: walk_s(u.access_m)
                    + secs(mode, m, along * u.drive_s)
                    + walk_s(school.access_m),
            });
        }
    }
    best
}

/// f64 with a total order, for the heap (costs are finite and >= 0).
#[derive(Copy, Clone, Debug, Default, PartialEq)]
struct OrdF64(f64);
impl Eq for OrdF64 {}
impl PartialOrd for OrdF64 {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for OrdF64 {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&o.0)
    }
}
