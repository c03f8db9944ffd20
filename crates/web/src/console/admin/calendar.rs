//! 工作日历: a year at a glance (12 month grids with 法定节假日 and 调休上班日 marked and
//! weekends shaded), the year's entries, and a form to set or remove a day.

use askama::Template;
use axum::extract::State;
use axum::response::Redirect;
use chrono::{Datelike, NaiveDate, Weekday};
use zongzhi_core::calendar::{DayKind, WorkCalendar};
use zongzhi_store::CalendarRow;

use super::{FormErrors, NoticeQuery, Opt, fmt_time, form_errors, opts, page};
use crate::api::audited;
use crate::auth::CurrentUser;
use crate::console::{ConsoleResult, Layout};
use crate::error::ApiError;
use crate::extract::{ApiForm, ApiQuery};
use crate::state::AppState;
use crate::timing::calendar::{
    KINDS, YEAR_MAX, YEAR_MIN, is_provisional, kind_label, kind_str, local_year, parse_date,
};
use crate::timing::{
    PutCalendarDayRequest, can_manage, list_calendar_as, load_calendar, put_calendar_day_as,
    remove_calendar_day_as,
};

const BASE: &str = "/admin/calendar";
const TITLE: &str = "工作日历";
const KEY: &str = "calendar";
const FIELDS: &[&str] = &["date", "kind", "name"];
const WEEKDAYS: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];

/// `?year=2026&date=2026-10-01&notice=…` (`date`: a day clicked in the grid, to edit).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(super) struct YearQuery {
    year: Option<String>,
    date: Option<String>,
    #[serde(flatten)]
    notice: NoticeQuery,
}

/// The set/remove form as submitted (kept on errors).
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub(super) struct DayForm {
    date: String,
    kind: String,
    name: String,
    /// `put` (保存) or `remove` (删除该日设置): the button pressed.
    op: String,
    /// The year shown, to return to.
    year: String,
}

/// One day of a month grid; `day == 0` pads the first and last week.
#[derive(Debug)]
struct Cell {
    day: u32,
    date: String,
    class: String,
    title: String,
    /// 休 or 班 under the number.
    mark: &'static str,
}

#[derive(Debug)]
struct Month {
    number: u32,
    working_days: usize,
    weeks: Vec<Vec<Cell>>,
}

/// One row of the entry list.
#[derive(Debug)]
struct Entry {
    date: String,
    weekday: &'static str,
    kind: &'static str,
    kind_code: &'static str,
    name: String,
    provisional: bool,
    updated_at: String,
}

#[derive(Template)]
#[template(path = "admin/calendar.html")]
struct CalendarPage {
    layout: Layout,
    year: i32,
    prev: Option<i32>,
    next: Option<i32>,
    months: Vec<Month>,
    working_days: usize,
    holidays: usize,
    makeup_days: usize,
    provisional: bool,
    entries: Vec<Entry>,
    can_manage: bool,
    weekdays: [&'static str; 7],
    form: DayForm,
    kinds: Vec<Opt>,
    errors: FormErrors,
}

fn weekday_zh(d: NaiveDate) -> &'static str {
    WEEKDAYS
        .get(d.weekday().num_days_from_monday() as usize)
        .copied()
        .unwrap_or("")
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

fn cell(d: NaiveDate, cal: &WorkCalendar, today: NaiveDate) -> Cell {
    let mut class = vec!["cal-day"];
    if is_weekend(d) {
        class.push("cal-weekend");
    }
    let (mark, title) = match cal.override_for(d) {
        Some(o) => {
            class.push(match o.kind {
                DayKind::Holiday => "cal-holiday",
                DayKind::MakeupWorkday => "cal-makeup",
            });
            if is_provisional(o) {
                class.push("cal-provisional");
            }
            let mark = match o.kind {
                DayKind::Holiday => "休",
                DayKind::MakeupWorkday => "班",
            };
            (mark, format!("{} {}（{}）", d, o.name, kind_label(o.kind)))
        }
        None => ("", d.to_string()),
    };
    if d == today {
        class.push("cal-today");
    }
    Cell {
        day: d.day(),
        date: d.to_string(),
        class: class.join(" "),
        title,
        mark,
    }
}

fn blank() -> Cell {
    Cell {
        day: 0,
        date: String::new(),
        class: "cal-pad".to_owned(),
        title: String::new(),
        mark: "",
    }
}

/// The month grid, weeks from Monday.
fn month(year: i32, number: u32, cal: &WorkCalendar, today: NaiveDate) -> Month {
    let mut weeks = Vec::new();
    let mut week: Vec<Cell> = Vec::new();
    let mut working_days = 0;
    if let Some(first) = NaiveDate::from_ymd_opt(year, number, 1) {
        for _ in 0..first.weekday().num_days_from_monday() {
            week.push(blank());
        }
        for d in first.iter_days().take_while(|d| d.month() == number) {
            if cal.is_working_day(d) {
                working_days += 1;
            }
            week.push(cell(d, cal, today));
            if week.len() == 7 {
                weeks.push(std::mem::take(&mut week));
            }
        }
    }
    if !week.is_empty() {
        while week.len() < 7 {
            week.push(blank());
        }
        weeks.push(week);
    }
    Month {
        number,
        working_days,
        weeks,
    }
}

fn entry(r: CalendarRow) -> Entry {
    Entry {
        date: r.day.date.to_string(),
        weekday: weekday_zh(r.day.date),
        kind: kind_label(r.day.kind),
        kind_code: kind_str(r.day.kind),
        provisional: is_provisional(&r.day),
        name: r.day.name,
        updated_at: fmt_time(r.updated_at),
    }
}

/// The year asked for: blank is the current year; anything else must be a year in range.
fn parse_year(s: Option<&str>, current: i32) -> Result<i32, ApiError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(current),
        Some(s) => s
            .parse::<i32>()
            .ok()
            .filter(|y| (YEAR_MIN..=YEAR_MAX).contains(y))
            .ok_or_else(|| ApiError::field("year", "year_invalid", "年份须在2000至2100之间")),
    }
}

async fn calendar_page(
    state: &AppState,
    user: &CurrentUser,
    year: i32,
    notice: Option<String>,
    form: DayForm,
    errors: FormErrors,
) -> ConsoleResult {
    let rows = list_calendar_as(state, user, Some(year)).await?;
    let cal = load_calendar(state).await?;
    let today = state
        .clock
        .now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let months: Vec<Month> = (1..=12).map(|m| month(year, m, &cal, today)).collect();
    let count = |k: DayKind| rows.iter().filter(|r| r.day.kind == k).count();
    let p = CalendarPage {
        layout: Layout::new(user, TITLE, KEY).with_notice(notice),
        year,
        prev: Some(year - 1).filter(|y| *y >= YEAR_MIN),
        next: Some(year + 1).filter(|y| *y <= YEAR_MAX),
        working_days: months.iter().map(|m| m.working_days).sum(),
        holidays: count(DayKind::Holiday),
        makeup_days: count(DayKind::MakeupWorkday),
        provisional: rows.iter().any(|r| is_provisional(&r.day)),
        months,
        entries: rows.into_iter().map(entry).collect(),
        can_manage: can_manage(user),
        weekdays: WEEKDAYS,
        kinds: opts(
            KINDS.iter().map(|k| (kind_str(*k), kind_label(*k))),
            &form.kind,
        ),
        form,
        errors,
    };
    Ok(page(&p, &p.errors))
}

/// The notice after a redirect: the admin's codes, plus `removed`.
fn notice_text(n: &NoticeQuery) -> Option<String> {
    match n.notice.as_deref() {
        Some("removed") => Some("已删除该日设置，恢复按星期计算".to_owned()),
        _ => n.text(),
    }
}

/// `GET /admin/calendar?year=2026`
pub(super) async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    q: Result<ApiQuery<YearQuery>, ApiError>,
) -> ConsoleResult {
    let ApiQuery(q) = q?;
    let year = parse_year(q.year.as_deref(), local_year(state.clock.now()))?;
    let mut form = DayForm {
        year: year.to_string(),
        ..DayForm::default()
    };
    // A day clicked in the grid: the form starts from what the calendar says about it.
    if let Some(date) = q.date.as_deref().and_then(|d| parse_date(d).ok()) {
        form.date = date.to_string();
        if let Some(o) = load_calendar(&state).await?.override_for(date) {
            form.kind = kind_str(o.kind).to_owned();
            form.name = o.name.clone();
        }
    }
    let notice = notice_text(&q.notice);
    calendar_page(&state, &user, year, notice, form, FormErrors::default()).await
}

/// `POST /admin/calendar`: sets (`op=put`) or removes (`op=remove`) the entry for a date.
pub(super) async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    form: Result<ApiForm<DayForm>, ApiError>,
) -> ConsoleResult {
    let ApiForm(f) = form?;
    let current = local_year(state.clock.now());
    let shown = parse_year(Some(&f.year), current).unwrap_or(current);
    let result = if f.op == "remove" {
        remove_calendar_day_as(&state, &user, &f.date)
            .await
            .map(|()| None)
    } else {
        let req = PutCalendarDayRequest {
            kind: f.kind.clone(),
            name: f.name.clone(),
        };
        put_calendar_day_as(&state, &user, &f.date, req)
            .await
            .map(|r| Some(r.day.date))
    };
    match result {
        Ok(set) => {
            let (year, notice) = match set {
                Some(d) => (d.year(), "updated"),
                None => (shown, "removed"),
            };
            let anchor = set.map(|d| format!("#day-{d}")).unwrap_or_default();
            Ok(audited(Redirect::to(&format!(
                "{BASE}?year={year}&notice={notice}{anchor}"
            ))))
        }
        Err(e) if e.status.as_u16() == 404 => {
            let mut errors = FormErrors::default();
            errors.set("date", "该日期没有设置，无需删除");
            calendar_page(&state, &user, shown, None, f, errors).await
        }
        Err(e) => {
            let errors = form_errors(e, FIELDS)?;
            calendar_page(&state, &user, shown, None, f, errors).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn october_2026_grid() {
        let cal = WorkCalendar::builtin();
        let today = NaiveDate::MIN;
        let m = month(2026, 10, &cal, today);
        // 2026-10-01 is a Thursday: three pads, then 1 … 31 over five weeks.
        assert_eq!(m.weeks.len(), 5);
        assert!(m.weeks.iter().all(|w| w.len() == 7));
        assert_eq!(m.weeks[0][3].day, 1);
        assert!(m.weeks[0][3].class.contains("cal-holiday"));
        // 10-10 (Saturday) is a 调休上班日.
        let sat = m.weeks[1].iter().find(|c| c.day == 10);
        assert!(sat.is_some_and(|c| c.class.contains("cal-makeup") && c.mark == "班"));
        // 31 days, 7 off on 10-01..07 (5 weekdays among them), 10-10 worked.
        assert_eq!(m.working_days, 22 - 5 + 1);
        let cny = month(2027, 2, &cal, today);
        assert!(
            cny.weeks
                .iter()
                .flatten()
                .any(|c| c.class.contains("cal-provisional"))
        );
        assert_eq!(parse_year(None, 2026).ok(), Some(2026));
        assert!(parse_year(Some("1999"), 2026).is_err());
        assert!(parse_year(Some("x"), 2026).is_err());
    }
}
