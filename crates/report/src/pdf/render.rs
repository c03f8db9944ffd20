//! Paints laid-out pages with krilla.

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;

use super::font::Face;
use super::layout::MUTED;
use super::{Op, PAGE_H, PAGE_W, Rgb};
use crate::doc::ReportDoc;
use crate::error::{ReportError, Result};

fn color(c: Rgb) -> rgb::Color {
    rgb::Color::new(c.0, c.1, c.2)
}

/// Paints `pages` (plus page-number footers) and serialises the PDF.
pub(crate) fn render(face: &Face, doc: &ReportDoc, pages: &[Vec<Op>]) -> Result<Vec<u8>> {
    let mut document = Document::new();
    let mut metadata = Metadata::new()
        .language("zh-CN".to_string())
        .creator("Zongzhi".to_string());
    if !doc.title.trim().is_empty() {
        metadata = metadata.title(doc.title.trim().to_string());
    }
    if !doc.org_name.trim().is_empty() {
        metadata = metadata.authors(vec![doc.org_name.trim().to_string()]);
    }
    document.set_metadata(metadata);
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H)
        .ok_or_else(|| ReportError::Pdf("invalid page size".into()))?;
    let total = pages.len();
    for (i, ops) in pages.iter().enumerate() {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            paint(&mut surface, face, op);
        }
        let footer = format!("第 {} 页 共 {} 页", i + 1, total);
        let size = 9.0;
        let x = (PAGE_W - face.width(&footer, size)) / 2.0;
        paint(
            &mut surface,
            face,
            &Op::Text {
                x,
                baseline: PAGE_H - 30.0,
                size,
                text: footer,
                color: MUTED,
                bold: false,
            },
        );
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| ReportError::Pdf(e.to_string()))
}

fn paint(surface: &mut Surface<'_>, face: &Face, op: &Op) {
    match op {
        Op::Text {
            x,
            baseline,
            size,
            text,
            color: c,
            bold,
        } => {
            let paint: krilla::paint::Paint = color(*c).into();
            surface.set_fill(Some(Fill {
                paint: paint.clone(),
                ..Fill::default()
            }));
            // The face has no bold weight: embolden by stroking the outline thinly.
            surface.set_stroke(bold.then(|| Stroke {
                paint,
                width: size * 0.04,
                ..Stroke::default()
            }));
            let glyphs = face.shape(text);
            surface.draw_glyphs(
                Point::from_xy(*x, *baseline),
                &glyphs,
                face.font.clone(),
                text,
                *size,
                false,
            );
        }
        Op::Rect {
            x,
            y,
            w,
            h,
            fill,
            stroke,
        } => {
            let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) else {
                return;
            };
            let mut pb = PathBuilder::new();
            pb.push_rect(rect);
            let Some(path) = pb.finish() else { return };
            surface.set_fill(fill.map(|f| Fill {
                paint: color(f).into(),
                ..Fill::default()
            }));
            surface.set_stroke(stroke.map(|(c, width)| Stroke {
                paint: color(c).into(),
                width,
                ..Stroke::default()
            }));
            surface.draw_path(&path);
        }
        Op::Line {
            x1,
            y1,
            x2,
            y2,
            width,
            color: c,
        } => {
            let mut pb = PathBuilder::new();
            pb.move_to(*x1, *y1);
            pb.line_to(*x2, *y2);
            let Some(path) = pb.finish() else { return };
            surface.set_fill(None);
            surface.set_stroke(Some(Stroke {
                paint: color(*c).into(),
                width: *width,
                ..Stroke::default()
            }));
            surface.draw_path(&path);
        }
    }
}
