//! What the planner reads when a bound is missed.

use super::bounds::{Bound, ClassStats, Failure, Targets};
use super::cells::{boys, girls, sn};
use super::together::{Group, GroupSearch};

/// One warning per class that misses a bound (its counts, what is allowed,
/// the groups it holds), then one naming the bounds, the groups and why.
pub(super) fn failure_warnings(
    failures: &[Failure],
    stats: &[ClassStats],
    t: &Targets,
    groups: &[Group],
    search: GroupSearch,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut classes: Vec<usize> = failures.iter().map(|f| f.class).collect();
    classes.dedup();
    let mut culprits: Vec<&Group> = Vec::new();
    for k in classes {
        let st = &stats[k];
        let parts: Vec<String> = failures
            .iter()
            .filter(|f| f.class == k)
            .map(|f| {
                let (what, target) = match f.bound {
                    Bound::Sizes => ("students", String::new()),
                    Bound::Girls => (
                        "girls",
                        format!(", even split {:.2}", t.girls_target(st.students)),
                    ),
                    Bound::Boys => (
                        "boys",
                        format!(", even split {:.2}", t.boys_target(st.students)),
                    ),
                    Bound::SpecialNeeds => (
                        "special needs",
                        format!(", even share {:.2}", t.special_needs_target()),
                    ),
                };
                let allowed = if f.allowed.0 == f.allowed.1 {
                    f.allowed.0.to_string()
                } else {
                    format!("{}-{}", f.allowed.0, f.allowed.1)
                };
                format!("{what} {} (allowed {allowed}{target})", f.found)
            })
            .collect();
        let held: Vec<&Group> = st
            .groups
            .iter()
            .filter_map(|name| groups.iter().find(|g| &g.name == name))
            .collect();
        let holds = if held.is_empty() {
            String::new()
        } else {
            let names: Vec<String> = held.iter().map(|g| describe_group(g)).collect();
            format!("; holds multiple-birth group {}", names.join(", "))
        };
        for g in held {
            if !culprits.iter().any(|c| c.name == g.name) {
                culprits.push(g);
            }
        }
        out.push(format!("class {}: {}{holds}", k + 1, parts.join(", ")));
    }
    let mut bounds: Vec<Bound> = failures.iter().map(|f| f.bound).collect();
    bounds.sort();
    bounds.dedup();
    let bounds: Vec<&str> = bounds.iter().map(|b| b.as_str()).collect();
    let names: Vec<&str> = culprits.iter().map(|g| g.name.as_str()).collect();
    let why = match search {
        GroupSearch::Unreachable => format!(
            "no split meets them with multiple-birth group {} kept together (every placement \
             of the groups was tried); --siblings apart always meets them",
            names.join(", ")
        ),
        GroupSearch::NotFound => format!(
            "no split meeting them was found with multiple-birth group {} kept together (the \
             search tried its budget of placements); try --siblings apart or another seed",
            names.join(", ")
        ),
        _ => "the split could not meet them".to_string(),
    };
    out.push(format!("bounds not met: {}: {why}", bounds.join("; ")));
    out
}

/// "Q1 (5 children: 5 girls, 1 with special needs)".
fn describe_group(g: &Group) -> String {
    let mut parts = Vec::new();
    let plural = |n: u32, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    if girls(&g.cells) > 0 {
        parts.push(plural(girls(&g.cells), "girl", "girls"));
    }
    if boys(&g.cells) > 0 {
        parts.push(plural(boys(&g.cells), "boy", "boys"));
    }
    if sn(&g.cells) > 0 {
        parts.push(format!("{} with special needs", sn(&g.cells)));
    }
    format!(
        "{} ({} children: {})",
        g.name,
        g.members.len(),
        parts.join(", ")
    )
}
