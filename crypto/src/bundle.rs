//! Sealed bundles: one document's Automerge bytes as the server stores them.
//!
//! Byte format (integers big-endian):
//!
//! ```text
//! "RPB" | version u8 = 1 | doc_id (u16 len + UTF-8) | epoch u32
//!   | device_id (u16 len + UTF-8) | bundle_id (u16 len + UTF-8) | kind (u8 len + UTF-8)
//!   | nonce (24) | ciphertext || tag | signature (64)
//! ```
//!
//! The ciphertext is XChaCha20-Poly1305 under the epoch's document key of the
//! padded plaintext ([`crate::padding`]), with every byte before it (header and
//! nonce) as associated data. The signature is Ed25519 by the device over every
//! byte before the signature. The header is readable without a key, so the
//! receiver knows which epoch key and which device key to use.

use crate::device::{DeviceKey, DevicePublic};
use crate::doc_key::DocKey;
use crate::error::{CryptoError, Result, malformed};
use crate::padding::{pad, unpad};
use crate::primitives::{NONCE_LEN, TAG_LEN, random, xopen, xseal};

/// The first bytes of every sealed bundle.
pub const MAGIC: &[u8; 3] = b"RPB";
/// The bundle format this build writes and reads.
pub const VERSION: u8 = 1;
const SIGNATURE_LEN: usize = 64;
const WHAT: &str = "sealed bundle";

/// The plaintext header of a sealed bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleHeader {
    pub doc_id: String,
    /// The document key epoch the bundle is sealed under.
    pub epoch: u32,
    /// The device that sealed and signed it.
    pub device_id: String,
    pub bundle_id: String,
    /// The record kind (at most 255 bytes).
    pub kind: String,
}

/// Whether `bytes` start like a sealed bundle (a cheap check, no verification).
pub fn is_sealed(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// Seals `plaintext` under the epoch's document key and signs it with the device key.
/// Refuses ids over 65535 bytes or a kind over 255 bytes.
pub fn seal_bundle(
    key: &DocKey,
    header: &BundleHeader,
    plaintext: &[u8],
    device: &DeviceKey,
) -> Result<Vec<u8>> {
    seal_bundle_with_nonce(key, header, plaintext, device, random())
}

/// [`seal_bundle`] with a given nonce, for reproducible test vectors only.
/// Reusing a nonce under one key breaks XChaCha20-Poly1305: never outside tests.
#[doc(hidden)]
pub fn seal_bundle_with_nonce(
    key: &DocKey,
    header: &BundleHeader,
    plaintext: &[u8],
    device: &DeviceKey,
    nonce: [u8; NONCE_LEN],
) -> Result<Vec<u8>> {
    let padded = zeroize::Zeroizing::new(pad(plaintext)?);
    let mut out = encode_header(header)?;
    out.extend_from_slice(&nonce);
    let ciphertext = xseal(key.as_bytes(), &nonce, &out, &padded);
    out.extend_from_slice(&ciphertext);
    let signature = device.sign(&out);
    out.extend_from_slice(&signature);
    Ok(out)
}

/// Reads the header without a key or a signature check: only to pick the key
/// and device to open with. Nothing in it is trusted until [`open_bundle`].
pub fn read_header(sealed: &[u8]) -> Result<BundleHeader> {
    parse(sealed).map(|p| p.header)
}

/// Verifies the device signature, checks the document and kind, decrypts and
/// unpads. `key` is the document key of the header's epoch; `signer` the
/// (certified) public key of the header's device.
pub fn open_bundle(
    key: &DocKey,
    sealed: &[u8],
    expected_doc: &str,
    expected_kind: &str,
    signer: &DevicePublic,
) -> Result<Vec<u8>> {
    let parsed = parse(sealed)?;
    let (signed, signature) = sealed.split_at(sealed.len() - SIGNATURE_LEN);
    signer.verify(signed, signature, WHAT)?;
    if parsed.header.doc_id != expected_doc {
        return Err(CryptoError::WrongDocument {
            expected: expected_doc.to_owned(),
            found: parsed.header.doc_id,
        });
    }
    if parsed.header.kind != expected_kind {
        return Err(CryptoError::WrongKind {
            expected: expected_kind.to_owned(),
            found: parsed.header.kind,
        });
    }
    let ad = &sealed[..parsed.ciphertext_start];
    let ciphertext = &sealed[parsed.ciphertext_start..sealed.len() - SIGNATURE_LEN];
    let padded = xopen(key.as_bytes(), &parsed.nonce, ad, ciphertext, WHAT)?;
    unpad(&padded)
}

/// Replaces a sealed bundle's header (keeping nonce and ciphertext) and signs
/// it again: a test tool, to show that the associated data (not only the
/// signature) refuses a re-labelled bundle.
#[doc(hidden)]
pub fn relabel_bundle(sealed: &[u8], header: &BundleHeader, device: &DeviceKey) -> Result<Vec<u8>> {
    let parsed = parse(sealed)?;
    let mut out = encode_header(header)?;
    out.extend_from_slice(
        &sealed[parsed.ciphertext_start - NONCE_LEN..sealed.len() - SIGNATURE_LEN],
    );
    let signature = device.sign(&out);
    out.extend_from_slice(&signature);
    Ok(out)
}

fn encode_header(header: &BundleHeader) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(
        64 + header.doc_id.len() + header.device_id.len() + header.bundle_id.len(),
    );
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
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
    /// Offset of the ciphertext (the end of the associated data).
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
    let version = r.u8("version")?;
    if version != VERSION {
        return Err(CryptoError::UnsupportedVersion { version });
    }
    let doc_id = r.u16_str("doc id")?;
    let epoch = u32::from_be_bytes(r.array("epoch")?);
    let device_id = r.u16_str("device id")?;
    let bundle_id = r.u16_str("bundle id")?;
    let kind_len = usize::from(r.u8("kind length")?);
    let kind = r.str(kind_len, "kind")?;
    let nonce: [u8; NONCE_LEN] = r.array("nonce")?;
    let ciphertext_start = r.at;
    if sealed.len() - ciphertext_start < TAG_LEN + SIGNATURE_LEN {
        return Err(malformed(
            WHAT,
            "truncated: no room for the ciphertext and signature",
        ));
    }
    Ok(Parsed {
        header: BundleHeader {
            doc_id,
            epoch,
            device_id,
            bundle_id,
            kind,
        },
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
