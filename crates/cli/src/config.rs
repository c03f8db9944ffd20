//! Loads the typed configuration: defaults, then `zongzhi.toml`, then `ZONGZHI__*`
//! environment variables (`__` separates levels: `ZONGZHI__CRYPTO__ALGORITHM`), then
//! `DATABASE_URL` and `ZONGZHI_DEMO_PASSWORD`, then command-line flags.

use std::net::SocketAddr;
use std::path::Path;

use anyhow::Context;
use figment::Figment;
use figment::providers::{Env, Format, Toml};
use zongzhi_web::Config;

/// Builds the configuration from every source.
pub fn load(
    file: Option<&Path>,
    data_dir: Option<&Path>,
    listen: Option<SocketAddr>,
) -> anyhow::Result<Config> {
    let mut fig = Figment::new();
    match file {
        Some(f) => {
            if !f.exists() {
                anyhow::bail!("config file {} does not exist", f.display());
            }
            fig = fig.merge(Toml::file_exact(f));
        }
        None if Path::new("zongzhi.toml").exists() => {
            fig = fig.merge(Toml::file_exact("zongzhi.toml"))
        }
        None => {}
    }
    fig = fig.merge(Env::prefixed("ZONGZHI__").split("__").lowercase(true));
    if let Ok(url) = std::env::var("DATABASE_URL") {
        fig = fig.merge(("database_url", url));
    }
    if let Ok(pw) = std::env::var("ZONGZHI_DEMO_PASSWORD") {
        fig = fig.merge(("demo.password", pw));
    }
    if let Some(d) = data_dir {
        fig = fig.merge(("data_dir", d.display().to_string()));
    }
    if let Some(l) = listen {
        fig = fig.merge(("listen", l.to_string()));
    }
    fig.extract::<Config>().context("invalid configuration")
}

#[cfg(test)]
mod tests {
    // figment's Jail returns its own (large) error type; fine in tests.
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::result_large_err)]
    use super::*;
    use figment::Jail;

    #[test]
    fn defaults_then_file_then_env_then_flags() {
        Jail::expect_with(|jail| {
            let c = load(None, None, None).unwrap();
            assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
            assert_eq!(c.database_url(), "sqlite://./data/zongzhi.db");

            jail.create_file(
                "zongzhi.toml",
                "listen = \"127.0.0.1:9000\"\n[security]\nidle_timeout_minutes = 20\n[crypto]\nalgorithm = \"aes256_gcm\"\n",
            )?;
            let c = load(None, None, None).unwrap();
            assert_eq!(c.listen.to_string(), "127.0.0.1:9000");
            assert_eq!(c.security.idle_timeout_minutes, 20);
            assert_eq!(c.crypto.algorithm, zongzhi_crypto::Algorithm::Aes256Gcm);

            jail.set_env("ZONGZHI__SECURITY__IDLE_TIMEOUT_MINUTES", "15");
            jail.set_env("DATABASE_URL", "postgres://u@localhost/zz");
            let c = load(
                None,
                Some(Path::new("/srv/zz")),
                Some("0.0.0.0:8081".parse().unwrap()),
            )
            .unwrap();
            assert_eq!(c.security.idle_timeout_minutes, 15);
            assert_eq!(c.database_url(), "postgres://u@localhost/zz");
            assert_eq!(c.data_dir, Path::new("/srv/zz"));
            assert_eq!(c.listen.to_string(), "0.0.0.0:8081");
            Ok(())
        });
    }

    #[test]
    fn bad_values_are_clear_errors() {
        Jail::expect_with(|jail| {
            jail.create_file("zongzhi.toml", "lisen = \"x\"\n")?;
            let e = load(None, None, None).unwrap_err();
            assert!(format!("{e:#}").contains("lisen"), "{e:#}");
            jail.create_file("zongzhi.toml", "[security]\nidle_timeout_minutes = 90\n")?;
            let c = load(None, None, None).unwrap();
            assert!(c.validate().is_err());
            assert!(load(Some(Path::new("missing.toml")), None, None).is_err());
            Ok(())
        });
    }
}
