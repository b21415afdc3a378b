//! The transportation problem: units with students, schools with seats, and
//! the feasible unit-school arcs with their travel cost.

use super::cost::Cost;

/// A transportation instance in compressed sparse rows: the arcs of unit `i`
/// are `arc_start[i]..arc_start[i + 1]`, sorted by (cost, school).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Transport {
    pub supply: Vec<u32>,
    pub capacity: Vec<u32>,
    pub arc_start: Vec<usize>,
    pub arc_school: Vec<u32>,
    /// Travel in whole millimetres.
    pub arc_mm: Vec<i64>,
}

impl Transport {
    pub fn new(capacity: Vec<u32>) -> Transport {
        Transport {
            capacity,
            arc_start: vec![0],
            ..Default::default()
        }
    }

    /// An empty instance with room for `units` units and `arcs` arcs (a
    /// province has tens of millions: growing by doubling copies them).
    pub fn with_capacity(capacity: Vec<u32>, units: usize, arcs: usize) -> Transport {
        let mut arc_start = Vec::with_capacity(units + 1);
        arc_start.push(0);
        Transport {
            capacity,
            supply: Vec::with_capacity(units),
            arc_start,
            arc_school: Vec::with_capacity(arcs),
            arc_mm: Vec::with_capacity(arcs),
        }
    }

    /// Add a unit with `supply` students and its feasible schools
    /// `(school, mm)`; they are sorted here, and a school named twice keeps
    /// its cheaper arc.
    pub fn push_unit(&mut self, supply: u32, arcs: &mut [(u32, i64)]) {
        self.push_arcs(supply, arcs, |&(s, mm)| (s, mm), |_| {});
    }

    /// `push_unit` with a tag per arc, pushed onto `tags` in the order the
    /// arcs are kept (so `tags[a]` goes with arc `a` when every unit is
    /// pushed this way).
    pub fn push_unit_with<T: Copy>(
        &mut self,
        supply: u32,
        arcs: &mut [(u32, i64, T)],
        tags: &mut Vec<T>,
    ) {
        self.push_arcs(
            supply,
            arcs,
            |&(s, mm, _)| (s, mm),
            |&(_, _, t)| tags.push(t),
        );
    }

    /// Sort a unit's arcs by (cost, school), keep the first of each school,
    /// and call `kept` for each arc kept, in order.
    fn push_arcs<A>(
        &mut self,
        supply: u32,
        arcs: &mut [A],
        parts: impl Fn(&A) -> (u32, i64),
        mut kept: impl FnMut(&A),
    ) {
        arcs.sort_unstable_by_key(|a| {
            let (s, mm) = parts(a);
            (mm, s)
        });
        let start = self.arc_school.len();
        for a in arcs.iter() {
            let (s, mm) = parts(a);
            assert!((s as usize) < self.capacity.len(), "arc to unknown school");
            assert!(mm >= 0, "negative travel");
            if self.arc_school[start..].contains(&s) {
                continue;
            }
            self.arc_school.push(s);
            self.arc_mm.push(mm);
            kept(a);
        }
        self.supply.push(supply);
        self.arc_start.push(self.arc_school.len());
    }

    pub fn units(&self) -> usize {
        self.supply.len()
    }

    pub fn schools(&self) -> usize {
        self.capacity.len()
    }

    pub fn arcs(&self, unit: usize) -> std::ops::Range<usize> {
        self.arc_start[unit]..self.arc_start[unit + 1]
    }

    pub fn arc_cost(&self, arc: usize) -> Cost {
        Cost::travel(self.arc_mm[arc])
    }
}

/// A placement: students on each arc, and students left unplaced per unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    pub arc: Vec<u32>,
    pub unplaced: Vec<u32>,
}

impl Flow {
    pub fn loads(&self, t: &Transport) -> Vec<u64> {
        let mut load = vec![0u64; t.schools()];
        for (a, &x) in self.arc.iter().enumerate() {
            load[t.arc_school[a] as usize] += x as u64;
        }
        load
    }
}
