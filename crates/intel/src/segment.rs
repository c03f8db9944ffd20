//! Chinese word segmentation for full-text search.
//!
//! Neither storage backend can segment Chinese itself: SQLite FTS5's `unicode61`
//! tokenizer would take a whole run of Chinese characters as one token, and its `trigram`
//! tokenizer never matches a two-character word. So the application segments text with
//! jieba and hands the database words separated by spaces, which `unicode61` and
//! PostgreSQL's `simple` configuration both take one by one:
//!
//! - write time: [`Segmenter::index_text`] of the searchable fields goes into the FTS5
//!   table, or into `to_tsvector('simple', $1)`;
//! - query time: [`Segmenter::fts5_match`] is bound to `… MATCH ?`, and
//!   [`Segmenter::tsquery_terms`] to `plainto_tsquery('simple', …)`.
//!
//! Both sides go through the same normalisation: full-width ASCII (`１２３４５`, `ＡＢＣ`)
//! is folded to half-width, ASCII is lower-cased, then the text is segmented without
//! jieba's HMM (so only dictionary words and single characters are produced, the same way
//! on both sides). A term is a run of letters and digits: punctuation and whitespace are
//! dropped and split tokens (`5.4.5` → `5`, `4`, `5`), and runs longer than
//! [`MAX_TERM_CHARS`] characters are ignored.
//!
//! # What matches
//!
//! A query matches a text when every query term is among the text's index terms. The
//! query terms are the words of the query as jieba cuts it. The index terms of a text are:
//!
//! - every word of the text as jieba cuts it (`东湖区`, `物业费`, `12345`, `热线`);
//! - every dictionary word inside one of those words, whatever its length (jieba's search
//!   mode gives those of two and three characters; this module adds the longer ones):
//!   `长江大桥` also gives `长江` and `大桥`, `严重精神障碍` also gives `精神障碍`;
//! - every Chinese character of the text on its own, and the ASCII runs inside a word that
//!   mixes them with Chinese (`4s店` also gives `4s`).
//!
//! So:
//!
//! - `长江` finds `长江大桥`; `拆迁` finds `征地拆迁`; `望江` finds `望江街道`;
//! - a one-character query (`狗`) finds every text containing that character, and a query
//!   jieba cuts into single characters (`江大桥` → `江`, `大桥`) finds texts containing them
//!   anywhere, not necessarily side by side;
//! - a query finds the text it was typed from, and re-indexing an index text gives the same
//!   terms;
//! - word order and repetition do not matter, and there is no phrase search: `大桥长江`
//!   finds `长江大桥`.
//!
//! What does not match:
//!
//! - a query word that straddles two words of the text: `市长` does not find
//!   `南京市长江大桥` (南京市 / 长江大桥), which is usually what one wants;
//! - part of an ASCII or digit run: `1234` does not find `12345`, `138` does not find a
//!   phone number; there is no prefix search;
//! - a term of the query that is absent from the text: every term is required (AND), except
//!   that the particles in [`QUERY_STOPWORDS`] are left out of a query that has other
//!   terms (`小区的物业费` finds `小区物业费`).
//!
//! The user dictionary (`dict/user.txt`, compiled in) keeps the demo jurisdiction's place
//! names and governance words whole. Changing it, or upgrading jieba-rs, changes the terms
//! of new writes only: stored rows must be re-indexed.
//!
//! # Costs, and hints for the stores
//!
//! Indexing every Chinese character on its own is what lets one-character queries work; it
//! costs index size: on generated case text the index text is about twice the input, and
//! more than half of its terms are single characters. A one-character query matches a
//! large share of all cases, so list newest first with a `LIMIT` rather than rank by BM25
//! over everything.
//!
//! - SQLite: every term is exactly one `unicode61` token and queries are plain ANDs, never
//!   phrases or `NEAR`, so the FTS5 table can use `detail=none` (rowids only, the smallest
//!   index), and need not store the index text (`content=''`, with `contentless_delete=1`).
//! - PostgreSQL: positions are never used either, so `strip(to_tsvector('simple', $1))` in
//!   a column with a GIN index is enough.

use std::collections::HashSet;
use std::sync::OnceLock;

use jieba_rs::Jieba;

/// The user dictionary: `word [frequency] [tag]` per line, `#` comments.
const USER_DICT: &str = include_str!("../dict/user.txt");

/// The most terms a query is cut into; the rest of a longer query is ignored, so that a
/// pasted paragraph cannot make the database intersect hundreds of posting lists.
pub const MAX_QUERY_TERMS: usize = 32;

/// The longest term kept, in characters; longer runs (a pasted hash or base64 blob) are
/// neither indexed nor searched for. PostgreSQL refuses lexemes over 2047 bytes anyway.
pub const MAX_TERM_CHARS: usize = 64;

/// Particles left out of a query when it has other terms, so that `小区的物业费` finds
/// `小区物业费`. They are still indexed, so a query of particles alone finds them.
pub const QUERY_STOPWORDS: &[&str] = &[
    "的", "地", "得", "了", "着", "过", "和", "与", "及", "或", "是", "在", "也", "都", "被", "把",
    "对", "等", "之", "吗", "呢", "啊", "吧",
];

/// Jieba with the default dictionary and Zongzhi's user dictionary: cuts text into the
/// terms stored in, and looked up from, the full-text index.
///
/// Loading the dictionaries takes a noticeable time (measured here: 0.2 s in an optimised
/// build, 0.6 s unoptimised), so load once: use [`Segmenter::shared`]. A `Segmenter` is
/// `Sync`, and segmenting takes no lock.
#[derive(Debug)]
pub struct Segmenter {
    jieba: Jieba,
}

impl Default for Segmenter {
    fn default() -> Self {
        Self::new()
    }
}

impl Segmenter {
    /// Loads jieba's default dictionary and the compiled-in user dictionary.
    pub fn new() -> Self {
        let mut jieba = Jieba::new();
        for (word, freq, tag) in user_dict_entries() {
            jieba.add_word(&word, freq, tag);
        }
        Self { jieba }
    }

    /// The process-wide segmenter, loaded on first use.
    pub fn shared() -> &'static Segmenter {
        static SHARED: OnceLock<Segmenter> = OnceLock::new();
        SHARED.get_or_init(Segmenter::new)
    }

    /// The text to store in the full-text index for a record whose searchable fields are
    /// `parts` (title, description, address, …): its index terms (see the
    /// [module documentation](self)), each once, in order of first appearance, separated by
    /// single spaces. Empty when the parts hold no letters or digits.
    ///
    /// Parts are segmented separately, so no word is formed across two of them.
    pub fn index_text(&self, parts: &[&str]) -> String {
        let mut text = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
        for part in parts {
            normalize_into(part, &mut text);
            // Not a letter or digit, so jieba starts a new block here.
            text.push('\n');
        }
        let mut terms = Terms::with_capacity(text.len() * 2);
        for token in self.jieba.cut_for_search(&text, false) {
            for piece in pieces(token.word) {
                terms.push(piece);
                self.push_inner_terms(piece, &mut terms);
            }
        }
        terms.out
    }

    /// The terms of a user's query, all of which a text must contain (AND): the words of
    /// the query as jieba cuts it, normalised like the index, each once, in order, without
    /// the [`QUERY_STOPWORDS`] unless they are all there is, at most [`MAX_QUERY_TERMS`].
    /// Empty for a blank query or one of punctuation only.
    ///
    /// Each term consists of letters and digits only, so it can be handed to either
    /// database without escaping.
    pub fn query_terms(&self, q: &str) -> Vec<String> {
        let mut text = String::with_capacity(q.len());
        normalize_into(q, &mut text);
        let mut seen = HashSet::new();
        let mut terms: Vec<&str> = Vec::new();
        for token in self.jieba.cut(&text, false) {
            for piece in pieces(token.word) {
                if seen.insert(piece) {
                    terms.push(piece);
                }
            }
        }
        if terms.iter().any(|t| !QUERY_STOPWORDS.contains(t)) {
            terms.retain(|t| !QUERY_STOPWORDS.contains(t));
        }
        terms.truncate(MAX_QUERY_TERMS);
        terms.into_iter().map(str::to_owned).collect()
    }

    /// An SQLite FTS5 `MATCH` expression for a user's query: its [query
    /// terms](Self::query_terms), each as an FTS5 string (double-quoted, inner quotes
    /// doubled), joined with `AND`, e.g. `"物业费" AND "纠纷"`. `None` when the query has no
    /// terms: show no results (or all) rather than run `MATCH ''`, which is an error.
    ///
    /// Bind it as a parameter (`WHERE case_fts MATCH ?`); FTS5 syntax in the query
    /// (`OR`, `NEAR(`, `*`, `"`, column filters) is only ever searched for as text.
    pub fn fts5_match(&self, q: &str) -> Option<String> {
        let terms = self.query_terms(q);
        if terms.is_empty() {
            return None;
        }
        let quoted: Vec<String> = terms
            .iter()
            .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
            .collect();
        Some(quoted.join(" AND "))
    }

    /// The PostgreSQL query terms for a user's query, the same as
    /// [`query_terms`](Self::query_terms), all required. Empty when the query has none:
    /// then do not search.
    ///
    /// Bind them joined with spaces to `plainto_tsquery('simple', $1)`, which ANDs them, or
    /// joined with ` & ` to `to_tsquery('simple', $1)`; as terms hold only letters and
    /// digits, neither can see an operator. Match against
    /// `to_tsvector('simple', index_text)` (or a stored `tsvector` column of it).
    pub fn tsquery_terms(&self, q: &str) -> Vec<String> {
        self.query_terms(q)
    }

    /// The index terms inside a multi-character term `piece` that jieba's search mode does
    /// not give: dictionary words of four or more characters inside it, its ASCII runs if
    /// it mixes them with Chinese, and its Chinese characters one by one.
    fn push_inner_terms<'a>(&self, piece: &'a str, terms: &mut Terms<'a>) {
        // Byte offsets of the piece's characters, and its end.
        let bounds: Vec<usize> = piece
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(piece.len()))
            .collect();
        let chars = bounds.len() - 1;
        if chars < 2 || !piece.chars().any(is_han) {
            return;
        }
        // Search mode gives the words of two and three characters and the piece itself.
        for len in 4..chars {
            for start in 0..=chars - len {
                let word = &piece[bounds[start]..bounds[start + len]];
                if self.jieba.has_word(word) {
                    terms.push(word);
                }
            }
        }
        if piece.bytes().any(|b| b.is_ascii_alphanumeric()) {
            for run in piece.split(|c: char| !c.is_ascii_alphanumeric()) {
                if !run.is_empty() {
                    terms.push(run);
                }
            }
        }
        for (i, c) in piece.char_indices() {
            if is_han(c) {
                terms.push(&piece[i..i + c.len_utf8()]);
            }
        }
    }
}

/// The index text being built: each term once, in order, separated by spaces.
struct Terms<'a> {
    seen: HashSet<&'a str>,
    out: String,
}

impl<'a> Terms<'a> {
    fn with_capacity(capacity: usize) -> Self {
        Self {
            seen: HashSet::new(),
            out: String::with_capacity(capacity),
        }
    }

    fn push(&mut self, term: &'a str) {
        if self.seen.insert(term) {
            if !self.out.is_empty() {
                self.out.push(' ');
            }
            self.out.push_str(term);
        }
    }
}

/// The terms in a jieba token: its runs of letters and digits (usually the token itself),
/// except those longer than [`MAX_TERM_CHARS`].
fn pieces(token: &str) -> impl Iterator<Item = &str> {
    token
        .split(|c: char| !c.is_alphanumeric())
        .filter(|p| !p.is_empty() && p.chars().nth(MAX_TERM_CHARS).is_none())
}

/// Appends `text` to `out` with full-width ASCII folded to half-width, the ideographic
/// space to a space, and ASCII lower-cased.
fn normalize_into(text: &str, out: &mut String) {
    for c in text.chars() {
        let c = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        };
        out.push(c.to_ascii_lowercase());
    }
}

/// Whether `c` is a Chinese character (a CJK unified or compatibility ideograph).
fn is_han(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2A6DF}'
        | '\u{2A700}'..='\u{2EBEF}'
        | '\u{2F800}'..='\u{2FA1F}'
        | '\u{30000}'..='\u{323AF}'
    )
}

/// The entries of the user dictionary: word (normalised like the text), frequency if
/// given, tag if given. A frequency that is not a number counts as absent.
fn user_dict_entries() -> impl Iterator<Item = (String, Option<usize>, Option<&'static str>)> {
    USER_DICT.lines().filter_map(|line| {
        let line = line.split('#').next().unwrap_or("");
        let mut fields = line.split_whitespace();
        let word = fields.next()?;
        let freq = fields.next().and_then(|f| f.parse().ok());
        let tag = fields.next();
        let mut normalized = String::with_capacity(word.len());
        normalize_into(word, &mut normalized);
        Some((normalized, freq, tag))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_folds_full_width_and_ascii_case() {
        let mut out = String::new();
        normalize_into("１２３４５ＡＢＣ\u{3000}Ｘ光，ÉCOLE", &mut out);
        assert_eq!(out, "12345abc x光,École");
    }

    #[test]
    fn every_user_dictionary_entry_is_well_formed() {
        let mut count = 0;
        for line in USER_DICT.lines() {
            let line = line.split('#').next().unwrap_or("");
            let fields: Vec<&str> = line.split_whitespace().collect();
            if fields.is_empty() {
                continue;
            }
            count += 1;
            assert!(fields.len() <= 3, "too many fields: {line}");
            if let Some(freq) = fields.get(1) {
                assert!(freq.parse::<usize>().is_ok(), "bad frequency: {line}");
            }
            let word = fields[0];
            assert!(
                word.chars().all(char::is_alphanumeric),
                "a word must be letters and digits: {line}"
            );
            assert!(
                !word.chars().all(|c| c.is_ascii_digit()),
                "numbers stay whole without the dictionary, and split longer ones in it: {line}"
            );
            assert_eq!(
                word,
                word.to_ascii_lowercase(),
                "write words in lower case: {line}"
            );
        }
        assert!(count > 50);
    }

    #[test]
    fn user_words_are_in_the_dictionary() {
        let seg = Segmenter::shared();
        for (word, _, _) in user_dict_entries() {
            assert!(seg.jieba.has_word(&word), "{word}");
        }
    }

    #[test]
    fn han_characters() {
        assert!(is_han('长'));
        assert!(is_han('𠀀'));
        assert!(!is_han('a'));
        assert!(!is_han('，'));
        assert!(!is_han('〇'));
    }
}
