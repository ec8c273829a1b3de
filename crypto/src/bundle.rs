//! Sealed bundles: one document's Automerge bytes as the server stores them.
//!
//! Format 2, written (integers big-endian):
//!
//! ```text
//! "RPB" | version u8 = 2 | nonce (24) | ciphertext || tag | signature (64)
//! ```
//!
//! The labels (document, epoch, device, bundle id, kind) are not written:
//! the envelope the bundle travels in carries them, and the reader takes
//! them from there. They are bound all the same:
//! `L = canonical("rapport/v2/bundle", doc_id, u32 epoch, device_id, bundle_id, kind)`;
//! the ciphertext is XChaCha20-Poly1305 under the epoch's document key of the
//! padded plaintext ([`crate::padding`]) with associated data
//! `magic || version || nonce || L`, and the signature is Ed25519 by the
//! device over `L || every byte before the signature`. A bundle presented
//! under any other label fails its signature (and its seal).
//!
//! Format 1, still read (bundles already on servers):
//!
//! ```text
//! "RPB" | version u8 = 1 | doc_id (u16 len + UTF-8) | epoch u32
//!   | device_id (u16 len + UTF-8) | bundle_id (u16 len + UTF-8) | kind (u8 len + UTF-8)
//!   | nonce (24) | ciphertext || tag | signature (64)
//! ```
//!
//! with every byte before the ciphertext as associated data and the
//! signature over every byte before it: the labels are in the header.

use crate::device::{DeviceKey, DevicePublic};
use crate::doc_key::DocKey;
use crate::encoding::Canonical;
use crate::error::{CryptoError, Result, malformed};
use crate::padding::{pad, unpad};
use crate::primitives::{NONCE_LEN, TAG_LEN, random, xopen, xseal};

/// The first bytes of every sealed bundle.
pub const MAGIC: &[u8; 3] = b"RPB";
/// The bundle format this build writes.
pub const VERSION: u8 = 2;
/// The first format, with the labels in the header: still read.
pub const VERSION_1: u8 = 1;
const SIGNATURE_LEN: usize = 64;
const WHAT: &str = "sealed bundle";
/// The domain-separation label of format 2's bound labels.
pub(crate) const LABEL_V2: &str = "rapport/v2/bundle";
/// Magic, version and nonce: format 2's whole header.
const V2_HEADER_LEN: usize = MAGIC.len() + 1 + NONCE_LEN;

/// What a sealed bundle is bound to: the document, key epoch, device, bundle
/// id and kind. Format 2 takes them from the envelope the bundle travels in
/// (the sync protocol's `Bundle` and `PulledChange`); format 1 wrote them in
/// its header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleLabels {
    pub doc_id: String,
    /// The document key epoch the bundle is sealed under.
    pub epoch: u32,
    /// The device that sealed and signed it.
    pub device_id: String,
    /// The bundle's id; empty for a snapshot (which has none on the wire).
    pub bundle_id: String,
    /// The record kind (at most 255 bytes).
    pub kind: String,
}

/// What the bytes of a sealed bundle say before any check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BundleHeader {
    /// Format 1: the labels are written in the bundle. Nothing in them is
    /// trusted until [`open_bundle`].
    V1(BundleLabels),
    /// Format 2: magic and version only; the labels come with the envelope.
    V2,
}

impl BundleHeader {
    /// The labels a format 1 bundle carries; `None` for format 2.
    pub fn labels(&self) -> Option<&BundleLabels> {
        match self {
            BundleHeader::V1(labels) => Some(labels),
            BundleHeader::V2 => None,
        }
    }
}

/// Whether `bytes` start like a sealed bundle (a cheap check, no verification).
pub fn is_sealed(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// Seals `plaintext` under the epoch's document key and signs it with the
/// device key, bound to `labels` (format 2). Refuses a kind over 255 bytes
/// or an id over 65535 bytes (what format 1 could hold, so that every label
/// could be written either way).
pub fn seal_bundle(
    key: &DocKey,
    labels: &BundleLabels,
    plaintext: &[u8],
    device: &DeviceKey,
) -> Result<Vec<u8>> {
    seal_bundle_with_nonce(key, labels, plaintext, device, random())
}

/// [`seal_bundle`] with a given nonce, for reproducible test vectors only.
/// Reusing a nonce under one key breaks XChaCha20-Poly1305: never outside tests.
#[doc(hidden)]
pub fn seal_bundle_with_nonce(
    key: &DocKey,
    labels: &BundleLabels,
    plaintext: &[u8],
    device: &DeviceKey,
    nonce: [u8; NONCE_LEN],
) -> Result<Vec<u8>> {
    check_labels(labels)?;
    let padded = zeroize::Zeroizing::new(pad(plaintext)?);
    let bound = bound_labels(labels);
    let mut out = Vec::with_capacity(V2_HEADER_LEN + padded.len() + TAG_LEN + SIGNATURE_LEN);
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    out.extend_from_slice(&nonce);
    let ciphertext = xseal(key.as_bytes(), &nonce, &v2_ad(&out, &bound), &padded);
    out.extend_from_slice(&ciphertext);
    let signature = device.sign(&v2_signed(&bound, &out));
    out.extend_from_slice(&signature);
    Ok(out)
}

/// A format 1 bundle (labels in the header), as builds before format 2
/// wrote them: for test vectors and for tests of reading old bundles only.
#[doc(hidden)]
pub fn seal_bundle_v1_with_nonce(
    key: &DocKey,
    labels: &BundleLabels,
    plaintext: &[u8],
    device: &DeviceKey,
    nonce: [u8; NONCE_LEN],
) -> Result<Vec<u8>> {
    let padded = zeroize::Zeroizing::new(pad(plaintext)?);
    let mut out = encode_v1_header(labels)?;
    out.extend_from_slice(&nonce);
    let ciphertext = xseal(key.as_bytes(), &nonce, &out, &padded);
    out.extend_from_slice(&ciphertext);
    let signature = device.sign(&out);
    out.extend_from_slice(&signature);
    Ok(out)
}

/// Reads the header without a key or a signature check: the format, and
/// for format 1 the labels that pick the key and device to open with.
pub fn read_header(sealed: &[u8]) -> Result<BundleHeader> {
    parse(sealed).map(|p| p.header)
}

/// Verifies the device signature, checks that the bundle is bound to
/// `expected`, decrypts and unpads. `key` is the document key of the
/// bundle's epoch; `signer` the (certified) public key of its device.
///
/// Format 2: `expected` is what the envelope says, every label is checked
/// by the signature and the seal (another document, epoch, device, bundle
/// id or kind: [`CryptoError::BadSignature`]). Format 1: the document and
/// kind in the header are compared with `expected`
/// ([`CryptoError::WrongDocument`], [`CryptoError::WrongKind`]); its epoch,
/// device and bundle id are the header's own (read them with
/// [`read_header`] to pick the key and signer).
pub fn open_bundle(
    key: &DocKey,
    sealed: &[u8],
    expected: &BundleLabels,
    signer: &DevicePublic,
) -> Result<Vec<u8>> {
    let parsed = parse(sealed)?;
    let signed = &sealed[..sealed.len() - SIGNATURE_LEN];
    let signature = &sealed[sealed.len() - SIGNATURE_LEN..];
    let ciphertext = &sealed[parsed.ciphertext_start..sealed.len() - SIGNATURE_LEN];
    let header = &sealed[..parsed.ciphertext_start];
    let padded = match &parsed.header {
        BundleHeader::V2 => {
            let bound = bound_labels(expected);
            signer.verify(&v2_signed(&bound, signed), signature, WHAT)?;
            xopen(
                key.as_bytes(),
                &parsed.nonce,
                &v2_ad(header, &bound),
                ciphertext,
                WHAT,
            )?
        }
        BundleHeader::V1(labels) => {
            signer.verify(signed, signature, WHAT)?;
            if labels.doc_id != expected.doc_id {
                return Err(CryptoError::WrongDocument {
                    expected: expected.doc_id.clone(),
                    found: labels.doc_id.clone(),
                });
            }
            if labels.kind != expected.kind {
                return Err(CryptoError::WrongKind {
                    expected: expected.kind.clone(),
                    found: labels.kind.clone(),
                });
            }
            xopen(key.as_bytes(), &parsed.nonce, header, ciphertext, WHAT)?
        }
    };
    unpad(&padded)
}

/// Binds a sealed bundle to other labels and signs it again, keeping nonce
/// and ciphertext (format 1: a new header; format 2: only the signature
/// changes): a test tool, to show that the associated data (not only the
/// signature) refuses a re-labelled bundle.
#[doc(hidden)]
pub fn relabel_bundle(sealed: &[u8], labels: &BundleLabels, device: &DeviceKey) -> Result<Vec<u8>> {
    let parsed = parse(sealed)?;
    let kept = &sealed[parsed.ciphertext_start - NONCE_LEN..sealed.len() - SIGNATURE_LEN];
    let mut out = match parsed.header {
        BundleHeader::V1(_) => encode_v1_header(labels)?,
        BundleHeader::V2 => {
            check_labels(labels)?;
            let mut out = MAGIC.to_vec();
            out.push(VERSION);
            out
        }
    };
    out.extend_from_slice(kept);
    let signature = match parsed.header {
        BundleHeader::V1(_) => device.sign(&out),
        BundleHeader::V2 => device.sign(&v2_signed(&bound_labels(labels), &out)),
    };
    out.extend_from_slice(&signature);
    Ok(out)
}

/// `L`: the labels of a format 2 bundle, canonically encoded.
fn bound_labels(labels: &BundleLabels) -> Vec<u8> {
    Canonical::new(LABEL_V2)
        .str(&labels.doc_id)
        .u32(labels.epoch)
        .str(&labels.device_id)
        .str(&labels.bundle_id)
        .str(&labels.kind)
        .finish()
}

/// Format 2's associated data: the 28 header bytes, then `L`.
fn v2_ad(header: &[u8], bound: &[u8]) -> Vec<u8> {
    let mut ad = Vec::with_capacity(header.len() + bound.len());
    ad.extend_from_slice(header);
    ad.extend_from_slice(bound);
    ad
}

/// Format 2's signed message: `L` (self-delimiting), then the bundle's bytes
/// before the signature.
fn v2_signed(bound: &[u8], bytes: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(bound.len() + bytes.len());
    message.extend_from_slice(bound);
    message.extend_from_slice(bytes);
    message
}

/// The limits format 1 had, kept for format 2 so that any labels could be
/// written either way.
fn check_labels(labels: &BundleLabels) -> Result<()> {
    for (field, value) in [
        ("doc id", &labels.doc_id),
        ("device id", &labels.device_id),
        ("bundle id", &labels.bundle_id),
    ] {
        if value.len() > usize::from(u16::MAX) {
            return Err(malformed(
                WHAT,
                format!("the {field} is longer than 65535 bytes"),
            ));
        }
    }
    if labels.kind.len() > usize::from(u8::MAX) {
        return Err(malformed(WHAT, "the kind is longer than 255 bytes"));
    }
    Ok(())
}

fn encode_v1_header(header: &BundleLabels) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(
        64 + header.doc_id.len() + header.device_id.len() + header.bundle_id.len(),
    );
    out.extend_from_slice(MAGIC);
    out.push(VERSION_1);
    put_u16_str(&mut out, &header.doc_id, "doc id")?;
    out.extend_from_slice(&header.epoch.to_be_bytes());
    put_u16_str(&mut out, &header.device_id, "device id")?;
    put_u16_str(&mut out, &header.bundle_id, "bundle id")?;
    let kind_len = u8::try_from(header.kind.len())
        .map_err(|_| malformed(WHAT, "the kind is longer than 255 bytes"))?;
    out.push(kind_len);
    out.extend_from_slice(header.kind.as_bytes());
    Ok(out)
}

fn put_u16_str(out: &mut Vec<u8>, s: &str, field: &str) -> Result<()> {
    let len = u16::try_from(s.len())
        .map_err(|_| malformed(WHAT, format!("the {field} is longer than 65535 bytes")))?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(s.as_bytes());
    Ok(())
}

struct Parsed {
    header: BundleHeader,
    nonce: [u8; NONCE_LEN],
    /// Offset of the ciphertext (the end of the header and nonce).
    ciphertext_start: usize,
}

/// Parses the header and checks that nonce, tag and signature fit after it.
fn parse(sealed: &[u8]) -> Result<Parsed> {
    let mut r = Reader {
        bytes: sealed,
        at: 0,
    };
    if r.take(MAGIC.len(), "magic")? != MAGIC {
        return Err(malformed(WHAT, "it does not start with \"RPB\""));
    }
    let header = match r.u8("version")? {
        VERSION => BundleHeader::V2,
        VERSION_1 => {
            let doc_id = r.u16_str("doc id")?;
            let epoch = u32::from_be_bytes(r.array("epoch")?);
            let device_id = r.u16_str("device id")?;
            let bundle_id = r.u16_str("bundle id")?;
            let kind_len = usize::from(r.u8("kind length")?);
            let kind = r.str(kind_len, "kind")?;
            BundleHeader::V1(BundleLabels {
                doc_id,
                epoch,
                device_id,
                bundle_id,
                kind,
            })
        }
        version => return Err(CryptoError::UnsupportedVersion { version }),
    };
    let nonce: [u8; NONCE_LEN] = r.array("nonce")?;
    let ciphertext_start = r.at;
    if sealed.len() - ciphertext_start < TAG_LEN + SIGNATURE_LEN {
        return Err(malformed(
            WHAT,
            "truncated: no room for the ciphertext and signature",
        ));
    }
    Ok(Parsed {
        header,
        nonce,
        ciphertext_start,
    })
}

/// A bounds-checked cursor: every read past the end is `Malformed`.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, field: &str) -> Result<&'a [u8]> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| malformed(WHAT, format!("truncated in the {field}")))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self, field: &str) -> Result<[u8; N]> {
        let bytes = self.take(N, field)?;
        bytes
            .try_into()
            .map_err(|_| malformed(WHAT, format!("truncated in the {field}")))
    }

    fn u8(&mut self, field: &str) -> Result<u8> {
        Ok(self.array::<1>(field)?[0])
    }

    fn str(&mut self, len: usize, field: &str) -> Result<String> {
        let bytes = self.take(len, field)?;
        String::from_utf8(bytes.to_vec())
            .map_err(|_| malformed(WHAT, format!("the {field} is not UTF-8")))
    }

    fn u16_str(&mut self, field: &str) -> Result<String> {
        let len = usize::from(u16::from_be_bytes(self.array(field)?));
        self.str(len, field)
    }
}
