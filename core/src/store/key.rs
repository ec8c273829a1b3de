//! The key that encrypts a record at rest (SQLCipher, 256-bit raw key). It
//! is made and kept by the platform keystore (Android Keystore, iOS
//! Keychain) and handed to the core at open; the core never stores it, and
//! its `Debug` output hides it.

use std::fmt;

use rusqlite::Connection;

use crate::error::{Error, Result};

/// 32 random bytes, used as SQLCipher's raw key (no key derivation needed).
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseKey([u8; 32]);

impl DatabaseKey {
    /// A key from exactly 32 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<DatabaseKey> {
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|_| Error::invalid("key", format!("must be 32 bytes, got {}", bytes.len())))?;
        Ok(DatabaseKey(bytes))
    }

    /// A fresh random key from the operating system, for the keystore to keep.
    pub fn random() -> Result<DatabaseKey> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| Error::Storage(format!("no randomness for a key: {e}")))?;
        Ok(DatabaseKey(bytes))
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Keys the connection; must come before anything reads the file.
    pub(crate) fn apply(&self, conn: &Connection) -> Result<()> {
        use std::fmt::Write;
        let mut hex = String::with_capacity(67);
        hex.push_str("x'");
        for b in self.0 {
            let _ = write!(hex, "{b:02x}");
        }
        hex.push('\'');
        // SQLCipher logs decryption failures to stderr by default; a wrong
        // key is reported as an error instead.
        let _ = conn.pragma_update(None, "cipher_log_level", "NONE");
        conn.pragma_update(None, "key", &hex)?;
        Ok(())
    }
}

/// Finishes SQLCipher's one-time set-up before any store is opened.
///
/// SQLite marks itself initialised before it runs SQLCipher's extra
/// initialisation, outside its lock: a second thread opening its first
/// connection meanwhile could key a database while SQLCipher was not ready
/// ("An error occurred with PRAGMA key", seen when two stores were opened at
/// once). Every open goes through here, so the first one completes the whole
/// set-up while the others wait.
pub(crate) fn ensure_sqlcipher_ready() {
    static READY: std::sync::Once = std::sync::Once::new();
    READY.call_once(|| {
        // Opening any connection runs sqlite3_initialize, extra init included,
        // on this thread; the connection itself is not needed.
        let _ = Connection::open_in_memory();
    });
}

impl fmt::Debug for DatabaseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DatabaseKey(…)")
    }
}
