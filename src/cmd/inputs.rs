//! The input flags shared by `plan` and `validate`, and loading them into
//! the model: scenario, households, schools, boundary, roads, cohorts,
//! today's catchments and a planner's pins.

use super::CliError;
use crate::assign::LevelDemand;
use crate::io::{
    CurrentZone, InputError, InputErrors, PinRow, Scenario, read_boundary, read_current,
    read_households, read_pins, read_roads_with_warnings, read_scenario, read_schools,
};
use crate::model::{Edit, Level, School, Sector, Unit, apply_edits};
use crate::spatial::coords::CoordSystem;
use crate::spatial::network::{RoadGraph, SNAP_WARN_M};
use chrono::Datelike;
use clap::Args;
use geo::{BoundingRect, Contains, Intersects, MapCoordsInPlace, MultiPolygon, Point};
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The bundled example's scenario, found from the source tree.
pub const EXAMPLE_CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/wuzhai/scenario.toml");

#[derive(Args, Debug, Clone, Default)]
pub struct InputArgs {
    /// Scenario file (scenario.toml): input paths, policy, weights. Paths in
    /// it are relative to the file. Flags below override it.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Households or blocks: GeoJSON Points (`children`, `ages` or
    /// `demand`), or a household table, one child per row: .csv (UTF-8 or
    /// GBK) or .xlsx (first sheet). Chosen by the file's extension.
    #[arg(long, value_name = "FILE")]
    pub households: Option<PathBuf>,
    /// Schools (GeoJSON Points with level, sector, seats).
    #[arg(long, value_name = "FILE")]
    pub schools: Option<PathBuf>,
    /// County boundary (GeoJSON Polygon/MultiPolygon), for maps and checks.
    #[arg(long, value_name = "FILE")]
    pub boundary: Option<PathBuf>,
    /// Road network: GeoJSON LineStrings (`highway`, `speed_kmh`, `oneway`)
    /// or an OpenStreetMap extract (`.osm.pbf`). Without it, travel is the
    /// straight line.
    #[arg(long, value_name = "FILE")]
    pub roads: Option<PathBuf>,
    /// Today's catchments (GeoJSON Polygons with school_id, level): moves
    /// are counted against them.
    #[arg(long, value_name = "FILE")]
    pub current: Option<PathBuf>,
    /// unit_id,school_id rows: a planner's fixed choices, kept.
    #[arg(long, value_name = "FILE")]
    pub pins: Option<PathBuf>,
    /// Plan another entry year from the same census (children already born
    /// by the census date): next year's shortages on the map now.
    #[arg(long, value_name = "YYYY")]
    pub year: Option<i32>,
    /// Coordinate system of every input geometry, converted to WGS84 on
    /// read: wgs84 (GPS, OpenStreetMap, most GIS files; the default), gcj02
    /// (Amap/Gaode, Tencent) or bd09 (Baidu). Also `[inputs] coords`.
    #[arg(
        long,
        value_name = "SYSTEM",
        value_parser = clap::builder::TypedValueParser::map(
            clap::builder::PossibleValuesParser::new(["wgs84", "gcj02", "bd09"]),
            |s: String| CoordSystem::parse(&s).unwrap_or_default()
        )
    )]
    pub coords: Option<CoordSystem>,
    /// Threads for the road travel search (default: every core; also the
    /// environment variable CATCHMENT_THREADS). Outputs are byte-identical
    /// for any count.
    #[arg(long, value_name = "N")]
    pub threads: Option<std::num::NonZeroUsize>,
}

/// Everything a run needs, validated.
pub struct Loaded {
    pub scenario: Scenario,
    pub units: Vec<Unit>,
    pub schools: Vec<School>,
    pub boundary: Option<MultiPolygon<f64>>,
    /// Entry-cohort demand per level (index `Level::index`).
    pub demand: [LevelDemand; 2],
    /// Students without hukou or residence permit (or not stated), per level.
    pub without_residence: [u64; 2],
    /// The road network, when given (`--roads` or `[inputs] roads`).
    pub roads: Option<RoadGraph>,
    /// Threads a run may use (`--threads`, `CATCHMENT_THREADS`, else the
    /// machine's cores).
    pub threads: usize,
    /// Ids of units farther than `SNAP_WARN_M` from any road (their
    /// straight access leg is counted).
    pub far_from_road: Vec<String>,
    /// Ids of units outside the boundary (placed anyway).
    pub outside_boundary: Vec<String>,
    /// With current zones (`--current` or `[inputs] current`): per level
    /// (index `Level::index`), per unit, the index in `schools` of the
    /// school whose current zone holds the unit; `None` outside every zone
    /// of that level.
    pub current: Option<[Vec<Option<usize>>; 2]>,
    /// Per level, per unit, the school a planner pinned the unit to (index
    /// in `schools`); all `None` without pins.
    pub pins: [Vec<Option<usize>>; 2],
    /// The current zones and pins files read, for messages.
    pub current_path: Option<PathBuf>,
    /// Ids of schools closed by the scenario's `[[edit]]`s; in `current`,
    /// index `schools.len() + k` is `closed[k]`.
    pub closed: Vec<String>,
    pub pins_path: Option<PathBuf>,
    pub config_path: Option<PathBuf>,
}

impl InputArgs {
    fn is_empty(&self) -> bool {
        self.config.is_none()
            && self.households.is_none()
            && self.schools.is_none()
            && self.boundary.is_none()
            && self.roads.is_none()
            && self.current.is_none()
            && self.pins.is_none()
    }
}

/// The thread count in the environment variable `CATCHMENT_THREADS`, read
/// here at the command-line edge (the core takes it as an option); unset or
/// empty: `None`.
pub fn threads_from_env() -> Result<Option<std::num::NonZeroUsize>, CliError> {
    match std::env::var("CATCHMENT_THREADS") {
        Err(std::env::VarError::NotPresent) => Ok(None),
        Ok(v) if v.trim().is_empty() => Ok(None),
        Ok(v) => v.trim().parse().map(Some).map_err(|_| {
            CliError::Usage(format!(
                "CATCHMENT_THREADS: expected a whole number of threads >= 1, found \"{v}\""
            ))
        }),
        Err(std::env::VarError::NotUnicode(v)) => Err(CliError::Usage(format!(
            "CATCHMENT_THREADS: expected a whole number of threads >= 1, found {v:?}"
        ))),
    }
}

impl Loaded {
    /// How travel is measured: by road when the scenario has roads, else
    /// the straight line.
    pub fn travel(&self) -> crate::assign::Travel<'_> {
        match &self.roads {
            Some(g) => crate::assign::Travel::Roads(g),
            None => crate::assign::Travel::Straight,
        }
    }
}

pub fn load(args: &InputArgs) -> Result<Loaded, CliError> {
    let today = chrono::Local::now().date_naive();
    let config = match (&args.config, args.is_empty()) {
        (Some(c), _) => Some(c.clone()),
        (None, true) => Some(PathBuf::from(EXAMPLE_CONFIG)),
        (None, false) => None,
    };
    let mut scenario = match &config {
        Some(c) => read_scenario(c, today.year())?,
        None => Scenario::standard(today.year()),
    };
    if let Some(y) = args.year {
        // The census stays where it was; only the entry year moves.
        let p = &mut scenario.policy;
        p.census_date = Some(p.census_date());
        p.entry_year = y;
        let census = p.census_date();
        let (_, last_birth) = p.birth_window(Level::Primary);
        if !(1900..=2200).contains(&y) || last_birth > census {
            return Err(CliError::Usage(format!(
                "--year {y}: its primary entry cohort is born up to {last_birth}, after the census of {census}; \
                 plan years whose children are all born by the census (at most {}), and use `catchment forecast` beyond",
                census.year() + p.entry_age as i32
                    - i32::from((census.month(), census.day()) < (p.cutoff.month, p.cutoff.day))
            )));
        }
    }
    if let Some(h) = &args.households {
        scenario.inputs.households = Some(h.clone());
    }
    if let Some(s) = &args.schools {
        scenario.inputs.schools = Some(s.clone());
    }
    if let Some(b) = &args.boundary {
        scenario.inputs.boundary = Some(b.clone());
    }
    if let Some(r) = &args.roads {
        scenario.inputs.roads = Some(r.clone());
    }
    if let Some(c) = &args.current {
        scenario.inputs.current = Some(c.clone());
    }
    if let Some(p) = &args.pins {
        scenario.inputs.pins = Some(p.clone());
    }
    let need = |p: &Option<PathBuf>, what: &str| -> Result<PathBuf, CliError> {
        p.clone().ok_or_else(|| {
            CliError::Usage(format!(
                "no {what} file: give --{what} FILE or set [inputs] {what} in the scenario (--config)"
            ))
        })
    };
    let hh_path = need(&scenario.inputs.households, "households")?;
    let sc_path = need(&scenario.inputs.schools, "schools")?;
    // A missing file: say which setting named it.
    let named = [
        ("households", Some(&hh_path)),
        ("schools", Some(&sc_path)),
        ("boundary", scenario.inputs.boundary.as_ref()),
        ("roads", scenario.inputs.roads.as_ref()),
        ("current", scenario.inputs.current.as_ref()),
        ("pins", scenario.inputs.pins.as_ref()),
    ];
    for (what, p) in named {
        if let Some(p) = p
            && !p.is_file()
        {
            let by = match &config {
                Some(c) => format!("--{what} or [inputs] {what} in {}", c.display()),
                None => format!("--{what}"),
            };
            return Err(InputError::new(
                &p.display().to_string(),
                format!("an existing file (named by {by})"),
                if p.exists() {
                    "a folder"
                } else {
                    "no such file"
                },
            )
            .into());
        }
    }
    let policy = scenario.policy.clone();
    // A birth after the census date is an error; without a census date, a
    // birth after today is.
    let latest_birth = policy.census_date.unwrap_or(today);

    let threads = match args.threads {
        Some(n) => Some(n),
        None => threads_from_env()?,
    };
    let threads_n = threads.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        |n| n.get(),
    );
    let coords = args.coords.or(scenario.inputs.coords).unwrap_or_default();
    // The road network is read and built beside the households when two
    // threads may run (each takes seconds at a province); its errors keep
    // their place in the list.
    let roads_path = scenario.inputs.roads.clone();
    let read_roads = || roads_path.as_ref().map(|r| road_network(r, coords));
    let (units, roads) = std::thread::scope(|sc| {
        let job = (threads_n > 1 && roads_path.is_some()).then(|| sc.spawn(read_roads));
        let units = read_households(&hh_path, latest_birth).each_note(|n| eprintln!("note: {n}"));
        let roads = match job {
            Some(h) => h.join().expect("the road reading thread does not panic"),
            None => read_roads(),
        };
        (units, roads)
    });
    let mut errs = InputErrors::default();
    let units = units.map_err(|e| errs.extend(e)).ok();
    let schools = read_schools(&sc_path).map_err(|e| errs.extend(e)).ok();
    let mut boundary = match &scenario.inputs.boundary {
        Some(b) => read_boundary(b).map_err(|e| errs.push(e)).ok(),
        None => None,
    };
    let roads = match roads {
        Some(Ok((g, warnings))) => {
            for w in warnings.iter().take(5) {
                eprintln!("warning: {w}");
            }
            if warnings.len() > 5 {
                eprintln!("warning: ... and {} more road warnings", warnings.len() - 5);
            }
            Some(g)
        }
        Some(Err(e)) => {
            errs.extend(e);
            None
        }
        None => None,
    };
    let current_path = scenario.inputs.current.clone();
    let mut zones = match &current_path {
        Some(c) => read_current(c).map_err(|e| errs.extend(e)).ok(),
        None => None,
    };
    let pins_path = scenario.inputs.pins.clone();
    let pin_rows = match &pins_path {
        Some(p) => read_pins(p)
            .each_note(|n| eprintln!("note: {n}"))
            .map_err(|e| errs.extend(e))
            .ok(),
        None => None,
    };
    let (Some(mut units), Some(mut schools)) = (units, schools) else {
        return Err(CliError::Input(errs));
    };
    if !errs.is_empty() {
        return Err(CliError::Input(errs));
    }
    // Every geometry to WGS84 before anything compares positions
    // (boundary, zones, travel; the roads were converted as read).
    if coords != CoordSystem::Wgs84 {
        eprintln!(
            "note: input coordinates read as {} and converted to WGS84",
            match coords {
                CoordSystem::Gcj02 => "GCJ-02 (Amap/Gaode, Tencent)",
                CoordSystem::Bd09 => "BD-09 (Baidu)",
                CoordSystem::Wgs84 => "WGS84",
            }
        );
        to_wgs84(
            coords,
            &mut units,
            &mut schools,
            &mut scenario.edits,
            &mut boundary,
            &mut zones,
        );
    }

    let mut demand: [LevelDemand; 2] = Default::default();
    let mut without_residence = [0u64; 2];
    // An entry year the `ages` counts cannot reach is one mistake, not one
    // per unit: report the first unit and count the rest.
    let mut cohort_err: Option<(usize, String)> = None;
    let mut cohort_errs = 0usize;
    for (index, u) in units.iter().enumerate() {
        for level in Level::ALL {
            match policy.cohort(&u.demand, level) {
                Ok(c) => {
                    let d = &mut demand[level.index()];
                    d.students.push(c.students);
                    d.special_needs.push(c.special_needs);
                    without_residence[level.index()] += c.without_residence as u64;
                }
                Err(e) => {
                    cohort_errs += 1;
                    cohort_err.get_or_insert((index, e.to_string()));
                }
            }
        }
    }
    if let Some((index, msg)) = cohort_err {
        let more = if cohort_errs > 1 {
            format!(" (and {} more unit-levels like it)", cohort_errs - 1)
        } else {
            String::new()
        };
        errs.push(
            InputError::new(
                &hh_path.display().to_string(),
                "counts that cover the entry cohort",
                format!("{msg}{more}"),
            )
            .at(crate::io::geojson::feature_at(
                index,
                Some(&units[index].id),
            ))
            .field("ages"),
        );
    }
    let names = Names {
        households: hh_path.display().to_string(),
        schools: sc_path.display().to_string(),
    };
    let mut warnings = Vec::new();
    let mut current = match (&zones, &current_path) {
        (Some(z), Some(p)) => {
            match current_schools(
                z,
                &units,
                &schools,
                &demand,
                &p.display().to_string(),
                &names,
            ) {
                Ok((c, w)) => {
                    warnings.extend(w);
                    Some(c)
                }
                Err(e) => {
                    errs.extend(e);
                    None
                }
            }
        }
        _ => None,
    };
    let no_pins = || [vec![None; units.len()], vec![None; units.len()]];
    let mut pins = match (&pin_rows, &pins_path) {
        (Some(rows), Some(p)) => {
            pinned_schools(rows, &units, &schools, &p.display().to_string(), &names).unwrap_or_else(
                |e| {
                    errs.extend(e);
                    no_pins()
                },
            )
        }
        _ => no_pins(),
    };
    // What-if edits (`[[edit]]`) change the schools read, in order. Today's
    // zones and the pins name the schools as read: a closed school keeps an
    // index past the open ones (`Loaded::closed`), so its zone's students
    // count as moved.
    let mut closed = Vec::new();
    if let (Some(c), false) = (&config, scenario.edits.is_empty()) {
        let read = schools.clone();
        match apply_edits(&mut schools, &scenario.edits, &policy) {
            Err(e) => errs.push(
                InputError::new(&c.display().to_string(), e.expected, e.found)
                    .at(format!("[[edit]] {}", e.edit))
                    .field(e.field),
            ),
            Ok(()) => {
                let index: HashMap<&str, usize> = schools
                    .iter()
                    .enumerate()
                    .map(|(j, s)| (s.id.as_str(), j))
                    .collect();
                for s in &read {
                    if !index.contains_key(s.id.as_str()) {
                        closed.push(s.id.clone());
                    }
                }
                let now = |j: usize| -> usize {
                    match index.get(read[j].id.as_str()) {
                        Some(&k) => k,
                        None => {
                            schools.len()
                                + closed.iter().position(|c| c == &read[j].id).unwrap_or(0)
                        }
                    }
                };
                if let Some(cur) = current.as_mut() {
                    for level in cur.iter_mut() {
                        for j in level.iter_mut().flatten() {
                            *j = now(*j);
                        }
                    }
                }
                let mut dropped = 0;
                for level in pins.iter_mut() {
                    for p in level.iter_mut() {
                        if let Some(j) = *p {
                            let k = now(j);
                            if k >= schools.len() {
                                dropped += 1;
                                *p = None;
                            } else {
                                *p = Some(k);
                            }
                        }
                    }
                }
                if dropped > 0 {
                    warnings.push(format!(
                        "{dropped} pins name a school this scenario closes ([[edit]]); they are not kept"
                    ));
                }
            }
        }
    }
    if !errs.is_empty() {
        return Err(CliError::Input(errs));
    }
    for w in warnings {
        eprintln!("warning: {w}");
    }
    for level in Level::ALL {
        if schools.iter().all(|s| !s.takes_catchment(level))
            && demand[level.index()].students.iter().any(|&s| s > 0)
        {
            eprintln!(
                "warning: no public {} school in {}: every {} student will be unplaced",
                level.as_str(),
                sc_path.display(),
                level.as_str()
            );
        }
    }
    let outside_boundary = match &boundary {
        Some(b) => units
            .iter()
            .filter(|u| !b.contains(&Point::new(u.lon, u.lat)))
            .map(|u| u.id.clone())
            .collect(),
        None => vec![],
    };
    let t0 = std::time::Instant::now();
    let roads = roads.map(|mut g| {
        g.set_threads(threads);
        // Units are snapped once here, for this check and every level's
        // travel.
        let points: Vec<(f64, f64)> = units.iter().map(|u| (u.lon, u.lat)).collect();
        g.remember_snaps(&points);
        g
    });
    eprintln!("T snaps {:?}", t0.elapsed());
    let far_from_road = match &roads {
        Some(g) => units
            .iter()
            .enumerate()
            .filter(|(i, u)| {
                g.snap_of(*i, u.lon, u.lat)
                    .is_none_or(|s| s.access_m > SNAP_WARN_M)
            })
            .map(|(_, u)| u.id.clone())
            .collect(),
        None => vec![],
    };
    Ok(Loaded {
        scenario,
        units,
        schools,
        boundary,
        demand,
        without_residence,
        outside_boundary,
        roads,
        threads: threads_n,
        far_from_road,
        current,
        pins,
        current_path,
        pins_path,
        closed,
        config_path: config,
    })
}

/// Convert every input position from `coords` to WGS84: units, schools,
/// schools opened by `[[edit]]`, the boundary and current zones (road lines:
/// [`road_network`]).
fn to_wgs84(
    coords: CoordSystem,
    units: &mut [Unit],
    schools: &mut [School],
    edits: &mut [Edit],
    boundary: &mut Option<MultiPolygon<f64>>,
    zones: &mut Option<Vec<CurrentZone>>,
) {
    let conv = |lon: &mut f64, lat: &mut f64| {
        (*lon, *lat) = coords.to_wgs84(*lon, *lat);
    };
    for u in units.iter_mut() {
        conv(&mut u.lon, &mut u.lat);
    }
    for s in schools.iter_mut() {
        conv(&mut s.lon, &mut s.lat);
    }
    for e in edits.iter_mut() {
        if let Edit::Open { school } = e {
            conv(&mut school.lon, &mut school.lat);
        }
    }
    let poly = |c: geo::Coord<f64>| {
        let (x, y) = coords.to_wgs84(c.x, c.y);
        geo::Coord { x, y }
    };
    if let Some(b) = boundary.as_mut() {
        b.map_coords_in_place(poly);
    }
    for z in zones.iter_mut().flatten() {
        z.area.map_coords_in_place(poly);
    }
}

/// The road network of a file: its lines read, converted from `coords` to
/// WGS84, and built into a graph; with the reader's warnings.
fn road_network(path: &Path, coords: CoordSystem) -> Result<(RoadGraph, Vec<String>), InputErrors> {
    let (mut lines, warnings) = read_roads_with_warnings(path)?;
    if coords != CoordSystem::Wgs84 {
        for line in &mut lines {
            for (lon, lat) in line.coords.iter_mut() {
                (*lon, *lat) = coords.to_wgs84(*lon, *lat);
            }
        }
    }
    Ok((RoadGraph::build(&lines), warnings))
}

/// Per level (index `Level::index`), per unit: a school index, or none.
type SchoolOfUnit = [Vec<Option<usize>>; 2];

/// The households and schools files, named in messages about the ids
/// other files refer to.
struct Names {
    households: String,
    schools: String,
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
fn current_schools(
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

/// The pinned school of every unit, per level: a row pins its unit at every
/// level its school takes catchment at.
fn pinned_schools(
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
        let levels: Vec<Level> = Level::ALL
            .into_iter()
            .filter(|&l| s.takes_catchment(l))
            .collect();
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

/// A short description of where the inputs came from, for messages.
pub fn describe(l: &Loaded) -> String {
    match &l.config_path {
        Some(p) if p == Path::new(EXAMPLE_CONFIG) => {
            "the bundled Wuzhai example (synthetic example data)".into()
        }
        Some(p) => p.display().to_string(),
        None => "the given files".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Demand, PerLevel, SchoolKind};
    use geo::{LineString, Polygon};

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
