//! The raw reference: the same rows written with plain sqlx inserts into bare tables of the
//! same columns (primary keys only: no other index, no full-text index, no audit chain, no
//! checks), in a database file opened with the same settings as the store (WAL,
//! `synchronous = NORMAL`, foreign keys on, `BEGIN IMMEDIATE` writes).

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::query_builder::Separated;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use zongzhi_store::{ImportedCase, NewCase};

/// The bare tables: `cases`, `case_events`, `case_parties` and the search text, with the
/// columns of the store's schema.
const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS raw_cases (id INTEGER PRIMARY KEY, tracking_no TEXT, version INTEGER, \
     channel TEXT, category_code TEXT, urgency TEXT, complexity TEXT, title TEXT, description TEXT, \
     occurred_at TEXT, reported_at TEXT, address TEXT, org_unit_id INTEGER, org_path TEXT, lat REAL, \
     lng REAL, people_involved INTEGER, amount_fen INTEGER, status TEXT, center_unit_id INTEGER, \
     center_path TEXT, holder_department_id INTEGER, holder_unit_id INTEGER, holder_path TEXT, \
     accept_deadline TEXT, finish_deadline TEXT, finish_unit TEXT, due_at TEXT, warn_at TEXT, \
     deadline_state TEXT, ever_overdue BOOLEAN, extension_pending BOOLEAN, \
     pending_extension_days INTEGER, verification_passed BOOLEAN, last_rating TEXT, rating TEXT, \
     accepted_at TEXT, resolved_at TEXT, closed_at TEXT, archived_at TEXT, outcome TEXT, \
     supervision_level TEXT, master_case_id INTEGER, reopen_count INTEGER, created_by INTEGER, \
     idempotency_key TEXT, created_at TEXT, updated_at TEXT)",
    "CREATE TABLE IF NOT EXISTS raw_case_events (id INTEGER PRIMARY KEY, case_id INTEGER, seq INTEGER, \
     actor_id INTEGER, at TEXT, from_status TEXT, to_status TEXT, kind TEXT, note TEXT, payload TEXT)",
    "CREATE TABLE IF NOT EXISTS raw_case_parties (id INTEGER PRIMARY KEY, case_id INTEGER, role TEXT, \
     name TEXT, id_card_enc TEXT, id_card_index TEXT, id_card_masked TEXT, phone_enc TEXT, \
     phone_index TEXT, phone_masked TEXT)",
    "CREATE TABLE IF NOT EXISTS raw_case_search (id INTEGER PRIMARY KEY, terms TEXT)",
];

/// Columns of `raw_cases` after `id`, in binding order.
const CASE_COLUMNS: &str = "tracking_no, version, channel, category_code, urgency, complexity, \
     title, description, occurred_at, reported_at, address, org_unit_id, org_path, lat, lng, \
     people_involved, amount_fen, status, center_unit_id, center_path, holder_department_id, \
     holder_unit_id, holder_path, accept_deadline, finish_deadline, finish_unit, due_at, warn_at, \
     deadline_state, ever_overdue, extension_pending, pending_extension_days, \
     verification_passed, last_rating, rating, accepted_at, resolved_at, closed_at, archived_at, \
     outcome, supervision_level, master_case_id, reopen_count, created_by, idempotency_key, \
     created_at, updated_at";

/// Rows per multi-row INSERT, as the store chunks them (SQLite's bound-variable limit).
const ROWS_PER_INSERT: usize = 500;

/// Times as the store writes them.
fn ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

fn ots(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(ts)
}

/// Opens (creating) the raw database at `path` with the store's settings.
pub async fn open(path: &std::path::Path) -> anyhow::Result<SqlitePool> {
    let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        .synchronous(SqliteSynchronous::Normal);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await?;
    for s in SCHEMA {
        sqlx::query(*s).execute(&pool).await?;
    }
    Ok(pool)
}

/// Writes `cases` in one `BEGIN IMMEDIATE` transaction with multi-row inserts (call with
/// one case for one-by-one intake). `paths` gives each org unit's materialized path, as the store looks it up.
pub async fn insert(
    pool: &SqlitePool,
    cases: &[ImportedCase],
    paths: &HashMap<i64, String>,
) -> anyhow::Result<()> {
    let mut conn = pool.acquire().await?;
    sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
    let result = insert_all(&mut conn, cases, paths).await;
    let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
    sqlx::query(end).execute(&mut *conn).await?;
    result
}

async fn insert_all(
    conn: &mut SqliteConnection,
    cases: &[ImportedCase],
    paths: &HashMap<i64, String>,
) -> anyhow::Result<()> {
    // Ids assigned up front, as the store's import does, so the child rows can refer to
    // them in multi-row inserts.
    let max: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM raw_cases")
        .fetch_one(&mut *conn)
        .await?;
    let rows: Vec<(i64, &ImportedCase)> = (max + 1..).zip(cases).collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut qb: QueryBuilder<Sqlite> =
            QueryBuilder::new(format!("INSERT INTO raw_cases (id, {CASE_COLUMNS}) "));
        qb.push_values(chunk, |mut b, (id, c)| {
            b.push_bind(*id);
            push_case(&mut b, &c.tracking_no, &c.case, paths);
        });
        qb.build().execute(&mut *conn).await?;
    }
    let events: Vec<_> = rows
        .iter()
        .flat_map(|(id, c)| {
            (1i64..)
                .zip(&c.case.events)
                .map(move |(seq, e)| (*id, seq, e))
        })
        .collect();
    for chunk in events.chunks(ROWS_PER_INSERT * 2) {
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO raw_case_events (case_id, seq, actor_id, at, from_status, to_status, \
             kind, note, payload) ",
        );
        qb.push_values(chunk, |mut b, (id, seq, e)| {
            b.push_bind(*id)
                .push_bind(*seq)
                .push_bind(e.actor_id)
                .push_bind(ts(e.at))
                .push_bind(e.from_status.as_str())
                .push_bind(e.to_status.as_str())
                .push_bind(e.kind.clone())
                .push_bind(e.note.clone())
                .push_bind(e.payload.to_string());
        });
        qb.build().execute(&mut *conn).await?;
    }
    let parties: Vec<_> = rows
        .iter()
        .flat_map(|(id, c)| c.case.parties.iter().map(move |p| (*id, p)))
        .collect();
    for chunk in parties.chunks(ROWS_PER_INSERT * 2) {
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO raw_case_parties (case_id, role, name, id_card_enc, id_card_index, \
             id_card_masked, phone_enc, phone_index, phone_masked) ",
        );
        qb.push_values(chunk, |mut b, (id, p)| {
            let (ie, ii, im) = split(&p.id_card);
            let (pe, pi, pm) = split(&p.phone);
            b.push_bind(*id)
                .push_bind(p.role.as_str())
                .push_bind(p.name.clone())
                .push_bind(ie)
                .push_bind(ii)
                .push_bind(im)
                .push_bind(pe)
                .push_bind(pi)
                .push_bind(pm);
        });
        qb.build().execute(&mut *conn).await?;
    }
    for chunk in rows.chunks(ROWS_PER_INSERT * 2) {
        let mut qb: QueryBuilder<Sqlite> =
            QueryBuilder::new("INSERT INTO raw_case_search (id, terms) ");
        qb.push_values(chunk, |mut b, (id, c)| {
            b.push_bind(*id).push_bind(c.case.search_terms.clone());
        });
        qb.build().execute(&mut *conn).await?;
    }
    Ok(())
}

type Sealed = (Option<String>, Option<String>, Option<String>);

fn split(v: &Option<(String, String, String)>) -> Sealed {
    match v {
        Some((a, b, c)) => (Some(a.clone()), Some(b.clone()), Some(c.clone())),
        None => (None, None, None),
    }
}

fn push_case(
    b: &mut Separated<'_, Sqlite, &'static str>,
    tracking_no: &str,
    c: &NewCase,
    paths: &HashMap<i64, String>,
) {
    let s = &c.state;
    let path = |id: Option<i64>| id.and_then(|i| paths.get(&i).cloned());
    b.push_bind(tracking_no.to_owned())
        .push_bind(c.events.len() as i64)
        .push_bind(c.channel.as_str())
        .push_bind(c.category_code.clone())
        .push_bind(c.urgency.as_str())
        .push_bind(c.complexity.as_str())
        .push_bind(c.title.clone())
        .push_bind(c.description.clone())
        .push_bind(ots(c.occurred_at))
        .push_bind(ts(c.reported_at))
        .push_bind(c.address.clone())
        .push_bind(c.org_unit_id)
        .push_bind(path(Some(c.org_unit_id)))
        .push_bind(c.lat)
        .push_bind(c.lng)
        .push_bind(c.people_involved)
        .push_bind(c.amount_fen)
        .push_bind(s.status.as_str())
        .push_bind(s.center_unit_id)
        .push_bind(path(Some(s.center_unit_id)))
        .push_bind(s.holder_department_id())
        .push_bind(s.holder_unit_id())
        .push_bind(path(s.holder_unit_id()))
        .push_bind(ots(s.accept_deadline))
        .push_bind(ots(s.finish_deadline))
        .push_bind(s.finish_unit.map(|u| format!("{u:?}")))
        .push_bind(ots(s.due_at()))
        .push_bind(ots(s.warn_at))
        .push_bind(s.deadline_state.as_str())
        .push_bind(s.ever_overdue)
        .push_bind(s.facts.extension_pending)
        .push_bind(s.pending_extension_days.map(i64::from))
        .push_bind(s.facts.verification_passed)
        .push_bind(s.facts.last_rating.map(|r| r.as_str()))
        .push_bind(s.rating.map(|r| r.as_str()))
        .push_bind(ots(s.accepted_at))
        .push_bind(ots(s.resolved_at))
        .push_bind(ots(s.closed_at))
        .push_bind(ots(s.archived_at))
        .push_bind(s.outcome.map(|o| o.as_str()))
        .push_bind(s.supervision_level.map(|l| l.as_str()))
        .push_bind(s.master_case_id)
        .push_bind(s.reopen_count)
        .push_bind(c.created_by)
        .push_bind(c.idempotency_key.clone())
        .push_bind(ts(c.created_at))
        .push_bind(ts(c.events.last().map_or(c.created_at, |e| e.at)));
}
