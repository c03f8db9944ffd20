//! The error type shared by every renderer in this crate.

/// Everything that can go wrong while rendering a document.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The XLSX writer refused a value or failed to save the workbook.
    #[error("xlsx writer error: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// Reading or writing a file failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// The PDF backend failed to assemble the document.
    #[error("pdf rendering failed: {0}")]
    Pdf(String),
    /// The embedded CJK font could not be parsed (a build problem, not a data problem).
    #[error("the embedded font could not be loaded")]
    Font,
    /// A row passed to [`crate::xlsx::TableWriter::write_row`] has the wrong number of cells.
    #[error("row has {got} cells but the table has {expected} columns")]
    RowWidth {
        /// Number of columns the table was created with.
        expected: usize,
        /// Number of cells in the rejected row.
        got: usize,
    },
    /// A table definition cannot be rendered (no columns, too many columns, …).
    #[error("invalid table: {0}")]
    InvalidTable(String),
}

/// Shorthand for results of this crate.
pub type Result<T, E = ReportError> = std::result::Result<T, E>;
