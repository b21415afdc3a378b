//! Enrolment: what a bureau does with the children a plan sends to its
//! schools, from the admission list to the classroom and the next school.
//! `admit` admits applicants (catchment, then lottery runs); `classes`
//! splits an admitted cohort into balanced classes; `track` follows
//! graduates into their next school (dropout control). One folder because
//! the three share a subject and a life cycle (the yearly intake), not the
//! planner's optimisation: they never touch `assign` or `zones`, and each
//! is pure (no I/O; `cmd/admit.rs`, `cmd/classes.rs`, `cmd/track.rs` read
//! and write). Named `enrol`, the act, to keep it apart from the
//! enrollment counts of `forecast`.

pub mod admit;
pub mod classes;
pub mod track;
