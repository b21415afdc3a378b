//! Instances for the side-by-side comparison with other solvers
//! (`benches/compare/run.sh`): writes a synthetic transportation instance to
//! a plain text file, and solves such a file with this crate's exact solver.
//!
//! ```text
//! cargo run --release --example compare_instance -- write --units 20000 --schools 60 \
//!     --candidates 8 --seed 1 --out target/compare/20000x60.txt
//! cargo run --release --example compare_instance -- solve target/compare/20000x60.txt
//! ```
//!
//! `write` generates [`catchment::synth::clustered`]`(units, schools,
//! candidates, seed)`. `solve` reads the file back (so every solver sees the
//! same bytes), solves it `--repeat` times (default 3) with
//! [`catchment::assign::ssp::solve`], checks the optimality certificate
//! ([`catchment::assign::certify`]) and prints one JSON object: the
//! objective, the best solve time (the solve alone: reading and checking
//! excluded), every solve time, the least CPU time of a solve (user +
//! system, all threads, 10 ms ticks), and the peak resident memory of the
//! process (VmHWM, Linux).
//!
//! # The file format (`catchment-transport 1`)
//!
//! ASCII, whitespace-separated integers after a first line naming the format:
//!
//! ```text
//! catchment-transport 1
//! UNITS SCHOOLS ARCS UNPLACED_MM
//! capacity of school 0          (SCHOOLS lines)
//! ...
//! supply of unit 0              (UNITS lines: students)
//! ...
//! unit school mm                (ARCS lines: unit-major, each unit's arcs by cost)
//! ...
//! ```
//!
//! Units and schools are numbered from 0; `mm` is the travel cost of one
//! student on the arc in whole millimetres (>= 0).
//!
//! # The model, and the one number a scalar solver needs
//!
//! This crate's model (see `assign::certificate`) is lexicographic: first
//! place as many students as arcs and seats allow, then minimise the total
//! student-millimetres. A solver with one scalar cost (a min-cost flow, an
//! LP) gets the same optimum with an "unplaced" arc from every unit at
//! `UNPLACED_MM` per student, where
//!
//! ```text
//! UNPLACED_MM = (SCHOOLS + 1) * (largest arc mm) + 1.
//! ```
//!
//! Why that is enough: any better-than-optimal flow differs from an optimum
//! by simple cycles in the residual network (units, schools, one sink; the
//! unplaced arcs go unit -> sink). A simple cycle passes the sink at most
//! once, so it changes the unplaced count by -1, 0 or +1 per student sent,
//! and it enters each school at most once, so its travel changes by at most
//! SCHOOLS x (largest arc) in absolute value. A cycle that places one more
//! student therefore has scalar cost below `-UNPLACED_MM + SCHOOLS x max < 0`
//! and one that leaves one more unplaced has a positive one: the scalar
//! optimum has the lexicographic optimum's unplaced count and travel, and
//! its value is
//!
//! ```text
//! objective = unplaced * UNPLACED_MM + mm.
//! ```
//!
//! The printed JSON has `unplaced`, `mm` and `objective` (exact integers).

use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use catchment::assign::{Transport, certify, ssp};
use catchment::synth::clustered;
use clap::{Parser, Subcommand};

/// The first line of an instance file.
const MAGIC: &str = "catchment-transport 1";

#[derive(Parser)]
#[command(about = "Write or solve a transportation instance for benches/compare")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Generate `synth::clustered(units, schools, candidates, seed)` and write it.
    Write {
        #[arg(long)]
        units: usize,
        #[arg(long)]
        schools: usize,
        #[arg(long, default_value_t = 8)]
        candidates: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
    },
    /// Read an instance file, solve it, print JSON.
    Solve {
        file: PathBuf,
        /// Solves to run; the best time is reported.
        #[arg(long, default_value_t = 3)]
        repeat: usize,
    },
}

/// The scalar cost of one unplaced student (see the module docs).
fn unplaced_mm(t: &Transport) -> i64 {
    let max = t.arc_mm.iter().copied().max().unwrap_or(0);
    (t.schools() as i64 + 1)
        .checked_mul(max)
        .and_then(|v| v.checked_add(1))
        .expect("unplaced cost fits in i64")
}

fn write_instance(t: &Transport, path: &Path) -> Result<(), String> {
    let err = |e: std::io::Error| format!("{}: {e}", path.display());
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    // Write beside, then rename: never a half-written instance.
    let tmp = path.with_extension("tmp");
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(&tmp).map_err(err)?);
    let mut line = String::with_capacity(64);
    writeln!(
        w,
        "{MAGIC}\n{} {} {} {}",
        t.units(),
        t.schools(),
        t.arc_school.len(),
        unplaced_mm(t)
    )
    .map_err(err)?;
    for c in &t.capacity {
        writeln!(w, "{c}").map_err(err)?;
    }
    for s in &t.supply {
        writeln!(w, "{s}").map_err(err)?;
    }
    for i in 0..t.units() {
        for a in t.arcs(i) {
            line.clear();
            writeln!(line, "{i} {} {}", t.arc_school[a], t.arc_mm[a]).expect("string");
            w.write_all(line.as_bytes()).map_err(err)?;
        }
    }
    w.flush().map_err(err)?;
    drop(w);
    std::fs::rename(&tmp, path).map_err(err)
}

/// Read an instance file; every error names the file and the place.
fn read_instance(path: &Path) -> Result<(Transport, i64), String> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{file}: {e}"))?;
    let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
    if first.trim_end() != MAGIC {
        return Err(format!(
            "{file}: line 1: expected {MAGIC:?}, found {:?}",
            first.trim_end()
        ));
    }
    let mut tokens = rest.split_ascii_whitespace().enumerate();
    let mut next = |what: &str| -> Result<i64, String> {
        match tokens.next() {
            Some((k, s)) => s.parse::<i64>().map_err(|_| {
                format!(
                    "{file}: number {} ({what}): expected an integer, found {s:?}",
                    k + 1
                )
            }),
            None => Err(format!(
                "{file}: ended early: expected {what}, found the end of the file"
            )),
        }
    };
    let count = |v: i64, what: &str| -> Result<usize, String> {
        usize::try_from(v).map_err(|_| format!("{file}: header {what}: expected >= 0, found {v}"))
    };
    let units = count(next("UNITS")?, "UNITS")?;
    let schools = count(next("SCHOOLS")?, "SCHOOLS")?;
    let arcs = count(next("ARCS")?, "ARCS")?;
    let unplaced = next("UNPLACED_MM")?;
    let small = |v: i64, what: &str| -> Result<u32, String> {
        u32::try_from(v).map_err(|_| format!("{file}: {what}: expected 0..=4294967295, found {v}"))
    };
    let mut capacity = Vec::with_capacity(schools);
    for j in 0..schools {
        capacity.push(small(
            next("a capacity")?,
            &format!("capacity of school {j}"),
        )?);
    }
    let mut supply = Vec::with_capacity(units);
    for i in 0..units {
        supply.push(small(next("a supply")?, &format!("supply of unit {i}"))?);
    }
    let mut t = Transport::new(capacity);
    t.arc_school.reserve(arcs);
    t.arc_mm.reserve(arcs);
    let mut unit_arcs: Vec<(u32, i64)> = Vec::new();
    let mut at = 0usize;
    for k in 0..arcs {
        let (i, j, mm) = (
            next("an arc's unit")?,
            next("an arc's school")?,
            next("an arc's mm")?,
        );
        let i = usize::try_from(i)
            .ok()
            .filter(|&i| i >= at && i < units)
            .ok_or_else(|| {
                format!(
                    "{file}: arc {k}: unit: expected {at}..{units} (unit-major order), found {i}"
                )
            })?;
        if !(0..schools as i64).contains(&j) {
            return Err(format!(
                "{file}: arc {k}: school: expected 0..{schools}, found {j}"
            ));
        }
        if mm < 0 {
            return Err(format!("{file}: arc {k}: mm: expected >= 0, found {mm}"));
        }
        while at < i {
            t.push_unit(supply[at], &mut unit_arcs);
            unit_arcs.clear();
            at += 1;
        }
        unit_arcs.push((j as u32, mm));
    }
    while at < units {
        t.push_unit(supply[at], &mut unit_arcs);
        unit_arcs.clear();
        at += 1;
    }
    if let Some((k, s)) = tokens.next() {
        return Err(format!(
            "{file}: number {}: expected the end of the file after {arcs} arcs, found {s:?}",
            k + 1
        ));
    }
    if t.arc_school.len() != arcs {
        return Err(format!(
            "{file}: expected {arcs} distinct arcs, found {} (a unit names a school twice)",
            t.arc_school.len()
        ));
    }
    if unplaced != unplaced_mm(&t) {
        return Err(format!(
            "{file}: header UNPLACED_MM: expected (SCHOOLS + 1) * max mm + 1 = {}, found {unplaced}",
            unplaced_mm(&t)
        ));
    }
    Ok((t, unplaced))
}

/// Peak resident memory of this process, MiB (VmHWM; None off Linux).
fn peak_rss_mb() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = s
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// CPU seconds (user + system, all threads) this process has used so far,
/// from /proc/self/stat in clock ticks (100 a second on Linux); None off
/// Linux. Less disturbed than wall time by other work on the machine.
fn cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) in parentheses.
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 here.
    let ticks = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn solve(path: &Path, repeat: usize) -> Result<String, String> {
    let clock = Instant::now();
    let (t, unplaced_cost) = read_instance(path)?;
    let read_seconds = clock.elapsed().as_secs_f64();
    let rss_after_read = peak_rss_mb();
    let mut times = Vec::new();
    let mut cpu = Vec::new();
    let mut last = None;
    for _ in 0..repeat.max(1) {
        let cpu0 = cpu_seconds();
        let clock = Instant::now();
        let solved = ssp::solve(&t);
        times.push(clock.elapsed().as_secs_f64());
        cpu.push(cpu_seconds().zip(cpu0).map(|(b, a)| b - a));
        last = Some(solved);
    }
    let solved = last.expect("at least one solve");
    let clock = Instant::now();
    let cert =
        certify(&t, &solved.flow, &solved.price).map_err(|e| format!("{}: {e}", path.display()))?;
    let certify_seconds = clock.elapsed().as_secs_f64();
    let objective = cert.primal.unplaced * unplaced_cost as i128 + cert.primal.mm;
    let best = times.iter().copied().fold(f64::INFINITY, f64::min);
    let best_cpu = cpu.iter().flatten().copied().reduce(f64::min);
    let students: u64 = t.supply.iter().map(|&s| s as u64).sum();
    let num = |v: Option<f64>| v.map_or("null".to_string(), |v| format!("{v:.1}"));
    Ok(format!(
        "{{\"solver\": \"catchment\", \"units\": {}, \"schools\": {}, \"arcs\": {}, \
         \"students\": {students}, \"unplaced_mm\": {unplaced_cost}, \
         \"status\": \"optimal (certified)\", \"unplaced\": {}, \"mm\": {}, \
         \"objective\": {objective}, \"read_seconds\": {read_seconds:.6}, \
         \"solve_seconds\": {best:.6}, \"solve_seconds_all\": [{}], \
         \"solve_cpu_seconds\": {}, \"certify_seconds\": {certify_seconds:.6}, \
         \"rss_after_read_mb\": {}, \"peak_rss_mb\": {}}}",
        t.units(),
        t.schools(),
        t.arc_school.len(),
        cert.primal.unplaced,
        cert.primal.mm,
        times
            .iter()
            .map(|s| format!("{s:.6}"))
            .collect::<Vec<_>>()
            .join(", "),
        best_cpu.map_or("null".to_string(), |v| format!("{v:.2}")),
        num(rss_after_read),
        num(peak_rss_mb()),
    ))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.cmd {
        Cmd::Write {
            units,
            schools,
            candidates,
            seed,
            out,
        } => {
            let t = clustered(units, schools, candidates, seed);
            write_instance(&t, &out).map(|()| {
                format!(
                    "wrote {} ({units} units, {schools} schools, {} arcs)",
                    out.display(),
                    t.arc_school.len()
                )
            })
        }
        Cmd::Solve { file, repeat } => solve(&file, repeat),
    };
    match result {
        Ok(s) => {
            println!("{s}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_then_read_is_the_same_instance() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.txt");
        let t = clustered(500, 7, 4, 3);
        write_instance(&t, &path).unwrap();
        let (back, m) = read_instance(&path).unwrap();
        assert_eq!(back, t);
        assert_eq!(m, unplaced_mm(&t));
        assert!(m > 7 * t.arc_mm.iter().max().unwrap());
    }

    #[test]
    fn bad_files_are_refused_with_the_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.txt");
        for (text, says) in [
            ("nope\n", "line 1"),
            ("catchment-transport 1\n1 1 1 3\n5\n2\n0 0\n", "ended early"),
            (
                "catchment-transport 1\n1 1 1 3\n5\n2\n0 1 1\n",
                "school: expected 0..1",
            ),
            (
                "catchment-transport 1\n1 1 1 3\n5\n2\n0 0 -1\n",
                "mm: expected >= 0",
            ),
            (
                "catchment-transport 1\n1 1 1 9\n5\n2\n0 0 1\n",
                "UNPLACED_MM",
            ),
            (
                "catchment-transport 1\n1 1 1 3\n5\n2\n0 0 1 7\n",
                "end of the file",
            ),
        ] {
            std::fs::write(&path, text).unwrap();
            let e = read_instance(&path).unwrap_err();
            assert!(e.contains(says), "{text:?}: {e}");
        }
    }

    #[test]
    fn objective_matches_the_scalar_model() {
        // Two units of 3 students, one school of 4 seats: 2 unplaced.
        let mut t = Transport::new(vec![4]);
        t.push_unit(3, &mut [(0, 10)]);
        t.push_unit(3, &mut [(0, 20)]);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("small.txt");
        write_instance(&t, &path).unwrap();
        let json = solve(&path, 1).unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        // Best: unit 0 all 3 at 10, unit 1 one at 20: 50 mm; M = 2*20+1 = 41.
        assert_eq!(v["unplaced"], 2);
        assert_eq!(v["mm"], 50);
        assert_eq!(v["unplaced_mm"], 41);
        assert_eq!(v["objective"], 2 * 41 + 50);
    }
}
