//! PostgreSQL-only behaviour of the statistics and export tables: concurrent case writers
//! keep the rollups exact without deadlocking, and concurrent workers never claim one
//! export job twice.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;

use chrono::{NaiveDate, TimeDelta};
use zongzhi_core::case::{Action, FollowUpMethod, Outcome, SupervisionLevel};
use zongzhi_core::metrics::Metric;
use zongzhi_core::metrics::rollup::RollupDim;
use zongzhi_core::org::OrgLevel;
use zongzhi_store::conformance::case_fixture::{
    case_audit, dept_scope, mk_case, new_case, route_dept, setup, t, then, update,
};
use zongzhi_store::conformance::{audit, root};
use zongzhi_store::{
    CaseFilter, CaseStore, ExportOutcome, ExportStatus, ExportStore, NewExportJob, RollupGroup,
    RollupQuery, StatsStore,
};
use zongzhi_store_postgres::PgStore;

fn total_query(unit_path: &str) -> RollupQuery {
    RollupQuery {
        unit_path: unit_path.to_owned(),
        dim: RollupDim::All,
        value: None,
        from: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        to: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        group: RollupGroup::Total,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_case_writes_keep_rollups_exact() {
    let Some((store, _guard)) = common::fresh_store().await else {
        return;
    };
    let tree = setup(&store).await;
    let s = root();
    let clerk = tree.accounts[&tree.city.id].clone();
    // Cases in every village of county 0: they share the city's and county's rows.
    let mut cases = Vec::new();
    for i in 0..16 {
        let (town, village) = ((i / 2) % 2, i % 2);
        let loc = tree.village(0, town, village);
        let nc = new_case(loc, &tree.city, &clerk, &format!("并发{i}"), "并发写入");
        cases.push(mk_case(&store, &s, nc).await);
    }
    // Each task routes its case to a department, then signs for it: two rollup upserts
    // per case, all touching the shared rows at once.
    let mut tasks = Vec::new();
    for (i, case) in cases.into_iter().enumerate() {
        let store: PgStore = store.clone();
        let dept = tree.dept(tree.town(0, i % 2)).clone();
        let clerk = clerk.id;
        tasks.push(tokio::spawn(async move {
            let s = root();
            let routed = store
                .apply_case_event(
                    &s,
                    update(&case, route_dept(&dept, &[]), Some(clerk), t(23, 5)),
                    case_audit("case.action"),
                )
                .await
                .unwrap();
            let accept = Action::accept(None).unwrap();
            store
                .apply_case_event(
                    &s,
                    update(&routed, accept, Some(clerk), t(23, 6)),
                    case_audit("case.action"),
                )
                .await
                .unwrap()
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let total = store
        .query_rollups(&s, &total_query(&tree.city.path))
        .await
        .unwrap();
    assert_eq!(total.len(), 1);
    assert_eq!(total[0].counters.received, 16);
    assert_eq!(total[0].counters.accepted, 16);
    assert_eq!(total[0].counters.open, 16);

    let incremental = store.dump_rollups().await.unwrap();
    let written = store
        .rebuild_rollups(audit("rollup.rebuild"))
        .await
        .unwrap();
    let rebuilt = store.dump_rollups().await.unwrap();
    assert_eq!(incremental, rebuilt);
    assert_eq!(written, rebuilt.len() as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_workers_claim_each_job_once() {
    let Some((store, _guard)) = common::fresh_store().await else {
        return;
    };
    let tree = setup(&store).await;
    let account = tree.accounts[&tree.city.id].id;
    for i in 0..12 {
        store
            .create_export_job(
                NewExportJob {
                    account_id: account,
                    kind: "ledger".to_owned(),
                    format: "xlsx".to_owned(),
                    params: serde_json::json!({ "n": i }),
                    total_rows: 10,
                    created_at: t(23, 1),
                },
                audit("export.create"),
            )
            .await
            .unwrap();
    }
    let now = t(23, 2);
    let mut workers = Vec::new();
    for _ in 0..4 {
        let store = store.clone();
        workers.push(tokio::spawn(async move {
            let mut got = Vec::new();
            while let Some(job) = store
                .claim_export_job(now, TimeDelta::minutes(5), 3)
                .await
                .unwrap()
            {
                assert_eq!(job.status, ExportStatus::Running);
                assert_eq!(job.attempts, 1);
                got.push(job.id);
            }
            got
        }));
    }
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap());
    }
    let unique: BTreeSet<i64> = all.iter().copied().collect();
    assert_eq!(all.len(), 12, "every job claimed");
    assert_eq!(unique.len(), 12, "no job claimed twice");

    // Leases expire: claimed again until the attempts run out, then given up.
    let id = *unique.iter().next().unwrap();
    for job in &unique {
        if *job != id {
            store
                .finish_export_job(
                    *job,
                    ExportOutcome::Done {
                        file_name: format!("{job}.xlsx"),
                        file_size: 100,
                        rows: 10,
                    },
                    now,
                )
                .await
                .unwrap();
        }
    }
    let later = now + TimeDelta::minutes(6);
    let again = store
        .claim_export_job(later, TimeDelta::minutes(5), 2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((again.id, again.attempts), (id, 2));
    let last = later + TimeDelta::minutes(6);
    assert!(
        store
            .claim_export_job(last, TimeDelta::minutes(5), 2)
            .await
            .unwrap()
            .is_none()
    );
    let failed = store.get_export_job(account, id).await.unwrap();
    assert_eq!(failed.status, ExportStatus::Failed);
    assert_eq!(failed.error.as_deref(), Some("export_failed"));
    let done = store.list_export_jobs(account, 100).await.unwrap();
    assert_eq!(done.len(), 12);
    assert!(done.windows(2).all(|w| w[0].id > w[1].id));
}

/// Every metric filter of the case list counts exactly the cases the rollup figure sums.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metric_filters_count_what_the_rollups_sum() {
    let Some((store, _guard)) = common::fresh_store().await else {
        return;
    };
    let tree = setup(&store).await;
    let s = root();
    let clerk = tree.accounts[&tree.city.id].clone();
    let town = tree.town(0, 0);
    let dept = tree.dept(town).clone();
    let base = |i: usize| {
        new_case(
            tree.village(0, 0, i % 2),
            &tree.city,
            &clerk,
            &format!("指标{i}"),
            "指标",
        )
    };
    let handled = |nc, outcome| {
        let nc = then(nc, route_dept(&dept, &[]), t(23, 2));
        let nc = then(nc, Action::accept(None).unwrap(), t(23, 3));
        let nc = then(nc, Action::resolve(outcome, "已处理").unwrap(), t(23, 4));
        let nc = then(nc, Action::verify(true, None).unwrap(), t(23, 5));
        then(nc, Action::close(None).unwrap(), t(23, 6))
    };
    // Open, untouched.
    mk_case(&store, &s, base(0)).await;
    // Closed and mediated, rated satisfied.
    let nc = handled(base(1), Outcome::Mediated);
    let nc = then(
        nc,
        Action::follow_up(4, FollowUpMethod::Phone, None).unwrap(),
        t(23, 7),
    );
    mk_case(&store, &s, nc).await;
    // Closed, answered, rated dissatisfied, reopened.
    let nc = handled(base(2), Outcome::Answered);
    let nc = then(
        nc,
        Action::follow_up(1, FollowUpMethod::Sms, None).unwrap(),
        t(23, 7),
    );
    let nc = then(nc, Action::reopen("群众不满意").unwrap(), t(23, 8));
    mk_case(&store, &s, nc).await;
    // Accepted and supervised, still open.
    let nc = then(base(3), route_dept(&dept, &[]), t(23, 2));
    let nc = then(nc, Action::accept(None).unwrap(), t(23, 3));
    let sup = Action::supervise(SupervisionLevel::General, "请加快", t(25, 9), t(23, 4)).unwrap();
    mk_case(&store, &s, then(nc, sup, t(23, 4))).await;
    // A duplicate merged into case 0's neighbour: counts nowhere.
    let master = mk_case(&store, &s, base(4)).await;
    let dup = mk_case(&store, &s, base(5)).await;
    let merge = Action::Merge {
        master_case_id: master.id,
        note: None,
    };
    store
        .apply_case_event(
            &s,
            update(&dup, merge, Some(clerk.id), t(23, 9)),
            case_audit("case.action"),
        )
        .await
        .unwrap();

    let q = total_query(&tree.city.path);
    let total = store.query_rollups(&s, &q).await.unwrap()[0].counters;
    assert_eq!(total.received, 5);
    let period = |f: &mut CaseFilter| {
        f.under = Some(tree.city.id);
        f.from = Some(t(1, 0));
        f.to = Some(t(30, 0));
        f.limit = Some(500);
    };
    for metric in Metric::ALL.iter().copied() {
        let mut f = CaseFilter {
            metric: Some(metric),
            ..CaseFilter::default()
        };
        period(&mut f);
        let want = total
            .columns()
            .into_iter()
            .find(|(name, _)| *name == metric.as_str())
            .unwrap()
            .1;
        let n = store.count_cases(&s, &f).await.unwrap();
        assert_eq!(n, want, "{metric:?}");
        let listed = store.list_cases(&s, &f).await.unwrap().items.len();
        assert_eq!(listed as i64, want, "{metric:?} listed");
    }
    // The department slice and its click-through.
    let by_dept = store
        .query_rollups(
            &s,
            &RollupQuery {
                dim: RollupDim::Department,
                group: RollupGroup::Value,
                ..total_query(&tree.city.path)
            },
        )
        .await
        .unwrap();
    assert_eq!(by_dept.len(), 1);
    assert_eq!(by_dept[0].key, dept.id.to_string());
    let mut f = CaseFilter {
        metric: Some(Metric::Received),
        lead_department_id: Some(dept.id),
        ..CaseFilter::default()
    };
    period(&mut f);
    assert_eq!(
        store.count_cases(&s, &f).await.unwrap(),
        by_dept[0].counters.received
    );
    // A department handler sees only their department's slice.
    let dscope = dept_scope(&tree, &dept);
    let all = store.query_rollups(&dscope, &q).await.unwrap();
    assert_eq!(all.len(), 1);
    assert!(all[0].counters.is_zero());
    let own_q = RollupQuery {
        dim: RollupDim::Department,
        value: Some(dept.id.to_string()),
        ..total_query(&town.path)
    };
    let own = store.query_rollups(&dscope, &own_q).await.unwrap();
    assert_eq!(own[0].counters, by_dept[0].counters);
    // Above their unit, or another department's value: nothing.
    let above = RollupQuery {
        unit_path: tree.city.path.clone(),
        ..own_q.clone()
    };
    assert!(
        store.query_rollups(&dscope, &above).await.unwrap()[0]
            .counters
            .is_zero()
    );
    let other = RollupQuery {
        value: None,
        group: RollupGroup::Value,
        ..own_q.clone()
    };
    let rows = store.query_rollups(&dscope, &other).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].key, dept.id.to_string());
    // Category D01 includes its children; the rebuild agrees with the writes.
    let by_cat = store
        .query_rollups(
            &s,
            &RollupQuery {
                dim: RollupDim::Category,
                value: Some("D01".to_owned()),
                ..total_query(&tree.city.path)
            },
        )
        .await
        .unwrap();
    assert_eq!(by_cat[0].counters, total);
    // Children of the city: the one county with cases; villages of the town by path.
    let children = store
        .query_rollups(
            &s,
            &RollupQuery {
                group: RollupGroup::Children,
                ..total_query(&tree.city.path)
            },
        )
        .await
        .unwrap();
    let keys: Vec<&str> = children.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys, [tree.county(0).path.as_str()]);
    assert_eq!(children[0].counters, total);
    let villages = store
        .query_rollups(
            &s,
            &RollupQuery {
                group: RollupGroup::Level(OrgLevel::Village),
                ..total_query(&tree.city.path)
            },
        )
        .await
        .unwrap();
    let keys: Vec<&str> = villages.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            tree.village(0, 0, 0).path.as_str(),
            tree.village(0, 0, 1).path.as_str()
        ]
    );
    let by_day = store
        .query_rollups(
            &s,
            &RollupQuery {
                group: RollupGroup::Day,
                ..total_query(&tree.city.path)
            },
        )
        .await
        .unwrap();
    assert_eq!(by_day.len(), 1);
    assert_eq!(by_day[0].key, "2026-11-23");
    let incremental = store.dump_rollups().await.unwrap();
    store
        .rebuild_rollups(audit("rollup.rebuild"))
        .await
        .unwrap();
    assert_eq!(store.dump_rollups().await.unwrap(), incremental);
}
