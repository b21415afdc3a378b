//! `catchment forecast`: students per school and grade for the coming
//! years from the enrollment history (and births), with prediction
//! intervals; with schools, the seats and classes each school needs.

use super::CliError;
use crate::forecast::{
    Births, Census, EnrollmentRow, Extras, ForecastOptions, History, HousingAdd, forecast_with,
    housing_yield,
};
use crate::io::enrollment::read_housing;
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
    /// Household census (households.geojson with `children` birth dates or
    /// `ages` counts, as of [policy] census_date): the children already
    /// born set the entry cohorts of the years they cover, per catchment.
    #[arg(long, value_name = "FILE")]
    pub households: Option<PathBuf>,
    /// Today's catchments: which school's entry each census unit and
    /// housing project feeds (without it: the nearest school of the level).
    #[arg(long, value_name = "FILE")]
    pub current: Option<PathBuf>,
    /// New housing: year,unit_id|school_id,new_dwellings[,dwelling_type];
    /// students per dwelling from [forecast] housing_yield.
    #[arg(long, value_name = "FILE")]
    pub housing: Option<PathBuf>,
    /// Years ahead.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub horizon: usize,
    /// Output folder.
    #[arg(long, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,
    /// Write the CSV files for Excel: with a UTF-8 byte-order mark, without
    /// which Excel shows Chinese text as garbage (otherwise byte-identical).
    #[arg(long)]
    pub excel: bool,
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
    let households = args
        .households
        .clone()
        .or(scenario.inputs.households.clone());
    let housing_path = args.housing.clone().or(scenario.inputs.housing.clone());
    let mut notes: Vec<String> = Vec::new();
    let (schools, census, housing) = if households.is_some() || housing_path.is_some() {
        let k = demand_inputs(args, &history, households, housing_path.as_deref())?;
        notes.extend(k.notes);
        (Some(k.schools), k.census, k.housing)
    } else {
        let schools = match &schools_path {
            Some(p) => Some(read_schools(p)?),
            None => None,
        };
        (schools, None, Vec::new())
    };
    let opts = ForecastOptions {
        // The age at the history's lowest grade: entry age at the entry grade.
        entry_age: age_at_lowest_grade(&history, policy),
        ..Default::default()
    };
    let extras = Extras {
        births: births.as_ref(),
        census: census.as_ref(),
        housing: &housing,
    };
    let f = forecast_with(&history, &extras, &opts, args.horizon);

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
    staged.set_csv_bom(args.excel);
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
    for n in &notes {
        eprintln!("{n}");
    }
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
    let core: Vec<EnrollmentRow> = read_enrollment(enrollment)
        .each_note(|n| eprintln!("note: {n}"))?
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
            let b = read_births(p).each_note(|n| eprintln!("note: {n}"))?;
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

/// What the census and housing inputs add, mapped to schools.
struct DemandInputs {
    schools: Vec<crate::model::School>,
    census: Option<Census>,
    housing: Vec<HousingAdd>,
    notes: Vec<String>,
}

/// Reads the household census and the schools (and current zones) through
/// the plan's loader, so the same checks apply, and maps every unit to the
/// school of its current zone at each level (the nearest school taking a
/// catchment at that level without current zones); then counts the census
/// children by school, entry grade and entry year (31 Aug rule: a child
/// enters the level in the first year on whose cutoff day it has the
/// level's entry age), and turns housing rows into students per grade.
fn demand_inputs(
    args: &ForecastArgs,
    history: &History,
    households: Option<PathBuf>,
    housing_path: Option<&Path>,
) -> Result<DemandInputs, CliError> {
    use crate::model::Demand;
    let Some(households) = households else {
        return Err(CliError::Usage(
            "--housing needs the households (--households or [inputs] households): \
             housing rows are located by unit and units are mapped to schools"
                .into(),
        ));
    };
    let loaded = super::inputs::load(&super::inputs::InputArgs {
        config: args.config.clone(),
        households: Some(households.clone()),
        schools: args.schools.clone(),
        current: args.current.clone(),
        ..Default::default()
    })?;
    let policy = &loaded.scenario.policy;
    let schools = loaded.schools;
    let units = &loaded.units;
    let mut notes = Vec::new();
    // Unit -> school per level.
    let levels = [Level::Primary, Level::Junior];
    let school_of: [Vec<Option<usize>>; 2] = match &loaded.current {
        Some(cur) => [0, 1].map(|l| {
            cur[l]
                .iter()
                .map(|s| s.filter(|&j| j < schools.len()))
                .collect()
        }),
        None => {
            notes.push(
                "note: no current zones (--current): census units and housing go to the \
                 nearest school of each level"
                    .to_string(),
            );
            levels.map(|level| {
                units
                    .iter()
                    .map(|u| {
                        schools
                            .iter()
                            .enumerate()
                            .filter(|(_, s)| s.takes_catchment(level))
                            .map(|(j, s)| {
                                (crate::spatial::haversine_m(u.lon, u.lat, s.lon, s.lat), j)
                            })
                            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
                            .map(|x| x.1)
                    })
                    .collect()
            })
        }
    };
    let entry_grade = |level: Level| match level {
        Level::Primary => policy.entry_grade,
        Level::Junior => policy.entry_grade + 6,
    };
    let census_date = policy.census_date();
    let mut census = Census::default();
    let (mut counted, mut unzoned, mut direct) = (0u64, 0u64, 0usize);
    for (i, u) in units.iter().enumerate() {
        for level in levels {
            let Some(j) = school_of[level.index()][i] else {
                unzoned += match &u.demand {
                    Demand::Children(c) => c.len() as u64,
                    Demand::Ages(a) => a.iter().map(|&n| u64::from(n)).sum(),
                    Demand::Direct { .. } => 0,
                };
                continue;
            };
            let sid = &schools[j].id;
            let grade = entry_grade(level);
            let age = policy.entry_age_of(level) as i32;
            match &u.demand {
                Demand::Children(children) => {
                    for ch in children {
                        let y = policy.entry_year_of(ch.birth_date, level);
                        // Only cohorts wholly born by the census date.
                        if policy.cutoff.in_year(y - age) <= census_date {
                            census.add(sid, grade, y, 1.0);
                            counted += 1;
                        }
                    }
                }
                Demand::Ages(ages) => {
                    for (a, &n) in ages.iter().enumerate() {
                        if n > 0 {
                            census.add(
                                sid,
                                grade,
                                policy.entry_year_of_age(a as u32, level),
                                n.into(),
                            );
                            counted += u64::from(n);
                        }
                    }
                }
                Demand::Direct { .. } => direct += 1,
            }
        }
    }
    let origin = history.years().last().copied().unwrap_or(0);
    if !census.is_empty() {
        notes.push(format!(
            "census {}: {counted} child-levels counted by catchment; entry cohorts known to {}{}",
            households.display(),
            census.last_year().unwrap_or(origin),
            if unzoned > 0 {
                format!(", {unzoned} child-levels in no current zone (not counted)")
            } else {
                String::new()
            }
        ));
    }
    if direct > 0 {
        notes.push(format!(
            "note: {direct} unit-levels give `demand` counts only (no ages or birth dates): \
             not part of the census"
        ));
    }
    let mut housing = Vec::new();
    if let Some(hp) = housing_path {
        let file = hp.display().to_string();
        let rows = read_housing(hp).each_note(|n| eprintln!("note: {n}"))?;
        let mut errs = crate::io::InputErrors::default();
        let unit_index: BTreeMap<&str, usize> = units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.id.as_str(), i))
            .collect();
        let (mut dwellings, mut students, mut before) = (0.0, 0.0, 0usize);
        for r in &rows {
            let kind = r.dwelling_type.as_deref().unwrap_or("default");
            let Some(y) = loaded.scenario.housing_yield.get(kind) else {
                errs.push(
                    InputError::new(
                        &file,
                        format!(
                            "a dwelling type of [forecast] housing_yield ({})",
                            loaded
                                .scenario
                                .housing_yield
                                .keys()
                                .cloned()
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        format!("\"{kind}\""),
                    )
                    .at(format!("line {}", r.line))
                    .field("dwelling_type"),
                );
                continue;
            };
            if r.year <= origin {
                before += 1;
                continue;
            }
            for level in levels {
                let j = match (&r.unit_id, &r.school_id) {
                    (Some(uid), _) => match unit_index.get(uid.as_str()) {
                        Some(&i) => school_of[level.index()][i],
                        None => {
                            if level == Level::Primary {
                                errs.push(
                                    InputError::new(
                                        &file,
                                        "a unit id of the households",
                                        format!("\"{uid}\""),
                                    )
                                    .at(format!("line {}", r.line))
                                    .field("unit_id"),
                                );
                            }
                            None
                        }
                    },
                    (None, Some(sid)) => {
                        let j = schools.iter().position(|s| &s.id == sid);
                        if j.is_none() && level == Level::Primary {
                            errs.push(
                                InputError::new(
                                    &file,
                                    "a school id of the schools",
                                    format!("\"{sid}\""),
                                )
                                .at(format!("line {}", r.line))
                                .field("school_id"),
                            );
                        }
                        j.filter(|&j| schools[j].kind.serves(level))
                    }
                    (None, None) => None,
                };
                let Some(j) = j else { continue };
                let per_level = y[level.index()];
                let grades: Vec<u32> = history
                    .grades()
                    .iter()
                    .copied()
                    .filter(|&g| level_of(g) == Some(level))
                    .collect();
                let n = match level {
                    Level::Primary => 6,
                    Level::Junior => 3,
                };
                let per_grade = housing_yield(r.dwellings, per_level, n);
                for g in grades {
                    housing.push(HousingAdd {
                        year: r.year,
                        school_id: schools[j].id.clone(),
                        grade: g,
                        students: per_grade,
                    });
                }
                students += r.dwellings * per_level;
            }
            dwellings += r.dwellings;
        }
        if !errs.is_empty() {
            return Err(errs.into());
        }
        notes.push(format!(
            "housing {}: {dwellings:.0} dwellings completed after {origin} add {students:.0} students{}",
            hp.display(),
            if before > 0 {
                format!(" ({before} rows completed by {origin} are in the history already)")
            } else {
                String::new()
            }
        ));
    }
    let census = (!census.is_empty()).then_some(census);
    Ok(DemandInputs {
        schools,
        census,
        housing,
        notes,
    })
}
