//! Intake: one case with its parties, attachments and first events, all or nothing.

use chrono::{Datelike, NaiveDate};
use sqlx::{PgConnection, PgPool, QueryBuilder};
use zongzhi_core::audit::NewAuditEntry;
use zongzhi_core::case::TrackingNo;
use zongzhi_core::role::Scope;
use zongzhi_store::{CreatedCase, NewCase, StoreError, StoreResult};

use super::batch::{CaseBatch, CasePaths};
use super::children::{AttachmentBatch, DeptBatch, EventBatch, PartyBatch};
use super::fetch_case;
use super::write::check_refs;
use crate::audit::{append, default_target};
use crate::error::db;
use crate::query::push_scope;
use crate::rollup;

/// First key of the advisory lock serialising tracking-number allocation per day (the
/// second is the date as `yyyymmdd`). Two-key locks never collide with sqlx's one-key
/// migration lock.
const TRACKING_LOCK: i32 = 0x7A7A_0001;
/// First key of the advisory lock serialising creations with one idempotency key (the
/// second is a hash of creator and key).
const IDEMPOTENCY_LOCK: i32 = 0x7A7A_0002;

/// The second key of a date's tracking-number lock: `yyyymmdd`.
fn day_key(date: NaiveDate) -> i32 {
    // Years of tracking numbers are 1–9999, so this fits an i32.
    date.year() * 10_000 + i32::try_from(date.month() * 100 + date.day()).unwrap_or(0)
}

/// Takes the tracking-number locks of `dates` until the transaction ends, in date order
/// (so that two importers cannot deadlock).
pub(crate) async fn lock_tracking_days(
    conn: &mut PgConnection,
    dates: Vec<NaiveDate>,
) -> StoreResult<()> {
    let mut keys: Vec<i32> = dates.into_iter().map(day_key).collect();
    keys.sort_unstable();
    keys.dedup();
    sqlx::query("SELECT pg_advisory_xact_lock($1, k) FROM UNNEST($2::int4[]) AS t(k) ORDER BY k")
        .bind(TRACKING_LOCK)
        .bind(keys)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    Ok(())
}

/// The next free tracking number of `date`. Takes a transaction-scoped advisory lock on
/// the date first, so concurrent intakes (on any instance) number one after another.
pub(crate) async fn next_tracking_no(
    conn: &mut PgConnection,
    date: NaiveDate,
) -> StoreResult<TrackingNo> {
    let first = TrackingNo::format(date, 1).map_err(StoreError::backend)?;
    let last = TrackingNo::format(date, TrackingNo::MAX_SEQ).map_err(StoreError::backend)?;
    lock_tracking_days(conn, vec![date]).await?;
    // The highest well-formed number of the day, walking the unique index backwards.
    let highest: Option<String> = sqlx::query_scalar(
        "SELECT tracking_no FROM cases WHERE tracking_no >= $1 AND tracking_no <= $2 \
         AND tracking_no ~ '^[A-Z]{2}[0-9]{13}$' ORDER BY tracking_no DESC LIMIT 1",
    )
    .bind(first.as_str())
    .bind(last.as_str())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db)?;
    let used = match highest {
        Some(no) => TrackingNo::parse(&no).map_err(StoreError::backend)?.seq(),
        None => 0,
    };
    TrackingNo::format(date, used + 1).map_err(|_| StoreError::Conflict("tracking_no_exhausted"))
}

/// The case a creator already made with `key`, if any. Takes an advisory lock on the pair
/// first, so a concurrent retry with the same key waits and then finds it.
async fn replayed(
    conn: &mut PgConnection,
    created_by: Option<i64>,
    key: &str,
) -> StoreResult<Option<i64>> {
    let lock_text = format!("{}:{key}", created_by.unwrap_or_default());
    sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
        .bind(IDEMPOTENCY_LOCK)
        .bind(lock_text)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    let sql = if created_by.is_some() {
        "SELECT id FROM cases WHERE created_by = $1 AND idempotency_key = $2"
    } else {
        "SELECT id FROM cases WHERE created_by IS NULL AND $1::int8 IS NULL \
         AND idempotency_key = $2"
    };
    sqlx::query_scalar(sql)
        .bind(created_by)
        .bind(key)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)
}

/// [`zongzhi_store::CaseStore::create_case`].
pub(crate) async fn create_case(
    pool: &PgPool,
    scope: &Scope,
    new: NewCase,
    audit: NewAuditEntry,
) -> StoreResult<CreatedCase> {
    let mut tx = pool.begin().await.map_err(db)?;
    if let Some(key) = &new.idempotency_key
        && let Some(id) = replayed(&mut tx, new.created_by, key).await?
    {
        let case = fetch_case(&mut tx, None, id).await?;
        // Nothing was written: ending the transaction only releases the lock.
        tx.rollback().await.map_err(db)?;
        return Ok(CreatedCase {
            case,
            replayed: true,
        });
    }
    let active: Option<bool> = sqlx::query_scalar("SELECT active FROM categories WHERE code = $1")
        .bind(&new.category_code)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
    if active != Some(true) {
        return Err(StoreError::InvalidReference("category_code"));
    }
    let mut qb = QueryBuilder::new("SELECT o.path FROM org_units o WHERE o.id = ");
    qb.push_bind(new.org_unit_id);
    push_scope(&mut qb, "o.path", scope);
    let org_path: Option<String> = qb
        .build_query_scalar()
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
    let org_path = org_path.ok_or(StoreError::InvalidReference("org_unit_id"))?;
    let (center_path, holder_path) = check_refs(
        &mut tx,
        Some(scope),
        None,
        None,
        &new.state,
        "center_unit_id",
    )
    .await?;
    let tracking_no = next_tracking_no(&mut tx, new.tracking_date).await?;

    let mut cases = CaseBatch::default();
    cases.push(
        tracking_no.as_str().to_owned(),
        &new,
        CasePaths {
            org: org_path,
            center: center_path,
            holder: holder_path,
        },
        new.idempotency_key.clone(),
    );
    let ids = cases.insert(&mut tx).await?;
    let id = *ids
        .get(tracking_no.as_str())
        .ok_or(StoreError::Conflict("tracking_no_taken"))?;
    let mut links = DeptBatch::default();
    links.push_state(id, &new.state);
    links.upsert(&mut tx).await?;
    let mut parties = PartyBatch::default();
    parties.push_all(id, &new.parties);
    parties.insert(&mut tx).await?;
    let mut files = AttachmentBatch::default();
    files.push_all(id, &new.attachments, new.created_by, new.created_at);
    files.insert(&mut tx).await?;
    let mut events = EventBatch::default();
    events.push_all(id, 1, &new.events);
    events.insert(&mut tx).await?;
    let case = fetch_case(&mut tx, None, id).await?;
    // Rollup rows before the audit head, in the order every writer takes them.
    rollup::apply_delta(&mut tx, None, Some(&rollup::source_of(&case))).await?;
    append(&mut tx, default_target(audit, id)).await?;
    tx.commit().await.map_err(db)?;
    Ok(CreatedCase {
        case,
        replayed: false,
    })
}
