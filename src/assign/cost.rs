//! The lexicographic cost of the assignment model.

use std::ops::{Add, AddAssign, Mul, Neg, Sub};

/// Cost of a placement, compared lexicographically: first the number of
/// students left unplaced, then the travel in whole millimetres.
///
/// Using a pair instead of a "big-M" penalty states the model exactly (place
/// as many as can be placed, then minimise travel) and cannot overflow or
/// lose precision however large the instance.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cost {
    pub unplaced: i64,
    pub mm: i64,
}

impl Cost {
    pub const ZERO: Cost = Cost { unplaced: 0, mm: 0 };
    /// The cost of leaving one student unplaced.
    pub const UNPLACED: Cost = Cost { unplaced: 1, mm: 0 };

    pub const fn travel(mm: i64) -> Cost {
        Cost { unplaced: 0, mm }
    }
}

impl Add for Cost {
    type Output = Cost;
    fn add(self, o: Cost) -> Cost {
        Cost {
            unplaced: self.unplaced + o.unplaced,
            mm: self.mm + o.mm,
        }
    }
}

impl AddAssign for Cost {
    fn add_assign(&mut self, o: Cost) {
        *self = *self + o;
    }
}

impl Sub for Cost {
    type Output = Cost;
    fn sub(self, o: Cost) -> Cost {
        Cost {
            unplaced: self.unplaced - o.unplaced,
            mm: self.mm - o.mm,
        }
    }
}

impl Neg for Cost {
    type Output = Cost;
    fn neg(self) -> Cost {
        Cost {
            unplaced: -self.unplaced,
            mm: -self.mm,
        }
    }
}

/// A total over many students, wide enough for any instance.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Total {
    pub unplaced: i128,
    pub mm: i128,
}

impl Mul<Cost> for u32 {
    type Output = Total;
    fn mul(self, c: Cost) -> Total {
        Total {
            unplaced: self as i128 * c.unplaced as i128,
            mm: self as i128 * c.mm as i128,
        }
    }
}

impl Add for Total {
    type Output = Total;
    fn add(self, o: Total) -> Total {
        Total {
            unplaced: self.unplaced + o.unplaced,
            mm: self.mm + o.mm,
        }
    }
}

impl Sub for Total {
    type Output = Total;
    fn sub(self, o: Total) -> Total {
        Total {
            unplaced: self.unplaced - o.unplaced,
            mm: self.mm - o.mm,
        }
    }
}

impl AddAssign for Total {
    fn add_assign(&mut self, o: Total) {
        *self = *self + o;
    }
}
