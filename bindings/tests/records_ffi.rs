//! Every record kind crosses the FFI types and a real store (in a temporary
//! folder) unchanged, and core errors reach the shells as typed variants
//! with the core's message.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use rapport_core::DocKind as ItemKind;
use rapport_core::checkin::*;
use rapport_core::goal::*;
use rapport_core::inventory::*;
use rapport_core::journal::*;
use rapport_core::observer::{ChangeOp, ItemChange};
use rapport_core::profile::*;
use rapport_core::rehearsal::Rehearsal;
use rapport_core::safety::{AlertReason, CrisisContact, CrisisResource};
use rapport_core::store::ListQuery;
use rapport_ffi::errors::StoreError;
use rapport_ffi::observer::ChangeObserver;
use rapport_ffi::store::RapportStore;

/// A time the record keeps exactly (it stores milliseconds).
fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(1_750_000_000_000 + secs * 1000 + 123).unwrap()
}

fn day(iso: &str) -> NaiveDate {
    iso.parse().unwrap()
}

/// A goal's milestone ids in display order.
fn order(goal: &Goal) -> Vec<String> {
    goal.ordered_milestones()
        .into_iter()
        .map(|(id, _)| id.to_owned())
        .collect()
}

fn open() -> (tempfile::TempDir, Arc<RapportStore>) {
    let dir = tempfile::tempdir().unwrap();
    let store = RapportStore::open(dir.path().join("record.db").display().to_string()).unwrap();
    (dir, store)
}

fn person(nickname: &str) -> Person {
    Person {
        nickname: nickname.into(),
        relationship: "partner".into(),
        ring: Ring::Inner,
        gives: "warmth".into(),
        goes_wrong: "chores".into(),
        my_expectations: "share the load".into(),
        their_expectations: "be asked kindly".into(),
        notes: String::new(),
        dispute_history: vec![StageChange {
            stage: DisputeStage::Impasse,
            at: at(1),
            note: "stuck".into(),
        }],
    }
}

#[test]
fn every_record_kind_round_trips_through_a_real_store() {
    let (_dir, store) = open();

    let sam = store.add_person(person("Sam")).unwrap();
    assert_eq!(sam.person, person("Sam"));
    assert_eq!(sam.dispute_stage, Some(DisputeStage::Impasse));
    assert_eq!(store.get_person(sam.meta.id.clone()).unwrap(), sam);
    let moved = store
        .set_dispute_stage(
            sam.meta.id.clone(),
            DisputeStage::Renegotiation,
            at(2),
            "talking".into(),
        )
        .unwrap();
    assert_eq!(moved.dispute_stage, Some(DisputeStage::Renegotiation));
    assert_eq!(moved.person.dispute_history.len(), 2);

    let goal = Goal {
        title: "Ask Sam for help with chores".into(),
        description: "calmly".into(),
        person_ids: vec![sam.meta.id.clone()],
        status: GoalStatus::Active,
        set_at: at(3),
        milestones: Default::default(),
        course_log: vec![],
    };
    let g = store.add_goal(goal.clone()).unwrap();
    assert_eq!(g.goal, goal);
    let gid = g.meta.id.clone();
    let g = store
        .add_milestone(gid.clone(), "Pick a calm moment".into())
        .unwrap();
    let g2 = store
        .add_milestone(gid.clone(), "Use an I statement".into())
        .unwrap();
    assert_eq!(order(&g2.goal)[0], order(&g.goal)[0]);
    let (first, second) = (order(&g2.goal)[0].clone(), order(&g2.goal)[1].clone());
    let g = store
        .reorder_milestones(gid.clone(), vec![second.clone(), first.clone()])
        .unwrap();
    assert_eq!(
        g.goal
            .ordered_milestones()
            .iter()
            .map(|(_, m)| m.title.as_str())
            .collect::<Vec<_>>(),
        ["Use an I statement", "Pick a calm moment"]
    );
    let g = store
        .complete_milestone(gid.clone(), second.clone(), at(4))
        .unwrap();
    assert_eq!(g.goal.milestones[&second].completed_at, Some(at(4)));
    let g = store.reopen_milestone(gid.clone(), second.clone()).unwrap();
    assert_eq!(g.goal.milestones[&second].completed_at, None);
    store
        .rename_milestone(gid.clone(), first.clone(), "Pick a quiet evening".into())
        .unwrap();
    store
        .log_barrier(gid.clone(), "Sam was tired".into(), at(5))
        .unwrap();
    let g = store
        .log_course_correction(gid.clone(), "Try on Saturday morning".into(), at(6))
        .unwrap();
    assert_eq!(
        g.goal.course_log.iter().map(|e| e.kind).collect::<Vec<_>>(),
        [CourseEventKind::Barrier, CourseEventKind::CourseCorrection]
    );
    store.remove_milestone(gid.clone(), first).unwrap();
    let g = store
        .set_goal_status(gid.clone(), GoalStatus::Paused)
        .unwrap();
    assert_eq!(g.goal.status, GoalStatus::Paused);
    assert_eq!(g.goal.milestones.len(), 1);
    // The whole goal, as read, written back unchanged.
    let again = store.update_goal(gid.clone(), g.goal.clone()).unwrap();
    assert_eq!(again.goal, g.goal);
    assert_eq!(store.get_goal(gid.clone()).unwrap().goal, g.goal);

    let link = Some(GoalLink {
        goal_id: gid.clone(),
        milestone_id: Some(second),
    });
    let interaction = Interaction {
        person_id: sam.meta.id.clone(),
        occurred_at: at(7),
        channel: Channel::InPerson,
        initiated_by: Initiator::Me,
        what_i_wanted: "help with the dishes".into(),
        what_they_wanted: "rest".into(),
        what_i_said: "I feel tired when".into(),
        what_they_said: "fair enough".into(),
        feelings: vec![Feeling {
            label: "relieved".into(),
            intensity: 6,
        }],
        mood_before: Some(4),
        mood_after: Some(7),
        got_what_i_wanted: Some(GotWhatIWanted::Partly),
        relationship: Some(RelationshipChange::Better),
        options: vec!["ask again".into(), "write a rota".into()],
        chosen_option: Some("write a rota".into()),
        skills_used: vec!["I statements".into()],
        goal: link.clone(),
    };
    let i = store.add_interaction(interaction.clone()).unwrap();
    assert_eq!(i.interaction, interaction);
    assert_eq!(store.get_interaction(i.meta.id.clone()).unwrap(), i);
    let mut changed = interaction.clone();
    changed.mood_after = Some(8);
    assert_eq!(
        store
            .update_interaction(i.meta.id.clone(), changed.clone())
            .unwrap()
            .interaction,
        changed
    );

    let win = Win {
        occurred_at: at(8),
        title: "Asked without shouting".into(),
        details: "and it worked".into(),
        goal: link.clone(),
    };
    let w = store.add_win(win.clone()).unwrap();
    assert_eq!(store.get_win(w.meta.id.clone()).unwrap().win, win);
    let mut win2 = win.clone();
    win2.title = "Asked calmly".into();
    assert_eq!(
        store
            .update_win(w.meta.id.clone(), win2.clone())
            .unwrap()
            .win,
        win2
    );

    let reflection = Reflection {
        written_at: at(9),
        text: "Saturday mornings are better".into(),
        person_id: Some(sam.meta.id.clone()),
        goal: None,
    };
    let r = store.add_reflection(reflection.clone()).unwrap();
    assert_eq!(
        store.get_reflection(r.meta.id.clone()).unwrap().reflection,
        reflection
    );
    store
        .update_reflection(r.meta.id.clone(), reflection.clone())
        .unwrap();

    let rehearsal = Rehearsal {
        person_id: sam.meta.id.clone(),
        scenario: "Asking about the holidays".into(),
        what_i_want_to_say: "I'd like us to choose together".into(),
        how_they_may_answer: "It's always my family".into(),
        confidence_before: Some(3),
        confidence_after: Some(6),
        practiced_at: at(10),
        outcome_interaction_id: Some(i.meta.id.clone()),
    };
    let rh = store.add_rehearsal(rehearsal.clone()).unwrap();
    assert_eq!(
        store.get_rehearsal(rh.meta.id.clone()).unwrap().rehearsal,
        rehearsal
    );
    store
        .update_rehearsal(rh.meta.id.clone(), rehearsal)
        .unwrap();

    let mood = MoodCheckIn {
        at: at(11),
        rating: 3,
        event: "argument about chores".into(),
        crisis: false,
    };
    let saved = store.check_in_mood(mood.clone()).unwrap();
    assert_eq!(saved.safety_alert, None);
    assert_eq!(
        store
            .get_mood_check_in(saved.item.meta.id.clone())
            .unwrap()
            .check_in,
        mood
    );

    let phq9 = Phq9CheckIn {
        at: at(12),
        items: vec![1, 2, 1, 1, 0, 1, 2, 0, 0],
    };
    let saved = store.check_in_phq9(phq9.clone()).unwrap();
    assert_eq!(
        (saved.item.total, saved.item.severity),
        (8, Phq9Severity::Mild)
    );
    assert_eq!(saved.safety_alert, None);
    assert_eq!(
        store.get_phq9_check_in(saved.item.meta.id.clone()).unwrap(),
        saved.item
    );

    assert_eq!(store.profile().unwrap().session_count, 12);
    let profile = Profile {
        problem_area: Some(ProblemArea::RoleDispute),
        formulation: "Low mood since the dispute with Sam".into(),
        formulation_accepted_on: Some(day("2025-06-20")),
        session_count: 16,
        phase: Phase::Middle,
        current_session: 5,
        last_session_on: Some(day("2025-07-18")),
    };
    assert_eq!(
        store.save_profile(profile.clone()).unwrap().profile,
        profile
    );
    assert_eq!(store.profile().unwrap(), profile);

    assert_eq!(store.kind_of(gid.clone()).unwrap(), ItemKind::Goal);
    assert_eq!(
        store.kind_of(rh.meta.id.clone()).unwrap(),
        ItemKind::Rehearsal
    );
}

#[test]
fn lists_filter_by_kind_person_goal_and_time_and_search_finds_words() {
    let (_dir, store) = open();
    let sam = store.add_person(person("Sam")).unwrap().meta.id;
    let alex = store.add_person(person("Alex")).unwrap().meta.id;
    for (n, who) in [(1, &sam), (2, &alex), (3, &sam)] {
        let mut i = Interaction {
            person_id: who.clone(),
            occurred_at: at(n),
            channel: Channel::Phone,
            initiated_by: Initiator::Them,
            what_i_wanted: format!("talk number {n}"),
            what_they_wanted: String::new(),
            what_i_said: String::new(),
            what_they_said: String::new(),
            feelings: vec![],
            mood_before: None,
            mood_after: None,
            got_what_i_wanted: None,
            relationship: None,
            options: vec![],
            chosen_option: None,
            skills_used: vec![],
            goal: None,
        };
        if n == 3 {
            i.what_they_said = "about the holidays".into();
        }
        store.add_interaction(i).unwrap();
    }
    store
        .add_win(Win {
            occurred_at: at(4),
            title: "Holidays agreed".into(),
            details: String::new(),
            goal: None,
        })
        .unwrap();

    let all = store.list(ListQuery::default()).unwrap();
    assert_eq!(all.len(), 6);
    let interactions = store
        .list(ListQuery {
            kinds: vec![ItemKind::Interaction],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        interactions
            .iter()
            .map(|s| s.title.as_str())
            .collect::<Vec<_>>(),
        ["talk number 3", "talk number 2", "talk number 1"]
    );
    assert_eq!(interactions[0].at, Some(at(3)));
    let with_sam = store
        .list(ListQuery {
            person_id: Some(sam.clone()),
            since: Some(at(2)),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(with_sam.len(), 1);
    assert_eq!(with_sam[0].person_id.as_ref(), Some(&sam));
    let page = store
        .list_page(ListQuery {
            limit: 2,
            offset: 1,
            ..Default::default()
        })
        .unwrap();
    assert_eq!((page.items.len(), page.total), (2, 6));

    let found = store.search("holiday".into(), 0).unwrap();
    let mut kinds: Vec<_> = found.iter().map(|s| s.kind).collect();
    kinds.sort();
    assert_eq!(kinds, [ItemKind::Interaction, ItemKind::Win]);

    store.set_shared(found[0].id.clone(), true).unwrap();
    assert!(store.summary(found[0].id.clone()).unwrap().unwrap().shared);
    store.delete_item(found[0].id.clone()).unwrap();
    assert_eq!(store.summary(found[0].id.clone()).unwrap(), None);
}

#[test]
fn item_9_above_zero_returns_crisis_resources_and_says_no_one_watches() {
    let (_dir, store) = open();
    store
        .set_crisis_resources(vec![CrisisResource {
            name: "Samaritans".into(),
            contact: CrisisContact::Phone {
                number: "116 123".into(),
            },
            hours: "24 hours, every day".into(),
            region: Some("gb".into()),
        }])
        .unwrap();
    let saved = store
        .check_in_phq9(Phq9CheckIn {
            at: at(1),
            items: vec![3, 3, 3, 3, 3, 3, 3, 3, 1],
        })
        .unwrap();
    assert_eq!(
        (saved.item.total, saved.item.severity),
        (25, Phq9Severity::Severe)
    );
    let alert = saved.safety_alert.unwrap();
    assert_eq!(alert.reason, AlertReason::Phq9Item9);
    // Out-of-range answers are refused, never clamped, and nothing is saved.
    let before = store.list(Default::default()).unwrap().len();
    for bad in [-1, 4, 256] {
        let err = store
            .check_in_phq9(Phq9CheckIn {
                at: at(1),
                items: vec![0, 0, 0, 0, 0, 0, 0, 0, bad],
            })
            .unwrap_err();
        assert!(err.to_string().starts_with("items:"), "{bad}: {err}");
    }
    assert_eq!(store.list(Default::default()).unwrap().len(), before);
    // Structured and normalised by the core; the uri is the core's, not the
    // one the shell sent.
    assert_eq!(
        alert.resources[0].contact,
        CrisisContact::Phone {
            number: "116123".into()
        }
    );
    assert_eq!(alert.resources[0].uri().as_deref(), Some("tel:116123"));
    assert_eq!(alert.resources[0].region.as_deref(), Some("GB"));
    assert!(alert.message.contains("not monitored in real time"));

    let crisis = store
        .check_in_mood(MoodCheckIn {
            at: at(2),
            rating: 0,
            event: String::new(),
            crisis: true,
        })
        .unwrap();
    assert_eq!(crisis.safety_alert.unwrap().reason, AlertReason::MoodCrisis);
}

#[test]
fn errors_arrive_typed_with_the_core_message() {
    let (dir, store) = open();
    let mood = |rating| MoodCheckIn {
        at: at(1),
        rating,
        event: String::new(),
        crisis: false,
    };
    // Whatever the size: 11, 300 and -1 are the same typed error.
    for rating in [11, 300, -1, i32::MAX] {
        let err = store.check_in_mood(mood(rating)).unwrap_err();
        assert!(matches!(err, StoreError::Invalid { ref field, .. } if field == "rating"));
        assert_eq!(
            err.to_string(),
            format!("rating: must be between 0 and 10, got {rating}")
        );
    }

    let err = store.get_goal("no-such-goal".into()).unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound { ref kind, ref id } if kind == "goal" && id == "no-such-goal")
    );
    assert_eq!(err.to_string(), "no goal with id no-such-goal");

    let err = store
        .save_profile(Profile {
            problem_area: None,
            formulation: String::new(),
            formulation_accepted_on: None,
            session_count: 300,
            phase: Phase::Initial,
            current_session: 0,
            last_session_on: None,
        })
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid { ref field, .. } if field == "session_count"),
        "{err}"
    );

    let err = store.delete_item("".into()).unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound { ref id, .. } if id.is_empty()),
        "{err}"
    );

    let text = dir.path().join("notes.txt");
    std::fs::write(
        &text,
        "not a database, just some words that are long enough",
    )
    .unwrap();
    let err = RapportStore::open(text.display().to_string()).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotOurDatabase {
                wrong_key: false,
                ..
            }
        ),
        "{err:?}"
    );
}

#[derive(Default)]
struct Recorder(Mutex<Vec<Vec<ItemChange>>>);

impl ChangeObserver for Recorder {
    fn on_change(&self, changes: Vec<ItemChange>) {
        self.0.lock().unwrap().push(changes);
    }
}

#[test]
fn an_observer_gets_one_batch_per_write_until_cancelled_or_dropped() {
    let (_dir, store) = open();
    let recorder = Arc::new(Recorder::default());
    let handle = store.subscribe(recorder.clone());
    let sam = store.add_person(person("Sam")).unwrap().meta.id;
    store.delete_item(sam.clone()).unwrap();
    assert_eq!(
        *recorder.0.lock().unwrap(),
        vec![
            vec![ItemChange {
                id: sam.clone(),
                kind: ItemKind::Person,
                op: ChangeOp::Upserted,
            }],
            vec![ItemChange {
                id: sam,
                kind: ItemKind::Person,
                op: ChangeOp::Removed,
            }],
        ]
    );
    handle.cancel();
    assert!(!handle.is_active());
    store.add_person(person("Alex")).unwrap();
    assert_eq!(recorder.0.lock().unwrap().len(), 2);

    let dropped = Arc::new(Recorder::default());
    drop(store.subscribe(dropped.clone()));
    store.add_person(person("Kim")).unwrap();
    assert!(dropped.0.lock().unwrap().is_empty());
}
