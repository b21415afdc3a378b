//! The public notice (招生片区公告): for each level and public school, the
//! villages and communities wholly in its zone, and for a village split
//! between schools, which of its units go where (by unit id, as the inputs
//! hold no street address); boarding schools with the towns they take
//! beyond walking reach; the private schools, which take no catchment.
//!
//! Every village appears once per level: as a whole village of one school,
//! or as a split village with its parts. A unit belongs to the zone
//! [`unit_catchments`] gives it, so units with no student of the level are
//! listed too (in the zone they lie in). Pure: `notice.csv` and
//! `notice.html` are written from these rows by `io::results` and
//! `render::notice`.

use super::loaded::Loaded;
use super::zones::unit_catchments;
use crate::assign::LevelAssignment;
use crate::model::{Level, Sector, Unit, id_cmp};
use std::collections::HashMap;

/// What a notice row states.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RowKind {
    /// A village or community wholly in the school's zone.
    Village,
    /// Part of a split village: the units listed.
    Part,
    /// Units with no village given (per town, or with no town either).
    NoVillage,
    /// A boarding school takes this town's children beyond walking reach
    /// (town empty: every town).
    ServesTown,
}

impl RowKind {
    /// The `kind` column of notice.csv.
    pub fn as_str(self) -> &'static str {
        match self {
            RowKind::Village => "village",
            RowKind::Part => "part",
            RowKind::NoVillage => "no_village",
            RowKind::ServesTown => "serves_town",
        }
    }
}

/// A run of consecutive unit ids (`H000101`..`H000120`), or one id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdRange {
    pub first: String,
    pub last: String,
}

impl std::fmt::Display for IdRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.first == self.last {
            write!(f, "{}", self.first)
        } else {
            write!(f, "{}–{}", self.first, self.last)
        }
    }
}

/// One line of a school's catchment.
#[derive(Clone, Debug, PartialEq)]
pub struct NoticeRow {
    pub kind: RowKind,
    pub town: String,
    pub village: String,
    /// Units of the row (0 for `ServesTown`).
    pub units: u64,
    /// Students of the level placed at this school from these units.
    pub students: u64,
    /// The units of a `Part` or `NoVillage` row, consecutive ids as ranges.
    pub unit_ids: Vec<IdRange>,
}

/// One school's block of a level; `school: None` holds the units no school
/// takes (their students are unplaced).
#[derive(Clone, Debug, PartialEq)]
pub struct SchoolNotice {
    pub school: Option<usize>,
    pub id: String,
    pub name: String,
    pub boarding: bool,
    pub rows: Vec<NoticeRow>,
}

/// One level of the notice.
#[derive(Clone, Debug, PartialEq)]
pub struct LevelNotice {
    pub level: Level,
    /// The cohort's cutoff: born on or before this day.
    pub born_by: chrono::NaiveDate,
    /// Public schools of the level in the schools file's order, then the
    /// block of units no school takes (if any).
    pub schools: Vec<SchoolNotice>,
    /// Private schools of the level (id, name): application and lottery.
    pub private: Vec<(String, String)>,
    /// Villages (town and village given) and how many are split.
    pub villages: usize,
    pub split_villages: usize,
    /// Units whose students the plan sent to more than one school (listed
    /// under the school taking most of them).
    pub split_units: usize,
}

/// The whole notice.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    /// The scenario's name ("五寨县 Wuzhai"), possibly empty.
    pub area: String,
    pub entry_year: i32,
    pub synthetic: bool,
    /// Unit ids are published pseudonyms (`plan --public`).
    pub pseudonyms: bool,
    pub levels: Vec<LevelNotice>,
}

/// The notice of solved levels. `public_units`: the units as published
/// (`plan --public`, same order as `loaded.units`), whose ids are listed
/// instead of the households' own.
pub fn build_notice(
    loaded: &Loaded,
    levels: &[LevelAssignment],
    public_units: Option<&[Unit]>,
) -> Notice {
    let ids: Vec<&str> = public_units
        .unwrap_or(&loaded.units)
        .iter()
        .map(|u| u.id.as_str())
        .collect();
    let areas = Areas::of(&loaded.units);
    let policy = &loaded.scenario.policy;
    Notice {
        area: loaded.scenario.name.clone().unwrap_or_default(),
        entry_year: policy.entry_year,
        synthetic: loaded.scenario.synthetic,
        pseudonyms: public_units.is_some(),
        levels: levels
            .iter()
            .map(|la| {
                let born_by = policy
                    .cutoff
                    .in_year(policy.entry_year - policy.entry_age_of(la.level) as i32);
                level_notice(loaded, la, &areas, &ids, born_by)
            })
            .collect(),
    }
}

/// Towns and villages in the order they first appear among the units, and
/// each unit's (town, village) rank; `usize::MAX` where not given.
struct Areas<'a> {
    towns: Vec<&'a str>,
    /// Per (town rank, village name): the village rank within the units.
    villages: Vec<(usize, &'a str)>,
    /// Per unit: (town rank, village rank).
    of_unit: Vec<(usize, usize)>,
}

impl<'a> Areas<'a> {
    fn of(units: &'a [Unit]) -> Areas<'a> {
        let mut town_rank: HashMap<&str, usize> = HashMap::new();
        let mut village_rank: HashMap<(usize, &str), usize> = HashMap::new();
        let (mut towns, mut villages) = (Vec::new(), Vec::new());
        let of_unit = units
            .iter()
            .map(|u| {
                let t = u.town.as_deref().map_or(usize::MAX, |t| {
                    *town_rank.entry(t).or_insert_with(|| {
                        towns.push(t);
                        towns.len() - 1
                    })
                });
                let v = u.village.as_deref().map_or(usize::MAX, |v| {
                    *village_rank.entry((t, v)).or_insert_with(|| {
                        villages.push((t, v));
                        villages.len() - 1
                    })
                });
                (t, v)
            })
            .collect();
        Areas {
            towns,
            villages,
            of_unit,
        }
    }

    fn town(&self, rank: usize) -> &'a str {
        self.towns.get(rank).copied().unwrap_or("")
    }
}

/// A row with its (town, village) rank, for sorting.
type Keyed = ((usize, usize), NoticeRow);

/// One level's blocks: every unit's zone, villages whole or split.
fn level_notice(
    loaded: &Loaded,
    la: &LevelAssignment,
    areas: &Areas,
    ids: &[&str],
    born_by: chrono::NaiveDate,
) -> LevelNotice {
    let level = la.level;
    let catch = unit_catchments(loaded, la);
    // Students placed at the unit's catchment school, and the units the
    // plan split between schools.
    let mut here = vec![0u64; catch.len()];
    let mut schools_of: Vec<Option<usize>> = vec![None; catch.len()];
    let mut split_units = 0;
    for p in &la.placements {
        let Some(j) = p.school else { continue };
        if catch[p.unit] == Some(j) {
            here[p.unit] += p.students as u64;
        }
        match schools_of[p.unit] {
            None => schools_of[p.unit] = Some(j),
            Some(k) if k != j && k != usize::MAX => {
                schools_of[p.unit] = Some(usize::MAX);
                split_units += 1;
            }
            _ => {}
        }
    }
    // Units by (town, village) area, then by zone.
    let mut by_area: std::collections::BTreeMap<(usize, usize), Vec<usize>> = Default::default();
    for (i, &(t, v)) in areas.of_unit.iter().enumerate() {
        by_area.entry((t, v)).or_default().push(i);
    }
    let mut rows: HashMap<Option<usize>, Vec<Keyed>> = HashMap::new();
    let (mut villages, mut split_villages) = (0, 0);
    for ((t, v), units) in by_area {
        let mut zones: std::collections::BTreeMap<Option<usize>, Vec<usize>> = Default::default();
        for &i in &units {
            zones.entry(catch[i]).or_default().push(i);
        }
        let named = v != usize::MAX;
        if named && t != usize::MAX {
            villages += 1;
            split_villages += usize::from(zones.len() > 1);
        }
        let kind = match (named, zones.len()) {
            (false, _) => RowKind::NoVillage,
            (true, 1) => RowKind::Village,
            (true, _) => RowKind::Part,
        };
        for (zone, members) in zones {
            let row = NoticeRow {
                kind,
                town: areas.town(t).to_string(),
                village: if named {
                    areas.villages[v].1.to_string()
                } else {
                    String::new()
                },
                units: members.len() as u64,
                students: members.iter().map(|&i| here[i]).sum(),
                unit_ids: if kind == RowKind::Village {
                    Vec::new()
                } else {
                    id_ranges(members.iter().map(|&i| ids[i]).collect())
                },
            };
            rows.entry(zone).or_default().push(((t, v), row));
        }
    }
    let (schools, private) = school_blocks(loaded, level, rows);
    LevelNotice {
        level,
        born_by,
        schools,
        private,
        villages,
        split_villages,
        split_units,
    }
}

/// The blocks of a level: each public school's rows (and a boarding
/// school's towns) in the schools file's order, then the rows no school
/// takes; and the private schools, by (id, name).
fn school_blocks(
    loaded: &Loaded,
    level: Level,
    mut rows: HashMap<Option<usize>, Vec<Keyed>>,
) -> (Vec<SchoolNotice>, Vec<(String, String)>) {
    let mut schools = Vec::new();
    let mut private = Vec::new();
    for (j, s) in loaded.schools.iter().enumerate() {
        if !s.kind.serves(level) {
            continue;
        }
        if s.sector == Sector::Private {
            private.push((s.id.clone(), s.name.clone()));
            continue;
        }
        let mut block = SchoolNotice {
            school: Some(j),
            id: s.id.clone(),
            name: s.name.clone(),
            boarding: s.boarding,
            rows: sorted_rows(rows.remove(&Some(j)).unwrap_or_default()),
        };
        if s.boarding {
            let towns: Vec<&str> = if s.serves.is_empty() {
                vec![""]
            } else {
                s.serves.iter().map(String::as_str).collect()
            };
            block.rows.extend(towns.into_iter().map(|t| NoticeRow {
                kind: RowKind::ServesTown,
                town: t.to_string(),
                village: String::new(),
                units: 0,
                students: 0,
                unit_ids: Vec::new(),
            }));
        }
        schools.push(block);
    }
    if let Some(r) = rows.remove(&None) {
        schools.push(SchoolNotice {
            school: None,
            id: String::new(),
            name: String::new(),
            boarding: false,
            rows: sorted_rows(r),
        });
    }
    (schools, private)
}

/// A school's area rows by town then village (first appearance among the
/// units), units with no village last in their town, no town last.
fn sorted_rows(mut rows: Vec<Keyed>) -> Vec<NoticeRow> {
    rows.sort_by_key(|(k, _)| *k);
    rows.into_iter().map(|(_, r)| r).collect()
}

/// Ids in natural order, runs of consecutive ids as ranges.
pub fn id_ranges(mut ids: Vec<&str>) -> Vec<IdRange> {
    ids.sort_by(|a, b| id_cmp(a, b));
    let mut out: Vec<IdRange> = Vec::new();
    let mut prev: Option<&str> = None;
    for id in ids {
        match (out.last_mut(), prev) {
            (Some(r), Some(p)) if follows(p, id) => r.last = id.to_string(),
            _ => out.push(IdRange {
                first: id.to_string(),
                last: id.to_string(),
            }),
        }
        prev = Some(id);
    }
    out
}

/// `b` is the id after `a`: the same text before a final run of digits,
/// whose number is one more (`H000119` -> `H000120`, `B9` -> `B10`; not
/// `B09` -> `B010`).
fn follows(a: &str, b: &str) -> bool {
    fn split(s: &str) -> (&str, &str) {
        let d = s.bytes().rev().take_while(u8::is_ascii_digit).count();
        s.split_at(s.len() - d)
    }
    let ((pa, da), (pb, db)) = (split(a), split(b));
    if pa != pb || da.is_empty() || db.is_empty() || da.len() > 30 || db.len() > 30 {
        return false;
    }
    let (Ok(x), Ok(y)) = (da.parse::<u128>(), db.parse::<u128>()) else {
        return false;
    };
    let padded = |d: &str| d.len() > 1 && d.starts_with('0');
    y == x + 1 && (da.len() == db.len() || !(padded(da) || padded(db)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(ids: &[&str]) -> Vec<String> {
        id_ranges(ids.to_vec())
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn consecutive_ids_become_ranges() {
        assert_eq!(
            shown(&["H000103", "H000101", "H000102", "H000105", "H000120"]),
            ["H000101–H000103", "H000105", "H000120"]
        );
        assert_eq!(shown(&["B9", "B10", "B11", "C12"]), ["B9–B11", "C12"]);
        assert_eq!(shown(&["B09", "B010"]), ["B09", "B010"]);
        assert_eq!(shown(&["H099", "H100"]), ["H099–H100"]);
        assert_eq!(shown(&["x", "y"]), ["x", "y"]);
        assert!(shown(&[]).is_empty());
    }
}
