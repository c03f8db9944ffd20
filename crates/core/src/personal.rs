//! Personal identifiers: 居民身份证号 and mainland mobile numbers.
//!
//! Both types only exist validated and normalised. Their `Debug` output is the
//! masked form, so they can appear in logs and error reports without leaking the
//! full value; use [`IdCardNo::as_str`] / [`PhoneNo::as_str`] deliberately where
//! the full value is needed (encryption, blind index). Neither type implements
//! `Display`, so it cannot be interpolated into a message by accident.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

/// Why a personal identifier was rejected. Never carries the rejected input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonalDataError {
    /// Not 17 digits followed by a digit or `X`.
    #[error("ID card number must be 18 characters: 17 digits and a check digit (0-9 or X)")]
    IdCardFormat,
    /// Characters 7–14 are not a plausible birth date (valid calendar date, 1900 to today).
    #[error("ID card number contains an invalid birth date")]
    IdCardBirthDate,
    /// The 18th character does not match the ISO 7064 MOD 11-2 check digit.
    #[error("ID card number check digit is incorrect")]
    IdCardChecksum,
    /// Not an 11-digit mainland mobile number starting with 13–19.
    #[error("phone number must be an 11-digit mainland mobile number starting with 13-19")]
    PhoneFormat,
}

impl PersonalDataError {
    /// Stable snake_case code, e.g. `"id_card_checksum"`, for APIs and form errors.
    pub fn code(&self) -> &'static str {
        match self {
            PersonalDataError::IdCardFormat => "id_card_format",
            PersonalDataError::IdCardBirthDate => "id_card_birth_date",
            PersonalDataError::IdCardChecksum => "id_card_checksum",
            PersonalDataError::PhoneFormat => "phone_format",
        }
    }

    /// Simplified Chinese message for the console, e.g. `"身份证号校验位不正确"`.
    pub fn message_zh(&self) -> &'static str {
        match self {
            PersonalDataError::IdCardFormat => {
                "身份证号格式不正确，应为18位（17位数字加1位校验码）"
            }
            PersonalDataError::IdCardBirthDate => "身份证号中的出生日期无效",
            PersonalDataError::IdCardChecksum => "身份证号校验位不正确",
            PersonalDataError::PhoneFormat => "手机号格式不正确，应为11位中国大陆手机号",
        }
    }
}

/// Weights of the first 17 digits for the ISO 7064 MOD 11-2 check (2^(17-i) mod 11).
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character indexed by (weighted sum mod 11).
const ID_CHECK_CHARS: [u8; 11] = *b"10X98765432";
/// Earliest birth year accepted.
const MIN_BIRTH_YEAR: i32 = 1900;

/// 居民身份证号 (GB 11643-1999), 18 characters, validated (format, plausible birth
/// date, ISO 7064 MOD 11-2 check digit; lowercase x accepted and normalised to X).
///
/// `Debug` prints the masked form only.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdCardNo {
    /// Normalised 18 characters, ASCII digits with an optional trailing `X`.
    value: String,
    /// Birth date encoded in characters 7–14.
    birth: NaiveDate,
}

impl IdCardNo {
    /// Validates and normalises `s` (surrounding whitespace is ignored).
    pub fn parse(s: &str) -> Result<Self, PersonalDataError> {
        Self::parse_at(s, today_in_china())
    }

    /// [`parse`](Self::parse) with "today" given, for deterministic tests.
    fn parse_at(s: &str, today: NaiveDate) -> Result<Self, PersonalDataError> {
        let s = s.trim();
        let bytes = s.as_bytes();
        if bytes.len() != 18
            || !bytes[..17].iter().all(u8::is_ascii_digit)
            || !(bytes[17].is_ascii_digit() || bytes[17] == b'X' || bytes[17] == b'x')
        {
            return Err(PersonalDataError::IdCardFormat);
        }
        let birth = birth_date_of(&s[6..14])
            .filter(|d| d.year() >= MIN_BIRTH_YEAR && *d <= today)
            .ok_or(PersonalDataError::IdCardBirthDate)?;
        if bytes[17].to_ascii_uppercase() != id_check_char(&bytes[..17]) {
            return Err(PersonalDataError::IdCardChecksum);
        }
        Ok(IdCardNo {
            value: s.to_ascii_uppercase(),
            birth,
        })
    }

    /// The full normalised number (uppercase `X`). Handle with care.
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// `"110***********1234"`: first 3, 11 asterisks, last 4.
    pub fn masked(&self) -> String {
        format!(
            "{}{}{}",
            &self.value[..3],
            "*".repeat(11),
            &self.value[14..]
        )
    }

    /// The birth date encoded in the number.
    pub fn birth_date(&self) -> NaiveDate {
        self.birth
    }
}

impl fmt::Debug for IdCardNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IdCardNo").field(&self.masked()).finish()
    }
}

impl FromStr for IdCardNo {
    type Err = PersonalDataError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// The check character (`0`–`9` or `X`) for the first 17 digits (ASCII).
fn id_check_char(first17: &[u8]) -> u8 {
    let sum: u32 = first17
        .iter()
        .zip(ID_WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    ID_CHECK_CHARS[(sum % 11) as usize]
}

/// Parses `YYYYMMDD` (8 ASCII digits) into a calendar date.
fn birth_date_of(yyyymmdd: &str) -> Option<NaiveDate> {
    let year = yyyymmdd.get(0..4)?.parse().ok()?;
    let month = yyyymmdd.get(4..6)?.parse().ok()?;
    let day = yyyymmdd.get(6..8)?.parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Today's date in China (UTC+8), so a baby born today in Beijing is accepted
/// whatever the server's time zone.
fn today_in_china() -> NaiveDate {
    (chrono::Utc::now() + chrono::TimeDelta::hours(8)).date_naive()
}

/// Mainland mobile number: 11 digits starting 1[3-9]; accepts surrounding spaces,
/// a "+86"/"0086"/"86" prefix, and spaces or dashes inside; stored normalised
/// (11 digits).
///
/// `Debug` prints the masked form only.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PhoneNo(String);

impl PhoneNo {
    /// Validates and normalises `s`, e.g. `"+86 138-1234-5678"` → `"13812345678"`.
    pub fn parse(s: &str) -> Result<Self, PersonalDataError> {
        let compact: String = s
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        let digits = if let Some(rest) = compact.strip_prefix("+86") {
            rest
        } else if let Some(rest) = compact.strip_prefix("0086") {
            rest
        } else if compact.len() == 13 {
            compact.strip_prefix("86").unwrap_or(&compact)
        } else {
            &compact
        };
        let b = digits.as_bytes();
        if b.len() == 11
            && b.iter().all(u8::is_ascii_digit)
            && b[0] == b'1'
            && (b'3'..=b'9').contains(&b[1])
        {
            Ok(PhoneNo(digits.to_owned()))
        } else {
            Err(PersonalDataError::PhoneFormat)
        }
    }

    /// The normalised 11 digits. Handle with care.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `"138****5678"`: first 3, 4 asterisks, last 4.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

impl fmt::Debug for PhoneNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PhoneNo").field(&self.masked()).finish()
    }
}

impl FromStr for PhoneNo {
    type Err = PersonalDataError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn known_valid_numbers() {
        for (s, born) in [
            ("11010519491231002X", date(1949, 12, 31)),
            ("110105199003071239", date(1990, 3, 7)),
            ("440304200002295616", date(2000, 2, 29)),
            ("320102198511150035", date(1985, 11, 15)),
        ] {
            let id = IdCardNo::parse(s).unwrap();
            assert_eq!(id.as_str(), s);
            assert_eq!(id.birth_date(), born);
        }
    }

    #[test]
    fn lowercase_x_and_whitespace_are_normalised() {
        let id = IdCardNo::parse(" 11010519491231002x\n").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id, "11010519491231002X".parse().unwrap());
    }

    #[test]
    fn id_format_errors() {
        for s in [
            "",
            "11010519491231002",
            "11010519491231002X0",
            "1101051949123100XX",
            "11010519491231002Y",
            "1101051949123100２X",
            "110105 9491231002X",
            "X10105194912310020",
        ] {
            assert_eq!(
                IdCardNo::parse(s),
                Err(PersonalDataError::IdCardFormat),
                "{s}"
            );
        }
    }

    #[test]
    fn id_birth_date_errors() {
        let today = date(2024, 6, 1);
        let with_check = |first17: &str| {
            let c = id_check_char(first17.as_bytes()) as char;
            format!("{first17}{c}")
        };
        for first17 in [
            "11010519490231002", // 31 February
            "11010519491301002", // month 13
            "11010519490001002", // month 00
            "11010519490100002", // day 00
            "11010519010229002", // 1901 not a leap year
            "11010518991231002", // before 1900
            "11010520240602002", // tomorrow
            "11010530000101002", // far future
        ] {
            assert_eq!(
                IdCardNo::parse_at(&with_check(first17), today),
                Err(PersonalDataError::IdCardBirthDate),
                "{first17}"
            );
        }
        assert!(IdCardNo::parse_at(&with_check("11010520240601002"), today).is_ok());
        assert!(IdCardNo::parse_at(&with_check("11010519000101002"), today).is_ok());
    }

    #[test]
    fn id_checksum_error() {
        assert_eq!(
            IdCardNo::parse("110105194912310021"),
            Err(PersonalDataError::IdCardChecksum)
        );
        assert_eq!(
            IdCardNo::parse("110105199003071238"),
            Err(PersonalDataError::IdCardChecksum)
        );
    }

    #[test]
    fn id_masked_and_debug() {
        let id = IdCardNo::parse("11010519491231002X").unwrap();
        assert_eq!(id.masked(), "110***********002X");
        assert_eq!(id.masked().len(), 18);
        let shown = format!("{id:?}");
        assert_eq!(shown, "IdCardNo(\"110***********002X\")");
        assert!(!shown.contains("19491231"));
    }

    #[test]
    fn phone_accepts_common_spellings() {
        for s in [
            "13812345678",
            " 13812345678 ",
            "+8613812345678",
            "+86 138 1234 5678",
            "+86-138-1234-5678",
            "8613812345678",
            "86 138 1234 5678",
            "008613812345678",
            "138-1234-5678",
            "138 1234 5678",
        ] {
            assert_eq!(PhoneNo::parse(s).unwrap().as_str(), "13812345678", "{s:?}");
        }
        for prefix in ["13", "14", "15", "16", "17", "18", "19"] {
            assert!(PhoneNo::parse(&format!("{prefix}012345678")).is_ok());
        }
    }

    #[test]
    fn phone_rejects_bad_numbers() {
        for s in [
            "",
            "1381234567",
            "138123456789",
            "12812345678",
            "10812345678",
            "23812345678",
            "1381234567a",
            "+8713812345678",
            "+86+8613812345678",
            "010-12345678",
            "１３８１２３４５６７８",
            "138.1234.5678",
        ] {
            assert_eq!(
                PhoneNo::parse(s),
                Err(PersonalDataError::PhoneFormat),
                "{s:?}"
            );
        }
    }

    #[test]
    fn phone_masked_and_debug() {
        let p = PhoneNo::parse("138 1234 5678").unwrap();
        assert_eq!(p.masked(), "138****5678");
        assert_eq!(format!("{p:?}"), "PhoneNo(\"138****5678\")");
    }

    #[test]
    fn error_codes_and_messages() {
        let all = [
            PersonalDataError::IdCardFormat,
            PersonalDataError::IdCardBirthDate,
            PersonalDataError::IdCardChecksum,
            PersonalDataError::PhoneFormat,
        ];
        let codes: Vec<_> = all.iter().map(PersonalDataError::code).collect();
        assert_eq!(
            codes,
            [
                "id_card_format",
                "id_card_birth_date",
                "id_card_checksum",
                "phone_format"
            ]
        );
        assert_eq!(
            PersonalDataError::IdCardChecksum.message_zh(),
            "身份证号校验位不正确"
        );
        for e in all {
            assert!(!e.message_zh().is_empty());
            assert!(!e.to_string().is_empty());
        }
    }

    /// Any 17 digits whose birth date part is a valid date from 1900 up to 2023.
    fn first17() -> impl Strategy<Value = String> {
        ("[0-9]{6}", 1900i32..=2023, 1u32..=12, 1u32..=31, "[0-9]{3}").prop_filter_map(
            "valid date",
            |(region, y, m, d, seq)| {
                NaiveDate::from_ymd_opt(y, m, d).map(|_| format!("{region}{y:04}{m:02}{d:02}{seq}"))
            },
        )
    }

    proptest! {
        #[test]
        fn any_17_digits_with_computed_check_parse(first17 in first17()) {
            let check = id_check_char(first17.as_bytes()) as char;
            let s = format!("{first17}{check}");
            let id = IdCardNo::parse(&s).unwrap();
            prop_assert_eq!(id.as_str(), s.as_str());
            prop_assert_eq!(id.birth_date(), birth_date_of(&first17[6..14]).unwrap());
            prop_assert_eq!(id.masked().len(), 18);
        }

        #[test]
        fn any_wrong_check_digit_fails(
            first17 in first17(),
            wrong in proptest::sample::select(b"0123456789X".to_vec()),
        ) {
            let check = id_check_char(first17.as_bytes());
            prop_assume!(wrong != check);
            let s = format!("{first17}{}", wrong as char);
            prop_assert_eq!(IdCardNo::parse(&s), Err(PersonalDataError::IdCardChecksum));
        }

        #[test]
        fn any_mobile_number_round_trips(n in "1[3-9][0-9]{9}") {
            let spaced = format!("+86 {}-{}-{}", &n[..3], &n[3..7], &n[7..]);
            let phone = PhoneNo::parse(&spaced).unwrap();
            prop_assert_eq!(phone.as_str(), n.as_str());
            prop_assert_eq!(PhoneNo::parse(&n).unwrap().masked().len(), 11);
        }
    }
}
