//! The stream of generated cases: how many fall on each day (seasons, weekdays, holidays
//! and a slow upward trend, summing exactly to the number asked for), each day's cases in
//! the order they were reported, handed out in batches so the whole set never sits in
//! memory.

use std::collections::VecDeque;

use chrono::{Months, NaiveDate, Timelike};
use chrono_tz::Asia::Shanghai;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::case_gen::{Draft, Env, Generated, Recent, make_case, plan_day};
use super::catalog::GROUPS;
use super::season::{day_factor, local_date};
use super::tracking::Tracking;

/// Cases per day, summing to the total.
fn day_counts(rng: &mut StdRng, env: &Env, total: u64, months: u32) -> Vec<(NaiveDate, u64)> {
    let end = local_date(env.now);
    let start = end
        .checked_sub_months(Months::new(months.max(1)))
        .unwrap_or(end);
    let mut days = Vec::new();
    let mut d = start;
    while d <= end {
        days.push(d);
        match d.succ_opt() {
            Some(n) => d = n,
            None => break,
        }
    }
    let n = days.len().max(2) as f64;
    let local_now = env.now.with_timezone(&Shanghai);
    let today_share = (f64::from(local_now.hour()) + f64::from(local_now.minute()) / 60.0) / 24.0;
    let weights: Vec<f64> = days
        .iter()
        .enumerate()
        .map(|(i, &day)| {
            let season: f64 = GROUPS
                .iter()
                .map(|g| f64::from(g.share) * g.season.factor(day))
                .sum();
            let trend = 0.85 + 0.3 * i as f64 / (n - 1.0);
            let noise = rng.random_range(0.8..1.2);
            let partial = if day == end { today_share } else { 1.0 };
            season * day_factor(&env.cal, day) * trend * noise * partial
        })
        .collect();
    let sum: f64 = weights.iter().sum::<f64>().max(f64::MIN_POSITIVE);
    let mut acc = 0.0;
    let mut given = 0u64;
    days.into_iter()
        .zip(weights)
        .map(|(day, w)| {
            acc += w;
            let upto = ((total as f64) * acc / sum).round() as u64;
            let upto = upto.min(total);
            let count = upto.saturating_sub(given);
            given = upto;
            (day, count)
        })
        .collect()
}

/// Generates cases day by day.
pub(super) struct Generator {
    env: Env,
    rng: StdRng,
    days: VecDeque<(NaiveDate, u64)>,
    today: VecDeque<Draft>,
    tracking: Tracking,
    recent: VecDeque<Recent>,
}

impl Generator {
    /// `total` cases over the `months` before `env.now`, from `seed`.
    pub(super) fn new(env: Env, seed: u64, total: u64, months: u32, tracking: Tracking) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let days = day_counts(&mut rng, &env, total, months).into();
        Self {
            env,
            rng,
            days,
            today: VecDeque::new(),
            tracking,
            recent: VecDeque::new(),
        }
    }

    /// The most cases falling on one day (the daily sequence must not overflow).
    pub(super) fn busiest_day(&self) -> u64 {
        self.days.iter().map(|(_, n)| *n).max().unwrap_or(0)
    }

    /// Up to `max` more cases; empty when all are out.
    pub(super) fn next_batch(&mut self, max: usize) -> anyhow::Result<Vec<Generated>> {
        let mut out = Vec::with_capacity(max);
        while out.len() < max {
            if self.today.is_empty() {
                let Some((day, count)) = self.days.pop_front() else {
                    break;
                };
                self.today = plan_day(&mut self.rng, &self.env, day, count).into();
                continue;
            }
            if let Some(draft) = self.today.pop_front() {
                out.push(make_case(
                    &self.env,
                    &mut self.rng,
                    draft,
                    &mut self.tracking,
                    &mut self.recent,
                )?);
            }
        }
        Ok(out)
    }
}
