//! Whose record and which dates a clinical view covers: plain values, read
//! by the shared loader (`load`) and by every view.

use chrono::{DateTime, NaiveDate, Utc};
use rapport_protocol::{AccountId, DocKind};

use super::ClinicalError;
use crate::id::ItemId;
use crate::store::Summary;
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
    Client { account_id: AccountId },
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
            (Whose::Client { account_id }, Some(o)) => o == account_id.as_str(),
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

/// A half-open range of the client's calendar days `[start, end)`: `end`
/// is the first day after it. The days begin at the client's local midnight
/// ([`DateRange::span`]). (Not `from`/`to`: `from` is a keyword in Python.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DateRange {
    start: NaiveDate,
    end: NaiveDate,
}

impl DateRange {
    /// `from` must come before `to`: the range holds `from` and not `to`.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<DateRange, ClinicalError> {
        if from >= to {
            return Err(ClinicalError::InvalidRange { from, to });
        }
        Ok(DateRange {
            start: from,
            end: to,
        })
    }

    /// Since `from`, up to and including `today`.
    pub fn since(from: NaiveDate, today: NaiveDate) -> Result<DateRange, ClinicalError> {
        let to = today
            .succ_opt()
            .ok_or(ClinicalError::InvalidRange { from, to: today })?;
        DateRange::new(from, to)
    }

    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// The first day not in the range.
    pub fn end(&self) -> NaiveDate {
        self.end
    }

    /// The instants the range covers, its days cut at local midnight in the
    /// client's zones.
    pub fn span(&self, zones: &TimeZones) -> Span {
        Span {
            start: zones.start_of(self.start),
            end: zones.start_of(self.end),
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
