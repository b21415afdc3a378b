//! `catchment report`: the bundled example's report.html is self-contained
//! (no external URL, every glyph it shows in its embedded subset font, and
//! no more), agrees with `plan`'s school table, has its sections in Chinese
//! and English, maps every requested forecast year, masks unplaced ids, and
//! is byte-identical from run to run. The browser half of the test (console
//! errors, network requests, A4 printing) is tests/browser/report_check.py,
//! run by .ci/run with Debian's chromium.

use crate::common::{read_csv, repo, run_in, stderr};
use base64::Engine;
use std::collections::BTreeSet;
use std::fs;

/// The embedded font's bytes and the page without them.
fn split_font(html: &str) -> (Vec<u8>, String) {
    let key = "data:font/otf;base64,";
    let start = html.find(key).expect("an embedded font") + key.len();
    let len = html[start..]
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '+' || c == '/' || c == '='))
        .expect("end of the data URL");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&html[start..start + len])
        .expect("valid base64");
    (bytes, format!("{}{}", &html[..start], &html[start + len..]))
}

#[test]
fn example_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let whatif = repo("data/wuzhai/whatif.toml");
    let whatif = whatif.to_str().expect("utf-8 path");
    let o = run_in(d, &["report", "--out", "out", "--compare", whatif]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let html = fs::read_to_string(d.join("out/report.html")).expect("report.html");

    // Self-contained: no URL of any kind, nothing loaded by reference.
    for bad in [
        "http:", "https:", "ftp:", "src=\"//", "href=", "<script", "<link", "<img", "@import",
    ] {
        assert!(!html.contains(bad), "report.html contains {bad:?}");
    }
    let (font, rest) = split_font(&html);
    assert_eq!(rest.matches("url(").count(), 1, "only the font's data URL");
    assert!(
        html.len() < 2_000_000,
        "report.html is {} bytes",
        html.len()
    );

    // The embedded font holds every character the page shows (maps and
    // charts included) and little else.
    let face = ttf_parser::Face::parse(&font, 0).expect("a valid OpenType font");
    let used: BTreeSet<char> = rest
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect();
    let missing: String = used
        .iter()
        .filter(|&&c| face.glyph_index(c).is_none())
        .collect();
    assert!(missing.is_empty(), "characters without a glyph: {missing}");
    // At most one glyph per distinct character (spaces included) and .notdef.
    let all: BTreeSet<char> = rest.chars().collect();
    assert!(
        (face.number_of_glyphs() as usize) <= all.len() + 1,
        "{} glyphs for {} characters",
        face.number_of_glyphs(),
        all.len()
    );
    assert!(used.iter().any(|c| ('\u{4e00}'..='\u{9fff}').contains(c)));

    // Sections in Chinese and English; the synthetic note; A4 print CSS.
    for s in [
        "主要数字 <span class=\"en\">Headline figures",
        "入学划片图 <span class=\"en\">Catchment maps",
        "学校 <span class=\"en\">Schools",
        "未安置学生 <span class=\"en\">Unplaced students",
        "与现行学区相比的调整 <span class=\"en\">Moves against the current zones",
        "学位预测 <span class=\"en\">Forecast of students and seats",
        "方案比较 <span class=\"en\">Scenario comparison",
        "Synthetic example data",
        "size: A4",
        "普查日 census 2023-08-31",
    ] {
        assert!(html.contains(s), "missing {s:?}");
    }
    // Maps and charts inline: two catchment maps, two gap maps, charts.
    assert!(html.matches("<svg").count() >= 5);

    // The school table agrees with plan's schools.csv.
    let o = run_in(d, &["plan", "--out", "plan"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for r in read_csv(&d.join("plan/schools.csv")) {
        let cells = format!(
            "<td class=\"n\">{}</td><td class=\"n\">{}</td>",
            r["seats"], r["assigned"]
        );
        let row = html
            .lines()
            .find(|l| {
                l.starts_with(&format!("<tr><td>{}</td>", r["school_id"])) && l.contains(&cells)
            })
            .unwrap_or_else(|| panic!("no row for {} {}", r["school_id"], r["level"]));
        assert!(row.contains(&format!("<td class=\"n\">{}</td>", r["classes_needed"])));
    }
    // The comparison names the what-if, and the moves its totals.
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(d.join("plan/summary.json")).expect("summary"))
            .expect("json");
    assert!(html.contains("<td>whatif</td>"));
    let moved = summary["levels"]["primary"]["moved"]
        .as_u64()
        .expect("moved");
    assert!(
        html.contains(&format!("小学 primary {moved}")),
        "moved {moved}"
    );

    // Maps written beside it, forecast maps for the default year, which
    // the report names.
    for f in ["primary.png", "primary.svg", "junior.png", "junior.svg"] {
        assert!(d.join("out/maps").join(f).is_file(), "{f}");
    }
    let forecast_maps: Vec<String> = fs::read_dir(d.join("out/maps"))
        .expect("maps")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("forecast_primary_") && n.ends_with(".png"))
        .collect();
    assert_eq!(forecast_maps.len(), 1, "{forecast_maps:?}");
    let prefix = "forecast_primary_".len();
    let year = &forecast_maps[0][prefix..prefix + 4];
    assert!(html.contains(&format!("The gap maps show {year}")));

    // Byte-identical on a second run.
    let o = run_in(d, &["report", "--out", "again", "--compare", whatif]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        fs::read(d.join("again/report.html")).expect("again"),
        html.as_bytes()
    );
    assert_eq!(
        fs::read(d.join("again/maps/primary.svg")).expect("again"),
        fs::read(d.join("out/maps/primary.svg")).expect("first")
    );
}

#[test]
fn forecast_years_asked_for() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let o = run_in(
        d,
        &["report", "--out", "out", "--forecast-year", "2026,2030"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for y in [2026, 2030] {
        for level in ["primary", "junior"] {
            for ext in ["png", "svg"] {
                let f = d.join(format!("out/maps/forecast_{level}_{y}.{ext}"));
                assert!(f.is_file(), "{}", f.display());
            }
        }
    }
    let svg = fs::read_to_string(d.join("out/maps/forecast_primary_2030.svg")).expect("svg");
    assert!(svg.contains("2030"));
    assert!(svg.contains("缺口"));

    let o = run_in(d, &["report", "--out", "bad", "--forecast-year", "2050"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--forecast-year 2050: the forecast covers 2023 to 2032"));
    assert!(!d.join("bad").exists(), "nothing written on a usage error");
}

/// A county with too few seats: the unplaced list shows masked ids, no
/// full id, and the run exits 1; with no enrollment history and no current
/// zones, those sections say so.
#[test]
fn unplaced_are_masked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let school = r#"{"type":"Feature","properties":{"id":"S1","name":"一小","level":"primary","sector":"public","capacity":1},"geometry":{"type":"Point","coordinates":[111.0,39.0]}}"#;
    let unit = |id: &str, lon: f64| {
        format!(
            r#"{{"type":"Feature","properties":{{"id":"{id}","town":"砚城镇","demand":{{"primary":1,"junior":0}}}},"geometry":{{"type":"Point","coordinates":[{lon},39.0]}}}}"#
        )
    };
    fs::write(
        d.join("schools.geojson"),
        format!(r#"{{"type":"FeatureCollection","features":[{school}]}}"#),
    )
    .expect("write");
    fs::write(
        d.join("households.geojson"),
        format!(
            r#"{{"type":"FeatureCollection","features":[{},{}]}}"#,
            unit("HH000101", 111.001),
            unit("HH000202", 111.002)
        ),
    )
    .expect("write");
    let o = run_in(
        d,
        &[
            "report",
            "--households",
            "households.geojson",
            "--schools",
            "schools.geojson",
        ],
    );
    // A report leaves no child without a seat: exit 0, the unplaced listed.
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let html = fs::read_to_string(d.join("out/report/report.html")).expect("report");
    assert!(html.contains("<td>HH****02</td>"), "masked id");
    assert!(!html.contains("HH000202") && !html.contains("HH000101"));
    assert!(html.contains("学位不足 seats short"));
    assert!(html.contains("No enrollment history was given"));
    assert!(html.contains("No current zones were given"));
    assert!(html.contains("No what-if scenario was given"));
    assert!(!html.contains("Synthetic example data"));
}

/// The printed width of a figure: A4 (210 mm) less the 10 mm margins of
/// the page's `@page` rule, in points.
const FIGURE_PT: f64 = 190.0 / 25.4 * 72.0;

/// `s` with the entities the page and plotters' SVG write turned back.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// A CSS length in points (absolute units only; `None` otherwise).
fn css_pt(v: &str) -> Option<f64> {
    let v = v.trim();
    for (unit, k) in [("pt", 1.0), ("px", 0.75), ("mm", 72.0 / 25.4)] {
        if let Some(n) = v.strip_suffix(unit) {
            return n.trim().parse::<f64>().ok().map(|n| n * k);
        }
    }
    None
}

/// Why a legend of the page would print under 8 pt: a CSS rule for the
/// legend with a smaller (or relative) font size, a figure without its
/// HTML legend, an inline style sizing legend text, or a legend row drawn
/// inside a figure's SVG that prints under 8 pt once the SVG is scaled to
/// the page width.
fn small_legends(html: &str) -> Vec<String> {
    let mut bad = Vec::new();
    let style = &html[html.find("<style>").expect("style")..html.find("</style>").expect("/style")];
    let mut sized = false;
    for rule in style.split('}') {
        let Some((sel, decls)) = rule.rsplit_once('{') else {
            continue;
        };
        if !sel.contains("legend") {
            continue;
        }
        for d in decls.split(';') {
            if let Some((k, v)) = d.split_once(':')
                && k.trim() == "font-size"
            {
                match css_pt(v) {
                    Some(pt) if pt >= 8.0 => sized |= sel.trim() == ".legend",
                    _ => bad.push(format!("{}: font-size {}", sel.trim(), v.trim())),
                }
            }
        }
    }
    if !sized {
        bad.push(".legend has no absolute font size of 8 pt or more".into());
    }
    let mut rest = html;
    while let Some(i) = rest.find("<figure>") {
        let end = rest[i..].find("</figure>").expect("closing figure") + i;
        let fig = &rest[i..end];
        rest = &rest[end..];
        let Some(l) = fig.find("<div class=\"legend\">") else {
            bad.push(format!("a figure without an HTML legend: {}", &fig[..80]));
            continue;
        };
        let legend = &fig[l..];
        if legend.contains("font-size") {
            bad.push("a legend sized by an inline style".into());
        }
        // The legend's rows: each <li>'s text after its swatch.
        let rows: Vec<String> = legend
            .split("<li>")
            .skip(1)
            .map(|li| {
                let li = &li[..li.find("</li>").expect("/li")];
                unescape(li.rsplit_once("</svg>").map_or(li, |x| x.1))
            })
            .collect();
        if rows.is_empty() {
            bad.push("an empty legend".into());
        }
        // The figure's own SVG, scaled to the page width.
        let svg = &fig[..l];
        let vb = svg.find("viewBox=\"").expect("a viewBox") + 9;
        let width: f64 = svg[vb..]
            .split(' ')
            .nth(2)
            .expect("viewBox width")
            .parse()
            .expect("a number");
        let mut texts = svg;
        while let Some(t) = texts.find("<text") {
            let body = &texts[t..];
            let open = body.find('>').expect("tag end");
            let close = body.find("</text>").expect("closing text");
            let content = unescape(&body[open + 1..close]);
            let size: f64 = body[..open]
                .split("font-size=\"")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .and_then(|s| s.parse().ok())
                .unwrap_or(16.0);
            let printed = size * FIGURE_PT / width;
            if (content.contains("图例") || rows.contains(&content)) && printed < 8.0 {
                bad.push(format!(
                    "legend text {content:?} drawn in a figure at {printed:.1} pt"
                ));
            }
            texts = &body[close..];
        }
    }
    bad
}

/// Every legend of the report prints at 8 pt or more on A4: written as
/// HTML under its figure at the page's legend size, not drawn inside a
/// map or chart scaled down to the page.
#[test]
fn legends_print_at_8_pt_or_more() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let whatif = repo("data/wuzhai/whatif.toml");
    let o = run_in(
        d,
        &[
            "report",
            "--out",
            "out",
            "--compare",
            whatif.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let html = fs::read_to_string(d.join("out/report.html")).expect("report.html");
    // Maps, gap maps and charts: each with its legend.
    let figures = html.matches("<figure>").count();
    assert!(figures >= 5, "{figures} figures");
    assert_eq!(html.matches("<div class=\"legend\">").count(), figures);
    for row in [
        "五寨县寄宿制小学  ",
        "3+ 班不足 3+ classes short",
        "预测 forecast",
        "寄宿生来源 boarding pupils&#39; home area",
    ] {
        assert!(html.contains(row), "legend row {row:?}");
    }
    let bad = small_legends(&html);
    assert!(bad.is_empty(), "{bad:#?}");

    // The check bites: a map with its legend panel drawn inside, scaled
    // to the page (the report before legends moved out), and a legend
    // made small by CSS.
    let panel = "<style>.legend { font-size: 9pt; }</style><figure><svg viewBox=\"0 0 1400 1100\">\
        <text font-size=\"11.29\">&lt; 85%</text></svg><div class=\"legend\"><ul><li><svg class=\"sw\"></svg>&lt; 85%</li></ul></div></figure>";
    let bad = small_legends(panel);
    assert!(bad.iter().any(|b| b.contains("4.3 pt")), "{bad:?}");
    let small = panel.replace("font-size: 9pt", "font-size: 6pt");
    assert!(small_legends(&small).iter().any(|b| b.contains("6pt")));
}
