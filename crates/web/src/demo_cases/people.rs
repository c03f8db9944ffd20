//! Fictional people, firms and places for the demo history: names, 居民身份证号 with a valid
//! GB 11643 check digit, mobile numbers, company and estate names. Everything is drawn
//! from the generator's seeded RNG, so the same seed gives the same people.

use chrono::{Datelike, NaiveDate};
use rand::Rng;
use rand::rngs::StdRng;
use zongzhi_core::personal::{IdCardNo, PhoneNo};

/// Common surnames, most frequent first (weights fall off along the list).
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏",
    "韦", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "段", "雷", "侯", "龙", "史",
    "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵", "万", "严",
];
const MALE_CHARS: &[&str] = &[
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "建",
    "国", "志", "文", "俊", "海", "波", "林", "峰", "宇", "浩", "凯", "健", "成", "兵", "德", "福",
    "贵", "荣", "春", "金", "永", "长", "庆", "祥", "新", "立", "东", "清", "忠",
];
const FEMALE_CHARS: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀", "英", "梅", "玲", "燕", "红", "萍", "琴",
    "云", "兰", "凤", "洁", "婷", "雪", "慧", "莉", "颖", "琳", "倩", "莹", "月", "珍",
];
/// Word pairs for firm names.
const FIRM_CORES: &[&str] = &[
    "宏达", "鑫源", "华通", "恒昌", "永兴", "金鹏", "瑞丰", "盛世", "天宇", "顺发", "东升", "福临",
    "嘉禾", "明远", "新力", "佳诚", "汇丰", "昌盛", "隆鑫", "博远", "润泽", "中恒", "锦程", "华晟",
    "伟业", "正泰", "联创", "鼎盛", "百川", "宏图",
];
const ESTATES: &[&str] = &[
    "锦绣花园",
    "阳光水岸",
    "滨江名苑",
    "翠湖小区",
    "金色家园",
    "幸福里",
    "东方明珠苑",
    "丽景湾",
    "紫荆花园",
    "书香门第",
    "江南世家",
    "和园",
    "御景华庭",
    "碧桂苑",
    "城南新村",
    "望江府",
    "柳岸人家",
    "桃李春风",
    "湖畔佳苑",
    "新城嘉园",
];
const ROADS: &[&str] = &[
    "人民路",
    "解放路",
    "建设路",
    "中山路",
    "江滨路",
    "文化路",
    "新华路",
    "青年路",
    "工业路",
    "湖滨路",
    "长安街",
    "振兴路",
    "学府路",
    "环城东路",
    "环城西路",
    "迎宾大道",
];
const SCHOOL_KINDS: &[&str] = &["中心小学", "实验小学", "初级中学", "第二中学", "中心幼儿园"];
const HOSPITALS: &[&str] = &[
    "人民医院",
    "中医院",
    "妇幼保健院",
    "中心卫生院",
    "第二人民医院",
];
const PLATFORMS: &[&str] = &["速达外卖", "快兔出行", "优送同城", "橙子直播", "蜂鸟跑腿"];
const GOODS: &[&str] = &[
    "电动车",
    "冰箱",
    "空调",
    "手机",
    "电视机",
    "洗衣机",
    "燃气灶",
    "笔记本电脑",
    "家具",
];
const CARS: &[&str] = &["新能源轿车", "SUV", "二手轿车", "家用轿车"];
/// Household registration areas: the demo counties and provinces migrant workers come from.
const ID_AREAS: &[&str] = &[
    "339901", "339901", "339901", "339902", "339902", "339902", "511321", "412723", "342422",
    "430524", "522425", "360721", "421181", "450881",
];
/// Mobile prefixes in use on the mainland.
const PHONE_PREFIXES: &[&str] = &[
    "134", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "182",
    "183", "187", "188", "130", "131", "132", "155", "156", "185", "186", "133", "153", "180",
    "181", "189", "177", "199", "166", "198",
];

/// Picks an element, favouring the front of the list (roughly Zipf-like).
pub(super) fn pick_front<'a>(rng: &mut StdRng, list: &[&'a str]) -> &'a str {
    let n = list.len();
    let a = rng.random_range(0..n);
    let b = rng.random_range(0..n);
    list.get(a.min(b)).copied().unwrap_or("")
}

/// Picks an element uniformly.
pub(super) fn pick<'a>(rng: &mut StdRng, list: &[&'a str]) -> &'a str {
    if list.is_empty() {
        return "";
    }
    list.get(rng.random_range(0..list.len()))
        .copied()
        .unwrap_or("")
}

/// A fictional person: name, sex and birth date.
#[derive(Debug, Clone)]
pub(super) struct Person {
    pub name: String,
    pub male: bool,
    pub birth: NaiveDate,
}

/// A person aged `min_age..=max_age` on `on`.
pub(super) fn person(rng: &mut StdRng, on: NaiveDate, min_age: i32, max_age: i32) -> Person {
    let male = rng.random_bool(0.55);
    person_of(rng, on, min_age, max_age, male)
}

/// A man (`male`) or a woman aged `min_age..=max_age` on `on`.
pub(super) fn person_of(
    rng: &mut StdRng,
    on: NaiveDate,
    min_age: i32,
    max_age: i32,
    male: bool,
) -> Person {
    let surname = pick_front(rng, SURNAMES);
    let chars = if male { MALE_CHARS } else { FEMALE_CHARS };
    let mut name = surname.to_owned();
    name.push_str(pick(rng, chars));
    if rng.random_bool(0.7) {
        name.push_str(pick(rng, chars));
    }
    let age = rng.random_range(min_age..=max_age.max(min_age));
    let year = on.year() - age;
    let birth = NaiveDate::from_ymd_opt(year, rng.random_range(1..=12), rng.random_range(1..=28))
        .unwrap_or(on);
    Person { name, male, birth }
}

/// A valid 居民身份证号 for `p`: area code, birth date, a 3-digit sequence whose last digit
/// is odd for men and even for women, and the ISO 7064 MOD 11-2 check character.
pub(super) fn id_card(rng: &mut StdRng, p: &Person) -> Option<IdCardNo> {
    let area = pick(rng, ID_AREAS);
    let mut seq = rng.random_range(0..500u32) * 2;
    if p.male {
        seq += 1;
    }
    let first17 = format!("{area}{}{:03}", p.birth.format("%Y%m%d"), seq % 1000);
    let check = check_char(&first17)?;
    IdCardNo::parse(&format!("{first17}{check}")).ok()
}

/// The GB 11643 check character of 17 digits.
pub(super) fn check_char(first17: &str) -> Option<char> {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += c.to_digit(10)? * w;
    }
    CHECK.get((sum % 11) as usize).map(|&b| char::from(b))
}

/// A mobile number.
pub(super) fn phone(rng: &mut StdRng) -> Option<PhoneNo> {
    let prefix = pick(rng, PHONE_PREFIXES);
    PhoneNo::parse(&format!(
        "{prefix}{:08}",
        rng.random_range(0..100_000_000u32)
    ))
    .ok()
}

/// A firm name such as `临江宏达建筑劳务有限公司`.
pub(super) fn firm(rng: &mut StdRng, place: &str, industry: &str) -> String {
    format!("{place}{}{industry}有限公司", pick(rng, FIRM_CORES))
}

/// A shop name such as `鑫源建材店`.
pub(super) fn shop(rng: &mut StdRng, trade: &str) -> String {
    format!("{}{trade}", pick(rng, FIRM_CORES))
}

/// A residential estate.
pub(super) fn estate(rng: &mut StdRng) -> &'static str {
    pick(rng, ESTATES)
}

/// A road.
pub(super) fn road(rng: &mut StdRng) -> &'static str {
    pick(rng, ROADS)
}

/// A school kind (prefixed with a place by the caller).
pub(super) fn school(rng: &mut StdRng) -> &'static str {
    pick(rng, SCHOOL_KINDS)
}

/// A hospital kind (prefixed with a place by the caller).
pub(super) fn hospital(rng: &mut StdRng) -> &'static str {
    pick(rng, HOSPITALS)
}

/// A platform of the new forms of work.
pub(super) fn platform(rng: &mut StdRng) -> &'static str {
    pick(rng, PLATFORMS)
}

/// A consumer good.
pub(super) fn goods(rng: &mut StdRng) -> &'static str {
    pick(rng, GOODS)
}

/// A kind of car.
pub(super) fn car(rng: &mut StdRng) -> &'static str {
    pick(rng, CARS)
}

/// An amount in yuan as people say it: `8500元`, `3.6万元`.
pub(super) fn yuan_text(yuan: i64) -> String {
    if yuan >= 10_000 {
        let wan = (yuan as f64 / 1000.0).round() / 10.0;
        if (wan - wan.trunc()).abs() < f64::EPSILON {
            format!("{}万元", wan as i64)
        } else {
            format!("{wan:.1}万元")
        }
    } else {
        format!("{yuan}元")
    }
}

/// The sex a template gives the person in `slot` (`{a}` or `{b}`): `Some(true)` for a man.
pub(super) fn sex_of(template: &str, slot: &str) -> Option<bool> {
    // A kinship word right before the slot names that person: "丈夫{b}", "妹妹{b}".
    for (w, male) in [
        ("丈夫", true),
        ("前夫", true),
        ("叔叔", true),
        ("大哥", true),
        ("男方", true),
        ("前妻", false),
        ("妹妹", false),
        ("妇女", false),
    ] {
        if template.contains(&format!("{w}{slot}")) {
            return Some(male);
        }
    }
    // Otherwise the applicant is the spouse of the one named: "{a}与丈夫…" is a woman.
    if slot == "{a}" {
        for (w, male) in [("丈夫", false), ("前夫", false), ("前妻", true)] {
            if template.contains(w) {
                return Some(male);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn id_numbers_validate() {
        let mut rng = StdRng::seed_from_u64(7);
        let on = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        for _ in 0..500 {
            let p = person(&mut rng, on, 18, 80);
            let id = id_card(&mut rng, &p).unwrap();
            assert_eq!(id.birth_date(), p.birth);
            let sex_digit = id.as_str().as_bytes()[16] - b'0';
            assert_eq!(sex_digit % 2 == 1, p.male);
            assert!(phone(&mut rng).is_some());
        }
        // The example from GB 11643.
        assert_eq!(check_char("11010519491231002"), Some('X'));
    }

    #[test]
    fn amounts_read_naturally() {
        assert_eq!(yuan_text(8500), "8500元");
        assert_eq!(yuan_text(36_000), "3.6万元");
        assert_eq!(yuan_text(120_000), "12万元");
    }

    #[test]
    fn kinship_words_decide_sex() {
        let t = "{a}与丈夫{b}婚姻纠纷";
        assert_eq!(
            (sex_of(t, "{a}"), sex_of(t, "{b}")),
            (Some(false), Some(true))
        );
        let t = "{a}与前妻{b}已于3年前协议离婚";
        assert_eq!(
            (sex_of(t, "{a}"), sex_of(t, "{b}")),
            (Some(true), Some(false))
        );
        assert_eq!(sex_of("男方{a}要求女方家庭返还彩礼", "{a}"), Some(true));
        assert_eq!(sex_of("网格员发现妇女{a}身上多处淤青", "{a}"), Some(false));
        assert_eq!(sex_of("{a}借给朋友{b}", "{b}"), None);
    }
}
