//! Wraps: a document key for one epoch, sealed for one recipient account, plus
//! every older epoch's key sealed as one blob under this epoch's key (whoever
//! holds the newest key reads the whole history), signed by the wrapping
//! device.
//!
//! - To the owner's own account: XChaCha20-Poly1305 under the account's
//!   self-seal key, `sealed_key = nonce (24) || ciphertext || tag`, AD = the
//!   wrap context.
//! - To a grantee, format 2 (written): one HPKE encapsulation to the
//!   grantee's X25519 key per batch ([`GranteeSealer`]) exports a secret;
//!   `sealed_key = enc (32) || nonce (24) || XChaCha20-Poly1305(secret,
//!   key, AD = the format 2 context)`. Sharing thousands of documents costs
//!   one X25519 agreement instead of one each, and so does opening them.
//! - To a grantee, format 1 (still read): HPKE base mode per wrap,
//!   `sealed_key = enc (32) || ciphertext || tag`, info = the wrap context.
//! - `previous` (empty at epoch 1): `nonce || XChaCha20-Poly1305(this epoch's key,
//!   keys of epochs 1..epoch-1 concatenated, AD = previous context)`.
//!
//! The context binds doc id, epoch and recipient, so a wrap moved to another
//! document, epoch or account does not open even if someone re-signs it.

use std::collections::HashMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::account::{AccountKey, AccountPublic};
use crate::device::{DeviceKey, DevicePublic};
use crate::doc_key::DocKey;
use crate::encoding::Canonical;
use crate::error::{CryptoError, Result, malformed};
use crate::primitives::{
    ENC_LEN, NONCE_LEN, hpke_export_from, hpke_export_to, hpke_open, hpke_seal, random,
    xopen_prefixed, xseal_prefixed,
};

pub(crate) const LABEL_CONTEXT: &str = "rapport/v1/wrap";
pub(crate) const LABEL_PREVIOUS: &str = "rapport/v1/wrap/previous";
pub(crate) const LABEL_SIGNATURE: &str = "rapport/v1/wrap/signature";
pub(crate) const LABEL_SHARED_CONTEXT: &str = "rapport/v2/wrap";
pub(crate) const LABEL_SHARED_INFO: &str = "rapport/v2/wrap/shared";
pub(crate) const LABEL_SHARED_EXPORT: &str = "rapport/v2/wrap/shared/key";
pub(crate) const LABEL_SHARED_SIGNATURE: &str = "rapport/v2/wrap/signature";
/// Wraps to the owner, and grantee wraps sealed one HPKE message each.
pub const FORMAT_1: u8 = 1;
/// Grantee wraps sealed under a secret one HPKE encapsulation shares.
pub const FORMAT_SHARED: u8 = 2;
/// Opened shared secrets kept before the cache starts over.
const MAX_SHARED_SECRETS: usize = 4096;
const WHAT: &str = "wrap";
const KEY_LEN: usize = 32;

/// A document key wrapped for one account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wrap {
    pub doc_id: String,
    /// 1 for a document's first key; +1 at each rotation.
    pub epoch: u32,
    /// The account id the key is sealed for.
    pub recipient: String,
    /// Sealed to the owner's account (XChaCha20-Poly1305) or to a grantee (HPKE).
    pub to_owner: bool,
    #[serde(with = "serde_bytes")]
    pub sealed_key: Vec<u8>,
    /// The keys of epochs 1..epoch-1 sealed under this epoch's key; empty at epoch 1.
    #[serde(with = "serde_bytes")]
    pub previous: Vec<u8>,
    /// The device id of the wrapping device.
    pub signer: String,
    /// Ed25519 by the signer over [`Wrap`]'s every other field (canonical encoding).
    #[serde(with = "serde_bytes")]
    pub signature: Vec<u8>,
    /// [`FORMAT_1`], or [`FORMAT_SHARED`] for a grantee's key sealed by a
    /// [`GranteeSealer`]. Left out on the wire when it is 1, as wraps were
    /// written before there was a second format.
    #[serde(default = "format_1", skip_serializing_if = "is_format_1")]
    pub format: u8,
}

fn format_1() -> u8 {
    FORMAT_1
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_format_1(format: &u8) -> bool {
    *format == FORMAT_1
}

/// What [`open_wrap`] recovers.
#[derive(Debug)]
pub struct OpenedWrap {
    /// The key of the wrap's epoch.
    pub key: DocKey,
    /// The keys of epochs 1..epoch-1, in order (`older[0]` is epoch 1).
    pub older: Vec<DocKey>,
}

/// Wraps `key` (epoch `epoch`, with `older` = epochs 1..epoch-1 in order) for
/// the owner's own account, so that every device holding the account key reads it.
#[allow(clippy::too_many_arguments)]
pub fn wrap_for_owner(
    account: &AccountKey,
    owner_id: &str,
    doc_id: &str,
    epoch: u32,
    key: &DocKey,
    older: &[DocKey],
    signer_id: &str,
    signer: &DeviceKey,
) -> Result<Wrap> {
    wrap_for_owner_with_nonce(
        account,
        owner_id,
        doc_id,
        epoch,
        key,
        older,
        signer_id,
        signer,
        random(),
        random(),
    )
}

/// [`wrap_for_owner`] with given nonces, for reproducible test vectors only.
/// Reusing a nonce under the same key breaks XChaCha20-Poly1305: never call
/// this outside tests.
#[doc(hidden)]
#[allow(clippy::too_many_arguments)]
pub fn wrap_for_owner_with_nonce(
    account: &AccountKey,
    owner_id: &str,
    doc_id: &str,
    epoch: u32,
    key: &DocKey,
    older: &[DocKey],
    signer_id: &str,
    signer: &DeviceKey,
    key_nonce: [u8; NONCE_LEN],
    previous_nonce: [u8; NONCE_LEN],
) -> Result<Wrap> {
    check_chain(epoch, older)?;
    let context = context(LABEL_CONTEXT, doc_id, epoch, owner_id);
    let sealed_key = xseal_prefixed(
        &account.self_seal_key(),
        &key_nonce,
        &context,
        key.as_bytes(),
    );
    let previous = seal_previous(doc_id, epoch, key, older, previous_nonce);
    Ok(signed(
        Wrap {
            doc_id: doc_id.to_owned(),
            epoch,
            recipient: owner_id.to_owned(),
            to_owner: true,
            sealed_key,
            previous,
            signer: signer_id.to_owned(),
            signature: Vec::new(),
            format: FORMAT_1,
        },
        signer,
    ))
}

/// Wraps `key` for a grantee's account with one HPKE message of its own, to
/// the X25519 key in the grantee's (pinned) public keys: wrap format 1,
/// which every device still reads. [`GranteeSealer`] writes format 2.
#[allow(clippy::too_many_arguments)]
pub fn wrap_for_grantee(
    grantee_id: &str,
    grantee: &AccountPublic,
    doc_id: &str,
    epoch: u32,
    key: &DocKey,
    older: &[DocKey],
    signer_id: &str,
    signer: &DeviceKey,
) -> Result<Wrap> {
    check_chain(epoch, older)?;
    let context = context(LABEL_CONTEXT, doc_id, epoch, grantee_id);
    let sealed_key = hpke_seal(&grantee.x25519, &context, key.as_bytes())?;
    let previous = seal_previous(doc_id, epoch, key, older, random());
    let unsigned = to_grantee(
        FORMAT_1, grantee_id, doc_id, epoch, sealed_key, previous, signer_id,
    );
    Ok(signed(unsigned, signer))
}

/// A grantee wrap of `format`, not signed yet.
fn to_grantee(
    format: u8,
    grantee_id: &str,
    doc_id: &str,
    epoch: u32,
    sealed_key: Vec<u8>,
    previous: Vec<u8>,
    signer_id: &str,
) -> Wrap {
    Wrap {
        doc_id: doc_id.to_owned(),
        epoch,
        recipient: grantee_id.to_owned(),
        to_owner: false,
        sealed_key,
        previous,
        signer: signer_id.to_owned(),
        signature: Vec::new(),
        format,
    }
}

/// Seals document keys for one grantee under one HPKE encapsulation (wrap
/// format 2). The secret it exports seals each key with XChaCha20-Poly1305
/// and a fresh nonce, bound to the document, epoch and grantee; every wrap
/// carries the same `enc`. Make one per batch: it holds the secret in
/// memory (zeroed when dropped) and never writes it anywhere.
pub struct GranteeSealer {
    grantee_id: String,
    enc: [u8; ENC_LEN],
    secret: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for GranteeSealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GranteeSealer")
            .field("grantee_id", &self.grantee_id)
            .finish_non_exhaustive()
    }
}

impl GranteeSealer {
    /// One encapsulation to the X25519 key in the grantee's (pinned) public keys.
    pub fn new(grantee_id: &str, grantee: &AccountPublic) -> Result<GranteeSealer> {
        let (enc, secret) = hpke_export_to(
            &grantee.x25519,
            &shared_info(grantee_id),
            LABEL_SHARED_EXPORT.as_bytes(),
        )?;
        Ok(GranteeSealer {
            grantee_id: grantee_id.to_owned(),
            enc,
            secret,
        })
    }

    /// Wraps `key` (epoch `epoch`, `older` = epochs 1..epoch-1) for the grantee.
    pub fn wrap(
        &self,
        doc_id: &str,
        epoch: u32,
        key: &DocKey,
        older: &[DocKey],
        signer_id: &str,
        signer: &DeviceKey,
    ) -> Result<Wrap> {
        check_chain(epoch, older)?;
        let mut sealed_key = Vec::with_capacity(SHARED_SEALED_LEN);
        sealed_key.extend_from_slice(&self.enc);
        sealed_key.extend(xseal_prefixed(
            &self.secret,
            &random(),
            &context(LABEL_SHARED_CONTEXT, doc_id, epoch, &self.grantee_id),
            key.as_bytes(),
        ));
        let previous = seal_previous(doc_id, epoch, key, older, random());
        let unsigned = to_grantee(
            FORMAT_SHARED,
            &self.grantee_id,
            doc_id,
            epoch,
            sealed_key,
            previous,
            signer_id,
        );
        Ok(signed(unsigned, signer))
    }
}

/// `enc || nonce || sealed 32-byte key || tag`.
const SHARED_SEALED_LEN: usize = ENC_LEN + NONCE_LEN + KEY_LEN + 16;

/// The secrets opened from format 2 wraps' encapsulations, by `enc`, so that
/// a batch of wraps costs one X25519 agreement to open as well. Keep one
/// per signed-in account and hand it to [`open_wrap_with`]; a secret is kept
/// only after a wrap sealed under it opened.
#[derive(Default)]
pub struct SharedSecrets(Mutex<HashMap<[u8; ENC_LEN], Zeroizing<[u8; 32]>>>);

impl std::fmt::Debug for SharedSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedSecrets").finish_non_exhaustive()
    }
}

impl SharedSecrets {
    fn get(&self, enc: &[u8; ENC_LEN]) -> Option<Zeroizing<[u8; 32]>> {
        self.0.lock().ok().and_then(|m| m.get(enc).cloned())
    }

    fn keep(&self, enc: [u8; ENC_LEN], secret: Zeroizing<[u8; 32]>) {
        if let Ok(mut map) = self.0.lock() {
            if map.len() >= MAX_SHARED_SECRETS {
                map.clear();
            }
            map.insert(enc, secret);
        }
    }
}

/// Opens a wrap: verifies `signer`'s signature first (look the signer up by
/// `wrap.signer` and check its certificate), then that the wrap is for
/// `my_account_id`, then unseals the key and the older keys.
pub fn open_wrap(
    wrap: &Wrap,
    me: &AccountKey,
    my_account_id: &str,
    signer: &DevicePublic,
) -> Result<OpenedWrap> {
    open_wrap_with(wrap, me, my_account_id, signer, &SharedSecrets::default())
}

/// [`open_wrap`], reusing the shared secrets of format 2 wraps opened before.
pub fn open_wrap_with(
    wrap: &Wrap,
    me: &AccountKey,
    my_account_id: &str,
    signer: &DevicePublic,
    secrets: &SharedSecrets,
) -> Result<OpenedWrap> {
    if wrap.format != FORMAT_1 && wrap.format != FORMAT_SHARED {
        return Err(CryptoError::UnsupportedVersion {
            version: wrap.format,
        });
    }
    signer.verify(&signature_message(wrap), &wrap.signature, WHAT)?;
    if wrap.recipient != my_account_id {
        return Err(CryptoError::WrongRecipient {
            expected: my_account_id.to_owned(),
            found: wrap.recipient.clone(),
        });
    }
    if wrap.epoch == 0 {
        return Err(malformed(WHAT, "epoch 0 does not exist; epochs start at 1"));
    }
    let key_bytes = if wrap.format == FORMAT_SHARED {
        if wrap.to_owner {
            return Err(malformed(WHAT, "a wrap to the owner is never format 2"));
        }
        open_shared(wrap, me, secrets)?
    } else {
        let context = context(LABEL_CONTEXT, &wrap.doc_id, wrap.epoch, &wrap.recipient);
        if wrap.to_owner {
            xopen_prefixed(&me.self_seal_key(), &context, &wrap.sealed_key, WHAT)?
        } else {
            hpke_open(&me.x25519_secret(), &context, &wrap.sealed_key, WHAT)?
        }
    };
    let key = DocKey::from_bytes(to_key(&key_bytes)?);
    let older = open_previous(wrap, &key)?;
    Ok(OpenedWrap { key, older })
}

/// Unseals a format 2 wrap's key with the secret its `enc` shares.
fn open_shared(
    wrap: &Wrap,
    me: &AccountKey,
    secrets: &SharedSecrets,
) -> Result<Zeroizing<Vec<u8>>> {
    if wrap.sealed_key.len() != SHARED_SEALED_LEN {
        return Err(malformed(
            WHAT,
            format!(
                "a format 2 sealed key is {SHARED_SEALED_LEN} bytes, not {}",
                wrap.sealed_key.len()
            ),
        ));
    }
    let (enc, sealed) = wrap.sealed_key.split_at(ENC_LEN);
    let enc: [u8; ENC_LEN] = enc
        .try_into()
        .unwrap_or_else(|_| unreachable!("split at ENC_LEN"));
    let context = context(
        LABEL_SHARED_CONTEXT,
        &wrap.doc_id,
        wrap.epoch,
        &wrap.recipient,
    );
    if let Some(secret) = secrets.get(&enc) {
        return xopen_prefixed(&secret, &context, sealed, WHAT);
    }
    let secret = hpke_export_from(
        &me.x25519_secret(),
        &enc,
        &shared_info(&wrap.recipient),
        LABEL_SHARED_EXPORT.as_bytes(),
        WHAT,
    )?;
    let key = xopen_prefixed(&secret, &context, sealed, WHAT)?;
    secrets.keep(enc, secret);
    Ok(key)
}

/// Re-signs a wrap after its fields were changed: a test tool, to show that
/// the sealed context (not only the signature) refuses a moved wrap.
#[doc(hidden)]
pub fn resign_wrap(wrap: Wrap, signer: &DeviceKey) -> Wrap {
    signed(wrap, signer)
}

fn check_chain(epoch: u32, older: &[DocKey]) -> Result<()> {
    if epoch == 0 {
        return Err(malformed(WHAT, "epoch 0 does not exist; epochs start at 1"));
    }
    if older.len() as u64 != u64::from(epoch) - 1 {
        return Err(malformed(
            WHAT,
            format!(
                "epoch {epoch} needs the {} older keys, {} were given",
                epoch - 1,
                older.len()
            ),
        ));
    }
    Ok(())
}

/// `canonical(label, doc_id, u32 epoch, recipient)`: `C` of format 1 with
/// [`LABEL_CONTEXT`], `C₂` of format 2 with [`LABEL_SHARED_CONTEXT`].
fn context(label: &str, doc_id: &str, epoch: u32, recipient: &str) -> Vec<u8> {
    Canonical::new(label)
        .str(doc_id)
        .u32(epoch)
        .str(recipient)
        .finish()
}

fn shared_info(recipient: &str) -> Vec<u8> {
    Canonical::new(LABEL_SHARED_INFO).str(recipient).finish()
}

fn previous_context(doc_id: &str, epoch: u32) -> Vec<u8> {
    Canonical::new(LABEL_PREVIOUS)
        .str(doc_id)
        .u32(epoch)
        .finish()
}

fn seal_previous(
    doc_id: &str,
    epoch: u32,
    key: &DocKey,
    older: &[DocKey],
    nonce: [u8; NONCE_LEN],
) -> Vec<u8> {
    if older.is_empty() {
        return Vec::new();
    }
    let mut chain = Zeroizing::new(Vec::with_capacity(older.len() * KEY_LEN));
    for k in older {
        chain.extend_from_slice(k.as_bytes());
    }
    xseal_prefixed(
        key.as_bytes(),
        &nonce,
        &previous_context(doc_id, epoch),
        &chain,
    )
}

fn open_previous(wrap: &Wrap, key: &DocKey) -> Result<Vec<DocKey>> {
    let expected = usize::try_from(wrap.epoch - 1)
        .ok()
        .and_then(|n| n.checked_mul(KEY_LEN))
        .ok_or_else(|| malformed(WHAT, "the epoch is too large"))?;
    if expected == 0 {
        if !wrap.previous.is_empty() {
            return Err(malformed(WHAT, "an epoch-1 wrap has no older keys"));
        }
        return Ok(Vec::new());
    }
    let chain = xopen_prefixed(
        key.as_bytes(),
        &previous_context(&wrap.doc_id, wrap.epoch),
        &wrap.previous,
        WHAT,
    )?;
    if chain.len() != expected {
        return Err(malformed(WHAT, "the older keys do not match the epoch"));
    }
    chain
        .chunks_exact(KEY_LEN)
        .map(|c| to_key(c).map(DocKey::from_bytes))
        .collect()
}

fn to_key(bytes: &[u8]) -> Result<[u8; KEY_LEN]> {
    bytes
        .try_into()
        .map_err(|_| malformed(WHAT, "a sealed key is not 32 bytes"))
}

fn signature_message(wrap: &Wrap) -> Vec<u8> {
    // The format is in the label: a wrap relabelled to the other format
    // fails its signature before anything is unsealed.
    let label = if wrap.format == FORMAT_SHARED {
        LABEL_SHARED_SIGNATURE
    } else {
        LABEL_SIGNATURE
    };
    Canonical::new(label)
        .str(&wrap.doc_id)
        .u32(wrap.epoch)
        .str(&wrap.recipient)
        .bool(wrap.to_owner)
        .bytes(&wrap.sealed_key)
        .bytes(&wrap.previous)
        .str(&wrap.signer)
        .finish()
}

fn signed(mut wrap: Wrap, signer: &DeviceKey) -> Wrap {
    wrap.signature = signer.sign(&signature_message(&wrap)).to_vec();
    wrap
}
