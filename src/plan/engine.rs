//! The interactive planner: a scenario and its solution held together,
//! edited as a planner works (a village moved by hand, a pin lifted, a
//! school opened, a limit changed) and re-optimised warm from the last seat
//! prices, each step reporting what changed.
//!
//! Invariants: every level's rows account for every student (placed +
//! unplaced with a reason); a manual move changes only the moved unit's
//! rows (the level is then marked not optimal until `reoptimise`); a
//! re-optimise reaches the same optimum as a cold solve (the LP value is
//! unique; warm prices only shorten the way there).

use super::{Loaded, PlanError, PlanSettings, feeder_groups, level_options};
use crate::assign::travel::pair_arcs;
use crate::assign::{Arc, Arcs, Cost, LevelAssignment, LevelOptions, LevelProblem, Placement};
use crate::model::{Edit, Level};
use crate::zones::repair::NeighbourCache;
use std::collections::HashMap;

/// An edit a planner makes, as a value.
#[derive(Clone, Debug)]
pub enum PlanEdit {
    /// Every student of `unit` at `level` to `school` (indices in the
    /// scenario), kept as a pin. No other unit moves until `reoptimise`.
    Move {
        level: Level,
        unit: usize,
        school: usize,
    },
    /// The unit's pin at `level` lifted (it stays where it is until
    /// `reoptimise`).
    Unpin { level: Level, unit: usize },
    /// A school opened, closed or given classes (`[[edit]]` semantics).
    School(Edit),
    /// The level's travel limit in metres (schools with their own limit
    /// keep it).
    TravelLimit { level: Level, metres: f64 },
    /// Travel metres worth one student kept at their current school.
    Stability(f64),
}

/// What an edit or a solve changed, per level.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Changes {
    pub levels: Vec<LevelChanges>,
}

/// One level's changes: the units whose rows changed.
#[derive(Clone, Debug, PartialEq)]
pub struct LevelChanges {
    pub level: Level,
    pub units: Vec<UnitChange>,
}

/// A unit's students per school (`None`: unplaced) before and after, by
/// school index in the scenario as it is now (a school closed since keeps
/// an index past the open ones, as in `Loaded::current`).
#[derive(Clone, Debug, PartialEq)]
pub struct UnitChange {
    pub unit: usize,
    pub before: Vec<(Option<usize>, u32)>,
    pub after: Vec<(Option<usize>, u32)>,
}

impl Changes {
    /// Units changed, over every level.
    pub fn units(&self) -> usize {
        self.levels.iter().map(|l| l.units.len()).sum()
    }
}

/// One level's state between edits.
#[derive(Default)]
struct LevelState {
    /// The level's arcs (computed at the first solve; dropped when an edit
    /// changes travel or the schools).
    arcs: Option<Arcs>,
    /// Pinned pairs whose arcs lie beyond the travel limits (added for the
    /// pin): dropped with the pin.
    beyond: Vec<(usize, usize)>,
    assignment: Option<LevelAssignment>,
    /// Rows changed by hand since the last solve: not an optimum.
    edited: bool,
    /// The placed units' neighbours, kept between solves.
    neighbours: NeighbourCache,
    /// What the level solves changed since its last solve (a move, a pin,
    /// a school, a limit, a weight): `reoptimise` solves it again. A clean
    /// level's optimum stands.
    dirty: bool,
}

/// A scenario and its solution, edited and re-solved in place.
pub struct Planner {
    loaded: Loaded,
    settings: PlanSettings,
    levels: Vec<LevelState>,
    /// The school ids the assignments' indices refer to (as of the last
    /// solve or edit of the rows).
    ids: Vec<String>,
    /// Counts the edits that changed travel (the arcs): a snapshot taken
    /// at the same count can keep today's arcs.
    arcs_epoch: u64,
    /// Epochs handed out so far (never reset: an epoch names one state of
    /// the schools and limits).
    epochs: u64,
    /// Re-solve as `plan` solves (`as_plan`).
    as_plan: bool,
}

/// Everything a planner's edits and solves change, kept to return to
/// (`Planner::snapshot`, `Planner::restore`): the schools, pins, today's
/// zones as indexed, the policy, the settings and every level's rows. The
/// arcs are not kept: a restore keeps today's when no edit changed travel
/// in between, else they are found again at the next solve.
#[derive(Clone)]
pub struct Snapshot {
    schools: Vec<crate::model::School>,
    current: Option<super::SchoolOfUnit>,
    pins: super::SchoolOfUnit,
    closed: Vec<String>,
    policy: crate::model::Policy,
    settings: PlanSettings,
    levels: Vec<(Option<LevelAssignment>, bool, bool)>,
    ids: Vec<String>,
    arcs_epoch: u64,
}

impl Planner {
    /// A planner on `loaded`, not yet solved.
    pub fn new(loaded: Loaded, settings: PlanSettings) -> Planner {
        let ids = loaded.schools.iter().map(|s| s.id.clone()).collect();
        Planner {
            loaded,
            settings,
            levels: Level::ALL.iter().map(|_| LevelState::default()).collect(),
            ids,
            arcs_epoch: 0,
            epochs: 0,
            as_plan: false,
        }
    }

    /// Every later solve done exactly as `plan` solves: no seat prices
    /// carried over, the arcs found again, no kept triangulation. The rows
    /// are then `plan`'s on the same pins and edits, byte for byte. A warm
    /// re-optimise reaches the same optimum value, but where optima tie
    /// (and, with whole units, in how the units the LP splits are
    /// rounded) it may reach another of equal or near value.
    pub fn solve_as_plan(&mut self, on: bool) {
        self.as_plan = on;
    }

    /// The state to return to later (undo): see [`Snapshot`].
    pub fn snapshot(&self) -> Snapshot {
        let l = &self.loaded;
        Snapshot {
            schools: l.schools.clone(),
            current: l.current.clone(),
            pins: l.pins.clone(),
            closed: l.closed.clone(),
            policy: l.scenario.policy.clone(),
            settings: self.settings,
            levels: self
                .levels
                .iter()
                .map(|s| (s.assignment.clone(), s.edited, s.dirty))
                .collect(),
            ids: self.ids.clone(),
            arcs_epoch: self.arcs_epoch,
        }
    }

    /// Back to a snapshot of this planner: the same rows, pins and schools
    /// as when it was taken (a level proven optimal then is so again).
    pub fn restore(&mut self, s: &Snapshot) {
        let keep_arcs = s.arcs_epoch == self.arcs_epoch;
        for state in &mut self.levels {
            // Arcs added beyond the limits for today's pins go; the
            // restored pins' arcs are added again when solved or moved.
            let beyond = std::mem::take(&mut state.beyond);
            state.arcs = match (keep_arcs, state.arcs.take()) {
                (true, Some(a)) => Some(a.without(&beyond)),
                _ => None,
            };
        }
        let l = &mut self.loaded;
        l.schools = s.schools.clone();
        l.current = s.current.clone();
        l.pins = s.pins.clone();
        l.closed = s.closed.clone();
        l.scenario.policy = s.policy.clone();
        self.settings = s.settings;
        for (state, (la, edited, dirty)) in self.levels.iter_mut().zip(&s.levels) {
            state.assignment = la.clone();
            state.edited = *edited;
            state.dirty = *dirty;
        }
        self.ids = s.ids.clone();
        self.arcs_epoch = s.arcs_epoch;
    }

    pub fn loaded(&self) -> &Loaded {
        &self.loaded
    }

    pub fn settings(&self) -> PlanSettings {
        self.settings
    }

    /// The level's assignment, once solved.
    pub fn assignment(&self, level: Level) -> Option<&LevelAssignment> {
        self.levels[level.index()].assignment.as_ref()
    }

    /// Whether the level's rows are a proven optimum (solved, and not
    /// changed by hand since).
    pub fn is_optimal(&self, level: Level) -> bool {
        let s = &self.levels[level.index()];
        s.assignment.is_some() && !s.edited
    }

    /// Today's school of each unit at the level, when today's zones are known.
    pub fn current(&self, level: Level) -> Option<&[Option<usize>]> {
        self.loaded
            .current
            .as_ref()
            .map(|c| c[level.index()].as_slice())
    }

    /// Every level solved from scratch (no seat prices carried over).
    pub fn solve_cold(&mut self) -> Result<Changes, PlanError> {
        self.solve_all(false)
    }

    /// Everything not pinned re-optimised, warm from the last solve's seat
    /// prices where there was one; the same optimum as `solve_cold`. A
    /// level nothing changed for since its last solve keeps its optimum
    /// (with feeder zones, the junior level follows a changed primary).
    pub fn reoptimise(&mut self) -> Result<Changes, PlanError> {
        self.solve_all(true)
    }

    /// Apply one edit. A move changes the moved unit's rows at once; the
    /// other edits change what the next `reoptimise` solves.
    pub fn apply(&mut self, edit: PlanEdit) -> Result<Changes, PlanError> {
        match edit {
            PlanEdit::Move {
                level,
                unit,
                school,
            } => self.move_unit(level, unit, school),
            PlanEdit::Unpin { level, unit } => {
                self.check_unit(unit)?;
                self.unpin(level, unit);
                self.levels[level.index()].dirty = true;
                Ok(Changes::default())
            }
            PlanEdit::School(e) => self.edit_school(e),
            PlanEdit::TravelLimit { level, metres } => {
                if !(metres.is_finite() && metres >= 0.0) {
                    return Err(PlanError::BadNumber {
                        what: "travel limit (m)",
                        found: metres,
                    });
                }
                let p = &mut self.loaded.scenario.policy;
                match level {
                    Level::Primary => p.max_travel_m_primary = metres,
                    Level::Junior => p.max_travel_m_junior = metres,
                }
                self.forget_arcs(Some(level));
                self.levels[level.index()].dirty = true;
                Ok(Changes::default())
            }
            PlanEdit::Stability(w) => {
                if !(w.is_finite() && w >= 0.0) {
                    return Err(PlanError::BadNumber {
                        what: "stability weight (m per student)",
                        found: w,
                    });
                }
                self.settings.stability = w;
                self.mark_all_dirty();
                Ok(Changes::default())
            }
        }
    }

    /// Solve every level in order (with feeder zones, the junior level is
    /// grouped by the primary zones just solved).
    fn solve_all(&mut self, warm: bool) -> Result<Changes, PlanError> {
        let mut changes = Changes::default();
        let remap = self.index_now();
        let mut primary_changed = false;
        for level in Level::ALL {
            let l = level.index();
            let follows_primary =
                level == Level::Junior && self.settings.zones.feeder && primary_changed;
            let state = &self.levels[l];
            if warm && state.assignment.is_some() && !state.dirty && !follows_primary {
                continue;
            }
            let groups = match level {
                Level::Junior if self.settings.zones.feeder => self.levels[0]
                    .assignment
                    .as_ref()
                    .map(|p| feeder_groups(&self.loaded, p)),
                _ => None,
            };
            let prices = match (warm && !self.as_plan, &self.levels[l].assignment) {
                (true, Some(before)) => Some(self.prices_now(&before.prices, &remap)),
                _ => None,
            };
            let arcs = self.levels[l].arcs.take().filter(|_| !self.as_plan);
            if self.as_plan {
                self.levels[l].beyond.clear();
            }
            let mut opts = level_options(
                &self.loaded,
                level,
                self.settings,
                groups.as_deref(),
                prices.as_deref(),
            );
            if !self.as_plan {
                opts.neighbours = Some(&self.levels[l].neighbours);
            }
            let (la, arcs, beyond) = solve_one(&self.loaded, level, arcs, &opts)?;
            let state = &mut self.levels[l];
            state.arcs = Some(arcs);
            state.beyond.extend(beyond);
            state.edited = false;
            state.dirty = false;
            let before = state.assignment.replace(la);
            let after = state.assignment.as_ref().expect("just set");
            let changed = diff(level, before.as_ref(), after, &remap);
            primary_changed |= level == Level::Primary && !changed.units.is_empty();
            changes.levels.push(changed);
        }
        self.ids = self.loaded.schools.iter().map(|s| s.id.clone()).collect();
        Ok(changes)
    }

    /// For an index into the schools of the last solve: its index now (a
    /// school closed since: past the open ones, in `closed` order).
    fn index_now(&self) -> Vec<usize> {
        let now: HashMap<&str, usize> = self
            .loaded
            .schools
            .iter()
            .enumerate()
            .map(|(j, s)| (s.id.as_str(), j))
            .collect();
        let open = self.loaded.schools.len();
        self.ids
            .iter()
            .map(|id| match now.get(id.as_str()) {
                Some(&j) => j,
                None => open + self.loaded.closed.iter().position(|c| c == id).unwrap_or(0),
            })
            .collect()
    }

    /// The last solve's seat prices, carried to the schools as they are now
    /// (a new school starts at zero).
    /// (`remap`: `index_now`.)
    fn prices_now(&self, before: &[Cost], remap: &[usize]) -> Vec<Cost> {
        let mut p = vec![Cost::ZERO; self.loaded.schools.len()];
        for (old, &new) in remap.iter().enumerate() {
            if let (Some(slot), Some(&c)) = (p.get_mut(new), before.get(old)) {
                *slot = c;
            }
        }
        p
    }

    fn check_unit(&self, unit: usize) -> Result<(), PlanError> {
        if unit < self.loaded.units.len() {
            Ok(())
        } else {
            Err(PlanError::UnknownUnit(format!("#{unit}")))
        }
    }

    /// Lift a pin; a pin's arc beyond the limits goes with it.
    fn unpin(&mut self, level: Level, unit: usize) {
        let l = level.index();
        let Some(j) = self.loaded.pins[l][unit].take() else {
            return;
        };
        let state = &mut self.levels[l];
        if let Some(k) = state.beyond.iter().position(|&p| p == (unit, j)) {
            state.beyond.swap_remove(k);
            state.arcs = state.arcs.take().map(|a| a.without(&[(unit, j)]));
        }
    }

    /// A planner's manual choice: the unit's students at the level to the
    /// school, kept as a pin; its rows replaced, no other unit moved.
    fn move_unit(
        &mut self,
        level: Level,
        unit: usize,
        school: usize,
    ) -> Result<Changes, PlanError> {
        self.check_unit(unit)?;
        let l = level.index();
        let loaded = &self.loaded;
        let s = loaded
            .schools
            .get(school)
            .ok_or_else(|| PlanError::UnknownSchool(format!("#{school}")))?;
        if !s.takes_catchment(level) {
            return Err(PlanError::NotCatchmentSchool {
                school: s.id.clone(),
                level,
            });
        }
        let students = loaded.demand[l].students[unit];
        if students == 0 {
            return Err(PlanError::NoStudents {
                unit: loaded.units[unit].id.clone(),
                level,
            });
        }
        let arc = self.arc_for(level, unit, school)?;
        // A pin to another school is lifted first (its arc beyond the
        // limits goes with it); a pin to this school stays as it is.
        if self.loaded.pins[l][unit] != Some(school) {
            self.unpin(level, unit);
        }
        self.loaded.pins[l][unit] = Some(school);
        let state = &mut self.levels[l];
        state.dirty = true;
        let Some(la) = state.assignment.as_mut() else {
            return Ok(Changes::default());
        };
        let row = Placement {
            unit,
            school: Some(school),
            students,
            travel_m: Some(arc.metres()),
            travel_min: arc.minutes().map(|m| (m * 100.0).round() / 100.0),
            reason: None,
        };
        let before = replace_rows(la, unit, row);
        state.edited = true;
        let before: Vec<_> = before.iter().map(|p| (p.school, p.students)).collect();
        // Same schools as the rows: no index to carry over.
        let before = remapped(&before, &[]);
        let after = rows_of(la, unit);
        let change = (before != after).then_some(UnitChange {
            unit,
            before,
            after,
        });
        Ok(Changes {
            levels: vec![LevelChanges {
                level,
                units: change.into_iter().collect(),
            }],
        })
    }

    /// The arc from the unit to the school: among the level's arcs, else
    /// found (beyond the limits) and added as a pin's arc.
    fn arc_for(&mut self, level: Level, unit: usize, school: usize) -> Result<Arc, PlanError> {
        let l = level.index();
        let loaded = &self.loaded;
        let state = &mut self.levels[l];
        if let Some(a) = state
            .arcs
            .as_ref()
            .and_then(|arcs| arcs.of(unit).iter().find(|a| a.school as usize == school))
        {
            return Ok(*a);
        }
        let found = pair_arcs(
            &loaded.units,
            &loaded.schools,
            level,
            &loaded.scenario.policy,
            loaded.travel(),
            &[(unit, school)],
        );
        let Some(a) = found.into_iter().next().flatten() else {
            return Err(PlanError::NoRoute {
                unit: loaded.units[unit].id.clone(),
                school: loaded.schools[school].id.clone(),
            });
        };
        if let Some(arcs) = state.arcs.take() {
            state.arcs = Some(arcs.with_added(&[(unit, a)]));
            state.beyond.push((unit, school));
        }
        Ok(a)
    }

    /// A school edit: applied to the schools (pins and today's zones follow
    /// them); travel is found again at the next solve unless only classes
    /// changed.
    fn edit_school(&mut self, e: Edit) -> Result<Changes, PlanError> {
        let travel_changes = !matches!(e, Edit::Classes { .. });
        self.loaded.apply_edits(std::slice::from_ref(&e))?;
        if travel_changes {
            self.forget_arcs(None);
        }
        self.mark_all_dirty();
        Ok(Changes::default())
    }

    fn mark_all_dirty(&mut self) {
        for state in &mut self.levels {
            state.dirty = true;
        }
    }

    /// Drop the arcs of one level (or all): found again at the next solve.
    fn forget_arcs(&mut self, level: Option<Level>) {
        self.epochs += 1;
        self.arcs_epoch = self.epochs;
        for (l, state) in self.levels.iter_mut().enumerate() {
            if level.is_none_or(|x| x.index() == l) {
                state.arcs = None;
                state.beyond.clear();
            }
        }
    }
}

/// One level solved on its arcs (found when `None`); returns the arcs
/// back, and the pinned pairs whose arcs were added beyond the limits.
type SolvedLevel = (LevelAssignment, Arcs, Vec<(usize, usize)>);

fn solve_one(
    loaded: &Loaded,
    level: Level,
    arcs: Option<Arcs>,
    opts: &LevelOptions,
) -> Result<SolvedLevel, PlanError> {
    let l = level.index();
    let travel = loaded.travel();
    let policy = &loaded.scenario.policy;
    let arcs = arcs.unwrap_or_else(|| {
        crate::assign::feasible_arcs(
            &loaded.units,
            &loaded.demand[l].students,
            &loaded.schools,
            level,
            policy,
            travel,
        )
    });
    let pins = &loaded.pins[l];
    let beyond: Vec<(usize, usize)> = pins
        .iter()
        .enumerate()
        .filter_map(|(i, j)| j.map(|j| (i, j)))
        .filter(|&(i, j)| !arcs.of(i).iter().any(|a| a.school as usize == j))
        .collect();
    let p = LevelProblem::with_arcs(
        &loaded.units,
        &loaded.demand[l],
        &loaded.schools,
        level,
        policy,
        travel,
        Some(pins),
        arcs,
    );
    let la = p.solve(opts)?;
    Ok((la, p.into_arcs(), beyond))
}

/// Replace the unit's rows (they sit together, in unit order) with `row`;
/// the school totals follow. Returns the rows replaced.
fn replace_rows(la: &mut LevelAssignment, unit: usize, row: Placement) -> Vec<Placement> {
    let start = la.placements.partition_point(|p| p.unit < unit);
    let end = la.placements.partition_point(|p| p.unit <= unit);
    for p in &la.placements[start..end] {
        if let Some(j) = p.school {
            la.assigned[j] -= p.students as u64;
        }
    }
    if let Some(j) = row.school {
        la.assigned[j] += row.students as u64;
    }
    la.placements.splice(start..end, [row]).collect()
}

/// The unit's rows as (school, students).
fn rows_of(la: &LevelAssignment, unit: usize) -> Vec<(Option<usize>, u32)> {
    let start = la.placements.partition_point(|p| p.unit < unit);
    la.placements[start..]
        .iter()
        .take_while(|p| p.unit == unit)
        .map(|p| (p.school, p.students))
        .collect()
}

/// Rows with their schools carried by `remap` (an index past its end stays),
/// sorted.
fn remapped(rows: &[(Option<usize>, u32)], remap: &[usize]) -> Vec<(Option<usize>, u32)> {
    let mut v: Vec<_> = rows
        .iter()
        .map(|&(j, x)| (j.map(|j| remap.get(j).copied().unwrap_or(j)), x))
        .collect();
    v.sort_unstable();
    v
}

/// The units whose rows differ between two solves of a level (`before`'s
/// school indices carried to today's by `remap`).
fn diff(
    level: Level,
    before: Option<&LevelAssignment>,
    after: &LevelAssignment,
    remap: &[usize],
) -> LevelChanges {
    let rows = |la: &LevelAssignment| -> Vec<Vec<(Option<usize>, u32)>> {
        let n = la.placements.last().map_or(0, |p| p.unit + 1);
        let mut v = vec![Vec::new(); n];
        for p in &la.placements {
            v[p.unit].push((p.school, p.students));
        }
        v
    };
    let a = rows(after);
    let b = before.map(rows).unwrap_or_default();
    let n = a.len().max(b.len());
    let empty = Vec::new();
    let units = (0..n)
        .filter_map(|i| {
            let before = remapped(b.get(i).unwrap_or(&empty), remap);
            let mut after = a.get(i).cloned().unwrap_or_default();
            after.sort_unstable();
            (before != after).then_some(UnitChange {
                unit: i,
                before,
                after,
            })
        })
        .collect();
    LevelChanges { level, units }
}
