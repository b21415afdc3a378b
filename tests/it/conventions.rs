//! One convention for every command, and numbers that never contradict
//! each other: results on stdout, messages on stderr (`-q` keeps only
//! errors and warnings); a closed pipe ends quietly; exit 1 whenever a
//! child ends without a seat; inputs that cannot be right (most units
//! outside the county or far from every road, a point outside the county)
//! refused with exit 2; the report's figures each equal their source.

use crate::common::{BIN, read_csv, read_json, repo, run, stderr, stdout};
use std::fs;
use std::process::{Command, Stdio};

#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args(["backtest", "--config"])
        .arg(repo("data/wuzhai/scenario.toml"))
        .arg("--out")
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one line, then close the pipe, as `| head -n 1` does.
    let mut out = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    std::io::Read::read_exact(&mut out, &mut first).unwrap();
    drop(out);
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !err.contains("panicked") && !err.contains("Broken pipe"),
        "{err}"
    );
}

#[test]
fn a_full_disk_on_stdout_is_an_error_not_a_panic() {
    let Ok(full) = fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // not Linux
    };
    let o = Command::new(BIN)
        .args(["validate"])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("could not write to stdout") && !err.contains("panicked"),
        "{err}"
    );
}

#[test]
fn quiet_keeps_only_errors_and_warnings_and_plain_runs_print_no_debug() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("p");
    let o = run(&["-q", "plan", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    let o = run(&["plan", "--out", out.to_str().unwrap()]);
    let err = stderr(&o);
    assert!(err.contains("day pupils' mean travel"), "{err}");
    assert!(
        !err.contains("snaps") && !err.contains("ms\n"),
        "a debug line: {err}"
    );
    let o = run(&["-v", "plan", "--out", out.to_str().unwrap()]);
    assert!(stderr(&o).contains("stage"), "{}", stderr(&o));
}

#[test]
fn a_point_far_outside_the_county_is_refused() {
    // 1,200 km from Wuzhai.
    let o = run(&["locate", "123.5", "30.2"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("outside the county boundary"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).is_empty());
}

/// The example's households (or roads) with every longitude moved by `d`.
fn shifted(name: &str, d: f64, dir: &std::path::Path) -> std::path::PathBuf {
    let mut v = read_json(&repo(&format!("data/wuzhai/{name}")));
    fn shift(v: &mut serde_json::Value, d: f64) {
        match v {
            serde_json::Value::Array(a) => {
                if a.len() == 2 && a.iter().all(|x| x.is_number()) {
                    a[0] = (a[0].as_f64().unwrap() + d).into();
                } else {
                    a.iter_mut().for_each(|x| shift(x, d));
                }
            }
            serde_json::Value::Object(m) => m.values_mut().for_each(|x| shift(x, d)),
            _ => {}
        }
    }
    for f in v["features"].as_array_mut().unwrap() {
        shift(&mut f["geometry"], d);
    }
    let p = dir.join(name);
    fs::write(&p, v.to_string()).unwrap();
    p
}

#[test]
fn households_off_the_county_are_refused_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let hh = shifted("households.geojson", 2.0, dir.path());
    let out = dir.path().join("out");
    let args = |extra: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = vec![
            "plan".into(),
            "--households".into(),
            hh.display().to_string(),
            "--schools".into(),
            repo("data/wuzhai/schools.geojson").display().to_string(),
            "--boundary".into(),
            repo("data/wuzhai/boundary.geojson").display().to_string(),
            "--out".into(),
            out.display().to_string(),
        ];
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let a = args(&[]);
    let o = run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("outside it") && err.contains("--allow-outside"),
        "{err}"
    );
    assert!(err.contains("households.geojson"), "{err}");
    assert!(!out.exists(), "nothing written");
    let a = args(&["--allow-outside"]);
    let o = run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
}

#[test]
fn a_road_extract_of_another_area_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let roads = shifted("roads.geojson", 3.0, dir.path());
    let o = run(&["validate", "--roads", roads.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("of a road in"), "{}", stderr(&o));
}

/// The text of the headline card whose label contains `label`.
fn card(html: &str, label: &str) -> String {
    let at = html
        .find(label)
        .unwrap_or_else(|| panic!("no card {label}"));
    let start = html[..at].rfind("<div class=\"v\">").expect("card value") + 15;
    let end = start + html[start..].find("</div>").unwrap();
    html[start..end].to_string()
}

#[test]
fn the_reports_figures_agree_with_their_sources() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cfg = repo("data/wuzhai/scenario.toml");
    let cfg = cfg.to_str().unwrap();
    let o = run(&[
        "report",
        "--config",
        cfg,
        "--out",
        d.join("r").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let html = fs::read_to_string(d.join("r/report.html")).unwrap();
    run(&[
        "plan",
        "--config",
        cfg,
        "--out",
        d.join("p").to_str().unwrap(),
    ]);
    let summary = read_json(&d.join("p/summary.json"));
    for (level, zh) in [("primary", "小学"), ("junior", "初中")] {
        let l = &summary["levels"][level];
        assert_eq!(
            card(&html, &format!("{zh}入学学生")),
            l["students"].to_string()
        );
        assert_eq!(
            card(&html, &format!("{zh}本次划片未安置")),
            l["unplaced"]["total"].to_string()
        );
        let day = l["day"]["mean_travel_m"].as_f64().unwrap();
        let shown = card(&html, &format!("{zh}走读生平均上学距离"));
        let want = if day < 1000.0 {
            format!("{day:.0} m")
        } else {
            format!("{:.1} km", day / 1000.0)
        };
        assert_eq!(shown, want, "{level} day pupils' travel");
        let b = &l["boarding"];
        if b["students"].as_u64().unwrap() > 0 {
            let shown = card(&html, &format!("{zh}寄宿生"));
            assert!(shown.starts_with(&b["students"].to_string()), "{shown}");
        }
        // Day and boarding pupils together are every placed pupil.
        assert_eq!(
            l["day"]["students"].as_u64().unwrap() + b["students"].as_u64().unwrap(),
            l["placed"].as_u64().unwrap()
        );
    }
    // The forecast's cards: each school's shortfall summed, and the county's
    // net, for the year shown, from `forecast`'s own seats.csv.
    let label = "年预测：各校缺位合计";
    let at = html.find(label).expect("forecast card");
    let year: i32 = html[at - 5..at].trim().parse().expect("a year");
    let short: i64 = card(&html, label)
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let net: i64 = card(&html, "年预测：全县学位净余").parse().unwrap();
    run(&[
        "forecast",
        "--config",
        cfg,
        "--out",
        d.join("f").to_str().unwrap(),
    ]);
    let rows = read_csv(&d.join("f/seats.csv"));
    let this: Vec<_> = rows
        .iter()
        .filter(|r| r["year"] == year.to_string())
        .collect();
    let n = |r: &std::collections::BTreeMap<String, String>, k: &str| -> i64 {
        r[k].parse::<f64>().unwrap().round() as i64
    };
    let want_short: i64 = this.iter().map(|r| n(r, "gap").max(0)).sum();
    let want_net: i64 = this.iter().map(|r| n(r, "seats") - n(r, "students")).sum();
    assert_eq!(short, want_short, "sum of schools' shortfalls in {year}");
    assert_eq!(net, want_net, "county net spare seats in {year}");
}
