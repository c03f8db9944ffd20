//! The two-level category code table (事件分类代码表): rows and inputs.
//!
//! Categories are deployment-wide reference data, like the role list: every unit classifies
//! its cases against the same table so that statistics add up across the tree. Reads are
//! therefore not scoped; writes are the system administrator's (the web layer checks
//! `ManageOrg`). Rows are never deleted: a code may still be on old cases, so it is
//! deactivated instead and never reused.

use chrono::{DateTime, Utc};
use serde::Serialize;
use zongzhi_core::case::category::{CategoryKind, SEED};

/// A category as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Category {
    /// Stable code: `D01` (first level) or `D01-01` (second level).
    pub code: String,
    /// Chinese name.
    pub name: String,
    /// The first-level code above a second-level row; `None` for a first-level row.
    pub parent_code: Option<String>,
    /// Dispute (矛盾纠纷) or demand (群众诉求).
    pub kind: CategoryKind,
    /// Display order (then code).
    pub sort_order: i64,
    /// Whether offered for new cases (rows are never deleted).
    pub active: bool,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
}

/// Input for a new category. The caller validates the code's and name's format; the store
/// enforces the table's structure.
#[derive(Debug, Clone)]
pub struct NewCategory {
    /// Code, unique in the table (including deactivated rows).
    pub code: String,
    /// Name.
    pub name: String,
    /// An existing first-level code, for a second-level row (two levels only).
    pub parent_code: Option<String>,
    /// Kind; a second-level row has its parent's.
    pub kind: CategoryKind,
    /// Display order; `None` places it after every existing row.
    pub sort_order: Option<i64>,
}

/// Changes to a category; `None` leaves a field alone. Code, parent and kind never change.
#[derive(Debug, Clone, Default)]
pub struct CategoryPatch {
    /// New name.
    pub name: Option<String>,
    /// Enable or disable (categories are never deleted).
    pub active: Option<bool>,
    /// New display order.
    pub sort_order: Option<i64>,
}

/// One row of the initial table given to
/// [`CategoryStore::seed_categories_if_empty`](crate::CategoryStore::seed_categories_if_empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategorySeedRow {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// First-level code above it (listed earlier in the same seed).
    pub parent_code: Option<String>,
    /// Kind.
    pub kind: CategoryKind,
    /// Display order.
    pub sort_order: i64,
}

impl CategorySeedRow {
    /// The core seed (`zongzhi_core::case::category::SEED`) in table order, numbered
    /// 10, 20, 30 … so that rows added later can be slotted in between.
    pub fn core_seed() -> Vec<CategorySeedRow> {
        SEED.iter()
            .zip(1_i64..)
            .map(|(c, i)| CategorySeedRow {
                code: c.code.to_owned(),
                name: c.name.to_owned(),
                parent_code: c.parent.map(str::to_owned),
                kind: c.kind,
                sort_order: i * 10,
            })
            .collect()
    }
}
