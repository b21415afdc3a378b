//! `boundary.geojson`: the county outline (Polygon or MultiPolygon).

use super::error::{InputError, show};
use super::geojson::{check_crs, parse_json, polygons, read_text, text_from_bytes};
use geo::{MultiPolygon, Polygon};
use serde_json::Value;
use std::path::Path;

pub fn read_boundary(path: &Path) -> Result<MultiPolygon<f64>, InputError> {
    let file = path.display().to_string();
    let text = read_text(path)?;
    boundary_from_str(&text, &file)
}

/// [`read_boundary`] on the bytes of a file named `file`.
pub fn boundary_from_bytes(bytes: &[u8], file: &str) -> Result<MultiPolygon<f64>, InputError> {
    boundary_from_str(&text_from_bytes(bytes, file)?, file)
}

/// [`read_boundary`] on the text of a file named `file`.
pub fn boundary_from_str(text: &str, file: &str) -> Result<MultiPolygon<f64>, InputError> {
    let file = file.to_string();
    let root = parse_json(text, &file)?;
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
        polys.extend(polygons(g, &file, &at)?);
    }
    if polys.is_empty() {
        return Err(InputError::new(&file, "at least one polygon", "none"));
    }
    Ok(MultiPolygon(polys))
}
