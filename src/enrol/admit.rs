//! Admission flows of one level (`catchment admit`), pure: no I/O, no clock.
//!
//! The county's rules (Shanxi 2023): county-town primaries admit by
//! "catchment + choice + lottery + allocation" (划片+自愿+抽签+分配); at junior
//! middle everyone may enter the public school, a private school admits by
//! application and computer lottery, and its lottery losers go to the public
//! school. Applications to every school of one level are processed in this
//! order:
//!
//! 1. **Private schools** (school id order): applicants (members) <= seats:
//!    all admitted (`private_admitted`); else the lottery of
//!    [`crate::lottery`]: winners `private_lottery_won`, losers
//!    `returned_to_catchment`.
//! 2. **Returned private losers** (school order, then lottery rank) go to
//!    their unit's catchment school, whatever its seats: the plan holds a
//!    seat for every child of the unit. At a *registering* school (one the
//!    applicant list names: the list is its registration list) they take
//!    its seats first; if they alone exceed them, the excess is counted as
//!    `over_seats` (the only way seats are ever exceeded). At a school the
//!    list does not name they sit in the seat the plan assigned them, which
//!    is not among the school's free seats. An applicant without a unit is
//!    reported as returned with no school and reason `no_unit`; one whose
//!    unit has no catchment school joins the allocation (3.).
//! 3. **Public schools** (school order), stage 1, catchment applicants
//!    (applied school = the unit's catchment school): admitted if they fit
//!    in the seats left (`catchment`), else a lottery for those seats
//!    (`catchment_lottery_won`). Stage 2, choice applicants (any other
//!    public applicant): the seats left after stage 1, likewise (`choice`,
//!    `choice_lottery_won`).
//! 4. **Allocation**: every stage-1 loser, then every stage-2 loser, then
//!    every returned private loser without a catchment school; within each
//!    class by place among the losers of its draw (first losers of every
//!    school, then second losers, ...), then school order. A choice loser
//!    first takes a seat at its own catchment school if one is free; else
//!    every applicant goes to the nearest public school of the level within
//!    reach (the plan's candidate arcs: same travel model and limits) that
//!    has free seats for its whole ticket (ties: lower school index). If
//!    none: `unplaced` with `no_school_in_reach` (no public school within
//!    reach), `no_road_connection` (on a road piece without a school), or
//!    `capacity_short` (schools within reach, all full).
//!
//! A multiple-birth group holds one ticket through every stage: it is
//! admitted, drawn, returned or allocated as a whole. Every draw is a
//! complete public lottery of one school ([`LotteryRun`]), recomputable
//! with `catchment lottery verify`.

use crate::lottery::audit::{Audit, COMMIT_AND_DRAW, CommitRecord, SeedInputs};
use crate::lottery::{
    Applicant, Draw, DrawOptions, LotteryError, Ticket, canonical_applicants, commitment,
    derive_seed, draw, result_csv,
};
use crate::model::Level;
use std::collections::BTreeMap;
use std::fmt;

/// How an applicant ended up where they are.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Route {
    Catchment,
    CatchmentLotteryWon,
    Choice,
    ChoiceLotteryWon,
    Allocated,
    PrivateAdmitted,
    PrivateLotteryWon,
    ReturnedToCatchment,
    Unplaced,
}

impl Route {
    pub const ALL: [Route; 9] = [
        Route::Catchment,
        Route::CatchmentLotteryWon,
        Route::Choice,
        Route::ChoiceLotteryWon,
        Route::Allocated,
        Route::PrivateAdmitted,
        Route::PrivateLotteryWon,
        Route::ReturnedToCatchment,
        Route::Unplaced,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Route::Catchment => "catchment",
            Route::CatchmentLotteryWon => "catchment_lottery_won",
            Route::Choice => "choice",
            Route::ChoiceLotteryWon => "choice_lottery_won",
            Route::Allocated => "allocated",
            Route::PrivateAdmitted => "private_admitted",
            Route::PrivateLotteryWon => "private_lottery_won",
            Route::ReturnedToCatchment => "returned_to_catchment",
            Route::Unplaced => "unplaced",
        }
    }
}

/// Why an applicant has no school.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Why {
    NoSchoolInReach,
    CapacityShort,
    NoRoadConnection,
    /// A private-lottery loser without a unit: their catchment school is
    /// not known here (not counted as unplaced).
    NoUnit,
}

impl Why {
    pub fn as_str(self) -> &'static str {
        match self {
            Why::NoSchoolInReach => "no_school_in_reach",
            Why::CapacityShort => "capacity_short",
            Why::NoRoadConnection => "no_road_connection",
            Why::NoUnit => "no_unit",
        }
    }
}

/// The lottery stages.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    Private,
    Catchment,
    Choice,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Private => "private",
            Stage::Catchment => "catchment",
            Stage::Choice => "choice",
        }
    }
}

/// A school of the level.
#[derive(Clone, Debug, PartialEq)]
pub struct AdmitSchool {
    /// The school id (the lottery draws under it).
    pub id: String,
    /// Private: by application and lottery only; never a catchment or an
    /// allocation.
    pub private: bool,
    /// Seats for this admission: a registering school's seats for the
    /// level; at a public school the list does not name, the seats the
    /// plan left free (seats - assigned).
    pub seats: u64,
    /// Named by the applicant list (its registration list).
    pub registering: bool,
    /// Folder label of its draws (`<label>-<stage>`): the id, made safe for
    /// a file name, with the level for a nine-year school.
    pub label: String,
}

/// Travel from a unit to one school.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Reach {
    pub school: usize,
    /// The plan's solver cost (mm, or ms when limits are in minutes).
    pub cost: i64,
    pub metres: f64,
    /// A candidate of the plan (within the travel limits): allocation
    /// goes only here. Other entries are for reporting travel.
    pub in_reach: bool,
}

/// A household or block, as the plan sees it at this level.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct AdmitUnit {
    /// The catchment school (index into the schools).
    pub catchment: Option<usize>,
    pub travel: Vec<Reach>,
    /// On a road piece with no school of the level.
    pub no_road: bool,
}

/// One application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdmitApplicant {
    /// The application number.
    pub id: String,
    /// The school applied to (index).
    pub school: usize,
    /// The household (index); required for public schools.
    pub unit: Option<usize>,
    pub group: Option<String>,
    pub priority: Option<String>,
}

/// The seed inputs of every draw (as `lottery draw`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seeding {
    pub public_entropy: String,
    pub notary: String,
}

/// One level's admission problem.
#[derive(Clone, Copy, Debug)]
pub struct AdmitInput<'a> {
    pub level: Level,
    pub schools: &'a [AdmitSchool],
    pub units: &'a [AdmitUnit],
    pub applicants: &'a [AdmitApplicant],
    /// Needed only if a draw is.
    pub seeding: Option<&'a Seeding>,
    pub options: DrawOptions,
}

/// Where one applicant went.
#[derive(Clone, Debug, PartialEq)]
pub struct Admission {
    /// Index into the applicants.
    pub applicant: usize,
    pub route: Route,
    pub school: Option<usize>,
    pub travel_m: Option<f64>,
    /// Rank of the applicant's ticket in the lottery it took part in (the
    /// one it lost, for allocated and returned applicants).
    pub lottery_rank: Option<usize>,
    pub reason: Option<Why>,
}

/// One draw: a complete public lottery folder's content.
#[derive(Clone, Debug)]
pub struct LotteryRun {
    pub school: usize,
    pub stage: Stage,
    /// `<label>-<stage>`.
    pub folder: String,
    /// The canonical `applicants.csv`.
    pub canonical: String,
    pub commit: CommitRecord,
    pub draw: Draw,
    /// `lottery_result.csv`.
    pub result: String,
    pub audit: Audit,
}

/// One school's figures.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Tally {
    pub seats: u64,
    /// Applicants (members) by stage.
    pub catchment_applicants: u64,
    pub choice_applicants: u64,
    pub private_applicants: u64,
    /// Admitted here, by route.
    pub admitted: BTreeMap<Route, u64>,
    /// Returned private losers beyond the seats (registering schools only).
    pub over_seats: u64,
    /// Seats left free for this admission.
    pub free_left: u64,
}

impl Tally {
    pub fn admitted_total(&self) -> u64 {
        self.admitted.values().sum()
    }
}

/// The outcome of one level.
#[derive(Clone, Debug)]
pub struct AdmitResult {
    pub level: Level,
    /// One per applicant, in applicant order.
    pub admissions: Vec<Admission>,
    /// Every draw, in the order drawn.
    pub lotteries: Vec<LotteryRun>,
    /// One per school.
    pub tallies: Vec<Tally>,
}

impl AdmitResult {
    /// Applicants with a school.
    pub fn admitted(&self) -> u64 {
        self.admissions
            .iter()
            .filter(|a| a.school.is_some())
            .count() as u64
    }

    /// Applicants with route `unplaced`.
    pub fn unplaced(&self) -> u64 {
        self.admissions
            .iter()
            .filter(|a| a.route == Route::Unplaced)
            .count() as u64
    }

    /// Returned private losers without a unit (no school known here).
    pub fn returned_without_unit(&self) -> u64 {
        self.admissions
            .iter()
            .filter(|a| a.reason == Some(Why::NoUnit))
            .count() as u64
    }
}

/// Inconsistent inputs, or a draw without seed inputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AdmitError {
    /// An index out of range.
    BadIndex {
        applicant: String,
        what: &'static str,
    },
    /// A public-school applicant without a unit.
    NoUnit {
        applicant: String,
        school: String,
    },
    /// A multiple-birth group whose members differ in school, unit or
    /// priority.
    GroupDiffers {
        group: String,
        what: &'static str,
    },
    /// A draw is needed and no seed inputs were given.
    NeedsEntropy {
        school: String,
        stage: Stage,
        applicants: u64,
        seats: u64,
    },
    Lottery(LotteryError),
}

impl fmt::Display for AdmitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AdmitError::BadIndex { applicant, what } => {
                write!(f, "applicant {applicant:?}: no such {what}")
            }
            AdmitError::NoUnit { applicant, school } => write!(
                f,
                "applicant {applicant:?} applies to public school {school} without a unit"
            ),
            AdmitError::GroupDiffers { group, what } => write!(
                f,
                "members of multiple-birth group {group:?} have different {what}"
            ),
            AdmitError::NeedsEntropy {
                school,
                stage,
                applicants,
                seats,
            } => write!(
                f,
                "{school} ({} stage) has {applicants} applicants for {seats} seats: a lottery is \
                 needed",
                stage.as_str()
            ),
            AdmitError::Lottery(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for AdmitError {}

impl From<LotteryError> for AdmitError {
    fn from(e: LotteryError) -> Self {
        AdmitError::Lottery(e)
    }
}

/// A ticket of the flow: applicant indices (sorted by application number).
#[derive(Clone, Debug)]
struct Tk {
    members: Vec<usize>,
}

/// A loser waiting for allocation.
struct Waiting {
    class: u8,
    /// Place among the losers of its draw (1 = first loser).
    place: usize,
    school: usize,
    rank: Option<usize>,
    members: Vec<usize>,
}

/// Run one level's admission (module text).
pub fn admit(input: &AdmitInput) -> Result<AdmitResult, AdmitError> {
    check(input)?;
    let mut by_stage = tickets(input)?;
    let mut flow = AdmitFlow::new(input);
    // 1. Private schools; 2. their losers back to their catchment school.
    flow.private_schools(&mut by_stage)?;
    flow.carry_over_seats();
    // 3. Public schools: catchment, then choice.
    flow.public_schools(&mut by_stage)?;
    // 4. Allocation.
    flow.allocate();
    Ok(flow.result())
}

/// The stage an applicant applies in: private school, own catchment
/// school, or choice.
fn stage_of(input: &AdmitInput, a: &AdmitApplicant) -> Stage {
    if input.schools[a.school].private {
        Stage::Private
    } else if catchment_of(input, a) == Some(a.school) {
        Stage::Catchment
    } else {
        Stage::Choice
    }
}

/// The catchment school of an applicant's unit, if any.
fn catchment_of(input: &AdmitInput, a: &AdmitApplicant) -> Option<usize> {
    a.unit.and_then(|u| input.units[u].catchment)
}

/// Tickets per applied school, in school order, split by stage: one per
/// applicant, or one per multiple-birth group (which must apply to one
/// school in one stage), members by applicant id.
fn tickets(input: &AdmitInput) -> Result<BTreeMap<(usize, Stage), Vec<Tk>>, AdmitError> {
    let applicants = input.applicants;
    let mut by_stage: BTreeMap<(usize, Stage), Vec<Tk>> = BTreeMap::new();
    let mut order: Vec<usize> = (0..applicants.len()).collect();
    order.sort_by(|&a, &b| applicants[a].id.cmp(&applicants[b].id));
    let mut group_at: BTreeMap<&str, (usize, Stage, usize)> = BTreeMap::new();
    for i in order {
        let a = &applicants[i];
        let stage = stage_of(input, a);
        let list = by_stage.entry((a.school, stage)).or_default();
        match a.group.as_deref().filter(|g| !g.is_empty()) {
            Some(g) => match group_at.get(g) {
                Some(&(s, st, k)) if s == a.school && st == stage => {
                    by_stage.get_mut(&(s, st)).expect("listed")[k]
                        .members
                        .push(i);
                }
                Some(_) => {
                    return Err(AdmitError::GroupDiffers {
                        group: g.to_string(),
                        what: "schools or units",
                    });
                }
                None => {
                    group_at.insert(g, (a.school, stage, list.len()));
                    list.push(Tk { members: vec![i] });
                }
            },
            None => list.push(Tk { members: vec![i] }),
        }
    }
    Ok(by_stage)
}

/// The tickets of school `j` in stage `st`, taken out of the lists.
fn take(by_stage: &mut BTreeMap<(usize, Stage), Vec<Tk>>, j: usize, st: Stage) -> Vec<Tk> {
    by_stage.remove(&(j, st)).unwrap_or_default()
}

/// The admission as it runs: who went where, the seats left, the draws.
struct AdmitFlow<'i, 'a> {
    input: &'i AdmitInput<'a>,
    /// Per applicant: the admission, once decided.
    out: Vec<Option<Admission>>,
    /// Per school: seats left (below zero only for a group admitted over
    /// the plan, until carried into `over`).
    free: Vec<i64>,
    /// Per school: students admitted beyond its seats.
    over: Vec<u64>,
    lotteries: Vec<LotteryRun>,
    /// Losers waiting for allocation.
    waiting: Vec<Waiting>,
}

impl<'i, 'a> AdmitFlow<'i, 'a> {
    fn new(input: &'i AdmitInput<'a>) -> AdmitFlow<'i, 'a> {
        AdmitFlow {
            input,
            out: vec![None; input.applicants.len()],
            free: input.schools.iter().map(|s| s.seats as i64).collect(),
            over: vec![0; input.schools.len()],
            lotteries: Vec::new(),
            waiting: Vec::new(),
        }
    }

    /// Metres from applicant `i`'s unit to school `j`, when known.
    fn travel(&self, i: usize, j: usize) -> Option<f64> {
        let u = self.input.applicants[i].unit?;
        self.input.units[u]
            .travel
            .iter()
            .find(|r| r.school == j)
            .map(|r| r.metres)
    }

    /// Decide where the `members` of one ticket go.
    fn place(
        &mut self,
        members: &[usize],
        route: Route,
        school: Option<usize>,
        rank: Option<usize>,
        reason: Option<Why>,
    ) {
        for &i in members {
            self.out[i] = Some(Admission {
                applicant: i,
                route,
                school,
                travel_m: school.and_then(|j| self.travel(i, j)),
                lottery_rank: rank,
                reason,
            });
        }
    }

    /// Private schools fill their seats (a lottery when over); their
    /// losers go back to their catchment school, or wait for allocation.
    fn private_schools(
        &mut self,
        by_stage: &mut BTreeMap<(usize, Stage), Vec<Tk>>,
    ) -> Result<(), AdmitError> {
        let input = self.input;
        for j in 0..input.schools.len() {
            if !input.schools[j].private {
                continue;
            }
            let tickets = take(by_stage, j, Stage::Private);
            let outcome = fill(
                input,
                j,
                Stage::Private,
                &tickets,
                self.free[j],
                &mut self.lotteries,
            )?;
            // (rank, members) of the losers, in rank order.
            let mut returned: Vec<(Option<usize>, Vec<usize>)> = Vec::new();
            for (t, rank, won) in outcome {
                if won {
                    let route = if rank.is_some() {
                        Route::PrivateLotteryWon
                    } else {
                        Route::PrivateAdmitted
                    };
                    self.free[j] -= t.members.len() as i64;
                    self.place(&t.members, route, Some(j), rank, None);
                } else {
                    returned.push((rank, t.members));
                }
            }
            self.return_losers(j, returned);
        }
        Ok(())
    }

    /// The losers of private school `j`, in rank order, back to their
    /// catchment school (taking its seats if it registers), or waiting.
    fn return_losers(&mut self, j: usize, returned: Vec<(Option<usize>, Vec<usize>)>) {
        let input = self.input;
        for (k, (rank, members)) in returned.into_iter().enumerate() {
            let place_no = k + 1;
            let a = &input.applicants[members[0]];
            match (a.unit, catchment_of(input, a)) {
                (None, _) => self.place(
                    &members,
                    Route::ReturnedToCatchment,
                    None,
                    rank,
                    Some(Why::NoUnit),
                ),
                (Some(_), Some(c)) => {
                    if input.schools[c].registering {
                        self.free[c] -= members.len() as i64;
                    }
                    self.place(&members, Route::ReturnedToCatchment, Some(c), rank, None);
                }
                (Some(_), None) => self.waiting.push(Waiting {
                    class: 2,
                    place: place_no,
                    school: j,
                    rank,
                    members,
                }),
            }
        }
    }

    /// Returned losers beyond a school's seats are counted over them; the
    /// school has no seat left.
    fn carry_over_seats(&mut self) {
        for j in 0..self.input.schools.len() {
            if self.free[j] < 0 {
                self.over[j] = (-self.free[j]) as u64;
                self.free[j] = 0;
            }
        }
    }

    /// Public schools fill their seats, catchment applicants first, then
    /// choice (a lottery when over); the losers wait for allocation.
    fn public_schools(
        &mut self,
        by_stage: &mut BTreeMap<(usize, Stage), Vec<Tk>>,
    ) -> Result<(), AdmitError> {
        let input = self.input;
        for (class, stage) in [(0u8, Stage::Catchment), (1, Stage::Choice)] {
            for j in 0..input.schools.len() {
                if input.schools[j].private {
                    continue;
                }
                let tickets = take(by_stage, j, stage);
                let outcome = fill(input, j, stage, &tickets, self.free[j], &mut self.lotteries)?;
                let mut place_no = 0;
                for (t, rank, won) in outcome {
                    if won {
                        let route = match (stage, rank.is_some()) {
                            (Stage::Catchment, false) => Route::Catchment,
                            (Stage::Catchment, true) => Route::CatchmentLotteryWon,
                            (_, false) => Route::Choice,
                            (_, true) => Route::ChoiceLotteryWon,
                        };
                        self.free[j] -= t.members.len() as i64;
                        self.place(&t.members, route, Some(j), rank, None);
                    } else {
                        place_no += 1;
                        self.waiting.push(Waiting {
                            class,
                            place: place_no,
                            school: j,
                            rank,
                            members: t.members,
                        });
                    }
                }
                // Only a group admitted over the plan (`--group-overflow admit`)
                // goes below zero.
                if self.free[j] < 0 {
                    self.over[j] += (-self.free[j]) as u64;
                    self.free[j] = 0;
                }
            }
        }
        Ok(())
    }

    /// The waiting losers, in class, place and school order: a choice
    /// loser to its own catchment school if it has room, else the cheapest
    /// public school in reach with room; else unplaced with the reason.
    fn allocate(&mut self) {
        let mut waiting = std::mem::take(&mut self.waiting);
        waiting.sort_by_key(|w| (w.class, w.place, w.school));
        for w in waiting {
            self.allocate_one(w);
        }
    }

    fn allocate_one(&mut self, w: Waiting) {
        let input = self.input;
        let g = w.members.len() as i64;
        let a = &input.applicants[w.members[0]];
        let unit = a.unit.map(|u| &input.units[u]);
        let own = if w.class == 1 {
            catchment_of(input, a)
        } else {
            None
        };
        let mut chosen = own.filter(|&c| self.free[c] >= g);
        let mut candidates: Vec<&Reach> = unit
            .map(|u| {
                u.travel
                    .iter()
                    .filter(|r| r.in_reach && !input.schools[r.school].private)
                    .collect()
            })
            .unwrap_or_default();
        candidates.sort_by_key(|r| (r.cost, r.school));
        if chosen.is_none() {
            chosen = candidates
                .iter()
                .find(|r| self.free[r.school] >= g)
                .map(|r| r.school);
        }
        match chosen {
            Some(j) => {
                self.free[j] -= g;
                self.place(&w.members, Route::Allocated, Some(j), w.rank, None);
            }
            None => {
                let why = if !candidates.is_empty() {
                    Why::CapacityShort
                } else if unit.is_some_and(|u| u.no_road) {
                    Why::NoRoadConnection
                } else {
                    Why::NoSchoolInReach
                };
                self.place(&w.members, Route::Unplaced, None, w.rank, Some(why));
            }
        }
    }

    /// One admission per applicant, and each school's figures.
    fn result(self) -> AdmitResult {
        let input = self.input;
        let admissions: Vec<Admission> = self
            .out
            .into_iter()
            .enumerate()
            .map(|(i, a)| {
                a.unwrap_or(Admission {
                    // Every ticket is handled above; kept total for safety.
                    applicant: i,
                    route: Route::Unplaced,
                    school: None,
                    travel_m: None,
                    lottery_rank: None,
                    reason: Some(Why::CapacityShort),
                })
            })
            .collect();
        let mut tallies: Vec<Tally> = input
            .schools
            .iter()
            .enumerate()
            .map(|(j, s)| Tally {
                seats: s.seats,
                over_seats: self.over[j],
                free_left: self.free[j].max(0) as u64,
                ..Tally::default()
            })
            .collect();
        for (i, a) in input.applicants.iter().enumerate() {
            let t = &mut tallies[a.school];
            match stage_of(input, a) {
                Stage::Private => t.private_applicants += 1,
                Stage::Catchment => t.catchment_applicants += 1,
                Stage::Choice => t.choice_applicants += 1,
            }
            let ad = &admissions[i];
            if let Some(j) = ad.school {
                *tallies[j].admitted.entry(ad.route).or_default() += 1;
            }
        }
        AdmitResult {
            level: input.level,
            admissions,
            lotteries: self.lotteries,
            tallies,
        }
    }
}

/// Indices in range, units for public applicants, groups consistent.
fn check(input: &AdmitInput) -> Result<(), AdmitError> {
    let mut groups: BTreeMap<&str, (usize, Option<usize>, Option<&str>)> = BTreeMap::new();
    for a in input.applicants {
        let bad = |what| AdmitError::BadIndex {
            applicant: a.id.clone(),
            what,
        };
        let school = input.schools.get(a.school).ok_or_else(|| bad("school"))?;
        if let Some(u) = a.unit {
            let unit = input.units.get(u).ok_or_else(|| bad("unit"))?;
            if unit.catchment.is_some_and(|c| c >= input.schools.len())
                || unit.travel.iter().any(|r| r.school >= input.schools.len())
            {
                return Err(bad("school (of the unit)"));
            }
        } else if !school.private {
            return Err(AdmitError::NoUnit {
                applicant: a.id.clone(),
                school: school.id.clone(),
            });
        }
        let priority = a.priority.as_deref().filter(|p| !p.is_empty());
        if let Some(g) = a.group.as_deref().filter(|g| !g.is_empty()) {
            match groups.get(g) {
                None => {
                    groups.insert(g, (a.school, a.unit, priority));
                }
                Some(&(s, u, p)) => {
                    let what = if s != a.school {
                        "schools"
                    } else if u != a.unit {
                        "units"
                    } else if p != priority {
                        "priorities"
                    } else {
                        continue;
                    };
                    return Err(AdmitError::GroupDiffers {
                        group: g.to_string(),
                        what,
                    });
                }
            }
        }
    }
    Ok(())
}

/// Fill `free` seats of school `j` from `tickets` of one stage: all of them
/// if they fit (no rank), else a lottery. Returns each ticket with its rank
/// (when drawn) and whether it was admitted, in rank order.
fn fill(
    input: &AdmitInput,
    j: usize,
    stage: Stage,
    tickets: &[Tk],
    free: i64,
    lotteries: &mut Vec<LotteryRun>,
) -> Result<Vec<(Tk, Option<usize>, bool)>, AdmitError> {
    let seats = free.max(0) as u64;
    let members: u64 = tickets.iter().map(|t| t.members.len() as u64).sum();
    if members <= seats {
        return Ok(tickets.iter().map(|t| (t.clone(), None, true)).collect());
    }
    let school = &input.schools[j];
    let Some(seeding) = input.seeding else {
        return Err(AdmitError::NeedsEntropy {
            school: school.id.clone(),
            stage,
            applicants: members,
            seats,
        });
    };
    let list: Vec<Applicant> = tickets
        .iter()
        .flat_map(|t| &t.members)
        .map(|&i| {
            let a = &input.applicants[i];
            Applicant {
                id: a.id.clone(),
                school_id: school.id.clone(),
                group: a.group.clone().filter(|g| !g.is_empty()),
                priority: a.priority.clone().filter(|p| !p.is_empty()),
            }
        })
        .collect();
    let canonical = canonical_applicants(&list)?;
    let commit_hex = commitment(canonical.as_bytes());
    let seed = derive_seed(&commit_hex, &seeding.public_entropy, &seeding.notary);
    let seats_map = BTreeMap::from([(school.id.clone(), seats)]);
    let d = draw(&list, &seats_map, &seed, &input.options)?;
    let result = result_csv(&d);
    let audit = Audit::new(
        COMMIT_AND_DRAW,
        &commit_hex,
        SeedInputs {
            public_entropy: seeding.public_entropy.clone(),
            notary: seeding.notary.clone(),
        },
        &d,
        result.as_bytes(),
    );
    let commit = CommitRecord::new(canonical.as_bytes(), &list)?;
    // Back from application numbers to applicant indices.
    let index: BTreeMap<&str, usize> = tickets
        .iter()
        .flat_map(|t| &t.members)
        .map(|&i| (input.applicants[i].id.as_str(), i))
        .collect();
    let ranked: Vec<(Tk, Option<usize>, bool)> = d.schools[0]
        .ranking
        .iter()
        .map(|r| {
            let t: &Ticket = &r.ticket;
            let members = t.members.iter().map(|m| index[m.as_str()]).collect();
            (Tk { members }, Some(r.rank), r.admitted)
        })
        .collect();
    lotteries.push(LotteryRun {
        school: j,
        stage,
        folder: format!("{}-{}", school.label, stage.as_str()),
        canonical,
        commit,
        draw: d,
        result,
        audit,
    });
    Ok(ranked)
}
