//! The shared loader of the clinical views, and the pieces more than one
//! view builds from what it loads. A view reads its record in one pass: one
//! scan of the index for the rows it needs ([`scan`]), then one read
//! transaction for their documents ([`items`]) into a [`Gathered`].
//!
//! Every view imports this module and [`super::scope`]; neither imports a
//! view.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use rapport_protocol::DocKind;

use super::scope::Whose;
use crate::checkin::{MoodCheckIn, Phq9CheckIn};
use crate::doc;
use crate::error::Result;
use crate::goal::Goal;
use crate::id::ItemId;
use crate::inventory::Person;
use crate::journal::{Interaction, Reflection, Win};
use crate::note::Note;
use crate::profile::{AfterCarePlan, Profile, read_after_care};
use crate::record::{Item, Record};
use crate::rehearsal::Rehearsal;
use crate::store::{Store, Summary};
use crate::time_zone::TimeZones;

/// The zones that cut `whose` days: the record's own profile history; for
/// a client on a therapist's device, that client's profile (synced with
/// it). Without a history, the device's own zone, else UTC.
pub(crate) fn zones_of(store: &Store, whose: &Whose) -> Result<TimeZones> {
    match whose {
        Whose::Mine | Whose::TherapistView { .. } => store.own_time_zones(),
        Whose::Client { account_id } => {
            let changes = match store.profile_id_of(Some(account_id.as_str()))? {
                Some(id) => store.zone_changes(&id)?,
                None => Vec::new(),
            };
            if changes.is_empty() {
                store.device_time_zones()
            } else {
                Ok(TimeZones::from_changes(&changes))
            }
        }
    }
}

/// The first instant any range can start at: a course's beginning.
pub(crate) fn beginning() -> DateTime<Utc> {
    DateTime::UNIX_EPOCH
}

/// The items of one record that a clinical view reads, each list oldest
/// first (ties by id).
#[derive(Debug, Default)]
pub(crate) struct Gathered {
    /// The profile (the smallest id, as [`Store::profile`] picks) and its
    /// after-care plan.
    pub profile: Option<(Item<Profile>, AfterCarePlan)>,
    pub people: BTreeMap<ItemId, Item<Person>>,
    pub goals: Vec<Item<Goal>>,
    pub rehearsals: Vec<Item<Rehearsal>>,
    pub interactions: Vec<Item<Interaction>>,
    pub wins: Vec<Item<Win>>,
    pub reflections: Vec<Item<Reflection>>,
    pub moods: Vec<Item<MoodCheckIn>>,
    pub phq9: Vec<Item<Phq9CheckIn>>,
    pub notes: Vec<Item<Note>>,
}

impl Gathered {
    pub fn person_name(&self, id: &ItemId) -> Option<String> {
        self.people.get(id).map(|p| p.record.nickname.clone())
    }

    pub fn goal(&self, id: &ItemId) -> Option<&Item<Goal>> {
        self.goals.iter().find(|g| &g.id == id)
    }
}

/// The index rows of `whose` record: the `always` kinds whatever their time,
/// the `dated` kinds within `[from, to)`.
pub(crate) fn scan(
    store: &Store,
    whose: &Whose,
    always: &[DocKind],
    dated: &[DocKind],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Summary>> {
    let owners = store.owner_map()?;
    let mut rows = store.scan_index(always, dated, from, to)?;
    rows.retain(|row| whose.covers(row.candidate(owners.get(&row.id))));
    Ok(rows)
}

/// Reads the documents of `ids` into `into`, by kind, in one transaction.
/// Profiles beyond the first (smallest id) are ignored.
pub(crate) fn items(store: &Store, ids: &[ItemId], into: &mut Gathered) -> Result<()> {
    fn item<R: Record>(
        id: &ItemId,
        env: &doc::Envelope,
        document: &automerge::AutoCommit,
    ) -> Result<Item<R>> {
        Ok(Item {
            meta: env.meta(id),
            record: doc::read_record(document, id)?,
        })
    }
    store.with_documents(ids, |id, env, document| {
        if env.deleted {
            return Ok(());
        }
        match env.kind {
            DocKind::Profile => {
                let smaller = into.profile.as_ref().is_none_or(|(p, _)| id < &p.id);
                if smaller {
                    let profile = item::<Profile>(id, env, document)?;
                    into.profile = Some((profile, read_after_care(document, id)?));
                }
            }
            DocKind::Person => {
                into.people
                    .insert(id.clone(), item::<Person>(id, env, document)?);
            }
            DocKind::Goal => into.goals.push(item(id, env, document)?),
            DocKind::Rehearsal => into.rehearsals.push(item(id, env, document)?),
            DocKind::Interaction => into.interactions.push(item(id, env, document)?),
            DocKind::Win => into.wins.push(item(id, env, document)?),
            DocKind::Reflection => into.reflections.push(item(id, env, document)?),
            DocKind::MoodCheckIn => into.moods.push(item(id, env, document)?),
            DocKind::Phq9CheckIn => into.phq9.push(item(id, env, document)?),
            DocKind::Note => into.notes.push(item(id, env, document)?),
            // The client's sharing authority, not part of any clinical view.
            DocKind::KindShare => {}
        }
        Ok(())
    })?;
    into.goals
        .sort_by(|a, b| (a.record.set_at, &a.id).cmp(&(b.record.set_at, &b.id)));
    into.rehearsals
        .sort_by(|a, b| (a.record.practiced_at, &a.id).cmp(&(b.record.practiced_at, &b.id)));
    into.interactions
        .sort_by(|a, b| (a.record.occurred_at, &a.id).cmp(&(b.record.occurred_at, &b.id)));
    into.wins
        .sort_by(|a, b| (a.record.occurred_at, &a.id).cmp(&(b.record.occurred_at, &b.id)));
    into.reflections
        .sort_by(|a, b| (a.record.written_at, &a.id).cmp(&(b.record.written_at, &b.id)));
    into.moods
        .sort_by(|a, b| (a.record.at, &a.id).cmp(&(b.record.at, &b.id)));
    into.phq9
        .sort_by(|a, b| (a.record.at, &a.id).cmp(&(b.record.at, &b.id)));
    into.notes
        .sort_by(|a, b| (a.record.written_at, &a.id).cmp(&(b.record.written_at, &b.id)));
    Ok(())
}

/// Every live document of `whose` record, whatever its kind or time.
pub(crate) fn gather_all(store: &Store, whose: &Whose) -> Result<Gathered> {
    let owners = store.owner_map()?;
    let mut ids = Vec::new();
    for id in store.document_ids()? {
        // Live documents have an index row; deleted ones have none.
        if let Some(row) = store.summary(&id)?
            && whose.covers(row.candidate(owners.get(&id)))
        {
            ids.push(id);
        }
    }
    let mut all = Gathered::default();
    items(store, &ids, &mut all)?;
    Ok(all)
}

/// Ids of the rows, for [`items`].
pub(crate) fn ids(rows: &[Summary]) -> Vec<ItemId> {
    rows.iter().map(|r| r.id.clone()).collect()
}

/// An index from item id to its position, for lookups by id.
pub(crate) fn positions<R>(items: &[Item<R>]) -> HashMap<&ItemId, usize> {
    items
        .iter()
        .enumerate()
        .map(|(i, it)| (&it.id, i))
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct WinEntry {
    pub id: ItemId,
    pub at: DateTime<Utc>,
    pub title: String,
    pub goal_id: Option<ItemId>,
    /// The goal's title, when the goal is on this device.
    pub goal: Option<String>,
    pub milestone: Option<String>,
}

pub(crate) fn win_entry(record: &Gathered, w: &Item<crate::journal::Win>) -> WinEntry {
    let goal = w
        .record
        .goal
        .as_ref()
        .and_then(|link| record.goal(&link.goal_id));
    let milestone = w.record.goal.as_ref().and_then(|link| {
        let m = link.milestone_id.as_ref()?;
        Some(goal?.record.milestones.get(m)?.title.clone())
    });
    WinEntry {
        id: w.id.clone(),
        at: w.record.occurred_at,
        title: w.record.title.clone(),
        goal_id: w.record.goal.as_ref().map(|l| l.goal_id.clone()),
        goal: goal.map(|g| g.record.title.clone()),
        milestone,
    }
}

/// Skills used in these interactions with how often, most used first.
pub(crate) fn skill_counts<'a>(
    interactions: impl IntoIterator<Item = &'a Item<Interaction>>,
) -> Vec<(String, usize)> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for i in interactions {
        for skill in &i.record.skills_used {
            *counts.entry(skill.as_str()).or_default() += 1;
        }
    }
    let mut list: Vec<(String, usize)> =
        counts.into_iter().map(|(s, n)| (s.to_owned(), n)).collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    list
}
