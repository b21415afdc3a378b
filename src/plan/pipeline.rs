//! `plan`'s pipeline: every level solved, then its zones drawn and its map
//! made, each level on its own thread, handing each map to a sink as soon
//! as it is drawn. Pure: the sink decides where bytes go.

use super::zones::{map_boarding_areas, map_input, map_labels, map_zones};
use super::{Loaded, PlanError, PlanSettings, feeder_groups, level_options, solve_level};
use crate::assign::{LevelAssignment, LevelProblem};
use crate::io::results::catchment_features;
use crate::model::Level;
use crate::render::{MapInput, render_map_on};
use crate::zones::geometry::{Tiling, tiling, zone_polygons_on};
use geo::MultiPolygon;

/// One level of a plan done: its assignment, when it was solved, and what
/// was drawn from it.
pub struct LevelDone {
    pub la: LevelAssignment,
    /// Seconds from the start of the levels' stage to the end of the solve.
    pub solved_at: f64,
    pub drawn: Drawn,
}

/// A level to plan: its problem, its assignment when already solved, and
/// its feeder groups.
type LevelWork<'a> = (
    LevelProblem<'a>,
    Option<LevelAssignment>,
    Option<Vec<Option<u32>>>,
);

/// What `plan_levels` needs beside the problems.
pub struct LevelJob<'s> {
    pub settings: PlanSettings,
    /// The area the zones tile (`zone_clip`).
    pub clip: &'s MultiPolygon<f64>,
    /// Where each map goes as soon as it is drawn: (file name, bytes).
    pub sink: &'s (dyn Fn(String, Vec<u8>) + Sync),
    pub clock: std::time::Instant,
    /// Keep the problems (their arcs) for more solves (the sweep).
    pub keep: bool,
}

/// A level solved: its assignment, its problem when kept, and seconds from
/// the start of the levels' stage.
type Solved<'a> = (LevelAssignment, Option<LevelProblem<'a>>, f64);

/// A level drawn: its catchment polygons, how they tile the clip area,
/// their features for catchments.geojson, and the seconds its polygons
/// and its map took.
pub struct Drawn {
    pub shapes: Vec<MultiPolygon<f64>>,
    pub tiling: Tiling,
    pub features: Vec<String>,
    pub zones_seconds: f64,
    pub map_seconds: f64,
}

/// What drawing needs of a level's assignment, taken before it is handed
/// on: the zone of each unit, the map without its zones, and the students
/// placed at each school.
pub struct Prepared<'a> {
    labels: Vec<Option<usize>>,
    /// The map's labels when some students board ([`map_labels`]).
    map_labels: Option<Vec<Option<usize>>>,
    map: MapInput<'a>,
    assigned: Vec<u64>,
}

/// [`Prepared`] of a level's assignment.
pub fn prepare<'a>(loaded: &'a Loaded, la: &LevelAssignment) -> Prepared<'a> {
    Prepared {
        labels: la.zone_labels(loaded.units.len()),
        map_labels: map_labels(loaded, la),
        map: map_input(loaded, la, &[]),
        assigned: la.assigned.clone(),
    }
}

/// A level's zones drawn on `threads` threads: its catchment polygons, how
/// they tile `clip`, its catchments features, and its map (PNG and SVG,
/// handed to `sink` as `maps/<level>.png` and `.svg`).
pub fn draw_level(
    loaded: &Loaded,
    level: Level,
    prepared: Prepared,
    clip: &MultiPolygon<f64>,
    threads: usize,
    sink: &(dyn Fn(String, Vec<u8>) + Sync),
) -> Drawn {
    let Prepared {
        labels,
        map_labels,
        mut map,
        assigned,
    } = prepared;
    let pts = loaded.points();
    let t = std::time::Instant::now();
    let n = loaded.schools.len();
    let shapes = zone_polygons_on(&pts, &labels, n, clip, threads);
    drop(labels);
    // Boarding pupils drawn apart on the map: its own zones (the
    // catchments file keeps `shapes`).
    let map_shapes = map_labels.map(|l| zone_polygons_on(&pts, &l, 2 * n, clip, threads));
    let zones_seconds = t.elapsed().as_secs_f64();
    let t = std::time::Instant::now();
    // The zones' facts and features for the summary and the catchments
    // file, beside the map when threads allow.
    let facts = || {
        (
            tiling(&shapes, clip),
            catchment_features(&loaded.schools, level, &assigned, &shapes),
        )
    };
    let (map_bytes, (tiling, features)) = std::thread::scope(|sc| {
        let side = (threads > 1).then(|| sc.spawn(facts));
        let drawn = map_shapes.as_deref().unwrap_or(&shapes);
        map.zones = map_zones(loaded, level, drawn);
        map.boarding_areas = map_boarding_areas(loaded, level, drawn);
        let bytes = render_map_on(&map, threads);
        let facts = match side {
            Some(h) => h.join().expect("the zone facts thread does not panic"),
            None => facts(),
        };
        (bytes, facts)
    });
    drop(map);
    let (png, svg) = map_bytes;
    sink(format!("maps/{}.png", level.as_str()), png);
    sink(format!("maps/{}.svg", level.as_str()), svg.into_bytes());
    Drawn {
        shapes,
        tiling,
        features,
        zones_seconds,
        map_seconds: t.elapsed().as_secs_f64(),
    }
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
pub fn plan_levels<'a>(
    loaded: &'a Loaded,
    problems: Vec<LevelProblem<'a>>,
    job: &LevelJob,
    on_solved: impl FnOnce(&[LevelAssignment]),
) -> Result<(Vec<LevelDone>, Vec<LevelProblem<'a>>), PlanError> {
    let solve = |p: LevelProblem<'a>,
                 solved: Option<LevelAssignment>,
                 groups: Option<Vec<Option<u32>>>|
     -> Result<Solved<'a>, PlanError> {
        let (la, kept) = match (solved, job.keep) {
            (Some(la), keep) => (la, keep.then_some(p)),
            (None, true) => (
                solve_level(loaded, &p, job.settings, groups.as_deref())?,
                Some(p),
            ),
            (None, false) => {
                let level = p.level;
                let opts = level_options(loaded, level, job.settings, groups.as_deref(), None);
                let la = p.solve_once(&opts)?;
                (la, None)
            }
        };
        Ok((la, kept, job.clock.elapsed().as_secs_f64()))
    };
    let prepare = |la: &LevelAssignment| prepare(loaded, la);
    // Levels solved so far: a level drawing while another still solves
    // draws on one thread (the solve keeps the other core); once all are
    // solved, on every thread.
    let solved_count = std::sync::atomic::AtomicUsize::new(0);
    let levels = problems.len();
    let draw = |level: Level, prepared: Prepared<'a>| -> Drawn {
        let threads = if solved_count.load(std::sync::atomic::Ordering::SeqCst) >= levels {
            loaded.threads
        } else {
            1
        };
        draw_level(loaded, level, prepared, job.clip, threads, job.sink)
    };
    // Per level: its problem, and its assignment when already solved.
    let mut work: Vec<LevelWork<'a>> = Vec::new();
    // Feeder: the primary zones group the junior units.
    let mut feeder: Option<Vec<Option<u32>>> = None;
    for p in problems {
        match p.level {
            Level::Primary if job.settings.zones.feeder => {
                let la = solve_level(loaded, &p, job.settings, None)?;
                feeder = Some(feeder_groups(loaded, &la));
                work.push((p, Some(la), None));
            }
            Level::Junior if job.settings.zones.feeder => work.push((p, None, feeder.take())),
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
        on_solved(&las);
    } else {
        let (tx, rx) = std::sync::mpsc::channel::<(usize, Result<Solved<'a>, PlanError>)>();
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
            let mut result: Result<(), PlanError> = Ok(());
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
                on_solved(&las);
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
