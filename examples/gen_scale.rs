//! A synthetic scenario folder at any scale, for end-to-end runs of
//! `catchment plan` (read, travel, assign, write); see `benches/scale.sh`.
//!
//! ```text
//! cargo run --release --example gen_scale -- --units 2000000 --schools 3000 \
//!     --road-nodes 1000000 --seed 1 --out target/scale/province
//! catchment plan --config target/scale/province/scenario.toml --out target/scale/province/out
//! ```
//!
//! Writes into `--out` (created; existing files of these names replaced):
//!
//! * `roads.geojson`: [`catchment::synth::road_grid`]`(road_nodes, seed)`, a
//!   jittered street grid with arterials, holes, culs-de-sac, some one-way
//!   arterials and un-noded T-junctions; `highway` `secondary` or
//!   `residential`, `oneway` `"yes"` / `"-1"` where one-way;
//! * `households.geojson` and `schools.geojson`:
//!   [`catchment::synth::road_county`]`(lines, units, schools, seed)`: units
//!   within 50 m of the roads with `demand: {primary: 1..6, junior: 1..6}`,
//!   public nine-year schools near the roads whose seats (per level) total
//!   about 1.02 x the junior students, skewed 0.6..1.4 per school;
//! * `scenario.toml`: those three inputs, the standard policy (entry year
//!   2024, primary 3 km, junior 10 km), `synthetic = true`.
//!
//! Coordinates are written with 7 decimals (about 1 cm). Deterministic: the
//! same arguments give byte-identical files. Every file is written beside
//! its final name and renamed, so an interrupted run leaves no half file
//! under the final name. Prints the counts and the file sizes.

use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use catchment::model::{Demand, Level, Oneway, RoadLine, School, Unit};
use catchment::synth::{road_county, road_grid};
use clap::Parser;

#[derive(Parser)]
#[command(about = "Write a synthetic scenario folder (roads, households, schools, scenario.toml)")]
struct Args {
    /// Demand units (households) near the roads.
    #[arg(long)]
    units: usize,
    /// Public nine-year schools near the roads.
    #[arg(long)]
    schools: usize,
    /// Road graph vertices, about (within a few per cent).
    #[arg(long)]
    road_nodes: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
}

/// A coordinate pair with 7 decimals.
fn xy(s: &mut String, (lon, lat): (f64, f64)) {
    write!(s, "[{lon:.7},{lat:.7}]").expect("string");
}

/// Write `path` through a temporary name; `body` streams the content.
fn write_file(
    path: &Path,
    body: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<u64, String> {
    let err = |e: std::io::Error| format!("{}: {e}", path.display());
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(&tmp).map_err(err)?);
    body(&mut w).map_err(err)?;
    w.flush().map_err(err)?;
    drop(w);
    std::fs::rename(&tmp, path).map_err(err)?;
    Ok(std::fs::metadata(path).map_err(err)?.len())
}

fn roads(w: &mut dyn Write, lines: &[RoadLine]) -> std::io::Result<()> {
    w.write_all(
        b"{\"type\":\"FeatureCollection\",\"name\":\"synthetic road grid (examples/gen_scale.rs)\",\"features\":[\n",
    )?;
    let mut s = String::new();
    for (k, l) in lines.iter().enumerate() {
        s.clear();
        if k > 0 {
            s.push_str(",\n");
        }
        write!(
            s,
            "{{\"type\":\"Feature\",\"properties\":{{\"id\":\"{}\",\"highway\":\"{}\"",
            l.id,
            l.highway.as_deref().unwrap_or("residential")
        )
        .expect("string");
        match l.oneway {
            Oneway::No => {}
            Oneway::Forward => s.push_str(",\"oneway\":\"yes\""),
            Oneway::Backward => s.push_str(",\"oneway\":\"-1\""),
        }
        s.push_str("},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[");
        for (v, &c) in l.coords.iter().enumerate() {
            if v > 0 {
                s.push(',');
            }
            xy(&mut s, c);
        }
        s.push_str("]}}");
        w.write_all(s.as_bytes())?;
    }
    w.write_all(b"\n]}\n")
}

fn households(w: &mut dyn Write, units: &[Unit]) -> std::io::Result<()> {
    w.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
    let mut s = String::new();
    for (k, u) in units.iter().enumerate() {
        let Demand::Direct { primary, junior } = u.demand else {
            unreachable!("road_county gives direct demand")
        };
        s.clear();
        if k > 0 {
            s.push_str(",\n");
        }
        write!(
            s,
            "{{\"type\":\"Feature\",\"properties\":{{\"id\":\"{}\",\"demand\":{{\"primary\":{primary},\"junior\":{junior}}}}},\"geometry\":{{\"type\":\"Point\",\"coordinates\":",
            u.id
        )
        .expect("string");
        xy(&mut s, (u.lon, u.lat));
        s.push_str("}}");
        w.write_all(s.as_bytes())?;
    }
    w.write_all(b"\n]}\n")
}

fn schools(w: &mut dyn Write, schools: &[School]) -> std::io::Result<()> {
    w.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
    let mut s = String::new();
    for (k, sc) in schools.iter().enumerate() {
        let seats = |l: Level| sc.capacity.get(l).unwrap_or(1);
        s.clear();
        if k > 0 {
            s.push_str(",\n");
        }
        write!(
            s,
            "{{\"type\":\"Feature\",\"properties\":{{\"id\":\"{}\",\"name\":\"{}\",\"level\":\"nine_year\",\"sector\":\"public\",\"capacity\":{{\"primary\":{},\"junior\":{}}}}},\"geometry\":{{\"type\":\"Point\",\"coordinates\":",
            sc.id,
            sc.name,
            seats(Level::Primary),
            seats(Level::Junior)
        )
        .expect("string");
        xy(&mut s, (sc.lon, sc.lat));
        s.push_str("}}");
        w.write_all(s.as_bytes())?;
    }
    w.write_all(b"\n]}\n")
}

fn scenario(a: &Args) -> String {
    format!(
        "# SYNTHETIC scale scenario: examples/gen_scale.rs --units {} --schools {} \
         --road-nodes {} --seed {}\n\
         [scenario]\n\
         name = \"synthetic {} units x {} schools, {} road nodes\"\n\
         synthetic = true\n\n\
         [inputs]\n\
         households = \"households.geojson\"\n\
         schools = \"schools.geojson\"\n\
         roads = \"roads.geojson\"\n\n\
         [policy]\n\
         entry_year = 2024\n\
         cutoff = \"08-31\"\n\
         entry_grade = 1\n\
         entry_age = 6\n\
         class_size = {{ primary = 45, junior = 50 }}\n\
         max_travel_m = {{ primary = 3000, junior = 10000 }}\n",
        a.units, a.schools, a.road_nodes, a.seed, a.units, a.schools, a.road_nodes
    )
}

fn run(a: &Args) -> Result<(), String> {
    std::fs::create_dir_all(&a.out).map_err(|e| format!("{}: {e}", a.out.display()))?;
    let clock = Instant::now();
    let lines = road_grid(a.road_nodes, a.seed);
    let (units, demand, sch) = road_county(&lines, a.units, a.schools, a.seed);
    let vertices: usize = lines.iter().map(|l| l.coords.len()).sum();
    let primary: u64 = units
        .iter()
        .map(|u| match u.demand {
            Demand::Direct { primary, .. } => primary as u64,
            _ => 0,
        })
        .sum();
    let junior: u64 = demand.students.iter().map(|&s| s as u64).sum();
    let seats: u64 = sch
        .iter()
        .map(|s| s.capacity.get(Level::Junior).unwrap_or(0) as u64)
        .sum();
    eprintln!(
        "generated in {:.1} s: {} road lines ({vertices} vertices), {} units \
         ({primary} primary, {junior} junior students), {} schools ({seats} seats a level)",
        clock.elapsed().as_secs_f64(),
        lines.len(),
        units.len(),
        sch.len()
    );
    let clock = Instant::now();
    let mut sizes = Vec::new();
    let path = a.out.join("roads.geojson");
    sizes.push(("roads.geojson", write_file(&path, |w| roads(w, &lines))?));
    drop(lines);
    let path = a.out.join("households.geojson");
    sizes.push((
        "households.geojson",
        write_file(&path, |w| households(w, &units))?,
    ));
    let path = a.out.join("schools.geojson");
    sizes.push(("schools.geojson", write_file(&path, |w| schools(w, &sch))?));
    let text = scenario(a);
    let path = a.out.join("scenario.toml");
    sizes.push((
        "scenario.toml",
        write_file(&path, |w| w.write_all(text.as_bytes()))?,
    ));
    eprintln!("written in {:.1} s:", clock.elapsed().as_secs_f64());
    for (name, bytes) in sizes {
        println!(
            "{}  {:.1} MB",
            a.out.join(name).display(),
            bytes as f64 / 1e6
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    let a = Args::parse();
    match run(&a) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use catchment::io::scenario;

    /// The folder reads back through the CLI's own loaders.
    #[test]
    fn scenario_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let a = Args {
            units: 300,
            schools: 4,
            road_nodes: 2_000,
            seed: 3,
            out: dir.path().to_path_buf(),
        };
        run(&a).unwrap();
        let config = dir.path().join("scenario.toml");
        let sc = scenario::read_scenario(&config, 2024).unwrap();
        assert!(sc.synthetic);
        let units = catchment::io::households::read_households(
            &dir.path().join("households.geojson"),
            chrono::NaiveDate::from_ymd_opt(2024, 8, 31).unwrap(),
        )
        .result
        .unwrap();
        assert_eq!(units.len(), 300);
        assert_eq!(units[7].demand, {
            let lines = road_grid(2_000, 3);
            road_county(&lines, 300, 4, 3).0[7].demand.clone()
        });
        let schools =
            catchment::io::schools::read_schools(&dir.path().join("schools.geojson")).unwrap();
        assert_eq!(schools.len(), 4);
        let roads = catchment::io::roads::read_roads(&dir.path().join("roads.geojson")).unwrap();
        assert_eq!(roads.len(), road_grid(2_000, 3).len());
        // Deterministic: a second run gives the same bytes.
        let first = std::fs::read(dir.path().join("roads.geojson")).unwrap();
        run(&a).unwrap();
        assert_eq!(
            first,
            std::fs::read(dir.path().join("roads.geojson")).unwrap()
        );
    }
}
