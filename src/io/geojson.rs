//! Shared GeoJSON reading: the file, the collection, the legacy `crs`
//! member, point and polygon geometries, feature ids; each failure an
//! [`InputError`].

use super::error::{InputError, show};
use super::strict_json::{Member, Streamed};
use super::text::{TextKind, check_text, sniff_utf16, utf16_error};
use geo::{Area, Polygon};
use serde_json::{Map, Value};
use std::path::Path;

/// Read a whole text file; a clear error when missing or not UTF-8.
pub fn read_text(path: &Path) -> Result<String, InputError> {
    read_utf8(path, "UTF-8 text (GeoJSON is UTF-8 by RFC 7946)")
}

/// Read a whole text file that must be UTF-8 (a leading BOM is dropped).
/// `expected` says why, starting "UTF-8 text"; a file saved as GBK by
/// Excel gets a hint to re-save it.
pub fn read_utf8(path: &Path, expected: &str) -> Result<String, InputError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|e| InputError::new(&file, "a readable file", e.to_string()))?;
    utf8_from_vec(bytes, &file, expected)
}

/// The text of a GeoJSON file's bytes, as [`read_text`] checks it.
pub fn text_from_bytes(bytes: &[u8], file: &str) -> Result<String, InputError> {
    utf8_from_bytes(bytes, file, "UTF-8 text (GeoJSON is UTF-8 by RFC 7946)")
}

/// The bytes of a file that must be UTF-8, as [`read_utf8`] checks them.
pub fn utf8_from_bytes(bytes: &[u8], file: &str, expected: &str) -> Result<String, InputError> {
    utf8_from_vec(bytes.to_vec(), file, expected)
}

/// As [`utf8_from_bytes`], taking the bytes: no copy of a large file.
fn utf8_from_vec(mut bytes: Vec<u8>, file: &str, expected: &str) -> Result<String, InputError> {
    if let Some(order) = sniff_utf16(&bytes) {
        return Err(utf16_error(file, order, expected, "UTF-8"));
    }
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        InputError::new(
            file,
            expected,
            format!(
                "a byte that is not UTF-8 (byte {at}); the file is probably GBK/GB18030 \
                 as saved by Excel or older Chinese software: re-save it as UTF-8"
            ),
        )
        .at(format!("line {line}"))
    })
}

/// Parse JSON, reporting syntax errors with line and column.
pub fn parse_json(text: &str, file: &str) -> Result<Value, InputError> {
    not_empty(text, file)?;
    super::strict_json::from_str(text).map_err(|e| json_error(text, file, e))
}

fn not_empty(text: &str, file: &str) -> Result<(), InputError> {
    if text.trim().is_empty() {
        return Err(InputError::new(file, "a GeoJSON document", "an empty file"));
    }
    Ok(())
}

/// A JSON syntax error as an input error with line and column.
fn json_error(text: &str, file: &str, e: serde_json::Error) -> InputError {
    let rest = text
        .lines()
        .nth(e.line().saturating_sub(1))
        .and_then(|l| l.get(e.column().saturating_sub(1)..))
        .unwrap_or("");
    let what = match e.classify() {
        serde_json::error::Category::Eof => "the file ends early (truncated?)".to_string(),
        _ if ["NaN", "nan", "Infinity", "-Infinity", "inf"]
            .iter()
            .any(|w| rest.starts_with(w)) =>
        {
            "NaN or Infinity, which JSON does not allow (leave the feature out, or fix the number)"
                .into()
        }
        _ => e.to_string(),
    };
    InputError::new(file, "valid JSON", what).at(format!("line {} column {}", e.line(), e.column()))
}

/// Names of the coordinate systems a legacy `crs` member may name: all
/// lon/lat on WGS84 or CGCS2000 (equal within centimetres).
const ACCEPTED_CRS: [&str; 7] = [
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
    "urn:ogc:def:crs:EPSG::4326",
    "urn:ogc:def:crs:EPSG::4490",
    "EPSG:4326",
    "EPSG:4490",
    "CRS84",
];

pub fn check_crs(root: &Map<String, Value>, file: &str) -> Result<(), InputError> {
    let Some(crs) = root.get("crs") else {
        return Ok(());
    };
    let name = crs
        .get("properties")
        .and_then(|p| p.get("name"))
        .and_then(Value::as_str);
    match name {
        Some(n)
            if ACCEPTED_CRS
                .iter()
                .any(|a| a.eq_ignore_ascii_case(n.trim())) =>
        {
            Ok(())
        }
        _ => Err(InputError::new(
            file,
            "lon/lat on WGS84 (no `crs`, or one naming EPSG:4326, CRS84 or EPSG:4490); \
             reproject the file to WGS84 first",
            name.map_or_else(|| show(crs), |n| format!("\"{n}\"")),
        )
        .field("crs")),
    }
}

/// The features of a FeatureCollection (checked: object, type, crs, a
/// non-empty `features` array).
pub fn features(text: &str, file: &str) -> Result<Vec<Value>, InputError> {
    map_features(text, file, |_, f| f)
}

/// `each(index, feature)` of every feature of a FeatureCollection, in
/// order, checked as [`features`] checks them and with the same errors in
/// the same order (JSON syntax, the top level, `crs`, `type`, `features`).
/// The features are parsed one at a time and handed to `each` as they come
/// (`strict_json::stream_member`): only what `each` keeps stays in memory.
pub fn map_features<T>(
    text: &str,
    file: &str,
    mut each: impl FnMut(usize, Value) -> T,
) -> Result<Vec<T>, InputError> {
    not_empty(text, file)?;
    let mut out = Vec::new();
    let root =
        super::strict_json::stream_member(text, "features", &mut |i, f| out.push(each(i, f)))
            .map_err(|e| json_error(text, file, e))?;
    let (others, member) = match root {
        Streamed::Object { others, member } => (others, member),
        Streamed::Other(v) => {
            return Err(InputError::new(
                file,
                "a GeoJSON FeatureCollection object",
                show(&v),
            ));
        }
    };
    check_crs(&others, file)?;
    match others.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => {}
        other => {
            return Err(InputError::new(
                file,
                "\"FeatureCollection\"",
                other.map_or("nothing".into(), |t| format!("\"{t}\"")),
            )
            .field("type"));
        }
    }
    match member {
        Some(Member::Array(n)) if n > 0 => Ok(out),
        Some(Member::Array(_)) => {
            Err(InputError::new(file, "at least one feature", "an empty list").field("features"))
        }
        Some(Member::Other(v)) => {
            Err(InputError::new(file, "a list of features", show(&v)).field("features"))
        }
        None => Err(InputError::new(file, "a `features` list", "none").field("features")),
    }
}

/// Where a feature is, for messages: `feature 12 (id "H0013")`.
pub fn feature_at(index: usize, id: Option<&str>) -> String {
    match id {
        Some(id) => format!("feature {index} (id \"{id}\")"),
        None => format!("feature {index}"),
    }
}

/// The feature's `properties` object and its id (string or integer;
/// `properties.id`, else the feature's own `id`).
pub fn properties_and_id<'a>(
    f: &'a Value,
    index: usize,
    file: &str,
) -> Result<(&'a Map<String, Value>, String), InputError> {
    let (props, idv) = properties_and_id_value(f, index, file)?;
    match idv {
        Some(v) => id_of(v, file, index),
        None => Err(InputError::new(file, "an `id`", "none")
            .at(feature_at(index, None))
            .field("id")),
    }
    .map(|id| (props, id))
}

/// As [`properties_and_id`] for files where the id is optional (a label
/// for messages): a missing or null id is `None`.
pub fn properties_and_opt_id<'a>(
    f: &'a Value,
    index: usize,
    file: &str,
) -> Result<(&'a Map<String, Value>, Option<String>), InputError> {
    let (props, idv) = properties_and_id_value(f, index, file)?;
    let id = match idv {
        None | Some(Value::Null) => None,
        Some(v) => Some(id_of(v, file, index)?),
    };
    Ok((props, id))
}

fn properties_and_id_value<'a>(
    f: &'a Value,
    index: usize,
    file: &str,
) -> Result<(&'a Map<String, Value>, Option<&'a Value>), InputError> {
    let at = feature_at(index, None);
    let fo = feature_object(f, file, &at)?;
    let props = match fo.get("properties") {
        Some(Value::Object(p)) => p,
        other => {
            return Err(InputError::new(
                file,
                "a `properties` object",
                other.map_or("nothing".into(), show),
            )
            .at(at)
            .field("properties"));
        }
    };
    Ok((props, props.get("id").or_else(|| fo.get("id"))))
}

fn id_of(v: &Value, file: &str, index: usize) -> Result<String, InputError> {
    match v {
        Value::String(s) if !s.trim().is_empty() => {
            check_text(s.trim(), TextKind::Id, file, &feature_at(index, None), "id")?;
            Ok(s.trim().to_string())
        }
        Value::Number(n) if n.is_i64() || n.is_u64() => Ok(n.to_string()),
        v => Err(
            InputError::new(file, "a non-empty string or integer id", show(v))
                .at(feature_at(index, None))
                .field("id"),
        ),
    }
}

/// The feature as an object whose `type` is "Feature".
pub fn feature_object<'a>(
    f: &'a Value,
    file: &str,
    at: &str,
) -> Result<&'a Map<String, Value>, InputError> {
    let Value::Object(fo) = f else {
        return Err(InputError::new(file, "a Feature object", show(f)).at(at));
    };
    if fo.get("type").and_then(Value::as_str) != Some("Feature") {
        return Err(InputError::new(
            file,
            "\"Feature\"",
            fo.get("type").map_or("nothing".into(), show),
        )
        .at(at)
        .field("type"));
    }
    Ok(fo)
}

/// Refuse keys other than "primary" and "junior" in a per-level object.
pub fn only_level_keys(
    o: &Map<String, Value>,
    file: &str,
    at: &str,
    field: &str,
) -> Result<(), InputError> {
    match o
        .keys()
        .find(|k| !matches!(k.as_str(), "primary" | "junior"))
    {
        Some(k) => Err(InputError::new(
            file,
            "levels \"primary\" and \"junior\"",
            format!("\"{k}\""),
        )
        .at(at)
        .field(format!("{field}.{k}"))),
        None => Ok(()),
    }
}

/// The [lon, lat] of a Point feature, checked for range.
pub fn point(f: &Value, file: &str, at: &str) -> Result<(f64, f64), InputError> {
    let err = |exp: &str, found: String| InputError::new(file, exp, found).at(at).field("geometry");
    let Some(geom) = f.get("geometry") else {
        return Err(err("a Point geometry", "no `geometry` member".into()));
    };
    if geom.is_null() {
        return Err(err("a Point geometry", "null".into()));
    }
    match geom.get("type").and_then(Value::as_str) {
        Some("Point") => {}
        Some(t) => return Err(err("a Point geometry", format!("a {t}"))),
        None => return Err(err("a Point geometry", show(geom))),
    }
    let coords = geom.get("coordinates").and_then(Value::as_array);
    let c = match coords {
        Some(c) if c.len() >= 2 => c,
        _ => {
            return Err(err(
                "coordinates [lon, lat]",
                geom.get("coordinates").map_or("none".into(), show),
            ));
        }
    };
    let (Some(lon), Some(lat)) = (c[0].as_f64(), c[1].as_f64()) else {
        return Err(err(
            "numeric coordinates [lon, lat]",
            show(&Value::Array(c.clone())),
        ));
    };
    if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
        let hint = if (-90.0..=90.0).contains(&lon) && (-180.0..=180.0).contains(&lat) {
            " (lat and lon swapped? GeoJSON is [lon, lat])"
        } else {
            ""
        };
        return Err(err(
            "lon in -180..180 and lat in -90..90",
            format!("[{lon}, {lat}]{hint}"),
        ));
    }
    Ok((lon, lat))
}

/// The polygons of a Polygon or MultiPolygon geometry, each checked by
/// [`check_polygon`].
pub fn polygons(
    g: ::geojson::Geometry,
    file: &str,
    at: &str,
) -> Result<Vec<Polygon<f64>>, InputError> {
    let kind = g.value.type_name();
    // Every position [lon, lat] before the conversion, which indexes
    // positions unchecked (a position of one number panicked in it).
    let positions: Vec<&::geojson::Position> = match &g.value {
        ::geojson::GeometryValue::Polygon { coordinates } => coordinates.iter().flatten().collect(),
        ::geojson::GeometryValue::MultiPolygon { coordinates } => {
            coordinates.iter().flatten().flatten().collect()
        }
        _ => {
            return Err(
                InputError::new(file, "a Polygon or MultiPolygon", format!("a {kind}"))
                    .at(at)
                    .field("geometry"),
            );
        }
    };
    if let Some(p) = positions.iter().find(|p| p.len() < 2) {
        return Err(InputError::new(
            file,
            "positions [lon, lat] of two numbers",
            format!("a position of {} number(s): {:?}", p.len(), p.as_slice()),
        )
        .at(at)
        .field("geometry.coordinates"));
    }
    raw_rings(&g.value, file, at)?;
    let gg: geo::Geometry<f64> = g.try_into().map_err(|e: ::geojson::Error| {
        InputError::new(file, "a valid geometry", e.to_string()).at(at)
    })?;
    let found = match gg {
        geo::Geometry::Polygon(p) => vec![p],
        geo::Geometry::MultiPolygon(mp) => mp.0,
        _ => {
            return Err(
                InputError::new(file, "a Polygon or MultiPolygon", format!("a {kind}"))
                    .at(at)
                    .field("geometry"),
            );
        }
    };
    for p in &found {
        check_polygon(p, file, at)?;
    }
    Ok(found)
}

/// The name of ring `r` of polygon `p` in messages: `ring 0` in a Polygon,
/// `polygon 1 ring 0` in a MultiPolygon of several.
fn ring_name(p: usize, r: usize, of: usize) -> String {
    if of > 1 {
        format!("polygon {p} ring {r}")
    } else {
        format!("ring {r}")
    }
}

/// The rings as written, before the conversion closes them: each of at
/// least four positions and closed (RFC 7946 section 3.1.6).
fn raw_rings(g: &::geojson::GeometryValue, file: &str, at: &str) -> Result<(), InputError> {
    let polys: Vec<&Vec<Vec<::geojson::Position>>> = match g {
        ::geojson::GeometryValue::Polygon { coordinates } => vec![coordinates],
        ::geojson::GeometryValue::MultiPolygon { coordinates } => coordinates.iter().collect(),
        _ => return Ok(()),
    };
    let err = |exp: &str, found: String| InputError::new(file, exp, found).at(at).field("geometry");
    for (pi, rings) in polys.iter().enumerate() {
        for (ri, ring) in rings.iter().enumerate() {
            if ring.len() < 4 {
                return Err(err(
                    "polygon rings of at least 4 positions (a closed ring)",
                    format!("a ring of {} positions", ring.len()),
                ));
            }
            let ends = (ring[0].as_slice(), ring[ring.len() - 1].as_slice());
            let name = || ring_name(pi, ri, polys.len());
            if let Some(found) = super::rings::unclosed(ends, ring.len(), name) {
                return Err(err(
                    "a closed ring (RFC 7946: the last position repeats the first)",
                    found,
                ));
            }
        }
    }
    Ok(())
}

/// Rings of at least four positions (closed), coordinates in range, each
/// ring simple, and a non-zero area.
pub fn check_polygon(p: &Polygon<f64>, file: &str, at: &str) -> Result<(), InputError> {
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
    for (ri, ring) in std::iter::once(p.exterior())
        .chain(p.interiors())
        .enumerate()
    {
        // A ring on one line has no area: the rule below names it.
        if super::rings::flat(&ring.0) {
            continue;
        }
        if let Some(c) = super::rings::crossing(&ring.0) {
            return Err(err(
                "a simple ring (no edge crossing or touching another)",
                // Rounded to 1e-6 degree (about 0.1 m): no float noise.
                format!(
                    "ring {ri} crossing itself near ({}, {})",
                    (c.x * 1e6).round() / 1e6,
                    (c.y * 1e6).round() / 1e6
                ),
            ));
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

/// Field names the county rules forbid collecting (parents' job or income).
/// Matched case-insensitively, ignoring `_`, `-` and spaces, as whole names
/// or as parts of names.
pub fn is_refused_field(key: &str) -> bool {
    // Short ASCII names (nearly all) are folded on the stack: this runs on
    // every key of every feature (millions at a province).
    if key.len() <= 64 && key.is_ascii() {
        let mut buf = [0u8; 64];
        let mut n = 0;
        for b in key.bytes().filter(|b| !matches!(b, b'_' | b'-' | b' ')) {
            buf[n] = b.to_ascii_lowercase();
            n += 1;
        }
        let k = std::str::from_utf8(&buf[..n]).expect("ASCII");
        return refused_name(k);
    }
    let k: String = key
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | ' '))
        .flat_map(char::to_lowercase)
        .collect();
    refused_name(&k)
}

/// Whether a name folded as [`is_refused_field`] says is refused.
fn refused_name(k: &str) -> bool {
    const PARTS: [&str; 14] = [
        "income",
        "occupation",
        "salary",
        "wage",
        "parentjob",
        "fatherjob",
        "motherjob",
        "employer",
        "workunit",
        "职务",
        "职业",
        "收入",
        "工资",
        "工作单位",
    ];
    k == "job" || k == "jobs" || PARTS.iter().any(|p| k.contains(p))
}

/// The path of the first refused field anywhere inside `v` (any depth),
/// after `path`.
fn find_refused(v: &Value, path: &str) -> Option<String> {
    // The path is spelled out only once a field is found.
    find_refused_below(v).map(|rest| {
        let rest = if path.is_empty() {
            rest.strip_prefix('.').unwrap_or(&rest).to_string()
        } else {
            rest
        };
        format!("{path}{rest}")
    })
}

/// The path below `v` (`.key` and `[index]` steps) of its first refused
/// field.
fn find_refused_below(v: &Value) -> Option<String> {
    match v {
        Value::Object(o) => o.iter().find_map(|(k, x)| {
            if is_refused_field(k) {
                Some(format!(".{k}"))
            } else {
                find_refused_below(x).map(|rest| format!(".{k}{rest}"))
            }
        }),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .find_map(|(i, x)| find_refused_below(x).map(|rest| format!("[{i}]{rest}"))),
        _ => None,
    }
}

/// Refuse parents' job or income fields at any depth of `obj`.
pub fn refuse_private(
    obj: &Map<String, Value>,
    file: &str,
    at: &str,
    prefix: &str,
) -> Result<(), InputError> {
    let found = obj.iter().find_map(|(k, x)| {
        if is_refused_field(k) {
            Some(k.clone())
        } else {
            find_refused(x, k)
        }
    });
    match found {
        Some(k) => Err(InputError::new(
            file,
            "no parents' job or income data (the enrollment rules forbid collecting it; \
             delete the column)",
            format!("a field named \"{k}\""),
        )
        .at(at)
        .field(format!("{prefix}{k}"))),
        None => Ok(()),
    }
}

/// A non-negative whole number (a count); `1.0` is taken, `1.5` and `-1` are not.
pub(crate) fn count(v: &Value) -> Option<u32> {
    if let Some(n) = v.as_u64() {
        return u32::try_from(n).ok();
    }
    let f = v.as_f64()?;
    (f >= 0.0 && f.fract() == 0.0 && f <= u32::MAX as f64).then_some(f as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_features_are_checked_as_a_whole_document() {
        let fc = r#"{"features": [{"a": 1}, {"b": 2}], "type": "FeatureCollection"}"#;
        let got = map_features(fc, "f", |i, v| (i, v)).expect("ok");
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].1["b"], 2);
        // The collection's own members are checked after the features,
        // wherever they stand, and win over anything in the features.
        let err = |t: &str| map_features(t, "f", |_, _| ()).unwrap_err().to_string();
        assert!(err(r#"{"features": [{}], "type": "Feature"}"#).contains("FeatureCollection"));
        assert!(err(r#"{"features": [{}]}"#).contains("FeatureCollection"));
        assert!(err(r#"{"type": "FeatureCollection", "features": []}"#).contains("empty list"));
        assert!(
            err(r#"{"type": "FeatureCollection", "features": {}}"#).contains("list of features")
        );
        assert!(err(r#"{"type": "FeatureCollection"}"#).contains("`features`"));
        assert!(err(r#"[1, 2]"#).contains("FeatureCollection object"));
        assert!(err("  ").contains("empty file"));
        let crs = r#"{"type": "FeatureCollection", "features": [{}],
            "crs": {"properties": {"name": "EPSG:3857"}}}"#;
        assert!(err(crs).contains("reproject"));
        // A syntax error after the features: the line of it.
        let e = err("{\"type\": \"FeatureCollection\", \"features\": [{}],\n \"x\": nope}");
        assert!(e.contains("line 2"), "{e}");
    }

    fn polygon_error(coords: &str) -> String {
        let g: ::geojson::Geometry = format!(r#"{{"type":"Polygon","coordinates":{coords}}}"#)
            .parse()
            .expect("geometry");
        polygons(g, "b.geojson", "feature 0")
            .expect_err("refused")
            .to_string()
    }

    #[test]
    fn rings_must_be_closed_and_simple() {
        let e = polygon_error("[[[0.5,0],[1,0],[1,1],[0,1]]]");
        assert_eq!(
            e,
            "b.geojson: feature 0: field `geometry`: expected a closed ring (RFC 7946: the last \
             position repeats the first), found ring 0 of 4 positions ending at (0, 1) instead \
             of (0.5, 0)"
        );
        // A hole left open is named as ring 1.
        let e = polygon_error("[[[0,0],[4,0],[4,4],[0,4],[0,0]],[[1,1],[2,1],[2,2],[1,2]]]");
        assert!(e.contains("found ring 1 of 4 positions"), "{e}");
        let e = polygon_error("[[[0,0],[1,1],[1,0],[0,1],[0,0]]]");
        assert!(
            e.ends_with(
                "expected a simple ring (no edge crossing or touching another), found ring 0 \
                 crossing itself near (0.5, 0.5)"
            ),
            "{e}"
        );
        // A ring on one line keeps the zero-area message.
        let e = polygon_error("[[[0,0],[1,1],[2,2],[0,0]]]");
        assert!(e.ends_with("found a polygon of zero area"), "{e}");
        // Too few positions, as before.
        let e = polygon_error("[[[0,0],[1,1],[0,0]]]");
        assert!(e.ends_with("found a ring of 3 positions"), "{e}");
        // A MultiPolygon names the polygon.
        let g: ::geojson::Geometry = r#"{"type":"MultiPolygon","coordinates":[
            [[[0,0],[1,0],[1,1],[0,1],[0,0]]],[[[2,0],[3,0],[3,1],[2,1]]]]}"#
            .parse()
            .expect("geometry");
        let e = polygons(g, "b", "feature 0").unwrap_err().to_string();
        assert!(e.contains("found polygon 1 ring 0 of 4 positions"), "{e}");
    }

    #[test]
    fn refused_names() {
        for k in [
            "parent_job",
            "Parent-Income",
            "occupation",
            "income",
            "职务",
            "收入",
            "父亲职业",
            "月收入",
        ] {
            assert!(is_refused_field(k), "{k}");
        }
        for k in [
            "id",
            "birth_date",
            "village",
            "town",
            "priority",
            "jobsite_distance_m",
        ] {
            assert!(!is_refused_field(k), "{k}");
        }
    }
}
