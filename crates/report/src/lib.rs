//! Document rendering for Zongzhi's exports — pure functions of data to files, with no
//! database or HTTP.
//!
//! - [`xlsx`]: [`TableWriter`](xlsx::TableWriter), a constant-memory streaming XLSX writer
//!   for ledgers and case lists of up to a million rows.
//! - [`doc`]: the generic report model ([`ReportDoc`]) behind 日报 / 周研判 / 月调度, rendered
//!   to XLSX ([`render_xlsx`]) or to an A4 PDF ([`render_pdf`]) with the WenQuanYi Micro Hei
//!   font embedded (subset), so Chinese renders on any machine.

pub mod doc;
mod error;
mod pdf;
pub mod xlsx;

pub use doc::{
    Kpi, ReportDoc, Section, Table, render_pdf, render_pdf_bytes, render_xlsx, render_xlsx_bytes,
};
pub use error::{ReportError, Result};
