//! `catchment locate LON LAT`: which school a point is zoned for, per level,
//! and why: the household or block whose catchment cell holds the point,
//! its travel to the school it was given, the nearer schools it was not
//! given and the reason for each (full, beyond the travel limit, wrong
//! level, private, ...), and which seats bind.
//!
//! The plan is solved as `plan` solves the scenario; the explanation reads
//! the solved assignment, it never re-decides it (`plan::locate`, pure);
//! `run` reads the inputs and prints.

use super::CliError;
use super::inputs::{InputArgs, load};
use crate::io::InputError;
use crate::io::table::{Column, Spec, read_table};
use crate::plan::locate::{Query, Solved, explain, to_json, to_text};
use crate::plan::{PlanSettings, problems, solve_levels, zone_clip, zone_shapes};
use clap::Args;
use std::path::PathBuf;

pub const ABOUT: &str =
    "Explain which school a point is zoned for, and why (travel, nearer schools, seats)";

pub const AFTER_HELP: &str = "\
Examples:
  catchment locate 111.8741 38.9233                  # a point in the bundled Wuzhai example
  catchment locate 111.8741 38.9233 --config county/scenario.toml
  catchment locate --points addresses.csv --json     # id,lon,lat rows; one JSON object per line

For each level (primary, junior) it prints the school whose catchment polygon holds the
point, the household or block (unit) whose cell that is, the unit's travel to its school,
and every school nearer to the unit that it was not given, with the reason:
  full          the school's seats are all taken (its capacity binds)
  beyond_limit  farther than the school's travel limit by the travel measure used
  not_served    a boarding school that takes this town only within the day limit
  no_road       no road links the unit to the school
  level         the school does not teach this level
  private       a private school: admission by application and lottery, no catchment
  pinned        the planner pinned the unit to its school (pins.csv)
  stability     the unit stays with its current school: moving saves less than the
                stability weight ([weights] stability_m_per_student)
  whole_units   seats were free, but zones are of whole units in one piece ([zones]):
                the unit follows its neighbours
The plan is solved as `catchment plan --config` solves it (same inputs, edits and options).
Coordinates are longitude and latitude in degrees, WGS84 unless --coords (or [inputs]
coords) names the system of the inputs, which the points then share.
Exit codes: 0 ok, 2 bad input or usage.";

#[derive(Args, Debug, Clone)]
pub struct LocateArgs {
    /// Longitude of the point (degrees; WGS84 unless --coords).
    #[arg(value_name = "LON", allow_negative_numbers = true)]
    pub lon: Option<f64>,
    /// Latitude of the point (degrees; WGS84 unless --coords).
    #[arg(value_name = "LAT", allow_negative_numbers = true)]
    pub lat: Option<f64>,
    /// Many points: a CSV with columns id,lon,lat (or 编号,经度,纬度).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["lon", "lat"])]
    pub points: Option<PathBuf>,
    /// One JSON object per point and line, instead of text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub inputs: InputArgs,
}

const POINTS_SPEC: Spec = Spec {
    columns: &[
        Column {
            name: "id",
            aliases: &["编号", "point_id"],
            required: true,
            what: "a point id",
        },
        Column {
            name: "lon",
            aliases: &["经度", "longitude", "lng", "x"],
            required: true,
            what: "a longitude in degrees (-180 to 180)",
        },
        Column {
            name: "lat",
            aliases: &["纬度", "latitude", "y"],
            required: true,
            what: "a latitude in degrees (-90 to 90)",
        },
    ],
    other_columns: true,
};

fn coordinate(v: &str, max: f64) -> Option<f64> {
    v.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite() && x.abs() <= max)
}

/// Read `id,lon,lat` rows; every bad row is reported.
fn read_points(path: &std::path::Path) -> Result<Vec<Query>, CliError> {
    let file = path.display().to_string();
    let rows = read_table(path, &POINTS_SPEC).each_note(|n| crate::say!("note: {n}"))?;
    let mut errs = crate::io::InputErrors::default();
    let mut out = Vec::new();
    for r in rows {
        let at = format!("line {}", r.line);
        let mut get = |k: usize, name: &str, max: f64, what: &str| {
            let v = r.get(k).unwrap_or_default();
            let x = coordinate(v, max);
            if x.is_none() {
                errs.push(
                    InputError::new(&file, what, format!("\"{v}\""))
                        .at(&at)
                        .field(name),
                );
            }
            x
        };
        let lon = get(1, "lon", 180.0, POINTS_SPEC.columns[1].what);
        let lat = get(2, "lat", 90.0, POINTS_SPEC.columns[2].what);
        if let (Some(lon), Some(lat)) = (lon, lat) {
            out.push(Query {
                id: r.get(0).unwrap_or_default().to_string(),
                lon,
                lat,
            });
        }
    }
    if !errs.is_empty() {
        return Err(CliError::Input(errs));
    }
    if out.is_empty() {
        return Err(InputError::new(&file, "at least one id,lon,lat row", "a header only").into());
    }
    Ok(out)
}

/// A point outside the county boundary has no catchment: refused, every
/// such point named (as given), rather than answered with the nearest zone.
/// A point on the boundary's edge counts as inside.
fn refuse_outside(
    loaded: &crate::plan::Loaded,
    given: &[Query],
    at: &[Query],
) -> Result<(), CliError> {
    use geo::Intersects;
    let Some(b) = &loaded.boundary else {
        return Ok(());
    };
    let outside: Vec<String> = given
        .iter()
        .zip(at)
        .filter(|(_, q)| !b.intersects(&geo::Point::new(q.lon, q.lat)))
        .map(|(g, _)| format!("{} ({}, {})", g.id, g.lon, g.lat))
        .collect();
    if outside.is_empty() {
        return Ok(());
    }
    let file = loaded
        .scenario
        .inputs
        .boundary
        .as_deref()
        .map_or("the boundary".into(), |p| p.display().to_string());
    Err(CliError::Usage(format!(
        "{} point{} outside the county boundary ({file}), where no catchment is drawn: {}{} (give LON before LAT, in degrees; WGS84 unless --coords)",
        outside.len(),
        if outside.len() == 1 { " lies" } else { "s lie" },
        outside
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join(", "),
        if outside.len() > 5 { ", ..." } else { "" }
    )))
}

pub fn run(args: &LocateArgs) -> Result<i32, CliError> {
    let queries = match (&args.points, args.lon, args.lat) {
        (Some(p), _, _) => read_points(p)?,
        (None, Some(lon), Some(lat)) => {
            if !(lon.is_finite() && lon.abs() <= 180.0) {
                return Err(CliError::Usage(format!(
                    "LON {lon}: expected a longitude in degrees, -180 to 180 (give LON before LAT)"
                )));
            }
            if !(lat.is_finite() && lat.abs() <= 90.0) {
                return Err(CliError::Usage(format!(
                    "LAT {lat}: expected a latitude in degrees, -90 to 90 (give LON before LAT)"
                )));
            }
            vec![Query {
                id: "1".into(),
                lon,
                lat,
            }]
        }
        _ => {
            return Err(CliError::Usage(
                "give a point as LON LAT (e.g. `catchment locate 111.874 38.923`) or many with --points FILE.csv"
                    .into(),
            ));
        }
    };
    let loaded = load(&args.inputs)?;
    let travel = loaded.travel();
    let probs = problems(&loaded, travel);
    let stability = loaded.scenario.stability_m_per_student;
    let levels = solve_levels(&loaded, &probs, PlanSettings::of(&loaded))?;
    let clip = zone_clip(&loaded);
    let shapes = zone_shapes(&loaded, &levels, &clip);
    let solved = Solved {
        loaded: &loaded,
        problems: &probs,
        levels: &levels,
        shapes: &shapes,
        travel,
        stability_m_per_student: if loaded.current.is_some() {
            stability
        } else {
            0.0
        },
    };
    // The points are in the inputs' coordinate system (`--coords`): the
    // explanation works in WGS84, the output echoes the points as given.
    let cs = args
        .inputs
        .coords
        .or(loaded.scenario.inputs.coords)
        .unwrap_or_default();
    let at: Vec<Query> = queries
        .iter()
        .map(|q| {
            let (lon, lat) = cs.to_wgs84(q.lon, q.lat);
            Query {
                id: q.id.clone(),
                lon,
                lat,
            }
        })
        .collect();
    refuse_outside(&loaded, &queries, &at)?;
    let all = explain(&solved, &at);
    let mut out = String::new();
    for (q, ex) in queries.iter().zip(&all) {
        if args.json {
            out.push_str(&to_json(&loaded, &levels, q, ex).to_string());
            out.push('\n');
        } else {
            out.push_str(&to_text(&loaded, &levels, q, ex));
        }
    }
    crate::out!("{out}");
    Ok(0)
}
