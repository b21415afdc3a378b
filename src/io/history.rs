//! What `forecast`, `backtest` and `report` forecast from, read and checked:
//! the scenario, the enrollment history and births series, and the housing
//! file placed at the schools of its units.

use super::enrollment::{read_births, read_enrollment, read_housing};
use super::error::{InputError, InputErrors};
use super::noted::Noted;
use super::scenario::{Scenario, read_scenario};
use crate::forecast::inputs::{
    CensusCount, catchment_schools, count_census, grades_of, level_of_grade,
};
use crate::forecast::{Births, Census, EnrollmentRow, History, HousingAdd, housing_yield};
use crate::model::{Level, School, Unit};
use crate::plan::Loaded;
use chrono::Datelike;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Why a forecast cannot start without an enrollment history.
pub const NO_ENROLLMENT: &str =
    "no enrollment history: give --enrollment FILE or [inputs] enrollment in --config";

/// The scenario (or the standard one) and the files of the history.
pub struct HistorySources {
    pub scenario: Scenario,
    /// `None`: neither the flag nor `[inputs] enrollment` names one.
    pub enrollment: Option<PathBuf>,
    pub births: Option<PathBuf>,
}

/// Reads the scenario at `config` (or takes the standard one) and names the
/// enrollment and births files: the flags given first, then `[inputs]` of
/// the scenario.
pub fn history_sources(
    config: Option<&Path>,
    enrollment: Option<&Path>,
    births: Option<&Path>,
) -> Result<HistorySources, InputErrors> {
    let year_now = chrono::Local::now().year();
    let scenario = match config {
        Some(c) => read_scenario(c, year_now)?,
        None => Scenario::standard(year_now),
    };
    let enrollment = enrollment
        .map(Path::to_path_buf)
        .or(scenario.inputs.enrollment.clone());
    let births = births
        .map(Path::to_path_buf)
        .or(scenario.inputs.births.clone());
    Ok(HistorySources {
        scenario,
        enrollment,
        births,
    })
}

/// The enrollment history and the births series (county totals by year),
/// read and checked: what `forecast` and `backtest` work from.
/// The readers' notes (a CSV read as GBK) come back beside the result.
pub fn load_history(enrollment: &Path, births: Option<&Path>) -> Noted<(History, Option<Births>)> {
    let mut notes = Vec::new();
    let result = history_noting(enrollment, births, &mut notes);
    Noted { result, notes }
}

fn history_noting(
    enrollment: &Path,
    births: Option<&Path>,
    notes: &mut Vec<String>,
) -> Result<(History, Option<Births>), InputErrors> {
    let file = enrollment.display().to_string();
    let rows: Vec<EnrollmentRow> = read_enrollment(enrollment)
        .each_note(|n| notes.push(n.to_string()))?
        .iter()
        .map(|r| EnrollmentRow {
            year: r.year,
            school_id: r.school_id.clone(),
            grade: r.grade,
            students: r.students as i64,
        })
        .collect();
    let history = History::from_rows(&rows)
        .map_err(|e| InputError::new(&file, "a complete enrollment history", e.to_string()))?;
    let births = match births {
        Some(p) => Some(load_births(p, notes)?),
        None => None,
    };
    Ok((history, births))
}

/// The county births series of `births.csv` (births by area are refused:
/// the forecast does not use them yet).
fn load_births(path: &Path, notes: &mut Vec<String>) -> Result<Births, InputErrors> {
    let rows = read_births(path).each_note(|n| notes.push(n.to_string()))?;
    let file = path.display().to_string();
    if rows.iter().any(|r| r.area.is_some()) {
        return Err(InputError::new(
            &file,
            "county births by year (births by area are not used yet)",
            "an `area` column with values",
        )
        .into());
    }
    let series: Vec<(i32, f64)> = rows.iter().map(|r| (r.year, r.births)).collect();
    Births::new(&series)
        .map_err(|e| InputError::new(&file, "a births series", e.to_string()).into())
}

/// Where housing rows land: the plan's units and schools, the school each
/// unit feeds per level, the history (its grades and last year) and the
/// students per dwelling by dwelling type (`[forecast] housing_yield`).
pub struct HousingTargets<'a> {
    pub units: &'a [Unit],
    pub schools: &'a [School],
    /// Per level (index `Level::index`), per unit, the index in `schools`.
    pub school_of: &'a [Vec<Option<usize>>; 2],
    pub history: &'a History,
    pub yields: &'a BTreeMap<String, [f64; 2]>,
}

/// What a housing file adds to the forecast.
pub struct HousingRead {
    /// Students per school, grade and completion year.
    pub adds: Vec<HousingAdd>,
    /// Dwellings completed after the history's last year, and the students
    /// they add.
    pub dwellings: f64,
    pub students: f64,
    /// Rows completed by the history's last year (in the history already).
    pub before_origin: usize,
}

/// Reads `housing.csv` and spreads each row completed after the history's
/// last year over the grades of the school its unit (or named school) feeds
/// at each level. Unknown dwelling types, units and schools are located
/// errors, all of them reported together.
/// The reader's notes come back beside the result.
pub fn read_housing_adds(path: &Path, to: &HousingTargets) -> Noted<HousingRead> {
    let mut notes = Vec::new();
    let result = read_housing(path)
        .each_note(|n| notes.push(n.to_string()))
        .and_then(|rows| housing_adds(path, rows, to));
    Noted { result, notes }
}

fn housing_adds(
    path: &Path,
    rows: Vec<crate::io::enrollment::HousingRow>,
    to: &HousingTargets,
) -> Result<HousingRead, InputErrors> {
    let file = path.display().to_string();
    let mut errs = InputErrors::default();
    let unit_index: BTreeMap<&str, usize> = to
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.id.as_str(), i))
        .collect();
    let origin = to.history.years().last().copied().unwrap_or(0);
    let mut read = HousingRead {
        adds: Vec::new(),
        dwellings: 0.0,
        students: 0.0,
        before_origin: 0,
    };
    for r in &rows {
        let kind = r.dwelling_type.as_deref().unwrap_or("default");
        let Some(y) = to.yields.get(kind) else {
            errs.push(
                InputError::new(
                    &file,
                    format!(
                        "a dwelling type of [forecast] housing_yield ({})",
                        to.yields.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                    format!("\"{kind}\""),
                )
                .at(format!("line {}", r.line))
                .field("dwelling_type"),
            );
            continue;
        };
        if r.year <= origin {
            read.before_origin += 1;
            continue;
        }
        for level in [Level::Primary, Level::Junior] {
            let j = match (&r.unit_id, &r.school_id) {
                (Some(uid), _) => match unit_index.get(uid.as_str()) {
                    Some(&i) => to.school_of[level.index()][i],
                    None => {
                        // One error per row, not one per level.
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
                    let j = to.schools.iter().position(|s| &s.id == sid);
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
                    j.filter(|&j| to.schools[j].kind.serves(level))
                }
                (None, None) => None,
            };
            let Some(j) = j else { continue };
            let per_level = y[level.index()];
            let per_grade = housing_yield(r.dwellings, per_level, grades_of(level));
            for &g in to.history.grades() {
                if level_of_grade(g) == Some(level) {
                    read.adds.push(HousingAdd {
                        year: r.year,
                        school_id: to.schools[j].id.clone(),
                        grade: g,
                        students: per_grade,
                    });
                }
            }
            read.students += r.dwellings * per_level;
        }
        read.dwellings += r.dwellings;
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    Ok(read)
}

/// What a plan's inputs add to a forecast: its units' children counted by
/// catchment school, entry grade and entry year (the census), the housing
/// rows placed, and a line on each for the run's summary.
pub struct DemandExtras {
    pub census: Option<Census>,
    pub housing: Vec<HousingAdd>,
    pub notes: Vec<String>,
}

/// [`DemandExtras`] of a loaded plan: every unit mapped to the school whose
/// entry it feeds at each level (its current zone's, else the nearest),
/// the census counted, and `housing` (when given) read and placed. `forecast`
/// and `report` both forecast from this, so they can never disagree.
pub fn demand_extras(
    loaded: &Loaded,
    history: &History,
    households: &Path,
    housing: Option<&Path>,
) -> Noted<DemandExtras> {
    let mut notes = Vec::new();
    if loaded.current.is_none() {
        notes.push(
            "note: no current zones (--current): census units and housing go to the \
             nearest school of each level"
                .to_string(),
        );
    }
    let school_of = catchment_schools(&loaded.units, &loaded.schools, loaded.current.as_ref());
    let origin = history.years().last().copied().unwrap_or(0);
    let count = count_census(
        &loaded.units,
        &loaded.schools,
        &school_of,
        &loaded.scenario.policy,
    );
    notes.extend(census_notes(&count, households, origin));
    let mut read_notes = Vec::new();
    let housing = match housing {
        None => Ok(Vec::new()),
        Some(path) => read_housing_adds(
            path,
            &HousingTargets {
                units: &loaded.units,
                schools: &loaded.schools,
                school_of: &school_of,
                history,
                yields: &loaded.scenario.housing_yield,
            },
        )
        .each_note(|n| read_notes.push(n.to_string()))
        .map(|read| {
            notes.push(housing_note(&read, path, origin));
            read.adds
        }),
    };
    let census = (!count.census.is_empty()).then_some(count.census);
    Noted {
        result: housing.map(|housing| DemandExtras {
            census,
            housing,
            notes,
        }),
        notes: read_notes,
    }
}

/// What the census gave: the child-levels counted and how far the entry
/// cohorts reach, those in no zone, and the units with counts only.
fn census_notes(count: &CensusCount, households: &Path, origin: i32) -> Vec<String> {
    let mut notes = Vec::new();
    if !count.census.is_empty() {
        notes.push(format!(
            "census {}: {} child-levels counted by catchment; entry cohorts known to {}{}",
            households.display(),
            count.counted,
            count.census.last_year().unwrap_or(origin),
            if count.unzoned > 0 {
                format!(
                    ", {} child-levels in no current zone (not counted)",
                    count.unzoned
                )
            } else {
                String::new()
            }
        ));
    }
    if count.direct > 0 {
        notes.push(format!(
            "note: {} unit-levels give `demand` counts only (no ages or birth dates): \
             not part of the census",
            count.direct
        ));
    }
    notes
}

/// What the housing file added after the history's last year.
fn housing_note(read: &HousingRead, path: &Path, origin: i32) -> String {
    format!(
        "housing {}: {:.0} dwellings completed after {origin} add {:.0} students{}",
        path.display(),
        read.dwellings,
        read.students,
        if read.before_origin > 0 {
            format!(
                " ({} rows completed by {origin} are in the history already)",
                read.before_origin
            )
        } else {
            String::new()
        }
    )
}
