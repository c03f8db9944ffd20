//! Who sees which case: by location, responsible center and holding center for org scopes,
//! by `case_departments` for a department handler — in every read, count, list and write.

use std::collections::BTreeSet;

use zongzhi_core::case::{Action, CaseId, PartyRole};
use zongzhi_core::role::Scope;

use super::case_fixture::{
    apply_ok, attachment, case_audit, case_count, case_ids, cases_f, dept_scope, detail, mk_case,
    new_case, party, route_dept, route_unit, setup, t, update,
};
use super::{assert_invalid_ref, assert_not_found, audit_count, root, scope_of, verified_chain};
use crate::{Case, Store};

/// `nc` with two parties named after its title, so reads of parties have something to see.
fn peopled(mut nc: crate::NewCase) -> crate::NewCase {
    nc.parties = vec![
        party(
            PartyRole::Applicant,
            &format!("{}甲", nc.title),
            None,
            Some("13800000001"),
        ),
        party(
            PartyRole::Respondent,
            &format!("{}乙", nc.title),
            None,
            None,
        ),
    ];
    nc
}

/// Checks that `s` sees exactly `visible` among `all` through get, list and count, and that
/// it can neither act on nor attach to the others (writing nothing).
async fn sees(store: &dyn Store, s: &Scope, all: &[&Case], visible: &[CaseId], who: &str) {
    let want: BTreeSet<CaseId> = visible.iter().copied().collect();
    let listed = case_ids(store, s, &cases_f(|_| {})).await;
    let known: BTreeSet<CaseId> = all.iter().map(|c| c.id).collect();
    let got: BTreeSet<CaseId> = listed.intersection(&known).copied().collect();
    assert_eq!(got, want, "{who} lists");
    // The batch read of parties (ledgers) sees the same cases, with the same parties.
    let ids: Vec<CaseId> = all.iter().map(|c| c.id).collect();
    let parties = store.case_parties(s, &ids).await.unwrap();
    let with_parties: BTreeSet<CaseId> = parties.keys().copied().collect();
    for c in all {
        if want.contains(&c.id) {
            let d = detail(store, c.id).await;
            assert_eq!(
                parties.get(&c.id).cloned().unwrap_or_default(),
                d.parties,
                "{who}: parties of {}",
                c.title
            );
        }
    }
    assert!(
        with_parties.is_subset(&want),
        "{who} reads parties out of scope"
    );
    for c in all {
        let r = store.get_case(s, c.id).await;
        if want.contains(&c.id) {
            assert_eq!(r.unwrap().case.id, c.id, "{who} reads {}", c.title);
            continue;
        }
        assert_not_found(r);
        let before = detail(store, c.id).await;
        let audits = audit_count(store).await;
        let progress = Action::progress("越权操作").unwrap();
        let cur = before.case.clone();
        let up = if cur.state.status == zongzhi_core::case::CaseStatus::InProgress {
            update(&cur, progress, Some(1), t(24, 1))
        } else {
            update(
                &cur,
                Action::urge("越权催办", t(30, 1), t(24, 1)).unwrap(),
                Some(1),
                t(24, 1),
            )
        };
        assert_not_found(
            store
                .apply_case_event(s, up, case_audit("case.action"))
                .await,
        );
        let files = vec![attachment("越权.png", 1)];
        let r = store
            .add_attachments(s, c.id, 1, t(24, 1), files, case_audit("case.attach"))
            .await;
        assert_not_found(r);
        assert_eq!(
            detail(store, c.id).await,
            before,
            "{who} wrote to {}",
            c.title
        );
        assert_eq!(audit_count(store).await, audits);
    }
}

/// A village sees its own village's cases only, its sibling none of them, the town both,
/// the county everything below it, the other county nothing; creating outside the scope is
/// refused.
pub async fn org_scopes(store: &dyn Store) {
    let t0 = setup(store).await;
    let town = t0.town(0, 0);
    let clerk = t0.account(town);
    let ts = scope_of(town);
    let v0 = t0.village(0, 0, 0);
    let v1 = t0.village(0, 0, 1);
    let a = mk_case(
        store,
        &ts,
        peopled(new_case(v0, town, clerk, "甲村一", "甲村")),
    )
    .await;
    let b = mk_case(
        store,
        &ts,
        peopled(new_case(v0, town, clerk, "甲村二", "甲村")),
    )
    .await;
    let c = mk_case(
        store,
        &ts,
        peopled(new_case(v1, town, clerk, "乙村", "乙村")),
    )
    .await;
    let sib = t0.town(0, 1);
    let d = mk_case(
        store,
        &scope_of(sib),
        peopled(new_case(
            t0.village(0, 1, 0),
            sib,
            t0.account(sib),
            "他镇",
            "他镇",
        )),
    )
    .await;
    let all = [&a, &b, &c, &d];
    sees(store, &scope_of(v0), &all, &[a.id, b.id], "village 0").await;
    sees(
        store,
        &scope_of(t0.grid(0, 0, 0)),
        &all,
        &[],
        "grid of village 0",
    )
    .await;
    sees(store, &scope_of(v1), &all, &[c.id], "village 1").await;
    sees(store, &ts, &all, &[a.id, b.id, c.id], "town").await;
    sees(store, &scope_of(sib), &all, &[d.id], "sibling town").await;
    sees(
        store,
        &scope_of(t0.county(0)),
        &all,
        &[a.id, b.id, c.id, d.id],
        "county",
    )
    .await;
    sees(store, &scope_of(t0.county(1)), &all, &[], "other county").await;
    sees(store, &root(), &all, &[a.id, b.id, c.id, d.id], "root").await;
    assert_eq!(
        store
            .count_cases(&scope_of(v1), &cases_f(|_| {}))
            .await
            .unwrap(),
        1
    );

    let cases = case_count(store).await;
    let audits = audit_count(store).await;
    let nc = new_case(t0.village(0, 1, 0), town, clerk, "越界登记", "越界");
    assert_invalid_ref(
        store.create_case(&ts, nc, case_audit("case.create")).await,
        "org_unit_id",
    );
    let nc = new_case(t0.village(0, 0, 0), town, clerk, "越界登记", "越界");
    let r = store
        .create_case(&scope_of(v1), nc, case_audit("case.create"))
        .await;
    assert_invalid_ref(r, "org_unit_id");
    assert_eq!(case_count(store).await, cases);
    assert_eq!(audit_count(store).await, audits);
    verified_chain(store).await;
}

/// A department handler sees exactly the cases its department leads or co-handles, or
/// has held before — not the other cases of its own unit.
pub async fn department_scope(store: &dyn Store) {
    let t0 = setup(store).await;
    let town = t0.town(0, 0);
    let clerk = t0.account(town);
    let ts = scope_of(town);
    let v0 = t0.village(0, 0, 0);
    let police = t0.dept(t0.county(1));
    let sib_dept = t0.dept(t0.town(0, 1));
    let own_dept = t0.dept(v0);
    let a = mk_case(
        store,
        &ts,
        peopled(new_case(v0, town, clerk, "主办后改派", "甲")),
    )
    .await;
    let b = mk_case(store, &ts, peopled(new_case(v0, town, clerk, "协办", "乙"))).await;
    let c = mk_case(
        store,
        &ts,
        peopled(new_case(v0, town, clerk, "未交办", "丙")),
    )
    .await;
    let sib = t0.town(0, 1);
    let d = mk_case(
        store,
        &scope_of(sib),
        peopled(new_case(
            t0.village(0, 1, 0),
            sib,
            t0.account(sib),
            "他镇本地",
            "丁",
        )),
    )
    .await;
    let c1 = t0.county(1);
    let e = mk_case(
        store,
        &scope_of(c1),
        peopled(new_case(
            t0.village(1, 0, 0),
            c1,
            t0.account(c1),
            "他县本地",
            "戊",
        )),
    )
    .await;
    let a = apply_ok(
        store,
        &ts,
        update(
            &a,
            route_dept(police, &[sib_dept]),
            Some(clerk.id),
            t(23, 2),
        ),
    )
    .await;
    let b = apply_ok(
        store,
        &ts,
        update(
            &b,
            route_dept(sib_dept, &[police]),
            Some(clerk.id),
            t(23, 2),
        ),
    )
    .await;
    let all = [&a, &b, &c, &d, &e];
    let ps = dept_scope(&t0, police);
    let ss = dept_scope(&t0, sib_dept);
    sees(store, &ps, &all, &[a.id, b.id], "police").await;
    sees(store, &ss, &all, &[a.id, b.id], "sibling town's department").await;
    sees(
        store,
        &dept_scope(&t0, own_dept),
        &all,
        &[],
        "village department",
    )
    .await;
    let led = case_ids(
        store,
        &root(),
        &cases_f(|f| f.department_id = Some(police.id)),
    )
    .await;
    assert_eq!(led, BTreeSet::from([a.id, b.id]));

    // The police department acts as holder: its scope may write.
    let accepted = apply_ok(
        store,
        &ps,
        update(&a, Action::accept(None).unwrap(), Some(1), t(23, 3)),
    )
    .await;
    let d_a = store.get_case(&ps, a.id).await.unwrap();
    assert_eq!(d_a.case, accepted);
    let names: Vec<_> = d_a.co_handlers.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(names, [sib_dept.name.as_str()]);
    let returned = apply_ok(
        store,
        &ps,
        update(
            &accepted,
            Action::escalate(t0.county(0).id, "需县级协调").unwrap(),
            Some(1),
            t(23, 4),
        ),
    )
    .await;
    // The case moved on to the village department; the police still see it (history),
    // but it is no longer "led or co-handled now" by them.
    let county = scope_of(t0.county(0));
    apply_ok(
        store,
        &county,
        update(
            &returned,
            route_dept(own_dept, &[]),
            Some(clerk.id),
            t(23, 5),
        ),
    )
    .await;
    let now_f = |id| cases_f(move |f| f.department_id = Some(id));
    assert_eq!(
        case_ids(store, &root(), &now_f(police.id)).await,
        BTreeSet::from([b.id])
    );
    assert_eq!(
        case_ids(store, &root(), &now_f(own_dept.id)).await,
        BTreeSet::from([a.id])
    );
    assert_eq!(
        case_ids(store, &root(), &now_f(sib_dept.id)).await,
        BTreeSet::from([b.id])
    );
    sees(
        store,
        &ps,
        &all,
        &[a.id, b.id],
        "police after the case moved on",
    )
    .await;
    sees(store, &ss, &all, &[a.id, b.id], "former co-handler").await;
    sees(store, &dept_scope(&t0, own_dept), &all, &[a.id], "new lead").await;
    let d_a = store.get_case(&ps, a.id).await.unwrap();
    assert!(d_a.co_handlers.is_empty());
    assert_eq!(
        d_a.case.holder_department_name.as_deref(),
        Some(own_dept.name.as_str())
    );
    verified_chain(store).await;
}

/// A case held by a lower-tier center (routed to it) or sent down to it is visible to that
/// center, which does not contain its location.
pub async fn lower_center_scope(store: &dyn Store) {
    let t0 = setup(store).await;
    let county = t0.county(0);
    let cs = scope_of(county);
    let clerk = t0.account(county);
    let v0 = t0.village(0, 0, 0);
    let other_town = t0.town(0, 1);
    let os = scope_of(other_town);
    let c = mk_case(store, &cs, new_case(v0, county, clerk, "县级受理", "县级")).await;
    let all = [&c];
    sees(store, &os, &all, &[], "other town before").await;

    let held = apply_ok(
        store,
        &cs,
        update(&c, route_unit(other_town), Some(clerk.id), t(23, 2)),
    )
    .await;
    assert_eq!(held.state.holder_unit_id(), Some(other_town.id));
    assert_eq!(
        held.holder_unit_name.as_deref(),
        Some(other_town.name.as_str())
    );
    sees(store, &os, &all, &[c.id], "holding town").await;
    sees(
        store,
        &scope_of(t0.village(0, 1, 0)),
        &all,
        &[],
        "village below the holder",
    )
    .await;
    let f = cases_f(|f| f.holder_unit_id = Some(other_town.id));
    assert_eq!(case_ids(store, &os, &f).await, BTreeSet::from([c.id]));
    let f = cases_f(|f| f.holder_unit_id = Some(t0.town(0, 0).id));
    assert!(case_ids(store, &root(), &f).await.is_empty());
    // The holding center acts on it.
    let accepted = apply_ok(
        store,
        &os,
        update(&held, Action::accept(None).unwrap(), Some(1), t(23, 3)),
    )
    .await;
    let back = apply_ok(
        store,
        &os,
        update(
            &accepted,
            Action::escalate(county.id, "非本级职责").unwrap(),
            Some(1),
            t(23, 4),
        ),
    )
    .await;
    assert_eq!(back.state.holder, None);
    sees(store, &os, &all, &[], "town after handing back").await;

    let sent = apply_ok(
        store,
        &cs,
        update(
            &back,
            Action::send_down(other_town.id, None).unwrap(),
            Some(clerk.id),
            t(23, 5),
        ),
    )
    .await;
    assert_eq!(sent.state.center_unit_id, other_town.id);
    assert_eq!(sent.center_unit_name, other_town.name);
    sees(store, &os, &all, &[c.id], "town after send down").await;
    let f = cases_f(|f| f.center_unit_id = Some(other_town.id));
    assert_eq!(case_ids(store, &os, &f).await, BTreeSet::from([c.id]));
    let f = cases_f(|f| f.center_unit_id = Some(county.id));
    assert!(case_ids(store, &cs, &f).await.is_empty());
    sees(
        store,
        &scope_of(t0.town(0, 0)),
        &all,
        &[c.id],
        "town of the location",
    )
    .await;
    sees(store, &scope_of(t0.county(1)), &all, &[], "other county").await;
    verified_chain(store).await;
}
