//! Placeholder API that proves the bindings pipeline end to end: one of each
//! kind of export the real API needs (function, error enum, object with a
//! constructor and an async method, foreign-implemented listener with a
//! subscription handle). Replace it with the core's API; keep the shapes.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::task::{Context, Poll};

/// The version of the Rust library, so a shell can tell which build it loaded.
#[uniffi::export]
pub fn core_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// Errors of the probe API. Kotlin sees `RapportException`, Swift `RapportError`.
#[derive(Debug, PartialEq, Eq, uniffi::Error, thiserror::Error)]
pub enum RapportError {
    #[error("a mood rating goes from 0 to 10, not {rating}")]
    InvalidMood { rating: u8 },
}

/// Accepts a mood rating from 0 to 10 and returns it.
#[uniffi::export]
pub fn check_mood(rating: u8) -> Result<u8, RapportError> {
    if rating > 10 {
        return Err(RapportError::InvalidMood { rating });
    }
    Ok(rating)
}

/// An object with a constructor and an async method.
#[derive(Debug, uniffi::Object)]
pub struct Greeter {
    name: String,
}

#[uniffi::export]
impl Greeter {
    #[uniffi::constructor]
    pub fn new(name: String) -> Arc<Self> {
        Arc::new(Self { name })
    }

    /// Suspends once before answering, so the foreign executor's
    /// poll-and-wake loop is exercised, not just an already-ready future.
    pub async fn greet(&self) -> String {
        YieldOnce(false).await;
        format!("Hello, {}!", self.name)
    }
}

/// Told which items changed, in batches. Implemented in Kotlin or Swift.
#[uniffi::export(with_foreign)]
pub trait ChangeListener: Send + Sync {
    fn on_change(&self, ids: Vec<String>);
}

/// A source of change notifications: the shape of the real observers.
///
/// `subscribe` first sends everything published so far, then each later
/// batch. Listeners are called outside the lock, so a listener may call back
/// into the feed; a batch published while `subscribe` runs may therefore
/// arrive just before the first (already complete) snapshot.
#[derive(Debug, uniffi::Object)]
pub struct ChangeFeed {
    state: Arc<Mutex<FeedState>>,
}

#[derive(Default)]
struct FeedState {
    ids: Vec<String>,
    listeners: BTreeMap<u64, Arc<dyn ChangeListener>>,
    next_key: u64,
}

impl fmt::Debug for FeedState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FeedState")
            .field("ids", &self.ids.len())
            .field("listeners", &self.listeners.len())
            .finish()
    }
}

/// A poisoned lock only means a listener panicked elsewhere; the state
/// itself is still consistent, so keep going rather than panic across the FFI.
fn lock(state: &Mutex<FeedState>) -> MutexGuard<'_, FeedState> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

#[uniffi::export]
impl ChangeFeed {
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            state: Arc::default(),
        })
    }

    /// Registers `listener`; it receives the current ids at once, then every
    /// batch until the returned handle is cancelled or dropped.
    pub fn subscribe(&self, listener: Arc<dyn ChangeListener>) -> Arc<Subscription> {
        let (key, current) = {
            let mut state = lock(&self.state);
            let key = state.next_key;
            state.next_key += 1;
            state.listeners.insert(key, Arc::clone(&listener));
            (key, state.ids.clone())
        };
        listener.on_change(current);
        Arc::new(Subscription {
            state: Arc::downgrade(&self.state),
            key,
        })
    }

    /// Records a batch of changed ids and tells every listener, once each.
    pub fn publish(&self, ids: Vec<String>) {
        if ids.is_empty() {
            return;
        }
        let listeners: Vec<_> = {
            let mut state = lock(&self.state);
            state.ids.extend(ids.iter().cloned());
            state.listeners.values().cloned().collect()
        };
        for listener in listeners {
            listener.on_change(ids.clone());
        }
    }

    /// How many subscriptions are live; lets tests see that closing works.
    pub fn subscriber_count(&self) -> u32 {
        u32::try_from(lock(&self.state).listeners.len()).unwrap_or(u32::MAX)
    }
}

/// Handle of one subscription. Cancelling it, or dropping it (Kotlin:
/// `close()`, Swift: releasing the last reference), ends the subscription.
#[derive(Debug, uniffi::Object)]
pub struct Subscription {
    state: Weak<Mutex<FeedState>>,
    key: u64,
}

#[uniffi::export]
impl Subscription {
    /// Ends the subscription now; later calls do nothing. (Named `cancel`
    /// because the Kotlin bindings already give every object `close()`.)
    pub fn cancel(&self) {
        if let Some(state) = self.state.upgrade() {
            lock(&state).listeners.remove(&self.key);
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.cancel();
    }
}

/// A future that is pending on its first poll and ready on the second.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::task::Waker;

    use super::*;

    #[derive(Default)]
    struct Recorder(Mutex<Vec<Vec<String>>>);

    impl ChangeListener for Recorder {
        fn on_change(&self, ids: Vec<String>) {
            self.0.lock().unwrap().push(ids);
        }
    }

    fn block_on<F: Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                return out;
            }
        }
    }

    #[test]
    fn a_mood_above_ten_is_refused() {
        assert_eq!(check_mood(7), Ok(7));
        assert_eq!(
            check_mood(11),
            Err(RapportError::InvalidMood { rating: 11 })
        );
    }

    #[test]
    fn greeter_greets_by_name() {
        assert_eq!(block_on(Greeter::new("Ada".into()).greet()), "Hello, Ada!");
    }

    #[test]
    fn a_listener_gets_the_current_ids_then_batches_until_cancelled() {
        let feed = ChangeFeed::new();
        feed.publish(vec!["a".into()]);
        let recorder = Arc::new(Recorder::default());
        let subscription = feed.subscribe(recorder.clone());
        feed.publish(vec!["b".into(), "c".into()]);
        subscription.cancel();
        feed.publish(vec!["d".into()]);
        assert_eq!(
            *recorder.0.lock().unwrap(),
            vec![vec!["a".to_owned()], vec!["b".to_owned(), "c".to_owned()]]
        );
        assert_eq!(feed.subscriber_count(), 0);
    }

    #[test]
    fn dropping_the_handle_ends_the_subscription() {
        let feed = ChangeFeed::new();
        let subscription = feed.subscribe(Arc::new(Recorder::default()));
        assert_eq!(feed.subscriber_count(), 1);
        drop(subscription);
        assert_eq!(feed.subscriber_count(), 0);
    }
}
