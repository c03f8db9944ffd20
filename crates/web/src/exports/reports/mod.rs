//! 日报, 周研判 and 月调度: built from the rollup figures of the requester's scope (the same
//! numbers as the statistics pages) and lists of open cases, then rendered by
//! zongzhi-report to XLSX or to PDF with the embedded CJK font.

mod daily;
mod data;
mod fmt;
mod monthly;
mod weekly;

use std::cmp::Reverse;

use chrono::{Datelike, NaiveDate};
use zongzhi_core::metrics::Period;
use zongzhi_report::Table;

use super::ExportFormat;
use super::worker::{JobCtx, JobError};
use crate::stats::BreakdownRow;
use data::Data;

/// Open cases a report lists per kind (overdue, supervised).
const LIST_CASES: i64 = 50;

/// `2026年11月21日`.
fn day_label(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// `11月16日`.
fn short_day(d: NaiveDate) -> String {
    format!("{}月{}日", d.month(), d.day())
}

/// A category breakdown: the period against a base, first-level categories by count.
fn category_table(
    caption: &str,
    now: &[BreakdownRow],
    before: &[BreakdownRow],
    base_label: &str,
    limit: usize,
) -> Table {
    let total: i64 = now.iter().map(|r| r.figures.received).sum();
    let mut keys: Vec<(String, String, i64, i64)> = Vec::new();
    for r in now.iter().chain(before) {
        if !keys.iter().any(|(k, ..)| *k == r.key) {
            let get = |rows: &[BreakdownRow]| {
                rows.iter()
                    .find(|x| x.key == r.key)
                    .map_or(0, |x| x.figures.received)
            };
            keys.push((r.key.clone(), r.label.clone(), get(now), get(before)));
        }
    }
    keys.sort_by_key(|(k, _, n, b)| (Reverse(*n), Reverse(*b), k.clone()));
    let mut t = Table::new(["事件分类", "本期", base_label, "变化", "占比"])
        .caption(caption)
        .numeric([1, 2, 3, 4]);
    for (_, label, n, b) in keys.into_iter().take(limit) {
        let share = (total > 0).then(|| n as f64 / total as f64);
        t = t.row([
            label,
            n.to_string(),
            b.to_string(),
            fmt::change(n, b),
            fmt::rate(share),
        ]);
    }
    if t.rows.is_empty() {
        t = t.note("本期无新增事件。");
    }
    t
}

/// The organisation line of a report.
fn org_name(d: &Data<'_>) -> String {
    format!("{}综治中心", d.unit().name)
}

/// Builds the job's report, renders it to the temporary file; answers the table rows.
pub(crate) async fn write(ctx: &JobCtx<'_>) -> Result<i64, JobError> {
    let Some(period) = ctx.params.period() else {
        return Err(JobError::Permanent("export_failed"));
    };
    let data = Data::new(ctx, period).await?;
    ctx.progress(0, 10).await?;
    let doc = match ctx.kind {
        super::ExportKind::Daily => daily::build(&data, period).await?,
        super::ExportKind::Weekly => weekly::build(&data, period).await?,
        _ => monthly::build(&data, period).await?,
    };
    let rows: usize = doc
        .sections
        .iter()
        .flat_map(|s| &s.tables)
        .map(|t| t.rows.len())
        .sum();
    ctx.progress(0, 60).await?;
    let (path, format) = (ctx.tmp.clone(), ctx.format);
    tokio::task::spawn_blocking(move || match format {
        ExportFormat::Xlsx => zongzhi_report::render_xlsx(&doc, &path),
        ExportFormat::Pdf => zongzhi_report::render_pdf(&doc, &path),
    })
    .await??;
    let rows = i64::try_from(rows).unwrap_or(i64::MAX);
    ctx.progress(rows, 95).await?;
    Ok(rows)
}

/// The periods a report compares with: 环比 and 同比.
fn bases(p: Period) -> (Period, Period) {
    (p.previous(), p.year_ago())
}
