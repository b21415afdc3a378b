//! `pins.csv`: a planner's fixed choices, one unit and its school a row.
//!
//! UTF-8 with or without a byte-order mark; a header row `unit_id,school_id`
//! in any order, with the Chinese aliases `单元编号` or `户编号` for `unit_id`
//! and `学校编号` for `school_id`. Blank lines are skipped; empty trailing
//! cells (as Excel writes them) are ignored. Whether the unit and school
//! exist is checked against the other inputs when they are loaded.

use super::error::{InputError, InputErrors};
use super::geojson::read_utf8;
use std::path::Path;

/// One row of `pins.csv`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinRow {
    /// Line in the file (1-based, the header is line 1 or later).
    pub line: usize,
    pub unit_id: String,
    pub school_id: String,
}

/// The header names of each column, the contract's name first.
const UNIT_ID: [&str; 3] = ["unit_id", "单元编号", "户编号"];
const SCHOOL_ID: [&str; 2] = ["school_id", "学校编号"];

fn header_help() -> String {
    format!(
        "columns {} (or {}) and {} (or {})",
        UNIT_ID[0],
        UNIT_ID[1..].join(", "),
        SCHOOL_ID[0],
        SCHOOL_ID[1..].join(", ")
    )
}

/// Read and check `pins.csv`; every row's problem is reported.
pub fn read_pins(path: &Path) -> Result<Vec<PinRow>, InputErrors> {
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
    let mut columns: Option<[usize; 2]> = None;
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
        let Some([u, s]) = columns else {
            match header(&cells[..used], &file, &at) {
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
        let mut value = |col: usize, name: &str, what: &str| -> Option<String> {
            match cells.get(col) {
                Some(v) if !v.is_empty() => Some(v.to_string()),
                Some(_) => {
                    errs.push(
                        InputError::new(&file, what, "an empty value")
                            .at(&at)
                            .field(name),
                    );
                    None
                }
                None => {
                    errs.push(
                        InputError::new(
                            &file,
                            what,
                            format!("no value (the row has {} of {width} columns)", cells.len()),
                        )
                        .at(&at)
                        .field(name),
                    );
                    None
                }
            }
        };
        let unit_id = value(u, UNIT_ID[0], "a unit id (households.geojson `id`)");
        let school_id = value(s, SCHOOL_ID[0], "a school id (schools.geojson `id`)");
        if let (Some(unit_id), Some(school_id)) = (unit_id, school_id) {
            out.push(PinRow {
                line,
                unit_id,
                school_id,
            });
        }
    }
    if columns.is_none() && errs.is_empty() {
        errs.push(InputError::new(
            &file,
            format!("a header row with {}", header_help()),
            "an empty file",
        ));
    }
    errs.into_result(out)
}

/// The indices of the unit and school columns in a header row.
fn header(cells: &[&str], file: &str, at: &str) -> Result<[usize; 2], InputError> {
    let mut unit = None;
    let mut school = None;
    let mut unknown = None;
    for (i, c) in cells.iter().enumerate() {
        let name = c.to_lowercase();
        let (slot, field) = if UNIT_ID.contains(&name.as_str()) {
            (&mut unit, UNIT_ID[0])
        } else if SCHOOL_ID.contains(&name.as_str()) {
            (&mut school, SCHOOL_ID[0])
        } else {
            unknown = unknown.or(Some(i));
            continue;
        };
        if let Some(first) = slot.replace(i) {
            return Err(InputError::new(
                file,
                format!("one {field} column"),
                format!("two: {} and {}", quoted(&[cells[first]]), quoted(&[c])),
            )
            .at(at)
            .field(field));
        }
    }
    let missing = |names: &[&str]| {
        InputError::new(
            file,
            format!("a {} column (or {})", names[0], names[1..].join(", ")),
            format!("the header {}", quoted(cells)),
        )
        .at(at)
        .field(names[0])
    };
    match (unit, school, unknown) {
        (None, _, _) => Err(missing(&UNIT_ID)),
        (_, None, _) => Err(missing(&SCHOOL_ID)),
        (_, _, Some(i)) => Err(InputError::new(
            file,
            format!("a header row with only {}", header_help()),
            format!("a column {}", quoted(&[cells[i]])),
        )
        .at(at)),
        (Some(u), Some(s), None) => Ok([u, s]),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file(bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::Builder::new()
            .suffix(".csv")
            .tempfile()
            .expect("temp file");
        f.write_all(bytes).expect("write");
        f
    }

    fn rows(bytes: &[u8]) -> Vec<(usize, String, String)> {
        let f = file(bytes);
        read_pins(f.path())
            .expect("valid")
            .into_iter()
            .map(|r| (r.line, r.unit_id, r.school_id))
            .collect()
    }

    fn errors(bytes: &[u8]) -> Vec<String> {
        let f = file(bytes);
        let name = f.path().display().to_string();
        read_pins(f.path())
            .expect_err("invalid")
            .errors
            .iter()
            .map(|e| e.to_string().replacen(&name, "pins.csv", 1))
            .collect()
    }

    fn r(line: usize, u: &str, s: &str) -> (usize, String, String) {
        (line, u.to_string(), s.to_string())
    }

    #[test]
    fn a_valid_file_reads_with_lines_counted() {
        let got = rows(b"unit_id,school_id\nH1,P1\n\n  \nH3 , N1\r\n\"H,4\",J1\n");
        assert_eq!(
            got,
            vec![r(2, "H1", "P1"), r(5, "H3", "N1"), r(6, "H,4", "J1")]
        );
    }

    #[test]
    fn chinese_headers_in_any_order_and_a_bom() {
        let got = rows("\u{feff}学校编号,单元编号\nP1,H1\n".as_bytes());
        assert_eq!(got, vec![r(2, "H1", "P1")]);
        let got = rows("户编号,学校编号\r\nH2,P2\r\n".as_bytes());
        assert_eq!(got, vec![r(2, "H2", "P2")]);
        let got = rows("\u{feff}Unit_ID,SCHOOL_ID,,\nH1,P1,\n".as_bytes());
        assert_eq!(got, vec![r(2, "H1", "P1")]);
    }

    #[test]
    fn a_header_without_rows_pins_nothing() {
        assert!(rows(b"unit_id,school_id\n").is_empty());
    }

    #[test]
    fn bad_rows_are_located() {
        let e = errors(b"\nunit_id,school_id\nH1,\nH2\nH3,P1,extra\n,P2\n");
        assert_eq!(
            e,
            vec![
                "pins.csv: line 3: field `school_id`: expected a school id (schools.geojson `id`), \
                 found an empty value",
                "pins.csv: line 4: field `school_id`: expected a school id (schools.geojson `id`), \
                 found no value (the row has 1 of 2 columns)",
                "pins.csv: line 5: expected 2 columns, as in the header, found 3 columns: \"extra\"",
                "pins.csv: line 6: field `unit_id`: expected a unit id (households.geojson `id`), \
                 found an empty value",
            ]
        );
    }

    #[test]
    fn an_unclosed_quote_is_located() {
        let e = errors(b"unit_id,school_id\nH1,P1\n\"H3,N1\nH4,J1\n");
        assert_eq!(
            e,
            vec![
                "pins.csv: line 3: expected each value on one line (is a `\"` never closed?), \
                 found a value running over 2 lines: \"H3,N1\""
            ]
        );
    }

    #[test]
    fn bad_headers_are_refused() {
        let e = errors(b"unit_id,school_id,note\nH1,P1,x\n");
        assert_eq!(
            e,
            vec![
                "pins.csv: line 1: expected a header row with only columns unit_id (or 单元编号, \
                 户编号) and school_id (or 学校编号), found a column \"note\""
            ]
        );
        let e = errors(b"unit,school_id\nH1,P1\n");
        assert_eq!(
            e,
            vec![
                "pins.csv: line 1: field `unit_id`: expected a unit_id column (or 单元编号, 户编号), \
                 found the header \"unit\",\"school_id\""
            ]
        );
        let e = errors("unit_id,户编号,school_id\n".as_bytes());
        assert!(
            e[0].contains("field `unit_id`: expected one unit_id column"),
            "{e:?}"
        );
        let e = errors(b"\n\n");
        assert!(e[0].ends_with("found an empty file"), "{e:?}");
    }

    #[test]
    fn gbk_is_refused_with_a_hint() {
        // "户编号,学校编号" in GBK.
        let mut bytes = b"\xbb\xa7\xb1\xe0\xba\xc5,\xd1\xa7\xd0\xa3\xb1\xe0\xba\xc5\n".to_vec();
        bytes.extend_from_slice(b"H1,P1\n");
        let e = errors(&bytes);
        assert_eq!(e.len(), 1);
        assert!(
            e[0].starts_with("pins.csv: line 1: expected UTF-8 text") && e[0].contains("GBK"),
            "{e:?}"
        );
    }
}
