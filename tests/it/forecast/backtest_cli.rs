//! `catchment backtest` through the command line: the Atlanta slice
//! (public data, tests/fixtures/atlanta/README.md) and a bad file.

use crate::common::{BIN, example_file, fixture, run_split};
use std::fs;
use std::process::Command;

#[test]
fn atlanta_slice_backtest_writes_the_contract_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bt");
    let enr = fixture("atlanta/enrollment.csv");
    let (code, stdout, err) = run_split(&[
        "backtest",
        "--enrollment",
        enr.to_str().unwrap(),
        "--entry-age",
        "5",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("MAPE by horizon"), "{stdout}");
    let csv = fs::read_to_string(out.join("backtest.csv")).unwrap();
    assert!(csv.starts_with("origin,horizon,school_id,actual,forecast,low,high,ape\n"));
    let district: Vec<&str> = csv
        .lines()
        .filter(|l| l.split(',').nth(2) == Some("*"))
        .collect();
    assert!(!district.is_empty());
    for l in csv.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        let (actual, forecast): (f64, f64) = (f[3].parse().unwrap(), f[4].parse().unwrap());
        if actual > 0.0 {
            let ape: f64 = f[7].parse().unwrap();
            assert!(
                ((forecast - actual).abs() / actual - ape).abs() < 1e-3,
                "{l}"
            );
        } else {
            assert_eq!(f[7], "", "{l}");
        }
    }
    let j: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("backtest.json")).unwrap()).unwrap();
    let h1 = &j["by_horizon"][0];
    assert_eq!(h1["horizon"], 1);
    let (m, p) = (
        h1["district"]["mape"].as_f64().unwrap(),
        h1["district"]["persistence_mape"].as_f64().unwrap(),
    );
    assert!(
        m.is_finite() && p.is_finite() && m < 2.0 * p + 0.01,
        "{m} vs {p}"
    );
    // Byte-identical on a second run.
    let out2 = dir.path().join("bt2");
    run_split(&[
        "backtest",
        "--enrollment",
        enr.to_str().unwrap(),
        "--entry-age",
        "5",
        "--out",
        out2.to_str().unwrap(),
    ]);
    assert_eq!(csv, fs::read_to_string(out2.join("backtest.csv")).unwrap());
}

#[test]
fn a_repeated_row_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("enrollment.csv");
    fs::write(
        &f,
        "year,school_id,grade,students\n2020,A,1,30\n2021,A,1,31\n2021,A,1,32\n2022,A,1,29\n",
    )
    .unwrap();
    let out = dir.path().join("o");
    let (code, _, err) = run_split(&[
        "backtest",
        "--enrollment",
        f.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("enrollment.csv: line 4") && err.contains("first at line 3"),
        "{err}"
    );
    assert!(!out.exists());
}

/// The bundled example's synthetic history (a cohort process with falling
/// births): the model beats persistence at the district level, one year on.
#[test]
fn bundled_example_backtest_beats_persistence() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = example_file("scenario.toml");
    let out = dir.path().join("bt");
    let (code, stdout, err) =
        run_split(&["backtest", "--config", &cfg, "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("MAPE by horizon"));
    let j: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("backtest.json")).unwrap()).unwrap();
    let d = &j["by_horizon"][0]["district"];
    assert!(
        d["mape"].as_f64().unwrap() < d["persistence_mape"].as_f64().unwrap(),
        "{d}"
    );
    let o = Command::new(BIN)
        .args(["forecast", "--config", &cfg, "--out"])
        .arg(dir.path().join("fc"))
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let seats = fs::read_to_string(dir.path().join("fc/seats.csv")).unwrap();
    assert!(seats.lines().count() > 10);
}
