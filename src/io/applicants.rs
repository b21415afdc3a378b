//! `applicants.csv`: the applications to a private school's lottery, one
//! applicant a row: `applicant_id,school_id,multiple_birth_group,priority`
//! (the last two may be empty or absent). Chinese headers are accepted:
//! 报名号 / 申请编号 / 报名编号 / 申请号, 学校编号 / 学校代码,
//! 多胞胎组 / 多胞胎编号, 优先类别 / 优先类型 / 优先. Any other column is
//! refused: the list is published as is, so it must not carry names or
//! other personal data.
//!
//! Checked, every problem with its line and field: an application number
//! appears once (an applicant applies to one private school: the same
//! number at two schools is a duplicate too); a multiple-birth group is at
//! one school and its members share one priority (they hold one ticket);
//! no value has a comma, a double quote or a control character (the
//! canonical list needs no quoting).

use super::error::{InputError, InputErrors};
use super::noted::Noted;
use super::table::{Column, Row, Spec, read_bytes, table_from_bytes};
use crate::lottery::{Applicant, field_problem};
use std::collections::BTreeMap;
use std::path::Path;

/// The contract's columns of `applicants.csv` (shared with `admit`'s list,
/// which adds the household and the level).
pub const APPLICANT_ID: Column = Column {
    name: "applicant_id",
    aliases: &["报名号", "申请编号", "报名编号", "申请号"],
    required: true,
    what: "an application number",
};
pub const SCHOOL_ID: Column = Column {
    name: "school_id",
    aliases: &["学校编号", "学校代码"],
    required: true,
    what: "a school id (schools.geojson `id`)",
};
pub const MULTIPLE_BIRTH_GROUP: Column = Column {
    name: "multiple_birth_group",
    aliases: &["多胞胎组", "多胞胎编号"],
    required: false,
    what: "a multiple-birth group id",
};
pub const PRIORITY: Column = Column {
    name: "priority",
    aliases: &["优先类别", "优先类型", "优先"],
    required: false,
    what: "a priority category",
};

/// Every cell of `r` a lottery can publish and hash: no commas, double
/// quotes or control characters (`field_problem`); one error per bad cell.
pub(super) fn cells_publishable(
    r: &Row,
    spec: &Spec,
    file: &str,
    at: &str,
    errs: &mut InputErrors,
) -> bool {
    let mut ok = true;
    for (k, c) in spec.columns.iter().enumerate() {
        if let Some(problem) = r.get(k).and_then(field_problem) {
            errs.push(
                InputError::new(
                    file,
                    format!(
                        "{} without commas, double quotes or control characters",
                        c.what
                    ),
                    format!("{problem} in \"{}\"", r.get(k).unwrap_or_default()),
                )
                .at(at)
                .field(c.name),
            );
            ok = false;
        }
    }
    ok
}

const SPEC: Spec = Spec {
    columns: &[APPLICANT_ID, SCHOOL_ID, MULTIPLE_BIRTH_GROUP, PRIORITY],
    other_columns: false,
};

/// Read and check `applicants.csv`; every row's problem is reported.
pub fn read_applicants(path: &Path) -> Noted<Vec<Applicant>> {
    let file = path.display().to_string();
    match read_bytes(path, &file) {
        Ok(bytes) => applicants_from_bytes(&bytes, &file),
        Err(e) => Noted::failed(e),
    }
}

/// [`read_applicants`] on the bytes of a file named `file` (for messages).
pub fn applicants_from_bytes(bytes: &[u8], file: &str) -> Noted<Vec<Applicant>> {
    table_from_bytes(bytes, file, &SPEC).and_then(|rows| applicants_of_rows(rows, file))
}

/// The checked rows of [`read_applicants`].
fn applicants_of_rows(rows: Vec<Row>, file: &str) -> Result<Vec<Applicant>, InputErrors> {
    let file = file.to_string();
    if rows.is_empty() {
        return Err(InputError::new(
            &file,
            "at least one applicant row",
            "a header only (there is nothing to draw)",
        )
        .into());
    }
    let mut errs = InputErrors::default();
    let mut out = Vec::with_capacity(rows.len());
    // id -> (line, school); group -> (line, school, priority)
    let mut ids: BTreeMap<String, (usize, String)> = BTreeMap::new();
    let mut groups: BTreeMap<String, (usize, String, Option<String>)> = BTreeMap::new();
    for r in rows {
        let at = format!("line {}", r.line);
        let ok = cells_publishable(&r, &SPEC, &file, &at, &mut errs);
        if !ok {
            continue;
        }
        let a = Applicant {
            id: r.get(0).unwrap_or_default().to_string(),
            school_id: r.get(1).unwrap_or_default().to_string(),
            group: r.get(2).map(str::to_string),
            priority: r.get(3).map(str::to_string),
        };
        if let Some((line, school)) = ids.get(&a.id) {
            let also = if *school == a.school_id {
                String::new()
            } else {
                format!(
                    "; an applicant applies to one private school, here {school} and {}",
                    a.school_id
                )
            };
            errs.push(
                InputError::new(
                    &file,
                    "each application number once",
                    format!("\"{}\" again (first on line {line}{also})", a.id),
                )
                .at(&at)
                .field("applicant_id"),
            );
            continue;
        }
        ids.insert(a.id.clone(), (r.line, a.school_id.clone()));
        if let Some(g) = &a.group {
            match groups.get(g) {
                None => {
                    groups.insert(g.clone(), (r.line, a.school_id.clone(), a.priority.clone()));
                }
                Some((line, school, _)) if *school != a.school_id => {
                    errs.push(
                        InputError::new(
                            &file,
                            format!(
                                "every member of multiple-birth group \"{g}\" at one school \
                                 (the group holds one ticket), as on line {line}: {school}"
                            ),
                            format!("school {}", a.school_id),
                        )
                        .at(&at)
                        .field("multiple_birth_group"),
                    );
                    continue;
                }
                Some((line, _, priority)) if *priority != a.priority => {
                    let show = |p: &Option<String>| {
                        p.as_ref()
                            .map_or("no priority".to_string(), |p| format!("\"{p}\""))
                    };
                    errs.push(
                        InputError::new(
                            &file,
                            format!(
                                "the priority of multiple-birth group \"{g}\" (siblings share \
                                 a family's priority), as on line {line}: {}",
                                show(priority)
                            ),
                            show(&a.priority),
                        )
                        .at(&at)
                        .field("priority"),
                    );
                    continue;
                }
                Some(_) => {}
            }
        }
        out.push(a);
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

    fn errors(bytes: &[u8]) -> Vec<String> {
        let f = file(bytes);
        let name = f.path().display().to_string();
        read_applicants(f.path())
            .result
            .expect_err("invalid")
            .errors
            .iter()
            .map(|e| e.to_string().replacen(&name, "applicants.csv", 1))
            .collect()
    }

    #[test]
    fn chinese_headers_optional_columns_and_empty_fields() {
        let f = file("\u{feff}报名号,学校编号,多胞胎组,优先类别\r\nA2,J02,,\r\nA1,J02,MB1,\r\nA3,J02,MB1,\r\n".as_bytes());
        let got = read_applicants(f.path()).result.expect("valid");
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].id, "A2");
        assert_eq!(got[0].group, None);
        assert_eq!(got[1].group.as_deref(), Some("MB1"));
        let f = file(b"school_id,applicant_id\nJ02,A1\n");
        let got = read_applicants(f.path()).result.expect("valid");
        assert_eq!(
            (got[0].id.as_str(), got[0].priority.as_deref()),
            ("A1", None)
        );
    }

    #[test]
    fn a_header_only_list_is_refused() {
        for list in [
            &b"applicant_id,school_id\n"[..],
            b"applicant_id,school_id\r\n\r\n",
        ] {
            assert_eq!(
                errors(list),
                vec![
                    "applicants.csv: expected at least one applicant row, found a header only \
                     (there is nothing to draw)"
                ]
            );
        }
    }

    #[test]
    fn duplicates_and_two_schools_are_located() {
        let e = errors(b"applicant_id,school_id\nA1,J02\nA1,J02\nA1,J03\n");
        assert_eq!(
            e,
            vec![
                "applicants.csv: line 3: field `applicant_id`: expected each application number \
                 once, found \"A1\" again (first on line 2)",
                "applicants.csv: line 4: field `applicant_id`: expected each application number \
                 once, found \"A1\" again (first on line 2; an applicant applies to one private \
                 school, here J02 and J03)",
            ]
        );
    }

    #[test]
    fn a_group_at_two_schools_or_with_two_priorities_is_refused() {
        let e = errors(
            b"applicant_id,school_id,multiple_birth_group,priority\n\
              A1,J02,MB1,\nA2,J03,MB1,\nA3,J02,MB1,military\nA4,J02,MB1,\n",
        );
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!(
            e[0],
            "applicants.csv: line 3: field `multiple_birth_group`: expected every member of \
             multiple-birth group \"MB1\" at one school (the group holds one ticket), as on \
             line 2: J02, found school J03"
        );
        assert_eq!(
            e[1],
            "applicants.csv: line 4: field `priority`: expected the priority of multiple-birth \
             group \"MB1\" (siblings share a family's priority), as on line 2: no priority, \
             found \"military\""
        );
    }

    #[test]
    fn names_and_unquotable_values_are_refused() {
        let e = errors("applicant_id,school_id,姓名\nA1,J02,张三\n".as_bytes());
        assert!(e[0].contains("found a column \"姓名\""), "{e:?}");
        let e = errors(b"applicant_id,school_id\n\"A,1\",J02\n\"A\"\"2\",J02\n");
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(
            e[0].contains("line 2: field `applicant_id`") && e[0].contains("a comma in \"A,1\""),
            "{e:?}"
        );
        assert!(e[1].contains("a double quote"), "{e:?}");
        let e = errors(b"applicant_id,school_id\n,J02\n");
        assert!(e[0].contains("found an empty value"), "{e:?}");
    }
}
