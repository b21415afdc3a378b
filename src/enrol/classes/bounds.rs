//! The bounds of a split, measured on the counts of each class.

use super::student::{Sex, Student};
use crate::model::id_cmp;
use std::collections::BTreeMap;

/// The totals the bounds are measured against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Targets {
    pub students: u32,
    pub girls: u32,
    pub special_needs: u32,
    pub classes: u32,
    pub class_size: u32,
}

impl Targets {
    pub fn boys(&self) -> u32 {
        self.students - self.girls
    }

    /// Allowed class sizes: floor and ceil of students / classes.
    pub fn size_range(&self) -> (u32, u32) {
        (
            self.students / self.classes,
            self.students.div_ceil(self.classes),
        )
    }

    /// Allowed girls in a class of `n`: within 1 of girls x n / students.
    pub fn girls_range(&self, n: u32) -> (u32, u32) {
        within_one(self.girls, n, self.students)
    }

    /// Allowed boys in a class of `n` (the same condition as for girls).
    pub fn boys_range(&self, n: u32) -> (u32, u32) {
        within_one(self.boys(), n, self.students)
    }

    /// Allowed special-needs children in a class: floor and ceil of the
    /// even share (so the most and fewest differ by at most 1).
    pub fn special_needs_range(&self) -> (u32, u32) {
        (
            self.special_needs / self.classes,
            self.special_needs.div_ceil(self.classes),
        )
    }

    /// The even split of girls for a class of `n`.
    pub fn girls_target(&self, n: u32) -> f64 {
        self.girls as f64 * n as f64 / self.students.max(1) as f64
    }

    pub fn boys_target(&self, n: u32) -> f64 {
        self.boys() as f64 * n as f64 / self.students.max(1) as f64
    }

    pub fn special_needs_target(&self) -> f64 {
        self.special_needs as f64 / self.classes.max(1) as f64
    }
}

/// Whole numbers x with |x - total x n / s| <= 1, within 0..=n.
pub(super) fn within_one(total: u32, n: u32, s: u32) -> (u32, u32) {
    let (t, n64, s) = (total as i64 * n as i64, n as i64, s.max(1) as i64);
    let lo = (t - s + s - 1).div_euclid(s).max(0);
    let hi = (t + s).div_euclid(s).min(n64);
    (lo as u32, hi as u32)
}

/// The counts of one class.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClassStats {
    pub students: u32,
    pub girls: u32,
    pub boys: u32,
    pub special_needs: u32,
    /// Multiple-birth groups with a member here (sorted).
    pub groups: Vec<String>,
}

/// A bound of the split.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bound {
    /// Class sizes differ by at most 1 and none is over the class size.
    Sizes,
    Girls,
    Boys,
    SpecialNeeds,
}

impl Bound {
    pub fn as_str(self) -> &'static str {
        match self {
            Bound::Sizes => "class sizes differ by at most 1, none over the class size",
            Bound::Girls => "girls within 1 of the even split",
            Bound::Boys => "boys within 1 of the even split",
            Bound::SpecialNeeds => "special-needs children spread within 1",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Bound::Sizes => "sizes",
            Bound::Girls => "girls",
            Bound::Boys => "boys",
            Bound::SpecialNeeds => "special_needs",
        }
    }
}

/// A bound a class does not meet.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    pub bound: Bound,
    /// 0-based class index.
    pub class: usize,
    pub found: u32,
    /// What the bound allows, e.g. "2 to 3".
    pub allowed: (u32, u32),
}

/// Per-class counts and the bounds each class fails (none when balanced).
pub fn balance(
    students: &[Student],
    class_of: &[u32],
    targets: &Targets,
) -> (Vec<ClassStats>, Vec<Failure>) {
    let n = targets.classes as usize;
    let mut stats = vec![ClassStats::default(); n];
    for (s, &c) in students.iter().zip(class_of) {
        let Some(st) = (c as usize).checked_sub(1).and_then(|k| stats.get_mut(k)) else {
            continue;
        };
        st.students += 1;
        match s.sex {
            Sex::F => st.girls += 1,
            Sex::M => st.boys += 1,
        }
        st.special_needs += s.special_needs as u32;
        if let Some(g) = &s.group
            && !st.groups.contains(g)
        {
            st.groups.push(g.clone());
        }
    }
    let groups = group_sizes(students);
    let mut failures = Vec::new();
    let (nlo, nhi) = targets.size_range();
    let (slo, shi) = targets.special_needs_range();
    for (k, st) in stats.iter_mut().enumerate() {
        st.groups.retain(|g| groups.get(g).is_some_and(|&m| m > 1));
        st.groups.sort_by(|a, b| id_cmp(a, b));
        let hi = nhi.min(targets.class_size);
        let mut check = |bound, found, (lo, hi): (u32, u32)| {
            if found < lo || found > hi {
                failures.push(Failure {
                    bound,
                    class: k,
                    found,
                    allowed: (lo, hi),
                });
            }
        };
        check(Bound::Sizes, st.students, (nlo, hi));
        check(Bound::Girls, st.girls, targets.girls_range(st.students));
        check(Bound::Boys, st.boys, targets.boys_range(st.students));
        check(Bound::SpecialNeeds, st.special_needs, (slo, shi));
    }
    (stats, failures)
}

/// Members per group name.
fn group_sizes(students: &[Student]) -> BTreeMap<String, u32> {
    let mut m = BTreeMap::new();
    for s in students {
        if let Some(g) = &s.group {
            *m.entry(g.clone()).or_insert(0) += 1;
        }
    }
    m
}
