//! `catchment serve`: the planner's studio, a local web application served
//! by the binary (see `studio`): load, solve as `plan` does, listen, print
//! the address, serve until Ctrl-C.

use super::CliError;
use super::inputs::{InputArgs, load};
use crate::studio::Studio;
use crate::studio::api::Session;
use crate::studio::server::{ServeOptions, absolute_inputs, banner, listen, open_browser, serve};
use clap::Args;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

pub const ABOUT: &str =
    "The planner's studio: redraw catchments by hand in a browser, re-optimised live";

pub const AFTER_HELP: &str = "\
Examples:
  catchment serve                                   # the bundled example; the browser opens
  catchment serve --config county/scenario.toml     # a county's scenario
  catchment serve --port 0 --no-open                # any free port; the address is printed
  catchment serve --host 0.0.0.0 --token 6f1c0a29e8d4   # on the office network, with a token
  catchment serve --public                          # read-only \"find my school\" page for parents

It listens on 127.0.0.1 and prints `studio: http://127.0.0.1:PORT/` on stdout. In the page:
click a unit (or a whole village, or draw a box with Shift+drag, or a lasso) and move it to
a school: the table updates at once and the move is kept as a pin. Optimise re-solves
everything not pinned exactly (the same plan as `catchment plan` with those pins and edits).
Undo/redo every step; open, close or resize schools; Save writes the plan files, pins.csv
and a scenario.toml that `catchment plan --config` replays, into --out.
Everything it needs is built in: it works with no network (--tiles adds a basemap).
The HTTP API is documented in docs/studio.md. Ctrl-C stops it.
Exit codes: 0 stopped by Ctrl-C, 2 bad input or usage (nothing served), 3 internal error.";

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Port to listen on (0: any free port; the address is printed).
    #[arg(long, default_value_t = 8765)]
    pub port: u16,
    /// Address to listen on. Anything but loopback (127.0.0.1, ::1) needs
    /// --token.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// A secret every request must carry (Authorization: Bearer TOKEN, or
    /// the cookie set by opening the printed `?token=` link); at least 8
    /// characters, letters, digits, `-` and `_`.
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
    /// Do not open a browser.
    #[arg(long)]
    pub no_open: bool,
    /// Where Save writes the plan files, pins.csv and scenario.toml.
    #[arg(long, value_name = "DIR", default_value = "out/serve")]
    pub out: PathBuf,
    /// A read-only "find my school" page for parents: zones, schools and
    /// the answer for a point; no units, no household ids, no editing.
    #[arg(long)]
    pub public: bool,
    /// Optimise warm, from the last seat prices (faster on a large county;
    /// the same optimum value, but where optima tie the rows may differ
    /// from `catchment plan`'s). Without it, every optimise gives exactly
    /// `plan`'s rows.
    #[arg(long)]
    pub warm: bool,
    /// A basemap URL template ({z}/{x}/{y}) for those who have one; none by
    /// default (the map's layers come from the inputs).
    #[arg(long, value_name = "URL")]
    pub tiles: Option<String>,
}

/// Refuse what cannot be served safely before anything is loaded.
fn check(args: &ServeArgs) -> Result<(), CliError> {
    if let Some(t) = &args.token {
        let ok = t.len() >= 8
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !ok {
            return Err(CliError::Usage(
                "--token: expected at least 8 characters of letters, digits, `-` or `_`".into(),
            ));
        }
    }
    if !args.host.is_loopback() && args.token.is_none() {
        return Err(CliError::Usage(format!(
            "--host {}: listening beyond this machine needs --token TOKEN (every request must then carry it)",
            args.host
        )));
    }
    if let Some(t) = &args.tiles
        && !(t.starts_with("http://") || t.starts_with("https://"))
    {
        return Err(CliError::Usage(format!(
            "--tiles {t}: expected an http(s) URL template such as https://tiles.example/{{z}}/{{x}}/{{y}}.png"
        )));
    }
    super::check_out(&args.out)
}

pub fn run(args: &ServeArgs) -> Result<i32, CliError> {
    check(args)?;
    let loaded = load(&args.inputs)?;
    let original =
        match &loaded.source.config {
            Some(p) => Some(std::fs::read_to_string(p).map_err(|e| {
                CliError::Usage(format!("{}: cannot be read again: {e}", p.display()))
            })?),
            None => None,
        };
    let save_inputs = absolute_inputs(&loaded.scenario.inputs);
    let describe = loaded.describe();
    let studio = Studio::new(loaded, args.warm).map_err(|e| CliError::Internal(e.to_string()))?;
    let mut session = Session::new(studio, args.public);
    session.tiles = args.tiles.clone();
    session.save_inputs = save_inputs;
    session.original_toml = original;
    let opts = ServeOptions {
        host: args.host,
        port: args.port,
        token: args.token.clone(),
        out: args.out.clone(),
        tiles: args.tiles.clone(),
    };
    let listening = listen(&opts).map_err(|e| CliError::Usage(e.to_string()))?;
    let port = listening.port;
    crate::say!(
        "serving {describe}{}; Ctrl-C stops",
        if args.public {
            " (public, read-only)"
        } else {
            ""
        }
    );
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        for line in banner(&opts, port) {
            // A closed stdout is no reason to stop serving.
            let _ = writeln!(out, "{line}");
        }
        let _ = out.flush();
    }
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .map_err(|e| CliError::Internal(format!("cannot catch Ctrl-C: {e}")))?;
    if !args.no_open {
        let url = match &args.token {
            Some(t) => format!("http://127.0.0.1:{port}/?token={t}"),
            None => format!("http://127.0.0.1:{port}/"),
        };
        open_browser(&url);
    }
    serve(listening, session, &opts, &stop);
    crate::say!("studio stopped");
    Ok(0)
}
