//! Listing cases: every filter of `CaseFilter`, the three sorts with keyset pagination
//! walking all pages, and the page-size clamp.

use std::collections::BTreeSet;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use zongzhi_core::case::limits::Limit;
use zongzhi_core::case::{
    Action, CaseId, CaseStatus, Channel, DeadlineMark, DeadlineState, PartyRole, SupervisionLevel,
};

use super::case_fixture::{
    case_audit, case_ids, cases_f, mark_update, mk_case, new_case, party, reindex, route_dept,
    route_unit, setup, then, then_limits, walk, with_channel,
};
use super::{Tree, root, scope_of, verified_chain};
use crate::{Case, CaseFilter, CaseSort, Store};

fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap()
}

/// When the routed cases of [`seed_cases`] were routed.
fn routed_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 30, 0, 0, 0).unwrap()
}

/// 23 varied cases in county 0 (see the code for the pattern), some marked and supervised.
async fn seed_cases(store: &dyn Store, t0: &Tree) -> Vec<Case> {
    let county = t0.county(0);
    let cs = scope_of(county);
    let clerk = t0.account(county);
    let villages = [
        t0.village(0, 0, 0),
        t0.village(0, 0, 1),
        t0.village(0, 1, 0),
        t0.village(0, 1, 1),
    ];
    let channels = [Channel::WalkIn, Channel::Phone, Channel::Hotline12345];
    let cats = ["D12-01", "D12-03", "D12", "D01-01", "Q01"];
    let r = routed_at();
    let mut out = Vec::new();
    for i in 0..23_usize {
        let loc = villages[i % 4];
        let town = t0
            .all_units()
            .into_iter()
            .find(|u| Some(u.id) == loc.parent_id)
            .unwrap();
        let mut nc = new_case(
            loc,
            town,
            clerk,
            &format!("事件{i}"),
            &format!("一般情况说明{i}"),
        );
        let reported = base() + TimeDelta::days(i as i64);
        nc.reported_at = reported;
        nc.events[0].at = reported;
        nc.created_at = reported;
        nc = with_channel(nc, channels[i % 3]);
        nc.category_code = cats[i % 5].to_owned();
        if i == 11 {
            nc.description = "化粪池堵塞外溢".to_owned();
        }
        reindex(&mut nc);
        let limits = (
            Limit::hours(10 * (1 + i as u32 % 2)),
            Limit::working_days(5),
        );
        if i % 3 == 0 {
            nc = then_limits(nc, route_dept(t0.dept(town), &[]), r, limits);
        } else if i % 5 == 2 {
            nc = then_limits(nc, route_unit(loc), r, limits);
        }
        if i % 6 == 0 {
            nc = then(nc, Action::accept(None).unwrap(), r + TimeDelta::hours(1));
        }
        if i % 4 == 1 {
            let level = if i % 8 == 1 {
                SupervisionLevel::Key
            } else {
                SupervisionLevel::General
            };
            let at = r + TimeDelta::hours(2);
            let a = Action::supervise(level, "限期办理", at + TimeDelta::hours(48), at).unwrap();
            nc = then(nc, a, at);
        }
        match i {
            7 => nc.parties = vec![party(PartyRole::Applicant, "王五", Some("card-7"), None)],
            8 | 9 => {
                nc.parties = vec![
                    party(PartyRole::Reporter, "赵六", None, Some("phone-89")),
                    party(
                        PartyRole::Respondent,
                        "钱七",
                        Some(&format!("card-x{i}")),
                        None,
                    ),
                ]
            }
            _ => {}
        }
        out.push(mk_case(store, &cs, nc).await);
    }
    let now = r + TimeDelta::days(30);
    for (i, mark) in [(3, DeadlineMark::Overdue), (6, DeadlineMark::Warning)] {
        let c = &out[i];
        let up = mark_update(c.id, c.version, &c.state, mark, now);
        out[i] = store
            .apply_system_event(up, case_audit("case.deadline"))
            .await
            .unwrap();
    }
    out
}

fn set(cases: &[Case], keep: impl Fn(&Case) -> bool) -> BTreeSet<CaseId> {
    cases.iter().filter(|c| keep(c)).map(|c| c.id).collect()
}

/// Every filter, alone and combined, against the same predicate evaluated here.
pub async fn filters(store: &dyn Store) {
    let t0 = setup(store).await;
    let all = seed_cases(store, &t0).await;
    let n = all.len();
    let check = async |f: CaseFilter, keep: &dyn Fn(&Case) -> bool, what: &str| {
        let want = set(&all, keep);
        assert!(
            !want.is_empty() && want.len() < n,
            "{what}: a filter that tells cases apart"
        );
        assert_eq!(case_ids(store, &root(), &f).await, want, "{what}");
    };
    let st = |s: &[CaseStatus]| {
        let s = s.to_vec();
        cases_f(move |f| f.statuses = s)
    };
    check(
        st(&[CaseStatus::Triage]),
        &|c| c.state.status == CaseStatus::Triage,
        "triage",
    )
    .await;
    check(
        st(&[CaseStatus::Assigned, CaseStatus::InProgress]),
        &|c| {
            matches!(
                c.state.status,
                CaseStatus::Assigned | CaseStatus::InProgress
            )
        },
        "assigned or in progress",
    )
    .await;
    let cat = |c: &str| {
        let c = c.to_owned();
        cases_f(move |f| f.category = Some(c))
    };
    check(
        cat("D12"),
        &|c| c.category_code.starts_with("D12"),
        "first level",
    )
    .await;
    check(
        cat("D12-03"),
        &|c| c.category_code == "D12-03",
        "second level",
    )
    .await;
    check(cat("Q01"), &|c| c.category_code == "Q01", "childless").await;
    assert!(
        case_ids(store, &root(), &cat("D1")).await.is_empty(),
        "no prefix match"
    );
    assert!(
        case_ids(store, &root(), &cat("D12-0")).await.is_empty(),
        "no prefix match"
    );
    let f = cases_f(|f| f.channel = Some(Channel::Phone));
    check(f, &|c| c.channel == Channel::Phone, "channel").await;
    let town = t0.town(0, 0);
    let f = cases_f(|f| f.under = Some(town.id));
    check(f, &|c| c.org_path.starts_with(&town.path), "under town").await;
    let v = t0.village(0, 1, 1);
    let f = cases_f(|f| f.under = Some(v.id));
    check(f, &|c| c.org_unit_id == v.id, "under village").await;
    for u in [t0.town(1, 0).id, 999_999] {
        assert!(
            case_ids(store, &root(), &cases_f(|f| f.under = Some(u)))
                .await
                .is_empty()
        );
    }
    let dept = t0.dept(town).id;
    let f = cases_f(|f| f.department_id = Some(dept));
    check(
        f,
        &|c| c.state.holder_department_id() == Some(dept),
        "department",
    )
    .await;
    let f = cases_f(|f| f.holder_unit_id = Some(v.id));
    check(
        f,
        &|c| c.state.holder_unit_id() == Some(v.id),
        "holder unit",
    )
    .await;
    let f = cases_f(|f| f.center_unit_id = Some(town.id));
    check(f, &|c| c.state.center_unit_id == town.id, "center").await;
    let (from, to) = (all[5].reported_at, all[10].reported_at);
    let f = cases_f(|f| (f.from, f.to) = (Some(from), Some(to)));
    check(
        f,
        &|c| c.reported_at >= from && c.reported_at < to,
        "period",
    )
    .await;
    let f = cases_f(|f| f.from = Some(from));
    check(f, &|c| c.reported_at >= from, "from").await;
    let f = cases_f(|f| f.to = Some(to));
    check(f, &|c| c.reported_at < to, "to").await;
    for ds in [DeadlineState::Overdue, DeadlineState::Warning] {
        let f = cases_f(|f| f.deadline_state = Some(ds));
        check(f, &|c| c.state.deadline_state == ds, ds.as_str()).await;
    }
    for b in [true, false] {
        let f = cases_f(|f| f.ever_overdue = Some(b));
        check(f, &|c| c.state.ever_overdue == b, "ever overdue").await;
        let f = cases_f(|f| f.supervised = Some(b));
        check(
            f,
            &|c| c.state.supervision_level.is_some() == b,
            "supervised",
        )
        .await;
    }
    for l in [SupervisionLevel::Key, SupervisionLevel::General] {
        let f = cases_f(|f| f.supervision_level = Some(l));
        check(f, &|c| c.state.supervision_level == Some(l), l.as_str()).await;
    }
    let f = cases_f(|f| f.party_id_card_index = Some("card-7".into()));
    assert_eq!(
        case_ids(store, &root(), &f).await,
        BTreeSet::from([all[7].id])
    );
    let f = cases_f(|f| f.party_phone_index = Some("phone-89".into()));
    assert_eq!(
        case_ids(store, &root(), &f).await,
        BTreeSet::from([all[8].id, all[9].id])
    );
    let f = cases_f(|f| f.party_id_card_index = Some("phone-89".into()));
    assert!(case_ids(store, &root(), &f).await.is_empty());
    let f = cases_f(|f| f.q = Some("化粪池".into()));
    assert_eq!(
        case_ids(store, &root(), &f).await,
        BTreeSet::from([all[11].id])
    );

    // Combined: AND of everything, inside the scope.
    let f = cases_f(|f| {
        f.category = Some("D12".into());
        f.statuses = vec![CaseStatus::Triage, CaseStatus::Assigned];
        f.under = Some(town.id);
    });
    let keep = |c: &Case| {
        c.category_code.starts_with("D12")
            && matches!(c.state.status, CaseStatus::Triage | CaseStatus::Assigned)
            && c.org_path.starts_with(&town.path)
    };
    check(f.clone(), &keep, "combined").await;
    let v0 = t0.village(0, 0, 0);
    let scoped = case_ids(store, &scope_of(v0), &f).await;
    assert_eq!(scoped, set(&all, |c| keep(c) && c.org_unit_id == v0.id));
    assert!(
        case_ids(store, &scope_of(t0.county(1)), &f)
            .await
            .is_empty()
    );
}

fn due_key(c: &Case) -> (bool, Option<DateTime<Utc>>, CaseId) {
    let due = c.state.due_at();
    (due.is_none(), due, c.id)
}

/// Each sort walks all pages of 5 (and of 1, 3, 7) with no duplicate and no gap, in the
/// documented order; the count ignores cursor and limit.
pub async fn sorts_and_pages(store: &dyn Store) {
    let t0 = setup(store).await;
    let all = seed_cases(store, &t0).await;
    let mut newest: Vec<CaseId> = all.iter().map(|c| c.id).collect();
    newest.sort_unstable_by(|a, b| b.cmp(a));
    let mut oldest = newest.clone();
    oldest.reverse();
    let mut by_due = all.clone();
    by_due.sort_by_key(due_key);
    let due: Vec<CaseId> = by_due.iter().map(|c| c.id).collect();
    let ties = by_due
        .windows(2)
        .filter(|w| w[0].state.due_at().is_some() && w[0].state.due_at() == w[1].state.due_at());
    assert!(ties.count() > 0, "the data has equal deadlines");
    assert_eq!(CaseFilter::default().sort, CaseSort::Newest);
    for (sort, want) in [
        (CaseSort::Newest, &newest),
        (CaseSort::Oldest, &oldest),
        (CaseSort::DueSoonest, &due),
    ] {
        for limit in [5, 1, 3, 7] {
            let f = CaseFilter {
                sort,
                limit: Some(limit),
                ..CaseFilter::default()
            };
            assert_eq!(&walk(store, &root(), &f).await, want, "{sort:?} by {limit}");
        }
        let f = CaseFilter {
            sort,
            limit: Some(23),
            ..CaseFilter::default()
        };
        let page = store.list_cases(&root(), &f).await.unwrap();
        assert_eq!(page.items.len(), 23);
        assert!(
            page.next_cursor.is_none(),
            "no cursor when everything fits ({sort:?})"
        );
        let f = CaseFilter {
            sort,
            limit: Some(5),
            ..CaseFilter::default()
        };
        let first = store.list_cases(&root(), &f).await.unwrap();
        let with_cursor = CaseFilter {
            cursor: first.next_cursor.clone(),
            ..f.clone()
        };
        assert!(with_cursor.cursor.is_some());
        assert_eq!(store.count_cases(&root(), &with_cursor).await.unwrap(), 23);
    }
    // A filter with only undated rows, and one mixing dated and undated rows.
    for f in [
        cases_f(|f| f.statuses = vec![CaseStatus::Triage]),
        cases_f(|f| f.supervised = Some(true)),
        cases_f(|f| f.under = Some(t0.town(0, 1).id)),
    ] {
        let f = CaseFilter {
            sort: CaseSort::DueSoonest,
            limit: Some(2),
            ..f
        };
        let one_page = CaseFilter {
            limit: Some(500),
            ..f.clone()
        };
        let ids = case_ids(store, &root(), &one_page).await;
        assert!(ids.len() > 2, "{f:?} spans pages");
        let want: Vec<CaseId> = by_due
            .iter()
            .filter(|c| ids.contains(&c.id))
            .map(|c| c.id)
            .collect();
        assert_eq!(walk(store, &root(), &f).await, want, "{f:?}");
    }
    // Inside a scope, page by page.
    let town = t0.town(0, 0);
    let f = CaseFilter {
        limit: Some(3),
        ..CaseFilter::default()
    };
    let want: Vec<CaseId> = newest
        .iter()
        .copied()
        .filter(|id| {
            all.iter()
                .any(|c| c.id == *id && c.org_path.starts_with(&town.path))
        })
        .collect();
    assert_eq!(walk(store, &scope_of(town), &f).await, want);

    // The page size is clamped to 1..=500.
    for (limit, len) in [(Some(0), 1), (Some(-5), 1), (Some(100_000), 23), (None, 23)] {
        let f = CaseFilter {
            limit,
            ..CaseFilter::default()
        };
        let page = store.list_cases(&root(), &f).await.unwrap();
        assert_eq!(page.items.len(), len, "limit {limit:?}");
        assert_eq!(page.next_cursor.is_some(), len < 23, "limit {limit:?}");
    }
    verified_chain(store).await;
}
