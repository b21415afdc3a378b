//! A scenario as loaded and checked: what a plan is made of. Built by
//! `io::load` from the files; built by hand (or by `synth`) in tests and
//! benches. Pure data with the questions every command asks of it.

use crate::assign::{LevelDemand, Travel};
use crate::io::Scenario;
use crate::model::{CohortError, Edit, EditError, Level, Policy, School, Unit, apply_edits};
use crate::spatial::network::RoadGraph;
use geo::MultiPolygon;
use std::collections::HashMap;
use std::path::PathBuf;

/// Per level (index `Level::index`), per unit: a school index, or none.
pub type SchoolOfUnit = [Vec<Option<usize>>; 2];

/// Everything a plan needs, validated.
pub struct Loaded {
    pub scenario: Scenario,
    pub units: Vec<Unit>,
    pub schools: Vec<School>,
    pub boundary: Option<MultiPolygon<f64>>,
    /// Entry-cohort demand per level (index `Level::index`).
    pub demand: [LevelDemand; 2],
    /// Students without hukou or residence permit (or not stated), per level.
    pub without_residence: [u64; 2],
    /// The road network, when given (`--roads` or `[inputs] roads`).
    pub roads: Option<RoadGraph>,
    /// Threads a run may use (`--threads`, `CATCHMENT_THREADS`, else the
    /// machine's cores).
    pub threads: usize,
    /// Ids of units farther than `SNAP_WARN_M` from any road (their
    /// straight access leg is counted).
    pub far_from_road: Vec<String>,
    /// Ids of units outside the boundary (placed anyway).
    pub outside_boundary: Vec<String>,
    /// With current zones (`--current` or `[inputs] current`): per level,
    /// per unit, the index of the school whose current zone holds the unit;
    /// `None` outside every zone of that level. A school closed by an edit
    /// keeps an index past the open ones: `schools.len() + k` is `closed[k]`.
    pub current: Option<SchoolOfUnit>,
    /// Per level, per unit, the school a planner pinned the unit to (index
    /// in `schools`); all `None` without pins.
    pub pins: SchoolOfUnit,
    /// Ids of schools closed by edits (see `current`).
    pub closed: Vec<String>,
    /// Where the inputs came from, for messages.
    pub source: Source,
    /// What loading noticed that is not an error, in order, each line as
    /// printed ("warning: ...", "note: ...").
    pub notes: Vec<String>,
}

/// Where a loaded scenario came from.
#[derive(Clone, Debug, Default)]
pub struct Source {
    /// The scenario file, if any.
    pub config: Option<PathBuf>,
    /// The bundled example (its maps and messages say so).
    pub example: bool,
    /// The current zones and pins files read, for messages.
    pub current: Option<PathBuf>,
    pub pins: Option<PathBuf>,
}

impl Loaded {
    /// A scenario built in memory (tests, benches, a caller with its own
    /// reader): the units' entry cohorts under the scenario's policy, no
    /// boundary, roads, current zones or pins (set the fields to add them).
    pub fn new(
        scenario: Scenario,
        units: Vec<Unit>,
        schools: Vec<School>,
    ) -> Result<Loaded, CohortError> {
        let (demand, without_residence) =
            entry_cohorts(&units, &scenario.policy).map_err(|f| f.error)?;
        let n = units.len();
        Ok(Loaded {
            scenario,
            units,
            schools,
            boundary: None,
            demand,
            without_residence,
            roads: None,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            far_from_road: Vec::new(),
            outside_boundary: Vec::new(),
            current: None,
            pins: [vec![None; n], vec![None; n]],
            closed: Vec::new(),
            source: Source::default(),
            notes: Vec::new(),
        })
    }

    /// How travel is measured: by road when the scenario has roads, else
    /// the straight line.
    pub fn travel(&self) -> Travel<'_> {
        match &self.roads {
            Some(g) => Travel::Roads(g),
            None => Travel::Straight,
        }
    }

    /// Every unit's position (lon, lat), in unit order.
    pub fn points(&self) -> Vec<(f64, f64)> {
        self.units.iter().map(|u| (u.lon, u.lat)).collect()
    }

    /// A short description of where the inputs came from, for messages.
    pub fn describe(&self) -> String {
        match (&self.source.config, self.source.example) {
            (Some(_), true) => "the bundled Wuzhai example (synthetic example data)".into(),
            (Some(p), false) => p.display().to_string(),
            (None, _) => "the given files".into(),
        }
    }

    /// The index of the school with this id.
    pub fn school_index(&self, id: &str) -> Option<usize> {
        self.schools.iter().position(|s| s.id == id)
    }

    /// The index of the unit with this id.
    pub fn unit_index(&self, id: &str) -> Option<usize> {
        self.units.iter().position(|u| u.id == id)
    }

    /// What-if edits (`[[edit]]`) applied to the schools, in order. Today's
    /// zones and the pins keep naming the same schools: a closed school
    /// takes an index past the open ones (`closed`), so its zone's students
    /// count as moved, and pins to it are dropped. Returns how many pins
    /// were dropped. On error nothing changes.
    pub fn apply_edits(&mut self, edits: &[Edit]) -> Result<usize, EditError> {
        let mut schools = self.schools.clone();
        apply_edits(&mut schools, edits, &self.scenario.policy)?;
        let before_open = std::mem::replace(&mut self.schools, schools);
        let before_closed = self.closed.clone();
        let index: HashMap<&str, usize> = self
            .schools
            .iter()
            .enumerate()
            .map(|(j, s)| (s.id.as_str(), j))
            .collect();
        // Closed: the ones closed before, then those this call closes.
        let mut closed = before_closed.clone();
        for s in &before_open {
            if !index.contains_key(s.id.as_str()) {
                closed.push(s.id.clone());
            }
        }
        let open = self.schools.len();
        let id_before = |j: usize| -> &str {
            match before_open.get(j) {
                Some(s) => s.id.as_str(),
                None => before_closed[j - before_open.len()].as_str(),
            }
        };
        let now = |j: usize| -> usize {
            let id = id_before(j);
            match index.get(id) {
                Some(&k) => k,
                None => open + closed.iter().position(|c| c == id).unwrap_or(0),
            }
        };
        if let Some(cur) = self.current.as_mut() {
            for level in cur.iter_mut() {
                for j in level.iter_mut().flatten() {
                    *j = now(*j);
                }
            }
        }
        let mut dropped = 0;
        for level in self.pins.iter_mut() {
            for p in level.iter_mut() {
                if let Some(j) = *p {
                    let k = now(j);
                    *p = (k < open).then_some(k);
                    dropped += usize::from(k >= open);
                }
            }
        }
        self.closed = closed;
        Ok(dropped)
    }
}

/// The first unit whose counts cannot give its entry cohort, and how many
/// unit-levels failed in all (one mistake, such as an entry year the `ages`
/// counts cannot reach, is reported once).
#[derive(Debug)]
pub struct CohortFailure {
    pub unit: usize,
    pub error: CohortError,
    pub count: usize,
}

/// Per level (index `Level::index`): each unit's entry-cohort students and
/// special needs among them; and the students without hukou or residence
/// permit.
pub fn entry_cohorts(
    units: &[Unit],
    policy: &Policy,
) -> Result<([LevelDemand; 2], [u64; 2]), CohortFailure> {
    let mut demand: [LevelDemand; 2] = Default::default();
    let mut without_residence = [0u64; 2];
    let mut failure: Option<CohortFailure> = None;
    for (index, u) in units.iter().enumerate() {
        for level in Level::ALL {
            match policy.cohort(&u.demand, level) {
                Ok(c) => {
                    let d = &mut demand[level.index()];
                    d.students.push(c.students);
                    d.special_needs.push(c.special_needs);
                    without_residence[level.index()] += c.without_residence as u64;
                }
                Err(error) => match failure.as_mut() {
                    Some(f) => f.count += 1,
                    None => {
                        failure = Some(CohortFailure {
                            unit: index,
                            error,
                            count: 1,
                        })
                    }
                },
            }
        }
    }
    match failure {
        Some(f) => Err(f),
        None => Ok((demand, without_residence)),
    }
}
