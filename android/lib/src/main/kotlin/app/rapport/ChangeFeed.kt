package app.rapport

import app.rapport.ffi.ChangeListener
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow
import app.rapport.ffi.ChangeFeed as FfiChangeFeed

/**
 * Placeholder observable source, in the shape the real observers will have:
 * a Rust listener and subscription handle, seen from Kotlin as a [Flow].
 */
class ChangeFeed : AutoCloseable {
    private val inner = FfiChangeFeed()

    /**
     * Batches of changed ids: everything known so far first, then each new batch.
     * Collecting subscribes; cancelling the collector ends the subscription.
     * Nothing is dropped or merged: batches are buffered until collected.
     */
    fun changes(): Flow<List<String>> =
        callbackFlow {
            val subscription =
                inner.subscribe(
                    object : ChangeListener {
                        // Called on whichever thread published the change.
                        override fun onChange(ids: List<String>) {
                            trySend(ids)
                        }
                    },
                )
            awaitClose {
                // cancel() ends it now even if a call on the handle is still in
                // flight; close() then frees the handle itself.
                subscription.use { it.cancel() }
            }
        }.buffer(Channel.UNLIMITED)

    /** Records a batch of changed ids and tells every collector. */
    fun publish(ids: List<String>) = inner.publish(ids)

    /** Live subscriptions, for tests and diagnostics. */
    val subscriberCount: Int
        get() = inner.subscriberCount().toInt()

    override fun close() = inner.close()
}
