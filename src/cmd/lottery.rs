//! `catchment lottery commit | draw | verify`: the public admission lottery
//! of oversubscribed private schools, recomputable by anyone from the
//! published folder. The algorithm is in `src/lottery` and `docs/lottery.md`.

use super::{CliError, check_text};
use crate::io::InputError;
use crate::io::applicants::read_applicants;
use crate::io::output::Staged;
use crate::lottery::audit::{
    AUDIT_FILE, Audit, COMMIT_AND_DRAW, COMMIT_THEN_DRAW, COMMITMENT_FILE, CommitRecord,
    SeedInputs, to_json,
};
use crate::lottery::{
    ALGORITHM, APPLICANTS_FILE, Applicant, Draw, DrawOptions, GroupOverflow, LotteryError,
    PriorityRule, RESULT_FILE, canonical_applicants, commitment, derive_seed, draw, field_problem,
    hex, result_csv, sha256,
};
use clap::{ArgGroup, Args, Subcommand};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const ABOUT: &str = "Public admission lottery of a private school: commit the applicant list, \
                         draw, verify";

pub const AFTER_HELP: &str = "\
The procedure (docs/lottery.md):
  1. catchment lottery commit --applicants applicants.csv --out lottery/J02-2023
     publish the printed commitment (SHA-256 of the canonical list) and the folder's
     applicants.csv, and announce which public numbers will seed the draw (e.g. a
     welfare lottery draw of a given date), before those numbers exist.
  2. catchment lottery draw --dir lottery/J02-2023 --seats J02=150 \\
       --public-entropy \"<the announced numbers, as drawn>\" --notary \"<notary's input>\"
  3. publish the folder; anyone runs: catchment lottery verify --dir lottery/J02-2023
     (or python3 tools/lottery_reference.py verify lottery/J02-2023)
`draw --applicants F` commits and draws in one go (the audit records which).
No --excel here (unlike plan, forecast, ...): the published files are hashed and checked byte
for byte by `verify`, and a UTF-8 byte-order mark would change them. To read them in Excel:
Data > From Text/CSV, file origin 65001 (UTF-8).";

const COMMIT_ABOUT: &str = "Canonicalise the applicant list and print its SHA-256 (publish it \
                            before the seed exists)";

const COMMIT_HELP: &str = "\
Examples:
  catchment lottery commit --applicants applicants.csv --out lottery/J02-2023

applicants.csv: applicant_id,school_id,multiple_birth_group,priority (the last two may be
empty; Chinese headers 报名号/申请编号, 学校编号, 多胞胎组, 优先类别). One row per applicant:
an applicant applies to one private school; a multiple-birth group is at one school.
Writes under --out: applicants.csv (the canonical list: header, LF, UTF-8 without BOM, rows
sorted by school then application number) and lottery_commitment.json (its SHA-256 and
counts). A file already in the folder is never replaced by a different one.
Exit codes: 0 ok, 2 bad input or usage (nothing written).";

const DRAW_ABOUT: &str = "Draw the lottery from the committed list, the public numbers and the \
                          notary's input";

const DRAW_HELP: &str = "\
Examples:
  catchment lottery draw --dir lottery/J02-2023 --seats J02=150 \\
      --public-entropy \"双色球 2023-07-20: 03 07 12 19 25 31 + 09\" --notary \"4711\"
  catchment lottery draw --applicants data/wuzhai/applicants.csv --seats J02=150 \\
      --public-entropy \"...\" --out out/lottery          # commit and draw in one go

The seed is SHA-256 over the algorithm tag, the commitment, --public-entropy and --notary
(exactly as given; recorded in the audit). Each school draws from its own stream (SHA-256
in counter mode, Fisher-Yates with rejection sampling). A multiple-birth group holds one
ticket and is admitted or not as a whole. Every ranked applicant is listed; admitted ones
are marked true, the rest is the waiting list in rank order.
Writes under --out (default: the --dir folder, else out): lottery_result.csv
(school_id,rank,applicant_id,multiple_birth_group,admitted), lottery_audit.json, and the
canonical inputs (applicants.csv, lottery_commitment.json), so the folder alone is checked
by `catchment lottery verify`. A draw is never replaced: a folder that already holds a
different result is refused.
Exit codes: 0 ok, 2 bad input or usage (nothing written).";

const VERIFY_ABOUT: &str = "Recompute a published lottery folder; exit 0 only if every byte \
                            matches";

const VERIFY_HELP: &str = "\
Examples:
  catchment lottery verify --dir lottery/J02-2023

Checks that applicants.csv is canonical, its SHA-256 is the commitment in
lottery_commitment.json and lottery_audit.json, the seed follows from the commitment and the
recorded seed inputs, the draw from the seed, seats and options gives lottery_result.csv byte
for byte, its SHA-256 is the audit's, and both records are exactly what they should be.
Exit codes: 0 everything recomputes, 1 something does not (listed), 2 a file is missing
or malformed.";

#[derive(Args, Debug, Clone)]
pub struct LotteryArgs {
    #[command(subcommand)]
    pub command: LotteryCommand,
}

#[derive(Subcommand, Debug, Clone)]
pub enum LotteryCommand {
    #[command(about = COMMIT_ABOUT, after_help = COMMIT_HELP)]
    Commit(CommitArgs),
    #[command(about = DRAW_ABOUT, after_help = DRAW_HELP)]
    Draw(DrawArgs),
    #[command(about = VERIFY_ABOUT, after_help = VERIFY_HELP)]
    Verify(VerifyArgs),
}

#[derive(Args, Debug, Clone)]
pub struct CommitArgs {
    /// The applicant list (applicants.csv).
    #[arg(long, value_name = "FILE")]
    pub applicants: PathBuf,
    /// The lottery folder to publish.
    #[arg(long, value_name = "DIR", default_value = "out/lottery")]
    pub out: PathBuf,
}

#[derive(Args, Debug, Clone)]
#[command(group(ArgGroup::new("list").required(true).args(["applicants", "dir"])))]
pub struct DrawArgs {
    /// Commit this applicant list and draw in one go.
    #[arg(long, value_name = "FILE", conflicts_with = "dir")]
    pub applicants: Option<PathBuf>,
    /// A folder written by `lottery commit` (its canonical list is drawn).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Seats per school: SCHOOL=N (comma-separated or repeated). Every school
    /// with applicants needs one.
    #[arg(long, value_name = "SCHOOL=N", value_delimiter = ',', required = true)]
    pub seats: Vec<String>,
    /// The pre-announced public numbers, as drawn (e.g. a welfare lottery
    /// draw of a given date), recorded exactly.
    #[arg(long, value_name = "TEXT")]
    pub public_entropy: String,
    /// The notary's input (e.g. digits drawn at the ceremony); empty if none.
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub notary: String,
    /// Priority applicants: `first` ranks a priority tier (any non-empty
    /// `priority`) before the general tier, each drawn by lot; `ignore`
    /// draws everyone in one tier.
    #[arg(long, value_name = "RULE", default_value = "first", value_parser = ["first", "ignore"])]
    pub priority: String,
    /// A multiple-birth group larger than the seats left: `skip` passes it
    /// over (seats never exceeded; later tickets fill the rest); `admit`
    /// admits the whole group over the plan (and admission stops there).
    #[arg(long, value_name = "RULE", default_value = "skip", value_parser = ["skip", "admit"])]
    pub group_overflow: String,
    /// Output folder (default: the --dir folder, else `out/lottery`).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Args, Debug, Clone)]
pub struct VerifyArgs {
    /// The published lottery folder.
    #[arg(long, value_name = "DIR")]
    pub dir: PathBuf,
}

pub fn run(args: &LotteryArgs) -> Result<i32, CliError> {
    match &args.command {
        LotteryCommand::Commit(a) => run_commit(a),
        LotteryCommand::Draw(a) => run_draw(a),
        LotteryCommand::Verify(a) => run_verify(a),
    }
}

/// A lottery inconsistency found after the located checks of the reader
/// (which report these first): attributed to the file.
fn lottery_error(file: &str, e: LotteryError) -> CliError {
    CliError::from(InputError::new(
        file,
        "a consistent applicant list",
        e.to_string(),
    ))
}

/// Read, check and canonicalise an applicant list.
fn load_list(path: &Path) -> Result<(Vec<Applicant>, String), CliError> {
    let applicants = read_applicants(path).each_note(|n| crate::say!("note: {n}"))?;
    let file = path.display().to_string();
    let canonical = canonical_applicants(&applicants).map_err(|e| lottery_error(&file, e))?;
    Ok((applicants, canonical))
}

/// The first line where two texts differ (1-based), for messages.
fn first_difference(a: &[u8], b: &[u8]) -> usize {
    let at = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    a[..at].iter().filter(|&&c| c == b'\n').count() + 1
}

/// Where a published file differs from what it should be: the first line
/// that differs, as published and as recomputed.
fn differs(published: &[u8], recomputed: &[u8]) -> String {
    let n = first_difference(published, recomputed);
    let line = |b: &[u8]| {
        let text = b.split(|&c| c == b'\n').nth(n - 1).unwrap_or_default();
        let text = String::from_utf8_lossy(text);
        let mut short: String = text.chars().take(100).collect();
        if short.len() < text.len() {
            short.push_str("...");
        }
        short
    };
    format!(
        "line {n}: published {:?}, recomputed {:?}",
        line(published),
        line(recomputed)
    )
}

/// The files of a run, refused as a whole if the folder already holds a
/// different file under one of the names: a published list, commitment or
/// draw is never replaced.
fn stage(out: &Path, files: Vec<(&str, Vec<u8>)>) -> Result<Staged, CliError> {
    super::check_out(out)?;
    let mut staged = Staged::default();
    for (name, bytes) in files {
        let path = out.join(name);
        if let Ok(old) = std::fs::read(&path)
            && old != bytes
        {
            return Err(CliError::Usage(format!(
                "{} already holds a different {name} (line {} differs): a published lottery file \
                 is never replaced; use a new --out folder",
                out.display(),
                first_difference(&old, &bytes)
            )));
        }
        staged.add(name, bytes);
    }
    Ok(staged)
}

fn write(staged: Staged, out: &Path) -> Result<(), CliError> {
    staged
        .commit(out)
        .map_err(|e| CliError::Write(format!("{}: {e}", out.display())))
}

fn run_commit(args: &CommitArgs) -> Result<i32, CliError> {
    super::check_out(&args.out)?;
    let (applicants, canonical) = load_list(&args.applicants)?;
    let file = args.applicants.display().to_string();
    let record = CommitRecord::new(canonical.as_bytes(), &applicants)
        .map_err(|e| lottery_error(&file, e))?;
    let staged = stage(
        &args.out,
        vec![
            (APPLICANTS_FILE, canonical.into_bytes()),
            (COMMITMENT_FILE, to_json(&record).into_bytes()),
        ],
    )?;
    write(staged, &args.out)?;
    crate::outln!(
        "committed {} ({ALGORITHM})",
        count(record.applicants, "applicant")
    );
    for (school, c) in &record.schools {
        crate::outln!(
            "  {school}: {}, {} ({} priority)",
            count(c.applicants, "applicant"),
            count(c.tickets, "ticket"),
            c.priority_tickets
        );
    }
    crate::outln!(
        "commitment (SHA-256 of applicants.csv): {}",
        record.applicants_sha256
    );
    crate::outln!(
        "wrote {APPLICANTS_FILE}, {COMMITMENT_FILE} to {}/: publish the commitment before the \
         public numbers are drawn",
        args.out.display()
    );
    Ok(0)
}

/// `SCHOOL=N[,...]` into seats per school.
pub fn parse_seats(items: &[String]) -> Result<BTreeMap<String, u64>, CliError> {
    let mut seats = BTreeMap::new();
    for item in items {
        let bad = |why: String| CliError::Usage(format!("--seats {item:?}: {why}"));
        let Some((school, n)) = item.split_once('=') else {
            return Err(bad("expected SCHOOL=N, e.g. J02=150".into()));
        };
        let school = school.trim();
        if school.is_empty() {
            return Err(bad("expected a school id before `=`, found none".into()));
        }
        if let Some(problem) = field_problem(school) {
            return Err(bad(format!("expected a school id, found {problem}")));
        }
        let n = n.trim();
        let count: u64 = match n.parse::<u32>() {
            Ok(v) => v as u64,
            Err(_) => {
                return Err(bad(format!(
                    "expected a whole number of seats, 0 or more, found {n:?}"
                )));
            }
        };
        if seats.insert(school.to_string(), count).is_some() {
            return Err(bad(format!("school {school} is given seats twice")));
        }
    }
    if seats.is_empty() {
        return Err(CliError::Usage(
            "--seats: expected SCHOOL=N for every school with applicants, found none".into(),
        ));
    }
    Ok(seats)
}

/// The canonical list and commitment record of a lottery folder: the list
/// must be canonical and the record must be the list's.
/// A committed folder's applicants, canonical list bytes and commitment
/// record bytes.
struct Committed {
    applicants: Vec<Applicant>,
    list: Vec<u8>,
    record: Vec<u8>,
}

fn load_folder_list(dir: &Path) -> Result<Committed, CliError> {
    if !dir.is_dir() {
        return Err(CliError::Usage(format!(
            "--dir {}: expected a lottery folder written by `catchment lottery commit`, found {}",
            dir.display(),
            if dir.exists() { "a file" } else { "nothing" }
        )));
    }
    let path = dir.join(APPLICANTS_FILE);
    let file = path.display().to_string();
    let bytes = std::fs::read(&path)
        .map_err(|e| CliError::from(InputError::new(&file, "a readable file", e.to_string())))?;
    let (applicants, canonical) = load_list(&path)?;
    if bytes != canonical.as_bytes() {
        return Err(InputError::new(
            &file,
            "the canonical list written by `catchment lottery commit`",
            format!(
                "a list in another form (line {} differs from its canonical form)",
                first_difference(&bytes, canonical.as_bytes())
            ),
        )
        .into());
    }
    let cpath = dir.join(COMMITMENT_FILE);
    let cfile = cpath.display().to_string();
    let record = std::fs::read(&cpath).map_err(|e| {
        CliError::from(InputError::new(
            &cfile,
            "the commitment record written by `catchment lottery commit`",
            e.to_string(),
        ))
    })?;
    parse_commitment(&cfile, &record)?;
    let want = CommitRecord::new(&bytes, &applicants).map_err(|e| lottery_error(&file, e))?;
    if record != to_json(&want).as_bytes() {
        return Err(InputError::new(
            &cfile,
            format!(
                "the commitment record of {APPLICANTS_FILE} (SHA-256 {})",
                want.applicants_sha256
            ),
            format!(
                "a different record (line {} differs)",
                first_difference(&record, to_json(&want).as_bytes())
            ),
        )
        .into());
    }
    Ok(Committed {
        applicants,
        list: bytes,
        record,
    })
}

fn run_draw(args: &DrawArgs) -> Result<i32, CliError> {
    let out = args
        .out
        .clone()
        .or(args.dir.clone())
        .unwrap_or_else(|| PathBuf::from("out/lottery"));
    super::check_out(&out)?;
    let seats = parse_seats(&args.seats)?;
    check_text("--public-entropy", &args.public_entropy, true)?;
    check_text("--notary", &args.notary, false)?;
    let opts = DrawOptions {
        priority: PriorityRule::parse(&args.priority).unwrap_or_default(),
        group_overflow: GroupOverflow::parse(&args.group_overflow).unwrap_or_default(),
    };
    let (applicants, list, record, procedure, source) = match (&args.dir, &args.applicants) {
        (Some(dir), _) => {
            let Committed {
                applicants: a,
                list,
                record,
            } = load_folder_list(dir)?;
            let source = dir.join(APPLICANTS_FILE).display().to_string();
            (a, list, record, COMMIT_THEN_DRAW, source)
        }
        (None, Some(path)) => {
            let (a, canonical) = load_list(path)?;
            let file = path.display().to_string();
            let record =
                CommitRecord::new(canonical.as_bytes(), &a).map_err(|e| lottery_error(&file, e))?;
            (
                a,
                canonical.into_bytes(),
                to_json(&record).into_bytes(),
                COMMIT_AND_DRAW,
                file,
            )
        }
        (None, None) => {
            return Err(CliError::Usage(
                "expected --applicants FILE or --dir DIR".into(),
            ));
        }
    };
    let commit_hex = commitment(&list);
    let seed = derive_seed(&commit_hex, &args.public_entropy, &args.notary);
    let result = match draw(&applicants, &seats, &seed, &opts) {
        Ok(d) => d,
        Err(LotteryError::MissingSeats { school, applicants }) => {
            return Err(CliError::Usage(format!(
                "--seats: expected a seat count for every school with applicants, found none \
                 for {school} ({} in {source}): add {school}=N",
                count(applicants, "applicant")
            )));
        }
        Err(e) => return Err(lottery_error(&source, e)),
    };
    let csv = result_csv(&result);
    let audit = Audit::new(
        procedure,
        &commit_hex,
        SeedInputs {
            public_entropy: args.public_entropy.clone(),
            notary: args.notary.clone(),
        },
        &result,
        csv.as_bytes(),
    );
    let staged = stage(
        &out,
        vec![
            (APPLICANTS_FILE, list),
            (COMMITMENT_FILE, record),
            (RESULT_FILE, csv.into_bytes()),
            (AUDIT_FILE, to_json(&audit).into_bytes()),
        ],
    )?;
    write(staged, &out)?;
    print_summary(&audit, &result);
    crate::outln!(
        "wrote {APPLICANTS_FILE}, {COMMITMENT_FILE}, {RESULT_FILE}, {AUDIT_FILE} to {}/; \
         check: catchment lottery verify --dir {}",
        out.display(),
        out.display()
    );
    Ok(0)
}

fn print_summary(audit: &Audit, result: &Draw) {
    crate::outln!("lottery {} ({})", audit.algorithm, audit.procedure);
    crate::outln!(
        "commitment (SHA-256 of applicants.csv): {}",
        audit.applicants_sha256
    );
    crate::outln!("seed: {}", audit.seed);
    crate::outln!(
        "options: priority {}, group overflow {}",
        audit.options.priority,
        audit.options.group_overflow
    );
    for s in &result.schools {
        let applicants = s.applicants();
        let admitted = s.admitted();
        let what = if applicants as u64 <= s.seats {
            "all admitted".to_string()
        } else {
            format!("{} on the waiting list", applicants - admitted)
        };
        let over = match s.over_plan() {
            0 => String::new(),
            n => format!(", {n} over the plan (a group admitted whole)"),
        };
        crate::outln!(
            "  {}: {} ({}), {}, {admitted} admitted, {what}{over}",
            s.school_id,
            count(applicants, "applicant"),
            count(s.ranking.len(), "ticket"),
            count(s.seats as usize, "seat")
        );
    }
    crate::outln!("result SHA-256: {}", audit.result_sha256);
}

/// "1 applicant", "2 applicants".
fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// One check of `verify`: what was checked, whether it holds, and the
/// difference found when it does not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    pub what: String,
    pub ok: bool,
    pub detail: String,
}

/// What `verify` found in a folder.
#[derive(Clone, Debug)]
pub struct Verification {
    /// The SHA-256 of the folder's applicants.csv.
    pub commitment: String,
    pub audit: Audit,
    pub checks: Vec<Check>,
}

impl Verification {
    /// Every check holds.
    pub fn ok(&self) -> bool {
        self.checks.iter().all(|c| c.ok)
    }
}

fn read_published(dir: &Path, name: &str) -> Result<Vec<u8>, CliError> {
    let path = dir.join(name);
    std::fs::read(&path).map_err(|e| {
        CliError::from(InputError::new(
            &path.display().to_string(),
            format!("the published {name}"),
            e.to_string(),
        ))
    })
}

/// Parse a published JSON record (`what`, e.g. "audit record") of the
/// folder's file `file`: UTF-8, JSON, then the record's fields. Malformed is
/// an input error (exit 2), not a failed check; nesting deeper than
/// serde_json's limit (128) is refused by it, not by a stack overflow.
fn parse_record<T: serde::de::DeserializeOwned>(
    file: &str,
    bytes: &[u8],
    what: &str,
) -> Result<T, CliError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        CliError::from(InputError::new(
            file,
            "UTF-8 JSON",
            format!("a byte that is not UTF-8 (byte {})", e.valid_up_to()),
        ))
    })?;
    let value = crate::io::strict_json::from_str(text).map_err(|e| {
        let found = match e.classify() {
            serde_json::error::Category::Eof => "a file that ends early (truncated?)".to_string(),
            _ => e.to_string(),
        };
        CliError::from(
            InputError::new(file, format!("the JSON {what}"), found)
                .at(format!("line {}", e.line())),
        )
    })?;
    serde_json::from_value(value).map_err(|e| {
        CliError::from(InputError::new(
            file,
            format!("the {what} of {ALGORITHM}"),
            e.to_string(),
        ))
    })
}

/// Parse the commitment record; malformed is an input error (exit 2).
fn parse_commitment(file: &str, bytes: &[u8]) -> Result<CommitRecord, CliError> {
    parse_record(file, bytes, "commitment record")
}

/// Parse the audit record; malformed is an input error (exit 2).
fn parse_audit(dir: &Path, bytes: &[u8]) -> Result<Audit, CliError> {
    let file = dir.join(AUDIT_FILE).display().to_string();
    let audit: Audit = parse_record(&file, bytes, "audit record")?;
    let bad = |field: &str, expected: &str, found: &str| {
        CliError::from(
            InputError::new(&file, expected, format!("{found:?}")).field(field.to_string()),
        )
    };
    if audit.algorithm != ALGORITHM {
        return Err(bad(
            "algorithm",
            &format!("{ALGORITHM} (the version this program implements)"),
            &audit.algorithm,
        ));
    }
    if audit.procedure != COMMIT_THEN_DRAW && audit.procedure != COMMIT_AND_DRAW {
        return Err(bad(
            "procedure",
            &format!("{COMMIT_THEN_DRAW} or {COMMIT_AND_DRAW}"),
            &audit.procedure,
        ));
    }
    if PriorityRule::parse(&audit.options.priority).is_none() {
        return Err(bad(
            "options.priority",
            "first or ignore",
            &audit.options.priority,
        ));
    }
    if GroupOverflow::parse(&audit.options.group_overflow).is_none() {
        return Err(bad(
            "options.group_overflow",
            "skip or admit",
            &audit.options.group_overflow,
        ));
    }
    Ok(audit)
}

/// Recompute a published lottery folder. A missing or malformed file is an
/// error (exit 2); anything that does not recompute is a failed check.
pub fn verify_dir(dir: &Path) -> Result<Verification, CliError> {
    if !dir.is_dir() {
        return Err(CliError::Usage(format!(
            "--dir {}: expected a published lottery folder, found {}",
            dir.display(),
            if dir.exists() { "a file" } else { "nothing" }
        )));
    }
    let list = read_published(dir, APPLICANTS_FILE)?;
    let record = read_published(dir, COMMITMENT_FILE)?;
    let result_bytes = read_published(dir, RESULT_FILE)?;
    let audit_bytes = read_published(dir, AUDIT_FILE)?;
    let list_path = dir.join(APPLICANTS_FILE);
    let list_file = list_path.display().to_string();
    let (applicants, canonical) = load_list(&list_path)?;
    parse_commitment(&dir.join(COMMITMENT_FILE).display().to_string(), &record)?;
    let audit = parse_audit(dir, &audit_bytes)?;
    let mut checks = Vec::new();
    let mut check = |what: &str, ok: bool, detail: String| {
        checks.push(Check {
            what: what.to_string(),
            ok,
            detail,
        })
    };

    check(
        "applicants.csv is in canonical form",
        list == canonical.as_bytes(),
        differs(&list, canonical.as_bytes()),
    );
    let commit_hex = commitment(&list);
    let want_record =
        CommitRecord::new(&list, &applicants).map_err(|e| lottery_error(&list_file, e))?;
    check(
        "lottery_commitment.json records the list's SHA-256 and counts",
        record == to_json(&want_record).as_bytes(),
        differs(&record, to_json(&want_record).as_bytes()),
    );
    check(
        "the audit's applicants_sha256 is the list's SHA-256",
        audit.applicants_sha256 == commit_hex,
        format!("audit {}, list {commit_hex}", audit.applicants_sha256),
    );
    let seed = derive_seed(
        &commit_hex,
        &audit.seed_inputs.public_entropy,
        &audit.seed_inputs.notary,
    );
    check(
        "the seed follows from the commitment, public entropy and notary input",
        audit.seed == hex(&seed),
        format!("audit {}, recomputed {}", audit.seed, hex(&seed)),
    );
    let opts = DrawOptions {
        priority: PriorityRule::parse(&audit.options.priority).unwrap_or_default(),
        group_overflow: GroupOverflow::parse(&audit.options.group_overflow).unwrap_or_default(),
    };
    match draw(&applicants, &audit.seats, &seed, &opts) {
        Err(e) => check(
            "the draw recomputes from the seed, seats and options",
            false,
            e.to_string(),
        ),
        Ok(d) => {
            let csv = result_csv(&d);
            check(
                "lottery_result.csv is the draw recomputed from the seed, seats and options",
                result_bytes == csv.as_bytes(),
                differs(&result_bytes, csv.as_bytes()),
            );
            let result_hex = hex(&sha256(&result_bytes));
            check(
                "the audit's result_sha256 is the SHA-256 of lottery_result.csv",
                audit.result_sha256 == result_hex,
                format!("audit {}, file {result_hex}", audit.result_sha256),
            );
            let want = Audit::new(
                &audit.procedure,
                &commit_hex,
                audit.seed_inputs.clone(),
                &d,
                csv.as_bytes(),
            );
            let want = to_json(&want);
            check(
                "lottery_audit.json is exactly the record of this draw",
                audit_bytes == want.as_bytes(),
                differs(&audit_bytes, want.as_bytes()),
            );
        }
    }

    Ok(Verification {
        commitment: commit_hex,
        audit,
        checks,
    })
}

fn run_verify(args: &VerifyArgs) -> Result<i32, CliError> {
    let dir = &args.dir;
    let Verification {
        commitment,
        audit,
        checks,
    } = verify_dir(dir)?;
    let failed = checks.iter().filter(|c| !c.ok).count();
    crate::outln!("verifying {} ({})", dir.display(), audit.algorithm);
    crate::outln!("commitment: {commitment}");
    crate::outln!(
        "seed inputs: public entropy {:?}, notary {:?}",
        audit.seed_inputs.public_entropy,
        audit.seed_inputs.notary
    );
    for c in &checks {
        if c.ok {
            crate::outln!("ok        {}", c.what);
        } else {
            crate::outln!("MISMATCH  {}: {}", c.what, c.detail);
        }
    }
    if failed == 0 {
        crate::outln!("verified: every file recomputes");
        Ok(0)
    } else {
        crate::say!(
            "error: {failed} of {} checks failed: this folder is not the published draw of its \
             inputs",
            checks.len()
        );
        Ok(1)
    }
}
