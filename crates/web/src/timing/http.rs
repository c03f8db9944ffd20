//! `/api/v1/time-limits` and `/api/v1/calendar`: thin handlers over the service functions.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::calendar::{
    CalendarDayView, CalendarQuery, PutCalendarDayRequest, list_calendar_as, put_calendar_day_as,
    remove_calendar_day_as,
};
use super::rules::{
    NewTimeLimitRequest, TimeLimitPatchRequest, TimeLimitView, create_time_limit_as,
    list_time_limits_as, update_time_limit_as,
};
use crate::api::audited;
use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

/// `GET /api/v1/time-limits`
#[utoipa::path(get, path = "/api/v1/time-limits", tag = "time-limits", description = "The whole time-limit table (办理时限), active and inactive rules, by id. Not paginated and not scoped (deployment-wide reference data). A case routed to a unit gets the `(accept, finish)` limits of the most specific active rule matching its category (a first-level code matches its children), the unit's tier, its urgency, complexity and channel; specificity weighs urgency over channel over category over tier over complexity, ties go to the lower id.", responses((status = 200, description = "Rules", body = Vec<TimeLimitView>), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem)))]
pub async fn list_time_limits(
    State(state): State<AppState>,
    user: CurrentUser,
) -> ApiResult<Json<Vec<TimeLimitView>>> {
    let rows = list_time_limits_as(&state, &user).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// `POST /api/v1/time-limits`
#[utoipa::path(post, path = "/api/v1/time-limits", tag = "time-limits", request_body = NewTimeLimitRequest, description = "Adds a rule (system administrator at the top of the tree). An active rule with exactly the same matchers is refused (422, field `matchers`): edit that one instead.", responses((status = 201, description = "Created", body = TimeLimitView), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 422, description = "Invalid input: every field error at once (`category`, `tier`, `urgency`, `complexity`, `channel`, `accept.amount`, `accept.unit`, `finish.amount`, `finish.unit`, `matchers`)", body = crate::error::Problem)))]
pub async fn create_time_limit(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<NewTimeLimitRequest>,
) -> ApiResult<Response> {
    let row = create_time_limit_as(&state, &user, req).await?;
    Ok(audited((
        StatusCode::CREATED,
        Json(TimeLimitView::from(row)),
    )))
}

/// `PATCH /api/v1/time-limits/{id}`
#[utoipa::path(patch, path = "/api/v1/time-limits/{id}", tag = "time-limits", params(("id" = i64, Path, description = "Rule id")), request_body = TimeLimitPatchRequest, description = "Edits a rule or takes it out of use (`{\"active\": false}`); rules are never deleted. Absent fields stay as they are; a matcher set to `null` matches anything.", responses((status = 200, description = "Updated", body = TimeLimitView), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "No such rule", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn update_time_limit(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<TimeLimitPatchRequest>,
) -> ApiResult<Response> {
    let row = update_time_limit_as(&state, &user, id, req).await?;
    Ok(audited(Json(TimeLimitView::from(row))))
}

/// `GET /api/v1/calendar`
#[utoipa::path(get, path = "/api/v1/calendar", tag = "calendar", params(CalendarQuery), description = "The working-time calendar's entries of one year in date order: 法定节假日 (`holiday`) and 调休上班日 (`makeup_workday`). Every other Monday–Friday is a working day and every other Saturday and Sunday a rest day. Shipped for 2024–2027 from the State Council's notices; entries not yet confirmed by a notice are `provisional`.", responses((status = 200, description = "Entries", body = Vec<CalendarDayView>), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 422, description = "Year out of range", body = crate::error::Problem)))]
pub async fn list_calendar(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<CalendarQuery>,
) -> ApiResult<Json<Vec<CalendarDayView>>> {
    let rows = list_calendar_as(&state, &user, q.year).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// `PUT /api/v1/calendar/{date}`
#[utoipa::path(put, path = "/api/v1/calendar/{date}", tag = "calendar", params(("date" = String, Path, description = "Local date, YYYY-MM-DD")), request_body = PutCalendarDayRequest, description = "Sets (inserts or replaces) the entry for a date (system administrator at the top of the tree). Deadlines already set on cases do not move; new ones use the changed calendar.", responses((status = 200, description = "Set", body = CalendarDayView), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 422, description = "Invalid input (`date`, `kind`, `name`)", body = crate::error::Problem)))]
pub async fn put_calendar_day(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(date): ApiPath<String>,
    ApiJson(req): ApiJson<PutCalendarDayRequest>,
) -> ApiResult<Response> {
    let row = put_calendar_day_as(&state, &user, &date, req).await?;
    Ok(audited(Json(CalendarDayView::from(row))))
}

/// `DELETE /api/v1/calendar/{date}`
#[utoipa::path(delete, path = "/api/v1/calendar/{date}", tag = "calendar", params(("date" = String, Path, description = "Local date, YYYY-MM-DD")), description = "Removes the entry for a date, so the weekday rule applies again (system administrator at the top of the tree).", responses((status = 204, description = "Removed"), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "No entry for that date", body = crate::error::Problem), (status = 422, description = "Invalid date", body = crate::error::Problem)))]
pub async fn remove_calendar_day(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(date): ApiPath<String>,
) -> ApiResult<Response> {
    remove_calendar_day_as(&state, &user, &date).await?;
    Ok(audited(StatusCode::NO_CONTENT))
}
