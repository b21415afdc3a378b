//! The files of a plan, as bytes: the per-household tables, the school
//! table, the summary, and every level's zones and map. `plan` stages them
//! as its levels finish; the studio's save makes them from the state a
//! planner reached. No I/O: the caller writes them.

use super::notice::build_notice;
use super::pipeline::{draw_level, prepare};
use super::{Loaded, zone_clip, zone_facts};
use crate::assign::LevelAssignment;
use crate::io::results::{
    SummaryInput, assignment_csv, assignment_geojson, catchments_from_features, moves_csv,
    notice_csv, schools_csv, summary_json, zones_by_area_csv,
};
use crate::model::Unit;
use crate::render::notice::render_notice;
use crate::zones::geometry::Tiling;
use geo::MultiPolygon;

/// The per-household tables, the school table and the public notice of
/// solved levels, each handed to `add` (as published with --public when
/// `public_units` are given: pseudonyms, rounded points).
pub fn stage_tables(
    loaded: &Loaded,
    public_units: Option<&[Unit]>,
    levels: &[LevelAssignment],
    add: &dyn Fn(&str, Vec<u8>),
) {
    let (units, schools, policy) = (&loaded.units, &loaded.schools, &loaded.scenario.policy);
    let row_units: &[Unit] = public_units.unwrap_or(units);
    let public_levels = public_units
        .is_some()
        .then(|| crate::io::public::public_levels(levels));
    let row_levels = public_levels.as_deref().unwrap_or(levels);
    add(
        "assignment.csv",
        assignment_csv(row_units, schools, row_levels).into(),
    );
    add(
        "assignment.geojson",
        assignment_geojson(row_units, schools, row_levels).into(),
    );
    add("schools.csv", schools_csv(schools, levels, policy).into());
    if units
        .iter()
        .any(|u| u.town.is_some() || u.village.is_some())
    {
        add(
            "zones_by_area.csv",
            zones_by_area_csv(units, schools, levels).into(),
        );
    }
    if let Some(c) = &loaded.current {
        add(
            "moves.csv",
            moves_csv(row_units, schools, row_levels, c, &loaded.closed).into(),
        );
    }
    let notice = build_notice(loaded, levels, public_units);
    add("notice.csv", notice_csv(&notice).into());
    add("notice.html", render_notice(&notice).into());
}

/// summary.json of solved levels, their zones and how the zones tile.
pub fn summary(
    loaded: &Loaded,
    levels: &[LevelAssignment],
    tilings: &[Tiling],
    shapes: &[Vec<MultiPolygon<f64>>],
    stability: f64,
) -> String {
    summary_json(&SummaryInput {
        travel: if loaded.roads.is_some() {
            "road_network"
        } else {
            "straight_line_haversine"
        },
        roads: loaded.roads.as_ref().map(|g| {
            serde_json::json!({
                "nodes": g.node_count(),
                "pieces": g.pieces.len(),
                "components": g.component_count(),
                "joined_ends": g.joined_ends,
                "units_far_from_road": loaded.far_from_road.len(),
                "far_from_road_m": crate::spatial::network::SNAP_WARN_M,
            })
        }),
        name: loaded.scenario.name.as_deref(),
        synthetic: loaded.scenario.synthetic,
        policy: &loaded.scenario.policy,
        units: loaded.units.len(),
        schools: &loaded.schools,
        levels,
        without_residence: loaded.without_residence,
        outside_boundary: &loaded.outside_boundary,
        current: loaded.current.as_ref(),
        stability_m_per_student: if loaded.current.is_some() {
            stability
        } else {
            0.0
        },
        zones: Some(zone_facts(loaded, levels, tilings, shapes)),
    })
}

/// Every file `plan --out` writes for solved levels, but `timings.json`
/// (the caller knows its clock): the tables, the notice, `catchments.geojson`,
/// `summary.json` and each level's map, as (name, bytes) in the order
/// `plan` lists them.
pub fn plan_files(
    loaded: &Loaded,
    levels: &[LevelAssignment],
    stability: f64,
) -> Vec<(String, Vec<u8>)> {
    let files = std::sync::Mutex::new(Vec::new());
    let add = |name: &str, bytes: Vec<u8>| {
        files
            .lock()
            .expect("no thread panics holding it")
            .push((name.to_string(), bytes));
    };
    stage_tables(loaded, None, levels, &add);
    let clip = zone_clip(loaded);
    let sink = |name: String, bytes: Vec<u8>| add(&name, bytes);
    let drawn: Vec<_> = levels
        .iter()
        .map(|la| {
            draw_level(
                loaded,
                la.level,
                prepare(loaded, la),
                &clip,
                loaded.threads,
                &sink,
            )
        })
        .collect();
    let (mut shapes, mut tilings, mut features) = (Vec::new(), Vec::new(), Vec::new());
    for d in drawn {
        shapes.push(d.shapes);
        tilings.push(d.tiling);
        features.push(d.features);
    }
    add(
        "catchments.geojson",
        catchments_from_features(features).into(),
    );
    add(
        "summary.json",
        summary(loaded, levels, &tilings, &shapes, stability).into(),
    );
    files.into_inner().expect("no thread panics holding it")
}
