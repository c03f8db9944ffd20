//! The query string of the 统计分析 pages: which unit, which period (a preset or custom
//! dates), which category and channel. A bad period is a Chinese message beside the period
//! field, never a 500; an unknown unit is the 404 page (the service decides scope).

use chrono::{Datelike, Days, NaiveDate};
use serde::Deserialize;
use zongzhi_core::calendar::local_day;
use zongzhi_core::case::Channel;
use zongzhi_core::metrics::{Metric, Period, PeriodError};
use zongzhi_store::StoreError;

use crate::auth::SessionCtx;
use crate::console::ConsoleError;
use crate::console::admin::href;
use crate::error::ApiError;
use crate::state::AppState;

/// The raw query string (every field text, so nothing fails to deserialize).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct StatsQuery {
    /// Org unit id (default: the caller's unit).
    pub org_unit: Option<String>,
    /// A preset: `week`, `month`, `30d`, `year`.
    pub period: Option<String>,
    /// Custom first day.
    pub from: Option<String>,
    /// Custom last day.
    pub to: Option<String>,
    /// Category code.
    pub category: Option<String>,
    /// Channel.
    pub channel: Option<String>,
    /// Ranking order (rankings page).
    pub sort: Option<String>,
}

/// The period presets, in the order the picker shows them.
pub(super) const PRESETS: [(&str, &str); 4] = [
    ("week", "本周"),
    ("month", "本月"),
    ("30d", "近30天"),
    ("year", "本年"),
];

/// The dates of preset `key` on `today`.
fn preset_period(key: &str, today: NaiveDate) -> Option<Period> {
    let from = match key {
        "week" => {
            today.checked_sub_days(Days::new(u64::from(today.weekday().num_days_from_monday())))?
        }
        "month" => today.with_day(1)?,
        "30d" => today.checked_sub_days(Days::new(29))?,
        "year" => today.with_day(1)?.with_month(1)?,
        _ => return None,
    };
    Period::new(from, today).ok()
}

fn nonblank(s: Option<&String>) -> Option<&str> {
    s.map(|s| s.trim()).filter(|s| !s.is_empty())
}

/// A date typed into a period field.
fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// What the page shows: the resolved selection.
#[derive(Debug, Clone)]
pub(super) struct Selection {
    /// The unit asked for (`None`: the caller's own).
    pub org_unit: Option<i64>,
    /// The preset whose dates the period equals, if any.
    pub preset: Option<&'static str>,
    /// The period, when valid.
    pub period: Option<Period>,
    /// Why the period is not valid (Chinese).
    pub period_error: Option<String>,
    /// The first day as typed or resolved (for the input).
    pub from: String,
    /// The last day as typed or resolved.
    pub to: String,
    /// Category code filter (checked), or empty.
    pub category: String,
    /// Why the category is not valid.
    pub category_error: Option<String>,
    /// Channel filter (checked), or empty.
    pub channel: String,
    /// Why the channel is not valid.
    pub channel_error: Option<String>,
    /// A department handler's department: their figures are its cases, so the lists
    /// behind them are too.
    pub lead_department: Option<i64>,
}

impl Selection {
    /// Resolves `q` for `ctx` on the app clock's today. A non-numeric unit id is a 404.
    pub async fn resolve(
        state: &AppState,
        ctx: &SessionCtx,
        q: &StatsQuery,
    ) -> Result<Self, ConsoleError> {
        let today = local_day(state.clock.now());
        let org_unit = match nonblank(q.org_unit.as_ref()) {
            None => None,
            Some(s) => Some(
                s.parse::<i64>()
                    .ok()
                    .filter(|id| *id > 0)
                    .ok_or_else(ApiError::not_found)?,
            ),
        };
        let (from_s, to_s) = (nonblank(q.from.as_ref()), nonblank(q.to.as_ref()));
        let mut sel = Self {
            org_unit,
            preset: None,
            period: None,
            period_error: None,
            from: from_s.unwrap_or_default().to_owned(),
            to: to_s.unwrap_or_default().to_owned(),
            category: String::new(),
            category_error: None,
            channel: String::new(),
            channel_error: None,
            lead_department: ctx.account.department_id,
        };
        let period = match (from_s, to_s) {
            (None, None) => {
                let key = nonblank(q.period.as_ref()).unwrap_or("30d");
                preset_period(key, today)
                    .ok_or("统计期间无效，请选择本周、本月、近30天、本年或自定义日期")
            }
            (Some(_), None) | (None, Some(_)) => Err("请同时选择开始日期和结束日期"),
            (Some(f), Some(t)) => match (parse_date(f), parse_date(t)) {
                (Some(f), Some(t)) => Period::new(f, t).map_err(|e| match e {
                    PeriodError::Reversed => "开始日期不能晚于结束日期",
                    PeriodError::TooLong => "统计期间不能超过约十年（3700天）",
                    PeriodError::OutOfRange => "统计期间须在2000年至2100年之间",
                }),
                _ => Err("日期格式应为“年-月-日”，如 2026-01-31"),
            },
        };
        match period {
            Ok(p) => {
                sel.from = p.from.to_string();
                sel.to = p.to.to_string();
                sel.preset = PRESETS
                    .iter()
                    .map(|(k, _)| *k)
                    .find(|k| preset_period(k, today) == Some(p));
                sel.period = Some(p);
            }
            Err(msg) => sel.period_error = Some(msg.to_owned()),
        }
        if let Some(c) = nonblank(q.category.as_ref()) {
            match state.store.get_category(c).await {
                Ok(cat) => sel.category = cat.code,
                Err(StoreError::NotFound) => sel.category_error = Some("事件分类不存在".into()),
                Err(e) => return Err(e.into()),
            }
        }
        if let Some(c) = nonblank(q.channel.as_ref()) {
            match Channel::parse(c) {
                Some(ch) => sel.channel = ch.as_str().to_owned(),
                None => sel.channel_error = Some("来源渠道无效".into()),
            }
        }
        if !sel.category.is_empty() && !sel.channel.is_empty() {
            // The rollups slice by one dimension at a time (the service refuses both too).
            sel.channel_error = Some("统计不支持同时按事件分类和来源渠道筛选，请只选其一".into());
        }
        Ok(sel)
    }

    /// Whether the figures can be computed (nothing to correct).
    pub fn is_valid(&self) -> bool {
        self.period.is_some() && self.category_error.is_none() && self.channel_error.is_none()
    }

    /// The period's query pairs: the preset's key when the period is one (so a bookmark
    /// keeps meaning 本月), else the dates.
    fn period_pairs(&self) -> Vec<(&'static str, String)> {
        match (self.preset, self.period) {
            (Some("30d"), Some(_)) => Vec::new(),
            (Some(k), Some(_)) => vec![("period", k.to_owned())],
            _ => vec![("from", self.from.clone()), ("to", self.to.clone())],
        }
    }

    /// A stats page link for unit `org_unit` (`None`: the caller's own) with this period and
    /// these filters, plus `extra`.
    pub fn page_href(
        &self,
        base: &str,
        org_unit: Option<i64>,
        extra: &[(&'static str, String)],
    ) -> String {
        let mut pairs = vec![(
            "org_unit",
            org_unit.map(|i| i.to_string()).unwrap_or_default(),
        )];
        pairs.extend(self.period_pairs());
        pairs.push(("category", self.category.clone()));
        pairs.push(("channel", self.channel.clone()));
        pairs.extend(extra.iter().cloned());
        let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        href(base, &refs)
    }

    /// A preset's link (same unit and filters, the preset's period).
    pub fn preset_href(&self, base: &str, key: &str, extra: &[(&'static str, String)]) -> String {
        let mut pairs = vec![
            (
                "org_unit",
                self.org_unit.map(|i| i.to_string()).unwrap_or_default(),
            ),
            ("period", key.to_owned()),
            ("category", self.category.clone()),
            ("channel", self.channel.clone()),
        ];
        pairs.extend(extra.iter().cloned());
        let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        href(base, &refs)
    }

    /// The cases behind a number: `/cases?under=…&from=…&to=…&metric=…` with this
    /// selection's category and channel and `extra` (e.g. `lead_department`).
    pub fn cases_href(
        &self,
        under: i64,
        metric: Metric,
        extra: &[(&'static str, String)],
    ) -> String {
        let mut pairs: Vec<(&str, String)> = vec![("under", under.to_string())];
        if let Some(p) = self.period {
            pairs.push(("from", p.from.to_string()));
            pairs.push(("to", p.to.to_string()));
        }
        pairs.push(("metric", metric.as_str().to_owned()));
        pairs.push(("category", self.category.clone()));
        pairs.push(("channel", self.channel.clone()));
        pairs.push((
            "lead_department",
            self.lead_department
                .map(|d| d.to_string())
                .unwrap_or_default(),
        ));
        for (k, v) in extra {
            if let Some(slot) = pairs.iter_mut().find(|(key, _)| key == k) {
                slot.1 = v.clone();
            } else {
                pairs.push((k, v.clone()));
            }
        }
        let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        href("/cases", &refs)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn presets_end_today() {
        let today = d("2026-03-18"); // a Wednesday
        let p = |k| preset_period(k, today).unwrap();
        assert_eq!((p("week").from, p("week").to), (d("2026-03-16"), today));
        assert_eq!(p("month").from, d("2026-03-01"));
        assert_eq!(p("30d").from, d("2026-02-17"));
        assert_eq!(p("year").from, d("2026-01-01"));
        assert!(preset_period("decade", today).is_none());
    }
}
