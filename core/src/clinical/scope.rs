//! Whose record and which dates a clinical view covers, and the one-pass
//! gathering of the items it needs: one scan of the index, then one read
//! transaction for the documents.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use rapport_protocol::DocKind;

use super::ClinicalError;
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

/// Whose record a clinical view is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Whose {
    /// This device's own account: the client on their phone.
    Mine,
    /// One client's record on a therapist's device, by the client's account
    /// id: only what that client shared is on the device, so only that is
    /// covered.
    Client { account_id: String },
    /// The client's preview of what the therapist will see: the device's own
    /// items marked shared, plus those the client's kind grants cover (as
    /// the server lists them; see `SyncClient::therapist_view_grants`).
    TherapistView { kind_grants: Vec<KindGrant> },
}

/// A grant of every item of a kind, optionally only those about one person
/// ("all interactions with Sam").
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct KindGrant {
    pub kind: DocKind,
    pub person_id: Option<ItemId>,
}

/// What decides whether an item belongs to a view.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidate<'a> {
    /// From the owners table; `None` for this account's own.
    pub owner: Option<&'a String>,
    pub kind: DocKind,
    pub person_id: Option<&'a ItemId>,
    pub shared: bool,
}

impl Whose {
    /// Whether an item belongs to the record this view covers.
    pub(crate) fn covers(&self, item: Candidate<'_>) -> bool {
        match (self, item.owner) {
            (Whose::Mine, None) => true,
            (Whose::Client { account_id }, Some(o)) => o == account_id,
            (Whose::TherapistView { kind_grants }, None) => {
                item.shared
                    || kind_grants.iter().any(|g| {
                        g.kind == item.kind
                            && g.person_id
                                .as_ref()
                                .is_none_or(|p| Some(p) == item.person_id)
                    })
            }
            _ => false,
        }
    }
}

impl Summary {
    pub(crate) fn candidate<'a>(&'a self, owner: Option<&'a String>) -> Candidate<'a> {
        Candidate {
            owner,
            kind: self.kind,
            person_id: self.person_id.as_ref(),
            shared: self.shared,
        }
    }
}

/// A half-open range of the client's calendar days `[from, to)`; the days
/// begin at the client's local midnight ([`DateRange::span`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DateRange {
    from: NaiveDate,
    to: NaiveDate,
}

impl DateRange {
    /// `from` must come before `to`: the range holds `from` and not `to`.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<DateRange, ClinicalError> {
        if from >= to {
            return Err(ClinicalError::InvalidRange { from, to });
        }
        Ok(DateRange { from, to })
    }

    /// Since `from`, up to and including `today`.
    pub fn since(from: NaiveDate, today: NaiveDate) -> Result<DateRange, ClinicalError> {
        let to = today
            .succ_opt()
            .ok_or(ClinicalError::InvalidRange { from, to: today })?;
        DateRange::new(from, to)
    }

    pub fn from(&self) -> NaiveDate {
        self.from
    }

    /// The first day not in the range.
    pub fn to(&self) -> NaiveDate {
        self.to
    }

    /// The instants the range covers, its days cut at local midnight in the
    /// client's zones.
    pub fn span(&self, zones: &TimeZones) -> Span {
        Span {
            start: zones.start_of(self.from),
            end: zones.start_of(self.to),
        }
    }
}

/// The instants `[start, end)` of a [`DateRange`] in the client's zones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl Span {
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }

    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        at >= self.start && at < self.end
    }
}

/// The zones that cut `whose` days: the record's own profile history; for
/// a client on a therapist's device, that client's profile (synced with
/// it). Without a history, the device's own zone, else UTC.
pub(crate) fn zones_of(store: &Store, whose: &Whose) -> Result<TimeZones> {
    match whose {
        Whose::Mine | Whose::TherapistView { .. } => store.own_time_zones(),
        Whose::Client { account_id } => {
            let changes = match store.profile_id_of(Some(account_id))? {
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
pub(crate) fn load(store: &Store, ids: &[ItemId], into: &mut Gathered) -> Result<()> {
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
    load(store, &ids, &mut all)?;
    Ok(all)
}

/// Ids of the rows, for [`load`].
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
