//! The export request as clients send it, its validation, and the parameters a job keeps.

use axum::http::StatusCode;
use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use zongzhi_core::calendar::local_day;
use zongzhi_core::case::{CaseStatus, Channel};
use zongzhi_core::metrics::{Metric, Period, PeriodError};
use zongzhi_store::StoreError;

use super::{ExportFormat, ExportKind};
use crate::auth::SessionCtx;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::state::AppState;

/// `POST /api/v1/exports` body (the console's form sends the same fields).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ExportRequest {
    /// `ledger` (矛盾纠纷排查化解台账), `cases` (the filtered case list), `daily`, `weekly`
    /// or `monthly`.
    pub kind: String,
    /// `xlsx` (default) or `pdf` (reports only).
    pub format: Option<String>,
    /// Org unit whose subtree to export (default: the caller's unit); must be in scope.
    pub org_unit: Option<i64>,
    /// First local date (YYYY-MM-DD, inclusive). Reports: daily = this day (default
    /// yesterday), monthly = this day's month (default the last whole month).
    pub from: Option<String>,
    /// Last local date (inclusive). Weekly: the 7 days ending here (default yesterday).
    pub to: Option<String>,
    /// Chinese full-text search over title, description and address.
    pub q: Option<String>,
    /// Statuses, comma-separated.
    pub status: Option<String>,
    /// Category code (a first-level code includes its children).
    pub category: Option<String>,
    /// Channel.
    pub channel: Option<String>,
    /// Only the cases a statistics figure counts (`closed`, `overdue`, …).
    pub metric: Option<String>,
    /// Led now (or last) by this department.
    pub lead_department: Option<i64>,
    /// Only cases now overdue (超期).
    pub overdue: Option<bool>,
    /// Only cases now in warning (预警).
    pub warning: Option<bool>,
    /// Only cases under 督办 now (`true`) or not (`false`).
    pub supervised: Option<bool>,
    /// Only cases my department or my unit (as a lower-tier center) holds now.
    pub mine: Option<bool>,
    /// Only cases I registered.
    pub mine_registered: Option<bool>,
}

/// What a job keeps of its request: validated values only, re-applied by the worker with
/// the requester's scope as it is when the job runs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExportParams {
    /// The subtree exported.
    pub org_unit_id: i64,
    /// Its name (for titles and the file name).
    pub org_unit_name: String,
    /// First day (reports: always set).
    pub from: Option<NaiveDate>,
    /// Last day (reports: always set).
    pub to: Option<NaiveDate>,
    /// Search text.
    pub q: Option<String>,
    /// Statuses.
    pub statuses: Vec<CaseStatus>,
    /// Category code.
    pub category: Option<String>,
    /// Channel.
    pub channel: Option<Channel>,
    /// Metric.
    pub metric: Option<Metric>,
    /// Lead department id.
    pub lead_department: Option<i64>,
    /// Overdue now.
    pub overdue: bool,
    /// Warning now.
    pub warning: bool,
    /// Under 督办 now.
    pub supervised: Option<bool>,
    /// Held by my department / unit.
    pub mine: bool,
    /// Registered by me.
    pub mine_registered: bool,
}

impl ExportParams {
    /// The filters for the audit row: codes and ids only. A search text may name a person,
    /// so only whether one was given is recorded.
    pub fn audit_detail(&self) -> serde_json::Value {
        serde_json::json!({
            "org_unit": self.org_unit_id,
            "from": self.from,
            "to": self.to,
            "q": self.q.is_some(),
            "statuses": self.statuses,
            "category": self.category,
            "channel": self.channel,
            "metric": self.metric,
            "lead_department": self.lead_department,
            "overdue": self.overdue,
            "warning": self.warning,
            "supervised": self.supervised,
            "mine": self.mine,
            "mine_registered": self.mine_registered,
        })
    }

    /// The report's period (set for every report at request time).
    pub fn period(&self) -> Option<Period> {
        Period::new(self.from?, self.to?).ok()
    }
}

/// A validated request.
#[derive(Debug, Clone)]
pub(crate) struct Validated {
    pub kind: ExportKind,
    pub format: ExportFormat,
    pub params: ExportParams,
}

/// Field errors, each with the problem code it stands for.
#[derive(Default)]
struct Errors(Vec<(&'static str, FieldError)>);

impl Errors {
    fn add(&mut self, top: &'static str, field: &str, code: &str, message: &str) {
        self.0.push((
            top,
            FieldError {
                field: field.to_owned(),
                code: code.to_owned(),
                message: message.to_owned(),
            },
        ));
    }

    fn invalid(&mut self, field: &str, code: &str, message: &str) {
        self.add("validation_failed", field, code, message);
    }

    fn period(&mut self, field: &str, message: &str) {
        self.add("invalid_period", field, "invalid_period", message);
    }

    /// 422: `invalid_period` or `unsupported_format` when every error is of that kind,
    /// `validation_failed` otherwise.
    fn finish(self) -> ApiResult<()> {
        let Some((first, _)) = self.0.first() else {
            return Ok(());
        };
        let code = if self.0.iter().all(|(t, _)| t == first) {
            *first
        } else {
            "validation_failed"
        };
        let mut e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code);
        e.errors = self.0.into_iter().map(|(_, f)| f).collect();
        Err(e)
    }
}

fn nonblank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn period_message(e: &PeriodError) -> &'static str {
    match e {
        PeriodError::Reversed => "结束日期不能早于开始日期",
        PeriodError::TooLong => "统计期间不能超过10年",
        PeriodError::OutOfRange => "日期超出可统计的范围（2000年至2100年）",
    }
}

fn parse_date(field: &str, s: &Option<String>, errs: &mut Errors) -> Option<NaiveDate> {
    let s = nonblank(s)?;
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) => {
            if let Err(e) = Period::new(d, d) {
                errs.period(field, period_message(&e));
                return None;
            }
            Some(d)
        }
        Err(_) => {
            errs.period(field, "日期格式应为YYYY-MM-DD");
            None
        }
    }
}

/// The first and last day of `d`'s month.
fn month_of(d: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let first = d.with_day(1)?;
    let last = first.checked_add_months(Months::new(1))?.pred_opt()?;
    Some((first, last))
}

/// The period a job covers: reports get their defaults, lists keep what was given.
fn period_of(
    kind: ExportKind,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    today: NaiveDate,
    errs: &mut Errors,
) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let yesterday = today.pred_opt().unwrap_or(today);
    let range = match kind {
        ExportKind::Ledger | ExportKind::Cases => match (from, to) {
            (Some(f), Some(t)) => Some((f, t)),
            _ => return (from, to),
        },
        ExportKind::Daily => {
            let d = from.or(to).unwrap_or(yesterday);
            Some((d, d))
        }
        ExportKind::Weekly => {
            let end = to
                .or_else(|| from.and_then(|f| f.checked_add_days(Days::new(6))))
                .unwrap_or(yesterday);
            end.checked_sub_days(Days::new(6)).map(|start| (start, end))
        }
        ExportKind::Monthly => match from.or(to) {
            Some(d) => month_of(d),
            None => today
                .with_day(1)
                .and_then(|d| d.pred_opt())
                .and_then(month_of),
        },
    };
    match range.map(|(f, t)| Period::new(f, t)) {
        Some(Ok(p)) => (Some(p.from), Some(p.to)),
        Some(Err(e)) => {
            errs.period("to", period_message(&e));
            (None, None)
        }
        None => {
            errs.period("from", "日期超出可统计的范围（2000年至2100年）");
            (None, None)
        }
    }
}

/// Checks a request for `ctx`: every bad field at once (422), an org unit outside the
/// caller's scope as 404.
pub(crate) async fn validate(
    state: &AppState,
    ctx: &SessionCtx,
    req: &ExportRequest,
) -> ApiResult<Validated> {
    let mut errs = Errors::default();
    let kind = ExportKind::parse(req.kind.trim());
    if kind.is_none() {
        errs.invalid(
            "kind",
            "kind_invalid",
            "导出类型无效（ledger、cases、daily、weekly、monthly）",
        );
    }
    let format = match nonblank(&req.format) {
        None => Some(ExportFormat::Xlsx),
        Some(f) => ExportFormat::parse(f),
    };
    match (kind, format) {
        (_, None) => errs.invalid("format", "format_invalid", "导出格式无效（xlsx 或 pdf）"),
        (Some(k), Some(f)) if !k.supports(f) => errs.add(
            "unsupported_format",
            "format",
            "unsupported_format",
            "台账和事件清单只能导出为Excel（xlsx）",
        ),
        _ => {}
    }
    let from = parse_date("from", &req.from, &mut errs);
    let to = parse_date("to", &req.to, &mut errs);
    let today = local_day(state.clock.now());
    let (from, to) = match kind {
        Some(k) => period_of(k, from, to, today, &mut errs),
        None => (from, to),
    };
    let statuses = match nonblank(&req.status) {
        None => Vec::new(),
        Some(s) => s
            .split(',')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .filter_map(|x| {
                let st = CaseStatus::parse(x);
                if st.is_none() {
                    errs.invalid("status", "status_invalid", "案件状态无效");
                }
                st
            })
            .collect(),
    };
    let category = match nonblank(&req.category) {
        None => None,
        Some(c) => match state.store.get_category(c).await {
            Ok(cat) => Some(cat.code),
            Err(StoreError::NotFound) => {
                errs.invalid("category", "category_invalid", "事件分类不存在");
                None
            }
            Err(e) => return Err(e.into()),
        },
    };
    let channel = nonblank(&req.channel).and_then(|c| {
        let ch = Channel::parse(c);
        if ch.is_none() {
            errs.invalid("channel", "channel_invalid", "来源渠道无效");
        }
        ch
    });
    let metric = nonblank(&req.metric).and_then(|m| {
        let me = Metric::parse(m);
        if me.is_none() {
            errs.invalid("metric", "metric_invalid", "统计指标无效");
        }
        me
    });
    let lead_department = req.lead_department.filter(|d| {
        if *d <= 0 {
            errs.invalid("lead_department", "id_invalid", "编号无效");
        }
        *d > 0
    });
    let overdue = req.overdue == Some(true);
    let warning = req.warning == Some(true);
    if overdue && warning {
        errs.invalid(
            "warning",
            "deadline_filter_conflict",
            "“已超期”与“即将超期”不能同时选择",
        );
    }
    errs.finish()?;
    let unit_id = req.org_unit.unwrap_or(ctx.account.org_unit_id);
    if unit_id <= 0 {
        return Err(ApiError::not_found());
    }
    let unit = state.store.get_org_unit(&ctx.scope(), unit_id).await?;
    let (Some(kind), Some(format)) = (kind, format) else {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ));
    };
    Ok(Validated {
        kind,
        format,
        params: ExportParams {
            org_unit_id: unit.id,
            org_unit_name: unit.name,
            from,
            to,
            q: nonblank(&req.q).map(str::to_owned),
            statuses,
            category,
            channel,
            metric,
            lead_department,
            overdue,
            warning,
            supervised: req.supervised,
            mine: req.mine == Some(true),
            mine_registered: req.mine_registered == Some(true),
        },
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn report_periods_default() {
        let today = d("2026-11-22");
        let mut e = Errors::default();
        let p = |k, f, t, e: &mut Errors| period_of(k, f, t, today, e);
        assert_eq!(
            p(ExportKind::Daily, None, None, &mut e),
            (Some(d("2026-11-21")), Some(d("2026-11-21")))
        );
        assert_eq!(
            p(ExportKind::Weekly, None, Some(d("2026-11-22")), &mut e),
            (Some(d("2026-11-16")), Some(d("2026-11-22")))
        );
        assert_eq!(
            p(ExportKind::Monthly, None, None, &mut e),
            (Some(d("2026-10-01")), Some(d("2026-10-31")))
        );
        assert_eq!(
            p(ExportKind::Monthly, Some(d("2024-02-10")), None, &mut e),
            (Some(d("2024-02-01")), Some(d("2024-02-29")))
        );
        assert_eq!(p(ExportKind::Ledger, None, None, &mut e), (None, None));
        assert!(e.0.is_empty());
        p(
            ExportKind::Ledger,
            Some(d("2026-11-22")),
            Some(d("2026-11-01")),
            &mut e,
        );
        assert_eq!(e.0.len(), 1);
        assert!(e.finish().is_err_and(|e| e.code == "invalid_period"));
    }

    #[test]
    fn mixed_errors_are_validation_failed() {
        let mut e = Errors::default();
        e.period("from", "x");
        e.invalid("kind", "kind_invalid", "y");
        assert!(e.finish().is_err_and(|e| e.code == "validation_failed"));
    }
}
