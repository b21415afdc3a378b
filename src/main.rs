//! The `catchment` command line: parse, dispatch to one `cmd` module per
//! subcommand, print the error, exit with a documented code.

use catchment::cmd::{self, CliError};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "catchment",
    version,
    about = "School catchments for county education bureaus: exact assignment under seats and travel limits",
    long_about = None,
    after_help = "Run `catchment plan` with no arguments for the bundled Wuzhai example (synthetic data).\n\
                  Exit codes: 0 ok, 1 some students unplaced, 2 bad input or usage, 3 internal error."
)]
struct Cli {
    /// Say less: only errors and warnings on stderr.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Say more: stage timings and details on stderr.
    #[arg(short, long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    #[command(about = cmd::plan::ABOUT, after_help = cmd::plan::AFTER_HELP)]
    Plan(cmd::plan::PlanArgs),
    #[command(about = cmd::validate::ABOUT, after_help = cmd::validate::AFTER_HELP)]
    Validate(cmd::inputs::InputArgs),
    #[command(about = cmd::compare::ABOUT, after_help = cmd::compare::AFTER_HELP)]
    Compare(cmd::compare::CompareArgs),
    #[command(about = cmd::forecast::ABOUT, after_help = cmd::forecast::AFTER_HELP)]
    Forecast(cmd::forecast::ForecastArgs),
    #[command(about = cmd::backtest::ABOUT, after_help = cmd::backtest::AFTER_HELP)]
    Backtest(cmd::backtest::BacktestArgs),
    #[command(about = cmd::locate::ABOUT, after_help = cmd::locate::AFTER_HELP)]
    Locate(cmd::locate::LocateArgs),
    #[command(about = cmd::report::ABOUT, after_help = cmd::report::AFTER_HELP)]
    Report(cmd::report::ReportArgs),
    #[command(about = cmd::convert::ABOUT, after_help = cmd::convert::AFTER_HELP)]
    Convert(cmd::convert::ConvertArgs),
    #[command(about = cmd::classes::ABOUT, after_help = cmd::classes::AFTER_HELP)]
    Classes(cmd::classes::ClassesArgs),
    #[command(about = cmd::track::ABOUT, after_help = cmd::track::AFTER_HELP)]
    Track(cmd::track::TrackArgs),
    #[command(about = cmd::lottery::ABOUT, after_help = cmd::lottery::AFTER_HELP)]
    Lottery(cmd::lottery::LotteryArgs),
    #[command(about = cmd::admit::ABOUT, after_help = cmd::admit::AFTER_HELP)]
    Admit(cmd::admit::AdmitArgs),
    #[command(about = cmd::serve::ABOUT, after_help = cmd::serve::AFTER_HELP)]
    Serve(cmd::serve::ServeArgs),
}

/// The command named on the command line (`plan`, `lottery draw`), which
/// the output folder's manifest records.
fn run_name() -> String {
    let words: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .take(2)
        .collect();
    match words.as_slice() {
        [first, second] if first == "lottery" => format!("{first} {second}"),
        [first, ..] => first.clone(),
        [] => String::new(),
    }
}

fn main() {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            // --help and --version go to stdout: a closed pipe ends quietly.
            let _ = e.print();
            std::process::exit(code);
        }
    };
    cmd::say::set_verbosity(i8::from(cli.verbose) - i8::from(cli.quiet));
    catchment::io::output::set_run_name(&run_name());
    let result: Result<i32, CliError> = match &cli.command {
        Command::Plan(a) => cmd::plan::run(a),
        Command::Validate(a) => cmd::validate::run(a),
        Command::Compare(a) => cmd::compare::run(a),
        Command::Backtest(a) => cmd::backtest::run(a),
        Command::Locate(a) => cmd::locate::run(a),
        Command::Report(a) => cmd::report::run(a),
        Command::Convert(a) => cmd::convert::run(a),
        Command::Classes(a) => cmd::classes::run(a),
        Command::Track(a) => cmd::track::run(a),
        Command::Lottery(a) => cmd::lottery::run(a),
        Command::Admit(a) => cmd::admit::run(a),
        Command::Forecast(a) => cmd::forecast::run(a),
        Command::Serve(a) => cmd::serve::run(a),
    };
    match result {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            catchment::say!("error: {e}");
            std::process::exit(e.exit_code());
        }
    }
}
