//! The profile: the IPT focus (problem area), the formulation, the session
//! contract and the phase of the therapy.

use rapport_core::profile;

use super::{iso_date, opt_date};
use crate::errors::StoreError;

mirror_enum! {
    /// The four IPT problem areas; the work is on one focus.
    ProblemArea = profile::ProblemArea { Grief, RoleDispute, RoleTransition, InterpersonalDeficits }
}

mirror_enum! {
    Phase = profile::Phase { Initial, Middle, Termination }
}

/// The focus, the formulation and when the client accepted it, the session
/// contract and where the therapy stands. Dates are ISO `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Profile {
    #[uniffi(default)]
    pub problem_area: Option<ProblemArea>,
    /// The therapist's summary linking the episode to the problem area.
    #[uniffi(default)]
    pub formulation: String,
    #[uniffi(default)]
    pub formulation_accepted_on: Option<String>,
    /// Weekly sessions agreed (usually 12 to 16; 8 for the brief form).
    #[uniffi(default = 12)]
    pub session_count: u8,
    pub phase: Phase,
    /// The session most recently held (0 before the first).
    #[uniffi(default = 0)]
    pub current_session: u8,
    #[uniffi(default)]
    pub last_session_on: Option<String>,
}

impl From<profile::Profile> for Profile {
    fn from(p: profile::Profile) -> Self {
        Profile {
            problem_area: p.problem_area.map(Into::into),
            formulation: p.formulation,
            formulation_accepted_on: p.formulation_accepted_on.map(iso_date),
            session_count: p.session_count,
            phase: p.phase.into(),
            current_session: p.current_session,
            last_session_on: p.last_session_on.map(iso_date),
        }
    }
}

impl TryFrom<Profile> for profile::Profile {
    type Error = StoreError;

    fn try_from(p: Profile) -> Result<Self, StoreError> {
        Ok(profile::Profile {
            problem_area: p.problem_area.map(Into::into),
            formulation: p.formulation,
            formulation_accepted_on: opt_date(
                "formulation_accepted_on",
                p.formulation_accepted_on,
            )?,
            session_count: p.session_count,
            phase: p.phase.into(),
            current_session: p.current_session,
            last_session_on: opt_date("last_session_on", p.last_session_on)?,
        })
    }
}
