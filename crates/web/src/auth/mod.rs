//! Sign-in, sessions, CSRF and two-factor authentication.

pub mod login;
pub mod password;
pub mod session;
pub mod totp;

pub use session::{CurrentUser, PartialUser, SessionCtx};

use base64::Engine;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "zz_session";
/// Name of the pre-sign-in CSRF cookie used by the login form.
pub const LOGIN_CSRF_COOKIE: &str = "zz_login_csrf";
/// Header that API clients echo the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// 32 random bytes, URL-safe base64.
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What the store keeps of a session token.
pub fn token_hash(token: &str) -> String {
    zongzhi_crypto::sm3_hex(token.as_bytes())
}

/// Constant-time string equality for secrets.
pub fn secure_eq(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}
