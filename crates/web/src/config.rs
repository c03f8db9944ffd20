//! The one typed configuration, built by the CLI (defaults → `zongzhi.toml` → `ZONGZHI__*`
//! environment) and passed through [`crate::AppState`].

use std::net::SocketAddr;
use std::path::PathBuf;

use secrecy::SecretString;
use serde::Deserialize;
use zongzhi_crypto::Algorithm;

/// Everything the running product needs to know.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where the SQLite file, the key file and uploads live.
    pub data_dir: PathBuf,
    /// Address to serve on.
    pub listen: SocketAddr,
    /// `sqlite://…` or `postgres://…`; defaults to `sqlite://<data_dir>/zongzhi.db`.
    pub database_url: Option<String>,
    /// Field encryption settings.
    pub crypto: CryptoConfig,
    /// Session and sign-in settings.
    pub security: SecurityConfig,
    /// Demo data settings.
    pub demo: DemoConfig,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// Background job settings.
    pub jobs: JobsConfig,
    /// Settings for automated tests only; never set in production.
    pub testing: TestingConfig,
}

/// Background job settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JobsConfig {
    /// Seconds between two passes of the deadline job (预警/超期/automatic 督办); 0 turns
    /// the job off on this instance (another instance sharing the database may run it).
    pub deadline_interval_seconds: u64,
    /// Seconds between two looks of the export worker for queued jobs (台账/报表导出); 0
    /// turns the worker off on this instance.
    pub export_interval_seconds: u64,
}

impl Default for JobsConfig {
    fn default() -> Self {
        Self {
            deadline_interval_seconds: 60,
            export_interval_seconds: 2,
        }
    }
}

/// Settings for automated tests only.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TestingConfig {
    /// Shift the server's clock by the number of seconds written in this file (re-read at
    /// most once a second; see [`crate::timing::clock_from_config`]). Lets a browser
    /// journey make a case run late.
    pub clock_offset_file: Option<PathBuf>,
}

/// Field encryption settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CryptoConfig {
    /// `sm4_gcm` (default) or `aes256_gcm`.
    pub algorithm: Algorithm,
    /// Key file; defaults to `<data_dir>/field.key`, created with mode 0600 on first run.
    pub key_file: Option<PathBuf>,
    /// The key itself (base64), instead of a file; e.g. `ZONGZHI__CRYPTO__KEY`.
    pub key: Option<SecretString>,
}

/// Session and sign-in settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecurityConfig {
    /// Minutes of inactivity after which a session ends (at most 30).
    pub idle_timeout_minutes: i64,
    /// Mark cookies `Secure` (set when served behind TLS).
    pub secure_cookies: bool,
}

/// Demo data settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DemoConfig {
    /// Create the demo jurisdiction when the database is empty.
    pub enabled: bool,
    /// Password of the demo accounts (`ZONGZHI_DEMO_PASSWORD`); random when unset.
    pub password: Option<SecretString>,
    /// Cases of demo history generated with the demo jurisdiction (0: none).
    pub cases: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./data"),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: None,
            crypto: CryptoConfig::default(),
            security: SecurityConfig::default(),
            demo: DemoConfig::default(),
            max_body_bytes: 2 * 1024 * 1024,
            jobs: JobsConfig::default(),
            testing: TestingConfig::default(),
        }
    }
}

impl Default for CryptoConfig {
    fn default() -> Self {
        Self {
            algorithm: Algorithm::Sm4Gcm,
            key_file: None,
            key: None,
        }
    }
}

impl Default for SecurityConfig {
    fn default() -> Self {
        Self {
            idle_timeout_minutes: 30,
            secure_cookies: false,
        }
    }
}

impl Default for DemoConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            password: None,
            cases: 20_000,
        }
    }
}

/// Which backend a database URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

/// A configuration that cannot run.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The database URL has another scheme.
    #[error("database_url must start with sqlite:// or postgres:// (got scheme {0:?})")]
    UnknownScheme(String),
    /// Idle timeout out of range.
    #[error("security.idle_timeout_minutes must be between 1 and 30")]
    IdleTimeout,
    /// Body limit out of range.
    #[error("max_body_bytes must be between 1 KiB and 64 MiB")]
    BodyLimit,
    /// Deadline job interval out of range.
    #[error("jobs.deadline_interval_seconds must be between 0 (off) and 86400")]
    DeadlineInterval,
    /// Export worker interval out of range.
    #[error("jobs.export_interval_seconds must be between 0 (off) and 3600")]
    ExportInterval,
}

impl Config {
    /// The database URL, defaulting to a SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("zongzhi.db").display()))
    }

    /// The key file path.
    pub fn key_file(&self) -> PathBuf {
        self.crypto
            .key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("field.key"))
    }

    /// Checks the whole configuration, returning the backend to use.
    pub fn validate(&self) -> Result<Backend, ConfigError> {
        if !(1..=30).contains(&self.security.idle_timeout_minutes) {
            return Err(ConfigError::IdleTimeout);
        }
        if !(1024..=64 * 1024 * 1024).contains(&self.max_body_bytes) {
            return Err(ConfigError::BodyLimit);
        }
        if self.jobs.deadline_interval_seconds > 86_400 {
            return Err(ConfigError::DeadlineInterval);
        }
        if self.jobs.export_interval_seconds > 3_600 {
            return Err(ConfigError::ExportInterval);
        }
        backend_of(&self.database_url())
    }
}

/// Chooses the backend by URL scheme; anything else is an error, never a fallback.
pub fn backend_of(url: &str) -> Result<Backend, ConfigError> {
    let scheme = url.split_once("://").map(|(s, _)| s).unwrap_or("");
    match scheme {
        "sqlite" => Ok(Backend::Sqlite),
        "postgres" | "postgresql" => Ok(Backend::Postgres),
        other => Err(ConfigError::UnknownScheme(other.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_picks_backend() {
        assert_eq!(
            backend_of("sqlite://./data/x.db").ok(),
            Some(Backend::Sqlite)
        );
        assert_eq!(
            backend_of("postgres://u@h/db").ok(),
            Some(Backend::Postgres)
        );
        assert!(backend_of("mysql://u@h/db").is_err());
        assert!(backend_of("./data/x.db").is_err());
    }

    #[test]
    fn defaults_are_valid() {
        assert_eq!(Config::default().validate().ok(), Some(Backend::Sqlite));
    }
}
