//! The working-time calendar (工作日历): dated entries on top of the weekday rule — 法定
//! 节假日 (days off, even on a weekday) and 调休上班日 (weekend days worked).

use axum::http::StatusCode;
use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};
use serde_json::json;
use zongzhi_core::calendar::{DayKind, DayOverride};
use zongzhi_store::{CalendarFilter, CalendarRow, StoreError};

use super::{require_manage, require_read};
use crate::auth::SessionCtx;
use crate::error::{ApiError, ApiResult, Validation};
use crate::state::AppState;

/// Earliest year the calendar may hold.
pub const YEAR_MIN: i32 = 2000;
/// Latest year the calendar may hold.
pub const YEAR_MAX: i32 = 2100;
/// Longest entry name, in characters.
pub const NAME_MAX: usize = 32;
/// Marks an entry not yet confirmed by the State Council's notice (2027 in the shipped
/// table): the name carries it.
pub const PROVISIONAL_MARK: &str = "预排";

/// Stable identifier of a day kind.
pub fn kind_str(kind: DayKind) -> &'static str {
    match kind {
        DayKind::Holiday => "holiday",
        DayKind::MakeupWorkday => "makeup_workday",
    }
}

/// Chinese name of a day kind.
pub fn kind_label(kind: DayKind) -> &'static str {
    match kind {
        DayKind::Holiday => "法定节假日",
        DayKind::MakeupWorkday => "调休上班日",
    }
}

/// Every kind, in display order.
pub const KINDS: [DayKind; 2] = [DayKind::Holiday, DayKind::MakeupWorkday];

/// Parses a kind identifier.
pub fn parse_kind(s: &str) -> Option<DayKind> {
    KINDS.into_iter().find(|k| kind_str(*k) == s)
}

/// Whether an entry is provisional (its name says 预排).
pub fn is_provisional(day: &DayOverride) -> bool {
    day.name.contains(PROVISIONAL_MARK)
}

/// The Asia/Shanghai year of `t`.
pub fn local_year(t: DateTime<Utc>) -> i32 {
    t.with_timezone(&chrono_tz::Asia::Shanghai).year()
}

/// One calendar entry.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CalendarDayView {
    /// Local (Asia/Shanghai) date.
    pub date: NaiveDate,
    /// `holiday` (法定节假日: no work, even on a weekday) or `makeup_workday` (调休上班日:
    /// a Saturday or Sunday that is worked).
    pub kind: String,
    /// The festival it belongs to, e.g. `国庆节`.
    pub name: String,
    /// Not yet confirmed by the State Council's notice (the name says 预排).
    pub provisional: bool,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
}

impl From<CalendarRow> for CalendarDayView {
    fn from(r: CalendarRow) -> Self {
        Self {
            provisional: is_provisional(&r.day),
            date: r.day.date,
            kind: kind_str(r.day.kind).to_owned(),
            name: r.day.name,
            updated_at: r.updated_at,
        }
    }
}

/// Query of the calendar list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct CalendarQuery {
    /// Year (2000–2100); default: the current year in Asia/Shanghai.
    pub year: Option<i32>,
}

/// Sets a day.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct PutCalendarDayRequest {
    /// `holiday` or `makeup_workday` (only on a Saturday or Sunday).
    pub kind: String,
    /// The festival, 1–32 characters, e.g. `春节`.
    pub name: String,
}

type FieldResult<T> = Result<T, (&'static str, &'static str)>;

fn check_year(year: i32) -> FieldResult<i32> {
    if (YEAR_MIN..=YEAR_MAX).contains(&year) {
        Ok(year)
    } else {
        Err(("year_invalid", "年份须在2000至2100之间"))
    }
}

/// Parses `YYYY-MM-DD` within the calendar's years.
pub fn parse_date(s: &str) -> FieldResult<NaiveDate> {
    let bad = (
        "date_invalid",
        "日期格式应为 YYYY-MM-DD，年份在2000至2100之间",
    );
    let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| bad)?;
    check_year(d.year()).map(|_| d).map_err(|_| bad)
}

fn parse_name(s: &str) -> FieldResult<String> {
    let s = s.trim();
    let n = s.chars().count();
    if n == 0 || n > NAME_MAX || s.chars().any(char::is_control) {
        Err(("name_invalid", "名称须为1至32个字符（如“春节”）"))
    } else {
        Ok(s.to_owned())
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The entries of `year` in date order (case workers and the system admin).
pub async fn list_calendar_as(
    state: &AppState,
    ctx: &SessionCtx,
    year: Option<i32>,
) -> ApiResult<Vec<CalendarRow>> {
    require_read(ctx)?;
    let year = year.unwrap_or_else(|| local_year(state.clock.now()));
    let mut v = Validation::default();
    let year = v.check("year", check_year(year));
    v.finish()?;
    let Some((from, to)) = year.and_then(|y| {
        Some((
            NaiveDate::from_ymd_opt(y, 1, 1)?,
            NaiveDate::from_ymd_opt(y, 12, 31)?,
        ))
    }) else {
        return Err(ApiError::field("year", "year_invalid", "年份无效"));
    };
    let filter = CalendarFilter {
        from: Some(from),
        to: Some(to),
    };
    Ok(state.store.list_calendar(filter).await?)
}

/// The stored entry for `date`, if any.
async fn entry(state: &AppState, date: NaiveDate) -> ApiResult<Option<CalendarRow>> {
    let filter = CalendarFilter {
        from: Some(date),
        to: Some(date),
    };
    Ok(state.store.list_calendar(filter).await?.into_iter().next())
}

fn previous(row: Option<&CalendarRow>) -> serde_json::Value {
    row.map_or(
        serde_json::Value::Null,
        |r| json!({ "kind": kind_str(r.day.kind), "name": r.day.name }),
    )
}

/// Sets the entry for `date` (system admin at the top of the tree); every field error at
/// once.
pub async fn put_calendar_day_as(
    state: &AppState,
    ctx: &SessionCtx,
    date: &str,
    req: PutCalendarDayRequest,
) -> ApiResult<CalendarRow> {
    require_manage(ctx)?;
    let mut v = Validation::default();
    let date = v.check("date", parse_date(date));
    let kind = v.check(
        "kind",
        parse_kind(req.kind.trim()).ok_or(("kind_invalid", "请选择类型：法定节假日或调休上班日")),
    );
    if let (Some(d), Some(DayKind::MakeupWorkday)) = (date, kind)
        && !is_weekend(d)
    {
        v.check::<()>(
            "kind",
            Err((
                "makeup_on_weekday",
                "调休上班日须为周六或周日（周一至周五本来就上班）",
            )),
        );
    }
    let name = v.check("name", parse_name(&req.name));
    v.finish()?;
    let (Some(date), Some(kind), Some(name)) = (date, kind, name) else {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ));
    };
    let before = entry(state, date).await?;
    let day = DayOverride { date, kind, name };
    let audit = ctx
        .audit("calendar.put", "calendar_day")
        .target(date)
        .detail(json!({
            "date": date,
            "kind": kind_str(day.kind),
            "name": day.name,
            "previous": previous(before.as_ref()),
        }));
    Ok(state.store.put_calendar_day(day, audit).await?)
}

/// Removes the entry for `date`, so the weekday rule applies again (system admin at the
/// top of the tree); 404 when there is none.
pub async fn remove_calendar_day_as(
    state: &AppState,
    ctx: &SessionCtx,
    date: &str,
) -> ApiResult<()> {
    require_manage(ctx)?;
    let mut v = Validation::default();
    let date = v.check("date", parse_date(date));
    v.finish()?;
    let Some(date) = date else {
        return Err(ApiError::field("date", "date_invalid", "日期无效"));
    };
    let Some(before) = entry(state, date).await? else {
        return Err(ApiError::not_found());
    };
    let audit = ctx
        .audit("calendar.remove", "calendar_day")
        .target(date)
        .detail(json!({ "date": date, "previous": previous(Some(&before)) }));
    match state.store.remove_calendar_day(date, audit).await {
        Err(StoreError::NotFound) => Err(ApiError::not_found()),
        other => Ok(other?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_names_and_kinds() {
        assert_eq!(
            parse_date(" 2026-10-01 ").ok(),
            NaiveDate::from_ymd_opt(2026, 10, 1)
        );
        for bad in [
            "2026-13-01",
            "2026/10/01",
            "1999-12-31",
            "2101-01-01",
            "",
            "x",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_name(" 春节 ").as_deref(), Ok("春节"));
        assert!(parse_name("").is_err());
        assert!(parse_name(&"节".repeat(33)).is_err());
        for k in KINDS {
            assert_eq!(parse_kind(kind_str(k)), Some(k));
        }
        assert!(parse_kind("weekend").is_none());
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap_or_default();
        assert!(is_weekend(d(9, 20)));
        assert!(!is_weekend(d(10, 1)));
        assert!(is_provisional(&DayOverride::holiday(
            d(1, 1),
            "春节（预排）"
        )));
        assert!(!is_provisional(&DayOverride::holiday(d(1, 1), "春节")));
    }
}
