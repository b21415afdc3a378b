//! Enrollment forecasts: the model, its extras (cutoffs, census cohorts,
//! housing), and `forecast` and `backtest` through the command line.

mod backtest_cli;
mod cli;
mod extras;
mod model;

use catchment::forecast::EnrollmentRow;

/// One row of an enrollment history.
fn row(year: i32, school: &str, grade: u32, students: i64) -> EnrollmentRow {
    EnrollmentRow {
        year,
        school_id: school.into(),
        grade,
        students,
    }
}

/// Equal up to rounding (relative 1e-9, absolute below 1).
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9 * b.abs().max(1.0)
}
