//! Contiguity repair: a zone in more than one piece sends each piece cut
//! off from its main piece (an enclave) to a neighbouring zone, least cost
//! first, or trades it against border units of a full neighbour; what
//! cannot move is listed with the reason. Pure: the caller gives each
//! unit's students per school, the room per school and the cost of a unit
//! at a school.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::adjacency::{Neighbours, delaunay_graph};
use super::contiguity::pieces;

/// A piece of a school's zone not joined to its main piece.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Enclave {
    pub school: usize,
    pub units: Vec<usize>,
    pub students: u64,
    pub why: EnclaveWhy,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum EnclaveWhy {
    /// It holds a pinned unit (or special-needs children placed first).
    Fixed,
    /// Neighbouring zones' schools are within reach but have no room.
    NeighboursFull,
    /// No neighbouring zone's school is within reach of all its units.
    NeighboursOutOfReach,
    /// Units may be split between schools (no `--whole-units`): reported only.
    NotWhole,
    /// Junior zones follow whole primary zones (feeder option).
    Feeder,
}

impl EnclaveWhy {
    pub fn as_str(self) -> &'static str {
        match self {
            EnclaveWhy::Fixed => "pinned_or_special_needs",
            EnclaveWhy::NeighboursFull => "neighbouring_schools_full",
            EnclaveWhy::NeighboursOutOfReach => "neighbouring_schools_out_of_reach",
            EnclaveWhy::NotWhole => "units_split_use_whole_units",
            EnclaveWhy::Feeder => "feeder_zones",
        }
    }
}

/// How the zones were made, which decides whether they may be repaired
/// and why a piece that stays is left.
#[derive(Clone, Copy, Debug)]
pub struct ZoneRules {
    /// Every unit (or feeder group) is at one school.
    pub whole_zones: bool,
    /// Zones follow feeder groups (whole primary zones).
    pub feeder: bool,
    /// Contiguous zones were asked for.
    pub contiguous: bool,
}

impl ZoneRules {
    /// Only whole, non-feeder zones asked to be contiguous are repaired:
    /// moving part of a split unit or of a feeder group would break it.
    fn repairs(self) -> bool {
        self.whole_zones && self.contiguous && !self.feeder
    }
}

/// What the repair did.
#[derive(Clone, Debug, Default)]
pub struct Repaired {
    /// Pieces left cut off from their school's main piece.
    pub enclaves: Vec<Enclave>,
    /// Units moved to another zone.
    pub moves: usize,
}

/// The zone of each unit in `at` (per unit: students per school): the
/// school holding most of its students (ties: the lower index).
pub fn zone_of_each_unit(at: &[Vec<(usize, u32)>]) -> Vec<Option<usize>> {
    at.iter()
        .map(|h| {
            h.iter()
                .max_by_key(|&&(j, x)| (x, std::cmp::Reverse(j)))
                .map(|&(j, _)| j)
        })
        .collect()
}

/// Delaunay neighbours among the units with students placed (`at` non-empty),
/// located by `point` (lon, lat), spread back to all `at.len()` units.
pub fn placed_neighbours(
    at: &[Vec<(usize, u32)>],
    point: impl Fn(usize) -> (f64, f64),
) -> Neighbours {
    neighbours_of(&placed(at), at.len(), point)
}

/// The units with students placed.
fn placed(at: &[Vec<(usize, u32)>]) -> Vec<usize> {
    (0..at.len()).filter(|&i| !at[i].is_empty()).collect()
}

fn neighbours_of(gens: &[usize], n: usize, point: impl Fn(usize) -> (f64, f64)) -> Neighbours {
    let pts: Vec<(f64, f64)> = gens.iter().map(|&i| point(i)).collect();
    delaunay_graph(&pts).spread(gens, n)
}

/// The neighbours of the placed units, kept between solves of one level:
/// triangulated again only when the set of units placed changes. A
/// planner's re-optimise after a move places the same units, so it skips
/// the triangulation (a fifth of a prefecture's solve); the graph is the
/// one `placed_neighbours` would build.
#[derive(Debug, Default)]
pub struct NeighbourCache {
    last: Mutex<Option<(Vec<usize>, Arc<Neighbours>)>>,
}

impl NeighbourCache {
    /// `placed_neighbours(at, point)`, from the last call's graph when it
    /// placed the same units.
    pub fn placed_neighbours(
        &self,
        at: &[Vec<(usize, u32)>],
        point: impl Fn(usize) -> (f64, f64),
    ) -> Arc<Neighbours> {
        let gens = placed(at);
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((g, adj)) = last.as_ref()
            && *g == gens
        {
            return Arc::clone(adj);
        }
        let adj = Arc::new(neighbours_of(&gens, at.len(), point));
        *last = Some((gens, Arc::clone(&adj)));
        adj
    }
}

/// Make each zone one piece where the rules allow, then list the pieces
/// left over.
///
/// `at`: per unit, (school, students) ascending by school, changed in
/// place. `adj`: unit neighbours. `fixed`: units never moved (pinned, or
/// special-needs students placed first). `room`: per school, the students
/// it may hold. `cost(i, j)`: cost of one student of unit `i` at school `j`
/// (`None`: out of reach).
///
/// Each move recomputes the pieces; the number of moves is bounded by
/// `10 n + 10`, so the repair ends even if moves were to cycle.
pub fn repair_zones(
    at: &mut [Vec<(usize, u32)>],
    adj: &Neighbours,
    fixed: &[bool],
    room: &[u64],
    cost: impl Fn(usize, usize) -> Option<i64>,
    rules: ZoneRules,
) -> Repaired {
    let n = at.len();
    let weight: Vec<u64> = at
        .iter()
        .map(|h| h.iter().map(|x| x.1 as u64).sum())
        .collect();
    let mut load = vec![0u64; room.len()];
    for h in at.iter() {
        for &(j, x) in h {
            load[j] += x as u64;
        }
    }
    let mut repair = Repair {
        at,
        adj,
        fixed,
        room,
        cost,
        weight,
        load,
        moves: 0,
        last_why: HashMap::new(),
    };
    let passes = if rules.repairs() { 10 * n + 10 } else { 0 };
    for _ in 0..passes {
        if !repair.move_one_piece() {
            break;
        }
    }
    Repaired {
        enclaves: repair.enclaves_left(rules),
        moves: repair.moves,
    }
}

/// The state of a repair: the zones as they stand and the loads they give.
struct Repair<'a, C> {
    at: &'a mut [Vec<(usize, u32)>],
    adj: &'a Neighbours,
    fixed: &'a [bool],
    room: &'a [u64],
    cost: C,
    /// Per unit: its students (all of them at one school once whole).
    weight: Vec<u64>,
    /// Per school: students held.
    load: Vec<u64>,
    moves: usize,
    /// Why a piece (by its first unit) could not move when last tried.
    last_why: HashMap<usize, EnclaveWhy>,
}

impl<C: Fn(usize, usize) -> Option<i64>> Repair<'_, C> {
    fn schools(&self) -> usize {
        self.room.len()
    }

    fn pieces_now(&self) -> (Vec<Option<usize>>, Vec<Vec<Vec<usize>>>) {
        let labels = zone_of_each_unit(self.at);
        let ps = pieces(&labels, self.adj, &self.weight, self.schools());
        (labels, ps)
    }

    /// Move the first cut-off piece that can move; false when none can.
    fn move_one_piece(&mut self) -> bool {
        let (labels, ps) = self.pieces_now();
        for (j, school_pieces) in ps.iter().enumerate() {
            for piece in school_pieces.iter().skip(1) {
                match self.move_piece(j, piece, &labels, &ps) {
                    Ok(()) => return true,
                    Err(why) => {
                        self.last_why.insert(piece[0], why);
                    }
                }
            }
        }
        false
    }

    /// Move `piece` of school `j`'s zone to the cheapest neighbouring zone
    /// with room, else trade it with a full one; the reason when neither.
    fn move_piece(
        &mut self,
        j: usize,
        piece: &[usize],
        labels: &[Option<usize>],
        ps: &[Vec<Vec<usize>>],
    ) -> Result<(), EnclaveWhy> {
        if piece.iter().any(|&i| self.fixed[i]) {
            return Err(EnclaveWhy::Fixed);
        }
        let cands = self.neighbour_zones(j, piece, labels);
        let students: u64 = piece.iter().map(|&i| self.weight[i]).sum();
        match self.cheapest_neighbour(j, piece, students, &cands, ps) {
            Ok(c) => {
                for &i in piece {
                    self.at[i] = vec![(c, self.weight[i] as u32)];
                }
                self.load[j] -= students;
                self.load[c] += students;
                self.moves += piece.len();
                Ok(())
            }
            Err(why) => {
                // A full neighbour: trade.
                if why == EnclaveWhy::NeighboursFull
                    && self.trade(j, piece, students, &cands, labels, ps)
                {
                    return Ok(());
                }
                Err(why)
            }
        }
    }

    /// Schools of the zones next to `piece`, other than its own `j`.
    fn neighbour_zones(&self, j: usize, piece: &[usize], labels: &[Option<usize>]) -> Vec<usize> {
        let mut cands: Vec<usize> = piece
            .iter()
            .flat_map(|&i| self.adj.of(i).iter())
            .filter_map(|&w| labels[w as usize])
            .filter(|&l| l != j)
            .collect();
        cands.sort_unstable();
        cands.dedup();
        cands
    }

    /// The neighbouring zone that takes `piece` whole for the least added
    /// cost, preferring one whose main piece it touches (so the move does
    /// not make a new enclave); ties: the lower school.
    fn cheapest_neighbour(
        &self,
        j: usize,
        piece: &[usize],
        students: u64,
        cands: &[usize],
        ps: &[Vec<Vec<usize>>],
    ) -> Result<usize, EnclaveWhy> {
        let cost = &self.cost;
        let mut best: Option<((bool, i128, usize), usize)> = None;
        let mut why = EnclaveWhy::NeighboursOutOfReach;
        for &c in cands {
            let reach = piece.iter().all(|&i| cost(i, c).is_some());
            if !reach {
                continue;
            }
            if self.load[c] + students > self.room[c] {
                why = EnclaveWhy::NeighboursFull;
                continue;
            }
            let delta: i128 = piece
                .iter()
                .map(|&i| {
                    self.weight[i] as i128
                        * (cost(i, c).unwrap_or(0) - cost(i, j).unwrap_or(0)) as i128
                })
                .sum();
            let main = ps[c].first();
            let joins_main = piece.iter().any(|&i| {
                self.adj
                    .of(i)
                    .iter()
                    .any(|&w| main.is_some_and(|m| m.binary_search(&(w as usize)).is_ok()))
            });
            let key = (!joins_main, delta, c);
            if best.as_ref().is_none_or(|b| key < b.0) {
                best = Some((key, c));
            }
        }
        best.map(|(_, c)| c).ok_or(why)
    }

    /// Trade with a full neighbour: the piece goes to it, and as many of
    /// its students on the border with school `j`'s main piece come to
    /// `j`, if no zone breaks into more pieces. True when done.
    fn trade(
        &mut self,
        j: usize,
        piece: &[usize],
        students: u64,
        cands: &[usize],
        labels: &[Option<usize>],
        ps: &[Vec<Vec<usize>>],
    ) -> bool {
        for &c in cands {
            if !piece.iter().all(|&i| self.cost_at(i, c).is_some()) {
                continue;
            }
            let need = (self.load[c] + students).saturating_sub(self.room[c]);
            let (take, freed) = self.border_to_take(j, c, need, labels, &ps[j][0]);
            if freed < need || self.load[j] - students + freed > self.room[j] {
                continue;
            }
            let saved = self.at.to_vec();
            for &i in piece {
                self.at[i] = vec![(c, self.weight[i] as u32)];
            }
            for &w in &take {
                self.at[w] = vec![(j, self.weight[w] as u32)];
            }
            let (_, ps2) = self.pieces_now();
            if ps2[j].len() < ps[j].len() && ps2[c].len() <= ps[c].len() {
                self.load[j] = self.load[j] - students + freed;
                self.load[c] = self.load[c] + students - freed;
                self.moves += piece.len() + take.len();
                return true;
            }
            self.at.clone_from_slice(&saved);
        }
        false
    }

    /// Units of zone `c` on the border with `main_j` (school `j`'s main
    /// piece), cheapest to bring to `j` first, until `need` students are
    /// freed: the units and the students freed.
    fn border_to_take(
        &self,
        j: usize,
        c: usize,
        need: u64,
        labels: &[Option<usize>],
        main_j: &[usize],
    ) -> (Vec<usize>, u64) {
        let n = self.at.len();
        let mut border: Vec<(i128, usize)> = (0..n)
            .filter(|&w| {
                labels[w] == Some(c)
                    && !self.fixed[w]
                    && self.at[w].len() == 1
                    && self
                        .adj
                        .of(w)
                        .iter()
                        .any(|&v| main_j.binary_search(&(v as usize)).is_ok())
            })
            .filter_map(|w| {
                let d = self.cost_at(w, j)? - self.cost_at(w, c)?;
                Some((d * self.weight[w] as i128, w))
            })
            .collect();
        border.sort_unstable();
        let mut take = Vec::new();
        let mut freed = 0u64;
        for &(_, w) in &border {
            if freed >= need {
                break;
            }
            take.push(w);
            freed += self.weight[w];
        }
        (take, freed)
    }

    fn cost_at(&self, i: usize, j: usize) -> Option<i128> {
        (self.cost)(i, j).map(|x| x as i128)
    }

    /// The pieces still cut off, each with the reason it stays.
    fn enclaves_left(&self, rules: ZoneRules) -> Vec<Enclave> {
        let (_, ps) = self.pieces_now();
        let mut enclaves = Vec::new();
        for (j, school_pieces) in ps.iter().enumerate() {
            for piece in school_pieces.iter().skip(1) {
                let why = if !rules.whole_zones {
                    EnclaveWhy::NotWhole
                } else if rules.feeder {
                    EnclaveWhy::Feeder
                } else if !rules.contiguous {
                    EnclaveWhy::NotWhole
                } else if piece.iter().any(|&i| self.fixed[i]) {
                    EnclaveWhy::Fixed
                } else {
                    *self
                        .last_why
                        .get(&piece[0])
                        .unwrap_or(&EnclaveWhy::NeighboursOutOfReach)
                };
                enclaves.push(Enclave {
                    school: j,
                    units: piece.clone(),
                    students: piece.iter().map(|&i| self.weight[i]).sum(),
                    why,
                });
            }
        }
        enclaves
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cache gives the graph `placed_neighbours` builds, whether the
    /// placed units are the same as last time or not.
    #[test]
    fn cached_neighbours_are_the_placed_neighbours() {
        let point = |i: usize| ((i * 37 % 101) as f64 * 0.001, (i * 53 % 97) as f64 * 0.001);
        let mut at: Vec<Vec<(usize, u32)>> = (0..60).map(|i| vec![(i % 3, 1)]).collect();
        let cache = NeighbourCache::default();
        for step in 0..4 {
            if step == 2 {
                at[7].clear();
                at[30].clear();
            }
            let got = cache.placed_neighbours(&at, point);
            assert_eq!(*got, placed_neighbours(&at, point), "step {step}");
        }
    }
}
