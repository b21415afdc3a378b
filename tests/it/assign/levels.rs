//! The per-level assignment on small counties built in memory: travel
//! limits, boarding and `serves`, private schools, nine-year schools,
//! special needs, reasons for the unplaced.

use catchment::assign::{LevelDemand, Reason, Travel, assign_level};
use catchment::model::{Demand, Level, PerLevel, Policy, School, SchoolKind, Sector, Unit};

/// Metres east of (111.8, 38.9) to a longitude (small distances).
fn east(m: f64) -> f64 {
    111.8 + m / (6_371_008.8 * 38.9f64.to_radians().cos()) * 180.0 / std::f64::consts::PI
}

fn unit(id: &str, x_m: f64, town: &str) -> Unit {
    Unit {
        id: id.into(),
        lon: east(x_m),
        lat: 38.9,
        town: Some(town.into()),
        village: None,
        demand: Demand::Direct {
            primary: 0,
            junior: 0,
        },
    }
}

fn school(id: &str, x_m: f64, kind: SchoolKind, seats: u32) -> School {
    School {
        id: id.into(),
        name: id.into(),
        lon: east(x_m),
        lat: 38.9,
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

fn demand(students: &[u32], special: &[u32]) -> LevelDemand {
    LevelDemand {
        students: students.to_vec(),
        special_needs: special.to_vec(),
    }
}

#[test]
fn limits_reasons_and_conservation() {
    let policy = Policy::standard(2023);
    // A at 0 m (2 seats), units at 100 m (3 students) and 5 km (1 student).
    let units = vec![unit("near", 100.0, "t"), unit("far", 5000.0, "t")];
    let schools = vec![school("A", 0.0, SchoolKind::Primary, 2)];
    let la = assign_level(
        &units,
        &demand(&[3, 1], &[0, 0]),
        &schools,
        Level::Primary,
        &policy,
        Travel::Straight,
    )
    .unwrap();
    assert_eq!(la.placed(), 2);
    assert_eq!(la.unplaced_by(Reason::CapacityShort), 1);
    assert_eq!(la.unplaced_by(Reason::NoSchoolInReach), 1);
    let total: u32 = la.placements.iter().map(|p| p.students).sum();
    assert_eq!(total as u64, la.students);
    assert_eq!(la.assigned[0], 2);
    // 2 students x 100 m, to the millimetre.
    assert!((la.objective_mm() - 200_000).abs() <= 2);
}

#[test]
fn boarding_takes_far_units_of_the_towns_it_serves() {
    let policy = Policy::standard(2023);
    let units = vec![unit("a", 8000.0, "前所乡"), unit("b", 9000.0, "东秀庄乡")];
    let mut b = school("B", 0.0, SchoolKind::Primary, 10);
    b.boarding = true;
    b.serves = vec!["前所乡".into()];
    let la = assign_level(
        &units,
        &demand(&[2, 3], &[0, 0]),
        &[b],
        Level::Primary,
        &policy,
        Travel::Straight,
    )
    .unwrap();
    assert_eq!(la.placed(), 2);
    assert_eq!(la.unplaced_by(Reason::NoSchoolInReach), 3);
}

#[test]
fn private_schools_take_no_catchment_and_nine_year_serves_both() {
    let policy = Policy::standard(2023);
    let units = vec![unit("a", 100.0, "t")];
    let mut p = school("P", 50.0, SchoolKind::Junior, 100);
    p.sector = Sector::Private;
    let mut n = school("N", 400.0, SchoolKind::NineYear, 0);
    n.capacity = PerLevel {
        primary: Some(1),
        junior: Some(5),
    };
    let schools = vec![p, n];
    let j = assign_level(
        &units,
        &demand(&[4], &[0]),
        &schools,
        Level::Junior,
        &policy,
        Travel::Straight,
    )
    .unwrap();
    assert_eq!(j.assigned, vec![0, 4]);
    let pr = assign_level(
        &units,
        &demand(&[4], &[0]),
        &schools,
        Level::Primary,
        &policy,
        Travel::Straight,
    )
    .unwrap();
    assert_eq!(pr.assigned, vec![0, 1]);
    assert_eq!(pr.unplaced_by(Reason::CapacityShort), 3);
}

#[test]
fn special_needs_go_to_the_nearest_school_even_when_full() {
    let mut policy = Policy::standard(2023);
    // Near school A has 1 seat, 3 ordinary students and 2 special-needs
    // students live next to it; B (2 km) has room.
    let units = vec![unit("u", 10.0, "t")];
    let schools = vec![
        school("A", 0.0, SchoolKind::Primary, 1),
        school("B", 2000.0, SchoolKind::Primary, 10),
    ];
    let d = demand(&[5], &[2]);
    let la = assign_level(
        &units,
        &d,
        &schools,
        Level::Primary,
        &policy,
        Travel::Straight,
    )
    .unwrap();
    assert_eq!(la.assigned, vec![2, 3]);
    assert_eq!(la.special_needs_over_seats, 1);
    assert_eq!(la.placed(), 5);
    // Without the rule, seats bind for everyone.
    policy.special_needs_near_home = false;
    let la = assign_level(
        &units,
        &d,
        &schools,
        Level::Primary,
        &policy,
        Travel::Straight,
    )
    .unwrap();
    assert_eq!(la.assigned, vec![1, 4]);
    assert_eq!(la.special_needs_over_seats, 0);
}

#[test]
fn special_needs_stay_within_reach() {
    let policy = Policy::standard(2023);
    // A day school 5 km away (beyond 3 km) and a boarding school 8 km away:
    // the special-needs student goes to the boarding school, the nearest
    // school that can take the unit, never beyond a day limit.
    let units = vec![unit("u", 5000.0, "t")];
    let mut b = school("B", 13000.0, SchoolKind::Primary, 0);
    b.boarding = true;
    let schools = vec![school("A", 0.0, SchoolKind::Primary, 10), b];
    let la = assign_level(
        &units,
        &demand(&[2], &[1]),
        &schools,
        Level::Primary,
        &policy,
        Travel::Straight,
    )
    .unwrap();
    assert_eq!(la.assigned, vec![0, 1]);
    assert_eq!(la.special_needs_over_seats, 1);
    assert_eq!(la.unplaced_by(Reason::CapacityShort), 1);
    // No school in reach at all: listed as unplaced, not sent 5 km.
    let la = assign_level(
        &units,
        &demand(&[2], &[1]),
        &schools[..1],
        Level::Primary,
        &policy,
        Travel::Straight,
    )
    .unwrap();
    assert_eq!(la.unplaced_by(Reason::NoSchoolInReach), 2);
}
