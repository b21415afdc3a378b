//! `boundary.geojson`: the county outline (Polygon or MultiPolygon).

use super::error::{InputError, show};
use super::geojson::{check_crs, parse_json, read_text};
use geo::{MultiPolygon, Polygon};
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
        match gg {
            geo::Geometry::Polygon(p) => polys.push(p),
            geo::Geometry::MultiPolygon(mp) => polys.extend(mp.0),
            _ => {
                return Err(InputError::new(
                    &file,
                    "a Polygon or MultiPolygon",
                    format!("a {kind}"),
                )
                .at(&at)
                .field("geometry"));
            }
        }
    }
    if polys.is_empty() {
        return Err(InputError::new(&file, "at least one polygon", "none"));
    }
    for p in &polys {
        for c in p
            .exterior()
            .coords()
            .chain(p.interiors().iter().flat_map(|r| r.coords()))
        {
            if !c.x.is_finite() || !c.y.is_finite() || c.x.abs() > 180.0 || c.y.abs() > 90.0 {
                return Err(InputError::new(
                    &file,
                    "lon in -180..180 and lat in -90..90",
                    format!("[{}, {}]", c.x, c.y),
                )
                .field("geometry"));
            }
        }
    }
    Ok(MultiPolygon(polys))
}
