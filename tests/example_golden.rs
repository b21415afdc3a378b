//! Golden outputs of the bundled example: every file that `plan`, `compare`,
//! `admit` and `report` write, and what `locate` prints, must keep the SHA-256
//! kept in `tests/golden/example.sha256` (timings.json aside: it holds
//! seconds). A change that alters an output on purpose regenerates the list
//! with `UPDATE_GOLDEN=1 cargo test --release --test example_golden` and says
//! why in its commit.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

const ENTROPY: &str = "双色球 2023-07-20: 03 07 12 19 25 31 + 09 (example, invented)";

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

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `sha256  run/path` lines for every output of every run, sorted.
fn manifest() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let mut lines = Vec::new();
    for (name, args, writes) in runs() {
        let out = tmp.path().join(name);
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_catchment"));
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
        for f in files_under(&out) {
            let rel = f.strip_prefix(&out).unwrap().to_string_lossy().into_owned();
            if rel == "timings.json" {
                continue;
            }
            let bytes = std::fs::read(&f).unwrap();
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
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/example.sha256");
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
