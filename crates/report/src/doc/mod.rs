//! A generic report document (日报 / 周研判 / 月调度) and its XLSX and PDF renderings.
//!
//! The model is presentation-ready: every value is already a formatted string (`"1,234"`,
//! `"12.5%"`, `"—"`), so both renderings show exactly what the report author decided. Table
//! columns flagged in [`Table::numeric_cols`] are right-aligned in the PDF and written as
//! real numbers in the XLSX (with a number format that reproduces the string's look)
//! whenever the string parses as a number.
//!
//! Within a [`Section`] the blocks render in a fixed order: heading, KPI grid, paragraphs,
//! tables.

mod numeric;
mod xlsx;

pub use crate::pdf::{render_pdf, render_pdf_bytes};
pub use xlsx::{render_xlsx, render_xlsx_bytes};

/// A whole report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportDoc {
    /// Report title, e.g. `"综治中心日报"`.
    pub title: String,
    /// Issuing organisation, e.g. `"某某区综治中心"`.
    pub org_name: String,
    /// Human label of the covered period, e.g. `"2024年6月1日"` or `"2024年第23周"`;
    /// rendered after `统计周期：`.
    pub period_label: String,
    /// When the report was generated, already formatted in local time, e.g.
    /// `"2024-06-02 08:00"`; rendered after `生成时间：`.
    pub generated_at_label: String,
    /// The body, in order.
    pub sections: Vec<Section>,
}

impl ReportDoc {
    /// A report with the given title and no sections yet.
    pub fn new(title: impl Into<String>) -> Self {
        ReportDoc {
            title: title.into(),
            ..ReportDoc::default()
        }
    }

    /// The meta line under the title: organisation, period and generation time, skipping
    /// empty parts.
    pub fn meta_line(&self) -> String {
        let mut parts = Vec::new();
        if !self.org_name.trim().is_empty() {
            parts.push(self.org_name.trim().to_string());
        }
        if !self.period_label.trim().is_empty() {
            parts.push(format!("统计周期：{}", self.period_label.trim()));
        }
        if !self.generated_at_label.trim().is_empty() {
            parts.push(format!("生成时间：{}", self.generated_at_label.trim()));
        }
        parts.join("　　")
    }
}

/// One numbered part of a report, e.g. `"一、总体情况"`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Section {
    /// Heading, shown as given (number it yourself: `"一、总体情况"`).
    pub heading: String,
    /// Narrative paragraphs; a `\n` inside one forces a line break.
    pub paragraphs: Vec<String>,
    /// Key figures, shown as a grid of boxes before the paragraphs.
    pub kpis: Vec<Kpi>,
    /// Tables, shown after the paragraphs.
    pub tables: Vec<Table>,
}

impl Section {
    /// An empty section with a heading.
    pub fn new(heading: impl Into<String>) -> Self {
        Section {
            heading: heading.into(),
            ..Section::default()
        }
    }

    /// Adds a paragraph.
    #[must_use]
    pub fn paragraph(mut self, text: impl Into<String>) -> Self {
        self.paragraphs.push(text.into());
        self
    }

    /// Adds a key figure.
    #[must_use]
    pub fn kpi(mut self, kpi: Kpi) -> Self {
        self.kpis.push(kpi);
        self
    }

    /// Adds a table.
    #[must_use]
    pub fn table(mut self, table: Table) -> Self {
        self.tables.push(table);
        self
    }
}

/// A key figure: `label` over a big `value`, with an optional small note (e.g. 环比).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Kpi {
    /// What is counted, e.g. `"新增矛盾纠纷"`.
    pub label: String,
    /// The formatted value, e.g. `"128 件"` or `"96.5%"`.
    pub value: String,
    /// Optional remark, e.g. `"环比 +12.3%"`.
    pub note: Option<String>,
}

impl Kpi {
    /// A key figure without a note.
    pub fn new(label: impl Into<String>, value: impl Into<String>) -> Self {
        Kpi {
            label: label.into(),
            value: value.into(),
            note: None,
        }
    }

    /// Sets the note.
    #[must_use]
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
}

/// A table of pre-formatted strings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// Caption above the table, e.g. `"表1 各街道案件情况"`.
    pub caption: Option<String>,
    /// Column headers; they define the column count. Rows shorter than this are padded
    /// with empty cells, longer ones are cut.
    pub headers: Vec<String>,
    /// Body rows.
    pub rows: Vec<Vec<String>>,
    /// Zero-based indices of numeric columns: right-aligned in the PDF, written as numbers
    /// in the XLSX when the cell parses (`"1,234"`, `"-3.50"`, `"12.5%"`, `"+4.0%"`).
    pub numeric_cols: Vec<usize>,
    /// Whether the last row is a total (合计) row, drawn emphasised.
    pub total_row: bool,
    /// Optional note under the table, e.g. `"注：数据截至 24 时。"`.
    pub note: Option<String>,
}

impl Table {
    /// A table with headers and no rows.
    pub fn new<S: Into<String>>(headers: impl IntoIterator<Item = S>) -> Self {
        Table {
            headers: headers.into_iter().map(Into::into).collect(),
            ..Table::default()
        }
    }

    /// Sets the caption.
    #[must_use]
    pub fn caption(mut self, caption: impl Into<String>) -> Self {
        self.caption = Some(caption.into());
        self
    }

    /// Marks columns (zero-based) as numeric.
    #[must_use]
    pub fn numeric(mut self, cols: impl IntoIterator<Item = usize>) -> Self {
        self.numeric_cols.extend(cols);
        self
    }

    /// Adds a body row.
    #[must_use]
    pub fn row<S: Into<String>>(mut self, cells: impl IntoIterator<Item = S>) -> Self {
        self.rows.push(cells.into_iter().map(Into::into).collect());
        self
    }

    /// Marks the last row as a total row.
    #[must_use]
    pub fn with_total_row(mut self) -> Self {
        self.total_row = true;
        self
    }

    /// Sets the note under the table.
    #[must_use]
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// Whether column `col` is numeric.
    pub fn is_numeric(&self, col: usize) -> bool {
        self.numeric_cols.contains(&col)
    }

    /// Cell `(row, col)`, or `""` where a short row has none.
    pub fn cell(&self, row: usize, col: usize) -> &str {
        self.rows
            .get(row)
            .and_then(|r| r.get(col))
            .map_or("", String::as_str)
    }
}
