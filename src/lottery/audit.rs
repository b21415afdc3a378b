//! The published records: `lottery_commitment.json` (written by `commit`,
//! before the seed exists) and `lottery_audit.json` (written by `draw`).
//! Both are pretty-printed JSON with keys in a fixed order and a final LF,
//! so a folder recomputes to the same bytes.

use super::canon::{APPLICANTS_FILE, Applicant, commitment, hex, sha256};
use super::draw::{Draw, RESULT_FILE, tickets_by_school};
use super::{ALGORITHM, LotteryError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The commitment record's file name.
pub const COMMITMENT_FILE: &str = "lottery_commitment.json";
/// The audit record's file name.
pub const AUDIT_FILE: &str = "lottery_audit.json";

/// How the list was committed.
pub const COMMIT_THEN_DRAW: &str = "commit_then_draw";
pub const COMMIT_AND_DRAW: &str = "commit_and_draw";

/// Counts of one school in the commitment record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommittedSchool {
    pub applicants: usize,
    pub tickets: usize,
    pub priority_tickets: usize,
}

/// `lottery_commitment.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitRecord {
    pub algorithm: String,
    pub applicants_file: String,
    pub applicants_sha256: String,
    pub applicants: usize,
    pub schools: BTreeMap<String, CommittedSchool>,
}

impl CommitRecord {
    /// The record of a canonical list (its bytes and its applicants).
    pub fn new(canonical: &[u8], applicants: &[Applicant]) -> Result<CommitRecord, LotteryError> {
        let tickets = tickets_by_school(applicants)?;
        let schools = tickets
            .iter()
            .map(|(s, t)| {
                (
                    s.clone(),
                    CommittedSchool {
                        applicants: t.iter().map(|t| t.members.len()).sum(),
                        tickets: t.len(),
                        priority_tickets: t.iter().filter(|t| t.priority).count(),
                    },
                )
            })
            .collect();
        Ok(CommitRecord {
            algorithm: ALGORITHM.to_string(),
            applicants_file: APPLICANTS_FILE.to_string(),
            applicants_sha256: commitment(canonical),
            applicants: applicants.len(),
            schools,
        })
    }
}

/// What went into the seed besides the commitment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedInputs {
    pub public_entropy: String,
    pub notary: String,
}

/// The declared options, as text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionsRecord {
    pub priority: String,
    pub group_overflow: String,
}

/// One school in the audit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditSchool {
    pub school_id: String,
    pub key: String,
    pub applicants: usize,
    pub tickets: usize,
    pub priority_tickets: usize,
    pub seats: u64,
    pub admitted: usize,
    pub over_plan: usize,
}

/// `lottery_audit.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Audit {
    pub algorithm: String,
    pub procedure: String,
    pub applicants_file: String,
    pub applicants_sha256: String,
    pub seed_inputs: SeedInputs,
    pub seed: String,
    pub seats: BTreeMap<String, u64>,
    pub options: OptionsRecord,
    pub schools: Vec<AuditSchool>,
    pub result_file: String,
    pub result_sha256: String,
}

impl Audit {
    /// The audit of a draw whose result file is `result`.
    pub fn new(
        procedure: &str,
        applicants_sha256: &str,
        seed_inputs: SeedInputs,
        draw: &Draw,
        result: &[u8],
    ) -> Audit {
        Audit {
            algorithm: ALGORITHM.to_string(),
            procedure: procedure.to_string(),
            applicants_file: APPLICANTS_FILE.to_string(),
            applicants_sha256: applicants_sha256.to_string(),
            seed_inputs,
            seed: hex(&draw.seed),
            seats: draw
                .schools
                .iter()
                .map(|s| (s.school_id.clone(), s.seats))
                .collect(),
            options: OptionsRecord {
                priority: draw.options.priority.as_str().to_string(),
                group_overflow: draw.options.group_overflow.as_str().to_string(),
            },
            schools: draw
                .schools
                .iter()
                .map(|s| AuditSchool {
                    school_id: s.school_id.clone(),
                    key: hex(&s.key),
                    applicants: s.applicants(),
                    tickets: s.ranking.len(),
                    priority_tickets: s.priority_tickets(),
                    seats: s.seats,
                    admitted: s.admitted(),
                    over_plan: s.over_plan(),
                })
                .collect(),
            result_file: RESULT_FILE.to_string(),
            result_sha256: hex(&sha256(result)),
        }
    }
}

/// Pretty JSON with a final LF (struct fields in declaration order, maps
/// sorted by key).
pub fn to_json<T: Serialize>(value: &T) -> String {
    // Serialising these plain structs cannot fail.
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}
