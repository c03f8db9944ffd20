//! Validation of the free-text and numeric fields of a case, as `(code, Chinese message)`
//! errors for [`crate::error::Validation`].

/// A field error: stable code and Chinese message.
pub(crate) type FieldErr = (&'static str, &'static str);

/// Longest title, in characters.
pub const TITLE_MAX: usize = 200;
/// Longest description, in characters.
pub const DESCRIPTION_MAX: usize = 10_000;
/// Longest address, in characters.
pub const ADDRESS_MAX: usize = 200;
/// Longest party name, in characters.
pub const PARTY_NAME_MAX: usize = 50;
/// Most parties on one case.
pub const MAX_PARTIES: usize = 50;
/// Largest number of people involved.
pub const PEOPLE_MAX: i32 = 1_000_000;
/// Largest amount involved, in yuan (one trillion).
pub const AMOUNT_MAX_YUAN: f64 = 1e12;

/// A required single-line text: trimmed, 1–`max` characters, no control characters.
pub(crate) fn line(
    s: &str,
    max: usize,
    required: FieldErr,
    too_long: FieldErr,
) -> Result<String, FieldErr> {
    let s = s.trim();
    if s.is_empty() {
        Err(required)
    } else if s.chars().count() > max {
        Err(too_long)
    } else if s.chars().any(char::is_control) {
        Err(("field_invalid_chars", "内容含有非法控制字符"))
    } else {
        Ok(s.to_owned())
    }
}

/// A required multi-line text: as [`line`], but line breaks and tabs are kept.
pub(crate) fn block(
    s: &str,
    max: usize,
    required: FieldErr,
    too_long: FieldErr,
) -> Result<String, FieldErr> {
    let s = s.trim();
    if s.is_empty() {
        Err(required)
    } else if s.chars().count() > max {
        Err(too_long)
    } else if s
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        Err(("field_invalid_chars", "内容含有非法控制字符"))
    } else {
        Ok(s.to_owned())
    }
}

/// The title.
pub(crate) fn title(s: &str) -> Result<String, FieldErr> {
    line(
        s,
        TITLE_MAX,
        ("title_required", "请填写事件标题"),
        ("title_too_long", "事件标题不能超过200个字符"),
    )
}

/// The description.
pub(crate) fn description(s: &str) -> Result<String, FieldErr> {
    block(
        s,
        DESCRIPTION_MAX,
        ("description_required", "请填写事件描述"),
        ("description_too_long", "事件描述不能超过10000个字符"),
    )
}

/// An optional address: blank is none.
pub(crate) fn address(s: Option<&str>) -> Result<Option<String>, FieldErr> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(a) => line(
            a,
            ADDRESS_MAX,
            ("address_required", "请填写地址"),
            ("address_too_long", "地址不能超过200个字符"),
        )
        .map(Some),
    }
}

/// A party's name.
pub(crate) fn party_name(s: &str) -> Result<String, FieldErr> {
    line(
        s,
        PARTY_NAME_MAX,
        ("party_name_required", "请填写当事人姓名"),
        ("party_name_too_long", "当事人姓名不能超过50个字符"),
    )
}

/// Latitude in degrees (WGS-84).
pub(crate) fn lat(v: f64) -> Result<f64, FieldErr> {
    if v.is_finite() && (-90.0..=90.0).contains(&v) {
        Ok(v)
    } else {
        Err(("lat_invalid", "纬度须在-90至90之间"))
    }
}

/// Longitude in degrees (WGS-84).
pub(crate) fn lng(v: f64) -> Result<f64, FieldErr> {
    if v.is_finite() && (-180.0..=180.0).contains(&v) {
        Ok(v)
    } else {
        Err(("lng_invalid", "经度须在-180至180之间"))
    }
}

/// 涉及人数: 0 to a million.
pub(crate) fn people(v: i32) -> Result<i32, FieldErr> {
    if (0..=PEOPLE_MAX).contains(&v) {
        Ok(v)
    } else {
        Err(("people_involved_invalid", "涉及人数须为0至1000000的整数"))
    }
}

/// 涉及金额 in yuan → fen, rounded to the nearest fen.
pub(crate) fn amount_fen(yuan: f64) -> Result<i64, FieldErr> {
    if yuan.is_finite() && (0.0..=AMOUNT_MAX_YUAN).contains(&yuan) {
        // In range, so the product fits an i64 exactly enough: 1e14 < 2^53.
        #[allow(clippy::cast_possible_truncation)]
        Ok((yuan * 100.0).round() as i64)
    } else {
        Err(("amount_invalid", "涉及金额须为0至一万亿元之间的数"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_trimmed_and_bounded() {
        assert_eq!(title("  邻里纠纷 ").as_deref(), Ok("邻里纠纷"));
        assert_eq!(title(" ").map_err(|e| e.0), Err("title_required"));
        assert_eq!(
            title(&"字".repeat(201)).map_err(|e| e.0),
            Err("title_too_long")
        );
        assert!(title(&"字".repeat(200)).is_ok());
        assert_eq!(
            title("a\u{7}b").map_err(|e| e.0),
            Err("field_invalid_chars")
        );
        assert!(description("第一行\n第二行\t").is_ok());
        assert_eq!(address(Some("  ")), Ok(None));
    }

    #[test]
    fn numbers_are_checked() {
        assert!(lat(91.0).is_err());
        assert!(lat(f64::NAN).is_err());
        assert!(lng(-180.0).is_ok());
        assert!(people(-1).is_err());
        assert_eq!(amount_fen(12.345), Ok(1235));
        assert_eq!(amount_fen(0.0), Ok(0));
        assert!(amount_fen(-0.01).is_err());
    }
}
