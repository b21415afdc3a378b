//! The cells of a household table as the file holds them: CSV text (see
//! `io::table` for the encodings) or the typed cells of an `.xlsx` sheet
//! (read with calamine), and the dates a clerk types into them.

use super::record::parse_date;
use crate::io::error::{InputError, InputErrors, show_text};
use crate::io::table::{csv_text_from_bytes, records};
use chrono::{Datelike, NaiveDate};
use std::fmt;

/// One cell of a table, as the file holds it.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Bool(bool),
    /// A cell that holds no usable value.
    Bad(Unusable),
}

/// What an unusable cell holds (an Excel error such as `#REF!`, a
/// duration), described for messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unusable(pub String);

impl fmt::Display for Unusable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unusable {}

impl Cell {
    pub fn is_empty(&self) -> bool {
        matches!(self, Cell::Empty)
    }

    /// The cell as text (numbers without a fraction as integers).
    pub fn text(&self) -> Result<Option<String>, Unusable> {
        match self {
            Cell::Empty => Ok(None),
            Cell::Text(s) => Ok(Some(s.clone())),
            Cell::Number(f) => Ok(Some(number_text(*f))),
            Cell::Date(d) => Ok(Some(d.format("%Y-%m-%d").to_string())),
            Cell::Bool(b) => Ok(Some(b.to_string())),
            Cell::Bad(what) => Err(what.clone()),
        }
    }

    /// For messages.
    pub fn show(&self) -> String {
        match self {
            Cell::Empty => "an empty cell".into(),
            Cell::Text(s) => show_text(s),
            Cell::Number(f) => number_text(*f),
            Cell::Date(d) => format!("the date {d}"),
            Cell::Bool(b) => b.to_string(),
            Cell::Bad(what) => what.0.clone(),
        }
    }
}

/// A number as text: without a fraction, as an integer.
pub fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 9e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// One non-empty row: where it is (`line 5`, `sheet "户籍" row 5`) and its
/// cells from the first column of the table.
#[derive(Clone, Debug, PartialEq)]
pub struct TableRow {
    pub at: String,
    pub cells: Vec<Cell>,
}

/// The rows of a CSV household table; a record's problem is pushed to
/// `errs` and the rest read, and how the file was decoded to `notes`.
pub fn csv_rows(
    bytes: &[u8],
    file: &str,
    errs: &mut InputErrors,
    notes: &mut Vec<String>,
) -> Result<Vec<TableRow>, InputError> {
    let decoded = csv_text_from_bytes(bytes, file)?;
    notes.extend(decoded.note(file));
    let mut rows = Vec::new();
    for rec in records(&decoded.text, file) {
        match rec {
            Ok(r) => rows.push(TableRow {
                at: format!("line {}", r.line),
                cells: r
                    .cells
                    .into_iter()
                    .map(|c| {
                        if c.is_empty() {
                            Cell::Empty
                        } else {
                            Cell::Text(c)
                        }
                    })
                    .collect(),
            }),
            Err(e) => errs.push(e),
        }
    }
    Ok(rows)
}

/// The rows of the first sheet of an `.xlsx` workbook.
pub fn xlsx_rows(bytes: &[u8], file: &str) -> Result<Vec<TableRow>, InputError> {
    use calamine::{Reader, Xlsx, XlsxError};
    let unreadable = |why: String| InputError::new(file, "a readable .xlsx workbook", why);
    // calamine is third-party code run on untrusted bytes: a panic on a
    // corrupt file is a refused input, not a crash.
    let read = std::panic::catch_unwind(|| -> Result<_, XlsxError> {
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes))?;
        let Some(name) = book.sheet_names().first().cloned() else {
            return Ok(None);
        };
        let range = book.worksheet_range(&name)?;
        Ok(Some((name, range)))
    });
    let (name, range) = match read {
        Ok(Ok(Some(x))) => x,
        Ok(Ok(None)) => return Err(unreadable("a workbook without sheets".into())),
        Ok(Err(e)) => {
            return Err(unreadable(format!(
                "{e} (is it really an .xlsx file? save it from Excel or WPS as \"Excel Workbook\")"
            )));
        }
        Err(_) => return Err(unreadable("data the reader could not make sense of".into())),
    };
    let Some((row0, _)) = range.start() else {
        return Ok(Vec::new());
    };
    let mut rows = Vec::new();
    for (i, r) in range.rows().enumerate() {
        let cells: Vec<Cell> = r.iter().map(xlsx_cell).collect();
        if cells.iter().all(Cell::is_empty) {
            continue;
        }
        rows.push(TableRow {
            at: format!("sheet \"{name}\" row {}", row0 as usize + i + 1),
            cells,
        });
    }
    Ok(rows)
}

fn xlsx_cell(d: &calamine::Data) -> Cell {
    use calamine::Data;
    let bad = |what: String| Cell::Bad(Unusable(what));
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) if s.trim().is_empty() => Cell::Empty,
        Data::String(s) => Cell::Text(s.trim().to_string()),
        Data::Float(f) => Cell::Number(*f),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) if dt.is_datetime() => match dt.as_datetime() {
            Some(t) => Cell::Date(t.date()),
            None => bad(format!("a date cell out of range ({})", dt.as_f64())),
        },
        Data::DateTime(dt) => bad(format!("a duration ({} days)", dt.as_f64())),
        Data::DateTimeIso(s) => match s.get(..10).and_then(parse_date) {
            Some(d) => Cell::Date(d),
            None => Cell::Text(s.clone()),
        },
        Data::DurationIso(s) => bad(format!("a duration ({s})")),
        Data::Error(e) => bad(format!("the Excel error {e}")),
    }
}

/// A birth date typed year first: `YYYY-MM-DD`, `YYYY/M/D`, `YYYY.M.D`,
/// `YYYY年M月D日` or `YYYYMMDD`, a time after it dropped (`None` if it is
/// not one of these forms or not a real date).
pub fn typed_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    // A time Excel appends to a date cell ("2017/3/15 0:00:00").
    let s = s
        .split_once([' ', 'T'])
        .filter(|(_, t)| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || c == ':'))
        .map_or(s, |(d, _)| d);
    let parts: Vec<&str> = if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        vec![&s[..4], &s[4..6], &s[6..]]
    } else {
        let s = s.strip_suffix('日').unwrap_or(s);
        s.split(['-', '/', '.', '年', '月']).collect()
    };
    let [y, m, d] = parts[..] else {
        return None;
    };
    if y.len() != 4 || !(1..=2).contains(&m.len()) || !(1..=2).contains(&d.len()) {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// A number in a birth-date cell: `YYYYMMDD` typed as a number, or an
/// Excel serial date (1900 date system) that lost its date format.
pub fn serial_or_compact_date(f: f64) -> Option<NaiveDate> {
    if f.fract() != 0.0 {
        return None;
    }
    if (10_000_101.0..=99_991_231.0).contains(&f) {
        return typed_date(&number_text(f));
    }
    if (1.0..2_958_466.0).contains(&f) {
        let dt = calamine::ExcelDateTime::new(f, calamine::ExcelDateTimeType::DateTime, false);
        return dt
            .as_datetime()
            .map(|t| t.date())
            .filter(|d| d.year() >= 1900);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_clerks_type_them() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        for (typed, want) in [
            ("2017-03-15", d(2017, 3, 15)),
            ("2017/3/15", d(2017, 3, 15)),
            ("2017.03.05", d(2017, 3, 5)),
            ("2017年3月15日", d(2017, 3, 15)),
            ("20170315", d(2017, 3, 15)),
            ("2017/3/15 0:00:00", d(2017, 3, 15)),
            ("2017-03-15T00:00", d(2017, 3, 15)),
            ("2017/2/30", None),
            ("15/03/2017", None),
            ("17-3-15", None),
            ("2017-3", None),
            ("", None),
        ] {
            assert_eq!(typed_date(typed), want, "{typed}");
        }
    }

    #[test]
    fn numbers_in_a_date_cell() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        // 42809 is 2017-03-15 in Excel's 1900 date system.
        assert_eq!(serial_or_compact_date(42809.0), d(2017, 3, 15));
        assert_eq!(serial_or_compact_date(20170315.0), d(2017, 3, 15));
        assert_eq!(serial_or_compact_date(20170230.0), None);
        assert_eq!(serial_or_compact_date(42809.5), None);
        assert_eq!(serial_or_compact_date(-3.0), None);
    }
}
