//! The OpenStreetMap extract of a Finnish town (ODbL, (c) OpenStreetMap
//! contributors): the `.osm.pbf` and the `roads.geojson` extracted from it
//! give the same graph and the same walking and driving distances.

use super::finland_town;
use catchment::io::read_roads;
use catchment::spatial::haversine_m;
use catchment::spatial::network::{Metric, Mode, RoadGraph, routes_to, unit_route};
use std::collections::HashMap;

/// An 8 x 8 lattice of points over the extract's roads.
fn homes(g: &RoadGraph) -> Vec<(f64, f64)> {
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for n in g.graph.node_weights() {
        x0 = x0.min(n.0);
        x1 = x1.max(n.0);
        y0 = y0.min(n.1);
        y1 = y1.max(n.1);
    }
    (0..64)
        .map(|i| {
            (
                x0 + (x1 - x0) * (0.5 + (i % 8) as f64) / 8.0,
                y0 + (y1 - y0) * (0.5 + (i / 8) as f64) / 8.0,
            )
        })
        .collect()
}

#[test]
fn pbf_and_geojson_give_the_same_graph_and_distances() {
    let a = RoadGraph::build(&read_roads(&finland_town("test.osm.pbf")).unwrap());
    let b = RoadGraph::build(&read_roads(&finland_town("roads.geojson")).unwrap());
    assert_eq!(a.node_count(), b.node_count());
    assert_eq!(a.pieces.len(), b.pieces.len());
    assert_eq!(a.component_count(), b.component_count());
    assert_eq!(a.joined_ends, b.joined_ends);
    let homes = homes(&b);
    // Three "schools" spread over the town.
    let schools = [homes[1], homes[homes.len() / 2], homes[homes.len() - 2]];
    for mode in [Mode::Walk, Mode::Drive] {
        for metric in [Metric::Metres, Metric::Seconds] {
            for s in schools {
                let (sa, sb) = (a.snap(s.0, s.1).unwrap(), b.snap(s.0, s.1).unwrap());
                let ra: HashMap<_, _> = routes_to(&a, &sa, mode, metric, f64::INFINITY)
                    .into_iter()
                    .collect();
                let rb: HashMap<_, _> = routes_to(&b, &sb, mode, metric, f64::INFINITY)
                    .into_iter()
                    .collect();
                for h in &homes {
                    let (ha, hb) = (a.snap(h.0, h.1).unwrap(), b.snap(h.0, h.1).unwrap());
                    let x = unit_route(&ha, |v| ra.get(&v).copied(), &sa, mode, metric);
                    let y = unit_route(&hb, |v| rb.get(&v).copied(), &sb, mode, metric);
                    match (x, y) {
                        (Some(x), Some(y)) => {
                            assert!(
                                (x.metres - y.metres).abs() < 1e-6,
                                "{mode:?} {metric:?}: {x:?} vs {y:?}"
                            );
                            assert!((x.cost - y.cost).abs() < 1e-6);
                            // Never shorter than the straight line.
                            assert!(x.metres + 1e-6 >= haversine_m(h.0, h.1, s.0, s.1));
                        }
                        (None, None) => {}
                        other => panic!("reachable in one and not the other: {other:?}"),
                    }
                }
            }
        }
    }
}
