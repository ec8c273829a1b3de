//! `RapportStore`: the client's record on the device, as the shells see it.
//! A thin object over `rapport_core::Store`; every method converts FFI
//! records to core records and back (see `records`) and maps errors.
//!
//! Every call is local and blocking (a write returns after its commit);
//! shells run them off the UI thread.

use std::sync::Arc;
use std::time::SystemTime;

use rapport_core::{
    Item, ItemId, Record, Store, checkin, goal, inventory, journal, note, profile, rehearsal,
    safety,
};

use rapport_core::store::DatabaseKey;

use crate::errors::StoreError;
use crate::records::{
    CrisisResource, DisputeStage, GoalStatus, Interaction, ItemKind, ListQuery, MoodCheckIn,
    MoodCheckInSaved, Person, Phq9CheckIn, Phq9CheckInSaved, Profile, Reflection, Rehearsal,
    StoredGoal, StoredInteraction, StoredMoodCheckIn, StoredNote, StoredPerson, StoredPhq9CheckIn,
    StoredProfile, StoredReflection, StoredRehearsal, StoredWin, Summary, Win, item_id, time,
};

#[derive(Debug, uniffi::Object)]
pub struct RapportStore {
    pub(crate) inner: Arc<Store>,
}

// Generic helpers behind the exported methods: convert, call the core,
// convert back. `C` is the core record, named at each call.
impl RapportStore {
    fn add<C, F, S>(&self, record: F) -> Result<S, StoreError>
    where
        C: Record,
        F: TryInto<C, Error = StoreError>,
        S: From<Item<C>>,
    {
        Ok(self.inner.create(record.try_into()?)?.into())
    }

    fn update<C, F, S>(&self, id_field: &str, id: String, record: F) -> Result<S, StoreError>
    where
        C: Record,
        F: TryInto<C, Error = StoreError>,
        S: From<Item<C>>,
    {
        let id = item_id(id_field, id)?;
        Ok(self.inner.update(&id, record.try_into()?)?.into())
    }

    fn get<C, S>(&self, id_field: &str, id: String) -> Result<S, StoreError>
    where
        C: Record,
        S: From<Item<C>>,
    {
        let id = item_id(id_field, id)?;
        Ok(self.inner.get::<C>(&id)?.into())
    }

    /// Runs a goal operation and returns the goal as it is afterwards.
    fn on_goal(
        &self,
        goal_id: String,
        op: impl FnOnce(&Store, &ItemId) -> rapport_core::Result<Item<goal::Goal>>,
    ) -> Result<StoredGoal, StoreError> {
        let id = item_id("goal_id", goal_id)?;
        Ok(op(&self.inner, &id)?.into())
    }
}

#[uniffi::export]
impl RapportStore {
    /// Opens (or creates) an unencrypted record at `path` (tools and tests;
    /// apps use `open_encrypted`).
    #[uniffi::constructor]
    pub fn open(path: String) -> Result<Arc<Self>, StoreError> {
        let inner = Store::open(path)?;
        Ok(Arc::new(RapportStore {
            inner: Arc::new(inner),
        }))
    }

    /// Opens (or creates) the record at `path`, a file in the app's private
    /// storage, encrypted at rest with `key`: 32 bytes kept by the platform
    /// keystore (see `new_database_key`). A wrong key is
    /// `StoreError::UnusableFile` and changes nothing.
    #[uniffi::constructor]
    pub fn open_encrypted(path: String, key: Vec<u8>) -> Result<Arc<Self>, StoreError> {
        let key = DatabaseKey::from_bytes(&key)?;
        let inner = Store::open_encrypted(path, &key)?;
        Ok(Arc::new(RapportStore {
            inner: Arc::new(inner),
        }))
    }

    /// The file this record lives in.
    pub fn path(&self) -> String {
        self.inner.path().display().to_string()
    }

    // --- Any item ---------------------------------------------------------

    /// Deletes an item of any kind, on every device once synced.
    pub fn delete_item(&self, id: String) -> Result<(), StoreError> {
        Ok(self.inner.delete(&item_id("id", id)?)?)
    }

    /// Shares an item with the therapist, or makes it private again.
    pub fn set_shared(&self, id: String, shared: bool) -> Result<(), StoreError> {
        Ok(self.inner.set_shared(&item_id("id", id)?, shared)?)
    }

    /// The kind of a live item (to know which `get_*` to call).
    pub fn kind_of(&self, id: String) -> Result<ItemKind, StoreError> {
        Ok(self.inner.kind_of(&item_id("id", id)?)?.into())
    }

    /// Items newest first, filtered and paged.
    pub fn list(&self, query: ListQuery) -> Result<Vec<Summary>, StoreError> {
        let query = query.try_into()?;
        Ok(self
            .inner
            .list(&query)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Full-text search over every text field, best match first. The text
    /// is taken as plain words (each a prefix); `limit` 0 means 50.
    pub fn search(&self, text: String, limit: u32) -> Result<Vec<Summary>, StoreError> {
        Ok(self
            .inner
            .search(&text, limit)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// The list row of one live item, or none.
    pub fn summary(&self, id: String) -> Result<Option<Summary>, StoreError> {
        Ok(self.inner.summary(&item_id("id", id)?)?.map(Into::into))
    }

    // --- The journal --------------------------------------------------------

    pub fn add_interaction(
        &self,
        interaction: Interaction,
    ) -> Result<StoredInteraction, StoreError> {
        self.add::<journal::Interaction, _, _>(interaction)
    }

    pub fn update_interaction(
        &self,
        id: String,
        interaction: Interaction,
    ) -> Result<StoredInteraction, StoreError> {
        self.update::<journal::Interaction, _, _>("id", id, interaction)
    }

    pub fn get_interaction(&self, id: String) -> Result<StoredInteraction, StoreError> {
        self.get::<journal::Interaction, _>("id", id)
    }

    pub fn add_win(&self, win: Win) -> Result<StoredWin, StoreError> {
        self.add::<journal::Win, _, _>(win)
    }

    pub fn update_win(&self, id: String, win: Win) -> Result<StoredWin, StoreError> {
        self.update::<journal::Win, _, _>("id", id, win)
    }

    pub fn get_win(&self, id: String) -> Result<StoredWin, StoreError> {
        self.get::<journal::Win, _>("id", id)
    }

    pub fn add_reflection(&self, reflection: Reflection) -> Result<StoredReflection, StoreError> {
        self.add::<journal::Reflection, _, _>(reflection)
    }

    pub fn update_reflection(
        &self,
        id: String,
        reflection: Reflection,
    ) -> Result<StoredReflection, StoreError> {
        self.update::<journal::Reflection, _, _>("id", id, reflection)
    }

    pub fn get_reflection(&self, id: String) -> Result<StoredReflection, StoreError> {
        self.get::<journal::Reflection, _>("id", id)
    }

    // --- Goals ------------------------------------------------------------

    pub fn add_goal(&self, goal: crate::records::Goal) -> Result<StoredGoal, StoreError> {
        self.add::<goal::Goal, _, _>(goal)
    }

    /// Replaces the whole goal. For milestones and the course log prefer the
    /// operations below: they merge with edits made on another device.
    pub fn update_goal(
        &self,
        goal_id: String,
        goal: crate::records::Goal,
    ) -> Result<StoredGoal, StoreError> {
        self.update::<goal::Goal, _, _>("goal_id", goal_id, goal)
    }

    pub fn get_goal(&self, goal_id: String) -> Result<StoredGoal, StoreError> {
        self.get::<goal::Goal, _>("goal_id", goal_id)
    }

    /// Adds a milestone at the end; returns the goal with it.
    pub fn add_milestone(&self, goal_id: String, title: String) -> Result<StoredGoal, StoreError> {
        let id = item_id("goal_id", goal_id)?;
        self.inner.add_milestone(&id, &title)?;
        Ok(self.inner.get::<goal::Goal>(&id)?.into())
    }

    pub fn rename_milestone(
        &self,
        goal_id: String,
        milestone_id: String,
        title: String,
    ) -> Result<StoredGoal, StoreError> {
        self.on_goal(goal_id, |s, id| {
            s.rename_milestone(id, &milestone_id, &title)
        })
    }

    pub fn complete_milestone(
        &self,
        goal_id: String,
        milestone_id: String,
        at: SystemTime,
    ) -> Result<StoredGoal, StoreError> {
        let at = time("at", at)?;
        self.on_goal(goal_id, |s, id| s.complete_milestone(id, &milestone_id, at))
    }

    pub fn reopen_milestone(
        &self,
        goal_id: String,
        milestone_id: String,
    ) -> Result<StoredGoal, StoreError> {
        self.on_goal(goal_id, |s, id| s.reopen_milestone(id, &milestone_id))
    }

    pub fn remove_milestone(
        &self,
        goal_id: String,
        milestone_id: String,
    ) -> Result<StoredGoal, StoreError> {
        self.on_goal(goal_id, |s, id| s.remove_milestone(id, &milestone_id))
    }

    /// Puts the milestones in this order; it must name each exactly once.
    pub fn reorder_milestones(
        &self,
        goal_id: String,
        milestone_ids: Vec<String>,
    ) -> Result<StoredGoal, StoreError> {
        self.on_goal(goal_id, |s, id| s.reorder_milestones(id, &milestone_ids))
    }

    pub fn set_goal_status(
        &self,
        goal_id: String,
        status: GoalStatus,
    ) -> Result<StoredGoal, StoreError> {
        self.on_goal(goal_id, |s, id| s.set_goal_status(id, status.into()))
    }

    /// Logs what got in the way of a goal.
    pub fn log_barrier(
        &self,
        goal_id: String,
        text: String,
        at: SystemTime,
    ) -> Result<StoredGoal, StoreError> {
        let at = time("at", at)?;
        self.on_goal(goal_id, |s, id| s.log_barrier(id, &text, at))
    }

    /// Logs how the plan for a goal changes.
    pub fn log_course_correction(
        &self,
        goal_id: String,
        text: String,
        at: SystemTime,
    ) -> Result<StoredGoal, StoreError> {
        let at = time("at", at)?;
        self.on_goal(goal_id, |s, id| s.log_course_correction(id, &text, at))
    }

    // --- The interpersonal inventory ----------------------------------------

    pub fn add_person(&self, person: Person) -> Result<StoredPerson, StoreError> {
        self.add::<inventory::Person, _, _>(person)
    }

    pub fn update_person(
        &self,
        person_id: String,
        person: Person,
    ) -> Result<StoredPerson, StoreError> {
        self.update::<inventory::Person, _, _>("person_id", person_id, person)
    }

    pub fn get_person(&self, person_id: String) -> Result<StoredPerson, StoreError> {
        self.get::<inventory::Person, _>("person_id", person_id)
    }

    /// Records that a role dispute with this person moved to `stage`.
    pub fn set_dispute_stage(
        &self,
        person_id: String,
        stage: DisputeStage,
        at: SystemTime,
        note: String,
    ) -> Result<StoredPerson, StoreError> {
        let id = item_id("person_id", person_id)?;
        let at = time("at", at)?;
        Ok(self
            .inner
            .set_dispute_stage(&id, stage.into(), at, &note)?
            .into())
    }

    // --- The profile --------------------------------------------------------

    /// The profile, or the default one (12 sessions, initial phase) if none
    /// was saved yet.
    pub fn profile(&self) -> Result<Profile, StoreError> {
        Ok(self.inner.profile()?.into())
    }

    /// Saves the profile, creating it on first use.
    pub fn save_profile(&self, profile: Profile) -> Result<StoredProfile, StoreError> {
        let profile: profile::Profile = profile.try_into()?;
        Ok(self.inner.save_profile(profile)?.into())
    }

    // --- Check-ins and safety -------------------------------------------------

    /// Saves a mood rating; a check-in marked as a crisis comes back with
    /// crisis resources to show at once (no network needed).
    pub fn check_in_mood(&self, check_in: MoodCheckIn) -> Result<MoodCheckInSaved, StoreError> {
        let check_in: checkin::MoodCheckIn = check_in.try_into()?;
        Ok(self.inner.check_in_mood(check_in)?.into())
    }

    /// Saves a PHQ-9; item 9 above 0 comes back with crisis resources to show
    /// at once (no network needed) and is flagged for the therapist's next
    /// review.
    pub fn check_in_phq9(&self, check_in: Phq9CheckIn) -> Result<Phq9CheckInSaved, StoreError> {
        let check_in: checkin::Phq9CheckIn = check_in.try_into()?;
        Ok(self.inner.check_in_phq9(check_in)?.into())
    }

    pub fn get_mood_check_in(&self, id: String) -> Result<StoredMoodCheckIn, StoreError> {
        let id = item_id("id", id)?;
        Ok(self.inner.get::<checkin::MoodCheckIn>(&id)?.into())
    }

    pub fn get_phq9_check_in(&self, id: String) -> Result<StoredPhq9CheckIn, StoreError> {
        let id = item_id("id", id)?;
        Ok(self.inner.get::<checkin::Phq9CheckIn>(&id)?.into())
    }

    /// What "Get help now" shows, never empty, offline: the resources set on
    /// this device first, then the defaults of the device's region.
    pub fn crisis_resources(&self) -> Result<Vec<CrisisResource>, StoreError> {
        let resources = self.inner.crisis_resources()?;
        Ok(resources.into_iter().map(Into::into).collect())
    }

    /// The resources set on this device (for a settings screen).
    pub fn own_crisis_resources(&self) -> Result<Vec<CrisisResource>, StoreError> {
        let resources = self.inner.own_crisis_resources()?;
        Ok(resources.into_iter().map(Into::into).collect())
    }

    /// Replaces the resources set on this device (kept here, not synced);
    /// an empty list leaves the region's defaults.
    pub fn set_crisis_resources(&self, resources: Vec<CrisisResource>) -> Result<(), StoreError> {
        let resources: Vec<safety::CrisisResource> =
            resources.into_iter().map(Into::into).collect();
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
        self.add::<rehearsal::Rehearsal, _, _>(rehearsal)
    }

    pub fn update_rehearsal(
        &self,
        id: String,
        rehearsal: Rehearsal,
    ) -> Result<StoredRehearsal, StoreError> {
        self.update::<rehearsal::Rehearsal, _, _>("id", id, rehearsal)
    }

    pub fn get_rehearsal(&self, id: String) -> Result<StoredRehearsal, StoreError> {
        self.get::<rehearsal::Rehearsal, _>("id", id)
    }

    /// A therapist's feedback note (written with `RapportSync::write_note`).
    pub fn get_note(&self, id: String) -> Result<StoredNote, StoreError> {
        self.get::<note::Note, _>("id", id)
    }
}

/// A new random 32-byte key for `RapportStore::open_encrypted`, made once
/// and kept in the platform keystore (Android Keystore, iOS Keychain).
#[uniffi::export]
pub fn new_database_key() -> Result<Vec<u8>, StoreError> {
    Ok(DatabaseKey::random()?.as_bytes().to_vec())
}
