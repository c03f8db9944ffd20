//! The notes written along a case's history: routing instructions, progress reports,
//! results by outcome, reasons for returns, extensions, 督办 and follow-up remarks. Slots as
//! in the templates, so a note names the case's own people and firms.

use rand::rngs::StdRng;
use zongzhi_core::case::{Outcome, Rating, SupervisionLevel};

use super::people::pick;

/// Instructions given with a route.
pub(super) const ROUTE: &[&str] = &[
    "请按时限签收办理，及时反馈办理结果。",
    "请会同相关单位联合调处，按期反馈。",
    "该事件涉及群众切身利益，请高度重视，依法依规处理。",
    "请组织双方当事人开展调解，力争就地化解。",
    "请核实情况后依职责处理，办理结果报综治中心。",
];

/// Why a holder sends a case back.
pub(super) const RETURN: &[&str] = &[
    "经核实，该事项不属于本单位职责范围，请重新分流。",
    "事件发生地不在本辖区，请核实后重新交办。",
    "反映人联系方式有误，无法联系当事人，请补充信息后重新交办。",
    "该事项涉及多个部门职责，建议由综治中心明确牵头单位。",
];

const PROGRESS: &[&str] = &[
    "已电话联系{a}，了解基本情况。",
    "已到现场核实情况，约双方当事人近期到调解室面谈。",
    "组织双方当事人进行第一次调解，双方分歧较大，将继续做工作。",
    "已调取相关材料，正在核实。",
    "会同村（社区）干部上门走访，做当事人思想工作。",
    "已邀请律师参与调解，向双方释法明理。",
];

/// Group-specific progress notes.
fn progress_for(group: &str) -> &'static [&'static str] {
    match group {
        "D10" | "D11" => &[
            "已约谈用工单位负责人，督促制定工资支付计划。",
            "劳动保障监察人员已到企业调取考勤和工资发放记录。",
        ],
        "D08" => &[
            "已联系征收部门核对补偿方案和测量数据。",
            "召集村民代表和征收指挥部召开协调会。",
        ],
        "D14" => &["已调取交警事故认定书，核算赔偿项目。"],
        "D15" => &["已召集业委会、物业公司和业主代表召开协调会。"],
        "D09" => &["执法人员已到现场检查，并对排放情况取样检测。"],
        "D07" | "D03" => &["已会同自然资源所工作人员现场勘界，调阅原始登记资料。"],
        "D01" => &["已联系妇联和村妇女主任共同做双方工作。"],
        _ => &[],
    }
}

/// A progress note for a case of `group`.
pub(super) fn progress(rng: &mut StdRng, group: &str) -> &'static str {
    let own = progress_for(group);
    if !own.is_empty() && rand::Rng::random_bool(rng, 0.5) {
        pick(rng, own)
    } else {
        pick(rng, PROGRESS)
    }
}

/// Why an extension is asked for.
pub(super) const EXTENSION: &[&str] = &[
    "案情复杂，需等待司法鉴定结果。",
    "当事人在外地务工，无法按期到场调解。",
    "涉及多个部门职责，需进一步会商。",
    "需等待测绘部门现场勘界结果。",
    "双方同意给予一定考虑时间，待下次调解。",
];

/// Remark on a denied extension.
pub(super) const EXTENSION_DENIED: &str = "现有时限可满足办理需要，请抓紧办理。";

/// The result note of 办结 with `outcome` for a case of `group`.
pub(super) fn resolve(rng: &mut StdRng, group: &str, outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Mediated => {
            let own: &[&str] = match group {
                "D10" | "D11" => &[
                    "经约谈协调，用工单位同意分期支付拖欠款项，首期款已到位，{a}等表示认可。",
                    "经调解，双方达成一致，企业当场结清拖欠工资，工人表示满意。",
                ],
                "D01" => &[
                    "经调解，双方达成调解协议，就子女抚养和财产问题作出约定，家庭关系得到缓和。",
                    "经调解，子女签订赡养协议，明确每人每月赡养费和轮流照顾安排。",
                ],
                "D02" | "D03" | "D07" => &[
                    "经现场调解，双方各让一步，签订调解协议，已按协议恢复原状。",
                    "经村、镇两级调解，双方握手言和，签订了人民调解协议书。",
                ],
                "D14" | "D06" => &[
                    "经调解，双方就赔偿金额达成一致，责任方一次性赔偿{a}各项损失，签订调解协议并当场履行。",
                ],
                "D15" => &["经协调，物业公司承诺限期整改，业主同意补缴费用，双方签订协议。"],
                "Q01" | "Q02" | "Q03" | "Q04" | "Q05" => {
                    &["已协调有关单位处理完毕，反映人表示认可。"]
                }
                _ => &[],
            };
            if own.is_empty() {
                "经调解，双方自愿达成调解协议，已履行完毕。"
            } else {
                pick(rng, own)
            }
        }
        Outcome::PartiallyResolved => {
            "经多次调解，双方就主要诉求达成一致，剩余争议已引导当事人通过其他途径解决。"
        }
        Outcome::ReferredToLitigation => {
            "经调解双方未能达成一致，已告知当事人诉讼和仲裁途径，并协助申请法律援助。"
        }
        Outcome::Answered => pick(
            rng,
            &[
                "已向反映人作出答复，解释相关政策规定，反映人表示理解。",
                "已电话回复{a}，告知办理依据和后续安排。",
            ],
        ),
        Outcome::Rejected => {
            "经核实，所反映事项已经人民法院生效判决处理，不属于本平台受理范围，已向当事人说明理由。"
        }
        Outcome::Transferred => "该事项属于其他职能部门职责，已移交依法处理并告知反映人。",
    }
}

/// The answer of 直接办结 at intake or triage.
pub(super) fn triage_close(rng: &mut StdRng, outcome: Outcome, village: bool) -> &'static str {
    match outcome {
        Outcome::Mediated if village => "村调委会当场组织调解，双方互相谅解，矛盾就地化解。",
        Outcome::Mediated => pick(
            rng,
            &[
                "受理时即组织双方当事人开展先行调解，双方达成一致，当场化解。",
                "调解员当场组织双方面对面调解，双方互谅互让，签订调解协议。",
            ],
        ),
        _ => pick(
            rng,
            &[
                "已当场向反映人详细解答相关政策和办理流程，反映人表示清楚。",
                "已告知反映人办理渠道和所需材料，无需交办。",
            ],
        ),
    }
}

/// Findings of a failed verification.
pub(super) const VERIFY_FAILED: &str =
    "经电话核实，当事人反映问题尚未实际解决，办理结果与反馈不符。";
/// Reason of a reopen after a failed verification.
pub(super) const REOPEN_VERIFY: &str = "核查不通过，要求重新办理。";
/// Reason of a reopen after a dissatisfied follow-up.
pub(super) const REOPEN_RATING: &str = "回访当事人不满意，重新交办办理。";

/// What the party said at the follow-up.
pub(super) fn follow_up(rating: Rating) -> &'static str {
    match rating {
        Rating::VerySatisfied => "当事人对办理结果非常满意。",
        Rating::Satisfied => "当事人表示满意。",
        Rating::BasicallySatisfied => "当事人表示基本满意，希望后续继续关注。",
        Rating::Dissatisfied => "当事人对处理结果不满意，认为问题没有真正解决。",
        Rating::VeryDissatisfied => "当事人非常不满意，表示将继续反映。",
    }
}

/// Reason for archiving without a follow-up.
pub(super) const ARCHIVE_WAIVER: &str = "当事人多次联系不上，回访免予进行，予以归档。";

/// Why a case goes up a tier.
pub(super) fn escalate(from_village: bool) -> &'static str {
    if from_village {
        "村级调解未果，上报镇（街道）综治中心处理。"
    } else {
        "该纠纷涉及多个部门，乡镇层面难以协调，提请县级综治中心统筹处理。"
    }
}

/// Instructions with 下派.
pub(super) const SEND_DOWN: &str = "请属地镇（街道）综治中心牵头处理，及时反馈办理结果。";

/// The instruction of a manual 督办.
pub(super) fn supervise(level: SupervisionLevel) -> &'static str {
    match level {
        SupervisionLevel::General => "请加快办理进度，按时反馈办理结果。",
        SupervisionLevel::Key => "该事件涉及群体利益，列为重点督办，请限期办结。",
        SupervisionLevel::Listed => "挂牌督办：请主要负责同志亲自过问，限期化解到位。",
    }
}

/// Reminders of a 催办.
pub(super) const URGE: &[&str] = &[
    "该事件即将到期，请抓紧办理。",
    "当事人多次来电催问，请加快办理进度。",
];

/// Remark of a merge.
pub(super) const MERGE: &str = "与已受理事件反映的是同一事项，合并处理。";
