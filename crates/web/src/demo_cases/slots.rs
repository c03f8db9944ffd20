//! The values a case's templates are filled with: its people, places, firms and figures.
//! One set per case, so the description, the address and every note of its history speak
//! of the same people and the same amounts.

use chrono::NaiveDate;
use rand::Rng;
use rand::rngs::StdRng;

use super::people;
use super::season::Season;

/// Where a case happens, by name.
#[derive(Debug, Clone)]
pub(super) struct PlaceNames {
    /// City name without 市, for firm names (`临江`).
    pub city_short: String,
    /// County or district.
    pub county: String,
    /// Town or street.
    pub town: String,
    /// Village or community.
    pub village: String,
}

/// A case's slot values.
#[derive(Debug, Clone)]
pub(super) struct Slots {
    values: Vec<(&'static str, String)>,
}

/// What the slots are built from besides the RNG.
pub(super) struct SlotInput<'a> {
    pub places: &'a PlaceNames,
    pub date: NaiveDate,
    pub a: &'a str,
    pub b: &'a str,
    pub people: i32,
    pub amount_yuan: Option<i64>,
}

const INDUSTRIES: &[&str] = &[
    "服装",
    "电子科技",
    "食品",
    "物流",
    "商贸",
    "包装材料",
    "餐饮管理",
    "家具",
    "纺织",
    "新材料",
];
const FACTORY_INDUSTRIES: &[&str] = &["化工", "机械制造", "塑料制品", "五金制品", "印染", "建材"];

impl Slots {
    /// Draws every slot value.
    pub(super) fn new(rng: &mut StdRng, inp: &SlotInput<'_>) -> Self {
        let p = inp.places;
        let before_festival = Season::BeforeSpringFestival.factor(inp.date) > 1.5;
        let village_short = p.village.clone();
        let industry = people::pick(rng, INDUSTRIES);
        let factory_industry = people::pick(rng, FACTORY_INDUSTRIES);
        let values = vec![
            ("a", inp.a.to_owned()),
            ("b", inp.b.to_owned()),
            ("n", inp.people.to_string()),
            ("amt", people::yuan_text(inp.amount_yuan.unwrap_or(0))),
            ("months", rng.random_range(2..=8).to_string()),
            ("years", rng.random_range(2..=12).to_string()),
            ("age", rng.random_range(72..=91).to_string()),
            ("area", rng.random_range(2..=60).to_string()),
            ("village", village_short),
            ("group", format!("{}组", rng.random_range(1..=9))),
            ("town", p.town.clone()),
            ("county", p.county.clone()),
            ("estate", people::estate(rng).to_owned()),
            ("bld", rng.random_range(1..=28).to_string()),
            (
                "room",
                format!("{}0{}", rng.random_range(2..=18), rng.random_range(1..=4)),
            ),
            ("road", people::road(rng).to_owned()),
            ("no", rng.random_range(1..=268).to_string()),
            ("company", people::firm(rng, &p.city_short, industry)),
            ("builder", people::firm(rng, &p.city_short, "建筑劳务")),
            (
                "factory",
                people::firm(rng, &p.city_short, factory_industry),
            ),
            ("brand", people::shop(rng, "")),
            ("school", people::school(rng).to_owned()),
            ("hospital", people::hospital(rng).to_owned()),
            ("platform", people::platform(rng).to_owned()),
            ("goods", people::goods(rng).to_owned()),
            ("car", people::car(rng).to_owned()),
            (
                "when",
                if before_festival {
                    "临近春节，"
                } else {
                    "近期"
                }
                .to_owned(),
            ),
        ];
        Self { values }
    }

    /// Replaces the value of `key` (e.g. an age that must match a party's birth date).
    pub(super) fn set(&mut self, key: &'static str, value: String) {
        match self.values.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.values.push((key, value)),
        }
    }

    /// The value of `key`.
    pub(super) fn get(&self, key: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }

    /// `template` with every `{key}` replaced; an unknown key is kept as written.
    pub(super) fn fill(&self, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close) => {
                    let key = &after[..close];
                    match self.get(key) {
                        Some(v) => out.push_str(v),
                        None => {
                            out.push('{');
                            out.push_str(key);
                            out.push('}');
                        }
                    }
                    rest = &after[close + 1..];
                }
                None => {
                    out.push_str(&rest[open..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use rand::SeedableRng;

    use super::super::catalog::GROUPS;
    use super::*;

    #[test]
    fn every_template_fills_completely() {
        let mut rng = StdRng::seed_from_u64(1);
        let places = PlaceNames {
            city_short: "临江".into(),
            county: "东湖区".into(),
            town: "柳河镇".into(),
            village: "和平村".into(),
        };
        let inp = SlotInput {
            places: &places,
            date: NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(),
            a: "王建国",
            b: "李芳",
            people: 12,
            amount_yuan: Some(36_000),
        };
        let slots = Slots::new(&mut rng, &inp);
        assert_eq!(slots.get("when"), Some("临近春节，"));
        for g in GROUPS {
            for l in g.leaves {
                for (t, d) in l.tpls {
                    for s in [slots.fill(t), slots.fill(d)] {
                        assert!(!s.contains('{') && !s.contains('}'), "{s}");
                    }
                    assert!(slots.fill(t).chars().count() <= 60, "{t}");
                }
            }
        }
        assert_eq!(slots.fill("{a}欠{amt}"), "王建国欠3.6万元");
        assert_eq!(slots.fill("{x}"), "{x}");
    }
}
