//! Delaunay neighbours of the demand units: which units touch, for
//! contiguity of zones and moves between them.
//!
//! Points are triangulated in a local metric projection (equirectangular at
//! their mean latitude), where the Delaunay triangulation is that of
//! distances as the planner sees them on a county map. Points at exactly the
//! same position share one site.

use std::collections::HashMap;

use geo::Coord;
use geo::algorithm::kernels::{Kernel, Orientation, RobustKernel};
use spade::{DelaunayTriangulation, Point2, Triangulation};

use crate::spatial::network::Projection;

/// The projection the zones are built in: equirectangular at the mean
/// latitude of `points` (the equator when there are none).
pub(crate) fn projection_for(points: &[(f64, f64)]) -> Projection {
    if points.is_empty() {
        return Projection::new(0.0);
    }
    let lat0 = points.iter().map(|p| p.1).sum::<f64>() / points.len() as f64;
    Projection::new(lat0)
}

/// Points merged into distinct sites, with the Delaunay neighbours of each
/// site.
pub(crate) struct Sites {
    /// Position of each site, in the coordinates given to [`Sites::new`].
    pub xy: Vec<[f64; 2]>,
    /// Site of each input point.
    pub site_of: Vec<usize>,
    /// Delaunay neighbours of each site, ascending, never itself.
    pub neighbours: Vec<Vec<usize>>,
}

impl Sites {
    /// Merge points at the same position `xy` (sites are numbered in order
    /// of their lowest point) and triangulate the sites. `lonlat` are the
    /// same points before projection: if they lie on one line, exactly, the
    /// sites are neighbours along it (rounding in the projection would
    /// otherwise make sliver triangles of them). Two sites are neighbours of
    /// each other.
    pub fn new(xy: &[[f64; 2]], lonlat: &[(f64, f64)]) -> Sites {
        assert_eq!(xy.len(), lonlat.len(), "one projected point per point");
        let mut site_xy: Vec<[f64; 2]> = Vec::new();
        let mut site_lonlat: Vec<(f64, f64)> = Vec::new();
        let mut site_of = Vec::with_capacity(xy.len());
        let mut seen: HashMap<(u64, u64), usize> = HashMap::with_capacity(xy.len());
        for (&p, &ll) in xy.iter().zip(lonlat) {
            let q = clean(p);
            let key = (q[0].to_bits(), q[1].to_bits());
            let s = *seen.entry(key).or_insert_with(|| {
                site_xy.push(q);
                site_lonlat.push(ll);
                site_xy.len() - 1
            });
            site_of.push(s);
        }
        let neighbours = if collinear(&site_lonlat) {
            along_line(&site_xy)
        } else {
            triangulate(&site_xy).unwrap_or_else(|| along_line(&site_xy))
        };
        Sites {
            xy: site_xy,
            site_of,
            neighbours,
        }
    }
}

/// A position spade accepts and compares as the same point whenever it is
/// the same point: no negative zero, no subnormal underflow.
fn clean(p: [f64; 2]) -> [f64; 2] {
    let q = spade::mitigate_underflow(Point2::new(p[0], p[1]));
    // Adding +0.0 turns -0.0 into +0.0 and leaves every other value alone.
    [q.x + 0.0, q.y + 0.0]
}

/// Whether all points lie on one line (exact predicate; true for fewer than
/// three distinct points).
fn collinear(points: &[(f64, f64)]) -> bool {
    let c = |p: (f64, f64)| Coord { x: p.0, y: p.1 };
    let Some(&a) = points.first() else {
        return true;
    };
    let Some(&b) = points.iter().find(|&&p| c(p) != c(a)) else {
        return true;
    };
    points
        .iter()
        .all(|&p| RobustKernel::orient2d(c(a), c(b), c(p)) == Orientation::Collinear)
}

/// Delaunay neighbours of distinct sites, or `None` if spade refuses a
/// coordinate (out of its range).
fn triangulate(sites: &[[f64; 2]]) -> Option<Vec<Vec<usize>>> {
    let vertices: Vec<Point2<f64>> = sites.iter().map(|p| Point2::new(p[0], p[1])).collect();
    // Stable bulk loading keeps vertex i at site i.
    let dt = DelaunayTriangulation::<Point2<f64>>::bulk_load_stable(vertices).ok()?;
    if dt.num_vertices() != sites.len() {
        return None;
    }
    let mut neighbours = vec![Vec::new(); sites.len()];
    for e in dt.undirected_edges() {
        let [a, b] = e.vertices();
        let (a, b) = (a.fix().index(), b.fix().index());
        if a != b {
            neighbours[a].push(b);
            neighbours[b].push(a);
        }
    }
    for n in &mut neighbours {
        n.sort_unstable();
        n.dedup();
    }
    Some(neighbours)
}

/// Sites on one line, or a fallback for sites spade cannot take:
/// consecutive sites in sorted order.
fn along_line(sites: &[[f64; 2]]) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..sites.len()).collect();
    order.sort_by(|&a, &b| {
        sites[a][0]
            .total_cmp(&sites[b][0])
            .then(sites[a][1].total_cmp(&sites[b][1]))
            .then(a.cmp(&b))
    });
    let mut neighbours = vec![Vec::new(); sites.len()];
    for w in order.windows(2) {
        neighbours[w[0]].push(w[1]);
        neighbours[w[1]].push(w[0]);
    }
    for n in &mut neighbours {
        n.sort_unstable();
    }
    neighbours
}

/// Delaunay neighbours of points given as (lon, lat) in degrees,
/// triangulated in the local equirectangular projection at the points' mean
/// latitude.
///
/// Returns, per point, its neighbours ascending, without duplicates and
/// never itself. Points at exactly the same position are neighbours of each
/// other and each has the Delaunay neighbours of their shared site (all the
/// points there). With fewer than three distinct sites, or all of them on
/// one line, sites are neighbours along the line.
///
/// ```
/// use catchment::zones::adjacency::delaunay_neighbours;
///
/// // Three in a row: the ends do not touch.
/// let n = delaunay_neighbours(&[(111.0, 39.0), (111.01, 39.0), (111.02, 39.0)]);
/// assert_eq!(n, vec![vec![1], vec![0, 2], vec![1]]);
/// // The same position twice: neighbours of each other.
/// assert_eq!(delaunay_neighbours(&[(1.0, 2.0), (1.0, 2.0)]), vec![vec![1], vec![0]]);
/// ```
pub fn delaunay_neighbours(points: &[(f64, f64)]) -> Vec<Vec<usize>> {
    let projection = projection_for(points);
    let mut xy: Vec<[f64; 2]> = points
        .iter()
        .map(|&(lon, lat)| projection.xy(lon, lat))
        .collect();
    // Centred on the points' box: metres from the equator and meridian are
    // millions, and the exact predicates of the triangulation fall back to
    // their slow path far more often on coordinates that large (a province
    // triangulated 8x slower).
    if let Some(&first) = xy.first() {
        let (lo, hi) = xy.iter().fold((first, first), |(lo, hi), p| {
            (
                [lo[0].min(p[0]), lo[1].min(p[1])],
                [hi[0].max(p[0]), hi[1].max(p[1])],
            )
        });
        let c = [(lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0];
        for p in &mut xy {
            *p = [p[0] - c[0], p[1] - c[1]];
        }
    }
    let sites = Sites::new(&xy, points);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); sites.xy.len()];
    for (i, &s) in sites.site_of.iter().enumerate() {
        members[s].push(i);
    }
    sites
        .site_of
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            let mut n: Vec<usize> = members[s].iter().copied().filter(|&j| j != i).collect();
            for &t in &sites.neighbours[s] {
                n.extend_from_slice(&members[t]);
            }
            n.sort_unstable();
            n
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_single() {
        assert!(delaunay_neighbours(&[]).is_empty());
        assert_eq!(
            delaunay_neighbours(&[(111.0, 39.0)]),
            vec![Vec::<usize>::new()]
        );
    }

    #[test]
    fn two_points_touch() {
        assert_eq!(
            delaunay_neighbours(&[(111.0, 39.0), (111.5, 39.2)]),
            vec![vec![1], vec![0]]
        );
    }

    #[test]
    fn collinear_points_touch_along_the_line() {
        // Given out of order along a diagonal.
        let pts = [(0.03, 0.03), (0.0, 0.0), (0.02, 0.02), (0.01, 0.01)];
        assert_eq!(
            delaunay_neighbours(&pts),
            vec![vec![2], vec![3], vec![0, 3], vec![1, 2]]
        );
    }

    #[test]
    fn square_with_centre() {
        // The centre touches all four corners; each corner touches its two
        // sides and the centre, never the opposite corner.
        let pts = [
            (0.0, 0.0),
            (0.01, 0.0),
            (0.01, 0.01),
            (0.0, 0.01),
            (0.005, 0.005),
        ];
        let n = delaunay_neighbours(&pts);
        assert_eq!(n[4], vec![0, 1, 2, 3]);
        assert_eq!(n[0], vec![1, 3, 4]);
        assert_eq!(n[2], vec![1, 3, 4]);
    }

    #[test]
    fn duplicates_share_their_site() {
        let pts = [
            (0.0, 0.0),
            (0.01, 0.0),
            (0.0, 0.0),
            (0.0, 0.01),
            (-0.0, 0.0),
        ];
        let n = delaunay_neighbours(&pts);
        assert_eq!(n[0], vec![1, 2, 3, 4]);
        assert_eq!(n[2], vec![0, 1, 3, 4]);
        assert_eq!(n[4], vec![0, 1, 2, 3]);
        assert_eq!(n[1], vec![0, 2, 3, 4]);
    }

    #[test]
    fn all_identical() {
        let n = delaunay_neighbours(&[(5.0, 5.0); 3]);
        assert_eq!(n, vec![vec![1, 2], vec![0, 2], vec![0, 1]]);
    }

    #[test]
    fn sites_number_in_order_of_first_point() {
        let s = Sites::new(
            &[[1.0, 1.0], [0.0, 0.0], [1.0, 1.0]],
            &[(1.0, 1.0), (0.0, 0.0), (1.0, 1.0)],
        );
        assert_eq!(s.site_of, vec![0, 1, 0]);
        assert_eq!(s.xy, vec![[1.0, 1.0], [0.0, 0.0]]);
    }
}
