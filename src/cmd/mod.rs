//! One file per subcommand (as xsv does): its help, its arguments, one `run`
//! that reads, calls the core, writes. Shared input handling in `inputs`.

pub mod admit;
pub mod backtest;
pub mod classes;
pub mod compare;
pub mod convert;
pub mod forecast;
pub mod inputs;
pub mod locate;
pub mod lottery;
pub mod plan;
pub mod report;
pub mod say;
pub mod serve;
pub mod track;
pub mod validate;

use crate::io::InputErrors;
use std::fmt;

/// Why a command stopped. Exit codes: input and usage errors 2, internal
/// errors (a failed optimality proof, a failed write) 3.
#[derive(Debug)]
pub enum CliError {
    Input(InputErrors),
    Usage(String),
    Write(String),
    Internal(String),
}

/// `--out` must be a folder (or not exist yet): checked before any work.
pub fn check_out(out: &std::path::Path) -> Result<(), CliError> {
    if out.exists() && !out.is_dir() {
        return Err(CliError::Usage(format!(
            "--out {} is a file, not a folder",
            out.display()
        )));
    }
    Ok(())
}

impl CliError {
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Input(_) | CliError::Usage(_) => 2,
            CliError::Write(_) | CliError::Internal(_) => 3,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Input(e) => {
                // One message per line, each marked as an error.
                let text = e.to_string().replace('\n', "\nerror: ");
                write!(f, "{text}\nnothing was written.")
            }
            CliError::Usage(s) => write!(f, "{s}"),
            CliError::Write(s) => write!(f, "could not write outputs: {s}"),
            CliError::Internal(s) => write!(f, "internal error (please report): {s}"),
        }
    }
}

impl From<InputErrors> for CliError {
    fn from(e: InputErrors) -> Self {
        CliError::Input(e)
    }
}

impl From<crate::io::InputError> for CliError {
    fn from(e: crate::io::InputError) -> Self {
        CliError::Input(e.into())
    }
}

impl From<crate::plan::PlanError> for CliError {
    fn from(e: crate::plan::PlanError) -> Self {
        match e {
            crate::plan::PlanError::Certificate(e) => CliError::Internal(e.to_string()),
            other => CliError::Usage(other.to_string()),
        }
    }
}

impl std::error::Error for CliError {}

/// A seed input recorded exactly: no leading or trailing white space, no
/// control characters (invisible differences a citizen could not retype).
/// Shared by `lottery` and `admit`, which both record the draw's seed.
pub fn check_text(flag: &str, text: &str, required: bool) -> Result<(), CliError> {
    if required && text.is_empty() {
        return Err(CliError::Usage(format!(
            "{flag}: expected the announced public numbers, found an empty text"
        )));
    }
    if text.trim() != text || text.chars().any(char::is_control) {
        return Err(CliError::Usage(format!(
            "{flag} {text:?}: expected text without leading or trailing white space or control \
             characters (it is recorded and hashed exactly)"
        )));
    }
    Ok(())
}

/// The scenario, the enrollment file and what it holds: the history and
/// births `forecast` and `backtest` work from (flags first, then the
/// scenario's `[inputs]`), the readers' notes printed.
pub struct HistoryRead {
    pub scenario: crate::io::Scenario,
    pub enrollment: std::path::PathBuf,
    pub history: crate::forecast::History,
    pub births: Option<crate::forecast::Births>,
}

pub fn read_history(
    config: Option<&std::path::Path>,
    enrollment: Option<&std::path::Path>,
    births: Option<&std::path::Path>,
) -> Result<HistoryRead, CliError> {
    use crate::io::history::{HistorySources, NO_ENROLLMENT, history_sources, load_history};
    let HistorySources {
        scenario,
        enrollment,
        births,
    } = history_sources(config, enrollment, births)?;
    let enrollment = enrollment.ok_or_else(|| CliError::Usage(NO_ENROLLMENT.into()))?;
    let (history, births) =
        load_history(&enrollment, births.as_deref()).each_note(|n| crate::say!("note: {n}"))?;
    Ok(HistoryRead {
        scenario,
        enrollment,
        history,
        births,
    })
}

/// Wall time (and, on Linux, the peak resident memory so far) at the end of
/// each stage of a run, for `timings.json`: where a large run spends its
/// time and memory.
pub struct Stages {
    clock: std::time::Instant,
    last: f64,
    done: Vec<serde_json::Value>,
    /// What the terminal shows while a long run works.
    spinner: say::Spinner,
}

impl Default for Stages {
    fn default() -> Self {
        Stages {
            clock: std::time::Instant::now(),
            last: 0.0,
            done: Vec::new(),
            spinner: say::Spinner::start("reading the inputs"),
        }
    }
}

impl Stages {
    /// Close the stage `name` (it began when the previous one ended);
    /// returns its seconds.
    pub fn end(&mut self, name: &str) -> f64 {
        release_free_memory();
        let now = self.clock.elapsed().as_secs_f64();
        let mut s = serde_json::json!({ "stage": name, "seconds": now - self.last });
        if let Some(mb) = peak_rss_mb() {
            s["peak_rss_mb"] = serde_json::json!(mb);
        }
        self.done.push(s);
        self.spinner.stage(&format!("{name} done; working"));
        let took = now - self.last;
        self.last = now;
        took
    }

    /// Seconds since the run began.
    pub fn seconds(&self) -> f64 {
        self.clock.elapsed().as_secs_f64()
    }

    /// The spinner cleared, before the run prints its own lines.
    pub fn clear_spinner(&self) {
        self.spinner.clear();
    }

    /// Each closed stage's seconds (and peak memory) on stderr, under `-v`.
    pub fn print_details(&self) {
        for s in &self.done {
            crate::detail!(
                "stage {:<10} {:>8.3} s{}",
                s["stage"].as_str().unwrap_or(""),
                s["seconds"].as_f64().unwrap_or(0.0),
                s["peak_rss_mb"]
                    .as_f64()
                    .map_or(String::new(), |mb| format!(", peak {mb:.0} MB"))
            );
        }
    }

    /// The closed stages, in order.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Array(self.done.clone())
    }
}

/// Hand the pages the allocator holds free back to the system: glibc keeps
/// what a stage freed in each thread's heap (gigabytes at a province), and
/// the next stage's peak would count them. `malloc_trim` on glibc; nothing
/// elsewhere.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        unsafe extern "C" {
            fn malloc_trim(pad: usize) -> std::ffi::c_int;
        }
        // SAFETY: glibc's malloc_trim takes no pointers and only returns
        // free pages of its own heaps to the system; it is thread-safe.
        unsafe {
            malloc_trim(0);
        }
    }
}

/// The process's peak resident memory in MB (`VmHWM`), where the system
/// reports it (Linux); `None` elsewhere.
fn peak_rss_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}
