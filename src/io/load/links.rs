//! Today's zones and a planner's pins, linked to the units and schools they
//! name: each unit's current and pinned school per level, or located errors.

use crate::assign::LevelDemand;
use crate::io::{CurrentZone, InputError, InputErrors, PinRow};
use crate::model::{Level, School, Sector, Unit};
use crate::plan::SchoolOfUnit;
use geo::{BoundingRect, Contains, Intersects, Point};
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};
use std::collections::HashMap;

/// The households and schools files, named in messages about the ids
/// other files refer to.
pub(super) struct Names {
    pub households: String,
    pub schools: String,
}

/// Ids of the first few units, for a warning line.
fn first_ids(units: &[Unit], which: &[usize]) -> String {
    let mut s: Vec<&str> = which
        .iter()
        .take(5)
        .map(|&i| units[i].id.as_str())
        .collect();
    if which.len() > 5 {
        s.push("...");
    }
    s.join(", ")
}

/// The school of `id` as a catchment school: known, and public.
fn catchment_school<'a>(
    id: &str,
    by_id: &HashMap<&str, usize>,
    schools: &'a [School],
    file: &str,
    at: &str,
    names: &Names,
) -> Result<(usize, &'a School), InputError> {
    let err =
        |exp: String, found: String| InputError::new(file, exp, found).at(at).field("school_id");
    let Some(&j) = by_id.get(id) else {
        return Err(err(
            format!("an id in {}", names.schools),
            format!("\"{id}\""),
        ));
    };
    let s = &schools[j];
    if s.sector == Sector::Private {
        return Err(err(
            "a public school (private schools take no catchment: they admit by application)".into(),
            format!("\"{id}\" ({}, private)", s.name),
        ));
    }
    Ok((j, s))
}

/// Today's school of every unit, per level: the school of the current zone
/// that holds the unit's point. A unit in zones of two schools at one level
/// takes the zone listed first; a point on a zone's edge counts as in it
/// when no zone holds it strictly. Returns warnings (overlaps, units with
/// students outside every zone of their level) for stderr.
pub(super) fn current_schools(
    zones: &[CurrentZone],
    units: &[Unit],
    schools: &[School],
    demand: &[LevelDemand; 2],
    file: &str,
    names: &Names,
) -> Result<(SchoolOfUnit, Vec<String>), InputErrors> {
    let by_id: HashMap<&str, usize> = schools
        .iter()
        .enumerate()
        .map(|(j, s)| (s.id.as_str(), j))
        .collect();
    let mut errs = InputErrors::default();
    // Per zone: its school and the levels it applies to.
    let mut applies: Vec<(usize, [bool; 2])> = Vec::with_capacity(zones.len());
    for z in zones {
        let at = z.at();
        let (j, s) = match catchment_school(&z.school_id, &by_id, schools, file, &at, names) {
            Ok(x) => x,
            Err(e) => {
                errs.push(e);
                continue;
            }
        };
        let levels = match z.level {
            Some(l) if !s.kind.serves(l) => {
                let taught: Vec<&str> = Level::ALL
                    .into_iter()
                    .filter(|&x| s.kind.serves(x))
                    .map(Level::as_str)
                    .collect();
                errs.push(
                    InputError::new(
                        file,
                        format!(
                            "a level school \"{}\" teaches ({}; it is a {} school in {})",
                            s.id,
                            taught.join(", "),
                            s.kind.as_str(),
                            names.schools
                        ),
                        format!("\"{}\"", l.as_str()),
                    )
                    .at(at)
                    .field("level"),
                );
                continue;
            }
            Some(l) => Level::ALL.map(|x| x == l),
            None => Level::ALL.map(|x| s.takes_catchment(x)),
        };
        applies.push((j, levels));
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    // Bounding boxes first: a unit is tested against the few zones whose
    // box holds it, not against every vertex of every zone.
    let tree = RTree::bulk_load(
        zones
            .iter()
            .enumerate()
            .filter_map(|(k, z)| {
                let r = z.area.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    k,
                ))
            })
            .collect(),
    );
    let mut current: SchoolOfUnit = [vec![None; units.len()], vec![None; units.len()]];
    let mut overlap: Vec<usize> = Vec::new();
    let mut candidates: Vec<usize> = Vec::new();
    for (i, u) in units.iter().enumerate() {
        let p = Point::new(u.lon, u.lat);
        candidates.clear();
        candidates.extend(tree.locate_all_at_point(&[u.lon, u.lat]).map(|g| g.data));
        if candidates.is_empty() {
            continue;
        }
        candidates.sort_unstable();
        let inside: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|&k| zones[k].area.contains(&p))
            .collect();
        let mut overlaps = false;
        for level in Level::ALL {
            let l = level.index();
            let mut of_level = inside.iter().filter(|&&k| applies[k].1[l]);
            if let Some(&k) = of_level.next() {
                let first = applies[k].0;
                current[l][i] = Some(first);
                overlaps |= of_level.any(|&k| applies[k].0 != first);
            } else {
                current[l][i] = candidates
                    .iter()
                    .find(|&&k| applies[k].1[l] && zones[k].area.intersects(&p))
                    .map(|&k| applies[k].0);
            }
        }
        if overlaps {
            overlap.push(i);
        }
    }
    let mut warnings = Vec::new();
    if !overlap.is_empty() {
        warnings.push(format!(
            "{} units lie in the current zones of two schools at one level in {file}; \
             the zone listed first in the file is taken: {}",
            overlap.len(),
            first_ids(units, &overlap)
        ));
    }
    for level in Level::ALL {
        let l = level.index();
        let outside: Vec<usize> = (0..units.len())
            .filter(|&i| demand[l].students.get(i).is_some_and(|&n| n > 0))
            .filter(|&i| current[l][i].is_none())
            .collect();
        if !outside.is_empty() {
            warnings.push(format!(
                "{} units with {} students lie in no current {} zone of {file} (no current school): {}",
                outside.len(),
                level.as_str(),
                level.as_str(),
                first_ids(units, &outside)
            ));
        }
    }
    Ok((current, warnings))
}

/// The pinned school of every unit, per level: a row pins its unit at its
/// `level`, else at every level its school takes catchment at.
pub(super) fn pinned_schools(
    rows: &[PinRow],
    units: &[Unit],
    schools: &[School],
    file: &str,
    names: &Names,
) -> Result<SchoolOfUnit, InputErrors> {
    let units_by_id: HashMap<&str, usize> = units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.id.as_str(), i))
        .collect();
    let by_id: HashMap<&str, usize> = schools
        .iter()
        .enumerate()
        .map(|(j, s)| (s.id.as_str(), j))
        .collect();
    let mut errs = InputErrors::default();
    let mut pins: SchoolOfUnit = [vec![None; units.len()], vec![None; units.len()]];
    // The line that pinned each unit, per level.
    let mut lines: [Vec<usize>; 2] = [vec![0; units.len()], vec![0; units.len()]];
    for r in rows {
        let at = format!("line {}", r.line);
        let unit = units_by_id.get(r.unit_id.as_str()).copied();
        if unit.is_none() {
            errs.push(
                InputError::new(
                    file,
                    format!("an id in {}", names.households),
                    format!("\"{}\"", r.unit_id),
                )
                .at(&at)
                .field("unit_id"),
            );
        }
        let school = catchment_school(&r.school_id, &by_id, schools, file, &at, names)
            .map_err(|e| errs.push(e))
            .ok();
        let (Some(i), Some((j, s))) = (unit, school) else {
            continue;
        };
        let levels: Vec<Level> = match r.level {
            Some(l) if s.takes_catchment(l) => vec![l],
            Some(l) => {
                errs.push(
                    InputError::new(
                        file,
                        format!("a school that takes {} students", l.as_str()),
                        format!("\"{}\" at level {}", r.school_id, l.as_str()),
                    )
                    .at(&at)
                    .field("level"),
                );
                continue;
            }
            None => Level::ALL
                .into_iter()
                .filter(|&l| s.takes_catchment(l))
                .collect(),
        };
        let clash: Vec<Level> = levels
            .iter()
            .copied()
            .filter(|l| pins[l.index()][i].is_some())
            .collect();
        if let Some(first) = clash.first() {
            let l = first.index();
            let before = pins[l][i].map_or("", |k| schools[k].id.as_str());
            errs.push(
                InputError::new(
                    file,
                    "each unit pinned once per level",
                    format!(
                        "\"{}\" again at {} (line {} pins it to \"{before}\")",
                        r.unit_id,
                        clash
                            .iter()
                            .map(|l| l.as_str())
                            .collect::<Vec<_>>()
                            .join(" and "),
                        lines[l][i]
                    ),
                )
                .at(&at)
                .field("unit_id"),
            );
            continue;
        }
        for l in levels {
            pins[l.index()][i] = Some(j);
            lines[l.index()][i] = r.line;
        }
    }
    errs.into_result(pins)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Demand, PerLevel, SchoolKind};
    use geo::{LineString, MultiPolygon, Polygon};

    fn unit(id: &str, lon: f64, lat: f64) -> Unit {
        Unit {
            id: id.into(),
            lon,
            lat,
            town: None,
            village: None,
            demand: Demand::Direct {
                primary: 1,
                junior: 1,
            },
        }
    }

    fn school(id: &str, kind: SchoolKind, sector: Sector) -> School {
        School {
            id: id.into(),
            name: id.into(),
            lon: 0.0,
            lat: 0.0,
            kind,
            sector,
            boarding: false,
            serves: vec![],
            entry_classes: PerLevel::both(1),
            capacity: PerLevel::default(),
            class_size: PerLevel::default(),
            max_travel_m: PerLevel::default(),
        }
    }

    fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![Polygon::new(
            LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
            vec![],
        )])
    }

    fn zone(
        index: usize,
        school_id: &str,
        level: Option<Level>,
        area: MultiPolygon<f64>,
    ) -> CurrentZone {
        CurrentZone {
            index,
            id: Some(format!("Z{index}")),
            school_id: school_id.into(),
            level,
            area,
        }
    }

    fn names() -> Names {
        Names {
            households: "hh.geojson".into(),
            schools: "schools.geojson".into(),
        }
    }

    fn demand(n: usize) -> [LevelDemand; 2] {
        [0, 1].map(|_| LevelDemand {
            students: vec![1; n],
            ..Default::default()
        })
    }

    fn schools() -> Vec<School> {
        vec![
            school("P1", SchoolKind::Primary, Sector::Public),
            school("N1", SchoolKind::NineYear, Sector::Public),
            school("J1", SchoolKind::Junior, Sector::Public),
            school("R1", SchoolKind::Junior, Sector::Private),
        ]
    }

    #[test]
    fn zones_apply_to_their_level_or_every_level_taken() {
        let units = vec![
            unit("A", 0.5, 0.5),
            unit("B", 1.5, 0.5),
            unit("C", 1.0, 0.25), // on the edge of both squares
            unit("D", 5.0, 5.0),  // in no zone
        ];
        let zones = vec![
            zone(0, "P1", None, square(0.0, 0.0, 1.0, 1.0)),
            zone(1, "N1", None, square(1.0, 0.0, 2.0, 1.0)),
            zone(2, "J1", Some(Level::Junior), square(0.0, 0.0, 1.0, 1.0)),
        ];
        let (c, w) =
            current_schools(&zones, &units, &schools(), &demand(4), "cur", &names()).expect("ok");
        // Primary: P1 west, N1 east; junior: J1 west, N1 east.
        assert_eq!(c[0], vec![Some(0), Some(1), Some(0), None]);
        assert_eq!(c[1], vec![Some(2), Some(1), Some(1), None]);
        // C on the shared edge goes to the first zone listed that touches
        // it at the level, with no overlap warning.
        assert_eq!(w.len(), 2, "{w:#?}");
        assert!(
            w[0].starts_with("1 units with primary students lie in no current primary zone of cur")
        );
        assert!(w[0].ends_with(": D"), "{}", w[0]);
        assert!(w[1].contains("junior"), "{}", w[1]);
    }

    #[test]
    fn overlapping_zones_of_two_schools_take_the_first_and_warn_once() {
        let units: Vec<Unit> = (0..7).map(|i| unit(&format!("U{i}"), 0.5, 0.5)).collect();
        let zones = vec![
            zone(0, "N1", Some(Level::Primary), square(0.0, 0.0, 1.0, 1.0)),
            zone(1, "P1", None, square(0.0, 0.0, 2.0, 2.0)),
            // Two zones of one school overlapping is no conflict.
            zone(2, "J1", None, square(0.0, 0.0, 1.0, 1.0)),
            zone(3, "J1", None, square(0.0, 0.0, 2.0, 2.0)),
        ];
        let (c, w) =
            current_schools(&zones, &units, &schools(), &demand(7), "cur", &names()).expect("ok");
        assert!(c[0].iter().all(|&s| s == Some(1)));
        assert!(c[1].iter().all(|&s| s == Some(2)));
        assert_eq!(w.len(), 1, "{w:#?}");
        assert!(
            w[0].starts_with("7 units lie in the current zones of two schools"),
            "{}",
            w[0]
        );
        assert!(w[0].ends_with(": U0, U1, U2, U3, U4, ..."), "{}", w[0]);
    }

    #[test]
    fn zones_of_unknown_private_or_wrong_level_schools_are_errors() {
        let units = vec![unit("A", 0.5, 0.5)];
        let sq = || square(0.0, 0.0, 1.0, 1.0);
        let zones = vec![
            zone(0, "P9", None, sq()),
            zone(1, "R1", None, sq()),
            zone(2, "P1", Some(Level::Junior), sq()),
            zone(3, "N1", Some(Level::Junior), sq()),
        ];
        let e = current_schools(&zones, &units, &schools(), &demand(1), "cur", &names())
            .expect_err("errors");
        let msgs: Vec<String> = e.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            msgs,
            vec![
                "cur: feature 0 (id \"Z0\"): field `school_id`: expected an id in schools.geojson, found \"P9\"",
                "cur: feature 1 (id \"Z1\"): field `school_id`: expected a public school (private \
                 schools take no catchment: they admit by application), found \"R1\" (R1, private)",
                "cur: feature 2 (id \"Z2\"): field `level`: expected a level school \"P1\" teaches \
                 (primary; it is a primary school in schools.geojson), found \"junior\"",
            ]
        );
    }

    #[test]
    fn pins_cover_the_levels_their_school_takes() {
        let units = vec![
            unit("A", 0.0, 0.0),
            unit("B", 0.0, 0.0),
            unit("C", 0.0, 0.0),
        ];
        let row = |line: usize, u: &str, s: &str| PinRow {
            line,
            unit_id: u.into(),
            school_id: s.into(),
            level: None,
        };
        let p = pinned_schools(
            &[
                row(2, "A", "N1"),
                row(3, "B", "P1"),
                row(4, "C", "P1"),
                row(5, "C", "J1"),
            ],
            &units,
            &schools(),
            "pins.csv",
            &names(),
        )
        .expect("ok");
        assert_eq!(p[0], vec![Some(1), Some(0), Some(0)]);
        assert_eq!(p[1], vec![Some(1), None, Some(2)]);
        let e = pinned_schools(
            &[
                row(2, "A", "N1"),
                row(3, "Z", "P1"),
                row(4, "B", "R1"),
                row(5, "A", "J1"),
                row(6, "Y", "Q"),
            ],
            &units,
            &schools(),
            "pins.csv",
            &names(),
        )
        .expect_err("errors");
        let msgs: Vec<String> = e.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            msgs,
            vec![
                "pins.csv: line 3: field `unit_id`: expected an id in hh.geojson, found \"Z\"",
                "pins.csv: line 4: field `school_id`: expected a public school (private schools \
                 take no catchment: they admit by application), found \"R1\" (R1, private)",
                "pins.csv: line 5: field `unit_id`: expected each unit pinned once per level, \
                 found \"A\" again at junior (line 2 pins it to \"N1\")",
                "pins.csv: line 6: field `unit_id`: expected an id in hh.geojson, found \"Y\"",
                "pins.csv: line 6: field `school_id`: expected an id in schools.geojson, found \"Q\"",
            ]
        );
    }

    #[test]
    fn a_pin_with_a_level_pins_that_level_only() {
        let units = vec![unit("A", 0.0, 0.0), unit("B", 0.0, 0.0)];
        let row = |line: usize, u: &str, s: &str, level| PinRow {
            line,
            unit_id: u.into(),
            school_id: s.into(),
            level,
        };
        let p = pinned_schools(
            &[
                row(2, "A", "N1", Some(Level::Junior)),
                row(3, "A", "P1", Some(Level::Primary)),
            ],
            &units,
            &schools(),
            "pins.csv",
            &names(),
        )
        .expect("ok");
        assert_eq!(p[0], vec![Some(0), None]);
        assert_eq!(p[1], vec![Some(1), None]);
        let e = pinned_schools(
            &[row(2, "B", "P1", Some(Level::Junior))],
            &units,
            &schools(),
            "pins.csv",
            &names(),
        )
        .expect_err("a primary school at junior");
        assert_eq!(
            e.errors[0].to_string(),
            "pins.csv: line 2: field `level`: expected a school that takes junior students, \
             found \"P1\" at level junior"
        );
    }

    /// 10,000 units in 50 zones of 1,000 vertices each: every unit finds
    /// the zone it was placed in (timed by hand in release: see the report).
    #[test]
    fn many_units_in_many_detailed_zones() {
        // 50 wavy-edged cells in a 10 x 5 grid of 0.1 degree.
        let cell = |cx: usize, cy: usize| -> MultiPolygon<f64> {
            let (x0, y0) = (cx as f64 * 0.1, cy as f64 * 0.1);
            let mut pts = Vec::with_capacity(1001);
            for side in 0..4 {
                for k in 0..250 {
                    let t = k as f64 / 250.0 * 0.1;
                    let wob = 0.001 * (k as f64 * 0.7).sin();
                    pts.push(match side {
                        0 => (x0 + t, y0 + 0.001 + wob),
                        1 => (x0 + 0.099 + wob, y0 + t),
                        2 => (x0 + 0.1 - t, y0 + 0.099 + wob),
                        _ => (x0 + 0.001 + wob, y0 + 0.1 - t),
                    });
                }
            }
            pts.push(pts[0]);
            MultiPolygon(vec![Polygon::new(LineString::from(pts), vec![])])
        };
        let zones: Vec<CurrentZone> = (0..50)
            .map(|k| zone(k, &format!("P{k}"), None, cell(k % 10, k / 10)))
            .collect();
        let units: Vec<Unit> = (0..10_000)
            .map(|i| {
                let k = i % 50;
                let (fx, fy) = ((i / 50 % 10) as f64, (i / 500) as f64);
                let lon = (k % 10) as f64 * 0.1 + 0.01 + fx * 0.008;
                let lat = (k / 10) as f64 * 0.1 + 0.01 + fy * 0.004;
                unit(&format!("U{i}"), lon, lat)
            })
            .collect();
        let schools: Vec<School> = (0..50)
            .map(|k| school(&format!("P{k}"), SchoolKind::Primary, Sector::Public))
            .collect();
        let start = std::time::Instant::now();
        let (c, w) = current_schools(&zones, &units, &schools, &demand(10_000), "cur", &names())
            .expect("ok");
        let took = start.elapsed();
        assert!((0..10_000).all(|i| c[0][i] == Some(i % 50)));
        assert!(c[1].iter().all(Option::is_none));
        assert!(w.iter().all(|w| !w.contains("two schools")), "{w:?}");
        eprintln!("10,000 units x 50 zones of 1,000 vertices: {took:?}");
    }
}
