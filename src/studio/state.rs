//! The studio's state: a planner, the session's steps (every move, unpin,
//! edit and optimise, undoable and redoable), and the plan it started
//! from. Pure: the server hands it requests and writes what it returns.
//!
//! Undo returns to the nearest kept snapshot at or before the target step
//! (the start, and the state after each of the last optimises and edits)
//! and replays the steps after it: moves replay in microseconds, so an
//! undo costs at most one warm solve past the last snapshot.

use crate::assign::LevelAssignment;
use crate::model::{Edit, Level};
use crate::plan::{Changes, Loaded, PlanEdit, PlanError, PlanSettings, Planner, Snapshot};
use std::collections::HashMap;
use std::fmt;

/// One step of a session.
#[derive(Clone, Debug)]
pub enum Op {
    /// Units moved to a school at a level and pinned there.
    Assign {
        level: Level,
        units: Vec<usize>,
        school: usize,
    },
    /// A unit's pin at a level lifted.
    Unpin { level: Level, unit: usize },
    /// Everything not pinned re-optimised.
    Optimize,
    /// A school edit (`[[edit]]`), with the table as given (saved as is);
    /// the levels are then re-optimised (pins kept).
    Edit {
        edit: Edit,
        table: serde_json::Value,
    },
}

/// Why a request could not be done.
#[derive(Debug, PartialEq)]
pub enum StudioError {
    /// The request names something that does not exist or cannot be done
    /// (HTTP 400).
    Invalid(String),
    /// Nothing to undo or redo (HTTP 409).
    Conflict(String),
    /// The solver's proof failed (HTTP 500): never the request's fault.
    Internal(String),
}

impl fmt::Display for StudioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StudioError::Invalid(s) | StudioError::Conflict(s) | StudioError::Internal(s) => {
                f.write_str(s)
            }
        }
    }
}

impl std::error::Error for StudioError {}

impl From<PlanError> for StudioError {
    fn from(e: PlanError) -> Self {
        match e {
            PlanError::Certificate(_) => StudioError::Internal(e.to_string()),
            _ => StudioError::Invalid(e.to_string()),
        }
    }
}

/// What a step did: a line for the planner, and the (level, unit) pairs
/// whose rows it changed.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    pub did: String,
    pub changed: Vec<(Level, usize)>,
}

/// A level's rows per unit as (school id, students).
type LevelRows = (Level, Vec<Vec<(Option<String>, u32)>>);

/// Snapshots kept besides the start: the states after the last optimises
/// and edits (each holds every level's rows).
const KEPT_SNAPSHOTS: usize = 8;

/// A planner's session.
pub struct Studio {
    planner: Planner,
    unit_index: HashMap<String, usize>,
    /// The rows the session started from, per level.
    start: Vec<LevelAssignment>,
    /// The school ids the start rows' indices name.
    start_ids: Vec<String>,
    steps: Vec<Op>,
    /// Steps applied: `steps[..cursor]`; the rest can be redone.
    cursor: usize,
    /// (steps applied, state then), in step order; the first is the start.
    snapshots: Vec<(usize, Snapshot)>,
    /// Counts every change of state (for caches of drawn zones).
    version: u64,
    /// Seconds the last optimise took.
    pub last_solve_seconds: f64,
}

impl Studio {
    /// A session on `loaded`, solved as `plan` solves it. Each optimise
    /// re-solves the levels an edit touched as `plan` does (the same rows
    /// as `plan` with the same pins and edits), or, when `warm`, from the
    /// last seat prices and arcs (faster on large counties: the same
    /// optimum value, but where optima tie it may pick another).
    pub fn new(loaded: Loaded, warm: bool) -> Result<Studio, StudioError> {
        let settings = PlanSettings::of(&loaded);
        let unit_index = loaded
            .units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.id.clone(), i))
            .collect();
        let start_ids = loaded.schools.iter().map(|s| s.id.clone()).collect();
        let mut planner = Planner::new(loaded, settings);
        planner.solve_as_plan(!warm);
        let t = std::time::Instant::now();
        planner.solve_cold()?;
        let start = Level::ALL
            .iter()
            .filter_map(|&l| planner.assignment(l).cloned())
            .collect();
        let snapshots = vec![(0, planner.snapshot())];
        Ok(Studio {
            planner,
            unit_index,
            start,
            start_ids,
            steps: Vec::new(),
            cursor: 0,
            snapshots,
            version: 0,
            last_solve_seconds: t.elapsed().as_secs_f64(),
        })
    }

    pub fn loaded(&self) -> &Loaded {
        self.planner.loaded()
    }

    pub fn planner(&self) -> &Planner {
        &self.planner
    }

    /// Every level's rows now, in level order.
    pub fn levels(&self) -> Vec<LevelAssignment> {
        Level::ALL
            .iter()
            .filter_map(|&l| self.planner.assignment(l).cloned())
            .collect()
    }

    /// The level's rows at the start of the session.
    pub fn start(&self, level: Level) -> Option<&LevelAssignment> {
        self.start.iter().find(|la| la.level == level)
    }

    /// The id of a school of the start rows.
    pub fn start_school_id(&self, j: usize) -> &str {
        self.start_ids.get(j).map_or("", String::as_str)
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    /// (steps applied, steps that can be undone, steps that can be redone).
    pub fn history(&self) -> (usize, usize, usize) {
        (self.cursor, self.cursor, self.steps.len() - self.cursor)
    }

    /// The index of the unit with this id.
    pub fn unit(&self, id: &str) -> Result<usize, StudioError> {
        self.unit_index
            .get(id)
            .copied()
            .ok_or_else(|| StudioError::Invalid(format!("no unit \"{id}\" in this scenario")))
    }

    /// The index of the school with this id, checked to take catchment at
    /// the level.
    pub fn catchment_school(&self, id: &str, level: Level) -> Result<usize, StudioError> {
        let loaded = self.loaded();
        let j = loaded
            .school_index(id)
            .ok_or_else(|| StudioError::Invalid(format!("no school \"{id}\" in this scenario")))?;
        if !loaded.schools[j].takes_catchment(level) {
            return Err(PlanError::NotCatchmentSchool {
                school: id.to_string(),
                level,
            }
            .into());
        }
        Ok(j)
    }

    /// The `[[edit]]` tables applied so far in this session, in order.
    pub fn edit_tables(&self) -> Vec<&serde_json::Value> {
        self.steps[..self.cursor]
            .iter()
            .filter_map(|op| match op {
                Op::Edit { table, .. } => Some(table),
                _ => None,
            })
            .collect()
    }

    /// A new step: done, then recorded (the steps that could be redone are
    /// dropped). On error nothing changes.
    pub fn step(&mut self, op: Op) -> Result<Outcome, StudioError> {
        let outcome = self.run(&op)?;
        self.steps.truncate(self.cursor);
        self.snapshots.retain(|(at, _)| *at <= self.cursor);
        let keep = matches!(op, Op::Optimize | Op::Edit { .. });
        self.steps.push(op);
        self.cursor += 1;
        if keep {
            self.snapshots.push((self.cursor, self.planner.snapshot()));
            if self.snapshots.len() > KEPT_SNAPSHOTS + 1 {
                self.snapshots.remove(1);
            }
        }
        self.version += 1;
        Ok(outcome)
    }

    /// The last step undone.
    pub fn undo(&mut self) -> Result<Outcome, StudioError> {
        if self.cursor == 0 {
            return Err(StudioError::Conflict("nothing to undo".into()));
        }
        let before = self.rows_now();
        let target = self.cursor - 1;
        self.go_to(target)?;
        self.version += 1;
        Ok(Outcome {
            did: format!("undid step {}", target + 1),
            changed: self.changed_since(&before),
        })
    }

    /// The last step undone done again.
    pub fn redo(&mut self) -> Result<Outcome, StudioError> {
        let Some(op) = self.steps.get(self.cursor).cloned() else {
            return Err(StudioError::Conflict("nothing to redo".into()));
        };
        let before = self.rows_now();
        self.run(&op)?;
        self.cursor += 1;
        self.version += 1;
        Ok(Outcome {
            did: format!("redid step {}", self.cursor),
            changed: self.changed_since(&before),
        })
    }

    /// The state after `target` steps: the nearest snapshot at or before
    /// it, and the steps after that replayed.
    fn go_to(&mut self, target: usize) -> Result<(), StudioError> {
        let (at, snapshot) = self
            .snapshots
            .iter()
            .rev()
            .find(|(at, _)| *at <= target)
            .expect("the start is always kept");
        let at = *at;
        self.planner.restore(snapshot);
        for k in at..target {
            let op = self.steps[k].clone();
            self.run(&op).map_err(|e| {
                StudioError::Internal(format!("replaying step {} failed: {e}", k + 1))
            })?;
        }
        self.cursor = target;
        Ok(())
    }

    /// Do one step on the planner.
    fn run(&mut self, op: &Op) -> Result<Outcome, StudioError> {
        match op {
            Op::Assign {
                level,
                units,
                school,
            } => self.assign(*level, units, *school),
            Op::Unpin { level, unit } => {
                let id = self.loaded().units[*unit].id.clone();
                if self.loaded().pins[level.index()][*unit].is_none() {
                    return Err(StudioError::Invalid(format!(
                        "unit \"{id}\" is not pinned at {}",
                        level.as_str()
                    )));
                }
                self.planner.apply(PlanEdit::Unpin {
                    level: *level,
                    unit: *unit,
                })?;
                Ok(Outcome {
                    did: format!("unpinned {id} ({})", level.as_str()),
                    changed: vec![(*level, *unit)],
                })
            }
            Op::Optimize => {
                let t = std::time::Instant::now();
                let changes = self.planner.reoptimise()?;
                self.last_solve_seconds = t.elapsed().as_secs_f64();
                let changed = changed_of(&changes);
                Ok(Outcome {
                    did: format!("optimised: {} units changed school", changed.len()),
                    changed,
                })
            }
            Op::Edit { edit, .. } => {
                // An edit changes the schools the rows refer to: the
                // levels are solved again at once (pins kept), so the
                // table never shows rows of schools that are gone.
                let before = self.planner.snapshot();
                self.planner.apply(PlanEdit::School(edit.clone()))?;
                let t = std::time::Instant::now();
                let changes = self.planner.reoptimise().inspect_err(|_| {
                    self.planner.restore(&before);
                })?;
                self.last_solve_seconds = t.elapsed().as_secs_f64();
                let changed = changed_of(&changes);
                Ok(Outcome {
                    did: format!(
                        "{}, then optimised: {} units changed school",
                        describe_edit(edit),
                        changed.len()
                    ),
                    changed,
                })
            }
        }
    }

    /// Units moved by hand: all or none (a unit that cannot move undoes
    /// the ones moved before it). Units with no student at the level are
    /// skipped when several are moved.
    fn assign(
        &mut self,
        level: Level,
        units: &[usize],
        school: usize,
    ) -> Result<Outcome, StudioError> {
        let demand = &self.loaded().demand[level.index()].students;
        let movable: Vec<usize> = if units.len() == 1 {
            units.to_vec()
        } else {
            units.iter().copied().filter(|&i| demand[i] > 0).collect()
        };
        if movable.is_empty() {
            return Err(StudioError::Invalid(format!(
                "none of the {} units has a {} student to move",
                units.len(),
                level.as_str()
            )));
        }
        let students: u64 = movable.iter().map(|&i| demand[i] as u64).sum();
        let undo = (movable.len() > 1).then(|| self.planner.snapshot());
        let mut changed = Vec::new();
        for &unit in &movable {
            match self.planner.apply(PlanEdit::Move {
                level,
                unit,
                school,
            }) {
                Ok(c) => changed.extend(changed_of(&c)),
                Err(e) => {
                    if let Some(s) = &undo {
                        self.planner.restore(s);
                    }
                    return Err(e.into());
                }
            }
        }
        let loaded = self.loaded();
        let what = match movable[..] {
            [i] => loaded.units[i].id.clone(),
            _ => format!("{} units", movable.len()),
        };
        let skipped = units.len() - movable.len();
        Ok(Outcome {
            did: format!(
                "moved {what} ({students} students) to {} at {}{}",
                loaded.schools[school].id,
                level.as_str(),
                if skipped > 0 {
                    format!(
                        "; {skipped} units without a {} student skipped",
                        level.as_str()
                    )
                } else {
                    String::new()
                }
            ),
            changed,
        })
    }

    /// Every level's rows per unit as (school id, students): comparable
    /// across edits that renumber the schools.
    fn rows_now(&self) -> Vec<LevelRows> {
        let schools = &self.loaded().schools;
        Level::ALL
            .iter()
            .filter_map(|&l| self.planner.assignment(l))
            .map(|la| {
                let rows = unit_rows(la, |p| {
                    (p.school.map(|j| schools[j].id.clone()), p.students)
                });
                (la.level, rows)
            })
            .collect()
    }

    /// The (level, unit) pairs whose rows differ from `before`.
    fn changed_since(&self, before: &[LevelRows]) -> Vec<(Level, usize)> {
        let mut out = Vec::new();
        for (level, a) in self.rows_now() {
            let empty = Vec::new();
            let b = before
                .iter()
                .find(|(l, _)| *l == level)
                .map_or(&empty, |(_, r)| r);
            for u in 0..a.len().max(b.len()) {
                if a.get(u) != b.get(u) {
                    out.push((level, u));
                }
            }
        }
        out
    }
}

/// Per unit, its rows as `key` sees them (units past the last row: none).
pub(super) fn unit_rows<K: Clone>(
    la: &LevelAssignment,
    key: impl Fn(&crate::assign::Placement) -> K,
) -> Vec<Vec<K>> {
    let n = la.placements.last().map_or(0, |p| p.unit + 1);
    let mut v = vec![Vec::new(); n];
    for p in &la.placements {
        v[p.unit].push(key(p));
    }
    v
}

/// The (level, unit) pairs a planner's change list names.
fn changed_of(c: &Changes) -> Vec<(Level, usize)> {
    c.levels
        .iter()
        .flat_map(|l| l.units.iter().map(move |u| (l.level, u.unit)))
        .collect()
}

/// An edit in a few words.
fn describe_edit(e: &Edit) -> String {
    match e {
        Edit::Close { school } => format!("closed {school}"),
        Edit::Classes { school, .. } => format!("changed the classes of {school}"),
        Edit::Open { school } => format!("opened {}", school.id),
    }
}
