//! Tickets, the ranking of one school, admission down the ranking, and the
//! result file.
//!
//! - A ticket is a multiple-birth group (all its members at one school) or
//!   a single applicant. Its members are sorted by application number
//!   (UTF-8 bytes); tickets are sorted by their first member before the
//!   shuffle, so the input order never matters.
//! - `--priority first` (default): the priority tickets (members with a
//!   non-empty `priority`) are shuffled, then the general tickets,
//!   continuing the same stream; the ranking is the priority tier followed
//!   by the general tier. `ignore`: one tier, one shuffle.
//! - Admission goes down the ranking with the seats left: a ticket whose
//!   members fit is admitted whole. One that does not fit is, with
//!   `--group-overflow skip` (default), passed over (it keeps its rank on
//!   the waiting list) and later tickets fill the seats left, so seats are
//!   never exceeded; with `admit`, the whole group is admitted over the
//!   plan when at least one seat is left, and admission stops there.
//! - A group is admitted or not as a whole, under both options.

use super::LotteryError;
use super::canon::Applicant;
use super::seed::{Seed, school_key};
use super::stream::Stream;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The result's file name in a lottery folder.
pub const RESULT_FILE: &str = "lottery_result.csv";

/// The result's header line (without its LF).
pub const RESULT_HEADER: &str = "school_id,rank,applicant_id,multiple_birth_group,admitted";

/// Where priority applicants go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PriorityRule {
    /// A priority tier ranked before the general tier, each shuffled.
    #[default]
    First,
    /// Everyone in one tier.
    Ignore,
}

/// What happens when a group has more members than seats are left.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum GroupOverflow {
    /// Pass the group over; later tickets fill the seats left.
    #[default]
    Skip,
    /// Admit the whole group over the plan (if any seat is left).
    Admit,
}

impl PriorityRule {
    pub fn as_str(self) -> &'static str {
        match self {
            PriorityRule::First => "first",
            PriorityRule::Ignore => "ignore",
        }
    }

    pub fn parse(s: &str) -> Option<PriorityRule> {
        match s {
            "first" => Some(PriorityRule::First),
            "ignore" => Some(PriorityRule::Ignore),
            _ => None,
        }
    }
}

impl GroupOverflow {
    pub fn as_str(self) -> &'static str {
        match self {
            GroupOverflow::Skip => "skip",
            GroupOverflow::Admit => "admit",
        }
    }

    pub fn parse(s: &str) -> Option<GroupOverflow> {
        match s {
            "skip" => Some(GroupOverflow::Skip),
            "admit" => Some(GroupOverflow::Admit),
            _ => None,
        }
    }
}

/// The draw's declared options.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct DrawOptions {
    pub priority: PriorityRule,
    pub group_overflow: GroupOverflow,
}

/// One ticket: a single applicant or a whole multiple-birth group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ticket {
    /// Application numbers (sorted by [`draw_school`]).
    pub members: Vec<String>,
    /// The multiple-birth group, if any.
    pub group: Option<String>,
    /// In the priority tier.
    pub priority: bool,
}

/// A ticket at its place in a school's ranking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RankedTicket {
    /// 1 = drawn first.
    pub rank: usize,
    pub ticket: Ticket,
    pub admitted: bool,
}

/// One school's draw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchoolDraw {
    pub school_id: String,
    /// The school's key (seed of its stream).
    pub key: Seed,
    pub seats: u64,
    /// Every ticket, in rank order.
    pub ranking: Vec<RankedTicket>,
}

impl SchoolDraw {
    pub fn applicants(&self) -> usize {
        self.ranking.iter().map(|r| r.ticket.members.len()).sum()
    }

    pub fn admitted(&self) -> usize {
        self.ranking
            .iter()
            .filter(|r| r.admitted)
            .map(|r| r.ticket.members.len())
            .sum()
    }

    pub fn priority_tickets(&self) -> usize {
        self.ranking.iter().filter(|r| r.ticket.priority).count()
    }

    /// Applicants admitted beyond the seats (only with `GroupOverflow::Admit`).
    pub fn over_plan(&self) -> usize {
        self.admitted().saturating_sub(self.seats as usize)
    }
}

/// Rank one school's tickets with the stream of `school_key(seed,
/// school_id)` and admit down the ranking (module text). Tickets may come
/// in any order; members are sorted, tickets with no member are left out.
/// The caller keeps each applicant in one ticket (see [`tickets_by_school`]).
pub fn draw_school(
    school_id: &str,
    tickets: &[Ticket],
    seats: u64,
    seed: &Seed,
    opts: &DrawOptions,
) -> SchoolDraw {
    let key = school_key(seed, school_id);
    let mut all: Vec<Ticket> = tickets
        .iter()
        .filter(|t| !t.members.is_empty())
        .cloned()
        .map(|mut t| {
            t.members.sort();
            t
        })
        .collect();
    all.sort_by(|a, b| a.members[0].cmp(&b.members[0]));
    let (mut first, mut rest): (Vec<Ticket>, Vec<Ticket>) = match opts.priority {
        PriorityRule::First => all.into_iter().partition(|t| t.priority),
        PriorityRule::Ignore => (all, Vec::new()),
    };
    let mut stream = Stream::new(key);
    stream.shuffle(&mut first);
    stream.shuffle(&mut rest);
    let mut left = seats;
    let ranking = first
        .into_iter()
        .chain(rest)
        .enumerate()
        .map(|(i, ticket)| {
            let k = ticket.members.len() as u64;
            let admitted = if left == 0 {
                false
            } else if k <= left {
                left -= k;
                true
            } else {
                match opts.group_overflow {
                    GroupOverflow::Skip => false,
                    GroupOverflow::Admit => {
                        left = 0;
                        true
                    }
                }
            };
            RankedTicket {
                rank: i + 1,
                ticket,
                admitted,
            }
        })
        .collect();
    SchoolDraw {
        school_id: school_id.to_string(),
        key,
        seats,
        ranking,
    }
}

/// The tickets of each school: one per multiple-birth group (all its
/// members at one school, with one priority), one per other applicant.
/// An empty group or priority counts as none.
pub fn tickets_by_school(
    applicants: &[Applicant],
) -> Result<BTreeMap<String, Vec<Ticket>>, LotteryError> {
    let mut out: BTreeMap<String, Vec<Ticket>> = BTreeMap::new();
    // group -> (school, priority, index of its ticket in that school)
    let mut groups: BTreeMap<&str, (&str, Option<&str>, usize)> = BTreeMap::new();
    let mut ids = std::collections::BTreeSet::new();
    for a in applicants {
        if !ids.insert(a.id.as_str()) {
            return Err(LotteryError::DuplicateApplicant(a.id.clone()));
        }
        let priority = a.priority.as_deref().filter(|p| !p.is_empty());
        let tickets = out.entry(a.school_id.clone()).or_default();
        match a.group.as_deref().filter(|g| !g.is_empty()) {
            None => tickets.push(Ticket {
                members: vec![a.id.clone()],
                group: None,
                priority: priority.is_some(),
            }),
            Some(g) => match groups.get(g) {
                Some(&(school, p, k)) => {
                    if school != a.school_id {
                        return Err(LotteryError::GroupSpansSchools {
                            group: g.to_string(),
                            schools: (school.to_string(), a.school_id.clone()),
                        });
                    }
                    if p != priority {
                        return Err(LotteryError::GroupPriorityDiffers {
                            group: g.to_string(),
                        });
                    }
                    tickets[k].members.push(a.id.clone());
                }
                None => {
                    groups.insert(g, (&a.school_id, priority, tickets.len()));
                    tickets.push(Ticket {
                        members: vec![a.id.clone()],
                        group: Some(g.to_string()),
                        priority: priority.is_some(),
                    });
                }
            },
        }
    }
    Ok(out)
}

/// The whole draw: every school with applicants or seats, in school id
/// order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draw {
    pub seed: Seed,
    pub options: DrawOptions,
    pub schools: Vec<SchoolDraw>,
}

/// Draw every school: those with applicants must have seats; a school
/// with seats and no applicants is listed with an empty ranking.
pub fn draw(
    applicants: &[Applicant],
    seats: &BTreeMap<String, u64>,
    seed: &Seed,
    opts: &DrawOptions,
) -> Result<Draw, LotteryError> {
    let tickets = tickets_by_school(applicants)?;
    for (school, t) in &tickets {
        if !seats.contains_key(school) {
            return Err(LotteryError::MissingSeats {
                school: school.clone(),
                applicants: t.iter().map(|t| t.members.len()).sum(),
            });
        }
    }
    let schools = seats
        .iter()
        .map(|(school, &n)| {
            let t = tickets.get(school).map_or(&[][..], |t| &t[..]);
            draw_school(school, t, n, seed, opts)
        })
        .collect();
    Ok(Draw {
        seed: *seed,
        options: *opts,
        schools,
    })
}

/// `lottery_result.csv`: the header [`RESULT_HEADER`], then per school (id
/// order) per ticket (rank order) one line per member (application number
/// order); `admitted` is `true` or `false`. LF line ends, no quoting (the
/// values are canonical fields).
pub fn result_csv(draw: &Draw) -> String {
    let mut out = String::from(RESULT_HEADER);
    out.push('\n');
    for s in &draw.schools {
        for r in &s.ranking {
            for m in &r.ticket.members {
                let _ = writeln!(
                    out,
                    "{},{},{},{},{}",
                    s.school_id,
                    r.rank,
                    m,
                    r.ticket.group.as_deref().unwrap_or(""),
                    r.admitted
                );
            }
        }
    }
    out
}
