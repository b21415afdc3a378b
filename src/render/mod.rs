//! Drawing: maps (PNG and SVG) with the bundled CJK font. Pure functions
//! from data to bytes; the caller writes them.

pub mod chart;
pub mod font;
pub mod html;
pub mod legend;
pub mod map;
pub mod notice;
pub mod report;
pub mod typeset;

pub use chart::{ChartInput, render_chart};
pub use map::{MapInput, MapSchool, MapUnit, render_map, render_map_on};

/// An RGB buffer as PNG bytes (in memory: cannot fail).
pub(crate) fn encode_png(rgb: &[u8], width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, width, height);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut w = enc.write_header().expect("png header to memory");
    w.write_image_data(rgb).expect("png data to memory");
    drop(w);
    out
}
