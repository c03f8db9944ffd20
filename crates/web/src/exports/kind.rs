//! What can be exported, and in which formats.

use serde::{Deserialize, Serialize};

/// The kind of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    /// 矛盾纠纷排查化解台账 (the standard ledger).
    Ledger,
    /// 事件清单: the filtered case list.
    Cases,
    /// 日报.
    Daily,
    /// 周研判.
    Weekly,
    /// 月调度.
    Monthly,
}

impl ExportKind {
    /// Every kind, in menu order.
    pub const ALL: [ExportKind; 5] = [
        Self::Ledger,
        Self::Cases,
        Self::Daily,
        Self::Weekly,
        Self::Monthly,
    ];

    /// Stable identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ledger => "ledger",
            Self::Cases => "cases",
            Self::Daily => "daily",
            Self::Weekly => "weekly",
            Self::Monthly => "monthly",
        }
    }

    /// Parses [`Self::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Chinese name (also the first part of the download's file name).
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Ledger => "矛盾纠纷排查化解台账",
            Self::Cases => "事件清单",
            Self::Daily => "综治中心日报",
            Self::Weekly => "周研判报告",
            Self::Monthly => "月调度报告",
        }
    }

    /// A report built from statistics (not a row-by-row table).
    pub fn is_report(self) -> bool {
        matches!(self, Self::Daily | Self::Weekly | Self::Monthly)
    }

    /// Whether this kind can be rendered as `format`.
    pub fn supports(self, format: ExportFormat) -> bool {
        format == ExportFormat::Xlsx || self.is_report()
    }
}

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// Excel workbook.
    Xlsx,
    /// PDF (reports only).
    Pdf,
}

impl ExportFormat {
    /// Stable identifier (also the file extension).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Xlsx => "xlsx",
            Self::Pdf => "pdf",
        }
    }

    /// Parses [`Self::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Xlsx, Self::Pdf]
            .into_iter()
            .find(|f| f.as_str() == s)
    }

    /// Content type of the file.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Pdf => "application/pdf",
        }
    }

    /// Label for the console.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Xlsx => "Excel（xlsx）",
            Self::Pdf => "PDF",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_formats() {
        for k in ExportKind::ALL {
            assert_eq!(ExportKind::parse(k.as_str()), Some(k));
            assert!(k.supports(ExportFormat::Xlsx));
        }
        assert!(!ExportKind::Ledger.supports(ExportFormat::Pdf));
        assert!(!ExportKind::Cases.supports(ExportFormat::Pdf));
        assert!(ExportKind::Weekly.supports(ExportFormat::Pdf));
        assert_eq!(ExportFormat::parse("pdf"), Some(ExportFormat::Pdf));
        assert_eq!(ExportFormat::parse("csv"), None);
    }
}
