//! The bundled CJK font: a subset of Noto Sans CJK SC (SIL OFL 1.1, see
//! assets/fonts/), loaded from bytes so Chinese renders on a machine with
//! no CJK font installed.

use plotters::style::FontStyle;
use std::sync::Once;

pub const FAMILY: &str = "Noto Sans CJK SC";

/// What SVG viewers should try, in order: the bundled face's name first,
/// then common CJK system fonts.
pub const SVG_FAMILY_LIST: &str = "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', \
     'Hiragino Sans GB', 'WenQuanYi Micro Hei', SimHei, sans-serif";

pub(crate) static FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-subset.otf");

/// Register the bundled font with plotters (once per process).
pub fn ensure_registered() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for style in [FontStyle::Normal, FontStyle::Bold] {
            if plotters::style::register_font(FAMILY, style, FONT).is_err() {
                panic!("the bundled font is not a valid OpenType file");
            }
        }
    });
}

/// Give SVG text the CJK fallback list instead of the single family name.
pub fn svg_font_fallback(svg: &str) -> String {
    svg.replace(
        &format!("font-family=\"{FAMILY}\""),
        &format!("font-family=\"{SVG_FAMILY_LIST}\""),
    )
}

/// The family name of the font a standalone SVG embeds.
pub const SVG_EMBEDDED: &str = "Catchment Embedded SC";

/// Where the embedded font's `<defs>` starts in an SVG (for
/// [`strip_embedded_font`]).
const EMBED_START: &str = "<defs><style>/* bundled font subset */";
const EMBED_END: &str = "</style></defs>";

/// `svg` (as plotters writes it, with [`svg_font_fallback`] applied) with
/// the glyphs it uses embedded: an `@font-face` data URL holding the
/// subset of the bundled font for the document's characters (markup
/// included: a superset of its text), put first in the family of every
/// text, before the CJK fallback list. A viewer with no Chinese font shows
/// Chinese. Deterministic, like [`subset_for_text`].
pub fn embed_font_in_svg(svg: &str) -> Result<String, FontError> {
    use base64::Engine;
    let font = subset_for_text(svg)?;
    let data = base64::engine::general_purpose::STANDARD.encode(&font);
    let defs = format!(
        "{EMBED_START}@font-face {{ font-family: \"{SVG_EMBEDDED}\"; src: url(data:font/otf;base64,{data}) format(\"opentype\"); }} \
         text {{ font-family: \"{SVG_EMBEDDED}\", {SVG_FAMILY_LIST}; }}{EMBED_END}"
    );
    // Right after the opening <svg ...> tag.
    Ok(
        match svg
            .find("<svg")
            .and_then(|i| svg[i..].find('>').map(|j| i + j + 1))
        {
            Some(at) => format!("{}\n{defs}{}", &svg[..at], &svg[at..]),
            None => svg.to_string(),
        },
    )
}

/// `svg` without the font [`embed_font_in_svg`] put in (a page that
/// embeds its own font, like the report, inlines it so).
pub fn strip_embedded_font(svg: &str) -> String {
    let Some(a) = svg.find(EMBED_START) else {
        return svg.to_string();
    };
    let Some(b) = svg[a..].find(EMBED_END) else {
        return svg.to_string();
    };
    let head = svg[..a].strip_suffix('\n').unwrap_or(&svg[..a]);
    format!("{head}{}", &svg[a + b + EMBED_END.len()..])
}

/// Black text of the bundled family at `size` pixels.
pub fn text(size: f64) -> plotters::style::TextStyle<'static> {
    use plotters::style::{BLACK, IntoFont, TextStyle};
    TextStyle::from((FAMILY, size).into_font()).color(&BLACK)
}

/// The bundled font cut down to the glyphs of `text` (and `.notdef`), as a
/// standalone OpenType font with a Unicode cmap, OS/2 and name tables: what
/// a browser needs for an `@font-face` data URL. Deterministic: the same
/// characters give the same bytes. Characters the font lacks are skipped
/// (the browser falls back to the next family).
///
/// The subsetting itself is allsorts' (CFF charstrings and subroutines,
/// cmap rebuilt); fontTools' pyftsubset made the bundled font the same way.
pub fn subset_for_text(text: &str) -> Result<Vec<u8>, FontError> {
    use allsorts::binary::read::ReadScope;
    use allsorts::font_data::FontData;
    use allsorts::subset::{CmapTarget, SubsetProfile, subset};
    use std::collections::BTreeSet;

    let bundled = |e: &dyn std::fmt::Display| FontError::Bundled(e.to_string());
    let face = ttf_parser::Face::parse(FONT, 0).map_err(|e| bundled(&e))?;
    let mut glyphs: BTreeSet<u16> = BTreeSet::new();
    glyphs.insert(0);
    for c in text.chars() {
        if let Some(g) = face.glyph_index(c) {
            glyphs.insert(g.0);
        }
    }
    let glyphs: Vec<u16> = glyphs.into_iter().collect();
    let data = ReadScope::new(FONT)
        .read::<FontData<'_>>()
        .map_err(|e| bundled(&e))?;
    let provider = data.table_provider(0).map_err(|e| bundled(&e))?;
    subset(
        &provider,
        &glyphs,
        &SubsetProfile::Minimal,
        CmapTarget::Unicode,
    )
    .map_err(|e| FontError::Subset(e.to_string()))
}

/// Why the bundled font could not be subset (an internal error: the font
/// ships with the program).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FontError {
    /// The bundled font did not parse.
    Bundled(String),
    /// allsorts could not subset it.
    Subset(String),
}

impl std::fmt::Display for FontError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FontError::Bundled(e) => write!(f, "bundled font: {e}"),
            FontError::Subset(e) => write!(f, "font subset: {e}"),
        }
    }
}

impl std::error::Error for FontError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subset_maps_exactly_the_text() {
        let text = "五寨县 Wuzhai 学位 seats 2023";
        let bytes = subset_for_text(text).expect("subset");
        assert!(bytes.len() < FONT.len() / 20, "{} bytes", bytes.len());
        let face = ttf_parser::Face::parse(&bytes, 0).expect("a valid OpenType font");
        for c in text.chars().filter(|c| !c.is_whitespace()) {
            let g = face
                .glyph_index(c)
                .unwrap_or_else(|| panic!("{c} not mapped"));
            let mut bb = Bounds;
            assert!(
                face.outline_glyph(g, &mut bb).is_some(),
                "{c} has no outline"
            );
        }
        // A character of the font not in the text is gone.
        assert!(face.glyph_index('校').is_none());
        for table in [
            b"OS/2", b"cmap", b"name", b"head", b"hhea", b"hmtx", b"maxp", b"post",
        ] {
            assert!(
                face.raw_face()
                    .table(ttf_parser::Tag::from_bytes(table))
                    .is_some(),
                "no {} table",
                String::from_utf8_lossy(table)
            );
        }
        assert_eq!(subset_for_text(text).expect("again"), bytes);
    }

    struct Bounds;
    impl ttf_parser::OutlineBuilder for Bounds {
        fn move_to(&mut self, _: f32, _: f32) {}
        fn line_to(&mut self, _: f32, _: f32) {}
        fn quad_to(&mut self, _: f32, _: f32, _: f32, _: f32) {}
        fn curve_to(&mut self, _: f32, _: f32, _: f32, _: f32, _: f32, _: f32) {}
        fn close(&mut self) {}
    }
}
