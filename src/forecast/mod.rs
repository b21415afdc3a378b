//! Enrollment forecast by school and grade: a cohort-survival model with
//! an entry method chosen by backtest, reconciled to the district, with
//! prediction intervals from the model's own past errors. Pure: no files,
//! no clock.
//!
//! The method, at an origin year T (the last year of the history given):
//!
//! - **Progression.** A grade g that a school serves together with g-1
//!   follows its cohort: `students(g, T+k) = r(g) * students(g-1, T+k-1)`,
//!   with `r` the student-weighted ratio of the last `ratio_years`
//!   transitions, shrunk toward the district's pooled ratio for small
//!   schools ([`Ratios`]: weight `n / (n + n0)` on the school's own ratio,
//!   `n` the students at risk in the window).
//! - **Entry.** Any other grade a school serves (the district's entry grade,
//!   or a middle school's first grade) is projected by one [`EntryMethod`]:
//!   the mean of the last `entry_years` counts, the least-squares trend of
//!   the last `trend_years`, or births `entry_age + (g - lowest grade)` years
//!   earlier times the school's recent births-to-entry ratio (births not yet
//!   known are the mean of the last three known years). With
//!   [`EntryChoice::Auto`] the method with the lowest school-level MAPE in a
//!   rolling-origin backtest on the history before T is used for the whole
//!   district.
//! - **Reconciliation.** The district is projected the same way as one unit
//!   (totals by grade, unshrunk ratios, so moves between schools and
//!   openings are in its ratios); each year and grade, the schools'
//!   projections are scaled proportionally to sum to it.
//! - **Schools that open or close.** A school is projected if it has a row
//!   at T, for the grades it has at T; one that later disappears is scored
//!   as closed, one that appears after T as opened (no forecast): both are
//!   reported in the backtest, neither enters the school MAPE.
//! - **Intervals** (see `interval`): each school's total gets the band of
//!   `ln(actual / forecast)` errors of school totals at the same horizon from
//!   the backtest before T, split to its grades in proportion to the point
//!   forecast; the district total gets the band of the district's errors.

mod backtest;
mod extras;
mod history;
pub mod inputs;
pub mod interval;
mod model;

pub use backtest::{
    Backtest, BacktestRow, HorizonSummary, LevelScore, SchoolStatus, backtest, summarize,
};
pub use extras::{Census, Extras, HousingAdd, housing_yield};
pub use history::{Births, BirthsError, EnrollmentRow, History, HistoryError};
pub use model::{Ratios, entry_average, entry_trend};

use model::{EntryContext, Panel, Projection};
use std::collections::BTreeMap;

/// How the entry grade is projected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryMethod {
    /// Mean of the last `entry_years` entry counts.
    Average,
    /// Least-squares line through the last `trend_years` entry counts.
    Trend,
    /// Births `entry_age` years earlier times the recent births-to-entry
    /// ratio (only when births are given).
    Births,
}

/// A fixed entry method, or the one with the lowest backtest error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryChoice {
    Auto,
    Fixed(EntryMethod),
}

/// Knobs of the method; [`Default`] is what the command line uses.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastOptions {
    /// Transitions averaged for a progression ratio (3).
    pub ratio_years: usize,
    /// Entry counts averaged by [`EntryMethod::Average`] and for the
    /// births-to-entry ratio (3).
    pub entry_years: usize,
    /// Entry counts the trend is fitted to (5).
    pub trend_years: usize,
    /// Pseudo-students at the district ratio added to a school's ratio (50).
    pub shrink_n0: f64,
    pub entry: EntryChoice,
    /// Age at entry into the lowest grade of the history: the births lag (6).
    pub entry_age: u32,
    /// Coverage of the prediction intervals (0.8).
    pub level: f64,
    /// Scale schools to the district projection (true).
    pub reconcile: bool,
    /// Years of history the first origin of the internal backtests (method
    /// choice, interval errors) needs (3).
    pub min_train_years: usize,
}

impl Default for ForecastOptions {
    fn default() -> Self {
        ForecastOptions {
            ratio_years: 3,
            entry_years: 3,
            trend_years: 5,
            shrink_n0: 50.0,
            entry: EntryChoice::Auto,
            entry_age: 6,
            level: 0.8,
            reconcile: true,
            min_train_years: 3,
        }
    }
}

/// One `forecast.csv` row: students of one school and grade in one year.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastRow {
    pub year: i32,
    pub school_id: String,
    pub grade: u32,
    pub students: f64,
    pub low: Option<f64>,
    pub high: Option<f64>,
}

/// A total over grades: one school's, or the district's (`school_id` None).
#[derive(Debug, Clone, PartialEq)]
pub struct TotalRow {
    pub year: i32,
    pub school_id: Option<String>,
    pub students: f64,
    pub low: Option<f64>,
    pub high: Option<f64>,
}

/// The forecast from the last year of a history.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    pub origin: i32,
    pub entry_method: EntryMethod,
    /// By year, school, grade.
    pub rows: Vec<ForecastRow>,
    /// By year: the district first, then the schools.
    pub totals: Vec<TotalRow>,
}

/// Forecasts `horizon` years past the last year of `history`. Intervals are
/// `None` when the history is too short for a backtest before the origin.
///
/// ```
/// use catchment::forecast::{forecast, EnrollmentRow, ForecastOptions, History};
/// let mut rows = Vec::new();
/// for year in 2015..=2022 {
///     for grade in 1..=3u32 {
///         rows.push(EnrollmentRow { year, school_id: "A".into(), grade, students: 100 });
///     }
/// }
/// let h = History::from_rows(&rows).unwrap();
/// let f = forecast(&h, None, &ForecastOptions::default(), 2);
/// assert_eq!(f.rows.len(), 2 * 3);
/// assert!((f.totals[0].students - 300.0).abs() < 1e-9);
/// ```
pub fn forecast(
    history: &History,
    births: Option<&Births>,
    opts: &ForecastOptions,
    horizon: usize,
) -> Forecast {
    forecast_with(
        history,
        &Extras {
            births,
            ..Default::default()
        },
        opts,
        horizon,
    )
}

/// [`forecast`] with a census of the children already born and new
/// housing. The method choice and the intervals come from backtests of the
/// history alone (the census cannot be used at past origins without looking
/// ahead, so its gain is not in the bands: they stay conservative).
/// Housing adds its students after reconciliation, to schools and district.
pub fn forecast_with(
    history: &History,
    extras: &Extras,
    opts: &ForecastOptions,
    horizon: usize,
) -> Forecast {
    let births = extras.births;
    let prep = Prepared::new(history);
    let origin = history.years().len() - 1;
    let cal = calibrate(&prep, origin, horizon, births, opts);
    let (mut sp, mut dp) = prep.run(origin, horizon, cal.method, births, extras.census, opts);
    let origin_year = history.years()[origin];
    add_housing(history, &mut sp, &mut dp, extras.housing, origin_year);
    let mut rows = Vec::new();
    let mut totals = Vec::new();
    for step in 1..=horizon {
        let year = origin_year + step as i32;
        let d = dp.total(step, 0);
        let band = interval::log_band(&cal.district, step, opts.level);
        totals.push(TotalRow {
            year,
            school_id: None,
            students: d,
            low: band.map(|b| d * b.0.exp()),
            high: band.map(|b| d * b.1.exp()),
        });
        for (s, id) in history.schools().iter().enumerate() {
            if !prep.schools.open(origin, s) {
                continue;
            }
            let band = cal.school_band(step, prep.schools.total(origin, s), opts.level);
            let t = sp.total(step, s);
            totals.push(TotalRow {
                year,
                school_id: Some(id.clone()),
                students: t,
                low: band.map(|b| t * b.0.exp()),
                high: band.map(|b| t * b.1.exp()),
            });
            for (g, &grade) in history.grades().iter().enumerate() {
                let v = sp.get(step, s, g);
                if v.is_nan() {
                    continue;
                }
                rows.push(ForecastRow {
                    year,
                    school_id: id.clone(),
                    grade,
                    students: v,
                    low: band.map(|b| v * b.0.exp()),
                    high: band.map(|b| v * b.1.exp()),
                });
            }
        }
    }
    Forecast {
        origin: origin_year,
        entry_method: cal.method,
        rows,
        totals,
    }
}

/// Adds each housing row's students to its school and grade (where the
/// school serves that grade at the origin) and to the district, in every
/// year from its completion on. Rows completed by the origin are already
/// in the history and are skipped.
fn add_housing(
    history: &History,
    sp: &mut Projection,
    dp: &mut Projection,
    housing: &[HousingAdd],
    origin_year: i32,
) {
    for h in housing {
        if h.year <= origin_year {
            continue;
        }
        let (Ok(s), Ok(g)) = (
            history
                .schools()
                .binary_search_by(|x| x.as_str().cmp(&h.school_id)),
            history.grades().binary_search(&h.grade),
        ) else {
            continue;
        };
        for step in 1..=sp.steps {
            if origin_year + (step as i32) < h.year {
                continue;
            }
            let i = ((step - 1) * sp.units + s) * sp.grades + g;
            if sp.values[i].is_nan() {
                continue;
            }
            sp.values[i] += h.students;
            let j = (step - 1) * dp.grades + g;
            if dp.values[j].is_nan() {
                dp.values[j] = 0.0;
            }
            dp.values[j] += h.students;
        }
    }
}

/// The history as panels, built once per forecast or backtest.
pub(crate) struct Prepared<'a> {
    history: &'a History,
    schools: Panel,
    district: Panel,
}

impl<'a> Prepared<'a> {
    fn new(history: &'a History) -> Self {
        Prepared {
            history,
            schools: Panel::schools(history),
            district: Panel::district(history),
        }
    }

    /// Point projections of schools (reconciled if asked) and district from
    /// year index `origin`, using nothing after it.
    fn run(
        &self,
        origin: usize,
        steps: usize,
        method: EntryMethod,
        births: Option<&Births>,
        census: Option<&Census>,
        opts: &ForecastOptions,
    ) -> (Projection, Projection) {
        let sr = model::unit_ratios(&self.schools, origin, opts, true);
        let dr = model::unit_ratios(&self.district, origin, opts, false);
        let (school_census, district_census) = match census {
            Some(c) => {
                let (s, d) = self.census_panels(c);
                (Some(s), Some(d))
            }
            None => (None, None),
        };
        let dctx = EntryContext {
            census: district_census,
            district: None,
        };
        let dp = model::project(
            &self.district,
            &dr,
            origin,
            steps,
            method,
            births,
            opts,
            &dctx,
        );
        let sctx = EntryContext {
            census: school_census,
            district: Some((&self.district, &dp)),
        };
        let mut sp = model::project(
            &self.schools,
            &sr,
            origin,
            steps,
            method,
            births,
            opts,
            &sctx,
        );
        if opts.reconcile {
            model::reconcile(&mut sp, &dp);
        }
        (sp, dp)
    }
}

impl Prepared<'_> {
    /// The census as cohorts per (school, grade) and per grade for the
    /// district (schools of the census missing from the history are in the
    /// district's counts only).
    #[allow(clippy::type_complexity)]
    fn census_panels(
        &self,
        c: &Census,
    ) -> (
        Vec<Option<BTreeMap<i32, f64>>>,
        Vec<Option<BTreeMap<i32, f64>>>,
    ) {
        let grades = self.history.grades();
        let ng = grades.len();
        let mut school = vec![None; self.history.schools().len() * ng];
        let mut district: Vec<Option<BTreeMap<i32, f64>>> = vec![None; ng];
        for (sid, grade) in c.keys() {
            let (Some(series), Ok(g)) = (c.series(sid, *grade), grades.binary_search(grade)) else {
                continue;
            };
            if let Ok(s) = self
                .history
                .schools()
                .binary_search_by(|x| x.as_str().cmp(sid))
            {
                school[s * ng + g] = Some(series.clone());
            }
            let d = district[g].get_or_insert_with(BTreeMap::new);
            for (&y, &n) in series {
                *d.entry(y).or_default() += n;
            }
        }
        (school, district)
    }
}

/// The entry method and the log errors by horizon (index h-1) of school and
/// district totals, from a rolling-origin backtest on years before `origin`.
pub(crate) struct Calibration {
    pub method: EntryMethod,
    pub school: Vec<Vec<f64>>,
    /// The size (total at the origin) of the school of each `school` error.
    pub school_size: Vec<Vec<f64>>,
    pub district: Vec<Vec<f64>>,
}

impl Calibration {
    fn empty(method: EntryMethod, horizon: usize) -> Calibration {
        Calibration {
            method,
            school: vec![Vec::new(); horizon],
            school_size: vec![Vec::new(); horizon],
            district: vec![Vec::new(); horizon],
        }
    }

    /// A school's band at `step` by its size: schools are split into
    /// thirds by the sizes behind the errors at that horizon, and the band
    /// is the empirical one of the school's third when that third has at
    /// least [`interval::EMPIRICAL_MIN`] errors; otherwise the band of all
    /// schools ([`interval::log_band`]). Small schools swing more in
    /// relative terms than large ones, so one band for all is too wide for
    /// the large and too narrow for the small.
    pub fn school_band(&self, step: usize, size: f64, level: f64) -> Option<(f64, f64)> {
        if let (Some(errs), Some(sizes)) =
            (self.school.get(step - 1), self.school_size.get(step - 1))
            && errs.len() >= 3 * interval::EMPIRICAL_MIN
        {
            let mut sorted = sizes.clone();
            sorted.sort_by(f64::total_cmp);
            let cut1 = interval::quantile(&sorted, 1.0 / 3.0);
            let cut2 = interval::quantile(&sorted, 2.0 / 3.0);
            let bin = |x: f64| usize::from(x > cut1) + usize::from(x > cut2);
            let own: Vec<f64> = errs
                .iter()
                .zip(sizes)
                .filter(|(_, z)| bin(**z) == bin(size))
                .map(|(e, _)| *e)
                .collect();
            if own.len() >= interval::EMPIRICAL_MIN {
                return interval::log_band(&[own], 1, level);
            }
        }
        interval::log_band(&self.school, step, level)
    }
}

pub(crate) fn calibrate(
    prep: &Prepared,
    origin: usize,
    horizon: usize,
    births: Option<&Births>,
    opts: &ForecastOptions,
) -> Calibration {
    let candidates: Vec<EntryMethod> = match opts.entry {
        EntryChoice::Fixed(m) => vec![m],
        EntryChoice::Auto => {
            let mut c = vec![EntryMethod::Average, EntryMethod::Trend];
            if births.is_some() {
                c.push(EntryMethod::Births);
            }
            c
        }
    };
    let first = opts.min_train_years.max(2) - 1;
    let mut best: Option<(f64, Calibration)> = None;
    for &method in &candidates {
        let mut cal = Calibration::empty(method, horizon);
        let (mut ape_sum, mut ape_n) = (0.0, 0usize);
        for o in first..origin {
            let steps = horizon.min(origin - o);
            let (sp, dp) = prep.run(o, steps, method, births, None, opts);
            for step in 1..=steps {
                let t = o + step;
                let (a, f) = (prep.district.total(t, 0), dp.total(step, 0));
                if a > 0.0 && f > 0.0 {
                    cal.district[step - 1].push((a / f).ln());
                }
                for s in 0..prep.history.schools().len() {
                    if !(prep.schools.open(o, s) && prep.schools.open(t, s)) {
                        continue;
                    }
                    let (a, f) = (prep.schools.total(t, s), sp.total(step, s));
                    if a > 0.0 {
                        ape_sum += (f - a).abs() / a;
                        ape_n += 1;
                        if f > 0.0 {
                            cal.school[step - 1].push((a / f).ln());
                            cal.school_size[step - 1].push(prep.schools.total(o, s));
                        }
                    }
                }
            }
        }
        let score = if ape_n > 0 {
            ape_sum / ape_n as f64
        } else {
            f64::INFINITY
        };
        if best.as_ref().is_none_or(|(b, _)| score < *b) {
            best = Some((score, cal));
        }
    }
    best.map(|b| b.1)
        .unwrap_or_else(|| Calibration::empty(EntryMethod::Average, horizon))
}
