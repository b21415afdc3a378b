//! The forecast chart: PNG decodes at the documented size, SVG carries the
//! title and the CJK font-family list and no external reference, renders
//! are byte-identical, and degenerate inputs draw without panicking.

use catchment::render::chart::{ChartInput, HEIGHT, WIDTH, render_chart};
use catchment::render::font::SVG_FAMILY_LIST;

fn example(synthetic: bool) -> ChartInput {
    let history = vec![
        (2016, 412.0),
        (2017, 428.0),
        (2018, 445.0),
        (2019, 461.0),
        (2020, 470.0),
        (2021, 482.0),
        (2022, 476.0),
        (2023, 489.0),
    ];
    let forecast = (1..=6)
        .map(|k| {
            let v = 489.0 + 9.0 * k as f64;
            let w = 0.04 * (k as f64).sqrt();
            (2023 + k, v, Some(v * (1.0 - w)), Some(v * (1.0 + w)))
        })
        .collect();
    ChartInput {
        title: "砚城镇第一小学 P01 学生预测 students forecast".into(),
        subtitle: "情景 scenario 2024 · 起点 origin 2023 · 入学 entry: trend".into(),
        synthetic,
        history,
        forecast,
        seats: Some(540.0),
        legend_outside: false,
    }
}

/// Decoded RGB pixels, checking the size.
fn decode(png_bytes: &[u8]) -> Vec<u8> {
    let dec = png::Decoder::new(png_bytes);
    let mut reader = dec.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("png frame");
    assert_eq!((info.width, info.height), (WIDTH, HEIGHT));
    assert_eq!(info.color_type, png::ColorType::Rgb);
    buf.truncate(info.buffer_size());
    buf
}

fn count(px: &[u8], f: impl Fn(u8, u8, u8) -> bool) -> usize {
    px.chunks_exact(3).filter(|p| f(p[0], p[1], p[2])).count()
}

#[test]
fn png_decodes_at_size_with_content() {
    let (png_bytes, _) = render_chart(&example(true));
    assert_eq!(&png_bytes[..8], b"\x89PNG\r\n\x1a\n");
    let px = decode(&png_bytes);
    // Title text (dark glyph pixels in the top band).
    let title_rows = &px[..(40 * WIDTH * 3) as usize];
    assert!(count(title_rows, |r, g, b| r < 80 && g < 80 && b < 80) > 200);
    // Seats line and synthetic note in red, actual line in blue.
    assert!(count(&px, |r, g, b| r > 180 && g < 60 && b < 60) > 300);
    assert!(count(&px, |r, g, b| r < 60 && g > 100 && b > 160) > 100);
}

#[test]
fn svg_has_title_font_list_and_no_external_reference() {
    let c = example(true);
    let (_, svg) = render_chart(&c);
    assert!(svg.starts_with("<svg"), "{}", &svg[..80.min(svg.len())]);
    assert!(svg.contains(&c.title));
    assert!(svg.contains("年份 year"));
    assert!(svg.contains("学生数 students"));
    assert!(svg.contains("座位 seats 540"));
    assert!(svg.contains("合成示例数据 synthetic example data"));
    assert!(svg.contains(&format!("font-family=\"{SVG_FAMILY_LIST}\"")));
    assert!(!svg.contains("font-family=\"Noto Sans CJK SC\""));
    assert!(!svg.contains("href"));
    // The only url() is the embedded font's data URL.
    assert_eq!(
        svg.matches("url(").count(),
        svg.matches("url(data:font/otf;base64,").count()
    );
    assert_eq!(
        svg.matches("http").count(),
        svg.matches("xmlns=\"http://www.w3.org/2000/svg\"").count()
    );
    let (_, plain) = render_chart(&example(false));
    assert!(!plain.contains("合成示例数据"));
}

#[test]
fn svg_escapes_markup_in_text() {
    let mut c = example(false);
    c.title = "A & B <学校>".into();
    let (_, svg) = render_chart(&c);
    assert!(svg.contains("A &amp; B &lt;学校&gt;"));
}

#[test]
fn renders_are_byte_identical() {
    let c = example(true);
    let (p1, s1) = render_chart(&c);
    let (p2, s2) = render_chart(&c.clone());
    assert_eq!(p1, p2);
    assert_eq!(s1, s2);
}

#[test]
fn degenerate_inputs_do_not_panic() {
    let full = example(true);
    let cases = vec![
        ChartInput::default(),
        ChartInput {
            forecast: vec![],
            ..full.clone()
        },
        ChartInput {
            history: vec![],
            ..full.clone()
        },
        ChartInput {
            forecast: full
                .forecast
                .iter()
                .map(|&(y, v, _, _)| (y, v, None, None))
                .collect(),
            seats: None,
            ..full.clone()
        },
        ChartInput {
            history: vec![(2023, 120.0)],
            forecast: vec![],
            seats: None,
            ..full.clone()
        },
        ChartInput {
            history: vec![(2023, 120.0)],
            forecast: vec![(2024, 118.0, Some(100.0), Some(130.0))],
            ..full.clone()
        },
        ChartInput {
            history: vec![(2020, 0.0), (2021, 0.0)],
            forecast: vec![(2022, 0.0, Some(0.0), Some(0.0))],
            seats: Some(0.0),
            ..full.clone()
        },
        ChartInput {
            // Unsorted, duplicate years, one band missing in the middle,
            // low above high, overlapping history and forecast.
            history: vec![(2021, 50.0), (2019, 40.0), (2021, 55.0)],
            forecast: vec![
                (2024, 70.0, Some(80.0), Some(60.0)),
                (2021, 52.0, Some(45.0), Some(60.0)),
                (2022, 60.0, None, Some(70.0)),
                (2023, 65.0, Some(55.0), Some(75.0)),
            ],
            ..full.clone()
        },
        ChartInput {
            history: vec![(2020, f64::NAN), (2021, f64::INFINITY), (2022, -5.0)],
            forecast: vec![(2023, f64::NAN, Some(f64::NEG_INFINITY), Some(1e300))],
            seats: Some(f64::NAN),
            ..full.clone()
        },
        ChartInput {
            history: vec![(i32::MIN, 1.0), (i32::MAX, 2.0)],
            forecast: vec![],
            seats: Some(1e12),
            ..full.clone()
        },
        ChartInput {
            title: "很长的标题 ".repeat(40),
            subtitle: "long subtitle ".repeat(40),
            ..full.clone()
        },
    ];
    for (i, c) in cases.iter().enumerate() {
        let (png_bytes, svg) = render_chart(c);
        decode(&png_bytes);
        assert!(
            svg.ends_with("</svg>\n") || svg.ends_with("</svg>"),
            "case {i}"
        );
    }
    let (_, svg) = render_chart(&ChartInput::default());
    assert!(svg.contains("无数据 no data"));
}

/// Writes the example chart for a visual check:
/// `cargo test --test it chart::write_example -- --ignored` then open /tmp/chart_example.png.
#[test]
#[ignore]
fn write_example() {
    let (png_bytes, svg) = render_chart(&example(true));
    std::fs::write("/tmp/chart_example.png", png_bytes).unwrap();
    std::fs::write("/tmp/chart_example.svg", svg).unwrap();
    let mut c = example(false);
    c.history = vec![(2023, 120.0)];
    c.forecast = vec![(2024, 118.0, Some(100.0), Some(130.0))];
    c.seats = None;
    let (png_bytes, _) = render_chart(&c);
    std::fs::write("/tmp/chart_single.png", png_bytes).unwrap();
}
