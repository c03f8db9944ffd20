//! Enumerations, payload validation and tracking numbers.
#![allow(clippy::unwrap_used)]

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;

use super::CaseError;
use super::action::{Action, ActionKind};
use super::category::CategoryKind;
use super::payload::{Note, RouteTarget};
use super::test_support::sample;
use super::types::*;
use crate::org::OrgLevel;

macro_rules! round_trips {
    ($($t:ty),*) => {$(
        for &v in <$t>::ALL {
            assert_eq!(<$t>::parse(v.as_str()), Some(v));
            assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
            assert_eq!(serde_json::from_value::<$t>(v.as_str().into()).unwrap(), v);
            assert!(!v.label_zh().is_empty());
        }
        assert_eq!(<$t>::parse("nope"), None);
    )*};
}

#[test]
fn enumerations_travel_as_snake_case() {
    round_trips!(
        Channel,
        CaseStatus,
        Urgency,
        Complexity,
        Outcome,
        FollowUpMethod,
        SupervisionLevel,
        PartyRole,
        ActionKind,
        CategoryKind
    );
    let channels: Vec<_> = Channel::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(
        channels,
        [
            "walk_in",
            "phone",
            "grid_report",
            "hotline_12345",
            "police_110",
            "petition",
            "online",
            "transfer",
            "screening",
            "public_opinion",
            "assigned"
        ]
    );
    assert_eq!(CaseStatus::ALL.len(), 9);
    assert_eq!(CaseStatus::ALL[0].as_str(), "registered");
    assert_eq!(CaseStatus::ALL[8].as_str(), "archived");
    assert_eq!(ActionKind::ALL.len(), 19);
    for &k in ActionKind::ALL {
        let a = sample(k);
        assert_eq!(a.kind(), k);
        let json = serde_json::to_value(&a).unwrap();
        assert_eq!(json["action"], k.as_str());
        assert_eq!(serde_json::from_value::<Action>(json).unwrap(), a);
        assert_eq!(a.validate(), Ok(()));
    }
}

#[test]
fn outcomes_tiers_and_ratings() {
    let resolved: Vec<_> = Outcome::ALL
        .iter()
        .filter(|o| o.counts_as_resolved())
        .collect();
    assert_eq!(resolved, [&Outcome::Mediated, &Outcome::PartiallyResolved]);
    assert_eq!(Complexity::Simple.default_tier(), OrgLevel::Village);
    assert_eq!(Complexity::Complex.default_tier(), OrgLevel::Town);
    assert_eq!(Complexity::Difficult.default_tier(), OrgLevel::County);
    assert_eq!(CaseStatus::ALL.iter().filter(|s| s.is_open()).count(), 6);
    for n in 1..=5u8 {
        let r = Rating::from_value(n).unwrap();
        assert_eq!(r.value(), n);
        assert_eq!(r.is_satisfied(), n >= 3);
        assert_eq!(r.is_dissatisfied(), n <= 2);
        assert_eq!(serde_json::to_value(r).unwrap(), n);
        assert_eq!(Rating::parse(&n.to_string()), Some(r));
        assert_eq!(Rating::parse(r.as_str()), Some(r));
    }
    assert_eq!(Rating::VerySatisfied.label_zh(), "非常满意");
    assert_eq!(Rating::VeryDissatisfied.label_zh(), "非常不满意");
    for bad in [0u8, 6, 255] {
        assert_eq!(Rating::from_value(bad), Err(CaseError::BadRating));
        assert!(serde_json::from_value::<Rating>(bad.into()).is_err());
    }
}

#[test]
fn payloads_are_validated() {
    let now = Utc.with_ymd_and_hms(2026, 11, 21, 9, 0, 0).unwrap();
    let e = Action::return_with("   ").unwrap_err();
    assert_eq!(
        (e.code(), e.field(), e.http_status()),
        ("field_required", Some("reason"), 422)
    );
    assert_eq!(e.message_zh(), "请填写理由");
    assert_eq!(
        Action::resolve(Outcome::Answered, "").unwrap_err().field(),
        Some("note")
    );
    assert_eq!(
        Action::triage_close(Outcome::Answered, "")
            .unwrap_err()
            .field(),
        Some("answer")
    );
    assert_eq!(
        Action::follow_up(6, FollowUpMethod::Sms, None),
        Err(CaseError::BadRating)
    );
    assert_eq!(
        Action::request_extension(0, "x"),
        Err(CaseError::BadExtensionDays)
    );
    assert_eq!(
        Action::request_extension(61, "x"),
        Err(CaseError::BadExtensionDays)
    );
    assert!(Action::request_extension(60, "x").is_ok());
    assert!(Action::decide_extension(false, None).is_err());
    assert!(Action::verify(false, Some(" ")).is_err());
    assert!(Action::verify(true, None).is_ok());
    let level = SupervisionLevel::Listed;
    assert_eq!(
        Action::supervise(level, "x", now, now),
        Err(CaseError::DeadlineInPast)
    );
    assert!(Action::supervise(level, "x", now + Duration::hours(1), now).is_ok());
    assert_eq!(
        Action::urge("x", now - Duration::days(1), now),
        Err(CaseError::DeadlineInPast)
    );
    assert_eq!(
        RouteTarget::department(1, vec![2, 2]),
        Err(CaseError::BadCoHandlers)
    );
    assert_eq!(
        RouteTarget::department(1, vec![1]),
        Err(CaseError::BadCoHandlers)
    );
    assert_eq!(
        RouteTarget::department(1, (2..23).collect()),
        Err(CaseError::BadCoHandlers)
    );
    assert_eq!(
        RouteTarget::department(0, vec![]),
        Err(CaseError::BadId { field: "id" })
    );
    assert_eq!(
        RouteTarget::org_unit(-1),
        Err(CaseError::BadId { field: "id" })
    );
    let long = "字".repeat(Note::MAX_CHARS + 1);
    assert!(matches!(
        Note::parse(&long, "note"),
        Err(CaseError::TooLong { .. })
    ));
    assert!(Note::parse("a\u{0}b", "note").is_err());
    assert_eq!(
        Note::parse(" 第一行\n第二行 ", "note").unwrap().as_str(),
        "第一行\n第二行"
    );
    assert!(serde_json::from_str::<Note>("\"  \"").is_err());
    let json = r#"{"action":"return","reason":""}"#;
    assert!(serde_json::from_str::<Action>(json).is_err());
    let json = r#"{"action":"follow_up","rating":0,"method":"phone"}"#;
    assert!(serde_json::from_str::<Action>(json).is_err());
}

#[test]
fn tracking_number_example() {
    let t = TrackingNo::parse("ZZ2026112100123").unwrap();
    assert_eq!(t.date(), NaiveDate::from_ymd_opt(2026, 11, 21).unwrap());
    assert_eq!(t.seq(), 123);
    assert_eq!(TrackingNo::parse(" zz2026112100123 ").unwrap(), t);
    assert_eq!(serde_json::to_value(&t).unwrap(), "ZZ2026112100123");
    assert_eq!(
        serde_json::from_value::<TrackingNo>("ZZ2026112100123".into()).unwrap(),
        t
    );
    for bad in [
        "",
        "ZZ",
        "ZZ202611210012",
        "ZZ20261121001234",
        "XX2026112100123",
        "ZZ2026113100123",
        "ZZ2026022900001",
        "ZZ2026112100000",
        "ZZ2026112１00123",
        "ZZ00001121001 3",
    ] {
        assert_eq!(
            TrackingNo::parse(bad),
            Err(CaseError::BadTrackingNo),
            "{bad}"
        );
    }
    let d = NaiveDate::from_ymd_opt(2026, 1, 2).unwrap();
    assert_eq!(
        TrackingNo::format(d, 1).unwrap().as_str(),
        "ZZ2026010200001"
    );
    assert_eq!(TrackingNo::format(d, 0), Err(CaseError::BadTrackingNo));
    assert_eq!(
        TrackingNo::format(d, 100_000),
        Err(CaseError::BadTrackingNo)
    );
}

proptest! {
    #[test]
    fn tracking_number_round_trips(days in 0i64..3_600_000, seq in 1u32..=99_999) {
        // Every date of years 1 to about 9857.
        let date = NaiveDate::from_ymd_opt(1, 1, 1).unwrap() + Duration::days(days);
        let t = TrackingNo::format(date, seq).unwrap();
        prop_assert_eq!(t.as_str().len(), TrackingNo::LEN);
        let back = TrackingNo::parse(t.as_str()).unwrap();
        prop_assert_eq!((back.date(), back.seq()), (date, seq));
        prop_assert_eq!(back, t);
    }

    #[test]
    fn tracking_number_parse_never_panics(s in "\\PC{0,20}") {
        if let Ok(t) = TrackingNo::parse(&s) {
            prop_assert_eq!(TrackingNo::parse(t.as_str()), Ok(t.clone()));
            prop_assert!(t.as_str().starts_with("ZZ"));
        }
    }
}
