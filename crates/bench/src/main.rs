//! `zongzhi-bench`: benchmarks that print each figure beside the raw database doing the
//! same work in the same run. Run by hand (see the crate's README); asserts nothing.

mod dashboard;
mod intake;
mod list;
mod raw;
mod setup;
mod stats;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Benchmarks of Zongzhi against the raw database.
#[derive(Debug, Parser)]
#[command(name = "zongzhi-bench", about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Case intake throughput and scoped list latency on a fresh SQLite database.
    Cases(CasesArgs),
    /// The statistics overview and rankings over a year, from the rollups, beside GROUP BY
    /// over the raw cases.
    Stats(StatsArgs),
}

#[derive(Debug, Args)]
struct StatsArgs {
    /// Cases in the database.
    #[arg(long, default_value_t = 1_000_000)]
    cases: u64,
    /// Measurements per page and side.
    #[arg(long, default_value_t = 20)]
    iterations: usize,
    /// Seed of the demo generator.
    #[arg(long, default_value_t = zongzhi_web::demo_cases::DEFAULT_SEED)]
    seed: u64,
    /// Keep the database in this directory (default: a temporary one, removed at the end;
    /// an existing database there is reused and topped up, e.g. the one `cases` left).
    #[arg(long)]
    dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct CasesArgs {
    /// Cases written one by one, and again in batches, for the intake measurement.
    #[arg(long, default_value_t = 20_000)]
    intake_cases: u64,
    /// Cases in the database for the list measurement.
    #[arg(long, default_value_t = 1_000_000)]
    list_cases: u64,
    /// Measurements per list query and side.
    #[arg(long, default_value_t = 200)]
    iterations: usize,
    /// Seed of the demo generator.
    #[arg(long, default_value_t = zongzhi_web::demo_cases::DEFAULT_SEED)]
    seed: u64,
    /// Keep the databases in this directory (default: a temporary one, removed at the end;
    /// an existing database there is reused and topped up).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Skip the intake measurement.
    #[arg(long)]
    skip_intake: bool,
}

fn main() -> std::process::ExitCode {
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
    let result = match cli.command {
        Command::Cases(args) => runtime.block_on(cases(args)),
        Command::Stats(args) => runtime.block_on(stats_pages(args)),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Opens the bench databases and prints what they run on.
async fn open(what: &str, dir: Option<&std::path::Path>) -> anyhow::Result<setup::Bench> {
    let b = setup::Bench::open(dir).await?;
    let version: String = sqlx::query_scalar("SELECT sqlite_version()")
        .fetch_one(b.sqlite.pool())
        .await?;
    println!(
        "zongzhi-bench {what}: SQLite {version}, WAL, synchronous=NORMAL, databases in {}",
        b.dir.display()
    );
    if cfg!(debug_assertions) {
        println!("note: a debug build; run with --release for meaningful figures");
    }
    Ok(b)
}

async fn stats_pages(args: StatsArgs) -> anyhow::Result<()> {
    let b = open("stats", args.dir.as_deref()).await?;
    eprintln!("stats: loading up to {} cases", args.cases);
    let mut rows = Vec::new();
    rows.extend(list::load(&b, args.cases, args.seed.wrapping_add(2)).await?);
    // A database written before the rollup tables gets them now (a no-op otherwise).
    if let Some(n) = zongzhi_web::stats::ensure_rollups(b.store()).await? {
        eprintln!("stats: rebuilt {n} rollup rows");
    }
    let rollups: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM case_rollups")
        .fetch_one(b.sqlite.pool())
        .await?;
    let cases: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases")
        .fetch_one(b.sqlite.pool())
        .await?;
    println!("{cases} cases, {rollups} rollup rows");
    rows.extend(dashboard::run(&b, args.iterations).await?);
    stats::print(
        &format!(
            "Statistics pages over the last 365 days, p50 / p95 in ms over {} runs \
             (ratio of p50; raw = GROUP BY over cases)",
            args.iterations
        ),
        &rows,
    );
    Ok(())
}

async fn cases(args: CasesArgs) -> anyhow::Result<()> {
    let b = open("cases", args.dir.as_deref()).await?;
    if !args.skip_intake {
        eprintln!("intake: {} cases each way", args.intake_cases);
        let rows = intake::run(&b, args.intake_cases, args.seed).await?;
        stats::print(
            "Durable intake (ratio = our time / raw time for the same rows)",
            &rows,
        );
    }
    eprintln!("list: loading up to {} cases", args.list_cases);
    let mut rows = Vec::new();
    rows.extend(list::load(&b, args.list_cases, args.seed.wrapping_add(2)).await?);
    rows.extend(list::run(&b, args.iterations).await?);
    stats::print(
        &format!(
            "Scoped list, first page of 50, p50 / p95 / p99 in ms over {} runs (ratio of p95)",
            args.iterations
        ),
        &rows,
    );
    Ok(())
}
