//! Siblings apart: members of a group in different classes, by a small
//! matching per group.

use super::cells::{Cells, cell};
use super::student::Student;
use super::together::Group;

/// Siblings apart: each group's members take places of their own cell in
/// different classes (at most ceil(members / classes) in one class), by a
/// bipartite matching per round; the quotas, hence the bounds, are kept.
pub(super) fn place_apart(
    students: &[Student],
    groups: &[Group],
    left: &mut [Cells],
    rank: &[u64],
    class_of: &mut [Option<usize>],
    warnings: &mut Vec<String>,
) {
    let n = left.len();
    for g in groups {
        let need_rounds = g.members.len().div_ceil(n);
        let mut used = vec![0usize; n];
        let mut rest: Vec<usize> = g.members.clone();
        let mut rounds = 0;
        while !rest.is_empty() {
            rounds += 1;
            let mut classes: Vec<usize> = (0..n).collect();
            classes.sort_by_key(|&k| (used[k], rank[k], k));
            let cells: Vec<usize> = rest.iter().map(|&i| cell(&students[i])).collect();
            let matched = match_round(&cells, &classes, left);
            let mut still = Vec::new();
            for (j, &i) in rest.iter().enumerate() {
                match matched[j] {
                    Some(k) => {
                        left[k][cells[j]] -= 1;
                        used[k] += 1;
                        class_of[i] = Some(k);
                    }
                    None => still.push(i),
                }
            }
            if still.len() == rest.len() {
                // No place of their cell anywhere: cannot happen (quotas add
                // up to the cell totals); leave them to the general fill.
                break;
            }
            rest = still;
        }
        if g.members.len() > n {
            warnings.push(format!(
                "multiple-birth group {} has {} members for {} classes: at most {} in a class",
                g.name,
                g.members.len(),
                n,
                need_rounds
            ));
        }
        if rounds > need_rounds {
            let shared: Vec<String> = (0..n)
                .filter(|&k| used[k] > need_rounds)
                .map(|k| (k + 1).to_string())
                .collect();
            warnings.push(format!(
                "multiple-birth group {}: members share class {} (the other classes have no \
                 place left of the same sex and special-needs status)",
                g.name,
                shared.join(", ")
            ));
        }
    }
}

/// A maximum matching of members (by cell) to distinct classes with a
/// place of that cell left; classes tried in the given order (Kuhn).
fn match_round(cells: &[usize], classes: &[usize], left: &[Cells]) -> Vec<Option<usize>> {
    let n = left.len();
    let mut owner: Vec<Option<usize>> = vec![None; n];
    fn augment(
        j: usize,
        cells: &[usize],
        classes: &[usize],
        left: &[Cells],
        owner: &mut [Option<usize>],
        seen: &mut [bool],
    ) -> bool {
        for &k in classes {
            if left[k][cells[j]] == 0 || seen[k] {
                continue;
            }
            seen[k] = true;
            let free = match owner[k] {
                None => true,
                Some(o) => augment(o, cells, classes, left, owner, seen),
            };
            if free {
                owner[k] = Some(j);
                return true;
            }
        }
        false
    }
    for j in 0..cells.len() {
        let mut seen = vec![false; n];
        augment(j, cells, classes, left, &mut owner, &mut seen);
    }
    let mut out = vec![None; cells.len()];
    for (k, o) in owner.iter().enumerate() {
        if let Some(j) = o {
            out[*j] = Some(k);
        }
    }
    out
}
