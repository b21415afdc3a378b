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

static FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-subset.otf");

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

/// Black text of the bundled family at `size` pixels.
pub fn text(size: f64) -> plotters::style::TextStyle<'static> {
    use plotters::style::{BLACK, IntoFont, TextStyle};
    TextStyle::from((FAMILY, size).into_font()).color(&BLACK)
}
