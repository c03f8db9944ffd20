//! Personal identifiers (placeholder).
