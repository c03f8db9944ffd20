//! 当事人 for the ledger: names and masked phones, never decrypted.

use std::collections::HashMap;

use zongzhi_core::case::CaseId;
use zongzhi_core::role::Scope;
use zongzhi_store::{Party, Store, StoreResult};

/// `张三(138****5678)、李四`.
pub(crate) fn parties_text(parties: &[Party]) -> String {
    parties
        .iter()
        .map(|p| match &p.phone_masked {
            Some(m) => format!("{}({m})", p.name),
            None => p.name.clone(),
        })
        .collect::<Vec<_>>()
        .join("、")
}

/// The 当事人 text of each case in `ids` the requester may see, in one scoped read per
/// page (a case without parties, or gone from the scope meanwhile, is absent: empty).
pub(crate) async fn parties_of(
    store: &dyn Store,
    scope: &Scope,
    ids: &[CaseId],
) -> StoreResult<HashMap<CaseId, String>> {
    Ok(store
        .case_parties(scope, ids)
        .await?
        .into_iter()
        .map(|(id, parties)| (id, parties_text(&parties)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use zongzhi_core::case::PartyRole;

    #[test]
    fn only_names_and_masked_phones() {
        let p = |name: &str, masked: Option<&str>| Party {
            id: 1,
            role: PartyRole::Applicant,
            name: name.into(),
            id_card_enc: Some("enc".into()),
            id_card_masked: Some("110***********002X".into()),
            phone_enc: Some("enc".into()),
            phone_masked: masked.map(Into::into),
        };
        assert_eq!(
            parties_text(&[p("张三", Some("138****5678")), p("李四", None)]),
            "张三(138****5678)、李四"
        );
    }
}
