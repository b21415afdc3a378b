//! `catchment`: school catchment planning for county education bureaus.
//!
//! The pipeline (see ARCHITECTURE.md): `io` reads and validates the inputs
//! into `model` types; `assign` places every entry-cohort child exactly;
//! `plan` is the planning engine over them (a loaded scenario solved,
//! edited and re-solved); `render` draws maps; `cmd` holds one thin file
//! per subcommand.

pub mod assign;
pub mod cmd;
pub mod enrol;
pub mod forecast;
pub mod io;
pub mod lottery;
pub mod model;
pub mod plan;
pub mod render;
pub mod spatial;
pub mod studio;
// Synthetic instances for benches, examples and tests only (feature
// `synth`, on for dev builds through the self dev-dependency in Cargo.toml).
#[cfg(feature = "synth")]
pub mod synth;
pub mod zones;
