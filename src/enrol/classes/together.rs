//! Siblings together: each multiple-birth group is one block placed
//! before the other children (a dive, then a budgeted search pruned by the
//! quotas programme), or greedily with relaxed bounds when no placement
//! meets them all.

use super::bounds::Targets;
use super::cells::{Cells, add, boys, girls, sn, total};
use super::quotas::{Relax, quotas};

/// How the groups were placed with siblings together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupSearch {
    /// No multiple-birth groups, or siblings apart.
    NotNeeded,
    /// A placement meeting every bound was found.
    Found,
    /// Every placement was tried: none meets every bound.
    Unreachable,
    /// None found among the placements tried (the search has a budget).
    NotFound,
}

/// A multiple-birth group of this cohort.
pub(super) struct Group {
    pub(super) name: String,
    pub(super) members: Vec<usize>,
    pub(super) cells: Cells,
}

/// Budget of the placement search (siblings together): placements tried,
/// and completions computed (each a run of [`quotas`]).
const SEARCH_NODES: usize = 20_000;
const SEARCH_QUOTAS: usize = 2_000;

pub(super) struct Search<'a> {
    pub(super) t: &'a Targets,
    pub(super) totals: &'a Cells,
    pub(super) groups: &'a [Group],
    pub(super) rank: &'a [u64],
    pub(super) caps: Caps,
    pub(super) nodes: usize,
    pub(super) quota_runs: usize,
    pub(super) out_of_budget: bool,
}

/// The most a class may hold of: students, girls, boys, special needs.
#[derive(Clone, Copy)]
pub(super) struct Caps {
    pub(super) n: u32,
    pub(super) f: u32,
    pub(super) m: u32,
    pub(super) s: u32,
}

impl Search<'_> {
    /// The classes group `j` may join without breaking a bound at once,
    /// best first, one of each set of classes holding the same.
    fn candidates(&self, j: usize, pre: &[Cells]) -> Vec<usize> {
        let g = &self.groups[j].cells;
        let c = self.caps;
        let mut cand: Vec<usize> = (0..pre.len())
            .filter(|&k| {
                let x = add(&pre[k], g);
                total(&x) <= c.n && girls(&x) <= c.f && boys(&x) <= c.m && sn(&x) <= c.s
            })
            .collect();
        cand.sort_by_key(|&k| place_score(&pre[k], g, self.rank[k], k));
        // Classes holding the same are interchangeable: try one of each.
        let mut seen: Vec<Cells> = Vec::new();
        cand.retain(|&k| {
            let new = !seen.contains(&pre[k]);
            seen.push(pre[k]);
            new
        });
        cand
    }

    /// One dive: each group (fewest classes left first) into its best
    /// class, then one completion. Enough for most cohorts.
    pub(super) fn dive(
        &mut self,
        pre: &mut [Cells],
        at: &mut [Option<usize>],
    ) -> Option<Vec<Cells>> {
        for _ in 0..self.groups.len() {
            let (j, k) = (0..self.groups.len())
                .filter(|&j| at[j].is_none())
                .map(|j| (j, self.candidates(j, pre)))
                .min_by_key(|(j, c)| (c.len(), *j))
                .and_then(|(j, c)| c.first().map(|&k| (j, k)))?;
            pre[k] = add(&pre[k], &self.groups[j].cells);
            at[j] = Some(k);
        }
        self.quota_runs += 1;
        quotas(self.t, pre, self.totals, Relax::default())
    }

    /// Depth-first: the group with the fewest classes left first, each of
    /// its classes in turn. `None` when no placement from here meets every
    /// bound (or the budget ran out); `at[j]` is group j's class.
    pub(super) fn run(
        &mut self,
        depth: usize,
        pre: &mut Vec<Cells>,
        at: &mut Vec<Option<usize>>,
    ) -> Option<Vec<Cells>> {
        self.nodes += 1;
        if self.nodes > SEARCH_NODES || self.quota_runs >= SEARCH_QUOTAS + self.groups.len() {
            self.out_of_budget = true;
            return None;
        }
        if depth > 0 {
            // Completing with the groups not yet placed as single children
            // is easier than with them whole: when even that fails, no
            // placement below this one can succeed.
            self.quota_runs += 1;
            let q = quotas(self.t, pre, self.totals, Relax::default());
            if q.is_none() || depth == self.groups.len() {
                return q;
            }
        }
        let mut next: Option<(usize, Vec<usize>)> = None;
        for j in (0..self.groups.len()).filter(|&j| at[j].is_none()) {
            let cand = self.candidates(j, pre);
            if next.as_ref().is_none_or(|(_, c)| cand.len() < c.len()) {
                let empty = cand.is_empty();
                next = Some((j, cand));
                if empty {
                    return None;
                }
            }
        }
        let (j, cand) = next?;
        let g = self.groups[j].cells;
        for k in cand {
            let old = pre[k];
            pre[k] = add(&old, &g);
            at[j] = Some(k);
            if let Some(q) = self.run(depth + 1, pre, at) {
                return Some(q);
            }
            at[j] = None;
            pre[k] = old;
            if self.out_of_budget {
                return None;
            }
        }
        None
    }
}

/// Preference for putting a group in a class: the emptiest first (students,
/// special needs, the larger sex), then the seeded class order.
pub(super) fn place_score(
    pre: &Cells,
    g: &Cells,
    rank: u64,
    k: usize,
) -> (u32, u32, u32, u64, usize) {
    let x = add(pre, g);
    (total(&x), sn(&x), girls(&x).max(boys(&x)), rank, k)
}

/// Quotas for a group placement that meets no bound exactly: the least
/// relaxation, class sizes kept first, then special needs, then sex.
pub(super) fn relaxed_quotas(
    t: &Targets,
    pre: &[Cells],
    totals: &Cells,
    groups: &[Group],
) -> Option<Vec<Cells>> {
    let most = groups
        .iter()
        .map(|g| g.members.len() as u32)
        .max()
        .unwrap_or(1)
        .max(1);
    for size in 0..=most {
        for sn in 0..=most {
            for sex in 0..=most {
                if let Some(q) = quotas(t, pre, totals, Relax { size, sex, sn }) {
                    return Some(q);
                }
            }
        }
    }
    None
}
