//! One line of text in the bundled font, laid out and drawn the same way
//! for PNG and SVG: each glyph at the pen position (its left side bearing
//! kept), the pen moved by the glyph's advance plus any kerning the font
//! has, in fractional pixels.
//!
//! Why not plotters' own text: its ab_glyph path draws every glyph at the
//! pen with the left side bearing dropped and the pen truncated to whole
//! pixels, at a smaller em than the SVG's `font-size`, so Latin text in a
//! PNG came out as "stu dents" and "2011 -08-31", and label boxes measured
//! for the PNG did not match the SVG. [`Typeset`] wraps a backend so every
//! text (elements, chart axes, captions) goes through [`layout`].

use super::font::FONT;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};
use std::sync::OnceLock;

/// plotters' SVG backend writes `font-size` = size / 1.24: the em of a
/// text style of `size` pixels, used for the PNG too.
pub const EM_PER_SIZE: f64 = 1.0 / 1.24;

/// The baseline below the top of a text box, in em: what plotters' SVG
/// backend writes for top-anchored text (`dy="0.76em"`).
const BASELINE_EM: f64 = 0.76;

fn face() -> &'static ttf_parser::Face<'static> {
    static FACE: OnceLock<ttf_parser::Face<'static>> = OnceLock::new();
    FACE.get_or_init(|| ttf_parser::Face::parse(FONT, 0).expect("the bundled font parses"))
}

fn raster_font() -> &'static ab_glyph::FontRef<'static> {
    static F: OnceLock<ab_glyph::FontRef<'static>> = OnceLock::new();
    F.get_or_init(|| ab_glyph::FontRef::try_from_slice(FONT).expect("the bundled font parses"))
}

/// A laid-out line: each glyph with its pen position (pixels from the
/// line's start), and the advance of the whole line.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub glyphs: Vec<(u16, f64)>,
    pub width: f64,
    /// The em in pixels.
    pub em: f64,
}

/// Kerning between two glyphs in font units: the font's `kern` table
/// (horizontal, non-variable subtables). The bundled subset has neither a
/// `kern` nor a `GPOS` table (see the tests), so this is 0 for it.
pub fn kerning(left: u16, right: u16) -> i16 {
    use ttf_parser::GlyphId;
    face()
        .tables()
        .kern
        .and_then(|k| {
            k.subtables
                .into_iter()
                .filter(|s| s.horizontal && !s.variable && !s.has_cross_stream)
                .find_map(|s| s.glyphs_kerning(GlyphId(left), GlyphId(right)))
        })
        .unwrap_or(0)
}

/// The glyph advance in font units (`hmtx`).
pub fn advance(glyph: u16) -> u16 {
    face()
        .glyph_hor_advance(ttf_parser::GlyphId(glyph))
        .unwrap_or(0)
}

/// `text` on one line at a text style of `size` pixels (em = size / 1.24).
/// Characters the font lacks take `.notdef`'s advance.
pub fn layout(text: &str, size: f64) -> Line {
    let f = face();
    let em = size * EM_PER_SIZE;
    let scale = em / f.units_per_em() as f64;
    let mut glyphs = Vec::with_capacity(text.len());
    let mut x = 0.0;
    let mut prev: Option<u16> = None;
    for c in text.chars() {
        let g = f.glyph_index(c).map_or(0, |g| g.0);
        if let Some(p) = prev {
            x += kerning(p, g) as f64 * scale;
        }
        glyphs.push((g, x));
        x += advance(g) as f64 * scale;
        prev = Some(g);
    }
    Line {
        glyphs,
        width: x,
        em,
    }
}

/// The box of `text` at `size`: (width, height) in whole pixels. The
/// height is twice the distance from the baseline to the box's middle as
/// SVG places centred text (`dy="0.5ex"`), so anchors agree in PNG and SVG.
pub fn extent(text: &str, size: f64) -> (u32, u32) {
    let line = layout(text, size);
    (line.width.ceil() as u32, box_height(line.em).round() as u32)
}

fn box_height(em: f64) -> f64 {
    let f = face();
    let x_height = f
        .x_height()
        .map_or(0.5, |h| h as f64 / f.units_per_em() as f64);
    2.0 * (BASELINE_EM - 0.5 * x_height) * em
}

/// Draw `text` with its top-left corner at `origin` (baseline at
/// 0.76 em below it), calling `pixel` with each covered pixel and coverage.
pub fn rasterise(text: &str, size: f64, origin: (f64, f64), mut pixel: impl FnMut(i32, i32, f32)) {
    use ab_glyph::{Font, GlyphId, PxScale, point};
    let font = raster_font();
    let line = layout(text, size);
    let upem = font.units_per_em().unwrap_or(1000.0) as f64;
    // ab_glyph scales by the font's height (ascent - descent), not its em.
    let scale = PxScale::from((line.em * font.height_unscaled() as f64 / upem) as f32);
    let baseline = origin.1 + BASELINE_EM * line.em;
    for &(g, x) in &line.glyphs {
        let glyph = GlyphId(g)
            .with_scale_and_position(scale, point((origin.0 + x) as f32, baseline as f32));
        if let Some(outline) = font.outline_glyph(glyph) {
            let b = outline.px_bounds();
            let (x0, y0) = (b.min.x as i32, b.min.y as i32);
            outline.draw(|gx, gy, c| pixel(x0 + gx as i32, y0 + gy as i32, c));
        }
    }
}

/// A backend whose text is laid out by [`layout`]: drawn by [`rasterise`]
/// on a raster backend, passed on as text to a vector one (the viewer lays
/// it out with the same font), and measured the same way on both.
pub struct Typeset<DB> {
    inner: DB,
    raster: bool,
}

impl<DB> Typeset<DB> {
    /// A PNG-like backend: text is drawn here, pixel by pixel.
    pub fn raster(inner: DB) -> Self {
        Typeset {
            inner,
            raster: true,
        }
    }

    /// An SVG-like backend: text stays text.
    pub fn vector(inner: DB) -> Self {
        Typeset {
            inner,
            raster: false,
        }
    }
}

impl<DB: DrawingBackend> DrawingBackend for Typeset<DB> {
    type ErrorType = DB::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }
    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }
    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_path(path, style)
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }
    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        Ok(extent(text, style.size()))
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        if !self.raster {
            return self.inner.draw_text(text, style, pos);
        }
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let line = layout(text, style.size());
        let height = box_height(line.em);
        let anchor = style.anchor();
        let dx = match anchor.h_pos {
            HPos::Left => 0.0,
            HPos::Right => -line.width,
            HPos::Center => -line.width / 2.0,
        };
        let dy = match anchor.v_pos {
            VPos::Top => 0.0,
            VPos::Center => -height / 2.0,
            VPos::Bottom => -height,
        };
        let trans = style.transform();
        let (w, h) = self.inner.get_size();
        let mut result = Ok(());
        rasterise(text, style.size(), (dx, dy), |x, y, c| {
            if result.is_err() || c <= 0.0 {
                return;
            }
            let (x, y) = trans.transform(x, y);
            let (x, y) = (pos.0 + x, pos.1 + y);
            if x >= 0 && x < w as i32 && y >= 0 && y < h as i32 {
                result = self.inner.draw_pixel((x, y), color.mix(c.min(1.0) as f64));
            }
        });
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_advances_by_its_glyphs_and_nothing_else() {
        let size = 17.0;
        let line = layout("students 2011-08-31", size);
        let scale = size * EM_PER_SIZE / 1000.0;
        let mut pen = 0.0;
        let mut prev = None;
        for (i, c) in "students 2011-08-31".chars().enumerate() {
            let g = face().glyph_index(c).expect("mapped").0;
            if let Some(p) = prev {
                pen += kerning(p, g) as f64 * scale;
            }
            assert_eq!(line.glyphs[i], (g, pen), "{c}");
            pen += advance(g) as f64 * scale;
            prev = Some(g);
        }
        assert_eq!(line.width, pen);
        // Digits are tabular in this font: "2011" is four equal advances.
        let four = layout("2011", size).width;
        assert!((four - 4.0 * layout("0", size).width).abs() < 1e-9);
    }

    #[test]
    fn the_bundled_font_has_no_kerning_tables() {
        // If a rebuilt subset gains GPOS kerning, `layout` must apply it
        // (the browser does, for the SVG): this test is the reminder.
        let raw = face().raw_face();
        for t in [b"GPOS", b"kern"] {
            assert!(raw.table(ttf_parser::Tag::from_bytes(t)).is_none());
        }
    }

    /// The widest run of blank columns inside "students" drawn at 40 px is
    /// no wider than the widest side-bearing gap the font gives (plus a
    /// pixel of antialiasing): no glyph drifts from its neighbour.
    #[test]
    fn drawn_glyphs_keep_their_side_bearings() {
        let (text, size) = ("students", 40.0);
        let (w, h) = (300usize, 60usize);
        let mut ink = vec![0f32; w * h];
        rasterise(text, size, (2.0, 2.0), |x, y, c| {
            if (0..w as i32).contains(&x) && (0..h as i32).contains(&y) {
                ink[y as usize * w + x as usize] += c;
            }
        });
        let inked: Vec<bool> = (0..w)
            .map(|x| (0..h).any(|y| ink[y * w + x] > 0.25))
            .collect();
        let first = inked.iter().position(|&b| b).expect("ink");
        let last = inked.iter().rposition(|&b| b).expect("ink");
        let mut widest = 0;
        let mut run = 0;
        for &b in &inked[first..=last] {
            run = if b { 0 } else { run + 1 };
            widest = widest.max(run);
        }
        let f = face();
        let scale = size * EM_PER_SIZE / f.units_per_em() as f64;
        let bearings = |c: char| {
            let g = f.glyph_index(c).expect("mapped");
            let bb = f.glyph_bounding_box(g).expect("outline");
            let adv = f.glyph_hor_advance(g).expect("advance") as f64;
            (bb.x_min as f64, adv - bb.x_max as f64)
        };
        let chars: Vec<char> = text.chars().collect();
        let gap = chars
            .windows(2)
            .map(|p| (bearings(p[0]).1 + bearings(p[1]).0) * scale)
            .fold(0.0, f64::max);
        assert!(
            (widest as f64) <= gap + 1.0,
            "a blank run of {widest} px; the font's widest gap is {gap:.1} px"
        );
        // And the ink spans the line's advance less the outer bearings.
        let span = (last - first + 1) as f64;
        let expect = layout(text, size).width - (bearings('s').0 + bearings('s').1) * scale;
        assert!((span - expect).abs() <= 2.0, "{span} vs {expect}");
    }
}
