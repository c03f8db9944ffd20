//! Quick checks of the case store on sqlite, and that its scoped list uses the indexes.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde_json::json;
use zongzhi_core::case::{
    CaseState, CaseStatus, Channel, Complexity, Holder, PartyRole, Rating, Urgency,
};
use zongzhi_core::role::Scope;
use zongzhi_intel::Segmenter;
use zongzhi_store::conformance::{Tree, seed_tree};
use zongzhi_store::{
    CaseFilter, CaseStore, CaseUpdate, CategorySeedRow, CategoryStore, NewCase, NewCaseEvent,
    NewParty, OrgUnit, StoreError,
};
use zongzhi_store_sqlite::{SqliteStore, TempGuard};

use super::{entry, fresh, root};

fn t(d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap()
}

fn event(from: CaseStatus, to: CaseStatus, kind: &str, at: DateTime<Utc>) -> NewCaseEvent {
    NewCaseEvent {
        actor_id: None,
        at,
        from_status: from,
        to_status: to,
        kind: kind.to_owned(),
        note: None,
        payload: json!({"action": kind}),
    }
}

fn new_case(loc: &OrgUnit, center: &OrgUnit, title: &str, description: &str) -> NewCase {
    let mut state = CaseState::new(center.id);
    state.status = CaseStatus::Triage;
    state.registered_at = Some(t(23, 1));
    NewCase {
        tracking_date: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        channel: Channel::WalkIn,
        category_code: "D01-01".to_owned(),
        urgency: Urgency::Normal,
        complexity: Complexity::Simple,
        title: title.to_owned(),
        description: description.to_owned(),
        occurred_at: None,
        reported_at: t(23, 1),
        address: None,
        org_unit_id: loc.id,
        lat: Some(30.1),
        lng: Some(120.2),
        people_involved: Some(3),
        amount_fen: None,
        parties: Vec::new(),
        attachments: Vec::new(),
        search_terms: Segmenter::shared().index_text(&[title, description]),
        created_by: None,
        created_at: t(23, 1),
        idempotency_key: None,
        events: vec![event(
            CaseStatus::Registered,
            CaseStatus::Triage,
            "register",
            t(23, 1),
        )],
        state,
    }
}

async fn setup() -> (SqliteStore, TempGuard, Tree) {
    let (store, g) = fresh().await;
    let tree = seed_tree(&store).await;
    store
        .seed_categories_if_empty(&CategorySeedRow::core_seed(), entry("category.seed"))
        .await
        .unwrap();
    (store, g, tree)
}

fn scope_of(unit: &OrgUnit) -> Scope {
    Scope::subtree(unit.id, unit.path.clone())
}

#[tokio::test]
async fn create_read_and_stale_version() {
    let (store, _g, tree) = setup().await;
    let town = tree.town(0, 0);
    let mut nc = new_case(tree.village(0, 0, 0), town, "邻里纠纷", "楼上漏水");
    nc.parties.push(NewParty {
        role: PartyRole::Applicant,
        name: "张三".to_owned(),
        id_card: Some(("enc".to_owned(), "idx".to_owned(), "110***".to_owned())),
        phone: None,
    });
    let created = store
        .create_case(&scope_of(town), nc.clone(), entry("case.create"))
        .await
        .unwrap();
    assert!(!created.replayed);
    let case = created.case;
    assert_eq!(case.tracking_no, "ZZ2026112300001");
    assert_eq!(case.version, 1);
    assert_eq!(case.state, nc.state);
    assert_eq!(case.org_path, tree.village(0, 0, 0).path);
    let second = store
        .create_case(&scope_of(town), nc.clone(), entry("case.create"))
        .await
        .unwrap();
    assert_eq!(second.case.tracking_no, "ZZ2026112300002");

    let d = store.get_case(&scope_of(town), case.id).await.unwrap();
    assert_eq!(d.parties.len(), 1);
    assert_eq!(d.parties[0].id_card_masked.as_deref(), Some("110***"));
    assert_eq!(d.events.len(), 1);
    assert_eq!(d.events[0].kind, "register");
    // A sibling town does not see it.
    let other = store.get_case(&scope_of(tree.town(0, 1)), case.id).await;
    assert!(matches!(other, Err(StoreError::NotFound)), "{other:?}");

    // Route to the village department with a co-handler.
    let lead = tree.dept(tree.village(0, 0, 0));
    let co = tree.dept(tree.village(0, 0, 1));
    let mut state = case.state.clone();
    state.status = CaseStatus::Assigned;
    state.holder = Some(Holder::Department {
        id: lead.id,
        co_handler_ids: vec![co.id],
    });
    state.accept_deadline = Some(t(24, 16));
    state.rating = Some(Rating::Satisfied);
    let up = CaseUpdate {
        case_id: case.id,
        expected_version: 1,
        events: vec![event(
            CaseStatus::Triage,
            CaseStatus::Assigned,
            "route",
            t(23, 2),
        )],
        state: state.clone(),
    };
    let routed = store
        .apply_case_event(&scope_of(town), up.clone(), entry("case.route"))
        .await
        .unwrap();
    assert_eq!(routed.version, 2);
    assert_eq!(routed.state, state);
    assert_eq!(routed.updated_at, t(23, 2));
    // The same update again is stale and writes nothing.
    let stale = store
        .apply_case_event(&scope_of(town), up, entry("case.route"))
        .await;
    assert!(
        matches!(stale, Err(StoreError::Conflict("stale_version"))),
        "{stale:?}"
    );
    let d = store.get_case(&root(), case.id).await.unwrap();
    assert_eq!(d.events.len(), 2);
    assert_eq!(d.case.version, 2);
    assert_eq!(d.co_handlers, vec![(co.id, co.name.clone())]);
    // The co-handling department's handler sees it.
    let mut dept_scope = scope_of(tree.village(0, 0, 1));
    dept_scope.department_id = Some(co.id);
    store.get_case(&dept_scope, case.id).await.unwrap();
    let f = CaseFilter {
        department_id: Some(lead.id),
        ..CaseFilter::default()
    };
    assert_eq!(store.count_cases(&root(), &f).await.unwrap(), 1);
}

#[tokio::test]
async fn full_text_search_and_pages() {
    let (store, _g, tree) = setup().await;
    let town = tree.town(1, 0);
    let scope = scope_of(town);
    let hit = store
        .create_case(
            &scope,
            new_case(
                tree.village(1, 0, 1),
                town,
                "物业费纠纷",
                "小区物业拒不维修电梯",
            ),
            entry("case.create"),
        )
        .await
        .unwrap()
        .case;
    for i in 0..4 {
        store
            .create_case(
                &scope,
                new_case(
                    tree.village(1, 0, 0),
                    town,
                    "土地纠纷",
                    &format!("宅基地边界{i}"),
                ),
                entry("case.create"),
            )
            .await
            .unwrap();
    }
    let f = CaseFilter {
        q: Some("物业".to_owned()),
        ..CaseFilter::default()
    };
    let page = store.list_cases(&scope, &f).await.unwrap();
    assert_eq!(
        page.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![hit.id]
    );
    assert_eq!(store.count_cases(&scope, &f).await.unwrap(), 1);
    let outside = store.count_cases(&scope_of(tree.town(0, 0)), &f).await;
    assert_eq!(outside.unwrap(), 0);

    // Keyset pages of two, newest first, cover all five once.
    let mut f = CaseFilter {
        limit: Some(2),
        ..CaseFilter::default()
    };
    let mut seen = Vec::new();
    loop {
        let p = store.list_cases(&scope, &f).await.unwrap();
        seen.extend(p.items.iter().map(|c| c.id));
        match p.next_cursor {
            Some(c) => f.cursor = Some(c),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(seen, sorted);
    assert_eq!(seen.len(), 5);
}

#[tokio::test]
async fn scoped_list_uses_the_path_indexes() {
    let (store, _g, tree) = setup().await;
    let (lo, hi) = scope_of(tree.town(0, 0)).path_range();
    let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(
        "EXPLAIN QUERY PLAN SELECT c.id FROM cases c WHERE 1 = 1 AND \
         ((c.org_path >= ?1 AND c.org_path < ?2) OR (c.center_path >= ?1 AND c.center_path < ?2) \
         OR (c.holder_path >= ?1 AND c.holder_path < ?2)) ORDER BY c.id DESC LIMIT 51",
    )
    .bind(&lo)
    .bind(&hi)
    .fetch_all(store.pool())
    .await
    .unwrap();
    let text: Vec<&str> = plan.iter().map(|r| r.3.as_str()).collect();
    let joined = text.join("\n");
    for index in ["cases_org_path", "cases_center_path", "cases_holder_path"] {
        assert!(joined.contains(index), "{joined}");
    }
}

/// Imports `ZONGZHI_BENCH_CASES` (default 20 000) cases with six events each in batches of
/// 500 and times it and a few scoped lists. Prints, does not assert: run with
/// `cargo test -p zongzhi-store-sqlite --test sqlite -- --ignored --nocapture bench`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark"]
async fn bench_import_and_list() {
    use std::time::Instant;
    use zongzhi_store::{CaseSort, ImportedCase};
    let n: usize = std::env::var("ZONGZHI_BENCH_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let (store, _g, tree) = setup().await;
    let started = Instant::now();
    let mut in_store = std::time::Duration::ZERO;
    let mut batch = Vec::with_capacity(500);
    for i in 0..n {
        let v = i % tree.villages.len();
        let village = &tree.villages[v];
        let town = &tree.towns[v / 2];
        let mut nc = new_case(
            village,
            town,
            "物业费纠纷",
            "小区物业拒不维修电梯，居民多次反映",
        );
        for k in 0..5 {
            nc.events.push(event(
                CaseStatus::Triage,
                CaseStatus::Triage,
                "progress",
                t(23, 2 + k),
            ));
        }
        nc.parties.push(NewParty {
            role: PartyRole::Applicant,
            name: "张三".to_owned(),
            id_card: None,
            phone: Some(("enc".to_owned(), format!("ix{i}"), "138****".to_owned())),
        });
        let day =
            NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Days::new((i / 90_000) as u64);
        let tracking_no = format!("ZZ{}{:05}", day.format("%Y%m%d"), i % 90_000 + 1);
        batch.push(ImportedCase {
            tracking_no,
            case: nc,
        });
        if batch.len() == 500 || i + 1 == n {
            let s = Instant::now();
            store
                .import_cases(std::mem::take(&mut batch), entry("case.import"))
                .await
                .unwrap();
            in_store += s.elapsed();
        }
    }
    eprintln!(
        "import {n}: {:?} ({in_store:?} in the store)",
        started.elapsed()
    );
    for (label, scope) in [
        ("root", root()),
        ("county", scope_of(tree.county(0))),
        ("town", scope_of(tree.town(1, 1))),
        ("village", scope_of(tree.village(1, 1, 1))),
    ] {
        for sort in [CaseSort::Newest, CaseSort::DueSoonest] {
            let f = CaseFilter {
                sort,
                ..CaseFilter::default()
            };
            let s = Instant::now();
            let p = store.list_cases(&scope, &f).await.unwrap();
            eprintln!(
                "list {label} {sort:?}: {} in {:?}",
                p.items.len(),
                s.elapsed()
            );
        }
        let s = Instant::now();
        let c = store
            .count_cases(&scope, &CaseFilter::default())
            .await
            .unwrap();
        eprintln!("count {label}: {c} in {:?}", s.elapsed());
        let f = CaseFilter {
            q: Some("电梯".to_owned()),
            statuses: vec![CaseStatus::Triage],
            ..CaseFilter::default()
        };
        let s = Instant::now();
        let p = store.list_cases(&scope, &f).await.unwrap();
        eprintln!("search {label}: {} in {:?}", p.items.len(), s.elapsed());
    }
}

/// Fills `cases` to one million rows with raw SQL (copies of one case spread over the
/// villages) and times scoped lists and counts, printing each query plan. Prints, does not
/// assert: `cargo test -p zongzhi-store-sqlite --test sqlite -- --ignored --nocapture
/// million`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark"]
async fn bench_million_list() {
    use std::time::Instant;
    use zongzhi_store::CaseSort;
    let (store, _g, tree) = setup().await;
    let town = tree.town(0, 0);
    let template = store
        .create_case(
            &scope_of(town),
            new_case(
                tree.village(0, 0, 0),
                town,
                "物业费纠纷",
                "小区物业拒不维修电梯",
            ),
            entry("case.create"),
        )
        .await
        .unwrap()
        .case;
    let started = Instant::now();
    // Village i % 16 and its town; every 7th case runs a deadline.
    sqlx::query(
        "CREATE TABLE vt AS SELECT row_number() OVER (ORDER BY v.id) - 1 AS k, \
         v.id AS vid, v.path AS vpath, t.id AS tid, t.path AS tpath \
         FROM org_units v JOIN org_units t ON t.id = v.parent_id WHERE v.level = 'village'",
    )
    .execute(store.pool())
    .await
    .unwrap();
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000) \
         INSERT INTO cases (id, tracking_no, version, channel, category_code, urgency, \
         complexity, title, description, occurred_at, reported_at, address, org_unit_id, \
         org_path, lat, lng, people_involved, amount_fen, status, center_unit_id, center_path, \
         accept_deadline, due_at, deadline_state, ever_overdue, extension_pending, \
         reopen_count, created_at, updated_at) \
         SELECT n.i, 'ZZ' || printf('%013d', n.i), 1, c.channel, c.category_code, c.urgency, \
         c.complexity, c.title, c.description, NULL, c.reported_at, NULL, vt.vid, vt.vpath, \
         NULL, NULL, NULL, NULL, CASE WHEN n.i % 7 = 0 THEN 'assigned' ELSE 'closed' END, \
         vt.tid, vt.tpath, NULL, \
         CASE WHEN n.i % 7 = 0 THEN printf('2026-12-%02dT00:00:00.000000Z', 1 + n.i % 28) END, \
         'normal', 0, 0, 0, c.created_at, c.updated_at \
         FROM n JOIN vt ON vt.k = n.i % 16 JOIN cases c ON c.id = ?",
    )
    .bind(template.id)
    .execute(store.pool())
    .await
    .unwrap();
    sqlx::query("INSERT INTO case_search (rowid, terms) SELECT id, CASE WHEN id % 100 = 0 THEN '物业 电梯' ELSE '土地 纠纷' END FROM cases WHERE id > 1")
        .execute(store.pool())
        .await
        .unwrap();
    eprintln!("filled 1M in {:?}", started.elapsed());
    if std::env::var("ZONGZHI_BENCH_ANALYZE").is_ok() {
        let s = Instant::now();
        sqlx::query("PRAGMA optimize = 0x10002")
            .execute(store.pool())
            .await
            .unwrap();
        eprintln!("optimize in {:?}", s.elapsed());
    }
    for (label, scope) in [
        ("root", root()),
        ("county", scope_of(tree.county(0))),
        ("town", scope_of(tree.town(1, 1))),
        ("village", scope_of(tree.village(1, 1, 1))),
    ] {
        for sort in [CaseSort::Newest, CaseSort::DueSoonest] {
            let mut f = CaseFilter {
                sort,
                ..CaseFilter::default()
            };
            let s = Instant::now();
            let p = store.list_cases(&scope, &f).await.unwrap();
            let first = s.elapsed();
            f.cursor = p.next_cursor.clone();
            let s = Instant::now();
            let p2 = store.list_cases(&scope, &f).await.unwrap();
            eprintln!(
                "list {label} {sort:?}: {} in {first:?}, next {} in {:?}",
                p.items.len(),
                p2.items.len(),
                s.elapsed()
            );
        }
        let s = Instant::now();
        let c = store
            .count_cases(&scope, &CaseFilter::default())
            .await
            .unwrap();
        eprintln!("count {label}: {c} in {:?}", s.elapsed());
        let f = CaseFilter {
            q: Some("电梯".to_owned()),
            ..CaseFilter::default()
        };
        let s = Instant::now();
        let p = store.list_cases(&scope, &f).await.unwrap();
        eprintln!("search {label}: {} in {:?}", p.items.len(), s.elapsed());
        let f = CaseFilter {
            statuses: vec![CaseStatus::Assigned],
            ..CaseFilter::default()
        };
        let s = Instant::now();
        let p = store.list_cases(&scope, &f).await.unwrap();
        eprintln!("status {label}: {} in {:?}", p.items.len(), s.elapsed());
    }
    let (lo, hi) = scope_of(tree.county(0)).path_range();
    let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(
        "EXPLAIN QUERY PLAN SELECT c.id FROM cases c WHERE 1 = 1 AND \
         ((c.org_path >= ?1 AND c.org_path < ?2) OR (c.center_path >= ?1 AND c.center_path < ?2) \
         OR (c.holder_path >= ?1 AND c.holder_path < ?2)) ORDER BY c.id DESC LIMIT 51",
    )
    .bind(&lo)
    .bind(&hi)
    .fetch_all(store.pool())
    .await
    .unwrap();
    for r in plan {
        eprintln!("plan: {}", r.3);
    }
}
