//! Chinese full-text search over a case's title, description and address, inside the
//! caller's scope.

use std::collections::BTreeSet;

use zongzhi_core::case::CaseStatus;

use super::case_fixture::{case_ids, cases_f, mk_case, new_case, reindex, setup, walk};
use super::{root, scope_of};
use crate::{Case, CaseFilter, Store};

/// Chinese full-text search over title, description and address, inside the scope;
/// punctuation-only queries are ignored and FTS syntax is plain text.
pub async fn full_text_search(store: &dyn Store) {
    let t0 = setup(store).await;
    let town = t0.town(0, 0);
    let clerk = t0.account(town);
    let ts = scope_of(town);
    let mk = |loc, title: &str, desc: &str, addr: Option<&str>| {
        let mut nc = new_case(loc, town, clerk, title, desc);
        nc.address = addr.map(str::to_owned);
        reindex(&mut nc);
        nc
    };
    let (v0, v1) = (t0.village(0, 0, 0), t0.village(0, 0, 1));
    let a = mk_case(
        store,
        &ts,
        mk(
            v0,
            "物业费纠纷",
            "业主拒交物业费，物业公司停水",
            Some("望江街道幸福小区"),
        ),
    )
    .await;
    let b = mk_case(
        store,
        &ts,
        mk(v1, "噪音扰民", "楼下商铺夜间噪音影响休息", None),
    )
    .await;
    let c = mk_case(
        store,
        &ts,
        mk(v0, "拖欠工资", "工地拖欠农民工工资", Some("东湖工业园")),
    )
    .await;
    let sib = t0.town(0, 1);
    let mut nd = new_case(
        t0.village(0, 1, 0),
        sib,
        t0.account(sib),
        "物业费",
        "同样是物业费问题",
    );
    reindex(&mut nd);
    let d = mk_case(store, &scope_of(sib), nd).await;
    let q = |text: &str| {
        let text = text.to_owned();
        cases_f(move |f| f.q = Some(text))
    };
    let ids = |xs: &[&Case]| xs.iter().map(|c| c.id).collect::<BTreeSet<_>>();
    assert_eq!(case_ids(store, &ts, &q("物业费")).await, ids(&[&a]));
    assert_eq!(case_ids(store, &root(), &q("物业费")).await, ids(&[&a, &d]));
    assert_eq!(case_ids(store, &ts, &q("停水")).await, ids(&[&a]));
    assert_eq!(case_ids(store, &ts, &q("噪音")).await, ids(&[&b]));
    assert_eq!(case_ids(store, &ts, &q("扰民")).await, ids(&[&b]), "title");
    assert_eq!(case_ids(store, &ts, &q("农民工")).await, ids(&[&c]));
    assert_eq!(
        case_ids(store, &ts, &q("幸福小区")).await,
        ids(&[&a]),
        "address"
    );
    assert_eq!(
        case_ids(store, &ts, &q("工业园")).await,
        ids(&[&c]),
        "address"
    );
    assert_eq!(
        case_ids(store, &ts, &q("物业费的")).await,
        ids(&[&a]),
        "stopword"
    );
    assert!(
        case_ids(store, &ts, &q("物业费 噪音")).await.is_empty(),
        "every term"
    );
    assert!(case_ids(store, &ts, &q("火灾")).await.is_empty());
    let every = ids(&[&a, &b, &c]);
    for blank in ["，。！？", "  ", "\"\"", "()*:^"] {
        assert_eq!(
            case_ids(store, &ts, &q(blank)).await,
            every,
            "ignored: {blank:?}"
        );
    }
    for hostile in [
        "物业\" OR \"",
        "NEAR(物业 噪音)",
        "title:物业",
        "物业 OR 噪音",
        "-物业",
        "物业 NOT 停水",
    ] {
        let f = q(hostile);
        let r = store.list_cases(&ts, &f).await;
        assert!(r.is_ok(), "{hostile:?}: {r:?}");
        assert!(store.count_cases(&ts, &f).await.is_ok(), "{hostile:?}");
        let got = case_ids(store, &ts, &f).await;
        assert!(
            !got.contains(&b.id) && !got.contains(&c.id),
            "{hostile:?} is text: {got:?}"
        );
    }
    assert_eq!(case_ids(store, &ts, &q("物业*")).await, ids(&[&a]));
    let f = cases_f(|f| {
        f.q = Some("物业费".into());
        f.statuses = vec![CaseStatus::Assigned];
    });
    assert!(case_ids(store, &ts, &f).await.is_empty());
    let f = cases_f(|f| {
        f.q = Some("物业费".into());
        f.under = Some(v0.id);
    });
    assert_eq!(case_ids(store, &root(), &f).await, ids(&[&a]));
    let f = CaseFilter {
        q: Some("工".into()),
        limit: Some(1),
        ..CaseFilter::default()
    };
    assert_eq!(walk(store, &ts, &f).await, vec![c.id]);
    let _ = t0;
}
