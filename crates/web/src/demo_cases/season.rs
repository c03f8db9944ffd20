//! When cases arrive: seasonality by category (欠薪 before the Spring Festival, 邻里 in
//! summer, 婚姻家庭 after the holiday …), the weekly rhythm (busy Mondays, quiet weekends
//! and holidays), a slow upward trend, and the hour of day by channel.

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, TimeZone, Utc, Weekday};
use chrono_tz::Asia::Shanghai;
use rand::Rng;
use rand::rngs::StdRng;
use zongzhi_core::calendar::{DayKind, WorkCalendar};
use zongzhi_core::case::Channel;

/// 春节 (first day of the lunar year), 2022–2031.
const SPRING_FESTIVALS: &[(i32, u32, u32)] = &[
    (2022, 2, 1),
    (2023, 1, 22),
    (2024, 2, 10),
    (2025, 1, 29),
    (2026, 2, 17),
    (2027, 2, 6),
    (2028, 1, 26),
    (2029, 2, 13),
    (2030, 2, 3),
    (2031, 1, 23),
];

/// How a category's volume moves over the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Season {
    /// Steady all year (物业, 合同 …).
    Flat,
    /// Peaks in the two months before 春节, quiet during it (欠薪, 劳动争议).
    BeforeSpringFestival,
    /// Up after 春节 (婚姻家庭: families meet over the holiday, disputes follow).
    AfterSpringFestival,
    /// Up in summer (邻里, 噪声, 用水 and drains).
    Summer,
    /// Spring planting and autumn harvest (山林土地, 农业生产).
    FarmSeasons,
    /// School terms; almost nothing in the summer holiday (涉校).
    SchoolTerm,
    /// Shopping festivals (双十一, 618) and the holiday season (消费).
    ShoppingPeaks,
    /// Winter (求助: heating, frozen pipes, hardship before the holiday).
    Winter,
}

/// The Spring Festival nearest to `date` (before or after).
fn spring_festival_offset(date: NaiveDate) -> i64 {
    let mut best = i64::MAX;
    for &(y, m, d) in SPRING_FESTIVALS {
        if let Some(sf) = NaiveDate::from_ymd_opt(y, m, d) {
            let off = (date - sf).num_days();
            if off.abs() < best.abs() {
                best = off;
            }
        }
    }
    best
}

impl Season {
    /// Relative volume on `date` (1.0 = an ordinary day).
    pub(super) fn factor(self, date: NaiveDate) -> f64 {
        let month = date.month();
        let sf = spring_festival_offset(date);
        match self {
            Self::Flat => 1.0,
            Self::BeforeSpringFestival => match sf {
                -60..=-1 => 1.0 + 2.4 * (1.0 + sf as f64 / 60.0),
                0..=10 => 0.4,
                _ => 1.0,
            },
            Self::AfterSpringFestival => match sf {
                0..=7 => 1.3,
                8..=60 => 1.9,
                _ => 1.0,
            },
            Self::Summer => match month {
                6..=8 => 1.8,
                5 | 9 => 1.3,
                12 | 1 | 2 => 0.75,
                _ => 1.0,
            },
            Self::FarmSeasons => match month {
                3 | 4 => 1.7,
                9 | 10 => 1.4,
                12 | 1 => 0.7,
                _ => 1.0,
            },
            Self::SchoolTerm => match month {
                7 | 8 => 0.3,
                2 => 0.6,
                9 => 1.5,
                _ => 1.05,
            },
            Self::ShoppingPeaks => match month {
                11 | 12 => 1.6,
                6 => 1.3,
                1 | 2 => 1.2,
                _ => 0.9,
            },
            Self::Winter => match month {
                12 | 1 | 2 => 1.5,
                7 | 8 => 1.1,
                _ => 0.9,
            },
        }
    }
}

/// Relative volume of all cases on `date`: the weekly rhythm, holidays and 调休 days.
pub(super) fn day_factor(cal: &WorkCalendar, date: NaiveDate) -> f64 {
    match cal.override_for(date).map(|o| o.kind) {
        Some(DayKind::Holiday) => return 0.45,
        Some(DayKind::MakeupWorkday) => return 0.9,
        None => {}
    }
    match date.weekday() {
        Weekday::Mon => 1.2,
        Weekday::Tue => 1.1,
        Weekday::Wed => 1.05,
        Weekday::Thu => 1.0,
        Weekday::Fri => 0.95,
        Weekday::Sat => 0.5,
        Weekday::Sun => 0.4,
    }
}

/// Relative weight of each hour 0–23 for reports arriving by `channel`.
fn hour_weights(channel: Channel) -> [u32; 24] {
    match channel {
        // Reported at the desk or by staff on their rounds: office hours.
        Channel::WalkIn
        | Channel::Petition
        | Channel::Transfer
        | Channel::Screening
        | Channel::GridReport
        | Channel::Assigned => [
            0, 0, 0, 0, 0, 0, 0, 1, 4, 10, 10, 7, 2, 3, 8, 9, 7, 3, 1, 0, 0, 0, 0, 0,
        ],
        // Police calls: around the clock, evenings busiest.
        Channel::Police110 => [
            3, 2, 2, 1, 1, 1, 2, 3, 4, 5, 5, 5, 5, 5, 5, 5, 6, 6, 7, 8, 9, 9, 7, 5,
        ],
        // Hotline, phone, online and public opinion: daytime with a long evening tail.
        Channel::Hotline12345 | Channel::Phone | Channel::Online | Channel::PublicOpinion => [
            1, 0, 0, 0, 0, 0, 1, 2, 6, 9, 9, 8, 5, 5, 8, 8, 7, 6, 5, 5, 5, 4, 3, 2,
        ],
    }
}

/// A report time on local `date` for `channel`, never after `now`.
pub(super) fn report_time(
    rng: &mut StdRng,
    date: NaiveDate,
    channel: Channel,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    let weights = hour_weights(channel);
    let total: u32 = weights.iter().sum();
    let mut pick = rng.random_range(0..total.max(1));
    let mut hour = 9;
    for (h, w) in weights.iter().enumerate() {
        if pick < *w {
            hour = h as u32;
            break;
        }
        pick -= w;
    }
    let minute = rng.random_range(0..60);
    let second = rng.random_range(0..60);
    let local = date.and_hms_opt(hour, minute, second).unwrap_or_default();
    let at = Shanghai
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now);
    // Today's cases cannot be later than now.
    if at > now {
        now - TimeDelta::seconds(rng.random_range(60..3600))
    } else {
        at
    }
}

/// The local date of an instant.
pub(super) fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&Shanghai).date_naive()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn wage_arrears_peak_before_the_festival() {
        let s = Season::BeforeSpringFestival;
        // 2026-02-17 is the festival: early February is far above October.
        assert!(s.factor(d(2026, 2, 10)) > 2.5);
        assert_eq!(s.factor(d(2025, 10, 10)), 1.0);
        assert!(s.factor(d(2026, 2, 20)) < 1.0);
        assert!(Season::Summer.factor(d(2025, 7, 1)) > Season::Summer.factor(d(2025, 12, 1)));
        assert!(Season::AfterSpringFestival.factor(d(2026, 3, 10)) > 1.5);
    }

    #[test]
    fn weekends_and_holidays_are_quiet() {
        let cal = WorkCalendar::builtin();
        assert!(day_factor(&cal, d(2026, 11, 23)) > day_factor(&cal, d(2026, 11, 22)));
        // 国庆节.
        assert_eq!(day_factor(&cal, d(2026, 10, 2)), 0.45);
    }
}
