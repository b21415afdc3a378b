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
//! GeoJSON reader's child checks (`record::ChildRecord`): the same
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

use super::cells::{
    Cell, TableRow, csv_rows, number_text, serial_or_compact_date, typed_date, xlsx_rows,
};
use super::record::{ChildKey, ChildRecord, Field, Place, parse_date};
use crate::io::error::{InputError, InputErrors, show_text};
use crate::io::geojson::is_refused_field;
use crate::io::noted::Noted;
use crate::io::table::{Column, Spec, header, header_again, is_header_again, quoted, read_bytes};
use crate::io::text::{TextKind, check_text};
use crate::model::{Child, Demand, Unit};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::fmt;
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

/// Read and validate a household table. Noted: how a CSV file not in
/// UTF-8 was decoded, and the columns not read.
pub fn read_household_table(
    path: &Path,
    kind: TableKind,
    latest_birth: NaiveDate,
) -> Noted<Vec<Unit>> {
    let file = path.display().to_string();
    let bytes = match kind {
        TableKind::Other => Vec::new(),
        _ => match read_bytes(path, &file) {
            Ok(b) => b,
            Err(e) => return Noted::failed(e),
        },
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
) -> Noted<Vec<Unit>> {
    let mut errs = InputErrors::default();
    let mut notes = Vec::new();
    let rows = match kind {
        TableKind::Csv => csv_rows(bytes, file, &mut errs, &mut notes),
        TableKind::Xlsx => xlsx_rows(bytes, file),
        TableKind::Other => Err(not_a_table(file)),
    };
    let result = match rows {
        Ok(rows) => {
            let units = units_of_rows(&rows, file, latest_birth, &mut errs, &mut notes);
            errs.into_result(units)
        }
        Err(e) => Err(e.into()),
    };
    Noted { result, notes }
}

/// The refusal of another spreadsheet format, with how to save it as one
/// that is read.
fn not_a_table(file: &str) -> InputError {
    let ext = Path::new(file)
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_default();
    InputError::new(
        file,
        "households as a .csv or .xlsx table (or .geojson)",
        format!(
            "a .{ext} file: in Excel or WPS, save it as \"Excel Workbook (*.xlsx)\" \
             or \"CSV UTF-8\""
        ),
    )
}

/// The header's column of each spec column, and the label of each in
/// messages: the contract name, with the file's own header beside it when
/// that is an alias (`birth_date (出生日期)`).
struct Columns {
    pos: Vec<Option<usize>>,
    labels: Vec<String>,
    width: usize,
}

/// The columns a header row names; the columns it has that are not in the
/// contract are noted (never read).
fn columns(row: &TableRow, file: &str, notes: &mut Vec<String>) -> Result<Columns, InputError> {
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
        notes.push(format!(
            "{file}: columns not read (not in the household table contract): {}",
            quoted(&ignored)
        ));
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

/// One row's household: its id, where it is, and its town and village
/// where the row gives them.
struct RowHousehold {
    id: String,
    lon: f64,
    lat: f64,
    town: Option<String>,
    village: Option<String>,
}

/// One validated row: a child of a household.
struct RowFacts {
    household: RowHousehold,
    child: Child,
}

/// The units of a table's rows: the header found, then each data row
/// checked and added to its household. A row's problem is pushed to `errs`
/// and the rest read.
fn units_of_rows(
    rows: &[TableRow],
    file: &str,
    latest_birth: NaiveDate,
    errs: &mut InputErrors,
    notes: &mut Vec<String>,
) -> Vec<Unit> {
    let Some((head, data, cols)) = header_and_data(rows, file, errs, notes) else {
        return Vec::new();
    };
    if data.is_empty() && errs.is_empty() {
        errs.push(
            InputError::new(file, "a row per child after the header", "the header only")
                .at(&head.at),
        );
    }
    let mut households = Households::default();
    let head_texts = used_texts(head);
    for row in data {
        let texts = used_texts(row);
        let cells: Vec<&str> = texts.iter().map(String::as_str).collect();
        if is_header_again(&head_texts, &cells) {
            errs.push(header_again(file, &row.at));
            continue;
        }
        let added = row_facts(row, &cols, file, latest_birth)
            .and_then(|f| households.add(f, row, &cols, file));
        if let Err(e) = added {
            errs.push(e);
        }
    }
    households.into_units()
}

/// A row's cells as text, up to its last non-empty one.
fn used_texts(row: &TableRow) -> Vec<String> {
    let mut texts: Vec<String> = row
        .cells
        .iter()
        .map(|c| c.text().ok().flatten().unwrap_or_default())
        .collect();
    while texts.last().is_some_and(String::is_empty) {
        texts.pop();
    }
    texts
}

/// The header row, the rows after it and the columns it names. The header
/// is the first row naming a column of the contract, among the first few
/// (rows above it, such as a sheet's title, are skipped).
fn header_and_data<'r>(
    rows: &'r [TableRow],
    file: &str,
    errs: &mut InputErrors,
    notes: &mut Vec<String>,
) -> Option<(&'r TableRow, &'r [TableRow], Columns)> {
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
        return None;
    };
    match columns(head, file, notes) {
        Ok(cols) => Some((head, data, cols)),
        Err(e) => {
            errs.push(e);
            None
        }
    }
}

/// A household as its rows build it: where its first row is, and the row
/// that first gave its town and village (to name both rows of a clash).
struct Building {
    id: String,
    lon: f64,
    lat: f64,
    at: String,
    town: Option<(String, String)>,
    village: Option<(String, String)>,
    children: Vec<Child>,
}

/// The households of a table in the order they first appear, and the row
/// of each child id seen.
#[derive(Default)]
struct Households {
    units: Vec<Building>,
    by_id: HashMap<String, usize>,
    child_ids: HashMap<String, String>,
}

impl Households {
    /// Add a row's child to its household; refused if its child id was seen
    /// before, or if it places the household elsewhere than its first row
    /// (lon, lat, town, village).
    fn add(
        &mut self,
        f: RowFacts,
        row: &TableRow,
        cols: &Columns,
        file: &str,
    ) -> Result<(), InputError> {
        let err = |field: usize, expected: String, found: String| {
            InputError::new(file, expected, found)
                .at(&row.at)
                .field(cols.labels[field].as_str())
        };
        if let Some(cid) = &f.child.id {
            if let Some(first) = self.child_ids.get(cid) {
                return Err(err(
                    CHILD_ID,
                    "a child id unique in the file".into(),
                    format!("\"{cid}\", also on {first}"),
                ));
            }
            self.child_ids.insert(cid.clone(), row.at.clone());
        }
        let h = f.household;
        let Some(&k) = self.by_id.get(&h.id) else {
            self.by_id.insert(h.id.clone(), self.units.len());
            self.units.push(Building {
                id: h.id,
                lon: h.lon,
                lat: h.lat,
                at: row.at.clone(),
                town: h.town.map(|t| (t, row.at.clone())),
                village: h.village.map(|v| (v, row.at.clone())),
                children: vec![f.child],
            });
            return Ok(());
        };
        let u = &mut self.units[k];
        if (h.lon, h.lat) != (u.lon, u.lat) {
            let field = if h.lon != u.lon { LON } else { LAT };
            return Err(err(
                field,
                format!(
                    "the same lon, lat on every row of household \"{}\" (as on {}: [{}, {}])",
                    u.id, u.at, u.lon, u.lat
                ),
                format!("[{}, {}]", h.lon, h.lat),
            ));
        }
        for (field, new, old) in [(TOWN, &h.town, &u.town), (VILLAGE, &h.village, &u.village)] {
            if let (Some(n), Some((o, at))) = (new, old)
                && n != o
            {
                return Err(err(
                    field,
                    format!(
                        "the same {} on every row of household \"{}\" (as on {at}: \"{o}\")",
                        SPEC.columns[field].name, u.id
                    ),
                    format!("\"{n}\""),
                ));
            }
        }
        if u.town.is_none() {
            u.town = h.town.map(|t| (t, row.at.clone()));
        }
        if u.village.is_none() {
            u.village = h.village.map(|v| (v, row.at.clone()));
        }
        u.children.push(f.child);
        Ok(())
    }

    fn into_units(self) -> Vec<Unit> {
        self.units
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
}

/// One data row's cells by the header's columns, for messages located at
/// the row and named by the column's label.
struct RowCells<'a> {
    row: &'a TableRow,
    cols: &'a Columns,
    file: &'a str,
}

impl RowCells<'_> {
    fn cell(&self, k: usize) -> &Cell {
        self.cols.pos[k]
            .and_then(|i| self.row.cells.get(i))
            .unwrap_or(&Cell::Empty)
    }

    fn err(&self, k: usize, expected: &str, found: String) -> InputError {
        InputError::new(self.file, expected, found)
            .at(&self.row.at)
            .field(self.cols.labels[k].as_str())
    }

    /// A cell a row must fill.
    fn required(&self, k: usize) -> Result<&Cell, InputError> {
        match self.cell(k) {
            Cell::Empty => Err(self.err(k, SPEC.columns[k].what, "an empty value".into())),
            c => Ok(c),
        }
    }

    /// A cell as text; an unusable cell (an Excel error) is refused.
    fn text(&self, k: usize) -> Result<Option<String>, InputError> {
        let text = self
            .cell(k)
            .text()
            .map_err(|bad| self.err(k, SPEC.columns[k].what, bad.0))?;
        if let Some(t) = &text {
            let kind = TextKind::of_name(SPEC.columns[k].name);
            check_text(
                t.trim(),
                kind,
                self.file,
                &self.row.at,
                &self.cols.labels[k],
            )?;
        }
        Ok(text)
    }

    /// A cell as a child's text field.
    fn child_text(&self, k: usize) -> Result<Field<String>, InputError> {
        Ok(self.text(k)?.map_or(Field::Absent, Field::Given))
    }
}

/// A row checked: no value past the header's columns, then its household,
/// then its child by the rules `households.geojson` shares.
fn row_facts(
    row: &TableRow,
    cols: &Columns,
    file: &str,
    latest_birth: NaiveDate,
) -> Result<RowFacts, InputError> {
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
        .at(&row.at));
    }
    let cells = RowCells { row, cols, file };
    let household = row_household(&cells)?;
    let field = |key: ChildKey| cols.labels[child_column(key)].clone();
    let place = Place {
        file,
        at: &row.at,
        field: &field,
    };
    let child = child_record(&cells)?.check(&place, latest_birth)?;
    Ok(RowFacts { household, child })
}

/// The household columns of a row.
fn row_household(cells: &RowCells) -> Result<RowHousehold, InputError> {
    let id = match cells.text(HOUSEHOLD_ID)? {
        Some(id) => id,
        None => {
            return Err(cells.err(HOUSEHOLD_ID, "a household id", "an empty value".into()));
        }
    };
    let lon = degrees(cells.required(LON)?, 180.0).map_err(|found| {
        cells.err(
            LON,
            "a longitude in -180..180 (degrees east)",
            found.to_string(),
        )
    })?;
    let lat = degrees(cells.required(LAT)?, 90.0).map_err(|found| {
        let hint = if (-180.0..=180.0).contains(&lon) && lon.abs() <= 90.0 {
            " (lat and lon swapped?)"
        } else {
            ""
        };
        cells.err(
            LAT,
            "a latitude in -90..90 (degrees north)",
            format!("{found}{hint}"),
        )
    })?;
    Ok(RowHousehold {
        id,
        lon,
        lat,
        town: cells.text(TOWN)?,
        village: cells.text(VILLAGE)?,
    })
}

/// The child columns of a row as a record. Cells no child field can hold
/// (a date cell that is not a date, special needs not yes or no, an Excel
/// error) are refused here, before the record's own checks.
fn child_record(cells: &RowCells) -> Result<ChildRecord, InputError> {
    let birth_date = match cells.required(BIRTH_DATE)? {
        Cell::Date(d) => Field::Given(*d),
        Cell::Text(s) => typed_birth_date(s),
        Cell::Number(f) => match serial_or_compact_date(*f) {
            Some(d) => Field::Given(d),
            None => typed_birth_date(&number_text(*f)),
        },
        c => return Err(cells.err(BIRTH_DATE, "a date YYYY-MM-DD", c.show())),
    };
    let special_needs = match cells.cell(SPECIAL_NEEDS) {
        Cell::Empty => Field::Absent,
        Cell::Bool(b) => Field::Given(*b),
        Cell::Number(f) if *f == 1.0 || *f == 0.0 => Field::Given(*f == 1.0),
        c => match c {
            Cell::Text(s) => yes_no(s).map(Field::Given),
            _ => None,
        }
        .ok_or_else(|| {
            cells.err(
                SPECIAL_NEEDS,
                "true or false (also yes/no, 1/0, 是/否)",
                c.show(),
            )
        })?,
    };
    // In the columns' order: the first unusable cell is the one refused.
    let id = cells.child_text(CHILD_ID)?;
    let sex = cells.child_text(SEX)?;
    let multiple_birth_group = cells.child_text(MULTIPLE_BIRTH_GROUP)?;
    let priority = cells.child_text(PRIORITY)?;
    let residence = cells.child_text(RESIDENCE)?;
    Ok(ChildRecord {
        id,
        birth_date,
        sex,
        special_needs,
        multiple_birth_group,
        priority,
        residence,
    })
}

/// A birth date typed as text: a form a clerk types, or the contract's
/// own `YYYY-MM-DD`; else the text, refused by the record's check.
fn typed_birth_date(s: &str) -> Field<NaiveDate> {
    match typed_date(s).or_else(|| parse_date(s)) {
        Some(d) => Field::Given(d),
        None => Field::Wrong(show_text(s)),
    }
}

/// The table column of a child's key.
fn child_column(key: ChildKey) -> usize {
    match key {
        ChildKey::Id => CHILD_ID,
        ChildKey::BirthDate => BIRTH_DATE,
        ChildKey::Sex => SEX,
        ChildKey::SpecialNeeds => SPECIAL_NEEDS,
        ChildKey::MultipleBirthGroup => MULTIPLE_BIRTH_GROUP,
        ChildKey::Priority => PRIORITY,
        ChildKey::Residence => RESIDENCE,
    }
}

/// A cell that is not a coordinate: out of range, or not a number.
#[derive(Clone, Debug, PartialEq)]
enum NotDegrees {
    OutOfRange(f64),
    NotANumber(String),
}

impl fmt::Display for NotDegrees {
    /// What was found, for the message.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotDegrees::OutOfRange(v) => f.write_str(&number_text(*v)),
            NotDegrees::NotANumber(shown) => write!(f, "{shown} (not a number of degrees)"),
        }
    }
}

impl std::error::Error for NotDegrees {}

/// A coordinate in -limit..=limit from a number or number text.
fn degrees(c: &Cell, limit: f64) -> Result<f64, NotDegrees> {
    let v = match c {
        Cell::Number(f) => Some(*f),
        Cell::Text(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    match v {
        Some(v) if v.is_finite() && (-limit..=limit).contains(&v) => Ok(v),
        Some(v) if v.is_finite() => Err(NotDegrees::OutOfRange(v)),
        _ => Err(NotDegrees::NotANumber(c.show())),
    }
}

fn yes_no(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "是" | "有" => Some(true),
        "false" | "no" | "n" | "0" | "否" | "无" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_extension() {
        assert_eq!(TableKind::of(Path::new("a/户籍.CSV")), Some(TableKind::Csv));
        assert_eq!(TableKind::of(Path::new("h.xlsx")), Some(TableKind::Xlsx));
        assert_eq!(TableKind::of(Path::new("h.xls")), Some(TableKind::Other));
        assert_eq!(TableKind::of(Path::new("h.geojson")), None);
        assert_eq!(TableKind::of(Path::new("h")), None);
    }
}
