//! Byte-identical outputs across runs and thread counts: `plan` on the
//! bundled example with its road network (the road travel search runs one
//! search per school on `--threads` / `CATCHMENT_THREADS` threads) twice on
//! one thread, then on 2 and 4, every output file compared byte for byte
//! except timings.json (wall times; the contract lets it differ); the same
//! for `forecast` and `lottery draw` (single-threaded: run twice, and with
//! the thread setting changed, which they must ignore).

use crate::common::{BIN, example_file, outputs};
use std::path::PathBuf;
use std::process::{Command, Output};

/// `catchment ARGS` with `CATCHMENT_THREADS` set to `threads_env` (or unset).
fn run_with_threads(args: &[&str], threads_env: Option<&str>) -> Output {
    let mut c = Command::new(BIN);
    c.args(args).env_remove("CATCHMENT_THREADS");
    if let Some(t) = threads_env {
        c.env("CATCHMENT_THREADS", t);
    }
    c.output().expect("run catchment")
}

/// The runs' output folders hold the same files with the same bytes.
fn assert_same(dirs: &[(String, PathBuf)], at_least: &[&str]) {
    let (first_name, first_dir) = &dirs[0];
    let first = outputs(first_dir);
    for name in at_least {
        assert!(
            first.get(*name).is_some_and(|b| !b.is_empty()),
            "{first_name}: {name} missing or empty; files: {:?}",
            first.keys().collect::<Vec<_>>()
        );
    }
    for (name, dir) in &dirs[1..] {
        let other = outputs(dir);
        assert_eq!(
            first.keys().collect::<Vec<_>>(),
            other.keys().collect::<Vec<_>>(),
            "{first_name} and {name} wrote different files"
        );
        for (rel, bytes) in &first {
            let theirs = &other[rel];
            if bytes != theirs {
                let at = bytes
                    .iter()
                    .zip(theirs.iter())
                    .position(|(a, b)| a != b)
                    .unwrap_or(bytes.len().min(theirs.len()));
                panic!(
                    "{rel}: {first_name} and {name} differ from byte {at} ({} vs {} bytes)",
                    bytes.len(),
                    theirs.len()
                );
            }
        }
    }
}

#[test]
fn plan_with_roads_is_identical_across_runs_and_thread_counts() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let runs: [(&str, Option<&str>, Option<&str>); 4] = [
        ("1 thread, run 1", Some("1"), None),
        ("1 thread, run 2", None, Some("1")),
        ("2 threads", None, Some("2")),
        ("4 threads", Some("4"), None),
    ];
    let mut dirs = Vec::new();
    for (k, (name, flag, env)) in runs.iter().enumerate() {
        let out = tmp.path().join(format!("run{k}"));
        let out_s = out.to_str().expect("utf-8 path").to_string();
        let config = example_file("scenario.toml");
        let mut args = vec!["plan", "--config", &config, "--out", &out_s];
        if let Some(t) = flag {
            args.extend(["--threads", t]);
        }
        let o = run_with_threads(&args, *env);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(stderr.contains("roads:"), "{name}: not by road: {stderr}");
        dirs.push((name.to_string(), out));
    }
    assert_same(
        &dirs,
        &[
            "assignment.csv",
            "assignment.geojson",
            "schools.csv",
            "catchments.geojson",
            "zones_by_area.csv",
            "moves.csv",
            "summary.json",
            "maps/primary.png",
            "maps/junior.svg",
        ],
    );
}

#[test]
fn a_bad_thread_count_is_refused_before_anything_is_written() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let config = example_file("scenario.toml");
    for (flag, env, expect) in [
        (Some("0"), None, "--threads"),
        (Some("two"), None, "--threads"),
        (
            None,
            Some("0"),
            "CATCHMENT_THREADS: expected a whole number of threads >= 1",
        ),
        (
            None,
            Some("x"),
            "CATCHMENT_THREADS: expected a whole number of threads >= 1",
        ),
    ] {
        let out = tmp.path().join("out");
        let out_s = out.to_str().expect("utf-8 path").to_string();
        let mut args = vec!["plan", "--config", &config, "--out", &out_s];
        if let Some(t) = flag {
            args.extend(["--threads", t]);
        }
        let o = run_with_threads(&args, env);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{flag:?} {env:?}: {stderr}");
        assert!(stderr.contains(expect), "{flag:?} {env:?}: {stderr}");
        assert!(!out.exists(), "{flag:?} {env:?}: wrote {}", out.display());
    }
}

#[test]
fn forecast_is_identical_across_runs() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut dirs = Vec::new();
    for (k, env) in [Some("1"), Some("1"), Some("4")].iter().enumerate() {
        let out = tmp.path().join(format!("run{k}"));
        let out_s = out.to_str().expect("utf-8 path").to_string();
        let config = example_file("scenario.toml");
        let o = run_with_threads(&["forecast", "--config", &config, "--out", &out_s], *env);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        dirs.push((format!("forecast run {k} (CATCHMENT_THREADS={env:?})"), out));
    }
    assert_same(&dirs, &["seats.csv"]);
}

#[test]
fn lottery_draw_is_identical_across_runs() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut dirs = Vec::new();
    for (k, env) in [Some("1"), Some("1"), Some("4")].iter().enumerate() {
        let out = tmp.path().join(format!("run{k}"));
        let out_s = out.to_str().expect("utf-8 path").to_string();
        let applicants = example_file("applicants.csv");
        let o = run_with_threads(
            &[
                "lottery",
                "draw",
                "--applicants",
                &applicants,
                "--seats",
                "J02=150",
                "--public-entropy",
                "双色球 2023-07-20: 03 07 12 19 25 31 + 09 (example, invented)",
                "--notary",
                "4711 2908",
                "--out",
                &out_s,
            ],
            *env,
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        dirs.push((format!("lottery run {k}"), out));
    }
    let names: Vec<String> = outputs(&dirs[0].1).keys().cloned().collect();
    assert!(names.len() >= 2, "lottery wrote only {names:?}");
    assert_same(&dirs, &[]);
}
