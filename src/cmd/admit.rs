//! `catchment admit`: the county's admission flows from an applicant list
//! and the plan. Reads the list, plans as `plan` does (each unit's
//! catchment school per level, the travel model), runs `crate::enrol::admit` per
//! level, writes admission.csv, admission_summary.json and one lottery
//! folder per draw (verifiable with `catchment lottery verify`).

use super::inputs::{InputArgs, load};
use super::{CliError, check_text};
use crate::assign::travel::pair_arcs;
use crate::assign::{LevelAssignment, Travel, feasible_arcs};
use crate::enrol::admit::{
    AdmitApplicant, AdmitInput, AdmitResult, AdmitSchool, AdmitUnit, Reach, Route, Seeding, Why,
    admit,
};
use crate::io::admit_applicants::{AdmitRow, read_admit_applicants};
use crate::io::output::{Staged, UTF8_BOM};
use crate::io::{InputError, InputErrors};
use crate::lottery::audit::{AUDIT_FILE, COMMITMENT_FILE, to_json};
use crate::lottery::{APPLICANTS_FILE, DrawOptions, GroupOverflow, PriorityRule, RESULT_FILE};
use crate::model::{Level, SchoolKind, Sector};
use crate::plan::{Loaded, solve_loaded, unit_catchments};
use clap::Args;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::path::{Path, PathBuf};

pub const ABOUT: &str = "Admission: catchment, choice, lottery and allocation (public schools); \
                         application and lottery (private schools)";

pub const AFTER_HELP: &str = "\
Examples:
  catchment admit --applicants data/wuzhai/admit_applicants.csv \\
      --public-entropy \"双色球 2023-07-20: 03 07 12 19 25 31 + 09\" --notary \"4711\"
                                   # the bundled Wuzhai example (synthetic data)
  catchment admit --config county/scenario.toml --applicants registrations.csv \\
      --public-entropy \"...\" --out out/admit-2023 --excel

The applicant list: applicant_id,school_id,multiple_birth_group,priority,unit_id[,level]
(Chinese headers 报名号, 学校编号, 多胞胎组, 优先类别, 户编号/住户编号, 学段). One row per child;
unit_id is the household (households.geojson id), required for public schools, may be empty
for a private school; level (primary|junior) is needed only for a nine-year school. The list is
the registration list of the schools it names: all their seats go to it. Children who did not
apply are not in it; at a public school it does not name, the seats the plan assigned stay
theirs and only the rest is free for allocation.

The flow per level (the plan gives each household its catchment school):
  1. private school: applicants <= seats admit all, else a lottery; losers return to their
     catchment public school (always a seat there: the plan holds one for every child).
  2. public school: catchment applicants first (a lottery if they exceed the seats), then
     choice applicants for the seats left (a lottery if oversubscribed).
  3. allocation: catchment losers, then choice losers (who first try their own catchment
     school), each in lottery order, to the nearest public school within reach with free seats.
A multiple-birth group holds one ticket and stays together through every stage.
Every draw is a public lottery (the algorithm of `catchment lottery`, seeded from its own
applicant list, --public-entropy and --notary), written to lotteries/<school>-<stage>/ and
checked by: catchment lottery verify --dir OUT/lotteries/<school>-<stage>

Writes under --out: admission.csv (applicant_id,level,unit_id,applied_school_id,
catchment_school_id,route,admitted_school_id,travel_m,lottery_rank,reason),
admission_summary.json, lotteries/*/. Application numbers only, never names.
Exit codes: 0 all placed, 1 some applicants unplaced or returned without a seat (listed), 2 bad
input or usage (nothing
written), 3 internal error.";

#[derive(Args, Debug, Clone)]
pub struct AdmitArgs {
    #[command(flatten)]
    pub inputs: InputArgs,
    /// The applicant list (CSV): applicant_id,school_id,multiple_birth_group,
    /// priority,unit_id[,level].
    #[arg(long, value_name = "FILE")]
    pub applicants: PathBuf,
    /// The pre-announced public numbers, as drawn, recorded exactly; needed
    /// when any school is oversubscribed.
    #[arg(long, value_name = "TEXT")]
    pub public_entropy: Option<String>,
    /// The notary's input; empty if none.
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub notary: String,
    /// Priority applicants: `first` (a priority tier drawn before the
    /// general one) or `ignore`, as in `lottery draw`.
    #[arg(long, value_name = "RULE", default_value = "first", value_parser = ["first", "ignore"])]
    pub priority: String,
    /// A multiple-birth group larger than the seats left: `skip` or
    /// `admit` (over the plan), as in `lottery draw`.
    #[arg(long, value_name = "RULE", default_value = "skip", value_parser = ["skip", "admit"])]
    pub group_overflow: String,
    /// Output folder.
    #[arg(long, value_name = "DIR", default_value = "out/admit")]
    pub out: PathBuf,
    /// admission.csv with a UTF-8 byte-order mark for Excel (the lottery
    /// folders stay canonical, without one).
    #[arg(long)]
    pub excel: bool,
}

/// One application, checked against the schools and households.
struct Checked {
    row: AdmitRow,
    level: Level,
    school: usize,
    unit: Option<usize>,
}

fn check_rows(rows: Vec<AdmitRow>, loaded: &Loaded, file: &str) -> Result<Vec<Checked>, CliError> {
    let schools: HashMap<&str, usize> = loaded
        .schools
        .iter()
        .enumerate()
        .map(|(j, s)| (s.id.as_str(), j))
        .collect();
    let units: HashMap<&str, usize> = loaded
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.id.as_str(), i))
        .collect();
    let mut errs = InputErrors::default();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let at = format!("line {}", row.line);
        let err = |field: &str, expected: String, found: String| {
            InputError::new(file, expected, found)
                .at(&at)
                .field(field.to_string())
        };
        let Some(&j) = schools.get(row.school_id.as_str()) else {
            errs.push(err(
                "school_id",
                "a school of schools.geojson".into(),
                format!("\"{}\", which is not one", row.school_id),
            ));
            continue;
        };
        let s = &loaded.schools[j];
        let level = match (row.level, s.kind) {
            (Some(l), k) if !k.serves(l) => {
                errs.push(err(
                    "level",
                    format!("a level school {} teaches ({})", s.id, k.as_str()),
                    l.as_str().to_string(),
                ));
                continue;
            }
            (Some(l), _) => l,
            (None, SchoolKind::Primary) => Level::Primary,
            (None, SchoolKind::Junior) => Level::Junior,
            (None, SchoolKind::NineYear) => {
                errs.push(err(
                    "level",
                    format!(
                        "primary or junior: {} is a nine-year school (add a `level` column)",
                        s.id
                    ),
                    "no value".into(),
                ));
                continue;
            }
        };
        let unit = match &row.unit_id {
            Some(u) => match units.get(u.as_str()) {
                Some(&i) => Some(i),
                None => {
                    errs.push(err(
                        "unit_id",
                        "a household of the households file".into(),
                        format!("\"{u}\", which is not one"),
                    ));
                    continue;
                }
            },
            None if s.sector == Sector::Public => {
                errs.push(err(
                    "unit_id",
                    format!(
                        "the applicant's household: {} is a public school (admission by \
                         catchment)",
                        s.id
                    ),
                    "no value".into(),
                ));
                continue;
            }
            None => None,
        };
        out.push(Checked {
            row,
            level,
            school: j,
            unit,
        });
    }
    if !errs.is_empty() {
        return Err(CliError::Input(errs));
    }
    Ok(out)
}

/// A school id as a folder name: characters other than letters, digits,
/// `-`, `_` and `.` become `_`.
fn safe_label(id: &str) -> String {
    let s: String = id
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.starts_with('.') {
        format!("_{s}")
    } else {
        s
    }
}

/// One level's inputs to the pure flow.
fn level_input(
    loaded: &Loaded,
    la: &LevelAssignment,
    travel: Travel,
    apps: &[&Checked],
) -> (Vec<AdmitSchool>, Vec<AdmitUnit>, Vec<AdmitApplicant>) {
    let level = la.level;
    let policy = &loaded.scenario.policy;
    let named: Vec<bool> = (0..loaded.schools.len())
        .map(|j| apps.iter().any(|a| a.school == j))
        .collect();
    let schools: Vec<AdmitSchool> = loaded
        .schools
        .iter()
        .enumerate()
        .map(|(j, s)| {
            let seats = s.seats(level, policy).unwrap_or(0) as u64;
            let seats = if named[j] || s.sector == Sector::Private {
                seats
            } else {
                seats.saturating_sub(la.assigned[j])
            };
            let mut label = safe_label(&s.id);
            if s.kind == SchoolKind::NineYear {
                label = format!("{label}-{}", level.as_str());
            }
            AdmitSchool {
                id: s.id.clone(),
                private: s.sector == Sector::Private,
                seats: if s.kind.serves(level) { seats } else { 0 },
                registering: named[j],
                label,
            }
        })
        .collect();
    let catchment = unit_catchments(loaded, la);
    let mut supply = vec![0u32; loaded.units.len()];
    for a in apps {
        if let Some(u) = a.unit {
            supply[u] = 1;
        }
    }
    let arcs = feasible_arcs(
        &loaded.units,
        &supply,
        &loaded.schools,
        level,
        policy,
        travel,
    );
    let mut units: Vec<AdmitUnit> = (0..loaded.units.len())
        .map(|i| AdmitUnit {
            catchment: catchment[i],
            travel: if supply[i] > 0 {
                arcs.of(i)
                    .iter()
                    .map(|a| Reach {
                        school: a.school as usize,
                        cost: a.cost,
                        metres: a.metres(),
                        in_reach: true,
                    })
                    .collect()
            } else {
                Vec::new()
            },
            no_road: supply[i] > 0 && arcs.no_road[i],
        })
        .collect();
    // Travel to the school applied to and the catchment school, for the
    // report, where they are not candidates of the plan.
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for a in apps {
        if let Some(u) = a.unit {
            for j in [Some(a.school), catchment[u]].into_iter().flatten() {
                if !units[u].travel.iter().any(|r| r.school == j) {
                    pairs.push((u, j));
                }
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    let found = pair_arcs(
        &loaded.units,
        &loaded.schools,
        level,
        policy,
        travel,
        &pairs,
    );
    for (&(u, j), a) in pairs.iter().zip(found) {
        if let Some(a) = a {
            units[u].travel.push(Reach {
                school: j,
                cost: a.cost,
                metres: a.metres(),
                in_reach: false,
            });
        }
    }
    let applicants = apps
        .iter()
        .map(|a| AdmitApplicant {
            id: a.row.applicant_id.clone(),
            school: a.school,
            unit: a.unit,
            group: a.row.group.clone(),
            priority: a.row.priority.clone(),
        })
        .collect();
    (schools, units, applicants)
}

pub fn run(args: &AdmitArgs) -> Result<i32, CliError> {
    super::check_out(&args.out)?;
    let file = args.applicants.display().to_string();
    if !args.applicants.is_file() {
        return Err(InputError::new(
            &file,
            "an existing applicant list (--applicants)",
            if args.applicants.exists() {
                "a folder"
            } else {
                "no such file"
            },
        )
        .into());
    }
    let rows = read_admit_applicants(&args.applicants).each_note(|n| crate::say!("note: {n}"))?;
    if let Some(e) = &args.public_entropy {
        check_text("--public-entropy", e, true)?;
        if e.is_empty() {
            return Err(CliError::Usage(
                "--public-entropy: expected the announced public numbers, found an empty text"
                    .into(),
            ));
        }
    }
    check_text("--notary", &args.notary, false)?;
    let options = DrawOptions {
        priority: PriorityRule::parse(&args.priority).unwrap_or_default(),
        group_overflow: GroupOverflow::parse(&args.group_overflow).unwrap_or_default(),
    };
    let loaded = load(&args.inputs)?;
    let checked = check_rows(rows, &loaded, &file)?;
    let levels = solve_loaded(&loaded)?;
    let travel = loaded.travel();
    let seeding = args.public_entropy.as_ref().map(|e| Seeding {
        public_entropy: e.clone(),
        notary: args.notary.clone(),
    });

    let mut results: Vec<LevelResult> = Vec::new();
    for la in &levels {
        let apps: Vec<&Checked> = checked.iter().filter(|c| c.level == la.level).collect();
        if apps.is_empty() {
            continue;
        }
        let (schools, units, applicants) = level_input(&loaded, la, travel, &apps);
        let input = AdmitInput {
            level: la.level,
            schools: &schools,
            units: &units,
            applicants: &applicants,
            seeding: seeding.as_ref(),
            options,
        };
        let result = admit(&input).map_err(|e| match e {
            crate::enrol::admit::AdmitError::NeedsEntropy { .. } => CliError::Usage(format!(
                "--public-entropy: expected the announced public numbers: {e} (nothing written)"
            )),
            other => CliError::from(InputError::new(
                &file,
                "a consistent applicant list",
                other.to_string(),
            )),
        })?;
        results.push((result, schools, apps, units));
    }

    // Conservation, before anything is written.
    for (r, _, apps, _) in &results {
        let (admitted, unplaced, no_unit) = (r.admitted(), r.unplaced(), r.returned_without_unit());
        if r.admissions.len() != apps.len()
            || admitted + unplaced + no_unit != apps.len() as u64
            || r.admissions
                .iter()
                .enumerate()
                .any(|(i, a)| a.applicant != i)
        {
            return Err(CliError::Internal(format!(
                "{} level: {} applicants but {admitted} admitted + {unplaced} unplaced + \
                 {no_unit} returned without a unit",
                r.level.as_str(),
                apps.len()
            )));
        }
    }

    let mut staged = Staged::default();
    let csv = admission_csv(&loaded, &results);
    staged.add(
        "admission.csv",
        if args.excel {
            [UTF8_BOM, csv.as_bytes()].concat()
        } else {
            csv.into_bytes()
        },
    );
    let summary = summary_json(&loaded, &results, args, travel);
    staged.add("admission_summary.json", summary);
    for (r, _, _, _) in &results {
        for l in &r.lotteries {
            let dir = Path::new("lotteries").join(&l.folder);
            staged.add(dir.join(APPLICANTS_FILE), l.canonical.clone());
            staged.add(dir.join(COMMITMENT_FILE), to_json(&l.commit));
            staged.add(dir.join(RESULT_FILE), l.result.clone());
            staged.add(dir.join(AUDIT_FILE), to_json(&l.audit));
        }
    }
    staged
        .commit(&args.out)
        .map_err(|e| CliError::Write(format!("{}: {e}", args.out.display())))?;
    print_report(&loaded, &results, &args.out);
    // A child without a seat, or returned without a catchment unit to
    // place it by, is a child without a seat: exit 1.
    let unplaced: u64 = results
        .iter()
        .map(|r| r.0.unplaced() + r.0.returned_without_unit())
        .sum();
    Ok(if unplaced > 0 { 1 } else { 0 })
}

type LevelResult<'a> = (
    AdmitResult,
    Vec<AdmitSchool>,
    Vec<&'a Checked>,
    Vec<AdmitUnit>,
);

fn admission_csv(loaded: &Loaded, results: &[LevelResult]) -> String {
    let mut s = String::from(
        "applicant_id,level,unit_id,applied_school_id,catchment_school_id,route,\
         admitted_school_id,travel_m,lottery_rank,reason\n",
    );
    for (r, schools, apps, units) in results {
        let mut order: Vec<usize> = (0..apps.len()).collect();
        order.sort_by(|&a, &b| apps[a].row.applicant_id.cmp(&apps[b].row.applicant_id));
        for i in order {
            let c = apps[i];
            let a = &r.admissions[i];
            let catchment = c
                .unit
                .and_then(|u| units[u].catchment)
                .map_or("", |j| schools[j].id.as_str());
            let _ = writeln!(
                s,
                "{},{},{},{},{},{},{},{},{},{}",
                c.row.applicant_id,
                r.level.as_str(),
                c.unit.map_or("", |u| loaded.units[u].id.as_str()),
                schools[c.school].id,
                catchment,
                a.route.as_str(),
                a.school.map_or("", |j| schools[j].id.as_str()),
                a.travel_m.map_or(String::new(), |m| format!("{m:.1}")),
                a.lottery_rank.map_or(String::new(), |k| k.to_string()),
                a.reason.map_or("", Why::as_str),
            );
        }
    }
    s
}

fn summary_json(
    loaded: &Loaded,
    results: &[LevelResult],
    args: &AdmitArgs,
    travel: Travel,
) -> String {
    let mut levels = serde_json::Map::new();
    let mut lotteries = Vec::new();
    let (mut applicants, mut admitted, mut unplaced, mut no_unit) = (0u64, 0u64, 0u64, 0u64);
    let mut by_route: BTreeMap<&str, u64> = BTreeMap::new();
    let mut by_reason: BTreeMap<&str, u64> = BTreeMap::new();
    for (r, schools, apps, _) in results {
        applicants += apps.len() as u64;
        admitted += r.admitted();
        unplaced += r.unplaced();
        no_unit += r.returned_without_unit();
        for a in &r.admissions {
            *by_route.entry(a.route.as_str()).or_default() += 1;
            if let Some(w) = a.reason {
                *by_reason.entry(w.as_str()).or_default() += 1;
            }
        }
        let rows: Vec<Value> = schools
            .iter()
            .zip(&r.tallies)
            .enumerate()
            .filter(|(_, (_, t))| {
                t.catchment_applicants + t.choice_applicants + t.private_applicants > 0
                    || t.admitted_total() > 0
            })
            .map(|(j, (s, t))| {
                let routes: serde_json::Map<String, Value> = t
                    .admitted
                    .iter()
                    .map(|(k, v)| (k.as_str().to_string(), json!(v)))
                    .collect();
                json!({
                    "school_id": s.id,
                    "name": loaded.schools[j].name,
                    "sector": if loaded.schools[j].sector == Sector::Private { "private" } else { "public" },
                    "named_by_list": s.registering,
                    "seats": loaded.schools[j].seats(r.level, &loaded.scenario.policy).unwrap_or(0),
                    "seats_for_list": t.seats,
                    "applicants": {
                        "catchment": t.catchment_applicants,
                        "choice": t.choice_applicants,
                        "private": t.private_applicants,
                    },
                    "admitted": t.admitted_total(),
                    "admitted_by_route": routes,
                    "over_seats": t.over_seats,
                    "free_seats_left": t.free_left,
                })
            })
            .collect();
        for l in &r.lotteries {
            let s = &l.draw.schools[0];
            lotteries.push(json!({
                "folder": format!("lotteries/{}", l.folder),
                "level": r.level.as_str(),
                "school_id": schools[l.school].id,
                "stage": l.stage.as_str(),
                "applicants": s.applicants(),
                "tickets": s.ranking.len(),
                "seats": s.seats,
                "admitted": s.admitted(),
                "applicants_sha256": l.audit.applicants_sha256,
                "seed": l.audit.seed,
                "result_sha256": l.audit.result_sha256,
            }));
        }
        levels.insert(
            r.level.as_str().to_string(),
            json!({
                "applicants": apps.len(),
                "admitted": r.admitted(),
                "unplaced": r.unplaced(),
                "returned_without_unit": r.returned_without_unit(),
                "schools": rows,
            }),
        );
    }
    let v = json!({
        "name": loaded.scenario.name,
        "synthetic": loaded.scenario.synthetic,
        "entry_year": loaded.scenario.policy.entry_year,
        "travel": match travel {
            Travel::Roads(_) => "road_network",
            Travel::Straight => "straight_line_haversine",
        },
        "seed_inputs": args.public_entropy.as_ref().map(|e| json!({
            "public_entropy": e,
            "notary": args.notary,
        })),
        "options": { "priority": args.priority, "group_overflow": args.group_overflow },
        "levels": levels,
        "lotteries": lotteries,
        "totals": {
            "applicants": applicants,
            "admitted": admitted,
            "unplaced": unplaced,
            "returned_without_unit": no_unit,
            "by_route": by_route,
            "by_reason": by_reason,
        },
        "conservation": {
            "applicants": applicants,
            "admitted_plus_unplaced_plus_returned_without_unit": admitted + unplaced + no_unit,
            "holds": applicants == admitted + unplaced + no_unit,
        },
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

fn print_report(loaded: &Loaded, results: &[LevelResult], out: &Path) {
    for (r, schools, apps, _) in results {
        crate::outln!(
            "{} ({}): {} applicants, {} admitted, {} unplaced{}",
            r.level.as_str(),
            loaded.scenario.policy.entry_year,
            apps.len(),
            r.admitted(),
            r.unplaced(),
            match r.returned_without_unit() {
                0 => String::new(),
                n => format!(", {n} returned without a household (catchment school unknown)"),
            }
        );
        crate::outln!(
            "  {:<8} {:<7} {:>6} {:>10} {:>7} {:>8} {:>9} {:>9} {:>10} {:>9} {:>5}",
            "school",
            "sector",
            "seats",
            "catchment",
            "choice",
            "private",
            "admitted",
            "by lot",
            "allocated",
            "returned",
            "free"
        );
        for (j, (s, t)) in schools.iter().zip(&r.tallies).enumerate() {
            let applied = t.catchment_applicants + t.choice_applicants + t.private_applicants;
            if applied == 0 && t.admitted_total() == 0 {
                continue;
            }
            let n = |route: Route| t.admitted.get(&route).copied().unwrap_or(0);
            let by_lot = n(Route::CatchmentLotteryWon)
                + n(Route::ChoiceLotteryWon)
                + n(Route::PrivateLotteryWon);
            let over = if t.over_seats > 0 {
                format!("  ({} over seats)", t.over_seats)
            } else {
                String::new()
            };
            crate::outln!(
                "  {:<8} {:<7} {:>6} {:>10} {:>7} {:>8} {:>9} {:>9} {:>10} {:>9} {:>5}{over}",
                s.id,
                if loaded.schools[j].sector == Sector::Private {
                    "private"
                } else {
                    "public"
                },
                format!(
                    "{}{}",
                    loaded.schools[j]
                        .seats(r.level, &loaded.scenario.policy)
                        .unwrap_or(0),
                    if s.registering { "" } else { "*" }
                ),
                t.catchment_applicants,
                t.choice_applicants,
                t.private_applicants,
                t.admitted_total(),
                by_lot,
                n(Route::Allocated),
                n(Route::ReturnedToCatchment),
                t.free_left,
            );
        }
        if schools
            .iter()
            .zip(&r.tallies)
            .any(|(s, t)| !s.registering && t.admitted_total() > 0)
        {
            crate::outln!(
                "  * not named by the list: its seats are held by the children the plan \
                 assigned; only the free ones take allocated applicants"
            );
        }
        let unplaced: Vec<(&str, &str)> = r
            .admissions
            .iter()
            .filter(|a| a.route == Route::Unplaced)
            .map(|a| {
                (
                    apps[a.applicant].row.applicant_id.as_str(),
                    a.reason.map_or("", Why::as_str),
                )
            })
            .collect();
        for (id, why) in unplaced.iter().take(20) {
            crate::outln!("  unplaced: {id} ({why})");
        }
        if unplaced.len() > 20 {
            crate::outln!(
                "  ... and {} more unplaced (admission.csv)",
                unplaced.len() - 20
            );
        }
        for l in &r.lotteries {
            let s = &l.draw.schools[0];
            crate::outln!(
                "  lottery {}: {} applicants for {} seats, {} admitted; lotteries/{}/",
                l.folder,
                s.applicants(),
                s.seats,
                s.admitted(),
                l.folder
            );
        }
    }
    crate::outln!(
        "wrote admission.csv, admission_summary.json and {} lottery folders to {}/",
        results.iter().map(|r| r.0.lotteries.len()).sum::<usize>(),
        out.display()
    );
}
