//! The split of a cohort into classes, step by step: check the request,
//! order the children by id, find the groups, make the quotas (placing the
//! groups), place siblings apart, deal the other children by seeded key,
//! and measure the bounds.

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use std::collections::BTreeMap;

use super::apart::place_apart;
use super::bounds::{ClassStats, Failure, Targets, balance};
use super::cells::{Cells, FN, FS, MN, MS, add, boys, cell, girls, sn, total};
use super::error::SplitError;
use super::quotas::{Relax, quotas};
use super::student::{Options, Siblings, Student};
use super::together::{Caps, Group, GroupSearch, Search, place_score, relaxed_quotas};
use super::warnings::failure_warnings;
use crate::model::id_cmp;

/// The classes of a cohort.
#[derive(Clone, Debug)]
pub struct Split {
    /// Class (1..=classes) of each input student, in input order.
    pub class_of: Vec<u32>,
    pub stats: Vec<ClassStats>,
    pub targets: Targets,
    /// Bounds not met (empty when balanced).
    pub failures: Vec<Failure>,
    /// What the planner should know: why a bound failed, siblings sharing
    /// a class with `apart`, groups larger than the number of classes.
    pub warnings: Vec<String>,
    /// Multiple-birth groups with at least two members here.
    pub groups: usize,
    pub search: GroupSearch,
}

/// Split `students` into `opts.classes` balanced classes.
pub fn split(students: &[Student], opts: &Options) -> Result<Split, SplitError> {
    check(students, opts)?;
    let n_classes = opts.classes as usize;
    let mut totals: Cells = [0; 4];
    for s in students {
        totals[cell(s)] += 1;
    }
    let t = Targets {
        students: students.len() as u32,
        girls: girls(&totals),
        special_needs: sn(&totals),
        classes: opts.classes,
        class_size: opts.class_size,
    };
    // Students in id order, so the input row order does not matter.
    let mut order: Vec<usize> = (0..students.len()).collect();
    order.sort_by(|&a, &b| id_cmp(&students[a].id, &students[b].id).then(a.cmp(&b)));
    let groups = groups_of(students, &order);

    let mut rng = ChaCha20Rng::seed_from_u64(opts.seed);
    let rank: Vec<u64> = (0..n_classes).map(|_| rng.next_u64()).collect();
    let mut class_of: Vec<Option<usize>> = vec![None; students.len()];
    let mut warnings = Vec::new();

    // Quotas (children per class and cell, groups included) and the
    // groups' children already placed.
    let placed = match opts.siblings {
        Siblings::Together if !groups.is_empty() => {
            place_together(&t, &totals, &groups, &rank, &mut class_of)?
        }
        _ => Placed {
            quota: quotas(&t, &vec![[0; 4]; n_classes], &totals, Relax::default()),
            pre: vec![[0; 4]; n_classes],
            search: GroupSearch::NotNeeded,
        },
    };

    // Remaining places per class and cell.
    let mut left: Option<Vec<Cells>> = placed.quota.map(|q| {
        q.iter()
            .zip(&placed.pre)
            .map(|(q, p)| [q[0] - p[0], q[1] - p[1], q[2] - p[2], q[3] - p[3]])
            .collect()
    });
    if opts.siblings == Siblings::Apart
        && let Some(left) = left.as_mut()
    {
        place_apart(students, &groups, left, &rank, &mut class_of, &mut warnings);
    }
    deal_the_rest(students, &order, &mut rng, left, &rank, opts, &mut class_of);

    let class_of: Vec<u32> = class_of
        .iter()
        .map(|k| k.map_or(0, |k| k as u32 + 1))
        .collect();
    let (stats, failures) = balance(students, &class_of, &t);
    if !failures.is_empty() {
        warnings.extend(failure_warnings(
            &failures,
            &stats,
            &t,
            &groups,
            placed.search,
        ));
    }
    Ok(Split {
        class_of,
        stats,
        targets: t,
        failures,
        warnings,
        groups: groups.len(),
        search: placed.search,
    })
}

/// The request makes sense: classes, a class size, students, and seats
/// for all of them.
fn check(students: &[Student], opts: &Options) -> Result<(), SplitError> {
    if opts.classes == 0 {
        return Err(SplitError::NoClasses);
    }
    if opts.class_size == 0 {
        return Err(SplitError::NoClassSize);
    }
    if students.is_empty() {
        return Err(SplitError::NoStudents);
    }
    let seats = opts.classes as u64 * opts.class_size as u64;
    if students.len() as u64 > seats {
        return Err(SplitError::TooManyStudents {
            students: students.len() as u32,
            seats,
        });
    }
    Ok(())
}

/// The multiple-birth groups with two members or more (members in id
/// `order`), most constrained first: special needs (the tightest bound),
/// then size, then name.
fn groups_of(students: &[Student], order: &[usize]) -> Vec<Group> {
    let mut by: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for &i in order {
        if let Some(g) = &students[i].group {
            by.entry(g.as_str()).or_default().push(i);
        }
    }
    let mut groups: Vec<Group> = by
        .into_iter()
        .filter(|(_, m)| m.len() > 1)
        .map(|(name, members)| {
            let mut cells = [0; 4];
            for &i in &members {
                cells[cell(&students[i])] += 1;
            }
            Group {
                name: name.to_string(),
                members,
                cells,
            }
        })
        .collect();
    groups.sort_by(|a, b| {
        (sn(&b.cells), b.members.len())
            .cmp(&(sn(&a.cells), a.members.len()))
            .then_with(|| id_cmp(&a.name, &b.name))
    });
    groups
}

/// The quotas, the children placed before the rest, and how the groups
/// were placed.
struct Placed {
    quota: Option<Vec<Cells>>,
    pre: Vec<Cells>,
    search: GroupSearch,
}

/// Siblings together: the groups placed (a dive, then the search; when no
/// placement meets every bound, greedy places and relaxed quotas), their
/// members' classes set in `class_of`.
fn place_together(
    t: &Targets,
    totals: &Cells,
    groups: &[Group],
    rank: &[u64],
    class_of: &mut [Option<usize>],
) -> Result<Placed, SplitError> {
    let n_classes = t.classes as usize;
    if let Some(g) = groups
        .iter()
        .find(|g| g.members.len() as u32 > t.class_size)
    {
        return Err(SplitError::GroupLargerThanClass {
            group: g.name.clone(),
            members: g.members.len() as u32,
            class_size: t.class_size,
        });
    }
    let (_, nhi) = t.size_range();
    let n_cap = nhi.min(t.class_size);
    let mut search = Search {
        t,
        totals,
        groups,
        rank,
        caps: Caps {
            n: n_cap,
            f: t.girls_range(n_cap).1,
            m: t.boys_range(n_cap).1,
            s: t.special_needs_range().1,
        },
        nodes: 0,
        quota_runs: 0,
        out_of_budget: false,
    };
    let mut pre: Vec<Cells> = vec![[0; 4]; n_classes];
    let mut at = vec![None; groups.len()];
    let mut found = search.dive(&mut pre, &mut at);
    if found.is_none() {
        pre = vec![[0; 4]; n_classes];
        at = vec![None; groups.len()];
        found = search.run(0, &mut pre, &mut at);
    }
    if let Some(q) = found {
        for (g, &k) in groups.iter().zip(&at) {
            for &i in &g.members {
                class_of[i] = k;
            }
        }
        return Ok(Placed {
            quota: Some(q),
            pre,
            search: GroupSearch::Found,
        });
    }
    let state = if search.out_of_budget {
        GroupSearch::NotFound
    } else {
        GroupSearch::Unreachable
    };
    let pre = place_greedily(t, groups, rank, search.caps, class_of)?;
    Ok(Placed {
        quota: relaxed_quotas(t, &pre, totals, groups),
        pre,
        search: state,
    })
}

/// Greedy places for the groups: least overflow of the bounds (`caps`),
/// then the emptiest class; never over the class size. The groups'
/// children per class.
fn place_greedily(
    t: &Targets,
    groups: &[Group],
    rank: &[u64],
    caps: Caps,
    class_of: &mut [Option<usize>],
) -> Result<Vec<Cells>, SplitError> {
    let n_classes = t.classes as usize;
    let mut pre: Vec<Cells> = vec![[0; 4]; n_classes];
    for g in groups {
        let k = (0..n_classes)
            .filter(|&k| total(&add(&pre[k], &g.cells)) <= t.class_size)
            .min_by_key(|&k| {
                let x = add(&pre[k], &g.cells);
                let c = caps;
                let over = total(&x).saturating_sub(c.n)
                    + girls(&x).saturating_sub(c.f)
                    + boys(&x).saturating_sub(c.m)
                    + sn(&x).saturating_sub(c.s);
                (over, place_score(&pre[k], &g.cells, rank[k], k))
            })
            .ok_or_else(|| SplitError::GroupsDoNotFit {
                group: g.name.clone(),
            })?;
        pre[k] = add(&pre[k], &g.cells);
        for &i in &g.members {
            class_of[i] = Some(k);
        }
    }
    Ok(pre)
}

/// The other children, per cell in id order, dealt by random key: into the
/// places `left` by the quotas, or (no quotas even relaxed, never seen)
/// into the class with the fewest children and room.
fn deal_the_rest(
    students: &[Student],
    order: &[usize],
    rng: &mut ChaCha20Rng,
    mut left: Option<Vec<Cells>>,
    rank: &[u64],
    opts: &Options,
    class_of: &mut [Option<usize>],
) {
    let n_classes = opts.classes as usize;
    for c in [FN, FS, MN, MS] {
        let mut keyed: Vec<(u64, usize)> = order
            .iter()
            .filter(|&&i| class_of[i].is_none() && cell(&students[i]) == c)
            .map(|&i| (rng.next_u64(), i))
            .collect();
        keyed.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| id_cmp(&students[a.1].id, &students[b.1].id))
        });
        match left.as_mut() {
            Some(left) => {
                let mut k = 0;
                for &(_, i) in &keyed {
                    while k < n_classes && left[k][c] == 0 {
                        k += 1;
                    }
                    // Quotas add up to the cell's children: always a class.
                    let kk = k.min(n_classes - 1);
                    left[kk][c] = left[kk][c].saturating_sub(1);
                    class_of[i] = Some(kk);
                }
            }
            None => deal_without_quotas(students, &keyed, c, rank, opts, class_of),
        }
    }
}

/// No quotas even relaxed (never seen): the class with the fewest
/// children and room, fewest of this cell first.
fn deal_without_quotas(
    students: &[Student],
    keyed: &[(u64, usize)],
    c: usize,
    rank: &[u64],
    opts: &Options,
    class_of: &mut [Option<usize>],
) {
    let n_classes = opts.classes as usize;
    let mut now: Vec<Cells> = vec![[0; 4]; n_classes];
    for (i, k) in class_of.iter().enumerate() {
        if let Some(k) = k {
            now[*k][cell(&students[i])] += 1;
        }
    }
    for &(_, i) in keyed {
        let k = (0..n_classes)
            .filter(|&k| total(&now[k]) < opts.class_size)
            .min_by_key(|&k| (total(&now[k]), now[k][c], rank[k], k))
            .unwrap_or(0);
        now[k][c] += 1;
        class_of[i] = Some(k);
    }
}
