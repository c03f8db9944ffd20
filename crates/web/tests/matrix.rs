//! The permission matrix: role × (own unit, parent, sibling, child) ×
//! (read, list, count, search, export, write) for org units, departments and accounts.
//! Runs on SQLite, and on PostgreSQL when `ZONGZHI_TEST_POSTGRES_URL` is set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::http::{Method, StatusCode};
use common::{Client, TestApp};
use serde_json::{Value, json};
use zongzhi_core::account::{DisplayName, Username};
use zongzhi_core::audit::{AuditOutcome, NewAuditEntry};
use zongzhi_core::org::{DepartmentKind, UnitName};
use zongzhi_core::role::{Permission, Role, Scope, roles_grant};
use zongzhi_store::{NewAccount, NewDepartment};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Rel {
    Own,
    Parent,
    Sibling,
    Child,
}
const RELS: [Rel; 4] = [Rel::Own, Rel::Parent, Rel::Sibling, Rel::Child];

/// Codes of the units around the actors' town (东湖区 / 望江街道).
fn code(rel: Rel) -> &'static str {
    match rel {
        Rel::Own => "339901001",
        Rel::Parent => "339901",
        Rel::Sibling => "339901002",
        Rel::Child => "339901001001",
    }
}

struct Target {
    unit_id: i64,
    unit_code: String,
    unit_name: String,
    dept_id: i64,
    dept_name: String,
    account_id: i64,
    username: String,
}

fn sys() -> NewAuditEntry {
    NewAuditEntry::new("test.setup", "test", AuditOutcome::Success)
}

async fn setup(app: &TestApp) -> (Vec<(Role, Client)>, Vec<(Rel, Target)>) {
    let root = Scope::subtree(0, "/");
    let store = &app.state.store;
    let own = app.unit_id(code(Rel::Own)).await;
    // One actor per role at the town, signed in.
    let hash = zongzhi_web::auth::password::hash_password(common::PASSWORD.to_owned())
        .await
        .unwrap();
    let mut actors = Vec::new();
    for role in Role::ALL {
        let username = format!("m_{}", role.as_str());
        let new = NewAccount {
            username: Username::parse(&username).unwrap(),
            display_name: DisplayName::parse("矩阵").unwrap(),
            org_unit_id: own,
            department_id: None,
            roles: vec![role],
            password_hash: hash.clone(),
            phone_enc: None,
            phone_index: None,
            phone_masked: None,
            must_change_password: false,
        };
        store.create_account(&root, new, sys()).await.unwrap();
        actors.push((role, app.login(&username).await));
    }
    // One department and one account on each target unit.
    let mut targets = Vec::new();
    for rel in RELS {
        let unit = store
            .get_org_unit(&root, app.unit_id(code(rel)).await)
            .await
            .unwrap();
        let dept_name = format!("矩阵部门{:?}", rel);
        let d = store
            .create_department(
                &root,
                NewDepartment {
                    org_unit_id: unit.id,
                    name: UnitName::parse(&dept_name).unwrap(),
                    kind: DepartmentKind::Liaison,
                },
                sys(),
            )
            .await
            .unwrap();
        let username = format!("t_{:?}", rel).to_ascii_lowercase();
        let a = store
            .create_account(
                &root,
                NewAccount {
                    username: Username::parse(&username).unwrap(),
                    display_name: DisplayName::parse("目标").unwrap(),
                    org_unit_id: unit.id,
                    department_id: None,
                    roles: vec![Role::Intake],
                    password_hash: hash.clone(),
                    phone_enc: None,
                    phone_index: None,
                    phone_masked: None,
                    must_change_password: false,
                },
                sys(),
            )
            .await
            .unwrap();
        targets.push((
            rel,
            Target {
                unit_id: unit.id,
                unit_code: unit.code,
                unit_name: unit.name,
                dept_id: d.id,
                dept_name,
                account_id: a.id,
                username,
            },
        ));
    }
    (actors, targets)
}

/// Whether a list/search response (JSON page) contains id.
fn has(v: &Value, id: i64) -> bool {
    v["items"]
        .as_array()
        .is_some_and(|a| a.iter().any(|x| x["id"] == id))
}

fn ok(status: StatusCode) -> bool {
    status.is_success()
}

async fn check_resource(
    app: &TestApp,
    role: Role,
    c: &Client,
    rel: Rel,
    t: &Target,
    kind: &str,
) -> Vec<String> {
    let mut failures = Vec::new();
    let in_scope = matches!(rel, Rel::Own | Rel::Child);
    let (read_perm, write_perm) = match kind {
        "org-units" | "departments" => (Permission::ReadOrg, Permission::ManageOrg),
        _ => (
            Permission::ReadAccounts,
            if role == Role::SecurityAdmin {
                Permission::ManageRoles
            } else {
                Permission::ManageAccounts
            },
        ),
    };
    let may_read = roles_grant(&[role], read_perm);
    let may_write = roles_grant(&[role], write_perm);
    let (id, exact, search) = match kind {
        "org-units" => (t.unit_id, t.unit_name.clone(), t.unit_code.clone()),
        "departments" => (t.dept_id, t.dept_name.clone(), t.dept_name.clone()),
        _ => (t.account_id, t.username.clone(), t.username.clone()),
    };
    let mut expect = |op: &str, got: bool, want: bool, detail: String| {
        if got != want {
            failures.push(format!(
                "{role:?} {rel:?} {kind} {op}: got {got}, want {want} ({detail})"
            ));
        }
    };
    // read
    let r = app.get(c, &format!("/api/v1/{kind}/{id}")).await;
    expect(
        "read",
        ok(r.status),
        may_read && in_scope,
        format!("{}", r.status),
    );
    if !ok(r.status) && may_read {
        expect(
            "read-404",
            r.status == StatusCode::NOT_FOUND,
            true,
            format!("{}", r.status),
        );
    }
    // list (page through everything in scope)
    let (status, seen) = list_every_page(app, c, kind, id).await;
    expect(
        "list",
        ok(status) && seen,
        may_read && in_scope,
        format!("{status}"),
    );
    // count: the total of a search for the exact value
    let r = app
        .get(c, &format!("/api/v1/{kind}?q={}", urlenc(&exact)))
        .await;
    let count = r.json()["total"].as_i64().unwrap_or(-1);
    expect(
        "count",
        ok(r.status) && count >= 1,
        may_read && in_scope,
        format!("{} total={count}", r.status),
    );
    if ok(r.status) && !in_scope {
        expect("count-zero", count == 0, true, format!("total={count}"));
    }
    // search
    let r = app
        .get(c, &format!("/api/v1/{kind}?q={}", urlenc(&search)))
        .await;
    expect(
        "search",
        ok(r.status) && has(&r.json(), id),
        may_read && in_scope,
        format!("{}", r.status),
    );
    // export
    let r = app
        .get(c, &format!("/api/v1/{kind}/export?q={}", urlenc(&exact)))
        .await;
    expect(
        "export",
        ok(r.status) && r.text().contains(&exact),
        may_read && in_scope,
        format!("{}", r.status),
    );
    if ok(r.status) && !in_scope {
        expect(
            "export-excludes",
            r.text().contains(&exact),
            false,
            String::new(),
        );
    }
    // write
    let body = match kind {
        "org-units" => json!({"name": t.unit_name}),
        "departments" => json!({"name": t.dept_name}),
        _ if role == Role::SecurityAdmin => json!({"roles": ["intake"]}),
        _ => json!({"display_name": "目标"}),
    };
    let r = app
        .call(
            c,
            Method::PATCH,
            &format!("/api/v1/{kind}/{id}"),
            Some(body),
        )
        .await;
    expect(
        "write",
        ok(r.status),
        may_write && in_scope,
        format!("{} {}", r.status, r.text()),
    );
    if may_write && !in_scope {
        expect(
            "write-404",
            r.status == StatusCode::NOT_FOUND,
            true,
            format!("{}", r.status),
        );
    }
    if !may_write {
        expect(
            "write-403",
            r.status == StatusCode::FORBIDDEN,
            true,
            format!("{}", r.status),
        );
    }
    failures
}

fn urlenc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'_' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permission_matrix() {
    let app = TestApp::new().await;
    let (actors, targets) = setup(&app).await;
    let mut failures = Vec::new();
    let mut checked = 0;
    for (role, c) in &actors {
        for (rel, t) in &targets {
            for kind in ["org-units", "departments", "accounts"] {
                failures.extend(check_resource(&app, *role, c, *rel, t, kind).await);
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 9 * 4 * 3);
    assert!(
        failures.is_empty(),
        "{} matrix failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(app.audit_chain_ok().await > 0);
}

/// Pages through `/api/v1/{kind}` as `c`: the first failing status (or 200) and whether
/// `id` was on a page.
async fn list_every_page(app: &TestApp, c: &Client, kind: &str, id: i64) -> (StatusCode, bool) {
    let mut seen = false;
    let mut cursor = String::new();
    let mut status = StatusCode::OK;
    loop {
        let r = app
            .get(c, &format!("/api/v1/{kind}?limit=500&cursor={cursor}"))
            .await;
        status = if ok(r.status) { status } else { r.status };
        let v = r.json();
        seen |= has(&v, id);
        match v["next_cursor"].as_str() {
            Some(n) if ok(r.status) => cursor = n.to_owned(),
            _ => break,
        }
    }
    (status, seen)
}

/// One case's row of the case matrix: read, list, count, search, write (an attachment) and
/// act (urge) by `role` on a case registered at the `rel` unit.
async fn check_case(
    app: &TestApp,
    role: Role,
    c: &Client,
    rel: Rel,
    id: i64,
    token: &str,
) -> Vec<String> {
    let mut failures = Vec::new();
    let in_scope = matches!(rel, Rel::Own | Rel::Child);
    let may_read = roles_grant(&[role], Permission::ReadCases);
    let may_write = roles_grant(&[role], Permission::WriteCases);
    let visible = may_read && in_scope;
    let mut expect = |op: &str, got: bool, want: bool, detail: String| {
        if got != want {
            failures.push(format!(
                "{role:?} {rel:?} case {op}: got {got}, want {want} ({detail})"
            ));
        }
    };
    // read
    let r = app.get(c, &format!("/api/v1/cases/{id}")).await;
    expect("read", ok(r.status), visible, format!("{}", r.status));
    let want = if !may_read {
        StatusCode::FORBIDDEN
    } else if in_scope {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    expect(
        "read-status",
        r.status == want,
        true,
        format!("{}", r.status),
    );
    // list (every page)
    let (status, seen) = list_every_page(app, c, "cases", id).await;
    expect("list", ok(status) && seen, visible, format!("{status}"));
    // count
    let r = app
        .get(c, &format!("/api/v1/cases/count?q={}", urlenc(token)))
        .await;
    let count = r.json()["count"].as_i64().unwrap_or(-1);
    expect(
        "count",
        ok(r.status) && count >= 1,
        visible,
        format!("{} count={count}", r.status),
    );
    if ok(r.status) && !in_scope {
        expect("count-zero", count == 0, true, format!("count={count}"));
    }
    // search
    let r = app
        .get(c, &format!("/api/v1/cases?q={}", urlenc(token)))
        .await;
    expect(
        "search",
        ok(r.status) && has(&r.json(), id),
        visible,
        format!("{}", r.status),
    );
    // write: add an attachment
    let r = app
        .multipart(
            c,
            &format!("/api/v1/cases/{id}/attachments"),
            &[("files", Some("m.png"), common::PNG)],
            &[],
        )
        .await;
    expect(
        "write",
        ok(r.status),
        may_write && in_scope,
        format!("{} {}", r.status, r.text()),
    );
    let want = if !may_write {
        StatusCode::FORBIDDEN
    } else if in_scope {
        StatusCode::CREATED
    } else {
        StatusCode::NOT_FOUND
    };
    expect(
        "write-status",
        r.status == want,
        true,
        format!("{}", r.status),
    );
    // act: 督办/催办 belong to dispatchers and leaders; others in scope get 409.
    let r = app
        .act(
            c,
            id,
            json!({"action": "urge", "note": "请尽快办理", "new_deadline": "2099-01-01T00:00:00Z"}),
        )
        .await;
    let may_urge = matches!(role, Role::Dispatcher | Role::Leader);
    let want = if !may_read {
        StatusCode::FORBIDDEN
    } else if !in_scope {
        StatusCode::NOT_FOUND
    } else if may_urge {
        StatusCode::OK
    } else {
        StatusCode::CONFLICT
    };
    expect(
        "act",
        r.status == want,
        true,
        format!("{} {}", r.status, r.text()),
    );
    failures
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_permission_matrix() {
    let (app, _dir) = TestApp::with_temp_data_dir().await;
    let (actors, targets) = setup(&app).await;
    // One case at each target unit, registered there by that unit's clerk.
    let mut cases = Vec::new();
    for (rel, t) in &targets {
        let clerk = app.login(&t.username).await;
        let token = format!("matrix{}", format!("{rel:?}").to_ascii_lowercase());
        let mut body = common::walk_in_case(t.unit_id);
        body["title"] = json!(format!("矩阵案件 {token}"));
        cases.push((*rel, app.register_id(&clerk, body).await, token));
    }
    let mut failures = Vec::new();
    let mut checked = 0;
    for (role, c) in &actors {
        for (rel, id, token) in &cases {
            failures.extend(check_case(&app, *role, c, *rel, *id, token).await);
            checked += 1;
        }
    }
    assert_eq!(checked, 9 * 4);
    assert!(
        failures.is_empty(),
        "{} case matrix failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(app.audit_chain_ok().await > 0);
}
