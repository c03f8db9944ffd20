//! The period picker and filters every 统计分析 page shows at the top: preset links (本周,
//! 本月, 近30天, 本年), custom dates, category and channel, with Chinese errors beside the
//! fields.

use zongzhi_core::case::Channel;

use super::params::{PRESETS, Selection};
use crate::console::ConsoleError;
use crate::console::admin::{Opt, opts};
use crate::state::AppState;

/// A preset link.
pub(super) struct PresetLink {
    /// `week`, `month`, `30d`, `year`.
    pub key: &'static str,
    /// 本周 …
    pub label: &'static str,
    /// Link.
    pub href: String,
    /// The period shown is this preset.
    pub active: bool,
}

/// A group of category options (one first-level category and its children).
pub(super) struct CatGroup {
    /// `矛盾纠纷 · 婚姻家庭纠纷`.
    pub label: String,
    /// The first-level code (all of it) and its children.
    pub options: Vec<Opt>,
}

/// What the picker shows.
pub(super) struct Picker {
    /// The page the form submits to.
    pub action: &'static str,
    /// The unit (hidden field), empty for the caller's own.
    pub org_unit: String,
    /// Preset links.
    pub presets: Vec<PresetLink>,
    /// Custom first day.
    pub from: String,
    /// Custom last day.
    pub to: String,
    /// Why the period is wrong.
    pub period_error: Option<String>,
    /// Category groups (`None`: no category filter on this page).
    pub categories: Option<Vec<CatGroup>>,
    /// Why the category is wrong.
    pub category_error: Option<String>,
    /// Channel options (`None`: no channel filter on this page).
    pub channels: Option<Vec<Opt>>,
    /// Why the channel is wrong.
    pub channel_error: Option<String>,
    /// Ranking orders (`None`: not the rankings page).
    pub sorts: Option<Vec<Opt>>,
}

/// Which filters a page offers.
#[derive(Debug, Clone, Copy)]
pub(super) struct Offers {
    /// Category.
    pub category: bool,
    /// Channel.
    pub channel: bool,
}

impl Picker {
    /// The picker of page `action` for `sel`; `extra` pairs (e.g. `sort`) ride along on the
    /// preset links.
    pub async fn new(
        state: &AppState,
        action: &'static str,
        sel: &Selection,
        offers: Offers,
        extra: &[(&'static str, String)],
    ) -> Result<Self, ConsoleError> {
        let presets = PRESETS
            .iter()
            .map(|(key, label)| PresetLink {
                key,
                label,
                href: sel.preset_href(action, key, extra),
                active: sel.preset == Some(*key),
            })
            .collect();
        let categories = if offers.category {
            Some(category_groups(state, &sel.category).await?)
        } else {
            None
        };
        let channels = offers.channel.then(|| {
            opts(
                Channel::ALL.iter().map(|c| (c.as_str(), c.label_zh())),
                &sel.channel,
            )
        });
        Ok(Self {
            action,
            org_unit: sel.org_unit.map(|i| i.to_string()).unwrap_or_default(),
            presets,
            from: sel.from.clone(),
            to: sel.to.clone(),
            period_error: sel.period_error.clone(),
            categories,
            category_error: sel.category_error.clone(),
            channels,
            channel_error: sel.channel_error.clone(),
            sorts: None,
        })
    }
}

/// The active categories as option groups, `current` selected; the first-level code is
/// offered as `（全部）` of its group (it matches its children).
async fn category_groups(state: &AppState, current: &str) -> Result<Vec<CatGroup>, ConsoleError> {
    let mut cats = state.store.list_categories(false).await?;
    cats.sort_by(|a, b| (a.sort_order, &a.code).cmp(&(b.sort_order, &b.code)));
    let opt = |code: &str, label: String| Opt {
        selected: code == current,
        value: code.to_owned(),
        label,
    };
    Ok(cats
        .iter()
        .filter(|c| c.parent_code.is_none())
        .map(|top| {
            let mut options = vec![opt(&top.code, format!("{}（含下级）", top.name))];
            options.extend(
                cats.iter()
                    .filter(|c| c.parent_code.as_deref() == Some(top.code.as_str()))
                    .map(|c| opt(&c.code, c.name.clone())),
            );
            CatGroup {
                label: format!("{} · {}", top.kind.label_zh(), top.name),
                options,
            }
        })
        .collect())
}
