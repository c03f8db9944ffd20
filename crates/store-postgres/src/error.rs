//! Mapping driver errors onto [`StoreError`].

use zongzhi_store::StoreError;

/// Wraps a driver error, turning the known unique and foreign-key violations into
/// [`StoreError::Conflict`] and [`StoreError::InvalidReference`].
pub(crate) fn db(e: sqlx::Error) -> StoreError {
    if let Some(d) = e.as_database_error()
        && let Some(constraint) = d.constraint()
    {
        if d.is_unique_violation()
            && let Some(code) = conflict_code(constraint)
        {
            return StoreError::Conflict(code);
        }
        if d.is_foreign_key_violation()
            && let Some(code) = reference_code(constraint)
        {
            return StoreError::InvalidReference(code);
        }
    }
    StoreError::backend(e)
}

/// The conflict code of a unique constraint (names fixed by the migrations).
fn conflict_code(constraint: &str) -> Option<&'static str> {
    match constraint {
        "accounts_username_key" => Some("username_taken"),
        "org_units_code_key" | "org_units_path_key" => Some("org_code_taken"),
        "departments_unit_name_key" => Some("department_name_taken"),
        "sessions_pkey" => Some("session_exists"),
        "categories_pkey" => Some("category_code_taken"),
        _ => None,
    }
}

/// The reference code of a foreign key (PostgreSQL's default names). Scoped writes check
/// their references first; this catches the rest (a session for a missing account) and
/// races with concurrent writers.
fn reference_code(constraint: &str) -> Option<&'static str> {
    match constraint {
        "sessions_account_id_fkey" => Some("account"),
        "org_units_parent_id_fkey" => Some("parent"),
        "departments_org_unit_id_fkey" | "accounts_org_unit_id_fkey" => Some("org_unit"),
        "accounts_department_id_fkey" => Some("department"),
        "categories_parent_code_fkey" => Some("parent_code"),
        _ => None,
    }
}

/// A stored value that does not decode into its domain type.
#[derive(Debug, thiserror::Error)]
#[error("unexpected {what} in the database: {value:?}")]
pub(crate) struct BadValue {
    what: &'static str,
    value: String,
}

/// A [`StoreError::Backend`] for a stored value that does not decode.
pub(crate) fn bad_value(what: &'static str, value: &str) -> StoreError {
    StoreError::backend(BadValue {
        what,
        value: value.to_owned(),
    })
}
