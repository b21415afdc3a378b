//! `catchment track`: the core on a case counted by hand, and the command
//! end to end on the bundled example and on bad files.

use crate::common::{repo, run_split};
use catchment::enrol::track::{Graduate, Registration, track};
use std::fs;

fn g(s: &str, j: &str) -> Graduate {
    Graduate {
        student_id: s.into(),
        junior_school_id: j.into(),
    }
}

fn r(s: &str, j: &str) -> Registration {
    Registration {
        student_id: s.into(),
        school_id: j.into(),
    }
}

/// J1 has S1 (registered), S2 (at J2), S10 (nowhere); J2 has S3
/// (nowhere) and receives S2 and X9 (not a graduate); X8 registers at J3,
/// a school no graduate was assigned to.
#[test]
fn counted_by_hand() {
    let t = track(
        &[g("S2", "J1"), g("S1", "J1"), g("S10", "J1"), g("S3", "J2")],
        &[r("X8", "J3"), r("S1", "J1"), r("S2", "J2"), r("X9", "J2")],
    );
    let rows: Vec<(&str, u32, u32, u32, u32, u32)> = t
        .schools
        .iter()
        .map(|s| {
            (
                s.school_id.as_str(),
                s.graduates,
                s.registered,
                s.registered_elsewhere,
                s.not_registered,
                s.from_elsewhere,
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("J1", 3, 1, 1, 1, 0),
            ("J2", 1, 0, 0, 1, 1),
            ("J3", 0, 0, 0, 0, 1)
        ]
    );
    assert_eq!(
        t.not_registered,
        vec![
            ("J1".to_string(), "S10".to_string()),
            ("J2".to_string(), "S3".to_string())
        ]
    );
    assert_eq!(t.registered_elsewhere.len(), 1);
    assert_eq!(t.registered_elsewhere[0].student_id, "S2");
    assert_eq!(t.registered_elsewhere[0].registered_school_id, "J2");
    // Every graduate in exactly one of the three outcomes.
    let tot = t.total();
    assert_eq!(
        tot.graduates,
        tot.registered + tot.registered_elsewhere + tot.not_registered
    );
    // Nobody registered: everyone is listed.
    let t = track(&[g("S1", "J1"), g("S2", "J1")], &[]);
    assert_eq!(t.not_registered.len(), 2);
}

/// The bundled example: 78 graduates of P05, P06 and N01 (two admitted to
/// the private J02); 5 did not register, 2 registered at another school,
/// and 2 registrations are of children who moved in.
#[test]
fn example_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let data = repo("data/wuzhai");
    let out = dir.path().join("out");
    let (code, stdout, err) = run_split(&[
        "track",
        "--graduates",
        data.join("graduates.csv").to_str().unwrap(),
        "--registrations",
        data.join("registrations.csv").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        stdout.contains("not registered: 5 of 78 graduates (2 registered at another school"),
        "{stdout}"
    );
    let nr = fs::read_to_string(out.join("not_registered.csv")).unwrap();
    let lines: Vec<&str> = nr.lines().collect();
    assert_eq!(lines[0], "junior_school_id,student_id");
    assert_eq!(lines.len(), 1 + 5);
    let mut sorted = lines[1..].to_vec();
    sorted.sort();
    assert_eq!(sorted, lines[1..].to_vec(), "sorted");
    // Each listed student is a graduate of that school with no registration.
    let grads = fs::read_to_string(data.join("graduates.csv")).unwrap();
    let regs = fs::read_to_string(data.join("registrations.csv")).unwrap();
    for l in &lines[1..] {
        let (school, student) = l.split_once(',').unwrap();
        assert!(grads.contains(&format!("\n{student},{school}\n")), "{l}");
        assert!(!regs.contains(&format!("\n{student},")), "{l}");
    }
    let re = fs::read_to_string(out.join("registered_elsewhere.csv")).unwrap();
    assert!(re.starts_with("junior_school_id,student_id,registered_school_id\n"));
    assert_eq!(re.lines().count(), 1 + 2);
    let sum = fs::read_to_string(out.join("track_summary.csv")).unwrap();
    let mut lines = sum.lines();
    assert_eq!(
        lines.next(),
        Some(
            "junior_school_id,graduates,registered,registered_elsewhere,not_registered,\
             from_elsewhere"
        )
    );
    let mut totals = [0u32; 5];
    for l in lines {
        let f: Vec<u32> = l.split(',').skip(1).map(|x| x.parse().unwrap()).collect();
        assert_eq!(f[0], f[1] + f[2] + f[3], "{l}");
        for i in 0..5 {
            totals[i] += f[i];
        }
    }
    assert_eq!(totals, [78, 71, 2, 5, 2]);
    // Same inputs, same bytes.
    let again = dir.path().join("again");
    run_split(&[
        "track",
        "--graduates",
        data.join("graduates.csv").to_str().unwrap(),
        "--registrations",
        data.join("registrations.csv").to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
    ]);
    for f in [
        "not_registered.csv",
        "registered_elsewhere.csv",
        "track_summary.csv",
    ] {
        assert_eq!(
            fs::read(out.join(f)).unwrap(),
            fs::read(again.join(f)).unwrap()
        );
    }
}

#[test]
fn bad_files_are_located_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let case = |grads: &str, regs: &str| -> (i32, String) {
        let gp = dir.path().join("graduates.csv");
        let rp = dir.path().join("registrations.csv");
        fs::write(&gp, grads).unwrap();
        fs::write(&rp, regs).unwrap();
        let (code, _, err) = run_split(&[
            "track",
            "--graduates",
            gp.to_str().unwrap(),
            "--registrations",
            rp.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(!out.exists(), "nothing written: {err}");
        (code, err)
    };
    let (code, err) = case(
        "student_id,junior_school_id\nS1,J1\nS2,J1\nS1,J2\n",
        "student_id,school_id\n",
    );
    assert_eq!(code, 2);
    assert!(
        err.contains(
            "graduates.csv: line 4: field `student_id`: expected each student once (one junior \
             school per graduate), found \"S1\" again (first at line 2)"
        ),
        "{err}"
    );
    // Registered twice, and a graduate without a school: both files reported.
    let (code, err) = case(
        "学号,初中学校编号\nS1,\nS2,J1\n",
        "学号,学校编号\nS2,J1\n\nS2,J2\n",
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("graduates.csv: line 2: field `junior_school_id`"),
        "{err}"
    );
    assert!(
        err.contains("registrations.csv: line 4: field `student_id`")
            && err.contains("\"S2\" again (first at line 2)"),
        "{err}"
    );
    let (code, err) = case("student_id,junior_school_id\n", "student_id,school_id\n");
    assert_eq!(code, 2);
    assert!(err.contains("expected at least one graduate"), "{err}");
    let (code, err) = case(
        "student_id,junior_school_id,name\nS1,J1,x\n",
        "student_id,school_id\n",
    );
    assert_eq!(code, 2);
    assert!(err.contains("found a column \"name\""), "{err}");
}
