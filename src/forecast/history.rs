//! Enrollment history by year, school and grade, and the births series.

use std::collections::HashMap;
use std::fmt;

/// One row of `enrollment.csv` as read: students may be negative here, so
/// the check below can refuse them with their row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollmentRow {
    pub year: i32,
    pub school_id: String,
    pub grade: u32,
    pub students: i64,
}

/// Why rows do not make a history. `row` is the 0-based index into the rows
/// given, so the I/O layer can turn it into a file line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryError {
    /// No rows at all.
    Empty,
    /// The same year, school and grade twice.
    Duplicate {
        row: usize,
        first_row: usize,
        year: i32,
        school_id: String,
        grade: u32,
    },
    /// A negative count.
    Negative {
        row: usize,
        year: i32,
        school_id: String,
        grade: u32,
        students: i64,
    },
    /// A count that does not fit in `u32`.
    TooLarge { row: usize, students: i64 },
    /// A year between the first and the last with no row for any school:
    /// the district series must be continuous (a school may be absent).
    MissingYear { year: i32, first: i32, last: i32 },
}

impl fmt::Display for HistoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HistoryError::Empty => write!(f, "no enrollment rows"),
            HistoryError::Duplicate {
                row,
                first_row,
                year,
                school_id,
                grade,
            } => write!(
                f,
                "row {row}: year {year}, school {school_id}, grade {grade} already given in row {first_row}"
            ),
            HistoryError::Negative {
                row,
                year,
                school_id,
                grade,
                students,
            } => write!(
                f,
                "row {row}: year {year}, school {school_id}, grade {grade}: students must be >= 0 (got {students})"
            ),
            HistoryError::TooLarge { row, students } => {
                write!(f, "row {row}: students too large (got {students})")
            }
            HistoryError::MissingYear { year, first, last } => write!(
                f,
                "no enrollment row for year {year} (the history runs {first}-{last} and must have every year)"
            ),
        }
    }
}

impl std::error::Error for HistoryError {}

/// Students by (year, school, grade), dense: `years` are consecutive,
/// `schools` and `grades` sorted, and a cell is `None` where the school had
/// no row for that grade that year (not open, or not offering the grade) —
/// different from a reported 0.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    years: Vec<i32>,
    schools: Vec<String>,
    grades: Vec<u32>,
    /// Index `(year * schools + school) * grades + grade`.
    cells: Vec<Option<u32>>,
}

impl History {
    /// Builds the history from rows in any order.
    ///
    /// ```
    /// use catchment::forecast::{EnrollmentRow, History};
    /// let row = |year, grade, students| EnrollmentRow {
    ///     year, school_id: "A".into(), grade, students,
    /// };
    /// let h = History::from_rows(&[row(2020, 1, 40), row(2021, 1, 42)]).unwrap();
    /// assert_eq!(h.students(2021, "A", 1), Some(42));
    /// ```
    pub fn from_rows(rows: &[EnrollmentRow]) -> Result<History, HistoryError> {
        if rows.is_empty() {
            return Err(HistoryError::Empty);
        }
        for (i, r) in rows.iter().enumerate() {
            if r.students < 0 {
                return Err(HistoryError::Negative {
                    row: i,
                    year: r.year,
                    school_id: r.school_id.clone(),
                    grade: r.grade,
                    students: r.students,
                });
            }
            if r.students > i64::from(u32::MAX) {
                return Err(HistoryError::TooLarge {
                    row: i,
                    students: r.students,
                });
            }
        }
        let first = rows.iter().map(|r| r.year).min().unwrap_or_default();
        let last = rows.iter().map(|r| r.year).max().unwrap_or_default();
        let mut seen_year = vec![false; (last - first + 1) as usize];
        for r in rows {
            seen_year[(r.year - first) as usize] = true;
        }
        if let Some(k) = seen_year.iter().position(|s| !s) {
            return Err(HistoryError::MissingYear {
                year: first + k as i32,
                first,
                last,
            });
        }
        let mut schools: Vec<String> = rows.iter().map(|r| r.school_id.clone()).collect();
        schools.sort();
        schools.dedup();
        let mut grades: Vec<u32> = rows.iter().map(|r| r.grade).collect();
        grades.sort_unstable();
        grades.dedup();
        let school_ix: HashMap<&str, usize> = schools
            .iter()
            .enumerate()
            .map(|(i, s)| (s.as_str(), i))
            .collect();
        let years: Vec<i32> = (first..=last).collect();
        let (ns, ng) = (schools.len(), grades.len());
        let mut cells = vec![None; years.len() * ns * ng];
        let mut first_row = vec![usize::MAX; cells.len()];
        for (i, r) in rows.iter().enumerate() {
            let y = (r.year - first) as usize;
            let s = school_ix[r.school_id.as_str()];
            let g = grades.binary_search(&r.grade).unwrap_or_default();
            let at = (y * ns + s) * ng + g;
            if first_row[at] != usize::MAX {
                return Err(HistoryError::Duplicate {
                    row: i,
                    first_row: first_row[at],
                    year: r.year,
                    school_id: r.school_id.clone(),
                    grade: r.grade,
                });
            }
            first_row[at] = i;
            cells[at] = Some(r.students as u32);
        }
        Ok(History {
            years,
            schools,
            grades,
            cells,
        })
    }

    /// Consecutive years, first to last.
    pub fn years(&self) -> &[i32] {
        &self.years
    }

    /// School ids, sorted.
    pub fn schools(&self) -> &[String] {
        &self.schools
    }

    /// Grades present anywhere, sorted.
    pub fn grades(&self) -> &[u32] {
        &self.grades
    }

    /// Students of one cell by year, school id and grade; `None` if absent.
    pub fn students(&self, year: i32, school_id: &str, grade: u32) -> Option<u32> {
        let y = self.year_index(year)?;
        let s = self
            .schools
            .binary_search_by(|x| x.as_str().cmp(school_id))
            .ok()?;
        let g = self.grades.binary_search(&grade).ok()?;
        self.cell(y, s, g)
    }

    /// Students of one cell by indices.
    pub fn cell(&self, year: usize, school: usize, grade: usize) -> Option<u32> {
        let (ns, ng) = (self.schools.len(), self.grades.len());
        self.cells[(year * ns + school) * ng + grade]
    }

    pub(crate) fn year_index(&self, year: i32) -> Option<usize> {
        let first = *self.years.first()?;
        let k = usize::try_from(year - first).ok()?;
        (k < self.years.len()).then_some(k)
    }
}

/// Why a births series is refused (`row` is the 0-based index given).
#[derive(Debug, Clone, PartialEq)]
pub enum BirthsError {
    Empty,
    Duplicate {
        row: usize,
        year: i32,
    },
    /// Negative, NaN or infinite.
    Invalid {
        row: usize,
        year: i32,
        births: f64,
    },
    MissingYear {
        year: i32,
    },
}

impl fmt::Display for BirthsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BirthsError::Empty => write!(f, "no births rows"),
            BirthsError::Duplicate { row, year } => {
                write!(f, "row {row}: births for year {year} already given")
            }
            BirthsError::Invalid { row, year, births } => write!(
                f,
                "row {row}: births for year {year} must be a number >= 0 (got {births})"
            ),
            BirthsError::MissingYear { year } => {
                write!(
                    f,
                    "no births for year {year} (the series must have every year)"
                )
            }
        }
    }
}

impl std::error::Error for BirthsError {}

/// District births by calendar year, consecutive.
#[derive(Debug, Clone, PartialEq)]
pub struct Births {
    first: i32,
    values: Vec<f64>,
}

impl Births {
    /// Builds the series from `(year, births)` pairs in any order.
    pub fn new(series: &[(i32, f64)]) -> Result<Births, BirthsError> {
        if series.is_empty() {
            return Err(BirthsError::Empty);
        }
        let first = series.iter().map(|p| p.0).min().unwrap_or_default();
        let last = series.iter().map(|p| p.0).max().unwrap_or_default();
        let mut values = vec![f64::NAN; (last - first + 1) as usize];
        for (row, &(year, births)) in series.iter().enumerate() {
            if !births.is_finite() || births < 0.0 {
                return Err(BirthsError::Invalid { row, year, births });
            }
            let v = &mut values[(year - first) as usize];
            if !v.is_nan() {
                return Err(BirthsError::Duplicate { row, year });
            }
            *v = births;
        }
        if let Some(k) = values.iter().position(|v| v.is_nan()) {
            return Err(BirthsError::MissingYear {
                year: first + k as i32,
            });
        }
        Ok(Births { first, values })
    }

    /// Births of one year, if given.
    pub fn get(&self, year: i32) -> Option<f64> {
        let k = usize::try_from(year - self.first).ok()?;
        self.values.get(k).copied()
    }

    /// Births of `year` as known at the end of `known_until`: the value if
    /// given and not later than `known_until`, else the mean of the last three
    /// known years (a flat projection of births).
    pub(crate) fn known(&self, year: i32, known_until: i32) -> Option<f64> {
        if year <= known_until
            && let Some(b) = self.get(year)
        {
            return Some(b);
        }
        let last = known_until.min(self.first + self.values.len() as i32 - 1);
        let recent: Vec<f64> = (last - 2..=last).filter_map(|y| self.get(y)).collect();
        (!recent.is_empty()).then(|| recent.iter().sum::<f64>() / recent.len() as f64)
    }
}
