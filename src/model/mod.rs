//! Domain types: demand units (households or blocks), schools, the policy,
//! what-if edits. No I/O here: readers in `io` build these, the core consumes them.

pub mod edits;
mod id;
mod policy;
pub mod road;

pub use edits::{ClassChange, Edit, EditError, apply_edits};
pub use id::id_cmp;
pub use policy::{Cohort, CohortError, MonthDay, Policy};
pub use road::{Oneway, RoadLine, WALK_KMH, class_speed_kmh};

use chrono::NaiveDate;

/// School level. A `nine_year` school (九年一贯制) serves both levels and is
/// modelled as one school with two seat counts.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Primary,
    Junior,
}

impl Level {
    pub const ALL: [Level; 2] = [Level::Primary, Level::Junior];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Primary => "primary",
            Level::Junior => "junior",
        }
    }

    pub fn index(self) -> usize {
        match self {
            Level::Primary => 0,
            Level::Junior => 1,
        }
    }
}

/// Which levels a school teaches, as written in `schools.geojson`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SchoolKind {
    Primary,
    Junior,
    NineYear,
}

impl SchoolKind {
    pub fn serves(self, level: Level) -> bool {
        matches!(
            (self, level),
            (SchoolKind::NineYear, _)
                | (SchoolKind::Primary, Level::Primary)
                | (SchoolKind::Junior, Level::Junior)
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SchoolKind::Primary => "primary",
            SchoolKind::Junior => "junior",
            SchoolKind::NineYear => "nine_year",
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Sector {
    Public,
    /// 民办: takes no catchment; filled by application and lottery.
    Private,
}

/// A value given once for the school, or per level (nine-year schools).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct PerLevel<T> {
    pub primary: Option<T>,
    pub junior: Option<T>,
}

impl<T> Default for PerLevel<T> {
    fn default() -> Self {
        PerLevel {
            primary: None,
            junior: None,
        }
    }
}

impl<T: Copy> PerLevel<T> {
    pub fn both(v: T) -> Self {
        PerLevel {
            primary: Some(v),
            junior: Some(v),
        }
    }
    pub fn get(&self, level: Level) -> Option<T> {
        match level {
            Level::Primary => self.primary,
            Level::Junior => self.junior,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct School {
    pub id: String,
    pub name: String,
    pub lon: f64,
    pub lat: f64,
    pub kind: SchoolKind,
    pub sector: Sector,
    pub boarding: bool,
    /// Towns a boarding school takes beyond the day limit (empty: all).
    pub serves: Vec<String>,
    pub entry_classes: PerLevel<u32>,
    /// Explicit seats; overrides classes x class size.
    pub capacity: PerLevel<u32>,
    pub class_size: PerLevel<u32>,
    pub max_travel_m: PerLevel<f64>,
}

impl School {
    /// Entry seats at `level`: explicit capacity, else entry classes x class
    /// size (the school's own, else the policy's standard class size).
    pub fn seats(&self, level: Level, policy: &Policy) -> Option<u32> {
        if !self.kind.serves(level) {
            return None;
        }
        if let Some(c) = self.capacity.get(level) {
            return Some(c);
        }
        let classes = self.entry_classes.get(level)?;
        Some(classes.saturating_mul(self.class_size(level, policy)))
    }

    pub fn class_size(&self, level: Level, policy: &Policy) -> u32 {
        self.class_size
            .get(level)
            .unwrap_or_else(|| policy.class_size(level))
    }

    /// Day-travel limit for this school at `level`; `None` = no limit
    /// (boarding schools are exempt from the day limit unless they set one).
    pub fn travel_limit_m(&self, level: Level, policy: &Policy) -> Option<f64> {
        if let Some(m) = self.max_travel_m.get(level) {
            return Some(m);
        }
        if self.boarding {
            None
        } else {
            Some(policy.max_travel_m(level))
        }
    }

    /// Takes part in catchment assignment at `level` (public, teaches it).
    pub fn takes_catchment(&self, level: Level) -> bool {
        self.sector == Sector::Public && self.kind.serves(level)
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Residence {
    /// 户籍
    Hukou,
    /// 居住证: treated as a resident.
    Permit,
    /// Neither: placed anyway (compulsory education), flagged for follow-up.
    None,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Child {
    pub id: Option<String>,
    pub birth_date: NaiveDate,
    pub sex: Option<char>,
    pub multiple_birth_group: Option<String>,
    pub special_needs: bool,
    pub priority: Option<String>,
    pub residence: Option<Residence>,
}

/// What a unit says about its children, in one of the contract's three forms.
#[derive(Clone, Debug, PartialEq)]
pub enum Demand {
    /// A household: each child with a birth date.
    Children(Vec<Child>),
    /// A block: counts by completed age (0..=17) on the census date.
    Ages([u32; 18]),
    /// The students of the planned cohort, per level, placed as given.
    Direct { primary: u32, junior: u32 },
}

/// A household or residential block: one point of demand.
#[derive(Clone, Debug, PartialEq)]
pub struct Unit {
    pub id: String,
    pub lon: f64,
    pub lat: f64,
    pub town: Option<String>,
    pub village: Option<String>,
    pub demand: Demand,
}
