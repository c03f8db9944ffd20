//! Statistics periods: inclusive local dates, with 环比 and 同比.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::start_of_local_day;

/// The longest period a query may span (about ten years), so a typo like `from=1026-…` is a
/// clear error rather than a scan of everything.
pub const MAX_PERIOD_DAYS: i64 = 3_700;

/// Why a period is impossible.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// `from` is after `to`.
    #[error("the period starts after it ends")]
    Reversed,
    /// Longer than [`MAX_PERIOD_DAYS`].
    #[error("the period is longer than {MAX_PERIOD_DAYS} days")]
    TooLong,
    /// Outside the years the system can hold.
    #[error("the period is out of range")]
    OutOfRange,
}

/// A statistics period: local (Asia/Shanghai) dates, both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    /// First day.
    pub from: NaiveDate,
    /// Last day (inclusive).
    pub to: NaiveDate,
}

impl Period {
    /// A checked period.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, PeriodError> {
        if from > to {
            return Err(PeriodError::Reversed);
        }
        if (to - from).num_days() >= MAX_PERIOD_DAYS {
            return Err(PeriodError::TooLong);
        }
        if from.year() < 2000 || to.year() > 2100 {
            return Err(PeriodError::OutOfRange);
        }
        Ok(Self { from, to })
    }

    /// Days in the period.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// 环比: the period of the same length just before this one (a calendar month's
    /// previous month when the period is exactly one whole month).
    pub fn previous(&self) -> Self {
        if let Some(prev) = self.whole_months_shifted_back(self.whole_months()) {
            return prev;
        }
        let len = Days::new(self.days().unsigned_abs());
        Self {
            from: self.from.checked_sub_days(len).unwrap_or(self.from),
            to: self.from.pred_opt().unwrap_or(self.from),
        }
    }

    /// 同比: the same dates a year earlier (29 February becomes 28 February).
    pub fn year_ago(&self) -> Self {
        let back = |d: NaiveDate| d.checked_sub_months(Months::new(12)).unwrap_or(d);
        if let Some(prev) = self.whole_months_shifted_back(Some(12)) {
            return prev;
        }
        Self {
            from: back(self.from),
            to: back(self.to),
        }
    }

    /// `[start, end)` in UTC: 00:00 of `from` to 00:00 after `to`, Asia/Shanghai.
    pub fn utc_range(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        let end = self.to.succ_opt().unwrap_or(self.to);
        (start_of_local_day(self.from), start_of_local_day(end))
    }

    /// Every day of the period.
    pub fn iter_days(&self) -> impl Iterator<Item = NaiveDate> + use<> {
        let to = self.to;
        self.from.iter_days().take_while(move |d| *d <= to)
    }

    /// How many whole calendar months the period covers exactly (from the 1st to a month's
    /// last day), if it does.
    fn whole_months(&self) -> Option<u32> {
        let end = self.to.succ_opt()?;
        if self.from.day() != 1 || end.day() != 1 {
            return None;
        }
        let months =
            (end.year() - self.from.year()) * 12 + end.month0() as i32 - self.from.month0() as i32;
        u32::try_from(months).ok().filter(|m| *m > 0)
    }

    /// A whole-months period moved back by `months`, when this one is whole months.
    fn whole_months_shifted_back(&self, months: Option<u32>) -> Option<Self> {
        let months = months?;
        let len = self.whole_months()?;
        let from = self.from.checked_sub_months(Months::new(months))?;
        let to = from.checked_add_months(Months::new(len))?.pred_opt()?;
        Some(Self { from, to })
    }
}
