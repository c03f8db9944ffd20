//! 当事人 for the ledger: names and masked phones, never decrypted.
//!
//! The store has no batch read of parties yet, so each case of a page is read with
//! `get_case` (in the requester's scope), a few at a time.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::task::JoinSet;
use zongzhi_core::case::CaseId;
use zongzhi_core::role::Scope;
use zongzhi_store::{Party, Store, StoreError, StoreResult};

/// Cases read at once.
const CONCURRENCY: usize = 8;

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

/// The 当事人 text of each case in `ids` (a case gone from the scope meanwhile: empty).
pub(crate) async fn parties_of(
    store: &Arc<dyn Store>,
    scope: &Scope,
    ids: &[CaseId],
) -> StoreResult<HashMap<CaseId, String>> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(CONCURRENCY) {
        let mut set = JoinSet::new();
        for &id in chunk {
            let (store, scope) = (store.clone(), scope.clone());
            set.spawn(async move {
                match store.get_case(&scope, id).await {
                    Ok(d) => Ok((id, parties_text(&d.parties))),
                    Err(StoreError::NotFound) => Ok((id, String::new())),
                    Err(e) => Err(e),
                }
            });
        }
        while let Some(r) = set.join_next().await {
            let (id, text) = r.map_err(StoreError::backend)??;
            out.insert(id, text);
        }
    }
    Ok(out)
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
