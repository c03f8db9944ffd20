//! Attachments: intake with files (multipart), upload to an existing case, download, and
//! the refusals (too big, not what the name says) that leave no file behind.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::http::{Method, StatusCode};
use common::{PDF, PNG, TestApp, walk_in_case};
use serde_json::json;

#[tokio::test]
async fn intake_with_files_and_download() {
    let (app, _dir) = TestApp::with_temp_data_dir().await;
    let clerk = app.login("town_intake").await;
    let town = app.unit_id("339901001").await;
    let case = walk_in_case(town);
    let r = app
        .register_with_files(
            &clerk,
            &case,
            &[
                ("files", Some("现场照片.png"), PNG),
                ("files", Some("协议.pdf"), PDF),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    assert_eq!(app.attachment_files().len(), 2);

    let d = app.case_json(&clerk, id).await;
    let atts = d["attachments"].as_array().unwrap();
    assert_eq!(atts.len(), 2);
    assert_eq!(atts[0]["file_name"], "现场照片.png");
    assert_eq!(atts[0]["content_type"], "image/png");
    assert_eq!(atts[1]["content_type"], "application/pdf");
    let url = atts[1]["url"].as_str().unwrap();
    let f = app.get(&clerk, url).await;
    assert_eq!(f.status, StatusCode::OK);
    assert_eq!(f.body, PDF);
    assert_eq!(f.header("content-type").as_deref(), Some("application/pdf"));
    assert_eq!(
        f.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
    assert!(
        f.header("content-disposition")
            .unwrap()
            .starts_with("attachment;")
    );
    // Out of scope: 404.
    let other = app.login("town2_intake").await;
    assert_eq!(app.get(&other, url).await.status, StatusCode::NOT_FOUND);

    // Upload to the existing case; the same content is stored once.
    let r = app
        .multipart(
            &clerk,
            &format!("/api/v1/cases/{id}/attachments"),
            &[("files", Some("补充照片.png"), PNG)],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()[0]["file_name"], "补充照片.png");
    assert_eq!(app.attachment_files().len(), 2);
    let d = app.case_json(&clerk, id).await;
    assert_eq!(d["attachments"].as_array().unwrap().len(), 3);
    assert_eq!(
        d["version"], 1,
        "an upload does not make others' actions stale"
    );
    assert_eq!(
        d["events"].as_array().unwrap().last().unwrap()["kind"],
        "attachment_added"
    );
    assert!(app.audit_chain_ok().await > 0);
}

#[tokio::test]
async fn refused_files_leave_nothing_behind() {
    let (app, _dir) = TestApp::with_temp_data_dir().await;
    let clerk = app.login("town_intake").await;
    let town = app.unit_id("339901001").await;
    let case = walk_in_case(town);

    // Not what the name says.
    let r = app
        .register_with_files(&clerk, &case, &[("files", Some("照片.jpg"), PDF)])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(r.json()["code"], "attachment_type_mismatch");
    assert_eq!(r.json()["errors"][0]["field"], "attachments[0]");
    // Not a type we take.
    let r = app
        .register_with_files(&clerk, &case, &[("files", Some("a.exe"), b"MZ\x90\0")])
        .await;
    assert_eq!(r.json()["code"], "attachment_type_unsupported");
    // Too big.
    let mut big = PDF.to_vec();
    big.resize(20 * 1024 * 1024 + 1, b' ');
    let r = app
        .register_with_files(&clerk, &case, &[("files", Some("大文件.pdf"), &big)])
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text());
    assert_eq!(r.json()["code"], "attachment_too_large");
    // A good file with a bad case: nothing written either.
    let mut bad = walk_in_case(town);
    bad["category_code"] = json!("Z99");
    let r = app
        .register_with_files(&clerk, &bad, &[("files", Some("a.png"), PNG)])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["code"], "validation_failed");
    // No case part at all.
    let r = app
        .multipart(
            &clerk,
            "/api/v1/cases",
            &[("files", Some("a.png"), PNG)],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    assert_eq!(app.case_count().await, 0);
    assert!(
        app.attachment_files().is_empty(),
        "{:?}",
        app.attachment_files()
    );

    // Same on an existing case.
    let id = app.register_id(&clerk, walk_in_case(town)).await;
    let path = format!("/api/v1/cases/{id}/attachments");
    let r = app
        .multipart(&clerk, &path, &[("files", Some("a.gif"), PNG)], &[])
        .await;
    assert_eq!(r.json()["code"], "attachment_type_mismatch");
    let r = app
        .multipart(&clerk, &path, &[("files", Some("a.pdf"), &big)], &[])
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    let r = app.call(&clerk, Method::POST, &path, Some(json!({}))).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Another town's clerk cannot upload.
    let other = app.login("town2_intake").await;
    let r = app
        .multipart(&other, &path, &[("files", Some("a.png"), PNG)], &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(
        app.attachment_files().is_empty(),
        "{:?}",
        app.attachment_files()
    );
    assert!(app.audit_chain_ok().await > 0);
}

#[tokio::test]
async fn sweep_removes_only_old_orphans() {
    let (app, _dir) = TestApp::with_temp_data_dir().await;
    let clerk = app.login("town_intake").await;
    let town = app.unit_id("339901001").await;
    let case = walk_in_case(town);
    let r = app
        .register_with_files(&clerk, &case, &[("files", Some("a.png"), PNG)])
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    // What a crash between writing and committing leaves: an unreferenced file and a temp
    // file, both old.
    let orphan_hash = zongzhi_crypto::sm3_hex(PDF);
    let orphan = zongzhi_web::cases::attachment_path(&app.state.config, &orphan_hash).unwrap();
    std::fs::create_dir_all(orphan.parent().unwrap()).unwrap();
    std::fs::write(&orphan, PDF).unwrap();
    let tmp_dir = app.state.config.data_dir.join("attachments/tmp");
    std::fs::create_dir_all(&tmp_dir).unwrap();
    let tmp = tmp_dir.join("x.part");
    std::fs::write(&tmp, b"partial").unwrap();
    // Fresh files are left alone (a request may be about to commit them).
    assert_eq!(
        zongzhi_web::cases::sweep_orphans(&app.state).await.unwrap(),
        0
    );
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    for p in app.attachment_files() {
        std::fs::File::options()
            .write(true)
            .open(&p)
            .unwrap()
            .set_modified(old)
            .unwrap();
    }
    assert_eq!(
        zongzhi_web::cases::sweep_orphans(&app.state).await.unwrap(),
        2
    );
    let left = app.attachment_files();
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(left[0].ends_with(zongzhi_crypto::sm3_hex(PNG)));
}
