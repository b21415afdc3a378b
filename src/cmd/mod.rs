//! One file per subcommand (as xsv does): its help, its arguments, one `run`
//! that reads, calls the core, writes. Shared input handling in `inputs`.

pub mod admit;
pub mod backtest;
pub mod classes;
pub mod compare;
pub mod convert;
pub mod forecast;
pub mod inputs;
pub mod locate;
pub mod lottery;
pub mod plan;
pub mod report;
pub mod track;
pub mod validate;

use crate::io::InputErrors;
use std::fmt;

/// Why a command stopped. Exit codes: input and usage errors 2, internal
/// errors (a failed optimality proof, a failed write) 3.
#[derive(Debug)]
pub enum CliError {
    Input(InputErrors),
    Usage(String),
    Write(String),
    Internal(String),
}

/// `--out` must be a folder (or not exist yet): checked before any work.
pub fn check_out(out: &std::path::Path) -> Result<(), CliError> {
    if out.exists() && !out.is_dir() {
        return Err(CliError::Usage(format!(
            "--out {} is a file, not a folder",
            out.display()
        )));
    }
    Ok(())
}

impl CliError {
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Input(_) | CliError::Usage(_) => 2,
            CliError::Write(_) | CliError::Internal(_) => 3,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Input(e) => {
                // One message per line, each marked as an error.
                let text = e.to_string().replace('\n', "\nerror: ");
                write!(f, "{text}\nnothing was written.")
            }
            CliError::Usage(s) => write!(f, "{s}"),
            CliError::Write(s) => write!(f, "could not write outputs: {s}"),
            CliError::Internal(s) => write!(f, "internal error (please report): {s}"),
        }
    }
}

impl From<InputErrors> for CliError {
    fn from(e: InputErrors) -> Self {
        CliError::Input(e)
    }
}

impl From<crate::io::InputError> for CliError {
    fn from(e: crate::io::InputError) -> Self {
        CliError::Input(e.into())
    }
}
