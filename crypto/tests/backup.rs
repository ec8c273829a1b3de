//! The passphrase backup of the account key.

#![allow(clippy::unwrap_used)]

use rapport_crypto::{
    AccountKey, BackupParams, CryptoError, open_backup, seal_backup, seal_backup_with,
};

#[test]
fn a_backup_with_the_real_parameters_opens_with_its_passphrase() {
    let key = AccountKey::generate();
    let blob = seal_backup(&key, "correct horse battery staple").expect("seal");
    assert_eq!(&blob[..4], b"RPK\x01");
    assert_eq!(&blob[4..8], &(64u32 * 1024).to_be_bytes());
    assert_eq!(&blob[8..12], &3u32.to_be_bytes());
    assert_eq!(&blob[12..16], &1u32.to_be_bytes());
    let back = open_backup(&blob, "correct horse battery staple").expect("open");
    assert_eq!(back.to_bytes(), key.to_bytes());
}

fn floor_blob(key: &AccountKey, passphrase: &str) -> Vec<u8> {
    seal_backup_with(key, passphrase, BackupParams::FLOOR, [3; 16], [4; 24]).expect("seal")
}

#[test]
fn a_wrong_passphrase_or_a_changed_blob_is_refused() {
    let key = AccountKey::generate();
    let blob = floor_blob(&key, "passphrase");
    assert_eq!(
        open_backup(&blob, "Passphrase").unwrap_err(),
        CryptoError::WrongPassphrase
    );
    // Changed salt, nonce or ciphertext.
    for at in [20, 40, 70] {
        let mut changed = blob.clone();
        changed[at] ^= 1;
        assert_eq!(
            open_backup(&changed, "passphrase").unwrap_err(),
            CryptoError::WrongPassphrase,
            "byte {at}"
        );
    }
    assert_eq!(
        open_backup(&blob, "passphrase").expect("open").to_bytes(),
        key.to_bytes()
    );
}

#[test]
fn weak_or_absurd_parameters_in_a_crafted_blob_are_malformed() {
    let key = AccountKey::generate();
    let blob = floor_blob(&key, "pw");
    let with = |m: u32, t: u32, p: u32| {
        let mut b = blob.clone();
        b[4..8].copy_from_slice(&m.to_be_bytes());
        b[8..12].copy_from_slice(&t.to_be_bytes());
        b[12..16].copy_from_slice(&p.to_be_bytes());
        b
    };
    for (m, t, p) in [
        (19 * 1024 - 1, 2, 1),
        (64 * 1024, 1, 1),
        (8, 1, 1),
        (64 * 1024, 3, 0),
        (1024 * 1024 + 1, 3, 1),
        (64 * 1024, 65, 1),
        (64 * 1024, 3, 17),
        (u32::MAX, u32::MAX, u32::MAX),
    ] {
        assert!(
            matches!(
                open_backup(&with(m, t, p), "pw"),
                Err(CryptoError::Malformed { .. })
            ),
            "{m} {t} {p}"
        );
    }
    // This crate will not write such a blob either.
    let weak = BackupParams {
        m_kib: 1024,
        t: 1,
        p: 1,
    };
    assert!(seal_backup_with(&key, "pw", weak, [0; 16], [0; 24]).is_err());
}

#[test]
fn truncated_foreign_and_future_blobs_are_refused_without_running_argon2() {
    let blob = floor_blob(&AccountKey::generate(), "pw");
    for len in 0..blob.len() {
        assert!(
            matches!(
                open_backup(&blob[..len], "pw"),
                Err(CryptoError::Malformed { .. })
            ),
            "len {len}"
        );
    }
    let mut future = blob.clone();
    future[3] = 9;
    assert_eq!(
        open_backup(&future, "pw").unwrap_err(),
        CryptoError::UnsupportedVersion { version: 9 }
    );
    let mut foreign = blob;
    foreign[0] = b'X';
    assert!(matches!(
        open_backup(&foreign, "pw"),
        Err(CryptoError::Malformed { .. })
    ));
}
