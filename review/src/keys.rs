//! The secrets the app keeps: the key that encrypts the record at rest and
//! the sync session's token. They live in the OS keystore (Secret Service
//! on Linux, Keychain on macOS, Credential Manager on Windows) through the
//! `keyring` crate. Where there is no keystore service (a headless Linux
//! machine, the tests), or with `--key-file-fallback`, they live instead in
//! [`FALLBACK_FILE`] in the data folder, readable by the user only (0600).
//! Once a file is in use, it stays in use for that data folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::ReviewError;

/// The name of the fallback file: it says what it is.
pub const FALLBACK_FILE: &str = "keys-NOT-in-os-keystore.json";

/// The keystore service name.
const SERVICE: &str = "rapport-review";

/// Where the secrets are kept.
#[derive(Debug, Clone)]
pub enum Keystore {
    /// The OS keystore; entries are named per data folder.
    Os { account_prefix: String },
    /// The fallback file.
    File { path: PathBuf },
}

impl Keystore {
    /// The file when asked for or already in use; else the OS keystore if
    /// it answers; else the file (with a warning on stderr).
    pub fn choose(data_dir: &Path, force_file: bool) -> Result<Keystore, ReviewError> {
        let path = data_dir.join(FALLBACK_FILE);
        if force_file || path.exists() {
            return Ok(Keystore::File { path });
        }
        let os = Keystore::Os {
            account_prefix: data_dir.display().to_string(),
        };
        match os.get("store-key") {
            Ok(_) => Ok(os),
            Err(err) => {
                eprintln!(
                    "rapport-review: no OS keystore ({err}); keeping the keys in {} (mode 0600)",
                    path.display()
                );
                Ok(Keystore::File { path })
            }
        }
    }

    /// Says where the keys are, for the start-up line and the README.
    pub fn describe(&self) -> String {
        match self {
            Keystore::Os { .. } => "the OS keystore".into(),
            Keystore::File { path } => format!("the file {}", path.display()),
        }
    }

    pub fn get(&self, name: &str) -> Result<Option<String>, ReviewError> {
        match self {
            Keystore::Os { account_prefix } => match entry(account_prefix, name)?.get_password() {
                Ok(value) => Ok(Some(value)),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(e) => Err(ReviewError::Keystore(e.to_string())),
            },
            Keystore::File { path } => Ok(read_file(path)?.remove(name)),
        }
    }

    pub fn set(&self, name: &str, value: &str) -> Result<(), ReviewError> {
        match self {
            Keystore::Os { account_prefix } => entry(account_prefix, name)?
                .set_password(value)
                .map_err(|e| ReviewError::Keystore(e.to_string())),
            Keystore::File { path } => {
                let mut all = read_file(path)?;
                all.insert(name.to_owned(), value.to_owned());
                write_file(path, &all)
            }
        }
    }

    pub fn delete(&self, name: &str) -> Result<(), ReviewError> {
        match self {
            Keystore::Os { account_prefix } => {
                match entry(account_prefix, name)?.delete_credential() {
                    Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                    Err(e) => Err(ReviewError::Keystore(e.to_string())),
                }
            }
            Keystore::File { path } => {
                let mut all = read_file(path)?;
                if all.remove(name).is_some() {
                    write_file(path, &all)?;
                }
                Ok(())
            }
        }
    }
}

fn entry(account_prefix: &str, name: &str) -> Result<keyring::Entry, ReviewError> {
    keyring::Entry::new(SERVICE, &format!("{name}@{account_prefix}"))
        .map_err(|e| ReviewError::Keystore(e.to_string()))
}

fn read_file(path: &Path) -> Result<BTreeMap<String, String>, ReviewError> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map_err(|_| ReviewError::Keystore(format!("{} is damaged", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(e) => Err(ReviewError::Keystore(format!("{}: {e}", path.display()))),
    }
}

/// Writes the whole file anew, created 0600, and renames it into place.
fn write_file(path: &Path, all: &BTreeMap<String, String>) -> Result<(), ReviewError> {
    use std::io::Write;
    let fail = |e: std::io::Error| ReviewError::Keystore(format!("{}: {e}", path.display()));
    let bytes = serde_json::to_vec_pretty(all).map_err(|e| ReviewError::Keystore(e.to_string()))?;
    let tmp = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp).map_err(fail)?;
    file.write_all(&bytes).map_err(fail)?;
    file.sync_all().map_err(fail)?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(fail)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_file_fallback_keeps_values_private_to_the_user() {
        let dir = tempfile::tempdir().unwrap();
        let keys = Keystore::choose(dir.path(), true).unwrap();
        assert!(keys.get("store-key").unwrap().is_none());
        keys.set("store-key", "abc").unwrap();
        keys.set("session", "{}").unwrap();
        assert_eq!(keys.get("store-key").unwrap().as_deref(), Some("abc"));
        keys.delete("session").unwrap();
        assert!(keys.get("session").unwrap().is_none());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(FALLBACK_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Once in use, the file stays chosen even without the flag.
        assert!(matches!(
            Keystore::choose(dir.path(), false).unwrap(),
            Keystore::File { .. }
        ));
    }
}
