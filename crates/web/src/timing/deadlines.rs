//! The deadline job: raises 预警 when most of a running limit is spent and 超期 once it has
//! passed, and with 超期 opens an automatic 督办 in the same write.
//!
//! Each mark is one system event (no actor) written with the version the job read, so it
//! is idempotent and safe with several instances on one database: whoever writes first
//! wins, the other gets `Conflict("stale_version")` and skips the case; the next candidate
//! query no longer returns it because its mark is no longer due. Logs counts only.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::json;
use zongzhi_core::audit::{AuditOutcome, NewAuditEntry};
use zongzhi_core::calendar::WorkCalendar;
use zongzhi_core::case::{Action, DeadlineMark, Note, ProjectEnv, SupervisionLevel};
use zongzhi_store::{CaseUpdate, DeadlineCandidate, NewCaseEvent, StoreError};

use super::calendar_from_store;
use crate::state::AppState;

/// Candidates fetched per query.
pub const BATCH: i64 = 200;

/// The note of the automatic 督办 that follows 超期.
pub const AUTO_SUPERVISE_NOTE: &str = "超期自动督办：已超过办理时限";

/// Working days the automatic 督办 gives from now.
pub const AUTO_SUPERVISE_DAYS: u32 = 1;

/// Raises every mark due now; returns how many cases were marked (by this pass: a case
/// another instance or a user changed first is skipped, not counted).
pub async fn run_deadline_pass(state: &AppState) -> anyhow::Result<usize> {
    // One instant for the whole pass, so what is due does not shift under the loop.
    let now = state.clock.now();
    let calendar = calendar_from_store(state.store.as_ref()).await?;
    let mut marked = 0;
    loop {
        let batch = state.store.deadline_candidates(now, BATCH).await?;
        if batch.is_empty() {
            break;
        }
        let mut progressed = false;
        for c in batch {
            match mark_one(state, &calendar, now, c).await? {
                Outcome::Marked => {
                    marked += 1;
                    progressed = true;
                }
                // Someone else wrote it: the next query will not return it again.
                Outcome::Stale => progressed = true,
                Outcome::NotDue => {}
            }
        }
        // A batch where nothing moved would come back identical: stop rather than spin
        // (it can only happen if the store's idea of "due" and the core's disagree).
        if !progressed {
            break;
        }
    }
    Ok(marked)
}

/// What became of one candidate.
enum Outcome {
    Marked,
    Stale,
    NotDue,
}

async fn mark_one(
    state: &AppState,
    calendar: &WorkCalendar,
    now: DateTime<Utc>,
    c: DeadlineCandidate,
) -> anyhow::Result<Outcome> {
    let Some(mark) = c.state.due_mark(now) else {
        return Ok(Outcome::NotDue);
    };
    let status = c.state.status;
    let due_at = c.state.due_at();
    let mut next = c.state.clone();
    next.mark(mark);
    let mut events = vec![NewCaseEvent {
        actor_id: None,
        at: now,
        from_status: status,
        to_status: status,
        kind: mark.as_str().to_owned(),
        note: None,
        payload: json!({ "due_at": due_at }),
    }];
    let mut detail = json!({ "mark": mark.as_str(), "due_at": due_at });
    if mark == DeadlineMark::Overdue {
        let new_deadline = calendar.add_working_days(now, AUTO_SUPERVISE_DAYS);
        let action = Action::Supervise {
            level: SupervisionLevel::General,
            note: Note::parse(AUTO_SUPERVISE_NOTE, "note")?,
            new_deadline,
        };
        let env = ProjectEnv {
            calendar,
            limits: None,
        };
        next.project(&action, status, now, env);
        events.push(NewCaseEvent {
            actor_id: None,
            at: now,
            from_status: status,
            to_status: status,
            kind: action.kind().as_str().to_owned(),
            note: Some(AUTO_SUPERVISE_NOTE.to_owned()),
            payload: serde_json::to_value(&action)?,
        });
        detail["supervision_level"] = json!(SupervisionLevel::General.as_str());
        detail["new_deadline"] = json!(new_deadline);
    }
    let audit = NewAuditEntry::new(
        &format!("case.{}", mark.as_str()),
        "case",
        AuditOutcome::Success,
    )
    .by(None, "system")
    .target(c.case_id)
    .detail(detail);
    let update = CaseUpdate {
        case_id: c.case_id,
        expected_version: c.version,
        events,
        state: next,
    };
    match state.store.apply_system_event(update, audit).await {
        Ok(_) => Ok(Outcome::Marked),
        Err(StoreError::Conflict("stale_version")) => Ok(Outcome::Stale),
        Err(e) => Err(e.into()),
    }
}

/// Runs [`run_deadline_pass`] every `config.jobs.deadline_interval_seconds` (not at all when
/// 0) until the runtime shuts down. A failing or panicking pass is logged and the next one
/// runs on time.
pub fn spawn_deadline_job(state: AppState) -> tokio::task::JoinHandle<()> {
    let secs = state.config.jobs.deadline_interval_seconds;
    tokio::spawn(async move {
        if secs == 0 {
            tracing::info!("deadline job disabled on this instance");
            return;
        }
        let mut tick = tokio::time::interval(Duration::from_secs(secs));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let s = state.clone();
            // Its own task, so that even a panic in a pass leaves the job running.
            match tokio::spawn(async move { run_deadline_pass(&s).await }).await {
                Ok(Ok(0)) => tracing::debug!("deadline pass: nothing due"),
                Ok(Ok(n)) => tracing::info!(marked = n, "deadline pass"),
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "deadline pass failed; retrying next interval")
                }
                Err(e) => {
                    tracing::error!(error = %e, "deadline pass panicked; retrying next interval")
                }
            }
        }
    })
}
