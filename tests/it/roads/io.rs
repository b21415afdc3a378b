//! Reading road layers (`catchment::io::read_roads`): GeoJSON and
//! OpenStreetMap `.osm.pbf`, tag mapping, and malformed files refused with
//! located errors.
//!
//! The key check: the OSM extract of a Finnish town
//! (tests/fixtures/osm_finland_town/, see its ATTRIBUTION.md) read from the
//! `.osm.pbf` and from the GeoJSON extracted from it gives the same lines.
//!
//! The malformed road files here are written on the fly and given to
//! `read_roads` directly; a selection of them also lives in
//! tests/bad_inputs/roads_*.geojson, run through `--roads` by tests/it/cli.rs.

use super::finland_town;
use crate::common::{fixture, run_in};
use catchment::io::InputErrors;
use catchment::io::read_roads;
use catchment::io::roads::{
    NOT_TRAVELLED, implied_oneway, is_travelled, parse_maxspeed, parse_oneway,
    read_roads_with_warnings,
};
use catchment::model::road::{Oneway, RoadLine};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

/// Write `text` as `name` in a fresh temporary folder and read it.
fn read_text_as(name: &str, text: &str) -> Result<Vec<RoadLine>, InputErrors> {
    read_bytes_as(name, text.as_bytes())
}

fn read_bytes_as(name: &str, bytes: &[u8]) -> Result<Vec<RoadLine>, InputErrors> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    fs::write(&path, bytes).expect("write");
    read_roads(&path)
}

/// A FeatureCollection of the given feature JSON texts.
fn collection(features: &[&str]) -> String {
    format!(
        "{{\"type\":\"FeatureCollection\",\"features\":[{}]}}",
        features.join(",")
    )
}

fn line_feature(props: &str, coords: &str) -> String {
    format!(
        "{{\"type\":\"Feature\",\"properties\":{props},\
         \"geometry\":{{\"type\":\"LineString\",\"coordinates\":{coords}}}}}"
    )
}

fn by_id(lines: Vec<RoadLine>) -> BTreeMap<String, RoadLine> {
    let n = lines.len();
    let m: BTreeMap<String, RoadLine> = lines.into_iter().map(|l| (l.id.clone(), l)).collect();
    assert_eq!(m.len(), n, "duplicate ids");
    m
}

// ------------------------------------------------- the Finland extract

#[test]
fn pbf_and_its_geojson_extract_give_the_same_lines() {
    let (from_pbf, warnings) =
        read_roads_with_warnings(&finland_town("test.osm.pbf")).expect("read the .osm.pbf");
    let from_geojson = read_roads(&finland_town("roads.geojson")).expect("read roads.geojson");
    assert_eq!(from_geojson.len(), 288);
    assert_eq!(from_pbf.len(), 288);

    // The extract holds 343 highway ways; the GeoJSON has the 288 whose
    // every node is in the file. The other 55 are cut by the edge of the
    // extract: one is highway=construction (never a road), and the pbf
    // reader warns about the other 54.
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("left out 54 road ways cut by the edge of the extract"),
        "{}",
        warnings[0]
    );
    assert!(warnings[0].contains("test.osm.pbf"), "{}", warnings[0]);

    let pbf = by_id(from_pbf);
    let gj = by_id(from_geojson);
    assert_eq!(
        pbf.keys().collect::<Vec<_>>(),
        gj.keys().collect::<Vec<_>>(),
        "different way ids"
    );
    let mut vertices = 0;
    for (id, a) in &pbf {
        let b = &gj[id];
        assert_eq!(a.highway, b.highway, "way {id}: highway");
        assert_eq!(a.oneway, b.oneway, "way {id}: oneway");
        assert_eq!(a.speed_kmh, b.speed_kmh, "way {id}: speed");
        assert_eq!(a.coords.len(), b.coords.len(), "way {id}: vertex count");
        for (k, (p, q)) in a.coords.iter().zip(&b.coords).enumerate() {
            assert!(
                (p.0 - q.0).abs() <= 1e-7 && (p.1 - q.1).abs() <= 1e-7,
                "way {id} vertex {k}: pbf {p:?}, geojson {q:?}"
            );
        }
        vertices += a.coords.len();
    }
    assert!(vertices > 1000, "{vertices} vertices");

    // What the extract holds, counted independently of the readers' mapping
    // (a sanity check that the comparison above is not vacuous).
    let count = |f: &dyn Fn(&RoadLine) -> bool| pbf.values().filter(|l| f(l)).count();
    assert_eq!(count(&|l| l.highway.as_deref() == Some("residential")), 107);
    assert_eq!(count(&|l| l.highway.as_deref() == Some("cycleway")), 72);
    assert_eq!(count(&|l| l.oneway == Oneway::Forward), 32);
    assert_eq!(count(&|l| l.oneway == Oneway::Backward), 0);
    // No complete way of this extract carries a maxspeed (the Hurukselantie,
    // maxspeed=80, is cut by the edge).
    assert_eq!(count(&|l| l.speed_kmh.is_some()), 0);
    assert!(!pbf.contains_key("4732994"));
    // Secondary road Tapiontie, one-way, complete.
    let t = &pbf["39653008"];
    assert_eq!(t.highway.as_deref(), Some("secondary"));
    assert_eq!(t.oneway, Oneway::Forward);
    assert_eq!(
        t.coords,
        vec![
            (26.9506398, 60.5209998),
            (26.9504665, 60.5210889),
            (26.9489144, 60.5218053)
        ]
    );
}

#[test]
fn pbf_lines_are_ordered_by_way_id_and_reading_is_deterministic() {
    let a = read_roads(&finland_town("test.osm.pbf")).expect("read");
    let ids: Vec<i64> = a.iter().map(|l| l.id.parse().expect("way id")).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    let b = read_roads(&finland_town("test.osm.pbf")).expect("read again");
    assert_eq!(a, b);
}

#[test]
fn pbf_extension_is_case_insensitive() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path().join("TOWN.OSM.PBF");
    fs::copy(finland_town("test.osm.pbf"), &p).expect("copy");
    assert_eq!(read_roads(&p).expect("read").len(), 288);
}

// ------------------------------------------------------------ tag mapping

#[test]
fn maxspeed_text_to_kmh() {
    let close = |s: &str, want: f64| {
        let got = parse_maxspeed(s).unwrap_or_else(|| panic!("{s:?} not parsed"));
        assert!((got - want).abs() < 1e-9, "{s:?}: {got} != {want}");
    };
    close("50", 50.0);
    close(" 50 ", 50.0);
    close("50 km/h", 50.0);
    close("50km/h", 50.0);
    close("50 kmh", 50.0);
    close("50 kph", 50.0);
    close("30 mph", 30.0 * 1.609_344);
    close("20mph", 20.0 * 1.609_344);
    close("10 knots", 18.52);
    close("7.5", 7.5);
    close("50;30", 30.0);
    close("30 mph;50", 30.0 * 1.609_344);
    for junk in [
        "", "signals", "none", "walk", "RU:urban", "FI:urban", "variable", "0", "-20", "50 m/s",
        "fast", "km/h", "1e3",
    ] {
        assert_eq!(parse_maxspeed(junk), None, "{junk:?}");
    }
}

#[test]
fn oneway_text_and_roundabouts() {
    for (s, want) in [
        ("yes", Some(Oneway::Forward)),
        ("YES", Some(Oneway::Forward)),
        ("true", Some(Oneway::Forward)),
        ("1", Some(Oneway::Forward)),
        ("-1", Some(Oneway::Backward)),
        ("reverse", Some(Oneway::Backward)),
        ("no", Some(Oneway::No)),
        ("false", Some(Oneway::No)),
        ("0", Some(Oneway::No)),
        ("reversible", Some(Oneway::No)),
        ("alternating", Some(Oneway::No)),
        ("sometimes", None),
    ] {
        assert_eq!(parse_oneway(s), want, "{s:?}");
    }
    assert_eq!(implied_oneway(None), Oneway::No);
    assert_eq!(implied_oneway(Some("roundabout")), Oneway::Forward);
    assert_eq!(implied_oneway(Some("circular")), Oneway::Forward);
    assert_eq!(implied_oneway(Some("yes")), Oneway::No);
}

#[test]
fn the_osm_filter() {
    for h in NOT_TRAVELLED {
        assert!(!is_travelled(h, None), "{h}");
    }
    for h in [
        "residential",
        "motorway",
        "track",
        "footway",
        "path",
        "service",
        "living_street",
    ] {
        assert!(is_travelled(h, None), "{h}");
        assert!(is_travelled(h, Some("no")), "{h}");
    }
    assert!(!is_travelled("pedestrian", Some("yes")));
    assert!(!is_travelled("", None));
}

#[test]
fn geojson_oneway_values_map_like_osm() {
    let c = "[[111.80,38.90],[111.81,38.91]]";
    let cases: [(&str, Oneway); 14] = [
        (r#"{"id":"a","oneway":true}"#, Oneway::Forward),
        (r#"{"id":"b","oneway":"yes"}"#, Oneway::Forward),
        (r#"{"id":"c","oneway":"true"}"#, Oneway::Forward),
        (r#"{"id":"d","oneway":"1"}"#, Oneway::Forward),
        (r#"{"id":"e","oneway":1}"#, Oneway::Forward),
        (r#"{"id":"f","oneway":"-1"}"#, Oneway::Backward),
        (r#"{"id":"g","oneway":"reverse"}"#, Oneway::Backward),
        (r#"{"id":"h","oneway":false}"#, Oneway::No),
        (r#"{"id":"i","oneway":"no"}"#, Oneway::No),
        (r#"{"id":"j","oneway":null}"#, Oneway::No),
        (r#"{"id":"k"}"#, Oneway::No),
        (r#"{"id":"l","junction":"roundabout"}"#, Oneway::Forward),
        (
            r#"{"id":"m","junction":"roundabout","oneway":"no"}"#,
            Oneway::No,
        ),
        (r#"{"id":"n","oneway":-1}"#, Oneway::Backward),
    ];
    let feats: Vec<String> = cases.iter().map(|(p, _)| line_feature(p, c)).collect();
    let refs: Vec<&str> = feats.iter().map(String::as_str).collect();
    let lines = read_text_as("roads.geojson", &collection(&refs)).expect("valid");
    assert_eq!(lines.len(), cases.len());
    for (l, (p, want)) in lines.iter().zip(cases) {
        assert_eq!(l.oneway, want, "{p}");
    }
}

#[test]
fn speed_kmh_then_maxspeed_then_class() {
    let c = "[[111.80,38.90],[111.81,38.91]]";
    let feats = [
        line_feature(
            r#"{"id":"a","highway":"primary","speed_kmh":35,"maxspeed":"80"}"#,
            c,
        ),
        line_feature(r#"{"id":"b","highway":"primary","maxspeed":"30 mph"}"#, c),
        line_feature(r#"{"id":"c","highway":"primary","maxspeed":"signals"}"#, c),
        line_feature(r#"{"id":"d","highway":"primary","maxspeed":60}"#, c),
        line_feature(r#"{"id":"e","highway":" ","maxspeed":null}"#, c),
    ];
    let refs: Vec<&str> = feats.iter().map(String::as_str).collect();
    let l = read_text_as("roads.geojson", &collection(&refs)).expect("valid");
    assert_eq!(l[0].speed_kmh, Some(35.0));
    assert!((l[1].speed_kmh.expect("b") - 48.28032).abs() < 1e-9);
    assert_eq!(l[2].speed_kmh, None);
    assert_eq!(l[2].drive_kmh(), 60.0, "primary class speed");
    assert_eq!(l[3].speed_kmh, Some(60.0));
    assert_eq!(l[4].highway, None, "blank highway is none");
    assert_eq!(l[0].highway.as_deref(), Some("primary"));
}

#[test]
fn multilinestring_gives_one_line_per_part() {
    let text = collection(&[
        r#"{"type":"Feature","id":"R7","properties":{"highway":"tertiary","oneway":"yes","speed_kmh":40},
            "geometry":{"type":"MultiLineString","coordinates":[
              [[111.80,38.90],[111.81,38.90]],
              [[111.81,38.90],[111.81,38.91],[111.82,38.91]]]}}"#,
        r#"{"type":"Feature","properties":{"highway":"track"},
            "geometry":{"type":"MultiLineString","coordinates":[[[111.9,38.9],[111.9,38.95]]]}}"#,
    ]);
    let l = read_text_as("roads.geojson", &text).expect("valid");
    assert_eq!(
        l.iter().map(|x| x.id.as_str()).collect::<Vec<_>>(),
        ["R7#0", "R7#1", "1#0"]
    );
    assert_eq!(l[0].coords, vec![(111.80, 38.90), (111.81, 38.90)]);
    assert_eq!(l[1].coords.len(), 3);
    for part in &l[..2] {
        assert_eq!(part.highway.as_deref(), Some("tertiary"));
        assert_eq!(part.oneway, Oneway::Forward);
        assert_eq!(part.speed_kmh, Some(40.0));
    }
    assert_eq!(l[2].highway.as_deref(), Some("track"));
}

#[test]
fn ids_come_from_properties_id_feature_id_osm_id_or_index() {
    let c = "[[111.80,38.90],[111.81,38.91]]";
    let text = collection(&[
        &format!(
            r#"{{"type":"Feature","id":"F0","properties":{{"id":"P0","osm_id":10}},
               "geometry":{{"type":"LineString","coordinates":{c}}}}}"#
        ),
        &format!(
            r#"{{"type":"Feature","id":11,"properties":{{"osm_id":10}},
               "geometry":{{"type":"LineString","coordinates":{c}}}}}"#
        ),
        &line_feature(r#"{"osm_id":5184588}"#, c),
        &line_feature(r#"{"name":"no id"}"#, c),
        &format!(
            r#"{{"type":"Feature","properties":null,
               "geometry":{{"type":"LineString","coordinates":{c}}}}}"#
        ),
    ]);
    let l = read_text_as("roads.geojson", &text).expect("valid");
    assert_eq!(
        l.iter().map(|x| x.id.as_str()).collect::<Vec<_>>(),
        ["P0", "11", "5184588", "3", "4"]
    );
}

#[test]
fn consecutive_duplicate_vertices_are_dropped() {
    let text = collection(&[&line_feature(
        r#"{"id":"d"}"#,
        "[[111.80,38.90],[111.80,38.90],[111.81,38.90,1200.5],[111.81,38.90],[111.80,38.90]]",
    )]);
    let l = read_text_as("roads.geojson", &text).expect("valid");
    // A loop back to the start is kept; repeats in a row are not; the
    // elevation is ignored.
    assert_eq!(
        l[0].coords,
        vec![(111.80, 38.90), (111.81, 38.90), (111.80, 38.90)]
    );
}

// ------------------------------------------------------ malformed files

/// Every message must name the file and carry each expected substring.
fn assert_refused(name: &str, text: &str, expect: &[&str]) {
    let e = match read_text_as(name, text) {
        Ok(l) => panic!("{name}: accepted ({} lines)", l.len()),
        Err(e) => e,
    };
    let msg = e.to_string();
    assert!(msg.contains(name), "{name}: message lacks the file: {msg}");
    for x in expect {
        assert!(msg.contains(x), "{name}: message lacks {x:?}:\n{msg}");
    }
}

/// Malformed road layers: file name, text, substrings the message must
/// carry (location and field).
fn malformed_cases() -> Vec<(&'static str, String, Vec<&'static str>)> {
    let ok = "[[111.80,38.90],[111.81,38.91]]";
    vec![
        (
            "roads_json_syntax.geojson",
            "{\"type\":\"FeatureCollection\",\n\"features\":[{\"type\":\"Feature\" \"properties\":{}}]}"
                .into(),
            vec!["line 2 column", "expected valid JSON"],
        ),
        (
            "roads_truncated.geojson",
            collection(&[&line_feature(r#"{"id":"r1"}"#, ok)])[..60].to_string(),
            vec!["truncated"],
        ),
        (
            "roads_empty_features.geojson",
            collection(&[]),
            vec!["field `features`: expected at least one feature, found an empty list"],
        ),
        (
            "roads_crs_3857.geojson",
            r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3857"}},"features":[]}"#
                .into(),
            vec!["field `crs`", "EPSG::3857", "WGS84"],
        ),
        (
            "roads_point.geojson",
            collection(&[r#"{"type":"Feature","properties":{"id":"r1"},"geometry":{"type":"Point","coordinates":[111.8,38.9]}}"#]),
            vec![
                "feature 0 (id \"r1\"): field `geometry`: expected a LineString or MultiLineString geometry, found a Point",
            ],
        ),
        (
            "roads_polygon.geojson",
            collection(&[r#"{"type":"Feature","properties":{"osm_id":77},"geometry":{"type":"Polygon","coordinates":[[[111.8,38.9],[111.9,38.9],[111.9,39.0],[111.8,38.9]]]}}"#]),
            vec!["feature 0 (id \"77\"): field `geometry`", "found a Polygon"],
        ),
        (
            "roads_null_geometry.geojson",
            collection(&[r#"{"type":"Feature","properties":{"id":"r1"},"geometry":null}"#]),
            vec!["feature 0 (id \"r1\"): field `geometry`: expected a LineString or MultiLineString geometry, found null"],
        ),
        (
            "roads_one_position.geojson",
            collection(&[&line_feature(r#"{"id":"r1"}"#, "[[111.8,38.9]]")]),
            vec!["field `geometry.coordinates`: expected a line of at least 2 distinct positions, found 1 position"],
        ),
        (
            "roads_collapsed.geojson",
            collection(&[&line_feature(r#"{"id":"r1"}"#, "[[111.8,38.9],[111.8,38.9],[111.8,38.9]]")]),
            vec!["field `geometry.coordinates`", "found 3 positions, all at [111.8, 38.9]"],
        ),
        (
            "roads_latlon_swapped.geojson",
            collection(&[&line_feature(r#"{"id":"r1"}"#, "[[38.90,111.80],[38.91,111.81]]")]),
            vec![
                "feature 0 (id \"r1\"): field `geometry.coordinates[0]`",
                "lat and lon swapped",
            ],
        ),
        (
            "roads_lon_out_of_range.geojson",
            collection(&[&line_feature(r#"{"id":"r1"}"#, "[[111.8,38.9],[181.0,38.9]]")]),
            vec!["field `geometry.coordinates[1]`: expected lon in -180..180 and lat in -90..90, found [181, 38.9]"],
        ),
        (
            "roads_string_coordinates.geojson",
            collection(&[&line_feature(r#"{"id":"r1"}"#, r#"[["111.8","38.9"],["111.9","38.9"]]"#)]),
            vec!["field `geometry.coordinates[0]`: expected a position [lon, lat] of two numbers"],
        ),
        (
            "roads_nan_coordinate.geojson",
            collection(&[&line_feature(r#"{"id":"r1"}"#, "[[111.8,NaN],[111.9,38.9]]")]),
            vec!["NaN or Infinity"],
        ),
        (
            "roads_speed_zero.geojson",
            collection(&[&line_feature(r#"{"id":"r1","speed_kmh":0}"#, ok)]),
            vec!["feature 0 (id \"r1\"): field `speed_kmh`: expected a speed in km/h, a number > 0, found 0"],
        ),
        (
            "roads_speed_string.geojson",
            collection(&[&line_feature(r#"{"id":"r1","speed_kmh":"40"}"#, ok)]),
            vec!["field `speed_kmh`", "found \"40\""],
        ),
        (
            "roads_oneway_word.geojson",
            collection(&[&line_feature(r#"{"id":"r1","oneway":"sometimes"}"#, ok)]),
            vec!["feature 0 (id \"r1\"): field `oneway`", "found \"sometimes\""],
        ),
        (
            "roads_oneway_object.geojson",
            collection(&[&line_feature(r#"{"id":"r1","oneway":{"dir":1}}"#, ok)]),
            vec!["field `oneway`", "found {\"dir\":1}"],
        ),
        (
            "roads_oneway_two.geojson",
            collection(&[&line_feature(r#"{"id":"r1","oneway":2}"#, ok)]),
            vec!["field `oneway`", "found 2"],
        ),
        (
            "roads_highway_number.geojson",
            collection(&[&line_feature(r#"{"id":"r1","highway":3}"#, ok)]),
            vec!["field `highway`: expected a string (an OSM highway class), found 3"],
        ),
        (
            "roads_maxspeed_bool.geojson",
            collection(&[&line_feature(r#"{"id":"r1","maxspeed":true}"#, ok)]),
            vec!["field `maxspeed`", "found true"],
        ),
        (
            "roads_id_fraction.geojson",
            collection(&[&line_feature(r#"{"id":1.5}"#, ok)]),
            vec!["feature 0: field `id`: expected a non-empty string or integer id, found 1.5"],
        ),
        (
            "roads_multi_bad_part.geojson",
            collection(&[r#"{"type":"Feature","properties":{"id":"m"},"geometry":{"type":"MultiLineString","coordinates":[[[111.8,38.9],[111.9,38.9]],[[111.9,38.9]]]}}"#]),
            vec!["feature 0 (id \"m\"): field `geometry.coordinates[1]`", "found 1 position"],
        ),
        (
            "roads_multi_empty.geojson",
            collection(&[r#"{"type":"Feature","properties":{"id":"m"},"geometry":{"type":"MultiLineString","coordinates":[]}}"#]),
            vec!["field `geometry.coordinates`: expected at least one line, found an empty list"],
        ),
        (
            "roads_not_a_feature.geojson",
            collection(&[r#"{"type":"LineString","coordinates":[[111.8,38.9],[111.9,38.9]]}"#]),
            vec!["feature 0: field `type`: expected \"Feature\", found \"LineString\""],
        ),
        (
            "roads_properties_list.geojson",
            collection(&[r#"{"type":"Feature","properties":[1],"geometry":{"type":"LineString","coordinates":[[111.8,38.9],[111.9,38.9]]}}"#]),
            vec!["feature 0: field `properties`"],
        ),
    ]
}

#[test]
fn malformed_geojson_roads_are_refused_with_located_errors() {
    let cases = malformed_cases();
    assert!(cases.len() >= 8);
    for (name, text, expect) in &cases {
        assert_refused(name, text, expect);
    }
}

/// The same files through the command line (`--roads`): exit 2, the located
/// message on stderr, no panic, nothing written.
#[test]
fn malformed_roads_through_the_cli_exit_2_and_write_nothing() {
    let mut cases = malformed_cases();
    cases.push((
        "roads_text.osm.pbf",
        "not a pbf\n".into(),
        vec!["roads_text.osm.pbf: expected a readable OpenStreetMap PBF file"],
    ));
    let mut failures = Vec::new();
    for (name, text, expect) in &cases {
        for sub in ["validate", "plan"] {
            let dir = tempfile::tempdir().expect("temp dir");
            for f in [
                "households.geojson",
                "schools.geojson",
                "boundary.geojson",
                "scenario.toml",
            ] {
                fs::copy(fixture(f), dir.path().join(f)).expect("copy fixture");
            }
            fs::write(dir.path().join(name), text).expect("write case");
            let mut args = vec![sub, "--config", "scenario.toml", "--roads", name];
            if sub == "plan" {
                args.extend(["--out", "out"]);
            }
            let o = run_in(dir.path(), &args);
            let err = String::from_utf8_lossy(&o.stderr);
            let mut problems = Vec::new();
            if o.status.code() != Some(2) {
                problems.push(format!("exit {:?}", o.status.code()));
            }
            if err.contains("panicked") {
                problems.push("panicked".into());
            }
            for x in expect {
                if !err.contains(x) {
                    problems.push(format!("stderr lacks {x:?}"));
                }
            }
            if dir.path().join("out").exists() {
                problems.push("out/ was created".into());
            }
            if !problems.is_empty() {
                failures.push(format!("{name} ({sub}): {}\n  {err}", problems.join("; ")));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_bad_feature_is_reported_not_just_the_first() {
    let ok = "[[111.80,38.90],[111.81,38.91]]";
    let text = collection(&[
        &line_feature(r#"{"id":"good"}"#, ok),
        &line_feature(r#"{"id":"b1","speed_kmh":-5}"#, ok),
        r#"{"type":"Feature","properties":{"id":"b2"},"geometry":null}"#,
        &line_feature(r#"{"id":"b3"}"#, "[[111.8,95.0],[111.8,38.9]]"),
    ]);
    let e = read_text_as("roads_three_bad.geojson", &text).expect_err("refused");
    assert_eq!(e.errors.len(), 3, "{e}");
    let msg = e.to_string();
    for at in [
        "feature 1 (id \"b1\")",
        "feature 2 (id \"b2\")",
        "feature 3 (id \"b3\")",
    ] {
        assert!(msg.contains(at), "{msg}");
    }
}

#[test]
fn unreadable_pbf_files_are_refused_naming_the_file() {
    let real = fs::read(finland_town("test.osm.pbf")).expect("fixture");
    let geojson = fs::read(finland_town("roads.geojson")).expect("fixture");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.osm.pbf", vec![], "found an empty file"),
        (
            "text.osm.pbf",
            b"this is not a pbf file\n".to_vec(),
            "expected a readable OpenStreetMap PBF file",
        ),
        (
            "geojson_renamed.osm.pbf",
            geojson,
            "expected a readable OpenStreetMap PBF file",
        ),
        (
            "truncated.osm.pbf",
            real[..real.len() / 2].to_vec(),
            "expected a readable OpenStreetMap PBF file",
        ),
        (
            "header_only.osm.pbf",
            real[..200].to_vec(),
            "expected a readable OpenStreetMap PBF file",
        ),
    ];
    for (name, bytes, expect) in cases {
        let e = read_bytes_as(name, &bytes).expect_err(name);
        let msg = e.to_string();
        assert!(msg.contains(name), "{name}: {msg}");
        assert!(msg.contains(expect), "{name}: {msg}");
    }
    let missing = read_roads(Path::new("no/such/roads.osm.pbf")).expect_err("missing");
    assert!(
        missing
            .to_string()
            .contains("no/such/roads.osm.pbf: expected a readable file"),
        "{missing}"
    );
    let missing = read_roads(Path::new("no/such/roads.geojson")).expect_err("missing");
    assert!(
        missing
            .to_string()
            .contains("no/such/roads.geojson: expected a readable file"),
        "{missing}"
    );
}

#[test]
fn damaged_pbf_bytes_never_crash_the_reader() {
    // Cut the file at many places and flip bytes all over it: every read
    // ends in lines or an error naming the file, never a crash.
    let real = fs::read(finland_town("test.osm.pbf")).expect("fixture");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("damaged.osm.pbf");
    let check = |bytes: &[u8], what: &str| {
        fs::write(&path, bytes).expect("write");
        if let Err(e) = read_roads(&path) {
            assert!(e.to_string().contains("damaged.osm.pbf"), "{what}: {e}");
        }
    };
    for cut in (1..real.len()).step_by(real.len() / 40) {
        check(&real[..cut], &format!("cut at {cut}"));
    }
    for (k, at) in (0..real.len()).step_by(real.len() / 60).enumerate() {
        let mut b = real.clone();
        b[at] ^= 0x5a ^ (k as u8);
        check(&b, &format!("byte {at} flipped"));
    }
}
