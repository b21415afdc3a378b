//! The largest numbers the readers take. Seats and children are counted in
//! 32 bits inside the engine; a number beyond these limits is a typo (an
//! extra zero, `1e9`) long before it would overflow, and taking it would
//! quietly cap or distort a plan. Each limit is far above any real county.

/// Entry classes of one school at one level: no school opens more.
pub const MAX_CLASSES: u32 = 200;
/// Pupils per class: the national standard is 45 (primary) or 50 (junior).
pub const MAX_CLASS_SIZE: u32 = 200;
/// Entry seats of one school at one level.
pub const MAX_SEATS: u32 = 100_000;
/// Children of one age (or one level's demand) in one demand unit: more
/// than a large county's whole entry cohort.
pub const MAX_UNIT_CHILDREN: u32 = 100_000;
/// A travel limit in metres: 1,000 km, wider than any county.
pub const MAX_TRAVEL_M: f64 = 1_000_000.0;

/// The limits as a planner reads them in a message.
pub fn classes_expected() -> String {
    format!(
        "a positive whole number of classes, at most {MAX_CLASSES} (no school opens more; a larger number is a typo)"
    )
}

pub fn class_size_expected() -> String {
    format!(
        "a positive whole class size, at most {MAX_CLASS_SIZE} (the national standard is 45 in primary, 50 in junior)"
    )
}

pub fn seats_expected() -> String {
    format!(
        "a positive number of seats, at most {} per school and level (more is a typo, and would be capped)",
        thousands(MAX_SEATS)
    )
}

pub fn travel_expected() -> String {
    format!(
        "a positive distance in metres, at most {} (1,000 km, wider than any county)",
        thousands(MAX_TRAVEL_M as u32)
    )
}

pub fn unit_children_expected() -> String {
    format!(
        "a count (whole number >= 0), at most {} children in one unit (more than a county's entry cohort: a typo)",
        thousands(MAX_UNIT_CHILDREN)
    )
}

/// `100000` as `100,000`.
fn thousands(n: u32) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands() {
        assert_eq!(super::thousands(100_000), "100,000");
        assert_eq!(super::thousands(1_000_000), "1,000,000");
        assert_eq!(super::thousands(200), "200");
    }
}
