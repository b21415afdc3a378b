//! Input errors that tell a planner exactly what is wrong and where.

use std::fmt;

/// One thing wrong with an input file: which file, where in it (feature
/// index and id, row, or line and column), which field, what was expected
/// and what was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    pub file: String,
    pub at: Option<String>,
    pub field: Option<String>,
    pub expected: String,
    pub found: String,
}

impl InputError {
    pub fn new(file: &str, expected: impl Into<String>, found: impl Into<String>) -> InputError {
        InputError {
            file: file.to_string(),
            at: None,
            field: None,
            expected: expected.into(),
            found: readable(found.into()),
        }
    }

    pub fn at(mut self, at: impl Into<String>) -> InputError {
        self.at = Some(readable(at.into()));
        self
    }

    pub fn field(mut self, field: impl Into<String>) -> InputError {
        self.field = Some(readable(field.into()));
        self
    }
}

impl std::error::Error for InputError {}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(at) = &self.at {
            write!(f, ": {at}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": field `{field}`")?;
        }
        write!(f, ": expected {}, found {}", self.expected, self.found)
    }
}

/// All the errors found in one pass over the inputs (at most
/// [`InputErrors::LIMIT`] kept, the rest counted).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InputErrors {
    pub errors: Vec<InputError>,
    pub more: usize,
}

impl InputErrors {
    pub const LIMIT: usize = 50;

    pub fn push(&mut self, e: InputError) {
        if self.errors.len() < Self::LIMIT {
            self.errors.push(e);
        } else {
            self.more += 1;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn extend(&mut self, other: InputErrors) {
        let more = other.more;
        for e in other.errors {
            self.push(e);
        }
        self.more += more;
    }

    pub fn into_result<T>(self, ok: T) -> Result<T, InputErrors> {
        if self.is_empty() { Ok(ok) } else { Err(self) }
    }
}

impl From<InputError> for InputErrors {
    fn from(e: InputError) -> InputErrors {
        InputErrors {
            errors: vec![e],
            more: 0,
        }
    }
}

impl std::error::Error for InputErrors {}

impl fmt::Display for InputErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        if self.more > 0 {
            write!(f, "\n... and {} more errors", self.more)?;
        }
        Ok(())
    }
}

/// The most characters of a `found`, `at` or `field` text a message shows
/// (room for an explanation; a huge echoed line is cut).
pub const SHOWN_CHARS: usize = 500;

/// A text a message echoes from the file, made readable: control
/// characters other than line breaks and tabs escaped (`\u{0}`), and cut
/// to [`SHOWN_CHARS`] with `…` and its length said, so that no reader can
/// echo a NUL byte or a 4 MB cell.
fn readable(s: String) -> String {
    let s = if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        escape_controls(&s, |c| c == '\n' || c == '\t')
    } else {
        s
    };
    let n = s.chars().count();
    if n <= SHOWN_CHARS {
        return s;
    }
    let mut out: String = s.chars().take(SHOWN_CHARS).collect();
    out.push_str(&format!("… ({} characters)", thousands(n)));
    out
}

/// `s` with its control characters (but those `keep` keeps) written as
/// `\u{hex}`.
pub fn escape_controls(s: &str, keep: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() && !keep(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// 1048576 as "1,048,576".
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// A JSON value shown briefly in a message.
pub fn show(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "null".into(),
        serde_json::Value::String(s) => show_text(s),
        other => brief(other.to_string()),
    }
}

/// Text shown briefly in a message, quoted as a JSON string is by [`show`]
/// (a table cell and a GeoJSON string read the same in messages).
pub fn show_text(s: &str) -> String {
    brief(format!("\"{}\"", escape_controls(s, |_| false)))
}

/// The first 60 characters, with "..." when there were more.
fn brief(s: String) -> String {
    let mut out: String = s.chars().take(60).collect();
    if out.len() < s.len() {
        out.push_str("...");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_found_is_cut_with_its_length_said() {
        let e = InputError::new("f.csv", "x", "a".repeat(1_048_576)).at("line 2");
        let m = e.to_string();
        assert!(m.len() < SHOWN_CHARS + 100, "{} bytes", m.len());
        assert!(
            m.ends_with(&format!("{}… (1,048,576 characters)", "a".repeat(10))),
            "{m}"
        );
        let e = InputError::new("f", "x", "é".repeat(SHOWN_CHARS));
        assert_eq!(e.found, "é".repeat(SHOWN_CHARS));
    }

    #[test]
    fn control_characters_are_escaped_in_messages() {
        let e =
            InputError::new("f", "x", "\"H00\u{0}1\"\nnext\tcell").at("feature 1 (id \"a\u{1b}\")");
        assert_eq!(e.found, "\"H00\\u{0}1\"\nnext\tcell");
        assert_eq!(e.at.as_deref(), Some("feature 1 (id \"a\\u{1b}\")"));
        assert_eq!(show_text("a\u{7}"), "\"a\\u{7}\"");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_048_576), "1,048,576");
    }
}
