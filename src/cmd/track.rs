//! `catchment track`: dropout control (控辍保学). Primary graduates with
//! their assigned junior school against the junior schools' registrations:
//! who has not registered, per school.

use super::CliError;
use crate::enrol::track::{SchoolCounts, track};
use crate::io::output::{Staged, csv_field};
use crate::io::students::{read_graduates, read_registrations};
use clap::Args;
use std::fmt::Write;
use std::path::PathBuf;

pub const ABOUT: &str =
    "List primary graduates not registered at their junior school (dropout control, 控辍保学)";

pub const AFTER_HELP: &str = "\
Examples:
  catchment track --graduates data/wuzhai/graduates.csv --registrations data/wuzhai/registrations.csv
  catchment track --graduates g.csv --registrations r.csv --out out/track

--graduates: student_id,junior_school_id (学号/学生编号, 初中学校编号): each graduate once.
--registrations: student_id,school_id (学号/学生编号, 学校编号): each student once.
No other columns (names and the like are refused: delete them first).

A graduate is registered (at the assigned school), registered elsewhere (at another
school: listed with both, to confirm the transfer) or not registered (listed: the children
to follow up). Registrations of students not on the graduates list are counted per school
as from_elsewhere, not an error.

Writes under --out: not_registered.csv (junior_school_id,student_id, sorted),
registered_elsewhere.csv (junior_school_id,student_id,registered_school_id) and
track_summary.csv (junior_school_id,graduates,registered,registered_elsewhere,
not_registered,from_elsewhere). Prints the counts per school and the total not registered.
Exit codes: 0 written (the list is the result, even when not empty), 2 bad input or usage
(nothing written).";

#[derive(Args, Debug, Clone)]
pub struct TrackArgs {
    /// Primary graduates (CSV): student_id,junior_school_id.
    #[arg(long, value_name = "FILE")]
    pub graduates: PathBuf,
    /// Junior school registrations (CSV): student_id,school_id.
    #[arg(long, value_name = "FILE")]
    pub registrations: PathBuf,
    /// Output folder.
    #[arg(long, value_name = "DIR", default_value = "out/track")]
    pub out: PathBuf,
    /// Write the CSV files for Excel: with a UTF-8 byte-order mark, without
    /// which Excel shows Chinese text as garbage (otherwise byte-identical).
    #[arg(long)]
    pub excel: bool,
}

pub fn run(args: &TrackArgs) -> Result<i32, CliError> {
    super::check_out(&args.out)?;
    // Read both files and report the problems of both at once.
    let graduates = read_graduates(&args.graduates).each_note(|n| crate::say!("note: {n}"));
    let registrations =
        read_registrations(&args.registrations).each_note(|n| crate::say!("note: {n}"));
    let (graduates, registrations) = match (graduates, registrations) {
        (Ok(g), Ok(r)) => (g, r),
        (g, r) => {
            let mut errs = crate::io::InputErrors::default();
            if let Err(e) = g {
                errs.extend(e);
            }
            if let Err(e) = r {
                errs.extend(e);
            }
            return Err(errs.into());
        }
    };
    let t = track(&graduates, &registrations);

    let mut nr = String::from("junior_school_id,student_id\n");
    for (school, student) in &t.not_registered {
        let _ = writeln!(nr, "{},{}", csv_field(school), csv_field(student));
    }
    let mut re = String::from("junior_school_id,student_id,registered_school_id\n");
    for e in &t.registered_elsewhere {
        let _ = writeln!(
            re,
            "{},{},{}",
            csv_field(&e.junior_school_id),
            csv_field(&e.student_id),
            csv_field(&e.registered_school_id)
        );
    }
    let mut sum = String::from(
        "junior_school_id,graduates,registered,registered_elsewhere,not_registered,\
         from_elsewhere\n",
    );
    for s in &t.schools {
        let _ = writeln!(
            sum,
            "{},{},{},{},{},{}",
            csv_field(&s.school_id),
            s.graduates,
            s.registered,
            s.registered_elsewhere,
            s.not_registered,
            s.from_elsewhere
        );
    }
    let mut staged = Staged::default();
    staged.set_csv_bom(args.excel);
    staged.add("not_registered.csv", nr);
    staged.add("registered_elsewhere.csv", re);
    staged.add("track_summary.csv", sum);
    staged
        .commit(&args.out)
        .map_err(|e| CliError::Write(format!("{}: {e}", args.out.display())))?;

    let width = t
        .schools
        .iter()
        .map(|s| s.school_id.chars().count())
        .max()
        .unwrap_or(0)
        .max("junior_school_id".len());
    let row = |s: &SchoolCounts| {
        format!(
            "{:<width$} {:>9} {:>10} {:>20} {:>14} {:>14}",
            s.school_id,
            s.graduates,
            s.registered,
            s.registered_elsewhere,
            s.not_registered,
            s.from_elsewhere
        )
    };
    crate::outln!(
        "{:<width$} {:>9} {:>10} {:>20} {:>14} {:>14}",
        "junior_school_id",
        "graduates",
        "registered",
        "registered_elsewhere",
        "not_registered",
        "from_elsewhere"
    );
    for s in &t.schools {
        crate::outln!("{}", row(s));
    }
    let total = t.total();
    crate::outln!(
        "{}",
        row(&SchoolCounts {
            school_id: "total".into(),
            ..total.clone()
        })
    );
    crate::outln!(
        "not registered: {} of {} graduates ({} registered at another school than assigned); \
         wrote not_registered.csv, registered_elsewhere.csv, track_summary.csv to {}/",
        total.not_registered,
        total.graduates,
        total.registered_elsewhere,
        args.out.display()
    );
    Ok(0)
}
