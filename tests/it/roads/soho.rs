//! Street distances on John Snow's Soho map (real data, BSD-3; see
//! tests/fixtures/snow_soho/ATTRIBUTION.md): every house to every pump,
//! checked against an independent computation (tools/roads_reference.py,
//! networkx), within 1 m; and the street is never shorter than the line.

use super::soho;
use crate::common::read_json;
use catchment::model::{Oneway, RoadLine};
use catchment::spatial::haversine_m;
use catchment::spatial::network::{Metric, Mode, RoadGraph, routes_to, unit_route};
use serde_json::Value;
use std::collections::HashMap;

fn points(v: &Value) -> Vec<(f64, f64)> {
    v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let c = &f["geometry"]["coordinates"];
            (c[0].as_f64().unwrap(), c[1].as_f64().unwrap())
        })
        .collect()
}

fn streets() -> Vec<RoadLine> {
    read_json(&soho("Soho_Network.geojson"))["features"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, f)| RoadLine {
            id: i.to_string(),
            coords: f["geometry"]["coordinates"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| (c[0].as_f64().unwrap(), c[1].as_f64().unwrap()))
                .collect(),
            highway: None,
            speed_kmh: None,
            oneway: Oneway::No,
        })
        .collect()
}

#[test]
fn soho_streets_are_noded_into_one_network() {
    let g = RoadGraph::build(&streets());
    assert_eq!(g.joined_ends, 107);
    assert_eq!(g.component_count(), 1);
    assert_eq!(g.node_count(), 326);
}

#[test]
fn every_house_to_every_pump_matches_the_reference() {
    let g = RoadGraph::build(&streets());
    let houses = points(&read_json(&soho("SohoPeople.geojson")));
    let pumps = points(&read_json(&soho("SohoWater.geojson")));
    let csv = std::fs::read_to_string(soho("expected_all_pumps.csv")).unwrap();
    let mut want: HashMap<(usize, usize), f64> = HashMap::new();
    for l in csv.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        want.insert(
            (f[0].parse().unwrap(), f[1].parse().unwrap()),
            f[2].parse().unwrap(),
        );
    }
    assert_eq!(want.len(), houses.len() * pumps.len());
    let mut nearest: Vec<(f64, usize)> = vec![(f64::INFINITY, 0); houses.len()];
    let mut worst = 0.0f64;
    for (j, p) in pumps.iter().enumerate() {
        let ps = g.snap(p.0, p.1).unwrap();
        let reached = routes_to(&g, &ps, Mode::Walk, Metric::Metres, f64::INFINITY);
        let at: HashMap<_, _> = reached.into_iter().collect();
        for (i, h) in houses.iter().enumerate() {
            let hs = g.snap(h.0, h.1).unwrap();
            let r = unit_route(
                &hs,
                |v| at.get(&v).copied(),
                &ps,
                Mode::Walk,
                Metric::Metres,
            )
            .unwrap();
            let straight = haversine_m(h.0, h.1, p.0, p.1);
            assert!(
                r.metres + 1e-6 >= straight,
                "house {i} pump {j}: street {} < line {straight}",
                r.metres
            );
            let d = (r.metres - want[&(i, j)]).abs();
            worst = worst.max(d);
            assert!(
                d <= 1.0,
                "house {i} pump {j}: ours {} reference {}",
                r.metres,
                want[&(i, j)]
            );
            if r.metres < nearest[i].0 {
                nearest[i] = (r.metres, j);
            }
        }
    }
    let csv = std::fs::read_to_string(soho("expected_nearest_pump.csv")).unwrap();
    for l in csv.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        let (i, j): (usize, usize) = (f[0].parse().unwrap(), f[1].parse().unwrap());
        assert_eq!(nearest[i].1, j, "house {i}");
    }
    eprintln!("largest difference from the reference: {worst:.4} m");
}
