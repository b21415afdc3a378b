//! `scenario.toml`: input paths, the policy, weights. Unknown keys are
//! refused so a typo never silently falls back to a default.

use super::error::InputError;
use super::households::parse_date;
use crate::model::{MonthDay, Policy};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
struct File {
    scenario: Option<Meta>,
    inputs: Option<Inputs>,
    policy: Option<PolicyKeys>,
    weights: Option<Weights>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
struct Meta {
    name: Option<String>,
    synthetic: Option<bool>,
}

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(deny_unknown_fields)]
struct Inputs {
    households: Option<String>,
    schools: Option<String>,
    roads: Option<String>,
    current: Option<String>,
    boundary: Option<String>,
    pins: Option<String>,
    births: Option<String>,
    enrollment: Option<String>,
    housing: Option<String>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
struct PolicyKeys {
    entry_year: Option<i64>,
    cutoff: Option<String>,
    census_date: Option<toml::Value>,
    entry_grade: Option<i64>,
    entry_age: Option<i64>,
    class_size: Option<Levels<i64>>,
    max_travel_m: Option<Levels<f64>>,
    max_travel_min: Option<Levels<f64>>,
    special_needs_near_home: Option<bool>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
struct Levels<T> {
    primary: Option<T>,
    junior: Option<T>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
struct Weights {
    stability_m_per_student: Option<f64>,
}

/// Input paths, resolved against the scenario file's folder.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InputPaths {
    pub households: Option<PathBuf>,
    pub schools: Option<PathBuf>,
    pub roads: Option<PathBuf>,
    pub current: Option<PathBuf>,
    pub boundary: Option<PathBuf>,
    pub pins: Option<PathBuf>,
    pub births: Option<PathBuf>,
    pub enrollment: Option<PathBuf>,
    pub housing: Option<PathBuf>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Shown in map titles and the summary.
    pub name: Option<String>,
    /// Example data: every map says "synthetic example data".
    pub synthetic: bool,
    pub policy: Policy,
    pub inputs: InputPaths,
    pub stability_m_per_student: f64,
}

impl Scenario {
    /// No config file: the standard policy for `entry_year`.
    pub fn standard(entry_year: i32) -> Scenario {
        Scenario {
            name: None,
            synthetic: false,
            policy: Policy::standard(entry_year),
            inputs: InputPaths::default(),
            stability_m_per_student: 0.0,
        }
    }
}

pub fn read_scenario(path: &Path, default_year: i32) -> Result<Scenario, InputError> {
    let file = path.display().to_string();
    let text = super::geojson::read_text(path)?;
    let f: File = toml::from_str(&text).map_err(|e| toml_error(&e, &text, &file))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let resolve = |p: &Option<String>| p.as_ref().map(|p| base.join(p));
    let i = f.inputs.clone().unwrap_or_default();
    let inputs = InputPaths {
        households: resolve(&i.households),
        schools: resolve(&i.schools),
        roads: resolve(&i.roads),
        current: resolve(&i.current),
        boundary: resolve(&i.boundary),
        pins: resolve(&i.pins),
        births: resolve(&i.births),
        enrollment: resolve(&i.enrollment),
        housing: resolve(&i.housing),
    };
    let pk = f.policy.unwrap_or_default();
    let err = |field: &str, exp: &str, found: String| {
        InputError::new(&file, exp, found)
            .at("[policy]")
            .field(field)
    };
    let entry_year = match pk.entry_year {
        None => default_year,
        Some(y) if (1900..=2200).contains(&y) => y as i32,
        Some(y) => {
            return Err(err(
                "entry_year",
                "a year between 1900 and 2200",
                y.to_string(),
            ));
        }
    };
    let mut policy = Policy::standard(entry_year);
    if let Some(c) = pk.cutoff {
        policy.cutoff = MonthDay::parse(&c).ok_or_else(|| {
            err(
                "cutoff",
                "a month-day \"MM-DD\" (not 02-29)",
                format!("\"{c}\""),
            )
        })?;
    }
    if let Some(v) = pk.census_date {
        let s = match &v {
            toml::Value::String(s) => s.clone(),
            toml::Value::Datetime(d) => d.to_string(),
            other => other.to_string(),
        };
        policy.census_date = Some(
            parse_date(&s)
                .ok_or_else(|| err("census_date", "a date \"YYYY-MM-DD\"", format!("{v}")))?,
        );
    }
    if let Some(g) = pk.entry_grade {
        if !(0..=1).contains(&g) {
            return Err(err("entry_grade", "0 (kindergarten) or 1", g.to_string()));
        }
        policy.entry_grade = g as u32;
    }
    if let Some(a) = pk.entry_age {
        if !(3..=10).contains(&a) {
            return Err(err("entry_age", "an age between 3 and 10", a.to_string()));
        }
        policy.entry_age = a as u32;
    }
    if let Some(cs) = pk.class_size {
        for (lvl, v, slot) in [
            ("primary", cs.primary, &mut policy.class_size_primary),
            ("junior", cs.junior, &mut policy.class_size_junior),
        ] {
            if let Some(v) = v {
                if !(1..=200).contains(&v) {
                    return Err(err(
                        &format!("class_size.{lvl}"),
                        "a class size between 1 and 200",
                        v.to_string(),
                    ));
                }
                *slot = v as u32;
            }
        }
    }
    if let Some(mt) = pk.max_travel_m {
        for (lvl, v, slot) in [
            ("primary", mt.primary, &mut policy.max_travel_m_primary),
            ("junior", mt.junior, &mut policy.max_travel_m_junior),
        ] {
            if let Some(v) = v {
                if !(v.is_finite() && v > 0.0) {
                    return Err(err(
                        &format!("max_travel_m.{lvl}"),
                        "a positive distance in metres",
                        v.to_string(),
                    ));
                }
                *slot = v;
            }
        }
    }
    if let Some(b) = pk.special_needs_near_home {
        policy.special_needs_near_home = b;
    }
    if let Some(mt) = pk.max_travel_min {
        if inputs.roads.is_none() {
            return Err(err(
                "max_travel_min",
                "travel limits in minutes only together with a road network ([inputs] roads or --roads)",
                "max_travel_min without roads".into(),
            ));
        }
        for (lvl, v, slot) in [
            ("primary", mt.primary, &mut policy.max_travel_min_primary),
            ("junior", mt.junior, &mut policy.max_travel_min_junior),
        ] {
            if let Some(v) = v {
                if !(v.is_finite() && v > 0.0) {
                    return Err(err(
                        &format!("max_travel_min.{lvl}"),
                        "a positive number of minutes",
                        v.to_string(),
                    ));
                }
                *slot = Some(v);
            }
        }
    }
    let stability = f
        .weights
        .and_then(|w| w.stability_m_per_student)
        .unwrap_or(0.0);
    if !(stability.is_finite() && stability >= 0.0) {
        return Err(
            InputError::new(&file, "a weight >= 0", stability.to_string())
                .at("[weights]")
                .field("stability_m_per_student"),
        );
    }
    let meta = f.scenario.unwrap_or_default();
    Ok(Scenario {
        name: meta.name,
        synthetic: meta.synthetic.unwrap_or(false),
        policy,
        inputs,
        stability_m_per_student: stability,
    })
}

/// A TOML error in a planner's words: the line, the setting (`[section]
/// key`), what kind of value was expected, with an example.
fn toml_error(e: &toml::de::Error, text: &str, file: &str) -> InputError {
    let msg = e.message().trim().to_string();
    let Some(span) = e.span() else {
        return InputError::new(file, "a valid scenario.toml (keys as in the README)", msg);
    };
    let start = span.start.min(text.len());
    let line_no = text[..start].matches('\n').count() + 1;
    let line = text.lines().nth(line_no - 1).unwrap_or("");
    let section = text[..start]
        .lines()
        .rev()
        .find_map(|l| {
            let l = l.trim();
            (l.starts_with('[') && l.ends_with(']'))
                .then(|| l.trim_matches(['[', ']']).trim().to_string())
        })
        .unwrap_or_default();
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim().to_string())
        .filter(|k| !k.is_empty() && !k.starts_with('['));
    let (expected, found) = match msg
        .strip_prefix("invalid type: ")
        .and_then(|m| m.split_once(", expected "))
    {
        Some((found, exp)) => {
            let exp = match exp {
                "i64" | "u64" | "i32" | "u32" => "a whole number, e.g. 2023".to_string(),
                "f64" => "a number, e.g. 3000".to_string(),
                "a boolean" => "true or false".to_string(),
                "a string" => "text in quotes, e.g. \"08-31\"".to_string(),
                e if e.starts_with("struct Levels") => {
                    "a table per level, e.g. { primary = 45, junior = 50 }".to_string()
                }
                e => e.to_string(),
            };
            (exp, found.to_string())
        }
        None => (
            "a valid scenario.toml (keys as in the README)".to_string(),
            msg.clone(),
        ),
    };
    let mut err = InputError::new(file, expected, found).at(format!("line {line_no}"));
    if let Some(k) = key {
        err = err.field(if section.is_empty() {
            k
        } else {
            format!("[{section}] {k}")
        });
    }
    err
}
