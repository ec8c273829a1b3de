//! The review app's guard, tested with a plain HTTP client: the pages hold
//! a client's record, so only this browser session on this computer may
//! read them, and only these pages' forms may change anything.
#![allow(clippy::unwrap_used)]

mod common;

use common::{ReviewApp, form, http};
use rapport_tests::Server;

fn accounts(server: &Server) -> i64 {
    server.count("SELECT count(*) FROM accounts")
}

#[test]
fn without_the_cookie_every_page_is_refused_and_nothing_changes() {
    let server = Server::start();
    let app = ReviewApp::start(&server.url);
    for path in ["/", "/account", "/clients/anyone", "/assets/style.css"] {
        let reply = app.request("GET", path, &[], "");
        assert_eq!(reply.status, 401, "{path}");
        assert!(!reply.body.contains("csrf"), "{path} shows a form");
    }
    let body = form(&[
        ("email", "eve@example.org"),
        ("password", "a long password"),
        ("display_name", "Eve"),
    ]);
    let reply = app.request("POST", "/account/sign-up", &[], &body);
    assert_eq!(reply.status, 401);
    // A made-up cookie is no better.
    let reply = app.request(
        "POST",
        "/account/sign-up",
        &[("Cookie", "rapport_review=0123")],
        &body,
    );
    assert_eq!(reply.status, 401);
    assert_eq!(accounts(&server), 0);
}

#[test]
fn the_one_time_token_works_once_and_gives_a_strict_http_only_cookie() {
    let server = Server::start();
    let app = ReviewApp::start(&server.url);
    let first = app.request("GET", &format!("/account?token={}", app.token), &[], "");
    assert_eq!(first.status, 303);
    // The token is stripped from the address.
    assert_eq!(first.header("location"), Some("/account"));
    let cookie = first.header("set-cookie").unwrap();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    let cookie = cookie.split(';').next().unwrap().to_owned();
    assert_eq!(
        app.request("GET", "/account", &[("Cookie", &cookie)], "")
            .status,
        200
    );

    let again = app.request("GET", &format!("/?token={}", app.token), &[], "");
    assert_eq!(again.status, 403);
    assert!(again.header("set-cookie").is_none());
    let wrong = app.request("GET", "/?token=00ff", &[], "");
    assert_eq!(wrong.status, 403);
}

#[test]
fn a_wrong_host_header_is_refused_even_with_the_token_or_the_cookie() {
    let server = Server::start();
    let app = ReviewApp::start(&server.url);
    let rebinding = format!("attacker.example:{}", app.port);
    for host in [
        rebinding.as_str(),
        "127.0.0.1",
        "127.0.0.1:1",
        "localhost.attacker.example",
    ] {
        let reply = http(
            app.port,
            "GET",
            &format!("/?token={}", app.token),
            &[("Host", host)],
            "",
        );
        assert_eq!(reply.status, 403, "{host}");
        assert!(reply.header("set-cookie").is_none(), "{host}");
    }
    // The refused requests did not use the token up.
    let cookie = app.sign_in_cookie();
    let reply = http(
        app.port,
        "GET",
        "/account",
        &[("Host", &rebinding), ("Cookie", &cookie)],
        "",
    );
    assert_eq!(reply.status, 403);
    let localhost = format!("localhost:{}", app.port);
    let reply = http(
        app.port,
        "GET",
        "/account",
        &[("Host", &localhost), ("Cookie", &cookie)],
        "",
    );
    assert_eq!(reply.status, 200);
    // No Host header at all.
    let reply = http(app.port, "GET", "/account", &[("Cookie", &cookie)], "");
    assert_eq!(reply.status, 403);
}

#[test]
fn a_post_without_the_right_csrf_token_is_refused_and_changes_nothing() {
    let server = Server::start();
    let app = ReviewApp::start(&server.url);
    let cookie = app.sign_in_cookie();
    let page = app.request("GET", "/account", &[("Cookie", &cookie)], "");
    assert_eq!(page.status, 200);
    let csrf = page.csrf();
    assert_eq!(csrf.len(), 64);
    // Every response forbids scripts, framing and caching.
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(page.header("cache-control"), Some("no-store"));

    let fields = [
        ("email", "eve@example.org"),
        ("password", "a long password"),
        ("display_name", "Eve"),
    ];
    let without = form(&fields);
    let with_wrong = form(&[fields[0], fields[1], fields[2], ("csrf", &"0".repeat(64))]);
    let with_right = form(&[fields[0], fields[1], fields[2], ("csrf", &csrf)]);
    for body in [&without, &with_wrong] {
        let reply = app.request("POST", "/account/sign-up", &[("Cookie", &cookie)], body);
        assert_eq!(reply.status, 403);
    }
    // The right token from another site is refused too.
    for (name, value) in [
        ("Origin", "http://attacker.example"),
        ("Sec-Fetch-Site", "cross-site"),
    ] {
        let reply = app.request(
            "POST",
            "/account/sign-up",
            &[("Cookie", &cookie), (name, value)],
            &with_right,
        );
        assert_eq!(reply.status, 403, "{name}");
    }
    assert_eq!(accounts(&server), 0);

    // With it, the same form signs up.
    let origin = format!("http://127.0.0.1:{}", app.port);
    let reply = app.request(
        "POST",
        "/account/sign-up",
        &[
            ("Cookie", &cookie),
            ("Origin", &origin),
            ("Sec-Fetch-Site", "same-origin"),
        ],
        &with_right,
    );
    assert_eq!(reply.status, 303, "{}", reply.body);
    assert_eq!(accounts(&server), 1);
}

#[test]
fn it_refuses_to_listen_anywhere_but_loopback() {
    for address in ["0.0.0.0", "::", "192.168.1.20", "::1"] {
        let dir = tempfile::tempdir().unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_rapport-review"))
            .args([
                "--server",
                "http://127.0.0.1:9",
                "--listen",
                address,
                "--data-dir",
            ])
            .arg(dir.path())
            .args(["--key-file-fallback", "--no-browser"])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{address} was accepted");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("127.0.0.1"), "{address}: {stderr}");
        assert!(out.stdout.is_empty(), "{address}: it printed a link");
        // It refused before making a record or keys.
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "{address}"
        );
    }
}
