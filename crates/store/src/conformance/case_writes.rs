//! Writes to cases: references checked inside the transaction, the version check (also
//! under a real race), and attachments that do not bump the version.

use serde_json::json;
use zongzhi_core::case::{Action, CaseStatus, RouteTarget};
use zongzhi_core::role::Scope;

use super::case_fixture::{
    apply_ok, attachment, case_audit, case_count, detail, mk_case, new_case, route_dept,
    route_unit, setup, t, update,
};
use super::{
    assert_conflict, assert_invalid_ref, assert_not_found, audit, audit_count, last_audit,
    scope_of, verified_chain,
};
use crate::{CaseDetail, CaseRef, CaseUpdate, CategoryPatch, Store, StoreResult};

/// A failed write must leave the case, the case count and the audit log as they were.
async fn unchanged(store: &dyn Store, before: &CaseDetail, cases: i64, audits: i64) {
    assert_eq!(&detail(store, before.case.id).await, before);
    assert_eq!(case_count(store).await, cases);
    assert_eq!(audit_count(store).await, audits);
}

/// Unknown or inactive categories, units outside scope, unknown departments and units on a
/// route, and bad master cases are refused with the field's name, writing nothing.
pub async fn invalid_references(store: &dyn Store) {
    let t0 = setup(store).await;
    let town = t0.town(0, 0);
    let clerk = t0.account(town);
    let s = scope_of(town);
    let patch = CategoryPatch {
        active: Some(false),
        ..CategoryPatch::default()
    };
    store
        .update_category("D02-01", patch, audit("category.update"))
        .await
        .unwrap();
    let v0 = t0.village(0, 0, 0);
    let c = mk_case(store, &s, new_case(v0, town, clerk, "主案", "本案")).await;
    let master = mk_case(
        store,
        &s,
        new_case(t0.village(0, 0, 1), town, clerk, "另案", "另案"),
    )
    .await;
    let dup = mk_case(store, &s, new_case(v0, town, clerk, "重复", "重复")).await;
    let merge = |id| Action::Merge {
        master_case_id: id,
        note: None,
    };
    apply_ok(
        store,
        &s,
        update(&dup, merge(master.id), Some(clerk.id), t(23, 3)),
    )
    .await;
    let sib_town = t0.town(0, 1);
    let hidden = mk_case(
        store,
        &scope_of(sib_town),
        new_case(
            t0.village(0, 1, 0),
            sib_town,
            t0.account(sib_town),
            "他镇",
            "他镇",
        ),
    )
    .await;

    let before = detail(store, c.id).await;
    let (cases, audits) = (case_count(store).await, audit_count(store).await);
    let create = |nc| store.create_case(&s, nc, case_audit("case.create"));

    let mut nc = new_case(v0, town, clerk, "坏分类", "坏分类");
    nc.category_code = "ZZ99".into();
    assert_invalid_ref(create(nc).await, "category_code");
    let mut nc = new_case(v0, town, clerk, "停用分类", "停用分类");
    nc.category_code = "D02-01".into();
    assert_invalid_ref(create(nc).await, "category_code");
    let nc = new_case(t0.village(0, 1, 0), town, clerk, "辖区外", "辖区外");
    assert_invalid_ref(create(nc).await, "org_unit_id");
    let mut nc = new_case(v0, town, clerk, "不存在的地点", "不存在的地点");
    nc.org_unit_id = 999_999;
    assert_invalid_ref(create(nc).await, "org_unit_id");
    let mut ghost = town.clone();
    ghost.id = 999_999;
    let nc = new_case(v0, &ghost, clerk, "不存在的中心", "不存在的中心");
    assert_invalid_ref(create(nc).await, "center_unit_id");
    unchanged(store, &before, cases, audits).await;

    let act = |a: Action| update(&c, a, Some(clerk.id), t(23, 4));
    let apply = |up: CaseUpdate| store.apply_case_event(&s, up, case_audit("case.action"));
    let bad_lead = RouteTarget::department(999_999, vec![]).unwrap();
    let r = apply(act(Action::route(bad_lead, None).unwrap())).await;
    assert_invalid_ref(r, "department_id");
    let bad_co = RouteTarget::department(t0.dept(town).id, vec![999_998]).unwrap();
    let r = apply(act(Action::route(bad_co, None).unwrap())).await;
    assert_invalid_ref(r, "co_handler_ids");
    let r = apply(act(route_unit(&ghost))).await;
    assert_invalid_ref(r, "org_unit_id");
    let r = apply(act(Action::send_down(999_999, None).unwrap())).await;
    assert_invalid_ref(r, "org_unit_id");
    for (m, why) in [
        (c.id, "itself"),
        (dup.id, "a merged case"),
        (hidden.id, "outside the scope"),
        (999_999, "missing"),
    ] {
        let r = apply(act(merge(m))).await;
        match r {
            Err(crate::StoreError::InvalidReference("master_case_id")) => {}
            other => panic!("merge into {why}: expected InvalidReference, got {other:?}"),
        }
    }
    unchanged(store, &before, cases, audits).await;

    // A valid merge: the duplicate shows its master even to a scope that cannot open the
    // master, and the master lists its duplicates.
    let merged = apply_ok(store, &s, act(merge(master.id))).await;
    assert_eq!(merged.state.status, CaseStatus::Archived);
    assert_eq!(merged.state.master_case_id, Some(master.id));
    assert!(merged.state.facts.is_merged);
    let vs = scope_of(v0);
    assert_not_found(store.get_case(&vs, master.id).await);
    let d = store.get_case(&vs, c.id).await.unwrap();
    let want = CaseRef {
        id: master.id,
        tracking_no: master.tracking_no.clone(),
        title: master.title.clone(),
        status: master.state.status,
    };
    assert_eq!(d.master, Some(want));
    let m = detail(store, master.id).await;
    let ids: Vec<_> = m.merged.iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&c.id) && ids.contains(&dup.id));
    assert!(m.merged.iter().all(|r| r.status == CaseStatus::Archived));
    verified_chain(store).await;
}

/// A stale version is a conflict that writes nothing; `updated_at` follows the last event.
pub async fn stale_version(store: &dyn Store) {
    let t0 = setup(store).await;
    let town = t0.town(0, 0);
    let clerk = t0.account(town);
    let s = scope_of(town);
    let c = mk_case(
        store,
        &s,
        new_case(t0.village(0, 0, 0), town, clerk, "版本", "版本"),
    )
    .await;
    let routed = apply_ok(
        store,
        &s,
        update(&c, route_dept(t0.dept(town), &[]), Some(clerk.id), t(23, 5)),
    )
    .await;
    assert_eq!(routed.version, 2);
    assert_eq!(routed.updated_at, t(23, 5));
    assert_eq!(routed.state.status, CaseStatus::Assigned);
    assert_eq!(detail(store, c.id).await.case, routed);
    assert_eq!(last_audit(store).await.action, "case.action");

    let before = detail(store, c.id).await;
    let (cases, audits) = (case_count(store).await, audit_count(store).await);
    let accept = Action::accept(None).unwrap();
    let mut stale = update(&routed, accept.clone(), Some(clerk.id), t(23, 6));
    stale.expected_version = 1;
    let r = store
        .apply_case_event(&s, stale.clone(), case_audit("case.action"))
        .await;
    assert_conflict(r, "stale_version");
    stale.expected_version = 3;
    let r = store
        .apply_case_event(&s, stale, case_audit("case.action"))
        .await;
    assert_conflict(r, "stale_version");
    unchanged(store, &before, cases, audits).await;

    let done = apply_ok(store, &s, update(&routed, accept, Some(clerk.id), t(23, 6))).await;
    assert_eq!(done.version, 3);
    assert_eq!(done.state.status, CaseStatus::InProgress);
    let d = detail(store, c.id).await;
    let seqs: Vec<_> = d.events.iter().map(|e| (e.seq, e.kind.as_str())).collect();
    assert_eq!(seqs, [(1, "register"), (2, "route"), (3, "accept")]);
    verified_chain(store).await;
}

/// Runs two writes truly in parallel, on two OS threads driving the test's runtime.
pub(super) async fn race<A, B>(a: A, b: B) -> (A::Output, B::Output)
where
    A: std::future::Future + Send,
    B: std::future::Future + Send,
    A::Output: Send,
    B::Output: Send,
{
    let handle = tokio::runtime::Handle::current();
    let barrier = std::sync::Barrier::new(2);
    tokio::task::block_in_place(|| {
        std::thread::scope(|sc| {
            let (h, bar) = (&handle, &barrier);
            let ja = sc.spawn(move || {
                bar.wait();
                h.block_on(a)
            });
            let jb = sc.spawn(move || {
                bar.wait();
                h.block_on(b)
            });
            (ja.join().unwrap(), jb.join().unwrap())
        })
    })
}

/// Two clerks act on the same version at once: exactly one wins, the other gets
/// `stale_version`, and the history has one new event.
pub async fn concurrent_apply(store: &dyn Store) {
    let t0 = setup(store).await;
    let town = t0.town(0, 0);
    let clerk = t0.account(town);
    let s = scope_of(town);
    let c = mk_case(
        store,
        &s,
        new_case(t0.village(0, 0, 0), town, clerk, "并发", "并发"),
    )
    .await;
    let c = apply_ok(
        store,
        &s,
        update(&c, route_dept(t0.dept(town), &[]), Some(clerk.id), t(23, 5)),
    )
    .await;
    for round in 0..3 {
        let cur = detail(store, c.id).await.case;
        let audits = audit_count(store).await;
        let events = detail(store, c.id).await.events.len();
        let (a, b) = match round {
            0 => (
                Action::accept(None).unwrap(),
                Action::return_with("非本单位职责").unwrap(),
            ),
            _ => (
                Action::progress("已联系当事人").unwrap(),
                Action::progress("已现场查看").unwrap(),
            ),
        };
        let ua = update(&cur, a, Some(clerk.id), t(23, 6 + round));
        let ub = update(&cur, b, Some(clerk.id), t(23, 6 + round));
        let go = |u: CaseUpdate, sc: Scope| async move {
            store
                .apply_case_event(&sc, u, case_audit("case.action"))
                .await
        };
        let (ra, rb): (StoreResult<_>, StoreResult<_>) =
            race(go(ua, s.clone()), go(ub, s.clone())).await;
        let (won, lost) = match (ra, rb) {
            (Ok(w), Err(e)) | (Err(e), Ok(w)) => (w, e),
            (a, b) => panic!("round {round}: expected one winner, got {a:?} and {b:?}"),
        };
        assert_conflict::<()>(Err(lost), "stale_version");
        assert_eq!(won.version, cur.version + 1);
        let d = detail(store, c.id).await;
        assert_eq!(d.case, won);
        assert_eq!(d.events.len(), events + 1);
        assert_eq!(audit_count(store).await, audits + 1);
        if won.state.status == CaseStatus::Triage {
            // The return won: put the case back in someone's hands for the next round.
            let again = update(
                &won,
                route_dept(t0.dept(town), &[]),
                Some(clerk.id),
                t(23, 7),
            );
            let again = apply_ok(store, &s, again).await;
            apply_ok(
                store,
                &s,
                update(
                    &again,
                    Action::accept(None).unwrap(),
                    Some(clerk.id),
                    t(23, 7),
                ),
            )
            .await;
        }
    }
    verified_chain(store).await;
}

/// Attachments added later get one `attachment_added` event each and leave the version
/// alone, so an upload never makes a clerk's action stale.
pub async fn add_attachments(store: &dyn Store) {
    let t0 = setup(store).await;
    let town = t0.town(0, 0);
    let clerk = t0.account(town);
    let s = scope_of(town);
    let mut nc = new_case(t0.village(0, 0, 0), town, clerk, "附件", "附件");
    nc.attachments = vec![attachment("初始.png", 10)];
    let c = mk_case(store, &s, nc).await;
    let audits = audit_count(store).await;
    let files = vec![
        attachment("补充材料.pdf", 300),
        attachment("照片2.png", 400),
    ];
    let rows = store
        .add_attachments(
            &s,
            c.id,
            clerk.id,
            t(23, 8),
            files.clone(),
            case_audit("case.attach"),
        )
        .await
        .unwrap();
    assert_eq!(audit_count(store).await, audits + 1);
    assert_eq!(rows.len(), 2);
    for (r, f) in rows.iter().zip(&files) {
        assert_eq!(
            (r.file_name.as_str(), r.content_hash.as_str()),
            (f.file_name.as_str(), f.content_hash.as_str())
        );
        assert_eq!(
            (r.content_type.as_str(), r.size_bytes),
            (f.content_type.as_str(), f.size_bytes)
        );
        assert_eq!((r.uploaded_by, r.uploaded_at), (Some(clerk.id), t(23, 8)));
    }
    let d = detail(store, c.id).await;
    assert_eq!(d.case.version, 1);
    assert_eq!(d.case.state, c.state);
    assert_eq!(d.attachments.len(), 3);
    assert_eq!(&d.attachments[1..], &rows[..]);
    assert_eq!(d.events.len(), 3);
    for (e, r) in d.events[1..].iter().zip(&rows) {
        assert_eq!(e.kind, "attachment_added");
        assert_eq!(
            (e.from_status, e.to_status),
            (CaseStatus::Triage, CaseStatus::Triage)
        );
        assert_eq!(e.note.as_deref(), Some(r.file_name.as_str()));
        assert_eq!((e.actor_id, e.at), (Some(clerk.id), t(23, 8)));
        assert_eq!(e.actor_name.as_deref(), Some(clerk.display_name.as_str()));
        let want = json!({"attachment_id": r.id, "file_name": r.file_name, "content_hash": r.content_hash});
        assert_eq!(e.payload, want);
    }
    assert_eq!(d.events[1].seq, 2);
    assert_eq!(d.events[2].seq, 3);
    assert!(
        store
            .attachment_hash_in_use(&files[0].content_hash)
            .await
            .unwrap()
    );
    // The version the clerk read before the upload is still current.
    let routed = apply_ok(
        store,
        &s,
        update(&c, route_dept(t0.dept(town), &[]), Some(clerk.id), t(23, 9)),
    )
    .await;
    assert_eq!(routed.version, 2);
    assert_eq!(detail(store, c.id).await.events[3].seq, 4);

    // Outside the scope: NotFound, nothing written.
    let before = detail(store, c.id).await;
    let audits = audit_count(store).await;
    let r = store
        .add_attachments(
            &scope_of(t0.town(0, 1)),
            c.id,
            clerk.id,
            t(23, 10),
            files,
            case_audit("case.attach"),
        )
        .await;
    assert_not_found(r);
    assert_eq!(detail(store, c.id).await, before);
    assert_eq!(audit_count(store).await, audits);
    verified_chain(store).await;
}
