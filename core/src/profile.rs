//! The client's profile: the focus problem area, the formulation and when the
//! client accepted it, the session contract, and where the therapy stands.
//!
//! There is one profile per record. Its id is random like any other (document
//! ids are global on the server); if two devices each made one before they
//! first synced, the one with the smallest id is the profile on every device.

use autosurgeon::{Hydrate, Reconcile};
use chrono::NaiveDate;
use rapport_protocol::DocKind;

use crate::error::{Error, Result};
use crate::id::ItemId;
use crate::record::{IndexEntry, Item, Record, in_range, limit_text};
use crate::store::Store;

/// The four IPT problem areas; the work is on one focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate)]
pub enum ProblemArea {
    Grief,
    RoleDispute,
    RoleTransition,
    InterpersonalDeficits,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate)]
pub enum Phase {
    Initial,
    Middle,
    Termination,
}

#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
pub struct Profile {
    pub problem_area: Option<ProblemArea>,
    /// The therapist's summary linking the episode to the problem area.
    pub formulation: String,
    #[autosurgeon(with = "crate::doc::opt_date")]
    pub formulation_accepted_on: Option<NaiveDate>,
    /// Number of weekly sessions agreed (usually 12 to 16; 8 for the brief form).
    pub session_count: u8,
    pub phase: Phase,
    /// The session most recently held (0 before the first).
    pub current_session: u8,
    #[autosurgeon(with = "crate::doc::opt_date")]
    pub last_session_on: Option<NaiveDate>,
}

impl Default for Profile {
    fn default() -> Self {
        Profile {
            problem_area: None,
            formulation: String::new(),
            formulation_accepted_on: None,
            session_count: 12,
            phase: Phase::Initial,
            current_session: 0,
            last_session_on: None,
        }
    }
}

/// The largest contract accepted; IPT is time-limited.
pub const MAX_SESSIONS: u8 = 30;

impl Record for Profile {
    const KIND: DocKind = DocKind::Profile;

    fn validate(&self) -> Result<()> {
        limit_text("formulation", &self.formulation)?;
        if self.session_count == 0 {
            return Err(Error::invalid("session_count", "must be at least 1"));
        }
        in_range("session_count", self.session_count, MAX_SESSIONS)?;
        if self.current_session > self.session_count {
            return Err(Error::invalid(
                "current_session",
                format!(
                    "is {} but the contract has {} sessions",
                    self.current_session, self.session_count
                ),
            ));
        }
        if self.formulation_accepted_on.is_some() && self.formulation.trim().is_empty() {
            return Err(Error::invalid(
                "formulation_accepted_on",
                "set, but there is no formulation to accept",
            ));
        }
        Ok(())
    }

    fn index(&self) -> IndexEntry {
        IndexEntry {
            at: None,
            person_id: None,
            goal_id: None,
            title: "Profile".into(),
            text: vec![self.formulation.clone()],
        }
    }
}

impl Store {
    /// The id of the profile document, if one exists.
    fn profile_id(&self) -> Result<Option<ItemId>> {
        let query = crate::store::ListQuery {
            kinds: vec![DocKind::Profile],
            limit: crate::store::MAX_PAGE,
            ..Default::default()
        };
        Ok(self.list(&query)?.into_iter().map(|s| s.id).min())
    }

    /// The profile, or the default one if none was saved yet.
    pub fn profile(&self) -> Result<Profile> {
        match self.profile_id()? {
            Some(id) => Ok(self.get::<Profile>(&id)?.record),
            None => Ok(Profile::default()),
        }
    }

    /// Saves the profile, creating it on first use.
    pub fn save_profile(&self, profile: Profile) -> Result<Item<Profile>> {
        match self.profile_id()? {
            Some(id) => self.update(&id, profile),
            None => self.create(profile),
        }
    }
}
