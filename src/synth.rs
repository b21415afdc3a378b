//! Deterministic synthetic transportation instances, for benchmarks and
//! scale studies. Pure: no I/O, no global state, no dependency beyond the
//! crate; the same arguments always give the same [`Transport`].
//!
//! The model is a planar stand-in for a rural county:
//!
//! * a square region of side `1 km x sqrt(units / 50)` (about 50 units per
//!   square kilometre);
//! * `max(1, schools / 3)` settlements, each a Gaussian cluster with a
//!   log-normal size (a few towns, many villages) and a spread growing with
//!   the square root of its size;
//! * units drawn into clusters in proportion to their size, each with
//!   1..=6 students;
//! * schools shared out over clusters in proportion to size (at least one
//!   each, so bigger settlements have more schools), placed near the centre;
//! * seats: each school's natural demand (the students for whom it is the
//!   nearest school) plus a small floor, times a log-normal skew (some
//!   schools scarce, some roomy), scaled so that total seats are
//!   `round(1.02 x total students)` exactly. Capacity then binds at many
//!   schools while nearly everyone can be placed;
//! * each unit gets arcs to its `candidates` nearest schools (all schools if
//!   fewer), costing the Euclidean distance in metres rounded to whole
//!   millimetres.
//!
//! The pseudo-random stream is a SplitMix64 written here, so the generator
//! needs no `rand` at run time and its output never changes with a crate
//! upgrade.

use crate::assign::Transport;

/// Metres of region side per `sqrt(units)`: 1 km per sqrt(50) units.
const SIDE_PER_SQRT_UNIT_M: f64 = 1000.0 / 7.071_067_811_865_475;
/// Total seats over total students.
const SEAT_RATIO: f64 = 1.02;
/// Standard deviation of the log of a cluster's size.
const CLUSTER_SIZE_LOG_SD: f64 = 1.0;
/// Standard deviation of the log of a school's seat skew.
const SEAT_SKEW_LOG_SD: f64 = 0.35;

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and good enough for
/// synthetic geography.
#[derive(Clone, Debug)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1), 53 bits.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in `lo..=hi` (bias below 2^-50, irrelevant here).
    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + (self.unit() * (hi - lo + 1) as f64) as u32
    }

    /// Standard normal (Box-Muller, one value per call).
    fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.unit(); // (0, 1]: ln is finite
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

/// Side of the square region, metres, for `units` units.
pub fn region_side_m(units: usize) -> f64 {
    SIDE_PER_SQRT_UNIT_M * (units.max(1) as f64).sqrt()
}

/// A clustered synthetic instance: `units` units, `schools` schools, arcs to
/// the `candidates` nearest schools of each unit; see the module docs for
/// the model. Deterministic in all four arguments.
///
/// Every unit has at least one student and (if `schools > 0` and
/// `candidates > 0`) at least one arc.
pub fn clustered(units: usize, schools: usize, candidates: usize, seed: u64) -> Transport {
    let mut rng = SplitMix64(seed ^ 0x6361_7463_686D_656E); // "catchmen"
    let side = region_side_m(units);
    let clamp = |v: f64| v.clamp(0.0, side);

    // Settlements: centre, size weight, spread.
    let n_clusters = (schools / 3).max(1);
    let centre: Vec<(f64, f64)> = (0..n_clusters)
        .map(|_| (side * rng.unit(), side * rng.unit()))
        .collect();
    let weight: Vec<f64> = (0..n_clusters)
        .map(|_| (CLUSTER_SIZE_LOG_SD * rng.normal()).exp())
        .collect();
    let total_weight: f64 = weight.iter().sum();
    let mean_weight = total_weight / n_clusters as f64;
    let base_sd = 0.15 * side / (n_clusters as f64).sqrt();
    let spread: Vec<f64> = weight
        .iter()
        .map(|w| base_sd * (w / mean_weight).sqrt())
        .collect();
    let mut cumulative = Vec::with_capacity(n_clusters);
    let mut acc = 0.0;
    for w in &weight {
        acc += w / total_weight;
        cumulative.push(acc);
    }

    // Schools per cluster: one each, the rest by largest remainder on size.
    let per_cluster = apportion(schools, &weight, if schools >= n_clusters { 1 } else { 0 });
    let mut school_xy: Vec<(f64, f64)> = Vec::with_capacity(schools);
    for (c, &n) in per_cluster.iter().enumerate() {
        for _ in 0..n {
            let (cx, cy) = centre[c];
            let sd = 0.6 * spread[c];
            school_xy.push((clamp(cx + sd * rng.normal()), clamp(cy + sd * rng.normal())));
        }
    }

    // Units, their students and their nearest schools.
    let k = candidates.min(schools);
    let mut t = Transport::new(vec![0; schools]);
    let mut natural = vec![0u64; schools];
    let mut total_students = 0u64;
    let mut d2: Vec<(f64, u32)> = Vec::with_capacity(schools);
    let mut arcs: Vec<(u32, i64)> = Vec::with_capacity(k);
    for _ in 0..units {
        let r = rng.unit();
        let c = cumulative.partition_point(|&p| p <= r).min(n_clusters - 1);
        let (cx, cy) = centre[c];
        let x = clamp(cx + spread[c] * rng.normal());
        let y = clamp(cy + spread[c] * rng.normal());
        let supply = rng.range(1, 6);
        total_students += supply as u64;

        arcs.clear();
        if k > 0 {
            d2.clear();
            d2.extend(school_xy.iter().enumerate().map(|(j, &(sx, sy))| {
                let (dx, dy) = (sx - x, sy - y);
                (dx * dx + dy * dy, j as u32)
            }));
            let by_distance =
                |a: &(f64, u32), b: &(f64, u32)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
            if k < d2.len() {
                d2.select_nth_unstable_by(k - 1, by_distance);
                d2.truncate(k);
            }
            d2.sort_unstable_by(by_distance);
            natural[d2[0].1 as usize] += supply as u64;
            arcs.extend(
                d2.iter()
                    .map(|&(dd, j)| (j, (dd.sqrt() * 1000.0).round() as i64)),
            );
        }
        t.push_unit(supply, &mut arcs);
    }

    // Seats: natural demand plus a floor, skewed, scaled to the seat ratio.
    if schools > 0 {
        let floor = 0.1 * total_students as f64 / schools as f64;
        let raw: Vec<f64> = natural
            .iter()
            .map(|&d| (d as f64 + floor) * (SEAT_SKEW_LOG_SD * rng.normal()).exp())
            .collect();
        let seats = (SEAT_RATIO * total_students as f64).round() as usize;
        t.capacity = apportion(seats, &raw, 0)
            .into_iter()
            .map(|s| u32::try_from(s).expect("seats fit in u32"))
            .collect();
    }
    t
}

/// Share `total` out in proportion to `weight`, each getting at least
/// `min_each`, by largest remainder (ties to the lower index). Sums to
/// `total` exactly when `total >= min_each * weight.len()`.
fn apportion(total: usize, weight: &[f64], min_each: usize) -> Vec<usize> {
    let n = weight.len();
    let mut out = vec![min_each; n];
    let rest = total.saturating_sub(min_each * n);
    let sum: f64 = weight.iter().sum();
    if n == 0 || rest == 0 || sum <= 0.0 {
        return out;
    }
    let mut frac: Vec<(f64, usize)> = Vec::with_capacity(n);
    let mut given = 0;
    for (j, w) in weight.iter().enumerate() {
        let q = rest as f64 * w / sum;
        let whole = q.floor() as usize;
        out[j] += whole;
        given += whole;
        frac.push((q - whole as f64, j));
    }
    frac.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, j) in frac.iter().cycle().take(rest.saturating_sub(given)) {
        out[j] += 1;
    }
    out
}

// Synthetic road networks, for road-travel benchmarks and scale studies.

/// Centre of the synthetic road region (lon, lat): a county seat's latitude
/// in the loess hills, so the projection is like the real data's.
const ROAD_CENTRE: (f64, f64) = (111.8, 38.9);
/// Every this-many-th grid row and column is an arterial (`secondary`).
const ARTERIAL_EVERY: usize = 8;
/// Block sides are uniform in this range, metres.
const BLOCK_M: (f64, f64) = (100.0, 200.0);
/// Each grid vertex moves up to this far in x and y, metres.
const VERTEX_JITTER_M: f64 = 12.0;
/// Chance that a residential block side has no street.
const MISSING_STREET_P: f64 = 0.06;
/// Share of the grid's vertices inside holes (fields, parks, water), where
/// only arterials pass.
const HOLE_SHARE: f64 = 0.04;
/// Holes are 2..=7 grid vertices a side.
const HOLE_SIDE: (u32, u32) = (2, 7);
/// Chance that a block has a cul-de-sac: a dead-end lane of 1..=2 segments
/// from one of its corners into it.
const CUL_DE_SAC_P: f64 = 0.05;
/// Lines run over 2..=6 consecutive block sides.
const LINE_SEGMENTS: (u32, u32) = (2, 6);
/// Chance that an arterial line is one-way.
const ONEWAY_P: f64 = 0.08;
/// One un-noded T-junction per this many vertices (at least one).
const UNNODED_PER_VERTICES: usize = 1000;

/// A synthetic road network of about `nodes` graph vertices (within a few
/// per cent) around (111.8, 38.9). Deterministic in both arguments.
///
/// * A grid of streets with blocks of 100..200 m a side (rows and columns
///   of random spacing) and every vertex jittered by up to 12 m, so no two
///   streets are quite straight or parallel.
/// * Every 8th row and column is an arterial (`secondary`, unbroken); the
///   others are `residential`. About one arterial line in twelve is one-way
///   (`Forward` or `Backward`).
/// * 6% of residential block sides are missing (T-junctions), about 4% of
///   the vertices lie in rectangular holes crossed only by arterials, and
///   one block in twenty has a cul-de-sac (a dead-end lane of one or two
///   segments from a corner into the block), so the graph is not a perfect
///   grid; more than 95% of it is one connected piece.
/// * Each line runs over 2..=6 consecutive block sides, so lines share
///   their end vertices with the next line and their interior vertices with
///   the crossing streets.
/// * About one T-junction per 1,000 vertices is left un-noded as in real
///   GIS layers: the through street has no vertex there, and the side
///   street stops 0.1..0.4 m short of it (within
///   [`NODE_TOLERANCE_M`](crate::spatial::network::NODE_TOLERANCE_M), so
///   [`RoadGraph::build`](crate::spatial::network::RoadGraph::build) joins
///   it).
pub fn road_grid(nodes: usize, seed: u64) -> Vec<crate::model::RoadLine> {
    if nodes == 0 {
        return Vec::new();
    }
    let mut rng = SplitMix64(seed ^ 0x726F_6164_6772_6964); // "roadgrid"
    // Each step draws from the one stream in turn: their order is part of
    // the output.
    let mut grid = StreetGrid::new(&mut rng, nodes);
    grid.cut_holes(&mut rng);
    let mut drafts = grid.street_lines(&mut rng);
    grid.add_culs_de_sac(&mut rng, &mut drafts);
    let unnoded = unnoded_junctions(&mut rng, &grid.pos, &drafts, nodes);
    grid.road_lines(&drafts, unnoded)
}

/// The street grid being drawn: `w` x `h` vertices (row-major), their
/// positions in metres, and which block sides have a street.
struct StreetGrid {
    w: usize,
    h: usize,
    /// Column and row offsets, metres (before jitter).
    xs: Vec<f64>,
    ys: Vec<f64>,
    /// Vertex positions, metres; culs-de-sac append theirs.
    pos: Vec<[f64; 2]>,
    /// Horizontal block sides (r, c)-(r, c+1), at `r * (w - 1) + c`.
    hor: Vec<bool>,
    /// Vertical block sides (r, c)-(r+1, c), at `r * w + c`.
    ver: Vec<bool>,
}

/// A road line before it is placed: its vertices and kind.
struct Draft {
    ids: Vec<usize>,
    secondary: bool,
    oneway: crate::model::Oneway,
}

/// Un-noded T-junctions to make: the through street's vertex dropped
/// (line, index), and the side street's end moved short of it (line, first
/// end?, position in metres).
struct Unnoded {
    drop_vertex: Vec<(usize, usize)>,
    moved_end: Vec<(usize, bool, [f64; 2])>,
}

/// Every `ARTERIAL_EVERY`-th row and column is an arterial.
fn arterial(i: usize) -> bool {
    i.is_multiple_of(ARTERIAL_EVERY)
}

impl StreetGrid {
    /// A grid sized for about `nodes` vertices, jittered, with the block
    /// sides of missing residential streets taken out.
    fn new(rng: &mut SplitMix64, nodes: usize) -> StreetGrid {
        // Grid size: holes drop their residential-only vertices, culs-de-sac
        // add 1.5 vertices each.
        let arterial_share = 1.0 - (1.0 - 1.0 / ARTERIAL_EVERY as f64).powi(2);
        let kept = 1.0 - HOLE_SHARE * (1.0 - arterial_share) + 1.5 * CUL_DE_SAC_P;
        let grid = nodes as f64 / kept;
        let w = (grid.sqrt().round() as usize).max(2);
        let h = ((grid / w as f64).round() as usize).max(2);

        // Vertex positions, metres.
        let mut spacing = |n: usize| -> Vec<f64> {
            let mut acc = 0.0;
            (0..n)
                .map(|i| {
                    if i > 0 {
                        acc += BLOCK_M.0 + (BLOCK_M.1 - BLOCK_M.0) * rng.unit();
                    }
                    acc
                })
                .collect()
        };
        let xs = spacing(w);
        let ys = spacing(h);
        let pos: Vec<[f64; 2]> = (0..h * w)
            .map(|k| {
                let (r, c) = (k / w, k % w);
                [
                    xs[c] + VERTEX_JITTER_M * (2.0 * rng.unit() - 1.0),
                    ys[r] + VERTEX_JITTER_M * (2.0 * rng.unit() - 1.0),
                ]
            })
            .collect();
        let hor: Vec<bool> = (0..h * (w - 1))
            .map(|k| arterial(k / (w - 1)) || rng.unit() >= MISSING_STREET_P)
            .collect();
        let ver: Vec<bool> = (0..(h - 1) * w)
            .map(|k| arterial(k % w) || rng.unit() >= MISSING_STREET_P)
            .collect();
        StreetGrid {
            w,
            h,
            xs,
            ys,
            pos,
            hor,
            ver,
        }
    }

    fn at(&self, r: usize, c: usize) -> usize {
        r * self.w + c
    }

    /// Holes (fields, parks, water): rectangles where only arterials pass.
    fn cut_holes(&mut self, rng: &mut SplitMix64) {
        let (w, h) = (self.w, self.h);
        let mean_side = (HOLE_SIDE.0 + HOLE_SIDE.1) as f64 / 2.0;
        let holes = (HOLE_SHARE * (w * h) as f64 / (mean_side * mean_side)).round() as usize;
        for _ in 0..holes {
            let hw = rng.range(HOLE_SIDE.0, HOLE_SIDE.1) as usize;
            let hh = rng.range(HOLE_SIDE.0, HOLE_SIDE.1) as usize;
            let c0 = rng.range(0, (w.saturating_sub(hw)) as u32) as usize;
            let r0 = rng.range(0, (h.saturating_sub(hh)) as u32) as usize;
            for r in r0..(r0 + hh).min(h) {
                for c in c0..(c0 + hw).min(w) {
                    if !arterial(r) {
                        if c > 0 {
                            self.hor[r * (w - 1) + c - 1] = false;
                        }
                        if c + 1 < w {
                            self.hor[r * (w - 1) + c] = false;
                        }
                    }
                    if !arterial(c) {
                        if r > 0 {
                            self.ver[(r - 1) * w + c] = false;
                        }
                        if r + 1 < h {
                            self.ver[r * w + c] = false;
                        }
                    }
                }
            }
        }
    }

    /// Lines: runs of present block sides along every row, then every
    /// column, cut into pieces of a few sides.
    fn street_lines(&self, rng: &mut SplitMix64) -> Vec<Draft> {
        let (w, h) = (self.w, self.h);
        let mut drafts: Vec<Draft> = Vec::new();
        for r in 0..h {
            let present = |c: usize| self.hor[r * (w - 1) + c];
            let vertex = |c: usize| self.at(r, c);
            lines_along(rng, &present, &vertex, w - 1, arterial(r), &mut drafts);
        }
        for c in 0..w {
            let present = |r: usize| self.ver[r * w + c];
            let vertex = |r: usize| self.at(r, c);
            lines_along(rng, &present, &vertex, h - 1, arterial(c), &mut drafts);
        }
        drafts
    }

    /// Culs-de-sac: from a corner in use towards the block's centre, ending
    /// a third to two thirds of the way.
    fn add_culs_de_sac(&mut self, rng: &mut SplitMix64, drafts: &mut Vec<Draft>) {
        let (w, h) = (self.w, self.h);
        for r in 0..h - 1 {
            for c in 0..w - 1 {
                if rng.unit() >= CUL_DE_SAC_P {
                    continue;
                }
                let corners = [
                    self.at(r, c),
                    self.at(r, c + 1),
                    self.at(r + 1, c),
                    self.at(r + 1, c + 1),
                ];
                let from = corners[rng.range(0, 3) as usize];
                if !self.in_use(from) {
                    continue;
                }
                let pos = &mut self.pos;
                let centre = corners.iter().fold([0.0, 0.0], |a, &v| {
                    [a[0] + pos[v][0] / 4.0, a[1] + pos[v][1] / 4.0]
                });
                let p0 = pos[from];
                let (dx, dy) = (centre[0] - p0[0], centre[1] - p0[1]);
                let reach = 0.35 + 0.3 * rng.unit();
                let mut ids = vec![from];
                let segments = rng.range(1, 2);
                for s in 1..=segments {
                    let f = reach * s as f64 / segments as f64;
                    let bend = if s < segments {
                        0.1 * (2.0 * rng.unit() - 1.0)
                    } else {
                        0.0
                    };
                    ids.push(pos.len());
                    pos.push([p0[0] + f * dx - bend * dy, p0[1] + f * dy + bend * dx]);
                }
                drafts.push(Draft {
                    ids,
                    secondary: false,
                    oneway: crate::model::Oneway::No,
                });
            }
        }
    }

    /// Whether grid vertex `v` has a street.
    fn in_use(&self, v: usize) -> bool {
        let (w, h) = (self.w, self.h);
        let (fr, fc) = (v / w, v % w);
        (fc > 0 && self.hor[fr * (w - 1) + fc - 1])
            || (fc + 1 < w && self.hor[fr * (w - 1) + fc])
            || (fr > 0 && self.ver[(fr - 1) * w + fc])
            || (fr + 1 < h && self.ver[fr * w + fc])
    }

    /// The drafts as road lines in lon/lat about the centre, with the
    /// un-noded junctions made.
    fn road_lines(&self, drafts: &[Draft], unnoded: Unnoded) -> Vec<crate::model::RoadLine> {
        use crate::model::RoadLine;
        use crate::spatial::EARTH_RADIUS_M;
        let k0 = ROAD_CENTRE.1.to_radians().cos();
        let (cx, cy) = (self.xs[self.w - 1] / 2.0, self.ys[self.h - 1] / 2.0);
        let lonlat = |p: [f64; 2]| {
            (
                ROAD_CENTRE.0 + ((p[0] - cx) / (EARTH_RADIUS_M * k0)).to_degrees(),
                ROAD_CENTRE.1 + ((p[1] - cy) / EARTH_RADIUS_M).to_degrees(),
            )
        };
        let mut lines: Vec<RoadLine> = drafts
            .iter()
            .enumerate()
            .map(|(i, d)| RoadLine {
                id: format!("synth-{i}"),
                coords: d.ids.iter().map(|&v| lonlat(self.pos[v])).collect(),
                highway: Some(
                    if d.secondary {
                        "secondary"
                    } else {
                        "residential"
                    }
                    .to_string(),
                ),
                speed_kmh: None,
                oneway: d.oneway,
            })
            .collect();
        for (l, k) in unnoded.drop_vertex {
            lines[l].coords.remove(k);
        }
        for (l, first, p) in unnoded.moved_end {
            let c = &mut lines[l].coords;
            let k = if first { 0 } else { c.len() - 1 };
            c[k] = lonlat(p);
        }
        lines
    }
}

/// The lines along one row or column of `len` block sides: each run of
/// present sides (`present(i)`: side i, between vertices `vertex(i)` and
/// `vertex(i + 1)`) cut into lines of a few sides; about one arterial line
/// in twelve one-way.
fn lines_along(
    rng: &mut SplitMix64,
    present: &dyn Fn(usize) -> bool,
    vertex: &dyn Fn(usize) -> usize,
    len: usize,
    secondary: bool,
    drafts: &mut Vec<Draft>,
) {
    use crate::model::Oneway;
    let mut i = 0;
    while i < len {
        if !present(i) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < len && present(j) {
            j += 1;
        }
        // Sides i..j are present: vertices i..=j.
        let mut a = i;
        while a < j {
            let b = (a + rng.range(LINE_SEGMENTS.0, LINE_SEGMENTS.1) as usize).min(j);
            let oneway = if secondary && rng.unit() < ONEWAY_P {
                if rng.unit() < 0.5 {
                    Oneway::Forward
                } else {
                    Oneway::Backward
                }
            } else {
                Oneway::No
            };
            drafts.push(Draft {
                ids: (a..=b).map(vertex).collect(),
                secondary,
                oneway,
            });
            a = b;
        }
        i = j;
    }
}

/// Un-noded T-junctions: a vertex inside exactly one line (the through
/// street) and at one end of exactly one other (the side street), about
/// one per `UNNODED_PER_VERTICES` of the `nodes` asked for, each line in
/// at most one.
fn unnoded_junctions(
    rng: &mut SplitMix64,
    pos: &[[f64; 2]],
    drafts: &[Draft],
    nodes: usize,
) -> Unnoded {
    let mut inside: Vec<u32> = vec![0; pos.len()];
    let mut inside_of: Vec<(u32, u32)> = vec![(u32::MAX, 0); pos.len()];
    let mut end_of: Vec<Vec<(u32, bool)>> = vec![Vec::new(); pos.len()];
    for (li, d) in drafts.iter().enumerate() {
        for (k, &v) in d.ids.iter().enumerate() {
            if k == 0 || k + 1 == d.ids.len() {
                end_of[v].push((li as u32, k == 0));
            } else {
                inside[v] += 1;
                inside_of[v] = (li as u32, k as u32);
            }
        }
    }
    let candidates: Vec<usize> = (0..pos.len())
        .filter(|&v| inside[v] == 1 && end_of[v].len() == 1)
        .collect();
    let target = (nodes / UNNODED_PER_VERTICES).max(1);
    let p = (target as f64 / candidates.len().max(1) as f64).min(1.0);
    let mut touched = vec![false; drafts.len()];
    let mut out = Unnoded {
        drop_vertex: Vec::new(),
        moved_end: Vec::new(),
    };
    for v in candidates {
        if rng.unit() >= p {
            continue;
        }
        let (tl, k) = (inside_of[v].0 as usize, inside_of[v].1 as usize);
        let (sl, first) = (end_of[v][0].0 as usize, end_of[v][0].1);
        if touched[tl] || touched[sl] {
            continue;
        }
        touched[tl] = true;
        touched[sl] = true;
        let (pa, pb) = (pos[drafts[tl].ids[k - 1]], pos[drafts[tl].ids[k + 1]]);
        let s = &drafts[sl].ids;
        let other = pos[if first { s[1] } else { s[s.len() - 2] }];
        let (dx, dy) = (pb[0] - pa[0], pb[1] - pa[1]);
        let t = (((pos[v][0] - pa[0]) * dx + (pos[v][1] - pa[1]) * dy) / (dx * dx + dy * dy))
            .clamp(0.0, 1.0);
        let q = [pa[0] + t * dx, pa[1] + t * dy];
        let (ox, oy) = (other[0] - q[0], other[1] - q[1]);
        let olen = (ox * ox + oy * oy).sqrt();
        let short = 0.1 + 0.3 * rng.unit();
        out.drop_vertex.push((tl, k));
        out.moved_end.push((
            sl,
            first,
            [q[0] + short * ox / olen, q[1] + short * oy / olen],
        ));
    }
    out
}

/// `n` points within 50 m of the roads (units, schools): each at a uniform
/// position along the network's total length, moved up to 50 m square to the
/// road on either side. Deterministic in all arguments; empty if there are
/// no roads.
pub fn points_near_roads(lines: &[crate::model::RoadLine], n: usize, seed: u64) -> Vec<(f64, f64)> {
    use crate::spatial::network::Projection;

    let vertices: usize = lines.iter().map(|l| l.coords.len()).sum();
    if vertices == 0 {
        return Vec::new();
    }
    let lat0 = lines
        .iter()
        .flat_map(|l| l.coords.iter().map(|c| c.1))
        .sum::<f64>()
        / vertices as f64;
    let proj = Projection::new(lat0);
    let mut segs: Vec<([f64; 2], [f64; 2])> = Vec::with_capacity(vertices);
    let mut until: Vec<f64> = Vec::with_capacity(vertices);
    let mut total = 0.0;
    for l in lines {
        for w in l.coords.windows(2) {
            let (a, b) = (proj.xy(w[0].0, w[0].1), proj.xy(w[1].0, w[1].1));
            let len = ((b[0] - a[0]).powi(2) + (b[1] - a[1]).powi(2)).sqrt();
            if len > 0.0 {
                total += len;
                segs.push((a, b));
                until.push(total);
            }
        }
    }
    if segs.is_empty() {
        return Vec::new();
    }
    let mut rng = SplitMix64(seed ^ 0x6E65_6172_726F_6164); // "nearroad"
    (0..n)
        .map(|_| {
            let s = total * rng.unit();
            let i = until.partition_point(|&u| u <= s).min(segs.len() - 1);
            let (a, b) = segs[i];
            let len = until[i] - if i > 0 { until[i - 1] } else { 0.0 };
            let t = ((s - (until[i] - len)) / len).clamp(0.0, 1.0);
            let off = 50.0 * (2.0 * rng.unit() - 1.0);
            let (ux, uy) = ((b[0] - a[0]) / len, (b[1] - a[1]) / len);
            proj.lonlat([
                a[0] + t * (b[0] - a[0]) - off * uy,
                a[1] + t * (b[1] - a[1]) + off * ux,
            ])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn students(t: &Transport) -> u64 {
        t.supply.iter().map(|&s| s as u64).sum()
    }

    #[test]
    fn same_seed_same_instance() {
        let a = clustered(3_000, 30, 8, 7);
        let b = clustered(3_000, 30, 8, 7);
        assert_eq!(a, b);
        let c = clustered(3_000, 30, 8, 8);
        assert_ne!(a, c);
    }

    #[test]
    fn sizes() {
        let t = clustered(2_000, 20, 8, 1);
        assert_eq!(t.units(), 2_000);
        assert_eq!(t.schools(), 20);
        assert_eq!(t.arc_start.len(), 2_001);
        assert_eq!(t.arc_school.len(), 2_000 * 8);
        assert_eq!(t.arc_mm.len(), t.arc_school.len());
        assert!(t.supply.iter().all(|&s| (1..=6).contains(&s)));
        for i in 0..t.units() {
            let r = t.arcs(i);
            assert_eq!(r.len(), 8);
            assert!(t.arc_mm[r.clone()].windows(2).all(|w| w[0] <= w[1]));
            assert!(t.arc_mm[r].iter().all(|&mm| mm >= 0));
        }
        // Fewer schools than candidates: every school is a candidate.
        let small = clustered(100, 5, 8, 1);
        assert!((0..100).all(|i| small.arcs(i).len() == 5));
        // Degenerate sizes do not panic.
        assert_eq!(clustered(0, 3, 8, 1).units(), 0);
        let none = clustered(10, 0, 8, 1);
        assert!(none.arc_school.is_empty() && none.capacity.is_empty());
    }

    #[test]
    fn seats_track_students() {
        for (units, schools, seed) in [(2_000, 20, 1), (20_000, 60, 2), (5_000, 7, 3)] {
            let t = clustered(units, schools, 8, seed);
            let s = students(&t);
            let seats: u64 = t.capacity.iter().map(|&c| c as u64).sum();
            assert_eq!(seats, (1.02 * s as f64).round() as u64);
            // Skewed: some schools well below, some well above the mean.
            let mean = seats as f64 / schools as f64;
            assert!(t.capacity.iter().any(|&c| (c as f64) < 0.8 * mean));
            assert!(t.capacity.iter().any(|&c| (c as f64) > 1.2 * mean));
        }
    }

    #[test]
    fn capacity_binds_and_certifies() {
        let t = clustered(2_000, 20, 8, 5);
        let solved = crate::assign::ssp::solve(&t);
        crate::assign::certify(&t, &solved.flow, &solved.price).expect("optimal");
        assert!(solved.rounds > 0);
        let loads = solved.flow.loads(&t);
        let full = (0..t.schools())
            .filter(|&j| loads[j] == t.capacity[j] as u64)
            .count();
        assert!(full >= 3, "only {full} full schools");
    }

    #[test]
    fn apportion_is_exact() {
        assert_eq!(apportion(10, &[1.0, 1.0, 1.0], 0), vec![4, 3, 3]);
        assert_eq!(apportion(10, &[0.0, 1.0, 3.0], 1), vec![1, 3, 6]);
        assert_eq!(apportion(2, &[1.0, 1.0, 1.0], 1), vec![1, 1, 1]);
        let w = [0.3, 2.5, 1.1, 0.01, 7.0];
        assert_eq!(apportion(12_345, &w, 0).iter().sum::<usize>(), 12_345);
    }
}

#[cfg(test)]
mod road_tests {
    use super::*;
    use crate::spatial::network::RoadGraph;

    #[test]
    fn road_grid_is_deterministic() {
        let a = road_grid(5_000, 3);
        assert_eq!(a, road_grid(5_000, 3));
        assert_ne!(a, road_grid(5_000, 4));
        let p = points_near_roads(&a, 500, 9);
        assert_eq!(p.len(), 500);
        assert_eq!(p, points_near_roads(&a, 500, 9));
        assert_ne!(p, points_near_roads(&a, 500, 10));
        assert!(road_grid(0, 1).is_empty());
        assert!(points_near_roads(&[], 10, 1).is_empty());
    }

    #[test]
    fn road_grid_size_and_shape() {
        for (nodes, seed) in [(1_000, 1), (10_000, 2), (60_000, 3)] {
            let lines = road_grid(nodes, seed);
            let g = RoadGraph::build(&lines);
            let n = g.node_count();
            assert!(
                (n as f64 - nodes as f64).abs() <= 0.1 * nodes as f64,
                "{nodes}: {n} nodes"
            );
            // One big piece.
            let mut size = vec![0usize; g.component_count()];
            for &c in &g.component {
                size[c as usize] += 1;
            }
            let big = size.iter().copied().max().unwrap_or(0);
            assert!(
                big as f64 > 0.95 * n as f64,
                "{nodes}: biggest piece {big} of {n}"
            );
            // Not a perfect grid: dead ends; un-noded ends joined by noding.
            let dead_ends = g
                .graph
                .node_indices()
                .filter(|&v| g.graph.edges(v).count() == 1)
                .count();
            assert!(dead_ends > nodes / 200, "{nodes}: {dead_ends} dead ends");
            assert!(
                g.joined_ends >= (nodes / 1000).max(1) / 2,
                "{nodes}: {} joined",
                g.joined_ends
            );
            // Lines of several segments; arterials, some one-way.
            assert!(lines.iter().all(|l| l.coords.len() >= 2));
            let mean =
                lines.iter().map(|l| l.coords.len() - 1).sum::<usize>() as f64 / lines.len() as f64;
            assert!(mean > 2.0, "{nodes}: {mean} segments a line");
            let secondary = lines
                .iter()
                .filter(|l| l.highway.as_deref() == Some("secondary"))
                .count();
            assert!(secondary > 0 && secondary < lines.len() / 3);
            if nodes >= 10_000 {
                assert!(lines.iter().any(|l| l.oneway != crate::model::Oneway::No));
            }
            // Blocks of 100..200 m: pieces mostly in that range.
            let pieces: Vec<f64> = g
                .pieces
                .iter()
                .map(|&(a, b)| {
                    g.graph
                        .edges_connecting(a, b)
                        .next()
                        .unwrap()
                        .weight()
                        .metres
                })
                .collect();
            let typical = pieces
                .iter()
                .filter(|&&m| (75.0..=225.0).contains(&m))
                .count();
            assert!(typical as f64 > 0.95 * pieces.len() as f64);
        }
    }

    #[test]
    fn points_are_near_roads() {
        let lines = road_grid(5_000, 5);
        let g = RoadGraph::build(&lines);
        let pts = points_near_roads(&lines, 2_000, 6);
        let mut far = 0.0f64;
        for &(lon, lat) in &pts {
            far = far.max(g.snap(lon, lat).unwrap().access_m);
        }
        assert!(far <= 50.5, "a point {far} m from the roads");
        assert!(far > 30.0);
    }
}

/// A county on a synthetic road network, for road benches and scale runs:
/// `units` households near the roads with 1-6 primary and 1-6 junior
/// students each, and `schools` public nine-year schools near the roads
/// whose seats total 1.02 x the junior students, skewed 0.6-1.4 per school.
/// Returns the units, their junior demand, and the schools.
pub fn road_county(
    lines: &[crate::model::RoadLine],
    units: usize,
    schools: usize,
    seed: u64,
) -> (
    Vec<crate::model::Unit>,
    crate::assign::LevelDemand,
    Vec<crate::model::School>,
) {
    use crate::model::{Demand, PerLevel, School, SchoolKind, Sector, Unit};
    let mut rng = SplitMix64(seed ^ 0x5EA7);
    let units: Vec<Unit> = points_near_roads(lines, units, seed ^ 0x75)
        .into_iter()
        .enumerate()
        .map(|(i, (lon, lat))| Unit {
            id: format!("u{i}"),
            lon,
            lat,
            town: None,
            village: None,
            demand: Demand::Direct {
                primary: rng.range(1, 6),
                junior: rng.range(1, 6),
            },
        })
        .collect();
    let students: Vec<u32> = units
        .iter()
        .map(|u| match u.demand {
            Demand::Direct { junior, .. } => junior,
            _ => 0,
        })
        .collect();
    let total: u64 = students.iter().map(|&s| s as u64).sum();
    let mean = 1.02 * total as f64 / schools.max(1) as f64;
    let schools: Vec<School> = points_near_roads(lines, schools, seed ^ 0x73)
        .into_iter()
        .enumerate()
        .map(|(j, (lon, lat))| School {
            id: format!("s{j}"),
            name: format!("School {j}"),
            lon,
            lat,
            kind: SchoolKind::NineYear,
            sector: Sector::Public,
            boarding: false,
            serves: Vec::new(),
            entry_classes: PerLevel::default(),
            capacity: PerLevel::both((mean * (0.6 + 0.8 * rng.unit())).round().max(1.0) as u32),
            class_size: PerLevel::default(),
            max_travel_m: PerLevel::default(),
        })
        .collect();
    let special_needs = vec![0; students.len()];
    (
        units,
        crate::assign::LevelDemand {
            students,
            special_needs,
        },
        schools,
    )
}
