//! Loading a scenario: the files a request names (scenario, households,
//! schools, boundary, roads, today's zones, pins) read, checked against each
//! other and assembled into a [`Loaded`] scenario for the planning engine.
//! Every refusal names its file and place; nothing is printed (what is not
//! an error is returned in [`Loaded::notes`]).

mod cohorts;
mod links;

use crate::io::{
    CurrentZone, InputError, InputErrors, PinRow, Scenario, read_boundary, read_current,
    read_households, read_pins, read_roads_with_warnings, read_scenario, read_schools,
};
use crate::model::{Edit, Level, School, Unit};
use crate::plan::{Loaded, Source};
use crate::spatial::coords::CoordSystem;
use crate::spatial::network::{RoadGraph, SNAP_WARN_M};
use chrono::{Datelike, NaiveDate};
use geo::{Contains, MapCoordsInPlace, MultiPolygon, Point};
use links::{Names, current_schools, pinned_schools};
use std::fmt;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

/// The bundled example's scenario, found from the source tree.
pub const EXAMPLE_CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/wuzhai/scenario.toml");

/// What to load: a scenario file and the files that override it (as the
/// command-line flags name them). With nothing named, the bundled example.
#[derive(Clone, Debug, Default)]
pub struct LoadRequest {
    pub config: Option<PathBuf>,
    pub households: Option<PathBuf>,
    pub schools: Option<PathBuf>,
    pub boundary: Option<PathBuf>,
    pub roads: Option<PathBuf>,
    pub current: Option<PathBuf>,
    pub pins: Option<PathBuf>,
    /// Plan this entry year from the same census.
    pub year: Option<i32>,
    /// Coordinate system of every input geometry (else the scenario's, else
    /// WGS84).
    pub coords: Option<CoordSystem>,
    /// Threads a run may use; `None`: every core.
    pub threads: Option<NonZeroUsize>,
    /// Plan even when most units lie outside the boundary or far from
    /// every road (refused otherwise: a shifted, projected or swapped file).
    pub allow_outside: bool,
}

impl LoadRequest {
    /// Whether the request names no scenario of its own (no config, no
    /// households, no schools): the bundled example is planned, with any
    /// other file named (pins, current zones, roads, boundary) over its own.
    fn names_no_scenario(&self) -> bool {
        self.config.is_none() && self.households.is_none() && self.schools.is_none()
    }
}

/// Why a scenario could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// The request itself is wrong (a year out of reach, no households file).
    Usage(String),
    /// One or more files are wrong, each error located; with the notes
    /// the readers made before (a CSV read as GBK), for the user to see
    /// beside the errors.
    Input {
        errors: InputErrors,
        notes: Vec<String>,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Usage(s) => write!(f, "{s}"),
            LoadError::Input { errors, .. } => write!(f, "{errors}"),
        }
    }
}

impl std::error::Error for LoadError {}

impl From<InputErrors> for LoadError {
    fn from(errors: InputErrors) -> Self {
        LoadError::Input {
            errors,
            notes: Vec::new(),
        }
    }
}

impl From<InputError> for LoadError {
    fn from(e: InputError) -> Self {
        InputErrors::from(e).into()
    }
}

/// Load and check everything `req` names; `today` stands for the census
/// date when the scenario gives none (no birth may come after it).
pub fn load(req: &LoadRequest, today: NaiveDate) -> Result<Loaded, LoadError> {
    let config = match (&req.config, req.names_no_scenario()) {
        (Some(c), _) => Some(c.clone()),
        (None, true) => Some(PathBuf::from(EXAMPLE_CONFIG)),
        (None, false) => None,
    };
    let mut scenario = scenario_of(req, config.as_deref(), today)?;
    let (hh_path, sc_path) = check_files(&scenario, config.as_deref())?;
    let threads = req.threads.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        |n| n.get(),
    );
    let coords = req.coords.or(scenario.inputs.coords).unwrap_or_default();
    let latest_birth = scenario.policy.census_date.unwrap_or(today);
    let mut files = read_files(&scenario, &hh_path, &sc_path, coords, threads, latest_birth)?;
    let mut notes = std::mem::take(&mut files.notes);
    if coords != CoordSystem::Wgs84 {
        notes.push(format!(
            "note: input coordinates read as {} and converted to WGS84",
            match coords {
                CoordSystem::Gcj02 => "GCJ-02 (Amap/Gaode, Tencent)",
                CoordSystem::Bd09 => "BD-09 (Baidu)",
                CoordSystem::Wgs84 => "WGS84",
            }
        ));
        files.convert_to_wgs84(coords, &mut scenario.edits);
    }
    let names = Names {
        households: hh_path.display().to_string(),
        schools: sc_path.display().to_string(),
    };
    let source = Source {
        example: config.as_deref() == Some(Path::new(EXAMPLE_CONFIG)),
        config,
        current: scenario.inputs.current.clone(),
        pins: scenario.inputs.pins.clone(),
    };
    // The readers' notes stay beside a refusal found when the files are
    // checked against each other (a pins table read as GBK names an
    // unknown unit).
    let mut loaded = assemble(scenario, files, &names, source, threads).map_err(|e| match e {
        LoadError::Input { errors, .. } => LoadError::Input {
            errors,
            notes: notes.clone(),
        },
        other => other,
    })?;
    notes.append(&mut loaded.notes);
    for level in Level::ALL {
        if loaded.schools.iter().all(|s| !s.takes_catchment(level))
            && loaded.demand[level.index()].students.iter().any(|&s| s > 0)
        {
            notes.push(format!(
                "warning: no public {} school in {}: every {} student will be unplaced",
                level.as_str(),
                sc_path.display(),
                level.as_str()
            ));
        }
    }
    loaded.notes = notes;
    locate_units(&mut loaded, req.threads);
    if !req.allow_outside {
        check_units_where(&loaded, &hh_path)?;
    }
    Ok(loaded)
}

/// More than half of the units outside the boundary, or farther than
/// `SNAP_WARN_M` from every road, is a mistake in the inputs (coordinates
/// shifted or projected, lon/lat swapped, another county's file or road
/// extract), not a county to plan: refused, naming the share and the first
/// such unit. A few such units stay warnings.
fn check_units_where(loaded: &Loaded, households: &Path) -> Result<(), LoadError> {
    let n = loaded.units.len();
    let file = households.display().to_string();
    let mut errs = InputErrors::default();
    let first = |ids: &[String]| -> String {
        let id = &ids[0];
        match loaded.units.iter().find(|u| &u.id == id) {
            Some(u) => format!("the first, {id}, at ({}, {})", u.lon, u.lat),
            None => format!("the first, {id}"),
        }
    };
    let pct = |k: usize| (k as f64 / n as f64 * 100.0).round();
    let inputs = &loaded.scenario.inputs;
    if n > 0 && loaded.outside_boundary.len() * 2 > n {
        let k = loaded.outside_boundary.len();
        let boundary = inputs
            .boundary
            .as_deref()
            .map_or("the boundary".into(), |p| p.display().to_string());
        errs.push(InputError::new(
            &file,
            format!("units inside the county boundary ({boundary})"),
            format!(
                "{k} of {n} units ({}%) outside it, {}: the coordinates may be shifted or projected (not longitude/latitude in degrees), longitude and latitude swapped, Amap/Baidu coordinates without --coords, or the file of another county; give --allow-outside to plan anyway",
                pct(k),
                first(&loaded.outside_boundary)
            ),
        ));
    }
    if n > 0 && loaded.roads.is_some() && loaded.far_from_road.len() * 2 > n {
        let k = loaded.far_from_road.len();
        let roads = inputs
            .roads
            .as_deref()
            .map_or("the roads".into(), |p| p.display().to_string());
        errs.push(InputError::new(
            &file,
            format!("units within {} m of a road in {roads}", SNAP_WARN_M),
            format!(
                "{k} of {n} units ({}%) farther, {}: the road extract may be of another area, or the coordinates of one file shifted; give --allow-outside to plan anyway",
                pct(k),
                first(&loaded.far_from_road)
            ),
        ));
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(LoadError::Input {
            errors: errs,
            notes: loaded.notes.clone(),
        })
    }
}

/// The scenario file read (or the standard policy), its entry year moved
/// by `req.year`, its input paths overridden by the request's files.
fn scenario_of(
    req: &LoadRequest,
    config: Option<&Path>,
    today: NaiveDate,
) -> Result<Scenario, LoadError> {
    let mut scenario = match config {
        Some(c) => read_scenario(c, today.year())?,
        None => Scenario::standard(today.year()),
    };
    if let (Some(c), Some(census)) = (config, scenario.policy.census_date) {
        // A census not yet taken: every child born after today would be
        // blamed one by one; the date is what is wrong.
        if census > today {
            return Err(InputError::new(
                &c.display().to_string(),
                format!("a date not after today ({today})"),
                census.to_string(),
            )
            .at("[policy]")
            .field("census_date")
            .into());
        }
    }
    if let Some(y) = req.year {
        // The census stays where it was; only the entry year moves.
        let p = &mut scenario.policy;
        p.census_date = Some(p.census_date());
        p.entry_year = y;
        let census = p.census_date();
        let (_, last_birth) = p.birth_window(Level::Primary);
        if !(1900..=2200).contains(&y) || last_birth > census {
            return Err(LoadError::Usage(format!(
                "--year {y}: its primary entry cohort is born up to {last_birth}, after the census of {census}; \
                 plan years whose children are all born by the census (at most {}), and use `catchment forecast` beyond",
                census.year() + p.entry_age as i32
                    - i32::from((census.month(), census.day()) < (p.cutoff.month, p.cutoff.day))
            )));
        }
    }
    let inputs = &mut scenario.inputs;
    for (given, slot) in [
        (&req.households, &mut inputs.households),
        (&req.schools, &mut inputs.schools),
        (&req.boundary, &mut inputs.boundary),
        (&req.roads, &mut inputs.roads),
        (&req.current, &mut inputs.current),
        (&req.pins, &mut inputs.pins),
    ] {
        if let Some(p) = given {
            *slot = Some(p.clone());
        }
    }
    Ok(scenario)
}

/// The households and schools files (both required), after checking that
/// every file named exists; a missing file says which setting named it.
fn check_files(
    scenario: &Scenario,
    config: Option<&Path>,
) -> Result<(PathBuf, PathBuf), LoadError> {
    let need = |p: &Option<PathBuf>, what: &str| -> Result<PathBuf, LoadError> {
        p.clone().ok_or_else(|| {
            LoadError::Usage(format!(
                "no {what} file: give --{what} FILE or set [inputs] {what} in the scenario (--config)"
            ))
        })
    };
    let hh_path = need(&scenario.inputs.households, "households")?;
    let sc_path = need(&scenario.inputs.schools, "schools")?;
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
            let by = match config {
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
    Ok((hh_path, sc_path))
}

/// The files as read, before they are checked against each other.
struct Files {
    units: Vec<Unit>,
    schools: Vec<School>,
    boundary: Option<MultiPolygon<f64>>,
    roads: Option<RoadGraph>,
    zones: Option<Vec<CurrentZone>>,
    pin_rows: Option<Vec<PinRow>>,
    notes: Vec<String>,
}

/// Every file read; every file's errors reported together.
fn read_files(
    scenario: &Scenario,
    hh_path: &Path,
    sc_path: &Path,
    coords: CoordSystem,
    threads: usize,
    latest_birth: NaiveDate,
) -> Result<Files, LoadError> {
    // The road network is read and built beside the households when two
    // threads may run (each takes seconds at a province); its errors keep
    // their place in the list.
    let roads_path = scenario.inputs.roads.clone();
    let read_roads = || roads_path.as_ref().map(|r| road_network(r, coords));
    let (units, roads) = std::thread::scope(|sc| {
        let job = (threads > 1 && roads_path.is_some()).then(|| sc.spawn(read_roads));
        let units = read_households(hh_path, latest_birth);
        let roads = match job {
            Some(h) => h.join().expect("the road reading thread does not panic"),
            None => read_roads(),
        };
        (units, roads)
    });
    let mut errs = InputErrors::default();
    let mut notes = Vec::new();
    let mut noted = |n: &str| notes.push(format!("note: {n}"));
    let units = units.each_note(&mut noted).map_err(|e| errs.extend(e)).ok();
    let schools = read_schools(sc_path).map_err(|e| errs.extend(e)).ok();
    let boundary = match &scenario.inputs.boundary {
        Some(b) => read_boundary(b).map_err(|e| errs.push(e)).ok(),
        None => None,
    };
    let roads = match roads {
        Some(Ok((g, warnings))) => {
            notes.extend(warnings.iter().take(5).map(|w| format!("warning: {w}")));
            if warnings.len() > 5 {
                notes.push(format!(
                    "warning: ... and {} more road warnings",
                    warnings.len() - 5
                ));
            }
            Some(g)
        }
        Some(Err(e)) => {
            errs.extend(e);
            None
        }
        None => None,
    };
    let zones = match &scenario.inputs.current {
        Some(c) => read_current(c).map_err(|e| errs.extend(e)).ok(),
        None => None,
    };
    let pin_rows = match &scenario.inputs.pins {
        Some(p) => read_pins(p)
            .each_note(|n| notes.push(format!("note: {n}")))
            .map_err(|e| errs.extend(e))
            .ok(),
        None => None,
    };
    match (units, schools) {
        (Some(units), Some(schools)) if errs.is_empty() => Ok(Files {
            units,
            schools,
            boundary,
            roads,
            zones,
            pin_rows,
            notes,
        }),
        _ => Err(LoadError::Input {
            errors: errs,
            notes,
        }),
    }
}

impl Files {
    /// Every input position from `coords` to WGS84 before anything compares
    /// positions: units, schools, schools opened by `[[edit]]`, the boundary
    /// and current zones (the roads were converted as read).
    fn convert_to_wgs84(&mut self, coords: CoordSystem, edits: &mut [Edit]) {
        let conv = |lon: &mut f64, lat: &mut f64| {
            (*lon, *lat) = coords.to_wgs84(*lon, *lat);
        };
        for u in self.units.iter_mut() {
            conv(&mut u.lon, &mut u.lat);
        }
        for s in self.schools.iter_mut() {
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
        if let Some(b) = self.boundary.as_mut() {
            b.map_coords_in_place(poly);
        }
        for z in self.zones.iter_mut().flatten() {
            z.area.map_coords_in_place(poly);
        }
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

/// The files checked against each other: entry cohorts, today's school
/// and pinned school of each unit, the scenario's edits applied.
fn assemble(
    scenario: Scenario,
    files: Files,
    names: &Names,
    source: Source,
    threads: usize,
) -> Result<Loaded, LoadError> {
    let mut errs = InputErrors::default();
    let mut notes = Vec::new();
    let (demand, without_residence) =
        cohorts::entry_cohorts(&files.units, &scenario.policy, &names.households)
            .map_err(|e| errs.push(e))
            .unwrap_or_default();
    let current = match (&files.zones, &source.current) {
        (Some(z), Some(p)) => {
            let file = p.display().to_string();
            match current_schools(z, &files.units, &files.schools, &demand, &file, names) {
                Ok((c, w)) => {
                    notes.extend(w.into_iter().map(|w| format!("warning: {w}")));
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
    let n = files.units.len();
    let no_pins = || [vec![None; n], vec![None; n]];
    let pins = match (&files.pin_rows, &source.pins) {
        (Some(rows), Some(p)) => {
            let file = p.display().to_string();
            pinned_schools(rows, &files.units, &files.schools, &file, names).unwrap_or_else(|e| {
                errs.extend(e);
                no_pins()
            })
        }
        _ => no_pins(),
    };
    let edits = scenario.edits.clone();
    let mut loaded = Loaded {
        scenario,
        units: files.units,
        schools: files.schools,
        boundary: files.boundary,
        demand,
        without_residence,
        roads: files.roads,
        threads,
        far_from_road: Vec::new(),
        outside_boundary: Vec::new(),
        current,
        pins,
        closed: Vec::new(),
        source,
        notes: Vec::new(),
    };
    // What-if edits (`[[edit]]`) change the schools read, in order.
    if let (Some(c), false) = (&loaded.source.config, edits.is_empty()) {
        let file = c.display().to_string();
        match loaded.apply_edits(&edits) {
            Err(e) => errs.push(
                InputError::new(&file, e.expected, e.found)
                    .at(format!("[[edit]] {}", e.edit))
                    .field(e.field),
            ),
            Ok(0) => {}
            Ok(dropped) => notes.push(format!(
                "warning: {dropped} pins name a school this scenario closes ([[edit]]); they are not kept"
            )),
        }
    }
    if !errs.is_empty() {
        return Err(errs.into());
    }
    loaded.notes = notes;
    Ok(loaded)
}

/// Where the units lie: outside the boundary, or far from any road. Units
/// are snapped to the roads once here, for this check and every level's
/// travel.
fn locate_units(loaded: &mut Loaded, threads: Option<NonZeroUsize>) {
    if let Some(b) = &loaded.boundary {
        loaded.outside_boundary = loaded
            .units
            .iter()
            .filter(|u| !b.contains(&Point::new(u.lon, u.lat)))
            .map(|u| u.id.clone())
            .collect();
    }
    let points = loaded.points();
    if let Some(g) = loaded.roads.as_mut() {
        g.set_threads(threads);
        g.remember_snaps(&points);
        loaded.far_from_road = loaded
            .units
            .iter()
            .enumerate()
            .filter(|(i, u)| {
                g.snap_of(*i, u.lon, u.lat)
                    .is_none_or(|s| s.access_m > SNAP_WARN_M)
            })
            .map(|(_, u)| u.id.clone())
            .collect();
    }
}
