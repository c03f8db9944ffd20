//! Where a case may go: route targets (a department of the responsible center or of a
//! center above it, or a lower-tier center below it), 提级 and 下派 targets, and the master
//! of a merge.

use zongzhi_core::case::{CaseError, CaseId};
use zongzhi_core::org::{DepartmentId, OrgLevel, OrgUnitId, path_within};
use zongzhi_core::role::Permission;
use zongzhi_store::{Department, DepartmentFilter, OrgUnit, OrgUnitFilter, StoreError};

use super::text::FieldErr;
use super::whole_tree;
use crate::auth::SessionCtx;
use crate::error::ApiResult;
use crate::state::AppState;

/// The departments and lower-tier centers a case may be routed to.
#[derive(Debug, Clone)]
pub struct RouteTargets {
    /// Active departments of the responsible center and of the centers above it, nearest
    /// first.
    pub departments: Vec<Department>,
    /// Active units directly below the responsible center.
    pub units: Vec<OrgUnit>,
}

/// The responsible center and its ancestors, nearest first (at most five tiers).
pub(crate) async fn center_chain(state: &AppState, center: OrgUnitId) -> ApiResult<Vec<OrgUnit>> {
    let all = whole_tree();
    let mut chain = vec![state.store.get_org_unit(&all, center).await?];
    while let Some(parent) = chain.last().and_then(|u| u.parent_id) {
        if chain.len() > OrgLevel::ALL.len() {
            break;
        }
        chain.push(state.store.get_org_unit(&all, parent).await?);
    }
    Ok(chain)
}

/// Whether `unit` lies strictly below `center`.
fn strictly_below(unit: &OrgUnit, center: &OrgUnit) -> bool {
    unit.path != center.path && path_within(&unit.path, &center.path)
}

/// An org unit by id from the whole tree, `None` if it does not exist.
async fn unit(state: &AppState, id: OrgUnitId) -> ApiResult<Option<OrgUnit>> {
    if id <= 0 {
        return Ok(None);
    }
    match state.store.get_org_unit(&whole_tree(), id).await {
        Ok(u) => Ok(Some(u)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// A route's lead or co-handling department: active, on the center or a center above it.
/// Answers the tier of its unit (for the time limits).
pub(crate) async fn route_department(
    state: &AppState,
    chain: &[OrgUnit],
    id: DepartmentId,
) -> ApiResult<Result<OrgLevel, FieldErr>> {
    const BAD: FieldErr = (
        "route_department_invalid",
        "交办部门须为本中心或上级中心的在用入驻部门",
    );
    if id <= 0 {
        return Ok(Err(BAD));
    }
    let d = match state.store.get_department(&whole_tree(), id).await {
        Ok(d) => d,
        Err(StoreError::NotFound) => return Ok(Err(BAD)),
        Err(e) => return Err(e.into()),
    };
    Ok(chain
        .iter()
        .find(|u| u.id == d.org_unit_id)
        .filter(|_| d.active)
        .map(|u| u.level)
        .ok_or(BAD))
}

/// A route to a lower-tier center: an active unit strictly below the center. Answers its
/// tier.
pub(crate) async fn route_unit(
    state: &AppState,
    chain: &[OrgUnit],
    id: OrgUnitId,
) -> ApiResult<Result<OrgLevel, FieldErr>> {
    let center = chain.first();
    Ok(unit(state, id)
        .await?
        .filter(|u| u.active && center.is_some_and(|c| strictly_below(u, c)))
        .map(|u| u.level)
        .ok_or(("route_unit_invalid", "交办单位须为本中心下级的在用单位")))
}

/// 提级: an active center above the responsible one.
pub(crate) async fn escalate_unit(
    state: &AppState,
    chain: &[OrgUnit],
    id: OrgUnitId,
) -> ApiResult<Result<(), FieldErr>> {
    Ok(unit(state, id)
        .await?
        .filter(|u| u.active && chain.iter().skip(1).any(|a| a.id == u.id))
        .map(|_| ())
        .ok_or(("escalate_target_invalid", "提级目标须为上级中心")))
}

/// 下派: an active center below the responsible one.
pub(crate) async fn send_down_unit(
    state: &AppState,
    chain: &[OrgUnit],
    id: OrgUnitId,
) -> ApiResult<Result<(), FieldErr>> {
    let center = chain.first();
    Ok(unit(state, id)
        .await?
        .filter(|u| u.active && center.is_some_and(|c| strictly_below(u, c)))
        .map(|_| ())
        .ok_or(("send_down_target_invalid", "下派目标须为下级中心")))
}

/// 合并: the master must be another case the caller may see, not itself merged.
pub(crate) async fn merge_master(
    state: &AppState,
    ctx: &SessionCtx,
    case_id: CaseId,
    master: CaseId,
) -> ApiResult<Result<(), FieldErr>> {
    if master == case_id {
        let e = CaseError::SelfMerge;
        return Ok(Err((e.code(), e.message_zh())));
    }
    if master <= 0 {
        return Ok(Err((
            "master_case_invalid",
            "合并目标案件不存在或不在您的管辖范围内",
        )));
    }
    match state.store.get_case(&ctx.scope(), master).await {
        Ok(m) if m.case.state.facts.is_merged => {
            Ok(Err(("master_case_merged", "合并目标案件本身已被合并")))
        }
        Ok(_) => Ok(Ok(())),
        Err(StoreError::NotFound) => Ok(Err((
            "master_case_invalid",
            "合并目标案件不存在或不在您的管辖范围内",
        ))),
        Err(e) => Err(e.into()),
    }
}

/// The departments and lower-tier centers a case the caller may see could be routed to
/// (for the route form; whether the caller may route at all is in `allowed_actions`).
pub async fn route_targets_as(
    state: &AppState,
    ctx: &SessionCtx,
    case_id: CaseId,
) -> ApiResult<RouteTargets> {
    ctx.require(Permission::ReadCases)?;
    let detail = state.store.get_case(&ctx.scope(), case_id).await?;
    let chain = center_chain(state, detail.case.state.center_unit_id).await?;
    let all = whole_tree();
    let mut departments = Vec::new();
    for u in &chain {
        let f = DepartmentFilter {
            org_unit_id: Some(u.id),
            limit: Some(zongzhi_store::MAX_PAGE),
            ..Default::default()
        };
        let page = state.store.list_departments(&all, &f).await?;
        departments.extend(page.items.into_iter().filter(|d| d.active));
    }
    let units = match chain.first() {
        Some(center) => {
            let f = OrgUnitFilter {
                parent_id: Some(center.id),
                limit: Some(zongzhi_store::MAX_PAGE),
                ..Default::default()
            };
            let page = state.store.list_org_units(&all, &f).await?;
            page.items.into_iter().filter(|u| u.active).collect()
        }
        None => Vec::new(),
    };
    Ok(RouteTargets { departments, units })
}
