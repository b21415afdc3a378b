//! Golden outputs of the bundled example: every file that `plan`, `compare`,
//! `admit` and `report` write, and what `locate` prints, must keep the SHA-256
//! kept in `tests/golden/example.sha256` (timings.json aside: it holds
//! seconds). A change that alters an output on purpose regenerates the list
//! with `UPDATE_GOLDEN=1 cargo test --release --test it golden::example` and
//! says why in its commit.

use crate::common::{BIN, ENTROPY, files_under, repo, repo_root};
use sha2::{Digest, Sha256};
use std::process::Command;

/// The runs: a name (the folder its files are listed under) and the arguments
/// after which `--out DIR` is added (`None`: the run's stdout is the output).
fn runs() -> Vec<(&'static str, Vec<&'static str>, bool)> {
    vec![
        ("plan", vec!["plan"], true),
        (
            "compare",
            vec![
                "compare",
                "data/wuzhai/scenario.toml",
                "data/wuzhai/whatif.toml",
            ],
            true,
        ),
        (
            "admit",
            vec![
                "admit",
                "--applicants",
                "data/wuzhai/admit_applicants.csv",
                "--public-entropy",
                ENTROPY,
                "--notary",
                "4711",
            ],
            true,
        ),
        (
            "report",
            vec!["report", "--compare", "data/wuzhai/whatif.toml"],
            true,
        ),
        ("locate", vec!["locate", "111.8741", "38.9233"], false),
        (
            "locate-far",
            vec!["locate", "111.70", "38.99", "--json"],
            false,
        ),
    ]
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `sha256  run/path` lines for every output of every run, sorted.
fn manifest() -> String {
    let root = repo_root();
    let tmp = tempfile::tempdir().unwrap();
    let mut lines = Vec::new();
    for (name, args, writes) in runs() {
        let out = tmp.path().join(name);
        let mut cmd = Command::new(BIN);
        cmd.current_dir(root).args(&args);
        if writes {
            cmd.arg("--out").arg(&out);
        }
        let o = cmd.output().unwrap();
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "{name}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        if !writes {
            lines.push(format!("{}  {name}/stdout", hex(&o.stdout)));
            continue;
        }
        for (rel, bytes) in files_under(&out) {
            if rel == "timings.json" {
                continue;
            }
            lines.push(format!("{}  {name}/{rel}", hex(&bytes)));
        }
    }
    lines.sort_by(|a, b| a[66..].cmp(&b[66..]));
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

#[test]
fn bundled_example_outputs_match_the_golden_hashes() {
    let path = repo("tests/golden/example.sha256");
    let got = manifest();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    let differ: Vec<&str> = got
        .lines()
        .filter(|l| !want.lines().any(|w| w == *l))
        .chain(want.lines().filter(|w| !got.lines().any(|l| l == *w)))
        .collect();
    assert!(
        differ.is_empty(),
        "outputs of the bundled example differ from tests/golden/example.sha256 \
         (lines present on one side only):\n{}",
        differ.join("\n")
    );
}
