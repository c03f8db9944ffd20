//! The embedded CJK font: WenQuanYi Micro Hei (Apache-2.0), see `fonts/README.md`.

use std::sync::LazyLock;

use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::MetadataProvider;
use skrifa::charmap::Charmap;
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;

use crate::error::{ReportError, Result};

/// The font collection, compiled into the binary so exports never depend on system fonts.
static FONT_DATA: &[u8] = include_bytes!("../../fonts/wqy-microhei.ttc");
/// Index of the proportional face ("WenQuanYi Micro Hei") in the collection.
const FACE_INDEX: u32 = 0;

/// A parsed font face with what layout needs: glyph lookup and advances.
pub(crate) struct Face {
    /// The face as the PDF backend knows it (embedded as a subset on save).
    pub font: Font,
    charmap: Charmap<'static>,
    metrics: GlyphMetrics<'static>,
    units_per_em: f32,
    /// Ascender, in em.
    pub ascent: f32,
    /// Descender, in em (negative).
    pub descent: f32,
}

/// Parsed once per process: the PDF backend hashes the whole font file on load.
static FACE: LazyLock<Option<Face>> = LazyLock::new(load);

fn load() -> Option<Face> {
    let font = Font::new(FONT_DATA.into(), FACE_INDEX)?;
    let font_ref = skrifa::FontRef::from_index(FONT_DATA, FACE_INDEX).ok()?;
    let m = font_ref.metrics(Size::unscaled(), LocationRef::default());
    let units_per_em = f32::from(m.units_per_em.max(1));
    Some(Face {
        font,
        charmap: font_ref.charmap(),
        metrics: font_ref.glyph_metrics(Size::unscaled(), LocationRef::default()),
        units_per_em,
        ascent: m.ascent / units_per_em,
        descent: m.descent / units_per_em,
    })
}

/// The shared face.
pub(crate) fn face() -> Result<&'static Face> {
    FACE.as_ref().ok_or(ReportError::Font)
}

impl Face {
    /// Glyph id and advance (in em) of one character; unmapped characters get `.notdef`.
    pub fn glyph(&self, c: char) -> (u32, f32) {
        let gid = self.charmap.map(c).unwrap_or_default();
        let advance = self.metrics.advance_width(gid).unwrap_or(0.0) / self.units_per_em;
        (gid.to_u32(), advance)
    }

    /// Advance of one character at `size` points.
    pub fn char_width(&self, c: char, size: f32) -> f32 {
        self.glyph(c).1 * size
    }

    /// Width of `text` at `size` points (no kerning: CJK text does not use it).
    pub fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.char_width(c, size)).sum()
    }

    /// Positioned glyphs for `text`, each mapped back to its source bytes so the PDF's
    /// ToUnicode map makes the text searchable and copyable.
    pub fn shape(&self, text: &str) -> Vec<KrillaGlyph> {
        text.char_indices()
            .map(|(i, c)| {
                let (gid, advance) = self.glyph(c);
                KrillaGlyph::new(
                    GlyphId::new(gid),
                    advance,
                    0.0,
                    0.0,
                    0.0,
                    i..i + c.len_utf8(),
                    None,
                )
            })
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn face_maps_chinese_and_latin() {
        let face = face().unwrap();
        let (gid, adv) = face.glyph('综');
        assert_ne!(gid, 0);
        assert!((adv - 1.0).abs() < 0.05, "CJK advance is one em, got {adv}");
        let (gid, adv) = face.glyph('a');
        assert_ne!(gid, 0);
        assert!(adv > 0.3 && adv < 0.8);
        assert!(face.ascent > 0.5 && face.descent < 0.0);
    }
}
