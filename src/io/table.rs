//! CSV tables typed by hand or saved from Excel: a header row naming the
//! columns (contract names or their Chinese aliases, any order), UTF-8 with
//! or without BOM (GBK refused with a hint), blank lines skipped, empty
//! trailing cells (as Excel writes them) ignored, every problem located by
//! line. The readers of `pins.csv`, `enrollment.csv` and `births.csv` are
//! thin layers on this one.

use super::error::{InputError, InputErrors};
use super::geojson::read_utf8;
use std::path::Path;

/// A column a table may have.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    /// The contract's name.
    pub name: &'static str,
    /// Other accepted header names (compared in lower case).
    pub aliases: &'static [&'static str],
    /// A column every file must have, with a value in every row.
    pub required: bool,
    /// What a value is, for messages (e.g. "a school id (schools.geojson `id`)").
    pub what: &'static str,
}

/// The columns of a table and whether others are allowed (and ignored).
#[derive(Clone, Copy, Debug)]
pub struct Spec<'a> {
    pub columns: &'a [Column],
    pub other_columns: bool,
}

/// One data row: the value of each column of the spec (`None`: no such
/// column in the file, or an empty optional value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    pub values: Vec<Option<String>>,
}

impl Row {
    pub fn get(&self, column: usize) -> Option<&str> {
        self.values[column].as_deref()
    }
}

/// "columns a (or x, y) and b": the header a spec asks for.
fn header_help(spec: &Spec) -> String {
    let names: Vec<String> = spec
        .columns
        .iter()
        .filter(|c| c.required)
        .map(|c| {
            if c.aliases.is_empty() {
                c.name.to_string()
            } else {
                format!("{} (or {})", c.name, c.aliases.join(", "))
            }
        })
        .collect();
    let list = match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.join(""),
    };
    format!("columns {list}")
}

/// Read a table; rows with a problem are reported (all of them) and left out.
pub fn read_table(path: &Path, spec: &Spec) -> Result<Vec<Row>, InputErrors> {
    let file = path.display().to_string();
    let text = read_utf8(
        path,
        "UTF-8 text (save the CSV as \"CSV UTF-8\"; with or without BOM)",
    )?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut errs = InputErrors::default();
    let mut columns: Option<Vec<Option<usize>>> = None;
    let mut width = 0;
    let mut out = Vec::new();
    // Lines from byte offsets: the csv crate's own line count drifts on
    // CRLF files (as Excel writes them).
    let mut lines = LineCounter::new(&text);
    for rec in reader.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = lines.at(e.position().map_or(0, |p| p.byte() as usize));
                errs.push(
                    InputError::new(&file, "valid CSV", csv_error(&e)).at(format!("line {line}")),
                );
                // A broken quote swallows the rest of the file: stop here.
                break;
            }
        };
        let line = lines.at(rec.position().map_or(0, |p| p.byte() as usize));
        let cells: Vec<&str> = rec.iter().map(str::trim).collect();
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        let at = format!("line {line}");
        if let Some(c) = cells.iter().find(|c| c.contains(['\n', '\r'])) {
            errs.push(
                InputError::new(
                    &file,
                    "each value on one line (is a `\"` never closed?)",
                    format!(
                        "a value running over {} lines: {}",
                        c.lines().count(),
                        quoted(&[c.lines().next().unwrap_or_default()])
                    ),
                )
                .at(&at),
            );
            continue;
        }
        // Trailing empty cells are Excel's, not columns.
        let used = cells.len() - cells.iter().rev().take_while(|c| c.is_empty()).count();
        let Some(cols) = &columns else {
            match header(&cells[..used], spec, &file, &at) {
                Ok(c) => {
                    columns = Some(c);
                    width = used;
                    continue;
                }
                Err(e) => return Err(e.into()),
            }
        };
        if used > width {
            errs.push(
                InputError::new(
                    &file,
                    format!("{width} columns, as in the header"),
                    format!("{used} columns: {}", quoted(&cells[width..used])),
                )
                .at(&at),
            );
            continue;
        }
        let mut ok = true;
        let mut values = Vec::with_capacity(spec.columns.len());
        for (k, c) in spec.columns.iter().enumerate() {
            let Some(col) = cols[k] else {
                values.push(None);
                continue;
            };
            match cells.get(col) {
                Some(v) if !v.is_empty() => values.push(Some(v.to_string())),
                found if c.required => {
                    let found = match found {
                        Some(_) => "an empty value".to_string(),
                        None => {
                            format!("no value (the row has {} of {width} columns)", cells.len())
                        }
                    };
                    errs.push(InputError::new(&file, c.what, found).at(&at).field(c.name));
                    ok = false;
                }
                _ => values.push(None),
            }
        }
        if ok {
            out.push(Row { line, values });
        }
    }
    if columns.is_none() && errs.is_empty() {
        errs.push(InputError::new(
            &file,
            format!("a header row with {}", header_help(spec)),
            "an empty file",
        ));
    }
    errs.into_result(out)
}

/// The position of each spec column in a header row.
fn header(
    cells: &[&str],
    spec: &Spec,
    file: &str,
    at: &str,
) -> Result<Vec<Option<usize>>, InputError> {
    let mut pos: Vec<Option<usize>> = vec![None; spec.columns.len()];
    let mut unknown = None;
    for (i, c) in cells.iter().enumerate() {
        let name = c.to_lowercase();
        let Some(k) = spec
            .columns
            .iter()
            .position(|col| col.name == name || col.aliases.contains(&name.as_str()))
        else {
            unknown = unknown.or(Some(i));
            continue;
        };
        if let Some(first) = pos[k].replace(i) {
            return Err(InputError::new(
                file,
                format!("one {} column", spec.columns[k].name),
                format!("two: {} and {}", quoted(&[cells[first]]), quoted(&[c])),
            )
            .at(at)
            .field(spec.columns[k].name));
        }
    }
    for (k, c) in spec.columns.iter().enumerate() {
        if c.required && pos[k].is_none() {
            let expected = if c.aliases.is_empty() {
                format!("a {} column", c.name)
            } else {
                format!("a {} column (or {})", c.name, c.aliases.join(", "))
            };
            return Err(
                InputError::new(file, expected, format!("the header {}", quoted(cells)))
                    .at(at)
                    .field(c.name),
            );
        }
    }
    if let (Some(i), false) = (unknown, spec.other_columns) {
        return Err(InputError::new(
            file,
            format!("a header row with only {}", header_help(spec)),
            format!("a column {}", quoted(&[cells[i]])),
        )
        .at(at));
    }
    Ok(pos)
}

/// Line numbers (1-based) of byte offsets met in increasing order.
struct LineCounter<'a> {
    text: &'a [u8],
    byte: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        LineCounter {
            text: text.as_bytes(),
            byte: 0,
            line: 1,
        }
    }

    /// The line of the record starting at `byte`. The csv reader may give
    /// the offset of the previous line's end (the `\n` of a CRLF): skip it.
    fn at(&mut self, byte: usize) -> usize {
        let mut byte = byte.min(self.text.len()).max(self.byte);
        while byte < self.text.len() && matches!(self.text[byte], b'\r' | b'\n') {
            byte += 1;
        }
        self.line += self.text[self.byte..byte]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.byte = byte;
        self.line
    }
}

fn quoted(cells: &[&str]) -> String {
    cells
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(",")
}

/// A CSV error without the position the message already carries.
fn csv_error(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { err, .. } => format!("text that is not UTF-8 ({err})"),
        _ => e.to_string(),
    }
}
