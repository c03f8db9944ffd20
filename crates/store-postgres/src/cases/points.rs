//! Map points: cases with coordinates, under the same scope and filter SQL as the lists.

use sqlx::{FromRow, PgPool, QueryBuilder};
use zongzhi_core::case::CaseStatus;
use zongzhi_core::role::Scope;
use zongzhi_store::{CaseFilter, CasePoint, StoreResult};

use super::list::{push_filter, resolve};
use super::parse_enum;
use crate::error::db;
use crate::rows::convert;

/// Most points one query returns.
pub(crate) const MAX_POINTS: i64 = 5_000;

/// A case with coordinates.
#[derive(FromRow)]
struct PointRow {
    id: i64,
    tracking_no: String,
    title: String,
    category_code: String,
    status: String,
    lat: f64,
    lng: f64,
}

/// [`zongzhi_store::StatsStore::case_points`].
pub(crate) async fn case_points(
    pool: &PgPool,
    scope: &Scope,
    f: &CaseFilter,
) -> StoreResult<Vec<CasePoint>> {
    let limit = f.limit.unwrap_or(MAX_POINTS).clamp(0, MAX_POINTS);
    let Some(r) = resolve(pool, f).await? else {
        return Ok(Vec::new());
    };
    let mut qb = QueryBuilder::new(
        "SELECT c.id, c.tracking_no, c.title, c.category_code, c.status, c.lat, c.lng \
         FROM cases c",
    );
    push_filter(&mut qb, scope, f, &r);
    qb.push(" AND c.lat IS NOT NULL AND c.lng IS NOT NULL ORDER BY c.id DESC LIMIT ")
        .push_bind(limit);
    let rows: Vec<PointRow> = qb
        .build_query_as()
        .persistent(false)
        .fetch_all(pool)
        .await
        .map_err(db)?;
    convert(rows, |p| {
        Ok(CasePoint {
            id: p.id,
            tracking_no: p.tracking_no,
            title: p.title,
            category_code: p.category_code,
            status: parse_enum("case status", &p.status, CaseStatus::parse)?,
            lat: p.lat,
            lng: p.lng,
        })
    })
}
