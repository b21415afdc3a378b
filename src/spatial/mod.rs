//! Distances and candidate search. Straight-line travel is the haversine
//! distance on the mean Earth sphere (R = 6,371,008.8 m), as `geo`'s
//! `Haversine`.

use geo::{Distance, Haversine, Point};
use rstar::RTree;
use rstar::primitives::GeomWithData;

pub mod coords;
pub mod network;

pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance in metres between two lon/lat points.
pub fn haversine_m(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    Haversine.distance(Point::new(lon1, lat1), Point::new(lon2, lat2))
}

/// Metres to whole millimetres, the cost unit of the assignment model.
pub fn to_mm(m: f64) -> i64 {
    (m * 1000.0).round() as i64
}

fn unit_vector(lon: f64, lat: f64) -> [f64; 3] {
    let (lo, la) = (lon.to_radians(), lat.to_radians());
    [la.cos() * lo.cos(), la.cos() * lo.sin(), la.sin()]
}

/// Points indexed on the unit sphere, so a radius query is exact on the
/// sphere with no projection error anywhere on Earth: the chord length is a
/// monotone function of the great-circle distance.
pub struct SphereIndex {
    tree: RTree<GeomWithData<[f64; 3], usize>>,
}

impl SphereIndex {
    pub fn new(points: impl IntoIterator<Item = (f64, f64)>) -> SphereIndex {
        let items = points
            .into_iter()
            .enumerate()
            .map(|(i, (lon, lat))| GeomWithData::new(unit_vector(lon, lat), i))
            .collect();
        SphereIndex {
            tree: RTree::bulk_load(items),
        }
    }

    /// Indices of the points within `radius_m` (great circle) of the point,
    /// with a small margin: callers filter by the exact haversine distance.
    pub fn within(&self, lon: f64, lat: f64, radius_m: f64) -> Vec<usize> {
        let q = unit_vector(lon, lat);
        let angle = (radius_m / EARTH_RADIUS_M).min(std::f64::consts::PI);
        let chord = 2.0 * (angle / 2.0).sin() * (1.0 + 1e-9) + 1e-12;
        let mut out: Vec<usize> = self
            .tree
            .locate_within_distance(q, chord * chord)
            .map(|g| g.data)
            .collect();
        out.sort_unstable();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_degree_of_latitude() {
        let d = haversine_m(111.0, 38.0, 111.0, 39.0);
        let expect = EARTH_RADIUS_M * 1f64.to_radians();
        assert!((d - expect).abs() < 1e-6, "{d} vs {expect}");
    }

    #[test]
    fn radius_query_matches_brute_force() {
        let pts: Vec<(f64, f64)> = (0..400)
            .map(|i| {
                let f = i as f64;
                (
                    111.5 + (f * 0.6180339).fract() * 0.8,
                    38.6 + (f * 0.41421).fract() * 0.7,
                )
            })
            .collect();
        let idx = SphereIndex::new(pts.iter().copied());
        for &(lon, lat) in pts.iter().step_by(37) {
            for r in [500.0, 3000.0, 10000.0] {
                let got: Vec<usize> = idx
                    .within(lon, lat, r)
                    .into_iter()
                    .filter(|&i| haversine_m(lon, lat, pts[i].0, pts[i].1) <= r)
                    .collect();
                let want: Vec<usize> = (0..pts.len())
                    .filter(|&i| haversine_m(lon, lat, pts[i].0, pts[i].1) <= r)
                    .collect();
                assert_eq!(got, want);
            }
        }
    }
}
