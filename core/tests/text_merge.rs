//! Text that merges: prose fields are Automerge Text, so two devices editing
//! the same reflection offline both keep their edit; documents whose strings
//! are Text (as the JavaScript Automerge writes them) or scalars (as this
//! core wrote them before) both read; and a new entry stays small.
#![allow(clippy::unwrap_used)]

mod common;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use common::{TestStore, at, deliver, exchange, interaction, person, reflection};
use rapport_core::journal::{
    Channel, GoalLink, GotWhatIWanted, Initiator, Interaction, Reflection,
};
use rapport_core::{DocKind, ItemId, Store};

#[test]
fn two_devices_editing_one_reflection_offline_both_keep_both_edits() {
    let phone = TestStore::new();
    let tablet = TestStore::new();
    let r = phone
        .create(reflection("I told Sam how tired I am.", at(3, 2, 21)))
        .unwrap()
        .meta
        .id;
    deliver(&phone, &tablet);

    // Offline on both: one writes at the start, the other at the end.
    phone
        .modify(&r, |x: &mut Reflection| {
            x.text.insert_str(0, "Sunday evening. ");
            Ok(())
        })
        .unwrap();
    tablet
        .modify(&r, |x: &mut Reflection| {
            x.text.push_str(" He listened.");
            Ok(())
        })
        .unwrap();
    exchange(&phone, &tablet);

    for device in [&phone, &tablet] {
        assert_eq!(
            device.get::<Reflection>(&r).unwrap().record.text,
            "Sunday evening. I told Sam how tired I am. He listened."
        );
        // The index follows the merged text.
        assert_eq!(device.search("listened", 10).unwrap().len(), 1);
        assert_eq!(device.search("evening", 10).unwrap().len(), 1);
    }
    assert_eq!(phone.index_dump().unwrap(), tablet.index_dump().unwrap());
}

#[test]
fn two_devices_editing_what_i_said_offline_both_keep_both_edits() {
    let phone = TestStore::new();
    let tablet = TestStore::new();
    let sam = phone.create(person("Sam")).unwrap().meta.id;
    let mut record = interaction(&sam, at(3, 4, 18), "to be heard");
    record.what_i_said = "I need a hand with the move".into();
    let i = phone.create(record).unwrap().meta.id;
    deliver(&phone, &tablet);

    phone
        .modify(&i, |x: &mut Interaction| {
            x.what_i_said.insert_str(0, "Honestly, ");
            Ok(())
        })
        .unwrap();
    tablet
        .modify(&i, |x: &mut Interaction| {
            x.what_i_said.push_str(" this Saturday");
            // A field beside it, edited on the same device, survives too.
            x.mood_after = Some(7);
            Ok(())
        })
        .unwrap();
    exchange(&phone, &tablet);

    for device in [&phone, &tablet] {
        let got = device.get::<Interaction>(&i).unwrap().record;
        assert_eq!(
            got.what_i_said,
            "Honestly, I need a hand with the move this Saturday"
        );
        assert_eq!(got.what_i_wanted, "to be heard");
        assert_eq!(got.mood_after, Some(7));
    }
}

#[test]
fn an_unchanged_save_makes_no_change() {
    let s = TestStore::new();
    let r = s.create(reflection("A quiet day.", at(3, 2, 21))).unwrap();
    let before = s.outbox_len().unwrap();

    let again = s.update(&r.id, r.record.clone()).unwrap();

    assert_eq!(s.outbox_len().unwrap(), before);
    assert_eq!(again.updated_at, r.updated_at);
}

/// The envelope as every implementation writes it, with `kind` as Text or
/// as a scalar string; returns the record map.
fn envelope(doc: &mut AutoCommit, kind: DocKind, as_text: bool) -> ObjId {
    put_str(doc, &ROOT, "kind", kind.as_str(), as_text);
    doc.put(ROOT, "shared", false).unwrap();
    doc.put(ROOT, "deleted", false).unwrap();
    doc.put(ROOT, "created_at", 1_741_111_200_000_i64).unwrap();
    doc.put(ROOT, "updated_at", 1_741_111_200_000_i64).unwrap();
    doc.put_object(ROOT, "record", ObjType::Map).unwrap()
}

fn put_str(doc: &mut AutoCommit, obj: &ObjId, key: &str, value: &str, as_text: bool) {
    if as_text {
        let text = doc.put_object(obj, key, ObjType::Text).unwrap();
        doc.splice_text(&text, 0, 0, value).unwrap();
    } else {
        doc.put(obj, key, value).unwrap();
    }
}

fn push_str(doc: &mut AutoCommit, list: &ObjId, value: &str, as_text: bool) {
    let i = doc.length(list);
    if as_text {
        let text = doc.insert_object(list, i, ObjType::Text).unwrap();
        doc.splice_text(&text, 0, 0, value).unwrap();
    } else {
        doc.insert(list, i, value).unwrap();
    }
}

/// An interaction written field by field with the Automerge API, every
/// string (ids and enum values too) as Text or as a scalar. Numbers are
/// unsigned, as this core writes them.
fn written_elsewhere(as_text: bool) -> AutoCommit {
    let mut doc = AutoCommit::new();
    let record = envelope(&mut doc, DocKind::Interaction, as_text);
    let doc = &mut doc;
    put_str(doc, &record, "person_id", "person-sam", as_text);
    doc.put(&record, "occurred_at", 1_741_111_200_000_i64)
        .unwrap();
    put_str(doc, &record, "channel", "Phone", as_text);
    put_str(doc, &record, "initiated_by", "Them", as_text);
    put_str(doc, &record, "what_i_wanted", "Help with the move", as_text);
    put_str(doc, &record, "what_they_wanted", "Time to think", as_text);
    put_str(
        doc,
        &record,
        "what_i_said",
        "I feel stretched thin",
        as_text,
    );
    put_str(doc, &record, "what_they_said", "Let me check", as_text);
    let feelings = doc.put_object(&record, "feelings", ObjType::List).unwrap();
    let feeling = doc.insert_object(&feelings, 0, ObjType::Map).unwrap();
    put_str(doc, &feeling, "label", "nervous", as_text);
    doc.put(&feeling, "intensity", ScalarValue::Uint(7))
        .unwrap();
    doc.put(&record, "mood_before", ScalarValue::Uint(4))
        .unwrap();
    doc.put(&record, "mood_after", ScalarValue::Null).unwrap();
    put_str(doc, &record, "got_what_i_wanted", "Partly", as_text);
    doc.put(&record, "relationship", ScalarValue::Null).unwrap();
    let options = doc.put_object(&record, "options", ObjType::List).unwrap();
    push_str(doc, &options, "ask again on Sunday", as_text);
    push_str(doc, &options, "ask my brother", as_text);
    put_str(doc, &record, "chosen_option", "ask my brother", as_text);
    let skills = doc
        .put_object(&record, "skills_used", ObjType::List)
        .unwrap();
    push_str(doc, &skills, "\"I\" statements", as_text);
    let goal = doc.put_object(&record, "goal", ObjType::Map).unwrap();
    put_str(doc, &goal, "goal_id", "goal-move", as_text);
    put_str(doc, &goal, "milestone_id", "m1", as_text);
    doc.clone()
}

fn expected() -> Interaction {
    let mut x = Interaction::new(ItemId::new("person-sam"), at(3, 4, 18), Channel::Phone);
    x.initiated_by = Initiator::Them;
    x.what_i_wanted = "Help with the move".into();
    x.what_they_wanted = "Time to think".into();
    x.what_i_said = "I feel stretched thin".into();
    x.what_they_said = "Let me check".into();
    x.feelings = vec![rapport_core::journal::Feeling {
        label: "nervous".into(),
        intensity: 7,
    }];
    x.mood_before = Some(4);
    x.got_what_i_wanted = Some(GotWhatIWanted::Partly);
    x.options = vec!["ask again on Sunday".into(), "ask my brother".into()];
    x.chosen_option = Some("ask my brother".into());
    x.skills_used = vec!["\"I\" statements".into()];
    x.goal = Some(GoalLink {
        goal_id: ItemId::new("goal-move"),
        milestone_id: Some("m1".into()),
    });
    x
}

/// The stored document of `id`, and its record map.
fn stored(s: &Store, id: &ItemId) -> (AutoCommit, ObjId) {
    let (_, bytes) = s.export_document(id).unwrap();
    let doc = AutoCommit::load(&bytes).unwrap();
    let Some((Value::Object(ObjType::Map), record)) = doc.get(ROOT, "record").unwrap() else {
        panic!("no record map");
    };
    (doc, record)
}

fn is_text(doc: &AutoCommit, record: &ObjId, key: &str) -> bool {
    matches!(
        doc.get(record, key).unwrap(),
        Some((Value::Object(ObjType::Text), _))
    )
}

#[test]
fn a_document_whose_strings_are_text_objects_reads_and_merges() {
    let mut elsewhere = written_elsewhere(true);
    let s = TestStore::new();
    let id = ItemId::new("interaction-from-js");
    assert!(
        s.apply_changes(&id, DocKind::Interaction, &elsewhere.save())
            .unwrap()
    );
    assert_eq!(s.get::<Interaction>(&id).unwrap().record, expected());
    assert_eq!(s.search("stretched", 10).unwrap().len(), 1);

    // Both sides edit what I said; the other side's Text object is the one
    // edited here, so the edits merge.
    s.modify(&id, |x: &mut Interaction| {
        x.what_i_said.push_str(" lately");
        Ok(())
    })
    .unwrap();
    let heads = elsewhere.get_heads();
    let (_, said) = elsewhere
        .get(
            &elsewhere.get(ROOT, "record").unwrap().unwrap().1,
            "what_i_said",
        )
        .unwrap()
        .unwrap();
    elsewhere.splice_text(&said, 0, 1, "Really, i").unwrap();
    s.apply_changes(&id, DocKind::Interaction, &elsewhere.save_after(&heads))
        .unwrap();
    for change in s.pending_changes(0, 100).unwrap() {
        elsewhere.load_incremental(&change.data).unwrap();
    }

    let merged = "Really, i feel stretched thin lately";
    assert_eq!(
        s.get::<Interaction>(&id).unwrap().record.what_i_said,
        merged
    );
    assert_eq!(elsewhere.text(&said).unwrap(), merged);
}

#[test]
fn an_old_document_with_scalar_strings_reads_and_its_text_becomes_text_when_written() {
    let old = written_elsewhere(false);
    let s = TestStore::new();
    let id = ItemId::new("interaction-of-last-year");
    s.apply_changes(&id, DocKind::Interaction, &old.clone().save())
        .unwrap();
    assert_eq!(s.get::<Interaction>(&id).unwrap().record, expected());
    let (doc, record) = stored(&s, &id);
    assert!(!is_text(&doc, &record, "what_i_said"));

    // An unchanged save writes nothing: the document stays as it was.
    let outbox = s.outbox_len().unwrap();
    s.update(&id, expected()).unwrap();
    assert_eq!(s.outbox_len().unwrap(), outbox);

    s.modify(&id, |x: &mut Interaction| {
        x.mood_after = Some(6);
        Ok(())
    })
    .unwrap();
    let (doc, record) = stored(&s, &id);
    for field in [
        "what_i_wanted",
        "what_they_wanted",
        "what_i_said",
        "what_they_said",
    ] {
        assert!(is_text(&doc, &record, field), "{field} is still a scalar");
    }
    // Ids, enum values and short labels stay scalars.
    for field in ["person_id", "channel", "chosen_option"] {
        assert!(!is_text(&doc, &record, field), "{field} became Text");
    }
    let mut now = expected();
    now.mood_after = Some(6);
    assert_eq!(s.get::<Interaction>(&id).unwrap().record, now);

    // From then on, edits of it merge like any other.
    let other = TestStore::new();
    let (kind, whole) = s.export_document(&id).unwrap();
    other.apply_changes(&id, kind, &whole).unwrap();
    s.modify(&id, |x: &mut Interaction| {
        x.what_i_said.insert_str(0, "Today ");
        Ok(())
    })
    .unwrap();
    other
        .modify(&id, |x: &mut Interaction| {
            x.what_i_said.push_str(" again");
            Ok(())
        })
        .unwrap();
    exchange(&s, &other);
    for device in [&s, &other] {
        assert_eq!(
            device.get::<Interaction>(&id).unwrap().record.what_i_said,
            "Today I feel stretched thin again"
        );
    }
}

/// The bytes of the first change of a new entry, as the sync engine seals
/// it. Text costs a little more than a scalar string; an edit sends only
/// what changed instead of the whole string.
#[test]
fn a_new_entry_stays_small_and_an_edit_sends_only_what_changed() {
    let words = |n: usize| {
        ["talked", "dinner", "sister", "calm", "weekend", "apology"]
            .iter()
            .cycle()
            .take(n)
            .copied()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let s = TestStore::new();
    // The entry of tests/benches/sync.rs's "one new entry".
    s.create(rapport_core::journal::Win {
        occurred_at: at(3, 4, 18),
        title: "one more win 0".into(),
        details: words(6),
        goal: None,
    })
    .unwrap();
    let win: usize = s.pending_changes(0, 10).unwrap()[0].data.len();

    let s = TestStore::new();
    let r = s.create(reflection(&words(60), at(3, 4, 18))).unwrap();
    let created = s.pending_changes(0, 10).unwrap()[0].data.len();
    s.modify(&r.id, |x: &mut Reflection| {
        x.text.push_str(" and then we had coffee");
        Ok(())
    })
    .unwrap();
    let edit = s.pending_changes(0, 10).unwrap()[1].data.len();

    eprintln!("new win {win} bytes, new reflection {created}, appended words {edit}");
    // 239 bytes with scalar strings, 273 with Text.
    assert!(win <= 300, "a new win takes {win} bytes");
    // 611 bytes with scalars, 651 with Text (60 words).
    assert!(created <= 700, "a new reflection takes {created} bytes");
    // 575 bytes with scalars (the whole text again), 172 with Text.
    assert!(edit <= 220, "appending to a reflection takes {edit} bytes");
}
