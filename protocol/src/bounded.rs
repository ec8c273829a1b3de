//! Sequences with a most-elements limit checked while decoding: a hostile
//! body of many tiny elements is refused at the first one past the limit,
//! before it is turned into as many structs (CBOR decoded in full first
//! used to cost about 27 times the body's size in memory).

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, SeqAccess, Visitor};

struct Bounded<T, const N: usize>(PhantomData<T>);

impl<'de, T: Deserialize<'de>, const N: usize> Visitor<'de> for Bounded<T, N> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a sequence of at most {N} elements")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        // The declared length is the sender's word: reserve within the bound.
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(N).min(1024));
        while let Some(item) = seq.next_element()? {
            if out.len() == N {
                return Err(de::Error::custom(format!(
                    "more than {N} elements; split the request"
                )));
            }
            out.push(item);
        }
        Ok(out)
    }
}

/// `#[serde(deserialize_with = "bounded::seq::<_, _, N>")]`
pub fn seq<'de, D: Deserializer<'de>, T: Deserialize<'de>, const N: usize>(
    deserializer: D,
) -> Result<Vec<T>, D::Error> {
    deserializer.deserialize_seq(Bounded::<T, N>(PhantomData))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Three {
        #[serde(deserialize_with = "super::seq::<_, _, 3>")]
        items: Vec<u8>,
    }

    #[test]
    fn a_sequence_past_its_bound_is_refused_while_decoding() {
        let ok: Three = serde_json::from_str(r#"{"items":[1,2,3]}"#).expect("three");
        assert_eq!(ok.items, vec![1, 2, 3]);
        let Err(err) = serde_json::from_str::<Three>(r#"{"items":[1,2,3,4]}"#) else {
            panic!("four items passed a bound of three");
        };
        assert!(err.to_string().contains("more than 3"), "{err}");
        // CBOR too, with a declared length far past the bound.
        let mut cbor = vec![0xa1, 0x65];
        cbor.extend_from_slice(b"items");
        cbor.extend_from_slice(&[0x9a, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4]);
        assert!(ciborium::from_reader::<Three, _>(cbor.as_slice()).is_err());
    }
}
