//! Fixed cases: the notices, the deadline rule, admin edits, serde.
#![allow(clippy::unwrap_used)]

use chrono::{Datelike, NaiveDate, TimeZone, Utc, Weekday};

use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// An instant given as Asia/Shanghai wall-clock time.
fn sh(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
    Shanghai
        .with_ymd_and_hms(y, m, day, h, min, 0)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

/// The end of `date` in Asia/Shanghai, spelled out.
fn eod(y: i32, m: u32, day: u32) -> DateTime<Utc> {
    sh(y, m, day, 23, 59) + TimeDelta::milliseconds(59_999)
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn year(cal: &WorkCalendar, y: i32) -> Vec<&DayOverride> {
    cal.overrides().filter(|o| o.date.year() == y).collect()
}

#[test]
fn builtin_table_is_ordered_unique_and_sane() {
    let all = builtin_overrides();
    assert!(all.windows(2).all(|w| w[0].date < w[1].date));
    for o in &all {
        match o.kind {
            // A make-up working day only makes sense on a weekend.
            DayKind::MakeupWorkday => assert!(is_weekend(o.date), "{o:?}"),
            DayKind::Holiday => {}
        }
        assert_eq!(o.name.ends_with("（预排）"), o.date.year() == 2027, "{o:?}");
    }
    let years: Vec<i32> = all.iter().map(|o| o.date.year()).collect();
    assert_eq!(years.first(), Some(&2024));
    assert_eq!(years.last(), Some(&2027));
}

#[test]
fn builtin_counts_per_year_match_the_notices() {
    let cal = WorkCalendar::builtin();
    // (year, 放假 days listed, 调休 working days)
    for (y, off, worked) in [(2024, 28, 8), (2025, 28, 5), (2026, 33, 6), (2027, 28, 5)] {
        let entries = year(&cal, y);
        let h = entries
            .iter()
            .filter(|o| o.kind == DayKind::Holiday)
            .count();
        assert_eq!((h, entries.len() - h), (off, worked), "{y}");
    }
}

/// 调休 only moves days: weekdays off less weekend days worked is the statutory count of the
/// 全国年节及纪念日放假办法 — 11 days, and 13 from 2025 on (除夕 and 5月2日 added).
#[test]
fn net_days_off_equal_the_statutory_count() {
    let cal = WorkCalendar::builtin();
    for (y, statutory) in [(2024, 11), (2025, 13), (2026, 13), (2027, 13)] {
        let weekdays_lost = d(y, 1, 1)
            .iter_days()
            .take_while(|x| x.year() == y)
            .filter(|x| is_weekday(*x) && !cal.is_working_day(*x))
            .count();
        let weekends_worked = d(y, 1, 1)
            .iter_days()
            .take_while(|x| x.year() == y)
            .filter(|x| is_weekend(*x) && cal.is_working_day(*x))
            .count();
        assert_eq!(weekdays_lost - weekends_worked, statutory, "{y}");
    }
}

#[test]
fn national_day_2026() {
    let cal = WorkCalendar::builtin();
    for day in 1..=7 {
        assert!(!cal.is_working_day(d(2026, 10, day)), "10-{day:02}");
        assert_eq!(cal.override_for(d(2026, 10, day)).unwrap().name, "国庆节");
    }
    // 9月20日（周日）、10月10日（周六）上班.
    assert_eq!(d(2026, 9, 20).weekday(), Weekday::Sun);
    assert!(cal.is_working_day(d(2026, 9, 20)));
    assert_eq!(d(2026, 10, 10).weekday(), Weekday::Sat);
    assert!(cal.is_working_day(d(2026, 10, 10)));
    assert!(!cal.is_working_day(d(2026, 10, 11)));
    assert!(cal.is_working_day(d(2026, 10, 8)));
    assert!(cal.is_working_day(d(2026, 9, 30)));
    // 中秋节 9月25日至27日 is a separate break.
    assert!(!cal.is_working_day(d(2026, 9, 25)));
    // The day before the break plus 1 working day: straight over it.
    assert_eq!(
        cal.add_working_days(sh(2026, 9, 30, 10, 0), 1),
        eod(2026, 10, 8)
    );
    // 10-08 Thu, 10-09 Fri, 10-10 Sat (worked).
    assert_eq!(
        cal.add_working_days(sh(2026, 9, 30, 10, 0), 3),
        eod(2026, 10, 10)
    );
    // An event on Saturday 9-19: Sunday 9-20 is worked.
    assert_eq!(
        cal.add_working_days(sh(2026, 9, 19, 9, 0), 1),
        eod(2026, 9, 20)
    );
}

#[test]
fn spring_festival_2027_reconstruction() {
    let cal = WorkCalendar::builtin();
    assert_eq!(d(2027, 2, 5).weekday(), Weekday::Fri); // 除夕
    for day in 5..=12 {
        assert!(!cal.is_working_day(d(2027, 2, day)), "02-{day:02}");
    }
    assert!(cal.is_working_day(d(2027, 1, 31)));
    assert!(cal.is_working_day(d(2027, 2, 13)));
    assert!(!cal.is_working_day(d(2027, 2, 14)));
    assert_eq!(
        cal.override_for(d(2027, 2, 13)).unwrap().name,
        "春节（预排）"
    );
    // Thursday 2-04 + 1: the break, then the worked Saturday.
    assert_eq!(
        cal.add_working_days(sh(2027, 2, 4, 15, 0), 1),
        eod(2027, 2, 13)
    );
    assert_eq!(
        cal.add_working_days(sh(2027, 2, 4, 15, 0), 2),
        eod(2027, 2, 15)
    );
}

#[test]
fn spring_festival_2025_includes_new_years_eve() {
    let cal = WorkCalendar::builtin();
    assert!(!cal.is_working_day(d(2025, 1, 28))); // 除夕
    assert!(cal.is_working_day(d(2025, 1, 26)));
    assert!(cal.is_working_day(d(2025, 2, 8)));
    // 2024 only encouraged a day off on 除夕 (2-09); it stayed a working day.
    assert!(cal.is_working_day(d(2024, 2, 9)));
}

#[test]
fn ordinary_week() {
    let cal = WorkCalendar::builtin();
    let monday = d(2026, 3, 9);
    let worked: Vec<bool> = monday
        .iter_days()
        .take(7)
        .map(|x| cal.is_working_day(x))
        .collect();
    assert_eq!(worked, [true, true, true, true, true, false, false]);
    assert_eq!(
        cal.add_working_days(sh(2026, 3, 9, 9, 0), 5),
        eod(2026, 3, 16)
    );
    assert_eq!(
        cal.working_days_between(sh(2026, 3, 9, 9, 0), eod(2026, 3, 16)),
        5
    );
}

#[test]
fn friday_evening_plus_one_is_end_of_monday() {
    let cal = WorkCalendar::builtin();
    let due = cal.add_working_days(sh(2026, 3, 13, 20, 30), 1);
    assert_eq!(due, eod(2026, 3, 16));
    assert_eq!(due.to_rfc3339(), "2026-03-16T15:59:59.999+00:00");
    // The local date decides, not the UTC one: Thursday 23:59 vs Friday 00:00 local.
    let thu = Utc.with_ymd_and_hms(2026, 3, 12, 15, 59, 59).unwrap();
    assert_eq!(cal.add_working_days(thu, 1), eod(2026, 3, 13));
    let fri = Utc.with_ymd_and_hms(2026, 3, 12, 16, 0, 0).unwrap();
    assert_eq!(cal.add_working_days(fri, 1), eod(2026, 3, 16));
    // Zero days: the end of the event's own day.
    assert_eq!(cal.add_working_days(fri, 0), eod(2026, 3, 13));
}

#[test]
fn admin_holiday_moves_the_deadline_by_a_day() {
    let start = sh(2026, 3, 13, 20, 30);
    let builtin = WorkCalendar::builtin();
    let mut edited = builtin_overrides();
    edited.push(DayOverride::holiday(d(2026, 3, 16), "防汛停工"));
    let edited = WorkCalendar::new(edited);
    assert_eq!(builtin.add_working_days(start, 1), eod(2026, 3, 16));
    assert_eq!(edited.add_working_days(start, 1), eod(2026, 3, 17));
    assert_eq!(edited.add_working_days(start, 5), eod(2026, 3, 23));
    assert_eq!(edited.working_days_between(start, eod(2026, 3, 16)), 0);
}

#[test]
fn later_override_for_the_same_date_wins() {
    let sat = d(2026, 10, 10);
    let mut list = builtin_overrides();
    list.push(DayOverride::holiday(sat, "取消调休"));
    let cal = WorkCalendar::new(list);
    assert!(!cal.is_working_day(sat));
    assert_eq!(cal.override_for(sat).unwrap().name, "取消调休");
    assert_eq!(
        cal.add_working_days(sh(2026, 9, 30, 10, 0), 3),
        eod(2026, 10, 12)
    );
    // And the other way round: only the last entry counts.
    let cal = WorkCalendar::new([
        DayOverride::holiday(sat, "a"),
        DayOverride::makeup_workday(sat, "b"),
    ]);
    assert!(cal.is_working_day(sat));
}

#[test]
fn between_edges() {
    let cal = WorkCalendar::builtin();
    let fri = sh(2026, 3, 13, 20, 30);
    assert_eq!(cal.working_days_between(fri, fri), 0);
    // Monday not yet over: nothing has elapsed.
    assert_eq!(cal.working_days_between(fri, sh(2026, 3, 16, 23, 0)), 0);
    assert_eq!(cal.working_days_between(fri, eod(2026, 3, 16)), 1);
    assert_eq!(cal.working_days_between(eod(2026, 3, 16), fri), -1);
    // Across the 2026 Spring Festival: 2-13 (Fri) → 2-24 (Tue) end, with 2-14 (Sat) worked.
    assert_eq!(
        cal.working_days_between(sh(2026, 2, 13, 9, 0), eod(2026, 2, 24)),
        2
    );
}

#[test]
fn deadline_dispatches_on_unit() {
    let cal = WorkCalendar::builtin();
    let start = sh(2026, 9, 30, 10, 0);
    assert_eq!(
        cal.deadline(start, 2, LimitUnit::NaturalHours),
        start + TimeDelta::hours(2)
    );
    assert_eq!(
        cal.deadline(start, 15, LimitUnit::NaturalDays),
        start + TimeDelta::days(15)
    );
    assert_eq!(
        cal.deadline(start, 1, LimitUnit::WorkingDays),
        eod(2026, 10, 8)
    );
}

#[test]
fn huge_amounts_saturate() {
    let cal = WorkCalendar::builtin();
    let start = sh(2026, 1, 5, 9, 0);
    let max = DateTime::<Utc>::MAX_UTC;
    assert_eq!(cal.add_working_days(start, u32::MAX), max);
    assert_eq!(cal.deadline(start, u32::MAX, LimitUnit::NaturalHours), max);
    assert_eq!(cal.deadline(start, u32::MAX, LimitUnit::NaturalDays), max);
    assert!(cal.working_days_between(start, max) > 0);
    // Still far, but representable: the week-jumping path.
    let far = cal.add_working_days(start, 1_000_000);
    assert_eq!(cal.working_days_between(start, far), 1_000_000);
}

#[test]
fn serde_is_snake_case() {
    let o = DayOverride::makeup_workday(d(2026, 10, 10), "国庆节");
    let json = serde_json::to_string(&o).unwrap();
    assert_eq!(
        json,
        r#"{"date":"2026-10-10","kind":"makeup_workday","name":"国庆节"}"#
    );
    assert_eq!(serde_json::from_str::<DayOverride>(&json).unwrap(), o);
    assert_eq!(
        serde_json::to_string(&LimitUnit::NaturalHours).unwrap(),
        r#""natural_hours""#
    );
    assert_eq!(
        serde_json::to_string(&DayKind::Holiday).unwrap(),
        r#""holiday""#
    );
}

#[test]
fn weekday_prefix_sum_matches_counting() {
    let start = d(2023, 12, 25);
    for span in 0..60 {
        let end = start + TimeDelta::days(span);
        let naive = start
            .iter_days()
            .skip(1)
            .take_while(|x| *x <= end)
            .filter(|x| is_weekday(*x))
            .count();
        assert_eq!(
            weekdays_through(end) - weekdays_through(start),
            i64::try_from(naive).unwrap()
        );
    }
}

#[test]
fn working_minutes_skip_weekends_and_holidays() {
    let cal = WorkCalendar::builtin();
    // Friday 2026-03-13 16:00 → Monday 2026-03-16 10:00: 8 h on Friday + 10 h on Monday.
    assert_eq!(
        cal.working_minutes_between(sh(2026, 3, 13, 16, 0), sh(2026, 3, 16, 10, 0)),
        18 * 60
    );
    // Same working day.
    assert_eq!(
        cal.working_minutes_between(sh(2026, 3, 16, 9, 0), sh(2026, 3, 16, 9, 45)),
        45
    );
    // Inside the 2026 National Day holiday (10-01 … 10-07): nothing counts.
    assert_eq!(
        cal.working_minutes_between(sh(2026, 10, 2, 9, 0), sh(2026, 10, 5, 9, 0)),
        0
    );
    // Backwards or empty: zero.
    assert_eq!(
        cal.working_minutes_between(sh(2026, 3, 16, 10, 0), sh(2026, 3, 16, 9, 0)),
        0
    );
}
