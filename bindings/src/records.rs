//! The record kinds as Kotlin and Swift see them, and the one place that
//! converts them to and from the core's records.
//!
//! Mirrors, not new concepts: each type here has the core type of the same
//! name behind it. At the FFI ids are strings, times `SystemTime` (Kotlin
//! `java.time.Instant`, Swift `Date`) and calendar dates ISO `YYYY-MM-DD`
//! strings. Times are kept to the millisecond, as the record stores them, so
//! what a shell writes is exactly what it reads back. A bad id, date or time
//! is refused with `StoreError::Invalid` before anything is written.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, NaiveDate, Utc};
use rapport_core::{DocKind, Item, ItemId, checkin, goal, inventory, journal, note, profile};
use rapport_core::{rehearsal, safety, store};

use crate::errors::StoreError;

// ---------------------------------------------------------------------------
// Conversion helpers: the only place where ids, times and dates cross.

fn invalid(field: &str, reason: impl Into<String>) -> StoreError {
    StoreError::Invalid {
        field: field.to_owned(),
        reason: reason.into(),
    }
}

/// An id from a shell: must name something (not empty, no surrounding space).
pub(crate) fn item_id(field: &str, id: String) -> Result<ItemId, StoreError> {
    if id.trim().is_empty() {
        return Err(invalid(field, "must not be empty"));
    }
    if id.trim() != id {
        return Err(invalid(field, "must not start or end with a space"));
    }
    Ok(ItemId::new(id))
}

fn opt_item_id(field: &str, id: Option<String>) -> Result<Option<ItemId>, StoreError> {
    id.map(|id| item_id(field, id)).transpose()
}

/// A time from a shell, to the millisecond (how the record stores times).
pub(crate) fn time(field: &str, at: SystemTime) -> Result<DateTime<Utc>, StoreError> {
    let millis = match at.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_millis()).ok(),
        // Before 1970: round towards the past, like the millisecond stored.
        Err(before) => i64::try_from(before.duration().as_micros().div_ceil(1000))
            .ok()
            .map(|ms| -ms),
    };
    millis
        .and_then(DateTime::from_timestamp_millis)
        .ok_or_else(|| invalid(field, "is outside the range of dates Rapport keeps"))
}

fn opt_time(field: &str, at: Option<SystemTime>) -> Result<Option<DateTime<Utc>>, StoreError> {
    at.map(|at| time(field, at)).transpose()
}

pub(crate) fn system_time(at: DateTime<Utc>) -> SystemTime {
    let millis = at.timestamp_millis();
    let magnitude = Duration::from_millis(millis.unsigned_abs());
    if millis >= 0 {
        UNIX_EPOCH + magnitude
    } else {
        UNIX_EPOCH - magnitude
    }
}

/// An ISO calendar date, `YYYY-MM-DD`.
pub(crate) fn date(field: &str, text: &str) -> Result<NaiveDate, StoreError> {
    let well_formed = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !well_formed {
        return Err(invalid(
            field,
            format!("{text:?} is not a date (YYYY-MM-DD)"),
        ));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| invalid(field, format!("{text} is not a day of the calendar")))
}

fn opt_date(field: &str, text: Option<String>) -> Result<Option<NaiveDate>, StoreError> {
    text.map(|t| date(field, &t)).transpose()
}

pub(crate) fn iso_date(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// Mirrors a fieldless core enum: same variants, `From` both ways.
macro_rules! mirror_enum {
    ($(#[$meta:meta])* $name:ident = $core:path { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl From<$core> for $name {
            fn from(value: $core) -> Self {
                use $core as Core;
                match value {
                    $(Core::$variant => $name::$variant),+
                }
            }
        }

        impl From<$name> for $core {
            fn from(value: $name) -> Self {
                use $core as Core;
                match value {
                    $($name::$variant => Core::$variant),+
                }
            }
        }
    };
}

// ---------------------------------------------------------------------------
// What every item has.

mirror_enum! {
    /// The kind of an item (one per record type).
    ItemKind = DocKind {
        Profile,
        Interaction,
        Win,
        Reflection,
        Goal,
        Person,
        MoodCheckIn,
        Phq9CheckIn,
        Rehearsal,
        /// A therapist's feedback note (read-only to the client).
        Note,
    }
}

/// The envelope of an item: its id, whether the therapist may see it, and
/// when it was made and last changed.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ItemMeta {
    pub id: String,
    /// Shared with the client's therapist.
    pub shared: bool,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
}

impl<R> From<&Item<R>> for ItemMeta {
    fn from(item: &Item<R>) -> Self {
        ItemMeta {
            id: item.id.to_string(),
            shared: item.shared,
            created_at: system_time(item.created_at),
            updated_at: system_time(item.updated_at),
        }
    }
}

// ---------------------------------------------------------------------------
// The journal: interactions, wins, reflections.

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

// ---------------------------------------------------------------------------
// Goals.

mirror_enum! {
    GoalStatus = goal::GoalStatus { Active, Achieved, Paused, Dropped }
}

mirror_enum! {
    /// What got in the way (barrier), or how the plan changes.
    CourseEventKind = goal::CourseEventKind { Barrier, CourseCorrection }
}

/// One step of a goal. `position` orders them; the list a goal carries is
/// already in that order.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Milestone {
    pub id: String,
    pub title: String,
    pub position: i64,
    #[uniffi(default)]
    pub completed_at: Option<SystemTime>,
}

/// A barrier or a course correction logged on a goal.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CourseEvent {
    pub id: String,
    pub kind: CourseEventKind,
    pub at: SystemTime,
    pub text: String,
}

/// A concrete interpersonal goal tied to the focus and to people.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Goal {
    pub title: String,
    #[uniffi(default)]
    pub description: String,
    /// People of the inventory this goal is about.
    #[uniffi(default)]
    pub person_ids: Vec<String>,
    pub status: GoalStatus,
    pub set_at: SystemTime,
    /// In display order. Prefer the milestone operations of the store to
    /// change them; a whole-goal update keeps whatever is listed here.
    #[uniffi(default)]
    pub milestones: Vec<Milestone>,
    /// Barriers and course corrections, oldest first.
    #[uniffi(default)]
    pub course_log: Vec<CourseEvent>,
}

impl From<goal::Goal> for Goal {
    fn from(g: goal::Goal) -> Self {
        let milestones = g
            .ordered_milestones()
            .into_iter()
            .map(|(id, m)| Milestone {
                id: id.to_owned(),
                title: m.title.clone(),
                position: m.position,
                completed_at: m.completed_at.map(system_time),
            })
            .collect();
        Goal {
            title: g.title,
            description: g.description,
            person_ids: g.person_ids.iter().map(ToString::to_string).collect(),
            status: g.status.into(),
            set_at: system_time(g.set_at),
            milestones,
            course_log: g
                .course_log
                .into_iter()
                .map(|e| CourseEvent {
                    id: e.id,
                    kind: e.kind.into(),
                    at: system_time(e.at),
                    text: e.text,
                })
                .collect(),
        }
    }
}

impl TryFrom<Goal> for goal::Goal {
    type Error = StoreError;

    fn try_from(g: Goal) -> Result<Self, StoreError> {
        let mut milestones = std::collections::BTreeMap::new();
        for m in g.milestones {
            let id = item_id("milestones.id", m.id)?.to_string();
            let milestone = goal::Milestone {
                title: m.title,
                position: m.position,
                completed_at: opt_time("milestones.completed_at", m.completed_at)?,
            };
            if milestones.insert(id.clone(), milestone).is_some() {
                return Err(invalid("milestones.id", format!("{id} is listed twice")));
            }
        }
        let course_log = g
            .course_log
            .into_iter()
            .map(|e| {
                Ok(goal::CourseEvent {
                    id: item_id("course_log.id", e.id)?.to_string(),
                    kind: e.kind.into(),
                    at: time("course_log.at", e.at)?,
                    text: e.text,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(goal::Goal {
            title: g.title,
            description: g.description,
            person_ids: g
                .person_ids
                .into_iter()
                .map(|id| item_id("person_ids", id))
                .collect::<Result<_, _>>()?,
            status: g.status.into(),
            set_at: time("set_at", g.set_at)?,
            milestones,
            course_log,
        })
    }
}

// ---------------------------------------------------------------------------
// The interpersonal inventory.

mirror_enum! {
    /// The rings of the closeness circle.
    Ring = inventory::Ring { Inner, Middle, Outer }
}

mirror_enum! {
    /// Stage of a role dispute; it changes over time.
    DisputeStage = inventory::DisputeStage { Renegotiation, Impasse, Dissolution }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StageChange {
    pub stage: DisputeStage,
    pub at: SystemTime,
    #[uniffi(default)]
    pub note: String,
}

/// An important person in the client's life.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Person {
    /// A nickname or initials: the client need not write a full name.
    pub nickname: String,
    /// E.g. "partner", "mother", "manager".
    #[uniffi(default)]
    pub relationship: String,
    pub ring: Ring,
    /// What the relationship gives me.
    #[uniffi(default)]
    pub gives: String,
    /// What goes wrong in it.
    #[uniffi(default)]
    pub goes_wrong: String,
    #[uniffi(default)]
    pub my_expectations: String,
    #[uniffi(default)]
    pub their_expectations: String,
    #[uniffi(default)]
    pub notes: String,
    /// Every stage change of a role dispute with this person, oldest first;
    /// the last is the current stage (see `StoredPerson::dispute_stage`).
    #[uniffi(default)]
    pub dispute_history: Vec<StageChange>,
}

impl From<inventory::Person> for Person {
    fn from(p: inventory::Person) -> Self {
        Person {
            nickname: p.nickname,
            relationship: p.relationship,
            ring: p.ring.into(),
            gives: p.gives,
            goes_wrong: p.goes_wrong,
            my_expectations: p.my_expectations,
            their_expectations: p.their_expectations,
            notes: p.notes,
            dispute_history: p
                .dispute_history
                .into_iter()
                .map(|c| StageChange {
                    stage: c.stage.into(),
                    at: system_time(c.at),
                    note: c.note,
                })
                .collect(),
        }
    }
}

impl TryFrom<Person> for inventory::Person {
    type Error = StoreError;

    fn try_from(p: Person) -> Result<Self, StoreError> {
        Ok(inventory::Person {
            nickname: p.nickname,
            relationship: p.relationship,
            ring: p.ring.into(),
            gives: p.gives,
            goes_wrong: p.goes_wrong,
            my_expectations: p.my_expectations,
            their_expectations: p.their_expectations,
            notes: p.notes,
            dispute_history: p
                .dispute_history
                .into_iter()
                .map(|c| {
                    Ok(inventory::StageChange {
                        stage: c.stage.into(),
                        at: time("dispute_history.at", c.at)?,
                        note: c.note,
                    })
                })
                .collect::<Result<_, StoreError>>()?,
        })
    }
}

// ---------------------------------------------------------------------------
// The profile.

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

// ---------------------------------------------------------------------------
// Check-ins and safety.

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

/// A place to turn to in a crisis, as configured on this device.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CrisisResource {
    pub name: String,
    /// A phone number, text short code or address.
    pub contact: String,
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
        CrisisResource {
            name: r.name,
            contact: r.contact,
        }
    }
}

impl From<CrisisResource> for safety::CrisisResource {
    fn from(r: CrisisResource) -> Self {
        safety::CrisisResource {
            name: r.name,
            contact: r.contact,
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

// ---------------------------------------------------------------------------
// Rehearsals and notes.

/// A hard conversation to come, practised: what I want to say, how they may
/// answer, confidence before and after (0 none to 10 full), and later the
/// interaction that logged the real outcome.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Rehearsal {
    pub person_id: String,
    pub scenario: String,
    #[uniffi(default)]
    pub what_i_want_to_say: String,
    #[uniffi(default)]
    pub how_they_may_answer: String,
    #[uniffi(default)]
    pub confidence_before: Option<u8>,
    #[uniffi(default)]
    pub confidence_after: Option<u8>,
    pub practiced_at: SystemTime,
    #[uniffi(default)]
    pub outcome_interaction_id: Option<String>,
}

impl From<rehearsal::Rehearsal> for Rehearsal {
    fn from(r: rehearsal::Rehearsal) -> Self {
        Rehearsal {
            person_id: r.person_id.to_string(),
            scenario: r.scenario,
            what_i_want_to_say: r.what_i_want_to_say,
            how_they_may_answer: r.how_they_may_answer,
            confidence_before: r.confidence_before,
            confidence_after: r.confidence_after,
            practiced_at: system_time(r.practiced_at),
            outcome_interaction_id: r.outcome_interaction_id.map(|id| id.to_string()),
        }
    }
}

impl TryFrom<Rehearsal> for rehearsal::Rehearsal {
    type Error = StoreError;

    fn try_from(r: Rehearsal) -> Result<Self, StoreError> {
        Ok(rehearsal::Rehearsal {
            person_id: item_id("person_id", r.person_id)?,
            scenario: r.scenario,
            what_i_want_to_say: r.what_i_want_to_say,
            how_they_may_answer: r.how_they_may_answer,
            confidence_before: r.confidence_before,
            confidence_after: r.confidence_after,
            practiced_at: time("practiced_at", r.practiced_at)?,
            outcome_interaction_id: opt_item_id(
                "outcome_interaction_id",
                r.outcome_interaction_id,
            )?,
        })
    }
}

/// What a therapist's note is about.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum NoteSubject {
    /// A journal entry, goal or other item of the client's.
    Item { id: String },
    /// The week starting on this date (a Monday), `YYYY-MM-DD`.
    Week { starting: String },
}

/// A therapist's feedback note: readable by the client, never writable by them.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Note {
    /// The account id of the client the note is for.
    pub client_id: String,
    pub subject: NoteSubject,
    pub text: String,
    pub written_at: SystemTime,
}

impl From<note::Note> for Note {
    fn from(n: note::Note) -> Self {
        Note {
            client_id: n.client_id,
            subject: match n.subject {
                note::NoteSubject::Item { id } => NoteSubject::Item { id: id.to_string() },
                note::NoteSubject::Week { starting } => NoteSubject::Week {
                    starting: iso_date(starting),
                },
            },
            text: n.text,
            written_at: system_time(n.written_at),
        }
    }
}

impl TryFrom<Note> for note::Note {
    type Error = StoreError;

    fn try_from(n: Note) -> Result<Self, StoreError> {
        Ok(note::Note {
            client_id: n.client_id,
            subject: match n.subject {
                NoteSubject::Item { id } => note::NoteSubject::Item {
                    id: item_id("subject.id", id)?,
                },
                NoteSubject::Week { starting } => note::NoteSubject::Week {
                    starting: date("subject.starting", &starting)?,
                },
            },
            text: n.text,
            written_at: time("written_at", n.written_at)?,
        })
    }
}

// ---------------------------------------------------------------------------
// Stored items: a record with its envelope, as the store returns it.

macro_rules! stored {
    ($(#[$meta:meta])* $name:ident { $field:ident: $ffi:ident } = $core:path) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
        pub struct $name {
            pub meta: ItemMeta,
            pub $field: $ffi,
        }

        impl From<Item<$core>> for $name {
            fn from(item: Item<$core>) -> Self {
                $name {
                    meta: ItemMeta::from(&item),
                    $field: item.record.into(),
                }
            }
        }
    };
}

stored!(
    StoredInteraction {
        interaction: Interaction
    } = journal::Interaction
);
stored!(StoredWin { win: Win } = journal::Win);
stored!(
    StoredReflection {
        reflection: Reflection
    } = journal::Reflection
);
stored!(StoredGoal { goal: Goal } = goal::Goal);
stored!(StoredProfile { profile: Profile } = profile::Profile);
stored!(
    StoredMoodCheckIn {
        check_in: MoodCheckIn
    } = checkin::MoodCheckIn
);
stored!(
    StoredRehearsal {
        rehearsal: Rehearsal
    } = rehearsal::Rehearsal
);
stored!(StoredNote { note: Note } = note::Note);

/// A person of the inventory, with the current stage of a role dispute
/// with them (the last of `person.dispute_history`), if any.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StoredPerson {
    pub meta: ItemMeta,
    pub person: Person,
    pub dispute_stage: Option<DisputeStage>,
}

impl From<Item<inventory::Person>> for StoredPerson {
    fn from(item: Item<inventory::Person>) -> Self {
        StoredPerson {
            meta: ItemMeta::from(&item),
            dispute_stage: item.record.dispute_stage().map(Into::into),
            person: item.record.into(),
        }
    }
}

/// A PHQ-9 check-in with its total (0 to 27) and severity band.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StoredPhq9CheckIn {
    pub meta: ItemMeta,
    pub check_in: Phq9CheckIn,
    pub total: u8,
    pub severity: Phq9Severity,
}

impl From<Item<checkin::Phq9CheckIn>> for StoredPhq9CheckIn {
    fn from(item: Item<checkin::Phq9CheckIn>) -> Self {
        StoredPhq9CheckIn {
            meta: ItemMeta::from(&item),
            total: item.record.total(),
            severity: item.record.severity().into(),
            check_in: item.record.into(),
        }
    }
}

/// A saved mood check-in, and crisis resources if it was marked a crisis.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MoodCheckInSaved {
    pub item: StoredMoodCheckIn,
    pub safety_alert: Option<SafetyAlert>,
}

impl From<checkin::CheckInSaved<checkin::MoodCheckIn>> for MoodCheckInSaved {
    fn from(saved: checkin::CheckInSaved<checkin::MoodCheckIn>) -> Self {
        MoodCheckInSaved {
            item: saved.item.into(),
            safety_alert: saved.safety_alert.map(Into::into),
        }
    }
}

/// A saved PHQ-9, and crisis resources if item 9 was above 0.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Phq9CheckInSaved {
    pub item: StoredPhq9CheckIn,
    pub safety_alert: Option<SafetyAlert>,
}

impl From<checkin::CheckInSaved<checkin::Phq9CheckIn>> for Phq9CheckInSaved {
    fn from(saved: checkin::CheckInSaved<checkin::Phq9CheckIn>) -> Self {
        Phq9CheckInSaved {
            item: saved.item.into(),
            safety_alert: saved.safety_alert.map(Into::into),
        }
    }
}

// ---------------------------------------------------------------------------
// Lists and search.

/// One row of a list screen or a search result.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Summary {
    pub id: String,
    pub kind: ItemKind,
    /// When it happened (journal entries, check-ins) or was set; none for
    /// people and the profile.
    pub at: Option<SystemTime>,
    pub person_id: Option<String>,
    pub goal_id: Option<String>,
    pub title: String,
    pub shared: bool,
}

impl From<store::Summary> for Summary {
    fn from(s: store::Summary) -> Self {
        Summary {
            id: s.id.to_string(),
            kind: s.kind.into(),
            at: s.at.map(system_time),
            person_id: s.person_id.map(|id| id.to_string()),
            goal_id: s.goal_id.map(|id| id.to_string()),
            title: s.title,
            shared: s.shared,
        }
    }
}

/// Filters for `RapportStore::list`, newest first. Empty `kinds` means every
/// kind; `limit` 0 means a page of 50 (at most 500).
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct ListQuery {
    #[uniffi(default)]
    pub kinds: Vec<ItemKind>,
    #[uniffi(default)]
    pub person_id: Option<String>,
    #[uniffi(default)]
    pub goal_id: Option<String>,
    /// Inclusive lower bound on the item's time.
    #[uniffi(default)]
    pub from: Option<SystemTime>,
    /// Exclusive upper bound on the item's time.
    #[uniffi(default)]
    pub to: Option<SystemTime>,
    #[uniffi(default = 0)]
    pub offset: u32,
    #[uniffi(default = 0)]
    pub limit: u32,
}

impl TryFrom<ListQuery> for store::ListQuery {
    type Error = StoreError;

    fn try_from(q: ListQuery) -> Result<Self, StoreError> {
        Ok(store::ListQuery {
            kinds: q.kinds.into_iter().map(Into::into).collect(),
            person_id: opt_item_id("person_id", q.person_id)?,
            goal_id: opt_item_id("goal_id", q.goal_id)?,
            from: opt_time("from", q.from)?,
            to: opt_time("to", q.to)?,
            offset: q.offset,
            limit: q.limit,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn times_cross_to_the_millisecond_both_ways() {
        let at = UNIX_EPOCH + Duration::from_nanos(1_700_000_000_123_456_789);
        let core = time("at", at).unwrap();
        assert_eq!(core.timestamp_millis(), 1_700_000_000_123);
        assert_eq!(
            system_time(core),
            UNIX_EPOCH + Duration::from_millis(1_700_000_000_123)
        );
        let before = UNIX_EPOCH - Duration::from_micros(1_500);
        assert_eq!(time("at", before).unwrap().timestamp_millis(), -2);
        assert_eq!(
            system_time(DateTime::from_timestamp_millis(-2).unwrap()),
            UNIX_EPOCH - Duration::from_millis(2)
        );
    }

    #[test]
    fn dates_must_be_iso_days() {
        assert_eq!(
            iso_date(date("d", "2025-02-28").unwrap()),
            "2025-02-28".to_owned()
        );
        for bad in [
            "2025-02-30",
            "2025-2-28",
            "28/02/2025",
            "",
            "2025-02-28T00:00",
        ] {
            assert!(
                matches!(date("d", bad), Err(StoreError::Invalid { ref field, .. }) if field == "d"),
                "{bad}"
            );
        }
    }

    #[test]
    fn an_empty_id_is_invalid() {
        let err = item_id("person_id", "  ".into()).unwrap_err();
        assert_eq!(err.to_string(), "person_id: must not be empty");
    }

    #[test]
    fn milestones_listed_twice_are_refused() {
        let at = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let m = Milestone {
            id: "m1".into(),
            title: "Ask".into(),
            position: 0,
            completed_at: None,
        };
        let g = Goal {
            title: "Talk".into(),
            description: String::new(),
            person_ids: vec![],
            status: GoalStatus::Active,
            set_at: at,
            milestones: vec![m.clone(), m],
            course_log: vec![],
        };
        let err = goal::Goal::try_from(g).unwrap_err();
        assert_eq!(err.to_string(), "milestones.id: m1 is listed twice");
    }
}
