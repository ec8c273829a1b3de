//! Journal entries: interactions, wins and reflections — create, edit,
//! delete, get, list with filters and paging, full-text search.
#![allow(clippy::unwrap_used)]

mod common;

use common::{TestStore, at, goal, ids, interaction, link, person, reflection, win};
use rapport_core::journal::{
    Channel, Feeling, GoalLink, GotWhatIWanted, Initiator, Interaction, RelationshipChange, Win,
};
use rapport_core::store::ListQuery;
use rapport_core::{DocKind, Error, ItemId};

fn full_interaction(person_id: &ItemId, goal_id: &ItemId) -> Interaction {
    Interaction {
        person_id: person_id.clone(),
        occurred_at: at(3, 4, 18),
        channel: Channel::Phone,
        initiated_by: Initiator::Them,
        what_i_wanted: "To ask Sam for help with the move".into(),
        what_they_wanted: "Some time to think".into(),
        what_i_said: "I feel stretched thin this month".into(),
        what_they_said: "Let me check my calendar".into(),
        feelings: vec![Feeling {
            label: "nervous".into(),
            intensity: 7,
        }],
        mood_before: Some(4),
        mood_after: Some(6),
        got_what_i_wanted: Some(GotWhatIWanted::Partly),
        relationship: Some(RelationshipChange::Better),
        options: vec!["ask again on Sunday".into(), "ask my brother".into()],
        chosen_option: Some("ask again on Sunday".into()),
        skills_used: vec!["\"I\" statements".into()],
        goal: Some(GoalLink {
            goal_id: goal_id.clone(),
            milestone_id: Some("m1".into()),
        }),
    }
}

#[test]
fn an_interaction_reads_back_exactly_as_written() {
    let s = TestStore::new();
    let sam = s.create(person("Sam")).unwrap();
    let g = s.create(goal("Ask for help")).unwrap();
    let record = full_interaction(&sam.id, &g.id);

    let created = s.create(record.clone()).unwrap();
    let got = s.get::<Interaction>(&created.id).unwrap();

    assert_eq!(got, created);
    assert_eq!(got.record, record);
    assert!(!got.shared);
    assert_eq!(got.created_at, got.updated_at);
    assert_eq!(s.kind_of(&created.id).unwrap(), DocKind::Interaction);
}

#[test]
fn editing_an_entry_changes_only_what_was_edited() {
    let s = TestStore::new();
    let sam = s.create(person("Sam")).unwrap();
    let created = s
        .create(interaction(&sam.id, at(3, 1, 10), "talk"))
        .unwrap();

    let mut edited = created.record.clone();
    edited.what_they_said = "Sure, Saturday works".into();
    edited.mood_after = Some(8);
    let updated = s.update(&created.id, edited.clone()).unwrap();

    assert_eq!(updated.record, edited);
    assert_eq!(s.get::<Interaction>(&created.id).unwrap().record, edited);
    assert_eq!(updated.created_at, created.created_at);
    assert!(updated.updated_at >= created.updated_at);

    let modified = s
        .modify(&created.id, |i: &mut Interaction| {
            i.skills_used.push("active listening".into());
            Ok(())
        })
        .unwrap();
    assert_eq!(modified.record.skills_used, vec!["active listening"]);
    assert_eq!(modified.record.what_they_said, "Sure, Saturday works");
}

#[test]
fn wins_and_reflections_round_trip() {
    let s = TestStore::new();
    let g = s.create(goal("Say no at work")).unwrap();
    let mut w = win("Said no to the extra shift", at(2, 2, 12));
    w.details = "Calmly, and my manager accepted it".into();
    w.goal = link(&g.id);
    let mut r = reflection("Noticed I avoid my sister", at(2, 3, 21));
    r.person_id = Some(ItemId::new("someone"));

    let wi = s.create(w.clone()).unwrap();
    let ri = s.create(r.clone()).unwrap();

    assert_eq!(s.get::<Win>(&wi.id).unwrap().record, w);
    assert_eq!(
        s.get::<rapport_core::journal::Reflection>(&ri.id)
            .unwrap()
            .record,
        r
    );
}

#[test]
fn a_deleted_entry_is_gone_from_get_list_and_search() {
    let s = TestStore::new();
    let w = s.create(win("Went to the reunion", at(1, 5, 20))).unwrap();
    assert_eq!(s.search("reunion", 0).unwrap().len(), 1);

    s.delete(&w.id).unwrap();

    assert!(matches!(
        s.get::<Win>(&w.id),
        Err(Error::NotFound { kind: "win", .. })
    ));
    assert!(s.list(&ListQuery::default()).unwrap().is_empty());
    assert!(s.search("reunion", 0).unwrap().is_empty());
    assert!(matches!(s.delete(&w.id), Err(Error::NotFound { .. })));
    // The tombstone is kept so the deletion reaches the other devices.
    assert_eq!(s.document_ids().unwrap(), vec![w.id.clone()]);
}

#[test]
fn list_is_newest_first_and_paged() {
    let s = TestStore::new();
    let mut made = Vec::new();
    for day in 1..=7 {
        made.push(
            s.create(win(&format!("win {day}"), at(4, day, 9)))
                .unwrap()
                .meta
                .id,
        );
    }
    let newest_first: Vec<ItemId> = made.iter().rev().cloned().collect();

    let page = |offset, limit| {
        ids(
            &s,
            &ListQuery {
                offset,
                limit,
                ..Default::default()
            },
        )
    };
    assert_eq!(page(0, 0), newest_first);
    assert_eq!(page(0, 3), newest_first[0..3]);
    assert_eq!(page(3, 3), newest_first[3..6]);
    assert_eq!(page(6, 3), newest_first[6..7]);
    assert!(page(7, 3).is_empty());

    let first = &s.list(&ListQuery::default()).unwrap()[0];
    assert_eq!(first.kind, DocKind::Win);
    assert_eq!(first.title, "win 7");
    assert_eq!(first.at, Some(at(4, 7, 9)));
}

#[test]
fn list_filters_by_kind_person_goal_and_date_range() {
    let s = TestStore::new();
    let sam = s.create(person("Sam")).unwrap().meta.id;
    let kim = s.create(person("Kim")).unwrap().meta.id;
    let g = s.create(goal("Reconnect")).unwrap().meta.id;

    let i_sam = s
        .create(interaction(&sam, at(5, 1, 9), "a"))
        .unwrap()
        .meta
        .id;
    let mut linked = interaction(&kim, at(5, 2, 9), "b");
    linked.goal = link(&g);
    let i_kim = s.create(linked).unwrap().meta.id;
    let mut w = win("called Kim", at(5, 3, 9));
    w.goal = link(&g);
    let w = s.create(w).unwrap().meta.id;
    let mut r = reflection("thinking about Sam", at(5, 4, 9));
    r.person_id = Some(sam.clone());
    let r = s.create(r).unwrap().meta.id;

    let q = |f: fn(&mut ListQuery)| {
        let mut query = ListQuery::default();
        f(&mut query);
        query
    };
    let by_kind = ListQuery {
        kinds: vec![DocKind::Interaction, DocKind::Win],
        ..Default::default()
    };
    assert_eq!(
        ids(&s, &by_kind),
        vec![w.clone(), i_kim.clone(), i_sam.clone()]
    );
    let by_person = ListQuery {
        person_id: Some(sam.clone()),
        ..Default::default()
    };
    assert_eq!(ids(&s, &by_person), vec![r.clone(), i_sam.clone()]);
    let by_goal = ListQuery {
        goal_id: Some(g.clone()),
        ..Default::default()
    };
    assert_eq!(ids(&s, &by_goal), vec![w.clone(), i_kim.clone()]);
    // `from` is inclusive, `to` exclusive; undated items (people) drop out.
    let range = ListQuery {
        since: Some(at(5, 2, 9)),
        until: Some(at(5, 4, 9)),
        ..Default::default()
    };
    assert_eq!(ids(&s, &range), vec![w.clone(), i_kim.clone()]);
    let combined = ListQuery {
        kinds: vec![DocKind::Interaction],
        person_id: Some(kim.clone()),
        goal_id: Some(g.clone()),
        since: Some(at(5, 1, 0)),
        ..Default::default()
    };
    assert_eq!(ids(&s, &combined), vec![i_kim]);
    assert_eq!(
        ids(&s, &q(|q| q.kinds = vec![DocKind::Reflection])),
        vec![r]
    );
    // Everything: four dated entries newest first, then the undated goal and people.
    assert_eq!(s.list(&ListQuery::default()).unwrap().len(), 7);
}

#[test]
fn search_finds_words_in_every_text_field() {
    let s = TestStore::new();
    let sam = s.create(person("Sam")).unwrap().meta.id;
    let g = s.create(goal("Ask for help")).unwrap().meta.id;
    let i = s.create(full_interaction(&sam, &g)).unwrap().meta.id;
    let mut w = win("Held my ground", at(3, 5, 9));
    w.details = "grandmother's birthday dinner".into();
    let w = s.create(w).unwrap().meta.id;
    let r = s
        .create(reflection("The argument about chores", at(3, 6, 9)))
        .unwrap()
        .meta
        .id;

    let found = |text: &str| -> Vec<ItemId> {
        s.search(text, 0)
            .unwrap()
            .into_iter()
            .map(|x| x.id)
            .collect()
    };
    assert_eq!(found("calendar"), vec![i.clone()]); // what_they_said
    assert_eq!(found("nervous"), vec![i.clone()]); // a feeling
    assert_eq!(found("brother"), vec![i.clone()]); // an option
    assert_eq!(found("statements"), vec![i.clone()]); // a skill
    assert_eq!(found("birthday"), vec![w.clone()]); // win details
    assert_eq!(found("chores"), vec![r.clone()]); // reflection text
    assert_eq!(found("grand"), vec![w.clone()]); // words are prefixes
    assert_eq!(found("BIRTHDAY dinner"), vec![w]); // every word must match, any case
    assert!(found("birthday chores").is_empty());
    assert!(found("").is_empty());
    assert!(found("   ").is_empty());
}

#[test]
fn search_follows_edits() {
    let s = TestStore::new();
    let r = s
        .create(reflection("tired after the party", at(1, 1, 9)))
        .unwrap();
    s.modify(&r.id, |x: &mut rapport_core::journal::Reflection| {
        x.text = "rested after the walk".into();
        Ok(())
    })
    .unwrap();

    assert!(s.search("party", 0).unwrap().is_empty());
    let hits = s.search("walk", 0).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].title, "rested after the walk");
}

#[test]
fn titles_come_from_the_first_non_empty_line_shortened_to_80_characters() {
    let s = TestStore::new();
    let sam = s.create(person("Sam")).unwrap().meta.id;
    let blank = s
        .create(interaction(&sam, at(1, 1, 9), ""))
        .unwrap()
        .meta
        .id;
    let multi = s
        .create(reflection("\n  first line  \nsecond", at(1, 2, 9)))
        .unwrap()
        .meta
        .id;
    let long = "é".repeat(100);
    let long_id = s.create(reflection(&long, at(1, 3, 9))).unwrap().meta.id;

    let title = |id: &ItemId| {
        s.list(&ListQuery::default())
            .unwrap()
            .into_iter()
            .find(|x| &x.id == id)
            .unwrap()
            .title
    };
    assert_eq!(title(&blank), "Interaction");
    assert_eq!(title(&multi), "first line");
    assert_eq!(title(&long_id), format!("{}…", "é".repeat(79)));
}
