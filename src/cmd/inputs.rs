//! The input flags shared by `plan` and `validate`, and loading them into
//! the model: scenario, households, schools, boundary, cohorts.

use super::CliError;
use crate::assign::LevelDemand;
use crate::io::{
    InputError, InputErrors, Scenario, read_boundary, read_households, read_roads_with_warnings,
    read_scenario, read_schools,
};
use crate::model::{Level, School, Unit};
use crate::spatial::network::{RoadGraph, SNAP_WARN_M};
use chrono::Datelike;
use clap::Args;
use geo::{Contains, MultiPolygon, Point};
use std::path::{Path, PathBuf};

/// The bundled example's scenario, found from the source tree.
pub const EXAMPLE_CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/wuzhai/scenario.toml");

#[derive(Args, Debug, Clone, Default)]
pub struct InputArgs {
    /// Scenario file (scenario.toml): input paths, policy, weights. Paths in
    /// it are relative to the file. Flags below override it.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Households or blocks (GeoJSON Points; `children`, `ages` or `demand`).
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
    /// Ids of units farther than `SNAP_WARN_M` from any road (their
    /// straight access leg is counted).
    pub far_from_road: Vec<String>,
    /// Ids of units outside the boundary (placed anyway).
    pub outside_boundary: Vec<String>,
    pub config_path: Option<PathBuf>,
}

impl InputArgs {
    fn is_empty(&self) -> bool {
        self.config.is_none()
            && self.households.is_none()
            && self.schools.is_none()
            && self.boundary.is_none()
            && self.roads.is_none()
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

    let mut errs = InputErrors::default();
    let units = read_households(&hh_path, latest_birth)
        .map_err(|e| errs.extend(e))
        .ok();
    let schools = read_schools(&sc_path).map_err(|e| errs.extend(e)).ok();
    let boundary = match &scenario.inputs.boundary {
        Some(b) => read_boundary(b).map_err(|e| errs.push(e)).ok(),
        None => None,
    };
    let roads = match &scenario.inputs.roads {
        Some(r) => match read_roads_with_warnings(r) {
            Ok((lines, warnings)) => {
                for w in warnings.iter().take(5) {
                    eprintln!("warning: {w}");
                }
                if warnings.len() > 5 {
                    eprintln!("warning: ... and {} more road warnings", warnings.len() - 5);
                }
                Some(lines)
            }
            Err(e) => {
                errs.extend(e);
                None
            }
        },
        None => None,
    };
    let (Some(units), Some(schools)) = (units, schools) else {
        return Err(CliError::Input(errs));
    };
    if !errs.is_empty() {
        return Err(CliError::Input(errs));
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
    if !errs.is_empty() {
        return Err(CliError::Input(errs));
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
    let roads = roads.map(|lines| RoadGraph::build(&lines));
    let far_from_road = match &roads {
        Some(g) => units
            .iter()
            .filter(|u| {
                g.snap(u.lon, u.lat)
                    .is_none_or(|s| s.access_m > SNAP_WARN_M)
            })
            .map(|u| u.id.clone())
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
        far_from_road,
        config_path: config,
    })
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
