//! Bulk import of historical cases: one write transaction per batch.
//!
//! The batch takes the ids after the current highest (safe: `BEGIN IMMEDIATE` holds the
//! write lock), so every table is written with multi-row inserts of [`CHUNK`] rows whose
//! statement text repeats, so sqlx prepares each once and reuses it. Paths come from
//! sub-selects inside the insert: no lookups between the inserts.

use sqlx::sqlite::{SqliteArguments, SqliteConnection, SqlitePool};
use sqlx::{AssertSqlSafe, Sqlite};
use zongzhi_core::audit::NewAuditEntry;
use zongzhi_core::metrics::rollup::{RollupSource, accumulate, rows_of};
use zongzhi_store::{ImportedCase, NewCase, StoreError, StoreResult};

use super::create::{bind_case, insert_cols, insert_values};
use super::rows::{StateCols, bind_state, state_col_names, state_values};
use crate::util::{append_in_tx, begin_write, db, ts, unique_or};

/// Rows per insert statement (well below SQLite's bound-parameter limit for a case row).
const CHUNK: usize = 25;

type Query = sqlx::query::Query<'static, Sqlite, SqliteArguments>;

/// Writes `cases` as given with one audit row; returns how many.
pub(crate) async fn import(
    pool: &SqlitePool,
    cases: Vec<ImportedCase>,
    audit: NewAuditEntry,
) -> StoreResult<usize> {
    let mut tx = begin_write(pool).await?;
    let max: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM cases")
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
    let rows: Vec<(i64, &ImportedCase)> = (max + 1..).zip(&cases).collect();
    let head = concat!("INSERT INTO cases (id, ", insert_cols!(), ") VALUES ");
    let row = concat!("(?, ", insert_values!(), ")");
    for chunk in rows.chunks(CHUNK) {
        let mut q = sqlx::query(AssertSqlSafe(statement(head, row, chunk.len())));
        for (id, c) in chunk {
            let none: Option<String> = None;
            q = bind_case!(q.bind(*id), c.tracking_no.clone(), &c.case, none);
        }
        q.execute(&mut *tx)
            .await
            .map_err(unique_or("tracking_no_taken"))?;
    }
    let search: Vec<(i64, &NewCase)> = rows.iter().map(|(id, c)| (*id, &c.case)).collect();
    insert_all(
        &mut tx,
        "INSERT INTO case_search (rowid, terms) VALUES ",
        "(?, ?)",
        &search,
        |q, (id, c)| q.bind(*id).bind(c.search_terms.clone()),
    )
    .await?;
    let mut depts = Vec::new();
    let mut parties = Vec::new();
    let mut files = Vec::new();
    let mut events = Vec::new();
    for (id, c) in &rows {
        let s = &c.case.state;
        if let Some(lead) = s.holder_department_id() {
            depts.push((*id, lead, true));
            for co in s.co_handler_ids().iter().filter(|co| **co != lead) {
                depts.push((*id, *co, false));
            }
        }
        parties.extend(c.case.parties.iter().map(|p| (*id, p)));
        files.extend(c.case.attachments.iter().map(|a| (*id, &c.case, a)));
        events.extend((1..).zip(&c.case.events).map(|(seq, e)| (*id, seq, e)));
    }
    insert_all(
        &mut tx,
        "INSERT INTO case_departments (case_id, department_id, lead, active) VALUES ",
        "(?, ?, ?, 1)",
        &depts,
        |q, (id, dept, lead)| q.bind(*id).bind(*dept).bind(*lead),
    )
    .await?;
    insert_all(
        &mut tx,
        "INSERT INTO case_parties (case_id, role, name, id_card_enc, id_card_index, \
         id_card_masked, phone_enc, phone_index, phone_masked) VALUES ",
        "(?, ?, ?, ?, ?, ?, ?, ?, ?)",
        &parties,
        |q, (id, p)| {
            let (ic, ph) = (p.id_card.clone().unzip3(), p.phone.clone().unzip3());
            q.bind(*id)
                .bind(p.role.as_str())
                .bind(p.name.clone())
                .bind(ic.0)
                .bind(ic.1)
                .bind(ic.2)
                .bind(ph.0)
                .bind(ph.1)
                .bind(ph.2)
        },
    )
    .await?;
    insert_all(
        &mut tx,
        "INSERT INTO case_attachments (case_id, content_hash, file_name, content_type, \
         size_bytes, uploaded_by, uploaded_at) VALUES ",
        "(?, ?, ?, ?, ?, ?, ?)",
        &files,
        |q, (id, c, a)| {
            q.bind(*id)
                .bind(a.content_hash.clone())
                .bind(a.file_name.clone())
                .bind(a.content_type.clone())
                .bind(a.size_bytes)
                .bind(c.created_by)
                .bind(ts(c.created_at))
        },
    )
    .await?;
    insert_all(
        &mut tx,
        "INSERT INTO case_events (case_id, seq, actor_id, at, from_status, to_status, kind, \
         note, payload) VALUES ",
        "(?, ?, ?, ?, ?, ?, ?, ?, ?)",
        &events,
        |q, (id, seq, e)| {
            q.bind(*id)
                .bind(*seq)
                .bind(e.actor_id)
                .bind(ts(e.at))
                .bind(e.from_status.as_str())
                .bind(e.to_status.as_str())
                .bind(e.kind.clone())
                .bind(e.note.clone())
                .bind(e.payload.to_string())
        },
    )
    .await?;
    add_rollups(&mut tx, &rows).await?;
    append_in_tx(&mut tx, audit).await?;
    tx.commit().await.map_err(db)?;
    // A bulk load changes row counts by orders of magnitude. Without statistics the
    // planner guesses that any path range is small and sorts whole subtrees for a page;
    // `optimize` re-analyses only the tables whose size changed a lot since last time,
    // so this is cheap for every batch but the few that cross such a step.
    sqlx::query("PRAGMA optimize = 0x10002")
        .execute(pool)
        .await
        .map_err(db)?;
    Ok(cases.len())
}

/// Adds the imported cases to the rollups: one accumulated upsert for the batch.
async fn add_rollups(
    conn: &mut SqliteConnection,
    rows: &[(i64, &ImportedCase)],
) -> StoreResult<()> {
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        return Ok(());
    };
    // The location paths the inserts looked up.
    let paths: std::collections::HashMap<i64, String> =
        sqlx::query_as("SELECT id, org_path FROM cases WHERE id >= ? AND id <= ?")
            .bind(first.0)
            .bind(last.0)
            .fetch_all(&mut *conn)
            .await
            .map_err(db)?
            .into_iter()
            .collect();
    let mut sums = std::collections::BTreeMap::new();
    for (id, c) in rows {
        let Some(path) = paths.get(id) else {
            return Err(StoreError::NotFound);
        };
        let src = RollupSource::new(
            path,
            c.case.reported_at,
            &c.case.category_code,
            c.case.channel,
            &c.case.state,
        );
        accumulate(&mut sums, rows_of(&src));
    }
    crate::stats::upsert_map(conn, &sums).await
}

/// `head` followed by `n` copies of `row`, comma-separated.
fn statement(head: &str, row: &str, n: usize) -> String {
    let mut sql = String::with_capacity(head.len() + n * (row.len() + 2));
    sql.push_str(head);
    for i in 0..n {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(row);
    }
    sql
}

/// Inserts `items` [`CHUNK`] rows per statement.
async fn insert_all<T>(
    conn: &mut SqliteConnection,
    head: &str,
    row: &str,
    items: &[T],
    bind: impl Fn(Query, &T) -> Query,
) -> StoreResult<()> {
    for chunk in items.chunks(CHUNK) {
        // Only the fixed `head` and `row` texts and a count make up the statement.
        let mut q = sqlx::query(AssertSqlSafe(statement(head, row, chunk.len())));
        for item in chunk {
            q = bind(q, item);
        }
        q.execute(&mut *conn).await.map_err(db)?;
    }
    Ok(())
}

/// Splits an optional (encrypted, index, masked) triple.
trait Unzip3 {
    fn unzip3(self) -> (Option<String>, Option<String>, Option<String>);
}

impl Unzip3 for Option<(String, String, String)> {
    fn unzip3(self) -> (Option<String>, Option<String>, Option<String>) {
        match self {
            Some((a, b, c)) => (Some(a), Some(b), Some(c)),
            None => (None, None, None),
        }
    }
}
