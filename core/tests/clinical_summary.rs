//! "Since we last met" over a 12-session course: the exact summary the
//! client previews, the exact summary a therapist shown only part of the
//! record gets, the termination review, the timeline, and bad ranges.
#![allow(clippy::unwrap_used)]

mod common;
mod course;

use chrono::Duration;
use common::TestStore;
use course::{Course, at, day, monday, routine_win_title};
use rapport_core::checkin::{MoodCheckIn, Phq9CheckIn, Phq9Severity};
use rapport_core::clinical::*;
use rapport_core::goal::{CourseEventKind, GoalStatus};
use rapport_core::inventory::DisputeStage;
use rapport_core::journal::{GotWhatIWanted, RelationshipChange};
use rapport_core::profile::{AfterCarePlan, Phase, ProblemArea};
use rapport_core::safety::AlertReason;
use rapport_core::{DocKind, ItemId};

const CLIENT: &str = "acct-dana";

fn i6a_ref(c: &Course, person: Option<&str>) -> InteractionRef {
    InteractionRef {
        id: c.i6a.clone(),
        at: at(2, 10, 18),
        person_id: c.sam.clone(),
        person: person.map(str::to_owned),
        what_i_wanted: "A fair split of chores".into(),
        mood_before: Some(4),
        mood_after: Some(7),
        relationship: Some(RelationshipChange::Better),
    }
}

fn i6b_ref(c: &Course) -> InteractionRef {
    InteractionRef {
        id: c.i6b.clone(),
        at: at(2, 12, 9),
        person_id: c.boss.clone(),
        person: Some("R.".into()),
        what_i_wanted: "To ask about flexible hours".into(),
        mood_before: Some(5),
        mood_after: Some(2),
        relationship: Some(RelationshipChange::Worse),
    }
}

fn i6a_point(c: &Course) -> MoodPoint {
    MoodPoint {
        at: at(2, 10, 18),
        rating: 7,
        source: MoodSource::Interaction {
            id: c.i6a.clone(),
            person_id: c.sam.clone(),
            person: Some("Sam".into()),
        },
    }
}

fn checkin_point(
    id: &ItemId,
    at: chrono::DateTime<chrono::Utc>,
    rating: i32,
    event: &str,
) -> MoodPoint {
    MoodPoint {
        at,
        rating,
        source: MoodSource::CheckIn {
            id: id.clone(),
            event: event.into(),
            crisis: false,
        },
    }
}

fn week7_phq9(c: &Course) -> Phq9Entry {
    Phq9Entry {
        id: c.phq9[6].clone(),
        at: at(2, 15, 9),
        total: 9,
        severity: Phq9Severity::Mild,
        item9: 1,
    }
}

fn item9_flag(c: &Course) -> SafetyFlag {
    SafetyFlag {
        check_in_id: c.phq9[6].clone(),
        at: at(2, 15, 9),
        reason: AlertReason::Phq9Item9,
    }
}

fn r1(c: &Course) -> RehearsalComparison {
    RehearsalComparison {
        id: c.r1.clone(),
        person_id: c.sam.clone(),
        person: Some("Sam".into()),
        scenario: "Raise the chores plan with Sam".into(),
        practiced_at: at(2, 9, 20),
        what_i_want_to_say: "I feel worn out; can we plan the week together?".into(),
        expected_answer: "He will say I am nagging".into(),
        confidence_before: Some(3),
        confidence_after: Some(6),
        outcome: RehearsalOutcome::Logged(RealOutcome {
            interaction_id: c.i6a.clone(),
            at: at(2, 10, 18),
            what_they_said: "Let's try a plan on Sundays".into(),
            got_what_i_wanted: Some(GotWhatIWanted::Partly),
            relationship: Some(RelationshipChange::Better),
            mood_before: Some(4),
            mood_after: Some(7),
        }),
    }
}

fn dispute_change(c: &Course) -> InventoryChange {
    InventoryChange {
        person_id: c.sam.clone(),
        person: "Sam".into(),
        from: Some(DisputeStage::Impasse),
        to: DisputeStage::Renegotiation,
        at: at(2, 10, 19),
        note: "We agreed to talk on Sundays".into(),
    }
}

fn g1_progress(c: &Course, wins: u32) -> GoalProgress {
    GoalProgress {
        id: c.g1.clone(),
        title: "Talk with Sam about chores without shouting".into(),
        status: GoalStatus::Achieved,
        milestones_reached: 1,
        milestones_total: 2,
        reached_in_range: vec![],
        barriers_in_range: 0,
        corrections_in_range: 0,
        wins_in_range: wins,
        interactions_in_range: 1,
    }
}

fn position() -> SessionPosition {
    SessionPosition {
        current_session: 6,
        session_count: 12,
        last_session_on: Some(day(2, 9)),
        profile_available: true,
    }
}

fn skills() -> Vec<SkillUse> {
    vec![
        SkillUse {
            skill: "I statements".into(),
            times: 1,
        },
        SkillUse {
            skill: "raising an issue when calm".into(),
            times: 1,
        },
    ]
}

#[test]
fn the_client_sees_the_whole_week_since_the_last_session() {
    let s = TestStore::on_tmpfs();
    let c = course::build(&s);

    // Default range: since the last session (2026-02-09) up to today.
    let summary = s.session_summary(&Whose::Mine, None, day(2, 15)).unwrap();
    let expected = SessionSummary {
        whose: Whose::Mine,
        range: DateRange::new(day(2, 9), day(2, 16)).unwrap(),
        phase: Phase::Middle,
        session: position(),
        mood: vec![
            i6a_point(&c),
            checkin_point(&c.mood_talked, at(2, 10, 21), 7, "Talked with Sam"),
            MoodPoint {
                at: at(2, 12, 9),
                rating: 2,
                source: MoodSource::Interaction {
                    id: c.i6b.clone(),
                    person_id: c.boss.clone(),
                    person: Some("R.".into()),
                },
            },
            checkin_point(
                &c.mood_badly,
                at(2, 12, 20),
                3,
                "Meeting with R. went badly",
            ),
            checkin_point(&c.mood_run, at(2, 14, 10), 6, "Run with J."),
        ],
        low_points: vec![
            LowPoint {
                point: MoodPoint {
                    at: at(2, 12, 9),
                    rating: 2,
                    source: MoodSource::Interaction {
                        id: c.i6b.clone(),
                        person_id: c.boss.clone(),
                        person: Some("R.".into()),
                    },
                },
                behind: vec![i6b_ref(&c)],
            },
            LowPoint {
                point: checkin_point(
                    &c.mood_badly,
                    at(2, 12, 20),
                    3,
                    "Meeting with R. went badly",
                ),
                behind: vec![i6b_ref(&c)],
            },
            LowPoint {
                point: checkin_point(&c.mood_run, at(2, 14, 10), 6, "Run with J."),
                behind: vec![],
            },
        ],
        phq9: vec![week7_phq9(&c)],
        phq9_change: None,
        safety_flags: vec![item9_flag(&c)],
        wins: vec![WinEntry {
            id: c.win6.clone(),
            at: at(2, 13, 19),
            title: "Asked Sam for help with dinner".into(),
            goal_id: Some(c.g1.clone()),
            goal: Some("Talk with Sam about chores without shouting".into()),
            milestone: None,
        }],
        goals: vec![
            g1_progress(&c, 1),
            GoalProgress {
                id: c.g2.clone(),
                title: "See friends every week".into(),
                status: GoalStatus::Active,
                milestones_reached: 1,
                milestones_total: 2,
                reached_in_range: vec![MilestoneReached {
                    milestone_id: c.g2_text.clone(),
                    title: "Text J.".into(),
                    at: at(2, 14, 11),
                }],
                barriers_in_range: 1,
                corrections_in_range: 1,
                wins_in_range: 0,
                interactions_in_range: 0,
            },
            GoalProgress {
                id: c.g3.clone(),
                title: "Ask R. for flexible hours".into(),
                status: GoalStatus::Dropped,
                milestones_reached: 0,
                milestones_total: 0,
                reached_in_range: vec![],
                barriers_in_range: 0,
                corrections_in_range: 0,
                wins_in_range: 0,
                interactions_in_range: 1,
            },
        ],
        course_events: vec![
            CourseEntry {
                goal_id: c.g2.clone(),
                goal: "See friends every week".into(),
                at: at(2, 11, 8),
                kind: CourseEventKind::Barrier,
                text: "Too tired after work".into(),
            },
            CourseEntry {
                goal_id: c.g2.clone(),
                goal: "See friends every week".into(),
                at: at(2, 12, 8),
                kind: CourseEventKind::CourseCorrection,
                text: "Meet on Saturday mornings instead".into(),
            },
        ],
        rehearsals: vec![r1(&c)],
        inventory_changes: vec![dispute_change(&c)],
        emphasis: Emphasis::Middle(MiddleEmphasis {
            problem_area: Some(ProblemArea::RoleDispute),
            focus_people: vec![
                FocusPerson {
                    person_id: c.jo.clone(),
                    nickname: "J.".into(),
                    dispute_stage: None,
                    interactions_in_range: 0,
                },
                FocusPerson {
                    person_id: c.sam.clone(),
                    nickname: "Sam".into(),
                    dispute_stage: Some(DisputeStage::Renegotiation),
                    interactions_in_range: 1,
                },
            ],
            skills_used: skills(),
            active_goals: 1,
            sessions_left: 6,
        }),
    };
    assert_eq!(summary, expected);

    // The same range given explicitly gives the same summary.
    let explicit = s
        .session_summary(
            &Whose::Mine,
            Some(DateRange::new(day(2, 9), day(2, 16)).unwrap()),
            day(3, 1),
        )
        .unwrap();
    assert_eq!(explicit, expected);
}

#[test]
fn a_therapist_sees_only_what_the_client_shared() {
    let client = TestStore::on_tmpfs();
    let c = course::build(&client);
    let therapist = TestStore::on_tmpfs();

    // Shared: the profile, Sam, the goal about Sam, every interaction with
    // Sam, the rehearsal, and every PHQ-9.
    let mut shared = vec![
        c.profile.clone(),
        c.sam.clone(),
        c.g1.clone(),
        c.i6a.clone(),
        c.r1.clone(),
    ];
    shared.extend(
        c.routine
            .iter()
            .flatten()
            .filter(|(_, person)| person == &c.sam)
            .map(|(id, _)| id.clone()),
    );
    shared.extend(c.phq9.iter().cloned());
    course::share(&client, &therapist, CLIENT, &shared);

    // Another client's flagged PHQ-9 in the same week stays out of Dana's summary.
    let other = TestStore::on_tmpfs();
    let foreign = other
        .check_in_phq9(Phq9CheckIn {
            at: at(2, 11, 9),
            items: vec![3, 3, 3, 3, 3, 3, 3, 3, 3],
        })
        .unwrap()
        .item
        .meta
        .id;
    course::share(
        &other,
        &therapist,
        "acct-other",
        std::slice::from_ref(&foreign),
    );

    let whose = Whose::Client {
        account_id: CLIENT.into(),
    };
    let summary = therapist.session_summary(&whose, None, day(2, 15)).unwrap();
    let expected = SessionSummary {
        whose: whose.clone(),
        range: DateRange::new(day(2, 9), day(2, 16)).unwrap(),
        phase: Phase::Middle,
        session: position(),
        mood: vec![i6a_point(&c)],
        low_points: vec![LowPoint {
            point: i6a_point(&c),
            behind: vec![i6a_ref(&c, Some("Sam"))],
        }],
        phq9: vec![week7_phq9(&c)],
        phq9_change: None,
        safety_flags: vec![item9_flag(&c)],
        wins: vec![],
        goals: vec![g1_progress(&c, 0)],
        course_events: vec![],
        rehearsals: vec![r1(&c)],
        inventory_changes: vec![dispute_change(&c)],
        emphasis: Emphasis::Middle(MiddleEmphasis {
            problem_area: Some(ProblemArea::RoleDispute),
            focus_people: vec![FocusPerson {
                person_id: c.sam.clone(),
                nickname: "Sam".into(),
                dispute_stage: Some(DisputeStage::Renegotiation),
                interactions_in_range: 1,
            }],
            skills_used: skills(),
            active_goals: 0,
            sessions_left: 6,
        }),
    };
    assert_eq!(summary, expected);

    // The other client's record is theirs alone; the device's own is empty.
    let theirs = therapist
        .session_summary(
            &Whose::Client {
                account_id: "acct-other".into(),
            },
            Some(DateRange::new(day(2, 9), day(2, 16)).unwrap()),
            day(2, 15),
        )
        .unwrap();
    assert_eq!(theirs.safety_flags.len(), 1);
    assert_eq!(theirs.safety_flags[0].check_in_id, foreign);
    assert!(!theirs.session.profile_available);
    let own = therapist
        .session_summary(&Whose::Mine, None, day(2, 15))
        .unwrap();
    assert!(own.phq9.is_empty() && own.mood.is_empty() && own.goals.is_empty());
}

#[test]
fn the_clients_preview_is_exactly_what_the_therapist_sees() {
    let client = TestStore::on_tmpfs();
    let c = course::build(&client);
    // Shared item by item: the profile, Sam, the goal about Sam, the
    // rehearsal, every PHQ-9; and every interaction with Sam by a kind grant.
    let mut by_item = vec![c.profile.clone(), c.sam.clone(), c.g1.clone(), c.r1.clone()];
    by_item.extend(c.phq9.iter().cloned());
    for id in &by_item {
        client.set_shared(id, true).unwrap();
    }
    let grants = vec![KindGrant {
        kind: DocKind::Interaction,
        person_id: Some(c.sam.clone()),
    }];

    // What the server would let the therapist read: the shared items plus
    // every interaction with Sam.
    let therapist = TestStore::on_tmpfs();
    let mut readable = by_item.clone();
    readable.push(c.i6a.clone());
    readable.extend(
        c.routine
            .iter()
            .flatten()
            .filter(|(_, person)| person == &c.sam)
            .map(|(id, _)| id.clone()),
    );
    course::share(&client, &therapist, CLIENT, &readable);
    let seen = therapist
        .session_summary(
            &Whose::Client {
                account_id: CLIENT.into(),
            },
            None,
            day(2, 15),
        )
        .unwrap();

    let preview_whose = Whose::TherapistView {
        kind_grants: grants,
    };
    let preview = client
        .session_summary(&preview_whose, None, day(2, 15))
        .unwrap();
    assert_eq!(preview.whose, preview_whose);
    assert_eq!(
        SessionSummary {
            whose: seen.whose.clone(),
            ..preview
        },
        seen
    );
    // And it is less than the client's own summary: nothing private leaks in.
    let own = client
        .session_summary(&Whose::Mine, None, day(2, 15))
        .unwrap();
    assert_ne!(own.mood, seen.mood);
    assert!(own.mood.len() > seen.mood.len());
}

#[test]
fn a_rehearsal_whose_outcome_was_not_shared_says_so() {
    let client = TestStore::on_tmpfs();
    let c = course::build(&client);
    let therapist = TestStore::on_tmpfs();
    course::share(
        &client,
        &therapist,
        CLIENT,
        &[c.profile.clone(), c.r1.clone()],
    );
    let whose = Whose::Client {
        account_id: CLIENT.into(),
    };
    let summary = therapist.session_summary(&whose, None, day(2, 15)).unwrap();
    assert_eq!(summary.rehearsals.len(), 1);
    assert_eq!(summary.rehearsals[0].person, None);
    assert_eq!(
        summary.rehearsals[0].outcome,
        RehearsalOutcome::Unavailable {
            interaction_id: c.i6a.clone()
        }
    );
}

#[test]
fn the_initial_phase_puts_the_inventory_and_the_focus_first() {
    let s = TestStore::on_tmpfs();
    let c = course::build(&s);
    let mut profile = s.profile().unwrap();
    profile.phase = Phase::Initial;
    profile.current_session = 2;
    profile.last_session_on = Some(day(1, 12));
    s.save_profile(profile).unwrap();
    let summary = s.session_summary(&Whose::Mine, None, day(1, 18)).unwrap();
    let entry = |id: &ItemId, nick: &str, rel: &str, ring, stage| InventoryEntry {
        person_id: id.clone(),
        nickname: nick.into(),
        relationship: rel.into(),
        ring,
        dispute_stage: stage,
    };
    use rapport_core::inventory::Ring;
    assert_eq!(
        summary.emphasis,
        Emphasis::Initial(InitialEmphasis {
            inventory: vec![
                entry(&c.mum, "Mum", "mother", Ring::Inner, None),
                entry(
                    &c.sam,
                    "Sam",
                    "partner",
                    Ring::Inner,
                    Some(DisputeStage::Renegotiation)
                ),
                entry(&c.jo, "J.", "friend", Ring::Middle, None),
                entry(&c.boss, "R.", "manager", Ring::Outer, None),
            ],
            problem_area: Some(ProblemArea::RoleDispute),
            formulation_accepted_on: Some(day(1, 19)),
        })
    );
    // The week of session 2: its PHQ-9 (13, moderate) and nothing flagged.
    assert_eq!(
        summary
            .phq9
            .iter()
            .map(|p| (p.total, p.severity))
            .collect::<Vec<_>>(),
        vec![(13, Phq9Severity::Moderate)]
    );
    assert!(summary.safety_flags.is_empty());
}

fn expected_review(c: &Course) -> TerminationReview {
    let mut wins: Vec<WinEntry> = c
        .routine_wins
        .iter()
        .map(|(w, id)| WinEntry {
            id: id.clone(),
            at: monday(*w) + Duration::hours(4 * 24 + 12),
            title: routine_win_title(*w),
            goal_id: None,
            goal: None,
            milestone: None,
        })
        .collect();
    wins.push(WinEntry {
        id: c.win6.clone(),
        at: at(2, 13, 19),
        title: "Asked Sam for help with dinner".into(),
        goal_id: Some(c.g1.clone()),
        goal: Some("Talk with Sam about chores without shouting".into()),
        milestone: None,
    });
    wins.sort_by_key(|w| w.at);
    TerminationReview {
        gains: vec![
            Gain::Phq9 {
                first_at: at(1, 4, 9),
                first_total: 14,
                first_severity: Phq9Severity::Moderate,
                latest_at: at(3, 22, 9),
                latest_total: 5,
                latest_severity: Phq9Severity::Mild,
            },
            Gain::DisputeMoved {
                person_id: c.sam.clone(),
                person: "Sam".into(),
                from: DisputeStage::Impasse,
                to: DisputeStage::Renegotiation,
            },
            Gain::GoalAchieved {
                goal_id: c.g1.clone(),
                title: "Talk with Sam about chores without shouting".into(),
            },
            Gain::MilestonesReached {
                goal_id: c.g1.clone(),
                title: "Talk with Sam about chores without shouting".into(),
                reached: 2,
                total: 2,
            },
            Gain::MilestonesReached {
                goal_id: c.g2.clone(),
                title: "See friends every week".into(),
                reached: 1,
                total: 2,
            },
            Gain::SkillPractised {
                // Week 12's routine call (2026-03-25) is after the review.
                skill: "active listening".into(),
                times: 10,
            },
            Gain::SkillPractised {
                skill: "I statements".into(),
                times: 1,
            },
            Gain::SkillPractised {
                skill: "raising an issue when calm".into(),
                times: 1,
            },
        ],
        wins,
        warning_signs: vec![
            "Sleeping badly for a week".into(),
            "Avoiding Sam after an argument".into(),
        ],
        plan_for_after: "Keep the Sunday talks; run with J. on Saturdays; call the clinic if \
                         two warning signs last two weeks."
            .into(),
        sessions_left: 0,
    }
}

#[test]
fn termination_compiles_gains_wins_warning_signs_and_the_plan_for_after() {
    let s = TestStore::on_tmpfs();
    let c = course::build(&s);
    let mut profile = s.profile().unwrap();
    profile.phase = Phase::Termination;
    profile.current_session = 12;
    profile.last_session_on = Some(day(3, 16));
    s.save_profile(profile.clone()).unwrap();
    let plan = AfterCarePlan {
        warning_signs: vec![
            "Sleeping badly for a week".into(),
            "Avoiding Sam after an argument".into(),
        ],
        plan_for_after: "Keep the Sunday talks; run with J. on Saturdays; call the clinic if \
                         two warning signs last two weeks."
            .into(),
    };
    s.save_after_care_plan(plan.clone()).unwrap();
    // Saving the profile again keeps the plan beside it.
    s.save_profile(profile).unwrap();
    assert_eq!(s.after_care_plan().unwrap(), plan);

    let review = s.termination_review(&Whose::Mine, day(3, 23)).unwrap();
    assert_eq!(review, expected_review(&c));

    // The summary of the last week leads with the same review.
    let summary = s.session_summary(&Whose::Mine, None, day(3, 22)).unwrap();
    assert_eq!(
        summary.range,
        DateRange::new(day(3, 16), day(3, 23)).unwrap()
    );
    assert_eq!(summary.emphasis, Emphasis::Termination(expected_review(&c)));
    // Its own lists stay within the week: the last PHQ-9, no flag.
    assert_eq!(
        summary.phq9.iter().map(|p| p.total).collect::<Vec<_>>(),
        vec![5]
    );
    assert!(summary.safety_flags.is_empty());
}

#[test]
fn the_plan_for_after_is_validated() {
    let s = TestStore::on_tmpfs();
    let bad = AfterCarePlan {
        warning_signs: vec!["  ".into()],
        plan_for_after: String::new(),
    };
    assert!(matches!(
        s.save_after_care_plan(bad),
        Err(rapport_core::Error::Invalid {
            field: "warning_signs",
            ..
        })
    ));
    let too_many = AfterCarePlan {
        warning_signs: vec!["x".into(); 31],
        plan_for_after: String::new(),
    };
    assert!(s.save_after_care_plan(too_many).is_err());
    assert_eq!(s.after_care_plan().unwrap(), AfterCarePlan::default());
}

#[test]
fn a_crisis_mood_check_in_is_flagged_for_review() {
    let s = TestStore::on_tmpfs();
    let saved = s
        .check_in_mood(MoodCheckIn {
            at: at(2, 11, 23),
            rating: 1,
            event: "Everything fell apart".into(),
            crisis: true,
        })
        .unwrap();
    let alert = saved.safety_alert.unwrap();
    assert_eq!(alert.message, NOT_MONITORED);
    assert!(!alert.resources.is_empty());
    let summary = s
        .session_summary(
            &Whose::Mine,
            Some(DateRange::new(day(2, 9), day(2, 16)).unwrap()),
            day(2, 15),
        )
        .unwrap();
    assert_eq!(
        summary.safety_flags,
        vec![SafetyFlag {
            check_in_id: saved.item.meta.id,
            at: at(2, 11, 23),
            reason: AlertReason::MoodCrisis,
        }]
    );
}

#[test]
fn hostile_ranges_are_refused() {
    let s = TestStore::on_tmpfs();
    assert!(matches!(
        DateRange::new(day(3, 1), day(2, 1)),
        Err(ClinicalError::InvalidRange { .. })
    ));
    assert!(matches!(
        DateRange::new(day(3, 1), day(3, 1)),
        Err(ClinicalError::InvalidRange { .. })
    ));
    // A last session after "today" cannot make a range.
    let mut profile = s.profile().unwrap();
    profile.last_session_on = Some(day(5, 1));
    s.save_profile(profile).unwrap();
    assert!(matches!(
        s.session_summary(&Whose::Mine, None, day(4, 1)),
        Err(ClinicalError::InvalidRange { .. })
    ));
    assert!(DateRange::since(chrono::NaiveDate::MAX, chrono::NaiveDate::MAX).is_err());
}

#[test]
fn the_timeline_lists_a_period_in_date_order_with_filters() {
    let s = TestStore::on_tmpfs();
    let c = course::build(&s);
    let week = DateRange::new(day(2, 9), day(2, 16)).unwrap();

    let about_sam = s
        .timeline(
            &Whose::Mine,
            week,
            &TimelineFilter {
                person_id: Some(c.sam.clone()),
                ..Default::default()
            },
        )
        .unwrap();
    let entry = |at,
                 item_id: &ItemId,
                 kind,
                 event,
                 title: &str,
                 person: Option<&ItemId>,
                 goal: Option<&ItemId>| {
        TimelineEntry {
            at,
            item_id: item_id.clone(),
            kind,
            event,
            title: title.into(),
            person_id: person.cloned(),
            goal_id: goal.cloned(),
        }
    };
    assert_eq!(
        about_sam,
        vec![
            entry(
                at(2, 9, 20),
                &c.r1,
                DocKind::Rehearsal,
                TimelineEvent::Item,
                "Raise the chores plan with Sam",
                Some(&c.sam),
                None
            ),
            entry(
                at(2, 10, 18),
                &c.i6a,
                DocKind::Interaction,
                TimelineEvent::Item,
                "A fair split of chores",
                Some(&c.sam),
                Some(&c.g1)
            ),
            entry(
                at(2, 10, 19),
                &c.sam,
                DocKind::Person,
                TimelineEvent::DisputeStage {
                    stage: DisputeStage::Renegotiation
                },
                "Sam",
                Some(&c.sam),
                None
            ),
        ]
    );

    let friends = s
        .timeline(
            &Whose::Mine,
            week,
            &TimelineFilter {
                goal_id: Some(c.g2.clone()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        friends,
        vec![
            entry(
                at(2, 11, 8),
                &c.g2,
                DocKind::Goal,
                TimelineEvent::Barrier,
                "Too tired after work",
                Some(&c.jo),
                Some(&c.g2)
            ),
            entry(
                at(2, 12, 8),
                &c.g2,
                DocKind::Goal,
                TimelineEvent::CourseCorrection,
                "Meet on Saturday mornings instead",
                Some(&c.jo),
                Some(&c.g2)
            ),
            entry(
                at(2, 14, 11),
                &c.g2,
                DocKind::Goal,
                TimelineEvent::MilestoneReached {
                    milestone_id: c.g2_text.clone()
                },
                "Text J.",
                Some(&c.jo),
                Some(&c.g2)
            ),
        ]
    );

    let moods = s
        .timeline(
            &Whose::Mine,
            week,
            &TimelineFilter {
                kinds: vec![DocKind::MoodCheckIn],
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        moods.iter().map(|e| e.item_id.clone()).collect::<Vec<_>>(),
        vec![
            c.mood_talked.clone(),
            c.mood_badly.clone(),
            c.mood_run.clone()
        ]
    );

    // Unfiltered: everything of the week, in date order.
    let all = s
        .timeline(&Whose::Mine, week, &TimelineFilter::default())
        .unwrap();
    assert_eq!(all.len(), 12);
    assert!(all.windows(2).all(|w| w[0].at <= w[1].at));
    assert_eq!(all.first().map(|e| &e.item_id), Some(&c.r1));
    assert_eq!(all.last().map(|e| &e.item_id), Some(&c.phq9[6]));
}
