//! The county's enrollment policy as numbers: entry year and cutoff, class
//! sizes, travel limits; and the entry cohort it implies.

use super::{Demand, Level};
use chrono::{Datelike, NaiveDate};

/// A month and day (the cutoff, "08-31"). 29 February is refused on input
/// because it does not exist in most entry years.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct MonthDay {
    pub month: u32,
    pub day: u32,
}

impl MonthDay {
    pub fn parse(s: &str) -> Option<MonthDay> {
        let (m, d) = s.split_once('-')?;
        if m.len() != 2 || d.len() != 2 {
            return None;
        }
        let (month, day) = (m.parse().ok()?, d.parse().ok()?);
        if month == 2 && day == 29 {
            return None;
        }
        NaiveDate::from_ymd_opt(2023, month, day)?;
        Some(MonthDay { month, day })
    }

    pub fn in_year(self, year: i32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, self.month, self.day).expect("validated month-day")
    }
}

impl std::fmt::Display for MonthDay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}-{:02}", self.month, self.day)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub entry_year: i32,
    /// Age on this day of `entry_year` decides the cohort (default 31 Aug).
    pub cutoff: MonthDay,
    /// The day `ages` counts refer to; default the cutoff day of the entry year.
    pub census_date: Option<NaiveDate>,
    pub entry_grade: u32,
    /// Primary entry age; junior entry age is `entry_age + 6`.
    pub entry_age: u32,
    pub class_size_primary: u32,
    pub class_size_junior: u32,
    pub max_travel_m_primary: f64,
    pub max_travel_m_junior: f64,
    /// Place special-needs students first at their nearest school, even
    /// beyond its seats (就近就便). Off: they are placed like everyone.
    pub special_needs_near_home: bool,
    /// Day travel limits in minutes (road travel only; they replace the
    /// metre limits for the level when set).
    pub max_travel_min_primary: Option<f64>,
    pub max_travel_min_junior: Option<f64>,
}

impl Policy {
    /// The county's 2023 rules: 31 Aug cutoff, age 6, classes of 45 / 50,
    /// day travel 3 km primary / 10 km junior.
    pub fn standard(entry_year: i32) -> Policy {
        Policy {
            entry_year,
            cutoff: MonthDay { month: 8, day: 31 },
            census_date: None,
            entry_grade: 1,
            entry_age: 6,
            class_size_primary: 45,
            class_size_junior: 50,
            max_travel_m_primary: 3000.0,
            max_travel_m_junior: 10000.0,
            special_needs_near_home: true,
            max_travel_min_primary: None,
            max_travel_min_junior: None,
        }
    }

    pub fn class_size(&self, level: Level) -> u32 {
        match level {
            Level::Primary => self.class_size_primary,
            Level::Junior => self.class_size_junior,
        }
    }

    pub fn max_travel_m(&self, level: Level) -> f64 {
        match level {
            Level::Primary => self.max_travel_m_primary,
            Level::Junior => self.max_travel_m_junior,
        }
    }

    pub fn max_travel_min(&self, level: Level) -> Option<f64> {
        match level {
            Level::Primary => self.max_travel_min_primary,
            Level::Junior => self.max_travel_min_junior,
        }
    }

    pub fn entry_age_of(&self, level: Level) -> u32 {
        match level {
            Level::Primary => self.entry_age,
            Level::Junior => self.entry_age + 6,
        }
    }

    pub fn census_date(&self) -> NaiveDate {
        self.census_date
            .unwrap_or_else(|| self.cutoff.in_year(self.entry_year))
    }

    /// Birth dates of the entry cohort at `level`: born after `.0` and on or
    /// before `.1` (2023 primary: 2016-09-01 ..= 2017-08-31).
    pub fn birth_window(&self, level: Level) -> (NaiveDate, NaiveDate) {
        let y = self.entry_year - self.entry_age_of(level) as i32;
        (self.cutoff.in_year(y - 1), self.cutoff.in_year(y))
    }

    /// The year a child born on `birth` enters `level`: the first year on
    /// whose cutoff day the child is at least the level's entry age (with
    /// the 31 Aug cutoff and entry age 6, born 2017-08-31 enters in 2023,
    /// born 2017-09-01 in 2024).
    pub fn entry_year_of(&self, birth: NaiveDate, level: Level) -> i32 {
        let age = self.entry_age_of(level) as i32;
        let y = birth.year();
        if birth <= self.cutoff.in_year(y) {
            y + age
        } else {
            y + age + 1
        }
    }

    /// The entry year (into `level`) of the children of completed age `age`
    /// on the census date: the inverse of the `ages` rule of
    /// [`Policy::cohort`].
    pub fn entry_year_of_age(&self, age: u32, level: Level) -> i32 {
        self.entry_year + self.entry_age_of(level) as i32 - self.years_from_census() - age as i32
    }

    pub fn in_cohort(&self, birth: NaiveDate, level: Level) -> bool {
        let (after, until) = self.birth_window(level);
        birth > after && birth <= until
    }

    /// Whole years to add to an age on the census date to get the age on the
    /// cutoff day of the entry year, rounded to the nearest year (exact when
    /// the census is taken on the cutoff day, as is usual).
    pub fn years_from_census(&self) -> i32 {
        let days = (self.cutoff.in_year(self.entry_year) - self.census_date()).num_days();
        (days as f64 / 365.2425).round() as i32
    }

    /// The entry cohort of one unit at `level`.
    pub fn cohort(&self, demand: &Demand, level: Level) -> Result<Cohort, CohortError> {
        let mut c = Cohort::default();
        match demand {
            Demand::Children(children) => {
                for ch in children
                    .iter()
                    .filter(|ch| self.in_cohort(ch.birth_date, level))
                {
                    c.students += 1;
                    c.special_needs += ch.special_needs as u32;
                    if ch.residence == Some(super::Residence::None) || ch.residence.is_none() {
                        c.without_residence += 1;
                    }
                }
            }
            Demand::Ages(ages) => {
                let age = self.entry_age_of(level) as i32 - self.years_from_census();
                if !(0..18).contains(&age) {
                    return Err(CohortError::AgeOutOfCensus { level, age });
                }
                c.students = ages[age as usize];
            }
            Demand::Direct { primary, junior } => {
                c.students = match level {
                    Level::Primary => *primary,
                    Level::Junior => *junior,
                };
            }
        }
        Ok(c)
    }
}

/// The entry-cohort students of one unit at one level.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Cohort {
    pub students: u32,
    /// Of which with special needs (placed near home first).
    pub special_needs: u32,
    /// Of which without hukou or residence permit (or not stated): placed,
    /// and counted for follow-up.
    pub without_residence: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub enum CohortError {
    /// `ages` counts cannot give the cohort: the entry year is too far from
    /// the census date (the children were not yet born, or are over 17).
    AgeOutOfCensus { level: Level, age: i32 },
}

impl std::error::Error for CohortError {}

impl std::fmt::Display for CohortError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CohortError::AgeOutOfCensus { level, age } => write!(
                f,
                "the {} entry cohort would be the children aged {} on the census date, \
                 outside the `ages` counts 0..17 (entry_year too far from census_date; \
                 use `catchment forecast` for future years)",
                level.as_str(),
                age
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Child;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn child(b: &str) -> Child {
        Child {
            id: None,
            birth_date: d(b),
            sex: None,
            multiple_birth_group: None,
            special_needs: false,
            priority: None,
            residence: Some(crate::model::Residence::Hukou),
        }
    }

    #[test]
    fn cutoff_31_august_decides_the_entry_year() {
        let p = Policy::standard(2023);
        assert!(p.in_cohort(d("2017-08-31"), Level::Primary));
        assert!(!p.in_cohort(d("2017-09-01"), Level::Primary));
        assert!(p.in_cohort(d("2016-09-01"), Level::Primary));
        assert!(!p.in_cohort(d("2016-08-31"), Level::Primary));
        let p24 = Policy::standard(2024);
        assert!(p24.in_cohort(d("2017-09-01"), Level::Primary));
        // junior: age 12 on 31 Aug
        assert!(p.in_cohort(d("2011-08-31"), Level::Junior));
        assert!(p.in_cohort(d("2010-09-01"), Level::Junior));
        assert!(!p.in_cohort(d("2011-09-01"), Level::Junior));
    }

    #[test]
    fn household_cohort_counts_by_hand() {
        let p = Policy::standard(2023);
        let mut twins = child("2017-01-05");
        twins.special_needs = true;
        let kids = vec![
            twins.clone(),
            child("2017-01-05"),
            child("2017-09-01"),
            child("2011-03-02"),
        ];
        let dem = Demand::Children(kids);
        let c = p.cohort(&dem, Level::Primary).unwrap();
        assert_eq!((c.students, c.special_needs), (2, 1));
        assert_eq!(p.cohort(&dem, Level::Junior).unwrap().students, 1);
    }

    #[test]
    fn ages_are_aged_to_the_entry_year() {
        let mut ages = [0u32; 18];
        ages[5] = 7;
        ages[6] = 11;
        ages[11] = 13;
        let dem = Demand::Ages(ages);
        let mut p = Policy::standard(2023);
        assert_eq!(p.cohort(&dem, Level::Primary).unwrap().students, 11);
        assert_eq!(p.cohort(&dem, Level::Junior).unwrap().students, 0);
        p.census_date = Some(d("2022-08-31"));
        assert_eq!(p.cohort(&dem, Level::Primary).unwrap().students, 7);
        assert_eq!(p.cohort(&dem, Level::Junior).unwrap().students, 13);
        p.census_date = Some(d("2015-08-31"));
        assert!(p.cohort(&dem, Level::Primary).is_err());
    }

    #[test]
    fn cutoff_parse() {
        assert_eq!(
            MonthDay::parse("08-31"),
            Some(MonthDay { month: 8, day: 31 })
        );
        assert_eq!(MonthDay::parse("02-29"), None);
        assert_eq!(MonthDay::parse("13-01"), None);
        assert_eq!(MonthDay::parse("8-31"), None);
    }
}
