//! The public admission lottery of an oversubscribed private school: a
//! draw that any citizen can recompute from the published folder.
//!
//! Pure core (no I/O, no clock). The steps, each specified byte for byte
//! in `docs/lottery.md` and re-implemented independently in
//! `tools/lottery_reference.py`:
//!
//! 1. [`canon`]: the applicant list in one canonical CSV form; its SHA-256
//!    is the commitment, published before the seed exists.
//! 2. [`seed`]: the seed from the commitment, pre-announced public numbers
//!    and the notary's input (length-prefixed SHA-256), and one key per
//!    school derived from it.
//! 3. [`stream`]: SHA-256 in counter mode as the random stream, unbiased
//!    integers by rejection, Fisher-Yates shuffle.
//! 4. [`draw`]: tickets (a multiple-birth group holds one), priority tier
//!    first (an option), admission down the ranking without splitting a
//!    group; the result CSV.
//! 5. [`audit`]: the audit record and the commitment record (JSON).
//!
//! [`draw::draw_school`] ranks one school from (tickets, seats, seed,
//! options) and is what `admit` reuses.

pub mod audit;
pub mod canon;
pub mod draw;
pub mod seed;
pub mod stream;

pub use canon::{
    APPLICANTS_FILE, APPLICANTS_HEADER, Applicant, canonical_applicants, commitment, field_problem,
    hex, sha256,
};
pub use draw::{
    Draw, DrawOptions, GroupOverflow, PriorityRule, RESULT_FILE, RESULT_HEADER, RankedTicket,
    SchoolDraw, Ticket, draw, draw_school, result_csv, tickets_by_school,
};
pub use seed::{Seed, derive_seed, school_key};
pub use stream::{Stream, largest_accepted};

use std::fmt;

/// The algorithm's name and version, recorded in every audit. Any change
/// to a byte the algorithm produces needs a new version.
pub const ALGORITHM: &str = "catchment-lottery/1";

/// Inconsistent lottery inputs. The readers in `io` report these with file
/// and line first; the core checks again so that callers such as `admit`
/// cannot draw from an inconsistent list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LotteryError {
    /// A value that cannot go into the canonical file.
    BadField {
        applicant: String,
        field: &'static str,
        problem: &'static str,
    },
    /// The same application number twice.
    DuplicateApplicant(String),
    /// A multiple-birth group with members at two schools.
    GroupSpansSchools {
        group: String,
        schools: (String, String),
    },
    /// Members of one multiple-birth group with different priorities.
    GroupPriorityDiffers { group: String },
    /// A school with applicants but no seat count.
    MissingSeats { school: String, applicants: usize },
}

impl fmt::Display for LotteryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LotteryError::BadField {
                applicant,
                field,
                problem,
            } => write!(f, "applicant {applicant:?}: field `{field}` has {problem}"),
            LotteryError::DuplicateApplicant(id) => {
                write!(f, "application number {id:?} appears twice")
            }
            LotteryError::GroupSpansSchools { group, schools } => write!(
                f,
                "multiple-birth group {group:?} has members at {} and {}",
                schools.0, schools.1
            ),
            LotteryError::GroupPriorityDiffers { group } => write!(
                f,
                "members of multiple-birth group {group:?} have different priorities"
            ),
            LotteryError::MissingSeats { school, applicants } => write!(
                f,
                "school {school} has {applicants} applicants but no seat count"
            ),
        }
    }
}

impl std::error::Error for LotteryError {}
