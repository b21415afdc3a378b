//! What the forecast knows besides the enrollment history: the children
//! already born (a household census, per catchment) and new housing.
//!
//! Both arrive here already mapped to schools (the command maps units to
//! the school of their current zone); the core only counts.

use std::collections::BTreeMap;

/// Children counted by a census, by the school whose catchment they live
/// in, the grade they will enter there (the entry grade of its level) and
/// the year they enter it (31 Aug cutoff rule, see
/// [`crate::model::Policy::entry_year_of`]).
///
/// Only complete cohorts belong here: every child of the cohort was born
/// by the census date.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Census {
    cohorts: BTreeMap<(String, u32), BTreeMap<i32, f64>>,
}

impl Census {
    pub fn add(&mut self, school_id: &str, grade: u32, entry_year: i32, children: f64) {
        *self
            .cohorts
            .entry((school_id.to_string(), grade))
            .or_default()
            .entry(entry_year)
            .or_default() += children;
    }

    /// Children of the cohort entering `grade` at the school in `year`.
    pub fn get(&self, school_id: &str, grade: u32, year: i32) -> Option<f64> {
        self.cohorts
            .get(&(school_id.to_string(), grade))?
            .get(&year)
            .copied()
    }

    /// The cohorts of one school and grade, by entry year.
    pub fn series(&self, school_id: &str, grade: u32) -> Option<&BTreeMap<i32, f64>> {
        self.cohorts.get(&(school_id.to_string(), grade))
    }

    pub fn is_empty(&self) -> bool {
        self.cohorts.is_empty()
    }

    /// The last entry year any cohort covers.
    pub fn last_year(&self) -> Option<i32> {
        self.cohorts
            .values()
            .filter_map(|m| m.keys().next_back())
            .max()
            .copied()
    }

    /// Schools and grades counted, in order.
    pub fn keys(&self) -> impl Iterator<Item = &(String, u32)> {
        self.cohorts.keys()
    }
}

/// Students a housing project adds to one grade of one school, from its
/// completion year on (families move in at completion and stay: the
/// dwellings keep yielding children at the same rate).
#[derive(Debug, Clone, PartialEq)]
pub struct HousingAdd {
    pub year: i32,
    pub school_id: String,
    pub grade: u32,
    pub students: f64,
}

/// Students per grade from `dwellings` new dwellings yielding
/// `per_dwelling` students of a level spread evenly over its `grades`.
///
/// ```
/// // 120 flats at 0.2 primary pupils each: 24 pupils, 4 in each of 6 grades.
/// assert_eq!(catchment::forecast::housing_yield(120.0, 0.2, 6), 4.0);
/// ```
pub fn housing_yield(dwellings: f64, per_dwelling: f64, grades: u32) -> f64 {
    if grades == 0 {
        return 0.0;
    }
    dwellings * per_dwelling / f64::from(grades)
}

/// Everything besides the history a forecast may use.
#[derive(Debug, Clone, Copy, Default)]
pub struct Extras<'a> {
    pub births: Option<&'a super::Births>,
    pub census: Option<&'a Census>,
    pub housing: &'a [HousingAdd],
}
