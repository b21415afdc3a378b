//! The forecast's inputs assembled from the plan's model: the level of each
//! grade, the births lag, the school whose entry each census unit feeds, and
//! the census children counted by school and entry year. Pure: the command
//! and `io::history` read the files.

use super::extras::Census;
use super::history::History;
use crate::model::{Demand, Level, Policy, School, Unit};

/// The level a grade belongs to (primary 1-6, junior 7-9; kindergarten and
/// senior grades have none here).
pub fn level_of_grade(grade: u32) -> Option<Level> {
    match grade {
        1..=6 => Some(Level::Primary),
        7..=9 => Some(Level::Junior),
        _ => None,
    }
}

/// The grades of a level (6 primary, 3 junior): what its entry seats are
/// multiplied by, and what a housing yield is spread over.
pub fn grades_of(level: Level) -> u32 {
    match level {
        Level::Primary => 6,
        Level::Junior => 3,
    }
}

/// Age of a child at the history's lowest grade (the births lag): the
/// policy's entry age at its entry grade, shifted by the grades between.
pub fn age_at_lowest_grade(history: &History, policy: &Policy) -> u32 {
    let lowest = history.grades().first().copied().unwrap_or(1) as i64;
    (policy.entry_age as i64 + lowest - policy.entry_grade as i64).max(0) as u32
}

/// Per level (index `Level::index`), per unit, the index in `schools` of the
/// school whose entry the unit feeds: the school of its current zone when
/// `current` zones are given (as `Loaded::current` of the plan's loader),
/// else the nearest school taking a catchment at that level.
pub fn catchment_schools(
    units: &[Unit],
    schools: &[School],
    current: Option<&[Vec<Option<usize>>; 2]>,
) -> [Vec<Option<usize>>; 2] {
    match current {
        Some(cur) => [0, 1].map(|l| {
            cur[l]
                .iter()
                .map(|s| s.filter(|&j| j < schools.len()))
                .collect()
        }),
        None => [Level::Primary, Level::Junior].map(|level| {
            units
                .iter()
                .map(|u| {
                    schools
                        .iter()
                        .enumerate()
                        .filter(|(_, s)| s.takes_catchment(level))
                        .map(|(j, s)| (crate::spatial::haversine_m(u.lon, u.lat, s.lon, s.lat), j))
                        .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
                        .map(|x| x.1)
                })
                .collect()
        }),
    }
}

/// The census children by school, entry grade and entry year, and what the
/// count left out.
#[derive(Debug, Clone, Default)]
pub struct CensusCount {
    pub census: Census,
    /// Child-levels counted.
    pub counted: u64,
    /// Child-levels of units in no zone of their level (not counted).
    pub unzoned: u64,
    /// Unit-levels that give `demand` counts only (no ages or birth dates):
    /// not part of the census.
    pub direct: usize,
}

/// Counts the census children of every unit at the school it feeds at each
/// level (`school_of`, from [`catchment_schools`]), by that level's entry
/// grade and the year they enter it (31 Aug rule: a child enters the level
/// in the first year on whose cutoff day it has the level's entry age).
/// Children given by birth date count only in cohorts wholly born by the
/// census date.
pub fn count_census(
    units: &[Unit],
    schools: &[School],
    school_of: &[Vec<Option<usize>>; 2],
    policy: &Policy,
) -> CensusCount {
    let entry_grade = |level: Level| match level {
        Level::Primary => policy.entry_grade,
        Level::Junior => policy.entry_grade + 6,
    };
    let census_date = policy.census_date();
    let mut count = CensusCount::default();
    for (i, u) in units.iter().enumerate() {
        for level in [Level::Primary, Level::Junior] {
            let Some(j) = school_of[level.index()][i] else {
                count.unzoned += match &u.demand {
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
                            count.census.add(sid, grade, y, 1.0);
                            count.counted += 1;
                        }
                    }
                }
                Demand::Ages(ages) => {
                    for (a, &n) in ages.iter().enumerate() {
                        if n > 0 {
                            count.census.add(
                                sid,
                                grade,
                                policy.entry_year_of_age(a as u32, level),
                                n.into(),
                            );
                            count.counted += u64::from(n);
                        }
                    }
                }
                Demand::Direct { .. } => count.direct += 1,
            }
        }
    }
    count
}
