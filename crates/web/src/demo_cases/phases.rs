//! The later phases of a case's flow: handling (progress, extension, 催办, 督办, 办结),
//! verification, closing, follow-up and archiving, with reopenings.

use chrono::{DateTime, TimeDelta, Utc};
use rand::Rng;
use rand::rngs::StdRng;
use zongzhi_core::case::{Action, Channel, Complexity, Rating, Urgency};
use zongzhi_core::role::Role;

use super::lifecycle::{Flow, follow_up_method, frac, manual_level, outcome, rating, span_secs};
use super::notes;
use super::people::pick;
use super::sim::Who;
use super::worktime::{exp, office_after};

/// Something that happens while a case is being handled.
#[derive(Debug, Clone, Copy)]
enum Step {
    Progress,
    Extension,
    Urge,
    Supervise,
}

impl Flow<'_, '_> {
    /// Moves an instant into office hours (urgent cases are worked around the clock), at a
    /// random moment of the first office hours from then.
    fn office(&self, rng: &mut StdRng, t: DateTime<Utc>) -> DateTime<Utc> {
        if self.urgent() {
            t
        } else {
            office_after(self.sim.cal(), t, exp(rng, 0.8, 5.0))
        }
    }

    pub(super) fn work(&mut self, rng: &mut StdRng) -> anyhow::Result<()> {
        let holder = self.holder()?;
        let start = self.sim.last;
        let due = self
            .sim
            .state
            .finish_deadline
            .unwrap_or(start + TimeDelta::days(7));
        let span = span_secs(start, due);
        let cx = self.spec.complexity;
        let late_p = if cx == Complexity::Difficult {
            0.12
        } else {
            0.06
        };
        let late = rng.random_bool(late_p);
        let mut fraction = if late {
            rng.random_range(1.03..1.8)
        } else {
            0.08 + 0.85 * rng.random_range(0.0f64..1.0).powf(1.3)
        };
        let mut resolve_at = self.office(rng, frac(start, span, fraction));

        let mut steps: Vec<(DateTime<Utc>, Step)> = Vec::new();
        let progress = match cx {
            Complexity::Simple => rng.random_range(0..=1),
            Complexity::Complex => rng.random_range(1..=2),
            Complexity::Difficult => rng.random_range(2..=3),
        };
        for i in 0..progress {
            let f = fraction * f64::from(i + 1) / f64::from(progress + 1);
            steps.push((self.office(rng, frac(start, span, f)), Step::Progress));
        }
        if !self.extended && cx != Complexity::Simple && rng.random_bool(0.08) {
            self.extended = true;
            steps.push((self.office(rng, frac(start, span, 0.6)), Step::Extension));
        }
        if rng.random_bool(0.05) {
            steps.push((self.office(rng, frac(start, span, 0.75)), Step::Urge));
        }
        let weighty = self.spec.people >= 10
            || self.spec.channel == Channel::Petition
            || self.spec.urgency == Urgency::Critical;
        if weighty && rng.random_bool(0.3) {
            steps.push((self.office(rng, frac(start, span, 0.4)), Step::Supervise));
        }
        steps.sort_by_key(|(t, _)| *t);

        // A case handled in time is resolved before its deadline, even if that means
        // working into the evening of the last day.
        if !late && resolve_at > due {
            resolve_at = (due - TimeDelta::minutes(rng.random_range(30..180))).max(start);
        }
        for (at, step) in steps {
            if at >= resolve_at {
                break;
            }
            let done = match step {
                Step::Progress => {
                    let text = self.slots.fill(notes::progress(rng, self.spec.group.code));
                    let action = Action::progress(&text)?;
                    self.sim.act(rng, Who::Holder(holder), action, at, None)?
                }
                Step::Extension => {
                    let days = if cx == Complexity::Difficult {
                        rng.random_range(5..=20)
                    } else {
                        rng.random_range(2..=7)
                    };
                    let action = Action::request_extension(days, pick(rng, notes::EXTENSION))?;
                    if !self.sim.act(rng, Who::Holder(holder), action, at, None)? {
                        return Ok(());
                    }
                    let disp = self.dispatcher()?;
                    let decide_at = self.desk(rng, 3.0);
                    let approved = rng.random_bool(0.85);
                    let note = (!approved).then_some(notes::EXTENSION_DENIED);
                    let action = Action::decide_extension(approved, note)?;
                    let done = self
                        .sim
                        .act(rng, Who::Scoped(disp), action, decide_at, None)?;
                    if approved && let Some(new_due) = self.sim.state.finish_deadline {
                        // Handled within the longer limit unless this case was going to be late.
                        let from = self.sim.last;
                        fraction = if late {
                            rng.random_range(1.02..1.3)
                        } else {
                            rng.random_range(0.3..0.9)
                        };
                        resolve_at =
                            self.office(rng, frac(from, span_secs(from, new_due), fraction));
                        if !late && resolve_at > new_due {
                            resolve_at =
                                (new_due - TimeDelta::minutes(rng.random_range(30..180))).max(from);
                        }
                    }
                    done
                }
                Step::Urge => {
                    let disp = self.dispatcher()?;
                    let due_now = self.sim.state.due_at().unwrap_or(due);
                    let new_deadline = due_now.max(self.sim.cal().add_working_days(at, 1));
                    let action =
                        Action::urge(pick(rng, notes::URGE), new_deadline, at.max(self.sim.last))?;
                    self.sim.act(rng, Who::Scoped(disp), action, at, None)?
                }
                Step::Supervise => {
                    let who = self
                        .world
                        .staff_above(self.sim.state.center_unit_id, Role::Leader)
                        .filter(|_| rng.random_bool(0.5))
                        .map_or_else(|| self.dispatcher(), Ok)?;
                    let level = manual_level(rng);
                    let due_now = self.sim.state.due_at().unwrap_or(due);
                    let new_deadline = due_now.max(self.sim.cal().add_working_days(at, 3));
                    let action = Action::supervise(
                        level,
                        notes::supervise(level),
                        new_deadline,
                        at.max(self.sim.last),
                    )?;
                    self.sim.act(rng, Who::Scoped(who), action, at, None)?
                }
            };
            if !done {
                return Ok(());
            }
        }
        let at = resolve_at.max(self.sim.last);
        let result = outcome(rng, self.spec.group.demand);
        let text = self
            .slots
            .fill(notes::resolve(rng, self.spec.group.code, result));
        let action = Action::resolve(result, &text)?;
        self.sim.act(rng, Who::Holder(holder), action, at, None)?;
        Ok(())
    }

    pub(super) fn verify(&mut self, rng: &mut StdRng) -> anyhow::Result<()> {
        let disp = self.dispatcher()?;
        let at = self.desk(rng, 6.0);
        let passed = self.rounds >= 2 || rng.random_bool(0.96);
        let note = if passed {
            rng.random_bool(0.4)
                .then_some("经电话回访核实，办理情况属实。")
        } else {
            Some(notes::VERIFY_FAILED)
        };
        let action = Action::verify(passed, note)?;
        self.sim.act(rng, Who::Scoped(disp), action, at, None)?;
        Ok(())
    }

    pub(super) fn close_or_reopen(&mut self, rng: &mut StdRng) -> anyhow::Result<()> {
        let disp = self.dispatcher()?;
        if self.sim.state.facts.verification_passed == Some(true) {
            let at = self.desk(rng, 4.0);
            let note = rng.random_bool(0.3).then_some("办理完毕，予以结案。");
            self.sim
                .act(rng, Who::Scoped(disp), Action::close(note)?, at, None)?;
        } else {
            let at = self.desk(rng, 2.0);
            self.rounds += 1;
            let action = Action::reopen(notes::REOPEN_VERIFY)?;
            self.sim.act(rng, Who::Scoped(disp), action, at, None)?;
        }
        Ok(())
    }

    pub(super) fn follow_up(&mut self, rng: &mut StdRng) -> anyhow::Result<()> {
        let disp = self.dispatcher()?;
        if rng.random_bool(0.93) {
            let at = office_after(self.sim.cal(), self.sim.last, 2.0 + exp(rng, 14.0, 5.0));
            let r = rating(rng);
            let said = Rating::from_value(r).ok().map(notes::follow_up);
            let action = Action::follow_up(r, follow_up_method(rng), said)?;
            self.sim.act(rng, Who::Scoped(disp), action, at, None)?;
        } else {
            let at = office_after(self.sim.cal(), self.sim.last, 20.0 + exp(rng, 30.0, 4.0));
            let action = Action::archive(Some(notes::ARCHIVE_WAIVER))?;
            self.sim.act(rng, Who::Scoped(disp), action, at, None)?;
        }
        Ok(())
    }

    pub(super) fn archive_or_reopen(&mut self, rng: &mut StdRng) -> anyhow::Result<()> {
        let disp = self.dispatcher()?;
        let dissatisfied = self
            .sim
            .state
            .facts
            .last_rating
            .is_some_and(Rating::is_dissatisfied);
        if dissatisfied && self.rounds < 2 && rng.random_bool(0.5) {
            self.rounds += 1;
            let at = self.desk(rng, 4.0);
            let action = Action::reopen(notes::REOPEN_RATING)?;
            self.sim.act(rng, Who::Scoped(disp), action, at, None)?;
        } else {
            let at = office_after(self.sim.cal(), self.sim.last, 4.0 + exp(rng, 30.0, 6.0));
            let note = rng.random_bool(0.3).then_some("材料齐全，归档。");
            self.sim
                .act(rng, Who::Scoped(disp), Action::archive(note)?, at, None)?;
        }
        Ok(())
    }
}
