//! Validated pieces of action payloads: free text and route targets.

use serde::{Deserialize, Serialize};

use super::error::CaseError;
use crate::org::{DepartmentId, OrgUnitId};

/// Free text on an event (note, reason, answer): trimmed, 1–2000 characters, no control
/// characters other than line breaks and tabs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Note(String);

impl Note {
    /// Longest text in characters.
    pub const MAX_CHARS: usize = 2000;

    /// Parses the text for payload field `field` (named in the error).
    pub fn parse(s: &str, field: &'static str) -> Result<Self, CaseError> {
        let s = s.trim();
        if s.is_empty() {
            Err(CaseError::Required { field })
        } else if s.chars().count() > Self::MAX_CHARS {
            Err(CaseError::TooLong {
                field,
                max: Self::MAX_CHARS,
            })
        } else if s
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            Err(CaseError::BadText { field })
        } else {
            Ok(Self(s.to_owned()))
        }
    }

    /// An optional text: absent or blank is `None`, otherwise as [`Note::parse`].
    pub fn parse_opt(s: Option<&str>, field: &'static str) -> Result<Option<Self>, CaseError> {
        match s.map(str::trim) {
            None | Some("") => Ok(None),
            Some(t) => Self::parse(t, field).map(Some),
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Note {
    type Error = CaseError;

    fn try_from(s: String) -> Result<Self, CaseError> {
        Self::parse(&s, "note")
    }
}

impl From<Note> for String {
    fn from(n: Note) -> String {
        n.0
    }
}

/// Where a case is routed: a department (one lead, optional co-handlers 协办) or a
/// lower-tier center.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RouteTarget {
    /// A stationed department as lead (主办), with co-handling departments (协办).
    Department {
        /// The lead department.
        id: DepartmentId,
        /// Co-handling departments, distinct and without the lead.
        #[serde(default)]
        co_handler_ids: Vec<DepartmentId>,
    },
    /// A lower-tier center, which then handles it as holder.
    OrgUnit {
        /// The org unit.
        id: OrgUnitId,
    },
}

impl RouteTarget {
    /// Most co-handlers on one case.
    pub const MAX_CO_HANDLERS: usize = 20;

    /// A department target, validated.
    pub fn department(
        id: DepartmentId,
        co_handler_ids: Vec<DepartmentId>,
    ) -> Result<Self, CaseError> {
        let t = Self::Department { id, co_handler_ids };
        t.validate()?;
        Ok(t)
    }

    /// An org unit target, validated.
    pub fn org_unit(id: OrgUnitId) -> Result<Self, CaseError> {
        let t = Self::OrgUnit { id };
        t.validate()?;
        Ok(t)
    }

    /// Checks ids and co-handlers.
    pub fn validate(&self) -> Result<(), CaseError> {
        match self {
            Self::Department { id, co_handler_ids } => {
                positive(*id, "id")?;
                let mut seen = vec![*id];
                for c in co_handler_ids {
                    positive(*c, "co_handler_ids")?;
                    if seen.contains(c) {
                        return Err(CaseError::BadCoHandlers);
                    }
                    seen.push(*c);
                }
                if co_handler_ids.len() > Self::MAX_CO_HANDLERS {
                    return Err(CaseError::BadCoHandlers);
                }
                Ok(())
            }
            Self::OrgUnit { id } => positive(*id, "id"),
        }
    }
}

pub(crate) fn positive(id: i64, field: &'static str) -> Result<(), CaseError> {
    if id > 0 {
        Ok(())
    } else {
        Err(CaseError::BadId { field })
    }
}
