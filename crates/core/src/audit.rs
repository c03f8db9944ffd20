//! The audit log: append-only rows, each bound to the one before by an SM3 hash chain.

use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use sm3::{Digest, Sm3};

use crate::account::AccountId;

/// `prev_hash` of the first row.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Whether the audited thing succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditOutcome {
    /// Done.
    Success,
    /// Tried and failed (wrong password, bad input …).
    Failure,
    /// Refused for lack of permission or scope.
    Denied,
}

impl AuditOutcome {
    /// Stable identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
            Self::Denied => "denied",
        }
    }

    /// Parses the stable identifier.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "success" => Some(Self::Success),
            "failure" => Some(Self::Failure),
            "denied" => Some(Self::Denied),
            _ => None,
        }
    }

    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Success => "成功",
            Self::Failure => "失败",
            Self::Denied => "拒绝",
        }
    }
}

/// An audit row to append. `detail` must never hold personal data in clear.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewAuditEntry {
    /// Who did it (None before sign-in).
    pub actor_id: Option<AccountId>,
    /// The username as typed or known (a failed sign-in records what was typed).
    pub actor_username: String,
    /// What was done, dotted: `auth.login`, `account.create`, `http.post` …
    pub action: String,
    /// The kind of thing acted on: `account`, `org_unit`, `session` …
    pub target_type: String,
    /// Its id, if any.
    pub target_id: Option<String>,
    /// Success, failure or denied.
    pub outcome: AuditOutcome,
    /// Client address.
    pub ip: Option<String>,
    /// Structured detail, serialised as JSON text.
    pub detail: serde_json::Value,
}

impl NewAuditEntry {
    /// A row with the common fields; refine with the `with_*` helpers.
    pub fn new(action: &str, target_type: &str, outcome: AuditOutcome) -> Self {
        Self {
            actor_id: None,
            actor_username: String::new(),
            action: action.to_owned(),
            target_type: target_type.to_owned(),
            target_id: None,
            outcome,
            ip: None,
            detail: serde_json::Value::Null,
        }
    }

    /// Sets the actor.
    pub fn by(mut self, actor_id: Option<AccountId>, username: &str) -> Self {
        self.actor_id = actor_id;
        self.actor_username = username.to_owned();
        self
    }

    /// Sets the target id.
    pub fn target(mut self, id: impl ToString) -> Self {
        self.target_id = Some(id.to_string());
        self
    }

    /// Sets the detail.
    pub fn detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
    }

    /// Sets the client address.
    pub fn ip(mut self, ip: Option<String>) -> Self {
        self.ip = ip;
        self
    }

    /// Seals the row as number `seq` after `prev_hash` at time `at` (truncated to
    /// microseconds so it survives both databases unchanged).
    pub fn seal(self, seq: i64, at: DateTime<Utc>, prev_hash: &str) -> AuditEntry {
        let mut e = AuditEntry {
            seq,
            at: at.trunc_subsecs(6),
            actor_id: self.actor_id,
            actor_username: self.actor_username,
            action: self.action,
            target_type: self.target_type,
            target_id: self.target_id,
            outcome: self.outcome,
            ip: self.ip,
            detail: self.detail.to_string(),
            prev_hash: prev_hash.to_owned(),
            hash: String::new(),
        };
        e.hash = e.compute_hash();
        e
    }
}

/// A stored audit row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the chain, 1, 2, 3 … with no gaps.
    pub seq: i64,
    /// When it was written (UTC, microseconds).
    pub at: DateTime<Utc>,
    /// Who did it.
    pub actor_id: Option<AccountId>,
    /// Username of the actor.
    pub actor_username: String,
    /// What was done.
    pub action: String,
    /// Kind of target.
    pub target_type: String,
    /// Target id.
    pub target_id: Option<String>,
    /// Outcome.
    pub outcome: AuditOutcome,
    /// Client address.
    pub ip: Option<String>,
    /// Detail as JSON text (kept as text so the hashed bytes are the stored bytes).
    pub detail: String,
    /// Hash of the previous row.
    pub prev_hash: String,
    /// SM3 over `prev_hash` and this row's fields.
    pub hash: String,
}

impl AuditEntry {
    /// The hash this row should carry.
    pub fn compute_hash(&self) -> String {
        let canonical = serde_json::json!([
            self.seq,
            self.at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
            self.actor_id,
            self.actor_username,
            self.action,
            self.target_type,
            self.target_id,
            self.outcome.as_str(),
            self.ip,
            self.detail,
        ]);
        let mut h = Sm3::new();
        h.update(self.prev_hash.as_bytes());
        h.update(b"\n");
        h.update(canonical.to_string().as_bytes());
        hex::encode(h.finalize())
    }
}

/// Where the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit chain broken at seq {seq}: {reason}")]
pub struct BrokenLink {
    /// The first row that does not verify (or the seq that is missing).
    pub seq: i64,
    /// What is wrong.
    pub reason: &'static str,
}

/// Incremental verifier: feed rows in `seq` order.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
        }
    }
}

impl ChainVerifier {
    /// Checks the next row.
    pub fn check(&mut self, e: &AuditEntry) -> Result<(), BrokenLink> {
        if e.seq != self.expected_seq {
            return Err(BrokenLink {
                seq: self.expected_seq,
                reason: "row missing or out of order",
            });
        }
        if e.prev_hash != self.prev_hash {
            return Err(BrokenLink {
                seq: e.seq,
                reason: "prev_hash does not match previous row",
            });
        }
        if e.compute_hash() != e.hash {
            return Err(BrokenLink {
                seq: e.seq,
                reason: "row content does not match its hash",
            });
        }
        self.expected_seq += 1;
        self.prev_hash = e.hash.clone();
        Ok(())
    }

    /// Rows verified so far.
    pub fn verified(&self) -> i64 {
        self.expected_seq - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let e = NewAuditEntry::new("auth.login", "session", AuditOutcome::Success)
                    .by(Some(seq), "u")
                    .seal(seq, Utc::now(), &prev);
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    #[test]
    fn intact_chain_verifies() {
        let mut v = ChainVerifier::default();
        for e in chain(5) {
            assert!(v.check(&e).is_ok());
        }
        assert_eq!(v.verified(), 5);
    }

    #[test]
    fn tampering_is_found_at_its_row() {
        let mut rows = chain(5);
        rows[2].outcome = AuditOutcome::Failure;
        let mut v = ChainVerifier::default();
        let err = rows.iter().try_for_each(|e| v.check(e)).err();
        assert_eq!(err.map(|b| b.seq), Some(3));

        let mut rows = chain(5);
        rows.remove(1);
        let mut v = ChainVerifier::default();
        let err = rows.iter().try_for_each(|e| v.check(e)).err();
        assert_eq!(err.map(|b| b.seq), Some(2));
    }
}
