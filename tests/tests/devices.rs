//! One client, several devices: offline edits converge after syncing.
#![allow(clippy::unwrap_used)]

use chrono::{TimeZone, Utc};
use rapport_core::goal::{Goal, GoalStatus};
use rapport_core::journal::Win;
use rapport_core::sync::SyncState;
use rapport_protocol::Role;
use rapport_tests::{Device, PASSWORD, Server};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_devices_edit_one_goal_offline_and_converge() {
    let server = Server::start();
    let phone = Device::sign_up(&server.url, "ana@example.org", Role::Client).await;
    let tablet = Device::sign_in(&server.url, "ana@example.org", &phone).await;
    // The device list shows the names each device gave, sign-up included.
    let mut names: Vec<String> = phone
        .sync
        .devices()
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.name)
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            "ana@example.org's phone".to_owned(),
            "ana@example.org's tablet".to_owned()
        ]
    );

    let set_at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let goal = phone
        .store
        .create(Goal::new("Ask for help with the kids", set_at))
        .unwrap();
    phone.sync().await;
    tablet.sync().await;
    assert_eq!(
        tablet.store.get::<Goal>(&goal.id).unwrap().record.title,
        "Ask for help with the kids"
    );

    // Both devices edit the same goal without syncing.
    phone
        .store
        .modify(&goal.id, |g: &mut Goal| {
            g.description = "Sunday evenings".into();
            Ok(())
        })
        .unwrap();
    let m_phone = phone
        .store
        .add_milestone(&goal.id, "Name one task")
        .unwrap();
    tablet
        .store
        .set_goal_status(&goal.id, GoalStatus::Paused)
        .unwrap();
    let m_tablet = tablet.store.add_milestone(&goal.id, "Ask calmly").unwrap();

    phone.sync().await;
    tablet.sync().await;
    phone.sync().await;

    let on_phone = phone.store.get::<Goal>(&goal.id).unwrap().record;
    let on_tablet = tablet.store.get::<Goal>(&goal.id).unwrap().record;
    assert_eq!(on_phone, on_tablet);
    assert_eq!(on_phone.description, "Sunday evenings");
    assert_eq!(on_phone.status, GoalStatus::Paused);
    assert!(on_phone.milestones.contains_key(&m_phone));
    assert!(on_phone.milestones.contains_key(&m_tablet));
    assert_eq!(
        phone.store.index_dump().unwrap(),
        tablet.store.index_dump().unwrap()
    );
    assert_eq!(phone.sync.status().state, SyncState::Idle);
    assert!(phone.sync.status().last_synced_at.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_offline_for_many_changes_catches_up() {
    let mut server = Server::start();
    let phone = Device::sign_up(&server.url, "ben@example.org", Role::Client).await;
    let tablet = Device::sign_in(&server.url, "ben@example.org", &phone).await;
    phone.sync().await;

    server.kill();
    write_wins(&phone, 150);
    let err = phone.sync.sync_now().await.unwrap_err();
    assert!(err.is_transient(), "{err}");
    assert!(matches!(
        phone.sync.status().state,
        SyncState::Offline { .. }
    ));
    assert_eq!(
        phone.store.outbox_len().unwrap(),
        150,
        "every local write is kept"
    );

    server.restart();
    let report = phone.sync().await;
    assert_eq!(report.pushed, 150);
    assert_eq!(phone.store.outbox_len().unwrap(), 0);
    let report = tablet.sync().await;
    assert_eq!(report.pulled, 150);
    assert_eq!(
        phone.store.index_dump().unwrap(),
        tablet.store.index_dump().unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_server_during_a_push_stores_every_change_exactly_once() {
    // Small batches: the push takes many requests, so the kill lands mid-way.
    let mut server = Server::start_with(&["--max-batch", "40"]);
    let phone = Device::sign_up(&server.url, "cleo@example.org", Role::Client).await;
    let start = Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap();
    for i in 0..400 {
        phone
            .store
            .create(Win {
                occurred_at: start + chrono::Duration::minutes(i),
                title: format!("small victory {i} with some words to make it longer"),
                details: "I spoke up at the meeting and it went fine".repeat(4),
                goal: None,
            })
            .unwrap();
    }
    // Kill the server while the push is in flight, wherever it is.
    let push = phone.sync.sync_now();
    let kill = async {
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        server.kill();
    };
    let (result, ()) = tokio::join!(push, kill);
    let pending = phone.store.outbox_len().unwrap();
    if result.is_ok() {
        assert_eq!(pending, 0);
    }

    server.restart();
    phone.sync().await;
    assert_eq!(phone.store.outbox_len().unwrap(), 0);
    assert_eq!(server.count("SELECT count(*) FROM bundles"), 400);
    assert_eq!(
        server.count("SELECT count(DISTINCT doc_id) FROM bundles"),
        400
    );

    let fresh = Device::sign_in(&server.url, "cleo@example.org", &phone).await;
    let report = fresh.sync().await;
    assert_eq!(report.pulled, 400);
    assert_eq!(
        phone.store.index_dump().unwrap(),
        fresh.store.index_dump().unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_much_edited_document_is_compacted_on_the_server_by_a_snapshot() {
    let server = Server::start();
    let phone = Device::sign_up(&server.url, "kim@example.org", Role::Client).await;
    let set_at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let goal = phone
        .store
        .create(Goal::new("Call my brother", set_at))
        .unwrap();
    phone.sync().await;
    let edits = rapport_core::sync::SNAPSHOT_AFTER + 5;
    for i in 0..edits {
        phone
            .store
            .modify(&goal.id, |g: &mut Goal| {
                g.description = format!("draft {i}");
                Ok(())
            })
            .unwrap();
        phone.sync().await;
    }
    let doc = goal.id.to_string();
    let kept = server.count(&format!(
        "SELECT count(*) FROM bundles WHERE doc_id = '{doc}' AND data IS NOT NULL"
    ));
    let snapshots = server.count(&format!(
        "SELECT count(*) FROM snapshots WHERE doc_id = '{doc}'"
    ));
    assert_eq!(snapshots, 1);
    assert!(
        kept < 10,
        "{kept} bundles still hold bytes after the snapshot"
    );

    let fresh = Device::sign_in(&server.url, "kim@example.org", &phone).await;
    fresh.sync().await;
    let goal_there = fresh.store.get::<Goal>(&goal.id).unwrap().record;
    assert_eq!(goal_there.description, format!("draft {}", edits - 1));
    assert_eq!(
        goal_there,
        phone.store.get::<Goal>(&goal.id).unwrap().record
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_device_list_shows_the_names_given_at_sign_up_and_sign_in() {
    let server = Server::start();
    let phone = Device::new(&server.url, "Sam's phone");
    phone
        .sync
        .sign_up("sam@example.org", PASSWORD, Role::Client, "Sam")
        .await
        .unwrap();
    let tablet = Device::new(&server.url, "Sam's tablet");
    tablet
        .sync
        .sign_in("sam@example.org", PASSWORD)
        .await
        .unwrap();

    for (device, mine) in [(&phone, "Sam's phone"), (&tablet, "Sam's tablet")] {
        let mut listed: Vec<(String, bool)> = device
            .sync
            .devices()
            .await
            .unwrap()
            .into_iter()
            .map(|d| (d.name, d.current))
            .collect();
        listed.sort();
        let expected: Vec<(String, bool)> = ["Sam's phone", "Sam's tablet"]
            .into_iter()
            .map(|name| (name.to_owned(), name == mine))
            .collect();
        assert_eq!(listed, expected, "as seen from {mine}");
    }
}

/// Writes `n` wins on `device`, an hour apart.
fn write_wins(device: &Device, n: i64) {
    let start = Utc.with_ymd_and_hms(2026, 5, 1, 8, 0, 0).unwrap();
    for i in 0..n {
        device
            .store
            .create(Win {
                occurred_at: start + chrono::Duration::hours(i),
                title: format!("win {i} of a device"),
                details: "said no, and kindly".into(),
                goal: None,
            })
            .unwrap();
    }
}

/// Pages of 100 from a device that joined after the reader last synced:
/// every piece of every page is signed by a device the reader has not seen,
/// and each page is opened over the cores (and the next one asked for
/// ahead). One lookup of the account's devices must open them all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_signed_by_a_device_not_seen_yet_all_open_after_one_lookup() {
    let server = Server::start_with(&["--max-page", "100"]);
    let phone = Device::sign_up(&server.url, "cato@example.org", Role::Client).await;
    phone.sync().await;
    let laptop = Device::sign_in(&server.url, "cato@example.org", &phone).await;
    write_wins(&laptop, 250);
    laptop.sync().await;

    let report = phone.sync().await;
    assert!(report.refused.is_empty(), "{:?}", report.refused);
    assert_eq!(report.rejected, 0);
    assert_eq!(report.pulled, 250);
    assert_eq!(
        phone.store.index_dump().unwrap(),
        laptop.store.index_dump().unwrap()
    );
}

/// A pull of several pages, the next asked for ahead while each is
/// applied, ends with both devices holding the same record; a write made
/// between two syncs still goes up with the next.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_of_many_pages_asked_ahead_holds_every_entry_once() {
    let server = Server::start_with(&["--max-page", "70"]);
    let phone = Device::sign_up(&server.url, "dara@example.org", Role::Client).await;
    write_wins(&phone, 400);
    phone.sync().await;
    let tablet = Device::sign_in(&server.url, "dara@example.org", &phone).await;
    let report = tablet.sync().await;
    assert_eq!(report.pulled, 400);
    assert_eq!(
        tablet.store.index_dump().unwrap(),
        phone.store.index_dump().unwrap()
    );
    // Nothing pulled twice: a second sync finds nothing new.
    assert_eq!(tablet.sync().await.pulled, 0);
    write_wins(&tablet, 1);
    assert_eq!(tablet.sync().await.pushed, 1);
}
