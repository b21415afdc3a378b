//! Outputs committed all or nothing (`io::output`): a run killed at any
//! point of its commit, or failing there, leaves `--out` holding the
//! complete previous set or the complete new one, never a mix; the next
//! run removes what a crashed one left; a folder it cannot write is an
//! error (exit 3) that changes nothing; two runs on one folder each leave
//! a complete set.

use crate::common::{BIN, outputs};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

type Set = BTreeMap<String, Vec<u8>>;

/// `plan` of the example for `year` into `out`, with a fault injected.
fn plan(out: &Path, year: &str, fault: Option<&str>) -> Option<i32> {
    let mut c = Command::new(BIN);
    c.args(["plan", "--year", year, "--out"]).arg(out);
    if let Some(f) = fault {
        c.env("CATCHMENT_COMMIT_FAULT", f);
    }
    c.output().unwrap().status.code()
}

/// Hidden entries beside `out`: staging folders.
fn leftovers(out: &Path) -> Vec<String> {
    std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

#[test]
fn a_commit_killed_or_failing_anywhere_leaves_a_complete_set() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // The two complete sets: 2023 (the previous run) and 2024 (the new).
    plan(&d.join("old"), "2023", None);
    plan(&d.join("new"), "2024", None);
    let (old, new): (Set, Set) = (outputs(&d.join("old")), outputs(&d.join("new")));
    assert_ne!(old, new);
    let points = ["file:1", "file:4", "file:9", "staged", "swapped"];
    for (k, point) in points.iter().enumerate() {
        for action in ["kill", "eio"] {
            let out = d.join(format!("run{k}{action}")).join("out");
            plan(&out, "2023", None);
            let code = plan(&out, "2024", Some(&format!("{point}:{action}")));
            // (2024 leaves some children unplaced: exit 1 when not stopped.)
            assert!(
                !matches!(code, Some(0 | 1)),
                "{point}:{action} did not stop the run"
            );
            let now = outputs(&out);
            assert!(
                now == old || now == new,
                "{point}:{action}: --out is a mix of {} files",
                now.len()
            );
            if action == "eio" && *point != "swapped" {
                assert_eq!(now, old, "{point}:eio: the previous set stands");
                assert!(leftovers(&out).is_empty(), "{:?}", leftovers(&out));
            }
            // The next run completes and removes what the crashed one left.
            assert_eq!(plan(&out, "2024", None), Some(1));
            assert_eq!(outputs(&out), new);
            assert!(leftovers(&out).is_empty(), "{point}: {:?}", leftovers(&out));
        }
    }
}

#[test]
fn a_stale_file_of_the_same_command_never_sits_beside_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = Command::new(BIN)
        .args(["plan", "--sweep", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(out.join("stability_sweep.csv").exists());
    // Another command's folder inside, and a file of the user's.
    std::fs::create_dir_all(out.join("forecast")).unwrap();
    std::fs::write(out.join("forecast/seats.csv"), "kept").unwrap();
    std::fs::write(out.join("README.txt"), "kept").unwrap();
    assert_eq!(plan(&out, "2023", None), Some(0));
    assert!(
        !out.join("stability_sweep.csv").exists(),
        "stale file dropped"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("forecast/seats.csv")).unwrap(),
        "kept"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("README.txt")).unwrap(),
        "kept"
    );
}

#[cfg(unix)]
#[test]
fn a_folder_that_cannot_be_written_is_an_error_that_changes_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let parent = dir.path().join("ro");
    let out = parent.join("out");
    plan(&out, "2023", None);
    let before = outputs(&out);
    std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(0o555)).unwrap();
    // Root writes anywhere: nothing to test then.
    let writable = std::fs::File::create(parent.join("probe")).is_ok();
    let code = plan(&out, "2024", None);
    std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(0o755)).unwrap();
    if writable {
        return;
    }
    assert_eq!(code, Some(3));
    assert_eq!(outputs(&out), before);
}

#[test]
fn two_runs_on_one_folder_each_leave_a_complete_set() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    plan(&d.join("a"), "2023", None);
    plan(&d.join("b"), "2024", None);
    let (a, b) = (outputs(&d.join("a")), outputs(&d.join("b")));
    let out = d.join("out");
    let spawn = |year: &str| {
        Command::new(BIN)
            .args(["plan", "--year", year, "--out"])
            .arg(&out)
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let (mut x, mut y) = (spawn("2023"), spawn("2024"));
    assert_eq!(x.wait().unwrap().code(), Some(0));
    assert_eq!(
        y.wait().unwrap().code(),
        Some(1),
        "2024 leaves children unplaced"
    );
    let now = outputs(&out);
    assert!(now == a || now == b, "a mix of two runs");
    assert!(leftovers(&out).is_empty());
}
