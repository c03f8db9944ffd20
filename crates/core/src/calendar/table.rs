//! The shipped holiday table: one line per sentence of each year's State Council notice.
//!
//! Each year is transcribed from 国务院办公厅关于20XX年部分节假日安排的通知. `off` is a run
//! of 放假 days exactly as the notice names it ("10月1日至7日放假调休" → 10-01..=10-07; a
//! single day "与周末连休" is that day only, the weekend around it being a weekend anyway);
//! `work` is one 调休 weekend day that is worked ("9月20日（周日）上班").
//!
//! 2027 has no notice yet (it normally comes out in November of the year before): its lines
//! are a reconstruction under the 2025 rules and every name carries "（预排）". Replace them
//! with the notice when it is published.
//!
//! Dates are built in a `const`, so an impossible date here fails the build, not the product.

use chrono::NaiveDate;

use super::DayKind::{self, Holiday, MakeupWorkday};

/// A run of consecutive days of one kind, as one sentence of a notice gives it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Span {
    /// First day of the run.
    pub(super) from: NaiveDate,
    /// Last day of the run, inclusive.
    pub(super) to: NaiveDate,
    /// Days off or worked.
    pub(super) kind: DayKind,
    /// The festival, as the notice names it.
    pub(super) name: &'static str,
}

/// A date checked at compile time: only ever called while evaluating [`BUILTIN`].
const fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(date) => date,
        None => panic!("impossible date in the builtin holiday table"),
    }
}

/// Days off from `(m, d)` to `(m, d)` inclusive within year `y`.
const fn off(y: i32, from: (u32, u32), to: (u32, u32), name: &'static str) -> Span {
    Span {
        from: date(y, from.0, from.1),
        to: date(y, to.0, to.1),
        kind: Holiday,
        name,
    }
}

/// One 调休 weekend day that is worked.
const fn work(y: i32, m: u32, d: u32, name: &'static str) -> Span {
    let day = date(y, m, d);
    Span {
        from: day,
        to: day,
        kind: MakeupWorkday,
        name,
    }
}

/// The shipped table, 2024–2027, in date order.
pub(super) const BUILTIN: &[Span] = &[
    // 2024 — 国务院办公厅关于2024年部分节假日安排的通知（国办发明电〔2023〕7号，2023年10月25日）
    // https://www.gov.cn/zhengce/content/202310/content_6911527.htm
    off(2024, (1, 1), (1, 1), "元旦"), // 1月1日放假，与周末连休
    work(2024, 2, 4, "春节"),
    off(2024, (2, 10), (2, 17), "春节"), // 2月10日至17日放假调休，共8天
    work(2024, 2, 18, "春节"),
    off(2024, (4, 4), (4, 6), "清明节"),
    work(2024, 4, 7, "清明节"),
    work(2024, 4, 28, "劳动节"),
    off(2024, (5, 1), (5, 5), "劳动节"),
    work(2024, 5, 11, "劳动节"),
    off(2024, (6, 10), (6, 10), "端午节"), // 6月10日放假，与周末连休
    work(2024, 9, 14, "中秋节"),
    off(2024, (9, 15), (9, 17), "中秋节"),
    work(2024, 9, 29, "国庆节"),
    off(2024, (10, 1), (10, 7), "国庆节"),
    work(2024, 10, 12, "国庆节"),
    // 2025 — 国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号，2024年11月12日）
    // https://www.gov.cn/zhengce/content/202411/content_6986382.htm
    // First year under the 2024 revision of 全国年节及纪念日放假办法: 除夕 and 5月2日 added.
    off(2025, (1, 1), (1, 1), "元旦"), // 1月1日（周三）放假1天，不调休
    work(2025, 1, 26, "春节"),
    off(2025, (1, 28), (2, 4), "春节"), // 农历除夕至正月初七，共8天
    work(2025, 2, 8, "春节"),
    off(2025, (4, 4), (4, 6), "清明节"),
    work(2025, 4, 27, "劳动节"),
    off(2025, (5, 1), (5, 5), "劳动节"),
    off(2025, (5, 31), (6, 2), "端午节"),
    work(2025, 9, 28, "国庆节、中秋节"),
    off(2025, (10, 1), (10, 8), "国庆节、中秋节"), // 共8天
    work(2025, 10, 11, "国庆节、中秋节"),
    // 2026 — 国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）
    // https://www.gov.cn/zhengce/content/202511/content_7047090.htm
    off(2026, (1, 1), (1, 3), "元旦"),
    work(2026, 1, 4, "元旦"),
    work(2026, 2, 14, "春节"),
    off(2026, (2, 15), (2, 23), "春节"), // 腊月二十八至正月初七，共9天
    work(2026, 2, 28, "春节"),
    off(2026, (4, 4), (4, 6), "清明节"),
    off(2026, (5, 1), (5, 5), "劳动节"),
    work(2026, 5, 9, "劳动节"),
    off(2026, (6, 19), (6, 21), "端午节"),
    work(2026, 9, 20, "国庆节"),
    off(2026, (9, 25), (9, 27), "中秋节"),
    off(2026, (10, 1), (10, 7), "国庆节"),
    work(2026, 10, 10, "国庆节"),
    // 2027 — NOT YET PUBLISHED; reconstructed under the 2025 principles (春节 8 days from
    // 除夕, 劳动节 5, 国庆 7, others 3 or only the day itself when it is a Wednesday).
    // Festival dates: 除夕 2-05 (Fri), 清明 4-05 (Mon), 端午 6-09 (Wed), 中秋 9-15 (Wed).
    off(2027, (1, 1), (1, 3), "元旦（预排）"),
    work(2027, 1, 31, "春节（预排）"),
    off(2027, (2, 5), (2, 12), "春节（预排）"),
    work(2027, 2, 13, "春节（预排）"),
    off(2027, (4, 3), (4, 5), "清明节（预排）"),
    off(2027, (5, 1), (5, 5), "劳动节（预排）"),
    work(2027, 5, 8, "劳动节（预排）"),
    off(2027, (6, 9), (6, 9), "端午节（预排）"),
    off(2027, (9, 15), (9, 15), "中秋节（预排）"),
    work(2027, 9, 26, "国庆节（预排）"),
    off(2027, (10, 1), (10, 7), "国庆节（预排）"),
    work(2027, 10, 9, "国庆节（预排）"),
];
