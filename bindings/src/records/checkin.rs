//! Check-ins and safety: mood ratings, PHQ-9 questionnaires with their
//! severity bands, and the crisis resources shown when a check-in calls
//! for them.

use std::time::SystemTime;

use rapport_core::{checkin, safety};

use super::{system_time, time};
use crate::errors::StoreError;

/// A mood rating: 0 is the worst, 10 the best, with the event behind it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MoodCheckIn {
    pub at: SystemTime,
    pub rating: u8,
    #[uniffi(default)]
    pub event: String,
    /// The client marked this as a crisis: crisis resources are returned.
    #[uniffi(default)]
    pub crisis: bool,
}

/// The nine PHQ-9 answers, each 0 (not at all) to 3 (nearly every day).
/// Plain integers at the FFI (a `Vec<u8>` would arrive as bytes: `ByteArray`
/// in Kotlin, `Data` in Swift); the range is checked on the way in.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Phq9CheckIn {
    pub at: SystemTime,
    pub items: Vec<i32>,
}

mirror_enum! {
    /// PHQ-9 severity bands of the total score (Kroenke et al. 2001).
    Phq9Severity = checkin::Phq9Severity {
        /// 0 to 4
        Minimal,
        /// 5 to 9
        Mild,
        /// 10 to 14
        Moderate,
        /// 15 to 19
        ModeratelySevere,
        /// 20 to 27
        Severe,
    }
}

mirror_enum! {
    /// Why crisis resources are shown.
    AlertReason = safety::AlertReason {
        /// PHQ-9 item 9 (thoughts of self-harm) above 0.
        Phq9Item9,
        /// A mood check-in the client marked as a crisis.
        MoodCrisis,
    }
}

/// A place to turn to in a crisis: set on this device, or a default of the
/// device's region.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CrisisResource {
    pub name: String,
    pub contact: CrisisContact,
    /// When it answers, e.g. "24 hours, every day" (may be empty).
    pub hours: String,
    /// The region it serves (ISO 3166-1 alpha-2); `None` for one's own.
    pub region: Option<String>,
    /// What the app dials or opens (`tel:`, `sms:`, `https:`), built by the
    /// core from `contact`; `None` for an instruction. Ignored when set.
    pub uri: Option<String>,
}

/// How to reach a crisis resource.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum CrisisContact {
    /// A number to call: digits, a leading `+` in international form.
    Phone { number: String },
    /// A number to text.
    Text { number: String },
    /// A web page or chat (https only).
    Web { url: String },
    /// No number is known: the name says what to do.
    Instruction,
}

/// Crisis resources to show at once, on the device, with no network.
/// `message` says plainly that Rapport is not monitored in real time.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SafetyAlert {
    pub reason: AlertReason,
    pub message: String,
    pub resources: Vec<CrisisResource>,
}

impl From<checkin::MoodCheckIn> for MoodCheckIn {
    fn from(m: checkin::MoodCheckIn) -> Self {
        MoodCheckIn {
            at: system_time(m.at),
            rating: m.rating,
            event: m.event,
            crisis: m.crisis,
        }
    }
}

impl TryFrom<MoodCheckIn> for checkin::MoodCheckIn {
    type Error = StoreError;

    fn try_from(m: MoodCheckIn) -> Result<Self, StoreError> {
        Ok(checkin::MoodCheckIn {
            at: time("at", m.at)?,
            rating: m.rating,
            event: m.event,
            crisis: m.crisis,
        })
    }
}

impl From<checkin::Phq9CheckIn> for Phq9CheckIn {
    fn from(p: checkin::Phq9CheckIn) -> Self {
        Phq9CheckIn {
            at: system_time(p.at),
            items: p.items.into_iter().map(i32::from).collect(),
        }
    }
}

impl TryFrom<Phq9CheckIn> for checkin::Phq9CheckIn {
    type Error = StoreError;

    fn try_from(p: Phq9CheckIn) -> Result<Self, StoreError> {
        let items = p
            .items
            .into_iter()
            .map(|v| {
                u8::try_from(v).map_err(|_| StoreError::Invalid {
                    field: "items".into(),
                    reason: format!("must be between 0 and 3, got {v}"),
                })
            })
            .collect::<Result<Vec<u8>, StoreError>>()?;
        Ok(checkin::Phq9CheckIn {
            at: time("at", p.at)?,
            items,
        })
    }
}

impl From<safety::CrisisResource> for CrisisResource {
    fn from(r: safety::CrisisResource) -> Self {
        let uri = r.uri();
        CrisisResource {
            name: r.name,
            contact: match r.contact {
                safety::CrisisContact::Phone { number } => CrisisContact::Phone { number },
                safety::CrisisContact::Text { number } => CrisisContact::Text { number },
                safety::CrisisContact::Web { url } => CrisisContact::Web { url },
                safety::CrisisContact::Instruction => CrisisContact::Instruction,
            },
            hours: r.hours,
            region: r.region,
            uri,
        }
    }
}

impl From<CrisisResource> for safety::CrisisResource {
    fn from(r: CrisisResource) -> Self {
        safety::CrisisResource {
            name: r.name,
            contact: match r.contact {
                CrisisContact::Phone { number } => safety::CrisisContact::Phone { number },
                CrisisContact::Text { number } => safety::CrisisContact::Text { number },
                CrisisContact::Web { url } => safety::CrisisContact::Web { url },
                CrisisContact::Instruction => safety::CrisisContact::Instruction,
            },
            hours: r.hours,
            region: r.region,
        }
    }
}

impl From<safety::SafetyAlert> for SafetyAlert {
    fn from(a: safety::SafetyAlert) -> Self {
        SafetyAlert {
            reason: a.reason.into(),
            message: a.message,
            resources: a.resources.into_iter().map(Into::into).collect(),
        }
    }
}
