//! Creating a case, and the inserts it shares with bulk import and event writes.

use chrono::NaiveDate;
use sqlx::sqlite::{SqliteConnection, SqlitePool};
use zongzhi_core::audit::NewAuditEntry;
use zongzhi_core::case::{CaseId, CaseState, TrackingNo};
use zongzhi_core::role::Scope;
use zongzhi_store::{CreatedCase, NewAttachment, NewCase, NewCaseEvent, StoreError, StoreResult};

use super::fetch_one;
use super::refs::check_state;
use super::rows::{StateCols, bind_state, state_col_names, state_set, state_values};
use crate::util::{append_in_tx, begin_write, db, range, ts, unique_or};

/// Columns of a case row insert (all but the id).
macro_rules! insert_cols {
    () => {
        concat!(
            "tracking_no, version, channel, category_code, urgency, complexity, title, \
             description, occurred_at, reported_at, address, org_unit_id, org_path, lat, lng, \
             people_involved, amount_fen, created_by, idempotency_key, created_at, updated_at, ",
            state_col_names!()
        )
    };
}

/// Values of [`insert_cols!`], bound by [`bind_case!`]; the location path is looked up from
/// the unit id.
macro_rules! insert_values {
    () => {
        concat!(
            "?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT path FROM org_units WHERE id = ?), \
             ?, ?, ?, ?, ?, ?, ?, ?, ",
            state_values!()
        )
    };
}

/// Binds a case for [`insert_values!`]: `$q` a query, `$no` the tracking number, `$new` the
/// [`NewCase`], `$key` its idempotency key to store.
macro_rules! bind_case {
    ($q:expr, $no:expr, $new:expr, $key:expr) => {{
        let new: &NewCase = $new;
        let updated_at = new.events.last().map_or(new.created_at, |e| e.at);
        let q = $q
            .bind($no)
            .bind(new.channel.as_str())
            .bind(new.category_code.clone())
            .bind(new.urgency.as_str())
            .bind(new.complexity.as_str())
            .bind(new.title.clone())
            .bind(new.description.clone())
            .bind(new.occurred_at.map(ts))
            .bind(ts(new.reported_at))
            .bind(new.address.clone())
            .bind(new.org_unit_id)
            .bind(new.org_unit_id)
            .bind(new.lat)
            .bind(new.lng)
            .bind(new.people_involved)
            .bind(new.amount_fen)
            .bind(new.created_by)
            .bind($key)
            .bind(ts(new.created_at))
            .bind(ts(updated_at));
        bind_state!(q, &StateCols::new(&new.state))
    }};
}

pub(crate) use {bind_case, insert_cols, insert_values};

/// The case row insert of [`create`].
const INSERT_CASE: &str = concat!(
    "INSERT INTO cases (",
    insert_cols!(),
    ") VALUES (",
    insert_values!(),
    ") RETURNING id"
);

/// The projection update of an event write, guarded by the version.
pub(crate) const UPDATE_STATE: &str = concat!(
    "UPDATE cases SET ",
    state_set!(),
    ", version = version + 1, updated_at = ? WHERE id = ? AND version = ?"
);

/// Creates a case (see [`zongzhi_store::CaseStore::create_case`]).
pub(crate) async fn create(
    pool: &SqlitePool,
    scope: &Scope,
    new: NewCase,
    mut audit: NewAuditEntry,
) -> StoreResult<CreatedCase> {
    let mut tx = begin_write(pool).await?;
    if let (Some(by), Some(key)) = (new.created_by, new.idempotency_key.as_deref()) {
        let prior: Option<i64> =
            sqlx::query_scalar("SELECT id FROM cases WHERE created_by = ? AND idempotency_key = ?")
                .bind(by)
                .bind(key)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
        if let Some(id) = prior {
            // A replay writes nothing: the transaction is dropped (rolled back).
            let case = fetch_one(&mut tx, id).await?;
            return Ok(CreatedCase {
                case,
                replayed: true,
            });
        }
    }
    let active: Option<bool> = sqlx::query_scalar("SELECT active FROM categories WHERE code = ?")
        .bind(&new.category_code)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
    if active != Some(true) {
        return Err(StoreError::InvalidReference("category_code"));
    }
    let (lo, hi) = range(scope);
    let located: Option<i64> =
        sqlx::query_scalar("SELECT id FROM org_units WHERE id = ? AND path >= ? AND path < ?")
            .bind(new.org_unit_id)
            .bind(lo)
            .bind(hi)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
    if located.is_none() {
        return Err(StoreError::InvalidReference("org_unit_id"));
    }
    check_state(&mut tx, &new.state, "center_unit_id").await?;
    let seq = next_seq(&mut tx, new.tracking_date).await?;
    let tracking = TrackingNo::format(new.tracking_date, seq)
        .map_err(|_| StoreError::Conflict("tracking_no_exhausted"))?;
    let id = insert_case(&mut tx, tracking.as_str(), &new).await?;
    if audit.target_id.is_none() {
        audit.target_id = Some(id.to_string());
    }
    append_in_tx(&mut tx, audit).await?;
    let case = fetch_one(&mut tx, id).await?;
    crate::stats::apply_delta(&mut tx, None, Some(&case)).await?;
    tx.commit().await.map_err(db)?;
    Ok(CreatedCase {
        case,
        replayed: false,
    })
}

/// 1 + the highest daily number used on `date` (read through the unique index).
async fn next_seq(conn: &mut SqliteConnection, date: NaiveDate) -> StoreResult<u32> {
    let prefix = format!("{}{}", TrackingNo::PREFIX, date.format("%Y%m%d"));
    // `:` sorts right after `9`, so this is every number of that day.
    let last: Option<String> = sqlx::query_scalar(
        "SELECT MAX(tracking_no) FROM cases WHERE tracking_no >= ? AND tracking_no < ?",
    )
    .bind(&prefix)
    .bind(format!("{prefix}:"))
    .fetch_one(&mut *conn)
    .await
    .map_err(db)?;
    let used = match last {
        Some(t) => TrackingNo::parse(&t).map(|t| t.seq()).unwrap_or(0),
        None => 0,
    };
    Ok(used.saturating_add(1))
}

/// Inserts the case row, its search terms, departments, parties, attachments and events;
/// returns the new id.
async fn insert_case(
    conn: &mut SqliteConnection,
    tracking_no: &str,
    new: &NewCase,
) -> StoreResult<CaseId> {
    let id: i64 = bind_case!(
        sqlx::query_scalar::<_, i64>(INSERT_CASE),
        tracking_no,
        new,
        new.idempotency_key.as_deref()
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(unique_or("tracking_no_taken"))?;
    sqlx::query("INSERT INTO case_search (rowid, terms) VALUES (?, ?)")
        .bind(id)
        .bind(&new.search_terms)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    sync_departments(conn, id, &new.state, true).await?;
    for p in &new.parties {
        let (ic_enc, ic_idx, ic_mask) = split3(p.id_card.as_ref());
        let (ph_enc, ph_idx, ph_mask) = split3(p.phone.as_ref());
        sqlx::query(
            "INSERT INTO case_parties (case_id, role, name, id_card_enc, id_card_index, \
             id_card_masked, phone_enc, phone_index, phone_masked) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(p.role.as_str())
        .bind(&p.name)
        .bind(ic_enc)
        .bind(ic_idx)
        .bind(ic_mask)
        .bind(ph_enc)
        .bind(ph_idx)
        .bind(ph_mask)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    }
    for a in &new.attachments {
        insert_attachment(conn, id, a, new.created_by, &ts(new.created_at)).await?;
    }
    insert_events(conn, id, 0, &new.events).await?;
    Ok(id)
}

fn split3(v: Option<&(String, String, String)>) -> (Option<&str>, Option<&str>, Option<&str>) {
    match v {
        Some((a, b, c)) => (Some(a.as_str()), Some(b.as_str()), Some(c.as_str())),
        None => (None, None, None),
    }
}

/// Inserts one attachment row; returns its id.
pub(crate) async fn insert_attachment(
    conn: &mut SqliteConnection,
    case_id: CaseId,
    a: &NewAttachment,
    by: Option<i64>,
    at: &str,
) -> StoreResult<i64> {
    sqlx::query_scalar(
        "INSERT INTO case_attachments (case_id, content_hash, file_name, content_type, \
         size_bytes, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(case_id)
    .bind(&a.content_hash)
    .bind(&a.file_name)
    .bind(&a.content_type)
    .bind(a.size_bytes)
    .bind(by)
    .bind(at)
    .fetch_one(&mut *conn)
    .await
    .map_err(db)
}

/// Appends `events` with seq `after + 1 …`.
pub(crate) async fn insert_events(
    conn: &mut SqliteConnection,
    case_id: CaseId,
    after: i64,
    events: &[NewCaseEvent],
) -> StoreResult<()> {
    for (seq, e) in (after + 1..).zip(events) {
        sqlx::query(
            "INSERT INTO case_events (case_id, seq, actor_id, at, from_status, to_status, kind, \
             note, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(case_id)
        .bind(seq)
        .bind(e.actor_id)
        .bind(ts(e.at))
        .bind(e.from_status.as_str())
        .bind(e.to_status.as_str())
        .bind(&e.kind)
        .bind(&e.note)
        .bind(e.payload.to_string())
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    }
    Ok(())
}

/// Makes `case_departments` say who holds the case now: every earlier row inactive (kept,
/// so the department still sees the case), then the lead and co-handlers active. `fresh`
/// skips the deactivation for a case just inserted.
pub(crate) async fn sync_departments(
    conn: &mut SqliteConnection,
    case_id: CaseId,
    state: &CaseState,
    fresh: bool,
) -> StoreResult<()> {
    if !fresh {
        sqlx::query("UPDATE case_departments SET active = 0 WHERE case_id = ? AND active")
            .bind(case_id)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
    }
    let Some(lead) = state.holder_department_id() else {
        return Ok(());
    };
    let co = state.co_handler_ids().iter().filter(|c| **c != lead);
    for (dept, is_lead) in std::iter::once((lead, true)).chain(co.map(|c| (*c, false))) {
        sqlx::query(
            "INSERT INTO case_departments (case_id, department_id, lead, active) \
             VALUES (?, ?, ?, 1) ON CONFLICT (case_id, department_id) \
             DO UPDATE SET lead = excluded.lead, active = 1",
        )
        .bind(case_id)
        .bind(dept)
        .bind(is_lead)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    }
    Ok(())
}
