//! Shared helpers: time text, error mapping, LIKE patterns, write transactions and the
//! in-transaction audit append.

use chrono::{DateTime, SubsecRound, Utc};
use sqlx::sqlite::{SqliteConnection, SqlitePool};
use sqlx::{QueryBuilder, Sqlite, Transaction};
use zongzhi_core::audit::{AuditEntry, NewAuditEntry};
use zongzhi_core::org::subtree_range;
use zongzhi_core::role::Scope;
use zongzhi_store::{Page, StoreError, StoreResult};

/// A stored value that does not decode (bad enum text, bad time …).
#[derive(Debug)]
pub(crate) struct Corrupt(pub(crate) String);

impl std::fmt::Display for Corrupt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "corrupt stored value: {}", self.0)
    }
}

impl std::error::Error for Corrupt {}

/// A decode failure as a backend error.
pub(crate) fn corrupt(what: impl Into<String>) -> StoreError {
    StoreError::backend(Corrupt(what.into()))
}

/// Time as stored: RFC 3339 UTC with exactly six fractional digits, so that text order is
/// time order.
pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.trunc_subsecs(6)
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

/// Parses a stored time.
pub(crate) fn parse_ts(s: &str) -> StoreResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| corrupt(format!("time {s:?}")))
}

/// Parses an optional stored time.
pub(crate) fn parse_ts_opt(s: Option<&str>) -> StoreResult<Option<DateTime<Utc>>> {
    s.map(parse_ts).transpose()
}

/// Now, as stored.
pub(crate) fn now_ts() -> String {
    ts(Utc::now())
}

/// Any driver error as a backend error.
pub(crate) fn db(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        other => StoreError::backend(other),
    }
}

/// A unique violation as `Conflict(code)`, anything else as [`db`].
pub(crate) fn unique_or(code: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict(code),
        _ => db(e),
    }
}

/// `%text%` with `\`, `%` and `_` escaped, for `LIKE ? ESCAPE '\'`.
pub(crate) fn contains_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// The scope's `[lo, hi)` path range.
pub(crate) fn range(scope: &Scope) -> (String, String) {
    scope.path_range()
}

/// Starts a write transaction that takes the write lock at once, so concurrent writers wait
/// (busy timeout) instead of failing on lock upgrade.
pub(crate) async fn begin_write(pool: &SqlitePool) -> StoreResult<Transaction<'static, Sqlite>> {
    pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)
}

/// Appends `entry` to the chain inside the caller's write transaction.
pub(crate) async fn append_in_tx(
    conn: &mut SqliteConnection,
    entry: NewAuditEntry,
) -> StoreResult<AuditEntry> {
    let (last_seq, last_hash): (i64, String) =
        sqlx::query_as("SELECT last_seq, last_hash FROM audit_head WHERE id = 1")
            .fetch_one(&mut *conn)
            .await
            .map_err(db)?;
    let sealed = entry.seal(last_seq + 1, Utc::now(), &last_hash);
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor_id, actor_username, action, target_type, \
         target_id, outcome, ip, detail, prev_hash, hash) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(sealed.seq)
    .bind(ts(sealed.at))
    .bind(sealed.actor_id)
    .bind(&sealed.actor_username)
    .bind(&sealed.action)
    .bind(&sealed.target_type)
    .bind(&sealed.target_id)
    .bind(sealed.outcome.as_str())
    .bind(&sealed.ip)
    .bind(&sealed.detail)
    .bind(&sealed.prev_hash)
    .bind(&sealed.hash)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    sqlx::query("UPDATE audit_head SET last_seq = ?, last_hash = ? WHERE id = 1")
        .bind(sealed.seq)
        .bind(&sealed.hash)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    Ok(sealed)
}

/// Cuts a `limit + 1` fetch down to a page, with the cursor of its last row if more follow.
pub(crate) fn page<T>(mut items: Vec<T>, limit: i64, cursor_of: impl Fn(&T) -> String) -> Page<T> {
    let limit = usize::try_from(limit).unwrap_or(0);
    let more = items.len() > limit;
    items.truncate(limit);
    let next_cursor = if more {
        items.last().map(cursor_of)
    } else {
        None
    };
    Page { items, next_cursor }
}

/// An empty page.
pub(crate) fn empty<T>() -> Page<T> {
    Page {
        items: Vec::new(),
        next_cursor: None,
    }
}

/// How an `under` filter narrows a query.
pub(crate) enum Under {
    /// No `under` filter.
    Any,
    /// Paths in `[lo, hi)`.
    Range(String, String),
    /// The unit is missing or outside scope: nothing matches.
    Nothing,
}

/// Resolves an `under` unit id within `scope`.
pub(crate) async fn resolve_under(
    pool: &SqlitePool,
    scope: &Scope,
    under: Option<i64>,
) -> StoreResult<Under> {
    let Some(id) = under else {
        return Ok(Under::Any);
    };
    let (lo, hi) = range(scope);
    let path: Option<String> =
        sqlx::query_scalar("SELECT path FROM org_units WHERE id = ? AND path >= ? AND path < ?")
            .bind(id)
            .bind(lo)
            .bind(hi)
            .fetch_optional(pool)
            .await
            .map_err(db)?;
    Ok(match path {
        Some(p) => {
            let (lo, hi) = subtree_range(&p);
            Under::Range(lo, hi)
        }
        None => Under::Nothing,
    })
}

/// Pushes ` AND o.path >= lo AND o.path < hi` for the scope and the `under` range.
pub(crate) fn push_scope(qb: &mut QueryBuilder<Sqlite>, scope: &Scope, under: &Under) {
    let (lo, hi) = range(scope);
    qb.push(" AND o.path >= ").push_bind(lo);
    qb.push(" AND o.path < ").push_bind(hi);
    if let Under::Range(lo, hi) = under {
        qb.push(" AND o.path >= ").push_bind(lo.clone());
        qb.push(" AND o.path < ").push_bind(hi.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_escape_wildcards() {
        assert_eq!(contains_pattern(r"a%b_c\d'"), r"%a\%b\_c\\d'%");
    }

    #[test]
    fn times_round_trip_and_sort() {
        let t = Utc::now();
        let s = ts(t);
        assert_eq!(s.len(), 27);
        assert_eq!(parse_ts(&s).ok(), Some(t.trunc_subsecs(6)));
        assert!(ts(t) < ts(t + chrono::Duration::microseconds(1)));
    }
}
