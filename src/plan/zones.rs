//! The zones a plan draws: the area they tile, each school's catchment
//! polygons, the facts about them for the summary, and a level's map.

use super::Loaded;
use crate::assign::LevelAssignment;
use crate::model::Level;
use crate::render::map::SchoolStatus;
use crate::render::{MapInput, MapSchool, MapUnit};
use crate::zones::geometry::{Tiling, ZoneLookup, default_clip, zone_polygons};
use geo::MultiPolygon;
use serde_json::json;

/// The area zones tile: the boundary, or a box around units and schools.
pub fn zone_clip(loaded: &Loaded) -> MultiPolygon<f64> {
    match &loaded.boundary {
        Some(b) => b.clone(),
        None => {
            let pts: Vec<(f64, f64)> = loaded
                .units
                .iter()
                .map(|u| (u.lon, u.lat))
                .chain(loaded.schools.iter().map(|s| (s.lon, s.lat)))
                .collect();
            default_clip(&pts)
        }
    }
}

/// Catchment polygons per level (index as `levels`), per school.
pub fn zone_shapes(
    loaded: &Loaded,
    levels: &[LevelAssignment],
    clip: &MultiPolygon<f64>,
) -> Vec<Vec<MultiPolygon<f64>>> {
    let pts = loaded.points();
    super::par_map(loaded.threads, levels, |la| {
        zone_polygons(&pts, &la.zone_labels(pts.len()), loaded.schools.len(), clip)
    })
}

/// Each unit's label on a map: its zone's school `j` (as
/// `zone_labels`), or `n + j` (`n` = the scenario's schools) when that
/// school's students there board ([`super::boards`]); `None` when no
/// student of the level boards (the map's zones are the catchments).
pub fn map_labels(loaded: &Loaded, la: &LevelAssignment) -> Option<Vec<Option<usize>>> {
    let n = loaded.schools.len();
    let day_limit = loaded.scenario.policy.max_travel_m(la.level);
    let mut labels = la.zone_labels(loaded.units.len());
    let mut any = false;
    for p in &la.placements {
        if let Some(j) = p.school
            && labels[p.unit] == Some(j)
            && super::boards(&loaded.schools[j], p.travel_m, day_limit)
        {
            labels[p.unit] = Some(n + j);
            any = true;
        }
    }
    any.then_some(labels)
}

/// The zones a level's map draws, per level (index as `levels`): as
/// [`zone_shapes`] when no student boards; else `2 n` shapes, school `j`'s
/// day pupils' zone at `j` and its boarding pupils' home area at `n + j`
/// (see [`map_input`]). For maps only: catchments.geojson keeps the zones
/// that tile the boundary.
pub fn map_shapes(
    loaded: &Loaded,
    levels: &[LevelAssignment],
    clip: &MultiPolygon<f64>,
) -> Vec<Vec<MultiPolygon<f64>>> {
    let pts = loaded.points();
    let n = loaded.schools.len();
    super::par_map(loaded.threads, levels, |la| match map_labels(loaded, la) {
        Some(labels) => zone_polygons(&pts, &labels, 2 * n, clip),
        None => zone_polygons(&pts, &la.zone_labels(pts.len()), n, clip),
    })
}

/// Zone facts for summary.json: tiling of the clip area and enclaves.
pub fn zone_facts(
    loaded: &Loaded,
    levels: &[LevelAssignment],
    tilings: &[Tiling],
    shapes: &[Vec<MultiPolygon<f64>>],
) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    for ((la, zs), t) in levels.iter().zip(shapes).zip(tilings) {
        let enclaves: Vec<serde_json::Value> = la
            .enclaves
            .iter()
            .map(|e| {
                json!({
                    "school_id": loaded.schools[e.school].id,
                    "units": e.units.iter().map(|&i| loaded.units[i].id.clone()).collect::<Vec<_>>(),
                    "students": e.students,
                    "why": e.why.as_str(),
                })
            })
            .collect();
        m.insert(
            la.level.as_str().to_string(),
            json!({
                "clip": if loaded.boundary.is_some() { "boundary" } else { "box_around_units_and_schools" },
                "clip_km2": (t.clip_m2 / 1e4).round() / 100.0,
                "zones_km2": (t.zones_m2 / 1e4).round() / 100.0,
                "area_difference_fraction": if t.clip_m2 > 0.0 { ((t.zones_m2 - t.clip_m2) / t.clip_m2 * 1e6).round() / 1e6 } else { 0.0 },
                "max_pair_overlap_m2": t.max_pair_overlap_m2.round(),
                "zones": zs.iter().filter(|z| !z.0.is_empty()).count(),
                "enclaves": enclaves,
            }),
        );
    }
    serde_json::Value::Object(m)
}

/// A level's map: boundary, roads, schools (seats, assigned), units by
/// school (boarding pupils apart), and the zones given: one per school
/// ([`zone_shapes`]), or two ([`map_shapes`]: the day pupils' zone, then
/// after every school's, the boarding pupils' home areas).
pub fn map_input<'a>(
    loaded: &'a Loaded,
    la: &LevelAssignment,
    zones: &'a [MultiPolygon<f64>],
) -> MapInput<'a> {
    let policy = &loaded.scenario.policy;
    let (level_zh, level_en) = match la.level {
        Level::Primary => ("小学", "primary"),
        Level::Junior => ("初中", "junior middle"),
    };
    // Schools that take catchment at this level, in input order.
    let idx: Vec<usize> = (0..loaded.schools.len())
        .filter(|&j| loaded.schools[j].takes_catchment(la.level))
        .collect();
    let pos = |j: usize| idx.iter().position(|&k| k == j);
    let schools = idx
        .iter()
        .enumerate()
        .map(|(k, &j)| {
            let s = &loaded.schools[j];
            MapSchool {
                id: s.id.clone(),
                colour: k,
                status: SchoolStatus::Open,
                lon: s.lon,
                lat: s.lat,
                name: s.name.clone(),
                seats: la.seats[j],
                assigned: la.assigned[j],
                boarding: s.boarding,
            }
        })
        .collect();
    let units = la
        .placements
        .iter()
        .map(|p| MapUnit {
            lon: loaded.units[p.unit].lon,
            lat: loaded.units[p.unit].lat,
            school: p.school.and_then(pos),
            students: p.students,
            boarding: p.school.is_some_and(|j| {
                super::boards(
                    &loaded.schools[j],
                    p.travel_m,
                    policy.max_travel_m(la.level),
                )
            }),
        })
        .collect();
    let name = loaded.scenario.name.clone().unwrap_or_default();
    let placed = la.placed();
    MapInput {
        title: format!(
            "{name} {level_zh}入学划片 {} ({level_en} catchments)",
            policy.entry_year
        )
        .trim()
        .to_string(),
        subtitle: format!(
            "入学年份 entry year {} | 出生截止 born by {}-{} | 学生 students {} | 已安置 placed {} | {}",
            policy.entry_year,
            policy.entry_year - policy.entry_age_of(la.level) as i32,
            policy.cutoff,
            la.students,
            placed,
            if loaded.roads.is_some() {
                "道路距离 road travel"
            } else {
                "直线距离 straight-line travel"
            }
        ),
        date_note: format!(
            "数据日期 census {} · 入学 entry {}",
            policy.census_date(),
            policy.entry_year
        ),
        synthetic: loaded.scenario.synthetic,
        boundary: loaded.boundary.as_ref(),
        schools,
        units,
        roads: loaded
            .roads
            .as_ref()
            .map(|g| {
                g.pieces
                    .iter()
                    .map(|&(a, b)| [g.graph[a], g.graph[b]])
                    .collect()
            })
            .unwrap_or_default(),
        zones: map_zones(loaded, la.level, zones),
        boarding_areas: map_boarding_areas(loaded, la.level, zones),
        gap: None,
        legend_outside: false,
    }
}

/// A map's zones: (index among the schools that take catchment at `level`,
/// zone) for each school with a zone.
pub fn map_zones<'a>(
    loaded: &Loaded,
    level: Level,
    zones: &'a [MultiPolygon<f64>],
) -> Vec<(usize, &'a MultiPolygon<f64>)> {
    (0..loaded.schools.len())
        .filter(|&j| loaded.schools[j].takes_catchment(level))
        .enumerate()
        .filter(|&(_, j)| zones.get(j).is_some_and(|z| !z.0.is_empty()))
        .map(|(k, j)| (k, &zones[j]))
        .collect()
}

/// A map's boarding pupils' home areas: (index among the schools that take
/// catchment at `level`, area) from the second half of [`map_shapes`]'s
/// zones; none from [`zone_shapes`]'.
pub fn map_boarding_areas<'a>(
    loaded: &Loaded,
    level: Level,
    zones: &'a [MultiPolygon<f64>],
) -> Vec<(usize, &'a MultiPolygon<f64>)> {
    let n = loaded.schools.len();
    if zones.len() < 2 * n {
        return Vec::new();
    }
    map_zones(loaded, level, &zones[n..])
}

/// Each unit's catchment school at a level: the school holding most of its
/// students (ties: lower index); for a unit with no student of the planned
/// cohort, the zone it lies in (the school of the nearest unit placed, as
/// the catchment polygons draw it); `None` if its students are unplaced.
pub fn unit_catchments(loaded: &Loaded, la: &LevelAssignment) -> Vec<Option<usize>> {
    let n = loaded.units.len();
    let labels = la.zone_labels(n);
    let pts = loaded.points();
    let lookup = ZoneLookup::new(&pts, &labels);
    let demand = &loaded.demand[la.level.index()].students;
    (0..n)
        .map(|i| {
            if demand[i] > 0 {
                labels[i]
            } else {
                lookup.label_at(pts[i].0, pts[i].1)
            }
        })
        .collect()
}
