//! The staff a realistic history needs: at every center a clerk who registers (受理员) and
//! a dispatcher (分流员), at every town and village a mediator who signs for what is
//! routed there, and in every department a handler. The demo seeds one account per role;
//! the rest are created here, once, with a random password nobody knows (an administrator
//! resets it to hand the account out) and the first-sign-in password change required.

use anyhow::Context;
use chrono::NaiveDate;
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::json;
use zongzhi_core::account::{DisplayName, Username};
use zongzhi_core::audit::{AuditOutcome, NewAuditEntry};
use zongzhi_core::org::{DepartmentId, OrgLevel, OrgUnitId};
use zongzhi_core::role::{Role, Scope};
use zongzhi_store::{NewAccount, StoreError};

use super::people;
use super::world::World;
use crate::state::AppState;

/// One account to make sure of.
struct Need {
    username: String,
    unit: OrgUnitId,
    dept: Option<DepartmentId>,
    roles: Vec<Role>,
}

/// What the tree needs that `world` lacks.
fn needs(world: &World) -> Vec<Need> {
    let mut out = Vec::new();
    for u in &world.units {
        let wanted: &[(&str, &[Role])] = match u.level {
            OrgLevel::County => &[
                ("intake", &[Role::Intake]),
                ("dispatch", &[Role::Dispatcher]),
            ],
            OrgLevel::Town => &[
                ("intake", &[Role::Intake]),
                ("dispatch", &[Role::Dispatcher]),
                ("mediator", &[Role::Mediator]),
            ],
            OrgLevel::Village => &[
                ("intake", &[Role::Intake, Role::GridWorker]),
                ("dispatch", &[Role::Dispatcher]),
                ("mediator", &[Role::Mediator]),
            ],
            OrgLevel::City | OrgLevel::Grid => &[],
        };
        for (prefix, roles) in wanted {
            let present = match roles.first() {
                Some(Role::Mediator) => world.unit_holder(u.id).is_some(),
                Some(&r) => world.staff_at(u.id, r).is_some(),
                None => true,
            };
            if !present {
                out.push(Need {
                    username: format!("{prefix}.{}", u.code),
                    unit: u.id,
                    dept: None,
                    roles: roles.to_vec(),
                });
            }
        }
    }
    for u in &world.units {
        let depts = world.depts.iter().filter(|d| d.unit_id == u.id);
        for (i, d) in depts.enumerate() {
            if world.dept_holder(d.id).is_none() {
                out.push(Need {
                    username: format!("handler.{}.{}", u.code, i + 1),
                    unit: u.id,
                    dept: Some(d.id),
                    roles: vec![Role::Handler],
                });
            }
        }
    }
    out
}

/// Creates the missing staff accounts and adds them to `world`; returns how many were
/// created. A username already taken (by an account that does not fit) is skipped: the
/// generator then falls back to the nearest fitting account above.
pub(super) async fn ensure_staff(
    state: &AppState,
    world: &mut World,
    seed: u64,
) -> anyhow::Result<usize> {
    let needs = needs(world);
    if needs.is_empty() {
        return Ok(0);
    }
    let root = Scope::subtree(0, "/");
    let secret = format!("Rr#{}9a", crate::auth::random_token());
    let hash = crate::auth::password::hash_password(secret)
        .await
        .map_err(|e| anyhow::anyhow!("hashing: {}", e.code))?;
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed_57af);
    let born = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
    let mut created = 0;
    for n in needs {
        let name = people::person(&mut rng, born, 26, 55).name;
        let new = NewAccount {
            username: Username::parse(&n.username).context("staff username")?,
            display_name: DisplayName::parse(&name).context("staff name")?,
            org_unit_id: n.unit,
            department_id: n.dept,
            roles: n.roles,
            password_hash: hash.clone(),
            phone_enc: None,
            phone_index: None,
            phone_masked: None,
            must_change_password: true,
        };
        let audit = NewAuditEntry::new("account.create", "account", AuditOutcome::Success)
            .by(None, "system")
            .detail(json!({ "source": "demo_cases" }));
        match state.store.create_account(&root, new, audit).await {
            Ok(a) => {
                world.add_staff(&a);
                created += 1;
            }
            Err(StoreError::Conflict(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(created)
}
