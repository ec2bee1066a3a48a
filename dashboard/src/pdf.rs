//! A4 pages for the monthly pack: text in an embedded font (DejaVu Sans, so the text can be
//! selected and searched, accents included), rules, shaded bands, and the dashboard's SVG
//! charts drawn as vectors. A top-down cursor lays out lines; nothing here knows indicators.

use std::sync::Arc;

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size};
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla_svg::{SurfaceExt, SvgSettings};
use skrifa::MetadataProvider;

/// A4 in points.
pub const WIDTH: f32 = 595.0;
pub const HEIGHT: f32 = 842.0;
pub const MARGIN: f32 = 40.0;

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("police embarquée illisible")]
    Font,
    #[error("graphique illisible : {0}")]
    Chart(String),
    #[error("écriture du PDF impossible : {0}")]
    Write(String),
}

/// The fonts a page writes with, and their advance widths for wrapping.
pub struct Fonts {
    regular: Font,
    bold: Font,
    regular_data: &'static [u8],
    bold_data: &'static [u8],
    svg: usvg::Options<'static>,
}

impl Fonts {
    pub fn new() -> Result<Fonts, PdfError> {
        let (regular_data, bold_data) = (dejavu::sans::regular(), dejavu::sans::bold());
        let font = |data: &'static [u8]| Font::new(Arc::new(data.to_vec()).into(), 0).ok_or(PdfError::Font);
        let mut database = usvg::fontdb::Database::new();
        database.load_font_data(regular_data.to_vec());
        database.load_font_data(bold_data.to_vec());
        database.set_sans_serif_family("DejaVu Sans");
        let svg = usvg::Options {
            font_family: "DejaVu Sans".to_owned(),
            fontdb: Arc::new(database),
            ..usvg::Options::default()
        };
        Ok(Fonts {
            regular: font(regular_data)?,
            bold: font(bold_data)?,
            regular_data,
            bold_data,
            svg,
        })
    }

    /// The width of a line of text at a size, from the font's own advances.
    pub fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        let data = if bold { self.bold_data } else { self.regular_data };
        let Ok(font) = skrifa::FontRef::new(data) else {
            return text.chars().count() as f32 * size * 0.6;
        };
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(
            skrifa::instance::Size::new(size),
            skrifa::instance::LocationRef::default(),
        );
        text.chars()
            .map(|c| {
                charmap
                    .map(c)
                    .and_then(|glyph| metrics.advance_width(glyph))
                    .unwrap_or(size * 0.6)
            })
            .sum()
    }

    /// Words of `text` in lines no wider than `width` (a word too long for a line is cut).
    pub fn wrap(&self, text: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if self.width(&candidate, size, bold) <= width || line.is_empty() {
                line = candidate;
            } else {
                lines.push(std::mem::replace(&mut line, word.to_owned()));
            }
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(line);
        }
        lines
    }
}

/// A document being written, page by page.
pub struct Pdf<'f> {
    document: Document,
    pub fonts: &'f Fonts,
}

impl<'f> Pdf<'f> {
    /// A document with its title; no creation date, so the same content gives the same bytes.
    pub fn new(fonts: &'f Fonts, title: &str) -> Pdf<'f> {
        let mut document = Document::new();
        document.set_metadata(
            Metadata::new()
                .title(title.to_owned())
                .language("fr".to_owned())
                .creator("opssies publish".to_owned())
                .creation_date(DateTime::new(2000)),
        );
        Pdf { document, fonts }
    }

    /// Draws one A4 page.
    pub fn page(&mut self, draw: impl FnOnce(&mut Cursor<'_, '_>) -> Result<(), PdfError>) -> Result<(), PdfError> {
        let settings = PageSettings::from_wh(WIDTH, HEIGHT).ok_or_else(|| PdfError::Write("format A4".to_owned()))?;
        let mut page = self.document.start_page_with(settings);
        let mut surface = page.surface();
        let drawn = {
            let mut cursor = Cursor {
                surface: &mut surface,
                fonts: self.fonts,
                y: MARGIN,
            };
            draw(&mut cursor)
        };
        surface.finish();
        page.finish();
        drawn
    }

    pub fn finish(self) -> Result<Vec<u8>, PdfError> {
        self.document
            .finish()
            .map_err(|error| PdfError::Write(format!("{error:?}")))
    }
}

/// Where the next line goes on a page (y grows downwards, in points from the top).
pub struct Cursor<'s, 'p> {
    surface: &'s mut Surface<'p>,
    fonts: &'s Fonts,
    pub y: f32,
}

/// A colour as red, green, blue.
pub type Colour = (u8, u8, u8);
pub const INK: Colour = (0x1e, 0x1e, 0x1e);
pub const GREY: Colour = (0x5a, 0x5a, 0x5a);
pub const BLUE: Colour = (0x00, 0x00, 0x91);
pub const GREEN: Colour = (0x18, 0x75, 0x3c);
pub const RED: Colour = (0xb3, 0x26, 0x1e);
/// TLP:AMBER's colour (FIRST: #FFC000), darkened to read on white.
pub const AMBER: Colour = (0xb0, 0x78, 0x00);
pub const LIGHT: Colour = (0xee, 0xee, 0xf4);

fn paint((red, green, blue): Colour) -> krilla::paint::Paint {
    rgb::Color::new(red, green, blue).into()
}

impl Cursor<'_, '_> {
    pub fn fonts(&self) -> &Fonts {
        self.fonts
    }

    /// Room left above the bottom margin.
    pub fn room(&self) -> f32 {
        HEIGHT - MARGIN - self.y
    }

    /// Text whose baseline sits `size` below the cursor, at `x`; the cursor does not move.
    pub fn text_at(&mut self, x: f32, size: f32, bold: bool, color: Colour, text: &str) {
        self.surface.set_fill(Some(Fill {
            paint: paint(color),
            ..Fill::default()
        }));
        let font = if bold { &self.fonts.bold } else { &self.fonts.regular };
        self.surface.draw_text(
            Point::from_xy(x, self.y + size),
            font.clone(),
            size,
            text,
            false,
            TextDirection::Auto,
        );
    }

    /// A wrapped paragraph from `x`, `width` wide; the cursor goes below it.
    pub fn paragraph(&mut self, x: f32, width: f32, size: f32, bold: bool, color: Colour, text: &str) {
        for line in self.fonts.wrap(text, size, bold, width) {
            self.text_at(x, size, bold, color, &line);
            self.y += size * 1.3;
        }
    }

    /// A title line in blue, bold.
    pub fn heading(&mut self, text: &str, size: f32) {
        self.y += size * 0.4;
        self.text_at(MARGIN, size, true, BLUE, text);
        self.y += size * 1.5;
    }

    /// A band of colour behind what comes next (`height` points tall).
    pub fn band(&mut self, x: f32, width: f32, height: f32, color: Colour) {
        if let Some(rect) = Rect::from_xywh(x, self.y, width, height) {
            self.surface.set_stroke(None);
            self.surface.set_fill(Some(Fill {
                paint: paint(color),
                ..Fill::default()
            }));
            let mut path = PathBuilder::new();
            path.push_rect(rect);
            if let Some(path) = path.finish() {
                self.surface.draw_path(&path);
            }
        }
    }

    /// A thin horizontal rule across the text width.
    pub fn rule(&mut self) {
        self.surface.set_fill(None);
        self.surface.set_stroke(Some(Stroke {
            paint: paint(GREY),
            width: 0.5,
            ..Stroke::default()
        }));
        let mut path = PathBuilder::new();
        path.move_to(MARGIN, self.y);
        path.line_to(WIDTH - MARGIN, self.y);
        if let Some(path) = path.finish() {
            self.surface.draw_path(&path);
        }
        self.surface.set_stroke(None);
        self.y += 4.0;
    }

    /// An SVG chart scaled to `width`, its height following its own proportions (at most
    /// `max_height`); its text stays text.
    pub fn chart(&mut self, svg: &str, width: f32, max_height: f32) -> Result<(), PdfError> {
        let tree = usvg::Tree::from_str(svg, &self.fonts.svg).map_err(|error| PdfError::Chart(error.to_string()))?;
        let natural = tree.size();
        let scale = (width / natural.width()).min(max_height / natural.height());
        let size = Size::from_wh(natural.width() * scale, natural.height() * scale)
            .ok_or_else(|| PdfError::Chart("taille nulle".to_owned()))?;
        self.surface
            .push_transform(&krilla::geom::Transform::from_translate(MARGIN, self.y));
        self.surface.draw_svg(&tree, size, SvgSettings::default());
        self.surface.pop();
        self.y += size.height() + 4.0;
        Ok(())
    }

    /// A table: a bold header line, then rows; columns start at the given offsets from the
    /// margin and each cell is cut to its column (with « … »).
    pub fn table(&mut self, columns: &[(f32, &str)], rows: &[Vec<String>], size: f32) {
        let right = WIDTH - MARGIN;
        let limit = |index: usize| {
            columns
                .get(index + 1)
                .map_or(right, |(offset, _)| MARGIN + offset - 4.0)
        };
        self.band(MARGIN, WIDTH - 2.0 * MARGIN, size * 1.5, LIGHT);
        for (index, (offset, title)) in columns.iter().enumerate() {
            let text = self.fit(title, size, true, limit(index) - MARGIN - offset);
            self.text_at(MARGIN + offset, size, true, INK, &text);
        }
        self.y += size * 1.5;
        for row in rows {
            for (index, (offset, _)) in columns.iter().enumerate() {
                let cell = row.get(index).map_or("", String::as_str);
                let text = self.fit(cell, size, false, limit(index) - MARGIN - offset);
                self.text_at(MARGIN + offset, size, false, INK, &text);
            }
            self.y += size * 1.35;
        }
    }

    /// The text, cut with « … » when wider than `width`.
    pub fn fit(&self, text: &str, size: f32, bold: bool, width: f32) -> String {
        if self.fonts.width(text, size, bold) <= width {
            return text.to_owned();
        }
        let mut cut: String = text.to_owned();
        while !cut.is_empty() && self.fonts.width(&format!("{cut}…"), size, bold) > width {
            cut.pop();
        }
        format!("{}…", cut.trim_end())
    }
}
