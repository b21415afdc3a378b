//! Catchment zones: the rules a bureau can adopt, their geometry, and zones
//! through the command line.

mod cli;
mod geometry;
mod rules;

use geo::MultiPolygon;
use std::path::Path;

/// The polygons of a boundary file (a FeatureCollection of polygons), as one
/// multipolygon.
fn read_boundary(path: &Path) -> MultiPolygon<f64> {
    let text = std::fs::read_to_string(path).expect("a boundary file");
    let gj: geojson::GeoJson = text.parse().expect("GeoJSON");
    let geojson::GeoJson::FeatureCollection(fc) = gj else {
        panic!("a FeatureCollection");
    };
    let mut polygons = Vec::new();
    for f in fc.features {
        let g: geo::Geometry<f64> = f.geometry.expect("a geometry").try_into().expect("geo");
        match g {
            geo::Geometry::Polygon(p) => polygons.push(p),
            geo::Geometry::MultiPolygon(mp) => polygons.extend(mp.0),
            other => panic!("not a polygon: {other:?}"),
        }
    }
    MultiPolygon::new(polygons)
}
