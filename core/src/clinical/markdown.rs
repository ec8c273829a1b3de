//! The record as one readable Markdown document: the profile and the plan
//! for after, the interpersonal inventory, goals, then every journal entry,
//! check-in and rehearsal in date order, and the therapist's notes.

use std::fmt::Write;

use chrono::{DateTime, Utc};

use super::ClinicalError;
use super::load::{self, Gathered};
use super::scope::Whose;
use crate::goal::{CourseEventKind, GoalStatus};
use crate::inventory::{DisputeStage, Ring};
use crate::journal::{Channel, GotWhatIWanted, RelationshipChange};
use crate::note::NoteSubject;
use crate::profile::{Phase, ProblemArea};
use crate::safety::NOT_MONITORED;
use crate::store::Store;

impl Store {
    /// `whose` record as a Markdown document. For this device's own record
    /// the therapist's notes received are included.
    pub fn export_markdown(&self, whose: &Whose) -> Result<String, ClinicalError> {
        let mut record = load::gather_all(self, whose)?;
        if *whose == Whose::Mine {
            let owners = self.owner_map()?;
            let foreign: Vec<_> = owners.keys().cloned().collect();
            let mut received = Gathered::default();
            load::items(self, &foreign, &mut received)?;
            record.notes.extend(received.notes);
            record
                .notes
                .sort_by(|a, b| (a.record.written_at, &a.id).cmp(&(b.record.written_at, &b.id)));
        }
        Ok(render(&record, Utc::now()))
    }
}

fn time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Free text as one Markdown block: continuation lines are indented so a
/// line of the client's text cannot start a heading or a new list item.
fn text(s: &str) -> String {
    s.trim().replace('\n', "\n  ")
}

fn area(a: ProblemArea) -> &'static str {
    match a {
        ProblemArea::Grief => "grief",
        ProblemArea::RoleDispute => "role dispute",
        ProblemArea::RoleTransition => "role transition",
        ProblemArea::InterpersonalDeficits => "interpersonal deficits or sensitivity",
    }
}

fn stage(s: DisputeStage) -> &'static str {
    match s {
        DisputeStage::Renegotiation => "renegotiation",
        DisputeStage::Impasse => "impasse",
        DisputeStage::Dissolution => "dissolution",
    }
}

fn status(s: GoalStatus) -> &'static str {
    match s {
        GoalStatus::Active => "active",
        GoalStatus::Achieved => "achieved",
        GoalStatus::Paused => "paused",
        GoalStatus::Dropped => "dropped",
    }
}

pub(crate) fn render(r: &Gathered, now: DateTime<Utc>) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write_all(&mut out, r, now);
    out
}

fn write_all(out: &mut String, r: &Gathered, now: DateTime<Utc>) -> std::fmt::Result {
    writeln!(out, "# My Rapport record\n")?;
    writeln!(
        out,
        "Exported {}. Mood ratings go from 0 (worst) to 10 (best). {NOT_MONITORED}\n",
        time(now)
    )?;

    writeln!(out, "## Profile\n")?;
    match &r.profile {
        None => writeln!(out, "No profile yet.\n")?,
        Some((p, plan)) => {
            let p = &p.record;
            let focus = p.problem_area.map_or("not chosen yet", area);
            writeln!(out, "- Focus: {focus}")?;
            if !p.formulation.trim().is_empty() {
                writeln!(out, "- Formulation: {}", text(&p.formulation))?;
            }
            if let Some(day) = p.formulation_accepted_on {
                writeln!(out, "- Formulation accepted on {day}")?;
            }
            let phase = match p.phase {
                Phase::Initial => "initial",
                Phase::Middle => "middle",
                Phase::Termination => "termination",
            };
            writeln!(
                out,
                "- Sessions: {} of {} held; phase: {phase}",
                p.current_session, p.session_count
            )?;
            if let Some(day) = p.last_session_on {
                writeln!(out, "- Last session on {day}")?;
            }
            if !plan.warning_signs.is_empty() {
                writeln!(out, "\n### Warning signs\n")?;
                for sign in &plan.warning_signs {
                    writeln!(out, "- {}", text(sign))?;
                }
            }
            if !plan.plan_for_after.trim().is_empty() {
                writeln!(
                    out,
                    "\n### Plan for after\n\n{}",
                    text(&plan.plan_for_after)
                )?;
            }
            writeln!(out)?;
        }
    }

    writeln!(out, "## Interpersonal inventory\n")?;
    let mut people: Vec<_> = r.people.values().collect();
    people.sort_by_key(|p| {
        let ring = match p.record.ring {
            Ring::Inner => 0,
            Ring::Middle => 1,
            Ring::Outer => 2,
        };
        (ring, p.record.nickname.clone(), p.id.clone())
    });
    for p in people {
        let person = &p.record;
        let ring = match person.ring {
            Ring::Inner => "inner",
            Ring::Middle => "middle",
            Ring::Outer => "outer",
        };
        writeln!(
            out,
            "### {} ({}), {ring} ring\n",
            text(&person.nickname),
            text(&person.relationship)
        )?;
        for (label, value) in [
            ("Gives me", &person.gives),
            ("Goes wrong", &person.goes_wrong),
            ("My expectations", &person.my_expectations),
            ("Their expectations", &person.their_expectations),
            ("Notes", &person.notes),
        ] {
            if !value.trim().is_empty() {
                writeln!(out, "- {label}: {}", text(value))?;
            }
        }
        for c in &person.dispute_history {
            writeln!(
                out,
                "- Role dispute: {} since {}{}",
                stage(c.stage),
                time(c.at),
                if c.note.trim().is_empty() {
                    String::new()
                } else {
                    format!(" ({})", text(&c.note))
                }
            )?;
        }
        writeln!(out)?;
    }

    writeln!(out, "## Goals\n")?;
    for g in &r.goals {
        let goal = &g.record;
        writeln!(
            out,
            "### {} ({}, set {})\n",
            text(&goal.title),
            status(goal.status),
            time(goal.set_at)
        )?;
        if !goal.description.trim().is_empty() {
            writeln!(out, "{}\n", text(&goal.description))?;
        }
        for (_, m) in goal.ordered_milestones() {
            match m.completed_at {
                Some(at) => writeln!(out, "- [x] {} (reached {})", text(&m.title), time(at))?,
                None => writeln!(out, "- [ ] {}", text(&m.title))?,
            }
        }
        for e in &goal.course_log {
            let kind = match e.kind {
                CourseEventKind::Barrier => "Barrier",
                CourseEventKind::CourseCorrection => "Course correction",
            };
            writeln!(out, "- {kind}, {}: {}", time(e.at), text(&e.text))?;
        }
        writeln!(out)?;
    }

    writeln!(out, "## Journal and check-ins\n")?;
    let mut entries: Vec<(DateTime<Utc>, String)> = Vec::new();
    let name = |id| r.person_name(id).unwrap_or_else(|| "someone".to_owned());
    for i in &r.interactions {
        let x = &i.record;
        let channel = match x.channel {
            Channel::InPerson => "in person",
            Channel::Phone => "phone",
            Channel::Text => "text",
            Channel::Online => "online",
        };
        let mut s = format!(
            "### {}: interaction with {} ({channel})\n\n",
            time(x.occurred_at),
            text(&name(&x.person_id))
        );
        for (label, value) in [
            ("What I wanted", &x.what_i_wanted),
            ("What they wanted", &x.what_they_wanted),
            ("What I said", &x.what_i_said),
            ("What they said", &x.what_they_said),
        ] {
            if !value.trim().is_empty() {
                s.push_str(&format!("- {label}: {}\n", text(value)));
            }
        }
        for f in &x.feelings {
            s.push_str(&format!(
                "- Feeling: {} {}/10\n",
                text(&f.label),
                f.intensity
            ));
        }
        if x.mood_before.is_some() || x.mood_after.is_some() {
            let m = |v: Option<i32>| v.map_or("?".to_owned(), |v| v.to_string());
            s.push_str(&format!(
                "- Mood: {} before, {} after\n",
                m(x.mood_before),
                m(x.mood_after)
            ));
        }
        if let Some(got) = x.got_what_i_wanted {
            let got = match got {
                GotWhatIWanted::Yes => "yes",
                GotWhatIWanted::Partly => "partly",
                GotWhatIWanted::No => "no",
            };
            s.push_str(&format!("- Got what I wanted: {got}\n"));
        }
        if let Some(rel) = x.relationship {
            let rel = match rel {
                RelationshipChange::Better => "better",
                RelationshipChange::Same => "the same",
                RelationshipChange::Worse => "worse",
            };
            s.push_str(&format!("- The relationship feels {rel}\n"));
        }
        for o in &x.options {
            s.push_str(&format!("- Option: {}\n", text(o)));
        }
        if let Some(c) = &x.chosen_option {
            s.push_str(&format!("- I choose: {}\n", text(c)));
        }
        if !x.skills_used.is_empty() {
            s.push_str(&format!("- Skills: {}\n", text(&x.skills_used.join(", "))));
        }
        entries.push((x.occurred_at, s));
    }
    for w in &r.wins {
        let mut s = format!(
            "### {}: win: {}\n\n",
            time(w.record.occurred_at),
            text(&w.record.title)
        );
        if !w.record.details.trim().is_empty() {
            s.push_str(&format!("{}\n", text(&w.record.details)));
        }
        entries.push((w.record.occurred_at, s));
    }
    for x in &r.reflections {
        let s = format!(
            "### {}: reflection\n\n{}\n",
            time(x.record.written_at),
            text(&x.record.text)
        );
        entries.push((x.record.written_at, s));
    }
    for m in &r.moods {
        let mut s = format!("### {}: mood {}/10\n\n", time(m.record.at), m.record.rating);
        if !m.record.event.trim().is_empty() {
            s.push_str(&format!("- Event: {}\n", text(&m.record.event)));
        }
        if m.record.crisis {
            s.push_str("- Marked as a crisis\n");
        }
        entries.push((m.record.at, s));
    }
    for c in &r.phq9 {
        let x = &c.record;
        let mut s = format!(
            "### {}: PHQ-9 {}/27 ({:?})\n\n- Answers: {}\n",
            time(x.at),
            x.total(),
            x.severity(),
            x.items
                .iter()
                .map(i32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        );
        if x.item9_flag() {
            s.push_str("- Item 9 above 0: flagged for the next session review\n");
        }
        entries.push((x.at, s));
    }
    for h in &r.rehearsals {
        let x = &h.record;
        let mut s = format!(
            "### {}: rehearsal with {}: {}\n\n",
            time(x.practiced_at),
            text(&name(&x.person_id)),
            text(&x.scenario)
        );
        if !x.what_i_want_to_say.trim().is_empty() {
            s.push_str(&format!(
                "- What I want to say: {}\n",
                text(&x.what_i_want_to_say)
            ));
        }
        if !x.how_they_may_answer.trim().is_empty() {
            s.push_str(&format!(
                "- How they may answer: {}\n",
                text(&x.how_they_may_answer)
            ));
        }
        if let (Some(b), Some(a)) = (x.confidence_before, x.confidence_after) {
            s.push_str(&format!(
                "- Confidence: {b}/10 before practice, {a}/10 after\n"
            ));
        }
        if let Some(id) = &x.outcome_interaction_id {
            match r.interactions.iter().find(|i| &i.id == id) {
                Some(i) => s.push_str(&format!(
                    "- Real outcome ({}): {}\n",
                    time(i.record.occurred_at),
                    text(&i.record.what_they_said)
                )),
                None => s.push_str("- Real outcome logged\n"),
            }
        }
        entries.push((x.practiced_at, s));
    }
    entries.sort_by_key(|e| e.0);
    for (_, s) in entries {
        writeln!(out, "{s}")?;
    }

    if !r.notes.is_empty() {
        writeln!(out, "## Notes from my therapist\n")?;
        for n in &r.notes {
            let about = match &n.record.subject {
                NoteSubject::Item { .. } => "on an entry".to_owned(),
                NoteSubject::Week { starting } => format!("on the week of {starting}"),
            };
            writeln!(
                out,
                "### {}, {about}\n\n{}\n",
                time(n.record.written_at),
                text(&n.record.text)
            )?;
        }
    }
    Ok(())
}
