//! Rolling-origin backtest: forecast from each past year with only the
//! years up to it, compare with what came, beside persistence (next years =
//! this year's totals).

use super::history::{Births, History};
use super::{EntryMethod, ForecastOptions, Prepared, calibrate, interval};

/// Whether a school was open at the origin and at the target year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchoolStatus {
    /// Open at both (and always for the district row): scored.
    Continuing,
    /// Open at the origin, no row at the target: `actual` is 0.
    Closed,
    /// No row at the origin, open at the target: `forecast` is 0.
    Opened,
}

/// One `backtest.csv` row: totals over the grades given.
#[derive(Debug, Clone, PartialEq)]
pub struct BacktestRow {
    pub origin: i32,
    pub horizon: u32,
    /// `None` for the district.
    pub school_id: Option<String>,
    pub status: SchoolStatus,
    pub actual: u64,
    pub forecast: f64,
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// The persistence forecast: the total at the origin.
    pub persistence: u64,
}

impl BacktestRow {
    /// |forecast - actual| / actual; `None` when actual is 0.
    pub fn ape(&self) -> Option<f64> {
        (self.actual > 0).then(|| (self.forecast - self.actual as f64).abs() / self.actual as f64)
    }

    /// The same for persistence.
    pub fn persistence_ape(&self) -> Option<f64> {
        (self.actual > 0)
            .then(|| (self.persistence as f64 - self.actual as f64).abs() / self.actual as f64)
    }

    /// Whether the interval holds the actual; `None` without an interval.
    pub fn covered(&self) -> Option<bool> {
        let a = self.actual as f64;
        Some(self.low? <= a && a <= self.high?)
    }
}

/// The rows and the entry method chosen at each origin.
#[derive(Debug, Clone, PartialEq)]
pub struct Backtest {
    pub rows: Vec<BacktestRow>,
    pub entry_methods: Vec<(i32, EntryMethod)>,
}

/// Forecasts from every origin with at least `min_train_years` years of
/// history up to it (and a later year to compare with), `horizon` years
/// ahead or up to the last year. Births are used only up to each origin
/// (later years are projected, as in a real forecast).
pub fn backtest(
    history: &History,
    births: Option<&Births>,
    opts: &ForecastOptions,
    min_train_years: usize,
    horizon: usize,
) -> Backtest {
    let prep = Prepared::new(history);
    let years = history.years();
    let last = years.len() - 1;
    let mut rows = Vec::new();
    let mut entry_methods = Vec::new();
    for (o, &origin) in years
        .iter()
        .enumerate()
        .take(last)
        .skip(min_train_years.max(1) - 1)
    {
        let steps = horizon.min(last - o);
        let cal = calibrate(&prep, o, steps, births, opts);
        entry_methods.push((origin, cal.method));
        let (sp, dp) = prep.run(o, steps, cal.method, births, None, opts);
        for step in 1..=steps {
            let t = o + step;
            let d = dp.total(step, 0);
            let band = interval::log_band(&cal.district, step, opts.level);
            rows.push(BacktestRow {
                origin,
                horizon: step as u32,
                school_id: None,
                status: SchoolStatus::Continuing,
                actual: prep.district.total(t, 0).round() as u64,
                forecast: d,
                low: band.map(|b| d * b.0.exp()),
                high: band.map(|b| d * b.1.exp()),
                persistence: prep.district.total(o, 0).round() as u64,
            });
            for (s, id) in history.schools().iter().enumerate() {
                let band = cal.school_band(step, prep.schools.total(o, s), opts.level);
                let status = match (prep.schools.open(o, s), prep.schools.open(t, s)) {
                    (true, true) => SchoolStatus::Continuing,
                    (true, false) => SchoolStatus::Closed,
                    (false, true) => SchoolStatus::Opened,
                    (false, false) => continue,
                };
                let f = if status == SchoolStatus::Opened {
                    0.0
                } else {
                    sp.total(step, s)
                };
                let band = band.filter(|_| status != SchoolStatus::Opened);
                rows.push(BacktestRow {
                    origin,
                    horizon: step as u32,
                    school_id: Some(id.clone()),
                    status,
                    actual: prep.schools.total(t, s).round() as u64,
                    forecast: f,
                    low: band.map(|b| f * b.0.exp()),
                    high: band.map(|b| f * b.1.exp()),
                    persistence: prep.schools.total(o, s).round() as u64,
                });
            }
        }
    }
    Backtest {
        rows,
        entry_methods,
    }
}

/// Scores of one level (district or schools) at one horizon. MAPE and
/// coverage are fractions; `None` with nothing to score.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelScore {
    /// Rows scored (continuing, actual > 0).
    pub n: usize,
    pub mape: Option<f64>,
    pub persistence_mape: Option<f64>,
    /// Rows with an interval, among those scored.
    pub with_interval: usize,
    pub coverage: Option<f64>,
}

/// Scores at one horizon, plus the school rows left out of them.
#[derive(Debug, Clone, PartialEq)]
pub struct HorizonSummary {
    pub horizon: u32,
    pub district: LevelScore,
    pub school: LevelScore,
    /// School rows of schools closed by the target year.
    pub closed: usize,
    /// School rows of schools opened after the origin, and their students.
    pub opened: usize,
    pub opened_students: u64,
}

/// MAPE (model and persistence) and interval coverage by horizon, over
/// continuing rows with actual > 0.
pub fn summarize(rows: &[BacktestRow]) -> Vec<HorizonSummary> {
    let max_h = rows.iter().map(|r| r.horizon).max().unwrap_or(0);
    (1..=max_h)
        .map(|h| {
            let at = |district: bool| {
                rows.iter().filter(move |r| {
                    r.horizon == h
                        && r.school_id.is_none() == district
                        && r.status == SchoolStatus::Continuing
                        && r.actual > 0
                })
            };
            let score = |district: bool| {
                let n = at(district).count();
                let mean =
                    |v: Vec<f64>| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
                let cov: Vec<f64> = at(district)
                    .filter_map(|r| r.covered().map(|c| f64::from(u8::from(c))))
                    .collect();
                LevelScore {
                    n,
                    mape: mean(at(district).filter_map(|r| r.ape()).collect()),
                    persistence_mape: mean(
                        at(district).filter_map(|r| r.persistence_ape()).collect(),
                    ),
                    with_interval: cov.len(),
                    coverage: mean(cov),
                }
            };
            let school_rows = || {
                rows.iter()
                    .filter(|r| r.horizon == h && r.school_id.is_some())
            };
            HorizonSummary {
                horizon: h,
                district: score(true),
                school: score(false),
                closed: school_rows()
                    .filter(|r| r.status == SchoolStatus::Closed)
                    .count(),
                opened: school_rows()
                    .filter(|r| r.status == SchoolStatus::Opened)
                    .count(),
                opened_students: school_rows()
                    .filter(|r| r.status == SchoolStatus::Opened)
                    .map(|r| r.actual)
                    .sum(),
            }
        })
        .collect()
}
