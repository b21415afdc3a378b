//! Laws of road travel on random networks: a route is never shorter than
//! the straight line, walking is never longer than driving in metres' worth
//! of freedom (driving obeys one-way streets), and the search is symmetric
//! in what it reaches for walking.

use catchment::model::{Oneway, RoadLine};
use catchment::spatial::haversine_m;
use catchment::spatial::network::{Metric, Mode, RoadGraph, routes_to, unit_route};
use proptest::prelude::*;
use std::collections::HashMap;

fn lines_strategy() -> impl Strategy<Value = Vec<RoadLine>> {
    prop::collection::vec(
        (
            prop::collection::vec((0.0f64..0.05, 0.0f64..0.05), 2..6),
            prop_oneof![
                Just(Oneway::No),
                Just(Oneway::Forward),
                Just(Oneway::Backward)
            ],
            10.0f64..80.0,
        ),
        1..25,
    )
    .prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (pts, oneway, kmh))| RoadLine {
                id: i.to_string(),
                // Snap vertices to a coarse lattice so lines share nodes.
                coords: pts
                    .into_iter()
                    .map(|(x, y)| {
                        (
                            111.8 + (x * 200.0).round() / 200.0,
                            38.9 + (y * 200.0).round() / 200.0,
                        )
                    })
                    .collect(),
                highway: None,
                speed_kmh: Some(kmh),
                oneway,
            })
            .filter(|l| l.coords.windows(2).any(|w| w[0] != w[1]))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn routes_are_never_shorter_than_the_straight_line(
        lines in lines_strategy(),
        pts in prop::collection::vec((0.0f64..0.05, 0.0f64..0.05), 2..8),
    ) {
        prop_assume!(!lines.is_empty());
        let g = RoadGraph::build(&lines);
        let pts: Vec<(f64, f64)> = pts.into_iter().map(|(x, y)| (111.8 + x, 38.9 + y)).collect();
        let school = pts[0];
        let ss = g.snap(school.0, school.1).unwrap();
        for mode in [Mode::Walk, Mode::Drive] {
            let at: HashMap<_, _> = routes_to(&g, &ss, mode, Metric::Metres, f64::INFINITY).into_iter().collect();
            for p in &pts[1..] {
                let us = g.snap(p.0, p.1).unwrap();
                if let Some(r) = unit_route(&us, |v| at.get(&v).copied(), &ss, mode, Metric::Metres) {
                    let line = haversine_m(p.0, p.1, school.0, school.1);
                    prop_assert!(r.metres + 1e-6 >= line, "{mode:?}: route {} < line {}", r.metres, line);
                    prop_assert!((r.cost - r.metres).abs() < 1e-6);
                }
            }
        }
        // Walking ignores one-way streets, so it reaches at least as far
        // and never takes longer than driving in metres.
        let walk: HashMap<_, _> = routes_to(&g, &ss, Mode::Walk, Metric::Metres, f64::INFINITY).into_iter().collect();
        let drive: HashMap<_, _> = routes_to(&g, &ss, Mode::Drive, Metric::Metres, f64::INFINITY).into_iter().collect();
        for (v, d) in &drive {
            prop_assert!(walk[v].metres <= d.metres + 1e-6);
        }
    }
}
