//! Storage errors.

/// Result of a storage call.
pub type StoreResult<T> = Result<T, StoreError>;

/// What went wrong in storage. Backends map their driver errors onto these.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such row, or not inside the caller's scope (the same answer, so scope never
    /// reveals what exists outside it).
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken; the code says which (`username_taken`, `org_code_taken` …).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// A referenced row is missing or outside scope; the code says which.
    #[error("invalid reference: {0}")]
    InvalidReference(&'static str),
    /// Anything else; the cause goes to the log, never to a client.
    #[error("storage backend error")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    /// Wraps a driver error.
    pub fn backend(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Backend(Box::new(e))
    }
}
