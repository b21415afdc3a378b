//! Forecast inputs besides the history, by hand: the 31 Aug cutoff, the
//! census cohorts, the primary-to-junior transition, housing yield, and
//! intervals by school size.

use super::{close, row};
use catchment::forecast::{
    Census, EntryChoice, EntryMethod, Extras, ForecastOptions, History, HousingAdd, forecast,
    forecast_with, housing_yield,
};
use catchment::model::{Level, Policy};
use chrono::NaiveDate;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

#[test]
fn cutoff_arithmetic() {
    // Entry age 6 on or before 31 August of the entry year.
    let p = Policy::standard(2023);
    assert_eq!(p.entry_year_of(d("2017-08-31"), Level::Primary), 2023);
    assert_eq!(p.entry_year_of(d("2017-09-01"), Level::Primary), 2024);
    assert_eq!(p.entry_year_of(d("2017-01-01"), Level::Primary), 2023);
    assert_eq!(p.entry_year_of(d("2016-09-01"), Level::Primary), 2023);
    assert_eq!(p.entry_year_of(d("2016-08-31"), Level::Primary), 2022);
    // Junior middle: six years later.
    assert_eq!(p.entry_year_of(d("2011-08-31"), Level::Junior), 2023);
    assert_eq!(p.entry_year_of(d("2011-09-01"), Level::Junior), 2024);
    // The same rule as the plan's cohort window.
    for day in [
        "2016-09-01",
        "2017-02-28",
        "2017-08-31",
        "2017-09-01",
        "2016-08-31",
    ] {
        assert_eq!(
            p.in_cohort(d(day), Level::Primary),
            p.entry_year_of(d(day), Level::Primary) == 2023,
            "{day}"
        );
    }
    // Ages on a census taken on the cutoff day of 2023: age 6 enters in
    // 2023, age 0 in 2029; junior: age 12 in 2023.
    assert_eq!(p.entry_year_of_age(6, Level::Primary), 2023);
    assert_eq!(p.entry_year_of_age(0, Level::Primary), 2029);
    assert_eq!(p.entry_year_of_age(12, Level::Junior), 2023);
    // A census a year before the entry year: the same children, one year
    // younger.
    let mut q = Policy::standard(2024);
    q.census_date = Some(d("2023-08-31"));
    assert_eq!(q.entry_year_of_age(5, Level::Primary), 2024);
}

/// Two primaries with grades 1-2, 2018-2022, entry 100 (A) and 50 (B) a
/// year; and progression 1 (the same pupils move up).
fn two_schools() -> History {
    let mut rows = Vec::new();
    for year in 2018..=2022 {
        for (s, n) in [("A", 100), ("B", 50)] {
            rows.push(row(year, s, 1, n));
            rows.push(row(year, s, 2, n));
        }
    }
    History::from_rows(&rows).expect("history")
}

fn opts() -> ForecastOptions {
    ForecastOptions {
        entry: EntryChoice::Fixed(EntryMethod::Average),
        ..Default::default()
    }
}

#[test]
fn census_cohorts_set_entry_by_a_ratio() {
    // The census counted, in A's zone, 125 children for each cohort that
    // entered 2020-2022 (so A's census-to-entry ratio is 100/125 = 0.8) and
    // 150 for 2023; in B's zone, 50 for each past cohort (ratio 1) and 40
    // for 2023. Pooled ratio (300 + 150) / (375 + 150) = 6/7; A's shrunk:
    // (300 + 50 * 6/7) / (375 + 50); B's: (150 + 50 * 6/7) / (150 + 50).
    let h = two_schools();
    let mut c = Census::default();
    for y in 2020..=2022 {
        c.add("A", 1, y, 125.0);
        c.add("B", 1, y, 50.0);
    }
    c.add("A", 1, 2023, 150.0);
    c.add("B", 1, 2023, 40.0);
    let o = ForecastOptions {
        reconcile: false,
        ..opts()
    };
    let f = forecast_with(
        &h,
        &Extras {
            census: Some(&c),
            ..Default::default()
        },
        &o,
        2,
    );
    let get = |y: i32, s: &str, g: u32| {
        f.rows
            .iter()
            .find(|r| r.year == y && r.school_id == s && r.grade == g)
            .map(|r| r.students)
            .expect("row")
    };
    let pooled = 6.0 / 7.0;
    let ra = (300.0 + 50.0 * pooled) / (375.0 + 50.0);
    let rb = (150.0 + 50.0 * pooled) / (150.0 + 50.0);
    assert!(
        close(get(2023, "A", 1), ra * 150.0),
        "{}",
        get(2023, "A", 1)
    );
    assert!(close(get(2023, "B", 1), rb * 40.0));
    // 2024 is not in the census: the entry method (average of the last 3).
    assert!(close(get(2024, "A", 1), 100.0));
    assert!(close(get(2024, "B", 1), 50.0));
    // Later grades follow the census-set cohort.
    assert!(close(get(2024, "A", 2), ra * 150.0));
    // Without the census, the average.
    let f0 = forecast(&h, None, &o, 1);
    assert!(
        f0.rows
            .iter()
            .all(|r| r.grade != 1
                || close(r.students, if r.school_id == "A" { 100.0 } else { 50.0 }))
    );
}

#[test]
fn junior_entry_is_a_share_of_the_primaries_last_grade() {
    // Primary P (grades 5-6) and two junior schools J, K (grade 7). Every
    // year P has 100 in grade 6; J takes 60 and K 30 of them the next year
    // (10 leave). In 2022 P's grade 5 has 200, so grade 6 in 2023 is 200
    // (ratio 1) and grade 7 in 2024 is J 0.6 * 200, K 0.3 * 200.
    let mut rows = Vec::new();
    for year in 2016..=2022 {
        rows.push(row(year, "P", 5, if year == 2022 { 200 } else { 100 }));
        rows.push(row(year, "P", 6, 100));
        rows.push(row(year, "J", 7, 60));
        rows.push(row(year, "K", 7, 30));
    }
    let h = History::from_rows(&rows).expect("history");
    let f = forecast(&h, None, &opts(), 2);
    let get = |y: i32, s: &str, g: u32| {
        f.rows
            .iter()
            .find(|r| r.year == y && r.school_id == s && r.grade == g)
            .map(|r| r.students)
            .expect("row")
    };
    assert!(close(get(2023, "P", 6), 200.0));
    assert!(close(get(2023, "J", 7), 60.0));
    assert!(close(get(2024, "J", 7), 120.0), "{}", get(2024, "J", 7));
    assert!(close(get(2024, "K", 7), 60.0));
}

#[test]
fn housing_yield_from_a_row() {
    // 300 flats completed in 2024 at 0.2 primary pupils each: 60 pupils,
    // 10 in each of the six primary grades, from 2024 on.
    assert!(close(housing_yield(300.0, 0.2, 6), 10.0));
    let h = two_schools();
    let add: Vec<HousingAdd> = [1, 2]
        .iter()
        .map(|&g| HousingAdd {
            year: 2024,
            school_id: "A".into(),
            grade: g,
            students: housing_yield(300.0, 0.2, 6),
        })
        .collect();
    let o = opts();
    let base = forecast(&h, None, &o, 3);
    let with = forecast_with(
        &h,
        &Extras {
            housing: &add,
            ..Default::default()
        },
        &o,
        3,
    );
    for (a, b) in base.rows.iter().zip(&with.rows) {
        assert_eq!(
            (a.year, &a.school_id, a.grade),
            (b.year, &b.school_id, b.grade)
        );
        let extra = if a.school_id == "A" && a.year >= 2024 {
            10.0
        } else {
            0.0
        };
        assert!(close(b.students - a.students, extra), "{a:?} {b:?}");
    }
    // The district total carries it too.
    let dist = |f: &catchment::forecast::Forecast, y: i32| {
        f.totals
            .iter()
            .find(|t| t.year == y && t.school_id.is_none())
            .map(|t| t.students)
            .expect("district")
    };
    assert!(close(dist(&with, 2025) - dist(&base, 2025), 20.0));
    assert!(close(dist(&with, 2023), dist(&base, 2023)));
}

#[test]
fn small_schools_get_wider_bands_than_large_ones() {
    // 30 schools, ten each of about 30, 300 and 3,000 pupils, entries
    // noisy with the same absolute noise: small schools swing more in
    // relative terms, and their band must be wider.
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let mut rows = Vec::new();
    for s in 0..30 {
        let base = [30.0, 300.0, 3000.0][s / 10];
        for year in 2008..=2022 {
            for g in 1..=3 {
                let noise: f64 = rng.gen_range(-8.0..8.0);
                rows.push(row(
                    year,
                    &format!("S{s:02}"),
                    g,
                    (base + noise).round() as i64,
                ));
            }
        }
    }
    let h = History::from_rows(&rows).expect("history");
    let f = forecast(&h, None, &opts(), 1);
    let width = |s: &str| {
        let t = f
            .totals
            .iter()
            .find(|t| t.school_id.as_deref() == Some(s))
            .expect("total");
        (t.high.expect("band") - t.low.expect("band")) / t.students
    };
    assert!(
        width("S00") > 3.0 * width("S15"),
        "{} {}",
        width("S00"),
        width("S15")
    );
    assert!(
        width("S15") > 3.0 * width("S25"),
        "{} {}",
        width("S15"),
        width("S25")
    );
}
