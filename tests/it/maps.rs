//! The maps a bureau prints: labels clear of each other and of markers,
//! one colour per school across scenarios, closed and new schools marked,
//! and standalone SVGs that carry their own font.

use crate::common::{code, repo, run, text};
use catchment::io::load::{LoadRequest, load};
use catchment::plan::{Loaded, map_input, solve_loaded, zone_clip, zone_shapes};
use catchment::render::map::{MapInput, SchoolStatus, align_schools, label_boxes};

fn loaded(config: &str) -> Loaded {
    let req = LoadRequest {
        config: Some(repo(config)),
        ..LoadRequest::default()
    };
    load(
        &req,
        chrono::NaiveDate::from_ymd_opt(2024, 1, 1).expect("date"),
    )
    .expect("loads")
}

/// Each level's map input of a scenario, with its zones, handed to `f`.
fn with_maps(l: &Loaded, f: &mut dyn FnMut(&MapInput)) {
    let levels = solve_loaded(l).expect("solves");
    let shapes = zone_shapes(l, &levels, &zone_clip(l));
    for (la, zs) in levels.iter().zip(&shapes) {
        f(&map_input(l, la, zs));
    }
}

#[test]
fn example_labels_overlap_nothing() {
    let l = loaded("data/wuzhai/scenario.toml");
    let mut maps = 0;
    with_maps(&l, &mut |m| {
        maps += 1;
        let boxes = label_boxes(m);
        // Every school is named once, on the main map or in the inset.
        assert!(
            boxes.len() >= m.schools.len() * 9 / 10,
            "{} labels",
            boxes.len()
        );
        for (i, (a, ra)) in boxes.iter().enumerate() {
            for (b, rb) in &boxes[i + 1..] {
                let apart = ra.2 <= rb.0 || rb.2 <= ra.0 || ra.3 <= rb.1 || rb.3 <= ra.1;
                assert!(apart, "{a} {ra:?} overlaps {b} {rb:?}");
            }
        }
    });
    assert_eq!(maps, 2);
}

#[test]
fn compare_keeps_a_school_colour_and_marks_the_closed_one() {
    let base = loaded("data/wuzhai/scenario.toml");
    let whatif = loaded("data/wuzhai/whatif.toml");
    let mut a: Vec<MapInput> = Vec::new();
    let mut b: Vec<MapInput> = Vec::new();
    let (la, lb) = (
        solve_loaded(&base).expect("solves"),
        solve_loaded(&whatif).expect("solves"),
    );
    let none = vec![vec![]; 2];
    for (x, l) in la.iter().zip(&none) {
        a.push(map_input(&base, x, l));
    }
    for (x, l) in lb.iter().zip(&none) {
        b.push(map_input(&whatif, x, l));
    }
    let mut primary = vec![a.remove(0), b.remove(0)];
    // The what-if closes P10 and opens P13: without alignment the
    // colours of the schools after P10 shift by one.
    let before: Vec<(String, usize)> = primary[1]
        .schools
        .iter()
        .map(|s| (s.id.clone(), s.colour))
        .collect();
    align_schools(&mut primary);
    let colour = |m: &MapInput, id: &str| {
        m.schools
            .iter()
            .find(|s| s.id == id)
            .map(|s| (s.colour, s.status))
    };
    for s in &primary[0].schools {
        let (c, _) =
            colour(&primary[1], &s.id).expect("every baseline school is on the what-if map");
        assert_eq!(c, s.colour, "{}", s.id);
    }
    assert_eq!(
        colour(&primary[1], "P10").map(|x| x.1),
        Some(SchoolStatus::Closed)
    );
    assert_eq!(
        colour(&primary[1], "P13").map(|x| x.1),
        Some(SchoolStatus::New)
    );
    let slots: std::collections::BTreeSet<usize> =
        primary[1].schools.iter().map(|s| s.colour).collect();
    assert_eq!(
        slots.len(),
        primary[1].schools.len(),
        "one colour per school"
    );
    assert!(
        before
            .iter()
            .any(|(id, c)| colour(&primary[1], id).map(|x| x.0) != Some(*c)),
        "the test exercises a shifted colour"
    );
    // Deterministic.
    let mut again = vec![primary[0].clone(), primary[1].clone()];
    align_schools(&mut again);
    let ids = |m: &MapInput| {
        m.schools
            .iter()
            .map(|s| (s.id.clone(), s.colour))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&again[1]), ids(&primary[1]));
}

/// The font an SVG embeds, decoded.
fn embedded_font(svg: &str) -> Vec<u8> {
    use base64::Engine;
    let start = svg.find("data:font/otf;base64,").expect("an embedded font") + 21;
    let end = start + svg[start..].find(')').expect("end of the data URL");
    base64::engine::general_purpose::STANDARD
        .decode(&svg[start..end])
        .expect("base64")
}

/// The characters of every `<text>` element.
fn text_chars(svg: &str) -> String {
    let mut out = String::new();
    let mut rest = svg;
    while let Some(i) = rest.find("<text") {
        let body = &rest[i..];
        let open = body.find('>').expect("tag end") + 1;
        let close = body.find("</text>").expect("closing tag");
        out.push_str(&body[open..close]);
        rest = &body[close..];
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
}

struct Ink(bool);
impl ttf_parser::OutlineBuilder for Ink {
    fn move_to(&mut self, _: f32, _: f32) {}
    fn line_to(&mut self, _: f32, _: f32) {
        self.0 = true;
    }
    fn quad_to(&mut self, _: f32, _: f32, _: f32, _: f32) {
        self.0 = true;
    }
    fn curve_to(&mut self, _: f32, _: f32, _: f32, _: f32, _: f32, _: f32) {
        self.0 = true;
    }
    fn close(&mut self) {}
}

#[test]
fn standalone_svg_maps_embed_every_glyph_they_use() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("m");
    let o = run(&[
        "compare",
        "data/wuzhai/scenario.toml",
        "data/wuzhai/whatif.toml",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    // Exit 1: the what-if leaves children without a seat (compare's exit
    // contract); its maps are written all the same.
    assert_eq!(code(&o), 1, "{}", text(&o));
    let mut seen = 0;
    for e in std::fs::read_dir(out.join("maps")).expect("maps") {
        let p = e.expect("entry").path();
        if p.extension().is_none_or(|x| x != "svg") {
            continue;
        }
        seen += 1;
        let svg = std::fs::read_to_string(&p).expect("utf-8");
        let font = embedded_font(&svg);
        let face = ttf_parser::Face::parse(&font, 0).expect("a valid font");
        let chars = text_chars(&svg);
        assert!(
            chars.contains("合成示例数据 synthetic example data"),
            "{}",
            p.display()
        );
        assert!(chars.contains("已关闭") || !p.to_string_lossy().contains("whatif_primary"));
        for c in chars.chars().filter(|c| !c.is_whitespace()) {
            let g = face
                .glyph_index(c)
                .unwrap_or_else(|| panic!("{}: {c:?} not in the embedded font", p.display()));
            let mut ink = Ink(false);
            face.outline_glyph(g, &mut ink);
            assert!(ink.0, "{}: {c:?} has no outline", p.display());
        }
        // The CJK fallback list stays after the embedded face.
        assert!(svg.contains("'Noto Sans CJK SC', 'Noto Sans SC'"));
        // Far smaller than the bundled font.
        assert!(font.len() < 200_000, "{} bytes", font.len());
    }
    assert_eq!(seen, 4);
}

/// A boarding school's boarding pupils (beyond the day limit) are drawn
/// apart on the maps: their homes as hollow squares, their area as a
/// hatched home area with its legend row; the school's own zone is its day
/// pupils'. The catchment zones (catchments.geojson's) are unchanged.
#[test]
fn boarding_pupils_are_drawn_apart() {
    use catchment::plan::{day_and_boarding, map_shapes};
    use catchment::render::legend::Swatch;
    use geo::Area;
    let l = loaded("data/wuzhai/scenario.toml");
    let levels = solve_loaded(&l).expect("solves");
    let clip = zone_clip(&l);
    let catchments = zone_shapes(&l, &levels, &clip);
    let maps = map_shapes(&l, &levels, &clip);
    let n = l.schools.len();
    let la = &levels[0];
    let (zs, ms) = (&catchments[0], &maps[0]);
    assert_eq!(ms.len(), 2 * n, "day zones and boarding areas");
    let m = map_input(&l, la, ms);
    let [_, boarding] = day_and_boarding(&l.schools, &l.scenario.policy, la, None);
    assert!(boarding.students > 0, "the example has boarding pupils");
    let on_map: u64 = m
        .units
        .iter()
        .filter(|u| u.boarding)
        .map(|u| u.students as u64)
        .sum();
    assert_eq!(
        on_map, boarding.students,
        "the map's boarding pupils are day_and_boarding's"
    );
    assert!(!m.boarding_areas.is_empty());
    // The county boarding school's zone: its catchment covers most of the
    // county, its day pupils' zone a small part of it.
    let j = l
        .schools
        .iter()
        .position(|s| s.name == "五寨县寄宿制小学")
        .expect("the boarding school");
    let (whole, day) = (zs[j].unsigned_area(), ms[j].unsigned_area());
    assert!(day < whole / 5.0, "day zone {day} of {whole}");
    let home = ms[n + j].unsigned_area();
    assert!(
        (day + home - whole).abs() < whole * 1e-6,
        "day + home = catchment"
    );
    // Other schools' zones are their catchments.
    for k in (0..n).filter(|&k| !l.schools[k].boarding) {
        assert_eq!(zs[k], ms[k], "{}", l.schools[k].id);
    }
    let legend = catchment::render::map::legend(&m);
    let swatches: Vec<Swatch> = legend
        .sections
        .iter()
        .flat_map(|s| s.items.iter().map(|i| i.swatch))
        .collect();
    assert!(swatches.contains(&Swatch::BoardingArea));
    assert!(swatches.contains(&Swatch::BoardingHousehold));
    // Drawn deterministically.
    let (a, b) = (
        catchment::render::render_map(&m),
        catchment::render::render_map(&m),
    );
    assert!(a == b);
}
