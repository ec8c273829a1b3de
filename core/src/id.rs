//! Item ids: every item of the record is named by a random UUID, chosen on
//! the device that created it so that offline devices never collide. One
//! type from the device's record to the server's tables: the protocol's
//! (ADR 0010).

pub use rapport_protocol::ItemId;
