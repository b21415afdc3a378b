//! `schools.geojson`: public and private schools with seats.

use super::error::{InputError, InputErrors, show};
use super::geojson::{
    count, feature_at, features, point, properties_and_id, read_text, text_from_bytes,
};
use super::limits;
use super::text::{TextKind, check_text};
use crate::model::{Level, PerLevel, School, SchoolKind, Sector};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::Path;

pub fn read_schools(path: &Path) -> Result<Vec<School>, InputErrors> {
    let file = path.display().to_string();
    let text = read_text(path)?;
    schools_from_str(&text, &file)
}

/// [`read_schools`] on the bytes of a file named `file`.
pub fn schools_from_bytes(bytes: &[u8], file: &str) -> Result<Vec<School>, InputErrors> {
    schools_from_str(&text_from_bytes(bytes, file)?, file)
}

/// [`read_schools`] on the text of a file named `file`.
pub fn schools_from_str(text: &str, file: &str) -> Result<Vec<School>, InputErrors> {
    let file = file.to_string();
    let feats = features(text, &file)?;
    let mut errs = InputErrors::default();
    let mut out = Vec::with_capacity(feats.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (index, f) in feats.iter().enumerate() {
        match school(f, index, &file) {
            Ok(s) => {
                if let Some(first) = seen.insert(s.id.clone(), index) {
                    errs.push(
                        InputError::new(
                            &file,
                            "a unique id",
                            format!("the id of feature {first} again"),
                        )
                        .at(feature_at(index, Some(&s.id)))
                        .field("id"),
                    );
                } else {
                    out.push(s);
                }
            }
            Err(e) => errs.push(e),
        }
    }
    errs.into_result(out)
}

fn school(f: &Value, index: usize, file: &str) -> Result<School, InputError> {
    let (p, id) = properties_and_id(f, index, file)?;
    let at = feature_at(index, Some(&id));
    let (lon, lat) = point(f, file, &at)?;
    let err = |field: &str, exp: &str, found: String| {
        InputError::new(file, exp, found).at(&at).field(field)
    };
    let name = match p.get("name") {
        Some(Value::String(s)) if !s.trim().is_empty() => {
            check_text(s.trim(), TextKind::Free, file, &at, "name")?;
            s.trim().to_string()
        }
        Some(v) => return Err(err("name", "a non-empty name", show(v))),
        None => return Err(err("name", "a school name", "none".into())),
    };
    let kind = match p.get("level").and_then(Value::as_str).map(str::trim) {
        Some("primary") => SchoolKind::Primary,
        Some("junior") => SchoolKind::Junior,
        Some("nine_year") => SchoolKind::NineYear,
        _ => {
            return Err(err(
                "level",
                "\"primary\", \"junior\" or \"nine_year\"",
                p.get("level").map_or("none".into(), show),
            ));
        }
    };
    let sector = match p.get("sector").and_then(Value::as_str).map(str::trim) {
        Some("public") => Sector::Public,
        Some("private") => Sector::Private,
        _ => {
            return Err(err(
                "sector",
                "\"public\" or \"private\"",
                p.get("sector").map_or("none".into(), show),
            ));
        }
    };
    let boarding = match p.get("boarding") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(v) => return Err(err("boarding", "true or false", show(v))),
    };
    for (i, town) in p
        .get("serves")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        if let Some(t) = town.as_str() {
            check_text(t.trim(), TextKind::Free, file, &at, &format!("serves[{i}]"))?;
        }
    }
    let serves = match p.get("serves") {
        None | Some(Value::Null) => vec![],
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => a
            .iter()
            .map(|v| v.as_str().unwrap_or_default().trim().to_string())
            .collect(),
        Some(v) => return Err(err("serves", "a list of town names", show(v))),
    };
    let levels: Vec<Level> = Level::ALL.into_iter().filter(|&l| kind.serves(l)).collect();
    // Each number positive (as it always was), then within its limit, each
    // refusal saying which rule it broke.
    let upto = |what: &'static str, max: u32, limit: String| {
        move |v: &Value| match count(v).filter(|&n| n > 0) {
            // A whole number beyond 32 bits is beyond the limit too.
            None if v.as_f64().is_some_and(|f| f >= 1.0 && f.fract() == 0.0) => Err(limit.clone()),
            None => Err(what.to_string()),
            Some(n) if n > max => Err(limit.clone()),
            Some(n) => Ok(n),
        }
    };
    let entry_classes = per_level(
        p,
        "entry_classes",
        &levels,
        upto(
            "a positive whole number",
            limits::MAX_CLASSES,
            limits::classes_expected(),
        ),
        file,
        &at,
    )?;
    let capacity = per_level(
        p,
        "capacity",
        &levels,
        upto(
            "a positive number of seats",
            limits::MAX_SEATS,
            limits::seats_expected(),
        ),
        file,
        &at,
    )?;
    let class_size = per_level(
        p,
        "class_size",
        &levels,
        upto(
            "a positive class size",
            limits::MAX_CLASS_SIZE,
            limits::class_size_expected(),
        ),
        file,
        &at,
    )?;
    let max_travel_m = per_level(
        p,
        "max_travel_m",
        &levels,
        |v| match v.as_f64().filter(|m| m.is_finite() && *m > 0.0) {
            None => Err("a positive distance in metres".to_string()),
            Some(m) if m > limits::MAX_TRAVEL_M => Err(limits::travel_expected()),
            Some(m) => Ok(m),
        },
        file,
        &at,
    )?;
    for &l in &levels {
        if entry_classes.get(l).is_none() && capacity.get(l).is_none() {
            let what = if levels.len() > 1 {
                format!(
                    "`entry_classes` or `capacity` for {} (e.g. {{\"primary\": 2, \"junior\": 4}})",
                    l.as_str()
                )
            } else {
                "`entry_classes` or `capacity` (seats)".to_string()
            };
            return Err(err("entry_classes", &what, "neither".into()));
        }
    }
    Ok(School {
        id,
        name,
        lon,
        lat,
        kind,
        sector,
        boarding,
        serves,
        entry_classes,
        capacity,
        class_size,
        max_travel_m,
    })
}

/// A value given once, or per level as `{"primary": a, "junior": b}`;
/// `parse` gives the value or what was expected.
fn per_level<T: Copy>(
    p: &Map<String, Value>,
    key: &str,
    levels: &[Level],
    parse: impl Fn(&Value) -> Result<T, String>,
    file: &str,
    at: &str,
) -> Result<PerLevel<T>, InputError> {
    let v = match p.get(key) {
        None | Some(Value::Null) => return Ok(PerLevel::default()),
        Some(v) => v,
    };
    if let Value::Object(o) = v {
        super::geojson::only_level_keys(o, file, at, key)?;
        let mut out = PerLevel::default();
        for &l in levels {
            if let Some(x) = o.get(l.as_str()) {
                let val = parse(x).map_err(|expected| {
                    InputError::new(file, expected, show(x))
                        .at(at)
                        .field(format!("{key}.{}", l.as_str()))
                })?;
                match l {
                    Level::Primary => out.primary = Some(val),
                    Level::Junior => out.junior = Some(val),
                }
            }
        }
        return Ok(out);
    }
    let val =
        parse(v).map_err(|expected| InputError::new(file, expected, show(v)).at(at).field(key))?;
    Ok(PerLevel::both(val))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(props: &str) -> String {
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"id":"P1","name":"小学","level":"primary","sector":"public",{props}}},"geometry":{{"type":"Point","coordinates":[111.8,38.9]}}}}]}}"#
        );
        schools_from_str(&text, "schools.geojson")
            .expect_err("refused")
            .to_string()
    }

    #[test]
    fn numbers_beyond_the_limits_are_refused_with_the_limit() {
        let ok = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"P1","name":"小学","level":"primary","sector":"public","entry_classes":200,"class_size":200,"max_travel_m":1000000},"geometry":{"type":"Point","coordinates":[111.8,38.9]}}]}"#;
        assert_eq!(schools_from_str(ok, "s").expect("at the limits").len(), 1);
        let e = refused(r#""entry_classes":1e9"#);
        assert!(
            e.ends_with(
                "field `entry_classes`: expected a positive whole number of classes, at most 200 \
                 (no school opens more; a larger number is a typo), found 1000000000.0"
            ),
            "{e}"
        );
        let e = refused(r#""capacity":{"primary":100001}"#);
        assert!(e.contains("field `capacity.primary`"), "{e}");
        assert!(e.contains("at most 100,000 per school and level"), "{e}");
        let e = refused(r#""entry_classes":1,"class_size":201"#);
        assert!(e.contains("at most 200 (the national standard"), "{e}");
        let e = refused(r#""entry_classes":1,"max_travel_m":1e7"#);
        assert!(e.contains("at most 1,000,000 (1,000 km"), "{e}");
    }
}
