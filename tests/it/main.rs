//! The integration tests, one test binary (`cargo test --release --test it`)
//! so that they build and link once; modules by subject, helpers in `common`.
//! One module's tests run alone with a name filter, as in
//! `cargo test --release --test it roads::` or `... --test it house::`.
//!
//! Proptest keeps the seeds of past failures in
//! `tests/proptest-regressions/<module path>.txt` (its default for a test
//! crate rooted at a `main.rs`) and replays them first.

mod common;

mod admit;
mod assign;
mod chart;
mod classes;
mod cli;
mod commit;
mod conventions;
mod coords;
mod determinism;
mod example;
mod excel;
mod forecast;
mod golden;
mod house;
mod household_table;
mod locate;
mod lottery;
mod maps;
mod notice;
mod planner;
mod public;
mod report;
mod roads;
mod studio;
mod track;
mod zones;
