//! Metric definitions on small hand-computed data.
#![allow(clippy::unwrap_used)]

use chrono::{NaiveDate, TimeZone, Utc};

use super::rollup::{RollupDim, RollupSource, ancestor_paths, delta, rows_of};
use super::*;
use crate::case::{CaseStatus, Channel, Outcome, Rating, SupervisionLevel};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A case state with the given facts.
fn state(
    status: CaseStatus,
    outcome: Option<Outcome>,
    rating: Option<Rating>,
    on_time: Option<bool>,
) -> CaseState {
    let mut s = CaseState::new(1);
    s.status = status;
    if !status.is_open() && status != CaseStatus::Resolved && status != CaseStatus::Verifying {
        s.closed_at = Some(Utc::now());
        s.close_minutes = Some(3 * 24 * 60);
    }
    s.outcome = outcome;
    s.rating = rating;
    s.on_time = on_time;
    s
}

#[test]
fn the_five_rates_on_ten_cases() {
    use CaseStatus as S;
    let o = Some(Outcome::Mediated);
    let p = Some(Outcome::PartiallyResolved);
    let a = Some(Outcome::Answered);
    let cases = [
        // 4 closed: 2 mediated (1 on time), 1 partially resolved (on time), 1 answered (late).
        state(S::Closed, o, None, Some(true)),
        state(S::FollowedUp, o, Some(Rating::VerySatisfied), Some(false)),
        state(S::Archived, p, Some(Rating::Dissatisfied), Some(true)),
        state(
            S::FollowedUp,
            a,
            Some(Rating::BasicallySatisfied),
            Some(false),
        ),
        // 6 not closed.
        state(S::Triage, None, None, None),
        state(S::Assigned, None, None, None),
        state(S::InProgress, None, None, None),
        state(S::InProgress, None, None, None),
        state(S::Resolved, o, None, Some(true)),
        state(S::Verifying, o, None, Some(true)),
    ];
    let total: Counters = cases.iter().map(Counters::of).sum();
    assert_eq!(total.received, 10);
    assert_eq!(total.closed, 4);
    assert_eq!(
        total.open, 6,
        "everything not yet closed, incl. resolved and verifying"
    );
    // 化解 counts only closed cases with 调解成功/部分化解: 3 of 4.
    assert_eq!(total.resolved, 3);
    assert_eq!(total.on_time, 2);
    assert_eq!(total.rated, 3);
    // 非常满意 and 基本满意 count, 不满意 does not.
    assert_eq!(total.satisfied, 2);
    assert_eq!(total.completion_rate(), Some(0.4));
    assert_eq!(total.resolution_rate(), Some(0.75));
    assert_eq!(total.on_time_rate(), Some(0.5));
    assert_eq!(total.satisfaction_rate(), Some(2.0 / 3.0));
    assert_eq!(total.avg_close_days(), Some(3.0));
    assert_eq!(total.reopen_rate(), Some(0.0));
}

#[test]
fn overdue_supervised_reopened_and_accept_time() {
    let mut a = state(CaseStatus::InProgress, None, None, None);
    a.ever_overdue = true;
    a.ever_supervised = true;
    a.supervision_level = Some(SupervisionLevel::General);
    a.accept_minutes = Some(120);
    let mut b = state(
        CaseStatus::Closed,
        Some(Outcome::Mediated),
        None,
        Some(true),
    );
    b.reopen_count = 2;
    b.accept_minutes = Some(240);
    let total = Counters::of(&a).plus(&Counters::of(&b));
    assert_eq!(total.overdue, 1);
    assert_eq!(total.supervised, 1);
    assert_eq!(
        total.reopened, 1,
        "a case reopened twice is one reopened case"
    );
    assert_eq!(total.reopen_rate(), Some(1.0));
    assert_eq!(total.accepted, 2);
    assert_eq!(total.avg_accept_days(), Some(180.0 / 1440.0));
}

#[test]
fn merged_duplicates_and_empty_denominators() {
    let mut dup = state(CaseStatus::Archived, None, None, None);
    dup.master_case_id = Some(7);
    assert!(Counters::of(&dup).is_zero());
    let none = Counters::ZERO;
    assert_eq!(none.completion_rate(), None);
    assert_eq!(none.satisfaction_rate(), None);
    assert_eq!(none.avg_close_days(), None);
}

#[test]
fn columns_round_trip_and_sum() {
    let mut c = Counters::of(&state(
        CaseStatus::Closed,
        Some(Outcome::Mediated),
        None,
        Some(true),
    ));
    c.accept_minutes = 9;
    let values = c.columns().map(|(_, v)| v);
    assert_eq!(Counters::from_columns(values), c);
    assert_eq!(c.plus(&c).minus(&c), c);
}

#[test]
fn periods_check_and_compare() {
    assert_eq!(
        Period::new(d(2026, 3, 2), d(2026, 3, 1)),
        Err(PeriodError::Reversed)
    );
    assert_eq!(
        Period::new(d(2000, 1, 1), d(2026, 1, 1)),
        Err(PeriodError::TooLong)
    );
    let p = Period::new(d(2026, 3, 10), d(2026, 3, 16)).unwrap();
    assert_eq!(p.days(), 7);
    assert_eq!(
        p.previous(),
        Period::new(d(2026, 3, 3), d(2026, 3, 9)).unwrap()
    );
    assert_eq!(
        p.year_ago(),
        Period::new(d(2025, 3, 10), d(2025, 3, 16)).unwrap()
    );
    // A whole month compares with the whole previous month, whatever its length.
    let march = Period::new(d(2026, 3, 1), d(2026, 3, 31)).unwrap();
    assert_eq!(
        march.previous(),
        Period::new(d(2026, 2, 1), d(2026, 2, 28)).unwrap()
    );
    let feb24 = Period::new(d(2024, 2, 1), d(2024, 2, 29)).unwrap();
    assert_eq!(
        feb24.year_ago(),
        Period::new(d(2023, 2, 1), d(2023, 2, 28)).unwrap()
    );
    let day = Period::new(d(2024, 2, 29), d(2024, 2, 29)).unwrap();
    assert_eq!(day.year_ago().from, d(2023, 2, 28));
    let (start, end) = day.utc_range();
    assert_eq!(start, Utc.with_ymd_and_hms(2024, 2, 28, 16, 0, 0).unwrap());
    assert_eq!(end, Utc.with_ymd_and_hms(2024, 2, 29, 16, 0, 0).unwrap());
    assert_eq!(march.iter_days().count(), 31);
}

fn source(path: &str, dept: Option<i64>, state: &CaseState) -> RollupSource {
    RollupSource::new(
        path,
        // 23:30 UTC is 07:30 the next day in Shanghai: the case counts on 2026-03-11.
        Utc.with_ymd_and_hms(2026, 3, 10, 23, 30, 0).unwrap(),
        "D01-02",
        Channel::WalkIn,
        state,
    )
    .with_department(dept)
}

impl RollupSource {
    fn with_department(mut self, d: Option<i64>) -> Self {
        self.department_id = d;
        self
    }
}

#[test]
fn rollup_rows_cover_every_level_and_dimension() {
    assert_eq!(ancestor_paths("/1/2/3/"), vec!["/1/", "/1/2/", "/1/2/3/"]);
    let s = state(CaseStatus::InProgress, None, None, None);
    let rows = rows_of(&source("/1/2/3/", Some(9), &s));
    assert_eq!(rows.len(), 3 * 4);
    assert!(rows.iter().all(|(k, _)| k.day == d(2026, 3, 11)));
    assert!(
        rows.iter()
            .any(|(k, _)| k.dim == RollupDim::Department && k.value == "9")
    );
    assert_eq!(
        rows_of(&source("/1/", None, &s)).len(),
        3,
        "no department row"
    );
}

#[test]
fn a_delta_moves_only_what_changed() {
    let open = state(CaseStatus::InProgress, None, None, None);
    let closed = state(
        CaseStatus::Closed,
        Some(Outcome::Mediated),
        None,
        Some(true),
    );
    let before = source("/1/2/", Some(9), &open);
    let after = source("/1/2/", Some(9), &closed);
    let d = delta(Some(&before), Some(&after));
    assert_eq!(d.len(), 2 * 4);
    for (_, c) in &d {
        assert_eq!((c.received, c.open, c.closed, c.resolved), (0, -1, 1, 1));
    }
    // Rerouted to another department: its rows move, the others do not change at all.
    let moved = source("/1/2/", Some(10), &open);
    let d = delta(Some(&before), Some(&moved));
    assert_eq!(d.len(), 2 * 2);
    assert!(d.iter().all(|(k, _)| k.dim == RollupDim::Department));
    assert!(delta(Some(&before), Some(&before)).is_empty());
    assert_eq!(delta(None, Some(&before)).len(), 8);
}
