//! Safety numbers: two people compare one number (on a call, in the room) to
//! be sure that each has the other's real public keys and not keys the server
//! swapped in.

use sha2::{Digest, Sha256};

use crate::account::AccountPublic;
use crate::encoding::Canonical;

pub(crate) const LABEL: &str = "rapport/v1/safety-number";
pub(crate) const LABEL_PARTY: &str = "rapport/v1/safety-number/party";

/// The safety number of two accounts: the same whichever side computes it.
///
/// SHA-256 over `canonical(label, party_1, party_2)`, where each party is
/// `canonical(party label, account id, x25519, ed25519)` and the two are sorted
/// bytewise. Shown as 20 decimal digits in four groups of five
/// (`"12345 67890 12345 67890"`): four 5-byte chunks of the hash, each read as
/// a big-endian integer mod 100000. That is log₂(10²⁰) ≈ 66.4 bits: a swapped
/// key goes unnoticed only if its owner found a second key with the same
/// number, about 2⁶⁶ work per attempt on one targeted pair.
pub fn safety_number(
    a_account: &str,
    a: &AccountPublic,
    b_account: &str,
    b: &AccountPublic,
) -> String {
    let mut parties = [party(a_account, a), party(b_account, b)];
    parties.sort();
    let message = Canonical::new(LABEL)
        .bytes(&parties[0])
        .bytes(&parties[1])
        .finish();
    let hash = Sha256::digest(&message);
    hash.chunks_exact(5)
        .take(4)
        .map(|chunk| {
            let n = chunk.iter().fold(0u64, |n, &b| (n << 8) | u64::from(b));
            format!("{:05}", n % 100_000)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn party(account: &str, keys: &AccountPublic) -> Vec<u8> {
    Canonical::new(LABEL_PARTY)
        .str(account)
        .bytes(&keys.x25519)
        .bytes(&keys.ed25519)
        .finish()
}
