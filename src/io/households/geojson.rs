//! `households.geojson`: demand units in the three forms of the contract.
//! Each child object becomes a [`ChildRecord`], checked by the rules the
//! household tables share.

use super::record::{ChildKey, ChildRecord, Field, Place, parse_date};
use crate::io::error::{InputError, InputErrors, show, show_text};
use crate::io::geojson::{
    count, feature_at, map_features, only_level_keys, point, properties_and_id, read_text,
    refuse_private, text_from_bytes,
};
use crate::io::limits;
use crate::io::text::{TextKind, check_text};
use crate::model::{Child, Demand, Unit};
use chrono::NaiveDate;
use rustc_hash::FxHashMap;
use serde_json::{Map, Value};
use std::path::Path;

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
        Some(Value::String(s)) => {
            check_text(s.trim(), TextKind::of_name(key), file, at, key)?;
            Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty()))
        }
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(v) => Err(InputError::new(file, "a string", show(v)).at(at).field(key)),
    }
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
        let field = |key: ChildKey| format!("children[{ci}].{}", key.name());
        let place = Place {
            file,
            at,
            field: &field,
        };
        out.push(child_record(o).check(&place, latest_birth)?);
    }
    Ok(out)
}

/// A child object's fields by kind (other keys are ignored; refused private
/// fields are checked by the caller).
fn child_record(o: &Map<String, Value>) -> ChildRecord {
    let birth_date = match o.get("birth_date") {
        None => Field::Absent,
        Some(Value::String(s)) => {
            parse_date(s).map_or_else(|| Field::Wrong(show_text(s)), Field::Given)
        }
        Some(v) => Field::Wrong(show(v)),
    };
    let id = match o.get("id") {
        None | Some(Value::Null) => Field::Absent,
        Some(Value::String(s)) => Field::Given(s.clone()),
        Some(Value::Number(n)) if n.is_u64() || n.is_i64() => Field::Given(n.to_string()),
        Some(v) => Field::Wrong(show(v)),
    };
    let special_needs = match o.get("special_needs") {
        None | Some(Value::Null) => Field::Absent,
        Some(Value::Bool(b)) => Field::Given(*b),
        Some(v) => Field::Wrong(show(v)),
    };
    ChildRecord {
        id,
        birth_date,
        sex: string(o.get("sex")),
        special_needs,
        multiple_birth_group: string_or_number(o.get("multiple_birth_group")),
        priority: string_or_number(o.get("priority")),
        residence: string(o.get("residence")),
    }
}

/// A field that must be a string.
fn string(v: Option<&Value>) -> Field<String> {
    match v {
        None | Some(Value::Null) => Field::Absent,
        Some(Value::String(s)) => Field::Given(s.clone()),
        Some(v) => Field::Wrong(show(v)),
    }
}

/// Free text, where a number is taken as its text.
fn string_or_number(v: Option<&Value>) -> Field<String> {
    match v {
        Some(Value::Number(n)) => Field::Given(n.to_string()),
        v => string(v),
    }
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
        out[age] = unit_count(n).map_err(|expected| {
            InputError::new(file, expected, show(n))
                .at(at)
                .field(format!("ages.{k}"))
        })?;
    }
    Ok(out)
}

/// A count of children in one unit, within [`limits::MAX_UNIT_CHILDREN`];
/// else what was expected.
fn unit_count(v: &Value) -> Result<u32, String> {
    match count(v) {
        Some(n) if n <= limits::MAX_UNIT_CHILDREN => Ok(n),
        // A whole number beyond the limit (or beyond 32 bits).
        _ if v.as_f64().is_some_and(|f| f >= 0.0 && f.fract() == 0.0) => {
            Err(limits::unit_children_expected())
        }
        _ => Err("a count (whole number >= 0)".to_string()),
    }
}

fn direct(v: &Value, file: &str, at: &str) -> Result<Demand, InputError> {
    let Value::Object(o) = v else {
        return Err(
            InputError::new(file, "an object {\"primary\": n, \"junior\": m}", show(v))
                .at(at)
                .field("demand"),
        );
    };
    only_level_keys(o, file, at, "demand")?;
    let get = |k: &str| -> Result<u32, InputError> {
        match o.get(k) {
            None | Some(Value::Null) => Ok(0),
            Some(n) => unit_count(n).map_err(|expected| {
                InputError::new(file, expected, show(n))
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
