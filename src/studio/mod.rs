//! The planner's studio (`catchment serve`): a planning session held in
//! memory and served to a browser. `state` is the session (pure: a
//! planner, its steps, undo and redo), `views` what the page and the HTTP
//! contract read of it (pure), `api` the contract's routes (pure: a
//! request in, a status and JSON out), `save` the files a save writes
//! (pure: bytes), `assets` the page built into the binary, and `server`
//! the HTTP edge (sockets, tokens, signals, the disk).

pub mod api;
pub mod assets;
pub mod save;
pub mod server;
pub mod state;
pub mod views;

pub use state::{Op, Outcome, Studio, StudioError};
