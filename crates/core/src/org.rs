//! The org tree (市/县/乡镇/村/网格) and the departments stationed in its centers.

use serde::{Deserialize, Serialize};

/// Database id of an org unit.
pub type OrgUnitId = i64;
/// Database id of a department.
pub type DepartmentId = i64;

/// Tier of an org unit (`OrgLevel` in DOMAIN.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgLevel {
    /// 市
    City,
    /// 县/区
    County,
    /// 乡镇/街道
    Town,
    /// 村/社区
    Village,
    /// 网格
    Grid,
}

impl OrgLevel {
    /// All levels, top down.
    pub const ALL: [OrgLevel; 5] = [
        Self::City,
        Self::County,
        Self::Town,
        Self::Village,
        Self::Grid,
    ];

    /// Stable identifier used in storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::City => "city",
            Self::County => "county",
            Self::Town => "town",
            Self::Village => "village",
            Self::Grid => "grid",
        }
    }

    /// Parses the stable identifier.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// Chinese label for the console.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::City => "市",
            Self::County => "县（区）",
            Self::Town => "乡镇（街道）",
            Self::Village => "村（社区）",
            Self::Grid => "网格",
        }
    }

    /// The level directly below, if any.
    pub fn child(self) -> Option<Self> {
        match self {
            Self::City => Some(Self::County),
            Self::County => Some(Self::Town),
            Self::Town => Some(Self::Village),
            Self::Village => Some(Self::Grid),
            Self::Grid => None,
        }
    }
}

/// Kind of a department stationed in a center (入驻方式).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DepartmentKind {
    /// 常驻: permanently stationed.
    Resident,
    /// 轮驻: stationed in rotation.
    Rotating,
    /// 联系: on call, reached by liaison.
    Liaison,
}

impl DepartmentKind {
    /// All kinds.
    pub const ALL: [DepartmentKind; 3] = [Self::Resident, Self::Rotating, Self::Liaison];

    /// Stable identifier used in storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Resident => "resident",
            Self::Rotating => "rotating",
            Self::Liaison => "liaison",
        }
    }

    /// Parses the stable identifier.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Chinese label for the console.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Resident => "常驻",
            Self::Rotating => "轮驻",
            Self::Liaison => "联系",
        }
    }
}

/// An administrative code (行政区划代码 or a local grid code): 2–20 ASCII digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OrgCode(String);

impl OrgCode {
    /// Parses a code; only ASCII digits, 2 to 20 of them.
    pub fn parse(s: &str) -> Result<Self, OrgError> {
        let s = s.trim();
        if (2..=20).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(OrgError::BadCode)
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A unit name: 1–64 characters after trimming, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitName(String);

impl UnitName {
    /// Parses a name.
    pub fn parse(s: &str) -> Result<Self, OrgError> {
        let s = s.trim();
        let n = s.chars().count();
        if n == 0 || n > 64 || s.chars().any(char::is_control) {
            Err(OrgError::BadName)
        } else {
            Ok(Self(s.to_owned()))
        }
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why an org unit or department could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgError {
    /// Code is not 2–20 digits.
    #[error("code must be 2 to 20 digits")]
    BadCode,
    /// Name is empty, too long or has control characters.
    #[error("name must be 1 to 64 characters")]
    BadName,
    /// The child level does not sit directly below the parent's.
    #[error("level does not fit under the parent")]
    BadLevel,
    /// Unknown department kind.
    #[error("unknown department kind")]
    BadKind,
}

impl OrgError {
    /// Stable error code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadCode => "org_code_invalid",
            Self::BadName => "name_invalid",
            Self::BadLevel => "org_level_invalid",
            Self::BadKind => "department_kind_invalid",
        }
    }

    /// Chinese message for the console.
    pub fn message_zh(&self) -> &'static str {
        match self {
            Self::BadCode => "代码须为2至20位数字",
            Self::BadName => "名称须为1至64个字符",
            Self::BadLevel => "层级与上级单位不匹配",
            Self::BadKind => "入驻方式无效",
        }
    }
}

/// Materialized path of a unit: the parent's path plus the unit's code, e.g.
/// `/339900/339901/339901001/`. "In my subtree" is a prefix test, i.e. one indexed range.
pub fn child_path(parent_path: Option<&str>, code: &OrgCode) -> String {
    format!("{}{}/", parent_path.unwrap_or("/"), code.as_str())
}

/// Half-open range `[lo, hi)` of paths inside the subtree rooted at `path`.
///
/// `/` sorts just below `0`, so every descendant path `path + "…"` is `< path[..-1] + "0"`.
pub fn subtree_range(path: &str) -> (String, String) {
    let lo = path.to_owned();
    let hi = match path.strip_suffix('/') {
        Some(stem) => format!("{stem}0"),
        None => format!("{path}\u{10FFFF}"),
    };
    (lo, hi)
}

/// Whether `path` is `ancestor` or inside its subtree.
pub fn path_within(path: &str, ancestor: &str) -> bool {
    path.starts_with(ancestor)
}

/// Validates that a unit of `level` may sit under a parent of `parent_level`.
pub fn check_level(parent_level: Option<OrgLevel>, level: OrgLevel) -> Result<(), OrgError> {
    match parent_level {
        None if level == OrgLevel::City => Ok(()),
        Some(p) if p.child() == Some(level) => Ok(()),
        _ => Err(OrgError::BadLevel),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtree_range_covers_descendants_only() {
        let (lo, hi) = subtree_range("/33/3301/");
        for inside in ["/33/3301/", "/33/3301/330101/", "/33/3301/9/9/"] {
            assert!(inside >= lo.as_str() && inside < hi.as_str(), "{inside}");
        }
        for outside in ["/33/", "/33/3302/", "/33/33010/", "/33/3300/"] {
            assert!(
                !(outside >= lo.as_str() && outside < hi.as_str()),
                "{outside}"
            );
        }
    }

    #[test]
    fn levels_nest() {
        assert!(check_level(None, OrgLevel::City).is_ok());
        assert!(check_level(Some(OrgLevel::Town), OrgLevel::Village).is_ok());
        assert_eq!(
            check_level(Some(OrgLevel::Town), OrgLevel::Grid),
            Err(OrgError::BadLevel)
        );
        assert_eq!(check_level(None, OrgLevel::Town), Err(OrgError::BadLevel));
    }

    #[test]
    fn codes_and_names_parse() {
        assert!(OrgCode::parse("339901").is_ok());
        assert!(OrgCode::parse("33a").is_err());
        assert!(UnitName::parse("  ").is_err());
        assert_eq!(
            UnitName::parse(" 东城村 ").map(|n| n.as_str().to_owned()),
            Ok("东城村".into())
        );
    }
}
