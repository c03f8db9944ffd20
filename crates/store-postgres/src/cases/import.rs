//! Bulk import of historical cases: one transaction and a handful of statements per batch
//! (one `UNNEST` insert per table), whatever its size.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use sqlx::PgPool;
use zongzhi_core::audit::NewAuditEntry;
use zongzhi_core::case::TrackingNo;
use zongzhi_core::metrics::rollup::{RollupSource, accumulate, rows_of};
use zongzhi_store::{ImportedCase, StoreError, StoreResult};

use super::batch::{CaseBatch, CasePaths};
use super::children::{AttachmentBatch, DeptBatch, EventBatch, PartyBatch};
use super::create::lock_tracking_days;
use crate::audit::append;
use crate::error::db;
use crate::rollup;

/// [`zongzhi_store::CaseStore::import_cases`].
pub(crate) async fn import_cases(
    pool: &PgPool,
    cases: Vec<ImportedCase>,
    audit: NewAuditEntry,
) -> StoreResult<usize> {
    let mut tx = pool.begin().await.map_err(db)?;
    // Numbers taken here must not be handed out by a concurrent intake on the same days.
    let days: Vec<NaiveDate> = cases
        .iter()
        .filter_map(|c| TrackingNo::parse(&c.tracking_no).ok())
        .map(|no| no.date())
        .collect();
    lock_tracking_days(&mut tx, days).await?;
    let mut unit_ids: Vec<i64> = cases
        .iter()
        .flat_map(|c| {
            [
                Some(c.case.org_unit_id),
                Some(c.case.state.center_unit_id),
                c.case.state.holder_unit_id(),
            ]
        })
        .flatten()
        .collect();
    unit_ids.sort_unstable();
    unit_ids.dedup();
    let paths: HashMap<i64, String> =
        sqlx::query_as::<_, (i64, String)>("SELECT id, path FROM org_units WHERE id = ANY($1)")
            .bind(&unit_ids)
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?
            .into_iter()
            .collect();
    let path = |id: i64, code: &'static str| {
        paths
            .get(&id)
            .cloned()
            .ok_or(StoreError::InvalidReference(code))
    };

    let mut batch = CaseBatch::default();
    for c in &cases {
        let holder = match c.case.state.holder_unit_id() {
            Some(h) => Some(path(h, "org_unit_id")?),
            None => None,
        };
        let paths = CasePaths {
            org: path(c.case.org_unit_id, "org_unit_id")?,
            center: path(c.case.state.center_unit_id, "center_unit_id")?,
            holder,
        };
        batch.push(c.tracking_no.clone(), &c.case, paths, None);
    }
    let ids = batch.insert(&mut tx).await?;

    let mut links = DeptBatch::default();
    let mut parties = PartyBatch::default();
    let mut files = AttachmentBatch::default();
    let mut events = EventBatch::default();
    for c in &cases {
        // Every tracking number was inserted (a duplicate fails the insert above).
        let id = *ids
            .get(&c.tracking_no)
            .ok_or(StoreError::Conflict("tracking_no_taken"))?;
        let n = &c.case;
        links.push_state(id, &n.state);
        parties.push_all(id, &n.parties);
        files.push_all(id, &n.attachments, n.created_by, n.created_at);
        events.push_all(id, 1, &n.events);
    }
    links.upsert(&mut tx).await?;
    parties.insert(&mut tx).await?;
    files.insert(&mut tx).await?;
    events.insert(&mut tx).await?;
    // The batch's rollup rows, summed first: one upsert, in key order.
    let mut sums = BTreeMap::new();
    for c in &cases {
        let src = RollupSource::new(
            &path(c.case.org_unit_id, "org_unit_id")?,
            c.case.reported_at,
            &c.case.category_code,
            c.case.channel,
            &c.case.state,
        );
        accumulate(&mut sums, rows_of(&src));
    }
    rollup::upsert(&mut tx, &sums).await?;
    append(&mut tx, audit).await?;
    tx.commit().await.map_err(db)?;
    Ok(cases.len())
}
