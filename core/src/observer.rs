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
pub enum ChangeOp {
    /// Created or changed (locally or by a sync).
    Upserted,
    /// Deleted, or removed from this device (a revoked share).
    Removed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
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

type Registry = Mutex<Vec<(u64, Arc<dyn StoreObserver>)>>;

#[derive(Default)]
pub(crate) struct Observers {
    next: AtomicU64,
    registry: Arc<Registry>,
}

impl fmt::Debug for Observers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Observers").finish_non_exhaustive()
    }
}

impl Observers {
    pub fn subscribe(&self, observer: Arc<dyn StoreObserver>) -> Subscription {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut reg) = self.registry.lock() {
            reg.push((id, observer));
        }
        Subscription {
            id,
            registry: Arc::downgrade(&self.registry),
        }
    }

    /// Calls every observer once with the whole batch, outside the lock so
    /// an observer may read the store or subscribe again.
    pub fn notify(&self, changes: &[ItemChange]) {
        if changes.is_empty() {
            return;
        }
        let current: Vec<Arc<dyn StoreObserver>> = match self.registry.lock() {
            Ok(reg) => reg.iter().map(|(_, o)| Arc::clone(o)).collect(),
            Err(_) => return,
        };
        for observer in current {
            observer.on_change(changes);
        }
    }
}

/// Keeps an observer registered; drop it (or call `cancel`) to stop.
#[must_use = "the observer is removed when the subscription is dropped"]
pub struct Subscription {
    id: u64,
    registry: Weak<Registry>,
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription")
            .field("id", &self.id)
            .finish()
    }
}

impl Subscription {
    pub fn cancel(self) {}
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(registry) = self.registry.upgrade()
            && let Ok(mut reg) = registry.lock()
        {
            reg.retain(|(id, _)| *id != self.id);
        }
    }
}
