//! The deadline job's side of the store: which cases have a mark due, and writing the mark
//! (with the automatic 督办 of 超期) as one versioned system update.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use zongzhi_core::case::limits::Limit;
use zongzhi_core::case::{
    Action, CaseId, CaseStatus, DeadlineMark, DeadlineState, Outcome, SupervisionLevel,
};

use super::case_fixture::{
    case_audit, case_ids, cases_f, detail, mark_update, mk_case, new_case, route_dept, setup, t,
    then, then_limits,
};
use super::case_writes::race;
use super::{assert_conflict, audit_count, root, scope_of, verified_chain};
use crate::{Case, NewCase, Store};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 2, 0, 0).unwrap()
}

async fn mark(store: &dyn Store, c: &Case, m: DeadlineMark, at: DateTime<Utc>) -> Case {
    let up = mark_update(c.id, c.version, &c.state, m, at);
    store
        .apply_system_event(up, case_audit("case.deadline"))
        .await
        .unwrap()
}

/// Exactly the open cases with a due mark are candidates, soonest due first; writing the
/// marks empties the list, and a replayed or raced mark is a version conflict.
pub async fn candidates_and_marks(store: &dyn Store) {
    let t0 = setup(store).await;
    let town = t0.town(0, 0);
    let clerk = t0.account(town);
    let s = scope_of(town);
    let dept = t0.dept(town);
    let n = now();
    let hours = (Limit::hours(10), Limit::hours(100));
    let base = || new_case(t0.village(0, 0, 0), town, clerk, "时限", "时限");
    let routed = |at| then(base(), route_dept(dept, &[]), at);
    let routed_h = |at| then_limits(base(), route_dept(dept, &[]), at, hours);
    let mk = async |nc: NewCase| mk_case(store, &s, nc).await;

    let overdue_due = mk(routed(t(2, 1))).await;
    let warning_due = mk(routed_h(n - TimeDelta::hours(9))).await;
    let not_yet = mk(routed_h(n - TimeDelta::hours(1))).await;
    let marked = mk(routed(t(2, 1))).await;
    let marked = mark(store, &marked, DeadlineMark::Overdue, t(5, 1)).await;
    let warned = mk(routed_h(n - TimeDelta::hours(8))).await;
    let warned = mark(
        store,
        &warned,
        DeadlineMark::Warning,
        n - TimeDelta::minutes(30),
    )
    .await;
    let warned_late = mk(routed(t(3, 1))).await;
    let warned_late = mark(store, &warned_late, DeadlineMark::Warning, t(4, 14)).await;
    let closed = mk(then(
        base(),
        Action::triage_close(Outcome::Answered, "已当场答复").unwrap(),
        t(2, 1),
    ))
    .await;
    let working = mk(then(
        routed(t(2, 1)),
        Action::accept(None).unwrap(),
        t(2, 2),
    ))
    .await;
    let resolved = then(routed(t(2, 1)), Action::accept(None).unwrap(), t(2, 2));
    let resolved = mk(then(
        resolved,
        Action::resolve(Outcome::Mediated, "已调解").unwrap(),
        t(3, 1),
    ))
    .await;
    let untouched = mk(base()).await;

    assert_eq!(marked.state.deadline_state, DeadlineState::Overdue);
    assert!(
        marked.state.due_at().unwrap() < n,
        "still past its new deadline"
    );
    assert!(warned.state.due_at().unwrap() > n);
    for c in [&closed, &resolved, &untouched] {
        assert_eq!(c.state.due_at(), None);
    }
    let want: Vec<&Case> = vec![&overdue_due, &warned_late, &working, &warning_due];
    let got = store.deadline_candidates(n, 100).await.unwrap();
    let ids = |v: &[&Case]| v.iter().map(|c| c.id).collect::<Vec<CaseId>>();
    assert_eq!(
        got.iter().map(|c| c.case_id).collect::<Vec<_>>(),
        ids(&want)
    );
    for (g, c) in got.iter().zip(&want) {
        assert_eq!((g.version, &g.state), (c.version, &c.state));
    }
    let two = store.deadline_candidates(n, 2).await.unwrap();
    assert_eq!(
        two.iter().map(|c| c.case_id).collect::<Vec<_>>(),
        ids(&want[..2])
    );
    assert!(
        store
            .deadline_candidates(t(1, 0), 100)
            .await
            .unwrap()
            .is_empty()
    );

    for cand in &got {
        let m = cand.state.due_mark(n).unwrap();
        let expect = if cand.case_id == warning_due.id {
            DeadlineMark::Warning
        } else {
            DeadlineMark::Overdue
        };
        assert_eq!(m, expect);
        let before = detail(store, cand.case_id).await;
        let audits = audit_count(store).await;
        let up = mark_update(cand.case_id, cand.version, &cand.state, m, n);
        let written = store
            .apply_system_event(up.clone(), case_audit("case.deadline"))
            .await
            .unwrap();
        assert_eq!(written.version, cand.version + 1);
        assert_eq!(written.state, up.state);
        assert_eq!(written.updated_at, n);
        assert_eq!(audit_count(store).await, audits + 1);
        let after = detail(store, cand.case_id).await;
        assert_eq!(after.case, written);
        let new_events = &after.events[before.events.len()..];
        let kinds: Vec<_> = new_events.iter().map(|e| e.kind.as_str()).collect();
        if m == DeadlineMark::Overdue {
            assert_eq!(kinds, ["deadline_overdue", "supervise"]);
            assert_eq!(written.state.deadline_state, DeadlineState::Overdue);
            assert!(written.state.ever_overdue);
            assert_eq!(
                written.state.supervision_level,
                Some(SupervisionLevel::General)
            );
        } else {
            assert_eq!(kinds, ["deadline_warning"]);
            assert_eq!(written.state.deadline_state, DeadlineState::Warning);
            assert!(!written.state.ever_overdue);
        }
        for (i, e) in new_events.iter().enumerate() {
            assert_eq!(e.seq, before.events.len() as i64 + 1 + i as i64);
            assert_eq!((e.actor_id, e.actor_name.as_ref(), e.at), (None, None, n));
            assert_eq!(e.from_status, cand.state.status);
            assert_eq!(e.to_status, cand.state.status);
        }
        // The job running again (or on another instance) with the same version: no-op.
        let audits = audit_count(store).await;
        assert_conflict(
            store
                .apply_system_event(up, case_audit("case.deadline"))
                .await,
            "stale_version",
        );
        assert_eq!(detail(store, cand.case_id).await, after);
        assert_eq!(audit_count(store).await, audits);
    }
    assert!(store.deadline_candidates(n, 100).await.unwrap().is_empty());
    let f = cases_f(|f| f.deadline_state = Some(DeadlineState::Overdue));
    let overdue = case_ids(store, &root(), &f).await;
    let want_overdue = [overdue_due.id, warned_late.id, working.id, marked.id];
    assert_eq!(overdue, want_overdue.into_iter().collect());
    assert_eq!(
        detail(store, closed.id).await.case.state.status,
        CaseStatus::Closed
    );

    // Two instances race for the same mark: exactly one writes it.
    let later = n + TimeDelta::hours(3);
    let got = store.deadline_candidates(later, 100).await.unwrap();
    let ids: Vec<_> = got.iter().map(|c| c.case_id).collect();
    assert_eq!(ids, [warning_due.id, warned.id], "not {}", not_yet.id);
    let cand = &got[0];
    let up = mark_update(
        cand.case_id,
        cand.version,
        &cand.state,
        DeadlineMark::Overdue,
        later,
    );
    let audits = audit_count(store).await;
    let events = detail(store, cand.case_id).await.events.len();
    let job = |u| async move {
        store
            .apply_system_event(u, case_audit("case.deadline"))
            .await
    };
    let (a, b) = race(job(up.clone()), job(up)).await;
    match (a, b) {
        (Ok(_), e @ Err(_)) | (e @ Err(_), Ok(_)) => assert_conflict(e, "stale_version"),
        (a, b) => panic!("expected one winner, got {a:?} and {b:?}"),
    }
    assert_eq!(audit_count(store).await, audits + 1);
    assert_eq!(detail(store, cand.case_id).await.events.len(), events + 2);
    verified_chain(store).await;
}
