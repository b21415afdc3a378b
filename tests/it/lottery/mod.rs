//! The admission lottery: the pure draw, and commit, draw and verify through
//! the command line.

mod cli;
mod draw;
