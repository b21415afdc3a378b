//! The assignment of children to schools: the per-level rules, the
//! transportation solver, their properties, and an independent LP.

mod levels;
mod plan_lp;
mod props;
mod solver;
