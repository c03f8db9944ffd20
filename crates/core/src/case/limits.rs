//! Default time limits for 签收 (accept) and 办结 (finish), as data.
//!
//! A rule names any of category, tier, urgency, complexity and channel; the most specific
//! matching rule wins. Specificity weighs urgency (32) over channel (16) over category (8
//! exact, 4 through the parent) over tier (2) over complexity (1), so an urgent petition
//! gets the urgent limits and a 12345 case the hotline's; ties go to the earlier rule.
//!
//! Figures (DOMAIN.md, "Time limits"):
//! - county practice, by complexity: 简单 1, 复杂 7, 疑难 20 working days to finish; these
//!   are the defaults for every tier. DOMAIN gives no accept figure; 1 working day, as 12345.
//! - 12345: urgent 2 natural hours to act and 24 to finish (applied to 紧急 and 特急 on every
//!   channel — DOMAIN has no separate 特急 figure); ordinary 1 working day to accept and 5
//!   (简单) or 15 (复杂, 疑难) to finish.
//! - 信访: 15 natural days to decide acceptance, 60 to finish (+30 by approval).
//! - People's mediation (about 30 days, +30) and 司法确认 (30 days) time a mediation, not the
//!   case: they are constants here for the mediation module.

use serde::{Deserialize, Serialize};

pub use crate::calendar::LimitUnit;

use super::category;
use super::types::{Channel, Complexity, Urgency};
use crate::org::OrgLevel;

/// An amount of time in a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Limit {
    /// How many units.
    pub amount: u32,
    /// Which unit.
    pub unit: LimitUnit,
}

impl Limit {
    /// `amount` working days.
    pub const fn working_days(amount: u32) -> Self {
        Self {
            amount,
            unit: LimitUnit::WorkingDays,
        }
    }

    /// `amount` natural hours.
    pub const fn hours(amount: u32) -> Self {
        Self {
            amount,
            unit: LimitUnit::NaturalHours,
        }
    }

    /// `amount` natural days.
    pub const fn days(amount: u32) -> Self {
        Self {
            amount,
            unit: LimitUnit::NaturalDays,
        }
    }
}

/// One row of the limits table; `None` fields match anything. `C` is the category code
/// type: `&'static str` for the seed, `String` for rows loaded from storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeLimitRule<C = &'static str> {
    /// Category code (first or second level).
    pub category: Option<C>,
    /// Handling tier.
    pub tier: Option<OrgLevel>,
    /// Urgency.
    pub urgency: Option<Urgency>,
    /// Complexity.
    pub complexity: Option<Complexity>,
    /// Channel.
    pub channel: Option<Channel>,
    /// Time to sign for (签收) or, for urgent cases, to act.
    pub accept: Limit,
    /// Time to finish (办结).
    pub finish: Limit,
}

/// What a case is, for looking up its limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitQuery<'a> {
    /// Category code.
    pub category: Option<&'a str>,
    /// Its first-level code, if it is a second-level one.
    pub category_parent: Option<&'a str>,
    /// Handling tier.
    pub tier: OrgLevel,
    /// Urgency.
    pub urgency: Urgency,
    /// Complexity.
    pub complexity: Complexity,
    /// Channel.
    pub channel: Channel,
}

impl<C: AsRef<str>> TimeLimitRule<C> {
    /// How specific the rule is for `q`, or `None` if it does not match.
    pub fn specificity(&self, q: &LimitQuery<'_>) -> Option<u32> {
        fn field<T: PartialEq>(rule: &Option<T>, value: &T, weight: u32) -> Option<u32> {
            match rule {
                None => Some(0),
                Some(r) if r == value => Some(weight),
                Some(_) => None,
            }
        }
        let category = match self.category.as_ref().map(AsRef::as_ref) {
            None => 0,
            Some(c) if Some(c) == q.category => 8,
            Some(c) if Some(c) == q.category_parent => 4,
            Some(_) => return None,
        };
        Some(
            category
                + field(&self.urgency, &q.urgency, 32)?
                + field(&self.channel, &q.channel, 16)?
                + field(&self.tier, &q.tier, 2)?
                + field(&self.complexity, &q.complexity, 1)?,
        )
    }
}

/// The most specific rule of `rules` matching `q` (the earliest among equals).
pub fn pick<'r, C: AsRef<str>>(
    rules: &'r [TimeLimitRule<C>],
    q: &LimitQuery<'_>,
) -> Option<&'r TimeLimitRule<C>> {
    let mut best: Option<(u32, &TimeLimitRule<C>)> = None;
    for rule in rules {
        if let Some(s) = rule.specificity(q)
            && best.is_none_or(|(b, _)| s > b)
        {
            best = Some((s, rule));
        }
    }
    best.map(|(_, r)| r)
}

const fn rule(
    urgency: Option<Urgency>,
    channel: Option<Channel>,
    complexity: Option<Complexity>,
    accept: Limit,
    finish: Limit,
) -> TimeLimitRule {
    TimeLimitRule {
        category: None,
        tier: None,
        urgency,
        complexity,
        channel,
        accept,
        finish,
    }
}

/// The seed table (see the module docs for the sources).
pub const DEFAULT_RULES: &[TimeLimitRule] = &[
    // Anything not matched below.
    rule(
        None,
        None,
        None,
        Limit::working_days(1),
        Limit::working_days(7),
    ),
    // County practice by complexity.
    rule(
        None,
        None,
        Some(Complexity::Simple),
        Limit::working_days(1),
        Limit::working_days(1),
    ),
    rule(
        None,
        None,
        Some(Complexity::Complex),
        Limit::working_days(1),
        Limit::working_days(7),
    ),
    rule(
        None,
        None,
        Some(Complexity::Difficult),
        Limit::working_days(1),
        Limit::working_days(20),
    ),
    // 12345, ordinary.
    rule(
        None,
        Some(Channel::Hotline12345),
        None,
        Limit::working_days(1),
        Limit::working_days(15),
    ),
    rule(
        None,
        Some(Channel::Hotline12345),
        Some(Complexity::Simple),
        Limit::working_days(1),
        Limit::working_days(5),
    ),
    // 信访.
    rule(
        None,
        Some(Channel::Petition),
        None,
        Limit::days(15),
        Limit::days(60),
    ),
    // Urgent, on any channel.
    rule(
        Some(Urgency::Urgent),
        None,
        None,
        Limit::hours(2),
        Limit::hours(24),
    ),
    rule(
        Some(Urgency::Critical),
        None,
        None,
        Limit::hours(2),
        Limit::hours(24),
    ),
];

/// 信访: extension of the finish limit by approval.
pub const PETITION_EXTENSION: Limit = Limit::days(30);
/// People's mediation: time to mediate.
pub const PEOPLES_MEDIATION: Limit = Limit::days(30);
/// People's mediation: extension by agreement.
pub const PEOPLES_MEDIATION_EXTENSION: Limit = Limit::days(30);
/// Time after a mediation agreement within which the parties may apply for 司法确认.
pub const JUDICIAL_CONFIRMATION_WINDOW: Limit = Limit::days(30);
/// 吹哨报到: minutes to be on site.
pub const WHISTLE_ON_SITE_MINUTES: u32 = 30;

/// The default `(accept, finish)` limits of a case, from [`DEFAULT_RULES`]. The category's
/// parent is looked up in the seed table (or taken from the code's `D12-…` form).
pub fn default_limit(
    category: Option<&str>,
    tier: OrgLevel,
    urgency: Urgency,
    complexity: Complexity,
    channel: Channel,
) -> (Limit, Limit) {
    let q = LimitQuery {
        category,
        category_parent: category.and_then(category::parent_of),
        tier,
        urgency,
        complexity,
        channel,
    };
    pick(DEFAULT_RULES, &q).map_or((Limit::working_days(1), Limit::working_days(7)), |r| {
        (r.accept, r.finish)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(urgency: Urgency, complexity: Complexity, channel: Channel) -> (Limit, Limit) {
        default_limit(Some("D12-01"), OrgLevel::Town, urgency, complexity, channel)
    }

    #[test]
    fn domain_figures() {
        use Complexity::*;
        let wd = Limit::working_days;
        let n = Urgency::Normal;
        assert_eq!(limits(n, Simple, Channel::WalkIn), (wd(1), wd(1)));
        assert_eq!(limits(n, Complex, Channel::Phone), (wd(1), wd(7)));
        assert_eq!(limits(n, Difficult, Channel::GridReport), (wd(1), wd(20)));
        assert_eq!(limits(n, Simple, Channel::Hotline12345), (wd(1), wd(5)));
        assert_eq!(limits(n, Complex, Channel::Hotline12345), (wd(1), wd(15)));
        assert_eq!(limits(n, Difficult, Channel::Hotline12345), (wd(1), wd(15)));
        let petition = (Limit::days(15), Limit::days(60));
        assert_eq!(limits(n, Simple, Channel::Petition), petition);
        assert_eq!(limits(n, Difficult, Channel::Petition), petition);
        let urgent = (Limit::hours(2), Limit::hours(24));
        for u in [Urgency::Urgent, Urgency::Critical] {
            for ch in [Channel::Hotline12345, Channel::Petition, Channel::WalkIn] {
                assert_eq!(limits(u, Complex, ch), urgent);
            }
        }
        assert_eq!(
            default_limit(None, OrgLevel::County, n, Simple, Channel::Online),
            (wd(1), wd(1))
        );
    }

    #[test]
    fn most_specific_rule_wins() {
        let base = |finish| TimeLimitRule::<String> {
            category: None,
            tier: None,
            urgency: None,
            complexity: None,
            channel: None,
            accept: Limit::working_days(1),
            finish: Limit::working_days(finish),
        };
        let rules = vec![
            base(10),
            TimeLimitRule {
                category: Some("D12".to_owned()),
                ..base(11)
            },
            TimeLimitRule {
                category: Some("D12-03".to_owned()),
                ..base(12)
            },
            TimeLimitRule {
                tier: Some(OrgLevel::Village),
                complexity: Some(Complexity::Simple),
                ..base(13)
            },
            TimeLimitRule {
                tier: Some(OrgLevel::Village),
                ..base(14)
            },
        ];
        let q = |category, category_parent, tier| LimitQuery {
            category,
            category_parent,
            tier,
            urgency: Urgency::Normal,
            complexity: Complexity::Simple,
            channel: Channel::WalkIn,
        };
        let finish = |q: LimitQuery<'_>| pick(&rules, &q).map(|r| r.finish.amount);
        assert_eq!(finish(q(None, None, OrgLevel::Town)), Some(10));
        assert_eq!(
            finish(q(Some("D12-01"), Some("D12"), OrgLevel::Town)),
            Some(11)
        );
        assert_eq!(
            finish(q(Some("D12-03"), Some("D12"), OrgLevel::Town)),
            Some(12)
        );
        assert_eq!(finish(q(Some("D12"), None, OrgLevel::Town)), Some(11));
        assert_eq!(finish(q(Some("D01"), None, OrgLevel::Village)), Some(13));
        // category (4 via parent) outweighs tier + complexity (3).
        assert_eq!(
            finish(q(Some("D12-01"), Some("D12"), OrgLevel::Village)),
            Some(11)
        );
        assert_eq!(pick(&rules[1..2], &q(None, None, OrgLevel::Town)), None);
    }
}
