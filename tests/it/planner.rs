//! The planning engine as a planner uses it: manual moves kept as pins,
//! edits as values, warm re-optimise. Known answers on the bundled example;
//! laws on random edit sequences (a warm re-optimise reaches a cold solve's
//! optimum; every child accounted for; a manual move changes one unit).

use catchment::assign::LevelAssignment;
use catchment::io::Scenario;
use catchment::io::load::{LoadRequest, load};
use catchment::model::{
    ClassChange, Demand, Edit, Level, PerLevel, School, SchoolKind, Sector, Unit,
};
use catchment::plan::{Loaded, PlanEdit, PlanSettings, Planner, level_totals, school_rows};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn example() -> Loaded {
    load(&LoadRequest::default(), chrono::Local::now().date_naive()).expect("the bundled example")
}

fn planner(loaded: Loaded) -> Planner {
    let settings = PlanSettings::of(&loaded);
    Planner::new(loaded, settings)
}

/// Every student of the level is in a row: placed, or unplaced with a reason.
fn accounted(la: &LevelAssignment) {
    let rows: u64 = la.placements.iter().map(|p| p.students as u64).sum();
    assert_eq!(rows, la.students, "{:?}: rows hold every student", la.level);
    assert!(
        la.placements
            .iter()
            .all(|p| p.school.is_some() || p.reason.is_some()),
        "every unplaced row has a reason"
    );
    let mut assigned = vec![0u64; la.assigned.len()];
    for p in &la.placements {
        if let Some(j) = p.school {
            assigned[j] += p.students as u64;
        }
    }
    assert_eq!(assigned, la.assigned, "school totals follow the rows");
}

/// A unit with primary students, and a primary catchment school other than
/// the one it is at.
fn unit_and_other_school(p: &Planner) -> (usize, usize, usize) {
    let la = p.assignment(Level::Primary).unwrap();
    let schools = &p.loaded().schools;
    let row = la
        .placements
        .iter()
        .find(|r| r.school.is_some() && r.students > 0)
        .unwrap();
    let at = row.school.unwrap();
    let other = (0..schools.len())
        .filter(|&j| j != at && schools[j].takes_catchment(Level::Primary))
        .min_by(|&a, &b| {
            let u = &p.loaded().units[row.unit];
            let d = |j: usize| (schools[j].lon - u.lon).hypot(schools[j].lat - u.lat);
            d(a).total_cmp(&d(b))
        })
        .unwrap();
    (row.unit, at, other)
}

#[test]
fn a_manual_move_changes_one_unit_and_the_school_figures() {
    let mut p = planner(example());
    p.solve_cold().unwrap();
    let (unit, from, to) = unit_and_other_school(&p);
    let before = school_rows(
        &p.loaded().schools,
        p.assignment(Level::Primary).unwrap(),
        p.current(Level::Primary),
    );
    let students = p.loaded().demand[0].students[unit] as u64;
    let changes = p
        .apply(PlanEdit::Move {
            level: Level::Primary,
            unit,
            school: to,
        })
        .unwrap();
    assert_eq!(changes.units(), 1, "{changes:?}");
    assert_eq!(changes.levels[0].units[0].unit, unit);
    assert_eq!(
        changes.levels[0].units[0].after,
        vec![(Some(to), students as u32)]
    );
    let la = p.assignment(Level::Primary).unwrap();
    accounted(la);
    assert!(!p.is_optimal(Level::Primary));
    assert!(p.is_optimal(Level::Junior));
    let after = school_rows(&p.loaded().schools, la, p.current(Level::Primary));
    let row = |rows: &[catchment::plan::SchoolRow], j: usize| {
        rows.iter().find(|r| r.school == j).unwrap().assigned
    };
    assert_eq!(row(&after, to), row(&before, to) + students);
    let moved_out: u64 = before.iter().map(|r| r.assigned).sum::<u64>()
        - after.iter().map(|r| r.assigned).sum::<u64>();
    assert_eq!(moved_out, 0, "placed students stay placed");
    assert!(row(&after, from) <= row(&before, from));
    assert_eq!(p.loaded().pins[0][unit], Some(to), "kept as a pin");
}

#[test]
fn reoptimise_after_a_move_keeps_the_pin_and_matches_a_cold_solve() {
    let mut warm = planner(example());
    warm.solve_cold().unwrap();
    let (unit, _, to) = unit_and_other_school(&warm);
    let mv = PlanEdit::Move {
        level: Level::Primary,
        unit,
        school: to,
    };
    warm.apply(mv.clone()).unwrap();
    let changes = warm.reoptimise().unwrap();
    let mut cold = planner(example());
    cold.apply(mv).unwrap();
    cold.solve_cold().unwrap();
    for level in Level::ALL {
        let (w, c) = (
            warm.assignment(level).unwrap(),
            cold.assignment(level).unwrap(),
        );
        accounted(w);
        assert_eq!(w.lp_bound, c.lp_bound, "{level:?}: the same LP optimum");
        assert!(warm.is_optimal(level));
    }
    let la = warm.assignment(Level::Primary).unwrap();
    assert!(
        la.placements
            .iter()
            .filter(|r| r.unit == unit)
            .all(|r| r.school == Some(to)),
        "the pinned unit stays"
    );
    // The change list names exactly the units whose rows differ from the
    // hand-edited rows (the moved unit is not among them).
    assert!(
        changes.levels[0].units.iter().all(|c| c.unit != unit),
        "{changes:?}"
    );
}

/// A small county in memory: units and nine-year schools in a 6 km box,
/// seats a little short of the students (capacity binds), today's zones
/// the nearest school.
fn synthetic(seed: u64, whole_units: bool) -> (Loaded, PlanSettings) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let k = 10;
    let units: Vec<Unit> = (0..300)
        .map(|i| Unit {
            id: format!("u{i}"),
            lon: 112.0 + rng.gen_range(0.0..0.07),
            lat: 39.0 + rng.gen_range(0.0..0.055),
            town: None,
            village: None,
            demand: Demand::Direct {
                primary: rng.gen_range(0..4),
                junior: rng.gen_range(0..3),
            },
        })
        .collect();
    let schools: Vec<School> = (0..k)
        .map(|j| School {
            id: format!("s{j}"),
            name: format!("School {j}"),
            lon: 112.0 + rng.gen_range(0.0..0.07),
            lat: 39.0 + rng.gen_range(0.0..0.055),
            kind: SchoolKind::NineYear,
            sector: Sector::Public,
            boarding: false,
            serves: Vec::new(),
            entry_classes: PerLevel::default(),
            capacity: PerLevel::both(rng.gen_range(35..60)),
            class_size: PerLevel::default(),
            max_travel_m: PerLevel::default(),
        })
        .collect();
    let mut loaded = Loaded::new(Scenario::standard(2023), units, schools).unwrap();
    loaded.threads = 1;
    let nearest: Vec<Option<usize>> = loaded
        .units
        .iter()
        .map(|u| {
            (0..k).min_by(|&a, &b| {
                let d = |j: usize| {
                    let s = &loaded.schools[j];
                    (s.lon - u.lon).hypot(s.lat - u.lat)
                };
                d(a).total_cmp(&d(b))
            })
        })
        .collect();
    loaded.current = Some([nearest.clone(), nearest]);
    let mut settings = PlanSettings::of(&loaded);
    settings.zones.whole_units = whole_units;
    settings.zones.contiguous = whole_units;
    settings.stability = 300.0;
    (loaded, settings)
}

/// A random edit of the kinds a planner makes.
fn random_edit(rng: &mut ChaCha8Rng, p: &Planner) -> PlanEdit {
    let level = if rng.gen_bool(0.5) {
        Level::Primary
    } else {
        Level::Junior
    };
    let n = p.loaded().units.len();
    let k = p.loaded().schools.len();
    match rng.gen_range(0..10) {
        0..=4 => PlanEdit::Move {
            level,
            unit: rng.gen_range(0..n),
            school: rng.gen_range(0..k),
        },
        5 => PlanEdit::Unpin {
            level,
            unit: rng.gen_range(0..n),
        },
        6 => PlanEdit::Stability([0.0, 100.0, 300.0, 2000.0][rng.gen_range(0..4)]),
        7 => PlanEdit::TravelLimit {
            level,
            metres: [1500.0, 3000.0, 6000.0][rng.gen_range(0..3)],
        },
        8 => PlanEdit::School(Edit::Classes {
            school: format!("s{}", rng.gen_range(0..k)),
            level: Some(level),
            change: ClassChange::Add(rng.gen_range(-1..=1)),
        }),
        _ => PlanEdit::School(Edit::Close {
            school: p.loaded().schools[rng.gen_range(0..k)].id.clone(),
        }),
    }
}

/// The law: after any sequence of edits, a warm re-optimise reaches the
/// optimum a cold solve of the same edited scenario reaches.
fn warm_equals_cold(whole_units: bool) {
    for seed in 0..12u64 {
        let (loaded, settings) = synthetic(seed, whole_units);
        let mut warm = Planner::new(loaded, settings);
        let (loaded, settings) = synthetic(seed, whole_units);
        let mut cold = Planner::new(loaded, settings);
        warm.solve_cold().unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xED17);
        for step in 0..8 {
            let edit = random_edit(&mut rng, &warm);
            let (a, b) = (warm.apply(edit.clone()), cold.apply(edit.clone()));
            assert_eq!(a.is_ok(), b.is_ok(), "seed {seed} step {step}: {edit:?}");
            warm.reoptimise().unwrap();
            cold.solve_cold().unwrap();
            for level in Level::ALL {
                let (w, c) = (
                    warm.assignment(level).unwrap(),
                    cold.assignment(level).unwrap(),
                );
                accounted(w);
                assert_eq!(
                    w.lp_bound, c.lp_bound,
                    "seed {seed} step {step} {level:?} after {edit:?}"
                );
                if !whole_units {
                    assert_eq!(w.objective, c.objective, "LP rows are the optimum");
                }
                let t = level_totals(w, warm.current(level));
                assert_eq!(t.placed + t.unplaced, t.students);
            }
        }
    }
}

#[test]
fn warm_reoptimise_reaches_the_cold_optimum_on_random_edits() {
    warm_equals_cold(false);
}

#[test]
fn warm_reoptimise_reaches_the_cold_optimum_with_whole_units() {
    warm_equals_cold(true);
}

#[test]
fn a_pin_beyond_the_limit_holds_until_lifted() {
    let (loaded, settings) = synthetic(7, false);
    let mut p = Planner::new(loaded, settings);
    p.solve_cold().unwrap();
    let limit = p.loaded().scenario.policy.max_travel_m(Level::Primary);
    // A unit and the school farthest from it (beyond 3 km in a 6 km box).
    let (unit, school) = (0..p.loaded().units.len())
        .filter(|&i| p.loaded().demand[0].students[i] > 0)
        .flat_map(|i| (0..p.loaded().schools.len()).map(move |j| (i, j)))
        .max_by(|&(a, j), &(b, k)| {
            let l = p.loaded();
            let d = |i: usize, j: usize| {
                catchment::spatial::haversine_m(
                    l.units[i].lon,
                    l.units[i].lat,
                    l.schools[j].lon,
                    l.schools[j].lat,
                )
            };
            d(a, j).total_cmp(&d(b, k))
        })
        .unwrap();
    let level = Level::Primary;
    p.apply(PlanEdit::Move {
        level,
        unit,
        school,
    })
    .unwrap();
    p.reoptimise().unwrap();
    let far = |p: &Planner| {
        p.assignment(level)
            .unwrap()
            .placements
            .iter()
            .filter(|r| r.travel_m.is_some_and(|m| m > limit))
            .map(|r| (r.unit, r.school))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        far(&p),
        vec![(unit, Some(school))],
        "only the pin is beyond"
    );
    p.apply(PlanEdit::Unpin { level, unit }).unwrap();
    p.reoptimise().unwrap();
    assert!(far(&p).is_empty(), "lifted, it goes back within the limit");
}

#[test]
fn edits_that_cannot_apply_are_refused_and_change_nothing() {
    let (loaded, settings) = synthetic(3, false);
    let mut p = Planner::new(loaded, settings);
    p.solve_cold().unwrap();
    let before = p.assignment(Level::Primary).unwrap().clone();
    let refused = [
        PlanEdit::Move {
            level: Level::Primary,
            unit: 10_000,
            school: 0,
        },
        PlanEdit::Move {
            level: Level::Primary,
            unit: 0,
            school: 99,
        },
        PlanEdit::Stability(-1.0),
        PlanEdit::TravelLimit {
            level: Level::Junior,
            metres: f64::NAN,
        },
        PlanEdit::School(Edit::Close {
            school: "nowhere".into(),
        }),
    ];
    for e in refused {
        let err = p.apply(e.clone()).expect_err("refused");
        assert!(!err.to_string().is_empty(), "{e:?}");
    }
    assert_eq!(
        p.assignment(Level::Primary).unwrap().placements,
        before.placements
    );
}
