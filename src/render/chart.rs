//! The enrollment forecast chart of one school: actual students by year as
//! a solid line, the forecast as a dashed line continuing from the last
//! actual year, its prediction band as a translucent area, the school's
//! seats as a red horizontal line, a legend, and the "synthetic" note for
//! example data. Pure: data in, PNG bytes and an SVG document out.

use super::font::text as font;
use super::font::{embed_font_in_svg, ensure_registered, svg_font_fallback};
use super::legend::{Legend, LegendItem, LegendSection, Swatch};
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// A forecast year: students and the band (low, high), when known.
type ForecastPoint = (i32, f64, Option<(f64, f64)>);

/// One school's chart.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChartInput {
    /// E.g. "砚城镇第一小学 P01 学生预测 students forecast".
    pub title: String,
    /// Scenario or source note.
    pub subtitle: String,
    /// Draw "合成示例数据 synthetic example data", as the maps do.
    pub synthetic: bool,
    /// Actual students by year.
    pub history: Vec<(i32, f64)>,
    /// Year, forecast students, low and high of the prediction band (80%).
    pub forecast: Vec<(i32, f64, Option<f64>, Option<f64>)>,
    /// The whole school's seats, drawn as a horizontal line.
    pub seats: Option<f64>,
    /// The legend is given beside the chart (the report writes it as
    /// HTML, readable on A4): not drawn, the plot a little taller.
    pub legend_outside: bool,
}

pub const WIDTH: u32 = 900;
pub const HEIGHT: u32 = 520;

/// Values are clamped to `0..=MAX_VALUE` so that absurd input cannot break
/// the axis arithmetic.
const MAX_VALUE: f64 = 1e9;
/// Top of the plot area (title, subtitle and legend above it).
const PLOT_TOP: u32 = 92;

const ACTUAL: RGBColor = RGBColor(31, 119, 180);
const FORECAST: RGBColor = RGBColor(230, 110, 0);
const BAND: RGBColor = RGBColor(255, 160, 60);
const SEATS: RGBColor = RGBColor(205, 30, 30);
const GREY: RGBColor = RGBColor(70, 70, 70);

/// Render the chart as PNG bytes and an SVG document ([`WIDTH`] x
/// [`HEIGHT`]). Never panics on odd data: empty series, one year, zeros,
/// missing band or seats, non-finite values (dropped).
pub fn render_chart(c: &ChartInput) -> (Vec<u8>, String) {
    ensure_registered();
    let data = Data::new(c);
    let mut rgb = vec![255u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root =
            super::typeset::Typeset::raster(BitMapBackend::with_buffer(&mut rgb, (WIDTH, HEIGHT)))
                .into_drawing_area();
        let _ = draw(&root, c, &data);
        root.present().expect("in-memory bitmap");
    }
    let png_bytes = super::encode_png(&rgb, WIDTH, HEIGHT);
    let mut svg = String::new();
    {
        let root =
            super::typeset::Typeset::vector(SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)))
                .into_drawing_area();
        let _ = draw(&root, c, &data);
        root.present().expect("in-memory svg");
    }
    let svg = embed_font_in_svg(&svg_font_fallback(&svg)).expect("the bundled font subsets");
    (png_bytes, svg)
}

/// The input cleaned up: finite, clamped, sorted by year, one value a year.
struct Data {
    history: Vec<(i32, f64)>,
    /// Year, students, band (low <= high).
    forecast: Vec<ForecastPoint>,
    seats: Option<f64>,
}

fn clean(v: f64) -> Option<f64> {
    v.is_finite().then(|| v.clamp(0.0, MAX_VALUE))
}

impl Data {
    fn new(c: &ChartInput) -> Data {
        let mut history: Vec<(i32, f64)> = c
            .history
            .iter()
            .filter_map(|&(y, v)| Some((y, clean(v)?)))
            .collect();
        history.sort_by_key(|p| p.0);
        history.dedup_by_key(|p| p.0);
        let mut forecast: Vec<ForecastPoint> = c
            .forecast
            .iter()
            .filter_map(|&(y, v, lo, hi)| {
                let band = match (lo.and_then(clean), hi.and_then(clean)) {
                    (Some(a), Some(b)) => Some((a.min(b), a.max(b))),
                    _ => None,
                };
                Some((y, clean(v)?, band))
            })
            .collect();
        forecast.sort_by_key(|p| p.0);
        forecast.dedup_by_key(|p| p.0);
        Data {
            history,
            forecast,
            seats: c.seats.and_then(clean),
        }
    }

    /// The last actual point, when the forecast starts after it: the
    /// dashed line and the band start there.
    fn anchor(&self) -> Option<(i32, f64)> {
        let last = *self.history.last()?;
        let first = self.forecast.first()?;
        (first.0 > last.0).then_some(last)
    }

    fn years(&self) -> Option<(i32, i32)> {
        let ys = self
            .history
            .iter()
            .map(|p| p.0)
            .chain(self.forecast.iter().map(|p| p.0));
        let lo = ys.clone().min()?;
        let hi = ys.max()?;
        Some((lo, hi))
    }

    fn max_value(&self) -> f64 {
        let mut m = 0.0f64;
        for &(_, v) in &self.history {
            m = m.max(v);
        }
        for &(_, v, b) in &self.forecast {
            m = m.max(v).max(b.map_or(0.0, |b| b.1));
        }
        m.max(self.seats.unwrap_or(0.0))
    }

    fn has_band(&self) -> bool {
        self.forecast.iter().any(|p| p.2.is_some())
    }
}

/// Top of the y axis: a little above the largest value, rounded up to two
/// significant digits, at least 10.
fn y_top(max: f64) -> f64 {
    let t = (max * 1.1).max(10.0);
    let mag = 10f64.powf(t.log10().floor() - 1.0);
    (t / mag).ceil() * mag
}

/// Integer years to label: every year, or every 2nd, 5th, 10th, ... so that
/// at most 16 are labelled.
fn year_ticks(y0: i32, y1: i32) -> Vec<f64> {
    let (y0, y1) = (y0 as i64, y1 as i64);
    let span = y1 - y0;
    let mut step = 1i64;
    for s in [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] {
        step = s;
        if span / s < 16 {
            break;
        }
    }
    if span / step >= 16 {
        return vec![y0 as f64, y1 as f64];
    }
    let first = y0.div_euclid(step) * step + if y0.rem_euclid(step) == 0 { 0 } else { step };
    (0..)
        .map(|k| first + k * step)
        .take_while(|&y| y <= y1)
        .map(|y| y as f64)
        .collect()
}

/// The year axis: linear in (fractional) years, labelled at whole years.
struct YearAxis {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl Ranged for YearAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let t = (value - self.lo) / (self.hi - self.lo);
        (limit.0 as f64 + t * (limit.1 - limit.0) as f64).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

fn number(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Width of `text` in pixels at `size`.
fn text_width<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, text: &str, size: f64) -> i32 {
    root.estimate_text_size(text, &font(size))
        .map(|(w, _)| w as i32)
        .unwrap_or((size * text.chars().count() as f64) as i32)
}

/// `text` at the largest size from `size` down to `min` that fits in
/// `max_w` pixels; cut with "…" when even `min` is too wide.
fn fit<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
    size: f64,
    min: f64,
    max_w: i32,
) -> (String, f64) {
    let mut s = size;
    while s > min && text_width(root, text, s) > max_w {
        s -= 1.0;
    }
    if text_width(root, text, s) <= max_w {
        return (text.to_string(), s);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut n = chars.len();
    while n > 0 {
        n -= 1;
        let t: String = chars[..n].iter().collect::<String>() + "…";
        if text_width(root, &t, s) <= max_w {
            return (t, s);
        }
    }
    (String::new(), s)
}

/// Errors of drawing on backend `DB`.
type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// The plot's coordinates: years across, students up.
type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<YearAxis, RangedCoordf64>>;

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &ChartInput,
    d: &Data,
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    draw_header(root, c)?;
    let plot_top = if c.legend_outside {
        PLOT_TOP - 26
    } else {
        draw_legend(root, d)?;
        PLOT_TOP
    };

    // Axes.
    let years = d.years();
    let (x0, x1, ticks) = match years {
        Some((a, b)) => (a as f64 - 0.5, b as f64 + 0.5, year_ticks(a, b)),
        None => (0.0, 1.0, Vec::new()),
    };
    let top = y_top(d.max_value());
    let (_, area) = root.split_vertically(plot_top);
    let mut chart = ChartBuilder::on(&area)
        .margin_left(12)
        .margin_right(28)
        .margin_top(6)
        .margin_bottom(8)
        .x_label_area_size(46)
        .y_label_area_size(66)
        .build_cartesian_2d(
            YearAxis {
                lo: x0,
                hi: x1,
                ticks,
            },
            0.0..top,
        )?;
    chart
        .configure_mesh()
        .x_desc("年份 year")
        .y_desc("学生数 students")
        .x_label_formatter(&|v| format!("{:.0}", v))
        .y_label_formatter(&|v| number(*v))
        .y_labels(8)
        .label_style(font(13.0))
        .axis_desc_style(font(14.0))
        .bold_line_style(RGBColor(225, 225, 225))
        .light_line_style(TRANSPARENT)
        .axis_style(RGBColor(120, 120, 120))
        .draw()?;

    if years.is_none() {
        let (px, py) = chart.backend_coord(&(0.5, top / 2.0));
        root.draw(&Text::new(
            "无数据 no data",
            (px, py),
            font(18.0)
                .color(&GREY)
                .pos(Pos::new(HPos::Center, VPos::Center)),
        ))?;
        return Ok(());
    }
    draw_band(&mut chart, &band_runs(d))?;
    // Seats: the line under the data, its label where it hides least.
    if let Some(s) = d.seats {
        chart.draw_series(LineSeries::new([(x0, s), (x1, s)], SEATS.stroke_width(2)))?;
    }
    let fc = draw_forecast(&mut chart, d)?;
    let hist = draw_actual(&mut chart, d)?;
    if let Some(s) = d.seats {
        draw_seats_label(root, &chart, d, s, (x0, x1), hist, fc)?;
    }
    Ok(())
}

/// Title, subtitle, synthetic note.
fn draw_header<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &ChartInput,
) -> DrawResult<DB> {
    let w = WIDTH as i32;
    let mut title_room = w - 40;
    if c.synthetic {
        let note = "合成示例数据 synthetic example data";
        let st = font(15.0)
            .color(&RGBColor(190, 30, 30))
            .pos(Pos::new(HPos::Right, VPos::Top));
        root.draw(&Text::new(note, (w - 20, 18), st))?;
        title_room -= text_width(root, note, 15.0) + 24;
    }
    let (title, size) = fit(root, &c.title, 22.0, 15.0, title_room);
    root.draw(&Text::new(title, (20, 14), font(size)))?;
    let (subtitle, size) = fit(root, &c.subtitle, 14.0, 11.0, w - 40);
    root.draw(&Text::new(subtitle, (20, 46), font(size).color(&GREY)))?;
    Ok(())
}

/// The chart's legend: only what is drawn. The chart draws it in a row
/// above the plot; the report writes it under the chart.
pub fn legend(c: &ChartInput) -> Legend {
    legend_of(&Data::new(c))
}

fn legend_of(d: &Data) -> Legend {
    let rgb = |c: RGBColor| (c.0, c.1, c.2);
    let mut items = Vec::new();
    if !d.history.is_empty() {
        let sw = Swatch::Line {
            rgb: rgb(ACTUAL),
            dashed: false,
            dot: Some(false),
        };
        items.push(LegendItem::new(sw, "实际 actual"));
    }
    if !d.forecast.is_empty() {
        let sw = Swatch::Line {
            rgb: rgb(FORECAST),
            dashed: true,
            dot: Some(true),
        };
        items.push(LegendItem::new(sw, "预测 forecast"));
    }
    if d.has_band() {
        let sw = Swatch::Fill {
            rgb: rgb(BAND),
            alpha: 0.35,
            outline: false,
        };
        items.push(LegendItem::new(sw, "80% 预测区间 80% interval"));
    }
    if d.seats.is_some() {
        let sw = Swatch::Line {
            rgb: rgb(SEATS),
            dashed: false,
            dot: None,
        };
        items.push(LegendItem::new(sw, "座位 seats"));
    }
    Legend {
        sections: vec![LegendSection {
            inline: true,
            ..LegendSection::rows(None, items)
        }],
    }
}

/// Legend: one row above the plot, only what is drawn.
fn draw_legend<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, d: &Data) -> DrawResult<DB> {
    let mut x = 86;
    let y = 76;
    let label = font(13.0).pos(Pos::new(HPos::Left, VPos::Center));
    for it in legend_of(d).sections.iter().flat_map(|s| &s.items) {
        match it.swatch {
            Swatch::Line {
                rgb: (r, g, b),
                dashed,
                dot,
            } => {
                let c = RGBColor(r, g, b);
                if dashed {
                    for k in 0..2 {
                        let x0 = x + k * 16;
                        root.draw(&PathElement::new(
                            vec![(x0, y), (x0 + 9, y)],
                            c.stroke_width(2),
                        ))?;
                    }
                } else {
                    root.draw(&PathElement::new(
                        vec![(x, y), (x + 26, y)],
                        c.stroke_width(2),
                    ))?;
                }
                match dot {
                    Some(true) => {
                        root.draw(&Circle::new((x + 13, y), 4, WHITE.filled()))?;
                        root.draw(&Circle::new((x + 13, y), 4, c.stroke_width(2)))?;
                    }
                    Some(false) => root.draw(&Circle::new((x + 13, y), 4, c.filled()))?,
                    None => {}
                }
            }
            Swatch::Fill {
                rgb: (r, g, b),
                alpha,
                ..
            } => root.draw(&Rectangle::new(
                [(x, y - 7), (x + 26, y + 7)],
                RGBColor(r, g, b).mix(alpha).filled(),
            ))?,
            _ => {}
        }
        root.draw(&Text::new(it.text.clone(), (x + 34, y), label.clone()))?;
        x += 34 + text_width(root, &it.text, 13.0) + 26;
    }
    Ok(())
}

/// Band: one run (year, low, high) per stretch of forecast years that have
/// one, the first starting from the last actual point.
fn band_runs(d: &Data) -> Vec<Vec<(f64, f64, f64)>> {
    let anchor = d.anchor();
    let mut runs: Vec<Vec<(f64, f64, f64)>> = Vec::new();
    let mut run: Vec<(f64, f64, f64)> = Vec::new();
    for (i, &(yr, _, b)) in d.forecast.iter().enumerate() {
        match b {
            Some((lo, hi)) => {
                if i == 0
                    && let Some((ay, av)) = anchor
                {
                    run.push((ay as f64, av, av));
                }
                run.push((yr as f64, lo, hi));
            }
            None => runs.extend((!run.is_empty()).then(|| std::mem::take(&mut run))),
        }
    }
    runs.extend((!run.is_empty()).then_some(run));
    runs
}

/// Each run of the band as a polygon (a bar when it is one year).
fn draw_band<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    runs: &[Vec<(f64, f64, f64)>],
) -> DrawResult<DB> {
    for run in runs {
        if let [(yr, lo, hi)] = run[..] {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(yr - 0.12, lo), (yr + 0.12, hi)],
                BAND.mix(0.35).filled(),
            )))?;
        } else {
            let mut pts: Vec<(f64, f64)> = run.iter().map(|p| (p.0, p.2)).collect();
            pts.extend(run.iter().rev().map(|p| (p.0, p.1)));
            chart.draw_series(std::iter::once(Polygon::new(pts, BAND.mix(0.3).filled())))?;
        }
    }
    Ok(())
}

/// Forecast: dashed from the last actual point, hollow markers. Returns
/// the dashed line's points.
fn draw_forecast<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    d: &Data,
) -> Result<Vec<(f64, f64)>, DrawingAreaErrorKind<DB::ErrorType>> {
    let fc: Vec<(f64, f64)> = d
        .anchor()
        .map(|(y, v)| (y as f64, v))
        .into_iter()
        .chain(d.forecast.iter().map(|p| (p.0 as f64, p.1)))
        .collect();
    if fc.len() > 1 {
        chart.draw_series(DashedLineSeries::new(
            fc.iter().copied(),
            9,
            6,
            FORECAST.stroke_width(2),
        ))?;
    }
    let markers = d.forecast.iter().map(|p| (p.0 as f64, p.1));
    chart.draw_series(markers.clone().map(|p| Circle::new(p, 4, WHITE.filled())))?;
    chart.draw_series(markers.map(|p| Circle::new(p, 4, FORECAST.stroke_width(2))))?;
    Ok(fc)
}

/// Actual: solid line with filled points, on top. Returns its points.
fn draw_actual<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    d: &Data,
) -> Result<Vec<(f64, f64)>, DrawingAreaErrorKind<DB::ErrorType>> {
    let hist: Vec<(f64, f64)> = d.history.iter().map(|p| (p.0 as f64, p.1)).collect();
    if hist.len() > 1 {
        chart.draw_series(LineSeries::new(
            hist.iter().copied(),
            ACTUAL.stroke_width(2),
        ))?;
    }
    chart.draw_series(hist.iter().map(|&p| Circle::new(p, 4, ACTUAL.filled())))?;
    Ok(hist)
}

/// The seats label at `s`, in the corner of the seats line (across
/// `x0..x1`) that covers the fewest data pixels.
fn draw_seats_label<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Plot<'_, DB>,
    d: &Data,
    s: f64,
    (x0, x1): (f64, f64),
    hist: Vec<(f64, f64)>,
    fc: Vec<(f64, f64)>,
) -> DrawResult<DB> {
    let text = format!("座位 seats {}", number(s));
    let tw = text_width(root, &text, 13.0);
    let th = 15;
    let (left, y) = chart.backend_coord(&(x0, s));
    let (right, _) = chart.backend_coord(&(x1, s));
    let covered = covered_pixels(chart, d, hist, fc);
    let candidates = [
        (right - 6 - tw, y - 4 - th),
        (left + 6, y - 4 - th),
        (right - 6 - tw, y + 5),
        (left + 6, y + 5),
    ];
    let hits = |&(lx, ly): &(i32, i32)| {
        covered
            .iter()
            .filter(|p| p.0 >= lx - 8 && p.0 <= lx + tw + 8 && p.1 >= ly - 6 && p.1 <= ly + th + 6)
            .count()
    };
    let (lx, ly) = candidates
        .iter()
        .copied()
        .min_by_key(|c| hits(c))
        .unwrap_or(candidates[0]);
    root.draw(&Rectangle::new(
        [(lx - 3, ly - 1), (lx + tw + 3, ly + th + 1)],
        WHITE.mix(0.85).filled(),
    ))?;
    root.draw(&Text::new(
        text,
        (lx, ly),
        font(13.0)
            .color(&SEATS)
            .pos(Pos::new(HPos::Left, VPos::Top)),
    ))?;
    Ok(())
}

/// Pixels the data covers: points, and the lines between them (actual,
/// forecast, both edges of the band).
fn covered_pixels<DB: DrawingBackend>(
    chart: &Plot<'_, DB>,
    d: &Data,
    hist: Vec<(f64, f64)>,
    fc: Vec<(f64, f64)>,
) -> Vec<(i32, i32)> {
    let mut lines: Vec<Vec<(f64, f64)>> = vec![hist, fc];
    lines.push(
        d.forecast
            .iter()
            .filter_map(|p| Some((p.0 as f64, p.2?.0)))
            .collect(),
    );
    lines.push(
        d.forecast
            .iter()
            .filter_map(|p| Some((p.0 as f64, p.2?.1)))
            .collect(),
    );
    let mut covered: Vec<(i32, i32)> = Vec::new();
    for l in &lines {
        let px: Vec<(i32, i32)> = l.iter().map(|p| chart.backend_coord(p)).collect();
        covered.extend(px.iter().copied());
        for w in px.windows(2) {
            for k in 1..24 {
                let t = k as f64 / 24.0;
                let lerp = |a: i32, b: i32| a + ((b - a) as f64 * t).round() as i32;
                covered.push((lerp(w[0].0, w[1].0), lerp(w[0].1, w[1].1)));
            }
        }
    }
    covered
}
