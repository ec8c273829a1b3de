//! A client's "since we last met": the summary the core computes
//! (`Store::session_summary`), laid out to be read in two minutes.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Extension, Path, Query, State};
use chrono::NaiveDate;
use rapport_core::clinical::{
    DateRange, Emphasis, Gain, MoodSource, RehearsalOutcome, SessionSummary, Whose,
};
use rapport_core::goal::CourseEventKind;
use rapport_core::store::Summary;
use rapport_core::{DocKind, ItemId};
use serde::Deserialize;

use super::{Chrome, PageResult, html};
use crate::app::App;
use crate::charts::{self, Days};
use crate::error::ReviewError;
use crate::guard::BrowserSession;
use crate::record;
use crate::text;

#[derive(Template, Debug)]
#[template(path = "summary.html")]
pub struct SummaryPage {
    chrome: Chrome,
    client: ClientHeader,
    range_from: String,
    range_to: String,
    range_text: String,
    flags: Vec<FlagView>,
    mood_chart: Option<String>,
    low_points: Vec<LowView>,
    phq9_chart: Option<String>,
    phq9: Vec<Phq9View>,
    phq9_change: String,
    emphasis: EmphasisView,
    wins: Vec<WinView>,
    goals: Vec<GoalView>,
    rehearsals: Vec<RehearsalView>,
    inventory_changes: Vec<String>,
    disputes: Vec<DisputeView>,
    closeness: Option<String>,
    notes: Vec<super::notes::NoteView>,
    week_starting: String,
}

/// Name, focus and where the contract stands; shared by the client's pages.
#[derive(Debug, Clone)]
pub struct ClientHeader {
    pub account_id: String,
    pub name: String,
    /// Problem area, phase and session of the contract, in words.
    pub contract: text::Contract,
    /// What the client shared and when (the transparency line).
    pub transparency: String,
}

#[derive(Debug)]
struct FlagView {
    id: String,
    when: String,
    what: String,
    reviewed: Option<String>,
}

#[derive(Debug)]
struct LowView {
    n: usize,
    when: String,
    rating: i32,
    source: String,
    behind: Vec<BehindView>,
}

#[derive(Debug)]
struct BehindView {
    id: String,
    when: String,
    person: String,
    what_i_wanted: String,
    mood: String,
    relationship: String,
}

#[derive(Debug)]
struct Phq9View {
    when: String,
    total: i32,
    severity: String,
    item9: i32,
}

#[derive(Debug)]
enum EmphasisView {
    Initial {
        problem_area: String,
        formulation_accepted: String,
        inventory: Vec<(String, String, String, String)>,
    },
    Middle {
        problem_area: String,
        focus_people: Vec<(String, String, u32)>,
        skills: Vec<(String, u32)>,
        active_goals: u32,
        sessions_left: i32,
    },
    Termination {
        gains: Vec<String>,
        sessions_left: i32,
    },
}

#[derive(Debug)]
struct WinView {
    when: String,
    title: String,
    goal: String,
}

#[derive(Debug)]
struct GoalView {
    id: String,
    title: String,
    status: String,
    reached: u32,
    total: u32,
    reached_in_range: Vec<String>,
    course: Vec<(String, String, String)>,
    linked: String,
}

#[derive(Debug)]
struct RehearsalView {
    scenario: String,
    person: String,
    practiced: String,
    say: String,
    expected: String,
    confidence: String,
    outcome: String,
    outcome_detail: Vec<(String, String)>,
}

#[derive(Debug)]
struct DisputeView {
    person: String,
    history: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RangeQuery {
    from: Option<String>,
    to: Option<String>,
}

pub async fn page(
    State(app): State<Arc<App>>,
    Extension(session): Extension<BrowserSession>,
    Path(account): Path<String>,
    Query(q): Query<RangeQuery>,
) -> PageResult {
    let range = parse_range(&q)?;
    html(&summary(&app, &session, &account, range)?)
}

fn parse_range(q: &RangeQuery) -> Result<Option<DateRange>, ReviewError> {
    let day = |s: &Option<String>| -> Result<Option<NaiveDate>, ReviewError> {
        match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| ReviewError::BadRequest(format!("{s:?} is not a date (YYYY-MM-DD)"))),
        }
    };
    match (day(&q.from)?, day(&q.to)?) {
        (Some(from), Some(to)) => Ok(Some(DateRange::since(from, to)?)),
        (None, None) => Ok(None),
        _ => Err(ReviewError::BadRequest(
            "give both days of the range, or neither".into(),
        )),
    }
}

/// The header of a client's pages, with the transparency line.
pub fn header(app: &App, account: &str, rows: &[Summary]) -> Result<ClientHeader, ReviewError> {
    let link = app.link_of(account)?;
    let profile = record::profile(&app.store, rows)?;
    let mut counts = Vec::new();
    for kind in DocKind::ALL {
        let n = rows.iter().filter(|r| r.kind == kind).count();
        if n > 0 {
            counts.push(text::kind_plural(kind, n));
        }
    }
    let dated: Vec<_> = rows.iter().filter_map(|r| r.at).collect();
    let span = match (dated.iter().min(), dated.iter().max()) {
        (Some(first), Some(last)) => format!(
            ", dated {} to {}",
            text::date(first.date_naive()),
            text::date(last.date_naive())
        ),
        _ => String::new(),
    };
    let synced = app
        .sync
        .status()
        .last_synced_at
        .map_or_else(|| "not yet".to_owned(), text::date_time);
    let transparency = if rows.is_empty() {
        format!("{} has shared nothing with you yet.", link.client_name)
    } else {
        format!(
            "{} chose to share {} items with you: {}{span}. This computer last synced {synced}; \
             their app's access log lists each time your devices downloaded a shared item. \
             These pages read only this computer's copy, and nothing they did not share is here.",
            link.client_name,
            rows.len(),
            counts.join(", "),
        )
    };
    Ok(ClientHeader {
        account_id: account.to_owned(),
        name: link.client_name,
        contract: text::Contract::of(profile.as_ref()),
        transparency,
    })
}

/// The summary page (also what the benchmark times).
pub fn summary(
    app: &App,
    session: &BrowserSession,
    account: &str,
    range: Option<DateRange>,
) -> Result<SummaryPage, ReviewError> {
    let rows = record::client_rows(&app.store, account)?;
    let client = header(app, account, &rows)?;
    let whose = Whose::Client {
        account_id: account.into(),
    };
    let s = app.store.session_summary(&whose, range, app.today())?;
    let days = Days::new(
        s.range.start(),
        s.range.end(),
        s.mood
            .iter()
            .map(|m| m.at)
            .chain(s.phq9.iter().map(|p| p.at))
            .max(),
    );
    let mood_chart = if s.mood.is_empty() {
        None
    } else {
        Some(charts::mood(&s.mood, &s.low_points, days)?)
    };
    let phq9_chart = if s.phq9.is_empty() {
        None
    } else {
        Some(charts::phq9(&s.phq9, days)?)
    };
    let flags = s
        .safety_flags
        .iter()
        .map(|f| {
            let what = match f.reason {
                rapport_core::safety::AlertReason::Phq9Item9 => {
                    let item9 = s
                        .phq9
                        .iter()
                        .find(|p| p.id == f.check_in_id)
                        .map_or(0, |p| p.item9);
                    format!("PHQ-9 item 9 (thoughts of self-harm) at {item9} of 3")
                }
                rapport_core::safety::AlertReason::MoodCrisis => {
                    "A mood check-in marked as a crisis".to_owned()
                }
            };
            Ok(FlagView {
                id: f.check_in_id.to_string(),
                when: text::date_time(f.at),
                what,
                reviewed: app.reviewed_at(f.check_in_id.as_str())?,
            })
        })
        .collect::<Result<Vec<_>, ReviewError>>()?;
    let people = record::people(&app.store, &rows)?;
    let closeness = (!people.is_empty()).then(|| charts::closeness_circle(&people));
    let disputes = people
        .iter()
        .filter(|p| !p.record.dispute_history.is_empty())
        .map(|p| DisputeView {
            person: p.record.nickname.clone(),
            history: p
                .record
                .dispute_history
                .iter()
                .map(|c| {
                    format!(
                        "{}: {}{}",
                        text::short_date(c.at),
                        text::stage(c.stage),
                        if c.note.is_empty() {
                            String::new()
                        } else {
                            format!(" — {}", c.note)
                        }
                    )
                })
                .collect(),
        })
        .collect();
    let notes = super::notes::views(app, account)?;
    let week_starting = text::monday_of(s.range.start()).to_string();
    Ok(SummaryPage {
        chrome: Chrome::new(
            app,
            session,
            format!("{}: since we last met", client.name),
            &format!("/clients/{account}"),
        ),
        range_from: s.range.start().to_string(),
        range_to: (s.range.end() - chrono::Duration::days(1)).to_string(),
        range_text: format!(
            "{} to {}",
            text::date(s.range.start()),
            text::date(s.range.end() - chrono::Duration::days(1))
        ),
        flags,
        mood_chart,
        low_points: low_points(&s),
        phq9_chart,
        phq9: s
            .phq9
            .iter()
            .map(|p| Phq9View {
                when: text::short_date(p.at),
                total: p.total,
                severity: text::severity(p.severity).to_owned(),
                item9: p.item9,
            })
            .collect(),
        phq9_change: match s.phq9_change {
            None => String::new(),
            Some(0) => "No change from the first to the last.".to_owned(),
            Some(d) if d < 0 => format!("Down {} points from the first to the last (better).", -d),
            Some(d) => format!("Up {d} points from the first to the last (worse)."),
        },
        emphasis: emphasis(&s),
        wins: s
            .wins
            .iter()
            .map(|w| WinView {
                when: text::short_date(w.at),
                title: w.title.clone(),
                goal: match (&w.goal, &w.milestone) {
                    (Some(g), Some(m)) => format!("{g} · {m}"),
                    (Some(g), None) => g.clone(),
                    _ => String::new(),
                },
            })
            .collect(),
        goals: goals(&s),
        rehearsals: rehearsals(&s),
        inventory_changes: s
            .inventory_changes
            .iter()
            .map(|c| {
                format!(
                    "{} · {}: {} → {}{}",
                    text::short_date(c.at),
                    c.person,
                    c.from.map_or("no dispute recorded", text::stage),
                    text::stage(c.to),
                    if c.note.is_empty() {
                        String::new()
                    } else {
                        format!(" (“{}”)", c.note)
                    }
                )
            })
            .collect(),
        disputes,
        closeness,
        notes,
        week_starting,
        client,
    })
}

fn low_points(s: &SessionSummary) -> Vec<LowView> {
    s.low_points
        .iter()
        .enumerate()
        .map(|(n, l)| LowView {
            n: n + 1,
            when: text::date_time(l.point.at),
            rating: l.point.rating,
            source: match &l.point.source {
                MoodSource::CheckIn { event, crisis, .. } => format!(
                    "Mood check-in{}: “{event}”",
                    if *crisis { ", marked as a crisis" } else { "" }
                ),
                MoodSource::Interaction { person, .. } => format!(
                    "The mood after an interaction with {}",
                    person.as_deref().unwrap_or("someone not shared")
                ),
            },
            behind: l
                .behind
                .iter()
                .map(|i| BehindView {
                    id: i.id.to_string(),
                    when: text::date_time(i.at),
                    person: i
                        .person
                        .clone()
                        .unwrap_or_else(|| "someone not shared".into()),
                    what_i_wanted: i.what_i_wanted.clone(),
                    mood: text::before_after(i.mood_before, i.mood_after),
                    relationship: text::relationship(i.relationship).to_owned(),
                })
                .collect(),
        })
        .collect()
}

fn emphasis(s: &SessionSummary) -> EmphasisView {
    match &s.emphasis {
        Emphasis::Initial(e) => EmphasisView::Initial {
            problem_area: text::problem_area(e.problem_area).to_owned(),
            formulation_accepted: e.formulation_accepted_on.map_or_else(
                || "not yet accepted".to_owned(),
                |d| format!("accepted on {}", text::date(d)),
            ),
            inventory: e
                .inventory
                .iter()
                .map(|p| {
                    (
                        p.nickname.clone(),
                        p.relationship.clone(),
                        text::ring(p.ring).to_owned(),
                        p.dispute_stage.map_or("", text::stage).to_owned(),
                    )
                })
                .collect(),
        },
        Emphasis::Middle(e) => EmphasisView::Middle {
            problem_area: text::problem_area(e.problem_area).to_owned(),
            focus_people: e
                .focus_people
                .iter()
                .map(|p| {
                    (
                        p.nickname.clone(),
                        p.dispute_stage.map_or_else(String::new, |st| {
                            format!("role dispute: {}", text::stage(st))
                        }),
                        p.interactions_in_range,
                    )
                })
                .collect(),
            skills: e
                .skills_used
                .iter()
                .map(|k| (k.skill.clone(), k.times))
                .collect(),
            active_goals: e.active_goals,
            sessions_left: e.sessions_left,
        },
        Emphasis::Termination(r) => EmphasisView::Termination {
            gains: r.gains.iter().map(gain).collect(),
            sessions_left: r.sessions_left,
        },
    }
}

/// A gain of the course in words.
pub fn gain(g: &Gain) -> String {
    match g {
        Gain::Phq9 {
            first_at,
            first_total,
            first_severity,
            latest_at,
            latest_total,
            latest_severity,
        } => format!(
            "PHQ-9 from {first_total} ({}) on {} to {latest_total} ({}) on {}",
            text::severity(*first_severity),
            text::short_date(*first_at),
            text::severity(*latest_severity),
            text::short_date(*latest_at)
        ),
        Gain::DisputeMoved {
            person, from, to, ..
        } => format!(
            "The role dispute with {person} moved from {} to {}",
            text::stage(*from),
            text::stage(*to)
        ),
        Gain::GoalAchieved { title, .. } => format!("Goal achieved: {title}"),
        Gain::MilestonesReached {
            title,
            reached,
            total,
            ..
        } => {
            format!("{reached} of {total} milestones reached: {title}")
        }
        Gain::SkillPractised { skill, times } => format!("Practised “{skill}” {times} times"),
    }
}

fn goals(s: &SessionSummary) -> Vec<GoalView> {
    s.goals
        .iter()
        .map(|g| GoalView {
            id: g.id.to_string(),
            title: g.title.clone(),
            status: text::goal_status(g.status).to_owned(),
            reached: g.milestones_reached,
            total: g.milestones_total,
            reached_in_range: g
                .reached_in_range
                .iter()
                .map(|m| format!("{} · {}", text::short_date(m.at), m.title))
                .collect(),
            course: s
                .course_events
                .iter()
                .filter(|e| e.goal_id == g.id)
                .map(|e| {
                    (
                        text::short_date(e.at),
                        match e.kind {
                            CourseEventKind::Barrier => "Barrier".to_owned(),
                            CourseEventKind::CourseCorrection => "Course correction".to_owned(),
                        },
                        e.text.clone(),
                    )
                })
                .collect(),
            linked: format!(
                "{} and {} linked in this period",
                text::kind_plural(DocKind::Interaction, g.interactions_in_range as usize),
                text::kind_plural(DocKind::Win, g.wins_in_range as usize)
            ),
        })
        .collect()
}

fn rehearsals(s: &SessionSummary) -> Vec<RehearsalView> {
    s.rehearsals
        .iter()
        .map(|r| {
            let (outcome, outcome_detail) = match &r.outcome {
                RehearsalOutcome::Pending => ("Not had yet".to_owned(), Vec::new()),
                RehearsalOutcome::Unavailable { .. } => (
                    "Logged, but the real conversation was not shared".to_owned(),
                    Vec::new(),
                ),
                RehearsalOutcome::Logged(o) => (
                    format!("Happened {}", text::date_time(o.at)),
                    vec![
                        ("What they said".to_owned(), o.what_they_said.clone()),
                        (
                            "Got what they wanted".to_owned(),
                            text::got(o.got_what_i_wanted).to_owned(),
                        ),
                        (
                            "The relationship".to_owned(),
                            text::relationship(o.relationship).to_owned(),
                        ),
                        (
                            "Mood before → after".to_owned(),
                            text::before_after(o.mood_before, o.mood_after),
                        ),
                    ],
                ),
            };
            RehearsalView {
                scenario: r.scenario.clone(),
                person: r
                    .person
                    .clone()
                    .unwrap_or_else(|| "someone not shared".into()),
                practiced: text::date_time(r.practiced_at),
                say: r.what_i_want_to_say.clone(),
                expected: r.expected_answer.clone(),
                confidence: text::before_after(r.confidence_before, r.confidence_after),
                outcome,
                outcome_detail,
            }
        })
        .collect()
}

/// Parses an id from a path, refusing the empty one.
pub fn item_id(id: &str) -> Result<ItemId, ReviewError> {
    if id.is_empty() {
        return Err(ReviewError::NotFound("no such item".into()));
    }
    Ok(ItemId::new(id))
}
