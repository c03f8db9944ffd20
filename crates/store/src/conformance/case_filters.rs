//! Listing cases by tracking number (一案一码) and by the account that registered them,
//! alone, combined with other filters and inside scopes.

use std::collections::BTreeSet;

use zongzhi_core::case::{CaseStatus, Channel};

use super::case_fixture::{case_ids, cases_f, mk_case, new_case, setup, with_channel};
use super::{root, scope_of};
use crate::{Case, Store};

/// `tracking_no` matches exactly one case (never a prefix); `created_by` matches the cases
/// that account registered; both AND with the other filters and stay inside the scope.
pub async fn tracking_no_and_created_by(store: &dyn Store) {
    let t0 = setup(store).await;
    let county = t0.county(0);
    let town = t0.town(0, 0);
    let (county_clerk, town_clerk) = (t0.account(county), t0.account(town));
    let mut all: Vec<Case> = Vec::new();
    for i in 0..3 {
        let nc = new_case(t0.village(0, 1, 0), county, county_clerk, "县登记", "说明");
        let nc = if i == 0 {
            with_channel(nc, Channel::Phone)
        } else {
            nc
        };
        all.push(mk_case(store, &scope_of(county), nc).await);
    }
    for i in 0..2 {
        let nc = new_case(t0.village(0, 0, 0), town, town_clerk, "镇登记", "说明");
        let nc = if i == 0 {
            with_channel(nc, Channel::Phone)
        } else {
            nc
        };
        all.push(mk_case(store, &scope_of(town), nc).await);
    }
    let other = t0.county(1);
    let far = new_case(
        t0.village(1, 0, 0),
        other,
        t0.account(other),
        "外县",
        "说明",
    );
    let far = mk_case(store, &scope_of(other), far).await;

    // Tracking number: exact, one case, and no prefix match.
    for c in all.iter().chain([&far]) {
        let no = c.tracking_no.clone();
        let f = cases_f(|f| f.tracking_no = Some(no));
        assert_eq!(case_ids(store, &root(), &f).await, BTreeSet::from([c.id]));
    }
    let prefix = all[0].tracking_no[..all[0].tracking_no.len() - 1].to_owned();
    for no in [prefix, "ZZ2099010100001".to_owned(), String::new()] {
        let f = cases_f(|f| f.tracking_no = Some(no));
        assert!(case_ids(store, &root(), &f).await.is_empty());
    }
    // … inside the scope only: another county's number finds nothing.
    let no = far.tracking_no.clone();
    let f = cases_f(|f| f.tracking_no = Some(no));
    assert!(case_ids(store, &scope_of(county), &f).await.is_empty());
    assert_eq!(
        case_ids(store, &scope_of(other), &f).await,
        BTreeSet::from([far.id])
    );
    // … and combined with a filter it contradicts.
    let no = all[1].tracking_no.clone();
    let f = cases_f(|f| {
        f.tracking_no = Some(no);
        f.channel = Some(Channel::Phone);
    });
    assert!(case_ids(store, &root(), &f).await.is_empty());

    // Registered by.
    let by = |id| cases_f(move |f| f.created_by = Some(id));
    let ids = |r: std::ops::Range<usize>| all[r].iter().map(|c| c.id).collect::<BTreeSet<_>>();
    assert_eq!(
        case_ids(store, &root(), &by(county_clerk.id)).await,
        ids(0..3)
    );
    assert_eq!(
        case_ids(store, &root(), &by(town_clerk.id)).await,
        ids(3..5)
    );
    assert!(case_ids(store, &root(), &by(999_999)).await.is_empty());
    // The town sees only its own location's cases, whoever registered them.
    assert!(
        case_ids(store, &scope_of(town), &by(county_clerk.id))
            .await
            .is_empty()
    );
    assert_eq!(
        case_ids(store, &scope_of(town), &by(town_clerk.id)).await,
        ids(3..5)
    );
    let f = cases_f(|f| {
        f.created_by = Some(county_clerk.id);
        f.channel = Some(Channel::Phone);
        f.statuses = vec![CaseStatus::Triage];
    });
    assert_eq!(
        case_ids(store, &root(), &f).await,
        BTreeSet::from([all[0].id])
    );
    let no = all[3].tracking_no.clone();
    let f = cases_f(|f| {
        f.created_by = Some(county_clerk.id);
        f.tracking_no = Some(no);
    });
    assert!(case_ids(store, &root(), &f).await.is_empty());
}
