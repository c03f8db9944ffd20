//! One generated case: its category, channel, place, people and text, its parties sealed
//! as the real intake seals them, and its history from [`super::lifecycle`].

use std::collections::VecDeque;

use anyhow::Context;
use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};
use rand::Rng;
use rand::rngs::StdRng;
use zongzhi_core::calendar::WorkCalendar;
use zongzhi_core::case::{Action, Channel, Complexity, PartyRole, Urgency};
use zongzhi_core::org::OrgUnitId;
use zongzhi_core::role::Role;
use zongzhi_crypto::{BlindIndex, FieldCipher};
use zongzhi_store::{ImportedCase, NewCase, NewParty};

use super::catalog::{GROUPS, Group, channel, weighted};
use super::lifecycle::{Flow, Spec};
use super::people::{self, Person};
use super::season;
use super::sim::{Sim, Who};
use super::slots::{PlaceNames, SlotInput, Slots};
use super::tracking::Tracking;
use super::worktime::{exp, minutes, office_after};
use super::world::{Staff, World};
use crate::cases::{ID_CARD_AAD, ID_CARD_INDEX, PHONE_AAD, PHONE_INDEX};

/// Everything a case is generated from, besides the RNG.
pub(super) struct Env {
    pub world: World,
    pub cal: WorkCalendar,
    pub now: DateTime<Utc>,
    pub cipher: FieldCipher,
    pub index: BlindIndex,
    pub city_short: String,
}

/// A case planned for a day: what decides its report time.
#[derive(Debug, Clone, Copy)]
pub(super) struct Draft {
    pub group: usize,
    pub channel: Channel,
    pub reported_at: DateTime<Utc>,
}

/// Plans `count` cases on `date`, in the order they were reported.
pub(super) fn plan_day(rng: &mut StdRng, env: &Env, date: NaiveDate, count: u64) -> Vec<Draft> {
    let mut out: Vec<Draft> = (0..count)
        .map(|_| {
            let group = weighted(rng, GROUPS, |g| f64::from(g.share) * g.season.factor(date));
            let channel = GROUPS
                .get(group)
                .map_or(Channel::WalkIn, |g| channel(rng, g.channels));
            let reported_at = season::report_time(rng, date, channel, env.now);
            Draft {
                group,
                channel,
                reported_at,
            }
        })
        .collect();
    out.sort_by_key(|d| d.reported_at);
    out
}

/// A recent case a later report may duplicate.
#[derive(Debug, Clone)]
pub(super) struct Recent {
    group: usize,
    code: &'static str,
    village: usize,
    tracking_no: String,
    reported_at: DateTime<Utc>,
    title: String,
    description: String,
}

/// A duplicate waiting to be merged once both cases are written (their ids are the
/// store's).
#[derive(Debug, Clone)]
pub(super) struct PendingMerge {
    pub tracking_no: String,
    pub master_tracking_no: String,
    pub at: DateTime<Utc>,
    pub actor: Staff,
}

/// A generated case, and the merge it still needs.
pub(super) struct Generated {
    pub case: ImportedCase,
    pub merge: Option<PendingMerge>,
}

/// Share of reports that duplicate a case reported shortly before.
const DUPLICATE_RATE: f64 = 0.012;

fn urgency(rng: &mut StdRng, g: &Group) -> Urgency {
    if rng.random_range(0..100) < g.urgent {
        if rng.random_bool(0.2) {
            Urgency::Critical
        } else {
            Urgency::Urgent
        }
    } else {
        Urgency::Normal
    }
}

fn log_uniform(rng: &mut StdRng, (lo, hi): (i64, i64)) -> i64 {
    let (lo, hi) = (lo.max(1) as f64, hi.max(lo.max(1)) as f64);
    let v = (lo.ln() + rng.random_range(0.0..=1.0) * (hi.ln() - lo.ln())).exp();
    let step = if v >= 100_000.0 {
        1000.0
    } else if v >= 10_000.0 {
        100.0
    } else {
        10.0
    };
    ((v / step).round() * step) as i64
}

fn seal(
    env: &Env,
    value: &str,
    masked: String,
    aad: &[u8],
    domain: &str,
) -> anyhow::Result<(String, String, String)> {
    let enc = env
        .cipher
        .encrypt(value, aad)
        .context("encrypting a party field")?;
    Ok((enc, env.index.compute(domain, value), masked))
}

fn party(
    env: &Env,
    rng: &mut StdRng,
    role: PartyRole,
    p: &Person,
    id_p: f64,
    phone_p: f64,
) -> anyhow::Result<NewParty> {
    let id_card = match rng
        .random_bool(id_p)
        .then(|| people::id_card(rng, p))
        .flatten()
    {
        Some(c) => Some(seal(
            env,
            c.as_str(),
            c.masked(),
            ID_CARD_AAD,
            ID_CARD_INDEX,
        )?),
        None => None,
    };
    let phone = match rng
        .random_bool(phone_p)
        .then(|| people::phone(rng))
        .flatten()
    {
        Some(n) => Some(seal(env, n.as_str(), n.masked(), PHONE_AAD, PHONE_INDEX)?),
        None => None,
    };
    Ok(NewParty {
        role,
        name: p.name.clone(),
        id_card,
        phone,
    })
}

/// The center where a report by `channel` is registered, as a unit to look for a clerk at.
fn registering_unit(
    rng: &mut StdRng,
    ch: Channel,
    v: OrgUnitId,
    t: OrgUnitId,
    c: OrgUnitId,
) -> OrgUnitId {
    match ch {
        Channel::GridReport | Channel::Screening => v,
        Channel::WalkIn => match rng.random_range(0..100) {
            0..15 => v,
            15..88 => t,
            _ => c,
        },
        Channel::Phone => {
            if rng.random_bool(0.6) {
                t
            } else {
                c
            }
        }
        _ => c,
    }
}

/// Generates the case `draft`; `recent` holds cases a report may duplicate.
pub(super) fn make_case(
    env: &Env,
    rng: &mut StdRng,
    draft: Draft,
    tracking: &mut Tracking,
    recent: &mut VecDeque<Recent>,
) -> anyhow::Result<Generated> {
    let w = &env.world;
    let date = season::local_date(draft.reported_at);
    recent.retain(|r| draft.reported_at - r.reported_at < TimeDelta::days(3));
    let master = if !recent.is_empty() && rng.random_bool(DUPLICATE_RATE) {
        recent.get(rng.random_range(0..recent.len())).cloned()
    } else {
        None
    };
    let group_idx = master.as_ref().map_or(draft.group, |m| m.group);
    let g = GROUPS.get(group_idx).context("group")?;
    let leaf = match &master {
        Some(m) => g.leaves.iter().find(|l| l.code == m.code),
        None => g.leaves.get(rng.random_range(0..g.leaves.len().max(1))),
    }
    .context("leaf")?;
    let (title_t, desc_t) = *leaf
        .tpls
        .get(rng.random_range(0..leaf.tpls.len().max(1)))
        .context("template")?;
    let village_idx = master.as_ref().map_or_else(
        || w.villages[rng.random_range(0..w.villages.len())],
        |m| m.village,
    );
    let village = w.units.get(village_idx).context("village")?;
    let town = w
        .ancestor(village.id, zongzhi_core::org::OrgLevel::Town)
        .context("town")?;
    let county = w
        .ancestor(village.id, zongzhi_core::org::OrgLevel::County)
        .context("county")?;
    let urgency = urgency(rng, g);
    let cx_w = g.complexity;
    let complexity = [
        Complexity::Simple,
        Complexity::Complex,
        Complexity::Difficult,
    ][weighted(rng, &cx_w, |w| f64::from(*w))];
    let both = format!("{title_t}{desc_t}");
    let has_b = both.contains("{b}");
    let people = if both.contains("{n}") {
        rng.random_range(g.people.0.max(2)..=g.people.1.max(g.people.0.max(2)))
    } else if has_b {
        2
    } else {
        1
    };
    let amount_yuan = both
        .contains("{amt}")
        .then(|| log_uniform(rng, leaf.amount));
    let old = both.contains("{age}");
    let (a_min, a_max) = if old { (72, 91) } else { (20, 72) };
    let a = match people::sex_of(&both, "{a}") {
        Some(male) => people::person_of(rng, date, a_min, a_max, male),
        None => people::person(rng, date, a_min, a_max),
    };
    let b = match people::sex_of(&both, "{b}") {
        Some(male) => people::person_of(rng, date, 22, 70, male),
        None => people::person(rng, date, 22, 70),
    };
    let places = PlaceNames {
        city_short: env.city_short.clone(),
        county: county.name.clone(),
        town: town.name.clone(),
        village: village.name.clone(),
    };
    let mut slots = Slots::new(
        rng,
        &SlotInput {
            places: &places,
            date,
            a: &a.name,
            b: &b.name,
            people,
            amount_yuan,
        },
    );
    slots.set("age", (date.year() - a.birth.year()).to_string());
    let (title, description) = match &master {
        Some(m) => (
            m.title.clone(),
            format!("{}反映同一事项：{}", a.name, m.description),
        ),
        None => (slots.fill(title_t), slots.fill(desc_t)),
    };
    let in_community = village.name.ends_with("社区");
    let address = if both.contains("{estate}") {
        slots.fill("{town}{village}{estate}{bld}栋")
    } else if in_community {
        slots.fill("{town}{village}{road}{no}号")
    } else {
        slots.fill("{town}{village}{group}")
    };
    let grids = w.grids(village.id);
    let location =
        if !grids.is_empty() && (draft.channel == Channel::GridReport || rng.random_bool(0.6)) {
            grids[rng.random_range(0..grids.len())]
        } else {
            village
        };
    let (lat, lng) = match location.bbox {
        Some([west, south, east, north]) => {
            let lat = south + (north - south) * rng.random_range(0.1..0.9);
            let lng = west + (east - west) * rng.random_range(0.1..0.9);
            (
                Some((lat * 1e6).round() / 1e6),
                Some((lng * 1e6).round() / 1e6),
            )
        }
        None => (None, None),
    };

    // Registration: by a clerk of the receiving center.
    let unit = registering_unit(rng, draft.channel, village.id, town.id, county.id);
    let clerk = w
        .staff_above(unit, Role::Intake)
        .context("no intake clerk")?;
    let reported_at = match &master {
        Some(m) => draft
            .reported_at
            .max(m.reported_at + TimeDelta::minutes(rng.random_range(10..600)))
            .min(env.now),
        None => draft.reported_at,
    };
    let registered_at = match draft.channel {
        Channel::WalkIn => minutes(reported_at, rng.random_range(3.0..20.0)),
        Channel::GridReport | Channel::Screening => {
            minutes(reported_at, rng.random_range(10.0..90.0))
        }
        _ if urgency != Urgency::Normal => minutes(reported_at, rng.random_range(3.0..30.0)),
        _ => office_after(&env.cal, reported_at, exp(rng, 0.6, 5.0)),
    }
    .min(env.now);
    let mut sim = Sim::new(&env.cal, env.now, clerk.unit_id, registered_at);
    sim.act(
        rng,
        Who::Scoped(clerk),
        Action::register(draft.channel),
        registered_at,
        None,
    )?;
    let spec = Spec {
        group: g,
        code: leaf.code,
        channel: draft.channel,
        urgency,
        complexity,
        village,
        town,
        county,
        people,
    };
    let mut merge = None;
    let sim = match &master {
        Some(m) => {
            let disp = w
                .staff_above(clerk.unit_id, Role::Dispatcher)
                .context("no dispatcher")?;
            let at = office_after(&env.cal, registered_at, exp(rng, 2.0, 4.0));
            if at <= env.now {
                merge = Some((m.clone(), at, disp.clone()));
            }
            sim
        }
        None => Flow::new(w, &spec, &slots, sim).run(rng)?,
    };

    let demand = g.demand;
    let mut parties = vec![party(
        env,
        rng,
        if demand {
            PartyRole::Reporter
        } else {
            PartyRole::Applicant
        },
        &a,
        if draft.channel == Channel::WalkIn {
            0.95
        } else {
            0.7
        },
        0.95,
    )?];
    if has_b && !demand {
        parties.push(party(env, rng, PartyRole::Respondent, &b, 0.4, 0.6)?);
    }
    let search_terms =
        zongzhi_intel::Segmenter::shared().index_text(&[&title, &description, &address]);
    let tracking_no = tracking.next(season::local_date(registered_at))?;
    if master.is_none() {
        recent.push_back(Recent {
            group: group_idx,
            code: leaf.code,
            village: village_idx,
            tracking_no: tracking_no.clone(),
            reported_at,
            title: title.clone(),
            description: description.clone(),
        });
        if recent.len() > 64 {
            recent.pop_front();
        }
    }
    let merge = merge.map(|(m, at, actor)| PendingMerge {
        tracking_no: tracking_no.clone(),
        master_tracking_no: m.tracking_no,
        at,
        actor,
    });
    let case = NewCase {
        tracking_date: season::local_date(registered_at),
        channel: draft.channel,
        category_code: leaf.code.to_owned(),
        urgency,
        complexity,
        title,
        description,
        occurred_at: rng
            .random_bool(0.65)
            .then(|| reported_at - TimeDelta::minutes(rng.random_range(30..7 * 24 * 60))),
        reported_at,
        address: Some(address),
        org_unit_id: location.id,
        lat,
        lng,
        people_involved: Some(people),
        amount_fen: amount_yuan.map(|y| y * 100),
        parties,
        attachments: Vec::new(),
        search_terms,
        created_by: Some(clerk.id),
        created_at: registered_at,
        idempotency_key: None,
        events: sim.events,
        state: sim.state,
    };
    Ok(Generated {
        case: ImportedCase { tracking_no, case },
        merge,
    })
}
