//! CSV tables typed by hand or saved from Excel: a header row naming the
//! columns (contract names or their Chinese aliases, any order), blank
//! lines skipped, empty trailing cells (as Excel writes them) ignored, every
//! problem located by line. The readers of `pins.csv`, `enrollment.csv`,
//! `births.csv` and household tables are thin layers on this one.
//!
//! Encoding ([`decode_csv`]): UTF-8 with or without BOM; else GBK/GB18030
//! (what Excel's plain "CSV" writes on Chinese Windows) when the bytes are
//! valid GB18030, with a note ([`DecodedCsv::note`]) that shows the header
//! as read;
//! UTF-16 (Excel's "Unicode Text", Notepad's "Unicode"; with a BOM or
//! sniffed by its NUL bytes, [`sniff_utf16`]) and bytes that are neither are refused
//! with the hint to save as "CSV UTF-8".

use super::error::{InputError, InputErrors};
use super::noted::Noted;
use super::text::{TextKind, Utf16, check_text, sniff_utf16, utf16_error};
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

/// One non-blank record of a CSV file: its line (1-based) and its cells,
/// trimmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub line: usize,
    pub cells: Vec<String>,
}

impl Record {
    /// The number of cells up to the last non-empty one: trailing empty
    /// cells are Excel's, not columns.
    pub fn used(&self) -> usize {
        self.cells.len() - self.cells.iter().rev().take_while(|c| c.is_empty()).count()
    }
}

/// The records of a CSV text in file order, blank lines left out; a record
/// with a problem is an error in its place (a value running over several
/// lines; invalid CSV, which ends the list: a broken quote swallows the
/// rest of the file).
pub fn records(text: &str, file: &str) -> Vec<Result<Record, InputError>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    // Lines from byte offsets: the csv crate's own line count drifts on
    // CRLF files (as Excel writes them).
    let mut lines = LineCounter::new(text);
    for rec in reader.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = lines.at(e.position().map_or(0, |p| p.byte() as usize));
                out.push(Err(
                    InputError::new(file, "valid CSV", csv_error(&e)).at(format!("line {line}"))
                ));
                break;
            }
        };
        let line = lines.at(rec.position().map_or(0, |p| p.byte() as usize));
        let cells: Vec<&str> = rec.iter().map(str::trim).collect();
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        if let Some(c) = cells.iter().find(|c| c.contains(['\n', '\r'])) {
            out.push(Err(InputError::new(
                file,
                "each value on one line (is a `\"` never closed?)",
                format!(
                    "a value running over {} lines: {}",
                    c.lines().count(),
                    quoted(&[c.lines().next().unwrap_or_default()])
                ),
            )
            .at(format!("line {line}"))));
            continue;
        }
        out.push(Ok(Record {
            line,
            cells: cells.into_iter().map(str::to_string).collect(),
        }));
    }
    out
}

/// The bytes of a file, named `file` in the message if it cannot be read.
pub fn read_bytes(path: &Path, file: &str) -> Result<Vec<u8>, InputError> {
    std::fs::read(path).map_err(|e| InputError::new(file, "a readable file", e.to_string()))
}

/// Read a table; rows with a problem are reported (all of them) and left
/// out. Noted: how a file not in UTF-8 was decoded.
pub fn read_table(path: &Path, spec: &Spec) -> Noted<Vec<Row>> {
    let file = path.display().to_string();
    match read_bytes(path, &file) {
        Ok(bytes) => table_from_bytes(&bytes, &file, spec),
        Err(e) => Noted::failed(e),
    }
}

/// [`read_table`] on the bytes of a file named `file` (for messages).
pub fn table_from_bytes(bytes: &[u8], file: &str, spec: &Spec) -> Noted<Vec<Row>> {
    match csv_text_from_bytes(bytes, file) {
        Ok(decoded) => Noted {
            result: rows_of_text(&decoded.text, file, spec),
            notes: decoded.note(file).into_iter().collect(),
        },
        Err(e) => Noted::failed(e),
    }
}

/// The rows of a table's text.
fn rows_of_text(text: &str, file: &str, spec: &Spec) -> Result<Vec<Row>, InputErrors> {
    let file = file.to_string();
    let mut errs = InputErrors::default();
    let mut columns: Option<Vec<Option<usize>>> = None;
    let mut head: Vec<String> = Vec::new();
    let mut width = 0;
    let mut out = Vec::new();
    for rec in records(text, &file) {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errs.push(e);
                continue;
            }
        };
        let line = rec.line;
        let cells: Vec<&str> = rec.cells.iter().map(String::as_str).collect();
        let at = format!("line {line}");
        let used = rec.used();
        let Some(cols) = &columns else {
            match header(&cells[..used], spec, &file, &at) {
                Ok(c) => {
                    columns = Some(c);
                    width = used;
                    head = rec.cells[..used].to_vec();
                    continue;
                }
                Err(e) => return Err(e.into()),
            }
        };
        if is_header_again(&head, &cells[..used]) {
            errs.push(header_again(&file, &at));
            continue;
        }
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
                Some(v) if !v.is_empty() => {
                    if let Err(e) = check_text(v, TextKind::of_name(c.name), &file, &at, c.name) {
                        errs.push(e);
                        ok = false;
                    }
                    values.push(Some(v.to_string()));
                }
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

/// Whether a data row's used cells repeat the header row's (as when two
/// exports are joined into one file), in any letter case.
pub fn is_header_again<S: AsRef<str>>(head: &[S], cells: &[&str]) -> bool {
    !head.is_empty()
        && head.len() == cells.len()
        && head
            .iter()
            .zip(cells)
            .all(|(h, c)| h.as_ref().to_lowercase() == c.to_lowercase())
}

/// The refusal of a row that is the header again, at `at` (`line 7`).
pub fn header_again(file: &str, at: &str) -> InputError {
    InputError::new(
        file,
        "a data row",
        "the header row again (two files joined?)",
    )
    .at(at)
}

/// A CSV file decoded by [`decode_csv`] (see [`DecodedCsv::note`] for
/// what a planner should be told about it).
pub fn read_csv_text(path: &Path) -> Result<DecodedCsv, InputError> {
    let file = path.display().to_string();
    csv_text_from_bytes(&read_bytes(path, &file)?, &file)
}

/// [`read_csv_text`] on the bytes of a file named `file` (for messages).
pub fn csv_text_from_bytes(bytes: &[u8], file: &str) -> Result<DecodedCsv, InputError> {
    decode_csv(bytes).map_err(|e| e.error(file))
}

/// How a CSV file was decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsvEncoding {
    Utf8,
    Utf8Bom,
    Gb18030,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedCsv {
    pub text: String,
    pub encoding: CsvEncoding,
}

impl DecodedCsv {
    /// The note on a file read as GBK: its first line as read, so a wrong
    /// guess is seen at once (`None` for UTF-8).
    pub fn note(&self, file: &str) -> Option<String> {
        if self.encoding != CsvEncoding::Gb18030 {
            return None;
        }
        let first = self
            .text
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or_default();
        let first: String = first.chars().take(80).collect();
        Some(format!(
            "{file} is not UTF-8: read as GBK/GB18030 (Excel's \"CSV\" on Chinese Windows); \
             its first line reads: {first}"
        ))
    }
}

/// Why a CSV file's bytes were refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// UTF-16 (a byte-order mark FF FE or FE FF, or NUL bytes every
    /// other byte of the first line): Excel's "Unicode Text".
    Utf16(Utf16),
    /// A byte at (byte offset, line) that is neither UTF-8 nor GB18030, or
    /// a UTF-8 file (with a BOM, or cut off inside a character) that is not
    /// valid UTF-8.
    Neither {
        byte: usize,
        line: usize,
        utf8_bom: bool,
    },
}

const SAVE_AS: &str = "UTF-8 text (in Excel: Save As, \"CSV UTF-8 (comma delimited)\"), \
                       or GBK/GB18030";

impl std::fmt::Display for DecodeError {
    /// Where the bytes went wrong; [`DecodeError::error`] is the planner's
    /// message, with the file and how to save it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::Utf16(order) => write!(f, "UTF-16 text ({})", order.name()),
            DecodeError::Neither {
                byte,
                line,
                utf8_bom,
            } => {
                let neither = if *utf8_bom {
                    "not UTF-8 in a file marked UTF-8 by its byte-order mark"
                } else {
                    "neither UTF-8 nor GB18030"
                };
                write!(f, "byte {byte} (line {line}) is {neither}")
            }
        }
    }
}

impl std::error::Error for DecodeError {}

impl DecodeError {
    pub fn error(&self, file: &str) -> InputError {
        match self {
            DecodeError::Utf16(order) => {
                utf16_error(file, *order, "UTF-8 (or GBK)", "\"CSV UTF-8\"")
            }
            DecodeError::Neither {
                byte,
                line,
                utf8_bom,
            } => InputError::new(
                file,
                SAVE_AS,
                if *utf8_bom {
                    format!(
                        "a byte that is not UTF-8 (byte {byte}) in a file marked as UTF-8 by its \
                         byte-order mark: the file mixes encodings; save it again as \"CSV UTF-8\""
                    )
                } else {
                    format!(
                        "a byte that is neither UTF-8 nor GBK (byte {byte}): not a text file, or \
                         another encoding; save it as \"CSV UTF-8\""
                    )
                },
            )
            .at(format!("line {line}")),
        }
    }
}

/// Decode the bytes of a CSV file. UTF-8 first (a BOM dropped): GBK text
/// is almost never valid UTF-8, so valid UTF-8 is read as UTF-8. Else, if
/// the bytes are valid GB18030 (a superset of GBK and GB2312), as GB18030.
/// A file marked UTF-8 by its BOM, or cut off inside a UTF-8 character at
/// its end, is UTF-8 or nothing.
pub fn decode_csv(bytes: &[u8]) -> Result<DecodedCsv, DecodeError> {
    if let Some(order) = sniff_utf16(bytes) {
        return Err(DecodeError::Utf16(order));
    }
    let (body, bom) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(b) => (b, true),
        None => (bytes, false),
    };
    let bad_at = match std::str::from_utf8(body) {
        Ok(t) => {
            return Ok(DecodedCsv {
                text: t.to_string(),
                encoding: if bom {
                    CsvEncoding::Utf8Bom
                } else {
                    CsvEncoding::Utf8
                },
            });
        }
        Err(e) => e,
    };
    let line_of = |at: usize| body[..at].iter().filter(|&&b| b == b'\n').count() + 1;
    let utf8_only = bom || bad_at.error_len().is_none();
    if !utf8_only
        && let Some(t) =
            encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(body)
    {
        return Ok(DecodedCsv {
            text: t.into_owned(),
            encoding: CsvEncoding::Gb18030,
        });
    }
    let byte = if utf8_only {
        bad_at.valid_up_to()
    } else {
        first_gb18030_error(body)
    };
    Err(DecodeError::Neither {
        byte: byte + usize::from(bom) * 3,
        line: line_of(byte),
        utf8_bom: bom,
    })
}

/// The offset of the first byte GB18030 cannot decode (a bound: the start
/// of the first chunk that fails).
fn first_gb18030_error(body: &[u8]) -> usize {
    let mut decoder = encoding_rs::GB18030.new_decoder_without_bom_handling();
    let cap = decoder
        .max_utf8_buffer_length_without_replacement(body.len())
        .unwrap_or(body.len().saturating_mul(3));
    let mut out = String::with_capacity(cap);
    let (result, read) = decoder.decode_to_string_without_replacement(body, &mut out, true);
    match result {
        encoding_rs::DecoderResult::Malformed(bad, extra) => {
            read.saturating_sub(bad as usize + extra as usize)
        }
        _ => read,
    }
}

/// The position of each spec column in a header row (other columns are
/// refused unless the spec allows them).
pub fn header(
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

/// Cells as `"a","b"`, for messages.
pub fn quoted(cells: &[&str]) -> String {
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

    fn gbk(s: &str) -> Vec<u8> {
        let (b, _, bad) = encoding_rs::GBK.encode(s);
        assert!(!bad);
        b.into_owned()
    }

    #[test]
    fn utf8_with_and_without_bom() {
        let d = decode_csv("户编号,经度\n".as_bytes()).expect("utf-8");
        assert_eq!(
            (d.text.as_str(), d.encoding),
            ("户编号,经度\n", CsvEncoding::Utf8)
        );
        let d = decode_csv("\u{feff}户编号\n".as_bytes()).expect("bom");
        assert_eq!(
            (d.text.as_str(), d.encoding),
            ("户编号\n", CsvEncoding::Utf8Bom)
        );
    }

    #[test]
    fn gbk_and_gb18030_are_decoded() {
        let text = "户编号,乡镇,村\nH1,砚城镇,东关村\nH2,胡会乡,石咀头村\n";
        let d = decode_csv(&gbk(text)).expect("gbk");
        assert_eq!((d.text.as_str(), d.encoding), (text, CsvEncoding::Gb18030));
        // A character outside GBK (four bytes in GB18030).
        let (b, _, _) = encoding_rs::GB18030.encode("村名,𠀀\n");
        let d = decode_csv(&b).expect("gb18030");
        assert_eq!(d.text, "村名,𠀀\n");
    }

    #[test]
    fn other_bytes_are_refused_and_located() {
        let e = decode_csv(b"\xFF\xFEa\0b\0").expect_err("utf-16");
        assert_eq!(e, DecodeError::Utf16(Utf16::Little));
        assert!(e.error("f.csv").to_string().contains("UTF-16"));
        // No BOM: NUL bytes every other byte of the header.
        let e = decode_csv(b"\0a\0,\0b\0\n").expect_err("utf-16be");
        assert_eq!(
            e.error("f.csv").to_string(),
            "f.csv: expected UTF-8 (or GBK), found UTF-16 (big-endian): save it as \"CSV UTF-8\""
        );
        // 0x81 then a space is not GB18030; 0xFF alone is neither.
        let e = decode_csv(b"a,b\nc,\x81 d\n").expect_err("neither");
        assert_eq!(
            e,
            DecodeError::Neither {
                byte: 6,
                line: 2,
                utf8_bom: false
            }
        );
        let m = e.error("f.csv").to_string();
        assert!(m.starts_with("f.csv: line 2: expected UTF-8 text"), "{m}");
        assert!(m.contains("CSV UTF-8"), "{m}");
        // Marked UTF-8 by a BOM: not decoded as GBK.
        let mut b = b"\xEF\xBB\xBFa\n".to_vec();
        b.extend(gbk("村\n"));
        let e = decode_csv(&b).expect_err("mixed");
        assert_eq!(
            e,
            DecodeError::Neither {
                byte: 5,
                line: 2,
                utf8_bom: true
            }
        );
        assert!(e.error("f").to_string().contains("mixes encodings"));
        // Cut off inside a UTF-8 character at the end.
        let b = &"a,村".as_bytes()[..4];
        assert!(matches!(decode_csv(b), Err(DecodeError::Neither { .. })));
    }

    #[test]
    fn a_repeated_header_and_control_characters_are_refused() {
        const SPEC: Spec = Spec {
            columns: &[
                Column {
                    name: "unit_id",
                    aliases: &[],
                    required: true,
                    what: "a unit id",
                },
                Column {
                    name: "name",
                    aliases: &["名称"],
                    required: false,
                    what: "a name",
                },
            ],
            other_columns: true,
        };
        let text =
            "unit_id,name,note\nH1,a\tb,x\nH\u{0}2,c\nH3,d\u{1}e\n\nUNIT_ID,name,note\nH4,e\n";
        let e = rows_of_text(text, "f.csv", &SPEC).expect_err("refused");
        let m: Vec<String> = e.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            m,
            vec![
                "f.csv: line 3: field `unit_id`: expected an id without control characters, \
                 found \"H\\u{0}2\" (a control character U+0000)",
                "f.csv: line 4: field `name`: expected text without control characters \
                 (a tab aside), found \"d\\u{1}e\" (a control character U+0001)",
                "f.csv: line 6: expected a data row, found the header row again (two files joined?)",
            ]
        );
        // A cell past the header's columns is cut in the message.
        let wide = format!("unit_id\n{}\n", ",x".repeat(1_000_000));
        let e = rows_of_text(&wide, "f.csv", &SPEC);
        let m = e.expect_err("wide").to_string();
        assert!(
            m.len() < crate::io::error::SHOWN_CHARS + 200,
            "{} bytes",
            m.len()
        );
        assert!(m.ends_with(" characters)") && m.contains("… (4,0"), "{m}");
    }

    #[test]
    fn records_are_located_and_blank_lines_skipped() {
        let r = records("a,b\r\n\r\n , \r\nc , d,\r\n", "f");
        let ok: Vec<(usize, Vec<String>)> = r
            .into_iter()
            .map(|x| x.map(|r| (r.line, r.cells)).expect("valid"))
            .collect();
        assert_eq!(
            ok,
            vec![
                (1, vec!["a".to_string(), "b".to_string()]),
                (4, vec!["c".to_string(), "d".to_string(), String::new()])
            ]
        );
    }
}
