//! `zongzhi demo-data --cases N [--seed S] [--months M]`: streams N generated cases into
//! the configured database, creating the demo jurisdiction first when the database is
//! empty (as `serve` does). Memory stays bounded whatever N: the generator hands out one
//! batch of 500 at a time.

use std::time::{Duration, Instant};

use anyhow::Context;
use zongzhi_web::AppState;
use zongzhi_web::demo_cases::{DemoCaseOptions, generate_cases};

/// What to generate.
#[derive(Debug, Clone, clap::Args)]
pub struct DemoDataArgs {
    /// Number of cases to generate.
    #[arg(long, value_name = "N")]
    pub cases: u64,
    /// Seed: the same seed, jurisdiction and start time give the same cases.
    #[arg(long, value_name = "S", default_value_t = zongzhi_web::demo_cases::DEFAULT_SEED)]
    pub seed: u64,
    /// Months of history before now.
    #[arg(long, value_name = "M", default_value_t = zongzhi_web::demo_cases::DEFAULT_MONTHS)]
    pub months: u32,
}

/// How often progress is printed.
const EVERY: Duration = Duration::from_secs(3);

/// Generates the cases into the database behind `state`.
pub async fn run(state: &AppState, args: &DemoDataArgs) -> anyhow::Result<()> {
    if args.cases == 0 {
        println!("未生成案例（--cases 为 0）");
        return Ok(());
    }
    let mut opts = DemoCaseOptions::new(args.cases, state.clock.now());
    opts.seed = args.seed;
    opts.months = args.months.max(1);
    println!(
        "开始生成演示案例：{} 件，覆盖近 {} 个月，随机种子 {}",
        args.cases, opts.months, opts.seed
    );
    let started = Instant::now();
    let mut last_print = Instant::now();
    let summary = generate_cases(state, &opts, |p| {
        if last_print.elapsed() >= EVERY || p.written >= p.total {
            last_print = Instant::now();
            let secs = p.elapsed.as_secs_f64().max(1e-3);
            println!(
                "  已写入 {:>10} / {} 件（{:5.1}%），{:>8.0} 件/秒",
                p.written,
                p.total,
                100.0 * p.written as f64 / p.total.max(1) as f64,
                p.written as f64 / secs
            );
        }
    })
    .await
    .context("generating demo cases")?;
    let secs = started.elapsed().as_secs_f64().max(1e-3);
    if summary.staff_created > 0 {
        println!(
            "补充创建办案人员账号 {} 个（随机密码，需管理员重置后使用）",
            summary.staff_created
        );
    }
    println!(
        "完成：写入 {} 件（其中重复件合并 {} 件），用时 {:.1} 秒，平均 {:.0} 件/秒",
        summary.written,
        summary.merged,
        secs,
        summary.written as f64 / secs
    );
    Ok(())
}
