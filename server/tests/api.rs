//! Accounts, devices, invites, care links, grants and the access log, driven
//! over HTTP against the real server process.

mod common;

use common::*;
use rapport_protocol::{
    Access, AccessLogEntry, CareLink, Device, DocKind, ErrorCode, Grant, GrantScope, Invite,
    RedeemInviteRequest, Role, SyncRequest,
};
use reqwest::StatusCode;

#[test]
fn sign_up_sign_in_and_sign_out() {
    let server = TestServer::start();
    let first = server.sign_up("ada@example.org", Role::Client);
    assert_eq!(first.role, Role::Client);
    assert_eq!(first.token.len(), 64);

    let second = server.sign_in("ADA@example.org ", "tablet");
    assert_eq!(second.account_id, first.account_id);
    assert_ne!(second.device_id, first.device_id);
    assert_ne!(second.token, first.token);

    let devices: Vec<Device> = json(
        server.get(Some(&second.token), "/v1/devices"),
        StatusCode::OK,
    );
    assert_eq!(devices.len(), 2);
    let current: Vec<_> = devices.iter().filter(|d| d.current).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0].device_id, second.device_id);
    assert_eq!(current[0].name, "tablet");

    assert_eq!(
        server
            .delete(Some(&second.token), "/v1/sessions/current")
            .status(),
        StatusCode::NO_CONTENT
    );
    expect_error(
        server.get(Some(&second.token), "/v1/devices"),
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthorized,
    );
    let devices: Vec<Device> = json(
        server.get(Some(&first.token), "/v1/devices"),
        StatusCode::OK,
    );
    assert_eq!(devices.len(), 1);
}

#[test]
fn wrong_password_and_unknown_email_are_bad_credentials() {
    let server = TestServer::start();
    server.sign_up("ada@example.org", Role::Client);
    for (email, password) in [
        ("ada@example.org", "wrong password"),
        ("nobody@example.org", "correct horse battery"),
    ] {
        expect_error(
            server.try_sign_in(email, password, "phone"),
            StatusCode::UNAUTHORIZED,
            ErrorCode::BadCredentials,
        );
    }
}

#[test]
fn email_taken_is_a_conflict() {
    let server = TestServer::start();
    server.sign_up("ada@example.org", Role::Client);
    let response = server.post_json(
        None,
        "/v1/accounts",
        &serde_json::json!({"email": "Ada@Example.org", "password": "another one!", "role": "therapist", "display_name": "X"}),
    );
    expect_error(response, StatusCode::CONFLICT, ErrorCode::Conflict);
}

#[test]
fn a_revoked_device_gets_401_at_once_and_others_keep_working() {
    let server = TestServer::start();
    let phone = server.sign_up("ada@example.org", Role::Client);
    let laptop = server.sign_in("ada@example.org", "laptop");
    assert_eq!(
        server
            .delete(
                Some(&phone.token),
                &format!("/v1/devices/{}", laptop.device_id)
            )
            .status(),
        StatusCode::NO_CONTENT
    );
    expect_error(
        server.sync_response(&laptop.token, &SyncRequest::default()),
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthorized,
    );
    server.sync(&phone.token, &SyncRequest::default());
    // Revoking twice, or a device of another account, is not found.
    expect_error(
        server.delete(
            Some(&phone.token),
            &format!("/v1/devices/{}", laptop.device_id),
        ),
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    );
    let other = server.sign_up("bob@example.org", Role::Client);
    expect_error(
        server.delete(
            Some(&other.token),
            &format!("/v1/devices/{}", phone.device_id),
        ),
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    );
    server.sync(&phone.token, &SyncRequest::default());
}

#[test]
fn invite_redeem_and_end_a_link() {
    let server = TestServer::start();
    let client = server.sign_up("ada@example.org", Role::Client);
    let therapist = server.sign_up("dr.t@example.org", Role::Therapist);
    let invite: Invite = json(
        server.post_json(Some(&client.token), "/v1/invites", &serde_json::json!({})),
        StatusCode::CREATED,
    );
    assert_eq!(invite.code.len(), 10);
    assert!(invite.expires_at > chrono::Utc::now() + chrono::Duration::hours(23));
    // Typed loosely: lower case, with a dash.
    let typed = format!("{}-{}", &invite.code[..5].to_lowercase(), &invite.code[5..]);
    let link: CareLink = json(
        server.post_json(
            Some(&therapist.token),
            "/v1/invites/redeem",
            &RedeemInviteRequest { code: typed },
        ),
        StatusCode::OK,
    );
    assert_eq!(link.client, client.account_id);
    assert_eq!(link.therapist, therapist.account_id);
    assert_eq!(link.client_name, "ada");
    for token in [&client.token, &therapist.token] {
        let links: Vec<CareLink> = json(server.get(Some(token), "/v1/links"), StatusCode::OK);
        assert_eq!(links, vec![link.clone()]);
    }

    // Reused: conflict, and no second link.
    let other_therapist = server.sign_up("dr.o@example.org", Role::Therapist);
    expect_error(
        server.post_json(
            Some(&other_therapist.token),
            "/v1/invites/redeem",
            &RedeemInviteRequest {
                code: invite.code.clone(),
            },
        ),
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    );
    let links: Vec<CareLink> = json(
        server.get(Some(&other_therapist.token), "/v1/links"),
        StatusCode::OK,
    );
    assert!(links.is_empty());

    // The therapist cannot end it; the client can.
    let path = format!("/v1/links/{}", link.link_id);
    expect_error(
        server.delete(Some(&therapist.token), &path),
        StatusCode::FORBIDDEN,
        ErrorCode::Forbidden,
    );
    assert_eq!(
        server.delete(Some(&client.token), &path).status(),
        StatusCode::NO_CONTENT
    );
    let links: Vec<CareLink> = json(server.get(Some(&client.token), "/v1/links"), StatusCode::OK);
    assert!(links.is_empty());
    expect_error(
        server.delete(Some(&client.token), &path),
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    );
}

#[test]
fn only_clients_invite_and_only_therapists_redeem() {
    let server = TestServer::start();
    let client = server.sign_up("ada@example.org", Role::Client);
    let other_client = server.sign_up("bob@example.org", Role::Client);
    let therapist = server.sign_up("dr.t@example.org", Role::Therapist);
    expect_error(
        server.post_json(
            Some(&therapist.token),
            "/v1/invites",
            &serde_json::json!({}),
        ),
        StatusCode::FORBIDDEN,
        ErrorCode::Forbidden,
    );
    let invite: Invite = json(
        server.post_json(Some(&client.token), "/v1/invites", &serde_json::json!({})),
        StatusCode::CREATED,
    );
    expect_error(
        server.post_json(
            Some(&other_client.token),
            "/v1/invites/redeem",
            &RedeemInviteRequest {
                code: invite.code.clone(),
            },
        ),
        StatusCode::FORBIDDEN,
        ErrorCode::Forbidden,
    );
    // The invite is still good for a therapist.
    let _: CareLink = json(
        server.post_json(
            Some(&therapist.token),
            "/v1/invites/redeem",
            &RedeemInviteRequest { code: invite.code },
        ),
        StatusCode::OK,
    );
    expect_error(
        server.post_json(
            Some(&therapist.token),
            "/v1/invites/redeem",
            &RedeemInviteRequest {
                code: "ABCDEFGHJK".into(),
            },
        ),
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    );
}

#[test]
fn an_expired_invite_is_gone_and_links_nothing() {
    let server = TestServer::start_with(&["--invite-ttl-secs", "0"]);
    let client = server.sign_up("ada@example.org", Role::Client);
    let therapist = server.sign_up("dr.t@example.org", Role::Therapist);
    let invite: Invite = json(
        server.post_json(Some(&client.token), "/v1/invites", &serde_json::json!({})),
        StatusCode::CREATED,
    );
    expect_error(
        server.post_json(
            Some(&therapist.token),
            "/v1/invites/redeem",
            &RedeemInviteRequest { code: invite.code },
        ),
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    );
    let links: Vec<CareLink> = json(
        server.get(Some(&therapist.token), "/v1/links"),
        StatusCode::OK,
    );
    assert!(links.is_empty());
}

#[test]
fn grants_need_a_link_and_ownership() {
    let server = TestServer::start();
    let client = server.sign_up("ada@example.org", Role::Client);
    let therapist = server.sign_up("dr.t@example.org", Role::Therapist);
    let stranger = server.sign_up("dr.s@example.org", Role::Therapist);
    server.sync(
        &client.token,
        &push(vec![bundle("doc-1", "b1", DocKind::Win, &[], b"w")]),
    );
    server.sync(
        &stranger.token,
        &push(vec![bundle("doc-s", "b1", DocKind::Note, &[], b"n")]),
    );
    link(&server, &client, &therapist);
    let doc_scope = |id: &str| GrantScope::Document { doc_id: id.into() };

    // Unlinked grantee.
    let body = serde_json::json!({"grantee": stranger.account_id, "scope": {"type": "document", "doc_id": "doc-1"}, "access": "read"});
    expect_error(
        server.post_json(Some(&client.token), "/v1/grants", &body),
        StatusCode::FORBIDDEN,
        ErrorCode::Forbidden,
    );
    // Someone else's document.
    let body = serde_json::json!({"grantee": therapist.account_id, "scope": {"type": "document", "doc_id": "doc-s"}, "access": "read"});
    expect_error(
        server.post_json(Some(&client.token), "/v1/grants", &body),
        StatusCode::FORBIDDEN,
        ErrorCode::Forbidden,
    );
    // Unknown document.
    let body = serde_json::json!({"grantee": therapist.account_id, "scope": {"type": "document", "doc_id": "nope"}, "access": "read"});
    expect_error(
        server.post_json(Some(&client.token), "/v1/grants", &body),
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    );
    let grants: Vec<Grant> = json(
        server.get(Some(&client.token), "/v1/grants"),
        StatusCode::OK,
    );
    assert!(grants.is_empty());

    let g = grant(
        &server,
        &client,
        &therapist,
        doc_scope("doc-1"),
        Access::Read,
    );
    let k = grant(
        &server,
        &client,
        &therapist,
        GrantScope::Kind {
            kind: DocKind::Interaction,
            tag: Some("person:1".into()),
        },
        Access::Read,
    );
    for token in [&client.token, &therapist.token] {
        let listed: Vec<Grant> = json(server.get(Some(token), "/v1/grants"), StatusCode::OK);
        assert_eq!(listed, vec![g.clone(), k.clone()]);
    }
    // Only the owner revokes.
    let path = format!("/v1/grants/{}", g.grant_id);
    expect_error(
        server.delete(Some(&therapist.token), &path),
        StatusCode::FORBIDDEN,
        ErrorCode::Forbidden,
    );
    expect_error(
        server.delete(Some(&stranger.token), &path),
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    );
    assert_eq!(
        server.delete(Some(&client.token), &path).status(),
        StatusCode::NO_CONTENT
    );
    let listed: Vec<Grant> = json(
        server.get(Some(&client.token), "/v1/grants"),
        StatusCode::OK,
    );
    assert_eq!(listed, vec![k]);
}

#[test]
fn ending_a_link_revokes_every_grant_between_the_two() {
    let server = TestServer::start();
    let client = server.sign_up("ada@example.org", Role::Client);
    let therapist = server.sign_up("dr.t@example.org", Role::Therapist);
    let l = link(&server, &client, &therapist);
    server.sync(
        &therapist.token,
        &push(vec![bundle("note-1", "b1", DocKind::Note, &[], b"n")]),
    );
    grant(
        &server,
        &client,
        &therapist,
        GrantScope::Kind {
            kind: DocKind::Win,
            tag: None,
        },
        Access::Read,
    );
    grant(
        &server,
        &therapist,
        &client,
        GrantScope::Document {
            doc_id: "note-1".into(),
        },
        Access::Read,
    );
    assert_eq!(
        server
            .delete(Some(&client.token), &format!("/v1/links/{}", l.link_id))
            .status(),
        StatusCode::NO_CONTENT
    );
    for token in [&client.token, &therapist.token] {
        let listed: Vec<Grant> = json(server.get(Some(token), "/v1/grants"), StatusCode::OK);
        assert!(listed.is_empty());
    }
    // And no new grant without a new link.
    let body = serde_json::json!({"grantee": therapist.account_id, "scope": {"type": "kind", "kind": "win", "tag": null}, "access": "read"});
    expect_error(
        server.post_json(Some(&client.token), "/v1/grants", &body),
        StatusCode::FORBIDDEN,
        ErrorCode::Forbidden,
    );
}

#[test]
fn the_access_log_lists_a_therapist_pull() {
    let server = TestServer::start();
    let client = server.sign_up("ada@example.org", Role::Client);
    let therapist = server.sign_up("dr.t@example.org", Role::Therapist);
    link(&server, &client, &therapist);
    server.sync(
        &client.token,
        &push(vec![
            bundle("win-1", "b1", DocKind::Win, &[], b"w1"),
            bundle("win-2", "b1", DocKind::Win, &[], b"w2"),
            bundle("refl-1", "b1", DocKind::Reflection, &[], b"r"),
        ]),
    );
    let log: Vec<AccessLogEntry> = json(
        server.get(Some(&client.token), "/v1/access-log"),
        StatusCode::OK,
    );
    assert!(log.is_empty(), "the owner's own reads are not logged");
    grant(
        &server,
        &client,
        &therapist,
        GrantScope::Kind {
            kind: DocKind::Win,
            tag: None,
        },
        Access::Read,
    );
    let pages = server.pull_all(&therapist.token, None);
    assert_eq!(changes(&pages).len(), 2);
    let log: Vec<AccessLogEntry> = json(
        server.get(Some(&client.token), "/v1/access-log"),
        StatusCode::OK,
    );
    let mut docs: Vec<_> = log.iter().map(|e| e.doc_id.0.clone()).collect();
    docs.sort();
    assert_eq!(docs, vec!["win-1", "win-2"]);
    assert!(log.iter().all(|e| e.reader == therapist.account_id
        && e.reader_name == "dr.t"
        && e.kind == DocKind::Win));
    // The therapist's own log is empty; the client cannot see others' logs.
    let log: Vec<AccessLogEntry> = json(
        server.get(Some(&therapist.token), "/v1/access-log"),
        StatusCode::OK,
    );
    assert!(log.is_empty());
}

/// Redeems `code`; the status and the raw body.
fn redeem(
    server: &TestServer,
    therapist: &rapport_protocol::Session,
    code: &str,
) -> (StatusCode, String) {
    let r = server.post_json(
        Some(&therapist.token),
        "/v1/invites/redeem",
        &RedeemInviteRequest { code: code.into() },
    );
    (r.status(), r.text().expect("body"))
}

fn new_invite(server: &TestServer, client: &rapport_protocol::Session) -> Invite {
    json(
        server.post_json(Some(&client.token), "/v1/invites", &serde_json::json!({})),
        StatusCode::CREATED,
    )
}

#[test]
fn a_client_cancels_an_invite_and_every_unusable_code_answers_alike() {
    let server = TestServer::start();
    let client = server.sign_up("ada@example.org", Role::Client);
    let therapist = server.sign_up("dr.t@example.org", Role::Therapist);
    let late = server.sign_up("dr.l@example.org", Role::Therapist);

    let used = new_invite(&server, &client);
    assert_eq!(redeem(&server, &therapist, &used.code).0, StatusCode::OK);
    let cancelled = new_invite(&server, &client);
    // Only its client cancels it, and only while unused; the typed form is
    // accepted as at redemption.
    let path = |code: &str| format!("/v1/invites/{code}");
    for token in [&therapist.token, &late.token] {
        expect_error(
            server.delete(Some(token), &path(&cancelled.code)),
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
        );
    }
    expect_error(
        server.delete(Some(&client.token), &path(&used.code)),
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    );
    let typed = cancelled.code.to_lowercase();
    assert_eq!(
        server.delete(Some(&client.token), &path(&typed)).status(),
        StatusCode::NO_CONTENT
    );
    expect_error(
        server.delete(Some(&client.token), &path(&cancelled.code)),
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    );

    let expiring = TestServer::start_with(&["--invite-ttl-secs", "0"]);
    let c2 = expiring.sign_up("bea@example.org", Role::Client);
    let t2 = expiring.sign_up("dr.b@example.org", Role::Therapist);
    let expired = new_invite(&expiring, &c2);

    let answers = [
        ("unknown", redeem(&server, &late, "ABCDEFGHJK")),
        ("used", redeem(&server, &late, &used.code)),
        ("cancelled", redeem(&server, &late, &cancelled.code)),
        ("expired", redeem(&expiring, &t2, &expired.code)),
    ];
    for (why, answer) in &answers {
        assert_eq!(answer, &answers[0].1, "{why}");
    }
    assert_eq!(answers[0].1.0, StatusCode::NOT_FOUND);
    let links: Vec<CareLink> = json(server.get(Some(&late.token), "/v1/links"), StatusCode::OK);
    assert!(links.is_empty());
}
