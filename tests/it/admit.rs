//! `catchment admit`: the pure flow on a case solved by hand, properties on
//! random instances, and the command on the bundled example (exit code,
//! columns, every applicant once, every lottery folder verifies, refused
//! inputs).

use crate::common::{ENTROPY, run, text};
use catchment::cmd::lottery::verify_dir;
use catchment::enrol::admit::{
    AdmitApplicant, AdmitError, AdmitInput, AdmitResult, AdmitSchool, AdmitUnit, Reach, Route,
    Seeding, Stage, Why, admit,
};
use catchment::lottery::{DrawOptions, GroupOverflow, PriorityRule};
use catchment::model::Level;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::process::Output;

fn school(id: &str, private: bool, seats: u64) -> AdmitSchool {
    AdmitSchool {
        id: id.into(),
        private,
        seats,
        registering: true,
        label: id.into(),
    }
}

fn unit(catchment: usize, travel: &[(usize, f64, bool)]) -> AdmitUnit {
    AdmitUnit {
        catchment: Some(catchment),
        travel: travel
            .iter()
            .map(|&(school, m, in_reach)| Reach {
                school,
                cost: (m * 1000.0) as i64,
                metres: m,
                in_reach,
            })
            .collect(),
        no_road: false,
    }
}

fn app(id: &str, school: usize, unit: Option<usize>, group: &str, prio: &str) -> AdmitApplicant {
    AdmitApplicant {
        id: id.into(),
        school,
        unit,
        group: (!group.is_empty()).then(|| group.to_string()),
        priority: (!prio.is_empty()).then(|| prio.to_string()),
    }
}

fn seeding() -> Seeding {
    Seeding {
        public_entropy: ENTROPY.into(),
        notary: "4711".into(),
    }
}

/// Schools A, B, C (public, 3 / 1 / 7 seats) and D (private, 2 seats);
/// four households. Solved by hand:
///
/// 1. D: 4 applicants for 2 seats, a lottery; a11 and a12 hold priority and
///    win (the priority tier is drawn first). a13 (no household) returns
///    with no school, reason `no_unit`; a14 returns to its catchment school
///    C, which the list names, so it takes one of C's 7 seats (6 left).
/// 2. Catchment: A has 4 applicants for 3 seats, a lottery: the three with
///    priority win, a04 loses. B admits a05 (1 seat). C admits a08, a09
///    (4 left).
/// 3. Choice: the twins a06+a07 (catchment C) at B, which has no seat
///    left: a lottery of one ticket, lost. a10 (catchment B) at C: admitted
///    (3 left).
/// 4. Allocation: a04 (a catchment loser, first) from u0: A 500 m and B
///    1500 m are full, C 2500 m has room: C (2 left). The twins (choice
///    losers) try their own catchment school C first: 2 seats, both fit,
///    together (0 left).
fn hand_case() -> (Vec<AdmitSchool>, Vec<AdmitUnit>, Vec<AdmitApplicant>) {
    let schools = vec![
        school("A", false, 3),
        school("B", false, 1),
        school("C", false, 7),
        school("D", true, 2),
    ];
    let units = vec![
        unit(0, &[(0, 500.0, true), (1, 1500.0, true), (2, 2500.0, true)]),
        unit(1, &[(1, 400.0, true), (0, 1200.0, true), (2, 900.0, true)]),
        unit(2, &[(2, 300.0, true), (1, 800.0, true), (0, 2000.0, true)]),
        unit(
            2,
            &[(2, 600.0, true), (0, 1000.0, true), (1, 5000.0, false)],
        ),
    ];
    let applicants = vec![
        app("a01", 0, Some(0), "", "military"),
        app("a02", 0, Some(0), "", "police"),
        app("a03", 0, Some(0), "", "talent"),
        app("a04", 0, Some(0), "", ""),
        app("a05", 1, Some(1), "", ""),
        app("a06", 1, Some(2), "T1", ""),
        app("a07", 1, Some(2), "T1", ""),
        app("a08", 2, Some(2), "", ""),
        app("a09", 2, Some(3), "", ""),
        app("a10", 2, Some(1), "", ""),
        app("a11", 3, Some(1), "", "military"),
        app("a12", 3, Some(3), "", "police"),
        app("a13", 3, None, "", ""),
        app("a14", 3, Some(3), "", ""),
    ];
    (schools, units, applicants)
}

fn run_admit(
    schools: &[AdmitSchool],
    units: &[AdmitUnit],
    applicants: &[AdmitApplicant],
    seeding: Option<&Seeding>,
    options: DrawOptions,
) -> Result<AdmitResult, AdmitError> {
    admit(&AdmitInput {
        level: Level::Primary,
        schools,
        units,
        applicants,
        seeding,
        options,
    })
}

/// Route, school, travel metres, reason.
type Outcome<'a> = (Route, Option<&'a str>, Option<f64>, Option<Why>);

#[test]
fn hand_solved_case() {
    let (schools, units, applicants) = hand_case();
    let s = seeding();
    let r = run_admit(
        &schools,
        &units,
        &applicants,
        Some(&s),
        DrawOptions::default(),
    )
    .expect("admit");
    let got: BTreeMap<&str, Outcome> = r
        .admissions
        .iter()
        .map(|a| {
            (
                applicants[a.applicant].id.as_str(),
                (
                    a.route,
                    a.school.map(|j| schools[j].id.as_str()),
                    a.travel_m,
                    a.reason,
                ),
            )
        })
        .collect();
    use Route::*;
    let want: BTreeMap<&str, Outcome> = [
        ("a01", (CatchmentLotteryWon, Some("A"), Some(500.0), None)),
        ("a02", (CatchmentLotteryWon, Some("A"), Some(500.0), None)),
        ("a03", (CatchmentLotteryWon, Some("A"), Some(500.0), None)),
        ("a04", (Allocated, Some("C"), Some(2500.0), None)),
        ("a05", (Catchment, Some("B"), Some(400.0), None)),
        ("a06", (Allocated, Some("C"), Some(300.0), None)),
        ("a07", (Allocated, Some("C"), Some(300.0), None)),
        ("a08", (Catchment, Some("C"), Some(300.0), None)),
        ("a09", (Catchment, Some("C"), Some(600.0), None)),
        ("a10", (Choice, Some("C"), Some(900.0), None)),
        ("a11", (PrivateLotteryWon, Some("D"), None, None)),
        ("a12", (PrivateLotteryWon, Some("D"), None, None)),
        ("a13", (ReturnedToCatchment, None, None, Some(Why::NoUnit))),
        ("a14", (ReturnedToCatchment, Some("C"), Some(600.0), None)),
    ]
    .into_iter()
    .collect();
    assert_eq!(got, want);
    // Lottery ranks: a04 drawn 4th (after the priority tier) at A, the
    // twins' single ticket 1st at B, the returned a13/a14 3rd and 4th at D.
    let rank = |id: &str| {
        r.admissions
            .iter()
            .find(|a| applicants[a.applicant].id == id)
            .and_then(|a| a.lottery_rank)
    };
    assert_eq!(rank("a04"), Some(4));
    assert_eq!((rank("a06"), rank("a07")), (Some(1), Some(1)));
    let mut d: Vec<usize> = ["a13", "a14"].iter().filter_map(|id| rank(id)).collect();
    d.sort_unstable();
    assert_eq!(d, vec![3, 4]);
    assert_eq!(rank("a05"), None, "no draw where everyone fits");
    // Three draws, each a complete lottery of one school.
    let draws: Vec<(&str, Stage, u64, usize)> = r
        .lotteries
        .iter()
        .map(|l| {
            let s = &l.draw.schools[0];
            (l.folder.as_str(), l.stage, s.seats, s.applicants())
        })
        .collect();
    assert_eq!(
        draws,
        vec![
            ("D-private", Stage::Private, 2, 4),
            ("A-catchment", Stage::Catchment, 3, 4),
            ("B-choice", Stage::Choice, 0, 2),
        ]
    );
    // Every public seat taken; nothing over the seats.
    let free: Vec<u64> = r.tallies.iter().map(|t| t.free_left).collect();
    assert_eq!(free, vec![0, 0, 0, 0]);
    assert!(r.tallies.iter().all(|t| t.over_seats == 0));
    assert_eq!(
        (r.admitted(), r.unplaced(), r.returned_without_unit()),
        (13, 0, 1)
    );
}

#[test]
fn hand_case_unplaced_reasons_and_missing_entropy() {
    let (schools, mut units, applicants) = hand_case();
    // Without seed inputs the first draw needed is named.
    let e = run_admit(&schools, &units, &applicants, None, DrawOptions::default())
        .expect_err("needs entropy");
    assert!(
        matches!(&e, AdmitError::NeedsEntropy { school, stage: Stage::Private, applicants: 4, seats: 2 } if school == "D"),
        "{e:?}"
    );
    // With C two seats smaller and no school in reach of u0: a04 is
    // unplaced with no_school_in_reach, and the twins find no school with
    // room for both (C has one seat left): capacity_short, together.
    let mut small = schools.clone();
    small[2].seats = 5;
    units[0].travel.iter_mut().for_each(|r| r.in_reach = false);
    let s = seeding();
    let r = run_admit(
        &small,
        &units,
        &applicants,
        Some(&s),
        DrawOptions::default(),
    )
    .expect("admit");
    let of = |id: &str| {
        r.admissions
            .iter()
            .find(|a| applicants[a.applicant].id == id)
            .map(|a| (a.route, a.school, a.reason))
            .expect("listed")
    };
    assert_eq!(
        of("a04"),
        (Route::Unplaced, None, Some(Why::NoSchoolInReach))
    );
    assert_eq!(of("a06"), (Route::Unplaced, None, Some(Why::CapacityShort)));
    assert_eq!(of("a07"), of("a06"));
    assert_eq!(r.unplaced(), 3);
    // C: 5 seats - a14 (returned) - a08, a09 - a10 = 1, too few for the twins.
    assert_eq!(r.tallies[2].free_left, 1);
}

#[test]
fn inconsistent_input_is_refused() {
    let (schools, units, mut applicants) = hand_case();
    let s = seeding();
    applicants[6].unit = Some(3); // twin a07 in another household
    let e = run_admit(
        &schools,
        &units,
        &applicants,
        Some(&s),
        DrawOptions::default(),
    )
    .expect_err("group in two units");
    assert!(
        matches!(&e, AdmitError::GroupDiffers { what: "units", .. }),
        "{e:?}"
    );
    let (schools, units, mut applicants) = hand_case();
    applicants[4].unit = None; // public applicant without household
    let e = run_admit(
        &schools,
        &units,
        &applicants,
        Some(&s),
        DrawOptions::default(),
    )
    .expect_err("no unit");
    assert!(matches!(e, AdmitError::NoUnit { .. }), "{e:?}");
}

/// A random level: 2-5 public schools, maybe a private one, 1-12 units,
/// 0-40 applicants (twins and triplets in one household), random seats,
/// reach, priorities; some schools not named by the list.
fn random_case(rng: &mut ChaCha8Rng) -> (Vec<AdmitSchool>, Vec<AdmitUnit>, Vec<AdmitApplicant>) {
    let publics = rng.gen_range(2..=5);
    let private = rng.gen_bool(0.6);
    let mut schools: Vec<AdmitSchool> = (0..publics)
        .map(|j| {
            let mut s = school(&format!("S{j}"), false, rng.gen_range(0..8));
            s.registering = rng.gen_bool(0.8);
            s
        })
        .collect();
    if private {
        schools.push(school("PV", true, rng.gen_range(0..6)));
    }
    let k = schools.len();
    let units: Vec<AdmitUnit> = (0..rng.gen_range(1..=12))
        .map(|_| {
            let mut travel = Vec::new();
            for (j, s) in schools.iter().enumerate() {
                if rng.gen_bool(0.7) {
                    travel.push(Reach {
                        school: j,
                        cost: rng.gen_range(100..5000),
                        metres: 0.0,
                        in_reach: !s.private && rng.gen_bool(0.8),
                    });
                }
            }
            for r in &mut travel {
                r.metres = r.cost as f64 / 1000.0;
            }
            AdmitUnit {
                catchment: if rng.gen_bool(0.9) {
                    Some(rng.gen_range(0..publics))
                } else {
                    None
                },
                travel,
                no_road: rng.gen_bool(0.1),
            }
        })
        .collect();
    let mut applicants = Vec::new();
    let n = rng.gen_range(0..=40);
    let mut id = 0;
    while applicants.len() < n {
        let size = match rng.gen_range(0..10) {
            0 => 2,
            1 => 3,
            _ => 1,
        };
        let j = rng.gen_range(0..k);
        let u = if schools[j].private && rng.gen_bool(0.2) {
            None
        } else {
            Some(rng.gen_range(0..units.len()))
        };
        let prio = if rng.gen_bool(0.15) { "military" } else { "" };
        let group = if size > 1 {
            format!("G{id}")
        } else {
            String::new()
        };
        for _ in 0..size {
            id += 1;
            applicants.push(app(&format!("x{id:03}"), j, u, &group, prio));
        }
    }
    (schools, units, applicants)
}

#[test]
fn properties_on_random_cases() {
    let s = seeding();
    // What the random cases exercised, so that they cannot pass vacuously.
    let mut seen: BTreeMap<Route, u64> = BTreeMap::new();
    let mut over_seats = 0;
    let mut capacity_short = 0;
    for seed in 0..400u64 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let (schools, units, applicants) = random_case(&mut rng);
        let options = DrawOptions {
            priority: if rng.gen_bool(0.5) {
                PriorityRule::First
            } else {
                PriorityRule::Ignore
            },
            group_overflow: GroupOverflow::Skip,
        };
        let r = run_admit(&schools, &units, &applicants, Some(&s), options).expect("admit");
        // Determinism.
        let again = run_admit(&schools, &units, &applicants, Some(&s), options).expect("admit");
        assert_eq!(r.admissions, again.admissions, "seed {seed}");
        // Every applicant exactly once, in order; conservation.
        assert_eq!(r.admissions.len(), applicants.len());
        assert!(
            r.admissions
                .iter()
                .enumerate()
                .all(|(i, a)| a.applicant == i)
        );
        assert_eq!(
            r.admitted() + r.unplaced() + r.returned_without_unit(),
            applicants.len() as u64,
            "seed {seed}"
        );
        for a in &r.admissions {
            let ap = &applicants[a.applicant];
            let catchment = ap.unit.and_then(|u| units[u].catchment);
            // A school exactly when the route places one.
            match a.route {
                Route::Unplaced => assert!(a.school.is_none() && a.reason.is_some()),
                Route::ReturnedToCatchment if ap.unit.is_none() => {
                    assert_eq!((a.school, a.reason), (None, Some(Why::NoUnit)))
                }
                _ => assert!(a.school.is_some() && a.reason.is_none(), "seed {seed}"),
            }
            match a.route {
                Route::Catchment | Route::CatchmentLotteryWon => {
                    assert_eq!(a.school, catchment);
                    assert_eq!(a.school, Some(ap.school));
                }
                Route::Choice | Route::ChoiceLotteryWon => {
                    assert_eq!(a.school, Some(ap.school));
                    assert_ne!(catchment, Some(ap.school));
                }
                Route::PrivateAdmitted | Route::PrivateLotteryWon => {
                    assert!(schools[ap.school].private && a.school == Some(ap.school))
                }
                Route::ReturnedToCatchment if ap.unit.is_some() => {
                    assert_eq!(a.school, catchment)
                }
                Route::Allocated => {
                    // Own catchment (a choice loser), or a public school in reach.
                    let j = a.school.expect("school");
                    assert!(!schools[j].private);
                    let in_reach = units[ap.unit.expect("unit")]
                        .travel
                        .iter()
                        .any(|t| t.school == j && t.in_reach);
                    assert!(in_reach || catchment == Some(j), "seed {seed}");
                }
                _ => {}
            }
        }
        for a in &r.admissions {
            *seen.entry(a.route).or_default() += 1;
            capacity_short += u64::from(a.reason == Some(Why::CapacityShort));
        }
        over_seats += r.tallies.iter().map(|t| t.over_seats).sum::<u64>();
        // Groups never split.
        let mut groups: BTreeMap<&str, BTreeSet<(Route, Option<usize>)>> = BTreeMap::new();
        for a in &r.admissions {
            if let Some(g) = &applicants[a.applicant].group {
                groups.entry(g).or_default().insert((a.route, a.school));
            }
        }
        assert!(groups.values().all(|v| v.len() == 1), "seed {seed}");
        // Seats: never exceeded, except by returned private-lottery losers
        // at a school the list names (counted as over_seats). At a school
        // the list does not name, returned losers sit in the plan's seats.
        for (j, sc) in schools.iter().enumerate() {
            let here = |f: &dyn Fn(Route) -> bool| {
                r.admissions
                    .iter()
                    .filter(|a| a.school == Some(j) && f(a.route))
                    .count() as u64
            };
            let returned = here(&|x| x == Route::ReturnedToCatchment);
            let others = here(&|x| x != Route::ReturnedToCatchment);
            let t = &r.tallies[j];
            if sc.registering || sc.private {
                assert!(others + returned <= sc.seats + t.over_seats, "seed {seed}");
                assert!(t.over_seats <= returned, "seed {seed}");
                assert_eq!(
                    t.free_left,
                    (sc.seats + t.over_seats) - others - returned,
                    "seed {seed}"
                );
            } else {
                assert!(others <= sc.seats, "seed {seed}");
                assert_eq!(t.free_left, sc.seats - others, "seed {seed}");
            }
        }
        // Nobody is unplaced for capacity while a school in reach has room
        // for their whole ticket.
        for a in &r.admissions {
            if a.reason == Some(Why::CapacityShort) {
                let ap = &applicants[a.applicant];
                let size = r
                    .admissions
                    .iter()
                    .filter(|b| ap.group.is_some() && applicants[b.applicant].group == ap.group)
                    .count()
                    .max(1) as u64;
                for t in &units[ap.unit.expect("unit")].travel {
                    if t.in_reach {
                        assert!(r.tallies[t.school].free_left < size, "seed {seed}");
                    }
                }
            }
        }
    }
    for route in Route::ALL {
        assert!(
            seen.get(&route).copied().unwrap_or(0) > 0,
            "{route:?} never seen"
        );
    }
    assert!(over_seats > 0 && capacity_short > 0);
}

#[test]
fn the_list_reader_takes_chinese_headers_and_locates_group_problems() {
    use catchment::io::admit_applicants::read_admit_applicants;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("list.csv");
    fs::write(
        &path,
        "\u{feff}报名号,学校编号,多胞胎组,优先类别,户编号,学段\r\n\
         A1,N01,MB1,,H1,小学\r\nA2,N01,MB1,,H1,primary\r\nA3,J02,,military,,初中\r\n",
    )
    .unwrap();
    let rows = read_admit_applicants(&path).result.expect("valid");
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].level, Some(Level::Primary));
    assert_eq!(rows[2].level, Some(Level::Junior));
    assert_eq!(rows[2].unit_id, None);
    assert_eq!(rows[1].group.as_deref(), Some("MB1"));
    fs::write(
        &path,
        "applicant_id,school_id,multiple_birth_group,unit_id,level\n\
         A1,P01,MB1,H1,\nA2,P01,MB1,H2,\nA3,P01,,H1,senior\n",
    )
    .unwrap();
    let e: Vec<String> = read_admit_applicants(&path)
        .result
        .expect_err("invalid")
        .errors
        .iter()
        .map(|e| e.to_string())
        .collect();
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(
        e[0].contains("line 3: field `unit_id`") && e[0].contains("as on line 2: \"H1\""),
        "{e:?}"
    );
    assert!(
        e[1].contains("line 4: field `level`") && e[1].contains("\"senior\""),
        "{e:?}"
    );
}

// ---- the command on the bundled example ----

const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/wuzhai/admit_applicants.csv"
);

fn admit_cli(applicants: &str, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "admit",
        "--applicants",
        applicants,
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn example_admits_everyone_and_every_draw_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("admit");
    let seed = ["--public-entropy", ENTROPY, "--notary", "4711"];
    let o = admit_cli(EXAMPLE, &out, &seed);
    // Two applicants lost the private draw and name no household: returned
    // without a catchment school, they have no seat yet (exit 1).
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("2 returned without a household"),
        "{}",
        text(&o)
    );
    let csv = fs::read_to_string(out.join("admission.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "applicant_id,level,unit_id,applied_school_id,catchment_school_id,route,\
             admitted_school_id,travel_m,lottery_rank,reason"
        )
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(rows.iter().all(|r| r.len() == 10));
    // Every applicant exactly once.
    let input = fs::read_to_string(EXAMPLE).unwrap();
    let mut want: Vec<&str> = input
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    want.sort_unstable();
    let mut got: Vec<&str> = rows.iter().map(|r| r[0]).collect();
    got.sort_unstable();
    assert_eq!(got, want);
    let routes: BTreeSet<&str> = rows.iter().map(|r| r[5]).collect();
    for route in [
        "catchment",
        "catchment_lottery_won",
        "choice",
        "choice_lottery_won",
        "allocated",
        "private_lottery_won",
        "returned_to_catchment",
    ] {
        assert!(routes.contains(route), "no {route} in the example");
    }
    // Seats never exceeded at the county-town primaries.
    for (id, seats) in [("P01", 135), ("P02", 90), ("P03", 135), ("P04", 90)] {
        let n = rows.iter().filter(|r| r[6] == id).count();
        assert!(n <= seats, "{id}: {n} > {seats}");
    }
    // Every lottery folder recomputes, in the library and through the CLI.
    let folders: Vec<_> = fs::read_dir(out.join("lotteries"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let names: BTreeSet<String> = folders
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(names.contains("J02-private"), "{names:?}");
    assert!(names.contains("P01-catchment"), "{names:?}");
    for f in &folders {
        let v = verify_dir(f).expect("verify");
        assert!(v.ok(), "{}: {:?}", f.display(), v.checks);
        let o = run(&["lottery", "verify", "--dir", f.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    }
    // The summary's conservation holds.
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("admission_summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["conservation"]["holds"], true);
    assert_eq!(
        summary["totals"]["applicants"].as_u64(),
        Some(want.len() as u64)
    );
    // Deterministic: a second run writes the same bytes; --excel only adds a BOM
    // to admission.csv.
    let out2 = dir.path().join("again");
    let mut excel = seed.to_vec();
    excel.push("--excel");
    let o = admit_cli(EXAMPLE, &out2, &excel);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let csv2 = fs::read(out2.join("admission.csv")).unwrap();
    assert_eq!(csv2, [b"\xEF\xBB\xBF".as_slice(), csv.as_bytes()].concat());
    for f in [
        "admission_summary.json",
        "lotteries/J02-private/lottery_result.csv",
    ] {
        assert_eq!(
            fs::read(out.join(f)).unwrap(),
            fs::read(out2.join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn bad_inputs_exit_2_naming_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let seed = ["--public-entropy", ENTROPY];
    let cases: [(&str, &str, &str); 7] = [
        (
            "applicant_id,school_id,unit_id\nA1,P99,H000001\n",
            "line 2: field `school_id`",
            "P99",
        ),
        (
            "applicant_id,school_id,unit_id\nA1,P01,H999999\n",
            "line 2: field `unit_id`",
            "H999999",
        ),
        (
            "applicant_id,school_id,unit_id\nA1,P01,H000001\nA1,P02,H000001\n",
            "line 3: field `applicant_id`",
            "again",
        ),
        (
            "applicant_id,school_id,unit_id\nA1,P01,\n",
            "line 2: field `unit_id`",
            "public school",
        ),
        (
            "applicant_id,school_id,unit_id,level\nA1,P01,H000001,junior\n",
            "line 2: field `level`",
            "junior",
        ),
        (
            "applicant_id,school_id,unit_id\nA1,N01,H000001\n",
            "line 2: field `level`",
            "nine-year",
        ),
        (
            "applicant_id,school_id,unit_id,姓名\nA1,P01,H000001,张三\n",
            "姓名",
            "column",
        ),
    ];
    for (k, (list, at, what)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("list{k}.csv"));
        fs::write(&path, list).unwrap();
        let out = dir.path().join(format!("out{k}"));
        let o = admit_cli(path.to_str().unwrap(), &out, &seed);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "case {k}: {t}");
        assert!(t.contains(&format!("list{k}.csv")), "case {k}: {t}");
        assert!(t.contains(at) && t.contains(what), "case {k}: {t}");
        assert!(!out.exists(), "case {k}: nothing written");
    }
    // An oversubscribed school without --public-entropy: exit 2, nothing written.
    let out = dir.path().join("no_entropy");
    let o = admit_cli(EXAMPLE, &out, &[]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(t.contains("--public-entropy"), "{t}");
    assert!(!out.exists());
}

#[test]
fn the_lottery_reader_still_refuses_unit_id() {
    // The admit list is not a lottery list: `catchment lottery` keeps its
    // four columns (its canonical form is unchanged).
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("l");
    let o = run(&[
        "lottery",
        "commit",
        "--applicants",
        EXAMPLE,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("unit_id"), "{}", text(&o));
}

#[test]
fn a_header_only_list_is_refused() {
    // Nothing to admit or draw: refused, not run as an empty admission.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("applicants.csv");
    fs::write(&path, "applicant_id,school_id,unit_id\n").unwrap();
    let out = dir.path().join("out");
    let o = admit_cli(path.to_str().unwrap(), &out, &["--public-entropy", ENTROPY]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(
        t.contains(
            "applicants.csv: expected at least one applicant row, found a header only \
             (there is no one to admit or draw)"
        ),
        "{t}"
    );
    assert!(!out.exists(), "nothing written");
}
