//! Writes `data/wuzhai/admit_applicants.csv`: a SYNTHETIC applicant list
//! for `catchment admit` on the bundled example, linked to real unit ids of
//! `households.geojson`. Deterministic (ChaCha8, seed 20230901): two runs
//! write the same bytes.
//!
//!     cargo run --release --example gen_admit
//!
//! - County-town primaries P01-P04: every child of the 2023 primary entry
//!   cohort the plan places at one of them applies. Children of P01's
//!   catchment (the popular school) all apply there; elsewhere a household
//!   chooses another county-town school with probability 0.15 (P03 four
//!   times in five, else P02 or P04), its cohort children together.
//! - 14 children who moved in after the census (households of P01's
//!   catchment with no child of the planned cohort; one twin pair, one
//!   priority applicant) register at P01, so P01 is oversubscribed by
//!   catchment; P03 is oversubscribed by choice.
//! - Junior: children of the junior entry cohort in 砚城镇 households apply
//!   to the private J02 with probability 0.45 (J02 has 150 seats), and 3
//!   applicants give no household.
//!
//! Multiple-birth groups and priorities are the households' own.

use catchment::io::load::{LoadRequest, load};
use catchment::model::{Demand, Level};
use catchment::plan::{solve_loaded, unit_catchments};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt::Write;
use std::path::Path;

struct Row {
    id: String,
    school: String,
    group: String,
    priority: String,
    unit: String,
}

fn main() {
    // The bundled example (no file named), planned as `plan` does.
    let today = chrono::Local::now().date_naive();
    let loaded = load(&LoadRequest::default(), today).expect("load the example");
    let levels = solve_loaded(&loaded).expect("plan the example");
    let policy = &loaded.scenario.policy;
    let mut rng = ChaCha8Rng::seed_from_u64(20230901);
    let school = |id: &str| {
        loaded
            .schools
            .iter()
            .position(|s| s.id == id)
            .expect("school")
    };
    let town = ["P01", "P02", "P03", "P04"].map(school);
    let mut rows: Vec<Row> = Vec::new();

    // Primary.
    let primary = &levels[Level::Primary.index()];
    let catchment = unit_catchments(&loaded, primary);
    let mut n = 0;
    for (i, u) in loaded.units.iter().enumerate() {
        let Demand::Children(children) = &u.demand else {
            continue;
        };
        let Some(c) = catchment[i].filter(|c| town.contains(c)) else {
            continue;
        };
        let cohort: Vec<_> = children
            .iter()
            .filter(|ch| policy.in_cohort(ch.birth_date, Level::Primary))
            .collect();
        if cohort.is_empty() {
            continue;
        }
        let mut applied = c;
        if c != town[0] && rng.gen_bool(0.15) {
            applied = if rng.gen_bool(0.8) {
                town[2]
            } else if rng.gen_bool(0.5) {
                town[1]
            } else {
                town[3]
            };
            if applied == c {
                applied = town[2];
            }
        }
        for ch in cohort {
            n += 1;
            rows.push(Row {
                id: format!("P-2023-{n:04}"),
                school: loaded.schools[applied].id.clone(),
                group: ch.multiple_birth_group.clone().unwrap_or_default(),
                priority: ch.priority.clone().unwrap_or_default(),
                unit: u.id.clone(),
            });
        }
    }
    // Moved in after the census: households in P01's zone without a child
    // of the planned cohort.
    let movers: Vec<usize> = (0..loaded.units.len())
        .filter(|&i| {
            catchment[i] == Some(town[0]) && loaded.demand[Level::Primary.index()].students[i] == 0
        })
        .collect();
    let mut picked: Vec<usize> = Vec::new();
    while picked.len() < 13 {
        let i = movers[rng.gen_range(0..movers.len())];
        if !picked.contains(&i) {
            picked.push(i);
        }
    }
    picked.sort_unstable();
    for (k, &i) in picked.iter().enumerate() {
        let kids = if k == 0 { 2 } else { 1 };
        for _ in 0..kids {
            n += 1;
            rows.push(Row {
                id: format!("P-2023-{n:04}"),
                school: "P01".into(),
                group: if k == 0 {
                    "MB-IN1".into()
                } else {
                    String::new()
                },
                priority: if k == 5 {
                    "military".into()
                } else {
                    String::new()
                },
                unit: loaded.units[i].id.clone(),
            });
        }
    }

    // Junior: the private school.
    let mut m = 0;
    for u in &loaded.units {
        if u.town.as_deref() != Some("砚城镇") {
            continue;
        }
        let Demand::Children(children) = &u.demand else {
            continue;
        };
        let cohort: Vec<_> = children
            .iter()
            .filter(|ch| policy.in_cohort(ch.birth_date, Level::Junior))
            .collect();
        if cohort.is_empty() || !rng.gen_bool(0.45) {
            continue;
        }
        for ch in cohort {
            m += 1;
            rows.push(Row {
                id: format!("J02-2023-{m:04}"),
                school: "J02".into(),
                group: ch.multiple_birth_group.clone().unwrap_or_default(),
                priority: ch.priority.clone().unwrap_or_default(),
                unit: u.id.clone(),
            });
        }
    }
    for _ in 0..3 {
        m += 1;
        rows.push(Row {
            id: format!("J02-2023-{m:04}"),
            school: "J02".into(),
            group: String::new(),
            priority: String::new(),
            unit: String::new(),
        });
    }

    let mut csv = String::from("applicant_id,school_id,multiple_birth_group,priority,unit_id\n");
    for r in &rows {
        let _ = writeln!(
            csv,
            "{},{},{},{},{}",
            r.id, r.school, r.group, r.priority, r.unit
        );
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/wuzhai/admit_applicants.csv");
    std::fs::write(&path, &csv).expect("write");
    let count = |p: &dyn Fn(&Row) -> bool| rows.iter().filter(|r| p(r)).count();
    eprintln!(
        "wrote {}: {} applicants ({} primary, {} junior; {} in multiple-birth groups, {} with \
         priority)",
        path.display(),
        rows.len(),
        n,
        m,
        count(&|r| !r.group.is_empty()),
        count(&|r| !r.priority.is_empty())
    );
}
