//! Drawing: maps (PNG and SVG) with the bundled CJK font. Pure functions
//! from data to bytes; the caller writes them.

pub mod chart;
pub mod font;
pub mod map;

pub use chart::{ChartInput, render_chart};
pub use map::{MapInput, MapSchool, MapUnit, render_map};
