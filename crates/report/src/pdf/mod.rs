//! PDF rendering of a [`ReportDoc`]: A4 portrait, embedded CJK font.
//!
//! Rendering is two passes: [`layout`] turns the document into pages of drawing operations
//! (so the total page count is known for the footer), then [`render`] paints them with
//! krilla, which embeds a subset of the font and a ToUnicode map (text stays searchable).

mod font;
mod layout;
mod render;
mod table;
mod wrap;

use std::path::Path;

use crate::doc::ReportDoc;
use crate::error::Result;

/// A4 width in points.
pub(crate) const PAGE_W: f32 = 595.28;
/// A4 height in points.
pub(crate) const PAGE_H: f32 = 841.89;

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    pub const fn hex(v: u32) -> Rgb {
        Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8)
    }
}

/// One drawing operation, in points, origin at the top left, y growing downwards.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    /// A single line of text starting at `x` on `baseline`.
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        text: String,
        color: Rgb,
        bold: bool,
    },
    /// A filled (and optionally outlined) rectangle.
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<Rgb>,
        stroke: Option<(Rgb, f32)>,
    },
    /// A straight line.
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        color: Rgb,
    },
}

/// Renders `doc` as a PDF file at `path`.
///
/// Layout: title and meta line (organisation, 统计周期, 生成时间) over a double red rule;
/// per section a heading, a grid of KPI boxes, paragraphs (justified to the left, first
/// line indented two characters, wrapped by measured glyph widths), and tables with a
/// shaded header, row rules and right-aligned numeric columns. A table that runs past the
/// page continues on the next one under a repeated header. Every page carries
/// `第 N 页 共 M 页`; pages after the first carry the title as a running header.
///
/// # Errors
/// [`crate::ReportError::Font`] if the embedded font cannot be read,
/// [`crate::ReportError::Pdf`] if the PDF cannot be assembled,
/// [`crate::ReportError::Io`] if the file cannot be written.
pub fn render_pdf(doc: &ReportDoc, path: impl AsRef<Path>) -> Result<()> {
    let bytes = render_pdf_bytes(doc)?;
    std::fs::write(path, bytes)?;
    Ok(())
}

/// Like [`render_pdf`], returning the PDF's bytes instead of writing a file.
///
/// # Errors
/// As [`render_pdf`], without the I/O case.
pub fn render_pdf_bytes(doc: &ReportDoc) -> Result<Vec<u8>> {
    let face = font::face()?;
    let pages = layout::layout(face, doc);
    render::render(face, doc, &pages)
}
