//! Rollup maintenance: the additive upsert every case write runs in its own transaction.
//!
//! Rows are written in the order given, which is always the sorted key order
//! (`rollup::delta`, a `BTreeMap`), so two writers touching overlapping rows lock them in
//! the same order and never deadlock. One statement per write, whatever its size: one
//! array per column through `UNNEST … WITH ORDINALITY`.

use sqlx::PgConnection;
use zongzhi_core::metrics::Counters;
use zongzhi_core::metrics::rollup::{RollupKey, RollupSource};
use zongzhi_store::{Case, StoreResult};

use crate::error::db;

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

/// The additive upsert statement: `INSERT … SELECT … FROM UNNEST(…) ON CONFLICT DO UPDATE`.
fn upsert_sql() -> String {
    let names = counter_names();
    let arrays: Vec<String> = (0..names.len())
        .map(|i| format!("${}::int8[]", i + 5))
        .collect();
    let select: Vec<String> = names.iter().map(|n| format!("t.{n}")).collect();
    let set: Vec<String> = names
        .iter()
        .map(|n| format!("{n} = case_rollups.{n} + EXCLUDED.{n}"))
        .collect();
    format!(
        "INSERT INTO case_rollups (unit_path, dim, value, day, {cols}) \
         SELECT t.unit_path, t.dim, t.value, t.day, {select} \
         FROM UNNEST($1::text[], $2::text[], $3::text[], $4::date[], {arrays}) \
         WITH ORDINALITY AS t(unit_path, dim, value, day, {cols}, ord) \
         ORDER BY t.ord \
         ON CONFLICT (unit_path, dim, value, day) DO UPDATE SET {set}",
        cols = names.join(", "),
        select = select.join(", "),
        arrays = arrays.join(", "),
        set = set.join(", "),
    )
}

/// Adds `rows` to `case_rollups` (creating missing rows), in the given order.
pub(crate) async fn upsert<'a>(
    conn: &mut PgConnection,
    rows: impl IntoIterator<Item = (&'a RollupKey, &'a Counters)>,
) -> StoreResult<()> {
    let mut unit_path = Vec::new();
    let mut dim = Vec::new();
    let mut value = Vec::new();
    let mut day = Vec::new();
    let mut counters: [Vec<i64>; 13] = Default::default();
    for (k, c) in rows {
        unit_path.push(k.unit_path.as_str());
        dim.push(k.dim.as_str());
        value.push(k.value.as_str());
        day.push(k.day);
        for (col, (_, v)) in counters.iter_mut().zip(c.columns()) {
            col.push(v);
        }
    }
    if unit_path.is_empty() {
        return Ok(());
    }
    let mut q = sqlx::query(sqlx::AssertSqlSafe(upsert_sql()))
        .bind(unit_path)
        .bind(dim)
        .bind(value)
        .bind(day);
    for col in counters {
        q = q.bind(col);
    }
    q.execute(&mut *conn).await.map_err(db)?;
    Ok(())
}

/// Applies the change of a case from `old` to `new` (`None`: absent).
pub(crate) async fn apply_delta(
    conn: &mut PgConnection,
    old: Option<&RollupSource>,
    new: Option<&RollupSource>,
) -> StoreResult<()> {
    let rows = zongzhi_core::metrics::rollup::delta(old, new);
    upsert(conn, rows.iter().map(|(k, c)| (k, c))).await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn the_upsert_names_every_counter() {
        let sql = upsert_sql();
        for n in counter_names() {
            assert!(sql.contains(&format!("{n} = case_rollups.{n} + EXCLUDED.{n}")));
        }
        assert!(sql.contains("$17::int8[]"));
        assert!(!sql.contains("$18"));
    }
}
