//! Entry-cohort demand of every unit under the policy.

use crate::assign::LevelDemand;
use crate::io::InputError;
use crate::model::{Level, Policy, Unit};

/// Per level (index `Level::index`): each unit's entry-cohort students and
/// special needs among them; and the students without hukou or residence
/// permit. An entry year the `ages` counts cannot reach is one mistake, not
/// one per unit: the first unit is reported and the rest counted.
pub(super) fn entry_cohorts(
    units: &[Unit],
    policy: &Policy,
    households: &str,
) -> Result<([LevelDemand; 2], [u64; 2]), InputError> {
    let mut demand: [LevelDemand; 2] = Default::default();
    let mut without_residence = [0u64; 2];
    let mut first_err: Option<(usize, String)> = None;
    let mut errs = 0usize;
    for (index, u) in units.iter().enumerate() {
        for level in Level::ALL {
            match policy.cohort(&u.demand, level) {
                Ok(c) => {
                    let d = &mut demand[level.index()];
                    d.students.push(c.students);
                    d.special_needs.push(c.special_needs);
                    without_residence[level.index()] += c.without_residence as u64;
                }
                Err(e) => {
                    errs += 1;
                    first_err.get_or_insert((index, e.to_string()));
                }
            }
        }
    }
    let Some((index, msg)) = first_err else {
        return Ok((demand, without_residence));
    };
    let more = if errs > 1 {
        format!(" (and {} more unit-levels like it)", errs - 1)
    } else {
        String::new()
    };
    Err(InputError::new(
        households,
        "counts that cover the entry cohort",
        format!("{msg}{more}"),
    )
    .at(crate::io::geojson::feature_at(
        index,
        Some(&units[index].id),
    ))
    .field("ages"))
}
