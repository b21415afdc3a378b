//! The command line end to end: the built binary run on the small valid
//! fixture (tests/fixtures/) and on every malformed file of the corpus
//! (tests/bad_inputs/, listed in tests/bad_inputs/cases.toml), each run in a
//! fresh temporary folder.

use crate::common::{
    code, files_under, fixture, read_csv, read_json, repo, run_in, stderr, stdout,
};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Output;

const FIXTURES: [&str; 6] = [
    "households.geojson",
    "schools.geojson",
    "boundary.geojson",
    "scenario.toml",
    "current.geojson",
    "pins.csv",
];
const OUTPUTS: [&str; 9] = [
    "assignment.csv",
    "assignment.geojson",
    "schools.csv",
    "summary.json",
    "timings.json",
    "maps/primary.png",
    "maps/primary.svg",
    "maps/junior.png",
    "maps/junior.svg",
];

/// Entry cohort of the fixture, counted by hand (entry year 2023, cutoff
/// 31 Aug, census on 2023-08-31 so `ages` need no ageing):
/// primary = born 2016-09-01 ..= 2017-08-31, or `ages["6"]`, or `demand.primary`:
///   H1 1 (C1 2017-03-15; C2 is junior, C3 2014 is neither)
///   H2 2 (C4 2017-08-31 and C6 2016-09-01; C5 2017-09-01 is next year's)
///   H3 12, H4 5 (ages "6"), H5 8, H6 3 (demand)      = 31
/// junior = born 2010-09-01 ..= 2011-08-31, or `ages["12"]`, or `demand.junior`:
///   H1 1 (C2 2011-05-20), H2 0, H3 9, H4 4, H5 6, H6 0 (no junior key) = 20
const HAND_PRIMARY: u64 = 31;
const HAND_JUNIOR: u64 = 20;

/// A fresh temporary folder holding copies of the valid fixtures.
fn fixture_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for f in FIXTURES {
        fs::copy(fixture(f), dir.path().join(f)).expect("copy fixture");
    }
    dir
}

fn plan_fixture(dir: &Path, out: &str) -> Output {
    let o = run_in(dir, &["plan", "--config", "scenario.toml", "--out", out]);
    assert!(
        !stderr(&o).contains("panicked"),
        "plan panicked:\n{}",
        stderr(&o)
    );
    o
}

// ---------------------------------------------------------------- bad inputs

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    file: String,
    flag: String,
    what: String,
    expect: Vec<String>,
}

fn manifest() -> Manifest {
    let text = fs::read_to_string(repo("tests/bad_inputs/cases.toml")).expect("cases.toml");
    toml::from_str(&text).expect("cases.toml parses")
}

#[test]
fn corpus_manifest_lists_every_file_once() {
    let m = manifest();
    assert!(m.case.len() >= 40, "only {} bad-input cases", m.case.len());
    let mut listed: Vec<&str> = m.case.iter().map(|c| c.file.as_str()).collect();
    listed.sort();
    let n = listed.len();
    listed.dedup();
    assert_eq!(n, listed.len(), "a file is listed twice in cases.toml");
    let mut on_disk: Vec<String> = fs::read_dir(repo("tests/bad_inputs"))
        .expect("bad_inputs")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n != "cases.toml")
        .collect();
    on_disk.sort();
    assert_eq!(listed, on_disk, "cases.toml and tests/bad_inputs/ differ");
    for c in &m.case {
        assert!(
            [
                "households",
                "schools",
                "boundary",
                "roads",
                "current",
                "pins",
                "config"
            ]
            .contains(&c.flag.as_str()),
            "{}: unknown flag {}",
            c.file,
            c.flag
        );
        assert!(!c.expect.is_empty(), "{}: no expected substring", c.file);
        assert!(!c.what.is_empty(), "{}: say what is wrong", c.file);
    }
}

/// What is wrong with one run of a bad-input case, if anything.
fn check_case(c: &Case, sub: &str) -> Option<String> {
    let dir = fixture_dir();
    fs::copy(
        repo("tests/bad_inputs").join(&c.file),
        dir.path().join(&c.file),
    )
    .expect("copy case");
    let flag = format!("--{}", c.flag);
    let mut args = vec![sub];
    if c.flag != "config" {
        args.extend(["--config", "scenario.toml"]);
    }
    args.extend([flag.as_str(), c.file.as_str()]);
    // A bad current or pins file is read beside a valid one of the other.
    match c.flag.as_str() {
        "current" => args.extend(["--pins", "pins.csv"]),
        "pins" => args.extend(["--current", "current.geojson"]),
        _ => {}
    }
    if sub == "plan" {
        args.extend(["--out", "out"]);
    }
    let before = files_under(dir.path());
    let o = run_in(dir.path(), &args);
    let err = stderr(&o);
    let mut problems = Vec::new();
    if code(&o) != 2 {
        problems.push(format!("exit code {} (expected 2)", code(&o)));
    }
    if err.contains("panicked") {
        problems.push("panicked".to_string());
    }
    for e in &c.expect {
        if !err.contains(e.as_str()) {
            problems.push(format!("stderr lacks {e:?}"));
        }
    }
    if dir.path().join("out").exists() {
        problems.push("the --out folder was created".to_string());
    }
    if files_under(dir.path()) != before {
        problems.push("files were written".to_string());
    }
    if problems.is_empty() {
        None
    } else {
        Some(format!(
            "{} ({}), `catchment {}`:\n    {}\n    stderr: {}",
            c.file,
            c.what,
            args.join(" "),
            problems.join("\n    "),
            err.trim().replace('\n', "\n            ")
        ))
    }
}

#[test]
fn every_bad_input_is_refused_with_a_located_message_and_nothing_written() {
    let m = manifest();
    let mut failures = Vec::new();
    for c in &m.case {
        for sub in ["plan", "validate"] {
            if let Some(f) = check_case(c, sub) {
                failures.push(f);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} bad-input runs failed:\n\n{}",
        failures.len(),
        2 * m.case.len(),
        failures.join("\n\n")
    );
}

// ------------------------------------------------------------- valid fixture

#[test]
fn plan_on_the_fixture_places_everyone_and_writes_every_output() {
    let dir = fixture_dir();
    let o = plan_fixture(dir.path(), "out");
    // Seats are ample (primary 130, junior 150) and every unit is within
    // reach: all placed, exit 0.
    assert_eq!(code(&o), 0, "stderr:\n{}", stderr(&o));
    let out = dir.path().join("out");
    for f in OUTPUTS {
        let p = out.join(f);
        assert!(p.is_file(), "{f} missing");
        assert!(fs::metadata(&p).expect("meta").len() > 0, "{f} empty");
    }
    for level in ["primary", "junior"] {
        let png = fs::read(out.join(format!("maps/{level}.png"))).expect("png");
        assert!(
            png.starts_with(b"\x89PNG\r\n\x1a\n"),
            "{level}.png not a PNG"
        );
        let svg = fs::read_to_string(out.join(format!("maps/{level}.svg"))).expect("svg");
        assert!(svg.contains("<svg"), "{level}.svg not an SVG");
    }
    let gj = read_json(&out.join("assignment.geojson"));
    assert_eq!(gj["type"], "FeatureCollection");
    let rows = read_csv(&out.join("assignment.csv"));
    assert_eq!(
        gj["features"].as_array().expect("features").len(),
        rows.len(),
        "assignment.geojson and assignment.csv have different rows"
    );
    let summary = read_json(&out.join("summary.json"));
    assert_eq!(summary["unplaced"]["total"], 0);
    assert_eq!(summary["placed"], HAND_PRIMARY + HAND_JUNIOR);
    // H2's C6 has no residence: placed, and counted for follow-up.
    assert_eq!(summary["levels"]["primary"]["without_residence"], 1);
    assert_eq!(summary["outside_boundary"], 0);
    let timings = read_json(&out.join("timings.json"));
    assert!(timings["seconds"].is_f64() && timings["solve_seconds"].is_f64());
}

#[test]
fn validate_on_the_fixture_passes_and_writes_nothing() {
    let dir = fixture_dir();
    let before = files_under(dir.path());
    let o = run_in(dir.path(), &["validate", "--config", "scenario.toml"]);
    assert_eq!(code(&o), 0, "stderr:\n{}", stderr(&o));
    let s = stdout(&o);
    assert!(
        s.contains(&format!("primary: {HAND_PRIMARY} entry-cohort students")),
        "{s}"
    );
    assert!(
        s.contains(&format!("junior: {HAND_JUNIOR} entry-cohort students")),
        "{s}"
    );
    assert_eq!(files_under(dir.path()), before, "validate wrote files");
    // The same with explicit file flags instead of the scenario's paths.
    let o = run_in(
        dir.path(),
        &[
            "validate",
            "--config",
            "scenario.toml",
            "--households",
            "households.geojson",
            "--schools",
            "schools.geojson",
            "--boundary",
            "boundary.geojson",
        ],
    );
    assert_eq!(code(&o), 0, "stderr:\n{}", stderr(&o));
    assert_eq!(files_under(dir.path()), before, "validate wrote files");
}

#[test]
fn plan_and_validate_accept_current_zones_and_pins() {
    let dir = fixture_dir();
    let before = files_under(dir.path());
    let with = [
        "--config",
        "scenario.toml",
        "--current",
        "current.geojson",
        "--pins",
        "pins.csv",
    ];
    let o = run_in(dir.path(), &[&["validate"][..], &with].concat());
    assert_eq!(code(&o), 0, "stderr:\n{}", stderr(&o));
    let s = stdout(&o);
    // The fixture's zones hold every unit; H1 and H4 are pinned at one
    // level, H3 (to the nine-year N1) at both.
    assert!(
        s.contains(
            "current zones (current.geojson): units with students in a zone: primary 6 of 6, junior 4 of 4"
        ),
        "{s}"
    );
    assert!(
        s.contains("pins (pins.csv): units pinned 2 at primary, 2 at junior"),
        "{s}"
    );
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
    assert_eq!(files_under(dir.path()), before, "validate wrote files");

    let o = run_in(
        dir.path(),
        &[&["plan"][..], &with, &["--out", "out"]].concat(),
    );
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert!(
        [0, 1].contains(&code(&o)),
        "exit {}; stderr:\n{}",
        code(&o),
        stderr(&o)
    );
    for f in OUTPUTS {
        assert!(dir.path().join("out").join(f).is_file(), "{f} missing");
    }

    // The same files named by the scenario's [inputs].
    let sc = fs::read_to_string(dir.path().join("scenario.toml")).expect("read");
    let sc = sc.replace(
        "[inputs]\n",
        "[inputs]\ncurrent = \"current.geojson\"\npins = \"pins.csv\"\n",
    );
    fs::write(dir.path().join("scenario2.toml"), sc).expect("write");
    let o = run_in(dir.path(), &["validate", "--config", "scenario2.toml"]);
    assert_eq!(code(&o), 0, "stderr:\n{}", stderr(&o));
    assert!(stdout(&o).contains("pins (pins.csv)"), "{}", stdout(&o));
}

#[test]
fn current_zones_that_miss_or_overlap_units_are_warnings() {
    let dir = fixture_dir();
    let path = dir.path().join("current.geojson");
    let fixture = fs::read_to_string(&path).expect("read");
    // Without Z3 (N1's primary zone), H3 and H6 have no current primary school.
    let without_z3: Vec<&str> = fixture
        .lines()
        .filter(|l| !l.contains("\"id\":\"Z3\""))
        .collect();
    fs::write(&path, without_z3.join("\n")).expect("write");
    let args = [
        "validate",
        "--config",
        "scenario.toml",
        "--current",
        "current.geojson",
    ];
    let o = run_in(dir.path(), &args);
    assert_eq!(code(&o), 0, "stderr:\n{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "warning: 2 units with primary students lie in no current primary zone of \
             current.geojson (no current school): H3, H6"
        ),
        "{}",
        stderr(&o)
    );
    assert!(
        stdout(&o).contains("primary 4 of 6, junior 4 of 4"),
        "{}",
        stdout(&o)
    );
    // A county-wide zone of P1 listed last overlaps the primary zones of
    // P2 and N1: the first listed wins, one warning line.
    let wide = r#"{"type":"Feature","properties":{"id":"Z6","school_id":"P1"},"geometry":{"type":"Polygon","coordinates":[[[111.75,38.87],[111.88,38.87],[111.88,38.96],[111.75,38.96],[111.75,38.87]]]}}"#;
    let overlapping = fixture.replace("\n]}", &format!(",\n{wide}\n]}}"));
    fs::write(&path, overlapping).expect("write");
    let o = run_in(dir.path(), &args);
    assert_eq!(code(&o), 0, "stderr:\n{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(
            "warning: 5 units lie in the current zones of two schools at one level in \
             current.geojson; the zone listed first in the file is taken: H2, H3, H4, H5, H6"
        ),
        "{err}"
    );
    assert_eq!(err.matches("warning").count(), 1, "{err}");
    // A --current that names no file.
    let o = run_in(
        dir.path(),
        &[
            "validate",
            "--config",
            "scenario.toml",
            "--current",
            "current_2024.geojson",
        ],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("current_2024.geojson: expected an existing file (named by --current"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn students_are_conserved_per_level() {
    let dir = fixture_dir();
    let o = plan_fixture(dir.path(), "out");
    assert_eq!(code(&o), 0, "stderr:\n{}", stderr(&o));
    let out = dir.path().join("out");
    let rows = read_csv(&out.join("assignment.csv"));
    let summary = read_json(&out.join("summary.json"));
    let schools = read_csv(&out.join("schools.csv"));
    for (level, hand) in [("primary", HAND_PRIMARY), ("junior", HAND_JUNIOR)] {
        let of_level: Vec<_> = rows.iter().filter(|r| r["level"] == level).collect();
        let sum: u64 = of_level
            .iter()
            .map(|r| r["students"].parse::<u64>().expect("students"))
            .sum();
        assert_eq!(sum, hand, "{level}: assignment.csv vs hand count");
        assert_eq!(
            summary["students"][level], hand,
            "{level}: summary students"
        );
        assert_eq!(summary["levels"][level]["students"], hand);
        assert_eq!(summary["levels"][level]["placed"], hand);
        // schools.csv `assigned` is the same students, by school.
        let assigned: u64 = schools
            .iter()
            .filter(|s| s["level"] == level)
            .map(|s| s["assigned"].parse::<u64>().expect("assigned"))
            .sum();
        assert_eq!(assigned, hand, "{level}: schools.csv assigned");
        for s in schools.iter().filter(|s| s["level"] == level) {
            let a: u64 = s["assigned"].parse().expect("assigned");
            let seats: u64 = s["seats"].parse().expect("seats");
            assert!(
                a <= seats,
                "{}: {a} assigned > {seats} seats",
                s["school_id"]
            );
            let by_rows: u64 = of_level
                .iter()
                .filter(|r| r["school_id"] == s["school_id"])
                .map(|r| r["students"].parse::<u64>().expect("students"))
                .sum();
            assert_eq!(a, by_rows, "{} {level}", s["school_id"]);
        }
    }
    // The private junior school takes no catchment.
    assert!(rows.iter().all(|r| r["school_id"] != "R1"));
    let r1 = schools.iter().find(|s| s["school_id"] == "R1").expect("R1");
    assert_eq!(r1["assigned"], "0");
}

/// Haversine on the mean Earth radius (the contract's straight line).
fn haversine_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lon1, lat1, lon2, lat2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().asin()
}

fn points(path: &Path) -> BTreeMap<String, (f64, f64)> {
    let v = read_json(path);
    v["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| {
            let c = &f["geometry"]["coordinates"];
            (
                f["properties"]["id"].as_str().expect("id").to_string(),
                (c[0].as_f64().expect("lon"), c[1].as_f64().expect("lat")),
            )
        })
        .collect()
}

#[test]
fn with_ample_seats_each_unit_goes_to_its_nearest_public_school() {
    let dir = fixture_dir();
    let o = plan_fixture(dir.path(), "out");
    assert_eq!(code(&o), 0, "stderr:\n{}", stderr(&o));
    let units = points(&dir.path().join("households.geojson"));
    let schools = points(&dir.path().join("schools.geojson"));
    // Public schools teaching each level (R1 is private).
    let candidates = |level: &str| -> Vec<&str> {
        match level {
            "primary" => vec!["P1", "P2", "N1"],
            _ => vec!["J1", "N1"],
        }
    };
    for r in read_csv(&dir.path().join("out/assignment.csv")) {
        let u = units[&r["unit_id"]];
        let s = schools[&r["school_id"]];
        let travel: f64 = r["travel_m"].parse().expect("travel_m");
        let d = haversine_m(u, s);
        assert!(
            (travel - d).abs() < 0.01,
            "{} -> {}: travel_m {travel}, haversine {d}",
            r["unit_id"],
            r["school_id"]
        );
        let nearest = candidates(&r["level"])
            .into_iter()
            .min_by(|a, b| haversine_m(u, schools[*a]).total_cmp(&haversine_m(u, schools[*b])))
            .expect("a candidate");
        assert_eq!(r["school_id"], nearest, "{} {}", r["unit_id"], r["level"]);
        assert_eq!(r["reason"], "");
    }
}

#[test]
fn short_seats_exit_1_and_every_unplaced_student_is_listed() {
    let dir = fixture_dir();
    // H5 asks for 208 primary students instead of 8: primary demand 231
    // against 130 seats. P1 (45 seats) lies 3.7 km from H5, beyond the 3 km
    // primary limit, and only H1 and H4 (6 students) reach it; P2 (40) and
    // the boarding N1 (45, no day limit) fill up. Placed 6 + 40 + 45 = 91;
    // the other 140 (all at H5, which reaches P2 and N1) are short of seats.
    let hh = fs::read_to_string(dir.path().join("households.geojson")).expect("read");
    let hh = hh.replace("\"primary\":8,", "\"primary\":208,");
    fs::write(dir.path().join("households.geojson"), hh).expect("write");
    let o = plan_fixture(dir.path(), "out");
    assert_eq!(code(&o), 1, "stderr:\n{}", stderr(&o));
    let out = dir.path().join("out");
    let summary = read_json(&out.join("summary.json"));
    assert_eq!(summary["students"]["primary"], 231);
    assert_eq!(summary["levels"]["primary"]["placed"], 91);
    assert_eq!(summary["unplaced"]["capacity_short"], 140);
    assert_eq!(summary["unplaced"]["total"], 140);
    let rows = read_csv(&out.join("assignment.csv"));
    let unplaced: u64 = rows
        .iter()
        .filter(|r| r["school_id"].is_empty())
        .inspect(|r| {
            assert_eq!(r["unit_id"], "H5");
            assert_eq!(r["reason"], "capacity_short");
            assert_eq!(r["travel_m"], "");
        })
        .map(|r| r["students"].parse::<u64>().expect("students"))
        .sum();
    assert_eq!(unplaced, 140);
    let all: u64 = rows
        .iter()
        .filter(|r| r["level"] == "primary")
        .map(|r| r["students"].parse::<u64>().expect("students"))
        .sum();
    assert_eq!(all, 231);
    for f in OUTPUTS {
        assert!(out.join(f).is_file(), "{f} missing");
    }
}

#[test]
fn plan_is_deterministic_except_timings() {
    let dir = fixture_dir();
    assert_eq!(code(&plan_fixture(dir.path(), "a")), 0);
    assert_eq!(code(&plan_fixture(dir.path(), "b")), 0);
    let mut a = files_under(&dir.path().join("a"));
    let mut b = files_under(&dir.path().join("b"));
    assert!(a.remove("timings.json").is_some());
    assert!(b.remove("timings.json").is_some());
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "different file lists"
    );
    for (name, bytes) in &a {
        assert!(bytes == &b[name], "{name} differs between two runs");
    }
}

// ------------------------------------------------------------------- usage

#[test]
fn unknown_flag_is_a_usage_error() {
    let dir = fixture_dir();
    for sub in ["plan", "validate"] {
        let o = run_in(
            dir.path(),
            &[sub, "--config", "scenario.toml", "--housholds", "x.geojson"],
        );
        assert_eq!(code(&o), 2, "{sub}: {}", stderr(&o));
        assert!(stderr(&o).contains("--housholds"), "{}", stderr(&o));
    }
    // validate writes nothing, so it has no --out.
    let o = run_in(
        dir.path(),
        &["validate", "--config", "scenario.toml", "--out", "out"],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(!dir.path().join("out").exists());
}

#[test]
fn missing_households_is_a_usage_error_and_writes_nothing() {
    let dir = fixture_dir();
    let before = files_under(dir.path());
    // The flag without its value.
    let o = run_in(
        dir.path(),
        &["plan", "--schools", "schools.geojson", "--households"],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("--households"), "{}", stderr(&o));
    // A path to a file that is not there.
    let o = run_in(
        dir.path(),
        &[
            "plan",
            "--households",
            "households_2024.geojson",
            "--schools",
            "schools.geojson",
            "--out",
            "out",
        ],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o)
            .contains("households_2024.geojson: expected an existing file (named by --households)"),
        "{}",
        stderr(&o)
    );
    // No households at all (no flag, no scenario).
    let o = run_in(
        dir.path(),
        &["plan", "--schools", "schools.geojson", "--out", "out"],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("--households"), "{}", stderr(&o));
    assert_eq!(files_under(dir.path()), before, "files were written");
}

#[test]
fn help_of_each_subcommand_shows_an_example() {
    let dir = fixture_dir();
    for sub in ["plan", "validate"] {
        let o = run_in(dir.path(), &[sub, "--help"]);
        assert_eq!(code(&o), 0, "{sub} --help: {}", stderr(&o));
        let s = stdout(&o);
        assert!(s.contains("Example"), "{sub} --help has no example:\n{s}");
        assert!(
            s.contains(&format!("catchment {sub} --")),
            "{sub} --help has no example command line:\n{s}"
        );
        assert!(s.contains("--households"), "{s}");
    }
}
