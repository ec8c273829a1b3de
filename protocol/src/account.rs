//! Wire types of the account's own endpoints: changing the password and
//! deleting the account (`docs/protocol.md`, "The account").

use serde::{Deserialize, Serialize};

use crate::REDACTED;

/// `PUT /v1/account/password`: every other device of the account is signed
/// out; the calling one stays signed in.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

/// `DELETE /v1/account`: deletes the account and everything it owns.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteAccountRequest {
    /// The account's password, asked again: a token alone does not delete.
    pub password: String,
}

impl std::fmt::Debug for ChangePasswordRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangePasswordRequest")
            .field("current_password", &REDACTED)
            .field("new_password", &REDACTED)
            .finish()
    }
}

impl std::fmt::Debug for DeleteAccountRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeleteAccountRequest")
            .field("password", &REDACTED)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_prints_a_password() {
        let change = ChangePasswordRequest {
            current_password: "old-secret-1".into(),
            new_password: "new-secret-2".into(),
        };
        let delete = DeleteAccountRequest {
            password: "del-secret-3".into(),
        };
        let printed = format!("{change:?} {delete:?}");
        for secret in ["old-secret-1", "new-secret-2", "del-secret-3"] {
            assert!(!printed.contains(secret), "{printed}");
        }
    }
}
