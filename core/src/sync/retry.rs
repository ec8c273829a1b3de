//! Retries with backoff: a transient failure (network, 5xx, 429) is tried
//! again after a pause that doubles each time, up to the configured number
//! of attempts. Below both the engine and the key directory, which use it.

use std::future::Future;
use std::time::Duration;

use super::{SyncClient, SyncError};

/// Runs `call` until it succeeds, fails for good, or runs out of tries.
pub(super) async fn retrying<T, F, Fut>(client: &SyncClient, call: F) -> Result<T, SyncError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, SyncError>>,
{
    retrying_with(
        client.config.max_attempts,
        client.config.retry_backoff,
        call,
    )
    .await
}

/// [`retrying`] with the client's settings given: for a task that does not
/// borrow the client.
pub(super) async fn retrying_with<T, F, Fut>(
    max_attempts: u32,
    backoff: Duration,
    call: F,
) -> Result<T, SyncError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, SyncError>>,
{
    let mut pause = backoff;
    let mut attempt = 1;
    loop {
        match call().await {
            Err(err) if err.is_transient() && attempt < max_attempts => {
                tracing::debug!(attempt, error = %err, "retrying after a pause");
                tokio::time::sleep(pause).await;
                pause = pause.saturating_mul(2);
                attempt += 1;
            }
            other => return other,
        }
    }
}
