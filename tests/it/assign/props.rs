//! Laws of the plan on random small instances, through the public API the
//! `plan` command uses (the entry cohort by `Policy::cohort`, then
//! `LevelProblem` / `assign_level` with straight-line travel): students in
//! = placed + unplaced (per level, per unit, per reason), no school over
//! its seats (special-needs students placed near home beyond seats
//! accounted for), placements within the travel limit, reasons that are
//! true; and the entry cutoff of `Policy::entry_year_of`.
//!
//! The solver alone (random `Transport` instances against an LP) is in
//! tests/it/assign/solver.rs; road routes in tests/it/roads/props.rs.

use catchment::assign::{LevelDemand, LevelOptions, LevelProblem, Reason, Travel, assign_level};
use catchment::model::{
    Child, Demand, Level, MonthDay, PerLevel, Policy, Residence, School, SchoolKind, Sector, Unit,
};
use catchment::spatial::haversine_m;
use chrono::{Datelike, Days, NaiveDate};
use proptest::prelude::*;

const LON: f64 = 111.80;
const LAT: f64 = 38.90;

/// A child: days after 2015-01-01 (covers the primary cohort of 2023 and
/// the years around it), special needs or not.
fn child_strategy(special: bool) -> impl Strategy<Value = Child> {
    (0u64..(4 * 366), any::<bool>()).prop_map(move |(days, sn)| Child {
        id: None,
        birth_date: NaiveDate::from_ymd_opt(2015, 1, 1).unwrap() + Days::new(days),
        sex: None,
        multiple_birth_group: None,
        special_needs: special && sn,
        priority: None,
        residence: Some(Residence::Hukou),
    })
}

/// Units within about 6 km of the centre: households with children, or
/// blocks with direct counts.
fn units_strategy(special: bool) -> impl Strategy<Value = Vec<Unit>> {
    let unit = (
        -0.06f64..0.06,
        -0.05f64..0.05,
        prop_oneof![
            3 => prop::collection::vec(child_strategy(special), 0..5).prop_map(Demand::Children),
            1 => (0u32..8, 0u32..8).prop_map(|(primary, junior)| Demand::Direct { primary, junior }),
        ],
    );
    prop::collection::vec(unit, 0..40).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (dx, dy, demand))| Unit {
                id: format!("U{i}"),
                lon: LON + dx,
                lat: LAT + dy,
                town: None,
                village: None,
                demand,
            })
            .collect()
    })
}

/// Schools of every kind, mostly public, some boarding (no day limit), some
/// with their own limit; seats as capacity or classes x class size.
fn schools_strategy() -> impl Strategy<Value = Vec<School>> {
    let school = (
        -0.06f64..0.06,
        -0.05f64..0.05,
        prop_oneof![
            Just(SchoolKind::Primary),
            Just(SchoolKind::Junior),
            Just(SchoolKind::NineYear)
        ],
        prop::bool::weighted(0.85),
        prop::bool::weighted(0.15),
        prop_oneof![
            (0u32..25).prop_map(|c| (Some(c), None)),
            (0u32..3).prop_map(|k| (None, Some(k))),
        ],
        prop::option::weighted(0.2, 500.0f64..4000.0),
    );
    prop::collection::vec(school, 0..7).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(
                |(j, (dx, dy, kind, public, boarding, (cap, classes), limit))| School {
                    id: format!("S{j}"),
                    name: format!("School {j}"),
                    lon: LON + dx,
                    lat: LAT + dy,
                    kind,
                    sector: if public {
                        Sector::Public
                    } else {
                        Sector::Private
                    },
                    boarding,
                    serves: Vec::new(),
                    entry_classes: PerLevel {
                        primary: classes,
                        junior: classes,
                    },
                    capacity: PerLevel {
                        primary: cap,
                        junior: cap,
                    },
                    class_size: PerLevel::both(7),
                    max_travel_m: PerLevel {
                        primary: limit,
                        junior: limit,
                    },
                },
            )
            .collect()
    })
}

fn policy(limit_m: f64, near_home: bool) -> Policy {
    let mut p = Policy::standard(2023);
    p.max_travel_m_primary = limit_m;
    p.max_travel_m_junior = limit_m * 2.0;
    p.special_needs_near_home = near_home;
    p
}

/// The entry cohort of each unit, as `plan` builds it.
fn demand(units: &[Unit], policy: &Policy, level: Level) -> LevelDemand {
    let mut d = LevelDemand::default();
    for u in units {
        let c = policy
            .cohort(&u.demand, level)
            .expect("children and counts");
        d.students.push(c.students);
        d.special_needs.push(c.special_needs);
    }
    d
}

/// Can a student of `u` reach school `s` at `level` (straight line)?
fn reaches(u: &Unit, s: &School, level: Level, policy: &Policy) -> bool {
    s.takes_catchment(level)
        && s.travel_limit_m(level, policy)
            .is_none_or(|lim| haversine_m(u.lon, u.lat, s.lon, s.lat) <= lim)
}

/// Every law of one level's assignment.
fn check_level(
    units: &[Unit],
    schools: &[School],
    policy: &Policy,
    level: Level,
    whole_units: bool,
) -> Result<(), TestCaseError> {
    let d = demand(units, policy, level);
    let la = if whole_units {
        LevelProblem::new(units, &d, schools, level, policy, Travel::Straight, None)
            .solve(&LevelOptions {
                whole_units: true,
                ..Default::default()
            })
            .expect("certified")
    } else {
        assign_level(units, &d, schools, level, policy, Travel::Straight).expect("certified")
    };
    let total: u64 = d.students.iter().map(|&s| s as u64).sum();
    let special: u64 = d.special_needs.iter().map(|&s| s as u64).sum();

    // Conservation: per level, per reason, per unit.
    prop_assert_eq!(la.students, total);
    let unplaced: u64 = [
        Reason::NoSchoolInReach,
        Reason::CapacityShort,
        Reason::NoRoadConnection,
    ]
    .iter()
    .map(|&r| la.unplaced_by(r))
    .sum();
    prop_assert_eq!(la.placed() + unplaced, total);
    prop_assert_eq!(la.unplaced_by(Reason::NoRoadConnection), 0);
    let mut per_unit = vec![0u64; units.len()];
    let mut per_school = vec![0u64; schools.len()];
    for p in &la.placements {
        prop_assert!(p.students > 0, "an empty placement row: {p:?}");
        per_unit[p.unit] += p.students as u64;
        match p.school {
            Some(j) => {
                prop_assert!(p.reason.is_none());
                prop_assert!(reaches(&units[p.unit], &schools[j], level, policy), "{p:?}");
                let m = p.travel_m.expect("metres of a placement");
                let exact = haversine_m(
                    units[p.unit].lon,
                    units[p.unit].lat,
                    schools[j].lon,
                    schools[j].lat,
                );
                prop_assert!((m - exact).abs() < 0.01, "{m} vs {exact}");
                per_school[j] += p.students as u64;
            }
            None => {
                prop_assert!(p.reason.is_some(), "unplaced without a reason: {p:?}");
                prop_assert!(p.travel_m.is_none());
            }
        }
    }
    for (i, &n) in per_unit.iter().enumerate() {
        prop_assert_eq!(n, d.students[i] as u64, "unit {}", i);
    }

    // Capacity: assigned counts are the placements; only special-needs
    // students placed near home may go beyond seats, and no more of them
    // than there are.
    prop_assert_eq!(&la.assigned, &per_school);
    let mut over = 0u64;
    for (j, s) in schools.iter().enumerate() {
        let seats = if s.takes_catchment(level) {
            s.seats(level, policy).unwrap_or(0)
        } else {
            0
        };
        prop_assert_eq!(la.seats[j], seats, "school {}", j);
        if !s.takes_catchment(level) {
            prop_assert_eq!(per_school[j], 0);
        }
        over += per_school[j].saturating_sub(seats as u64);
    }
    prop_assert!(over <= la.special_needs_over_seats);
    prop_assert!(la.special_needs_over_seats <= special);
    if !policy.special_needs_near_home || special == 0 {
        prop_assert_eq!(over, 0);
        prop_assert_eq!(la.special_needs_over_seats, 0);
    }

    // Reasons are true: no school in reach means none; short of capacity
    // means every school in reach is full (units split: the most students
    // are placed, so a free seat in reach would have been used).
    for p in la.placements.iter().filter(|p| p.school.is_none()) {
        let u = &units[p.unit];
        let reach: Vec<usize> = (0..schools.len())
            .filter(|&j| reaches(u, &schools[j], level, policy))
            .collect();
        match p.reason {
            Some(Reason::NoSchoolInReach) => prop_assert!(reach.is_empty(), "{p:?} {reach:?}"),
            Some(Reason::CapacityShort) => {
                prop_assert!(!reach.is_empty(), "{p:?}");
                if !whole_units {
                    for &j in &reach {
                        prop_assert!(
                            per_school[j] >= la.seats[j] as u64,
                            "unit {} unplaced while school {} has {} of {} seats taken",
                            p.unit,
                            j,
                            per_school[j],
                            la.seats[j]
                        );
                    }
                }
            }
            other => prop_assert!(false, "unexpected reason {other:?}"),
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// No special needs: placements never exceed seats.
    #[test]
    fn conservation_capacity_reasons(
        units in units_strategy(false),
        schools in schools_strategy(),
        limit in 300.0f64..6000.0,
        whole in any::<bool>(),
    ) {
        let p = policy(limit, true);
        for level in Level::ALL {
            check_level(&units, &schools, &p, level, whole)?;
        }
    }

    /// A problem solved once (its arcs let go as soon as the solver's
    /// instance is built) gives what solving it in place gives, and the
    /// travel reported is the route's, not the stability weight added to
    /// the cost of a move.
    #[test]
    fn solve_once_is_solve_and_reports_the_route(
        units in units_strategy(true),
        schools in schools_strategy(),
        limit in 300.0f64..6000.0,
        whole in any::<bool>(),
        stability in 0.0f64..3000.0,
        seed in any::<u64>(),
    ) {
        let p = policy(limit, true);
        for level in Level::ALL {
            let d = demand(&units, &p, level);
            let current: Vec<Option<usize>> = (0..units.len())
                .map(|i| {
                    let h = (seed ^ (i as u64 * 0x9E37_79B9)).wrapping_mul(0x2545_F491_4F6C_DD1D);
                    (!h.is_multiple_of(3) && !schools.is_empty()).then(|| (h >> 8) as usize % schools.len())
                })
                .collect();
            let opts = LevelOptions {
                current: Some(&current),
                stability_m_per_student: stability,
                whole_units: whole,
                ..Default::default()
            };
            let new = || LevelProblem::new(&units, &d, &schools, level, &p, Travel::Straight, None);
            let kept = new().solve(&opts).expect("certified");
            let once = new().solve_once(&opts).expect("certified");
            prop_assert_eq!(&kept.placements, &once.placements);
            prop_assert_eq!(kept.objective_mm(), once.objective_mm());
            for pl in &once.placements {
                if let Some(j) = pl.school {
                    let u = &units[pl.unit];
                    let exact = haversine_m(u.lon, u.lat, schools[j].lon, schools[j].lat);
                    let m = pl.travel_m.expect("metres of a placement");
                    prop_assert!((m - exact).abs() < 0.01, "{} vs {}", m, exact);
                }
            }
        }
    }

    /// Special-needs children, placed near home first (beyond seats) or
    /// like everyone: the overflow is theirs and counted.
    #[test]
    fn special_needs_overflow_is_accounted(
        units in units_strategy(true),
        schools in schools_strategy(),
        limit in 300.0f64..6000.0,
        near_home in any::<bool>(),
    ) {
        let p = policy(limit, near_home);
        for level in Level::ALL {
            check_level(&units, &schools, &p, level, false)?;
        }
    }

    /// Born on the cutoff day: enters that year (at the entry age); born the
    /// day after: the next year. For any cutoff and any year.
    #[test]
    fn cutoff_day_enters_that_year_day_after_next(
        year in 1990i32..2040,
        month in 1u32..=12,
        day in 1u32..=31,
        entry_age in 5u32..=7,
    ) {
        let date = NaiveDate::from_ymd_opt(year, month, day);
        prop_assume!(date.is_some() && !(month == 2 && day == 29));
        let cutoff = MonthDay::parse(&format!("{month:02}-{day:02}")).expect("a valid cutoff");
        let mut p = Policy::standard(2023);
        p.cutoff = cutoff;
        p.entry_age = entry_age;
        let on = date.unwrap();
        let after = on + Days::new(1);
        for (level, age) in [(Level::Primary, entry_age), (Level::Junior, entry_age + 6)] {
            prop_assert_eq!(p.entry_year_of(on, level), year + age as i32);
            prop_assert_eq!(p.entry_year_of(after, level), year + age as i32 + 1);
        }
    }

    /// Later birth, never an earlier entry; and the cohort of an entry year
    /// is exactly the children whose entry year it is.
    #[test]
    fn entry_year_is_monotonic_and_matches_the_cohort(
        a in 0u64..20_000,
        b in 0u64..20_000,
        month in 1u32..=12,
        day in 1u32..=28,
        entry_year in 2000i32..2060,
    ) {
        let base = NaiveDate::from_ymd_opt(1990, 1, 1).unwrap();
        let (x, y) = (base + Days::new(a.min(b)), base + Days::new(a.max(b)));
        let mut p = Policy::standard(entry_year);
        p.cutoff = MonthDay { month, day };
        for level in Level::ALL {
            prop_assert!(p.entry_year_of(x, level) <= p.entry_year_of(y, level));
            for d in [x, y] {
                prop_assert_eq!(p.in_cohort(d, level), p.entry_year_of(d, level) == entry_year,
                    "{} {:?} cutoff {}", d, level, p.cutoff);
            }
        }
        // A child born on 29 February (leap years) enters with the 28th's.
        let leap = NaiveDate::from_ymd_opt(x.year() - x.year().rem_euclid(4), 2, 29);
        if let Some(leap) = leap {
            let feb28 = NaiveDate::from_ymd_opt(leap.year(), 2, 28).unwrap();
            let mar1 = NaiveDate::from_ymd_opt(leap.year(), 3, 1).unwrap();
            for level in Level::ALL {
                let e = p.entry_year_of(leap, level);
                prop_assert!(p.entry_year_of(feb28, level) <= e && e <= p.entry_year_of(mar1, level));
            }
        }
    }
}
