//! Demo jurisdiction.
