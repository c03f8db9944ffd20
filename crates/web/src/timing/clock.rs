//! The clock the server runs on: the system clock, or for browser journeys a clock shifted
//! by an offset read from a file, so a test can make a case run late without waiting days.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use zongzhi_core::clock::{Clock, SystemClock};

use crate::config::Config;

/// How long an offset read from the file is trusted before reading it again.
const REREAD: Duration = Duration::from_secs(1);

/// The clock `config` asks for: [`SystemClock`], or an [`OffsetClock`] when
/// `testing.clock_offset_file` is set.
pub fn clock_from_config(config: &Config) -> Arc<dyn Clock> {
    match &config.testing.clock_offset_file {
        Some(path) => {
            tracing::warn!("test clock: the time is shifted by the offset file's seconds");
            Arc::new(OffsetClock::new(path.clone()))
        }
        None => Arc::new(SystemClock),
    }
}

/// System time plus the number of seconds written in a file (an integer, possibly
/// negative; missing, unreadable or malformed counts as 0). The file is read again at most
/// once a second, so a test that writes it sees the shift within a second. For tests only.
#[derive(Debug)]
pub struct OffsetClock {
    path: PathBuf,
    cached: Mutex<Option<(Instant, i64)>>,
}

impl OffsetClock {
    /// A clock shifted by the seconds in `path`.
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            cached: Mutex::new(None),
        }
    }

    /// The offset in seconds, from the cache when it is fresh.
    fn offset(&self) -> i64 {
        let Ok(mut cached) = self.cached.lock() else {
            return read_offset(&self.path);
        };
        match *cached {
            Some((at, secs)) if at.elapsed() < REREAD => secs,
            _ => {
                let secs = read_offset(&self.path);
                *cached = Some((Instant::now(), secs));
                secs
            }
        }
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> DateTime<Utc> {
        let now = Utc::now();
        TimeDelta::try_seconds(self.offset())
            .and_then(|d| now.checked_add_signed(d))
            .unwrap_or(now)
    }
}

/// The whole seconds written in `path` (a fractional part is dropped); 0 if it cannot be
/// read or parsed.
fn read_offset(path: &Path) -> i64 {
    let Ok(text) = std::fs::read_to_string(path) else {
        return 0;
    };
    let t = text.trim();
    t.parse::<i64>()
        .ok()
        .or_else(|| {
            t.parse::<f64>()
                .ok()
                .filter(|f| f.is_finite() && f.abs() < 1e15)
                // Truncation is the documented meaning of a fractional offset.
                .map(|f| f.trunc() as i64)
        })
        .unwrap_or(0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn offset_comes_from_the_file_and_is_cached() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("offset");
        let clock = OffsetClock::new(path.clone());
        // Missing file: no shift.
        let d = clock.now() - Utc::now();
        assert!(d.num_seconds().abs() < 5);

        std::fs::write(&path, "86400\n").unwrap();
        // Cached for up to a second: a fresh clock sees the file at once.
        let fresh = OffsetClock::new(path.clone());
        let d = fresh.now() - Utc::now();
        assert!((d.num_seconds() - 86_400).abs() < 5, "{d}");
        std::thread::sleep(REREAD + Duration::from_millis(50));
        let d = clock.now() - Utc::now();
        assert!(
            (d.num_seconds() - 86_400).abs() < 5,
            "re-read after a second: {d}"
        );

        for (text, secs) in [("-60", -60), ("1.9", 1), ("soon", 0), ("", 0)] {
            std::fs::write(&path, text).unwrap();
            assert_eq!(read_offset(&path), secs, "{text:?}");
        }
    }

    #[test]
    fn config_picks_the_clock() {
        let mut config = Config::default();
        let real = clock_from_config(&config);
        assert!(format!("{real:?}").contains("SystemClock"));
        config.testing.clock_offset_file = Some(PathBuf::from("/nonexistent/offset"));
        let shifted = clock_from_config(&config);
        assert!(format!("{shifted:?}").contains("OffsetClock"));
        assert!((shifted.now() - Utc::now()).num_seconds().abs() < 5);
    }
}
