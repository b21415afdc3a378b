//! A figure's legend as data: what each swatch shows and says. One
//! function per figure kind makes the entries (`map::legend`,
//! `chart::legend`); the figure draws them in its own panel, or the report
//! writes them as HTML under the figure, large enough to read on A4.

/// An RGB colour.
pub type Rgb = (u8, u8, u8);

/// What a legend row shows beside its text.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Swatch {
    /// A square of colour (a zone, a band), at `alpha`, outlined or not.
    Fill { rgb: Rgb, alpha: f64, outline: bool },
    /// A school opened by this scenario: its colour in a black frame.
    NewSchool(Rgb),
    /// A closed school: a grey hollow circle with a cross.
    Closed,
    /// A school marker of this radius in map pixels (marker size = seats).
    MarkerSize { radius: i32 },
    /// A grey triangle: a day school.
    DaySchool,
    /// A grey square: a boarding school.
    BoardingSchool,
    /// A grey dot: a household, coloured by its school on the map.
    Household,
    /// A grey hollow square: a boarding pupil's household.
    BoardingHousehold,
    /// A neutral fill hatched in grey: the boarding pupils' home area.
    BoardingArea,
    /// A red cross in a red ring: unplaced students.
    Unplaced,
    /// A line (a chart's series), dashed or not, with a dot (hollow or not).
    Line {
        rgb: Rgb,
        dashed: bool,
        dot: Option<bool>,
    },
}

/// One legend row.
#[derive(Clone, Debug, PartialEq)]
pub struct LegendItem {
    pub swatch: Swatch,
    pub text: String,
}

/// A group of rows under a heading.
#[derive(Clone, Debug, PartialEq)]
pub struct LegendSection {
    pub heading: Option<String>,
    pub items: Vec<LegendItem>,
    /// A long list (every school): packed tighter in a panel, in columns
    /// on the page.
    pub list: bool,
    /// Rows side by side (marker sizes).
    pub inline: bool,
}

/// A figure's legend.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Legend {
    pub sections: Vec<LegendSection>,
}

impl LegendItem {
    pub fn new(swatch: Swatch, text: impl Into<String>) -> LegendItem {
        LegendItem {
            swatch,
            text: text.into(),
        }
    }
}

impl LegendSection {
    /// A section of rows one under another.
    pub fn rows(heading: Option<&str>, items: Vec<LegendItem>) -> LegendSection {
        LegendSection {
            heading: heading.map(str::to_string),
            items,
            list: false,
            inline: false,
        }
    }
}

impl Legend {
    /// Every row's text, in order.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.sections
            .iter()
            .flat_map(|s| s.items.iter().map(|i| i.text.as_str()))
    }
}
