//! `catchment compare A.toml B.toml ...`: what-if scenarios side by side.
//! Each scenario is planned as `plan` would plan it (its inputs, `[[edit]]`
//! changes, zones and weights); the table shows travel, seats and moves,
//! and a map per scenario and level is drawn.

use super::CliError;
use super::inputs::{plan_scenario, unique_label};
use crate::assign::LevelAssignment;
use crate::io::output::{Staged, csv_field};
use crate::io::results::moved;
use crate::model::Level;
use crate::plan::{
    Loaded, PupilTravel, day_and_boarding, map_input, map_shapes, pupil_travel, zone_clip,
};
use crate::render::map::align_schools;
use crate::render::render_map;
use clap::Args;
use geo::MultiPolygon;
use serde_json::json;
use std::fmt::Write;
use std::path::PathBuf;

pub const ABOUT: &str = "Compare what-if scenarios side by side (travel, seats, moves, maps)";

pub const AFTER_HELP: &str = "\
Examples:
  catchment compare county/scenario.toml county/new_school.toml
  catchment compare today.toml more_classes.toml close_p03.toml --out out/whatif

Each scenario.toml is planned as `catchment plan --config` would (a scenario
may change schools with [[edit]] entries: close, open, add_classes; see the
README). Writes under --out: compare.csv, compare.json and
maps/<scenario>_<level>.png and .svg. Exit codes: 0 every scenario places every student, 1 some
scenario leaves students without a seat, 2 bad input or usage (nothing written).";

#[derive(Args, Debug, Clone)]
pub struct CompareArgs {
    /// Scenario files to compare (two or more).
    #[arg(value_name = "SCENARIO.toml", num_args = 2.., required = true)]
    pub scenarios: Vec<PathBuf>,
    /// Output folder.
    #[arg(long, value_name = "DIR", default_value = "out/compare")]
    pub out: PathBuf,
    /// Write the CSV files for Excel: with a UTF-8 byte-order mark, without
    /// which Excel shows Chinese text as garbage (otherwise byte-identical).
    #[arg(long)]
    pub excel: bool,
}

/// One scenario's figures at one level.
struct Row {
    scenario: String,
    level: &'static str,
    students: u64,
    placed: u64,
    unplaced: u64,
    seats: u64,
    mean_m: f64,
    p95_m: f64,
    max_m: f64,
    moved: Option<u64>,
    objective_m: f64,
    /// Day pupils' travel, and boarding pupils apart (never averaged
    /// together: a boarding pupil goes home weekly).
    day: PupilTravel,
    boarding: PupilTravel,
}

pub fn run(args: &CompareArgs) -> Result<i32, CliError> {
    super::check_out(&args.out)?;
    let spinner = super::say::Spinner::start("planning the scenarios");
    let mut rows = Vec::new();
    let mut staged = Staged::default();
    staged.set_csv_bom(args.excel);
    let mut labels: Vec<String> = Vec::new();
    let mut planned = Vec::new();
    for path in &args.scenarios {
        let (loaded, levels) = plan_scenario(path)?;
        let label = unique_label(path, &labels);
        labels.push(label.clone());
        let clip = zone_clip(&loaded);
        let shapes = map_shapes(&loaded, &levels, &clip);
        planned.push((label, loaded, levels, shapes));
    }
    for (label, loaded, levels, _) in &planned {
        for la in levels {
            let placed = la.placed();
            let mm = la.objective_mm();
            let current = loaded
                .current
                .as_ref()
                .map(|c| c[la.level.index()].as_slice());
            let all = pupil_travel(
                la.placements
                    .iter()
                    .filter(|p| p.school.is_some())
                    .map(|p| (p.travel_m.unwrap_or(0.0), p.students as u64)),
                None,
            );
            let [day, boarding] =
                day_and_boarding(&loaded.schools, &loaded.scenario.policy, la, current);
            rows.push(Row {
                scenario: label.clone(),
                level: la.level.as_str(),
                students: la.students,
                placed,
                unplaced: la.students - placed,
                seats: la.seats.iter().map(|&s| s as u64).sum(),
                mean_m: if placed > 0 {
                    mm as f64 / 1000.0 / placed as f64
                } else {
                    0.0
                },
                p95_m: all.p95_travel_m,
                max_m: all.max_travel_m,
                moved: loaded
                    .current
                    .as_ref()
                    .map(|c| moved(la, &c[la.level.index()])),
                objective_m: mm as f64 / 1000.0,
                day,
                boarding,
            });
        }
    }
    stage_maps(&planned, &mut staged);
    let mut csv = String::from(
        "scenario,level,students,placed,unplaced,seats,seats_used,mean_travel_m,p95_travel_m,max_travel_m,moved,objective_student_m,day_students,day_mean_travel_m,day_p95_travel_m,boarding_students,boarding_mean_travel_m\n",
    );
    for r in &rows {
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{},{:.4},{:.1},{:.1},{:.1},{},{:.3},{},{:.1},{:.1},{},{:.1}",
            csv_field(&r.scenario),
            r.level,
            r.students,
            r.placed,
            r.unplaced,
            r.seats,
            if r.seats > 0 {
                r.placed as f64 / r.seats as f64
            } else {
                0.0
            },
            r.mean_m,
            r.p95_m,
            r.max_m,
            r.moved.map_or(String::new(), |m| m.to_string()),
            r.objective_m,
            r.day.students,
            r.day.mean_travel_m,
            r.day.p95_travel_m,
            r.boarding.students,
            r.boarding.mean_travel_m
        );
    }
    let json_rows: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            json!({
                "scenario": r.scenario, "level": r.level, "students": r.students,
                "placed": r.placed, "unplaced": r.unplaced, "seats": r.seats,
                "mean_travel_m": (r.mean_m * 10.0).round() / 10.0,
                "p95_travel_m": (r.p95_m * 10.0).round() / 10.0,
                "max_travel_m": (r.max_m * 10.0).round() / 10.0,
                "moved": r.moved,
                "objective_student_m": (r.objective_m * 1000.0).round() / 1000.0,
                "day": {
                    "students": r.day.students,
                    "mean_travel_m": (r.day.mean_travel_m * 10.0).round() / 10.0,
                    "p95_travel_m": (r.day.p95_travel_m * 10.0).round() / 10.0,
                },
                "boarding": {
                    "students": r.boarding.students,
                    "mean_travel_m": (r.boarding.mean_travel_m * 10.0).round() / 10.0,
                },
            })
        })
        .collect();
    staged.add("compare.csv", csv);
    staged.add(
        "compare.json",
        format!(
            "{}\n",
            serde_json::to_string_pretty(&json!({ "scenarios": labels, "rows": json_rows }))
                .expect("json")
        ),
    );
    staged
        .commit(&args.out)
        .map_err(|e| CliError::Write(format!("{}: {e}", args.out.display())))?;
    spinner.clear();
    print_table(&rows, &labels);
    crate::say!(
        "wrote compare.csv, compare.json and maps/ to {}/",
        args.out.display()
    );
    let unplaced: u64 = rows.iter().map(|r| r.unplaced).sum();
    if unplaced > 0 {
        crate::say!("{unplaced} students are left without a seat in the scenarios above (exit 1)");
    }
    Ok(if unplaced > 0 { 1 } else { 0 })
}

/// A scenario planned: its label, inputs, levels and zones.
type Planned = (
    String,
    Loaded,
    Vec<LevelAssignment>,
    Vec<Vec<MultiPolygon<f64>>>,
);

/// The maps of each level side by side: a school has one colour in every
/// scenario, and a school of the first scenario closed in another is
/// still marked there (`align_schools`).
fn stage_maps(planned: &[Planned], staged: &mut Staged) {
    for level in [Level::Primary, Level::Junior] {
        let mut names = Vec::new();
        let mut maps = Vec::new();
        for (label, loaded, levels, shapes) in planned {
            for (la, zs) in levels
                .iter()
                .zip(shapes)
                .filter(|(la, _)| la.level == level)
            {
                let mut mi = map_input(loaded, la, zs);
                mi.title = format!("{} [{label}]", mi.title);
                names.push(format!("maps/{label}_{}", level.as_str()));
                maps.push(mi);
            }
        }
        align_schools(&mut maps);
        for (name, mi) in names.into_iter().zip(&maps) {
            let (png, svg) = render_map(mi);
            staged.add(format!("{name}.png"), png);
            staged.add(format!("{name}.svg"), svg);
        }
    }
}

fn print_table(rows: &[Row], labels: &[String]) {
    for level in ["primary", "junior"] {
        let here: Vec<&Row> = rows.iter().filter(|r| r.level == level).collect();
        if here.is_empty() {
            continue;
        }
        let mut head = format!("{level:<22}");
        for l in labels {
            let _ = write!(head, " {l:>16}");
        }
        crate::outln!("{head}");
        type Cell = fn(&Row) -> String;
        let lines: [(&str, Cell); 10] = [
            ("students", |r| r.students.to_string()),
            ("placed", |r| r.placed.to_string()),
            ("unplaced", |r| r.unplaced.to_string()),
            ("seats used / seats", |r| {
                format!("{}/{}", r.placed, r.seats)
            }),
            ("mean travel m", |r| format!("{:.0}", r.mean_m)),
            ("day pupils' mean m", |r| {
                format!("{:.0}", r.day.mean_travel_m)
            }),
            ("boarding pupils", |r| r.boarding.students.to_string()),
            ("95th pct travel m", |r| format!("{:.0}", r.p95_m)),
            ("max travel m", |r| format!("{:.0}", r.max_m)),
            ("moved students", |r| {
                r.moved.map_or("-".into(), |m| m.to_string())
            }),
        ];
        for (name, f) in lines {
            let mut line = format!("  {name:<20}");
            for l in labels {
                let cell = here
                    .iter()
                    .find(|r| &r.scenario == l)
                    .map_or("-".to_string(), |r| f(r));
                let _ = write!(line, " {cell:>16}");
            }
            crate::outln!("{line}");
        }
    }
}
