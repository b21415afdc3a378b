//! Zones a bureau can adopt, each rule on a county small enough to solve by
//! hand: stability against current zones, pins, whole units, contiguity
//! repair (and the enclave left when seats forbid it), feeder groups.

use catchment::assign::{EnclaveWhy, LevelDemand, LevelOptions, LevelProblem, Travel};
use catchment::io::results::moved;
use catchment::model::{Demand, Level, PerLevel, Policy, School, SchoolKind, Sector, Unit};

const LAT0: f64 = 38.9;

/// A point `x` metres east and `y` metres north of (111.8, 38.9).
fn at(x: f64, y: f64) -> (f64, f64) {
    let r = 6_371_008.8f64;
    (
        111.8 + (x / (r * LAT0.to_radians().cos())).to_degrees(),
        LAT0 + (y / r).to_degrees(),
    )
}

fn unit(id: &str, x: f64, y: f64) -> Unit {
    let (lon, lat) = at(x, y);
    Unit {
        id: id.into(),
        lon,
        lat,
        town: None,
        village: None,
        demand: Demand::Direct {
            primary: 0,
            junior: 0,
        },
    }
}

fn school(id: &str, x: f64, kind: SchoolKind, seats: u32) -> School {
    let (lon, lat) = at(x, 0.0);
    School {
        id: id.into(),
        name: id.into(),
        lon,
        lat,
        kind,
        sector: Sector::Public,
        boarding: false,
        serves: vec![],
        entry_classes: PerLevel::default(),
        capacity: PerLevel::both(seats),
        class_size: PerLevel::default(),
        max_travel_m: PerLevel::default(),
    }
}

fn demand(students: &[u32]) -> LevelDemand {
    LevelDemand {
        students: students.to_vec(),
        special_needs: vec![0; students.len()],
    }
}

/// School index of each unit's single row (whole units), `None` if unplaced.
fn school_of(la: &catchment::assign::LevelAssignment, n: usize) -> Vec<Option<usize>> {
    let mut out = vec![None; n];
    for p in &la.placements {
        assert!(out[p.unit].is_none() || p.school.is_none(), "unit split");
        if p.school.is_some() {
            out[p.unit] = p.school;
        }
    }
    out
}

/// A at 0 m, B at 1,000 m; one child at 600 m, today in A's zone. Moving
/// to B saves 200 m: it moves when a kept child is worth less than 200 m.
#[test]
fn stability_keeps_a_child_unless_the_move_saves_more_than_the_weight() {
    let policy = Policy::standard(2023);
    let units = vec![unit("u", 600.0, 0.0)];
    let schools = vec![
        school("A", 0.0, SchoolKind::Primary, 10),
        school("B", 1000.0, SchoolKind::Primary, 10),
    ];
    let d = demand(&[1]);
    let p = LevelProblem::new(
        &units,
        &d,
        &schools,
        Level::Primary,
        &policy,
        Travel::Straight,
        None,
    );
    let current = [Some(0)];
    for (w, expect_school, expect_moved) in [
        (0.0, 1, 1),
        (150.0, 1, 1),
        (199.0, 1, 1),
        (201.0, 0, 0),
        (1000.0, 0, 0),
    ] {
        let la = p
            .solve(&LevelOptions {
                current: Some(&current),
                stability_m_per_student: w,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(la.placements[0].school, Some(expect_school), "weight {w}");
        assert_eq!(moved(&la, &current), expect_moved, "weight {w}");
        // The reported objective stays pure travel.
        let m = la.objective_mm() as f64 / 1000.0;
        assert!((m - if expect_school == 1 { 400.0 } else { 600.0 }).abs() < 0.01);
    }
}

/// A unit 5 km from the only school is beyond the 3 km primary limit:
/// unplaced, unless a planner pins it there; the pin is kept.
#[test]
fn a_pin_is_kept_even_beyond_the_travel_limit() {
    let policy = Policy::standard(2023);
    let units = vec![unit("far", 5000.0, 0.0), unit("near", 100.0, 0.0)];
    let schools = vec![school("A", 0.0, SchoolKind::Primary, 10)];
    let d = demand(&[2, 1]);
    let free = LevelProblem::new(
        &units,
        &d,
        &schools,
        Level::Primary,
        &policy,
        Travel::Straight,
        None,
    )
    .solve(&LevelOptions::default())
    .unwrap();
    assert_eq!(free.placed(), 1);
    let pins = [Some(0), None];
    let pinned = LevelProblem::new(
        &units,
        &d,
        &schools,
        Level::Primary,
        &policy,
        Travel::Straight,
        Some(&pins),
    )
    .solve(&LevelOptions::default())
    .unwrap();
    assert_eq!(pinned.placed(), 3);
    let far = pinned.placements.iter().find(|p| p.unit == 0).unwrap();
    assert_eq!(far.school, Some(0));
    assert!((far.travel_m.unwrap() - 5000.0).abs() < 0.01);
}

/// A (5 seats) at 0 m, B (10 seats) at 2,000 m; u1 (4 students) at 100 m,
/// u2 (3) at 200 m. The LP fills A with u1 and one of u2, splitting u2:
/// bound 4x100 + 1x200 + 2x1800 = 4,200 student-m. Whole: u1 -> A, u2 -> B,
/// 4x100 + 3x1800 = 5,800 (the other way costs 3x200 + 4x1900 = 8,200).
#[test]
fn whole_units_put_each_unit_at_one_school_and_state_the_gap() {
    let policy = Policy::standard(2023);
    let units = vec![unit("u1", 100.0, 0.0), unit("u2", 200.0, 0.0)];
    let schools = vec![
        school("A", 0.0, SchoolKind::Primary, 5),
        school("B", 2000.0, SchoolKind::Primary, 10),
    ];
    let d = demand(&[4, 3]);
    let p = LevelProblem::new(
        &units,
        &d,
        &schools,
        Level::Primary,
        &policy,
        Travel::Straight,
        None,
    );
    let lp = p.solve(&LevelOptions::default()).unwrap();
    assert_eq!(
        lp.placements.iter().filter(|r| r.unit == 1).count(),
        2,
        "the LP splits u2"
    );
    assert!((lp.objective_mm() as f64 / 1000.0 - 4200.0).abs() < 0.01);
    let whole = p
        .solve(&LevelOptions {
            whole_units: true,
            contiguous: true,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(school_of(&whole, 2), vec![Some(0), Some(1)]);
    assert_eq!(whole.placed(), 7);
    assert!((whole.objective_mm() as f64 / 1000.0 - 5800.0).abs() < 0.01);
    assert_eq!(whole.lp_bound, lp.lp_bound);
    let gap = whole.gap().unwrap();
    assert!((gap - 1600.0 / 4200.0).abs() < 1e-6, "gap {gap}");
    assert_eq!(whole.whole.as_ref().unwrap().split, 1);
}

/// A 4 x 3 grid of units (300 m apart, 1 student each) between A (west,
/// x = 0) and B (east, x = 1,500 m). Today A has columns 1-3 except the
/// middle of column 2, which is B's; B has column 4. With a heavy stability
/// weight everyone stays, leaving B an enclave inside A. Three cases:
/// - A has room: the enclave goes to A (1 unit moved).
/// - A is full (8 seats): a trade. The enclave goes to A and the A unit on
///   the border with B's main zone that is cheapest to move (column 3, row
///   1: 300 m nearer B) goes to B: 2 units moved, both zones in one piece.
/// - The enclave is pinned to B: it stays, listed as pinned.
#[test]
fn contiguity_repair_moves_an_enclave_trades_or_lists_it_with_why() {
    let policy = Policy::standard(2023);
    let mut units = Vec::new();
    let mut current = Vec::new();
    for c in 0..4 {
        for r in 0..3 {
            // A small jitter keeps the Delaunay triangulation unique.
            let jitter = ((c * 3 + r) as f64 * 7.3) % 5.0;
            units.push(unit(
                &format!("c{c}r{r}"),
                300.0 * (c + 1) as f64 + jitter,
                300.0 * r as f64 - jitter,
            ));
            current.push(Some(if c == 3 || (c == 1 && r == 1) { 1 } else { 0 }));
        }
    }
    let enclave = 4; // c1r1
    let traded = 6; // c2r0
    let d = demand(&vec![1; units.len()]);
    let mut pins = vec![None; units.len()];
    pins[enclave] = Some(1);
    for (case, a_seats, pinned) in [(0, 20, false), (1, 8, false), (2, 20, true)] {
        let schools = vec![
            school("A", 0.0, SchoolKind::Primary, a_seats),
            school("B", 1500.0, SchoolKind::Primary, 20),
        ];
        let p = LevelProblem::new(
            &units,
            &d,
            &schools,
            Level::Primary,
            &policy,
            Travel::Straight,
            pinned.then_some(pins.as_slice()),
        );
        let la = p
            .solve(&LevelOptions {
                current: Some(&current),
                stability_m_per_student: 5000.0,
                whole_units: true,
                contiguous: true,
                groups: None,
                warm: None,
                neighbours: None,
            })
            .unwrap();
        let s = school_of(&la, units.len());
        let mut expect = current.clone();
        match case {
            0 => {
                expect[enclave] = Some(0);
                assert!(la.enclaves.is_empty(), "{:?}", la.enclaves);
                assert_eq!(la.contiguity_moves, 1);
            }
            1 => {
                expect[enclave] = Some(0);
                expect[traded] = Some(1);
                assert!(la.enclaves.is_empty(), "{:?}", la.enclaves);
                assert_eq!(la.contiguity_moves, 2);
            }
            _ => {
                assert_eq!(la.enclaves.len(), 1);
                assert_eq!(la.enclaves[0].units, vec![enclave]);
                assert_eq!(la.enclaves[0].why, EnclaveWhy::Fixed);
            }
        }
        assert_eq!(s, expect, "case {case}");
    }
}

/// Junior schools J1 at 400 m and J2 at 1,200 m; units at 100, 700, 1300
/// (primary zone 0) and 1700, 2300, 2900 m (primary zone 1). Nearest junior
/// splits zone 0 (1300 -> J2). As feeder groups, zone 0 goes whole to J1
/// (300 + 300 + 900 = 1,500 m against 1,100 + 500 + 100 = 1,700 m at J2) and
/// zone 1 to J2.
#[test]
fn feeder_groups_send_each_primary_zone_whole_to_one_junior_school() {
    let policy = Policy::standard(2023);
    let xs = [100.0, 700.0, 1300.0, 1700.0, 2300.0, 2900.0];
    let units: Vec<Unit> = xs
        .iter()
        .enumerate()
        .map(|(i, &x)| unit(&format!("u{i}"), x, 0.0))
        .collect();
    let schools = vec![
        school("J1", 400.0, SchoolKind::Junior, 50),
        school("J2", 1200.0, SchoolKind::Junior, 50),
    ];
    let d = demand(&[1; 6]);
    let p = LevelProblem::new(
        &units,
        &d,
        &schools,
        Level::Junior,
        &policy,
        Travel::Straight,
        None,
    );
    let nearest = p.solve(&LevelOptions::default()).unwrap();
    assert_eq!(
        school_of(&nearest, 6),
        vec![Some(0), Some(0), Some(1), Some(1), Some(1), Some(1)]
    );
    let groups = [Some(0), Some(0), Some(0), Some(1), Some(1), Some(1)];
    let feeder = p
        .solve(&LevelOptions {
            whole_units: true,
            contiguous: true,
            groups: Some(&groups),
            warm: None,
            neighbours: None,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        school_of(&feeder, 6),
        vec![Some(0), Some(0), Some(0), Some(1), Some(1), Some(1)]
    );
    assert!(feeder.feeder_broken.is_empty());
    assert!(
        (feeder.objective_mm() as f64 / 1000.0 - (1500.0 + 500.0 + 1100.0 + 1700.0)).abs() < 0.01
    );
}

/// A special-needs child is placed first at the nearest school, A; with
/// whole units the cohort sibling joins the child there when A has a seat
/// left, and goes to B (placed, never dropped) when A has none.
#[test]
fn special_needs_siblings_join_the_child_where_seats_allow() {
    let policy = Policy::standard(2023);
    let units = vec![unit("h", 100.0, 0.0)];
    let d = LevelDemand {
        students: vec![2],
        special_needs: vec![1],
    };
    for (a_seats, rows) in [
        (2, vec![(Some(0), 2)]),
        (1, vec![(Some(0), 1), (Some(1), 1)]),
    ] {
        let schools = vec![
            school("A", 0.0, SchoolKind::Primary, a_seats),
            school("B", 2000.0, SchoolKind::Primary, 10),
        ];
        let p = LevelProblem::new(
            &units,
            &d,
            &schools,
            Level::Primary,
            &policy,
            Travel::Straight,
            None,
        );
        let la = p
            .solve(&LevelOptions {
                whole_units: true,
                contiguous: true,
                ..Default::default()
            })
            .unwrap();
        let got: Vec<(Option<usize>, u32)> = la
            .placements
            .iter()
            .map(|p| (p.school, p.students))
            .collect();
        assert_eq!(got, rows, "A seats {a_seats}");
        assert_eq!(la.special_needs_over_seats, 0);
    }
}

/// The whole-unit assignment against the exact integer optimum of the same
/// model (good_lp + microlp, binary variables), on random small counties:
/// LP bound <= integer optimum <= ours, and on these sizes ours is the
/// integer optimum in most cases (the count is printed).
#[test]
fn whole_units_against_the_exact_integer_model() {
    use good_lp::{
        Expression, Solution, SolverModel, Variable, constraint, microlp, variable, variables,
    };
    use rand::{Rng, SeedableRng};
    let policy = Policy::standard(2023);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
    let mut equal = 0;
    let cases = 25;
    for case in 0..cases {
        let n = rng.gen_range(6..14);
        let k = rng.gen_range(2..5);
        let units: Vec<Unit> = (0..n)
            .map(|i| {
                unit(
                    &format!("u{i}"),
                    rng.gen_range(0.0..2500.0),
                    rng.gen_range(0.0..1500.0),
                )
            })
            .collect();
        let students: Vec<u32> = (0..n).map(|_| rng.gen_range(1..6)).collect();
        let total: u32 = students.iter().sum();
        let schools: Vec<School> = (0..k)
            .map(|j| {
                school(
                    &format!("S{j}"),
                    rng.gen_range(0.0..2500.0),
                    SchoolKind::Primary,
                    rng.gen_range(total / (k as u32 + 1)..total / k as u32 + 4),
                )
            })
            .collect();
        let d = demand(&students);
        let p = LevelProblem::new(
            &units,
            &d,
            &schools,
            Level::Primary,
            &policy,
            Travel::Straight,
            None,
        );
        let ours = p
            .solve(&LevelOptions {
                whole_units: true,
                contiguous: false,
                ..Default::default()
            })
            .unwrap();
        // The integer model, lexicographic in two solves.
        let st: &[u32] = &students;
        let x_of = &x_arcs(&p, n);
        let solve = |cap: Option<f64>| -> (f64, f64) {
            let mut vars = variables!();
            let x: Vec<Vec<(usize, i64, Variable)>> = x_of
                .iter()
                .map(|arcs| {
                    arcs.iter()
                        .map(|&(j, c)| (j, c, vars.add(variable().binary())))
                        .collect()
                })
                .collect();
            let z: Vec<Variable> = (0..n).map(|_| vars.add(variable().binary())).collect();
            let unplaced: Expression = (0..n).map(|i| st[i] as f64 * z[i]).sum();
            let travel: Expression = (0..n)
                .flat_map(|i| {
                    x[i].iter()
                        .map(move |&(_, c, v)| (st[i] as f64 * c as f64 / 1000.0) * v)
                })
                .sum();
            let mut m = vars
                .minimise(if cap.is_some() {
                    travel.clone()
                } else {
                    unplaced.clone()
                })
                .using(microlp);
            for i in 0..n {
                let one: Expression = x[i].iter().map(|t| t.2).sum::<Expression>() + z[i];
                m = m.with(constraint!(one == 1));
            }
            for j in 0..k {
                let load: Expression = (0..n)
                    .flat_map(|i| {
                        x[i].iter()
                            .filter(move |t| t.0 == j)
                            .map(move |t| st[i] as f64 * t.2)
                    })
                    .sum();
                m = m.with(constraint!(load <= p.seats[j] as f64));
            }
            if let Some(u) = cap {
                m = m.with(constraint!(unplaced.clone() <= u + 0.5));
            }
            let s = m.solve().expect("integer model solves");
            (s.eval(&unplaced).round(), s.eval(&travel))
        };
        let (u_min, _) = solve(None);
        let (_, t_min) = solve(Some(u_min));
        let ours_u = ours.objective.unplaced as f64;
        let ours_t = ours.objective.mm as f64 / 1000.0;
        let lp_u = ours.lp_bound.unplaced as f64;
        let lp_t = ours.lp_bound.mm as f64 / 1000.0;
        assert!(
            lp_u <= u_min,
            "case {case}: LP bound places fewer than the integer optimum"
        );
        assert!(
            lp_u < u_min || lp_t <= t_min + 0.01,
            "case {case}: LP bound above the integer optimum"
        );
        assert!(
            ours_u >= u_min,
            "case {case}: ours beats the exact integer optimum?"
        );
        assert!(
            ours_u > u_min || ours_t >= t_min - 0.01,
            "case {case}: ours {ours_t} < optimum {t_min}"
        );
        eprintln!(
            "case {case}: n {n} k {k} lp ({lp_u}, {lp_t:.0}) int ({u_min}, {t_min:.0}) ours ({ours_u}, {ours_t:.0}) {:?}",
            ours.whole
        );
        if ours_u == u_min && (ours_t - t_min).abs() < 0.01 {
            equal += 1;
        }
        // Each unit at one school, every student accounted for.
        assert_eq!(
            ours.placed()
                + ours
                    .placements
                    .iter()
                    .filter(|r| r.school.is_none())
                    .map(|r| r.students as u64)
                    .sum::<u64>(),
            total as u64
        );
    }
    eprintln!("whole units: {equal} of {cases} random cases at the exact integer optimum");
    assert!(
        equal * 10 >= cases * 7,
        "only {equal} of {cases} at the integer optimum"
    );
}

/// (school, cost) of every unit's feasible arcs.
fn x_arcs(p: &LevelProblem, n: usize) -> Vec<Vec<(usize, i64)>> {
    (0..n)
        .map(|i| {
            p.arcs
                .of(i)
                .iter()
                .map(|a| (a.school as usize, a.cost))
                .collect()
        })
        .collect()
}
