//! Wraps: a document key for one epoch, sealed for one recipient account, plus
//! every older epoch's key sealed as one blob under this epoch's key (whoever
//! holds the newest key reads the whole history), signed by the wrapping
//! device.
//!
//! - To the owner's own account: XChaCha20-Poly1305 under the account's
//!   self-seal key, `sealed_key = nonce (24) || ciphertext || tag`, AD = the
//!   wrap context.
//! - To a grantee: HPKE base mode to the grantee's X25519 key,
//!   `sealed_key = enc (32) || ciphertext || tag`, info = the wrap context.
//! - `previous` (empty at epoch 1): `nonce || XChaCha20-Poly1305(this epoch's key,
//!   keys of epochs 1..epoch-1 concatenated, AD = previous context)`.
//!
//! The context binds doc id, epoch and recipient, so a wrap moved to another
//! document, epoch or account does not open even if someone re-signs it.

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::account::{AccountKey, AccountPublic};
use crate::device::{DeviceKey, DevicePublic};
use crate::doc_key::DocKey;
use crate::encoding::Canonical;
use crate::error::{CryptoError, Result, malformed};
use crate::primitives::{NONCE_LEN, hpke_open, hpke_seal, random, xopen_prefixed, xseal_prefixed};

pub(crate) const LABEL_CONTEXT: &str = "rapport/v1/wrap";
pub(crate) const LABEL_PREVIOUS: &str = "rapport/v1/wrap/previous";
pub(crate) const LABEL_SIGNATURE: &str = "rapport/v1/wrap/signature";
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
    let context = context(doc_id, epoch, owner_id);
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
        },
        signer,
    ))
}

/// Wraps `key` for a grantee's account with HPKE, to the X25519 key in the
/// grantee's (pinned) public keys.
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
    let context = context(doc_id, epoch, grantee_id);
    let sealed_key = hpke_seal(&grantee.x25519, &context, key.as_bytes())?;
    let previous = seal_previous(doc_id, epoch, key, older, random());
    Ok(signed(
        Wrap {
            doc_id: doc_id.to_owned(),
            epoch,
            recipient: grantee_id.to_owned(),
            to_owner: false,
            sealed_key,
            previous,
            signer: signer_id.to_owned(),
            signature: Vec::new(),
        },
        signer,
    ))
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
    let context = context(&wrap.doc_id, wrap.epoch, &wrap.recipient);
    let key_bytes = if wrap.to_owner {
        xopen_prefixed(&me.self_seal_key(), &context, &wrap.sealed_key, WHAT)?
    } else {
        hpke_open(&me.x25519_secret(), &context, &wrap.sealed_key, WHAT)?
    };
    let key = DocKey::from_bytes(to_key(&key_bytes)?);
    let older = open_previous(wrap, &key)?;
    Ok(OpenedWrap { key, older })
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

fn context(doc_id: &str, epoch: u32, recipient: &str) -> Vec<u8> {
    Canonical::new(LABEL_CONTEXT)
        .str(doc_id)
        .u32(epoch)
        .str(recipient)
        .finish()
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
    Canonical::new(LABEL_SIGNATURE)
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
