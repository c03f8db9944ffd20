//! The ledger and the case list: cases streamed page by page (keyset cursors) into the
//! streaming XLSX writer, which runs on a blocking thread fed through a small channel, so
//! memory stays bounded whatever the row count.

use zongzhi_report::ReportError;
use zongzhi_report::xlsx::{Cell, TableOptions, TableWriter};

use super::filter::case_filter;
use super::parties::parties_of;
use super::rows::{case_row, columns, ledger_row};
use super::worker::{JobCtx, JobError};
use super::{ExportKind, MAX_ROWS, exports_dir};

/// Pages the channel holds ahead of the writer.
const PAGES_AHEAD: usize = 2;

/// The table's title row: `矛盾纠纷排查化解台账（东湖区 2026-11-01至2026-11-22）`.
fn title(ctx: &JobCtx<'_>) -> String {
    let p = &ctx.params;
    let period = match (p.from, p.to) {
        (Some(f), Some(t)) => format!(" {f}至{t}"),
        (Some(f), None) => format!(" {f}起"),
        (None, Some(t)) => format!(" 截至{t}"),
        (None, None) => String::new(),
    };
    format!("{}（{}{period}）", ctx.kind.label_zh(), p.org_unit_name)
}

/// Writes the table to the job's temporary file; answers the rows written.
pub(crate) async fn write(ctx: &JobCtx<'_>) -> Result<i64, JobError> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<Vec<Cell>>>(PAGES_AHEAD);
    let path = ctx.tmp.clone();
    let options = TableOptions {
        tempdir: Some(exports_dir(ctx.state)),
        ..Default::default()
    };
    let (sheet, title, cols) = (ctx.kind.label_zh(), title(ctx), columns(ctx.kind));
    let writer = tokio::task::spawn_blocking(move || -> Result<u64, ReportError> {
        let mut w = TableWriter::create_with_options(&path, sheet, Some(&title), cols, options)?;
        while let Some(page) = rx.blocking_recv() {
            for row in page {
                w.write_row(&row)?;
            }
        }
        w.finish()
    });
    let fed = feed(ctx, tx).await;
    // Always wait for the writer, so a retry never writes the same file beside it.
    let written = writer.await?;
    let rows = fed?;
    let written = written?;
    Ok(i64::try_from(written).unwrap_or(rows))
}

/// Reads every page and sends its rows to the writer; answers the rows sent.
async fn feed(
    ctx: &JobCtx<'_>,
    tx: tokio::sync::mpsc::Sender<Vec<Vec<Cell>>>,
) -> Result<i64, JobError> {
    let store = &ctx.state.store;
    let mut filter = case_filter(&ctx.params, &ctx.account);
    let total = ctx.job.total_rows.max(1);
    let mut sent: i64 = 0;
    loop {
        let page = store.list_cases(&ctx.scope, &filter).await?;
        if sent + page.items.len() as i64 > MAX_ROWS {
            return Err(JobError::Permanent("export_too_large"));
        }
        let rows: Vec<Vec<Cell>> = if ctx.kind == ExportKind::Ledger {
            let ids: Vec<i64> = page.items.iter().map(|c| c.id).collect();
            let parties = parties_of(store.as_ref(), &ctx.scope, &ids).await?;
            page.items
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let p = parties.get(&c.id).map(String::as_str).unwrap_or("");
                    ledger_row(sent + i as i64 + 1, c, p)
                })
                .collect()
        } else {
            page.items.iter().map(case_row).collect()
        };
        sent += rows.len() as i64;
        if tx.send(rows).await.is_err() {
            // The writer stopped; its own error is the one to report.
            return Ok(sent);
        }
        let progress = i32::try_from(sent.saturating_mul(100) / total).unwrap_or(99);
        ctx.progress(sent, progress).await?;
        match page.next_cursor {
            Some(c) => filter.cursor = Some(c),
            None => return Ok(sent),
        }
    }
}
