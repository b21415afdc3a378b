//! `boundary.geojson`: the county outline (Polygon or MultiPolygon).

use super::error::{InputError, show};
use super::geojson::{check_crs, parse_json, read_text};
use geo::{Area, MultiPolygon, Polygon};
use serde_json::Value;
use std::path::Path;

pub fn read_boundary(path: &Path) -> Result<MultiPolygon<f64>, InputError> {
    let file = path.display().to_string();
    let text = read_text(path)?;
    let root = parse_json(&text, &file)?;
    let Value::Object(obj) = &root else {
        return Err(InputError::new(&file, "a GeoJSON object", show(&root)));
    };
    check_crs(obj, &file)?;
    let gj = text
        .parse::<geojson::GeoJson>()
        .map_err(|e| InputError::new(&file, "valid GeoJSON", e.to_string()))?;
    let geoms: Vec<(String, geojson::Geometry)> = match gj {
        geojson::GeoJson::Geometry(g) => vec![("the geometry".into(), g)],
        geojson::GeoJson::Feature(f) => vec![(
            "feature 0".into(),
            f.geometry.ok_or_else(|| {
                InputError::new(&file, "a Polygon or MultiPolygon geometry", "null")
                    .at("feature 0")
                    .field("geometry")
            })?,
        )],
        geojson::GeoJson::FeatureCollection(fc) => {
            let mut v = Vec::new();
            for (i, f) in fc.features.into_iter().enumerate() {
                let at = format!("feature {i}");
                let g = f.geometry.ok_or_else(|| {
                    InputError::new(&file, "a Polygon or MultiPolygon geometry", "null")
                        .at(&at)
                        .field("geometry")
                })?;
                v.push((at, g));
            }
            v
        }
    };
    let mut polys: Vec<Polygon<f64>> = Vec::new();
    for (at, g) in geoms {
        let kind = g.value.type_name();
        let gg: geo::Geometry<f64> = g.try_into().map_err(|e: geojson::Error| {
            InputError::new(&file, "a valid geometry", e.to_string()).at(&at)
        })?;
        let found = match gg {
            geo::Geometry::Polygon(p) => vec![p],
            geo::Geometry::MultiPolygon(mp) => mp.0,
            _ => {
                return Err(InputError::new(
                    &file,
                    "a Polygon or MultiPolygon",
                    format!("a {kind}"),
                )
                .at(&at)
                .field("geometry"));
            }
        };
        for p in found {
            check_polygon(&p, &file, &at)?;
            polys.push(p);
        }
    }
    if polys.is_empty() {
        return Err(InputError::new(&file, "at least one polygon", "none"));
    }
    Ok(MultiPolygon(polys))
}

/// Rings of at least four positions (closed), coordinates in range, and a
/// non-zero area.
fn check_polygon(p: &Polygon<f64>, file: &str, at: &str) -> Result<(), InputError> {
    let err = |exp: &str, found: String| InputError::new(file, exp, found).at(at).field("geometry");
    for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
        if ring.0.len() < 4 {
            return Err(err(
                "polygon rings of at least 4 positions (a closed ring)",
                format!("a ring of {} positions", ring.0.len()),
            ));
        }
        for c in ring.coords() {
            if !c.x.is_finite() || !c.y.is_finite() || c.x.abs() > 180.0 || c.y.abs() > 90.0 {
                return Err(err(
                    "lon in -180..180 and lat in -90..90",
                    format!("[{}, {}]", c.x, c.y),
                ));
            }
        }
    }
    if p.unsigned_area() <= 0.0 {
        return Err(err(
            "a polygon with an area",
            "a polygon of zero area".into(),
        ));
    }
    Ok(())
}
