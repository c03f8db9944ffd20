//! The action panel of 事件详情: one small form for each action the user may take now
//! (exactly `allowed_actions`), with the fields that action needs.

use zongzhi_core::case::{
    ActionKind, CaseStatus, FollowUpMethod, Outcome, Rating, SupervisionLevel,
};
use zongzhi_store::{Case, OrgUnit};

use super::views::{Errors, Fields};
use crate::auth::SessionCtx;
use crate::cases::{RouteTargets, route_targets_as, whole_tree};
use crate::console::admin::{Opt, opts};
use crate::error::ApiResult;
use crate::state::AppState;

/// A submitted action form that failed: shown again, open, with its errors.
#[derive(Debug, Default)]
pub(super) struct Posted {
    /// The action's kind as submitted.
    pub kind: String,
    /// What was typed.
    pub fields: Fields,
    /// The errors.
    pub errors: Errors,
}

/// One input of an action form.
#[derive(Debug, Clone)]
pub(super) struct Field {
    /// Form name.
    pub name: &'static str,
    /// Label.
    pub label: &'static str,
    /// `select`, `multi`, `radio`, `textarea`, `number`, `datetime`, `text`.
    pub input: &'static str,
    /// Typed value (text inputs).
    pub value: String,
    /// Options (select, multi, radio).
    pub options: Vec<Opt>,
    /// Error beside it.
    pub error: Option<String>,
    /// Hint below it.
    pub hint: &'static str,
}

/// One action's form.
#[derive(Debug, Clone)]
pub(super) struct ActionForm {
    /// The action.
    pub kind: ActionKind,
    /// Unfolded (the one that just failed).
    pub open: bool,
    /// Its inputs.
    pub fields: Vec<Field>,
    /// A line of context above the inputs (e.g. the days asked for).
    pub info: String,
    /// Error of the form as a whole.
    pub error: Option<String>,
}

/// Everything the forms need to offer choices.
struct Ctx<'a> {
    posted: Option<&'a Posted>,
    kind: ActionKind,
}

impl Ctx<'_> {
    fn mine(&self) -> Option<&Posted> {
        self.posted.filter(|p| p.kind == self.kind.as_str())
    }

    fn value(&self, name: &str) -> String {
        self.mine().map(|p| p.fields.one(name)).unwrap_or_default()
    }

    fn error(&self, name: &str) -> Option<String> {
        self.mine()
            .and_then(|p| p.errors.get(name))
            .map(str::to_owned)
    }

    fn field(&self, name: &'static str, label: &'static str, input: &'static str) -> Field {
        Field {
            name,
            label,
            input,
            value: self.value(name),
            options: Vec::new(),
            error: self.error(name),
            hint: "",
        }
    }

    fn select<V: ToString, L: ToString>(
        &self,
        name: &'static str,
        label: &'static str,
        items: impl IntoIterator<Item = (V, L)>,
        default: &str,
    ) -> Field {
        let typed = self.value(name);
        let current = if self.mine().is_some() {
            typed
        } else {
            default.to_owned()
        };
        Field {
            options: opts(items, &current),
            ..self.field(name, label, "select")
        }
    }

    fn multi(&self, name: &'static str, label: &'static str, items: Vec<(i64, String)>) -> Field {
        let chosen = self.mine().map(|p| p.fields.all(name)).unwrap_or_default();
        Field {
            options: items
                .into_iter()
                .map(|(v, l)| Opt {
                    selected: chosen.contains(&v.to_string()),
                    value: v.to_string(),
                    label: l,
                })
                .collect(),
            ..self.field(name, label, "multi")
        }
    }

    fn radio(&self, name: &'static str, label: &'static str, items: [(&str, &str); 2]) -> Field {
        Field {
            input: "radio",
            ..self.select(name, label, items, "")
        }
    }

    fn note(&self, label: &'static str) -> Field {
        self.field("note", label, "textarea")
    }
}

fn outcomes() -> impl Iterator<Item = (&'static str, &'static str)> {
    Outcome::ALL.iter().map(|o| (o.as_str(), o.label_zh()))
}

fn unit_label(u: &OrgUnit) -> (i64, String) {
    (u.id, format!("{}（{}）", u.name, u.level.label_zh()))
}

/// The centers above the case's responsible center, nearest first (提级 targets). Their
/// names are reference data read outside the user's subtree, as the service does.
async fn higher_centers(state: &AppState, case: &Case) -> ApiResult<Vec<OrgUnit>> {
    let all = whole_tree();
    let mut out: Vec<OrgUnit> = Vec::new();
    let mut next = state
        .store
        .get_org_unit(&all, case.state.center_unit_id)
        .await?
        .parent_id;
    while let Some(id) = next {
        if out.len() >= zongzhi_core::org::OrgLevel::ALL.len() {
            break;
        }
        let u = state.store.get_org_unit(&all, id).await?;
        next = u.parent_id;
        out.push(u);
    }
    out.retain(|u| u.active);
    Ok(out)
}

/// The forms of `allowed`, in the state machine's order; `posted` reopens the one that
/// failed with what was typed.
pub(super) async fn build(
    state: &AppState,
    ctx: &SessionCtx,
    case: &Case,
    allowed: &[ActionKind],
    posted: Option<&Posted>,
) -> ApiResult<Vec<ActionForm>> {
    use ActionKind as K;
    let targets = if allowed.iter().any(|k| matches!(k, K::Route | K::SendDown)) {
        route_targets_as(state, ctx, case.id).await?
    } else {
        RouteTargets {
            departments: Vec::new(),
            units: Vec::new(),
        }
    };
    let higher = if allowed.contains(&K::Escalate) {
        higher_centers(state, case).await?
    } else {
        Vec::new()
    };
    let departments: Vec<(i64, String)> = targets
        .departments
        .iter()
        .map(|d| (d.id, format!("{}（{}）", d.name, d.org_unit_name)))
        .collect();
    let lower: Vec<(i64, String)> = targets.units.iter().map(unit_label).collect();
    let mut forms = Vec::new();
    for &kind in allowed {
        let c = Ctx { posted, kind };
        let mut info = String::new();
        let fields = match kind {
            K::Register => Vec::new(),
            K::Route => {
                let mut dept = c.select("department_id", "主办部门", departments.clone(), "");
                dept.hint = "主办部门与下级中心二选一";
                let mut co = c.multi("co_handler_ids", "协办部门（可多选）", departments.clone());
                co.hint = "按住 Ctrl 或 ⌘ 可多选";
                vec![
                    dept,
                    co,
                    c.select("org_unit_id", "或交办下级中心", lower.clone(), ""),
                    c.note("交办意见（可选）"),
                ]
            }
            K::Accept => vec![c.note("签收备注（可选）")],
            K::Return => vec![c.note("退回理由")],
            K::RequestExtension => {
                let mut days = c.field("days", "延期天数", "number");
                days.hint = "1–60天，单位与办结时限相同";
                vec![days, c.note("延期理由")]
            }
            K::DecideExtension => {
                if let Some(d) = case.state.pending_extension_days {
                    info = format!("承办单位申请延期 {d} 天");
                }
                vec![
                    c.radio(
                        "approved",
                        "审批结果",
                        [("true", "批准"), ("false", "不批准")],
                    ),
                    c.note("审批意见（不批准时必填）"),
                ]
            }
            K::Progress => vec![c.note("办理进展")],
            K::Resolve => vec![
                c.select("outcome", "办结结果", outcomes(), ""),
                c.note("办理情况"),
            ],
            K::Verify => vec![
                c.radio(
                    "passed",
                    "核查结论",
                    [("true", "通过"), ("false", "不通过")],
                ),
                c.note("核查意见（不通过时必填）"),
            ],
            K::Close => vec![c.note("结案意见（可选）")],
            K::FollowUp => vec![
                c.select(
                    "rating",
                    "满意度",
                    Rating::ALL
                        .iter()
                        .rev()
                        .map(|r| (r.value(), format!("{} {}", r.value(), r.label_zh()))),
                    "",
                ),
                c.select(
                    "method",
                    "回访方式",
                    FollowUpMethod::ALL
                        .iter()
                        .map(|m| (m.as_str(), m.label_zh())),
                    "phone",
                ),
                c.note("回访记录（可选）"),
            ],
            K::Reopen => vec![c.note("重办理由")],
            K::Archive => {
                let label = if case.state.status == CaseStatus::Closed {
                    "归档说明（未回访，须说明免于回访的理由）"
                } else {
                    "归档说明（可选）"
                };
                vec![c.note(label)]
            }
            K::Supervise | K::Urge => {
                let mut deadline = c.field("new_deadline", "新的办理期限（北京时间）", "datetime");
                deadline.hint = "须晚于当前时间";
                let mut v = Vec::new();
                if kind == K::Supervise {
                    v.push(
                        c.select(
                            "level",
                            "督办级别",
                            SupervisionLevel::ALL
                                .iter()
                                .map(|l| (l.as_str(), l.label_zh())),
                            "general",
                        ),
                    );
                }
                v.push(c.note(if kind == K::Supervise {
                    "督办意见"
                } else {
                    "催办意见"
                }));
                v.push(deadline);
                v
            }
            K::Escalate => vec![
                c.select(
                    "to_org_unit_id",
                    "提级至",
                    higher.iter().map(unit_label),
                    "",
                ),
                c.note("提级理由"),
            ],
            K::SendDown => vec![
                c.select("to_org_unit_id", "下派至", lower.clone(), ""),
                c.note("下派意见（可选）"),
            ],
            K::Merge => {
                let mut m = c.field("master_case", "主案件（事件编号或ID）", "text");
                m.hint = "本事件将并入主案件并归档，原始记录保留可查";
                vec![m, c.note("合并说明（可选）")]
            }
            K::TriageClose => vec![
                c.select("outcome", "办结结果", outcomes(), "answered"),
                c.note("答复内容或先行调解结果"),
            ],
        };
        let open = c.mine().is_some();
        let named: Vec<&str> = fields.iter().map(|f| f.name).collect();
        // Errors not beside a field of this form (version, action) go on the form itself.
        let error = c.mine().and_then(|p| {
            let stray: Vec<&str> = p
                .errors
                .names()
                .into_iter()
                .filter(|n| !named.contains(n))
                .filter_map(|n| p.errors.get(n))
                .collect();
            (!stray.is_empty()).then(|| stray.join("；"))
        });
        forms.push(ActionForm {
            kind,
            open,
            fields,
            info,
            error,
        });
    }
    Ok(forms)
}
