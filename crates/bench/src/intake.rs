//! Durable intake throughput: cases written one by one (`CaseStore::create_case`, each its
//! own transaction) and in batches of 500 (`CaseStore::import_cases`), each beside the raw
//! database inserting the same rows with the same batching. Only the writes are timed; the
//! realistic rows come from the demo generator.

use std::time::{Duration, Instant};

use serde_json::json;
use zongzhi_core::audit::{AuditOutcome, NewAuditEntry};
use zongzhi_store::ImportedCase;
use zongzhi_web::demo_cases::{DemoCaseGenerator, DemoCaseOptions};

use crate::setup::{Bench, root};
use crate::stats::Row;

fn audit(action: &str, detail: serde_json::Value) -> NewAuditEntry {
    NewAuditEntry::new(action, "case", AuditOutcome::Success)
        .by(None, "bench")
        .detail(detail)
}

fn rate(n: u64, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64().max(1e-9)
}

fn row(operation: String, n: u64, ours: Duration, raw: Duration) -> Row {
    Row {
        operation,
        ours: format!("{:.0} cases/s", rate(n, ours)),
        raw: format!("{:.0} cases/s", rate(n, raw)),
        ratio: Some(ours.as_secs_f64() / raw.as_secs_f64().max(1e-9)),
        note: format!("({n} cases)"),
    }
}

/// Runs both intake measurements on `n` cases each.
pub async fn run(b: &Bench, n: u64, seed: u64) -> anyhow::Result<Vec<Row>> {
    let now = b.state.clock.now();
    let mut opts = DemoCaseOptions::new(n, now);
    opts.seed = seed;

    // One by one: each case its own durable transaction.
    let mut generator = DemoCaseGenerator::prepare(&b.state, &opts).await?;
    let (mut ours, mut raw, mut done) = (Duration::ZERO, Duration::ZERO, 0u64);
    loop {
        let batch = generator.next_batch()?;
        if batch.is_empty() {
            break;
        }
        for c in batch {
            let ic = c.into_imported();
            let new = ic.case.clone();
            let t = Instant::now();
            b.store()
                .create_case(
                    &root(),
                    new,
                    audit("case.register", json!({ "source": "bench" })),
                )
                .await?;
            ours += t.elapsed();
            let t = Instant::now();
            crate::raw::insert(&b.raw, std::slice::from_ref(&ic), &b.paths).await?;
            raw += t.elapsed();
            done += 1;
        }
        eprint!("\r  intake one by one: {done}/{n}");
    }
    eprintln!();
    let mut rows = vec![row(
        "intake, one case per transaction (create_case)".into(),
        done,
        ours,
        raw,
    )];

    // Batches of 500: one import_cases call each.
    opts.seed = seed.wrapping_add(1);
    let mut generator = DemoCaseGenerator::prepare(&b.state, &opts).await?;
    let (mut ours, mut raw, mut done, mut number) = (Duration::ZERO, Duration::ZERO, 0u64, 0u64);
    loop {
        let batch: Vec<ImportedCase> = generator
            .next_batch()?
            .into_iter()
            .map(|c| c.into_imported())
            .collect();
        if batch.is_empty() {
            break;
        }
        number += 1;
        let len = batch.len() as u64;
        let copy = batch.clone();
        let t = Instant::now();
        b.store()
            .import_cases(
                batch,
                audit("case.import", json!({ "source": "bench", "batch": number })),
            )
            .await?;
        ours += t.elapsed();
        let t = Instant::now();
        crate::raw::insert(&b.raw, &copy, &b.paths).await?;
        raw += t.elapsed();
        done += len;
        eprint!("\r  intake in batches: {done}/{n}");
    }
    eprintln!();
    rows.push(row(
        format!(
            "intake, {} cases per transaction (import_cases)",
            opts.batch
        ),
        done,
        ours,
        raw,
    ));
    Ok(rows)
}
