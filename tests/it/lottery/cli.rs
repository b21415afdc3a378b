//! `catchment lottery commit | draw | verify` through the built binary:
//! the two-step and one-step procedures, the independent Python check,
//! one-byte tampering of every byte of every published file, refused
//! inputs with their exit codes, and the bundled example.

use crate::common::{ENTROPY, arg, code, repo, run, text};
use catchment::cmd::lottery::verify_dir;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A small list in export order, Chinese headers, a BOM and CRLF (as Excel
/// writes): twins, triplets and priority applicants at J02, two at J03.
const LIST: &str = "\u{feff}报名号,学校编号,多胞胎组,优先类别\r\n\
                    A07,J02,,\r\nA01,J02,MB1,\r\nA02,J02,MB1,\r\nA03,J02,,military\r\n\
                    A04,J02,MB2,\r\nA05,J02,MB2,\r\nA06,J02,MB2,\r\nA08,J02,,\r\n\
                    B1,J03,,\r\nB2,J03,,talent\r\n";

fn committed(dir: &Path) -> PathBuf {
    let input = dir.join("input.csv");
    fs::write(&input, LIST).unwrap();
    let out = dir.join("lottery");
    let o = run(&[
        "lottery",
        "commit",
        "--applicants",
        arg(&input),
        "--out",
        arg(&out),
    ]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    out
}

fn drawn(dir: &Path) -> PathBuf {
    let out = committed(dir);
    let o = run(&[
        "lottery",
        "draw",
        "--dir",
        arg(&out),
        "--seats",
        "J02=4,J03=1",
        "--seats",
        "J09=5",
        "--public-entropy",
        ENTROPY,
        "--notary",
        "公证员 4711",
    ]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    out
}

/// Run the reference script if Python 3 is installed (CI runs it anyway).
fn python(args: &[&str]) -> Option<Output> {
    let script = repo("tools/lottery_reference.py");
    match Command::new("python3").arg(script).args(args).output() {
        Ok(o) => Some(o),
        Err(e) => {
            eprintln!("python3 not available ({e}): reference check skipped");
            None
        }
    }
}

#[test]
fn commit_then_draw_then_verify() {
    let tmp = tempfile::tempdir().unwrap();
    let out = committed(tmp.path());
    let list = fs::read_to_string(out.join("applicants.csv")).unwrap();
    assert_eq!(
        list,
        "applicant_id,school_id,multiple_birth_group,priority\n\
         A01,J02,MB1,\nA02,J02,MB1,\nA03,J02,,military\nA04,J02,MB2,\nA05,J02,MB2,\n\
         A06,J02,MB2,\nA07,J02,,\nA08,J02,,\nB1,J03,,\nB2,J03,,talent\n"
    );
    let record = fs::read_to_string(out.join("lottery_commitment.json")).unwrap();
    let sha = catchment::lottery::commitment(list.as_bytes());
    assert!(
        record.contains(&format!("\"applicants_sha256\": \"{sha}\"")),
        "{record}"
    );

    let out = drawn(tmp.path());
    let result = fs::read_to_string(out.join("lottery_result.csv")).unwrap();
    assert!(result.starts_with("school_id,rank,applicant_id,multiple_birth_group,admitted\n"));
    assert_eq!(result.lines().count(), 11, "{result}");
    // Priority first at J02 and J03; groups share a rank and an outcome.
    let rows: Vec<Vec<&str>> = result
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows[0][..3], ["J02", "1", "A03"]);
    assert_eq!(
        rows.iter().find(|r| r[0] == "J03").unwrap()[..3],
        ["J03", "1", "B2"]
    );
    for g in ["MB1", "MB2"] {
        let m: Vec<_> = rows.iter().filter(|r| r[3] == g).collect();
        assert!(
            m.windows(2)
                .all(|w| w[0][1] == w[1][1] && w[0][4] == w[1][4]),
            "{g}"
        );
    }
    let admitted_j02: usize = rows
        .iter()
        .filter(|r| r[0] == "J02" && r[4] == "true")
        .count();
    assert!(admitted_j02 <= 4, "seats exceeded: {result}");
    let audit = fs::read_to_string(out.join("lottery_audit.json")).unwrap();
    for want in [
        "\"algorithm\": \"catchment-lottery/1\"",
        "\"procedure\": \"commit_then_draw\"",
        &format!("\"applicants_sha256\": \"{sha}\""),
        "\"notary\": \"公证员 4711\"",
        "\"J09\": 5",
        "\"group_overflow\": \"skip\"",
    ] {
        assert!(audit.contains(want), "{want}\n{audit}");
    }

    let o = run(&["lottery", "verify", "--dir", arg(&out)]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(
        text(&o).contains("verified: every file recomputes"),
        "{}",
        text(&o)
    );
    assert_eq!(text(&o).matches("\nok ").count(), 7, "{}", text(&o));

    // The independent implementation agrees, byte for byte.
    if let Some(o) = python(&["verify", arg(&out)]) {
        assert_eq!(code(&o), 0, "{}", text(&o));
        let list = out.join("applicants.csv");
        let args = [
            "draw",
            arg(&list),
            "J02=4,J03=1,J09=5",
            ENTROPY,
            "公证员 4711",
        ];
        let o = python(&args).unwrap();
        assert_eq!(String::from_utf8(o.stdout).unwrap(), result);
    }

    // The same draw again writes the same bytes; another is refused.
    let again = |seats: &str| {
        run(&[
            "lottery",
            "draw",
            "--dir",
            arg(&out),
            "--seats",
            seats,
            "--public-entropy",
            ENTROPY,
            "--notary",
            "公证员 4711",
        ])
    };
    assert_eq!(code(&again("J02=4,J03=1,J09=5")), 0);
    let o = again("J02=5,J03=1,J09=5");
    assert_eq!(code(&o), 2, "{}", text(&o));
    assert!(text(&o).contains("never replaced"), "{}", text(&o));
    assert_eq!(
        fs::read_to_string(out.join("lottery_result.csv")).unwrap(),
        result
    );
}

#[test]
fn draw_with_applicants_commits_and_draws_in_one_go() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("input.csv");
    fs::write(&input, LIST).unwrap();
    let out = tmp.path().join("one");
    let o = run(&[
        "lottery",
        "draw",
        "--applicants",
        arg(&input),
        "--seats",
        "J02=3,J03=2",
        "--public-entropy",
        ENTROPY,
        "--priority",
        "ignore",
        "--group-overflow",
        "admit",
        "--out",
        arg(&out),
    ]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("commitment (SHA-256 of applicants.csv): "),
        "{t}"
    );
    assert!(
        t.contains("J03: 2 applicants (2 tickets), 2 seats, 2 admitted, all admitted"),
        "{t}"
    );
    let audit = fs::read_to_string(out.join("lottery_audit.json")).unwrap();
    assert!(
        audit.contains("\"procedure\": \"commit_and_draw\""),
        "{audit}"
    );
    assert!(audit.contains("\"notary\": \"\""), "{audit}");
    assert!(out.join("lottery_commitment.json").is_file());
    let o = run(&["lottery", "verify", "--dir", arg(&out)]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    // The commitment is the same as the two-step one's.
    let two = committed(tmp.path());
    assert_eq!(
        fs::read(two.join("applicants.csv")).unwrap(),
        fs::read(out.join("applicants.csv")).unwrap()
    );
}

/// Copy the folder `dir` to `work` (once per worker).
fn copy_folder(dir: &Path, work: &Path) {
    fs::create_dir_all(work).unwrap();
    for f in fs::read_dir(dir).unwrap() {
        let f = f.unwrap();
        fs::copy(f.path(), work.join(f.file_name())).unwrap();
    }
}

/// Run `check` on the copy `work` of `dir` with one bit of byte `i` of
/// `name` flipped, then restore the file.
fn with_tampered<T>(dir: &Path, work: &Path, name: &str, i: usize, check: impl Fn() -> T) -> T {
    let good = fs::read(dir.join(name)).unwrap();
    let mut bad = good.clone();
    bad[i] ^= 0x01;
    fs::write(work.join(name), bad).unwrap();
    let r = check();
    fs::write(work.join(name), good).unwrap();
    r
}

/// `catchment lottery verify` on a tampered copy: its exit code.
fn tampered_code(dir: &Path, work: &Path, name: &str, i: usize) -> i32 {
    with_tampered(dir, work, name, i, || {
        code(&run(&["lottery", "verify", "--dir", arg(work)]))
    })
}

const FILES: [&str; 4] = [
    "applicants.csv",
    "lottery_commitment.json",
    "lottery_audit.json",
    "lottery_result.csv",
];

#[test]
fn verify_fails_on_any_one_byte_change_in_any_file() {
    // Every byte of every published file, in process (the function behind
    // the command): an input error or a failed check, never a pass.
    let tmp = tempfile::tempdir().unwrap();
    let out = drawn(tmp.path());
    let work = tmp.path().join("work");
    copy_folder(&out, &work);
    // Counted over the CSV files: a flip in a JSON record's keys or syntax
    // is a malformed record (exit 2) by design.
    let (mut errors, mut mismatches) = (0, 0);
    for name in FILES {
        let csv = name.ends_with(".csv");
        for i in 0..fs::read(out.join(name)).unwrap().len() {
            match with_tampered(&out, &work, name, i, || verify_dir(&work)) {
                Err(e) => {
                    assert_eq!(e.exit_code(), 2, "{name} byte {i}: {e}");
                    errors += usize::from(csv);
                }
                Ok(v) => {
                    assert!(!v.ok(), "{name} byte {i} flipped and still verified");
                    mismatches += usize::from(csv);
                }
            }
        }
    }
    eprintln!(
        "{} one-byte changes to the CSV files: {mismatches} failed checks (exit 1), {errors} malformed (exit 2)",
        errors + mismatches
    );
    assert!(
        mismatches > errors,
        "most flips should parse and fail a check"
    );
    assert!(verify_dir(&out).unwrap().ok());
}

#[test]
fn verify_exits_nonzero_on_any_one_byte_change_to_list_seed_inputs_and_result() {
    // Through the binary: every byte of the list, of the seed inputs and the
    // seed in the audit, and of the result (4 threads).
    let tmp = tempfile::tempdir().unwrap();
    let out = drawn(tmp.path());
    let audit = fs::read_to_string(out.join("lottery_audit.json")).unwrap();
    let from = audit.find("  \"seed_inputs\"").unwrap();
    let to = audit.find("  \"seats\"").unwrap();
    let mut jobs: Vec<(&str, usize)> = Vec::new();
    for name in ["applicants.csv", "lottery_result.csv"] {
        let n = fs::read(out.join(name)).unwrap().len();
        jobs.extend((0..n).map(|i| (name, i)));
    }
    jobs.extend((from..to).map(|i| ("lottery_audit.json", i)));
    let chunks: Vec<Vec<(&str, usize)>> = jobs
        .chunks(jobs.len().div_ceil(4))
        .map(<[_]>::to_vec)
        .collect();
    let results: Vec<(&str, usize, i32)> = std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .into_iter()
            .enumerate()
            .map(|(k, chunk)| {
                let work = tmp.path().join(format!("work{k}"));
                copy_folder(&out, &work);
                let out = &out;
                s.spawn(move || {
                    chunk
                        .into_iter()
                        .map(|(f, i)| (f, i, tampered_code(out, &work, f, i)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let mut by_code = std::collections::BTreeMap::<i32, usize>::new();
    for (f, i, c) in &results {
        assert!(
            *c == 1 || *c == 2,
            "{f} byte {i} flipped: verify exited {c}"
        );
        *by_code.entry(*c).or_default() += 1;
    }
    eprintln!("{} runs of verify: exit codes {by_code:?}", results.len());
    // A flip in the seed, the public entropy, the notary input: exit 1.
    let work = tmp.path().join("one");
    copy_folder(&out, &work);
    for key in [
        "\"seed\": \"",
        "\"public_entropy\": \"",
        "\"notary\": \"公证员 ",
    ] {
        let i = audit.find(key).unwrap() + key.len();
        assert_eq!(
            tampered_code(&out, &work, "lottery_audit.json", i),
            1,
            "{key}"
        );
    }
    // The untouched folder still verifies.
    assert_eq!(code(&run(&["lottery", "verify", "--dir", arg(&out)])), 0);
}

fn write_list(dir: &Path, name: &str, content: &str) -> PathBuf {
    let f = dir.join(name);
    fs::write(&f, content).unwrap();
    f
}

fn draw_list(list: &Path, out: &Path, seats: &str) -> Output {
    run(&[
        "lottery",
        "draw",
        "--applicants",
        arg(list),
        "--seats",
        seats,
        "--public-entropy",
        ENTROPY,
        "--out",
        arg(out),
    ])
}

#[test]
fn bad_lists_are_refused_with_their_line() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let cases = [
        (
            "applicant_id,school_id\nA1,J02\nA1,J02\n",
            "line 3: field `applicant_id`: expected each application number once, found \"A1\" \
             again (first on line 2)",
        ),
        (
            "applicant_id,school_id\nA1,J02\nA1,J03\n",
            "an applicant applies to one private school, here J02 and J03",
        ),
        (
            "applicant_id,school_id,multiple_birth_group\nA1,J02,MB\nA2,J03,MB\n",
            "line 3: field `multiple_birth_group`: expected every member of multiple-birth group \
             \"MB\" at one school",
        ),
        (
            "applicant_id,school_id,name\nA1,J02,张三\n",
            "found a column \"name\"",
        ),
        (
            "applicant_id,school_id\n\"A,1\",J02\n",
            "line 2: field `applicant_id`",
        ),
        (
            "applicant_id\nA1\n",
            "field `school_id`: expected a school_id column",
        ),
    ];
    for (k, (content, want)) in cases.iter().enumerate() {
        let list = write_list(tmp.path(), &format!("bad{k}.csv"), content);
        for o in [
            draw_list(&list, &out, "J02=1,J03=1"),
            run(&[
                "lottery",
                "commit",
                "--applicants",
                arg(&list),
                "--out",
                arg(&out),
            ]),
        ] {
            assert_eq!(code(&o), 2, "{content}: {}", text(&o));
            assert!(text(&o).contains(want), "{content}: {}", text(&o));
            assert!(text(&o).contains("nothing was written"), "{}", text(&o));
            assert!(!out.exists(), "{content}: wrote {out:?}");
        }
    }
}

#[test]
fn bad_flags_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let list = write_list(
        tmp.path(),
        "a.csv",
        "applicant_id,school_id\nA1,J02\nA2,J02\nB1,J03\n",
    );
    let out = tmp.path().join("out");
    for (seats, want) in [
        ("J02=1", "found none for J03 (1 applicant in"),
        ("J02", "expected SCHOOL=N"),
        ("=5,J03=1", "expected a school id before `=`"),
        (
            "J02=-1,J03=1",
            "expected a whole number of seats, 0 or more, found \"-1\"",
        ),
        ("J02=1.5,J03=1", "found \"1.5\""),
        ("J02=x,J03=1", "found \"x\""),
        ("J02=1,J02=2,J03=1", "school J02 is given seats twice"),
    ] {
        let o = draw_list(&list, &out, seats);
        assert_eq!(code(&o), 2, "{seats}: {}", text(&o));
        assert!(text(&o).contains(want), "{seats}: {}", text(&o));
        assert!(!out.exists());
    }
    // Seats for a school without applicants are fine.
    let o = draw_list(&list, &out, "J02=1,J03=1,J99=30");
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(text(&o).contains("J99: 0 applicants"), "{}", text(&o));

    let o = run(&[
        "lottery",
        "draw",
        "--applicants",
        arg(&list),
        "--seats",
        "J02=1,J03=1",
        "--public-entropy",
        " 1 2 3",
        "--out",
        arg(&tmp.path().join("x")),
    ]);
    assert_eq!(code(&o), 2, "{}", text(&o));
    assert!(
        text(&o).contains("without leading or trailing white space"),
        "{}",
        text(&o)
    );
    let o = run(&[
        "lottery",
        "draw",
        "--applicants",
        arg(&list),
        "--seats",
        "J02=1,J03=1",
        "--public-entropy",
        "",
        "--out",
        arg(&tmp.path().join("x")),
    ]);
    assert_eq!(code(&o), 2, "{}", text(&o));
    // --applicants and --dir together, neither, or no entropy: usage (2).
    for args in [
        vec![
            "lottery",
            "draw",
            "--applicants",
            arg(&list),
            "--dir",
            arg(&out),
            "--seats",
            "J02=1",
            "--public-entropy",
            "1",
        ],
        vec![
            "lottery",
            "draw",
            "--seats",
            "J02=1",
            "--public-entropy",
            "1",
        ],
        vec![
            "lottery",
            "draw",
            "--applicants",
            arg(&list),
            "--seats",
            "J02=1",
        ],
        vec![
            "lottery",
            "draw",
            "--applicants",
            arg(&list),
            "--seats",
            "J02=1",
            "--public-entropy",
            "1",
            "--priority",
            "last",
        ],
    ] {
        assert_eq!(code(&run(&args)), 2, "{args:?}");
    }
    // verify and draw --dir on folders that are not lottery folders.
    let o = run(&["lottery", "verify", "--dir", arg(&tmp.path().join("none"))]);
    assert_eq!(code(&o), 2, "{}", text(&o));
    let plain = tmp.path().join("plain");
    fs::create_dir_all(&plain).unwrap();
    fs::copy(&list, plain.join("applicants.csv")).unwrap();
    let o = run(&[
        "lottery",
        "draw",
        "--dir",
        arg(&plain),
        "--seats",
        "J02=1,J03=1",
        "--public-entropy",
        "1",
    ]);
    assert_eq!(code(&o), 2, "{}", text(&o));
    assert!(
        text(&o).contains("the canonical list written by `catchment lottery commit`"),
        "{}",
        text(&o)
    );
    // A commit into a folder holding a different list is refused.
    let other = write_list(tmp.path(), "b.csv", "applicant_id,school_id\nA9,J02\n");
    let o = run(&[
        "lottery",
        "commit",
        "--applicants",
        arg(&other),
        "--out",
        arg(&out),
    ]);
    assert_eq!(code(&o), 2, "{}", text(&o));
    assert!(
        text(&o).contains("already holds a different applicants.csv"),
        "{}",
        text(&o)
    );
}

#[test]
fn the_bundled_example_draws_and_verifies() {
    let tmp = tempfile::tempdir().unwrap();
    let list = repo("data/wuzhai/applicants.csv");
    let out = tmp.path().join("wz");
    let o = draw_list(&list, &out, "J02=150");
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(
        text(&o).contains(
            "J02: 240 applicants (234 tickets), 150 seats, 150 admitted, 90 on the waiting list"
        ),
        "{}",
        text(&o)
    );
    let result = fs::read_to_string(out.join("lottery_result.csv")).unwrap();
    assert_eq!(result.lines().count(), 241);
    // The 8 priority applicants (7 tickets: a pair of twins) hold ranks 1-7, all admitted.
    let prio = [7, 33, 88, 101, 102, 120, 150, 191].map(|i| format!("J02-2023-{i:04}"));
    for l in result.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        if prio.contains(&f[2].to_string()) {
            assert!(f[1].parse::<usize>().unwrap() <= 7 && f[4] == "true", "{l}");
        }
    }
    let o = run(&["lottery", "verify", "--dir", arg(&out)]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    if let Some(o) = python(&["verify", arg(&out)]) {
        assert_eq!(code(&o), 0, "{}", text(&o));
    }
}

#[test]
fn python_reproduces_the_documented_vectors() {
    let doc = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/lottery.md");
    if let Some(o) = python(&["vectors", doc]) {
        assert_eq!(code(&o), 0, "{}", text(&o));
        assert!(text(&o).contains("3 vectors: all match"), "{}", text(&o));
    }
}

#[test]
fn help_names_the_procedure() {
    let o = run(&["lottery", "--help"]);
    assert_eq!(code(&o), 0);
    for want in ["commit", "draw", "verify", "lottery_reference.py"] {
        assert!(text(&o).contains(want), "{want}: {}", text(&o));
    }
    let o = run(&["lottery", "draw", "--help"]);
    for want in [
        "--public-entropy",
        "--group-overflow",
        "skip",
        "lottery_audit.json",
    ] {
        assert!(text(&o).contains(want), "{want}: {}", text(&o));
    }
}

#[test]
fn a_header_only_list_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let list = write_list(tmp.path(), "applicants.csv", "applicant_id,school_id\n");
    for o in [
        draw_list(&list, &out, "J02=1"),
        run(&[
            "lottery",
            "commit",
            "--applicants",
            arg(&list),
            "--out",
            arg(&out),
        ]),
    ] {
        assert_eq!(code(&o), 2, "{}", text(&o));
        assert!(
            text(&o).contains(
                "applicants.csv: expected at least one applicant row, found a header only \
                 (there is nothing to draw)"
            ),
            "{}",
            text(&o)
        );
        assert!(!out.exists(), "wrote {out:?}");
    }
}

/// Malformed published records: truncated, not JSON, nested past any
/// depth a record has (a stack overflow risk), or JSON of another shape.
fn malformed_records() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    vec![
        (
            "truncated",
            b"{\n  \"algorithm\": \"catch".to_vec(),
            "truncated",
        ),
        (
            "not JSON",
            b"PK\x03\x04 a zip, not a record".to_vec(),
            "expected the JSON",
        ),
        ("deeply nested", deep.into_bytes(), "recursion limit"),
        (
            "another shape",
            b"{\"algorithm\": 1}".to_vec(),
            "of catchment-lottery",
        ),
    ]
}

#[test]
fn malformed_records_are_input_errors_not_failed_checks() {
    let tmp = tempfile::tempdir().unwrap();
    let out = drawn(tmp.path());
    for name in ["lottery_commitment.json", "lottery_audit.json"] {
        for (what, bytes, want) in malformed_records() {
            let work = tmp
                .path()
                .join(format!("work-{name}-{}", what.replace(' ', "_")));
            copy_folder(&out, &work);
            fs::write(work.join(name), &bytes).unwrap();
            let o = run(&["lottery", "verify", "--dir", arg(&work)]);
            let t = text(&o);
            assert_eq!(code(&o), 2, "{name} {what}: {t}");
            assert!(t.contains(name), "{name} {what}: {t}");
            assert!(t.contains(want), "{name} {what}: {t}");
            assert!(!t.contains("overflow") && !t.contains("panicked"), "{t}");
        }
    }
    // A committed folder drawn from: the commitment record is read as JSON.
    for (what, bytes, want) in malformed_records() {
        let dir = tmp
            .path()
            .join(format!("commit-{}", what.replace(' ', "_")));
        fs::create_dir_all(&dir).unwrap();
        let folder = committed(&dir);
        fs::write(folder.join("lottery_commitment.json"), &bytes).unwrap();
        let o = run(&[
            "lottery",
            "draw",
            "--dir",
            arg(&folder),
            "--seats",
            "J02=4,J03=1",
            "--public-entropy",
            ENTROPY,
        ]);
        let t = text(&o);
        assert_eq!(code(&o), 2, "{what}: {t}");
        assert!(t.contains("lottery_commitment.json"), "{what}: {t}");
        assert!(t.contains(want), "{what}: {t}");
        assert!(
            !folder.join("lottery_result.csv").exists(),
            "{what}: wrote a result"
        );
    }
}
