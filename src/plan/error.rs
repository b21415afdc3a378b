//! Why the planning engine refused an edit or could not solve.

use crate::assign::CertificateError;
use crate::model::{EditError, Level};
use std::fmt;

#[derive(Debug)]
pub enum PlanError {
    /// The LP optimum's proof failed: a solver bug, never an input's fault.
    Certificate(CertificateError),
    /// An edit names a unit the scenario does not hold.
    UnknownUnit(String),
    /// An edit names a school the scenario does not hold.
    UnknownSchool(String),
    /// A unit moved to a school that takes no catchment at the level (a
    /// private school, or one of the other level).
    NotCatchmentSchool { school: String, level: Level },
    /// A unit moved to a school no road reaches from it.
    NoRoute { unit: String, school: String },
    /// A unit moved at a level where it has no student.
    NoStudents { unit: String, level: Level },
    /// A school edit (`[[edit]]` semantics) that cannot be applied.
    Edit(EditError),
    /// A travel limit or stability weight that is not a number >= 0.
    BadNumber { what: &'static str, found: f64 },
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanError::Certificate(e) => write!(f, "{e}"),
            PlanError::UnknownUnit(u) => write!(f, "no unit \"{u}\" in this scenario"),
            PlanError::UnknownSchool(s) => write!(f, "no school \"{s}\" in this scenario"),
            PlanError::NotCatchmentSchool { school, level } => write!(
                f,
                "school \"{school}\" takes no {} catchment (private, or another level)",
                level.as_str()
            ),
            PlanError::NoRoute { unit, school } => {
                write!(f, "no road joins unit \"{unit}\" to school \"{school}\"")
            }
            PlanError::NoStudents { unit, level } => write!(
                f,
                "unit \"{unit}\" has no {} student to move",
                level.as_str()
            ),
            PlanError::Edit(e) => write!(f, "{e}"),
            PlanError::BadNumber { what, found } => {
                write!(f, "{what}: expected a number >= 0, found {found}")
            }
        }
    }
}

impl std::error::Error for PlanError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PlanError::Certificate(e) => Some(e),
            PlanError::Edit(e) => Some(e),
            _ => None,
        }
    }
}

impl From<CertificateError> for PlanError {
    fn from(e: CertificateError) -> Self {
        PlanError::Certificate(e)
    }
}

impl From<EditError> for PlanError {
    fn from(e: EditError) -> Self {
        PlanError::Edit(e)
    }
}
