//! The `zongzhi` binary: `serve` (default), `migrate`, `audit verify`, `demo-data`,
//! `rollup rebuild|check`.

mod config;
mod demo_data;
mod rollup;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use secrecy::ExposeSecret;
use zongzhi_core::audit::ChainVerifier;
use zongzhi_crypto::{BlindIndex, FieldCipher, Keys};
use zongzhi_store::Store;
use zongzhi_web::config::Backend;
use zongzhi_web::{AppState, Config};

/// 综治中心平台 — the Zongzhi server and its tools.
#[derive(Debug, Parser)]
#[command(name = "zongzhi", version, about)]
struct Cli {
    /// Data directory (SQLite file, key file). Overrides the config.
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Configuration file (default: ./zongzhi.toml if present).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the console and the API (the default).
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8080.
        #[arg(long, value_name = "ADDR:PORT")]
        listen: Option<SocketAddr>,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Audit log tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Generate demo cases into the database (creates the demo jurisdiction if empty).
    DemoData(demo_data::DemoDataArgs),
    /// Statistics rollups: recompute them from the cases.
    Rollup {
        #[command(subcommand)]
        command: rollup::RollupCommand,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Verify the SM3 hash chain; exits non-zero at the first broken link.
    Verify,
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<std::process::ExitCode> {
    let listen = match &cli.command {
        Some(Command::Serve { listen }) => *listen,
        _ => None,
    };
    let config = config::load(cli.config.as_deref(), cli.data_dir.as_deref(), listen)?;
    let backend = config.validate().context("invalid configuration")?;
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create data directory {}", config.data_dir.display()))?;
    let store = open_store(&config, backend).await?;
    store.migrate().await.context("migrating the database")?;
    match cli.command.unwrap_or(Command::Serve { listen: None }) {
        Command::Serve { .. } => serve(config, store).await,
        Command::Migrate => {
            println!("migrations applied ({})", store.backend_name());
            Ok(std::process::ExitCode::SUCCESS)
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => verify_audit(store.as_ref()).await,
        Command::DemoData(args) => demo_data(config, store, &args).await,
        Command::Rollup { command } => rollup::run(store.as_ref(), &command).await,
    }
}

async fn open_store(config: &Config, backend: Backend) -> anyhow::Result<Arc<dyn Store>> {
    let url = config.database_url();
    Ok(match backend {
        Backend::Sqlite => Arc::new(
            zongzhi_store_sqlite::SqliteStore::connect(&url)
                .await
                .context("opening SQLite database")?,
        ),
        Backend::Postgres => Arc::new(
            zongzhi_store_postgres::PgStore::connect(&url)
                .await
                .context("connecting to PostgreSQL")?,
        ),
    })
}

fn keys(config: &Config) -> anyhow::Result<Keys> {
    match &config.crypto.key {
        Some(k) => Keys::from_base64(k.expose_secret()).context("crypto.key is not a valid key"),
        None => {
            let path = config.key_file();
            Keys::load_or_create(&path)
                .with_context(|| format!("field key file {}", path.display()))
        }
    }
}

fn app_state(config: &Config, store: Arc<dyn Store>) -> anyhow::Result<AppState> {
    let keys = keys(config)?;
    Ok(AppState {
        store,
        cipher: FieldCipher::new(config.crypto.algorithm, &keys),
        index: BlindIndex::new(&keys),
        clock: zongzhi_web::timing::clock_from_config(config),
        config: Arc::new(config.clone()),
    })
}

async fn serve(config: Config, store: Arc<dyn Store>) -> anyhow::Result<std::process::ExitCode> {
    let state = app_state(&config, store)?;
    let seeded = zongzhi_web::reference::ensure_reference_data(&state)
        .await
        .context("seeding reference data")?;
    if seeded > 0 {
        tracing::info!(categories = seeded, "seeded the category code table");
    }
    if config.demo.enabled {
        let pw = config
            .demo
            .password
            .as_ref()
            .map(|p| p.expose_secret().to_owned());
        if let Some(report) = zongzhi_web::demo::seed_if_empty(&state, pw.as_deref()).await? {
            print_demo(&report);
        }
    }
    // A database from before the rollup tables (or restored without them) gets them once.
    if let Some(rows) = zongzhi_web::stats::ensure_rollups(state.store.as_ref())
        .await
        .context("rebuilding the statistics rollups")?
    {
        tracing::info!(rows, "rebuilt the statistics rollups from the cases");
    }
    // After seeding, so the job starts from the marks the demo history already carries.
    let _deadlines = zongzhi_web::timing::deadlines::spawn_deadline_job(state.clone());
    // Background exports (台账/报表导出): claims queued jobs with a lease.
    let _exports = zongzhi_web::exports::spawn_export_worker(state.clone());
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    tracing::info!(addr = %config.listen, "serving http://{}", config.listen);
    println!("综治中心平台已启动: http://{}", config.listen);
    let app = zongzhi_web::router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("server failed")?;
    Ok(std::process::ExitCode::SUCCESS)
}

/// `zongzhi demo-data`: seeds the demo jurisdiction into an empty database (its own
/// history left out: the command generates what was asked for), then streams the cases.
async fn demo_data(
    mut config: Config,
    store: Arc<dyn Store>,
    args: &demo_data::DemoDataArgs,
) -> anyhow::Result<std::process::ExitCode> {
    config.demo.cases = 0;
    let state = app_state(&config, store)?;
    let pw = config
        .demo
        .password
        .as_ref()
        .map(|p| p.expose_secret().to_owned());
    if let Some(report) = zongzhi_web::demo::seed_if_empty(&state, pw.as_deref()).await? {
        print_demo(&report);
    }
    demo_data::run(&state, args).await?;
    Ok(std::process::ExitCode::SUCCESS)
}

fn print_demo(r: &zongzhi_web::demo::DemoReport) {
    println!(
        "已创建演示辖区: {} 个单位, {} 个入驻部门, {} 个账号",
        r.units,
        r.departments,
        r.accounts.len()
    );
    if r.cases > 0 {
        println!(
            "已生成演示案例: {} 件（近18个月的历史案件，含办理中的案件）",
            r.cases
        );
    }
    for a in &r.accounts {
        println!("  {:<22} {}", a.username, a.description);
    }
    match &r.generated_password {
        Some(p) => println!("演示账号密码（仅显示这一次）: {p}"),
        None => println!("演示账号密码: ZONGZHI_DEMO_PASSWORD 的值"),
    }
    println!("管理员账号（admin/security/auditor/county_admin）首次登录须绑定动态验证码。");
}

async fn verify_audit(store: &dyn Store) -> anyhow::Result<std::process::ExitCode> {
    let mut v = ChainVerifier::default();
    let mut after = 0;
    loop {
        let rows = store
            .audit_chain(after, 1000)
            .await
            .context("reading the audit log")?;
        let Some(last) = rows.last() else { break };
        after = last.seq;
        for e in &rows {
            if let Err(b) = v.check(e) {
                println!("audit chain BROKEN at seq {}: {}", b.seq, b.reason);
                return Ok(std::process::ExitCode::from(2));
            }
        }
    }
    println!("audit chain OK: {} rows verified", v.verified());
    if v.verified() < 0 {
        bail!("impossible count");
    }
    Ok(std::process::ExitCode::SUCCESS)
}
