//! The studio's HTTP edge: listening sockets (loopback unless told
//! otherwise), who may ask (the Host and Origin a request names, the
//! token), bodies read up to a limit, saves written to disk, Ctrl-C.
//! Requests are answered one at a time under one lock, so two tabs see one
//! consistent state.
//!
//! `tiny_http` carries the HTTP: a small synchronous server with no async
//! runtime, which is all a one-planner studio needs.

use super::api::{MAX_BODY, Reply, Request, Session};
use crate::io::output::Staged;
use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the studio is served.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    pub host: IpAddr,
    pub port: u16,
    /// Required of every request when given.
    pub token: Option<String>,
    /// Where saves go.
    pub out: PathBuf,
    /// A basemap URL template, when given (allowed by the page's policy).
    pub tiles: Option<String>,
}

/// Why the studio could not start.
#[derive(Debug)]
pub struct ServeError(pub String);

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ServeError {}

/// The listening sockets: loopback first (its port is the one printed),
/// then `host` on the same port when it is another address.
pub struct Listening {
    servers: Vec<tiny_http::Server>,
    pub port: u16,
}

/// Bind 127.0.0.1 (and `host` too, on the same port, unless it is
/// 127.0.0.1 or every address, which holds it).
pub fn listen(opts: &ServeOptions) -> Result<Listening, ServeError> {
    let bind = |ip: IpAddr, port: u16| {
        tiny_http::Server::http(SocketAddr::new(ip, port)).map_err(|e| {
            ServeError(format!(
                "cannot listen on {ip}:{port}: {e} (another program may hold the port: give --port N, or --port 0 for any free port)"
            ))
        })
    };
    let first_ip = if opts.host.is_unspecified() {
        opts.host
    } else {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    };
    let first = bind(first_ip, opts.port)?;
    let port = first
        .server_addr()
        .to_ip()
        .map(|a| a.port())
        .unwrap_or(opts.port);
    let mut servers = vec![first];
    if opts.host != IpAddr::V4(Ipv4Addr::LOCALHOST) && !opts.host.is_unspecified() {
        servers.push(bind(opts.host, port)?);
    }
    Ok(Listening { servers, port })
}

/// The lines printed when listening: the loopback address first.
pub fn banner(opts: &ServeOptions, port: u16) -> Vec<String> {
    let mut lines = vec![format!("studio: http://127.0.0.1:{port}/")];
    if !opts.host.is_loopback() {
        let shown = if opts.host.is_unspecified() {
            "<this machine's address>".to_string()
        } else {
            match opts.host {
                IpAddr::V6(a) => format!("[{a}]"),
                a => a.to_string(),
            }
        };
        lines.push(format!("also: http://{shown}:{port}/"));
    }
    if let Some(t) = &opts.token {
        lines.push(format!(
            "open with the token: http://127.0.0.1:{port}/?token={t}"
        ));
    }
    lines
}

/// Serve until `stop` is set (Ctrl-C). Each request is read on its own
/// thread (a client slow to send its body holds up no one), then answered
/// under the session's lock, one at a time.
pub fn serve(listening: Listening, session: Session, opts: &ServeOptions, stop: &AtomicBool) {
    let session = Arc::new(Mutex::new(session));
    let opts = Arc::new(opts.clone());
    std::thread::scope(|sc| {
        for server in &listening.servers {
            let session = Arc::clone(&session);
            let opts = Arc::clone(&opts);
            sc.spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match server.recv_timeout(Duration::from_millis(200)) {
                        Ok(Some(req)) => {
                            let (session, opts) = (Arc::clone(&session), Arc::clone(&opts));
                            std::thread::spawn(move || answer(req, &session, &opts));
                        }
                        Ok(None) => {}
                        Err(_) => std::thread::sleep(Duration::from_millis(50)),
                    }
                }
            });
        }
    });
}

/// A header's value, if the request has it.
fn header<'r>(req: &'r tiny_http::Request, name: &str) -> Option<&'r str> {
    req.headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

/// Answer one request; a client gone before the answer is let go.
fn answer(mut req: tiny_http::Request, session: &Mutex<Session>, opts: &ServeOptions) {
    let reply = match check(&req, opts) {
        Err(r) => r,
        Ok(Some(redirect)) => {
            let _ = req.respond(redirect);
            return;
        }
        Ok(None) => read_and_handle(&mut req, session, opts),
    };
    let _ = req.respond(response(reply, opts));
}

/// Read the body (up to the limit) and let the session answer.
fn read_and_handle(
    req: &mut tiny_http::Request,
    session: &Mutex<Session>,
    opts: &ServeOptions,
) -> Reply {
    if req.body_length().is_some_and(|n| n > MAX_BODY) {
        return Reply::error(413, &format!("the request body is over {MAX_BODY} bytes"));
    }
    let mut body = Vec::new();
    let read = req
        .as_reader()
        .take(MAX_BODY as u64 + 1)
        .read_to_end(&mut body);
    if read.is_err() {
        return Reply::error(400, "the request body could not be read");
    }
    if body.len() > MAX_BODY {
        return Reply::error(413, &format!("the request body is over {MAX_BODY} bytes"));
    }
    let url = req.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let method = req.method().as_str().to_string();
    let r = Request {
        method: &method,
        path,
        query,
        body: &body,
    };
    // A panic while answering (a bug) must not take the studio down: the
    // lock is taken back and the request answered with a 500.
    let mut s = session.lock().unwrap_or_else(|p| p.into_inner());
    let reply = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| s.handle(&r)))
        .unwrap_or_else(|_| Reply::error(500, "internal error while answering (please report)"));
    drop(s);
    match reply {
        Reply::Save(files) => write_save(files, &opts.out),
        other => other,
    }
}

/// Who may ask: a Host naming this studio, a POST from its own page, the
/// token when one is set. `Ok(Some(_))`: the token link, answered with a
/// cookie and a redirect to the page.
fn check(
    req: &tiny_http::Request,
    opts: &ServeOptions,
) -> Result<Option<tiny_http::ResponseBox>, Reply> {
    let host = header(req, "Host").unwrap_or("");
    if opts.host.is_loopback() && !is_loopback_host(host) {
        return Err(Reply::error(
            403,
            "this studio answers requests for 127.0.0.1 or localhost only",
        ));
    }
    if *req.method() != tiny_http::Method::Get
        && let Some(origin) = header(req, "Origin")
        && origin != "null"
        && origin.split_once("://").map(|(_, h)| h) != Some(host)
    {
        return Err(Reply::error(
            403,
            "a request from another site's page is refused",
        ));
    }
    let Some(token) = &opts.token else {
        return Ok(None);
    };
    let url = req.url();
    if let Some(q) = url.strip_prefix("/?")
        && let Some(given) = q.split('&').find_map(|kv| kv.strip_prefix("token="))
    {
        if !same(given, token) {
            return Err(Reply::error(401, "wrong token"));
        }
        let cookie = format!("catchment_token={token}; Path=/; HttpOnly; SameSite=Strict");
        let r = tiny_http::Response::empty(303)
            .with_header(
                tiny_http::Header::from_bytes(&b"Location"[..], &b"/"[..]).expect("header"),
            )
            .with_header(
                tiny_http::Header::from_bytes(&b"Set-Cookie"[..], cookie.as_bytes())
                    .expect("header"),
            );
        return Ok(Some(r.boxed()));
    }
    let bearer = header(req, "Authorization").and_then(|v| v.strip_prefix("Bearer "));
    let cookie = header(req, "Cookie").and_then(|c| {
        c.split(';')
            .find_map(|kv| kv.trim().strip_prefix("catchment_token="))
    });
    if bearer.or(cookie).is_some_and(|t| same(t.trim(), token)) {
        Ok(None)
    } else {
        Err(Reply::error(
            401,
            "this studio needs its token: open the link it printed, or send Authorization: Bearer TOKEN",
        ))
    }
}

/// Whether a Host header names loopback (any port).
fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(h, _)| h),
    };
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Token comparison in time independent of where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Write a save's files into `out`, all renamed into place once all are
/// written; answer with the folder and the files.
fn write_save(files: Vec<(String, Vec<u8>)>, out: &Path) -> Reply {
    let mut staged = Staged::default();
    let names: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
    for (name, bytes) in files {
        staged.add(name, bytes);
    }
    match staged.commit(out) {
        Ok(()) => Reply::Json(
            200,
            serde_json::json!({ "dir": out.display().to_string(), "files": names }).to_string(),
        ),
        Err(e) => Reply::error(500, &format!("could not write {}: {e}", out.display())),
    }
}

/// The HTTP response of a reply, with headers that keep the page to its
/// own assets (and the basemap, when one is given).
fn response(reply: Reply, opts: &ServeOptions) -> tiny_http::ResponseBox {
    let (status, ct, body): (u16, &str, Vec<u8>) = match reply {
        Reply::Json(s, text) => (s, "application/json; charset=utf-8", text.into_bytes()),
        Reply::Asset(ct, bytes) => (200, ct, bytes.to_vec()),
        Reply::Save(_) => (
            500,
            "application/json; charset=utf-8",
            b"{\"error\":\"save not written\"}".to_vec(),
        ),
    };
    let h = |k: &str, v: &str| {
        tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()).expect("header")
    };
    tiny_http::Response::from_data(body)
        .with_status_code(status)
        .with_header(h("Content-Type", ct))
        .with_header(h("Cache-Control", "no-store"))
        .with_header(h("X-Content-Type-Options", "nosniff"))
        .with_header(h("Referrer-Policy", "no-referrer"))
        .with_header(h("Content-Security-Policy", &csp(opts.tiles.as_deref())))
        .boxed()
}

/// The Content-Security-Policy of the page: its own assets only, plus the
/// basemap's origin when one is given.
pub fn csp(tiles: Option<&str>) -> String {
    let tile_origin = tiles
        .and_then(|t| {
            let (scheme, rest) = t.split_once("://")?;
            let host = rest.split('/').next()?;
            Some(format!(" {scheme}://{host}"))
        })
        .unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:{tile_origin}; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )
}

/// The session's inputs by absolute path (for a saved scenario that plans
/// again from anywhere).
pub fn absolute_inputs(inputs: &crate::io::InputPaths) -> crate::io::InputPaths {
    inputs.map_paths(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf()))
}

/// Open the page in the desktop's browser; a machine without one is told
/// to open the address by hand.
pub fn open_browser(url: &str) {
    let cmd = if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else if cfg!(windows) {
        ("cmd", vec!["/C", "start", "", url])
    } else {
        ("xdg-open", vec![url])
    };
    let spawned = std::process::Command::new(cmd.0)
        .args(&cmd.1)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if spawned.is_err() {
        crate::say!("note: no browser could be opened here: open {url} by hand");
    }
}
