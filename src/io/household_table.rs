//! Household tables: the facts of `households.geojson` one child per row,
//! as a CSV file (UTF-8 with or without BOM, or GBK: see `table`) or an
//! Excel workbook (`.xlsx`, its first sheet, read with calamine).
//!
//! Columns (any order; the Chinese aliases in [`SPEC`] are accepted; other
//! columns, such as a name, are ignored and never read):
//! `household_id,lon,lat,town,village,child_id,birth_date,sex,special_needs,
//! multiple_birth_group,priority,residence`. `household_id`, `lon`, `lat`
//! and `birth_date` are required in every row.
//!
//! The header is the first row that names a column of the contract (rows
//! above it, such as a title, are skipped; it must be within the first 10).
//! Rows of one `household_id` are one unit, in the order the households
//! first appear; their lon/lat (and town and village, where given) must
//! agree, or the error names both rows. Each row's child goes through the
//! GeoJSON reader's child validation (`households::child`): the same
//! rules, the same messages, located by `line N` (CSV) or `sheet "S" row N`
//! (XLSX, the sheet's own row numbers). A column whose name is a refused
//! private field (parents' job or income: `parent_job`, `收入`, `职业`,
//! `工作单位`, ...) refuses the file, naming the column.
//!
//! Values as a clerk types them: birth dates as `YYYY-MM-DD`, `YYYY/M/D`,
//! `YYYY.M.D`, `YYYY年M月D日` or `YYYYMMDD` (a time after the date is
//! dropped), or an Excel date cell (or a serial date number) in a
//! workbook; `special_needs` as true/false, yes/no, 1/0 or 是/否;
//! coordinates as numbers or number text.

use super::error::{InputError, InputErrors, show};
use super::geojson::is_refused_field;
use super::households::child;
use super::table::{Column, Spec, csv_text_from_bytes, header, quoted, records};
use crate::model::{Child, Demand, Unit};
use chrono::{Datelike, NaiveDate};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::Path;

/// What kind of household table a path is, by its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableKind {
    /// `.csv`
    Csv,
    /// `.xlsx` (or `.xlsm`): Office Open XML workbook.
    Xlsx,
    /// Another spreadsheet format (`.xls`, `.et`, `.ods`, ...): refused
    /// with the hint to save as `.xlsx` or CSV UTF-8.
    Other,
}

impl TableKind {
    /// `None`: not a table (read as GeoJSON).
    pub fn of(path: &Path) -> Option<TableKind> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(TableKind::Csv),
            "xlsx" | "xlsm" => Some(TableKind::Xlsx),
            "xls" | "xlsb" | "et" | "ett" | "ods" | "numbers" => Some(TableKind::Other),
            _ => None,
        }
    }
}

const HOUSEHOLD_ID: usize = 0;
const LON: usize = 1;
const LAT: usize = 2;
const TOWN: usize = 3;
const VILLAGE: usize = 4;
const CHILD_ID: usize = 5;
const BIRTH_DATE: usize = 6;
const SEX: usize = 7;
const SPECIAL_NEEDS: usize = 8;
const MULTIPLE_BIRTH_GROUP: usize = 9;
const PRIORITY: usize = 10;
const RESIDENCE: usize = 11;

/// The columns of a household table and their accepted header names.
pub const SPEC: Spec = Spec {
    columns: &[
        Column {
            name: "household_id",
            aliases: &["户编号", "户号", "家庭编号", "单元编号"],
            required: true,
            what: "a household id",
        },
        Column {
            name: "lon",
            aliases: &["经度", "longitude", "lng"],
            required: true,
            what: "a longitude in degrees, e.g. 111.8412",
        },
        Column {
            name: "lat",
            aliases: &["纬度", "latitude"],
            required: true,
            what: "a latitude in degrees, e.g. 38.9123",
        },
        Column {
            name: "town",
            aliases: &["乡镇", "乡镇（街道）", "乡镇(街道)"],
            required: false,
            what: "a town name",
        },
        Column {
            name: "village",
            aliases: &["村", "村社区", "村（社区）", "村(社区)", "社区"],
            required: false,
            what: "a village name",
        },
        Column {
            name: "child_id",
            aliases: &["儿童编号", "学生编号"],
            required: false,
            what: "a child id",
        },
        Column {
            name: "birth_date",
            aliases: &["出生日期", "生日"],
            required: true,
            what: "a birth date YYYY-MM-DD",
        },
        Column {
            name: "sex",
            aliases: &["性别"],
            required: false,
            what: "F or M (女 or 男)",
        },
        Column {
            name: "special_needs",
            aliases: &["特殊需要", "特殊教育需要"],
            required: false,
            what: "true or false",
        },
        Column {
            name: "multiple_birth_group",
            aliases: &["多胞胎组", "多胞胎编号"],
            required: false,
            what: "a multiple-birth group",
        },
        Column {
            name: "priority",
            aliases: &["优先类别", "优先"],
            required: false,
            what: "a priority group",
        },
        Column {
            name: "residence",
            aliases: &["户籍类型", "居住依据"],
            required: false,
            what: "hukou, permit or none (户籍, 居住证 or 无)",
        },
    ],
    other_columns: true,
};

/// One cell of a table, as the file holds it.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Bool(bool),
    /// A cell that holds no usable value (an Excel error such as `#REF!`,
    /// a duration), described for messages.
    Bad(String),
}

impl Cell {
    fn is_empty(&self) -> bool {
        matches!(self, Cell::Empty)
    }

    /// The cell as text (numbers without a fraction as integers).
    fn text(&self) -> Result<Option<String>, String> {
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
    fn show(&self) -> String {
        match self {
            Cell::Empty => "an empty cell".into(),
            Cell::Text(s) => show(&Value::String(s.clone())),
            Cell::Number(f) => number_text(*f),
            Cell::Date(d) => format!("the date {d}"),
            Cell::Bool(b) => b.to_string(),
            Cell::Bad(what) => what.clone(),
        }
    }
}

fn number_text(f: f64) -> String {
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

/// Read and validate a household table.
pub fn read_household_table(
    path: &Path,
    kind: TableKind,
    latest_birth: NaiveDate,
) -> Result<Vec<Unit>, InputErrors> {
    let file = path.display().to_string();
    let bytes = match kind {
        TableKind::Other => Vec::new(),
        _ => std::fs::read(path)
            .map_err(|e| InputError::new(&file, "a readable file", e.to_string()))?,
    };
    household_table_from_bytes(&bytes, &file, kind, latest_birth)
}

/// [`read_household_table`] on the bytes of a file named `file` (for
/// messages; its extension, for [`TableKind::Other`], names the format).
pub fn household_table_from_bytes(
    bytes: &[u8],
    file: &str,
    kind: TableKind,
    latest_birth: NaiveDate,
) -> Result<Vec<Unit>, InputErrors> {
    let path = Path::new(file);
    let file = file.to_string();
    let mut errs = InputErrors::default();
    let rows = match kind {
        TableKind::Csv => csv_rows(bytes, &file, &mut errs)?,
        TableKind::Xlsx => xlsx_rows(bytes, &file)?,
        TableKind::Other => {
            let ext = path
                .extension()
                .map(|e| e.to_string_lossy().into_owned())
                .unwrap_or_default();
            return Err(InputError::new(
                &file,
                "households as a .csv or .xlsx table (or .geojson)",
                format!(
                    "a .{ext} file: in Excel or WPS, save it as \"Excel Workbook (*.xlsx)\" \
                     or \"CSV UTF-8\""
                ),
            )
            .into());
        }
    };
    let units = units_of_rows(&rows, &file, latest_birth, &mut errs);
    errs.into_result(units)
}

/// The rows of a CSV household table; a record's problem is pushed to
/// `errs` and the rest read.
fn csv_rows(bytes: &[u8], file: &str, errs: &mut InputErrors) -> Result<Vec<TableRow>, InputError> {
    let text = csv_text_from_bytes(bytes, file)?;
    let mut rows = Vec::new();
    for rec in records(&text, file) {
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
fn xlsx_rows(bytes: &[u8], file: &str) -> Result<Vec<TableRow>, InputError> {
    use calamine::{Reader, Xlsx};
    let unreadable = |why: String| InputError::new(file, "a readable .xlsx workbook", why);
    // calamine is third-party code run on untrusted bytes: a panic on a
    // corrupt file is a refused input, not a crash.
    let read = std::panic::catch_unwind(|| -> Result<_, String> {
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes))
            .map_err(|e: calamine::XlsxError| e.to_string())?;
        let Some(name) = book.sheet_names().first().cloned() else {
            return Ok(None);
        };
        let range = book.worksheet_range(&name).map_err(|e| e.to_string())?;
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
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) if s.trim().is_empty() => Cell::Empty,
        Data::String(s) => Cell::Text(s.trim().to_string()),
        Data::Float(f) => Cell::Number(*f),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) if dt.is_datetime() => match dt.as_datetime() {
            Some(t) => Cell::Date(t.date()),
            None => Cell::Bad(format!("a date cell out of range ({})", dt.as_f64())),
        },
        Data::DateTime(dt) => Cell::Bad(format!("a duration ({} days)", dt.as_f64())),
        Data::DateTimeIso(s) => match s.get(..10).and_then(super::households::parse_date) {
            Some(d) => Cell::Date(d),
            None => Cell::Text(s.clone()),
        },
        Data::DurationIso(s) => Cell::Bad(format!("a duration ({s})")),
        Data::Error(e) => Cell::Bad(format!("the Excel error {e}")),
    }
}

/// The header's column of each spec column, and the label of each in
/// messages: the contract name, with the file's own header beside it when
/// that is an alias (`birth_date (出生日期)`).
struct Columns {
    pos: Vec<Option<usize>>,
    labels: Vec<String>,
    width: usize,
}

fn columns(row: &TableRow, file: &str) -> Result<Columns, InputError> {
    let names: Vec<String> = row
        .cells
        .iter()
        .map(|c| c.text().ok().flatten().unwrap_or_default())
        .collect();
    let width = names.len() - names.iter().rev().take_while(|c| c.is_empty()).count();
    let names = &names[..width];
    if let Some(k) = names.iter().find(|k| is_refused_field(k)) {
        return Err(InputError::new(
            file,
            "no parents' job or income data (the enrollment rules forbid collecting it; \
             delete the column)",
            format!("a column named \"{k}\""),
        )
        .at(&row.at)
        .field(k.as_str()));
    }
    let cells: Vec<&str> = names.iter().map(String::as_str).collect();
    let pos = header(&cells, &SPEC, file, &row.at)?;
    let labels = SPEC
        .columns
        .iter()
        .zip(&pos)
        .map(|(c, p)| match p {
            Some(i) if !cells[*i].eq_ignore_ascii_case(c.name) => {
                format!("{} ({})", c.name, cells[*i])
            }
            _ => c.name.to_string(),
        })
        .collect();
    let ignored: Vec<&str> = (0..width)
        .filter(|i| !pos.contains(&Some(*i)))
        .map(|i| cells[i])
        .collect();
    if !ignored.is_empty() {
        eprintln!(
            "note: {file}: columns not read (not in the household table contract): {}",
            quoted(&ignored)
        );
    }
    Ok(Columns { pos, labels, width })
}

/// How many rows from the top may hold the header (a title above it).
const HEADER_SEARCH_ROWS: usize = 10;

/// Whether a row has a cell that is a column name of the contract.
fn names_a_column(row: &TableRow) -> bool {
    row.cells.iter().any(|c| {
        c.text().ok().flatten().is_some_and(|t| {
            let t = t.to_lowercase();
            SPEC.columns
                .iter()
                .any(|col| col.name == t || col.aliases.contains(&t.as_str()))
        })
    })
}

/// A household as its rows build it.
struct Building {
    id: String,
    lon: f64,
    lat: f64,
    at: String,
    town: Option<(String, String)>,
    village: Option<(String, String)>,
    children: Vec<Child>,
}

/// One validated row.
struct RowFacts {
    household: String,
    lon: f64,
    lat: f64,
    town: Option<String>,
    village: Option<String>,
    child: Child,
}

fn units_of_rows(
    rows: &[TableRow],
    file: &str,
    latest_birth: NaiveDate,
    errs: &mut InputErrors,
) -> Vec<Unit> {
    // The header: the first row naming a column of the contract, among the
    // first few (rows above it, such as a sheet's title, are skipped).
    let start = rows
        .iter()
        .take(HEADER_SEARCH_ROWS)
        .position(names_a_column)
        .unwrap_or(0);
    let Some((head, data)) = rows[start.min(rows.len())..].split_first() else {
        if errs.is_empty() {
            errs.push(InputError::new(
                file,
                "a header row with columns household_id, lon, lat and birth_date \
                 (or their Chinese names) and a row per child",
                "an empty table",
            ));
        }
        return Vec::new();
    };
    let cols = match columns(head, file) {
        Ok(c) => c,
        Err(e) => {
            errs.push(e);
            return Vec::new();
        }
    };
    if data.is_empty() && errs.is_empty() {
        errs.push(
            InputError::new(file, "a row per child after the header", "the header only")
                .at(&head.at),
        );
    }
    let mut units: Vec<Building> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut child_ids: HashMap<String, String> = HashMap::new();
    for row in data {
        let f = match row_facts(row, &cols, file, latest_birth) {
            Ok(f) => f,
            Err(e) => {
                errs.push(e);
                continue;
            }
        };
        let err = |field: usize, expected: String, found: String| {
            InputError::new(file, expected, found)
                .at(&row.at)
                .field(cols.labels[field].as_str())
        };
        if let Some(cid) = &f.child.id {
            if let Some(first) = child_ids.get(cid) {
                errs.push(err(
                    CHILD_ID,
                    "a child id unique in the file".into(),
                    format!("\"{cid}\", also on {first}"),
                ));
                continue;
            }
            child_ids.insert(cid.clone(), row.at.clone());
        }
        let Some(&k) = by_id.get(&f.household) else {
            by_id.insert(f.household.clone(), units.len());
            units.push(Building {
                id: f.household,
                lon: f.lon,
                lat: f.lat,
                at: row.at.clone(),
                town: f.town.map(|t| (t, row.at.clone())),
                village: f.village.map(|v| (v, row.at.clone())),
                children: vec![f.child],
            });
            continue;
        };
        let u = &mut units[k];
        if (f.lon, f.lat) != (u.lon, u.lat) {
            let field = if f.lon != u.lon { LON } else { LAT };
            errs.push(err(
                field,
                format!(
                    "the same lon, lat on every row of household \"{}\" (as on {}: [{}, {}])",
                    u.id, u.at, u.lon, u.lat
                ),
                format!("[{}, {}]", f.lon, f.lat),
            ));
            continue;
        }
        let clash = [(TOWN, &f.town, &u.town), (VILLAGE, &f.village, &u.village)]
            .into_iter()
            .find_map(|(field, new, old)| match (new, old) {
                (Some(n), Some((o, at))) if n != o => Some(err(
                    field,
                    format!(
                        "the same {} on every row of household \"{}\" (as on {at}: \"{o}\")",
                        SPEC.columns[field].name, u.id
                    ),
                    format!("\"{n}\""),
                )),
                _ => None,
            });
        if let Some(e) = clash {
            errs.push(e);
            continue;
        }
        if u.town.is_none() {
            u.town = f.town.map(|t| (t, row.at.clone()));
        }
        if u.village.is_none() {
            u.village = f.village.map(|v| (v, row.at.clone()));
        }
        u.children.push(f.child);
    }
    units
        .into_iter()
        .map(|b| Unit {
            id: b.id,
            lon: b.lon,
            lat: b.lat,
            town: b.town.map(|t| t.0),
            village: b.village.map(|v| v.0),
            demand: Demand::Children(b.children),
        })
        .collect()
}

fn row_facts(
    row: &TableRow,
    cols: &Columns,
    file: &str,
    latest_birth: NaiveDate,
) -> Result<RowFacts, InputError> {
    let at = row.at.as_str();
    if let Some(extra) = row
        .cells
        .iter()
        .skip(cols.width)
        .position(|c| !c.is_empty())
    {
        let used = row.cells.len() - row.cells.iter().rev().take_while(|c| c.is_empty()).count();
        return Err(InputError::new(
            file,
            format!("{} columns, as in the header", cols.width),
            format!(
                "{used} columns: {} in a column without a header",
                row.cells[cols.width + extra].show()
            ),
        )
        .at(at));
    }
    let label = |k: usize| cols.labels[k].as_str();
    let cell = |k: usize| -> &Cell {
        cols.pos[k]
            .and_then(|i| row.cells.get(i))
            .unwrap_or(&Cell::Empty)
    };
    let err = |k: usize, expected: &str, found: String| {
        InputError::new(file, expected, found)
            .at(at)
            .field(label(k))
    };
    let required = |k: usize| -> Result<&Cell, InputError> {
        match cell(k) {
            Cell::Empty => Err(err(k, SPEC.columns[k].what, "an empty value".into())),
            c => Ok(c),
        }
    };
    let text = |k: usize| -> Result<Option<String>, InputError> {
        cell(k)
            .text()
            .map_err(|bad| err(k, SPEC.columns[k].what, bad))
    };
    let household = match text(HOUSEHOLD_ID)? {
        Some(id) => id,
        None => return Err(err(HOUSEHOLD_ID, "a household id", "an empty value".into())),
    };
    let lon = degrees(required(LON)?, 180.0)
        .map_err(|found| err(LON, "a longitude in -180..180 (degrees east)", found))?;
    let lat = degrees(required(LAT)?, 90.0).map_err(|found| {
        let hint = if (-180.0..=180.0).contains(&lon) && lon.abs() <= 90.0 {
            " (lat and lon swapped?)"
        } else {
            ""
        };
        err(
            LAT,
            "a latitude in -90..90 (degrees north)",
            format!("{found}{hint}"),
        )
    })?;
    let town = text(TOWN)?;
    let village = text(VILLAGE)?;

    // The child as a JSON object for the GeoJSON reader's validation.
    let mut o = Map::new();
    let birth = match required(BIRTH_DATE)? {
        Cell::Date(d) => Value::String(d.format("%Y-%m-%d").to_string()),
        Cell::Text(s) => Value::String(normalize_date(s).unwrap_or_else(|| s.clone())),
        Cell::Number(f) => match serial_or_compact_date(*f) {
            Some(d) => Value::String(d.format("%Y-%m-%d").to_string()),
            None => Value::String(number_text(*f)),
        },
        c => return Err(err(BIRTH_DATE, "a date YYYY-MM-DD", c.show())),
    };
    o.insert("birth_date".into(), birth);
    let special = match cell(SPECIAL_NEEDS) {
        Cell::Empty => None,
        Cell::Bool(b) => Some(*b),
        Cell::Number(f) if *f == 1.0 || *f == 0.0 => Some(*f == 1.0),
        Cell::Text(s) => yes_no(s),
        _ => None,
    };
    match (special, cell(SPECIAL_NEEDS)) {
        (Some(b), _) => {
            o.insert("special_needs".into(), Value::Bool(b));
        }
        (None, Cell::Empty) => {}
        (None, c) => {
            return Err(err(
                SPECIAL_NEEDS,
                "true or false (also yes/no, 1/0, 是/否)",
                c.show(),
            ));
        }
    }
    for (k, key) in [
        (CHILD_ID, "id"),
        (SEX, "sex"),
        (MULTIPLE_BIRTH_GROUP, "multiple_birth_group"),
        (PRIORITY, "priority"),
        (RESIDENCE, "residence"),
    ] {
        if let Some(v) = text(k)? {
            o.insert(key.into(), Value::String(v));
        }
    }
    let key_label = |key: &str| -> String {
        let k = match key {
            "id" => CHILD_ID,
            "birth_date" => BIRTH_DATE,
            "sex" => SEX,
            "special_needs" => SPECIAL_NEEDS,
            "multiple_birth_group" => MULTIPLE_BIRTH_GROUP,
            "priority" => PRIORITY,
            "residence" => RESIDENCE,
            other => return other.to_string(),
        };
        label(k).to_string()
    };
    let child = child(&o, file, at, &key_label, latest_birth)?;
    Ok(RowFacts {
        household,
        lon,
        lat,
        town,
        village,
        child,
    })
}

/// A coordinate in -limit..=limit from a number or number text.
fn degrees(c: &Cell, limit: f64) -> Result<f64, String> {
    let v = match c {
        Cell::Number(f) => Some(*f),
        Cell::Text(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    match v {
        Some(v) if v.is_finite() && (-limit..=limit).contains(&v) => Ok(v),
        Some(v) if v.is_finite() => Err(number_text(v)),
        _ => Err(format!("{} (not a number of degrees)", c.show())),
    }
}

fn yes_no(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "是" | "有" => Some(true),
        "false" | "no" | "n" | "0" | "否" | "无" => Some(false),
        _ => None,
    }
}

/// A birth date typed year first, as `YYYY-MM-DD` (`None` if it is not
/// one of the accepted forms or not a real date).
pub fn normalize_date(s: &str) -> Option<String> {
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
    let date = NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?;
    Some(date.format("%Y-%m-%d").to_string())
}

/// A number in a birth-date cell: `YYYYMMDD` typed as a number, or an
/// Excel serial date (1900 date system) that lost its date format.
fn serial_or_compact_date(f: f64) -> Option<NaiveDate> {
    if f.fract() != 0.0 {
        return None;
    }
    if (10_000_101.0..=99_991_231.0).contains(&f) {
        return normalize_date(&number_text(f)).and_then(|s| super::households::parse_date(&s));
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
        for (typed, want) in [
            ("2017-03-15", Some("2017-03-15")),
            ("2017/3/15", Some("2017-03-15")),
            ("2017.03.05", Some("2017-03-05")),
            ("2017年3月15日", Some("2017-03-15")),
            ("20170315", Some("2017-03-15")),
            ("2017/3/15 0:00:00", Some("2017-03-15")),
            ("2017-03-15T00:00", Some("2017-03-15")),
            ("2017/2/30", None),
            ("15/03/2017", None),
            ("17-3-15", None),
            ("2017-3", None),
            ("", None),
        ] {
            assert_eq!(normalize_date(typed).as_deref(), want, "{typed}");
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

    #[test]
    fn kinds_by_extension() {
        assert_eq!(TableKind::of(Path::new("a/户籍.CSV")), Some(TableKind::Csv));
        assert_eq!(TableKind::of(Path::new("h.xlsx")), Some(TableKind::Xlsx));
        assert_eq!(TableKind::of(Path::new("h.xls")), Some(TableKind::Other));
        assert_eq!(TableKind::of(Path::new("h.geojson")), None);
        assert_eq!(TableKind::of(Path::new("h")), None);
    }
}
