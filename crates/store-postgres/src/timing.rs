//! The time-limit table and the working-time calendar: deployment-wide reference data
//! like the category table, so nothing here is scoped.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{FromRow, PgConnection};
use zongzhi_core::audit::NewAuditEntry;
use zongzhi_core::calendar::{DayKind, DayOverride};
use zongzhi_core::case::limits::{Limit, TimeLimitRule};
use zongzhi_core::case::{Channel, Complexity, Urgency};
use zongzhi_core::org::OrgLevel;
use zongzhi_store::{
    CalendarFilter, CalendarRow, StoreError, StoreResult, TimeLimitRow, TimingStore,
};

use crate::PgStore;
use crate::audit::{append, default_target};
use crate::cases::{parse_enum, parse_unit, unit_str};
use crate::error::{bad_value, db};
use crate::rows::convert;

/// Columns of [`LimitRow`].
const LIMIT_COLS: &str = "id, category_code, tier, urgency, complexity, channel, \
     accept_amount, accept_unit, finish_amount, finish_unit, active, updated_at";

/// Columns of [`DayRow`].
const DAY_COLS: &str = "day, kind, name, updated_at";

/// A `time_limits` row.
#[derive(FromRow)]
struct LimitRow {
    id: i64,
    category_code: Option<String>,
    tier: Option<String>,
    urgency: Option<String>,
    complexity: Option<String>,
    channel: Option<String>,
    accept_amount: i32,
    accept_unit: String,
    finish_amount: i32,
    finish_unit: String,
    active: bool,
    updated_at: DateTime<Utc>,
}

fn amount(n: i32) -> StoreResult<u32> {
    u32::try_from(n).map_err(|_| bad_value("limit amount", &n.to_string()))
}

impl LimitRow {
    fn into_model(self) -> StoreResult<TimeLimitRow> {
        fn opt<T>(
            what: &'static str,
            s: Option<String>,
            parse: impl Fn(&str) -> Option<T>,
        ) -> StoreResult<Option<T>> {
            s.map(|s| parse_enum(what, &s, parse)).transpose()
        }
        Ok(TimeLimitRow {
            id: self.id,
            rule: TimeLimitRule {
                category: self.category_code,
                tier: opt("org level", self.tier, OrgLevel::parse)?,
                urgency: opt("urgency", self.urgency, Urgency::parse)?,
                complexity: opt("complexity", self.complexity, Complexity::parse)?,
                channel: opt("channel", self.channel, Channel::parse)?,
                accept: Limit {
                    amount: amount(self.accept_amount)?,
                    unit: parse_unit(&self.accept_unit)?,
                },
                finish: Limit {
                    amount: amount(self.finish_amount)?,
                    unit: parse_unit(&self.finish_unit)?,
                },
            },
            active: self.active,
            updated_at: self.updated_at,
        })
    }
}

/// A `calendar_days` row.
#[derive(FromRow)]
struct DayRow {
    day: NaiveDate,
    kind: String,
    name: String,
    updated_at: DateTime<Utc>,
}

fn kind_str(k: DayKind) -> &'static str {
    match k {
        DayKind::Holiday => "holiday",
        DayKind::MakeupWorkday => "makeup_workday",
    }
}

impl DayRow {
    fn into_model(self) -> StoreResult<CalendarRow> {
        let kind = match self.kind.as_str() {
            "holiday" => DayKind::Holiday,
            "makeup_workday" => DayKind::MakeupWorkday,
            other => return Err(bad_value("calendar day kind", other)),
        };
        Ok(CalendarRow {
            day: DayOverride {
                date: self.day,
                kind,
                name: self.name,
            },
            updated_at: self.updated_at,
        })
    }
}

/// A limit amount as stored (INTEGER).
fn stored_amount(n: u32) -> StoreResult<i32> {
    i32::try_from(n).map_err(|_| StoreError::InvalidReference("amount"))
}

/// Checks a rule's category exists.
async fn check_category(conn: &mut PgConnection, rule: &TimeLimitRule<String>) -> StoreResult<()> {
    if let Some(code) = &rule.category {
        let found: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM categories WHERE code = $1)")
                .bind(code)
                .fetch_one(&mut *conn)
                .await
                .map_err(db)?;
        if !found {
            return Err(StoreError::InvalidReference("category"));
        }
    }
    Ok(())
}

/// Inserts one rule.
async fn insert_limit(
    conn: &mut PgConnection,
    rule: &TimeLimitRule<String>,
) -> StoreResult<TimeLimitRow> {
    check_category(conn, rule).await?;
    let row: LimitRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "INSERT INTO time_limits (category_code, tier, urgency, complexity, channel, \
         accept_amount, accept_unit, finish_amount, finish_unit, active, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, TRUE, $10) RETURNING {LIMIT_COLS}"
    )))
    .bind(rule.category.as_deref())
    .bind(rule.tier.map(OrgLevel::as_str))
    .bind(rule.urgency.map(Urgency::as_str))
    .bind(rule.complexity.map(Complexity::as_str))
    .bind(rule.channel.map(Channel::as_str))
    .bind(stored_amount(rule.accept.amount)?)
    .bind(unit_str(rule.accept.unit))
    .bind(stored_amount(rule.finish.amount)?)
    .bind(unit_str(rule.finish.unit))
    .bind(Utc::now())
    .fetch_one(&mut *conn)
    .await
    .map_err(db)?;
    row.into_model()
}

/// Inserts or replaces one calendar entry.
async fn put_day(conn: &mut PgConnection, day: &DayOverride) -> StoreResult<CalendarRow> {
    let row: DayRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "INSERT INTO calendar_days (day, kind, name, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (day) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, \
         updated_at = EXCLUDED.updated_at RETURNING {DAY_COLS}"
    )))
    .bind(day.date)
    .bind(kind_str(day.kind))
    .bind(&day.name)
    .bind(Utc::now())
    .fetch_one(&mut *conn)
    .await
    .map_err(db)?;
    row.into_model()
}

/// Locks `table` against other seeders (plain reads go on) and says whether it has rows.
async fn lock_and_check_empty(conn: &mut PgConnection, table: &str) -> StoreResult<bool> {
    // `table` is one of our two constant names.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "LOCK TABLE {table} IN EXCLUSIVE MODE"
    )))
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    let any: bool = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT EXISTS (SELECT 1 FROM {table})"
    )))
    .fetch_one(&mut *conn)
    .await
    .map_err(db)?;
    Ok(!any)
}

#[async_trait]
impl TimingStore for PgStore {
    async fn list_time_limits(&self) -> StoreResult<Vec<TimeLimitRow>> {
        let rows: Vec<LimitRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {LIMIT_COLS} FROM time_limits ORDER BY id"
        )))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        convert(rows, LimitRow::into_model)
    }

    async fn create_time_limit(
        &self,
        rule: TimeLimitRule<String>,
        audit: NewAuditEntry,
    ) -> StoreResult<TimeLimitRow> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let row = insert_limit(&mut tx, &rule).await?;
        append(&mut tx, default_target(audit, row.id)).await?;
        tx.commit().await.map_err(db)?;
        Ok(row)
    }

    async fn update_time_limit(
        &self,
        id: i64,
        rule: TimeLimitRule<String>,
        active: bool,
        audit: NewAuditEntry,
    ) -> StoreResult<TimeLimitRow> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        check_category(&mut tx, &rule).await?;
        let row: Option<LimitRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "UPDATE time_limits SET category_code = $2, tier = $3, urgency = $4, \
             complexity = $5, channel = $6, accept_amount = $7, accept_unit = $8, \
             finish_amount = $9, finish_unit = $10, active = $11, updated_at = $12 \
             WHERE id = $1 RETURNING {LIMIT_COLS}"
        )))
        .bind(id)
        .bind(rule.category.as_deref())
        .bind(rule.tier.map(OrgLevel::as_str))
        .bind(rule.urgency.map(Urgency::as_str))
        .bind(rule.complexity.map(Complexity::as_str))
        .bind(rule.channel.map(Channel::as_str))
        .bind(stored_amount(rule.accept.amount)?)
        .bind(unit_str(rule.accept.unit))
        .bind(stored_amount(rule.finish.amount)?)
        .bind(unit_str(rule.finish.unit))
        .bind(active)
        .bind(Utc::now())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        let row = row.ok_or(StoreError::NotFound)?.into_model()?;
        append(&mut tx, default_target(audit, id)).await?;
        tx.commit().await.map_err(db)?;
        Ok(row)
    }

    async fn seed_time_limits_if_empty(
        &self,
        rules: &[TimeLimitRule<String>],
        audit: NewAuditEntry,
    ) -> StoreResult<usize> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        if !lock_and_check_empty(&mut tx, "time_limits").await? {
            return Ok(0);
        }
        for rule in rules {
            insert_limit(&mut tx, rule).await?;
        }
        append(&mut tx, audit).await?;
        tx.commit().await.map_err(db)?;
        Ok(rules.len())
    }

    async fn list_calendar(&self, filter: CalendarFilter) -> StoreResult<Vec<CalendarRow>> {
        let rows: Vec<DayRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {DAY_COLS} FROM calendar_days \
             WHERE ($1::date IS NULL OR day >= $1) AND ($2::date IS NULL OR day <= $2) \
             ORDER BY day"
        )))
        .bind(filter.from)
        .bind(filter.to)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        convert(rows, DayRow::into_model)
    }

    async fn put_calendar_day(
        &self,
        day: DayOverride,
        audit: NewAuditEntry,
    ) -> StoreResult<CalendarRow> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let row = put_day(&mut tx, &day).await?;
        append(&mut tx, default_target(audit, day.date)).await?;
        tx.commit().await.map_err(db)?;
        Ok(row)
    }

    async fn remove_calendar_day(&self, date: NaiveDate, audit: NewAuditEntry) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let gone: Option<NaiveDate> =
            sqlx::query_scalar("DELETE FROM calendar_days WHERE day = $1 RETURNING day")
                .bind(date)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
        if gone.is_none() {
            return Err(StoreError::NotFound);
        }
        append(&mut tx, default_target(audit, date)).await?;
        tx.commit().await.map_err(db)
    }

    async fn seed_calendar_if_empty(
        &self,
        days: &[DayOverride],
        audit: NewAuditEntry,
    ) -> StoreResult<usize> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        if !lock_and_check_empty(&mut tx, "calendar_days").await? {
            return Ok(0);
        }
        let dates: Vec<NaiveDate> = days.iter().map(|d| d.date).collect();
        let kinds: Vec<&'static str> = days.iter().map(|d| kind_str(d.kind)).collect();
        let names: Vec<String> = days.iter().map(|d| d.name.clone()).collect();
        // A later entry for the same date wins, as in `WorkCalendar::new`.
        let inserted = sqlx::query(
            "INSERT INTO calendar_days (day, kind, name, updated_at) \
             SELECT DISTINCT ON (t.day) t.day, t.kind, t.name, $4 \
             FROM UNNEST($1::date[], $2::text[], $3::text[]) WITH ORDINALITY AS t(day, kind, name, ord) \
             ORDER BY t.day, t.ord DESC",
        )
        .bind(dates)
        .bind(kinds)
        .bind(names)
        .bind(Utc::now())
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        append(&mut tx, audit).await?;
        tx.commit().await.map_err(db)?;
        Ok(usize::try_from(inserted.rows_affected()).unwrap_or(days.len()))
    }
}
