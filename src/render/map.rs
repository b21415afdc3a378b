//! The catchment map of one level: county boundary, roads, catchment
//! polygons in distinct colours, units coloured by their school, unplaced
//! units highlighted, schools as markers sized by seats and coloured by
//! utilisation, labelled by name; legend, scale bar, north arrow, title with
//! the scenario's year and date, and the "synthetic" note for example data.
//! With a [`GapLayer`] the same map shows a forecast year instead: each
//! school's zone coloured by its seat gap in classes.

use super::font::text as font;
use super::font::{embed_font_in_svg, ensure_registered, svg_font_fallback};
use super::legend::{Legend, LegendItem, LegendSection, Rgb, Swatch};
use geo::MultiPolygon;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

#[derive(Clone, Debug)]
pub struct MapSchool {
    pub id: String,
    pub lon: f64,
    pub lat: f64,
    pub name: String,
    pub seats: u32,
    pub assigned: u64,
    /// Boarding schools are drawn as squares.
    pub boarding: bool,
    /// Its slot in the palette ([`school_colour`]): its zone, households and
    /// legend swatch. Maps set side by side give a school the same slot.
    pub colour: usize,
    pub status: SchoolStatus,
}

/// A school against the first of the scenarios set side by side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchoolStatus {
    /// In the plan (and, side by side, in the first scenario too).
    Open,
    /// Not in the first scenario: opened by this one.
    New,
    /// In the first scenario, closed in this one: a grey hollow marker with
    /// a cross, no zone and no students.
    Closed,
}

/// Maps of one level in scenarios set side by side (the first is the
/// baseline): every school gets the palette slot of its id's first
/// appearance over all of them (scenario order, then school order), so a
/// school has one colour on every map; a school of the first scenario
/// missing from another is added to that map as closed, one not in the
/// first is marked new. Deterministic: the slots depend only on the order
/// of the maps and of their schools.
pub fn align_schools(maps: &mut [MapInput]) {
    let mut union: Vec<MapSchool> = Vec::new();
    for m in maps.iter() {
        for s in &m.schools {
            if !union.iter().any(|u| u.id == s.id) {
                union.push(s.clone());
            }
        }
    }
    let slot = |id: &str| union.iter().position(|u| u.id == id).unwrap_or(0);
    let first: Vec<String> = maps
        .first()
        .map(|m| m.schools.iter().map(|s| s.id.clone()).collect())
        .unwrap_or_default();
    for (k, m) in maps.iter_mut().enumerate() {
        for s in &mut m.schools {
            s.colour = slot(&s.id);
            s.status = if k > 0 && !first.contains(&s.id) {
                SchoolStatus::New
            } else {
                SchoolStatus::Open
            };
        }
        for id in &first {
            if !m.schools.iter().any(|s| &s.id == id) {
                let mut closed = union[slot(id)].clone();
                closed.colour = slot(id);
                closed.status = SchoolStatus::Closed;
                closed.seats = 0;
                closed.assigned = 0;
                m.schools.push(closed);
            }
        }
    }
}

#[derive(Clone, Debug)]
pub struct MapUnit {
    pub lon: f64,
    pub lat: f64,
    /// Index into `MapInput::schools`; `None` = unplaced.
    pub school: Option<usize>,
    pub students: u32,
    /// Its students board at the school (`plan::boards`): drawn as a
    /// hollow square, not a dot.
    pub boarding: bool,
}

/// A forecast school's seat gap in one year: students minus seats.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SchoolGap {
    pub students: i64,
    /// The gap in classes of the level's size: classes short (> 0, rounded
    /// up) or whole classes to spare (< 0).
    pub classes: i64,
}

/// The forecast view of a map: zones coloured by their school's gap.
#[derive(Clone, Debug, PartialEq)]
pub struct GapLayer {
    pub year: i32,
    /// Class size of the level, for the legend.
    pub class_size: u32,
    /// Per school (index as `MapInput::schools`); `None`: not forecast.
    pub gaps: Vec<Option<SchoolGap>>,
}

#[derive(Clone, Debug)]
pub struct MapInput<'a> {
    pub title: String,
    pub subtitle: String,
    /// The scenario's date line (census day, entry year), never the clock.
    pub date_note: String,
    pub synthetic: bool,
    pub boundary: Option<&'a MultiPolygon<f64>>,
    pub schools: Vec<MapSchool>,
    pub units: Vec<MapUnit>,
    /// Road pieces (lon/lat polylines), drawn under everything else.
    pub roads: Vec<[(f64, f64); 2]>,
    /// Catchment polygons: (index into `schools`, zone), tinted in the
    /// school's colour under the roads.
    pub zones: Vec<(usize, &'a MultiPolygon<f64>)>,
    /// A boarding school's boarding pupils' home area: (index into
    /// `schools`, area), a neutral fill hatched in the school's colour
    /// rather than its zone colour (it would paint most of a county).
    pub boarding_areas: Vec<(usize, &'a MultiPolygon<f64>)>,
    /// Draw the forecast gap of each zone instead of the assignment.
    pub gap: Option<GapLayer>,
    /// The legend is given beside the map (the report writes it as HTML,
    /// readable on A4): the map is drawn without its legend panel, that
    /// much narrower.
    pub legend_outside: bool,
}

pub const WIDTH: u32 = 1400;
pub const HEIGHT: u32 = 1100;
const PANEL: i32 = 380;

/// Distinct colours (Tableau 20 order, strong first).
const PALETTE: [(u8, u8, u8); 20] = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
    (174, 199, 232),
    (255, 187, 120),
    (152, 223, 138),
    (255, 152, 150),
    (197, 176, 213),
    (196, 156, 148),
    (247, 182, 210),
    (199, 199, 199),
    (219, 219, 141),
    (158, 218, 229),
];

pub fn school_colour(i: usize) -> RGBColor {
    let (r, g, b) = PALETTE[i % PALETTE.len()];
    RGBColor(r, g, b)
}

/// Lon/lat to pixels: equirectangular at the map's mean latitude, fitted
/// into the map area with equal scale on both axes.
struct Frame {
    lon0: f64,
    lat1: f64,
    k: f64,
    ox: f64,
    oy: f64,
    coslat: f64,
}

impl Frame {
    fn fit(points: &[(f64, f64)], w: f64, h: f64, margin: f64) -> Frame {
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for &(x, y) in points {
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
        if points.is_empty() {
            (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
        }
        let coslat = ((y0 + y1) / 2.0).to_radians().cos();
        let span_x = ((x1 - x0) * coslat).max(1e-6);
        let span_y = (y1 - y0).max(1e-6);
        let k = ((w - 2.0 * margin) / span_x).min((h - 2.0 * margin) / span_y);
        let ox = margin + ((w - 2.0 * margin) - span_x * k) / 2.0;
        let oy = margin + ((h - 2.0 * margin) - span_y * k) / 2.0;
        Frame {
            lon0: x0,
            lat1: y1,
            k,
            ox,
            oy,
            coslat,
        }
    }

    fn px(&self, lon: f64, lat: f64) -> (i32, i32) {
        let x = self.ox + (lon - self.lon0) * self.coslat * self.k;
        let y = self.oy + (self.lat1 - lat) * self.k;
        (x.round() as i32, y.round() as i32)
    }

    /// Metres per pixel.
    fn m_per_px(&self) -> f64 {
        crate::spatial::EARTH_RADIUS_M * std::f64::consts::PI / 180.0 / self.k
    }
}

/// Render the map as PNG bytes and an SVG document.
pub fn render_map(m: &MapInput) -> (Vec<u8>, String) {
    render_map_on(m, 1)
}

/// [`render_map`], the PNG and the SVG drawn side by side when `threads` >
/// 1 (each is drawn from the same input alone: the same bytes either way).
pub fn render_map_on(m: &MapInput, threads: usize) -> (Vec<u8>, String) {
    ensure_registered();
    if threads > 1 {
        std::thread::scope(|sc| {
            let png = sc.spawn(|| render_png(m));
            let svg = render_svg(m);
            (png.join().expect("the PNG thread does not panic"), svg)
        })
    } else {
        (render_png(m), render_svg(m))
    }
}

/// The width drawn: without the legend panel when it is given outside.
fn canvas_width(m: &MapInput) -> u32 {
    if m.legend_outside {
        WIDTH - PANEL as u32
    } else {
        WIDTH
    }
}

fn render_png(m: &MapInput) -> Vec<u8> {
    let w = canvas_width(m);
    let mut rgb = vec![255u8; (w * HEIGHT * 3) as usize];
    {
        let root =
            super::typeset::Typeset::raster(BitMapBackend::with_buffer(&mut rgb, (w, HEIGHT)))
                .into_drawing_area();
        draw(&root, m);
        root.present().expect("in-memory bitmap");
    }
    super::encode_png(&rgb, w, HEIGHT)
}

/// The map as an SVG document alone (no PNG), e.g. for a page.
pub fn render_svg(m: &MapInput) -> String {
    ensure_registered();
    let mut svg = String::new();
    {
        let root = super::typeset::Typeset::vector(SVGBackend::with_string(
            &mut svg,
            (canvas_width(m), HEIGHT),
        ))
        .into_drawing_area();
        draw(&root, m);
        root.present().expect("in-memory svg");
    }
    embed_font_in_svg(&svg_font_fallback(&svg)).expect("the bundled font subsets")
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, m: &MapInput) {
    let _ = try_draw(root, m);
}

/// Errors of drawing on backend `DB`.
type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn try_draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, m: &MapInput) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let g = Geometry::of(m);
    let frame = &g.frame;
    draw_boundary(root, frame, m)?;
    // Zones, largest first so a zone inside another's hole stays visible.
    let mut zones: Vec<(f64, usize, &MultiPolygon<f64>)> = m
        .zones
        .iter()
        .map(|&(i, z)| (geo::Area::unsigned_area(z), i, z))
        .collect();
    zones.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    draw_boarding_areas(root, frame, m, None)?;
    draw_zones(root, frame, m, &zones, None)?;
    draw_roads(root, frame, &m.roads, None)?;
    draw_layer(root, frame, m, &g.in_inset, &g.main_labels)?;
    if let Some(x) = &g.inset {
        draw_inset(root, frame, m, &zones, x)?;
    }
    draw_titles(root, m, g.map_w)?;
    draw_north_arrow(root, g.map_w)?;
    draw_scale_bar(root, frame)?;
    if m.legend_outside {
        return Ok(());
    }
    draw_legend_panel(root, m, g.map_w)
}

/// The frame that fits the boundary, units and schools into the map area
/// below the title band of `top` pixels.
fn map_frame(m: &MapInput, map_w: i32, top: f64) -> Frame {
    let mut pts: Vec<(f64, f64)> = Vec::new();
    if let Some(b) = m.boundary {
        for p in &b.0 {
            pts.extend(p.exterior().coords().map(|c| (c.x, c.y)));
        }
    }
    pts.extend(m.units.iter().map(|u| (u.lon, u.lat)));
    pts.extend(m.schools.iter().map(|s| (s.lon, s.lat)));
    let mut f = Frame::fit(&pts, map_w as f64, HEIGHT as f64 - top, 30.0);
    f.oy += top;
    f
}

/// The county boundary, filled and outlined.
fn draw_boundary<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    frame: &Frame,
    m: &MapInput,
) -> DrawResult<DB> {
    if let Some(b) = m.boundary {
        for p in &b.0 {
            let ring: Vec<(i32, i32)> = p.exterior().coords().map(|c| frame.px(c.x, c.y)).collect();
            root.draw(&Polygon::new(
                ring.clone(),
                RGBColor(246, 244, 238).filled(),
            ))?;
            root.draw(&PathElement::new(
                ring,
                ShapeStyle::from(&RGBColor(90, 90, 90)).stroke_width(2),
            ))?;
        }
    }
    Ok(())
}

/// The magnified inset: its outline on the main map, then its card with
/// zones, roads, the units and schools inside, a title and a scale.
fn draw_inset<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    frame: &Frame,
    m: &MapInput,
    zones: &[(f64, usize, &MultiPolygon<f64>)],
    g: &InsetGeometry,
) -> DrawResult<DB> {
    let x = &g.x;
    // Outline of the magnified region on the main map.
    let (a, b) = (frame.px(x.lon0, x.lat1), frame.px(x.lon1, x.lat0));
    root.draw(&Rectangle::new([a, b], BLACK.stroke_width(1)))?;
    let (r0, r1) = (x.rect.0, x.rect.1);
    root.draw(&Rectangle::new([r0, r1], WHITE.filled()))?;
    let f = &g.frame;
    let bbox = (x.lon0, x.lat0, x.lon1, x.lat1);
    draw_boarding_areas(root, f, m, Some(bbox))?;
    draw_zones(root, f, m, zones, Some(bbox))?;
    draw_roads(root, f, &m.roads, Some(bbox))?;
    let sub = MapInput {
        units: m
            .units
            .iter()
            .filter(|u| u.lon >= x.lon0 && u.lon <= x.lon1 && u.lat >= x.lat0 && u.lat <= x.lat1)
            .cloned()
            .collect(),
        // The inset's roads are drawn above; a province's millions of
        // road pieces are not copied for it.
        roads: Vec::new(),
        title: m.title.clone(),
        subtitle: m.subtitle.clone(),
        date_note: m.date_note.clone(),
        synthetic: m.synthetic,
        boundary: m.boundary,
        schools: m.schools.clone(),
        zones: m.zones.clone(),
        boarding_areas: m.boarding_areas.clone(),
        gap: m.gap.clone(),
        legend_outside: m.legend_outside,
    };
    draw_layer(root, f, &sub, &g.hide, &g.labels)?;
    root.draw(&Rectangle::new([r0, r1], BLACK.stroke_width(2)))?;
    root.draw(&Text::new(
        format!("放大图 inset: {}", x.label),
        (r0.0 + 8, r0.1 + 5),
        font(15.0),
    ))?;
    // Scale of the inset.
    let mpp = f.m_per_px();
    let len_m = nice_length(120.0 * mpp);
    let len_px = (len_m / mpp).round() as i32;
    let (sx, sy) = (r0.0 + 10, r1.1 - 16);
    root.draw(&Rectangle::new(
        [(sx, sy), (sx + len_px, sy + 5)],
        BLACK.filled(),
    ))?;
    root.draw(&Text::new(
        length_label(len_m),
        (sx + len_px + 6, sy - 6),
        font(13.0),
    ))?;
    Ok(())
}

/// Title, subtitle, the scenario's date and the synthetic-data note.
fn draw_titles<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    m: &MapInput,
    map_w: i32,
) -> DrawResult<DB> {
    const NOTE: &str = "合成示例数据 synthetic example data";
    // The title shrinks rather than run under the synthetic note.
    let note_w = if m.synthetic {
        super::typeset::extent(NOTE, 22.0).0 as i32 + 24
    } else {
        0
    };
    let title_size = fit_size(&m.title, 30.0, map_w - 44 - note_w);
    root.draw(&Text::new(m.title.clone(), (24, 18), font(title_size)))?;
    root.draw(&Text::new(
        m.subtitle.clone(),
        (24, 58),
        font(fit_size(&m.subtitle, 19.0, map_w - 44)).color(&RGBColor(60, 60, 60)),
    ))?;
    // The scenario's date, bottom right of the map (never the clock).
    root.draw(&Text::new(
        m.date_note.clone(),
        (map_w - 20, HEIGHT as i32 - 28),
        font(15.0)
            .color(&RGBColor(60, 60, 60))
            .pos(Pos::new(HPos::Right, VPos::Center)),
    ))?;
    if m.synthetic {
        let note = NOTE;
        let st = font(22.0)
            .color(&RGBColor(190, 30, 30))
            .pos(Pos::new(HPos::Right, VPos::Top));
        root.draw(&Text::new(note, (map_w - 20, 22), st))?;
    }
    Ok(())
}

/// The north arrow's card.
fn north_arrow_box(map_w: i32) -> PxRect {
    let (nx, ny) = (map_w - 50, 120);
    (nx - 24, ny - 8, nx + 24, ny + 62)
}

/// `size`, or smaller so that `text` fits in `width` pixels (not under 12).
fn fit_size(text: &str, size: f64, width: i32) -> f64 {
    let w = super::typeset::extent(text, size).0 as f64;
    if w <= width as f64 {
        size
    } else {
        (size * width as f64 / w).floor().max(12.0)
    }
}

/// North arrow, on a white card so it reads over the map.
fn draw_north_arrow<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    map_w: i32,
) -> DrawResult<DB> {
    let (x0, y0, x1, y1) = north_arrow_box(map_w);
    let (nx, ny) = (map_w - 50, 120);
    root.draw(&Rectangle::new(
        [(x0, y0), (x1, y1)],
        WHITE.mix(0.85).filled(),
    ))?;
    root.draw(&Polygon::new(
        vec![
            (nx, ny),
            (nx - 12, ny + 34),
            (nx, ny + 26),
            (nx + 12, ny + 34),
        ],
        BLACK.filled(),
    ))?;
    root.draw(&Text::new(
        "北 N",
        (nx, ny + 40),
        font(16.0).pos(Pos::new(HPos::Center, VPos::Top)),
    ))?;
    Ok(())
}

/// Scale bar: a round length near 180 px.
fn draw_scale_bar<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    frame: &Frame,
) -> DrawResult<DB> {
    let mpp = frame.m_per_px();
    let len_m = nice_length(180.0 * mpp);
    let len_px = (len_m / mpp).round() as i32;
    let (sx, sy) = (30, HEIGHT as i32 - 40);
    root.draw(&Rectangle::new(
        [(sx, sy), (sx + len_px, sy + 8)],
        BLACK.filled(),
    ))?;
    root.draw(&Rectangle::new(
        [(sx + len_px / 2, sy + 1), (sx + len_px, sy + 7)],
        WHITE.filled(),
    ))?;
    let label = length_label(len_m);
    root.draw(&Text::new(label, (sx + len_px + 10, sy - 4), font(16.0)))?;
    Ok(())
}

/// The legend panel right of the map: [`legend`]'s sections one under
/// another; a long list (the schools) gets the rows left.
fn draw_legend_panel<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    m: &MapInput,
    map_w: i32,
) -> DrawResult<DB> {
    let lx = map_w + 10;
    root.draw(&Rectangle::new(
        [(map_w, 0), (WIDTH as i32, HEIGHT as i32)],
        RGBColor(250, 250, 250).filled(),
    ))?;
    root.draw(&PathElement::new(
        vec![(map_w, 0), (map_w, HEIGHT as i32)],
        RGBColor(200, 200, 200),
    ))?;
    root.draw(&Text::new("图例 Legend", (lx, 20), font(22.0)))?;
    let sections = legend(m).sections;
    let small = font(14.0).pos(Pos::new(HPos::Left, VPos::Center));
    let height = |sec: &LegendSection| -> i32 {
        let head = if sec.heading.is_some() { 24 } else { 0 };
        let body = if sec.inline {
            2 * inline_radius(sec) + 14
        } else {
            24 * sec.items.len() as i32
        };
        head + body + 10
    };
    let mut y = 62;
    for (k, sec) in sections.iter().enumerate() {
        if let Some(h) = &sec.heading {
            root.draw(&Text::new(h.clone(), (lx, y), small.clone()))?;
            y += if sec.inline { 14 } else { 28 };
        }
        if sec.inline {
            let mut x = lx + 4;
            for it in &sec.items {
                let r = match it.swatch {
                    Swatch::MarkerSize { radius } => radius,
                    _ => 7,
                };
                draw_swatch(root, it.swatch, x + r, y + r)?;
                root.draw(&Text::new(
                    it.text.clone(),
                    (x + 2 * r + 6, y + r),
                    small.clone(),
                ))?;
                x += 2 * r + 60;
            }
            y += 2 * inline_radius(sec) + 14 + 10;
            continue;
        }
        let rest: i32 = sections[k + 1..].iter().map(height).sum();
        let (row, size) = if sec.list {
            let n = sec.items.len().max(1) as i32;
            let row = ((HEIGHT as i32 - 30 - y - rest) / n).clamp(14, 26);
            (row, if row < 20 { 13.0 } else { 15.0 })
        } else {
            (24, 14.0)
        };
        for it in &sec.items {
            draw_swatch(root, it.swatch, lx + 7, y)?;
            root.draw(&Text::new(
                it.text.clone(),
                (lx + 22, y),
                font(size).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
            y += row;
        }
        y += 10;
    }
    Ok(())
}

/// The largest marker of an inline section (marker sizes).
fn inline_radius(sec: &LegendSection) -> i32 {
    sec.items
        .iter()
        .map(|it| match it.swatch {
            Swatch::MarkerSize { radius } => radius,
            _ => 7,
        })
        .max()
        .unwrap_or(7)
}

fn rgb(c: RGBColor) -> Rgb {
    (c.0, c.1, c.2)
}

/// The fill of the boarding pupils' home area.
const BOARDING_AREA: RGBColor = RGBColor(232, 230, 224);

/// A legend swatch centred at (`x`, `y`), about 14 pixels across.
fn draw_swatch<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    sw: Swatch,
    x: i32,
    y: i32,
) -> DrawResult<DB> {
    let grey = RGBColor(120, 120, 120);
    let square = [(x - 7, y - 7), (x + 7, y + 7)];
    match sw {
        Swatch::Fill {
            rgb: (r, g, b),
            alpha,
            outline,
        } => {
            root.draw(&Rectangle::new(
                square,
                RGBColor(r, g, b).mix(alpha).filled(),
            ))?;
            if outline {
                root.draw(&Rectangle::new(
                    square,
                    RGBColor(90, 90, 90).stroke_width(1),
                ))?;
            }
        }
        Swatch::NewSchool((r, g, b)) => {
            root.draw(&Rectangle::new(square, RGBColor(r, g, b).filled()))?;
            root.draw(&Rectangle::new(
                [(x - 9, y - 9), (x + 9, y + 9)],
                BLACK.stroke_width(2),
            ))?;
        }
        Swatch::Closed => closed_mark(root, x, y, 7)?,
        Swatch::MarkerSize { radius } => {
            root.draw(&Circle::new((x, y), radius, grey.mix(0.9).filled()))?;
            root.draw(&Circle::new((x, y), radius, BLACK.stroke_width(1)))?;
        }
        Swatch::DaySchool => root.draw(&Polygon::new(triangle(x, y, 7), grey.filled()))?,
        Swatch::BoardingSchool => root.draw(&Rectangle::new(square, grey.filled()))?,
        Swatch::Household => root.draw(&Circle::new((x, y), 5, grey.filled()))?,
        Swatch::BoardingHousehold => root.draw(&Rectangle::new(
            [(x - 5, y - 5), (x + 5, y + 5)],
            grey.stroke_width(2),
        ))?,
        Swatch::BoardingArea => {
            root.draw(&Rectangle::new(square, BOARDING_AREA.filled()))?;
            for (a, b) in [((-7, 0), (0, -7)), ((-7, 7), (7, -7)), ((0, 7), (7, 0))] {
                root.draw(&PathElement::new(
                    vec![(x + a.0, y + a.1), (x + b.0, y + b.1)],
                    grey.stroke_width(1),
                ))?;
            }
            root.draw(&Rectangle::new(square, grey.stroke_width(1)))?;
        }
        Swatch::Unplaced => unplaced_mark(root, x, y)?,
        Swatch::Line { rgb: (r, g, b), .. } => {
            root.draw(&PathElement::new(
                vec![(x - 7, y), (x + 7, y)],
                RGBColor(r, g, b).stroke_width(2),
            ))?;
        }
    }
    Ok(())
}

/// The map's legend: the plan's or the gap layer's. The panel draws it;
/// the report writes it under the map.
pub fn legend(m: &MapInput) -> Legend {
    let mut sections = match &m.gap {
        Some(g) => gap_legend(m, g),
        None => plan_legend(m),
    };
    if !m.boarding_areas.is_empty() {
        let area = LegendItem::new(
            Swatch::BoardingArea,
            "寄宿生来源 boarding pupils' home area",
        );
        match sections.last_mut() {
            Some(last) if m.gap.is_none() => last.items.insert(last.items.len() - 1, area),
            _ => sections.push(LegendSection::rows(None, vec![area])),
        }
    }
    Legend { sections }
}

/// Legend of the assignment map: schools with their zone colour and seats,
/// the utilisation bands, marker sizes and shapes, households (day and
/// boarding pupils'), unplaced.
fn plan_legend(m: &MapInput) -> Vec<LegendSection> {
    let schools = m
        .schools
        .iter()
        .map(|s| {
            let c = rgb(school_colour(s.colour));
            match s.status {
                SchoolStatus::Open => LegendItem::new(
                    Swatch::Fill {
                        rgb: c,
                        alpha: 1.0,
                        outline: false,
                    },
                    format!("{}  {}/{}", s.name, s.assigned, s.seats),
                ),
                SchoolStatus::New => LegendItem::new(
                    Swatch::NewSchool(c),
                    format!("{}  {}/{}  新建 new", s.name, s.assigned, s.seats),
                ),
                SchoolStatus::Closed => {
                    LegendItem::new(Swatch::Closed, format!("{}  已关闭 closed", s.name))
                }
            }
        })
        .collect();
    let bands = [
        (0.5, "< 85%"),
        (0.9, "85–100%"),
        (1.1, "> 100% (特教超额 special needs over seats)"),
    ]
    .into_iter()
    .map(|(band, label)| {
        LegendItem::new(
            Swatch::Fill {
                rgb: rgb(utilisation_colour(Some(band))),
                alpha: 1.0,
                outline: false,
            },
            label,
        )
    })
    .collect();
    // Marker sizes: the smallest and largest seat counts on the map.
    let open = || {
        m.schools
            .iter()
            .filter(|s| s.status != SchoolStatus::Closed)
            .map(|s| s.seats)
    };
    let lo = open().min().unwrap_or(45);
    let hi = open().max().unwrap_or(45);
    let sizes = if lo == hi { vec![lo] } else { vec![lo, hi] }
        .into_iter()
        .map(|seats| {
            LegendItem::new(
                Swatch::MarkerSize {
                    radius: marker_radius(seats),
                },
                seats.to_string(),
            )
        })
        .collect();
    let unplaced: u64 = m
        .units
        .iter()
        .filter(|u| u.school.is_none())
        .map(|u| u.students as u64)
        .sum();
    let mut marks = vec![
        LegendItem::new(Swatch::DaySchool, "走读学校 day school"),
        LegendItem::new(Swatch::BoardingSchool, "寄宿制学校 boarding school"),
        LegendItem::new(
            Swatch::Household,
            "住户, 颜色=所分学校 household, colour = school",
        ),
    ];
    if m.units.iter().any(|u| u.boarding && u.school.is_some()) {
        marks.push(LegendItem::new(
            Swatch::BoardingHousehold,
            "寄宿生住户 boarding pupils' household",
        ));
    }
    marks.push(LegendItem::new(
        Swatch::Unplaced,
        format!("未安置 unplaced: {unplaced}"),
    ));
    vec![
        LegendSection {
            list: true,
            ..LegendSection::rows(Some("学校 (已分配/学位)  school (assigned/seats)"), schools)
        },
        LegendSection::rows(Some("标记颜色=利用率 marker colour = utilisation"), bands),
        LegendSection {
            inline: true,
            ..LegendSection::rows(Some("标记大小=学位 marker size = seats"), sizes)
        },
        LegendSection::rows(None, marks),
    ]
}

/// Legend of the forecast map: the gap classes and each school's gap.
fn gap_legend(m: &MapInput, g: &GapLayer) -> Vec<LegendSection> {
    let classes = [
        (Some(3), "3+ 班不足 3+ classes short"),
        (Some(2), "2 班不足 classes short"),
        (Some(1), "1 班不足 class short"),
        (Some(0), "已满, 余位不足 1 班 full (< 1 class spare)"),
        (Some(-1), "余 1 班 1 class spare"),
        (Some(-2), "余 2 班 2 classes spare"),
        (Some(-3), "余 3+ 班 3+ classes spare"),
        (None, "无预测 no forecast"),
    ]
    .into_iter()
    .map(|(classes, label)| {
        let c = gap_colour(classes.map(|c| SchoolGap {
            students: 0,
            classes: c,
        }));
        LegendItem::new(
            Swatch::Fill {
                rgb: rgb(c),
                alpha: 0.75,
                outline: true,
            },
            label,
        )
    })
    .collect();
    let schools = m
        .schools
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let gap = g.gaps.get(i).copied().flatten();
            let text = match gap {
                Some(x) => format!("{}  {:+} 班 ({:+})", s.name, x.classes, x.students),
                None => format!("{}  -", s.name),
            };
            LegendItem::new(
                Swatch::Fill {
                    rgb: rgb(gap_colour(gap)),
                    alpha: 0.75,
                    outline: false,
                },
                text,
            )
        })
        .collect();
    vec![
        LegendSection::rows(
            Some(&format!(
                "{} 年学位缺口 seat gap (班 classes of {})",
                g.year, g.class_size
            )),
            classes,
        ),
        LegendSection {
            list: true,
            ..LegendSection::rows(
                Some("学校 缺口 (学生-学位) school gap (students - seats)"),
                schools,
            )
        },
    ]
}

/// Fill of a school marker by utilisation (assigned / seats): under 85%,
/// 85% to 100%, over 100% (special-needs children beyond the seats).
pub fn utilisation_colour(u: Option<f64>) -> RGBColor {
    match u {
        Some(u) if u > 1.0 => RGBColor(214, 39, 40),
        Some(u) if u >= 0.85 => RGBColor(255, 176, 0),
        Some(_) => RGBColor(44, 160, 44),
        None => RGBColor(200, 200, 200),
    }
}

/// Zone fill by seat gap in classes (diverging: blue spare, red short).
pub fn gap_colour(g: Option<SchoolGap>) -> RGBColor {
    match g.map(|g| g.classes) {
        None => RGBColor(215, 215, 215),
        Some(c) if c >= 3 => RGBColor(178, 24, 43),
        Some(2) => RGBColor(239, 138, 98),
        Some(1) => RGBColor(253, 200, 170),
        Some(0) => RGBColor(250, 246, 220),
        Some(-1) => RGBColor(209, 229, 240),
        Some(-2) => RGBColor(103, 169, 207),
        Some(_) => RGBColor(33, 102, 172),
    }
}

/// Radius of a school marker in pixels: grows with the square root of the
/// seats (area proportional to seats), from 7 px (45 seats) to 24 px.
pub fn marker_radius(seats: u32) -> i32 {
    ((5.0 + 3.0 * (seats as f64 / 45.0).sqrt()).round() as i32).clamp(7, 24)
}

fn triangle(x: i32, y: i32, r: i32) -> Vec<(i32, i32)> {
    let (rf, xf, yf) = (r as f64, x as f64, y as f64);
    vec![
        (x, (yf - 1.15 * rf).round() as i32),
        ((xf - rf).round() as i32, (yf + 0.7 * rf).round() as i32),
        ((xf + rf).round() as i32, (yf + 0.7 * rf).round() as i32),
    ]
}

/// A red cross in a red ring on a white halo: an unplaced unit.
fn unplaced_mark<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    x: i32,
    y: i32,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let red = RGBColor(200, 0, 0);
    root.draw(&Circle::new((x, y), 10, WHITE.mix(0.85).filled()))?;
    root.draw(&Circle::new((x, y), 10, red.stroke_width(2)))?;
    let st = ShapeStyle::from(&red).stroke_width(3);
    root.draw(&PathElement::new(vec![(x - 6, y - 6), (x + 6, y + 6)], st))?;
    root.draw(&PathElement::new(vec![(x - 6, y + 6), (x + 6, y - 6)], st))?;
    Ok(())
}

/// A school: its shape (triangle day, square boarding) in its zone colour
/// as a rim, filled by utilisation (or white on a forecast map), sized by
/// seats. Returns the half-size drawn.
fn school_marker<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    x: i32,
    y: i32,
    s: &MapSchool,
    rim: RGBColor,
    fill: RGBColor,
) -> Result<i32, DrawingAreaErrorKind<DB::ErrorType>> {
    let r = marker_radius(s.seats);
    let outer = r + 3;
    if s.boarding {
        let (a, b) = (r * 17 / 20, outer * 17 / 20);
        root.draw(&Rectangle::new(
            [(x - b, y - b), (x + b, y + b)],
            rim.filled(),
        ))?;
        root.draw(&Rectangle::new(
            [(x - a, y - a), (x + a, y + a)],
            fill.filled(),
        ))?;
        root.draw(&Rectangle::new(
            [(x - b, y - b), (x + b, y + b)],
            BLACK.stroke_width(1),
        ))?;
    } else {
        let o = triangle(x, y, outer + 2);
        root.draw(&Polygon::new(o.clone(), rim.filled()))?;
        root.draw(&Polygon::new(triangle(x, y, r - 1), fill.filled()))?;
        let mut edge = o;
        edge.push(edge[0]);
        root.draw(&PathElement::new(edge, BLACK.stroke_width(1)))?;
    }
    Ok(outer + 2)
}

fn nice_length(target_m: f64) -> f64 {
    const NICE: [f64; 12] = [
        100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0, 20000.0, 50000.0, 100000.0, 200000.0,
        500000.0,
    ];
    NICE.iter()
        .copied()
        .rfind(|&v| v <= target_m)
        .unwrap_or(NICE[0])
}

fn length_label(m: f64) -> String {
    if m >= 1000.0 {
        format!("{} km", m / 1000.0)
    } else {
        format!("{m} m")
    }
}

/// A box in pixels: left, top, right, bottom.
pub type PxRect = (i32, i32, i32, i32);

fn overlaps(a: PxRect, b: PxRect) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// One mark per pixel and school, with the students of every unit there,
/// in the order the units come: a province's two million households on a
/// map of a million and a half pixels would otherwise be drawn one upon
/// another (and its SVG would hold every one).
fn pixel_marks<'a>(
    frame: &Frame,
    units: impl Iterator<Item = &'a MapUnit>,
) -> Vec<((i32, i32), Option<usize>, u64)> {
    let mut marks: Vec<((i32, i32), Option<usize>, u64)> = Vec::new();
    let mut at: rustc_hash::FxHashMap<((i32, i32), Option<usize>), usize> =
        rustc_hash::FxHashMap::default();
    for u in units {
        let key = (frame.px(u.lon, u.lat), u.school);
        let k = *at.entry(key).or_insert_with(|| {
            marks.push((key.0, key.1, 0));
            marks.len() - 1
        });
        marks[k].2 += u.students as u64;
    }
    marks
}

/// The text of a school's label on the map.
fn label_text(s: &MapSchool) -> String {
    match s.status {
        SchoolStatus::Open => s.name.clone(),
        SchoolStatus::New => format!("{} 新建", s.name),
        SchoolStatus::Closed => format!("{} 已关闭", s.name),
    }
}

/// Half the size of a school's marker as drawn (the box labels avoid).
fn marker_half(s: &MapSchool) -> i32 {
    match s.status {
        SchoolStatus::Closed => CLOSED_R + 2,
        SchoolStatus::New => marker_radius(s.seats) + 5 + 4,
        SchoolStatus::Open => marker_radius(s.seats) + 5,
    }
}

/// Radius of a closed school's marker.
const CLOSED_R: i32 = 10;

/// Size of the label text, in pixels.
const LABEL_SIZE: f64 = 17.0;

/// Where each shown school's label goes (top-left and bottom-right), or
/// `None` when it fits nowhere: greedy, school by school in map order, at
/// the first of eight spots around its marker (right, left, above, below,
/// then the corners) that stays inside `area` and clear of every marker,
/// every `blocked` box and every label placed before. Deterministic.
fn place_labels(
    frame: &Frame,
    m: &MapInput,
    hide: &[bool],
    area: PxRect,
    blocked: &[PxRect],
) -> Vec<(usize, Option<PxRect>)> {
    let shown: Vec<usize> = (0..m.schools.len()).filter(|&i| !hide[i]).collect();
    let mut taken: Vec<PxRect> = blocked.to_vec();
    // Unplaced households' marks stay visible (an alert, radius 10).
    if m.gap.is_none() {
        for ((x, y), _, _) in pixel_marks(frame, m.units.iter().filter(|u| u.school.is_none())) {
            taken.push((x - 11, y - 11, x + 11, y + 11));
        }
    }
    for &i in &shown {
        let s = &m.schools[i];
        let (x, y) = frame.px(s.lon, s.lat);
        let h = marker_half(s);
        taken.push((x - h, y - h, x + h, y + h));
    }
    let mut out = Vec::with_capacity(shown.len());
    for &i in &shown {
        let s = &m.schools[i];
        let (x, y) = frame.px(s.lon, s.lat);
        let (w, h) = super::typeset::extent(&label_text(s), LABEL_SIZE);
        let (w, h) = (w as i32, h as i32);
        let d = marker_half(s) + 3;
        let spots = [
            (x + d, y - h / 2),
            (x - d - w, y - h / 2),
            (x - w / 2, y - d - h),
            (x - w / 2, y + d),
            (x + d - 2, y - d + 2 - h),
            (x + d - 2, y + d - 2),
            (x - d + 2 - w, y - d + 2 - h),
            (x - d + 2 - w, y + d - 2),
        ];
        let rect = |(lx, ly): (i32, i32)| (lx, ly, lx + w, ly + h);
        let fits = |r: PxRect| {
            // A pixel of halo on every side.
            let r = (r.0 - 1, r.1 - 1, r.2 + 1, r.3 + 1);
            r.0 >= area.0
                && r.2 <= area.2
                && r.1 >= area.1
                && r.3 <= area.3
                && !taken.iter().any(|&t| overlaps(t, r))
        };
        let spot = spots.iter().map(|&p| rect(p)).find(|&r| fits(r));
        if let Some(r) = spot {
            taken.push(r);
        }
        out.push((i, spot));
    }
    out
}

/// Every label of the map as drawn: (text, box in pixels), the main map's
/// then the inset's. Labels that fit nowhere are left out.
pub fn label_boxes(m: &MapInput) -> Vec<(String, PxRect)> {
    let g = Geometry::of(m);
    let mut out = Vec::new();
    for labels in [Some(&g.main_labels), g.inset.as_ref().map(|x| &x.labels)]
        .into_iter()
        .flatten()
    {
        for &(i, r) in labels {
            if let Some(r) = r {
                out.push((label_text(&m.schools[i]), r));
            }
        }
    }
    out
}

/// Units, schools and the placed school names in one frame. `hide[i]`
/// leaves school `i` out (drawn in the inset instead, or outside it).
fn draw_layer<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    frame: &Frame,
    m: &MapInput,
    hide: &[bool],
    labels: &[(usize, Option<PxRect>)],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    // A forecast map shows zones only: households belong to the plan.
    let units: &[MapUnit] = if m.gap.is_some() { &[] } else { &m.units };
    for ((x, y), school, students) in pixel_marks(
        frame,
        units.iter().filter(|u| u.school.is_some() && !u.boarding),
    ) {
        let r = 2 + (students as f64).sqrt().round() as i32;
        let c = school_colour(school.map_or(0, |i| m.schools[i].colour));
        root.draw(&Circle::new((x, y), r, c.mix(0.75).filled()))?;
    }
    // Boarding pupils' homes: hollow squares in their school's colour.
    for ((x, y), school, students) in pixel_marks(
        frame,
        units.iter().filter(|u| u.school.is_some() && u.boarding),
    ) {
        let r = 2 + (students as f64).sqrt().round() as i32;
        let c = school_colour(school.map_or(0, |i| m.schools[i].colour));
        root.draw(&Rectangle::new(
            [(x - r, y - r), (x + r, y + r)],
            WHITE.mix(0.6).filled(),
        ))?;
        root.draw(&Rectangle::new(
            [(x - r, y - r), (x + r, y + r)],
            c.stroke_width(2),
        ))?;
    }
    for ((x, y), _, _) in pixel_marks(frame, units.iter().filter(|u| u.school.is_none())) {
        unplaced_mark(root, x, y)?;
    }
    for (i, s) in m.schools.iter().enumerate() {
        if hide[i] {
            continue;
        }
        let (x, y) = frame.px(s.lon, s.lat);
        if s.status == SchoolStatus::Closed {
            closed_mark(root, x, y, CLOSED_R)?;
            continue;
        }
        let (rim, fill) = match &m.gap {
            Some(_) => (RGBColor(60, 60, 60), WHITE),
            None => (
                school_colour(s.colour),
                utilisation_colour((s.seats > 0).then(|| s.assigned as f64 / s.seats as f64)),
            ),
        };
        let half = school_marker(root, x, y, s, rim, fill)?;
        if s.status == SchoolStatus::New {
            // A black ring around the marker: opened by this scenario.
            root.draw(&Circle::new((x, y), half + 3, BLACK.stroke_width(2)))?;
        }
    }
    let style = font(LABEL_SIZE).pos(Pos::new(HPos::Left, VPos::Top));
    for &(i, r) in labels {
        let Some((lx, ly, _, _)) = r else { continue };
        let text = label_text(&m.schools[i]);
        // A white halo keeps labels readable over the dots.
        for (dx, dy) in [(-1, 0), (1, 0), (0, -1), (0, 1)] {
            root.draw(&Text::new(
                text.clone(),
                (lx + dx, ly + dy),
                style.clone().color(&WHITE),
            ))?;
        }
        root.draw(&Text::new(text, (lx, ly), style.clone()))?;
    }
    Ok(())
}

/// A closed school: a grey hollow circle with a grey cross.
fn closed_mark<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    x: i32,
    y: i32,
    r: i32,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let grey = RGBColor(110, 110, 110);
    root.draw(&Circle::new((x, y), r, WHITE.filled()))?;
    root.draw(&Circle::new((x, y), r, grey.stroke_width(2)))?;
    let k = r * 6 / 10;
    let st = ShapeStyle::from(&grey).stroke_width(2);
    root.draw(&PathElement::new(vec![(x - k, y - k), (x + k, y + k)], st))?;
    root.draw(&PathElement::new(vec![(x - k, y + k), (x + k, y - k)], st))?;
    Ok(())
}

/// Where everything of a map goes before anything is drawn: the frame,
/// the inset (if any) and every label's place.
struct Geometry {
    frame: Frame,
    map_w: i32,
    in_inset: Vec<bool>,
    main_labels: Vec<(usize, Option<PxRect>)>,
    inset: Option<InsetGeometry>,
}

/// The inset's own frame, which schools it hides, and its labels.
struct InsetGeometry {
    x: Inset,
    frame: Frame,
    hide: Vec<bool>,
    labels: Vec<(usize, Option<PxRect>)>,
}

impl Geometry {
    fn of(m: &MapInput) -> Geometry {
        let map_w = WIDTH as i32 - PANEL;
        let top = 90;
        let frame = map_frame(m, map_w, top as f64);
        // Dense clusters of schools (a county town) get a magnified inset
        // so every name can be read; in the main map they are unlabelled.
        let inset = find_inset(&frame, m, map_w, top);
        let in_inset: Vec<bool> = (0..m.schools.len())
            .map(|i| inset.as_ref().is_some_and(|x| x.members.contains(&i)))
            .collect();
        let area = (0, top, map_w, HEIGHT as i32 - 60);
        // Labels keep off the inset card and the north arrow's card.
        let mut blocked = vec![north_arrow_box(map_w)];
        if let Some(x) = &inset {
            blocked.push((x.rect.0.0, x.rect.0.1, x.rect.1.0, x.rect.1.1));
        }
        let main_labels = place_labels(&frame, m, &in_inset, area, &blocked);
        let inset = inset.map(|x| {
            let f = inset_frame(&x);
            let hide: Vec<bool> = m
                .schools
                .iter()
                .zip(&in_inset)
                .map(|(s, &member)| {
                    !(member
                        || (s.lon >= x.lon0
                            && s.lon <= x.lon1
                            && s.lat >= x.lat0
                            && s.lat <= x.lat1))
                })
                .collect();
            let (r0, r1) = x.rect;
            let area = (r0.0, r0.1 + 24, r1.0, r1.1 - 24);
            let labels = place_labels(&f, m, &hide, area, &[]);
            InsetGeometry {
                x,
                frame: f,
                hide,
                labels,
            }
        });
        Geometry {
            frame,
            map_w,
            in_inset,
            main_labels,
            inset,
        }
    }
}

/// The inset's frame: its lon/lat box fitted into its card, under the
/// card's title line.
fn inset_frame(x: &Inset) -> Frame {
    let (r0, r1) = x.rect;
    let sub_pts = [(x.lon0, x.lat0), (x.lon1, x.lat1)];
    let w = (r1.0 - r0.0) as f64;
    let h = (r1.1 - r0.1) as f64;
    let mut f = Frame::fit(&sub_pts, w, h - 24.0, 12.0);
    f.ox += r0.0 as f64;
    f.oy += r0.1 as f64 + 24.0;
    f
}

struct Inset {
    members: Vec<usize>,
    lon0: f64,
    lat0: f64,
    lon1: f64,
    lat1: f64,
    /// Where the inset is drawn (pixels, top-left and bottom-right).
    rect: ((i32, i32), (i32, i32)),
    label: String,
}

/// The densest group of schools (three or more within 70 px of one), if
/// any, and the emptiest corner of the map to magnify it in.
fn find_inset(frame: &Frame, m: &MapInput, map_w: i32, top: i32) -> Option<Inset> {
    let px: Vec<(i32, i32)> = m.schools.iter().map(|s| frame.px(s.lon, s.lat)).collect();
    let near = |a: (i32, i32), b: (i32, i32)| {
        let (dx, dy) = ((a.0 - b.0) as f64, (a.1 - b.1) as f64);
        (dx * dx + dy * dy).sqrt() <= 70.0
    };
    let (best, count) = (0..px.len())
        .map(|i| (i, px.iter().filter(|&&q| near(px[i], q)).count()))
        .max_by_key(|&(i, c)| (c, std::cmp::Reverse(i)))?;
    if count < 3 {
        return None;
    }
    let members: Vec<usize> = (0..px.len()).filter(|&j| near(px[best], px[j])).collect();
    let (mut lon0, mut lat0, mut lon1, mut lat1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for &j in &members {
        let s = &m.schools[j];
        lon0 = lon0.min(s.lon);
        lon1 = lon1.max(s.lon);
        lat0 = lat0.min(s.lat);
        lat1 = lat1.max(s.lat);
    }
    // Pad by a third of the span, at least ~1 km, and make it square-ish.
    let coslat = ((lat0 + lat1) / 2.0).to_radians().cos();
    let pad_lat = ((lat1 - lat0).max((lon1 - lon0) * coslat) / 3.0).max(0.009);
    let (cx, cy) = ((lon0 + lon1) / 2.0, (lat0 + lat1) / 2.0);
    let half_lat = ((lat1 - lat0) / 2.0).max((lon1 - lon0) * coslat / 2.0) + pad_lat;
    let half_lon = half_lat / coslat;
    let (lon0, lon1, lat0, lat1) = (cx - half_lon, cx + half_lon, cy - half_lat, cy + half_lat);
    // The corner of the map area with the fewest units under it.
    let (w, h) = (330, 330);
    let corners = [
        ((map_w - w - 12, HEIGHT as i32 - h - 70), "se"),
        ((12, HEIGHT as i32 - h - 70), "sw"),
        ((map_w - w - 12, top + 60), "ne"),
        ((12, top + 10), "nw"),
    ];
    let occupied = |o: (i32, i32)| {
        let mut pts = m
            .units
            .iter()
            .map(|u| frame.px(u.lon, u.lat))
            .collect::<Vec<_>>();
        pts.extend(px.iter().copied());
        pts.iter()
            .filter(|p| p.0 >= o.0 && p.0 <= o.0 + w && p.1 >= o.1 && p.1 <= o.1 + h)
            .count()
    };
    let (origin, _) = corners.iter().copied().min_by_key(|&(o, _)| occupied(o))?;
    Some(Inset {
        members,
        lon0,
        lat0,
        lon1,
        lat1,
        rect: (origin, (origin.0 + w, origin.1 + h)),
        label: format!("{} 所学校 schools", count),
    })
}

/// Zone fills, then their edges: each school's colour, or the colour of
/// its forecast gap. `within` clips the zones to a lon/lat box (the inset).
fn draw_zones<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    frame: &Frame,
    m: &MapInput,
    zones: &[(f64, usize, &MultiPolygon<f64>)],
    within: Option<(f64, f64, f64, f64)>,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    use geo::BooleanOps;
    let clipped: Vec<(usize, MultiPolygon<f64>)> = zones
        .iter()
        .map(|&(_, i, z)| {
            let z = match within {
                Some((x0, y0, x1, y1)) => {
                    let r = geo::Rect::new((x0, y0), (x1, y1)).to_polygon();
                    z.intersection(&MultiPolygon::new(vec![r]))
                }
                None => z.clone(),
            };
            (i, z)
        })
        .collect();
    let ring = |p: &geo::Polygon<f64>| -> Vec<(i32, i32)> {
        p.exterior().coords().map(|c| frame.px(c.x, c.y)).collect()
    };
    for (i, z) in &clipped {
        let fill = match &m.gap {
            Some(g) => gap_colour(g.gaps.get(*i).copied().flatten()).mix(0.75),
            None => school_colour(m.schools[*i].colour).mix(0.16),
        };
        for p in &z.0 {
            root.draw(&Polygon::new(ring(p), fill.filled()))?;
        }
    }
    for (i, z) in &clipped {
        let edge = match &m.gap {
            Some(_) => RGBColor(90, 90, 90).mix(0.8),
            None => school_colour(m.schools[*i].colour).mix(0.7),
        };
        for p in &z.0 {
            root.draw(&PathElement::new(
                ring(p),
                ShapeStyle::from(&edge).stroke_width(2),
            ))?;
        }
    }
    Ok(())
}

/// The boarding pupils' home areas: a neutral fill hatched in the school's
/// colour (grey on a forecast map), a thin grey edge. `within` clips them
/// to a lon/lat box (the inset).
fn draw_boarding_areas<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    frame: &Frame,
    m: &MapInput,
    within: Option<(f64, f64, f64, f64)>,
) -> DrawResult<DB> {
    use geo::BooleanOps;
    for &(i, area) in &m.boarding_areas {
        let area = match within {
            Some((x0, y0, x1, y1)) => {
                let r = geo::Rect::new((x0, y0), (x1, y1)).to_polygon();
                area.intersection(&MultiPolygon::new(vec![r]))
            }
            None => area.clone(),
        };
        let hatch = match &m.gap {
            Some(_) => RGBColor(120, 120, 120).mix(0.6),
            None => school_colour(m.schools[i].colour).mix(0.6),
        };
        let px = |c: &geo::Coord<f64>| {
            let (x, y) = frame.px(c.x, c.y);
            geo::Coord {
                x: x as f64,
                y: y as f64,
            }
        };
        for p in &area.0 {
            let ring: Vec<(i32, i32)> = p.exterior().coords().map(|c| frame.px(c.x, c.y)).collect();
            root.draw(&Polygon::new(ring, BOARDING_AREA.filled()))?;
        }
        // The hatch: lines at 45 degrees every 10 pixels, cut to the area
        // (in pixels, so the spacing is the same on every map).
        let in_px = MultiPolygon::new(
            area.0
                .iter()
                .map(|p| {
                    geo::Polygon::new(
                        p.exterior().coords().map(px).collect(),
                        p.interiors()
                            .iter()
                            .map(|r| r.coords().map(px).collect())
                            .collect(),
                    )
                })
                .collect(),
        );
        if let Some(b) = geo::BoundingRect::bounding_rect(&in_px) {
            let (x0, x1) = (b.min().x, b.max().x);
            let lines: Vec<geo::LineString<f64>> = ((((b.min().x + b.min().y) / 10.0).floor()
                as i64)
                ..=(((b.max().x + b.max().y) / 10.0).ceil() as i64))
                .map(|k| {
                    let c = k as f64 * 10.0;
                    geo::LineString::from(vec![(x0, c - x0), (x1, c - x1)])
                })
                .collect();
            let cut = in_px.clip(&geo::MultiLineString::new(lines), false);
            for l in &cut.0 {
                let pts: Vec<(i32, i32)> = l
                    .coords()
                    .map(|c| (c.x.round() as i32, c.y.round() as i32))
                    .collect();
                root.draw(&PathElement::new(
                    pts,
                    ShapeStyle::from(&hatch).stroke_width(1),
                ))?;
            }
        }
        for p in &area.0 {
            let ring: Vec<(i32, i32)> = p.exterior().coords().map(|c| frame.px(c.x, c.y)).collect();
            root.draw(&PathElement::new(
                ring,
                ShapeStyle::from(&RGBColor(130, 130, 130)).stroke_width(1),
            ))?;
        }
    }
    Ok(())
}

/// Roads as thin grey lines; `within` keeps only pieces touching a lon/lat
/// box (for the inset).
fn draw_roads<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    frame: &Frame,
    roads: &[[(f64, f64); 2]],
    within: Option<(f64, f64, f64, f64)>,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let style = ShapeStyle::from(&RGBColor(175, 175, 175)).stroke_width(1);
    let inside = |p: (f64, f64)| {
        within.is_none_or(|(x0, y0, x1, y1)| p.0 >= x0 && p.0 <= x1 && p.1 >= y0 && p.1 <= y1)
    };
    // Consecutive pieces that share an end are drawn as one line (a road
    // is usually listed piece after piece): a much smaller SVG.
    let mut line: Vec<(i32, i32)> = Vec::new();
    for r in roads {
        if !(inside(r[0]) && inside(r[1])) {
            continue;
        }
        let (a, b) = (frame.px(r[0].0, r[0].1), frame.px(r[1].0, r[1].1));
        if a == b {
            continue;
        }
        if line.last() != Some(&a) {
            if line.len() >= 2 {
                root.draw(&PathElement::new(std::mem::take(&mut line), style))?;
            }
            line.clear();
            line.push(a);
        }
        line.push(b);
    }
    if line.len() >= 2 {
        root.draw(&PathElement::new(line, style))?;
    }
    Ok(())
}
