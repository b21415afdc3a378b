//! The four cells a child is in (sex x special needs) and their counts.

use super::student::{Sex, Student};

// The four cells: sex x special needs.
pub(super) const FN: usize = 0;
pub(super) const FS: usize = 1;
pub(super) const MN: usize = 2;
pub(super) const MS: usize = 3;

pub(super) fn cell(s: &Student) -> usize {
    match (s.sex, s.special_needs) {
        (Sex::F, false) => FN,
        (Sex::F, true) => FS,
        (Sex::M, false) => MN,
        (Sex::M, true) => MS,
    }
}

pub(super) type Cells = [u32; 4];

pub(super) fn girls(c: &Cells) -> u32 {
    c[FN] + c[FS]
}
pub(super) fn boys(c: &Cells) -> u32 {
    c[MN] + c[MS]
}
pub(super) fn sn(c: &Cells) -> u32 {
    c[FS] + c[MS]
}
pub(super) fn total(c: &Cells) -> u32 {
    c.iter().sum()
}
pub(super) fn add(a: &Cells, b: &Cells) -> Cells {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]]
}
