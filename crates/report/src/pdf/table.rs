//! Table layout: column widths, wrapped cells, page breaks with a repeated header.

use super::Rgb;
use super::font::Face;
use super::layout::{BOTTOM, CONTENT_W, INK, Layout, MARGIN_X, MUTED, TOP, fit_line};
use super::wrap::wrap;
use crate::doc::Table;

const SIZE: f32 = 9.0;
const LINE_H: f32 = 13.0;
const PAD_X: f32 = 5.0;
const PAD_Y: f32 = 4.0;
const HEADER_FILL: Rgb = Rgb::hex(0xDDEBF7);
const ZEBRA_FILL: Rgb = Rgb::hex(0xF7F9FC);
const TOTAL_FILL: Rgb = Rgb::hex(0xEEF2F7);
const RULE: Rgb = Rgb::hex(0x2B3A4A);
const ROW_RULE: Rgb = Rgb::hex(0xD5DAE1);

/// A row ready to draw: wrapped lines per cell and its height.
struct Row {
    cells: Vec<Vec<String>>,
    height: f32,
}

/// Lays out one table at the cursor, breaking pages between rows.
pub(crate) fn table(l: &mut Layout<'_>, table: &Table) {
    let ncols = table.headers.len();
    if ncols == 0 {
        return;
    }
    let face = l.face;
    let widths = column_widths(face, table);
    let caption = table
        .caption
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let caption_h = if caption.is_some() { 18.0 } else { 0.0 };
    let header = layout_row(face, &widths, |c| table.headers[c].trim(), usize::MAX);
    // Tallest row that still fits on an empty page under caption and header.
    let max_row_h = BOTTOM - TOP - caption_h - header.height - 2.0;
    let max_lines = ((max_row_h - 2.0 * PAD_Y) / LINE_H).floor().max(1.0) as usize;
    let rows: Vec<Row> = (0..table.rows.len())
        .map(|r| layout_row(face, &widths, |c| table.cell(r, c), max_lines))
        .collect();
    let first_h = rows.first().map_or(LINE_H + 2.0 * PAD_Y, |r| r.height);
    l.ensure(caption_h + header.height + first_h);
    draw_header(l, caption, false, &header, &widths);
    if rows.is_empty() {
        let h = LINE_H + 2.0 * PAD_Y;
        let text = "（无数据）";
        let w = face.width(text, SIZE);
        let y = l.y;
        l.text_line(
            MARGIN_X + (CONTENT_W - w) / 2.0,
            y + PAD_Y,
            LINE_H,
            SIZE,
            text,
            MUTED,
            false,
        );
        l.y += h;
    }
    for (i, row) in rows.iter().enumerate() {
        if !l.fits(row.height) {
            let y = l.y;
            l.line(MARGIN_X, y, MARGIN_X + CONTENT_W, 1.0, RULE);
            l.new_page();
            draw_header(l, caption, true, &header, &widths);
        }
        let total = table.total_row && i + 1 == rows.len();
        let top = l.y;
        if total {
            l.rect(MARGIN_X, top, CONTENT_W, row.height, Some(TOTAL_FILL), None);
            l.line(MARGIN_X, top, MARGIN_X + CONTENT_W, 0.8, RULE);
        } else if i % 2 == 1 {
            l.rect(MARGIN_X, top, CONTENT_W, row.height, Some(ZEBRA_FILL), None);
        }
        draw_cells(l, row, &widths, |c| table.is_numeric(c), total);
        l.y += row.height;
        if i + 1 < rows.len() {
            let y = l.y;
            l.line(MARGIN_X, y, MARGIN_X + CONTENT_W, 0.4, ROW_RULE);
        }
    }
    let y = l.y;
    l.line(MARGIN_X, y, MARGIN_X + CONTENT_W, 1.0, RULE);
    l.y += 4.0;
    if let Some(note) = table
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        for line in wrap(face, note, 8.5, CONTENT_W, CONTENT_W) {
            l.ensure(13.0);
            let y = l.y;
            l.text_line(MARGIN_X, y, 13.0, 8.5, &line, MUTED, false);
            l.y += 13.0;
        }
    }
    l.y += 10.0;
}

/// Caption (with 续 on continuation pages) and the shaded header row.
fn draw_header(
    l: &mut Layout<'_>,
    caption: Option<&str>,
    continued: bool,
    header: &Row,
    widths: &[f32],
) {
    if let Some(caption) = caption {
        let text = if continued {
            format!("{caption}（续）")
        } else {
            caption.to_string()
        };
        let text = fit_line(l.face, &text, 10.0, CONTENT_W);
        let w = l.face.width(&text, 10.0);
        let y = l.y;
        l.text_line(
            MARGIN_X + (CONTENT_W - w) / 2.0,
            y,
            18.0,
            10.0,
            &text,
            INK,
            true,
        );
        l.y += 18.0;
    }
    let top = l.y;
    l.rect(
        MARGIN_X,
        top,
        CONTENT_W,
        header.height,
        Some(HEADER_FILL),
        None,
    );
    l.line(MARGIN_X, top, MARGIN_X + CONTENT_W, 1.0, RULE);
    let mut x = MARGIN_X;
    for (cell, w) in header.cells.iter().zip(widths) {
        let mut y = top + PAD_Y;
        for line in cell {
            let lw = l.face.width(line, SIZE);
            l.text_line(x + (w - lw) / 2.0, y, LINE_H, SIZE, line, INK, true);
            y += LINE_H;
        }
        x += w;
    }
    l.y += header.height;
    let y = l.y;
    l.line(MARGIN_X, y, MARGIN_X + CONTENT_W, 0.6, RULE);
}

fn draw_cells(
    l: &mut Layout<'_>,
    row: &Row,
    widths: &[f32],
    numeric: impl Fn(usize) -> bool,
    bold: bool,
) {
    let top = l.y;
    let mut x = MARGIN_X;
    for (c, (cell, w)) in row.cells.iter().zip(widths).enumerate() {
        let mut y = top + PAD_Y;
        for line in cell {
            let lx = if numeric(c) {
                x + w - PAD_X - l.face.width(line, SIZE)
            } else {
                x + PAD_X
            };
            l.text_line(lx, y, LINE_H, SIZE, line, INK, bold);
            y += LINE_H;
        }
        x += w;
    }
}

/// Wraps every cell of one row, keeping at most `max_lines` lines per cell.
fn layout_row<'t>(
    face: &Face,
    widths: &[f32],
    cell: impl Fn(usize) -> &'t str,
    max_lines: usize,
) -> Row {
    let cells: Vec<Vec<String>> = widths
        .iter()
        .enumerate()
        .map(|(c, w)| {
            let inner = (w - 2.0 * PAD_X).max(SIZE);
            let mut lines = wrap(face, cell(c).trim(), SIZE, inner, inner);
            if lines.len() > max_lines {
                lines.truncate(max_lines);
                if let Some(last) = lines.last_mut() {
                    *last = fit_line(face, &format!("{last}…"), SIZE, inner);
                }
            }
            lines
        })
        .collect();
    let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
    Row {
        height: lines as f32 * LINE_H + 2.0 * PAD_Y,
        cells,
    }
}

/// Column widths filling the content width: natural widths when they fit (extra space
/// shared in proportion); otherwise short columns (ids, dates, numbers) keep their natural
/// width and the widest text columns are capped and wrap.
fn column_widths(face: &Face, table: &Table) -> Vec<f32> {
    let n = table.headers.len();
    let pad = 2.0 * PAD_X;
    let measure = |s: &str| {
        s.split('\n')
            .map(|l| face.width(l.trim(), SIZE))
            .fold(0.0, f32::max)
    };
    let body: Vec<f32> = (0..n)
        .map(|c| {
            (0..table.rows.len())
                .map(|r| measure(table.cell(r, c)))
                .fold(0.0, f32::max)
                + pad
        })
        .collect();
    let header: Vec<f32> = table.headers.iter().map(|h| measure(h) + pad).collect();
    let natural: Vec<f32> = body.iter().zip(&header).map(|(b, h)| b.max(*h)).collect();
    let total: f32 = natural.iter().sum();
    if total <= CONTENT_W {
        return natural
            .iter()
            .map(|w| w + (CONTENT_W - total) * w / total)
            .collect();
    }
    // Headers may wrap down to four characters; short bodies never wrap; long text bodies
    // may shrink to four characters.
    let four_chars = 4.0 * SIZE + pad;
    let short = CONTENT_W * 0.2;
    let minimum: Vec<f32> = (0..n)
        .map(|c| {
            let body_min = if body[c] <= short || table.is_numeric(c) {
                body[c].min(CONTENT_W * 0.3)
            } else {
                four_chars
            };
            body_min.max(header[c].min(four_chars))
        })
        .collect();
    let min_total: f32 = minimum.iter().sum();
    if min_total >= CONTENT_W {
        return minimum.iter().map(|w| w * CONTENT_W / min_total).collect();
    }
    let fit = |cap: f32| -> f32 {
        natural
            .iter()
            .zip(&minimum)
            .map(|(w, m)| w.min(cap).max(*m))
            .sum()
    };
    let (mut lo, mut hi) = (0.0f32, natural.iter().copied().fold(0.0, f32::max));
    for _ in 0..40 {
        let mid = (lo + hi) / 2.0;
        if fit(mid) > CONTENT_W {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    let widths: Vec<f32> = natural
        .iter()
        .zip(&minimum)
        .map(|(w, m)| w.min(lo).max(*m))
        .collect();
    let sum: f32 = widths.iter().sum();
    widths.iter().map(|w| w * CONTENT_W / sum).collect()
}
