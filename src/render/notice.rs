//! `notice.html`: the public notice (招生片区公告) as a bureau posts it, one
//! A4 document in Chinese first (English beside, smaller): per level, each
//! public school's villages grouped by town, the parts of split villages
//! by unit id, boarding schools' towns, the private schools (application
//! and lottery), the entry year and cutoff, and the place to sign and seal.
//!
//! [`notice_section`] is the part `report.html` carries too. Self-contained
//! as the report (`render::html`): no external URL, the glyphs embedded.
//! Pure: rows in, a string out; dates are the scenario's, never the clock.

use super::html::{esc, page, page_without_font};
use crate::model::Level;
use crate::plan::notice::{IdRange, LevelNotice, Notice, NoticeRow, RowKind, SchoolNotice};
use std::fmt::Write;

/// The notice's styles, every rule under `.notice` so the report can carry
/// them beside its own.
pub const NOTICE_CSS: &str = "
.notice { line-height: 1.6; }
.notice .en { color: #666; font-weight: normal; font-size: 0.85em; }
.notice .nt-issuer { text-align: center; color: #c00; font-size: 24pt; font-weight: bold; letter-spacing: 0.35em; margin: 2mm 0 1mm; }
.notice .nt-rule { border: 0; border-top: 2.5px solid #c00; margin: 0 0 5mm; }
.notice h1.nt-title { text-align: center; font-size: 17pt; margin: 0; border: 0; }
.notice p.nt-title-en { text-align: center; color: #666; margin: 0 0 5mm; font-size: 10pt; }
.notice p.nt-synthetic { border: 1.5px solid #b71c1c; color: #b71c1c; padding: 1mm 3mm; text-align: center; font-weight: bold; }
.notice p.nt-lead { text-indent: 2em; margin: 2mm 0; }
.notice h2.nt-level { font-size: 13pt; margin: 6mm 0 2mm; border-bottom: 1px solid #999; padding-bottom: 1mm; break-after: avoid; }
.notice .nt-school { margin: 0 0 3mm; padding: 1.5mm 0 1.5mm 3mm; border-left: 3px solid #c00; break-inside: avoid; }
.notice .nt-school h3 { font-size: 11.5pt; margin: 0 0 1mm; }
.notice .nt-id { color: #666; font-weight: normal; font-size: 9pt; }
.notice .nt-tag { border: 1px solid #c00; color: #c00; font-size: 8.5pt; padding: 0 1.2mm; margin-left: 1.5mm; font-weight: normal; }
.notice dl { margin: 0; display: grid; grid-template-columns: 21mm 1fr; column-gap: 2mm; row-gap: 0.8mm; }
.notice dt { font-weight: bold; }
.notice dd { margin: 0; }
.notice .nt-ids { font-size: 8.5pt; color: #333; }
.notice .nt-ids span { white-space: nowrap; }
.notice .nt-none { color: #666; }
.notice ol.nt-notes { padding-left: 6mm; margin: 1mm 0; }
.notice ol.nt-notes li { margin: 0.8mm 0; }
.notice .nt-foot { margin-top: 5mm; border-top: 1px solid #999; padding-top: 2mm; font-size: 9pt; }
.notice .nt-sign { margin: 10mm 0 0 auto; width: 70mm; text-align: center; line-height: 2.2; break-inside: avoid; }
";

/// The page's own frame around the notice (the report has its own).
const PAGE_CSS: &str = "
* { box-sizing: border-box; }
body { font-family: FAMILY; color: #222; margin: 0 auto; max-width: 190mm; padding: 10mm 6mm; font-size: 10.5pt; }
svg text { font-family: FAMILY; }
@page { size: A4; margin: 18mm 16mm 16mm; }
@media print { body { max-width: none; padding: 0; font-size: 10pt; } }
";

const NUMERALS: [&str; 6] = ["一", "二", "三", "四", "五", "六"];

/// The scenario name's Chinese part ("五寨县 Wuzhai" -> "五寨县") and the
/// rest ("Wuzhai").
fn area_names(area: &str) -> (String, String) {
    let mut zh = Vec::new();
    let mut en = Vec::new();
    for w in area.split_whitespace() {
        if !w.is_ascii() {
            zh.push(w);
        } else {
            en.push(w);
        }
    }
    (zh.join(""), en.join(" "))
}

/// The notice's title, Chinese then English.
pub fn notice_title(n: &Notice) -> (String, String) {
    let (zh, en) = area_names(&n.area);
    (
        format!("{zh} {}年义务教育招生片区公告", n.entry_year)
            .trim()
            .to_string(),
        format!("{en} {} enrollment catchment notice", n.entry_year)
            .trim()
            .to_string(),
    )
}

fn level_names(level: Level) -> (&'static str, &'static str) {
    match level {
        Level::Primary => ("小学", "Primary schools"),
        Level::Junior => ("初中", "Junior middle schools"),
    }
}

fn date_zh(d: chrono::NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

/// Ids as the page shows them: each range kept on one line, lines broken
/// between ranges; or where to find them.
fn ids_html(ids: &[IdRange], list_ids: bool) -> String {
    if !list_ids {
        return "编号见 notice.html <span class=\"en\">ids in notice.html</span>".into();
    }
    ids.iter()
        .map(|r| format!("<span>{}</span>", esc(&r.to_string())))
        .collect::<Vec<_>>()
        .join("； ")
}

/// The notice as a part of a page, headings from `h1` down: what
/// `notice.html` holds and what `report.html` carries. Without `list_ids`
/// the parts of split villages give their unit counts and point to
/// notice.html for the ids (the report shows no full household id).
pub fn notice_section(o: &mut String, n: &Notice, list_ids: bool) {
    let (zh, _) = area_names(&n.area);
    let (title, title_en) = notice_title(n);
    o.push_str("<article class=\"notice\">\n");
    let _ = writeln!(
        o,
        "<div class=\"nt-issuer\">{}教育局</div>\n<hr class=\"nt-rule\">",
        esc(&zh)
    );
    let _ = writeln!(
        o,
        "<h1 class=\"nt-title\">{}</h1>\n<p class=\"nt-title-en\">{}</p>",
        esc(&title),
        esc(&title_en)
    );
    if n.synthetic {
        o.push_str(
            "<p class=\"nt-synthetic\">示例数据（合成），非真实公告 · synthetic example data, not a real notice</p>\n",
        );
    }
    let _ = writeln!(
        o,
        "<p class=\"nt-lead\">按照义务教育免试就近入学的要求，现将{}{}年公办义务教育学校招生片区（划片范围）公告如下。\
         适龄儿童、少年按家庭所在村（社区）到片区学校报名入学。\
         <span class=\"en\">The catchments of the public schools for the {} intake: children enrol at the school of the \
         village or community they live in.</span></p>",
        esc(&zh),
        n.entry_year,
        n.entry_year
    );
    for (k, l) in n.levels.iter().enumerate() {
        level_part(o, l, NUMERALS.get(k).copied().unwrap_or(""), list_ids);
    }
    notes(o, n, list_ids);
    footer(o, n);
    o.push_str("</article>\n");
}

/// One level: each public school's block, then its private schools.
fn level_part(o: &mut String, l: &LevelNotice, numeral: &str, list_ids: bool) {
    let (zh, en) = level_names(l.level);
    let _ = writeln!(
        o,
        "<h2 class=\"nt-level\">{numeral}、{zh}招生片区 <span class=\"en\">{en}</span></h2>"
    );
    for s in &l.schools {
        school_block(o, s, list_ids);
    }
    if !l.private.is_empty() {
        let names: Vec<String> = l.private.iter().map(|(_, name)| esc(name)).collect();
        let _ = writeln!(
            o,
            "<div class=\"nt-school\"><h3>民办{zh} <span class=\"en\">private schools</span></h3>\
             <p>{}不划片，实行网上报名；报名人数超过招生计划时，以电脑随机派位（摇号）录取。\
             <span class=\"en\">Private schools take no catchment: they admit by application and, when \
             oversubscribed, by computer lottery.</span></p></div>",
            names.join("、")
        );
    }
}

/// Whole villages by town: "砚城镇：东城社区、西城社区".
fn whole_villages(rows: &[&NoticeRow]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let town = &rows[i].town;
        let mut names = Vec::new();
        while i < rows.len() && &rows[i].town == town {
            names.push(esc(&rows[i].village));
            i += 1;
        }
        let town = if town.is_empty() {
            "（未标注乡镇）".to_string()
        } else {
            esc(town)
        };
        parts.push(format!("<b>{town}</b>：{}", names.join("、")));
    }
    parts.join("；<br>")
}

/// A school's block: whole villages, parts, units with no village,
/// boarding towns.
fn school_block(o: &mut String, s: &SchoolNotice, list_ids: bool) {
    let of = |k: RowKind| s.rows.iter().filter(move |r| r.kind == k);
    if s.school.is_some() {
        let _ = writeln!(
            o,
            "<section class=\"nt-school\"><h3>{} <span class=\"nt-id\">{}</span>{}</h3><dl>",
            esc(&s.name),
            esc(&s.id),
            if s.boarding {
                "<span class=\"nt-tag\">寄宿制 boarding</span>"
            } else {
                ""
            }
        );
    } else {
        o.push_str(
            "<section class=\"nt-school\"><h3>未划入片区 <span class=\"en\">in no catchment: \
             no school in reach or seats short; the bureau places these children</span></h3><dl>\n",
        );
    }
    let whole: Vec<&NoticeRow> = of(RowKind::Village).collect();
    let _ = writeln!(
        o,
        "<dt>招生范围</dt><dd>{}</dd>",
        if whole.is_empty() {
            "<span class=\"nt-none\">无整村划入 <span class=\"en\">no whole village</span></span>"
                .to_string()
        } else {
            whole_villages(&whole)
        }
    );
    for r in of(RowKind::Part) {
        let _ = writeln!(
            o,
            "<dt>部分村</dt><dd><b>{} {}</b>的以下 {} 个单元 <span class=\"en\">these {} units</span>：\
             <span class=\"nt-ids\">{}</span></dd>",
            esc(&r.town),
            esc(&r.village),
            r.units,
            r.units,
            ids_html(&r.unit_ids, list_ids)
        );
    }
    for r in of(RowKind::NoVillage) {
        let _ = writeln!(
            o,
            "<dt>未标注村</dt><dd>{}未标注村的 {} 个单元 <span class=\"en\">no village given</span>：\
             <span class=\"nt-ids\">{}</span></dd>",
            if r.town.is_empty() {
                String::new()
            } else {
                format!("<b>{}</b> ", esc(&r.town))
            },
            r.units,
            ids_html(&r.unit_ids, list_ids)
        );
    }
    let towns: Vec<String> = of(RowKind::ServesTown).map(|r| esc(&r.town)).collect();
    if !towns.is_empty() {
        let _ = writeln!(
            o,
            "<dt>寄宿招生</dt><dd>本校为寄宿制学校，另招收{}超出走读距离的学生。\
             <span class=\"en\">A boarding school: it also takes the children of {} beyond walking reach.</span></dd>",
            if towns.iter().all(String::is_empty) {
                "全县各乡镇".to_string()
            } else {
                towns.join("、")
            },
            if towns.iter().all(String::is_empty) {
                "every town"
            } else {
                "these towns"
            }
        );
    }
    o.push_str("</dl></section>\n");
}

/// How to read the notice: split villages, ids, the plan's split units.
fn notes(o: &mut String, n: &Notice, list_ids: bool) {
    let _ = writeln!(
        o,
        "<h2 class=\"nt-level\">{}、说明 <span class=\"en\">Notes</span></h2>\n<ol class=\"nt-notes\">",
        NUMERALS.get(n.levels.len()).copied().unwrap_or("")
    );
    // The example range is the notice's own: an invented one could be a
    // real id, and under --public only pseudonyms may show.
    let example = n
        .levels
        .iter()
        .flat_map(|l| &l.schools)
        .flat_map(|s| &s.rows)
        .flat_map(|r| &r.unit_ids)
        .find(|r| list_ids && r.first != r.last)
        .map_or(String::new(), |r| {
            format!("（如 {}，含两端）", esc(&r.to_string()))
        });
    let _ = writeln!(
        o,
        "<li>一村分属两所以上学校的，按住户（居民点）编号划分，连续编号写作区间{example}；\
         住户可向所在村（社区）或教育局查询本户编号。 <span class=\"en\">A village split between schools is \
         divided by unit (household or block) id; consecutive ids are written as a range, both ends included.</span></li>",
    );
    if n.pseudonyms {
        o.push_str(
            "<li>本公告所列编号为公开编号（化名），不是户籍或住户登记号；教育局可告知每户其公开编号。 \
             <span class=\"en\">Ids are published pseudonyms, not household numbers; the bureau tells each \
             household its own.</span></li>\n",
        );
    }
    for l in n.levels.iter().filter(|l| l.split_units > 0) {
        let _ = writeln!(
            o,
            "<li>{}：{} 个单元的学生分在两所以上学校，列在接收其多数学生的学校下。 \
             <span class=\"en\">{} units have students placed at more than one school; each is listed under the \
             school taking most of them.</span></li>",
            level_names(l.level).0,
            l.split_units,
            l.split_units
        );
    }
    o.push_str("</ol>\n");
}

/// Entry year, cutoffs, the synthetic note, and the place to sign.
fn footer(o: &mut String, n: &Notice) {
    let (zh, _) = area_names(&n.area);
    let cutoffs: Vec<String> = n
        .levels
        .iter()
        .map(|l| {
            format!(
                "{}：{}（含）以前出生 <span class=\"en\">born on or before {}</span>",
                level_names(l.level).0,
                date_zh(l.born_by),
                l.born_by
            )
        })
        .collect();
    let _ = writeln!(
        o,
        "<div class=\"nt-foot\">入学年份 <span class=\"en\">entry year</span> {}；{}。{}</div>",
        n.entry_year,
        cutoffs.join("；"),
        if n.synthetic {
            "<br><b>示例数据（合成）synthetic example data</b>：学校、住户均为虚构。"
        } else {
            ""
        }
    );
    let _ = writeln!(
        o,
        "<div class=\"nt-sign\">{}教育局（盖章）<br>局长（签字）：______________<br>______年____月____日</div>",
        esc(&zh)
    );
}

/// The whole `notice.html`. If the bundled font cannot be subset (an
/// internal fault), the page names the system's CJK fonts only.
pub fn render_notice(n: &Notice) -> String {
    let (title, title_en) = notice_title(n);
    let title = format!("{title} ({title_en})");
    let css = format!("{PAGE_CSS}{NOTICE_CSS}");
    let mut body = String::new();
    notice_section(&mut body, n, true);
    page(&title, &css, &body).unwrap_or_else(|_| page_without_font(&title, &css, &body))
}
