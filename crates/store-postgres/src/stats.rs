//! Statistics reads from `case_rollups`, map points, the rollup rebuild and dump.
//!
//! Scope is applied in SQL on the rollup rows themselves: only rows whose `unit_path` lies
//! in the caller's subtree, and for a department handler only the `department` rows of
//! their own department.

use std::collections::BTreeMap;

use async_trait::async_trait;
use sqlx::postgres::PgRow;
use sqlx::{Postgres, QueryBuilder, Row};
use zongzhi_core::audit::NewAuditEntry;
use zongzhi_core::metrics::Counters;
use zongzhi_core::metrics::rollup::{RollupDim, RollupKey, accumulate, rows_of};
use zongzhi_core::org::subtree_range;
use zongzhi_core::role::Scope;
use zongzhi_store::{
    CaseFilter, CasePoint, RollupEntry, RollupGroup, RollupQuery, RollupRow, StatsStore,
    StoreResult,
};

use crate::PgStore;
use crate::audit::append;
use crate::cases::{CASE_STATE_SELECT, CaseRow, case_points, parse_enum};
use crate::error::db;
use crate::rollup::{counter_names, source_of, upsert};

/// Cases read per page by the rebuild.
const REBUILD_PAGE: i64 = 2_000;
/// Rollup rows the rebuild holds in memory before writing them out.
const REBUILD_FLUSH: usize = 50_000;

/// The counters of a result row, from column `first` on.
fn counters_at(row: &PgRow, first: usize) -> StoreResult<Counters> {
    let mut v = [0i64; 13];
    for (i, slot) in v.iter_mut().enumerate() {
        *slot = row.try_get(first + i).map_err(db)?;
    }
    Ok(Counters::from_columns(v))
}

/// Pushes the value condition: exact, or for a category also its children (`D01-…`).
fn push_value(qb: &mut QueryBuilder<Postgres>, dim: RollupDim, value: &str) {
    qb.push(" AND (r.value = ").push_bind(value.to_owned());
    if dim == RollupDim::Category {
        // Children are `<code>-…`: the range [`<code>-`, `<code>.`) in byte order.
        qb.push(" OR (r.value >= ")
            .push_bind(format!("{value}-"))
            .push(" AND r.value < ")
            .push_bind(format!("{value}."))
            .push(")");
    }
    qb.push(")");
}

/// Builds the rollup query; `None` when the scope rules out every row.
fn build_query(scope: &Scope, q: &RollupQuery) -> Option<QueryBuilder<Postgres>> {
    // A department handler sees their own department's rows and nothing else.
    let own_department = match scope.department_id {
        Some(dept) => {
            let own = dept.to_string();
            if q.dim != RollupDim::Department || q.value.as_ref().is_some_and(|v| *v != own) {
                return None;
            }
            Some(own)
        }
        None => None,
    };
    let key = match q.group {
        RollupGroup::Total => "''",
        RollupGroup::Day => "to_char(r.day, 'YYYY-MM-DD')",
        RollupGroup::Value => "r.value",
        RollupGroup::Children | RollupGroup::Level(_) => "r.unit_path",
    };
    let sums: Vec<String> = counter_names()
        .iter()
        .map(|n| format!("COALESCE(SUM(r.{n}), 0)::int8"))
        .collect();
    let mut qb = QueryBuilder::new(format!(
        "SELECT {key} AS key, {} FROM case_rollups r",
        sums.join(", ")
    ));
    match q.group {
        RollupGroup::Total | RollupGroup::Day | RollupGroup::Value => {
            qb.push(" WHERE r.unit_path = ")
                .push_bind(q.unit_path.clone());
        }
        RollupGroup::Children => {
            qb.push(
                " JOIN org_units ch ON ch.path = r.unit_path \
                 JOIN org_units p ON p.id = ch.parent_id AND p.path = ",
            )
            .push_bind(q.unit_path.clone())
            .push(" WHERE TRUE");
        }
        RollupGroup::Level(level) => {
            let (lo, hi) = subtree_range(&q.unit_path);
            qb.push(" JOIN org_units u ON u.path = r.unit_path AND u.level = ")
                .push_bind(level.as_str())
                .push(" AND u.path >= ")
                .push_bind(lo.clone())
                .push(" AND u.path < ")
                .push_bind(hi.clone())
                .push(" WHERE r.unit_path >= ")
                .push_bind(lo)
                .push(" AND r.unit_path < ")
                .push_bind(hi);
        }
    }
    let (lo, hi) = scope.path_range();
    qb.push(" AND r.unit_path >= ")
        .push_bind(lo)
        .push(" AND r.unit_path < ")
        .push_bind(hi)
        .push(" AND r.dim = ")
        .push_bind(q.dim.as_str())
        .push(" AND r.day >= ")
        .push_bind(q.from)
        .push(" AND r.day <= ")
        .push_bind(q.to);
    if let Some(v) = &q.value {
        push_value(&mut qb, q.dim, v);
    }
    if let Some(own) = own_department {
        qb.push(" AND r.value = ").push_bind(own);
    }
    if q.group != RollupGroup::Total {
        qb.push(" GROUP BY 1 ORDER BY 1");
    }
    Some(qb)
}

#[async_trait]
impl StatsStore for PgStore {
    async fn query_rollups(&self, scope: &Scope, q: &RollupQuery) -> StoreResult<Vec<RollupRow>> {
        let Some(mut qb) = build_query(scope, q) else {
            return Ok(if q.group == RollupGroup::Total {
                vec![RollupRow {
                    key: String::new(),
                    counters: Counters::ZERO,
                }]
            } else {
                Vec::new()
            });
        };
        let rows = qb
            .build()
            .persistent(false)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter()
            .map(|row| {
                Ok(RollupRow {
                    key: row.try_get(0).map_err(db)?,
                    counters: counters_at(row, 1)?,
                })
            })
            .collect()
    }

    async fn case_points(&self, scope: &Scope, filter: &CaseFilter) -> StoreResult<Vec<CasePoint>> {
        case_points(&self.pool, scope, filter).await
    }

    async fn rebuild_rollups(&self, audit: NewAuditEntry) -> StoreResult<u64> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        // Writers wait at their rollup upsert until this commits; what they changed before
        // it is either committed (and read below) or applies its delta afterwards.
        sqlx::query("LOCK TABLE case_rollups IN EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        sqlx::query("DELETE FROM case_rollups")
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        let sql = format!("{CASE_STATE_SELECT} WHERE c.id > $1 ORDER BY c.id LIMIT $2");
        let mut after = 0i64;
        let mut sums: BTreeMap<RollupKey, Counters> = BTreeMap::new();
        loop {
            let rows: Vec<CaseRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(after)
                .bind(REBUILD_PAGE)
                .fetch_all(&mut *tx)
                .await
                .map_err(db)?;
            let Some(n) = (!rows.is_empty()).then_some(rows.len()) else {
                break;
            };
            for row in rows {
                let case = row.into_model()?;
                after = case.id;
                accumulate(&mut sums, rows_of(&source_of(&case)));
            }
            if sums.len() >= REBUILD_FLUSH {
                upsert(&mut tx, &sums).await?;
                sums.clear();
            }
            if i64::try_from(n).unwrap_or(i64::MAX) < REBUILD_PAGE {
                break;
            }
        }
        upsert(&mut tx, &sums).await?;
        let written: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM case_rollups")
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
        append(&mut tx, audit).await?;
        tx.commit().await.map_err(db)?;
        Ok(u64::try_from(written).unwrap_or_default())
    }

    async fn dump_rollups(&self) -> StoreResult<Vec<RollupEntry>> {
        let names = counter_names();
        let nonzero: Vec<String> = names.iter().map(|n| format!("{n} <> 0")).collect();
        let sql = format!(
            "SELECT unit_path, dim, value, day, {} FROM case_rollups WHERE {} \
             ORDER BY unit_path, dim, value, day",
            names.join(", "),
            nonzero.join(" OR ")
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        let mut out = rows
            .iter()
            .map(|row| {
                let dim: String = row.try_get(1).map_err(db)?;
                let key = RollupKey {
                    unit_path: row.try_get(0).map_err(db)?,
                    dim: parse_enum("rollup dimension", &dim, RollupDim::parse)?,
                    value: row.try_get(2).map_err(db)?,
                    day: row.try_get(3).map_err(db)?,
                };
                Ok((key, counters_at(row, 4)?))
            })
            .collect::<StoreResult<Vec<RollupEntry>>>()?;
        // The key's own order (the SQL order already is, in the "C" collation).
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }
}
