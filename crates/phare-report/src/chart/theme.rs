//! The look shared by every chart: colours, marker shapes, font sizes, line widths.

/// A colour, 8 bits per channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// Parses `#RRGGBB` (the `#` is optional). `None` for anything else.
    ///
    /// ```
    /// use phare_report::chart::Rgb;
    /// assert_eq!(Rgb::from_hex("#0072B2"), Some(Rgb(0x00, 0x72, 0xB2)));
    /// assert_eq!(Rgb::from_hex("blue"), None);
    /// ```
    pub fn from_hex(s: &str) -> Option<Rgb> {
        let s = s.strip_prefix('#').unwrap_or(s);
        if s.len() != 6 || !s.is_ascii() {
            return None;
        }
        let channel = |i: usize| u8::from_str_radix(&s[i..i + 2], 16).ok();
        Some(Rgb(channel(0)?, channel(2)?, channel(4)?))
    }

    /// `#RRGGBB`.
    pub fn hex(self) -> String {
        format!("#{:02X}{:02X}{:02X}", self.0, self.1, self.2)
    }

    /// This colour mixed with white: `amount` 0 keeps it, 1 gives white. Used for bands and shades
    /// drawn under the data (opaque, so SVG and PNG look the same).
    pub fn lighten(self, amount: f64) -> Rgb {
        let t = if amount.is_finite() { amount.clamp(0.0, 1.0) } else { 0.0 };
        let mix = |c: u8| (f64::from(c) + (255.0 - f64::from(c)) * t).round() as u8;
        Rgb(mix(self.0), mix(self.1), mix(self.2))
    }
}

/// The Okabe–Ito palette (Okabe & Ito 2008, *Color Universal Design*), distinguishable with the
/// common colour-vision deficiencies, in the order charts use it: series 1 is blue, 2 vermillion…
pub const OKABE_ITO: [Rgb; 8] = [
    Rgb(0x00, 0x72, 0xB2), // blue
    Rgb(0xD5, 0x5E, 0x00), // vermillion
    Rgb(0x00, 0x9E, 0x73), // bluish green
    Rgb(0xE6, 0x9F, 0x00), // orange
    Rgb(0xCC, 0x79, 0xA7), // reddish purple
    Rgb(0x56, 0xB4, 0xE9), // sky blue
    Rgb(0xF0, 0xE4, 0x42), // yellow
    Rgb(0x00, 0x00, 0x00), // black
];

/// The shape of a point marker. Charts that colour groups also give each group its own shape, so
/// that they stay distinct in greyscale print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MarkerShape {
    /// A disc.
    Circle,
    /// A triangle pointing up.
    Triangle,
    /// A square.
    Square,
    /// A square standing on a corner.
    Diamond,
    /// An upright cross (`+`).
    Cross,
}

/// Colours, markers, sizes: what every chart of this module draws with.
///
/// [`Theme::default`] is a white background, dark grey text, a light grey grid and the
/// [Okabe–Ito](OKABE_ITO) palette. Change fields to restyle; every chart takes a theme through its
/// `theme(…)` builder method.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    /// Series colours, used in order and cycled when there are more series than colours.
    pub palette: Vec<Rgb>,
    /// Marker shapes for groups, used in order and cycled.
    pub markers: Vec<MarkerShape>,
    /// Background of the whole image.
    pub background: Rgb,
    /// Text, axes and tick marks.
    pub foreground: Rgb,
    /// Grid lines at the ticks.
    pub grid: Rgb,
    /// Reference lines (zero line, treatment start, overall estimate).
    pub reference: Rgb,
    /// Shaded regions under the data (the pre-treatment periods of an event study).
    pub shade: Rgb,
    /// Title size (plotters units: about 1.24 × the CSS pixel size written in the SVG).
    pub title_size: f64,
    /// Axis titles.
    pub axis_label_size: f64,
    /// Tick labels.
    pub tick_label_size: f64,
    /// Legend text.
    pub legend_size: f64,
    /// Notes under the plot (points left out).
    pub note_size: f64,
    /// Width of data lines and whiskers, in pixels.
    pub line_width: u32,
    /// Radius of point markers, in pixels.
    pub point_radius: u32,
}

impl Default for Theme {
    fn default() -> Self {
        Theme {
            palette: OKABE_ITO.to_vec(),
            markers: vec![
                MarkerShape::Circle,
                MarkerShape::Triangle,
                MarkerShape::Square,
                MarkerShape::Diamond,
                MarkerShape::Cross,
            ],
            background: Rgb(0xFF, 0xFF, 0xFF),
            foreground: Rgb(0x22, 0x22, 0x22),
            grid: Rgb(0xE3, 0xE3, 0xE3),
            reference: Rgb(0x55, 0x55, 0x55),
            shade: Rgb(0xF2, 0xF2, 0xF2),
            title_size: 22.0,
            axis_label_size: 17.0,
            tick_label_size: 15.0,
            legend_size: 15.0,
            note_size: 13.0,
            line_width: 2,
            point_radius: 4,
        }
    }
}

impl Theme {
    /// The colour of series `i` (cycled; black if the palette is empty).
    pub fn colour(&self, i: usize) -> Rgb {
        if self.palette.is_empty() { Rgb(0, 0, 0) } else { self.palette[i % self.palette.len()] }
    }

    /// The marker of group `i` (cycled; a circle if the list is empty).
    pub fn marker(&self, i: usize) -> MarkerShape {
        if self.markers.is_empty() { MarkerShape::Circle } else { self.markers[i % self.markers.len()] }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_round_trip_and_lighten() {
        assert_eq!(Rgb::from_hex("0072b2").map(Rgb::hex).as_deref(), Some("#0072B2"));
        assert_eq!(Rgb::from_hex("#12345"), None);
        assert_eq!(Rgb::from_hex("#éé1234"), None);
        assert_eq!(Rgb(0, 100, 255).lighten(1.0), Rgb(255, 255, 255));
        assert_eq!(Rgb(0, 100, 255).lighten(0.0), Rgb(0, 100, 255));
        assert_eq!(Rgb(0, 0, 0).lighten(f64::NAN), Rgb(0, 0, 0));
        let t = Theme::default();
        assert_eq!(t.colour(0).hex(), "#0072B2");
        assert_eq!(t.colour(9), t.colour(1));
        assert_eq!(Theme { palette: vec![], ..Theme::default() }.colour(3), Rgb(0, 0, 0));
    }
}
