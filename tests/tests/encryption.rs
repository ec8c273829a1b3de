//! End-to-end encryption through the real server: the server's files hold
//! no content, a revoked therapist holding the whole server database reads
//! nothing written afterwards, tampered or moved bundles are refused, a
//! swapped public key is caught, and a paired or restored device reads
//! every epoch.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use chrono::{TimeZone, Utc};
use rapport_core::ItemId;
use rapport_core::checkin::MoodCheckIn;
use rapport_core::goal::Goal;
use rapport_core::inventory::{Person, Ring};
use rapport_core::journal::{Channel, Interaction, Reflection, Win};
use rapport_core::note::{Note, NoteSubject};
use rapport_core::rehearsal::Rehearsal;
use rapport_core::sync::SyncError;
use rapport_crypto::{
    AccountKey, BundleHeader, BundleLabels, CryptoError, DocKey, PairingRequest, Wrap, open_bundle,
    read_header,
};
use rapport_protocol::{DocKind, Role};
use rapport_tests::fault_proxy::FaultProxy;
use rapport_tests::server_copy::{bundles_of, cbor, db, keys_in_database, opens};
use rapport_tests::{Device, Server, link};

/// The first four bytes of every Automerge document and change chunk.
const AUTOMERGE_MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];

/// A new win titled `title` on `device`, dated in May 2026.
fn win(device: &Device, title: &str) -> ItemId {
    let at = Utc.with_ymd_and_hms(2026, 5, 6, 8, 0, 0).unwrap();
    device
        .store
        .create(Win {
            occurred_at: at,
            title: title.into(),
            details: String::new(),
            goal: None,
        })
        .unwrap()
        .meta
        .id
}

fn canary(field: &str) -> String {
    format!("CANARY-{field}-7f3a91")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every byte the server wrote: the database, its WAL and shared memory.
fn server_files(server: &Server) -> Vec<(String, Vec<u8>)> {
    let dir = server.database().parent().unwrap().to_owned();
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_files_hold_no_content_of_any_kind() {
    no_content_on_the_server(Server::start_sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgresql_dump_holds_no_content_of_any_kind() {
    let Some(server) = Server::start_postgres() else {
        println!(
            "not run here: scripts/test-server-postgres runs it with RAPPORT_TEST_POSTGRES_URL"
        );
        return;
    };
    no_content_on_the_server(server).await;
}

/// A plain-text dump of the server's PostgreSQL database.
fn pg_dump(url: &str) -> Vec<u8> {
    let bin = std::fs::read_dir("/usr/lib/postgresql")
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path().join("bin/pg_dump")))
        .filter(|p| p.exists())
        .max()
        .expect("pg_dump (scripts/test-server-postgres installs PostgreSQL)");
    let out = std::process::Command::new(bin)
        .args(["--no-owner", "--data-only", "-d", url])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Hex as `pg_dump` writes a bytea, to look for Automerge's header in it.
fn pg_hex(bytes: &[u8]) -> Vec<u8> {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()
        .into_bytes()
}

async fn no_content_on_the_server(mut server: Server) {
    // Every device talks to the server through a proxy that passes
    // everything and keeps every answer, to search the response bodies too.
    let wire = FaultProxy::start(&server.url, 1).await;
    let phone = Device::sign_up(&wire.url, "ava@example.org", Role::Client).await;
    let tablet = Device::sign_in(&wire.url, "ava@example.org", &phone).await;
    let therapist = Device::sign_up(&wire.url, "dr.ben@example.org", Role::Therapist).await;
    let care = link(&phone, &therapist).await;
    phone.sync.links().await.unwrap();

    let at = Utc.with_ymd_and_hms(2026, 5, 4, 19, 0, 0).unwrap();
    let s = &phone.store;
    let mut person = Person::new(canary("nickname"), canary("relationship"), Ring::Inner);
    person.gives = canary("gives");
    person.goes_wrong = canary("goes_wrong");
    person.my_expectations = canary("my_expectations");
    person.their_expectations = canary("their_expectations");
    person.notes = canary("person_notes");
    let person = s.create(person).unwrap().meta.id;
    let mut talk = Interaction::new(person.clone(), at, Channel::Phone);
    talk.what_i_wanted = canary("what_i_wanted");
    talk.what_they_wanted = canary("what_they_wanted");
    talk.what_i_said = canary("what_i_said");
    talk.what_they_said = canary("what_they_said");
    talk.options = vec![canary("option")];
    let talk = s.create(talk).unwrap().meta.id;
    let win = s
        .create(Win {
            occurred_at: at,
            title: canary("win_title"),
            details: canary("win_details"),
            goal: None,
        })
        .unwrap()
        .meta
        .id;
    let private = s
        .create(Reflection {
            written_at: at,
            text: canary("reflection"),
            person_id: Some(person.clone()),
            goal: None,
        })
        .unwrap()
        .meta
        .id;
    let mut goal = Goal::new(canary("goal_title"), at);
    goal.description = canary("goal_description");
    let goal = s.create(goal).unwrap().meta.id;
    s.add_milestone(&goal, &canary("milestone")).unwrap();
    s.create(MoodCheckIn {
        at,
        rating: 4,
        event: canary("mood_event"),
        crisis: false,
    })
    .unwrap();
    s.create(Rehearsal {
        person_id: person.clone(),
        scenario: canary("scenario"),
        what_i_want_to_say: canary("want_to_say"),
        how_they_may_answer: canary("may_answer"),
        confidence_before: Some(3),
        confidence_after: None,
        practiced_at: at,
        outcome_interaction_id: None,
    })
    .unwrap();
    for shared in [&talk, &win, &goal] {
        s.set_shared(shared, true).unwrap();
    }
    phone.sync().await;
    tablet.sync().await;
    therapist.sync().await;
    let note = therapist
        .sync
        .write_note(Note {
            client_id: care.client.clone(),
            subject: NoteSubject::Item { id: win.clone() },
            text: canary("note"),
            written_at: at,
        })
        .unwrap();
    therapist.sync().await;
    phone.sync().await;

    // Everyone who should read does.
    let theirs = tablet.store.get::<Reflection>(&private).unwrap().record;
    assert_eq!(theirs.text, canary("reflection"));
    let shared = therapist.store.get::<Interaction>(&talk).unwrap().record;
    assert_eq!(shared.what_they_said, canary("what_they_said"));
    assert!(therapist.store.get::<Reflection>(&private).is_err());
    let received = phone.store.get::<Note>(&note.id).unwrap().record;
    assert_eq!(received.text, canary("note"));

    // No answer of the server carried a canary or an Automerge document:
    // what it serves is sealed, to the devices and to anyone on the way.
    let answers = wire.answers();
    assert!(answers.len() > 10_000, "{} bytes of answers", answers.len());
    assert!(contains(&answers, b"HTTP/1.1 200"), "answers recorded");
    assert!(!contains(&answers, b"CANARY-"), "a canary in an answer");
    assert!(
        !contains(&answers, &AUTOMERGE_MAGIC),
        "Automerge bytes in an answer"
    );

    if let Some(url) = server.postgres_url() {
        let dump = pg_dump(url);
        assert!(dump.len() > 1000, "the dump holds the data");
        assert!(!contains(&dump, b"CANARY-"), "a canary in the dump");
        // COPY writes a bytea as \\x<hex>: no part starts with Automerge's magic.
        assert!(!contains(
            &dump,
            &[br"\\x".as_slice(), &pg_hex(&AUTOMERGE_MAGIC)].concat()
        ));
        let log = std::fs::read(server.log()).unwrap();
        assert!(contains(&log, b"synced"), "the log is at info");
        assert!(!contains(&log, b"CANARY-"), "a canary in the log");
        return;
    }
    // Every stored bundle and snapshot is sealed; tags are blinded.
    let conn = db(&server);
    let mut stmt = conn
        .prepare(
            "SELECT data FROM bundles WHERE data IS NOT NULL UNION ALL SELECT data FROM snapshots",
        )
        .unwrap();
    let blobs: Vec<Vec<u8>> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(blobs.len() >= 10, "{} blobs", blobs.len());
    assert!(blobs.iter().all(|b| rapport_crypto::is_sealed(b)));
    let tags: Vec<String> = conn
        .prepare("SELECT tag FROM doc_tags")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(!tags.is_empty());
    assert!(
        tags.iter()
            .all(|t| t.starts_with(rapport_crypto::BLINDED_TAG_PREFIX)
                && !t.contains(person.as_str())),
        "{tags:?}"
    );
    drop(stmt);
    drop(conn);

    // No canary and no Automerge header anywhere in the files, the log
    // among them (ids are there: the server routes by them),
    // while the server runs (WAL) and after it stopped.
    for moment in ["running", "stopped"] {
        if moment == "stopped" {
            server.kill();
        }
        for (name, bytes) in server_files(&server) {
            assert!(
                !contains(&bytes, b"CANARY-"),
                "a canary in {name} ({moment})"
            );
            assert!(
                !contains(&bytes, &AUTOMERGE_MAGIC),
                "Automerge bytes in {name} ({moment})"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_therapist_with_the_whole_server_database_reads_nothing_newer() {
    let server = Server::start_sqlite();
    let client = Device::sign_up(&server.url, "cai@example.org", Role::Client).await;
    let therapist = Device::sign_up(&server.url, "dr.dee@example.org", Role::Therapist).await;
    let care = link(&client, &therapist).await;
    client.sync.links().await.unwrap();
    let win = win(&client, "before");
    client.store.set_shared(&win, true).unwrap();
    client.sync().await;
    therapist.sync().await;
    assert_eq!(
        therapist.store.get::<Win>(&win).unwrap().record.title,
        "before"
    );

    // Unshared: the server cuts access and the client starts epoch 2.
    client.store.set_shared(&win, false).unwrap();
    client.sync().await;
    client
        .store
        .modify(&win, |w: &mut Win| {
            w.title = canary("after_revocation");
            Ok(())
        })
        .unwrap();
    client.sync().await;

    let theirs = therapist.sync.account_key().unwrap();
    let keys = keys_in_database(&server, &care.therapist.0, &theirs);
    assert!(
        keys.contains_key(&(win.to_string(), 1)),
        "the old key stays seen"
    );
    assert!(!keys.contains_key(&(win.to_string(), 2)));
    let conn = db(&server);
    // The therapist's key was sealed in wrap format 2, which the server keeps.
    let theirs: Vec<Wrap> = conn
        .prepare("SELECT body FROM wraps WHERE recipient_id = ?1")
        .unwrap()
        .query_map([&care.therapist.0], |r| r.get::<_, Vec<u8>>(0))
        .unwrap()
        .map(|body| cbor(&body.unwrap()))
        .collect();
    assert!(!theirs.is_empty());
    assert!(
        theirs
            .iter()
            .all(|w| w.format == rapport_crypto::format::WRAP_FORMAT_SHARED)
    );
    // Format 2: the labels are the envelope's, which the server keeps.
    let bundles = bundles_of(&server, &win, "win");
    assert!(
        bundles
            .iter()
            .all(|(_, b)| read_header(b).unwrap() == BundleHeader::V2)
    );
    let newer: Vec<&(BundleLabels, Vec<u8>)> =
        bundles.iter().filter(|(l, _)| l.epoch >= 2).collect();
    assert!(
        !newer.is_empty(),
        "the edit after revocation is sealed under epoch 2"
    );
    let keys: Vec<DocKey> = keys.into_values().collect();
    for (labels, bundle) in newer {
        assert!(
            !opens(bundle, labels, &keys, &server),
            "epoch {} opened with a revoked key",
            labels.epoch
        );
    }
    // The client's own devices still read it all.
    let fresh = Device::sign_in(&server.url, "cai@example.org", &client).await;
    fresh.sync().await;
    assert_eq!(
        fresh.store.get::<Win>(&win).unwrap().record.title,
        canary("after_revocation")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_moved_and_forged_bundles_are_refused_and_apply_nothing() {
    let server = Server::start_sqlite();
    let phone = Device::sign_up(&server.url, "eda@example.org", Role::Client).await;
    let titles = [
        "flipped",
        "moved",
        "forged",
        "relabelled",
        "intact",
        "other bundle id",
        "other device",
        "format 1",
        "format 1 moved",
    ];
    let wins: Vec<ItemId> = titles.into_iter().map(|title| win(&phone, title)).collect();
    phone.sync().await;

    let conn = db(&server);
    // A bundle as the server keeps it: its envelope's labels and its bytes.
    let stored = |doc: &ItemId| -> (BundleLabels, Vec<u8>) {
        conn.query_row(
            "SELECT bundle_id, device_id, epoch, data FROM bundles WHERE doc_id = ?1",
            [doc.as_str()],
            |r| {
                Ok((
                    BundleLabels {
                        doc_id: doc.to_string(),
                        epoch: r.get(2)?,
                        device_id: r.get(1)?,
                        bundle_id: r.get(0)?,
                        kind: "win".into(),
                    },
                    r.get(3)?,
                ))
            },
        )
        .unwrap()
    };
    let data_of = |doc: &ItemId| stored(doc).1;
    let set = |doc: &ItemId, data: &[u8]| {
        conn.execute(
            "UPDATE bundles SET data = ?1 WHERE doc_id = ?2",
            rusqlite::params![data, doc.as_str()],
        )
        .unwrap();
    };
    let account = phone.sync.account_key().unwrap();
    // A flipped bit inside the ciphertext.
    let mut flipped = data_of(&wins[0]);
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x10;
    set(&wins[0], &flipped);
    // Another document's bundle, served as this one's: bound to the other
    // document, so its signature fails here.
    set(&wins[1], &data_of(&wins[4]));
    // Signed by a key the account never certified, under the phone's device id.
    let (labels, original) = stored(&wins[2]);
    let stranger = rapport_crypto::DeviceKey::generate();
    set(
        &wins[2],
        &rapport_crypto::relabel_bundle(&original, &labels, &stranger).unwrap(),
    );
    // Moved to another epoch, re-signed with the phone's own key: the
    // associated data no longer matches.
    let (mut labels, original) = stored(&wins[3]);
    labels.epoch = 2;
    let own = account.device_key(&labels.device_id);
    set(
        &wins[3],
        &rapport_crypto::relabel_bundle(&original, &labels, &own).unwrap(),
    );
    conn.execute(
        "UPDATE bundles SET epoch = 2 WHERE doc_id = ?1",
        [wins[3].as_str()],
    )
    .unwrap();
    // The envelope changed, the bytes kept: another bundle id, another device.
    conn.execute(
        "UPDATE bundles SET bundle_id = bundle_id || '-other' WHERE doc_id = ?1",
        [wins[5].as_str()],
    )
    .unwrap();
    conn.execute(
        "UPDATE bundles SET device_id = 'a-device-never-certified' WHERE doc_id = ?1",
        [wins[6].as_str()],
    )
    .unwrap();
    // Format 1 bundles, as servers hold them from before format 2: one
    // intact, one of another document.
    let as_format_1 = |doc: &ItemId| {
        let (labels, sealed) = stored(doc);
        let key = account.document_key(doc.as_str());
        let device = account.device_key(&labels.device_id);
        let plain = open_bundle(&key, &sealed, &labels, &device.public()).unwrap();
        rapport_crypto::seal_bundle_v1_with_nonce(&key, &labels, &plain, &device, [9; 24]).unwrap()
    };
    set(&wins[7], &as_format_1(&wins[7]));
    set(&wins[8], &as_format_1(&wins[4]));
    drop(conn);

    let fresh = Device::sign_in(&server.url, "eda@example.org", &phone).await;
    let report = fresh.sync().await;
    let refused: HashMap<ItemId, CryptoError> = report.refused.iter().cloned().collect();
    let is = |i: usize, check: fn(&CryptoError) -> bool| {
        assert!(
            refused.get(&wins[i]).is_some_and(check),
            "{}: {refused:?}",
            titles[i]
        );
    };
    // The signature covers every byte and every label, so it is what fails first.
    is(0, |e| {
        matches!(
            e,
            CryptoError::BadSignature { .. } | CryptoError::Tampered { .. }
        )
    });
    for i in [1, 2, 5, 6] {
        is(i, |e| matches!(e, CryptoError::BadSignature { .. }));
    }
    // Format 1 names its document: moved, it says so.
    is(8, |e| matches!(e, CryptoError::WrongDocument { .. }));
    // Epoch 2 has no key here yet: it waits rather than opens.
    assert!(fresh.store.get::<Win>(&wins[3]).is_err());
    for (i, tampered) in wins.iter().enumerate() {
        if i == 4 || i == 7 {
            assert_eq!(
                fresh.store.get::<Win>(tampered).unwrap().record.title,
                titles[i]
            );
        } else {
            assert!(
                fresh.store.get::<Win>(tampered).is_err(),
                "{} was applied",
                titles[i]
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_swapped_public_key_is_caught_by_pinning() {
    let server = Server::start_sqlite();
    let client = Device::sign_up(&server.url, "fia@example.org", Role::Client).await;
    let therapist = Device::sign_up(&server.url, "dr.gus@example.org", Role::Therapist).await;
    let care = link(&client, &therapist).await;
    client.sync.links().await.unwrap();
    let first = win(&client, "first");
    client.store.set_shared(&first, true).unwrap();
    client.sync().await;

    // Both sides compute the same safety number from what they pinned.
    let ours = client.sync.safety_number(&care.therapist).await.unwrap();
    let theirs = therapist.sync.safety_number(&care.client).await.unwrap();
    assert_eq!(ours, theirs);
    assert_eq!(ours.chars().filter(char::is_ascii_digit).count(), 20);

    // The server swaps in a key it holds the secret of.
    let swapped = AccountKey::generate().public();
    let mut bytes = Vec::new();
    ciborium::into_writer(&swapped, &mut bytes).unwrap();
    db(&server)
        .execute(
            "UPDATE account_keys SET public_keys = ?1 WHERE account_id = ?2",
            rusqlite::params![bytes, care.therapist.0],
        )
        .unwrap();
    let second = win(&client, "second");
    client.store.set_shared(&second, true).unwrap();
    let err = client.sync.sync_now().await.unwrap_err();
    assert!(
        matches!(&err, SyncError::KeyChanged { account } if account == &care.therapist.0),
        "{err:?}"
    );
    // Nothing was sealed for the swapped key.
    let wraps_for_second: i64 = db(&server)
        .query_row(
            "SELECT count(*) FROM wraps WHERE doc_id = ?1 AND recipient_id = ?2",
            rusqlite::params![second.as_str(), care.therapist.0],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(wraps_for_second, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paired_device_and_a_restored_device_read_every_epoch() {
    let server = Server::start_sqlite();
    let phone = Device::sign_up(&server.url, "gia@example.org", Role::Client).await;
    let therapist = Device::sign_up(&server.url, "dr.hal@example.org", Role::Therapist).await;
    link(&phone, &therapist).await;
    phone.sync.links().await.unwrap();
    let win = win(&phone, "epoch one");
    phone.store.set_shared(&win, true).unwrap();
    phone.sync().await;
    phone.store.set_shared(&win, false).unwrap();
    phone.sync().await;
    phone
        .store
        .modify(&win, |w: &mut Win| {
            w.details = "written in epoch two".into();
            Ok(())
        })
        .unwrap();
    phone.sync().await;

    // Pairing: the new device shows an offer, the phone seals the account
    // key to it, and both show the same code.
    let paired = Device::new(&server.url, "gia's laptop");
    paired
        .sync
        .sign_in("gia@example.org", rapport_tests::PASSWORD)
        .await
        .unwrap();
    assert!(matches!(
        paired.sync.sync_now().await,
        Err(SyncError::NoAccountKey)
    ));
    let request = PairingRequest::new();
    let (sealed, code_on_phone) = phone.sync.seal_for_pairing(&request.offer()).unwrap();
    let code_on_laptop = paired.sync.accept_pairing(&request, &sealed).unwrap();
    assert_eq!(code_on_phone, code_on_laptop);
    paired.sync().await;
    let seen = paired.store.get::<Win>(&win).unwrap().record;
    assert_eq!(
        (seen.title.as_str(), seen.details.as_str()),
        ("epoch one", "written in epoch two")
    );

    // A passphrase backup on the server, restored on another device.
    phone
        .sync
        .back_up_account_key("a long passphrase only gia knows")
        .await
        .unwrap();
    let restored = Device::new(&server.url, "gia's new phone");
    restored
        .sync
        .sign_in("gia@example.org", rapport_tests::PASSWORD)
        .await
        .unwrap();
    let wrong = restored
        .sync
        .restore_account_key("a guess")
        .await
        .unwrap_err();
    assert!(
        matches!(wrong, SyncError::Sealing(CryptoError::WrongPassphrase)),
        "{wrong:?}"
    );
    restored
        .sync
        .restore_account_key("a long passphrase only gia knows")
        .await
        .unwrap();
    restored.sync().await;
    assert_eq!(
        restored.store.get::<Win>(&win).unwrap().record.details,
        "written in epoch two"
    );
    // Neither the client nor its keys print the account key.
    let key = phone.sync.account_key().unwrap().to_bytes();
    let printed = format!("{:?} {:?}", phone.sync, phone.sync.account_key());
    let bytes: Vec<String> = key.iter().map(u8::to_string).collect();
    assert!(!printed.contains(&bytes.join(", ")), "{printed}");
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    assert!(!printed.contains(&hex), "{printed}");
    // The backup on the server does not hold the key in clear.
    let backup: Vec<u8> = db(&server)
        .query_row("SELECT sealed FROM key_backups", [], |r| r.get(0))
        .unwrap();
    let key = phone.sync.account_key().unwrap().to_bytes();
    assert!(!contains(&backup, &key[..]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_synced_in_plaintext_is_sealed_again_on_its_first_encrypted_sync() {
    use rapport_core::sync::{SyncClient, SyncConfig};
    use std::sync::Arc;
    let mut server = Server::start_sqlite();
    // A phone of the version before encryption: plaintext on the server.
    let old = Device::new(&server.url, "old phone");
    let mut config = SyncConfig::new(server.url.clone(), "old phone");
    config.end_to_end = false;
    let plain = SyncClient::new(Arc::clone(&old.store), config).unwrap();
    let session = plain
        .sign_up(
            "ida@example.org",
            rapport_tests::PASSWORD,
            Role::Client,
            "Ida",
        )
        .await
        .unwrap();
    let at = Utc.with_ymd_and_hms(2026, 5, 10, 8, 0, 0).unwrap();
    let reflection = old
        .store
        .create(Reflection {
            written_at: at,
            text: canary("before_the_upgrade"),
            person_id: None,
            goal: None,
        })
        .unwrap()
        .meta
        .id;
    plain.sync_now().await.unwrap();
    let plaintext_rows: i64 = db(&server)
        .query_row(
            "SELECT count(*) FROM bundles WHERE epoch = 0 AND data IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(plaintext_rows >= 1, "the old version stored plaintext");
    // The scan below would see plaintext: the canary is in the files now.
    assert!(
        server_files(&server)
            .iter()
            .any(|(_, bytes)| contains(bytes, b"CANARY-")),
        "the file scan finds plaintext when there is some"
    );

    // The upgraded app: same record and session, now with an account key.
    let upgraded = SyncClient::new(
        Arc::clone(&old.store),
        SyncConfig::new(server.url.clone(), "old phone"),
    )
    .unwrap();
    upgraded.use_account_key(&AccountKey::generate());
    upgraded.resume(session).unwrap();
    upgraded.sync_now().await.unwrap();

    let conn = db(&server);
    let left: i64 = conn
        .query_row(
            "SELECT (SELECT count(*) FROM bundles WHERE data IS NOT NULL AND epoch = 0)
                  + (SELECT count(*) FROM snapshots WHERE epoch = 0)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, 0, "plaintext parts stay on the server");
    drop(conn);
    // Another device, given the kit, reads it; the files hold no plaintext.
    let tablet = Device::new(&server.url, "tablet");
    tablet
        .sync
        .sign_in("ida@example.org", rapport_tests::PASSWORD)
        .await
        .unwrap();
    tablet
        .sync
        .use_recovery_kit(upgraded.recovery_kit().unwrap().as_str())
        .await
        .unwrap();
    tablet.sync().await;
    assert_eq!(
        tablet
            .store
            .get::<Reflection>(&reflection)
            .unwrap()
            .record
            .text,
        canary("before_the_upgrade")
    );
    server.kill();
    for (name, bytes) in server_files(&server) {
        assert!(!contains(&bytes, b"CANARY-"), "a canary in {name}");
    }
}

/// A recovery kit of another account is refused as it is typed, on a device
/// signed in to the right account; the right kit is then taken.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kit_of_another_account_is_refused_as_it_is_typed() {
    let server = Server::start();
    let ana = Device::sign_up(&server.url, "ana@example.org", Role::Client).await;
    let bo = Device::sign_up(&server.url, "bo@example.org", Role::Client).await;
    // Each publishes its keys at its first sync.
    ana.sync().await;
    bo.sync().await;
    let tablet = Device::new(&server.url, "Ana's tablet");
    tablet
        .sync
        .sign_in("ana@example.org", rapport_tests::PASSWORD)
        .await
        .unwrap();
    let wrong = bo.sync.recovery_kit().unwrap();
    let err = tablet
        .sync
        .use_recovery_kit(wrong.as_str())
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::WrongAccountKey), "{err:?}");
    assert!(tablet.sync.account_key().is_none(), "nothing was taken");
    let right = ana.sync.recovery_kit().unwrap();
    tablet.sync.use_recovery_kit(right.as_str()).await.unwrap();
    assert_eq!(
        tablet.sync.account_key().map(|k| k.to_bytes()),
        ana.sync.account_key().map(|k| k.to_bytes())
    );
    tablet.sync().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_lost_before_the_account_key_is_replaced_reads_nothing_newer() {
    let server = Server::start_sqlite();
    let phone = Device::sign_up(&server.url, "ivy@example.org", Role::Client).await;
    let tablet = Device::sign_in(&server.url, "ivy@example.org", &phone).await;
    let laptop = Device::sign_in(&server.url, "ivy@example.org", &phone).await;
    let therapist = Device::sign_up(&server.url, "dr.jo@example.org", Role::Therapist).await;
    let care = link(&phone, &therapist).await;
    phone.sync.links().await.unwrap();

    // Before the loss: a shared win, and interactions with one person shared
    // by a kind grant on the person's (blinded) tag.
    let before = win(&phone, "before the loss");
    phone.store.set_shared(&before, true).unwrap();
    let mum = phone
        .store
        .create(Person::new("mum".to_owned(), String::new(), Ring::Inner))
        .unwrap()
        .meta
        .id;
    let at = Utc.with_ymd_and_hms(2026, 5, 7, 9, 0, 0).unwrap();
    let first_call = phone
        .store
        .create(Interaction::new(mum.clone(), at, Channel::Phone))
        .unwrap()
        .meta
        .id;
    phone.sync().await;
    phone
        .sync
        .share_kind(&care.therapist, DocKind::Interaction, Some(&mum))
        .await
        .unwrap();
    for device in [&tablet, &laptop, &therapist] {
        device.sync().await;
    }
    assert!(therapist.store.get::<Interaction>(&first_call).is_ok());
    phone
        .sync
        .back_up_account_key("a passphrase ivy will not need again")
        .await
        .unwrap();
    // The laptop writes while offline from here on; it is not lost.
    let offline = win(&laptop, "written on the laptop meanwhile");

    // The tablet is lost: revoked, then the account key replaced.
    let lost_key = tablet.sync.account_key().unwrap();
    let account_id = phone.sync.session().unwrap().account_id.0;
    let tablet_id = tablet.sync.session().unwrap().device_id;
    phone.sync.revoke_device(&tablet_id).await.unwrap();
    let old_kit = phone.sync.recovery_kit().unwrap().as_str().to_owned();
    let next = AccountKey::generate();
    phone.sync.replace_account_key(&next).await.unwrap();
    assert_eq!(
        phone.sync.account_key().unwrap().public(),
        next.public(),
        "the phone uses the new key"
    );
    // Done again (an app stopped half-way), it changes nothing.
    phone.sync.use_account_key(&lost_key);
    phone.sync.replace_account_key(&next).await.unwrap();

    // After it: an edit, a new win, a new call with mum.
    phone
        .store
        .modify(&before, |w: &mut Win| {
            w.details = canary("after_replacement");
            Ok(())
        })
        .unwrap();
    let after = win(&phone, &canary("new_after_replacement"));
    phone.store.set_shared(&after, true).unwrap();
    let second_call = phone
        .store
        .create(Interaction::new(mum.clone(), at, Channel::InPerson))
        .unwrap()
        .meta
        .id;
    phone.sync().await;

    // The thief: the tablet's key and the whole server database.
    let mut stolen: Vec<DocKey> = keys_in_database(&server, &account_id, &lost_key)
        .into_values()
        .collect();
    for doc in [&before, &after, &first_call, &second_call, &mum] {
        stolen.push(lost_key.document_key(doc.as_str()));
    }
    let old_bundles = bundles_of(&server, &first_call, "interaction");
    assert!(
        old_bundles
            .iter()
            .any(|(labels, b)| opens(b, labels, &stolen, &server)),
        "what was written before the loss stays readable to the thief (the check can fail)"
    );
    for (doc, kind) in [
        (&before, "win"),
        (&after, "win"),
        (&second_call, "interaction"),
    ] {
        let bundles = bundles_of(&server, doc, kind);
        let newer: Vec<_> = bundles
            .iter()
            .filter(|(labels, _)| labels.epoch >= 2 || doc != &before)
            .collect();
        assert!(!newer.is_empty(), "{doc} has bundles written after");
        for (labels, bundle) in newer {
            assert!(
                !opens(bundle, labels, &stolen, &server),
                "epoch {} of {doc} opened with the lost device's key",
                labels.epoch
            );
        }
    }
    // The lost device itself is refused.
    assert!(tablet.sync.sync_now().await.is_err());

    // The therapist follows the new keys and reads what is shared, the new
    // call with mum included (the tag grant was renamed on the server).
    let before_number = therapist
        .sync
        .safety_number(&rapport_protocol::AccountId(account_id.clone()))
        .await
        .unwrap();
    let report = therapist.sync().await;
    assert!(report.refused.is_empty(), "{:?}", report.refused);
    assert_eq!(
        therapist.store.get::<Win>(&before).unwrap().record.details,
        canary("after_replacement")
    );
    assert!(therapist.store.get::<Win>(&after).is_ok());
    assert!(therapist.store.get::<Interaction>(&second_call).is_ok());
    let after_number = therapist
        .sync
        .safety_number(&rapport_protocol::AccountId(account_id.clone()))
        .await
        .unwrap();
    assert_ne!(before_number, after_number, "the safety number changed");

    // The laptop kept the old key: refused until it has the new one, and
    // what it wrote meanwhile is not lost.
    let refused = laptop.sync.sync_now().await.unwrap_err();
    assert!(
        matches!(refused, SyncError::AccountKeyReplaced),
        "{refused:?}"
    );
    let replaced = laptop.sync.use_recovery_kit(&old_kit).await.unwrap_err();
    assert!(
        matches!(replaced, SyncError::ReplacedRecoveryKit),
        "{replaced:?}"
    );
    let new_kit = phone.sync.recovery_kit().unwrap().as_str().to_owned();
    laptop.sync.use_recovery_kit(&new_kit).await.unwrap();
    laptop.sync().await;
    phone.sync().await;
    assert_eq!(
        phone.store.get::<Win>(&offline).unwrap().record.title,
        "written on the laptop meanwhile"
    );
    assert_eq!(
        laptop.store.get::<Win>(&before).unwrap().record.details,
        canary("after_replacement")
    );

    // A device restored from the new kit reads every epoch of every document.
    let restored = Device::sign_in_with_kit(&server.url, "ivy@example.org", &new_kit).await;
    let report = restored.sync().await;
    assert!(report.refused.is_empty(), "{:?}", report.refused);
    for id in [&before, &after, &first_call, &second_call, &mum, &offline] {
        assert!(
            restored.store.kind_of(id).is_ok(),
            "{id} on the restored device"
        );
    }
    assert_eq!(
        restored.store.get::<Win>(&before).unwrap().record.details,
        canary("after_replacement")
    );
    // The passphrase backup (the old key, sealed) is gone from the server.
    assert_eq!(server.count("SELECT count(*) FROM key_backups"), 0);
}
