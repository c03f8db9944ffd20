//! Property tests of the calendar arithmetic.
#![allow(clippy::unwrap_used)]

use chrono::{NaiveDate, TimeZone, Timelike, Utc};
use proptest::prelude::*;

use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Day-by-day reference for `nth_working_day_after`.
fn walk(cal: &WorkCalendar, after: NaiveDate, n: u32) -> NaiveDate {
    let mut date = after;
    let mut left = n;
    while left > 0 {
        date = date.succ_opt().unwrap();
        if cal.is_working_day(date) {
            left -= 1;
        }
    }
    date
}

/// Any instant in 2024–2027 (UTC seconds).
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    let lo = Utc
        .with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
        .unwrap()
        .timestamp();
    let hi = Utc
        .with_ymd_and_hms(2028, 1, 1, 0, 0, 0)
        .unwrap()
        .timestamp();
    (lo..hi).prop_map(|s| DateTime::<Utc>::from_timestamp(s, 0).unwrap())
}

/// The builtin table plus random admin edits in 2024–2028.
fn calendar() -> impl Strategy<Value = WorkCalendar> {
    let edit = (0i64..5 * 366, any::<bool>()).prop_map(|(offset, holiday)| {
        let date = d(2024, 1, 1) + TimeDelta::days(offset);
        if holiday {
            DayOverride::holiday(date, "admin")
        } else {
            DayOverride::makeup_workday(date, "admin")
        }
    });
    prop::collection::vec(edit, 0..80)
        .prop_map(|edits| WorkCalendar::new(builtin_overrides().into_iter().chain(edits)))
}

proptest! {
    #[test]
    fn between_inverts_add(start in instant(), n in 0u32..200) {
        let cal = WorkCalendar::builtin();
        let due = cal.add_working_days(start, n);
        prop_assert_eq!(cal.working_days_between(start, due), i64::from(n));
        prop_assert_eq!(cal.working_days_between(due, start), -i64::from(n));
    }

    #[test]
    fn deadlines_fall_at_the_end_of_a_working_day(start in instant(), n in 1u32..200) {
        let cal = WorkCalendar::builtin();
        let due = cal.add_working_days(start, n);
        let local = due.with_timezone(&Shanghai);
        prop_assert!(cal.is_working_day(local.date_naive()));
        prop_assert!(local.date_naive() > local_date(start));
        prop_assert_eq!(
            (local.hour(), local.minute(), local.second(), local.nanosecond()),
            (23, 59, 59, 999_000_000)
        );
        prop_assert!(due < cal.add_working_days(start, n + 1));
    }

    /// Because a deadline lies on the day it names, chaining is exact.
    #[test]
    fn adding_composes(start in instant(), a in 0u32..100, b in 0u32..100) {
        let cal = WorkCalendar::builtin();
        prop_assert_eq!(
            cal.add_working_days(cal.add_working_days(start, a), b),
            cal.add_working_days(start, a + b)
        );
    }

    /// `between` is the floor-inverse of `add` for any later instant.
    #[test]
    fn between_brackets_any_instant(s in instant(), t in instant()) {
        let cal = WorkCalendar::builtin();
        let (s, t) = if s <= t { (s, t) } else { (t, s) };
        let k = cal.working_days_between(s, t);
        if t < cal.add_working_days(s, 0) {
            prop_assert_eq!(k, 0);
        } else {
            let k = u32::try_from(k).unwrap();
            prop_assert!(cal.add_working_days(s, k) <= t);
            prop_assert!(t < cal.add_working_days(s, k + 1));
        }
    }

    /// The week-jumping search agrees with walking day by day, whatever the admin edited.
    #[test]
    fn fast_paths_match_walking(cal in calendar(), start in instant(), n in 0u32..700) {
        let from = local_date(start);
        let due = cal.add_working_days(start, n);
        prop_assert_eq!(due, end_of_day(walk(&cal, from, n)));
        prop_assert_eq!(cal.working_days_between(start, due), i64::from(n));
    }
}

/// A minute-aligned instant in 2024–2027, so minute counts add up exactly.
fn minute() -> impl Strategy<Value = DateTime<Utc>> {
    instant().prop_map(|t| t.with_second(0).unwrap())
}

/// Day-by-day, minute-by-day reference for `working_minutes_between`.
fn minutes_walk(cal: &WorkCalendar, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    let mut total = 0;
    let mut t = from;
    while t < to {
        let day = local_day(t);
        let next = start_of_local_day(day.succ_opt().unwrap()).min(to);
        if cal.is_working_day(day) {
            total += (next - t).num_minutes();
        }
        t = next;
    }
    total
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Working minutes split at any middle instant add up, never exceed elapsed time, and
    /// agree with a day-by-day walk.
    #[test]
    fn working_minutes_add_up(cal in calendar(), a in minute(), b in minute(), c in minute()) {
        let mut v = [a, b, c];
        v.sort();
        let [s, m, e] = v;
        let whole = cal.working_minutes_between(s, e);
        prop_assert_eq!(whole, cal.working_minutes_between(s, m) + cal.working_minutes_between(m, e));
        prop_assert!(whole <= (e - s).num_minutes());
        prop_assert!(whole >= 0);
        prop_assert_eq!(cal.working_minutes_between(e, s), 0);
        if (e - s).num_days() < 120 {
            prop_assert_eq!(whole, minutes_walk(&cal, s, e));
        }
    }
}
