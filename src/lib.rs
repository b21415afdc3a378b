//! `catchment`: school catchment planning for county education bureaus.
//!
//! The pipeline (see ARCHITECTURE.md): `io` reads and validates the inputs
//! into `model` types; `assign` places every entry-cohort child exactly;
//! `plan` is the planning engine over them (a loaded scenario solved,
//! edited and re-solved); `render` draws maps; `cmd` holds one thin file
//! per subcommand.

pub mod admit;
pub mod assign;
pub mod classes;
pub mod cmd;
pub mod forecast;
pub mod io;
pub mod lottery;
pub mod model;
pub mod plan;
pub mod render;
pub mod spatial;
pub mod synth;
pub mod track;
pub mod zones;
