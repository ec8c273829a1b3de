//! The core's fuzz targets on stable: the committed corpus of
//! `apply_changes` and `import_export`, every crash they found, and the
//! seeds they started from go through the targets' bodies
//! (`rapport_core::fuzz`), which panic on anything but a clean result or a
//! clean refusal.
#![allow(clippy::unwrap_used)]

#[path = "../../fuzz/replay.rs"]
mod replay;

use chrono::{DateTime, TimeZone, Utc};
use rapport_core::checkin::{MoodCheckIn, Phq9CheckIn};
use rapport_core::fuzz::{AS_PAGE, DOC_ID, ON_BASE, apply_changes, base_document, import_export};
use rapport_core::goal::Goal;
use rapport_core::inventory::{Person, Ring};
use rapport_core::journal::{Feeling, Interaction, Reflection, Win};
use rapport_core::safety::{CrisisContact, CrisisResource};
use rapport_core::{DocKind, ItemId, Store};

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, day, 18, 0, 0)
        .single()
        .unwrap()
}

fn memory() -> Store {
    Store::open(":memory:").unwrap()
}

fn with_mode(mode: u8, data: &[u8]) -> Vec<u8> {
    [&[mode][..], data].concat()
}

fn kind_index(kind: DocKind) -> u8 {
    DocKind::ALL.iter().position(|k| *k == kind).unwrap() as u8
}

/// A small record of several kinds: a person, a goal, a win, a mood and a
/// PHQ-9 check-in, a reflection written and then deleted.
fn small_record() -> Store {
    let s = memory();
    let person = s
        .create(Person::new("Sam", "partner", Ring::Inner))
        .unwrap();
    s.create(Goal::new("Ask Sam for help", at(1))).unwrap();
    let win = s
        .create(Win {
            occurred_at: at(2),
            title: "Said no kindly".into(),
            details: String::new(),
            goal: None,
        })
        .unwrap();
    s.set_shared(&win.id, true).unwrap();
    s.create(MoodCheckIn {
        at: at(3),
        rating: 6,
        event: "a walk with Sam".into(),
        crisis: false,
    })
    .unwrap();
    s.create(Phq9CheckIn {
        at: at(3),
        items: vec![1, 1, 0, 2, 1, 0, 1, 0, 0],
    })
    .unwrap();
    let gone = s
        .create(Reflection {
            written_at: at(4),
            text: "to delete".into(),
            person_id: Some(person.meta.id),
            goal: None,
        })
        .unwrap();
    s.delete(&gone.id).unwrap();
    s
}

/// New documents of several kinds (their first changes, and a saved
/// document said to be of its kind and of another), and changes made
/// elsewhere to the base document: alone, out of order, and as a page.
fn apply_seeds() -> Vec<Vec<u8>> {
    let mut seeds: Vec<Vec<u8>> = small_record()
        .pending_changes(0, 1000)
        .unwrap()
        .into_iter()
        .map(|c| with_mode(kind_index(c.kind), &c.data))
        .collect();
    let base = base_document();
    seeds.push(with_mode(kind_index(DocKind::Interaction), &base));
    seeds.push(with_mode(kind_index(DocKind::Win), &base));

    let elsewhere = memory();
    let id = ItemId::new(DOC_ID);
    elsewhere
        .apply_changes(&id, DocKind::Interaction, &base)
        .unwrap();
    elsewhere
        .modify::<Interaction>(&id, |r| {
            r.what_i_said = "I felt unheard".into();
            r.mood_after = Some(7);
            r.feelings.push(Feeling {
                label: "relief".into(),
                intensity: 6,
            });
            Ok(())
        })
        .unwrap();
    elsewhere.set_shared(&id, true).unwrap();
    elsewhere.delete(&id).unwrap();
    let changes: Vec<Vec<u8>> = elsewhere
        .pending_changes(0, 1000)
        .unwrap()
        .into_iter()
        .map(|c| c.data)
        .collect();
    for change in &changes {
        seeds.push(with_mode(ON_BASE, change));
    }
    seeds.push(with_mode(
        ON_BASE | AS_PAGE,
        &[&changes[0][..], &changes[0]].concat(),
    ));
    seeds.push(with_mode(
        ON_BASE | AS_PAGE,
        &[&changes[0][..], &changes[1]].concat(),
    ));
    seeds
}

/// Exports: a small record with crisis resources, the same with a document
/// another account owns, and an empty record.
fn import_seeds() -> Vec<Vec<u8>> {
    let s = small_record();
    let resource = |name: &str, contact| CrisisResource {
        name: name.into(),
        contact,
        hours: "24/7".into(),
        region: Some("GB".into()),
    };
    s.set_crisis_resources(vec![
        resource(
            "Text line",
            CrisisContact::Text {
                number: "85258".into(),
            },
        ),
        resource(
            "Chat",
            CrisisContact::Web {
                url: "https://example.org/chat".into(),
            },
        ),
    ])
    .unwrap();
    let export = s.export_json().unwrap();
    let mut owned: serde_json::Value = serde_json::from_str(&export).unwrap();
    owned["documents"][0]["owner"] = "acct-eve".into();
    vec![
        export.into_bytes(),
        serde_json::to_vec(&owned).unwrap(),
        memory().export_json().unwrap().into_bytes(),
    ]
}

#[test]
fn the_apply_changes_corpus_and_regressions_pass_the_target() {
    replay::replay("apply_changes", &apply_seeds(), apply_changes);
}

#[test]
fn the_import_export_corpus_and_regressions_pass_the_target() {
    replay::replay("import_export", &import_seeds(), import_export);
}

#[test]
#[ignore = "writes the seeds into fuzz/corpus for a first fuzzing run"]
fn write_seeds() {
    replay::write_seeds("apply_changes", &apply_seeds());
    replay::write_seeds("import_export", &import_seeds());
}
