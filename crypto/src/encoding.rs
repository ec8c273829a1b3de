//! The canonical encoding of everything that is signed, hashed, or used as
//! associated data or HPKE info: a label, then fields, each written as a
//! big-endian `u32` length followed by its bytes. Integers are fields of their
//! fixed-width big-endian bytes, booleans a field of one byte (0 or 1). Two
//! different field lists never encode to the same bytes, so nothing can be
//! re-read as something else.

/// Builds one canonical message.
#[derive(Debug, Clone)]
pub(crate) struct Canonical(Vec<u8>);

impl Canonical {
    /// Starts a message with its domain-separation label (`"rapport/v1/..."`).
    pub(crate) fn new(label: &str) -> Self {
        Canonical(Vec::with_capacity(128)).bytes(label.as_bytes())
    }

    pub(crate) fn bytes(mut self, field: &[u8]) -> Self {
        // Fields are ids, keys and wrapped keys: far below 4 GiB (bundle payloads
        // are never encoded here). Saturating keeps this total without a panic.
        let len = u32::try_from(field.len()).unwrap_or(u32::MAX);
        self.0.extend_from_slice(&len.to_be_bytes());
        self.0.extend_from_slice(field);
        self
    }

    pub(crate) fn str(self, field: &str) -> Self {
        self.bytes(field.as_bytes())
    }

    pub(crate) fn u32(self, field: u32) -> Self {
        self.bytes(&field.to_be_bytes())
    }

    pub(crate) fn bool(self, field: bool) -> Self {
        self.bytes(&[u8::from(field)])
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::Canonical;

    #[test]
    fn a_boundary_moved_between_fields_changes_the_encoding() {
        let a = Canonical::new("l").str("ab").str("c").finish();
        let b = Canonical::new("l").str("a").str("bc").finish();
        assert_ne!(a, b);
    }

    #[test]
    fn layout_is_length_then_bytes() {
        let m = Canonical::new("x").u32(7).bool(true).finish();
        assert_eq!(m, [0, 0, 0, 1, b'x', 0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0, 1, 1]);
    }
}

/// Serde for fixed-size byte arrays as lowercase hex strings, in every format
/// (JSON and CBOR alike), so that a key reads the same in a log, a test vector
/// and on the wire. Decoding accepts upper case too.
pub(crate) mod hex_array {
    use serde::de::{Error, Visitor};
    use serde::{Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer, const N: usize>(
        bytes: &[u8; N],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_str(&data_encoding::HEXLOWER.encode(bytes))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>, const N: usize>(
        d: D,
    ) -> Result<[u8; N], D::Error> {
        struct HexVisitor<const N: usize>;

        impl<const N: usize> Visitor<'_> for HexVisitor<N> {
            type Value = [u8; N];

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                write!(f, "{} hex digits", 2 * N)
            }

            fn visit_str<E: Error>(self, v: &str) -> Result<[u8; N], E> {
                let bytes = data_encoding::HEXLOWER_PERMISSIVE
                    .decode(v.as_bytes())
                    .map_err(|_| E::custom(format_args!("expected {} hex digits", 2 * N)))?;
                bytes
                    .try_into()
                    .map_err(|_| E::custom(format_args!("expected {} hex digits", 2 * N)))
            }
        }

        d.deserialize_str(HexVisitor::<N>)
    }
}
