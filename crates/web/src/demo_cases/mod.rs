//! The demo case history: realistic cases for the demo jurisdiction, deterministic from a
//! seed, streamed into the store batch by batch.
//!
//! Each category of the code table has its own Chinese title and description templates,
//! share of the volume, season (欠薪 before the Spring Festival, 邻里 in summer, 婚姻家庭
//! after the holiday …), channel mix, complexity and urgency; reports follow the weekly and
//! daily rhythm of a center. Parties are fictional people with valid ID numbers and phones,
//! encrypted, blind-indexed and masked as the real intake does it. Every case's history is
//! driven through the real domain rules — [`zongzhi_core::case::apply`] for the acting
//! account, folded with `CaseState::project` on the working calendar and the default time
//! limits — with the 预警/超期 marks and automatic 督办 the deadline job would have raised.
//! The newest cases are still open, in every status, so the workbench queues are full.
//!
//! Memory stays bounded whatever the number of cases: one batch is written while the next
//! is generated, and only a day's plan and a few recent cases are kept.

mod case_gen;
mod catalog;
mod generator;
mod lifecycle;
mod notes;
mod people;
mod phases;
mod roster;
mod season;
mod sim;
mod slots;
mod texts_a;
mod texts_b;
mod texts_c;
mod tracking;
mod worktime;
mod world;
mod writer;

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use zongzhi_core::calendar::WorkCalendar;
use zongzhi_core::case::TrackingNo;
use zongzhi_core::org::OrgLevel;
use zongzhi_store::ImportedCase;

use crate::state::AppState;
use case_gen::{Env, Generated, PendingMerge};
use generator::Generator;

/// Seed used when none is given.
pub const DEFAULT_SEED: u64 = 20_261_121;
/// Months of history by default.
pub const DEFAULT_MONTHS: u32 = 18;
/// Cases per `import_cases` call (one transaction, one audit row).
pub const BATCH: usize = 500;

/// What to generate.
#[derive(Debug, Clone)]
pub struct DemoCaseOptions {
    /// How many cases.
    pub cases: u64,
    /// RNG seed: the same seed, jurisdiction and `now` give the same cases.
    pub seed: u64,
    /// Months of history before `now`.
    pub months: u32,
    /// The end of the history (the newest cases are still open at this time).
    pub now: DateTime<Utc>,
    /// Cases per batch.
    pub batch: usize,
}

impl DemoCaseOptions {
    /// `cases` cases over the default 18 months before `now`, from the default seed.
    pub fn new(cases: u64, now: DateTime<Utc>) -> Self {
        Self {
            cases,
            seed: DEFAULT_SEED,
            months: DEFAULT_MONTHS,
            now,
            batch: BATCH,
        }
    }
}

/// One generated case.
pub struct DemoCase {
    generated: Generated,
}

impl DemoCase {
    /// The case as it is imported.
    pub fn imported(&self) -> &ImportedCase {
        &self.generated.case
    }

    /// The case as it is imported, by value.
    pub fn into_imported(self) -> ImportedCase {
        self.generated.case
    }

    /// Whether it is a duplicate that [`generate_cases`] merges into an earlier case once
    /// both are stored.
    pub fn is_duplicate(&self) -> bool {
        self.generated.merge.is_some()
    }
}

/// A stream of generated cases for the jurisdiction in the store.
pub struct DemoCaseGenerator {
    generator: Generator,
    batch: usize,
    /// Staff accounts created so the history has someone to act at every center and
    /// department.
    pub staff_created: usize,
}

impl DemoCaseGenerator {
    /// Reads the jurisdiction, creates the missing staff accounts, and finds the tracking
    /// numbers already taken so the new ones continue after them.
    pub async fn prepare(state: &AppState, opts: &DemoCaseOptions) -> anyhow::Result<Self> {
        let mut world = world::World::load(state.store.as_ref()).await?;
        let staff_created = roster::ensure_staff(state, &mut world, opts.seed).await?;
        let taken = tracking::taken(state.store.as_ref(), |n| {
            if n % 100_000 == 0 {
                tracing::info!(cases = n, "reading tracking numbers already taken");
            }
        })
        .await?;
        let city_short = world
            .units
            .iter()
            .find(|u| u.level == OrgLevel::City)
            .or_else(|| world.root())
            .map(|u| u.name.trim_end_matches('市').to_owned())
            .unwrap_or_default();
        let env = Env {
            world,
            cal: WorkCalendar::builtin(),
            now: opts.now,
            cipher: state.cipher.clone(),
            index: state.index.clone(),
            city_short,
        };
        let generator = Generator::new(
            env,
            opts.seed,
            opts.cases,
            opts.months,
            tracking::Tracking::after(taken),
        );
        let busiest = generator.busiest_day();
        if busiest > u64::from(TrackingNo::MAX_SEQ) / 2 {
            bail!(
                "{busiest} cases on the busiest day: spread them over more months (the daily \
                 tracking sequence ends at {})",
                TrackingNo::MAX_SEQ
            );
        }
        Ok(Self {
            generator,
            batch: opts.batch.max(1),
            staff_created,
        })
    }

    /// The next batch; empty when all cases are out.
    pub fn next_batch(&mut self) -> anyhow::Result<Vec<DemoCase>> {
        Ok(self
            .generator
            .next_batch(self.batch)?
            .into_iter()
            .map(|generated| DemoCase { generated })
            .collect())
    }
}

/// How far [`generate_cases`] has got.
#[derive(Debug, Clone, Copy)]
pub struct DemoCaseProgress {
    /// Cases written.
    pub written: u64,
    /// Cases asked for.
    pub total: u64,
    /// Duplicates merged.
    pub merged: u64,
    /// Time since the start.
    pub elapsed: Duration,
}

/// What [`generate_cases`] did.
#[derive(Debug, Clone, Copy)]
pub struct DemoCaseSummary {
    /// Cases written.
    pub written: u64,
    /// Duplicates merged into earlier cases.
    pub merged: u64,
    /// Staff accounts created.
    pub staff_created: usize,
    /// Time taken.
    pub elapsed: Duration,
}

/// Generates and writes `opts.cases` cases, one batch at a time (the next batch is
/// generated on a blocking thread while the store writes the current one), calling
/// `progress` after each batch.
pub async fn generate_cases(
    state: &AppState,
    opts: &DemoCaseOptions,
    mut progress: impl FnMut(&DemoCaseProgress),
) -> anyhow::Result<DemoCaseSummary> {
    let started = Instant::now();
    let generator = DemoCaseGenerator::prepare(state, opts).await?;
    let staff_created = generator.staff_created;
    let cal = WorkCalendar::builtin();
    let next = |mut g: DemoCaseGenerator| {
        tokio::task::spawn_blocking(move || {
            let batch = g.next_batch();
            (g, batch)
        })
    };
    let mut pending = next(generator);
    let (mut written, mut merged, mut number) = (0u64, 0u64, 0u64);
    loop {
        let (generator, batch) = pending.await.context("case generator stopped")?;
        let batch = batch?;
        if batch.is_empty() {
            break;
        }
        pending = next(generator);
        number += 1;
        let mut merges: Vec<PendingMerge> = Vec::new();
        let cases: Vec<ImportedCase> = batch
            .into_iter()
            .map(|c| {
                merges.extend(c.generated.merge);
                c.generated.case
            })
            .collect();
        written += writer::import(state.store.as_ref(), cases, opts.seed, number).await? as u64;
        for m in &merges {
            if writer::merge(state.store.as_ref(), &cal, m).await? {
                merged += 1;
            }
        }
        progress(&DemoCaseProgress {
            written,
            total: opts.cases,
            merged,
            elapsed: started.elapsed(),
        });
    }
    Ok(DemoCaseSummary {
        written,
        merged,
        staff_created,
        elapsed: started.elapsed(),
    })
}
