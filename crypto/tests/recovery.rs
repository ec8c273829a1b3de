//! Getting the account key onto a device: the recovery kit and pairing.

#![allow(clippy::unwrap_used)]

use rapport_crypto::{AccountKey, CryptoError, PairingRequest, RecoveryKit, seal_for_pairing};

const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

#[test]
fn a_recovery_kit_gives_back_the_account_key() {
    let key = AccountKey::generate();
    let kit = RecoveryKit::new(&key);
    let text = kit.as_str();
    assert_eq!(text.len(), 58 + 14, "{text}");
    assert!(
        text.split('-').all(|g| g.len() == 4 || g.len() == 2),
        "{text}"
    );
    let back = RecoveryKit::parse(text).expect("parse");
    assert_eq!(back.to_bytes(), key.to_bytes());
}

#[test]
fn parsing_ignores_case_spaces_and_dashes() {
    let key = AccountKey::generate();
    let text = RecoveryKit::new(&key).as_str().to_owned();
    let plain: String = text.chars().filter(|&c| c != '-').collect();
    let spaced = text.replace('-', " ");
    let lower = text.to_lowercase();
    let messy = format!(
        "  {}\n",
        plain
            .chars()
            .enumerate()
            .map(|(i, c)| if i % 7 == 0 {
                format!("{c} -")
            } else {
                c.to_string()
            })
            .collect::<String>()
    );
    for variant in [plain, spaced, lower, messy] {
        assert_eq!(
            RecoveryKit::parse(&variant).expect("parse").to_bytes(),
            key.to_bytes(),
            "{variant}"
        );
    }
}

#[test]
fn look_alike_digits_read_as_letters() {
    // Find a kit holding O, I and B, then type them as 0, 1 and 8.
    for seed in 0u8..=255 {
        let key = AccountKey::from_bytes([seed; 32]);
        let text = RecoveryKit::new(&key).as_str().to_owned();
        if !(text.contains('O') && text.contains('I') && text.contains('B')) {
            continue;
        }
        let typed = text.replace('O', "0").replace('I', "1").replace('B', "8");
        assert_eq!(
            RecoveryKit::parse(&typed).expect("parse").to_bytes(),
            key.to_bytes()
        );
        return;
    }
    panic!("no kit with O, I and B among 256 keys");
}

#[test]
fn every_single_character_typo_is_caught() {
    let key = AccountKey::from_bytes(*b"a fixed account key for typo tst");
    let text: Vec<char> = RecoveryKit::new(&key).as_str().chars().collect();
    let mut typos = 0;
    for (i, &c) in text.iter().enumerate() {
        if c == '-' {
            continue;
        }
        for replacement in ALPHABET.chars().filter(|&r| r != c) {
            let mut typed = text.clone();
            typed[i] = replacement;
            let typed: String = typed.into_iter().collect();
            assert_eq!(
                RecoveryKit::parse(&typed).unwrap_err(),
                CryptoError::BadChecksum,
                "{typed}"
            );
            typos += 1;
        }
    }
    assert_eq!(typos, 58 * 31);
}

#[test]
fn a_kit_with_a_missing_or_foreign_character_is_malformed() {
    let text = RecoveryKit::new(&AccountKey::generate())
        .as_str()
        .to_owned();
    assert!(matches!(
        RecoveryKit::parse(&text[1..]),
        Err(CryptoError::Malformed { .. })
    ));
    assert!(matches!(
        RecoveryKit::parse(&format!("{text}A")),
        Err(CryptoError::Malformed { .. })
    ));
    assert!(matches!(
        RecoveryKit::parse(&text.replacen(|c: char| c.is_ascii_alphabetic(), "9", 1)),
        Err(CryptoError::Malformed { .. })
    ));
    assert!(matches!(
        RecoveryKit::parse(""),
        Err(CryptoError::Malformed { .. })
    ));
    assert!(matches!(
        RecoveryKit::parse("é"),
        Err(CryptoError::Malformed { .. })
    ));
}

#[test]
fn pairing_carries_the_account_key_and_both_sides_show_the_same_code() {
    let account = AccountKey::generate();
    let new_device = PairingRequest::new();
    let offer = new_device.offer();
    let (sealed, shown_on_old) = seal_for_pairing(&account, "acct", &offer).expect("seal");
    let (key, shown_on_new) = new_device.accept("acct", &sealed).expect("accept");
    assert_eq!(key.to_bytes(), account.to_bytes());
    assert_eq!(shown_on_old, shown_on_new);
    assert_eq!(shown_on_new.len(), 6);
    assert!(shown_on_new.bytes().all(|b| b.is_ascii_digit()));
    // The offer is typed like a kit: case and dashes do not matter.
    assert!(seal_for_pairing(&account, "acct", &offer.to_lowercase().replace('-', "")).is_ok());
}

#[test]
fn a_substituted_pairing_payload_shows_a_different_code() {
    let account = AccountKey::generate();
    let new_device = PairingRequest::new();
    let offer = new_device.offer();
    let (_sealed, shown_on_old) = seal_for_pairing(&account, "acct", &offer).expect("seal");
    // Someone who saw the offer seals their own account key to it.
    let attacker = AccountKey::generate();
    let (swapped, _) = seal_for_pairing(&attacker, "acct", &offer).expect("seal");
    let (_, shown_on_new) = new_device.accept("acct", &swapped).expect("accept");
    assert_ne!(shown_on_old, shown_on_new);
}

#[test]
fn pairing_refuses_a_mistyped_offer_another_account_or_changed_bytes() {
    let account = AccountKey::generate();
    let new_device = PairingRequest::new();
    let offer = new_device.offer();
    let mut typo: Vec<char> = offer.chars().collect();
    typo[0] = if typo[0] == 'A' { 'B' } else { 'A' };
    let typo: String = typo.into_iter().collect();
    assert_eq!(
        seal_for_pairing(&account, "acct", &typo).unwrap_err(),
        CryptoError::BadChecksum
    );
    // A recovery kit is not an offer.
    let kit = RecoveryKit::new(&account);
    assert_eq!(
        seal_for_pairing(&account, "acct", kit.as_str()).unwrap_err(),
        CryptoError::BadChecksum
    );

    let (sealed, _) = seal_for_pairing(&account, "acct", &offer).expect("seal");
    assert_eq!(
        new_device.accept("other", &sealed).unwrap_err(),
        CryptoError::Tampered { what: "pairing" }
    );
    let mut flipped = sealed.clone();
    flipped[40] ^= 1;
    assert_eq!(
        new_device.accept("acct", &flipped).unwrap_err(),
        CryptoError::Tampered { what: "pairing" }
    );
    assert!(matches!(
        new_device.accept("acct", &sealed[..20]),
        Err(CryptoError::Malformed { .. })
    ));
    assert!(PairingRequest::new().accept("acct", &sealed).is_err());
}
