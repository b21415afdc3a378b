//! What a reader gives back: its value or every error found, and either
//! way the notes a planner should see about how the file was read (a CSV
//! read as GBK, columns left unread). Readers never print: the command
//! prints the notes where and when it chooses, and a library caller or a
//! fuzz target reads silently.

use super::error::InputErrors;

/// A reader's result with its notes (each a line, without a `note: `
/// prefix), in the order they arose.
#[must_use]
#[derive(Clone, Debug, PartialEq)]
pub struct Noted<T> {
    pub result: Result<T, InputErrors>,
    pub notes: Vec<String>,
}

impl<T> Noted<T> {
    /// A read that failed before it had anything to note.
    pub fn failed(e: impl Into<InputErrors>) -> Noted<T> {
        Noted {
            result: Err(e.into()),
            notes: Vec::new(),
        }
    }

    /// The next step on the value read, its notes kept.
    pub fn and_then<U>(self, f: impl FnOnce(T) -> Result<U, InputErrors>) -> Noted<U> {
        Noted {
            result: self.result.and_then(f),
            notes: self.notes,
        }
    }

    /// Hand each note to `f` (a command prints them), then give the result.
    pub fn each_note(self, f: impl FnMut(&str)) -> Result<T, InputErrors> {
        self.notes.iter().map(String::as_str).for_each(f);
        self.result
    }
}

impl<T> From<Result<T, InputErrors>> for Noted<T> {
    /// A read with nothing to note.
    fn from(result: Result<T, InputErrors>) -> Noted<T> {
        Noted {
            result,
            notes: Vec::new(),
        }
    }
}
