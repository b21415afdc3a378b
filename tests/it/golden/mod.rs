//! Golden outputs: the small fixture's plan files kept in tests/golden/, and
//! the SHA-256 of every output of the bundled example.

mod example;
mod fixture;
