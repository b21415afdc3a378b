//! Writes `data/wuzhai/current.geojson`: SYNTHETIC "current catchments" for
//! the bundled example, so `plan` can report moves and the stability sweep.
//! Today's zones are drawn as a bureau might have drawn them years ago:
//! every public school's straight-line nearest area (Voronoi cells of the
//! school points, per level, clipped to the county boundary), ignoring
//! seats and roads. Deterministic: two runs write the same bytes.
//!
//!     cargo run --release --example gen_current

use catchment::io::{read_boundary, read_schools};
use catchment::model::Level;
use catchment::zones::geometry::zone_polygons;
use serde_json::json;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/wuzhai");
    let schools = read_schools(&dir.join("schools.geojson")).expect("schools");
    let boundary = read_boundary(&dir.join("boundary.geojson")).expect("boundary");
    let mut features = Vec::new();
    for level in Level::ALL {
        let idx: Vec<usize> = (0..schools.len())
            .filter(|&j| schools[j].takes_catchment(level))
            .collect();
        let pts: Vec<(f64, f64)> = idx
            .iter()
            .map(|&j| (schools[j].lon, schools[j].lat))
            .collect();
        let labels: Vec<Option<usize>> = (0..idx.len()).map(Some).collect();
        let zones = zone_polygons(&pts, &labels, idx.len(), &boundary);
        for (k, mp) in zones.iter().enumerate() {
            if mp.0.is_empty() {
                continue;
            }
            let ring = |r: &geo::LineString<f64>| -> Vec<[f64; 2]> {
                r.0.iter()
                    .map(|c| [(c.x * 1e6).round() / 1e6, (c.y * 1e6).round() / 1e6])
                    .collect()
            };
            let polys: Vec<Vec<Vec<[f64; 2]>>> =
                mp.0.iter()
                    .map(|p| {
                        std::iter::once(ring(p.exterior()))
                            .chain(p.interiors().iter().map(ring))
                            .collect()
                    })
                    .collect();
            let s = &schools[idx[k]];
            features.push(json!({
                "type": "Feature",
                "properties": {"school_id": s.id, "level": level.as_str(), "name": s.name},
                "geometry": {"type": "MultiPolygon", "coordinates": polys},
            }));
        }
    }
    let fc = json!({
        "type": "FeatureCollection",
        "name": "current catchments (SYNTHETIC example: nearest school by straight line)",
        "features": features,
    });
    let out = dir.join("current.geojson");
    std::fs::write(&out, format!("{fc}\n")).expect("write");
    eprintln!(
        "wrote {} ({} zones)",
        out.display(),
        fc["features"].as_array().map_or(0, |a| a.len())
    );
}
