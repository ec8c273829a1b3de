//! The journal: interactions with people of the inventory, wins and free
//! reflections, each optionally linked to a goal or one of its milestones.

use std::time::SystemTime;

use rapport_core::journal;

use super::{item_id, opt_item_id, system_time, time};
use crate::errors::StoreError;

mirror_enum! {
    /// How an interaction took place.
    Channel = journal::Channel { InPerson, Phone, Text, Online }
}

mirror_enum! {
    /// Who started the interaction.
    Initiator = journal::Initiator { Me, Them }
}

mirror_enum! {
    /// Did I get what I wanted?
    GotWhatIWanted = journal::GotWhatIWanted { Yes, Partly, No }
}

mirror_enum! {
    /// How the relationship feels after the interaction.
    RelationshipChange = journal::RelationshipChange { Better, Same, Worse }
}

/// A feeling with its intensity, 0 to 10.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Feeling {
    pub label: String,
    pub intensity: u8,
}

/// A link from an entry to a goal, or to one milestone of it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct GoalLink {
    pub goal_id: String,
    #[uniffi(default)]
    pub milestone_id: Option<String>,
}

/// An interaction with someone from the interpersonal inventory.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Interaction {
    /// Who: a person of the inventory.
    pub person_id: String,
    pub occurred_at: SystemTime,
    pub channel: Channel,
    pub initiated_by: Initiator,
    #[uniffi(default)]
    pub what_i_wanted: String,
    #[uniffi(default)]
    pub what_they_wanted: String,
    #[uniffi(default)]
    pub what_i_said: String,
    #[uniffi(default)]
    pub what_they_said: String,
    #[uniffi(default)]
    pub feelings: Vec<Feeling>,
    /// Mood before and after, 0 (worst) to 10 (best).
    #[uniffi(default)]
    pub mood_before: Option<u8>,
    #[uniffi(default)]
    pub mood_after: Option<u8>,
    #[uniffi(default)]
    pub got_what_i_wanted: Option<GotWhatIWanted>,
    #[uniffi(default)]
    pub relationship: Option<RelationshipChange>,
    /// Options I could try next, and the one I choose.
    #[uniffi(default)]
    pub options: Vec<String>,
    #[uniffi(default)]
    pub chosen_option: Option<String>,
    /// Skills used, e.g. "I" statements, active listening.
    #[uniffi(default)]
    pub skills_used: Vec<String>,
    #[uniffi(default)]
    pub goal: Option<GoalLink>,
}

/// A victory, small or large, linked to a goal or milestone.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Win {
    pub occurred_at: SystemTime,
    pub title: String,
    #[uniffi(default)]
    pub details: String,
    #[uniffi(default)]
    pub goal: Option<GoalLink>,
}

/// A free reflection, optionally about one person or goal.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Reflection {
    pub written_at: SystemTime,
    pub text: String,
    #[uniffi(default)]
    pub person_id: Option<String>,
    #[uniffi(default)]
    pub goal: Option<GoalLink>,
}

impl From<journal::Feeling> for Feeling {
    fn from(f: journal::Feeling) -> Self {
        Feeling {
            label: f.label,
            intensity: f.intensity,
        }
    }
}

impl From<Feeling> for journal::Feeling {
    fn from(f: Feeling) -> Self {
        journal::Feeling {
            label: f.label,
            intensity: f.intensity,
        }
    }
}

impl From<journal::GoalLink> for GoalLink {
    fn from(link: journal::GoalLink) -> Self {
        GoalLink {
            goal_id: link.goal_id.to_string(),
            milestone_id: link.milestone_id,
        }
    }
}

impl TryFrom<GoalLink> for journal::GoalLink {
    type Error = StoreError;

    fn try_from(link: GoalLink) -> Result<Self, StoreError> {
        Ok(journal::GoalLink {
            goal_id: item_id("goal.goal_id", link.goal_id)?,
            milestone_id: link.milestone_id,
        })
    }
}

fn opt_link(link: Option<GoalLink>) -> Result<Option<journal::GoalLink>, StoreError> {
    link.map(TryInto::try_into).transpose()
}

impl From<journal::Interaction> for Interaction {
    fn from(i: journal::Interaction) -> Self {
        Interaction {
            person_id: i.person_id.to_string(),
            occurred_at: system_time(i.occurred_at),
            channel: i.channel.into(),
            initiated_by: i.initiated_by.into(),
            what_i_wanted: i.what_i_wanted,
            what_they_wanted: i.what_they_wanted,
            what_i_said: i.what_i_said,
            what_they_said: i.what_they_said,
            feelings: i.feelings.into_iter().map(Into::into).collect(),
            mood_before: i.mood_before,
            mood_after: i.mood_after,
            got_what_i_wanted: i.got_what_i_wanted.map(Into::into),
            relationship: i.relationship.map(Into::into),
            options: i.options,
            chosen_option: i.chosen_option,
            skills_used: i.skills_used,
            goal: i.goal.map(Into::into),
        }
    }
}

impl TryFrom<Interaction> for journal::Interaction {
    type Error = StoreError;

    fn try_from(i: Interaction) -> Result<Self, StoreError> {
        Ok(journal::Interaction {
            person_id: item_id("person_id", i.person_id)?,
            occurred_at: time("occurred_at", i.occurred_at)?,
            channel: i.channel.into(),
            initiated_by: i.initiated_by.into(),
            what_i_wanted: i.what_i_wanted,
            what_they_wanted: i.what_they_wanted,
            what_i_said: i.what_i_said,
            what_they_said: i.what_they_said,
            feelings: i.feelings.into_iter().map(Into::into).collect(),
            mood_before: i.mood_before,
            mood_after: i.mood_after,
            got_what_i_wanted: i.got_what_i_wanted.map(Into::into),
            relationship: i.relationship.map(Into::into),
            options: i.options,
            chosen_option: i.chosen_option,
            skills_used: i.skills_used,
            goal: opt_link(i.goal)?,
        })
    }
}

impl From<journal::Win> for Win {
    fn from(w: journal::Win) -> Self {
        Win {
            occurred_at: system_time(w.occurred_at),
            title: w.title,
            details: w.details,
            goal: w.goal.map(Into::into),
        }
    }
}

impl TryFrom<Win> for journal::Win {
    type Error = StoreError;

    fn try_from(w: Win) -> Result<Self, StoreError> {
        Ok(journal::Win {
            occurred_at: time("occurred_at", w.occurred_at)?,
            title: w.title,
            details: w.details,
            goal: opt_link(w.goal)?,
        })
    }
}

impl From<journal::Reflection> for Reflection {
    fn from(r: journal::Reflection) -> Self {
        Reflection {
            written_at: system_time(r.written_at),
            text: r.text,
            person_id: r.person_id.map(|id| id.to_string()),
            goal: r.goal.map(Into::into),
        }
    }
}

impl TryFrom<Reflection> for journal::Reflection {
    type Error = StoreError;

    fn try_from(r: Reflection) -> Result<Self, StoreError> {
        Ok(journal::Reflection {
            written_at: time("written_at", r.written_at)?,
            text: r.text,
            person_id: opt_item_id("person_id", r.person_id)?,
            goal: opt_link(r.goal)?,
        })
    }
}
