//! Helpers shared by the test modules: the built binary and its output, the
//! paths of the repository's data, and output folders read back.

use geo::MultiPolygon;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The binary Cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_catchment");

/// The public entropy of the bundled example's draws (as in the README and
/// .ci/run).
pub const ENTROPY: &str = "双色球 2023-07-20: 03 07 12 19 25 31 + 09 (example, invented)";

/// The repository root (where Cargo.toml is).
pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A path under the repository root.
pub fn repo(rel: &str) -> PathBuf {
    repo_root().join(rel)
}

/// A file of the test fixtures (`tests/fixtures/`, the small valid case and
/// the public data sets in its subfolders).
pub fn fixture(rel: &str) -> PathBuf {
    repo("tests/fixtures").join(rel)
}

/// A file of the bundled Wuzhai example (`data/wuzhai/`), as an argument.
pub fn example_file(name: &str) -> String {
    format!("{}/data/wuzhai/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// A path as a command-line argument (the tests' paths are UTF-8).
pub fn arg(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

/// `catchment ARGS` in the tests' working folder.
pub fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("run catchment")
}

/// `catchment ARGS` in `dir` (relative paths in arguments and messages).
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run catchment")
}

/// `catchment ARGS`: its exit code (-1 when a signal ended it), stdout and
/// stderr.
pub fn run_split(args: &[&str]) -> (i32, String, String) {
    let o = run(args);
    (o.status.code().unwrap_or(-1), stdout(&o), stderr(&o))
}

/// The exit code of a run (a signal ending it fails the test).
pub fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code (not killed by a signal)")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// stdout then stderr, for assertion messages.
pub fn text(o: &Output) -> String {
    format!("{}{}", stdout(o), stderr(o))
}

/// Every file under `dir`, by path relative to it (`/`-separated), with its
/// bytes; the output set's manifest (`.catchment-outputs`) left out.
pub fn files_under(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in fs::read_dir(dir).expect("read dir") {
            let p = entry.expect("dir entry").path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).expect("under base");
                let rel = rel.to_string_lossy().replace('\\', "/");
                if !rel.ends_with(".catchment-outputs") {
                    out.insert(rel, fs::read(&p).expect("read file"));
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// The files a command wrote to `dir`, as [`files_under`], `timings.json`
/// left out: it holds wall times, the one output the contract lets differ
/// between runs.
pub fn outputs(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = files_under(dir);
    files.retain(|rel, _| rel.rsplit('/').next() != Some("timings.json"));
    files
}

pub fn read_json(p: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(p).expect("read json")).expect("valid json")
}

/// The rows of a CSV file with a header, each by column name.
pub fn read_csv(p: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(p).expect("open csv");
    let headers = r.headers().expect("csv header").clone();
    r.records()
        .map(|rec| {
            let rec = rec.expect("csv record");
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// The zones of a `catchments.geojson`: (level, school_id, polygons) per
/// feature.
pub fn zones(path: &Path) -> Vec<(String, String, MultiPolygon<f64>)> {
    let text = fs::read_to_string(path).expect("read");
    let gj: geojson::GeoJson = text.parse().expect("geojson");
    let geojson::GeoJson::FeatureCollection(fc) = gj else {
        panic!("not a FeatureCollection")
    };
    fc.features
        .into_iter()
        .map(|f| {
            let p = f.properties.clone().expect("properties");
            let g: geo::Geometry<f64> = f.geometry.expect("geometry").try_into().expect("geo");
            let mp = match g {
                geo::Geometry::Polygon(p) => MultiPolygon::new(vec![p]),
                geo::Geometry::MultiPolygon(m) => m,
                other => panic!("not a polygon: {other:?}"),
            };
            (
                p["level"].as_str().expect("level").to_string(),
                p["school_id"].as_str().expect("school_id").to_string(),
                mp,
            )
        })
        .collect()
}
