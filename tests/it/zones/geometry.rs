//! Zone geometry: Voronoi catchments clipped to an area tile it (known
//! halves and bisectors, random points around a non-convex clip with a hole,
//! the Wuzhai boundary), and the Delaunay neighbours of units.

use super::read_boundary;
use crate::common::repo;
use catchment::spatial::network::Projection;
use catchment::zones::adjacency::delaunay_neighbours;
use catchment::zones::geometry::{
    Tiling, ZoneLookup, area_m2, default_clip, tiling, zone_polygons, zone_polygons_on,
};
use geo::{Distance, Euclidean, Intersects, LineString, MultiPolygon, Point, Polygon, Validation};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const LON0: f64 = 111.8;
const LAT0: f64 = 39.0;

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Polygon<f64> {
    Polygon::new(
        LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
        Vec::new(),
    )
}

/// Degrees on the 1e-7 grid the zones are rounded to, so known answers are
/// not blurred by output rounding.
fn on_grid(deg: f64) -> f64 {
    (deg * 1e7).round() / 1e7
}

/// Half-widths in degrees of a 2 x 2 km square about (LON0, LAT0).
fn km_square() -> (f64, f64) {
    let p = Projection::new(LAT0);
    let (lon, lat) = p.lonlat([1000.0, 1000.0]);
    (on_grid(lon), on_grid(lat))
}

fn assert_tiles(t: &Tiling) {
    assert!(
        (t.zones_m2 - t.clip_m2).abs() <= 1e-3 * t.clip_m2,
        "zones do not sum to the clip: {t:?}"
    );
    assert!(
        t.max_pair_overlap_m2 < 1e-4 * t.clip_m2,
        "zones overlap: {t:?}"
    );
}

#[test]
fn square_corners_split_into_halves() {
    let (dx, dy) = km_square();
    let clip = MultiPolygon::new(vec![rect(LON0 - dx, LAT0 - dy, LON0 + dx, LAT0 + dy)]);
    let (hx, hy) = (on_grid(dx / 2.0), on_grid(dy / 2.0));
    let points = [
        (LON0 - hx, LAT0 - hy),
        (LON0 + hx, LAT0 - hy),
        (LON0 + hx, LAT0 + hy),
        (LON0 - hx, LAT0 + hy),
    ];
    let labels = [Some(0), Some(1), Some(1), Some(0)];
    let zones = zone_polygons(&points, &labels, 2, &clip);
    let whole = area_m2(&clip);
    for (zone, half) in zones.iter().zip([
        rect(LON0 - dx, LAT0 - dy, LON0, LAT0 + dy),
        rect(LON0, LAT0 - dy, LON0 + dx, LAT0 + dy),
    ]) {
        let a = area_m2(zone);
        assert!((a - whole / 2.0).abs() < 1e-6 * whole, "{a} vs {whole}");
        let half = MultiPolygon::new(vec![half]);
        let t = tiling(&[zone.clone(), half.clone()], &half);
        assert!(
            (t.max_pair_overlap_m2 - a).abs() < 1e-6 * whole,
            "not the half: {t:?}"
        );
    }
    // 4 km², as the projection's metres are on the same sphere.
    assert!((whole - 4e6).abs() < 1e-6 * 4e6, "{whole}");
    assert_tiles(&tiling(&zones, &clip));
}

#[test]
fn two_points_split_at_their_bisector() {
    let (dx, dy) = km_square();
    let clip = MultiPolygon::new(vec![rect(LON0 - dx, LAT0 - dy, LON0 + dx, LAT0 + dy)]);
    // Midpoint in longitude at LON0 - 0.002 (equirectangular is affine, so
    // the bisector of two points at one latitude is the meridian there).
    let mid = LON0 - 0.002;
    let points = [(mid - 0.003, LAT0 + 0.001), (mid + 0.003, LAT0 + 0.001)];
    let zones = zone_polygons(&points, &[Some(1), Some(0)], 2, &clip);
    let west = area_m2(&MultiPolygon::new(vec![rect(
        LON0 - dx,
        LAT0 - dy,
        mid,
        LAT0 + dy,
    )]));
    let whole = area_m2(&clip);
    assert!((area_m2(&zones[1]) - west).abs() < 1e-6 * whole);
    assert!((area_m2(&zones[0]) - (whole - west)).abs() < 1e-6 * whole);
}

#[test]
fn unlabelled_points_area_goes_to_the_nearest_label() {
    let (dx, dy) = km_square();
    let clip = MultiPolygon::new(vec![rect(LON0 - dx, LAT0 - dy, LON0 + dx, LAT0 + dy)]);
    let mid = LON0 + 0.001;
    // The unlabelled point sits west of the bisector, in label 0's zone.
    let points = [
        (mid - 0.004, LAT0),
        (mid - 0.001, LAT0 + 0.002),
        (mid + 0.004, LAT0),
    ];
    let labels = [Some(0), None, Some(1)];
    let zones = zone_polygons(&points, &labels, 2, &clip);
    let west = area_m2(&MultiPolygon::new(vec![rect(
        LON0 - dx,
        LAT0 - dy,
        mid,
        LAT0 + dy,
    )]));
    let whole = area_m2(&clip);
    assert!((area_m2(&zones[0]) - west).abs() < 1e-6 * whole);
    assert!(zones[0].intersects(&Point::new(points[1].0, points[1].1)));
    assert_eq!(
        ZoneLookup::new(&points, &labels).label_at(points[1].0, points[1].1),
        Some(0)
    );
    assert_tiles(&tiling(&zones, &clip));
}

#[test]
fn labels_without_points_are_empty() {
    let points = [(LON0, LAT0), (LON0 + 0.01, LAT0 + 0.01)];
    let clip = default_clip(&points);
    let zones = zone_polygons(&points, &[Some(2), Some(2)], 4, &clip);
    assert_eq!(zones.len(), 4);
    assert!(zones[0].0.is_empty() && zones[1].0.is_empty() && zones[3].0.is_empty());
    assert_tiles(&tiling(&zones, &clip));
}

#[test]
fn grid_neighbours_include_the_four_sides() {
    // A 3 x 3 grid, jittered so its triangulation is unique.
    let mut points = Vec::new();
    for r in 0..3 {
        for c in 0..3 {
            let jitter = 1e-5 * ((7 * r + 3 * c) % 5) as f64;
            points.push((
                LON0 + 0.01 * c as f64 + jitter,
                LAT0 + 0.01 * r as f64 - jitter / 2.0,
            ));
        }
    }
    let n = delaunay_neighbours(&points);
    for r in 0..3 {
        for c in 0..3 {
            let i = 3 * r + c;
            assert!(!n[i].contains(&i));
            assert!(n[i].windows(2).all(|w| w[0] < w[1]));
            let sides = [
                (r > 0).then(|| i - 3),
                (r < 2).then(|| i + 3),
                (c > 0).then(|| i - 1),
                (c < 2).then(|| i + 1),
            ];
            for j in sides.into_iter().flatten() {
                assert!(n[i].contains(&j), "{i} misses {j}: {:?}", n[i]);
            }
            for &j in &n[i] {
                assert!(n[j].contains(&i), "{i} -> {j} is one-way");
            }
        }
    }
    // Opposite corners are never neighbours.
    assert!(!n[0].contains(&8) && !n[2].contains(&6));
}

#[test]
fn duplicates_neighbour_each_other() {
    let points = [
        (LON0, LAT0),
        (LON0 + 0.01, LAT0),
        (LON0, LAT0 + 0.01),
        (LON0, LAT0),
        (LON0 + 0.01, LAT0 + 0.011),
    ];
    let n = delaunay_neighbours(&points);
    assert!(n[0].contains(&3) && n[3].contains(&0));
    // Both copies have the shared site's neighbours.
    assert_eq!(
        n[0].iter().filter(|&&j| j != 3).collect::<Vec<_>>(),
        n[3].iter().filter(|&&j| j != 0).collect::<Vec<_>>()
    );
    assert!(n[0].contains(&1) && n[0].contains(&2));
}

/// An L-shape with a square hole, plus a separate island: non-convex,
/// multi-part, with a hole. About 10 x 10 km.
fn l_clip() -> MultiPolygon<f64> {
    let l = Polygon::new(
        LineString::from(vec![
            (0.0, 0.0),
            (0.1, 0.0),
            (0.1, 0.04),
            (0.04, 0.04),
            (0.04, 0.1),
            (0.0, 0.1),
            (0.0, 0.0),
        ]),
        vec![LineString::from(vec![
            (0.01, 0.01),
            (0.01, 0.025),
            (0.025, 0.025),
            (0.025, 0.01),
            (0.01, 0.01),
        ])],
    );
    let island = rect(0.07, 0.07, 0.1, 0.1);
    let shift = |p: &Polygon<f64>| {
        use geo::MapCoords;
        p.map_coords(|c| geo::coord! { x: LON0 + c.x, y: LAT0 + c.y })
    };
    MultiPolygon::new(vec![shift(&l), shift(&island)])
}

/// Every point in the clip lies in (or within a hair of) the zone of its
/// nearest labelled point, or of one tied with it (a tied point outside
/// the clip may reach it only at that very point).
fn assert_points_in_their_zones(
    points: &[(f64, f64)],
    labels: &[Option<usize>],
    zones: &[MultiPolygon<f64>],
    clip: &MultiPolygon<f64>,
) {
    let lookup = ZoneLookup::new(points, labels);
    // The projection zones are built in: equirectangular at the mean latitude.
    let lat0 = points.iter().map(|p| p.1).sum::<f64>() / points.len() as f64;
    let projection = Projection::new(lat0);
    let xy: Vec<[f64; 2]> = points.iter().map(|p| projection.xy(p.0, p.1)).collect();
    for (i, &(lon, lat)) in points.iter().enumerate() {
        let p = Point::new(lon, lat);
        if !clip.intersects(&p) {
            continue;
        }
        let l = lookup.label_at(lon, lat).expect("a labelled point");
        let dist = |j: usize| (xy[i][0] - xy[j][0]).hypot(xy[i][1] - xy[j][1]);
        let nearest = (0..points.len())
            .filter(|&j| labels[j].is_some())
            .map(dist)
            .fold(f64::INFINITY, f64::min);
        let tied: Vec<usize> = (0..points.len())
            .filter(|&j| labels[j].is_some() && dist(j) <= nearest * (1.0 + 1e-9) + 1e-9)
            .filter_map(|j| labels[j])
            .collect();
        assert!(tied.contains(&l), "lookup gives {l}, nearest are {tied:?}");
        let d = tied
            .iter()
            .map(|&t| Euclidean.distance(&zones[t], &p))
            .fold(f64::INFINITY, f64::min);
        assert!(d <= 1e-6, "({lon}, {lat}) is {d} degree off zones {tied:?}");
    }
}

fn points_and_labels() -> impl Strategy<Value = (Vec<(f64, f64)>, Vec<Option<usize>>)> {
    prop::collection::vec(
        (
            -0.02f64..0.12,
            -0.02f64..0.12,
            prop_oneof![1 => Just(None), 4 => (0usize..5).prop_map(Some)],
        ),
        0..80,
    )
    .prop_map(|v| {
        v.into_iter()
            .map(|(x, y, l)| ((LON0 + x, LAT0 + y), l))
            .unzip()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    #[test]
    fn zones_tile_a_non_convex_clip((points, labels) in points_and_labels()) {
        let clip = l_clip();
        let zones = zone_polygons(&points, &labels, 5, &clip);
        prop_assert_eq!(zones.len(), 5);
        if labels.iter().all(Option::is_none) {
            prop_assert!(zones.iter().all(|z| z.0.is_empty()));
            return Ok(());
        }
        assert_tiles(&tiling(&zones, &clip));
        assert_points_in_their_zones(&points, &labels, &zones, &clip);
        for z in &zones {
            prop_assert!(z.is_valid(), "{:?}", z.validation_errors());
        }
        // Same input, same bytes, on any number of threads.
        let again = zone_polygons(&points, &labels, 5, &clip);
        prop_assert_eq!(format!("{zones:?}"), format!("{again:?}"));
        for threads in [2, 3, 7] {
            let on = zone_polygons_on(&points, &labels, 5, &clip, threads);
            prop_assert_eq!(format!("{zones:?}"), format!("{on:?}"), "{} threads", threads);
        }
    }
}

#[test]
fn all_points_identical() {
    let p = (LON0 + 0.05, LAT0 + 0.02);
    let points = vec![p; 5];
    let labels = [None, Some(3), Some(1), None, Some(3)];
    let clip = l_clip();
    let zones = zone_polygons(&points, &labels, 4, &clip);
    let t = tiling(&zones, &clip);
    assert!(
        (area_m2(&zones[3]) - t.clip_m2).abs() < 1e-3 * t.clip_m2,
        "{t:?}"
    );
    assert_tiles(&t);
}

#[test]
fn points_on_a_line() {
    let points: Vec<(f64, f64)> = (0..6)
        .map(|i| (LON0 + 0.02 * i as f64, LAT0 + 0.01 * i as f64))
        .collect();
    let labels: Vec<Option<usize>> = (0..6).map(|i| Some(i % 3)).collect();
    let clip = default_clip(&points);
    let zones = zone_polygons(&points, &labels, 3, &clip);
    assert_tiles(&tiling(&zones, &clip));
    assert_points_in_their_zones(&points, &labels, &zones, &clip);
    let n = delaunay_neighbours(&points);
    assert_eq!(n[0], vec![1]);
    assert_eq!(n[3], vec![2, 4]);
}

#[test]
fn lattice_and_near_duplicate_points_still_tile() {
    // A lattice (many cocircular sites, ties on the clip's edges) and
    // clusters of points a tenth of a millimetre apart.
    let clip = l_clip();
    for seed in 0..40u64 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let lattice = seed % 2 == 0;
        let n = rng.gen_range(2..150);
        let points: Vec<(f64, f64)> = (0..n)
            .map(|_| {
                let (x, y): (f64, f64) = (rng.gen_range(-0.02..0.12), rng.gen_range(-0.02..0.12));
                let (x, y) = if lattice {
                    ((x / 0.005).round() * 0.005, (y / 0.005).round() * 0.005)
                } else {
                    (
                        (x / 0.02).round() * 0.02 + rng.gen_range(-1e-9..1e-9),
                        (y / 0.02).round() * 0.02 + rng.gen_range(-1e-9..1e-9),
                    )
                };
                (LON0 + x, LAT0 + y)
            })
            .collect();
        let labels: Vec<Option<usize>> = (0..n)
            .map(|_| (rng.gen_range(0..6) > 0).then(|| rng.gen_range(0..7)))
            .collect();
        let zones = zone_polygons(&points, &labels, 7, &clip);
        if labels.iter().all(Option::is_none) {
            continue;
        }
        assert_tiles(&tiling(&zones, &clip));
        for z in &zones {
            assert!(z.is_valid(), "seed {seed}: {:?}", z.validation_errors());
        }
        // Cells of points closer than the overlay's grid may vanish, so
        // only the lattice is held to the nearest-point law.
        if lattice {
            assert_points_in_their_zones(&points, &labels, &zones, &clip);
        }
    }
}

#[test]
fn zones_tile_the_wuzhai_boundary() {
    use geo::BoundingRect;
    let clip = read_boundary(&repo("data/wuzhai/boundary.geojson"));
    let r = clip.bounding_rect().expect("a boundary");
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let points: Vec<(f64, f64)> = (0..2000)
        .map(|_| {
            (
                rng.gen_range(r.min().x..r.max().x),
                rng.gen_range(r.min().y..r.max().y),
            )
        })
        .collect();
    let labels: Vec<Option<usize>> = (0..2000)
        .map(|_| (rng.gen_range(0..10) > 0).then(|| rng.gen_range(0..20)))
        .collect();
    let zones = zone_polygons(&points, &labels, 20, &clip);
    let t = tiling(&zones, &clip);
    assert_tiles(&t);
    // A county of some 1,400 km².
    assert!(t.clip_m2 > 1e9 && t.clip_m2 < 2e9, "{t:?}");
    assert_points_in_their_zones(&points, &labels, &zones, &clip);
}

/// A county-sized run: 10,000 points, 30 labels, a 1,000-vertex boundary.
/// `cargo test --release --test it zones::geometry::county_scale -- --ignored --nocapture`
#[test]
#[ignore]
fn county_scale() {
    let ring: Vec<(f64, f64)> = (0..1000)
        .map(|k| {
            let a = k as f64 / 1000.0 * std::f64::consts::TAU;
            let r = 0.3 * (1.0 + 0.2 * (5.0 * a).sin() + 0.05 * (37.0 * a).sin());
            (LON0 + r * a.cos() / 0.78, LAT0 + r * a.sin())
        })
        .chain(std::iter::once((LON0 + 0.3 * 1.0 / 0.78, LAT0)))
        .collect();
    let clip = MultiPolygon::new(vec![Polygon::new(LineString::from(ring), Vec::new())]);
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut random_point = || {
        (
            LON0 + rng.gen_range(-0.5..0.5),
            LAT0 + rng.gen_range(-0.4..0.4),
        )
    };
    let schools: Vec<(f64, f64)> = (0..30).map(|_| random_point()).collect();
    let points: Vec<(f64, f64)> = (0..10_000).map(|_| random_point()).collect();
    // Labels as an assignment makes them (nearest school), and at random.
    let nearest: Vec<Option<usize>> = points
        .iter()
        .map(|p| {
            (0..30).min_by(|&a, &b| {
                let d = |s: (f64, f64)| (s.0 - p.0).powi(2) + (s.1 - p.1).powi(2);
                d(schools[a]).total_cmp(&d(schools[b]))
            })
        })
        .collect();
    let scattered: Vec<Option<usize>> = (0..10_000).map(|_| Some(rng.gen_range(0..30))).collect();
    for (name, labels) in [("nearest school", nearest), ("random", scattered)] {
        let t0 = std::time::Instant::now();
        let zones = zone_polygons(&points, &labels, 30, &clip);
        let took = t0.elapsed();
        let vertices: usize = zones
            .iter()
            .map(|z| {
                use geo::CoordsIter;
                z.coords_count()
            })
            .sum();
        let t = tiling(&zones, &clip);
        println!("{name}: {took:?} for zones ({vertices} vertices); {t:?}");
        let digest = format!("{zones:?}")
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
            });
        println!("{name}: digest {digest:016x}");
        assert_tiles(&t);
    }
}
