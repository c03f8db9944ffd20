//! Building valid cases for the case tests: states are folded with the domain core's state
//! machine and projection (`apply` + `CaseState::project`), and search terms come from the
//! shared segmenter, so the rows are what the real service would write.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use serde_json::json;
use zongzhi_core::account::AccountId;
use zongzhi_core::calendar::{LimitUnit, WorkCalendar};
use zongzhi_core::case::limits::Limit;
use zongzhi_core::case::{
    Action, ActorCtx, CaseId, CaseState, Channel, Complexity, DeadlineMark, PartyRole, ProjectEnv,
    RouteTarget, SupervisionLevel, Urgency, apply,
};
use zongzhi_core::role::{Role, Scope};
use zongzhi_intel::Segmenter;

use super::{Tree, audit, root, seed_tree};
use crate::{
    Account, Case, CaseDetail, CaseFilter, CaseUpdate, CategorySeedRow, Department, NewAttachment,
    NewCase, NewCaseEvent, NewParty, OrgUnit, Store,
};

/// Every role that acts on a case, so the machine allows whatever the test needs.
const ROLES: &[Role] = &[Role::Intake, Role::Dispatcher, Role::Handler, Role::Leader];

/// The tracking date of most test cases (a Monday).
pub fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

/// `2026-11-d hh:00:00Z`.
pub fn t(d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap()
}

/// The builtin working calendar (loaded once).
pub fn calendar() -> &'static WorkCalendar {
    static CAL: OnceLock<WorkCalendar> = OnceLock::new();
    CAL.get_or_init(WorkCalendar::builtin)
}

/// Seeds the org tree of [`seed_tree`] and the core category table.
pub async fn setup(store: &dyn Store) -> Tree {
    let tree = seed_tree(store).await;
    store
        .seed_categories_if_empty(&CategorySeedRow::core_seed(), audit("category.seed"))
        .await
        .unwrap();
    tree
}

/// The scope of a department handler working in `dept`.
pub fn dept_scope(tree: &Tree, dept: &Department) -> Scope {
    let unit = tree
        .all_units()
        .into_iter()
        .find(|u| u.id == dept.org_unit_id)
        .unwrap();
    Scope {
        org_unit_id: unit.id,
        org_path: unit.path.clone(),
        department_id: Some(dept.id),
    }
}

/// Segmented search text of a case's title, description and address.
pub fn terms(nc: &NewCase) -> String {
    let addr = nc.address.clone().unwrap_or_default();
    Segmenter::shared().index_text(&[&nc.title, &nc.description, &addr])
}

/// Recomputes the search terms after changing the text of `nc`.
pub fn reindex(nc: &mut NewCase) {
    nc.search_terms = terms(nc);
}

/// Applies `action` to `state` at `at` (the machine must allow it) and returns its event.
/// `limits` are the route's (accept, finish) limits (default 1 and 5 working days).
pub fn step(
    state: &mut CaseState,
    action: Action,
    actor: Option<AccountId>,
    at: DateTime<Utc>,
    limits: Option<(Limit, Limit)>,
) -> NewCaseEvent {
    let mut ctx = ActorCtx::scoped(ROLES).with_facts(state.facts);
    ctx.is_holder = true;
    let tr = match apply(state.status, &action, &ctx) {
        Ok(tr) => tr,
        Err(e) => panic!(
            "machine refused {:?} in {:?}: {e:?}",
            action.kind(),
            state.status
        ),
    };
    let env = ProjectEnv {
        calendar: calendar(),
        limits: Some(limits.unwrap_or((Limit::working_days(1), Limit::working_days(5)))),
    };
    state.project(&action, tr.to, at, env);
    NewCaseEvent {
        actor_id: actor,
        at,
        from_status: tr.from,
        to_status: tr.to,
        kind: tr.kind.as_str().to_owned(),
        note: action.note().map(|n| n.as_str().to_owned()),
        payload: serde_json::to_value(&action).unwrap(),
    }
}

/// A registered case (status 待分流) located at `loc`, responsible center `center`, created
/// by `creator` at `t(23, 1)`, category `D01-01`, with the text given.
pub fn new_case(
    loc: &OrgUnit,
    center: &OrgUnit,
    creator: &Account,
    title: &str,
    description: &str,
) -> NewCase {
    let reported_at = t(23, 1);
    // Registered a minute after the report: `created_at` is the registration time.
    let registered_at = reported_at + TimeDelta::minutes(1);
    let mut state = CaseState::new(center.id);
    let ev = step(
        &mut state,
        Action::register(Channel::WalkIn),
        Some(creator.id),
        registered_at,
        None,
    );
    let mut nc = NewCase {
        tracking_date: day(),
        channel: Channel::WalkIn,
        category_code: "D01-01".to_owned(),
        urgency: Urgency::Normal,
        complexity: Complexity::Simple,
        title: title.to_owned(),
        description: description.to_owned(),
        occurred_at: None,
        reported_at,
        address: None,
        org_unit_id: loc.id,
        lat: None,
        lng: None,
        people_involved: None,
        amount_fen: None,
        parties: Vec::new(),
        attachments: Vec::new(),
        search_terms: String::new(),
        created_by: Some(creator.id),
        created_at: registered_at,
        idempotency_key: None,
        events: vec![ev],
        state,
    };
    reindex(&mut nc);
    nc
}

/// `nc` (just made by [`new_case`]) registered from `channel` instead.
pub fn with_channel(mut nc: NewCase, channel: Channel) -> NewCase {
    assert_eq!(nc.events.len(), 1, "set the channel before adding events");
    let mut state = CaseState::new(nc.state.center_unit_id);
    let ev = step(
        &mut state,
        Action::register(channel),
        nc.created_by,
        nc.created_at,
        None,
    );
    nc.channel = channel;
    nc.events = vec![ev];
    nc.state = state;
    nc
}

/// Appends `action` by the creator at `at` to the first events of `nc`.
pub fn then(mut nc: NewCase, action: Action, at: DateTime<Utc>) -> NewCase {
    let ev = step(&mut nc.state, action, nc.created_by, at, None);
    nc.events.push(ev);
    nc
}

/// Like [`then`] with explicit route limits.
pub fn then_limits(
    mut nc: NewCase,
    action: Action,
    at: DateTime<Utc>,
    limits: (Limit, Limit),
) -> NewCase {
    let ev = step(&mut nc.state, action, nc.created_by, at, Some(limits));
    nc.events.push(ev);
    nc
}

/// The update applying `action` by `actor` at `at` to `case` as last read.
pub fn update(
    case: &Case,
    action: Action,
    actor: Option<AccountId>,
    at: DateTime<Utc>,
) -> CaseUpdate {
    update_limits(case, action, actor, at, None)
}

/// Like [`update`] with explicit route limits.
pub fn update_limits(
    case: &Case,
    action: Action,
    actor: Option<AccountId>,
    at: DateTime<Utc>,
    limits: Option<(Limit, Limit)>,
) -> CaseUpdate {
    let mut state = case.state.clone();
    let ev = step(&mut state, action, actor, at, limits);
    CaseUpdate {
        case_id: case.id,
        expected_version: case.version,
        events: vec![ev],
        state,
    }
}

/// What the deadline job writes for `mark` on a case with `state` and `version` at `now`:
/// the mark, and for 超期 an automatic 一般督办 with a deadline one working day later.
pub fn mark_update(
    case_id: CaseId,
    version: i64,
    state: &CaseState,
    mark: DeadlineMark,
    now: DateTime<Utc>,
) -> CaseUpdate {
    let mut state = state.clone();
    let status = state.status;
    state.mark(mark);
    let mut events = vec![NewCaseEvent {
        actor_id: None,
        at: now,
        from_status: status,
        to_status: status,
        kind: mark.as_str().to_owned(),
        note: None,
        payload: json!({ "due_at": state.due_at() }),
    }];
    if mark == DeadlineMark::Overdue {
        let new_deadline = calendar().deadline(now, 1, LimitUnit::WorkingDays);
        let action =
            Action::supervise(SupervisionLevel::General, "超期自动督办", new_deadline, now)
                .unwrap();
        events.push(step(&mut state, action, None, now, None));
    }
    CaseUpdate {
        case_id,
        expected_version: version,
        events,
        state,
    }
}

/// A route to `dept` as lead with co-handlers.
pub fn route_dept(dept: &Department, co: &[&Department]) -> Action {
    let target = RouteTarget::department(dept.id, co.iter().map(|d| d.id).collect()).unwrap();
    Action::route(target, Some("请依职责办理")).unwrap()
}

/// A route to the lower-tier center `unit`.
pub fn route_unit(unit: &OrgUnit) -> Action {
    Action::route(RouteTarget::org_unit(unit.id).unwrap(), None).unwrap()
}

/// A party; `id_card` / `phone` are the blind indexes (ciphertext and mask derive from them).
pub fn party(role: PartyRole, name: &str, id_card: Option<&str>, phone: Option<&str>) -> NewParty {
    NewParty {
        role,
        name: name.to_owned(),
        id_card: id_card.map(|i| {
            (
                format!("enc:{i}"),
                i.to_owned(),
                "110***********1234".to_owned(),
            )
        }),
        phone: phone.map(|p| (format!("enc:{p}"), p.to_owned(), "138****5678".to_owned())),
    }
}

/// An attachment whose (fake) content hash derives from `name`.
pub fn attachment(name: &str, size: i64) -> NewAttachment {
    let mut hash: String = name.bytes().map(|b| format!("{b:02x}")).collect();
    hash.truncate(64);
    while hash.len() < 64 {
        hash.push('0');
    }
    NewAttachment {
        content_hash: hash,
        file_name: name.to_owned(),
        content_type: if name.ends_with(".pdf") {
            "application/pdf".to_owned()
        } else {
            "image/png".to_owned()
        },
        size_bytes: size,
    }
}

/// The audit entry of a case write.
pub fn case_audit(action: &str) -> zongzhi_core::audit::NewAuditEntry {
    zongzhi_core::audit::NewAuditEntry::new(
        action,
        "case",
        zongzhi_core::audit::AuditOutcome::Success,
    )
    .by(Some(1), "tester")
}

/// Creates `nc` with `scope` (must succeed and not be a replay).
pub async fn mk_case(store: &dyn Store, scope: &Scope, nc: NewCase) -> Case {
    let created = store
        .create_case(scope, nc, case_audit("case.create"))
        .await
        .unwrap();
    assert!(!created.replayed);
    created.case
}

/// Applies `up` with `scope` (must succeed).
pub async fn apply_ok(store: &dyn Store, scope: &Scope, up: CaseUpdate) -> Case {
    store
        .apply_case_event(scope, up, case_audit("case.action"))
        .await
        .unwrap()
}

/// The case as the root scope sees it.
pub async fn detail(store: &dyn Store, id: CaseId) -> CaseDetail {
    store.get_case(&root(), id).await.unwrap()
}

/// Every case, for the root scope.
pub async fn case_count(store: &dyn Store) -> i64 {
    store
        .count_cases(&root(), &CaseFilter::default())
        .await
        .unwrap()
}

/// A filter with room for every test case.
pub fn cases_f(g: impl FnOnce(&mut CaseFilter)) -> CaseFilter {
    let mut f = CaseFilter {
        limit: Some(500),
        ..CaseFilter::default()
    };
    g(&mut f);
    f
}

/// Ids listed for `f` (one page), checking that the count agrees.
pub async fn case_ids(store: &dyn Store, s: &Scope, f: &CaseFilter) -> BTreeSet<CaseId> {
    let page = store.list_cases(s, f).await.unwrap();
    let n = store.count_cases(s, f).await.unwrap();
    assert_eq!(
        n,
        page.items.len() as i64,
        "count agrees with list for {f:?}"
    );
    assert!(page.next_cursor.is_none(), "one page for {f:?}");
    page.items.iter().map(|c| c.id).collect()
}

/// Reads every page of `f` (following cursors) and returns the ids in order.
pub async fn walk(store: &dyn Store, s: &Scope, f: &CaseFilter) -> Vec<CaseId> {
    let mut f = f.clone();
    let mut out = Vec::new();
    for _ in 0..1000 {
        let page = store.list_cases(s, &f).await.unwrap();
        assert!(page.items.len() as i64 <= crate::page_limit(f.limit));
        out.extend(page.items.iter().map(|c| c.id));
        match page.next_cursor {
            Some(c) => f.cursor = Some(c),
            None => return out,
        }
    }
    panic!("pagination does not end");
}
