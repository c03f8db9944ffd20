//! The two-level category code table's seed: DOMAIN.md's 20 dispute categories (the 15
//! people's-mediation statistical categories plus what centers add), each with a few
//! second-level children, and the five 12345 demand types. The administrator edits the
//! table afterwards; codes are stable ASCII and never reused.

use serde::Serialize;

use super::error::CaseError;

code_enum! {
    /// Whether a category is a dispute (矛盾纠纷) or a demand (群众诉求).
    CategoryKind {
        /// 矛盾纠纷
        Dispute = "dispute", "矛盾纠纷";
        /// 群众诉求
        Demand = "demand", "群众诉求";
    }
}

/// One row of the seed table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CategorySeed {
    /// Stable code: `D01` (dispute) or `Q01` (demand) for the first level, `D01-01` below.
    pub code: &'static str,
    /// Chinese name.
    pub name: &'static str,
    /// The first-level code, for a second-level row.
    pub parent: Option<&'static str>,
    /// Dispute or demand.
    pub kind: CategoryKind,
}

/// Validates a category code: 1–16 of `A-Z 0-9 -`, starting with a letter (for rows the
/// administrator adds).
pub fn parse_code(s: &str) -> Result<String, CaseError> {
    let s = s.trim().to_ascii_uppercase();
    let ok = (1..=16).contains(&s.len())
        && s.bytes().next().is_some_and(|b| b.is_ascii_uppercase())
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(s)
    } else {
        Err(CaseError::BadCategoryCode)
    }
}

/// The seed row with `code`.
pub fn find(code: &str) -> Option<&'static CategorySeed> {
    SEED.iter().find(|c| c.code == code)
}

/// The first-level rows, in table order.
pub fn top_level() -> impl Iterator<Item = &'static CategorySeed> {
    SEED.iter().filter(|c| c.parent.is_none())
}

/// The second-level rows under `code`.
pub fn children(code: &str) -> impl Iterator<Item = &'static CategorySeed> + '_ {
    SEED.iter().filter(move |c| c.parent == Some(code))
}

/// The first-level code of `code`: its seed parent, else the part before the first `-`
/// (the convention for added rows), else `None` for a first-level code.
pub fn parent_of(code: &str) -> Option<&str> {
    match find(code) {
        Some(c) => c.parent,
        None => code.split_once('-').map(|(p, _)| p),
    }
}

macro_rules! seed {
    ($kind:ident: $( $code:literal $name:literal [ $( $ccode:literal $cname:literal ),* ] )* ) => {
        &[ $(
            CategorySeed { code: $code, name: $name, parent: None, kind: CategoryKind::$kind },
            $( CategorySeed {
                code: $ccode, name: $cname, parent: Some($code), kind: CategoryKind::$kind,
            }, )*
        )* ]
    };
}

const DISPUTES: &[CategorySeed] = seed! { Dispute:
    "D01" "婚姻家庭" ["D01-01" "婚姻", "D01-02" "抚养赡养", "D01-03" "继承", "D01-04" "家庭暴力"]
    "D02" "邻里纠纷" ["D02-01" "相邻通行", "D02-02" "噪声干扰", "D02-03" "采光通风", "D02-04" "排水"]
    "D03" "房屋宅基地" ["D03-01" "宅基地", "D03-02" "房屋买卖", "D03-03" "房屋租赁", "D03-04" "建房"]
    "D04" "合同/债务" ["D04-01" "民间借贷", "D04-02" "买卖合同", "D04-03" "承揽合同"]
    "D05" "生产经营" ["D05-01" "农业生产", "D05-02" "个体经营", "D05-03" "承包经营"]
    "D06" "损害赔偿" ["D06-01" "人身损害", "D06-02" "财产损害", "D06-03" "动物致害"]
    "D07" "山林土地" ["D07-01" "山林权属", "D07-02" "土地承包", "D07-03" "水利灌溉"]
    "D08" "征地拆迁" ["D08-01" "征地补偿", "D08-02" "房屋征收", "D08-03" "安置"]
    "D09" "环境污染" ["D09-01" "噪声污染", "D09-02" "大气污染", "D09-03" "水污染", "D09-04" "固体废物"]
    "D10" "劳动争议/欠薪" ["D10-01" "拖欠工资", "D10-02" "工伤", "D10-03" "劳动合同", "D10-04" "社会保险"]
    "D11" "新业态劳资" ["D11-01" "外卖配送", "D11-02" "网约车", "D11-03" "网络主播"]
    "D12" "消费纠纷" ["D12-01" "汽车", "D12-02" "建材家装", "D12-03" "预付式消费", "D12-04" "网络购物"]
    "D13" "医疗纠纷" ["D13-01" "医疗损害", "D13-02" "医疗费用"]
    "D14" "道路交通事故" ["D14-01" "人身伤亡", "D14-02" "财产损失"]
    "D15" "物业纠纷" ["D15-01" "物业服务", "D15-02" "物业费", "D15-03" "公共维修"]
    "D16" "涉校纠纷" ["D16-01" "校园伤害", "D16-02" "学生欺凌", "D16-03" "教育收费"]
    "D17" "涉企纠纷" ["D17-01" "企业间合同", "D17-02" "知识产权", "D17-03" "营商环境"]
    "D18" "行政争议" ["D18-01" "行政处罚", "D18-02" "行政许可", "D18-03" "行政不作为"]
    "D19" "涉法涉诉" ["D19-01" "判决执行", "D19-02" "诉讼程序"]
    "D20" "其他" []
};

const DEMANDS: &[CategorySeed] = seed! { Demand:
    "Q01" "咨询" []
    "Q02" "求助" []
    "Q03" "投诉" []
    "Q04" "举报" []
    "Q05" "建议" []
};

/// The whole seed table: disputes, then demands; every parent before its children.
pub static SEED: &[CategorySeed] = &concat_seed();

const fn concat_seed() -> [CategorySeed; DISPUTES.len() + DEMANDS.len()] {
    let mut out = [DEMANDS[0]; DISPUTES.len() + DEMANDS.len()];
    let mut i = 0;
    while i < DISPUTES.len() {
        out[i] = DISPUTES[i];
        i += 1;
    }
    let mut j = 0;
    while j < DEMANDS.len() {
        out[DISPUTES.len() + j] = DEMANDS[j];
        j += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_has_domain_categories() {
        let disputes: Vec<_> = top_level()
            .filter(|c| c.kind == CategoryKind::Dispute)
            .collect();
        assert_eq!(disputes.len(), 20);
        assert_eq!(disputes[0].name, "婚姻家庭");
        assert_eq!(disputes[19].name, "其他");
        let demands: Vec<_> = top_level().map(|c| c.name).skip(20).collect();
        assert_eq!(demands, ["咨询", "求助", "投诉", "举报", "建议"]);
        let consumer: Vec<_> = children("D12").map(|c| c.name).collect();
        assert_eq!(consumer, ["汽车", "建材家装", "预付式消费", "网络购物"]);
        let labour: Vec<_> = children("D10").map(|c| c.name).collect();
        assert!(labour.starts_with(&["拖欠工资", "工伤", "劳动合同"]));
    }

    #[test]
    fn seed_is_well_formed() {
        for (i, c) in SEED.iter().enumerate() {
            assert_eq!(parse_code(c.code).as_deref(), Ok(c.code));
            assert!(
                SEED[..i].iter().all(|o| o.code != c.code),
                "{} repeats",
                c.code
            );
            if let Some(p) = c.parent {
                let parent = SEED[..i].iter().find(|o| o.code == p);
                assert!(parent.is_some_and(|p| p.parent.is_none() && p.kind == c.kind));
                assert!(c.code.starts_with(&format!("{p}-")));
                assert_eq!(parent_of(c.code), Some(p));
            } else {
                assert_eq!(parent_of(c.code), None);
            }
        }
        assert_eq!(parent_of("D12-99"), Some("D12"));
        assert!(parse_code("1AB").is_err());
        assert!(parse_code("D01 01").is_err());
        assert_eq!(parse_code(" d21 ").as_deref(), Ok("D21"));
    }
}
