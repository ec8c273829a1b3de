//! The mood series (check-ins and the mood each interaction left) and its
//! lowest points, each with the interactions behind it: the mood to event
//! link.

use chrono::{DateTime, Duration, Utc};

use crate::clinical::load::Gathered;
use crate::clinical::scope::Span;
use crate::id::ItemId;
use crate::journal::{Interaction, RelationshipChange};
use crate::record::Item;

/// How many of the lowest mood points the summary explains.
pub const LOW_POINTS: usize = 3;

/// Interactions this long before a low mood check-in are "behind" it.
pub const LINK_WINDOW_HOURS: i64 = 24;

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct MoodPoint {
    pub at: DateTime<Utc>,
    /// 0 (worst) to 10 (best).
    pub rating: i32,
    pub source: MoodSource,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum MoodSource {
    /// A quick mood rating with the event behind it.
    CheckIn {
        id: ItemId,
        event: String,
        crisis: bool,
    },
    /// The mood after an interaction.
    Interaction {
        id: ItemId,
        person_id: ItemId,
        person: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct LowPoint {
    pub point: MoodPoint,
    /// For a check-in, the interactions of the [`LINK_WINDOW_HOURS`] before
    /// it; for an interaction, the interaction itself.
    pub behind: Vec<InteractionRef>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InteractionRef {
    pub id: ItemId,
    pub at: DateTime<Utc>,
    pub person_id: ItemId,
    /// The nickname, when the person is on this device.
    pub person: Option<String>,
    pub what_i_wanted: String,
    pub mood_before: Option<i32>,
    pub mood_after: Option<i32>,
    pub relationship: Option<RelationshipChange>,
}

pub(super) fn series(record: &Gathered, range: &Span) -> Vec<MoodPoint> {
    let checkins = record
        .moods
        .iter()
        .filter(|m| range.contains(m.record.at))
        .map(|m| MoodPoint {
            at: m.record.at,
            rating: m.record.rating,
            source: MoodSource::CheckIn {
                id: m.id.clone(),
                event: m.record.event.clone(),
                crisis: m.record.crisis,
            },
        });
    let after_interactions = record
        .interactions
        .iter()
        .filter(|i| range.contains(i.record.occurred_at))
        .filter_map(|i| {
            Some(MoodPoint {
                at: i.record.occurred_at,
                rating: i.record.mood_after?,
                source: MoodSource::Interaction {
                    id: i.id.clone(),
                    person_id: i.record.person_id.clone(),
                    person: record.person_name(&i.record.person_id),
                },
            })
        });
    let mut series: Vec<MoodPoint> = checkins.chain(after_interactions).collect();
    series.sort_by(|a, b| (a.at, source_id(&a.source)).cmp(&(b.at, source_id(&b.source))));
    series
}

fn source_id(source: &MoodSource) -> &ItemId {
    match source {
        MoodSource::CheckIn { id, .. } | MoodSource::Interaction { id, .. } => id,
    }
}

pub(super) fn low_points(
    record: &Gathered,
    series: &[MoodPoint],
    interactions: &[&Item<Interaction>],
) -> Vec<LowPoint> {
    let mut lowest: Vec<&MoodPoint> = series.iter().collect();
    lowest.sort_by(|a, b| {
        (a.rating, a.at, source_id(&a.source)).cmp(&(b.rating, b.at, source_id(&b.source)))
    });
    lowest.truncate(LOW_POINTS);
    lowest.sort_by(|a, b| (a.at, source_id(&a.source)).cmp(&(b.at, source_id(&b.source))));
    let window = Duration::hours(LINK_WINDOW_HOURS);
    lowest
        .into_iter()
        .map(|point| {
            let behind = match &point.source {
                MoodSource::Interaction { id, .. } => interactions
                    .iter()
                    .filter(|i| &i.id == id)
                    .map(|i| interaction_ref(record, i))
                    .collect(),
                MoodSource::CheckIn { .. } => interactions
                    .iter()
                    .filter(|i| {
                        i.record.occurred_at <= point.at
                            && i.record.occurred_at >= point.at - window
                    })
                    .map(|i| interaction_ref(record, i))
                    .collect(),
            };
            LowPoint {
                point: point.clone(),
                behind,
            }
        })
        .collect()
}

fn interaction_ref(record: &Gathered, i: &Item<Interaction>) -> InteractionRef {
    InteractionRef {
        id: i.id.clone(),
        at: i.record.occurred_at,
        person_id: i.record.person_id.clone(),
        person: record.person_name(&i.record.person_id),
        what_i_wanted: i.record.what_i_wanted.clone(),
        mood_before: i.record.mood_before,
        mood_after: i.record.mood_after,
        relationship: i.record.relationship,
    }
}
