//! Check-ins: a quick mood rating with the event behind it, and the weekly
//! PHQ-9. PHQ-9 item 9 above 0, or a mood check-in marked as a crisis,
//! returns a safety alert in the result of the call that saved it, so the
//! phone can show crisis resources at once with no network (saving is
//! [`crate::Store::check_in_mood`] and [`crate::Store::check_in_phq9`], in
//! `items/checkin.rs`).
//!
//! Rapport is reviewed at sessions; it is not monitored in real time, and
//! nothing here may suggest that someone is watching.

use autosurgeon::{Hydrate, Reconcile};
use chrono::{DateTime, Utc};
use rapport_protocol::DocKind;

use crate::error::{Error, Result};
use crate::record::{IndexEntry, Item, Record, in_range, limit_text};
use crate::safety::SafetyAlert;

/// A mood rating: 0 is the worst, 10 the best.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct MoodCheckIn {
    #[autosurgeon(with = "crate::doc::timestamp")]
    pub at: DateTime<Utc>,
    #[autosurgeon(with = "crate::doc::score")]
    pub rating: i32,
    /// The event behind the mood, so the mood-to-event link is visible.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[autosurgeon(with = "crate::doc::text")]
    pub event: String,
    /// The client marked this as a crisis.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub crisis: bool,
}

impl Record for MoodCheckIn {
    const KIND: DocKind = DocKind::MoodCheckIn;

    fn validate(&self) -> Result<()> {
        in_range("rating", self.rating, 10)?;
        limit_text("event", &self.event)
    }

    fn index(&self) -> IndexEntry {
        IndexEntry {
            at: Some(self.at),
            person_id: None,
            goal_id: None,
            title: format!("Mood {}/10", self.rating),
            text: vec![self.event.clone()],
        }
    }
}

/// PHQ-9 severity bands of the total score (Kroenke et al. 2001).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Phq9Severity {
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

impl Phq9Severity {
    pub fn of_total(total: i32) -> Phq9Severity {
        match total {
            0..=4 => Phq9Severity::Minimal,
            5..=9 => Phq9Severity::Mild,
            10..=14 => Phq9Severity::Moderate,
            15..=19 => Phq9Severity::ModeratelySevere,
            _ => Phq9Severity::Severe,
        }
    }
}

/// The nine PHQ-9 answers, each 0 (not at all) to 3 (nearly every day).
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Phq9CheckIn {
    #[autosurgeon(with = "crate::doc::timestamp")]
    pub at: DateTime<Utc>,
    #[autosurgeon(with = "crate::doc::scores")]
    pub items: Vec<i32>,
}

impl Phq9CheckIn {
    /// Total score, 0 to 27.
    pub fn total(&self) -> i32 {
        self.items.iter().sum()
    }

    pub fn severity(&self) -> Phq9Severity {
        Phq9Severity::of_total(self.total())
    }

    /// Item 9 (thoughts of self-harm) above 0.
    pub fn item9_flag(&self) -> bool {
        self.items.get(8).is_some_and(|&v| v > 0)
    }
}

impl Record for Phq9CheckIn {
    const KIND: DocKind = DocKind::Phq9CheckIn;

    fn validate(&self) -> Result<()> {
        if self.items.len() != 9 {
            return Err(Error::invalid(
                "items",
                format!("needs exactly 9 answers, got {}", self.items.len()),
            ));
        }
        for &v in &self.items {
            in_range("items", v, 3)?;
        }
        Ok(())
    }

    fn index(&self) -> IndexEntry {
        IndexEntry {
            at: Some(self.at),
            person_id: None,
            goal_id: None,
            title: format!("PHQ-9 {}/27", self.total()),
            text: Vec::new(),
        }
    }
}

/// The result of saving a check-in: the item, and a safety alert if the
/// answers call for one.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckInSaved<R> {
    pub item: Item<R>,
    pub safety_alert: Option<SafetyAlert>,
}
