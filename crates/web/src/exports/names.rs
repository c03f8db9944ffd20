//! The Chinese file name a download carries, e.g.
//! `矛盾纠纷排查化解台账_东湖区_20261101-20261122.xlsx`.

use chrono::NaiveDate;

use super::{ExportFormat, ExportKind, ExportParams};

fn ymd(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// Keeps a name part safe in a file name on any system.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect()
}

/// The file name of a finished export (`created` is the request's local date, used when a
/// list has no period).
pub fn download_name(
    kind: ExportKind,
    format: ExportFormat,
    p: &ExportParams,
    created: NaiveDate,
) -> String {
    let period = match (kind, p.from, p.to) {
        (ExportKind::Daily, Some(d), _) => ymd(d),
        (ExportKind::Monthly, Some(d), _) => d.format("%Y%m").to_string(),
        (_, Some(f), Some(t)) => format!("{}-{}", ymd(f), ymd(t)),
        (_, Some(f), None) => format!("{}起", ymd(f)),
        (_, None, Some(t)) => format!("截至{}", ymd(t)),
        (_, None, None) => format!("截至{}", ymd(created)),
    };
    format!(
        "{}_{}_{}.{}",
        kind.label_zh(),
        clean(&p.org_unit_name),
        period,
        format.as_str()
    )
}

/// `Content-Disposition` for a download: an ASCII `fallback` name for old clients and the
/// UTF-8 name as RFC 5987 / 8187 `filename*`.
pub(crate) fn content_disposition(file_name: &str, fallback: &str) -> String {
    crate::api::cases::content_disposition_with(file_name, fallback)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn names_follow_the_ledger_convention() {
        let p = ExportParams {
            org_unit_name: "东湖区".into(),
            from: Some(d("2026-11-01")),
            to: Some(d("2026-11-22")),
            ..Default::default()
        };
        let today = d("2026-11-22");
        assert_eq!(
            download_name(ExportKind::Ledger, ExportFormat::Xlsx, &p, today),
            "矛盾纠纷排查化解台账_东湖区_20261101-20261122.xlsx"
        );
        let q = ExportParams {
            org_unit_name: "a/b".into(),
            ..Default::default()
        };
        assert_eq!(
            download_name(ExportKind::Cases, ExportFormat::Xlsx, &q, today),
            "事件清单_a_b_截至20261122.xlsx"
        );
        let m = ExportParams {
            from: Some(d("2026-10-01")),
            to: Some(d("2026-10-31")),
            ..p
        };
        assert_eq!(
            download_name(ExportKind::Monthly, ExportFormat::Pdf, &m, today),
            "月调度报告_东湖区_202610.pdf"
        );
    }

    #[test]
    fn disposition_is_rfc5987() {
        let v = content_disposition("台账_1.xlsx", "ledger-1.xlsx");
        assert!(v.starts_with("attachment; filename=\"ledger-1.xlsx\"; "));
        assert!(v.ends_with("filename*=UTF-8''%E5%8F%B0%E8%B4%A6_1.xlsx"));
    }
}
