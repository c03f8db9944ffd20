//! `zongzhi rollup rebuild | check`: recompute the statistics rollups from the cases.

use std::time::Instant;

use anyhow::Context;
use clap::Subcommand;
use zongzhi_store::Store;
use zongzhi_web::stats::rebuild_audit;

/// Rollup tools.
#[derive(Debug, Subcommand)]
pub enum RollupCommand {
    /// Recompute every rollup row from the cases (one transaction, audited).
    Rebuild,
    /// Rebuild and report whether the incrementally kept rows differed (exit 3 if so).
    Check,
}

/// Runs a rollup command.
pub async fn run(store: &dyn Store, cmd: &RollupCommand) -> anyhow::Result<std::process::ExitCode> {
    let before = match cmd {
        RollupCommand::Check => Some(store.dump_rollups().await.context("reading the rollups")?),
        RollupCommand::Rebuild => None,
    };
    let started = Instant::now();
    let rows = store
        .rebuild_rollups(rebuild_audit("zongzhi rollup"))
        .await
        .context("rebuilding the rollups")?;
    println!(
        "rollups rebuilt: {rows} rows in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let Some(before) = before else {
        return Ok(std::process::ExitCode::SUCCESS);
    };
    let after = store.dump_rollups().await.context("reading the rollups")?;
    let differing = diff_count(&before, &after);
    if differing == 0 {
        println!(
            "rollups check: the kept rows equal the rebuild ({} rows)",
            after.len()
        );
        Ok(std::process::ExitCode::SUCCESS)
    } else {
        println!("rollups check: {differing} rows differed from the rebuild (now corrected)");
        Ok(std::process::ExitCode::from(3))
    }
}

/// Rows present in one list but not equal in the other (both sorted by key).
fn diff_count(a: &[zongzhi_store::RollupEntry], b: &[zongzhi_store::RollupEntry]) -> usize {
    let a: std::collections::BTreeMap<_, _> = a.iter().cloned().collect();
    let b: std::collections::BTreeMap<_, _> = b.iter().cloned().collect();
    let mut n = a.iter().filter(|(k, v)| b.get(*k) != Some(*v)).count();
    n += b.keys().filter(|k| !a.contains_key(*k)).count();
    n
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use zongzhi_core::metrics::Counters;
    use zongzhi_core::metrics::rollup::{RollupDim, RollupKey};

    fn key(v: &str) -> RollupKey {
        RollupKey {
            unit_path: "/1/".to_owned(),
            dim: RollupDim::All,
            value: v.to_owned(),
            day: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        }
    }

    #[test]
    fn differences_count_changed_missing_and_extra_rows() {
        let one = Counters {
            received: 1,
            ..Counters::ZERO
        };
        let two = Counters {
            received: 2,
            ..Counters::ZERO
        };
        let a = vec![(key("a"), one), (key("b"), one)];
        let b = vec![(key("a"), two), (key("c"), one)];
        assert_eq!(diff_count(&a, &a), 0);
        assert_eq!(diff_count(&a, &b), 3);
    }
}
