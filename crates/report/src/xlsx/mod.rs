//! Streaming XLSX tables for ledgers and case lists.
//!
//! [`TableWriter`] writes one table (optional title row, a bold shaded header row, then data
//! rows) with `rust_xlsxwriter`'s *constant memory* mode: every finished row goes to a temp
//! file at once, so a million-row ledger costs about as much memory as a ten-row one. Rows
//! must therefore be written in order and cannot be revisited.
//!
//! Column types ([`CellKind`]) pick the number format; cell values ([`Cell`]) are written as
//! real Excel numbers and dates, so the recipient can sort, filter and sum them.

mod util;
mod writer;

pub(crate) use util::{MAX_EXACT_INT, clip_cell_text, display_width, is_wide};
pub(crate) use writer::header_format;
pub use writer::{TableOptions, TableWriter};

/// How a column's values are formatted in Excel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CellKind {
    /// Plain text (names, ids, addresses, codes).
    Text,
    /// Whole numbers, shown without separators (`0`).
    Integer,
    /// Fractional numbers with two decimals (`0.00`).
    Decimal,
    /// Amounts in yuan: thousands separators and two decimals (`#,##0.00`).
    Money,
    /// Ratios stored as fractions (0.125) and shown as percentages (`0.0%` → 12.5%).
    Percent,
    /// Calendar dates (`yyyy-mm-dd`).
    Date,
    /// Local (Asia/Shanghai) date-times, to the minute (`yyyy-mm-dd hh:mm`).
    DateTime,
}

impl CellKind {
    /// The Excel number format used for this kind, if any.
    pub fn num_format(self) -> Option<&'static str> {
        match self {
            CellKind::Text => None,
            CellKind::Integer => Some("0"),
            CellKind::Decimal => Some("0.00"),
            CellKind::Money => Some("#,##0.00"),
            CellKind::Percent => Some("0.0%"),
            CellKind::Date => Some("yyyy-mm-dd"),
            CellKind::DateTime => Some("yyyy-mm-dd hh:mm"),
        }
    }

    /// A sensible column width (in Excel character units) for this kind.
    pub fn default_width(self) -> f64 {
        match self {
            CellKind::Text => 18.0,
            CellKind::Integer => 10.0,
            CellKind::Decimal => 12.0,
            CellKind::Money => 15.0,
            CellKind::Percent => 10.0,
            CellKind::Date => 12.0,
            CellKind::DateTime => 17.0,
        }
    }
}

/// One column of a table: its (Chinese) header, width and value kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Header text shown in the header row, e.g. `"受理时间"`.
    pub header: String,
    /// Width in Excel character units (one CJK character ≈ 2). `0.0` means automatic: wide
    /// enough for the header and the kind's default.
    pub width: f64,
    /// How the column's values are formatted.
    pub kind: CellKind,
}

impl Column {
    /// A column with automatic width.
    pub fn new(header: impl Into<String>, kind: CellKind) -> Self {
        Column {
            header: header.into(),
            width: 0.0,
            kind,
        }
    }

    /// Sets an explicit width in Excel character units.
    #[must_use]
    pub fn width(mut self, width: f64) -> Self {
        self.width = width;
        self
    }

    /// The width actually applied: explicit width, or enough for header and kind.
    pub(crate) fn effective_width(&self) -> f64 {
        // +4: room for the autofilter drop-down arrow next to the header text.
        let header = display_width(&self.header) as f64 + 4.0;
        let width = if self.width > 0.0 {
            self.width
        } else {
            self.kind.default_width().max(header)
        };
        width.clamp(4.0, 100.0)
    }
}

/// One cell value. Dates and date-times are written as real Excel dates.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Cell {
    /// No value; the cell is left blank.
    #[default]
    Empty,
    /// Text, written verbatim (never interpreted as a formula). Longer than an Excel cell
    /// can hold (32,767 characters) is cut with an ellipsis.
    Text(String),
    /// A whole number. Magnitudes above 15 digits are written as text, since Excel would
    /// round them.
    Int(i64),
    /// A number. NaN and infinities are left blank.
    Num(f64),
    /// A calendar date. Dates before 1900 (outside Excel's range) are written as text.
    Date(chrono::NaiveDate),
    /// A local date-time, already converted to Asia/Shanghai.
    DateTime(chrono::NaiveDateTime),
}

impl From<&str> for Cell {
    fn from(value: &str) -> Self {
        Cell::Text(value.to_string())
    }
}

impl From<String> for Cell {
    fn from(value: String) -> Self {
        Cell::Text(value)
    }
}

impl From<i64> for Cell {
    fn from(value: i64) -> Self {
        Cell::Int(value)
    }
}

impl From<i32> for Cell {
    fn from(value: i32) -> Self {
        Cell::Int(i64::from(value))
    }
}

impl From<u32> for Cell {
    fn from(value: u32) -> Self {
        Cell::Int(i64::from(value))
    }
}

impl From<f64> for Cell {
    fn from(value: f64) -> Self {
        Cell::Num(value)
    }
}

impl From<chrono::NaiveDate> for Cell {
    fn from(value: chrono::NaiveDate) -> Self {
        Cell::Date(value)
    }
}

impl From<chrono::NaiveDateTime> for Cell {
    fn from(value: chrono::NaiveDateTime) -> Self {
        Cell::DateTime(value)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(value: Option<T>) -> Self {
        value.map_or(Cell::Empty, Into::into)
    }
}
