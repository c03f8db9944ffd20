//! Content-addressed storage of attachment files under
//! `<data_dir>/attachments/<2 hex>/<sm3 hex>`.
//!
//! Files are written before the database row that references them (temp file, fsync,
//! rename, fsync of the directory), so a crash leaves at worst an unreferenced file, never
//! a row without its file. A failed or replayed store call removes the files it wrote
//! unless another row (or another request in flight) uses the same content;
//! [`sweep_orphans`] removes whatever a crash left behind.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, SystemTime};

use zongzhi_store::NewAttachment;

use super::attachments::CheckedFile;
use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Age after which an unreferenced file is an orphan.
const ORPHAN_AGE: Duration = Duration::from_secs(3600);

/// `<data_dir>/attachments`.
pub(crate) fn root_dir(config: &Config) -> PathBuf {
    config.data_dir.join("attachments")
}

fn is_hash(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Where the file with SM3 `hash` (64 lowercase hex) lives; `None` for anything else.
pub fn attachment_path(config: &Config, hash: &str) -> Option<PathBuf> {
    is_hash(hash).then(|| root_dir(config).join(&hash[..2]).join(hash))
}

/// A hash claimed by requests that have not finished: how many, and the stamp of the
/// latest claim, so a cleanup can tell whether anyone else claimed it while it was asking
/// the database.
#[derive(Debug, Clone, Copy)]
struct Claim {
    count: usize,
    stamp: u64,
}

/// Hashes being written or referenced by requests that have not finished.
#[derive(Debug, Default)]
struct InFlight {
    last_stamp: u64,
    claims: HashMap<String, Claim>,
}

static IN_FLIGHT: LazyLock<Mutex<InFlight>> = LazyLock::new(Mutex::default);

fn in_flight() -> std::sync::MutexGuard<'static, InFlight> {
    // A poisoned map is still a consistent map: every update is a single insert/remove.
    IN_FLIGHT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Files one request wrote, registered as in flight until dropped.
#[derive(Debug, Default)]
pub(crate) struct Written {
    /// Rows for the store.
    pub rows: Vec<NewAttachment>,
    /// Registration stamps, by hash.
    stamps: Vec<(String, u64)>,
}

impl Written {
    fn register(&mut self, hash: &str) {
        let mut g = in_flight();
        g.last_stamp += 1;
        let stamp = g.last_stamp;
        let c = g
            .claims
            .entry(hash.to_owned())
            .or_insert(Claim { count: 0, stamp });
        c.count += 1;
        c.stamp = stamp;
        self.stamps.push((hash.to_owned(), stamp));
    }
}

impl Drop for Written {
    fn drop(&mut self) {
        let mut g = in_flight();
        for (hash, _) in &self.stamps {
            if let Some(c) = g.claims.get_mut(hash) {
                c.count = c.count.saturating_sub(1);
                if c.count == 0 {
                    g.claims.remove(hash);
                }
            }
        }
    }
}

/// Writes one file into place (blocking): temp file, fsync, rename over any file with the
/// same content (which refreshes its age for [`sweep_orphans`]), fsync the directory.
fn write_blocking(root: &Path, hash: &str, bytes: &[u8]) -> std::io::Result<()> {
    let tmp_dir = root.join("tmp");
    let dir = root.join(&hash[..2]);
    std::fs::create_dir_all(&tmp_dir)?;
    std::fs::create_dir_all(&dir)?;
    let tmp = tmp_dir.join(format!("{hash}.{:016x}", rand::random::<u64>()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, dir.join(hash))?;
        sync_dir(&dir)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_: &Path) -> std::io::Result<()> {
    Ok(())
}

/// Hashes and writes checked files; the returned [`Written`] must live until the store call
/// that references them has finished, then go to [`discard_unused`] if that call failed.
pub(crate) async fn write_files(state: &AppState, files: Vec<CheckedFile>) -> ApiResult<Written> {
    let root = root_dir(&state.config);
    let mut written = Written::default();
    for f in files {
        let hash = {
            let bytes = f.bytes.clone();
            tokio::task::spawn_blocking(move || zongzhi_crypto::sm3_hex(&bytes))
                .await
                .map_err(|e| ApiError::internal(&e))?
        };
        written.register(&hash);
        let (r, h, b) = (root.clone(), hash.clone(), f.bytes.clone());
        let res = tokio::task::spawn_blocking(move || write_blocking(&r, &h, &b))
            .await
            .map_err(|e| ApiError::internal(&e))?;
        if let Err(e) = res {
            discard_unused(state, written).await;
            return Err(ApiError::internal(&format!("writing attachment: {e}")));
        }
        written.rows.push(NewAttachment {
            content_hash: hash,
            file_name: f.file_name,
            content_type: f.content_type.to_owned(),
            size_bytes: i64::try_from(f.bytes.len()).unwrap_or(i64::MAX),
        });
    }
    Ok(written)
}

/// After a failed (or replayed) store call: removes each file no row references and no
/// other request has registered since. Errors are logged; the sweep catches what remains.
pub(crate) async fn discard_unused(state: &AppState, written: Written) {
    for (hash, stamp) in &written.stamps {
        match state.store.attachment_hash_in_use(hash).await {
            Ok(false) => {}
            Ok(true) => continue,
            Err(e) => {
                tracing::warn!(error = %e, "could not check attachment use; left for the sweep");
                continue;
            }
        }
        let Some(path) = attachment_path(&state.config, hash) else {
            continue;
        };
        // Only ours, and nobody registered it since we did (they may have committed a row
        // after we asked the database).
        remove_unclaimed(hash, Some(*stamp), &path);
    }
    drop(written);
}

/// Removes `path` unless a request other than the one holding `stamp` has claimed `hash`
/// (with `stamp` `None`: unless any request has). The lock is held while removing, so no
/// request can register the hash in between.
fn remove_unclaimed(hash: &str, stamp: Option<u64>, path: &Path) -> bool {
    let g = in_flight();
    let unclaimed = match (g.claims.get(hash), stamp) {
        (None, None) => true,
        (Some(c), Some(mine)) => c.count == 1 && c.stamp == mine,
        _ => false,
    };
    if !unclaimed {
        return false;
    }
    match std::fs::remove_file(path) {
        Ok(()) => true,
        Err(e) => {
            if e.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(error = %e, "could not remove unused attachment");
            }
            false
        }
    }
}

/// Removes temp files and content files that no row references, older than one hour (so
/// a request still between writing its files and committing is never touched). Returns how
/// many files were removed. Call at start-up, and as often as wanted.
pub async fn sweep_orphans(state: &AppState) -> anyhow::Result<usize> {
    let root = root_dir(&state.config);
    let now = SystemTime::now();
    let old = move |p: &Path| -> bool {
        std::fs::metadata(p)
            .and_then(|m| m.modified())
            .is_ok_and(|t| now.duration_since(t).is_ok_and(|age| age > ORPHAN_AGE))
    };
    let r = root.clone();
    let (tmp, candidates) = tokio::task::spawn_blocking(move || {
        let mut tmp = Vec::new();
        let mut candidates = Vec::new();
        let Ok(dirs) = std::fs::read_dir(&r) else {
            return (tmp, candidates);
        };
        for d in dirs.flatten() {
            let name = d.file_name().to_string_lossy().into_owned();
            let Ok(files) = std::fs::read_dir(d.path()) else {
                continue;
            };
            for f in files.flatten() {
                let path = f.path();
                let fname = f.file_name().to_string_lossy().into_owned();
                if name == "tmp" {
                    if old(&path) {
                        tmp.push(path);
                    }
                } else if is_hash(&fname) && fname.starts_with(&name) && old(&path) {
                    candidates.push((fname, path));
                }
            }
        }
        (tmp, candidates)
    })
    .await?;
    let mut removed = 0;
    for p in tmp {
        if tokio::fs::remove_file(&p).await.is_ok() {
            removed += 1;
        }
    }
    for (hash, path) in candidates {
        if state.store.attachment_hash_in_use(&hash).await? {
            continue;
        }
        if remove_unclaimed(&hash, None, &path) {
            removed += 1;
        }
    }
    if removed > 0 {
        tracing::info!(removed, "removed orphaned attachment files");
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn paths_only_for_hashes() {
        let c = Config::default();
        assert!(attachment_path(&c, "../etc/passwd").is_none());
        let h = "ab".repeat(32);
        assert!(
            attachment_path(&c, &h)
                .unwrap()
                .ends_with(format!("attachments/ab/{h}"))
        );
    }
}
