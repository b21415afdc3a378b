//! What the offline HTML pages share (`report.html`, `notice.html`): text
//! escaping, and the page shell with the glyphs it uses embedded as an
//! `@font-face` data URL, so Chinese renders with no font installed and no
//! network request.

use super::font::{FontError, SVG_FAMILY_LIST, subset_for_text};
use base64::Engine;

/// The family name of the embedded subset font in a page.
const EMBEDDED: &str = "catchment-cjk";

/// Escape text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A whole page: `css` (where `FAMILY` stands for the embedded font then
/// the CJK system fonts) and `body` under `title`. Every character of the
/// page (markup included: a superset of the text shown) goes into the font
/// subset. Errors only if the bundled font cannot be subset.
pub fn page(title: &str, css: &str, body: &str) -> Result<String, FontError> {
    let page = shell(title, css, body, true);
    let font = subset_for_text(&page)?;
    let data = base64::engine::general_purpose::STANDARD.encode(&font);
    Ok(page.replacen("FONT_DATA", &data, 1))
}

/// The page without the embedded font (the system's CJK fonts only): what
/// to write if the bundled font could not be subset.
pub fn page_without_font(title: &str, css: &str, body: &str) -> String {
    shell(title, css, body, false)
}

fn shell(title: &str, css: &str, body: &str, font: bool) -> String {
    let family = if font {
        format!("{EMBEDDED}, {SVG_FAMILY_LIST}")
    } else {
        SVG_FAMILY_LIST.to_string()
    };
    let css = css.replace("FAMILY", &family);
    let face = if font {
        format!(
            "@font-face {{ font-family: \"{EMBEDDED}\"; src: url(data:font/otf;base64,FONT_DATA) format(\"opentype\"); }}\n"
        )
    } else {
        String::new()
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{face}{css}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        esc(title)
    )
}
