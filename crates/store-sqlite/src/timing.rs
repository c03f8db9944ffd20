//! The time-limit table and the working-time calendar: deployment-wide reference data, so
//! nothing here is scoped.

use chrono::NaiveDate;
use sqlx::sqlite::{SqliteConnection, SqlitePool};
use sqlx::{QueryBuilder, Sqlite, SqliteExecutor};
use zongzhi_core::audit::NewAuditEntry;
use zongzhi_core::calendar::{DayKind, DayOverride};
use zongzhi_core::case::limits::{Limit, TimeLimitRule};
use zongzhi_core::case::{Channel, Complexity, Urgency};
use zongzhi_core::org::OrgLevel;
use zongzhi_store::{CalendarFilter, CalendarRow, StoreError, StoreResult, TimeLimitRow};

use crate::cases::rows::{code, opt_code, parse_unit, unit_str};
use crate::util::{append_in_tx, begin_write, corrupt, db, now_ts, parse_ts};

/// The select of a time-limit row.
macro_rules! limit_cols {
    () => {
        "SELECT id, category_code, tier, urgency, complexity, channel, accept_amount, \
         accept_unit, finish_amount, finish_unit, active, updated_at FROM time_limits"
    };
}

/// A time-limit row.
#[derive(sqlx::FromRow)]
struct LimitRow {
    id: i64,
    category_code: Option<String>,
    tier: Option<String>,
    urgency: Option<String>,
    complexity: Option<String>,
    channel: Option<String>,
    accept_amount: i64,
    accept_unit: String,
    finish_amount: i64,
    finish_unit: String,
    active: bool,
    updated_at: String,
}

fn limit(amount: i64, unit: &str) -> StoreResult<Limit> {
    Ok(Limit {
        amount: u32::try_from(amount).map_err(|_| corrupt(format!("limit amount {amount}")))?,
        unit: code(unit, "limit unit", parse_unit)?,
    })
}

impl LimitRow {
    fn into_model(self) -> StoreResult<TimeLimitRow> {
        Ok(TimeLimitRow {
            id: self.id,
            rule: TimeLimitRule {
                category: self.category_code,
                tier: opt_code(self.tier.as_deref(), "tier", OrgLevel::parse)?,
                urgency: opt_code(self.urgency.as_deref(), "urgency", Urgency::parse)?,
                complexity: opt_code(self.complexity.as_deref(), "complexity", Complexity::parse)?,
                channel: opt_code(self.channel.as_deref(), "channel", Channel::parse)?,
                accept: limit(self.accept_amount, &self.accept_unit)?,
                finish: limit(self.finish_amount, &self.finish_unit)?,
            },
            active: self.active,
            updated_at: parse_ts(&self.updated_at)?,
        })
    }
}

async fn fetch_limit<'e>(ex: impl SqliteExecutor<'e>, id: i64) -> StoreResult<TimeLimitRow> {
    let row: Option<LimitRow> = sqlx::query_as(concat!(limit_cols!(), " WHERE id = ?"))
        .bind(id)
        .fetch_optional(ex)
        .await
        .map_err(db)?;
    row.ok_or(StoreError::NotFound)?.into_model()
}

/// Every rule by id.
pub(crate) async fn list_limits(pool: &SqlitePool) -> StoreResult<Vec<TimeLimitRow>> {
    let rows: Vec<LimitRow> = sqlx::query_as(concat!(limit_cols!(), " ORDER BY id"))
        .fetch_all(pool)
        .await
        .map_err(db)?;
    rows.into_iter().map(LimitRow::into_model).collect()
}

async fn check_category(
    conn: &mut SqliteConnection,
    rule: &TimeLimitRule<String>,
) -> StoreResult<()> {
    if let Some(cat) = &rule.category {
        let found: Option<String> =
            sqlx::query_scalar("SELECT code FROM categories WHERE code = ?")
                .bind(cat)
                .fetch_optional(&mut *conn)
                .await
                .map_err(db)?;
        if found.is_none() {
            return Err(StoreError::InvalidReference("category"));
        }
    }
    Ok(())
}

async fn insert_limit(
    conn: &mut SqliteConnection,
    rule: &TimeLimitRule<impl AsRef<str>>,
) -> StoreResult<i64> {
    sqlx::query_scalar(
        "INSERT INTO time_limits (category_code, tier, urgency, complexity, channel, \
         accept_amount, accept_unit, finish_amount, finish_unit, active, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?) RETURNING id",
    )
    .bind(rule.category.as_ref().map(AsRef::as_ref))
    .bind(rule.tier.map(OrgLevel::as_str))
    .bind(rule.urgency.map(Urgency::as_str))
    .bind(rule.complexity.map(Complexity::as_str))
    .bind(rule.channel.map(Channel::as_str))
    .bind(i64::from(rule.accept.amount))
    .bind(unit_str(rule.accept.unit))
    .bind(i64::from(rule.finish.amount))
    .bind(unit_str(rule.finish.unit))
    .bind(now_ts())
    .fetch_one(&mut *conn)
    .await
    .map_err(db)
}

/// Adds a rule.
pub(crate) async fn create_limit(
    pool: &SqlitePool,
    rule: TimeLimitRule<String>,
    mut audit: NewAuditEntry,
) -> StoreResult<TimeLimitRow> {
    let mut tx = begin_write(pool).await?;
    check_category(&mut tx, &rule).await?;
    let id = insert_limit(&mut tx, &rule).await?;
    if audit.target_id.is_none() {
        audit.target_id = Some(id.to_string());
    }
    append_in_tx(&mut tx, audit).await?;
    let row = fetch_limit(&mut *tx, id).await?;
    tx.commit().await.map_err(db)?;
    Ok(row)
}

/// Replaces a rule's matchers and figures and sets whether it is active.
pub(crate) async fn update_limit(
    pool: &SqlitePool,
    id: i64,
    rule: TimeLimitRule<String>,
    active: bool,
    mut audit: NewAuditEntry,
) -> StoreResult<TimeLimitRow> {
    let mut tx = begin_write(pool).await?;
    fetch_limit(&mut *tx, id).await?;
    check_category(&mut tx, &rule).await?;
    sqlx::query(
        "UPDATE time_limits SET category_code = ?, tier = ?, urgency = ?, complexity = ?, \
         channel = ?, accept_amount = ?, accept_unit = ?, finish_amount = ?, finish_unit = ?, \
         active = ?, updated_at = ? WHERE id = ?",
    )
    .bind(&rule.category)
    .bind(rule.tier.map(OrgLevel::as_str))
    .bind(rule.urgency.map(Urgency::as_str))
    .bind(rule.complexity.map(Complexity::as_str))
    .bind(rule.channel.map(Channel::as_str))
    .bind(i64::from(rule.accept.amount))
    .bind(unit_str(rule.accept.unit))
    .bind(i64::from(rule.finish.amount))
    .bind(unit_str(rule.finish.unit))
    .bind(active)
    .bind(now_ts())
    .bind(id)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    if audit.target_id.is_none() {
        audit.target_id = Some(id.to_string());
    }
    append_in_tx(&mut tx, audit).await?;
    let row = fetch_limit(&mut *tx, id).await?;
    tx.commit().await.map_err(db)?;
    Ok(row)
}

/// Inserts `rules` into an empty table with the audit row.
pub(crate) async fn seed_limits_if_empty(
    pool: &SqlitePool,
    rules: &[TimeLimitRule<String>],
    audit: NewAuditEntry,
) -> StoreResult<usize> {
    // `BEGIN IMMEDIATE`: a concurrent seeder waits, then finds the table full.
    let mut tx = begin_write(pool).await?;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM time_limits")
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
    if n > 0 {
        return Ok(0);
    }
    for rule in rules {
        insert_limit(&mut tx, rule).await?;
    }
    append_in_tx(&mut tx, audit).await?;
    tx.commit().await.map_err(db)?;
    Ok(rules.len())
}

fn kind_str(k: DayKind) -> &'static str {
    match k {
        DayKind::Holiday => "holiday",
        DayKind::MakeupWorkday => "makeup_workday",
    }
}

fn date_str(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A calendar row.
#[derive(sqlx::FromRow)]
struct DayRow {
    day: String,
    kind: String,
    name: String,
    updated_at: String,
}

impl DayRow {
    fn into_model(self) -> StoreResult<CalendarRow> {
        let date = NaiveDate::parse_from_str(&self.day, "%Y-%m-%d")
            .map_err(|_| corrupt(format!("calendar day {:?}", self.day)))?;
        let kind = match self.kind.as_str() {
            "holiday" => DayKind::Holiday,
            "makeup_workday" => DayKind::MakeupWorkday,
            other => return Err(corrupt(format!("calendar kind {other:?}"))),
        };
        Ok(CalendarRow {
            day: DayOverride {
                date,
                kind,
                name: self.name,
            },
            updated_at: parse_ts(&self.updated_at)?,
        })
    }
}

/// Calendar entries in `filter`'s range, by date.
pub(crate) async fn list_calendar(
    pool: &SqlitePool,
    filter: CalendarFilter,
) -> StoreResult<Vec<CalendarRow>> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT day, kind, name, updated_at FROM calendar_days WHERE 1 = 1",
    );
    if let Some(from) = filter.from {
        qb.push(" AND day >= ").push_bind(date_str(from));
    }
    if let Some(to) = filter.to {
        qb.push(" AND day <= ").push_bind(date_str(to));
    }
    qb.push(" ORDER BY day");
    let rows: Vec<DayRow> = qb.build_query_as().fetch_all(pool).await.map_err(db)?;
    rows.into_iter().map(DayRow::into_model).collect()
}

async fn upsert_day(conn: &mut SqliteConnection, day: &DayOverride) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO calendar_days (day, kind, name, updated_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name, \
         updated_at = excluded.updated_at",
    )
    .bind(date_str(day.date))
    .bind(kind_str(day.kind))
    .bind(&day.name)
    .bind(now_ts())
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    Ok(())
}

/// Sets the entry for a date.
pub(crate) async fn put_day(
    pool: &SqlitePool,
    day: DayOverride,
    mut audit: NewAuditEntry,
) -> StoreResult<CalendarRow> {
    let mut tx = begin_write(pool).await?;
    upsert_day(&mut tx, &day).await?;
    if audit.target_id.is_none() {
        audit.target_id = Some(date_str(day.date));
    }
    append_in_tx(&mut tx, audit).await?;
    let row: DayRow =
        sqlx::query_as("SELECT day, kind, name, updated_at FROM calendar_days WHERE day = ?")
            .bind(date_str(day.date))
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
    tx.commit().await.map_err(db)?;
    row.into_model()
}

/// Removes the entry for a date, or `NotFound`.
pub(crate) async fn remove_day(
    pool: &SqlitePool,
    date: NaiveDate,
    mut audit: NewAuditEntry,
) -> StoreResult<()> {
    let mut tx = begin_write(pool).await?;
    let done = sqlx::query("DELETE FROM calendar_days WHERE day = ?")
        .bind(date_str(date))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    if audit.target_id.is_none() {
        audit.target_id = Some(date_str(date));
    }
    append_in_tx(&mut tx, audit).await?;
    tx.commit().await.map_err(db)
}

/// Inserts `days` into an empty calendar with the audit row.
pub(crate) async fn seed_calendar_if_empty(
    pool: &SqlitePool,
    days: &[DayOverride],
    audit: NewAuditEntry,
) -> StoreResult<usize> {
    let mut tx = begin_write(pool).await?;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM calendar_days")
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
    if n > 0 {
        return Ok(0);
    }
    for day in days {
        upsert_day(&mut tx, day).await?;
    }
    append_in_tx(&mut tx, audit).await?;
    tx.commit().await.map_err(db)?;
    Ok(days.len())
}
