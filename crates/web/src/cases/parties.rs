//! Parties (当事人): validated at intake, their ID and phone numbers encrypted,
//! blind-indexed and masked; shown masked, revealed in full only on an audited request.

use serde::{Deserialize, Serialize};
use serde_json::json;
use zongzhi_core::case::PartyRole;
use zongzhi_core::personal::{IdCardNo, PhoneNo};
use zongzhi_core::role::{Permission, Role};
use zongzhi_store::NewParty;

use super::text;
use crate::api::accounts::seal;
use crate::auth::SessionCtx;
use crate::error::{ApiError, ApiResult, Validation};
use crate::state::AppState;

/// Associated data of an encrypted party ID number (binds the ciphertext to its purpose).
pub const ID_CARD_AAD: &[u8] = b"case.party.id_card";
/// Blind-index domain of party ID numbers.
pub const ID_CARD_INDEX: &str = "case.party.id_card";
/// Associated data of an encrypted party phone number.
pub const PHONE_AAD: &[u8] = b"case.party.phone";
/// Blind-index domain of party phone numbers.
pub const PHONE_INDEX: &str = "case.party.phone";

/// A party of a new case.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(from = "RawParty")]
pub struct PartyRequest {
    /// Name, 1–50 characters.
    pub name: String,
    /// 居民身份证号 (18 characters, check digit verified); stored encrypted.
    pub id_card_no: Option<String>,
    /// Mainland mobile number; stored encrypted.
    pub phone: Option<String>,
    /// `applicant` (申请人), `respondent` (被申请人), `reporter` (反映人) or `third_party`
    /// (第三人).
    pub role: String,
}

/// A party as deserialised: missing members become field errors, not serde errors.
#[derive(Deserialize, Default)]
#[serde(default)]
struct RawParty {
    name: String,
    id_card_no: Option<String>,
    phone: Option<String>,
    role: String,
}

impl From<RawParty> for PartyRequest {
    fn from(r: RawParty) -> Self {
        Self {
            name: r.name,
            id_card_no: r.id_card_no,
            phone: r.phone,
            role: r.role,
        }
    }
}

/// A party that passed validation.
pub(crate) struct ParsedParty {
    role: PartyRole,
    name: String,
    id_card: Option<IdCardNo>,
    phone: Option<PhoneNo>,
}

fn nonblank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Checks the parties into `v`, under the field names `parties[i].<field>`.
pub(crate) fn check_parties(v: &mut Validation, parties: &[PartyRequest]) -> Vec<ParsedParty> {
    if parties.len() > text::MAX_PARTIES {
        v.check::<()>("parties", Err(("parties_too_many", "当事人不能超过50人")));
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, p) in parties.iter().enumerate() {
        let f = |name: &str| format!("parties[{i}].{name}");
        let name = v.check(&f("name"), text::party_name(&p.name));
        let role = v.check(
            &f("role"),
            PartyRole::parse(p.role.trim()).ok_or(("party_role_invalid", "当事人身份无效")),
        );
        let id_card = match nonblank(&p.id_card_no) {
            None => Some(None),
            Some(s) => v
                .check(
                    &f("id_card_no"),
                    IdCardNo::parse(s).map_err(|e| (e.code(), e.message_zh())),
                )
                .map(Some),
        };
        let phone = match nonblank(&p.phone) {
            None => Some(None),
            Some(s) => v
                .check(
                    &f("phone"),
                    PhoneNo::parse(s).map_err(|e| (e.code(), e.message_zh())),
                )
                .map(Some),
        };
        if let (Some(name), Some(role), Some(id_card), Some(phone)) = (name, role, id_card, phone) {
            out.push(ParsedParty {
                role,
                name,
                id_card,
                phone,
            });
        }
    }
    out
}

/// Encrypts, indexes and masks a party's identifiers for the store.
pub(crate) fn seal_party(state: &AppState, p: ParsedParty) -> ApiResult<NewParty> {
    let id_card = p
        .id_card
        .map(|c| seal(state, c.as_str(), c.masked(), ID_CARD_AAD, ID_CARD_INDEX))
        .transpose()?;
    let phone = p
        .phone
        .map(|n| seal(state, n.as_str(), n.masked(), PHONE_AAD, PHONE_INDEX))
        .transpose()?;
    Ok(NewParty {
        role: p.role,
        name: p.name,
        id_card,
        phone,
    })
}

/// A party's identifiers in full.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RevealedParty {
    /// The party's id.
    pub id: i64,
    /// Full 居民身份证号, if recorded.
    pub id_card_no: Option<String>,
    /// Full mobile number, if recorded.
    pub phone: Option<String>,
}

/// Whether `ctx` may see parties' identifiers in full: case workers who write cases,
/// except grid workers (who collect them in the field but do not look them up); leaders and
/// the admin roles may not.
pub fn may_reveal(ctx: &SessionCtx) -> bool {
    ctx.account
        .roles
        .iter()
        .any(|&r| r != Role::GridWorker && r.permissions().contains(&Permission::WriteCases))
}

/// Reveals one party of a case the caller may see; every reveal is audited (ids only).
pub async fn reveal_party_as(
    state: &AppState,
    ctx: &SessionCtx,
    case_id: i64,
    party_id: i64,
) -> ApiResult<RevealedParty> {
    if !may_reveal(ctx) {
        return Err(ApiError::forbidden());
    }
    let detail = state.store.get_case(&ctx.scope(), case_id).await?;
    let p = detail
        .parties
        .into_iter()
        .find(|p| p.id == party_id)
        .ok_or_else(ApiError::not_found)?;
    let open = |enc: Option<&str>, aad: &[u8]| {
        enc.map(|e| state.cipher.decrypt(e, aad))
            .transpose()
            .map_err(|e| ApiError::internal(&e))
    };
    let revealed = RevealedParty {
        id: p.id,
        id_card_no: open(p.id_card_enc.as_deref(), ID_CARD_AAD)?,
        phone: open(p.phone_enc.as_deref(), PHONE_AAD)?,
    };
    let audit = ctx
        .audit("case.party.reveal", "case")
        .target(case_id)
        .detail(json!({ "party_id": party_id }));
    state.store.append_audit(audit).await?;
    Ok(revealed)
}
