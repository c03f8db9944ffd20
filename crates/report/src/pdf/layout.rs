//! Page layout: turns a [`ReportDoc`] into pages of [`Op`]s.

use super::font::Face;
use super::wrap::wrap;
use super::{Op, PAGE_H, PAGE_W, Rgb};
use crate::doc::{Kpi, ReportDoc, Section};

/// Left and right margin.
pub(crate) const MARGIN_X: f32 = 56.0;
/// Top of the content area.
pub(crate) const TOP: f32 = 60.0;
/// Bottom of the content area (the footer sits below).
pub(crate) const BOTTOM: f32 = PAGE_H - 58.0;
/// Width of the content area.
pub(crate) const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;

pub(crate) const INK: Rgb = Rgb::hex(0x1F2328);
pub(crate) const MUTED: Rgb = Rgb::hex(0x5A6472);
pub(crate) const ACCENT: Rgb = Rgb::hex(0x2F5597);
const RED: Rgb = Rgb::hex(0xB22222);
const KPI_FILL: Rgb = Rgb::hex(0xF3F6FA);
const KPI_BORDER: Rgb = Rgb::hex(0xD0D7E2);

/// Lays out the whole document.
pub(crate) fn layout(face: &Face, doc: &ReportDoc) -> Vec<Vec<Op>> {
    let mut l = Layout::new(face, doc.title.trim());
    l.title_block(doc);
    for section in &doc.sections {
        l.section(section);
    }
    l.pages
}

/// The layout state: finished pages and the cursor on the last one.
pub(crate) struct Layout<'a> {
    pub face: &'a Face,
    pub pages: Vec<Vec<Op>>,
    /// Top of the free space on the current page.
    pub y: f32,
    running_title: String,
}

impl<'a> Layout<'a> {
    fn new(face: &'a Face, running_title: &str) -> Self {
        Layout {
            face,
            pages: vec![Vec::new()],
            y: TOP,
            running_title: running_title.to_string(),
        }
    }

    /// Operations of the current page.
    pub fn ops(&mut self) -> &mut Vec<Op> {
        // `pages` is never empty: it starts with one page and only grows.
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Starts a new page with the running header.
    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
        if !self.running_title.is_empty() {
            let size = 8.0;
            let title = self.running_title.clone();
            let title = fit_line(self.face, &title, size, CONTENT_W);
            self.text_line(MARGIN_X, TOP - 26.0, 12.0, size, &title, MUTED, false);
            self.line(MARGIN_X, TOP - 11.0, MARGIN_X + CONTENT_W, 0.5, KPI_BORDER);
        }
    }

    /// Whether `h` points still fit below the cursor.
    pub fn fits(&self, h: f32) -> bool {
        self.y + h <= BOTTOM
    }

    /// Moves to a new page unless `h` points fit (or the page is still empty).
    pub fn ensure(&mut self, h: f32) {
        if !self.fits(h) && self.y > TOP + 0.5 {
            self.new_page();
        }
    }

    /// Places one line of text in a box of height `line_h` whose top is `top`, centred
    /// vertically on the font's ascender/descender.
    #[allow(clippy::too_many_arguments)]
    pub fn text_line(
        &mut self,
        x: f32,
        top: f32,
        line_h: f32,
        size: f32,
        text: &str,
        color: Rgb,
        bold: bool,
    ) {
        if text.is_empty() {
            return;
        }
        let face = self.face;
        let glyph_h = (face.ascent - face.descent) * size;
        let baseline = top + (line_h - glyph_h) / 2.0 + face.ascent * size;
        self.ops().push(Op::Text {
            x,
            baseline,
            size,
            text: text.to_string(),
            color,
            bold,
        });
    }

    /// A horizontal rule at `y`.
    pub fn line(&mut self, x1: f32, y: f32, x2: f32, width: f32, color: Rgb) {
        self.ops().push(Op::Line {
            x1,
            y1: y,
            x2,
            y2: y,
            width,
            color,
        });
    }

    /// A rectangle.
    pub fn rect(
        &mut self,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<Rgb>,
        stroke: Option<(Rgb, f32)>,
    ) {
        self.ops().push(Op::Rect {
            x,
            y,
            w,
            h,
            fill,
            stroke,
        });
    }

    /// Title, meta line and the double red rule.
    fn title_block(&mut self, doc: &ReportDoc) {
        let size = 20.0;
        let line_h = 30.0;
        for line in wrap(self.face, doc.title.trim(), size, CONTENT_W, CONTENT_W) {
            let w = self.face.width(&line, size);
            let y = self.y;
            self.text_line(
                MARGIN_X + (CONTENT_W - w) / 2.0,
                y,
                line_h,
                size,
                &line,
                RED,
                true,
            );
            self.y += line_h;
        }
        let meta = doc.meta_line();
        if !meta.is_empty() {
            self.y += 4.0;
            let size = 9.5;
            for line in wrap(self.face, &meta, size, CONTENT_W, CONTENT_W) {
                let w = self.face.width(&line, size);
                let y = self.y;
                self.text_line(
                    MARGIN_X + (CONTENT_W - w) / 2.0,
                    y,
                    15.0,
                    size,
                    &line,
                    MUTED,
                    false,
                );
                self.y += 15.0;
            }
        }
        self.y += 6.0;
        let y = self.y;
        self.line(MARGIN_X, y, MARGIN_X + CONTENT_W, 1.6, RED);
        self.line(MARGIN_X, y + 3.0, MARGIN_X + CONTENT_W, 0.5, RED);
        self.y += 18.0;
    }

    fn section(&mut self, section: &Section) {
        let size = 13.0;
        let line_h = 24.0;
        let lines = wrap(
            self.face,
            section.heading.trim(),
            size,
            CONTENT_W - 12.0,
            CONTENT_W - 12.0,
        );
        let heading_h = line_h * lines.len() as f32;
        // Keep the heading with at least a few lines of what follows.
        self.ensure(heading_h + 60.0);
        if self.y > TOP + 0.5 {
            self.y += 6.0;
        }
        let top = self.y;
        self.rect(
            MARGIN_X,
            top + 5.0,
            3.5,
            heading_h - 10.0,
            Some(ACCENT),
            None,
        );
        for line in &lines {
            let y = self.y;
            self.text_line(MARGIN_X + 11.0, y, line_h, size, line, ACCENT, true);
            self.y += line_h;
        }
        self.y += 6.0;
        if !section.kpis.is_empty() {
            self.kpi_grid(&section.kpis);
        }
        for paragraph in &section.paragraphs {
            self.paragraph(paragraph);
        }
        for table in &section.tables {
            super::table::table(self, table);
        }
        self.y += 4.0;
    }

    fn kpi_grid(&mut self, kpis: &[Kpi]) {
        let cols = match kpis.len() {
            n @ 1..=4 => n,
            5 | 6 | 9 => 3,
            _ => 4,
        };
        let gap = 8.0;
        let pad = 8.0;
        let box_w = (CONTENT_W - gap * (cols as f32 - 1.0)) / cols as f32;
        let inner = box_w - 2.0 * pad;
        for chunk in kpis.chunks(cols) {
            let laid: Vec<_> = chunk
                .iter()
                .map(|k| {
                    let label = wrap(self.face, k.label.trim(), 9.0, inner, inner);
                    let value = wrap(self.face, k.value.trim(), 16.0, inner, inner);
                    let note = k
                        .note
                        .as_deref()
                        .map(|n| wrap(self.face, n.trim(), 8.0, inner, inner))
                        .unwrap_or_default();
                    (label, value, note)
                })
                .collect();
            let height = |(label, value, note): &(Vec<String>, Vec<String>, Vec<String>)| {
                2.0 * pad
                    + 13.0 * label.len() as f32
                    + 3.0
                    + 22.0 * value.len() as f32
                    + 12.0 * note.len() as f32
            };
            let row_h = laid.iter().map(height).fold(0.0, f32::max);
            self.ensure(row_h);
            let top = self.y;
            for (i, (label, value, note)) in laid.iter().enumerate() {
                let x = MARGIN_X + i as f32 * (box_w + gap);
                self.rect(
                    x,
                    top,
                    box_w,
                    row_h,
                    Some(KPI_FILL),
                    Some((KPI_BORDER, 0.6)),
                );
                self.rect(x, top, box_w, 2.5, Some(ACCENT), None);
                let mut y = top + pad;
                for l in label {
                    self.text_line(x + pad, y, 13.0, 9.0, l, MUTED, false);
                    y += 13.0;
                }
                y += 3.0;
                for l in value {
                    self.text_line(x + pad, y, 22.0, 16.0, l, INK, true);
                    y += 22.0;
                }
                for l in note {
                    self.text_line(x + pad, y, 12.0, 8.0, l, MUTED, false);
                    y += 12.0;
                }
            }
            self.y = top + row_h + gap;
        }
        self.y += 2.0;
    }

    fn paragraph(&mut self, text: &str) {
        let size = 10.5;
        let line_h = 18.0;
        let indent = 2.0 * size;
        let lines = wrap(self.face, text.trim(), size, CONTENT_W - indent, CONTENT_W);
        for (i, line) in lines.iter().enumerate() {
            self.ensure(line_h);
            let x = if i == 0 { MARGIN_X + indent } else { MARGIN_X };
            let y = self.y;
            self.text_line(x, y, line_h, size, line, INK, false);
            self.y += line_h;
        }
        self.y += 6.0;
    }
}

/// Cuts `text` to one line of at most `width`, ending in `…` when cut.
pub(crate) fn fit_line(face: &Face, text: &str, size: f32, width: f32) -> String {
    if face.width(text, size) <= width {
        return text.to_string();
    }
    let ellipsis = face.char_width('…', size);
    let mut out = String::new();
    let mut w = 0.0;
    for c in text.chars() {
        let cw = face.char_width(c, size);
        if w + cw + ellipsis > width {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}
