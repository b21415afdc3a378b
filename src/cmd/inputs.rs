//! The input flags shared by the commands that plan (`plan`, `validate`,
//! `compare`, `report`, `admit`, `locate`), and loading them: the flags
//! become an `io::load::LoadRequest`, the loader's notes go to stderr.

use super::CliError;
use crate::io::load::{LoadError, LoadRequest};
use crate::plan::Loaded;
use crate::spatial::coords::CoordSystem;
use clap::Args;
use std::path::PathBuf;

pub use crate::io::load::EXAMPLE_CONFIG;

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
    /// unit_id,school_id[,level] rows: a planner's fixed choices, kept (without level: at every level the school takes).
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
    /// Plan even when more than half of the units lie outside the boundary
    /// or far from every road (refused otherwise, as a sign of shifted,
    /// projected or swapped coordinates, or another county's file).
    #[arg(long)]
    pub allow_outside: bool,
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

/// Load what the flags name (the bundled example when they name nothing),
/// printing the loader's warnings and notes to stderr.
pub fn load(args: &InputArgs) -> Result<Loaded, CliError> {
    let threads = match args.threads {
        Some(n) => Some(n),
        None => threads_from_env()?,
    };
    let req = LoadRequest {
        config: args.config.clone(),
        households: args.households.clone(),
        schools: args.schools.clone(),
        boundary: args.boundary.clone(),
        roads: args.roads.clone(),
        current: args.current.clone(),
        pins: args.pins.clone(),
        year: args.year,
        coords: args.coords,
        threads,
        allow_outside: args.allow_outside,
    };
    let loaded = match crate::io::load::load(&req, chrono::Local::now().date_naive()) {
        Ok(l) => l,
        Err(LoadError::Input { errors, notes }) => {
            // What the readers noted (a table read as GBK) still helps
            // beside the errors.
            for note in &notes {
                crate::say!("{note}");
            }
            return Err(CliError::Input(errors));
        }
        Err(e) => return Err(e.into()),
    };
    for note in &loaded.notes {
        crate::say!("{note}");
    }
    Ok(loaded)
}

impl From<LoadError> for CliError {
    fn from(e: LoadError) -> Self {
        match e {
            LoadError::Usage(s) => CliError::Usage(s),
            LoadError::Input { errors, .. } => CliError::Input(errors),
        }
    }
}

/// Loads one scenario file and solves its levels as `plan --config` would
/// (`compare` and `report` set scenarios side by side).
pub fn plan_scenario(
    path: &std::path::Path,
) -> Result<(Loaded, Vec<crate::assign::LevelAssignment>), CliError> {
    let loaded = load(&InputArgs {
        config: Some(path.to_path_buf()),
        ..Default::default()
    })?;
    let levels = crate::plan::solve_loaded(&loaded)?;
    Ok((loaded, levels))
}

/// A short label for a scenario, unique among `taken`: the file's stem,
/// with `_2`, `_3`... when two files share one.
pub fn unique_label(path: &std::path::Path, taken: &[String]) -> String {
    let stem = path
        .file_stem()
        .map_or("scenario".into(), |s| s.to_string_lossy().to_string());
    let mut label = stem.clone();
    let mut k = 2;
    while taken.contains(&label) {
        label = format!("{stem}_{k}");
        k += 1;
    }
    label
}
