//! Forecast core: known answers, calibration on synthetic data, and the
//! backtest on real enrollment history (Atlanta Public Schools).

use super::{close, row};
use crate::common::{fixture, repo};
use catchment::forecast::{
    BacktestRow, Births, BirthsError, EnrollmentRow, EntryChoice, EntryMethod, ForecastOptions,
    History, HistoryError, HorizonSummary, Ratios, SchoolStatus, backtest, entry_average,
    entry_trend, forecast, summarize,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[test]
fn three_grade_progression_by_hand() {
    // School A, grades 1-3:      g1   g2   g3
    //                     2019  100   90   80
    //                     2020  110   95   88
    //                     2021  120   99   95
    // ratio_years = 3 uses the transitions into 2020 and 2021:
    //   r2 = (95 + 99) / (100 + 110) = 194/210
    //   r3 = (88 + 95) / (90 + 95)   = 183/185
    // (one school: its ratio is the district's, shrinkage changes nothing).
    // Entry, average of the last 3: (100 + 110 + 120) / 3 = 110.
    //   2022: g1 = 110, g2 = 194/210 * 120 = 110.857..., g3 = 183/185 * 99 = 97.929...
    //   2023: g1 = 110, g2 = 194/210 * 110 = 101.619...,
    //         g3 = 183/185 * (194/210 * 120) = 109.658...
    let mut rows = Vec::new();
    for (year, counts) in [
        (2019, [100, 90, 80]),
        (2020, [110, 95, 88]),
        (2021, [120, 99, 95]),
    ] {
        for (g, c) in counts.into_iter().enumerate() {
            rows.push(row(year, "A", g as u32 + 1, c));
        }
    }
    let h = History::from_rows(&rows).unwrap();
    let opts = ForecastOptions {
        entry: EntryChoice::Fixed(EntryMethod::Average),
        ..ForecastOptions::default()
    };
    let r = Ratios::estimate(&h, 2021, &opts).unwrap();
    assert!(close(r.school("A", 2).unwrap(), 194.0 / 210.0));
    assert!(close(r.school("A", 3).unwrap(), 183.0 / 185.0));
    let f = forecast(&h, None, &opts, 2);
    let got: Vec<(i32, u32, f64)> = f
        .rows
        .iter()
        .map(|r| (r.year, r.grade, r.students))
        .collect();
    let (r2, r3) = (194.0 / 210.0, 183.0 / 185.0);
    let want = [
        (2022, 1, 110.0),
        (2022, 2, r2 * 120.0),
        (2022, 3, r3 * 99.0),
        (2023, 1, 110.0),
        (2023, 2, r2 * 110.0),
        (2023, 3, r3 * r2 * 120.0),
    ];
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert_eq!((g.0, g.1), (w.0, w.1));
        assert!(close(g.2, w.2), "{g:?} vs {w:?}");
    }
    // Three years leave no earlier origin to learn errors from.
    assert!(f.rows.iter().all(|r| r.low.is_none() && r.high.is_none()));
    let district_2022 = f
        .totals
        .iter()
        .find(|t| t.year == 2022 && t.school_id.is_none());
    assert!(close(
        district_2022.unwrap().students,
        110.0 + r2 * 120.0 + r3 * 99.0
    ));
}

#[test]
fn entry_average_and_trend_on_a_tiny_series() {
    // 100, 110, 120, 130: the line is 100 + 10 (y - 2018); the mean of the last 3 is 120.
    let s = [(2018, 100.0), (2019, 110.0), (2020, 120.0), (2021, 130.0)];
    assert!(close(entry_average(&s, 3).unwrap(), 120.0));
    assert!(close(entry_trend(&s, 5, 2022).unwrap(), 140.0));
    assert!(close(entry_trend(&s, 5, 2024).unwrap(), 160.0));
    // A falling line stops at 0.
    let down = [(2019, 20.0), (2020, 10.0), (2021, 0.0)];
    assert_eq!(entry_trend(&down, 5, 2025), Some(0.0));
    // Fewer than 3 points: the trend is the average.
    assert!(close(entry_trend(&s[..2], 5, 2030).unwrap(), 105.0));

    // Through the forecast: one school, the entry grade only.
    let rows: Vec<_> = s.iter().map(|&(y, v)| row(y, "A", 1, v as i64)).collect();
    let h = History::from_rows(&rows).unwrap();
    for (method, want) in [
        (EntryMethod::Average, [120.0, 120.0]),
        (EntryMethod::Trend, [140.0, 150.0]),
    ] {
        let opts = ForecastOptions {
            entry: EntryChoice::Fixed(method),
            ..ForecastOptions::default()
        };
        let f = forecast(&h, None, &opts, 2);
        assert_eq!(f.entry_method, method);
        let got: Vec<f64> = f.rows.iter().map(|r| r.students).collect();
        assert!(
            close(got[0], want[0]) && close(got[1], want[1]),
            "{method:?}: {got:?}"
        );
    }
}

#[test]
fn births_entry_uses_the_lag_and_projects_unknown_births() {
    // Entry at age 6: entries 2019-2021 = 55, 60, 66 follow births 2013-2015 = 110, 120, 132,
    // ratio (55 + 60 + 66) / (110 + 120 + 132) = 181/362 = 0.5.
    // 2022 <- births 2016 = 140: 70; 2023 <- births 2017 = 150: 75;
    // 2024 <- births 2018, not given: mean of the last three known (132 + 140 + 150) / 3.
    let entries = [(2018, 50), (2019, 55), (2020, 60), (2021, 66)];
    let rows: Vec<_> = entries.iter().map(|&(y, v)| row(y, "A", 1, v)).collect();
    let h = History::from_rows(&rows).unwrap();
    let births = Births::new(&[
        (2012, 100.0),
        (2013, 110.0),
        (2014, 120.0),
        (2015, 132.0),
        (2016, 140.0),
        (2017, 150.0),
    ])
    .unwrap();
    let opts = ForecastOptions {
        entry: EntryChoice::Fixed(EntryMethod::Births),
        ..ForecastOptions::default()
    };
    let f = forecast(&h, Some(&births), &opts, 3);
    let got: Vec<f64> = f.rows.iter().map(|r| r.students).collect();
    let want = [70.0, 75.0, 0.5 * (132.0 + 140.0 + 150.0) / 3.0];
    for (g, w) in got.iter().zip(want) {
        assert!(close(*g, w), "{got:?} vs {want:?}");
    }
    assert!(matches!(
        Births::new(&[(2020, 1.0), (2020, 2.0)]),
        Err(BirthsError::Duplicate { row: 1, year: 2020 })
    ));
    assert!(matches!(
        Births::new(&[(2020, -1.0)]),
        Err(BirthsError::Invalid { row: 0, .. })
    ));
}

#[test]
fn small_school_ratio_is_shrunk_toward_the_district() {
    // Big school B: 1000 in grade 1 (2020) -> 1000 in grade 2 (2021), ratio 1.
    // Small school S: 10 -> 5, ratio 0.5.
    // District pooled ratio rd = (1000 + 5) / (1000 + 10) = 1005/1010.
    // With n0 = 50: r_S = (5 + 50 rd) / (10 + 50), weight 10/60 on S's own 0.5;
    //               r_B = (1000 + 50 rd) / (1000 + 50), weight 1000/1050 on 1.
    let rows = vec![
        row(2020, "B", 1, 1000),
        row(2020, "B", 2, 1000),
        row(2021, "B", 1, 1000),
        row(2021, "B", 2, 1000),
        row(2020, "S", 1, 10),
        row(2020, "S", 2, 10),
        row(2021, "S", 1, 10),
        row(2021, "S", 2, 5),
    ];
    let h = History::from_rows(&rows).unwrap();
    let opts = ForecastOptions::default();
    let r = Ratios::estimate(&h, 2021, &opts).unwrap();
    let rd = 1005.0 / 1010.0;
    assert!(close(r.district(2).unwrap(), rd));
    let rs = r.school("S", 2).unwrap();
    assert!(close(rs, (5.0 + 50.0 * rd) / 60.0));
    assert!(
        rs > 0.5 && rs < rd && rd - rs < rs - 0.5,
        "closer to the district than to 0.5"
    );
    assert!(close(
        r.school("B", 2).unwrap(),
        (1000.0 + 50.0 * rd) / 1050.0
    ));
    // No shrinkage: the school's own ratio.
    let raw = Ratios::estimate(
        &h,
        2021,
        &ForecastOptions {
            shrink_n0: 0.0,
            ..opts
        },
    )
    .unwrap();
    assert!(close(raw.school("S", 2).unwrap(), 0.5));
}

#[test]
fn bad_rows_are_refused_with_their_row() {
    let dup = [row(2020, "A", 1, 5), row(2020, "A", 1, 6)];
    assert!(matches!(
        History::from_rows(&dup),
        Err(HistoryError::Duplicate {
            row: 1,
            first_row: 0,
            ..
        })
    ));
    let neg = [row(2020, "A", 1, 5), row(2021, "A", 1, -1)];
    assert!(matches!(
        History::from_rows(&neg),
        Err(HistoryError::Negative {
            row: 1,
            students: -1,
            ..
        })
    ));
    let gap = [row(2019, "A", 1, 5), row(2021, "A", 1, 5)];
    assert_eq!(
        History::from_rows(&gap),
        Err(HistoryError::MissingYear {
            year: 2020,
            first: 2019,
            last: 2021
        })
    );
    assert_eq!(History::from_rows(&[]), Err(HistoryError::Empty));
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    // Box-Muller.
    let u1: f64 = rng.r#gen::<f64>().max(1e-300);
    let u2: f64 = rng.r#gen();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

#[test]
fn intervals_cover_about_80_percent_on_data_from_the_model() {
    // 60 schools, K-5, 20 years: entry counts vary around each school's level,
    // each cohort progresses at the school's ratio with noise.
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut rows = Vec::new();
    for s in 0..60 {
        let id = format!("S{s:02}");
        let base = rng.gen_range(40.0..150.0);
        let ratio = rng.gen_range(0.95..1.01);
        let mut prev: Vec<f64> = (0..6).map(|_| base).collect();
        for year in 2000..2020 {
            let mut now = vec![0.0; 6];
            now[0] = base * (0.08 * normal(&mut rng)).exp();
            for g in 1..6 {
                now[g] = prev[g - 1] * ratio * (0.04 * normal(&mut rng)).exp();
            }
            for (g, v) in now.iter().enumerate() {
                rows.push(row(year, &id, g as u32, v.round() as i64));
            }
            prev = now;
        }
    }
    let h = History::from_rows(&rows).unwrap();
    let opts = ForecastOptions::default();
    let bt = backtest(&h, None, &opts, 5, 3);
    let sum = summarize(&bt.rows);
    print_summary("synthetic", &sum);
    let scored: Vec<&BacktestRow> = bt
        .rows
        .iter()
        .filter(|r| r.school_id.is_some() && r.covered().is_some())
        .collect();
    let cov =
        scored.iter().filter(|r| r.covered() == Some(true)).count() as f64 / scored.len() as f64;
    println!(
        "school coverage, all horizons: {cov:.3} of {}",
        scored.len()
    );
    assert!(scored.len() > 1000);
    assert!((0.7..=0.9).contains(&cov), "coverage {cov}");
}

fn read_enrollment(path: &std::path::Path) -> Vec<EnrollmentRow> {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (y, s, g, n) = (col("year"), col("school_id"), col("grade"), col("students"));
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            row(
                r[y].parse().unwrap(),
                &r[s],
                r[g].parse().unwrap(),
                r[n].parse().unwrap(),
            )
        })
        .collect()
}

fn pct(x: Option<f64>) -> String {
    x.map_or("-".into(), |v| format!("{:.1}%", 100.0 * v))
}

fn print_summary(name: &str, sum: &[HorizonSummary]) {
    println!(
        "{name}: h | district MAPE (persistence) cov | school MAPE (persistence) cov | closed opened"
    );
    for s in sum {
        println!(
            "{name}: {} | {} ({}) {} n={} | {} ({}) {} n={} | {} {} ({} students)",
            s.horizon,
            pct(s.district.mape),
            pct(s.district.persistence_mape),
            pct(s.district.coverage),
            s.district.n,
            pct(s.school.mape),
            pct(s.school.persistence_mape),
            pct(s.school.coverage),
            s.school.n,
            s.closed,
            s.opened,
            s.opened_students,
        );
    }
}

fn atlanta_options() -> ForecastOptions {
    // Kindergarten (grade 0) is the entry grade, at age 5.
    ForecastOptions {
        entry_age: 5,
        ..ForecastOptions::default()
    }
}

fn check_sane(sum: &[HorizonSummary]) {
    for s in sum {
        for level in [&s.district, &s.school] {
            for m in [level.mape, level.persistence_mape].into_iter().flatten() {
                assert!(m.is_finite() && m >= 0.0);
            }
            if let Some(c) = level.coverage {
                assert!((0.0..=1.0).contains(&c));
            }
        }
    }
}

#[test]
fn atlanta_slice_backtest() {
    let path = fixture("atlanta/enrollment.csv");
    let h = History::from_rows(&read_enrollment(&path)).unwrap();
    assert_eq!(h.years().first(), Some(&2007));
    assert_eq!(h.years().last(), Some(&2022));
    assert_eq!(h.schools().len(), 14);
    let bt = backtest(&h, None, &atlanta_options(), 3, 5);
    let sum = summarize(&bt.rows);
    print_summary("atlanta slice", &sum);
    println!("entry methods: {:?}", bt.entry_methods);
    check_sane(&sum);
    // Connally closes after 2015: its rows are reported as closed, not dropped.
    assert!(
        bt.rows
            .iter()
            .any(|r| r.status == SchoolStatus::Closed && r.school_id.as_deref() == Some("2057"))
    );
    let h1 = &sum[0];
    let (m, p) = (
        h1.district.mape.unwrap(),
        h1.district.persistence_mape.unwrap(),
    );
    assert!(m <= 2.0 * p, "district 1-year MAPE {m} vs persistence {p}");
}

#[test]
#[ignore = "full Atlanta file, prints the scores for the README"]
fn atlanta_full_backtest() {
    let path = repo("../shared/data/atlanta_enrollment/enrollment.csv");
    let h = History::from_rows(&read_enrollment(&path)).unwrap();
    let bt = backtest(&h, None, &atlanta_options(), 3, 5);
    let sum = summarize(&bt.rows);
    print_summary("atlanta full", &sum);
    println!("entry methods: {:?}", bt.entry_methods);
    check_sane(&sum);
}
