//! The studio's HTTP contract, without sockets: a request (method, path,
//! query, body) in, a reply out. Every route, its method, its body and its
//! errors are here; `server` only carries bytes and checks who asks.

use super::state::{Op, Studio, StudioError};
use super::{assets, views};
use crate::model::Level;
use crate::plan::{zone_clip, zone_shapes};
use crate::zones::geometry::tiling;
use geo::MultiPolygon;
use serde_json::{Value, json};

/// Largest request body taken (bytes): a move of every unit of a
/// prefecture by id fits; anything larger is a 413.
pub const MAX_BODY: usize = 8 << 20;

/// A request as the server read it.
pub struct Request<'a> {
    pub method: &'a str,
    /// The path without the query.
    pub path: &'a str,
    pub query: &'a str,
    pub body: &'a [u8],
}

/// What to answer.
pub enum Reply {
    /// A status and a JSON body.
    Json(u16, String),
    /// A built-in asset.
    Asset(&'static str, &'static [u8]),
    /// Write these files into the output folder, then answer with what
    /// was written.
    Save(Vec<(String, Vec<u8>)>),
}

impl Reply {
    fn ok(v: &Value) -> Reply {
        Reply::Json(200, v.to_string())
    }

    /// An error answer: `{"error": message}`.
    pub fn error(status: u16, message: &str) -> Reply {
        Reply::Json(status, json!({ "error": message }).to_string())
    }
}

/// The zones drawn for one state of the session.
struct Drawn {
    version: u64,
    shapes: Vec<Vec<MultiPolygon<f64>>>,
}

/// A session and how it is served.
pub struct Session {
    pub studio: Studio,
    /// The parents' read-only page.
    pub public: bool,
    /// A basemap URL template, when given.
    pub tiles: Option<String>,
    /// What a save needs besides the state (`save::save_files`): the
    /// inputs by absolute path and the original scenario text.
    pub save_inputs: crate::io::InputPaths,
    pub original_toml: Option<String>,
    drawn: Option<Drawn>,
}

/// Routes of the contract: (path, method, open to the public page).
const ROUTES: &[(&str, &str, bool)] = &[
    ("/api/info", "GET", true),
    ("/api/layers", "GET", true),
    ("/api/school_points", "GET", true),
    ("/api/schools", "GET", true),
    ("/api/zones", "GET", true),
    ("/api/locate", "GET", true),
    ("/api/summary", "GET", false),
    ("/api/assignment", "GET", false),
    ("/api/units", "GET", false),
    ("/api/table", "GET", false),
    ("/api/assign", "POST", false),
    ("/api/assign_many", "POST", false),
    ("/api/unpin", "POST", false),
    ("/api/optimize", "POST", false),
    ("/api/undo", "POST", false),
    ("/api/redo", "POST", false),
    ("/api/edit", "POST", false),
    ("/api/save", "POST", false),
];

impl Session {
    /// A session served as it is (`save_inputs`: the scenario's input
    /// paths as loaded; the server makes them absolute).
    pub fn new(studio: Studio, public: bool) -> Session {
        let save_inputs = studio.loaded().scenario.inputs.clone();
        Session {
            studio,
            public,
            tiles: None,
            save_inputs,
            original_toml: None,
            drawn: None,
        }
    }

    /// Answer one request. Never panics on any request.
    pub fn handle(&mut self, req: &Request) -> Reply {
        if !req.path.starts_with("/api/") {
            return match (req.method, assets::asset(req.path)) {
                ("GET" | "HEAD", Some((ct, bytes))) => Reply::Asset(ct, bytes),
                (_, Some(_)) => Reply::error(405, &format!("{} takes GET", req.path)),
                (_, None) => Reply::error(404, &format!("no such page: {}", clip(req.path))),
            };
        }
        let Some(&(_, method, open)) = ROUTES.iter().find(|(p, _, _)| *p == req.path) else {
            return Reply::error(404, &format!("no such call: {}", clip(req.path)));
        };
        if self.public && !open {
            return Reply::error(
                404,
                &format!("no such call on the public page: {}", req.path),
            );
        }
        if req.method != method {
            return Reply::error(
                405,
                &format!("{} takes {method}, not {}", req.path, clip(req.method)),
            );
        }
        match self.route(req) {
            Ok(r) => r,
            Err(StudioError::Invalid(m)) => Reply::error(400, &m),
            Err(StudioError::Conflict(m)) => Reply::error(409, &m),
            Err(StudioError::Internal(m)) => Reply::error(500, &m),
        }
    }

    fn route(&mut self, req: &Request) -> Result<Reply, StudioError> {
        let s = &self.studio;
        let loaded = s.loaded();
        Ok(match req.path {
            "/api/info" => Reply::ok(&views::info(s, self.public, self.tiles.as_deref())),
            "/api/layers" => Reply::ok(&views::layers(loaded)),
            "/api/school_points" => Reply::ok(&views::school_points(loaded)),
            "/api/schools" => Reply::ok(&views::schools(loaded, &s.levels())),
            "/api/assignment" => Reply::ok(&views::assignment(loaded, &s.levels())),
            "/api/units" => Reply::ok(&views::units(loaded)),
            "/api/table" => {
                let level = query_level(req.query)?;
                Reply::ok(&views::table(s, level))
            }
            "/api/zones" => {
                self.draw();
                let shapes = &self.drawn.as_ref().expect("drawn").shapes;
                let s = &self.studio;
                Reply::Json(200, views::zones(s.loaded(), &s.levels(), shapes))
            }
            "/api/summary" => Reply::Json(200, self.summary()),
            "/api/locate" => {
                let at = query_point(req.query)?;
                self.check_inside(at)?;
                self.draw();
                let shapes = &self.drawn.as_ref().expect("drawn").shapes;
                let s = &self.studio;
                Reply::ok(&views::locate(
                    s.loaded(),
                    &s.levels(),
                    shapes,
                    at,
                    self.public,
                ))
            }
            "/api/undo" => self.answer(|st| st.undo())?,
            "/api/redo" => self.answer(|st| st.redo())?,
            "/api/save" => Reply::Save(super::save::save_files(
                &self.studio,
                &self.save_inputs,
                self.original_toml.as_deref(),
                json!({ "solve_seconds": self.studio.last_solve_seconds }),
            )?),
            _ => {
                let op = self.op(req)?;
                self.answer(|st| st.step(op))?
            }
        })
    }

    /// The step a POST asks for.
    fn op(&self, req: &Request) -> Result<Op, StudioError> {
        let s = &self.studio;
        Ok(match req.path {
            "/api/optimize" => Op::Optimize,
            "/api/assign" => {
                let b = body(req.body)?;
                let level = level_field(&b)?;
                Op::Assign {
                    level,
                    units: vec![s.unit(&id_field(&b, "unit_id")?)?],
                    school: s.catchment_school(&id_field(&b, "school_id")?, level)?,
                }
            }
            "/api/assign_many" => {
                let b = body(req.body)?;
                let level = level_field(&b)?;
                let ids = b
                    .get("unit_ids")
                    .and_then(Value::as_array)
                    .ok_or_else(|| invalid("field `unit_ids`: expected an array of unit ids"))?;
                if ids.is_empty() {
                    return Err(invalid(
                        "field `unit_ids`: expected at least one unit id, found none",
                    ));
                }
                let units = ids
                    .iter()
                    .map(|v| id_text(v, "unit_ids").and_then(|id| s.unit(&id)))
                    .collect::<Result<Vec<_>, _>>()?;
                Op::Assign {
                    level,
                    units,
                    school: s.catchment_school(&id_field(&b, "school_id")?, level)?,
                }
            }
            "/api/unpin" => {
                let b = body(req.body)?;
                Op::Unpin {
                    level: level_field(&b)?,
                    unit: s.unit(&id_field(&b, "unit_id")?)?,
                }
            }
            "/api/edit" => {
                let b = body(req.body)?;
                let mut table = b
                    .get("edit")
                    .cloned()
                    .ok_or_else(|| invalid("field `edit`: expected an object with the keys of an [[edit]] table, found nothing"))?;
                let edit = crate::io::scenario::edit_from_json(&table, "field `edit`")
                    .map_err(|e| invalid(&e.to_string()))?;
                if let Some(m) = table.as_object_mut() {
                    m.retain(|_, v| !v.is_null());
                }
                Op::Edit { edit, table }
            }
            other => return Err(StudioError::Internal(format!("no step for {other}"))),
        })
    }

    /// Run a step and answer with what it did.
    fn answer(
        &mut self,
        f: impl FnOnce(&mut Studio) -> Result<super::Outcome, StudioError>,
    ) -> Result<Reply, StudioError> {
        let outcome = f(&mut self.studio)?;
        Ok(Reply::ok(&views::step_reply(&self.studio, &outcome)))
    }

    /// The zones of the current state, drawn once per state.
    fn draw(&mut self) {
        let version = self.studio.version();
        if self.drawn.as_ref().is_some_and(|d| d.version == version) {
            return;
        }
        let loaded = self.studio.loaded();
        let clip = zone_clip(loaded);
        let shapes = zone_shapes(loaded, &self.studio.levels(), &clip);
        self.drawn = Some(Drawn { version, shapes });
    }

    /// summary.json of the current state.
    fn summary(&mut self) -> String {
        self.draw();
        let shapes = &self.drawn.as_ref().expect("drawn").shapes;
        let s = &self.studio;
        let loaded = s.loaded();
        let clip = zone_clip(loaded);
        let tilings: Vec<_> = shapes.iter().map(|z| tiling(z, &clip)).collect();
        crate::plan::files::summary(
            loaded,
            &s.levels(),
            &tilings,
            shapes,
            s.planner().settings().stability,
        )
    }

    /// A point outside the county boundary has no catchment here.
    fn check_inside(&self, (lon, lat): (f64, f64)) -> Result<(), StudioError> {
        use geo::Intersects;
        match &self.studio.loaded().boundary {
            Some(b) if !b.intersects(&geo::Point::new(lon, lat)) => Err(invalid(&format!(
                "the point ({lon}, {lat}) lies outside the county boundary: no catchment there"
            ))),
            _ => Ok(()),
        }
    }
}

fn invalid(m: &str) -> StudioError {
    StudioError::Invalid(m.to_string())
}

/// At most 80 characters of something a request sent, for a message.
fn clip(s: &str) -> String {
    let mut t: String = s.chars().filter(|c| !c.is_control()).take(80).collect();
    if s.chars().count() > 80 {
        t.push('…');
    }
    t
}

/// The body as a JSON object.
fn body(bytes: &[u8]) -> Result<serde_json::Map<String, Value>, StudioError> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(other) => Err(invalid(&format!(
            "the request body: expected a JSON object, found {}",
            clip(&other.to_string())
        ))),
        Err(e) => Err(invalid(&format!("the request body is not JSON: {e}"))),
    }
}

/// An id given as a string or an integer.
fn id_text(v: &Value, field: &str) -> Result<String, StudioError> {
    match v {
        Value::String(s) if !s.is_empty() => Ok(s.clone()),
        Value::Number(n) if n.is_i64() || n.is_u64() => Ok(n.to_string()),
        other => Err(invalid(&format!(
            "field `{field}`: expected an id (a string or an integer), found {}",
            clip(&other.to_string())
        ))),
    }
}

fn id_field(b: &serde_json::Map<String, Value>, field: &str) -> Result<String, StudioError> {
    match b.get(field) {
        Some(v) => id_text(v, field),
        None => Err(invalid(&format!(
            "field `{field}`: expected an id, found nothing"
        ))),
    }
}

fn parse_level(text: &str) -> Result<Level, StudioError> {
    crate::io::admit_applicants::parse_level(text).ok_or_else(|| {
        invalid(&format!(
            "field `level`: expected \"primary\" or \"junior\", found \"{}\"",
            clip(text)
        ))
    })
}

fn level_field(b: &serde_json::Map<String, Value>) -> Result<Level, StudioError> {
    match b.get("level") {
        Some(Value::String(s)) => parse_level(s),
        Some(other) => Err(invalid(&format!(
            "field `level`: expected \"primary\" or \"junior\", found {}",
            clip(&other.to_string())
        ))),
        None => Err(invalid(
            "field `level`: expected \"primary\" or \"junior\", found nothing",
        )),
    }
}

/// The value of `key` in a query string (`a=1&b=2`), percent-decoded.
fn query_value(query: &str, key: &str) -> Option<String> {
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        (k == key).then(|| percent_decode(v))
    })
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let hex = |c: u8| (c as char).to_digit(16);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn query_level(query: &str) -> Result<Level, StudioError> {
    match query_value(query, "level") {
        Some(l) => parse_level(&l),
        None => Ok(Level::Primary),
    }
}

/// `lon=..&lat=..` as degrees.
fn query_point(query: &str) -> Result<(f64, f64), StudioError> {
    let get = |key: &str, max: f64| -> Result<f64, StudioError> {
        let text = query_value(query, key).ok_or_else(|| {
            invalid(&format!(
                "query `{key}`: expected degrees, found nothing (as ?lon=111.87&lat=38.92)"
            ))
        })?;
        match text.trim().parse::<f64>() {
            Ok(x) if x.is_finite() && x.abs() <= max => Ok(x),
            _ => Err(invalid(&format!(
                "query `{key}`: expected degrees between -{max} and {max}, found \"{}\"",
                clip(&text)
            ))),
        }
    };
    Ok((get("lon", 180.0)?, get("lat", 90.0)?))
}
