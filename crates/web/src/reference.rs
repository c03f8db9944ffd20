//! Reference data every deployment needs, demo or not: today the category code table
//! (事件分类代码表), seeded from `zongzhi_core::case::category::SEED` when empty.

use serde_json::json;
use zongzhi_core::audit::{AuditOutcome, NewAuditEntry};
use zongzhi_store::CategorySeedRow;

use crate::state::AppState;

/// Seeds whatever reference table is still empty, each in one transaction with one audit
/// row by `system`; returns how many category rows were inserted (0 when already there).
/// Called at every start-up, before any demo seeding; safe with several instances.
pub async fn ensure_reference_data(state: &AppState) -> anyhow::Result<usize> {
    let rows = CategorySeedRow::core_seed();
    let audit = NewAuditEntry::new("category.seed", "category", AuditOutcome::Success)
        .by(None, "system")
        .detail(json!({ "source": "core_seed", "rows": rows.len() }));
    Ok(state.store.seed_categories_if_empty(&rows, audit).await?)
}
