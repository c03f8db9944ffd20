//! Errors of this crate.

/// Everything that can go wrong in key handling, encryption and decryption.
///
/// Messages are English, meant for logs and operators; they never contain
/// plaintext, ciphertext or key material.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// Reading or writing the key file failed.
    #[error("key file I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The key material is unusable (wrong length, not base64, unsafe file permissions, …).
    #[error("invalid key: {0}")]
    BadKey(String),
    /// Authenticated decryption failed: wrong key, wrong context (AAD) or tampered data.
    #[error("decryption failed: wrong key, wrong context or tampered ciphertext")]
    Decrypt,
    /// The stored value is not in a recognised format (unknown prefix, bad base64,
    /// too short, or plaintext not UTF-8).
    #[error("stored ciphertext is malformed")]
    Format,
    /// Encryption failed (only possible for absurdly long inputs).
    #[error("encryption failed")]
    Encrypt,
}
