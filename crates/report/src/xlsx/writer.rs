//! [`TableWriter`]: the constant-memory table writer.

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet};

use super::util::{self, MAX_SHEET_COLS, MAX_SHEET_ROWS};
use super::{Cell, CellKind, Column};
use crate::error::{ReportError, Result};

/// Light blue header fill shared by the XLSX outputs.
pub(crate) const HEADER_FILL: u32 = 0xDDEBF7;
/// Border colour of header cells.
pub(crate) const HEADER_BORDER: u32 = 0x9BC2E6;

/// Tuning knobs for [`TableWriter::create_with_options`].
#[derive(Debug, Clone, Default)]
pub struct TableOptions {
    /// Data rows per worksheet before the table continues on a new sheet named
    /// `"<sheet_name>（2）"`, `"（3）"`, … with the title and header repeated. Defaults to (and is
    /// capped at) what Excel allows: 1,048,576 rows minus the title and header rows.
    pub max_rows_per_sheet: Option<u32>,
    /// Directory for the per-sheet temp files of constant memory mode (default: the system
    /// temp directory). Point it at disk, not tmpfs, for very large exports.
    pub tempdir: Option<PathBuf>,
}

/// Formats created once per writer.
struct Formats {
    title: Format,
    header: Format,
    /// Number/date format of each column (by its kind), `None` for text.
    columns: Vec<Option<Format>>,
    date: Format,
    datetime: Format,
}

impl Formats {
    fn new(columns: &[Column]) -> Self {
        let kind_format =
            |kind: CellKind| kind.num_format().map(|f| Format::new().set_num_format(f));
        Formats {
            title: Format::new()
                .set_bold()
                .set_font_size(14)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            header: header_format(),
            columns: columns.iter().map(|c| kind_format(c.kind)).collect(),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            datetime: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
        }
    }
}

/// Bold, centred, shaded, thin-bordered header cell.
pub(crate) fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_background_color(Color::RGB(HEADER_FILL))
        .set_border(FormatBorder::Thin)
        .set_border_color(Color::RGB(HEADER_BORDER))
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap()
}

/// Writes one large table to an `.xlsx` file, row by row, in bounded memory.
///
/// The sheet gets an optional merged title row, a bold shaded header row that stays frozen
/// while scrolling, an autofilter over the header and all data rows, column widths from the
/// [`Column`] definitions, and print settings (A4, header row repeated, fit to page width,
/// page numbers in the footer). Nothing reaches `path` until [`TableWriter::finish`].
///
/// ```no_run
/// use zongzhi_report::xlsx::{Cell, CellKind, Column, TableWriter};
/// # fn main() -> Result<(), zongzhi_report::ReportError> {
/// let columns = vec![
///     Column::new("案件编号", CellKind::Text),
///     Column::new("受理日期", CellKind::Date),
///     Column::new("涉案金额（元）", CellKind::Money),
/// ];
/// let mut w = TableWriter::create("/tmp/cases.xlsx", "案件清单", Some("案件清单"), columns)?;
/// w.write_row(&[Cell::from("AJ-0001"), Cell::Empty, Cell::Num(1250.5)])?;
/// let rows = w.finish()?;
/// assert_eq!(rows, 1);
/// # Ok(()) }
/// ```
pub struct TableWriter {
    path: PathBuf,
    workbook: Workbook,
    base_name: String,
    title: Option<String>,
    columns: Vec<Column>,
    formats: Formats,
    /// Index of the worksheet being written (sheets are added in order).
    sheet_index: usize,
    /// Row index of the header row within each sheet (0 or 1).
    header_row: u32,
    /// Next row index to write within the current sheet.
    next_row: u32,
    rows_in_sheet: u32,
    rows_per_sheet: u32,
    total_rows: u64,
}

impl std::fmt::Debug for TableWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableWriter")
            .field("path", &self.path)
            .field("sheet", &self.base_name)
            .field("columns", &self.columns.len())
            .field("rows", &self.total_rows)
            .finish_non_exhaustive()
    }
}

impl TableWriter {
    /// Starts a table that will be saved to `path` on [`finish`](Self::finish).
    ///
    /// `sheet_name` is made legal for Excel (31 characters, no `[]:*?/\`); `title`, if
    /// given, becomes a merged, bold row above the header.
    ///
    /// # Errors
    /// [`ReportError::InvalidTable`] for zero or more than 16,384 columns;
    /// [`ReportError::Xlsx`] if the temp file for constant memory mode cannot be created.
    pub fn create(
        path: impl AsRef<Path>,
        sheet_name: &str,
        title: Option<&str>,
        columns: Vec<Column>,
    ) -> Result<Self> {
        Self::create_with_options(path, sheet_name, title, columns, TableOptions::default())
    }

    /// Like [`create`](Self::create), with [`TableOptions`].
    ///
    /// # Errors
    /// As [`create`](Self::create); also [`ReportError::Xlsx`] if `tempdir` is unusable.
    pub fn create_with_options(
        path: impl AsRef<Path>,
        sheet_name: &str,
        title: Option<&str>,
        columns: Vec<Column>,
        options: TableOptions,
    ) -> Result<Self> {
        if columns.is_empty() || columns.len() > MAX_SHEET_COLS {
            return Err(ReportError::InvalidTable(format!(
                "a sheet needs 1 to {MAX_SHEET_COLS} columns, got {}",
                columns.len()
            )));
        }
        let mut workbook = Workbook::new();
        if let Some(dir) = &options.tempdir {
            workbook.set_tempdir(dir)?;
        }
        let title = title
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(String::from);
        let header_row = u32::from(title.is_some());
        let limit = MAX_SHEET_ROWS - header_row - 1;
        let rows_per_sheet = options.max_rows_per_sheet.unwrap_or(limit).clamp(1, limit);
        let formats = Formats::new(&columns);
        let mut writer = TableWriter {
            path: path.as_ref().to_path_buf(),
            workbook,
            base_name: sheet_name.to_string(),
            title,
            columns,
            formats,
            sheet_index: 0,
            header_row,
            next_row: 0,
            rows_in_sheet: 0,
            rows_per_sheet,
            total_rows: 0,
        };
        writer.start_sheet(None)?;
        Ok(writer)
    }

    /// The columns this table was created with.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// Data rows written so far (over all sheets).
    pub fn rows_written(&self) -> u64 {
        self.total_rows
    }

    /// Appends one data row. `cells` must have exactly one entry per column.
    ///
    /// # Errors
    /// [`ReportError::RowWidth`] on a wrong cell count (nothing is written);
    /// [`ReportError::Xlsx`] if the writer rejects a value or the temp file fails.
    pub fn write_row(&mut self, cells: &[Cell]) -> Result<()> {
        if cells.len() != self.columns.len() {
            return Err(ReportError::RowWidth {
                expected: self.columns.len(),
                got: cells.len(),
            });
        }
        if self.rows_in_sheet >= self.rows_per_sheet {
            self.close_sheet()?;
            let n = u32::try_from(self.sheet_index + 2).unwrap_or(u32::MAX);
            self.sheet_index += 1;
            self.start_sheet(Some(n))?;
        }
        let row = self.next_row;
        let sheet = self.workbook.worksheet_from_index(self.sheet_index)?;
        for (col, (cell, column)) in cells.iter().zip(&self.columns).enumerate() {
            let col = col as u16; // < MAX_SHEET_COLS, checked in create
            let format = self.formats.columns[col as usize].as_ref();
            write_cell(sheet, row, col, cell, column.kind, format, &self.formats)?;
        }
        self.next_row += 1;
        self.rows_in_sheet += 1;
        self.total_rows += 1;
        Ok(())
    }

    /// Writes the workbook to the path given at creation and returns the number of data
    /// rows written.
    ///
    /// # Errors
    /// [`ReportError::Xlsx`] if assembling or saving the file fails.
    pub fn finish(mut self) -> Result<u64> {
        self.close_sheet()?;
        self.workbook.save(&self.path)?;
        Ok(self.total_rows)
    }

    /// Adds a worksheet and writes its title and header rows.
    fn start_sheet(&mut self, number: Option<u32>) -> Result<()> {
        let name = util::sheet_name(&self.base_name, number);
        let last_col = (self.columns.len() - 1) as u16;
        let sheet = self.workbook.add_worksheet_with_constant_memory()?;
        sheet.set_name(name)?;
        let mut total_width = 0.0;
        for (i, column) in self.columns.iter().enumerate() {
            let width = column.effective_width();
            total_width += width;
            sheet.set_column_width(i as u16, width)?;
        }
        if let Some(title) = &self.title {
            sheet.set_row_height(0, 28)?;
            if last_col == 0 {
                sheet.write_string_with_format(0, 0, title, &self.formats.title)?;
            } else {
                sheet.merge_range(0, 0, 0, last_col, title, &self.formats.title)?;
            }
        }
        let header_row = self.header_row;
        sheet.set_row_height(header_row, 22)?;
        for (i, column) in self.columns.iter().enumerate() {
            sheet.write_string_with_format(
                header_row,
                i as u16,
                &column.header,
                &self.formats.header,
            )?;
        }
        sheet.set_freeze_panes(header_row + 1, 0)?;
        sheet.set_repeat_rows(header_row, header_row)?;
        sheet.set_paper_size(9); // A4
        if total_width > 110.0 {
            sheet.set_landscape();
        }
        sheet.set_print_fit_to_pages(1, 0);
        sheet.set_footer("&C第 &P 页，共 &N 页");
        self.next_row = header_row + 1;
        self.rows_in_sheet = 0;
        Ok(())
    }

    /// Puts the autofilter over the current sheet's header and data rows.
    fn close_sheet(&mut self) -> Result<()> {
        let last_col = (self.columns.len() - 1) as u16;
        let last_row = self.next_row.saturating_sub(1).max(self.header_row);
        let header_row = self.header_row;
        let sheet = self.workbook.worksheet_from_index(self.sheet_index)?;
        sheet.autofilter(header_row, 0, last_row, last_col)?;
        Ok(())
    }
}

/// Writes one cell value with the column's format (or a date format for date values).
fn write_cell(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &Cell,
    kind: CellKind,
    column_format: Option<&Format>,
    formats: &Formats,
) -> Result<()> {
    let numeric_format = column_format
        .filter(|_| !matches!(kind, CellKind::Text | CellKind::Date | CellKind::DateTime));
    match cell {
        Cell::Empty => {}
        Cell::Text(s) => {
            sheet.write_string(row, col, util::clip_cell_text(s).as_ref())?;
        }
        Cell::Int(i) if i.unsigned_abs() > util::MAX_EXACT_INT.unsigned_abs() => {
            sheet.write_string(row, col, i.to_string())?;
        }
        Cell::Int(i) => write_number(sheet, row, col, *i as f64, numeric_format)?,
        Cell::Num(n) if !n.is_finite() => {}
        Cell::Num(n) => write_number(sheet, row, col, *n, numeric_format)?,
        Cell::Date(d) => match util::excel_date(*d) {
            Some(x) => {
                let f = if kind == CellKind::DateTime {
                    &formats.datetime
                } else {
                    &formats.date
                };
                sheet.write_datetime_with_format(row, col, x, f)?;
            }
            None => {
                sheet.write_string(row, col, d.format("%Y-%m-%d").to_string())?;
            }
        },
        Cell::DateTime(dt) => match util::excel_datetime(*dt) {
            Some(x) => {
                let f = if kind == CellKind::Date {
                    &formats.date
                } else {
                    &formats.datetime
                };
                sheet.write_datetime_with_format(row, col, x, f)?;
            }
            None => {
                sheet.write_string(row, col, dt.format("%Y-%m-%d %H:%M").to_string())?;
            }
        },
    }
    Ok(())
}

fn write_number(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    value: f64,
    format: Option<&Format>,
) -> Result<()> {
    match format {
        Some(f) => sheet.write_number_with_format(row, col, value, f)?,
        None => sheet.write_number(row, col, value)?,
    };
    Ok(())
}
