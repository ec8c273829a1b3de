//! The few calls into the primitive crates that several modules share:
//! randomness, HKDF-SHA256, XChaCha20-Poly1305 and HPKE. Nothing here is
//! hand-written cryptography; it only fixes how this crate calls the libraries.

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305, XNonce};
use hpke::aead::ChaCha20Poly1305;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, Kem, OpModeR, OpModeS, Serializable};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::error::{CryptoError, Result, malformed};

/// XChaCha20-Poly1305 nonce length.
pub(crate) const NONCE_LEN: usize = 24;
/// Poly1305 tag length.
pub(crate) const TAG_LEN: usize = 16;
/// Length of an HPKE X25519 encapsulated key.
pub(crate) const ENC_LEN: usize = 32;

/// Fresh bytes from the operating system's generator.
///
/// # Panics
/// If the operating system has no working random number generator: no key can
/// be made safely then, and continuing would be worse than stopping.
pub(crate) fn random<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    getrandom::fill(&mut out).expect("the operating system's random number generator failed");
    out
}

/// HKDF-SHA256 with no salt (the input is already a uniform 32-byte key) and
/// a distinct info label per derived key.
pub(crate) fn derive(ikm: &[u8; 32], label: &str) -> Zeroizing<[u8; 32]> {
    let mut out = Zeroizing::new([0u8; 32]);
    hkdf::Hkdf::<Sha256>::new(None, ikm)
        .expand(label.as_bytes(), out.as_mut())
        .unwrap_or_else(|_| unreachable!("32 bytes is a valid HKDF-SHA256 output length"));
    out
}

/// XChaCha20-Poly1305: ciphertext || tag.
pub(crate) fn xseal(
    key: &[u8; 32],
    nonce: &[u8; NONCE_LEN],
    ad: &[u8],
    plaintext: &[u8],
) -> Vec<u8> {
    let cipher = XChaCha20Poly1305::new(key.into());
    cipher
        .encrypt(
            &XNonce::from(*nonce),
            Payload {
                msg: plaintext,
                aad: ad,
            },
        )
        .unwrap_or_else(|_| unreachable!("XChaCha20-Poly1305 seals any message under 256 GiB"))
}

/// Opens [`xseal`]'s output; any failure is `Tampered { what }`.
pub(crate) fn xopen(
    key: &[u8; 32],
    nonce: &[u8; NONCE_LEN],
    ad: &[u8],
    ciphertext: &[u8],
    what: &'static str,
) -> Result<Zeroizing<Vec<u8>>> {
    let cipher = XChaCha20Poly1305::new(key.into());
    cipher
        .decrypt(
            &XNonce::from(*nonce),
            Payload {
                msg: ciphertext,
                aad: ad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| CryptoError::Tampered { what })
}

/// XChaCha20-Poly1305 with a random nonce: nonce || ciphertext || tag.
pub(crate) fn xseal_prefixed(
    key: &[u8; 32],
    nonce: &[u8; NONCE_LEN],
    ad: &[u8],
    plaintext: &[u8],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(NONCE_LEN + plaintext.len() + TAG_LEN);
    out.extend_from_slice(nonce);
    out.extend_from_slice(&xseal(key, nonce, ad, plaintext));
    out
}

/// Opens [`xseal_prefixed`]'s output.
pub(crate) fn xopen_prefixed(
    key: &[u8; 32],
    ad: &[u8],
    sealed: &[u8],
    what: &'static str,
) -> Result<Zeroizing<Vec<u8>>> {
    if sealed.len() < NONCE_LEN + TAG_LEN {
        return Err(malformed(
            what,
            format!("{} bytes is too short to be sealed", sealed.len()),
        ));
    }
    let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce
        .try_into()
        .unwrap_or_else(|_| unreachable!("split at NONCE_LEN"));
    xopen(key, &nonce, ad, ciphertext, what)
}

/// The X25519 public key of a 32-byte secret (clamped as RFC 7748 says).
pub(crate) fn x25519_public(secret: &[u8; 32]) -> [u8; 32] {
    let secret = x25519_dalek::StaticSecret::from(*secret);
    x25519_dalek::PublicKey::from(&secret).to_bytes()
}

/// HPKE base mode (RFC 9180), suite DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 /
/// ChaCha20-Poly1305, empty AAD: enc (32) || ciphertext || tag.
pub(crate) fn hpke_seal(recipient: &[u8; 32], info: &[u8], plaintext: &[u8]) -> Result<Vec<u8>> {
    let pk = hpke_public(recipient)?;
    let (enc, ciphertext) =
        hpke::single_shot_seal::<ChaCha20Poly1305, HkdfSha256, X25519HkdfSha256>(
            &OpModeS::Base,
            &pk,
            info,
            plaintext,
            &[],
        )
        .map_err(|e| CryptoError::Hpke(e.to_string()))?;
    let mut out = Vec::with_capacity(ENC_LEN + ciphertext.len());
    out.extend_from_slice(&enc.to_bytes());
    out.extend_from_slice(&ciphertext);
    Ok(out)
}

/// Opens [`hpke_seal`]'s output with the recipient's X25519 secret.
pub(crate) fn hpke_open(
    secret: &[u8; 32],
    info: &[u8],
    sealed: &[u8],
    what: &'static str,
) -> Result<Zeroizing<Vec<u8>>> {
    if sealed.len() < ENC_LEN + TAG_LEN {
        return Err(malformed(
            what,
            format!("{} bytes is too short to be sealed", sealed.len()),
        ));
    }
    let (enc, ciphertext) = sealed.split_at(ENC_LEN);
    let (sk, enc) = hpke_receiver(secret, enc, what)?;
    hpke::single_shot_open::<ChaCha20Poly1305, HkdfSha256, X25519HkdfSha256>(
        &OpModeR::Base,
        &sk,
        &enc,
        info,
        ciphertext,
        &[],
    )
    .map(Zeroizing::new)
    .map_err(|_| CryptoError::Tampered { what })
}

/// HPKE base mode (RFC 9180) to `recipient`, used only for its exporter
/// (section 5.3): answers `enc` and the 32-byte secret exported under
/// `exporter_context`. One encapsulation, one X25519 agreement, however
/// many keys the caller then seals under the secret.
pub(crate) fn hpke_export_to(
    recipient: &[u8; 32],
    info: &[u8],
    exporter_context: &[u8],
) -> Result<([u8; ENC_LEN], Zeroizing<[u8; 32]>)> {
    let pk = hpke_public(recipient)?;
    let (enc, context) = hpke::setup_sender::<ChaCha20Poly1305, HkdfSha256, X25519HkdfSha256>(
        &OpModeS::Base,
        &pk,
        info,
    )
    .map_err(|e| CryptoError::Hpke(e.to_string()))?;
    let mut secret = Zeroizing::new([0u8; 32]);
    context
        .export(exporter_context, secret.as_mut())
        .map_err(|e| CryptoError::Hpke(e.to_string()))?;
    let enc: [u8; ENC_LEN] = enc
        .to_bytes()
        .as_slice()
        .try_into()
        .unwrap_or_else(|_| unreachable!("an X25519 encapsulated key is 32 bytes"));
    Ok((enc, secret))
}

/// The receiving side of [`hpke_export_to`]: the same secret, from `enc` and
/// the recipient's X25519 secret. A changed `enc` or `info` exports another
/// secret, which the caller's AEAD then refuses.
pub(crate) fn hpke_export_from(
    secret: &[u8; 32],
    enc: &[u8; ENC_LEN],
    info: &[u8],
    exporter_context: &[u8],
    what: &'static str,
) -> Result<Zeroizing<[u8; 32]>> {
    let (sk, enc) = hpke_receiver(secret, enc, what)?;
    let context = hpke::setup_receiver::<ChaCha20Poly1305, HkdfSha256, X25519HkdfSha256>(
        &OpModeR::Base,
        &sk,
        &enc,
        info,
    )
    // A small-order `enc` (an all-zero agreement) lands here.
    .map_err(|_| CryptoError::Tampered { what })?;
    let mut out = Zeroizing::new([0u8; 32]);
    context
        .export(exporter_context, out.as_mut())
        .map_err(|e| CryptoError::Hpke(e.to_string()))?;
    Ok(out)
}

type HpkeKem = X25519HkdfSha256;

/// A recipient's X25519 public key as HPKE takes it.
fn hpke_public(recipient: &[u8; 32]) -> Result<<HpkeKem as Kem>::PublicKey> {
    <HpkeKem as Kem>::PublicKey::from_bytes(recipient).map_err(|e| CryptoError::Hpke(e.to_string()))
}

/// The recipient's secret and a received `enc` as HPKE takes them; an
/// `enc` that is not a key is `Tampered { what }`.
fn hpke_receiver(
    secret: &[u8; 32],
    enc: &[u8],
    what: &'static str,
) -> Result<(<HpkeKem as Kem>::PrivateKey, <HpkeKem as Kem>::EncappedKey)> {
    let sk = <HpkeKem as Kem>::PrivateKey::from_bytes(secret)
        .map_err(|e| CryptoError::Hpke(e.to_string()))?;
    let enc = <HpkeKem as Kem>::EncappedKey::from_bytes(enc)
        .map_err(|_| CryptoError::Tampered { what })?;
    Ok((sk, enc))
}

/// Constant-time equality of two byte strings (checksums, codes).
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}
