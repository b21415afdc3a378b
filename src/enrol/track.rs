//! Dropout control (控辍保学): primary graduates with the junior school they
//! were assigned, against the registrations at the junior schools once
//! registration has closed. Pure: no I/O.
//!
//! A graduate is `registered` (at the assigned school), `registered
//! elsewhere` (at another school: listed with both schools, to confirm a
//! transfer) or `not registered` (listed: the children to follow up).
//! Registrations of children who are not on the graduates list (moved in,
//! repeated a year...) are counted per school as `from_elsewhere`, not an
//! error. Student ids are unique in each list (the readers check it).

use crate::model::id_cmp;
use std::collections::BTreeMap;

/// A primary graduate and the junior school assigned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Graduate {
    pub student_id: String,
    pub junior_school_id: String,
}

/// A registration at a junior school.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registration {
    pub student_id: String,
    pub school_id: String,
}

/// Counts of one junior school.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SchoolCounts {
    pub school_id: String,
    /// Graduates assigned here.
    pub graduates: u32,
    /// ... registered here.
    pub registered: u32,
    /// ... registered at another school.
    pub registered_elsewhere: u32,
    /// ... registered nowhere.
    pub not_registered: u32,
    /// Registered here, not on the graduates list.
    pub from_elsewhere: u32,
}

/// A graduate registered at another school than assigned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Elsewhere {
    pub junior_school_id: String,
    pub student_id: String,
    pub registered_school_id: String,
}

/// The result of the check.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Track {
    /// Every school of either list, in id order.
    pub schools: Vec<SchoolCounts>,
    /// (assigned junior school, student), sorted.
    pub not_registered: Vec<(String, String)>,
    /// Sorted by assigned school, then student.
    pub registered_elsewhere: Vec<Elsewhere>,
}

impl Track {
    /// Totals over all schools (school id `*`).
    pub fn total(&self) -> SchoolCounts {
        let mut t = SchoolCounts {
            school_id: "*".into(),
            ..Default::default()
        };
        for s in &self.schools {
            t.graduates += s.graduates;
            t.registered += s.registered;
            t.registered_elsewhere += s.registered_elsewhere;
            t.not_registered += s.not_registered;
            t.from_elsewhere += s.from_elsewhere;
        }
        t
    }
}

/// Match graduates against registrations.
pub fn track(graduates: &[Graduate], registrations: &[Registration]) -> Track {
    let registered_at: BTreeMap<&str, &str> = registrations
        .iter()
        .map(|r| (r.student_id.as_str(), r.school_id.as_str()))
        .collect();
    let graduate_ids: BTreeMap<&str, &str> = graduates
        .iter()
        .map(|g| (g.student_id.as_str(), g.junior_school_id.as_str()))
        .collect();
    let mut schools: BTreeMap<&str, SchoolCounts> = BTreeMap::new();
    let entry = |id: &str| -> SchoolCounts {
        SchoolCounts {
            school_id: id.to_string(),
            ..Default::default()
        }
    };
    let mut not_registered = Vec::new();
    let mut registered_elsewhere = Vec::new();
    for (&student, &school) in &graduate_ids {
        let c = schools.entry(school).or_insert_with(|| entry(school));
        c.graduates += 1;
        match registered_at.get(student) {
            Some(&at) if at == school => c.registered += 1,
            Some(&at) => {
                c.registered_elsewhere += 1;
                registered_elsewhere.push(Elsewhere {
                    junior_school_id: school.to_string(),
                    student_id: student.to_string(),
                    registered_school_id: at.to_string(),
                });
            }
            None => {
                c.not_registered += 1;
                not_registered.push((school.to_string(), student.to_string()));
            }
        }
    }
    for (&student, &school) in &registered_at {
        if !graduate_ids.contains_key(student) {
            schools
                .entry(school)
                .or_insert_with(|| entry(school))
                .from_elsewhere += 1;
        } else {
            schools.entry(school).or_insert_with(|| entry(school));
        }
    }
    let mut schools: Vec<SchoolCounts> = schools.into_values().collect();
    schools.sort_by(|a, b| id_cmp(&a.school_id, &b.school_id));
    not_registered.sort_by(|a, b| id_cmp(&a.0, &b.0).then_with(|| id_cmp(&a.1, &b.1)));
    registered_elsewhere.sort_by(|a, b| {
        id_cmp(&a.junior_school_id, &b.junior_school_id)
            .then_with(|| id_cmp(&a.student_id, &b.student_id))
    });
    Track {
        schools,
        not_registered,
        registered_elsewhere,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(s: &str, j: &str) -> Graduate {
        Graduate {
            student_id: s.into(),
            junior_school_id: j.into(),
        }
    }
    fn r(s: &str, j: &str) -> Registration {
        Registration {
            student_id: s.into(),
            school_id: j.into(),
        }
    }

    #[test]
    fn every_graduate_is_counted_once() {
        let t = track(
            &[g("S1", "J1"), g("S2", "J1"), g("S10", "J1"), g("S3", "J2")],
            &[r("S1", "J1"), r("S2", "J2"), r("X9", "J2"), r("X8", "J3")],
        );
        let j1 = &t.schools[0];
        assert_eq!(
            (
                j1.graduates,
                j1.registered,
                j1.registered_elsewhere,
                j1.not_registered
            ),
            (3, 1, 1, 1)
        );
        assert_eq!(t.schools[1].from_elsewhere, 1);
        assert_eq!(t.schools[2].school_id, "J3");
        assert_eq!(t.schools[2].from_elsewhere, 1);
        assert_eq!(
            t.not_registered,
            vec![("J1".into(), "S10".into()), ("J2".into(), "S3".into())]
        );
        assert_eq!(t.registered_elsewhere[0].registered_school_id, "J2");
        let tot = t.total();
        assert_eq!(
            tot.graduates,
            tot.registered + tot.registered_elsewhere + tot.not_registered
        );
    }
}
