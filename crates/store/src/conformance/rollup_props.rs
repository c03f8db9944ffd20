//! Rollups under random histories: after any sequence of case writes (registrations, every
//! action the state machine allows, deadline marks with automatic 督办, merges, bulk
//! imports), the incrementally maintained `case_rollups` equal a pure recomputation from the
//! cases, equal what `rebuild_rollups` writes, and every metric's case filter counts exactly
//! what the rollups count.
//!
//! The sequences come from proptest strategies driven by a deterministic runner (the tests
//! are async, so the runner generates and this loop applies).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use zongzhi_core::case::{
    Action, ActionKind, ActorCtx, CaseStatus, Channel, FollowUpMethod, Outcome, SupervisionLevel,
    allowed_actions,
};
use zongzhi_core::metrics::rollup::{RollupDim, accumulate, rows_of};
use zongzhi_core::metrics::{Counters, Metric, Period};
use zongzhi_core::role::Role;

use super::case_fixture::{
    case_audit, mark_update, mk_case, new_case, route_dept, setup, t, update, with_channel,
};
use super::{Tree, audit, root};
use crate::{Case, CaseFilter, ImportedCase, OrgUnit, RollupGroup, RollupQuery, Store};

/// Roles the generated actions are taken with (as the fixture's `step` does).
const ROLES: &[Role] = &[Role::Intake, Role::Dispatcher, Role::Handler, Role::Leader];

/// One generated write.
#[derive(Debug, Clone)]
enum Step {
    /// Register a case at village/grid `loc`, from `channel`, in category `cat`, reported
    /// `back` hours before its registration.
    New {
        loc: usize,
        grid: bool,
        channel: usize,
        cat: usize,
        back: u16,
    },
    /// Take the `pick`-th allowed action on case `case`, `p` choosing its payload.
    Act { case: usize, pick: usize, p: u8 },
    /// Raise a deadline mark on case `case` (超期 with the automatic 督办, or 预警).
    Mark { case: usize, overdue: bool },
    /// Import `n` historical cases at village `loc`.
    Import { n: u8, loc: usize },
}

fn step_strategy() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0..8usize, any::<bool>(), 0..Channel::ALL.len(), 0..6usize, 0..2000u16)
            .prop_map(|(loc, grid, channel, cat, back)| Step::New { loc, grid, channel, cat, back }),
        16 => (0..64usize, 0..32usize, any::<u8>())
            .prop_map(|(case, pick, p)| Step::Act { case, pick, p }),
        2 => (0..64usize, any::<bool>()).prop_map(|(case, overdue)| Step::Mark { case, overdue }),
        1 => (1..4u8, 0..8usize).prop_map(|(n, loc)| Step::Import { n, loc }),
    ]
}

/// The applied history so far.
struct World<'a> {
    tree: &'a Tree,
    cats: Vec<String>,
    ids: Vec<i64>,
    now: DateTime<Utc>,
    imported: u32,
}

impl World<'_> {
    /// A later instant for the next write.
    fn tick(&mut self) -> DateTime<Utc> {
        self.now += TimeDelta::minutes(97);
        self.now
    }

    fn town_of(&self, v: usize) -> &OrgUnit {
        self.tree.town(v / 4, (v / 2) % 2)
    }

    async fn case(&self, store: &dyn Store, i: usize) -> Option<Case> {
        // Actions concentrate on the newest dozen cases, so their lifecycles run deep
        // (accepted, resolved, verified, followed up, reopened …) while older ones rest.
        let back = i % self.ids.len().clamp(1, 12);
        let id = *self.ids.get(self.ids.len().checked_sub(1 + back)?)?;
        Some(store.get_case(&root(), id).await.unwrap().case)
    }
}

/// The action of `kind` on `case` at `now`, or `None` for kinds this test leaves out.
fn action_for(
    w: &World<'_>,
    case: &Case,
    kind: ActionKind,
    p: u8,
    now: DateTime<Utc>,
) -> Option<Action> {
    let center = w
        .tree
        .all_units()
        .into_iter()
        .find(|u| u.id == case.state.center_unit_id)?;
    let later = now + TimeDelta::days(2);
    let outcome = Outcome::ALL[usize::from(p) % Outcome::ALL.len()];
    Some(match kind {
        ActionKind::Route => route_dept(w.tree.dept(center), &[]),
        ActionKind::Accept => Action::accept(None).ok()?,
        ActionKind::Return => Action::return_with("不属本部门职责").ok()?,
        ActionKind::RequestExtension => Action::request_extension(3, "需补充材料").ok()?,
        ActionKind::DecideExtension => Action::decide_extension(p.is_multiple_of(2), None).ok()?,
        ActionKind::Progress => Action::progress("已约谈双方").ok()?,
        ActionKind::Resolve => Action::resolve(outcome, "已办结").ok()?,
        ActionKind::Verify => Action::verify(!p.is_multiple_of(3), None).ok()?,
        ActionKind::Close => Action::close(None).ok()?,
        ActionKind::FollowUp => Action::follow_up(1 + p % 5, FollowUpMethod::Phone, None).ok()?,
        ActionKind::Reopen => Action::reopen("回访不满意").ok()?,
        ActionKind::Archive => Action::archive(Some("无需回访")).ok()?,
        ActionKind::Supervise => Action::supervise(
            SupervisionLevel::ALL[usize::from(p) % 3],
            "请限期办结",
            later,
            now,
        )
        .ok()?,
        ActionKind::Urge => Action::urge("请加快办理", later, now).ok()?,
        ActionKind::TriageClose => Action::triage_close(outcome, "当场答复").ok()?,
        ActionKind::Merge => {
            let master = w.ids.iter().copied().find(|id| *id != case.id)?;
            Action::merge(master, case.id, None).ok()?
        }
        ActionKind::Register | ActionKind::Escalate | ActionKind::SendDown => return None,
    })
}

async fn apply_step(store: &dyn Store, w: &mut World<'_>, step: Step) {
    match step {
        Step::New {
            loc,
            grid,
            channel,
            cat,
            back,
        } => {
            let village = w.tree.villages[loc].clone();
            let grid_unit = w.tree.grids[loc].clone();
            let town = w.town_of(loc).clone();
            let at = w.tick();
            let mut nc = new_case(
                if grid { &grid_unit } else { &village },
                &town,
                w.tree.account(&town),
                "邻里纠纷",
                "楼上漏水影响楼下住户",
            );
            nc = with_channel(nc, Channel::ALL[channel]);
            nc.category_code = w.cats[cat % w.cats.len()].clone();
            // Registered now, reported up to ~80 days earlier (local days vary).
            nc.created_at = at;
            nc.events[0].at = at;
            nc.state.registered_at = Some(at);
            nc.reported_at = at - TimeDelta::hours(i64::from(back));
            let c = mk_case(store, &root(), nc).await;
            w.ids.push(c.id);
        }
        Step::Act { case, pick, p } => {
            let Some(c) = w.case(store, case).await else {
                return;
            };
            let mut ctx = ActorCtx::scoped(ROLES).with_facts(c.state.facts);
            ctx.is_holder = true;
            let kinds = allowed_actions(c.state.status, &ctx);
            if kinds.is_empty() {
                return;
            }
            let now = w.tick();
            let mut kind = kinds[pick % kinds.len()];
            // Merging and closing at the window end a case's life early: keep them rare.
            if matches!(kind, ActionKind::Merge | ActionKind::TriageClose) && !p.is_multiple_of(8) {
                kind = kinds[(pick + 1) % kinds.len()];
            }
            let Some(action) = action_for(w, &c, kind, p, now) else {
                return;
            };
            let up = update(&c, action, None, now);
            store
                .apply_case_event(&root(), up, case_audit("case.act"))
                .await
                .unwrap();
        }
        Step::Mark { case, overdue } => {
            let Some(c) = w.case(store, case).await else {
                return;
            };
            if c.state.due_at().is_none() || c.state.status == CaseStatus::Archived {
                return;
            }
            let mark = if overdue {
                zongzhi_core::case::DeadlineMark::Overdue
            } else {
                zongzhi_core::case::DeadlineMark::Warning
            };
            let now = w.tick();
            let up = mark_update(c.id, c.version, &c.state, mark, now);
            store
                .apply_system_event(up, case_audit("case.deadline"))
                .await
                .unwrap();
        }
        Step::Import { n, loc } => {
            let village = w.tree.villages[loc].clone();
            let town = w.town_of(loc).clone();
            let mut batch = Vec::new();
            for i in 0..n {
                w.imported += 1;
                let at = t(23, 1) - TimeDelta::days(300 + i64::from(i) * 40);
                let mut nc = new_case(
                    &village,
                    &town,
                    w.tree.account(&town),
                    "历史事件",
                    "旧台账导入",
                );
                nc.created_at = at;
                nc.events[0].at = at;
                nc.state.registered_at = Some(at);
                nc.reported_at = at;
                nc = super::case_fixture::then(
                    nc,
                    route_dept(w.tree.dept(&town), &[]),
                    at + TimeDelta::hours(1),
                );
                batch.push(ImportedCase {
                    tracking_no: format!("ZZ20240101{:05}", w.imported),
                    case: nc,
                });
            }
            store
                .import_cases(batch, case_audit("case.import"))
                .await
                .unwrap();
        }
    }
}

/// Every case, read back.
async fn all_cases(store: &dyn Store) -> Vec<Case> {
    let mut out = Vec::new();
    let mut f = CaseFilter {
        limit: Some(500),
        ..Default::default()
    };
    loop {
        let page = store.list_cases(&root(), &f).await.unwrap();
        out.extend(page.items);
        match page.next_cursor {
            Some(c) => f.cursor = Some(c),
            None => return out,
        }
    }
}

/// The rollups recomputed in memory from the cases.
async fn recomputed(store: &dyn Store) -> Vec<crate::RollupEntry> {
    let mut sums = BTreeMap::new();
    for c in all_cases(store).await {
        let src = zongzhi_core::metrics::rollup::RollupSource::new(
            &c.org_path,
            c.reported_at,
            &c.category_code,
            c.channel,
            &c.state,
        );
        accumulate(&mut sums, rows_of(&src));
    }
    sums.into_iter()
        .filter(|(_, c): &(_, Counters)| !c.is_zero())
        .collect()
}

/// The period covering every generated case.
fn everything() -> Period {
    Period::new(
        NaiveDate::from_ymd_opt(2023, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2027, 12, 31).unwrap(),
    )
    .unwrap()
}

/// For some units, every metric's case filter counts what the rollups count.
async fn metric_filters_agree(store: &dyn Store, tree: &Tree) {
    let p = everything();
    let (from, to) = p.utc_range();
    for unit in [
        &tree.city,
        tree.county(1),
        tree.town(0, 1),
        &tree.villages[3],
    ] {
        let q = RollupQuery {
            unit_path: unit.path.clone(),
            dim: RollupDim::All,
            value: None,
            from: p.from,
            to: p.to,
            group: RollupGroup::Total,
        };
        let total: Counters = store
            .query_rollups(&root(), &q)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.counters)
            .sum();
        for m in Metric::ALL {
            let f = CaseFilter {
                metric: Some(*m),
                under: Some(unit.id),
                from: Some(from),
                to: Some(to),
                ..Default::default()
            };
            let n = store.count_cases(&root(), &f).await.unwrap();
            assert_eq!(n, total.count(*m), "{m:?} under {}", unit.name);
        }
    }
}

/// Random histories: incremental = recomputed = rebuilt, and metric filters = rollups.
pub async fn rebuild_equals_incremental(store: &dyn Store) {
    let tree = setup(store).await;
    let cats: Vec<String> = store
        .list_categories(false)
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.parent_code.is_some())
        .take(5)
        .map(|c| c.code)
        .chain(std::iter::once("D02".to_owned()))
        .collect();
    let mut w = World {
        tree: &tree,
        cats,
        ids: Vec::new(),
        now: t(23, 2),
        imported: 0,
    };
    let config = Config {
        cases: 8,
        ..Config::default()
    };
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let history = prop::collection::vec(step_strategy(), 30..80);
    for round in 0..8 {
        let steps = history.new_tree(&mut runner).unwrap().current();
        for s in steps {
            apply_step(store, &mut w, s).await;
        }
        let incremental = store.dump_rollups().await.unwrap();
        assert!(!incremental.is_empty() || w.ids.is_empty());
        assert_eq!(
            incremental,
            recomputed(store).await,
            "round {round}: incremental"
        );
        store
            .rebuild_rollups(audit("rollup.rebuild"))
            .await
            .unwrap();
        assert_eq!(
            store.dump_rollups().await.unwrap(),
            incremental,
            "round {round}: rebuild"
        );
        metric_filters_agree(store, &tree).await;
    }
    // The histories reached every kind of figure (a test that cannot fail proves nothing).
    let p = everything();
    let q = RollupQuery {
        unit_path: tree.city.path.clone(),
        dim: RollupDim::All,
        value: None,
        from: p.from,
        to: p.to,
        group: RollupGroup::Total,
    };
    let city: Counters = store
        .query_rollups(&root(), &q)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.counters)
        .sum();
    for (name, n) in city.columns() {
        assert!(n > 0, "no case reached `{name}`: {city:?}");
    }
    let merged = all_cases(store)
        .await
        .iter()
        .filter(|c| c.state.master_case_id.is_some())
        .count();
    assert!(merged > 0, "no merge happened");
    assert!(i64::try_from(w.ids.len() + w.imported as usize).unwrap() > city.received);
}
