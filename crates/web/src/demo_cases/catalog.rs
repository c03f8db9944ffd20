//! What each category of the seed table looks like in the demo: its share of all cases,
//! its season, the channels it arrives by, how complex and urgent it tends to be, how many
//! people it involves, which departments handle it, and its text templates.

use rand::Rng;
use rand::rngs::StdRng;
use zongzhi_core::case::Channel;

use super::season::Season;
use super::{texts_a as a, texts_b as b, texts_c as c};

/// A second-level category (or a first-level one without children) and its templates.
pub(super) struct Leaf {
    /// Category code.
    pub code: &'static str,
    /// Range of the amount involved in yuan, drawn log-uniformly when a template names it.
    pub amount: (i64, i64),
    /// (title, description) templates.
    pub tpls: &'static [(&'static str, &'static str)],
}

/// A first-level category as the demo draws it.
pub(super) struct Group {
    /// First-level code.
    pub code: &'static str,
    /// Share of all cases on an ordinary day, per mille.
    pub share: u32,
    /// How the volume moves over the year.
    pub season: Season,
    /// Second-level categories (or the group itself).
    pub leaves: &'static [Leaf],
    /// Name fragments of the departments that handle it, most usual first.
    pub depts: &'static [&'static str],
    /// Channel mix.
    pub channels: &'static [(Channel, u32)],
    /// Weights of 简单 / 复杂 / 疑难.
    pub complexity: [u32; 3],
    /// Percentage that is 紧急 or 特急.
    pub urgent: u32,
    /// People involved when a template speaks of a group (`{n}`).
    pub people: (i32, i32),
    /// Whether it is a demand (诉求) rather than a dispute.
    pub demand: bool,
}

use Channel::*;

const DISPUTE: &[(Channel, u32)] = &[
    (WalkIn, 30),
    (Phone, 9),
    (GridReport, 18),
    (Hotline12345, 13),
    (Police110, 9),
    (Petition, 4),
    (Online, 6),
    (Transfer, 5),
    (Screening, 6),
];
const NEIGHBOUR: &[(Channel, u32)] = &[
    (WalkIn, 28),
    (GridReport, 25),
    (Phone, 10),
    (Hotline12345, 14),
    (Police110, 10),
    (Screening, 8),
    (Online, 5),
];
const POLICE: &[(Channel, u32)] = &[
    (Police110, 40),
    (WalkIn, 20),
    (Phone, 10),
    (GridReport, 8),
    (Hotline12345, 10),
    (Transfer, 8),
    (Online, 4),
];
const PETITION: &[(Channel, u32)] = &[
    (Petition, 30),
    (WalkIn, 25),
    (Hotline12345, 15),
    (Online, 10),
    (Phone, 8),
    (Transfer, 7),
    (GridReport, 5),
];
const LABOUR: &[(Channel, u32)] = &[
    (WalkIn, 30),
    (Hotline12345, 25),
    (Phone, 10),
    (Petition, 8),
    (Online, 10),
    (Transfer, 7),
    (GridReport, 6),
    (Screening, 4),
];
const DEMAND: &[(Channel, u32)] = &[
    (Hotline12345, 45),
    (Online, 18),
    (Phone, 14),
    (WalkIn, 12),
    (GridReport, 6),
    (Transfer, 3),
    (Screening, 2),
];

macro_rules! group {
    ($code:literal, $share:literal, $season:ident, $leaves:expr, [$($d:literal),*], $ch:expr,
     $cx:expr, $urgent:literal, $people:expr, $demand:literal) => {
        Group {
            code: $code,
            share: $share,
            season: Season::$season,
            leaves: $leaves,
            depts: &[$($d),*],
            channels: $ch,
            complexity: $cx,
            urgent: $urgent,
            people: $people,
            demand: $demand,
        }
    };
}

/// Every first-level category of the seed table: code, share ‰, season, templates,
/// departments, channels, complexity weights, urgent %, people of a group, demand.
#[rustfmt::skip]
pub(super) const GROUPS: &[Group] = &[
    group!("D01", 90, AfterSpringFestival, a::D01, ["司法", "妇联", "民政", "派出所"], DISPUTE, [60, 32, 8], 6, (3, 8), false),
    group!("D02", 140, Summer, a::D02, ["司法", "派出所", "城市管理"], NEIGHBOUR, [70, 26, 4], 4, (3, 20), false),
    group!("D03", 60, FarmSeasons, a::D03, ["自然资源", "住房", "司法"], DISPUTE, [40, 45, 15], 3, (3, 10), false),
    group!("D04", 60, BeforeSpringFestival, a::D04, ["司法", "法院"], DISPUTE, [50, 40, 10], 2, (3, 10), false),
    group!("D05", 22, FarmSeasons, a::D05, ["市场监督", "司法", "自然资源"], DISPUTE, [45, 45, 10], 3, (5, 30), false),
    group!("D06", 50, Flat, a::D06, ["司法", "派出所", "公安"], POLICE, [50, 40, 10], 8, (3, 10), false),
    group!("D07", 30, FarmSeasons, a::D07, ["自然资源", "司法"], DISPUTE, [30, 45, 25], 6, (10, 60), false),
    group!("D08", 30, Flat, a::D08, ["自然资源", "住房", "信访"], PETITION, [15, 45, 40], 8, (8, 80), false),
    group!("D09", 40, Summer, c::D09, ["生态环境", "城市管理"], NEIGHBOUR, [45, 45, 10], 8, (5, 60), false),
    group!("D10", 100, BeforeSpringFestival, c::D10, ["人力资源", "总工会"], LABOUR, [35, 45, 20], 12, (5, 80), false),
    group!("D11", 20, BeforeSpringFestival, b::D11, ["人力资源", "总工会", "市场监督"], LABOUR, [45, 45, 10], 4, (5, 40), false),
    group!("D12", 50, ShoppingPeaks, b::D12, ["市场监督"], DEMAND, [65, 30, 5], 2, (5, 120), false),
    group!("D13", 15, Flat, b::D13, ["卫生健康", "司法"], PETITION, [25, 45, 30], 15, (5, 30), false),
    group!("D14", 40, Flat, b::D14, ["公安", "派出所", "司法"], POLICE, [50, 40, 10], 10, (3, 6), false),
    group!("D15", 70, Flat, b::D15, ["住房", "司法", "城市管理"], NEIGHBOUR, [45, 45, 10], 3, (8, 150), false),
    group!("D16", 15, SchoolTerm, b::D16, ["教育"], DISPUTE, [45, 45, 10], 8, (5, 40), false),
    group!("D17", 15, Flat, b::D17, ["市场监督", "法院", "司法"], DISPUTE, [30, 50, 20], 3, (3, 20), false),
    group!("D18", 10, Flat, b::D18, ["司法", "信访", "城市管理"], PETITION, [30, 45, 25], 2, (3, 10), false),
    group!("D19", 15, Flat, b::D19, ["法院", "信访", "司法"], PETITION, [15, 45, 40], 3, (3, 10), false),
    group!("D20", 20, Flat, c::D20, ["司法", "信访"], DISPUTE, [65, 30, 5], 3, (3, 10), false),
    group!("Q01", 50, Flat, c::Q01, ["司法", "人力资源", "民政"], DEMAND, [90, 10, 0], 0, (1, 1), true),
    group!("Q02", 30, Winter, c::Q02, ["民政", "应急", "派出所"], DEMAND, [60, 35, 5], 30, (1, 1), true),
    group!("Q03", 40, Flat, c::Q03, ["市场监督", "城市管理", "住房"], DEMAND, [65, 30, 5], 3, (5, 40), true),
    group!("Q04", 20, Flat, c::Q04, ["公安", "市场监督", "生态环境", "自然资源"], DEMAND, [55, 40, 5], 8, (1, 1), true),
    group!("Q05", 10, Flat, c::Q05, ["城市管理", "住房", "教育"], DEMAND, [70, 30, 0], 0, (1, 1), true),
];

/// Draws an index by weight.
pub(super) fn weighted<T>(rng: &mut StdRng, items: &[T], weight: impl Fn(&T) -> f64) -> usize {
    let total: f64 = items.iter().map(&weight).sum();
    if items.is_empty() || total <= 0.0 {
        return 0;
    }
    let mut x = rng.random_range(0.0..total);
    for (i, it) in items.iter().enumerate() {
        let w = weight(it);
        if x < w {
            return i;
        }
        x -= w;
    }
    items.len() - 1
}

/// Draws a channel from a mix.
pub(super) fn channel(rng: &mut StdRng, mix: &[(Channel, u32)]) -> Channel {
    let i = weighted(rng, mix, |(_, w)| f64::from(*w));
    mix.get(i).map_or(Channel::WalkIn, |(c, _)| *c)
}

#[cfg(test)]
mod tests {
    use zongzhi_core::case::category::{self, SEED};

    use super::*;

    #[test]
    fn every_seed_category_has_templates() {
        for c in SEED {
            let has_children = category::children(c.code).next().is_some();
            if has_children {
                continue;
            }
            let leaf = GROUPS
                .iter()
                .flat_map(|g| g.leaves)
                .find(|l| l.code == c.code);
            let Some(leaf) = leaf else {
                panic!("no templates for {}", c.code);
            };
            assert!(leaf.tpls.len() >= 2, "{} needs several templates", c.code);
        }
        for g in GROUPS {
            assert!(category::find(g.code).is_some_and(|c| c.parent.is_none()));
            for l in g.leaves {
                assert!(
                    category::find(l.code).is_some(),
                    "{} is not in the seed",
                    l.code
                );
                assert!(l.amount.0 <= l.amount.1);
            }
        }
    }
}
