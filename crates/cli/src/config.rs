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
