//! `scenario.toml`: input paths, the policy, weights. Unknown keys are
//! refused so a typo never silently falls back to a default.

mod edit;
pub use edit::edit_from_json;

use crate::io::error::InputError;
use crate::io::households::parse_date;
use crate::model::{Edit, MonthDay, Policy};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
struct File {
    scenario: Option<Meta>,
    inputs: Option<Inputs>,
    policy: Option<PolicyKeys>,
    weights: Option<Weights>,
    zones: Option<ZoneKeys>,
    edit: Option<Vec<edit::EditKeys>>,
    forecast: Option<ForecastKeys>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
struct ForecastKeys {
    housing_yield: Option<std::collections::BTreeMap<String, Levels<f64>>>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
struct ZoneKeys {
    whole_units: Option<bool>,
    contiguous: Option<bool>,
    feeder: Option<bool>,
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
    coords: Option<String>,
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
    stability_sweep: Option<Vec<f64>>,
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
    /// The coordinate system of every input geometry (`coords = "gcj02"`);
    /// `None`: not set (WGS84 unless `--coords` says otherwise).
    pub coords: Option<crate::spatial::coords::CoordSystem>,
}

impl InputPaths {
    /// Each path with its `[inputs]` key, in the file's order.
    pub fn named(&self) -> [(&'static str, Option<&Path>); 9] {
        [
            ("households", self.households.as_deref()),
            ("schools", self.schools.as_deref()),
            ("roads", self.roads.as_deref()),
            ("current", self.current.as_deref()),
            ("boundary", self.boundary.as_deref()),
            ("pins", self.pins.as_deref()),
            ("births", self.births.as_deref()),
            ("enrollment", self.enrollment.as_deref()),
            ("housing", self.housing.as_deref()),
        ]
    }

    /// Every path given passed through `f` (e.g. made absolute).
    pub fn map_paths(&self, f: impl Fn(&Path) -> PathBuf) -> InputPaths {
        let m = |p: &Option<PathBuf>| p.as_deref().map(&f);
        InputPaths {
            households: m(&self.households),
            schools: m(&self.schools),
            roads: m(&self.roads),
            current: m(&self.current),
            boundary: m(&self.boundary),
            pins: m(&self.pins),
            births: m(&self.births),
            enrollment: m(&self.enrollment),
            housing: m(&self.housing),
            coords: self.coords,
        }
    }
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
    /// Weights tried by `plan --sweep` when it names none.
    pub stability_sweep: Vec<f64>,
    pub zones: ZoneOptions,
    /// What-if edits (`[[edit]]`), in order: applied to the schools read
    /// with [`crate::model::apply_edits`].
    pub edits: Vec<Edit>,
    /// `[forecast] housing_yield`: students per new dwelling by dwelling
    /// type, `[primary, junior]`; always has `default`
    /// ([`DEFAULT_HOUSING_YIELD`] unless the scenario sets it).
    pub housing_yield: std::collections::BTreeMap<String, [f64; 2]>,
}

/// Students per new dwelling, primary and junior, when the scenario gives
/// no local survey: China's 2020 census shares of children aged 6-11 (about
/// 7.5% of the population) and 12-14 (about 3.6%) times 2.62 people per
/// household. New estates in county towns draw young families, so measure
/// the local yield (children per flat in estates completed 3-5 years ago)
/// and set it in `[forecast] housing_yield`.
pub const DEFAULT_HOUSING_YIELD: [f64; 2] = [0.2, 0.1];

fn default_yield() -> std::collections::BTreeMap<String, [f64; 2]> {
    [("default".to_string(), DEFAULT_HOUSING_YIELD)].into()
}

/// How zones are drawn (`[zones]`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ZoneOptions {
    /// All students of a unit at one school (also `--whole-units`).
    pub whole_units: bool,
    /// Each zone one piece: enclaves moved to a neighbouring zone (with
    /// whole units). Default true.
    pub contiguous: bool,
    /// Each junior zone a union of whole primary zones (also `--feeder`).
    pub feeder: bool,
}

impl Default for ZoneOptions {
    fn default() -> Self {
        ZoneOptions {
            whole_units: false,
            contiguous: true,
            feeder: false,
        }
    }
}

/// Weights tried by the sweep unless the scenario or the command names others.
pub const DEFAULT_SWEEP: [f64; 7] = [0.0, 100.0, 250.0, 500.0, 1000.0, 2000.0, 5000.0];

impl Scenario {
    /// No config file: the standard policy for `entry_year`.
    pub fn standard(entry_year: i32) -> Scenario {
        Scenario {
            name: None,
            synthetic: false,
            policy: Policy::standard(entry_year),
            inputs: InputPaths::default(),
            stability_m_per_student: 0.0,
            stability_sweep: DEFAULT_SWEEP.to_vec(),
            zones: ZoneOptions::default(),
            edits: vec![],
            housing_yield: default_yield(),
        }
    }
}

/// Read and check `scenario.toml`: input paths resolved against its
/// folder, the policy (entry year `default_year` unless it names one),
/// weights, zone options, `[[edit]]`s and the forecast's housing yield.
/// The first problem found is the error, in that order.
pub fn read_scenario(path: &Path, default_year: i32) -> Result<Scenario, InputError> {
    let file = path.display().to_string();
    let text = crate::io::geojson::read_text(path)?;
    let f: File = toml::from_str(&text).map_err(|e| toml_error(&e, &text, &file))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let inputs = input_paths(f.inputs.unwrap_or_default(), base, &file)?;
    let policy = policy(f.policy.unwrap_or_default(), default_year, &inputs, &file)?;
    let (stability, sweep) = weights(f.weights.unwrap_or_default(), &file)?;
    let zk = f.zones.unwrap_or_default();
    let zones = ZoneOptions {
        whole_units: zk.whole_units.unwrap_or(false),
        contiguous: zk.contiguous.unwrap_or(true),
        feeder: zk.feeder.unwrap_or(false),
    };
    let edits = f
        .edit
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, e)| edit::edit(e, i + 1, &file))
        .collect::<Result<Vec<_>, _>>()?;
    let housing_yield = housing_yield(f.forecast.and_then(|f| f.housing_yield), &file)?;
    let meta = f.scenario.unwrap_or_default();
    Ok(Scenario {
        name: meta.name,
        synthetic: meta.synthetic.unwrap_or(false),
        policy,
        inputs,
        stability_m_per_student: stability,
        stability_sweep: sweep,
        zones,
        edits,
        housing_yield,
    })
}

/// `[inputs]`: each path resolved against `base` (the scenario's folder).
fn input_paths(i: Inputs, base: &Path, file: &str) -> Result<InputPaths, InputError> {
    let parse_coords = |c: &str| {
        crate::spatial::coords::CoordSystem::parse(c).ok_or_else(|| {
            InputError::new(
                file,
                "\"wgs84\", \"gcj02\" (Amap/Gaode, Tencent) or \"bd09\" (Baidu)",
                format!("\"{c}\""),
            )
            .at("[inputs]")
            .field("coords")
        })
    };
    let resolve = |p: &Option<String>| p.as_ref().map(|p| base.join(p));
    Ok(InputPaths {
        households: resolve(&i.households),
        schools: resolve(&i.schools),
        roads: resolve(&i.roads),
        current: resolve(&i.current),
        boundary: resolve(&i.boundary),
        pins: resolve(&i.pins),
        births: resolve(&i.births),
        enrollment: resolve(&i.enrollment),
        housing: resolve(&i.housing),
        coords: i.coords.as_deref().map(parse_coords).transpose()?,
    })
}

/// An error in `[policy]`.
fn policy_error(file: &str, field: &str, expected: &str, found: String) -> InputError {
    InputError::new(file, expected, found)
        .at("[policy]")
        .field(field)
}

/// `[policy]`: the standard policy of the entry year, with the keys given.
/// Travel limits in minutes need a road network among the `inputs`.
fn policy(
    pk: PolicyKeys,
    default_year: i32,
    inputs: &InputPaths,
    file: &str,
) -> Result<Policy, InputError> {
    let err = |field: &str, exp: &str, found: String| policy_error(file, field, exp, found);
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
    policy_calendar(&pk, &mut policy, file)?;
    policy_limits(pk, &mut policy, inputs, file)?;
    Ok(policy)
}

/// The dates and ages of entry: `cutoff`, `census_date`, `entry_grade`,
/// `entry_age`.
fn policy_calendar(pk: &PolicyKeys, policy: &mut Policy, file: &str) -> Result<(), InputError> {
    let err = |field: &str, exp: &str, found: String| policy_error(file, field, exp, found);
    if let Some(c) = &pk.cutoff {
        policy.cutoff = MonthDay::parse(c).ok_or_else(|| {
            err(
                "cutoff",
                "a month-day \"MM-DD\" (not 02-29)",
                format!("\"{c}\""),
            )
        })?;
    }
    if let Some(v) = &pk.census_date {
        let s = match v {
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
    Ok(())
}

/// Class sizes, travel limits and special-needs placement.
fn policy_limits(
    pk: PolicyKeys,
    policy: &mut Policy,
    inputs: &InputPaths,
    file: &str,
) -> Result<(), InputError> {
    let err = |field: &str, exp: &str, found: String| policy_error(file, field, exp, found);
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
    Ok(())
}

/// `[weights]`: the stability weight and the sweep's weights, all >= 0.
fn weights(weights: Weights, file: &str) -> Result<(f64, Vec<f64>), InputError> {
    let stability = weights.stability_m_per_student.unwrap_or(0.0);
    let sweep = weights.stability_sweep.unwrap_or(DEFAULT_SWEEP.to_vec());
    if let Some(w) = sweep.iter().find(|w| !(w.is_finite() && **w >= 0.0)) {
        return Err(InputError::new(
            file,
            "weights >= 0, e.g. [0, 250, 500, 1000]",
            w.to_string(),
        )
        .at("[weights]")
        .field("stability_sweep"));
    }
    if !(stability.is_finite() && stability >= 0.0) {
        return Err(
            InputError::new(file, "a weight >= 0", stability.to_string())
                .at("[weights]")
                .field("stability_m_per_student"),
        );
    }
    Ok((stability, sweep))
}

/// `[forecast] housing_yield`: students per dwelling by dwelling type.
fn housing_yield(
    given: Option<std::collections::BTreeMap<String, Levels<f64>>>,
    file: &str,
) -> Result<std::collections::BTreeMap<String, [f64; 2]>, InputError> {
    let mut housing_yield = default_yield();
    // `default` first: a type that gives one level takes the other from it.
    let mut kinds: Vec<_> = given.unwrap_or_default().into_iter().collect();
    kinds.sort_by_key(|(k, _)| k != "default");
    for (kind, y) in kinds {
        let mut v = housing_yield
            .get("default")
            .copied()
            .unwrap_or(DEFAULT_HOUSING_YIELD);
        for (k, (lvl, x)) in [("primary", y.primary), ("junior", y.junior)]
            .into_iter()
            .enumerate()
        {
            match x {
                Some(x) if x.is_finite() && (0.0..=5.0).contains(&x) => v[k] = x,
                Some(x) => {
                    return Err(InputError::new(
                        file,
                        "students per dwelling between 0 and 5",
                        x.to_string(),
                    )
                    .at("[forecast] housing_yield")
                    .field(format!("{kind}.{lvl}")));
                }
                None => {}
            }
        }
        housing_yield.insert(kind, v);
    }
    Ok(housing_yield)
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
    // The header above the error: `[policy]`, or the Nth `[[edit]]` (an
    // array of tables is located by its item).
    let header = |l: &str| {
        let l = l.split('#').next().unwrap_or("").trim();
        (l.starts_with('[') && l.ends_with(']')).then(|| {
            let array = l.starts_with("[[");
            (l.trim_matches(['[', ']']).trim().to_string(), array)
        })
    };
    let section = text[..start].lines().rev().find_map(header);
    let (section, item) = match section {
        Some((name, true)) => {
            let nth = text[..start]
                .lines()
                .filter(|l| header(l).is_some_and(|(n, a)| a && n == name))
                .count();
            (String::new(), Some(format!("[[{name}]] {nth}")))
        }
        Some((name, false)) => (name, None),
        None => (String::new(), None),
    };
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
                "i64" | "u64" | "i32" | "u32" => match &key {
                    Some(k) if k.contains("year") => "a whole number, e.g. 2023".to_string(),
                    _ => "a whole number, e.g. 2".to_string(),
                },
                "f64" => "a number, e.g. 3000".to_string(),
                "a boolean" => "true or false".to_string(),
                "a string" => "text in quotes, e.g. \"08-31\"".to_string(),
                "a sequence" if key.is_none() => match header(line) {
                    Some((name, _)) => {
                        format!("a list: write each item under its own [[{name}]] header")
                    }
                    None => "a list".to_string(),
                },
                e if e.starts_with("struct EditKeys") => {
                    "a table of edit keys under [[edit]], e.g. close = \"P03\"".to_string()
                }
                e if e.starts_with("struct Levels") => {
                    "a table per level, e.g. { primary = 45, junior = 50 }".to_string()
                }
                e => e.to_string(),
            };
            (exp, found.to_string())
        }
        None => match msg
            .strip_prefix("unknown field ")
            .and_then(|m| m.split_once(", expected "))
        {
            // A typo: the keys allowed here, and the one given.
            Some((found, exp)) => (
                format!("a key of scenario.toml here: {exp}"),
                format!("unknown key {found}"),
            ),
            None => (
                "a valid scenario.toml (keys as in the README)".to_string(),
                msg.clone(),
            ),
        },
    };
    let at = match item {
        Some(item) => format!("{item}, line {line_no}"),
        None => format!("line {line_no}"),
    };
    let mut err = InputError::new(file, expected, found).at(at);
    if let Some(k) = key {
        err = err.field(if section.is_empty() {
            k
        } else {
            format!("[{section}] {k}")
        });
    }
    err
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ClassChange, Level, PerLevel, SchoolKind, Sector};

    fn read(toml: &str) -> Result<Scenario, InputError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("scenario.toml");
        std::fs::write(&path, toml).unwrap();
        read_scenario(&path, 2023)
    }

    fn edits(toml: &str) -> Vec<Edit> {
        read(toml).unwrap().edits
    }

    fn refused(toml: &str) -> String {
        read(toml).unwrap_err().to_string()
    }

    #[test]
    fn open_edits_beyond_the_limits_are_refused() {
        let open = "[[edit]]\nopen = \"P9\"\nname = \"新校\"\nlevel = \"primary\"\nlon = 111.8\nlat = 38.9\n";
        let e = refused(&format!("{open}capacity = 100001\n"));
        assert!(e.contains("field `capacity`"), "{e}");
        assert!(e.contains("at most 100,000 per school and level"), "{e}");
        let e = refused(&format!("{open}entry_classes = 2\nmax_travel_m = 2e6\n"));
        assert!(e.contains("field `max_travel_m`"), "{e}");
        assert!(e.contains("at most 1,000,000"), "{e}");
        assert_eq!(
            edits(&format!("{open}capacity = 100000\nmax_travel_m = 1e6\n")).len(),
            1
        );
    }

    #[test]
    fn no_edits_by_default() {
        assert!(edits("[policy]\nentry_year = 2023\n").is_empty());
        assert!(Scenario::standard(2023).edits.is_empty());
    }

    #[test]
    fn close_edit() {
        let e = edits("[[edit]]   # close it\nclose = \"P03\"\n\n[[edit]]\nclose = 7\n");
        assert_eq!(
            e,
            [
                Edit::Close {
                    school: "P03".into()
                },
                Edit::Close { school: "7".into() }
            ]
        );
    }

    #[test]
    fn classes_edits() {
        let e = edits(
            "[[edit]]\nschool = \"J02\"\nadd_classes = -2\nlevel = \"junior\"\n\
             [[edit]]\nschool = \"P01\"\nset_classes = 6\n",
        );
        assert_eq!(
            e,
            [
                Edit::Classes {
                    school: "J02".into(),
                    level: Some(Level::Junior),
                    change: ClassChange::Add(-2)
                },
                Edit::Classes {
                    school: "P01".into(),
                    level: None,
                    change: ClassChange::Set(6)
                }
            ]
        );
    }

    #[test]
    fn open_edits() {
        let e = edits(
            "[[edit]]\nopen = \"P99\"\nname = \"城东新区小学\"\nlevel = \"primary\"\n\
             lon = 111.84\nlat = 38.92\nentry_classes = 4\n\
             [[edit]]\nopen = \"N99\"\nname = \"新区九年制学校\"\nlevel = \"nine_year\"\n\
             lon = 112\nlat = 39\nentry_classes = { primary = 4, junior = 3 }\n\
             boarding = true\nserves = [\"胡会乡\"]\nmax_travel_m = { junior = 12000 }\n\
             [[edit]]\nopen = \"J99\"\nname = \"新区中学\"\nlevel = \"junior\"\n\
             lon = 111.9\nlat = 38.9\ncapacity = 180\nclass_size = 45\n",
        );
        let [
            Edit::Open { school: p },
            Edit::Open { school: n },
            Edit::Open { school: j },
        ] = &e[..]
        else {
            panic!("three open edits: {e:?}");
        };
        assert_eq!((p.id.as_str(), p.name.as_str()), ("P99", "城东新区小学"));
        assert_eq!(
            (p.kind, p.sector, p.boarding),
            (SchoolKind::Primary, Sector::Public, false)
        );
        assert_eq!((p.lon, p.lat), (111.84, 38.92));
        assert_eq!(p.entry_classes, PerLevel::both(4));
        assert_eq!(n.kind, SchoolKind::NineYear);
        assert_eq!((n.lon, n.lat), (112.0, 39.0));
        assert_eq!(n.entry_classes.primary, Some(4));
        assert_eq!(n.entry_classes.junior, Some(3));
        assert!(n.boarding);
        assert_eq!(n.serves, ["胡会乡"]);
        assert_eq!(n.max_travel_m.junior, Some(12000.0));
        assert_eq!(n.max_travel_m.primary, None);
        assert_eq!(j.capacity, PerLevel::both(180));
        assert_eq!(j.entry_classes, PerLevel::default());
        assert_eq!(j.class_size, PerLevel::both(45));
        let policy = Policy::standard(2023);
        assert_eq!(p.seats(Level::Primary, &policy), Some(180));
    }

    #[test]
    fn close_and_open_together_are_refused() {
        let m = refused("[[edit]]\nclose = \"P03\"\nopen = \"P99\"\n");
        assert!(m.contains(": [[edit]] 1: "), "{m}");
        assert!(m.contains("`close` and `open` together"), "{m}");
        let m = refused("[[edit]]\nclose = \"P03\"\n[[edit]]\nadd_classes = 1\n");
        assert!(m.contains(": [[edit]] 2: "), "{m}");
        assert!(m.contains("found none of them"), "{m}");
    }

    #[test]
    fn typo_key_is_refused() {
        let m =
            refused("[[edit]]\nclose = \"P03\"\n\n[[edit]]\nschool = \"J02\"\nadd_clases = 2\n");
        assert!(m.contains("[[edit]] 2, line 6: field `add_clases`"), "{m}");
        assert!(m.contains("unknown key `add_clases`"), "{m}");
        assert!(m.contains("`add_classes`"), "{m}");
        let m = refused("[edit]\nclose = \"P03\"\n");
        assert!(m.contains("[[edit]] header"), "{m}");
    }

    #[test]
    fn keys_of_another_kind_are_refused() {
        let m = refused("[[edit]]\nclose = \"P03\"\nadd_classes = 1\n");
        assert!(m.contains("[[edit]] 1: field `add_classes`"), "{m}");
        assert!(m.contains("`add_classes` with `close`"), "{m}");
        let m = refused("[[edit]]\nschool = \"P03\"\nadd_classes = 1\nlon = 111.0\n");
        assert!(m.contains("field `lon`"), "{m}");
    }

    #[test]
    fn bad_classes_edits_are_refused() {
        let m = refused("[[edit]]\nschool = \"P03\"\nadd_classes = 1\nset_classes = 2\n");
        assert!(m.contains("field `add_classes, set_classes`"), "{m}");
        let m = refused("[[edit]]\nschool = \"P03\"\n");
        assert!(m.contains("found neither"), "{m}");
        let m = refused("[[edit]]\nschool = \"P03\"\nset_classes = -1\n");
        assert!(m.contains("field `set_classes`"), "{m}");
        assert!(m.contains("found -1"), "{m}");
        let m = refused("[[edit]]\nschool = \"N01\"\nadd_classes = 1\nlevel = \"nine_year\"\n");
        assert!(m.contains("field `level`"), "{m}");
        assert!(m.contains("found \"nine_year\""), "{m}");
        let m = refused("[[edit]]\nschool = \"\"\nadd_classes = 1\n");
        assert!(m.contains("field `school`: expected a school id"), "{m}");
        let m = refused("[[edit]]\nschool = \"P03\"\nadd_classes = \"2\"\n");
        assert!(m.contains("[[edit]] 1, line 3: field `add_classes`"), "{m}");
        assert!(m.contains("a whole number"), "{m}");
    }

    #[test]
    fn bad_open_edits_are_refused() {
        let base = "[[edit]]\nopen = \"P99\"\nlevel = \"primary\"\nlon = 111.8\nlat = 38.9\n";
        let m = refused(&format!("{base}entry_classes = 4\n"));
        assert!(m.contains("[[edit]] 1: field `name`"), "{m}");
        let m = refused(&format!("{base}name = \"新校\"\n"));
        assert!(m.contains("field `entry_classes`"), "{m}");
        assert!(m.contains("found neither"), "{m}");
        let m = refused(&format!("{base}name = \"新校\"\nentry_classes = 0\n"));
        assert!(
            m.contains("field `entry_classes`: expected a number of classes"),
            "{m}"
        );
        let m = refused(&format!(
            "{base}name = \"新校\"\ncapacity = {{ primry = 4 }}\n"
        ));
        assert!(m.contains("field `capacity`"), "{m}");
        assert!(m.contains("`primry`"), "{m}");
        let m = refused(
            "[[edit]]\nopen = \"P99\"\nname = \"新校\"\nlevel = \"primary\"\n\
             lon = 211.8\nlat = 38.9\nentry_classes = 4\n",
        );
        assert!(m.contains("field `lon`"), "{m}");
        assert!(m.contains("found 211.8"), "{m}");
        let m = refused(
            "[[edit]]\nopen = \"N99\"\nname = \"新校\"\nlevel = \"nine_year\"\n\
             lon = 111.8\nlat = 38.9\nentry_classes = { primary = 4 }\n",
        );
        assert!(
            m.contains("`entry_classes` or `capacity` for junior"),
            "{m}"
        );
        let m = refused(
            "[[edit]]\nopen = \"P99\"\nname = \"新校\"\nlevel = \"middle\"\n\
             lon = 111.8\nlat = 38.9\nentry_classes = 4\n",
        );
        assert!(m.contains("field `level`"), "{m}");
        let m = refused(
            "[[edit]]\nopen = \"P99\"\nname = \"新校\"\nlevel = \"primary\"\n\
             lat = 38.9\nentry_classes = 4\n",
        );
        assert!(m.contains("field `lon`"), "{m}");
        assert!(m.contains("found none"), "{m}");
    }
}
