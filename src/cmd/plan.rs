//! `catchment plan`: place every entry-cohort child, per level, at a public
//! school within seats and travel limits, exactly; write the assignment,
//! school table, summary, timings and maps.

use super::CliError;
use super::inputs::{InputArgs, Loaded, describe, load};
use crate::assign::{LevelAssignment, Reason, Travel, assign_level};
use crate::io::output::Staged;
use crate::io::results::{
    SummaryInput, assignment_csv, assignment_geojson, schools_csv, summary_json,
};
use crate::model::Level;
use crate::render::{MapInput, MapSchool, MapUnit, render_map};
use clap::Args;
use std::path::PathBuf;
use std::time::Instant;

pub const ABOUT: &str =
    "Assign every entry-cohort child to a school, exactly (seats, travel limits)";

pub const AFTER_HELP: &str = "\
Examples:
  catchment plan                                   # the bundled Wuzhai example (synthetic data)
  catchment plan --config county/scenario.toml --out out/2024
  catchment plan --households hh.geojson --schools schools.geojson --boundary county.geojson
  catchment plan --config county/scenario.toml --roads extract.osm.pbf   # travel by road

Writes under --out: assignment.csv, assignment.geojson, schools.csv, summary.json,
timings.json, maps/<level>.png and .svg. Exit codes: 0 all placed, 1 some students
unplaced (listed with a reason), 2 bad input or usage (nothing written), 3 internal error.";

#[derive(Args, Debug, Clone)]
pub struct PlanArgs {
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Output folder.
    #[arg(long, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,
}

/// Outcome of a plan: the exit code to use.
pub fn run(args: &PlanArgs) -> Result<i32, CliError> {
    let clock = Instant::now();
    if args.out.exists() && !args.out.is_dir() {
        return Err(CliError::Usage(format!(
            "--out {} is a file, not a folder",
            args.out.display()
        )));
    }
    let loaded = load(&args.inputs)?;
    let travel = match &loaded.roads {
        Some(g) => Travel::Roads(g),
        None => Travel::Straight,
    };
    let mut levels = Vec::new();
    for level in Level::ALL {
        let la = assign_level(
            &loaded.units,
            &loaded.demand[level.index()],
            &loaded.schools,
            level,
            &loaded.scenario.policy,
            travel,
        )
        .map_err(|e| CliError::Internal(e.to_string()))?;
        levels.push(la);
    }
    let solve_seconds: f64 = levels.iter().map(|l| l.solve_seconds).sum();

    let mut staged = Staged::default();
    let (units, schools, policy) = (&loaded.units, &loaded.schools, &loaded.scenario.policy);
    staged.add("assignment.csv", assignment_csv(units, schools, &levels));
    staged.add(
        "assignment.geojson",
        assignment_geojson(units, schools, &levels),
    );
    staged.add("schools.csv", schools_csv(schools, &levels, policy));
    staged.add(
        "summary.json",
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
            policy,
            units: units.len(),
            levels: &levels,
            without_residence: loaded.without_residence,
            outside_boundary: &loaded.outside_boundary,
        }),
    );
    for la in &levels {
        let (png, svg) = render_map(&map_input(&loaded, la));
        staged.add(format!("maps/{}.png", la.level.as_str()), png);
        staged.add(format!("maps/{}.svg", la.level.as_str()), svg);
    }
    let timings = serde_json::json!({
        "solve_seconds": solve_seconds,
        "seconds": clock.elapsed().as_secs_f64(),
    });
    staged.add(
        "timings.json",
        format!(
            "{}\n",
            serde_json::to_string_pretty(&timings).expect("json")
        ),
    );
    let names: Vec<String> = staged.names().map(|p| p.display().to_string()).collect();
    staged
        .commit(&args.out)
        .map_err(|e| CliError::Write(format!("{}: {e}", args.out.display())))?;

    report(&loaded, &levels, &args.out, &names);
    let unplaced: u64 = levels.iter().map(|l| l.students - l.placed()).sum();
    Ok(if unplaced > 0 { 1 } else { 0 })
}

fn report(loaded: &Loaded, levels: &[LevelAssignment], out: &std::path::Path, names: &[String]) {
    eprintln!(
        "planned {} ({} units, entry year {})",
        describe(loaded),
        loaded.units.len(),
        loaded.scenario.policy.entry_year
    );
    for la in levels {
        let placed = la.placed();
        let seats: u64 = la.seats.iter().map(|&s| s as u64).sum();
        let mean = if placed > 0 {
            la.objective_mm() as f64 / 1000.0 / placed as f64
        } else {
            0.0
        };
        eprintln!(
            "  {:<8} {:>6} students, {:>6} placed, {:>5} unplaced; {:>6} seats; mean travel {:.0} m (optimal, certified)",
            la.level.as_str(),
            la.students,
            placed,
            la.students - placed,
            seats,
            mean
        );
        for r in [
            Reason::NoSchoolInReach,
            Reason::CapacityShort,
            Reason::NoRoadConnection,
        ] {
            let n = la.unplaced_by(r);
            if n > 0 {
                eprintln!(
                    "           {n} unplaced: {} (listed in assignment.csv)",
                    r.as_str()
                );
            }
        }
    }
    if !loaded.outside_boundary.is_empty() {
        let first: Vec<&str> = loaded
            .outside_boundary
            .iter()
            .take(5)
            .map(String::as_str)
            .collect();
        eprintln!(
            "warning: {} units lie outside the boundary (placed anyway): {}{}",
            loaded.outside_boundary.len(),
            first.join(", "),
            if loaded.outside_boundary.len() > 5 {
                ", ..."
            } else {
                ""
            }
        );
    }
    if let Some(g) = &loaded.roads {
        eprintln!(
            "roads: {} nodes, {} pieces of road in {} connected parts; {} loose line ends joined",
            g.node_count(),
            g.pieces.len(),
            g.component_count(),
            g.joined_ends
        );
    }
    if !loaded.far_from_road.is_empty() {
        let first: Vec<&str> = loaded
            .far_from_road
            .iter()
            .take(5)
            .map(String::as_str)
            .collect();
        eprintln!(
            "warning: {} units are more than {} m from any road (their straight walk to the road is counted): {}{}",
            loaded.far_from_road.len(),
            crate::spatial::network::SNAP_WARN_M,
            first.join(", "),
            if loaded.far_from_road.len() > 5 {
                ", ..."
            } else {
                ""
            }
        );
    }
    eprintln!(
        "wrote {} files to {}/: {}",
        names.len(),
        out.display(),
        names.join(", ")
    );
}

fn map_input<'a>(loaded: &'a Loaded, la: &LevelAssignment) -> MapInput<'a> {
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
        .map(|&j| {
            let s = &loaded.schools[j];
            MapSchool {
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
    }
}
