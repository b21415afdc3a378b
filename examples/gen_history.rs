//! Writes `data/wuzhai/enrollment.csv` and `data/wuzhai/births.csv`: a
//! SYNTHETIC enrollment history (fall counts, 2013-2022, grades 1-9) and
//! births series for the bundled example, consistent with its households,
//! so `catchment forecast` and `catchment backtest` run on it.
//!
//! Every child of the 2023 census is counted, in each past year, in the
//! grade the 31 August rule puts them in, at the school whose current zone
//! (`current.geojson`) holds their home. Cohorts too old to be in the 2023
//! census (entering before the oldest complete census cohort) are that cohort scaled by the example's
//! births trend (about 1,250 births in 2008 falling to 800 in 2022).
//! Births by year are the census children born that year (earlier years
//! scaled the same way). Deterministic.
//!
//!     cargo run --release --example gen_history

use catchment::io::load::{LoadRequest, load};
use catchment::model::{Demand, Level};
use chrono::Datelike;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The example generator's births trend (examples/gen_wuzhai.rs).
fn births_trend(year: i32) -> f64 {
    1250.0 - (year - 2008) as f64 * (450.0 / 14.0)
}

fn main() {
    let loaded = load(&LoadRequest::default(), chrono::Local::now().date_naive())
        .unwrap_or_else(|e| panic!("example: {e}"));
    let current = loaded
        .current
        .as_ref()
        .expect("the example has current zones");
    let (first, last) = (2013, 2022);
    // The oldest complete cohort in the census: the first whose birth
    // window (1 Sep - 31 Aug) starts on or after the earliest birth date.
    let d0 = loaded
        .units
        .iter()
        .filter_map(|u| match &u.demand {
            Demand::Children(c) => c.iter().map(|c| c.birth_date).min(),
            _ => None,
        })
        .min()
        .expect("children");
    let entry_of = |b: chrono::NaiveDate| {
        b.year()
            + if (b.month(), b.day()) <= (8, 31) {
                6
            } else {
                7
            }
    };
    let oldest_entry = entry_of(d0)
        + if (d0.month(), d0.day()) == (9, 1) {
            0
        } else {
            1
        };
    // The first complete calendar year of births.
    let full_year = d0.year()
        + if (d0.month(), d0.day()) == (1, 1) {
            0
        } else {
            1
        };
    // (year, school, grade) -> students; and the template cohort by (school, grade offset).
    let mut cells: BTreeMap<(i32, usize, u32), f64> = BTreeMap::new();
    let mut template: BTreeMap<(usize, u32), f64> = BTreeMap::new();
    let mut births: BTreeMap<i32, f64> = BTreeMap::new();
    for (i, u) in loaded.units.iter().enumerate() {
        let Demand::Children(children) = &u.demand else {
            continue;
        };
        for c in children {
            let b = c.birth_date;
            *births.entry(b.year()).or_default() += 1.0;
            let entry = entry_of(b);
            for grade in 1..=9u32 {
                let level = if grade <= 6 {
                    Level::Primary
                } else {
                    Level::Junior
                };
                let Some(school) = current[level.index()][i] else {
                    continue;
                };
                let year = entry + grade as i32 - 1;
                if (first..=last).contains(&year) {
                    *cells.entry((year, school, grade)).or_default() += 1.0;
                }
                if entry == oldest_entry {
                    *template.entry((school, grade)).or_default() += 1.0;
                }
            }
        }
    }
    // Older cohorts: the template scaled by births.
    for entry in (first - 8)..oldest_entry {
        let w = births_trend(entry - 6) / births_trend(oldest_entry - 6);
        for (&(school, grade), &n) in &template {
            let year = entry + grade as i32 - 1;
            if (first..=last).contains(&year) {
                *cells.entry((year, school, grade)).or_default() += n * w;
            }
        }
    }
    let mut enrollment = String::from("year,school_id,grade,students\n");
    for (&(year, school, grade), &n) in &cells {
        let _ = writeln!(
            enrollment,
            "{year},{},{grade},{}",
            loaded.schools[school].id,
            n.round() as u64
        );
    }
    let base = births.get(&full_year).copied().unwrap_or(0.0);
    let mut b = String::from("year,births\n");
    for year in 1999..=2022 {
        let n = if year >= full_year {
            births.get(&year).copied().unwrap_or(0.0)
        } else {
            base * births_trend(year) / births_trend(full_year)
        };
        let _ = writeln!(b, "{year},{}", n.round() as u64);
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/wuzhai");
    std::fs::write(dir.join("enrollment.csv"), enrollment).expect("write");
    std::fs::write(dir.join("births.csv"), b).expect("write");
    eprintln!("wrote data/wuzhai/enrollment.csv and births.csv");
}
