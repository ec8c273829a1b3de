//! Every entry the client shared, in date order, with its full content as
//! shared; filterable by person, goal and kind. Notes sit under the entry
//! they are about.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Extension, Path, Query, State};
use chrono::NaiveDate;
use rapport_core::checkin::{MoodCheckIn, Phq9CheckIn};
use rapport_core::clinical::{DateRange, TimelineEntry, TimelineEvent, TimelineFilter, Whose};
use rapport_core::goal::Goal;
use rapport_core::journal::{Interaction, Reflection, Win};
use rapport_core::rehearsal::Rehearsal;
use rapport_core::{DocKind, ItemId};
use serde::Deserialize;

use super::notes::NoteView;
use super::{Chrome, PageResult, html};
use crate::app::App;
use crate::error::ReviewError;
use crate::guard::BrowserSession;
use crate::record;
use crate::text;

#[derive(Template)]
#[template(path = "timeline.html")]
struct TimelinePage {
    chrome: Chrome,
    client: super::summary::ClientHeader,
    people: Vec<Choice>,
    goals: Vec<Choice>,
    kinds: Vec<Choice>,
    entries: Vec<EntryView>,
    filtered: bool,
}

#[derive(Debug)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Debug)]
struct EntryView {
    anchor: String,
    item_id: String,
    when: String,
    kind: String,
    title: String,
    fields: Vec<(String, String)>,
    notes: Vec<NoteView>,
    can_note: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct Filters {
    #[serde(default)]
    person: String,
    #[serde(default)]
    goal: String,
    #[serde(default)]
    kind: String,
}

/// Kinds offered in the filter.
const KINDS: [DocKind; 8] = [
    DocKind::Interaction,
    DocKind::Win,
    DocKind::Reflection,
    DocKind::MoodCheckIn,
    DocKind::Phq9CheckIn,
    DocKind::Rehearsal,
    DocKind::Goal,
    DocKind::Person,
];

pub async fn page(
    State(app): State<Arc<App>>,
    Extension(session): Extension<BrowserSession>,
    Path(account): Path<String>,
    Query(f): Query<Filters>,
) -> PageResult {
    let rows = record::client_rows(&app.store, &account)?;
    let client = super::summary::header(&app, &account, &rows)?;
    let kind = KINDS.iter().copied().find(|k| k.as_str() == f.kind);
    let filter = TimelineFilter {
        person_id: (!f.person.is_empty()).then(|| ItemId::new(f.person.clone())),
        goal_id: (!f.goal.is_empty()).then(|| ItemId::new(f.goal.clone())),
        kinds: kind.into_iter().collect(),
    };
    let whose = Whose::Client {
        account_id: account.clone().into(),
    };
    let start = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let range = DateRange::since(start, app.today())?;
    let entries = app.store.timeline(&whose, range, &filter)?;
    let notes = super::notes::views(&app, &account)?;
    let people = record::people(&app.store, &rows)?
        .into_iter()
        .map(|p| Choice {
            selected: p.id.as_str() == f.person,
            value: p.id.to_string(),
            label: p.record.nickname,
        })
        .collect();
    let goals = rows
        .iter()
        .filter(|r| r.kind == DocKind::Goal)
        .map(|r| Choice {
            selected: r.id.as_str() == f.goal,
            value: r.id.to_string(),
            label: r.title.clone(),
        })
        .collect();
    let kinds = KINDS
        .iter()
        .map(|k| Choice {
            value: k.as_str().to_owned(),
            label: text::kind(*k).to_owned(),
            selected: Some(*k) == kind,
        })
        .collect();
    let mut views = Vec::new();
    for (n, e) in entries.iter().enumerate() {
        views.push(entry(&app, n, e, &notes)?);
    }
    html(&TimelinePage {
        chrome: Chrome::new(
            &app,
            &session,
            format!("{}: timeline", client.name),
            &format!("/clients/{account}/timeline"),
        ),
        client,
        people,
        goals,
        kinds,
        entries: views,
        filtered: filter != TimelineFilter::default(),
    })
}

fn entry(
    app: &App,
    n: usize,
    e: &TimelineEntry,
    notes: &[NoteView],
) -> Result<EntryView, ReviewError> {
    let (kind, fields) = match &e.event {
        TimelineEvent::Item => (
            text::kind(e.kind).to_owned(),
            fields(app, e.kind, &e.item_id)?,
        ),
        TimelineEvent::MilestoneReached { .. } => ("milestone reached".to_owned(), Vec::new()),
        TimelineEvent::Barrier => ("barrier".to_owned(), Vec::new()),
        TimelineEvent::CourseCorrection => ("course correction".to_owned(), Vec::new()),
        TimelineEvent::DisputeStage { stage } => (
            "role-dispute stage".to_owned(),
            vec![("Stage".to_owned(), text::stage(*stage).to_owned())],
        ),
    };
    let is_item = matches!(e.event, TimelineEvent::Item);
    Ok(EntryView {
        anchor: if is_item {
            format!("e-{}", e.item_id)
        } else {
            format!("e-{}-{n}", e.item_id)
        },
        item_id: e.item_id.to_string(),
        when: text::date_time(e.at),
        kind,
        title: e.title.clone(),
        fields,
        notes: if is_item {
            notes
                .iter()
                .filter(|v| v.subject_key == e.item_id.as_str())
                .cloned()
                .collect()
        } else {
            Vec::new()
        },
        can_note: is_item,
    })
}

/// The entry's content as the client shared it.
fn fields(app: &App, kind: DocKind, id: &ItemId) -> Result<Vec<(String, String)>, ReviewError> {
    let s = &app.store;
    let person = |id: &ItemId| -> String {
        s.get::<rapport_core::inventory::Person>(id)
            .map(|p| p.record.nickname)
            .unwrap_or_else(|_| "someone not shared".to_owned())
    };
    let mut out: Vec<(String, String)> = Vec::new();
    let mut put = |label: &str, value: String| {
        if !value.trim().is_empty() {
            out.push((label.to_owned(), value));
        }
    };
    match kind {
        DocKind::Interaction => {
            let i = s.get::<Interaction>(id)?.record;
            put(
                "With",
                format!(
                    "{}, {}, {}",
                    person(&i.person_id),
                    text::channel(i.channel),
                    text::initiator(i.initiated_by)
                ),
            );
            put("What I wanted", i.what_i_wanted);
            put("What I think they wanted", i.what_they_wanted);
            put("What I said", i.what_i_said);
            put("What they said", i.what_they_said);
            put(
                "Feelings",
                i.feelings
                    .iter()
                    .map(|f| format!("{} {}/10", f.label, f.intensity))
                    .collect::<Vec<_>>()
                    .join(", "),
            );
            put(
                "Mood before → after (0 worst – 10 best)",
                text::before_after(i.mood_before, i.mood_after),
            );
            put(
                "Got what I wanted",
                text::got(i.got_what_i_wanted).to_owned(),
            );
            put(
                "The relationship",
                text::relationship(i.relationship).to_owned(),
            );
            put("Options I could try", i.options.join("; "));
            put("The one I choose", i.chosen_option.unwrap_or_default());
            put("Skills used", i.skills_used.join(", "));
        }
        DocKind::Win => {
            let w = s.get::<Win>(id)?.record;
            put("Details", w.details);
        }
        DocKind::Reflection => {
            let r = s.get::<Reflection>(id)?.record;
            put("Reflection", r.text);
        }
        DocKind::MoodCheckIn => {
            let m = s.get::<MoodCheckIn>(id)?.record;
            put("Mood (0 worst – 10 best)", format!("{}/10", m.rating));
            put("What happened", m.event);
            if m.crisis {
                put(
                    "Crisis",
                    "marked as a crisis; crisis resources were shown on the phone".to_owned(),
                );
            }
        }
        DocKind::Phq9CheckIn => {
            let p = s.get::<Phq9CheckIn>(id)?.record;
            put(
                "Total (0 none – 27 most severe)",
                format!("{} ({})", p.total(), text::severity(p.severity())),
            );
            put(
                "Answers, items 1 to 9 (0 to 3 each)",
                p.items
                    .iter()
                    .map(i32::to_string)
                    .collect::<Vec<_>>()
                    .join(" · "),
            );
            if p.item9_flag() {
                put(
                    "Item 9 (thoughts of self-harm)",
                    format!("{} of 3", p.items.get(8).copied().unwrap_or(0)),
                );
            }
        }
        DocKind::Rehearsal => {
            let r = s.get::<Rehearsal>(id)?.record;
            put("With", person(&r.person_id));
            put("What I want to say", r.what_i_want_to_say);
            put("How they may answer", r.how_they_may_answer);
            put(
                "Confidence before → after practice",
                text::before_after(r.confidence_before, r.confidence_after),
            );
        }
        DocKind::Goal => {
            let g = s.get::<Goal>(id)?.record;
            put("Status", text::goal_status(g.status).to_owned());
            let milestones = g
                .ordered_milestones()
                .iter()
                .map(|(_, m)| {
                    format!(
                        "{}{}",
                        m.title,
                        if m.completed_at.is_some() { " ✓" } else { "" }
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            put("Description", g.description);
            put("Milestones", milestones);
        }
        DocKind::Profile | DocKind::Person | DocKind::Note | DocKind::KindShare => {}
    }
    Ok(out)
}
