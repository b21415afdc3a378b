//! The studio (`catchment serve`) through its HTTP contract (docs/studio.md):
//! every endpoint on the bundled example in process (`Session::handle`, no
//! socket), the laws a planner relies on (a move shifts exactly that unit's
//! students; optimise equals `plan` with the same pins and edits; undo
//! returns to the start; a save replays with `plan --config`), dozens of
//! malformed requests each answered with a 4xx JSON error; and the binary
//! itself over a socket (loopback, the token, Ctrl-C).

use crate::common;
use catchment::io::load::{LoadRequest, load};
use catchment::plan::files::plan_files;
use catchment::plan::{Loaded, solve_loaded};
use catchment::studio::Studio;
use catchment::studio::api::{Reply, Request, Session};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};

fn example() -> Loaded {
    load(&LoadRequest::default(), chrono::Local::now().date_naive()).expect("the bundled example")
}

fn session(public: bool) -> Session {
    let mut s = Session::new(Studio::new(example(), false).expect("solves"), public);
    s.original_toml = Some(std::fs::read_to_string(catchment::io::load::EXAMPLE_CONFIG).unwrap());
    s
}

/// (status, body as JSON) of a request.
fn call(s: &mut Session, method: &str, path_query: &str, body: &str) -> (u16, Value) {
    let (path, query) = path_query.split_once('?').unwrap_or((path_query, ""));
    let reply = s.handle(&Request {
        method,
        path,
        query,
        body: body.as_bytes(),
    });
    match reply {
        Reply::Json(status, text) => (status, serde_json::from_str(&text).expect("JSON")),
        Reply::Asset(..) => (200, Value::Null),
        Reply::Save(files) => (
            200,
            json!(files.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>()),
        ),
    }
}

fn get(s: &mut Session, path: &str) -> Value {
    let (status, v) = call(s, "GET", path, "");
    assert_eq!(status, 200, "{path}: {v}");
    v
}

fn post(s: &mut Session, path: &str, body: Value) -> Value {
    let (status, v) = call(s, "POST", path, &body.to_string());
    assert_eq!(status, 200, "{path} {body}: {v}");
    v
}

/// Assigned students per (school, level) from `/api/schools`.
fn assigned(s: &mut Session) -> BTreeMap<(String, String), i64> {
    get(s, "/api/schools")
        .as_array()
        .expect("array")
        .iter()
        .map(|r| {
            (
                (
                    r["school_id"].as_str().unwrap().to_string(),
                    r["level"].as_str().unwrap().to_string(),
                ),
                r["assigned"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// A unit with primary students, its school, and another public primary
/// school.
fn unit_to_move(s: &mut Session) -> (String, String, String, i64) {
    let rows = get(s, "/api/assignment");
    let r = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["level"] == "primary" && r["students"].as_i64().unwrap() > 0)
        .expect("a primary row")
        .clone();
    let from = r["school_id"].as_str().unwrap().to_string();
    let to = get(s, "/api/school_points")
        .as_array()
        .unwrap()
        .iter()
        .find(|p| {
            p["takes"].as_array().unwrap().contains(&json!("primary"))
                && p["school_id"].as_str() != Some(&from)
        })
        .map(|p| p["school_id"].as_str().unwrap().to_string())
        .expect("another school");
    (
        r["unit_id"].as_str().unwrap().to_string(),
        from,
        to,
        r["students"].as_i64().unwrap(),
    )
}

/// The files `plan` writes for a scenario, by name.
fn plan_of(loaded: &Loaded) -> BTreeMap<String, Vec<u8>> {
    let levels = solve_loaded(loaded).expect("solves");
    plan_files(loaded, &levels, loaded.scenario.stability_m_per_student)
        .into_iter()
        .collect()
}

fn save(s: &mut Session) -> BTreeMap<String, Vec<u8>> {
    match s.handle(&Request {
        method: "POST",
        path: "/api/save",
        query: "",
        body: b"",
    }) {
        Reply::Save(files) => files.into_iter().collect(),
        _ => panic!("a save"),
    }
}

#[test]
fn the_served_state_is_plans() {
    let mut s = session(false);
    let plan = plan_of(&example());
    let saved = save(&mut s);
    for name in [
        "assignment.csv",
        "schools.csv",
        "summary.json",
        "catchments.geojson",
    ] {
        assert_eq!(saved[name], plan[name], "{name}");
    }
    let summary: Value = serde_json::from_slice(&plan["summary.json"]).unwrap();
    assert_eq!(get(&mut s, "/api/summary"), summary);
    let zones: Value = serde_json::from_slice(&plan["catchments.geojson"]).unwrap();
    assert_eq!(get(&mut s, "/api/zones"), zones);
    // The tables are the CSV files, numbers as numbers.
    let csv_rows = |name: &str| -> Vec<BTreeMap<String, String>> {
        let mut r = csv::Reader::from_reader(&plan[name][..]);
        let h = r.headers().unwrap().clone();
        r.records()
            .map(|x| {
                h.iter()
                    .zip(x.unwrap().iter())
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect()
            })
            .collect()
    };
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    for (name, path) in [
        ("schools.csv", "/api/schools"),
        ("assignment.csv", "/api/assignment"),
    ] {
        let api = get(&mut s, path);
        let rows = csv_rows(name);
        assert_eq!(api.as_array().unwrap().len(), rows.len(), "{name}");
        for (a, r) in api.as_array().unwrap().iter().zip(&rows) {
            for (k, v) in r {
                let got = text(&a[k]);
                let same =
                    &got == v || got.parse::<f64>().ok() == v.parse::<f64>().ok() && !v.is_empty();
                assert!(same, "{name} {k}: {got} vs {v}");
            }
        }
    }
    let schools = get(&mut s, "/api/schools");
    assert!(schools[0]["seats"].is_number() && schools[0]["utilization"].is_number());
}

#[test]
fn a_manual_move_shifts_exactly_that_units_students() {
    let mut s = session(false);
    let before_rows = get(&mut s, "/api/assignment");
    let before = assigned(&mut s);
    let (unit, from, to, students) = unit_to_move(&mut s);
    let r = post(
        &mut s,
        "/api/assign",
        json!({"unit_id": unit, "level": "primary", "school_id": to}),
    );
    assert_eq!(r["changed"].as_array().unwrap().len(), 1, "{r}");
    assert_eq!(r["changed"][0]["unit_id"], json!(unit));
    assert_eq!(r["optimal"]["primary"], json!(false));
    let after = assigned(&mut s);
    let p = |id: &str| (id.to_string(), "primary".to_string());
    assert_eq!(after[&p(&to)], before[&p(&to)] + students);
    assert_eq!(after[&p(&from)], before[&p(&from)] - students);
    for (k, v) in &before {
        if *k != p(&to) && *k != p(&from) {
            assert_eq!(after[k], *v, "{k:?} unchanged");
        }
    }
    // Every other row is as it was.
    let after_rows = get(&mut s, "/api/assignment");
    let others = |rows: &Value| -> Vec<Value> {
        rows.as_array()
            .unwrap()
            .iter()
            .filter(|r| !(r["unit_id"] == json!(unit) && r["level"] == "primary"))
            .cloned()
            .collect()
    };
    assert_eq!(others(&before_rows), others(&after_rows));
    let t = get(&mut s, "/api/table?level=primary");
    assert_eq!(t["pins"], json!([{"unit_id": unit, "school_id": to}]));
    assert_eq!(t["changed"], json!([unit]));
    assert_eq!(t["optimal"], json!(false));
}

#[test]
fn optimise_equals_plan_with_the_pin_and_edits_and_the_save_replays() {
    let mut s = session(false);
    let (unit, _, to, _) = unit_to_move(&mut s);
    post(
        &mut s,
        "/api/assign",
        json!({"unit_id": unit, "level": "primary", "school_id": to}),
    );
    post(
        &mut s,
        "/api/edit",
        json!({"edit": {"school": "P01", "add_classes": 1}}),
    );
    post(&mut s, "/api/optimize", json!({}));
    let saved = save(&mut s);
    // plan on the same inputs with the pin (at its level) and the edit.
    let mut loaded = example();
    let u = loaded.unit_index(&unit).unwrap();
    let j = loaded.school_index(&to).unwrap();
    loaded.pins = [
        vec![None; loaded.units.len()],
        vec![None; loaded.units.len()],
    ];
    loaded.pins[0][u] = Some(j);
    // (the example's own pins: none)
    let edit = catchment::model::Edit::Classes {
        school: "P01".into(),
        level: None,
        change: catchment::model::ClassChange::Add(1),
    };
    loaded.apply_edits(&[edit]).unwrap();
    let plan = plan_of(&loaded);
    for name in [
        "assignment.csv",
        "schools.csv",
        "summary.json",
        "catchments.geojson",
        "moves.csv",
    ] {
        assert_eq!(saved[name], plan[name], "{name}");
    }
    let pins = String::from_utf8(saved["pins.csv"].clone()).unwrap();
    assert_eq!(
        pins,
        format!("unit_id,school_id,level\n{unit},{to},primary\n")
    );
    // The saved scenario, written out, plans the same state again.
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in &saved {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    let again = load(
        &LoadRequest {
            config: Some(dir.path().join("scenario.toml")),
            ..LoadRequest::default()
        },
        chrono::Local::now().date_naive(),
    )
    .expect("the saved scenario loads");
    let replay = plan_of(&again);
    for name in ["assignment.csv", "schools.csv", "summary.json"] {
        assert_eq!(saved[name], replay[name], "{name} replayed");
    }
}

#[test]
fn undo_and_redo_walk_the_steps() {
    let mut s = session(false);
    let start = get(&mut s, "/api/assignment");
    let (unit, _, to, _) = unit_to_move(&mut s);
    assert_eq!(call(&mut s, "POST", "/api/undo", "").0, 409);
    assert_eq!(call(&mut s, "POST", "/api/redo", "").0, 409);
    post(
        &mut s,
        "/api/assign",
        json!({"unit_id": unit, "level": "primary", "school_id": to}),
    );
    post(&mut s, "/api/optimize", json!({}));
    let optimised = get(&mut s, "/api/assignment");
    let r = post(&mut s, "/api/undo", json!({}));
    assert_eq!(r["history"], json!({"step": 1, "undo": 1, "redo": 1}));
    post(&mut s, "/api/undo", json!({}));
    assert_eq!(
        get(&mut s, "/api/assignment"),
        start,
        "two undos: the start"
    );
    assert_eq!(get(&mut s, "/api/table?level=primary")["pins"], json!([]));
    assert_eq!(call(&mut s, "POST", "/api/undo", "").0, 409);
    post(&mut s, "/api/redo", json!({}));
    post(&mut s, "/api/redo", json!({}));
    assert_eq!(get(&mut s, "/api/assignment"), optimised, "redone");
    // A new step drops what could be redone.
    post(&mut s, "/api/undo", json!({}));
    post(&mut s, "/api/edit", json!({"edit": {"close": "P02"}}));
    assert_eq!(call(&mut s, "POST", "/api/redo", "").0, 409);
    let info = get(&mut s, "/api/info");
    assert_eq!(info["history"], json!({"step": 2, "undo": 2, "redo": 0}));
}

#[test]
fn undo_after_many_steps_matches_the_state_then() {
    let mut s = session(false);
    let units: Vec<(String, String, String, i64)> = {
        let (u, _, to, n) = unit_to_move(&mut s);
        vec![(u, String::new(), to, n)]
    };
    let mut states = vec![get(&mut s, "/api/assignment")];
    let steps: Vec<(&str, Value)> = vec![
        (
            "/api/assign",
            json!({"unit_id": units[0].0, "level": "primary", "school_id": units[0].2}),
        ),
        ("/api/optimize", json!({})),
        (
            "/api/edit",
            json!({"edit": {"school": "P01", "add_classes": 1}}),
        ),
        ("/api/optimize", json!({})),
        (
            "/api/unpin",
            json!({"unit_id": units[0].0, "level": "primary"}),
        ),
        ("/api/optimize", json!({})),
        ("/api/edit", json!({"edit": {"close": "P03"}})),
        ("/api/optimize", json!({})),
    ];
    for (path, body) in &steps {
        post(&mut s, path, body.clone());
        states.push(get(&mut s, "/api/assignment"));
    }
    for k in (0..steps.len()).rev() {
        post(&mut s, "/api/undo", json!({}));
        assert_eq!(
            get(&mut s, "/api/assignment"),
            states[k],
            "after undoing to step {k}"
        );
    }
}

#[test]
fn malformed_requests_get_a_4xx_json_error_and_the_studio_still_answers() {
    let mut s = session(false);
    let big = "x".repeat(100);
    let cases: Vec<(&str, &str, String, u16)> = vec![
        ("POST", "/api/assign", "not json".into(), 400),
        ("POST", "/api/assign", "".into(), 400),
        ("POST", "/api/assign", "[1,2]".into(), 400),
        ("POST", "/api/assign", "{\"unit_id\":".into(), 400),
        ("POST", "/api/assign", json!({"unit_id": "NOPE", "level": "primary", "school_id": "P01"}).to_string(), 400),
        ("POST", "/api/assign", json!({"unit_id": "H000001", "level": "primary", "school_id": "NOPE"}).to_string(), 400),
        ("POST", "/api/assign", json!({"unit_id": "H000001", "level": "primary", "school_id": "J01"}).to_string(), 400),
        ("POST", "/api/assign", json!({"unit_id": "H000001", "level": "junior", "school_id": "J02"}).to_string(), 400),
        ("POST", "/api/assign", json!({"unit_id": "H000001", "level": "junior", "school_id": "J01"}).to_string(), 400),
        ("POST", "/api/assign", json!({"unit_id": "H000001", "level": "kinder", "school_id": "P01"}).to_string(), 400),
        ("POST", "/api/assign", json!({"unit_id": "H000001", "school_id": "P01"}).to_string(), 400),
        ("POST", "/api/assign", json!({"unit_id": null, "level": "primary", "school_id": "P01"}).to_string(), 400),
        ("POST", "/api/assign", json!({"unit_id": 1.5, "level": "primary", "school_id": "P01"}).to_string(), 400),
        ("POST", "/api/assign", json!({"unit_id": [1], "level": 3, "school_id": {}}).to_string(), 400),
        ("POST", "/api/assign", json!({"unit_id": big, "level": "primary", "school_id": "P01"}).to_string(), 400),
        ("POST", "/api/assign_many", json!({"unit_ids": [], "level": "primary", "school_id": "P01"}).to_string(), 400),
        ("POST", "/api/assign_many", json!({"unit_ids": "H000001", "level": "primary", "school_id": "P01"}).to_string(), 400),
        ("POST", "/api/assign_many", json!({"unit_ids": ["H000001", "NOPE"], "level": "primary", "school_id": "P01"}).to_string(), 400),
        ("POST", "/api/unpin", json!({"unit_id": "H000001", "level": "primary"}).to_string(), 400),
        ("POST", "/api/unpin", json!({"level": "primary"}).to_string(), 400),
        ("POST", "/api/edit", json!({}).to_string(), 400),
        ("POST", "/api/edit", json!({"edit": "close P01"}).to_string(), 400),
        ("POST", "/api/edit", json!({"edit": {"close": "NOPE"}}).to_string(), 400),
        ("POST", "/api/edit", json!({"edit": {"close": "P01", "add_classes": 1}}).to_string(), 400),
        ("POST", "/api/edit", json!({"edit": {"school": "P01", "add_classes": -99}}).to_string(), 400),
        ("POST", "/api/edit", json!({"edit": {"shut": "P01"}}).to_string(), 400),
        ("POST", "/api/edit", json!({"edit": {"open": "P01", "level": "primary", "lon": 111.8, "lat": 38.9, "entry_classes": 1}}).to_string(), 400),
        ("POST", "/api/undo", String::new(), 409),
        ("POST", "/api/redo", String::new(), 409),
        ("GET", "/api/assign", String::new(), 405),
        ("DELETE", "/api/summary", String::new(), 405),
        ("POST", "/api/zones", String::new(), 405),
        ("PUT", "/", String::new(), 405),
        ("GET", "/api/nothing", String::new(), 404),
        ("GET", "/api", String::new(), 404),
        ("GET", "/../../etc/passwd", String::new(), 404),
        ("GET", "/%2e%2e/%2e%2e/etc/passwd", String::new(), 404),
        ("GET", "/vendor/leaflet/../../../Cargo.toml", String::new(), 404),
        ("GET", "/vendor/leaflet/leaflet.js/", String::new(), 404),
        ("GET", "//etc/passwd", String::new(), 404),
        ("GET", "/src/main.rs", String::new(), 404),
        ("GET", "/api/table?level=kinder", String::new(), 400),
        ("GET", "/api/locate", String::new(), 400),
        ("GET", "/api/locate?lon=abc&lat=38.9", String::new(), 400),
        ("GET", "/api/locate?lon=111.8&lat=91", String::new(), 400),
        ("GET", "/api/locate?lon=NaN&lat=38.9", String::new(), 400),
        ("GET", "/api/locate?lon=120.0&lat=30.0", String::new(), 400),
        ("GET", "/api/locate?lon=%ZZ&lat=%", String::new(), 400),
    ];
    let before = get(&mut s, "/api/assignment");
    for (method, path, body, status) in &cases {
        let (got, v) = call(&mut s, method, path, body);
        assert_eq!(got, *status, "{method} {path} {body}: {v}");
        let e = v["error"].as_str().unwrap_or_default();
        assert!(!e.is_empty() && e.len() < 400, "{method} {path}: {v}");
    }
    assert_eq!(get(&mut s, "/api/assignment"), before, "nothing changed");
    assert_eq!(get(&mut s, "/api/info")["history"]["step"], json!(0));
}

#[test]
fn the_public_page_answers_where_but_shows_no_household() {
    let mut s = session(true);
    for path in [
        "/api/info",
        "/api/layers",
        "/api/school_points",
        "/api/schools",
        "/api/zones",
    ] {
        get(&mut s, path);
    }
    for (method, path) in [
        ("GET", "/api/assignment"),
        ("GET", "/api/units"),
        ("GET", "/api/table"),
        ("GET", "/api/summary"),
        ("POST", "/api/assign"),
        ("POST", "/api/optimize"),
        ("POST", "/api/save"),
        ("POST", "/api/edit"),
    ] {
        assert_eq!(call(&mut s, method, path, "{}").0, 404, "{method} {path}");
    }
    let p = catchment::plan::locate::Query {
        id: "x".into(),
        lon: 111.8741,
        lat: 38.9233,
    };
    let v = get(&mut s, &format!("/api/locate?lon={}&lat={}", p.lon, p.lat));
    let text = v.to_string();
    assert!(v["levels"][0]["school_id"].is_string(), "{v}");
    assert!(!text.contains("unit_id") && !text.contains("H0"), "{text}");
    assert_eq!(get(&mut s, "/api/info")["public"], json!(true));
}

#[test]
fn many_units_move_as_one_step() {
    let mut s = session(false);
    let units = get(&mut s, "/api/units");
    let ids: Vec<Value> = units
        .as_array()
        .unwrap()
        .iter()
        .take(40)
        .map(|u| u["unit_id"].clone())
        .collect();
    let with: i64 = units.as_array().unwrap()[..40]
        .iter()
        .map(|u| u["primary"].as_i64().unwrap())
        .sum();
    let before = assigned(&mut s);
    let total = |m: &BTreeMap<(String, String), i64>| {
        m.iter()
            .filter(|(k, _)| k.1 == "primary")
            .map(|(_, v)| v)
            .sum::<i64>()
    };
    let r = post(
        &mut s,
        "/api/assign_many",
        json!({"unit_ids": ids, "level": "primary", "school_id": "P03"}),
    );
    assert_eq!(r["history"]["step"], json!(1));
    let after = assigned(&mut s);
    assert_eq!(
        total(&after),
        total(&before),
        "every student still placed once"
    );
    let p03 = ("P03".to_string(), "primary".to_string());
    assert!(after[&p03] - before[&p03] <= with);
    let pins = get(&mut s, "/api/table?level=primary")["pins"]
        .as_array()
        .unwrap()
        .len();
    assert!(pins > 0 && pins <= 40);
    post(&mut s, "/api/undo", json!({}));
    assert_eq!(assigned(&mut s), before);
}

// --- the binary over a socket ---------------------------------------------

/// A studio started on a free port; stopped with SIGINT when dropped.
struct Running {
    child: std::process::Child,
    port: u16,
    _out: tempfile::TempDir,
}

impl Running {
    fn start(args: &[&str]) -> Running {
        let out = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_catchment"))
            .args(["serve", "--port", "0", "--no-open", "--out"])
            .arg(out.path().join("serve"))
            .args(args)
            .current_dir(common::repo_root())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("studio: http://127.0.0.1:")
            .and_then(|r| r.strip_suffix('/'))
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the address line: {line:?}"));
        Running {
            child,
            port,
            _out: out,
        }
    }

    /// (status, body) of a raw HTTP/1.1 request.
    fn request(&self, head: &str, body: &str) -> (u16, String) {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let text = format!(
            "{head}\r\nHost: 127.0.0.1:{}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.port,
            body.len()
        );
        s.write_all(text.as_bytes()).unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        let status = answer[9..12].parse().unwrap();
        let body = answer
            .split_once("\r\n\r\n")
            .map(|x| x.1)
            .unwrap_or("")
            .to_string();
        (status, body)
    }

    fn stop(mut self) -> i32 {
        let pid = self.child.id().to_string();
        std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap();
        self.child.wait().unwrap().code().unwrap_or(-1)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

#[test]
fn the_binary_serves_on_loopback_and_stops_on_ctrl_c() {
    let r = Running::start(&[]);
    let (status, body) = r.request("GET /api/info HTTP/1.1", "");
    assert_eq!(status, 200, "{body}");
    let (status, page) = r.request("GET / HTTP/1.1", "");
    assert_eq!(status, 200);
    assert!(page.contains("<html") || page.contains("<!DOCTYPE") || page.contains("<!doctype"));
    let (status, _) = r.request("GET /api/zones HTTP/1.1\r\nHost: evil.example", "");
    assert!(status == 403 || status == 400, "a foreign Host: {status}");
    let (status, _) = r.request(
        "POST /api/optimize HTTP/1.1\r\nOrigin: http://evil.example",
        "",
    );
    assert_eq!(status, 403);
    let (status, body) = r.request("POST /api/undo HTTP/1.1", "");
    assert_eq!(status, 409, "{body}");
    // A client that never finishes its body holds up no one.
    let mut slow = std::net::TcpStream::connect(("127.0.0.1", r.port)).unwrap();
    let head = format!(
        "POST /api/assign HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 100\r\n\r\n{{\"unit",
        r.port
    );
    slow.write_all(head.as_bytes()).unwrap();
    let (status, _) = r.request("GET /api/info HTTP/1.1", "");
    assert_eq!(status, 200, "answered beside a stalled client");
    // Garbage on the socket is answered, and the studio goes on.
    let mut junk = std::net::TcpStream::connect(("127.0.0.1", r.port)).unwrap();
    junk.write_all(b"\x00\x01 NOT HTTP\r\n\r\n").unwrap();
    drop(junk);
    assert_eq!(r.request("GET /api/info HTTP/1.1", "").0, 200);
    drop(slow);
    assert_eq!(r.stop(), 0, "Ctrl-C stops it cleanly");
}

#[test]
fn with_a_token_every_request_carries_it() {
    let r = Running::start(&["--token", "s3cret-token"]);
    assert_eq!(r.request("GET /api/info HTTP/1.1", "").0, 401);
    assert_eq!(r.request("GET / HTTP/1.1", "").0, 401);
    let ok = r.request(
        "GET /api/info HTTP/1.1\r\nAuthorization: Bearer s3cret-token",
        "",
    );
    assert_eq!(ok.0, 200);
    let cookie = r.request(
        "GET /api/info HTTP/1.1\r\nCookie: a=b; catchment_token=s3cret-token",
        "",
    );
    assert_eq!(cookie.0, 200);
    assert_eq!(r.request("GET /?token=wrong-token HTTP/1.1", "").0, 401);
    assert_eq!(r.request("GET /?token=s3cret-token HTTP/1.1", "").0, 303);
    assert_eq!(r.stop(), 0);
}

#[test]
fn listening_beyond_loopback_needs_a_token() {
    let o = common::run(&["serve", "--host", "0.0.0.0", "--no-open", "--port", "0"]);
    assert_eq!(common::code(&o), 2, "{}", common::text(&o));
    assert!(common::stdout(&o).is_empty());
    assert!(
        common::stderr(&o).contains("--token"),
        "{}",
        common::stderr(&o)
    );
    let o = common::run(&["serve", "--token", "short", "--no-open", "--port", "0"]);
    assert_eq!(common::code(&o), 2);
}
