//! The client's profile: the focus problem area, the formulation and when the
//! client accepted it, the session contract, and where the therapy stands.
//! Reading and saving it, and the parts kept beside it in its document, are
//! [`crate::Store`] methods in `items/profile.rs`.
//!
//! There is one profile per record. Its id is random like any other (document
//! ids are global on the server); if two devices each made one before they
//! first synced, the one with the smallest id is the profile on every device.

use autosurgeon::{Hydrate, Reconcile};
use chrono::NaiveDate;
use rapport_protocol::DocKind;

use crate::error::{Error, Result};
use crate::id::ItemId;
use crate::record::{IndexEntry, Record, in_range, limit_text};

/// The four IPT problem areas; the work is on one focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ProblemArea {
    Grief,
    RoleDispute,
    RoleTransition,
    InterpersonalDeficits,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Phase {
    Initial,
    Middle,
    Termination,
}

#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Profile {
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[autosurgeon(hydrate = "crate::doc::opt_string")]
    pub problem_area: Option<ProblemArea>,
    /// The therapist's summary linking the episode to the problem area.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[autosurgeon(with = "crate::doc::text")]
    pub formulation: String,
    #[autosurgeon(with = "crate::doc::opt_date")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub formulation_accepted_on: Option<NaiveDate>,
    /// Number of weekly sessions agreed (usually 12 to 16; 8 for the brief form).
    #[cfg_attr(feature = "uniffi", uniffi(default = 12))]
    #[autosurgeon(with = "crate::doc::score")]
    pub session_count: i32,
    #[autosurgeon(hydrate = "crate::doc::string")]
    pub phase: Phase,
    /// The session most recently held (0 before the first).
    #[cfg_attr(feature = "uniffi", uniffi(default = 0))]
    #[autosurgeon(with = "crate::doc::score")]
    pub current_session: i32,
    #[autosurgeon(with = "crate::doc::opt_date")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
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
pub const MAX_SESSIONS: i32 = 30;

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

/// The termination phase's own part of the profile: the warning signs that
/// an episode may be coming back, and the plan for after the sessions end.
///
/// Kept in the profile document beside the typed [`Profile`] (under
/// `record.after_care`) rather than as fields of it, so that code building a
/// `Profile` literally keeps compiling; a `Profile` save never touches it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Reconcile, Hydrate)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct AfterCarePlan {
    /// E.g. "sleeping badly for a week", "avoiding calls from friends".
    #[autosurgeon(hydrate = "crate::doc::strings")]
    pub warning_signs: Vec<String>,
    /// What the client will do after the last session, and when to ask for help.
    #[autosurgeon(with = "crate::doc::text")]
    pub plan_for_after: String,
}

/// The most warning signs accepted: a short list the client can act on.
pub const MAX_WARNING_SIGNS: usize = 30;

pub(crate) const AFTER_CARE_KEY: &str = "after_care";

impl AfterCarePlan {
    pub fn validate(&self) -> Result<()> {
        if self.warning_signs.len() > MAX_WARNING_SIGNS {
            return Err(Error::invalid(
                "warning_signs",
                format!(
                    "has {} entries, at most {MAX_WARNING_SIGNS} are kept",
                    self.warning_signs.len()
                ),
            ));
        }
        for sign in &self.warning_signs {
            crate::record::require_text("warning_signs", sign)?;
        }
        limit_text("plan_for_after", &self.plan_for_after)
    }
}

/// Reads the after-care plan of a profile document (empty if never saved).
pub(crate) fn read_after_care(
    document: &automerge::AutoCommit,
    id: &ItemId,
) -> Result<AfterCarePlan> {
    read_part(document, id, AFTER_CARE_KEY)
}

/// The `record` map of a profile document, where its parts are kept.
pub(crate) fn record_map(
    document: &automerge::AutoCommit,
    id: &ItemId,
) -> Result<automerge::ObjId> {
    use automerge::{ObjType, ROOT, ReadDoc, Value};
    match document.get(ROOT, "record") {
        Ok(Some((Value::Object(ObjType::Map), obj))) => Ok(obj),
        _ => Err(Error::NotFound {
            kind: "profile",
            id: id.to_string(),
        }),
    }
}

/// Reads a part of a profile document kept beside the typed [`Profile`]
/// under `record.<key>` (its default if never written).
pub(crate) fn read_part<T: autosurgeon::Hydrate + Default>(
    document: &automerge::AutoCommit,
    id: &ItemId,
    key: &str,
) -> Result<T> {
    use automerge::{ObjType, ROOT, ReadDoc, Value};
    let malformed = |reason: String| Error::MalformedDocument {
        doc_id: id.to_string(),
        kind: "profile",
        reason,
    };
    let record = match document.get(ROOT, "record") {
        Ok(Some((Value::Object(ObjType::Map), obj))) => obj,
        Ok(_) => return Ok(T::default()),
        Err(e) => return Err(malformed(e.to_string())),
    };
    match document.get(&record, key) {
        Ok(None) => Ok(T::default()),
        Ok(Some(_)) => {
            autosurgeon::hydrate_prop(document, &record, key).map_err(|e| malformed(e.to_string()))
        }
        Err(e) => Err(malformed(e.to_string())),
    }
}
