//! Retries with backoff: a transient failure (network, 5xx, 429) is tried
//! again after a pause that doubles each time, up to the configured number
//! of attempts. Below both the engine and the key directory, which use it.

use std::future::Future;

use super::{SyncClient, SyncError};

/// Runs `call` until it succeeds, fails for good, or runs out of tries.
pub(super) async fn retrying<T, F, Fut>(client: &SyncClient, call: F) -> Result<T, SyncError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, SyncError>>,
{
    let mut pause = client.config.retry_backoff;
    let mut attempt = 1;
    loop {
        match call().await {
            Err(err) if err.is_transient() && attempt < client.config.max_attempts => {
                tracing::debug!(attempt, error = %err, "retrying after a pause");
                tokio::time::sleep(pause).await;
                pause = pause.saturating_mul(2);
                attempt += 1;
            }
            other => return other,
        }
    }
}
