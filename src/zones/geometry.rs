//! Catchment polygons: the Voronoi cell of each labelled point, clipped to an
//! area and dissolved per label.
//!
//! Everything is computed in the local equirectangular projection at the
//! mean latitude of the points (see [`crate::spatial::network::Projection`]).
//! That projection is affine in lon/lat, so straight edges stay straight and
//! "nearest" means the same thing in [`zone_polygons`] and [`ZoneLookup`].
//!
//! Method: the Delaunay neighbours of the generators (spade) give each
//! generator's Voronoi cell exactly, as a frame around the clip area cut by
//! the perpendicular bisectors towards its neighbours (convex clipping, no
//! overlay). The cells of one label are dissolved and the result intersected
//! with the clip area (both with `geo`'s boolean operations). The cells tile
//! the frame, so the zones tile the clip area up to float rounding.

use geo::{
    BooleanOps, BoundingRect, Coord, LineString, MapCoords, MultiPolygon, Polygon, Rect,
    unary_union,
};
use rstar::RTree;
use rstar::primitives::GeomWithData;

use super::adjacency::{Sites, projection_for};
use crate::spatial::EARTH_RADIUS_M;
use crate::spatial::network::Projection;

/// One (Multi)Polygon per label `0..n_labels`, in lon/lat: the union of the
/// Voronoi cells of the points carrying that label, intersected with `clip`.
///
/// `labels[i]` is the label of `points[i]`. Points labelled `None` are not
/// generators: their area goes to the nearest labelled point. Labelled points
/// at exactly the same position share one cell, which goes to the label of
/// the lowest-index point among them. Labels with no cell in `clip` get an
/// empty MultiPolygon. Together the zones tile `clip` (the area its rings
/// enclose by the even-odd rule): no gaps, no overlaps, up to float rounding
/// (in the overlay, a grid of about 1e-9 of the clip's extent).
///
/// Coordinates are not rounded: rounding to 1e-7 degree (1 cm) keeps the
/// tiling but can make self-touching or self-intersecting rings where input
/// points nearly coincide or are cocircular; round when writing, if at all.
///
/// # Panics
///
/// If `labels` and `points` differ in length or a label is `n_labels` or
/// more (callers' bugs, not bad input).
///
/// ```
/// use catchment::zones::geometry::{default_clip, zone_polygons};
///
/// let points = [(111.0, 39.0), (111.1, 39.0)];
/// let clip = default_clip(&points);
/// let zones = zone_polygons(&points, &[Some(0), Some(1)], 2, &clip);
/// assert_eq!(zones.len(), 2);
/// assert!(!zones[0].0.is_empty() && !zones[1].0.is_empty());
/// ```
pub fn zone_polygons(
    points: &[(f64, f64)],
    labels: &[Option<usize>],
    n_labels: usize,
    clip: &MultiPolygon<f64>,
) -> Vec<MultiPolygon<f64>> {
    zone_polygons_on(points, labels, n_labels, clip, 1)
}

/// [`zone_polygons`] on `threads` threads (the cells in ranges of sites,
/// the zones dissolved in turn): the same polygons on any number.
pub fn zone_polygons_on(
    points: &[(f64, f64)],
    labels: &[Option<usize>],
    n_labels: usize,
    clip: &MultiPolygon<f64>,
    threads: usize,
) -> Vec<MultiPolygon<f64>> {
    let threads = threads.max(1);
    assert_eq!(points.len(), labels.len(), "one label per point");
    assert!(
        labels.iter().flatten().all(|&l| l < n_labels),
        "labels must be below n_labels = {n_labels}"
    );
    let mut zones = vec![MultiPolygon::new(Vec::new()); n_labels];
    let generators: Vec<usize> = (0..points.len()).filter(|&i| labels[i].is_some()).collect();
    let Some(clip_rect) = clip.bounding_rect() else {
        return zones;
    };
    if generators.is_empty() {
        return zones;
    }
    let frame = LocalFrame::new(projection_for(points), clip_rect);
    let clip_xy = clip.map_coords(|c| frame.to_xy(c));
    let Some(bb) = clip_xy.bounding_rect() else {
        return zones;
    };
    // Any convex area holding the clip works; a margin keeps the frame's
    // edges off the clip's.
    let margin = 0.01 * bb.width().max(bb.height()) + 1.0;
    let (lo, hi) = (bb.min(), bb.max());
    let window = [
        [lo.x - margin, lo.y - margin],
        [hi.x + margin, lo.y - margin],
        [hi.x + margin, hi.y + margin],
        [lo.x - margin, hi.y + margin],
    ];

    let xy: Vec<[f64; 2]> = generators
        .iter()
        .map(|&i| {
            let c = frame.to_xy(Coord {
                x: points[i].0,
                y: points[i].1,
            });
            [c.x, c.y]
        })
        .collect();
    let lonlat: Vec<(f64, f64)> = generators.iter().map(|&i| points[i]).collect();
    let sites = Sites::new(&xy, &lonlat);
    let mut site_label: Vec<Option<usize>> = vec![None; sites.xy.len()];
    for (g, &s) in sites.site_of.iter().enumerate() {
        if site_label[s].is_none() {
            site_label[s] = labels[generators[g]];
        }
    }

    // Each range of sites' cells, labelled, in site order.
    let cells_of = |lo: usize, hi: usize| -> Vec<(usize, Polygon<f64>)> {
        let mut out = Vec::new();
        let mut scratch = Vec::new();
        for (s, label) in site_label.iter().enumerate().take(hi).skip(lo) {
            let Some(label) = *label else { continue };
            let cell = voronoi_cell(&sites, s, &window, &mut scratch);
            if cell.len() >= 3 {
                let ring: Vec<Coord<f64>> =
                    cell.iter().map(|p| Coord { x: p[0], y: p[1] }).collect();
                out.push((label, Polygon::new(LineString::new(ring), Vec::new())));
            }
        }
        out
    };
    let n = site_label.len();
    let size = n.div_ceil(threads).max(1);
    let parts: Vec<Vec<(usize, Polygon<f64>)>> = if threads == 1 {
        vec![cells_of(0, n)]
    } else {
        std::thread::scope(|sc| {
            let handles: Vec<_> = (0..n)
                .step_by(size)
                .map(|lo| {
                    let cells_of = &cells_of;
                    sc.spawn(move || cells_of(lo, (lo + size).min(n)))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a cells thread does not panic"))
                .collect()
        })
    };
    drop(sites);
    let mut cells: Vec<Vec<Polygon<f64>>> = vec![Vec::new(); n_labels];
    for (label, cell) in parts.into_iter().flatten() {
        cells[label].push(cell);
    }
    // Cells are counter-clockwise and disjoint: unary_union's positive
    // fill rule (picked from their winding) is exact for them.
    let dissolve = |cells: &[Polygon<f64>]| -> MultiPolygon<f64> {
        if cells.is_empty() {
            return MultiPolygon::new(Vec::new());
        }
        let dissolved = unary_union(cells);
        let clipped = dissolved.intersection(&clip_xy);
        clipped.map_coords(|c| frame.to_lonlat(c))
    };
    if threads == 1 {
        for (zone, cells) in zones.iter_mut().zip(&cells) {
            *zone = dissolve(cells);
        }
        return zones;
    }
    // Zones in turn to each thread (big and small ones mixed).
    std::thread::scope(|sc| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (cells, dissolve) = (&cells, &dissolve);
                sc.spawn(move || {
                    (t..cells.len())
                        .step_by(threads)
                        .map(|z| (z, dissolve(&cells[z])))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            for (z, shape) in h.join().expect("a dissolve thread does not panic") {
                zones[z] = shape;
            }
        }
    });
    zones
}

/// Metres in the zones' projection, with the origin at the centre of the
/// clip area so coordinates stay small.
struct LocalFrame {
    projection: Projection,
    origin: [f64; 2],
}

impl LocalFrame {
    fn new(projection: Projection, around: Rect<f64>) -> LocalFrame {
        let c = around.center();
        LocalFrame {
            projection,
            origin: projection.xy(c.x, c.y),
        }
    }
    fn to_xy(&self, c: Coord<f64>) -> Coord<f64> {
        let p = self.projection.xy(c.x, c.y);
        Coord {
            x: p[0] - self.origin[0],
            y: p[1] - self.origin[1],
        }
    }
    fn to_lonlat(&self, c: Coord<f64>) -> Coord<f64> {
        let (x, y) = self
            .projection
            .lonlat([c.x + self.origin[0], c.y + self.origin[1]]);
        Coord { x, y }
    }
}

/// The Voronoi cell of site `s` within the convex counter-clockwise
/// `window`: the window cut by the half-plane towards `s` of the bisector
/// with each Delaunay neighbour (the cell's only possible edges).
fn voronoi_cell(
    sites: &Sites,
    s: usize,
    window: &[[f64; 2]],
    scratch: &mut Vec<[f64; 2]>,
) -> Vec<[f64; 2]> {
    let p = sites.xy[s];
    let mut poly = window.to_vec();
    for &t in sites.neighbours.of(s) {
        let q = sites.xy[t as usize];
        // Computed the same way from either side, so two neighbouring cells
        // classify every vertex alike.
        let m = [(p[0] + q[0]) * 0.5, (p[1] + q[1]) * 0.5];
        let d = [q[0] - p[0], q[1] - p[1]];
        let side = |a: [f64; 2]| (a[0] - m[0]) * d[0] + (a[1] - m[1]) * d[1];
        scratch.clear();
        for k in 0..poly.len() {
            let a = poly[k];
            let b = poly[(k + 1) % poly.len()];
            let (sa, sb) = (side(a), side(b));
            if sa <= 0.0 {
                scratch.push(a);
            }
            if (sa < 0.0 && sb > 0.0) || (sa > 0.0 && sb < 0.0) {
                let f = sa / (sa - sb);
                scratch.push([a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])]);
            }
        }
        std::mem::swap(&mut poly, scratch);
        if poly.len() < 3 {
            return Vec::new();
        }
    }
    poly
}

/// The area to clip to when no boundary is given: the bounding box of
/// `points`, grown on each side by 5% of its larger side (at least 0.01
/// degree). Empty for no points.
///
/// ```
/// use catchment::zones::geometry::default_clip;
/// use geo::BoundingRect;
///
/// let r = default_clip(&[(111.0, 39.0), (111.2, 39.1)]).bounding_rect().unwrap();
/// assert!((r.min().x - 110.99).abs() < 1e-12 && (r.max().y - 39.11).abs() < 1e-12);
/// ```
pub fn default_clip(points: &[(f64, f64)]) -> MultiPolygon<f64> {
    let Some(&(x0, y0)) = points.first() else {
        return MultiPolygon::new(Vec::new());
    };
    let (mut lo, mut hi) = ([x0, y0], [x0, y0]);
    for &(x, y) in points {
        lo = [lo[0].min(x), lo[1].min(y)];
        hi = [hi[0].max(x), hi[1].max(y)];
    }
    let grow = (0.05 * (hi[0] - lo[0]).max(hi[1] - lo[1])).max(0.01);
    let (x0, y0, x1, y1) = (lo[0] - grow, lo[1] - grow, hi[0] + grow, hi[1] + grow);
    MultiPolygon::new(vec![Polygon::new(
        LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
        Vec::new(),
    )])
}

/// Which zone a point lies in: the label of the nearest labelled point in
/// the projection [`zone_polygons`] uses for the same `points`, ties to the
/// lowest index (as duplicates are labelled there).
///
/// ```
/// use catchment::zones::geometry::ZoneLookup;
///
/// let lookup = ZoneLookup::new(&[(111.0, 39.0), (111.1, 39.0), (111.2, 39.0)], &[Some(3), None, Some(7)]);
/// assert_eq!(lookup.label_at(111.09, 39.05), Some(3));
/// assert_eq!(lookup.label_at(111.11, 39.0), Some(7));
/// ```
pub struct ZoneLookup {
    projection: Projection,
    tree: RTree<GeomWithData<[f64; 2], (usize, usize)>>,
}

impl ZoneLookup {
    /// `labels[i]` is the label of `points[i]`; unlabelled points are not
    /// looked up.
    ///
    /// # Panics
    ///
    /// If `labels` and `points` differ in length.
    pub fn new(points: &[(f64, f64)], labels: &[Option<usize>]) -> ZoneLookup {
        assert_eq!(points.len(), labels.len(), "one label per point");
        let projection = projection_for(points);
        let items = points
            .iter()
            .zip(labels)
            .enumerate()
            .filter_map(|(i, (&(lon, lat), label))| {
                label.map(|l| GeomWithData::new(projection.xy(lon, lat), (i, l)))
            })
            .collect();
        ZoneLookup {
            projection,
            tree: RTree::bulk_load(items),
        }
    }

    /// The label of the zone holding (lon, lat); `None` if no point is
    /// labelled.
    pub fn label_at(&self, lon: f64, lat: f64) -> Option<usize> {
        let q = self.projection.xy(lon, lat);
        let mut best: Option<(f64, usize, usize)> = None;
        for (item, d2) in self.tree.nearest_neighbor_iter_with_distance_2(&q) {
            let (i, l) = item.data;
            match best {
                Some((bd, _, _)) if d2 > bd => break,
                Some((_, bi, _)) if bi <= i => {}
                _ => best = Some((d2, i, l)),
            }
        }
        best.map(|(_, _, l)| l)
    }
}

/// How well zones tile a clip area, in square metres on the sphere (see
/// [`area_m2`]).
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Tiling {
    /// Area of the clip area.
    pub clip_m2: f64,
    /// Sum of the zones' areas.
    pub zones_m2: f64,
    /// Largest overlap of two zones.
    pub max_pair_overlap_m2: f64,
    /// Sum of the overlaps of all pairs of zones.
    pub overlap_m2: f64,
}

/// Measure how `zones` tile `clip`: a tiling has `zones_m2 == clip_m2` and
/// no overlap, up to rounding.
pub fn tiling(zones: &[MultiPolygon<f64>], clip: &MultiPolygon<f64>) -> Tiling {
    let rects: Vec<Option<Rect<f64>>> = zones.iter().map(|z| z.bounding_rect()).collect();
    let mut max_pair_overlap_m2 = 0.0f64;
    let mut overlap_m2 = 0.0;
    for i in 0..zones.len() {
        for j in i + 1..zones.len() {
            let (Some(a), Some(b)) = (rects[i], rects[j]) else {
                continue;
            };
            let apart = a.max().x < b.min().x
                || b.max().x < a.min().x
                || a.max().y < b.min().y
                || b.max().y < a.min().y;
            if apart {
                continue;
            }
            let o = area_m2(&zones[i].intersection(&zones[j]));
            max_pair_overlap_m2 = max_pair_overlap_m2.max(o);
            overlap_m2 += o;
        }
    }
    Tiling {
        clip_m2: area_m2(clip),
        zones_m2: zones.iter().map(area_m2).sum(),
        max_pair_overlap_m2,
        overlap_m2,
    }
}

/// Area in square metres of a lon/lat (Multi)Polygon: exact on the sphere
/// of radius [`EARTH_RADIUS_M`] for the region its rings bound when each edge
/// is a straight line in lon/lat (as RFC 7946 draws them, and as the zones
/// are built). Each polygon counts its exterior less its holes, whatever the
/// winding of its rings.
///
/// The integral of R² cos(lat) over the region, by Green's theorem
/// -R² ∮ sin(lat) dlon, taken exactly along each straight edge.
///
/// ```
/// use catchment::zones::geometry::{area_m2, default_clip};
///
/// // 0.02 x 0.02 degree at the equator: about 4.946 km².
/// let a = area_m2(&default_clip(&[(0.0, 0.0)]));
/// assert!((a - 4.946e6).abs() < 0.001e6, "{a}");
/// ```
pub fn area_m2(mp: &MultiPolygon<f64>) -> f64 {
    mp.0.iter()
        .map(|p| {
            let holes: f64 = p.interiors().iter().map(|r| ring_area_m2(r).abs()).sum();
            ring_area_m2(p.exterior()).abs() - holes
        })
        .sum()
}

/// Signed area (counter-clockwise positive) of a ring with straight edges
/// in lon/lat, on the sphere.
fn ring_area_m2(ring: &LineString<f64>) -> f64 {
    let sum: f64 = ring
        .0
        .windows(2)
        .map(|w| {
            let (l1, p1) = (w[0].x.to_radians(), w[0].y.to_radians());
            let (l2, p2) = (w[1].x.to_radians(), w[1].y.to_radians());
            // ∫ sin(lat) dlon along lat = p1 + (p2 - p1) t, lon = l1 + (l2 - l1) t:
            // (l2 - l1) sin(mid) sinc(half), stable as p2 -> p1.
            let half = 0.5 * (p2 - p1);
            let sinc = if half == 0.0 { 1.0 } else { half.sin() / half };
            (l2 - l1) * (0.5 * (p1 + p2)).sin() * sinc
        })
        .sum();
    -EARTH_RADIUS_M * EARTH_RADIUS_M * sum
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
        MultiPolygon::new(vec![Polygon::new(
            LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
            Vec::new(),
        )])
    }

    #[test]
    fn no_labelled_point_gives_empty_zones() {
        let clip = square(0.0, 0.0, 1.0, 1.0);
        let zones = zone_polygons(&[(0.5, 0.5)], &[None], 3, &clip);
        assert!(zones.iter().all(|z| z.0.is_empty()));
        assert!(
            zone_polygons(&[], &[], 2, &clip)
                .iter()
                .all(|z| z.0.is_empty())
        );
    }

    #[test]
    fn one_labelled_point_takes_the_clip() {
        let clip = square(111.0, 39.0, 111.1, 39.1);
        let zones = zone_polygons(
            &[(111.5, 39.5), (111.05, 39.05)],
            &[Some(1), None],
            2,
            &clip,
        );
        assert!(zones[0].0.is_empty());
        let t = tiling(&zones, &clip);
        assert!((t.zones_m2 - t.clip_m2).abs() < 1e-6 * t.clip_m2, "{t:?}");
    }

    #[test]
    fn identical_points_go_to_the_lowest_index() {
        let clip = square(111.0, 39.0, 111.1, 39.1);
        let p = (111.05, 39.05);
        let zones = zone_polygons(&[p, p, p], &[None, Some(2), Some(0)], 3, &clip);
        assert!(zones[0].0.is_empty() && zones[1].0.is_empty());
        assert!(!zones[2].0.is_empty());
        let lookup = ZoneLookup::new(&[p, p, p], &[None, Some(2), Some(0)]);
        assert_eq!(lookup.label_at(111.0, 39.0), Some(2));
    }

    #[test]
    fn empty_clip_gives_empty_zones() {
        let zones = zone_polygons(&[(0.0, 0.0)], &[Some(0)], 1, &MultiPolygon::new(Vec::new()));
        assert!(zones[0].0.is_empty());
    }

    #[test]
    fn lookup_without_labels() {
        assert_eq!(
            ZoneLookup::new(&[(0.0, 0.0)], &[None]).label_at(0.0, 0.0),
            None
        );
        assert_eq!(ZoneLookup::new(&[], &[]).label_at(0.0, 0.0), None);
    }
}
