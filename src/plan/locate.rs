//! Which school a point is zoned for, per level, and why: the household
//! or block whose catchment cell holds the point, its travel to the school
//! it was given, the nearer schools it was not given and the reason for
//! each (full, beyond the travel limit, wrong level, private, ...), and
//! which seats bind. `catchment locate` prints it; the studio's parents'
//! page (`serve --public`) answers with it.
//!
//! Pure: the explanation reads a solved plan, it never re-decides it.

use super::Loaded;
use crate::assign::travel::pair_arcs;
use crate::assign::{LevelAssignment, LevelProblem, Travel};
use crate::model::{Level, Sector};
use crate::spatial::haversine_m;
use crate::zones::geometry::ZoneLookup;
use geo::{Intersects, MultiPolygon, Point};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::fmt::Write;

/// A point to explain.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    pub id: String,
    pub lon: f64,
    pub lat: f64,
}

/// Why a nearer school was not given.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Why {
    Full,
    BeyondLimit,
    NotServed,
    NoRoad,
    Level,
    Private,
    Pinned,
    Stability,
    WholeUnits,
}

impl Why {
    pub fn as_str(self) -> &'static str {
        match self {
            Why::Full => "full",
            Why::BeyondLimit => "beyond_limit",
            Why::NotServed => "not_served",
            Why::NoRoad => "no_road",
            Why::Level => "level",
            Why::Private => "private",
            Why::Pinned => "pinned",
            Why::Stability => "stability",
            Why::WholeUnits => "whole_units",
        }
    }

    fn zh(self) -> &'static str {
        match self {
            Why::Full => "学位已满",
            Why::BeyondLimit => "超出距离上限",
            Why::NotServed => "寄宿制学校不招收本乡镇",
            Why::NoRoad => "无道路连通",
            Why::Level => "学段不符",
            Why::Private => "民办学校",
            Why::Pinned => "规划指定",
            Why::Stability => "保持现学区",
            Why::WholeUnits => "整片划分",
        }
    }
}

/// Travel from a unit to a school, by the plan's measure.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Leg {
    /// Solver cost: millimetres, or milliseconds when limits are in minutes.
    pub cost: i64,
    pub metres: f64,
    pub minutes: Option<f64>,
}

/// A school nearer to the unit than the one it was given.
#[derive(Clone, Debug, PartialEq)]
pub struct Nearer {
    pub school: usize,
    /// `None`: no route (reason `no_road`); the straight line is in `straight_m`.
    pub leg: Option<Leg>,
    pub straight_m: f64,
    pub why: Why,
    /// The numbers behind the reason, in words.
    pub detail: String,
}

/// Some of the unit's students at a school (or unplaced).
#[derive(Clone, Debug, PartialEq)]
pub struct Given {
    pub school: Option<usize>,
    pub students: u32,
    pub metres: Option<f64>,
    pub minutes: Option<f64>,
    pub reason: Option<&'static str>,
}

/// The explanation of one point at one level.
#[derive(Clone, Debug, PartialEq)]
pub struct LevelExplain {
    pub level: Level,
    /// The school whose zone holds the point; `None` when no student of
    /// the level was placed anywhere (no zones).
    pub zone_school: Option<usize>,
    /// The point lies in the zone polygon (false: outside the clip area,
    /// e.g. beyond the county boundary; the nearest zone is given).
    pub inside: bool,
    /// The unit whose cell holds the point.
    pub unit: Option<usize>,
    pub unit_distance_m: f64,
    /// The unit's rows of the assignment at this level.
    pub given: Vec<Given>,
    /// Travel of the unit to the zone's school.
    pub leg: Option<Leg>,
    /// Straight line from the point itself to the zone's school.
    pub point_straight_m: Option<f64>,
    /// The unit's school under today's zones, when given (`None` also
    /// outside every current zone).
    pub current_school: Option<String>,
    pub nearer: Vec<Nearer>,
    /// Schools whose seats bind for this point: nearer full ones, and the
    /// zone's school when it is full.
    pub binding: Vec<usize>,
}

/// Everything the explanation reads, solved once for all points.
pub struct Solved<'a> {
    pub loaded: &'a Loaded,
    pub problems: &'a [LevelProblem<'a>],
    pub levels: &'a [LevelAssignment],
    pub shapes: &'a [Vec<MultiPolygon<f64>>],
    pub travel: Travel<'a>,
    pub stability_m_per_student: f64,
}

/// Explain every query at every level. Pure: reads the solved plan only.
pub fn explain(s: &Solved, queries: &[Query]) -> Vec<Vec<LevelExplain>> {
    let units = &s.loaded.units;
    let pts = s.loaded.points();
    let mut per_level: Vec<Vec<LevelExplain>> = Vec::new();
    for (l, la) in s.levels.iter().enumerate() {
        let labels = la.zone_labels(units.len());
        // Label each zone generator with its own index: the nearest one is
        // the unit whose cell holds the point (ties as in the polygons).
        let own: Vec<Option<usize>> = labels
            .iter()
            .enumerate()
            .map(|(i, z)| z.map(|_| i))
            .collect();
        let lookup = ZoneLookup::new(&pts, &own);
        let found: Vec<Option<usize>> = queries
            .iter()
            .map(|q| lookup.label_at(q.lon, q.lat))
            .collect();
        // Travel to the schools without a feasible arc, all points at once.
        let p = &s.problems[l];
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        for &i in found.iter().flatten() {
            for j in 0..s.loaded.schools.len() {
                if !p.arcs.of(i).iter().any(|a| a.school as usize == j) {
                    pairs.push((i, j));
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        let extra: HashMap<(usize, usize), Leg> = pairs
            .iter()
            .zip(pair_arcs(
                units,
                &s.loaded.schools,
                la.level,
                &s.loaded.scenario.policy,
                s.travel,
                &pairs,
            ))
            .filter_map(|(&pair, a)| {
                a.map(|a| {
                    (
                        pair,
                        Leg {
                            cost: a.cost,
                            metres: a.metres(),
                            minutes: a.minutes(),
                        },
                    )
                })
            })
            .collect();
        let explained = queries
            .iter()
            .zip(&found)
            .map(|(q, &unit)| explain_one(s, l, la, &labels, q, unit, &extra))
            .collect();
        per_level.push(explained);
    }
    // Per query, its levels in order.
    (0..queries.len())
        .map(|k| per_level.iter().map(|v| v[k].clone()).collect())
        .collect()
}

fn explain_one(
    s: &Solved,
    l: usize,
    la: &LevelAssignment,
    labels: &[Option<usize>],
    q: &Query,
    unit: Option<usize>,
    extra: &HashMap<(usize, usize), Leg>,
) -> LevelExplain {
    let loaded = s.loaded;
    let schools = &loaded.schools;
    let level = la.level;
    let empty = LevelExplain {
        level,
        zone_school: None,
        inside: false,
        unit: None,
        unit_distance_m: 0.0,
        given: vec![],
        leg: None,
        point_straight_m: None,
        current_school: None,
        nearer: vec![],
        binding: vec![],
    };
    let Some(i) = unit else { return empty };
    let Some(a) = labels[i] else { return empty };
    let u = &loaded.units[i];
    let p = &s.problems[l];
    let leg_to = |j: usize| -> Option<Leg> {
        p.arcs
            .of(i)
            .iter()
            .find(|arc| arc.school as usize == j)
            .map(|arc| Leg {
                cost: arc.cost,
                metres: arc.metres(),
                minutes: arc.minutes(),
            })
            .or_else(|| extra.get(&(i, j)).copied())
    };
    let given: Vec<Given> = la
        .placements
        .iter()
        .filter(|pl| pl.unit == i)
        .map(|pl| Given {
            school: pl.school,
            students: pl.students,
            metres: pl.travel_m,
            minutes: pl.travel_min,
            reason: pl.reason.map(|r| r.as_str()),
        })
        .collect();
    let leg = leg_to(a);
    let current = loaded.current.as_ref().and_then(|c| c[l][i]);
    let current_school = current.map(|j| match schools.get(j) {
        Some(sc) => sc.id.clone(),
        None => loaded
            .closed
            .get(j - schools.len())
            .cloned()
            .unwrap_or_default(),
    });
    let pinned = loaded.pins[l][i] == Some(a);
    let full = |j: usize| la.seats[j] > 0 && la.assigned[j] >= la.seats[j] as u64;
    let penalty = (s.stability_m_per_student.max(0.0) * p.cost_per_m).round() as i64;
    let mut nearer = Vec::new();
    if let Some(la_leg) = leg {
        for (j, sc) in schools.iter().enumerate() {
            if j == a {
                continue;
            }
            let straight_m = haversine_m(u.lon, u.lat, sc.lon, sc.lat);
            let lj = leg_to(j);
            let is_nearer = match lj {
                Some(x) => x.cost < la_leg.cost,
                None => straight_m < la_leg.metres,
            };
            if !is_nearer {
                continue;
            }
            let (why, detail) = why_not(
                &WhyContext {
                    s,
                    la,
                    unit: i,
                    given: a,
                    pinned,
                    current,
                    penalty,
                },
                j,
                lj,
                straight_m,
                la_leg,
            );
            nearer.push(Nearer {
                school: j,
                leg: lj,
                straight_m,
                why,
                detail,
            });
        }
    }
    nearer.sort_by(|x, y| {
        let cx = x.leg.map_or(i64::MAX, |l| l.cost);
        let cy = y.leg.map_or(i64::MAX, |l| l.cost);
        cx.cmp(&cy)
            .then(x.straight_m.total_cmp(&y.straight_m))
            .then(x.school.cmp(&y.school))
    });
    let mut binding: Vec<usize> = nearer
        .iter()
        .filter(|n| n.why == Why::Full)
        .map(|n| n.school)
        .collect();
    if full(a) {
        binding.push(a);
    }
    let inside = s.shapes[l]
        .get(a)
        .is_some_and(|z| z.intersects(&Point::new(q.lon, q.lat)));
    LevelExplain {
        level,
        zone_school: Some(a),
        inside,
        unit: Some(i),
        unit_distance_m: haversine_m(q.lon, q.lat, u.lon, u.lat),
        given,
        leg,
        point_straight_m: Some(haversine_m(q.lon, q.lat, schools[a].lon, schools[a].lat)),
        current_school,
        nearer,
        binding,
    }
}

/// What `why_not` needs of the unit and its level.
struct WhyContext<'s, 'a> {
    s: &'s Solved<'a>,
    la: &'s LevelAssignment,
    unit: usize,
    /// The school the unit is zoned for.
    given: usize,
    pinned: bool,
    current: Option<usize>,
    /// The stability weight in solver cost units.
    penalty: i64,
}

/// Why school `j`, nearer than the one given, was not given: its level,
/// sector, no route, the travel limit (or a boarding school's towns), a
/// pin, its seats, the stability weight, or whole-unit zones.
fn why_not(
    c: &WhyContext,
    j: usize,
    lj: Option<Leg>,
    straight_m: f64,
    la_leg: Leg,
) -> (Why, String) {
    let (s, la, i, a) = (c.s, c.la, c.unit, c.given);
    let (pinned, current, penalty) = (c.pinned, c.current, c.penalty);
    let loaded = s.loaded;
    let (schools, policy, level) = (&loaded.schools, &loaded.scenario.policy, la.level);
    let (sc, u) = (&schools[j], &loaded.units[i]);
    let p = &s.problems[level.index()];
    let full = |j: usize| la.seats[j] > 0 && la.assigned[j] >= la.seats[j] as u64;
    let unit_is_in = |j: usize| {
        let s = &schools[j];
        s.serves.is_empty() || u.town.as_ref().is_some_and(|t| s.serves.contains(t))
    };
    let has_arc = p.arcs.of(i).iter().any(|x| x.school as usize == j);
    let km = |m: f64| metres_text(m);
    if !sc.kind.serves(level) {
        (
            Why::Level,
            format!("a {} school, not {}", sc.kind.as_str(), level.as_str()),
        )
    } else if sc.sector == Sector::Private {
        (
            Why::Private,
            "admission by application and lottery, no catchment".to_string(),
        )
    } else if lj.is_none() {
        (
            Why::NoRoad,
            format!("no road route ({} in a straight line)", km(straight_m)),
        )
    } else if !has_arc {
        let x = lj.unwrap_or(la_leg);
        let by_minutes = matches!(s.travel, Travel::Roads(_));
        let limit = match (by_minutes, policy.max_travel_min(level)) {
            (true, Some(min)) => format!(
                "{:.0} min > limit {:.0} min",
                x.minutes.unwrap_or(0.0),
                sc.max_travel_m
                    .get(level)
                    .map_or(min, |m| m / (crate::model::WALK_KMH / 3.6) / 60.0)
            ),
            _ => format!(
                "{} > limit {}",
                km(x.metres),
                sc.travel_limit_m(level, policy)
                    .map_or("none".to_string(), km)
            ),
        };
        if sc.boarding && sc.travel_limit_m(level, policy).is_none() && !unit_is_in(j) {
            (
                Why::NotServed,
                format!(
                    "boarding school for {} only beyond the day limit; {}",
                    sc.serves.join(", "),
                    limit
                ),
            )
        } else {
            (Why::BeyondLimit, limit)
        }
    } else if pinned {
        (
            Why::Pinned,
            format!("the unit is pinned to {}", schools[a].id),
        )
    } else if full(j) {
        (
            Why::Full,
            format!("{}/{} seats taken", la.assigned[j], la.seats[j]),
        )
    } else if current == Some(a)
        && penalty > 0
        && lj.is_some_and(|x| la_leg.cost - x.cost <= penalty)
    {
        let saves = la_leg.metres - lj.map_or(0.0, |x| x.metres);
        (
            Why::Stability,
            format!(
                "moving saves {} per student, less than the stability weight {}",
                km(saves),
                km(s.stability_m_per_student)
            ),
        )
    } else {
        (
            Why::WholeUnits,
            format!(
                "{}/{} seats taken; whole-unit, one-piece zones keep the unit with its neighbours",
                la.assigned[j], la.seats[j]
            ),
        )
    }
}

/// "850 m" or "12.4 km".
pub fn metres_text(m: f64) -> String {
    if m < 1000.0 {
        format!("{m:.0} m")
    } else {
        format!("{:.1} km", m / 1000.0)
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// One JSON object for a point (keys sorted: deterministic).
pub fn to_json(
    loaded: &Loaded,
    levels: &[LevelAssignment],
    q: &Query,
    ex: &[LevelExplain],
) -> Value {
    let schools = &loaded.schools;
    let sid = |j: usize| schools[j].id.clone();
    let lv: Vec<Value> = ex
        .iter()
        .zip(levels)
        .map(|(e, la)| {
            let Some(a) = e.zone_school else {
                return json!({ "level": e.level.as_str(), "school_id": null,
                    "note": "no student of this level is placed: no catchments" });
            };
            json!({
                "level": e.level.as_str(),
                "school_id": sid(a),
                "school_name": schools[a].name,
                "inside_zone": e.inside,
                "unit_id": e.unit.map(|i| loaded.units[i].id.clone()),
                "unit_distance_m": round1(e.unit_distance_m),
                "travel_m": e.leg.map(|l| round1(l.metres)),
                "travel_min": e.leg.and_then(|l| l.minutes).map(round1),
                "point_straight_m": e.point_straight_m.map(round1),
                "current_school_id": e.current_school,
                "moved": e.current_school.as_ref().map(|c| c != &schools[a].id),
                "seats": la.seats[a],
                "assigned": la.assigned[a],
                "full": la.seats[a] > 0 && la.assigned[a] >= la.seats[a] as u64,
                "given": e.given.iter().map(|g| json!({
                    "school_id": g.school.map(sid),
                    "students": g.students,
                    "travel_m": g.metres.map(round1),
                    "travel_min": g.minutes.map(round1),
                    "reason": g.reason,
                })).collect::<Vec<_>>(),
                "nearer": e.nearer.iter().map(|n| json!({
                    "school_id": sid(n.school),
                    "school_name": schools[n.school].name,
                    "travel_m": n.leg.map(|l| round1(l.metres)),
                    "travel_min": n.leg.and_then(|l| l.minutes).map(round1),
                    "straight_m": round1(n.straight_m),
                    "reason": n.why.as_str(),
                    "detail": n.detail,
                    "seats": la.seats[n.school],
                    "assigned": la.assigned[n.school],
                })).collect::<Vec<_>>(),
                "binding": e.binding.iter().map(|&j| sid(j)).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "id": q.id, "lon": q.lon, "lat": q.lat, "levels": lv })
}

/// The explanation as text, Chinese and English.
pub fn to_text(
    loaded: &Loaded,
    levels: &[LevelAssignment],
    q: &Query,
    ex: &[LevelExplain],
) -> String {
    let schools = &loaded.schools;
    let name = |j: usize| format!("{} {}", schools[j].id, schools[j].name);
    let mut t = String::new();
    let _ = writeln!(t, "点 point {} ({:.6}, {:.6})", q.id, q.lon, q.lat);
    for (e, la) in ex.iter().zip(levels) {
        let (zh, en) = match e.level {
            Level::Primary => ("小学", "primary"),
            Level::Junior => ("初中", "junior"),
        };
        let Some(a) = e.zone_school else {
            let _ = writeln!(
                t,
                "  {zh} {en}: 无学区 no catchments (no student of this level placed)"
            );
            continue;
        };
        let _ = writeln!(
            t,
            "  {zh} {en}: 划入 zoned for {}{}",
            name(a),
            if e.inside {
                ""
            } else {
                " (点在划片范围外 the point is outside the mapped area; nearest zone)"
            }
        );
        if let Some(i) = e.unit {
            let u = &loaded.units[i];
            let moved = match &e.current_school {
                Some(c) if c == &schools[a].id => format!(", 现学区 current zone {c} (unchanged)"),
                Some(c) => format!(", 现学区 current zone {c} (moved 调整)"),
                None => String::new(),
            };
            let _ = writeln!(
                t,
                "    单元 unit {} ({} from the point){moved}",
                u.id,
                metres_text(e.unit_distance_m)
            );
        }
        for g in &e.given {
            match g.school {
                Some(j) => {
                    let _ = writeln!(
                        t,
                        "    {} 名学生 students -> {}: {}{}",
                        g.students,
                        name(j),
                        g.metres.map_or("-".into(), metres_text),
                        g.minutes.map_or(String::new(), |m| format!(", {m:.0} min")),
                    );
                }
                None => {
                    let _ = writeln!(
                        t,
                        "    {} 名学生未安置 students unplaced: {}",
                        g.students,
                        g.reason.unwrap_or("")
                    );
                }
            }
        }
        let util = if la.seats[a] > 0 {
            la.assigned[a] as f64 / la.seats[a] as f64 * 100.0
        } else {
            0.0
        };
        let _ = writeln!(
            t,
            "    {} 学位 seats {}, 已分配 assigned {} ({util:.0}%){}",
            schools[a].id,
            la.seats[a],
            la.assigned[a],
            if e.binding.contains(&a) {
                ": 已满 full"
            } else {
                ""
            }
        );
        if e.nearer.is_empty() {
            let _ = writeln!(t, "    没有更近的学校 no nearer school");
        } else {
            let _ = writeln!(t, "    更近但未分配的学校 nearer schools not given:");
            for n in &e.nearer {
                let _ = writeln!(
                    t,
                    "      {:<28} {:>8}  {} {}: {}",
                    name(n.school),
                    n.leg
                        .map_or(metres_text(n.straight_m), |l| metres_text(l.metres)),
                    n.why.zh(),
                    n.why.as_str(),
                    n.detail
                );
            }
        }
        if !e.binding.is_empty() {
            let ids: Vec<&str> = e.binding.iter().map(|&j| schools[j].id.as_str()).collect();
            let _ = writeln!(t, "    起约束的学位 seats that bind: {}", ids.join(", "));
        }
    }
    t
}
