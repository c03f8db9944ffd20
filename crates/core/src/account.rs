//! Accounts: usernames, the password policy and the lockout rule.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Database id of an account.
pub type AccountId = i64;

/// Failed sign-ins that lock an account.
pub const MAX_FAILED_LOGINS: i64 = 5;
/// How long a locked account stays locked.
pub const LOCKOUT: Duration = Duration::minutes(15);

/// A login name: 3–32 of `a-z 0-9 _ . -`, starting with a letter, stored lowercase.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Username(String);

impl Username {
    /// Parses and lower-cases a username.
    pub fn parse(s: &str) -> Result<Self, AccountError> {
        let s = s.trim().to_ascii_lowercase();
        let ok_len = (3..=32).contains(&s.len());
        let ok_first = s.bytes().next().is_some_and(|b| b.is_ascii_lowercase());
        let ok_chars = s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.-".contains(&b));
        if ok_len && ok_first && ok_chars {
            Ok(Self(s))
        } else {
            Err(AccountError::BadUsername)
        }
    }

    /// The username as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A display name: 1–32 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplayName(String);

impl DisplayName {
    /// Parses a display name.
    pub fn parse(s: &str) -> Result<Self, AccountError> {
        let s = s.trim();
        let n = s.chars().count();
        if n == 0 || n > 32 || s.chars().any(char::is_control) {
            Err(AccountError::BadDisplayName)
        } else {
            Ok(Self(s.to_owned()))
        }
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password that meets the policy: at least 8 characters, at least three of
/// (lower case, upper case, digit, other), and not containing the username.
/// Debug never prints it.
#[derive(Clone)]
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

impl NewPassword {
    /// Checks `pw` against the baseline policy for the account `username`.
    pub fn parse(pw: &str, username: &Username) -> Result<Self, AccountError> {
        Self::parse_with(pw, username, 8)
    }

    /// Checks `pw` with a minimum length of `min_len` (never below 8).
    pub fn parse_with(pw: &str, username: &Username, min_len: usize) -> Result<Self, AccountError> {
        if pw.chars().count() < min_len.max(8) || pw.len() > 128 {
            return Err(AccountError::PasswordTooShort);
        }
        let classes = [
            pw.chars().any(|c| c.is_ascii_lowercase()),
            pw.chars().any(|c| c.is_ascii_uppercase()),
            pw.chars().any(|c| c.is_ascii_digit()),
            pw.chars().any(|c| !c.is_ascii_alphanumeric()),
        ];
        if classes.iter().filter(|x| **x).count() < 3 {
            return Err(AccountError::PasswordTooSimple);
        }
        if pw.to_ascii_lowercase().contains(username.as_str()) {
            return Err(AccountError::PasswordContainsUsername);
        }
        Ok(Self(pw.to_owned()))
    }

    /// The password, for hashing only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Whether an account may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// In use.
    Active,
    /// Switched off by an administrator (never deleted).
    Disabled,
}

impl AccountStatus {
    /// Stable identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Disabled => "disabled",
        }
    }

    /// Parses the stable identifier.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(Self::Active),
            "disabled" => Some(Self::Disabled),
            _ => None,
        }
    }
}

/// How many failed sign-ins lock an account, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutRule {
    /// Failures that lock.
    pub max_failed: i64,
    /// How long the lock lasts.
    pub lockout: Duration,
}

impl Default for LockoutRule {
    fn default() -> Self {
        Self {
            max_failed: MAX_FAILED_LOGINS,
            lockout: LOCKOUT,
        }
    }
}

impl LockoutRule {
    /// What a failed sign-in does to the counters: the new failure count and, when it
    /// reaches the limit, the time the lock ends (the counter then starts again).
    pub fn after_failure(
        &self,
        failed_before: i64,
        now: DateTime<Utc>,
    ) -> (i64, Option<DateTime<Utc>>) {
        let failed = failed_before + 1;
        if failed >= self.max_failed {
            (0, Some(now + self.lockout))
        } else {
            (failed, None)
        }
    }
}

/// [`LockoutRule::after_failure`] with the baseline rule (5 failures, 15 minutes).
pub fn after_failed_login(failed_before: i64, now: DateTime<Utc>) -> (i64, Option<DateTime<Utc>>) {
    LockoutRule::default().after_failure(failed_before, now)
}

/// The security policy the security admin (安全管理员) maintains. It may only be made
/// stricter than the 等保 level-3 baseline that the defaults encode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SecurityPolicy {
    /// Failed sign-ins that lock an account (3–5).
    pub max_failed_logins: i64,
    /// Minutes an account stays locked (15–1440).
    pub lockout_minutes: i64,
    /// Minutes of inactivity that end a session (5–30).
    pub idle_timeout_minutes: i64,
    /// Shortest password (8–32).
    pub password_min_length: usize,
}

impl Default for SecurityPolicy {
    fn default() -> Self {
        Self {
            max_failed_logins: MAX_FAILED_LOGINS,
            lockout_minutes: 15,
            idle_timeout_minutes: 30,
            password_min_length: 8,
        }
    }
}

impl SecurityPolicy {
    /// Setting key the policy is stored under.
    pub const SETTING_KEY: &'static str = "security_policy";

    /// Each out-of-range field as (field, code, Chinese message).
    pub fn problems(&self) -> Vec<(&'static str, &'static str, &'static str)> {
        let mut v = Vec::new();
        if !(3..=5).contains(&self.max_failed_logins) {
            v.push((
                "max_failed_logins",
                "policy_out_of_range",
                "连续失败次数须为3至5次",
            ));
        }
        if !(15..=1440).contains(&self.lockout_minutes) {
            v.push((
                "lockout_minutes",
                "policy_out_of_range",
                "锁定时长须为15至1440分钟",
            ));
        }
        if !(5..=30).contains(&self.idle_timeout_minutes) {
            v.push((
                "idle_timeout_minutes",
                "policy_out_of_range",
                "空闲超时须为5至30分钟",
            ));
        }
        if !(8..=32).contains(&self.password_min_length) {
            v.push((
                "password_min_length",
                "policy_out_of_range",
                "密码最短长度须为8至32位",
            ));
        }
        v
    }

    /// The lockout rule of this policy.
    pub fn lockout_rule(&self) -> LockoutRule {
        LockoutRule {
            max_failed: self.max_failed_logins,
            lockout: Duration::minutes(self.lockout_minutes),
        }
    }
}

/// Why account input was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    /// Bad username.
    #[error("username must be 3-32 of a-z, 0-9, _ . - and start with a letter")]
    BadUsername,
    /// Bad display name.
    #[error("display name must be 1-32 characters")]
    BadDisplayName,
    /// Password shorter than 8.
    #[error("password is shorter than the policy allows")]
    PasswordTooShort,
    /// Fewer than 3 character classes.
    #[error("password must mix at least three of lower case, upper case, digits and symbols")]
    PasswordTooSimple,
    /// Contains the username.
    #[error("password must not contain the username")]
    PasswordContainsUsername,
    /// No roles given.
    #[error("at least one role is required")]
    NoRoles,
}

impl AccountError {
    /// Stable error code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadUsername => "username_invalid",
            Self::BadDisplayName => "display_name_invalid",
            Self::PasswordTooShort => "password_too_short",
            Self::PasswordTooSimple => "password_too_simple",
            Self::PasswordContainsUsername => "password_contains_username",
            Self::NoRoles => "roles_required",
        }
    }

    /// Chinese message for the console.
    pub fn message_zh(&self) -> &'static str {
        match self {
            Self::BadUsername => "用户名须为3至32位小写字母、数字或 _ . -，且以字母开头",
            Self::BadDisplayName => "姓名须为1至32个字符",
            Self::PasswordTooShort => "密码长度不足（至少8位，以安全策略为准）",
            Self::PasswordTooSimple => "密码须包含大写字母、小写字母、数字、符号中的至少三类",
            Self::PasswordContainsUsername => "密码不能包含用户名",
            Self::NoRoles => "至少选择一个角色",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> Username {
        Username::parse("town_intake").unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn password_policy() {
        let u = user();
        assert!(NewPassword::parse("Abcdef12", &u).is_ok());
        assert!(NewPassword::parse("abcdef1!", &u).is_ok());
        assert_eq!(
            NewPassword::parse("Ab1!", &u).err(),
            Some(AccountError::PasswordTooShort)
        );
        assert_eq!(
            NewPassword::parse("abcdefgh12", &u).err(),
            Some(AccountError::PasswordTooSimple)
        );
        assert_eq!(
            NewPassword::parse("X1!Town_Intake", &u).err(),
            Some(AccountError::PasswordContainsUsername)
        );
        assert_eq!(
            format!("{:?}", NewPassword::parse("Abcdef12", &u)),
            "Ok(NewPassword(***))"
        );
    }

    #[test]
    fn usernames() {
        assert!(Username::parse("Admin").is_ok_and(|u| u.as_str() == "admin"));
        assert!(Username::parse("1abc").is_err());
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("a b c").is_err());
        assert!(Username::parse("<script>").is_err());
    }

    #[test]
    fn policy_may_only_be_stricter() {
        assert!(SecurityPolicy::default().problems().is_empty());
        let lax = SecurityPolicy {
            max_failed_logins: 10,
            lockout_minutes: 5,
            idle_timeout_minutes: 60,
            password_min_length: 6,
        };
        assert_eq!(lax.problems().len(), 4);
        let strict = SecurityPolicy {
            max_failed_logins: 3,
            lockout_minutes: 60,
            idle_timeout_minutes: 10,
            password_min_length: 12,
        };
        assert!(strict.problems().is_empty());
        let now = Utc::now();
        assert_eq!(
            strict.lockout_rule().after_failure(2, now),
            (0, Some(now + Duration::minutes(60)))
        );
        let u = user();
        assert_eq!(
            NewPassword::parse_with("Abcdef12!", &u, 12).err(),
            Some(AccountError::PasswordTooShort)
        );
    }

    #[test]
    fn fifth_failure_locks_for_fifteen_minutes() {
        let now = Utc::now();
        let mut failed = 0;
        for _ in 0..4 {
            let (f, lock) = after_failed_login(failed, now);
            assert!(lock.is_none());
            failed = f;
        }
        let (f, lock) = after_failed_login(failed, now);
        assert_eq!(f, 0);
        assert_eq!(lock, Some(now + Duration::minutes(15)));
    }
}
