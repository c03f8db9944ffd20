//! Text intelligence for Zongzhi.
//!
//! For now this is Chinese word segmentation for full-text search ([`Segmenter`]): case
//! titles, descriptions and addresses are cut into words with jieba in Rust, at write time
//! and at query time, so that both storage backends can search Chinese with their plain
//! built-in tokenizers (SQLite FTS5 `unicode61`, PostgreSQL `to_tsvector('simple', …)`).
//! See [`segment`] for what matches and what does not.

pub mod segment;

pub use segment::Segmenter;
