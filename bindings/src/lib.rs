//! uniffi facade over rapport-core: what Kotlin and Swift see.
//!
//! Exports are declared with uniffi's proc-macros and the bindings are
//! generated in library mode from the built library (see bindings/README.md).
//! The records, queries, views and wire types are the core's and the
//! protocol's own, derived for uniffi behind their `uniffi` feature (ADR
//! 0009): this crate holds only the objects, their methods, the stored
//! forms of the generic `Item<R>` and the error mapping.
//!
//! Map:
//! - `errors`: `StoreError`, `SyncError`, each variant with its fields.
//! - `stored`: `StoredWin` and the rest: an item's envelope and its record.
//! - `store`: `RapportStore`, the record on the device.
//! - `clinical`: session summary, timeline, termination review, export.
//! - `observer`: `ChangeObserver` and its `ObserverHandle`.
//! - `sync`: `RapportSync`, signing in, care links, sharing, syncing.
//! - `keys`: the account key on `RapportSync` (keystore bytes, recovery kit,
//!   pairing with `PairingOffer`, passphrase backup, safety numbers).
//!
//! The rule for async: a call that may use the network is async; a local
//! one is blocking (run it off the UI thread).

uniffi::setup_scaffolding!();

// The remote types the core and the protocol made FFI types of, used in
// this crate's own signatures: calendar days and instants.
use rapport_core::ffi::CalendarDay;
use rapport_protocol::ffi::Timestamp;
uniffi::use_remote_type!(rapport_core::CalendarDay);
uniffi::use_remote_type!(rapport_protocol::Timestamp);

pub mod clinical;
pub mod errors;
pub mod keys;
pub mod observer;
pub mod store;
pub mod stored;
pub mod sync;

/// The version of the Rust library, so a shell can tell which build it loaded.
#[uniffi::export]
pub fn core_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
