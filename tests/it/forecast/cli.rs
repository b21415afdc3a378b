//! `catchment forecast` through the command line, known answers: a steady
//! history forecasts itself, and seats.csv follows by hand.

use crate::common::{BIN, fixture};
use std::fs;
use std::process::Command;

/// P1 (primary, 1 entry class of 45) has 50 pupils in every grade 1-6 each
/// year; J1 (junior, 2 entry classes of 50) 80 in grades 7-9. Ratios are 1
/// and the entry grade is steady, so every future year repeats:
/// P1 300 students, seats 45 x 6 = 270, classes 6 x ceil(50/45) = 12, gap 30;
/// J1 240 students, seats 100 x 3 = 300, classes 3 x ceil(80/50) = 6, gap -60.
#[test]
fn a_steady_history_gives_seats_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("year,school_id,grade,students\n");
    for y in 2016..=2022 {
        for g in 1..=6 {
            csv.push_str(&format!("{y},P1,{g},50\n"));
        }
        for g in 7..=9 {
            csv.push_str(&format!("{y},J1,{g},80\n"));
        }
    }
    let enr = dir.path().join("enrollment.csv");
    fs::write(&enr, csv).unwrap();
    let schools = fixture("schools.geojson");
    let out = dir.path().join("out");
    let o = Command::new(BIN)
        .args([
            "forecast",
            "--enrollment",
            enr.to_str().unwrap(),
            "--schools",
        ])
        .arg(&schools)
        .args(["--horizon", "3", "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let f = fs::read_to_string(out.join("forecast.csv")).unwrap();
    assert!(f.starts_with("year,school_id,grade,students,low,high\n"));
    assert!(
        f.contains("\n2025,P1,6,50.0,") && f.contains("\n2023,J1,7,80.0,"),
        "{f}"
    );
    let s = fs::read_to_string(out.join("seats.csv")).unwrap();
    let want = "year,school_id,level,students,seats,classes_needed,gap\n\
                2023,P1,primary,300,270,12,30\n2023,J1,junior,240,300,6,-60\n";
    assert!(s.starts_with(want), "{s}");
    assert_eq!(s.lines().count(), 1 + 2 * 3);
    for f in ["charts/P1.png", "charts/P1.svg", "charts/J1.png"] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let svg = fs::read_to_string(out.join("charts/P1.svg")).unwrap();
    assert!(svg.contains("东关小学"), "the chart names the school");
}
