//! Padding of bundle plaintexts, so that the server sees a size bucket rather
//! than an exact length. The frame is `u32 length (big-endian) || data || zeros`,
//! and its total length is rounded up with Padmé (Nikitin, Barman, Lueks,
//! Underwood, Hubaux, Ford: "Reducing Metadata Leakage from Encrypted Files and
//! Communication with PURBs", PETS 2019): at most about 12% overhead, and a
//! padded length leaks only O(log log n) bits of the true length. Frames are at
//! least [`MIN_PADDED`] bytes, so short notes all look alike.

use crate::error::{Result, malformed};

/// The smallest padded frame.
pub const MIN_PADDED: usize = 64;
const LEN_PREFIX: usize = 4;

/// Padmé: keep the top ⌊log₂ E⌋ + 1 bits of `len` (where E = ⌊log₂ len⌋) and
/// round the rest up, i.e. zero the low E - ⌊log₂ E⌋ - 1 bits after rounding up.
pub fn padme(len: u64) -> u64 {
    if len < 2 {
        return len;
    }
    let e = u64::from(len.ilog2());
    let s = u64::from(e.ilog2()) + 1;
    let last_bits = e - s;
    let mask = (1u64 << last_bits) - 1;
    (len + mask) & !mask
}

/// The padded frame length for `data_len` bytes of data.
pub fn padded_len(data_len: usize) -> usize {
    let framed = (data_len as u64).saturating_add(LEN_PREFIX as u64);
    let padded = padme(framed).max(MIN_PADDED as u64);
    usize::try_from(padded).unwrap_or(usize::MAX)
}

/// Frames and pads `data`. Refuses data of 4 GiB or more (its length would not
/// fit the prefix).
pub fn pad(data: &[u8]) -> Result<Vec<u8>> {
    let len = u32::try_from(data.len()).map_err(|_| {
        malformed(
            "bundle plaintext",
            "4 GiB or more cannot be sealed in one bundle",
        )
    })?;
    let mut out = Vec::with_capacity(padded_len(data.len()));
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(data);
    out.resize(padded_len(data.len()), 0);
    Ok(out)
}

/// Reads a padded frame back. The frame must be exactly the Padmé bucket of
/// its stated length and the padding all zeros: there is one encoding per
/// plaintext.
pub fn unpad(frame: &[u8]) -> Result<Vec<u8>> {
    let what = "padded plaintext";
    let Some((prefix, rest)) = frame.split_first_chunk::<LEN_PREFIX>() else {
        return Err(malformed(what, "shorter than its length prefix"));
    };
    let len = u32::from_be_bytes(*prefix) as usize;
    if len > rest.len() {
        return Err(malformed(
            what,
            format!("says {len} bytes but holds only {}", rest.len()),
        ));
    }
    if frame.len() != padded_len(len) {
        return Err(malformed(what, "not padded to its size bucket"));
    }
    let (data, zeros) = rest.split_at(len);
    if zeros.iter().any(|&b| b != 0) {
        return Err(malformed(what, "padding is not zeros"));
    }
    Ok(data.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padme_matches_the_paper_examples() {
        // E = 9 for 1000, S = 4, so the low 5 bits are rounded up: 1024.
        assert_eq!(padme(1000), 1024);
        assert_eq!(padme(1025), 1088);
        assert_eq!(padme(64), 64);
        assert_eq!(padme(65), 72);
        for len in 2..100_000u64 {
            let p = padme(len);
            assert!(p >= len);
            // The paper's bound: under 12% overhead at every length.
            assert!((p - len) as f64 / len as f64 <= 0.12, "len {len} -> {p}");
        }
    }

    #[test]
    fn short_data_fills_the_minimum_frame() {
        assert_eq!(pad(b"").expect("pad").len(), MIN_PADDED);
        assert_eq!(pad(&[7; 60]).expect("pad").len(), MIN_PADDED);
        assert_eq!(pad(&[7; 61]).expect("pad").len(), padme(65) as usize);
    }

    #[test]
    fn unpad_refuses_a_length_beyond_the_buffer() {
        let mut frame = pad(b"hello").expect("pad");
        frame[..4].copy_from_slice(&61u32.to_be_bytes());
        assert!(matches!(
            unpad(&frame),
            Err(crate::CryptoError::Malformed { .. })
        ));
        frame[..4].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(matches!(
            unpad(&frame),
            Err(crate::CryptoError::Malformed { .. })
        ));
        assert!(matches!(
            unpad(&[0, 0]),
            Err(crate::CryptoError::Malformed { .. })
        ));
    }

    #[test]
    fn unpad_refuses_nonzero_padding_and_a_wrong_bucket() {
        let mut frame = pad(b"hello").expect("pad");
        frame[40] = 1;
        assert!(unpad(&frame).is_err());
        let mut frame = pad(b"hello").expect("pad");
        frame.push(0);
        assert!(unpad(&frame).is_err());
    }
}
