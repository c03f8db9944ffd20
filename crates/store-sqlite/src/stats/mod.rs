//! Statistics reads from `case_rollups`, map points, the rollup rebuild and dump, and the
//! export jobs.
//!
//! Scope is applied in SQL on the rollup rows themselves: only rows whose `unit_path` lies
//! in the caller's subtree, and for a department handler only the `department` rows of
//! their own department.

mod exports;
mod rollups;

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::NaiveDate;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};
use zongzhi_core::audit::NewAuditEntry;
use zongzhi_core::metrics::Counters;
use zongzhi_core::metrics::rollup::{RollupDim, RollupKey, accumulate, rows_of};
use zongzhi_core::org::subtree_range;
use zongzhi_core::role::Scope;
use zongzhi_store::{
    CaseFilter, CasePoint, RollupEntry, RollupGroup, RollupQuery, RollupRow, StatsStore,
    StoreResult,
};

pub(crate) use rollups::{apply_delta, upsert_map};

use crate::SqliteStore;
use crate::cases::rows::{CaseRow, case_cols, case_from, code};
use crate::util::{append_in_tx, begin_write, corrupt, db};
use rollups::counter_names;

/// Cases read per page by the rebuild.
const REBUILD_PAGE: i64 = 2_000;
/// Rollup rows the rebuild holds in memory before writing them out.
const REBUILD_FLUSH: usize = 50_000;

/// A stored day.
fn day_str(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The counters of a result row, from column `first` on.
fn counters_at(row: &SqliteRow, first: usize) -> StoreResult<Counters> {
    let mut v = [0i64; 13];
    for (i, slot) in v.iter_mut().enumerate() {
        *slot = row.try_get(first + i).map_err(db)?;
    }
    Ok(Counters::from_columns(v))
}

/// Pushes the value condition: exact, or for a category also its children (`D01-…`).
fn push_value(qb: &mut QueryBuilder<Sqlite>, dim: RollupDim, value: &str) {
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
fn build_query(scope: &Scope, q: &RollupQuery) -> Option<QueryBuilder<Sqlite>> {
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
        RollupGroup::Day => "r.day",
        RollupGroup::Value => "r.value",
        RollupGroup::Children | RollupGroup::Level(_) => "r.unit_path",
    };
    let sums: Vec<String> = counter_names()
        .iter()
        .map(|n| format!("COALESCE(SUM(r.{n}), 0)"))
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
            .push(" WHERE 1 = 1");
        }
        RollupGroup::Level(level) => {
            let (lo, hi) = subtree_range(&q.unit_path);
            qb.push(" JOIN org_units u ON u.path = r.unit_path AND u.level = ")
                .push_bind(level.as_str())
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
        .push_bind(day_str(q.from))
        .push(" AND r.day <= ")
        .push_bind(day_str(q.to));
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
impl StatsStore for SqliteStore {
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
        let rows = qb.build().fetch_all(&self.pool).await.map_err(db)?;
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
        crate::cases::points(&self.pool, scope, filter).await
    }

    async fn rebuild_rollups(&self, audit: NewAuditEntry) -> StoreResult<u64> {
        // `BEGIN IMMEDIATE`: no case write can slip between the delete and the re-sum.
        let mut tx = begin_write(&self.pool).await?;
        sqlx::query("DELETE FROM case_rollups")
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        let sql = concat!(
            "SELECT ",
            case_cols!(),
            case_from!(),
            "WHERE c.id > ? ORDER BY c.id LIMIT ?"
        );
        let mut after = 0i64;
        let mut sums: BTreeMap<RollupKey, Counters> = BTreeMap::new();
        loop {
            let rows: Vec<CaseRow> = sqlx::query_as(sql)
                .bind(after)
                .bind(REBUILD_PAGE)
                .fetch_all(&mut *tx)
                .await
                .map_err(db)?;
            let n = rows.len();
            for row in rows {
                // Co-handlers do not enter the rollups.
                let case = row.into_model(Vec::new())?;
                after = case.id;
                accumulate(&mut sums, rows_of(&rollups::source_of(&case)));
            }
            if sums.len() >= REBUILD_FLUSH {
                upsert_map(&mut tx, &sums).await?;
                sums.clear();
            }
            if i64::try_from(n).unwrap_or(i64::MAX) < REBUILD_PAGE {
                break;
            }
        }
        upsert_map(&mut tx, &sums).await?;
        let written: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM case_rollups")
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
        append_in_tx(&mut tx, audit).await?;
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
                let day: String = row.try_get(3).map_err(db)?;
                let key = RollupKey {
                    unit_path: row.try_get(0).map_err(db)?,
                    dim: code(&dim, "rollup dimension", RollupDim::parse)?,
                    value: row.try_get(2).map_err(db)?,
                    day: NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                        .map_err(|_| corrupt(format!("rollup day {day}")))?,
                };
                Ok((key, counters_at(row, 4)?))
            })
            .collect::<StoreResult<Vec<RollupEntry>>>()?;
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }
}
