//! The cohort-survival model: progression ratios, entry projections and the
//! year-by-year projection of a panel (schools, or the district as one unit).

use super::history::{Births, History};
use super::{EntryMethod, ForecastOptions};

/// Counts by (year, unit, grade) in `f64`; a unit is a school or the district.
#[derive(Debug, Clone)]
pub(crate) struct Panel {
    pub first_year: i32,
    pub units: usize,
    pub grades: Vec<u32>,
    /// Grade index of grade - 1, where that grade exists.
    pub prev: Vec<Option<usize>>,
    pub data: Vec<Option<f64>>,
}

impl Panel {
    pub fn schools(h: &History) -> Panel {
        let (ny, ns, ng) = (h.years().len(), h.schools().len(), h.grades().len());
        let mut data = Vec::with_capacity(ny * ns * ng);
        for y in 0..ny {
            for s in 0..ns {
                for g in 0..ng {
                    data.push(h.cell(y, s, g).map(f64::from));
                }
            }
        }
        Panel::new(h, ns, data)
    }

    /// The district as one unit: per year and grade the sum of the cells
    /// given (`None` where no school had the grade).
    pub fn district(h: &History) -> Panel {
        let (ny, ns, ng) = (h.years().len(), h.schools().len(), h.grades().len());
        let mut data = vec![None; ny * ng];
        for y in 0..ny {
            for s in 0..ns {
                for g in 0..ng {
                    if let Some(v) = h.cell(y, s, g) {
                        *data[y * ng + g].get_or_insert(0.0) += f64::from(v);
                    }
                }
            }
        }
        Panel::new(h, 1, data)
    }

    fn new(h: &History, units: usize, data: Vec<Option<f64>>) -> Panel {
        let grades = h.grades().to_vec();
        let prev = grades
            .iter()
            .enumerate()
            .map(|(i, &g)| (i > 0 && grades[i - 1] + 1 == g).then(|| i - 1))
            .collect();
        Panel {
            first_year: h.years()[0],
            units,
            grades,
            prev,
            data,
        }
    }

    pub fn get(&self, year: usize, unit: usize, grade: usize) -> Option<f64> {
        self.data[(year * self.units + unit) * self.grades.len() + grade]
    }

    /// Whether the unit has any cell in the year (a school open that year).
    pub fn open(&self, year: usize, unit: usize) -> bool {
        (0..self.grades.len()).any(|g| self.get(year, unit, g).is_some())
    }

    /// Total of the unit over its cells in the year.
    pub fn total(&self, year: usize, unit: usize) -> f64 {
        (0..self.grades.len())
            .filter_map(|g| self.get(year, unit, g))
            .sum()
    }
}

/// Grade progression ratios estimated at one origin.
///
/// For a unit and grade g whose grade g-1 exists, over the transitions into
/// the last `ratio_years` years up to the origin where both cells are given:
/// `r = sum students(g, y) / sum students(g-1, y-1)` (the mean of yearly
/// ratios weighted by the students at risk). School ratios are shrunk toward
/// the district's pooled ratio `r_d` (the same sum over all schools) as if
/// `n0` more students had progressed at `r_d`:
/// `r_s = (num + n0 * r_d) / (den + n0)`, i.e. weight `den / (den + n0)` on
/// the school's own ratio. A school with no usable transition gets `r_d`.
#[derive(Debug, Clone)]
pub struct Ratios {
    grades: Vec<u32>,
    schools: Vec<String>,
    district: Vec<Option<f64>>,
    school: Vec<Option<f64>>,
}

impl Ratios {
    /// Ratios at `origin` (a year of the history) with the options'
    /// `ratio_years` and `shrink_n0`. `None` if the origin is not in the
    /// history.
    pub fn estimate(h: &History, origin: i32, opts: &ForecastOptions) -> Option<Ratios> {
        let o = h.year_index(origin)?;
        let panel = Panel::schools(h);
        let school = unit_ratios(&panel, o, opts, true);
        let district = pooled_ratios(&panel, o, opts.ratio_years);
        Some(Ratios {
            grades: h.grades().to_vec(),
            schools: h.schools().to_vec(),
            district,
            school,
        })
    }

    /// The district's pooled ratio into `grade`.
    pub fn district(&self, grade: u32) -> Option<f64> {
        let g = self.grades.binary_search(&grade).ok()?;
        self.district[g]
    }

    /// The school's shrunk ratio into `grade`.
    pub fn school(&self, school_id: &str, grade: u32) -> Option<f64> {
        let g = self.grades.binary_search(&grade).ok()?;
        let s = self
            .schools
            .binary_search_by(|x| x.as_str().cmp(school_id))
            .ok()?;
        self.school[s * self.grades.len() + g]
    }
}

fn window(origin: usize, k: usize) -> std::ops::RangeInclusive<usize> {
    (origin + 1).saturating_sub(k.max(1)).max(1)..=origin
}

/// Sums of (students in g at y, students in g-1 at y-1) per unit and grade.
fn transition_sums(p: &Panel, origin: usize, k: usize) -> Vec<(f64, f64)> {
    let ng = p.grades.len();
    let mut sums = vec![(0.0, 0.0); p.units * ng];
    for y in window(origin, k) {
        for u in 0..p.units {
            for g in 0..ng {
                let Some(pg) = p.prev[g] else { continue };
                if let (Some(a), Some(b)) = (p.get(y, u, g), p.get(y - 1, u, pg)) {
                    sums[u * ng + g].0 += a;
                    sums[u * ng + g].1 += b;
                }
            }
        }
    }
    sums
}

fn pooled_ratios(p: &Panel, origin: usize, k: usize) -> Vec<Option<f64>> {
    let ng = p.grades.len();
    let sums = transition_sums(p, origin, k);
    (0..ng)
        .map(|g| {
            let (a, b) = (0..p.units).fold((0.0, 0.0), |acc, u| {
                (acc.0 + sums[u * ng + g].0, acc.1 + sums[u * ng + g].1)
            });
            (b > 0.0).then(|| a / b)
        })
        .collect()
}

/// Ratios per unit and grade; shrunk toward the pooled ratio when `shrink`.
pub(crate) fn unit_ratios(
    p: &Panel,
    origin: usize,
    opts: &ForecastOptions,
    shrink: bool,
) -> Vec<Option<f64>> {
    let ng = p.grades.len();
    let sums = transition_sums(p, origin, opts.ratio_years);
    let pooled = pooled_ratios(p, origin, opts.ratio_years);
    (0..p.units * ng)
        .map(|i| {
            let (a, b) = sums[i];
            match (shrink, pooled[i % ng]) {
                (true, Some(rd)) => Some((a + opts.shrink_n0 * rd) / (b + opts.shrink_n0)),
                _ => (b > 0.0).then(|| a / b),
            }
        })
        .collect()
}

/// Mean of the last `k` values (fewer if fewer are given).
///
/// ```
/// use catchment::forecast::entry_average;
/// assert_eq!(entry_average(&[(2019, 90.0), (2020, 100.0), (2021, 110.0)], 2), Some(105.0));
/// ```
pub fn entry_average(series: &[(i32, f64)], k: usize) -> Option<f64> {
    let tail = &series[series.len().saturating_sub(k.max(1))..];
    (!tail.is_empty()).then(|| tail.iter().map(|p| p.1).sum::<f64>() / tail.len() as f64)
}

/// Least-squares line through the last `k` points, evaluated at `year`,
/// never below 0; the average when fewer than 3 points are given.
///
/// ```
/// use catchment::forecast::entry_trend;
/// let s = [(2019, 100.0), (2020, 110.0), (2021, 120.0)];
/// assert!((entry_trend(&s, 5, 2023).unwrap() - 140.0).abs() < 1e-9);
/// ```
pub fn entry_trend(series: &[(i32, f64)], k: usize, year: i32) -> Option<f64> {
    let tail = &series[series.len().saturating_sub(k.max(1))..];
    if tail.len() < 3 {
        return entry_average(series, k);
    }
    let n = tail.len() as f64;
    let mx = tail.iter().map(|p| f64::from(p.0)).sum::<f64>() / n;
    let my = tail.iter().map(|p| p.1).sum::<f64>() / n;
    let sxy: f64 = tail
        .iter()
        .map(|p| (f64::from(p.0) - mx) * (p.1 - my))
        .sum();
    let sxx: f64 = tail.iter().map(|p| (f64::from(p.0) - mx).powi(2)).sum();
    let slope = sxy / sxx;
    Some((my + slope * (f64::from(year) - mx)).max(0.0))
}

/// A projection from one origin: `school[(step * units + s) * grades + g]`
/// for steps 1..=steps (index step-1), `NaN` where the school does not serve
/// the grade (or is not open at the origin).
#[derive(Debug, Clone)]
pub(crate) struct Projection {
    pub steps: usize,
    pub units: usize,
    pub grades: usize,
    pub values: Vec<f64>,
}

impl Projection {
    pub fn get(&self, step: usize, unit: usize, grade: usize) -> f64 {
        self.values[((step - 1) * self.units + unit) * self.grades + grade]
    }

    pub fn total(&self, step: usize, unit: usize) -> f64 {
        (0..self.grades)
            .map(|g| self.get(step, unit, g))
            .filter(|v| !v.is_nan())
            .sum()
    }
}

/// Projects every unit open at `origin` for `steps` years: a grade whose
/// grade - 1 the unit also serves follows its cohort times the ratio; any
/// other grade the unit serves is an entry grade, projected by `method`.
/// A unit serves at the origin the grades it has cells for.
///
/// An entry grade takes, year by year, the first of: the census cohort of
/// that year times the unit's census-to-entry ratio ([`census_ratios`]);
/// the unit's share of the district's previous grade a year earlier (the
/// primary-to-junior transition, [`transition_share`]); `method`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn project(
    p: &Panel,
    ratios: &[Option<f64>],
    origin: usize,
    steps: usize,
    method: EntryMethod,
    births: Option<&Births>,
    opts: &ForecastOptions,
    ctx: &EntryContext,
) -> Projection {
    let ng = p.grades.len();
    let mut values = vec![f64::NAN; steps * p.units * ng];
    let origin_year = p.first_year + origin as i32;
    let rho = ctx
        .census
        .as_ref()
        .map(|c| census_ratios(p, c, origin, opts));
    for u in 0..p.units {
        for g in 0..ng {
            if p.get(origin, u, g).is_none() {
                continue;
            }
            let follows = p.prev[g]
                .filter(|&pg| p.get(origin, u, pg).is_some() && ratios[u * ng + g].is_some());
            let entry = match follows {
                Some(_) => None,
                None => {
                    let fallback = entry_projector(p, u, g, origin, method, births, opts);
                    let share = ctx.district.and_then(|(dp, dproj)| {
                        transition_share(p, dp, u, g, origin, opts.entry_years)
                            .map(|(pg, s)| (dp, dproj, pg, s))
                    });
                    let cohorts = ctx.census.as_ref().and_then(|c| c[u * ng + g].clone());
                    let rho_ug = rho.as_ref().map_or(1.0, |r| r[u * ng + g]);
                    let f: EntryFn = Box::new(move |year: i32| {
                        if let Some(c) = cohorts.as_ref().and_then(|c| c.get(&year)) {
                            return rho_ug * c;
                        }
                        if let Some((dp, dproj, pg, s)) = share {
                            let step = (year - origin_year) as usize;
                            let before = if step <= 1 {
                                dp.get(origin, 0, pg).unwrap_or(0.0)
                            } else {
                                dproj.get(step - 1, 0, pg)
                            };
                            if before.is_finite() {
                                return s * before;
                            }
                        }
                        fallback(year)
                    });
                    Some(f)
                }
            };
            for step in 1..=steps {
                let year = origin_year + step as i32;
                let v = match (follows, &entry) {
                    (Some(pg), _) => {
                        let before = if step == 1 {
                            p.get(origin, u, pg).unwrap_or(0.0)
                        } else {
                            values[((step - 2) * p.units + u) * ng + pg]
                        };
                        ratios[u * ng + g].unwrap_or(1.0) * before
                    }
                    (None, Some(f)) => f(year),
                    (None, None) => 0.0,
                };
                values[((step - 1) * p.units + u) * ng + g] = v;
            }
        }
    }
    Projection {
        steps,
        units: p.units,
        grades: ng,
        values,
    }
}

/// The entry-grade series of one unit up to the origin, in the window the
/// methods look at (the last `max(entry_years, trend_years)` years given).
fn entry_series(p: &Panel, u: usize, g: usize, origin: usize, k: usize) -> Vec<(i32, f64)> {
    (origin.saturating_sub(k - 1)..=origin)
        .filter_map(|y| p.get(y, u, g).map(|v| (p.first_year + y as i32, v)))
        .collect()
}

type EntryFn<'a> = Box<dyn Fn(i32) -> f64 + 'a>;

fn entry_projector(
    p: &Panel,
    u: usize,
    g: usize,
    origin: usize,
    method: EntryMethod,
    births: Option<&Births>,
    opts: &ForecastOptions,
) -> EntryFn<'static> {
    let k = opts.entry_years.max(opts.trend_years).max(1);
    let series = entry_series(p, u, g, origin, k);
    let avg = entry_average(&series, opts.entry_years).unwrap_or(0.0);
    match method {
        EntryMethod::Average => Box::new(move |_| avg),
        EntryMethod::Trend => {
            let tail = series[series.len().saturating_sub(opts.trend_years.max(1))..].to_vec();
            Box::new(move |year| entry_trend(&tail, tail.len(), year).unwrap_or(avg))
        }
        EntryMethod::Births => {
            let Some(b) = births.cloned() else {
                return Box::new(move |_| avg);
            };
            let origin_year = p.first_year + origin as i32;
            let lag = opts.entry_age as i32 + (p.grades[g] - p.grades[0]) as i32;
            let tail = &series[series.len().saturating_sub(opts.entry_years.max(1))..];
            let (num, den) = tail.iter().fold((0.0, 0.0), |acc, &(y, v)| {
                match b.known(y - lag, origin_year) {
                    Some(bb) => (acc.0 + v, acc.1 + bb),
                    None => acc,
                }
            });
            if den <= 0.0 {
                return Box::new(move |_| avg);
            }
            let rho = num / den;
            Box::new(move |year| b.known(year - lag, origin_year).map_or(avg, |bb| rho * bb))
        }
    }
}

/// What an entry grade may lean on besides its own series.
#[derive(Default)]
pub(crate) struct EntryContext<'a> {
    /// Census cohorts per unit and grade (index `u * grades + g`), by entry
    /// year.
    pub census: Option<Vec<Option<std::collections::BTreeMap<i32, f64>>>>,
    /// The district panel and its projection from the same origin.
    pub district: Option<(&'a Panel, &'a Projection)>,
}

/// Census-to-entry ratio per unit and grade: students who entered in the
/// last `entry_years` years up to the origin over the census children of
/// those cohorts (migration, private schools, children living outside the
/// zone of the school they attend), shrunk toward the pooled ratio of all
/// units as if `shrink_n0` more children had entered at it. 1 where no
/// year has both (the census counts are taken as students).
pub(crate) fn census_ratios(
    p: &Panel,
    census: &[Option<std::collections::BTreeMap<i32, f64>>],
    origin: usize,
    opts: &ForecastOptions,
) -> Vec<f64> {
    let ng = p.grades.len();
    let mut sums = vec![(0.0, 0.0); p.units * ng];
    for y in window(origin, opts.entry_years) {
        let year = p.first_year + y as i32;
        for u in 0..p.units {
            for g in 0..ng {
                let Some(c) = census[u * ng + g].as_ref().and_then(|m| m.get(&year)) else {
                    continue;
                };
                if let Some(e) = p.get(y, u, g) {
                    sums[u * ng + g].0 += e;
                    sums[u * ng + g].1 += c;
                }
            }
        }
    }
    let pooled: Vec<f64> = (0..ng)
        .map(|g| {
            let (a, b) = (0..p.units).fold((0.0, 0.0), |acc, u| {
                (acc.0 + sums[u * ng + g].0, acc.1 + sums[u * ng + g].1)
            });
            if b > 0.0 { a / b } else { 1.0 }
        })
        .collect();
    (0..p.units * ng)
        .map(|i| {
            let (a, b) = sums[i];
            (a + opts.shrink_n0 * pooled[i % ng]) / (b + opts.shrink_n0)
        })
        .collect()
}

/// A unit entering at grade `g` that the district also has one grade below
/// (a junior school's first grade after the primaries' last): its share of
/// the district's grade `g - 1` a year earlier, over the last `k` years up
/// to the origin. `(district index of g - 1, share)`; `None` if the district
/// has no grade below or no year to estimate from.
pub(crate) fn transition_share(
    p: &Panel,
    district: &Panel,
    u: usize,
    g: usize,
    origin: usize,
    k: usize,
) -> Option<(usize, f64)> {
    let pg = district.prev[g]?;
    let (mut num, mut den) = (0.0, 0.0);
    for y in window(origin, k) {
        if let (Some(e), Some(d)) = (p.get(y, u, g), district.get(y - 1, 0, pg)) {
            num += e;
            den += d;
        }
    }
    (den > 0.0).then(|| (pg, num / den))
}

/// Scales, per step and grade, the schools' projections so they sum to the
/// district's (proportional reconciliation). A grade the schools project to
/// 0 in total is left as is.
pub(crate) fn reconcile(schools: &mut Projection, district: &Projection) {
    for step in 1..=schools.steps {
        for g in 0..schools.grades {
            let d = district.get(step, 0, g);
            let sum: f64 = (0..schools.units)
                .map(|s| schools.get(step, s, g))
                .filter(|v| !v.is_nan())
                .sum();
            if d.is_nan() || sum <= 0.0 {
                continue;
            }
            let f = d / sum;
            for s in 0..schools.units {
                let i = ((step - 1) * schools.units + s) * schools.grades + g;
                schools.values[i] *= f;
            }
        }
    }
}
