//! Reference data every deployment needs, demo or not, seeded at start-up when empty:
//! the category code table (事件分类代码表, from `zongzhi_core::case::category::SEED`),
//! the time-limit table (办理时限, from `zongzhi_core::case::limits::DEFAULT_RULES`) and
//! the working-time calendar (工作日历, from `zongzhi_core::calendar::builtin_overrides`).
//! Start-up also sweeps attachment files that no case references.

use serde_json::json;
use zongzhi_core::audit::{AuditOutcome, NewAuditEntry};
use zongzhi_core::calendar::builtin_overrides;
use zongzhi_core::case::limits::{DEFAULT_RULES, TimeLimitRule};
use zongzhi_store::CategorySeedRow;

use crate::state::AppState;

/// An audit row by `system` for seeding `source` into `target_type`.
fn seed_audit(action: &str, target_type: &str, source: &str, rows: usize) -> NewAuditEntry {
    NewAuditEntry::new(action, target_type, AuditOutcome::Success)
        .by(None, "system")
        .detail(json!({ "source": source, "rows": rows }))
}

/// The shipped time-limit rules with owned category codes, as storage keeps them.
pub fn default_time_limits() -> Vec<TimeLimitRule<String>> {
    DEFAULT_RULES
        .iter()
        .map(|r| TimeLimitRule {
            category: r.category.map(str::to_owned),
            tier: r.tier,
            urgency: r.urgency,
            complexity: r.complexity,
            channel: r.channel,
            accept: r.accept,
            finish: r.finish,
        })
        .collect()
}

/// Seeds whatever reference table is still empty, each in one transaction with one audit
/// row by `system`; returns how many rows were inserted in all (0 when everything was
/// already there). Called at every start-up, before any demo seeding; safe with several
/// instances (each table is seeded only while empty, in its own transaction).
pub async fn ensure_reference_data(state: &AppState) -> anyhow::Result<usize> {
    let rows = CategorySeedRow::core_seed();
    let audit = seed_audit("category.seed", "category", "core_seed", rows.len());
    let categories = state.store.seed_categories_if_empty(&rows, audit).await?;

    let rules = default_time_limits();
    let audit = seed_audit(
        "time_limit.seed",
        "time_limit",
        "default_rules",
        rules.len(),
    );
    let limits = state.store.seed_time_limits_if_empty(&rules, audit).await?;

    let days = builtin_overrides();
    let audit = seed_audit(
        "calendar.seed",
        "calendar_day",
        "builtin_2024_2027",
        days.len(),
    );
    let calendar = state.store.seed_calendar_if_empty(&days, audit).await?;

    if categories + limits + calendar > 0 {
        tracing::info!(categories, limits, calendar, "seeded reference data");
    }

    // Files left by a crash between writing attachments and committing their case. Not
    // reference data, but start-up is the moment; a failure here must not stop the server.
    if let Err(e) = crate::cases::sweep_orphans(state).await {
        tracing::warn!(error = %e, "could not sweep orphaned attachment files");
    }
    Ok(categories + limits + calendar)
}
