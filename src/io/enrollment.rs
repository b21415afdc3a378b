//! `enrollment.csv` (`year,school_id,grade,students`), `births.csv`
//! (`year,births[,area]`) and `housing.csv`
//! (`year,unit_id|school_id,new_dwellings[,dwelling_type]`): what the
//! forecast and its backtest work from. Chinese header aliases accepted; other columns (such as a school
//! name) are ignored. Every bad value is located by line and field.

use super::error::{InputError, InputErrors};
use super::noted::Noted;
use super::table::{Column, Row, Spec, read_bytes, table_from_bytes};
use std::collections::HashMap;
use std::path::Path;

/// One row of `enrollment.csv`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnrollmentRow {
    pub line: usize,
    pub year: i32,
    pub school_id: String,
    /// 0 = kindergarten where a system has one, 1-12.
    pub grade: u32,
    pub students: u32,
}

/// One row of `births.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct BirthsRow {
    pub line: usize,
    pub year: i32,
    pub births: f64,
    pub area: Option<String>,
}

const ENROLLMENT: Spec = Spec {
    columns: &[
        Column {
            name: "year",
            aliases: &["年份", "学年"],
            required: true,
            what: "a year, e.g. 2023",
        },
        Column {
            name: "school_id",
            aliases: &["学校编号"],
            required: true,
            what: "a school id",
        },
        Column {
            name: "grade",
            aliases: &["年级"],
            required: true,
            what: "a grade 0-12",
        },
        Column {
            name: "students",
            aliases: &["学生数", "人数"],
            required: true,
            what: "a number of students",
        },
    ],
    other_columns: true,
};

const BIRTHS: Spec = Spec {
    columns: &[
        Column {
            name: "year",
            aliases: &["年份"],
            required: true,
            what: "a year, e.g. 2023",
        },
        Column {
            name: "births",
            aliases: &["出生人数", "出生数"],
            required: true,
            what: "a number of births",
        },
        Column {
            name: "area",
            aliases: &["地区", "乡镇"],
            required: false,
            what: "an area name",
        },
    ],
    other_columns: true,
};

/// One row of `housing.csv`: dwellings completed in a year, located by a
/// unit (households.geojson `id`) or directly by a school.
#[derive(Clone, Debug, PartialEq)]
pub struct HousingRow {
    pub line: usize,
    pub year: i32,
    pub unit_id: Option<String>,
    pub school_id: Option<String>,
    pub dwellings: f64,
    pub dwelling_type: Option<String>,
}

const HOUSING: Spec = Spec {
    columns: &[
        Column {
            name: "year",
            aliases: &["年份", "交付年份"],
            required: true,
            what: "the year the dwellings are completed, e.g. 2025",
        },
        Column {
            name: "unit_id",
            aliases: &["单元编号", "小区编号"],
            required: false,
            what: "a unit id (households.geojson `id`)",
        },
        Column {
            name: "school_id",
            aliases: &["学校编号"],
            required: false,
            what: "a school id",
        },
        Column {
            name: "new_dwellings",
            aliases: &["新增住房", "住房套数", "套数"],
            required: true,
            what: "a number of new dwellings",
        },
        Column {
            name: "dwelling_type",
            aliases: &["住房类型", "类型"],
            required: false,
            what: "a dwelling type named in [forecast] housing_yield",
        },
    ],
    other_columns: true,
};

/// Read `housing.csv`: a year, exactly one of `unit_id` and `school_id`,
/// dwellings >= 0.
pub fn read_housing(path: &Path) -> Noted<Vec<HousingRow>> {
    let file = path.display().to_string();
    match read_bytes(path, &file) {
        Ok(bytes) => housing_from_bytes(&bytes, &file),
        Err(e) => Noted::failed(e),
    }
}

/// [`read_housing`] on the bytes of a file named `file` (for messages).
pub fn housing_from_bytes(bytes: &[u8], file: &str) -> Noted<Vec<HousingRow>> {
    table_from_bytes(bytes, file, &HOUSING).and_then(|rows| housing_of_rows(rows, file))
}

/// The checked rows of [`read_housing`].
fn housing_of_rows(rows: Vec<Row>, file: &str) -> Result<Vec<HousingRow>, InputErrors> {
    let file = file.to_string();
    let mut errs = InputErrors::default();
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let s = &HOUSING;
        let year = parse::<i32>(
            r,
            0,
            s,
            &file,
            |y| (1900..=2200).contains(y),
            "a year between 1900 and 2200",
            &mut errs,
        );
        let dwellings = parse::<f64>(
            r,
            3,
            s,
            &file,
            |d| d.is_finite() && *d >= 0.0,
            "a number of dwellings >= 0",
            &mut errs,
        );
        let unit_id = r.get(1).map(str::to_string);
        let school_id = r.get(2).map(str::to_string);
        if unit_id.is_some() == school_id.is_some() {
            errs.push(
                InputError::new(
                    &file,
                    "exactly one of unit_id and school_id",
                    if unit_id.is_some() { "both" } else { "neither" },
                )
                .at(format!("line {}", r.line))
                .field("unit_id"),
            );
            continue;
        }
        let (Some(year), Some(dwellings)) = (year, dwellings) else {
            continue;
        };
        out.push(HousingRow {
            line: r.line,
            year,
            unit_id,
            school_id,
            dwellings,
            dwelling_type: r.get(4).map(str::to_string),
        });
    }
    errs.into_result(out)
}

fn parse<T: std::str::FromStr>(
    r: &Row,
    k: usize,
    spec: &Spec,
    file: &str,
    ok: impl Fn(&T) -> bool,
    expected: &str,
    errs: &mut InputErrors,
) -> Option<T> {
    let v = r.get(k)?;
    match v.parse::<T>() {
        Ok(x) if ok(&x) => Some(x),
        _ => {
            errs.push(
                InputError::new(file, expected, format!("\"{v}\""))
                    .at(format!("line {}", r.line))
                    .field(spec.columns[k].name),
            );
            None
        }
    }
}

/// Read `enrollment.csv`: years 1900-2200, grades 0-12, students >= 0, and
/// no (year, school, grade) twice.
pub fn read_enrollment(path: &Path) -> Noted<Vec<EnrollmentRow>> {
    let file = path.display().to_string();
    match read_bytes(path, &file) {
        Ok(bytes) => enrollment_from_bytes(&bytes, &file),
        Err(e) => Noted::failed(e),
    }
}

/// [`read_enrollment`] on the bytes of a file named `file` (for messages).
pub fn enrollment_from_bytes(bytes: &[u8], file: &str) -> Noted<Vec<EnrollmentRow>> {
    table_from_bytes(bytes, file, &ENROLLMENT).and_then(|rows| enrollment_of_rows(rows, file))
}

/// The checked rows of [`read_enrollment`].
fn enrollment_of_rows(rows: Vec<Row>, file: &str) -> Result<Vec<EnrollmentRow>, InputErrors> {
    let file = file.to_string();
    let mut errs = InputErrors::default();
    let mut out = Vec::with_capacity(rows.len());
    let mut seen: HashMap<(i32, String, u32), usize> = HashMap::new();
    for r in &rows {
        let s = &ENROLLMENT;
        let year = parse::<i32>(
            r,
            0,
            s,
            &file,
            |y| (1900..=2200).contains(y),
            "a year between 1900 and 2200",
            &mut errs,
        );
        let grade = parse::<u32>(
            r,
            2,
            s,
            &file,
            |g| *g <= 12,
            "a grade 0-12 (0 = kindergarten)",
            &mut errs,
        );
        let students = parse::<u32>(
            r,
            3,
            s,
            &file,
            |_| true,
            "a whole number of students >= 0",
            &mut errs,
        );
        let school_id = r.get(1).unwrap_or_default().to_string();
        let (Some(year), Some(grade), Some(students)) = (year, grade, students) else {
            continue;
        };
        if let Some(first) = seen.insert((year, school_id.clone(), grade), r.line) {
            errs.push(
                InputError::new(
                    &file,
                    "one row per year, school and grade",
                    format!("{year}, {school_id}, grade {grade} again (first at line {first})"),
                )
                .at(format!("line {}", r.line)),
            );
            continue;
        }
        out.push(EnrollmentRow {
            line: r.line,
            year,
            school_id,
            grade,
            students,
        });
    }
    if out.is_empty() && errs.is_empty() {
        errs.push(InputError::new(
            &file,
            "at least one row of enrollment",
            "only a header",
        ));
    }
    errs.into_result(out)
}

/// Read `births.csv`: one row per year (and area, when given), births >= 0.
pub fn read_births(path: &Path) -> Noted<Vec<BirthsRow>> {
    let file = path.display().to_string();
    match read_bytes(path, &file) {
        Ok(bytes) => births_from_bytes(&bytes, &file),
        Err(e) => Noted::failed(e),
    }
}

/// [`read_births`] on the bytes of a file named `file` (for messages).
pub fn births_from_bytes(bytes: &[u8], file: &str) -> Noted<Vec<BirthsRow>> {
    table_from_bytes(bytes, file, &BIRTHS).and_then(|rows| births_of_rows(rows, file))
}

/// The checked rows of [`read_births`].
fn births_of_rows(rows: Vec<Row>, file: &str) -> Result<Vec<BirthsRow>, InputErrors> {
    let file = file.to_string();
    let mut errs = InputErrors::default();
    let mut out = Vec::with_capacity(rows.len());
    let mut seen: HashMap<(i32, Option<String>), usize> = HashMap::new();
    for r in &rows {
        let s = &BIRTHS;
        let year = parse::<i32>(
            r,
            0,
            s,
            &file,
            |y| (1900..=2200).contains(y),
            "a year between 1900 and 2200",
            &mut errs,
        );
        let births = parse::<f64>(
            r,
            1,
            s,
            &file,
            |b| b.is_finite() && *b >= 0.0,
            "a number of births >= 0",
            &mut errs,
        );
        let area = r.get(2).map(str::to_string);
        let (Some(year), Some(births)) = (year, births) else {
            continue;
        };
        if let Some(first) = seen.insert((year, area.clone()), r.line) {
            errs.push(
                InputError::new(
                    &file,
                    "one row per year (and area)",
                    format!("{year} again (first at line {first})"),
                )
                .at(format!("line {}", r.line)),
            );
            continue;
        }
        out.push(BirthsRow {
            line: r.line,
            year,
            births,
            area,
        });
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
            .expect("temp");
        f.write_all(bytes).expect("write");
        f
    }

    fn errors(r: Result<impl std::fmt::Debug, InputErrors>) -> Vec<String> {
        r.expect_err("invalid")
            .errors
            .iter()
            .map(|e| e.to_string())
            .collect()
    }

    #[test]
    fn enrollment_reads_with_other_columns_and_chinese_headers() {
        let f = file("\u{feff}year,school_id,school_name,grade,students\r\n2007,0101,Parkside,0,83\r\n2008,0101,Parkside,1,80\r\n".as_bytes());
        let rows = read_enrollment(f.path()).result.unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[1].line, rows[1].year, rows[1].grade, rows[1].students),
            (3, 2008, 1, 80)
        );
        assert_eq!(rows[0].school_id, "0101");
        let f = file("年份,学校编号,年级,学生数\n2023,P01,1,135\n".as_bytes());
        assert_eq!(read_enrollment(f.path()).result.unwrap()[0].students, 135);
    }

    #[test]
    fn enrollment_errors_are_located() {
        let f = file(b"year,school_id,grade,students\n2023,P1,13,5\n2023,P1,1,-4\n23x,P1,1,5\n2023,P1,2,5\n2023,P1,2,6\n");
        let e = errors(read_enrollment(f.path()).result);
        assert_eq!(e.len(), 4, "{e:?}");
        assert!(
            e[0].contains("line 2: field `grade`: expected a grade 0-12"),
            "{e:?}"
        );
        assert!(e[1].contains("line 3: field `students`"), "{e:?}");
        assert!(e[2].contains("line 4: field `year`"), "{e:?}");
        assert!(
            e[3].contains("line 6: expected one row per year, school and grade")
                && e[3].contains("first at line 5"),
            "{e:?}"
        );
        let f = file(b"year,school,grade,students\n");
        assert!(errors(read_enrollment(f.path()).result)[0].contains("school_id"));
        let f = file(b"year,school_id,grade,students\n");
        assert!(errors(read_enrollment(f.path()).result)[0].contains("only a header"));
    }

    #[test]
    fn births_read_and_refuse_negatives_and_repeats() {
        let f = file("年份,出生人数\n2016,1020\n2017,998.5\n".as_bytes());
        let b = read_births(f.path()).result.unwrap();
        assert_eq!(
            (b[1].year, b[1].births, b[1].area.clone()),
            (2017, 998.5, None)
        );
        let f = file(b"year,births,area\n2016,-1,A\n2016,5,A\n2016,6,B\n2016,7,A\n");
        let e = errors(read_births(f.path()).result);
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].contains("line 2: field `births`"));
        assert!(e[1].contains("line 5") && e[1].contains("first at line 3"));
    }
}
