//! [`render_xlsx`]: the report as one readable worksheet.

use std::path::Path;

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet};

use super::{ReportDoc, Section, Table, numeric};
use crate::error::Result;
use crate::xlsx::{clip_cell_text, display_width};

/// Columns a paragraph or heading spans at least.
const MIN_SPAN: usize = 6;
const BORDER: u32 = 0xC8CED8;

/// Writes `doc` as an `.xlsx` file at `path`: one sheet named 报告 with the title and meta
/// line in merged rows, then each section's heading, KPI block (指标 / 数值 / 说明),
/// paragraphs and tables. Numeric table columns hold real numbers (see
/// [`Table::numeric_cols`]).
///
/// # Errors
/// [`crate::ReportError::Xlsx`] if the workbook cannot be assembled or saved.
pub fn render_xlsx(doc: &ReportDoc, path: impl AsRef<Path>) -> Result<()> {
    let mut workbook = build(doc)?;
    workbook.save(path.as_ref())?;
    Ok(())
}

/// Like [`render_xlsx`], returning the file's bytes instead of writing a file.
///
/// # Errors
/// [`crate::ReportError::Xlsx`] if the workbook cannot be assembled.
pub fn render_xlsx_bytes(doc: &ReportDoc) -> Result<Vec<u8>> {
    Ok(build(doc)?.save_to_buffer()?)
}

struct Styles {
    title: Format,
    meta: Format,
    heading: Format,
    paragraph: Format,
    caption: Format,
    note: Format,
    header: Format,
    text: Format,
    total_text: Format,
}

impl Styles {
    fn new() -> Self {
        let body = Format::new()
            .set_border(FormatBorder::Thin)
            .set_border_color(Color::RGB(BORDER))
            .set_align(FormatAlign::VerticalCenter)
            .set_text_wrap();
        Styles {
            title: Format::new()
                .set_bold()
                .set_font_size(18)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            meta: Format::new()
                .set_font_size(10)
                .set_font_color(Color::RGB(0x5A6472))
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_border_bottom(FormatBorder::Medium)
                .set_border_color(Color::RGB(0xB22222)),
            heading: Format::new()
                .set_bold()
                .set_font_size(13)
                .set_font_color(Color::RGB(0x2F5597))
                .set_align(FormatAlign::VerticalCenter)
                .set_border_bottom(FormatBorder::Thin)
                .set_border_color(Color::RGB(0x2F5597)),
            paragraph: Format::new()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_indent(1),
            caption: Format::new()
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            note: Format::new()
                .set_italic()
                .set_font_size(9)
                .set_font_color(Color::RGB(0x5A6472)),
            header: crate::xlsx::header_format(),
            total_text: body
                .clone()
                .set_bold()
                .set_background_color(Color::RGB(0xEEF2F7)),
            text: body,
        }
    }

    fn number(&self, pattern: &str, total: bool) -> Format {
        let f = self
            .text
            .clone()
            .set_num_format(pattern)
            .set_align(FormatAlign::Right);
        if total {
            f.set_bold().set_background_color(Color::RGB(0xEEF2F7))
        } else {
            f
        }
    }
}

/// Lays the whole report out on one sheet.
fn build(doc: &ReportDoc) -> Result<Workbook> {
    let mut workbook = Workbook::new();
    let styles = Styles::new();
    let widths = column_widths(doc);
    let last = (widths.len() - 1) as u16;
    let sheet = workbook.add_worksheet();
    sheet.set_name("报告")?;
    for (i, w) in widths.iter().enumerate() {
        sheet.set_column_width(i as u16, *w)?;
    }
    sheet.set_screen_gridlines(false);
    sheet.set_paper_size(9);
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_footer("&C第 &P 页，共 &N 页");

    let total_width: f64 = widths.iter().sum();
    sheet.set_row_height(0, 34)?;
    merge(sheet, 0, 0, last, &doc.title, &styles.title)?;
    sheet.set_row_height(1, 22)?;
    merge(sheet, 1, 0, last, &doc.meta_line(), &styles.meta)?;
    let mut row = 3u32;
    for section in &doc.sections {
        row = write_section(sheet, row, last, total_width, section, &styles)?;
    }
    Ok(workbook)
}

fn write_section(
    sheet: &mut Worksheet,
    mut row: u32,
    last: u16,
    total_width: f64,
    section: &Section,
    styles: &Styles,
) -> Result<u32> {
    sheet.set_row_height(row, 24)?;
    merge(sheet, row, 0, last, &section.heading, &styles.heading)?;
    row += 2;
    if !section.kpis.is_empty() {
        for (col, h) in ["指标", "数值"].iter().enumerate() {
            sheet.write_string_with_format(row, col as u16, *h, &styles.header)?;
        }
        merge(sheet, row, 2, last.max(2), "说明", &styles.header)?;
        row += 1;
        for kpi in &section.kpis {
            sheet.write_string_with_format(row, 0, &kpi.label, &styles.text)?;
            write_value(sheet, row, 1, &kpi.value, true, false, styles)?;
            merge(
                sheet,
                row,
                2,
                last.max(2),
                kpi.note.as_deref().unwrap_or(""),
                &styles.text,
            )?;
            row += 1;
        }
        row += 1;
    }
    for paragraph in &section.paragraphs {
        let lines: usize = paragraph
            .split('\n')
            .map(|l| {
                ((display_width(l) + 4) as f64 / (total_width * 0.95))
                    .ceil()
                    .max(1.0) as usize
            })
            .sum();
        sheet.set_row_height(row, (lines as f64 * 16.0).max(18.0))?;
        merge(
            sheet,
            row,
            0,
            last,
            &clip_cell_text(paragraph),
            &styles.paragraph,
        )?;
        row += 2;
    }
    for table in &section.tables {
        row = write_table(sheet, row, last, table, styles)?;
    }
    Ok(row)
}

fn write_table(
    sheet: &mut Worksheet,
    mut row: u32,
    last: u16,
    table: &Table,
    styles: &Styles,
) -> Result<u32> {
    let ncols = table.headers.len();
    if ncols == 0 {
        return Ok(row);
    }
    if let Some(caption) = &table.caption {
        merge(
            sheet,
            row,
            0,
            last.max((ncols - 1) as u16),
            caption,
            &styles.caption,
        )?;
        row += 1;
    }
    for (col, h) in table.headers.iter().enumerate() {
        sheet.write_string_with_format(row, col as u16, h, &styles.header)?;
    }
    sheet.set_row_height(row, 22)?;
    row += 1;
    for r in 0..table.rows.len() {
        let total = table.total_row && r + 1 == table.rows.len();
        for col in 0..ncols {
            let text = table.cell(r, col);
            write_value(
                sheet,
                row,
                col as u16,
                text,
                table.is_numeric(col),
                total,
                styles,
            )?;
        }
        row += 1;
    }
    if let Some(note) = &table.note {
        merge(sheet, row, 0, last, note, &styles.note)?;
        row += 1;
    }
    Ok(row + 1)
}

/// Writes a numeric-looking string as a number (when `numeric`), else as text.
fn write_value(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    text: &str,
    numeric: bool,
    total: bool,
    styles: &Styles,
) -> Result<()> {
    if numeric && let Some(n) = numeric::parse(text) {
        sheet.write_number_with_format(row, col, n.value, &styles.number(&n.format, total))?;
        return Ok(());
    }
    let f = if total {
        &styles.total_text
    } else {
        &styles.text
    };
    let f = if numeric {
        f.clone().set_align(FormatAlign::Right)
    } else {
        f.clone()
    };
    sheet.write_string_with_format(row, col, clip_cell_text(text).as_ref(), &f)?;
    Ok(())
}

/// Writes `text` over columns `first..=last` of `row` (a plain cell when they coincide).
fn merge(
    sheet: &mut Worksheet,
    row: u32,
    first: u16,
    last: u16,
    text: &str,
    f: &Format,
) -> Result<()> {
    if first >= last {
        sheet.write_string_with_format(row, first, text, f)?;
    } else {
        sheet.merge_range(row, first, row, last, text, f)?;
    }
    Ok(())
}

/// Per-column widths (Excel character units) fitting the widest table content.
fn column_widths(doc: &ReportDoc) -> Vec<f64> {
    let ncols = doc
        .sections
        .iter()
        .flat_map(|s| &s.tables)
        .map(|t| t.headers.len())
        .max()
        .unwrap_or(0)
        .max(MIN_SPAN);
    let mut widths = vec![10.0f64; ncols];
    let mut fit = |col: usize, text: &str| {
        let w = (display_width(text) as f64 + 3.0).min(40.0);
        if widths[col] < w {
            widths[col] = w;
        }
    };
    for section in &doc.sections {
        for kpi in &section.kpis {
            fit(0, &kpi.label);
            fit(1, &kpi.value);
        }
        for table in &section.tables {
            for (col, h) in table.headers.iter().enumerate() {
                fit(col, h);
                for r in 0..table.rows.len() {
                    fit(col, table.cell(r, col));
                }
            }
        }
    }
    widths
}
