//! `roads.geojson` or an OpenStreetMap `.osm.pbf`: the road lines that
//! become the network (`spatial::network`).
//!
//! Both readers map tags the same way:
//! - `highway`: the OSM class, kept as given (trimmed; empty is none);
//! - `speed_kmh` (GeoJSON only), else `maxspeed` (OSM text: "50",
//!   "50 km/h", "30 mph", "20 knots"; a list "50;30" gives the lowest;
//!   text that names no number, such as "signals", "none", "walk" or
//!   "RU:urban", is ignored and the class speed applies);
//! - `oneway`: "yes"/"true"/"1" forward, "-1"/"reverse" backward,
//!   "no"/"false"/"0"/"reversible"/"alternating" both ways; absent, both
//!   ways unless `junction` is "roundabout" or "circular" (OSM: implied
//!   one-way in the drawn direction).
//!
//! From a `.pbf`, the lines are the ways with a `highway` tag that people
//! travel on (not [`NOT_TRAVELLED`], not `area=yes`) whose every node is in
//! the file, ordered by way id. A way cut by the edge of an extract (some of
//! its nodes missing) is left out, with a warning: drawn through the nodes
//! that are there it would be a road that does not exist.

use super::error::{InputError, InputErrors, show};
use super::geojson::{feature_at, read_text};
use crate::model::road::{Oneway, RoadLine};
use osmpbf::{Element, ElementReader};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// `highway` values that are not roads people travel on (plans, works,
/// disused ways, platforms, race tracks, and features drawn as ways that
/// are places rather than links).
pub const NOT_TRAVELLED: [&str; 10] = [
    "proposed",
    "construction",
    "abandoned",
    "platform",
    "raceway",
    "bus_stop",
    "elevator",
    "corridor",
    "rest_area",
    "services",
];

/// Read a road layer: `.pbf` (e.g. `town.osm.pbf`) as OpenStreetMap,
/// anything else as GeoJSON.
pub fn read_roads(path: &Path) -> Result<Vec<RoadLine>, InputErrors> {
    read_roads_with_warnings(path).map(|(lines, _)| lines)
}

/// [`read_roads`], with the warnings a planner should see (ways left out of
/// an OSM extract, and why).
pub fn read_roads_with_warnings(path: &Path) -> Result<(Vec<RoadLine>, Vec<String>), InputErrors> {
    if is_pbf(path) {
        read_osm_pbf(path)
    } else {
        read_geojson_roads(path).map(|lines| (lines, Vec::new()))
    }
}

fn is_pbf(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("pbf"))
}

// ------------------------------------------------------------------ tags

/// An OSM `maxspeed` value in km/h; `None` for text that names no speed
/// ("signals", "none", "walk", "RU:urban", "0").
pub fn parse_maxspeed(text: &str) -> Option<f64> {
    if text.contains(';') {
        return text
            .split(';')
            .filter_map(parse_maxspeed)
            .min_by(f64::total_cmp);
    }
    let t = text.trim().to_ascii_lowercase();
    let end = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(end);
    let v: f64 = num.parse().ok()?;
    let factor = match unit.trim() {
        "" | "km/h" | "kmh" | "kph" | "kmph" | "km/hr" => 1.0,
        "mph" => 1.609_344,
        "knots" | "knot" | "kn" => 1.852,
        _ => return None,
    };
    let kmh = v * factor;
    (kmh.is_finite() && kmh > 0.0).then_some(kmh)
}

/// An OSM `oneway` value; `None` for one this reader does not know.
pub fn parse_oneway(text: &str) -> Option<Oneway> {
    match text.trim().to_ascii_lowercase().as_str() {
        "yes" | "true" | "1" => Some(Oneway::Forward),
        "-1" | "reverse" => Some(Oneway::Backward),
        // Reversible and alternating roads carry traffic both ways (at
        // different times): not a one-way road for planning.
        "no" | "false" | "0" | "reversible" | "alternating" => Some(Oneway::No),
        _ => None,
    }
}

/// The direction of a road without a (usable) `oneway` tag: one-way along
/// the drawing for roundabouts (OSM's implied `oneway=yes`), else both.
pub fn implied_oneway(junction: Option<&str>) -> Oneway {
    match junction.map(str::trim) {
        Some("roundabout" | "circular") => Oneway::Forward,
        _ => Oneway::No,
    }
}

/// Whether an OSM way with these tags is a road people travel on.
pub fn is_travelled(highway: &str, area: Option<&str>) -> bool {
    let h = highway.trim();
    !h.is_empty() && !NOT_TRAVELLED.contains(&h) && area.map(str::trim) != Some("yes")
}

fn non_empty(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

// --------------------------------------------------------------- GeoJSON

fn read_geojson_roads(path: &Path) -> Result<Vec<RoadLine>, InputErrors> {
    let file = path.display().to_string();
    let text = read_text(path)?;
    roads_geojson_from_str(&text, &file)
}

/// [`read_roads`] on a GeoJSON document's text, from a file named `file`
/// (for messages): the fuzz target's entry.
pub fn roads_geojson_from_str(text: &str, file: &str) -> Result<Vec<RoadLine>, InputErrors> {
    let file = file.to_string();
    // Lines are made feature by feature as the file is parsed.
    let read =
        super::geojson::map_features(text, &file, |index, f| feature_lines(&f, index, &file))?;
    let mut errs = InputErrors::default();
    let mut lines = Vec::with_capacity(read.len());
    for r in read {
        match r {
            Ok(ls) => lines.extend(ls),
            Err(e) => errs.push(e),
        }
    }
    errs.into_result(lines)
}

/// The id of a road feature: `properties.id`, else the feature's `id`,
/// else `properties.osm_id` (string or integer); `None` to fall back to the
/// feature index.
fn road_id(
    props: &Map<String, Value>,
    fo: &Map<String, Value>,
    file: &str,
    at: &str,
) -> Result<Option<String>, InputError> {
    for (field, v) in [
        ("id", props.get("id")),
        ("id", fo.get("id")),
        ("osm_id", props.get("osm_id")),
    ] {
        match v {
            None | Some(Value::Null) => continue,
            Some(Value::String(s)) if !s.trim().is_empty() => return Ok(Some(s.trim().into())),
            Some(Value::Number(n)) if n.is_i64() || n.is_u64() => return Ok(Some(n.to_string())),
            Some(v) => {
                return Err(
                    InputError::new(file, "a non-empty string or integer id", show(v))
                        .at(at)
                        .field(field),
                );
            }
        }
    }
    Ok(None)
}

fn feature_lines(f: &Value, index: usize, file: &str) -> Result<Vec<RoadLine>, InputError> {
    let at0 = feature_at(index, None);
    let fo = super::geojson::feature_object(f, file, &at0)?;
    let empty = Map::new();
    let props = match fo.get("properties") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(p)) => p,
        Some(v) => {
            return Err(
                InputError::new(file, "a `properties` object (or null)", show(v))
                    .at(at0)
                    .field("properties"),
            );
        }
    };
    let id = road_id(props, fo, file, &at0)?;
    let at = feature_at(index, id.as_deref());
    let id = id.unwrap_or_else(|| index.to_string());
    let err = |field: &str, expected: &str, v: &Value| {
        InputError::new(file, expected, show(v))
            .at(&at)
            .field(field)
    };

    let highway = match props.get("highway") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => non_empty(s),
        Some(v) => return Err(err("highway", "a string (an OSM highway class)", v)),
    };
    let speed_kmh = match props.get("speed_kmh") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_f64() {
            Some(s) if s.is_finite() && s > 0.0 => Some(s),
            _ => return Err(err("speed_kmh", "a speed in km/h, a number > 0", v)),
        },
    };
    let maxspeed = match props.get("maxspeed") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => parse_maxspeed(s),
        Some(Value::Number(n)) => n.as_f64().filter(|s| s.is_finite() && *s > 0.0),
        Some(v) => {
            return Err(err(
                "maxspeed",
                "OSM maxspeed text such as \"50\", \"50 km/h\" or \"30 mph\"",
                v,
            ));
        }
    };
    let junction = props.get("junction").and_then(Value::as_str);
    let oneway_expected = "true, false, \"yes\", \"no\", \"1\", \"0\", \"-1\" or \"reverse\"";
    let oneway = match props.get("oneway") {
        None | Some(Value::Null) => implied_oneway(junction),
        Some(Value::Bool(true)) => Oneway::Forward,
        Some(Value::Bool(false)) => Oneway::No,
        Some(v @ Value::Number(n)) => match n.as_i64() {
            Some(1) => Oneway::Forward,
            Some(-1) => Oneway::Backward,
            Some(0) => Oneway::No,
            _ => return Err(err("oneway", oneway_expected, v)),
        },
        Some(Value::String(s)) if s.trim().is_empty() => implied_oneway(junction),
        Some(v @ Value::String(s)) => match parse_oneway(s) {
            Some(o) => o,
            None => return Err(err("oneway", oneway_expected, v)),
        },
        Some(v) => return Err(err("oneway", oneway_expected, v)),
    };

    let (parts, multi) = geometry_lines(fo, file, &at)?;
    Ok(parts
        .into_iter()
        .enumerate()
        .map(|(k, coords)| RoadLine {
            id: if multi {
                format!("{id}#{k}")
            } else {
                id.clone()
            },
            coords,
            highway: highway.clone(),
            speed_kmh: speed_kmh.or(maxspeed),
            oneway,
        })
        .collect())
}

/// The vertices of one line, (lon, lat).
type Line = Vec<(f64, f64)>;

/// The lines of a LineString (one) or MultiLineString (one per part; true).
fn geometry_lines(
    fo: &Map<String, Value>,
    file: &str,
    at: &str,
) -> Result<(Vec<Line>, bool), InputError> {
    const EXPECTED: &str = "a LineString or MultiLineString geometry";
    let err = |field: &str, exp: &str, found: String| {
        InputError::new(file, exp, found).at(at).field(field)
    };
    let geom = match fo.get("geometry") {
        None => return Err(err("geometry", EXPECTED, "no `geometry` member".into())),
        Some(Value::Null) => return Err(err("geometry", EXPECTED, "null".into())),
        Some(g) => g,
    };
    let coords = geom.get("coordinates");
    match geom.get("type").and_then(Value::as_str) {
        Some("LineString") => Ok((
            vec![positions(coords, file, at, "geometry.coordinates")?],
            false,
        )),
        Some("MultiLineString") => match coords {
            Some(Value::Array(parts)) if !parts.is_empty() => parts
                .iter()
                .enumerate()
                .map(|(k, p)| positions(Some(p), file, at, &format!("geometry.coordinates[{k}]")))
                .collect::<Result<Vec<_>, _>>()
                .map(|parts| (parts, true)),
            Some(Value::Array(_)) => Err(err(
                "geometry.coordinates",
                "at least one line",
                "an empty list".into(),
            )),
            other => Err(err(
                "geometry.coordinates",
                "a list of lines, each a list of [lon, lat] positions",
                other.map_or("none".into(), show),
            )),
        },
        Some(t) => Err(err("geometry", EXPECTED, format!("a {t}"))),
        None => Err(err("geometry", EXPECTED, show(geom))),
    }
}

/// The positions of one line, checked for range, consecutive repeats
/// dropped; at least two distinct ones.
fn positions(v: Option<&Value>, file: &str, at: &str, field: &str) -> Result<Line, InputError> {
    let err = |field: String, exp: &str, found: String| {
        InputError::new(file, exp, found).at(at).field(field)
    };
    let Some(Value::Array(list)) = v else {
        return Err(err(
            field.to_string(),
            "a list of [lon, lat] positions",
            v.map_or("none".into(), show),
        ));
    };
    let mut out: Line = Vec::with_capacity(list.len());
    for (i, p) in list.iter().enumerate() {
        let pos = match p.as_array() {
            Some(c) if c.len() >= 2 => c[0].as_f64().zip(c[1].as_f64()),
            _ => None,
        };
        let Some((lon, lat)) = pos.filter(|(x, y)| x.is_finite() && y.is_finite()) else {
            return Err(err(
                format!("{field}[{i}]"),
                "a position [lon, lat] of two numbers",
                show(p),
            ));
        };
        if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
            let hint = if (-90.0..=90.0).contains(&lon) && (-180.0..=180.0).contains(&lat) {
                " (lat and lon swapped? GeoJSON is [lon, lat])"
            } else {
                ""
            };
            return Err(err(
                format!("{field}[{i}]"),
                "lon in -180..180 and lat in -90..90",
                format!("[{lon}, {lat}]{hint}"),
            ));
        }
        if out.last() != Some(&(lon, lat)) {
            out.push((lon, lat));
        }
    }
    if out.len() < 2 {
        let found = match (list.len(), out.first()) {
            (0, _) => "no positions".to_string(),
            (1, _) => "1 position".to_string(),
            (n, Some((x, y))) => format!("{n} positions, all at [{x}, {y}]"),
            (n, None) => format!("{n} positions"),
        };
        return Err(err(
            field.to_string(),
            "a line of at least 2 distinct positions",
            found,
        ));
    }
    Ok(out)
}

// ------------------------------------------------------------- OSM .pbf

/// A road way of the file, before its nodes are resolved.
struct OsmWay {
    id: i64,
    refs: Vec<i64>,
    highway: String,
    speed_kmh: Option<f64>,
    oneway: Oneway,
}

/// The tags of a way that decide whether and how it is a road.
fn osm_way(id: i64, tags: osmpbf::TagIter<'_>, refs: Vec<i64>) -> Option<OsmWay> {
    let (mut highway, mut area, mut maxspeed, mut oneway, mut junction) =
        (None, None, None, None, None);
    for (k, v) in tags {
        match k {
            "highway" => highway = Some(v),
            "area" => area = Some(v),
            "maxspeed" => maxspeed = Some(v),
            "oneway" => oneway = Some(v),
            "junction" => junction = Some(v),
            _ => {}
        }
    }
    let highway = highway?;
    if !is_travelled(highway, area) {
        return None;
    }
    Some(OsmWay {
        id,
        refs,
        highway: highway.trim().to_string(),
        speed_kmh: maxspeed.and_then(parse_maxspeed),
        // A value this reader does not know is not a reason to refuse a
        // whole extract: the road is taken as two-way (or as its junction
        // implies).
        oneway: oneway
            .and_then(parse_oneway)
            .unwrap_or_else(|| implied_oneway(junction)),
    })
}

fn read_osm_pbf(path: &Path) -> Result<(Vec<RoadLine>, Vec<String>), InputErrors> {
    let file = path.display().to_string();
    let meta = std::fs::metadata(path)
        .map_err(|e| InputError::new(&file, "a readable file", e.to_string()))?;
    if meta.is_dir() {
        return Err(InputError::new(&file, "a readable file", "a folder").into());
    }
    if meta.len() == 0 {
        return Err(InputError::new(&file, "an OpenStreetMap PBF file", "an empty file").into());
    }
    // The decoder is third-party code run on untrusted bytes: should it
    // panic on a corrupt file, that is a refused input, not a crash.
    let decoded = std::panic::catch_unwind(|| decode_pbf(path));
    let (mut ways, coords, elements) = match decoded {
        Ok(Ok(d)) => d,
        Ok(Err(e)) => return Err(pbf_error(&file, &e.to_string()).into()),
        Err(_) => return Err(pbf_error(&file, "data the decoder could not make sense of").into()),
    };
    if elements == 0 {
        return Err(pbf_error(&file, "no nodes, ways or relations").into());
    }
    ways.sort_by_key(|w| w.id);
    ways.dedup_by_key(|w| w.id);
    let mut lines = Vec::with_capacity(ways.len());
    let (mut cut, mut degenerate) = (Vec::new(), Vec::new());
    'ways: for w in ways {
        let mut pts: Vec<(f64, f64)> = Vec::with_capacity(w.refs.len());
        for r in &w.refs {
            let Some(&(lon, lat)) = coords.get(r) else {
                cut.push(w.id);
                continue 'ways;
            };
            if pts.last() != Some(&(lon, lat)) {
                pts.push((lon, lat));
            }
        }
        if pts.len() < 2
            || pts
                .iter()
                .any(|(x, y)| !(-180.0..=180.0).contains(x) || !(-90.0..=90.0).contains(y))
        {
            degenerate.push(w.id);
            continue;
        }
        lines.push(RoadLine {
            id: w.id.to_string(),
            coords: pts,
            highway: Some(w.highway),
            speed_kmh: w.speed_kmh,
            oneway: w.oneway,
        });
    }
    let mut warnings = Vec::new();
    let list = |ids: &[i64]| {
        let mut s: Vec<String> = ids.iter().take(5).map(i64::to_string).collect();
        if ids.len() > 5 {
            s.push("...".into());
        }
        s.join(", ")
    };
    if !cut.is_empty() {
        warnings.push(format!(
            "{file}: left out {} road ways cut by the edge of the extract (some of their \
             nodes are not in the file; ways {}); extract with a margin around the area, \
             or keep whole ways (osmium extract --strategy complete_ways)",
            cut.len(),
            list(&cut)
        ));
    }
    if !degenerate.is_empty() {
        warnings.push(format!(
            "{file}: left out {} road ways with fewer than 2 distinct valid positions (ways {})",
            degenerate.len(),
            list(&degenerate)
        ));
    }
    if lines.is_empty() {
        let found = if cut.is_empty() && degenerate.is_empty() {
            "none".to_string()
        } else {
            format!(
                "none whole ({} cut by the edge of the extract, {} degenerate)",
                cut.len(),
                degenerate.len()
            )
        };
        return Err(InputError::new(
            &file,
            "at least one road way (a way with a `highway` tag whose nodes are in the file)",
            found,
        )
        .into());
    }
    Ok((lines, warnings))
}

fn pbf_error(file: &str, found: &str) -> InputError {
    InputError::new(file, "a readable OpenStreetMap PBF file (.osm.pbf)", found)
}

type Decoded = (Vec<OsmWay>, HashMap<i64, (f64, f64)>, usize);

/// Two passes: the road ways and the nodes they use, then those nodes'
/// coordinates (plain nodes or DenseNodes alike). Memory stays at the
/// roads' size whatever the extract holds.
fn decode_pbf(path: &Path) -> Result<Decoded, osmpbf::Error> {
    let mut ways = Vec::new();
    let mut elements = 0usize;
    ElementReader::from_path(path)?.for_each(|e| {
        elements += 1;
        if let Element::Way(w) = e
            && let Some(way) = osm_way(w.id(), w.tags(), w.refs().collect())
        {
            ways.push(way);
        }
    })?;
    let needed: HashSet<i64> = ways.iter().flat_map(|w| w.refs.iter().copied()).collect();
    let mut coords = HashMap::with_capacity(needed.len());
    if !needed.is_empty() {
        // Nanodegree integers divided once: the nearest f64 to the decimal
        // value, as a GeoJSON writer prints it.
        let deg = |nano: i64| nano as f64 / 1e9;
        ElementReader::from_path(path)?.for_each(|e| match e {
            Element::Node(n) if needed.contains(&n.id()) => {
                coords.insert(n.id(), (deg(n.nano_lon()), deg(n.nano_lat())));
            }
            Element::DenseNode(n) if needed.contains(&n.id()) => {
                coords.insert(n.id(), (deg(n.nano_lon()), deg(n.nano_lat())));
            }
            _ => {}
        })?;
    }
    Ok((ways, coords, elements))
}
