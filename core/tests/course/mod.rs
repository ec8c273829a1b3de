//! A realistic 12-session IPT course for a role dispute, for the clinical
//! layer's tests and benchmark. Sessions are weekly on Mondays from
//! 2026-01-05 (session k on 2026-01-05 + 7(k-1)); the PHQ-9 is taken each
//! Sunday before, falling from moderate (14) to mild (5), with item 9 at 1
//! once (2026-02-15). Week 6 (from Monday 2026-02-09) holds the events the
//! session-7 summary is about; the other weeks hold routine entries.
#![allow(dead_code, clippy::unwrap_used)]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rapport_core::checkin::{MoodCheckIn, Phq9CheckIn};
use rapport_core::goal::{Goal, GoalStatus};
use rapport_core::inventory::{DisputeStage, Person, Ring};
use rapport_core::journal::{
    Channel, Feeling, GoalLink, GotWhatIWanted, Initiator, Interaction, RelationshipChange, Win,
};
use rapport_core::profile::{Phase, ProblemArea, Profile};
use rapport_core::rehearsal::Rehearsal;
use rapport_core::{ItemId, Store};

pub fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

pub fn at(m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, m, d, h, 0, 0).unwrap()
}

/// Monday of week `w` (1 to 12): the day of session `w`.
pub fn monday(w: u32) -> DateTime<Utc> {
    at(1, 5, 0) + Duration::days(7 * (i64::from(w) - 1))
}

/// The weekly PHQ-9 totals, week 1 to 12 (taken the Sunday before session w).
pub const PHQ9_TOTALS: [i32; 12] = [14, 13, 13, 12, 11, 10, 9, 8, 8, 7, 6, 5];

/// The week whose PHQ-9 has item 9 at 1 (taken 2026-02-15).
pub const FLAGGED_WEEK: u32 = 7;

/// Nine answers summing to `total`, item 9 as given.
pub fn phq9_items(total: i32, item9: i32) -> Vec<i32> {
    let mut items = vec![0i32; 9];
    items[8] = item9;
    let mut left = total - item9;
    for slot in items.iter_mut().take(8) {
        let v = left.min(2);
        *slot = v;
        left -= v;
    }
    items[0] += left;
    items
}

#[derive(Debug, Clone)]
pub struct Course {
    pub profile: ItemId,
    pub sam: ItemId,
    pub mum: ItemId,
    pub jo: ItemId,
    pub boss: ItemId,
    /// Talk with Sam about chores without shouting (achieved).
    pub g1: ItemId,
    pub g1_calm: String,
    pub g1_plan: String,
    /// See friends every week (active).
    pub g2: ItemId,
    pub g2_text: String,
    pub g2_club: String,
    /// Ask R. for flexible hours (dropped).
    pub g3: ItemId,
    /// Week 6: with Sam (the rehearsal's real outcome) and with R.
    pub i6a: ItemId,
    pub i6b: ItemId,
    pub mood_talked: ItemId,
    pub mood_badly: ItemId,
    pub mood_run: ItemId,
    pub win6: ItemId,
    pub r1: ItemId,
    pub r2: ItemId,
    /// PHQ-9 by week (index 0 is week 1).
    pub phq9: Vec<ItemId>,
    /// Routine interactions by week (None for week 6), with the person.
    pub routine: Vec<Option<(ItemId, ItemId)>>,
    /// Routine wins: (week, id).
    pub routine_wins: Vec<(u32, ItemId)>,
    pub routine_moods: Vec<Option<ItemId>>,
}

/// The routine interaction partner of week `w`.
fn routine_person(w: u32, c: &[&ItemId; 3]) -> ItemId {
    c[(w % 3) as usize].clone()
}

pub fn routine_win_title(w: u32) -> String {
    format!("Week {w}: kept a promise to myself")
}

/// Builds the course in `s` (an empty store). The profile stands before
/// session 7: middle phase, 6 sessions held, the last on 2026-02-09.
pub fn build(s: &Store) -> Course {
    let profile = s
        .save_profile(Profile {
            problem_area: Some(ProblemArea::RoleDispute),
            formulation: "The depression began as the fights with Sam about the house grew; \
                          we will work on that dispute."
                .into(),
            formulation_accepted_on: Some(day(1, 19)),
            session_count: 12,
            phase: Phase::Middle,
            current_session: 6,
            last_session_on: Some(day(2, 9)),
        })
        .unwrap()
        .meta
        .id;

    let mut sam = Person::new("Sam", "partner", Ring::Inner);
    sam.gives = "Warmth, a home".into();
    sam.goes_wrong = "Chores, feeling criticised".into();
    sam.my_expectations = "A fair split of the housework".into();
    sam.their_expectations = "Not to be nagged".into();
    let sam = s.create(sam).unwrap().meta.id;
    let mum = s
        .create(Person::new("Mum", "mother", Ring::Inner))
        .unwrap()
        .meta
        .id;
    let jo = s
        .create(Person::new("J.", "friend", Ring::Middle))
        .unwrap()
        .meta
        .id;
    let boss = s
        .create(Person::new("R.", "manager", Ring::Outer))
        .unwrap()
        .meta
        .id;
    s.set_dispute_stage(
        &sam,
        DisputeStage::Impasse,
        at(1, 6, 10),
        "We keep having the same fight",
    )
    .unwrap();
    s.set_dispute_stage(
        &sam,
        DisputeStage::Renegotiation,
        at(2, 10, 19),
        "We agreed to talk on Sundays",
    )
    .unwrap();

    let mut g1 = Goal::new("Talk with Sam about chores without shouting", at(1, 12, 12));
    g1.person_ids = vec![sam.clone()];
    let g1 = s.create(g1).unwrap().meta.id;
    let g1_calm = s.add_milestone(&g1, "Raise it when calm").unwrap();
    let g1_plan = s.add_milestone(&g1, "Agree a weekly plan").unwrap();
    s.complete_milestone(&g1, &g1_calm, at(1, 28, 20)).unwrap();
    s.complete_milestone(&g1, &g1_plan, at(2, 18, 20)).unwrap();
    s.set_goal_status(&g1, GoalStatus::Achieved).unwrap();

    let mut g2 = Goal::new("See friends every week", at(1, 19, 12));
    g2.person_ids = vec![jo.clone()];
    let g2 = s.create(g2).unwrap().meta.id;
    let g2_text = s.add_milestone(&g2, "Text J.").unwrap();
    let g2_club = s.add_milestone(&g2, "Join the running club").unwrap();
    s.complete_milestone(&g2, &g2_text, at(2, 14, 11)).unwrap();
    s.log_barrier(&g2, "Too tired after work", at(2, 11, 8))
        .unwrap();
    s.log_course_correction(&g2, "Meet on Saturday mornings instead", at(2, 12, 8))
        .unwrap();

    let mut g3 = Goal::new("Ask R. for flexible hours", at(1, 20, 12));
    g3.person_ids = vec![boss.clone()];
    let g3 = s.create(g3).unwrap().meta.id;
    s.log_barrier(&g3, "The team is reorganising", at(2, 20, 9))
        .unwrap();
    s.log_course_correction(
        &g3,
        "Drop it until the reorganisation is over",
        at(2, 23, 9),
    )
    .unwrap();
    s.set_goal_status(&g3, GoalStatus::Dropped).unwrap();

    // Routine weeks: an interaction, a mood check-in, a win every other week.
    let partners = [&sam, &mum, &jo];
    let mut routine = Vec::new();
    let mut routine_moods = Vec::new();
    let mut routine_wins = Vec::new();
    for w in 1..=12u32 {
        let m = monday(w);
        if w == 6 {
            routine.push(None);
            routine_moods.push(None);
            continue;
        }
        let person = routine_person(w, &partners);
        let mut i = Interaction::new(
            person.clone(),
            m + Duration::hours(2 * 24 + 19),
            Channel::Phone,
        );
        i.what_i_wanted = format!("Week {w}: to catch up");
        i.mood_before = Some(5);
        i.mood_after = Some(6);
        i.skills_used = vec!["active listening".into()];
        i.relationship = Some(RelationshipChange::Same);
        routine.push(Some((s.create(i).unwrap().meta.id, person)));
        let mood = s
            .check_in_mood(MoodCheckIn {
                at: m + Duration::hours(3 * 24 + 21),
                rating: 5 + (w as i32 % 3),
                event: format!("Week {w}: an ordinary day"),
                crisis: false,
            })
            .unwrap();
        routine_moods.push(Some(mood.item.meta.id));
        if w % 2 == 1 {
            let win = s
                .create(Win {
                    occurred_at: m + Duration::hours(4 * 24 + 12),
                    title: routine_win_title(w),
                    details: String::new(),
                    goal: None,
                })
                .unwrap();
            routine_wins.push((w, win.meta.id));
        }
    }

    // The weekly PHQ-9, the Sunday before each session.
    let mut phq9 = Vec::new();
    for w in 1..=12u32 {
        let item9 = i32::from(w == FLAGGED_WEEK);
        let total = PHQ9_TOTALS[(w - 1) as usize];
        let saved = s
            .check_in_phq9(Phq9CheckIn {
                at: monday(w) - Duration::hours(15),
                items: phq9_items(total, item9),
            })
            .unwrap();
        assert_eq!(saved.safety_alert.is_some(), item9 > 0);
        phq9.push(saved.item.meta.id);
    }

    // Week 6.
    let mut i6a = Interaction::new(sam.clone(), at(2, 10, 18), Channel::InPerson);
    i6a.initiated_by = Initiator::Me;
    i6a.what_i_wanted = "A fair split of chores".into();
    i6a.what_they_wanted = "Not to be criticised".into();
    i6a.what_i_said = "I feel worn out when I do all the chores; can we plan the week?".into();
    i6a.what_they_said = "Let's try a plan on Sundays".into();
    i6a.feelings = vec![Feeling {
        label: "nervous".into(),
        intensity: 6,
    }];
    i6a.mood_before = Some(4);
    i6a.mood_after = Some(7);
    i6a.got_what_i_wanted = Some(GotWhatIWanted::Partly);
    i6a.relationship = Some(RelationshipChange::Better);
    i6a.skills_used = vec!["I statements".into(), "raising an issue when calm".into()];
    i6a.goal = Some(GoalLink {
        goal_id: g1.clone(),
        milestone_id: Some(g1_plan.clone()),
    });
    let i6a = s.create(i6a).unwrap().meta.id;

    let mut i6b = Interaction::new(boss.clone(), at(2, 12, 9), Channel::InPerson);
    i6b.initiated_by = Initiator::Them;
    i6b.what_i_wanted = "To ask about flexible hours".into();
    i6b.what_they_said = "Not now, we are reorganising".into();
    i6b.mood_before = Some(5);
    i6b.mood_after = Some(2);
    i6b.got_what_i_wanted = Some(GotWhatIWanted::No);
    i6b.relationship = Some(RelationshipChange::Worse);
    i6b.goal = Some(GoalLink {
        goal_id: g3.clone(),
        milestone_id: None,
    });
    let i6b = s.create(i6b).unwrap().meta.id;

    let mood = |at, rating, event: &str| {
        s.check_in_mood(MoodCheckIn {
            at,
            rating,
            event: event.into(),
            crisis: false,
        })
        .unwrap()
        .item
        .meta
        .id
    };
    let mood_talked = mood(at(2, 10, 21), 7, "Talked with Sam");
    let mood_badly = mood(at(2, 12, 20), 3, "Meeting with R. went badly");
    let mood_run = mood(at(2, 14, 10), 6, "Run with J.");

    let win6 = s
        .create(Win {
            occurred_at: at(2, 13, 19),
            title: "Asked Sam for help with dinner".into(),
            details: "He said yes straight away".into(),
            goal: Some(GoalLink {
                goal_id: g1.clone(),
                milestone_id: None,
            }),
        })
        .unwrap()
        .meta
        .id;

    let r1 = s
        .create(Rehearsal {
            person_id: sam.clone(),
            scenario: "Raise the chores plan with Sam".into(),
            what_i_want_to_say: "I feel worn out; can we plan the week together?".into(),
            how_they_may_answer: "He will say I am nagging".into(),
            confidence_before: Some(3),
            confidence_after: Some(6),
            practiced_at: at(2, 9, 20),
            outcome_interaction_id: Some(i6a.clone()),
        })
        .unwrap()
        .meta
        .id;
    let r2 = s
        .create(Rehearsal {
            person_id: jo.clone(),
            scenario: "Ask J. to join the running club with me".into(),
            what_i_want_to_say: "Would you come along on Saturdays?".into(),
            how_they_may_answer: "Maybe, if it is not too early".into(),
            confidence_before: Some(5),
            confidence_after: Some(7),
            practiced_at: at(2, 27, 20),
            outcome_interaction_id: None,
        })
        .unwrap()
        .meta
        .id;

    Course {
        profile,
        sam,
        mum,
        jo,
        boss,
        g1,
        g1_calm,
        g1_plan,
        g2,
        g2_text,
        g2_club,
        g3,
        i6a,
        i6b,
        mood_talked,
        mood_badly,
        mood_run,
        win6,
        r1,
        r2,
        phq9,
        routine,
        routine_wins,
        routine_moods,
    }
}

/// Copies documents from one store into another as a sync would deliver
/// them to a therapist's device, owned by `owner`.
pub fn share(from: &Store, to: &Store, owner: &str, ids: &[ItemId]) {
    for id in ids {
        let (kind, data) = from.export_document(id).unwrap();
        to.apply_changes(id, kind, &data).unwrap();
    }
    let owners: Vec<(ItemId, String)> = ids
        .iter()
        .map(|id| (id.clone(), owner.to_owned()))
        .collect();
    to.set_owners(&owners).unwrap();
}
