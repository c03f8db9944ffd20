//! Keeping the rollups present: a database written before the rollup tables existed (or
//! restored without them) gets them recomputed once at start-up.

use chrono::NaiveDate;
use zongzhi_core::audit::{AuditOutcome, NewAuditEntry};
use zongzhi_core::metrics::rollup::RollupDim;
use zongzhi_core::role::Scope;
use zongzhi_store::{CaseFilter, OrgUnitFilter, RollupGroup, RollupQuery, Store, StoreResult};

/// The audit row of a rollup rebuild by the system (`who` names the trigger).
pub fn rebuild_audit(who: &str) -> NewAuditEntry {
    NewAuditEntry::new("rollup.rebuild", "case_rollups", AuditOutcome::Success).by(None, who)
}

/// Recomputes the rollups when cases exist but no rollup row counts any of them; answers
/// the rows written, or `None` when nothing was needed.
pub async fn ensure_rollups(store: &dyn Store) -> StoreResult<Option<u64>> {
    let root = Scope::subtree(0, "/");
    if store.count_cases(&root, &CaseFilter::default()).await? == 0 {
        return Ok(None);
    }
    let tops = OrgUnitFilter {
        parent_id: None,
        limit: Some(50),
        ..Default::default()
    };
    let mut counted = 0;
    for unit in store.list_org_units(&root, &tops).await?.items {
        if unit.parent_id.is_some() {
            continue;
        }
        let q = RollupQuery {
            unit_path: unit.path.clone(),
            dim: RollupDim::All,
            value: None,
            from: NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default(),
            to: NaiveDate::from_ymd_opt(2999, 12, 31).unwrap_or_default(),
            group: RollupGroup::Total,
        };
        counted += store
            .query_rollups(&root, &q)
            .await?
            .iter()
            .map(|r| r.counters.received)
            .sum::<i64>();
    }
    if counted > 0 {
        return Ok(None);
    }
    Ok(Some(store.rebuild_rollups(rebuild_audit("system")).await?))
}
