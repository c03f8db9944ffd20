//! Rollup maintenance: the additive upsert every case write runs in its own transaction.

use std::collections::BTreeMap;

use sqlx::sqlite::SqliteConnection;
use zongzhi_core::metrics::Counters;
use zongzhi_core::metrics::rollup::{RollupKey, RollupSource, delta};
use zongzhi_store::{Case, StoreResult};

use crate::util::db;

/// Rows per upsert statement: 17 parameters each, far below SQLite's limit.
const CHUNK: usize = 500;

/// Counter column names of `case_rollups`, in [`Counters::columns`] order.
pub(crate) fn counter_names() -> [&'static str; 13] {
    Counters::ZERO.columns().map(|(name, _)| name)
}

/// The rollup source of a stored case.
pub(crate) fn source_of(case: &Case) -> RollupSource {
    RollupSource::new(
        &case.org_path,
        case.reported_at,
        &case.category_code,
        case.channel,
        &case.state,
    )
}

/// `INSERT … VALUES (…) × n ON CONFLICT DO UPDATE` adding to the existing counters.
fn upsert_sql(n: usize) -> String {
    let names = counter_names();
    let row = format!("(?, ?, ?, ?{})", ", ?".repeat(names.len()));
    let rows = vec![row; n].join(", ");
    let set: Vec<String> = names
        .iter()
        .map(|c| format!("{c} = {c} + excluded.{c}"))
        .collect();
    format!(
        "INSERT INTO case_rollups (unit_path, dim, value, day, {}) VALUES {rows} \
         ON CONFLICT (unit_path, dim, value, day) DO UPDATE SET {}",
        names.join(", "),
        set.join(", ")
    )
}

/// Adds `rows` to `case_rollups`, creating missing rows.
pub(crate) async fn upsert(
    conn: &mut SqliteConnection,
    rows: &[(RollupKey, Counters)],
) -> StoreResult<()> {
    for chunk in rows.chunks(CHUNK) {
        // Only fixed column names and placeholders make up the statement.
        let sql = upsert_sql(chunk.len());
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (k, c) in chunk {
            q = q
                .bind(k.unit_path.clone())
                .bind(k.dim.as_str())
                .bind(k.value.clone())
                .bind(k.day.format("%Y-%m-%d").to_string());
            for (_, v) in c.columns() {
                q = q.bind(v);
            }
        }
        q.execute(&mut *conn).await.map_err(db)?;
    }
    Ok(())
}

/// Writes a whole accumulated map (bulk import, rebuild).
pub(crate) async fn upsert_map(
    conn: &mut SqliteConnection,
    sums: &BTreeMap<RollupKey, Counters>,
) -> StoreResult<()> {
    let rows: Vec<(RollupKey, Counters)> = sums
        .iter()
        .filter(|(_, c)| !c.is_zero())
        .map(|(k, c)| (k.clone(), *c))
        .collect();
    upsert(conn, &rows).await
}

/// Applies the change of one case from `old` to `new` (`None`: absent).
pub(crate) async fn apply_delta(
    conn: &mut SqliteConnection,
    old: Option<&Case>,
    new: Option<&Case>,
) -> StoreResult<()> {
    let old = old.map(source_of);
    let new = new.map(source_of);
    let rows = delta(old.as_ref(), new.as_ref());
    upsert(conn, &rows).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_upsert_adds_every_counter() {
        let sql = upsert_sql(2);
        for n in counter_names() {
            assert!(sql.contains(&format!("{n} = {n} + excluded.{n}")));
        }
        assert_eq!(sql.matches('?').count(), 2 * 17);
    }
}
