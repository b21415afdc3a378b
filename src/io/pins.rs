//! `pins.csv`: a planner's fixed choices, one unit and its school a row.
//!
//! UTF-8 with or without a byte-order mark, or GBK (see `table`); a header row `unit_id,school_id`
//! in any order, with the Chinese aliases `单元编号` or `户编号` for `unit_id`
//! and `学校编号` for `school_id`, and an optional `level` (`学段`:
//! `primary`/`小学` or `junior`/`初中`) that pins the unit at that level
//! only (a nine-year school's pin at one level; without it, a row pins its
//! unit at every level the school takes). Blank lines are skipped; empty trailing
//! cells (as Excel writes them) are ignored. Whether the unit and school
//! exist is checked against the other inputs when they are loaded.

use super::error::{InputError, InputErrors};
use super::noted::Noted;
use super::output::csv_field;
use super::table::{Column, Spec, read_bytes, table_from_bytes};
use crate::model::Level;
use std::path::Path;

/// One row of `pins.csv`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinRow {
    /// Line in the file (1-based, the header is line 1 or later).
    pub line: usize,
    pub unit_id: String,
    pub school_id: String,
    /// The level pinned (`None`: every level the school takes).
    pub level: Option<Level>,
}

const SPEC: Spec = Spec {
    columns: &[
        Column {
            name: "unit_id",
            aliases: &["单元编号", "户编号"],
            required: true,
            what: "a unit id (households.geojson `id`)",
        },
        Column {
            name: "school_id",
            aliases: &["学校编号"],
            required: true,
            what: "a school id (schools.geojson `id`)",
        },
        Column {
            name: "level",
            aliases: &["学段"],
            required: false,
            what: "`primary` or `junior` (or empty: every level the school takes)",
        },
    ],
    other_columns: false,
};

/// Read and check `pins.csv`; every row's problem is reported.
pub fn read_pins(path: &Path) -> Noted<Vec<PinRow>> {
    let file = path.display().to_string();
    match read_bytes(path, &file) {
        Ok(bytes) => pins_from_bytes(&bytes, &file),
        Err(e) => Noted::failed(e),
    }
}

/// [`read_pins`] on the bytes of a file named `file` (for messages).
pub fn pins_from_bytes(bytes: &[u8], file: &str) -> Noted<Vec<PinRow>> {
    table_from_bytes(bytes, file, &SPEC).and_then(|rows| {
        let mut errs = InputErrors::default();
        let pins = rows
            .into_iter()
            .filter_map(|r| {
                let level = match r.get(2).map(str::trim).unwrap_or_default() {
                    "" => None,
                    text => match super::admit_applicants::parse_level(text) {
                        Some(l) => Some(l),
                        None => {
                            errs.push(
                                InputError::new(
                                    file,
                                    "`primary` or `junior` (or empty)",
                                    format!("\"{text}\""),
                                )
                                .at(format!("line {}", r.line))
                                .field("level"),
                            );
                            return None;
                        }
                    },
                };
                Some(PinRow {
                    line: r.line,
                    unit_id: r.get(0).unwrap_or_default().to_string(),
                    school_id: r.get(1).unwrap_or_default().to_string(),
                    level,
                })
            })
            .collect();
        errs.into_result(pins)
    })
}

/// `pins.csv` for pins given as (unit id, school id, level): the header
/// `unit_id,school_id,level` and one row each, as read back by
/// [`read_pins`].
pub fn pins_csv<'a>(pins: impl IntoIterator<Item = (&'a str, &'a str, Level)>) -> String {
    let mut out = String::from("unit_id,school_id,level\n");
    for (unit, school, level) in pins {
        out.push_str(&format!(
            "{},{},{}\n",
            csv_field(unit),
            csv_field(school),
            level.as_str()
        ));
    }
    out
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
            .result
            .expect("valid")
            .into_iter()
            .map(|r| (r.line, r.unit_id, r.school_id))
            .collect()
    }

    fn errors(bytes: &[u8]) -> Vec<String> {
        let f = file(bytes);
        let name = f.path().display().to_string();
        read_pins(f.path())
            .result
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
    fn gbk_is_read_and_utf16_refused_with_a_hint() {
        // "户编号,学校编号" in GBK.
        let mut bytes = b"\xbb\xa7\xb1\xe0\xba\xc5,\xd1\xa7\xd0\xa3\xb1\xe0\xba\xc5\n".to_vec();
        bytes.extend_from_slice(b"H1,P1\n");
        assert_eq!(rows(&bytes), vec![r(2, "H1", "P1")]);
        // The same in UTF-16LE with a BOM (Excel's "Unicode Text").
        let mut bytes = vec![0xFF, 0xFE];
        for u in "户编号,学校编号\nH1,P1\n".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let e = errors(&bytes);
        assert_eq!(e.len(), 1);
        assert!(
            e[0] == "pins.csv: expected UTF-8 (or GBK), found UTF-16 (little-endian): \
                     save it as \"CSV UTF-8\"",
            "{e:?}"
        );
    }
}
