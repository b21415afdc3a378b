//! Delaunay neighbours of the demand units: which units touch, for
//! contiguity of zones and moves between them.
//!
//! Points are triangulated in a local metric projection (equirectangular at
//! their mean latitude), where the Delaunay triangulation is that of
//! distances as the planner sees them on a county map. Points at exactly the
//! same position share one site.

use geo::Coord;
use geo::algorithm::kernels::{Kernel, Orientation, RobustKernel};
use spade::{DelaunayTriangulation, HasPosition, Point2, Triangulation};

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

/// Neighbour lists of nodes `0..len()` in compressed rows (a province's
/// two million units have a dozen million entries: one list each would
/// cost ten times the memory and a second to allocate).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Neighbours {
    start: Vec<usize>,
    list: Vec<u32>,
}

impl Neighbours {
    /// From one list per node (each list's order is kept).
    pub fn from_lists(lists: &[Vec<usize>]) -> Neighbours {
        let mut g = Neighbours::with_rows(lists.len());
        for l in lists {
            g.push_row(l.iter().map(|&x| x as u32));
        }
        g
    }

    fn with_rows(n: usize) -> Neighbours {
        let mut start = Vec::with_capacity(n + 1);
        start.push(0);
        Neighbours {
            start,
            list: Vec::new(),
        }
    }

    /// Append the next node's list, sorted.
    fn push_row(&mut self, row: impl IntoIterator<Item = u32>) {
        let from = self.list.len();
        self.list.extend(row);
        self.list[from..].sort_unstable();
        self.start.push(self.list.len());
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.start.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The neighbours of node `i`.
    pub fn of(&self, i: usize) -> &[u32] {
        &self.list[self.start[i]..self.start[i + 1]]
    }

    /// One list per node.
    pub fn to_lists(&self) -> Vec<Vec<usize>> {
        (0..self.len())
            .map(|i| self.of(i).iter().map(|&x| x as usize).collect())
            .collect()
    }

    /// The same graph on `n` nodes, node `a` renamed `ids[a]` (ascending
    /// ids keep every list ascending); nodes not named have no neighbours.
    pub fn spread(&self, ids: &[usize], n: usize) -> Neighbours {
        assert_eq!(ids.len(), self.len(), "one id per node");
        let mut row_of = vec![usize::MAX; n];
        for (a, &i) in ids.iter().enumerate() {
            row_of[i] = a;
        }
        let mut g = Neighbours::with_rows(n);
        for &a in &row_of {
            match a {
                usize::MAX => g.push_row([]),
                a => g.push_row(self.of(a).iter().map(|&b| ids[b as usize] as u32)),
            }
        }
        g
    }
}

/// Points merged into distinct sites, with the Delaunay neighbours of each
/// site.
pub(crate) struct Sites {
    /// Position of each site, in the coordinates given to [`Sites::new`].
    pub xy: Vec<[f64; 2]>,
    /// Site of each input point.
    pub site_of: Vec<usize>,
    /// Delaunay neighbours of each site, ascending, never itself.
    pub neighbours: Neighbours,
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
        // Equal positions by sorting (ties by index: a run's first is its
        // lowest point), then sites numbered in order of lowest point.
        let cleaned: Vec<[f64; 2]> = xy.iter().map(|&p| clean(p)).collect();
        let mut order: Vec<(u64, u64, u32)> = cleaned
            .iter()
            .enumerate()
            .map(|(i, q)| (q[0].to_bits(), q[1].to_bits(), i as u32))
            .collect();
        order.sort_unstable();
        let mut first = vec![0usize; xy.len()];
        for w in order.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
            for &(_, _, i) in w {
                first[i as usize] = w[0].2 as usize;
            }
        }
        drop(order);
        let mut site_xy: Vec<[f64; 2]> = Vec::new();
        let mut site_lonlat: Vec<(f64, f64)> = Vec::new();
        let mut site_of: Vec<usize> = Vec::with_capacity(xy.len());
        for i in 0..xy.len() {
            let s = if first[i] == i {
                site_xy.push(cleaned[i]);
                site_lonlat.push(lonlat[i]);
                site_xy.len() - 1
            } else {
                site_of[first[i]]
            };
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

/// A site for spade, carrying its index (the bulk load reorders them).
#[derive(Clone, Copy)]
struct Site {
    at: Point2<f64>,
    index: u32,
}

impl HasPosition for Site {
    type Scalar = f64;
    fn position(&self) -> Point2<f64> {
        self.at
    }
}

/// Delaunay neighbours of distinct sites, or `None` if spade refuses a
/// coordinate (out of its range).
fn triangulate(sites: &[[f64; 2]]) -> Option<Neighbours> {
    let vertices: Vec<Site> = sites
        .iter()
        .enumerate()
        .map(|(i, p)| Site {
            at: Point2::new(p[0], p[1]),
            index: i as u32,
        })
        .collect();
    let dt = DelaunayTriangulation::<Site>::bulk_load(vertices).ok()?;
    if dt.num_vertices() != sites.len() {
        return None;
    }
    // Rows in site order, filled walking the edges in the triangulation's
    // own order (walking round each site in site order jumps about its
    // memory: seconds at a province): first each row's length, then its
    // entries.
    let ends = |e: spade::handles::UndirectedEdgeHandle<'_, Site, (), (), ()>| {
        let [a, b] = e.vertices();
        (a.data().index as usize, b.data().index as usize)
    };
    let mut start = vec![0usize; sites.len() + 1];
    for e in dt.undirected_edges() {
        let (a, b) = ends(e);
        if a != b {
            start[a + 1] += 1;
            start[b + 1] += 1;
        }
    }
    for i in 0..sites.len() {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut list = vec![0u32; start[sites.len()]];
    for e in dt.undirected_edges() {
        let (a, b) = ends(e);
        if a != b {
            list[fill[a]] = b as u32;
            fill[a] += 1;
            list[fill[b]] = a as u32;
            fill[b] += 1;
        }
    }
    drop(dt);
    let mut g = Neighbours::with_rows(sites.len());
    for i in 0..sites.len() {
        g.push_row(list[start[i]..start[i + 1]].iter().copied());
    }
    // Rows from a DCEL hold each neighbour once; kept exact all the same.
    Some(dedup_rows(g))
}

/// Each row without repeats (rows are sorted).
fn dedup_rows(g: Neighbours) -> Neighbours {
    let mut out = Neighbours::with_rows(g.len());
    for i in 0..g.len() {
        let mut row = g.of(i).to_vec();
        row.dedup();
        out.push_row(row);
    }
    out
}

/// Sites on one line, or a fallback for sites spade cannot take:
/// consecutive sites in sorted order.
fn along_line(sites: &[[f64; 2]]) -> Neighbours {
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
    Neighbours::from_lists(&neighbours)
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
    delaunay_graph(points).to_lists()
}

/// [`delaunay_neighbours`] in compressed rows.
pub fn delaunay_graph(points: &[(f64, f64)]) -> Neighbours {
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
    if sites.xy.len() == points.len() {
        // Every point its own site (numbered as the points).
        return sites.neighbours;
    }
    // Points sharing a site: each other's neighbours, and all of the
    // neighbouring sites' points.
    let mut member_start = vec![0usize; sites.xy.len() + 1];
    for &s in &sites.site_of {
        member_start[s + 1] += 1;
    }
    for s in 0..sites.xy.len() {
        member_start[s + 1] += member_start[s];
    }
    let mut fill = member_start.clone();
    let mut members = vec![0u32; points.len()];
    for (i, &s) in sites.site_of.iter().enumerate() {
        members[fill[s]] = i as u32;
        fill[s] += 1;
    }
    let members_of = |s: usize| &members[member_start[s]..member_start[s + 1]];
    let mut g = Neighbours::with_rows(points.len());
    for (i, &s) in sites.site_of.iter().enumerate() {
        let own = members_of(s).iter().copied().filter(|&j| j as usize != i);
        let around = sites
            .neighbours
            .of(s)
            .iter()
            .flat_map(|&t| members_of(t as usize).iter().copied());
        g.push_row(own.chain(around));
    }
    g
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
