//! `catchment report`: one self-contained `report.html` for the people who
//! approve catchments: headline figures, the maps, the school table, the
//! public catchment notice (as `plan` writes it), the
//! unplaced list (masked), moves against today's zones, the forecast
//! (charts, the seat gap by year and gap maps) and what-if scenarios side
//! by side. The plan is solved as `plan` solves it; the forecast runs when
//! the scenario names an enrollment history.

use super::CliError;
use super::inputs::{InputArgs, load};
use crate::assign::LevelAssignment;
use crate::forecast::inputs::age_at_lowest_grade;
use crate::forecast::{Extras, Forecast, ForecastOptions, History, forecast_with};
use crate::io::history::demand_extras;
use crate::io::history::load_history;
use crate::io::output::Staged;
use crate::io::results::moved;
use crate::model::{Level, Policy, School};
use crate::plan::{Loaded, day_and_boarding, map_input, map_shapes, solve_loaded, zone_clip};
use crate::render::map::{GapLayer, MapInput, SchoolGap};
use crate::render::report::{
    CompareRow, Figure, ForecastPart, ForecastRow, Headline, MoveRow, ReportInput, SchoolRow,
    UnplacedRow, mask_id, render_report,
};
use crate::render::{ChartInput, render_chart, render_map};
use crate::render::{chart, map};
use clap::Args;
use std::collections::BTreeMap;
use std::path::PathBuf;

pub const ABOUT: &str =
    "Write report.html: maps, schools, unplaced, moves, forecast and what-ifs in one offline page";

pub const AFTER_HELP: &str = "\
Examples:
  catchment report                                   # the bundled Wuzhai example
  catchment report --config county/scenario.toml --out out/2024
  catchment report --config county/scenario.toml --compare county/new_school.toml
  catchment report --config county/scenario.toml --forecast-year 2027,2030

Writes under --out: report.html (one file: inline SVG maps and charts, the public
catchment notice as `plan` writes it in notice.html, CSS and the glyphs it uses as an
embedded font; no network request; prints on A4), maps/<level>.png
and .svg (the catchment maps) and, with an enrollment history ([inputs] enrollment),
maps/forecast_<level>_<year>.png and .svg: each school's zone coloured by its forecast
seat gap (students - seats, in classes of the level's class size) in that year; by
default the year with the largest county-wide shortage. The data files of the plan are
`catchment plan`'s. Unplaced units are listed with their ids partly masked, no names.
Exit codes: 0 written (unplaced students are listed in the report), 2 bad input or usage.";

#[derive(Args, Debug, Clone)]
pub struct ReportArgs {
    #[command(flatten)]
    pub inputs: InputArgs,
    /// What-if scenario files to compare with this plan (each planned as
    /// `catchment plan --config` would), e.g. --compare whatif.toml.
    #[arg(long, value_name = "B.toml", num_args = 1..)]
    pub compare: Vec<PathBuf>,
    /// Forecast years to map (comma-separated). Default: the year with the
    /// largest county-wide shortage of seats.
    #[arg(long = "forecast-year", value_name = "YYYY", value_delimiter = ',')]
    pub forecast_years: Vec<i32>,
    /// Years ahead to forecast.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub horizon: usize,
    /// Output folder.
    #[arg(long, value_name = "DIR", default_value = "out/report")]
    pub out: PathBuf,
}

fn level_zh(level: Level) -> &'static str {
    match level {
        Level::Primary => "小学",
        Level::Junior => "初中",
    }
}

/// The level a grade belongs to (primary 1-6, junior 7-9), as `forecast`.
fn level_of(grade: u32) -> Option<Level> {
    match grade {
        1..=6 => Some(Level::Primary),
        7..=9 => Some(Level::Junior),
        _ => None,
    }
}

fn grades_of(level: Level) -> u64 {
    match level {
        Level::Primary => 6,
        Level::Junior => 3,
    }
}

/// One school's forecast at one level in one year.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct YearGap {
    pub students: f64,
    /// Seats of the whole school at the level: entry seats x grades.
    pub seats: u64,
    pub class_size: u32,
}

impl YearGap {
    pub fn gap(&self) -> SchoolGap {
        let students = self.students.round() as i64 - self.seats as i64;
        let size = self.class_size.max(1) as i64;
        let classes = if students > 0 {
            (students + size - 1) / size
        } else {
            -((-students) / size)
        };
        SchoolGap { students, classes }
    }
}

/// Forecast students by (year, level, school index) against the school's
/// seats. Schools of the history not in `schools` are left out.
pub fn forecast_gaps(
    f: &Forecast,
    schools: &[School],
    policy: &Policy,
) -> BTreeMap<(i32, Level, usize), YearGap> {
    let mut out: BTreeMap<(i32, Level, usize), YearGap> = BTreeMap::new();
    for r in &f.rows {
        let Some(level) = level_of(r.grade) else {
            continue;
        };
        let Some(j) = schools.iter().position(|s| s.id == r.school_id) else {
            continue;
        };
        let s = &schools[j];
        let e = out.entry((r.year, level, j)).or_insert(YearGap {
            students: 0.0,
            seats: s.seats(level, policy).unwrap_or(0) as u64 * grades_of(level),
            class_size: s.class_size(level, policy),
        });
        e.students += r.students;
    }
    out
}

/// County-wide rows by year and level, from the school gaps.
fn county_rows(gaps: &BTreeMap<(i32, Level, usize), YearGap>) -> Vec<ForecastRow> {
    let mut rows: BTreeMap<(i32, Level), ForecastRow> = BTreeMap::new();
    for (&(year, level, _), g) in gaps {
        let r = rows.entry((year, level)).or_insert(ForecastRow {
            year,
            level: level.as_str().into(),
            students: 0,
            seats: 0,
            short_students: 0,
            short_classes: 0,
            schools_short: 0,
        });
        let gap = g.gap();
        r.students += g.students.round() as i64;
        r.seats += g.seats as i64;
        if gap.students > 0 {
            r.short_students += gap.students;
            r.short_classes += gap.classes;
            r.schools_short += 1;
        }
    }
    rows.into_values().collect()
}

/// The year of the largest county-wide gap: the most students short of
/// seats summed over schools and levels; between years equally short (or
/// with no shortage at all), the largest students-minus-seats; then the
/// earliest year.
pub fn largest_gap_year(rows: &[ForecastRow]) -> Option<i32> {
    let mut by_year: BTreeMap<i32, (i64, i64)> = BTreeMap::new();
    for r in rows {
        let e = by_year.entry(r.year).or_default();
        e.0 += r.short_students;
        e.1 += r.students - r.seats;
    }
    by_year
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(&y, _)| y)
}

/// The forecast of the scenario's enrollment history, its charts and the
/// gap maps of `years` (or the year of the largest gap).
struct ForecastOut {
    part: ForecastPart,
    /// (file stem, png, svg) per map.
    files: Vec<(String, Vec<u8>, String)>,
}

fn forecast_part(
    loaded: &Loaded,
    levels: &[LevelAssignment],
    shapes: &[Vec<geo::MultiPolygon<f64>>],
    args: &ReportArgs,
) -> Result<Option<ForecastOut>, CliError> {
    let scenario = &loaded.scenario;
    let Some(enrollment) = &scenario.inputs.enrollment else {
        if !args.forecast_years.is_empty() {
            return Err(CliError::Usage(
                "--forecast-year needs an enrollment history: set [inputs] enrollment in the scenario (--config)"
                    .into(),
            ));
        }
        return Ok(None);
    };
    let policy = &scenario.policy;
    let (history, births) = load_history(enrollment, scenario.inputs.births.as_deref())
        .each_note(|n| crate::say!("note: {n}"))?;
    let opts = ForecastOptions {
        entry_age: age_at_lowest_grade(&history, policy),
        ..Default::default()
    };
    // The forecast `catchment forecast --config` makes from the same
    // inputs: the history, births, and what the plan's households (the
    // census) and housing add, so the two never disagree.
    let extras = match &scenario.inputs.households {
        Some(hh) => Some(
            demand_extras(loaded, &history, hh, scenario.inputs.housing.as_deref())
                .each_note(|n| crate::say!("note: {n}"))?,
        ),
        None => None,
    };
    let f = forecast_with(
        &history,
        &Extras {
            births: births.as_ref(),
            census: extras.as_ref().and_then(|e| e.census.as_ref()),
            housing: extras.as_ref().map_or(&[], |e| e.housing.as_slice()),
        },
        &opts,
        args.horizon,
    );
    let gaps = forecast_gaps(&f, &loaded.schools, policy);
    let rows = county_rows(&gaps);
    let first = f.origin + 1;
    let last = f.origin + args.horizon as i32;
    if let Some(y) = args
        .forecast_years
        .iter()
        .find(|y| !(first..=last).contains(*y))
    {
        return Err(CliError::Usage(format!(
            "--forecast-year {y}: the forecast covers {first} to {last} (the history ends in {}; --horizon {})",
            f.origin, args.horizon
        )));
    }
    let (years, year_note) = gap_years(args, &rows, first);
    let (maps, files) = gap_maps(loaded, levels, shapes, &gaps, &rows, &f, &years);
    let charts = forecast_charts(loaded, &history, &f, &gaps);
    Ok(Some(ForecastOut {
        part: ForecastPart {
            origin: f.origin,
            method: format!("{:?}", f.entry_method),
            rows,
            map_years: years,
            year_note,
            charts,
            maps,
        },
        files,
    }))
}

/// The years of the gap maps: those asked for, else the year with the
/// most students short of seats; and a note saying which.
fn gap_years(args: &ReportArgs, rows: &[ForecastRow], first: i32) -> (Vec<i32>, String) {
    if args.forecast_years.is_empty() {
        let y = largest_gap_year(rows).unwrap_or(first);
        let short: i64 = rows
            .iter()
            .filter(|r| r.year == y)
            .map(|r| r.short_students)
            .sum();
        (
            vec![y],
            format!(
                "缺口图为全县缺位最多的年份 {y}（各校缺位合计 {short} 人）。 \
                 The gap maps show {y}, the year with the most students short of seats summed over schools \
                 ({short}); other years: catchment report --forecast-year YYYY."
            ),
        )
    } else {
        let mut ys = args.forecast_years.clone();
        ys.sort_unstable();
        ys.dedup();
        (
            ys,
            "缺口图为所选年份。 The gap maps show the years asked for (--forecast-year).".into(),
        )
    }
}

/// The gap maps: per year and level, each zone coloured by its school's
/// forecast gap; figures for the page and (stem, png, svg) files.
#[allow(clippy::type_complexity)]
fn gap_maps(
    loaded: &Loaded,
    levels: &[LevelAssignment],
    shapes: &[Vec<geo::MultiPolygon<f64>>],
    gaps: &BTreeMap<(i32, Level, usize), YearGap>,
    rows: &[ForecastRow],
    f: &Forecast,
    years: &[i32],
) -> (Vec<Figure>, Vec<(String, Vec<u8>, String)>) {
    let (scenario, policy) = (&loaded.scenario, &loaded.scenario.policy);
    let mut maps = Vec::new();
    let mut files = Vec::new();
    let name = scenario.name.clone().unwrap_or_default();
    for &year in years {
        for (la, zs) in levels.iter().zip(shapes) {
            let level = la.level;
            let idx: Vec<usize> = (0..loaded.schools.len())
                .filter(|&j| loaded.schools[j].takes_catchment(level))
                .collect();
            let mut mi = map_input(loaded, la, zs);
            let layer_gaps: Vec<Option<SchoolGap>> = idx
                .iter()
                .map(|&j| gaps.get(&(year, level, j)).map(YearGap::gap))
                .collect();
            let row = rows
                .iter()
                .find(|r| r.year == year && r.level == level.as_str());
            mi.title = format!(
                "{name} {}学位缺口 {year} ({} seat gap)",
                level_zh(level),
                level.as_str()
            )
            .trim()
            .to_string();
            mi.subtitle = match row {
                Some(r) => format!(
                    "预测 forecast {year} | 起点 origin {} | 学生 students {} | 学位 seats {} | 缺位 short {} ({} 班 classes, {} 校 schools)",
                    f.origin,
                    r.students,
                    r.seats,
                    r.short_students,
                    r.short_classes,
                    r.schools_short
                ),
                None => format!(
                    "预测 forecast {year} | 起点 origin {} | 本学段无预测 no forecast for this level",
                    f.origin
                ),
            };
            mi.date_note = format!(
                "预测年份 forecast year {year} · 历史至 history to {}",
                f.origin
            );
            mi.gap = Some(GapLayer {
                year,
                class_size: policy.class_size(level),
                gaps: layer_gaps,
            });
            let (png, svg) = render_map(&mi);
            let (svg_page, legend) = page_map(mi);
            maps.push(Figure {
                caption: format!(
                    "{year} 年{}学位缺口：各校学区按预测缺口着色（班额 {}）。 {year} {} seat gap: each zone coloured by its school's forecast gap (class size {}).",
                    level_zh(level),
                    policy.class_size(level),
                    level.as_str(),
                    policy.class_size(level)
                ),
                svg: svg_page,
                legend: Some(legend),
            });
            files.push((format!("forecast_{}_{year}", level.as_str()), png, svg));
        }
    }

    (maps, files)
}

/// Charts: the county, then the schools short of seats in some year
/// (largest shortage first, at most six).
fn forecast_charts(
    loaded: &Loaded,
    history: &History,
    f: &Forecast,
    gaps: &BTreeMap<(i32, Level, usize), YearGap>,
) -> Vec<Figure> {
    let (scenario, policy) = (&loaded.scenario, &loaded.scenario.policy);
    let mut charts = Vec::new();
    let history_total = |school: Option<usize>| -> Vec<(i32, f64)> {
        let mut by_year: BTreeMap<i32, f64> = BTreeMap::new();
        for (yi, &year) in history.years().iter().enumerate() {
            for (k, _) in history.schools().iter().enumerate() {
                if school.is_some_and(|s| s != k) {
                    continue;
                }
                for (gi, _) in history.grades().iter().enumerate() {
                    if let Some(n) = history.cell(yi, k, gi) {
                        *by_year.entry(year).or_default() += n as f64;
                    }
                }
            }
        }
        by_year.into_iter().collect()
    };
    let seats_of = |sid: &str| -> Option<f64> {
        let s = loaded.schools.iter().find(|s| s.id == sid)?;
        let mut total = 0u64;
        for level in Level::ALL {
            if history.grades().iter().any(|&g| {
                level_of(g) == Some(level) && history.students(f.origin, sid, g).is_some()
            }) {
                total += s.seats(level, policy).unwrap_or(0) as u64 * grades_of(level);
            }
        }
        (total > 0).then_some(total as f64)
    };
    let subtitle = format!(
        "{}起点 origin {} · 入学 entry: {:?} · 80% 预测区间 interval",
        scenario
            .name
            .as_deref()
            .map_or(String::new(), |n| format!("{n} · ")),
        f.origin,
        f.entry_method
    );
    let county_seats: f64 = history.schools().iter().filter_map(|s| seats_of(s)).sum();
    let county = ChartInput {
        title: "全县在校生预测 county students forecast".into(),
        subtitle: subtitle.clone(),
        synthetic: scenario.synthetic,
        history: history_total(None),
        forecast: f
            .totals
            .iter()
            .filter(|t| t.school_id.is_none())
            .map(|t| (t.year, t.students, t.low, t.high))
            .collect(),
        seats: (county_seats > 0.0).then_some(county_seats),
        legend_outside: true,
    };
    let (_, svg) = render_chart(&county);
    charts.push(Figure {
        caption: "全县在校生（历史与预测）及学位总数。 County students, history and forecast, against all seats."
            .into(),
        svg,
        legend: Some(chart::legend(&county)),
    });
    let mut short: BTreeMap<usize, i64> = BTreeMap::new();
    for (&(_, _, j), g) in gaps {
        let s = g.gap().students;
        if s > 0 {
            let e = short.entry(j).or_default();
            *e = (*e).max(s);
        }
    }
    let mut short: Vec<(usize, i64)> = short.into_iter().collect();
    short.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for &(j, most) in short.iter().take(6) {
        let s = &loaded.schools[j];
        let Some(k) = history.schools().iter().position(|x| x == &s.id) else {
            continue;
        };
        let input = ChartInput {
            title: format!("{} {} 学生预测 students forecast", s.name, s.id),
            subtitle: subtitle.clone(),
            synthetic: scenario.synthetic,
            history: history_total(Some(k)),
            forecast: f
                .totals
                .iter()
                .filter(|t| t.school_id.as_deref() == Some(s.id.as_str()))
                .map(|t| (t.year, t.students, t.low, t.high))
                .collect(),
            seats: seats_of(&s.id),
            legend_outside: true,
        };
        let (_, svg) = render_chart(&input);
        charts.push(Figure {
            caption: format!(
                "{} {}：预测最多缺位 {most} 人。 Forecast at most {most} students over its seats.",
                s.id, s.name
            ),
            svg,
            legend: Some(chart::legend(&input)),
        });
    }
    charts
}

/// What-if scenarios, each planned as `plan --config` would.
fn comparison(
    this: &str,
    loaded: &Loaded,
    levels: &[LevelAssignment],
    others: &[PathBuf],
) -> Result<Vec<CompareRow>, CliError> {
    let row = |label: &str, l: &Loaded, la: &LevelAssignment| {
        // Day pupils' travel (boarding pupils go home weekly).
        let current = l.current.as_ref().map(|c| c[la.level.index()].as_slice());
        let [day, _] = day_and_boarding(&l.schools, &l.scenario.policy, la, current);
        let (mean_m, p95_m, max_m) = (day.mean_travel_m, day.p95_travel_m, day.max_travel_m);
        CompareRow {
            scenario: label.to_string(),
            level: la.level.as_str().into(),
            students: la.students,
            placed: la.placed(),
            seats: la.seats.iter().map(|&s| s as u64).sum(),
            mean_m,
            p95_m,
            max_m,
            moved: l.current.as_ref().map(|c| moved(la, &c[la.level.index()])),
        }
    };
    if others.is_empty() {
        return Ok(vec![]);
    }
    let mut rows: Vec<CompareRow> = levels.iter().map(|la| row(this, loaded, la)).collect();
    let mut labels = vec![this.to_string()];
    for path in others {
        let (other, lv) = super::inputs::plan_scenario(path)?;
        let label = super::inputs::unique_label(path, &labels);
        labels.push(label.clone());
        rows.extend(lv.iter().map(|la| row(&label, &other, la)));
    }
    Ok(rows)
}

/// The catchment maps of each level, staged, and as figures for the page.
fn level_maps(
    loaded: &Loaded,
    levels: &[LevelAssignment],
    shapes: &[Vec<geo::MultiPolygon<f64>>],
    staged: &mut Staged,
) -> Vec<Figure> {
    let mut maps = Vec::new();
    for (la, zs) in levels.iter().zip(shapes) {
        let mi = map_input(loaded, la, zs);
        let (png, svg) = render_map(&mi);
        staged.add(format!("maps/{}.png", la.level.as_str()), png);
        staged.add(format!("maps/{}.svg", la.level.as_str()), svg);
        let (svg, legend) = page_map(mi);
        maps.push(Figure {
            caption: format!(
                "{}入学划片：学区按学校着色；学校标记大小表示学位，颜色表示利用率。 {} catchments: zones in their school's colour; school markers sized by seats, coloured by utilisation.",
                level_zh(la.level),
                match la.level {
                    Level::Primary => "Primary",
                    Level::Junior => "Junior middle",
                }
            ),
            svg,
            legend: Some(legend),
        });
    }

    maps
}

/// A map for the page: drawn without its legend panel (a panel inside a
/// map scaled to A4 prints at about 4 pt), and the legend the panel would
/// show, which the page writes under it at its text size.
fn page_map(mut mi: MapInput) -> (String, crate::render::legend::Legend) {
    mi.legend_outside = true;
    (map::render_svg(&mi), map::legend(&mi))
}

/// Schools: as schools.csv, with the mean travel of their students.
fn school_table(loaded: &Loaded, levels: &[LevelAssignment]) -> Vec<SchoolRow> {
    let (schools, policy) = (&loaded.schools, &loaded.scenario.policy);
    // Each level's per-school figures, as the planning engine gives them.
    let figures: Vec<Vec<crate::plan::SchoolRow>> = levels
        .iter()
        .map(|la| crate::plan::school_rows(schools, la, None))
        .collect();
    let mut school_rows = Vec::new();
    for (j, sc) in schools.iter().enumerate() {
        for (la, figures) in levels.iter().zip(&figures) {
            let Some(seats) = sc.seats(la.level, policy) else {
                continue;
            };
            let mean_travel_m = figures
                .iter()
                .find(|r| r.school == j && r.assigned > 0)
                .map(|r| r.mean_travel_m);
            school_rows.push(SchoolRow {
                id: sc.id.clone(),
                name: sc.name.clone(),
                level: la.level.as_str().into(),
                boarding: sc.boarding,
                seats,
                assigned: la.assigned[j],
                classes_needed: la.assigned[j].div_ceil(sc.class_size(la.level, policy) as u64),
                mean_travel_m,
            });
        }
    }
    school_rows
}

/// The unplaced students, ids masked.
fn unplaced_rows(loaded: &Loaded, levels: &[LevelAssignment]) -> Vec<UnplacedRow> {
    let units = &loaded.units;
    let mut unplaced = Vec::new();
    for la in levels {
        for p in la.placements.iter().filter(|p| p.school.is_none()) {
            let u = &units[p.unit];
            let area: Vec<&str> = [u.town.as_deref(), u.village.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            unplaced.push(UnplacedRow {
                masked_id: mask_id(&u.id),
                area: area.join(" "),
                level: la.level.as_str().into(),
                students: p.students,
                reason: p.reason.map_or("", |r| r.as_str()).into(),
            });
        }
    }

    unplaced
}

/// Students moved against today's zones: from -> to per level (largest
/// first), and each level's total. `None` without today's zones.
#[allow(clippy::type_complexity)]
fn move_rows(
    loaded: &Loaded,
    levels: &[LevelAssignment],
) -> (Option<Vec<MoveRow>>, Vec<(String, u64)>) {
    let schools = &loaded.schools;
    let school_label = |j: usize| match schools.get(j) {
        Some(s) => format!("{} {}", s.id, s.name),
        None => format!(
            "{} (关闭 closed)",
            loaded
                .closed
                .get(j - schools.len())
                .map_or("", String::as_str)
        ),
    };
    match &loaded.current {
        None => (None, vec![]),
        Some(c) => {
            let mut agg: BTreeMap<(Level, usize, usize), u64> = BTreeMap::new();
            let mut totals = Vec::new();
            for la in levels {
                let cur = &c[la.level.index()];
                for p in &la.placements {
                    if let (Some(to), Some(from)) = (p.school, cur[p.unit])
                        && to != from
                    {
                        *agg.entry((la.level, from, to)).or_default() += p.students as u64;
                    }
                }
                totals.push((la.level.as_str().to_string(), moved(la, cur)));
            }
            let mut rows: Vec<((Level, usize, usize), u64)> = agg.into_iter().collect();
            rows.sort_by(|a, b| a.0.0.cmp(&b.0.0).then(b.1.cmp(&a.1)).then(a.0.cmp(&b.0)));
            (
                Some(
                    rows.into_iter()
                        .map(|((level, from, to), n)| MoveRow {
                            level: level.as_str().into(),
                            from: school_label(from),
                            to: school_label(to),
                            students: n,
                        })
                        .collect(),
                ),
                totals,
            )
        }
    }
}

/// A distance for a headline: metres under a kilometre, else km.
fn distance_text(m: f64) -> String {
    if m < 1000.0 {
        format!("{m:.0} m")
    } else {
        format!("{:.1} km", m / 1000.0)
    }
}

/// Headline cards: per level the entry cohort (students, unplaced, seats,
/// day pupils' travel, boarding pupils apart), then moves, then the
/// forecast (all grades, each school's shortfall summed beside the county's
/// net, labelled apart from the plan's unplaced).
fn headline(
    loaded: &Loaded,
    levels: &[LevelAssignment],
    moved_totals: &[(String, u64)],
    fc: Option<&ForecastOut>,
) -> Vec<Headline> {
    let schools = &loaded.schools;
    let mut headline = Vec::new();
    for la in levels {
        let (zh, en) = (level_zh(la.level), la.level.as_str());
        let placed = la.placed();
        let seats: u64 = la.seats.iter().map(|&s| s as u64).sum();
        let current = loaded
            .current
            .as_ref()
            .map(|c| c[la.level.index()].as_slice());
        let [day, boarding] = day_and_boarding(schools, &loaded.scenario.policy, la, current);
        let full = (0..schools.len())
            .filter(|&j| la.seats[j] > 0 && la.assigned[j] >= la.seats[j] as u64)
            .count();
        headline.push(Headline {
            zh: format!("{zh}入学学生（入学年级）"),
            en: format!("{en} entry students (entry grade)"),
            value: la.students.to_string(),
            alert: false,
        });
        headline.push(Headline {
            zh: format!("{zh}本次划片未安置"),
            en: format!("{en} unplaced by this plan"),
            value: (la.students - placed).to_string(),
            alert: la.students > placed,
        });
        headline.push(Headline {
            zh: format!("{zh}入学学位使用 (满员 {full} 校)"),
            en: format!("{en} entry seats used ({full} schools full)"),
            value: format!(
                "{placed}/{seats} ({:.0}%)",
                if seats > 0 {
                    placed as f64 / seats as f64 * 100.0
                } else {
                    0.0
                }
            ),
            alert: false,
        });
        headline.push(Headline {
            zh: format!("{zh}走读生平均上学距离 ({} 人)", day.students),
            en: format!("{en} day pupils' mean travel ({} pupils)", day.students),
            value: distance_text(day.mean_travel_m),
            alert: false,
        });
        if boarding.students > 0 {
            headline.push(Headline {
                zh: format!("{zh}寄宿生 (每周往返，平均离家)"),
                en: format!("{en} boarding pupils (weekly; mean from home)"),
                value: format!(
                    "{} · {}",
                    boarding.students,
                    distance_text(boarding.mean_travel_m)
                ),
                alert: false,
            });
        }
    }
    for (l, n) in moved_totals {
        headline.push(Headline {
            zh: format!(
                "{}调整学校",
                level_zh(if l == "primary" {
                    Level::Primary
                } else {
                    Level::Junior
                })
            ),
            en: format!("{l} students moved"),
            value: n.to_string(),
            alert: false,
        });
    }
    if let Some(fc) = fc
        && let Some(&y) = fc.part.map_years.first()
    {
        let rows = fc.part.rows.iter().filter(|r| r.year == y);
        let (short, classes, students, seats) = rows.fold((0, 0, 0, 0), |a, r| {
            (
                a.0 + r.short_students,
                a.1 + r.short_classes,
                a.2 + r.students,
                a.3 + r.seats,
            )
        });
        headline.push(Headline {
            zh: format!("{y} 年预测：各校缺位合计（全校各年级）"),
            en: format!("forecast {y}: sum of schools' shortfalls (all grades)"),
            value: format!("{short} ({classes} 班 classes)"),
            alert: short > 0,
        });
        headline.push(Headline {
            zh: format!("{y} 年预测：全县学位净余（学位 - 学生）"),
            en: format!("forecast {y}: county net spare seats (seats - students)"),
            value: (seats - students).to_string(),
            alert: seats < students,
        });
    }

    headline
}

/// How the plan was made, in a few lines.
fn method_notes(loaded: &Loaded, travel_text: &str, forecast: bool) -> Vec<String> {
    let policy = &loaded.scenario.policy;
    let (units, schools) = (&loaded.units, &loaded.schools);
    let stability = loaded.scenario.stability_m_per_student;
    let z = loaded.scenario.zones;
    let mut method = vec![
        format!(
            "输入 inputs: {} ({} units, {} schools).",
            loaded.describe(),
            units.len(),
            schools.len()
        ),
        format!(
            "入学年份 entry year {}; 出生截止 born by {}-{} (primary), class sizes {} / {}, travel limits {} m / {} m (primary / junior day pupils).",
            policy.entry_year,
            policy.entry_year - policy.entry_age as i32,
            policy.cutoff,
            policy.class_size(Level::Primary),
            policy.class_size(Level::Junior),
            policy.max_travel_m(Level::Primary),
            policy.max_travel_m(Level::Junior)
        ),
        format!(
            "{travel_text}; 分配 assignment: exact minimum total travel under seats and limits (certified), {}{}.",
            if z.whole_units || z.feeder {
                "whole units (gap to the exact bound in summary.json)"
            } else {
                "units may be split between schools"
            },
            if z.contiguous {
                ", zones made contiguous"
            } else {
                ""
            }
        ),
    ];
    if loaded.current.is_some() {
        method.push(format!(
            "稳定权重 stability: moving a child must save {} m of travel.",
            stability
        ));
    }
    if forecast {
        method.push(
            "预测 forecast: cohort progression by school and grade from the enrollment history, entry by the method with the lowest backtest error; seats = entry seats x grades (6 primary, 3 junior); gap = students - seats."
                .into(),
        );
    }
    method.push(
        "日期均为方案日期，非运行时间。 Dates are the scenario's, not the time of the run.".into(),
    );

    method
}

pub fn run(args: &ReportArgs) -> Result<i32, CliError> {
    if !(1..=30).contains(&args.horizon) {
        return Err(CliError::Usage(format!(
            "--horizon {}: expected 1 to 30 years",
            args.horizon
        )));
    }
    super::check_out(&args.out)?;
    let spinner = super::say::Spinner::start("planning, forecasting and drawing the report");
    for c in &args.compare {
        if !c.is_file() {
            return Err(CliError::Usage(format!(
                "--compare {}: no such scenario file",
                c.display()
            )));
        }
    }
    let loaded = load(&args.inputs)?;
    let levels = solve_loaded(&loaded)?;
    let clip = zone_clip(&loaded);
    // The maps' zones: boarding pupils' home areas apart (the report
    // writes no catchments file).
    let shapes = map_shapes(&loaded, &levels, &clip);
    let policy = &loaded.scenario.policy;

    let mut staged = Staged::default();
    let maps = level_maps(&loaded, &levels, &shapes, &mut staged);
    let school_rows = school_table(&loaded, &levels);
    let unplaced = unplaced_rows(&loaded, &levels);
    let (moves, moved_totals) = move_rows(&loaded, &levels);
    let fc = forecast_part(&loaded, &levels, &shapes, args)?;
    if let Some(fc) = &fc {
        for (stem, png, svg) in &fc.files {
            staged.add(format!("maps/{stem}.png"), png.clone());
            staged.add(format!("maps/{stem}.svg"), svg.clone());
        }
    }
    let this = args
        .inputs
        .config
        .as_ref()
        .and_then(|c| c.file_stem())
        .map_or("本方案 this plan".to_string(), |s| {
            s.to_string_lossy().to_string()
        });
    let comparison = comparison(&this, &loaded, &levels, &args.compare)?;

    let headline = headline(&loaded, &levels, &moved_totals, fc.as_ref());

    let name = loaded.scenario.name.clone().unwrap_or_default();
    let travel_text = if loaded.roads.is_some() {
        "道路距离 road travel"
    } else {
        "直线距离 straight-line travel"
    };
    let method = method_notes(&loaded, travel_text, fc.is_some());
    let report = ReportInput {
        title: format!(
            "{name} 义务教育入学划片报告 {} · School catchment report",
            policy.entry_year
        )
        .trim()
        .to_string(),
        synthetic: loaded.scenario.synthetic,
        subtitle: format!(
            "入学年份 entry year {} · 普查日 census {} · {travel_text}",
            policy.entry_year,
            policy.census_date()
        ),
        headline,
        maps,
        schools: school_rows,
        unplaced,
        moves,
        moved_totals,
        forecast: fc.map(|f| f.part),
        comparison,
        method,
        notice: Some(crate::plan::notice::build_notice(&loaded, &levels, None)),
    };
    let html = render_report(&report).map_err(|e| CliError::Internal(e.to_string()))?;
    let size = html.len();
    staged.add("report.html", html);
    let names: Vec<String> = staged.names().map(|p| p.display().to_string()).collect();
    staged
        .commit(&args.out)
        .map_err(|e| CliError::Write(format!("{}: {e}", args.out.display())))?;
    let unplaced_n: u64 = levels.iter().map(|l| l.students - l.placed()).sum();
    spinner.clear();
    crate::say!(
        "report of {} (entry year {}): {} students, {} unplaced",
        loaded.describe(),
        policy.entry_year,
        levels.iter().map(|l| l.students).sum::<u64>(),
        unplaced_n
    );
    crate::say!(
        "wrote {}/report.html ({} KB) and {} maps: {}",
        args.out.display(),
        size.div_ceil(1024),
        names.len() - 1,
        names
            .iter()
            .filter(|n| n.as_str() != "report.html")
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    );
    // A report describes; it leaves no child without a seat (`plan` and
    // `compare` exit 1 for that): exit 0, the unplaced are in the report.
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gap_in_classes() {
        let g = |students: f64, seats: u64| {
            YearGap {
                students,
                seats,
                class_size: 45,
            }
            .gap()
        };
        assert_eq!(
            g(270.0, 270),
            SchoolGap {
                students: 0,
                classes: 0
            }
        );
        assert_eq!(
            g(271.0, 270),
            SchoolGap {
                students: 1,
                classes: 1
            }
        );
        assert_eq!(
            g(360.4, 270),
            SchoolGap {
                students: 90,
                classes: 2
            }
        );
        assert_eq!(
            g(226.0, 270),
            SchoolGap {
                students: -44,
                classes: 0
            }
        );
        assert_eq!(
            g(225.0, 270),
            SchoolGap {
                students: -45,
                classes: -1
            }
        );
    }

    #[test]
    fn year_of_the_largest_gap() {
        let r = |year, short_students, students, seats| ForecastRow {
            year,
            level: "primary".into(),
            students,
            seats,
            short_students,
            short_classes: 0,
            schools_short: 0,
        };
        // Shortage decides, then students - seats, then the earliest year.
        let rows = [
            r(2024, 10, 900, 600),
            r(2025, 30, 500, 600),
            r(2026, 20, 700, 600),
        ];
        assert_eq!(largest_gap_year(&rows), Some(2025));
        let rows = [
            r(2024, 30, 500, 600),
            r(2025, 30, 700, 600),
            r(2026, 30, 700, 600),
        ];
        assert_eq!(largest_gap_year(&rows), Some(2025));
        // No shortage anywhere: the largest students - seats.
        let rows = [
            r(2024, 0, 500, 600),
            r(2025, 0, 580, 600),
            r(2026, 0, 550, 600),
        ];
        assert_eq!(largest_gap_year(&rows), Some(2025));
        assert_eq!(largest_gap_year(&[]), None);
    }
}
