//! `[[edit]]` in `scenario.toml`: what-if edits to the schools read
//! (close one, change its classes, open a new one), checked key by key.

use crate::io::error::InputError;
use crate::io::limits;
use crate::model::{ClassChange, Edit, Level, PerLevel, School, SchoolKind, Sector};
use serde::Deserialize;

/// One `[[edit]]`. Which of `close`, `school` or `open` is given decides
/// the kind; the other keys belong to one kind each.
#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
pub(super) struct EditKeys {
    close: Option<toml::Value>,
    school: Option<toml::Value>,
    add_classes: Option<i64>,
    set_classes: Option<i64>,
    level: Option<String>,
    open: Option<toml::Value>,
    name: Option<String>,
    lon: Option<f64>,
    lat: Option<f64>,
    entry_classes: Option<toml::Value>,
    capacity: Option<toml::Value>,
    class_size: Option<toml::Value>,
    boarding: Option<bool>,
    serves: Option<Vec<String>>,
    max_travel_m: Option<toml::Value>,
}

/// The keys of each kind of edit, beyond the one that names the kind.
const CLOSE_KEYS: &[&str] = &[];
const CLASSES_KEYS: &[&str] = &["add_classes", "set_classes", "level"];
const OPEN_KEYS: &[&str] = &[
    "name",
    "level",
    "lon",
    "lat",
    "entry_classes",
    "capacity",
    "class_size",
    "boarding",
    "serves",
    "max_travel_m",
];

/// The `n`th `[[edit]]` (1-based) as a model edit, checked key by key.
pub(super) fn edit(k: EditKeys, n: usize, file: &str) -> Result<Edit, InputError> {
    let at = format!("[[edit]] {n}");
    let err = |field: &str, exp: &str, found: String| {
        InputError::new(file, exp, found).at(&at).field(field)
    };
    let given: Vec<&str> = [
        ("close", k.close.is_some()),
        ("school", k.school.is_some()),
        ("add_classes", k.add_classes.is_some()),
        ("set_classes", k.set_classes.is_some()),
        ("level", k.level.is_some()),
        ("open", k.open.is_some()),
        ("name", k.name.is_some()),
        ("lon", k.lon.is_some()),
        ("lat", k.lat.is_some()),
        ("entry_classes", k.entry_classes.is_some()),
        ("capacity", k.capacity.is_some()),
        ("class_size", k.class_size.is_some()),
        ("boarding", k.boarding.is_some()),
        ("serves", k.serves.is_some()),
        ("max_travel_m", k.max_travel_m.is_some()),
    ]
    .into_iter()
    .filter_map(|(key, present)| present.then_some(key))
    .collect();
    let kinds: Vec<&str> = given
        .iter()
        .copied()
        .filter(|key| ["close", "school", "open"].contains(key))
        .collect();
    let (kind, allowed, what) = match kinds[..] {
        [kind] => match kind {
            "close" => (kind, CLOSE_KEYS, "closing a school takes only `close`"),
            "school" => (
                kind,
                CLASSES_KEYS,
                "changing classes takes `add_classes` or `set_classes` and `level`",
            ),
            _ => (
                kind,
                OPEN_KEYS,
                "opening a school takes `name`, `level`, `lon`, `lat`, `entry_classes` or \
                 `capacity`, `class_size`, `boarding`, `serves`, `max_travel_m`",
            ),
        },
        _ => {
            let found = match kinds[..] {
                [] => "none of them".to_string(),
                _ => format!("`{}` together", kinds.join("` and `")),
            };
            return Err(err(
                "close, school, open",
                "one of `close = \"id\"` (close a school), `school = \"id\"` (change its \
                 classes) or `open = \"id\"` (open a new school)",
                found,
            ));
        }
    };
    if let Some(extra) = given
        .iter()
        .find(|key| **key != kind && !allowed.contains(key))
    {
        return Err(err(extra, what, format!("`{extra}` with `{kind}`")));
    }
    let id = |v: &toml::Value, field: &str| match v {
        toml::Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
        toml::Value::Integer(i) => Ok(i.to_string()),
        v => Err(err(
            field,
            "a school id (text in quotes, or a whole number)",
            v.to_string(),
        )),
    };
    match kind {
        "close" => Ok(Edit::Close {
            school: id(k.close.as_ref().expect("given"), "close")?,
        }),
        "school" => {
            let school = id(k.school.as_ref().expect("given"), "school")?;
            let level = match k.level.as_deref().map(str::trim) {
                None => None,
                Some("primary") => Some(Level::Primary),
                Some("junior") => Some(Level::Junior),
                Some(l) => {
                    return Err(err(
                        "level",
                        "\"primary\" or \"junior\" (the level whose classes change)",
                        format!("\"{l}\""),
                    ));
                }
            };
            let change = match (k.add_classes, k.set_classes) {
                (Some(a), None) if (-200..=200).contains(&a) => ClassChange::Add(a),
                (Some(a), None) => {
                    return Err(err(
                        "add_classes",
                        "a number of classes between -200 and 200",
                        a.to_string(),
                    ));
                }
                (None, Some(s)) if (0..=200).contains(&s) => ClassChange::Set(s),
                (None, Some(s)) => {
                    return Err(err(
                        "set_classes",
                        "a number of classes between 0 and 200",
                        s.to_string(),
                    ));
                }
                (Some(_), Some(_)) => {
                    return Err(err(
                        "add_classes, set_classes",
                        "one of `add_classes` (classes added, negative removes) or `set_classes` \
                         (the new number)",
                        "both".into(),
                    ));
                }
                (None, None) => {
                    return Err(err(
                        "add_classes",
                        "`add_classes = 2` (classes added, negative removes) or `set_classes = 6`",
                        "neither".into(),
                    ));
                }
            };
            Ok(Edit::Classes {
                school,
                level,
                change,
            })
        }
        _ => open(k, &at, file, id),
    }
}

/// A new school from an `open` edit: public, at a point, with seats.
fn open(
    k: EditKeys,
    at: &str,
    file: &str,
    id: impl Fn(&toml::Value, &str) -> Result<String, InputError>,
) -> Result<Edit, InputError> {
    let err = |field: &str, exp: &str, found: String| {
        InputError::new(file, exp, found).at(at).field(field)
    };
    let id = id(k.open.as_ref().expect("given"), "open")?;
    let name = match k.name.as_deref().map(str::trim) {
        Some(n) if !n.is_empty() => n.to_string(),
        Some(_) => return Err(err("name", "a non-empty school name", "\"\"".into())),
        None => {
            return Err(err(
                "name",
                "a school name, e.g. name = \"城东新区小学\"",
                "none".into(),
            ));
        }
    };
    let kind = match k.level.as_deref().map(str::trim) {
        Some("primary") => SchoolKind::Primary,
        Some("junior") => SchoolKind::Junior,
        Some("nine_year") => SchoolKind::NineYear,
        other => {
            return Err(err(
                "level",
                "\"primary\", \"junior\" or \"nine_year\"",
                other.map_or("none".into(), |l| format!("\"{l}\"")),
            ));
        }
    };
    let lon = match k.lon {
        Some(x) if x.is_finite() && (-180.0..=180.0).contains(&x) => x,
        other => {
            return Err(err(
                "lon",
                "a longitude in degrees (WGS84), e.g. lon = 111.84",
                other.map_or("none".into(), |x| x.to_string()),
            ));
        }
    };
    let lat = match k.lat {
        Some(y) if y.is_finite() && (-90.0..=90.0).contains(&y) => y,
        other => {
            return Err(err(
                "lat",
                "a latitude in degrees (WGS84), e.g. lat = 38.92",
                other.map_or("none".into(), |y| y.to_string()),
            ));
        }
    };
    let whole = |v: &toml::Value, max: i64| match v {
        toml::Value::Integer(i) if (1..=max).contains(i) => Some(*i as u32),
        _ => None,
    };
    let entry_classes = edit_levels(
        k.entry_classes.as_ref(),
        "entry_classes",
        |v| whole(v, i64::from(limits::MAX_CLASSES)),
        "a number of classes between 1 and 200",
        file,
        at,
    )?;
    let capacity = edit_levels(
        k.capacity.as_ref(),
        "capacity",
        |v| whole(v, i64::from(limits::MAX_SEATS)),
        &limits::seats_expected(),
        file,
        at,
    )?;
    let class_size = edit_levels(
        k.class_size.as_ref(),
        "class_size",
        |v| whole(v, i64::from(limits::MAX_CLASS_SIZE)),
        "a class size between 1 and 200",
        file,
        at,
    )?;
    let max_travel_m = edit_levels(
        k.max_travel_m.as_ref(),
        "max_travel_m",
        |v| {
            let m = match v {
                toml::Value::Integer(i) => *i as f64,
                toml::Value::Float(f) => *f,
                _ => return None,
            };
            (m.is_finite() && m > 0.0 && m <= limits::MAX_TRAVEL_M).then_some(m)
        },
        &limits::travel_expected(),
        file,
        at,
    )?;
    for l in Level::ALL.into_iter().filter(|&l| kind.serves(l)) {
        if entry_classes.get(l).is_none() && capacity.get(l).is_none() {
            let exp = if kind == SchoolKind::NineYear {
                format!(
                    "`entry_classes` or `capacity` for {} (e.g. entry_classes = {{ primary = 4, junior = 3 }})",
                    l.as_str()
                )
            } else {
                "`entry_classes` (e.g. entry_classes = 4) or `capacity` (seats)".to_string()
            };
            return Err(err("entry_classes", &exp, "neither".into()));
        }
    }
    let serves = k
        .serves
        .unwrap_or_default()
        .into_iter()
        .map(|t| t.trim().to_string())
        .collect();
    Ok(Edit::Open {
        school: School {
            id,
            name,
            lon,
            lat,
            kind,
            sector: Sector::Public,
            boarding: k.boarding.unwrap_or(false),
            serves,
            entry_classes,
            capacity,
            class_size,
            max_travel_m,
        },
    })
}

/// A value given once for the school, or per level as `{ primary = a,
/// junior = b }` (nine-year schools).
fn edit_levels<T: Copy>(
    v: Option<&toml::Value>,
    key: &str,
    parse: impl Fn(&toml::Value) -> Option<T>,
    expected: &str,
    file: &str,
    at: &str,
) -> Result<PerLevel<T>, InputError> {
    let err = |field: String, exp: &str, found: String| {
        InputError::new(file, exp, found).at(at).field(field)
    };
    let Some(v) = v else {
        return Ok(PerLevel::default());
    };
    let toml::Value::Table(t) = v else {
        let x = parse(v).ok_or_else(|| err(key.to_string(), expected, v.to_string()))?;
        return Ok(PerLevel::both(x));
    };
    if let Some(other) = t
        .keys()
        .find(|l| !matches!(l.as_str(), "primary" | "junior"))
    {
        return Err(err(
            key.to_string(),
            "a table with the keys `primary` and `junior`",
            format!("`{other}`"),
        ));
    }
    let mut out = PerLevel::default();
    for (l, slot) in [("primary", &mut out.primary), ("junior", &mut out.junior)] {
        if let Some(x) = t.get(l) {
            *slot =
                Some(parse(x).ok_or_else(|| err(format!("{key}.{l}"), expected, x.to_string()))?);
        }
    }
    Ok(out)
}

/// One edit given as a JSON object with the keys of an `[[edit]]` table
/// (the studio's `POST /api/edit`), checked as the file's are; `what`
/// names it in messages.
pub fn edit_from_json(v: &serde_json::Value, what: &str) -> Result<Edit, InputError> {
    if !v.is_object() {
        return Err(InputError::new(
            what,
            "an object with the keys of an [[edit]] table",
            match v {
                serde_json::Value::Array(_) => "an array".to_string(),
                other => other.to_string().chars().take(60).collect(),
            },
        ));
    }
    let keys: EditKeys = serde_json::from_value(v.clone())
        .map_err(|e| InputError::new(what, "the keys of an [[edit]] table", e.to_string()))?;
    edit(keys, 1, what)
}
