//! Parsing an [`ActionRequest`] into a domain [`Action`]: every field error at once (in
//! Chinese, named after the request field), and the targets checked against the case's
//! responsible center.

use chrono::{DateTime, Utc};
use zongzhi_core::case::{
    Action, ActionKind, CaseError, FollowUpMethod, Note, Outcome, Rating, RouteTarget,
    SupervisionLevel,
};
use zongzhi_core::org::OrgLevel;
use zongzhi_store::{Case, OrgUnit};

use super::act::ActionRequest;
use super::targets::{
    center_chain, escalate_unit, merge_master, route_department, route_unit, send_down_unit,
};
use super::text::FieldErr;
use crate::auth::SessionCtx;
use crate::error::{ApiError, ApiResult, Validation};
use crate::state::AppState;

fn err(e: CaseError) -> FieldErr {
    (e.code(), e.message_zh())
}

/// A required text, reported on `note` whatever its payload name.
fn note(v: &mut Validation, req: &ActionRequest, payload: &'static str) -> Option<Note> {
    let r = match req.note.as_deref() {
        None => Err(err(CaseError::Required { field: payload })),
        Some(s) => Note::parse(s, payload).map_err(err),
    };
    v.check("note", r)
}

/// An optional text; `None` when invalid (recorded), `Some(None)` when absent.
fn note_opt(v: &mut Validation, req: &ActionRequest) -> Option<Option<Note>> {
    v.check(
        "note",
        Note::parse_opt(req.note.as_deref(), "note").map_err(err),
    )
}

fn need<T>(v: &mut Validation, field: &str, value: Option<T>, missing: FieldErr) -> Option<T> {
    v.check(field, value.ok_or(missing))
}

fn code<T>(
    v: &mut Validation,
    field: &str,
    value: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
    missing: FieldErr,
    bad: FieldErr,
) -> Option<T> {
    let r = match value.map(str::trim).filter(|s| !s.is_empty()) {
        None => Err(missing),
        Some(s) => parse(s).ok_or(bad),
    };
    v.check(field, r)
}

fn outcome(v: &mut Validation, req: &ActionRequest) -> Option<Outcome> {
    code(
        v,
        "outcome",
        req.outcome.as_deref(),
        Outcome::parse,
        ("outcome_required", "请选择办结结果"),
        ("outcome_invalid", "办结结果无效"),
    )
}

fn deadline(v: &mut Validation, req: &ActionRequest, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let r = match req.new_deadline {
        None => Err(("new_deadline_required", "请填写新的办理期限")),
        Some(d) if d <= now => Err(err(CaseError::DeadlineInPast)),
        Some(d) => Ok(d),
    };
    v.check("new_deadline", r)
}

/// Builds the route target, checking each department or the unit against the center.
async fn route(
    state: &AppState,
    v: &mut Validation,
    req: &ActionRequest,
    chain: &[OrgUnit],
) -> ApiResult<Option<(RouteTarget, OrgLevel)>> {
    let co = req.co_handler_ids.clone().unwrap_or_default();
    match (req.department_id, req.org_unit_id) {
        (Some(_), Some(_)) => {
            v.check::<()>(
                "org_unit_id",
                Err(("route_target_ambiguous", "交办部门与下级中心只能选择其一")),
            );
            Ok(None)
        }
        (None, None) => {
            v.check::<()>(
                "department_id",
                Err(("route_target_required", "请选择交办部门或下级中心")),
            );
            Ok(None)
        }
        (None, Some(unit)) => {
            if !co.is_empty() {
                v.check::<()>(
                    "co_handler_ids",
                    Err((
                        "co_handlers_need_department",
                        "交办下级中心时不能指定协办部门",
                    )),
                );
            }
            let tier = route_unit(state, chain, unit).await?;
            let tier = v.check("org_unit_id", tier);
            let target = v.check("org_unit_id", RouteTarget::org_unit(unit).map_err(err));
            Ok(tier.zip(target).map(|(t, g)| (g, t)))
        }
        (Some(dept), None) => {
            let tier = route_department(state, chain, dept).await?;
            let tier = v.check("department_id", tier);
            let mut co_ok = true;
            for &c in &co {
                if route_department(state, chain, c).await?.is_err() {
                    co_ok = false;
                }
            }
            if !co_ok {
                v.check::<()>(
                    "co_handler_ids",
                    Err((
                        "co_handlers_invalid",
                        "协办部门须为本中心或上级中心的在用入驻部门",
                    )),
                );
            }
            let target = v.check(
                "co_handler_ids",
                RouteTarget::department(dept, co).map_err(err),
            );
            Ok(tier.zip(target).filter(|_| co_ok).map(|(t, g)| (g, t)))
        }
    }
}

/// Parses the request's payload for `kind` (every field error at once). Answers the
/// action and, for a route, the target's tier.
pub(crate) async fn parse_action(
    state: &AppState,
    ctx: &SessionCtx,
    case: &Case,
    kind: ActionKind,
    req: &ActionRequest,
) -> ApiResult<(Action, Option<OrgLevel>)> {
    use ActionKind as K;
    let mut v = Validation::default();
    let now = state.clock.now();
    let needs_chain = matches!(kind, K::Route | K::Escalate | K::SendDown);
    let chain = if needs_chain {
        center_chain(state, case.state.center_unit_id).await?
    } else {
        Vec::new()
    };
    let v = &mut v;
    let mut tier = None;
    let action = match kind {
        K::Register => Some(Action::Register {
            channel: case.channel,
        }),
        K::Route => {
            let target = route(state, v, req, &chain).await?;
            let n = note_opt(v, req);
            target.zip(n).map(|((target, t), note)| {
                tier = Some(t);
                Action::Route { target, note }
            })
        }
        K::Accept => note_opt(v, req).map(|note| Action::Accept { note }),
        K::Return => note(v, req, "reason").map(|reason| Action::Return { reason }),
        K::RequestExtension => {
            let days =
                need(v, "days", req.days, ("days_required", "请填写延期天数")).and_then(|d| {
                    let ok = (1..=Action::MAX_EXTENSION_DAYS).contains(&d);
                    v.check(
                        "days",
                        if ok {
                            Ok(d)
                        } else {
                            Err(err(CaseError::BadExtensionDays))
                        },
                    )
                });
            let reason = note(v, req, "reason");
            days.zip(reason)
                .map(|(days, reason)| Action::RequestExtension { days, reason })
        }
        K::DecideExtension => {
            let approved = need(
                v,
                "approved",
                req.approved,
                ("approved_required", "请选择是否批准延期"),
            );
            let n = note_opt(v, req);
            approved
                .zip(n)
                .map(|(approved, note)| Action::DecideExtension { approved, note })
        }
        K::Progress => note(v, req, "note").map(|note| Action::Progress { note }),
        K::Resolve => {
            let o = outcome(v, req);
            let n = note(v, req, "note");
            o.zip(n)
                .map(|(outcome, note)| Action::Resolve { outcome, note })
        }
        K::Verify => {
            let passed = need(
                v,
                "passed",
                req.passed,
                ("passed_required", "请选择核查是否通过"),
            );
            let n = note_opt(v, req);
            passed
                .zip(n)
                .map(|(passed, note)| Action::Verify { passed, note })
        }
        K::Close => note_opt(v, req).map(|note| Action::Close { note }),
        K::FollowUp => {
            let rating = need(
                v,
                "rating",
                req.rating,
                ("rating_required", "请选择满意度评价"),
            )
            .and_then(|r| v.check("rating", Rating::from_value(r).map_err(err)));
            let method = code(
                v,
                "method",
                req.method.as_deref(),
                FollowUpMethod::parse,
                ("method_required", "请选择回访方式"),
                ("method_invalid", "回访方式无效"),
            );
            let n = note_opt(v, req);
            rating
                .zip(method)
                .zip(n)
                .map(|((rating, method), note)| Action::FollowUp {
                    rating,
                    method,
                    note,
                })
        }
        K::Reopen => note(v, req, "reason").map(|reason| Action::Reopen { reason }),
        K::Archive => note_opt(v, req).map(|note| Action::Archive { note }),
        K::Supervise => {
            let level = code(
                v,
                "level",
                req.level.as_deref(),
                SupervisionLevel::parse,
                ("level_required", "请选择督办级别"),
                ("level_invalid", "督办级别无效"),
            );
            let n = note(v, req, "note");
            let d = deadline(v, req, now);
            level
                .zip(n)
                .zip(d)
                .map(|((level, note), new_deadline)| Action::Supervise {
                    level,
                    note,
                    new_deadline,
                })
        }
        K::Urge => {
            let n = note(v, req, "note");
            let d = deadline(v, req, now);
            n.zip(d)
                .map(|(note, new_deadline)| Action::Urge { note, new_deadline })
        }
        K::Escalate | K::SendDown => {
            const MISSING: FieldErr = ("to_org_unit_required", "请选择目标中心");
            let to = need(v, "to_org_unit_id", req.to_org_unit_id, MISSING);
            let to = match to {
                Some(id) => {
                    let ok = if kind == K::Escalate {
                        escalate_unit(state, &chain, id).await?
                    } else {
                        send_down_unit(state, &chain, id).await?
                    };
                    v.check("to_org_unit_id", ok.map(|()| id))
                }
                None => None,
            };
            if kind == K::Escalate {
                let reason = note(v, req, "reason");
                to.zip(reason)
                    .map(|(to_org_unit_id, reason)| Action::Escalate {
                        to_org_unit_id,
                        reason,
                    })
            } else {
                let n = note_opt(v, req);
                to.zip(n).map(|(to_org_unit_id, note)| Action::SendDown {
                    to_org_unit_id,
                    note,
                })
            }
        }
        K::Merge => {
            const MISSING: FieldErr = ("master_case_required", "请选择合并目标案件");
            let master = match need(v, "master_case_id", req.master_case_id, MISSING) {
                Some(m) => {
                    let ok = merge_master(state, ctx, case.id, m).await?;
                    v.check("master_case_id", ok.map(|()| m))
                }
                None => None,
            };
            let n = note_opt(v, req);
            master.zip(n).map(|(master_case_id, note)| Action::Merge {
                master_case_id,
                note,
            })
        }
        K::TriageClose => {
            let o = outcome(v, req);
            let answer = note(v, req, "answer");
            o.zip(answer)
                .map(|(outcome, answer)| Action::TriageClose { outcome, answer })
        }
    };
    std::mem::take(v).finish()?;
    let action = action.ok_or_else(|| {
        ApiError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
    })?;
    Ok((action, tier))
}
