//! Replacing the account key (a lost device): the old and the new account
//! key both sign one statement that the new public keys follow the old ones.
//! A peer that pinned any key of the chain follows it to the newest; a key
//! the chain does not lead to is still a changed key. The format is in
//! docs/encryption.md ("Account key rotation").

use ed25519_dalek::Signer;
use serde::{Deserialize, Serialize};

use crate::account::{AccountKey, AccountPublic};
use crate::device::verify_ed25519;
use crate::encoding::{Canonical, hex_array};
use crate::error::{CryptoError, Result};

/// What both signatures of a rotation cover.
pub(crate) const LABEL_ROTATION: &str = "rapport/v1/account/rotation";

/// The account's statement that its keys `previous` were replaced by `next`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRotation {
    pub account_id: String,
    pub previous: AccountPublic,
    pub next: AccountPublic,
    /// Ed25519 by the previous account key over the canonical statement.
    #[serde(with = "hex_array")]
    pub by_previous: [u8; 64],
    /// Ed25519 by the next account key over the same statement.
    #[serde(with = "hex_array")]
    pub by_next: [u8; 64],
}

fn statement(account_id: &str, previous: &AccountPublic, next: &AccountPublic) -> Vec<u8> {
    Canonical::new(LABEL_ROTATION)
        .str(account_id)
        .bytes(&previous.x25519)
        .bytes(&previous.ed25519)
        .bytes(&next.x25519)
        .bytes(&next.ed25519)
        .finish()
}

impl AccountKey {
    /// The statement that `next` replaces this key for `account_id`,
    /// signed by both keys.
    pub fn rotation_to(&self, account_id: &str, next: &AccountKey) -> KeyRotation {
        let previous = self.public();
        let next_public = next.public();
        let message = statement(account_id, &previous, &next_public);
        KeyRotation {
            account_id: account_id.to_owned(),
            by_previous: self.signing_key().sign(&message).to_bytes(),
            by_next: next.signing_key().sign(&message).to_bytes(),
            previous,
            next: next_public,
        }
    }
}

impl KeyRotation {
    /// Checks both signatures, and that the keys really change.
    pub fn verify(&self) -> Result<()> {
        if self.previous == self.next {
            return Err(CryptoError::Malformed {
                what: "key rotation",
                reason: "the next keys are the previous ones".into(),
            });
        }
        let message = statement(&self.account_id, &self.previous, &self.next);
        verify_ed25519(
            &self.previous.ed25519,
            &message,
            &self.by_previous,
            "key rotation",
        )?;
        verify_ed25519(&self.next.ed25519, &message, &self.by_next, "key rotation")
    }
}

/// Every public key of `account_id` from the first to `current`, checked
/// along `rotations` (oldest first): each verifies, names the account, and
/// starts where the one before ended. `Err` when any link is broken or the
/// chain does not end at `current`. A peer trusts the chain when its pinned
/// key is one of them.
pub fn key_chain(
    account_id: &str,
    rotations: &[KeyRotation],
    current: &AccountPublic,
) -> Result<Vec<AccountPublic>> {
    let broken = |reason: &str| CryptoError::Malformed {
        what: "key rotation",
        reason: reason.into(),
    };
    let Some(first) = rotations.first() else {
        return Ok(vec![current.clone()]);
    };
    let mut chain = vec![first.previous.clone()];
    for rotation in rotations {
        if rotation.account_id != account_id {
            return Err(broken("it names another account"));
        }
        if chain.last() != Some(&rotation.previous) {
            return Err(broken("it does not follow the rotation before it"));
        }
        if chain.contains(&rotation.next) {
            return Err(broken("it returns to earlier keys"));
        }
        rotation.verify()?;
        chain.push(rotation.next.clone());
    }
    if chain.last() != Some(current) {
        return Err(broken("the rotations do not end at the published keys"));
    }
    Ok(chain)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn key(n: u8) -> AccountKey {
        AccountKey::from_bytes([n; 32])
    }

    #[test]
    fn a_rotation_signed_by_both_keys_verifies_and_chains() {
        let r1 = key(1).rotation_to("acc", &key(2));
        let r2 = key(2).rotation_to("acc", &key(3));
        r1.verify().unwrap();
        let chain = key_chain("acc", &[r1, r2], &key(3).public()).unwrap();
        assert_eq!(
            chain,
            vec![key(1).public(), key(2).public(), key(3).public()]
        );
        assert_eq!(key_chain("acc", &[], &key(1).public()).unwrap().len(), 1);
    }

    #[test]
    fn a_forged_moved_or_broken_rotation_is_refused() {
        let good = key(1).rotation_to("acc", &key(2));
        // Someone without the previous key claims to follow it.
        let mut forged = key(9).rotation_to("acc", &key(2));
        forged.previous = key(1).public();
        assert!(forged.verify().is_err());
        // The statement moved to another account.
        let mut moved = good.clone();
        moved.account_id = "other".into();
        assert!(moved.verify().is_err());
        // A flipped bit in either signature.
        let mut flipped = good.clone();
        flipped.by_next[3] ^= 1;
        assert!(flipped.verify().is_err());
        // A chain with a gap, or ending elsewhere than the published keys.
        let skip = key(3).rotation_to("acc", &key(4));
        assert!(key_chain("acc", &[good.clone(), skip], &key(4).public()).is_err());
        assert!(key_chain("acc", std::slice::from_ref(&good), &key(5).public()).is_err());
        assert!(key_chain("other", &[good], &key(2).public()).is_err());
        // No-op and circular rotations.
        assert!(key(1).rotation_to("acc", &key(1)).verify().is_err());
        let back = key(2).rotation_to("acc", &key(1));
        let fwd = key(1).rotation_to("acc", &key(2));
        assert!(key_chain("acc", &[fwd, back], &key(1).public()).is_err());
    }
}
