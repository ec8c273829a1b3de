//! Journal entries: interactions with people of the inventory, wins, and
//! free reflections (IPT.md, "Between sessions: what the client logs").

use autosurgeon::{Hydrate, Reconcile};
use chrono::{DateTime, Utc};
use rapport_protocol::DocKind;

use crate::error::Result;
use crate::id::ItemId;
use crate::record::{IndexEntry, Record, in_range, limit_text, opt_in_range, require_text};

/// How an interaction took place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Channel {
    InPerson,
    Phone,
    Text,
    Online,
}

/// Who started the interaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Initiator {
    Me,
    Them,
}

/// Did I get what I wanted?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum GotWhatIWanted {
    Yes,
    Partly,
    No,
}

/// How the relationship feels after the interaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum RelationshipChange {
    Better,
    Same,
    Worse,
}

/// A feeling with its intensity (0 to 10).
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Feeling {
    #[autosurgeon(hydrate = "crate::doc::string")]
    pub label: String,
    #[autosurgeon(with = "crate::doc::score")]
    pub intensity: i32,
}

/// A link from an entry to a goal, or to one milestone of it.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct GoalLink {
    pub goal_id: ItemId,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[autosurgeon(hydrate = "crate::doc::opt_string")]
    pub milestone_id: Option<String>,
}

/// An interaction with someone from the interpersonal inventory.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Interaction {
    /// Who: a person of the inventory.
    pub person_id: ItemId,
    #[autosurgeon(with = "crate::doc::timestamp")]
    pub occurred_at: DateTime<Utc>,
    #[autosurgeon(hydrate = "crate::doc::string")]
    pub channel: Channel,
    #[autosurgeon(hydrate = "crate::doc::string")]
    pub initiated_by: Initiator,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[autosurgeon(with = "crate::doc::text")]
    pub what_i_wanted: String,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[autosurgeon(with = "crate::doc::text")]
    pub what_they_wanted: String,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[autosurgeon(with = "crate::doc::text")]
    pub what_i_said: String,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[autosurgeon(with = "crate::doc::text")]
    pub what_they_said: String,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub feelings: Vec<Feeling>,
    /// Mood before and after, 0 (worst) to 10 (best).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[autosurgeon(with = "crate::doc::opt_score")]
    pub mood_before: Option<i32>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[autosurgeon(with = "crate::doc::opt_score")]
    pub mood_after: Option<i32>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[autosurgeon(hydrate = "crate::doc::opt_string")]
    pub got_what_i_wanted: Option<GotWhatIWanted>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[autosurgeon(hydrate = "crate::doc::opt_string")]
    pub relationship: Option<RelationshipChange>,
    /// Options I could try next, and the one I choose.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[autosurgeon(hydrate = "crate::doc::strings")]
    pub options: Vec<String>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[autosurgeon(hydrate = "crate::doc::opt_string")]
    pub chosen_option: Option<String>,
    /// Skills used, e.g. "I" statements, active listening.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[autosurgeon(hydrate = "crate::doc::strings")]
    pub skills_used: Vec<String>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub goal: Option<GoalLink>,
}

impl Interaction {
    /// An interaction with the required fields and nothing else filled in.
    pub fn new(person_id: ItemId, occurred_at: DateTime<Utc>, channel: Channel) -> Self {
        Interaction {
            person_id,
            occurred_at,
            channel,
            initiated_by: Initiator::Me,
            what_i_wanted: String::new(),
            what_they_wanted: String::new(),
            what_i_said: String::new(),
            what_they_said: String::new(),
            feelings: Vec::new(),
            mood_before: None,
            mood_after: None,
            got_what_i_wanted: None,
            relationship: None,
            options: Vec::new(),
            chosen_option: None,
            skills_used: Vec::new(),
            goal: None,
        }
    }
}

impl Record for Interaction {
    const KIND: DocKind = DocKind::Interaction;

    fn validate(&self) -> Result<()> {
        require_text("person_id", self.person_id.as_str())?;
        for (field, text) in [
            ("what_i_wanted", &self.what_i_wanted),
            ("what_they_wanted", &self.what_they_wanted),
            ("what_i_said", &self.what_i_said),
            ("what_they_said", &self.what_they_said),
        ] {
            limit_text(field, text)?;
        }
        for feeling in &self.feelings {
            require_text("feelings.label", &feeling.label)?;
            in_range("feelings.intensity", feeling.intensity, 10)?;
        }
        opt_in_range("mood_before", self.mood_before, 10)?;
        opt_in_range("mood_after", self.mood_after, 10)?;
        for option in &self.options {
            require_text("options", option)?;
        }
        if let Some(chosen) = &self.chosen_option {
            require_text("chosen_option", chosen)?;
        }
        for skill in &self.skills_used {
            require_text("skills_used", skill)?;
        }
        validate_link(&self.goal)
    }

    fn index(&self) -> IndexEntry {
        let mut text = vec![
            self.what_i_wanted.clone(),
            self.what_they_wanted.clone(),
            self.what_i_said.clone(),
            self.what_they_said.clone(),
        ];
        text.extend(self.feelings.iter().map(|f| f.label.clone()));
        text.extend(self.options.iter().cloned());
        text.extend(self.skills_used.iter().cloned());
        IndexEntry {
            at: Some(self.occurred_at),
            person_id: Some(self.person_id.clone()),
            goal_id: self.goal.as_ref().map(|g| g.goal_id.clone()),
            title: first_line(&self.what_i_wanted, "Interaction"),
            text,
        }
    }
}

/// A victory, small or large, linked to a goal or milestone.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Win {
    #[autosurgeon(with = "crate::doc::timestamp")]
    pub occurred_at: DateTime<Utc>,
    #[autosurgeon(hydrate = "crate::doc::string")]
    pub title: String,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[autosurgeon(with = "crate::doc::text")]
    pub details: String,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub goal: Option<GoalLink>,
}

impl Record for Win {
    const KIND: DocKind = DocKind::Win;

    fn validate(&self) -> Result<()> {
        require_text("title", &self.title)?;
        limit_text("details", &self.details)?;
        validate_link(&self.goal)
    }

    fn index(&self) -> IndexEntry {
        IndexEntry {
            at: Some(self.occurred_at),
            person_id: None,
            goal_id: self.goal.as_ref().map(|g| g.goal_id.clone()),
            title: self.title.clone(),
            text: vec![self.title.clone(), self.details.clone()],
        }
    }
}

/// A free reflection, optionally about one person or goal.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Reflection {
    #[autosurgeon(with = "crate::doc::timestamp")]
    pub written_at: DateTime<Utc>,
    #[autosurgeon(with = "crate::doc::text")]
    pub text: String,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub person_id: Option<ItemId>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub goal: Option<GoalLink>,
}

impl Record for Reflection {
    const KIND: DocKind = DocKind::Reflection;

    fn validate(&self) -> Result<()> {
        require_text("text", &self.text)?;
        validate_link(&self.goal)
    }

    fn index(&self) -> IndexEntry {
        IndexEntry {
            at: Some(self.written_at),
            person_id: self.person_id.clone(),
            goal_id: self.goal.as_ref().map(|g| g.goal_id.clone()),
            title: first_line(&self.text, "Reflection"),
            text: vec![self.text.clone()],
        }
    }
}

fn validate_link(link: &Option<GoalLink>) -> Result<()> {
    if let Some(link) = link {
        require_text("goal.goal_id", link.goal_id.as_str())?;
        if let Some(m) = &link.milestone_id {
            require_text("goal.milestone_id", m)?;
        }
    }
    Ok(())
}

/// The first line of a text, shortened for list screens.
pub(crate) fn first_line(text: &str, fallback: &str) -> String {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty());
    match line {
        None => fallback.to_owned(),
        Some(l) if l.chars().count() > 80 => {
            let cut: String = l.chars().take(79).collect();
            format!("{cut}…")
        }
        Some(l) => l.to_owned(),
    }
}
