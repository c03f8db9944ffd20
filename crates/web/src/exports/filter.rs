//! A job's parameters as the store's case filter, for the requester's account as it is now.

use chrono::Days;
use zongzhi_core::calendar::start_of_local_day;
use zongzhi_core::case::DeadlineState;
use zongzhi_store::{Account, CaseFilter, CaseSort, MAX_PAGE};

use super::{ExportKind, ExportParams};

/// The cases a ledger or case list holds, in the order they were written (registration
/// order: the ledger's 序号), one store page at a time.
pub(crate) fn case_filter(p: &ExportParams, account: &Account) -> CaseFilter {
    let (mut department_id, mut holder_unit_id) = (None, None);
    if p.mine {
        match account.department_id {
            Some(d) => department_id = Some(d),
            None => holder_unit_id = Some(account.org_unit_id),
        }
    }
    let deadline_state = if p.overdue {
        Some(DeadlineState::Overdue)
    } else if p.warning {
        Some(DeadlineState::Warning)
    } else {
        None
    };
    CaseFilter {
        q: p.q.clone(),
        statuses: p.statuses.clone(),
        category: p.category.clone(),
        channel: p.channel,
        under: Some(p.org_unit_id),
        department_id,
        holder_unit_id,
        from: p.from.map(start_of_local_day),
        to: p
            .to
            .and_then(|t| t.checked_add_days(Days::new(1)))
            .map(start_of_local_day),
        deadline_state,
        supervised: p.supervised,
        created_by: p.mine_registered.then_some(account.id),
        metric: p.metric,
        lead_department_id: p.lead_department,
        sort: CaseSort::Oldest,
        limit: Some(MAX_PAGE),
        ..Default::default()
    }
}

/// The cases a job counts at request time: for lists, exactly what the file will hold; for
/// a report, every case on record in the unit up to the period's end (a report is refused
/// only where nothing ever happened).
pub(crate) fn count_filter(kind: ExportKind, p: &ExportParams, account: &Account) -> CaseFilter {
    if kind.is_report() {
        CaseFilter {
            under: Some(p.org_unit_id),
            to: p
                .to
                .and_then(|t| t.checked_add_days(Days::new(1)))
                .map(start_of_local_day),
            ..Default::default()
        }
    } else {
        case_filter(p, account)
    }
}
