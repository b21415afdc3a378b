//! Golden files: `plan` on the small fixture must write exactly the files
//! kept in tests/golden/. After an intended change, regenerate them with
//! `UPDATE_GOLDEN=1 cargo test --release --test it golden::fixture` and review
//! the diff.

use crate::common::{BIN, repo_root};
use std::process::Command;

#[test]
fn plan_outputs_match_the_golden_files() {
    let root = repo_root();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = Command::new(BIN)
        .args(["plan", "--config"])
        .arg(root.join("tests/golden/scenario.toml"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    for name in [
        "assignment.csv",
        "assignment.geojson",
        "schools.csv",
        "summary.json",
        "catchments.geojson",
    ] {
        let got = std::fs::read_to_string(out.join(name)).unwrap();
        let path = root.join("tests/golden").join(name);
        if update {
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            got == want,
            "{name} differs from tests/golden/{name}:\n--- got ---\n{got}\n--- want ---\n{want}"
        );
    }
}
