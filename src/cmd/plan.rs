//! `catchment plan`: place every entry-cohort child, per level, at a public
//! school within seats and travel limits, exactly; write the assignment,
//! school table, summary, timings and maps.

use super::CliError;
use super::inputs::{InputArgs, Loaded, describe, load};
use crate::assign::{LevelAssignment, LevelOptions, LevelProblem, Reason, Travel};
use crate::io::output::Staged;
use crate::io::results::{
    SummaryInput, assignment_csv, assignment_geojson, catchment_features, catchments_from_features,
    moved, moves_csv, schools_csv, summary_json, zones_by_area_csv,
};
use crate::io::scenario::ZoneOptions;
use crate::model::{Level, Unit};
use crate::render::{MapInput, MapSchool, MapUnit, render_map_on};
use crate::zones::geometry::{
    Tiling, ZoneLookup, default_clip, tiling, zone_polygons, zone_polygons_on,
};
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
zones_by_area.csv (units with town/village), moves.csv (with --current),
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
    /// assignment.geojson and moves.csv. Totals are unchanged.
    #[arg(long, requires = "public_key")]
    pub public: bool,
    /// The secret the pseudonyms are keyed with (at least 12 characters;
    /// the bureau keeps it: the same key gives the same pseudonyms every
    /// year, and only its holder can link a row back to a household).
    #[arg(long, value_name = "SECRET", requires = "public")]
    pub public_key: Option<String>,
}

/// The levels' instances, built once (arcs, pins), solved under any weight.
pub fn problems<'a>(loaded: &'a Loaded, travel: Travel<'a>) -> Vec<LevelProblem<'a>> {
    Level::ALL
        .iter()
        .map(|&level| {
            LevelProblem::new(
                &loaded.units,
                &loaded.demand[level.index()],
                &loaded.schools,
                level,
                &loaded.scenario.policy,
                travel,
                Some(&loaded.pins[level.index()]),
            )
        })
        .collect()
}

/// The solve options of a level under the plan's zone options and
/// stability weight.
fn level_options<'a>(
    loaded: &'a Loaded,
    level: Level,
    z: ZoneOptions,
    stability: f64,
    groups: Option<&'a [Option<u32>]>,
) -> LevelOptions<'a> {
    LevelOptions {
        current: loaded.current.as_ref().map(|c| c[level.index()].as_slice()),
        stability_m_per_student: if loaded.current.is_some() {
            stability
        } else {
            0.0
        },
        whole_units: z.whole_units || z.feeder,
        contiguous: z.contiguous,
        groups,
    }
}

/// One level solved under the plan's zone options and stability weight.
fn solve_level(
    loaded: &Loaded,
    p: &LevelProblem,
    z: ZoneOptions,
    stability: f64,
    groups: Option<&[Option<u32>]>,
) -> Result<LevelAssignment, CliError> {
    p.solve(&level_options(loaded, p.level, z, stability, groups))
        .map_err(|e| CliError::Internal(e.to_string()))
}

/// Solve both levels: at once on two threads, or, with feeder groups (the
/// junior level grouped by the primary zones), primary first.
pub fn solve_levels(
    loaded: &Loaded,
    problems: &[LevelProblem],
    z: ZoneOptions,
    stability: f64,
) -> Result<Vec<LevelAssignment>, CliError> {
    if !z.feeder {
        return super::par_map(loaded.threads, problems, |p| {
            solve_level(loaded, p, z, stability, None)
        })
        .into_iter()
        .collect();
    }
    let mut levels: Vec<LevelAssignment> = Vec::new();
    for p in problems {
        let groups: Option<Vec<Option<u32>>> = match (p.level, levels.first()) {
            (Level::Junior, Some(primary)) => Some(feeder_groups(loaded, primary)),
            _ => None,
        };
        levels.push(solve_level(loaded, p, z, stability, groups.as_deref())?);
    }
    Ok(levels)
}

/// One level of a plan done: its assignment, when it was solved, and what
/// was drawn from it.
struct LevelDone {
    la: LevelAssignment,
    /// Seconds from the start of the levels' stage to the end of the solve.
    solved_at: f64,
    drawn: Drawn,
}

/// A level to plan: its problem, its assignment when already solved, and
/// its feeder groups.
type LevelWork<'a> = (
    LevelProblem<'a>,
    Option<LevelAssignment>,
    Option<Vec<Option<u32>>>,
);

/// What `plan_levels` needs beside the problems.
struct LevelJob<'s> {
    z: ZoneOptions,
    stability: f64,
    clip: &'s MultiPolygon<f64>,
    staged: &'s std::sync::Mutex<Staged>,
    clock: std::time::Instant,
    /// Keep the problems (their arcs) for more solves (the sweep).
    keep: bool,
}

/// A level solved: its assignment, its problem when kept, and seconds from
/// the start of the levels' stage.
type Solved<'a> = (LevelAssignment, Option<LevelProblem<'a>>, f64);

/// A level drawn: its catchment polygons, how they tile the clip area,
/// their features for catchments.geojson, and the seconds its polygons
/// and its map took.
struct Drawn {
    shapes: Vec<MultiPolygon<f64>>,
    tiling: Tiling,
    features: Vec<String>,
    zones_seconds: f64,
    map_seconds: f64,
}

/// Every level solved, then its zones drawn and its map staged, each level
/// on its own thread: the level that solves sooner (primary, with a few
/// schools in reach of each unit) draws while the other still solves,
/// rather than a core idling. Once every level is solved, `on_solved` runs
/// on the calling thread (the per-household tables) while the levels still
/// draw. A level's problem (its arcs: most of a province's memory) is let
/// go once solved unless `keep`. With feeder zones the junior solve needs
/// the primary zones, so primary is solved first. Each level's outputs
/// depend on that level alone: the same on any number of threads.
fn plan_levels<'a>(
    loaded: &'a Loaded,
    problems: Vec<LevelProblem<'a>>,
    job: &LevelJob,
    on_solved: impl FnOnce(&[LevelAssignment]) -> Result<(), CliError>,
) -> Result<(Vec<LevelDone>, Vec<LevelProblem<'a>>), CliError> {
    let pts: Vec<(f64, f64)> = loaded.units.iter().map(|u| (u.lon, u.lat)).collect();
    let solve = |p: LevelProblem<'a>,
                 solved: Option<LevelAssignment>,
                 groups: Option<Vec<Option<u32>>>|
     -> Result<Solved<'a>, CliError> {
        let (la, kept) = match (solved, job.keep) {
            (Some(la), keep) => (la, keep.then_some(p)),
            (None, true) => (
                solve_level(loaded, &p, job.z, job.stability, groups.as_deref())?,
                Some(p),
            ),
            (None, false) => {
                let level = p.level;
                let opts = level_options(loaded, level, job.z, job.stability, groups.as_deref());
                let la = p
                    .solve_once(&opts)
                    .map_err(|e| CliError::Internal(e.to_string()))?;
                (la, None)
            }
        };
        Ok((la, kept, job.clock.elapsed().as_secs_f64()))
    };
    // What drawing needs of a level's assignment, taken before it is
    // handed on: the zone of each unit, the map without its zones, and the
    // students placed at each school.
    let prepare = |la: &LevelAssignment| {
        (
            la.zone_labels(pts.len()),
            map_input(loaded, la, &[]),
            la.assigned.clone(),
        )
    };
    // Levels solved so far: a level drawing while another still solves
    // draws on one thread (the solve keeps the other core); once all are
    // solved, on every thread.
    let solved_count = std::sync::atomic::AtomicUsize::new(0);
    let levels = problems.len();
    let draw = |level: Level,
                (labels, mut map, assigned): (Vec<Option<usize>>, MapInput<'a>, Vec<u64>)|
     -> Drawn {
        let threads = if solved_count.load(std::sync::atomic::Ordering::SeqCst) >= levels {
            loaded.threads
        } else {
            1
        };
        let t = std::time::Instant::now();
        let shapes = zone_polygons_on(&pts, &labels, loaded.schools.len(), job.clip, threads);
        drop(labels);
        let zones_seconds = t.elapsed().as_secs_f64();
        let t = std::time::Instant::now();
        // The zones' facts and features for the summary and the
        // catchments file, beside the map when threads allow.
        let facts = || {
            (
                tiling(&shapes, job.clip),
                catchment_features(&loaded.schools, level, &assigned, &shapes),
            )
        };
        let (map_bytes, (tiling, features)) = std::thread::scope(|sc| {
            let side = (threads > 1).then(|| sc.spawn(facts));
            map.zones = map_zones(loaded, level, &shapes);
            let bytes = render_map_on(&map, threads);
            let facts = match side {
                Some(h) => h.join().expect("the zone facts thread does not panic"),
                None => facts(),
            };
            (bytes, facts)
        });
        drop(map);
        let (png, svg) = map_bytes;
        {
            let mut staged = job.staged.lock().expect("no thread panics holding it");
            staged.add(format!("maps/{}.png", level.as_str()), png);
            staged.add(format!("maps/{}.svg", level.as_str()), svg);
        }
        Drawn {
            shapes,
            tiling,
            features,
            zones_seconds,
            map_seconds: t.elapsed().as_secs_f64(),
        }
    };
    // Per level: its problem, and its assignment when already solved.
    let mut work: Vec<LevelWork<'a>> = Vec::new();
    // Feeder: the primary zones group the junior units.
    let mut feeder: Option<Vec<Option<u32>>> = None;
    for p in problems {
        match p.level {
            Level::Primary if job.z.feeder => {
                let la = solve_level(loaded, &p, job.z, job.stability, None)?;
                feeder = Some(feeder_groups(loaded, &la));
                work.push((p, Some(la), None));
            }
            Level::Junior if job.z.feeder => work.push((p, None, feeder.take())),
            _ => work.push((p, None, None)),
        }
    }
    let mut las: Vec<LevelAssignment> = Vec::new();
    let mut solved_at: Vec<f64> = Vec::new();
    let mut kept: Vec<LevelProblem<'a>> = Vec::new();
    let mut drawn: Vec<Drawn> = Vec::new();
    if loaded.threads <= 1 || work.len() <= 1 {
        for (p, s, g) in work {
            let (la, k, at) = solve(p, s, g)?;
            drawn.push(draw(la.level, prepare(&la)));
            las.push(la);
            solved_at.push(at);
            kept.extend(k);
        }
        on_solved(&las)?;
    } else {
        let (tx, rx) = std::sync::mpsc::channel::<(usize, Result<Solved<'a>, CliError>)>();
        std::thread::scope(|sc| {
            let handles: Vec<_> = work
                .into_iter()
                .enumerate()
                .map(|(k, (p, s, g))| {
                    let tx = tx.clone();
                    let (solve, prepare, draw) = (&solve, &prepare, &draw);
                    let solved_count = &solved_count;
                    sc.spawn(move || {
                        let r = solve(p, s, g);
                        solved_count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        let ready = r.as_ref().ok().map(|(la, _, _)| (la.level, prepare(la)));
                        // The receiver is only gone once the run failed.
                        let _ = tx.send((k, r));
                        ready.map(|(level, input)| draw(level, input))
                    })
                })
                .collect();
            drop(tx);
            let mut slots: Vec<Option<Solved<'a>>> = (0..levels).map(|_| None).collect();
            let mut result: Result<(), CliError> = Ok(());
            for (k, r) in rx.iter().take(levels) {
                match r {
                    Ok(x) => slots[k] = Some(x),
                    Err(e) => {
                        result = Err(e);
                        break;
                    }
                }
            }
            if result.is_ok() {
                for (la, k, at) in slots.into_iter().flatten() {
                    las.push(la);
                    solved_at.push(at);
                    kept.extend(k);
                }
                // The tables, while the levels still draw.
                result = on_solved(&las);
            }
            for h in handles {
                drawn.extend(h.join().expect("a level's thread does not panic"));
            }
            result
        })?;
    }
    let done = las
        .into_iter()
        .zip(solved_at)
        .zip(drawn)
        .map(|((la, solved_at), drawn)| LevelDone {
            la,
            solved_at,
            drawn,
        })
        .collect();
    Ok((done, kept))
}

/// Each unit's primary zone (the school of the nearest unit placed at
/// primary level, as the catchment polygons draw it).
fn feeder_groups(loaded: &Loaded, primary: &LevelAssignment) -> Vec<Option<u32>> {
    let pts: Vec<(f64, f64)> = loaded.units.iter().map(|u| (u.lon, u.lat)).collect();
    let lookup = ZoneLookup::new(&pts, &primary.zone_labels(pts.len()));
    pts.iter()
        .map(|&(lon, lat)| lookup.label_at(lon, lat).map(|j| j as u32))
        .collect()
}

/// Solves every level of a loaded scenario as `plan` does (road travel
/// when the scenario has roads), for the commands built on a plan.
pub fn solve_loaded(loaded: &Loaded) -> Result<Vec<LevelAssignment>, CliError> {
    let travel = loaded.travel();
    let probs = problems(loaded, travel);
    solve_levels(
        loaded,
        &probs,
        loaded.scenario.zones,
        loaded.scenario.stability_m_per_student,
    )
}

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
    let pts: Vec<(f64, f64)> = loaded.units.iter().map(|u| (u.lon, u.lat)).collect();
    super::par_map(loaded.threads, levels, |la| {
        zone_polygons(&pts, &la.zone_labels(pts.len()), loaded.schools.len(), clip)
    })
}

/// Zone facts for summary.json: tiling of the clip area and enclaves.
fn zone_facts(
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

/// Outcome of a plan: the exit code to use.
pub fn run(args: &PlanArgs) -> Result<i32, CliError> {
    let mut stages = super::Stages::default();
    super::check_out(&args.out)?;
    if let Some(key) = &args.public_key {
        crate::io::public::check_key(key).map_err(|e| CliError::Usage(e.to_string()))?;
    }
    let loaded = load(&args.inputs)?;
    stages.end("read");
    let travel = loaded.travel();
    let mut z = loaded.scenario.zones;
    z.whole_units |= args.whole_units;
    z.feeder |= args.feeder;
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
    let problems = problems(&loaded, travel);
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
    let clip = zone_clip(&loaded);
    let job = LevelJob {
        z,
        stability,
        clip: &clip,
        staged: &staged,
        clock: std::time::Instant::now(),
        keep: args.sweep.is_some(),
    };
    let (units, schools, policy) = (&loaded.units, &loaded.schools, &loaded.scenario.policy);
    // Per-household rows as published (--public) or as they are.
    // (Borrowed when not public: a province's units are not copied.)
    let public_units = match (args.public, &args.public_key) {
        (true, Some(key)) => Some(
            crate::io::public::public_units(units, key)
                .map_err(|e| CliError::Usage(e.to_string()))?,
        ),
        _ => None,
    };
    let row_units: &[Unit] = public_units.as_deref().unwrap_or(units);
    let add = |name: &str, bytes: Vec<u8>| {
        staged
            .lock()
            .expect("no thread panics holding it")
            .add(name, bytes);
    };
    // The per-household tables, made once every level is solved, while the
    // levels still draw their zones and maps.
    let tables = |levels: &[LevelAssignment]| -> Result<(), CliError> {
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
        Ok(())
    };
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
    let mut levels: Vec<LevelAssignment> = Vec::new();
    let mut shapes: Vec<Vec<MultiPolygon<f64>>> = Vec::new();
    let mut tilings: Vec<Tiling> = Vec::new();
    let mut features: Vec<Vec<String>> = Vec::new();
    for d in done {
        levels.push(d.la);
        shapes.push(d.drawn.shapes);
        tilings.push(d.drawn.tiling);
        features.push(d.drawn.features);
    }
    stages.end("levels");
    let sweep = match &args.sweep {
        Some(ws) => {
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
            Some(run_sweep(&loaded, &problems, z, &ws)?)
        }
        None => None,
    };
    if sweep.is_some() {
        stages.end("sweep");
    }
    drop(problems);
    let mut staged = staged.into_inner().expect("no thread panics holding it");
    // The summary's zone facts (every zone's area and overlaps: seconds at
    // a province) are worked out beside the catchments file.
    let summary = || {
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
            current: loaded.current.as_ref(),
            stability_m_per_student: if loaded.current.is_some() {
                stability
            } else {
                0.0
            },
            zones: Some(zone_facts(&loaded, &levels, &tilings, &shapes)),
        })
    };
    std::thread::scope(|sc| {
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
    // Files were staged as each was made (the maps and tables side by
    // side): listed in one order.
    const ORDER: [&str; 13] = [
        "assignment.csv",
        "assignment.geojson",
        "schools.csv",
        "catchments.geojson",
        "zones_by_area.csv",
        "moves.csv",
        "stability_sweep.csv",
        "summary.json",
        "timings.json",
        "maps/primary.png",
        "maps/primary.svg",
        "maps/junior.png",
        "maps/junior.svg",
    ];
    names.sort_by_key(|n| ORDER.iter().position(|o| o == n).unwrap_or(ORDER.len()));
    staged
        .commit(&args.out)
        .map_err(|e| CliError::Write(format!("{}: {e}", args.out.display())))?;

    report(&loaded, &levels, &args.out, &names);
    if let Some(rows) = &sweep {
        print_sweep(rows);
    }
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
            "  {:<8} {:>6} students, {:>6} placed, {:>5} unplaced; {:>6} seats; mean travel {:.0} m ({})",
            la.level.as_str(),
            la.students,
            placed,
            la.students - placed,
            seats,
            mean,
            if la.whole.is_some() {
                "whole units; the LP bound is certified"
            } else {
                "optimal, certified"
            }
        );
        if la.feeder_groups > 0 {
            eprintln!(
                "           feeder: junior zones are unions of the {} primary zones ({} could not stay whole)",
                la.feeder_groups,
                la.feeder_broken.len()
            );
        }
        if let Some(w) = &la.whole {
            eprintln!(
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
            eprintln!(
                "           contiguity: {} units moved to a neighbouring zone",
                la.contiguity_moves
            );
        }
        for e in &la.enclaves {
            eprintln!(
                "           enclave of {}: {} units, {} students ({}), first unit {}",
                loaded.schools[e.school].id,
                e.units.len(),
                e.students,
                e.why.as_str(),
                loaded.units[e.units[0]].id
            );
        }
        if let Some(c) = &loaded.current {
            eprintln!(
                "           {} students moved from their current zone's school (moves.csv)",
                moved(la, &c[la.level.index()])
            );
        }
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
        gap: None,
    }
}

/// A map's zones: (index among the schools that take catchment at `level`,
/// zone) for each school with a zone.
fn map_zones<'a>(
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

/// One solve of the stability sweep, per level.
pub struct SweepRow {
    pub weight: f64,
    pub level: Level,
    pub moved: u64,
    pub placed: u64,
    pub unplaced: u64,
    pub objective_mm: i128,
    pub gap: Option<f64>,
}

fn run_sweep(
    loaded: &Loaded,
    problems: &[LevelProblem],
    z: ZoneOptions,
    weights: &[f64],
) -> Result<Vec<SweepRow>, CliError> {
    let current = loaded.current.as_ref().expect("sweep needs current zones");
    let mut rows = Vec::new();
    for &w in weights {
        for la in solve_levels(loaded, problems, z, w)? {
            rows.push(SweepRow {
                weight: w,
                level: la.level,
                moved: moved(&la, &current[la.level.index()]),
                placed: la.placed(),
                unplaced: la.students - la.placed(),
                objective_mm: la.objective_mm(),
                gap: la.gap(),
            });
        }
    }
    Ok(rows)
}

fn sweep_csv(rows: &[SweepRow]) -> String {
    let mut s = String::from(
        "stability_m_per_student,level,moved,placed,unplaced,objective_student_m,mean_travel_m,gap_to_lp_bound\n",
    );
    for r in rows {
        s.push_str(&format!(
            "{},{},{},{},{},{:.3},{:.3},{}\n",
            r.weight,
            r.level.as_str(),
            r.moved,
            r.placed,
            r.unplaced,
            r.objective_mm as f64 / 1000.0,
            if r.placed > 0 {
                r.objective_mm as f64 / 1000.0 / r.placed as f64
            } else {
                0.0
            },
            r.gap.map_or(String::new(), |g| format!("{g:.6}")),
        ));
    }
    s
}

fn print_sweep(rows: &[SweepRow]) {
    eprintln!("stability sweep: travel against students moved from their current school");
    eprintln!(
        "  {:>10}  {:<8} {:>7} {:>9} {:>14} {:>9}",
        "weight m", "level", "moved", "unplaced", "mean travel m", "total km"
    );
    for r in rows {
        eprintln!(
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
