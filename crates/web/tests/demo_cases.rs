//! The demo case history: generated into a real store, deterministic from its seed, every
//! event legal for the account that took it (replayed through the state machine), the
//! stored rows equal to the fold of their events, every working status present, parties
//! sealed like the intake seals them, and the audit chain intact.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, TimeZone, Utc};
use common::{TestApp, root};
use zongzhi_core::calendar::WorkCalendar;
use zongzhi_core::case::limits::default_limit;
use zongzhi_core::case::{
    Action, ActorCtx, CaseState, CaseStatus, DeadlineMark, Holder, ProjectEnv, RouteTarget, apply,
};
use zongzhi_core::org::{OrgLevel, path_within};
use zongzhi_core::personal::{IdCardNo, PhoneNo};
use zongzhi_core::role::Role;
use zongzhi_store::{
    Account, Case, CaseDetail, CaseFilter, DepartmentFilter, OrgUnit, OrgUnitFilter,
};
use zongzhi_web::demo_cases::{DemoCaseOptions, generate_cases};

/// Monday 23 November 2026, 14:00 in Shanghai.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 6, 0, 0).unwrap()
}

fn opts(cases: u64) -> DemoCaseOptions {
    DemoCaseOptions {
        cases,
        seed: 7,
        months: 2,
        now: now(),
        batch: 120,
    }
}

async fn all_cases(app: &TestApp) -> Vec<Case> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let f = CaseFilter {
            cursor: cursor.take(),
            limit: Some(200),
            ..CaseFilter::default()
        };
        let page = app.state.store.list_cases(&root(), &f).await.unwrap();
        out.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    out.sort_by(|a, b| a.tracking_no.cmp(&b.tracking_no));
    out
}

/// The jurisdiction, to judge each actor as the web layer does.
struct Tree {
    units: HashMap<i64, OrgUnit>,
    dept_unit: HashMap<i64, i64>,
    accounts: HashMap<i64, Account>,
}

async fn tree(app: &TestApp) -> Tree {
    let s = &app.state.store;
    let f = OrgUnitFilter {
        limit: Some(500),
        ..Default::default()
    };
    let units = s.list_org_units(&root(), &f).await.unwrap().items;
    let f = DepartmentFilter {
        limit: Some(500),
        ..Default::default()
    };
    let depts = s.list_departments(&root(), &f).await.unwrap().items;
    let mut accounts = HashMap::new();
    let mut cursor = None;
    loop {
        let f = zongzhi_store::AccountFilter {
            cursor: cursor.take(),
            limit: Some(500),
            ..Default::default()
        };
        let page = s.list_accounts(&root(), &f).await.unwrap();
        accounts.extend(page.items.into_iter().map(|a| (a.id, a)));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    Tree {
        units: units.into_iter().map(|u| (u.id, u)).collect(),
        dept_unit: depts.into_iter().map(|d| (d.id, d.org_unit_id)).collect(),
        accounts,
    }
}

impl Tree {
    /// The actor as `zongzhi_web::cases` describes them to the state machine.
    fn ctx(&self, actor: Option<i64>, state: &CaseState) -> ActorCtx {
        let Some(a) = actor.map(|id| &self.accounts[&id]) else {
            return ActorCtx::scoped(&[Role::Dispatcher]).with_facts(state.facts);
        };
        let center = &self.units[&state.center_unit_id];
        let in_scope = a.department_id.is_none() && path_within(&center.path, &a.org_path);
        let dept_holds = a
            .department_id
            .is_some_and(|d| state.holder_department_id() == Some(d));
        let unit_holds = state.holder_unit_id() == Some(a.org_unit_id);
        ActorCtx {
            roles: a.roles.clone(),
            in_scope,
            is_holder: dept_holds || unit_holds,
            case: state.facts,
        }
    }

    fn level_of_target(&self, t: &RouteTarget) -> OrgLevel {
        let unit = match t {
            RouteTarget::Department { id, .. } => self.dept_unit[id],
            RouteTarget::OrgUnit { id } => *id,
        };
        self.units[&unit].level
    }
}

/// Replays the stored history through the state machine and the projection; answers the
/// folded state.
fn replay(tree: &Tree, case: &Case, detail: &CaseDetail) -> CaseState {
    let cal = WorkCalendar::builtin();
    let creator = &tree.accounts[&case.created_by.unwrap()];
    let mut st = CaseState::new(creator.org_unit_id);
    let mut last = DateTime::<Utc>::MIN_UTC;
    for e in &detail.events {
        assert!(e.at >= last, "{}: events out of order", case.tracking_no);
        assert!(e.at <= now(), "{}: event after now", case.tracking_no);
        last = e.at;
        if let Some(mark) = DeadlineMark::parse(&e.kind) {
            assert_eq!(
                st.due_mark(e.at),
                Some(mark),
                "{}: {} not due",
                case.tracking_no,
                e.kind
            );
            assert!(e.actor_id.is_none());
            st.mark(mark);
            continue;
        }
        let action: Action = serde_json::from_value(e.payload.clone()).unwrap();
        let ctx = tree.ctx(e.actor_id, &st);
        let tr = apply(st.status, &action, &ctx).unwrap_or_else(|err| {
            panic!(
                "{}: {} by {:?} refused: {err:?}",
                case.tracking_no, e.kind, e.actor_id
            )
        });
        assert_eq!(
            (tr.from, tr.to),
            (e.from_status, e.to_status),
            "{}",
            case.tracking_no
        );
        assert_eq!(tr.kind.as_str(), e.kind);
        let limits = match &action {
            Action::Route { target, .. } => Some(default_limit(
                Some(&case.category_code),
                tree.level_of_target(target),
                case.urgency,
                case.complexity,
                case.channel,
            )),
            _ => None,
        };
        let env = ProjectEnv {
            calendar: &cal,
            limits,
        };
        st.project(&action, tr.to, e.at, env);
    }
    st
}

#[tokio::test]
async fn demo_history_is_legal_complete_and_deterministic() {
    let app = TestApp::new().await;
    let summary = generate_cases(&app.state, &opts(400), |_| {})
        .await
        .unwrap();
    assert_eq!(summary.written, 400);
    assert!(
        summary.staff_created > 50,
        "a handler per department, clerks per center"
    );
    let cases = all_cases(&app).await;
    assert_eq!(cases.len(), 400);

    // Deterministic: another database, same seed and time, same cases.
    let again = TestApp::new().await;
    generate_cases(&again.state, &opts(400), |_| {})
        .await
        .unwrap();
    let key = |cs: &[Case]| -> Vec<(String, String, CaseStatus)> {
        cs.iter()
            .map(|c| (c.tracking_no.clone(), c.title.clone(), c.state.status))
            .collect()
    };
    assert_eq!(key(&cases), key(&all_cases(&again).await));

    // Every working status is there, so every workbench queue has something.
    let mut by_status: BTreeMap<CaseStatus, usize> = BTreeMap::new();
    for c in &cases {
        *by_status.entry(c.state.status).or_default() += 1;
    }
    let overdue = cases.iter().filter(|c| c.state.ever_overdue).count();
    eprintln!("statuses: {by_status:?}, ever overdue: {overdue}");
    for s in CaseStatus::ALL
        .iter()
        .filter(|s| **s != CaseStatus::Registered)
    {
        assert!(by_status.contains_key(s), "no case in {s}: {by_status:?}");
    }
    assert!(
        cases.iter().any(|c| c.state.ever_overdue),
        "some cases ran late"
    );
    assert!(cases.iter().any(|c| c.state.supervision_level.is_some()));
    let rated: Vec<_> = cases.iter().filter_map(|c| c.state.rating).collect();
    let satisfied = rated.iter().filter(|r| r.is_satisfied()).count();
    assert!(
        satisfied * 100 >= rated.len() * 75,
        "满意率 {satisfied}/{}",
        rated.len()
    );
    let merged = cases
        .iter()
        .filter(|c| c.state.master_case_id.is_some())
        .count() as u64;
    assert_eq!(merged, summary.merged);

    // Every event legal for its actor; the stored row is the fold of its events.
    let tree = tree(&app).await;
    for c in &cases {
        let detail = app.state.store.get_case(&root(), c.id).await.unwrap();
        let folded = replay(&tree, c, &detail);
        assert_eq!(
            folded, c.state,
            "{}: stored state differs from its history",
            c.tracking_no
        );
        if let Some(Holder::Department { id, .. }) = &c.state.holder {
            assert!(tree.dept_unit.contains_key(id));
        }
        assert!(!c.title.contains('{') && !c.description.contains('{'));
        // Parties are sealed as the intake seals them.
        for p in &detail.parties {
            if let Some(enc) = &p.id_card_enc {
                let clear = app
                    .state
                    .cipher
                    .decrypt(enc, b"case.party.id_card")
                    .unwrap();
                let id = IdCardNo::parse(&clear).unwrap();
                assert_eq!(p.id_card_masked.as_deref(), Some(id.masked().as_str()));
            }
            if let Some(enc) = &p.phone_enc {
                let clear = app.state.cipher.decrypt(enc, b"case.party.phone").unwrap();
                let phone = PhoneNo::parse(&clear).unwrap();
                assert_eq!(p.phone_masked.as_deref(), Some(phone.masked().as_str()));
            }
        }
    }

    assert!(app.audit_chain_ok().await > 0);
}
