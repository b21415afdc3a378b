//! How commands speak: results on stdout, messages on stderr, at the
//! verbosity the user chose (`-q`: errors and warnings only; default: the
//! run's summary and notes too; `-v`: also stage timings and details).
//!
//! Writing never panics: a closed pipe on stdout (`catchment backtest |
//! head -n 1`) ends the command quietly with exit 0, as ripgrep does; any
//! other failure to write a result (a full disk, `/dev/full`) ends it with
//! exit 3; a message that cannot be written to stderr is dropped.

use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicI8, Ordering};

static VERBOSITY: AtomicI8 = AtomicI8::new(0);

/// -1 quiet, 0 default, 1 verbose.
pub fn set_verbosity(v: i8) {
    VERBOSITY.store(v.clamp(-1, 1), Ordering::SeqCst);
}

pub fn verbosity() -> i8 {
    VERBOSITY.load(Ordering::SeqCst)
}

/// Write a result to stdout (see the module doc for failures).
pub fn write_stdout(args: fmt::Arguments) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        let _ = writeln!(std::io::stderr(), "error: could not write to stdout: {e}");
        std::process::exit(3);
    }
}

/// Write a message line to stderr: under `-q` only errors and warnings
/// (lines that begin `error` or `warning`); never panics.
pub fn write_stderr(args: fmt::Arguments) {
    if verbosity() < 0 {
        let text = args.to_string();
        let t = text.trim_start();
        if !(t.starts_with("error") || t.starts_with("warning")) {
            return;
        }
        let _ = writeln!(std::io::stderr(), "{text}");
        return;
    }
    let _ = std::io::stderr().write_fmt(format_args!("{args}\n"));
}

/// A detail line on stderr, under `-v` only.
pub fn write_detail(args: fmt::Arguments) {
    if verbosity() > 0 {
        let _ = std::io::stderr().write_fmt(format_args!("{args}\n"));
    }
}

/// A result line on stdout.
#[macro_export]
macro_rules! outln {
    () => { $crate::cmd::say::write_stdout(format_args!("\n")) };
    ($($t:tt)*) => { $crate::cmd::say::write_stdout(format_args!("{}\n", format_args!($($t)*))) };
}

/// A result on stdout, without a newline.
#[macro_export]
macro_rules! out {
    ($($t:tt)*) => { $crate::cmd::say::write_stdout(format_args!($($t)*)) };
}

/// A message line on stderr (hidden by `-q` unless an error or warning).
#[macro_export]
macro_rules! say {
    () => { $crate::cmd::say::write_stderr(format_args!("")) };
    ($($t:tt)*) => { $crate::cmd::say::write_stderr(format_args!($($t)*)) };
}

/// A detail line on stderr, shown by `-v` only.
#[macro_export]
macro_rules! detail {
    ($($t:tt)*) => { $crate::cmd::say::write_detail(format_args!($($t)*)) };
}

/// A spinner on stderr for work that takes a while: shown only when
/// stderr is a terminal, the run not `-q`, and the work still going after
/// two seconds; cleared when dropped. Its message names the stage at work.
pub struct Spinner {
    bar: indicatif::ProgressBar,
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Spinner {
    pub fn start(what: &str) -> Spinner {
        use std::io::IsTerminal;
        let bar =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::hidden());
        bar.set_message(what.to_string());
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        if std::io::stderr().is_terminal() && verbosity() >= 0 {
            let (bar, done) = (bar.clone(), done.clone());
            std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_secs(2));
                if !done.load(Ordering::SeqCst) {
                    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                    bar.set_style(
                        indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
                    );
                    bar.enable_steady_tick(std::time::Duration::from_millis(120));
                }
            });
        }
        Spinner { bar, done }
    }

    /// The stage now at work.
    pub fn stage(&self, what: &str) {
        self.bar.set_message(what.to_string());
    }

    /// Cleared for good (before the run's own lines are printed).
    pub fn clear(&self) {
        self.done.store(true, Ordering::SeqCst);
        self.bar.finish_and_clear();
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.clear();
    }
}
