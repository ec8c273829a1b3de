//! The ids of the protocol, one type per concept, shared by the server, the
//! sync engine and the record on the device (ADR 0010: a document is an
//! [`ItemId`] everywhere, never a bare string converted at each layer).

use serde::{Deserialize, Serialize};

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// Wraps an id received from elsewhere (the UI, the server, storage).
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }

        /// An id reads as its text (`id.len()`, `Option<Id>::as_deref()`).
        impl std::ops::Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }
    };
}

string_id!(
    /// The id of one item of a record: one Automerge document, on the device
    /// and on the server. A random UUID chosen by the device that created it,
    /// so that offline devices never collide.
    ItemId
);
string_id!(
    /// An account id, chosen by the server.
    AccountId
);
string_id!(
    /// A device id, chosen by the server at sign-in.
    DeviceId
);
string_id!(
    /// A bundle id chosen by the pushing device, so that a retried push never stores twice.
    BundleId
);
string_id!(
    /// A grant id, chosen by the server.
    GrantId
);
string_id!(
    /// A care link id, chosen by the server.
    LinkId
);
string_id!(
    /// An opaque label a client attaches to a document so that a grant can
    /// select it without the server reading content (blinded on the wire).
    Tag
);

impl ItemId {
    /// A fresh random id.
    pub fn random() -> Self {
        ItemId(uuid::Uuid::new_v4().to_string())
    }
}

/// The ids a record holds are stored in Automerge documents as strings (a
/// goal link's `goal_id`, an interaction's `person_id`, a note's client).
#[cfg(feature = "autosurgeon")]
mod stored {
    use autosurgeon::reconcile::LoadKey;
    use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler};

    use super::{AccountId, ItemId};

    macro_rules! stored_id {
        ($($id:ident),+) => {$(
            /// As its string, key included (a list of ids matches elements by id).
            impl Reconcile for $id {
                type Key<'a> = <String as Reconcile>::Key<'a>;

                fn reconcile<R: Reconciler>(&self, reconciler: R) -> Result<(), R::Error> {
                    self.0.reconcile(reconciler)
                }

                fn key(&self) -> LoadKey<Self::Key<'_>> {
                    self.0.key()
                }

                fn hydrate_key<'a, D: autosurgeon::ReadDoc>(
                    doc: &D,
                    obj: &automerge::ObjId,
                    prop: autosurgeon::Prop<'_>,
                ) -> Result<LoadKey<Self::Key<'a>>, autosurgeon::ReconcileError> {
                    String::hydrate_key(doc, obj, prop)
                }
            }

            // Hand-written: `Option<$id>` hydrates a present value through
            // `hydrate_string`, which a derived newtype impl does not override.
            // Written as scalar strings; one written as Text (by another
            // Automerge implementation) reads too.
            impl Hydrate for $id {
                fn hydrate_string(s: &'_ str) -> Result<Self, HydrateError> {
                    Ok($id(s.to_owned()))
                }

                fn hydrate_text<D: autosurgeon::ReadDoc>(
                    doc: &D,
                    obj: &automerge::ObjId,
                ) -> Result<Self, HydrateError> {
                    Ok($id(doc.text(obj)?))
                }
            }
        )+};
    }

    stored_id!(ItemId, AccountId);
}
