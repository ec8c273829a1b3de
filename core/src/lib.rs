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
//!   [`rehearsal`], [`note`] (a therapist's feedback).
//! - [`safety`]: crisis resources shown at once, offline, by the device's region.
//! - [`time_zone`]: the client's zone, so that days begin at local midnight.
//! - [`clinical`]: session summaries ("since we last met"), the timeline,
//!   the termination review, export and import, deleting everything.

pub mod checkin;
pub mod clinical;
mod doc;
pub mod error;
#[doc(hidden)]
pub mod fuzz;
pub mod goal;
pub mod id;
pub mod inventory;
mod items;
pub mod journal;
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

pub use error::{Error, Result};
pub use id::ItemId;
pub use rapport_protocol::DocKind;
pub use record::{Item, Record};
pub use store::Store;
