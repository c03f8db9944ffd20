//! The demo jurisdiction created on the first run of an empty database: 临江市 with 2
//! counties, 8 towns, 32 villages and 160 grids (synthetic rectangles tiling the city, so
//! no map data is needed), stationed departments and one account for every role.

use anyhow::{Context, bail};
use serde_json::json;
use zongzhi_core::account::{DisplayName, NewPassword, Username};
use zongzhi_core::audit::{AuditOutcome, NewAuditEntry};
use zongzhi_core::org::{DepartmentKind, OrgCode, OrgLevel, UnitName};
use zongzhi_core::personal::PhoneNo;
use zongzhi_core::role::{Role, Scope};
use zongzhi_store::{NewAccount, NewDepartment, NewOrgUnit, OrgUnit, OrgUnitFilter};

use crate::auth::password::hash_password;
use crate::state::AppState;

/// A demo account, for the console message and the README.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    /// Username.
    pub username: &'static str,
    /// What it is for.
    pub description: String,
}

/// What seeding created.
#[derive(Debug, Clone)]
pub struct DemoReport {
    /// The accounts.
    pub accounts: Vec<DemoAccount>,
    /// The password, when it was generated (print once).
    pub generated_password: Option<String>,
    /// Units created.
    pub units: usize,
    /// Departments created.
    pub departments: usize,
    /// Cases of demo history generated (`demo.cases`).
    pub cases: u64,
}

/// A rectangle in lon/lat.
#[derive(Debug, Clone, Copy)]
struct Rect {
    w: f64,
    s: f64,
    e: f64,
    n: f64,
}

impl Rect {
    /// Splits into `k` strips, vertically when `vertical`.
    fn split(self, k: usize, vertical: bool) -> Vec<Rect> {
        let kf = k as f64;
        (0..k)
            .map(|i| {
                let (a, b) = (i as f64 / kf, (i + 1) as f64 / kf);
                if vertical {
                    Rect {
                        w: self.w + (self.e - self.w) * a,
                        e: self.w + (self.e - self.w) * b,
                        ..self
                    }
                } else {
                    Rect {
                        s: self.s + (self.n - self.s) * a,
                        n: self.s + (self.n - self.s) * b,
                        ..self
                    }
                }
            })
            .collect()
    }

    fn geojson(self) -> String {
        let r = |x: f64| (x * 1e6).round() / 1e6;
        json!({
            "type": "Polygon",
            "coordinates": [[
                [r(self.w), r(self.s)], [r(self.e), r(self.s)], [r(self.e), r(self.n)],
                [r(self.w), r(self.n)], [r(self.w), r(self.s)]
            ]]
        })
        .to_string()
    }
}

const COUNTIES: [(&str, &str); 2] = [("339901", "东湖区"), ("339902", "青山县")];
const TOWNS: [[&str; 4]; 2] = [
    ["望江街道", "东湖街道", "柳河镇", "石桥镇"],
    ["青山镇", "白沙镇", "枫林乡", "龙潭镇"],
];
const VILLAGES: [&str; 16] = [
    "新华社区",
    "幸福社区",
    "和平村",
    "南岭村",
    "北山村",
    "东坪村",
    "西溪村",
    "杨柳村",
    "桃源村",
    "金桥社区",
    "青石村",
    "红星村",
    "丰收村",
    "滨江社区",
    "长塘村",
    "梅花村",
];
const COUNTY_DEPTS: [(&str, DepartmentKind); 16] = [
    ("公安局", DepartmentKind::Resident),
    ("司法局", DepartmentKind::Resident),
    ("信访局", DepartmentKind::Resident),
    ("人力资源和社会保障局", DepartmentKind::Resident),
    ("住房和城乡建设局", DepartmentKind::Rotating),
    ("民政局", DepartmentKind::Rotating),
    ("生态环境分局", DepartmentKind::Rotating),
    ("市场监督管理局", DepartmentKind::Rotating),
    ("人民法院", DepartmentKind::Rotating),
    ("卫生健康局", DepartmentKind::Liaison),
    ("教育局", DepartmentKind::Liaison),
    ("自然资源局", DepartmentKind::Liaison),
    ("应急管理局", DepartmentKind::Liaison),
    ("城市管理局", DepartmentKind::Liaison),
    ("总工会", DepartmentKind::Liaison),
    ("妇联", DepartmentKind::Liaison),
];

/// (username, display name, unit, department, roles) of a demo account.
type AccountSpec<'a> = (
    &'static str,
    &'static str,
    &'a OrgUnit,
    Option<i64>,
    Vec<Role>,
);

fn system_audit(action: &str, target: &str) -> NewAuditEntry {
    NewAuditEntry::new(action, target, AuditOutcome::Success)
        .by(None, "system")
        .detail(json!({ "source": "demo" }))
}

/// A password that meets the policy for every demo username.
fn generate_password() -> String {
    let token = crate::auth::random_token();
    let core: String = token
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(12)
        .collect();
    format!("Zz#{core}9a")
}

/// Creates the demo jurisdiction when the database has no org units; otherwise does nothing.
/// Either way it first makes sure the reference data is there
/// ([`crate::reference::ensure_reference_data`]).
pub async fn seed_if_empty(
    state: &AppState,
    password: Option<&str>,
) -> anyhow::Result<Option<DemoReport>> {
    crate::reference::ensure_reference_data(state).await?;
    let root = Scope::subtree(0, "/");
    if state
        .store
        .count_org_units(&root, &OrgUnitFilter::default())
        .await?
        > 0
    {
        return Ok(None);
    }
    let generated = password.is_none().then(generate_password);
    let password = password
        .map(str::to_owned)
        .or_else(|| generated.clone())
        .unwrap_or_default();

    let mut units = 0;
    let mut add = async |parent: Option<&OrgUnit>,
                         level,
                         code: String,
                         name: &str,
                         rect: Rect|
           -> anyhow::Result<OrgUnit> {
        let new = NewOrgUnit {
            parent_id: parent.map(|p| p.id),
            level,
            code: OrgCode::parse(&code).context("demo org code")?,
            name: UnitName::parse(name).context("demo org name")?,
            geojson: Some(rect.geojson()),
        };
        units += 1;
        Ok(state
            .store
            .create_org_unit(&root, new, system_audit("org_unit.create", "org_unit"))
            .await?)
    };

    let city_rect = Rect {
        w: 119.60,
        s: 29.80,
        e: 120.20,
        n: 30.20,
    };
    let city = add(None, OrgLevel::City, "339900".into(), "临江市", city_rect).await?;
    let mut counties = Vec::new();
    let mut towns = Vec::new();
    let mut villages = Vec::new();
    let mut grids = Vec::new();
    for (ci, (crect, (ccode, cname))) in city_rect
        .split(2, true)
        .into_iter()
        .zip(COUNTIES)
        .enumerate()
    {
        let county = add(Some(&city), OrgLevel::County, ccode.into(), cname, crect).await?;
        for (ti, trect) in crect.split(4, false).into_iter().enumerate() {
            let tcode = format!("{ccode}{:03}", ti + 1);
            let town = add(
                Some(&county),
                OrgLevel::Town,
                tcode.clone(),
                TOWNS[ci][ti],
                trect,
            )
            .await?;
            for (vi, vrect) in trect.split(4, true).into_iter().enumerate() {
                let vcode = format!("{tcode}{:03}", vi + 1);
                let vname = VILLAGES[(ci * 4 + ti + vi * 3) % VILLAGES.len()];
                let village =
                    add(Some(&town), OrgLevel::Village, vcode.clone(), vname, vrect).await?;
                for (gi, grect) in vrect.split(5, false).into_iter().enumerate() {
                    let g = add(
                        Some(&village),
                        OrgLevel::Grid,
                        format!("{vcode}{:02}", gi + 1),
                        &format!("第{}网格", gi + 1),
                        grect,
                    )
                    .await?;
                    grids.push(g);
                }
                villages.push(village);
            }
            towns.push(town);
        }
        counties.push(county);
    }

    let mut departments = 0;
    let mut dept =
        async |unit: &OrgUnit, name: String, kind| -> anyhow::Result<zongzhi_store::Department> {
            departments += 1;
            let new = NewDepartment {
                org_unit_id: unit.id,
                name: UnitName::parse(&name).context("demo department")?,
                kind,
            };
            Ok(state
                .store
                .create_department(&root, new, system_audit("department.create", "department"))
                .await?)
        };
    for (name, kind) in [
        ("市公安局", DepartmentKind::Resident),
        ("市信访局", DepartmentKind::Resident),
        ("市中级人民法院", DepartmentKind::Rotating),
    ] {
        dept(&city, name.into(), kind).await?;
    }
    let mut county_police = Vec::new();
    for county in &counties {
        for (name, kind) in COUNTY_DEPTS {
            let d = dept(county, format!("{}{name}", county.name), kind).await?;
            if name == "公安局" {
                county_police.push(d);
            }
        }
    }
    for town in &towns {
        dept(
            town,
            format!("{}派出所", town.name),
            DepartmentKind::Resident,
        )
        .await?;
        dept(
            town,
            format!("{}司法所", town.name),
            DepartmentKind::Resident,
        )
        .await?;
    }

    let (
        Some(county1),
        Some(county2),
        Some(town1),
        Some(town2),
        Some(village1),
        Some(grid1),
        Some(police1),
    ) = (
        counties.first(),
        counties.get(1),
        towns.first(),
        towns.get(1),
        villages.first(),
        grids.first(),
        county_police.first(),
    )
    else {
        bail!("demo tree incomplete");
    };
    let county2_town1 = towns.get(4).unwrap_or(town2);
    let specs: Vec<AccountSpec<'_>> = vec![
        ("admin", "赵系统", &city, None, vec![Role::SysAdmin]),
        ("security", "钱安全", &city, None, vec![Role::SecurityAdmin]),
        ("auditor", "孙审计", &city, None, vec![Role::Auditor]),
        ("leader", "李市长", &city, None, vec![Role::Leader]),
        (
            "city_dispatcher",
            "周调度",
            &city,
            None,
            vec![Role::Dispatcher],
        ),
        (
            "county_admin",
            "吴管理",
            county1,
            None,
            vec![Role::SysAdmin],
        ),
        ("county_leader", "郑县长", county1, None, vec![Role::Leader]),
        (
            "county_dispatcher",
            "王分流",
            county1,
            None,
            vec![Role::Dispatcher],
        ),
        (
            "county2_dispatcher",
            "冯分流",
            county2,
            None,
            vec![Role::Dispatcher],
        ),
        (
            "dept_handler",
            "陈警官",
            county1,
            Some(police1.id),
            vec![Role::Handler],
        ),
        ("town_intake", "褚受理", town1, None, vec![Role::Intake]),
        (
            "town_dispatcher",
            "卫调度",
            town1,
            None,
            vec![Role::Dispatcher],
        ),
        ("town2_intake", "蒋受理", town2, None, vec![Role::Intake]),
        (
            "county2_town_intake",
            "沈受理",
            county2_town1,
            None,
            vec![Role::Intake],
        ),
        ("mediator", "韩调解", town1, None, vec![Role::Mediator]),
        (
            "village_worker",
            "杨专干",
            village1,
            None,
            vec![Role::Intake, Role::GridWorker],
        ),
        ("grid_worker", "朱网格", grid1, None, vec![Role::GridWorker]),
    ];
    let mut accounts = Vec::new();
    for (i, (username, name, unit, department_id, roles)) in specs.into_iter().enumerate() {
        let u = Username::parse(username).context("demo username")?;
        let pw = NewPassword::parse(&password, &u).map_err(|e| {
            anyhow::anyhow!("ZONGZHI_DEMO_PASSWORD does not meet the password policy: {e}")
        })?;
        let hash = hash_password(pw.expose().to_owned())
            .await
            .map_err(|e| anyhow::anyhow!("hashing: {}", e.code))?;
        let phone =
            PhoneNo::parse(&format!("139{:08}", 57_210_000 + i * 37)).context("demo phone")?;
        let enc = state
            .cipher
            .encrypt(phone.as_str(), b"account.phone")
            .context("encrypting phone")?;
        let new = NewAccount {
            username: u,
            display_name: DisplayName::parse(name).context("demo name")?,
            org_unit_id: unit.id,
            department_id,
            roles: roles.clone(),
            password_hash: hash,
            phone_enc: Some(enc),
            phone_index: Some(state.index.compute("account.phone", phone.as_str())),
            phone_masked: Some(phone.masked()),
            must_change_password: false,
        };
        state
            .store
            .create_account(&root, new, system_audit("account.create", "account"))
            .await?;
        let labels: Vec<&str> = roles.iter().map(|r| r.label_zh()).collect();
        accounts.push(DemoAccount {
            username,
            description: format!("{}（{}）", labels.join("、"), unit.name),
        });
    }
    state
        .store
        .append_audit(system_audit("system.demo_seeded", "system"))
        .await?;
    let cases = seed_history(state).await?;
    Ok(Some(DemoReport {
        accounts,
        generated_password: generated,
        units,
        departments,
        cases,
    }))
}

/// Generates `demo.cases` cases of history for the jurisdiction just created.
async fn seed_history(state: &AppState) -> anyhow::Result<u64> {
    let total = state.config.demo.cases;
    if total == 0 {
        return Ok(0);
    }
    let opts = crate::demo_cases::DemoCaseOptions::new(total, state.clock.now());
    let summary = crate::demo_cases::generate_cases(state, &opts, |p| {
        if p.written % 5_000 < crate::demo_cases::BATCH as u64 || p.written == p.total {
            tracing::info!(
                written = p.written,
                total = p.total,
                "generating demo history"
            );
        }
    })
    .await
    .context("generating the demo case history")?;
    tracing::info!(
        cases = summary.written,
        merged = summary.merged,
        staff = summary.staff_created,
        seconds = summary.elapsed.as_secs_f64(),
        "demo history generated"
    );
    Ok(summary.written)
}
