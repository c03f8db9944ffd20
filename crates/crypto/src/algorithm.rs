//! The choice of field-encryption algorithm.

use serde::{Deserialize, Serialize};

/// Authenticated cipher used for *new* field encryptions.
///
/// Decryption always accepts both formats, whatever is configured here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    /// SM4 block cipher (GB/T 32907) in GCM mode, 96-bit nonce, 128-bit tag (RFC 8998).
    /// The default, as required for 商用密码 compliance.
    #[default]
    Sm4Gcm,
    /// AES-256 in GCM mode, 96-bit nonce, 128-bit tag.
    Aes256Gcm,
}

impl Algorithm {
    /// Prefix of the stored text form produced by this algorithm.
    pub(crate) fn prefix(self) -> &'static str {
        match self {
            Algorithm::Sm4Gcm => "sm4gcm:v1:",
            Algorithm::Aes256Gcm => "aes256gcm:v1:",
        }
    }

    /// Recognises the algorithm of a stored value by its prefix and returns the
    /// algorithm together with the remaining (base64) payload.
    pub(crate) fn split_stored(stored: &str) -> Option<(Algorithm, &str)> {
        [Algorithm::Sm4Gcm, Algorithm::Aes256Gcm]
            .into_iter()
            .find_map(|alg| stored.strip_prefix(alg.prefix()).map(|rest| (alg, rest)))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn default_is_sm4() {
        assert_eq!(Algorithm::default(), Algorithm::Sm4Gcm);
    }

    #[test]
    fn serde_names_are_snake_case() {
        assert_eq!(
            serde_json::to_string(&Algorithm::Sm4Gcm).unwrap(),
            "\"sm4_gcm\""
        );
        assert_eq!(
            serde_json::to_string(&Algorithm::Aes256Gcm).unwrap(),
            "\"aes256_gcm\""
        );
        let back: Algorithm = serde_json::from_str("\"aes256_gcm\"").unwrap();
        assert_eq!(back, Algorithm::Aes256Gcm);
    }

    #[test]
    fn prefixes_are_recognised() {
        assert_eq!(
            Algorithm::split_stored("sm4gcm:v1:QUJD"),
            Some((Algorithm::Sm4Gcm, "QUJD"))
        );
        assert_eq!(
            Algorithm::split_stored("aes256gcm:v1:"),
            Some((Algorithm::Aes256Gcm, ""))
        );
        assert_eq!(Algorithm::split_stored("sm4gcm:v2:QUJD"), None);
        assert_eq!(Algorithm::split_stored("plain"), None);
    }
}
