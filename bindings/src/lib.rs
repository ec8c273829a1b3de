//! uniffi facade over rapport-core: what Kotlin and Swift see.
//!
//! Exports are declared with uniffi's proc-macros and the bindings are
//! generated in library mode from the built library (see bindings/README.md).
//! A thin layer: the core knows nothing of FFI; this crate mirrors its
//! records with FFI-friendly types (ids as strings, times as timestamps,
//! dates as ISO strings) and maps its errors to one enum per area.
//!
//! Map:
//! - `errors`: `StoreError`, `SyncError`.
//! - `records`: the record kinds (FFI mirrors of the core's) and their conversions.
//! - `store`: `RapportStore`, the record on the device.
//! - `observer`: `ChangeObserver` and its `ObserverHandle`.
//! - `sync`: `RapportSync`, signing in, care links, sharing, syncing.
//! - `keys`: the account key on `RapportSync` (keystore bytes, recovery kit,
//!   pairing with `PairingOffer`, passphrase backup, safety numbers).
//! - `clinical`: session summary, timeline, termination review, export.

uniffi::setup_scaffolding!();

pub mod clinical;
pub mod errors;
pub mod keys;
pub mod observer;
pub mod records;
pub mod store;
pub mod sync;

/// The version of the Rust library, so a shell can tell which build it loaded.
#[uniffi::export]
pub fn core_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
