//! `--excel` on forecast, backtest, compare, classes and track (as on
//! plan: tests/it/household_table.rs): every CSV written starts with the UTF-8
//! byte-order mark EF BB BF, and is otherwise the file written without
//! `--excel`, parsing to the same rows; other files are unchanged.

use crate::common::{BIN, example_file, outputs};
use std::process::Command;

fn rows(bytes: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
        .records()
        .map(|r| {
            r.expect("a CSV record")
                .iter()
                .map(str::to_string)
                .collect()
        })
        .collect()
}

/// Run `args` with `--out` twice, without and with `--excel`; check the CSV
/// files named in `csvs` (at least) and every other file.
fn check(command: &str, args: &[&str], csvs: &[&str]) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut outs = Vec::new();
    for excel in [false, true] {
        let out = tmp.path().join(if excel { "excel" } else { "plain" });
        let mut c = Command::new(BIN);
        c.arg(command).args(args).arg("--out").arg(&out);
        if excel {
            c.arg("--excel");
        }
        let o = c.output().expect("run catchment");
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "{command} (excel {excel}): {}",
            String::from_utf8_lossy(&o.stderr)
        );
        outs.push(outputs(&out));
    }
    let (plain, excel) = (&outs[0], &outs[1]);
    assert_eq!(
        plain.keys().collect::<Vec<_>>(),
        excel.keys().collect::<Vec<_>>(),
        "{command}: --excel changed which files are written"
    );
    for name in csvs {
        assert!(
            plain.contains_key(*name),
            "{command}: no {name} among {:?}",
            plain.keys().collect::<Vec<_>>()
        );
    }
    let mut n_csv = 0;
    for (rel, p) in plain {
        let e = &excel[rel];
        let is_csv = rel.ends_with(".csv");
        if !is_csv {
            assert_eq!(p, e, "{command}: {rel} changed by --excel");
            continue;
        }
        n_csv += 1;
        assert!(
            !p.starts_with(b"\xEF\xBB\xBF"),
            "{command}: {rel} has a BOM without --excel"
        );
        let body = e.strip_prefix(b"\xEF\xBB\xBF").unwrap_or_else(|| {
            panic!("{command}: {rel} does not start with EF BB BF under --excel")
        });
        assert_eq!(body, p.as_slice(), "{command}: {rel}");
        let (rp, re) = (rows(p), rows(body));
        assert!(!rp.is_empty(), "{command}: {rel} is empty");
        assert_eq!(rp, re, "{command}: {rel}");
    }
    assert!(n_csv >= csvs.len());
}

#[test]
fn forecast_excel() {
    check(
        "forecast",
        &["--config", &example_file("scenario.toml")],
        &["forecast.csv", "seats.csv"],
    );
}

#[test]
fn backtest_excel() {
    check(
        "backtest",
        &["--config", &example_file("scenario.toml")],
        &["backtest.csv"],
    );
}

#[test]
fn compare_excel() {
    check(
        "compare",
        &[&example_file("scenario.toml"), &example_file("whatif.toml")],
        &["compare.csv"],
    );
}

#[test]
fn classes_excel() {
    check(
        "classes",
        &[
            "--students",
            &example_file("students.csv"),
            "--classes",
            "3",
        ],
        &["classes.csv", "classes_summary.csv"],
    );
}

#[test]
fn track_excel() {
    check(
        "track",
        &[
            "--graduates",
            &example_file("graduates.csv"),
            "--registrations",
            &example_file("registrations.csv"),
        ],
        &["not_registered.csv", "registered_elsewhere.csv"],
    );
}

#[test]
fn lottery_has_no_excel_switch() {
    let o = Command::new(BIN)
        .args(["lottery", "draw", "--excel"])
        .output()
        .expect("run catchment");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--excel"));
}
