//! The time-limit table and the working-time calendar: seeding once, rule writes with
//! their reference check, calendar upsert/list/remove, and an audit row for every write.

use chrono::NaiveDate;
use zongzhi_core::calendar::{DayKind, DayOverride, builtin_overrides};
use zongzhi_core::case::limits::{DEFAULT_RULES, Limit, TimeLimitRule};
use zongzhi_core::case::{Channel, Complexity, Urgency};
use zongzhi_core::org::OrgLevel;

use super::{assert_invalid_ref, assert_not_found, audit, audit_count, last_audit, verified_chain};
use crate::{CalendarFilter, CategorySeedRow, Store};

fn owned(rules: &[TimeLimitRule]) -> Vec<TimeLimitRule<String>> {
    rules
        .iter()
        .map(|r| TimeLimitRule {
            category: r.category.map(str::to_owned),
            tier: r.tier,
            urgency: r.urgency,
            complexity: r.complexity,
            channel: r.channel,
            accept: r.accept,
            finish: r.finish,
        })
        .collect()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

async fn seed_categories(store: &dyn Store) {
    store
        .seed_categories_if_empty(&CategorySeedRow::core_seed(), audit("category.seed"))
        .await
        .unwrap();
}

/// Seeding the limits and the calendar writes each once, with one audit row each.
pub async fn seed_once(store: &dyn Store) {
    seed_categories(store).await;
    assert!(store.list_time_limits().await.unwrap().is_empty());
    assert!(
        store
            .list_calendar(CalendarFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    let rules = owned(DEFAULT_RULES);
    let audits = audit_count(store).await;
    let n = store
        .seed_time_limits_if_empty(&rules, audit("time_limit.seed"))
        .await
        .unwrap();
    assert_eq!(n, rules.len());
    assert_eq!(audit_count(store).await, audits + 1);
    assert_eq!(last_audit(store).await.action, "time_limit.seed");
    let rows = store.list_time_limits().await.unwrap();
    let got: Vec<_> = rows.iter().map(|r| r.rule.clone()).collect();
    assert_eq!(got, rules);
    assert!(rows.iter().all(|r| r.active));
    assert!(rows.windows(2).all(|w| w[0].id < w[1].id));
    assert_eq!(
        store
            .seed_time_limits_if_empty(&rules, audit("time_limit.seed"))
            .await
            .unwrap(),
        0
    );
    assert_eq!(store.list_time_limits().await.unwrap(), rows);

    let days = builtin_overrides();
    let n = store
        .seed_calendar_if_empty(&days, audit("calendar.seed"))
        .await
        .unwrap();
    assert_eq!(n, days.len());
    assert_eq!(audit_count(store).await, audits + 2);
    let listed = store
        .list_calendar(CalendarFilter::default())
        .await
        .unwrap();
    let got: Vec<_> = listed.iter().map(|r| r.day.clone()).collect();
    assert_eq!(got, days, "every day, in date order");
    assert_eq!(
        store
            .seed_calendar_if_empty(&days[..3], audit("calendar.seed"))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .list_calendar(CalendarFilter::default())
            .await
            .unwrap(),
        listed
    );
    assert_eq!(audit_count(store).await, audits + 2);

    // Seeding concurrently still seeds once.
    let store2_rules = rules.clone();
    let (a, b) = tokio::join!(
        store.seed_time_limits_if_empty(&store2_rules, audit("time_limit.seed")),
        store.seed_calendar_if_empty(&days, audit("calendar.seed")),
    );
    assert_eq!((a.unwrap(), b.unwrap()), (0, 0));
    verified_chain(store).await;
}

/// Rules are created and replaced with their figures, matchers and active flag; an
/// unknown category or id is refused without writing.
pub async fn limit_rules(store: &dyn Store) {
    seed_categories(store).await;
    let rule = TimeLimitRule {
        category: Some("D12".to_owned()),
        tier: Some(OrgLevel::Town),
        urgency: Some(Urgency::Urgent),
        complexity: Some(Complexity::Difficult),
        channel: Some(Channel::Petition),
        accept: Limit::hours(2),
        finish: Limit::days(30),
    };
    let audits = audit_count(store).await;
    let row = store
        .create_time_limit(rule.clone(), audit("time_limit.create"))
        .await
        .unwrap();
    assert_eq!(row.rule, rule);
    assert!(row.active);
    assert_eq!(audit_count(store).await, audits + 1);
    assert_eq!(last_audit(store).await.action, "time_limit.create");
    let blank = TimeLimitRule {
        category: None,
        tier: None,
        urgency: None,
        complexity: None,
        channel: None,
        accept: Limit::working_days(1),
        finish: Limit::working_days(7),
    };
    let other = store
        .create_time_limit(blank.clone(), audit("time_limit.create"))
        .await
        .unwrap();
    assert!(other.id > row.id);
    assert_eq!(
        store.list_time_limits().await.unwrap(),
        vec![row.clone(), other.clone()]
    );

    let audits = audit_count(store).await;
    let mut bad = rule.clone();
    bad.category = Some("ZZ99".to_owned());
    assert_invalid_ref(
        store
            .create_time_limit(bad, audit("time_limit.create"))
            .await,
        "category",
    );
    assert_not_found(
        store
            .update_time_limit(999_999, blank.clone(), true, audit("time_limit.update"))
            .await,
    );
    assert_eq!(audit_count(store).await, audits);
    assert_eq!(store.list_time_limits().await.unwrap().len(), 2);

    let changed = TimeLimitRule {
        category: Some("D12-01".to_owned()),
        tier: None,
        urgency: None,
        complexity: Some(Complexity::Simple),
        channel: None,
        accept: Limit::working_days(2),
        finish: Limit::hours(48),
    };
    let updated = store
        .update_time_limit(row.id, changed.clone(), false, audit("time_limit.update"))
        .await
        .unwrap();
    assert_eq!(
        (updated.id, &updated.rule, updated.active),
        (row.id, &changed, false)
    );
    assert!(updated.updated_at >= row.updated_at);
    assert_eq!(audit_count(store).await, audits + 1);
    assert_eq!(last_audit(store).await.action, "time_limit.update");
    assert_eq!(
        store.list_time_limits().await.unwrap(),
        vec![updated.clone(), other]
    );
    let back = store
        .update_time_limit(row.id, changed, true, audit("time_limit.update"))
        .await
        .unwrap();
    assert!(back.active);
    verified_chain(store).await;
}

/// Calendar entries: put inserts or replaces, the list is by date within an inclusive
/// range, remove deletes and a missing date is NotFound; seeding after an edit does nothing.
pub async fn calendar_days(store: &dyn Store) {
    let audits = audit_count(store).await;
    let nd = DayOverride::holiday(date(2026, 10, 1), "国庆节");
    let row = store
        .put_calendar_day(nd.clone(), audit("calendar.put"))
        .await
        .unwrap();
    assert_eq!(row.day, nd);
    assert_eq!(audit_count(store).await, audits + 1);
    assert_eq!(last_audit(store).await.action, "calendar.put");
    for d in [
        DayOverride::makeup_workday(date(2026, 9, 27), "国庆节"),
        DayOverride::holiday(date(2026, 10, 2), "国庆节"),
        DayOverride::holiday(date(2027, 1, 1), "元旦"),
    ] {
        store
            .put_calendar_day(d, audit("calendar.put"))
            .await
            .unwrap();
    }
    let replaced = DayOverride {
        date: date(2026, 10, 2),
        kind: DayKind::MakeupWorkday,
        name: "调整".to_owned(),
    };
    let row = store
        .put_calendar_day(replaced.clone(), audit("calendar.put"))
        .await
        .unwrap();
    assert_eq!(row.day, replaced);
    assert_eq!(audit_count(store).await, audits + 5);
    let all = store
        .list_calendar(CalendarFilter::default())
        .await
        .unwrap();
    let dates: Vec<_> = all.iter().map(|r| r.day.date).collect();
    assert_eq!(
        dates,
        [
            date(2026, 9, 27),
            date(2026, 10, 1),
            date(2026, 10, 2),
            date(2027, 1, 1)
        ]
    );
    assert_eq!(all[2].day, replaced);
    let range = |from, to| CalendarFilter { from, to };
    let got = store
        .list_calendar(range(Some(date(2026, 10, 1)), Some(date(2026, 10, 2))))
        .await
        .unwrap();
    assert_eq!(got.len(), 2, "both ends are inclusive");
    let got = store
        .list_calendar(range(Some(date(2026, 10, 2)), None))
        .await
        .unwrap();
    assert_eq!(
        got.iter().map(|r| r.day.date).collect::<Vec<_>>(),
        [date(2026, 10, 2), date(2027, 1, 1)]
    );
    let got = store
        .list_calendar(range(None, Some(date(2026, 9, 30))))
        .await
        .unwrap();
    assert_eq!(got.len(), 1);
    assert!(
        store
            .list_calendar(range(Some(date(2026, 10, 3)), Some(date(2026, 12, 31))))
            .await
            .unwrap()
            .is_empty()
    );

    store
        .remove_calendar_day(date(2026, 10, 1), audit("calendar.remove"))
        .await
        .unwrap();
    assert_eq!(audit_count(store).await, audits + 6);
    assert_eq!(last_audit(store).await.action, "calendar.remove");
    assert_eq!(
        store
            .list_calendar(CalendarFilter::default())
            .await
            .unwrap()
            .len(),
        3
    );
    assert_not_found(
        store
            .remove_calendar_day(date(2026, 10, 1), audit("calendar.remove"))
            .await,
    );
    assert_not_found(
        store
            .remove_calendar_day(date(2030, 1, 1), audit("calendar.remove"))
            .await,
    );
    assert_eq!(audit_count(store).await, audits + 6);
    // The calendar is not empty: seeding leaves it alone.
    let n = store
        .seed_calendar_if_empty(&builtin_overrides(), audit("calendar.seed"))
        .await
        .unwrap();
    assert_eq!(n, 0);
    assert_eq!(
        store
            .list_calendar(CalendarFilter::default())
            .await
            .unwrap()
            .len(),
        3
    );
    assert_eq!(audit_count(store).await, audits + 6);
    verified_chain(store).await;
}
