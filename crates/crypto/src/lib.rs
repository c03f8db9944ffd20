//! Field-level cryptography for sensitive personal data.
//!
//! * [`FieldCipher`] encrypts single text fields (ID card numbers, phone numbers, …)
//!   with SM4-GCM (GB/T 32907 + GCM, RFC 8998) or AES-256-GCM. The stored form is
//!   self-describing (`"sm4gcm:v1:…"` / `"aes256gcm:v1:…"`), so a deployment can
//!   switch algorithm without re-encrypting existing rows.
//! * [`BlindIndex`] computes a keyed HMAC-SM3 digest of a field so that encrypted
//!   values can still be looked up by exact match.
//! * [`Keys`] holds the master key material and manages the key file.
//! * [`sm3_hex`] is a plain SM3 digest (GB/T 32905).
//!
//! Nothing in this crate prints or logs key material or plaintext: `Debug` output
//! is redacted and error messages never contain the data being processed.

mod algorithm;
mod blind_index;
mod error;
mod field_cipher;
mod hash;
mod keys;

#[cfg(test)]
mod kat_tests;

pub use algorithm::Algorithm;
pub use blind_index::BlindIndex;
pub use error::CryptoError;
pub use field_cipher::FieldCipher;
pub use hash::sm3_hex;
pub use keys::Keys;
