//! `catchment forecast`: students per school and grade for the coming
//! years from the enrollment history (and births), with prediction
//! intervals; with schools, the seats and classes each school needs.

use super::CliError;
use crate::forecast::{Births, EnrollmentRow, ForecastOptions, History, forecast as project};
use crate::io::enrollment::{read_births, read_enrollment};
use crate::io::output::{Staged, csv_field};
use crate::io::{InputError, Scenario, read_scenario, read_schools};
use crate::model::Level;
use crate::render::{ChartInput, render_chart};
use chrono::Datelike;
use clap::Args;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

pub const ABOUT: &str =
    "Forecast students per school and grade for the coming years, with seats and classes needed";

pub const AFTER_HELP: &str = "\
Examples:
  catchment forecast --enrollment enrollment.csv --schools schools.geojson
  catchment forecast --config county/scenario.toml --horizon 10 --out out/forecast

Inputs (flags, or [inputs] enrollment / births / schools in the scenario):
enrollment.csv year,school_id,grade,students; births.csv year,births; schools.geojson.
Writes under --out: forecast.csv (year,school_id,grade,students,low,high: per grade, 80%
interval), charts/<school_id>.png and .svg (students by year, forecast band, seats) and,
with schools, seats.csv (year,school_id,level,students,seats,classes_needed,gap).
A school's seats are its entry seats (classes x class size, or capacity) times the grades of
the level (6 primary, 3 junior); classes_needed sums ceil(students / class size) over grades;
gap = students - seats. `catchment backtest` scores the method on past years.";

#[derive(Args, Debug, Clone)]
pub struct ForecastArgs {
    /// Scenario file: [inputs] enrollment, births, schools and [policy]
    /// class sizes, entry age and entry grade.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Enrollment history: year,school_id,grade,students.
    #[arg(long, value_name = "FILE")]
    pub enrollment: Option<PathBuf>,
    /// Births by year (year,births).
    #[arg(long, value_name = "FILE")]
    pub births: Option<PathBuf>,
    /// Schools (schools.geojson), for seats.csv.
    #[arg(long, value_name = "FILE")]
    pub schools: Option<PathBuf>,
    /// Years ahead.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub horizon: usize,
    /// Output folder.
    #[arg(long, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,
}

/// The level a grade belongs to (primary 1-6, junior 7-9; kindergarten and
/// senior grades have none here).
fn level_of(grade: u32) -> Option<Level> {
    match grade {
        1..=6 => Some(Level::Primary),
        7..=9 => Some(Level::Junior),
        _ => None,
    }
}

pub fn run(args: &ForecastArgs) -> Result<i32, CliError> {
    if !(1..=30).contains(&args.horizon) {
        return Err(CliError::Usage(format!(
            "--horizon {}: expected 1 to 30 years",
            args.horizon
        )));
    }
    super::check_out(&args.out)?;
    let (scenario, enrollment, births_path) =
        history_inputs(args.config.as_deref(), &args.enrollment, &args.births)?;
    let schools_path = args.schools.clone().or(scenario.inputs.schools.clone());
    let policy = &scenario.policy;

    let file = enrollment.display().to_string();
    let (history, births) = load_history(&enrollment, births_path.as_deref())?;
    let schools = match &schools_path {
        Some(p) => Some(read_schools(p)?),
        None => None,
    };
    let opts = ForecastOptions {
        // The age at the history's lowest grade: entry age at the entry grade.
        entry_age: age_at_lowest_grade(&history, policy),
        ..Default::default()
    };
    let f = project(&history, births.as_ref(), &opts, args.horizon);

    let mut csv = String::from("year,school_id,grade,students,low,high\n");
    for r in &f.rows {
        let _ = writeln!(
            csv,
            "{},{},{},{:.1},{},{}",
            r.year,
            csv_field(&r.school_id),
            r.grade,
            r.students,
            r.low.map_or(String::new(), |v| format!("{v:.1}")),
            r.high.map_or(String::new(), |v| format!("{v:.1}")),
        );
    }
    let mut staged = Staged::default();
    staged.add("forecast.csv", csv);

    let mut short: Vec<String> = Vec::new();
    if let Some(schools) = &schools {
        // (year, school, level) -> (students, classes needed).
        let mut agg: BTreeMap<(i32, usize, Level), (f64, u64)> = BTreeMap::new();
        let mut unknown: Vec<String> = Vec::new();
        for r in &f.rows {
            let Some(level) = level_of(r.grade) else {
                continue;
            };
            let Some(j) = schools.iter().position(|s| s.id == r.school_id) else {
                if !unknown.contains(&r.school_id) {
                    unknown.push(r.school_id.clone());
                }
                continue;
            };
            let size = schools[j].class_size(level, policy) as u64;
            let e = agg.entry((r.year, j, level)).or_default();
            e.0 += r.students;
            e.1 += (r.students.round().max(0.0) as u64).div_ceil(size.max(1));
        }
        if !unknown.is_empty() {
            eprintln!(
                "warning: {} schools of {} are not in {} (no seats row): {}",
                unknown.len(),
                file,
                schools_path
                    .as_ref()
                    .map_or(String::new(), |p| p.display().to_string()),
                unknown
                    .iter()
                    .take(5)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        let mut seats_csv =
            String::from("year,school_id,level,students,seats,classes_needed,gap\n");
        for ((year, j, level), (students, classes)) in &agg {
            let grades = match level {
                Level::Primary => 6,
                Level::Junior => 3,
            };
            let seats = schools[*j].seats(*level, policy).unwrap_or(0) as u64 * grades;
            let st = students.round() as i64;
            let gap = st - seats as i64;
            if gap > 0 && !short.iter().any(|s| s.starts_with(&schools[*j].id)) {
                short.push(format!(
                    "{} ({}, {year}: {gap} over)",
                    schools[*j].id,
                    level.as_str()
                ));
            }
            let _ = writeln!(
                seats_csv,
                "{year},{},{},{st},{seats},{classes},{gap}",
                csv_field(&schools[*j].id),
                level.as_str()
            );
        }
        staged.add("seats.csv", seats_csv);
    }
    // A chart per school: students by year, the forecast with its band,
    // and the school's seats (every level it teaches in the history).
    for (k, sid) in history.schools().iter().enumerate() {
        let mut by_year: BTreeMap<i32, f64> = BTreeMap::new();
        for (yi, &year) in history.years().iter().enumerate() {
            for (gi, _) in history.grades().iter().enumerate() {
                if let Some(n) = history.cell(yi, k, gi) {
                    *by_year.entry(year).or_default() += n as f64;
                }
            }
        }
        let fc: Vec<(i32, f64, Option<f64>, Option<f64>)> = f
            .totals
            .iter()
            .filter(|t| t.school_id.as_deref() == Some(sid.as_str()))
            .map(|t| (t.year, t.students, t.low, t.high))
            .collect();
        let school = schools
            .as_ref()
            .and_then(|ss| ss.iter().find(|s| &s.id == sid));
        let seats = school.map(|s| {
            let mut total = 0u64;
            for level in [Level::Primary, Level::Junior] {
                let taught = history.grades().iter().any(|&g| {
                    level_of(g) == Some(level) && history.students(f.origin, sid, g).is_some()
                });
                if taught {
                    let grades = if level == Level::Primary { 6 } else { 3 };
                    total += s.seats(level, policy).unwrap_or(0) as u64 * grades;
                }
            }
            total as f64
        });
        let name = school.map_or(String::new(), |s| format!("{} ", s.name));
        let (png, svg) = render_chart(&ChartInput {
            title: format!("{name}{sid} 学生预测 students forecast"),
            subtitle: format!(
                "{}起点 origin {} · 入学 entry: {:?} · 80% 预测区间 interval",
                scenario
                    .name
                    .as_deref()
                    .map_or(String::new(), |n| format!("{n} · ")),
                f.origin,
                f.entry_method
            ),
            synthetic: scenario.synthetic,
            history: by_year.into_iter().collect(),
            forecast: fc,
            seats: seats.filter(|&x| x > 0.0),
        });
        let safe: String = sid
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        staged.add(format!("charts/{safe}.png"), png);
        staged.add(format!("charts/{safe}.svg"), svg);
    }
    staged
        .commit(&args.out)
        .map_err(|e| CliError::Write(format!("{}: {e}", args.out.display())))?;
    let district: Vec<String> = f
        .totals
        .iter()
        .filter(|t| t.school_id.is_none())
        .map(|t| format!("{} {:.0}", t.year, t.students))
        .collect();
    eprintln!(
        "forecast from {} ({} schools, last year {}), entry by {:?}: district {}",
        file,
        history.schools().len(),
        f.origin,
        f.entry_method,
        district.join(", ")
    );
    if !short.is_empty() {
        eprintln!("schools over their seats: {}", short.join("; "));
    }
    eprintln!(
        "wrote forecast.csv{}, charts/<school>.png and .svg to {}/",
        if schools.is_some() { ", seats.csv" } else { "" },
        args.out.display()
    );
    Ok(0)
}

/// The enrollment history and the births series (county totals by year),
/// read and checked: what `forecast` and `backtest` work from.
pub fn load_history(
    enrollment: &Path,
    births: Option<&Path>,
) -> Result<(History, Option<Births>), CliError> {
    let file = enrollment.display().to_string();
    let core: Vec<EnrollmentRow> = read_enrollment(enrollment)?
        .iter()
        .map(|r| EnrollmentRow {
            year: r.year,
            school_id: r.school_id.clone(),
            grade: r.grade,
            students: r.students as i64,
        })
        .collect();
    let history = History::from_rows(&core).map_err(|e| {
        CliError::from(InputError::new(
            &file,
            "a complete enrollment history",
            e.to_string(),
        ))
    })?;
    let births = match births {
        Some(p) => {
            let b = read_births(p)?;
            let pf = p.display().to_string();
            if b.iter().any(|r| r.area.is_some()) {
                return Err(InputError::new(
                    &pf,
                    "county births by year (births by area are not used yet)",
                    "an `area` column with values",
                )
                .into());
            }
            let series: Vec<(i32, f64)> = b.iter().map(|r| (r.year, r.births)).collect();
            Some(Births::new(&series).map_err(|e| {
                CliError::from(InputError::new(&pf, "a births series", e.to_string()))
            })?)
        }
        None => None,
    };
    Ok((history, births))
}

/// Age of a child at the history's lowest grade (the births lag): the
/// policy's entry age at its entry grade, shifted by the grades between.
pub fn age_at_lowest_grade(history: &History, policy: &crate::model::Policy) -> u32 {
    let lowest = history.grades().first().copied().unwrap_or(1) as i64;
    (policy.entry_age as i64 + lowest - policy.entry_grade as i64).max(0) as u32
}

/// The scenario (or the standard one), the enrollment file and the births
/// file: flags first, then `[inputs]` of the scenario.
pub fn history_inputs(
    config: Option<&Path>,
    enrollment: &Option<PathBuf>,
    births: &Option<PathBuf>,
) -> Result<(Scenario, PathBuf, Option<PathBuf>), CliError> {
    let year_now = chrono::Local::now().year();
    let scenario = match config {
        Some(c) => read_scenario(c, year_now)?,
        None => Scenario::standard(year_now),
    };
    let enrollment = enrollment
        .clone()
        .or(scenario.inputs.enrollment.clone())
        .ok_or_else(|| {
            CliError::Usage(
                "no enrollment history: give --enrollment FILE or [inputs] enrollment in --config"
                    .into(),
            )
        })?;
    let births = births.clone().or(scenario.inputs.births.clone());
    Ok((scenario, enrollment, births))
}
