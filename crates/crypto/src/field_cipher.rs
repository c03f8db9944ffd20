//! Authenticated encryption of single text fields.

use std::fmt;

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, AesGcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use rand::RngCore as _;
use secrecy::zeroize::{Zeroize as _, Zeroizing};

use crate::{Algorithm, CryptoError, Keys};

/// SM4 in GCM mode with a 96-bit nonce and 128-bit tag, as in RFC 8998.
pub(crate) type Sm4Gcm = AesGcm<sm4::Sm4, U12>;

/// Nonce length in bytes (96 bits).
pub(crate) const NONCE_LEN: usize = 12;
/// Tag length in bytes (128 bits).
const TAG_LEN: usize = 16;
/// SM4 key length in bytes.
const SM4_KEY_LEN: usize = 16;

/// Encrypts and decrypts single text fields for storage.
///
/// New values are encrypted with the configured [`Algorithm`]; [`decrypt`](Self::decrypt)
/// accepts both formats, recognised by their prefix.
#[derive(Clone)]
pub struct FieldCipher {
    algorithm: Algorithm,
    sm4: Sm4Gcm,
    aes: Aes256Gcm,
}

impl FieldCipher {
    /// A cipher that encrypts with `algorithm` using the encryption key of `keys`
    /// (SM4 uses its first 16 bytes, AES-256 all 32).
    pub fn new(algorithm: Algorithm, keys: &Keys) -> FieldCipher {
        let key = keys.enc_key();
        let mut sm4_key = Zeroizing::new([0u8; SM4_KEY_LEN]);
        sm4_key.copy_from_slice(&key[..SM4_KEY_LEN]);
        FieldCipher {
            algorithm,
            sm4: Sm4Gcm::new(&(*sm4_key).into()),
            aes: Aes256Gcm::new(&(*key).into()),
        }
    }

    /// Encrypts with a fresh random 96-bit nonce; `aad` binds the ciphertext to its
    /// context (e.g. `b"account.phone"`), so it cannot be moved to another column.
    /// Output is self-describing text: `"sm4gcm:v1:"` or `"aes256gcm:v1:"` +
    /// base64(nonce || ciphertext || tag).
    pub fn encrypt(&self, plaintext: &str, aad: &[u8]) -> Result<String, CryptoError> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        self.encrypt_with_nonce(self.algorithm, &nonce, plaintext.as_bytes(), aad)
    }

    /// Decrypts either algorithm's format (by prefix), so a deployment can switch
    /// algorithm without re-encrypting old rows. `aad` must equal the one used
    /// when encrypting.
    pub fn decrypt(&self, stored: &str, aad: &[u8]) -> Result<String, CryptoError> {
        let mut plain = self.decrypt_bytes(stored, aad)?;
        String::from_utf8(std::mem::take(&mut *plain)).map_err(|e| {
            e.into_bytes().zeroize();
            CryptoError::Format
        })
    }

    /// Authenticated decryption to raw bytes (zeroized when dropped).
    pub(crate) fn decrypt_bytes(
        &self,
        stored: &str,
        aad: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let (algorithm, payload) = Algorithm::split_stored(stored).ok_or(CryptoError::Format)?;
        let raw = B64.decode(payload).map_err(|_| CryptoError::Format)?;
        if raw.len() < NONCE_LEN + TAG_LEN {
            return Err(CryptoError::Format);
        }
        let (nonce, sealed) = raw.split_at(NONCE_LEN);
        let nonce = Nonce::<U12>::try_from(nonce).map_err(|_| CryptoError::Format)?;
        let payload = Payload { msg: sealed, aad };
        match algorithm {
            Algorithm::Sm4Gcm => self.sm4.decrypt(&nonce, payload),
            Algorithm::Aes256Gcm => self.aes.decrypt(&nonce, payload),
        }
        .map(Zeroizing::new)
        .map_err(|_| CryptoError::Decrypt)
    }

    /// The algorithm used for new encryptions.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// Encryption with a caller-chosen nonce: only for [`encrypt`](Self::encrypt)
    /// and known-answer tests. Never reuse a nonce with the same key.
    pub(crate) fn encrypt_with_nonce(
        &self,
        algorithm: Algorithm,
        nonce: &[u8; NONCE_LEN],
        plaintext: &[u8],
        aad: &[u8],
    ) -> Result<String, CryptoError> {
        let n = Nonce::<U12>::from(*nonce);
        let payload = Payload {
            msg: plaintext,
            aad,
        };
        let sealed = match algorithm {
            Algorithm::Sm4Gcm => self.sm4.encrypt(&n, payload),
            Algorithm::Aes256Gcm => self.aes.encrypt(&n, payload),
        }
        .map_err(|_| CryptoError::Encrypt)?;
        let mut raw = Vec::with_capacity(NONCE_LEN + sealed.len());
        raw.extend_from_slice(nonce);
        raw.extend_from_slice(&sealed);
        Ok(format!("{}{}", algorithm.prefix(), B64.encode(raw)))
    }
}

impl fmt::Debug for FieldCipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FieldCipher")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const AAD: &[u8] = b"account.phone";

    fn both() -> (Keys, [FieldCipher; 2]) {
        let keys = Keys::generate();
        let ciphers = [
            FieldCipher::new(Algorithm::Sm4Gcm, &keys),
            FieldCipher::new(Algorithm::Aes256Gcm, &keys),
        ];
        (keys, ciphers)
    }

    #[test]
    fn round_trip_both_algorithms() {
        let (_keys, ciphers) = both();
        for cipher in &ciphers {
            for text in [
                "",
                "13812345678",
                "11010519491231002X",
                "张三 住址：北京市海淀区",
            ] {
                let stored = cipher.encrypt(text, AAD).unwrap();
                assert!(stored.starts_with(cipher.algorithm().prefix()), "{stored}");
                assert!(!stored.contains(text) || text.is_empty());
                assert_eq!(cipher.decrypt(&stored, AAD).unwrap(), text);
            }
        }
        assert!(
            ciphers[0]
                .encrypt("x", AAD)
                .unwrap()
                .starts_with("sm4gcm:v1:")
        );
        assert!(
            ciphers[1]
                .encrypt("x", AAD)
                .unwrap()
                .starts_with("aes256gcm:v1:")
        );
    }

    #[test]
    fn nonce_is_fresh_each_time() {
        let (_keys, [sm4, _]) = both();
        let a = sm4.encrypt("13812345678", AAD).unwrap();
        let b = sm4.encrypt("13812345678", AAD).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn either_cipher_decrypts_both_formats() {
        let (_keys, [sm4, aes]) = both();
        let from_sm4 = sm4.encrypt("old row", AAD).unwrap();
        let from_aes = aes.encrypt("new row", AAD).unwrap();
        assert_eq!(aes.decrypt(&from_sm4, AAD).unwrap(), "old row");
        assert_eq!(sm4.decrypt(&from_aes, AAD).unwrap(), "new row");
    }

    #[test]
    fn tampering_is_detected() {
        let (_keys, ciphers) = both();
        for cipher in &ciphers {
            let stored = cipher.encrypt("13812345678", AAD).unwrap();
            let prefix = cipher.algorithm().prefix();
            let raw = B64.decode(&stored[prefix.len()..]).unwrap();
            for i in 0..raw.len() {
                let mut bad = raw.clone();
                bad[i] ^= 0x01;
                let tampered = format!("{prefix}{}", B64.encode(&bad));
                assert!(
                    matches!(cipher.decrypt(&tampered, AAD), Err(CryptoError::Decrypt)),
                    "flip at byte {i} not detected"
                );
            }
            // Truncation (dropping the tag's last byte) is detected too.
            let short = format!("{prefix}{}", B64.encode(&raw[..raw.len() - 1]));
            assert!(matches!(
                cipher.decrypt(&short, AAD),
                Err(CryptoError::Decrypt)
            ));
        }
    }

    #[test]
    fn wrong_aad_fails() {
        let (_keys, ciphers) = both();
        for cipher in &ciphers {
            let stored = cipher.encrypt("13812345678", b"account.phone").unwrap();
            assert!(matches!(
                cipher.decrypt(&stored, b"account.id_card"),
                Err(CryptoError::Decrypt)
            ));
            assert!(matches!(
                cipher.decrypt(&stored, b""),
                Err(CryptoError::Decrypt)
            ));
        }
    }

    #[test]
    fn wrong_key_fails() {
        let (_keys, [sm4, aes]) = both();
        let (_other, [sm4_other, aes_other]) = both();
        let a = sm4.encrypt("secret", AAD).unwrap();
        let b = aes.encrypt("secret", AAD).unwrap();
        assert!(matches!(
            sm4_other.decrypt(&a, AAD),
            Err(CryptoError::Decrypt)
        ));
        assert!(matches!(
            aes_other.decrypt(&b, AAD),
            Err(CryptoError::Decrypt)
        ));
    }

    #[test]
    fn prefix_swap_fails() {
        // An SM4 payload relabelled as AES (or vice versa) must not decrypt.
        let (_keys, [sm4, _]) = both();
        let stored = sm4.encrypt("secret", AAD).unwrap();
        let relabelled = stored.replacen("sm4gcm:v1:", "aes256gcm:v1:", 1);
        assert!(matches!(
            sm4.decrypt(&relabelled, AAD),
            Err(CryptoError::Decrypt)
        ));
    }

    #[test]
    fn malformed_values_are_format_errors() {
        let (_keys, [sm4, _]) = both();
        for bad in [
            "",
            "13812345678",
            "sm4gcm:v2:AAAA",
            "sm4gcm:v1:not base64!",
            "sm4gcm:v1:AAAA",
            "aes256gcm:v1:",
        ] {
            assert!(
                matches!(sm4.decrypt(bad, AAD), Err(CryptoError::Format)),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn errors_and_debug_do_not_leak() {
        let (_keys, [sm4, _]) = both();
        let stored = sm4.encrypt("13812345678", AAD).unwrap();
        let err = sm4.decrypt(&stored, b"other").unwrap_err();
        assert!(!err.to_string().contains("13812345678"));
        assert!(!format!("{err:?}").contains("13812345678"));
        let shown = format!("{sm4:?}");
        assert_eq!(shown, "FieldCipher { algorithm: Sm4Gcm, .. }");
    }
}
