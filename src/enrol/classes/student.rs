//! The children to split and the split asked for.

/// A child's sex as recorded at admission.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Sex {
    F,
    M,
}

/// One admitted child.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Student {
    pub id: String,
    pub sex: Sex,
    pub special_needs: bool,
    /// Multiple-birth group (twins, triplets...); a group with one member
    /// in this cohort is a single child here.
    pub group: Option<String>,
}

/// What to do with multiple-birth siblings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Siblings {
    /// All members of a group in one class.
    Together,
    /// Members in different classes where the number of classes allows.
    Apart,
}

impl Siblings {
    pub fn as_str(self) -> &'static str {
        match self {
            Siblings::Together => "together",
            Siblings::Apart => "apart",
        }
    }
}

/// The split asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    pub classes: u32,
    pub class_size: u32,
    pub seed: u64,
    pub siblings: Siblings,
}
