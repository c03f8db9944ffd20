//! The working-time calendar for case time limits (办理时限).
//!
//! A day is a working day when it is Monday–Friday and not a 法定节假日, or a Saturday or
//! Sunday declared a 调休上班日. The yearly table of such days ships for 2024–2027
//! ([`builtin_overrides`]) and the administrator edits on top of it ([`WorkCalendar::new`]).
//!
//! Every rule here works on local dates in Asia/Shanghai, whatever instant it is given.
//!
//! **Working-day deadlines.** A limit of N working days from an event at instant T ends at the
//! end of the N-th working day strictly after T's local date: the day of the event never
//! counts, whatever the hour. "The end" is the last millisecond of that day,
//! 23:59:59.999 Asia/Shanghai, so the deadline's own local date is the day it falls due and a
//! case is overdue once the clock is *past* it. For N = 0 it is the end of T's own local
//! date (当日). Examples: an event on Friday evening with N = 1 is due at the end of Monday
//! when Monday is a working day; an event on 2026-09-30 with N = 1 is due at the end of
//! 2026-10-08, after the 国庆节 break.
//!
//! Arithmetic saturates: a deadline beyond what a date can hold is
//! [`DateTime::<Utc>::MAX_UTC`].

#[cfg(test)]
mod props;
mod table;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::ops::Bound;

use chrono::{
    DateTime, Datelike, Days, NaiveDate, NaiveDateTime, Offset, TimeDelta, TimeZone, Utc,
};
use chrono_tz::Asia::Shanghai;
use serde::{Deserialize, Serialize};

/// What a dated entry in the holiday table does to that day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// 法定节假日 (or a day of its 放假调休 run): no work, even on a weekday.
    Holiday,
    /// 调休上班日: a Saturday or Sunday that is worked.
    MakeupWorkday,
}

/// One dated entry of the holiday table, shipped or set by the administrator.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct DayOverride {
    /// The local (Asia/Shanghai) date.
    pub date: NaiveDate,
    /// Day off or day worked.
    pub kind: DayKind,
    /// The festival it belongs to, e.g. "国庆节"; shown to users.
    pub name: String,
}

impl DayOverride {
    /// A 法定节假日 on `date`.
    pub fn holiday(date: NaiveDate, name: impl Into<String>) -> Self {
        Self {
            date,
            kind: DayKind::Holiday,
            name: name.into(),
        }
    }

    /// A 调休上班日 on `date`.
    pub fn makeup_workday(date: NaiveDate, name: impl Into<String>) -> Self {
        Self {
            date,
            kind: DayKind::MakeupWorkday,
            name: name.into(),
        }
    }
}

/// The official PRC holiday schedule for 2024–2027, one entry per day, in date order.
///
/// 2024–2026 are the State Council General Office notices (国务院办公厅关于20XX年部分节假日
/// 安排的通知) day for day: every 放假 day and every 调休 weekend day worked. 2027's notice was
/// not out when this table was written; its entries are a reconstruction under the 2025
/// rules and their names end in "（预排）" — the administrator should check them against the
/// notice when it is published (normally in November 2026).
pub fn builtin_overrides() -> Vec<DayOverride> {
    let mut out = Vec::new();
    for span in table::BUILTIN {
        let mut date = span.from;
        while date <= span.to {
            out.push(DayOverride {
                date,
                kind: span.kind,
                name: span.name.to_owned(),
            });
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
    }
    out
}

/// How a time limit is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitUnit {
    /// 工作日: on the [`WorkCalendar`], ending at the end of a local day.
    WorkingDays,
    /// 小时 of elapsed time, e.g. 12345 urgent: 2 h.
    NaturalHours,
    /// 自然日 of elapsed time: exactly `amount` × 24 h after the event.
    NaturalDays,
}

/// Working days and holidays: weekdays work, weekends rest, unless a [`DayOverride`] says
/// otherwise. All dates are local to Asia/Shanghai; see the module docs for the deadline rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkCalendar {
    overrides: BTreeMap<NaiveDate, DayOverride>,
}

impl WorkCalendar {
    /// The calendar of [`builtin_overrides`].
    pub fn builtin() -> Self {
        Self::new(builtin_overrides())
    }

    /// A calendar from `overrides`; a later entry for the same date replaces an earlier one,
    /// so the administrator's edits go after the builtin table.
    pub fn new(overrides: impl IntoIterator<Item = DayOverride>) -> Self {
        let mut map = BTreeMap::new();
        for o in overrides {
            map.insert(o.date, o);
        }
        Self { overrides: map }
    }

    /// The entry in force for `date`, if the table has one.
    pub fn override_for(&self, date: NaiveDate) -> Option<&DayOverride> {
        self.overrides.get(&date)
    }

    /// Every entry in force, in date order.
    pub fn overrides(&self) -> impl Iterator<Item = &DayOverride> {
        self.overrides.values()
    }

    /// Whether `date` is worked: Monday–Friday unless a [`DayKind::Holiday`]; Saturday and
    /// Sunday only when a [`DayKind::MakeupWorkday`].
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.overrides.get(&date).map(|o| o.kind) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::MakeupWorkday) => true,
            None => is_weekday(date),
        }
    }

    /// The deadline `n` working days after `start`: the end (23:59:59.999 Asia/Shanghai) of
    /// the `n`-th working day strictly after `start`'s local date; for `n = 0`, the end of
    /// that date itself. So a Friday-evening event with `n = 1` is due at the end of Monday
    /// (when Monday is worked).
    ///
    /// For every `a` and `b`, `add_working_days(add_working_days(s, a), b)` equals
    /// `add_working_days(s, a + b)`, since a deadline lies on the day it names. For `n ≥ 1`
    /// the deadline's local date is a working day. Saturates at [`DateTime::<Utc>::MAX_UTC`].
    pub fn add_working_days(&self, start: DateTime<Utc>, n: u32) -> DateTime<Utc> {
        self.nth_working_day_after(local_date(start), n)
            .map_or(DateTime::<Utc>::MAX_UTC, end_of_day)
    }

    /// The number of working days from `from` to `to`, the inverse of
    /// [`add_working_days`](Self::add_working_days): the working days strictly after
    /// `from`'s local date that have ended (see the deadline rule) by `to`. Negative, with
    /// the same magnitude, when `to` is before `from`.
    ///
    /// `working_days_between(s, add_working_days(s, n)) == n`, and for every
    /// `t ≥ add_working_days(s, 0)`, with `k = working_days_between(s, t)`:
    /// `add_working_days(s, k) ≤ t < add_working_days(s, k + 1)`. With `from` = now and `to`
    /// = a deadline it gives the working days left after today; with `from` = a passed
    /// deadline and `to` = now, the working days overdue.
    pub fn working_days_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        if to < from {
            return -self.working_days_between(to, from);
        }
        let first = local_date(from);
        let mut last = local_date(to);
        if to < end_of_day(last) {
            match last.pred_opt() {
                Some(prev) => last = prev,
                None => return 0,
            }
        }
        self.count_working(first, last)
    }

    /// The deadline `amount` `unit`s after `start`: [`add_working_days`](Self::add_working_days)
    /// for working days, plain elapsed time (`amount` × 1 h or × 24 h) for natural units.
    /// Saturates at [`DateTime::<Utc>::MAX_UTC`].
    pub fn deadline(&self, start: DateTime<Utc>, amount: u32, unit: LimitUnit) -> DateTime<Utc> {
        let elapsed = match unit {
            LimitUnit::WorkingDays => return self.add_working_days(start, amount),
            LimitUnit::NaturalHours => TimeDelta::try_hours(i64::from(amount)),
            LimitUnit::NaturalDays => TimeDelta::try_days(i64::from(amount)),
        };
        elapsed
            .and_then(|d| start.checked_add_signed(d))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// Working time from `from` to `to` in minutes: the elapsed time that falls on working
    /// days (whole local days, 00:00–24:00 Asia/Shanghai), so weekends, holidays and 调休
    /// days off do not count and make-up working days do. 0 when `to` is not after `from`.
    /// Used for the average time to accept and to close (平均签收/办结用时).
    pub fn working_minutes_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        if to <= from {
            return 0;
        }
        let (first, last) = (local_date(from), local_date(to));
        if first == last {
            return if self.is_working_day(first) {
                (to - from).num_minutes()
            } else {
                0
            };
        }
        let mut minutes = 0;
        if self.is_working_day(first) {
            let next = first.succ_opt().map_or(to, start_of_local_day);
            minutes += (next - from).num_minutes();
        }
        if self.is_working_day(last) {
            minutes += (to - start_of_local_day(last)).num_minutes();
        }
        if let Some(before_last) = last.pred_opt() {
            minutes += self.count_working(first, before_last) * MINUTES_PER_DAY;
        }
        minutes
    }

    /// Working days in `(after, upto]`; 0 when the range is empty.
    fn count_working(&self, after: NaiveDate, upto: NaiveDate) -> i64 {
        if upto <= after {
            return 0;
        }
        let mut count = weekdays_through(upto) - weekdays_through(after);
        let range = (Bound::Excluded(after), Bound::Included(upto));
        for (date, o) in self.overrides.range(range) {
            match (o.kind, is_weekday(*date)) {
                (DayKind::Holiday, true) => count -= 1,
                (DayKind::MakeupWorkday, false) => count += 1,
                _ => {}
            }
        }
        count
    }

    /// The `n`-th working day strictly after `after` (`after` itself for `n = 0`); `None`
    /// past the last representable date.
    fn nth_working_day_after(&self, after: NaiveDate, n: u32) -> Option<NaiveDate> {
        let mut date = after;
        let mut remaining = i64::from(n);
        while remaining > 0 {
            // Far away: jump whole weeks that hold fewer working days than remain (5 a week
            // less holidays, plus make-up days, which could overshoot — then walk instead).
            if remaining >= 15 {
                let weeks = remaining / 5 - 2;
                let next = date.checked_add_days(Days::new(weeks.unsigned_abs() * 7))?;
                let worked = self.count_working(date, next);
                if worked <= remaining {
                    date = next;
                    remaining -= worked;
                    continue;
                }
            }
            date = date.succ_opt()?;
            if self.is_working_day(date) {
                remaining -= 1;
            }
        }
        Some(date)
    }
}

/// Monday to Friday.
fn is_weekday(date: NaiveDate) -> bool {
    date.weekday().num_days_from_monday() < 5
}

/// Monday–Friday days from a fixed Monday up to and including `date`, as a prefix sum:
/// the difference of two values counts the weekdays between them.
fn weekdays_through(date: NaiveDate) -> i64 {
    // 0001-01-01 (day 1 of the common era) is a Monday; `m` counts days from it to `date`
    // inclusive.
    let m = i64::from(date.num_days_from_ce());
    m.div_euclid(7) * 5 + m.rem_euclid(7).min(5)
}

/// Minutes in a local day (China has kept UTC+8 all year since 1991).
const MINUTES_PER_DAY: i64 = 24 * 60;

/// The Asia/Shanghai date of `t` (the day a case counts on in statistics).
pub fn local_day(t: DateTime<Utc>) -> NaiveDate {
    local_date(t)
}

/// 00:00 of `date` in Asia/Shanghai, as UTC: the start of a statistics day.
pub fn start_of_local_day(date: NaiveDate) -> DateTime<Utc> {
    local_to_utc(date.and_time(chrono::NaiveTime::MIN))
}

/// The Asia/Shanghai date of `t`.
fn local_date(t: DateTime<Utc>) -> NaiveDate {
    let offset = Shanghai.offset_from_utc_datetime(&t.naive_utc()).fix();
    t.naive_utc()
        .checked_add_signed(TimeDelta::seconds(i64::from(offset.local_minus_utc())))
        .map_or(NaiveDate::MAX, |local| local.date())
}

/// The last millisecond of `date` in Asia/Shanghai, as UTC.
fn end_of_day(date: NaiveDate) -> DateTime<Utc> {
    match date.and_hms_milli_opt(23, 59, 59, 999) {
        Some(local) => local_to_utc(local),
        None => DateTime::<Utc>::MAX_UTC,
    }
}

/// A wall-clock time in Asia/Shanghai as UTC: the later instant when the clock ran twice
/// (a DST fold, last in 1991), or read as UTC+8 if the clock skipped it.
fn local_to_utc(local: NaiveDateTime) -> DateTime<Utc> {
    match Shanghai.from_local_datetime(&local).latest() {
        Some(t) => t.with_timezone(&Utc),
        None => local
            .checked_sub_signed(TimeDelta::hours(8))
            .map_or(DateTime::<Utc>::MAX_UTC, |utc| Utc.from_utc_datetime(&utc)),
    }
}
