//! The canonical applicant list and its commitment.
//!
//! Canonical `applicants.csv`: UTF-8 without BOM, LF line ends (the last
//! line too), the header [`APPLICANTS_HEADER`], then one line per
//! applicant `applicant_id,school_id,multiple_birth_group,priority` (empty
//! optional fields empty), sorted by school id then application number,
//! comparing UTF-8 bytes. No field has leading or trailing white space, a
//! comma, a double quote or a control character, so no quoting is ever
//! needed and the file is the same bytes in every implementation. The
//! commitment is the SHA-256 of these bytes, in lower-case hex.

use super::LotteryError;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

/// The canonical list's file name in a lottery folder.
pub const APPLICANTS_FILE: &str = "applicants.csv";

/// The canonical list's header line (without its LF).
pub const APPLICANTS_HEADER: &str = "applicant_id,school_id,multiple_birth_group,priority";

/// One application: the application number (published as is), the one
/// private school applied to, the multiple-birth group (siblings of one
/// birth hold one ticket) and the priority category (empty: general).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Applicant {
    pub id: String,
    pub school_id: String,
    pub group: Option<String>,
    pub priority: Option<String>,
}

/// Why a value cannot be a field of the canonical file, if it cannot.
pub fn field_problem(s: &str) -> Option<&'static str> {
    if s.trim() != s {
        Some("leading or trailing white space")
    } else if s.contains(',') {
        Some("a comma")
    } else if s.contains('"') {
        Some("a double quote")
    } else if s.chars().any(char::is_control) {
        Some("a control character")
    } else {
        None
    }
}

/// The canonical file (see the module text). Errors on a value that cannot
/// be written canonically, an empty id, or an application number twice.
pub fn canonical_applicants(applicants: &[Applicant]) -> Result<String, LotteryError> {
    let mut rows: Vec<&Applicant> = applicants.iter().collect();
    rows.sort_by(|a, b| (&a.school_id, &a.id).cmp(&(&b.school_id, &b.id)));
    let mut seen = BTreeSet::new();
    let mut out = String::with_capacity(64 + 40 * rows.len());
    out.push_str(APPLICANTS_HEADER);
    out.push('\n');
    for a in rows {
        let fields: [(&'static str, &str); 4] = [
            ("applicant_id", &a.id),
            ("school_id", &a.school_id),
            ("multiple_birth_group", a.group.as_deref().unwrap_or("")),
            ("priority", a.priority.as_deref().unwrap_or("")),
        ];
        for (k, (field, value)) in fields.iter().enumerate() {
            // An empty group or priority is written as no value (as `None`).
            let problem = if k < 2 && value.is_empty() {
                Some("no value")
            } else {
                field_problem(value)
            };
            if let Some(problem) = problem {
                return Err(LotteryError::BadField {
                    applicant: a.id.clone(),
                    field,
                    problem,
                });
            }
        }
        if !seen.insert(a.id.as_str()) {
            return Err(LotteryError::DuplicateApplicant(a.id.clone()));
        }
        out.push_str(&fields.map(|(_, v)| v).join(","));
        out.push('\n');
    }
    Ok(out)
}

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(2 * bytes.len());
    for &b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// The commitment: SHA-256 of the canonical file's bytes, lower-case hex.
pub fn commitment(canonical: &[u8]) -> String {
    hex(&sha256(canonical))
}
