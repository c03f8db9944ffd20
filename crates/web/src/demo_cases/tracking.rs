//! Tracking numbers (一案一码) for generated cases: `ZZ` + date + the day's sequence, going
//! on after the numbers already taken that day, so a second run never collides.

use std::collections::HashMap;

use anyhow::Context;
use chrono::NaiveDate;
use zongzhi_core::case::TrackingNo;
use zongzhi_core::role::Scope;
use zongzhi_store::{CaseFilter, Store};

/// The next sequence number of each day.
#[derive(Debug, Default)]
pub(super) struct Tracking {
    last: HashMap<NaiveDate, u32>,
}

impl Tracking {
    /// Numbering after the highest sequence already taken on each day in `taken`.
    pub(super) fn after(taken: HashMap<NaiveDate, u32>) -> Self {
        Self { last: taken }
    }

    /// The next number of `date`.
    pub(super) fn next(&mut self, date: NaiveDate) -> anyhow::Result<String> {
        let seq = self.last.entry(date).or_insert(0);
        *seq += 1;
        let no = TrackingNo::format(date, *seq)
            .map_err(|_| anyhow::anyhow!("more than {} cases on {date}", TrackingNo::MAX_SEQ))?;
        Ok(no.as_str().to_owned())
    }
}

/// The highest sequence number taken on each day by the cases already stored (read page
/// by page: memory stays at one page and one entry per day).
pub(super) async fn taken(
    store: &dyn Store,
    mut progress: impl FnMut(u64),
) -> anyhow::Result<HashMap<NaiveDate, u32>> {
    let root = Scope::subtree(0, "/");
    let mut out: HashMap<NaiveDate, u32> = HashMap::new();
    if store.count_cases(&root, &CaseFilter::default()).await? == 0 {
        return Ok(out);
    }
    let mut cursor = None;
    let mut seen = 0u64;
    loop {
        let filter = CaseFilter {
            cursor: cursor.take(),
            limit: Some(500),
            ..CaseFilter::default()
        };
        let page = store
            .list_cases(&root, &filter)
            .await
            .context("reading tracking numbers")?;
        for c in &page.items {
            if let Ok(t) = TrackingNo::parse(&c.tracking_no) {
                let e = out.entry(t.date()).or_insert(0);
                *e = (*e).max(t.seq());
            }
        }
        seen += page.items.len() as u64;
        progress(seen);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn numbers_continue_after_taken_ones() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        let mut t = Tracking::after(HashMap::from([(d, 122)]));
        assert_eq!(t.next(d).unwrap(), "ZZ2026112100123");
        let e = d.succ_opt().unwrap();
        assert_eq!(t.next(e).unwrap(), "ZZ2026112200001");
        assert_eq!(t.next(d).unwrap(), "ZZ2026112100124");
    }
}
