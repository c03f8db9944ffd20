//! Writing generated batches: one `import_cases` call (one transaction, one audit row) per
//! batch, then the merges of duplicates whose master is now stored, each through the
//! ordinary `apply_case_event` with the dispatcher's scope, as the console would do it.

use anyhow::Context;
use serde_json::json;
use zongzhi_core::audit::{AuditOutcome, NewAuditEntry};
use zongzhi_core::calendar::WorkCalendar;
use zongzhi_core::case::{Action, ActorCtx, ProjectEnv, apply};
use zongzhi_core::role::Scope;
use zongzhi_store::{Case, CaseFilter, CaseUpdate, ImportedCase, NewCaseEvent, Store};

use super::case_gen::PendingMerge;
use super::notes;

/// Writes one batch with its audit row.
pub(super) async fn import(
    store: &dyn Store,
    batch: Vec<ImportedCase>,
    seed: u64,
    number: u64,
) -> anyhow::Result<usize> {
    let audit = NewAuditEntry::new("case.import", "case", AuditOutcome::Success)
        .by(None, "system")
        .detail(json!({
            "source": "demo_cases",
            "seed": seed,
            "batch": number,
            "cases": batch.len(),
        }));
    Ok(store.import_cases(batch, audit).await?)
}

/// The stored case with `tracking_no` (unique: answered from its index).
async fn find(store: &dyn Store, tracking_no: &str) -> anyhow::Result<Option<Case>> {
    let filter = CaseFilter {
        tracking_no: Some(tracking_no.to_owned()),
        limit: Some(1),
        ..CaseFilter::default()
    };
    let page = store.list_cases(&Scope::subtree(0, "/"), &filter).await?;
    Ok(page.items.into_iter().next())
}

/// Merges a stored duplicate into its master; `false` when either is missing (nothing
/// written).
pub(super) async fn merge(
    store: &dyn Store,
    cal: &WorkCalendar,
    m: &PendingMerge,
) -> anyhow::Result<bool> {
    let (Some(dup), Some(master)) = (
        find(store, &m.tracking_no).await?,
        find(store, &m.master_tracking_no).await?,
    ) else {
        tracing::warn!("demo duplicate or its master not found; left unmerged");
        return Ok(false);
    };
    let action = Action::merge(master.id, dup.id, Some(notes::MERGE))?;
    let ctx = ActorCtx::scoped(&m.actor.roles).with_facts(dup.state.facts);
    let tr = apply(dup.state.status, &action, &ctx)
        .map_err(|e| anyhow::anyhow!("the state machine refused the merge: {e:?}"))?;
    let mut state = dup.state.clone();
    let at = m.at.max(dup.updated_at);
    let env = ProjectEnv {
        calendar: cal,
        limits: None,
    };
    state.project(&action, tr.to, at, env);
    let event = NewCaseEvent {
        actor_id: Some(m.actor.id),
        at,
        from_status: tr.from,
        to_status: tr.to,
        kind: tr.kind.as_str().to_owned(),
        note: action.note().map(|n| n.as_str().to_owned()),
        payload: serde_json::to_value(&action)?,
    };
    let audit = NewAuditEntry::new("case.merge", "case", AuditOutcome::Success)
        .by(Some(m.actor.id), &m.actor.username)
        .target(dup.id)
        .detail(json!({ "master_case_id": master.id, "source": "demo_cases" }));
    let update = CaseUpdate {
        case_id: dup.id,
        expected_version: dup.version,
        events: vec![event],
        state,
    };
    store
        .apply_case_event(&m.actor.scope(), update, audit)
        .await
        .context("merging a demo duplicate")?;
    Ok(true)
}
