//! `catchment plan`: place every entry-cohort child, per level, at a public
//! school within seats and travel limits, exactly; write the assignment,
//! school table, public notice, summary, timings and maps.

use super::CliError;
use super::inputs::{InputArgs, load};
use crate::assign::{LevelAssignment, Reason};
use crate::io::output::Staged;
use crate::io::results::{catchments_from_features, moved};
use crate::plan::files::stage_tables;
use crate::plan::pipeline::{LevelJob, plan_levels};
use crate::plan::{Loaded, PlanSettings, SweepRow, problems, run_sweep, sweep_csv, zone_clip};
use crate::zones::geometry::Tiling;
use clap::Args;
use geo::MultiPolygon;
use serde_json::json;
use std::path::PathBuf;

pub const ABOUT: &str =
    "Assign every entry-cohort child to a school, exactly (seats, travel limits)";

pub const AFTER_HELP: &str = "\
Examples:
  catchment plan                                   # the bundled Wuzhai example (synthetic data)
  catchment plan --config county/scenario.toml --out out/2024
  catchment plan --households hh.geojson --schools schools.geojson --boundary county.geojson
  catchment plan --config county/scenario.toml --roads extract.osm.pbf   # travel by road
  catchment plan --households hh.xlsx --schools schools.geojson --coords gcj02 --excel
                                                   # a household table, Amap coordinates
  catchment plan --config county/scenario.toml --whole-units --current today.geojson --sweep
                                                   # zones of whole units, moves, trade-off

Writes under --out: assignment.csv, assignment.geojson, schools.csv, catchments.geojson,
zones_by_area.csv (units with town/village), notice.csv and notice.html (the public
catchment notice, A4, by village; docs/notice.md), moves.csv (with --current),
stability_sweep.csv (with --sweep), summary.json, timings.json, maps/<level>.png and .svg.
Exit codes: 0 all placed, 1 some students unplaced (listed with a reason), 2 bad input
or usage (nothing written), 3 internal error.";

#[derive(Args, Debug, Clone)]
pub struct PlanArgs {
    #[command(flatten)]
    pub inputs: InputArgs,
    /// All students of a unit at one school: zones of whole villages or
    /// blocks, siblings together (also `[zones] whole_units`). The gap to
    /// the exact LP bound is reported.
    #[arg(long)]
    pub whole_units: bool,
    /// Each junior zone a union of whole primary zones (also `[zones]
    /// feeder`); implies --whole-units.
    #[arg(long)]
    pub feeder: bool,
    /// Travel metres worth one student kept at their current school
    /// (overrides `[weights] stability_m_per_student`; needs current zones).
    #[arg(long, value_name = "METRES")]
    pub stability: Option<f64>,
    /// Solve again for each stability weight and print travel against moved
    /// students, writing stability_sweep.csv. Without values: the weights of
    /// `[weights] stability_sweep` (default 0,100,250,500,1000,2000,5000).
    #[arg(long, value_name = "W,W,...", num_args = 0..=1, value_delimiter = ',')]
    pub sweep: Option<Vec<f64>>,
    /// Output folder.
    #[arg(long, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,
    /// Write the CSV files for Excel: with a UTF-8 byte-order mark, without
    /// which Excel shows Chinese text as garbage (otherwise byte-identical).
    #[arg(long)]
    pub excel: bool,
    /// Outputs for publication: household ids replaced by pseudonyms
    /// (HMAC-SHA-256 under --public-key), household points rounded to about
    /// 100 m, per-household travel to 100 m, in assignment.csv,
    /// assignment.geojson, moves.csv and the notice. Totals are unchanged.
    #[arg(long, requires = "public_key")]
    pub public: bool,
    /// The secret the pseudonyms are keyed with (at least 12 characters;
    /// the bureau keeps it: the same key gives the same pseudonyms every
    /// year, and only its holder can link a row back to a household).
    #[arg(long, value_name = "SECRET", requires = "public")]
    pub public_key: Option<String>,
}

/// The plan's settings: the scenario's, with the flags over them.
fn settings(args: &PlanArgs, loaded: &Loaded) -> Result<PlanSettings, CliError> {
    let mut zones = loaded.scenario.zones;
    zones.whole_units |= args.whole_units;
    zones.feeder |= args.feeder;
    let stability = args
        .stability
        .unwrap_or(loaded.scenario.stability_m_per_student);
    if !(stability.is_finite() && stability >= 0.0) {
        return Err(CliError::Usage(format!(
            "--stability {stability}: expected travel metres >= 0"
        )));
    }
    if (args.sweep.is_some() || args.stability.is_some()) && loaded.current.is_none() {
        return Err(CliError::Usage(
            "--sweep and --stability weigh moves against the current zones: give --current FILE (or [inputs] current)".into(),
        ));
    }
    Ok(PlanSettings { zones, stability })
}

/// The sweep's weights: those given, else the scenario's; each >= 0.
fn sweep_weights(args: &PlanArgs, loaded: &Loaded) -> Result<Option<Vec<f64>>, CliError> {
    let Some(ws) = &args.sweep else {
        return Ok(None);
    };
    let ws = if ws.is_empty() {
        loaded.scenario.stability_sweep.clone()
    } else {
        ws.clone()
    };
    if let Some(w) = ws.iter().find(|w| !(w.is_finite() && **w >= 0.0)) {
        return Err(CliError::Usage(format!(
            "--sweep: expected weights >= 0 in metres, found {w}"
        )));
    }
    Ok(Some(ws))
}

/// The levels as drawn: assignments, catchment polygons, tilings and
/// catchments features, in level order.
struct Levels {
    las: Vec<LevelAssignment>,
    shapes: Vec<Vec<MultiPolygon<f64>>>,
    tilings: Vec<Tiling>,
    features: Vec<Vec<String>>,
}

/// summary.json of the plan.
fn summary(loaded: &Loaded, levels: &Levels, stability: f64) -> String {
    crate::plan::files::summary(
        loaded,
        &levels.las,
        &levels.tilings,
        &levels.shapes,
        stability,
    )
}

/// Files in the order they are listed (they were staged as each was made).
const ORDER: [&str; 15] = [
    "assignment.csv",
    "assignment.geojson",
    "schools.csv",
    "catchments.geojson",
    "zones_by_area.csv",
    "notice.csv",
    "notice.html",
    "moves.csv",
    "stability_sweep.csv",
    "summary.json",
    "timings.json",
    "maps/primary.png",
    "maps/primary.svg",
    "maps/junior.png",
    "maps/junior.svg",
];

/// Outcome of a plan: the exit code to use.
pub fn run(args: &PlanArgs) -> Result<i32, CliError> {
    let mut stages = super::Stages::default();
    super::check_out(&args.out)?;
    if let Some(key) = &args.public_key {
        crate::io::public::check_key(key).map_err(|e| CliError::Usage(e.to_string()))?;
    }
    let loaded = load(&args.inputs)?;
    stages.end("read");
    let settings = settings(args, &loaded)?;
    let weights = sweep_weights(args, &loaded)?;
    let problems = problems(&loaded, loaded.travel());
    // Every level's travel is known: the units' snaps are not needed again.
    if let Some(g) = &loaded.roads {
        g.forget_snaps();
    }
    stages.end("travel");

    // Each output is written to a hidden temporary file as it is made
    // (renamed when all are), so a province's gigabyte of outputs is not
    // held in memory.
    let mut staged = Staged::spilling(&args.out);
    staged.set_csv_bom(args.excel);
    let staged = std::sync::Mutex::new(staged);
    let add = |name: &str, bytes: Vec<u8>| {
        staged
            .lock()
            .expect("no thread panics holding it")
            .add(name, bytes);
    };
    let sink = |name: String, bytes: Vec<u8>| add(&name, bytes);
    let clip = zone_clip(&loaded);
    let job = LevelJob {
        settings,
        clip: &clip,
        sink: &sink,
        clock: std::time::Instant::now(),
        keep: weights.is_some(),
    };
    // Per-household rows as published (--public) or as they are
    // (borrowed when not public: a province's units are not copied).
    let public_units = match (args.public, &args.public_key) {
        (true, Some(key)) => Some(
            crate::io::public::public_units(&loaded.units, key)
                .map_err(|e| CliError::Usage(e.to_string()))?,
        ),
        _ => None,
    };
    let tables =
        |levels: &[LevelAssignment]| stage_tables(&loaded, public_units.as_deref(), levels, &add);
    let (done, problems) = plan_levels(&loaded, problems, &job, tables)?;
    // Wall time until the last level was solved (the levels solve side by
    // side, each drawing its zones and map once solved).
    let solve_seconds = done.iter().map(|d| d.solved_at).fold(0.0, f64::max);
    let level_seconds: Vec<serde_json::Value> = done
        .iter()
        .map(|d| {
            json!({
                "level": d.la.level.as_str(),
                "solve_seconds": d.la.solve_seconds,
                "zones_seconds": d.drawn.zones_seconds,
                "map_seconds": d.drawn.map_seconds,
            })
        })
        .collect();
    let mut levels = Levels {
        las: Vec::new(),
        shapes: Vec::new(),
        tilings: Vec::new(),
        features: Vec::new(),
    };
    for d in done {
        levels.las.push(d.la);
        levels.shapes.push(d.drawn.shapes);
        levels.tilings.push(d.drawn.tiling);
        levels.features.push(d.drawn.features);
    }
    stages.end("levels");
    let sweep = match &weights {
        Some(ws) => Some(run_sweep(&loaded, &problems, settings.zones, ws)?),
        None => None,
    };
    if sweep.is_some() {
        stages.end("sweep");
    }
    drop(problems);
    let mut staged = staged.into_inner().expect("no thread panics holding it");
    // The summary's zone facts (every zone's area and overlaps: seconds at
    // a province) are worked out beside the catchments file.
    let features = std::mem::take(&mut levels.features);
    std::thread::scope(|sc| {
        let summary = || summary(&loaded, &levels, settings.stability);
        let side = (loaded.threads > 1).then(|| sc.spawn(summary));
        staged.add("catchments.geojson", catchments_from_features(features));
        if let Some(rows) = &sweep {
            staged.add("stability_sweep.csv", sweep_csv(rows));
        }
        let summary = match side {
            Some(h) => h.join().expect("the summary thread does not panic"),
            None => summary(),
        };
        staged.add("summary.json", summary);
    });
    stages.end("summary");
    let timings = serde_json::json!({
        "solve_seconds": solve_seconds,
        "seconds": stages.seconds(),
        "stages": stages.to_json(),
        "levels": level_seconds,
    });
    staged.add(
        "timings.json",
        format!(
            "{}\n",
            serde_json::to_string_pretty(&timings).expect("json")
        ),
    );
    let mut names: Vec<String> = staged.names().map(|p| p.display().to_string()).collect();
    names.sort_by_key(|n| ORDER.iter().position(|o| o == n).unwrap_or(ORDER.len()));
    staged
        .commit(&args.out)
        .map_err(|e| CliError::Write(format!("{}: {e}", args.out.display())))?;

    stages.clear_spinner();
    report(&loaded, &levels.las, &args.out, &names);
    stages.print_details();
    if let Some(rows) = &sweep {
        print_sweep(rows);
    }
    let unplaced: u64 = levels.las.iter().map(|l| l.students - l.placed()).sum();
    Ok(if unplaced > 0 { 1 } else { 0 })
}

fn report(loaded: &Loaded, levels: &[LevelAssignment], out: &std::path::Path, names: &[String]) {
    crate::say!(
        "planned {} ({} units, entry year {})",
        loaded.describe(),
        loaded.units.len(),
        loaded.scenario.policy.entry_year
    );
    for la in levels {
        let placed = la.placed();
        let seats: u64 = la.seats.iter().map(|&s| s as u64).sum();
        let current = loaded
            .current
            .as_ref()
            .map(|c| c[la.level.index()].as_slice());
        let [day, boarding] =
            crate::plan::day_and_boarding(&loaded.schools, &loaded.scenario.policy, la, current);
        crate::say!(
            "  {:<8} {:>6} students, {:>6} placed, {:>5} unplaced; {:>6} seats; day pupils' mean travel {:.0} m ({})",
            la.level.as_str(),
            la.students,
            placed,
            la.students - placed,
            seats,
            day.mean_travel_m,
            if la.whole.is_some() {
                "whole units; the LP bound is certified"
            } else {
                "optimal, certified"
            }
        );
        if boarding.students > 0 {
            crate::say!(
                "           boarding (寄宿制): {} pupils at boarding schools, mean {:.1} km from home (weekly, not daily)",
                boarding.students,
                boarding.mean_travel_m / 1000.0
            );
        }
        if la.feeder_groups > 0 {
            crate::say!(
                "           feeder: junior zones are unions of the {} primary zones ({} could not stay whole)",
                la.feeder_groups,
                la.feeder_broken.len()
            );
        }
        if let Some(w) = &la.whole {
            crate::say!(
                "           whole units: {} split by the LP, decided {}; {}",
                w.split,
                match w.method {
                    "none" => "(none needed)",
                    "exact_whole_model" => "exactly (the whole integer model)",
                    "exact" => "exactly (integer model of the split units)",
                    "dive" => "by fixing and re-solving",
                    _ => "greedily",
                },
                match la.gap() {
                    Some(g) => format!("{:.3}% above the exact LP bound", g * 100.0),
                    None => format!(
                        "{} more unplaced than the LP bound",
                        la.objective.unplaced - la.lp_bound.unplaced
                    ),
                }
            );
        }
        if la.contiguity_moves > 0 {
            crate::say!(
                "           contiguity: {} units moved to a neighbouring zone",
                la.contiguity_moves
            );
        }
        for e in &la.enclaves {
            crate::say!(
                "           enclave of {}: {} units, {} students ({}), first unit {}",
                loaded.schools[e.school].id,
                e.units.len(),
                e.students,
                e.why.as_str(),
                loaded.units[e.units[0]].id
            );
        }
        if let Some(c) = &loaded.current {
            crate::say!(
                "           {} students moved from their current zone's school (moves.csv){}",
                moved(la, &c[la.level.index()]),
                match boarding.moved {
                    Some(b) if b > 0 => format!(
                        ": {} day pupils, {b} as boarding pupils",
                        day.moved.unwrap_or(0)
                    ),
                    _ => String::new(),
                }
            );
        }
        for r in [
            Reason::NoSchoolInReach,
            Reason::CapacityShort,
            Reason::NoRoadConnection,
        ] {
            let n = la.unplaced_by(r);
            if n > 0 {
                crate::say!(
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
        crate::say!(
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
        crate::say!(
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
        crate::say!(
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
    crate::say!(
        "wrote {} files to {}/: {}",
        names.len(),
        out.display(),
        names.join(", ")
    );
}

fn print_sweep(rows: &[SweepRow]) {
    crate::say!("stability sweep: travel against students moved from their current school");
    crate::say!(
        "  {:>10}  {:<8} {:>7} {:>9} {:>14} {:>9}",
        "weight m",
        "level",
        "moved",
        "unplaced",
        "mean travel m",
        "total km"
    );
    for r in rows {
        crate::say!(
            "  {:>10} {:<8} {:>7} {:>9} {:>14.0} {:>9.1}",
            r.weight,
            r.level.as_str(),
            r.moved,
            r.unplaced,
            if r.placed > 0 {
                r.objective_mm as f64 / 1000.0 / r.placed as f64
            } else {
                0.0
            },
            r.objective_mm as f64 / 1e6,
        );
    }
}
