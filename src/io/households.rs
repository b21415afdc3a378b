//! `households.geojson`: demand units in the three forms of the contract.
//! Household tables (CSV, XLSX) are read by `household_table`, through the
//! same child validation ([`child`]).

use super::error::{InputError, InputErrors, show};
use super::geojson::{
    feature_at, map_features, point, properties_and_id, read_text, refuse_private, text_from_bytes,
};
use crate::model::{Child, Demand, Residence, Unit};
use chrono::NaiveDate;
use rustc_hash::FxHashMap;
use serde_json::{Map, Value};
use std::path::Path;

/// Read and validate a households file, by its extension: a household
/// table for `.csv` and `.xlsx` (`household_table`), GeoJSON otherwise.
/// `latest_birth` is the census date: a birth after it is refused.
pub fn read_households(path: &Path, latest_birth: NaiveDate) -> Result<Vec<Unit>, InputErrors> {
    match super::household_table::TableKind::of(path) {
        Some(kind) => super::household_table::read_household_table(path, kind, latest_birth),
        None => read_households_geojson(path, latest_birth),
    }
}

/// Read and validate a `households.geojson`.
pub fn read_households_geojson(
    path: &Path,
    latest_birth: NaiveDate,
) -> Result<Vec<Unit>, InputErrors> {
    let file = path.display().to_string();
    let text = read_text(path)?;
    households_geojson_from_str(&text, &file, latest_birth)
}

/// [`read_households_geojson`] on the bytes of a file named `file`.
pub fn households_geojson_from_bytes(
    bytes: &[u8],
    file: &str,
    latest_birth: NaiveDate,
) -> Result<Vec<Unit>, InputErrors> {
    let text = text_from_bytes(bytes, file)?;
    households_geojson_from_str(&text, file, latest_birth)
}

/// [`read_households_geojson`] on the text of a file named `file`.
pub fn households_geojson_from_str(
    text: &str,
    file: &str,
    latest_birth: NaiveDate,
) -> Result<Vec<Unit>, InputErrors> {
    let file = file.to_string();
    // Each feature becomes a unit as it is parsed: the file's JSON values
    // are never all in memory at once.
    let read = map_features(text, &file, |index, f| unit(&f, index, &file, latest_birth))?;
    let mut errs = InputErrors::default();
    let mut units = Vec::with_capacity(read.len());
    let mut seen: FxHashMap<String, usize> =
        FxHashMap::with_capacity_and_hasher(read.len(), Default::default());
    let mut child_ids: FxHashMap<String, usize> = FxHashMap::default();
    for (index, r) in read.into_iter().enumerate() {
        match r {
            Ok(u) => {
                // Spelled out only for a message.
                let at = || feature_at(index, Some(&u.id));
                if let Some(first) = seen.insert(u.id.clone(), index) {
                    errs.push(
                        InputError::new(
                            &file,
                            "a unique id",
                            format!("the id of feature {first} again"),
                        )
                        .at(at())
                        .field("id"),
                    );
                    continue;
                }
                if let Demand::Children(ch) = &u.demand {
                    for (ci, c) in ch.iter().enumerate() {
                        if let Some(cid) = &c.id
                            && let Some(first) = child_ids.insert(cid.clone(), index)
                        {
                            errs.push(
                                InputError::new(
                                    &file,
                                    "a child id unique in the file",
                                    format!("\"{cid}\", also in feature {first}"),
                                )
                                .at(at())
                                .field(format!("children[{ci}].id")),
                            );
                        }
                    }
                }
                units.push(u);
            }
            Err(e) => errs.push(e),
        }
    }
    errs.into_result(units)
}

fn unit(f: &Value, index: usize, file: &str, latest_birth: NaiveDate) -> Result<Unit, InputError> {
    let (props, id) = properties_and_id(f, index, file)?;
    let at = feature_at(index, Some(&id));
    refuse_private(props, file, &at, "")?;
    let (lon, lat) = point(f, file, &at)?;
    let town = opt_string(props, "town", file, &at)?;
    let village = opt_string(props, "village", file, &at)?;
    let forms: Vec<&str> = ["children", "ages", "demand"]
        .into_iter()
        .filter(|k| props.get(*k).is_some_and(|v| !v.is_null()))
        .collect();
    let demand = match forms.as_slice() {
        ["children"] => Demand::Children(children(&props["children"], file, &at, latest_birth)?),
        ["ages"] => Demand::Ages(ages(&props["ages"], file, &at)?),
        ["demand"] => direct(&props["demand"], file, &at)?,
        [] => {
            return Err(InputError::new(
                file,
                "one of `children` (birth dates), `ages` (counts by age) or `demand` (students per level)",
                "none of them",
            )
            .at(at));
        }
        more => {
            return Err(InputError::new(
                file,
                "exactly one of `children`, `ages`, `demand`",
                format!("{} of them: {}", more.len(), more.join(", ")),
            )
            .at(at));
        }
    };
    Ok(Unit {
        id,
        lon,
        lat,
        town,
        village,
        demand,
    })
}

fn opt_string(
    o: &Map<String, Value>,
    key: &str,
    file: &str,
    at: &str,
) -> Result<Option<String>, InputError> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(v) => Err(InputError::new(file, "a string", show(v)).at(at).field(key)),
    }
}

/// A non-negative whole number (a count); `1.0` is taken, `1.5` and `-1` are not.
pub(crate) fn count(v: &Value) -> Option<u32> {
    if let Some(n) = v.as_u64() {
        return u32::try_from(n).ok();
    }
    let f = v.as_f64()?;
    (f >= 0.0 && f.fract() == 0.0 && f <= u32::MAX as f64).then_some(f as u32)
}

pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

fn children(
    v: &Value,
    file: &str,
    at: &str,
    latest_birth: NaiveDate,
) -> Result<Vec<Child>, InputError> {
    let Value::Array(list) = v else {
        return Err(InputError::new(file, "a list of children", show(v))
            .at(at)
            .field("children"));
    };
    let mut out = Vec::with_capacity(list.len());
    for (ci, c) in list.iter().enumerate() {
        let Value::Object(o) = c else {
            return Err(InputError::new(file, "a child object", show(c))
                .at(at)
                .field(format!("children[{ci}]")));
        };
        refuse_private(o, file, at, &format!("children[{ci}]."))?;
        out.push(child(
            o,
            file,
            at,
            &|name| format!("children[{ci}].{name}"),
            latest_birth,
        )?);
    }
    Ok(out)
}

/// One child, from an object with the keys of the contract (`id`,
/// `birth_date`, `sex`, `multiple_birth_group`, `special_needs`,
/// `priority`, `residence`; other keys are ignored). `fld` names a key in
/// messages (`children[0].birth_date` in GeoJSON, the column in a table).
/// Refused private fields are checked by the caller.
pub(crate) fn child(
    o: &Map<String, Value>,
    file: &str,
    at: &str,
    fld: &dyn Fn(&str) -> String,
    latest_birth: NaiveDate,
) -> Result<Child, InputError> {
    let bd = match o.get("birth_date") {
        Some(Value::String(s)) => parse_date(s).ok_or_else(|| {
            InputError::new(file, "a date YYYY-MM-DD", show(&Value::String(s.clone())))
                .at(at)
                .field(fld("birth_date"))
        })?,
        Some(v) => {
            return Err(InputError::new(file, "a date YYYY-MM-DD", show(v))
                .at(at)
                .field(fld("birth_date")));
        }
        None => {
            return Err(InputError::new(file, "a birth_date", "none")
                .at(at)
                .field(fld("birth_date")));
        }
    };
    if bd > latest_birth {
        return Err(InputError::new(
            file,
            format!("a birth date on or before the census date {latest_birth}"),
            format!("\"{bd}\" (a future birth)"),
        )
        .at(at)
        .field(fld("birth_date")));
    }
    if (latest_birth - bd).num_days() > 366 * 25 {
        return Err(InputError::new(
            file,
            "a school-age child (born within 25 years of the census date)",
            format!("\"{bd}\""),
        )
        .at(at)
        .field(fld("birth_date")));
    }
    let id = match o.get("id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(Value::Number(n)) if n.is_u64() || n.is_i64() => Some(n.to_string()),
        Some(v) => {
            return Err(InputError::new(file, "a string id", show(v))
                .at(at)
                .field(fld("id")));
        }
    };
    let sex = match o.get("sex") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if matches!(s.trim(), "F" | "f" | "女") => Some('F'),
        Some(Value::String(s)) if matches!(s.trim(), "M" | "m" | "男") => Some('M'),
        Some(v) => {
            return Err(InputError::new(file, "\"F\" or \"M\"", show(v))
                .at(at)
                .field(fld("sex")));
        }
    };
    let special_needs = match o.get("special_needs") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(v) => {
            return Err(InputError::new(file, "true or false", show(v))
                .at(at)
                .field(fld("special_needs")));
        }
    };
    let residence = match o.get("residence") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(match s.trim() {
            "hukou" | "户籍" => Residence::Hukou,
            "permit" | "居住证" => Residence::Permit,
            "none" | "无" => Residence::None,
            _ => {
                return Err(InputError::new(
                    file,
                    "\"hukou\", \"permit\" or \"none\"",
                    show(&o["residence"]),
                )
                .at(at)
                .field(fld("residence")));
            }
        }),
        Some(v) => {
            return Err(
                InputError::new(file, "\"hukou\", \"permit\" or \"none\"", show(v))
                    .at(at)
                    .field(fld("residence")),
            );
        }
    };
    let text = |name: &str| -> Result<Option<String>, InputError> {
        match o.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(v) => Err(InputError::new(file, "a string", show(v))
                .at(at)
                .field(fld(name))),
        }
    };
    Ok(Child {
        id,
        birth_date: bd,
        sex,
        multiple_birth_group: text("multiple_birth_group")?,
        special_needs,
        priority: text("priority")?,
        residence,
    })
}

fn ages(v: &Value, file: &str, at: &str) -> Result<[u32; 18], InputError> {
    let Value::Object(o) = v else {
        return Err(InputError::new(
            file,
            "an object of counts by age {\"0\": n, ..., \"17\": n}",
            show(v),
        )
        .at(at)
        .field("ages"));
    };
    let mut out = [0u32; 18];
    let mut seen = [false; 18];
    for (k, n) in o {
        let age: usize = match k.trim().parse() {
            Ok(a) if a < 18 => a,
            _ => {
                return Err(
                    InputError::new(file, "ages \"0\" to \"17\"", format!("\"{k}\""))
                        .at(at)
                        .field(format!("ages.{k}")),
                );
            }
        };
        if std::mem::replace(&mut seen[age], true) {
            return Err(InputError::new(
                file,
                "each age once",
                format!("age {age} a second time (key \"{k}\")"),
            )
            .at(at)
            .field(format!("ages.{k}")));
        }
        out[age] = count(n).ok_or_else(|| {
            InputError::new(file, "a count (whole number >= 0)", show(n))
                .at(at)
                .field(format!("ages.{k}"))
        })?;
    }
    Ok(out)
}

fn direct(v: &Value, file: &str, at: &str) -> Result<Demand, InputError> {
    let Value::Object(o) = v else {
        return Err(
            InputError::new(file, "an object {\"primary\": n, \"junior\": m}", show(v))
                .at(at)
                .field("demand"),
        );
    };
    super::geojson::only_level_keys(o, file, at, "demand")?;
    let get = |k: &str| -> Result<u32, InputError> {
        match o.get(k) {
            None | Some(Value::Null) => Ok(0),
            Some(n) => count(n).ok_or_else(|| {
                InputError::new(file, "a count (whole number >= 0)", show(n))
                    .at(at)
                    .field(format!("demand.{k}"))
            }),
        }
    };
    Ok(Demand::Direct {
        primary: get("primary")?,
        junior: get("junior")?,
    })
}
