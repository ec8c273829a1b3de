//! Sealing what leaves the device and opening what arrives (the format is
//! docs/encryption.md). Each document has a key per epoch: epoch 1 derived
//! from the account key, later ones random and sealed (wrapped) for the
//! owner's account; every epoch is wrapped for each grantee. Every bundle and
//! snapshot is sealed under the current epoch's key and signed by the
//! device. A piece whose key has not arrived waits; one that fails any
//! check is refused with the [`CryptoError`] that says why and applied
//! nowhere.

use std::collections::HashMap;

use rapport_crypto::{self as crypto, BundleLabels, CryptoError, DevicePublic, DocKey, Wrap};
use rapport_protocol::{AccountPublic, DocKind};

use super::keyring::Keyring;
use super::{SyncError, cbor};
use crate::id::ItemId;
use crate::store::{Store, StoredWrap};

pub(super) fn decode_wrap(body: &[u8]) -> Result<Wrap, SyncError> {
    cbor::decode(body, "a kept wrap")
}

/// Keeps wraps in one transaction; `uploaded` when the server holds them.
pub(super) fn keep_all(store: &Store, wraps: &[Wrap], uploaded: bool) -> Result<(), SyncError> {
    let stored = wraps
        .iter()
        .map(|wrap| {
            Ok(StoredWrap {
                doc_id: ItemId::new(wrap.doc_id.clone()),
                epoch: wrap.epoch,
                recipient: wrap.recipient.clone(),
                body: cbor::encode(wrap, "a wrap")?,
            })
        })
        .collect::<Result<Vec<_>, SyncError>>()?;
    store.keep_wraps(&stored, uploaded)?;
    Ok(())
}

fn keep(store: &Store, wrap: &Wrap, uploaded: bool) -> Result<(), SyncError> {
    keep_all(store, std::slice::from_ref(wrap), uploaded)
}

/// Keeps the wraps the server delivered for this account. Each is checked
/// (its signer, its recipient, its seal) when it is first opened.
pub(super) fn receive_wraps(
    store: &Store,
    keys: &Keyring,
    wraps: &[Wrap],
) -> Result<(), SyncError> {
    let mine: Vec<Wrap> = wraps
        .iter()
        .filter(|w| w.recipient == keys.account_id)
        .cloned()
        .collect();
    keep_all(store, &mine, true)
}

/// What opening a key or a piece came to.
pub(super) enum Opening<T> {
    Opened(T),
    /// The key of this epoch has not arrived yet.
    Waiting,
    /// Signed by a device of `account` not seen yet: learn its keys, then retry.
    UnknownSigner {
        account: String,
    },
    Refused(CryptoError),
}

impl<T> Opening<T> {
    /// The outcome of a next step on the opened value; any other outcome
    /// stays as it is.
    pub(super) fn and_then<U>(self, f: impl FnOnce(T) -> Opening<U>) -> Opening<U> {
        match self {
            Opening::Opened(value) => f(value),
            Opening::Waiting => Opening::Waiting,
            Opening::UnknownSigner { account } => Opening::UnknownSigner { account },
            Opening::Refused(err) => Opening::Refused(err),
        }
    }

    /// The same outcome with the opened value turned into another.
    fn map<U>(self, f: impl FnOnce(T) -> U) -> Opening<U> {
        self.and_then(|value| Opening::Opened(f(value)))
    }

    /// Like [`Opening::map`], with a step that may fail.
    fn try_map<U>(
        self,
        f: impl FnOnce(T) -> Result<U, SyncError>,
    ) -> Result<Opening<U>, SyncError> {
        Ok(match self {
            Opening::Opened(value) => Opening::Opened(f(value)?),
            Opening::Waiting => Opening::Waiting,
            Opening::UnknownSigner { account } => Opening::UnknownSigner { account },
            Opening::Refused(err) => Opening::Refused(err),
        })
    }
}

/// The public keys of a device certified by `account`, as seen so far (one
/// per account key it was certified under).
fn signers(store: &Store, device: &str, account: &str) -> Result<Vec<DevicePublic>, SyncError> {
    Ok(store
        .peer_device(device)?
        .into_iter()
        .filter(|(owner, _)| owner == account)
        .filter_map(|(_, public)| <[u8; 32]>::try_from(public.as_slice()).ok())
        .map(DevicePublic)
        .collect())
}

/// Checks something signed by `device` of `account` under each key the
/// device was seen with. A signature none of them verifies may be from a
/// key not learnt yet (the account key was replaced): the caller learns the
/// account's keys once and tries again, and only then refuses it.
fn verified<T>(
    store: &Store,
    device: &str,
    account: &str,
    check: impl Fn(&DevicePublic) -> Result<T, CryptoError>,
) -> Result<Opening<T>, SyncError> {
    Ok(verified_by(
        &signers(store, device, account)?,
        account,
        check,
    ))
}

/// [`verified`] with the device's keys already read.
fn verified_by<T>(
    candidates: &[DevicePublic],
    account: &str,
    check: impl Fn(&DevicePublic) -> Result<T, CryptoError>,
) -> Opening<T> {
    let mut unsigned = false;
    for public in candidates {
        match check(public) {
            Ok(value) => return Opening::Opened(value),
            Err(CryptoError::BadSignature { .. }) => unsigned = true,
            Err(err) => return Opening::Refused(err),
        }
    }
    debug_assert!(unsigned || candidates.is_empty());
    Opening::UnknownSigner {
        account: account.to_owned(),
    }
}

/// A document's key of `epoch`, opened from the newest wrap for this account.
fn key_at(
    store: &Store,
    keys: &Keyring,
    doc: &ItemId,
    owner: &str,
    epoch: u32,
) -> Result<Opening<DocKey>, SyncError> {
    if let Some(key) = keys.opened(doc, epoch) {
        return Ok(Opening::Opened(key));
    }
    let newest = store.newest_wrap(doc, &keys.account_id)?;
    if epoch == 1 && owner == keys.account_id && newest.is_none() {
        // The first key of the account's own documents is derived. Once a
        // document has a wrap (a revocation, or the account key replaced),
        // the wrap carries epoch 1 too, derived from the key of its time.
        let key = keys.account.document_key(doc.as_str());
        keys.remember(doc, 1, &key, &[]);
        return Ok(Opening::Opened(key));
    }
    let Some(stored) = newest else {
        return Ok(Opening::Waiting);
    };
    if stored.epoch < epoch || epoch == 0 {
        return Ok(Opening::Waiting);
    }
    let wrap = decode_wrap(&stored.body)?;
    let opened = verified(store, &wrap.signer, owner, |public| {
        crypto::open_wrap_with(
            &wrap,
            &keys.account,
            &keys.account_id,
            public,
            &keys.shared_secrets,
        )
    })?;
    Ok(opened.and_then(|opened| {
        keys.remember(doc, wrap.epoch, &opened.key, &opened.older);
        keys.opened(doc, epoch)
            .map_or(Opening::Waiting, Opening::Opened)
    }))
}

/// The current key of one of this account's own documents: the newest one
/// wrapped for the account, or else the derived key of epoch 1.
fn own_key(
    store: &Store,
    keys: &Keyring,
    doc: &ItemId,
) -> Result<Opening<(u32, DocKey)>, SyncError> {
    let epoch = store
        .newest_wrap(doc, &keys.account_id)?
        .map_or(1, |stored| stored.epoch);
    Ok(key_at(store, keys, doc, &keys.account_id, epoch)?.map(|key| (epoch, key)))
}

/// The current key of an own document, or the error that stops using it.
fn own_key_now(store: &Store, keys: &Keyring, doc: &ItemId) -> Result<(u32, DocKey), SyncError> {
    match own_key(store, keys, doc)? {
        Opening::Opened(found) => Ok(found),
        Opening::Refused(err) => Err(err.into()),
        Opening::Waiting | Opening::UnknownSigner { .. } => Err(SyncError::Protocol(format!(
            "the key of document {doc} cannot be opened on this device yet; sync again"
        ))),
    }
}

/// Every key of a document before `epoch`, oldest first.
fn older_keys(keys: &Keyring, doc: &ItemId, epoch: u32) -> Result<Vec<DocKey>, SyncError> {
    (1..epoch)
        .map(|e| {
            keys.opened(doc, e).ok_or_else(|| {
                SyncError::Protocol(format!("the key of epoch {e} of document {doc} is missing"))
            })
        })
        .collect()
}

/// Seals a change of one of this account's documents: its epoch and bytes
/// (format 2: bound to the document, epoch, this device, `bundle_id` and
/// kind, which the push's envelope carries; a snapshot has no bundle id and
/// is bound to the empty one).
pub(super) fn seal(
    store: &Store,
    keys: &Keyring,
    doc: &ItemId,
    kind: DocKind,
    bundle_id: &str,
    plaintext: &[u8],
) -> Result<Opening<(u32, Vec<u8>)>, SyncError> {
    own_key(store, keys, doc)?.try_map(|(epoch, key)| {
        let labels = BundleLabels {
            doc_id: doc.to_string(),
            epoch,
            device_id: keys.device_id.clone(),
            bundle_id: bundle_id.to_owned(),
            kind: kind.as_str().to_owned(),
        };
        Ok((
            epoch,
            crypto::seal_bundle(&key, &labels, plaintext, &keys.device)?,
        ))
    })
}

/// What the envelope of a pulled piece says beside its bytes: what a sealed
/// bundle of format 2 is bound to (format 1 carries its own).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Envelope {
    /// Empty for a snapshot.
    pub bundle_id: String,
    pub device_id: String,
    pub epoch: u32,
}

/// Opens one sealed piece: [`prepare`] then [`Prepared::open`].
pub(super) fn open(
    store: &Store,
    keys: &Keyring,
    doc: &ItemId,
    kind: DocKind,
    owner: &str,
    envelope: &Envelope,
    data: &[u8],
) -> Result<Opening<Vec<u8>>, SyncError> {
    let mut seen = SeenSigners::default();
    Ok(
        prepare(store, keys, &mut seen, doc, kind, owner, envelope, data)?
            .and_then(|p| p.open(data)),
    )
}

/// The keys each device was seen with, read from the store once for a
/// page: its pieces come from a few devices. Made anew after learning an
/// account's devices.
#[derive(Default)]
pub(super) struct SeenSigners(HashMap<(String, String), Vec<DevicePublic>>);

impl SeenSigners {
    fn of(
        &mut self,
        store: &Store,
        device: &str,
        account: &str,
    ) -> Result<Vec<DevicePublic>, SyncError> {
        let key = (device.to_owned(), account.to_owned());
        if let Some(known) = self.0.get(&key) {
            return Ok(known.clone());
        }
        let read = signers(store, device, account)?;
        self.0.insert(key, read.clone());
        Ok(read)
    }
}

/// A sealed piece with what opening it needs from the store: its key, the
/// labels it must carry, the keys its device was seen with. What is left,
/// the signature and the seal, reads nothing, so a page's pieces are opened
/// over the cores.
pub(super) struct Prepared {
    key: DocKey,
    expected: BundleLabels,
    signers: Vec<DevicePublic>,
    owner: String,
}

/// Reads what opening `data` needs; a piece that is not sealed, or whose
/// header does not parse, is refused here and one whose key has not
/// arrived waits.
#[allow(clippy::too_many_arguments)] // one piece's envelope, and where to look
pub(super) fn prepare(
    store: &Store,
    keys: &Keyring,
    seen: &mut SeenSigners,
    doc: &ItemId,
    kind: DocKind,
    owner: &str,
    envelope: &Envelope,
    data: &[u8],
) -> Result<Opening<Prepared>, SyncError> {
    if !crypto::is_sealed(data) {
        // Plain bytes where sealed ones belong: a server injecting content.
        return Ok(Opening::Refused(CryptoError::Malformed {
            what: "bundle",
            reason: "it is not sealed".into(),
        }));
    }
    let header = match crypto::read_header(data) {
        Ok(header) => header,
        Err(err) => return Ok(Opening::Refused(err)),
    };
    // Format 1 names its own epoch, device and bundle id; format 2 is bound
    // to the envelope's, which a server cannot change unnoticed.
    let expected = match header.labels() {
        Some(written) => BundleLabels {
            doc_id: doc.to_string(),
            kind: kind.as_str().to_owned(),
            ..written.clone()
        },
        None => BundleLabels {
            doc_id: doc.to_string(),
            epoch: envelope.epoch,
            device_id: envelope.device_id.clone(),
            bundle_id: envelope.bundle_id.clone(),
            kind: kind.as_str().to_owned(),
        },
    };
    key_at(store, keys, doc, owner, expected.epoch)?.try_map(|key| {
        Ok(Prepared {
            signers: seen.of(store, &expected.device_id, owner)?,
            key,
            expected,
            owner: owner.to_owned(),
        })
    })
}

impl Prepared {
    /// Checks the signature and the seal of `data` (the bytes it was
    /// prepared from) and opens it.
    pub(super) fn open(&self, data: &[u8]) -> Opening<Vec<u8>> {
        verified_by(&self.signers, &self.owner, |public| {
            crypto::open_bundle(&self.key, data, &self.expected, public)
        })
    }
}

/// Starts a new epoch for one of this account's documents: a new key,
/// wrapped for the owner with every older key; the server then asks for a
/// wrap for each grantee who still may read it, and for no one else.
pub(super) fn rotate(store: &Store, keys: &Keyring, doc: &ItemId) -> Result<(), SyncError> {
    let (epoch, key) = own_key_now(store, keys, doc)?;
    let mut older = older_keys(keys, doc, epoch)?;
    older.push(key);
    let next = DocKey::generate();
    let wrap = crypto::wrap_for_owner(
        &keys.account,
        &keys.account_id,
        doc.as_str(),
        epoch + 1,
        &next,
        &older,
        &keys.device_id,
        &keys.device,
    )?;
    keep(store, &wrap, false)?;
    keys.remember(doc, epoch + 1, &next, &older);
    Ok(())
}

/// Whether `keys` open the current key of one of this account's documents.
pub(super) fn opens_current(
    store: &Store,
    keys: &Keyring,
    doc: &ItemId,
) -> Result<bool, SyncError> {
    Ok(matches!(own_key(store, keys, doc)?, Opening::Opened(_)))
}

/// The first epoch under a replaced account key, for one of this account's
/// documents: its key derived from the new account key (the same if the
/// replacement is done again), wrapped for the owner under the new key with
/// every older key (opened with the old one), signed by this device's new
/// key. The lost device, which holds only the old key, opens none of it.
pub(super) fn replacement_wrap(
    store: &Store,
    old: &Keyring,
    next: &Keyring,
    doc: &ItemId,
) -> Result<Wrap, SyncError> {
    let (epoch, key) = own_key_now(store, old, doc)?;
    let mut older = older_keys(old, doc, epoch)?;
    older.push(key);
    let key = next
        .account
        .replacement_document_key(doc.as_str(), epoch + 1);
    Ok(crypto::wrap_for_owner(
        &next.account,
        &next.account_id,
        doc.as_str(),
        epoch + 1,
        &key,
        &older,
        &next.device_id,
        &next.device,
    )?)
}

/// What sealing one document's key for a grantee needs, read from the
/// store beforehand ([`seal_for_grantee`] seals many at once).
pub(super) struct GranteeWrap {
    doc: ItemId,
    epoch: u32,
    key: DocKey,
    older: Vec<DocKey>,
}

/// The key of `epoch` of a document and the keys before it, for sealing to
/// a grantee. `None` when this device does not hold that epoch (another
/// device rotated: the next pull brings it).
pub(super) fn grantee_wrap(
    store: &Store,
    keys: &Keyring,
    doc: &ItemId,
    epoch: u32,
) -> Result<Option<GranteeWrap>, SyncError> {
    let (current, key) = own_key_now(store, keys, doc)?;
    if current != epoch {
        return Ok(None);
    }
    Ok(Some(GranteeWrap {
        doc: doc.clone(),
        epoch,
        older: older_keys(keys, doc, epoch)?,
        key,
    }))
}

/// Seals each key for the grantee, for the caller to keep ([`keep_all`]):
/// one HPKE encapsulation for the whole batch (wrap format 2), then per
/// wrap an XChaCha20-Poly1305 seal and the device's Ed25519 signature. A
/// large share (thousands of documents at once) is spread over the cores.
///
/// A server from before wrap format 2 (its limits say `wrap_format` 1)
/// would drop the format from what it stores: then each key is its own
/// HPKE message (format 1), as before.
pub(super) fn seal_for_grantee(
    keys: &Keyring,
    grantee: &str,
    public: &AccountPublic,
    wraps: &[GranteeWrap],
    server_format: u8,
) -> Result<Vec<Wrap>, SyncError> {
    let sealer = if server_format >= crypto::format::WRAP_FORMAT_SHARED {
        Some(crypto::GranteeSealer::new(grantee, public)?)
    } else {
        None
    };
    let seal = |w: &GranteeWrap| {
        let (doc, epoch, key, older) = (w.doc.as_str(), w.epoch, &w.key, &w.older);
        let (signer_id, signer) = (&keys.device_id, &keys.device);
        match &sealer {
            Some(sealer) => sealer.wrap(doc, epoch, key, older, signer_id, signer),
            None => {
                crypto::wrap_for_grantee(grantee, public, doc, epoch, key, older, signer_id, signer)
            }
        }
        .map_err(SyncError::from)
    };
    crate::cores::map(wraps.iter().collect(), seal)
        .into_iter()
        .collect()
}
