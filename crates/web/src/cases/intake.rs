//! 事件登记: a new case from any channel, with its parties and attachments, registered in
//! one go (created and taken in: 待分流).

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::json;
use zongzhi_core::calendar::WorkCalendar;
use zongzhi_core::case::{
    Action, ActionKind, ActorCtx, CaseError, CaseState, CaseStatus, Channel, Complexity,
    ProjectEnv, Urgency, allowed_actions, apply,
};
use zongzhi_core::role::Permission;
use zongzhi_store::{CreatedCase, NewCase, NewCaseEvent, StoreError};

use super::attachments::{UploadedFile, attachment_problem, check_files};
use super::parties::{PartyRequest, check_parties, seal_party};
use super::storage::{discard_unused, write_files};
use super::text::{self, FieldErr};
use crate::auth::SessionCtx;
use crate::error::{ApiError, ApiResult, Validation};
use crate::state::AppState;

/// Longest `Idempotency-Key`, in characters.
pub const IDEMPOTENCY_KEY_MAX: usize = 100;
/// Tolerated clock skew of a client's times.
const SKEW: Duration = Duration::minutes(5);

/// A new case: the JSON body of `POST /api/v1/cases` (or the `case` part of a multipart
/// body) and the console's intake form. Missing fields are reported as field errors like
/// invalid ones.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(from = "RawCase")]
pub struct NewCaseRequest {
    /// How it arrived: `walk_in`, `phone`, `grid_report`, `hotline_12345`, `police_110`,
    /// `petition`, `online`, `transfer`, `screening`, `public_opinion`, `assigned`.
    pub channel: String,
    /// An active category code from `GET /api/v1/categories` (first or second level).
    pub category_code: String,
    /// `normal` (default), `urgent` or `critical`.
    pub urgency: Option<String>,
    /// `simple` (default), `complex` or `difficult`.
    pub complexity: Option<String>,
    /// Title, 1–200 characters.
    pub title: String,
    /// Description, 1–10000 characters.
    pub description: String,
    /// When it happened, if known; not after `reported_at`.
    pub occurred_at: Option<DateTime<Utc>>,
    /// When it was reported; default now.
    pub reported_at: Option<DateTime<Utc>>,
    /// Address, up to 200 characters.
    pub address: Option<String>,
    /// Where it happened: an active org unit in the caller's subtree.
    pub org_unit_id: i64,
    /// Latitude (WGS-84), with `lng`.
    pub lat: Option<f64>,
    /// Longitude (WGS-84), with `lat`.
    pub lng: Option<f64>,
    /// 涉及人数, ≥ 0 (5 or more makes it a group case).
    pub people_involved: Option<i32>,
    /// 涉及金额 in yuan, ≥ 0; stored in fen.
    pub amount_yuan: Option<f64>,
    /// Parties (当事人); none by default.
    #[schema(required = false)]
    pub parties: Vec<PartyRequest>,
}

/// What the JSON body deserialises into: every member optional, so a missing one becomes a
/// field error (in Chinese) rather than a bare serde complaint, while the public type (and
/// the OpenAPI schema) keeps the required fields required.
#[derive(Deserialize, Default)]
#[serde(default)]
struct RawCase {
    channel: String,
    category_code: String,
    urgency: Option<String>,
    complexity: Option<String>,
    title: String,
    description: String,
    occurred_at: Option<DateTime<Utc>>,
    reported_at: Option<DateTime<Utc>>,
    address: Option<String>,
    org_unit_id: i64,
    lat: Option<f64>,
    lng: Option<f64>,
    people_involved: Option<i32>,
    amount_yuan: Option<f64>,
    parties: Vec<PartyRequest>,
}

impl From<RawCase> for NewCaseRequest {
    fn from(r: RawCase) -> Self {
        Self {
            channel: r.channel,
            category_code: r.category_code,
            urgency: r.urgency,
            complexity: r.complexity,
            title: r.title,
            description: r.description,
            occurred_at: r.occurred_at,
            reported_at: r.reported_at,
            address: r.address,
            org_unit_id: r.org_unit_id,
            lat: r.lat,
            lng: r.lng,
            people_involved: r.people_involved,
            amount_yuan: r.amount_yuan,
            parties: r.parties,
        }
    }
}

/// Checks an `Idempotency-Key`: 1–100 printable ASCII characters (surrounding blanks
/// ignored); `None` or blank is no key.
pub fn parse_idempotency_key(key: Option<&str>) -> ApiResult<Option<String>> {
    match key.map(str::trim).filter(|k| !k.is_empty()) {
        None => Ok(None),
        Some(k)
            if k.len() <= IDEMPOTENCY_KEY_MAX && k.bytes().all(|b| (0x20..0x7f).contains(&b)) =>
        {
            Ok(Some(k.to_owned()))
        }
        Some(_) => Err(ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "idempotency_key_invalid",
        )),
    }
}

fn parse_code<T>(
    s: Option<&str>,
    default: T,
    parse: impl Fn(&str) -> Option<T>,
    bad: FieldErr,
) -> Result<T, FieldErr> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => parse(s).ok_or(bad),
    }
}

/// An active category whose parent (if any) is active too.
async fn check_category(state: &AppState, code: &str) -> ApiResult<Result<String, FieldErr>> {
    const BAD: FieldErr = ("category_invalid", "事件分类不存在或已停用");
    let code = code.trim();
    if code.is_empty() {
        return Ok(Err(("category_required", "请选择事件分类")));
    }
    let active = async |c: &str| match state.store.get_category(c).await {
        Ok(cat) => Ok(cat.active.then_some(cat)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(ApiError::from(e)),
    };
    let Some(cat) = active(code).await? else {
        return Ok(Err(BAD));
    };
    if let Some(parent) = &cat.parent_code
        && active(parent).await?.is_none()
    {
        return Ok(Err(BAD));
    }
    Ok(Ok(cat.code))
}

/// An active org unit inside the caller's scope.
async fn check_org_unit(
    state: &AppState,
    ctx: &SessionCtx,
    id: i64,
) -> ApiResult<Result<i64, FieldErr>> {
    if id <= 0 {
        return Ok(Err(("org_unit_required", "请选择事发区域")));
    }
    match state.store.get_org_unit(&ctx.scope(), id).await {
        Ok(u) if u.active => Ok(Ok(u.id)),
        Ok(_) | Err(StoreError::NotFound) => Ok(Err((
            "org_unit_invalid",
            "事发区域不存在、已停用或不在您的管辖范围内",
        ))),
        Err(e) => Err(e.into()),
    }
}

/// The store's structural refusals as field errors of this form.
fn store_error(e: StoreError) -> ApiError {
    match e {
        StoreError::InvalidReference("category_code") => ApiError::field(
            "category_code",
            "category_invalid",
            "事件分类不存在或已停用",
        ),
        StoreError::InvalidReference("org_unit_id") => ApiError::field(
            "org_unit_id",
            "org_unit_invalid",
            "事发区域不存在、已停用或不在您的管辖范围内",
        ),
        other => other.into(),
    }
}

/// Registers a new case (登记受理) with its parties and attachments. Answers the existing
/// case, writing nothing, when `idempotency_key` was already used by the caller
/// (`replayed`).
pub async fn create_case_as(
    state: &AppState,
    ctx: &SessionCtx,
    req: NewCaseRequest,
    idempotency_key: Option<String>,
    files: Vec<UploadedFile>,
) -> ApiResult<CreatedCase> {
    ctx.require(Permission::WriteCases)?;
    let idempotency_key = parse_idempotency_key(idempotency_key.as_deref())?;
    // The new case belongs to the caller's unit (the center where it is registered), so
    // it is in scope; whether the caller's roles may register at all is the machine's call.
    let actor = ActorCtx {
        roles: ctx.account.roles.clone(),
        in_scope: true,
        is_holder: false,
        case: Default::default(),
    };
    if !allowed_actions(CaseStatus::INITIAL, &actor).contains(&ActionKind::Register) {
        return Err(ApiError::forbidden());
    }
    let now = state.clock.now();
    let mut v = Validation::default();
    let channel = v.check(
        "channel",
        match req.channel.trim() {
            "" => Err(("channel_required", "请选择来源渠道")),
            c => Channel::parse(c).ok_or(("channel_invalid", "来源渠道无效")),
        },
    );
    let category = check_category(state, &req.category_code).await?;
    let category = v.check("category_code", category);
    let urgency = v.check(
        "urgency",
        parse_code(
            req.urgency.as_deref(),
            Urgency::Normal,
            Urgency::parse,
            ("urgency_invalid", "紧急程度无效"),
        ),
    );
    let complexity = v.check(
        "complexity",
        parse_code(
            req.complexity.as_deref(),
            Complexity::Simple,
            Complexity::parse,
            ("complexity_invalid", "复杂程度无效"),
        ),
    );
    let title = v.check("title", text::title(&req.title));
    let description = v.check("description", text::description(&req.description));
    let address = v.check("address", text::address(req.address.as_deref()));
    let org_unit = check_org_unit(state, ctx, req.org_unit_id).await?;
    let org_unit_id = v.check("org_unit_id", org_unit);
    let reported_at = req.reported_at.unwrap_or(now);
    if reported_at > now + SKEW {
        v.check::<()>(
            "reported_at",
            Err(("reported_at_future", "反映时间不能晚于当前时间")),
        );
    }
    if let Some(o) = req.occurred_at
        && o > reported_at.min(now) + SKEW
    {
        v.check::<()>(
            "occurred_at",
            Err(("occurred_at_late", "发生时间不能晚于反映时间或当前时间")),
        );
    }
    let lat = req.lat.and_then(|x| v.check("lat", text::lat(x)));
    let lng = req.lng.and_then(|x| v.check("lng", text::lng(x)));
    if req.lat.is_some() != req.lng.is_some() {
        let field = if req.lat.is_none() { "lat" } else { "lng" };
        v.check::<()>(field, Err(("coordinates_incomplete", "经纬度须同时填写")));
    }
    let people_involved = req
        .people_involved
        .and_then(|n| v.check("people_involved", text::people(n)));
    let amount_fen = req
        .amount_yuan
        .and_then(|y| v.check("amount_yuan", text::amount_fen(y)));
    let parties = check_parties(&mut v, &req.parties);
    let files = check_files(&mut v, files);
    v.finish().map_err(attachment_problem)?;
    let (
        Some(channel),
        Some(category_code),
        Some(urgency),
        Some(complexity),
        Some(title),
        Some(description),
        Some(address),
        Some(org_unit_id),
    ) = (
        channel,
        category,
        urgency,
        complexity,
        title,
        description,
        address,
        org_unit_id,
    )
    else {
        return Err(ApiError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ));
    };

    let action = Action::Register { channel };
    let transition = apply(CaseStatus::INITIAL, &action, &actor).map_err(|e| match e {
        CaseError::NotAllowed { .. } => ApiError::forbidden(),
        other => super::case_error(other),
    })?;
    let mut case_state = CaseState::new(ctx.account.org_unit_id);
    // Registering starts no clock, so the calendar is not consulted.
    let calendar = WorkCalendar::new(Vec::new());
    let env = ProjectEnv {
        calendar: &calendar,
        limits: None,
    };
    case_state.project(&action, transition.to, now, env);
    let parties = parties
        .into_iter()
        .map(|p| seal_party(state, p))
        .collect::<ApiResult<Vec<_>>>()?;
    let search_terms = {
        let parts = [
            title.clone(),
            description.clone(),
            address.clone().unwrap_or_default(),
        ];
        tokio::task::spawn_blocking(move || {
            let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
            zongzhi_intel::Segmenter::shared().index_text(&refs)
        })
        .await
        .map_err(|e| ApiError::internal(&e))?
    };
    let event = NewCaseEvent {
        actor_id: Some(ctx.account.id),
        at: now,
        from_status: transition.from,
        to_status: transition.to,
        kind: transition.kind.as_str().to_owned(),
        note: None,
        payload: serde_json::to_value(&action).map_err(|e| ApiError::internal(&e))?,
    };
    let audit = ctx.audit("case.register", "case").detail(json!({
        "channel": channel.as_str(),
        "category_code": &category_code,
        "org_unit_id": org_unit_id,
        "parties": parties.len(),
        "attachments": files.len(),
    }));
    let written = write_files(state, files).await?;
    let new = NewCase {
        tracking_date: now.with_timezone(&chrono_tz::Asia::Shanghai).date_naive(),
        channel,
        category_code,
        urgency,
        complexity,
        title,
        description,
        occurred_at: req.occurred_at,
        reported_at,
        address,
        org_unit_id,
        lat,
        lng,
        people_involved,
        amount_fen,
        parties,
        attachments: written.rows.clone(),
        search_terms,
        created_by: Some(ctx.account.id),
        created_at: now,
        idempotency_key,
        events: vec![event],
        state: case_state,
    };
    match state.store.create_case(&ctx.scope(), new, audit).await {
        Ok(created) => {
            if created.replayed {
                discard_unused(state, written).await;
            }
            Ok(created)
        }
        Err(e) => {
            discard_unused(state, written).await;
            Err(store_error(e))
        }
    }
}
