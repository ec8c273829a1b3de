//! Crisis resources: structured (a dialable number, a text line, an https
//! address, or an instruction), chosen by the device's region, the client's
//! own first, and never a number made out of a sentence.
#![allow(clippy::unwrap_used)]

mod common;

use common::TestStore;
use rapport_core::Error;
use rapport_core::safety::{
    CrisisContact, CrisisResource, NO_NUMBER_KNOWN, defaults_for, regions::listed_regions,
};

fn phone(name: &str, number: &str) -> CrisisResource {
    CrisisResource {
        name: name.into(),
        contact: CrisisContact::Phone {
            number: number.into(),
        },
        hours: String::new(),
        region: None,
    }
}

/// A `tel:` URI of 3 to 15 digits (a leading + allowed), or an https URL.
fn valid_uri(uri: &str) -> bool {
    if let Some(number) = uri
        .strip_prefix("tel:")
        .or_else(|| uri.strip_prefix("sms:"))
    {
        let digits = number.strip_prefix('+').unwrap_or(number);
        return (3..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    }
    uri.starts_with("https://")
        && uri.len() > "https://".len()
        && !uri.contains(char::is_whitespace)
}

#[test]
fn every_default_resource_of_every_listed_region_opens_a_valid_tel_or_https_uri() {
    let mut checked = 0;
    for region in listed_regions() {
        let resources = defaults_for(Some(region));
        assert!(!resources.is_empty(), "{region}");
        for r in &resources {
            let uri = r
                .uri()
                .unwrap_or_else(|| panic!("{region}: {} has no uri", r.name));
            assert!(
                uri.starts_with("tel:") || uri.starts_with("https:") || uri.starts_with("sms:"),
                "{region}: {uri}"
            );
            assert!(valid_uri(&uri), "{region}: {} -> {uri}", r.name);
            // What the apps would store is what validation accepts unchanged.
            assert_eq!(r.clone(), r.clone().validated_for_test(), "{region}");
            assert_eq!(r.region.as_deref(), Some(region));
            assert!(!r.name.trim().is_empty());
            checked += 1;
        }
        // The last one is always the region's emergency number.
        let last = resources.last().unwrap();
        assert_eq!(last.name, "Emergency services", "{region}");
        assert!(matches!(last.contact, CrisisContact::Phone { .. }));
    }
    assert!(checked > 40, "only {checked} resources checked");
}

#[test]
fn the_regions_the_issue_names_get_their_own_lines() {
    let uris = |region: &str| -> Vec<String> {
        defaults_for(Some(region))
            .iter()
            .filter_map(CrisisResource::uri)
            .collect()
    };
    assert!(uris("US").contains(&"tel:988".to_owned()));
    assert!(uris("US").contains(&"tel:911".to_owned()));
    assert!(uris("CA").contains(&"tel:988".to_owned()));
    assert!(uris("GB").contains(&"tel:116123".to_owned()));
    assert!(uris("IE").contains(&"tel:116123".to_owned()));
    assert_eq!(uris("AU"), ["tel:131114", "tel:000"]);
    for eu in ["DE", "FR", "IT", "ES", "PL", "SE", "NL", "AT"] {
        assert!(uris(eu).contains(&"tel:112".to_owned()), "{eu}");
    }
    // Nowhere is the old sentence's digits dialled.
    for region in listed_regions() {
        assert!(!uris(region).iter().any(|u| u.contains("112911")));
    }
}

#[test]
fn a_region_with_no_listing_gets_a_plain_instruction_never_a_made_up_number() {
    for region in [None, Some("ZZ"), Some("AQ"), Some("XK")] {
        let resources = defaults_for(region);
        assert_eq!(resources.len(), 1, "{region:?}");
        assert_eq!(resources[0].contact, CrisisContact::Instruction);
        assert_eq!(resources[0].uri(), None);
        assert_eq!(resources[0].name, NO_NUMBER_KNOWN);
        assert!(!resources[0].name.chars().any(|c| c.is_ascii_digit()));
    }
    // A region with an emergency number but no line of its own gets that number.
    let mx = defaults_for(Some("MX"));
    assert_eq!(mx.len(), 1);
    assert_eq!(mx[0].uri().as_deref(), Some("tel:911"));
}

#[test]
fn the_device_region_chooses_the_defaults_and_the_clients_own_come_first() {
    let s = TestStore::new();
    // Before the shell says where the device is: the instruction.
    assert_eq!(s.crisis_resources().unwrap(), defaults_for(None));
    s.set_region("au").unwrap();
    assert_eq!(s.region().unwrap().as_deref(), Some("AU"));
    assert_eq!(s.crisis_resources().unwrap(), defaults_for(Some("AU")));

    s.set_crisis_resources(vec![
        phone("My therapist's practice", "+61 2 9999 0000"),
        // Already a default: not shown twice.
        phone("Lifeline", "13 11 14"),
    ])
    .unwrap();
    let uris: Vec<_> = s
        .crisis_resources()
        .unwrap()
        .iter()
        .map(|r| r.uri().unwrap())
        .collect();
    assert_eq!(uris, ["tel:+61299990000", "tel:131114", "tel:000"]);
    // Device settings are not part of the synced record.
    assert_eq!(s.outbox_len().unwrap(), 0);
    let s = s.reopen();
    assert_eq!(s.crisis_resources().unwrap().len(), 3);
    assert_eq!(s.own_crisis_resources().unwrap().len(), 2);
    // An empty list leaves the region's defaults.
    s.set_crisis_resources(Vec::new()).unwrap();
    assert_eq!(s.crisis_resources().unwrap(), defaults_for(Some("AU")));
}

#[test]
fn sentences_letters_and_odd_schemes_are_refused_and_change_nothing() {
    let s = TestStore::new();
    s.set_region("US").unwrap();
    let refused = |resources: Vec<CrisisResource>, field: &str| {
        match s.set_crisis_resources(resources) {
            Err(Error::Invalid { field: got, .. }) => assert_eq!(got, field),
            other => panic!("expected Invalid({field}), got {other:?}"),
        }
        assert_eq!(s.crisis_resources().unwrap(), defaults_for(Some("US")));
    };
    refused(
        vec![phone(
            "Emergency",
            "Your local emergency number (112 in Europe, 911 in North America)",
        )],
        "number",
    );
    refused(vec![phone("Line", "1-800-CALL-NOW")], "number");
    refused(vec![phone("Line", "12")], "number");
    refused(vec![phone("Line", &"9".repeat(16))], "number");
    refused(vec![phone("Line", "911\u{202e}")], "number");
    refused(vec![phone(" ", "988")], "name");
    for url in [
        "http://example.org",
        "javascript:alert(1)",
        "tel:988",
        "https://",
        "https://user:pw@example.org",
        "not a url",
    ] {
        refused(
            vec![CrisisResource {
                name: "Chat".into(),
                contact: CrisisContact::Web { url: url.into() },
                hours: String::new(),
                region: None,
            }],
            "url",
        );
    }
    refused(
        vec![CrisisResource {
            region: Some("United States".into()),
            ..phone("Line", "988")
        }],
        "region",
    );
    refused(
        vec![CrisisResource {
            hours: "x".repeat(10_000),
            ..phone("Line", "988")
        }],
        "hours",
    );
    refused(vec![phone("Line", "988"); 21], "resources");
    for bad in ["", "U", "USA", "1A", "ü"] {
        assert!(
            matches!(
                s.set_region(bad),
                Err(Error::Invalid {
                    field: "region",
                    ..
                })
            ),
            "{bad:?}"
        );
    }
    assert_eq!(s.region().unwrap().as_deref(), Some("US"));
}

#[test]
fn resources_kept_by_an_older_version_as_free_text_are_read_without_dialling_sentences() {
    let s = TestStore::new();
    s.set_device_setting(
        "crisis_resources",
        r#"[{"name":"Emergency services","contact":"Your local emergency number (112 in Europe, 911 in North America)"},
            {"name":"Samaritans","contact":"116 123"},
            {"name":"Chat","contact":"https://example.org/chat"}]"#,
    )
    .unwrap();
    let own = s.own_crisis_resources().unwrap();
    assert_eq!(own[0].contact, CrisisContact::Instruction);
    assert_eq!(own[0].uri(), None);
    assert!(own[0].name.contains("112 in Europe"));
    assert_eq!(own[1].uri().as_deref(), Some("tel:116123"));
    assert_eq!(own[2].uri().as_deref(), Some("https://example.org/chat"));
}

/// Test access to the validation the store applies.
trait ValidatedForTest {
    fn validated_for_test(self) -> CrisisResource;
}

impl ValidatedForTest for CrisisResource {
    fn validated_for_test(self) -> CrisisResource {
        let s = TestStore::on_tmpfs();
        s.set_crisis_resources(vec![self]).unwrap();
        s.own_crisis_resources().unwrap().remove(0)
    }
}
