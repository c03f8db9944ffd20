//! Sessions: create, read, touch, stage and delete.

use chrono::Duration;

use super::{mk_account, mk_city, mk_session, now};
use crate::{Session, SessionStage, Store};

/// A stored session reads back equal; unknown tokens read as `None`.
pub async fn round_trip(store: &dyn Store) {
    let city = mk_city(store, "3399").await;
    let a = mk_account(store, "nina", &city).await;
    let t = now();
    let s = Session {
        token_hash: "ab".repeat(32),
        account_id: a.id,
        csrf_token: "csrf'<x>".to_owned(),
        stage: SessionStage::NeedsTotp,
        created_at: t - Duration::minutes(1),
        last_seen_at: t,
    };
    store.create_session(&s).await.unwrap();
    assert_eq!(store.get_session(&s.token_hash).await.unwrap(), Some(s));
    assert_eq!(store.get_session("cd").await.unwrap(), None);
    let mut other = mk_session(store, &a, "second").await;
    other.stage = SessionStage::Full;
    assert_eq!(store.get_session("second").await.unwrap(), Some(other));
}

/// Touch moves `last_seen_at` only; stage changes move the stage only.
pub async fn touch_and_stage(store: &dyn Store) {
    let city = mk_city(store, "3399").await;
    let a = mk_account(store, "olga", &city).await;
    let s = mk_session(store, &a, "tok").await;
    let later = s.last_seen_at + Duration::seconds(90);
    store.touch_session("tok", later).await.unwrap();
    let got = store.get_session("tok").await.unwrap().unwrap();
    assert_eq!(got.last_seen_at, later);
    assert_eq!((got.created_at, got.stage), (s.created_at, s.stage));
    for stage in [
        SessionStage::NeedsPasswordChange,
        SessionStage::NeedsEnrollment,
        SessionStage::NeedsTotp,
        SessionStage::Full,
    ] {
        store.set_session_stage("tok", stage).await.unwrap();
        let got = store.get_session("tok").await.unwrap().unwrap();
        assert_eq!(
            (got.stage, got.last_seen_at, got.csrf_token.as_str()),
            (stage, later, "csrf-tok")
        );
    }
}

/// One session or all of an account's sessions end.
pub async fn delete(store: &dyn Store) {
    let city = mk_city(store, "3399").await;
    let a = mk_account(store, "pete", &city).await;
    let b = mk_account(store, "quinn", &city).await;
    for t in ["a1", "a2", "a3"] {
        mk_session(store, &a, t).await;
    }
    mk_session(store, &b, "b1").await;
    store.delete_session("a1").await.unwrap();
    assert!(store.get_session("a1").await.unwrap().is_none());
    assert!(store.get_session("a2").await.unwrap().is_some());
    store.delete_session("a1").await.unwrap();
    store.delete_sessions_for(a.id).await.unwrap();
    assert!(store.get_session("a2").await.unwrap().is_none());
    assert!(store.get_session("a3").await.unwrap().is_none());
    assert!(store.get_session("b1").await.unwrap().is_some());
}
