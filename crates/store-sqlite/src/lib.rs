//! sqlite backend.
