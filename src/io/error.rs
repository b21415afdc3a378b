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
            found: found.into(),
        }
    }

    pub fn at(mut self, at: impl Into<String>) -> InputError {
        self.at = Some(at.into());
        self
    }

    pub fn field(mut self, field: impl Into<String>) -> InputError {
        self.field = Some(field.into());
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
    brief(format!("\"{s}\""))
}

/// The first 60 characters, with "..." when there were more.
fn brief(s: String) -> String {
    let mut out: String = s.chars().take(60).collect();
    if out.len() < s.len() {
        out.push_str("...");
    }
    out
}
