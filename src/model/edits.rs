//! What-if edits (`[[edit]]` in `scenario.toml`): close a school, change its
//! entry classes, open a new one. They change the schools read from
//! `schools.geojson` before anything is solved, so two scenarios that differ
//! only in their edits can be compared side by side.

use super::{Level, PerLevel, Policy, School, SchoolKind};
use std::collections::HashMap;
use std::fmt;

/// One what-if change to the list of schools.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    /// The school takes no students in this scenario: it is removed from the
    /// list, so the students of its catchment are placed at the other
    /// schools (their nearest with seats, as the assignment decides).
    Close { school: String },
    /// Entry classes of a school at one level. `level` may be left out for a
    /// school that teaches one level; a nine-year school needs it.
    Classes {
        school: String,
        level: Option<Level>,
        change: ClassChange,
    },
    /// A new school, appended after the existing ones (in edit order).
    Open { school: School },
}

/// How an edit changes a school's entry classes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ClassChange {
    /// Add classes (negative: remove). A school given by explicit
    /// `capacity` gains or loses `n` x class size seats.
    Add(i64),
    /// Exactly this many entry classes; an explicit `capacity` at that level
    /// is dropped, so seats become classes x class size.
    Set(i64),
}

/// Why an edit cannot be applied, in the words of `scenario.toml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EditError {
    /// 1-based position of the edit (the Nth `[[edit]]`).
    pub edit: usize,
    /// The key of the edit at fault (`close`, `school`, `level`, ...).
    pub field: &'static str,
    pub expected: String,
    pub found: String,
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[[edit]] {}: field `{}`: expected {}, found {}",
            self.edit, self.field, self.expected, self.found
        )
    }
}

impl std::error::Error for EditError {}

/// Applies `edits` in order to `schools`.
///
/// Schools keep their order: a closed school is removed where it stood, an
/// opened school is appended, so outputs stay deterministic. An id closed
/// by one edit may be opened again by a later one. Class sizes not set by
/// the school come from `policy`. On error `schools` is left unchanged.
///
/// ```
/// use catchment::model::{
///     ClassChange, Edit, Level, PerLevel, Policy, School, SchoolKind, Sector, apply_edits,
/// };
/// let school = |id: &str| School {
///     id: id.into(), name: id.into(), lon: 111.8, lat: 38.9,
///     kind: SchoolKind::Primary, sector: Sector::Public, boarding: false,
///     serves: vec![], entry_classes: PerLevel::both(2), capacity: PerLevel::default(),
///     class_size: PerLevel::default(), max_travel_m: PerLevel::default(),
/// };
/// let mut schools = vec![school("P01"), school("P02")];
/// let edits = [
///     Edit::Close { school: "P01".into() },
///     Edit::Classes { school: "P02".into(), level: None, change: ClassChange::Add(1) },
/// ];
/// let policy = Policy::standard(2023);
/// apply_edits(&mut schools, &edits, &policy).unwrap();
/// assert_eq!(schools.len(), 1);
/// assert_eq!(schools[0].seats(Level::Primary, &policy), Some(3 * 45));
/// ```
pub fn apply_edits(
    schools: &mut Vec<School>,
    edits: &[Edit],
    policy: &Policy,
) -> Result<(), EditError> {
    let mut out = schools.clone();
    // Ids closed so far and by which edit, for a clearer message when a
    // later edit names one.
    let mut closed: HashMap<&str, usize> = HashMap::new();
    for (i, edit) in edits.iter().enumerate() {
        let n = i + 1;
        let err = |field: &'static str, expected: String, found: String| EditError {
            edit: n,
            field,
            expected,
            found,
        };
        let find = |out: &[School], id: &str, field: &'static str| {
            out.iter().position(|s| s.id == id).ok_or_else(|| {
                let found = match closed.get(id) {
                    Some(by) => format!("\"{id}\" (closed by [[edit]] {by})"),
                    None => format!("\"{id}\""),
                };
                err(
                    field,
                    "the id of a school in the schools file or opened by an earlier edit".into(),
                    found,
                )
            })
        };
        match edit {
            Edit::Close { school } => {
                let j = find(&out, school, "close")?;
                out.remove(j);
                closed.insert(school.as_str(), n);
            }
            Edit::Classes {
                school,
                level,
                change,
            } => {
                let j = find(&out, school, "school")?;
                change_classes(&mut out[j], *level, *change, policy)
                    .map_err(|(f, e, x)| err(f, e, x))?;
            }
            Edit::Open { school } => {
                if let Some(s) = out.iter().find(|s| s.id == school.id) {
                    return Err(err(
                        "open",
                        "a new school id (one no school has yet)".into(),
                        format!("\"{}\", the id of {}", s.id, s.name),
                    ));
                }
                for l in Level::ALL.into_iter().filter(|&l| school.kind.serves(l)) {
                    if school.entry_classes.get(l).is_none() && school.capacity.get(l).is_none() {
                        return Err(err(
                            "entry_classes",
                            format!("`entry_classes` or `capacity` for {}", l.as_str()),
                            "neither".into(),
                        ));
                    }
                }
                closed.remove(school.id.as_str());
                out.push(school.clone());
            }
        }
    }
    *schools = out;
    Ok(())
}

/// A field at fault, what was expected, what was found.
type Fault = (&'static str, String, String);

fn change_classes(
    s: &mut School,
    level: Option<Level>,
    change: ClassChange,
    policy: &Policy,
) -> Result<(), Fault> {
    let taught = match s.kind {
        SchoolKind::Primary => "\"primary\"",
        SchoolKind::Junior => "\"junior\"",
        SchoolKind::NineYear => "\"primary\" or \"junior\"",
    };
    let level = match (level, s.kind) {
        (Some(l), k) if k.serves(l) => l,
        (Some(l), _) => {
            return Err((
                "level",
                format!("a level {} teaches: {taught}", s.id),
                format!("\"{}\"", l.as_str()),
            ));
        }
        (None, SchoolKind::Primary) => Level::Primary,
        (None, SchoolKind::Junior) => Level::Junior,
        (None, SchoolKind::NineYear) => {
            return Err((
                "level",
                format!("{taught} ({} is a nine-year school)", s.id),
                "none".into(),
            ));
        }
    };
    let size = i64::from(s.class_size(level, policy));
    let classes = slot(&mut s.entry_classes, level);
    let lvl = level.as_str();
    match change {
        ClassChange::Set(n) => {
            let n = u32::try_from(n).map_err(|_| {
                (
                    "set_classes",
                    "a number of classes >= 0".to_string(),
                    n.to_string(),
                )
            })?;
            *classes = Some(n);
            *slot(&mut s.capacity, level) = None;
        }
        ClassChange::Add(k) => {
            let had_classes = *classes;
            if let Some(c) = had_classes {
                let now = u32::try_from(i64::from(c) + k).map_err(|_| {
                    (
                        "add_classes",
                        format!(
                            "at most {c} classes removed ({} has {c} {lvl} entry classes)",
                            s.id
                        ),
                        k.to_string(),
                    )
                })?;
                *slot(&mut s.entry_classes, level) = Some(now);
            }
            // Explicit seats override classes, so they move with the classes;
            // a school given by capacity alone gains or loses whole classes
            // of seats.
            if let Some(cap) = s.capacity.get(level) {
                let now = u32::try_from(i64::from(cap) + k * size).map_err(|_| {
                    (
                        "add_classes",
                        format!(
                            "at most {} classes removed ({} has {cap} {lvl} seats, {size} a class)",
                            i64::from(cap) / size,
                            s.id
                        ),
                        k.to_string(),
                    )
                })?;
                *slot(&mut s.capacity, level) = Some(now);
            }
        }
    }
    Ok(())
}

fn slot<T>(p: &mut PerLevel<T>, level: Level) -> &mut Option<T> {
    match level {
        Level::Primary => &mut p.primary,
        Level::Junior => &mut p.junior,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Sector;

    fn school(id: &str, kind: SchoolKind) -> School {
        School {
            id: id.into(),
            name: format!("{id} school"),
            lon: 111.8,
            lat: 38.9,
            kind,
            sector: Sector::Public,
            boarding: false,
            serves: vec![],
            entry_classes: PerLevel::both(2),
            capacity: PerLevel::default(),
            class_size: PerLevel::default(),
            max_travel_m: PerLevel::default(),
        }
    }

    fn county() -> Vec<School> {
        vec![
            school("P01", SchoolKind::Primary),
            school("J01", SchoolKind::Junior),
            school("N01", SchoolKind::NineYear),
        ]
    }

    fn ids(schools: &[School]) -> Vec<&str> {
        schools.iter().map(|s| s.id.as_str()).collect()
    }

    fn close(id: &str) -> Edit {
        Edit::Close { school: id.into() }
    }

    fn classes(id: &str, level: Option<Level>, change: ClassChange) -> Edit {
        Edit::Classes {
            school: id.into(),
            level,
            change,
        }
    }

    fn apply(edits: &[Edit]) -> Result<Vec<School>, EditError> {
        let mut s = county();
        apply_edits(&mut s, edits, &Policy::standard(2023))?;
        Ok(s)
    }

    fn fails(edits: &[Edit]) -> EditError {
        let mut s = county();
        let e = apply_edits(&mut s, edits, &Policy::standard(2023)).unwrap_err();
        assert_eq!(s, county(), "schools unchanged on error");
        e
    }

    #[test]
    fn no_edits_change_nothing() {
        assert_eq!(apply(&[]).unwrap(), county());
    }

    #[test]
    fn close_removes_the_school_and_keeps_order() {
        let s = apply(&[close("J01")]).unwrap();
        assert_eq!(ids(&s), ["P01", "N01"]);
    }

    #[test]
    fn close_unknown_or_twice_is_refused() {
        let e = fails(&[close("P09")]);
        assert_eq!((e.edit, e.field, e.found.as_str()), (1, "close", "\"P09\""));
        let e = fails(&[close("P01"), close("P01")]);
        assert_eq!(e.edit, 2);
        assert_eq!(e.found, "\"P01\" (closed by [[edit]] 1)");
    }

    #[test]
    fn add_and_set_classes() {
        let p = Policy::standard(2023);
        let s = apply(&[
            classes("P01", None, ClassChange::Add(2)),
            classes("J01", None, ClassChange::Add(-2)),
            classes("N01", Some(Level::Junior), ClassChange::Set(6)),
        ])
        .unwrap();
        assert_eq!(s[0].seats(Level::Primary, &p), Some(4 * 45));
        assert_eq!(s[1].seats(Level::Junior, &p), Some(0));
        assert_eq!(s[2].seats(Level::Junior, &p), Some(6 * 50));
        assert_eq!(
            s[2].seats(Level::Primary, &p),
            Some(2 * 45),
            "other level kept"
        );
    }

    #[test]
    fn classes_use_the_school_class_size() {
        let mut county = county();
        county[0].class_size = PerLevel::both(40);
        county[0].entry_classes = PerLevel::default();
        county[0].capacity = PerLevel::both(100);
        let p = Policy::standard(2023);
        apply_edits(
            &mut county,
            &[classes("P01", None, ClassChange::Add(-1))],
            &p,
        )
        .unwrap();
        assert_eq!(county[0].capacity.primary, Some(60));
        assert_eq!(county[0].entry_classes.primary, None);
    }

    #[test]
    fn capacity_moves_by_whole_classes() {
        let p = Policy::standard(2023);
        let mut s = county();
        s[0].entry_classes = PerLevel::default();
        s[0].capacity = PerLevel::both(180);
        s[1].capacity = PerLevel::both(120); // with classes: capacity rules
        apply_edits(
            &mut s,
            &[
                classes("P01", None, ClassChange::Add(2)),
                classes("J01", None, ClassChange::Add(1)),
            ],
            &p,
        )
        .unwrap();
        assert_eq!(s[0].seats(Level::Primary, &p), Some(180 + 2 * 45));
        assert_eq!(s[1].seats(Level::Junior, &p), Some(120 + 50));
        assert_eq!(s[1].entry_classes.junior, Some(3));
        // set_classes replaces explicit seats by classes x class size.
        apply_edits(&mut s, &[classes("P01", None, ClassChange::Set(3))], &p).unwrap();
        assert_eq!(s[0].seats(Level::Primary, &p), Some(3 * 45));
    }

    #[test]
    fn too_few_classes_are_refused() {
        let e = fails(&[classes("P01", None, ClassChange::Add(-3))]);
        assert_eq!(
            (e.edit, e.field, e.found.as_str()),
            (1, "add_classes", "-3")
        );
        assert!(e.expected.contains("at most 2 classes removed"), "{e}");
        let e = fails(&[classes("P01", None, ClassChange::Set(-1))]);
        assert_eq!(e.field, "set_classes");
        let mut s = county();
        s[0].entry_classes = PerLevel::default();
        s[0].capacity = PerLevel::both(100);
        let e = apply_edits(
            &mut s,
            &[classes("P01", None, ClassChange::Add(-3))],
            &Policy::standard(2023),
        )
        .unwrap_err();
        assert!(e.expected.contains("at most 2 classes removed"), "{e}");
    }

    #[test]
    fn level_must_be_taught_and_given_for_nine_year() {
        let e = fails(&[classes("P01", Some(Level::Junior), ClassChange::Add(1))]);
        assert_eq!((e.field, e.found.as_str()), ("level", "\"junior\""));
        assert!(e.expected.contains("\"primary\""), "{e}");
        let e = fails(&[classes("N01", None, ClassChange::Add(1))]);
        assert_eq!((e.field, e.found.as_str()), ("level", "none"));
        assert!(e.expected.contains("nine-year"), "{e}");
    }

    #[test]
    fn classes_of_unknown_school_are_refused() {
        let e = fails(&[classes("X1", None, ClassChange::Add(1))]);
        assert_eq!((e.edit, e.field, e.found.as_str()), (1, "school", "\"X1\""));
    }

    #[test]
    fn open_appends_in_edit_order() {
        let s = apply(&[
            Edit::Open {
                school: school("P99", SchoolKind::Primary),
            },
            close("P01"),
            Edit::Open {
                school: school("P98", SchoolKind::Primary),
            },
            classes("P99", None, ClassChange::Add(1)),
        ])
        .unwrap();
        assert_eq!(ids(&s), ["J01", "N01", "P99", "P98"]);
        assert_eq!(s[2].entry_classes.primary, Some(3));
    }

    #[test]
    fn open_an_existing_id_is_refused_unless_closed() {
        let open = Edit::Open {
            school: school("J01", SchoolKind::Primary),
        };
        let e = fails(std::slice::from_ref(&open));
        assert_eq!((e.edit, e.field), (1, "open"));
        assert!(e.found.contains("J01 school"), "{e}");
        let s = apply(&[close("J01"), open]).unwrap();
        assert_eq!(ids(&s), ["P01", "N01", "J01"]);
    }

    #[test]
    fn open_without_seats_is_refused() {
        let mut new = school("N99", SchoolKind::NineYear);
        new.entry_classes.junior = None;
        let e = fails(&[Edit::Open { school: new }]);
        assert_eq!(e.field, "entry_classes");
        assert!(e.expected.contains("junior"), "{e}");
    }

    #[test]
    fn error_reads_like_the_scenario() {
        let e = fails(&[close("P01"), close("P09")]);
        assert_eq!(
            e.to_string(),
            "[[edit]] 2: field `close`: expected the id of a school in the schools file or \
             opened by an earlier edit, found \"P09\""
        );
    }
}
