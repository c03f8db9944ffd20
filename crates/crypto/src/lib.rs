//! Field-level cryptography for sensitive personal data.
