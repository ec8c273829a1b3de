//! Change observers: a shell implements `ChangeObserver` and is told, in one
//! batch per local write or per applied sync page, which items changed. The
//! returned `ObserverHandle` keeps the subscription; `cancel()` or dropping
//! it ends it.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use rapport_core::observer::{ItemChange, StoreObserver, Subscription};

use crate::store::RapportStore;

/// Told which items changed, in batches. Implemented in Kotlin or Swift;
/// called on the thread that wrote or synced, so hop to the UI thread there.
#[uniffi::export(with_foreign)]
pub trait ChangeObserver: Send + Sync {
    fn on_change(&self, changes: Vec<ItemChange>);
}

/// Adapts a foreign observer to the core's observer trait.
struct Forward(Arc<dyn ChangeObserver>);

impl StoreObserver for Forward {
    fn on_change(&self, changes: &[ItemChange]) {
        self.0.on_change(changes.to_vec());
    }
}

/// Keeps one observer subscribed until cancelled or dropped.
#[derive(uniffi::Object)]
pub struct ObserverHandle {
    subscription: Mutex<Option<Subscription>>,
}

impl fmt::Debug for ObserverHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObserverHandle")
            .field("active", &self.is_active())
            .finish()
    }
}

#[uniffi::export]
impl ObserverHandle {
    /// Ends the subscription now; later calls do nothing. (Named `cancel`
    /// because every generated Kotlin object already has `close()`, which
    /// frees the handle and so ends the subscription too.)
    pub fn cancel(&self) {
        let subscription = self
            .subscription
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        drop(subscription);
    }

    /// Whether the observer is still subscribed.
    pub fn is_active(&self) -> bool {
        self.subscription
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }
}

#[uniffi::export]
impl RapportStore {
    /// Subscribes `observer` to every later change of the record (local
    /// writes and applied sync pages), one call per batch.
    pub fn subscribe(&self, observer: Arc<dyn ChangeObserver>) -> Arc<ObserverHandle> {
        let subscription = self.inner.subscribe(Arc::new(Forward(observer)));
        Arc::new(ObserverHandle {
            subscription: Mutex::new(Some(subscription)),
        })
    }
}
