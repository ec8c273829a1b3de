//! Words and dates as the pages show them, in IPT's words (IPT.md).

use chrono::{DateTime, NaiveDate, Utc};
use rapport_core::DocKind;
use rapport_core::checkin::Phq9Severity;
use rapport_core::goal::GoalStatus;
use rapport_core::inventory::{DisputeStage, Ring};
use rapport_core::journal::{Channel, GotWhatIWanted, Initiator, RelationshipChange};
use rapport_core::profile::{Phase, ProblemArea, Profile};

pub fn date(d: NaiveDate) -> String {
    d.format("%a %-d %b %Y").to_string()
}

pub fn short_date(at: DateTime<Utc>) -> String {
    at.format("%a %-d %b").to_string()
}

pub fn date_time(at: DateTime<Utc>) -> String {
    at.format("%a %-d %b %Y, %H:%M UTC").to_string()
}

pub fn problem_area(area: Option<ProblemArea>) -> &'static str {
    match area {
        None => "not chosen yet",
        Some(ProblemArea::Grief) => "grief",
        Some(ProblemArea::RoleDispute) => "role dispute",
        Some(ProblemArea::RoleTransition) => "role transition",
        Some(ProblemArea::InterpersonalDeficits) => "interpersonal deficits",
    }
}

pub fn phase(phase: Phase) -> &'static str {
    match phase {
        Phase::Initial => "initial phase",
        Phase::Middle => "middle phase",
        Phase::Termination => "termination phase",
    }
}

pub fn severity(s: Phq9Severity) -> &'static str {
    match s {
        Phq9Severity::Minimal => "minimal",
        Phq9Severity::Mild => "mild",
        Phq9Severity::Moderate => "moderate",
        Phq9Severity::ModeratelySevere => "moderately severe",
        Phq9Severity::Severe => "severe",
    }
}

pub fn stage(s: DisputeStage) -> &'static str {
    match s {
        DisputeStage::Renegotiation => "renegotiation",
        DisputeStage::Impasse => "impasse",
        DisputeStage::Dissolution => "dissolution",
    }
}

pub fn ring(r: Ring) -> &'static str {
    match r {
        Ring::Inner => "inner ring",
        Ring::Middle => "middle ring",
        Ring::Outer => "outer ring",
    }
}

pub fn goal_status(s: GoalStatus) -> &'static str {
    match s {
        GoalStatus::Active => "active",
        GoalStatus::Achieved => "achieved",
        GoalStatus::Paused => "paused",
        GoalStatus::Dropped => "dropped",
    }
}

pub fn channel(c: Channel) -> &'static str {
    match c {
        Channel::InPerson => "in person",
        Channel::Phone => "by phone",
        Channel::Text => "by text",
        Channel::Online => "online",
    }
}

pub fn initiator(i: Initiator) -> &'static str {
    match i {
        Initiator::Me => "the client started it",
        Initiator::Them => "they started it",
    }
}

pub fn got(g: Option<GotWhatIWanted>) -> &'static str {
    match g {
        None => "not said",
        Some(GotWhatIWanted::Yes) => "yes",
        Some(GotWhatIWanted::Partly) => "partly",
        Some(GotWhatIWanted::No) => "no",
    }
}

pub fn relationship(r: Option<RelationshipChange>) -> &'static str {
    match r {
        None => "not said",
        Some(RelationshipChange::Better) => "better",
        Some(RelationshipChange::Same) => "the same",
        Some(RelationshipChange::Worse) => "worse",
    }
}

/// "4 → 7" for a mood before and after, "–" for what is missing.
pub fn before_after(before: Option<i32>, after: Option<i32>) -> String {
    let show = |v: Option<i32>| v.map_or_else(|| "–".to_owned(), |v| v.to_string());
    format!("{} → {}", show(before), show(after))
}

pub fn kind(k: DocKind) -> &'static str {
    match k {
        DocKind::Profile => "profile",
        DocKind::Interaction => "interaction",
        DocKind::Win => "win",
        DocKind::Reflection => "reflection",
        DocKind::Goal => "goal",
        DocKind::Person => "person",
        DocKind::MoodCheckIn => "mood check-in",
        DocKind::Phq9CheckIn => "PHQ-9",
        DocKind::Rehearsal => "rehearsal",
        DocKind::Note => "note",
        DocKind::KindShare => "kind share",
    }
}

pub fn kind_plural(k: DocKind, n: usize) -> String {
    let word = match (k, n) {
        (DocKind::Profile, 1) => "profile",
        (DocKind::Profile, _) => "profiles",
        (DocKind::Interaction, 1) => "interaction",
        (DocKind::Interaction, _) => "interactions",
        (DocKind::Win, 1) => "win",
        (DocKind::Win, _) => "wins",
        (DocKind::Reflection, 1) => "reflection",
        (DocKind::Reflection, _) => "reflections",
        (DocKind::Goal, 1) => "goal",
        (DocKind::Goal, _) => "goals",
        (DocKind::Person, 1) => "person",
        (DocKind::Person, _) => "people",
        (DocKind::MoodCheckIn, 1) => "mood check-in",
        (DocKind::MoodCheckIn, _) => "mood check-ins",
        (DocKind::Phq9CheckIn, _) => "PHQ-9",
        (DocKind::Rehearsal, 1) => "rehearsal",
        (DocKind::Rehearsal, _) => "rehearsals",
        (DocKind::Note, 1) => "note",
        (DocKind::Note, _) => "notes",
        (DocKind::KindShare, 1) => "kind share",
        (DocKind::KindShare, _) => "kind shares",
    };
    format!("{n} {word}")
}

/// HTML/XML escaping for what is written into SVG by hand.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The Monday of the week holding `d`.
pub fn monday_of(d: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    d - chrono::Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

/// Where a client's therapy stands, in words: problem area, phase, and
/// the session of the contract (empty when the profile was not shared).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contract {
    pub problem_area: String,
    pub phase: String,
    pub session: String,
}

impl Contract {
    pub fn of(profile: Option<&Profile>) -> Contract {
        Contract {
            problem_area: profile
                .map_or("profile not shared", |p| problem_area(p.problem_area))
                .to_owned(),
            phase: profile.map_or("", |p| phase(p.phase)).to_owned(),
            session: profile.map_or_else(String::new, |p| {
                format!("session {} of {}", p.current_session, p.session_count)
            }),
        }
    }
}
