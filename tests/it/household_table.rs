//! Household tables (CSV in UTF-8, UTF-8 with BOM or GBK; XLSX made here
//! with rust_xlsxwriter) read as the equivalent households.geojson, the
//! same plan from each, located errors, and `plan --excel`.

use crate::common::{fixture, outputs, run_in};
use catchment::io::read_households;
use catchment::model::Unit;
use chrono::NaiveDate;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

fn census() -> NaiveDate {
    NaiveDate::from_ymd_opt(2023, 8, 31).expect("date")
}

/// One child row of the synthetic county.
#[derive(Clone, Debug)]
struct Row {
    household: String,
    lon: f64,
    lat: f64,
    town: &'static str,
    village: &'static str,
    child: String,
    birth: NaiveDate,
    sex: &'static str,
    special_needs: bool,
    group: Option<String>,
    priority: Option<&'static str>,
    residence: Option<&'static str>,
}

/// 60 households inside the fixture county, one to three children each,
/// born around the 2023 primary and junior entry cohorts (synthetic).
fn rows() -> Vec<Row> {
    let births = [
        (2017, 3, 15),
        (2011, 5, 20),
        (2016, 9, 1),
        (2017, 8, 31),
        (2014, 6, 1),
        (2010, 12, 24),
        (2017, 9, 1),
        (2011, 8, 31),
        (2016, 11, 30),
        (2019, 2, 2),
    ];
    let towns = [
        ("砚城镇", "东关村"),
        ("砚城镇", "西关村"),
        ("砚城镇", "北关社区"),
        ("前所乡", "前所村"),
    ];
    let mut out = Vec::new();
    let mut k = 0usize;
    for h in 0..60usize {
        let f = h as f64;
        // Six decimals, as a GPS or a map gives them.
        let lon = (111.76 + (f * 0.618_034).fract() * 0.11) * 1e6;
        let lat = (38.875 + (f * 0.414_214).fract() * 0.08) * 1e6;
        let (lon, lat) = (lon.round() / 1e6, lat.round() / 1e6);
        let (town, village) = towns[h % towns.len()];
        for c in 0..(1 + h % 3) {
            let (y, m, d) = births[k % births.len()];
            k += 1;
            out.push(Row {
                household: format!("H{h:02}"),
                lon,
                lat,
                town,
                village,
                child: format!("C{h:02}{c}"),
                birth: NaiveDate::from_ymd_opt(y, m, d).expect("date"),
                sex: ["F", "M", "女", "男"][k % 4],
                special_needs: k.is_multiple_of(17),
                group: (h % 3 == 2 && c < 2).then(|| format!("T{h:02}")),
                priority: k.is_multiple_of(11).then_some("military"),
                residence: [Some("hukou"), Some("permit"), None, Some("户籍")][k % 4],
            });
        }
    }
    out
}

fn geojson(rows: &[Row]) -> String {
    let mut features: Vec<Value> = Vec::new();
    let mut last: Option<&str> = None;
    for r in rows {
        let mut child = json!({
            "id": r.child,
            "birth_date": r.birth.format("%Y-%m-%d").to_string(),
            "sex": r.sex,
            "special_needs": r.special_needs,
        });
        if let Some(g) = &r.group {
            child["multiple_birth_group"] = json!(g);
        }
        if let Some(p) = r.priority {
            child["priority"] = json!(p);
        }
        if let Some(x) = r.residence {
            child["residence"] = json!(x);
        }
        if last == Some(r.household.as_str()) {
            let f = features.last_mut().expect("feature");
            f["properties"]["children"]
                .as_array_mut()
                .expect("children")
                .push(child);
            continue;
        }
        last = Some(&r.household);
        features.push(json!({
            "type": "Feature",
            "properties": {"id": r.household, "town": r.town, "village": r.village, "children": [child]},
            "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
        }));
    }
    serde_json::to_string(&json!({"type": "FeatureCollection", "features": features}))
        .expect("json")
}

/// The table as a clerk's CSV: a title line, Chinese headers in another
/// order, a names column (never read), dates typed `YYYY/M/D`, 是/否.
fn csv(rows: &[Row], eol: &str) -> String {
    let mut s = format!(
        "五寨县适龄儿童登记表（合成数据）,,,{eol}\
         姓名,户编号,儿童编号,出生日期,性别,经度,纬度,乡镇,村,特殊需要,多胞胎组,优先类别,户籍类型{eol}"
    );
    for (i, r) in rows.iter().enumerate() {
        let birth = if i % 2 == 0 {
            r.birth.format("%Y/%-m/%-d").to_string()
        } else {
            r.birth.format("%Y-%m-%d").to_string()
        };
        s.push_str(&format!(
            "某{i},{},{},{birth},{},{},{},{},{},{},{},{},{}{eol}",
            r.household,
            r.child,
            r.sex,
            r.lon,
            r.lat,
            r.town,
            r.village,
            if r.special_needs { "是" } else { "否" },
            r.group.as_deref().unwrap_or(""),
            r.priority.unwrap_or(""),
            r.residence.unwrap_or(""),
        ));
    }
    s
}

/// The table as an Excel workbook: sheet "户籍", a title in row 1, the
/// header in row 2; birth dates as date cells, text and a serial number;
/// special needs as TRUE/FALSE cells.
fn xlsx(rows: &[Row], path: &Path) {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("户籍").expect("name");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    sheet
        .write_string(0, 0, "五寨县适龄儿童登记表（合成数据）")
        .expect("title");
    let header = [
        "household_id",
        "lon",
        "lat",
        "town",
        "village",
        "child_id",
        "出生日期",
        "sex",
        "special_needs",
        "multiple_birth_group",
        "priority",
        "residence",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(1, c as u16, *h).expect("header");
    }
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 2;
        sheet.write_string(row, 0, &r.household).expect("cell");
        sheet.write_number(row, 1, r.lon).expect("cell");
        sheet.write_number(row, 2, r.lat).expect("cell");
        sheet.write_string(row, 3, r.town).expect("cell");
        sheet.write_string(row, 4, r.village).expect("cell");
        sheet.write_string(row, 5, &r.child).expect("cell");
        match i % 3 {
            0 => {
                let d = ExcelDateTime::from_ymd(
                    r.birth.format("%Y").to_string().parse().expect("y"),
                    r.birth.format("%m").to_string().parse().expect("m"),
                    r.birth.format("%d").to_string().parse().expect("d"),
                )
                .expect("date");
                sheet
                    .write_datetime_with_format(row, 6, &d, &date)
                    .expect("cell");
            }
            1 => {
                sheet
                    .write_string(row, 6, r.birth.format("%Y年%-m月%-d日").to_string())
                    .expect("cell");
            }
            _ => {
                // A date cell that lost its format: the serial number.
                let serial = (r.birth - NaiveDate::from_ymd_opt(1899, 12, 30).expect("epoch"))
                    .num_days() as f64;
                sheet.write_number(row, 6, serial).expect("cell");
            }
        }
        sheet.write_string(row, 7, r.sex).expect("cell");
        sheet.write_boolean(row, 8, r.special_needs).expect("cell");
        if let Some(g) = &r.group {
            sheet.write_string(row, 9, g).expect("cell");
        }
        if let Some(p) = r.priority {
            sheet.write_string(row, 10, p).expect("cell");
        }
        if let Some(x) = r.residence {
            sheet.write_string(row, 11, x).expect("cell");
        }
    }
    book.save(path).expect("save xlsx");
}

fn read(path: &Path) -> Vec<Unit> {
    read_households(path, census())
        .result
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn errors(path: &Path) -> Vec<String> {
    let dir = path.parent().expect("dir").display().to_string();
    read_households(path, census())
        .result
        .expect_err("refused")
        .errors
        .iter()
        .map(|e| e.to_string().replace(&format!("{dir}/"), ""))
        .collect()
}

#[test]
fn csv_in_every_encoding_reads_as_the_geojson() {
    let dir = tempfile::tempdir().expect("dir");
    let rows = rows();
    let p = |n: &str| dir.path().join(n);
    fs::write(p("h.geojson"), geojson(&rows)).expect("write");
    let want = read(&p("h.geojson"));
    assert_eq!(want.len(), 60);
    let text = csv(&rows, "\n");
    fs::write(p("utf8.csv"), &text).expect("write");
    fs::write(p("bom.csv"), format!("\u{feff}{}", csv(&rows, "\r\n"))).expect("write");
    let (gbk, _, bad) = encoding_rs::GBK.encode(&text);
    assert!(!bad);
    assert!(
        std::str::from_utf8(&gbk).is_err(),
        "the GBK bytes are not UTF-8"
    );
    fs::write(p("gbk.csv"), &gbk).expect("write");
    for f in ["utf8.csv", "bom.csv", "gbk.csv"] {
        assert_eq!(read(&p(f)), want, "{f}");
    }
}

#[test]
fn a_table_read_is_noted_not_printed() {
    let dir = tempfile::tempdir().expect("dir");
    let text = csv(&rows(), "\n");
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let path = dir.path().join("gbk.csv");
    fs::write(&path, &gbk).expect("write");
    let file = path.display().to_string();
    let read = read_households(&path, census());
    assert!(read.result.is_ok());
    assert_eq!(
        read.notes,
        vec![
            format!(
                "{file} is not UTF-8: read as GBK/GB18030 (Excel's \"CSV\" on Chinese Windows); \
                 its first line reads: 五寨县适龄儿童登记表（合成数据）,,,"
            ),
            format!("{file}: columns not read (not in the household table contract): \"姓名\""),
        ]
    );
}

#[test]
fn xlsx_reads_as_the_geojson() {
    let dir = tempfile::tempdir().expect("dir");
    let rows = rows();
    fs::write(dir.path().join("h.geojson"), geojson(&rows)).expect("write");
    xlsx(&rows, &dir.path().join("h.xlsx"));
    assert_eq!(
        read(&dir.path().join("h.xlsx")),
        read(&dir.path().join("h.geojson"))
    );
}

#[test]
fn table_errors_name_rows_columns_and_both_rows_of_a_household() {
    let dir = tempfile::tempdir().expect("dir");
    let mut rows = rows();
    // Sheet row 5 (data row 3): a birth after the census.
    rows[2].birth = NaiveDate::from_ymd_opt(2024, 1, 1).expect("date");
    // A child of H02 (sheet rows 6-8) at another position.
    rows[4].lon += 0.001;
    xlsx(&rows, &dir.path().join("bad.xlsx"));
    let e = errors(&dir.path().join("bad.xlsx"));
    assert_eq!(
        e,
        vec![
            "bad.xlsx: sheet \"户籍\" row 5: field `birth_date (出生日期)`: expected a birth date \
             on or before the census date 2023-08-31, found \"2024-01-01\" (a future birth)"
                .to_string(),
            format!(
                "bad.xlsx: sheet \"户籍\" row 7: field `lon`: expected the same lon, lat on every \
                 row of household \"H02\" (as on sheet \"户籍\" row 6: [{}, {}]), found [{}, {}]",
                rows[3].lon, rows[3].lat, rows[4].lon, rows[4].lat
            ),
        ]
    );
    // The same in a CSV: lines count the title line.
    fs::write(dir.path().join("bad.csv"), csv(&rows, "\r\n")).expect("write");
    let e = errors(&dir.path().join("bad.csv"));
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(
        e[0].starts_with("bad.csv: line 5: field `birth_date (出生日期)`"),
        "{e:?}"
    );
    assert!(
        e[1].starts_with("bad.csv: line 7: field `lon (经度)`"),
        "{e:?}"
    );
    assert!(e[1].contains("(as on line 6: ["), "{e:?}");
}

#[test]
fn a_private_column_refuses_the_workbook() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("jobs.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["household_id", "lon", "lat", "birth_date", "家长工作单位"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).expect("header");
    }
    sheet.write_string(1, 0, "H1").expect("cell");
    sheet.write_number(1, 1, 111.8).expect("cell");
    sheet.write_number(1, 2, 38.9).expect("cell");
    sheet.write_string(1, 3, "2017-03-15").expect("cell");
    sheet.write_string(1, 4, "县医院").expect("cell");
    book.save(&path).expect("save");
    assert_eq!(
        errors(&path),
        vec![
            "jobs.xlsx: sheet \"Sheet1\" row 1: field `家长工作单位`: expected no parents' job or \
             income data (the enrollment rules forbid collecting it; delete the column), found a \
             column named \"家长工作单位\""
        ]
    );
}

// ------------------------------------------------------------ through plan

fn plan_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("dir");
    for f in ["schools.geojson", "boundary.geojson", "scenario.toml"] {
        fs::copy(fixture(f), dir.path().join(f)).expect("copy");
    }
    let rows = rows();
    fs::write(dir.path().join("h.geojson"), geojson(&rows)).expect("write");
    let text = csv(&rows, "\r\n");
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    fs::write(dir.path().join("h.csv"), &gbk).expect("write");
    xlsx(&rows, &dir.path().join("h.xlsx"));
    dir
}

fn plan(dir: &Path, households: &str, out: &str, extra: &[&str]) -> BTreeMap<String, Vec<u8>> {
    let mut args = vec![
        "plan",
        "--config",
        "scenario.toml",
        "--households",
        households,
        "--out",
        out,
    ];
    args.extend(extra);
    let o = run_in(dir, &args);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{households}: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    if households.ends_with(".csv") {
        // The reader's notes, printed by the command.
        for note in ["h.csv is not UTF-8: read as GBK", "columns not read"] {
            assert!(err.contains(note), "{err}");
        }
    }
    outputs(&dir.join(out))
}

#[test]
fn plan_from_csv_or_xlsx_equals_plan_from_geojson() {
    let dir = plan_dir();
    let want = plan(dir.path(), "h.geojson", "out_geojson", &[]);
    assert!(want.contains_key("assignment.csv") && want.contains_key("zones_by_area.csv"));
    let summary: Value = serde_json::from_slice(&want["summary.json"]).expect("json");
    assert!(
        summary["students"]["primary"].as_u64() > Some(10),
        "{summary}"
    );
    for f in ["h.csv", "h.xlsx"] {
        let got = plan(dir.path(), f, &format!("out_{f}"), &[]);
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            want.keys().collect::<Vec<_>>()
        );
        for (k, v) in &want {
            assert!(&got[k] == v, "{f}: {k} differs from the GeoJSON plan");
        }
    }
    // The scenario may name the table too.
    let scenario = fs::read_to_string(dir.path().join("scenario.toml")).expect("read");
    fs::write(
        dir.path().join("table.toml"),
        scenario.replace("households.geojson", "h.xlsx"),
    )
    .expect("write");
    let o = run_in(
        dir.path(),
        &["plan", "--config", "table.toml", "--out", "out_config"],
    );
    assert!(matches!(o.status.code(), Some(0 | 1)));
    assert_eq!(outputs(&dir.path().join("out_config")), want);
}

#[test]
fn excel_flag_adds_a_bom_to_every_csv_and_changes_nothing_else() {
    let dir = plan_dir();
    let plain = plan(dir.path(), "h.csv", "plain", &[]);
    let excel = plan(dir.path(), "h.csv", "excel", &["--excel"]);
    assert_eq!(
        plain.keys().collect::<Vec<_>>(),
        excel.keys().collect::<Vec<_>>()
    );
    let mut csvs = 0;
    for (k, v) in &plain {
        if k.ends_with(".csv") {
            csvs += 1;
            assert!(
                !v.starts_with(b"\xEF\xBB\xBF"),
                "{k} has a BOM without --excel"
            );
            assert!(excel[k].starts_with(b"\xEF\xBB\xBF"), "{k}: no BOM");
            assert_eq!(&excel[k][3..], &v[..], "{k}");
        } else {
            assert_eq!(&excel[k], v, "{k}");
        }
    }
    assert!(csvs >= 3, "{csvs} CSV files");
}
