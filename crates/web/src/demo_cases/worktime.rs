//! Office hours: staff act between 08:30 and 17:30 Asia/Shanghai on working days of the
//! calendar, so generated events fall when people are at their desks.

use chrono::{DateTime, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use rand::Rng;
use rand::rngs::StdRng;
use zongzhi_core::calendar::WorkCalendar;

fn at(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()
}

/// `hours` of office time after `from` (a start outside office hours first moves to the
/// next opening).
pub(super) fn office_after(cal: &WorkCalendar, from: DateTime<Utc>, hours: f64) -> DateTime<Utc> {
    let (open, close) = (at(8, 30), at(17, 30));
    let mut t: NaiveDateTime = from.with_timezone(&Shanghai).naive_local();
    let mut left = (hours.max(0.0) * 3600.0) as i64;
    // Bounded: a year of days is far more than any delay the generator asks for.
    for _ in 0..800 {
        let day = t.date();
        if !cal.is_working_day(day) || t.time() >= close {
            let Some(next) = day.succ_opt() else { break };
            t = next.and_time(open);
            continue;
        }
        if t.time() < open {
            t = day.and_time(open);
        }
        let avail = (day.and_time(close) - t).num_seconds();
        if left <= avail {
            t += TimeDelta::seconds(left);
            left = 0;
            break;
        }
        left -= avail;
        t = day.and_time(close);
    }
    if left > 0 {
        return from + TimeDelta::seconds(left);
    }
    Shanghai
        .from_local_datetime(&t)
        .earliest()
        .map_or(from, |l| l.with_timezone(&Utc))
}

/// An exponentially distributed amount with the given mean, capped at `cap` × the mean.
pub(super) fn exp(rng: &mut StdRng, mean: f64, cap: f64) -> f64 {
    let u: f64 = rng.random_range(0.0..1.0);
    (-mean * (1.0 - u).ln()).min(mean * cap)
}

/// `minutes` of elapsed time (urgent cases are worked around the clock).
pub(super) fn minutes(from: DateTime<Utc>, minutes: f64) -> DateTime<Utc> {
    from + TimeDelta::seconds((minutes.max(0.0) * 60.0) as i64)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn local(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Shanghai
            .with_ymd_and_hms(2026, 11, d, h, m, 0)
            .single()
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn office_hours_skip_nights_and_weekends() {
        let cal = WorkCalendar::builtin();
        // Monday 16:30 + 2 h → Tuesday 09:30.
        assert_eq!(office_after(&cal, local(23, 16, 30), 2.0), local(24, 9, 30));
        // Friday 20:00 + 1 h → Monday 09:30.
        assert_eq!(office_after(&cal, local(27, 20, 0), 1.0), local(30, 9, 30));
        // Inside the day.
        assert_eq!(office_after(&cal, local(23, 9, 0), 1.5), local(23, 10, 30));
        // Zero hours before opening snaps to the opening.
        assert_eq!(office_after(&cal, local(23, 6, 0), 0.0), local(23, 8, 30));
    }
}
