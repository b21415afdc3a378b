//! `catchment classes`: the bounds over random cohorts (without groups, with
//! groups apart, with groups together where a planted split shows the
//! bounds are reachable, and against brute force on tiny cohorts), known
//! cases solved by hand, determinism, and the command end to end.

use crate::common::{example_file, run_split};
use catchment::enrol::classes::{GroupSearch, Options, Sex, Siblings, Student, split};
use proptest::prelude::*;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

fn st(id: &str, sex: Sex, sn: bool, group: Option<&str>) -> Student {
    Student {
        id: id.to_string(),
        sex,
        special_needs: sn,
        group: group.map(str::to_string),
    }
}

fn opts(classes: u32, class_size: u32, seed: u64, siblings: Siblings) -> Options {
    Options {
        classes,
        class_size,
        seed,
        siblings,
    }
}

/// The bounds, checked independently of the library: sizes differ by at
/// most 1 and none over the class size; girls and boys within 1 of the
/// even split (|girls x S - G x size| <= S); special needs max - min <= 1.
fn bounds(students: &[Student], class_of: &[u32], n: u32, c: u32) -> Result<(), String> {
    let s = students.len() as i64;
    let g_all = students.iter().filter(|x| x.sex == Sex::F).count() as i64;
    let b_all = s - g_all;
    let mut size = vec![0i64; n as usize];
    let mut girls = vec![0i64; n as usize];
    let mut sn = vec![0i64; n as usize];
    for (x, &k) in students.iter().zip(class_of) {
        if k < 1 || k > n {
            return Err(format!("{} in class {k}", x.id));
        }
        let k = k as usize - 1;
        size[k] += 1;
        girls[k] += (x.sex == Sex::F) as i64;
        sn[k] += x.special_needs as i64;
    }
    let spread = |v: &[i64]| v.iter().max().unwrap() - v.iter().min().unwrap();
    if spread(&size) > 1 || *size.iter().max().unwrap() > c as i64 {
        return Err(format!("sizes {size:?}"));
    }
    if spread(&sn) > 1 {
        return Err(format!("special needs {sn:?}"));
    }
    for k in 0..n as usize {
        if (girls[k] * s - g_all * size[k]).abs() > s {
            return Err(format!("girls {girls:?} sizes {size:?}"));
        }
        let boys = size[k] - girls[k];
        if (boys * s - b_all * size[k]).abs() > s {
            return Err(format!("boys of {size:?} - {girls:?}"));
        }
    }
    Ok(())
}

fn together(students: &[Student], class_of: &[u32]) -> bool {
    let mut at: BTreeMap<&str, u32> = BTreeMap::new();
    students.iter().zip(class_of).all(|(x, &k)| match &x.group {
        Some(g) => *at.entry(g).or_insert(k) == k,
        None => true,
    })
}

/// A cohort from (girl?, special needs?) pairs, ids S0, S1, ...
fn cohort(kids: &[(bool, bool)]) -> Vec<Student> {
    kids.iter()
        .enumerate()
        .map(|(i, &(f, sn))| st(&format!("S{i}"), if f { Sex::F } else { Sex::M }, sn, None))
        .collect()
}

fn kids(max: usize) -> impl Strategy<Value = Vec<(bool, bool)>> {
    (0u32..=40).prop_flat_map(move |sn_pct| {
        prop::collection::vec(
            (any::<bool>(), (0u32..100).prop_map(move |x| x < sn_pct)),
            1..=max,
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Without groups the bounds always hold, for any cohort, number of
    /// classes and class size that fits.
    #[test]
    fn bounds_hold_without_groups(
        k in kids(250),
        n in 1u32..=9,
        extra in 0u32..4,
        seed in any::<u64>(),
        apart in any::<bool>(),
    ) {
        let students = cohort(&k);
        let c = (students.len() as u32).div_ceil(n) + extra;
        let sib = if apart { Siblings::Apart } else { Siblings::Together };
        let s = split(&students, &opts(n, c, seed, sib)).expect("split");
        prop_assert!(s.failures.is_empty(), "{:?}", s.warnings);
        prop_assert!(s.warnings.is_empty(), "{:?}", s.warnings);
        let r = bounds(&students, &s.class_of, n, c);
        prop_assert!(r.is_ok(), "{:?}", r);
    }

    /// With groups apart the bounds still always hold, and the members of
    /// a group are in different classes (at most ceil(members / classes) in
    /// one) unless a warning names the group.
    #[test]
    fn bounds_hold_with_groups_apart(
        k in kids(200),
        n in 1u32..=8,
        groups in prop::collection::vec((2usize..=5, any::<u64>()), 0..6),
        seed in any::<u64>(),
    ) {
        let mut students = cohort(&k);
        let mut free: Vec<usize> = (0..students.len()).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        free.shuffle(&mut rng);
        for (gi, (size, _)) in groups.iter().enumerate() {
            if free.len() < *size {
                break;
            }
            for _ in 0..*size {
                let i = free.pop().unwrap();
                students[i].group = Some(format!("G{gi}"));
            }
        }
        let c = (students.len() as u32).div_ceil(n);
        let s = split(&students, &opts(n, c, seed, Siblings::Apart)).expect("split");
        prop_assert!(s.failures.is_empty(), "{:?}", s.warnings);
        let r = bounds(&students, &s.class_of, n, c);
        prop_assert!(r.is_ok(), "{:?}", r);
        let mut per: BTreeMap<(String, u32), usize> = BTreeMap::new();
        let mut size: BTreeMap<String, usize> = BTreeMap::new();
        for (x, &k) in students.iter().zip(&s.class_of) {
            if let Some(g) = &x.group {
                *per.entry((g.clone(), k)).or_default() += 1;
                *size.entry(g.clone()).or_default() += 1;
            }
        }
        for ((g, _), m) in &per {
            let cap = size[g].div_ceil(n as usize);
            if *m > cap {
                prop_assert!(
                    s.warnings.iter().any(|w| w.contains(&format!("group {g}:"))),
                    "{g} has {m} in a class, no warning: {:?}", s.warnings
                );
            }
        }
    }

    /// With groups together where a planted split meets the bounds (the
    /// cohort dealt round robin by cell, groups made of classmates), the
    /// split meets them too and keeps every group together.
    #[test]
    fn bounds_hold_with_groups_together_when_reachable(
        k in kids(300),
        n in 1u32..=12,
        n_groups in 0usize..20,
        seed in any::<u64>(),
    ) {
        let mut students = cohort(&k);
        // Planted classes: girls (without, then with special needs), then
        // boys (with, then without), dealt round robin.
        let mut order: Vec<usize> = (0..students.len()).collect();
        let key = |x: &Student| match (x.sex, x.special_needs) {
            (Sex::F, false) => 0,
            (Sex::F, true) => 1,
            (Sex::M, true) => 2,
            (Sex::M, false) => 3,
        };
        order.sort_by_key(|&i| key(&students[i]));
        let mut planted = vec![0u32; students.len()];
        for (p, &i) in order.iter().enumerate() {
            planted[i] = (p as u32 % n) + 1;
        }
        let c = (students.len() as u32).div_ceil(n);
        prop_assert!(bounds(&students, &planted, n, c).is_ok(), "planted split");
        // Groups of 2-3 classmates.
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for gi in 0..n_groups {
            let class = rng.gen_range(1..=n);
            let mut mates: Vec<usize> = (0..students.len())
                .filter(|&i| planted[i] == class && students[i].group.is_none())
                .collect();
            mates.shuffle(&mut rng);
            let size = rng.gen_range(2..=3).min(mates.len());
            if size < 2 {
                continue;
            }
            for &i in &mates[..size] {
                students[i].group = Some(format!("T{gi}"));
            }
        }
        students.shuffle(&mut rng);
        let s = split(&students, &opts(n, c, seed, Siblings::Together)).expect("split");
        prop_assert!(s.failures.is_empty(), "{:?} {:?}", s.warnings, s.search);
        let r = bounds(&students, &s.class_of, n, c);
        prop_assert!(r.is_ok(), "{:?}", r);
        prop_assert!(together(&students, &s.class_of));
    }
}

/// Every way to put the units (groups whole, single children) into `n`
/// classes: does one meet the bounds?
fn brute_force_reachable(students: &[Student], n: u32, c: u32) -> bool {
    let mut unit_of = vec![0usize; students.len()];
    let mut names: Vec<Option<&str>> = Vec::new();
    for (i, x) in students.iter().enumerate() {
        let key = x.group.as_deref();
        let u = match key.and_then(|g| names.iter().position(|h| *h == Some(g))) {
            Some(u) => u,
            None => {
                names.push(key);
                names.len() - 1
            }
        };
        unit_of[i] = u;
    }
    let units = names.len() as u32;
    let total = n.pow(units);
    (0..total).any(|code| {
        let mut class_of_unit = Vec::with_capacity(units as usize);
        let mut x = code;
        for _ in 0..units {
            class_of_unit.push(x % n + 1);
            x /= n;
        }
        let class_of: Vec<u32> = unit_of.iter().map(|&u| class_of_unit[u]).collect();
        bounds(students, &class_of, n, c).is_ok()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Tiny cohorts with groups together, against brute force: when some
    /// split meets the bounds, ours does; when none does, ours says so
    /// (every placement tried) and names a bound not met.
    #[test]
    fn together_matches_brute_force(
        k in prop::collection::vec((any::<bool>(), (0u32..4).prop_map(|x| x == 0)), 2..=9),
        n in 1u32..=3,
        group_of in prop::collection::vec(0usize..5, 9),
        extra in 0u32..2,
        seed in any::<u64>(),
    ) {
        let mut students = cohort(&k);
        for (i, x) in students.iter_mut().enumerate() {
            // Groups A, B and C, or none.
            x.group = match group_of[i] {
                1 => Some("A".into()),
                2 => Some("B".into()),
                3 => Some("C".into()),
                _ => None,
            };
        }
        let c = (students.len() as u32).div_ceil(n) + extra;
        let reachable = brute_force_reachable(&students, n, c);
        let s = split(&students, &opts(n, c, seed, Siblings::Together));
        let s = match s {
            Ok(s) => s,
            // A group larger than the class size: no split at all.
            Err(e) => {
                prop_assert!(!reachable, "{e}");
                return Ok(());
            }
        };
        prop_assert!(together(&students, &s.class_of));
        if reachable {
            prop_assert!(s.failures.is_empty(), "{:?}", s.warnings);
            prop_assert!(bounds(&students, &s.class_of, n, c).is_ok());
        } else {
            prop_assert!(!s.failures.is_empty());
            prop_assert_eq!(s.search, GroupSearch::Unreachable);
            prop_assert!(s.warnings.iter().any(|w| w.starts_with("bounds not met")));
        }
    }
}

/// 10 children (4 girls, 6 boys; one girl and one boy with special needs)
/// in 2 classes of 5: targets 2 girls, 3 boys, 1 special-needs child per
/// class, and the closest split hits them exactly.
#[test]
fn known_case_by_hand() {
    let mut v = Vec::new();
    for i in 0..4 {
        v.push(st(&format!("G{i}"), Sex::F, i == 0, None));
    }
    for i in 0..6 {
        v.push(st(&format!("B{i}"), Sex::M, i == 0, None));
    }
    for seed in 0..20 {
        let s = split(&v, &opts(2, 5, seed, Siblings::Together)).unwrap();
        for c in &s.stats {
            assert_eq!(
                (c.students, c.girls, c.boys, c.special_needs),
                (5, 2, 3, 1),
                "seed {seed}"
            );
        }
    }
    // 9 children in 3 classes of 3, 3 girls of which twins kept together:
    // target 1 girl per class, 0..=2 allowed; the twins' class has 2, one
    // class the third girl, one class none.
    let mut v = vec![
        st("T1", Sex::F, false, Some("T")),
        st("T2", Sex::F, false, Some("T")),
        st("G3", Sex::F, false, None),
    ];
    for i in 0..6 {
        v.push(st(&format!("B{i}"), Sex::M, false, None));
    }
    let s = split(&v, &opts(3, 3, 1, Siblings::Together)).unwrap();
    assert!(s.failures.is_empty());
    let mut girls: Vec<u32> = s.stats.iter().map(|c| c.girls).collect();
    girls.sort();
    assert_eq!(girls, vec![0, 1, 2]);
    assert_eq!(s.class_of[0], s.class_of[1]);
    // Apart: the twins in different classes, one girl per class.
    let s = split(&v, &opts(3, 3, 1, Siblings::Apart)).unwrap();
    assert_ne!(s.class_of[0], s.class_of[1]);
    assert!(s.stats.iter().all(|c| c.girls == 1));
}

/// Five girl quintuplets and five boys in 2 classes of 5, together: no
/// split can meet the sex bounds. The best one is made, both bounds are
/// reported as failed in both classes, and the group is named.
#[test]
fn quintuplets_together_are_reported_not_hidden() {
    let mut v = Vec::new();
    for i in 0..5 {
        v.push(st(&format!("Q{i}"), Sex::F, false, Some("QUIN")));
    }
    for i in 0..5 {
        v.push(st(&format!("B{i}"), Sex::M, false, None));
    }
    let s = split(&v, &opts(2, 5, 0, Siblings::Together)).unwrap();
    assert_eq!(s.search, GroupSearch::Unreachable);
    assert!(together(&v, &s.class_of));
    assert_eq!(s.failures.len(), 4, "{:?}", s.failures);
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("QUIN") && w.starts_with("class ")),
        "{:?}",
        s.warnings
    );
    let last = s.warnings.last().unwrap();
    assert!(
        last.starts_with("bounds not met: girls within 1 of the even split; boys")
            && last.contains("QUIN"),
        "{last}"
    );
    // Apart meets every bound.
    let s = split(&v, &opts(2, 5, 0, Siblings::Apart)).unwrap();
    assert!(s.failures.is_empty());
    assert!(bounds(&v, &s.class_of, 2, 5).is_ok());
}

/// One child, two classes: one class stays empty (sizes 1 and 0 differ
/// by 1), the bounds hold.
#[test]
fn fewer_children_than_classes() {
    let v = cohort(&[(true, true)]);
    let s = split(&v, &opts(2, 45, 0, Siblings::Together)).unwrap();
    assert!(s.failures.is_empty());
    assert!(bounds(&v, &s.class_of, 2, 45).is_ok());
}

#[test]
fn errors_of_the_core() {
    let v = cohort(&[(true, false); 10]);
    assert!(split(&v, &opts(0, 45, 0, Siblings::Together)).is_err());
    assert!(split(&v, &opts(2, 4, 0, Siblings::Together)).is_err());
    assert!(split(&[], &opts(2, 4, 0, Siblings::Together)).is_err());
    let mut v = cohort(&[(true, false); 4]);
    for x in &mut v {
        x.group = Some("Q".into());
    }
    let e = split(&v, &opts(2, 3, 0, Siblings::Together)).unwrap_err();
    assert!(e.to_string().contains("group Q has 4 members"), "{e}");
    assert!(split(&v, &opts(2, 3, 0, Siblings::Apart)).is_ok());
}

fn wuzhai_students() -> Vec<Student> {
    let text = fs::read_to_string(example_file("students.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            st(
                f[0],
                if f[1] == "F" { Sex::F } else { Sex::M },
                f[2] == "true",
                Some(f[3]).filter(|g| !g.is_empty()),
            )
        })
        .collect()
}

/// The same seed gives the same classes whatever the row order; another
/// seed gives another split with the same balance.
#[test]
fn deterministic_by_seed_not_by_row_order() {
    let v = wuzhai_students();
    let o = opts(3, 45, 2023, Siblings::Together);
    let a = split(&v, &o).unwrap();
    let mut w = v.clone();
    w.reverse();
    w.shuffle(&mut ChaCha8Rng::seed_from_u64(9));
    let b = split(&w, &o).unwrap();
    let by_id = |students: &[Student], class_of: &[u32]| -> BTreeMap<String, u32> {
        students
            .iter()
            .zip(class_of)
            .map(|(x, &k)| (x.id.clone(), k))
            .collect()
    };
    assert_eq!(by_id(&v, &a.class_of), by_id(&w, &b.class_of));
    let c = split(&v, &opts(3, 45, 2024, Siblings::Together)).unwrap();
    let moved = a
        .class_of
        .iter()
        .zip(&c.class_of)
        .filter(|(x, y)| x != y)
        .count();
    assert!(moved > 30, "another seed moves many children: {moved}");
    let counts = |s: &catchment::enrol::classes::Split| {
        let mut v: Vec<(u32, u32, u32)> = s
            .stats
            .iter()
            .map(|c| (c.students, c.girls, c.special_needs))
            .collect();
        v.sort();
        v
    };
    assert_eq!(counts(&a), counts(&c));
}

#[test]
fn cli_end_to_end_on_the_example() {
    let dir = tempfile::tempdir().unwrap();
    let students = example_file("students.csv");
    let students = students.as_str();
    let out = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let (a, b, c) = (out("a"), out("b"), out("c"));
    let (code, stdout, err) = run_split(&[
        "classes",
        "--students",
        students,
        "--classes",
        "3",
        "--seed",
        "5",
        "--out",
        &a,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        stdout.contains("135 students (64 girls, 71 boys"),
        "{stdout}"
    );
    assert!(stdout.contains("bounds: sizes 45-45"), "{stdout}");
    assert!(!stdout.contains("FAILED"), "{stdout}");
    let csv = fs::read_to_string(Path::new(&a).join("classes.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("student_id,class"));
    let rows: Vec<(String, u32)> = lines
        .map(|l| {
            let (id, k) = l.split_once(',').unwrap();
            (id.to_string(), k.parse().unwrap())
        })
        .collect();
    assert_eq!(rows.len(), 135);
    assert!(
        rows.windows(2)
            .all(|w| (w[0].1, &w[0].0) < (w[1].1, &w[1].0))
    );
    let class: BTreeMap<&str, u32> = rows.iter().map(|(i, k)| (i.as_str(), *k)).collect();
    // Twins MB01: P01-2023-097 and -098, together.
    assert_eq!(class["P01-2023-097"], class["P01-2023-098"]);
    let summary = fs::read_to_string(Path::new(&a).join("classes_summary.csv")).unwrap();
    assert!(summary.starts_with(
        "class,students,girls,boys,special_needs,girls_target,boys_target,\
         special_needs_target,bounds_failed\n"
    ));
    assert_eq!(summary.lines().count(), 4);
    let j: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(Path::new(&a).join("classes_summary.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(j["all_bounds_met"], true);
    assert_eq!(j["per_class"].as_array().unwrap().len(), 3);
    assert_eq!(j["multiple_birth_groups"], 4);

    // Same seed: byte-identical; another seed: another split.
    assert_eq!(
        run_split(&[
            "classes",
            "--students",
            students,
            "--classes",
            "3",
            "--seed",
            "5",
            "--out",
            &b
        ])
        .0,
        0
    );
    for f in ["classes.csv", "classes_summary.csv", "classes_summary.json"] {
        assert_eq!(
            fs::read(Path::new(&a).join(f)).unwrap(),
            fs::read(Path::new(&b).join(f)).unwrap(),
            "{f}"
        );
    }
    assert_eq!(
        run_split(&[
            "classes",
            "--students",
            students,
            "--classes",
            "3",
            "--seed",
            "6",
            "--out",
            &c
        ])
        .0,
        0
    );
    assert_ne!(
        fs::read(Path::new(&a).join("classes.csv")).unwrap(),
        fs::read(Path::new(&c).join("classes.csv")).unwrap()
    );
}

#[test]
fn cli_unreachable_bound_is_a_warning_with_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("q.csv");
    let mut text = String::from("学号,性别,多胞胎组\n");
    for i in 0..5 {
        text.push_str(&format!("Q{i},女,QUIN\n"));
    }
    for i in 0..5 {
        text.push_str(&format!("B{i},男,\n"));
    }
    fs::write(&f, text).unwrap();
    let out = dir.path().join("out");
    let (code, stdout, err) = run_split(&[
        "classes",
        "--students",
        f.to_str().unwrap(),
        "--classes",
        "2",
        "--class-size",
        "5",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("FAILED: girls, boys"), "{stdout}");
    assert!(
        err.contains("warning: bounds not met") && err.contains("QUIN"),
        "{err}"
    );
    let j: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("classes_summary.json")).unwrap())
            .unwrap();
    assert_eq!(j["all_bounds_met"], false);
    assert_eq!(j["bounds"]["girls"]["met"], false);
    assert_eq!(j["group_search"], "unreachable");
}

#[test]
fn cli_bad_input_is_located_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let out_s = out.to_str().unwrap().to_string();
    let case = |name: &str, text: &str, extra: &[&str]| -> (i32, String) {
        let f = dir.path().join(name);
        fs::write(&f, text).unwrap();
        let mut args = vec![
            "classes",
            "--students",
            f.to_str().unwrap(),
            "--out",
            &out_s,
        ];
        args.extend_from_slice(extra);
        if !extra.contains(&"--classes") {
            args.extend_from_slice(&["--classes", "2"]);
        }
        let (code, _, err) = run_split(&args);
        assert!(!out.exists(), "{name}: nothing written");
        (code, err)
    };
    let (code, err) = case("sex.csv", "student_id,sex\nS1,F\nS2,X\n", &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("sex.csv: line 3: field `sex`: expected F or M (女 or 男), found \"X\""),
        "{err}"
    );
    let (code, err) = case("empty_sex.csv", "student_id,sex\nS1,\n", &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("line 2: field `sex`") && err.contains("found an empty value"),
        "{err}"
    );
    let (code, err) = case("dup.csv", "student_id,sex\nS1,F\nS1,M\n", &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("dup.csv: line 3: field `student_id`") && err.contains("first at line 2"),
        "{err}"
    );
    let (code, err) = case("sn.csv", "student_id,sex,special_needs\nS1,F,maybe\n", &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("field `special_needs`") && err.contains("\"maybe\""),
        "{err}"
    );
    let (code, err) = case("zero.csv", "student_id,sex\nS1,F\n", &["--classes", "0"]);
    assert_eq!(code, 2);
    assert!(err.contains("--classes 0"), "{err}");
    let mut many = String::from("student_id,sex\n");
    for i in 0..5 {
        many.push_str(&format!("S{i},M\n"));
    }
    let (code, err) = case("many.csv", &many, &["--class-size", "2"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("many.csv: line 6: expected at most 4 students (--classes 2 x --class-size 2), found 5 students"),
        "{err}"
    );
    let (code, err) = case(
        "big_group.csv",
        "student_id,sex,multiple_birth_group\nS1,F,Q\nS2,F,Q\nS3,F,Q\nS4,M,\n",
        &["--class-size", "2"],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("field `multiple_birth_group`")
            && err.contains("group \"Q\" of 3 children (lines 2,3,4)"),
        "{err}"
    );
    let (code, err) = case("name.csv", "student_id,sex,姓名\nS1,F,张三\n", &[]);
    assert_eq!(code, 2);
    assert!(err.contains("found a column \"姓名\""), "{err}");
}
