//! Application state shared by every handler.

use std::sync::Arc;

use zongzhi_core::clock::Clock;
use zongzhi_crypto::{BlindIndex, FieldCipher};
use zongzhi_store::Store;

use crate::config::Config;

/// What handlers share: the store, the configuration, field crypto and the clock.
#[derive(Clone)]
pub struct AppState {
    /// The storage backend.
    pub store: Arc<dyn Store>,
    /// The typed configuration.
    pub config: Arc<Config>,
    /// Field encryption.
    pub cipher: FieldCipher,
    /// Blind index for exact-match lookup of encrypted fields.
    pub index: BlindIndex,
    /// Time source.
    pub clock: Arc<dyn Clock>,
}
