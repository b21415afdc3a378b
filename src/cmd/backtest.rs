//! `catchment backtest`: score the forecast method on the enrollment
//! history given (rolling origins), beside persistence (next year = this
//! year), with the coverage of its prediction intervals.

use super::CliError;
use crate::forecast::inputs::age_at_lowest_grade;
use crate::forecast::{ForecastOptions, SchoolStatus, backtest, summarize};
use crate::io::InputError;
use crate::io::output::{Staged, csv_field};
use clap::Args;
use serde_json::json;
use std::fmt::Write;
use std::path::PathBuf;

pub const ABOUT: &str =
    "Score the enrollment forecast on past years (rolling origins), beside persistence";

pub const AFTER_HELP: &str = "\
Examples:
  catchment backtest --enrollment enrollment.csv
  catchment backtest --enrollment enrollment.csv --births births.csv --horizon 5
  catchment backtest --enrollment k12.csv --entry-age 5     # history starts at kindergarten

enrollment.csv: year,school_id,grade,students (grade 0 = kindergarten, 1-12; other
columns ignored; Chinese headers 年份, 学校编号, 年级, 学生数). births.csv: year,births.
Writes under --out: backtest.csv (origin,horizon,school_id,actual,forecast,low,high,ape;
school_id * = the whole district) and backtest.json (MAPE by horizon, model and
persistence, interval coverage), and prints the table. Exit 0, or 2 for bad input.";

#[derive(Args, Debug, Clone)]
pub struct BacktestArgs {
    /// Enrollment history: year,school_id,grade,students (or `[inputs]
    /// enrollment` of --config).
    #[arg(long, value_name = "FILE")]
    pub enrollment: Option<PathBuf>,
    /// Births by year (year,births): lets the entry grade follow births
    /// (or `[inputs] births` of --config).
    #[arg(long, value_name = "FILE")]
    pub births: Option<PathBuf>,
    /// Years ahead scored from each origin.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub horizon: usize,
    /// Years of history before the first origin.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub min_train_years: usize,
    /// Scenario file: its [policy] entry_age and entry_grade give the births
    /// lag (default: age 6 at grade 1).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Age at the history's lowest grade (births lag), overriding --config:
    /// e.g. 5 where the history starts with kindergarten (grade 0).
    #[arg(long, value_name = "YEARS")]
    pub entry_age: Option<u32>,
    /// Output folder.
    #[arg(long, value_name = "DIR", default_value = "out/backtest")]
    pub out: PathBuf,
    /// Write the CSV files for Excel: with a UTF-8 byte-order mark, without
    /// which Excel shows Chinese text as garbage (otherwise byte-identical).
    #[arg(long)]
    pub excel: bool,
}

fn pct(x: Option<f64>) -> String {
    x.map_or("-".into(), |v| format!("{:.1}%", v * 100.0))
}

pub fn run(args: &BacktestArgs) -> Result<i32, CliError> {
    if !(1..=30).contains(&args.horizon) {
        return Err(CliError::Usage(format!(
            "--horizon {}: expected 1 to 30 years",
            args.horizon
        )));
    }
    super::check_out(&args.out)?;
    let super::HistoryRead {
        scenario,
        enrollment,
        history,
        births,
    } = super::read_history(
        args.config.as_deref(),
        args.enrollment.as_deref(),
        args.births.as_deref(),
    )?;
    let file = enrollment.display().to_string();
    let years = history.years().len();
    if years < args.min_train_years + 1 {
        return Err(InputError::new(
            &file,
            format!(
                "at least {} years of history (--min-train-years {} plus one to score)",
                args.min_train_years + 1,
                args.min_train_years
            ),
            format!("{years} years"),
        )
        .into());
    }
    let opts = ForecastOptions {
        entry_age: args
            .entry_age
            .unwrap_or_else(|| age_at_lowest_grade(&history, &scenario.policy)),
        ..Default::default()
    };
    let bt = backtest(
        &history,
        births.as_ref(),
        &opts,
        args.min_train_years,
        args.horizon,
    );
    let summary = summarize(&bt.rows);

    let mut csv = String::from("origin,horizon,school_id,actual,forecast,low,high,ape\n");
    for r in &bt.rows {
        if r.status != SchoolStatus::Continuing {
            continue;
        }
        let _ = writeln!(
            csv,
            "{},{},{},{},{:.2},{},{},{}",
            r.origin,
            r.horizon,
            r.school_id.as_deref().map_or("*".to_string(), csv_field),
            r.actual,
            r.forecast,
            r.low.map_or(String::new(), |v| format!("{v:.2}")),
            r.high.map_or(String::new(), |v| format!("{v:.2}")),
            r.ape().map_or(String::new(), |v| format!("{v:.6}")),
        );
    }
    let round = |x: Option<f64>| x.map(|v| (v * 1e6).round() / 1e6);
    let by_h: Vec<serde_json::Value> = summary
        .iter()
        .map(|h| {
            json!({
                "horizon": h.horizon,
                "district": {"n": h.district.n, "mape": round(h.district.mape),
                    "persistence_mape": round(h.district.persistence_mape), "coverage": round(h.district.coverage)},
                "school": {"n": h.school.n, "mape": round(h.school.mape),
                    "persistence_mape": round(h.school.persistence_mape), "coverage": round(h.school.coverage)},
                "closed_school_rows": h.closed,
                "opened_school_rows": h.opened,
            })
        })
        .collect();
    let v = json!({
        "enrollment": file,
        "years": [history.years().first(), history.years().last()],
        "schools": history.schools().len(),
        "min_train_years": args.min_train_years,
        "interval_level": opts.level,
        "entry_methods": bt.entry_methods.iter().map(|(y, m)| json!({"origin": y, "method": format!("{m:?}").to_lowercase()})).collect::<Vec<_>>(),
        "by_horizon": by_h,
    });
    let mut staged = Staged::default();
    staged.set_csv_bom(args.excel);
    staged.add("backtest.csv", csv);
    staged.add(
        "backtest.json",
        format!("{}\n", serde_json::to_string_pretty(&v).expect("json")),
    );
    staged
        .commit(&args.out)
        .map_err(|e| CliError::Write(format!("{}: {e}", args.out.display())))?;

    crate::outln!(
        "backtest of {} ({} schools, {}-{}): MAPE by horizon, model (persistence), {:.0}% interval coverage",
        file,
        history.schools().len(),
        history.years().first().copied().unwrap_or_default(),
        history.years().last().copied().unwrap_or_default(),
        opts.level * 100.0
    );
    crate::outln!(
        "  {:>2}  {:>22} {:>9}   {:>22} {:>9}",
        "h",
        "district",
        "coverage",
        "school",
        "coverage"
    );
    for h in &summary {
        crate::outln!(
            "  {:>2}  {:>22} {:>9}   {:>22} {:>9}",
            h.horizon,
            format!(
                "{} ({})",
                pct(h.district.mape),
                pct(h.district.persistence_mape)
            ),
            pct(h.district.coverage),
            format!(
                "{} ({})",
                pct(h.school.mape),
                pct(h.school.persistence_mape)
            ),
            pct(h.school.coverage),
        );
    }
    crate::say!(
        "wrote backtest.csv and backtest.json to {}/",
        args.out.display()
    );
    Ok(0)
}
