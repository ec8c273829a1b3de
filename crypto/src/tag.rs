//! Blinded tags: the server matches a grant on "tag = Sam" by comparing
//! `HMAC-SHA256(tag key, "Sam")` tokens, without learning the tag itself.
//! The same account always blinds a tag to the same token (that is the point),
//! so the server learns which records share a tag, not what it says.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The version prefix of a blinded tag token.
pub const BLINDED_TAG_PREFIX: &str = "t1.";

/// `"t1." + base64url(no padding)` of HMAC-SHA256(tag key, the tag's UTF-8 bytes).
/// The tag is used as given: callers normalise it (case, Unicode) first if two
/// spellings should match.
pub(crate) fn blind(tag_key: &[u8; 32], tag: &str) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(tag_key)
        .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
    mac.update(tag.as_bytes());
    let token = mac.finalize().into_bytes();
    format!(
        "{BLINDED_TAG_PREFIX}{}",
        data_encoding::BASE64URL_NOPAD.encode(&token)
    )
}
