//! Zones through the command line and the data contract: catchment
//! polygons tile the boundary, moves against current zones, the stability
//! sweep, pins kept, whole units, and the bundled example's figures.

use super::read_boundary;
use crate::common::{BIN, fixture, repo, zones};
use geo::{Area, BooleanOps, MultiPolygon};
use std::fs;
use std::path::Path;
use std::process::Command;

fn plan(args: &[&str], out: &Path) -> (i32, String) {
    let o = Command::new(BIN)
        .arg("plan")
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .expect("run catchment");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).to_string(),
    )
}

fn fixture_args() -> Vec<String> {
    let f = |n: &str| fixture(n).display().to_string();
    vec![
        "--config".into(),
        f("scenario.toml"),
        "--current".into(),
        f("current.geojson"),
    ]
}

/// Area in square degrees scaled by cos(lat) (enough for ratios).
fn area(mp: &MultiPolygon<f64>) -> f64 {
    mp.unsigned_area()
}

fn check_tiling(out: &Path, boundary: &MultiPolygon<f64>) {
    let zs = zones(&out.join("catchments.geojson"));
    assert!(!zs.is_empty());
    let b = area(boundary);
    for level in ["primary", "junior"] {
        let here: Vec<&MultiPolygon<f64>> =
            zs.iter().filter(|z| z.0 == level).map(|z| &z.2).collect();
        if here.is_empty() {
            continue;
        }
        let sum: f64 = here.iter().map(|z| area(z)).sum();
        assert!(
            (sum - b).abs() / b < 0.001,
            "{level}: zones {sum} vs boundary {b}"
        );
        for i in 0..here.len() {
            for j in i + 1..here.len() {
                let o = area(&here[i].intersection(here[j]));
                assert!(o / b < 0.0001, "{level}: zones {i} and {j} overlap {o}");
            }
            // Inside the boundary.
            let outside = area(&here[i].difference(boundary));
            assert!(
                outside / b < 0.0001,
                "{level}: zone {i} outside the boundary"
            );
        }
    }
}

#[test]
fn fixture_zones_tile_the_boundary_and_moves_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    let args = fixture_args();
    let mut a: Vec<&str> = args.iter().map(String::as_str).collect();
    a.push("--whole-units");
    let (code, err) = plan(&a, dir.path());
    assert!(code == 0 || code == 1, "exit {code}: {err}");
    check_tiling(dir.path(), &read_boundary(&fixture("boundary.geojson")));
    let moves = fs::read_to_string(dir.path().join("moves.csv")).unwrap();
    assert!(moves.starts_with("unit_id,level,from,to,students\n"));
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("summary.json")).unwrap())
            .unwrap();
    // moves.csv and summary.json agree.
    let listed: u64 = moves
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(summary["moved"].as_u64().unwrap(), listed);
    assert_eq!(summary["status"], "whole_units_within_reported_gap");
    // Whole units: one row per unit and level.
    let csv = fs::read_to_string(dir.path().join("assignment.csv")).unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for l in csv.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        if !f[2].is_empty() {
            assert!(
                seen.insert((f[0].to_string(), f[1].to_string())),
                "unit split: {l}"
            );
        }
    }
}

#[test]
fn pins_are_kept_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let pins = dir.path().join("pins.csv");
    fs::write(&pins, "unit_id,school_id\nH3,P2\n").unwrap();
    let args = fixture_args();
    let mut a: Vec<&str> = args.iter().map(String::as_str).collect();
    let p = pins.display().to_string();
    a.extend(["--pins", &p]);
    let out = dir.path().join("out");
    let (code, err) = plan(&a, &out);
    assert!(code == 0 || code == 1, "exit {code}: {err}");
    let csv = fs::read_to_string(out.join("assignment.csv")).unwrap();
    let rows: Vec<&str> = csv
        .lines()
        .filter(|l| l.starts_with("H3,primary,"))
        .collect();
    assert!(!rows.is_empty());
    assert!(
        rows.iter().all(|l| l.starts_with("H3,primary,P2,")),
        "{rows:?}"
    );
}

#[test]
fn sweep_without_current_zones_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = fixture("scenario.toml").display().to_string();
    let (code, err) = plan(&["--config", &cfg, "--sweep"], &dir.path().join("o"));
    assert_eq!(code, 2);
    assert!(err.contains("--current"), "{err}");
    assert!(!dir.path().join("o").exists());
}

/// The bundled example (synthetic): whole units against current zones, the
/// sweep, the gap to the LP bound under 0.5%, zones tiling the county.
#[test]
fn bundled_example_reports_moves_sweep_and_gap() {
    let dir = tempfile::tempdir().unwrap();
    let (code, err) = plan(&["--sweep"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("stability sweep"), "{err}");
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("summary.json")).unwrap())
            .unwrap();
    assert!(summary["moved"].as_u64().unwrap() > 0);
    for level in ["primary", "junior"] {
        let gap = summary["levels"][level]["model"]["gap_to_lp_bound"]
            .as_f64()
            .unwrap();
        assert!((0.0..0.005).contains(&gap), "{level} gap {gap}");
        let z = &summary["zones"][level];
        assert!(z["area_difference_fraction"].as_f64().unwrap().abs() < 0.001);
    }
    let sweep = fs::read_to_string(dir.path().join("stability_sweep.csv")).unwrap();
    let primary: Vec<(f64, u64, f64)> = sweep
        .lines()
        .skip(1)
        .filter(|l| l.contains(",primary,"))
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                f[0].parse().unwrap(),
                f[2].parse().unwrap(),
                f[5].parse().unwrap(),
            )
        })
        .collect();
    assert!(primary.len() >= 3);
    // The trade-off: a heavier weight never moves more students, and the
    // heaviest moves fewer than none at all while travelling further.
    let (first, last) = (primary[0], primary[primary.len() - 1]);
    assert!(last.1 < first.1 && last.2 > first.2, "{primary:?}");
    check_tiling(
        dir.path(),
        &read_boundary(&repo("data/wuzhai/boundary.geojson")),
    );
}

/// `--feeder` on the bundled example: every primary zone feeds one junior
/// school (units with students at both levels show it in assignment.csv).
#[test]
fn feeder_junior_zones_are_unions_of_primary_zones() {
    let dir = tempfile::tempdir().unwrap();
    let (code, err) = plan(&["--feeder"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("feeder: junior zones are unions"), "{err}");
    let csv = fs::read_to_string(dir.path().join("assignment.csv")).unwrap();
    let mut primary = std::collections::BTreeMap::new();
    let mut junior = std::collections::BTreeMap::new();
    for l in csv.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        let m = if f[1] == "primary" {
            &mut primary
        } else {
            &mut junior
        };
        m.insert(f[0].to_string(), f[2].to_string());
    }
    let mut feeds: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    for (u, p) in &primary {
        if let Some(j) = junior.get(u) {
            feeds.entry(p.clone()).or_default().insert(j.clone());
        }
    }
    assert!(feeds.len() > 3);
    for (p, js) in &feeds {
        assert_eq!(js.len(), 1, "primary zone {p} feeds {js:?}");
    }
    let s: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("summary.json")).unwrap())
            .unwrap();
    assert_eq!(s["levels"]["junior"]["model"]["feeder_groups_broken"], 0);
}

/// `compare` on the bundled example and its what-if: one more class at P01
/// (+45 seats), a new school P13 of 2 classes (+90), P10 closed (-45): the
/// primary seats rise by 90; closing P10 leaves its remote children with no
/// school in reach, which the table shows.
#[test]
fn compare_shows_what_if_edits_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp");
    let o = Command::new(BIN)
        .arg("compare")
        .arg(repo("data/wuzhai/scenario.toml"))
        .arg(repo("data/wuzhai/whatif.toml"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    let table = String::from_utf8_lossy(&o.stdout);
    // The what-if closes a school and leaves 5 primary students unplaced.
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(table.contains("95th pct travel m"), "{table}");
    assert!(table.contains("day pupils' mean m"), "{table}");
    let csv = fs::read_to_string(out.join("compare.csv")).unwrap();
    let row = |sc: &str, level: &str| -> Vec<String> {
        csv.lines()
            .find(|l| l.starts_with(&format!("{sc},{level},")))
            .unwrap_or_else(|| panic!("no row {sc} {level}: {csv}"))
            .split(',')
            .map(String::from)
            .collect()
    };
    let (a, b) = (row("scenario", "primary"), row("whatif", "primary"));
    let seats = |r: &[String]| r[5].parse::<u64>().unwrap();
    assert_eq!(seats(&b), seats(&a) + 90);
    assert_eq!(a[3], a[2], "the base places everyone");
    assert!(
        b[4].parse::<u64>().unwrap() > 0,
        "closing P10 strands its remote children"
    );
    for f in [
        "scenario_primary.png",
        "whatif_primary.svg",
        "whatif_junior.png",
    ] {
        assert!(out.join("maps").join(f).is_file(), "{f}");
    }
}

/// A what-if that closes a school that does not exist: exit 2, the edit named.
#[test]
fn a_bad_edit_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(repo("data/wuzhai/whatif.toml"))
        .unwrap()
        .replace("close = \"P10\"", "close = \"P99\"")
        .replace(
            "\"households.geojson\"",
            &format!("{:?}", repo("data/wuzhai/households.geojson")),
        )
        .replace(
            "\"schools.geojson\"",
            &format!("{:?}", repo("data/wuzhai/schools.geojson")),
        )
        .replace(
            "\"boundary.geojson\"",
            &format!("{:?}", repo("data/wuzhai/boundary.geojson")),
        )
        .replace(
            "\"roads.geojson\"",
            &format!("{:?}", repo("data/wuzhai/roads.geojson")),
        )
        .replace(
            "\"current.geojson\"",
            &format!("{:?}", repo("data/wuzhai/current.geojson")),
        );
    let cfg = dir.path().join("bad.toml");
    fs::write(&cfg, text).unwrap();
    let (code, err) = plan(
        &["--config", &cfg.display().to_string()],
        &dir.path().join("o"),
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("bad.toml") && err.contains("[[edit]] 3") && err.contains("P99"),
        "{err}"
    );
    assert!(!dir.path().join("o").exists());
}

/// `plan --year`: a later entry year from the same census (children already
/// born); a year whose children are not yet born by the census is refused.
#[test]
fn plan_a_later_year_from_the_same_census() {
    let dir = tempfile::tempdir().unwrap();
    let (code, err) = plan(&["--year", "2026"], &dir.path().join("y26"));
    assert!(code == 0 || code == 1, "{err}");
    let s: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("y26/summary.json")).unwrap())
            .unwrap();
    assert_eq!(s["entry_year"], 2026);
    assert_eq!(s["census_date"], "2023-08-31");
    // Born 2019-09-01 ..= 2020-08-31, counted in the households file by hand.
    let text = fs::read_to_string(repo("data/wuzhai/households.geojson")).unwrap();
    let born: u64 = text
        .match_indices("\"birth_date\":")
        .map(|(i, _)| &text[i + 13..i + 30])
        .filter_map(|t| t.split('"').nth(1))
        .filter(|d| ("2019-09-01"..="2020-08-31").contains(d))
        .count() as u64;
    assert_eq!(s["students"]["primary"].as_u64().unwrap(), born);
    let (code, err) = plan(&["--year", "2031"], &dir.path().join("y31"));
    assert_eq!(code, 2);
    assert!(
        err.contains("at most 2029") && err.contains("catchment forecast"),
        "{err}"
    );
    assert!(!dir.path().join("y31").exists());
}
