//! `catchment forecast`: students per school and grade for the coming
//! years from the enrollment history (and births), with prediction
//! intervals; with schools, the seats and classes each school needs.

use super::CliError;
use super::inputs::{InputArgs, load};
use crate::forecast::inputs::{age_at_lowest_grade, grades_of, level_of_grade};
use crate::forecast::{
    Births, Census, Extras, Forecast, ForecastOptions, History, HousingAdd, forecast_with,
};
use crate::io::history::demand_extras;
use crate::io::output::{Staged, csv_field};
use crate::io::{Scenario, read_schools};
use crate::model::{Level, Policy, School};
use crate::render::{ChartInput, render_chart};
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
    #[arg(long, value_name = "DIR", default_value = "out/forecast")]
    pub out: PathBuf,
    /// Write the CSV files for Excel: with a UTF-8 byte-order mark, without
    /// which Excel shows Chinese text as garbage (otherwise byte-identical).
    #[arg(long)]
    pub excel: bool,
}

pub fn run(args: &ForecastArgs) -> Result<i32, CliError> {
    if !(1..=30).contains(&args.horizon) {
        return Err(CliError::Usage(format!(
            "--horizon {}: expected 1 to 30 years",
            args.horizon
        )));
    }
    super::check_out(&args.out)?;
    let spinner = super::say::Spinner::start("forecasting");
    let inputs = gather_inputs(args)?;
    let policy = &inputs.scenario.policy;
    let opts = ForecastOptions {
        // The age at the history's lowest grade: entry age at the entry grade.
        entry_age: age_at_lowest_grade(&inputs.history, policy),
        ..Default::default()
    };
    let extras = Extras {
        births: inputs.births.as_ref(),
        census: inputs.census.as_ref(),
        housing: &inputs.housing,
    };
    let f = forecast_with(&inputs.history, &extras, &opts, args.horizon);

    let mut staged = Staged::default();
    staged.set_csv_bom(args.excel);
    staged.add("forecast.csv", forecast_csv(&f));
    let mut short: Vec<String> = Vec::new();
    if let Some(schools) = &inputs.schools {
        let (seats_csv, over) = seats_table(&f, schools, &inputs);
        staged.add("seats.csv", seats_csv);
        short = over;
    }
    add_school_charts(&mut staged, &f, &inputs);
    staged
        .commit(&args.out)
        .map_err(|e| CliError::Write(format!("{}: {e}", args.out.display())))?;
    spinner.clear();
    print_summary(&f, &inputs, &short, &args.out);
    Ok(0)
}

/// Everything a forecast run works from, read and checked.
struct ForecastInputs {
    scenario: Scenario,
    /// The enrollment file, as messages name it.
    enrollment_file: String,
    history: History,
    births: Option<Births>,
    /// The schools (flag, `[inputs]`, or the census's): for seats.csv and
    /// the seats line of the charts.
    schools: Option<Vec<School>>,
    schools_path: Option<PathBuf>,
    census: Option<Census>,
    housing: Vec<HousingAdd>,
    /// What the census and housing inputs added or left out, printed after
    /// the forecast.
    notes: Vec<String>,
}

/// Reads the history (and births), then the census and housing inputs when
/// given, else the schools alone: flags first, then `[inputs]` of the
/// scenario.
fn gather_inputs(args: &ForecastArgs) -> Result<ForecastInputs, CliError> {
    let super::HistoryRead {
        scenario,
        enrollment,
        history,
        births,
    } = super::read_history(
        args.config.as_deref(),
        args.enrollment.as_deref(),
        args.births.as_deref(),
    )?;
    let schools_path = args.schools.clone().or(scenario.inputs.schools.clone());
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
    Ok(ForecastInputs {
        scenario,
        enrollment_file: enrollment.display().to_string(),
        history,
        births,
        schools,
        schools_path,
        census,
        housing,
        notes,
    })
}

/// forecast.csv: students per year, school and grade, with the 80% band.
fn forecast_csv(f: &Forecast) -> String {
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
    csv
}

/// seats.csv: per year, school and level, the students forecast, the seats
/// (entry seats times the grades of the level), the classes needed (ceil of
/// students over class size, summed over grades) and the gap; with the
/// schools over their seats (the first year of each), for the summary.
/// Warns of the history's schools missing from the schools file.
fn seats_table(f: &Forecast, schools: &[School], inputs: &ForecastInputs) -> (String, Vec<String>) {
    let policy = &inputs.scenario.policy;
    // (year, school, level) -> (students, classes needed).
    let mut agg: BTreeMap<(i32, usize, Level), (f64, u64)> = BTreeMap::new();
    let mut unknown: Vec<String> = Vec::new();
    for r in &f.rows {
        let Some(level) = level_of_grade(r.grade) else {
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
        crate::say!(
            "warning: {} schools of {} are not in {} (no seats row): {}",
            unknown.len(),
            inputs.enrollment_file,
            inputs
                .schools_path
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
    let mut short: Vec<String> = Vec::new();
    let mut seats_csv = String::from("year,school_id,level,students,seats,classes_needed,gap\n");
    for ((year, j, level), (students, classes)) in &agg {
        let grades = u64::from(grades_of(*level));
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
    (seats_csv, short)
}

/// A chart per school (charts/<school>.png and .svg): students by year, the
/// forecast with its band, and the school's seats (every level it teaches
/// in the history).
fn add_school_charts(staged: &mut Staged, f: &Forecast, inputs: &ForecastInputs) {
    let history = &inputs.history;
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
        let school = inputs
            .schools
            .as_ref()
            .and_then(|ss| ss.iter().find(|s| &s.id == sid));
        let seats = school.map(|s| chart_seats(s, sid, f.origin, history, &inputs.scenario.policy));
        let name = school.map_or(String::new(), |s| format!("{} ", s.name));
        let (png, svg) = render_chart(&ChartInput {
            title: format!("{name}{sid} 学生预测 students forecast"),
            subtitle: format!(
                "{}起点 origin {} · 入学 entry: {:?} · 80% 预测区间 interval",
                inputs
                    .scenario
                    .name
                    .as_deref()
                    .map_or(String::new(), |n| format!("{n} · ")),
                f.origin,
                f.entry_method
            ),
            synthetic: inputs.scenario.synthetic,
            history: by_year.into_iter().collect(),
            forecast: fc,
            seats: seats.filter(|&x| x > 0.0),
            legend_outside: false,
        });
        let stem = chart_file_stem(sid);
        staged.add(format!("charts/{stem}.png"), png);
        staged.add(format!("charts/{stem}.svg"), svg);
    }
}

/// The seats of a school over every level it teaches at the origin year in
/// the history (entry seats times the grades of the level).
fn chart_seats(school: &School, sid: &str, origin: i32, history: &History, policy: &Policy) -> f64 {
    let mut total = 0u64;
    for level in [Level::Primary, Level::Junior] {
        let taught = history.grades().iter().any(|&g| {
            level_of_grade(g) == Some(level) && history.students(origin, sid, g).is_some()
        });
        if taught {
            total += school.seats(level, policy).unwrap_or(0) as u64 * u64::from(grades_of(level));
        }
    }
    total as f64
}

/// A school id as a file name: letters, digits, `-` and `_` kept, anything
/// else `_`.
fn chart_file_stem(sid: &str) -> String {
    sid.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The run's summary on stderr: the district forecast, the census and
/// housing notes, the schools over their seats, the files written.
fn print_summary(f: &Forecast, inputs: &ForecastInputs, short: &[String], out: &Path) {
    let district: Vec<String> = f
        .totals
        .iter()
        .filter(|t| t.school_id.is_none())
        .map(|t| format!("{} {:.0}", t.year, t.students))
        .collect();
    crate::say!(
        "forecast from {} ({} schools, last year {}), entry by {:?}: district {}",
        inputs.enrollment_file,
        inputs.history.schools().len(),
        f.origin,
        f.entry_method,
        district.join(", ")
    );
    for n in &inputs.notes {
        crate::say!("{n}");
    }
    if !short.is_empty() {
        crate::say!("schools over their seats: {}", short.join("; "));
    }
    crate::say!(
        "wrote forecast.csv{}, charts/<school>.png and .svg to {}/",
        if inputs.schools.is_some() {
            ", seats.csv"
        } else {
            ""
        },
        out.display()
    );
}

/// What the census and housing inputs add, mapped to schools.
struct DemandInputs {
    schools: Vec<School>,
    census: Option<Census>,
    housing: Vec<HousingAdd>,
    notes: Vec<String>,
}

/// Reads the household census and the schools (and current zones) through
/// the plan's loader, so the same checks apply, then what they add to the
/// forecast (`io::history::demand_extras`, shared with `report`).
fn demand_inputs(
    args: &ForecastArgs,
    history: &History,
    households: Option<PathBuf>,
    housing_path: Option<&Path>,
) -> Result<DemandInputs, CliError> {
    let Some(households) = households else {
        return Err(CliError::Usage(
            "--housing needs the households (--households or [inputs] households): \
             housing rows are located by unit and units are mapped to schools"
                .into(),
        ));
    };
    let loaded = load(&InputArgs {
        config: args.config.clone(),
        households: Some(households.clone()),
        schools: args.schools.clone(),
        current: args.current.clone(),
        ..Default::default()
    })?;
    let extras = demand_extras(&loaded, history, &households, housing_path)
        .each_note(|n| crate::say!("note: {n}"))?;
    Ok(DemandInputs {
        schools: loaded.schools,
        census: extras.census,
        housing: extras.housing,
        notes: extras.notes,
    })
}
