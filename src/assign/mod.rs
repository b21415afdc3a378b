//! The assignment: entry-cohort students of each unit, per level, to the
//! public schools of that level, within seats and travel limits. First place
//! as many students as can be placed, then minimise total student x metres.
//! Solved exactly (`ssp`) and proven optimal (`certificate`).

pub mod certificate;
pub mod cost;
pub mod ssp;
pub mod transport;
pub mod travel;
pub mod whole;

pub use certificate::{Certificate, CertificateError, certify};
pub use cost::{Cost, Total};
pub use transport::{Flow, Transport};
pub use travel::{Arc, Arcs, Travel, feasible_arcs};
// The enclave types live with the repair that finds them; their public
// path stays here, beside the assignment that lists them.
pub use crate::zones::repair::{Enclave, EnclaveWhy};

use crate::model::{Level, Policy, School, Unit};
use crate::zones::repair::{NeighbourCache, ZoneRules, placed_neighbours, repair_zones};

/// Why students of a unit could not be placed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// No school of the level within its travel limit.
    NoSchoolInReach,
    /// Schools within reach, but their seats went to nearer or other students.
    CapacityShort,
    /// On a road network piece with no school (road travel only).
    NoRoadConnection,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::NoSchoolInReach => "no_school_in_reach",
            Reason::CapacityShort => "capacity_short",
            Reason::NoRoadConnection => "no_road_connection",
        }
    }
}

/// One line of the assignment: some students of a unit at a school, or
/// unplaced with a reason.
#[derive(Clone, Debug, PartialEq)]
pub struct Placement {
    pub unit: usize,
    /// Index into the schools given to [`assign_level`]; `None` = unplaced.
    pub school: Option<usize>,
    pub students: u32,
    /// Metres, to the millimetre the model uses.
    pub travel_m: Option<f64>,
    /// Minutes along roads (road travel only).
    pub travel_min: Option<f64>,
    pub reason: Option<Reason>,
}

/// The assignment of one level.
#[derive(Clone, Debug)]
pub struct LevelAssignment {
    pub level: Level,
    /// Students of the entry cohort, all units.
    pub students: u64,
    /// Rows ordered by unit, then school (unplaced last).
    pub placements: Vec<Placement>,
    /// Seats per school (index as the schools given); 0 for schools that
    /// take no catchment at this level.
    pub seats: Vec<u32>,
    pub assigned: Vec<u64>,
    /// Special-needs students placed at their nearest school beyond its seats.
    pub special_needs_over_seats: u64,
    /// Certificate of the LP optimum (the bound; the assignment itself when
    /// units may be split).
    pub certificate: Certificate,
    /// The LP optimum of the stated model (with stability penalties and
    /// pins), over all students including those placed first.
    pub lp_bound: Total,
    /// The assignment's value in the same terms as `lp_bound`.
    pub objective: Total,
    /// Whole-unit rounding, when asked for.
    pub whole: Option<WholeStats>,
    /// Zone pieces cut off from their school's main zone, left as they are.
    pub enclaves: Vec<Enclave>,
    /// Units moved to a neighbouring zone to make zones contiguous.
    pub contiguity_moves: usize,
    /// Feeder groups that could not go whole to one school (their units were
    /// assigned one by one), as group ids.
    pub feeder_broken: Vec<u32>,
    /// Feeder groups (primary zones) the level was assigned by; 0 without.
    pub feeder_groups: usize,
    pub rounds: usize,
    pub solve_seconds: f64,
    /// The LP optimum's seat prices (one per school): the start of a warm
    /// re-optimise (`LevelOptions::warm`).
    pub prices: Vec<Cost>,
}

/// How the whole-unit assignment was reached.
#[derive(Clone, Debug, PartialEq)]
pub struct WholeStats {
    /// Units (or feeder groups) the LP optimum split.
    pub split: usize,
    /// "none", "exact", "greedy" or "dive" (see `whole`).
    pub method: &'static str,
}

impl LevelAssignment {
    /// (objective - bound) / bound in travel terms, when both place the
    /// same students; `None` when the bound is 0.
    pub fn gap(&self) -> Option<f64> {
        if self.objective.unplaced != self.lp_bound.unplaced || self.lp_bound.mm <= 0 {
            return (self.objective == self.lp_bound).then_some(0.0);
        }
        Some((self.objective.mm - self.lp_bound.mm) as f64 / self.lp_bound.mm as f64)
    }

    /// The zone of each unit: the school holding most of its students
    /// (ties: the lower index); `None` for units with none placed.
    pub fn zone_labels(&self, units: usize) -> Vec<Option<usize>> {
        let mut best: Vec<Option<(u32, usize)>> = vec![None; units];
        for p in &self.placements {
            if let Some(j) = p.school {
                let b = &mut best[p.unit];
                if b.is_none_or(|(x, k)| p.students > x || (p.students == x && j < k)) {
                    *b = Some((p.students, j));
                }
            }
        }
        best.into_iter().map(|b| b.map(|(_, j)| j)).collect()
    }
}

impl LevelAssignment {
    pub fn placed(&self) -> u64 {
        self.placements
            .iter()
            .filter(|p| p.school.is_some())
            .map(|p| p.students as u64)
            .sum()
    }

    pub fn unplaced_by(&self, reason: Reason) -> u64 {
        self.placements
            .iter()
            .filter(|p| p.reason == Some(reason))
            .map(|p| p.students as u64)
            .sum()
    }

    /// Sum of students x whole millimetres of the route used: the
    /// certified optimum plus the special-needs students placed first.
    pub fn objective_mm(&self) -> i128 {
        self.placements
            .iter()
            .filter_map(|p| {
                p.travel_m
                    .map(|m| (m * 1000.0).round() as i128 * p.students as i128)
            })
            .sum()
    }
}

/// Students of each unit at `level` (the entry cohort), with those having
/// special needs among them.
#[derive(Clone, Debug, Default)]
pub struct LevelDemand {
    pub students: Vec<u32>,
    pub special_needs: Vec<u32>,
}

/// What the planner asks of one level's assignment beyond the base model.
#[derive(Clone, Copy, Debug, Default)]
pub struct LevelOptions<'a> {
    /// Per unit: its school under the current zones.
    pub current: Option<&'a [Option<usize>]>,
    /// Travel metres worth one student kept at their current school.
    pub stability_m_per_student: f64,
    /// All students of a unit at one school.
    pub whole_units: bool,
    /// Make each zone one piece (whole units only).
    pub contiguous: bool,
    /// Per unit: a group that goes to one school as a whole (feeder: the
    /// unit's primary zone); `None` = the unit alone.
    pub groups: Option<&'a [Option<u32>]>,
    /// Seat prices of a previous solve to start from (`LevelAssignment::
    /// prices`): a warm re-optimise after an edit. The optimum is the same.
    pub warm: Option<&'a [Cost]>,
    /// Neighbours of the placed units kept from a previous solve of this
    /// level (a planner's): the triangulation is skipped when the same
    /// units are placed. The result is the same either way.
    pub neighbours: Option<&'a NeighbourCache>,
}

/// One level's instance: the feasible arcs of every unit (and the arcs of
/// pinned pairs whatever the limits), computed once and solved under any
/// options (the stability sweep solves it many times).
pub struct LevelProblem<'a> {
    pub units: &'a [Unit],
    pub demand: &'a LevelDemand,
    pub schools: &'a [School],
    pub level: Level,
    pub policy: &'a Policy,
    pub seats: Vec<u32>,
    pub arcs: Arcs,
    /// Solver cost units per metre of a stability weight: 1,000 (mm), or
    /// milliseconds at walking speed when limits are in minutes.
    pub cost_per_m: f64,
    /// Per unit: the pinned school, when the pin has a route.
    pins: Vec<Option<usize>>,
    /// Units pinned to a school no road reaches.
    pub pins_without_route: Vec<usize>,
}

impl<'a> LevelProblem<'a> {
    pub fn new(
        units: &'a [Unit],
        demand: &'a LevelDemand,
        schools: &'a [School],
        level: Level,
        policy: &'a Policy,
        travel: Travel,
        pins: Option<&[Option<usize>]>,
    ) -> LevelProblem<'a> {
        let arcs = feasible_arcs(units, &demand.students, schools, level, policy, travel);
        LevelProblem::with_arcs(units, demand, schools, level, policy, travel, pins, arcs)
    }

    /// The instance on arcs computed before (`new`'s, taken back with
    /// `into_arcs`): a planner re-solving after an edit that changes neither
    /// travel nor schools. Arcs of pinned pairs beyond the limits are added
    /// when missing (a road search per such pin).
    #[allow(clippy::too_many_arguments)]
    pub fn with_arcs(
        units: &'a [Unit],
        demand: &'a LevelDemand,
        schools: &'a [School],
        level: Level,
        policy: &'a Policy,
        travel: Travel,
        pins: Option<&[Option<usize>]>,
        arcs: Arcs,
    ) -> LevelProblem<'a> {
        let seats: Vec<u32> = schools
            .iter()
            .map(|s| {
                if s.takes_catchment(level) {
                    s.seats(level, policy).unwrap_or(0)
                } else {
                    0
                }
            })
            .collect();
        let mut arcs = arcs;
        let minutes = matches!(travel, Travel::Roads(_)) && policy.max_travel_min(level).is_some();
        let cost_per_m = if minutes {
            1000.0 / (crate::model::WALK_KMH / 3.6)
        } else {
            1000.0
        };
        let mut pinned = vec![None; units.len()];
        let mut pins_without_route = Vec::new();
        if let Some(p) = pins {
            let missing: Vec<(usize, usize)> = p
                .iter()
                .enumerate()
                .filter_map(|(i, j)| j.map(|j| (i, j)))
                .filter(|&(i, j)| {
                    demand.students[i] > 0
                        && schools[j].takes_catchment(level)
                        && !arcs.of(i).iter().any(|a| a.school as usize == j)
                })
                .collect();
            let found = travel::pair_arcs(units, schools, level, policy, travel, &missing);
            let mut added = Vec::new();
            for (&(i, _), a) in missing.iter().zip(found) {
                match a {
                    Some(a) => added.push((i, a)),
                    None => pins_without_route.push(i),
                }
            }
            arcs = arcs.with_added(&added);
            for (i, j) in p.iter().enumerate() {
                if let Some(j) = *j
                    && schools[j].takes_catchment(level)
                    && !pins_without_route.contains(&i)
                {
                    pinned[i] = Some(j);
                }
            }
        }
        LevelProblem {
            units,
            demand,
            schools,
            level,
            policy,
            seats,
            arcs,
            cost_per_m,
            pins: pinned,
            pins_without_route,
        }
    }

    /// The instance's arcs, taken back (for `with_arcs`).
    pub fn into_arcs(self) -> Arcs {
        self.arcs
    }

    /// Solve under `opts`. Errors only if the LP certificate fails (a
    /// solver bug).
    pub fn solve(&self, opts: &LevelOptions) -> Result<LevelAssignment, CertificateError> {
        self.solve_arcs(opts, None)
    }

    /// `solve`, once: the problem's arcs (most of a province's memory) are
    /// let go as soon as the solver's instance is built from them.
    pub fn solve_once(mut self, opts: &LevelOptions) -> Result<LevelAssignment, CertificateError> {
        let arcs = self.arcs.take_rows();
        self.solve_arcs(opts, Some(arcs))
    }

    /// The solve on the problem's arcs, or on `owned` (taken out of the
    /// problem), dropped once the instance holds what is needed of them:
    /// each arc's school and cost, and its route's other measure
    /// (`Arc::other`), for the rows.
    fn solve_arcs(
        &self,
        opts: &LevelOptions,
        owned: Option<Arcs>,
    ) -> Result<LevelAssignment, CertificateError> {
        let clock = std::time::Instant::now();
        let stability = Stability::new(opts, self.cost_per_m);
        let arcs: &Arcs = owned.as_ref().unwrap_or(&self.arcs);
        let allowed = self.allowed_arcs(arcs);
        let first = self.special_needs_first(&allowed);
        let capacity = first.capacity_left(&self.seats);
        let (t, other) = lp_instance(&allowed, &first.supply, &capacity, &stability);
        drop(allowed);
        drop(owned);

        // The LP over units: the certified optimum (and bound).
        let solved = match opts.warm {
            Some(prices) => ssp::solve_warm(&t, prices),
            None => ssp::solve(&t),
        };
        let certificate = certify(&t, &solved.flow, &solved.price)?;
        let prices = solved.price.clone();
        let mut lp_bound = whole::total(&t, &solved.flow);
        lp_bound.mm += first.cost(&t);
        let mut model = self.model_placement(opts, &t, solved, &first.supply, &capacity);
        first.join(&mut model.at);

        // Contiguity: move enclaves to a neighbouring zone, least cost first.
        let rules = ZoneRules {
            whole_zones: opts.whole_units || opts.groups.is_some(),
            feeder: opts.groups.is_some(),
            contiguous: opts.contiguous,
        };
        let point = |i: usize| (self.units[i].lon, self.units[i].lat);
        let adj = match opts.neighbours {
            Some(cache) => cache.placed_neighbours(&model.at, point),
            None => std::sync::Arc::new(placed_neighbours(&model.at, point)),
        };
        let room: Vec<u64> = (0..self.schools.len())
            .map(|j| capacity[j] as u64 + first.load[j])
            .collect();
        let repaired = repair_zones(
            &mut model.at,
            &adj,
            &first.fixed,
            &room,
            |i, j| arc_to(&t, i, j).map(|a| t.arc_mm[a]),
            rules,
        );

        let rows = self.rows(&t, &other, &model, rules.whole_zones, &stability);
        Ok(LevelAssignment {
            level: self.level,
            students: self.demand.students.iter().map(|&s| s as u64).sum(),
            placements: rows.placements,
            seats: self.seats.clone(),
            assigned: rows.assigned,
            special_needs_over_seats: first.over_seats(&self.seats),
            certificate,
            lp_bound,
            objective: rows.objective,
            whole: model.whole,
            enclaves: repaired.enclaves,
            contiguity_moves: repaired.moves,
            feeder_broken: model.feeder_broken,
            feeder_groups: opts.groups.map_or(0, distinct_groups),
            rounds: model.rounds,
            solve_seconds: clock.elapsed().as_secs_f64(),
            prices,
        })
    }

    /// Allowed schools: a pinned unit has only its pin. Borrowed slices
    /// of the arcs, in their order (a province has tens of millions).
    fn allowed_arcs<'b>(&self, arcs: &'b Arcs) -> Vec<&'b [Arc]> {
        let no_route: std::collections::HashSet<usize> =
            self.pins_without_route.iter().copied().collect();
        (0..self.units.len())
            .map(|i| match self.pins[i] {
                Some(j) => arcs
                    .of(i)
                    .iter()
                    .find(|a| a.school as usize == j)
                    .map_or(&[][..], std::slice::from_ref),
                None if no_route.contains(&i) => &[][..],
                None => arcs.of(i),
            })
            .collect()
    }

    /// Special-needs students first, at the pinned or nearest school in
    /// reach, whatever its seats (就近就便). Their cohort siblings are
    /// placed by the model; the school is the unit's nearest, so they
    /// join the child there whenever it has room.
    fn special_needs_first(&self, allowed: &[&[Arc]]) -> PlacedFirst {
        let n = self.units.len();
        let mut pre: Vec<Option<(usize, u32)>> = vec![None; n];
        let mut load = vec![0u64; self.schools.len()];
        let mut fixed = vec![false; n];
        let supply: Vec<u32> = (0..n)
            .map(|i| {
                let sn = self.demand.special_needs[i].min(self.demand.students[i]);
                let first = allowed[i]
                    .iter()
                    .min_by_key(|a| (a.cost, a.school))
                    .map(|a| a.school as usize);
                match (self.policy.special_needs_near_home && sn > 0, first) {
                    (true, Some(j)) => {
                        pre[i] = Some((j, sn));
                        load[j] += sn as u64;
                        // Kept near home: contiguity repair never moves it.
                        fixed[i] = true;
                        self.demand.students[i] - sn
                    }
                    _ => self.demand.students[i],
                }
            })
            .collect();
        for (i, p) in self.pins.iter().enumerate() {
            fixed[i] |= p.is_some();
        }
        PlacedFirst {
            pre,
            load,
            fixed,
            supply,
        }
    }

    /// The students of each unit per school as the model decides them:
    /// feeder groups whole, whole units rounded from the LP optimum, or
    /// the LP optimum itself. The flow (tens of millions of arcs at a
    /// province) is dropped on return.
    fn model_placement(
        &self,
        opts: &LevelOptions,
        t: &Transport,
        solved: ssp::Solved,
        supply: &[u32],
        capacity: &[u32],
    ) -> ModelPlacement {
        let n = self.units.len();
        let mut model = ModelPlacement {
            at: vec![Vec::new(); n],
            unplaced: vec![0u32; n],
            whole: None,
            feeder_broken: Vec::new(),
            rounds: solved.rounds,
        };
        if let Some(groups) = opts.groups {
            let (g_at, g_unplaced, stats, broken, r) =
                self.solve_groups(groups, t, supply, capacity);
            model.at = g_at;
            model.unplaced = g_unplaced;
            model.whole = Some(stats);
            model.feeder_broken = broken;
            model.rounds += r;
        } else if opts.whole_units {
            let r = whole::round(t, &solved.flow);
            for (i, &s) in supply.iter().enumerate() {
                match r.choice[i] {
                    Some(a) => model.at[i].push((t.arc_school[a] as usize, s)),
                    None => model.unplaced[i] = s,
                }
            }
            model.whole = Some(WholeStats {
                split: r.split,
                method: r.method,
            });
        } else {
            for i in 0..n {
                for a in t.arcs(i) {
                    if solved.flow.arc[a] > 0 {
                        model.at[i].push((t.arc_school[a] as usize, solved.flow.arc[a]));
                    }
                }
                model.unplaced[i] = solved.flow.unplaced[i];
            }
        }
        model
    }

    /// Rows, and the value in LP terms.
    fn rows(
        &self,
        t: &Transport,
        other: &[u32],
        model: &ModelPlacement,
        whole_zones: bool,
        stability: &Stability,
    ) -> Rows {
        let mut rows = Rows {
            placements: Vec::new(),
            assigned: vec![0u64; self.schools.len()],
            objective: Total::default(),
        };
        for (i, at) in model.at.iter().enumerate() {
            for &(j, x) in at {
                // The route as found: its cost without the stability
                // penalty.
                let a = arc_to(t, i, j).map(|a| {
                    let base = t.arc_mm[a] - stability.penalty(i, j);
                    (t.arc_mm[a], Arc::from_parts(j as u32, other[a], base))
                });
                rows.assigned[j] += x as u64;
                rows.objective.mm += x as i128 * a.map_or(0, |a| a.0) as i128;
                let a = a.map(|a| a.1);
                rows.placements.push(Placement {
                    unit: i,
                    school: Some(j),
                    students: x,
                    travel_m: Some(a.map_or(0.0, |a| a.metres())),
                    travel_min: a
                        .and_then(|a| a.minutes())
                        .map(|m| (m * 100.0).round() / 100.0),
                    reason: None,
                });
            }
            let placed: u32 = at.iter().map(|h| h.1).sum();
            let y = self.demand.students[i] - placed;
            debug_assert!(y == model.unplaced[i] || whole_zones);
            if y > 0 {
                rows.objective.unplaced += y as i128;
                rows.placements.push(Placement {
                    unit: i,
                    school: None,
                    students: y,
                    travel_m: None,
                    travel_min: None,
                    reason: Some(self.unplaced_reason(t, i)),
                });
            }
        }
        rows
    }

    /// Why students of unit `i` are left unplaced.
    fn unplaced_reason(&self, t: &Transport, i: usize) -> Reason {
        if self.arcs.no_road[i] || self.pins_without_route.contains(&i) {
            Reason::NoRoadConnection
        } else if t.arcs(i).is_empty() {
            Reason::NoSchoolInReach
        } else {
            Reason::CapacityShort
        }
    }

    /// Feeder groups: each group's units go whole to one school. A group
    /// whose units share no school in reach is broken into its units.
    #[allow(clippy::type_complexity)]
    fn solve_groups(
        &self,
        groups: &[Option<u32>],
        lp: &Transport,
        supply: &[u32],
        capacity: &[u32],
    ) -> (
        Vec<Vec<(usize, u32)>>,
        Vec<u32>,
        WholeStats,
        Vec<u32>,
        usize,
    ) {
        let n = self.units.len();
        // Blocks: units of one group with students, or single units.
        let mut by_group: std::collections::BTreeMap<u32, Vec<usize>> = Default::default();
        let mut blocks: Vec<Vec<usize>> = Vec::new();
        for i in 0..n {
            if supply[i] == 0 {
                continue;
            }
            match groups[i] {
                Some(g) => by_group.entry(g).or_default().push(i),
                None => blocks.push(vec![i]),
            }
        }
        let mut broken = Vec::new();
        let mut t = Transport::new(capacity.to_vec());
        let mut members: Vec<Vec<usize>> = Vec::new();
        let push_block =
            |t: &mut Transport, members: &mut Vec<Vec<usize>>, us: Vec<usize>| -> bool {
                let s: u64 = us.iter().map(|&i| supply[i] as u64).sum();
                let mut common: Vec<u32> = lp.arcs(us[0]).map(|a| lp.arc_school[a]).collect();
                for &i in &us[1..] {
                    common.retain(|&j| lp.arcs(i).any(|a| lp.arc_school[a] == j));
                }
                if common.is_empty() && us.len() > 1 {
                    return false;
                }
                let mut arcs: Vec<(u32, i64)> = common
                    .iter()
                    .map(|&j| {
                        let total: i128 = us
                            .iter()
                            .map(|&i| {
                                let a =
                                    lp.arcs(i).find(|&a| lp.arc_school[a] == j).expect("common");
                                supply[i] as i128 * lp.arc_mm[a] as i128
                            })
                            .sum();
                        (j, (total as f64 / s as f64).round() as i64)
                    })
                    .collect();
                t.push_unit(s.min(u32::MAX as u64) as u32, &mut arcs);
                members.push(us);
                true
            };
        for (g, us) in by_group {
            if !push_block(&mut t, &mut members, us.clone()) {
                broken.push(g);
                for i in us {
                    push_block(&mut t, &mut members, vec![i]);
                }
            }
        }
        for b in blocks {
            push_block(&mut t, &mut members, b);
        }
        let solved = ssp::solve(&t);
        let r = whole::round(&t, &solved.flow);
        let mut at = vec![Vec::new(); n];
        let mut unplaced = vec![0u32; n];
        for (b, us) in members.iter().enumerate() {
            for &i in us {
                match r.choice[b] {
                    Some(a) => at[i].push((t.arc_school[a] as usize, supply[i])),
                    None => unplaced[i] = supply[i],
                }
            }
        }
        (
            at,
            unplaced,
            WholeStats {
                split: r.split,
                method: r.method,
            },
            broken,
            solved.rounds,
        )
    }
}

/// The stability weight: a penalty, in solver cost units, on each student
/// placed away from their current school.
struct Stability<'a> {
    current: Option<&'a [Option<usize>]>,
    penalty: i64,
}

impl<'a> Stability<'a> {
    fn new(opts: &LevelOptions<'a>, cost_per_m: f64) -> Stability<'a> {
        Stability {
            current: opts.current,
            penalty: (opts.stability_m_per_student.max(0.0) * cost_per_m).round() as i64,
        }
    }

    /// The penalty on one student of unit `i` at school `j`.
    fn penalty(&self, i: usize, j: usize) -> i64 {
        let moved = self.current.and_then(|c| c[i]).is_some_and(|c| c != j);
        if moved { self.penalty } else { 0 }
    }

    /// Cost of one student of unit `i` on arc `a`, with the penalty.
    fn cost(&self, i: usize, a: &Arc) -> i64 {
        a.cost + self.penalty(i, a.school as usize)
    }
}

/// Special-needs students placed before the model, and what is left to it.
struct PlacedFirst {
    /// Per unit: the school and its students placed first.
    pre: Vec<Option<(usize, u32)>>,
    /// Per school: students placed first.
    load: Vec<u64>,
    /// Per unit: never moved by contiguity repair (placed first or pinned).
    fixed: Vec<bool>,
    /// Per unit: students left to the model.
    supply: Vec<u32>,
}

impl PlacedFirst {
    /// Seats per school left to the model.
    fn capacity_left(&self, seats: &[u32]) -> Vec<u32> {
        (0..seats.len())
            .map(|j| (seats[j] as u64).saturating_sub(self.load[j]) as u32)
            .collect()
    }

    /// Students placed first beyond their school's seats.
    fn over_seats(&self, seats: &[u32]) -> u64 {
        (0..seats.len())
            .map(|j| self.load[j].saturating_sub(seats[j] as u64))
            .sum()
    }

    /// Their cost in the instance's terms.
    fn cost(&self, t: &Transport) -> i128 {
        self.pre
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                p.map(|(j, x)| x as i128 * arc_to(t, i, j).map_or(0, |a| t.arc_mm[a]) as i128)
            })
            .sum()
    }

    /// Students placed first join the unit's rows (rows kept ascending by
    /// school, none empty).
    fn join(&self, at: &mut [Vec<(usize, u32)>]) {
        for (i, at) in at.iter_mut().enumerate() {
            if let Some((j, x)) = self.pre[i] {
                match at.iter_mut().find(|h| h.0 == j) {
                    Some(h) => h.1 += x,
                    None => at.push((j, x)),
                }
            }
            at.retain(|h| h.1 > 0);
            at.sort_unstable();
        }
    }
}

/// The model's decision, before contiguity repair.
struct ModelPlacement {
    /// Per unit: (school, students), beyond those placed first until joined.
    at: Vec<Vec<(usize, u32)>>,
    /// Per unit: students the model left unplaced.
    unplaced: Vec<u32>,
    whole: Option<WholeStats>,
    feeder_broken: Vec<u32>,
    rounds: usize,
}

/// The assignment's rows with what they add up to.
struct Rows {
    placements: Vec<Placement>,
    assigned: Vec<u64>,
    objective: Total,
}

/// The LP over units, at the allowed arcs' costs with the stability
/// penalty, and each arc's route measure besides the cost, in the
/// instance's order: the arcs themselves are not needed past here.
fn lp_instance(
    allowed: &[&[Arc]],
    supply: &[u32],
    capacity: &[u32],
    stability: &Stability,
) -> (Transport, Vec<u32>) {
    let arcs = allowed.iter().map(|a| a.len()).sum();
    let mut t = Transport::with_capacity(capacity.to_vec(), allowed.len(), arcs);
    let mut other: Vec<u32> = Vec::with_capacity(t.arc_school.capacity());
    let mut buf: Vec<(u32, i64, u32)> = Vec::new();
    for (i, unit_arcs) in allowed.iter().enumerate() {
        buf.clear();
        buf.extend(
            unit_arcs
                .iter()
                .map(|a| (a.school, stability.cost(i, a), a.other_part())),
        );
        t.push_unit_with(supply[i], &mut buf, &mut other);
    }
    (t, other)
}

/// The instance's arc of unit `i` to school `j`, if any.
fn arc_to(t: &Transport, i: usize, j: usize) -> Option<usize> {
    t.arcs(i).find(|&a| t.arc_school[a] as usize == j)
}

/// How many distinct feeder groups there are.
fn distinct_groups(groups: &[Option<u32>]) -> usize {
    let mut v: Vec<u32> = groups.iter().flatten().copied().collect();
    v.sort_unstable();
    v.dedup();
    v.len()
}

/// Assign the entry cohort of `level` under the base model: special-needs
/// students first at their nearest school in reach, the rest exactly.
pub fn assign_level(
    units: &[Unit],
    demand: &LevelDemand,
    schools: &[School],
    level: Level,
    policy: &Policy,
    travel: Travel,
) -> Result<LevelAssignment, CertificateError> {
    LevelProblem::new(units, demand, schools, level, policy, travel, None).solve(&LevelOptions {
        contiguous: true,
        ..Default::default()
    })
}
