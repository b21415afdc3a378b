//! The three tables of children: `students.csv` (an admitted cohort, for
//! `catchment classes`), `graduates.csv` and `registrations.csv` (for
//! `catchment track`). Read with [`super::table`]: a header row in any
//! order with Chinese aliases, UTF-8 with or without BOM, blank lines
//! skipped, every problem located by line and field.
//!
//! These files are about individual children, so only the columns below
//! are accepted: any other column (a name, a parent's phone) is refused, to
//! be deleted before the file is given to the tool. Student ids must be
//! unique in each file; a second row of the same id is an error naming both
//! lines.
//!
//! | column | aliases | values |
//! |---|---|---|
//! | `student_id` | 学号, 学生编号 | required |
//! | `sex` | 性别 | required: `F`/`M` or 女/男 (any case); empty is refused |
//! | `special_needs` | 特殊需要, 随班就读 | optional: true/false, 1/0, 是/否, yes/no; empty = false |
//! | `multiple_birth_group` | 多胞胎组 | optional: siblings of one multiple birth share a value |
//! | `junior_school_id` | 初中学校编号 | graduates.csv: the assigned junior school |
//! | `school_id` | 学校编号 | registrations.csv: where the student registered |

use super::error::{InputError, InputErrors};
use super::noted::Noted;
use super::table::{Column, Row, Spec, read_table};
use crate::enrol::classes::{Sex, Student};
use crate::enrol::track::{Graduate, Registration};
use std::collections::HashMap;
use std::path::Path;

const STUDENT_ID: Column = Column {
    name: "student_id",
    aliases: &["学号", "学生编号"],
    required: true,
    what: "a student id",
};

const STUDENTS: Spec = Spec {
    columns: &[
        STUDENT_ID,
        Column {
            name: "sex",
            aliases: &["性别"],
            required: true,
            what: "F or M (女 or 男)",
        },
        Column {
            name: "special_needs",
            aliases: &["特殊需要", "随班就读"],
            required: false,
            what: "true or false (1/0, 是/否)",
        },
        Column {
            name: "multiple_birth_group",
            aliases: &["多胞胎组"],
            required: false,
            what: "a multiple-birth group id",
        },
    ],
    other_columns: false,
};

const GRADUATES: Spec = Spec {
    columns: &[
        STUDENT_ID,
        Column {
            name: "junior_school_id",
            aliases: &["初中学校编号"],
            required: true,
            what: "the junior school assigned (a school id)",
        },
    ],
    other_columns: false,
};

const REGISTRATIONS: Spec = Spec {
    columns: &[
        STUDENT_ID,
        Column {
            name: "school_id",
            aliases: &["学校编号"],
            required: true,
            what: "the school registered at (a school id)",
        },
    ],
    other_columns: false,
};

/// A student of `students.csv` with its line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StudentRow {
    pub line: usize,
    pub student: Student,
}

fn parse_sex(v: &str) -> Option<Sex> {
    match v.to_lowercase().as_str() {
        "f" | "女" => Some(Sex::F),
        "m" | "男" => Some(Sex::M),
        _ => None,
    }
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.to_lowercase().as_str() {
        "true" | "1" | "是" | "yes" | "y" => Some(true),
        "false" | "0" | "否" | "no" | "n" => Some(false),
        _ => None,
    }
}

/// Refuse a student id seen before, naming both lines.
fn check_unique(
    seen: &mut HashMap<String, usize>,
    r: &Row,
    id: &str,
    file: &str,
    what: &str,
    errs: &mut InputErrors,
) -> bool {
    if let Some(first) = seen.get(id) {
        errs.push(
            InputError::new(
                file,
                format!("each student once ({what})"),
                format!("\"{id}\" again (first at line {first})"),
            )
            .at(format!("line {}", r.line))
            .field("student_id"),
        );
        return false;
    }
    seen.insert(id.to_string(), r.line);
    true
}

/// Read `students.csv`: at least one student, ids unique, sex F/M/女/男,
/// special needs a yes/no value or empty.
pub fn read_students(path: &Path) -> Noted<Vec<StudentRow>> {
    read_table(path, &STUDENTS).and_then(|rows| students_of_rows(rows, path))
}

/// The checked rows of [`read_students`].
fn students_of_rows(rows: Vec<Row>, path: &Path) -> Result<Vec<StudentRow>, InputErrors> {
    let file = path.display().to_string();
    let mut errs = InputErrors::default();
    let mut seen = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let at = format!("line {}", r.line);
        let id = r.get(0).unwrap_or_default();
        let sex_text = r.get(1).unwrap_or_default();
        let sex = parse_sex(sex_text);
        if sex.is_none() {
            errs.push(
                InputError::new(&file, STUDENTS.columns[1].what, format!("\"{sex_text}\""))
                    .at(&at)
                    .field("sex"),
            );
        }
        let special = match r.get(2) {
            None => Some(false),
            Some(v) => {
                let b = parse_bool(v);
                if b.is_none() {
                    errs.push(
                        InputError::new(
                            &file,
                            "true or false (1/0, 是/否; empty = false)",
                            format!("\"{v}\""),
                        )
                        .at(&at)
                        .field("special_needs"),
                    );
                }
                b
            }
        };
        let unique = check_unique(&mut seen, r, id, &file, "one row per child", &mut errs);
        if let (Some(sex), Some(special_needs), true) = (sex, special, unique) {
            out.push(StudentRow {
                line: r.line,
                student: Student {
                    id: id.to_string(),
                    sex,
                    special_needs,
                    group: r.get(3).map(str::to_string),
                },
            });
        }
    }
    if rows.is_empty() && errs.is_empty() {
        errs.push(InputError::new(
            &file,
            "at least one student",
            "only a header",
        ));
    }
    errs.into_result(out)
}

/// Read `graduates.csv`: each graduate once, with the junior school assigned.
pub fn read_graduates(path: &Path) -> Noted<Vec<Graduate>> {
    read_table(path, &GRADUATES).and_then(|rows| graduates_of_rows(rows, path))
}

/// The checked rows of [`read_graduates`].
fn graduates_of_rows(rows: Vec<Row>, path: &Path) -> Result<Vec<Graduate>, InputErrors> {
    let file = path.display().to_string();
    let mut errs = InputErrors::default();
    let mut seen = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let id = r.get(0).unwrap_or_default();
        if check_unique(
            &mut seen,
            r,
            id,
            &file,
            "one junior school per graduate",
            &mut errs,
        ) {
            out.push(Graduate {
                student_id: id.to_string(),
                junior_school_id: r.get(1).unwrap_or_default().to_string(),
            });
        }
    }
    if rows.is_empty() && errs.is_empty() {
        errs.push(InputError::new(
            &file,
            "at least one graduate",
            "only a header",
        ));
    }
    errs.into_result(out)
}

/// Read `registrations.csv`: each student registered once.
pub fn read_registrations(path: &Path) -> Noted<Vec<Registration>> {
    read_table(path, &REGISTRATIONS).and_then(|rows| registrations_of_rows(rows, path))
}

/// The checked rows of [`read_registrations`].
fn registrations_of_rows(rows: Vec<Row>, path: &Path) -> Result<Vec<Registration>, InputErrors> {
    let file = path.display().to_string();
    let mut errs = InputErrors::default();
    let mut seen = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let id = r.get(0).unwrap_or_default();
        if check_unique(
            &mut seen,
            r,
            id,
            &file,
            "a student registered at one school",
            &mut errs,
        ) {
            out.push(Registration {
                student_id: id.to_string(),
                school_id: r.get(1).unwrap_or_default().to_string(),
            });
        }
    }
    errs.into_result(out)
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

    fn errors<T: std::fmt::Debug>(bytes: &[u8], read: fn(&Path) -> Noted<T>) -> Vec<String> {
        let f = file(bytes);
        let name = f.path().display().to_string();
        read(f.path())
            .result
            .expect_err("invalid")
            .errors
            .iter()
            .map(|e| e.to_string().replacen(&name, "f.csv", 1))
            .collect()
    }

    #[test]
    fn chinese_headers_and_values() {
        let f = file(
            "\u{feff}学号,性别,随班就读,多胞胎组\nS1,女,是,T1\nS2,男,,\nS3,f,0,T1\n".as_bytes(),
        );
        let s = read_students(f.path()).result.expect("valid");
        let got: Vec<(usize, &str, Sex, bool, Option<&str>)> = s
            .iter()
            .map(|r| {
                (
                    r.line,
                    r.student.id.as_str(),
                    r.student.sex,
                    r.student.special_needs,
                    r.student.group.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (2, "S1", Sex::F, true, Some("T1")),
                (3, "S2", Sex::M, false, None),
                (4, "S3", Sex::F, false, Some("T1")),
            ]
        );
        // Only the two required columns.
        let f = file(b"sex,student_id\nM,7\n");
        assert_eq!(read_students(f.path()).result.expect("valid").len(), 1);
    }

    #[test]
    fn bad_students_are_located() {
        let e = errors(
            b"student_id,sex,special_needs\nS1,F,true\nS2,X,maybe\nS1,M,0\n",
            read_students,
        );
        assert_eq!(
            e,
            vec![
                "f.csv: line 3: field `sex`: expected F or M (女 or 男), found \"X\"",
                "f.csv: line 3: field `special_needs`: expected true or false (1/0, 是/否; \
                 empty = false), found \"maybe\"",
                "f.csv: line 4: field `student_id`: expected each student once (one row per \
                 child), found \"S1\" again (first at line 2)",
            ]
        );
        // An empty sex is refused by the table reader (a required value).
        let e = errors(b"student_id,sex\nS1,F\nS3,\n", read_students);
        assert_eq!(
            e,
            vec!["f.csv: line 3: field `sex`: expected F or M (女 or 男), found an empty value"]
        );
        let e = errors(b"student_id,sex\n", read_students);
        assert_eq!(
            e,
            vec!["f.csv: expected at least one student, found only a header"]
        );
        let e = errors("student_id,sex,姓名\nS1,F,张三\n".as_bytes(), read_students);
        assert!(e[0].contains("found a column \"姓名\""), "{e:?}");
    }

    #[test]
    fn graduates_and_registrations() {
        let f = file("学生编号,初中学校编号\nS1,J1\nS2,J2\n".as_bytes());
        assert_eq!(read_graduates(f.path()).result.expect("valid").len(), 2);
        let e = errors(
            b"student_id,junior_school_id\nS1,J1\nS1,J2\n",
            read_graduates,
        );
        assert_eq!(
            e,
            vec![
                "f.csv: line 3: field `student_id`: expected each student once (one junior \
                 school per graduate), found \"S1\" again (first at line 2)"
            ]
        );
        let e = errors(
            b"student_id,school_id\nS1,J1\nS2,J1\n\nS1,J1\n",
            read_registrations,
        );
        assert_eq!(
            e,
            vec![
                "f.csv: line 5: field `student_id`: expected each student once (a student \
                 registered at one school), found \"S1\" again (first at line 2)"
            ]
        );
        let f = file("学号,学校编号\n".as_bytes());
        assert!(
            read_registrations(f.path())
                .result
                .expect("valid")
                .is_empty()
        );
    }
}
