//! The server's SQLite database read as someone who stole a copy would,
//! holding some account's key: which document keys it opens, which
//! bundles those keys open. Tests of revocation and of a lying server read
//! it to show that nothing written after access ended opens.

use std::collections::HashMap;

use rapport_core::ItemId;
use rapport_crypto::{
    AccountKey, BundleLabels, DeviceCertificate, DocKey, Wrap, open_bundle, open_wrap,
};

use crate::Server;

pub fn db(server: &Server) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(server.database()).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .unwrap();
    conn
}

pub fn cbor<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> T {
    ciborium::from_reader(bytes).unwrap()
}

/// Every document key a holder of `account` can open from the server's
/// database: the keys it was sealed and the older ones they carry.
pub fn keys_in_database(
    server: &Server,
    account_id: &str,
    account: &AccountKey,
) -> HashMap<(String, u32), DocKey> {
    let conn = db(server);
    let certs: HashMap<String, DeviceCertificate> = conn
        .prepare("SELECT device_id, certificate FROM device_keys")
        .unwrap()
        .query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
        })
        .unwrap()
        .map(|r| {
            let (id, bytes) = r.unwrap();
            (id, cbor(&bytes))
        })
        .collect();
    let mut keys = HashMap::new();
    let bodies: Vec<Vec<u8>> = conn
        .prepare("SELECT body FROM wraps")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for body in bodies {
        let wrap: Wrap = cbor(&body);
        let Some(cert) = certs.get(&wrap.signer) else {
            continue;
        };
        if let Ok(opened) = open_wrap(&wrap, account, account_id, &cert.device_public) {
            for (i, old) in opened.older.iter().enumerate() {
                keys.insert((wrap.doc_id.clone(), i as u32 + 1), old.clone());
            }
            keys.insert((wrap.doc_id.clone(), wrap.epoch), opened.key);
        }
    }
    keys
}

/// Every bundle on the server of `doc`, with the labels its envelope carries.
pub fn bundles_of(server: &Server, doc: &ItemId, kind: &str) -> Vec<(BundleLabels, Vec<u8>)> {
    db(server)
        .prepare(
            "SELECT bundle_id, device_id, epoch, data FROM bundles
             WHERE doc_id = ?1 AND data IS NOT NULL",
        )
        .unwrap()
        .query_map([doc.as_str()], |r| {
            Ok((
                BundleLabels {
                    doc_id: doc.to_string(),
                    epoch: r.get(2)?,
                    device_id: r.get(1)?,
                    bundle_id: r.get(0)?,
                    kind: kind.into(),
                },
                r.get(3)?,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Every device key the server ever published, retired ones included.
pub fn every_certificate(server: &Server) -> Vec<DeviceCertificate> {
    let conn = db(server);
    let mut certs = Vec::new();
    for table in ["device_keys", "retired_device_keys"] {
        let rows: Vec<Vec<u8>> = conn
            .prepare(&format!("SELECT certificate FROM {table}"))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        certs.extend(rows.iter().map(|c| cbor::<DeviceCertificate>(c)));
    }
    certs
}

/// Whether a holder of these keys opens this bundle with any of them.
pub fn opens(bundle: &[u8], labels: &BundleLabels, keys: &[DocKey], server: &Server) -> bool {
    let certs = every_certificate(server);
    keys.iter().any(|key| {
        certs
            .iter()
            .any(|cert| open_bundle(key, bundle, labels, &cert.device_public).is_ok())
    })
}
