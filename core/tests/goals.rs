//! Goals: milestones (add, rename, complete, reopen, remove, reorder), status,
//! barriers and course corrections.
#![allow(clippy::unwrap_used)]

mod common;

use common::{TestStore, at, goal, ids, link, person, win};
use rapport_core::goal::{CourseEventKind, Goal, GoalStatus};
use rapport_core::store::ListQuery;
use rapport_core::{Error, ItemId};

fn titles(goal: &Goal) -> Vec<(String, i64, bool)> {
    goal.ordered_milestones()
        .into_iter()
        .map(|(_, m)| (m.title.clone(), m.position, m.completed_at.is_some()))
        .collect()
}

fn milestone_ids(goal: &Goal) -> Vec<String> {
    goal.ordered_milestones()
        .into_iter()
        .map(|(id, _)| id.to_owned())
        .collect()
}

#[test]
fn a_new_goal_is_active_with_no_milestones() {
    let s = TestStore::new();
    let sam = s.create(person("Sam")).unwrap().meta.id;
    let mut g = goal("Spend a weekend with Sam");
    g.description = "Plan it together, not alone".into();
    g.person_ids = vec![sam.clone()];

    let item = s.create(g.clone()).unwrap();
    let got = s.get::<Goal>(&item.id).unwrap().record;

    assert_eq!(got, g);
    assert_eq!(got.status, GoalStatus::Active);
    assert!(got.milestones.is_empty());
    let summary = &s.list(&ListQuery::default()).unwrap()[0];
    assert_eq!(summary.title, "Spend a weekend with Sam");
    assert_eq!(summary.person_id, Some(sam));
}

#[test]
fn milestones_are_added_at_the_end_renamed_completed_and_reopened() {
    let s = TestStore::new();
    let g = s.create(goal("Make a friend at work")).unwrap().meta.id;

    let a = s.add_milestone(&g, "Say hello to Ana").unwrap();
    let b = s.add_milestone(&g, "Ask Ana to lunch").unwrap();
    let c = s.add_milestone(&g, "Lunch with Ana").unwrap();
    let record = s.get::<Goal>(&g).unwrap().record;
    assert_eq!(
        milestone_ids(&record),
        vec![a.clone(), b.clone(), c.clone()]
    );
    assert_eq!(
        titles(&record),
        vec![
            ("Say hello to Ana".into(), 0, false),
            ("Ask Ana to lunch".into(), 1, false),
            ("Lunch with Ana".into(), 2, false),
        ]
    );

    let renamed = s.rename_milestone(&g, &b, "Ask Ana for coffee").unwrap();
    assert_eq!(renamed.record.milestones[&b].title, "Ask Ana for coffee");

    let done = s.complete_milestone(&g, &a, at(6, 2, 12)).unwrap();
    assert_eq!(done.record.milestones[&a].completed_at, Some(at(6, 2, 12)));
    assert_eq!(
        s.get::<Goal>(&g).unwrap().record.milestones[&a].completed_at,
        Some(at(6, 2, 12))
    );

    let reopened = s.reopen_milestone(&g, &a).unwrap();
    assert_eq!(reopened.record.milestones[&a].completed_at, None);
}

#[test]
fn removing_a_milestone_keeps_the_others_and_new_ones_go_last() {
    let s = TestStore::new();
    let g = s.create(goal("g")).unwrap().meta.id;
    let a = s.add_milestone(&g, "a").unwrap();
    let b = s.add_milestone(&g, "b").unwrap();
    let c = s.add_milestone(&g, "c").unwrap();

    let after = s.remove_milestone(&g, &b).unwrap().record;
    assert_eq!(milestone_ids(&after), vec![a.clone(), c.clone()]);
    let d = s.add_milestone(&g, "d").unwrap();
    let record = s.get::<Goal>(&g).unwrap().record;
    assert_eq!(milestone_ids(&record), vec![a, c, d.clone()]);
    assert_eq!(record.milestones[&d].position, 3);

    assert!(matches!(
        s.remove_milestone(&g, &b),
        Err(Error::NotFound { kind: "milestone", id }) if id == b
    ));
}

#[test]
fn reorder_puts_milestones_in_the_given_order() {
    let s = TestStore::new();
    let g = s.create(goal("g")).unwrap().meta.id;
    let a = s.add_milestone(&g, "a").unwrap();
    let b = s.add_milestone(&g, "b").unwrap();
    let c = s.add_milestone(&g, "c").unwrap();

    let item = s
        .reorder_milestones(&g, &[c.clone(), a.clone(), b.clone()])
        .unwrap();
    assert_eq!(
        milestone_ids(&item.record),
        vec![c.clone(), a.clone(), b.clone()]
    );
    assert_eq!(
        milestone_ids(&s.get::<Goal>(&g).unwrap().record),
        vec![c.clone(), a.clone(), b.clone()]
    );
}

#[test]
fn reorder_must_name_every_milestone_exactly_once() {
    let s = TestStore::new();
    let g = s.create(goal("g")).unwrap().meta.id;
    let a = s.add_milestone(&g, "a").unwrap();
    let b = s.add_milestone(&g, "b").unwrap();
    let before = s.export_document(&g).unwrap();

    for order in [
        vec![a.clone()],
        vec![a.clone(), a.clone()],
        vec![a.clone(), b.clone(), b.clone()],
        vec![a.clone(), "unknown".to_owned()],
        vec![],
    ] {
        assert!(
            matches!(
                s.reorder_milestones(&g, &order),
                Err(Error::Invalid { field: "order", .. })
            ),
            "{order:?}"
        );
    }
    assert_eq!(s.export_document(&g).unwrap(), before);
}

#[test]
fn milestone_operations_on_unknown_milestones_or_goals_fail() {
    let s = TestStore::new();
    let g = s.create(goal("g")).unwrap().meta.id;
    let w = s.create(win("a win", at(1, 1, 1))).unwrap().meta.id;
    let nope = ItemId::new("no-such-goal");

    fn missing<T: std::fmt::Debug>(r: Result<T, Error>, kind: &str) {
        match r {
            Err(Error::NotFound { kind: k, .. }) => assert_eq!(k, kind),
            other => panic!("expected NotFound {kind}, got {other:?}"),
        }
    }
    missing(s.rename_milestone(&g, "m", "x"), "milestone");
    missing(s.complete_milestone(&g, "m", at(1, 1, 1)), "milestone");
    missing(s.reopen_milestone(&g, "m"), "milestone");
    missing(s.add_milestone(&nope, "x"), "goal");
    missing(s.add_milestone(&w, "x"), "goal");
    missing(s.set_goal_status(&w, GoalStatus::Paused), "goal");
    missing(s.log_barrier(&nope, "x", at(1, 1, 1)), "goal");
    assert!(matches!(
        s.add_milestone(&g, "  "),
        Err(Error::Invalid {
            field: "milestone.title",
            ..
        })
    ));
    let a = s.add_milestone(&g, "a").unwrap();
    assert!(matches!(
        s.rename_milestone(&g, &a, ""),
        Err(Error::Invalid { .. })
    ));
    assert_eq!(s.get::<Goal>(&g).unwrap().record.milestones[&a].title, "a");
}

#[test]
fn status_moves_between_active_achieved_paused_and_dropped() {
    let s = TestStore::new();
    let g = s.create(goal("g")).unwrap().meta.id;
    for status in [
        GoalStatus::Paused,
        GoalStatus::Active,
        GoalStatus::Achieved,
        GoalStatus::Dropped,
    ] {
        assert_eq!(s.set_goal_status(&g, status).unwrap().record.status, status);
        assert_eq!(s.get::<Goal>(&g).unwrap().record.status, status);
    }
}

#[test]
fn barriers_and_course_corrections_are_logged_in_order() {
    let s = TestStore::new();
    let g = s.create(goal("Call mum weekly")).unwrap().meta.id;
    s.log_barrier(&g, "Night shifts all week", at(2, 1, 9))
        .unwrap();
    let item = s
        .log_course_correction(&g, "Call on Sunday mornings instead", at(2, 2, 9))
        .unwrap();

    let log: Vec<_> = item
        .record
        .course_log
        .iter()
        .map(|e| (e.kind, e.at, e.text.as_str()))
        .collect();
    assert_eq!(
        log,
        vec![
            (
                CourseEventKind::Barrier,
                at(2, 1, 9),
                "Night shifts all week"
            ),
            (
                CourseEventKind::CourseCorrection,
                at(2, 2, 9),
                "Call on Sunday mornings instead"
            ),
        ]
    );
    assert_ne!(item.record.course_log[0].id, item.record.course_log[1].id);
    assert_eq!(s.get::<Goal>(&g).unwrap().record, item.record);
    // Barriers are searchable with the goal.
    assert_eq!(s.search("shifts", 0).unwrap()[0].id, g);
    assert!(matches!(
        s.log_barrier(&g, "", at(2, 3, 9)),
        Err(Error::Invalid { field: "text", .. })
    ));
}

#[test]
fn entries_linked_to_a_goal_are_listed_under_it() {
    let s = TestStore::new();
    let g = s.create(goal("g")).unwrap().meta.id;
    let other = s.create(goal("other")).unwrap().meta.id;
    let mut w1 = win("first", at(1, 1, 1));
    w1.goal = link(&g);
    let w1 = s.create(w1).unwrap().meta.id;
    let mut w2 = win("second", at(1, 2, 1));
    w2.goal = link(&other);
    s.create(w2).unwrap();

    let q = ListQuery {
        goal_id: Some(g),
        ..Default::default()
    };
    assert_eq!(ids(&s, &q), vec![w1]);
}
