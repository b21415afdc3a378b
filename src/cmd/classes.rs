//! `catchment classes`: split an admitted cohort into balanced classes
//! (均衡编班: no exam-based or key classes): sizes, girls and boys, and
//! special-needs children spread evenly, multiple-birth siblings together
//! or apart, reproducible from a seed.

use super::CliError;
use crate::enrol::classes::{Bound, GroupSearch, Options, Siblings, Split, SplitError, split};
use crate::io::InputError;
use crate::io::output::{Staged, csv_field};
use crate::io::students::{StudentRow, read_students};
use crate::model::id_cmp;
use clap::{Args, ValueEnum};
use serde_json::json;
use std::fmt::Write;
use std::path::PathBuf;

pub const ABOUT: &str =
    "Split an admitted cohort into balanced classes (sex, special needs, multiple births)";

pub const AFTER_HELP: &str = "\
Examples:
  catchment classes --students data/wuzhai/students.csv --classes 3
  catchment classes --students junior.csv --classes 24 --class-size 50 --seed 20230901
  catchment classes --students p01.csv --classes 3 --siblings apart --out out/p01

--students: student_id,sex,special_needs,multiple_birth_group (Chinese headers 学号/学生编号,
性别, 特殊需要/随班就读, 多胞胎组). sex F/M or 女/男 (required); special_needs true/false,
1/0, 是/否 (empty = false); children of one multiple birth share a multiple_birth_group.
No other columns (names and the like are refused: delete them first).

Bounds, checked and printed: class sizes differ by at most 1 and none is over --class-size;
girls in each class within 1 of the even split (girls x class students / students), the
same for boys; special-needs children: the most and the fewest in a class differ by at
most 1. With --siblings together a large group can make a bound unreachable (five girl
quintuplets in two classes of five): the split is then as close as possible, each bound
missed is named with the group, and the exit code is still 0.
The seed decides who goes where, never the balance; same file and seed, same classes.

Writes under --out: classes.csv (student_id,class; classes 1..N, sorted by class then
student), classes_summary.csv and classes_summary.json (per class: students, girls, boys,
special_needs, the targets and the bounds met).
Exit codes: 0 written (warnings on stderr), 2 bad input or usage (nothing written).";

/// What to do with multiple-birth siblings.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SiblingsArg {
    /// All members of a group in one class.
    Together,
    /// Members in different classes (as far as the number of classes allows).
    Apart,
}

#[derive(Args, Debug, Clone)]
pub struct ClassesArgs {
    /// The admitted cohort (CSV): student_id,sex,special_needs,multiple_birth_group.
    #[arg(long, value_name = "FILE")]
    pub students: PathBuf,
    /// Number of classes.
    #[arg(long, value_name = "N")]
    pub classes: u32,
    /// Seed of the random part (who goes where); the same seed gives the
    /// same classes.
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,
    /// Most students in a class: 45 for primary (标准班额), 50 for junior middle.
    #[arg(long, value_name = "N", default_value_t = 45)]
    pub class_size: u32,
    /// Multiple-birth siblings in one class, or in different classes.
    #[arg(long, value_enum, default_value_t = SiblingsArg::Together)]
    pub siblings: SiblingsArg,
    /// Output folder.
    #[arg(long, value_name = "DIR", default_value = "out/classes")]
    pub out: PathBuf,
    /// Write the CSV files for Excel: with a UTF-8 byte-order mark, without
    /// which Excel shows Chinese text as garbage (otherwise byte-identical).
    #[arg(long)]
    pub excel: bool,
}

pub fn run(args: &ClassesArgs) -> Result<i32, CliError> {
    if args.classes == 0 {
        return Err(CliError::Usage(
            "--classes 0: expected at least 1 class".into(),
        ));
    }
    if args.class_size == 0 {
        return Err(CliError::Usage(
            "--class-size 0: expected at least 1 student per class (45 primary, 50 junior)".into(),
        ));
    }
    super::check_out(&args.out)?;
    let file = args.students.display().to_string();
    let rows = read_students(&args.students).each_note(|n| crate::say!("note: {n}"))?;
    let students: Vec<_> = rows.iter().map(|r| r.student.clone()).collect();
    let opts = Options {
        classes: args.classes,
        class_size: args.class_size,
        seed: args.seed,
        siblings: match args.siblings {
            SiblingsArg::Together => Siblings::Together,
            SiblingsArg::Apart => Siblings::Apart,
        },
    };
    let s = split(&students, &opts).map_err(|e| split_error(e, &rows, &file, &opts))?;

    let mut staged = Staged::default();
    staged.set_csv_bom(args.excel);
    staged.add("classes.csv", classes_csv(&rows, &s));
    staged.add("classes_summary.csv", summary_csv(&s));
    let mut json = serde_json::to_string_pretty(&summary_json(&s, &opts))
        .map_err(|e| CliError::Internal(e.to_string()))?;
    json.push('\n');
    staged.add("classes_summary.json", json);
    staged
        .commit(&args.out)
        .map_err(|e| CliError::Write(format!("{}: {e}", args.out.display())))?;

    crate::out!("{}", balance_table(&s, &file, &opts));
    for w in &s.warnings {
        crate::say!("warning: {w}");
    }
    crate::outln!(
        "wrote classes.csv, classes_summary.csv, classes_summary.json to {}/",
        args.out.display()
    );
    Ok(0)
}

/// A located input error for a split that cannot be made.
fn split_error(e: SplitError, rows: &[StudentRow], file: &str, opts: &Options) -> CliError {
    match e {
        SplitError::TooManyStudents { students, seats } => {
            let line = rows.get(seats as usize).map_or(0, |r| r.line);
            InputError::new(
                file,
                format!(
                    "at most {seats} students (--classes {} x --class-size {})",
                    opts.classes, opts.class_size
                ),
                format!(
                    "{students} students (line {line} is student {}); give more --classes or \
                     a larger --class-size",
                    seats + 1
                ),
            )
            .at(format!("line {line}"))
            .into()
        }
        SplitError::GroupLargerThanClass {
            group,
            members,
            class_size,
        } => {
            let lines = group_lines(rows, &group);
            InputError::new(
                file,
                format!(
                    "multiple-birth groups of at most {class_size} children (--class-size) with \
                     --siblings together"
                ),
                format!(
                    "group \"{group}\" of {members} children (lines {lines}); use --siblings \
                     apart or a larger --class-size"
                ),
            )
            .at(format!("line {}", lines.split(',').next().unwrap_or("0")))
            .field("multiple_birth_group")
            .into()
        }
        SplitError::GroupsDoNotFit { group } => {
            let lines = group_lines(rows, &group);
            InputError::new(
                file,
                format!(
                    "multiple-birth groups that fit together into {} classes of at most {}",
                    opts.classes, opts.class_size
                ),
                format!(
                    "no class with room left for group \"{group}\" (lines {lines}); use \
                     --siblings apart, more --classes or a larger --class-size"
                ),
            )
            .at(format!("line {}", lines.split(',').next().unwrap_or("0")))
            .field("multiple_birth_group")
            .into()
        }
        other => CliError::Usage(format!("expected {other}")),
    }
}

fn group_lines(rows: &[StudentRow], group: &str) -> String {
    rows.iter()
        .filter(|r| r.student.group.as_deref() == Some(group))
        .map(|r| r.line.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// `student_id,class`, sorted by class then student.
fn classes_csv(rows: &[StudentRow], s: &Split) -> String {
    let mut v: Vec<(u32, &str)> = rows
        .iter()
        .zip(&s.class_of)
        .map(|(r, &c)| (c, r.student.id.as_str()))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| id_cmp(a.1, b.1)));
    let mut out = String::from("student_id,class\n");
    for (c, id) in v {
        let _ = writeln!(out, "{},{c}", csv_field(id));
    }
    out
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The bounds class `k` misses, e.g. "girls;boys", or "" when none.
fn failed(s: &Split, k: usize) -> Vec<&'static str> {
    let mut v: Vec<Bound> = s
        .failures
        .iter()
        .filter(|f| f.class == k)
        .map(|f| f.bound)
        .collect();
    v.sort();
    v.dedup();
    v.into_iter().map(Bound::key).collect()
}

fn summary_csv(s: &Split) -> String {
    let t = &s.targets;
    let mut out = String::from(
        "class,students,girls,boys,special_needs,girls_target,boys_target,\
         special_needs_target,bounds_failed\n",
    );
    for (k, c) in s.stats.iter().enumerate() {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{:.2},{:.2},{:.2},{}",
            k + 1,
            c.students,
            c.girls,
            c.boys,
            c.special_needs,
            t.girls_target(c.students),
            t.boys_target(c.students),
            t.special_needs_target(),
            failed(s, k).join(";")
        );
    }
    out
}

fn summary_json(s: &Split, opts: &Options) -> serde_json::Value {
    let t = &s.targets;
    let met = |b: Bound| !s.failures.iter().any(|f| f.bound == b);
    let (nlo, nhi) = t.size_range();
    let (slo, shi) = t.special_needs_range();
    let per_class: Vec<serde_json::Value> = s
        .stats
        .iter()
        .enumerate()
        .map(|(k, c)| {
            json!({
                "class": k + 1,
                "students": c.students,
                "girls": c.girls,
                "boys": c.boys,
                "special_needs": c.special_needs,
                "girls_target": round2(t.girls_target(c.students)),
                "boys_target": round2(t.boys_target(c.students)),
                "girls_allowed": t.girls_range(c.students),
                "boys_allowed": t.boys_range(c.students),
                "multiple_birth_groups": c.groups,
                "bounds_failed": failed(s, k),
            })
        })
        .collect();
    json!({
        "students": t.students,
        "girls": t.girls,
        "boys": t.boys(),
        "special_needs": t.special_needs,
        "multiple_birth_groups": s.groups,
        "classes": t.classes,
        "class_size": t.class_size,
        "seed": opts.seed,
        "siblings": opts.siblings.as_str(),
        "bounds": {
            "sizes": { "rule": "sizes differ by at most 1, none over class_size",
                       "allowed": [nlo, nhi.min(t.class_size)], "met": met(Bound::Sizes) },
            "girls": { "rule": "within 1 of girls x class students / students",
                       "met": met(Bound::Girls) },
            "boys": { "rule": "within 1 of boys x class students / students",
                      "met": met(Bound::Boys) },
            "special_needs": { "rule": "most and fewest per class differ by at most 1",
                               "allowed": [slo, shi], "met": met(Bound::SpecialNeeds) },
        },
        "all_bounds_met": s.failures.is_empty(),
        "group_search": match s.search {
            GroupSearch::NotNeeded => "not_needed",
            GroupSearch::Found => "found",
            GroupSearch::Unreachable => "unreachable",
            GroupSearch::NotFound => "not_found_within_budget",
        },
        "per_class": per_class,
        "warnings": s.warnings,
    })
}

/// The balance table printed on stdout.
fn balance_table(s: &Split, file: &str, opts: &Options) -> String {
    let t = &s.targets;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{file}: {} students ({} girls, {} boys, {} special needs; multiple-birth groups: {}) \
         in {} classes of at most {}; seed {}, siblings {}",
        t.students,
        t.girls,
        t.boys(),
        t.special_needs,
        s.groups,
        t.classes,
        t.class_size,
        opts.seed,
        opts.siblings.as_str()
    );
    let _ = writeln!(
        out,
        "{:>5} {:>8} {:>14} {:>14} {:>13}  bounds",
        "class", "students", "girls (target)", "boys (target)", "special needs"
    );
    for (k, c) in s.stats.iter().enumerate() {
        let f = failed(s, k);
        let _ = writeln!(
            out,
            "{:>5} {:>8} {:>14} {:>14} {:>13}  {}",
            k + 1,
            c.students,
            format!("{} ({:.2})", c.girls, t.girls_target(c.students)),
            format!("{} ({:.2})", c.boys, t.boys_target(c.students)),
            c.special_needs,
            if f.is_empty() {
                "ok".to_string()
            } else {
                format!("FAILED: {}", f.join(", "))
            }
        );
    }
    let sizes: Vec<u32> = s.stats.iter().map(|c| c.students).collect();
    let sn: Vec<u32> = s.stats.iter().map(|c| c.special_needs).collect();
    let span = |v: &[u32]| {
        let (a, b) = (
            v.iter().min().copied().unwrap_or(0),
            v.iter().max().copied().unwrap_or(0),
        );
        format!("{a}-{b}")
    };
    let ok = |b: Bound| {
        if s.failures.iter().any(|f| f.bound == b) {
            "FAILED"
        } else {
            "ok"
        }
    };
    let _ = writeln!(
        out,
        "bounds: sizes {} (differ by <= 1, <= {}) {}; girls within 1 of the even split {}; \
         boys {}; special needs {} (max - min <= 1) {}",
        span(&sizes),
        t.class_size,
        ok(Bound::Sizes),
        ok(Bound::Girls),
        ok(Bound::Boys),
        span(&sn),
        ok(Bound::SpecialNeeds)
    );
    out
}
