//! Change observers: the UI subscribes and is told, in one batch per write or
//! per applied sync page, which items changed. Dropping the subscription
//! handle ends it.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use rapport_protocol::DocKind;

use crate::id::ItemId;

/// What happened to one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ChangeOp {
    /// Created or changed (locally or by a sync).
    Upserted,
    /// Deleted, or removed from this device (a revoked share).
    Removed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ItemChange {
    pub id: ItemId,
    pub kind: DocKind,
    pub op: ChangeOp,
}

impl ItemChange {
    pub fn upserted(id: ItemId, kind: DocKind) -> Self {
        ItemChange {
            id,
            kind,
            op: ChangeOp::Upserted,
        }
    }

    pub fn removed(id: ItemId, kind: DocKind) -> Self {
        ItemChange {
            id,
            kind,
            op: ChangeOp::Removed,
        }
    }
}

/// Implemented by whoever wants to hear about changes (the UI layer).
pub trait StoreObserver: Send + Sync {
    fn on_change(&self, changes: &[ItemChange]);
}

/// A list of listeners of one kind; each subscription removes its own entry
/// when dropped. Used for item changes and for the sync status.
pub(crate) struct Listeners<L: ?Sized> {
    next: AtomicU64,
    registry: Arc<Registry<L>>,
}

type Registry<L> = Mutex<Vec<(u64, Arc<L>)>>;

impl<L: ?Sized> Default for Listeners<L> {
    fn default() -> Self {
        Listeners {
            next: AtomicU64::new(0),
            registry: Arc::new(Mutex::new(Vec::new())),
        }
    }
}

impl<L: ?Sized> fmt::Debug for Listeners<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Listeners").finish_non_exhaustive()
    }
}

impl<L: ?Sized + Send + Sync + 'static> Listeners<L> {
    pub fn subscribe(&self, listener: Arc<L>) -> Subscription {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut reg) = self.registry.lock() {
            reg.push((id, listener));
        }
        let registry: Weak<Registry<L>> = Arc::downgrade(&self.registry);
        Subscription {
            id,
            end: Some(Box::new(move || {
                if let Some(registry) = registry.upgrade()
                    && let Ok(mut reg) = registry.lock()
                {
                    reg.retain(|(i, _)| *i != id);
                }
            })),
        }
    }

    /// Calls `f` on every listener, outside the lock so a listener may read
    /// the store or subscribe again.
    pub fn each(&self, f: impl Fn(&L)) {
        let current: Vec<Arc<L>> = match self.registry.lock() {
            Ok(reg) => reg.iter().map(|(_, l)| Arc::clone(l)).collect(),
            Err(_) => return,
        };
        for listener in current {
            f(&listener);
        }
    }
}

/// The item-change listeners of a store.
pub(crate) type Observers = Listeners<dyn StoreObserver>;

impl Listeners<dyn StoreObserver> {
    /// Tells every observer about one batch of changes.
    pub fn notify(&self, changes: &[ItemChange]) {
        if !changes.is_empty() {
            self.each(|o| o.on_change(changes));
        }
    }
}

/// Keeps a listener registered; drop it (or call `cancel`) to stop.
#[must_use = "the listener is removed when the subscription is dropped"]
pub struct Subscription {
    id: u64,
    end: Option<Box<dyn FnOnce() + Send + Sync>>,
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription")
            .field("id", &self.id)
            .finish()
    }
}

impl Subscription {
    /// Ends the subscription now (the same as dropping it).
    pub fn cancel(self) {}
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(end) = self.end.take() {
            end();
        }
    }
}
