//! Network faults between the devices and the real server. A proxy
//! ([`rapport_tests::fault_proxy`]) drops connections, holds requests, resets
//! or truncates answers after the server committed, and delivers requests
//! twice, while two devices of one client and a linked therapist write,
//! edit, delete, share and unshare journal entries and sync again and again;
//! every sync the faults break must fail with an error worth retrying. Then
//! the network heals, everyone syncs until nothing moves, and every replica
//! holds every entry exactly once with every edit, the therapist exactly
//! what is shared, and the server no document or grant twice.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use rapport_core::ItemId;
use rapport_core::journal::{Reflection, Win};
use rapport_core::store::{ListQuery, MAX_PAGE};
use rapport_protocol::{DocKind, Role};
use rapport_tests::fault_proxy::{FaultKind, FaultProxy, Faults};
use rapport_tests::{Device, Server, link};

/// Rounds of writing and syncing under faults.
const ROUNDS: usize = 8;
/// Entries each client device writes per round: wins at even places,
/// reflections at odd ones.
const PER_ROUND: usize = 4;
/// Percent of requests each fault strikes while the network is bad.
const FAULT_PERCENT: u32 = 6;
const WRITERS: [&str; 2] = ["phone", "tablet"];
/// Edits of the phone's diary per round: over the rounds, enough for the
/// phone to upload a snapshot of it under faults too.
const DIARY_EDITS: usize = 5;
const _: () = assert!(ROUNDS * DIARY_EDITS > rapport_core::sync::SNAPSHOT_AFTER);

/// An entry's content, as every replica that holds it must show it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Content {
    Win { title: String, details: String },
    Reflection { text: String },
}

/// What the test wrote: the truth the replicas are held to.
#[derive(Debug)]
struct Entry {
    writer: usize,
    round: usize,
    place: usize,
    content: Content,
    /// Marked shared (a reflection; every win is shared by the kind grant).
    shared: bool,
    /// Shared once and made private again.
    unshared: bool,
    deleted: bool,
    /// Its details were edited on the other device.
    cross_edited: bool,
}

impl Entry {
    fn is_win(&self) -> bool {
        matches!(self.content, Content::Win { .. })
    }

    fn seen_by_therapist(&self) -> bool {
        !self.deleted && (self.is_win() || self.shared)
    }
}

type Entries = BTreeMap<ItemId, Entry>;

fn at(round: usize, place: usize) -> DateTime<Utc> {
    let start = Utc.with_ymd_and_hms(2026, 5, 4, 8, 0, 0).unwrap();
    start + chrono::Duration::minutes((round * 60 + place) as i64)
}

fn find(entries: &Entries, writer: usize, round: usize, place: usize) -> Option<ItemId> {
    entries
        .iter()
        .find(|(_, e)| e.writer == writer && e.round == round && e.place == place)
        .map(|(id, _)| id.clone())
}

/// One device's writes in one round: new entries with unique markers, an
/// edit of its own, an edit of an entry the other device wrote (another
/// field of it), a reflection shared, an older one made private again, and
/// now and then a win deleted.
fn write_round(device: &Device, writer: usize, round: usize, entries: &mut Entries) {
    let name = WRITERS[writer];
    let s = &device.store;
    for place in 0..PER_ROUND {
        let marker = format!("{name}-r{round}-e{place}");
        let (id, content) = if place.is_multiple_of(2) {
            let title = format!("{marker} said no kindly");
            let win = Win {
                occurred_at: at(round, place),
                title: title.clone(),
                details: String::new(),
                goal: None,
            };
            let content = Content::Win {
                title,
                details: String::new(),
            };
            (s.create(win).unwrap().meta.id, content)
        } else {
            let text = format!("{marker} noticed the old pattern");
            let reflection = Reflection {
                written_at: at(round, place),
                text: text.clone(),
                person_id: None,
                goal: None,
            };
            (
                s.create(reflection).unwrap().meta.id,
                Content::Reflection { text },
            )
        };
        entries.insert(
            id,
            Entry {
                writer,
                round,
                place,
                content,
                shared: false,
                unshared: false,
                deleted: false,
                cross_edited: false,
            },
        );
    }
    if writer == 0 {
        edit_diary(device, round, entries);
    }
    let Some(last) = round.checked_sub(1) else {
        return;
    };
    // Its own win and reflection of the last round, edited here.
    let win = find(entries, writer, last, 0).unwrap();
    s.modify(&win, |w: &mut Win| {
        w.title.push_str(" (edited)");
        Ok(())
    })
    .unwrap();
    if let Content::Win { title, .. } = &mut entries.get_mut(&win).unwrap().content {
        title.push_str(" (edited)");
    }
    let reflection = find(entries, writer, last, 1).unwrap();
    s.modify(&reflection, |r: &mut Reflection| {
        r.text.push_str(" (edited)");
        Ok(())
    })
    .unwrap();
    if let Content::Reflection { text } = &mut entries.get_mut(&reflection).unwrap().content {
        text.push_str(" (edited)");
    }
    // The other device's oldest win it holds and has not edited yet: its
    // details, while the writer may be editing its title.
    let other = entries
        .iter()
        .filter(|(_, e)| e.writer != writer && e.place == 2 && !e.deleted && !e.cross_edited)
        .map(|(id, _)| id.clone())
        .find(|id| s.get::<Win>(id).is_ok());
    if let Some(id) = other {
        let details = format!("seen again on the {name} in round {round}");
        s.modify(&id, |w: &mut Win| {
            w.details.clone_from(&details);
            Ok(())
        })
        .unwrap();
        let entry = entries.get_mut(&id).unwrap();
        entry.cross_edited = true;
        if let Content::Win { details: d, .. } = &mut entry.content {
            *d = details;
        }
    }
    // Share its reflection of the last round; make one shared two rounds
    // before that private again.
    let share = find(entries, writer, last, 3).unwrap();
    s.set_shared(&share, true).unwrap();
    entries.get_mut(&share).unwrap().shared = true;
    if let Some(unshare) = round
        .checked_sub(3)
        .and_then(|r| find(entries, writer, r, 3))
    {
        s.set_shared(&unshare, false).unwrap();
        let entry = entries.get_mut(&unshare).unwrap();
        entry.shared = false;
        entry.unshared = true;
    }
    if round.is_multiple_of(3) {
        let gone = find(entries, writer, round - 2, 2).unwrap();
        s.delete(&gone).unwrap();
        entries.get_mut(&gone).unwrap().deleted = true;
    }
}

/// The phone's diary, one reflection (the place after the round's entries
/// in round 0) rewritten again and again.
fn edit_diary(device: &Device, round: usize, entries: &mut Entries) {
    let id = find(entries, 0, 0, PER_ROUND).unwrap_or_else(|| {
        let diary = Reflection {
            written_at: at(0, PER_ROUND),
            text: "phone-diary draft".into(),
            person_id: None,
            goal: None,
        };
        let id = device.store.create(diary).unwrap().meta.id;
        entries.insert(
            id.clone(),
            Entry {
                writer: 0,
                round: 0,
                place: PER_ROUND,
                content: Content::Reflection {
                    text: "phone-diary draft".into(),
                },
                shared: false,
                unshared: false,
                deleted: false,
                cross_edited: false,
            },
        );
        id
    });
    for edit in 0..DIARY_EDITS {
        let text = format!("phone-diary draft {round}.{edit}");
        device
            .store
            .modify(&id, |r: &mut Reflection| {
                r.text.clone_from(&text);
                Ok(())
            })
            .unwrap();
        entries.get_mut(&id).unwrap().content = Content::Reflection { text };
    }
}

/// What a replica holds: every live journal entry's content, by id.
fn holdings(device: &Device) -> BTreeMap<ItemId, Content> {
    let query = ListQuery {
        kinds: vec![DocKind::Win, DocKind::Reflection],
        limit: MAX_PAGE,
        ..ListQuery::default()
    };
    let listed = device.store.list(&query).unwrap();
    assert!(
        listed.len() < MAX_PAGE as usize,
        "the test outgrew one page"
    );
    listed
        .into_iter()
        .map(|summary| {
            let content = match summary.kind {
                DocKind::Win => {
                    let w = device.store.get::<Win>(&summary.id).unwrap().record;
                    Content::Win {
                        title: w.title,
                        details: w.details,
                    }
                }
                _ => Content::Reflection {
                    text: device
                        .store
                        .get::<Reflection>(&summary.id)
                        .unwrap()
                        .record
                        .text,
                },
            };
            (summary.id, content)
        })
        .collect()
}

fn expected(entries: &Entries, keep: impl Fn(&Entry) -> bool) -> BTreeMap<ItemId, Content> {
    entries
        .iter()
        .filter(|(_, e)| keep(e))
        .map(|(id, e)| (id.clone(), e.content.clone()))
        .collect()
}

/// One sync while the network is bad: either it works, or it says why with
/// an error worth retrying (nothing the faults do is the device's fault).
async fn sync_under_faults(device: &Device, failures: &mut u64) {
    if let Err(err) = device.sync.sync_now().await {
        assert!(
            err.is_transient(),
            "a fault surfaced as a lasting error: {err}"
        );
        *failures += 1;
    }
}

/// Syncs everyone, over and over, until a pass moves nothing.
async fn sync_until_quiet(devices: &[&Device]) {
    for _ in 0..8 {
        let mut moved = 0;
        for device in devices {
            let report = device.sync().await;
            moved += report.pushed + report.pulled + report.removed + report.wrapped;
        }
        if moved == 0 {
            return;
        }
    }
    panic!("the replicas still exchange changes after 8 passes without faults");
}

/// The seed of the fault draws: `RAPPORT_FAULT_SEED` replays a run.
fn seed() -> u64 {
    let seed = std::env::var("RAPPORT_FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_0010);
    println!("fault seed {seed} (set RAPPORT_FAULT_SEED to replay)");
    seed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_replica_converges_through_drops_delays_resets_truncations_and_duplicates() {
    converges_through_faults(Server::start()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_replica_converges_through_faults_on_postgresql() {
    let Some(server) = Server::start_postgres() else {
        println!(
            "not run here: scripts/test-server-postgres runs it with RAPPORT_TEST_POSTGRES_URL"
        );
        return;
    };
    converges_through_faults(server).await;
}

async fn converges_through_faults(server: Server) {
    let started = std::time::Instant::now();
    let proxy = FaultProxy::start(&server.url, seed()).await;
    // Accounts, devices, the link and the kind grant on a good network.
    let phone = Device::sign_up(&proxy.url, "nia@example.org", Role::Client).await;
    let tablet = Device::sign_in(&proxy.url, "nia@example.org", &phone).await;
    let therapist = Device::sign_up(&proxy.url, "dr.oz@example.org", Role::Therapist).await;
    let care = link(&phone, &therapist).await;
    phone.sync.links().await.unwrap();
    tablet.sync.links().await.unwrap();
    phone
        .sync
        .share_kind(&care.therapist, DocKind::Win, None)
        .await
        .unwrap();
    let writers = [&phone, &tablet];

    proxy.set_faults(Faults::each(FAULT_PERCENT));
    let mut entries = Entries::new();
    let mut failures = 0;
    for round in 0..ROUNDS {
        for (writer, device) in writers.iter().enumerate() {
            write_round(device, writer, round, &mut entries);
            sync_under_faults(device, &mut failures).await;
        }
        for device in [&phone, &tablet, &therapist] {
            sync_under_faults(device, &mut failures).await;
        }
    }
    let faults = proxy.counts();
    proxy.set_faults(Faults::NONE);
    sync_until_quiet(&[&phone, &tablet, &therapist]).await;
    println!(
        "{faults:?}; {failures} syncs failed; {} entries; {:.1} s",
        entries.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        faults.every_kind_struck(),
        "some fault never struck, so this run proves less: {faults:?}"
    );
    assert!(
        failures > 0,
        "no sync failed: the faults did not reach the engine"
    );

    // Every entry on both client devices exactly once, every edit in it, no
    // deleted entry left; the same lists and search text on both.
    let all = expected(&entries, |e| !e.deleted);
    assert_eq!(holdings(&phone), all);
    assert_eq!(holdings(&tablet), all);
    assert_eq!(
        phone.store.index_dump().unwrap(),
        tablet.store.index_dump().unwrap()
    );
    for device in writers {
        assert_eq!(device.store.outbox_len().unwrap(), 0);
    }
    // The therapist holds exactly the live wins and the reflections still
    // shared, with the same content.
    assert_eq!(
        holdings(&therapist),
        expected(&entries, Entry::seen_by_therapist)
    );
    assert!(entries.values().any(|e| e.unshared && !e.shared));
    assert!(entries.values().any(|e| e.deleted));
    assert!(entries.values().any(|e| e.cross_edited));

    // The server: one document per entry written, one grant per shared
    // reflection, none twice.
    let client = &care.client.0;
    assert_eq!(
        server.count(&format!(
            "SELECT count(*) FROM documents WHERE owner_id = '{client}'
             AND kind IN ('win', 'reflection')"
        )),
        entries.len() as i64
    );
    let shared_reflections = entries.values().filter(|e| e.shared && !e.deleted).count();
    assert_eq!(
        server.count(&format!(
            "SELECT count(*) FROM grants WHERE owner_id = '{client}' AND revoked_seq IS NULL
             AND scope = 'document'"
        )),
        shared_reflections as i64,
        "document grants: one per shared reflection"
    );
    // The diary's many edits were compacted into a snapshot on the way.
    let diary = find(&entries, 0, 0, PER_ROUND).unwrap();
    assert!(
        server.count(&format!(
            "SELECT count(*) FROM snapshots WHERE doc_id = '{diary}'"
        )) > 0
    );
    // A reflection made private again has a key epoch the therapist never
    // received: what is written to it from now on stays unreadable to them.
    for (id, _) in entries.iter().filter(|(_, e)| e.unshared && !e.shared) {
        assert!(
            newer_epoch_than_grantee_holds(&server, id, &care.therapist.0),
            "{id} was made private but the therapist holds its current key"
        );
    }
}

/// True when the document's current key epoch (on the server: the highest
/// of its parts and of its keys sealed for anyone) is newer than any of its
/// keys sealed for `grantee`.
fn newer_epoch_than_grantee_holds(server: &Server, doc: &ItemId, grantee: &str) -> bool {
    server.count(&format!(
        "SELECT count(*) FROM (SELECT epoch FROM documents WHERE id = '{doc}'
           UNION ALL SELECT epoch FROM wraps WHERE doc_id = '{doc}') e
         WHERE e.epoch > (SELECT COALESCE(max(t.epoch), 0) FROM wraps t
           WHERE t.doc_id = '{doc}' AND t.recipient_id = '{grantee}')"
    )) > 0
}

/// A private reflection shared, read by the therapist, then made private
/// again while `fault` strikes the revocation of its grant.
async fn unshare_under(fault: FaultKind) {
    let server = Server::start();
    let proxy = FaultProxy::start(&server.url, seed()).await;
    let client = Device::sign_up(&proxy.url, "pia@example.org", Role::Client).await;
    let therapist = Device::sign_up(&proxy.url, "dr.quinn@example.org", Role::Therapist).await;
    let care = link(&client, &therapist).await;
    client.sync.links().await.unwrap();
    let id = client
        .store
        .create(Reflection {
            written_at: at(0, 0),
            text: "to talk about next time".into(),
            person_id: None,
            goal: None,
        })
        .unwrap()
        .meta
        .id;
    client.store.set_shared(&id, true).unwrap();
    client.sync().await;
    therapist.sync().await;
    assert!(therapist.store.get::<Reflection>(&id).is_ok());

    client.store.set_shared(&id, false).unwrap();
    proxy.strike("DELETE", "/v1/grants/", fault);
    let first = client.sync.sync_now().await;
    match fault {
        // The server revoked; the device never heard, and says so.
        FaultKind::Reset => assert!(first.unwrap_err().is_transient()),
        // The second copy finds the grant gone: revoked, as asked.
        _ => assert!(first.is_ok(), "{first:?}"),
    }
    client.sync().await;
    therapist.sync().await;
    let counts = proxy.counts();
    assert_eq!(
        counts.reset + counts.duplicated,
        1,
        "the fault struck: {counts:?}"
    );
    assert!(therapist.store.get::<Reflection>(&id).is_err());
    assert!(
        newer_epoch_than_grantee_holds(&server, &id, &care.therapist.0),
        "the therapist still holds the current key of a reflection made private"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revocation_whose_answer_is_lost_still_starts_a_new_key_epoch() {
    unshare_under(FaultKind::Reset).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revocation_delivered_twice_is_not_a_failed_sync() {
    unshare_under(FaultKind::Duplicate).await;
}

/// A kind grant asked for twice (delivered twice, or `share_kind` retried
/// after its answer was lost) is one grant: one revocation ends it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kind_grant_delivered_twice_ends_with_one_revocation() {
    let server = Server::start();
    let proxy = FaultProxy::start(&server.url, seed()).await;
    let client = Device::sign_up(&proxy.url, "rae@example.org", Role::Client).await;
    let therapist = Device::sign_up(&proxy.url, "dr.sol@example.org", Role::Therapist).await;
    let care = link(&client, &therapist).await;
    client.sync.links().await.unwrap();
    let win = client
        .store
        .create(Win {
            occurred_at: at(0, 0),
            title: "asked for a day off".into(),
            details: String::new(),
            goal: None,
        })
        .unwrap()
        .meta
        .id;
    proxy.strike("POST", "/v1/grants", FaultKind::Duplicate);
    let grant = client
        .sync
        .share_kind(&care.therapist, DocKind::Win, None)
        .await
        .unwrap();
    therapist.sync().await;
    assert!(therapist.store.get::<Win>(&win).is_ok());
    assert_eq!(proxy.counts().duplicated, 1);

    client.sync.revoke_grant(&grant.grant_id).await.unwrap();
    therapist.sync().await;
    assert!(
        therapist.store.get::<Win>(&win).is_err(),
        "the therapist still reads wins after the client revoked the kind grant"
    );
}

/// An item's grant asked for twice is one grant on the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_grant_delivered_twice_is_one_grant() {
    let server = Server::start();
    let proxy = FaultProxy::start(&server.url, seed()).await;
    let client = Device::sign_up(&proxy.url, "tam@example.org", Role::Client).await;
    let therapist = Device::sign_up(&proxy.url, "dr.uma@example.org", Role::Therapist).await;
    let care = link(&client, &therapist).await;
    client.sync.links().await.unwrap();
    let id = client
        .store
        .create(Reflection {
            written_at: at(0, 0),
            text: "for our next session".into(),
            person_id: None,
            goal: None,
        })
        .unwrap()
        .meta
        .id;
    client.store.set_shared(&id, true).unwrap();
    proxy.strike("POST", "/v1/grants", FaultKind::Duplicate);
    client.sync().await;
    assert_eq!(proxy.counts().duplicated, 1);
    let grants = format!(
        "SELECT count(*) FROM grants WHERE doc_id = '{id}' AND revoked_seq IS NULL
         AND grantee_id = '{}'",
        care.therapist.0
    );
    assert_eq!(server.count(&grants), 1);
    therapist.sync().await;
    assert!(therapist.store.get::<Reflection>(&id).is_ok());
}

/// The next page of a pull is asked for while this one is applied. When
/// that request fails for good, the sync fails with an error worth
/// retrying, the page already applied stays, and the next sync pulls the
/// rest from there: each entry once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_asked_ahead_that_fails_keeps_what_came_before_it() {
    let server = Server::start_with(&["--max-page", "40"]);
    let proxy = FaultProxy::start(&server.url, seed()).await;
    let phone = Device::sign_up(&server.url, "eli@example.org", Role::Client).await;
    for place in 0..150 {
        phone
            .store
            .create(Win {
                occurred_at: at(0, place),
                title: format!("win {place}"),
                details: String::new(),
                goal: None,
            })
            .unwrap();
    }
    phone.sync().await;
    let tablet = Device::sign_in(&proxy.url, "eli@example.org", &phone).await;
    let wins = |d: &Device| {
        d.store
            .list(&ListQuery {
                kinds: vec![DocKind::Win],
                limit: MAX_PAGE,
                ..ListQuery::default()
            })
            .unwrap()
            .len()
    };

    // The first page goes through (late); the request for the second,
    // asked ahead, is cut on both tries.
    proxy.strike("POST", "/v1/sync", FaultKind::Delay);
    proxy.strike("POST", "/v1/sync", FaultKind::Reset);
    proxy.strike("POST", "/v1/sync", FaultKind::Reset);
    let err = tablet.sync.sync_now().await.unwrap_err();
    assert!(err.is_transient(), "{err}");
    assert_eq!(proxy.counts().reset, 2);
    let kept = wins(&tablet);
    assert!(kept > 0 && kept < 150, "{kept} of 150 after the first page");

    let report = tablet.sync().await;
    assert_eq!(report.pulled as usize, 150 - kept);
    assert_eq!(wins(&tablet), 150);
    assert_eq!(
        tablet.store.index_dump().unwrap(),
        phone.store.index_dump().unwrap()
    );
}
