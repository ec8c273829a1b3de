//! The review app in real headless Chromium, end to end: a client's phone
//! seeds the 12-session course and shares all of it but two private
//! entries; the therapist signs up in the browser, redeems the invite and
//! syncs; the caseload puts the item-9 flag first; "since we last met"
//! shows the PHQ-9 totals, the mood low point with its interaction and
//! charts with one mark per point; a note written in the browser reaches
//! the client's phone; no private entry appears on any page.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "../../core/tests/course/mod.rs"]
mod course;

use std::collections::BTreeSet;

use chrono::NaiveDate;
use common::{Chromedriver, ReviewApp, TODAY, screenshot_dir};
use fantoccini::{Client, Locator};
use rapport_core::checkin::MoodCheckIn;
use rapport_core::clinical::Whose;
use rapport_core::journal::{Channel, Interaction, Reflection};
use rapport_core::note::Note;
use rapport_core::store::{ListQuery, MAX_PAGE};
use rapport_core::{DocKind, ItemId};
use rapport_protocol::Role;
use rapport_tests::{Device, PASSWORD, Server};

/// Text only the private entries hold.
const PRIVATE: &str = "UNSHARED-7f3";

async fn client_device(server: &Server, email: &str, name: &str) -> Device {
    let device = Device::new(&server.url, &format!("{name}'s phone"));
    device
        .sync
        .sign_up(email, PASSWORD, Role::Client, name)
        .await
        .unwrap();
    device
}

fn all_ids(device: &Device) -> Vec<ItemId> {
    device
        .store
        .list(&ListQuery {
            limit: MAX_PAGE,
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect()
}

/// Visits a page and checks what every page must hold: nothing private,
/// no address but the sync server's, a title, text alternatives on charts.
async fn visit(b: &Client, url: &str, server_url: &str) -> String {
    b.goto(url).await.unwrap();
    check_page(b, server_url).await
}

async fn check_page(b: &Client, server_url: &str) -> String {
    let source = b.source().await.unwrap();
    assert!(
        !source.contains(PRIVATE),
        "a private entry is on {url:?}",
        url = b.current_url().await.unwrap()
    );
    let without_server = source.replace(server_url, "");
    assert!(
        !without_server.contains("http://"),
        "an external address on the page"
    );
    assert!(
        !without_server.contains("https://"),
        "an external address on the page"
    );
    assert!(source.contains("<title>"), "no title");
    let charts = b.find_all(Locator::Css("svg.chart")).await.unwrap();
    for chart in charts {
        assert!(
            chart.find(Locator::Css("title")).await.is_ok(),
            "a chart without a title"
        );
        assert!(
            chart.find(Locator::Css("desc")).await.is_ok(),
            "a chart without a desc"
        );
    }
    source
}

async fn screenshot(b: &Client, name: &str) -> std::path::PathBuf {
    // As tall as the page, so the picture holds all of it.
    let height = b
        .execute("return document.documentElement.scrollHeight", vec![])
        .await
        .unwrap()
        .as_u64()
        .unwrap_or(1000)
        .clamp(600, 6000);
    b.set_window_size(1280, u32::try_from(height).unwrap() + 120)
        .await
        .unwrap();
    let png = b.screenshot().await.unwrap();
    let path = screenshot_dir().join(format!("{name}.png"));
    std::fs::write(&path, png).unwrap();
    b.set_window_size(1280, 1000).await.unwrap();
    path
}

/// Runs `act` (a click or a form submit) and waits for the next page to load.
async fn and_wait<F: std::future::Future<Output = Result<(), fantoccini::error::CmdError>>>(
    b: &Client,
    act: F,
) {
    b.execute("window.__before = true; return null", vec![])
        .await
        .unwrap();
    act.await.unwrap();
    for _ in 0..200 {
        let gone = b
            .execute(
                "return window.__before === undefined && document.readyState === 'complete'",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        if gone {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the next page did not load");
}

async fn count(b: &Client, css: &str) -> usize {
    b.find_all(Locator::Css(css)).await.unwrap().len()
}

async fn text(b: &Client, css: &str) -> String {
    b.find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_therapist_prepares_a_session_in_the_browser_and_the_note_reaches_the_client() {
    let server = Server::start();
    let dana = client_device(&server, "dana@example.org", "Dana").await;
    let c = course::build(&dana.store);
    for id in all_ids(&dana) {
        dana.store.set_shared(&id, true).unwrap();
    }
    // Two private entries, in the period, one of them the lowest mood of all.
    let mut secret = Interaction::new(c.boss.clone(), course::at(3, 3, 18), Channel::Online);
    secret.what_i_wanted = format!("{PRIVATE}: a thing I tell nobody");
    secret.mood_after = Some(0);
    let secret = dana.store.create(secret).unwrap().meta.id;
    let reflection = dana
        .store
        .create(Reflection {
            written_at: course::at(3, 4, 22),
            text: format!("{PRIVATE}: just for me"),
            person_id: None,
            goal: None,
        })
        .unwrap()
        .meta
        .id;
    // A second client, with nothing flagged.
    let avery = client_device(&server, "avery@example.org", "Avery").await;
    let quiet = avery
        .store
        .check_in_mood(MoodCheckIn {
            at: course::at(3, 20, 9),
            rating: 6,
            event: "A calm week".into(),
            crisis: false,
        })
        .unwrap()
        .item
        .meta
        .id;
    avery.store.set_shared(&quiet, true).unwrap();

    let app = ReviewApp::start(&server.url);
    let driver = Chromedriver::start();
    let b = driver.browser().await;

    // The one-time link signs the browser in; not signed in to the server yet.
    b.goto(&app.sign_in_url).await.unwrap();
    assert_eq!(b.current_url().await.unwrap().path(), "/account");
    assert!(!b.current_url().await.unwrap().as_str().contains("token"));
    let form = b.form(Locator::Id("sign-up")).await.unwrap();
    form.set_by_name("display_name", "Dr. Eve").await.unwrap();
    form.set_by_name("email", "dr.eve@example.org")
        .await
        .unwrap();
    form.set_by_name("password", PASSWORD).await.unwrap();
    and_wait(&b, form.submit()).await;
    assert_eq!(
        b.current_url().await.unwrap().path(),
        "/",
        "{}",
        b.source().await.unwrap()
    );

    // The account page shows the recovery kit of the key made at sign-up:
    // it is the key whose public half the server published.
    b.goto(&format!("{}/account", app.base)).await.unwrap();
    let summary = b.find(Locator::Css("#recovery-kit summary")).await.unwrap();
    summary.click().await.unwrap();
    screenshot(&b, "account-recovery-kit").await;
    let kit = text(&b, "#recovery-kit code").await;
    let key = rapport_crypto::RecoveryKit::parse(&kit).expect("the page shows a valid kit");
    let published: Vec<u8> = rusqlite::Connection::open(server.database())
        .unwrap()
        .query_row(
            "SELECT k.public_keys FROM account_keys k JOIN accounts a ON a.id = k.account_id
             WHERE a.email = 'dr.eve@example.org'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let published: rapport_crypto::AccountPublic =
        ciborium::from_reader(published.as_slice()).unwrap();
    assert_eq!(key.public(), published);
    b.goto(&format!("{}/", app.base)).await.unwrap();

    // Both clients invite; the therapist redeems in the browser.
    for client in [&dana, &avery] {
        let invite = client.sync.create_invite().await.unwrap();
        let form = b.form(Locator::Id("redeem")).await.unwrap();
        form.set_by_name("code", &invite.code).await.unwrap();
        and_wait(&b, form.submit()).await;
        assert!(text(&b, ".message").await.starts_with("Linked with"));
        client.sync.links().await.unwrap();
        client.sync().await;
    }
    let button = b
        .find(Locator::Css("#sync-status + form button"))
        .await
        .unwrap();
    and_wait(&b, button.click()).await;

    // The caseload: Dana first, the item-9 flag first of all.
    let caseload = check_page(&b, &server.url).await;
    assert!(caseload.contains("Sync now"));
    assert!(
        text(&b, "#sync-status").await.starts_with("Up to date"),
        "{}",
        text(&b, "#sync-status").await
    );
    let first = b.find(Locator::Css("li.client")).await.unwrap();
    let first_text = first.text().await.unwrap();
    assert!(first_text.starts_with("Dana"), "{first_text}");
    let flag = first
        .find(Locator::Css(".attention li"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        flag.contains("PHQ-9 item 9 (thoughts of self-harm) at 1 of 3"),
        "{flag}"
    );
    assert!(
        first_text.contains("role dispute · middle phase · session 6 of 12"),
        "{first_text}"
    );
    assert!(
        first_text.contains("New since the last session"),
        "{first_text}"
    );
    let second = b.find_all(Locator::Css("li.client")).await.unwrap()[1]
        .text()
        .await
        .unwrap();
    assert!(
        second.starts_with("Avery") && !second.contains("Needs attention"),
        "{second}"
    );
    screenshot(&b, "caseload").await;

    // "Since we last met", as the core computes it for what Dana shared.
    let today = NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap();
    let expected = dana
        .store
        .session_summary(
            &Whose::TherapistView {
                kind_grants: vec![],
            },
            None,
            today,
        )
        .unwrap();
    let button = b.find(Locator::LinkText("Dana")).await.unwrap();
    and_wait(&b, button.click()).await;
    let summary = check_page(&b, &server.url).await;
    let totals: Vec<String> = {
        let mut v = Vec::new();
        for e in b
            .find_all(Locator::Css(".phq9-totals .total"))
            .await
            .unwrap()
        {
            v.push(e.text().await.unwrap());
        }
        v
    };
    assert_eq!(totals, ["9", "8", "8", "7", "6", "5"]);
    assert_eq!(
        totals.len(),
        expected.phq9.len(),
        "the page and the core's summary differ"
    );
    assert!(summary.contains("Down 4 points from the first to the last (better)."));
    assert_eq!(
        count(&b, "#mood-chart circle.mood-point").await,
        expected.mood.len()
    );
    assert_eq!(
        count(&b, "#phq9-chart circle.phq9-point").await,
        expected.phq9.len()
    );
    assert_eq!(count(&b, "#phq9-chart .item9-flag").await, 1);
    assert_eq!(
        count(&b, "#mood-chart a.low-point").await,
        expected.low_points.len()
    );
    let chart_desc = b
        .find(Locator::Css("#mood-chart desc"))
        .await
        .unwrap()
        .prop("textContent")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(
        chart_desc.contains("0 (worst) to 10 (best)"),
        "{chart_desc}"
    );
    // The lowest point, and the interaction behind it.
    let low = text(&b, "#low-1").await;
    assert!(low.starts_with("2/10"), "{low}");
    assert!(
        low.contains("With R.") && low.contains("To ask about flexible hours"),
        "{low}"
    );
    assert!(
        text(&b, "#low-2")
            .await
            .contains("Meeting with R. went badly")
    );
    // The low point's mark links to it, and its interaction to the timeline.
    let href = b
        .find(Locator::Css("#mood-chart a.low-point"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap();
    assert_eq!(href.as_deref(), Some("#low-1"));
    assert!(summary.contains(&format!("timeline#e-{}", c.i6b)));
    // The rest of the two-minute read.
    assert!(text(&b, "#focus").await.contains("Middle phase"));
    assert!(text(&b, "#wins").await.contains("Asked Sam"));
    let goals = text(&b, "#goals").await;
    assert!(
        goals.contains("Barrier") && goals.contains("Too tired after work"),
        "{goals}"
    );
    assert!(
        goals.contains("Meet on Saturday mornings instead"),
        "{goals}"
    );
    let rehearsals = text(&b, "#rehearsals").await;
    assert!(
        rehearsals.contains("He will say I am nagging")
            && rehearsals.contains("Let's try a plan on Sundays"),
        "{rehearsals}"
    );
    assert!(
        text(&b, "#inventory")
            .await
            .contains("impasse → renegotiation")
    );
    assert_eq!(count(&b, "#closeness-circle .ring").await, 3);
    assert_eq!(count(&b, "#closeness-circle .person").await, 4);
    assert!(
        text(&b, "#transparency")
            .await
            .contains("Dana chose to share")
    );
    let summary_png = screenshot(&b, "summary").await;
    // The top of the page, as a therapist first sees it (docs/review-summary.png).
    b.set_window_size(1200, 1400).await.unwrap();
    let top = b.screenshot().await.unwrap();
    std::fs::write(screenshot_dir().join("summary-top.png"), top).unwrap();
    b.set_window_size(1280, 1000).await.unwrap();

    // A note on the week, written in the browser.
    let form = b.form(Locator::Id("week-note")).await.unwrap();
    form.set_by_name("text", "Well done raising the chores plan calmly.")
        .await
        .unwrap();
    and_wait(&b, form.submit()).await;
    assert!(
        text(&b, "#notes")
            .await
            .contains("Well done raising the chores plan calmly.")
    );
    let button = b
        .find(Locator::Css("#sync-status + form button"))
        .await
        .unwrap();
    and_wait(&b, button.click()).await;
    check_page(&b, &server.url).await;
    dana.sync().await;
    let notes: Vec<Note> = dana
        .store
        .list(&ListQuery {
            kinds: vec![DocKind::Note],
            ..Default::default()
        })
        .unwrap()
        .iter()
        .map(|s| dana.store.get::<Note>(&s.id).unwrap().record)
        .collect();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].text, "Well done raising the chores plan calmly.");

    // The timeline: everything shared, filterable.
    let button = b.find(Locator::LinkText("Timeline")).await.unwrap();
    and_wait(&b, button.click()).await;
    let timeline = check_page(&b, &server.url).await;
    assert!(timeline.contains("I feel worn out when I do all the chores; can we plan the week?"));
    assert!(b.find(Locator::Id(&format!("e-{}", c.i6b))).await.is_ok());
    screenshot(&b, "timeline").await;
    let filters = b.form(Locator::Id("filters")).await.unwrap();
    b.find(Locator::Css("#f-kind"))
        .await
        .unwrap()
        .select_by_value("phq9_check_in")
        .await
        .unwrap();
    and_wait(&b, filters.submit()).await;
    check_page(&b, &server.url).await;
    assert_eq!(count(&b, "ol.timeline > li").await, 12);

    // The termination review, printable.
    let button = b
        .find(Locator::LinkText("Termination review"))
        .await
        .unwrap();
    and_wait(&b, button.click()).await;
    let review = check_page(&b, &server.url).await;
    assert!(
        review.contains("Every win")
            && review.contains("Goal achieved: Talk with Sam about chores without shouting")
    );
    screenshot(&b, "termination").await;

    // Marking the flag reviewed takes it off the caseload's first place.
    visit(&b, &format!("{}/", app.base), &server.url).await;
    let button = b
        .find(Locator::Css("li.client .attention button"))
        .await
        .unwrap();
    and_wait(&b, button.click()).await;
    check_page(&b, &server.url).await;
    assert_eq!(count(&b, ".attention li").await, 0);
    // With nothing left to review, the caseload is in name order again.
    let dana_id = dana.sync.session().unwrap().account_id.0;
    let first = text(&b, "li.client").await;
    assert!(first.starts_with("Avery"), "{first}");
    let dana_row = text(&b, &format!("#client-{dana_id}")).await;
    assert!(
        dana_row.contains("1 safety flag(s) already reviewed"),
        "{dana_row}"
    );

    // Dana's access log names what the therapist's device downloaded: the
    // shared items, never the private ones.
    let log: BTreeSet<String> = dana
        .sync
        .access_log()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.doc_id.0)
        .collect();
    assert!(log.contains(c.phq9[6].as_str()));
    assert!(!log.contains(secret.as_str()) && !log.contains(reflection.as_str()));

    b.close().await.unwrap();
    // The screenshot of the summary is a real picture.
    let png = std::fs::read(summary_png).unwrap();
    assert!(png.starts_with(b"\x89PNG") && png.len() > 20_000);
}
