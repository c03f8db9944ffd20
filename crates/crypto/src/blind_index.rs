//! Keyed deterministic digests for exact-match lookup of encrypted fields.

use std::fmt;

use hmac::{Hmac, KeyInit as _, Mac as _};
use sm3::Sm3;

use crate::Keys;

/// HMAC with SM3 (GM/T 0042-2015).
pub(crate) type HmacSm3 = Hmac<Sm3>;

/// Computes blind indexes: keyed digests that allow exact-match lookup of an
/// encrypted column without decrypting it, and reveal nothing without the key.
#[derive(Clone)]
pub struct BlindIndex {
    /// HMAC state already keyed with the blind-index key.
    keyed: HmacSm3,
}

impl BlindIndex {
    /// A blind index keyed with the blind-index key of `keys` (independent of the
    /// encryption key).
    pub fn new(keys: &Keys) -> BlindIndex {
        BlindIndex {
            keyed: keyed_hmac(keys.index_key()),
        }
    }

    /// HMAC-SM3 over `domain` + 0x00 + `value`, lowercase hex (64 chars).
    ///
    /// Deterministic; used for exact-match lookup of encrypted fields. `domain`
    /// (e.g. `"account.phone"`) separates indexes of different fields so equal
    /// values in different columns do not match; it must not contain a NUL byte.
    /// Normalise `value` (e.g. parse a phone number) before indexing it.
    pub fn compute(&self, domain: &str, value: &str) -> String {
        debug_assert!(!domain.contains('\0'), "blind-index domain contains NUL");
        let mut mac = self.keyed.clone();
        mac.update(domain.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

impl fmt::Debug for BlindIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlindIndex").finish_non_exhaustive()
    }
}

/// HMAC-SM3 keyed with `key` (any length is valid for HMAC).
pub(crate) fn keyed_hmac(key: &[u8]) -> HmacSm3 {
    // HMAC accepts keys of any length, so this cannot fail; the fallback keeps
    // clippy's no-unwrap rule without a panic path.
    HmacSm3::new_from_slice(key).unwrap_or_else(|_| HmacSm3::new(&Default::default()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn deterministic_and_hex() {
        let keys = Keys::generate();
        let index = BlindIndex::new(&keys);
        let a = index.compute("account.phone", "13812345678");
        assert_eq!(a, index.compute("account.phone", "13812345678"));
        assert_eq!(
            a,
            BlindIndex::new(&keys).compute("account.phone", "13812345678")
        );
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')));
        assert_ne!(a, index.compute("account.phone", "13812345679"));
    }

    #[test]
    fn domains_are_separated() {
        let index = BlindIndex::new(&Keys::generate());
        assert_ne!(
            index.compute("account.phone", "13812345678"),
            index.compute("resident.phone", "13812345678")
        );
        // The NUL separator keeps ("ab", "c") and ("a", "bc") apart.
        assert_ne!(index.compute("ab", "c"), index.compute("a", "bc"));
    }

    #[test]
    fn keys_are_separated() {
        let a = BlindIndex::new(&Keys::generate()).compute("d", "v");
        let b = BlindIndex::new(&Keys::generate()).compute("d", "v");
        assert_ne!(a, b);
    }

    #[test]
    fn matches_plain_hmac_over_domain_nul_value() {
        let keys = Keys::generate();
        let mut mac = keyed_hmac(keys.index_key());
        mac.update(b"account.phone\x0013812345678");
        let expected = hex::encode(mac.finalize().into_bytes());
        assert_eq!(
            BlindIndex::new(&keys).compute("account.phone", "13812345678"),
            expected
        );
    }

    #[test]
    fn index_key_is_not_the_encryption_key() {
        // Keys whose encryption halves match but index halves differ must index differently.
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut m1 = [1u8; 64];
        let mut m2 = [1u8; 64];
        m1[63] = 2;
        m2[63] = 3;
        let k1 = Keys::from_base64(&b64.encode(m1)).unwrap();
        let k2 = Keys::from_base64(&b64.encode(m2)).unwrap();
        assert_ne!(
            BlindIndex::new(&k1).compute("d", "v"),
            BlindIndex::new(&k2).compute("d", "v")
        );
    }
}
