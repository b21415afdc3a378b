//! Assignment by road, on small networks built in memory: the unplaced
//! reason `no_road_connection`, walking vs driving on a one-way street,
//! limits in minutes.

use catchment::assign::{LevelDemand, Reason, Travel, assign_level};
use catchment::model::{
    Demand, Level, Oneway, PerLevel, Policy, RoadLine, School, SchoolKind, Sector, Unit,
};
use catchment::spatial::network::RoadGraph;

/// Metres east of (111.8, 38.9) as a longitude.
fn east(m: f64) -> f64 {
    111.8 + m / (6_371_008.8 * 38.9f64.to_radians().cos()) * 180.0 / std::f64::consts::PI
}

/// Metres north of 38.9 as a latitude.
fn north(m: f64) -> f64 {
    38.9 + m / 6_371_008.8 * 180.0 / std::f64::consts::PI
}

fn road(id: &str, pts: &[(f64, f64)], oneway: Oneway, kmh: f64) -> RoadLine {
    RoadLine {
        id: id.into(),
        coords: pts.iter().map(|&(x, y)| (east(x), north(y))).collect(),
        highway: Some("residential".into()),
        speed_kmh: Some(kmh),
        oneway,
    }
}

fn unit(id: &str, x: f64, y: f64) -> Unit {
    Unit {
        id: id.into(),
        lon: east(x),
        lat: north(y),
        town: None,
        village: None,
        demand: Demand::Direct {
            primary: 0,
            junior: 0,
        },
    }
}

fn school(id: &str, x: f64, y: f64, kind: SchoolKind) -> School {
    School {
        id: id.into(),
        name: id.into(),
        lon: east(x),
        lat: north(y),
        kind,
        sector: Sector::Public,
        boarding: false,
        serves: vec![],
        entry_classes: PerLevel::default(),
        capacity: PerLevel::both(100),
        class_size: PerLevel::default(),
        max_travel_m: PerLevel::default(),
    }
}

fn demand(n: usize) -> LevelDemand {
    LevelDemand {
        students: vec![1; n],
        special_needs: vec![0; n],
    }
}

#[test]
fn a_unit_on_a_road_piece_without_a_school_has_no_road_connection() {
    // Two separate streets 400 m apart; the school is on the first.
    let g = RoadGraph::build(&[
        road("a", &[(0.0, 0.0), (1000.0, 0.0)], Oneway::No, 30.0),
        road("b", &[(0.0, 400.0), (1000.0, 400.0)], Oneway::No, 30.0),
    ]);
    assert_eq!(g.component_count(), 2);
    let units = vec![unit("on_a", 800.0, 5.0), unit("on_b", 200.0, 395.0)];
    let schools = vec![school("S", 100.0, 0.0, SchoolKind::Primary)];
    let la = assign_level(
        &units,
        &demand(2),
        &schools,
        Level::Primary,
        &Policy::standard(2023),
        Travel::Roads(&g),
    )
    .unwrap();
    assert_eq!(la.placed(), 1);
    assert_eq!(la.unplaced_by(Reason::NoRoadConnection), 1);
    let p = la.placements.iter().find(|p| p.unit == 0).unwrap();
    // 5 m access + 700 m along the street.
    assert!((p.travel_m.unwrap() - 705.0).abs() < 0.5, "{p:?}");
}

#[test]
fn driving_obeys_one_way_streets_and_walking_does_not() {
    // A one-way street eastwards, and a long two-way detour (a loop of
    // 1000 + 2 x 500 + 1000 m). The school is at the west end.
    let g = RoadGraph::build(&[
        road(
            "oneway",
            &[(0.0, 0.0), (1000.0, 0.0)],
            Oneway::Forward,
            30.0,
        ),
        road(
            "detour",
            &[(1000.0, 0.0), (1000.0, 500.0), (0.0, 500.0), (0.0, 0.0)],
            Oneway::No,
            30.0,
        ),
    ]);
    let units = vec![unit("u", 1000.0, 0.0)];
    let schools = vec![school("S", 0.0, 0.0, SchoolKind::NineYear)];
    let p = Policy::standard(2023);
    // Primary pupils walk: straight back along the one-way street.
    let walk = assign_level(
        &units,
        &demand(1),
        &schools,
        Level::Primary,
        &p,
        Travel::Roads(&g),
    )
    .unwrap();
    assert!((walk.placements[0].travel_m.unwrap() - 1000.0).abs() < 0.5);
    // Junior pupils are driven: round the detour.
    let drive = assign_level(
        &units,
        &demand(1),
        &schools,
        Level::Junior,
        &p,
        Travel::Roads(&g),
    )
    .unwrap();
    assert!((drive.placements[0].travel_m.unwrap() - 2000.0).abs() < 0.5);
    let min = drive.placements[0].travel_min.unwrap();
    assert!((min - 2.0 / 30.0 * 60.0).abs() < 0.01, "{min}");
}

#[test]
fn limits_in_minutes() {
    // 2 km of street: 26.7 minutes on foot at 4.5 km/h.
    let g = RoadGraph::build(&[road("a", &[(0.0, 0.0), (2000.0, 0.0)], Oneway::No, 30.0)]);
    let units = vec![unit("u", 2000.0, 0.0)];
    let schools = vec![school("S", 0.0, 0.0, SchoolKind::Primary)];
    let mut p = Policy::standard(2023);
    p.max_travel_min_primary = Some(25.0);
    let la = assign_level(
        &units,
        &demand(1),
        &schools,
        Level::Primary,
        &p,
        Travel::Roads(&g),
    )
    .unwrap();
    assert_eq!(la.unplaced_by(Reason::NoSchoolInReach), 1);
    p.max_travel_min_primary = Some(30.0);
    let la = assign_level(
        &units,
        &demand(1),
        &schools,
        Level::Primary,
        &p,
        Travel::Roads(&g),
    )
    .unwrap();
    assert_eq!(la.placed(), 1);
    assert!((la.placements[0].travel_min.unwrap() - 26.67).abs() < 0.01);
}
