//! The self-contained HTML report: one file that a bureau director opens in
//! any browser, offline, and prints on A4. Headline figures, the catchment
//! maps (inline SVG), the school table, the public catchment notice
//! (`render::notice`), the unplaced list (ids masked),
//! moves against today's zones, the forecast (charts, gap table and gap
//! maps) and the scenario comparison; headings in Chinese and English.
//!
//! Everything is inline: CSS, SVG, and the fonts' glyphs as an
//! `@font-face` data URL holding only the characters the page uses. The
//! page makes no network request and names no external URL. Pure: data in,
//! a string out; dates are the scenario's, never the clock.

use super::font::{FontError, SVG_FAMILY_LIST, strip_embedded_font};
pub use super::html::esc;
use super::html::page;
use super::legend::{Legend, Rgb, Swatch};
use super::notice::{NOTICE_CSS, notice_section};
use crate::plan::notice::Notice;
use std::fmt::Write;

/// A headline figure: label (Chinese, English) and value.
#[derive(Clone, Debug, PartialEq)]
pub struct Headline {
    pub zh: String,
    pub en: String,
    pub value: String,
    /// Draws attention (e.g. unplaced students, schools over seats).
    pub alert: bool,
}

/// A figure: an SVG document (as `render_map` or `render_chart` give it),
/// its legend and its caption.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    pub caption: String,
    pub svg: String,
    /// Written under the figure at the page's text size (the figure drawn
    /// without its own legend: scaled to A4, a legend drawn inside it would
    /// print at a few points).
    pub legend: Option<Legend>,
}

/// One row of the school table.
#[derive(Clone, Debug, PartialEq)]
pub struct SchoolRow {
    pub id: String,
    pub name: String,
    pub level: String,
    pub boarding: bool,
    pub seats: u32,
    pub assigned: u64,
    pub classes_needed: u64,
    /// Student-weighted mean travel of its students, metres.
    pub mean_travel_m: Option<f64>,
}

/// Unplaced students of one unit, with the id masked for publication.
#[derive(Clone, Debug, PartialEq)]
pub struct UnplacedRow {
    pub masked_id: String,
    pub area: String,
    pub level: String,
    pub students: u32,
    pub reason: String,
}

/// Students moved from one current zone's school to another school.
#[derive(Clone, Debug, PartialEq)]
pub struct MoveRow {
    pub level: String,
    pub from: String,
    pub to: String,
    pub students: u64,
}

/// Forecast figures of one year and level, county-wide.
#[derive(Clone, Debug, PartialEq)]
pub struct ForecastRow {
    pub year: i32,
    pub level: String,
    pub students: i64,
    pub seats: i64,
    /// Sum over schools of students beyond seats (shortages only).
    pub short_students: i64,
    /// Sum over schools of the classes short.
    pub short_classes: i64,
    /// Schools short of seats.
    pub schools_short: usize,
}

/// The forecast part of the report.
#[derive(Clone, Debug, PartialEq)]
pub struct ForecastPart {
    pub origin: i32,
    pub method: String,
    pub rows: Vec<ForecastRow>,
    /// The years the gap maps show, and why the first was chosen.
    pub map_years: Vec<i32>,
    pub year_note: String,
    pub charts: Vec<Figure>,
    pub maps: Vec<Figure>,
}

/// One scenario at one level, for the comparison table.
#[derive(Clone, Debug, PartialEq)]
pub struct CompareRow {
    pub scenario: String,
    pub level: String,
    pub students: u64,
    pub placed: u64,
    pub seats: u64,
    pub mean_m: f64,
    pub p95_m: f64,
    pub max_m: f64,
    pub moved: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct ReportInput {
    pub title: String,
    pub synthetic: bool,
    /// "入学年份 entry year 2023 · 普查 census 2023-08-31 · ..."
    pub subtitle: String,
    pub headline: Vec<Headline>,
    pub maps: Vec<Figure>,
    pub schools: Vec<SchoolRow>,
    pub unplaced: Vec<UnplacedRow>,
    /// `None`: no current zones were given.
    pub moves: Option<Vec<MoveRow>>,
    /// Moved students per level, e.g. ("primary", 334).
    pub moved_totals: Vec<(String, u64)>,
    pub forecast: Option<ForecastPart>,
    /// Empty: no what-if scenario given.
    pub comparison: Vec<CompareRow>,
    /// How the numbers were made (travel, solver, options), one per line.
    pub method: Vec<String>,
    /// The public notice (`notice.html`'s content), when made.
    pub notice: Option<Notice>,
}

/// Mask the middle of an id for publication: "H000123" -> "H0***23".
pub fn mask_id(id: &str) -> String {
    let c: Vec<char> = id.chars().collect();
    let keep = match c.len() {
        0..=2 => 0,
        3..=5 => 1,
        _ => 2,
    };
    let mut s: String = c[..keep].iter().collect();
    s.push_str(&"*".repeat(c.len() - 2 * keep));
    s.extend(&c[c.len() - keep..]);
    s
}

/// An SVG document made fit to inline in HTML: no XML declaration, no
/// namespace URL (HTML parsers put `<svg>` in the SVG namespace without
/// it), scaled to the page width, text in the embedded font first.
pub fn inline_svg(svg: &str) -> String {
    // The page embeds one font for all; the figure's own goes.
    let svg = &strip_embedded_font(svg);
    let body = match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    };
    let body = body
        .replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
        .replace(" xmlns:xlink=\"http://www.w3.org/1999/xlink\"", "");
    // Fixed pixel sizes would overflow A4: the viewBox keeps the aspect.
    let body = match (body.find(" width=\""), body.find('>')) {
        (Some(w), Some(end)) if w < end => {
            let head = &body[..end];
            let rest = &body[end..];
            let head = strip_attr(&strip_attr(head, "width"), "height");
            format!("{head} role=\"img\"{rest}")
        }
        _ => body,
    };
    // The page's CSS gives SVG text the embedded font (CSS outranks
    // presentation attributes); attributes that repeat defaults go, which
    // keeps the page small (a map has a thousand dots).
    body.replace(&format!(" font-family=\"{SVG_FAMILY_LIST}\""), "")
        .replace(" opacity=\"1\"", "")
        .replace(" stroke=\"none\" stroke-width=\"1\"", " stroke=\"none\"")
}

/// `tag` without the first ` name="..."` attribute.
fn strip_attr(tag: &str, name: &str) -> String {
    let key = format!(" {name}=\"");
    match tag.find(&key) {
        Some(i) => {
            let after = &tag[i + key.len()..];
            match after.find('"') {
                Some(j) => format!("{}{}", &tag[..i], &after[j + 1..]),
                None => tag.to_string(),
            }
        }
        None => tag.to_string(),
    }
}

fn metres(m: f64) -> String {
    if m < 1000.0 {
        format!("{m:.0} m")
    } else {
        format!("{:.1} km", m / 1000.0)
    }
}

fn level_zh(level: &str) -> &'static str {
    match level {
        "primary" => "小学 primary",
        "junior" => "初中 junior",
        _ => "",
    }
}

fn reason_zh(reason: &str) -> &'static str {
    match reason {
        "no_school_in_reach" => "距离内无学校 no school in reach",
        "capacity_short" => "学位不足 seats short",
        "no_road_connection" => "无道路连通 no road connection",
        _ => "",
    }
}

const CSS: &str = "
:root { --ink: #222; --muted: #666; --rule: #ccc; --alert: #b71c1c; --ok: #2c7a2c; --warn: #b36b00; }
* { box-sizing: border-box; }
body { font-family: FAMILY; color: var(--ink); margin: 0 auto; max-width: 190mm; padding: 8mm 4mm; line-height: 1.45; font-size: 10.5pt; }
h1 { font-size: 19pt; margin: 0 0 2mm; }
h2 { font-size: 14pt; margin: 7mm 0 2mm; border-bottom: 1.5px solid var(--ink); padding-bottom: 1mm; break-after: avoid; }
h3 { font-size: 11.5pt; margin: 4mm 0 1mm; break-after: avoid; }
.en { color: var(--muted); font-weight: normal; }
.sub { color: var(--muted); margin: 0 0 3mm; }
.synthetic { border: 2px solid var(--alert); color: var(--alert); padding: 2mm 3mm; margin: 2mm 0 4mm; font-weight: bold; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 2mm; }
.card { border: 1px solid var(--rule); border-radius: 2mm; padding: 2mm 3mm; break-inside: avoid; }
.card .v { font-size: 15pt; font-weight: bold; }
.card .l { font-size: 8.5pt; color: var(--muted); }
.card.alert .v { color: var(--alert); }
figure { margin: 3mm 0; break-inside: avoid; }
figure svg { width: 100%; height: auto; display: block; border: 1px solid var(--rule); }
svg text { font-family: FAMILY; }
figcaption { font-size: 9pt; color: var(--muted); margin-top: 1mm; }
.legend { font-size: 9pt; line-height: 1.35; margin-top: 1.5mm; display: flex; flex-wrap: wrap; gap: 0.5mm 6mm; }
.legend .ls.list { flex-basis: 100%; }
.legend .lh { font-weight: bold; }
.legend ul { list-style: none; margin: 0; padding: 0; }
.legend .list ul { columns: 3; column-gap: 4mm; }
.legend .ls:not(.list) li { display: inline-block; margin-right: 4mm; }
.legend li { break-inside: avoid; }
.legend svg.sw { display: inline-block; width: 1.25em; height: 1.25em; border: none; vertical-align: -0.3em; margin-right: 1mm; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; margin: 2mm 0; }
th, td { border-bottom: 1px solid var(--rule); padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
th { background: #f2f2f2; font-weight: bold; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr { break-inside: avoid; }
thead { display: table-header-group; }
.band { display: inline-block; width: 2.6mm; height: 2.6mm; border-radius: 50%; margin-right: 1mm; vertical-align: -0.2mm; }
.b0 { background: #2ca02c; } .b1 { background: #ffb000; } .b2 { background: #d62728; }
.short { color: var(--alert); font-weight: bold; }
.spare { color: var(--ok); }
.note { font-size: 9pt; color: var(--muted); }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 3mm; }
ul.method { font-size: 9pt; color: var(--muted); padding-left: 5mm; }
@page { size: A4; margin: 12mm 10mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 9.5pt; }
  .pagebreak { break-before: page; }
  a { color: inherit; text-decoration: none; }
}
";

fn utilisation_class(u: f64) -> &'static str {
    if u > 1.0 {
        "b2"
    } else if u >= 0.85 {
        "b1"
    } else {
        "b0"
    }
}

fn figure(out: &mut String, f: &Figure) {
    let legend = f.legend.as_ref().map_or(String::new(), legend_html);
    let _ = writeln!(
        out,
        "<figure>{}{legend}<figcaption>{}</figcaption></figure>",
        inline_svg(&f.svg),
        esc(&f.caption)
    );
}

/// A figure's legend as HTML: its sections, each swatch a small inline
/// SVG, the text at the page's legend size (`.legend` in the CSS).
pub fn legend_html(l: &Legend) -> String {
    let mut o = String::from("<div class=\"legend\">");
    for sec in &l.sections {
        let class = match (sec.list, sec.inline) {
            (true, _) => "ls list",
            (_, true) => "ls inline",
            _ => "ls",
        };
        let _ = write!(o, "<div class=\"{class}\">");
        if let Some(h) = &sec.heading {
            let _ = write!(o, "<div class=\"lh\">{}</div>", esc(h));
        }
        o.push_str("<ul>");
        for it in &sec.items {
            let _ = write!(o, "<li>{}{}</li>", swatch_svg(it.swatch), esc(&it.text));
        }
        o.push_str("</ul></div>");
    }
    o.push_str("</div>\n");
    o
}

fn hex((r, g, b): Rgb) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// A legend swatch as a small SVG (20 x 20 units, centred on 0), drawn as
/// the map or chart draws it. A school marker's size swatch keeps the
/// size it prints at on a map scaled to the page.
fn swatch_svg(sw: Swatch) -> String {
    const GREY: &str = "#787878";
    let body = match sw {
        Swatch::Fill {
            rgb,
            alpha,
            outline,
        } => format!(
            "<rect x=\"-7\" y=\"-7\" width=\"14\" height=\"14\" fill=\"{}\" fill-opacity=\"{alpha}\"{}/>",
            hex(rgb),
            if outline { " stroke=\"#5a5a5a\"" } else { "" }
        ),
        Swatch::NewSchool(rgb) => format!(
            "<rect x=\"-7\" y=\"-7\" width=\"14\" height=\"14\" fill=\"{}\"/>\
             <rect x=\"-9\" y=\"-9\" width=\"18\" height=\"18\" fill=\"none\" stroke=\"#000\" stroke-width=\"2\"/>",
            hex(rgb)
        ),
        Swatch::Closed => "<circle r=\"7\" fill=\"#fff\" stroke=\"#6e6e6e\" stroke-width=\"2\"/>\
             <path d=\"M-4-4L4 4M-4 4L4-4\" stroke=\"#6e6e6e\" stroke-width=\"2\"/>"
            .into(),
        Swatch::MarkerSize { radius } => {
            // The map is 1020 px wide on the page's 190 mm (538.6 pt).
            let pt = (2 * radius + 2) as f64 * 538.6 / 1020.0;
            let r = 9.0 * radius as f64 / (radius as f64 + 1.0);
            return format!(
                "<svg class=\"sw\" viewBox=\"-10 -10 20 20\" style=\"width:{pt:.1}pt;height:{pt:.1}pt\" aria-hidden=\"true\">\
                 <circle r=\"{r:.2}\" fill=\"#969696\" stroke=\"#000\" stroke-width=\"{:.2}\"/></svg>",
                20.0 / (2 * radius + 2) as f64
            );
        }
        Swatch::DaySchool => format!("<path d=\"M0-8L-7 5H7Z\" fill=\"{GREY}\"/>"),
        Swatch::BoardingSchool => {
            format!("<rect x=\"-7\" y=\"-7\" width=\"14\" height=\"14\" fill=\"{GREY}\"/>")
        }
        Swatch::Household => format!("<circle r=\"5\" fill=\"{GREY}\"/>"),
        Swatch::BoardingHousehold => format!(
            "<rect x=\"-5\" y=\"-5\" width=\"10\" height=\"10\" fill=\"#fff\" stroke=\"{GREY}\" stroke-width=\"2\"/>"
        ),
        Swatch::BoardingArea => format!(
            "<rect x=\"-7\" y=\"-7\" width=\"14\" height=\"14\" fill=\"#e8e6e0\"/>\
             <path d=\"M-7 0L0-7M-7 7L7-7M0 7L7 0\" stroke=\"{GREY}\"/>\
             <rect x=\"-7\" y=\"-7\" width=\"14\" height=\"14\" fill=\"none\" stroke=\"{GREY}\"/>"
        ),
        Swatch::Unplaced => "<circle r=\"8\" fill=\"#fff\" stroke=\"#c80000\" stroke-width=\"2\"/>\
             <path d=\"M-5-5L5 5M-5 5L5-5\" stroke=\"#c80000\" stroke-width=\"2.5\"/>"
            .into(),
        Swatch::Line { rgb, dashed, dot } => {
            let c = hex(rgb);
            let dash = if dashed {
                " stroke-dasharray=\"4 3\""
            } else {
                ""
            };
            let dot = match dot {
                Some(true) => {
                    format!("<circle r=\"3\" fill=\"#fff\" stroke=\"{c}\" stroke-width=\"2\"/>")
                }
                Some(false) => format!("<circle r=\"3.5\" fill=\"{c}\"/>"),
                None => String::new(),
            };
            format!("<path d=\"M-10 0H10\" stroke=\"{c}\" stroke-width=\"2.5\"{dash}/>{dot}")
        }
    };
    format!("<svg class=\"sw\" viewBox=\"-10 -10 20 20\" aria-hidden=\"true\">{body}</svg>")
}

fn heading(out: &mut String, tag: &str, id: &str, zh: &str, en: &str) {
    let _ = writeln!(
        out,
        "<{tag} id=\"{id}\">{} <span class=\"en\">{}</span></{tag}>",
        esc(zh),
        esc(en)
    );
}

/// The page body (everything but the font), deterministic.
fn body(r: &ReportInput) -> String {
    let mut o = String::new();
    header_section(&mut o, r);
    headline_section(&mut o, r);
    maps_section(&mut o, r);
    schools_section(&mut o, r);
    catchment_notice_section(&mut o, r);
    unplaced_section(&mut o, r);
    moves_section(&mut o, r);
    forecast_section(&mut o, r);
    compare_section(&mut o, r);
    method_section(&mut o, r);
    o
}

/// The title band, with the synthetic-data note.
fn header_section(o: &mut String, r: &ReportInput) {
    let _ = writeln!(o, "<header><h1>{}</h1>", esc(&r.title));
    let _ = writeln!(o, "<p class=\"sub\">{}</p>", esc(&r.subtitle));
    if r.synthetic {
        o.push_str(
            "<p class=\"synthetic\">合成示例数据：学校、住户和道路均为虚构，仅供演示。 \
             Synthetic example data: schools, households and roads are invented, for demonstration only.</p>\n",
        );
    }
    o.push_str("</header>\n");
}

/// The headline figures, one card each.
fn headline_section(o: &mut String, r: &ReportInput) {
    heading(o, "h2", "headline", "主要数字", "Headline figures");
    o.push_str("<div class=\"cards\">\n");
    for h in &r.headline {
        let _ = writeln!(
            o,
            "<div class=\"card{}\"><div class=\"v\">{}</div><div class=\"l\">{}<br>{}</div></div>",
            if h.alert { " alert" } else { "" },
            esc(&h.value),
            esc(&h.zh),
            esc(&h.en)
        );
    }
    o.push_str("</div>\n");
}

/// The catchment maps.
fn maps_section(o: &mut String, r: &ReportInput) {
    heading(o, "h2", "maps", "入学划片图", "Catchment maps");
    for f in &r.maps {
        figure(o, f);
    }
}

/// Every school: seats, assigned, utilisation, classes, travel.
fn schools_section(o: &mut String, r: &ReportInput) {
    o.push_str("<div class=\"pagebreak\"></div>\n");
    heading(o, "h2", "schools", "学校", "Schools");
    o.push_str(
        "<table><thead><tr><th>编号 id</th><th>学校 school</th><th>学段 level</th>\
         <th class=\"n\">学位 seats</th><th class=\"n\">已分配 assigned</th>\
         <th class=\"n\">利用率 utilisation</th><th class=\"n\">需开班 classes</th>\
         <th class=\"n\">平均距离 mean travel</th></tr></thead><tbody>\n",
    );
    for s in &r.schools {
        let u = if s.seats > 0 {
            s.assigned as f64 / s.seats as f64
        } else {
            0.0
        };
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\"><span class=\"band {}\"></span>{:.0}%</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&s.id),
            esc(&s.name),
            if s.boarding { " (寄宿 boarding)" } else { "" },
            level_zh(&s.level),
            s.seats,
            s.assigned,
            utilisation_class(u),
            u * 100.0,
            s.classes_needed,
            s.mean_travel_m.map_or("-".into(), metres)
        );
    }
    o.push_str("</tbody></table>\n<p class=\"note\">利用率 utilisation: \
        <span class=\"band b0\"></span>&lt; 85% \
        <span class=\"band b1\"></span>85–100% \
        <span class=\"band b2\"></span>&gt; 100% (特殊需要儿童就近超额 special-needs children placed beyond the seats)</p>\n");
}

/// The public notice, as `notice.html` shows it but for the unit ids of
/// split villages (the report shows no full household id).
fn catchment_notice_section(o: &mut String, r: &ReportInput) {
    let Some(n) = &r.notice else { return };
    o.push_str("<div class=\"pagebreak\"></div>\n");
    heading(o, "h2", "notice", "招生片区公告", "Catchment notice");
    o.push_str(
        "<p class=\"note\">即 notice.html / notice.csv（catchment plan 写出），可单独打印张贴；部分村的单元编号见该文件。 \
         The notice catchment plan writes as notice.html and notice.csv, to print and post on its own; the ids of split villages' units are listed there.</p>\n",
    );
    notice_section(o, n, false);
}

/// The unplaced students (ids masked), or that there are none.
fn unplaced_section(o: &mut String, r: &ReportInput) {
    heading(o, "h2", "unplaced", "未安置学生", "Unplaced students");
    if r.unplaced.is_empty() {
        o.push_str("<p>全部学生均已安置。 Every student is placed.</p>\n");
    } else {
        o.push_str(
            "<p class=\"note\">编号已部分隐去，不含姓名。 Ids are partly masked; no names are shown.</p>\n\
             <table><thead><tr><th>单元 unit</th><th>地区 area</th><th>学段 level</th>\
             <th class=\"n\">学生 students</th><th>原因 reason</th></tr></thead><tbody>\n",
        );
        for u in &r.unplaced {
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{} <span class=\"en\">{}</span></td></tr>",
                esc(&u.masked_id),
                esc(&u.area),
                level_zh(&u.level),
                u.students,
                reason_zh(&u.reason),
                esc(&u.reason)
            );
        }
        o.push_str("</tbody></table>\n");
    }
}

/// Moves against the current zones, when given.
fn moves_section(o: &mut String, r: &ReportInput) {
    heading(
        o,
        "h2",
        "moves",
        "与现行学区相比的调整",
        "Moves against the current zones",
    );
    match &r.moves {
        None => {
            o.push_str("<p>未提供现行学区。 No current zones were given ([inputs] current).</p>\n")
        }
        Some(moves) => {
            let totals: Vec<String> = r
                .moved_totals
                .iter()
                .map(|(l, n)| format!("{} {n}", level_zh(l)))
                .collect();
            let _ = writeln!(
                o,
                "<p>调整学校的学生 students placed at another school than their current zone's: {}</p>",
                esc(&totals.join("; "))
            );
            if !moves.is_empty() {
                o.push_str(
                    "<table><thead><tr><th>学段 level</th><th>现学区学校 from</th>\
                     <th>新学校 to</th><th class=\"n\">学生 students</th></tr></thead><tbody>\n",
                );
                for m in moves {
                    let _ = writeln!(
                        o,
                        "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
                        level_zh(&m.level),
                        esc(&m.from),
                        esc(&m.to),
                        m.students
                    );
                }
                o.push_str("</tbody></table>\n");
            }
        }
    }
}

/// The forecast of students and seats, with its maps and charts, when given.
fn forecast_section(o: &mut String, r: &ReportInput) {
    o.push_str("<div class=\"pagebreak\"></div>\n");
    heading(
        o,
        "h2",
        "forecast",
        "学位预测",
        "Forecast of students and seats",
    );
    match &r.forecast {
        None => o.push_str(
            "<p>未提供历年在校生数据。 No enrollment history was given ([inputs] enrollment).</p>\n",
        ),
        Some(f) => {
            let _ = writeln!(
                o,
                "<p>起点 origin {} · 入学预测方法 entry method: {} · 80% 预测区间 prediction interval</p>",
                f.origin,
                esc(&f.method)
            );
            o.push_str(
                "<p class=\"note\">全校各年级的预测（不只是入学年级）。「各校缺位合计」把每所学校超出学位的学生数相加，\
                 不与其他学校的空余学位相抵；「全县净余」是全县学位减学生。二者都不是本次划片的未安置人数。 \
                 Forecast of whole schools (every grade, not the entry grade alone). \
                 \"Sum of schools' shortfalls\" adds each school's students beyond its seats, \
                 not offset by spare seats elsewhere; \"county net\" is all seats minus all students. \
                 Neither is the plan's unplaced count.</p>\n\
                 <table><thead><tr><th>年份 year</th><th>学段 level</th>\
                 <th class=\"n\">学生 students</th><th class=\"n\">学位 seats</th>\
                 <th class=\"n\">全县净余 county net spare</th>\
                 <th class=\"n\">各校缺位合计 sum of schools' shortfalls</th><th class=\"n\">缺班 classes short</th>\
                 <th class=\"n\">缺位学校 schools short</th></tr></thead><tbody>\n",
            );
            for row in &f.rows {
                let cls = if row.short_students > 0 { "short" } else { "spare" };
                let _ = writeln!(
                    o,
                    "<tr{}><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
                     <td class=\"n\">{}</td>\
                     <td class=\"n {cls}\">{}</td><td class=\"n {cls}\">{}</td><td class=\"n\">{}</td></tr>",
                    if f.map_years.contains(&row.year) {
                        " style=\"background:#fff4e0\""
                    } else {
                        ""
                    },
                    row.year,
                    level_zh(&row.level),
                    row.students,
                    row.seats,
                    row.seats - row.students,
                    row.short_students,
                    row.short_classes,
                    row.schools_short
                );
            }
            o.push_str("</tbody></table>\n");
            let _ = writeln!(o, "<p class=\"note\">{}</p>", esc(&f.year_note));
            heading(o, "h3", "forecast-maps", "学位缺口图", "Seat gap maps");
            for m in &f.maps {
                figure(o, m);
            }
            heading(o, "h3", "forecast-charts", "预测图", "Forecast charts");
            for c in &f.charts {
                figure(o, c);
            }
        }
    }
}

/// The what-if comparison, when given.
fn compare_section(o: &mut String, r: &ReportInput) {
    heading(o, "h2", "compare", "方案比较", "Scenario comparison");
    if r.comparison.is_empty() {
        o.push_str(
            "<p>未给出比较方案。 No what-if scenario was given (catchment report --compare B.toml).</p>\n",
        );
    } else {
        o.push_str(
            "<table><thead><tr><th>方案 scenario</th><th>学段 level</th>\
             <th class=\"n\">学生 students</th><th class=\"n\">已安置 placed</th>\
             <th class=\"n\">学位 seats</th><th class=\"n\">走读平均距离 day pupils' mean</th>\
             <th class=\"n\">走读 95% 距离 day p95</th><th class=\"n\">走读最远 day max</th>\
             <th class=\"n\">调整 moved</th></tr></thead><tbody>\n",
        );
        for c in &r.comparison {
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n{}\">{}</td>\
                 <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
                 <td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                esc(&c.scenario),
                level_zh(&c.level),
                c.students,
                if c.placed < c.students { " short" } else { "" },
                c.placed,
                c.seats,
                metres(c.mean_m),
                metres(c.p95_m),
                metres(c.max_m),
                c.moved.map_or("-".into(), |m| m.to_string())
            );
        }
        o.push_str("</tbody></table>\n");
    }
}

/// How the numbers were made.
fn method_section(o: &mut String, r: &ReportInput) {
    heading(o, "h2", "method", "方法说明", "How these numbers were made");
    o.push_str("<ul class=\"method\">\n");
    for m in &r.method {
        let _ = writeln!(o, "<li>{}</li>", esc(m));
    }
    o.push_str("</ul>\n");
}

/// The whole page. Errors only if the bundled font cannot be subset.
pub fn render_report(r: &ReportInput) -> Result<String, FontError> {
    page(&r.title, &format!("{CSS}{NOTICE_CSS}"), &body(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_the_middle_of_ids() {
        assert_eq!(mask_id("H000123"), "H0***23");
        assert_eq!(mask_id("AB"), "**");
        assert_eq!(mask_id("ABCD"), "A**D");
        assert_eq!(mask_id("户编号一二三"), "户编**二三");
    }

    #[test]
    fn inline_svg_has_no_url_and_scales() {
        let svg = format!(
            "<svg width=\"1400\" height=\"1100\" viewBox=\"0 0 1400 1100\" xmlns=\"http://www.w3.org/2000/svg\">\n<text font-family=\"{SVG_FAMILY_LIST}\">学</text></svg>"
        );
        let s = inline_svg(&svg);
        assert!(!s.contains("http"), "{s}");
        assert!(
            s.starts_with("<svg viewBox=\"0 0 1400 1100\" role=\"img\">"),
            "{s}"
        );
        assert!(!s.contains("font-family"), "{s}");
    }

    #[test]
    fn page_is_self_contained() {
        let r = ReportInput {
            title: "五寨县 <test>".into(),
            synthetic: true,
            subtitle: "入学年份 entry year 2023".into(),
            headline: vec![Headline {
                zh: "学生".into(),
                en: "students".into(),
                value: "965".into(),
                alert: false,
            }],
            unplaced: vec![UnplacedRow {
                masked_id: mask_id("H000777"),
                area: "砚城镇".into(),
                level: "primary".into(),
                students: 2,
                reason: "capacity_short".into(),
            }],
            ..Default::default()
        };
        let html = render_report(&r).expect("report");
        assert!(html.contains("五寨县 &lt;test&gt;"));
        assert!(html.contains("H0***77") && !html.contains("H000777"));
        assert!(html.contains("@font-face") && html.contains("data:font/otf;base64,"));
        assert!(!html.contains("http:") && !html.contains("https:"));
        assert!(html.contains("size: A4"));
        assert_eq!(render_report(&r).expect("again"), html);
    }
}
