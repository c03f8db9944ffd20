//! Helpers for building filtered, keyset-paginated queries.

use sqlx::{Postgres, QueryBuilder};
use zongzhi_core::role::Scope;
use zongzhi_store::Page;

/// `%text%` for a case-insensitive substring match with `ILIKE … ESCAPE '\'`: the
/// wildcards `%` and `_` and the escape `\` in `text` match only themselves.
pub(crate) fn like_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// How to start a page keyed by id.
pub(crate) enum IdCursor {
    /// From the first row.
    Start,
    /// After (or, newest first, before) this id.
    After(i64),
    /// The cursor is not one this store handed out: the page is empty (as in SQLite).
    Invalid,
}

/// Parses an id cursor (the decimal id of the last row of the previous page).
pub(crate) fn id_cursor(cursor: Option<&str>) -> IdCursor {
    match cursor.map(str::parse::<i64>) {
        None => IdCursor::Start,
        Some(Ok(c)) => IdCursor::After(c),
        Some(Err(_)) => IdCursor::Invalid,
    }
}

/// An empty last page.
pub(crate) fn empty_page<T>() -> Page<T> {
    Page {
        items: Vec::new(),
        next_cursor: None,
    }
}

/// Pushes `AND <path> >= lo AND <path> < hi` for the scope's subtree.
pub(crate) fn push_scope(qb: &mut QueryBuilder<Postgres>, path_col: &str, scope: &Scope) {
    let (lo, hi) = scope.path_range();
    qb.push(format_args!(" AND {path_col} >= "))
        .push_bind(lo)
        .push(format_args!(" AND {path_col} < "))
        .push_bind(hi);
}

/// Pushes a condition keeping paths inside the subtree of the unit `under`. The unit must
/// itself lie inside `scope` (like any other reference a caller passes): an unknown unit,
/// or one outside the scope (even an ancestor of the scope's unit), matches nothing.
pub(crate) fn push_under(
    qb: &mut QueryBuilder<Postgres>,
    path_col: &str,
    scope: &Scope,
    under: i64,
) {
    let (lo, hi) = scope.path_range();
    qb.push(" AND EXISTS (SELECT 1 FROM org_units u WHERE u.id = ")
        .push_bind(under)
        .push(" AND u.path >= ")
        .push_bind(lo)
        .push(" AND u.path < ")
        .push_bind(hi)
        .push(format_args!(
            " AND {path_col} >= u.path AND {path_col} < (left(u.path, -1) || '0'))"
        ));
}

/// Pushes ` LIMIT limit + 1`, so that [`finish_page`] can tell whether more rows follow.
pub(crate) fn push_limit(qb: &mut QueryBuilder<Postgres>, limit: i64) {
    qb.push(" LIMIT ").push_bind(limit + 1);
}

/// Cuts the extra row fetched by [`push_limit`] and derives the next cursor from the
/// last row kept.
pub(crate) fn finish_page<T>(
    mut items: Vec<T>,
    limit: i64,
    cursor_of: impl Fn(&T) -> String,
) -> Page<T> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items.last().map(cursor_of)
    } else {
        None
    };
    Page { items, next_cursor }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("东城"), "%东城%");
        assert_eq!(like_pattern("a%b_c\\d"), "%a\\%b\\_c\\\\d%");
    }

    #[test]
    fn pages_cut_the_lookahead_row() {
        let p = finish_page(vec![1, 2, 3], 2, |x| x.to_string());
        assert_eq!(p.items, vec![1, 2]);
        assert_eq!(p.next_cursor.as_deref(), Some("2"));
        let p = finish_page(vec![1, 2], 2, |x| x.to_string());
        assert_eq!(p.next_cursor, None);
    }

    #[test]
    fn cursors_parse() {
        assert!(matches!(id_cursor(None), IdCursor::Start));
        assert!(matches!(id_cursor(Some("42")), IdCursor::After(42)));
        assert!(matches!(id_cursor(Some("x")), IdCursor::Invalid));
        assert!(matches!(id_cursor(Some(" 42")), IdCursor::Invalid));
    }
}
