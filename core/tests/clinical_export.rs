//! Export and import of everything the device holds, the readable Markdown
//! document, refusal of bad files, and deleting everything for real.
#![allow(clippy::unwrap_used)]

mod common;
mod course;

use common::TestStore;
use course::{at, day};
use rapport_core::Store;
use rapport_core::clinical::{DateRange, EXPORT_VERSION, ImportError, Whose};
use rapport_core::journal::Reflection;
use rapport_core::note::{Note, NoteSubject};
use rapport_core::profile::AfterCarePlan;
use rapport_core::safety::{CrisisContact, CrisisResource};

/// The course, a private reflection, a therapist's note, an after-care plan,
/// a deleted item and configured crisis resources.
fn full_record() -> (TestStore, course::Course) {
    let s = TestStore::on_tmpfs();
    let c = course::build(&s);
    s.create(Reflection {
        written_at: at(2, 14, 22),
        text: "Zanzibarquux: a private thought".into(),
        person_id: None,
        goal: None,
    })
    .unwrap();
    let gone = s
        .create(Reflection {
            written_at: at(2, 14, 23),
            text: "deleted later".into(),
            person_id: None,
            goal: None,
        })
        .unwrap()
        .meta
        .id;
    s.delete(&gone).unwrap();
    s.set_shared(&c.win6, true).unwrap();
    s.save_after_care_plan(AfterCarePlan {
        warning_signs: vec!["Sleeping badly".into()],
        plan_for_after: "Sunday talks".into(),
    })
    .unwrap();
    s.set_crisis_resources(vec![CrisisResource {
        name: "Crisis line".into(),
        contact: CrisisContact::Phone {
            number: "116 123".into(),
        },
        hours: String::new(),
        region: None,
    }])
    .unwrap();
    let therapist = TestStore::on_tmpfs();
    let note = therapist
        .create(Note {
            client_id: "acct-dana".into(),
            subject: NoteSubject::Item { id: c.win6.clone() },
            text: "Well done".into(),
            written_at: at(2, 16, 9),
        })
        .unwrap()
        .meta
        .id;
    course::share(&therapist, &s, "acct-eve", &[note]);
    (s, c)
}

/// Everything an export shows of a store, without the export time.
fn contents(s: &Store) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_str(&s.export_json().unwrap()).unwrap();
    v.as_object_mut().unwrap().remove("exported_at");
    v
}

fn snapshot(
    s: &Store,
) -> (
    serde_json::Value,
    Vec<(rapport_core::store::Summary, String)>,
) {
    (contents(s), s.index_dump().unwrap())
}

#[test]
fn export_then_import_into_an_empty_store_gives_the_same_record() {
    let (s, c) = full_record();
    let json = s.export_json().unwrap();
    let target = TestStore::on_tmpfs();
    let report = target.import_json(&json).unwrap();
    assert_eq!(report.documents as usize, s.document_ids().unwrap().len());
    assert_eq!(report.changed, report.documents);
    assert!(report.crisis_resources);

    assert_eq!(snapshot(&target), snapshot(&s));
    assert_eq!(target.document_ids().unwrap(), s.document_ids().unwrap());
    for id in s.document_ids().unwrap() {
        assert_eq!(target.owner_of(&id).unwrap(), s.owner_of(&id).unwrap());
        assert_eq!(
            target.export_document(&id).unwrap(),
            s.export_document(&id).unwrap()
        );
    }
    assert_eq!(
        target.crisis_resources().unwrap(),
        s.crisis_resources().unwrap()
    );
    assert_eq!(
        target.after_care_plan().unwrap(),
        s.after_care_plan().unwrap()
    );
    let week = Some(DateRange::new(day(2, 9), day(2, 16)).unwrap());
    assert_eq!(
        target
            .session_summary(&Whose::Mine, week, day(2, 15))
            .unwrap(),
        s.session_summary(&Whose::Mine, week, day(2, 15)).unwrap()
    );
    // Own documents wait in the outbox so a restored record reaches a server;
    // the therapist's note is not ours to push.
    let own = s
        .document_ids()
        .unwrap()
        .into_iter()
        .filter(|id| s.owner_of(id).unwrap().is_none())
        .count();
    assert_eq!(target.outbox_len().unwrap(), own);

    // Importing the same file again changes nothing.
    assert_eq!(target.import_json(&json).unwrap().changed, 0);
    assert_eq!(snapshot(&target), snapshot(&s));

    // The file carries a readable copy beside the bytes.
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["format"], "rapport-export");
    assert_eq!(v["version"], EXPORT_VERSION);
    let win = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == c.win6.as_str())
        .unwrap();
    assert_eq!(win["kind"], "win");
    assert_eq!(
        win["readable"]["record"]["title"],
        "Asked Sam for help with dinner"
    );
    assert_eq!(win["readable"]["shared"], true);
}

#[test]
fn the_markdown_export_reads_as_a_document() {
    let (s, _) = full_record();
    let md = s.export_markdown(&Whose::Mine).unwrap();
    for expected in [
        "# My Rapport record",
        "not monitored in real time",
        "- Focus: role dispute",
        "### Warning signs\n\n- Sleeping badly",
        "### Sam (partner), inner ring",
        "- Role dispute: renegotiation since 2026-02-10 19:00 UTC (We agreed to talk on Sundays)",
        "### Ask R. for flexible hours (dropped, set 2026-01-20 12:00 UTC)",
        "- [x] Raise it when calm (reached 2026-01-28 20:00 UTC)",
        "- [ ] Join the running club",
        "- Barrier, 2026-02-11 08:00 UTC: Too tired after work",
        "### 2026-02-10 18:00 UTC: interaction with Sam (in person)",
        "- Mood: 4 before, 7 after",
        "### 2026-02-15 09:00 UTC: PHQ-9 9/27 (Mild)",
        "- Item 9 above 0: flagged for the next session review",
        "- Real outcome (2026-02-10 18:00 UTC): Let's try a plan on Sundays",
        "## Notes from my therapist",
        "Well done",
    ] {
        assert!(md.contains(expected), "missing {expected:?} in:\n{md}");
    }
    assert!(!md.contains("deleted later"));
    // Entries come in date order.
    let first = md.find("2026-01-04 09:00 UTC: PHQ-9").unwrap();
    let later = md.find("2026-02-15 09:00 UTC: PHQ-9").unwrap();
    assert!(first < later);
}

fn refused(target: &Store, file: &str) -> ImportError {
    let before = snapshot(target);
    let err = target.import_json(file).unwrap_err();
    assert_eq!(snapshot(target), before, "the store changed after {err}");
    err
}

#[test]
fn bad_files_are_refused_and_change_nothing() {
    let (s, _) = full_record();
    let json = s.export_json().unwrap();
    for target in [TestStore::on_tmpfs(), {
        // A store with a record of its own must keep it unchanged too.
        let t = TestStore::on_tmpfs();
        course::build(&t);
        t
    }] {
        assert!(matches!(
            refused(&target, "{not json"),
            ImportError::Malformed { .. }
        ));
        assert!(matches!(
            refused(&target, ""),
            ImportError::Malformed { .. }
        ));
        assert!(matches!(
            refused(&target, "[1, 2]"),
            ImportError::Malformed { .. }
        ));
        assert!(matches!(
            refused(&target, r#"{"format": "something-else", "version": 1}"#),
            ImportError::Malformed { .. }
        ));
        // Truncated anywhere.
        for cut in [json.len() / 3, json.len() / 2, json.len() - 2] {
            assert!(matches!(
                refused(&target, &json[..cut]),
                ImportError::Malformed { .. }
            ));
        }
        // A newer format.
        let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
        v["version"] = serde_json::json!(EXPORT_VERSION + 1);
        v["documents"] = serde_json::json!("a shape this version does not know");
        match refused(&target, &v.to_string()) {
            ImportError::NewerFormat { found, supported } => {
                assert_eq!(
                    (found, supported),
                    (u64::from(EXPORT_VERSION) + 1, EXPORT_VERSION)
                );
            }
            other => panic!("expected NewerFormat, got {other}"),
        }
        // A document whose bytes are damaged (the last one, so that others
        // were already applied inside the transaction).
        let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let docs = v["documents"].as_array_mut().unwrap();
        let last = docs.len() - 1;
        let id = docs[last]["id"].as_str().unwrap().to_owned();
        let hex = docs[last]["automerge"].as_str().unwrap().to_owned();
        let mid = hex.len() / 2;
        let damaged = format!("{}{}{}", &hex[..mid], "ff".repeat(8), &hex[mid + 16..]);
        docs[last]["automerge"] = serde_json::json!(damaged);
        match refused(&target, &v.to_string()) {
            ImportError::DamagedDocument { doc_id } => assert_eq!(doc_id, id),
            other => panic!("expected DamagedDocument, got {other}"),
        }
        // Not hex at all, or another kind's bytes under this kind.
        let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
        v["documents"][0]["automerge"] = serde_json::json!("zz");
        assert!(matches!(
            refused(&target, &v.to_string()),
            ImportError::DamagedDocument { .. }
        ));
        let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let kind = v["documents"][0]["kind"].as_str().unwrap().to_owned();
        let other_kind = if kind == "win" { "goal" } else { "win" };
        v["documents"][0]["kind"] = serde_json::json!(other_kind);
        assert!(matches!(
            refused(&target, &v.to_string()),
            ImportError::DamagedDocument { .. }
        ));
    }
}

fn file_contains(path: &std::path::Path, needle: &[u8]) -> bool {
    let mut found = false;
    for suffix in ["", "-wal"] {
        let p = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
        if let Ok(bytes) = std::fs::read(&p) {
            found |= bytes.windows(needle.len()).any(|w| w == needle);
        }
    }
    found
}

#[test]
fn deleting_everything_leaves_nothing_readable() {
    let (s, c) = full_record();
    let path = s.path();
    assert!(
        file_contains(&path, b"Zanzibarquux"),
        "the word should be on disk first"
    );

    let deleted = s.delete_everything().unwrap();
    assert!(deleted > 50);
    assert!(s.document_ids().unwrap().is_empty());
    assert!(s.list(&Default::default()).unwrap().is_empty());
    assert!(s.search("Zanzibarquux", 0).unwrap().is_empty());
    assert!(s.search("Sam", 0).unwrap().is_empty());
    assert_eq!(s.outbox_len().unwrap(), 0);
    assert!(s.documents_owned_by("acct-eve").unwrap().is_empty());
    assert!(s.export_document(&c.win6).is_err());
    assert!(s.own_crisis_resources().unwrap().is_empty());
    assert_eq!(
        s.crisis_resources().unwrap(),
        rapport_core::safety::defaults_for(None)
    );
    assert_eq!(s.after_care_plan().unwrap(), AfterCarePlan::default());
    let export: serde_json::Value = serde_json::from_str(&s.export_json().unwrap()).unwrap();
    assert_eq!(export["documents"], serde_json::json!([]));
    assert!(!file_contains(&path, b"Zanzibarquux"));
    assert!(!file_contains(&path, b"Asked Sam for help"));

    // Reopened, the store is empty and works.
    let s = s.reopen();
    assert!(s.document_ids().unwrap().is_empty());
    let new = s
        .create(Reflection {
            written_at: at(3, 1, 9),
            text: "a fresh start".into(),
            person_id: None,
            goal: None,
        })
        .unwrap();
    assert_eq!(s.document_ids().unwrap(), vec![new.meta.id]);
}
