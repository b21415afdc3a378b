//! Why no split was made.

/// Why no split was made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SplitError {
    NoClasses,
    NoClassSize,
    NoStudents,
    /// More students than classes x class size.
    TooManyStudents {
        students: u32,
        seats: u64,
    },
    /// With siblings together, a group larger than a class.
    GroupLargerThanClass {
        group: String,
        members: u32,
        class_size: u32,
    },
    /// With siblings together, the groups do not pack into the classes
    /// within the class size (first group that found no room).
    GroupsDoNotFit {
        group: String,
    },
}

impl std::error::Error for SplitError {}

impl std::fmt::Display for SplitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SplitError::NoClasses => write!(f, "at least 1 class"),
            SplitError::NoClassSize => write!(f, "a class size of at least 1"),
            SplitError::NoStudents => write!(f, "at least one student"),
            SplitError::TooManyStudents { students, seats } => write!(
                f,
                "{students} students for {seats} places (classes x class size)"
            ),
            SplitError::GroupLargerThanClass {
                group,
                members,
                class_size,
            } => write!(
                f,
                "multiple-birth group {group} has {members} members, more than a class of \
                 {class_size}"
            ),
            SplitError::GroupsDoNotFit { group } => write!(
                f,
                "the multiple-birth groups do not pack into the classes (no room left for \
                 group {group})"
            ),
        }
    }
}
