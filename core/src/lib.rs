//! rapport-core: the client's Interpersonal Psychotherapy record on the
//! device. Every item is its own Automerge document stored in SQLite; the
//! record works with no network and keeps every write.
//!
//! Map of the crate:
//! - [`Store`]: open a record, create/get/update/delete any item, list and
//!   search, exchange changes with other replicas, observe changes.
//! - Record kinds, in IPT's words: [`journal`] (interactions, wins,
//!   reflections), [`goal`] (milestones, barriers, course corrections),
//!   [`inventory`] (people, closeness ring, role-dispute stages), [`profile`]
//!   (focus, formulation, contract, phase), [`checkin`] (mood, PHQ-9),
//!   [`rehearsal`], [`note`] (a therapist's feedback), [`kind_share`] (a
//!   kind-wide share: the authority to seal keys for a therapist).
//! - [`safety`]: crisis resources shown at once, offline, by the device's region.
//! - [`time_zone`]: the client's zone, so that days begin at local midnight.
//! - [`clinical`]: session summaries ("since we last met"), the timeline,
//!   the termination review, export and import, deleting everything.
//! - [`sync`]: [`sync::SyncClient`] signs a device in and keeps the store in
//!   step with the server.
//!
//! Sync and async: a call that uses the network is `async`; a local call is
//! plain and blocking. Everything on [`Store`] is local (a SQLite
//! transaction on the device, done when the call returns) and works with no
//! network. On [`sync::SyncClient`], every method that may talk to the
//! server is `async`: sign-up, sign-in and sign-out, devices, invites and
//! links, grants and sharing, the access log, key publishing, backup and
//! restore, the safety number (it fetches keys not yet pinned),
//! `sync_now` and `delete_everything`. Its local methods are not:
//! `new`, `store`, `resume` (adopts a kept session; no request), the
//! account-key and recovery-kit calls, pairing (`seal_for_pairing`,
//! `accept_pairing`: the bytes travel outside the server), `write_note`
//! (stored here, shared at the next sync), `session`, `status`,
//! `subscribe_status` and `traffic`. A new method follows the same rule,
//! so that a UI never blocks on the network and never awaits a local write;
//! bindings keep the split.
//!
//! Layers, each importing only those below it (`tests/layers.rs` checks it,
//! ADR 0009 says why this shape):
//! 1. [`id`], [`error`], [`record`] (what every kind has in common), `doc`
//!    (an item's envelope in its Automerge document), [`observer`].
//! 2. Beside each other on those: [`store`], the document layer (documents,
//!    outbox, index, exchange; it knows no record kind), and the record
//!    kinds (values, validation, index entries; they know no store), with
//!    `kinds`, the registry from a document's kind to its record.
//! 3. `items`: the typed [`Store`] operations (open, create, get, update,
//!    and per kind), which hand the store the registry; and the part of
//!    [`safety`] kept in device settings.
//! 4. [`clinical`] (a shared loader, then one module per view) and [`sync`]
//!    (through the store's crate-private methods for sealed keys, pushed
//!    bundles and owners).

pub mod checkin;
pub mod clinical;
mod cores;
mod doc;
pub mod error;
#[cfg(feature = "uniffi")]
pub mod ffi;
#[doc(hidden)]
pub mod fuzz;
pub mod goal;
pub mod id;
pub mod inventory;
mod items;
pub mod journal;
pub mod kind_share;
mod kinds;
pub mod note;
pub mod observer;
pub mod profile;
pub mod record;
pub mod rehearsal;
pub mod safety;
pub mod store;
pub mod sync;
pub mod time_zone;

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!("rapport_core");

pub use error::{Error, Result};
pub use id::ItemId;
pub use rapport_protocol::DocKind;
pub use record::{Item, Record};
pub use store::Store;
