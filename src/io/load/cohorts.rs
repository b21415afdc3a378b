//! Entry-cohort demand of every unit under the policy, its failure located
//! in the households file.

use crate::assign::LevelDemand;
use crate::io::InputError;
use crate::model::{Policy, Unit};

/// `plan::entry_cohorts`, its failure as an error on the households file:
/// the first unit is named and the rest counted.
pub(super) fn entry_cohorts(
    units: &[Unit],
    policy: &Policy,
    households: &str,
) -> Result<([LevelDemand; 2], [u64; 2]), InputError> {
    crate::plan::entry_cohorts(units, policy).map_err(|f| {
        let more = if f.count > 1 {
            format!(" (and {} more unit-levels like it)", f.count - 1)
        } else {
            String::new()
        };
        InputError::new(
            households,
            "counts that cover the entry cohort",
            format!("{}{more}", f.error),
        )
        .at(crate::io::geojson::feature_at(
            f.unit,
            Some(&units[f.unit].id),
        ))
        .field("ages")
    })
}
