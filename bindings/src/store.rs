//! `RapportStore`: the client's record on the device, as the shells see it.
//! A thin object over `rapport_core::Store`: the records, queries and views
//! are the core's own types (ADR 0010); only the stored forms (`stored`)
//! and the errors (`errors`) are the bindings'.
//!
//! Every call is local and blocking (a write returns after its commit);
//! shells run them off the UI thread. Network calls are on `RapportSync`,
//! and async.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rapport_core::checkin::{MoodCheckIn, Phq9CheckIn};
use rapport_core::goal::{Goal, GoalStatus};
use rapport_core::inventory::{DisputeStage, Person};
use rapport_core::journal::{Interaction, Reflection, Win};
use rapport_core::note::Note;
use rapport_core::profile::Profile;
use rapport_core::rehearsal::Rehearsal;
use rapport_core::safety::CrisisResource;
use rapport_core::store::{DatabaseKey, ListQuery, Page, Summary};
use rapport_core::{DocKind, Item, ItemId, Record, Store};
use rapport_protocol::AccountId;

use crate::errors::StoreError;
use crate::stored::{
    MoodCheckInSaved, Phq9CheckInSaved, StoredGoal, StoredInteraction, StoredMoodCheckIn,
    StoredNote, StoredPerson, StoredPhq9CheckIn, StoredProfile, StoredReflection, StoredRehearsal,
    StoredWin,
};

#[derive(Debug, uniffi::Object)]
pub struct RapportStore {
    pub(crate) inner: Arc<Store>,
}

// Generic helpers behind the exported methods: call the core, give back
// the stored form `S` of the record `R`.
impl RapportStore {
    fn add<R: Record, S: From<Item<R>>>(&self, record: R) -> Result<S, StoreError> {
        Ok(self.inner.create(record)?.into())
    }

    fn update<R: Record, S: From<Item<R>>>(&self, id: &ItemId, record: R) -> Result<S, StoreError> {
        Ok(self.inner.update(id, record)?.into())
    }

    fn get<R: Record, S: From<Item<R>>>(&self, id: &ItemId) -> Result<S, StoreError> {
        Ok(self.inner.get::<R>(id)?.into())
    }

    /// Runs a goal operation and returns the goal as it is afterwards.
    fn on_goal(
        &self,
        op: impl FnOnce(&Store) -> rapport_core::Result<Item<Goal>>,
    ) -> Result<StoredGoal, StoreError> {
        Ok(op(&self.inner).map_err(StoreError::from)?.into())
    }
}

#[uniffi::export]
impl RapportStore {
    /// Opens (or creates) an unencrypted record at `path` (tools and tests;
    /// apps use `open_encrypted`).
    #[uniffi::constructor]
    pub fn open(path: String) -> Result<Arc<Self>, StoreError> {
        Ok(Arc::new(RapportStore {
            inner: Arc::new(Store::open(path)?),
        }))
    }

    /// Opens (or creates) the record at `path`, a file in the app's private
    /// storage, encrypted at rest with `key`: 32 bytes kept by the platform
    /// keystore (see `new_database_key`). A wrong key is
    /// `StoreError::NotOurDatabase { wrong_key: true }` and changes nothing.
    #[uniffi::constructor]
    pub fn open_encrypted(path: String, key: Vec<u8>) -> Result<Arc<Self>, StoreError> {
        let key = DatabaseKey::from_bytes(&key)?;
        Ok(Arc::new(RapportStore {
            inner: Arc::new(Store::open_encrypted(path, &key)?),
        }))
    }

    /// The file this record lives in.
    pub fn path(&self) -> String {
        self.inner.path().display().to_string()
    }

    // --- Any item ---------------------------------------------------------

    /// Deletes an item of any kind, on every device once synced. Another
    /// account's item (a therapist's note) is `StoreError::ReadOnly`.
    pub fn delete_item(&self, id: ItemId) -> Result<(), StoreError> {
        Ok(self.inner.delete(&id)?)
    }

    /// Shares an item with the therapist, or makes it private again.
    pub fn set_shared(&self, id: ItemId, shared: bool) -> Result<(), StoreError> {
        Ok(self.inner.set_shared(&id, shared)?)
    }

    /// The kind of a live item (to know which `get_*` to call).
    pub fn kind_of(&self, id: ItemId) -> Result<DocKind, StoreError> {
        Ok(self.inner.kind_of(&id)?)
    }

    /// Whose an item is: `None` for this account's own, else the account
    /// that owns it (a therapist's note on a client's device, a client's
    /// entry on a therapist's).
    pub fn owner_of(&self, id: ItemId) -> Result<Option<AccountId>, StoreError> {
        Ok(self.inner.owner_of(&id)?)
    }

    /// Items newest first, filtered and paged.
    pub fn list(&self, query: ListQuery) -> Result<Vec<Summary>, StoreError> {
        Ok(self.inner.list(&query)?)
    }

    /// One page of `list` with the total number of items the filters match
    /// (offset and limit aside), read together.
    pub fn list_page(&self, query: ListQuery) -> Result<Page, StoreError> {
        Ok(self.inner.list_page(&query)?)
    }

    /// Full-text search over every text field, best match first. The text
    /// is taken as plain words (each a prefix); `limit` 0 means 50.
    pub fn search(&self, text: String, limit: u32) -> Result<Vec<Summary>, StoreError> {
        Ok(self.inner.search(&text, limit)?)
    }

    /// The list row of one live item, or none.
    pub fn summary(&self, id: ItemId) -> Result<Option<Summary>, StoreError> {
        Ok(self.inner.summary(&id)?)
    }

    // --- The journal --------------------------------------------------------

    pub fn add_interaction(
        &self,
        interaction: Interaction,
    ) -> Result<StoredInteraction, StoreError> {
        self.add(interaction)
    }

    pub fn update_interaction(
        &self,
        id: ItemId,
        interaction: Interaction,
    ) -> Result<StoredInteraction, StoreError> {
        self.update(&id, interaction)
    }

    pub fn get_interaction(&self, id: ItemId) -> Result<StoredInteraction, StoreError> {
        self.get::<Interaction, _>(&id)
    }

    pub fn add_win(&self, win: Win) -> Result<StoredWin, StoreError> {
        self.add(win)
    }

    pub fn update_win(&self, id: ItemId, win: Win) -> Result<StoredWin, StoreError> {
        self.update(&id, win)
    }

    pub fn get_win(&self, id: ItemId) -> Result<StoredWin, StoreError> {
        self.get::<Win, _>(&id)
    }

    pub fn add_reflection(&self, reflection: Reflection) -> Result<StoredReflection, StoreError> {
        self.add(reflection)
    }

    pub fn update_reflection(
        &self,
        id: ItemId,
        reflection: Reflection,
    ) -> Result<StoredReflection, StoreError> {
        self.update(&id, reflection)
    }

    pub fn get_reflection(&self, id: ItemId) -> Result<StoredReflection, StoreError> {
        self.get::<Reflection, _>(&id)
    }

    // --- Goals ------------------------------------------------------------

    pub fn add_goal(&self, goal: Goal) -> Result<StoredGoal, StoreError> {
        self.add(goal)
    }

    /// Replaces the whole goal. For milestones and the course log prefer the
    /// operations below: they merge with edits made on another device.
    pub fn update_goal(&self, goal_id: ItemId, goal: Goal) -> Result<StoredGoal, StoreError> {
        self.update(&goal_id, goal)
    }

    pub fn get_goal(&self, goal_id: ItemId) -> Result<StoredGoal, StoreError> {
        self.get::<Goal, _>(&goal_id)
    }

    /// Adds a milestone at the end; returns the goal with it.
    pub fn add_milestone(&self, goal_id: ItemId, title: String) -> Result<StoredGoal, StoreError> {
        self.inner.add_milestone(&goal_id, &title)?;
        self.get::<Goal, _>(&goal_id)
    }

    pub fn rename_milestone(
        &self,
        goal_id: ItemId,
        milestone_id: String,
        title: String,
    ) -> Result<StoredGoal, StoreError> {
        self.on_goal(|s| s.rename_milestone(&goal_id, &milestone_id, &title))
    }

    pub fn complete_milestone(
        &self,
        goal_id: ItemId,
        milestone_id: String,
        at: DateTime<Utc>,
    ) -> Result<StoredGoal, StoreError> {
        self.on_goal(|s| s.complete_milestone(&goal_id, &milestone_id, at))
    }

    pub fn reopen_milestone(
        &self,
        goal_id: ItemId,
        milestone_id: String,
    ) -> Result<StoredGoal, StoreError> {
        self.on_goal(|s| s.reopen_milestone(&goal_id, &milestone_id))
    }

    pub fn remove_milestone(
        &self,
        goal_id: ItemId,
        milestone_id: String,
    ) -> Result<StoredGoal, StoreError> {
        self.on_goal(|s| s.remove_milestone(&goal_id, &milestone_id))
    }

    /// Puts the milestones in this order; it must name each exactly once.
    pub fn reorder_milestones(
        &self,
        goal_id: ItemId,
        milestone_ids: Vec<String>,
    ) -> Result<StoredGoal, StoreError> {
        self.on_goal(|s| s.reorder_milestones(&goal_id, &milestone_ids))
    }

    pub fn set_goal_status(
        &self,
        goal_id: ItemId,
        status: GoalStatus,
    ) -> Result<StoredGoal, StoreError> {
        self.on_goal(|s| s.set_goal_status(&goal_id, status))
    }

    /// Logs what got in the way of a goal.
    pub fn log_barrier(
        &self,
        goal_id: ItemId,
        text: String,
        at: DateTime<Utc>,
    ) -> Result<StoredGoal, StoreError> {
        self.on_goal(|s| s.log_barrier(&goal_id, &text, at))
    }

    /// Logs how the plan for a goal changes.
    pub fn log_course_correction(
        &self,
        goal_id: ItemId,
        text: String,
        at: DateTime<Utc>,
    ) -> Result<StoredGoal, StoreError> {
        self.on_goal(|s| s.log_course_correction(&goal_id, &text, at))
    }

    // --- The interpersonal inventory ----------------------------------------

    pub fn add_person(&self, person: Person) -> Result<StoredPerson, StoreError> {
        self.add(person)
    }

    pub fn update_person(
        &self,
        person_id: ItemId,
        person: Person,
    ) -> Result<StoredPerson, StoreError> {
        self.update(&person_id, person)
    }

    pub fn get_person(&self, person_id: ItemId) -> Result<StoredPerson, StoreError> {
        self.get::<Person, _>(&person_id)
    }

    /// Records that a role dispute with this person moved to `stage`.
    pub fn set_dispute_stage(
        &self,
        person_id: ItemId,
        stage: DisputeStage,
        at: DateTime<Utc>,
        note: String,
    ) -> Result<StoredPerson, StoreError> {
        Ok(self
            .inner
            .set_dispute_stage(&person_id, stage, at, &note)?
            .into())
    }

    // --- The profile --------------------------------------------------------

    /// The profile, or the default one (12 sessions, initial phase) if none
    /// was saved yet.
    pub fn profile(&self) -> Result<Profile, StoreError> {
        Ok(self.inner.profile()?)
    }

    /// Saves the profile, creating it on first use.
    pub fn save_profile(&self, profile: Profile) -> Result<StoredProfile, StoreError> {
        Ok(self.inner.save_profile(profile)?.into())
    }

    // --- Check-ins and safety -------------------------------------------------

    /// Saves a mood rating; a check-in marked as a crisis comes back with
    /// crisis resources to show at once (no network needed).
    pub fn check_in_mood(&self, check_in: MoodCheckIn) -> Result<MoodCheckInSaved, StoreError> {
        Ok(self.inner.check_in_mood(check_in)?.into())
    }

    /// Saves a PHQ-9; item 9 above 0 comes back with crisis resources to show
    /// at once (no network needed) and is flagged for the therapist's next
    /// review.
    pub fn check_in_phq9(&self, check_in: Phq9CheckIn) -> Result<Phq9CheckInSaved, StoreError> {
        Ok(self.inner.check_in_phq9(check_in)?.into())
    }

    pub fn get_mood_check_in(&self, id: ItemId) -> Result<StoredMoodCheckIn, StoreError> {
        self.get::<MoodCheckIn, _>(&id)
    }

    pub fn get_phq9_check_in(&self, id: ItemId) -> Result<StoredPhq9CheckIn, StoreError> {
        self.get::<Phq9CheckIn, _>(&id)
    }

    /// What "Get help now" shows, never empty, offline: the resources set on
    /// this device first, then the defaults of the device's region.
    pub fn crisis_resources(&self) -> Result<Vec<CrisisResource>, StoreError> {
        Ok(self.inner.crisis_resources()?)
    }

    /// The resources set on this device (for a settings screen).
    pub fn own_crisis_resources(&self) -> Result<Vec<CrisisResource>, StoreError> {
        Ok(self.inner.own_crisis_resources()?)
    }

    /// Replaces the resources set on this device (kept here, not synced);
    /// an empty list leaves the region's defaults.
    pub fn set_crisis_resources(&self, resources: Vec<CrisisResource>) -> Result<(), StoreError> {
        Ok(self.inner.set_crisis_resources(resources)?)
    }

    /// The device's region (ISO 3166-1 alpha-2, as the platform locale
    /// gives it): it chooses the default crisis resources.
    pub fn set_region(&self, region: String) -> Result<(), StoreError> {
        Ok(self.inner.set_region(&region)?)
    }

    pub fn region(&self) -> Result<Option<String>, StoreError> {
        Ok(self.inner.region()?)
    }

    /// The client's IANA time zone now (the system's; call at launch and on
    /// every change). It syncs in the profile, so that every view, the
    /// therapist's too, cuts the client's days at local midnight.
    pub fn set_time_zone(&self, zone: String) -> Result<(), StoreError> {
        Ok(self.inner.set_time_zone(&zone)?)
    }

    pub fn time_zone(&self) -> Result<Option<String>, StoreError> {
        Ok(self.inner.time_zone()?)
    }

    // --- Rehearsals and notes ---------------------------------------------------

    pub fn add_rehearsal(&self, rehearsal: Rehearsal) -> Result<StoredRehearsal, StoreError> {
        self.add(rehearsal)
    }

    pub fn update_rehearsal(
        &self,
        id: ItemId,
        rehearsal: Rehearsal,
    ) -> Result<StoredRehearsal, StoreError> {
        self.update(&id, rehearsal)
    }

    pub fn get_rehearsal(&self, id: ItemId) -> Result<StoredRehearsal, StoreError> {
        self.get::<Rehearsal, _>(&id)
    }

    /// A therapist's feedback note (written with `RapportSync::write_note`).
    pub fn get_note(&self, id: ItemId) -> Result<StoredNote, StoreError> {
        self.get::<Note, _>(&id)
    }
}

/// A new random 32-byte key for `RapportStore::open_encrypted`, made once
/// and kept in the platform keystore (Android Keystore, iOS Keychain).
#[uniffi::export]
pub fn new_database_key() -> Result<Vec<u8>, StoreError> {
    Ok(DatabaseKey::random()?.as_bytes().to_vec())
}
