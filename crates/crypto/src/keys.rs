//! Master key material and the key file.

use std::fmt;
use std::io::Write as _;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use rand::RngCore as _;
use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretBox, SecretString};

use crate::CryptoError;

/// Length of each of the two keys, in bytes.
pub(crate) const KEY_LEN: usize = 32;
/// Length of the serialised key material (encryption key, then blind-index key).
const MATERIAL_LEN: usize = 2 * KEY_LEN;

/// Master key material: an encryption key (32 bytes; SM4 uses the first 16) and a
/// separate 32-byte blind-index key.
///
/// The bytes live in zeroize-on-drop boxes; `Debug` prints no key material.
/// Serialised form (key file, environment variable): one line of standard base64
/// of the 64 bytes `encryption key || blind-index key`.
pub struct Keys {
    enc: SecretBox<[u8; KEY_LEN]>,
    index: SecretBox<[u8; KEY_LEN]>,
}

impl Keys {
    /// Fresh random keys from the operating system's CSPRNG (via `rand`'s thread RNG).
    pub fn generate() -> Keys {
        let mut rng = rand::rng();
        Keys {
            enc: SecretBox::init_with_mut(|k: &mut [u8; KEY_LEN]| rng.fill_bytes(k)),
            index: SecretBox::init_with_mut(|k: &mut [u8; KEY_LEN]| rng.fill_bytes(k)),
        }
    }

    /// Loads the key file, or creates it (random, mode 0600, parent dir created) when
    /// absent. Refuses (error) a file that is group/other-readable on unix.
    /// Format: one line of base64 of 64 bytes.
    pub fn load_or_create(path: &Path) -> Result<Keys, CryptoError> {
        match std::fs::symlink_metadata(path) {
            Ok(_) => Self::load(path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => match Self::create(path) {
                Ok(keys) => Ok(keys),
                // Someone else created it in between: use theirs.
                Err(CryptoError::Io(e)) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    Self::load(path)
                }
                Err(e) => Err(e),
            },
            Err(e) => Err(e.into()),
        }
    }

    /// Same base64 format as the key file, for keys passed by environment variable.
    /// Surrounding whitespace is ignored.
    pub fn from_base64(s: &str) -> Result<Keys, CryptoError> {
        // Never echo the input or the base64 crate's error (it may quote a key character).
        let bytes = Zeroizing::new(
            B64.decode(s.trim())
                .map_err(|_| CryptoError::BadKey("key material is not valid base64".into()))?,
        );
        if bytes.len() != MATERIAL_LEN {
            return Err(CryptoError::BadKey(format!(
                "key material must be {MATERIAL_LEN} bytes, got {}",
                bytes.len()
            )));
        }
        let (enc, index) = bytes.split_at(KEY_LEN);
        Ok(Keys {
            enc: SecretBox::init_with_mut(|k: &mut [u8; KEY_LEN]| k.copy_from_slice(enc)),
            index: SecretBox::init_with_mut(|k: &mut [u8; KEY_LEN]| k.copy_from_slice(index)),
        })
    }

    /// The base64 serialisation (same format as the key file, without newline).
    pub fn to_base64(&self) -> SecretString {
        let mut material = Zeroizing::new([0u8; MATERIAL_LEN]);
        material[..KEY_LEN].copy_from_slice(self.enc.expose_secret());
        material[KEY_LEN..].copy_from_slice(self.index.expose_secret());
        SecretString::from(B64.encode(material.as_slice()))
    }

    /// The 32-byte encryption key.
    pub(crate) fn enc_key(&self) -> &[u8; KEY_LEN] {
        self.enc.expose_secret()
    }

    /// The 32-byte blind-index key.
    pub(crate) fn index_key(&self) -> &[u8; KEY_LEN] {
        self.index.expose_secret()
    }

    fn load(path: &Path) -> Result<Keys, CryptoError> {
        check_permissions(path)?;
        let text = Zeroizing::new(std::fs::read_to_string(path)?);
        Self::from_base64(&text).map_err(|e| match e {
            CryptoError::BadKey(why) => {
                CryptoError::BadKey(format!("key file {}: {why}", path.display()))
            }
            other => other,
        })
    }

    fn create(path: &Path) -> Result<Keys, CryptoError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            create_private_dir(parent)?;
        }
        let keys = Keys::generate();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let mut file = options.open(path)?;
        let line = Zeroizing::new(format!("{}\n", keys.to_base64().expose_secret()));
        let written = file
            .write_all(line.as_bytes())
            .and_then(|()| file.sync_all());
        if let Err(e) = written {
            // Do not leave a truncated key file behind.
            drop(file);
            let _ = std::fs::remove_file(path);
            return Err(e.into());
        }
        Ok(keys)
    }
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Keys([REDACTED])")
    }
}

/// Creates `dir` (and its parents) if missing; new directories get mode 0700 on unix.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(dir)
}

#[cfg(unix)]
fn check_permissions(path: &Path) -> Result<(), CryptoError> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(path)?.permissions().mode();
    if mode & 0o077 != 0 {
        return Err(CryptoError::BadKey(format!(
            "key file {} has mode {:04o}, which lets group or others access it; \
             run `chmod 600` on it",
            path.display(),
            mode & 0o7777
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_permissions(_path: &Path) -> Result<(), CryptoError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn base64_round_trip() {
        let keys = Keys::generate();
        let text = keys.to_base64();
        let again = Keys::from_base64(text.expose_secret()).unwrap();
        assert_eq!(keys.enc_key(), again.enc_key());
        assert_eq!(keys.index_key(), again.index_key());
        assert_ne!(keys.enc_key(), keys.index_key());
        // Whitespace around (e.g. a trailing newline from a file or env var) is fine.
        let padded = format!("  {}\n", text.expose_secret());
        assert!(Keys::from_base64(&padded).is_ok());
    }

    #[test]
    fn generate_is_random() {
        assert_ne!(Keys::generate().enc_key(), Keys::generate().enc_key());
    }

    #[test]
    fn from_base64_rejects_wrong_lengths() {
        for len in [0usize, 16, 32, 63, 65, 128] {
            let text = B64.encode(vec![7u8; len]);
            match Keys::from_base64(&text) {
                Err(CryptoError::BadKey(msg)) => assert!(msg.contains("64 bytes"), "{msg}"),
                other => panic!("length {len}: unexpected {other:?}"),
            }
        }
        assert!(matches!(
            Keys::from_base64("not base64!!"),
            Err(CryptoError::BadKey(_))
        ));
    }

    #[test]
    fn debug_is_redacted() {
        let keys = Keys::from_base64(&B64.encode([0xABu8; 64])).unwrap();
        let shown = format!("{keys:?}");
        assert!(!shown.to_lowercase().contains("ab"), "{shown}");
        assert!(shown.contains("REDACTED"));
        let b64 = keys.to_base64();
        assert!(!format!("{b64:?}").contains(b64.expose_secret()));
    }

    #[test]
    fn key_file_is_created_private_and_reloaded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/dir/master.key");
        let created = Keys::load_or_create(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 1);
        assert_eq!(B64.decode(text.trim()).unwrap().len(), 64);

        let loaded = Keys::load_or_create(&path).unwrap();
        assert_eq!(created.enc_key(), loaded.enc_key());
        assert_eq!(created.index_key(), loaded.index_key());
        assert_eq!(
            created.to_base64().expose_secret(),
            loaded.to_base64().expose_secret()
        );
    }

    #[cfg(unix)]
    #[test]
    fn world_readable_key_file_is_refused() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        Keys::load_or_create(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        match Keys::load_or_create(&path) {
            Err(CryptoError::BadKey(msg)) => assert!(msg.contains("0644"), "{msg}"),
            other => panic!("unexpected {other:?}"),
        }
        // Unchanged on disk: we refuse rather than "fix" or overwrite.
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o644);
    }

    #[test]
    fn corrupt_key_file_is_an_error_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        options
            .open(&path)
            .unwrap()
            .write_all(b"c2hvcnQ=\n")
            .unwrap();
        assert!(matches!(
            Keys::load_or_create(&path),
            Err(CryptoError::BadKey(_))
        ));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "c2hvcnQ=\n");
    }
}
