//! 督办: open cases under supervision and overdue cases, soonest deadline first, with the
//! level, the holder and the last 督办/催办 note.

use askama::Template;
use axum::extract::State;
use zongzhi_core::case::ActionKind;
use zongzhi_core::role::Permission;

use super::views::{CaseRow, fmt_min};
use crate::auth::CurrentUser;
use crate::cases::{CaseListQuery, count_cases_as, list_cases_as};
use crate::console::admin::href;
use crate::console::{ConsoleResult, Layout, render};
use crate::error::ApiError;
use crate::state::AppState;

/// Rows per section (each also loads its history for the last note).
const ROWS: i64 = 30;

/// A case with its last 督办/催办 note.
pub(super) struct SupRow {
    /// The case.
    pub row: CaseRow,
    /// The last 督办/催办 note, if any.
    pub note: String,
    /// Who and when (`催办 · 王分流 · 2026-11-23 09:30`).
    pub note_meta: String,
}

/// One table of the page.
pub(super) struct Section {
    /// Stable key.
    pub key: &'static str,
    /// Heading.
    pub label: &'static str,
    /// How many in all.
    pub total: i64,
    /// More than are shown.
    pub more: bool,
    /// Link to the full list.
    pub href: String,
    /// The rows.
    pub rows: Vec<SupRow>,
}

#[derive(Template)]
#[template(path = "cases/supervision.html")]
struct SupervisionPage {
    layout: Layout,
    sections: Vec<Section>,
}

async fn section(
    state: &AppState,
    user: &CurrentUser,
    key: &'static str,
    label: &'static str,
    flag: &'static str,
) -> ConsoleResult<Section> {
    let pairs = [(flag, "true"), ("sort", "due")];
    let mut q: CaseListQuery = serde_urlencoded::from_str(&format!("{flag}=true&sort=due"))
        .map_err(|e| ApiError::internal(&e))?;
    let total = count_cases_as(state, user, &q).await?;
    q.limit = Some(ROWS);
    let cases = list_cases_as(state, user, &q).await?.items;
    let scope = user.scope();
    let mut rows = Vec::new();
    for c in &cases {
        // The last note lives in the history; read with the user's own scope.
        let d = state.store.get_case(&scope, c.id).await?;
        let last = d.events.iter().rev().find(|e| {
            matches!(
                ActionKind::parse(&e.kind),
                Some(ActionKind::Supervise | ActionKind::Urge)
            )
        });
        let (note, note_meta) = match last {
            Some(e) => (
                e.note.clone().unwrap_or_default(),
                format!(
                    "{} · {} · {}",
                    super::views::kind_label(&e.kind),
                    e.actor_name.as_deref().unwrap_or("系统"),
                    fmt_min(e.at)
                ),
            ),
            None => (String::new(), String::new()),
        };
        rows.push(SupRow {
            row: CaseRow::new(c),
            note,
            note_meta,
        });
    }
    Ok(Section {
        key,
        label,
        more: total > i64::try_from(rows.len()).unwrap_or(0),
        total,
        href: href("/cases", &pairs),
        rows,
    })
}

/// `GET /supervision`: for those who supervise (dispatchers, leaders).
pub(super) async fn list(State(state): State<AppState>, user: CurrentUser) -> ConsoleResult {
    user.require(Permission::ReadCases)?;
    if !super::can_supervise(&user) {
        return Err(ApiError::forbidden().into());
    }
    let sections = vec![
        section(&state, &user, "supervised", "督办中", "supervised").await?,
        section(&state, &user, "overdue", "已超期", "overdue").await?,
    ];
    Ok(render(&SupervisionPage {
        layout: Layout::new(&user, "督办", "supervision"),
        sections,
    }))
}
