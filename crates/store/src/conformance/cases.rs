//! Cases: creation and reading back, tracking numbers, idempotency keys and bulk import.

use chrono::{NaiveDate, TimeDelta};
use serde_json::json;
use zongzhi_core::case::{Channel, Complexity, PartyRole, TrackingNo, Urgency};

use super::case_fixture::{
    attachment, case_audit, case_count, detail, mk_case, new_case, party, route_dept, setup, t,
    then, with_channel,
};
use super::{assert_conflict, audit_count, last_audit, root, scope_of, verified_chain};
use crate::{CaseRef, ImportedCase, Store};

/// Every field of a new case, its parties, attachments, events and co-handlers come back
/// as written, with the names and paths the store joins in.
pub async fn create_and_get(store: &dyn Store) {
    let t0 = setup(store).await;
    let town = t0.town(0, 0);
    let village = t0.village(0, 0, 0);
    let clerk = t0.account(town);
    let s = scope_of(town);
    let mut nc = with_channel(
        new_case(
            village,
            town,
            clerk,
            "邻里漏水纠纷",
            "楼上住户卫生间漏水，多次协商未果",
        ),
        Channel::Hotline12345,
    );
    nc.category_code = "D12-03".into();
    nc.urgency = Urgency::Urgent;
    nc.complexity = Complexity::Complex;
    nc.occurred_at = Some(t(22, 10));
    nc.address = Some("望江街道幸福小区3栋".into());
    nc.lat = Some(30.123_456);
    nc.lng = Some(120.654_321);
    nc.people_involved = Some(3);
    nc.amount_fen = Some(1_234_567);
    nc.parties = vec![
        party(
            PartyRole::Applicant,
            "张三",
            Some("idx-card-1"),
            Some("idx-phone-1"),
        ),
        party(PartyRole::Respondent, "李四", None, None),
    ];
    nc.attachments = vec![
        attachment("现场照片.png", 2048),
        attachment("协议.pdf", 4096),
    ];
    let nc = then(nc, route_dept(t0.dept(town), &[t0.dept(village)]), t(23, 2));
    let before = audit_count(store).await;
    let created = store
        .create_case(&s, nc.clone(), case_audit("case.create"))
        .await
        .unwrap();
    assert!(!created.replayed);
    assert_eq!(audit_count(store).await, before + 1);
    let audit_row = last_audit(store).await;
    assert_eq!(audit_row.action, "case.create");
    assert_eq!(
        audit_row.target_id.as_deref(),
        Some(created.case.id.to_string().as_str())
    );

    let d = store.get_case(&s, created.case.id).await.unwrap();
    assert_eq!(d.case, created.case);
    let c = &d.case;
    assert_eq!(c.tracking_no, "ZZ2026112300001");
    assert_eq!(c.version, 1);
    assert_eq!(c.channel, Channel::Hotline12345);
    assert_eq!(c.category_code, "D12-03");
    assert_eq!(c.category_name, "预付式消费");
    assert_eq!(
        (c.urgency, c.complexity),
        (Urgency::Urgent, Complexity::Complex)
    );
    assert_eq!(
        (c.title.as_str(), c.description.as_str()),
        (nc.title.as_str(), nc.description.as_str())
    );
    assert_eq!(c.occurred_at, nc.occurred_at);
    assert_eq!(c.reported_at, nc.reported_at);
    assert_eq!(c.address, nc.address);
    assert_eq!(
        (c.org_unit_id, c.org_unit_name.as_str()),
        (village.id, village.name.as_str())
    );
    assert_eq!(c.org_path, village.path);
    assert_eq!((c.lat, c.lng), (nc.lat, nc.lng));
    assert_eq!(
        (c.people_involved, c.amount_fen),
        (Some(3), Some(1_234_567))
    );
    assert_eq!(c.state, nc.state);
    assert!(c.state.due_at().is_some());
    assert_eq!(c.center_unit_name, town.name);
    assert_eq!(
        c.holder_department_name.as_deref(),
        Some(t0.dept(town).name.as_str())
    );
    assert_eq!(c.holder_unit_name, None);
    assert_eq!(
        (c.created_by, c.created_at),
        (Some(clerk.id), nc.created_at)
    );

    assert_eq!(d.parties.len(), 2);
    let (a, r) = (&d.parties[0], &d.parties[1]);
    assert_eq!((a.role, a.name.as_str()), (PartyRole::Applicant, "张三"));
    assert_eq!(a.id_card_enc.as_deref(), Some("enc:idx-card-1"));
    assert_eq!(a.id_card_masked.as_deref(), Some("110***********1234"));
    assert_eq!(a.phone_enc.as_deref(), Some("enc:idx-phone-1"));
    assert_eq!(a.phone_masked.as_deref(), Some("138****5678"));
    assert_eq!((r.role, r.name.as_str()), (PartyRole::Respondent, "李四"));
    assert_eq!(
        (r.id_card_enc.as_ref(), r.id_card_masked.as_ref()),
        (None, None)
    );
    assert_eq!(
        (r.phone_enc.as_ref(), r.phone_masked.as_ref()),
        (None, None)
    );
    assert!(a.id < r.id);

    assert_eq!(d.attachments.len(), 2);
    for (got, want) in d.attachments.iter().zip(&nc.attachments) {
        assert_eq!(got.content_hash, want.content_hash);
        assert_eq!(got.file_name, want.file_name);
        assert_eq!(got.content_type, want.content_type);
        assert_eq!(got.size_bytes, want.size_bytes);
        assert_eq!(got.uploaded_by, Some(clerk.id));
        assert_eq!(got.uploaded_at, nc.created_at);
    }
    assert!(d.attachments[0].id < d.attachments[1].id);
    assert!(
        store
            .attachment_hash_in_use(&nc.attachments[1].content_hash)
            .await
            .unwrap()
    );
    assert!(!store.attachment_hash_in_use(&"f".repeat(64)).await.unwrap());

    assert_eq!(d.events.len(), 2);
    for (i, (got, want)) in d.events.iter().zip(&nc.events).enumerate() {
        assert_eq!(got.seq, i as i64 + 1);
        assert_eq!(got.actor_id, Some(clerk.id));
        assert_eq!(got.actor_name.as_deref(), Some(clerk.display_name.as_str()));
        assert_eq!(got.at, want.at);
        assert_eq!(
            (got.from_status, got.to_status),
            (want.from_status, want.to_status)
        );
        assert_eq!(got.kind, want.kind);
        assert_eq!(got.note, want.note);
        assert_eq!(got.payload, want.payload);
    }
    assert_eq!(d.events[0].kind, "register");
    assert_eq!(d.events[1].kind, "route");
    assert_eq!(d.events[1].note.as_deref(), Some("请依职责办理"));
    let co = t0.dept(village);
    assert_eq!(d.co_handlers, vec![(co.id, co.name.clone())]);
    assert_eq!(d.master, None);
    assert!(d.merged.is_empty());
    verified_chain(store).await;
}

/// Numbers are `ZZ` + date + a daily sequence: consecutive on one date, from 00001 on
/// another, and each parses back to its date.
pub async fn tracking_numbers(store: &dyn Store) {
    let t0 = setup(store).await;
    let town = t0.town(0, 0);
    let clerk = t0.account(town);
    let s = scope_of(town);
    let mk = |d: NaiveDate, i: usize| {
        let mut nc = new_case(t0.village(0, 0, i % 2), town, clerk, "编号测试", "编号测试");
        nc.tracking_date = d;
        nc
    };
    let d1 = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let d2 = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let mut got = Vec::new();
    for i in 0..3 {
        got.push(mk_case(store, &s, mk(d1, i)).await.tracking_no);
    }
    got.push(mk_case(store, &s, mk(d2, 0)).await.tracking_no);
    got.push(mk_case(store, &s, mk(d2, 1)).await.tracking_no);
    got.push(mk_case(store, &s, mk(d1, 3)).await.tracking_no);
    assert_eq!(
        got,
        [
            "ZZ2026112300001",
            "ZZ2026112300002",
            "ZZ2026112300003",
            "ZZ2026112400001",
            "ZZ2026112400002",
            "ZZ2026112300004",
        ]
    );
    for n in &got {
        let parsed = TrackingNo::parse(n).unwrap();
        assert!(parsed.date() == d1 || parsed.date() == d2);
    }
    // Concurrent creations on one date still get distinct consecutive numbers.
    let (a, b, c) = tokio::join!(
        store.create_case(&s, mk(d2, 0), case_audit("case.create")),
        store.create_case(&s, mk(d2, 1), case_audit("case.create")),
        store.create_case(&s, mk(d2, 0), case_audit("case.create")),
    );
    let mut nos = vec![
        a.unwrap().case.tracking_no,
        b.unwrap().case.tracking_no,
        c.unwrap().case.tracking_no,
    ];
    nos.sort();
    assert_eq!(
        nos,
        ["ZZ2026112400003", "ZZ2026112400004", "ZZ2026112400005"]
    );
    verified_chain(store).await;
}

/// The same key from the same creator returns the first case without writing anything;
/// another creator's identical key is a new case.
pub async fn idempotency_key_replay(store: &dyn Store) {
    let t0 = setup(store).await;
    let town = t0.town(0, 0);
    let (clerk, other) = (t0.account(town), t0.account(t0.county(0)));
    let s = scope_of(town);
    let mut nc = new_case(t0.village(0, 0, 0), town, clerk, "重复提交", "网络重试");
    nc.idempotency_key = Some("key-1".into());
    let first = store
        .create_case(&s, nc.clone(), case_audit("case.create"))
        .await
        .unwrap();
    assert!(!first.replayed);
    let (cases, audits) = (case_count(store).await, audit_count(store).await);

    let mut again = nc.clone();
    again.title = "内容不同也按键返回".into();
    again.tracking_date = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let replay = store
        .create_case(&s, again, case_audit("case.create"))
        .await
        .unwrap();
    assert!(replay.replayed);
    assert_eq!(replay.case, first.case);
    assert_eq!(case_count(store).await, cases);
    assert_eq!(audit_count(store).await, audits);
    assert_eq!(detail(store, first.case.id).await.events.len(), 1);

    let mut theirs = new_case(t0.village(0, 0, 0), town, other, "重复提交", "网络重试");
    theirs.idempotency_key = Some("key-1".into());
    let second = store
        .create_case(&scope_of(t0.county(0)), theirs, case_audit("case.create"))
        .await
        .unwrap();
    assert!(!second.replayed);
    assert_ne!(second.case.id, first.case.id);
    assert_eq!(second.case.tracking_no, "ZZ2026112300002");
    assert_eq!(case_count(store).await, cases + 1);

    // Without a key, identical input makes new cases.
    let plain = new_case(t0.village(0, 0, 0), town, clerk, "重复提交", "网络重试");
    let x = mk_case(store, &s, plain.clone()).await;
    let y = mk_case(store, &s, plain).await;
    assert_ne!(x.id, y.id);
    assert_eq!(case_count(store).await, cases + 3);
    verified_chain(store).await;
}

fn imported(t0: &super::Tree, no: &str, i: i64) -> ImportedCase {
    let town = t0.town(1, 0);
    let mut nc = new_case(
        t0.village(1, 0, 0),
        town,
        t0.account(town),
        "历史事件",
        "从旧系统导入的事件",
    );
    nc.reported_at -= TimeDelta::days(400 + i);
    nc.events[0].at = nc.reported_at;
    nc.created_at = nc.reported_at;
    nc.state.registered_at = Some(nc.reported_at);
    nc = then(
        nc,
        route_dept(t0.dept(town), &[]),
        t(23, 2) - TimeDelta::days(400 + i),
    );
    ImportedCase {
        tracking_no: no.to_owned(),
        case: nc,
    }
}

/// A batch lands whole with one audit row and is readable like any case; a duplicate
/// tracking number (in the table or in the batch) fails the whole batch.
pub async fn import_batch(store: &dyn Store) {
    let t0 = setup(store).await;
    let (cases, audits) = (case_count(store).await, audit_count(store).await);
    let batch: Vec<ImportedCase> = (1..=3)
        .map(|i| imported(&t0, &format!("ZZ2025112500{i:03}"), i))
        .collect();
    let n = store
        .import_cases(batch.clone(), case_audit("case.import"))
        .await
        .unwrap();
    assert_eq!(n, 3);
    assert_eq!(case_count(store).await, cases + 3);
    assert_eq!(audit_count(store).await, audits + 1);
    assert_eq!(last_audit(store).await.action, "case.import");
    let s = scope_of(t0.town(1, 0));
    let page = store
        .list_cases(
            &s,
            &super::case_fixture::cases_f(|f| f.sort = crate::CaseSort::Oldest),
        )
        .await
        .unwrap();
    assert_eq!(page.items.len(), 3);
    for (c, want) in page.items.iter().zip(&batch) {
        assert_eq!(c.tracking_no, want.tracking_no);
        assert_eq!(c.state, want.case.state);
        assert_eq!(c.reported_at, want.case.reported_at);
        let d = store.get_case(&s, c.id).await.unwrap();
        assert_eq!(d.events.len(), 2);
        assert_eq!(d.events[1].kind, "route");
    }
    assert!(
        store
            .get_case(&scope_of(t0.town(0, 0)), page.items[0].id)
            .await
            .is_err()
    );

    let (cases, audits) = (case_count(store).await, audit_count(store).await);
    let dup = vec![
        imported(&t0, "ZZ2025112500010", 10),
        imported(&t0, "ZZ2025112500002", 11),
    ];
    assert_conflict(
        store.import_cases(dup, case_audit("case.import")).await,
        "tracking_no_taken",
    );
    let twice = vec![
        imported(&t0, "ZZ2025112500020", 20),
        imported(&t0, "ZZ2025112500020", 21),
    ];
    assert_conflict(
        store.import_cases(twice, case_audit("case.import")).await,
        "tracking_no_taken",
    );
    assert_eq!(case_count(store).await, cases);
    assert_eq!(audit_count(store).await, audits);

    // New numbers on an imported date continue after the highest one there.
    let town = t0.town(1, 0);
    let mut nc = new_case(
        t0.village(1, 0, 1),
        town,
        t0.account(town),
        "新事件",
        "导入之后登记",
    );
    nc.tracking_date = NaiveDate::from_ymd_opt(2025, 11, 25).unwrap();
    let c = mk_case(store, &scope_of(town), nc).await;
    assert_eq!(c.tracking_no, "ZZ2025112500004");
    let d = store.get_case(&root(), c.id).await.unwrap();
    assert_eq!(d.master, None::<CaseRef>);
    assert_eq!(
        d.events[0].payload,
        json!({"action": "register", "channel": "walk_in"})
    );
    verified_chain(store).await;
}
