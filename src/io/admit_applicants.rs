//! The applicant list of `catchment admit`: the lottery's `applicants.csv`
//! columns `applicant_id,school_id,multiple_birth_group,priority` plus
//! `unit_id` (the household, households.geojson `id`; Chinese 户编号 /
//! 住户编号 / 家庭编号) and an optional `level` (`primary` | `junior`, or
//! 小学 / 初中; Chinese header 学段). Any other column is refused, as in the
//! lottery's list: no names or other personal data. The lottery's own
//! reader (`io::applicants`) is unchanged and still refuses `unit_id`.
//!
//! Checked here, every problem with its line and field: values the
//! canonical lottery list can hold, each application number once, a
//! multiple-birth group at one school, in one household, with one
//! priority. Checks against the schools and households (known ids, level,
//! a unit for public applicants) are made by `cmd::admit`, which knows them.

use super::applicants::{
    APPLICANT_ID, MULTIPLE_BIRTH_GROUP, PRIORITY, SCHOOL_ID, cells_publishable,
};
use super::error::{InputError, InputErrors};
use super::noted::Noted;
use super::table::{Column, Row, Spec, read_table};
use crate::model::Level;
use std::collections::BTreeMap;
use std::path::Path;

const SPEC: Spec = Spec {
    columns: &[
        APPLICANT_ID,
        SCHOOL_ID,
        MULTIPLE_BIRTH_GROUP,
        PRIORITY,
        Column {
            name: "unit_id",
            aliases: &["户编号", "住户编号", "家庭编号"],
            required: false,
            what: "a household id (households.geojson `id`)",
        },
        Column {
            name: "level",
            aliases: &["学段"],
            required: false,
            what: "a level",
        },
    ],
    other_columns: false,
};

/// One row of the list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdmitRow {
    pub line: usize,
    pub applicant_id: String,
    pub school_id: String,
    pub group: Option<String>,
    pub priority: Option<String>,
    pub unit_id: Option<String>,
    pub level: Option<Level>,
}

/// `primary`/`小学`, `junior`/`初中`.
pub fn parse_level(s: &str) -> Option<Level> {
    match s.to_ascii_lowercase().as_str() {
        "primary" | "小学" => Some(Level::Primary),
        "junior" | "初中" => Some(Level::Junior),
        _ => None,
    }
}

/// Read and check the list; every row's problem is reported.
pub fn read_admit_applicants(path: &Path) -> Noted<Vec<AdmitRow>> {
    read_table(path, &SPEC).and_then(|rows| admit_rows(rows, path))
}

/// The checked rows of [`read_admit_applicants`].
fn admit_rows(rows: Vec<Row>, path: &Path) -> Result<Vec<AdmitRow>, InputErrors> {
    let file = path.display().to_string();
    if rows.is_empty() {
        return Err(InputError::new(
            &file,
            "at least one applicant row",
            "a header only (there is no one to admit or draw)",
        )
        .into());
    }
    let mut errs = InputErrors::default();
    let mut out = Vec::with_capacity(rows.len());
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    // group -> (line, school, unit, priority)
    type Seen = (usize, String, Option<String>, Option<String>);
    let mut groups: BTreeMap<String, Seen> = BTreeMap::new();
    for r in rows {
        let at = format!("line {}", r.line);
        let mut ok = cells_publishable(&r, &SPEC, &file, &at, &mut errs);
        let level = match r.get(5) {
            None => None,
            Some(s) => match parse_level(s) {
                Some(l) => Some(l),
                None => {
                    errs.push(
                        InputError::new(
                            &file,
                            "primary or junior (小学, 初中)",
                            format!("\"{s}\""),
                        )
                        .at(&at)
                        .field("level"),
                    );
                    ok = false;
                    None
                }
            },
        };
        if !ok {
            continue;
        }
        let row = AdmitRow {
            line: r.line,
            applicant_id: r.get(0).unwrap_or_default().to_string(),
            school_id: r.get(1).unwrap_or_default().to_string(),
            group: r.get(2).map(str::to_string),
            priority: r.get(3).map(str::to_string),
            unit_id: r.get(4).map(str::to_string),
            level,
        };
        if let Some(line) = ids.get(&row.applicant_id) {
            errs.push(
                InputError::new(
                    &file,
                    "each application number once (one application per child)",
                    format!("\"{}\" again (first on line {line})", row.applicant_id),
                )
                .at(&at)
                .field("applicant_id"),
            );
            continue;
        }
        ids.insert(row.applicant_id.clone(), row.line);
        if let Some(g) = &row.group {
            match groups.get(g) {
                None => {
                    groups.insert(
                        g.clone(),
                        (
                            row.line,
                            row.school_id.clone(),
                            row.unit_id.clone(),
                            row.priority.clone(),
                        ),
                    );
                }
                Some((line, school, unit, priority)) => {
                    let show = |v: &Option<String>, none: &str| {
                        v.as_ref().map_or(none.to_string(), |v| format!("\"{v}\""))
                    };
                    let differs = if *school != row.school_id {
                        Some((
                            "school_id",
                            "school",
                            format!("\"{school}\""),
                            format!("\"{}\"", row.school_id),
                        ))
                    } else if *unit != row.unit_id {
                        Some((
                            "unit_id",
                            "household",
                            show(unit, "no unit"),
                            show(&row.unit_id, "no unit"),
                        ))
                    } else if *priority != row.priority {
                        Some((
                            "priority",
                            "priority",
                            show(priority, "no priority"),
                            show(&row.priority, "no priority"),
                        ))
                    } else {
                        None
                    };
                    if let Some((field, what, first, found)) = differs {
                        errs.push(
                            InputError::new(
                                &file,
                                format!(
                                    "every member of multiple-birth group \"{g}\" with one {what} \
                                     (the group holds one ticket), as on line {line}: {first}"
                                ),
                                found,
                            )
                            .at(&at)
                            .field(field),
                        );
                        continue;
                    }
                }
            }
        }
        out.push(row);
    }
    errs.into_result(out)
}
