//! `catchment convert`: a GeoJSON file from Amap/Gaode (GCJ-02) or Baidu
//! (BD-09) coordinates to WGS84, every position of every geometry
//! (GeometryCollection included), properties and other members kept.

use super::CliError;
use crate::io::InputError;
use crate::io::error::show;
use crate::io::geojson::{check_crs, parse_json, read_text};
use crate::io::output::write_file_atomic;
use crate::spatial::coords::{CoordSystem, out_of_china};
use crate::spatial::haversine_m;
use clap::Args;
use serde_json::Value;
use std::path::PathBuf;

pub const ABOUT: &str =
    "Convert a GeoJSON file from Amap (GCJ-02) or Baidu (BD-09) coordinates to WGS84";

pub const AFTER_HELP: &str = "\
Examples:
  catchment convert --from gcj02 schools_amap.geojson schools.geojson
  catchment convert --from bd09 villages_baidu.geojson villages.geojson

Every position of every geometry is converted (Point to GeometryCollection); properties
and other members are kept (written with their keys in sorted order), a `bbox` is
recomputed. Positions outside China are kept as they are (the offsets apply in China
only). The inverse of the published formulas is solved to within 1e-9 degrees (0.1 mm),
and written with 9 decimals.
To convert while planning instead, give --coords gcj02|bd09 to plan or validate.
OUT is written whole or not at all. Exit codes: 0 converted, 2 bad input or usage
(nothing written), 3 the file could not be written.";

#[derive(Args, Debug, Clone)]
pub struct ConvertArgs {
    /// The coordinate system of IN: gcj02 (Amap/Gaode, Tencent) or bd09 (Baidu).
    #[arg(
        long,
        value_name = "SYSTEM",
        value_parser = clap::builder::TypedValueParser::map(
            clap::builder::PossibleValuesParser::new(["gcj02", "bd09"]),
            |s: String| CoordSystem::parse(&s).unwrap_or_default()
        )
    )]
    pub from: CoordSystem,
    /// The GeoJSON file to convert (UTF-8).
    #[arg(value_name = "IN")]
    pub input: PathBuf,
    /// The WGS84 GeoJSON file to write.
    #[arg(value_name = "OUT")]
    pub output: PathBuf,
}

/// What a conversion did, for the report line.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Converted {
    pub positions: usize,
    /// Positions outside China, kept as they are.
    pub outside: usize,
    /// Smallest and largest shift of a converted position, metres.
    pub min_shift_m: f64,
    pub max_shift_m: f64,
}

pub fn run(args: &ConvertArgs) -> Result<i32, CliError> {
    if args.output.is_dir() {
        return Err(CliError::Usage(format!(
            "OUT {} is a folder: give the path of the file to write",
            args.output.display()
        )));
    }
    let file = args.input.display().to_string();
    let text = read_text(&args.input)?;
    let mut root = parse_json(&text, &file)?;
    let done = convert_geojson(&mut root, args.from, &file)?;
    let mut bytes = serde_json::to_string(&root)
        .map_err(|e| CliError::Internal(e.to_string()))?
        .into_bytes();
    bytes.push(b'\n');
    if args.output.file_name().is_none() {
        return Err(CliError::Usage(format!(
            "OUT {}: not a file name",
            args.output.display()
        )));
    }
    write_file_atomic(&args.output, &bytes)
        .map_err(|e| CliError::Write(format!("{}: {e}", args.output.display())))?;
    let system = match args.from {
        CoordSystem::Gcj02 => "GCJ-02",
        CoordSystem::Bd09 => "BD-09",
        CoordSystem::Wgs84 => "WGS84",
    };
    let shift = if done.positions > done.outside {
        format!(
            " (each moved {:.0} to {:.0} m)",
            done.min_shift_m, done.max_shift_m
        )
    } else {
        String::new()
    };
    crate::say!(
        "converted {} positions from {system} to WGS84: {}{shift}",
        done.positions - done.outside,
        args.output.display()
    );
    if done.outside > 0 {
        crate::say!(
            "note: {} positions outside China were kept as they are",
            done.outside
        );
    }
    Ok(0)
}

/// Convert every position of a GeoJSON document (FeatureCollection,
/// Feature or geometry) from `from` to WGS84 in place; a `bbox` member is
/// recomputed from the converted positions. Positions are checked (two or
/// more numbers, lon in -180..180, lat in -90..90), each failure located.
pub fn convert_geojson(
    root: &mut Value,
    from: CoordSystem,
    file: &str,
) -> Result<Converted, InputError> {
    let Value::Object(obj) = &*root else {
        return Err(InputError::new(
            file,
            "a GeoJSON object (FeatureCollection, Feature or geometry)",
            show(root),
        ));
    };
    check_crs(obj, file)?;
    let mut c = Converter {
        from,
        file,
        done: Converted {
            min_shift_m: f64::INFINITY,
            ..Default::default()
        },
    };
    c.object(root, "the document", "")?;
    if c.done.positions == c.done.outside {
        c.done.min_shift_m = 0.0;
    }
    Ok(c.done)
}

/// Bounds of positions: [min lon, min lat, max lon, max lat].
type Bounds = Option<[f64; 4]>;

fn join(a: Bounds, b: Bounds) -> Bounds {
    match (a, b) {
        (Some(a), Some(b)) => Some([
            a[0].min(b[0]),
            a[1].min(b[1]),
            a[2].max(b[2]),
            a[3].max(b[3]),
        ]),
        (x, None) | (None, x) => x,
    }
}

struct Converter<'a> {
    from: CoordSystem,
    file: &'a str,
    done: Converted,
}

const GEOMETRY_TYPES: [(&str, usize); 6] = [
    ("Point", 0),
    ("MultiPoint", 1),
    ("LineString", 1),
    ("MultiLineString", 2),
    ("Polygon", 2),
    ("MultiPolygon", 3),
];

impl Converter<'_> {
    fn err(&self, at: &str, field: &str, expected: &str, found: String) -> InputError {
        let e = InputError::new(self.file, expected, found).at(at);
        if field.is_empty() { e } else { e.field(field) }
    }

    /// A GeoJSON object at `at`, `path` its member path for messages.
    fn object(&mut self, v: &mut Value, at: &str, path: &str) -> Result<Bounds, InputError> {
        let field = |k: &str| {
            if path.is_empty() {
                k.to_string()
            } else {
                format!("{path}.{k}")
            }
        };
        let Value::Object(o) = v else {
            return Err(self.err(at, path, "a GeoJSON object", show(v)));
        };
        let kind = match o.get("type") {
            Some(Value::String(t)) => t.clone(),
            other => {
                return Err(self.err(
                    at,
                    &field("type"),
                    "a GeoJSON type (FeatureCollection, Feature, Point, ...)",
                    other.map_or("none".into(), show),
                ));
            }
        };
        let bounds = match kind.as_str() {
            "FeatureCollection" => {
                let Some(Value::Array(features)) = o.get_mut("features") else {
                    let found = o.get("features").map_or("none".into(), show);
                    return Err(self.err(at, &field("features"), "a list of features", found));
                };
                let mut b = None;
                for (i, f) in features.iter_mut().enumerate() {
                    let at = crate::io::geojson::feature_at(i, feature_id(f).as_deref());
                    b = join(b, self.object(f, &at, "")?);
                }
                b
            }
            "Feature" => match o.get_mut("geometry") {
                None | Some(Value::Null) => None,
                Some(g) => self.object(g, at, &field("geometry"))?,
            },
            "GeometryCollection" => {
                let Some(Value::Array(gs)) = o.get_mut("geometries") else {
                    let found = o.get("geometries").map_or("none".into(), show);
                    return Err(self.err(at, &field("geometries"), "a list of geometries", found));
                };
                let mut b = None;
                for (i, g) in gs.iter_mut().enumerate() {
                    b = join(b, self.object(g, at, &field(&format!("geometries[{i}]")))?);
                }
                b
            }
            t => {
                let Some(&(_, depth)) = GEOMETRY_TYPES.iter().find(|(n, _)| *n == t) else {
                    return Err(self.err(
                        at,
                        &field("type"),
                        "a GeoJSON type (FeatureCollection, Feature, Point, MultiPoint, \
                         LineString, MultiLineString, Polygon, MultiPolygon, GeometryCollection)",
                        format!("\"{t}\""),
                    ));
                };
                let f = field("coordinates");
                match o.get_mut("coordinates") {
                    Some(c) => self.nested(c, depth, at, &f)?,
                    None => {
                        return Err(self.err(at, &f, "coordinates", "none".into()));
                    }
                }
            }
        };
        if let Some(bb) = o.get_mut("bbox") {
            let f = field("bbox");
            let Some(list) = bb.as_array_mut().filter(|l| l.len() == 4 || l.len() == 6) else {
                return Err(self.err(at, &f, "a bbox of 4 or 6 numbers", show(bb)));
            };
            if let Some([x0, y0, x1, y1]) = bounds {
                let n = list.len() / 2;
                for (k, x) in [(0, x0), (1, y0), (n, x1), (n + 1, y1)] {
                    list[k] = number(x);
                }
            }
        }
        Ok(bounds)
    }

    /// Coordinates nested `depth` lists deep above the positions.
    fn nested(
        &mut self,
        v: &mut Value,
        depth: usize,
        at: &str,
        path: &str,
    ) -> Result<Bounds, InputError> {
        if depth == 0 {
            return self.position(v, at, path);
        }
        let Value::Array(list) = v else {
            return Err(self.err(at, path, "a list of positions", show(v)));
        };
        let mut b = None;
        for (i, x) in list.iter_mut().enumerate() {
            b = join(b, self.nested(x, depth - 1, at, &format!("{path}[{i}]"))?);
        }
        Ok(b)
    }

    fn position(&mut self, v: &mut Value, at: &str, path: &str) -> Result<Bounds, InputError> {
        let pos = match v.as_array() {
            Some(c) if c.len() >= 2 => c[0].as_f64().zip(c[1].as_f64()),
            _ => None,
        };
        let Some((lon, lat)) = pos.filter(|(x, y)| x.is_finite() && y.is_finite()) else {
            return Err(self.err(at, path, "a position [lon, lat]", show(v)));
        };
        if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
            let hint = if (-90.0..=90.0).contains(&lon) && (-180.0..=180.0).contains(&lat) {
                " (lat and lon swapped? GeoJSON is [lon, lat])"
            } else {
                ""
            };
            return Err(self.err(
                at,
                path,
                "lon in -180..180 and lat in -90..90",
                format!("[{lon}, {lat}]{hint}"),
            ));
        }
        self.done.positions += 1;
        let (x, y) = if out_of_china(lon, lat) {
            self.done.outside += 1;
            (lon, lat)
        } else {
            // Nine decimals (0.1 mm): the digits past them are float noise.
            let (x, y) = self.from.to_wgs84(lon, lat);
            let (x, y) = ((x * 1e9).round() / 1e9, (y * 1e9).round() / 1e9);
            let d = haversine_m(lon, lat, x, y);
            self.done.min_shift_m = self.done.min_shift_m.min(d);
            self.done.max_shift_m = self.done.max_shift_m.max(d);
            (x, y)
        };
        if let Some(c) = v.as_array_mut() {
            c[0] = number(x);
            c[1] = number(y);
        }
        Ok(Some([x, y, x, y]))
    }
}

/// A finite number as JSON (the converted values always are).
fn number(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

/// A feature's id for messages: `properties.id`, else its own `id`.
fn feature_id(f: &Value) -> Option<String> {
    let v = f
        .get("properties")
        .and_then(|p| p.get("id"))
        .or_else(|| f.get("id"))?;
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spatial::coords::wgs84_to_gcj02;
    use serde_json::json;

    #[test]
    fn every_geometry_type_is_converted_and_members_kept() {
        let p = wgs84_to_gcj02(111.8, 38.9);
        let q = wgs84_to_gcj02(111.81, 38.91);
        let mut doc = json!({
            "type": "FeatureCollection",
            "name": "villages",
            "features": [
                {"type": "Feature", "id": 7, "properties": {"name": "东关村", "n": 3},
                 "bbox": [0, 0, 0, 0],
                 "geometry": {"type": "GeometryCollection", "geometries": [
                    {"type": "Point", "coordinates": [p.0, p.1, 1200.5]},
                    {"type": "MultiPolygon", "coordinates": [[[[p.0, p.1], [q.0, p.1], [q.0, q.1], [p.0, p.1]]]]}
                 ]}},
                {"type": "Feature", "properties": null, "geometry": null},
                {"type": "Feature", "properties": {}, "geometry":
                    {"type": "MultiLineString", "coordinates": [[[p.0, p.1], [q.0, q.1]]]}}
            ]
        });
        let done = convert_geojson(&mut doc, CoordSystem::Gcj02, "f").expect("valid");
        assert_eq!(done.positions, 7);
        assert_eq!(done.outside, 0);
        assert!(
            done.min_shift_m > 100.0 && done.max_shift_m < 1000.0,
            "{done:?}"
        );
        let g = &doc["features"][0]["geometry"]["geometries"];
        let pt = g[0]["coordinates"].as_array().expect("point");
        assert!((pt[0].as_f64().unwrap() - 111.8).abs() < 1e-8);
        assert!((pt[1].as_f64().unwrap() - 38.9).abs() < 1e-8);
        assert_eq!(pt[2], json!(1200.5));
        let ring = &g[1]["coordinates"][0][0];
        assert!((ring[2][0].as_f64().unwrap() - 111.81).abs() < 1e-8);
        assert_eq!(doc["name"], "villages");
        assert_eq!(doc["features"][0]["properties"]["name"], "东关村");
        assert_eq!(doc["features"][0]["id"], 7);
        let bbox: Vec<f64> = doc["features"][0]["bbox"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert!(
            (bbox[0] - 111.8).abs() < 1e-8 && (bbox[3] - 38.91).abs() < 1e-8,
            "{bbox:?}"
        );
        let l = &doc["features"][2]["geometry"]["coordinates"][0][1];
        assert!((l[1].as_f64().unwrap() - 38.91).abs() < 1e-8);
    }

    #[test]
    fn bad_positions_are_located() {
        let mut doc = json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"id": "A"},
             "geometry": {"type": "LineString", "coordinates": [[111.8, 38.9], [38.9, 111.8]]}}
        ]});
        let e = convert_geojson(&mut doc, CoordSystem::Bd09, "f.geojson").expect_err("bad");
        assert_eq!(
            e.to_string(),
            "f.geojson: feature 0 (id \"A\"): field `geometry.coordinates[1]`: expected lon in \
             -180..180 and lat in -90..90, found [38.9, 111.8] (lat and lon swapped? GeoJSON is [lon, lat])"
        );
        let mut doc = json!({"type": "Feature", "properties": {},
            "geometry": {"type": "Circle", "coordinates": [1, 2]}});
        let e = convert_geojson(&mut doc, CoordSystem::Bd09, "f").expect_err("bad");
        assert!(e.to_string().contains("field `geometry.type`"), "{e}");
        let mut doc = json!([1, 2]);
        assert!(convert_geojson(&mut doc, CoordSystem::Bd09, "f").is_err());
        let mut doc = json!({"type": "Point", "coordinates": [111.8, 38.9],
            "crs": {"type": "name", "properties": {"name": "EPSG:3857"}}});
        let e = convert_geojson(&mut doc, CoordSystem::Gcj02, "f").expect_err("crs");
        assert!(e.to_string().contains("field `crs`"), "{e}");
    }

    #[test]
    fn outside_china_is_kept() {
        let mut doc = json!({"type": "Point", "coordinates": [2.35, 48.85]});
        let done = convert_geojson(&mut doc, CoordSystem::Gcj02, "f").expect("valid");
        assert_eq!((done.positions, done.outside), (1, 1));
        assert_eq!(doc["coordinates"], json!([2.35, 48.85]));
    }
}
