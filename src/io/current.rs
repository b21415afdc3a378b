//! `current.geojson`: today's catchments, one Polygon or MultiPolygon per
//! school (and level), against which a plan's moves are counted.
//!
//! Properties: `school_id` (string or integer; required), `level`
//! (`primary` | `junior`; optional: without it the zone applies to every
//! level its school takes catchment at), `id` (optional; a label for
//! messages). Whether the school exists and teaches the level is checked
//! against `schools.geojson` when the inputs are loaded, not here.

use super::error::{InputError, InputErrors, show};
use super::geojson::{
    feature_at, features, polygons, properties_and_opt_id, read_text, text_from_bytes,
};
use crate::model::Level;
use geo::MultiPolygon;
use serde_json::Value;
use std::path::Path;

/// One feature of `current.geojson`.
#[derive(Clone, Debug, PartialEq)]
pub struct CurrentZone {
    /// Feature index in the file (0-based), for messages and tie-breaks.
    pub index: usize,
    pub id: Option<String>,
    pub school_id: String,
    /// `None`: every level the school takes catchment at.
    pub level: Option<Level>,
    pub area: MultiPolygon<f64>,
}

impl CurrentZone {
    /// Where the zone is, for messages: `feature 3 (id "Z4")`.
    pub fn at(&self) -> String {
        feature_at(self.index, self.id.as_deref())
    }
}

/// Read and check `current.geojson`; every feature's problem is reported.
pub fn read_current(path: &Path) -> Result<Vec<CurrentZone>, InputErrors> {
    let file = path.display().to_string();
    let text = read_text(path)?;
    current_from_str(&text, &file)
}

/// [`read_current`] on the bytes of a file named `file`.
pub fn current_from_bytes(bytes: &[u8], file: &str) -> Result<Vec<CurrentZone>, InputErrors> {
    current_from_str(&text_from_bytes(bytes, file)?, file)
}

/// [`read_current`] on the text of a file named `file`.
pub fn current_from_str(text: &str, file: &str) -> Result<Vec<CurrentZone>, InputErrors> {
    let file = file.to_string();
    let feats = features(text, &file)?;
    let mut errs = InputErrors::default();
    let mut out = Vec::with_capacity(feats.len());
    for (index, f) in feats.iter().enumerate() {
        match zone(f, index, &file) {
            Ok(z) => out.push(z),
            Err(e) => errs.push(e),
        }
    }
    errs.into_result(out)
}

fn zone(f: &Value, index: usize, file: &str) -> Result<CurrentZone, InputError> {
    let (props, id) = properties_and_opt_id(f, index, file)?;
    let at = feature_at(index, id.as_deref());
    let err = |field: &str, exp: &str, found: String| {
        InputError::new(file, exp, found).at(&at).field(field)
    };
    let school_id = match props.get("school_id") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => n.to_string(),
        Some(v) => {
            return Err(err(
                "school_id",
                "a school id (a non-empty string or integer)",
                show(v),
            ));
        }
        None => {
            return Err(err(
                "school_id",
                "the `school_id` of the school whose catchment this is",
                "none".into(),
            ));
        }
    };
    let level = match props.get("level") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim() == "primary" => Some(Level::Primary),
        Some(Value::String(s)) if s.trim() == "junior" => Some(Level::Junior),
        Some(v) => {
            return Err(err(
                "level",
                "\"primary\" or \"junior\" (or no `level`: every level the school takes)",
                show(v),
            ));
        }
    };
    let expected = "a Polygon or MultiPolygon geometry";
    let geom = match f.get("geometry") {
        None => return Err(err("geometry", expected, "no `geometry` member".into())),
        Some(Value::Null) => return Err(err("geometry", expected, "null".into())),
        Some(g) => serde_json::from_value::<::geojson::Geometry>(g.clone())
            .map_err(|e| err("geometry", "a valid GeoJSON geometry", e.to_string()))?,
    };
    let area = MultiPolygon(polygons(geom, file, &at)?);
    if area.0.is_empty() {
        return Err(err("geometry", "at least one polygon", "none".into()));
    }
    Ok(CurrentZone {
        index,
        id,
        school_id,
        level,
        area,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file(text: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::Builder::new()
            .suffix(".geojson")
            .tempfile()
            .expect("temp file");
        f.write_all(text).expect("write");
        f
    }

    const SQUARE: &str = r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}"#;

    #[test]
    fn a_valid_file_reads() {
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[
{{"type":"Feature","properties":{{"id":"Z1","school_id":"P1","level":"primary"}},"geometry":{SQUARE}}},
{{"type":"Feature","id":7,"properties":{{"school_id":12}},"geometry":{{"type":"MultiPolygon","coordinates":[
  [[[2,0],[3,0],[3,1],[2,1],[2,0]]],[[[4,0],[5,0],[5,1],[4,1],[4,0]]]]}}}},
{{"type":"Feature","properties":{{"school_id":" J1 ","level":null}},"geometry":{SQUARE}}}
]}}"#
        );
        let f = file(text.as_bytes());
        let z = read_current(f.path()).expect("valid");
        assert_eq!(z.len(), 3);
        assert_eq!(
            (z[0].index, z[0].id.as_deref(), z[0].school_id.as_str()),
            (0, Some("Z1"), "P1")
        );
        assert_eq!(z[0].level, Some(Level::Primary));
        assert_eq!(z[0].area.0.len(), 1);
        assert_eq!(
            (z[1].id.as_deref(), z[1].school_id.as_str()),
            (Some("7"), "12")
        );
        assert_eq!(z[1].level, None);
        assert_eq!(z[1].area.0.len(), 2);
        assert_eq!((z[2].id.as_deref(), z[2].school_id.as_str()), (None, "J1"));
        assert_eq!(z[2].at(), "feature 2");
    }

    #[test]
    fn a_bom_is_dropped() {
        let text = format!(
            "\u{feff}{{\"type\":\"FeatureCollection\",\"features\":[{{\"type\":\"Feature\",\
             \"properties\":{{\"school_id\":\"P1\"}},\"geometry\":{SQUARE}}}]}}"
        );
        let f = file(text.as_bytes());
        assert_eq!(read_current(f.path()).expect("valid").len(), 1);
    }

    #[test]
    fn every_bad_feature_is_reported_with_its_place() {
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[
{{"type":"Feature","properties":{{"id":"A"}},"geometry":{SQUARE}}},
{{"type":"Feature","properties":{{"school_id":"P1","level":"nine_year"}},"geometry":{SQUARE}}},
{{"type":"Feature","properties":{{"id":"C","school_id":"P1"}},"geometry":{{"type":"Point","coordinates":[0,0]}}}},
{{"type":"Feature","properties":{{"school_id":"P1"}},"geometry":{{"type":"Polygon","coordinates":[[[0,0],[1,1],[0,0]]]}}}},
{{"type":"Feature","properties":{{"school_id":["P1"]}},"geometry":null}}
]}}"#
        );
        let f = file(text.as_bytes());
        let errs = read_current(f.path()).expect_err("invalid");
        let msgs: Vec<String> = errs.errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(msgs.len(), 5, "{msgs:#?}");
        assert!(
            msgs[0].ends_with(
                ": feature 0 (id \"A\"): field `school_id`: expected the `school_id` of the school \
                 whose catchment this is, found none"
            ),
            "{}",
            msgs[0]
        );
        assert!(
            msgs[1].contains(": feature 1: field `level`: expected \"primary\" or \"junior\"")
                && msgs[1].ends_with("found \"nine_year\""),
            "{}",
            msgs[1]
        );
        assert!(
            msgs[2].ends_with(
                ": feature 2 (id \"C\"): field `geometry`: expected a Polygon or MultiPolygon, found a Point"
            ),
            "{}",
            msgs[2]
        );
        assert!(
            msgs[3].ends_with(
                ": feature 3: field `geometry`: expected polygon rings of at least 4 positions \
                 (a closed ring), found a ring of 3 positions"
            ),
            "{}",
            msgs[3]
        );
        assert!(msgs[4].contains("field `school_id`"), "{}", msgs[4]);
    }
}
