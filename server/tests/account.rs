//! What a person expects of an account: passwords a guesser does not try
//! first, names that cannot hide or reorder text, tokens that expire when
//! unused and renew when used, a password change that signs the other
//! devices out, deleting the account with everything it owns, and a server
//! that decides who may be a therapist.

mod common;

use std::time::Duration;

use common::*;
use rapport_protocol::{
    ChangePasswordRequest, DeleteAccountRequest, Device, DocKind, ErrorCode, Grant, GrantScope,
    Role, Session, SignUpRequest, SyncRequest,
};
use reqwest::{Method, StatusCode};

const PASSWORD: &str = "correct horse battery";

fn try_sign_up(
    server: &TestServer,
    email: &str,
    password: &str,
    name: &str,
    role: Role,
) -> reqwest::blocking::Response {
    server.post_json(
        None,
        "/v1/accounts",
        &SignUpRequest {
            device_name: None,
            email: email.into(),
            password: password.into(),
            role,
            display_name: name.into(),
        },
    )
}

fn change_password(
    server: &TestServer,
    token: Option<&str>,
    current: &str,
    new: &str,
) -> reqwest::blocking::Response {
    server.send_json(
        Method::PUT,
        token,
        "/v1/account/password",
        &ChangePasswordRequest {
            current_password: current.into(),
            new_password: new.into(),
        },
    )
}

fn delete_account(
    server: &TestServer,
    session: &Session,
    password: &str,
) -> reqwest::blocking::Response {
    server.send_json(
        Method::DELETE,
        Some(&session.token),
        "/v1/account",
        &DeleteAccountRequest {
            password: password.into(),
        },
    )
}

#[test]
fn weak_passwords_and_deceptive_names_are_refused() {
    let server = TestServer::start();
    for password in [
        "        ",
        "aaaaaaaa",
        "12345678",
        "Password",
        "ada@example.org",
    ] {
        expect_error(
            try_sign_up(&server, "ada@example.org", password, "Ada", Role::Client),
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
        );
    }
    for name in [
        "Dr. \u{202E}htimS",
        "Dr.\u{200B}Smith",
        "\u{2067}Ada",
        "Ada\u{FEFF}",
        "A\u{0007}da",
    ] {
        expect_error(
            try_sign_up(&server, "ada@example.org", PASSWORD, name, Role::Client),
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
        );
    }
    server.sign_up("ada@example.org", Role::Client);
    expect_error(
        server.try_sign_in("ada@example.org", PASSWORD, "phone\u{2066}"),
        StatusCode::BAD_REQUEST,
        ErrorCode::BadRequest,
    );
    // Names in other scripts are welcome.
    let r = try_sign_up(
        &server,
        "b@example.org",
        PASSWORD,
        "Ωμέγα 李 محمد",
        Role::Client,
    );
    assert_eq!(r.status(), StatusCode::CREATED);
}

#[test]
fn an_unused_token_expires_and_a_used_one_renews() {
    let server = TestServer::start_with(&["--token-idle-secs", "2"]);
    let phone = server.sign_up("ada@example.org", Role::Client);
    let laptop = server.sign_in("ada@example.org", "laptop");
    // The phone syncs every half second, for twice the token's idle lifetime.
    for _ in 0..8 {
        server.sync(&phone.token, &SyncRequest::default());
        std::thread::sleep(Duration::from_millis(500));
    }
    let devices: Vec<Device> = json(
        server.get(Some(&phone.token), "/v1/devices"),
        StatusCode::OK,
    );
    assert_eq!(
        devices.len(),
        1,
        "the idle laptop is signed out: {devices:?}"
    );
    expect_error(
        server.get(Some(&laptop.token), "/v1/devices"),
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthorized,
    );
    std::thread::sleep(Duration::from_millis(2500));
    expect_error(
        server.sync_response(&phone.token, &SyncRequest::default()),
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthorized,
    );
    server.sign_in("ada@example.org", "phone again");
}

#[test]
fn changing_the_password_signs_the_other_devices_out() {
    let server = TestServer::start_with(&["--sign-in-max-failures", "3"]);
    let phone = server.sign_up("ada@example.org", Role::Client);
    let laptop = server.sign_in("ada@example.org", "laptop");
    let new = "a new passphrase here";
    let t = Some(phone.token.as_str());
    // Refused, changing nothing: no token, malformed bodies, a weak or
    // oversized new password, a wrong current one.
    expect_error(
        change_password(&server, None, PASSWORD, new),
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthorized,
    );
    for body in [
        &b"{"[..],
        br#"{"current_password":"x"}"#,
        br#"{"current_password":1,"new_password":2}"#,
    ] {
        let r = server
            .http
            .put(server.url("/v1/account/password"))
            .bearer_auth(&phone.token)
            .header("content-type", "application/json")
            .body(body.to_vec())
            .send()
            .expect("PUT");
        expect_error(r, StatusCode::BAD_REQUEST, ErrorCode::BadRequest);
    }
    let r = server
        .http
        .put(server.url("/v1/account/password"))
        .bearer_auth(&phone.token)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .expect("PUT");
    expect_error(
        r,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorCode::UnsupportedMediaType,
    );
    for weak in [
        "        ".to_owned(),
        "x".repeat(2000),
        "ada@example.org".to_owned(),
    ] {
        expect_error(
            change_password(&server, t, PASSWORD, &weak),
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
        );
    }
    expect_error(
        change_password(&server, t, "not the password", new),
        StatusCode::UNAUTHORIZED,
        ErrorCode::BadCredentials,
    );
    server
        .get(Some(&laptop.token), "/v1/devices")
        .error_for_status()
        .expect("still signed in");

    assert_eq!(
        change_password(&server, t, PASSWORD, new).status(),
        StatusCode::NO_CONTENT
    );
    expect_error(
        server.get(Some(&laptop.token), "/v1/devices"),
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthorized,
    );
    let devices: Vec<Device> = json(server.get(t, "/v1/devices"), StatusCode::OK);
    assert_eq!(devices.len(), 1);
    assert!(devices[0].current);
    expect_error(
        server.try_sign_in("ada@example.org", PASSWORD, "x"),
        StatusCode::UNAUTHORIZED,
        ErrorCode::BadCredentials,
    );
    assert_eq!(
        server.try_sign_in("ada@example.org", new, "x").status(),
        StatusCode::CREATED
    );

    // Guessing the current password through a stolen token locks like sign-in.
    for _ in 0..3 {
        expect_error(
            change_password(&server, t, "guess one", "another passphrase"),
            StatusCode::UNAUTHORIZED,
            ErrorCode::BadCredentials,
        );
    }
    expect_error(
        change_password(&server, t, new, "another passphrase"),
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::RateLimited,
    );
}

#[test]
fn deleting_the_account_takes_its_data_and_tells_the_therapist() {
    let server = TestServer::start_with(&["--sign-in-max-failures", "100"]);
    let client = server.sign_up("ada@example.org", Role::Client);
    let laptop = server.sign_in("ada@example.org", "laptop");
    let therapist = server.sign_up("dr.t@example.org", Role::Therapist);
    link(&server, &client, &therapist);
    server.sync(
        &client.token,
        &push(vec![bundle("win-1", "b1", DocKind::Win, &[], b"a win")]),
    );
    let _: Grant = grant(
        &server,
        &client,
        &therapist,
        GrantScope::Kind {
            kind: DocKind::Win,
            tag: None,
        },
        rapport_protocol::Access::Read,
    );
    let pages = server.pull_all(&therapist.token, None);
    assert_eq!(
        changes(&pages),
        vec![("win-1".to_owned(), b"a win".to_vec())]
    );
    let cursor = pages.last().map(|p| p.cursor.clone());

    // Refused, deleting nothing: a wrong password, no body, a malformed one.
    expect_error(
        delete_account(&server, &client, "not the password"),
        StatusCode::UNAUTHORIZED,
        ErrorCode::BadCredentials,
    );
    expect_error(
        server.delete(Some(&client.token), "/v1/account"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorCode::UnsupportedMediaType,
    );
    let r = server
        .http
        .delete(server.url("/v1/account"))
        .bearer_auth(&client.token)
        .header("content-type", "application/json")
        .body(r#"{"password": null}"#)
        .send()
        .expect("DELETE");
    expect_error(r, StatusCode::BAD_REQUEST, ErrorCode::BadRequest);
    server.sync(&laptop.token, &SyncRequest::default());

    assert_eq!(
        delete_account(&server, &client, PASSWORD).status(),
        StatusCode::NO_CONTENT
    );
    for token in [&client.token, &laptop.token] {
        expect_error(
            server.sync_response(token, &SyncRequest::default()),
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
        );
    }
    expect_error(
        server.try_sign_in("ada@example.org", PASSWORD, "x"),
        StatusCode::UNAUTHORIZED,
        ErrorCode::BadCredentials,
    );
    // The therapist's device drops its copy; the link and grant are gone.
    let pages = server.pull_all(&therapist.token, cursor);
    let removed: Vec<_> = pages.iter().flat_map(|p| p.removed.clone()).collect();
    assert_eq!(removed.len(), 1, "{removed:?}");
    assert_eq!(removed[0].doc_id.0, "win-1");
    assert_eq!(removed[0].reason, rapport_protocol::RemovalReason::Deleted);
    let links: Vec<rapport_protocol::CareLink> = json(
        server.get(Some(&therapist.token), "/v1/links"),
        StatusCode::OK,
    );
    assert!(links.is_empty());
    let grants: Vec<Grant> = json(
        server.get(Some(&therapist.token), "/v1/grants"),
        StatusCode::OK,
    );
    assert!(grants.is_empty());
    // A fresh therapist device sees nothing of the client.
    let fresh = server.sign_in("dr.t@example.org", "desk");
    assert!(changes(&server.pull_all(&fresh.token, None)).is_empty());
    // The email is free: a new, empty account.
    let again = server.sign_up("ada@example.org", Role::Client);
    assert_ne!(again.account_id, client.account_id);
    assert!(changes(&server.pull_all(&again.token, None)).is_empty());
}

#[test]
fn a_therapist_deleting_the_account_removes_the_notes_from_the_client() {
    let server = TestServer::start();
    let (client, therapist) = linked_with_a_note(&server);
    grant(
        &server,
        &therapist,
        &client,
        GrantScope::Document {
            doc_id: "note-1".into(),
        },
        rapport_protocol::Access::Read,
    );
    let pages = server.pull_all(&client.token, None);
    assert_eq!(changes(&pages).len(), 1);
    let cursor = pages.last().map(|p| p.cursor.clone());
    assert_eq!(
        delete_account(&server, &therapist, PASSWORD).status(),
        StatusCode::NO_CONTENT
    );
    let removed: Vec<_> = server
        .pull_all(&client.token, cursor)
        .iter()
        .flat_map(|p| p.removed.clone())
        .collect();
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].reason, rapport_protocol::RemovalReason::Deleted);
    // The client's own record keeps working.
    server.sync(
        &client.token,
        &push(vec![bundle("win-1", "w1", DocKind::Win, &[], b"w")]),
    );
}

#[test]
fn only_listed_emails_may_sign_up_as_therapists() {
    let server = TestServer::start_with(&[
        "--therapist-emails",
        "dr.t@clinic.example, @practice.example",
    ]);
    for email in ["Dr.T@clinic.example", "anyone@practice.example"] {
        assert_eq!(
            try_sign_up(&server, email, PASSWORD, "Dr T", Role::Therapist).status(),
            StatusCode::CREATED
        );
    }
    server.sign_up("mallory@example.org", Role::Client);
    // Refused alike whether the email is taken (as a client) or not.
    let answers: Vec<String> = ["mallory@example.org", "eve@example.org", "x@clinic.example"]
        .into_iter()
        .map(|email| {
            expect_error(
                try_sign_up(&server, email, PASSWORD, "Dr M", Role::Therapist),
                StatusCode::FORBIDDEN,
                ErrorCode::Forbidden,
            )
            .message
        })
        .collect();
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:?}");
    // Anyone may still be a client.
    assert_eq!(
        try_sign_up(&server, "eve@example.org", PASSWORD, "Eve", Role::Client).status(),
        StatusCode::CREATED
    );
}
