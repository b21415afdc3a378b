//! Text checks every reader shares: bytes sniffed as UTF-16 before they
//! are decoded (CSV tables, GeoJSON and JSON), and control characters in
//! the ids and names a reader keeps (they would be copied into the
//! outputs).

use super::error::{InputError, escape_controls};

/// The byte order of a UTF-16 file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Utf16 {
    Little,
    Big,
}

impl Utf16 {
    pub fn name(self) -> &'static str {
        match self {
            Utf16::Little => "little-endian",
            Utf16::Big => "big-endian",
        }
    }
}

/// The first line's bytes looked at (a header is shorter).
const SNIFF_BYTES: usize = 4096;

/// Whether bytes are UTF-16: a byte-order mark (FF FE, FE FF), or a first
/// line with NUL bytes at odd offsets only (little-endian) or even offsets
/// only (big-endian), in at least an eighth of those places (ASCII text
/// has them all; a Chinese header at its commas). UTF-8 and GBK text has no
/// NUL bytes in its header.
pub fn sniff_utf16(bytes: &[u8]) -> Option<Utf16> {
    if bytes.starts_with(b"\xFF\xFE") {
        return Some(Utf16::Little);
    }
    if bytes.starts_with(b"\xFE\xFF") {
        return Some(Utf16::Big);
    }
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    let line = match head.iter().position(|&b| b == b'\n') {
        Some(i) => &head[..i],
        None => head,
    };
    if line.len() < 2 {
        return None;
    }
    let nuls = |parity: usize| {
        line.iter()
            .enumerate()
            .filter(|&(i, &b)| i % 2 == parity && b == 0)
            .count()
    };
    let (even, odd) = (nuls(0), nuls(1));
    let places = line.len() / 2;
    match (even, odd) {
        (0, n) if n > 0 && n * 8 >= places => Some(Utf16::Little),
        (n, 0) if n > 0 && n * 8 >= places => Some(Utf16::Big),
        _ => None,
    }
}

/// The refusal of a UTF-16 file: `expected` says what the reader takes,
/// `save_as` how to save it (`"CSV UTF-8"` for a table).
pub fn utf16_error(file: &str, order: Utf16, expected: &str, save_as: &str) -> InputError {
    InputError::new(
        file,
        expected,
        format!("UTF-16 ({}): save it as {save_as}", order.name()),
    )
}

/// What a checked text is: an id (no control character at all) or free
/// text such as a name (a tab allowed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextKind {
    Id,
    Free,
}

impl TextKind {
    /// The kind of a column or key by its contract name: `id` and `*_id`
    /// are ids.
    pub fn of_name(name: &str) -> TextKind {
        if name == "id" || name.ends_with("_id") {
            TextKind::Id
        } else {
            TextKind::Free
        }
    }
}

/// The first C0 control character (or DEL) in `s` that `kind` does not
/// allow.
pub fn control_char(s: &str, kind: TextKind) -> Option<char> {
    s.chars()
        .find(|&c| (c < ' ' || c == '\u{7f}') && !(kind == TextKind::Free && c == '\t'))
}

/// Refuse a text with a control character (a NUL byte from a broken
/// export, an escape code), naming it and showing the text escaped.
/// `at` and `field` locate the text in `file`.
pub fn check_text(
    s: &str,
    kind: TextKind,
    file: &str,
    at: &str,
    field: &str,
) -> Result<(), InputError> {
    let Some(c) = control_char(s, kind) else {
        return Ok(());
    };
    let expected = match kind {
        TextKind::Id => "an id without control characters",
        TextKind::Free => "text without control characters (a tab aside)",
    };
    let found = format!(
        "\"{}\" (a control character U+{:04X})",
        shown_around(s, c),
        u32::from(c)
    );
    Err(InputError::new(file, expected, found).at(at).field(field))
}

/// The characters shown of a text around its first `c`: all of a short
/// text, else 40 before and 40 after, with `…` where cut; escaped.
fn shown_around(s: &str, c: char) -> String {
    const SIDE: usize = 40;
    let chars: Vec<char> = s.chars().collect();
    let at = chars.iter().position(|&x| x == c).unwrap_or(0);
    let from = at.saturating_sub(SIDE);
    let to = (at + SIDE + 1).min(chars.len());
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    out.extend(&chars[from..to]);
    if to < chars.len() {
        out.push('…');
    }
    escape_controls(&out, |_| false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(s: &str, big: bool) -> Vec<u8> {
        s.encode_utf16()
            .flat_map(|u| {
                if big {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            })
            .collect()
    }

    #[test]
    fn utf16_is_sniffed_with_or_without_a_bom() {
        assert_eq!(sniff_utf16(b"\xFF\xFEa\0"), Some(Utf16::Little));
        assert_eq!(sniff_utf16(b"\xFE\xFF\0a"), Some(Utf16::Big));
        let text = "unit_id,school_id\r\nH1,S1\r\n";
        assert_eq!(sniff_utf16(&utf16(text, false)), Some(Utf16::Little));
        assert_eq!(sniff_utf16(&utf16(text, true)), Some(Utf16::Big));
        assert_eq!(
            sniff_utf16(&utf16("户编号,经度,纬度\n", false)),
            Some(Utf16::Little)
        );
        assert_eq!(sniff_utf16(text.as_bytes()), None);
        assert_eq!(sniff_utf16("户编号,经度\n".as_bytes()), None);
        assert_eq!(sniff_utf16(b"unit_id,school_id\nH0\x001,S1\n"), None);
        assert_eq!(sniff_utf16(b""), None);
        let m = utf16_error("p.csv", Utf16::Little, "UTF-8 (or GBK)", "\"CSV UTF-8\"");
        assert_eq!(
            m.to_string(),
            "p.csv: expected UTF-8 (or GBK), found UTF-16 (little-endian): save it as \"CSV UTF-8\""
        );
    }

    #[test]
    fn control_characters_are_refused_and_shown_escaped() {
        let e = check_text("H00\u{0}1", TextKind::Id, "h.csv", "line 3", "household_id")
            .expect_err("nul");
        assert_eq!(
            e.to_string(),
            "h.csv: line 3: field `household_id`: expected an id without control characters, \
             found \"H00\\u{0}1\" (a control character U+0000)"
        );
        assert!(check_text("东关\t村", TextKind::Free, "f", "a", "village").is_ok());
        assert!(check_text("H\t1", TextKind::Id, "f", "a", "id").is_err());
        assert!(check_text("a\u{1b}[31m", TextKind::Free, "f", "a", "name").is_err());
        assert!(check_text("砚城镇 No.1", TextKind::Free, "f", "a", "name").is_ok());
        let long = format!("{}\u{0}{}", "x".repeat(100_000), "y".repeat(100_000));
        let e = check_text(&long, TextKind::Free, "f", "a", "name").expect_err("nul");
        assert!(e.found.chars().count() < 140, "{}", e.found);
        assert!(e.found.contains("x\\u{0}y"), "{}", e.found);
        assert_eq!(TextKind::of_name("unit_id"), TextKind::Id);
        assert_eq!(TextKind::of_name("village"), TextKind::Free);
    }
}
